//! The errors the API answers with: a status and an [`ErrorBody`] whose message is in
//! Vietnamese. Few public variants; storage details go to the log, not to the phone.

use axum::http::StatusCode;
use thiserror::Error;

use chibo_domain::sync::ErrorBody;

use crate::storage::StorageError;

#[derive(Debug, Error)]
pub enum ApiError {
    /// Malformed JSON, a missing field, an unknown protocol version.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("Thiết bị này đã bị thu hồi quyền truy cập; hãy liên hệ văn phòng Đảng ủy xã")]
    Revoked,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("Thiếu thay đổi trước đó: máy chủ cần số thứ tự {expected}")]
    SequenceGap { expected: u64 },
    /// A different change under a sequence number the server already settled.
    #[error(
        "Thay đổi gửi lên trùng số thứ tự với một thay đổi khác đã ghi nhận; máy cần đánh \
         số lại từ {expected}"
    )]
    SeqConflict { expected: u64 },
    #[error("{0}")]
    Conflict(String),
    #[error("Mã đăng ký đã được dùng")]
    CodeUsed,
    #[error("Mã đăng ký đã hết hạn; hãy xin văn phòng Đảng ủy xã mã mới")]
    CodeExpired,
    /// Too many wrong attempts (enrolment codes) from this address lately.
    #[error(
        "Đã nhập sai mã đăng ký quá nhiều lần từ mạng này; vì an toàn, hãy thử lại sau 15 \
         phút hoặc quét mã QR"
    )]
    TooManyAttempts,
    #[error("Dữ liệu gửi lên quá lớn (tối đa {limit} byte)")]
    TooLarge { limit: usize },
    #[error("Máy chủ đang bận hoặc cơ sở dữ liệu không sẵn sàng; hãy thử lại sau")]
    Unavailable,
    /// Details are logged, not sent.
    #[error("Lỗi máy chủ; hãy thử lại sau")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) | ApiError::Revoked => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::SequenceGap { .. }
            | ApiError::SeqConflict { .. }
            | ApiError::Conflict(_)
            | ApiError::CodeUsed => StatusCode::CONFLICT,
            ApiError::CodeExpired => StatusCode::GONE,
            ApiError::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Revoked => "revoked",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::SequenceGap { .. } => "sequence_gap",
            ApiError::SeqConflict { .. } => "seq_conflict",
            ApiError::Conflict(_) => "conflict",
            ApiError::CodeUsed => "code_used",
            ApiError::CodeExpired => "code_expired",
            ApiError::TooManyAttempts => "too_many_attempts",
            ApiError::TooLarge { .. } => "too_large",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code().to_string(),
            message: self.to_string(),
            expected_seq: match self {
                ApiError::SequenceGap { expected } | ApiError::SeqConflict { expected } => {
                    Some(*expected)
                }
                _ => None,
            },
        }
    }

    pub fn forbidden() -> ApiError {
        ApiError::Forbidden("Tài khoản này không có quyền với dữ liệu được yêu cầu".into())
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> ApiError {
        match e {
            StorageError::Unavailable(detail) => {
                tracing::error!(%detail, "storage unavailable");
                ApiError::Unavailable
            }
            StorageError::Retry => ApiError::Unavailable,
            StorageError::Conflict(detail) => {
                tracing::warn!(%detail, "storage conflict");
                ApiError::Conflict("Dữ liệu trùng với dữ liệu đã có".into())
            }
            StorageError::Corrupt(detail) => ApiError::Internal(detail),
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> ApiError {
        ApiError::Internal(format!("blocking task failed: {e}"))
    }
}

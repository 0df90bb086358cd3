//! Errors of the upload and blob endpoints: a few public variants, one per thing a
//! client can do about it (each with its tus status code), and an internal tier whose
//! detail goes to the log, never to the client.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chibo_domain::sync::ErrorBody;

use super::version::{TUS_RESUMABLE, TUS_VERSION};
use crate::blobs::BlobError;

/// tus's "checksum mismatch" status (checksum extension).
pub const CHECKSUM_MISMATCH: u16 = 460;

#[derive(Debug, thiserror::Error)]
pub enum TusError {
    /// No credential, or one the server does not know (401 "unauthorized").
    #[error("chưa xác thực thiết bị")]
    Unauthorized,
    /// The device's credential was revoked by the commune office (401 "revoked").
    #[error("thiết bị đã bị thu hồi quyền")]
    Revoked,
    /// Authenticated but not allowed (403 "forbidden").
    #[error("không có quyền")]
    Forbidden,
    /// No such upload for this device, or no such blob (404 "not_found").
    #[error("không tìm thấy")]
    NotFound,
    /// A malformed request; the message says what, in Vietnamese (400 "bad_request").
    #[error("{0}")]
    BadRequest(String),
    /// `Tus-Resumable` missing or a version we do not speak (412).
    #[error("phiên bản giao thức tải lên không được hỗ trợ")]
    UnsupportedVersion,
    /// A PATCH whose body is not `application/offset+octet-stream` (415).
    #[error("sai kiểu nội dung")]
    UnsupportedMediaType,
    /// The PATCH's `Upload-Offset` is not where the upload is (409 "conflict"). The
    /// answer carries the server's offset in `Upload-Offset`, saving the client a HEAD.
    #[error("vị trí tải lên không khớp (máy chủ đang ở byte {current})")]
    OffsetMismatch { current: u64 },
    /// The upload was abandoned past `TusConfig::expiry` and removed; start over (410
    /// "upload_expired").
    #[error("lượt tải lên đã hết hạn")]
    Expired,
    /// The device has too many bytes in unfinished uploads (429 "upload_quota").
    #[error("{0}")]
    Quota(String),
    /// Bigger than the server accepts, or more bytes than the upload declared (413).
    #[error("{0}")]
    TooLarge(String),
    /// A chunk's `Upload-Checksum`, or the whole file's SHA-256, did not match (460).
    #[error("{0}")]
    ChecksumMismatch(String),
    /// The database or a remote store cannot be reached; try again later (503
    /// "unavailable").
    #[error("máy chủ tạm thời không sẵn sàng")]
    Unavailable,
    /// The server's disk is full; try again later (507 "storage_full").
    #[error("máy chủ hết chỗ lưu trữ")]
    StorageFull,
    /// Anything else (500 "internal"); the detail is logged.
    #[error("lỗi máy chủ: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl TusError {
    pub fn internal(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> TusError {
        TusError::Internal(error.into())
    }

    pub fn bad_request(message: impl Into<String>) -> TusError {
        TusError::BadRequest(message.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            TusError::Unauthorized | TusError::Revoked => StatusCode::UNAUTHORIZED,
            TusError::Forbidden => StatusCode::FORBIDDEN,
            TusError::NotFound => StatusCode::NOT_FOUND,
            TusError::Expired => StatusCode::GONE,
            TusError::Quota(_) => StatusCode::TOO_MANY_REQUESTS,
            TusError::BadRequest(_) => StatusCode::BAD_REQUEST,
            TusError::UnsupportedVersion => StatusCode::PRECONDITION_FAILED,
            TusError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            TusError::OffsetMismatch { .. } => StatusCode::CONFLICT,
            TusError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            TusError::ChecksumMismatch(_) => {
                StatusCode::from_u16(CHECKSUM_MISMATCH).expect("460 is a valid status")
            }
            TusError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            TusError::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
            TusError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine code of [`ErrorBody`].
    pub fn code(&self) -> &'static str {
        match self {
            TusError::Unauthorized => "unauthorized",
            TusError::Revoked => "revoked",
            TusError::Forbidden => "forbidden",
            TusError::NotFound => "not_found",
            TusError::Expired => "upload_expired",
            TusError::Quota(_) => "upload_quota",
            TusError::BadRequest(_)
            | TusError::UnsupportedVersion
            | TusError::UnsupportedMediaType => "bad_request",
            TusError::OffsetMismatch { .. } => "conflict",
            TusError::TooLarge(_) => "too_large",
            TusError::ChecksumMismatch(_) => "checksum_mismatch",
            TusError::Unavailable => "unavailable",
            TusError::StorageFull => "storage_full",
            TusError::Internal(_) => "internal",
        }
    }

    /// What the user reads, in Vietnamese.
    fn message(&self) -> String {
        match self {
            TusError::Unauthorized => {
                "Thiết bị chưa được xác thực. Hãy đăng ký lại thiết bị với văn phòng Đảng ủy xã."
                    .into()
            }
            TusError::Revoked => {
                "Thiết bị này đã bị thu hồi quyền truy cập. Hãy liên hệ văn phòng Đảng ủy xã."
                    .into()
            }
            TusError::Forbidden => "Bạn không có quyền xem ảnh này.".into(),
            TusError::NotFound => "Không tìm thấy ảnh hoặc lượt tải lên.".into(),
            TusError::Expired => {
                "Lượt tải lên này bị bỏ dở quá lâu nên máy chủ đã xóa. Hãy tải ảnh lên lại từ đầu."
                    .into()
            }
            TusError::UnsupportedVersion => format!(
                "Ứng dụng dùng phiên bản giao thức tải lên không được hỗ trợ (máy chủ dùng tus {TUS_VERSION}). Hãy cập nhật ứng dụng."
            ),
            TusError::UnsupportedMediaType => {
                "Dữ liệu tải lên phải có kiểu application/offset+octet-stream.".into()
            }
            TusError::OffsetMismatch { current } => format!(
                "Vị trí tải lên không khớp: máy chủ đã nhận {current} byte. Hãy tiếp tục từ vị trí đó."
            ),
            TusError::Unavailable => {
                "Máy chủ đang bận hoặc tạm thời không sẵn sàng. Hãy thử lại sau.".into()
            }
            TusError::StorageFull => "Máy chủ đã hết chỗ lưu trữ. Hãy thử lại sau.".into(),
            TusError::Internal(_) => "Máy chủ gặp lỗi khi xử lý ảnh. Hãy thử lại sau.".into(),
            TusError::BadRequest(m)
            | TusError::TooLarge(m)
            | TusError::ChecksumMismatch(m)
            | TusError::Quota(m) => {
                m.clone()
            }
        }
    }
}

impl From<BlobError> for TusError {
    fn from(e: BlobError) -> TusError {
        match e {
            e if e.is_storage_full() => TusError::StorageFull,
            // The object store is down or refusing: the phone tries again later, and the
            // upload keeps every byte it received meanwhile.
            BlobError::Backend(detail) => {
                tracing::error!(%detail, "tus: blob store unavailable");
                TusError::Unavailable
            }
            e => TusError::internal(e),
        }
    }
}

impl From<std::io::Error> for TusError {
    fn from(e: std::io::Error) -> TusError {
        if e.kind() == std::io::ErrorKind::StorageFull {
            TusError::StorageFull
        } else {
            TusError::internal(e)
        }
    }
}

impl IntoResponse for TusError {
    fn into_response(self) -> Response {
        match &self {
            TusError::Internal(detail) => tracing::error!(error = %detail, "tus: internal error"),
            TusError::StorageFull => tracing::error!("tus: disk full"),
            other => tracing::debug!(code = other.code(), "tus: refused: {other}"),
        }
        let body = ErrorBody {
            code: self.code().to_string(),
            message: self.message(),
            expected_seq: None,
        };
        let mut response = (self.status(), Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(TUS_RESUMABLE, HeaderValue::from_static(TUS_VERSION));
        match self {
            TusError::UnsupportedVersion => {
                headers.insert("tus-version", HeaderValue::from_static(TUS_VERSION));
            }
            TusError::OffsetMismatch { current } => {
                headers.insert("upload-offset", HeaderValue::from(current));
            }
            _ => {}
        }
        response
    }
}

//! The sync engine's rich error, and the few kinds the apps act on. Every Display text is
//! Vietnamese: it becomes the status screen's "last error".

use crate::keystore::KeystoreError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("Thiết bị chưa đăng ký với máy chủ của xã. Hãy đăng ký bằng mã do văn phòng Đảng ủy xã cấp.")]
    NotEnrolled,

    #[error("Địa chỉ máy chủ không hợp lệ: \"{0}\" (cần dạng https://may-chu-xa.vn)")]
    BadServerUrl(String),

    /// Plain `http://` to another machine: the credential and the record would cross
    /// the network unencrypted.
    #[error("Địa chỉ máy chủ \"{0}\" không an toàn: cần dạng https://… (http:// chỉ dùng được cho chính máy này). Hãy hỏi văn phòng Đảng ủy xã địa chỉ đúng.")]
    InsecureServerUrl(String),

    /// A short code typed, and no server address given or saved.
    #[error("Chưa có địa chỉ máy chủ của xã. Hãy nhập địa chỉ văn phòng Đảng ủy xã cho, hoặc quét mã QR đăng ký.")]
    NoServerUrl,

    #[error("{0}")]
    BadQr(chibo_domain::sync::EnrollmentQrError),

    #[error("Chưa nhập mã đăng ký (mã do văn phòng Đảng ủy xã cấp, hoặc quét mã QR).")]
    EmptyCode,

    /// The exchange did not complete: no connection, a timeout, a body cut short.
    /// Retried with backoff before it is reported.
    #[error("Không kết nối được với máy chủ của xã ({0}). Dữ liệu vẫn được giữ an toàn trên máy và sẽ được gửi lần sau.")]
    Network(NetworkProblem),

    /// The server failed (5xx), or asked to wait (408, 429). Retried with backoff.
    #[error("Máy chủ của xã đang gặp sự cố (mã {status}). Dữ liệu vẫn được giữ an toàn trên máy và sẽ được gửi lần sau.")]
    Server { status: u16 },

    /// The server's answer was complete but not what the protocol says (an HTML page
    /// from a captive portal, garbage JSON, a missing header).
    #[error("Máy chủ trả lời không đúng định dạng ({detail}). Hãy kiểm tra địa chỉ máy chủ hoặc mạng Wi-Fi đang dùng; dữ liệu vẫn được giữ trên máy.")]
    Garbage { detail: String },

    /// 401 "revoked": the office withdrew this device.
    #[error("Thiết bị này đã bị văn phòng Đảng ủy xã thu hồi quyền đồng bộ. Dữ liệu vẫn còn trên máy; hãy liên hệ văn phòng để được cấp mã đăng ký mới.")]
    Revoked,

    /// 401 otherwise: the credential is wrong or unknown.
    #[error("Máy chủ không nhận ra thiết bị này (thông tin xác thực không đúng). Hãy đăng ký lại bằng mã mới do văn phòng Đảng ủy xã cấp.")]
    Unauthorized,

    /// 413: even one change is larger than the server accepts.
    #[error("Dữ liệu gửi lên lớn hơn giới hạn máy chủ cho phép. Dữ liệu vẫn được giữ trên máy; hãy báo văn phòng Đảng ủy xã.")]
    TooLarge,

    /// 409 "sequence_gap": the server expects an earlier (or later) outbox entry.
    /// Handled by the engine; reported only when it cannot be resolved.
    #[error("Số thứ tự thay đổi trên máy không khớp với máy chủ (máy chủ chờ số {expected}). Dữ liệu vẫn được giữ trên máy; hãy báo văn phòng Đảng ủy xã.")]
    SequenceGap { expected: u64 },

    /// 409 "seq_conflict": the server holds a different change under a number this
    /// device sent (it lost what it had written, a power cut on a phone without a
    /// durable disk). Handled by the engine, which numbers its pending changes again
    /// from `expected`; reported only when that does not help.
    #[error("Số thứ tự thay đổi trên máy trùng với thay đổi khác trên máy chủ (máy chủ chờ số {expected}). Dữ liệu vẫn được giữ trên máy và sẽ được gửi lại.")]
    SeqConflict { expected: u64 },

    /// Any other refusal, with the server's own message (in Vietnamese) when it sent
    /// one: an enrolment code already used or expired, a forbidden scope...
    #[error("{message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },

    /// The engine could not start (no thread for its runtime, no TLS set-up).
    #[error("Không khởi động được bộ đồng bộ trên máy: {0}")]
    Setup(String),

    #[error(transparent)]
    Store(#[from] StoreError),

    #[error(transparent)]
    Keystore(#[from] KeystoreError),

    /// The outcome of a run another caller started, which this caller joined.
    #[error(transparent)]
    Joined(std::sync::Arc<SyncError>),
}

/// Why an exchange did not complete, in words for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkProblem {
    Connect,
    Timeout,
    /// The connection dropped while the answer was arriving.
    CutShort,
    Other,
}

impl std::fmt::Display for NetworkProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NetworkProblem::Connect => "không có kết nối tới máy chủ",
            NetworkProblem::Timeout => "quá thời gian chờ",
            NetworkProblem::CutShort => "kết nối bị ngắt giữa chừng",
            NetworkProblem::Other => "lỗi mạng",
        })
    }
}

/// What the app can do about an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncErrorKind {
    /// Try again later (no network, server down or confused); nothing is lost.
    Network,
    /// The device is not (or no longer) enrolled: enrol again with a new code.
    Unauthorized,
    /// The input (server address, enrolment code) is wrong, or the server refused it.
    Validation,
    /// The device's own storage or keystore failed.
    Storage,
}

impl SyncError {
    pub fn kind(&self) -> SyncErrorKind {
        match self {
            SyncError::Joined(shared) => shared.kind(),
            SyncError::Network(_)
            | SyncError::Server { .. }
            | SyncError::Garbage { .. }
            | SyncError::TooLarge
            | SyncError::SequenceGap { .. }
            | SyncError::SeqConflict { .. } => SyncErrorKind::Network,
            SyncError::NotEnrolled | SyncError::Revoked | SyncError::Unauthorized => {
                SyncErrorKind::Unauthorized
            }
            SyncError::BadServerUrl(_)
            | SyncError::InsecureServerUrl(_)
            | SyncError::NoServerUrl
            | SyncError::BadQr(_)
            | SyncError::EmptyCode
            | SyncError::Refused { .. } => SyncErrorKind::Validation,
            SyncError::Setup(_) | SyncError::Store(_) | SyncError::Keystore(_) => {
                SyncErrorKind::Storage
            }
        }
    }

    /// Worth another try after a pause: the network or the server's health, not a rule.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Joined(shared) => shared.is_transient(),
            other => matches!(other, SyncError::Network(_) | SyncError::Server { .. }),
        }
    }
}

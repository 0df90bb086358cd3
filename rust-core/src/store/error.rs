//! The store's rich internal error. The uniffi façade folds it into a few public kinds
//! (see [`StoreErrorKind`]); the Display text is Vietnamese wherever a user may read it.

use std::path::PathBuf;

use chibo_domain::ledger::{kind_label, Refusal};
use chibo_domain::ValidationError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// A change breaks a rule of the record (including a frozen, signed meeting:
    /// [`ValidationError::MeetingFrozen`]).
    #[error("{0}")]
    Validation(#[from] ValidationError),

    #[error("Không tìm thấy {} có mã {id}", kind_label(kind))]
    NotFound { kind: &'static str, id: String },

    /// Creating an entity whose id is already taken.
    #[error("Đã có {} với mã {id}", kind_label(kind))]
    AlreadyExists { kind: &'static str, id: String },

    /// A signed meeting already has a correction; correct the newest revision instead.
    #[error("Biên bản này đã có bản đính chính ({revision_id}); hãy sửa bản đính chính mới nhất")]
    AlreadyCorrected {
        meeting_id: String,
        revision_id: String,
    },

    /// The store file cannot be opened for writing (missing folder, read-only file...).
    #[error("Không thể ghi sổ dữ liệu tại {}: {source}", path.display())]
    NotWritable {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    /// The store is encrypted and its wrapped key (`<store>.key`) is gone.
    #[error("Sổ dữ liệu {} đã được mã hóa nhưng không tìm thấy khóa của nó ({}); không thể mở. Dữ liệu đã gửi về xã vẫn còn trên máy chủ.", path.display(), key_path.display())]
    KeyMissing { path: PathBuf, key_path: PathBuf },

    /// The key does not open the store (another device's store, or a key remade).
    #[error("Không mở được sổ dữ liệu {}: khóa mã hóa không đúng (sổ của máy khác, hoặc khóa trên máy đã bị thay). Dữ liệu đã gửi về xã vẫn còn trên máy chủ.", path.display())]
    WrongKey { path: PathBuf },

    /// The platform keystore could not wrap or unwrap the store's key.
    #[error("Kho khóa của máy không mở được khóa của sổ dữ liệu: {0}")]
    Keystore(String),

    /// A file beside the store (its key, the copy made while encrypting) failed.
    #[error("Không đọc/ghi được tệp {}: {detail}", path.display())]
    Io { path: PathBuf, detail: String },

    /// The file was written by a newer app version than this one understands.
    #[error("Sổ dữ liệu được tạo bởi phiên bản ứng dụng mới hơn (lược đồ {found}, hỗ trợ tối đa {supported}); hãy cập nhật ứng dụng")]
    SchemaTooNew { found: u32, supported: u32 },

    /// Stored data that cannot be read back as the model (an unknown enum text, bad JSON).
    #[error("Dữ liệu trong sổ bị hỏng: {0}")]
    Corrupt(String),

    #[error("Lỗi cơ sở dữ liệu: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// The four kinds the public API reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreErrorKind {
    /// The change breaks a rule; the user can fix the input.
    Validation,
    /// An id that the store does not hold.
    NotFound,
    /// The change collides with the record's state: a signed (frozen) meeting, an id
    /// already taken, a meeting already corrected.
    Conflict,
    /// The file or the database itself failed.
    Storage,
}

impl StoreError {
    pub fn kind(&self) -> StoreErrorKind {
        match self {
            StoreError::Validation(ValidationError::MeetingFrozen { .. }) => {
                StoreErrorKind::Conflict
            }
            StoreError::Validation(_) => StoreErrorKind::Validation,
            StoreError::NotFound { .. } => StoreErrorKind::NotFound,
            StoreError::AlreadyExists { .. } | StoreError::AlreadyCorrected { .. } => {
                StoreErrorKind::Conflict
            }
            StoreError::NotWritable { .. }
            | StoreError::KeyMissing { .. }
            | StoreError::WrongKey { .. }
            | StoreError::Keystore(_)
            | StoreError::Io { .. }
            | StoreError::SchemaTooNew { .. }
            | StoreError::Corrupt(_)
            | StoreError::Sqlite(_) => StoreErrorKind::Storage,
        }
    }

    /// Whether the change was refused because its meeting is signed and frozen.
    pub fn is_meeting_frozen(&self) -> bool {
        matches!(
            self,
            StoreError::Validation(ValidationError::MeetingFrozen { .. })
        )
    }

    pub(crate) fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        StoreError::NotFound {
            kind,
            id: id.into(),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// The ledger's refusal as the store reports it. Locally, a change already applied is
/// an id already taken: the user made the same thing twice.
impl From<Refusal> for StoreError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Rule(e) => StoreError::Validation(e),
            Refusal::NotFound { kind, id } => StoreError::NotFound { kind, id },
            Refusal::AlreadyExists { kind, id } | Refusal::AlreadyApplied { kind, id } => {
                StoreError::AlreadyExists { kind, id }
            }
            Refusal::AlreadyCorrected {
                meeting_id,
                revision_id,
            } => StoreError::AlreadyCorrected {
                meeting_id,
                revision_id,
            },
            Refusal::Lookup(e) => StoreError::Corrupt(e.0),
        }
    }
}

//! The few errors a caller can act on; Display texts are shown to the secretary as they are.

use std::io;
use std::path::{Path, PathBuf};

use crate::ProcessedPhoto;

/// Why a photo could not be processed or stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PhotoError {
    /// The input file does not exist (any more).
    #[error("Không tìm thấy tệp ảnh: {path}")]
    NotFound { path: PathBuf },

    /// A format we do not decode. `format` names it ("HEIC", "AVIF", "GIF", …) or is
    /// [`UNKNOWN_FORMAT`] when the bytes match no image format we know.
    #[error("{}", unsupported_message(format))]
    UnsupportedFormat { format: String },

    /// The file claims to be a supported format but cannot be decoded: damaged, truncated,
    /// or with a header that makes no sense. `detail` is the decoder's own words (for logs).
    #[error(
        "Tệp ảnh bị hỏng hoặc không trọn vẹn, không đọc được. Hãy chụp lại. (Chi tiết: {detail})"
    )]
    Corrupt { detail: String },

    /// Refused before any pixel buffer was allocated.
    #[error(
        "Ảnh quá lớn ({width}×{height} điểm ảnh; tối đa {max_pixels} điểm ảnh). Hãy chụp lại ở độ phân giải thấp hơn."
    )]
    TooLarge {
        width: u32,
        height: u32,
        max_pixels: u64,
    },

    /// The phone's storage (or quota) is full; nothing partial was left under a hash name.
    #[error("Bộ nhớ máy đã đầy, không lưu được ảnh. Hãy xoá bớt tệp hoặc ứng dụng không dùng rồi thử lại.")]
    StorageFull,

    /// Any other file-system failure.
    #[error("Lỗi khi {action} tệp {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// A setting is out of range (a programming error in the caller).
    #[error("Cài đặt xử lý ảnh không hợp lệ: {detail}")]
    InvalidSettings { detail: String },

    /// The photo was processed and safely stored (see `photo`), but the original could not
    /// be deleted. Nothing is lost; processing again is idempotent.
    #[error("Ảnh đã được lưu nhưng chưa xoá được ảnh gốc {path}: {source}")]
    OriginalNotRemoved {
        photo: Box<ProcessedPhoto>,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// `UnsupportedFormat::format` when the file matches no known image signature.
pub const UNKNOWN_FORMAT: &str = "unknown";

fn unsupported_message(format: &str) -> String {
    if format == UNKNOWN_FORMAT {
        let formats = if cfg!(feature = "webp") {
            "JPEG, PNG hay WebP"
        } else {
            "JPEG hay PNG"
        };
        format!(
            "Tệp này không phải là ảnh {formats} nên chưa dùng được. Hãy chụp lại ở định dạng JPEG."
        )
    } else {
        format!("Ảnh {format} chưa được hỗ trợ, hãy chụp lại ở định dạng JPEG.")
    }
}

impl PhotoError {
    /// Maps an I/O failure, turning a full disk or quota into [`PhotoError::StorageFull`] and
    /// a missing file into [`PhotoError::NotFound`].
    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        // ENOSPC is 28 and EDQUOT 122 on Linux and Android; the kinds cover other systems.
        let full = matches!(
            source.kind(),
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
        ) || matches!(source.raw_os_error(), Some(28) | Some(122));
        if full {
            PhotoError::StorageFull
        } else if source.kind() == io::ErrorKind::NotFound {
            PhotoError::NotFound {
                path: path.to_owned(),
            }
        } else {
            PhotoError::Io {
                action,
                path: path.to_owned(),
                source,
            }
        }
    }

    pub(crate) fn corrupt(detail: impl Into<String>) -> Self {
        PhotoError::Corrupt {
            detail: detail.into(),
        }
    }
}

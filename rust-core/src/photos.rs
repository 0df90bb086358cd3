//! Where a device keeps its processed photos, and the record the apps see of one.
//! The processing itself is the `chibo_photo` crate.

use std::path::{Path, PathBuf};

use chibo_photo::{PhotoError, PhotoSettings, ProcessedPhoto};

use crate::visits::PhotoRef;

/// A processed photo, stored by the SHA-256 of its bytes.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct PhotoInfo {
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    pub byte_size: u64,
    pub path: String,
    pub thumbnail_path: String,
    pub thumbnail_width: u32,
    pub thumbnail_height: u32,
}

impl From<ProcessedPhoto> for PhotoInfo {
    fn from(photo: ProcessedPhoto) -> Self {
        PhotoInfo {
            sha256: photo.sha256,
            width: photo.width,
            height: photo.height,
            byte_size: photo.byte_size,
            path: photo.path.display().to_string(),
            thumbnail_path: photo.thumbnail_path.display().to_string(),
            thumbnail_width: photo.thumbnail_width,
            thumbnail_height: photo.thumbnail_height,
        }
    }
}

/// Photos live in a folder beside the store file: `<store>.photos/`.
pub fn photo_dir_for(store_path: &Path) -> PathBuf {
    let mut name = store_path.file_name().unwrap_or_default().to_os_string();
    name.push(".photos");
    store_path.with_file_name(name)
}

/// Processes the camera file at `input` into `dir` with the default settings. The
/// original is deleted only when asked, and only after the result is safely stored.
pub fn process_into(
    input: &Path,
    dir: &Path,
    remove_original: bool,
) -> Result<PhotoInfo, PhotoError> {
    let settings = PhotoSettings::default();
    let photo = if remove_original {
        chibo_photo::process_and_remove_original(input, dir, &settings)?
    } else {
        chibo_photo::process_photo(input, dir, &settings)?
    };
    Ok(photo.into())
}

impl From<PhotoInfo> for PhotoRef {
    fn from(photo: PhotoInfo) -> Self {
        PhotoRef {
            sha256: photo.sha256,
            width: photo.width,
            height: photo.height,
            byte_size: photo.byte_size,
        }
    }
}

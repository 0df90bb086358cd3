//! The uniffi façade the apps call. It converts arguments and maps errors, nothing else:
//! every decision is made in `flow`, `store` or the domain rules.

mod documents;
mod error;
mod office;
mod store;

pub use error::ChiboError;
pub use store::{ChiboStore, StatusListener};

/// Every value's words and the number and date formats (`meeting_status_label`,
/// `format_percent`, `judged_items`…). uniffi exports them from the domain crate, so
/// Kotlin and Swift call them as `uniffi.chibo_domain.*`; this façade adds nothing.
pub use chibo_domain::labels;

use crate::photos::{self, PhotoInfo};

use std::path::Path;

use chibo_domain::rules::{self};
use chibo_domain::{AgendaItem, MeetingKind};

/// A fresh UUIDv7 for an entity made on this device.
#[uniffi::export]
pub fn new_id() -> String {
    chibo_domain::new_id()
}

/// The Guideline 42 procedure for a meeting of this kind, to prefill the agenda.
#[uniffi::export]
pub fn standard_agenda(kind: MeetingKind) -> Vec<AgendaItem> {
    rules::standard_agenda(kind)
}

/// Processes a camera file into `out_dir` (oriented, shrunk, stripped, stored by hash).
#[uniffi::export]
pub fn process_photo_file(input_path: String, out_dir: String) -> Result<PhotoInfo, ChiboError> {
    Ok(photos::process_into(
        Path::new(&input_path),
        Path::new(&out_dir),
        false,
    )?)
}

/// The reference a record keeps of a processed photo.
#[uniffi::export]
pub fn photo_ref(photo: PhotoInfo) -> crate::visits::PhotoRef {
    photo.into()
}

use chibo_domain::ValidationError;
use chibo_photo::PhotoError;

use crate::store::{StoreError, StoreErrorKind};
use crate::sync::{SyncError, SyncErrorKind};
use crate::visits::VisitError;

/// The few errors an app can act on. Each carries a Vietnamese message for the user;
/// the rich cause stays in the core.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum ChiboError {
    /// The input breaks a rule of the record (fix the input).
    #[error("{0}")]
    Validation(String),
    /// An id that does not exist on this device.
    #[error("{0}")]
    NotFound(String),
    /// The record's state forbids it: the meeting is signed (make a correction), or it
    /// was already corrected.
    #[error("{0}")]
    Frozen(String),
    /// The device's storage failed (full disk, unwritable path, damaged file).
    #[error("{0}")]
    Storage(String),
    /// The commune server could not be reached or answered wrongly; nothing is lost,
    /// try again later.
    #[error("{0}")]
    Network(String),
    /// The device is not enrolled, or no longer (revoked, wrong credential): enrol
    /// again with a new code from the commune office.
    #[error("{0}")]
    Unauthorized(String),
}

impl From<StoreError> for ChiboError {
    fn from(error: StoreError) -> Self {
        ChiboError::of_kind(error.kind(), error.to_string())
    }
}

impl From<VisitError> for ChiboError {
    fn from(error: VisitError) -> Self {
        ChiboError::of_kind(error.kind(), error.to_string())
    }
}

impl From<SyncError> for ChiboError {
    fn from(error: SyncError) -> Self {
        let message = error.to_string();
        match (error.kind(), error) {
            (_, SyncError::Store(store)) => store.into(),
            (SyncErrorKind::Network, _) => ChiboError::Network(message),
            (SyncErrorKind::Unauthorized, _) => ChiboError::Unauthorized(message),
            (SyncErrorKind::Validation, _) => ChiboError::Validation(message),
            (SyncErrorKind::Storage, _) => ChiboError::Storage(message),
        }
    }
}

impl ChiboError {
    fn of_kind(kind: StoreErrorKind, message: String) -> Self {
        match kind {
            StoreErrorKind::Validation => ChiboError::Validation(message),
            StoreErrorKind::NotFound => ChiboError::NotFound(message),
            StoreErrorKind::Conflict => ChiboError::Frozen(message),
            StoreErrorKind::Storage => ChiboError::Storage(message),
        }
    }
}

impl From<ValidationError> for ChiboError {
    fn from(error: ValidationError) -> Self {
        StoreError::Validation(error).into()
    }
}

impl From<PhotoError> for ChiboError {
    fn from(error: PhotoError) -> Self {
        let message = error.to_string();
        match error {
            PhotoError::NotFound { .. } => ChiboError::NotFound(message),
            PhotoError::StorageFull
            | PhotoError::Io { .. }
            | PhotoError::OriginalNotRemoved { .. } => ChiboError::Storage(message),
            // A corrupt, unsupported or oversized photo: take it again.
            _ => ChiboError::Validation(message),
        }
    }
}

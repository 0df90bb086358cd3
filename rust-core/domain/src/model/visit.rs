use serde::{Deserialize, Serialize};

use super::{Id, JudgedScores};
use crate::time::EpochMillis;

/// A processed photo (stored by the SHA-256 of its final bytes) attached to a meeting or
/// to a cadre's check-in. The bytes follow the record in their own upload queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PhotoAttachment {
    /// Lowercase hex SHA-256 of the processed photo.
    pub sha256: String,
    pub meeting_id: Option<Id>,
    pub check_in_id: Option<Id>,
    pub width: u32,
    pub height: u32,
    pub byte_size: u64,
    pub attached_at: EpochMillis,
}

/// The visiting cadre's own view of a meeting: their scoring of the judged parts (kept
/// apart from the secretary's [`super::Meeting::secretary_judgement`]), the direction they
/// gave and the lessons exchanged with the secretary afterwards (rút kinh nghiệm).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Observation {
    pub id: Id,
    pub meeting_id: Id,
    pub cadre_id: Id,
    pub judged: JudgedScores,
    pub guidance_given: String,
    pub lessons_exchanged: String,
    pub recorded_at: EpochMillis,
}

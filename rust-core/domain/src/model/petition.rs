use serde::{Deserialize, Serialize};

use super::Id;
use crate::time::EpochMillis;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum PetitionCategory {
    /// Roads, water pipes, electricity.
    Infrastructure,
    /// Land, disputes, corridors.
    Land,
    /// Security and order, patrols.
    SecurityOrder,
    /// Sanitation, environment.
    Environment,
    /// Production, vocational training, poverty reduction.
    Livelihood,
    /// Policies for people with merit, social welfare.
    SocialPolicy,
    Other,
}

/// raised → forwarded → answered → resolved, or declined with a reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum PetitionStatus {
    Raised,
    Forwarded,
    Answered,
    Resolved,
    Declined,
}

impl PetitionCategory {
    pub const ALL: [PetitionCategory; 7] = [
        PetitionCategory::Infrastructure,
        PetitionCategory::Land,
        PetitionCategory::SecurityOrder,
        PetitionCategory::Environment,
        PetitionCategory::Livelihood,
        PetitionCategory::SocialPolicy,
        PetitionCategory::Other,
    ];
}

impl PetitionStatus {
    pub const ALL: [PetitionStatus; 5] = [
        PetitionStatus::Raised,
        PetitionStatus::Forwarded,
        PetitionStatus::Answered,
        PetitionStatus::Resolved,
        PetitionStatus::Declined,
    ];
}

/// Kiến nghị: a member's or residents' concern raised at a meeting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Petition {
    pub id: Id,
    pub cell_id: Id,
    pub meeting_id: Option<Id>,
    pub content: String,
    pub category: PetitionCategory,
    /// Who raised it: a member's name or "Nhân dân thôn ..." for relayed concerns.
    pub raised_by: String,
    pub status: PetitionStatus,
    pub raised_at: EpochMillis,
}

/// The commune's (or the cell's) answer to a petition, or a move along its way: forwarded
/// to a department, answered, resolved, or declined with a reason. Insert-only: the
/// petition's status is that of its latest response, so answers never conflict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PetitionResponse {
    pub id: Id,
    pub petition_id: Id,
    /// The status the petition moves to.
    pub status: PetitionStatus,
    /// The answer, where it was forwarded, or why it was declined.
    pub text: String,
    /// Who responded, e.g. "Văn phòng Đảng ủy xã".
    pub responder: String,
    pub responded_at: EpochMillis,
}

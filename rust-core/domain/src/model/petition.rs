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

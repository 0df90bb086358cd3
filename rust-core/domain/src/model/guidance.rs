use serde::{Deserialize, Serialize};

use super::Id;
use crate::time::EpochMillis;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum GuidanceKind {
    /// Hướng dẫn sinh hoạt tháng: what the month's meetings should take up.
    MonthlyGuidance,
    /// Chuyên đề quý: the quarter's thematic topic.
    ThematicTopic,
    /// Thông báo: a notice.
    Notice,
}

/// A file attached to guidance, stored by hash like photos.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GuidanceAttachment {
    pub sha256: String,
    pub file_name: String,
    pub byte_size: u64,
}

/// Guidance or a notice the commune sends down to its cells.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Guidance {
    pub id: Id,
    pub commune_id: Id,
    pub kind: GuidanceKind,
    pub title: String,
    pub body: String,
    /// The month ("2026-11") or quarter ("2026-Q4") it is for.
    pub period: String,
    /// The cells it is for; empty means every cell of the commune.
    pub cell_ids: Vec<Id>,
    pub attachments: Vec<GuidanceAttachment>,
    pub published_at: EpochMillis,
}

impl Guidance {
    pub fn is_for_cell(&self, cell_id: &str) -> bool {
        self.cell_ids.is_empty() || self.cell_ids.iter().any(|c| c == cell_id)
    }
}

//! The rules of the Party's guidance that judge a meeting record. Each rule lives in one
//! module here and nowhere else; the phone and the server both call these.
//!
//! A rule that falls short yields a [`Warning`] in Vietnamese saying by how much; the
//! record still saves. Only what cannot be stored is a [`crate::ValidationError`].

mod agenda;
mod assessment;
mod attendance;
mod document;
mod duration;
mod good_meeting;
mod guidance;
mod minutes;
mod petition;
mod quality;
mod removal;
mod resolution;
mod schedule;
mod speaking;
mod tasks;
mod validation;
mod viability;
mod vote;

#[cfg(test)]
pub(crate) mod test_support;

pub use agenda::*;
pub use assessment::*;
pub use attendance::*;
pub use document::*;
pub use duration::*;
pub use good_meeting::*;
pub use guidance::*;
pub use minutes::*;
pub use petition::*;
pub use quality::*;
pub use removal::*;
pub use resolution::*;
pub use schedule::*;
pub use speaking::*;
pub use tasks::*;
pub use validation::*;
pub use viability::*;
pub use vote::*;

use serde::{Deserialize, Serialize};

use crate::model::{Cell, Id, MeetingKind, MeetingRecord, Member, RollCallEntry, Task};
use crate::time::EpochMillis;

/// Settings a commune may change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RuleSettings {
    /// A cell with at most this many members is "small" ...
    pub small_cell_max_members: u32,
    /// ... and may meet for this many minutes instead of 90, if the commune allows it.
    pub small_cell_min_minutes: Option<u32>,
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings {
            small_cell_max_members: 9,
            small_cell_min_minutes: None,
        }
    }
}

/// The roll call of an earlier meeting, for rules that look across the year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PastRollCall {
    pub meeting_id: Id,
    pub kind: MeetingKind,
    pub started_at: EpochMillis,
    pub entries: Vec<RollCallEntry>,
}

/// Everything a rule may look at to judge one meeting.
#[derive(Clone, Copy, Debug)]
pub struct MeetingContext<'a> {
    pub cell: &'a Cell,
    /// The cell's whole roster, in every status.
    pub roster: &'a [Member],
    pub record: &'a MeetingRecord,
    /// Tasks assigned at the cell's previous regular meeting, reviewed at this one.
    pub previous_tasks: &'a [Task],
    /// Roll calls of the cell's earlier meetings in the same calendar year, oldest first.
    pub earlier_this_year: &'a [PastRollCall],
    pub settings: &'a RuleSettings,
}

/// What kind of shortfall a warning reports, so screens can group or badge them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    ShortDuration,
    LowAttendance,
    UnexcusedAbsence,
    ConsecutiveAbsences,
    RemovalLine,
    FewSpeakers,
    TasksNotReviewed,
    LowTaskResults,
    VoteFailed,
    VoteExceedsVoters,
    CellNotViable,
    CommitteeNotAllowed,
    NoticeMissing,
    LateDocuments,
    LateFinalDocuments,
    MinutesIncomplete,
    ScoreNotEntered,
    StatusMismatch,
}

/// A shortfall against the guidance, in Vietnamese, with the figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
}

impl Warning {
    pub fn new(code: WarningCode, message: impl Into<String>) -> Self {
        Warning {
            code,
            message: message.into(),
        }
    }
}

/// The full name of a roster member, for warnings and documents. An id missing from the
/// roster (which validation refuses) still prints something a reader can report.
pub(crate) fn member_name(roster: &[Member], member_id: &str) -> String {
    roster
        .iter()
        .find(|m| m.id == member_id)
        .map(|m| m.full_name.clone())
        .unwrap_or_else(|| format!("(không rõ, mã {member_id})"))
}

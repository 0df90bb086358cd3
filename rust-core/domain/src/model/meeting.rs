use serde::{Deserialize, Serialize};

use super::{Id, JudgedScores};
use crate::time::EpochMillis;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// Thường kỳ, once a month.
    Regular,
    /// Chuyên đề, at least once a quarter.
    Thematic,
    /// Bất thường.
    Extraordinary,
    /// Sinh hoạt mẫu, observed by other cells' secretaries.
    Model,
    /// Regular and thematic parts held one after the other in one session.
    RegularWithThematic,
}

impl MeetingKind {
    /// Whether the session includes the regular monthly part.
    pub fn is_regular(self) -> bool {
        matches!(
            self,
            MeetingKind::Regular | MeetingKind::RegularWithThematic | MeetingKind::Model
        )
    }

    pub fn has_thematic_part(self) -> bool {
        matches!(
            self,
            MeetingKind::Thematic | MeetingKind::RegularWithThematic
        )
    }
}

/// planned → in progress → recorded → signed. Signed is frozen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Planned,
    InProgress,
    Recorded,
    Signed,
}

impl MeetingStatus {
    /// The meeting took place: its record was written (and perhaps signed). Only held
    /// meetings count for "met this month", attendance and quality.
    pub fn is_held(self) -> bool {
        matches!(self, MeetingStatus::Recorded | MeetingStatus::Signed)
    }
}

/// Someone attending who is not a member of the cell, e.g. the commune's delegate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Guest {
    pub name: String,
    /// e.g. "Đảng ủy viên, phụ trách chi bộ".
    pub title: String,
    /// A delegate of the upper-level committee (cấp ủy viên cấp trên).
    pub upper_level: bool,
}

/// What was done before the meeting, as far as the record can show it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Preparation {
    /// Time, place and content were sent to every member.
    pub notice_sent_to_members: bool,
    /// ... and to the assigned upper-level committee member.
    pub notice_sent_to_cadre: bool,
    /// When the documents reached the members (must be ≥ 1 day before the start).
    pub documents_sent_at: Option<EpochMillis>,
}

/// Who signed the minutes and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Signature {
    pub signed_at: EpochMillis,
    pub chair_name: String,
    pub minute_taker_name: String,
}

/// The resolution (nghị quyết) adopted at the end of the meeting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ResolutionText {
    /// "11-NQ/CB" (documents print it after "Số").
    pub number: String,
    pub text: String,
}

/// Buổi sinh hoạt: the header of a meeting. Its children live in [`super::MeetingRecord`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Meeting {
    pub id: Id,
    pub cell_id: Id,
    pub kind: MeetingKind,
    pub status: MeetingStatus,
    /// 1 for the original; a correction of a signed meeting is revision n+1.
    pub revision: u32,
    /// The signed meeting this revision corrects.
    pub revision_of: Option<Id>,
    pub planned_start: EpochMillis,
    pub planned_place: String,
    pub actual_start: Option<EpochMillis>,
    pub actual_end: Option<EpochMillis>,
    pub chair_id: Option<Id>,
    pub minute_taker_id: Option<Id>,
    pub guests: Vec<Guest>,
    /// The subject of the thematic part, when there is one.
    pub thematic_topic: Option<String>,
    pub preparation: Preparation,
    /// Tình hình thu nộp đảng phí.
    pub party_fee_note: Option<String>,
    /// The chair's overall conclusion.
    pub conclusion: Option<String>,
    pub resolution: Option<ResolutionText>,
    /// The minute-taker read the minutes back and the meeting approved them.
    pub minutes_approved: bool,
    /// The secretary's scoring of the judged parts of the quality score.
    pub secretary_judgement: Option<JudgedScores>,
    /// When the final resolution reached the commune (due within 2 days).
    pub final_documents_sent_at: Option<EpochMillis>,
    pub signature: Option<Signature>,
}

impl Meeting {
    /// When the meeting started, or is planned to: what places it in a month and a year.
    pub fn started_at(&self) -> EpochMillis {
        self.actual_start.unwrap_or(self.planned_start)
    }

    /// A new planned meeting with nothing recorded yet.
    pub fn planned(
        id: Id,
        cell_id: Id,
        kind: MeetingKind,
        planned_start: EpochMillis,
        planned_place: String,
    ) -> Self {
        Meeting {
            id,
            cell_id,
            kind,
            status: MeetingStatus::Planned,
            revision: 1,
            revision_of: None,
            planned_start,
            planned_place,
            actual_start: None,
            actual_end: None,
            chair_id: None,
            minute_taker_id: None,
            guests: Vec::new(),
            thematic_topic: None,
            preparation: Preparation::default(),
            party_fee_note: None,
            conclusion: None,
            resolution: None,
            minutes_approved: false,
            secretary_judgement: None,
            final_documents_sent_at: None,
            signature: None,
        }
    }

    pub fn is_frozen(&self) -> bool {
        self.status == MeetingStatus::Signed
    }

    /// Length in whole minutes, when both ends are recorded.
    pub fn duration_minutes(&self) -> Option<i64> {
        match (self.actual_start, self.actual_end) {
            (Some(start), Some(end)) => Some((end - start) / 60_000),
            _ => None,
        }
    }
}

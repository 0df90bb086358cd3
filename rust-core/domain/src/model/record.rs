use serde::{Deserialize, Serialize};

use super::{Id, Meeting, Petition};
use crate::time::CalendarDate;

/// One member's mark in the roll call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    Present,
    /// Đến muộn: counts as present.
    Late,
    AbsentExcused,
    AbsentUnexcused,
    /// Miễn sinh hoạt and absent. An exempt member who attends is marked Present.
    Exempt,
    /// Sinh hoạt tạm thời nơi khác.
    AttachedElsewhere,
}

impl Attendance {
    /// Every mark, in the order the minutes and the meeting page list them.
    pub const ALL: [Attendance; 6] = [
        Attendance::Present,
        Attendance::Late,
        Attendance::AbsentExcused,
        Attendance::AbsentUnexcused,
        Attendance::Exempt,
        Attendance::AttachedElsewhere,
    ];

    pub fn is_present(self) -> bool {
        matches!(self, Attendance::Present | Attendance::Late)
    }

    pub fn is_absent(self) -> bool {
        matches!(
            self,
            Attendance::AbsentExcused | Attendance::AbsentUnexcused
        )
    }

    /// Whether the member counts in the attendance base.
    pub fn is_expected(self) -> bool {
        !matches!(self, Attendance::Exempt | Attendance::AttachedElsewhere)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RollCallEntry {
    pub member_id: Id,
    pub attendance: Attendance,
    /// The excuse, for an excused absence (e.g. "Ốm", "Đi làm ăn xa").
    pub reason: Option<String>,
}

/// The three parts of the procedure of Guideline 42.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum AgendaSection {
    Opening,
    Body,
    Closing,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AgendaItem {
    pub section: AgendaSection,
    pub title: String,
    /// The chair's conclusion on this item.
    pub conclusion: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Speaker {
    Member { member_id: Id },
    Guest { name: String },
}

/// Ý kiến phát biểu: who spoke and the gist of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Speech {
    pub id: Id,
    pub speaker: Speaker,
    pub gist: String,
}

/// Nhiệm vụ: assigned at a meeting, reviewed at the next.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Task {
    pub id: Id,
    pub description: String,
    pub assignee_id: Id,
    pub deadline: CalendarDate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum TaskOutcome {
    Done,
    PartlyDone,
    NotDone,
}

/// The evaluation of one of last month's tasks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TaskReview {
    pub task_id: Id,
    pub outcome: TaskOutcome,
    pub note: Option<String>,
}

/// What a vote decides; admissions need two thirds of the full members.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum VoteKind {
    /// A resolution or conclusion: more than half of the vote base.
    Ordinary,
    /// Kết nạp đảng viên: at least 2/3.
    Admission,
    /// Công nhận đảng viên chính thức: at least 2/3.
    ConfirmFullMembership,
}

/// Kết quả biểu quyết on a named question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct VoteTally {
    pub id: Id,
    pub question: String,
    pub kind: VoteKind,
    pub in_favor: u32,
    pub against: u32,
    pub abstain: u32,
}

/// The whole record of one meeting: the header and everything said and decided in it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MeetingRecord {
    pub meeting: Meeting,
    pub roll_call: Vec<RollCallEntry>,
    pub agenda: Vec<AgendaItem>,
    pub speeches: Vec<Speech>,
    pub task_reviews: Vec<TaskReview>,
    pub tasks: Vec<Task>,
    pub votes: Vec<VoteTally>,
    pub petitions: Vec<Petition>,
}

/// The standing review of a task: reviews are insert-only, so the latest one for it.
pub fn latest_review<'a>(reviews: &'a [TaskReview], task_id: &str) -> Option<&'a TaskReview> {
    reviews.iter().rev().find(|r| r.task_id == task_id)
}

impl MeetingRecord {
    /// The standing review of one of last month's tasks at this meeting.
    pub fn review_of(&self, task_id: &str) -> Option<&TaskReview> {
        latest_review(&self.task_reviews, task_id)
    }

    pub fn new(meeting: Meeting) -> Self {
        MeetingRecord {
            meeting,
            roll_call: Vec::new(),
            agenda: Vec::new(),
            speeches: Vec::new(),
            task_reviews: Vec::new(),
            tasks: Vec::new(),
            votes: Vec::new(),
            petitions: Vec::new(),
        }
    }

    /// Puts the children in the one order every phone and the server show and print:
    /// by id. Ids are UUIDv7, so one device's children keep the order they were written
    /// in, and children from two devices interleave by the time they were made; sorting
    /// by the id alone never depends on which device applied what first.
    pub fn sort_children(&mut self) {
        self.speeches.sort_by(|a, b| a.id.cmp(&b.id));
        self.tasks.sort_by(|a, b| a.id.cmp(&b.id));
        self.votes.sort_by(|a, b| a.id.cmp(&b.id));
        self.petitions.sort_by(|a, b| a.id.cmp(&b.id));
        self.task_reviews.sort_by(|a, b| a.task_id.cmp(&b.task_id));
    }

    /// The record with its children in the one order ([`MeetingRecord::sort_children`]).
    pub fn in_canonical_order(mut self) -> Self {
        self.sort_children();
        self
    }

    pub fn attendance_of(&self, member_id: &str) -> Option<Attendance> {
        self.roll_call
            .iter()
            .find(|e| e.member_id == member_id)
            .map(|e| e.attendance)
    }
}

//! The one decision behind every write: given what a store holds (through a
//! [`LedgerView`]) and a [`Change`], [`decide`] either refuses it with a [`Refusal`] or
//! says what the change produces ([`Effect`]). The phone's SQLite store and the commune
//! server both call it and then write the effect their own way, so a change is judged
//! by the same code wherever it lands. Nothing here does I/O or writes.
//!
//! # Changes already applied
//! A change is pulled back by the device that made it (the server's log of a scope holds
//! the device's own changes too), and may reach the server twice. Editable fields are
//! ordered by their HLC before `decide` is called ([`Change::lww_key`]); for the
//! insert-only and one-time changes `decide` itself recognises an identical change it
//! already holds and answers [`Refusal::AlreadyApplied`]: nothing to write, nothing lost.
//! A different change under an id already taken stays [`Refusal::AlreadyExists`]. Children
//! of an unsigned meeting are upserts by id (the secretary corrects a speech before
//! signing), so an identical one there is simply written again.

mod record;
mod visits;

pub use visits::delegate_after;

#[cfg(test)]
mod tests;

use thiserror::Error;

use crate::change::Change;
use crate::checkin::{CheckIn, Verdict};
use crate::compliance::{Assignment, Cadre, VisitRequirement, WorkingTeam};
use crate::error::ValidationError;
use crate::model::*;
use crate::rules;

/// A storage failure behind a view (the database could not be read).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct LookupError(pub String);

/// What `decide` may look up. Each store implements it over its own storage, inside the
/// transaction that will write the effect.
pub trait LedgerView {
    fn cell(&self, id: &str) -> Result<Option<Cell>, LookupError>;
    fn member(&self, id: &str) -> Result<Option<Member>, LookupError>;
    /// The cell's whole roster, in every status.
    fn roster(&self, cell_id: &str) -> Result<Vec<Member>, LookupError>;
    /// The meeting with all its children, in the order they were written.
    fn record(&self, meeting_id: &str) -> Result<Option<MeetingRecord>, LookupError>;
    /// The tasks this meeting reviews: those of the cell's previous regular meeting.
    fn previous_tasks(&self, meeting: &Meeting) -> Result<Vec<Task>, LookupError>;
    /// The revision that corrects `meeting_id`, if one was started.
    fn correction_of(&self, meeting_id: &str) -> Result<Option<Id>, LookupError>;
    fn cadre(&self, id: &str) -> Result<Option<Cadre>, LookupError>;
    fn working_team(&self, id: &str) -> Result<Option<WorkingTeam>, LookupError>;
    /// The check-in with its current verdict.
    fn check_in(&self, id: &str) -> Result<Option<(CheckIn, Verdict)>, LookupError>;
    fn has_presence_secret(&self, meeting_id: &str) -> Result<bool, LookupError>;
    /// Whether this very attachment (hash, meeting and check-in) is recorded.
    fn has_photo(&self, photo: &PhotoAttachment) -> Result<bool, LookupError>;
    fn observation(&self, id: &str) -> Result<Option<Observation>, LookupError>;
    /// The petition with its current status (that of its latest response).
    fn petition(&self, id: &str) -> Result<Option<Petition>, LookupError>;
    fn petition_response(&self, id: &str) -> Result<Option<PetitionResponse>, LookupError>;
    fn guidance(&self, id: &str) -> Result<Option<Guidance>, LookupError>;
}

/// Why a change is not written.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum Refusal {
    /// It breaks a rule of the record (including a signed, frozen meeting).
    #[error("{0}")]
    Rule(#[from] ValidationError),
    #[error("Không tìm thấy {} có mã {id}", kind_label(kind))]
    NotFound { kind: &'static str, id: Id },
    /// A different entity already has this id.
    #[error("Đã có {} với mã {id}", kind_label(kind))]
    AlreadyExists { kind: &'static str, id: Id },
    /// This very change is already recorded: nothing to write (see the module docs).
    #[error(
        "{} có mã {id} đã được ghi nhận trước đó",
        capitalised(kind_label(kind))
    )]
    AlreadyApplied { kind: &'static str, id: Id },
    /// A signed meeting already has a correction; correct the newest revision instead.
    #[error("Biên bản này đã có bản đính chính ({revision_id}); hãy sửa bản đính chính mới nhất")]
    AlreadyCorrected { meeting_id: Id, revision_id: Id },
    /// The store behind the view failed; the change itself may be fine.
    #[error("Không đọc được sổ dữ liệu: {0}")]
    Lookup(#[from] LookupError),
}

impl Refusal {
    /// A stable machine code, as the server's acknowledgements carry it.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Rule(ValidationError::MeetingFrozen { .. }) => "frozen",
            Refusal::Rule(_) => "validation",
            Refusal::NotFound { .. } => "not_found",
            Refusal::AlreadyExists { .. } => "already_exists",
            Refusal::AlreadyApplied { .. } => "already_applied",
            Refusal::AlreadyCorrected { .. } => "already_corrected",
            Refusal::Lookup(_) => "storage",
        }
    }

    pub(crate) fn not_found(kind: &'static str, id: &str) -> Self {
        Refusal::NotFound {
            kind,
            id: id.to_string(),
        }
    }
}

/// The Vietnamese name of an entity kind (as in [`Change::entity`]), for messages.
pub fn kind_label(kind: &str) -> &str {
    match kind {
        "cell" => "chi bộ",
        "member" => "đảng viên",
        "meeting" => "buổi sinh hoạt",
        "speech" => "ý kiến phát biểu",
        "task" => "nhiệm vụ",
        "task_review" => "đánh giá nhiệm vụ",
        "vote" => "kết quả biểu quyết",
        "petition" => "kiến nghị",
        "petition_response" => "trả lời kiến nghị",
        "cadre" => "cấp ủy viên",
        "working_team" => "tổ công tác",
        "assignment" => "phân công",
        "presence_secret" => "mã bí mật xác nhận của buổi họp",
        "check_in" => "lượt điểm danh",
        "photo" => "ảnh",
        "observation" => "nhận xét",
        "guidance" => "định hướng, thông báo",
        "rule_settings" => "quy định chấm điểm của xã",
        other => other,
    }
}

/// [`kind_label`] as the start of a sentence: "Kiến nghị", "Buổi sinh hoạt".
pub fn kind_title(kind: &str) -> String {
    capitalised(kind_label(kind))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The new state a change produces: what the caller must write. Nothing is written by
/// [`decide`].
// One short-lived value per change, never stored in bulk: boxing the check-in buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Cell(Cell),
    Member(Member),
    /// The member moved to a cell the store does not hold (the old cell's phones learn
    /// it this way): they leave this cell's roster; past records keep them.
    MemberMovedAway {
        member_id: Id,
        from_cell_id: Id,
        to_cell_id: Id,
    },
    /// The whole record after the change, status already advanced; `part` says which
    /// piece of it changed.
    Record {
        record: MeetingRecord,
        part: RecordPart,
    },
    /// A petition not raised at a meeting.
    LoosePetition(Petition),
    Cadre(Cadre),
    WorkingTeam(WorkingTeam),
    Assignment(Assignment),
    VisitRequirement {
        commune_id: Id,
        requirement: VisitRequirement,
    },
    /// The secret normalised to lowercase hex.
    PresenceSecret {
        meeting_id: Id,
        secret_hex: String,
    },
    /// `delegate`: the meeting's header with the cadre added to (or removed from) its
    /// upper-level delegates, when `verdict` changes that ([`delegate_after`]).
    CheckIn {
        check_in: CheckIn,
        verdict: Verdict,
        delegate: Option<Meeting>,
    },
    /// The hash normalised to lowercase hex.
    Photo(PhotoAttachment),
    Observation(Observation),
    /// `petition`: with its new status. Every copy of the petition (a correction
    /// revision copies its meeting's petitions) takes that status.
    PetitionResponse {
        response: PetitionResponse,
        petition: Petition,
    },
    Guidance(Guidance),
    /// `delegate`: as for [`Effect::CheckIn`], under the new verdict.
    CheckInVerdict {
        check_in_id: Id,
        verdict: Verdict,
        delegate: Option<Meeting>,
    },
    /// Every meeting of the commune is judged again with them.
    RuleSettings {
        commune_id: Id,
        settings: rules::RuleSettings,
    },
}

/// Which piece of a meeting record a change wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordPart {
    /// A new meeting (header only).
    Planned,
    /// The header (times, people, preparation, conclusion, judged scores...).
    Header,
    /// The roll-call entry of this member.
    Attendance(Id),
    /// The whole agenda, replaced.
    Agenda,
    Speech(Id),
    /// The review of this task (a task id of the previous meeting).
    Review(Id),
    Task(Id),
    Vote(Id),
    Petition(Id),
    /// The header, now signed.
    Signed,
    /// A new revision (the record) copying every child of `original_id`.
    Correction {
        original_id: Id,
    },
}

/// Judges `change` against what `view` holds. See the module docs for changes that are
/// already applied.
pub fn decide(view: &dyn LedgerView, change: &Change) -> Result<Effect, Refusal> {
    match change {
        Change::UpsertCell { cell } => {
            rules::valid_id(&cell.id)?;
            if let Some(place) = &cell.meeting_place {
                rules::validate_meeting_place(place)?;
            }
            Ok(Effect::Cell(cell.clone()))
        }
        Change::UpsertMember { member } => {
            rules::valid_id(&member.id)?;
            if view.cell(&member.cell_id)?.is_none() {
                // Moved to a cell this store does not hold: it leaves the roster here.
                if let Some(held) = view.member(&member.id)? {
                    if held.cell_id != member.cell_id {
                        return Ok(Effect::MemberMovedAway {
                            member_id: member.id.clone(),
                            from_cell_id: held.cell_id,
                            to_cell_id: member.cell_id.clone(),
                        });
                    }
                }
                return Err(Refusal::not_found("cell", &member.cell_id));
            }
            Ok(Effect::Member(member.clone()))
        }
        Change::PlanMeeting { .. }
        | Change::UpdateMeeting { .. }
        | Change::SetAttendance { .. }
        | Change::SetAgenda { .. }
        | Change::AddSpeech { .. }
        | Change::ReviewTask { .. }
        | Change::AddTask { .. }
        | Change::RecordVote { .. }
        | Change::RaisePetition { .. }
        | Change::SetJudgedScores { .. }
        | Change::SignMeeting { .. }
        | Change::StartCorrection { .. }
        | Change::RespondToPetition { .. } => record::decide_record(view, change),
        Change::UpsertCadre { .. }
        | Change::UpsertWorkingTeam { .. }
        | Change::UpsertAssignment { .. }
        | Change::SetVisitRequirement { .. }
        | Change::SetPresenceSecret { .. }
        | Change::RecordCheckIn { .. }
        | Change::AttachPhoto { .. }
        | Change::RecordObservation { .. }
        | Change::SetCheckInVerdict { .. } => visits::decide_visit(view, change),
        Change::PublishGuidance { guidance } => {
            rules::validate_guidance(guidance)?;
            Ok(Effect::Guidance(guidance.clone()))
        }
        Change::SetRuleSettings {
            commune_id,
            settings,
        } => {
            rules::valid_id(commune_id)?;
            rules::validate_rule_settings(settings)?;
            Ok(Effect::RuleSettings {
                commune_id: commune_id.clone(),
                settings: settings.clone(),
            })
        }
    }
}

fn require_cell(view: &dyn LedgerView, id: &str) -> Result<Cell, Refusal> {
    view.cell(id)?.ok_or_else(|| Refusal::not_found("cell", id))
}

fn require_record(view: &dyn LedgerView, meeting_id: &str) -> Result<MeetingRecord, Refusal> {
    view.record(meeting_id)?
        .ok_or_else(|| Refusal::not_found("meeting", meeting_id))
}

//! A change to the record, as written to the device's outbox and later pushed to the
//! commune server. The phone's store and the server both apply these, so the record has
//! one write path. Children (speeches, votes, petitions, reviews) are insert-only.

use serde::{Deserialize, Serialize};

use crate::model::*;
use crate::time::EpochMillis;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    UpsertCell {
        cell: Cell,
    },
    UpsertMember {
        member: Member,
    },
    PlanMeeting {
        meeting: Meeting,
    },
    /// Editable header fields (times, chair, guests, preparation, conclusion...).
    UpdateMeeting {
        meeting: Meeting,
    },
    SetAttendance {
        meeting_id: Id,
        entry: RollCallEntry,
    },
    SetAgenda {
        meeting_id: Id,
        items: Vec<AgendaItem>,
    },
    AddSpeech {
        meeting_id: Id,
        speech: Speech,
    },
    ReviewTask {
        meeting_id: Id,
        review: TaskReview,
    },
    AddTask {
        meeting_id: Id,
        task: Task,
    },
    RecordVote {
        meeting_id: Id,
        vote: VoteTally,
    },
    RaisePetition {
        petition: Petition,
    },
    SetJudgedScores {
        meeting_id: Id,
        scores: JudgedScores,
    },
    SignMeeting {
        meeting_id: Id,
        signature: Signature,
    },
    /// Opens a new revision of a signed meeting; the original stays as it was.
    StartCorrection {
        original_id: Id,
        revision_id: Id,
        started_at: EpochMillis,
    },
}

impl Change {
    /// (entity kind, entity id) the change is about, for the outbox and conflict rules.
    pub fn entity(&self) -> (&'static str, &str) {
        match self {
            Change::UpsertCell { cell } => ("cell", &cell.id),
            Change::UpsertMember { member } => ("member", &member.id),
            Change::PlanMeeting { meeting } | Change::UpdateMeeting { meeting } => {
                ("meeting", &meeting.id)
            }
            Change::RaisePetition { petition } => ("petition", &petition.id),
            Change::SetAttendance { meeting_id, .. }
            | Change::SetAgenda { meeting_id, .. }
            | Change::AddSpeech { meeting_id, .. }
            | Change::ReviewTask { meeting_id, .. }
            | Change::AddTask { meeting_id, .. }
            | Change::RecordVote { meeting_id, .. }
            | Change::SetJudgedScores { meeting_id, .. }
            | Change::SignMeeting { meeting_id, .. } => ("meeting", meeting_id),
            Change::StartCorrection { revision_id, .. } => ("meeting", revision_id),
        }
    }
}

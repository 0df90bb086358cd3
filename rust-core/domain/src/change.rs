//! A change to the record, as written to the device's outbox and later pushed to the
//! commune server. The phone's store and the server both apply these, so the record has
//! one write path. Children (speeches, votes, petitions, reviews) are insert-only.

use serde::{Deserialize, Serialize};

use crate::checkin::{CheckIn, Verdict};
use crate::compliance::{Assignment, Cadre, VisitRequirement, WorkingTeam};
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
    /// A commune committee member (cấp ủy viên cấp trên).
    UpsertCadre {
        cadre: Cadre,
    },
    UpsertWorkingTeam {
        team: WorkingTeam,
    },
    /// Phân công phụ trách: a cadre follows a cell.
    UpsertAssignment {
        assignment: Assignment,
    },
    /// How many visits per assigned cell the commune requires.
    SetVisitRequirement {
        commune_id: Id,
        requirement: VisitRequirement,
    },
    /// The meeting's presence secret, made on the secretary's device. It syncs up to the
    /// server (which judges check-ins with it) and nowhere else: the server must never
    /// send it down to any device, or a cadre's phone could compute the codes itself.
    SetPresenceSecret {
        meeting_id: Id,
        secret_hex: String,
    },
    /// A cadre's signed check-in with the verdict the device that made it reached.
    /// Insert-only.
    RecordCheckIn {
        check_in: CheckIn,
        verdict: Verdict,
    },
    AttachPhoto {
        photo: PhotoAttachment,
    },
    /// The visiting cadre's scoring and notes of a meeting.
    RecordObservation {
        observation: Observation,
    },
    /// An answer to a petition or a move along its way. Insert-only; allowed after the
    /// meeting that raised the petition is signed.
    RespondToPetition {
        response: PetitionResponse,
    },
    /// Guidance or a notice from the commune to its cells.
    PublishGuidance {
        guidance: Guidance,
    },
    /// The server's final verdict on a check-in (its own run of `judge_check_in`, or the
    /// office's review). Only the server authors it; devices receive it.
    SetCheckInVerdict {
        check_in_id: Id,
        verdict: Verdict,
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
            Change::UpsertCadre { cadre } => ("cadre", &cadre.id),
            Change::UpsertWorkingTeam { team } => ("working_team", &team.id),
            Change::UpsertAssignment { assignment } => ("assignment", &assignment.id),
            Change::SetVisitRequirement { commune_id, .. } => ("visit_requirement", commune_id),
            Change::SetPresenceSecret { meeting_id, .. } => ("presence_secret", meeting_id),
            Change::RecordCheckIn { check_in, .. } => ("check_in", &check_in.id),
            Change::AttachPhoto { photo } => ("photo", &photo.sha256),
            Change::RecordObservation { observation } => ("observation", &observation.id),
            Change::RespondToPetition { response } => ("petition_response", &response.id),
            Change::PublishGuidance { guidance } => ("guidance", &guidance.id),
            Change::SetCheckInVerdict { check_in_id, .. } => ("check_in_verdict", check_in_id),
        }
    }
}

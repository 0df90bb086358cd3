//! A change to the record, as written to the device's outbox and later pushed to the
//! commune server. The phone's store and the server both apply these, so the record has
//! one write path. Children (speeches, votes, petitions, reviews) are insert-only.

use serde::{Deserialize, Serialize};

use crate::checkin::{CheckIn, Verdict};
use crate::compliance::{Assignment, Cadre, VisitRequirement, WorkingTeam};
use crate::model::*;
use crate::rules::RuleSettings;
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
    /// The commune's settings for the rules (which small cells may meet for less). Only
    /// the office writes them; every phone and the server judge with them.
    SetRuleSettings {
        commune_id: Id,
        settings: RuleSettings,
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
            Change::SetRuleSettings { commune_id, .. } => ("rule_settings", commune_id),
            Change::SetPresenceSecret { meeting_id, .. } => ("presence_secret", meeting_id),
            Change::RecordCheckIn { check_in, .. } => ("check_in", &check_in.id),
            Change::AttachPhoto { photo } => ("photo", &photo.sha256),
            Change::RecordObservation { observation } => ("observation", &observation.id),
            Change::RespondToPetition { response } => ("petition_response", &response.id),
            Change::PublishGuidance { guidance } => ("guidance", &guidance.id),
            Change::SetCheckInVerdict { check_in_id, .. } => ("check_in_verdict", check_in_id),
        }
    }

    /// The editable field group this change overwrites, for last-writer-wins by HLC:
    /// a change older than the last write of its key is superseded. `None` for changes
    /// that only add (children, check-ins, photos, responses) or happen once (plan,
    /// signature, correction, presence secret): those never conflict.
    pub fn lww_key(&self) -> Option<String> {
        let key = match self {
            Change::UpsertCell { cell } => format!("cell:{}", cell.id),
            Change::UpsertMember { member } => format!("member:{}", member.id),
            Change::UpdateMeeting { meeting } => format!("meeting:{}", meeting.id),
            Change::SetAttendance { meeting_id, entry } => {
                format!("attendance:{meeting_id}:{}", entry.member_id)
            }
            Change::SetAgenda { meeting_id, .. } => format!("agenda:{meeting_id}"),
            // A review's outcome is edited (not done → done), unlike a task or a speech.
            Change::ReviewTask { meeting_id, review } => {
                format!("review:{meeting_id}:{}", review.task_id)
            }
            Change::SetJudgedScores { meeting_id, .. } => format!("judged:{meeting_id}"),
            Change::UpsertCadre { cadre } => format!("cadre:{}", cadre.id),
            Change::UpsertWorkingTeam { team } => format!("team:{}", team.id),
            Change::UpsertAssignment { assignment } => format!("assignment:{}", assignment.id),
            Change::SetVisitRequirement { commune_id, .. } => {
                format!("visit_requirement:{commune_id}")
            }
            Change::SetRuleSettings { commune_id, .. } => format!("rule_settings:{commune_id}"),
            Change::RecordObservation { observation } => format!("observation:{}", observation.id),
            Change::PublishGuidance { guidance } => format!("guidance:{}", guidance.id),
            Change::SetCheckInVerdict { check_in_id, .. } => {
                format!("check_in_verdict:{check_in_id}")
            }
            Change::PlanMeeting { .. }
            | Change::AddSpeech { .. }
            | Change::AddTask { .. }
            | Change::RecordVote { .. }
            | Change::RaisePetition { .. }
            | Change::SignMeeting { .. }
            | Change::StartCorrection { .. }
            | Change::SetPresenceSecret { .. }
            | Change::RecordCheckIn { .. }
            | Change::AttachPhoto { .. }
            | Change::RespondToPetition { .. } => return None,
        };
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkin::VerdictStatus;
    use crate::compliance::VisitPeriod;

    const M: &str = "00000000-0000-7000-8000-000000000100";
    const X: &str = "00000000-0000-7000-8000-000000000007";

    fn verdict() -> Verdict {
        Verdict {
            status: VerdictStatus::Verified,
            reasons: vec![],
            unchecked: vec![],
            effective_time: 0,
            review: None,
        }
    }

    #[test]
    fn editable_changes_name_the_field_group_they_overwrite() {
        let meeting = Meeting::planned(
            M.into(),
            X.into(),
            MeetingKind::Regular,
            0,
            "Nhà văn hóa".into(),
        );
        let keyed = [
            (
                Change::UpdateMeeting {
                    meeting: meeting.clone(),
                },
                format!("meeting:{M}"),
            ),
            (
                Change::SetAttendance {
                    meeting_id: M.into(),
                    entry: RollCallEntry {
                        member_id: X.into(),
                        attendance: Attendance::Present,
                        reason: None,
                    },
                },
                format!("attendance:{M}:{X}"),
            ),
            (
                Change::SetAgenda {
                    meeting_id: M.into(),
                    items: vec![],
                },
                format!("agenda:{M}"),
            ),
            (
                Change::SetJudgedScores {
                    meeting_id: M.into(),
                    scores: JudgedScores::default(),
                },
                format!("judged:{M}"),
            ),
            (
                Change::ReviewTask {
                    meeting_id: M.into(),
                    review: TaskReview {
                        task_id: X.into(),
                        outcome: TaskOutcome::Done,
                        note: None,
                    },
                },
                format!("review:{M}:{X}"),
            ),
            (
                Change::SetVisitRequirement {
                    commune_id: X.into(),
                    requirement: VisitRequirement {
                        per: VisitPeriod::Month,
                        visits: 1,
                    },
                },
                format!("visit_requirement:{X}"),
            ),
            (
                Change::SetCheckInVerdict {
                    check_in_id: X.into(),
                    verdict: verdict(),
                },
                format!("check_in_verdict:{X}"),
            ),
            (
                Change::SetRuleSettings {
                    commune_id: X.into(),
                    settings: RuleSettings::default(),
                },
                format!("rule_settings:{X}"),
            ),
            (
                Change::UpsertCadre {
                    cadre: Cadre {
                        id: X.into(),
                        commune_id: M.into(),
                        full_name: "Hoàng Văn Sơn".into(),
                        title: "Đảng ủy viên".into(),
                    },
                },
                format!("cadre:{X}"),
            ),
            (
                Change::UpsertWorkingTeam {
                    team: WorkingTeam {
                        id: X.into(),
                        commune_id: M.into(),
                        name: "Tổ công tác số 3".into(),
                    },
                },
                format!("team:{X}"),
            ),
        ];
        for (change, key) in keyed {
            assert_eq!(change.lww_key(), Some(key), "{change:?}");
        }
        // Two members' marks in one meeting are separate fields; the header is another.
        let mark = |member: &str| Change::SetAttendance {
            meeting_id: M.into(),
            entry: RollCallEntry {
                member_id: member.into(),
                attendance: Attendance::Present,
                reason: None,
            },
        };
        assert_ne!(mark(X).lww_key(), mark(M).lww_key());
    }

    #[test]
    fn additions_and_one_time_changes_have_no_key() {
        let meeting = Meeting::planned(
            M.into(),
            X.into(),
            MeetingKind::Regular,
            0,
            "Nhà văn hóa".into(),
        );
        let unkeyed = [
            Change::PlanMeeting { meeting },
            Change::AddSpeech {
                meeting_id: M.into(),
                speech: Speech {
                    id: X.into(),
                    speaker: Speaker::Guest {
                        name: "Đồng chí Sơn".into(),
                    },
                    gist: "Chỉ đạo".into(),
                },
            },
            Change::SignMeeting {
                meeting_id: M.into(),
                signature: Signature {
                    signed_at: 0,
                    chair_name: "A".into(),
                    minute_taker_name: "B".into(),
                },
            },
            Change::StartCorrection {
                original_id: M.into(),
                revision_id: X.into(),
                started_at: 0,
            },
            Change::SetPresenceSecret {
                meeting_id: M.into(),
                secret_hex: "00".repeat(32),
            },
            Change::RespondToPetition {
                response: PetitionResponse {
                    id: X.into(),
                    petition_id: M.into(),
                    status: PetitionStatus::Forwarded,
                    text: String::new(),
                    responder: "Văn phòng Đảng ủy xã".into(),
                    responded_at: 0,
                },
            },
        ];
        for change in unkeyed {
            assert_eq!(change.lww_key(), None, "{change:?}");
        }
    }
}

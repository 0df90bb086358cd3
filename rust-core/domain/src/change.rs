//! A change to the record, as written to the device's outbox and later pushed to the
//! commune server. The phone's store and the server both apply these, so the record has
//! one write path. Children (speeches, votes, petitions, reviews) are insert-only.

use serde::{Deserialize, Serialize};

use crate::checkin::{CheckIn, Verdict};
use crate::compliance::{Assignment, Cadre, VisitRequirement, WorkingTeam};
use crate::hlc::{lww, Hlc, LwwOrder};
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
    /// Editable header fields (times, chair, guests, preparation, conclusion...): those
    /// named in `fields` are taken from `meeting`, each last-writer-wins on its own, so
    /// two phones editing different fields of one draft both keep their edits. An empty
    /// list (an older client) means every editable field.
    UpdateMeeting {
        meeting: Meeting,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        fields: Vec<MeetingField>,
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
    /// The meeting whose minutes this change writes a part of (roll call, agenda, a
    /// speech, a task or its review, a vote, the judged scores, the signature) or whose
    /// presence secret it sets. The phone's outbox and the server's scope check both ask
    /// this one list.
    pub fn meeting_part(&self) -> Option<&str> {
        match self {
            Change::SetAttendance { meeting_id, .. }
            | Change::SetAgenda { meeting_id, .. }
            | Change::AddSpeech { meeting_id, .. }
            | Change::ReviewTask { meeting_id, .. }
            | Change::AddTask { meeting_id, .. }
            | Change::RecordVote { meeting_id, .. }
            | Change::SetJudgedScores { meeting_id, .. }
            | Change::SignMeeting { meeting_id, .. }
            | Change::SetPresenceSecret { meeting_id, .. } => Some(meeting_id),
            Change::UpsertCell { .. }
            | Change::UpsertMember { .. }
            | Change::PlanMeeting { .. }
            | Change::UpdateMeeting { .. }
            | Change::StartCorrection { .. }
            | Change::RaisePetition { .. }
            | Change::UpsertCadre { .. }
            | Change::UpsertWorkingTeam { .. }
            | Change::UpsertAssignment { .. }
            | Change::SetVisitRequirement { .. }
            | Change::SetRuleSettings { .. }
            | Change::RecordCheckIn { .. }
            | Change::AttachPhoto { .. }
            | Change::RecordObservation { .. }
            | Change::RespondToPetition { .. }
            | Change::PublishGuidance { .. }
            | Change::SetCheckInVerdict { .. } => None,
        }
    }

    /// (entity kind, entity id) the change is about, for the outbox and conflict rules.
    pub fn entity(&self) -> (&'static str, &str) {
        match self {
            // The secret is kept apart from the minutes it belongs to.
            Change::SetPresenceSecret { meeting_id, .. } => ("presence_secret", meeting_id),
            Change::UpsertCell { cell } => ("cell", &cell.id),
            Change::UpsertMember { member } => ("member", &member.id),
            Change::PlanMeeting { meeting } | Change::UpdateMeeting { meeting, .. } => {
                ("meeting", &meeting.id)
            }
            Change::RaisePetition { petition } => ("petition", &petition.id),
            Change::StartCorrection { revision_id, .. } => ("meeting", revision_id),
            Change::UpsertCadre { cadre } => ("cadre", &cadre.id),
            Change::UpsertWorkingTeam { team } => ("working_team", &team.id),
            Change::UpsertAssignment { assignment } => ("assignment", &assignment.id),
            Change::SetVisitRequirement { commune_id, .. } => ("visit_requirement", commune_id),
            Change::SetRuleSettings { commune_id, .. } => ("rule_settings", commune_id),
            Change::RecordCheckIn { check_in, .. } => ("check_in", &check_in.id),
            Change::AttachPhoto { photo } => ("photo", &photo.sha256),
            Change::RecordObservation { observation } => ("observation", &observation.id),
            Change::RespondToPetition { response } => ("petition_response", &response.id),
            Change::PublishGuidance { guidance } => ("guidance", &guidance.id),
            Change::SetCheckInVerdict { check_in_id, .. } => ("check_in_verdict", check_in_id),
            part => match part.meeting_part() {
                Some(meeting_id) => ("meeting", meeting_id),
                None => unreachable!("meeting_part names every change not matched above"),
            },
        }
    }

    /// The editable fields this change overwrites, each last-writer-wins by HLC on its
    /// own: a write older than the last write of its key loses. Empty for changes that
    /// only add (children, check-ins, photos, responses) or happen once (plan,
    /// signature, correction, presence secret): those never conflict.
    pub fn lww_keys(&self) -> Vec<String> {
        if let Change::UpdateMeeting { meeting, fields } = self {
            return MeetingField::named_or_all(fields)
                .into_iter()
                .map(|f| f.lww_key(&meeting.id))
                .collect();
        }
        self.lww_key().into_iter().collect()
    }

    /// The one field group of a change that overwrites a single group (see
    /// [`Change::lww_keys`], which also covers a meeting header's fields).
    fn lww_key(&self) -> Option<String> {
        let key = match self {
            Change::UpsertCell { cell } => format!("cell:{}", cell.id),
            Change::UpsertMember { member } => format!("member:{}", member.id),
            Change::UpdateMeeting { .. } => return None,
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

    /// What last-writer-wins leaves of this change, clocked `hlc`, against the clock of
    /// the last write of each of its fields (`stored`). The one rule behind every write
    /// of the phone and the server.
    pub fn settle_lww<E>(
        &self,
        hlc: &Hlc,
        mut stored: impl FnMut(&str) -> Result<Option<Hlc>, E>,
    ) -> Result<Settled, E> {
        if let Change::UpdateMeeting { meeting, fields } = self {
            let mut won = Vec::new();
            let mut lost = Vec::new();
            for field in MeetingField::named_or_all(fields) {
                match lww(hlc, stored(&field.lww_key(&meeting.id))?.as_ref()) {
                    LwwOrder::Newer => won.push(field),
                    LwwOrder::Older => lost.push(field),
                    LwwOrder::Same => {}
                }
            }
            return Ok(match (won.is_empty(), lost.is_empty()) {
                (true, true) => Settled::AlreadyThere,
                (true, false) => Settled::Lost { fields: lost },
                (false, _) => Settled::Write {
                    change: Change::UpdateMeeting {
                        meeting: meeting.clone(),
                        fields: won,
                    },
                    lost,
                },
            });
        }
        let Some(key) = self.lww_key() else {
            return Ok(Settled::Write {
                change: self.clone(),
                lost: Vec::new(),
            });
        };
        Ok(match lww(hlc, stored(&key)?.as_ref()) {
            LwwOrder::Newer => Settled::Write {
                change: self.clone(),
                lost: Vec::new(),
            },
            LwwOrder::Same => Settled::AlreadyThere,
            LwwOrder::Older => Settled::Lost { fields: Vec::new() },
        })
    }
}

/// What last-writer-wins leaves of a change ([`Change::settle_lww`]).
// One short-lived value per change, never stored in bulk: boxing the change buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Settled {
    /// Write `change`: the whole change, or a meeting header narrowed to the fields it
    /// wins. `lost` names the fields a later write already holds (a concurrent edit that
    /// lost: the device that made it is told).
    Write {
        change: Change,
        lost: Vec<MeetingField>,
    },
    /// This very write is already there (a device's own change coming back).
    AlreadyThere,
    /// Every field it writes was written later by someone else: nothing to write.
    /// `fields` names them for a meeting header (empty for a single-group change).
    Lost { fields: Vec<MeetingField> },
}

/// An editable field of a meeting's header: what [`Change::UpdateMeeting`] writes, each
/// with its own last-writer-wins clock. Status, revision, signature and the judged
/// scores follow from their own changes and are not here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum MeetingField {
    Kind,
    PlannedStart,
    PlannedPlace,
    ActualStart,
    ActualEnd,
    Chair,
    MinuteTaker,
    Guests,
    ThematicTopic,
    Preparation,
    PartyFeeNote,
    Conclusion,
    Resolution,
    MinutesApproved,
    FinalDocumentsSentAt,
}

impl MeetingField {
    pub const ALL: [MeetingField; 15] = [
        MeetingField::Kind,
        MeetingField::PlannedStart,
        MeetingField::PlannedPlace,
        MeetingField::ActualStart,
        MeetingField::ActualEnd,
        MeetingField::Chair,
        MeetingField::MinuteTaker,
        MeetingField::Guests,
        MeetingField::ThematicTopic,
        MeetingField::Preparation,
        MeetingField::PartyFeeNote,
        MeetingField::Conclusion,
        MeetingField::Resolution,
        MeetingField::MinutesApproved,
        MeetingField::FinalDocumentsSentAt,
    ];

    /// The fields a change names, or all of them for an empty list (an older client
    /// sent the whole header), each once, in a stable order.
    pub fn named_or_all(fields: &[MeetingField]) -> Vec<MeetingField> {
        if fields.is_empty() {
            return MeetingField::ALL.to_vec();
        }
        let mut named = fields.to_vec();
        named.sort();
        named.dedup();
        named
    }

    /// The key of this field's last-writer-wins clock.
    pub fn lww_key(self, meeting_id: &str) -> String {
        format!("meeting:{meeting_id}:{}", self.name())
    }

    fn name(self) -> &'static str {
        match self {
            MeetingField::Kind => "kind",
            MeetingField::PlannedStart => "planned_start",
            MeetingField::PlannedPlace => "planned_place",
            MeetingField::ActualStart => "actual_start",
            MeetingField::ActualEnd => "actual_end",
            MeetingField::Chair => "chair",
            MeetingField::MinuteTaker => "minute_taker",
            MeetingField::Guests => "guests",
            MeetingField::ThematicTopic => "thematic_topic",
            MeetingField::Preparation => "preparation",
            MeetingField::PartyFeeNote => "party_fee_note",
            MeetingField::Conclusion => "conclusion",
            MeetingField::Resolution => "resolution",
            MeetingField::MinutesApproved => "minutes_approved",
            MeetingField::FinalDocumentsSentAt => "final_documents_sent_at",
        }
    }

    /// The field as the minutes name it, for the person told their edit lost.
    pub fn label(self) -> &'static str {
        match self {
            MeetingField::Kind => "loại buổi sinh hoạt",
            MeetingField::PlannedStart => "giờ họp dự kiến",
            MeetingField::PlannedPlace => "địa điểm họp",
            MeetingField::ActualStart => "giờ bắt đầu",
            MeetingField::ActualEnd => "giờ kết thúc",
            MeetingField::Chair => "người chủ trì",
            MeetingField::MinuteTaker => "thư ký",
            MeetingField::Guests => "khách mời",
            MeetingField::ThematicTopic => "chủ đề sinh hoạt chuyên đề",
            MeetingField::Preparation => "công tác chuẩn bị",
            MeetingField::PartyFeeNote => "tình hình thu nộp đảng phí",
            MeetingField::Conclusion => "kết luận",
            MeetingField::Resolution => "nghị quyết",
            MeetingField::MinutesApproved => "thông qua biên bản",
            MeetingField::FinalDocumentsSentAt => "ngày gửi văn bản lên xã",
        }
    }

    /// Copies this field from `from` into `into`.
    pub fn copy(self, from: &Meeting, into: &mut Meeting) {
        match self {
            MeetingField::Kind => into.kind = from.kind,
            MeetingField::PlannedStart => into.planned_start = from.planned_start,
            MeetingField::PlannedPlace => into.planned_place = from.planned_place.clone(),
            MeetingField::ActualStart => into.actual_start = from.actual_start,
            MeetingField::ActualEnd => into.actual_end = from.actual_end,
            MeetingField::Chair => into.chair_id = from.chair_id.clone(),
            MeetingField::MinuteTaker => into.minute_taker_id = from.minute_taker_id.clone(),
            MeetingField::Guests => into.guests = from.guests.clone(),
            MeetingField::ThematicTopic => into.thematic_topic = from.thematic_topic.clone(),
            MeetingField::Preparation => into.preparation = from.preparation.clone(),
            MeetingField::PartyFeeNote => into.party_fee_note = from.party_fee_note.clone(),
            MeetingField::Conclusion => into.conclusion = from.conclusion.clone(),
            MeetingField::Resolution => into.resolution = from.resolution.clone(),
            MeetingField::MinutesApproved => into.minutes_approved = from.minutes_approved,
            MeetingField::FinalDocumentsSentAt => {
                into.final_documents_sent_at = from.final_documents_sent_at
            }
        }
    }

    /// The fields whose values differ between two versions of a header.
    pub fn changed_between(old: &Meeting, new: &Meeting) -> Vec<MeetingField> {
        MeetingField::ALL
            .into_iter()
            .filter(|field| {
                let mut probe = old.clone();
                field.copy(new, &mut probe);
                probe != *old
            })
            .collect()
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
    fn a_part_of_the_minutes_names_its_meeting_and_the_secret_is_kept_apart() {
        let agenda = Change::SetAgenda {
            meeting_id: "m1".into(),
            items: Vec::new(),
        };
        assert_eq!(agenda.meeting_part(), Some("m1"));
        assert_eq!(agenda.entity(), ("meeting", "m1"));
        let secret = Change::SetPresenceSecret {
            meeting_id: "m1".into(),
            secret_hex: "00".into(),
        };
        assert_eq!(secret.meeting_part(), Some("m1"));
        assert_eq!(secret.entity(), ("presence_secret", "m1"));
        // A correction writes a new revision, not a part of the original.
        let correction = Change::StartCorrection {
            original_id: "m1".into(),
            revision_id: "m2".into(),
            started_at: 0,
        };
        assert_eq!(correction.meeting_part(), None);
        assert_eq!(correction.entity(), ("meeting", "m2"));
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
                    fields: vec![MeetingField::Conclusion],
                },
                format!("meeting:{M}:conclusion"),
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
            assert_eq!(change.lww_keys(), vec![key], "{change:?}");
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
        assert_ne!(mark(X).lww_keys(), mark(M).lww_keys());
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
            assert!(change.lww_keys().is_empty(), "{change:?}");
        }
    }

    #[test]
    fn two_edits_of_different_header_fields_both_win() {
        let old = Meeting::planned(
            M.into(),
            X.into(),
            MeetingKind::Regular,
            0,
            "Nhà văn hóa".into(),
        );
        let mut chair = old.clone();
        chair.chair_id = Some(X.into());
        let mut conclusion = old.clone();
        conclusion.conclusion = Some("Thống nhất".into());
        let fields_a = MeetingField::changed_between(&old, &chair);
        let fields_b = MeetingField::changed_between(&old, &conclusion);
        assert_eq!(fields_a, vec![MeetingField::Chair]);
        assert_eq!(fields_b, vec![MeetingField::Conclusion]);

        let mut clocks: std::collections::BTreeMap<String, Hlc> = Default::default();
        let mut settle = |change: Change, hlc: Hlc| {
            let settled = change
                .settle_lww(&hlc, |k| Ok::<_, ()>(clocks.get(k).cloned()))
                .unwrap();
            if let Settled::Write { change, .. } = &settled {
                for key in change.lww_keys() {
                    clocks.insert(key, hlc.clone());
                }
            }
            settled
        };
        let a = Hlc::zero("a").tick(2_000);
        let b = Hlc::zero("b").tick(1_000);
        let first = settle(
            Change::UpdateMeeting {
                meeting: chair,
                fields: fields_a,
            },
            a.clone(),
        );
        assert!(matches!(first, Settled::Write { ref lost, .. } if lost.is_empty()));
        // Older, but of another field: it still wins that field.
        let second = settle(
            Change::UpdateMeeting {
                meeting: conclusion.clone(),
                fields: fields_b,
            },
            b.clone(),
        );
        assert!(matches!(second, Settled::Write { ref lost, .. } if lost.is_empty()));
        // An older write of the whole header loses the chair, wins nothing it had not.
        let whole = settle(
            Change::UpdateMeeting {
                meeting: old.clone(),
                fields: vec![],
            },
            Hlc::zero("c").tick(500),
        );
        match whole {
            Settled::Write { change, lost } => {
                assert!(lost.contains(&MeetingField::Chair));
                assert!(lost.contains(&MeetingField::Conclusion));
                let Change::UpdateMeeting { fields, .. } = change else {
                    panic!()
                };
                assert!(!fields.contains(&MeetingField::Chair));
            }
            other => panic!("{other:?}"),
        }
        // The same write again is already there.
        let again = settle(
            Change::UpdateMeeting {
                meeting: conclusion,
                fields: vec![MeetingField::Conclusion],
            },
            b,
        );
        assert_eq!(again, Settled::AlreadyThere);
    }
}

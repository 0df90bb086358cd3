//! `decide` against an in-memory view: what a store holds is set up by hand, so each
//! test reads as "the store holds X; change Y is refused / produces Z".

use super::*;
use crate::checkin::{GpsFix, VerdictStatus};
use crate::rules::test_support::{at, cell, full_members, id, CELL_ID};

#[derive(Default)]
struct Held {
    cells: Vec<Cell>,
    members: Vec<Member>,
    records: Vec<MeetingRecord>,
    previous_tasks: Vec<Task>,
    cadres: Vec<Cadre>,
    teams: Vec<WorkingTeam>,
    check_ins: Vec<(CheckIn, Verdict)>,
    secrets: Vec<Id>,
    photos: Vec<PhotoAttachment>,
    observations: Vec<Observation>,
    petitions: Vec<Petition>,
    responses: Vec<PetitionResponse>,
    guidance: Vec<Guidance>,
    /// Every lookup fails, as a broken disk would.
    broken: bool,
}

fn find<T: Clone>(items: &[T], pick: impl Fn(&T) -> bool) -> Option<T> {
    items.iter().find(|i| pick(i)).cloned()
}

impl Held {
    fn ok<T>(&self, value: T) -> Result<T, LookupError> {
        if self.broken {
            Err(LookupError("disk I/O error".into()))
        } else {
            Ok(value)
        }
    }
}

impl LedgerView for Held {
    fn cell(&self, id: &str) -> Result<Option<Cell>, LookupError> {
        self.ok(find(&self.cells, |c| c.id == id))
    }
    fn member(&self, id: &str) -> Result<Option<Member>, LookupError> {
        self.ok(find(&self.members, |m| m.id == id))
    }
    fn roster(&self, cell_id: &str) -> Result<Vec<Member>, LookupError> {
        let roster = self.members.iter().filter(|m| m.cell_id == cell_id);
        self.ok(roster.cloned().collect())
    }
    fn record(&self, meeting_id: &str) -> Result<Option<MeetingRecord>, LookupError> {
        self.ok(find(&self.records, |r| r.meeting.id == meeting_id))
    }
    fn previous_tasks(&self, _meeting: &Meeting) -> Result<Vec<Task>, LookupError> {
        self.ok(self.previous_tasks.clone())
    }
    fn correction_of(&self, meeting_id: &str) -> Result<Option<Id>, LookupError> {
        let found = find(&self.records, |r| {
            r.meeting.revision_of.as_deref() == Some(meeting_id)
        });
        self.ok(found.map(|r| r.meeting.id))
    }
    fn cadre(&self, id: &str) -> Result<Option<Cadre>, LookupError> {
        self.ok(find(&self.cadres, |c| c.id == id))
    }
    fn working_team(&self, id: &str) -> Result<Option<WorkingTeam>, LookupError> {
        self.ok(find(&self.teams, |t| t.id == id))
    }
    fn check_in(&self, id: &str) -> Result<Option<(CheckIn, Verdict)>, LookupError> {
        self.ok(find(&self.check_ins, |(c, _)| c.id == id))
    }
    fn has_presence_secret(&self, meeting_id: &str) -> Result<bool, LookupError> {
        self.ok(self.secrets.iter().any(|m| m == meeting_id))
    }
    fn has_photo(&self, photo: &PhotoAttachment) -> Result<bool, LookupError> {
        self.ok(self.photos.iter().any(|p| {
            p.sha256 == photo.sha256
                && p.meeting_id == photo.meeting_id
                && p.check_in_id == photo.check_in_id
        }))
    }
    fn observation(&self, id: &str) -> Result<Option<Observation>, LookupError> {
        self.ok(find(&self.observations, |o| o.id == id))
    }
    fn petition(&self, id: &str) -> Result<Option<Petition>, LookupError> {
        self.ok(find(&self.petitions, |p| p.id == id))
    }
    fn petition_response(&self, id: &str) -> Result<Option<PetitionResponse>, LookupError> {
        self.ok(find(&self.responses, |r| r.id == id))
    }
    fn guidance(&self, id: &str) -> Result<Option<Guidance>, LookupError> {
        self.ok(find(&self.guidance, |g| g.id == id))
    }
}

const MEETING: u32 = 7000;

/// A cell of 6 full members and one planned meeting chaired by member 1, minuted by 2.
fn held() -> Held {
    let mut meeting = Meeting::planned(
        id(MEETING),
        CELL_ID.into(),
        MeetingKind::Regular,
        at(2026, 10, 24, 19, 30),
        "Nhà văn hóa".into(),
    );
    meeting.chair_id = Some(id(1));
    meeting.minute_taker_id = Some(id(2));
    Held {
        cells: vec![cell()],
        members: full_members(6),
        records: vec![MeetingRecord::new(meeting)],
        ..Held::default()
    }
}

/// `held()` with the meeting recorded (everyone present, one petition) and signed.
fn signed() -> Held {
    let mut h = held();
    let record = &mut h.records[0];
    record.roll_call = full_members(6)
        .iter()
        .map(|m| RollCallEntry {
            member_id: m.id.clone(),
            attendance: Attendance::Present,
            reason: None,
        })
        .collect();
    record
        .speeches
        .push(speech(60, "Đề nghị sửa đường ống nước"));
    record.petitions.push(petition(PetitionStatus::Raised));
    record.meeting.actual_start = Some(at(2026, 10, 24, 19, 30));
    record.meeting.actual_end = Some(at(2026, 10, 24, 21, 10));
    record.meeting.status = MeetingStatus::Signed;
    record.meeting.signature = Some(signature());
    h.petitions.push(petition(PetitionStatus::Raised));
    h
}

fn signature() -> Signature {
    Signature {
        signed_at: at(2026, 10, 24, 21, 30),
        chair_name: "Đảng viên 1".into(),
        minute_taker_name: "Đảng viên 2".into(),
    }
}

fn speech(n: u32, gist: &str) -> Speech {
    Speech {
        id: id(n),
        speaker: Speaker::Member { member_id: id(3) },
        gist: gist.into(),
    }
}

fn petition(status: PetitionStatus) -> Petition {
    Petition {
        id: id(70),
        cell_id: CELL_ID.into(),
        meeting_id: Some(id(MEETING)),
        content: "Đường ống nước đầu bản bị vỡ".into(),
        category: PetitionCategory::Infrastructure,
        raised_by: "Nhân dân bản Nà Hẩu".into(),
        status,
        raised_at: at(2026, 10, 24, 20, 0),
    }
}

fn response(n: u32, status: PetitionStatus, text: &str) -> PetitionResponse {
    PetitionResponse {
        id: id(n),
        petition_id: id(70),
        status,
        text: text.into(),
        responder: "Văn phòng Đảng ủy xã".into(),
        responded_at: at(2026, 11, 2, 9, 0),
    }
}

fn verdict(status: VerdictStatus) -> Verdict {
    Verdict {
        status,
        reasons: vec![],
        unchecked: vec![],
        effective_time: at(2026, 10, 24, 19, 40),
        review: None,
    }
}

fn check_in() -> CheckIn {
    CheckIn {
        id: id(90),
        meeting_id: id(MEETING),
        cell_id: CELL_ID.into(),
        cadre_id: id(500),
        device_id: id(501),
        photo_sha256: None,
        gps: None,
        device_wall_time: at(2026, 10, 24, 19, 40),
        monotonic_ms: 1_000,
        server_offset_ms: None,
        presence_code: "123456".into(),
        public_key_hex: "00".repeat(32),
        signature_hex: "00".repeat(64),
    }
}

fn record_of(effect: Effect) -> (MeetingRecord, RecordPart) {
    match effect {
        Effect::Record { record, part } => (record, part),
        other => panic!("expected a record, got {other:?}"),
    }
}

fn attendance(member: u32, attendance: Attendance) -> Change {
    Change::SetAttendance {
        meeting_id: id(MEETING),
        entry: RollCallEntry {
            member_id: id(member),
            attendance,
            reason: None,
        },
    }
}

#[test]
fn an_edit_returns_the_whole_record_with_its_status_advanced() {
    let h = held();
    let (record, part) = record_of(decide(&h, &attendance(3, Attendance::Present)).unwrap());
    assert_eq!(part, RecordPart::Attendance(id(3)));
    assert_eq!(record.roll_call.len(), 1);
    assert_eq!(record.meeting.status, MeetingStatus::InProgress);
    // decide wrote nothing: the view still holds the planned meeting.
    assert!(h.records[0].roll_call.is_empty());
}

#[test]
fn references_are_checked_against_the_view() {
    let mut h = held();
    h.members.push(Member {
        cell_id: id(4242),
        ..crate::rules::test_support::member(40, MembershipKind::Full, MemberStatus::Active)
    });
    let err = decide(&h, &attendance(40, Attendance::Present)).unwrap_err();
    assert!(matches!(
        err,
        Refusal::Rule(ValidationError::MemberOfAnotherCell { .. })
    ));
    assert_eq!(err.code(), "validation");

    // A member this store holds, moved to a cell it does not: they leave its roster.
    let moved = Member {
        cell_id: id(4242),
        ..h.members[0].clone()
    };
    assert_eq!(
        decide(&h, &Change::UpsertMember { member: moved }).unwrap(),
        Effect::MemberMovedAway {
            member_id: h.members[0].id.clone(),
            from_cell_id: CELL_ID.into(),
            to_cell_id: id(4242),
        }
    );
    // Someone new in a cell it does not know: that cell is not here (yet).
    let member = Member {
        id: id(4343),
        cell_id: id(4242),
        ..h.members[0].clone()
    };
    let err = decide(&h, &Change::UpsertMember { member }).unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert!(
        err.to_string().starts_with("Không tìm thấy chi bộ"),
        "{err}"
    );

    let mut plan = h.records[0].meeting.clone();
    plan.id = "không phải mã".into();
    let err = decide(&h, &Change::PlanMeeting { meeting: plan }).unwrap_err();
    assert!(matches!(
        err,
        Refusal::Rule(ValidationError::InvalidId { .. })
    ));
}

#[test]
fn a_plan_pulled_back_is_already_applied_but_a_clashing_id_is_refused() {
    let h = held();
    let mine = h.records[0].meeting.clone();
    let err = decide(
        &h,
        &Change::PlanMeeting {
            meeting: mine.clone(),
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "already_applied");
    let other_cell = Meeting {
        cell_id: id(4242),
        ..mine
    };
    let err = decide(
        &h,
        &Change::PlanMeeting {
            meeting: other_cell,
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "already_exists");
}

#[test]
fn a_signed_meeting_is_frozen_but_its_own_children_are_already_applied() {
    let h = signed();
    let err = decide(&h, &attendance(3, Attendance::AbsentUnexcused)).unwrap_err();
    assert_eq!(err.code(), "frozen");
    assert!(err.to_string().contains("đã ký biên bản"), "{err}");

    let same = Change::AddSpeech {
        meeting_id: id(MEETING),
        speech: speech(60, "Đề nghị sửa đường ống nước"),
    };
    assert_eq!(decide(&h, &same).unwrap_err().code(), "already_applied");
    let edited = Change::AddSpeech {
        meeting_id: id(MEETING),
        speech: speech(60, "Nội dung khác"),
    };
    assert_eq!(decide(&h, &edited).unwrap_err().code(), "frozen");

    let resign = Change::SignMeeting {
        meeting_id: id(MEETING),
        signature: signature(),
    };
    assert_eq!(decide(&h, &resign).unwrap_err().code(), "already_applied");
    let other = Change::SignMeeting {
        meeting_id: id(MEETING),
        signature: Signature {
            signed_at: 1,
            ..signature()
        },
    };
    assert_eq!(decide(&h, &other).unwrap_err().code(), "frozen");
}

#[test]
fn signing_needs_a_roll_call_and_freezes_the_record() {
    let h = held();
    let sign = Change::SignMeeting {
        meeting_id: id(MEETING),
        signature: signature(),
    };
    assert_eq!(
        decide(&h, &sign).unwrap_err(),
        Refusal::Rule(ValidationError::EmptyRollCallOnSign)
    );
    let mut h = signed();
    h.records[0].meeting.status = MeetingStatus::Recorded;
    h.records[0].meeting.signature = None;
    let (record, part) = record_of(decide(&h, &sign).unwrap());
    assert_eq!(part, RecordPart::Signed);
    assert_eq!(record.meeting.status, MeetingStatus::Signed);
    assert_eq!(record.meeting.signature, Some(signature()));
}

#[test]
fn a_correction_copies_the_record_once() {
    let mut h = signed();
    let correct = |revision: u32| Change::StartCorrection {
        original_id: id(MEETING),
        revision_id: id(revision),
        started_at: 0,
    };
    let (revision, part) = record_of(decide(&h, &correct(7001)).unwrap());
    assert_eq!(
        part,
        RecordPart::Correction {
            original_id: id(MEETING)
        }
    );
    assert_eq!(revision.meeting.id, id(7001));
    assert_eq!(revision.meeting.revision, 2);
    assert_eq!(revision.meeting.revision_of, Some(id(MEETING)));
    assert_eq!(revision.meeting.status, MeetingStatus::Recorded);
    assert_eq!(revision.meeting.signature, None);
    assert_eq!(revision.roll_call, h.records[0].roll_call);
    assert_eq!(revision.speeches, h.records[0].speeches);
    assert_eq!(revision.petitions[0].meeting_id, Some(id(7001)));

    h.records.push(revision);
    assert_eq!(
        decide(&h, &correct(7001)).unwrap_err().code(),
        "already_applied"
    );
    let err = decide(&h, &correct(7002)).unwrap_err();
    assert_eq!(
        err,
        Refusal::AlreadyCorrected {
            meeting_id: id(MEETING),
            revision_id: id(7001)
        }
    );
    // Only signed minutes are corrected.
    let h = held();
    assert!(matches!(
        decide(&h, &correct(7001)).unwrap_err(),
        Refusal::Rule(ValidationError::CorrectionOfUnsigned { .. })
    ));
}

#[test]
fn a_petition_is_answered_after_its_meeting_is_signed() {
    let h = signed();
    let forward = Change::RespondToPetition {
        response: response(71, PetitionStatus::Forwarded, "Chuyển UBND xã"),
    };
    match decide(&h, &forward).unwrap() {
        Effect::PetitionResponse { response, petition } => {
            assert_eq!(response.id, id(71));
            assert_eq!(petition.status, PetitionStatus::Forwarded);
            assert_eq!(petition.content, "Đường ống nước đầu bản bị vỡ");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn petition_responses_follow_the_lifecycle_and_are_insert_only() {
    let mut h = signed();
    h.petitions[0].status = PetitionStatus::Resolved;
    let reopen = Change::RespondToPetition {
        response: response(71, PetitionStatus::Forwarded, ""),
    };
    let err = decide(&h, &reopen).unwrap_err();
    assert_eq!(err.code(), "validation");
    assert!(err.to_string().contains("\"Đã giải quyết\""), "{err}");

    let mut h = signed();
    let answered = response(71, PetitionStatus::Answered, "Xã sửa trong tháng 11");
    h.responses.push(answered.clone());
    h.petitions[0].status = PetitionStatus::Answered;
    let again = Change::RespondToPetition {
        response: answered.clone(),
    };
    assert_eq!(decide(&h, &again).unwrap_err().code(), "already_applied");
    let clash = Change::RespondToPetition {
        response: PetitionResponse {
            text: "Nội dung khác".into(),
            ..answered
        },
    };
    assert_eq!(decide(&h, &clash).unwrap_err().code(), "already_exists");

    let unknown = Change::RespondToPetition {
        response: PetitionResponse {
            petition_id: id(404),
            ..response(72, PetitionStatus::Forwarded, "")
        },
    };
    assert_eq!(decide(&h, &unknown).unwrap_err().code(), "not_found");
}

#[test]
fn an_edit_of_a_petition_never_takes_its_status_back() {
    let mut h = held();
    h.records[0]
        .petitions
        .push(petition(PetitionStatus::Answered));
    h.petitions.push(petition(PetitionStatus::Answered));
    // The meeting saved again as it was before the commune answered: nothing to write.
    let back = Change::RaisePetition {
        petition: petition(PetitionStatus::Raised),
    };
    assert_eq!(decide(&h, &back).unwrap_err().code(), "already_applied");
    let reworded = Change::RaisePetition {
        petition: Petition {
            content: "Đường ống nước cuối bản bị vỡ".into(),
            ..petition(PetitionStatus::Raised)
        },
    };
    let (record, part) = record_of(decide(&h, &reworded).unwrap());
    assert_eq!(part, RecordPart::Petition(id(70)));
    assert_eq!(record.petitions.len(), 1);
    assert_eq!(record.petitions[0].content, "Đường ống nước cuối bản bị vỡ");
    assert_eq!(record.petitions[0].status, PetitionStatus::Answered);
}

#[test]
fn a_petition_of_signed_minutes_cannot_be_rewritten_by_leaving_its_meeting() {
    // The attack: the same petition again with no meeting, new words, "resolved".
    let mut h = held();
    h.records[0].meeting.status = MeetingStatus::Signed;
    h.records[0]
        .petitions
        .push(petition(PetitionStatus::Raised));
    h.petitions.push(petition(PetitionStatus::Raised));
    let loose = Change::RaisePetition {
        petition: Petition {
            meeting_id: None,
            content: "Đã giải quyết xong".into(),
            status: PetitionStatus::Resolved,
            ..petition(PetitionStatus::Raised)
        },
    };
    assert!(matches!(
        decide(&h, &loose).unwrap_err(),
        Refusal::Rule(ValidationError::PetitionMoved { .. })
    ));
    let in_place = Change::RaisePetition {
        petition: Petition {
            content: "Đã giải quyết xong".into(),
            ..petition(PetitionStatus::Raised)
        },
    };
    assert_eq!(decide(&h, &in_place).unwrap_err().code(), "frozen");
}

fn sson() -> Cadre {
    Cadre {
        id: id(500),
        commune_id: id(9000),
        full_name: "Hoàng Văn Sơn".into(),
        title: "Phó Bí thư Đảng ủy xã".into(),
    }
}

#[test]
fn a_check_in_is_recorded_once_and_only_a_counted_visit_joins_the_minutes() {
    let mut h = held();
    h.cadres.push(sson());
    // What the cadre's phone claims (provisional) writes nothing into the minutes.
    let change = Change::RecordCheckIn {
        check_in: check_in(),
        verdict: verdict(VerdictStatus::Provisional),
    };
    match decide(&h, &change).unwrap() {
        Effect::CheckIn { delegate, .. } => assert_eq!(delegate, None),
        other => panic!("{other:?}"),
    }
    // A verified visit (the server's verdict, pulled) does.
    let verified = Change::RecordCheckIn {
        check_in: check_in(),
        verdict: verdict(VerdictStatus::Verified),
    };
    match decide(&h, &verified).unwrap() {
        Effect::CheckIn { delegate, .. } => {
            let guests = delegate.expect("the cadre is added").guests;
            assert_eq!(guests.len(), 1);
            assert_eq!(guests[0].name, "Hoàng Văn Sơn");
            assert!(guests[0].upper_level);
        }
        other => panic!("{other:?}"),
    }

    // Pulled back with the server's verdict: still the same check-in.
    h.check_ins
        .push((check_in(), verdict(VerdictStatus::Provisional)));
    let echo = Change::RecordCheckIn {
        check_in: check_in(),
        verdict: verdict(VerdictStatus::Verified),
    };
    assert_eq!(decide(&h, &echo).unwrap_err().code(), "already_applied");
    // As other readers receive it, without its proof: the same check-in too.
    let redacted = Change::RecordCheckIn {
        check_in: check_in().for_readers(&verdict(VerdictStatus::Verified)),
        verdict: verdict(VerdictStatus::Verified),
    };
    assert_eq!(decide(&h, &redacted).unwrap_err().code(), "already_applied");
    let forged = Change::RecordCheckIn {
        check_in: CheckIn {
            presence_code: "654321".into(),
            ..check_in()
        },
        verdict: verdict(VerdictStatus::Provisional),
    };
    assert_eq!(decide(&h, &forged).unwrap_err().code(), "already_exists");
}

#[test]
fn the_office_rejecting_a_visit_takes_the_cadre_out_of_unsigned_minutes() {
    let mut h = held();
    h.cadres.push(sson());
    h.records[0].meeting.guests.push(Guest {
        name: "Hoàng Văn Sơn".into(),
        title: "Phó Bí thư Đảng ủy xã".into(),
        upper_level: true,
    });
    h.check_ins
        .push((check_in(), verdict(VerdictStatus::NeedsReview)));
    let rejected = Verdict {
        review: Some(crate::checkin::OfficeReview {
            decision: crate::checkin::ReviewDecision::Rejected,
            note: "Ảnh chụp ở nhà".into(),
            reviewer_id: id(1),
            reviewer_name: "Hà Thị Lan".into(),
            reviewed_at: 0,
        }),
        ..verdict(VerdictStatus::NeedsReview)
    };
    let change = Change::SetCheckInVerdict {
        check_in_id: id(90),
        verdict: rejected,
    };
    match decide(&h, &change).unwrap() {
        Effect::CheckInVerdict { delegate, .. } => {
            assert!(delegate.expect("the header changes").guests.is_empty());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_check_in_without_real_coordinates_is_refused() {
    let h = held();
    let change = Change::RecordCheckIn {
        check_in: CheckIn {
            gps: Some(GpsFix {
                latitude: f64::NAN,
                longitude: 103.9,
                accuracy_m: 10.0,
                fix_time: 0,
                mock_location: false,
            }),
            ..check_in()
        },
        verdict: verdict(VerdictStatus::Provisional),
    };
    assert_eq!(
        decide(&h, &change).unwrap_err(),
        Refusal::Rule(ValidationError::InvalidNumber {
            field: "tọa độ GPS"
        })
    );
}

#[test]
fn the_servers_verdict_needs_the_check_in() {
    let mut h = held();
    let change = Change::SetCheckInVerdict {
        check_in_id: id(90),
        verdict: verdict(VerdictStatus::Verified),
    };
    let err = decide(&h, &change).unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert!(err.to_string().contains("lượt điểm danh"), "{err}");
    h.check_ins
        .push((check_in(), verdict(VerdictStatus::Provisional)));
    match decide(&h, &change).unwrap() {
        Effect::CheckInVerdict {
            check_in_id,
            verdict: v,
            delegate,
        } => {
            assert_eq!(check_in_id, id(90));
            assert_eq!(v, verdict(VerdictStatus::Verified));
            // Verified now: the visiting cadre joins the unsigned minutes' delegates.
            let guests = delegate.expect("the header changes").guests;
            assert!(guests.iter().any(|g| g.upper_level));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_presence_secret_is_normalised_and_set_once() {
    let mut h = held();
    let change = Change::SetPresenceSecret {
        meeting_id: id(MEETING),
        secret_hex: format!(" {} ", "AB".repeat(32)),
    };
    assert_eq!(
        decide(&h, &change).unwrap(),
        Effect::PresenceSecret {
            meeting_id: id(MEETING),
            secret_hex: "ab".repeat(32)
        }
    );
    let short = Change::SetPresenceSecret {
        meeting_id: id(MEETING),
        secret_hex: "ab".repeat(16),
    };
    assert_eq!(decide(&h, &short).unwrap_err().code(), "validation");
    h.secrets.push(id(MEETING));
    assert_eq!(decide(&h, &change).unwrap_err().code(), "already_exists");
}

#[test]
fn a_photo_of_a_signed_meeting_is_refused_unless_it_was_attached_before() {
    let mut h = signed();
    let photo = PhotoAttachment {
        sha256: "AB".repeat(32),
        meeting_id: Some(id(MEETING)),
        check_in_id: None,
        width: 1600,
        height: 1200,
        byte_size: 300_000,
        attached_at: 0,
    };
    let change = Change::AttachPhoto {
        photo: photo.clone(),
    };
    assert_eq!(decide(&h, &change).unwrap_err().code(), "frozen");
    h.photos.push(PhotoAttachment {
        sha256: "ab".repeat(32),
        ..photo
    });
    assert_eq!(decide(&h, &change).unwrap_err().code(), "already_applied");
}

#[test]
fn an_observation_id_of_another_meeting_is_refused() {
    let mut h = held();
    let observation = Observation {
        id: id(95),
        meeting_id: id(MEETING),
        cadre_id: id(500),
        judged: JudgedScores::default(),
        guidance_given: "Chú trọng phòng cháy rừng".into(),
        lessons_exchanged: String::new(),
        recorded_at: 0,
    };
    h.observations.push(Observation {
        meeting_id: id(7777),
        ..observation.clone()
    });
    let change = Change::RecordObservation { observation };
    assert_eq!(decide(&h, &change).unwrap_err().code(), "already_exists");
}

#[test]
fn guidance_is_validated_before_it_goes_down() {
    let h = held();
    let guidance = Guidance {
        id: id(80),
        commune_id: id(9000),
        kind: GuidanceKind::ThematicTopic,
        title: "Chuyên đề quý IV".into(),
        body: "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh".into(),
        period: "2026-Q4".into(),
        cell_ids: vec![],
        attachments: vec![],
        published_at: 0,
    };
    let change = Change::PublishGuidance {
        guidance: guidance.clone(),
    };
    assert_eq!(
        decide(&h, &change).unwrap(),
        Effect::Guidance(guidance.clone())
    );
    let bad = Change::PublishGuidance {
        guidance: Guidance {
            period: "Q4/2026".into(),
            ..guidance
        },
    };
    assert!(matches!(
        decide(&h, &bad).unwrap_err(),
        Refusal::Rule(ValidationError::InvalidPeriod { .. })
    ));
}

#[test]
fn a_failing_view_is_a_storage_refusal_not_a_rule() {
    let h = Held {
        broken: true,
        ..held()
    };
    let err = decide(&h, &attendance(3, Attendance::Present)).unwrap_err();
    assert_eq!(err.code(), "storage");
    assert!(err.to_string().contains("disk I/O error"), "{err}");
}

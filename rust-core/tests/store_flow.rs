//! The secretary's whole meeting flow through `Store::apply`, on a real SQLite file.

mod store_support;

use chibo_core::store::{Store, StoreError, StoreErrorKind};
use chibo_domain::change::Change;
use chibo_domain::*;
use store_support::*;

fn signed_meeting(fx: &Fixture, store: &mut Store, start: EpochMillis) -> Id {
    let mut plan = Plan::new(fx, start);
    plan.tasks = vec![(2, CalendarDate::from_ymd(2026, 4, 15).unwrap())];
    store.apply_all(record_changes(fx, &plan), start).unwrap();
    store
        .apply(
            Change::SignMeeting {
                meeting_id: plan.meeting_id.clone(),
                signature: signature(fx, start + 3 * 60 * MINUTE),
            },
            start + 3 * 60 * MINUTE,
        )
        .unwrap();
    plan.meeting_id
}

#[test]
fn a_meeting_is_planned_recorded_step_by_step_signed_and_read_back_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chibo.db");
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let mut store = fx.store(&path, start - 10 * DAY);
    let device_id = store.device_id().to_string();
    assert!(uuid::Uuid::parse_str(&device_id).is_ok());

    // Roster: by role, then in Vietnamese name order (given name first).
    let roster = store.members(&fx.cell.id).unwrap();
    assert_eq!(roster.len(), 12);
    assert_eq!(roster[0].role, MemberRole::Secretary);
    assert_eq!(roster[1].role, MemberRole::DeputySecretary);
    let names: Vec<&str> = roster[2..].iter().map(|m| m.full_name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|name| chibo_domain::name_order_key(name));
    assert_eq!(names, sorted);
    assert_eq!(store.member(&fx.id(EXEMPT)).unwrap(), fx.members[EXEMPT]);
    assert_eq!(store.cell(&fx.cell.id).unwrap(), fx.cell);
    assert_eq!(store.cells().unwrap().len(), 2);

    // Plan, then record each part as the meeting goes.
    let mut plan = Plan::new(&fx, start);
    plan.tasks = vec![
        (2, CalendarDate::from_ymd(2026, 4, 10).unwrap()),
        (5, CalendarDate::from_ymd(2026, 4, 20).unwrap()),
    ];
    let changes = record_changes(&fx, &plan);
    let mut changes = changes.into_iter();
    store
        .apply(changes.next().unwrap(), start - 5 * DAY)
        .unwrap();
    let planned = store.meeting(&plan.meeting_id).unwrap();
    assert_eq!(planned.status, MeetingStatus::Planned);
    assert_eq!(planned.revision, 1);
    for (n, change) in changes.enumerate() {
        store.apply(change, start + n as i64 * MINUTE).unwrap();
    }
    let recorded = store.meeting_record(&plan.meeting_id).unwrap();
    assert_eq!(recorded.roll_call, plan.roll_call);
    assert_eq!(recorded.speeches.len(), plan.speakers.len() + 1);
    assert_eq!(recorded.tasks.len(), 2);
    assert_eq!(recorded.votes.len(), 1);
    assert_eq!(recorded.petitions.len(), 1);
    assert_eq!(recorded.agenda.len(), 3);
    assert_eq!(recorded.meeting.secretary_judgement, Some(judged()));
    assert_eq!(
        recorded.meeting,
        Meeting {
            status: recorded.meeting.status,
            secretary_judgement: Some(judged()),
            ..header(&fx, &plan)
        }
    );
    assert_ne!(recorded.meeting.status, MeetingStatus::Signed);

    let sig = signature(&fx, start + 3 * 60 * MINUTE);
    store
        .apply(
            Change::SignMeeting {
                meeting_id: plan.meeting_id.clone(),
                signature: sig.clone(),
            },
            start + 3 * 60 * MINUTE,
        )
        .unwrap();
    let signed = store.meeting_record(&plan.meeting_id).unwrap();
    assert_eq!(signed.meeting.status, MeetingStatus::Signed);
    assert_eq!(signed.meeting.signature, Some(sig));
    let assessment = store.assess(&plan.meeting_id).unwrap();
    drop(store);

    // Reopen: the same device, the same record, the same verdict.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.device_id(), device_id);
    assert_eq!(store.meeting_record(&plan.meeting_id).unwrap(), signed);
    assert_eq!(store.assess(&plan.meeting_id).unwrap(), assessment);
    assert_eq!(assessment.attendance.present, 9);
    assert_eq!(assessment.attendance.expected, 10);
    assert_eq!(assessment.attendance.rate_percent, Some(90.0));
}

#[test]
fn editing_a_signed_meeting_is_refused_as_frozen_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let mut store = fx.store(&dir.path().join("chibo.db"), start);
    let id = signed_meeting(&fx, &mut store, start);
    let before = row_counts(&store);
    let outbox = store.outbox_pending().unwrap();
    let record = store.meeting_record(&id).unwrap();

    let edits = vec![
        Change::SetAttendance {
            meeting_id: id.clone(),
            entry: RollCallEntry {
                member_id: fx.id(2),
                attendance: Attendance::AbsentUnexcused,
                reason: None,
            },
        },
        Change::UpdateMeeting {
            meeting: Meeting {
                conclusion: Some("Sửa lại".into()),
                ..record.meeting.clone()
            },
            fields: vec![],
        },
        Change::SetJudgedScores {
            meeting_id: id.clone(),
            scores: JudgedScores::default(),
        },
        Change::SignMeeting {
            meeting_id: id.clone(),
            signature: signature(&fx, start + DAY),
        },
    ];
    for edit in edits {
        let err = store.apply(edit, start + DAY).unwrap_err();
        assert!(err.is_meeting_frozen(), "{err:?}");
        assert_eq!(err.kind(), StoreErrorKind::Conflict);
        assert!(matches!(
            err,
            StoreError::Validation(ValidationError::MeetingFrozen { .. })
        ));
    }
    assert_eq!(row_counts(&store), before);
    assert_eq!(store.outbox_pending().unwrap(), outbox);
    assert_eq!(store.meeting_record(&id).unwrap(), record);
}

#[test]
fn a_correction_is_a_new_revision_and_the_signed_original_stays() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let mut store = fx.store(&dir.path().join("chibo.db"), start);
    let original_id = signed_meeting(&fx, &mut store, start);
    let original = store.meeting_record(&original_id).unwrap();

    let revision_id = new_id();
    store
        .apply(
            Change::StartCorrection {
                original_id: original_id.clone(),
                revision_id: revision_id.clone(),
                started_at: start + 2 * DAY,
            },
            start + 2 * DAY,
        )
        .unwrap();
    let revision = store.meeting_record(&revision_id).unwrap();
    assert_eq!(revision.meeting.revision, 2);
    assert_eq!(
        revision.meeting.revision_of.as_deref(),
        Some(original_id.as_str())
    );
    assert_eq!(revision.meeting.status, MeetingStatus::Recorded);
    assert_eq!(revision.meeting.signature, None);
    // Every child is copied, in order.
    assert_eq!(revision.roll_call, original.roll_call);
    assert_eq!(revision.agenda, original.agenda);
    assert_eq!(revision.speeches, original.speeches);
    assert_eq!(revision.tasks, original.tasks);
    assert_eq!(revision.votes, original.votes);
    assert_eq!(revision.task_reviews, original.task_reviews);
    assert_eq!(revision.petitions.len(), original.petitions.len());
    assert_eq!(
        revision.petitions[0].meeting_id.as_deref(),
        Some(revision_id.as_str())
    );
    assert_eq!(revision.petitions[0].content, original.petitions[0].content);
    assert_eq!(
        revision.meeting.secretary_judgement,
        original.meeting.secretary_judgement
    );

    // The revision is editable; the original is untouched.
    store
        .apply(
            Change::SetAttendance {
                meeting_id: revision_id.clone(),
                entry: RollCallEntry {
                    member_id: fx.id(WORKING_AWAY),
                    attendance: Attendance::AbsentUnexcused,
                    reason: None,
                },
            },
            start + 2 * DAY,
        )
        .unwrap();
    assert_eq!(store.meeting_record(&original_id).unwrap(), original);

    // The history shows the current revision only.
    let history = store.meeting_history(&fx.cell.id).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].meeting_id, revision_id);
    assert_eq!(history[0].revision, 2);

    // Only a signed meeting can be corrected, and only once.
    let err = store
        .apply(
            Change::StartCorrection {
                original_id: revision_id.clone(),
                revision_id: new_id(),
                started_at: start,
            },
            start,
        )
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::Validation(ValidationError::CorrectionOfUnsigned { .. })
    ));
    let err = store
        .apply(
            Change::StartCorrection {
                original_id: original_id.clone(),
                revision_id: new_id(),
                started_at: start,
            },
            start,
        )
        .unwrap_err();
    assert!(
        matches!(err, StoreError::AlreadyCorrected { .. }),
        "{err:?}"
    );
}

#[test]
fn the_outbox_numbers_changes_without_gaps_with_increasing_clocks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chibo.db");
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let mut store = fx.store(&path, start);
    let roster_changes = fx.roster_changes().len();
    let plan = Plan::new(&fx, start);
    let changes = record_changes(&fx, &plan);
    // Half now, half with a wall clock that went backwards, after reopening.
    let (first, second) = changes.split_at(changes.len() / 2);
    store.apply_all(first.to_vec(), start).unwrap();
    drop(store);
    let mut store = Store::open(&path).unwrap();
    for change in second {
        store.apply(change.clone(), start - DAY).unwrap();
    }
    // A refused change takes no number.
    assert!(store
        .apply(
            Change::SetAttendance {
                meeting_id: new_id(),
                entry: plan.roll_call[0].clone()
            },
            start
        )
        .is_err());

    let pending = store.outbox_pending().unwrap();
    assert_eq!(pending.len(), roster_changes + changes.len());
    assert_eq!(store.pending_change_count().unwrap(), pending.len() as u64);
    for (i, entry) in pending.iter().enumerate() {
        assert_eq!(entry.device_seq, i as u64 + 1);
        assert_eq!(entry.device_id, store.device_id());
        assert_eq!(entry.hlc.node, store.device_id());
        if i > 0 {
            assert!(entry.hlc > pending[i - 1].hlc, "clock must increase at {i}");
        }
    }
    let last = pending.last().unwrap();
    assert_eq!(last.change().unwrap(), changes.last().unwrap().clone());
    assert_eq!(
        (last.entity_kind.as_str(), last.entity_id.as_str()),
        ("meeting", plan.meeting_id.as_str())
    );
    assert_eq!(store.hlc(), &last.hlc);

    // Acknowledged entries leave the pending list; numbering carries on.
    store.ack_outbox(10, start).unwrap();
    assert_eq!(store.outbox_pending().unwrap()[0].device_seq, 11);
}

#[test]
fn a_failing_change_in_a_batch_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let mut store = fx.store(&dir.path().join("chibo.db"), start);
    let before = row_counts(&store);
    let outbox = store.outbox_pending().unwrap();
    let hlc = store.hlc().clone();

    let plan = Plan::new(&fx, start);
    let mut changes = record_changes(&fx, &plan);
    // The last change names a member of another cell.
    changes.push(Change::SetAttendance {
        meeting_id: plan.meeting_id.clone(),
        entry: RollCallEntry {
            member_id: fx.other_member.id.clone(),
            attendance: Attendance::Present,
            reason: None,
        },
    });
    let err = store.apply_all(changes, start).unwrap_err();
    assert!(matches!(
        err,
        StoreError::Validation(ValidationError::MemberOfAnotherCell { .. })
    ));
    assert_eq!(row_counts(&store), before);
    assert_eq!(store.outbox_pending().unwrap(), outbox);
    assert_eq!(store.hlc(), &hlc);
    assert!(matches!(
        store.meeting(&plan.meeting_id),
        Err(StoreError::NotFound {
            kind: "meeting",
            ..
        })
    ));
}

#[test]
fn refused_changes_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let mut store = fx.store(&dir.path().join("chibo.db"), start);
    let plan = Plan::new(&fx, start);
    store
        .apply_all(record_changes(&fx, &plan)[..1].to_vec(), start)
        .unwrap();
    let before = row_counts(&store);

    // Unknown ids.
    let unknown = new_id();
    let err = store
        .apply(
            Change::AddSpeech {
                meeting_id: unknown.clone(),
                speech: Speech {
                    id: new_id(),
                    speaker: Speaker::Guest {
                        name: "Khách".into(),
                    },
                    gist: "…".into(),
                },
            },
            start,
        )
        .unwrap_err();
    assert!(matches!(&err, StoreError::NotFound { kind: "meeting", id } if *id == unknown));
    assert_eq!(err.kind(), StoreErrorKind::NotFound);
    assert!(
        err.to_string().contains("Không tìm thấy buổi sinh hoạt"),
        "{err}"
    );

    let err = store
        .apply(
            Change::UpsertMember {
                member: Member {
                    id: new_id(),
                    cell_id: unknown.clone(),
                    ..fx.members[2].clone()
                },
            },
            start,
        )
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { kind: "cell", .. }),
        "{err:?}"
    );

    let err = store
        .apply(
            Change::SetAttendance {
                meeting_id: plan.meeting_id.clone(),
                entry: RollCallEntry {
                    member_id: unknown.clone(),
                    attendance: Attendance::Present,
                    reason: None,
                },
            },
            start,
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Validation(ValidationError::UnknownMember { .. })
        ),
        "{err:?}"
    );

    // A member of another cell.
    let err = store
        .apply(
            Change::AddTask {
                meeting_id: plan.meeting_id.clone(),
                task: Task {
                    id: new_id(),
                    description: "Sửa đường ống".into(),
                    assignee_id: fx.other_member.id.clone(),
                    deadline: CalendarDate::from_ymd(2026, 4, 1).unwrap(),
                },
            },
            start,
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Validation(ValidationError::MemberOfAnotherCell { .. })
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), StoreErrorKind::Validation);
    assert!(
        err.to_string().contains(&fx.other_member.full_name),
        "{err}"
    );

    // End before start.
    let mut meeting = header(&fx, &plan);
    meeting.actual_end = Some(start - 30 * MINUTE);
    let err = store
        .apply(
            Change::UpdateMeeting {
                meeting,
                fields: vec![],
            },
            start,
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Validation(ValidationError::EndBeforeStart { .. })
        ),
        "{err:?}"
    );

    // Judged scores above their maxima.
    let err = store
        .apply(
            Change::SetJudgedScores {
                meeting_id: plan.meeting_id.clone(),
                scores: JudgedScores {
                    chairing: 11,
                    ..judged()
                },
            },
            start,
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Validation(ValidationError::ScoreAboveMaximum { .. })
        ),
        "{err:?}"
    );

    // Reviewing a task nobody set.
    let err = store
        .apply(
            Change::ReviewTask {
                meeting_id: plan.meeting_id.clone(),
                review: TaskReview {
                    task_id: unknown.clone(),
                    outcome: TaskOutcome::Done,
                    note: None,
                },
            },
            start,
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Validation(ValidationError::UnknownTask { .. })
        ),
        "{err:?}"
    );

    // Planning the same meeting twice.
    let err = store
        .apply(record_changes(&fx, &plan)[0].clone(), start)
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");

    assert_eq!(row_counts(&store), before);
}

#[test]
fn an_in_memory_store_works_too() {
    let fx = Fixture::new();
    let mut store = Store::open_in_memory().unwrap();
    store.apply_all(fx.roster_changes(), 1).unwrap();
    assert_eq!(store.members(&fx.cell.id).unwrap().len(), 12);
    assert_eq!(store.path(), None);
}

#[test]
fn a_petition_typed_up_days_later_is_dated_at_its_meeting() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let start = at(2026, 10, 30, 19, 0);
    let mut store = fx.store(&dir.path().join("chibo.db"), start - 10 * DAY);
    let meeting = chibo_core::flow::plan_meeting(
        &mut store,
        &fx.cell.id,
        MeetingKind::Regular,
        start,
        "Nhà văn hóa bản Nà Hẩu".into(),
        start - 5 * DAY,
    )
    .unwrap();
    // The secretary types the minutes up in November: the petition was raised in October.
    let typed_up = at(2026, 11, 2, 8, 0);
    let petition = chibo_core::flow::raise_petition(
        &mut store,
        &meeting.id,
        "Đề nghị sửa cầu treo qua suối".into(),
        PetitionCategory::Infrastructure,
        "Nhân dân bản Nà Hẩu".into(),
        typed_up,
    )
    .unwrap();
    assert_eq!(petition.raised_at, start);

    // A meeting planned ahead never dates a petition in the future.
    let later = chibo_core::flow::plan_meeting(
        &mut store,
        &fx.cell.id,
        MeetingKind::Regular,
        at(2026, 11, 24, 19, 0),
        "Nhà văn hóa bản Nà Hẩu".into(),
        typed_up,
    )
    .unwrap();
    let early = chibo_core::flow::raise_petition(
        &mut store,
        &later.id,
        "Đề nghị hỗ trợ giống ngô".into(),
        PetitionCategory::Livelihood,
        "Nhân dân bản Nà Hẩu".into(),
        typed_up,
    )
    .unwrap();
    assert_eq!(early.raised_at, typed_up);
}

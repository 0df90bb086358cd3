//! One word per value: every value the dashboard shows reads exactly as the core's
//! exported label function says it (`chibo_domain::labels::*_label`, what the Android and
//! iOS apps call through uniffi). A commune with meetings of every kind and status, every
//! roll-call mark, every vote kind and task outcome, check-ins verified, flagged and
//! reviewed; its pages fetched over real HTTP.

mod dashboard_browser;
mod support;

use chibo_domain::change::Change;
use chibo_domain::checkin::{
    generate_presence_secret, presence_code, ReviewDecision, VerdictCode, VerdictStatus,
};
use chibo_domain::labels::{self, NOT_GRADED, NOT_REVIEWED};
use chibo_domain::model::*;
use chibo_domain::rules::{MonthlyMeetingStatus, QualityGrade};
use chibo_domain::time::CalendarDate;
use chibo_server::accounts::users::DashboardRole;
use chibo_server::docs::CommuneDocs;
use chibo_server::office::{self, Officer};
use chibo_server::storage;
use dashboard_browser::*;
use reqwest::StatusCode;
use support::*;

/// The page's text with askama's escapes undone.
async fn text(browser: &Browser, path: &str) -> String {
    let page = browser.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}");
    page.text()
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn assert_shows(page: &str, what: &str, word: &str) {
    assert!(page.contains(word), "{what}: \"{word}\" not on the page");
}

fn task(w: &World, n: usize) -> Task {
    Task {
        id: new_id(),
        description: format!("Nhiệm vụ tháng 10 số {n}"),
        assignee_id: w.a.id(2 + n),
        deadline: CalendarDate::from_ymd(2026, 11, 20).unwrap(),
    }
}

#[tokio::test]
async fn every_value_reads_on_the_dashboard_as_the_core_words_it() {
    let mut w = World::new().await;
    let cell = w.a.cell.id.clone();

    // A committee member, so every role is on the roster.
    let mut committee = w.a.members[2].clone();
    committee.id = new_id();
    committee.full_name = "Lù Văn Chiến".into();
    committee.role = MemberRole::CellCommittee;
    let mut changes = vec![Change::UpsertMember { member: committee }];

    // October: a regular meeting, signed, with four tasks for November.
    let october = new_id();
    let oct_start = at(2026, 10, 24, 19, 30);
    changes.extend(w.a.meeting_changes(&october, oct_start));
    let tasks: Vec<Task> = (0..4).map(|n| task(&w, n)).collect();
    changes.extend(tasks.iter().map(|t| Change::AddTask {
        meeting_id: october.clone(),
        task: t.clone(),
    }));
    changes.push(Change::SignMeeting {
        meeting_id: october.clone(),
        signature: w.a.signature(oct_start + 3 * 60 * MINUTE),
    });

    // November (today): regular with a thematic part, recorded; every roll-call mark,
    // every vote kind, three of last month's tasks reviewed three ways.
    let november = new_id();
    let start = meeting_start();
    changes.extend(w.a.meeting_changes(&november, start));
    let mut header = w.a.header(&november, start);
    header.kind = MeetingKind::RegularWithThematic;
    header.thematic_topic = Some("Học tập và làm theo tư tưởng Hồ Chí Minh".into());
    changes.push(Change::UpdateMeeting {
        meeting: header,
        fields: vec![],
    });
    for (i, attendance) in [(6, Attendance::AbsentUnexcused), (7, Attendance::Late)] {
        changes.push(Change::SetAttendance {
            meeting_id: november.clone(),
            entry: RollCallEntry {
                member_id: w.a.id(i),
                attendance,
                reason: None,
            },
        });
    }
    for kind in [VoteKind::Admission, VoteKind::ConfirmFullMembership] {
        changes.push(Change::RecordVote {
            meeting_id: november.clone(),
            vote: VoteTally {
                id: new_id(),
                question: format!("Biểu quyết {kind:?}"),
                kind,
                in_favor: 6,
                against: 0,
                abstain: 0,
            },
        });
    }
    for (t, outcome) in tasks.iter().zip([
        TaskOutcome::Done,
        TaskOutcome::PartlyDone,
        TaskOutcome::NotDone,
    ]) {
        changes.push(Change::ReviewTask {
            meeting_id: november.clone(),
            review: TaskReview {
                task_id: t.id.clone(),
                outcome,
                note: None,
            },
        });
    }
    let secret = generate_presence_secret().unwrap();
    changes.push(Change::SetPresenceSecret {
        meeting_id: november.clone(),
        secret_hex: hex::encode(&secret),
    });

    // The other kinds: planned, and one in progress.
    for (kind, day) in [(MeetingKind::Thematic, 5), (MeetingKind::Model, 12)] {
        let mut m = w.a.planned(&new_id(), at(2026, 12, day, 19, 30));
        m.kind = kind;
        changes.push(Change::PlanMeeting { meeting: m });
    }
    let extraordinary = new_id();
    let mut m = w.a.planned(&extraordinary, at(2026, 11, 20, 8, 0));
    m.kind = MeetingKind::Extraordinary;
    changes.push(Change::PlanMeeting { meeting: m.clone() });
    m.actual_start = Some(at(2026, 11, 20, 8, 5));
    changes.push(Change::UpdateMeeting {
        meeting: m,
        fields: vec![],
    });
    assert_all_applied(&w.secretary_a.push(&w.srv, changes).await);

    // Check-ins: one honest (verified), three from far away with a wrong code, of which
    // the office accepts one and rejects one.
    let time = w.srv.now() - 5 * MINUTE;
    let code = presence_code(&secret, &november, time).code;
    // The honest one's photo reached the server, as the phone's upload queue sends it.
    w.upload(1).await;
    w.push_check_in(&november, time, &code, &photo(1), false)
        .await;
    // A cadre gets three check-ins a meeting: the one the office rejects is at the
    // extraordinary meeting.
    let flagged = w
        .push_check_in(&november, time, "000000", &photo(2), true)
        .await
        .id;
    let accepted = w
        .push_check_in(&november, time, "000000", &photo(3), true)
        .await
        .id;
    let rejected = w
        .push_check_in(&extraordinary, time, "000000", &photo(4), true)
        .await
        .id;
    let state = w.srv.running.state().clone();
    let officer = Officer {
        id: "u-vp".into(),
        name: "Hà Thị Lan".into(),
        username: "u-vp".into(),
        client_ip: "127.0.0.1".into(),
    };
    for (id, decision, note) in [
        (&accepted, ReviewDecision::Accepted, "Họp ở điểm phụ"),
        (&rejected, ReviewDecision::Rejected, "Ảnh chụp ở nơi khác"),
    ] {
        office::review_check_in(&state, &w.commune.id, id, decision, note, &officer).unwrap();
    }
    let flagged_codes: Vec<VerdictCode> = storage::read(&*w.srv.storage, |tx| {
        Ok(CommuneDocs::new(tx, &w.commune.id)
            .stored_check_in(&flagged)?
            .unwrap()
            .verdict
            .reasons
            .iter()
            .map(|r| r.code)
            .collect())
    })
    .unwrap();
    assert!(flagged_codes.contains(&VerdictCode::OutsideMeetingPlace));

    user(
        &*w.srv.storage,
        "vanphong",
        DashboardRole::CommuneAdmin,
        &w.commune.id,
        w.srv.now(),
    );
    let browser = Browser::signed_in(&w.srv.base, "vanphong").await;
    let base = format!("/communes/{}", w.commune.id);

    // The cell page: every kind and status of meeting, every member status, membership
    // and role.
    let page = text(&browser, &format!("{base}/cells/{cell}")).await;
    for kind in [
        MeetingKind::Regular,
        MeetingKind::Thematic,
        MeetingKind::Extraordinary,
        MeetingKind::Model,
        MeetingKind::RegularWithThematic,
    ] {
        assert_shows(&page, "meeting kind", &labels::meeting_kind_label(kind));
    }
    for status in [
        MeetingStatus::Planned,
        MeetingStatus::InProgress,
        MeetingStatus::Recorded,
        MeetingStatus::Signed,
    ] {
        assert_shows(
            &page,
            "meeting status",
            &labels::meeting_status_label(status),
        );
    }
    for status in MemberStatus::ALL {
        assert_shows(&page, "member status", &labels::member_status_label(status));
    }
    for kind in [MembershipKind::Full, MembershipKind::Probationary] {
        assert_shows(&page, "membership", &labels::membership_label(kind));
    }
    for role in [
        MemberRole::Member,
        MemberRole::Secretary,
        MemberRole::DeputySecretary,
        MemberRole::CellCommittee,
    ] {
        assert_shows(&page, "role", &labels::member_role_label(role));
    }
    assert!(
        !page.contains("Dự kiến"),
        "the old word for a planned meeting"
    );

    // November's meeting: the roll call, agenda, votes, last month's tasks, petition,
    // check-ins, and the attendance rate as the phone prints it.
    let page = text(&browser, &format!("{base}/meetings/{november}")).await;
    for attendance in Attendance::ALL {
        assert_shows(&page, "attendance", &labels::attendance_label(attendance));
    }
    for section in [
        AgendaSection::Opening,
        AgendaSection::Body,
        AgendaSection::Closing,
    ] {
        assert_shows(
            &page,
            "agenda section",
            &labels::agenda_section_label(section),
        );
    }
    for kind in [
        VoteKind::Ordinary,
        VoteKind::Admission,
        VoteKind::ConfirmFullMembership,
    ] {
        assert_shows(&page, "vote kind", &labels::vote_kind_label(kind));
    }
    for outcome in [
        TaskOutcome::Done,
        TaskOutcome::PartlyDone,
        TaskOutcome::NotDone,
    ] {
        assert_shows(&page, "task outcome", &labels::task_outcome_label(outcome));
    }
    assert_shows(
        &page,
        "an unreviewed task",
        &labels::task_review_label(None),
    );
    assert_eq!(labels::task_review_label(None), NOT_REVIEWED);
    assert_shows(
        &page,
        "petition category",
        &labels::petition_category_label(PetitionCategory::Infrastructure),
    );
    assert_shows(
        &page,
        "petition status",
        &labels::petition_status_label(PetitionStatus::Raised),
    );
    assert_shows(
        &page,
        "meeting kind",
        &labels::meeting_kind_label(MeetingKind::RegularWithThematic),
    );
    for status in [VerdictStatus::Verified, VerdictStatus::NeedsReview] {
        assert_shows(&page, "verdict", &labels::verdict_status_label(status));
    }
    assert_shows(
        &page,
        "office review",
        &labels::review_decision_label(ReviewDecision::Accepted),
    );
    // 8 of the 11 expected (the committee member is not marked yet): "72,7%".
    assert_shows(
        &page,
        "attendance rate",
        &labels::format_percent(8.0 * 100.0 / 11.0),
    );
    assert_shows(&page, "start", &labels::format_date_time(start));
    assert!(!page.contains("Đã xác nhận"), "the old word for verified");

    let page = text(&browser, &format!("{base}/meetings/{extraordinary}")).await;
    assert_shows(
        &page,
        "office review",
        &labels::review_decision_label(ReviewDecision::Rejected),
    );

    // The cadres page names each failed check of the flagged check-in.
    let page = text(&browser, &format!("{base}/cadres?year=2026")).await;
    for code in &flagged_codes {
        assert_shows(&page, "failed check", &labels::verdict_code_label(*code));
    }

    // The petitions inbox offers every status and category.
    let page = text(&browser, &format!("{base}/petitions")).await;
    for status in PetitionStatus::ALL {
        assert_shows(
            &page,
            "petition status",
            &labels::petition_status_label(status),
        );
    }
    for category in PetitionCategory::ALL {
        assert_shows(
            &page,
            "petition category",
            &labels::petition_category_label(category),
        );
    }

    // The overview: the grade scale, and where each cell stands this month and last.
    let page = text(&browser, &format!("{base}?month=2026-11")).await;
    for grade in [
        QualityGrade::Good,
        QualityGrade::Fair,
        QualityGrade::Average,
        QualityGrade::Poor,
    ] {
        assert_shows(&page, "grade", &labels::quality_grade_label(grade));
    }
    assert_shows(
        &page,
        "not graded",
        &labels::grade_or_not_graded_label(None),
    );
    assert_eq!(labels::grade_or_not_graded_label(None), NOT_GRADED);
    for status in [MonthlyMeetingStatus::Met, MonthlyMeetingStatus::NotYet] {
        assert_shows(
            &page,
            "this month",
            &labels::monthly_meeting_status_label(status),
        );
    }
    let page = text(&browser, &format!("{base}?month=2026-10")).await;
    assert_shows(
        &page,
        "last month",
        &labels::monthly_meeting_status_label(MonthlyMeetingStatus::Overdue),
    );

    // The guidance form offers every kind.
    let page = text(&browser, &format!("{base}/guidance")).await;
    for kind in [
        GuidanceKind::MonthlyGuidance,
        GuidanceKind::ThematicTopic,
        GuidanceKind::Notice,
    ] {
        assert_shows(&page, "guidance kind", &labels::guidance_kind_label(kind));
    }
}

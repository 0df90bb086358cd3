//! The screens' queries over four months of a cell's meetings, with concrete numbers.

mod store_support;

use chibo_core::store::{MemberYearAttendance, StatusCount, Store};
use chibo_domain::change::Change;
use chibo_domain::*;
use store_support::*;

struct Season {
    fx: Fixture,
    store: Store,
    _dir: tempfile::TempDir,
    dec: Id,
    jan: Id,
    feb: Id,
    mar: Id,
    apr: Id,
}

fn date(y: i32, m: u32, d: u32) -> CalendarDate {
    CalendarDate::from_ymd(y, m, d).unwrap()
}

fn hold(fx: &Fixture, store: &mut Store, plan: &Plan, sign: bool) {
    store
        .apply_all(record_changes(fx, plan), plan.start)
        .unwrap();
    if sign {
        store
            .apply(
                Change::SignMeeting {
                    meeting_id: plan.meeting_id.clone(),
                    signature: signature(fx, plan.start + 3 * 60 * MINUTE),
                },
                plan.start + 3 * 60 * MINUTE,
            )
            .unwrap();
    }
}

fn task_ids(store: &Store, meeting_id: &str) -> Vec<Id> {
    store
        .meeting_record(meeting_id)
        .unwrap()
        .tasks
        .into_iter()
        .map(|t| t.id)
        .collect()
}

/// Dec 2025, Jan and Feb 2026: signed regular meetings; 10 Mar: an extraordinary
/// meeting, recorded; 24 Apr: planned.
fn season() -> Season {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let mut store = fx.store(&dir.path().join("chibo.db"), at(2025, 12, 1, 8, 0));

    let mut dec = Plan::new(&fx, at(2025, 12, 24, 19, 0));
    dec.tasks = vec![(2, date(2026, 1, 15))];
    hold(&fx, &mut store, &dec, true);
    let t1 = task_ids(&store, &dec.meeting_id);

    let mut jan = Plan::new(&fx, at(2026, 1, 24, 19, 0));
    jan.roll_call = fx.roll_call(&[(3, Attendance::AbsentUnexcused)]);
    jan.reviews = vec![(t1[0].clone(), TaskOutcome::Done)];
    jan.tasks = vec![(4, date(2026, 2, 10)), (5, date(2026, 2, 20))];
    hold(&fx, &mut store, &jan, true);
    let t23 = task_ids(&store, &jan.meeting_id);

    let mut feb = Plan::new(&fx, at(2026, 2, 24, 19, 0));
    feb.roll_call = fx.roll_call(&[(2, Attendance::Late)]);
    feb.reviews = vec![
        (t23[0].clone(), TaskOutcome::Done),
        (t23[1].clone(), TaskOutcome::NotDone),
    ];
    feb.tasks = vec![(6, date(2026, 3, 5)), (7, date(2026, 3, 30))];
    hold(&fx, &mut store, &feb, true);

    let mut mar = Plan::new(&fx, at(2026, 3, 10, 8, 0));
    mar.kind = MeetingKind::Extraordinary;
    mar.minutes = 60;
    hold(&fx, &mut store, &mar, false);

    let apr = new_id();
    store
        .apply(
            Change::PlanMeeting {
                meeting: Meeting::planned(
                    apr.clone(),
                    fx.cell.id.clone(),
                    MeetingKind::Regular,
                    at(2026, 4, 24, 19, 0),
                    "Nhà văn hóa bản Nà Hẩu".into(),
                ),
            },
            at(2026, 3, 12, 9, 0),
        )
        .unwrap();

    Season {
        dec: dec.meeting_id,
        jan: jan.meeting_id,
        feb: feb.meeting_id,
        mar: mar.meeting_id,
        apr,
        fx,
        store,
        _dir: dir,
    }
}

#[test]
fn previous_tasks_and_earlier_roll_calls_follow_the_calendar() {
    let s = season();
    let jan_tasks = s.store.meeting_record(&s.jan).unwrap().tasks;
    assert_eq!(s.store.previous_tasks(&s.feb).unwrap(), jan_tasks);
    // The extraordinary meeting is not a regular one: April reviews February's tasks.
    let feb_tasks = s.store.meeting_record(&s.feb).unwrap().tasks;
    assert_eq!(s.store.previous_tasks(&s.apr).unwrap(), feb_tasks);
    assert_eq!(s.store.previous_tasks(&s.dec).unwrap(), vec![]);

    let earlier: Vec<Id> = s
        .store
        .earlier_this_year(&s.mar)
        .unwrap()
        .into_iter()
        .map(|p| p.meeting_id)
        .collect();
    assert_eq!(earlier, vec![s.jan.clone(), s.feb.clone()]);
    assert!(
        s.store.earlier_this_year(&s.jan).unwrap().is_empty(),
        "December is last year"
    );
    let feb = &s.store.earlier_this_year(&s.mar).unwrap()[1];
    assert_eq!(feb.kind, MeetingKind::Regular);
    assert_eq!(feb.entries.len(), 12);
}

#[test]
fn the_history_lists_current_revisions_newest_first_with_the_rules_totals() {
    let mut s = season();
    // Correct January: the correction replaces it in the list.
    let jan2 = new_id();
    s.store
        .apply(
            Change::StartCorrection {
                original_id: s.jan.clone(),
                revision_id: jan2.clone(),
                started_at: at(2026, 3, 1, 9, 0),
            },
            at(2026, 3, 1, 9, 0),
        )
        .unwrap();

    let history = s.store.meeting_history(&s.fx.cell.id).unwrap();
    let ids: Vec<&str> = history.iter().map(|h| h.meeting_id.as_str()).collect();
    assert_eq!(ids, vec![s.apr.as_str(), &s.mar, &s.feb, &jan2, &s.dec]);

    let numbers: Vec<(u32, u32, Option<f64>)> = history
        .iter()
        .map(|h| (h.present, h.expected, h.attendance_rate_percent))
        .collect();
    assert_eq!(
        numbers[1..],
        [
            (9, 10, Some(90.0)), // March
            (9, 10, Some(90.0)), // February: the late member counts as present
            (8, 10, Some(80.0)), // January (revision 2): one unexcused absence
            (9, 10, Some(90.0)), // December
        ]
    );
    let apr = &history[0];
    assert_eq!(apr.status, MeetingStatus::Planned);
    assert_eq!((apr.quality_total, apr.grade), (None, None));
    assert_eq!(apr.actual_start, None);
    assert_eq!(history[1].kind, MeetingKind::Extraordinary);
    assert_eq!(history[1].duration_minutes, Some(60));
    assert_eq!(history[2].status, MeetingStatus::Signed);
    assert_eq!(history[3].revision, 2);
    assert_eq!(history[3].status, MeetingStatus::Recorded);

    // The cached totals are the rules' own verdict.
    for h in &history[1..] {
        let a = s.store.assess(&h.meeting_id).unwrap();
        assert_eq!(h.quality_total, Some(a.quality.total), "{}", h.meeting_id);
        assert_eq!(h.grade, Some(a.quality.grade));
        assert_eq!(h.present, a.attendance.present);
        assert_eq!(h.attendance_rate_percent, a.attendance.rate_percent);
    }
}

#[test]
fn the_home_screen_shows_next_and_last_meeting_open_tasks_and_the_roster() {
    let s = season();
    let now = at(2026, 3, 15, 12, 0);
    let home = s.store.home(&s.fx.cell.id, now).unwrap();
    assert_eq!(home.cell, s.fx.cell);
    assert_eq!(
        home.next_meeting.as_ref().map(|m| m.id.as_str()),
        Some(s.apr.as_str())
    );

    let last = home.last_meeting.as_ref().unwrap();
    assert_eq!(last.meeting_id, s.mar);
    assert_eq!((last.present, last.expected), (9, 10));
    let assessment = s.store.assess(&s.mar).unwrap();
    assert_eq!(home.last_meeting_warnings, assessment.warnings);
    assert_eq!(last.quality_total, Some(assessment.quality.total));

    // February's two tasks are open; the one due 5 March is overdue on the 15th.
    let open: Vec<(&str, &str, bool)> = home
        .open_tasks
        .iter()
        .map(|t| {
            (
                t.task.description.as_str(),
                t.assignee_name.as_str(),
                t.overdue,
            )
        })
        .collect();
    assert_eq!(
        open,
        vec![
            ("Nhiệm vụ số 1", "Tòng Thị Lan", true),
            ("Nhiệm vụ số 2", "Vì Văn Nam", false),
        ]
    );
    assert!(home.open_tasks.iter().all(|t| t.meeting_id == s.feb));

    assert_eq!(
        home.members_by_status,
        vec![
            StatusCount {
                status: MemberStatus::Active,
                count: 9
            },
            StatusCount {
                status: MemberStatus::WorkingAway,
                count: 1
            },
            StatusCount {
                status: MemberStatus::Exempt,
                count: 1
            },
            StatusCount {
                status: MemberStatus::AttachedElsewhere,
                count: 1
            },
        ]
    );
    assert_eq!(
        home.viability,
        chibo_domain::rules::cell_viability(&s.store.members(&s.fx.cell.id).unwrap())
    );
    assert_eq!(
        home.pending_changes,
        s.store.pending_change_count().unwrap()
    );
    assert!(home.pending_changes > 0);
}

#[test]
fn tasks_reviewed_as_done_leave_the_home_screen() {
    let mut s = season();
    let feb_tasks = task_ids(&s.store, &s.feb);
    s.store
        .apply(
            Change::ReviewTask {
                meeting_id: s.apr.clone(),
                review: TaskReview {
                    task_id: feb_tasks[0].clone(),
                    outcome: TaskOutcome::Done,
                    note: Some("Đã hoàn thành".into()),
                },
            },
            at(2026, 4, 24, 19, 30),
        )
        .unwrap();
    let home = s.store.home(&s.fx.cell.id, at(2026, 4, 24, 20, 0)).unwrap();
    assert_eq!(home.open_tasks.len(), 1);
    assert_eq!(home.open_tasks[0].task.id, feb_tasks[1]);
    assert!(home.open_tasks[0].overdue);
}

#[test]
fn a_members_attendance_history_is_newest_first() {
    let s = season();
    let rows = s.store.member_attendance_history(&s.fx.id(3)).unwrap();
    let marks: Vec<(&str, Attendance)> = rows
        .iter()
        .map(|r| (r.meeting_id.as_str(), r.attendance))
        .collect();
    assert_eq!(
        marks,
        vec![
            (s.mar.as_str(), Attendance::Present),
            (s.feb.as_str(), Attendance::Present),
            (s.jan.as_str(), Attendance::AbsentUnexcused),
            (s.dec.as_str(), Attendance::Present),
        ]
    );
    assert_eq!(rows[0].kind, MeetingKind::Extraordinary);
    assert_eq!(rows[0].started_at, at(2026, 3, 10, 8, 0));
    let away = s
        .store
        .member_attendance_history(&s.fx.id(WORKING_AWAY))
        .unwrap();
    assert!(away
        .iter()
        .all(|r| r.attendance == Attendance::AbsentExcused));
    assert_eq!(away[0].reason.as_deref(), Some("Đi làm ăn xa"));
}

#[test]
fn attendance_for_a_year_counts_each_members_marks() {
    let s = season();
    let year = s.store.attendance_for_year(&s.fx.cell.id, 2026).unwrap();
    assert_eq!(year.len(), 12);
    let row = |i: usize| {
        year.iter()
            .find(|r| r.member_id == s.fx.id(i))
            .unwrap()
            .clone()
    };
    let counts = |r: MemberYearAttendance| {
        (
            r.meetings,
            r.present,
            r.absent_excused,
            r.absent_unexcused,
            r.not_expected,
        )
    };
    assert_eq!(counts(row(0)), (3, 3, 0, 0, 0));
    assert_eq!(counts(row(2)), (3, 3, 0, 0, 0), "late counts as present");
    assert_eq!(counts(row(3)), (3, 2, 0, 1, 0));
    assert_eq!(counts(row(WORKING_AWAY)), (3, 0, 3, 0, 0));
    assert_eq!(counts(row(EXEMPT)), (3, 0, 0, 0, 3));
    assert_eq!(counts(row(ATTACHED)), (3, 0, 0, 0, 3));
    assert_eq!(row(0).full_name, "Lò Văn Hùng");
    assert_eq!(year[0].member_id, s.fx.id(0), "the secretary first");

    let last_year = s.store.attendance_for_year(&s.fx.cell.id, 2025).unwrap();
    assert!(last_year.iter().all(|r| r.meetings == 1));
    let none = s.store.attendance_for_year(&s.fx.cell.id, 2024).unwrap();
    assert!(none.iter().all(|r| r.meetings == 0));
}

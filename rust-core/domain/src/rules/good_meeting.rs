//! The "good" regular meeting of Guideline 12: attendance above 85 %, nobody absent
//! without reason, and nobody absent (even excused) more than 3 times in a row in the
//! calendar year.

use serde::{Deserialize, Serialize};

use super::{summarize_attendance, MeetingContext, PastRollCall, Warning, WarningCode};
use crate::labels::format_percent;
use crate::model::{Attendance, RollCallEntry};

/// Attendance must be above this share for a good meeting.
pub const GOOD_ATTENDANCE_PERCENT: f64 = 85.0;
/// More absences in a row than this in a year spoil a good meeting.
pub const MAX_CONSECUTIVE_ABSENCES: u32 = 3;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GoodMeetingCheck {
    pub passed: bool,
    /// What kept the meeting from being "good", in Vietnamese with figures.
    pub shortfalls: Vec<String>,
}

/// How many meetings in a row, ending with the current one, the member has missed
/// this year (only excused absences when `excused_only`). Any other mark, or a meeting
/// where the member was not on the roll call, ends the run.
pub fn consecutive_absences(
    member_id: &str,
    earlier_this_year: &[PastRollCall],
    current: &[RollCallEntry],
    excused_only: bool,
) -> u32 {
    let counts = |entries: &[RollCallEntry]| {
        entries
            .iter()
            .find(|e| e.member_id == member_id)
            .is_some_and(|e| match e.attendance {
                Attendance::AbsentExcused => true,
                Attendance::AbsentUnexcused => !excused_only,
                _ => false,
            })
    };
    std::iter::once(current)
        .chain(
            earlier_this_year
                .iter()
                .rev()
                .map(|past| past.entries.as_slice()),
        )
        .take_while(|entries| counts(entries))
        .count() as u32
}

/// (member name, run length) for every member absent more than 3 times in a row.
fn long_absence_runs(ctx: &MeetingContext, excused_only: bool) -> Vec<(String, u32)> {
    ctx.roster
        .iter()
        .map(|m| {
            let run = consecutive_absences(
                &m.id,
                ctx.earlier_this_year,
                &ctx.record.roll_call,
                excused_only,
            );
            (m.full_name.clone(), run)
        })
        .filter(|(_, run)| *run > MAX_CONSECUTIVE_ABSENCES)
        .collect()
}

/// Whether anyone has been absent with excuse more than 3 times in a row this year
/// (Guideline 42 takes a point for it).
pub(crate) fn has_long_excused_absence_run(ctx: &MeetingContext) -> bool {
    !long_absence_runs(ctx, true).is_empty()
}

fn consecutive_absence_message(name: &str, run: u32) -> String {
    format!("Đồng chí {name} vắng {run} lần liên tiếp trong năm")
}

/// One ConsecutiveAbsences warning per member absent more than 3 times in a row.
pub fn consecutive_absence_warnings(ctx: &MeetingContext) -> Vec<Warning> {
    long_absence_runs(ctx, false)
        .into_iter()
        .map(|(name, run)| {
            Warning::new(
                WarningCode::ConsecutiveAbsences,
                consecutive_absence_message(&name, run),
            )
        })
        .collect()
}

pub fn check_good_meeting(ctx: &MeetingContext) -> GoodMeetingCheck {
    let attendance = summarize_attendance(ctx.roster, &ctx.record.roll_call);
    let mut shortfalls = Vec::new();
    match attendance.rate_percent {
        Some(rate) if rate > GOOD_ATTENDANCE_PERCENT => {}
        Some(rate) => shortfalls.push(format!(
            "Tỷ lệ dự họp {} ({}/{}), chưa đạt trên {}",
            format_percent(rate),
            attendance.present,
            attendance.expected,
            format_percent(GOOD_ATTENDANCE_PERCENT)
        )),
        None => shortfalls.push("Không có đảng viên nào phải dự họp".to_string()),
    }
    let unexcused = attendance.unexcused_names();
    if !unexcused.is_empty() {
        shortfalls.push(format!(
            "Có đảng viên vắng không lý do: {}",
            unexcused.join(", ")
        ));
    }
    shortfalls.extend(
        long_absence_runs(ctx, false)
            .iter()
            .map(|(name, run)| consecutive_absence_message(name, *run)),
    );
    GoodMeetingCheck {
        passed: shortfalls.is_empty(),
        shortfalls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MeetingRecord;
    use crate::rules::test_support::*;

    /// Member 1's marks at the meetings of January to September, oldest first.
    fn year_of(marks: &[Attendance]) -> Vec<PastRollCall> {
        (1..)
            .zip(marks)
            .map(|(month, mark)| past(month, month, vec![entry(&id(1), *mark)]))
            .collect()
    }

    use Attendance::{AbsentExcused as Excused, AbsentUnexcused as Unexcused, Present};

    #[test]
    fn the_run_ends_at_the_current_meeting() {
        let earlier = year_of(&[Excused, Present, Excused, Unexcused, Excused]);
        let current = [entry(&id(1), Excused)];
        assert_eq!(consecutive_absences(&id(1), &earlier, &current, false), 4);
        // Counting only excused absences, the unexcused one in April breaks the run.
        assert_eq!(consecutive_absences(&id(1), &earlier, &current, true), 2);
        // Present today: no run at all.
        assert_eq!(
            consecutive_absences(&id(1), &earlier, &[entry(&id(1), Present)], false),
            0
        );
    }

    #[test]
    fn a_meeting_without_the_member_ends_the_run() {
        let mut earlier = year_of(&[Excused, Excused, Excused]);
        earlier[1].entries.clear();
        let current = [entry(&id(1), Excused)];
        assert_eq!(consecutive_absences(&id(1), &earlier, &current, false), 2);
    }

    fn fixture(members: u32) -> Fixture {
        Fixture::new(full_members(members))
    }

    #[test]
    fn full_attendance_is_a_good_meeting() {
        let f = fixture(10);
        assert_eq!(
            check_good_meeting(&f.ctx()),
            GoodMeetingCheck {
                passed: true,
                shortfalls: vec![]
            }
        );
    }

    #[test]
    fn eighty_five_percent_is_not_enough() {
        // 17 of 20 present, both absences excused: exactly 85 %.
        let mut f = fixture(20);
        for n in 18..=20 {
            mark(&mut f.record.roll_call, &id(n), Excused);
        }
        let check = check_good_meeting(&f.ctx());
        assert!(!check.passed);
        assert_eq!(
            check.shortfalls,
            vec!["Tỷ lệ dự họp 85% (17/20), chưa đạt trên 85%"]
        );
    }

    #[test]
    fn one_unexcused_absence_spoils_a_well_attended_meeting() {
        // 19 of 20 present (95 %), but the one absent gave no reason.
        let mut f = fixture(20);
        mark(&mut f.record.roll_call, &id(20), Unexcused);
        let check = check_good_meeting(&f.ctx());
        assert!(!check.passed);
        assert_eq!(
            check.shortfalls,
            vec!["Có đảng viên vắng không lý do: Đảng viên 20"]
        );
    }

    #[test]
    fn a_fourth_absence_in_a_row_spoils_the_meeting_and_is_warned() {
        let mut f = fixture(20);
        f.earlier_this_year = (7..=9)
            .map(|month| {
                let mut entries = everyone_present(&f.roster);
                mark(&mut entries, &id(5), Excused);
                past(month, month, entries)
            })
            .collect();
        mark(&mut f.record.roll_call, &id(5), Excused);
        let check = check_good_meeting(&f.ctx());
        assert!(!check.passed);
        assert_eq!(
            check.shortfalls,
            vec!["Đồng chí Đảng viên 5 vắng 4 lần liên tiếp trong năm"]
        );
        assert_eq!(
            consecutive_absence_warnings(&f.ctx()),
            vec![Warning::new(
                WarningCode::ConsecutiveAbsences,
                "Đồng chí Đảng viên 5 vắng 4 lần liên tiếp trong năm"
            )]
        );
        assert!(has_long_excused_absence_run(&f.ctx()));

        // Three in a row is still allowed.
        f.earlier_this_year.remove(0);
        assert!(check_good_meeting(&f.ctx()).passed);
        assert!(!has_long_excused_absence_run(&f.ctx()));
    }

    #[test]
    fn no_roll_call_is_no_good_meeting() {
        let f = Fixture {
            record: MeetingRecord::new(meeting(95)),
            ..fixture(0)
        };
        assert!(!check_good_meeting(&f.ctx()).passed);
    }
}

//! When a cell's regular meeting is due, and what is overdue.
//!
//! A cell *meets* in a month when a held (recorded or signed) meeting with the regular
//! monthly part ([`MeetingKind::is_regular`]) started in that month, Vietnam time. Its
//! regular meeting is due on the cell's own `meeting_day`, else on the 24th the communes
//! practise ([`DEFAULT_MEETING_DAY`]), clamped to the month's last day. A cell that has
//! not met is overdue from the day after.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::{Cell, Meeting, MeetingKind, Task};
use crate::time::{from_local, local_date, CalendarDate, EpochMillis};

/// The day of the month village cells hold their regular meeting when the cell has not
/// set its own.
pub const DEFAULT_MEETING_DAY: u8 = 24;

/// Where a cell stands with its regular meeting of one month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum MonthlyMeetingStatus {
    Met,
    /// Not met, and the meeting day has not passed.
    NotYet,
    /// Not met, and the meeting day has passed: the office should chase it.
    Overdue,
}

/// Whether this meeting makes its month "met": held, with the regular monthly part.
pub fn counts_as_monthly_meeting(meeting: &Meeting) -> bool {
    counts_as_monthly_kind(meeting.kind, meeting.status.is_held())
}

/// The same rule for a meeting known only by its kind and whether it was held (a
/// stored summary, a row).
pub fn counts_as_monthly_kind(kind: MeetingKind, held: bool) -> bool {
    held && kind.is_regular()
}

fn last_day_of_month(year: i32, month: u32) -> u32 {
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day())
}

/// The day the cell's regular meeting is due in that month.
pub fn meeting_day(cell: &Cell, year: i32, month: u32) -> CalendarDate {
    let month = month.clamp(1, 12);
    let day = u32::from(cell.meeting_day.unwrap_or(DEFAULT_MEETING_DAY))
        .clamp(1, last_day_of_month(year, month));
    CalendarDate::from_ymd(year, month, day)
        .or_else(|| CalendarDate::from_ymd(year, month, 1))
        .unwrap_or(CalendarDate(NaiveDate::MIN))
}

/// The cell's next meeting day from `today`: this month's, or next month's once this
/// month's has passed.
pub fn next_meeting_day(cell: &Cell, today: CalendarDate) -> CalendarDate {
    let (year, month) = (today.0.year(), today.0.month());
    let this_month = meeting_day(cell, year, month);
    if this_month >= today {
        this_month
    } else if month == 12 {
        meeting_day(cell, year + 1, 1)
    } else {
        meeting_day(cell, year, month + 1)
    }
}

/// [`next_meeting_day`] as of the instant `now` (the phone plans its next meeting on it).
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn next_meeting_day_from(cell: Cell, now: EpochMillis) -> CalendarDate {
    next_meeting_day(&cell, local_date(now))
}

/// The hour and minute a regular meeting is planned at, Vietnam time: after the day's work.
pub const DEFAULT_MEETING_TIME: (u32, u32) = (19, 30);

/// When the phone plans the cell's next regular meeting: [`next_meeting_day_from`] at
/// [`DEFAULT_MEETING_TIME`], Vietnam time.
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn next_meeting_start_from(cell: Cell, now: EpochMillis) -> EpochMillis {
    let (hour, minute) = DEFAULT_MEETING_TIME;
    let day = next_meeting_day(&cell, local_date(now)).0;
    from_local(day.and_hms_opt(hour, minute, 0).unwrap_or_default())
}

/// Where the cell stands in (year, month) as of `today`, given whether it met.
pub fn monthly_meeting_status(
    cell: &Cell,
    year: i32,
    month: u32,
    met: bool,
    today: CalendarDate,
) -> MonthlyMeetingStatus {
    if met {
        MonthlyMeetingStatus::Met
    } else if today > meeting_day(cell, year, month) {
        MonthlyMeetingStatus::Overdue
    } else {
        MonthlyMeetingStatus::NotYet
    }
}

/// A task is overdue once its deadline (a Vietnam date) has passed; whoever knows it is
/// done stops asking.
pub fn task_overdue(task: &Task, today: CalendarDate) -> bool {
    task.deadline < today
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MeetingStatus;
    use crate::rules::test_support::cell;

    fn date(y: i32, m: u32, d: u32) -> CalendarDate {
        CalendarDate::from_ymd(y, m, d).unwrap()
    }

    #[test]
    fn the_meeting_day_is_the_cells_own_else_the_24th_within_the_month() {
        let mut c = cell();
        c.meeting_day = None;
        assert_eq!(meeting_day(&c, 2026, 11), date(2026, 11, 24));
        c.meeting_day = Some(31);
        assert_eq!(meeting_day(&c, 2026, 2), date(2026, 2, 28));
        assert_eq!(meeting_day(&c, 2028, 2), date(2028, 2, 29));
        c.meeting_day = Some(5);
        assert_eq!(meeting_day(&c, 2026, 12), date(2026, 12, 5));
    }

    #[test]
    fn the_next_meeting_day_moves_to_next_month_once_passed() {
        let mut c = cell();
        c.meeting_day = Some(24);
        assert_eq!(next_meeting_day(&c, date(2026, 11, 2)), date(2026, 11, 24));
        assert_eq!(next_meeting_day(&c, date(2026, 11, 24)), date(2026, 11, 24));
        assert_eq!(next_meeting_day(&c, date(2026, 11, 25)), date(2026, 12, 24));
        assert_eq!(next_meeting_day(&c, date(2026, 12, 30)), date(2027, 1, 24));
    }

    #[test]
    fn the_next_meeting_is_planned_at_half_past_seven_in_the_evening_vietnam_time() {
        let mut c = cell();
        c.meeting_day = Some(24);
        let now = from_local(date(2026, 11, 25).0.and_hms_opt(8, 0, 0).unwrap());
        let start = next_meeting_start_from(c, now);
        assert_eq!(
            crate::time::local_datetime(start),
            date(2026, 12, 24).0.and_hms_opt(19, 30, 0).unwrap()
        );
    }

    #[test]
    fn a_cell_is_overdue_from_the_day_after_its_meeting_day() {
        let mut c = cell();
        c.meeting_day = Some(24);
        let status = |today, met| monthly_meeting_status(&c, 2026, 11, met, today);
        assert_eq!(
            status(date(2026, 11, 24), false),
            MonthlyMeetingStatus::NotYet
        );
        assert_eq!(
            status(date(2026, 11, 25), false),
            MonthlyMeetingStatus::Overdue
        );
        assert_eq!(status(date(2026, 11, 25), true), MonthlyMeetingStatus::Met);
    }

    #[test]
    fn only_a_held_meeting_with_the_regular_part_makes_the_month() {
        let mut m = crate::rules::test_support::meeting(95);
        m.kind = MeetingKind::RegularWithThematic;
        m.status = MeetingStatus::Signed;
        assert!(counts_as_monthly_meeting(&m));
        m.status = MeetingStatus::InProgress;
        assert!(!counts_as_monthly_meeting(&m));
        m.status = MeetingStatus::Recorded;
        m.kind = MeetingKind::Thematic;
        assert!(!counts_as_monthly_meeting(&m));
    }
}

//! The attendance block of the minutes and the attendance rate.
//!
//! Rate = present ÷ expected. Members marked exempt (miễn sinh hoạt) or attached to
//! another cell for now are not expected; an exempt member who nevertheless attends is
//! marked present and then counts both as present and as expected. Late counts as present.

use serde::{Deserialize, Serialize};

use super::{Warning, WarningCode, GOOD_ATTENDANCE_PERCENT};
use crate::labels::format_percent;
use crate::model::{Attendance, Id, Member, MemberStatus, MembershipKind, RollCallEntry};

/// A member absent from the meeting, named in the minutes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Absentee {
    pub member_id: Id,
    pub full_name: String,
    pub excused: bool,
    pub reason: Option<String>,
}

/// The totals the minutes' attendance block reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AttendanceSummary {
    pub total_members: u32,
    pub full_members: u32,
    pub probationary_members: u32,
    /// Roster members whose status is exempt from meetings.
    pub exempt: u32,
    /// Roster members temporarily attending another cell.
    pub attached_elsewhere: u32,
    pub expected: u32,
    /// Includes those who came late.
    pub present: u32,
    pub late: u32,
    pub absent_excused: u32,
    pub absent_unexcused: u32,
    /// Exempt members who attended anyway (counted in `present` and `expected`).
    pub exempt_present: u32,
    /// None when nobody is expected.
    pub rate_percent: Option<f64>,
    /// In roster order.
    pub absentees: Vec<Absentee>,
}

impl AttendanceSummary {
    /// Names of the members absent without reason, in roster order.
    pub fn unexcused_names(&self) -> Vec<&str> {
        self.absentees
            .iter()
            .filter(|a| !a.excused)
            .map(|a| a.full_name.as_str())
            .collect()
    }
}

/// A member's mark at this meeting. A member not (yet) in the roll call falls back on
/// their standing status, so an exempt member never counts as expected just because
/// the secretary has not reached their name.
pub(crate) fn effective_attendance(
    member: &Member,
    roll_call: &[RollCallEntry],
) -> Option<Attendance> {
    match roll_call.iter().find(|e| e.member_id == member.id) {
        Some(entry) => Some(entry.attendance),
        None => match member.status {
            MemberStatus::Exempt => Some(Attendance::Exempt),
            MemberStatus::AttachedElsewhere => Some(Attendance::AttachedElsewhere),
            MemberStatus::Active | MemberStatus::WorkingAway => None,
        },
    }
}

/// Whether the member counts in the base of the attendance rate (and, if full, of votes).
pub(crate) fn is_expected(member: &Member, roll_call: &[RollCallEntry]) -> bool {
    effective_attendance(member, roll_call).is_none_or(Attendance::is_expected)
}

/// `part` as a percentage of `whole`; None when `whole` is zero.
pub fn percent_of(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) * 100.0 / f64::from(whole))
}

/// The attendance of several meetings taken together (a month of a commune, a trend):
/// everyone present over everyone expected, each meeting's counts as
/// [`summarize_attendance`] gives them; not the mean of the meetings' rates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PooledAttendance {
    pub present: u32,
    pub expected: u32,
}

impl PooledAttendance {
    pub fn add(&mut self, present: u32, expected: u32) {
        self.present += present;
        self.expected += expected;
    }

    pub fn rate_percent(&self) -> Option<f64> {
        percent_of(self.present, self.expected)
    }
}

pub fn summarize_attendance(roster: &[Member], roll_call: &[RollCallEntry]) -> AttendanceSummary {
    let count = |pred: &dyn Fn(&Member) -> bool| roster.iter().filter(|m| pred(m)).count() as u32;
    let marked = |m: &Member, wanted: fn(Attendance) -> bool| {
        effective_attendance(m, roll_call).is_some_and(wanted)
    };

    let expected = count(&|m| is_expected(m, roll_call));
    let present = count(&|m| marked(m, Attendance::is_present));
    let absentees = roster
        .iter()
        .filter_map(|m| {
            let entry = roll_call.iter().find(|e| e.member_id == m.id)?;
            entry.attendance.is_absent().then(|| Absentee {
                member_id: m.id.clone(),
                full_name: m.full_name.clone(),
                excused: entry.attendance == Attendance::AbsentExcused,
                reason: entry.reason.clone(),
            })
        })
        .collect();

    AttendanceSummary {
        total_members: roster.len() as u32,
        full_members: count(&|m| m.membership == MembershipKind::Full),
        probationary_members: count(&|m| m.membership == MembershipKind::Probationary),
        exempt: count(&|m| m.status == MemberStatus::Exempt),
        attached_elsewhere: count(&|m| m.status == MemberStatus::AttachedElsewhere),
        expected,
        present,
        late: count(&|m| marked(m, |a| a == Attendance::Late)),
        absent_excused: count(&|m| marked(m, |a| a == Attendance::AbsentExcused)),
        absent_unexcused: count(&|m| marked(m, |a| a == Attendance::AbsentUnexcused)),
        exempt_present: count(&|m| {
            m.status == MemberStatus::Exempt && marked(m, Attendance::is_present)
        }),
        rate_percent: percent_of(present, expected),
        absentees,
    }
}

/// LowAttendance when the rate is not above the "good meeting" line, and one
/// UnexcusedAbsence naming everyone absent without reason. Silent before the roll call.
pub fn attendance_warnings(summary: &AttendanceSummary) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if let Some(rate) = summary.rate_percent {
        if summary.present + summary.absent_excused + summary.absent_unexcused > 0
            && rate <= GOOD_ATTENDANCE_PERCENT
        {
            warnings.push(Warning::new(
                WarningCode::LowAttendance,
                format!(
                    "Tỷ lệ đảng viên dự họp {} ({}/{}), chưa đạt trên {}",
                    format_percent(rate),
                    summary.present,
                    summary.expected,
                    format_percent(GOOD_ATTENDANCE_PERCENT),
                ),
            ));
        }
    }
    let unexcused = summary.unexcused_names();
    if !unexcused.is_empty() {
        warnings.push(Warning::new(
            WarningCode::UnexcusedAbsence,
            format!(
                "{} đảng viên vắng không lý do: {}",
                unexcused.len(),
                unexcused.join(", ")
            ),
        ));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MembershipKind::{Full, Probationary};
    use crate::rules::test_support::*;

    #[test]
    fn a_pooled_rate_is_everyone_present_over_everyone_expected() {
        let mut pooled = PooledAttendance::default();
        assert_eq!(pooled.rate_percent(), None);
        pooled.add(9, 10);
        pooled.add(39, 39);
        // 48 of 49, not the mean of 90 % and 100 %.
        assert_eq!(pooled.rate_percent(), Some(48.0 * 100.0 / 49.0));
        assert_eq!(percent_of(0, 0), None);
    }

    /// 25 members: 20 full, 5 probationary; 7 exempt, 1 attached elsewhere.
    fn cell_of_25() -> Vec<Member> {
        (1..=25)
            .map(|n| {
                let kind = if n <= 20 { Full } else { Probationary };
                let status = match n {
                    1..=7 => MemberStatus::Exempt,
                    8 => MemberStatus::AttachedElsewhere,
                    _ => MemberStatus::Active,
                };
                member(n, kind, status)
            })
            .collect()
    }

    #[test]
    fn exempt_and_attached_members_are_not_expected() {
        let roster = cell_of_25();
        let summary = summarize_attendance(&roster, &everyone_present(&roster));
        assert_eq!(summary.total_members, 25);
        assert_eq!(summary.full_members, 20);
        assert_eq!(summary.probationary_members, 5);
        assert_eq!(summary.exempt, 7);
        assert_eq!(summary.attached_elsewhere, 1);
        assert_eq!(summary.expected, 17);
        assert_eq!(summary.present, 17);
        assert_eq!(summary.rate_percent, Some(100.0));
    }

    #[test]
    fn unmarked_members_fall_back_on_their_status() {
        let roster = cell_of_25();
        let summary = summarize_attendance(&roster, &[]);
        assert_eq!(summary.expected, 17);
        assert_eq!(summary.present, 0);
        assert_eq!(summary.rate_percent, Some(0.0));
    }

    #[test]
    fn late_counts_as_present_and_absentees_are_named() {
        let roster = cell_of_25();
        let mut roll_call = everyone_present(&roster);
        mark(&mut roll_call, &id(9), Attendance::Late);
        mark(&mut roll_call, &id(10), Attendance::AbsentExcused);
        roll_call[9].reason = Some("Ốm".into());
        mark(&mut roll_call, &id(11), Attendance::AbsentUnexcused);

        let summary = summarize_attendance(&roster, &roll_call);
        assert_eq!(summary.expected, 17);
        assert_eq!(summary.present, 15);
        assert_eq!(summary.late, 1);
        assert_eq!(summary.absent_excused, 1);
        assert_eq!(summary.absent_unexcused, 1);
        assert_eq!(
            crate::labels::format_percent(summary.rate_percent.unwrap()),
            "88,2%"
        );
        assert_eq!(
            summary.absentees,
            vec![
                Absentee {
                    member_id: id(10),
                    full_name: "Đảng viên 10".into(),
                    excused: true,
                    reason: Some("Ốm".into()),
                },
                Absentee {
                    member_id: id(11),
                    full_name: "Đảng viên 11".into(),
                    excused: false,
                    reason: None,
                },
            ]
        );
    }

    #[test]
    fn an_exempt_member_who_attends_counts_as_present_and_expected() {
        let roster = cell_of_25();
        let mut roll_call = everyone_present(&roster);
        mark(&mut roll_call, &id(1), Attendance::Present);
        let summary = summarize_attendance(&roster, &roll_call);
        assert_eq!(summary.expected, 18);
        assert_eq!(summary.present, 18);
        assert_eq!(summary.exempt_present, 1);
        assert_eq!(summary.exempt, 7);
    }

    #[test]
    fn nobody_expected_means_no_rate() {
        let roster = vec![member(1, Full, MemberStatus::Exempt)];
        let summary = summarize_attendance(&roster, &everyone_present(&roster));
        assert_eq!(summary.expected, 0);
        assert_eq!(summary.rate_percent, None);
        assert!(attendance_warnings(&summary).is_empty());
    }

    #[test]
    fn low_attendance_and_unexcused_absence_are_warned_with_figures() {
        let roster = full_members(10);
        let mut roll_call = everyone_present(&roster);
        mark(&mut roll_call, &id(8), Attendance::AbsentExcused);
        mark(&mut roll_call, &id(9), Attendance::AbsentUnexcused);
        mark(&mut roll_call, &id(10), Attendance::AbsentUnexcused);
        let warnings = attendance_warnings(&summarize_attendance(&roster, &roll_call));
        assert_eq!(
            warnings,
            vec![
                Warning::new(
                    WarningCode::LowAttendance,
                    "Tỷ lệ đảng viên dự họp 70% (7/10), chưa đạt trên 85%"
                ),
                Warning::new(
                    WarningCode::UnexcusedAbsence,
                    "2 đảng viên vắng không lý do: Đảng viên 9, Đảng viên 10"
                ),
            ]
        );
    }

    #[test]
    fn no_warning_before_the_roll_call() {
        let roster = full_members(10);
        assert!(attendance_warnings(&summarize_attendance(&roster, &[])).is_empty());
    }
}

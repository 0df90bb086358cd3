//! Members approaching removal (xóa tên): missing the monthly meeting in 3 months of a
//! calendar year without good reason leads the cell to consider proposing removal. Months
//! are counted, not meetings: a missed regular and thematic meeting in one month is one.

use serde::{Deserialize, Serialize};

use super::{PastRollCall, Warning, WarningCode};
use crate::model::{Attendance, Id, Member};
use crate::time::local_year_month;

/// Unexcused absences in a year that put a member up for removal.
pub const REMOVAL_LINE: u32 = 3;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RemovalWatch {
    pub member_id: Id,
    pub full_name: String,
    /// Months of this calendar year with an unexcused absence, the current meeting included.
    pub unexcused_absences: u32,
    /// The line is reached: the cell should consider a removal proposal.
    pub reached: bool,
}

/// Members with unexcused absences in at least 2 months this year, most first.
pub fn removal_watch(
    roster: &[Member],
    earlier_this_year: &[PastRollCall],
    current: &PastRollCall,
) -> Vec<RemovalWatch> {
    let meetings: Vec<&PastRollCall> = earlier_this_year
        .iter()
        .chain(std::iter::once(current))
        .filter(|meeting| meeting.kind.is_regular() || meeting.kind.has_thematic_part())
        .collect();
    let mut watch: Vec<RemovalWatch> = roster
        .iter()
        .map(|m| {
            let mut months: Vec<(i32, u32)> = meetings
                .iter()
                .filter(|meeting| {
                    meeting
                        .entries
                        .iter()
                        .any(|e| e.member_id == m.id && e.attendance == Attendance::AbsentUnexcused)
                })
                .map(|meeting| local_year_month(meeting.started_at))
                .collect();
            months.dedup();
            let unexcused_absences = months.len() as u32;
            RemovalWatch {
                member_id: m.id.clone(),
                full_name: m.full_name.clone(),
                unexcused_absences,
                reached: unexcused_absences >= REMOVAL_LINE,
            }
        })
        .filter(|w| w.unexcused_absences + 1 >= REMOVAL_LINE)
        .collect();
    // Stable: members with equal counts keep roster order.
    watch.sort_by_key(|w| std::cmp::Reverse(w.unexcused_absences));
    watch
}

/// One RemovalLine warning per watched member.
pub fn removal_warnings(watch: &[RemovalWatch]) -> Vec<Warning> {
    watch
        .iter()
        .map(|w| {
            let message = if w.reached {
                format!(
                    "Đồng chí {} đã vắng sinh hoạt không lý do {} tháng trong năm; chi bộ cần \
                     xem xét đề nghị xóa tên",
                    w.full_name, w.unexcused_absences
                )
            } else {
                format!(
                    "Đồng chí {} đã vắng sinh hoạt không lý do {} tháng trong năm; vắng thêm \
                     {} tháng sẽ bị xem xét xóa tên",
                    w.full_name,
                    w.unexcused_absences,
                    REMOVAL_LINE - w.unexcused_absences
                )
            };
            Warning::new(WarningCode::RemovalLine, message)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;
    use Attendance::{AbsentExcused, AbsentUnexcused};

    #[test]
    fn members_at_two_and_three_unexcused_absences_are_watched() {
        let roster = full_members(5);
        let month = |n: u32, unexcused: &[u32], excused: &[u32]| {
            let mut entries = everyone_present(&roster);
            for m in unexcused {
                mark(&mut entries, &id(*m), AbsentUnexcused);
            }
            for m in excused {
                mark(&mut entries, &id(*m), AbsentExcused);
            }
            past(n, n, entries)
        };
        // Member 2: unexcused in March and May; member 3: in March, June and now;
        // member 4: once unexcused and often excused, which does not count.
        let earlier = vec![
            month(3, &[2, 3], &[4]),
            month(5, &[2], &[4]),
            month(6, &[3, 4], &[]),
        ];
        let mut current = everyone_present(&roster);
        mark(&mut current, &id(3), AbsentUnexcused);
        mark(&mut current, &id(4), AbsentExcused);

        let watch = removal_watch(&roster, &earlier, &past(9, 10, current));
        assert_eq!(
            watch,
            vec![
                RemovalWatch {
                    member_id: id(3),
                    full_name: "Đảng viên 3".into(),
                    unexcused_absences: 3,
                    reached: true,
                },
                RemovalWatch {
                    member_id: id(2),
                    full_name: "Đảng viên 2".into(),
                    unexcused_absences: 2,
                    reached: false,
                },
            ]
        );
        assert_eq!(
            removal_warnings(&watch),
            vec![
                Warning::new(
                    WarningCode::RemovalLine,
                    "Đồng chí Đảng viên 3 đã vắng sinh hoạt không lý do 3 tháng trong năm; chi \
                     bộ cần xem xét đề nghị xóa tên"
                ),
                Warning::new(
                    WarningCode::RemovalLine,
                    "Đồng chí Đảng viên 2 đã vắng sinh hoạt không lý do 2 tháng trong năm; vắng \
                     thêm 1 tháng sẽ bị xem xét xóa tên"
                ),
            ]
        );
    }

    #[test]
    fn one_unexcused_absence_is_not_watched() {
        let roster = full_members(3);
        let mut current = everyone_present(&roster);
        mark(&mut current, &id(1), AbsentUnexcused);
        assert!(removal_watch(&roster, &[], &past(1, 10, current)).is_empty());
    }

    #[test]
    fn two_meetings_missed_in_one_month_count_as_one_month() {
        let roster = full_members(3);
        let mut missed = everyone_present(&roster);
        mark(&mut missed, &id(1), AbsentUnexcused);
        // A regular and an extra thematic meeting in September, then October.
        let mut thematic = past(2, 9, missed.clone());
        thematic.kind = crate::model::MeetingKind::Thematic;
        let earlier = vec![past(1, 9, missed.clone()), thematic];
        let watch = removal_watch(&roster, &earlier, &past(3, 10, missed));
        assert_eq!(watch.len(), 1);
        assert_eq!(watch[0].unexcused_absences, 2);
        assert!(!watch[0].reached);
    }
}

//! Members approaching removal (xóa tên): missing meetings 3 times in a calendar year
//! without good reason leads the cell to consider proposing removal.

use serde::{Deserialize, Serialize};

use super::{PastRollCall, Warning, WarningCode};
use crate::model::{Attendance, Id, Member, RollCallEntry};

/// Unexcused absences in a year that put a member up for removal.
pub const REMOVAL_LINE: u32 = 3;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RemovalWatch {
    pub member_id: Id,
    pub full_name: String,
    /// This calendar year, including the current meeting.
    pub unexcused_absences: u32,
    /// The line is reached: the cell should consider a removal proposal.
    pub reached: bool,
}

/// Members with at least 2 unexcused absences this year, most absences first.
pub fn removal_watch(
    roster: &[Member],
    earlier_this_year: &[PastRollCall],
    current: &[RollCallEntry],
) -> Vec<RemovalWatch> {
    let meetings: Vec<&[RollCallEntry]> = earlier_this_year
        .iter()
        .map(|past| past.entries.as_slice())
        .chain(std::iter::once(current))
        .collect();
    let mut watch: Vec<RemovalWatch> = roster
        .iter()
        .map(|m| {
            let unexcused_absences = meetings
                .iter()
                .filter(|entries| {
                    entries
                        .iter()
                        .any(|e| e.member_id == m.id && e.attendance == Attendance::AbsentUnexcused)
                })
                .count() as u32;
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
                    "Đồng chí {} đã vắng không lý do {} lần trong năm; chi bộ cần xem xét \
                     đề nghị xóa tên",
                    w.full_name, w.unexcused_absences
                )
            } else {
                format!(
                    "Đồng chí {} đã vắng không lý do {} lần trong năm; vắng thêm {} lần sẽ \
                     bị xem xét xóa tên",
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

        let watch = removal_watch(&roster, &earlier, &current);
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
                    "Đồng chí Đảng viên 3 đã vắng không lý do 3 lần trong năm; chi bộ cần xem \
                     xét đề nghị xóa tên"
                ),
                Warning::new(
                    WarningCode::RemovalLine,
                    "Đồng chí Đảng viên 2 đã vắng không lý do 2 lần trong năm; vắng thêm 1 lần \
                     sẽ bị xem xét xóa tên"
                ),
            ]
        );
    }

    #[test]
    fn one_unexcused_absence_is_not_watched() {
        let roster = full_members(3);
        let mut current = everyone_present(&roster);
        mark(&mut current, &id(1), AbsentUnexcused);
        assert!(removal_watch(&roster, &[], &current).is_empty());
    }
}

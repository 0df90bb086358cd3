//! Whether a cell can take valid decisions (≥ 3 full members) and may have an elected
//! cell committee (≥ 9 full members, at most 7 people).

use serde::{Deserialize, Serialize};

use super::{Warning, WarningCode};
use crate::model::{Member, MemberRole, MembershipKind};

const MIN_FULL_MEMBERS: u32 = 3;
const COMMITTEE_MIN_FULL_MEMBERS: u32 = 9;
const COMMITTEE_MAX_PEOPLE: u32 = 7;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CellViability {
    pub full_members: u32,
    pub total_members: u32,
    /// At least 3 full members: the cell can take valid decisions.
    pub viable: bool,
    /// At least 9 full members: the cell may elect a committee (chi ủy).
    pub committee_allowed: bool,
    pub warnings: Vec<Warning>,
}

pub fn cell_viability(roster: &[Member]) -> CellViability {
    let full_members = roster
        .iter()
        .filter(|m| m.membership == MembershipKind::Full)
        .count() as u32;
    let viable = full_members >= MIN_FULL_MEMBERS;
    let committee_allowed = full_members >= COMMITTEE_MIN_FULL_MEMBERS;
    let committee_members = roster
        .iter()
        .filter(|m| m.role == MemberRole::CellCommittee)
        .count() as u32;
    // The committee is the secretary, deputies and committee members together.
    let committee_size = roster
        .iter()
        .filter(|m| m.role != MemberRole::Member)
        .count() as u32;

    let mut warnings = Vec::new();
    if !viable {
        warnings.push(Warning::new(
            WarningCode::CellNotViable,
            format!(
                "Chi bộ chỉ còn {full_members} đảng viên chính thức, chưa đủ \
                 {MIN_FULL_MEMBERS} theo quy định"
            ),
        ));
    }
    if committee_members > 0 && !committee_allowed {
        warnings.push(Warning::new(
            WarningCode::CommitteeNotAllowed,
            format!(
                "Chi bộ có {full_members} đảng viên chính thức, chưa đủ \
                 {COMMITTEE_MIN_FULL_MEMBERS} để bầu chi ủy, nhưng đang có \
                 {committee_members} chi ủy viên"
            ),
        ));
    }
    if committee_allowed && committee_size > COMMITTEE_MAX_PEOPLE {
        warnings.push(Warning::new(
            WarningCode::CommitteeNotAllowed,
            format!("Chi ủy có {committee_size} người, vượt mức tối đa {COMMITTEE_MAX_PEOPLE}"),
        ));
    }

    CellViability {
        full_members,
        total_members: roster.len() as u32,
        viable,
        committee_allowed,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MemberStatus, MembershipKind::Probationary};
    use crate::rules::test_support::*;

    /// Six members: `full` full, the rest probationary.
    fn six_members(full: u32) -> Vec<Member> {
        let mut roster = full_members(full);
        roster.extend((full + 1..=6).map(|n| member(n, Probationary, MemberStatus::Active)));
        roster
    }

    #[test]
    fn a_six_member_cell_dropping_below_three_full_members() {
        let before = cell_viability(&six_members(3));
        assert!(before.viable);
        assert!(before.warnings.is_empty());

        let after = cell_viability(&six_members(2));
        assert_eq!(after.full_members, 2);
        assert_eq!(after.total_members, 6);
        assert!(!after.viable);
        assert_eq!(
            after.warnings,
            vec![Warning::new(
                WarningCode::CellNotViable,
                "Chi bộ chỉ còn 2 đảng viên chính thức, chưa đủ 3 theo quy định"
            )]
        );
    }

    #[test]
    fn a_committee_needs_nine_full_members() {
        let mut roster = full_members(8);
        roster[0].role = MemberRole::Secretary;
        roster[1].role = MemberRole::CellCommittee;
        let eight = cell_viability(&roster);
        assert!(!eight.committee_allowed);
        assert_eq!(
            eight.warnings,
            vec![Warning::new(
                WarningCode::CommitteeNotAllowed,
                "Chi bộ có 8 đảng viên chính thức, chưa đủ 9 để bầu chi ủy, nhưng đang có 1 \
                 chi ủy viên"
            )]
        );

        roster.push(member(9, MembershipKind::Full, MemberStatus::Active));
        let nine = cell_viability(&roster);
        assert!(nine.committee_allowed);
        assert!(nine.warnings.is_empty());
    }

    #[test]
    fn a_secretary_and_deputy_alone_need_no_committee() {
        let mut roster = full_members(5);
        roster[0].role = MemberRole::Secretary;
        roster[1].role = MemberRole::DeputySecretary;
        assert!(cell_viability(&roster).warnings.is_empty());
    }

    #[test]
    fn a_committee_has_at_most_seven_people() {
        let mut roster = full_members(20);
        roster[0].role = MemberRole::Secretary;
        roster[1].role = MemberRole::DeputySecretary;
        for m in &mut roster[2..8] {
            m.role = MemberRole::CellCommittee;
        }
        assert_eq!(
            cell_viability(&roster).warnings,
            vec![Warning::new(
                WarningCode::CommitteeNotAllowed,
                "Chi ủy có 8 người, vượt mức tối đa 7"
            )]
        );
    }
}

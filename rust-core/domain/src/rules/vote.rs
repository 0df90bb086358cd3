//! Votes: who may vote and what a question needs to pass.
//!
//! The vote base is the full members summoned, minus those attached to another cell for
//! now, minus exempt members who stay away. Probationary members never vote. An ordinary
//! resolution needs more than half of the base; admitting a member or confirming full
//! membership needs at least two thirds.

use serde::{Deserialize, Serialize};

use super::attendance::effective_attendance;
use super::{Warning, WarningCode};
use crate::model::{Attendance, Id, Member, MembershipKind, RollCallEntry, VoteKind, VoteTally};

/// The judgement of one recorded vote.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct VoteOutcome {
    pub vote_id: Id,
    pub question: String,
    pub kind: VoteKind,
    /// Full members with a vote.
    pub base: u32,
    /// The fewest votes in favour that pass the question.
    pub required: u32,
    pub in_favor: u32,
    pub passed: bool,
}

pub fn vote_base(roster: &[Member], roll_call: &[RollCallEntry]) -> u32 {
    roster
        .iter()
        .filter(|m| m.membership == MembershipKind::Full)
        .filter(|m| {
            !matches!(
                effective_attendance(m, roll_call),
                Some(Attendance::AttachedElsewhere | Attendance::Exempt)
            )
        })
        .count() as u32
}

/// Full members at the meeting: nobody else can have raised a hand.
pub fn full_members_present(roster: &[Member], roll_call: &[RollCallEntry]) -> u32 {
    roster
        .iter()
        .filter(|m| m.membership == MembershipKind::Full)
        .filter(|m| effective_attendance(m, roll_call).is_some_and(Attendance::is_present))
        .count() as u32
}

/// [`full_members_present`] for the phone's vote form, which starts with every one of
/// them in favour (the usual outcome) and lets the secretary move hands from there.
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn voters_present(roster: Vec<Member>, roll_call: Vec<RollCallEntry>) -> u32 {
    full_members_present(&roster, &roll_call)
}

pub fn judge_vote(vote: &VoteTally, base: u32) -> VoteOutcome {
    // Widened: counts are typed by hand and must not wrap.
    let (in_favor, wide_base) = (u64::from(vote.in_favor), u64::from(base));
    let (required, reached) = match vote.kind {
        VoteKind::Ordinary => (base / 2 + 1, in_favor * 2 > wide_base),
        VoteKind::Admission | VoteKind::ConfirmFullMembership => (
            (2 * wide_base).div_ceil(3) as u32,
            in_favor * 3 >= wide_base * 2,
        ),
    };
    VoteOutcome {
        vote_id: vote.id.clone(),
        question: vote.question.clone(),
        kind: vote.kind,
        base,
        required,
        in_favor: vote.in_favor,
        // A cell without full members decides nothing.
        passed: base > 0 && reached,
    }
}

/// VoteFailed when the question did not reach its majority; VoteExceedsVoters when more
/// hands were counted than full members were present.
pub fn vote_warnings(
    vote: &VoteTally,
    outcome: &VoteOutcome,
    full_members_present: u32,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if !outcome.passed {
        let majority = match outcome.kind {
            VoteKind::Ordinary => "quá nửa đảng viên chính thức",
            VoteKind::Admission | VoteKind::ConfirmFullMembership => "2/3 đảng viên chính thức",
        };
        warnings.push(Warning::new(
            WarningCode::VoteFailed,
            format!(
                "Biểu quyết \"{}\" chưa đạt: {}/{} phiếu tán thành, cần ít nhất {} ({majority})",
                outcome.question, outcome.in_favor, outcome.base, outcome.required
            ),
        ));
    }
    let counted = u64::from(vote.in_favor) + u64::from(vote.against) + u64::from(vote.abstain);
    if counted > u64::from(full_members_present) {
        warnings.push(Warning::new(
            WarningCode::VoteExceedsVoters,
            format!(
                "Biểu quyết \"{}\" ghi {counted} phiếu nhưng chỉ có {full_members_present} \
                 đảng viên chính thức có mặt",
                vote.question
            ),
        ));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MemberStatus, MembershipKind::Probationary};
    use crate::rules::test_support::*;

    fn tally(kind: VoteKind, in_favor: u32, against: u32, abstain: u32) -> VoteTally {
        VoteTally {
            id: id(300),
            question: "Kết nạp quần chúng Lò Thị Hoa vào Đảng".into(),
            kind,
            in_favor,
            against,
            abstain,
        }
    }

    /// 14 full members (one attached elsewhere, one exempt) and 3 probationary members.
    fn roster() -> Vec<Member> {
        let mut roster = full_members(14);
        roster[12].status = MemberStatus::AttachedElsewhere;
        roster[13].status = MemberStatus::Exempt;
        roster.extend((15..=17).map(|n| member(n, Probationary, MemberStatus::Active)));
        roster
    }

    #[test]
    fn the_base_leaves_out_probationary_attached_and_absent_exempt_members() {
        let roster = roster();
        let roll_call = everyone_present(&roster);
        assert_eq!(vote_base(&roster, &roll_call), 12);
        assert_eq!(full_members_present(&roster, &roll_call), 12);
    }

    #[test]
    fn an_exempt_member_who_attends_votes() {
        let roster = roster();
        let mut roll_call = everyone_present(&roster);
        mark(&mut roll_call, &id(14), Attendance::Present);
        assert_eq!(vote_base(&roster, &roll_call), 13);
    }

    #[test]
    fn absent_full_members_stay_in_the_base() {
        let roster = roster();
        let mut roll_call = everyone_present(&roster);
        mark(&mut roll_call, &id(1), Attendance::AbsentExcused);
        assert_eq!(vote_base(&roster, &roll_call), 12);
        assert_eq!(full_members_present(&roster, &roll_call), 11);
    }

    #[test]
    fn the_vote_form_counts_late_full_members_and_no_probationary_ones() {
        let roster = roster();
        let mut roll_call = everyone_present(&roster);
        mark(&mut roll_call, &id(1), Attendance::Late);
        mark(&mut roll_call, &id(2), Attendance::AbsentUnexcused);
        assert_eq!(voters_present(roster, roll_call), 11);
    }

    #[test]
    fn an_admission_failing_by_one_vote() {
        let vote = tally(VoteKind::Admission, 7, 4, 1);
        let outcome = judge_vote(&vote, 12);
        assert_eq!(outcome.required, 8);
        assert!(!outcome.passed);
        assert_eq!(
            vote_warnings(&vote, &outcome, 12),
            vec![Warning::new(
                WarningCode::VoteFailed,
                "Biểu quyết \"Kết nạp quần chúng Lò Thị Hoa vào Đảng\" chưa đạt: 7/12 phiếu \
                 tán thành, cần ít nhất 8 (2/3 đảng viên chính thức)"
            )]
        );
        assert!(judge_vote(&tally(VoteKind::Admission, 8, 3, 1), 12).passed);
    }

    #[test]
    fn two_thirds_rounds_up() {
        let outcome = judge_vote(&tally(VoteKind::ConfirmFullMembership, 7, 3, 0), 10);
        assert_eq!(outcome.required, 7);
        assert!(outcome.passed);
        assert!(!judge_vote(&tally(VoteKind::ConfirmFullMembership, 6, 4, 0), 10).passed);
    }

    #[test]
    fn an_ordinary_resolution_needs_more_than_half() {
        let outcome = judge_vote(&tally(VoteKind::Ordinary, 6, 6, 0), 12);
        assert_eq!(outcome.required, 7);
        assert!(!outcome.passed);
        assert!(judge_vote(&tally(VoteKind::Ordinary, 7, 0, 0), 12).passed);
        assert!(judge_vote(&tally(VoteKind::Ordinary, 6, 0, 0), 11).passed);
    }

    #[test]
    fn a_cell_without_full_members_passes_nothing() {
        assert!(!judge_vote(&tally(VoteKind::Admission, 0, 0, 0), 0).passed);
    }

    #[test]
    fn more_hands_than_full_members_present_is_warned() {
        let vote = tally(VoteKind::Ordinary, 10, 2, 1);
        let outcome = judge_vote(&vote, 12);
        assert_eq!(
            vote_warnings(&vote, &outcome, 11),
            vec![Warning::new(
                WarningCode::VoteExceedsVoters,
                "Biểu quyết \"Kết nạp quần chúng Lò Thị Hoa vào Đảng\" ghi 13 phiếu nhưng chỉ \
                 có 11 đảng viên chính thức có mặt"
            )]
        );
    }
}

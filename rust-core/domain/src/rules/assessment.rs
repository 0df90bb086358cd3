//! The whole judgement of one meeting: every rule's figures and every warning, in one
//! record the apps display and the store caches.

use serde::{Deserialize, Serialize};

use super::*;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MeetingAssessment {
    pub attendance: AttendanceSummary,
    pub duration_minutes: Option<i64>,
    pub required_minutes: u32,
    pub speaking_share_percent: Option<f64>,
    pub task_results: Option<TaskResults>,
    pub votes: Vec<VoteOutcome>,
    pub good_meeting: GoodMeetingCheck,
    /// Scored with the secretary's judgement of the judged parts.
    pub quality: QualityScore,
    pub removal_watch: Vec<RemovalWatch>,
    pub viability: CellViability,
    /// Every shortfall, in the order of the meeting's procedure.
    pub warnings: Vec<Warning>,
}

pub fn assess_meeting(ctx: &MeetingContext) -> MeetingAssessment {
    let record = ctx.record;
    let meeting = &record.meeting;
    let roster = ctx.roster;
    let member_count = roster.len() as u32;

    let attendance = summarize_attendance(roster, &record.roll_call);
    let task_results = task_results(ctx.previous_tasks, &record.task_reviews);
    let base = vote_base(roster, &record.roll_call);
    let voters_present = full_members_present(roster, &record.roll_call);
    let votes: Vec<VoteOutcome> = record.votes.iter().map(|v| judge_vote(v, base)).collect();
    let current = PastRollCall {
        meeting_id: record.meeting.id.clone(),
        kind: record.meeting.kind,
        started_at: record
            .meeting
            .actual_start
            .unwrap_or(record.meeting.planned_start),
        entries: record.roll_call.clone(),
    };
    let removal_watch = removal_watch(roster, ctx.earlier_this_year, &current);
    let viability = cell_viability(roster);

    let mut warnings = Vec::new();
    warnings.extend(viability.warnings.iter().cloned());
    warnings.extend(notice_and_document_warnings(meeting));
    warnings.extend(duration_warning(meeting, member_count, ctx.settings));
    warnings.extend(attendance_warnings(&attendance));
    warnings.extend(status_mismatch_warnings(roster, &record.roll_call));
    warnings.extend(consecutive_absence_warnings(ctx));
    warnings.extend(removal_warnings(&removal_watch));
    warnings.extend(speaking_warning(record));
    warnings.extend(task_results.iter().flat_map(task_warnings));
    for (vote, outcome) in record.votes.iter().zip(&votes) {
        warnings.extend(vote_warnings(vote, outcome, voters_present));
    }
    warnings.extend(minutes_warning(record));
    if meeting.secretary_judgement.is_none() {
        warnings.push(Warning::new(
            WarningCode::ScoreNotEntered,
            "Chưa chấm điểm các tiêu chí đánh giá",
        ));
    }

    MeetingAssessment {
        attendance,
        duration_minutes: meeting.duration_minutes(),
        required_minutes: required_minutes(meeting.kind, member_count, ctx.settings),
        speaking_share_percent: speaking_share_percent(record),
        task_results,
        votes,
        good_meeting: check_good_meeting(ctx),
        quality: quality_score(ctx, meeting.secretary_judgement.as_ref()),
        removal_watch,
        viability,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Attendance;
    use crate::rules::test_support::*;

    fn codes(assessment: &MeetingAssessment) -> Vec<WarningCode> {
        assessment.warnings.iter().map(|w| w.code).collect()
    }

    #[test]
    fn an_exemplary_meeting_has_no_warnings() {
        let mut f = exemplary();
        f.record.meeting.secretary_judgement = Some(full_judged_marks());
        let a = assess_meeting(&f.ctx());
        assert_eq!(a.warnings, vec![]);
        assert_eq!(a.quality.total, 100);
        assert!(a.good_meeting.passed);
        assert_eq!(a.duration_minutes, Some(95));
        assert_eq!(a.required_minutes, 90);
        assert_eq!(a.attendance.rate_percent, Some(90.0));
        assert_eq!(a.task_results.map(|t| t.done_share_percent), Some(100.0));
        assert!(a.viability.viable);
    }

    #[test]
    fn a_short_poorly_attended_meeting_is_warned_in_vietnamese_with_figures() {
        // 60 minutes, 7 of 10 present: 70 %.
        let mut f = exemplary();
        f.record.meeting.actual_end = f.record.meeting.actual_start.map(|s| s + 60 * 60_000);
        mark(&mut f.record.roll_call, &id(8), Attendance::AbsentExcused);
        mark(&mut f.record.roll_call, &id(9), Attendance::AbsentExcused);
        let a = assess_meeting(&f.ctx());
        let messages: Vec<&str> = a.warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(messages.contains(&"Thời lượng 60 phút, chưa đủ 90 phút theo quy định"));
        assert!(messages.contains(&"Tỷ lệ đảng viên dự họp 70% (7/10), chưa đạt trên 85%"));
        assert!(messages.iter().any(|m| m.contains("60 phút")));
        assert!(messages.iter().any(|m| m.contains("70%")));
        assert_eq!(a.attendance.rate_percent, Some(70.0));
        assert!(!a.good_meeting.passed);
        assert!(codes(&a).contains(&WarningCode::ScoreNotEntered));
        // 0 for time, 2 for attendance + 1 bonus, 5 for speakers (6 of 7).
        assert_eq!(a.quality.total, 55 - 5 - 2);
    }

    #[test]
    fn every_rule_contributes_its_warnings() {
        let mut f = exemplary();
        let m = &mut f.record.meeting;
        m.preparation.notice_sent_to_members = false;
        m.preparation.documents_sent_at = None;
        m.final_documents_sent_at = None;
        m.minutes_approved = false;
        mark(&mut f.record.roll_call, &id(9), Attendance::AbsentUnexcused);
        f.earlier_this_year = (8..=9)
            .map(|month| {
                let mut entries = everyone_present(&f.roster);
                mark(&mut entries, &id(9), Attendance::AbsentUnexcused);
                past(month, month, entries)
            })
            .collect();
        f.record.task_reviews.pop();
        f.record.votes.push(crate::model::VoteTally {
            id: id(301),
            question: "Công nhận đảng viên chính thức".into(),
            kind: crate::model::VoteKind::ConfirmFullMembership,
            in_favor: 6,
            against: 2,
            abstain: 0,
        });
        f.record.speeches.truncate(2);

        let a = assess_meeting(&f.ctx());
        assert_eq!(
            codes(&a),
            vec![
                WarningCode::NoticeMissing,
                WarningCode::LateDocuments,
                WarningCode::LateFinalDocuments,
                WarningCode::LowAttendance,
                WarningCode::UnexcusedAbsence,
                WarningCode::RemovalLine,
                WarningCode::FewSpeakers,
                WarningCode::TasksNotReviewed,
                WarningCode::VoteFailed,
                WarningCode::MinutesIncomplete,
                WarningCode::ScoreNotEntered,
            ]
        );
        assert_eq!(a.removal_watch.len(), 1);
        assert!(a.removal_watch[0].reached);
        assert_eq!(a.votes[0].base, 10);
        assert_eq!(a.votes[0].required, 7);
        assert!(a.warnings.iter().any(|w| w.message
            == "Biểu quyết \"Công nhận đảng viên chính thức\" chưa đạt: 6/10 phiếu tán thành, \
                cần ít nhất 7 (2/3 đảng viên chính thức)"));
    }

    #[test]
    fn a_cell_below_three_full_members_is_flagged_in_the_assessment() {
        let f = Fixture::new(full_members(2));
        let a = assess_meeting(&f.ctx());
        assert_eq!(a.warnings[0].code, WarningCode::CellNotViable);
        assert!(!a.viability.viable);
    }
}

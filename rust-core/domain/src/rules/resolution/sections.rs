//! The body of the resolution, one function a part, in the order the template reads:
//! the opening, last month's results and their evaluation, next month's tasks and who
//! carries them out, the quality self-score and the votes.

use super::Months;
use crate::labels::{format_percent, in_sentence, Label};
use crate::model::{AgendaSection, Attendance, Guest, TaskOutcome};
use crate::rules::document::{time_text, Body};
use crate::rules::minutes::{absentee_names, outcome_text, vote_line};
use crate::rules::{member_name, MeetingAssessment, MeetingContext, QualityItem, WarningCode};

/// Warnings about the record itself rather than the cell's work stay out of the
/// resolution's shortcomings; the minutes list them.
const RECORD_KEEPING: [WarningCode; 2] =
    [WarningCode::MinutesIncomplete, WarningCode::ScoreNotEntered];

/// When, where and who: the attendance figures, the absentees by name, the duration and
/// the upper-level delegates, then the words that open the decisions.
pub(super) fn opening(
    doc: &mut Body,
    ctx: &MeetingContext,
    assessment: &MeetingAssessment,
    months: Months,
    delegates: &[&Guest],
) {
    let meeting = &ctx.record.meeting;
    let a = &assessment.attendance;
    let mut opening = format!(
        "Vào lúc {}, tại {}, {} tiến hành {} tháng {:02}/{}.",
        time_text(meeting.actual_start),
        meeting.planned_place,
        ctx.cell.name,
        in_sentence(meeting.kind.label()),
        months.month,
        months.year,
    );
    if let Some(topic) = meeting
        .thematic_topic
        .as_ref()
        .filter(|_| meeting.kind.has_thematic_part())
    {
        opening.push_str(&format!(" Chuyên đề: {topic}."));
    }
    doc.paragraph(opening);
    doc.paragraph(format!(
        "Tổng số đảng viên của chi bộ: {} (chính thức {}, dự bị {}); miễn sinh hoạt {}; \
         sinh hoạt tạm thời nơi khác {}; phải dự họp {}.",
        a.total_members,
        a.full_members,
        a.probationary_members,
        a.exempt,
        a.attached_elsewhere,
        a.expected
    ));
    let mut present = format!("Có mặt: {}/{} đảng viên", a.present, a.expected);
    if let Some(rate) = a.rate_percent {
        present.push_str(&format!(" (tỷ lệ {})", format_percent(rate)));
    }
    present.push_str(&format!(
        "; vắng có lý do {}; vắng không lý do {}.",
        a.absent_excused, a.absent_unexcused
    ));
    doc.paragraph(present);
    for (mark, excused) in [
        (Attendance::AbsentExcused, true),
        (Attendance::AbsentUnexcused, false),
    ] {
        let names = absentee_names(a, excused);
        if !names.is_empty() {
            doc.bullet(format!("{}: {names}", mark.label()));
        }
    }
    if let Some(minutes) = assessment.duration_minutes {
        doc.paragraph(format!("Thời gian sinh hoạt: {minutes} phút."));
    }
    for guest in delegates {
        doc.paragraph(format!(
            "Dự và chỉ đạo: đồng chí {} – {}.",
            guest.name, guest.title
        ));
    }
    doc.paragraph("Sau khi thảo luận, chi bộ thống nhất quyết nghị:");
}

/// Section I: last month's tasks one by one with their outcome, and the tally.
pub(super) fn last_month_results(
    doc: &mut Body,
    ctx: &MeetingContext,
    assessment: &MeetingAssessment,
) {
    doc.section("KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG TRƯỚC");
    let Some(results) = &assessment.task_results else {
        doc.paragraph("Tháng trước chi bộ không giao nhiệm vụ.");
        return;
    };
    let rows = (1..)
        .zip(ctx.previous_tasks)
        .map(|(n, task): (usize, _)| {
            let review = ctx.record.review_of(&task.id);
            let mut outcome = review.map(|r| r.outcome).label().to_string();
            if let Some(note) = review.and_then(|r| r.note.as_deref()) {
                outcome.push_str(&format!(" ({note})"));
            }
            vec![
                n.to_string(),
                task.description.clone(),
                member_name(ctx.roster, &task.assignee_id),
                task.deadline.to_vietnamese(),
                outcome,
            ]
        })
        .collect();
    doc.table(
        &["TT", "Nhiệm vụ", "Người thực hiện", "Thời hạn", "Kết quả"],
        &[6, 44, 20, 13, 17],
        rows,
    );
    doc.paragraph(format!(
        "Hoàn thành {}/{} nhiệm vụ; hoàn thành một phần {}; chưa hoàn thành {}; chưa \
         đánh giá {}; mức độ hoàn thành {}.",
        results.done,
        results.total,
        results.partly_done,
        results.not_done,
        results.unreviewed,
        format_percent(results.done_share_percent)
    ));
}

/// "1. Ưu điểm": tasks done, full attendance when the meeting was a good one, and the
/// chair's conclusions on the body of the meeting.
pub(super) fn strengths(doc: &mut Body, ctx: &MeetingContext, assessment: &MeetingAssessment) {
    doc.paragraph("1. Ưu điểm");
    let mut strengths = Vec::new();
    if let Some(results) = assessment.task_results.as_ref().filter(|r| r.done > 0) {
        strengths.push(format!(
            "Hoàn thành {}/{} nhiệm vụ nghị quyết tháng trước đề ra.",
            results.done, results.total
        ));
    }
    if assessment.good_meeting.passed {
        strengths.push(format!(
            "Đảng viên dự sinh hoạt đầy đủ{}, không có đảng viên vắng không lý do.",
            assessment
                .attendance
                .rate_percent
                .map(|r| format!(" ({})", format_percent(r)))
                .unwrap_or_default()
        ));
    }
    // The chair's conclusions on the body of the meeting (praise, the review of last
    // month) are what the cell itself recorded as its achievements.
    strengths.extend(
        ctx.record
            .agenda
            .iter()
            .filter(|item| item.section == AgendaSection::Body)
            .filter_map(|item| {
                let conclusion = item.conclusion.as_deref()?.trim();
                (!conclusion.is_empty()).then(|| format!("{}: {conclusion}", item.title))
            }),
    );
    bullets_or(doc, strengths, "(chưa ghi)");
}

/// "2. Hạn chế": last month's tasks not fully done, and the shortfalls against the
/// guidance other than record keeping.
pub(super) fn shortcomings(doc: &mut Body, ctx: &MeetingContext, assessment: &MeetingAssessment) {
    doc.paragraph("2. Hạn chế");
    let mut shortcomings: Vec<String> = ctx
        .previous_tasks
        .iter()
        .filter_map(|task| {
            let review = ctx.record.review_of(&task.id)?;
            (review.outcome != TaskOutcome::Done).then(|| {
                format!(
                    "Nhiệm vụ \"{}\" ({}) {}.",
                    task.description,
                    member_name(ctx.roster, &task.assignee_id),
                    outcome_text(Some(review.outcome))
                )
            })
        })
        .collect();
    shortcomings.extend(
        assessment
            .warnings
            .iter()
            .filter(|w| !RECORD_KEEPING.contains(&w.code))
            .map(|w| format!("{}.", w.message)),
    );
    bullets_or(doc, shortcomings, "Không có.");
}

/// Section II: the resolution's own text (or else the chair's conclusion), then next
/// month's tasks.
pub(super) fn next_month_tasks(doc: &mut Body, ctx: &MeetingContext, months: Months) {
    let record = ctx.record;
    let meeting = &record.meeting;
    doc.section(&format!(
        "NHIỆM VỤ THÁNG {:02}/{}",
        months.next_month, months.next_year
    ));
    match (&meeting.resolution, &meeting.conclusion) {
        (Some(resolution), _) if !resolution.text.trim().is_empty() => {
            doc.paragraph(&resolution.text)
        }
        (_, Some(conclusion)) if !conclusion.trim().is_empty() => doc.paragraph(conclusion),
        _ => {}
    }
    if record.tasks.is_empty() {
        doc.bullet("(chưa ghi)");
    }
    for (n, task) in (1..).zip(&record.tasks) {
        doc.numbered(n, &task.description);
    }
}

/// Section III: who carries out each task, who follows it up (the committee where the
/// cell has one, else the secretary), and the report due upward.
pub(super) fn organisation(
    doc: &mut Body,
    ctx: &MeetingContext,
    months: Months,
    has_committee: bool,
    committee: &str,
) {
    let tasks = &ctx.record.tasks;
    doc.section("TỔ CHỨC THỰC HIỆN");
    if !tasks.is_empty() {
        let rows = (1..)
            .zip(tasks)
            .map(|(n, task): (usize, _)| {
                vec![
                    n.to_string(),
                    task.description.clone(),
                    format!("Đồng chí {}", member_name(ctx.roster, &task.assignee_id)),
                    task.deadline.to_vietnamese(),
                ]
            })
            .collect();
        doc.table(
            &["TT", "Nhiệm vụ", "Người thực hiện", "Thời hạn"],
            &[6, 54, 24, 16],
            rows,
        );
    }
    let leaders = if has_committee {
        "Chi ủy"
    } else {
        "Bí thư chi bộ"
    };
    doc.bullet(format!(
        "{leaders} chỉ đạo, đôn đốc, kiểm tra việc thực hiện nghị quyết; đánh giá kết quả \
         tại kỳ sinh hoạt tháng {:02}/{}.",
        months.next_month, months.next_year
    ));
    doc.bullet(format!(
        "Đồng chí Bí thư chi bộ gửi nghị quyết, báo cáo {committee} trong vòng 2 ngày sau \
         buổi sinh hoạt."
    ));
    doc.bullet("Đảng viên trong chi bộ thực hiện nhiệm vụ được phân công.");
}

/// Section IV: the quality self-score by the guideline's groups, the total and grade.
pub(super) fn quality(doc: &mut Body, assessment: &MeetingAssessment) {
    let quality = &assessment.quality;
    doc.section("CHẤT LƯỢNG SINH HOẠT CHI BỘ");
    doc.table(
        &["Tiêu chí", "Điểm đạt", "Điểm tối đa"],
        &[60, 20, 20],
        points_by_group(&quality.items)
            .into_iter()
            .map(|(group, points, max)| vec![group, points.to_string(), max.to_string()])
            .collect(),
    );
    doc.paragraph(format!(
        "Chi bộ tự chấm: {}/100 điểm, xếp loại {}.",
        quality.total,
        quality.grade.label()
    ));
    if !quality.judged_entered {
        doc.paragraph(
            "(Chưa chấm các tiêu chí đánh giá; điểm trên chỉ gồm phần tính từ biên bản.)",
        );
    }
}

/// The points earned and the maximum of each group of the score table, in the order the
/// groups first appear.
fn points_by_group(items: &[QualityItem]) -> Vec<(String, u32, u32)> {
    let mut groups: Vec<(String, u32, u32)> = Vec::new();
    for item in items {
        match groups.iter_mut().find(|(g, _, _)| *g == item.group) {
            Some((_, points, max)) => {
                *points += item.points;
                *max += item.max;
            }
            None => groups.push((item.group.clone(), item.points, item.max)),
        }
    }
    groups
}

/// The outcome of each vote the record holds, in the record's order.
pub(super) fn vote_results(doc: &mut Body, ctx: &MeetingContext, assessment: &MeetingAssessment) {
    doc.paragraph("Kết quả biểu quyết:");
    let votes = &ctx.record.votes;
    if votes.is_empty() {
        doc.bullet("(chưa ghi)");
    }
    for vote in votes {
        if let Some(outcome) = assessment.votes.iter().find(|o| o.vote_id == vote.id) {
            doc.bullet(vote_line(vote, outcome));
        }
    }
}

/// One bullet a line, or `when_empty` alone when there is none.
fn bullets_or(doc: &mut Body, lines: Vec<String>, when_empty: &str) {
    if lines.is_empty() {
        doc.bullet(when_empty);
    }
    for line in lines {
        doc.bullet(line);
    }
}

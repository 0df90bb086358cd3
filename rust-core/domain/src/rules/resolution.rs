//! The monthly resolution (nghị quyết) after the Guideline 42 template: attendance and
//! duration, last month's results, next month's tasks, who does what, the quality
//! self-score, the vote, the distribution list and the signature on behalf of the body.

use super::document::{
    heading, meeting_time, resolution_number, superior_committee, time_text, Body, DocumentKind,
    OfficialDocument, SignatureBlock,
};
use super::minutes::{absentee_names, outcome_text, vote_line};
use super::{member_name, MeetingAssessment, MeetingContext, WarningCode};
use crate::labels::{format_percent, in_sentence, Label};
use crate::model::{Attendance, MemberRole, TaskOutcome};
use crate::time::local_year_month;

/// Warnings about the record itself rather than the cell's work stay out of the
/// resolution's shortcomings; the minutes list them.
const RECORD_KEEPING: [WarningCode; 2] =
    [WarningCode::MinutesIncomplete, WarningCode::ScoreNotEntered];

/// Whether the cell acts through an elected committee (chi ủy): allowed by the cell's
/// size (the viability rule) and one elected (committee members on the roster).
pub fn has_cell_committee(ctx: &MeetingContext, assessment: &MeetingAssessment) -> bool {
    assessment.viability.committee_allowed
        && ctx
            .roster
            .iter()
            .any(|m| m.role == MemberRole::CellCommittee)
}

pub fn resolution_document(
    ctx: &MeetingContext,
    assessment: &MeetingAssessment,
) -> OfficialDocument {
    let record = ctx.record;
    let meeting = &record.meeting;
    let roster = ctx.roster;
    let a = &assessment.attendance;
    let (year, month) = local_year_month(meeting_time(ctx));
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let committee = superior_committee(&ctx.cell.commune_name);
    let upper_level: Vec<_> = meeting.guests.iter().filter(|g| g.upper_level).collect();
    let mut doc = Body::new();

    // Opening: when, where, who; the attendance figures and the duration.
    let mut opening = format!(
        "Vào lúc {}, tại {}, {} tiến hành {} tháng {month:02}/{year}.",
        time_text(meeting.actual_start),
        meeting.planned_place,
        ctx.cell.name,
        in_sentence(meeting.kind.label()),
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
    for guest in &upper_level {
        doc.paragraph(format!(
            "Dự và chỉ đạo: đồng chí {} – {}.",
            guest.name, guest.title
        ));
    }
    doc.paragraph("Sau khi thảo luận, chi bộ thống nhất quyết nghị:");

    doc.section("KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG TRƯỚC");
    match &assessment.task_results {
        Some(results) => {
            let rows = (1..)
                .zip(ctx.previous_tasks)
                .map(|(n, task): (usize, _)| {
                    let review = record.review_of(&task.id);
                    let mut outcome = review.map(|r| r.outcome).label().to_string();
                    if let Some(note) = review.and_then(|r| r.note.as_deref()) {
                        outcome.push_str(&format!(" ({note})"));
                    }
                    vec![
                        n.to_string(),
                        task.description.clone(),
                        member_name(roster, &task.assignee_id),
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
        None => doc.paragraph("Tháng trước chi bộ không giao nhiệm vụ."),
    }

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
            a.rate_percent
                .map(|r| format!(" ({})", format_percent(r)))
                .unwrap_or_default()
        ));
    }
    // The chair's conclusions on the body of the meeting (praise, the review of last
    // month) are what the cell itself recorded as its achievements.
    strengths.extend(
        record
            .agenda
            .iter()
            .filter(|item| item.section == crate::model::AgendaSection::Body)
            .filter_map(|item| {
                let conclusion = item.conclusion.as_deref()?.trim();
                (!conclusion.is_empty()).then(|| format!("{}: {conclusion}", item.title))
            }),
    );
    if strengths.is_empty() {
        doc.bullet("(chưa ghi)");
    }
    for strength in strengths {
        doc.bullet(strength);
    }

    doc.paragraph("2. Hạn chế");
    let mut shortcomings: Vec<String> = ctx
        .previous_tasks
        .iter()
        .filter_map(|task| {
            let review = record.review_of(&task.id)?;
            (review.outcome != TaskOutcome::Done).then(|| {
                format!(
                    "Nhiệm vụ \"{}\" ({}) {}.",
                    task.description,
                    member_name(roster, &task.assignee_id),
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
    if shortcomings.is_empty() {
        doc.bullet("Không có.");
    }
    for shortcoming in shortcomings {
        doc.bullet(shortcoming);
    }

    doc.section(&format!("NHIỆM VỤ THÁNG {next_month:02}/{next_year}"));
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

    doc.section("TỔ CHỨC THỰC HIỆN");
    if !record.tasks.is_empty() {
        let rows = (1..)
            .zip(&record.tasks)
            .map(|(n, task): (usize, _)| {
                vec![
                    n.to_string(),
                    task.description.clone(),
                    format!("Đồng chí {}", member_name(roster, &task.assignee_id)),
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
    let has_committee = has_cell_committee(ctx, assessment);
    let leaders = if has_committee {
        "Chi ủy"
    } else {
        "Bí thư chi bộ"
    };
    doc.bullet(format!(
        "{leaders} chỉ đạo, đôn đốc, kiểm tra việc thực hiện nghị quyết; đánh giá kết quả \
         tại kỳ sinh hoạt tháng {next_month:02}/{next_year}."
    ));
    doc.bullet(format!(
        "Đồng chí Bí thư chi bộ gửi nghị quyết, báo cáo {committee} trong vòng 2 ngày sau \
         buổi sinh hoạt."
    ));
    doc.bullet("Đảng viên trong chi bộ thực hiện nhiệm vụ được phân công.");

    doc.section("CHẤT LƯỢNG SINH HOẠT CHI BỘ");
    let quality = &assessment.quality;
    let mut groups: Vec<(String, u32, u32)> = Vec::new();
    for item in &quality.items {
        match groups.iter_mut().find(|(g, _, _)| *g == item.group) {
            Some((_, points, max)) => {
                *points += item.points;
                *max += item.max;
            }
            None => groups.push((item.group.clone(), item.points, item.max)),
        }
    }
    doc.table(
        &["Tiêu chí", "Điểm đạt", "Điểm tối đa"],
        &[60, 20, 20],
        groups
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

    doc.paragraph("Kết quả biểu quyết:");
    if record.votes.is_empty() {
        doc.bullet("(chưa ghi)");
    }
    for vote in &record.votes {
        if let Some(outcome) = assessment.votes.iter().find(|o| o.vote_id == vote.id) {
            doc.bullet(vote_line(vote, outcome));
        }
    }

    let mut recipients = vec![format!("{committee} (báo cáo),")];
    if upper_level.is_empty() {
        recipients.push("Đồng chí cấp ủy viên phụ trách chi bộ,".into());
    }
    for guest in &upper_level {
        recipients.push(format!("Đồng chí {} ({}),", guest.name, guest.title));
    }
    recipients.push("Đảng viên trong chi bộ,".into());
    recipients.push("Lưu chi bộ.".into());

    // Signed by the secretary; a cell without one is signed by whoever chaired.
    let secretary = roster.iter().find(|m| m.role == MemberRole::Secretary);
    let (caption, name) = match (secretary, meeting.chair_id.as_deref()) {
        (Some(secretary), _) => ("BÍ THƯ", secretary.full_name.clone()),
        (None, Some(chair)) => {
            let deputy = roster
                .iter()
                .any(|m| m.id == chair && m.role == MemberRole::DeputySecretary);
            (
                if deputy { "PHÓ BÍ THƯ" } else { "BÍ THƯ" },
                member_name(roster, chair),
            )
        }
        (None, None) => ("BÍ THƯ", String::new()),
    };
    let signature = SignatureBlock {
        on_behalf_of: Some(
            if has_committee {
                "T/M CHI ỦY"
            } else {
                "T/M CHI BỘ"
            }
            .into(),
        ),
        caption: caption.into(),
        hint: None,
        name,
    };

    let number = meeting
        .resolution
        .as_ref()
        .and_then(|r| resolution_number(&r.number))
        .map_or_else(|| "Số       -NQ/CB".to_string(), |n| format!("Số {n}"));

    OfficialDocument {
        kind: DocumentKind::Resolution,
        heading: heading(ctx),
        number: Some(number),
        title: "NGHỊ QUYẾT".into(),
        subtitles: vec![format!(
            "Về kết quả thực hiện nhiệm vụ tháng {month:02}/{year} và nhiệm vụ tháng \
             {next_month:02}/{next_year}"
        )],
        blocks: doc.blocks,
        closing: vec![
            "Nghị quyết được phổ biến đến toàn thể đảng viên trong chi bộ để thực hiện.".into(),
        ],
        recipients,
        signatures: vec![signature],
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ResolutionText, TaskReview, VoteKind, VoteTally};
    use crate::rules::test_support::*;
    use crate::rules::{assess_meeting, document_text};

    fn text_of(f: &Fixture) -> String {
        document_text(&resolution_document(&f.ctx(), &assess_meeting(&f.ctx())))
    }

    #[test]
    fn the_resolution_follows_the_template() {
        let mut f = exemplary();
        f.roster[0].full_name = "Lò Văn Một".into();
        f.record.meeting.resolution = Some(ResolutionText {
            number: "11-NQ/CB".into(),
            text: "Tập trung thu hoạch lúa mùa.".into(),
        });
        f.record.task_reviews[1] = TaskReview {
            task_id: id(202),
            outcome: TaskOutcome::PartlyDone,
            note: Some("còn 2 hộ".into()),
        };
        f.record.votes = vec![VoteTally {
            id: id(301),
            question: "Thông qua nghị quyết tháng 10".into(),
            kind: VoteKind::Ordinary,
            in_favor: 9,
            against: 0,
            abstain: 0,
        }];
        let text = text_of(&f);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].ends_with("ĐẢNG CỘNG SẢN VIỆT NAM"));
        assert!(lines[2].ends_with("Xuân Hòa, ngày 24 tháng 10 năm 2026"));
        assert_eq!(lines[3], "Số 11-NQ/CB");
        for expected in [
            "NGHỊ QUYẾT",
            "Có mặt: 9/10 đảng viên (tỷ lệ 90%); vắng có lý do 1; vắng không lý do 0.",
            "- Vắng có lý do: đồng chí Đảng viên 10 (Ốm)",
            "Thời gian sinh hoạt: 95 phút.",
            "2 | Nhiệm vụ tháng trước 2 | Đảng viên 2 | 20/10/2026 | Hoàn thành một phần \
             (còn 2 hộ)",
            "- Nhiệm vụ \"Nhiệm vụ tháng trước 2\" (Đảng viên 2) hoàn thành một phần.",
            "II. NHIỆM VỤ THÁNG 11/2026",
            "Tập trung thu hoạch lúa mùa.",
            "1 | Vận động nhân dân làm đường bê tông nội bản | Đồng chí Đảng viên 3 | 20/11/2026",
            "- Đồng chí Bí thư chi bộ gửi nghị quyết, báo cáo Đảng ủy xã Xuân Hòa trong vòng 2 \
             ngày sau buổi sinh hoạt.",
            "- \"Thông qua nghị quyết tháng 10\": tán thành 9, không tán thành 0, không biểu \
             quyết 0 (có quyền biểu quyết 10, cần ít nhất 6) – thông qua",
        ] {
            assert!(lines.contains(&expected), "missing {expected:?} in\n{text}");
        }
        assert!(text.contains("Chi bộ tự chấm: "));
        // Nơi nhận names the delegate in charge; the secretary signs for the cell.
        assert!(text.contains("- Đồng chí Hoàng Văn Thắng (Đảng ủy viên, phụ trách chi bộ),"));
        assert!(text.contains("T/M CHI BỘ"));
        assert!(lines
            .iter()
            .any(|l| l.starts_with("- Đảng viên trong chi bộ,") && l.ends_with("Lò Văn Một")));
        assert!(text.contains("mức độ hoàn thành 75%."));
    }

    #[test]
    fn a_cell_with_an_elected_committee_signs_for_the_committee() {
        let mut f = exemplary();
        f.roster[1].role = MemberRole::CellCommittee;
        f.record.meeting.guests.clear();
        let text = text_of(&f);
        assert!(text.contains("T/M CHI ỦY"));
        assert!(text.contains("- Đồng chí cấp ủy viên phụ trách chi bộ,"));
        assert!(text.contains("Số       -NQ/CB"));

        // Below nine full members no committee may be elected, whatever the roles say.
        let mut small = Fixture::new(full_members(5));
        small.roster[0].role = MemberRole::Secretary;
        small.roster[1].role = MemberRole::CellCommittee;
        assert!(!has_cell_committee(
            &small.ctx(),
            &assess_meeting(&small.ctx())
        ));
        assert!(text_of(&small).contains("T/M CHI BỘ"));
    }
}

//! The minutes (biên bản): which required fields are still empty, and the minutes as an
//! [`OfficialDocument`] with every field the guidance lists (and as plain text).

use std::fmt::Write;

use super::attendance::effective_attendance;
use super::document::{
    comrade, document_text, heading, meeting_time, resolution_number, time_text, Body,
    DocumentKind, OfficialDocument, SignatureBlock,
};
use super::{
    member_name, AttendanceSummary, MeetingAssessment, MeetingContext, VoteOutcome, Warning,
    WarningCode,
};
use crate::labels::{format_date, format_percent, format_time, in_sentence, vote_result, Label};
use crate::model::{Attendance, MeetingRecord, MembershipKind, Speaker, TaskOutcome, VoteTally};
use crate::time::local_year_month;

/// The Vietnamese names of the required minutes fields that are still empty.
pub fn missing_minutes_fields(record: &MeetingRecord) -> Vec<&'static str> {
    let meeting = &record.meeting;
    let blank = |text: &Option<String>| text.as_deref().is_none_or(|t| t.trim().is_empty());
    [
        (meeting.actual_start.is_none(), "giờ bắt đầu"),
        (meeting.actual_end.is_none(), "giờ kết thúc"),
        (meeting.planned_place.trim().is_empty(), "địa điểm"),
        (meeting.chair_id.is_none(), "chủ trì"),
        (meeting.minute_taker_id.is_none(), "thư ký"),
        (record.roll_call.is_empty(), "điểm danh"),
        (record.agenda.is_empty(), "chương trình sinh hoạt"),
        (record.speeches.is_empty(), "ý kiến phát biểu"),
        (blank(&meeting.conclusion), "kết luận"),
        (record.tasks.is_empty(), "phân công nhiệm vụ"),
        (!meeting.minutes_approved, "thông qua biên bản"),
    ]
    .into_iter()
    .filter_map(|(missing, field)| missing.then_some(field))
    .collect()
}

/// MinutesIncomplete listing the empty fields.
pub fn minutes_warning(record: &MeetingRecord) -> Option<Warning> {
    let missing = missing_minutes_fields(record);
    (!missing.is_empty()).then(|| {
        Warning::new(
            WarningCode::MinutesIncomplete,
            format!("Biên bản còn thiếu: {}", missing.join(", ")),
        )
    })
}

/// "hoàn thành", "chưa đánh giá": a task's review in the middle of a sentence.
pub(crate) fn outcome_text(outcome: Option<TaskOutcome>) -> String {
    in_sentence(outcome.label())
}

/// "Đồng chí Lò Văn Một" for a member, "Hoàng Văn Thắng (Đảng ủy viên)" for a guest.
pub(crate) fn speaker_label(ctx: &MeetingContext, speaker: &Speaker) -> String {
    match speaker {
        Speaker::Member { member_id } => {
            format!("Đồng chí {}", member_name(ctx.roster, member_id))
        }
        Speaker::Guest { name } => {
            match ctx.record.meeting.guests.iter().find(|g| &g.name == name) {
                Some(guest) => format!("{name} ({})", guest.title),
                None => format!("{name} (khách mời)"),
            }
        }
    }
}

/// The minutes as plain text, for reading back at the meeting: the text rendering of
/// [`minutes_document`].
pub fn minutes_text(ctx: &MeetingContext, assessment: &MeetingAssessment) -> String {
    document_text(&minutes_document(ctx, assessment))
}

/// The minutes (biên bản) with every field the guidance lists, in the order of the
/// meeting's procedure.
pub fn minutes_document(ctx: &MeetingContext, assessment: &MeetingAssessment) -> OfficialDocument {
    let record = ctx.record;
    let meeting = &record.meeting;
    let roster = ctx.roster;
    let (year, month) = local_year_month(meeting_time(ctx));
    let mut doc = Body::new();

    let mut subtitles = vec![match &meeting.thematic_topic {
        Some(topic) if meeting.kind.has_thematic_part() => {
            format!("({}: {topic})", meeting.kind.label())
        }
        _ => format!("({})", meeting.kind.label()),
    }];
    if meeting.revision > 1 {
        subtitles.push(format!("Bản đính chính lần {}", meeting.revision - 1));
    }

    doc.section("THỜI GIAN, ĐỊA ĐIỂM");
    doc.bullet(format!("Bắt đầu: {}", time_text(meeting.actual_start)));
    doc.bullet(format!("Kết thúc: {}", time_text(meeting.actual_end)));
    if let Some(minutes) = assessment.duration_minutes {
        doc.bullet(format!("Thời lượng: {minutes} phút"));
    }
    doc.bullet(format!("Địa điểm: {}", meeting.planned_place));

    write_attendance(&mut doc, ctx, assessment);

    doc.section("CHƯƠNG TRÌNH VÀ KẾT LUẬN TỪNG NỘI DUNG");
    if record.agenda.is_empty() {
        doc.paragraph("(chưa ghi)");
    }
    for (n, item) in (1..).zip(&record.agenda) {
        doc.numbered(n, &item.title);
        if let Some(conclusion) = &item.conclusion {
            doc.continuation(format!("Kết luận: {conclusion}"));
        }
    }

    doc.section("Ý KIẾN PHÁT BIỂU");
    if record.speeches.is_empty() {
        doc.paragraph("(chưa ghi)");
    }
    for (n, speech) in (1..).zip(&record.speeches) {
        doc.numbered(
            n,
            format!("{}: {}", speaker_label(ctx, &speech.speaker), speech.gist),
        );
    }

    if let Some(results) = &assessment.task_results {
        doc.section("KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG TRƯỚC");
        for (n, task) in (1..).zip(ctx.previous_tasks) {
            let review = record.review_of(&task.id);
            let mut line = format!(
                "{} – đồng chí {}: {}",
                task.description,
                member_name(roster, &task.assignee_id),
                outcome_text(review.map(|r| r.outcome))
            );
            if let Some(note) = review.and_then(|r| r.note.as_deref()) {
                let _ = write!(line, " ({note})");
            }
            doc.numbered(n, line);
        }
        doc.paragraph(format!(
            "Kết quả: hoàn thành {}/{}, hoàn thành một phần {}, chưa hoàn thành {}, chưa đánh \
             giá {}; đạt {}",
            results.done,
            results.total,
            results.partly_done,
            results.not_done,
            results.unreviewed,
            format_percent(results.done_share_percent)
        ));
    }

    doc.section("PHÂN CÔNG NHIỆM VỤ");
    if record.tasks.is_empty() {
        doc.paragraph("(chưa ghi)");
    }
    for (n, task) in (1..).zip(&record.tasks) {
        doc.numbered(
            n,
            format!(
                "{} – người thực hiện: đồng chí {} – thời hạn: {}",
                task.description,
                member_name(roster, &task.assignee_id),
                task.deadline.to_vietnamese()
            ),
        );
    }

    doc.section("KIẾN NGHỊ, ĐỀ XUẤT");
    if record.petitions.is_empty() {
        doc.paragraph("Không có");
    }
    for (n, petition) in (1..).zip(&record.petitions) {
        doc.numbered(
            n,
            format!(
                "{} (người nêu: {}) – {}",
                petition.content,
                petition.raised_by,
                in_sentence(petition.status.label())
            ),
        );
    }

    doc.section("BIỂU QUYẾT");
    if record.votes.is_empty() {
        doc.paragraph("Không có");
    }
    for vote in &record.votes {
        let Some(outcome) = assessment.votes.iter().find(|o| o.vote_id == vote.id) else {
            continue;
        };
        doc.bullet(vote_line(vote, outcome));
    }

    doc.section("KẾT LUẬN CỦA CHỦ TRÌ");
    doc.paragraph(meeting.conclusion.as_deref().unwrap_or("(chưa ghi)"));
    if let Some(resolution) = &meeting.resolution {
        let number = resolution_number(&resolution.number).unwrap_or_default();
        doc.paragraph(format!("Nghị quyết số {number}:"));
        doc.paragraph(&resolution.text);
    }

    doc.section("TỰ CHẤM ĐIỂM CHẤT LƯỢNG SINH HOẠT");
    let quality = &assessment.quality;
    doc.paragraph(format!(
        "Tổng điểm: {}/100, xếp loại {}",
        quality.total,
        quality.grade.label()
    ));
    if !quality.judged_entered {
        doc.paragraph("(Chưa chấm các tiêu chí đánh giá; điểm trên chỉ gồm phần tính từ biên bản)");
    }

    if !assessment.warnings.is_empty() {
        doc.section("NHỮNG ĐIỂM CHƯA ĐẠT THEO HƯỚNG DẪN");
        for warning in &assessment.warnings {
            doc.bullet(&warning.message);
        }
    }

    let mut closing = vec![if meeting.minutes_approved {
        "Biên bản đã được đọc lại trước chi bộ và được thông qua.".to_string()
    } else {
        "Biên bản chưa được thông qua.".to_string()
    }];
    if meeting.actual_end.is_some() {
        closing.push(format!(
            "Buổi sinh hoạt kết thúc lúc {}.",
            time_text(meeting.actual_end)
        ));
    }

    // The names as signed, else as recorded; a blank line for a pen otherwise.
    let signer = |signed: Option<&String>, id: Option<&str>| {
        signed
            .cloned()
            .or_else(|| id.map(|id| member_name(roster, id)))
            .unwrap_or_default()
    };
    let signature = meeting.signature.as_ref();
    let sign = |caption: &str, name: String| SignatureBlock {
        on_behalf_of: None,
        caption: caption.into(),
        hint: Some("(Ký, ghi rõ họ tên)".into()),
        name,
    };
    let signatures = vec![
        sign(
            "THƯ KÝ",
            signer(
                signature.map(|s| &s.minute_taker_name),
                meeting.minute_taker_id.as_deref(),
            ),
        ),
        sign(
            "CHỦ TRÌ",
            signer(
                signature.map(|s| &s.chair_name),
                meeting.chair_id.as_deref(),
            ),
        ),
    ];
    let notes = signature
        .map(|s| {
            format!(
                "Đã ký lúc {} ngày {}",
                format_time(s.signed_at),
                format_date(s.signed_at)
            )
        })
        .into_iter()
        .collect();

    OfficialDocument {
        kind: DocumentKind::Minutes,
        heading: heading(ctx),
        number: None,
        title: format!("BIÊN BẢN SINH HOẠT CHI BỘ THÁNG {month:02}/{year}"),
        subtitles,
        blocks: doc.blocks,
        closing,
        recipients: Vec::new(),
        signatures,
        notes,
    }
}

/// "\"Question\": tán thành 6, không tán thành 2, ... – thông qua".
pub(crate) fn vote_line(vote: &VoteTally, outcome: &VoteOutcome) -> String {
    format!(
        "\"{}\": tán thành {}, không tán thành {}, không biểu quyết {} (có quyền biểu quyết \
         {}, cần ít nhất {}) – {}",
        vote.question,
        vote.in_favor,
        vote.against,
        vote.abstain,
        outcome.base,
        outcome.required,
        in_sentence(vote_result(outcome.passed))
    )
}

/// Members of `kind` marked present (or late).
pub(crate) fn present_of(ctx: &MeetingContext, kind: MembershipKind) -> usize {
    ctx.roster
        .iter()
        .filter(|m| m.membership == kind)
        .filter(|m| {
            effective_attendance(m, &ctx.record.roll_call).is_some_and(Attendance::is_present)
        })
        .count()
}

/// "đồng chí A (Ốm), đồng chí B": the absentees of one kind.
pub(crate) fn absentee_names(a: &AttendanceSummary, excused: bool) -> String {
    a.absentees
        .iter()
        .filter(|x| x.excused == excused)
        .map(|x| match &x.reason {
            Some(reason) => format!("đồng chí {} ({reason})", x.full_name),
            None => format!("đồng chí {}", x.full_name),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_attendance(doc: &mut Body, ctx: &MeetingContext, assessment: &MeetingAssessment) {
    let a = &assessment.attendance;
    let meeting = &ctx.record.meeting;

    doc.section("THÀNH PHẦN");
    doc.bullet(format!(
        "Tổng số đảng viên của chi bộ: {} (chính thức {}, dự bị {})",
        a.total_members, a.full_members, a.probationary_members
    ));
    doc.bullet(format!(
        "Miễn sinh hoạt: {}; sinh hoạt tạm thời nơi khác: {}",
        a.exempt, a.attached_elsewhere
    ));
    doc.bullet(format!("Số đảng viên phải dự họp: {}", a.expected));
    let mut present = format!(
        "Có mặt: {} (chính thức {}, dự bị {})",
        a.present,
        present_of(ctx, MembershipKind::Full),
        present_of(ctx, MembershipKind::Probationary)
    );
    if a.late > 0 {
        let _ = write!(present, ", trong đó đến muộn {}", a.late);
    }
    if a.exempt_present > 0 {
        let _ = write!(
            present,
            "; miễn sinh hoạt nhưng có mặt {}",
            a.exempt_present
        );
    }
    if let Some(rate) = a.rate_percent {
        let _ = write!(present, "; tỷ lệ {}", format_percent(rate));
    }
    doc.bullet(present);

    for (mark, count, excused) in [
        (Attendance::AbsentExcused, a.absent_excused, true),
        (Attendance::AbsentUnexcused, a.absent_unexcused, false),
    ] {
        let label = mark.label();
        if count == 0 {
            doc.bullet(format!("{label}: 0"));
        } else {
            doc.bullet(format!("{label}: {count} – {}", absentee_names(a, excused)));
        }
    }

    let chair_role = meeting
        .chair_id
        .as_deref()
        .and_then(|id| ctx.roster.iter().find(|m| m.id == id))
        .map(|m| format!(" – {}", m.role.label()))
        .unwrap_or_default();
    doc.bullet(format!(
        "Chủ trì: {}{chair_role}",
        comrade(ctx.roster, meeting.chair_id.as_deref())
    ));
    doc.bullet(format!(
        "Thư ký: {}",
        comrade(ctx.roster, meeting.minute_taker_id.as_deref())
    ));
    if meeting.guests.is_empty() {
        doc.bullet("Khách mời: không có");
    }
    for guest in &meeting.guests {
        doc.bullet(format!("Khách mời: {} – {}", guest.name, guest.title));
    }
    if let Some(note) = &meeting.party_fee_note {
        doc.bullet(format!("Thu, nộp đảng phí: {note}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Meeting, MeetingKind, ResolutionText, Signature, VoteKind};
    use crate::rules::assess_meeting;
    use crate::rules::test_support::*;

    fn text_of(f: &Fixture) -> String {
        minutes_text(&f.ctx(), &assess_meeting(&f.ctx()))
    }

    fn named(mut f: Fixture) -> Fixture {
        f.roster[0].full_name = "Lò Văn Một".into();
        f.roster[1].full_name = "Hà Thị Hai".into();
        f.roster[9].full_name = "Vì Văn Mười".into();
        f
    }

    #[test]
    fn the_minutes_carry_the_heading_attendance_and_signers() {
        let text = text_of(&named(exemplary()));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("ĐẢNG BỘ XÃ XUÂN HÒA"));
        assert!(lines[0].ends_with("ĐẢNG CỘNG SẢN VIỆT NAM"));
        assert_eq!(lines[1], "CHI BỘ BẢN NÀ HẨU");
        assert!(lines[2].ends_with("Xuân Hòa, ngày 24 tháng 10 năm 2026"));
        for expected in [
            "BIÊN BẢN SINH HOẠT CHI BỘ THÁNG 10/2026",
            "(Sinh hoạt thường kỳ)",
            "- Bắt đầu: 19 giờ 30, ngày 24/10/2026",
            "- Kết thúc: 21 giờ 05, ngày 24/10/2026",
            "- Thời lượng: 95 phút",
            "- Địa điểm: Nhà văn hóa bản Nà Hẩu",
            "- Tổng số đảng viên của chi bộ: 10 (chính thức 10, dự bị 0)",
            "- Số đảng viên phải dự họp: 10",
            "- Có mặt: 9 (chính thức 9, dự bị 0); tỷ lệ 90%",
            "- Vắng có lý do: 1 – đồng chí Vì Văn Mười (Ốm)",
            "- Vắng không lý do: 0",
            "- Chủ trì: đồng chí Lò Văn Một – Bí thư chi bộ",
            "- Thư ký: đồng chí Hà Thị Hai",
            "- Khách mời: Hoàng Văn Thắng – Đảng ủy viên, phụ trách chi bộ",
            "8. Đánh giá kết quả thực hiện nghị quyết tháng trước",
            "   Kết luận: Hoàn thành 2/2 nhiệm vụ",
            "1. Đồng chí Lò Văn Một: Ý kiến số 1",
            "1. Nhiệm vụ tháng trước 1 – đồng chí Lò Văn Một: hoàn thành",
            "1. Vận động nhân dân làm đường bê tông nội bản – người thực hiện: đồng chí \
             Đảng viên 3 – thời hạn: 20/11/2026",
            "Tập trung thu hoạch lúa mùa, giữ gìn an ninh trật tự",
            "Tổng điểm: 55/100, xếp loại Trung bình",
            "- Chưa chấm điểm các tiêu chí đánh giá",
            "Biên bản đã được đọc lại trước chi bộ và được thông qua.",
        ] {
            assert!(
                lines.contains(&expected),
                "missing line {expected:?} in\n{text}"
            );
        }
        let signers = lines.last().unwrap();
        assert!(signers.starts_with("Hà Thị Hai"));
        assert!(signers.ends_with("Lò Văn Một"));
    }

    #[test]
    fn votes_petitions_resolution_and_absences_without_reason() {
        let mut f = named(exemplary());
        f.record.meeting.kind = MeetingKind::RegularWithThematic;
        f.record.meeting.thematic_topic = Some("Học tập và làm theo tư tưởng Hồ Chí Minh".into());
        f.record.meeting.resolution = Some(ResolutionText {
            number: "11-NQ/CB".into(),
            text: "Chi bộ thống nhất ...".into(),
        });
        f.record.meeting.signature = Some(Signature {
            signed_at: at(2026, 10, 24, 21, 10),
            chair_name: "Lò Văn Một".into(),
            minute_taker_name: "Hà Thị Hai".into(),
        });
        mark(&mut f.record.roll_call, &id(9), Attendance::AbsentUnexcused);
        mark(&mut f.record.roll_call, &id(8), Attendance::Late);
        f.record.votes = vec![vote(
            1,
            "Kết nạp quần chúng Lò Thị Hoa vào Đảng",
            VoteKind::Admission,
            [6, 2, 0],
        )];
        f.record.petitions = vec![water_pipe_petition()];
        let text = text_of(&f);
        for expected in [
            "(Sinh hoạt thường kỳ kết hợp chuyên đề: Học tập và làm theo tư tưởng Hồ Chí Minh)",
            "- Có mặt: 8 (chính thức 8, dự bị 0), trong đó đến muộn 1; tỷ lệ 80%",
            "- Vắng không lý do: 1 – đồng chí Đảng viên 9",
            "- \"Kết nạp quần chúng Lò Thị Hoa vào Đảng\": tán thành 6, không tán thành 2, \
             không biểu quyết 0 (có quyền biểu quyết 10, cần ít nhất 7) – không thông qua",
            "1. Đường ống nước đầu bản bị vỡ (người nêu: Nhân dân bản Nà Hẩu) – đã chuyển xử lý",
            "Nghị quyết số 11-NQ/CB:",
            "- Thời lượng 95 phút, chưa đủ 120 phút theo quy định",
            "Đã ký lúc 21:10 ngày 24/10/2026",
        ] {
            assert!(
                text.lines().any(|l| l == expected),
                "missing line {expected:?} in\n{text}"
            );
        }
    }

    #[test]
    fn a_planned_meeting_misses_every_recorded_field() {
        let planned = Meeting::planned(
            id(7000),
            CELL_ID.into(),
            MeetingKind::Regular,
            at(2026, 10, 24, 19, 30),
            "Nhà văn hóa bản Nà Hẩu".into(),
        );
        let record = MeetingRecord::new(planned);
        assert_eq!(
            missing_minutes_fields(&record),
            vec![
                "giờ bắt đầu",
                "giờ kết thúc",
                "chủ trì",
                "thư ký",
                "điểm danh",
                "chương trình sinh hoạt",
                "ý kiến phát biểu",
                "kết luận",
                "phân công nhiệm vụ",
                "thông qua biên bản",
            ]
        );
        let mut f = Fixture::new(full_members(5));
        f.record = record;
        let text = text_of(&f);
        assert!(text.contains("- Bắt đầu: (chưa ghi)"));
        assert!(text.contains("- Chủ trì: (chưa ghi)"));
        assert!(text.contains("Biên bản chưa được thông qua."));
    }

    #[test]
    fn complete_minutes_miss_nothing_and_blank_conclusions_are_missing() {
        let mut f = exemplary();
        assert!(missing_minutes_fields(&f.record).is_empty());
        assert_eq!(minutes_warning(&f.record), None);
        f.record.meeting.conclusion = Some("  ".into());
        f.record.meeting.planned_place.clear();
        assert_eq!(
            minutes_warning(&f.record),
            Some(Warning::new(
                WarningCode::MinutesIncomplete,
                "Biên bản còn thiếu: địa điểm, kết luận"
            ))
        );
    }
}

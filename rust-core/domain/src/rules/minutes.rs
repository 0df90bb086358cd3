//! The minutes (biên bản): which required fields are still empty, and the minutes as
//! plain Vietnamese text following the fields the guidance lists.

use std::fmt::Write;

use super::attendance::effective_attendance;
use super::{
    format_percent, member_name, petition_status_label, MeetingAssessment, MeetingContext, Warning,
    WarningCode,
};
use crate::model::{
    Attendance, MeetingKind, MeetingRecord, Member, MemberRole, MembershipKind, Speaker,
    TaskOutcome,
};
use crate::time::{local_date, local_datetime, local_year_month, EpochMillis};

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

fn kind_label(kind: MeetingKind) -> &'static str {
    match kind {
        MeetingKind::Regular => "Sinh hoạt thường kỳ",
        MeetingKind::Thematic => "Sinh hoạt chuyên đề",
        MeetingKind::Extraordinary => "Sinh hoạt bất thường",
        MeetingKind::Model => "Sinh hoạt mẫu",
        MeetingKind::RegularWithThematic => "Sinh hoạt thường kỳ kết hợp chuyên đề",
    }
}

fn role_label(role: MemberRole) -> &'static str {
    match role {
        MemberRole::Member => "Đảng viên",
        MemberRole::Secretary => "Bí thư chi bộ",
        MemberRole::DeputySecretary => "Phó Bí thư chi bộ",
        MemberRole::CellCommittee => "Chi ủy viên",
    }
}

fn outcome_label(outcome: Option<TaskOutcome>) -> &'static str {
    match outcome {
        Some(TaskOutcome::Done) => "hoàn thành",
        Some(TaskOutcome::PartlyDone) => "hoàn thành một phần",
        Some(TaskOutcome::NotDone) => "chưa hoàn thành",
        None => "chưa đánh giá",
    }
}

/// "19 giờ 30, ngày 24/10/2026".
fn time_text(at: Option<EpochMillis>) -> String {
    match at {
        Some(at) => local_datetime(at)
            .format("%H giờ %M, ngày %d/%m/%Y")
            .to_string(),
        None => "(chưa ghi)".to_string(),
    }
}

/// `left` padded to `width` characters, then `right`: the two columns of a header or
/// signature block.
fn columns(left: &str, right: &str, width: usize) -> String {
    let pad = width.saturating_sub(left.chars().count());
    format!("{left}{}{right}", " ".repeat(pad))
        .trim_end()
        .to_string()
}

const COLUMN_WIDTH: usize = 40;
const ROMAN: [&str; 12] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
];

/// Text with numbered section headings.
struct Document {
    text: String,
    sections: usize,
}

impl Document {
    fn line(&mut self, line: impl AsRef<str>) {
        self.text.push_str(line.as_ref());
        self.text.push('\n');
    }

    fn section(&mut self, title: &str) {
        let number = ROMAN.get(self.sections).copied().unwrap_or("*");
        self.sections += 1;
        self.line("");
        self.line(format!("{number}. {title}"));
    }
}

/// "đồng chí Lò Văn Một" for a member, or "(chưa ghi)" when nobody is recorded.
fn comrade(roster: &[Member], member_id: Option<&str>) -> String {
    member_id.map_or_else(
        || "(chưa ghi)".to_string(),
        |id| format!("đồng chí {}", member_name(roster, id)),
    )
}

pub fn minutes_text(ctx: &MeetingContext, assessment: &MeetingAssessment) -> String {
    let record = ctx.record;
    let meeting = &record.meeting;
    let roster = ctx.roster;
    let reference_time = meeting.actual_start.unwrap_or(meeting.planned_start);
    let (year, month) = local_year_month(reference_time);
    let date = local_date(reference_time).0;
    let mut doc = Document {
        text: String::new(),
        sections: 0,
    };

    // Heading: the issuing body top left, the Party's name top right (Guideline 36).
    doc.line(columns(
        &ctx.cell.commune_name.to_uppercase(),
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        COLUMN_WIDTH,
    ));
    doc.line(ctx.cell.name.to_uppercase());
    doc.line(columns(
        "*",
        &date.format("Ngày %d tháng %m năm %Y").to_string(),
        COLUMN_WIDTH,
    ));
    doc.line("");
    doc.line(format!("BIÊN BẢN SINH HOẠT CHI BỘ THÁNG {month:02}/{year}"));
    match &meeting.thematic_topic {
        Some(topic) if meeting.kind.has_thematic_part() => {
            doc.line(format!("({}: {topic})", kind_label(meeting.kind)))
        }
        _ => doc.line(format!("({})", kind_label(meeting.kind))),
    }
    if meeting.revision > 1 {
        doc.line(format!("Bản đính chính lần {}", meeting.revision - 1));
    }

    doc.section("THỜI GIAN, ĐỊA ĐIỂM");
    doc.line(format!("- Bắt đầu: {}", time_text(meeting.actual_start)));
    doc.line(format!("- Kết thúc: {}", time_text(meeting.actual_end)));
    if let Some(minutes) = assessment.duration_minutes {
        doc.line(format!("- Thời lượng: {minutes} phút"));
    }
    doc.line(format!("- Địa điểm: {}", meeting.planned_place));

    write_attendance(&mut doc, ctx, assessment);

    doc.section("CHƯƠNG TRÌNH VÀ KẾT LUẬN TỪNG NỘI DUNG");
    if record.agenda.is_empty() {
        doc.line("(chưa ghi)");
    }
    for (n, item) in (1..).zip(&record.agenda) {
        doc.line(format!("{n}. {}", item.title));
        if let Some(conclusion) = &item.conclusion {
            doc.line(format!("   Kết luận: {conclusion}"));
        }
    }

    doc.section("Ý KIẾN PHÁT BIỂU");
    if record.speeches.is_empty() {
        doc.line("(chưa ghi)");
    }
    for (n, speech) in (1..).zip(&record.speeches) {
        let speaker = match &speech.speaker {
            Speaker::Member { member_id } => format!("Đồng chí {}", member_name(roster, member_id)),
            Speaker::Guest { name } => match meeting.guests.iter().find(|g| &g.name == name) {
                Some(guest) => format!("{name} ({})", guest.title),
                None => format!("{name} (khách mời)"),
            },
        };
        doc.line(format!("{n}. {speaker}: {}", speech.gist));
    }

    if let Some(results) = &assessment.task_results {
        doc.section("KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG TRƯỚC");
        for (n, task) in (1..).zip(ctx.previous_tasks) {
            let review = record
                .task_reviews
                .iter()
                .rev()
                .find(|r| r.task_id == task.id);
            let mut line = format!(
                "{n}. {} – đồng chí {}: {}",
                task.description,
                member_name(roster, &task.assignee_id),
                outcome_label(review.map(|r| r.outcome))
            );
            if let Some(note) = review.and_then(|r| r.note.as_deref()) {
                let _ = write!(line, " ({note})");
            }
            doc.line(line);
        }
        doc.line(format!(
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
        doc.line("(chưa ghi)");
    }
    for (n, task) in (1..).zip(&record.tasks) {
        doc.line(format!(
            "{n}. {} – người thực hiện: đồng chí {} – thời hạn: {}",
            task.description,
            member_name(roster, &task.assignee_id),
            task.deadline.to_vietnamese()
        ));
    }

    doc.section("KIẾN NGHỊ, ĐỀ XUẤT");
    if record.petitions.is_empty() {
        doc.line("Không có");
    }
    for (n, petition) in (1..).zip(&record.petitions) {
        doc.line(format!(
            "{n}. {} (người nêu: {}) – {}",
            petition.content,
            petition.raised_by,
            petition_status_label(petition.status)
        ));
    }

    doc.section("BIỂU QUYẾT");
    if record.votes.is_empty() {
        doc.line("Không có");
    }
    for vote in &record.votes {
        let Some(outcome) = assessment.votes.iter().find(|o| o.vote_id == vote.id) else {
            continue;
        };
        doc.line(format!(
            "- \"{}\": tán thành {}, không tán thành {}, không biểu quyết {} (có quyền biểu \
             quyết {}, cần ít nhất {}) – {}",
            vote.question,
            vote.in_favor,
            vote.against,
            vote.abstain,
            outcome.base,
            outcome.required,
            if outcome.passed {
                "thông qua"
            } else {
                "không thông qua"
            }
        ));
    }

    doc.section("KẾT LUẬN CỦA CHỦ TRÌ");
    doc.line(meeting.conclusion.as_deref().unwrap_or("(chưa ghi)"));
    if let Some(resolution) = &meeting.resolution {
        doc.line(format!("Nghị quyết số {}:", resolution.number));
        doc.line(&resolution.text);
    }

    doc.section("TỰ CHẤM ĐIỂM CHẤT LƯỢNG SINH HOẠT");
    let quality = &assessment.quality;
    doc.line(format!(
        "Tổng điểm: {}/100, xếp loại {}",
        quality.total,
        quality.grade.label()
    ));
    if !quality.judged_entered {
        doc.line("(Chưa chấm các tiêu chí đánh giá; điểm trên chỉ gồm phần tính từ biên bản)");
    }

    if !assessment.warnings.is_empty() {
        doc.section("NHỮNG ĐIỂM CHƯA ĐẠT THEO HƯỚNG DẪN");
        for warning in &assessment.warnings {
            doc.line(format!("- {}", warning.message));
        }
    }

    doc.line("");
    doc.line(if meeting.minutes_approved {
        "Biên bản đã được đọc lại trước chi bộ và được thông qua."
    } else {
        "Biên bản chưa được thông qua."
    });
    if meeting.actual_end.is_some() {
        doc.line(format!(
            "Buổi sinh hoạt kết thúc lúc {}.",
            time_text(meeting.actual_end)
        ));
    }

    let chair = meeting
        .chair_id
        .as_deref()
        .map(|id| member_name(roster, id));
    let minute_taker = meeting
        .minute_taker_id
        .as_deref()
        .map(|id| member_name(roster, id));
    doc.line("");
    doc.line(columns("THƯ KÝ", "CHỦ TRÌ", COLUMN_WIDTH));
    doc.line(columns(
        "(Ký, ghi rõ họ tên)",
        "(Ký, ghi rõ họ tên)",
        COLUMN_WIDTH,
    ));
    doc.line("");
    doc.line(columns(
        minute_taker.as_deref().unwrap_or(""),
        chair.as_deref().unwrap_or(""),
        COLUMN_WIDTH,
    ));
    if let Some(signature) = &meeting.signature {
        doc.line("");
        doc.line(format!(
            "Đã ký lúc {}",
            local_datetime(signature.signed_at).format("%H:%M ngày %d/%m/%Y")
        ));
    }
    doc.text
}

fn write_attendance(doc: &mut Document, ctx: &MeetingContext, assessment: &MeetingAssessment) {
    let a = &assessment.attendance;
    let meeting = &ctx.record.meeting;
    let present_of = |kind: MembershipKind| {
        ctx.roster
            .iter()
            .filter(|m| m.membership == kind)
            .filter(|m| {
                effective_attendance(m, &ctx.record.roll_call).is_some_and(Attendance::is_present)
            })
            .count()
    };

    doc.section("THÀNH PHẦN");
    doc.line(format!(
        "- Tổng số đảng viên của chi bộ: {} (chính thức {}, dự bị {})",
        a.total_members, a.full_members, a.probationary_members
    ));
    doc.line(format!(
        "- Miễn sinh hoạt: {}; sinh hoạt tạm thời nơi khác: {}",
        a.exempt, a.attached_elsewhere
    ));
    doc.line(format!("- Số đảng viên phải dự họp: {}", a.expected));
    let mut present = format!(
        "- Có mặt: {} (chính thức {}, dự bị {})",
        a.present,
        present_of(MembershipKind::Full),
        present_of(MembershipKind::Probationary)
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
    doc.line(present);

    let names = |excused: bool| {
        a.absentees
            .iter()
            .filter(|x| x.excused == excused)
            .map(|x| match &x.reason {
                Some(reason) => format!("đồng chí {} ({reason})", x.full_name),
                None => format!("đồng chí {}", x.full_name),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (label, count, excused) in [
        ("Vắng có lý do", a.absent_excused, true),
        ("Vắng không lý do", a.absent_unexcused, false),
    ] {
        if count == 0 {
            doc.line(format!("- {label}: 0"));
        } else {
            doc.line(format!("- {label}: {count} – {}", names(excused)));
        }
    }

    let chair_role = meeting
        .chair_id
        .as_deref()
        .and_then(|id| ctx.roster.iter().find(|m| m.id == id))
        .map(|m| format!(" – {}", role_label(m.role)))
        .unwrap_or_default();
    doc.line(format!(
        "- Chủ trì: {}{chair_role}",
        comrade(ctx.roster, meeting.chair_id.as_deref())
    ));
    doc.line(format!(
        "- Thư ký: {}",
        comrade(ctx.roster, meeting.minute_taker_id.as_deref())
    ));
    if meeting.guests.is_empty() {
        doc.line("- Khách mời: không có");
    }
    for guest in &meeting.guests {
        doc.line(format!("- Khách mời: {} – {}", guest.name, guest.title));
    }
    if let Some(note) = &meeting.party_fee_note {
        doc.line(format!("- Thu, nộp đảng phí: {note}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Meeting, Petition, PetitionCategory, PetitionStatus, ResolutionText, Signature, VoteKind,
        VoteTally,
    };
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
        assert!(lines[2].ends_with("Ngày 24 tháng 10 năm 2026"));
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
        f.record.votes = vec![VoteTally {
            id: id(301),
            question: "Kết nạp quần chúng Lò Thị Hoa vào Đảng".into(),
            kind: VoteKind::Admission,
            in_favor: 6,
            against: 2,
            abstain: 0,
        }];
        f.record.petitions = vec![Petition {
            id: id(501),
            cell_id: CELL_ID.into(),
            meeting_id: Some(id(7000)),
            content: "Đường ống nước đầu bản bị vỡ".into(),
            category: PetitionCategory::Infrastructure,
            raised_by: "Nhân dân bản Nà Hẩu".into(),
            status: PetitionStatus::Forwarded,
            raised_at: at(2026, 10, 24, 20, 0),
        }];
        let text = text_of(&f);
        for expected in [
            "(Sinh hoạt thường kỳ kết hợp chuyên đề: Học tập và làm theo tư tưởng Hồ Chí Minh)",
            "- Có mặt: 8 (chính thức 8, dự bị 0), trong đó đến muộn 1; tỷ lệ 80%",
            "- Vắng không lý do: 1 – đồng chí Đảng viên 9",
            "- \"Kết nạp quần chúng Lò Thị Hoa vào Đảng\": tán thành 6, không tán thành 2, \
             không biểu quyết 0 (có quyền biểu quyết 10, cần ít nhất 7) – không thông qua",
            "1. Đường ống nước đầu bản bị vỡ (người nêu: Nhân dân bản Nà Hẩu) – đã chuyển \
             Đảng ủy xã",
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

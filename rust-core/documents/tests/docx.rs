//! The DOCX files read back the way Word would: unzip, parse `word/document.xml`, and
//! find the record's fields in the paragraphs a reader sees.

use std::io::{Cursor, Read};

use chibo_documents::{minutes_docx, resolution_docx, to_docx};
use chibo_domain::labels::Label;
use chibo_domain::rules::{
    assess_meeting, minutes_document, standard_agenda, MeetingAssessment, MeetingContext,
    RuleSettings,
};
use chibo_domain::time::from_local;
use chibo_domain::*;
use chrono::NaiveDate;

fn id(n: u32) -> Id {
    format!("00000000-0000-7000-8000-{n:012}")
}

fn at(month: u32, day: u32, hour: u32, minute: u32) -> EpochMillis {
    from_local(
        NaiveDate::from_ymd_opt(2026, month, day)
            .unwrap()
            .and_hms_opt(hour, minute, 0)
            .unwrap(),
    )
}

fn date(month: u32, day: u32) -> CalendarDate {
    CalendarDate::from_ymd(2026, month, day).unwrap()
}

/// A village cell of 12: 10 full, 2 probationary; one exempt (old age), one attending
/// another cell for now, one away without a reason.
struct Fixture {
    cell: Cell,
    roster: Vec<Member>,
    record: MeetingRecord,
    previous_tasks: Vec<Task>,
    settings: RuleSettings,
}

const NAMES: [&str; 12] = [
    "Lò Văn Thắng",
    "Hà Thị Ánh",
    "Lường Văn Đức",
    "Quàng Thị Xuân",
    "Cầm Văn Dũng",
    "Tòng Văn Ướng",
    "Vì Thị Ngọc",
    "Lò Văn Mạnh",
    "Điêu Chính Tươi",
    "Hoàng Văn Ơn",
    "Lò Thị Hoa",
    "Lù Văn Páo",
];

impl Fixture {
    fn new() -> Self {
        let cell = Cell {
            id: id(1),
            commune_id: id(2),
            commune_name: "Đảng bộ xã Xuân Hòa".into(),
            name: "Chi bộ bản Nà Hẩu".into(),
            kind: CellKind::Village,
            meeting_place: None,
            meeting_day: Some(24),
        };
        let roster: Vec<Member> = (1..=12u32)
            .map(|n| Member {
                id: id(100 + n),
                cell_id: id(1),
                full_name: NAMES[n as usize - 1].into(),
                membership: if n > 10 {
                    MembershipKind::Probationary
                } else {
                    MembershipKind::Full
                },
                status: match n {
                    9 => MemberStatus::Exempt,
                    10 => MemberStatus::AttachedElsewhere,
                    _ => MemberStatus::Active,
                },
                status_since: None,
                status_reason: None,
                role: match n {
                    1 => MemberRole::Secretary,
                    2 => MemberRole::DeputySecretary,
                    _ => MemberRole::Member,
                },
                party_group: None,
            })
            .collect();

        let start = at(10, 24, 19, 30);
        let mut meeting = Meeting::planned(
            id(500),
            id(1),
            MeetingKind::Regular,
            start,
            "Nhà văn hóa bản Nà Hẩu".into(),
        );
        meeting.status = MeetingStatus::Signed;
        meeting.actual_start = Some(start);
        meeting.actual_end = Some(at(10, 24, 21, 15));
        meeting.chair_id = Some(id(101));
        meeting.minute_taker_id = Some(id(102));
        meeting.guests = vec![Guest {
            name: "Hoàng Văn Thụ".into(),
            title: "Đảng ủy viên, phụ trách chi bộ".into(),
            upper_level: true,
        }];
        meeting.party_fee_note = Some("Đã thu đủ đảng phí tháng 10".into());
        meeting.conclusion = Some("Tập trung thu hoạch lúa mùa, giữ gìn an ninh trật tự".into());
        meeting.resolution = Some(ResolutionText {
            number: "10-NQ/CB".into(),
            text: "Chi bộ lãnh đạo nhân dân thu hoạch xong lúa mùa trước ngày 15/11.".into(),
        });
        meeting.minutes_approved = true;
        meeting.secretary_judgement = Some(JudgedScores {
            content_prepared: 3,
            orientation_and_draft: 2,
            committee_premeeting: 2,
            full_procedure: 5,
            regular_content: 8,
            thematic_part: 0,
            praise_and_criticism: 2,
            ideology_time: 1,
            documents_posted: 1,
            chairing: 8,
            principles: 5,
            conclusion_adopted: 2,
            minutes_adopted_and_tasks: 2,
        });
        meeting.signature = Some(Signature {
            signed_at: at(10, 24, 21, 20),
            chair_name: "Lò Văn Thắng".into(),
            minute_taker_name: "Hà Thị Ánh".into(),
        });

        let mut record = MeetingRecord::new(meeting);
        record.roll_call = roster
            .iter()
            .map(|m| {
                let (attendance, reason) = match m.id.as_str() {
                    x if x == id(107) => (Attendance::AbsentExcused, Some("Ốm nằm viện")),
                    x if x == id(108) => (Attendance::AbsentUnexcused, None),
                    x if x == id(109) => (Attendance::Exempt, None),
                    x if x == id(110) => (Attendance::AttachedElsewhere, None),
                    x if x == id(106) => (Attendance::Late, None),
                    _ => (Attendance::Present, None),
                };
                RollCallEntry {
                    member_id: m.id.clone(),
                    attendance,
                    reason: reason.map(Into::into),
                }
            })
            .collect();
        record.agenda = standard_agenda(MeetingKind::Regular);
        record.agenda[7].conclusion = Some("Hoàn thành 1/2 nhiệm vụ, còn đường nội bản".into());
        record.speeches = vec![
            Speech {
                id: id(601),
                speaker: Speaker::Member { member_id: id(103) },
                gist: "Đề nghị sửa đường ống nước đầu bản".into(),
            },
            Speech {
                id: id(602),
                speaker: Speaker::Member { member_id: id(104) },
                gist: "Hội phụ nữ nhận vận động các hộ vệ sinh chuồng trại".into(),
            },
            Speech {
                id: id(603),
                speaker: Speaker::Guest {
                    name: "Hoàng Văn Thụ".into(),
                },
                gist: "Quán triệt nghị quyết của Đảng ủy xã về chuyển đổi số".into(),
            },
        ];
        let previous_tasks = vec![
            Task {
                id: id(701),
                description: "Vận động 5 hộ đăng ký nuôi cá lồng".into(),
                assignee_id: id(103),
                deadline: date(10, 20),
            },
            Task {
                id: id(702),
                description: "Làm đường bê tông nội bản".into(),
                assignee_id: id(105),
                deadline: date(10, 20),
            },
        ];
        record.task_reviews = vec![
            TaskReview {
                task_id: id(701),
                outcome: TaskOutcome::Done,
                note: None,
            },
            TaskReview {
                task_id: id(702),
                outcome: TaskOutcome::NotDone,
                note: Some("thiếu xi măng".into()),
            },
        ];
        record.tasks = vec![Task {
            id: id(711),
            description: "Hoàn thành thu hoạch lúa mùa".into(),
            assignee_id: id(104),
            deadline: date(11, 15),
        }];
        record.votes = vec![VoteTally {
            id: id(801),
            question: "Thông qua nghị quyết tháng 10".into(),
            kind: VoteKind::Ordinary,
            in_favor: 6,
            against: 0,
            abstain: 0,
        }];
        Fixture {
            cell,
            roster,
            record,
            previous_tasks,
            settings: RuleSettings::default(),
        }
    }

    fn ctx(&self) -> MeetingContext<'_> {
        MeetingContext {
            cell: &self.cell,
            roster: &self.roster,
            record: &self.record,
            previous_tasks: &self.previous_tasks,
            earlier_this_year: &[],
            settings: &self.settings,
        }
    }

    fn assessment(&self) -> MeetingAssessment {
        assess_meeting(&self.ctx())
    }
}

/// Every part of the package by name.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a valid zip archive");
    (0..archive.len())
        .map(|n| {
            let mut file = archive.by_index(n).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().to_string(), content)
        })
        .collect()
}

fn part(parts: &[(String, Vec<u8>)], name: &str) -> String {
    let bytes = &parts
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} in the package"))
        .1;
    String::from_utf8(bytes.clone()).expect("parts are UTF-8")
}

/// The text of each paragraph of `word/document.xml`, as Word shows it.
fn paragraphs(xml: &str) -> Vec<String> {
    xml.split("</w:p>")
        .map(|chunk| {
            let mut text = String::new();
            // Only the text runs (<w:t>…</w:t>), not attributes or other elements.
            for piece in chunk.split("<w:t").skip(1) {
                let Some(start) = piece.find('>') else {
                    continue;
                };
                let body = &piece[start + 1..];
                if let Some(end) = body.find("</w:t>") {
                    text.push_str(&body[..end]);
                }
            }
            text.replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .filter(|p| !p.is_empty())
        .collect()
}

fn document_paragraphs(bytes: &[u8]) -> Vec<String> {
    paragraphs(&part(&unzip(bytes), "word/document.xml"))
}

#[track_caller]
fn assert_has(paragraphs: &[String], expected: &str) {
    assert!(
        paragraphs.iter().any(|p| p == expected),
        "no paragraph {expected:?} in\n{}",
        paragraphs.join("\n")
    );
}

#[track_caller]
fn assert_contains(paragraphs: &[String], expected: &str) {
    assert!(
        paragraphs.iter().any(|p| p.contains(expected)),
        "nothing containing {expected:?} in\n{}",
        paragraphs.join("\n")
    );
}

#[test]
fn the_package_is_a_word_document_on_a4_in_times_new_roman() {
    let f = Fixture::new();
    let bytes = minutes_docx(&f.ctx(), &f.assessment()).unwrap();
    let parts = unzip(&bytes);
    let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
    for required in ["[Content_Types].xml", "_rels/.rels", "word/document.xml"] {
        assert!(names.contains(&required), "{required} missing: {names:?}");
    }
    assert!(part(&parts, "[Content_Types].xml").contains("wordprocessingml.document.main+xml"));

    let document = part(&parts, "word/document.xml");
    // A4 portrait; margins top/bottom 20 mm, left 30 mm, right 15 mm (in twips).
    assert!(
        document.contains(r#"<w:pgSz w:w="11906" w:h="16838""#),
        "{document}"
    );
    for margin in [
        r#"w:top="1133""#,
        r#"w:bottom="1133""#,
        r#"w:left="1700""#,
        r#"w:right="850""#,
    ] {
        assert!(document.contains(margin), "{margin} in {document}");
    }
    let styles = part(&parts, "word/styles.xml");
    for slot in ["w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"] {
        assert!(
            styles.contains(&format!(r#"{slot}="Times New Roman""#)),
            "{slot} in {styles}"
        );
    }
    // 14 pt body text.
    assert!(styles.contains(r#"<w:sz w:val="28" />"#) || styles.contains(r#"<w:sz w:val="28"/>"#));
}

#[test]
fn the_minutes_carry_every_field_of_the_record() {
    let f = Fixture::new();
    let p = document_paragraphs(&minutes_docx(&f.ctx(), &f.assessment()).unwrap());
    for expected in [
        "ĐẢNG BỘ XÃ XUÂN HÒA",
        "CHI BỘ BẢN NÀ HẨU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Xuân Hòa, ngày 24 tháng 10 năm 2026",
        "BIÊN BẢN SINH HOẠT CHI BỘ THÁNG 10/2026",
        "(Sinh hoạt thường kỳ)",
        "- Bắt đầu: 19 giờ 30, ngày 24/10/2026",
        "- Kết thúc: 21 giờ 15, ngày 24/10/2026",
        "- Thời lượng: 105 phút",
        "- Địa điểm: Nhà văn hóa bản Nà Hẩu",
        "- Tổng số đảng viên của chi bộ: 12 (chính thức 10, dự bị 2)",
        "- Miễn sinh hoạt: 1; sinh hoạt tạm thời nơi khác: 1",
        "- Số đảng viên phải dự họp: 10",
        "- Có mặt: 8 (chính thức 6, dự bị 2), trong đó đến muộn 1; tỷ lệ 80%",
        "- Vắng có lý do: 1 – đồng chí Vì Thị Ngọc (Ốm nằm viện)",
        "- Vắng không lý do: 1 – đồng chí Lò Văn Mạnh",
        "- Chủ trì: đồng chí Lò Văn Thắng – Bí thư chi bộ",
        "- Thư ký: đồng chí Hà Thị Ánh",
        "- Khách mời: Hoàng Văn Thụ – Đảng ủy viên, phụ trách chi bộ",
        "- Thu, nộp đảng phí: Đã thu đủ đảng phí tháng 10",
        "8. Đánh giá kết quả thực hiện nghị quyết tháng trước",
        "Kết luận: Hoàn thành 1/2 nhiệm vụ, còn đường nội bản",
        "1. Đồng chí Lường Văn Đức: Đề nghị sửa đường ống nước đầu bản",
        "2. Đồng chí Quàng Thị Xuân: Hội phụ nữ nhận vận động các hộ vệ sinh chuồng trại",
        "3. Hoàng Văn Thụ (Đảng ủy viên, phụ trách chi bộ): Quán triệt nghị quyết của Đảng \
         ủy xã về chuyển đổi số",
        "2. Làm đường bê tông nội bản – đồng chí Cầm Văn Dũng: chưa hoàn thành (thiếu xi \
         măng)",
        "1. Hoàn thành thu hoạch lúa mùa – người thực hiện: đồng chí Quàng Thị Xuân – thời \
         hạn: 15/11/2026",
        "- \"Thông qua nghị quyết tháng 10\": tán thành 6, không tán thành 0, không biểu quyết \
         0 (có quyền biểu quyết 8, cần ít nhất 5) – thông qua",
        "Tập trung thu hoạch lúa mùa, giữ gìn an ninh trật tự",
        "Nghị quyết số 10-NQ/CB:",
        "Biên bản đã được đọc lại trước chi bộ và được thông qua.",
        "THƯ KÝ",
        "CHỦ TRÌ",
        "Hà Thị Ánh",
        "Lò Văn Thắng",
        "Đã ký lúc 21:20 ngày 24/10/2026",
    ] {
        assert_has(&p, expected);
    }
    let a = f.assessment();
    assert_has(
        &p,
        &format!(
            "Tổng điểm: {}/100, xếp loại {}",
            a.quality.total,
            a.quality.grade.label()
        ),
    );
    // The minute-taker signs on the left, the chair on the right.
    let taker = p.iter().position(|x| x == "THƯ KÝ").unwrap();
    let chair = p.iter().position(|x| x == "CHỦ TRÌ").unwrap();
    assert!(taker < chair);
}

#[test]
fn the_resolution_follows_the_guideline_42_template() {
    let f = Fixture::new();
    let a = f.assessment();
    let p = document_paragraphs(&resolution_docx(&f.ctx(), &a).unwrap());
    for expected in [
        "ĐẢNG BỘ XÃ XUÂN HÒA",
        "CHI BỘ BẢN NÀ HẨU",
        "Số 10-NQ/CB",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Xuân Hòa, ngày 24 tháng 10 năm 2026",
        "NGHỊ QUYẾT",
        "Có mặt: 8/10 đảng viên (tỷ lệ 80%); vắng có lý do 1; vắng không lý do 1.",
        "Thời gian sinh hoạt: 105 phút.",
        "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG TRƯỚC",
        // The task table: header and cells.
        "Người thực hiện",
        "Vận động 5 hộ đăng ký nuôi cá lồng",
        "Chưa hoàn thành (thiếu xi măng)",
        "- Nhiệm vụ \"Làm đường bê tông nội bản\" (Cầm Văn Dũng) chưa hoàn thành.",
        "II. NHIỆM VỤ THÁNG 11/2026",
        "Chi bộ lãnh đạo nhân dân thu hoạch xong lúa mùa trước ngày 15/11.",
        "III. TỔ CHỨC THỰC HIỆN",
        "Đồng chí Quàng Thị Xuân",
        "15/11/2026",
        "- Đồng chí Bí thư chi bộ gửi nghị quyết, báo cáo Đảng ủy xã Xuân Hòa trong vòng 2 \
         ngày sau buổi sinh hoạt.",
        "IV. CHẤT LƯỢNG SINH HOẠT CHI BỘ",
        "Nơi nhận:",
        "- Đảng ủy xã Xuân Hòa (báo cáo),",
        "- Đồng chí Hoàng Văn Thụ (Đảng ủy viên, phụ trách chi bộ),",
        "- Đảng viên trong chi bộ,",
        "- Lưu chi bộ.",
        "T/M CHI BỘ",
        "BÍ THƯ",
        "Lò Văn Thắng",
    ] {
        assert_has(&p, expected);
    }
    assert_contains(&p, "Vắng không lý do: đồng chí Lò Văn Mạnh");
    assert_contains(&p, "tán thành 6, không tán thành 0");
    assert_has(
        &p,
        &format!(
            "Chi bộ tự chấm: {}/100 điểm, xếp loại {}.",
            a.quality.total,
            a.quality.grade.label()
        ),
    );
    // An unexcused absence is a shortcoming the record shows.
    assert_contains(&p, "vắng không lý do");
}

#[test]
fn a_cell_with_an_elected_committee_signs_on_behalf_of_the_committee() {
    let mut f = Fixture::new();
    // Ten full members: a committee may be elected; one member sits on it.
    f.roster[2].role = MemberRole::CellCommittee;
    let p = document_paragraphs(&resolution_docx(&f.ctx(), &f.assessment()).unwrap());
    assert_has(&p, "T/M CHI ỦY");
    assert!(!p.iter().any(|x| x == "T/M CHI BỘ"));

    // Below nine full members there is no committee, whatever roles were entered.
    f.roster.truncate(8);
    f.record.roll_call.truncate(8);
    let p = document_paragraphs(&resolution_docx(&f.ctx(), &f.assessment()).unwrap());
    assert_has(&p, "T/M CHI BỘ");
}

#[test]
fn vietnamese_text_survives_byte_for_byte() {
    let mut f = Fixture::new();
    // Precomposed letters with every diacritic the alphabet has, plus XML's own
    // special characters.
    let gist = "Ắ ằ ẳ ẵ ặ Ấ ầ ẩ ẫ ậ Ế ề ể ễ ệ Ố ồ ổ ỗ ộ Ớ ờ ở ỡ ợ Ứ ừ ử ữ ự Ỳ ỷ ỹ ỵ Đ đ <&> \"x\"";
    f.record.speeches[0].gist = gist.into();
    let bytes = minutes_docx(&f.ctx(), &f.assessment()).unwrap();
    let xml = part(&unzip(&bytes), "word/document.xml");
    // The letters are stored as UTF-8, not as numeric references.
    assert!(xml.contains("Ắ ằ ẳ ẵ ặ Ấ ầ ẩ ẫ ậ Ế ề ể ễ ệ Ố ồ ổ ỗ ộ Ớ ờ ở ỡ ợ Ứ ừ ử ữ ự"));
    assert!(xml.contains("Lường Văn Đức"));
    let p = paragraphs(&xml);
    assert_has(&p, &format!("1. Đồng chí Lường Văn Đức: {gist}"));
}

#[test]
fn the_docx_says_what_the_plain_text_minutes_say() {
    let f = Fixture::new();
    let a = f.assessment();
    let doc = minutes_document(&f.ctx(), &a);
    let p = document_paragraphs(&to_docx(&doc).unwrap());
    // Every line of the text rendering that stands alone (not a padded two-column
    // line) is a paragraph of the DOCX.
    let text = chibo_domain::rules::minutes_text(&f.ctx(), &a);
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.contains("    "))
    {
        assert_has(&p, line.trim_start());
    }
}

use super::*;
use crate::model::{
    Attendance, Guest, MeetingKind, ResolutionText, Task, TaskOutcome, TaskReview, VoteKind,
    VoteTally,
};
use crate::rules::test_support::*;
use crate::rules::{assess_meeting, document_text};
use crate::time::CalendarDate;

/// The vote adopting October's resolution, `in_favor` of the cell's ten for it.
fn approve_october(in_favor: u32) -> VoteTally {
    vote(
        1,
        "Thông qua nghị quyết tháng 10",
        VoteKind::Ordinary,
        [in_favor, 0, 0],
    )
}

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
    f.record.votes = vec![approve_october(9)];
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

// Golden pins: the whole resolution, as text and as the structured document the DOCX
// renderer lays out, for four meetings that between them take every branch. A change
// to the wording or layout must show up here as a diff of the golden files.

/// The exemplary meeting of a cell with an elected committee, with a numbered
/// resolution, a partly done task with a note, a passed and a failed vote, petitions
/// and the upper-level delegate who came to guide it.
fn rich_meeting() -> Fixture {
    let mut f = exemplary();
    f.roster[0].full_name = "Lò Văn Một".into();
    f.roster[1].role = MemberRole::CellCommittee;
    let m = &mut f.record.meeting;
    m.resolution = Some(ResolutionText {
        number: "11-NQ/CB".into(),
        text: "Tập trung thu hoạch lúa mùa.\nGiữ gìn an ninh trật tự trong bản.".into(),
    });
    m.guests.push(Guest {
        name: "Vi Thị Lan".into(),
        title: "Trưởng bản".into(),
        upper_level: false,
    });
    m.guests.push(Guest {
        name: "Lường Văn Sơn".into(),
        title: "Phó Bí thư Đảng ủy xã".into(),
        upper_level: true,
    });
    f.record.task_reviews[1] = TaskReview {
        task_id: id(202),
        outcome: TaskOutcome::PartlyDone,
        note: Some("còn 2 hộ".into()),
    };
    f.record.tasks.push(Task {
        id: id(212),
        description: "Tổ chức thu đảng phí quý IV".into(),
        assignee_id: id(2),
        deadline: CalendarDate::from_ymd(2026, 11, 30).unwrap(),
    });
    f.record.votes = vec![
        approve_october(9),
        vote(
            2,
            "Kết nạp quần chúng Lò Thị Hoa vào Đảng",
            VoteKind::Admission,
            [5, 3, 1],
        ),
    ];
    f.record.petitions = vec![water_pipe_petition()];
    f.record.meeting.secretary_judgement = Some(full_judged_marks());
    f
}

/// A December meeting with a thematic part that falls short: chaired by the deputy
/// secretary of a cell with no secretary, an unexcused absentee, a task not done and
/// one not reviewed, only the chair's conclusion, no upper-level delegate.
fn troubled_meeting() -> Fixture {
    let mut f = exemplary();
    f.roster[0].role = MemberRole::DeputySecretary;
    f.roster[0].full_name = "Lò Thị Hai".into();
    mark(&mut f.record.roll_call, &id(9), Attendance::AbsentUnexcused);
    f.record.roll_call[8].reason = Some("Đi làm ăn xa".into());
    let m = &mut f.record.meeting;
    let start = at(2026, 12, 24, 19, 30);
    m.kind = MeetingKind::RegularWithThematic;
    m.thematic_topic = Some("Học tập và làm theo tư tưởng Hồ Chí Minh".into());
    m.planned_start = start;
    m.actual_start = Some(start);
    m.actual_end = Some(start + 100 * 60_000);
    m.guests = vec![Guest {
        name: "Vi Thị Lan".into(),
        title: "Trưởng bản".into(),
        upper_level: false,
    }];
    m.resolution = Some(ResolutionText {
        number: "không số".into(),
        text: "   ".into(),
    });
    m.conclusion = Some("Khắc phục tình trạng vắng họp".into());
    f.previous_tasks.push(Task {
        id: id(203),
        description: "Sửa nhà văn hóa".into(),
        assignee_id: id(4),
        deadline: CalendarDate::from_ymd(2026, 11, 30).unwrap(),
    });
    f.record.task_reviews[0].outcome = TaskOutcome::NotDone;
    f.record.task_reviews[0].note = Some("thiếu kinh phí".into());
    f.record.agenda[7].conclusion = Some("  ".into());
    f.record.tasks[0].deadline = CalendarDate::from_ymd(2027, 1, 20).unwrap();
    f.record.votes = vec![vote(
        1,
        "Thông qua nghị quyết tháng 12",
        VoteKind::Ordinary,
        [8, 0, 0],
    )];
    f
}

/// The exemplary meeting as it is, scored by the secretary: nothing falls short.
fn exemplary_meeting() -> Fixture {
    let mut f = exemplary();
    f.record.meeting.secretary_judgement = Some(full_judged_marks());
    f
}

/// A small cell's meeting with almost nothing recorded: no chair, no secretary, no
/// end time, no tasks either month, no votes, and one member away without reason.
fn bare_meeting() -> Fixture {
    let mut f = Fixture::new(full_members(3));
    mark(&mut f.record.roll_call, &id(3), Attendance::AbsentUnexcused);
    f.record.meeting.actual_end = None;
    f.record.meeting.conclusion = Some(" ".into());
    f
}

fn golden_case(name: &str, f: &Fixture, text: &str, json: &str) {
    let doc = resolution_document(&f.ctx(), &assess_meeting(&f.ctx()));
    let actual_text = document_text(&doc);
    let actual_json = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    assert!(
        actual_text == text,
        "the {name} resolution's text changed:\n{actual_text}"
    );
    assert!(
        actual_json == json,
        "the {name} resolution's structure changed:\n{actual_json}"
    );
}

#[test]
fn the_whole_resolution_is_pinned() {
    golden_case(
        "rich",
        &rich_meeting(),
        include_str!("golden/rich.txt"),
        include_str!("golden/rich.json"),
    );
    golden_case(
        "troubled",
        &troubled_meeting(),
        include_str!("golden/troubled.txt"),
        include_str!("golden/troubled.json"),
    );
    golden_case(
        "exemplary",
        &exemplary_meeting(),
        include_str!("golden/exemplary.txt"),
        include_str!("golden/exemplary.json"),
    );
    golden_case(
        "bare",
        &bare_meeting(),
        include_str!("golden/bare.txt"),
        include_str!("golden/bare.json"),
    );
}

/// Writes the golden files from the current code: run by hand, on purpose
/// (`cargo test -p chibo-domain write_resolution_golden -- --ignored`), then review
/// the diff.
#[test]
#[ignore]
fn write_resolution_golden() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/rules/resolution/golden");
    std::fs::create_dir_all(dir).unwrap();
    for (name, f) in [
        ("rich", rich_meeting()),
        ("troubled", troubled_meeting()),
        ("exemplary", exemplary_meeting()),
        ("bare", bare_meeting()),
    ] {
        let doc = resolution_document(&f.ctx(), &assess_meeting(&f.ctx()));
        std::fs::write(format!("{dir}/{name}.txt"), document_text(&doc)).unwrap();
        let json = serde_json::to_string_pretty(&doc).unwrap() + "\n";
        std::fs::write(format!("{dir}/{name}.json"), json).unwrap();
    }
}

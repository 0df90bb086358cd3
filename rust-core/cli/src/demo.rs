//! A realistic highland cell and its last two monthly meetings, recorded through the
//! same API the phone uses, then printed: the main job until the commune server exists.

use chibo_core::ffi::{ChiboError, ChiboStore};

use crate::out::say;
use chibo_core::store::HomeSummary;
use chibo_domain::labels::{format_date_time, format_percent, in_sentence, Label};
use chibo_domain::time::{from_local, local_datetime};
use chibo_domain::*;
use chrono::{Datelike, Months, NaiveDate};

struct Person {
    name: &'static str,
    membership: MembershipKind,
    status: MemberStatus,
    reason: Option<&'static str>,
    role: MemberRole,
}

const fn person(
    name: &'static str,
    membership: MembershipKind,
    status: MemberStatus,
    role: MemberRole,
) -> Person {
    Person {
        name,
        membership,
        status,
        reason: None,
        role,
    }
}

fn roster() -> Vec<Person> {
    use MemberRole::*;
    use MemberStatus::*;
    use MembershipKind::*;
    vec![
        person("Lò Văn Thắng", Full, Active, Secretary),
        person("Hoàng Thị Lan", Full, Active, DeputySecretary),
        person("Giàng A Páo", Full, Active, Member),
        person("Sùng Thị Mai", Full, Active, Member),
        Person {
            reason: Some("Đi làm ăn tại Bắc Ninh"),
            ..person("Vàng Seo Lử", Full, WorkingAway, Member)
        },
        Person {
            reason: Some("Tuổi cao, sức yếu"),
            ..person("Lục Văn Hùng", Full, Exempt, Member)
        },
        person("Nông Thị Hoa", Full, Active, Member),
        person("Thào A Sử", Probationary, Active, Member),
        Person {
            reason: Some("Sinh hoạt tạm thời tại Chi bộ Nhà máy thủy điện Nậm Mu"),
            ..person("Ma Văn Dũng", Full, AttachedElsewhere, Member)
        },
        person("Lý Thị Hương", Full, Active, Member),
        Person {
            reason: Some("Điều trị bệnh dài ngày"),
            ..person("Hà Văn Tài", Full, Exempt, Member)
        },
        person("Mùa A Chứ", Probationary, Active, Member),
    ]
}

/// 19:30 on the 24th of the month `months_back` before this one, Vietnam time.
fn meeting_day(months_back: u32, day: u32) -> EpochMillis {
    let today = local_datetime(chrono::Utc::now().timestamp_millis()).date();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("first of month");
    let month = if months_back == 0 {
        first
    } else {
        first - Months::new(months_back)
    };
    let date = month.with_day(day).expect("day exists in every month");
    from_local(date.and_hms_opt(19, 30, 0).expect("valid time"))
}

pub fn run(store: &ChiboStore) -> Result<(), ChiboError> {
    let commune_id = new_id();
    let cell = Cell {
        id: new_id(),
        commune_id,
        commune_name: "Đảng bộ xã Xuân Hòa".into(),
        name: "Chi bộ bản Nà Hẩu".into(),
        kind: CellKind::Village,
        meeting_place: Some(MeetingPlace {
            label: "Nhà văn hóa bản Nà Hẩu".into(),
            latitude: 21.8234,
            longitude: 104.1812,
            radius_m: 150.0,
        }),
        meeting_day: Some(24),
    };
    let members: Vec<Member> = roster()
        .into_iter()
        .map(|p| Member {
            id: new_id(),
            cell_id: cell.id.clone(),
            full_name: p.name.into(),
            membership: p.membership,
            status: p.status,
            status_since: p
                .reason
                .map(|_| CalendarDate::from_ymd(2025, 3, 1).expect("valid date")),
            status_reason: p.reason.map(Into::into),
            role: p.role,
            party_group: None,
        })
        .collect();
    store.import_roster(cell.clone(), members.clone())?;
    // Two months ago and last month, both signed; last month reviews the tasks before it.
    let september = record_month(store, &cell, &members, meeting_day(2, 24), 105, &[])?;
    let previous_tasks = store.meeting_record(september.clone())?.tasks;
    let october = record_month(
        store,
        &cell,
        &members,
        meeting_day(1, 24),
        100,
        &previous_tasks,
    )?;
    store.plan_meeting(
        cell.id.clone(),
        MeetingKind::Regular,
        meeting_day(0, 24),
        "Nhà văn hóa bản Nà Hẩu".into(),
    )?;

    say!("{}", store.minutes_text(october)?);
    say!("{}", home_text(&store.home(cell.id.clone())?));
    Ok(())
}

fn record_month(
    store: &ChiboStore,
    cell: &Cell,
    members: &[Member],
    start: EpochMillis,
    minutes: i64,
    last_month_tasks: &[Task],
) -> Result<String, ChiboError> {
    let id = |name: &str| {
        members
            .iter()
            .find(|m| m.full_name == name)
            .expect("demo member")
            .id
            .clone()
    };
    let mut meeting = store.plan_meeting(
        cell.id.clone(),
        MeetingKind::Regular,
        start,
        "Nhà văn hóa bản Nà Hẩu".into(),
    )?;
    meeting.actual_start = Some(start + 5 * 60_000);
    meeting.actual_end = Some(start + (5 + minutes) * 60_000);
    meeting.chair_id = Some(id("Lò Văn Thắng"));
    meeting.minute_taker_id = Some(id("Lý Thị Hương"));
    meeting.guests = vec![Guest {
        name: "Nguyễn Văn Bình".into(),
        title: "Đảng ủy viên, phụ trách chi bộ".into(),
        upper_level: true,
    }];
    meeting.preparation = Preparation {
        notice_sent_to_members: true,
        notice_sent_to_cadre: true,
        documents_sent_at: Some(start - 2 * 86_400_000),
    };
    meeting.party_fee_note = Some("Đã thu đảng phí của 10/12 đồng chí".into());
    meeting.conclusion = Some(
        "Chi bộ thống nhất tập trung vận động nhân dân hoàn thành sửa đường ống nước, \
         bảo vệ rừng mùa khô và đôn đốc con em đi học đầy đủ."
            .into(),
    );
    meeting.final_documents_sent_at = meeting.actual_end.map(|end| end + 86_400_000);
    meeting.minutes_approved = true;
    store.update_meeting(meeting.clone())?;
    store.set_agenda(
        meeting.id.clone(),
        chibo_core::ffi::standard_agenda(meeting.kind),
    )?;

    let marks: &[(&str, Attendance, Option<&str>)] = &[
        ("Lò Văn Thắng", Attendance::Present, None),
        ("Hoàng Thị Lan", Attendance::Present, None),
        ("Giàng A Páo", Attendance::Present, None),
        ("Sùng Thị Mai", Attendance::Late, None),
        (
            "Vàng Seo Lử",
            Attendance::AbsentExcused,
            Some("Đi làm ăn xa tại Bắc Ninh"),
        ),
        ("Lục Văn Hùng", Attendance::Present, None),
        ("Nông Thị Hoa", Attendance::Present, None),
        ("Thào A Sử", Attendance::Present, None),
        ("Ma Văn Dũng", Attendance::AttachedElsewhere, None),
        ("Lý Thị Hương", Attendance::Present, None),
        ("Hà Văn Tài", Attendance::Exempt, None),
        ("Mùa A Chứ", Attendance::Present, None),
    ];
    for (name, attendance, reason) in marks {
        store.mark_attendance(
            meeting.id.clone(),
            id(name),
            *attendance,
            reason.map(Into::into),
        )?;
    }

    let speeches = [
        (
            "Lò Văn Thắng",
            "Quán triệt định hướng của Đảng ủy xã về bảo vệ rừng mùa khô và chuyển đổi số.",
        ),
        (
            "Giàng A Páo",
            "Đường ống nước từ đầu nguồn khe Pá Lả bị vỡ, 18 hộ thiếu nước sinh hoạt.",
        ),
        (
            "Sùng Thị Mai",
            "Đề nghị mở lớp dạy nghề đan lát cho phụ nữ trong bản.",
        ),
        (
            "Nông Thị Hoa",
            "Vận động được 3 hộ đưa con trở lại trường sau kỳ nghỉ.",
        ),
        (
            "Thào A Sử",
            "Tổ tuần tra bảo vệ rừng duy trì 2 buổi mỗi tuần.",
        ),
    ];
    for (name, gist) in speeches {
        store.add_speech(
            meeting.id.clone(),
            Speaker::Member {
                member_id: id(name),
            },
            gist.into(),
        )?;
    }
    store.add_speech(
        meeting.id.clone(),
        Speaker::Guest {
            name: "Nguyễn Văn Bình".into(),
        },
        "Ghi nhận kết quả; xã sẽ hỗ trợ vật tư sửa đường ống nước trong tháng tới.".into(),
    )?;

    for (i, task) in last_month_tasks.iter().enumerate() {
        let outcome = if i == 0 {
            TaskOutcome::PartlyDone
        } else {
            TaskOutcome::Done
        };
        store.review_task(meeting.id.clone(), task.id.clone(), outcome, None)?;
    }
    let deadline = CalendarDate(local_datetime(start).date() + chrono::Days::new(25));
    store.add_task(
        meeting.id.clone(),
        "Huy động nhân dân góp công sửa đường ống nước khe Pá Lả".into(),
        id("Giàng A Páo"),
        deadline,
    )?;
    store.add_task(
        meeting.id.clone(),
        "Tổ chức tuần tra phòng cháy rừng 2 buổi mỗi tuần".into(),
        id("Thào A Sử"),
        deadline,
    )?;
    store.add_task(
        meeting.id.clone(),
        "Vận động học sinh bỏ học trở lại trường".into(),
        id("Nông Thị Hoa"),
        deadline,
    )?;

    store.record_vote(
        meeting.id.clone(),
        "Thông qua nghị quyết tháng".into(),
        VoteKind::Ordinary,
        6,
        0,
        0,
    )?;
    store.raise_petition(
        meeting.id.clone(),
        "Đề nghị xã hỗ trợ 300 m ống nhựa để sửa đường nước sinh hoạt khe Pá Lả".into(),
        PetitionCategory::Infrastructure,
        "Giàng A Páo, thay mặt 18 hộ dân".into(),
    )?;
    store.set_secretary_score(
        meeting.id.clone(),
        JudgedScores {
            content_prepared: 3,
            orientation_and_draft: 2,
            committee_premeeting: 2,
            full_procedure: 5,
            regular_content: 9,
            thematic_part: 0,
            praise_and_criticism: 2,
            ideology_time: 1,
            documents_posted: 1,
            chairing: 9,
            principles: 5,
            conclusion_adopted: 2,
            minutes_adopted_and_tasks: 2,
        },
    )?;
    store.sign_meeting(meeting.id.clone())?;
    Ok(meeting.id)
}

/// The home screen's figures as text.
pub fn home_text(home: &HomeSummary) -> String {
    let mut text = format!("TRANG CHỦ — {}\n", home.cell.name);
    match &home.next_meeting {
        Some(next) => {
            text += &format!(
                "  Buổi sinh hoạt tới: {} tại {}\n",
                format_date_time(next.planned_start),
                next.planned_place
            )
        }
        None => text += "  Chưa lên lịch buổi sinh hoạt tới\n",
    }
    if let Some(last) = &home.last_meeting {
        let rate = last
            .attendance_rate_percent
            .map(format_percent)
            .unwrap_or_else(|| "—".into());
        let grade = in_sentence(last.grade.label());
        let score = last
            .quality_total
            .map(|t| t.to_string())
            .unwrap_or_else(|| "—".into());
        text += &format!(
            "  Buổi gần nhất: dự họp {}/{} ({rate}), {score} điểm, xếp loại {grade}\n",
            last.present, last.expected
        );
    }
    for warning in &home.last_meeting_warnings {
        text += &format!("  ⚠ {}\n", warning.message);
    }
    text += &format!("  Nhiệm vụ đang mở: {}\n", home.open_tasks.len());
    for task in &home.open_tasks {
        let overdue = if task.overdue { ", quá hạn" } else { "" };
        text += &format!(
            "    • {} — {} (hạn {}{overdue})\n",
            task.task.description,
            task.assignee_name,
            task.task.deadline.to_vietnamese()
        );
    }
    text += &format!("  Thay đổi chờ đồng bộ: {}\n", home.pending_changes);
    text
}

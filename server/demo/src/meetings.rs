//! A month's meeting of any seeded cell, recorded step by step through the phone's API
//! (the uniffi façade, as the Android app calls it), varied by cell so the commune's
//! figures are not all alike: some cells have an unexcused absence, some score lower.

use chibo_core::ffi::{ChiboError, ChiboStore};
use chibo_domain::time::local_datetime;
use chibo_domain::*;

/// What the secretary records besides the roll call, chosen per cell.
pub struct MonthPlan<'a> {
    pub cell: &'a Cell,
    pub roster: &'a [Member],
    /// Planned start, Vietnam time.
    pub start: EpochMillis,
    /// Index of the cell in the commune, to vary the record.
    pub variant: usize,
    /// The cadre who attends, shown as an upper-level guest.
    pub visiting_cadre: Option<(&'a str, &'a str)>,
}

pub const PETITIONS: [(&str, PetitionCategory); 6] = [
    (
        "Đề nghị xã hỗ trợ 300 m ống nhựa để sửa đường nước sinh hoạt",
        PetitionCategory::Infrastructure,
    ),
    (
        "Đề nghị đo đạc lại ranh giới đất rừng giữa hai bản",
        PetitionCategory::Land,
    ),
    (
        "Đề nghị tăng cường tuần tra vào ban đêm dịp cuối năm",
        PetitionCategory::SecurityOrder,
    ),
    (
        "Đề nghị bố trí điểm thu gom rác thải đầu bản",
        PetitionCategory::Environment,
    ),
    (
        "Đề nghị mở lớp dạy nghề đan lát cho phụ nữ",
        PetitionCategory::Livelihood,
    ),
    (
        "Đề nghị rà soát hộ cận nghèo được hỗ trợ bảo hiểm y tế",
        PetitionCategory::SocialPolicy,
    ),
];

/// What varies between one meeting and another of the same cell: the roll call, how
/// long it lasted, how last month's tasks went, what residents asked for, the score.
#[derive(Clone, Debug)]
pub struct MeetingDetails {
    /// One entry per roster member, in roster order.
    pub attendance: Vec<(Attendance, Option<String>)>,
    pub minutes: i64,
    /// Outcome of last month's tasks, by position; missing ones were done.
    pub task_outcomes: Vec<TaskOutcome>,
    pub petitions: Vec<(String, PetitionCategory)>,
    pub scores: JudgedScores,
    pub conclusion: String,
    /// Review the tasks of the cell's previous meeting (when none are given).
    pub review_previous: bool,
}

impl MonthPlan<'_> {
    /// The demo's month: everyone present but the members working away, exempt or
    /// attached elsewhere; one cell in five has an unexcused absence, one in three a
    /// late member; one petition; the score dips in some cells.
    pub fn details(&self) -> MeetingDetails {
        let attendance = self
            .roster
            .iter()
            .enumerate()
            .map(|(i, member)| match member.status {
                MemberStatus::Exempt => (Attendance::Exempt, None),
                MemberStatus::AttachedElsewhere => (Attendance::AttachedElsewhere, None),
                MemberStatus::WorkingAway => {
                    (Attendance::AbsentExcused, Some("Đi làm ăn xa".to_string()))
                }
                MemberStatus::Active if i == 4 && self.variant % 5 == 2 => {
                    (Attendance::AbsentUnexcused, None)
                }
                MemberStatus::Active if i == 3 && self.variant.is_multiple_of(3) => {
                    (Attendance::Late, None)
                }
                MemberStatus::Active => (Attendance::Present, None),
            })
            .collect();
        let big = self.roster.len() >= 30;
        let (content, category) = PETITIONS[self.variant % PETITIONS.len()];
        MeetingDetails {
            attendance,
            minutes: if big {
                125
            } else {
                95 + (self.variant % 4) as i64 * 5
            },
            task_outcomes: vec![if self.variant % 2 == 1 {
                TaskOutcome::PartlyDone
            } else {
                TaskOutcome::Done
            }],
            petitions: vec![(content.to_string(), category)],
            scores: scores(self.variant),
            conclusion: "Chi bộ thống nhất tập trung chỉ đạo thu hoạch vụ mùa, bảo vệ rừng mùa \
                         khô và vận động con em đi học đầy đủ."
                .to_string(),
            review_previous: false,
        }
    }
}

/// Plans and records the meeting, without signing it. Returns its id.
pub fn record_meeting(
    store: &ChiboStore,
    plan: &MonthPlan<'_>,
    last_month_tasks: &[Task],
) -> Result<String, ChiboError> {
    record_meeting_with(store, plan, &plan.details(), last_month_tasks)
}

/// Records the meeting `plan` describes with `details`, step by step as the app does,
/// without signing it. Returns its id.
pub fn record_meeting_with(
    store: &ChiboStore,
    plan: &MonthPlan<'_>,
    details: &MeetingDetails,
    last_month_tasks: &[Task],
) -> Result<String, ChiboError> {
    let place = plan
        .cell
        .meeting_place
        .as_ref()
        .map(|p| p.label.clone())
        .unwrap_or_else(|| "Nhà văn hóa".to_string());
    let secretary = member_with(plan.roster, MemberRole::Secretary);
    let deputy = member_with(plan.roster, MemberRole::DeputySecretary).or(secretary);

    let mut meeting = store.plan_meeting(
        plan.cell.id.clone(),
        MeetingKind::Regular,
        plan.start,
        place,
    )?;
    meeting.actual_start = Some(plan.start + 5 * 60_000);
    meeting.actual_end = Some(plan.start + (5 + details.minutes) * 60_000);
    meeting.chair_id = secretary.map(|m| m.id.clone());
    meeting.minute_taker_id = deputy.map(|m| m.id.clone());
    if let Some((name, title)) = plan.visiting_cadre {
        meeting.guests = vec![Guest {
            name: name.to_string(),
            title: title.to_string(),
            upper_level: true,
        }];
    }
    meeting.preparation = Preparation {
        notice_sent_to_members: true,
        notice_sent_to_cadre: plan.visiting_cadre.is_some(),
        documents_sent_at: Some(plan.start - 2 * 86_400_000),
    };
    meeting.conclusion = Some(details.conclusion.clone());
    meeting.minutes_approved = true;
    meeting.final_documents_sent_at = meeting.actual_end.map(|end| end + 86_400_000);
    store.update_meeting(meeting.clone())?;
    store.set_agenda(
        meeting.id.clone(),
        chibo_core::ffi::standard_agenda(meeting.kind),
    )?;

    let mut present = 0u32;
    for (member, (attendance, reason)) in plan.roster.iter().zip(&details.attendance) {
        if attendance.is_present() {
            present += 1;
        }
        store.mark_attendance(
            meeting.id.clone(),
            member.id.clone(),
            *attendance,
            reason.clone(),
        )?;
    }

    // The first four present active members speak.
    let speakers: Vec<&Member> = plan
        .roster
        .iter()
        .zip(&details.attendance)
        .filter(|(m, (a, _))| m.status == MemberStatus::Active && a.is_present())
        .map(|(m, _)| m)
        .take(4)
        .collect();
    let gists = [
        "Quán triệt hướng dẫn sinh hoạt tháng của Đảng ủy xã.",
        "Báo cáo tiến độ thu hoạch lúa nương và phòng chống cháy rừng.",
        "Đề nghị vận động các hộ còn lại tham gia làm đường bê tông nội bản.",
        "Tổ tuần tra bảo vệ rừng duy trì 2 buổi mỗi tuần.",
    ];
    for (speaker, gist) in speakers.iter().zip(gists) {
        store.add_speech(
            meeting.id.clone(),
            Speaker::Member {
                member_id: speaker.id.clone(),
            },
            gist.to_string(),
        )?;
    }
    if let Some((name, _)) = plan.visiting_cadre {
        store.add_speech(
            meeting.id.clone(),
            Speaker::Guest {
                name: name.to_string(),
            },
            "Ghi nhận kết quả của chi bộ; đề nghị bám sát nghị quyết của Đảng ủy xã.".to_string(),
        )?;
    }

    let previous = if last_month_tasks.is_empty() && details.review_previous {
        store.previous_tasks(meeting.id.clone())?
    } else {
        last_month_tasks.to_vec()
    };
    for (i, task) in previous.iter().enumerate() {
        let outcome = details
            .task_outcomes
            .get(i)
            .copied()
            .unwrap_or(TaskOutcome::Done);
        store.review_task(meeting.id.clone(), task.id.clone(), outcome, None)?;
    }
    let deadline = CalendarDate(local_datetime(plan.start).date() + chrono::Days::new(25));
    for (assignee, description) in speakers.iter().zip([
        "Huy động nhân dân góp công sửa đường nước sinh hoạt",
        "Tổ chức tuần tra phòng cháy rừng 2 buổi mỗi tuần",
    ]) {
        store.add_task(
            meeting.id.clone(),
            description.to_string(),
            assignee.id.clone(),
            deadline,
        )?;
    }
    store.record_vote(
        meeting.id.clone(),
        "Thông qua nghị quyết tháng".to_string(),
        VoteKind::Ordinary,
        present,
        0,
        0,
    )?;
    for (content, category) in &details.petitions {
        store.raise_petition(
            meeting.id.clone(),
            content.clone(),
            *category,
            speakers
                .get(1)
                .map(|m| format!("{}, thay mặt nhân dân", m.full_name))
                .unwrap_or_else(|| "Nhân dân trong bản".to_string()),
        )?;
    }
    store.set_secretary_score(meeting.id.clone(), details.scores.clone())?;
    Ok(meeting.id)
}

fn member_with(roster: &[Member], role: MemberRole) -> Option<&Member> {
    roster.iter().find(|m| m.role == role)
}

/// The secretary's self-score, lower in some cells so the grades spread.
pub fn scores(variant: usize) -> JudgedScores {
    let dip = (variant % 4) as u8;
    JudgedScores {
        content_prepared: 3,
        orientation_and_draft: 2,
        committee_premeeting: 2 - dip.min(1),
        full_procedure: 5 - dip,
        regular_content: 9 - dip,
        thematic_part: 0,
        praise_and_criticism: 2,
        ideology_time: 1,
        documents_posted: 1,
        chairing: 9 - dip,
        principles: 5,
        conclusion_adopted: 2,
        minutes_adopted_and_tasks: 2,
    }
}

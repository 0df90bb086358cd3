//! Fixtures shared by the rule tests: a village cell, its roster and one meeting.

use chrono::NaiveDate;

use super::{MeetingContext, PastRollCall, RuleSettings};
use crate::model::*;
use crate::time::{from_local, EpochMillis};

pub const CELL_ID: &str = "00000000-0000-7000-8000-00000000c011";

/// A well-formed UUID numbered `n`, so tests read as "member 3", "task 2".
pub fn id(n: u32) -> Id {
    format!("00000000-0000-7000-8000-{n:012}")
}

/// A local (Vietnam) wall-clock instant.
pub fn at(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> EpochMillis {
    from_local(
        NaiveDate::from_ymd_opt(year, month, day)
            .unwrap()
            .and_hms_opt(hour, minute, 0)
            .unwrap(),
    )
}

pub fn cell() -> Cell {
    Cell {
        id: CELL_ID.into(),
        commune_id: id(9000),
        commune_name: "Đảng bộ xã Xuân Hòa".into(),
        name: "Chi bộ bản Nà Hẩu".into(),
        kind: CellKind::Village,
        meeting_place: None,
        meeting_day: Some(24),
    }
}

pub fn member(n: u32, membership: MembershipKind, status: MemberStatus) -> Member {
    Member {
        id: id(n),
        cell_id: CELL_ID.into(),
        full_name: format!("Đảng viên {n}"),
        membership,
        status,
        status_since: None,
        status_reason: None,
        role: MemberRole::Member,
        party_group: None,
    }
}

/// Active full members numbered 1..=count.
pub fn full_members(count: u32) -> Vec<Member> {
    (1..=count)
        .map(|n| member(n, MembershipKind::Full, MemberStatus::Active))
        .collect()
}

pub fn entry(member_id: &str, attendance: Attendance) -> RollCallEntry {
    RollCallEntry {
        member_id: member_id.into(),
        attendance,
        reason: None,
    }
}

/// Everyone on the roster marked as their status suggests: exempt as exempt, attached
/// as attached, everyone else present.
pub fn everyone_present(roster: &[Member]) -> Vec<RollCallEntry> {
    roster
        .iter()
        .map(|m| {
            let attendance = match m.status {
                MemberStatus::Exempt => Attendance::Exempt,
                MemberStatus::AttachedElsewhere => Attendance::AttachedElsewhere,
                _ => Attendance::Present,
            };
            entry(&m.id, attendance)
        })
        .collect()
}

/// Sets one member's mark in a roll call.
pub fn mark(roll_call: &mut [RollCallEntry], member_id: &str, attendance: Attendance) {
    roll_call
        .iter_mut()
        .find(|e| e.member_id == member_id)
        .expect("member in roll call")
        .attendance = attendance;
}

pub fn past(n: u32, month: u32, entries: Vec<RollCallEntry>) -> PastRollCall {
    PastRollCall {
        meeting_id: id(5000 + n),
        kind: MeetingKind::Regular,
        started_at: at(2026, month, 24, 19, 30),
        entries,
    }
}

/// A regular meeting on 24/10/2026 from 19:30 lasting `minutes`.
pub fn meeting(minutes: i64) -> Meeting {
    let start = at(2026, 10, 24, 19, 30);
    let mut meeting = Meeting::planned(
        id(7000),
        CELL_ID.into(),
        MeetingKind::Regular,
        start,
        "Nhà văn hóa bản Nà Hẩu".into(),
    );
    meeting.status = MeetingStatus::Recorded;
    meeting.actual_start = Some(start);
    meeting.actual_end = Some(start + minutes * 60_000);
    meeting
}

/// Owns everything a [`MeetingContext`] borrows.
pub struct Fixture {
    pub cell: Cell,
    pub roster: Vec<Member>,
    pub record: MeetingRecord,
    pub previous_tasks: Vec<Task>,
    pub earlier_this_year: Vec<PastRollCall>,
    pub settings: RuleSettings,
}

impl Fixture {
    /// A 95-minute regular meeting of `roster` with everyone present.
    pub fn new(roster: Vec<Member>) -> Self {
        let mut record = MeetingRecord::new(meeting(95));
        record.roll_call = everyone_present(&roster);
        Fixture {
            cell: cell(),
            roster,
            record,
            previous_tasks: Vec::new(),
            earlier_this_year: Vec::new(),
            settings: RuleSettings::default(),
        }
    }

    pub fn ctx(&self) -> MeetingContext<'_> {
        MeetingContext {
            cell: &self.cell,
            roster: &self.roster,
            record: &self.record,
            previous_tasks: &self.previous_tasks,
            earlier_this_year: &self.earlier_this_year,
            settings: &self.settings,
        }
    }
}

/// A meeting that earns every computed point: a cell of 10 with the secretary chairing
/// and member 2 taking minutes; 9 present and 1 excused; 6 speakers; notice and
/// documents on time; last month's 2 tasks done; the resolution sent the next day.
pub fn exemplary() -> Fixture {
    let mut roster = full_members(10);
    roster[0].role = MemberRole::Secretary;
    let mut f = Fixture::new(roster);
    mark(&mut f.record.roll_call, &id(10), Attendance::AbsentExcused);
    f.record.roll_call[9].reason = Some("Ốm".into());

    let m = &mut f.record.meeting;
    m.chair_id = Some(id(1));
    m.minute_taker_id = Some(id(2));
    m.guests = vec![Guest {
        name: "Hoàng Văn Thắng".into(),
        title: "Đảng ủy viên, phụ trách chi bộ".into(),
        upper_level: true,
    }];
    m.preparation = Preparation {
        notice_sent_to_members: true,
        notice_sent_to_cadre: true,
        documents_sent_at: Some(at(2026, 10, 22, 8, 0)),
    };
    m.party_fee_note = Some("Đã thu đủ đảng phí tháng 10".into());
    m.conclusion = Some("Tập trung thu hoạch lúa mùa, giữ gìn an ninh trật tự".into());
    m.minutes_approved = true;
    m.final_documents_sent_at = Some(at(2026, 10, 25, 9, 0));

    f.record.agenda = super::standard_agenda(MeetingKind::Regular);
    f.record.agenda[7].conclusion = Some("Hoàn thành 2/2 nhiệm vụ".into());
    f.record.speeches = (1..=6)
        .map(|n| Speech {
            id: id(400 + n),
            speaker: Speaker::Member { member_id: id(n) },
            gist: format!("Ý kiến số {n}"),
        })
        .collect();
    f.previous_tasks = (1..=2)
        .map(|n| Task {
            id: id(200 + n),
            description: format!("Nhiệm vụ tháng trước {n}"),
            assignee_id: id(n),
            deadline: crate::time::CalendarDate::from_ymd(2026, 10, 20).unwrap(),
        })
        .collect();
    f.record.task_reviews = f
        .previous_tasks
        .iter()
        .map(|t| TaskReview {
            task_id: t.id.clone(),
            outcome: TaskOutcome::Done,
            note: None,
        })
        .collect();
    f.record.tasks = vec![Task {
        id: id(211),
        description: "Vận động nhân dân làm đường bê tông nội bản".into(),
        assignee_id: id(3),
        deadline: crate::time::CalendarDate::from_ymd(2026, 11, 20).unwrap(),
    }];
    f
}

/// Vote `n` on `question`: for, against, abstaining.
pub fn vote(n: u32, question: &str, kind: VoteKind, tally: [u32; 3]) -> VoteTally {
    let [in_favor, against, abstain] = tally;
    VoteTally {
        id: id(300 + n),
        question: question.into(),
        kind,
        in_favor,
        against,
        abstain,
    }
}

/// The residents' petition about the village's broken water pipe, raised at the
/// fixture meeting and forwarded.
pub fn water_pipe_petition() -> Petition {
    Petition {
        id: id(501),
        cell_id: CELL_ID.into(),
        meeting_id: Some(id(7000)),
        content: "Đường ống nước đầu bản bị vỡ".into(),
        category: PetitionCategory::Infrastructure,
        raised_by: "Nhân dân bản Nà Hẩu".into(),
        status: PetitionStatus::Forwarded,
        raised_at: at(2026, 10, 24, 20, 0),
    }
}

/// Judged parts all at their maximum.
pub fn full_judged_marks() -> JudgedScores {
    JudgedScores {
        content_prepared: 3,
        orientation_and_draft: 2,
        committee_premeeting: 2,
        full_procedure: 5,
        regular_content: 10,
        thematic_part: 5,
        praise_and_criticism: 2,
        ideology_time: 1,
        documents_posted: 1,
        chairing: 10,
        principles: 5,
        conclusion_adopted: 2,
        minutes_adopted_and_tasks: 2,
    }
}

//! Shared fixtures of the store tests: a 12-member village cell in mixed statuses, a
//! neighbouring cell, and the changes that record a whole meeting.
#![allow(dead_code)]

use chibo_core::store::Store;
use chibo_domain::change::Change;
use chibo_domain::time::from_local;
use chibo_domain::*;

/// A local (Vietnam) wall-clock time.
pub fn at(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> EpochMillis {
    from_local(
        chrono::NaiveDate::from_ymd_opt(year, month, day)
            .unwrap()
            .and_hms_opt(hour, minute, 0)
            .unwrap(),
    )
}

pub const MINUTE: i64 = 60_000;
pub const DAY: i64 = 24 * 60 * MINUTE;

pub struct Fixture {
    pub cell: Cell,
    /// 0 secretary, 1 deputy, 2..=7 active members, 8 working away, 9 exempt,
    /// 10 attached elsewhere, 11 probationary.
    pub members: Vec<Member>,
    pub other_cell: Cell,
    pub other_member: Member,
}

pub const WORKING_AWAY: usize = 8;
pub const EXEMPT: usize = 9;
pub const ATTACHED: usize = 10;
pub const PROBATIONARY: usize = 11;

fn new_cell(name: &str) -> Cell {
    Cell {
        id: new_id(),
        commune_id: "0190a000-0000-7000-8000-000000000001".into(),
        commune_name: "Đảng bộ xã Xuân Hòa".into(),
        name: name.into(),
        kind: CellKind::Village,
        meeting_place: Some(MeetingPlace {
            label: "Nhà văn hóa bản".into(),
            latitude: 21.5,
            longitude: 103.9,
            radius_m: 150.0,
        }),
        meeting_day: Some(24),
    }
}

fn member(
    cell_id: &str,
    name: &str,
    membership: MembershipKind,
    status: MemberStatus,
    role: MemberRole,
) -> Member {
    Member {
        id: new_id(),
        cell_id: cell_id.into(),
        full_name: name.into(),
        membership,
        status,
        status_since: match status {
            MemberStatus::Active => None,
            _ => CalendarDate::from_ymd(2025, 6, 1),
        },
        status_reason: match status {
            MemberStatus::Exempt => Some("Tuổi cao, sức yếu".into()),
            MemberStatus::WorkingAway => Some("Đi làm ăn tại Bình Dương".into()),
            MemberStatus::AttachedElsewhere => Some("Sinh hoạt tạm thời tại chi bộ cơ quan".into()),
            MemberStatus::Active => None,
        },
        role,
        party_group: None,
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        use MemberRole::*;
        use MemberStatus::*;
        use MembershipKind::*;
        let cell = new_cell("Chi bộ bản Nà Hẩu");
        let c = cell.id.clone();
        let members = vec![
            member(&c, "Lò Văn Hùng", Full, Active, Secretary),
            member(&c, "Quàng Thị Mai", Full, Active, DeputySecretary),
            member(&c, "Cà Văn Bình", Full, Active, Member),
            member(&c, "Điêu Thị Hoa", Full, Active, Member),
            member(&c, "Hà Văn Dũng", Full, Active, Member),
            member(&c, "Lường Văn Khánh", Full, Active, Member),
            member(&c, "Tòng Thị Lan", Full, Active, Member),
            member(&c, "Vì Văn Nam", Full, Active, Member),
            member(&c, "Lò Văn Sơn", Full, WorkingAway, Member),
            member(&c, "Cầm Văn Tâm", Full, Exempt, Member),
            member(&c, "Lê Thị Thu", Full, AttachedElsewhere, Member),
            member(&c, "Sa Văn Tú", Probationary, Active, Member),
        ];
        let other_cell = new_cell("Chi bộ bản Co Muông");
        let other_member = member(&other_cell.id, "Lò Thị Xuân", Full, Active, Secretary);
        Fixture {
            cell,
            members,
            other_cell,
            other_member,
        }
    }

    pub fn roster_changes(&self) -> Vec<Change> {
        let mut changes = vec![
            Change::UpsertCell {
                cell: self.cell.clone(),
            },
            Change::UpsertCell {
                cell: self.other_cell.clone(),
            },
        ];
        changes.extend(
            self.members
                .iter()
                .cloned()
                .map(|member| Change::UpsertMember { member }),
        );
        changes.push(Change::UpsertMember {
            member: self.other_member.clone(),
        });
        changes
    }

    /// A fresh store file with the roster in it.
    pub fn store(&self, path: &std::path::Path, now: EpochMillis) -> Store {
        let mut store = Store::open(path).unwrap();
        store.apply_all(self.roster_changes(), now).unwrap();
        store
    }

    pub fn id(&self, index: usize) -> Id {
        self.members[index].id.clone()
    }

    /// The usual roll call: everyone present, except the one working away (excused),
    /// the exempt and the attached-elsewhere member; then `overrides`.
    pub fn roll_call(&self, overrides: &[(usize, Attendance)]) -> Vec<RollCallEntry> {
        self.members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let default = match i {
                    WORKING_AWAY => Attendance::AbsentExcused,
                    EXEMPT => Attendance::Exempt,
                    ATTACHED => Attendance::AttachedElsewhere,
                    _ => Attendance::Present,
                };
                let attendance = overrides
                    .iter()
                    .find(|(j, _)| *j == i)
                    .map(|(_, a)| *a)
                    .unwrap_or(default);
                RollCallEntry {
                    member_id: m.id.clone(),
                    attendance,
                    reason: match attendance {
                        Attendance::AbsentExcused => Some("Đi làm ăn xa".into()),
                        _ => None,
                    },
                }
            })
            .collect()
    }
}

pub fn judged() -> JudgedScores {
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
    }
}

pub fn signature(fx: &Fixture, signed_at: EpochMillis) -> Signature {
    Signature {
        signed_at,
        chair_name: fx.members[0].full_name.clone(),
        minute_taker_name: fx.members[1].full_name.clone(),
    }
}

/// What one meeting records, for [`record_changes`].
pub struct Plan {
    pub meeting_id: Id,
    pub kind: MeetingKind,
    pub start: EpochMillis,
    pub minutes: i64,
    pub roll_call: Vec<RollCallEntry>,
    /// Member indexes who speak.
    pub speakers: Vec<usize>,
    /// (task id, outcome) of last month's tasks.
    pub reviews: Vec<(Id, TaskOutcome)>,
    /// (assignee index, deadline) of the tasks set.
    pub tasks: Vec<(usize, CalendarDate)>,
}

impl Plan {
    pub fn new(fx: &Fixture, start: EpochMillis) -> Plan {
        Plan {
            meeting_id: new_id(),
            kind: MeetingKind::Regular,
            start,
            minutes: 120,
            roll_call: fx.roll_call(&[]),
            speakers: vec![0, 2, 3, 4, 5, 11],
            reviews: Vec::new(),
            tasks: Vec::new(),
        }
    }
}

pub fn header(fx: &Fixture, plan: &Plan) -> Meeting {
    let mut m = Meeting::planned(
        plan.meeting_id.clone(),
        fx.cell.id.clone(),
        plan.kind,
        plan.start,
        "Nhà văn hóa bản Nà Hẩu".into(),
    );
    m.actual_start = Some(plan.start);
    m.actual_end = Some(plan.start + plan.minutes * MINUTE);
    m.chair_id = Some(fx.id(0));
    m.minute_taker_id = Some(fx.id(1));
    m.guests = vec![Guest {
        name: "Nguyễn Văn Thành".into(),
        title: "Đảng ủy viên, phụ trách chi bộ".into(),
        upper_level: true,
    }];
    m.preparation = Preparation {
        notice_sent_to_members: true,
        notice_sent_to_cadre: true,
        documents_sent_at: Some(plan.start - 2 * DAY),
    };
    m.party_fee_note = Some("Đã thu đủ đảng phí tháng".into());
    m.conclusion = Some("Thống nhất các nhiệm vụ tháng tới".into());
    m.resolution = Some(ResolutionText {
        number: "Số 03-NQ/CB".into(),
        text: "Chi bộ thống nhất nghị quyết tháng.".into(),
    });
    m.minutes_approved = true;
    m.final_documents_sent_at = Some(plan.start + DAY);
    m
}

/// Every change that records the meeting of `plan`, in the order of the meeting, up to
/// but not including the signature.
pub fn record_changes(fx: &Fixture, plan: &Plan) -> Vec<Change> {
    let id = plan.meeting_id.clone();
    let planned = Meeting::planned(
        id.clone(),
        fx.cell.id.clone(),
        plan.kind,
        plan.start,
        "Nhà văn hóa bản Nà Hẩu".into(),
    );
    let mut changes = vec![
        Change::PlanMeeting { meeting: planned },
        Change::UpdateMeeting {
            meeting: header(fx, plan),
            fields: vec![],
        },
        Change::SetAgenda {
            meeting_id: id.clone(),
            items: vec![
                AgendaItem {
                    section: AgendaSection::Opening,
                    title: "Tuyên bố lý do, giới thiệu đại biểu, điểm danh".into(),
                    conclusion: None,
                },
                AgendaItem {
                    section: AgendaSection::Body,
                    title: "Đánh giá kết quả tháng trước, nhiệm vụ tháng tới".into(),
                    conclusion: Some("Hoàn thành phần lớn chỉ tiêu".into()),
                },
                AgendaItem {
                    section: AgendaSection::Closing,
                    title: "Thông qua nghị quyết".into(),
                    conclusion: None,
                },
            ],
        },
    ];
    changes.extend(
        plan.roll_call
            .iter()
            .cloned()
            .map(|entry| Change::SetAttendance {
                meeting_id: id.clone(),
                entry,
            }),
    );
    changes.extend(plan.speakers.iter().map(|&i| Change::AddSpeech {
        meeting_id: id.clone(),
        speech: Speech {
            id: new_id(),
            speaker: Speaker::Member {
                member_id: fx.id(i),
            },
            gist: format!("Ý kiến của đồng chí {}", fx.members[i].full_name),
        },
    }));
    changes.push(Change::AddSpeech {
        meeting_id: id.clone(),
        speech: Speech {
            id: new_id(),
            speaker: Speaker::Guest {
                name: "Nguyễn Văn Thành".into(),
            },
            gist: "Đồng chí đảng ủy viên phát biểu chỉ đạo".into(),
        },
    });
    changes.extend(
        plan.reviews
            .iter()
            .map(|(task_id, outcome)| Change::ReviewTask {
                meeting_id: id.clone(),
                review: TaskReview {
                    task_id: task_id.clone(),
                    outcome: *outcome,
                    note: None,
                },
            }),
    );
    changes.extend(
        plan.tasks
            .iter()
            .enumerate()
            .map(|(n, (i, deadline))| Change::AddTask {
                meeting_id: id.clone(),
                task: Task {
                    id: new_id(),
                    description: format!("Nhiệm vụ số {}", n + 1),
                    assignee_id: fx.id(*i),
                    deadline: *deadline,
                },
            }),
    );
    changes.push(Change::RecordVote {
        meeting_id: id.clone(),
        vote: VoteTally {
            id: new_id(),
            question: "Thông qua nghị quyết tháng".into(),
            kind: VoteKind::Ordinary,
            in_favor: 8,
            against: 0,
            abstain: 0,
        },
    });
    changes.push(Change::RaisePetition {
        petition: Petition {
            id: new_id(),
            cell_id: fx.cell.id.clone(),
            meeting_id: Some(id.clone()),
            content: "Đường ống nước đầu bản bị vỡ".into(),
            category: PetitionCategory::Infrastructure,
            raised_by: "Nhân dân bản Nà Hẩu".into(),
            status: PetitionStatus::Raised,
            raised_at: plan.start + 60 * MINUTE,
        },
    });
    changes.push(Change::SetJudgedScores {
        meeting_id: id.clone(),
        scores: judged(),
    });
    changes
}

/// Row counts of every table, to show that a refused change wrote nothing.
pub fn row_counts(store: &Store) -> Vec<(String, i64)> {
    let conn = store.connection();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let n = conn
                .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
                .unwrap();
            (t, n)
        })
        .collect()
}

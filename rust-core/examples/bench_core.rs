//! Cold-open and home-screen timing of the local store on a realistic cell.
//!
//! ```sh
//! cargo run --release -p chibo-core --example bench_core -- /tmp/chibo-bench.db
//! ```
//!
//! Builds the store file if it is missing: a 50-member cell in mixed statuses and five
//! years (60) of fully recorded, signed monthly meetings, each written through
//! `Store::apply`. Then it opens the file afresh 15 times and each time runs the home
//! query, and prints the medians. "Cold" here means a fresh `Store::open` (new
//! connection, empty statement and page caches); the OS file cache cannot be dropped.

use std::path::Path;
use std::time::{Duration, Instant};

use chibo_core::store::Store;
use chibo_domain::change::Change;
use chibo_domain::time::from_local;
use chibo_domain::*;

const RUNS: usize = 15;
const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;

fn at(year: i32, month: u32, day: u32, hour: u32) -> EpochMillis {
    from_local(
        chrono::NaiveDate::from_ymd_opt(year, month, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap(),
    )
}

/// A small deterministic generator, so every build is the same store.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

const FAMILY: [&str; 10] = [
    "Lò", "Quàng", "Cà", "Điêu", "Hà", "Lường", "Tòng", "Vì", "Cầm", "Sa",
];
const GIVEN: [&str; 10] = [
    "Hùng", "Mai", "Bình", "Hoa", "Dũng", "Khánh", "Lan", "Nam", "Sơn", "Tâm",
];

fn roster(cell_id: &str) -> Vec<Member> {
    (0..50)
        .map(|i| {
            let (membership, status) = match i {
                40..=43 => (MembershipKind::Full, MemberStatus::WorkingAway),
                44..=46 => (MembershipKind::Full, MemberStatus::Exempt),
                47..=48 => (MembershipKind::Full, MemberStatus::AttachedElsewhere),
                35..=39 => (MembershipKind::Probationary, MemberStatus::Active),
                _ => (MembershipKind::Full, MemberStatus::Active),
            };
            let role = match i {
                0 => MemberRole::Secretary,
                1 => MemberRole::DeputySecretary,
                2..=4 => MemberRole::CellCommittee,
                _ => MemberRole::Member,
            };
            Member {
                id: new_id(),
                cell_id: cell_id.to_string(),
                full_name: format!(
                    "{} {} {}",
                    FAMILY[i % 10],
                    if i % 2 == 0 { "Văn" } else { "Thị" },
                    GIVEN[(i / 10 + i * 3) % 10]
                ),
                membership,
                status,
                status_since: (status != MemberStatus::Active)
                    .then(|| CalendarDate::from_ymd(2020, 6, 1).unwrap()),
                status_reason: None,
                role,
                party_group: Some(format!("Tổ {}", i % 4 + 1)),
            }
        })
        .collect()
}

fn build(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut store = Store::open(path)?;
    let cell = Cell {
        id: new_id(),
        commune_id: new_id(),
        commune_name: "Đảng bộ xã Xuân Hòa".into(),
        name: "Chi bộ bản Nà Hẩu".into(),
        kind: CellKind::Village,
        meeting_place: None,
        meeting_day: Some(24),
    };
    let members = roster(&cell.id);
    let mut changes = vec![Change::UpsertCell { cell: cell.clone() }];
    changes.extend(
        members
            .iter()
            .cloned()
            .map(|member| Change::UpsertMember { member }),
    );
    store.apply_all(changes, at(2021, 1, 1, 8))?;

    let mut rng = Lcg(2021);
    let mut previous_tasks: Vec<Id> = Vec::new();
    let mut changes_written = 0usize;
    for n in 0..60 {
        let (year, month) = (2021 + n / 12, (n % 12) as u32 + 1);
        let start = at(year, month, 24, 19);
        let id = new_id();
        let mut meeting = Meeting::planned(
            id.clone(),
            cell.id.clone(),
            if month % 3 == 0 {
                MeetingKind::RegularWithThematic
            } else {
                MeetingKind::Regular
            },
            start,
            "Nhà văn hóa bản".into(),
        );
        let mut changes = vec![Change::PlanMeeting {
            meeting: meeting.clone(),
        }];
        meeting.actual_start = Some(start);
        meeting.actual_end = Some(start + (110 + rng.next(30) as i64) * MINUTE);
        meeting.chair_id = Some(members[0].id.clone());
        meeting.minute_taker_id = Some(members[1].id.clone());
        meeting.guests = vec![Guest {
            name: "Nguyễn Văn Thành".into(),
            title: "Đảng ủy viên, phụ trách chi bộ".into(),
            upper_level: true,
        }];
        meeting.thematic_topic = meeting
            .kind
            .has_thematic_part()
            .then(|| "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh".into());
        meeting.preparation = Preparation {
            notice_sent_to_members: true,
            notice_sent_to_cadre: rng.next(4) > 0,
            documents_sent_at: Some(start - (1 + rng.next(3) as i64) * DAY),
        };
        meeting.party_fee_note = Some("Thu đủ đảng phí".into());
        meeting.conclusion = Some("Thống nhất nhiệm vụ tháng tới".into());
        meeting.resolution = Some(ResolutionText {
            number: format!("Số {}-NQ/CB", month),
            text: "Nghị quyết tháng".into(),
        });
        meeting.minutes_approved = true;
        meeting.final_documents_sent_at = Some(start + (1 + rng.next(2) as i64) * DAY);
        changes.push(Change::UpdateMeeting {
            meeting,
            fields: vec![],
        });
        changes.push(Change::SetAgenda {
            meeting_id: id.clone(),
            items: [
                "Khai mạc, điểm danh",
                "Đánh giá tháng trước",
                "Nhiệm vụ tháng tới",
            ]
            .iter()
            .zip([
                AgendaSection::Opening,
                AgendaSection::Body,
                AgendaSection::Closing,
            ])
            .map(|(title, section)| AgendaItem {
                section,
                title: title.to_string(),
                conclusion: None,
            })
            .collect(),
        });
        for m in &members {
            let attendance = match m.status {
                MemberStatus::Exempt => Attendance::Exempt,
                MemberStatus::AttachedElsewhere => Attendance::AttachedElsewhere,
                MemberStatus::WorkingAway => match rng.next(10) {
                    0..=6 => Attendance::AbsentExcused,
                    7 => Attendance::AbsentUnexcused,
                    _ => Attendance::Present,
                },
                MemberStatus::Active => match rng.next(40) {
                    0 => Attendance::AbsentUnexcused,
                    1..=2 => Attendance::AbsentExcused,
                    3..=4 => Attendance::Late,
                    _ => Attendance::Present,
                },
            };
            changes.push(Change::SetAttendance {
                meeting_id: id.clone(),
                entry: RollCallEntry {
                    member_id: m.id.clone(),
                    attendance,
                    reason: (attendance == Attendance::AbsentExcused).then(|| "Ốm".into()),
                },
            });
        }
        for m in members.iter().take(35).filter(|_| rng.next(3) > 0) {
            changes.push(Change::AddSpeech {
                meeting_id: id.clone(),
                speech: Speech {
                    id: new_id(),
                    speaker: Speaker::Member {
                        member_id: m.id.clone(),
                    },
                    gist: format!("Ý kiến của đồng chí {}", m.full_name),
                },
            });
        }
        for task_id in previous_tasks.drain(..) {
            let outcome = match rng.next(10) {
                0..=6 => TaskOutcome::Done,
                7..=8 => TaskOutcome::PartlyDone,
                _ => TaskOutcome::NotDone,
            };
            changes.push(Change::ReviewTask {
                meeting_id: id.clone(),
                review: TaskReview {
                    task_id,
                    outcome,
                    note: None,
                },
            });
        }
        let deadline = chibo_domain::time::local_date(start + 20 * DAY);
        for k in 0..5 {
            let task_id = new_id();
            previous_tasks.push(task_id.clone());
            changes.push(Change::AddTask {
                meeting_id: id.clone(),
                task: Task {
                    id: task_id,
                    description: format!("Nhiệm vụ {} tháng {}/{}", k + 1, month, year),
                    assignee_id: members[(k * 7 + n as usize) % 35].id.clone(),
                    deadline,
                },
            });
        }
        for (q, kind) in [
            ("Thông qua nghị quyết", VoteKind::Ordinary),
            ("Thông qua biên bản", VoteKind::Ordinary),
        ] {
            changes.push(Change::RecordVote {
                meeting_id: id.clone(),
                vote: VoteTally {
                    id: new_id(),
                    question: q.into(),
                    kind,
                    in_favor: 38,
                    against: 0,
                    abstain: 1,
                },
            });
        }
        for (content, category) in [
            ("Đường ống nước bị vỡ", PetitionCategory::Infrastructure),
            ("Tuần tra ban đêm chưa đều", PetitionCategory::SecurityOrder),
        ] {
            changes.push(Change::RaisePetition {
                petition: Petition {
                    id: new_id(),
                    cell_id: cell.id.clone(),
                    meeting_id: Some(id.clone()),
                    content: content.into(),
                    category,
                    raised_by: "Nhân dân bản".into(),
                    status: PetitionStatus::Raised,
                    raised_at: start + 60 * MINUTE,
                },
            });
        }
        changes.push(Change::SetJudgedScores {
            meeting_id: id.clone(),
            scores: JudgedScores {
                content_prepared: 3,
                orientation_and_draft: 2,
                committee_premeeting: 2,
                full_procedure: 5,
                regular_content: 8 + rng.next(3) as u8,
                thematic_part: 4,
                praise_and_criticism: 2,
                ideology_time: 1,
                documents_posted: 1,
                chairing: 8 + rng.next(3) as u8,
                principles: 5,
                conclusion_adopted: 2,
                minutes_adopted_and_tasks: 2,
            },
        });
        changes_written += changes.len() + 1;
        store.apply_all(changes, start + 150 * MINUTE)?;
        store.apply(
            Change::SignMeeting {
                meeting_id: id,
                signature: Signature {
                    signed_at: start + 160 * MINUTE,
                    chair_name: members[0].full_name.clone(),
                    minute_taker_name: members[1].full_name.clone(),
                },
            },
            start + 160 * MINUTE,
        )?;
    }
    // The next meeting is planned.
    store.apply(
        Change::PlanMeeting {
            meeting: Meeting::planned(
                new_id(),
                cell.id.clone(),
                MeetingKind::Regular,
                at(2026, 1, 24, 19),
                "Nhà văn hóa bản".into(),
            ),
        },
        at(2026, 1, 5, 8),
    )?;
    println!(
        "built {}: 50 members, 60 signed meetings, {changes_written} changes in {:.1} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bench_core <store file>");
        std::process::exit(2);
    };
    let path = Path::new(&path);
    if !path.exists() {
        build(path)?;
    }
    let cell_id = Store::open(path)?.cells()?[0].id.clone();
    let now = at(2026, 1, 10, 9);

    let (mut opens, mut homes, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let t0 = Instant::now();
        let store = Store::open(path)?;
        let t1 = Instant::now();
        let home = store.home(&cell_id, now)?;
        let t2 = Instant::now();
        assert_eq!(
            home.members_by_status.iter().map(|s| s.count).sum::<u32>(),
            50
        );
        std::hint::black_box(home);
        drop(store);
        opens.push(millis(t1 - t0));
        homes.push(millis(t2 - t1));
        totals.push(millis(t2 - t0));
    }
    let total = median(totals);
    println!(
        "core: open {:.1} ms, home {:.1} ms, total {:.1} ms (target < 30 ms, median of {RUNS} fresh opens)",
        median(opens),
        median(homes),
        total
    );
    if total >= 30.0 {
        eprintln!("over the 30 ms target");
        std::process::exit(1);
    }
    Ok(())
}

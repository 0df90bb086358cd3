//! `tests/bench scale`: the scale ladder. How the dashboard's pages grow from one
//! commune to a province and on toward the nation, on PostgreSQL. Build with
//! `--release`; needs `CHIBO_TEST_DATABASE_URL` (tests/lib/postgres.sh's throwaway
//! cluster): the bench makes a fresh database on it and drops it at the end.
//!
//! # The data
//! Each commune is the demo's Xuân Hòa (`chibo_demo::seed`) cut to its 30 village cells
//! (so 100 communes make the ~3,000 cells of a province, and 3,321 the ~100k cells of the
//! nation), about 390 members, its committee's cadres, working teams, assignments and
//! visit requirement, with fresh ids and its own name. Every cell has the meetings of the
//! 12 months before this one and, for a third of the cells, this month's: the demo's
//! history (`chibo_demo::history`) picks each start, roll call, duration, task outcomes,
//! petitions and score from a hash of the cell and the month, so communes differ; one
//! commune in seven also misses a third of last month's meetings, so the rollup has
//! laggards. A meeting is the full record a phone sends (roll call, standard agenda,
//! speeches, tasks and their review, a vote, petitions, the secretary's score), signed
//! after its month.
//!
//! The documents go straight into storage with `COPY` (no phones, no HTTP), in the
//! layout the sync path's `CommuneDocs::write_effect` gives them (cell, ref, at), with a
//! scope counter per commune and per cell as synced data leaves. Then the server's own
//! code judges them, as the sync path does: `figures::summaries::refresh_cell` for each
//! cell (the meeting summaries) and `figures::province::province_rollup` for each
//! province (the `commune_month` documents it keeps). Nothing here computes a figure.
//! Not generated: the change log (phones' pulls, not these pages), check-ins,
//! observations, photos and petition answers (the petitions carry their status).
//!
//! # The rungs
//! 1 commune; 1 province (100 communes, 3,000 cells); and by default 10 provinces (1,000
//! communes, 30,000 cells), where the default run stops: measured here, a commune takes
//! about 2.2 MB in PostgreSQL and 0.3 s to write and judge on this shared 2-core
//! machine, so 1,000 communes are ~2.2 GB and ~5 minutes (the whole run ~6), while the
//! nation's 3,321 would be ~7.3 GB and ~17 minutes of writing alone, on a disk of which
//! four engineers share ~10–25 GB. `bench_scale nation` goes on to the 3,321 communes
//! when the disk has room (the estimate from the size per commune measured so far,
//! keeping 5 GB free for others); otherwise it stops at the largest rung that fits and
//! says so. The rungs grow one database: the measured commune and province are the first
//! ones at every rung.
//!
//! # The measurements
//! At each rung the real server (its release build, in-process, on loopback) serves the
//! database; the bench signs in through `/login` as the first commune's admin and as the
//! first province's viewer, and times N (default 200) sequential GETs, after 5 warm-up
//! ones, of the commune overview, the commune's largest cell's page, the province rollup
//! (`/province`) and the province's XLSX, at the client: HTTP included.
//!
//! Usage: `bench_scale [LARGEST] [N]`, LARGEST a number of communes or `nation`. The last
//! line reads `scale: commune overview p95 X ms at R1 vs Y ms at Rn; province rollup p95
//! Z ms at 100 communes; nation rung N communes`. Exits non-zero when the acceptance
//! fails: the rollup's p95 over 100 ms at 100 communes, or the overview's p95 growing
//! more than 1.5× from 1 commune to the largest rung.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chibo_demo::history::{self, Month};
use chibo_demo::seed;
use chibo_domain::rules::standard_agenda;
use chibo_domain::time::{local_date, local_datetime, local_year_month};
use chibo_domain::*;
use chibo_e2e::cluster::DATABASE_URL_VAR;
use chibo_server::accounts::users::{create_user, DashboardRole, NewUser};
use chibo_server::docs::{self as kinds, CommuneDocs};
use chibo_server::figures::{province, summaries};
use chibo_server::storage::{self, DocRow, Storage};
use chibo_server::{Config, Server};

/// Communes to a province, as after the 2025 reform (34 provinces, 3,321 communes).
const PROVINCE: usize = 100;
const NATION: usize = 3_321;
const DEFAULT_LARGEST: usize = 1_000;
/// Disk the bench leaves free for the other users of the machine (four engineers share
/// ~25 GB).
const DISK_RESERVE: u64 = 5_000_000_000;
/// Months of meetings before the current one (the trends show 12).
const MONTHS_BEFORE: u32 = 12;
/// Communes written per COPY batch.
const BATCH: usize = 25;
const ROLLUP_TARGET_MS: f64 = 100.0;
const OVERVIEW_GROWTH_LIMIT: f64 = 1.5;
const PASSWORD: &str = "bench-scale-mat-khau";

fn province_id(commune: usize) -> String {
    format!("tinh-{:02}", commune / PROVINCE + 1)
}

/// What the bench needs of a generated commune.
struct CommuneInfo {
    id: Id,
    cells: Vec<Id>,
    /// The cell with the most members, and its name.
    largest_cell: (Id, String),
}

/// The rows of one generated commune.
struct Generated {
    info: CommuneInfo,
    name: String,
    docs: Vec<DocRow>,
    /// (scope, last_seq)
    scopes: Vec<(String, u64)>,
}

fn row<T: serde::Serialize>(
    commune_id: &str,
    kind: &str,
    id: &str,
    cell_id: Option<&str>,
    ref_id: Option<&str>,
    at: Option<EpochMillis>,
    value: &T,
) -> DocRow {
    DocRow {
        commune_id: commune_id.to_string(),
        kind: kind.to_string(),
        id: id.to_string(),
        cell_id: cell_id.map(str::to_string),
        ref_id: ref_id.map(str::to_string),
        at,
        body_json: serde_json::to_string(value).expect("json"),
    }
}

const GISTS: [&str; 4] = [
    "Quán triệt hướng dẫn sinh hoạt tháng của Đảng ủy xã.",
    "Báo cáo tiến độ thu hoạch lúa nương và phòng chống cháy rừng.",
    "Đề nghị vận động các hộ còn lại tham gia làm đường bê tông nội bản.",
    "Tổ tuần tra bảo vệ rừng duy trì 2 buổi mỗi tuần.",
];

/// The record a secretary's phone would send for `details`.
#[allow(clippy::too_many_arguments)]
fn record(
    cell: &Cell,
    roster: &[Member],
    month: &Month,
    start: EpochMillis,
    details: &chibo_demo::meetings::MeetingDetails,
    previous_tasks: &[Task],
    now: EpochMillis,
) -> MeetingRecord {
    let secretary = roster.iter().find(|m| m.role == MemberRole::Secretary);
    let deputy = roster
        .iter()
        .find(|m| m.role == MemberRole::DeputySecretary)
        .or(secretary);
    let place = cell
        .meeting_place
        .as_ref()
        .map(|p| p.label.clone())
        .unwrap_or_else(|| "Nhà văn hóa".to_string());
    let mut meeting = Meeting::planned(
        new_id(),
        cell.id.clone(),
        MeetingKind::Regular,
        start,
        place,
    );
    let end = start + (5 + details.minutes) * 60_000;
    meeting.actual_start = Some(start + 5 * 60_000);
    meeting.actual_end = Some(end);
    meeting.chair_id = secretary.map(|m| m.id.clone());
    meeting.minute_taker_id = deputy.map(|m| m.id.clone());
    meeting.preparation = Preparation {
        notice_sent_to_members: true,
        notice_sent_to_cadre: true,
        documents_sent_at: Some(start - 2 * 86_400_000),
    };
    meeting.conclusion = Some(details.conclusion.clone());
    meeting.resolution = Some(ResolutionText {
        number: format!("{}-NQ/CB", month.month),
        text: details.conclusion.clone(),
    });
    meeting.minutes_approved = true;
    meeting.secretary_judgement = Some(details.scores.clone());
    meeting.final_documents_sent_at = Some(end + 86_400_000).filter(|at| *at < now);
    // Signed once its month is over; this month's are still being written up.
    if month.ago >= 1 {
        meeting.status = MeetingStatus::Signed;
        meeting.signature = Some(Signature {
            signed_at: end + 3_600_000,
            chair_name: secretary.map(|m| m.full_name.clone()).unwrap_or_default(),
            minute_taker_name: deputy.map(|m| m.full_name.clone()).unwrap_or_default(),
        });
    } else {
        meeting.status = MeetingStatus::Recorded;
    }
    let roll_call: Vec<RollCallEntry> = roster
        .iter()
        .zip(&details.attendance)
        .map(|(m, (attendance, reason))| RollCallEntry {
            member_id: m.id.clone(),
            attendance: *attendance,
            reason: reason.clone(),
        })
        .collect();
    let present = roll_call
        .iter()
        .filter(|r| r.attendance.is_present())
        .count() as u32;
    let speakers: Vec<&Member> = roster
        .iter()
        .zip(&details.attendance)
        .filter(|(m, (a, _))| m.status == MemberStatus::Active && a.is_present())
        .map(|(m, _)| m)
        .take(4)
        .collect();
    let speeches = speakers
        .iter()
        .zip(GISTS)
        .map(|(m, gist)| Speech {
            id: new_id(),
            speaker: Speaker::Member {
                member_id: m.id.clone(),
            },
            gist: gist.to_string(),
        })
        .collect();
    let task_reviews = previous_tasks
        .iter()
        .enumerate()
        .map(|(i, t)| TaskReview {
            task_id: t.id.clone(),
            outcome: details
                .task_outcomes
                .get(i)
                .copied()
                .unwrap_or(TaskOutcome::Done),
            note: None,
        })
        .collect();
    let deadline = CalendarDate(local_datetime(start).date() + chrono::Days::new(25));
    let tasks = speakers
        .iter()
        .zip([
            "Huy động nhân dân góp công sửa đường nước sinh hoạt",
            "Tổ chức tuần tra phòng cháy rừng 2 buổi mỗi tuần",
        ])
        .map(|(m, description)| Task {
            id: new_id(),
            description: description.to_string(),
            assignee_id: m.id.clone(),
            deadline,
        })
        .collect();
    let petitions = details
        .petitions
        .iter()
        .enumerate()
        .map(|(n, (content, category))| Petition {
            id: new_id(),
            cell_id: cell.id.clone(),
            meeting_id: Some(meeting.id.clone()),
            content: content.clone(),
            category: *category,
            raised_by: speakers
                .get(1)
                .map(|m| format!("{}, thay mặt nhân dân", m.full_name))
                .unwrap_or_else(|| "Nhân dân trong bản".to_string()),
            status: history::petition_outcome(month.ago, n)
                .last()
                .copied()
                .unwrap_or(PetitionStatus::Raised),
            raised_at: end,
        })
        .collect();
    MeetingRecord {
        meeting,
        roll_call,
        agenda: standard_agenda(MeetingKind::Regular),
        speeches,
        task_reviews,
        tasks,
        votes: vec![VoteTally {
            id: new_id(),
            question: "Thông qua nghị quyết tháng".to_string(),
            kind: VoteKind::Ordinary,
            in_favor: present,
            against: 0,
            abstain: 0,
        }],
        petitions,
    }
}

/// Commune number `index` (from 0) with its months up to `now`.
fn generate(index: usize, months: &[Month], now: EpochMillis) -> Generated {
    let mut c = seed::xuan_hoa(local_date(now));
    let name = format!("{} {}", seed::COMMUNE_NAME, index + 1);
    let villages: std::collections::HashSet<Id> =
        c.village_cells().map(|cell| cell.id.clone()).collect();
    c.cells.retain(|cell| villages.contains(&cell.id));
    c.members.retain(|m| villages.contains(&m.cell_id));
    c.assignments.retain(|a| villages.contains(&a.cell_id));
    for cell in &mut c.cells {
        cell.commune_name = name.clone();
    }
    let id = c.id.clone();
    let mut docs = Vec::new();
    let mut per_cell: HashMap<Id, u64> = HashMap::new();
    let mut commune_scope = 0u64;
    for (i, cell) in c.cells.iter().enumerate() {
        docs.push(row(
            &id,
            kinds::CELL,
            &cell.id,
            Some(&cell.id),
            None,
            None,
            cell,
        ));
        let roster: Vec<Member> = c.roster(&cell.id).into_iter().cloned().collect();
        for m in &roster {
            docs.push(row(
                &id,
                kinds::MEMBER,
                &m.id,
                Some(&m.cell_id),
                None,
                None,
                m,
            ));
        }
        let mut changes = 1 + roster.len() as u64;
        // The demo's history varies by the cell's number: a different one per commune.
        let number = index * seed::VILLAGE_CELL_COUNT + i;
        let mut previous_tasks: Vec<Task> = Vec::new();
        for month in months {
            let Some(start) = history::meeting_start(number, cell.kind, month, now) else {
                continue;
            };
            if month.ago == 1 && index % 7 == 3 && i % 3 == 0 {
                continue;
            }
            let details = history::details(number, &roster, month);
            let r = record(cell, &roster, month, start, &details, &previous_tasks, now);
            let m = &r.meeting;
            for p in &r.petitions {
                docs.push(row(
                    &id,
                    kinds::PETITION,
                    &p.id,
                    Some(&p.cell_id),
                    p.meeting_id.as_deref(),
                    Some(p.raised_at),
                    p,
                ));
            }
            docs.push(row(
                &id,
                kinds::RECORD,
                &m.id,
                Some(&m.cell_id),
                m.revision_of.as_deref(),
                Some(m.started_at()),
                &r,
            ));
            // A phone sends a record as one change per entity it holds.
            changes += 1
                + (r.roll_call.len()
                    + r.speeches.len()
                    + r.tasks.len()
                    + r.task_reviews.len()
                    + r.votes.len()
                    + r.petitions.len()) as u64;
            previous_tasks = r.tasks.clone();
        }
        per_cell.insert(cell.id.clone(), changes);
    }
    for cadre in &c.cadres {
        docs.push(row(&id, kinds::CADRE, &cadre.id, None, None, None, cadre));
        commune_scope += 1;
    }
    for team in &c.teams {
        docs.push(row(
            &id,
            kinds::WORKING_TEAM,
            &team.id,
            None,
            None,
            None,
            team,
        ));
        commune_scope += 1;
    }
    for a in &c.assignments {
        docs.push(row(
            &id,
            kinds::ASSIGNMENT,
            &a.id,
            Some(&a.cell_id),
            Some(&a.cadre_id),
            None,
            a,
        ));
        commune_scope += 1;
    }
    docs.push(row(
        &id,
        kinds::VISIT_REQUIREMENT,
        &id,
        None,
        None,
        None,
        &c.requirement,
    ));
    commune_scope += 1;
    let mut scopes = vec![(format!("commune:{id}"), commune_scope)];
    scopes.extend(
        c.cells
            .iter()
            .map(|cell| (format!("cell:{}", cell.id), per_cell[&cell.id])),
    );
    let largest = c
        .cells
        .iter()
        .max_by_key(|cell| c.roster(&cell.id).len())
        .expect("cells");
    Generated {
        info: CommuneInfo {
            id: id.clone(),
            cells: c.cells.iter().map(|cell| cell.id.clone()).collect(),
            largest_cell: (largest.id.clone(), largest.name.clone()),
        },
        name,
        docs,
        scopes,
    }
}

/// A value for COPY's text format.
fn copy_field(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        None => out.extend_from_slice(b"\\N"),
        Some(text) => {
            for b in text.bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
            }
        }
    }
}

fn copy_rows(client: &mut postgres::Client, statement: &str, rows: &[Vec<Option<String>>]) {
    let mut buffer = Vec::new();
    for r in rows {
        for (i, value) in r.iter().enumerate() {
            if i > 0 {
                buffer.push(b'\t');
            }
            copy_field(&mut buffer, value.as_deref());
        }
        buffer.push(b'\n');
    }
    let mut writer = client.copy_in(statement).expect("COPY starts");
    writer.write_all(&buffer).expect("COPY rows");
    writer.finish().expect("COPY ends");
}

/// Writes the communes with COPY, one transaction per batch.
fn write_batch(client: &mut postgres::Client, batch: &[Generated], first: usize, now: i64) {
    let communes: Vec<Vec<Option<String>>> = batch
        .iter()
        .enumerate()
        .map(|(k, g)| {
            vec![
                Some(g.info.id.clone()),
                Some(g.name.clone()),
                Some(province_id(first + k)),
                Some(now.to_string()),
            ]
        })
        .collect();
    let docs: Vec<Vec<Option<String>>> = batch
        .iter()
        .flat_map(|g| g.docs.iter())
        .map(|d| {
            vec![
                Some(d.commune_id.clone()),
                Some(d.kind.clone()),
                Some(d.id.clone()),
                d.cell_id.clone(),
                d.ref_id.clone(),
                d.at.map(|at| at.to_string()),
                Some(d.body_json.clone()),
            ]
        })
        .collect();
    let scopes: Vec<Vec<Option<String>>> = batch
        .iter()
        .flat_map(|g| {
            g.scopes.iter().map(|(scope, seq)| {
                vec![
                    Some(g.info.id.clone()),
                    Some(scope.clone()),
                    Some(seq.to_string()),
                ]
            })
        })
        .collect();
    client.batch_execute("BEGIN").expect("begin");
    copy_rows(
        client,
        "COPY communes (id, name, province_id, created_at) FROM STDIN",
        &communes,
    );
    copy_rows(
        client,
        "COPY docs (commune_id, kind, id, cell_id, ref_id, at, body) FROM STDIN",
        &docs,
    );
    copy_rows(
        client,
        "COPY scope_counters (commune_id, scope, last_seq) FROM STDIN",
        &scopes,
    );
    client.batch_execute("COMMIT").expect("commit");
}

/// The meeting summaries of a commune, judged by the sync path's own code.
fn judge(storage: &dyn Storage, info: &CommuneInfo) {
    storage::write(storage, |tx| {
        let docs = CommuneDocs::buffered(tx, &info.id);
        for cell in &info.cells {
            summaries::refresh_cell(&docs, cell, None)?;
        }
        summaries::mark_summaries_current(&docs)?;
        docs.finish()
    })
    .unwrap_or_else(|e| panic!("judging commune {}: {e}", info.id));
}

struct Timing {
    p50: f64,
    p95: f64,
    bytes: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

async fn signed_in(base: &str, username: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_provider(Arc::new(reqwest::cookie::Jar::default()))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let form = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("GET /login")
        .text()
        .await
        .expect("the sign-in form");
    let marker = "name=\"csrf\" value=\"";
    let start = form.find(marker).expect("a sign-in form") + marker.len();
    let csrf = &form[start..start + form[start..].find('"').expect("csrf")];
    let signed = client
        .post(format!("{base}/login"))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("csrf", csrf),
            ("next", "/"),
        ])
        .send()
        .await
        .expect("POST /login");
    assert_eq!(
        signed.status(),
        reqwest::StatusCode::SEE_OTHER,
        "signing in as {username}"
    );
    client
}

/// `n` sequential GETs of `path` after 5 warm-up ones; the first must be a 200 whose
/// body contains `must` (bytes, for the XLSX's zip signature).
async fn time_page(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    n: usize,
    must: &[u8],
) -> Timing {
    let url = format!("{base}{path}");
    let first = client.get(&url).send().await.expect("GET");
    let status = first.status();
    let body = first.bytes().await.expect("body");
    assert!(
        status == reqwest::StatusCode::OK && body.windows(must.len()).any(|w| w == must),
        "GET {path}: {status}, expected 200 with {:?}\n{}",
        String::from_utf8_lossy(must),
        String::from_utf8_lossy(&body[..body.len().min(400)])
    );
    for _ in 0..5 {
        client
            .get(&url)
            .send()
            .await
            .expect("GET")
            .bytes()
            .await
            .expect("body");
    }
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let response = client.get(&url).send().await.expect("GET");
        let ok = response.status() == reqwest::StatusCode::OK;
        response.bytes().await.expect("body");
        times.push(started.elapsed());
        assert!(ok, "GET {path}");
    }
    times.sort();
    Timing {
        p50: percentile(&times, 0.50),
        p95: percentile(&times, 0.95),
        bytes: body.len(),
    }
}

const PAGES: [&str; 4] = [
    "commune overview",
    "cell page",
    "province rollup",
    "province XLSX",
];

struct Rung {
    communes: usize,
    /// Bytes of the data, without an empty database's own.
    data: u64,
    /// Communes in the measured province.
    in_province: usize,
    cells: usize,
    bytes: u64,
    docs: u64,
    timings: Vec<Timing>,
}

fn measure(
    url: &str,
    first: &CommuneInfo,
    communes: usize,
    n: usize,
    now: EpochMillis,
) -> Vec<Timing> {
    let data_dir = tempfile::tempdir().expect("a temporary directory");
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let server = runtime
        .block_on(
            Server::new(Config {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                data_dir: data_dir.path().join("server"),
                database_url: Some(url.to_string()),
                ..Config::default()
            })
            .start(),
        )
        .expect("the server starts on the generated database");
    let base = server.base_url();
    let (year, month) = local_year_month(now);
    let c = &first.id;
    let expected_rows = communes.min(PROVINCE);
    let timings = runtime.block_on(async {
        let office = signed_in(&base, "quantri.xa1").await;
        let province = signed_in(&base, "xem.tinh1").await;
        // The rollup lists every commune of the province: the last one's name is there.
        let last_name = format!("{} {}", seed::COMMUNE_NAME, expected_rows);
        vec![
            time_page(
                &office,
                &base,
                &format!("/communes/{c}"),
                n,
                format!("{} 1", seed::COMMUNE_NAME).as_bytes(),
            )
            .await,
            time_page(
                &office,
                &base,
                &format!("/communes/{c}/cells/{}", first.largest_cell.0),
                n,
                first.largest_cell.1.as_bytes(),
            )
            .await,
            time_page(&province, &base, "/province", n, last_name.as_bytes()).await,
            time_page(
                &province,
                &base,
                &format!("/province/reports/{year:04}-{month:02}.xlsx"),
                n,
                b"PK",
            )
            .await,
        ]
    });
    runtime.block_on(server.stop()).expect("the server stops");
    timings
}

fn size(client: &mut postgres::Client) -> (u64, u64) {
    let r = client
        .query_one(
            "SELECT pg_database_size(current_database()), (SELECT count(*) FROM docs)",
            &[],
        )
        .expect("sizes");
    (r.get::<_, i64>(0) as u64, r.get::<_, i64>(1) as u64)
}

/// Bytes free on the file system holding `path`.
fn free_bytes(path: &std::path::Path) -> u64 {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("path");
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid NUL-terminated path and a zeroed struct for the kernel to fill.
    if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
        return 0;
    }
    s.f_bavail as u64 * s.f_frsize as u64
}

fn communes(n: usize) -> String {
    if n == 1 {
        "1 commune".to_string()
    } else {
        format!("{n} communes")
    }
}

fn gb(bytes: u64) -> String {
    format!("{:.2} GB", bytes as f64 / 1e9)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let largest = match args.next().as_deref() {
        None => DEFAULT_LARGEST,
        Some("nation") => NATION,
        Some(n) => n
            .parse::<usize>()
            .expect("LARGEST: a number of communes or `nation`")
            .clamp(1, NATION),
    };
    let n: usize = args
        .next()
        .map(|a| a.parse().expect("N: how many requests per page"))
        .unwrap_or(200);
    let base = std::env::var(DATABASE_URL_VAR)
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| {
            panic!(
                "{DATABASE_URL_VAR} must name a PostgreSQL server (tests/bench scale starts one)"
            )
        });
    let url = storage::postgres::fresh_test_database(base.trim()).expect("a fresh database");
    let storage = storage::open(&url).expect("the database opens and takes the schema");
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    let started = Instant::now();
    let now = chrono::Utc::now().timestamp_millis();
    let months = history::months_up_to(now, MONTHS_BEFORE);
    let (year, month) = local_year_month(now);
    let tmp = std::env::temp_dir();
    // An empty database's own size, so that the size a commune is its data's.
    let (empty, _) = size(&mut client);

    let mut rungs_wanted = vec![1, PROVINCE, largest];
    rungs_wanted.retain(|r| *r <= largest);
    rungs_wanted.dedup();
    println!(
        "scale: PostgreSQL, communes of 30 village cells with {MONTHS_BEFORE} months of \
         meetings and this month's; rungs {rungs_wanted:?} communes; {n} GETs a page"
    );

    let mut first: Option<CommuneInfo> = None;
    let mut rungs: Vec<Rung> = Vec::new();
    let mut written = 0usize;
    let mut stopped_because: Option<String> = None;
    for &target in &rungs_wanted {
        // Room for this rung? The estimate is the size per commune measured so far.
        if let Some(last) = rungs.last() {
            let per_commune = last.data / last.communes as u64;
            let needed = per_commune * (target - written) as u64 * 13 / 10;
            let free = free_bytes(&tmp);
            if needed + DISK_RESERVE > free {
                stopped_because = Some(format!(
                    "{target} communes would need about {} more ({:.1} MB a commune), and {} are \
                     free of which {} stay for the machine's other users",
                    gb(needed),
                    per_commune as f64 / 1e6,
                    gb(free),
                    gb(DISK_RESERVE)
                ));
                break;
            }
        }
        let gen_started = Instant::now();
        let mut generated_at = Duration::ZERO;
        let mut copied_at = Duration::ZERO;
        let mut judged_at = Duration::ZERO;
        while written < target {
            let count = BATCH.min(target - written);
            let t = Instant::now();
            let batch: Vec<Generated> = (written..written + count)
                .map(|i| generate(i, &months, now))
                .collect();
            generated_at += t.elapsed();
            let t = Instant::now();
            write_batch(&mut client, &batch, written, now);
            copied_at += t.elapsed();
            let t = Instant::now();
            for g in &batch {
                judge(&*storage, &g.info);
            }
            judged_at += t.elapsed();
            if written == 0 {
                let g = &batch[0];
                first = Some(CommuneInfo {
                    id: g.info.id.clone(),
                    cells: g.info.cells.clone(),
                    largest_cell: g.info.largest_cell.clone(),
                });
            }
            written += count;
            if written.is_multiple_of(250) {
                println!(
                    "  … {written} communes written ({:.0} s)",
                    gen_started.elapsed().as_secs_f64()
                );
            }
        }
        let first = first.as_ref().expect("the first commune");
        if rungs.is_empty() {
            let users = [
                (
                    "quantri.xa1",
                    DashboardRole::CommuneAdmin,
                    Some(first.id.clone()),
                    None,
                ),
                (
                    "xem.tinh1",
                    DashboardRole::ProvinceViewer,
                    None,
                    Some(province_id(0)),
                ),
            ];
            for (username, role, commune_id, province_id) in users {
                create_user(
                    &*storage,
                    NewUser {
                        username: username.to_string(),
                        display_name: username.to_string(),
                        password: PASSWORD.to_string(),
                        role,
                        commune_id,
                        province_id,
                    },
                    now,
                )
                .expect("a dashboard account");
            }
        }
        // The provinces' kept commune months, by the rollup's own code (a nightly job
        // would do the same); timed for the first province.
        let t = Instant::now();
        let provinces = written.div_ceil(PROVINCE);
        let mut first_rollup = Duration::ZERO;
        for p in 0..provinces {
            let t = Instant::now();
            let rollup =
                province::province_rollup(&*storage, &province_id(p * PROVINCE), year, month, now)
                    .expect("the province's rollup");
            if p == 0 {
                first_rollup = t.elapsed();
                assert_eq!(rollup.communes.len(), written.min(PROVINCE));
                assert!(
                    rollup.totals.cells > 0 && rollup.totals.met > 0,
                    "an empty rollup"
                );
            }
        }
        let rolled_at = t.elapsed();
        // What autovacuum does after a bulk load, done before the timing rather than
        // during it: statistics, and the visibility map of the new rows.
        client
            .batch_execute("VACUUM (ANALYZE) docs, communes, scope_counters")
            .expect("VACUUM");
        // And the bulk load's dirty pages written out now, not by the checkpointer in
        // the middle of the timing (a cluster that refuses is timed as it is).
        if let Err(e) = client.batch_execute("CHECKPOINT") {
            println!("  (no CHECKPOINT: {e})");
        }
        let (bytes, docs) = size(&mut client);
        println!(
            "rung {}: written in {:.0} s (generated {:.0} s, COPY {:.0} s, summaries judged {:.0} s, \
             commune months of {provinces} province(s) {:.1} s, the first province's {:.1} s cold); \
             {} in PostgreSQL, {docs} documents",
            communes(written),
            gen_started.elapsed().as_secs_f64() + rolled_at.as_secs_f64(),
            generated_at.as_secs_f64(),
            copied_at.as_secs_f64(),
            judged_at.as_secs_f64(),
            rolled_at.as_secs_f64(),
            first_rollup.as_secs_f64(),
            gb(bytes),
        );
        let timings = measure(&url, first, written, n, now);
        for (page, t) in PAGES.iter().zip(&timings) {
            println!(
                "  {page:<17} p50 {:>6.1} ms, p95 {:>6.1} ms ({} kB)",
                t.p50,
                t.p95,
                t.bytes / 1024
            );
        }
        rungs.push(Rung {
            communes: written,
            in_province: written.min(PROVINCE),
            cells: written * seed::VILLAGE_CELL_COUNT,
            bytes,
            data: bytes.saturating_sub(empty),
            docs,
            timings,
        });
    }

    // How each page grows with the rung.
    println!("growth, from the first rung:");
    let r1 = &rungs[0];
    for (i, page) in PAGES.iter().enumerate() {
        let line: Vec<String> = rungs
            .iter()
            .map(|r| {
                format!(
                    "{} {:.1} ms (×{:.2})",
                    communes(r.communes),
                    r.timings[i].p95,
                    r.timings[i].p95 / r1.timings[i].p95
                )
            })
            .collect();
        let expectation = if i < 2 {
            "flat: the commune's own pages".to_string()
        } else {
            "at most linear in the province's communes".to_string()
        };
        println!("  {page:<17} p95 {} — {expectation}", line.join(", "));
    }
    if let Some(province_rung) = rungs.iter().find(|r| r.in_province == PROVINCE) {
        for (i, page) in PAGES.iter().enumerate().skip(2) {
            let growth = province_rung.timings[i].p95 / r1.timings[i].p95;
            println!(
                "  {page}: ×{growth:.1} for ×{} communes ({})",
                PROVINCE / r1.in_province,
                if growth <= (PROVINCE / r1.in_province) as f64 {
                    "within linear"
                } else {
                    "MORE THAN LINEAR"
                }
            );
        }
    }
    for r in &rungs {
        println!(
            "  data at {}: {} cells, {} documents, {} in PostgreSQL ({:.1} MB a commune)",
            communes(r.communes),
            r.cells,
            r.docs,
            gb(r.bytes),
            r.data as f64 / r.communes as f64 / 1e6
        );
    }
    let rn = rungs.last().expect("a rung");
    let per_commune = rn.data / rn.communes as u64;
    let nation_note = if rn.communes >= NATION {
        "the nation's 3,321 communes".to_string()
    } else {
        format!(
            "stops short of the nation's {NATION} communes: {}; the nation would take \
             about {} here at {:.1} MB a commune ({} free now)",
            stopped_because.clone().unwrap_or_else(|| format!(
                "the default run stops at {DEFAULT_LARGEST} to stay near 6 minutes \
                 (`tests/bench scale nation` goes on)"
            )),
            gb(per_commune * NATION as u64),
            per_commune as f64 / 1e6,
            gb(free_bytes(&tmp)),
        )
    };
    println!(
        "nation: {nation_note}; {:.0} s in all",
        started.elapsed().as_secs_f64()
    );

    let overview_growth = rn.timings[0].p95 / r1.timings[0].p95;
    let rollup = rungs
        .iter()
        .find(|r| r.in_province == PROVINCE)
        .map(|r| r.timings[2].p95);
    let mut failed = Vec::new();
    if overview_growth > OVERVIEW_GROWTH_LIMIT {
        failed.push(format!(
            "the commune overview's p95 grew ×{overview_growth:.2} (limit ×{OVERVIEW_GROWTH_LIMIT})"
        ));
    }
    match rollup {
        Some(p95) if p95 > ROLLUP_TARGET_MS => failed.push(format!(
            "the province rollup's p95 is {p95:.1} ms at {PROVINCE} communes (target ≤ {ROLLUP_TARGET_MS:.0} ms)"
        )),
        None => failed.push(format!("no rung of {PROVINCE} communes was measured")),
        _ => {}
    }
    if failed.is_empty() {
        println!("acceptance: met (rollup p95 ≤ {ROLLUP_TARGET_MS:.0} ms at {PROVINCE} communes, overview p95 growth ≤ ×{OVERVIEW_GROWTH_LIMIT})");
    } else {
        println!("acceptance: NOT MET: {}", failed.join("; "));
    }
    // Give the disk back now, not when the cluster goes.
    drop(storage);
    drop(client);
    let name = url
        .rsplit('/')
        .next()
        .and_then(|tail| tail.split('?').next())
        .unwrap_or_default()
        .to_string();
    match postgres::Client::connect(base.trim(), postgres::NoTls)
        .and_then(|mut admin| admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")))
    {
        Ok(()) => println!("dropped the bench's database {name}"),
        Err(e) => println!("could not drop the bench's database {name}: {e}"),
    }
    println!(
        "scale: commune overview p95 {:.1} ms at {} vs {:.1} ms at {}; \
         province rollup p95 {} ms at {PROVINCE} communes; nation rung {} communes",
        r1.timings[0].p95,
        communes(r1.communes),
        rn.timings[0].p95,
        communes(rn.communes),
        rollup.map_or("—".to_string(), |p| format!("{p:.1}")),
        rn.communes
    );
    if !failed.is_empty() {
        std::process::exit(1);
    }
}

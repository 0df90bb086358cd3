//! The browser suite's fixture (tests/browser): Xuân Hòa seeded by the demo's own story
//! (`chibo_demo::seed_with_history`: the real commune server on loopback over SQLite in a
//! temporary folder, phones on the real core recording a year of monthly meetings with
//! photos, cadres checking in, the office answering petitions and sending guidance, the
//! dashboard's admin and viewer), plus what only the tests need: a second commune to be
//! kept out of, a province viewer, a person without a phone yet, and a small JSON control
//! API on a second loopback port to drive the simulated phones.
//!
//! When ready it prints one JSON line on stdout:
//! `{"dashboard": "http://127.0.0.1:…", "control": "http://127.0.0.1:…", "seed_seconds": …}`.
//! It stops when its stdin closes (the test runner exiting, even killed, ends it).
//! `CHIBO_FIXTURE_MONTHS` sets the months of history before this one (default 12: the
//! overview of last month then has all 12 months of its trends).
//!
//! Control API (all JSON):
//! - `GET /ids`: the accounts, the communes, the seeded months, last month's meeting of
//!   each cell with its photos, petitions, persons.
//! - `GET /expected/overview?month=YYYY-MM`: the month's figures and its 12-month trends as
//!   the phones' own records and assessments and `chibo_domain`'s rules give them (never
//!   the dashboard's code).
//! - `GET /expected/province?month=YYYY-MM`: each commune's row of the province's rollup
//!   and the province's totals, from the same phones' records by the same rules.
//! - `POST /phones/{name}/sync`: that phone syncs; its petitions and guidance after.
//! - `POST /phones/enroll` `{"name", "code"}`: a new phone enrols with a typed code.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chibo_core::ffi::{ChiboError, ChiboStore};
use chibo_core::visits::PhotoRef;
use chibo_demo::meetings::{record_meeting, MonthPlan};
use chibo_demo::seed::{self, Commune};
use chibo_demo::{seed_with_history, Phone, SeedOptions, SeededDemo};
use chibo_domain::compliance::{compliance, VisitRecord};
use chibo_domain::labels::{format_percent, Label};
use chibo_domain::rules::{self, MeetingAssessment, QualityGrade};
use chibo_domain::sync::Role;
use chibo_domain::time::{from_local, local_date, local_datetime};
use chibo_domain::*;
use chibo_server::accounts::enrolment::{self, NewPerson};
use chibo_server::accounts::users::DashboardRole;
use chibo_server::accounts::users::{self, NewUser};
use chibo_server::Storage;
use chrono::{Datelike, Months, NaiveDate};
use serde::Deserialize;
use serde_json::{json, Value};

const PROVINCE: &str = "Lào Cai";
/// The password of the accounts the fixture adds (the demo's own have random ones).
const PASSWORD: &str = "mat-khau-thu-nghiem-2026";
/// The overview's trends: the month and the 11 before it.
const TREND_MONTHS: u32 = 12;

type Fail = Box<dyn std::error::Error + Send + Sync>;

fn now() -> EpochMillis {
    chrono::Utc::now().timestamp_millis()
}

fn main() {
    if let Err(e) = run() {
        eprintln!("dashboard_fixture: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Fail> {
    let started = Instant::now();
    let dir = tempfile::Builder::new()
        .prefix("chibo-dashboard-fixture")
        .tempdir()?;
    let months_before: u32 = std::env::var("CHIBO_FIXTURE_MONTHS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let demo = seed_with_history(&SeedOptions {
        data_dir: dir.path().join("demo"),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        months_before,
        every_month: false,
        // Each secretary's phone processes its meeting photos once, and in a debug build
        // that is most of the seeding time (~1.5 s a picture): one a meeting is enough.
        photos_per_meeting: 1,
        // The story goes to stdout, where only the ready line may be.
        verbose: false,
    })?;
    let extras = Extras::seed(&demo)?;
    let seed_seconds = started.elapsed().as_secs_f64();

    let url = demo.url.clone();
    let fixture = Arc::new(Fixture {
        demo,
        extras,
        enrolled: Mutex::new(HashMap::new()),
    });
    let runtime = tokio::runtime::Runtime::new()?;
    let control = runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))?;
    let control_addr = control.local_addr()?;
    let app = Router::new()
        .route("/ids", get(ids))
        .route("/expected/overview", get(expected_overview))
        .route("/expected/province", get(expected_province))
        .route("/phones/enroll", post(enroll_phone))
        .route("/phones/{name}/sync", post(sync_phone))
        .with_state(fixture.clone());
    runtime.spawn(async move {
        let _ = axum::serve(control, app).await;
    });

    println!(
        "{}",
        json!({
            "dashboard": url,
            "control": format!("http://{control_addr}"),
            "seed_seconds": seed_seconds,
        })
    );
    eprintln!(
        "dashboard_fixture: seeded {} months in {seed_seconds:.1}s, serving {url}",
        fixture.demo.months.len()
    );

    // Serve until whoever started us goes away.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    // The control API first: its tasks hold the fixture. The phones own runtimes of their
    // own and must be dropped here, not on a worker of a runtime shutting down.
    drop(runtime);
    if let Ok(fixture) = Arc::try_unwrap(fixture) {
        let Fixture {
            demo,
            extras,
            enrolled,
        } = fixture;
        demo.stop()?;
        drop(enrolled);
        drop(extras);
    }
    drop(dir);
    Ok(())
}

// ------------------------------------------------------------------ what the demo lacks

/// The other commune: a Xuân Hòa viewer must find none of it.
struct OtherCommune {
    commune: Commune,
    /// Per cell: the meeting recorded last month, its photos and the secretary's phone.
    cells: Vec<OtherCell>,
}

struct OtherCell {
    meeting_id: Id,
    phone: String,
    photos: Vec<String>,
}

#[derive(serde::Serialize)]
struct PersonIds {
    id: Id,
    full_name: String,
}

/// An account the fixture made (its password is [`PASSWORD`]).
struct Account {
    username: &'static str,
    display_name: &'static str,
}

/// What the tests need beside the demo's seed.
struct Extras {
    other: OtherCommune,
    /// The other commune's phones, by name.
    phones: HashMap<String, Phone>,
    /// A Xuân Hòa person registered without a device yet (for the enrolment test).
    unenrolled_person: PersonIds,
    province_viewer: Account,
    other_viewer: Account,
}

impl Extras {
    fn seed(demo: &SeededDemo) -> Result<Extras, Fail> {
        let storage = demo.storage();
        let storage = storage.as_ref();
        let cell = demo.commune.cells.first().ok_or("seeded cells")?;
        let person = enrolment::create_person(
            storage,
            &demo.commune.id,
            &NewPerson {
                full_name: "Giàng Thị Mỷ".to_string(),
                role: Role::Secretary {
                    cell_id: cell.id.clone(),
                },
            },
            now(),
        )?;
        let mut phones = HashMap::new();
        let other = seed_other_commune(demo, &mut phones)?;

        let province_viewer = Account {
            username: "tinh.laocai",
            display_name: "Vàng Seo Dính",
        };
        let other_viewer = Account {
            username: "xem.namxe",
            display_name: "Thào A Chu",
        };
        for (account, role, commune_id, province_id) in [
            (
                &province_viewer,
                DashboardRole::ProvinceViewer,
                None,
                Some(PROVINCE.to_string()),
            ),
            (
                &other_viewer,
                DashboardRole::CommuneViewer,
                Some(other.commune.id.clone()),
                None,
            ),
        ] {
            users::create_user(
                storage,
                NewUser {
                    username: account.username.to_string(),
                    display_name: account.display_name.to_string(),
                    password: PASSWORD.to_string(),
                    role,
                    commune_id,
                    province_id,
                },
                now(),
            )?;
        }
        Ok(Extras {
            other,
            phones,
            unenrolled_person: PersonIds {
                id: person.id,
                full_name: person.full_name,
            },
            province_viewer,
            other_viewer,
        })
    }
}

/// Registers a person of `commune_id` and enrols a phone for them with the code.
fn enrolled_phone(
    demo: &SeededDemo,
    storage: &dyn Storage,
    commune_id: &str,
    name: &str,
    full_name: &str,
    role: Role,
) -> Result<Phone, Fail> {
    let person = enrolment::create_person(
        storage,
        commune_id,
        &NewPerson {
            full_name: full_name.to_string(),
            role,
        },
        now(),
    )?;
    let code = enrolment::issue_code(storage, commune_id, &person.id, 3_600_000, now(), &demo.url)?;
    let phone = Phone::open(name, &demo.dir.join("phones").join(name))?;
    phone.enroll(&demo.url, &code.qr)?;
    Ok(phone)
}

/// Nậm Xé, in the same province: two cells whose secretaries recorded and signed last
/// month's meeting, with photos of their own (a photo of one commune must not be found
/// in the other).
fn seed_other_commune(
    demo: &SeededDemo,
    phones: &mut HashMap<String, Phone>,
) -> Result<OtherCommune, Fail> {
    let storage = demo.storage();
    let storage = storage.as_ref();
    let mut c = seed::xuan_hoa(local_date(now()));
    c.name = "Nậm Xé".to_string();
    keep_cells(&mut c, 2);
    for cell in &mut c.cells {
        cell.commune_name = c.name.clone();
    }
    enrolment::create_commune(storage, &c.name, PROVINCE, Some(c.id.clone()), now())?;
    let office = enrolled_phone(
        demo,
        storage,
        &c.id,
        "nx-van-phong",
        &format!("Văn phòng Đảng ủy xã {}", c.name),
        Role::Office,
    )?;
    for cell in &c.cells {
        let roster = c.roster(&cell.id).into_iter().cloned().collect();
        office.store.import_roster(cell.clone(), roster)?;
    }
    office.sync()?;
    phones.insert("nx-van-phong".to_string(), office);

    let camera = demo.dir.join("nx-camera");
    let start = last_months_meeting_start(now());
    let mut cells = Vec::new();
    for (i, cell) in c.cells.iter().enumerate() {
        let name = format!("nx-bi-thu-{:02}", i + 1);
        let full_name = c
            .secretary(&cell.id)
            .map(|m| m.full_name.clone())
            .unwrap_or_else(|| format!("Bí thư {}", cell.name));
        let phone = enrolled_phone(
            demo,
            storage,
            &c.id,
            &name,
            &full_name,
            Role::Secretary {
                cell_id: cell.id.clone(),
            },
        )?;
        phone.sync()?;
        let roster: Vec<Member> = c.roster(&cell.id).into_iter().cloned().collect();
        let plan = MonthPlan {
            cell,
            roster: &roster,
            start,
            variant: i,
            visiting_cadre: None,
        };
        let meeting_id = record_meeting(&phone.store, &plan, &[])?;
        for k in 0..2 {
            let photo = process(&phone.store, &draw_photo(&camera, (i * 2 + k) as u32)?)?;
            phone
                .store
                .attach_meeting_photo(meeting_id.clone(), photo)?;
        }
        phone.store.sign_meeting(meeting_id.clone())?;
        phone.sync()?;
        let photos = phone
            .store
            .meeting_photos(meeting_id.clone())?
            .into_iter()
            .map(|p| p.sha256)
            .collect();
        cells.push(OtherCell {
            meeting_id,
            phone: name.clone(),
            photos,
        });
        phones.insert(name, phone);
    }
    Ok(OtherCommune { commune: c, cells })
}

/// Keeps the first `cells` cells (villages first) and their members; the commune's
/// committee is left out (no test follows its cadres).
fn keep_cells(c: &mut Commune, cells: usize) {
    c.cells.truncate(cells);
    let keep: Vec<Id> = c.cells.iter().map(|c| c.id.clone()).collect();
    c.members.retain(|m| keep.contains(&m.cell_id));
    c.cadres.clear();
    c.teams.clear();
    c.assignments.clear();
}

fn process(phone: &ChiboStore, source: &Path) -> Result<PhotoRef, Fail> {
    let info = phone.process_photo(source.to_string_lossy().into_owned(), false)?;
    Ok(chibo_core::ffi::photo_ref(info))
}

/// 19:30 on the 24th of last month, Vietnam time.
fn last_months_meeting_start(now: EpochMillis) -> EpochMillis {
    let today = local_datetime(now).date();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("first of month");
    let date = (first - Months::new(1)).with_day(24).expect("the 24th");
    from_local(date.and_hms_opt(19, 30, 0).expect("valid time"))
}

/// An 800×600 PNG of hills under a sky, shaded differently for each `n` (not one of the
/// demo's pictures).
fn draw_photo(camera: &Path, n: u32) -> Result<PathBuf, Fail> {
    std::fs::create_dir_all(camera)?;
    let (w, h) = (800u32, 600u32);
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let ridge = 300.0 + 70.0 * ((x as f64 / 110.0 + n as f64).sin());
            let shade = (n % 16) as u8;
            let (r, g, b) = if (y as f64) < ridge {
                (120 + ((y / 8) % 60) as u8, 170, 230 - shade * 5)
            } else {
                (40 + ((x / 25) % 30) as u8, 110 + shade * 6, 50)
            };
            pixels.extend_from_slice(&[r, g, b]);
        }
    }
    let path = camera.join(format!("IMG_{:04}.png", n + 1));
    let file = std::fs::File::create(&path)?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    Ok(path)
}

// ------------------------------------------------------------------ the control API

struct Fixture {
    demo: SeededDemo,
    extras: Extras,
    /// Phones enrolled through the control API since.
    enrolled: Mutex<HashMap<String, Arc<Phone>>>,
}

/// A phone's name in the control API: its folder (`office`, `bi-thu-01`, `cap-uy-01`…).
fn phone_name(phone: &Phone) -> String {
    phone
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| phone.name.clone())
}

impl Fixture {
    fn demo_phones(&self) -> impl Iterator<Item = &Phone> {
        std::iter::once(&self.demo.office)
            .chain(&self.demo.secretaries)
            .chain(&self.demo.cadres)
    }

    fn knows_phone(&self, name: &str) -> bool {
        self.demo_phones().any(|p| phone_name(p) == name)
            || self.extras.phones.contains_key(name)
            || self.enrolled.lock().expect("phones").contains_key(name)
    }

    /// Runs `work` with the phone called `name`: the demo's, the other commune's or one
    /// enrolled since.
    fn on_phone<R>(&self, name: &str, work: impl FnOnce(&Phone) -> R) -> Option<R> {
        if let Some(phone) = self.demo_phones().find(|p| phone_name(p) == name) {
            return Some(work(phone));
        }
        if let Some(phone) = self.extras.phones.get(name) {
            return Some(work(phone));
        }
        let phone = self.enrolled.lock().expect("phones").get(name).cloned()?;
        Some(work(&phone))
    }

    /// The month before the seed's current one: the month of the meetings the tests open
    /// (in the demo's story every cell met then and signed).
    fn meeting_month(&self) -> (i32, u32) {
        let this = self
            .demo
            .months
            .last()
            .expect("the current month is seeded");
        add_months((this.year, this.month), -1)
    }
}

type Reply = (StatusCode, Json<Value>);

fn problem(status: StatusCode, message: impl ToString) -> Reply {
    (status, Json(json!({ "error": message.to_string() })))
}

fn month_key((year, month): (i32, u32)) -> String {
    format!("{year:04}-{month:02}")
}

fn petition_json(id: &Id, status: PetitionStatus) -> Value {
    json!({ "id": id, "status": format!("{status:?}") })
}

fn ids_json(f: &Fixture) -> Result<Value, Fail> {
    let d = &f.demo;
    let (year, month) = f.meeting_month();
    let mut main_cells = Vec::new();
    for (i, cell) in d.commune.cells.iter().enumerate() {
        let phone = &d.secretaries[i];
        let meeting = d
            .meetings
            .iter()
            .find(|m| m.cell_index == i && (m.month.year, m.month.month) == (year, month));
        let photos: Vec<String> = match meeting {
            Some(m) => phone
                .store
                .meeting_photos(m.meeting_id.clone())?
                .into_iter()
                .map(|p| p.sha256)
                .collect(),
            None => Vec::new(),
        };
        let petitions: Vec<Value> = d
            .petitions
            .iter()
            .filter(|p| p.cell_index == i)
            .map(|p| petition_json(&p.petition_id, p.status))
            .collect();
        main_cells.push(json!({
            "id": cell.id,
            "name": cell.name,
            "meeting_id": meeting.map(|m| &m.meeting_id),
            "phone": phone_name(phone),
            "petitions": petitions,
            "photos": photos,
        }));
    }
    let cadres: Vec<Value> = d
        .commune
        .cadres
        .iter()
        .zip(&d.cadres)
        .map(|(cadre, phone)| json!({ "id": cadre.id, "phone": phone_name(phone) }))
        .collect();

    let o = &f.extras.other;
    let mut other_cells = Vec::new();
    for (cell, seeded) in o.commune.cells.iter().zip(&o.cells) {
        let phone = f.extras.phones.get(&seeded.phone).ok_or("other phone")?;
        let petitions: Vec<Value> = phone
            .store
            .petitions_of_cell(cell.id.clone())?
            .into_iter()
            .map(|p| petition_json(&p.petition.id, p.petition.status))
            .collect();
        other_cells.push(json!({
            "id": cell.id,
            "name": cell.name,
            "meeting_id": seeded.meeting_id,
            "phone": seeded.phone,
            "petitions": petitions,
            "photos": seeded.photos,
        }));
    }

    let mut accounts = serde_json::Map::new();
    for user in &d.users {
        accounts.insert(
            user.username.clone(),
            json!({ "password": user.password, "display_name": user.display_name }),
        );
    }
    for account in [&f.extras.province_viewer, &f.extras.other_viewer] {
        accounts.insert(
            account.username.to_string(),
            json!({ "password": PASSWORD, "display_name": account.display_name }),
        );
    }
    Ok(json!({
        "accounts": accounts,
        "admin": d.admin().username,
        "viewer": d.viewer().username,
        "other_viewer": f.extras.other_viewer.username,
        "province_viewer": f.extras.province_viewer.username,
        "meeting_month": month_key((year, month)),
        "this_month": d.months.last().map(|m| m.key()),
        "months": d.months.iter().map(|m| m.key()).collect::<Vec<_>>(),
        "main": {
            "id": d.commune.id,
            "name": d.commune.name,
            "cells": main_cells,
            "cadres": cadres,
            "unenrolled_person": f.extras.unenrolled_person,
        },
        "other": {
            "id": o.commune.id,
            "name": o.commune.name,
            "cells": other_cells,
            "cadres": [],
            "unenrolled_person": null,
        },
    }))
}

async fn ids(State(f): State<Arc<Fixture>>) -> Reply {
    match tokio::task::spawn_blocking(move || ids_json(&f)).await {
        Ok(Ok(v)) => (StatusCode::OK, Json(v)),
        Ok(Err(e)) => problem(StatusCode::INTERNAL_SERVER_ERROR, e),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

#[derive(Deserialize)]
struct MonthQuery {
    month: String,
}

fn parse_month(text: &str) -> Option<(i32, u32)> {
    let (y, m) = text.split_once('-')?;
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

fn add_months((year, month): (i32, u32), n: i32) -> (i32, u32) {
    let index = year * 12 + month as i32 - 1 + n;
    (index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

fn in_month(at: EpochMillis, (year, month): (i32, u32)) -> bool {
    let d = local_datetime(at).date();
    (d.year(), d.month()) == (year, month)
}

/// A cell's regular meeting that counts for a month, as its secretary's phone holds it.
struct Held {
    start: EpochMillis,
    assessment: MeetingAssessment,
}

/// Per month, the first regular meeting the cell held (recorded or signed), from the
/// secretary's meeting history, judged by the phone's core.
fn held_meetings(
    phone: &Phone,
    cell_id: &str,
    months: &[(i32, u32)],
) -> Result<HashMap<(i32, u32), Held>, Fail> {
    let mut first: HashMap<(i32, u32), (EpochMillis, Id)> = HashMap::new();
    for m in phone.store.meeting_history(cell_id.to_string())? {
        let held = matches!(m.status, MeetingStatus::Recorded | MeetingStatus::Signed);
        let start = m.actual_start.unwrap_or(m.planned_start);
        let Some(&month) = months.iter().find(|&&month| in_month(start, month)) else {
            continue;
        };
        if !held || !m.kind.is_regular() {
            continue;
        }
        let earlier = first.get(&month).is_none_or(|(at, _)| start < *at);
        if earlier {
            first.insert(month, (start, m.meeting_id));
        }
    }
    let mut out = HashMap::new();
    for (month, (start, id)) in first {
        let assessment = phone.store.assess_meeting(id)?;
        out.insert(month, Held { start, assessment });
    }
    Ok(out)
}

fn grade_of(a: &MeetingAssessment) -> Option<QualityGrade> {
    a.quality.judged_entered.then_some(a.quality.grade)
}

const GRADES: [QualityGrade; 4] = [
    QualityGrade::Good,
    QualityGrade::Fair,
    QualityGrade::Average,
    QualityGrade::Poor,
];

fn grade_index(grade: QualityGrade) -> usize {
    match grade {
        QualityGrade::Good => 0,
        QualityGrade::Fair => 1,
        QualityGrade::Average => 2,
        QualityGrade::Poor => 3,
    }
}

/// Sums over the cells' meetings of one month.
#[derive(Default)]
struct MonthSums {
    met: u32,
    present: u32,
    expected: u32,
    grades: [u32; 4],
    ungraded: u32,
}

impl MonthSums {
    fn add(&mut self, a: &MeetingAssessment) {
        self.met += 1;
        self.present += a.attendance.present;
        self.expected += a.attendance.expected;
        match grade_of(a) {
            Some(g) => self.grades[grade_index(g)] += 1,
            None => self.ungraded += 1,
        }
    }

    fn attendance_percent(&self) -> Option<f64> {
        rules::percent_of(self.present, self.expected)
    }

    fn grades_json(&self) -> Value {
        let mut grades = serde_json::Map::new();
        for (g, n) in GRADES.iter().zip(self.grades) {
            grades.insert(g.label().to_string(), json!(n));
        }
        Value::Object(grades)
    }
}

/// The cells' month and its trends.
struct CellsExpected {
    /// Per cell, its row for the month.
    rows: Vec<Value>,
    /// Per month of the 12-month window ending with the month, the sums.
    sums: BTreeMap<(i32, u32), MonthSums>,
}

fn cell_expectations(f: &Fixture, month: (i32, u32)) -> Result<CellsExpected, Fail> {
    let d = &f.demo;
    let window: Vec<(i32, u32)> = (0..TREND_MONTHS as i32)
        .rev()
        .map(|back| add_months(month, -back))
        .collect();
    let today = local_date(now());
    let mut sums: BTreeMap<(i32, u32), MonthSums> =
        window.iter().map(|&m| (m, MonthSums::default())).collect();
    let mut rows = Vec::new();
    for (cell, phone) in d.commune.cells.iter().zip(&d.secretaries) {
        let held = held_meetings(phone, &cell.id, &window)?;
        for (m, h) in &held {
            if let Some(s) = sums.get_mut(m) {
                s.add(&h.assessment);
            }
        }
        let (year, mon) = month;
        let due_day = cell.meeting_day.map(u32::from).unwrap_or(24);
        let last_day = NaiveDate::from_ymd_opt(year, mon, 1)
            .and_then(|d| d.checked_add_months(Months::new(1)))
            .and_then(|d| d.pred_opt())
            .map(|d| d.day())
            .unwrap_or(28);
        let due = NaiveDate::from_ymd_opt(year, mon, due_day.clamp(1, last_day)).ok_or("date")?;
        let this = held.get(&month);
        let mut row = match this {
            Some(h) => {
                let a = &h.assessment;
                let date = local_datetime(h.start).date();
                json!({
                    "date": format!("{:02}/{:02}/{:04}", date.day(), date.month(), date.year()),
                    "duration_minutes": a.duration_minutes,
                    "present": a.attendance.present,
                    "expected": a.attendance.expected,
                    "attendance_percent": a.attendance.rate_percent,
                    "attendance_text": a.attendance.rate_percent.map(format_percent),
                    "quality_total": a.quality.total,
                    "grade": grade_of(a).map(|g| g.label()),
                })
            }
            None => json!({}),
        };
        row["cell_id"] = json!(cell.id);
        row["cell_name"] = json!(cell.name);
        row["met"] = json!(this.is_some());
        row["overdue"] = json!(this.is_none() && today.0 > due);
        rows.push(row);
    }
    Ok(CellsExpected { rows, sums })
}

/// The cadres' month by `compliance::compliance`, with the verdicts their phones hold;
/// and the check-ins waiting for review from January to the month's end.
fn cadre_expectations(f: &Fixture, month: (i32, u32)) -> Result<(Vec<Value>, usize), Fail> {
    let d = &f.demo;
    let (year, mon) = month;
    let mut out = Vec::new();
    let mut to_review = 0;
    for (cadre, phone) in d.commune.cadres.iter().zip(&d.cadres) {
        let rows = phone.store.my_check_ins(cadre.id.clone())?;
        let visits: Vec<VisitRecord> = rows
            .iter()
            .filter_map(|row| VisitRecord::of(&row.check_in, &row.verdict))
            .collect();
        // Waiting for the office: flagged, not yet reviewed, from January to the month.
        to_review += rows
            .iter()
            .filter(|row| row.verdict.awaits_review())
            .filter(|row| {
                let d = local_datetime(row.verdict.effective_time).date();
                d.year() == year && d.month() <= mon
            })
            .count();
        let result = compliance(
            &cadre.id,
            &d.commune.assignments,
            &visits,
            d.commune.requirement,
            year,
            mon,
        );
        out.push(json!({
            "cadre_id": cadre.id,
            "name": cadre.full_name,
            "required": result.totals.required_this_month,
            "done": result.totals.verified_this_month,
            "needs_review": result.totals.needs_review_this_month,
        }));
    }
    Ok((out, to_review))
}

/// Petitions of the commune as the secretaries' phones hold them: open ones (all time),
/// those raised in the month and those resolved in it.
fn petition_expectations(f: &Fixture, month: (i32, u32)) -> Result<Value, Fail> {
    let d = &f.demo;
    let (mut open, mut raised, mut resolved) = (0u32, 0u32, 0u32);
    const STATUSES: [PetitionStatus; 5] = [
        PetitionStatus::Raised,
        PetitionStatus::Forwarded,
        PetitionStatus::Answered,
        PetitionStatus::Resolved,
        PetitionStatus::Declined,
    ];
    for (cell, phone) in d.commune.cells.iter().zip(&d.secretaries) {
        for p in phone.store.petitions_of_cell(cell.id.clone())? {
            let status = p.petition.status;
            if STATUSES
                .iter()
                .any(|&to| rules::petition_may_move(status, to))
            {
                open += 1;
            }
            if in_month(p.petition.raised_at, month) {
                raised += 1;
            }
            if p.responses
                .iter()
                .any(|r| r.status == PetitionStatus::Resolved && in_month(r.responded_at, month))
            {
                resolved += 1;
            }
        }
    }
    Ok(json!({ "open": open, "raised": raised, "resolved": resolved }))
}

fn overview_expectations(f: &Fixture, month: (i32, u32)) -> Result<Value, Fail> {
    let CellsExpected { rows: cells, sums } = cell_expectations(f, month)?;
    let (cadres, to_review) = cadre_expectations(f, month)?;
    let petitions = petition_expectations(f, month)?;
    let n = cells.len() as u32;
    let this = sums.get(&month).ok_or("the month is in its window")?;
    let percent = this.attendance_percent();
    let sum = |key: &str| {
        cadres
            .iter()
            .map(|c| c[key].as_u64().unwrap_or(0))
            .sum::<u64>()
    };
    let trends: Vec<Value> = sums
        .iter()
        .map(|(&(year, mon), s)| {
            let met_percent = rules::percent_of(s.met, n);
            json!({
                "month": month_key((year, mon)),
                "label": format!("{mon:02}/{year}"),
                "cells": n,
                "met": s.met,
                "met_text": met_percent.map(format_percent),
                "present": s.present,
                "expected": s.expected,
                "attendance_text": s.attendance_percent().map(format_percent),
                "grades": s.grades_json(),
                "ungraded": s.ungraded,
            })
        })
        .collect();
    Ok(json!({
        "month": month_key(month),
        "cells": n,
        "met": this.met,
        "not_met": n - this.met,
        "overdue": cells.iter().filter(|c| c["overdue"] == json!(true)).count(),
        "present": this.present,
        "expected": this.expected,
        "attendance_percent": percent,
        "attendance_text": percent.map(format_percent),
        "grades": this.grades_json(),
        "ungraded": this.ungraded,
        "cadre_visits_required": sum("required"),
        "cadre_visits_done": sum("done"),
        "cadre_visits_needing_review": sum("needs_review"),
        "check_ins_needing_review": to_review,
        "open_petitions": petitions["open"],
        "petitions_raised": petitions["raised"],
        "petitions_resolved": petitions["resolved"],
        "per_cell": cells,
        "cadres": cadres,
        "trends": trends,
    }))
}

async fn expected_overview(State(f): State<Arc<Fixture>>, Query(q): Query<MonthQuery>) -> Reply {
    let Some(month) = parse_month(&q.month) else {
        return problem(StatusCode::BAD_REQUEST, "month=YYYY-MM");
    };
    match tokio::task::spawn_blocking(move || overview_expectations(&f, month)).await {
        Ok(Ok(v)) => (StatusCode::OK, Json(v)),
        Ok(Err(e)) => problem(StatusCode::INTERNAL_SERVER_ERROR, e),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

// ------------------------------------------------------------------ the province

/// Days a petition may stay open before the province counts it (issue 17: "open longer
/// than 30 days"), counted here in calendar days on the phones' own petitions.
const LONG_OPEN_DAYS: i64 = 30;

/// Open, and open longer than [`LONG_OPEN_DAYS`] today, over the cells' petitions as
/// their secretaries' phones hold them.
fn open_petitions<'a>(
    cells: impl Iterator<Item = (&'a Cell, &'a Phone)>,
) -> Result<(u32, u32), Fail> {
    let today = local_date(now()).0;
    let (mut open, mut long_open) = (0, 0);
    for (cell, phone) in cells {
        for p in phone.store.petitions_of_cell(cell.id.clone())? {
            let status = p.petition.status;
            if PetitionStatus::ALL
                .iter()
                .any(|&to| rules::petition_may_move(status, to))
            {
                open += 1;
                let raised = local_datetime(p.petition.raised_at).date();
                if (today - raised).num_days() > LONG_OPEN_DAYS {
                    long_open += 1;
                }
            }
        }
    }
    Ok((open, long_open))
}

/// The other commune's month: its cells' regular meetings as their phones hold them; it
/// has no cadres, so no visits and nothing to review.
fn other_commune_expectations(f: &Fixture, month: (i32, u32)) -> Result<Value, Fail> {
    let o = &f.extras.other;
    let mut phones = Vec::new();
    for seeded in &o.cells {
        phones.push(f.extras.phones.get(&seeded.phone).ok_or("other phone")?);
    }
    let mut sums = MonthSums::default();
    let mut overdue = 0;
    let today = local_date(now());
    for (cell, phone) in o.commune.cells.iter().zip(&phones) {
        let held = held_meetings(phone, &cell.id, &[month])?;
        match held.get(&month) {
            Some(h) => sums.add(&h.assessment),
            None => {
                let due = rules::meeting_day(cell, month.0, month.1);
                overdue += u32::from(today > due);
            }
        }
    }
    let (open, long_open) = open_petitions(o.commune.cells.iter().zip(phones))?;
    let cells = o.commune.cells.len() as u32;
    Ok(json!({
        "id": o.commune.id,
        "name": o.commune.name,
        "cells": cells,
        "met": sums.met,
        "not_met": cells - sums.met,
        "overdue": overdue,
        "present": sums.present,
        "expected": sums.expected,
        "grades": sums.grades_json(),
        "ungraded": sums.ungraded,
        "cadre_visits_required": 0,
        "cadre_visits_done": 0,
        "check_ins_needing_review": 0,
        "open_petitions": open,
        "long_open_petitions": long_open,
    }))
}

fn province_expectations(f: &Fixture, month: (i32, u32)) -> Result<Value, Fail> {
    let d = &f.demo;
    let mut main = overview_expectations(f, month)?;
    let (_, long_open) = open_petitions(d.commune.cells.iter().zip(&d.secretaries))?;
    main["id"] = json!(d.commune.id);
    main["name"] = json!(d.commune.name);
    main["long_open_petitions"] = json!(long_open);
    for key in ["per_cell", "cadres", "trends"] {
        main.as_object_mut().ok_or("an object")?.remove(key);
    }
    let other = other_commune_expectations(f, month)?;
    let communes = [main, other];
    let sum = |key: &str| -> u64 { communes.iter().map(|c| c[key].as_u64().unwrap_or(0)).sum() };
    let (present, expected) = (sum("present") as u32, sum("expected") as u32);
    let mut grades = serde_json::Map::new();
    for g in GRADES {
        let n: u64 = communes
            .iter()
            .map(|c| c["grades"][g.label()].as_u64().unwrap_or(0))
            .sum();
        grades.insert(g.label().to_string(), json!(n));
    }
    let mut totals = serde_json::Map::new();
    for key in [
        "cells",
        "met",
        "not_met",
        "overdue",
        "present",
        "expected",
        "ungraded",
        "cadre_visits_required",
        "cadre_visits_done",
        "check_ins_needing_review",
        "open_petitions",
        "long_open_petitions",
    ] {
        totals.insert(key.to_string(), json!(sum(key)));
    }
    totals.insert("grades".into(), Value::Object(grades));
    totals.insert(
        "attendance_text".into(),
        json!(rules::percent_of(present, expected).map(format_percent)),
    );
    Ok(json!({
        "month": month_key(month),
        "province": PROVINCE,
        "communes": communes,
        "totals": totals,
    }))
}

async fn expected_province(State(f): State<Arc<Fixture>>, Query(q): Query<MonthQuery>) -> Reply {
    let Some(month) = parse_month(&q.month) else {
        return problem(StatusCode::BAD_REQUEST, "month=YYYY-MM");
    };
    match tokio::task::spawn_blocking(move || province_expectations(&f, month)).await {
        Ok(Ok(v)) => (StatusCode::OK, Json(v)),
        Ok(Err(e)) => problem(StatusCode::INTERNAL_SERVER_ERROR, e),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

/// What a phone shows after a sync: its cell's petitions with their answers, and the
/// guidance it holds.
fn phone_view(phone: &Phone) -> Result<Value, ChiboError> {
    let mut cells: Vec<Id> = Vec::new();
    for cell in phone.store.cells()? {
        cells.push(cell.id);
    }
    let mut petitions = Vec::new();
    let mut guidance = Vec::new();
    for cell_id in &cells {
        for p in phone.store.petitions_of_cell(cell_id.clone())? {
            petitions.push(json!({
                "id": p.petition.id,
                "cell_id": p.petition.cell_id,
                "content": p.petition.content,
                "status": format!("{:?}", p.petition.status),
                "responses": p.responses.iter().map(|r| json!({
                    "status": format!("{:?}", r.status),
                    "text": r.text,
                    "responder": r.responder,
                })).collect::<Vec<_>>(),
            }));
        }
        for g in phone.store.guidance_for_cell(cell_id.clone())? {
            let attachments: Vec<Value> = g
                .attachments
                .iter()
                .map(|a| {
                    json!({
                        "file_name": a.file_name,
                        "sha256": a.sha256,
                        "byte_size": a.byte_size,
                    })
                })
                .collect();
            guidance.push(json!({
                "id": g.id,
                "cell_id": cell_id,
                "title": g.title,
                "body": g.body,
                "period": g.period,
                "attachments": attachments,
            }));
        }
    }
    Ok(json!({ "cells": cells, "petitions": petitions, "guidance": guidance }))
}

async fn sync_phone(State(f): State<Arc<Fixture>>, UrlPath(name): UrlPath<String>) -> Reply {
    let result = tokio::task::spawn_blocking(move || {
        f.on_phone(&name, |phone| (phone.sync(), phone_view(phone)))
            .ok_or(name)
    })
    .await;
    let (outcome, view) = match result {
        Ok(Ok(r)) => r,
        Ok(Err(name)) => return problem(StatusCode::NOT_FOUND, format!("no phone {name}")),
        Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    let mut body = match view {
        Ok(v) => v,
        Err(e) => json!({ "view_error": e.to_string() }),
    };
    match outcome {
        Ok(report) => {
            body["status"] = json!("ok");
            body["complete"] = json!(report.complete);
            body["summary"] = json!(report.summary);
        }
        Err(e) => {
            body["status"] = json!(match e {
                ChiboError::Unauthorized(_) => "unauthorized",
                ChiboError::Network(_) => "network",
                _ => "error",
            });
            body["error"] = json!(e.to_string());
        }
    }
    (StatusCode::OK, Json(body))
}

#[derive(Deserialize)]
struct EnrollBody {
    name: String,
    code: String,
}

async fn enroll_phone(State(f): State<Arc<Fixture>>, Json(body): Json<EnrollBody>) -> Reply {
    if body.name.is_empty()
        || !body
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return problem(StatusCode::BAD_REQUEST, "name: letters, digits and -");
    }
    // A new phone gets a folder of its own, never a seeded phone's store.
    if f.knows_phone(&body.name) {
        return problem(
            StatusCode::CONFLICT,
            format!("a phone {} exists", body.name),
        );
    }
    let result = tokio::task::spawn_blocking(move || -> Result<Value, Fail> {
        let dir = f.demo.dir.join("phones").join(&body.name);
        let phone = Phone::open(&body.name, &dir)?;
        let enrolled = match phone.enroll(&f.demo.url, &body.code) {
            Ok(e) => e,
            Err(e) => return Ok(json!({ "status": "refused", "error": e.to_string() })),
        };
        let sync = phone.sync().map(|r| r.complete);
        let view = phone_view(&phone)?;
        f.enrolled
            .lock()
            .expect("phones")
            .insert(body.name.clone(), Arc::new(phone));
        let mut out = view;
        out["status"] = json!("ok");
        out["enrolled"] = json!(format!("{enrolled:?}"));
        out["synced"] = json!(sync.is_ok());
        if let Err(e) = sync {
            out["error"] = json!(e.to_string());
        }
        Ok(out)
    })
    .await;
    match result {
        Ok(Ok(v)) => (StatusCode::OK, Json(v)),
        Ok(Err(e)) => problem(StatusCode::INTERNAL_SERVER_ERROR, e),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

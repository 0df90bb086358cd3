//! The browser suite's fixture (tests/browser): the real commune server on loopback over
//! SQLite in a temporary folder, seeded with Xuân Hòa the way the demo seeds it (phones on
//! the real core record last month's meetings with photos, cadres check in, the office
//! answers some petitions and sends guidance), dashboard accounts for the tests, a second
//! commune to be kept out of, and simulated phones the tests drive through a small JSON
//! control API on a second loopback port.
//!
//! When ready it prints one JSON line on stdout:
//! `{"dashboard": "http://127.0.0.1:…", "control": "http://127.0.0.1:…", "seed_seconds": …}`.
//! It stops when its stdin closes (the test runner exiting, even killed, ends it).
//!
//! Control API (all JSON):
//! - `GET /ids`: the accounts, the communes, a meeting with photos, petitions, persons.
//! - `GET /expected/overview?month=YYYY-MM`: the month's figures as the phones' own
//!   assessments and `chibo_domain`'s rules give them (never the dashboard's code).
//! - `POST /phones/{name}/sync`: that phone syncs; its petitions and guidance after.
//! - `POST /phones/enroll` `{"name", "code"}`: a new phone enrols with a typed code.

use std::collections::HashMap;
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
use chibo_core::visits::{CheckInRequest, PhotoRef};
use chibo_demo::meetings::{record_meeting, MonthPlan};
use chibo_demo::seed::{self, Commune};
use chibo_demo::Phone;
use chibo_domain::checkin::{GpsFix, VerdictStatus};
use chibo_domain::compliance::{compliance, VisitRecord};
use chibo_domain::rules::{self, QualityGrade};
use chibo_domain::sync::Role;
use chibo_domain::time::{from_local, local_date, local_datetime};
use chibo_domain::*;
use chibo_server::admin::{self, NewPerson};
use chibo_server::dashboard::session::DashboardRole;
use chibo_server::users::{self, NewUser};
use chibo_server::{Config, Server, Storage};
use chrono::{Datelike, Months, NaiveDate};
use serde::Deserialize;
use serde_json::{json, Value};

const PROVINCE: &str = "Lào Cai";
pub const PASSWORD: &str = "mat-khau-thu-nghiem-2026";

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
    let runtime = tokio::runtime::Runtime::new()?;
    let config = Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: dir.path().join("server"),
        ..Config::default()
    };
    let server = runtime.block_on(Server::new(config).start())?;
    let url = server.base_url();
    let storage = server.state().storage.clone();

    let cells: usize = std::env::var("CHIBO_FIXTURE_CELLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(seed::CELL_COUNT);
    let world = Seeder {
        url: url.clone(),
        storage: storage.clone(),
        dir: dir.path().to_path_buf(),
    }
    .seed(cells)?;
    let seed_seconds = started.elapsed().as_secs_f64();

    let fixture = Arc::new(Fixture {
        url: url.clone(),
        dir: dir.path().to_path_buf(),
        world,
        phones: Mutex::new(HashMap::new()),
    });
    {
        let mut phones = fixture.phones.lock().expect("phones");
        for (name, phone) in fixture.world.phones.lock().expect("phones").drain() {
            phones.insert(name, phone);
        }
    }
    let control = runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))?;
    let control_addr = control.local_addr()?;
    let app = Router::new()
        .route("/ids", get(ids))
        .route("/expected/overview", get(expected_overview))
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
    eprintln!("dashboard_fixture: seeded in {seed_seconds:.1}s, serving {url}");

    // Serve until whoever started us goes away.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    runtime.block_on(server.stop())?;
    // The phones own runtimes of their own: drop them here, not on a worker of this
    // runtime while it shuts down (the control API's state still holds the fixture).
    fixture.phones.lock().expect("phones").clear();
    drop(fixture);
    drop(runtime);
    Ok(())
}

// ------------------------------------------------------------------ the seed

struct Seeder {
    url: String,
    storage: Arc<dyn Storage>,
    dir: PathBuf,
}

/// One seeded commune with what the tests need to find in it.
struct Seeded {
    commune: Commune,
    /// Per cell (seed order): the meeting recorded last month, if the cell met.
    meetings: Vec<Option<Id>>,
    /// Per cell: the secretary phone's name.
    secretaries: Vec<String>,
    /// Cadre id → phone name.
    cadre_phones: Vec<(Id, String)>,
    /// A person registered without a device yet (for the enrolment test).
    unenrolled_person: Option<PersonIds>,
    /// Per cell: its petitions as the office left them (id, status).
    petitions: Vec<Vec<(Id, PetitionStatus)>>,
    /// Per cell: the sha256 of its meeting's photos.
    photos: Vec<Vec<String>>,
}

struct World {
    main: Seeded,
    other: Seeded,
    phones: Mutex<HashMap<String, Arc<Phone>>>,
    /// When last month's meetings started (the 24th at 19:30).
    meeting_start: EpochMillis,
}

#[derive(Clone, Debug, serde::Serialize)]
struct PersonIds {
    id: Id,
    full_name: String,
}

impl Seeder {
    fn seed(&self, cells: usize) -> Result<World, Fail> {
        let phones = Mutex::new(HashMap::new());
        let start = last_months_meeting_start(now());

        let mut main_commune = seed::xuan_hoa(local_date(now()));
        keep_cells(&mut main_commune, cells);
        let main = self.commune(&main_commune, "xh", start, 0, &phones, true)?;

        let mut other_commune = seed::xuan_hoa(local_date(now()));
        other_commune.name = "Nậm Xé".to_string();
        keep_cells(&mut other_commune, 2);
        for cell in &mut other_commune.cells {
            cell.commune_name = other_commune.name.clone();
        }
        // Pictures of its own: a photo of one commune must not be found in the other.
        let other = self.commune(&other_commune, "nx", start, 500, &phones, false)?;

        users::create_user(
            self.storage.as_ref(),
            NewUser {
                username: "tinh.laocai".to_string(),
                display_name: "Vàng Seo Dính".to_string(),
                password: PASSWORD.to_string(),
                role: DashboardRole::ProvinceViewer,
                commune_id: None,
                province_id: Some(PROVINCE.to_string()),
            },
            now(),
        )?;
        for (username, display_name, role, commune) in [
            (
                "vanphong.xuanhoa",
                "Lường Thị Hạnh",
                DashboardRole::CommuneAdmin,
                &main,
            ),
            (
                "xem.xuanhoa",
                "Hà Văn Khánh",
                DashboardRole::CommuneViewer,
                &main,
            ),
            (
                "xem.namxe",
                "Thào A Chu",
                DashboardRole::CommuneViewer,
                &other,
            ),
        ] {
            users::create_user(
                self.storage.as_ref(),
                NewUser {
                    username: username.to_string(),
                    display_name: display_name.to_string(),
                    password: PASSWORD.to_string(),
                    role,
                    commune_id: Some(commune.commune.id.clone()),
                    province_id: None,
                },
                now(),
            )?;
        }
        Ok(World {
            main,
            other,
            phones,
            meeting_start: start,
        })
    }

    fn phone(&self, name: &str) -> Result<Phone, Fail> {
        Ok(Phone::open(name, &self.dir.join("phones").join(name))?)
    }

    fn enrolled_phone(
        &self,
        commune: &Commune,
        name: &str,
        full_name: &str,
        role: Role,
    ) -> Result<Phone, Fail> {
        let person = admin::create_person(
            self.storage.as_ref(),
            &commune.id,
            &NewPerson {
                full_name: full_name.to_string(),
                role,
            },
            now(),
        )?;
        let code = admin::issue_code(
            self.storage.as_ref(),
            &commune.id,
            &person.id,
            3_600_000,
            now(),
        )?;
        let phone = self.phone(name)?;
        phone.enroll(&self.url, &code.qr)?;
        Ok(phone)
    }

    /// The demo's month at one commune: every cell but one in seven met on the 24th of
    /// last month; the cadres of the cells that met checked in; every other petition was
    /// answered; the month's guidance was sent.
    fn commune(
        &self,
        c: &Commune,
        tag: &str,
        start: EpochMillis,
        photo_base: u32,
        phones: &Mutex<HashMap<String, Arc<Phone>>>,
        with_extra_person: bool,
    ) -> Result<Seeded, Fail> {
        let photos = camera_roll(&self.dir.join("camera"), photo_base)?;
        admin::create_commune(
            self.storage.as_ref(),
            &c.name,
            PROVINCE,
            Some(c.id.clone()),
            now(),
        )?;
        let office = self.enrolled_phone(
            c,
            &format!("{tag}-van-phong"),
            &format!("Văn phòng Đảng ủy xã {}", c.name),
            Role::Office,
        )?;
        for cell in &c.cells {
            let roster = c.roster(&cell.id).into_iter().cloned().collect();
            office.store.import_roster(cell.clone(), roster)?;
        }
        for team in &c.teams {
            office.store.save_working_team(team.clone())?;
        }
        for cadre in &c.cadres {
            office.store.save_cadre(cadre.clone())?;
        }
        for assignment in &c.assignments {
            office.store.assign(assignment.clone())?;
        }
        office
            .store
            .set_visit_requirement(c.id.clone(), c.requirement)?;
        office.sync()?;

        let mut secretaries = Vec::new();
        let mut meetings = Vec::new();
        for (i, cell) in c.cells.iter().enumerate() {
            let name = format!("{tag}-bi-thu-{:02}", i + 1);
            let full_name = c
                .secretary(&cell.id)
                .map(|m| m.full_name.clone())
                .unwrap_or_else(|| format!("Bí thư {}", cell.name));
            let phone = self.enrolled_phone(
                c,
                &name,
                &full_name,
                Role::Secretary {
                    cell_id: cell.id.clone(),
                },
            )?;
            phone.sync()?;
            // One cell in seven did not meet last month (overdue on the overview).
            let met = i % 7 != 6;
            if met {
                let roster: Vec<Member> = c.roster(&cell.id).into_iter().cloned().collect();
                let visiting = c
                    .cadres_of(&cell.id)
                    .first()
                    .map(|cadre| (cadre.full_name.as_str(), cadre.title.as_str()));
                let plan = MonthPlan {
                    cell,
                    roster: &roster,
                    start,
                    variant: i,
                    visiting_cadre: visiting,
                };
                let meeting_id = record_meeting(&phone.store, &plan, &[])?;
                for k in 0..2 {
                    let photo = process(&phone.store, &photos[(i * 2 + k) % photos.len()])?;
                    phone
                        .store
                        .attach_meeting_photo(meeting_id.clone(), photo)?;
                }
                phone.store.presence_code(meeting_id.clone())?;
                phone.sync()?;
                meetings.push(Some(meeting_id));
            } else {
                meetings.push(None);
            }
            secretaries.push((name, phone));
        }

        // The cadres of cells that met check in with the secretary's presence code; one
        // in four forgets (their visit is missing), one in five is far from the hall.
        let mut cadre_phones = Vec::new();
        for (i, cadre) in c.cadres.iter().enumerate() {
            let name = format!("{tag}-cap-uy-{:02}", i + 1);
            let phone = self.enrolled_phone(
                c,
                &name,
                &cadre.full_name,
                Role::Cadre {
                    cadre_id: cadre.id.clone(),
                },
            )?;
            phone.sync()?;
            let assigned = c
                .assignments
                .iter()
                .find(|a| a.cadre_id == cadre.id)
                .and_then(|a| c.cells.iter().position(|cell| cell.id == a.cell_id));
            if let Some(cell_index) = assigned.filter(|_| i % 4 != 3) {
                if let Some(meeting_id) = &meetings[cell_index] {
                    let cell = &c.cells[cell_index];
                    let at = start + 45 * 60_000 + i as i64 * 60_000;
                    let code = presence_code_at(&secretaries[cell_index].1, meeting_id, at)?;
                    let snapshot =
                        draw_photo(&self.dir.join("camera"), photo_base + 100 + i as u32)?;
                    let photo = process(&phone.store, &snapshot)?;
                    let place = cell.meeting_place.as_ref().ok_or("seeded place")?;
                    phone.store.check_in(
                        CheckInRequest {
                            meeting_id: meeting_id.clone(),
                            cell_id: cell.id.clone(),
                            cadre_id: cadre.id.clone(),
                            photo: Some(photo),
                            gps: Some(GpsFix {
                                // One in five checks in 2 km from the hall: the office
                                // must review it.
                                latitude: place.latitude + if i % 5 == 2 { 0.02 } else { 0.0002 },
                                longitude: place.longitude - 0.0001,
                                accuracy_m: 12.0,
                                fix_time: at - 20_000,
                                mock_location: false,
                            }),
                            device_wall_time: at,
                            monotonic_ms: 3_600_000 + i as i64,
                            server_offset_ms: Some(0),
                            presence_code: code,
                        },
                        phone.keystore(),
                    )?;
                    phone.sync()?;
                }
            }
            cadre_phones.push((cadre.id.clone(), name.clone()));
            phones.lock().expect("phones").insert(name, Arc::new(phone));
        }

        for ((_, phone), meeting) in secretaries.iter().zip(&meetings) {
            if let Some(meeting_id) = meeting {
                phone.store.sign_meeting(meeting_id.clone())?;
                phone.sync()?;
            }
        }

        office.sync()?;
        for (i, cell) in c.cells.iter().enumerate() {
            if i % 2 == 1 {
                continue;
            }
            for petition in office.store.petitions_of_cell(cell.id.clone())? {
                office.store.respond_to_petition(
                    petition.petition.id.clone(),
                    PetitionStatus::Answered,
                    "Ủy ban nhân dân xã đã ghi kế hoạch hỗ trợ trong quý I; cán bộ địa chính \
                     sẽ xuống làm việc với bản."
                        .to_string(),
                    "Văn phòng Đảng ủy xã".to_string(),
                )?;
            }
        }
        let today = local_datetime(now()).date();
        office.store.publish_guidance(
            c.id.clone(),
            GuidanceKind::MonthlyGuidance,
            format!(
                "Hướng dẫn sinh hoạt chi bộ tháng {}/{}",
                today.month(),
                today.year()
            ),
            "Các chi bộ tập trung kiểm điểm thu hoạch vụ mùa, phòng chống cháy rừng mùa khô, \
             rà soát hộ nghèo và chuẩn bị tổng kết công tác năm."
                .to_string(),
            format!("{:04}-{:02}", today.year(), today.month()),
            Vec::new(),
        )?;
        office.sync()?;
        for (_, phone) in &secretaries {
            phone.sync()?;
        }

        // The cadres' phones learn the server's verdicts on their check-ins.
        for (_, name) in &cadre_phones {
            let phone = phones.lock().expect("phones").get(name).cloned();
            if let Some(phone) = phone {
                phone.sync()?;
            }
        }

        let unenrolled_person = if with_extra_person {
            let cell = &c.cells[0];
            let person = admin::create_person(
                self.storage.as_ref(),
                &c.id,
                &NewPerson {
                    full_name: "Giàng Thị Mỷ".to_string(),
                    role: Role::Secretary {
                        cell_id: cell.id.clone(),
                    },
                },
                now(),
            )?;
            Some(PersonIds {
                id: person.id.clone(),
                full_name: person.full_name.clone(),
            })
        } else {
            None
        };

        let mut petitions = Vec::new();
        let mut meeting_photos = Vec::new();
        for ((cell, (_, phone)), meeting) in c.cells.iter().zip(&secretaries).zip(&meetings) {
            petitions.push(
                phone
                    .store
                    .petitions_of_cell(cell.id.clone())?
                    .into_iter()
                    .map(|p| (p.petition.id, p.petition.status))
                    .collect(),
            );
            meeting_photos.push(match meeting {
                Some(id) => phone
                    .store
                    .meeting_photos(id.clone())?
                    .into_iter()
                    .map(|p| p.sha256)
                    .collect(),
                None => Vec::new(),
            });
        }

        let mut names = Vec::new();
        {
            let mut all = phones.lock().expect("phones");
            all.insert(format!("{tag}-van-phong"), Arc::new(office));
            for (name, phone) in secretaries {
                names.push(name.clone());
                all.insert(name, Arc::new(phone));
            }
        }
        Ok(Seeded {
            commune: c.clone(),
            meetings,
            secretaries: names,
            cadre_phones,
            unenrolled_person,
            petitions,
            photos: meeting_photos,
        })
    }
}

/// Keeps the first `cells` cells (villages first) and the cadres who follow them.
fn keep_cells(c: &mut Commune, cells: usize) {
    if cells >= c.cells.len() {
        return;
    }
    c.cells.truncate(cells);
    let keep: Vec<Id> = c.cells.iter().map(|c| c.id.clone()).collect();
    c.members.retain(|m| keep.contains(&m.cell_id));
    c.assignments.retain(|a| keep.contains(&a.cell_id));
    let cadres: Vec<Id> = c.assignments.iter().map(|a| a.cadre_id.clone()).collect();
    c.cadres.retain(|x| cadres.contains(&x.id));
    let teams: Vec<Id> = c
        .assignments
        .iter()
        .filter_map(|a| a.working_team_id.clone())
        .collect();
    c.teams.retain(|t| teams.contains(&t.id));
}

fn process(phone: &ChiboStore, source: &Path) -> Result<PhotoRef, Fail> {
    let info = phone.process_photo(source.to_string_lossy().into_owned(), false)?;
    Ok(chibo_core::ffi::photo_ref(info))
}

/// The code the secretary's screen showed at `at` (last month's meeting, replayed).
fn presence_code_at(secretary: &Phone, meeting_id: &str, at: EpochMillis) -> Result<String, Fail> {
    let store = chibo_core::store::Store::open(&secretary.dir.join("so-chi-bo.db"))?;
    let secret = store
        .presence_secret(meeting_id)?
        .ok_or("no presence secret for the meeting")?;
    Ok(chibo_domain::checkin::presence_code(&secret, meeting_id, at).code)
}

/// 19:30 on the 24th of last month, Vietnam time.
fn last_months_meeting_start(now: EpochMillis) -> EpochMillis {
    let today = local_datetime(now).date();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("first of month");
    let date = (first - Months::new(1)).with_day(24).expect("the 24th");
    from_local(date.and_hms_opt(19, 30, 0).expect("valid time"))
}

/// Six meeting photos drawn here (a fresh clone has no camera roll), from `base` on.
fn camera_roll(camera: &Path, base: u32) -> Result<Vec<PathBuf>, Fail> {
    (base..base + 6).map(|n| draw_photo(camera, n)).collect()
}

/// An 800×600 PNG of hills under a sky, shaded differently for each `n`.
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
    url: String,
    dir: PathBuf,
    world: World,
    phones: Mutex<HashMap<String, Arc<Phone>>>,
}

impl Fixture {
    fn phone(&self, name: &str) -> Option<Arc<Phone>> {
        self.phones.lock().expect("phones").get(name).cloned()
    }
}

type Reply = (StatusCode, Json<Value>);

fn problem(status: StatusCode, message: impl ToString) -> Reply {
    (status, Json(json!({ "error": message.to_string() })))
}

async fn ids(State(f): State<Arc<Fixture>>) -> Json<Value> {
    let w = &f.world;
    let commune = |s: &Seeded| {
        let cells: Vec<Value> = s
            .commune
            .cells
            .iter()
            .zip(&s.meetings)
            .zip(&s.secretaries)
            .zip(s.petitions.iter().zip(&s.photos))
            .map(|(((cell, meeting), phone), (petitions, photos))| {
                let petitions: Vec<Value> = petitions
                    .iter()
                    .map(|(id, status)| json!({ "id": id, "status": format!("{status:?}") }))
                    .collect();
                json!({
                    "id": cell.id,
                    "name": cell.name,
                    "meeting_id": meeting,
                    "phone": phone,
                    "petitions": petitions,
                    "photos": photos,
                })
            })
            .collect();
        json!({
            "id": s.commune.id,
            "name": s.commune.name,
            "cells": cells,
            "cadres": s.cadre_phones.iter().map(|(id, phone)| json!({"id": id, "phone": phone})).collect::<Vec<_>>(),
            "unenrolled_person": s.unenrolled_person,
        })
    };
    let month = local_datetime(w.meeting_start).date();
    Json(json!({
        "password": PASSWORD,
        "admin": "vanphong.xuanhoa",
        "viewer": "xem.xuanhoa",
        "other_viewer": "xem.namxe",
        "province_viewer": "tinh.laocai",
        "meeting_month": format!("{:04}-{:02}", month.year(), month.month()),
        "main": commune(&w.main),
        "other": commune(&w.other),
    }))
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

/// One cell's month as the secretary's phone judges its meeting.
struct CellExpectation {
    value: Value,
    present: u32,
    expected: u32,
    grade: Option<QualityGrade>,
    met: bool,
    overdue: bool,
}

fn expectations(f: &Fixture, year: i32, month: u32) -> Result<Vec<CellExpectation>, Fail> {
    let s = &f.world.main;
    let today = local_date(now());
    let mut out = Vec::new();
    for ((cell, meeting), phone_name) in s.commune.cells.iter().zip(&s.meetings).zip(&s.secretaries)
    {
        let phone = f.phone(phone_name).ok_or("secretary phone")?;
        let in_month = |at: EpochMillis| {
            let d = local_datetime(at).date();
            (d.year(), d.month()) == (year, month)
        };
        let mut held = None;
        if let Some(id) = meeting {
            let record = phone.store.meeting_record(id.clone())?;
            if in_month(
                record
                    .meeting
                    .actual_start
                    .unwrap_or(record.meeting.planned_start),
            ) {
                held = Some((record, phone.store.assess_meeting(id.clone())?));
            }
        }
        let due_day = cell.meeting_day.map(u32::from).unwrap_or(24);
        let last_day = NaiveDate::from_ymd_opt(year, month, 1)
            .and_then(|d| d.checked_add_months(Months::new(1)))
            .and_then(|d| d.pred_opt())
            .map(|d| d.day())
            .unwrap_or(28);
        let due = NaiveDate::from_ymd_opt(year, month, due_day.clamp(1, last_day)).ok_or("date")?;
        let met = held.is_some();
        let overdue = !met && today.0 > due;
        let (present, expected, grade, value) = match &held {
            Some((record, a)) => {
                let grade = a.quality.judged_entered.then_some(a.quality.grade);
                let start = record
                    .meeting
                    .actual_start
                    .unwrap_or(record.meeting.planned_start);
                let date = local_datetime(start).date();
                (
                    a.attendance.present,
                    a.attendance.expected,
                    grade,
                    json!({
                        "date": format!("{:02}/{:02}/{:04}", date.day(), date.month(), date.year()),
                        "duration_minutes": a.duration_minutes,
                        "present": a.attendance.present,
                        "expected": a.attendance.expected,
                        "attendance_percent": a.attendance.rate_percent,
                        "attendance_text": a.attendance.rate_percent.map(rules::format_percent),
                        "quality_total": a.quality.total,
                        "grade": grade.map(QualityGrade::label),
                    }),
                )
            }
            None => (0, 0, None, json!({})),
        };
        let mut value = value;
        value["cell_id"] = json!(cell.id);
        value["cell_name"] = json!(cell.name);
        value["met"] = json!(met);
        value["overdue"] = json!(overdue);
        out.push(CellExpectation {
            value,
            present,
            expected,
            grade,
            met,
            overdue,
        });
    }
    Ok(out)
}

/// The cadres' month by `compliance::compliance`, with the verdicts their phones hold.
fn cadre_expectations(f: &Fixture, year: i32, month: u32) -> Result<Vec<Value>, Fail> {
    let s = &f.world.main;
    let mut out = Vec::new();
    for (cadre_id, phone_name) in &s.cadre_phones {
        let phone = f.phone(phone_name).ok_or("cadre phone")?;
        let visits: Vec<VisitRecord> = phone
            .store
            .my_check_ins(cadre_id.clone())?
            .into_iter()
            .map(|row| VisitRecord {
                meeting_id: row.check_in.meeting_id.clone(),
                cell_id: row.check_in.cell_id.clone(),
                at: row.verdict.effective_time,
                status: row.verdict.status,
            })
            .collect();
        let result = compliance(
            cadre_id,
            &s.commune.assignments,
            &visits,
            s.commune.requirement,
            year,
            month,
        );
        let name = s
            .commune
            .cadres
            .iter()
            .find(|c| &c.id == cadre_id)
            .map(|c| c.full_name.clone())
            .unwrap_or_default();
        out.push(json!({
            "cadre_id": cadre_id,
            "name": name,
            "required": result.totals.required_this_month,
            "done": result.totals.verified_this_month,
            "needs_review": result.totals.needs_review_this_month,
            "unverified_check_ins": visits.iter().filter(|v| v.status != VerdictStatus::Verified).count(),
        }));
    }
    Ok(out)
}

/// Petitions of the commune as the secretaries' phones hold them.
fn petition_expectations(f: &Fixture, year: i32, month: u32) -> Result<Value, Fail> {
    let s = &f.world.main;
    let (mut open, mut raised) = (0u32, 0u32);
    const STATUSES: [PetitionStatus; 5] = [
        PetitionStatus::Raised,
        PetitionStatus::Forwarded,
        PetitionStatus::Answered,
        PetitionStatus::Resolved,
        PetitionStatus::Declined,
    ];
    for (cell, phone_name) in s.commune.cells.iter().zip(&s.secretaries) {
        let phone = f.phone(phone_name).ok_or("secretary phone")?;
        for p in phone.store.petitions_of_cell(cell.id.clone())? {
            let status = p.petition.status;
            if STATUSES
                .iter()
                .any(|&to| rules::petition_may_move(status, to))
            {
                open += 1;
            }
            let d = local_datetime(p.petition.raised_at).date();
            if (d.year(), d.month()) == (year, month) {
                raised += 1;
            }
        }
    }
    Ok(json!({ "open": open, "raised_in_month": raised }))
}

fn month_of(q: &MonthQuery) -> Result<(i32, u32), Reply> {
    parse_month(&q.month).ok_or_else(|| problem(StatusCode::BAD_REQUEST, "month=YYYY-MM"))
}

async fn expected_overview(State(f): State<Arc<Fixture>>, Query(q): Query<MonthQuery>) -> Reply {
    let (year, month) = match month_of(&q) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let result = tokio::task::spawn_blocking(move || -> Result<Value, Fail> {
        let cells = expectations(&f, year, month)?;
        let cadres = cadre_expectations(&f, year, month)?;
        let petitions = petition_expectations(&f, year, month)?;
        let (present, expected): (u32, u32) = cells
            .iter()
            .fold((0, 0), |(p, e), c| (p + c.present, e + c.expected));
        let percent = (expected > 0).then(|| f64::from(present) * 100.0 / f64::from(expected));
        let mut grades = serde_json::Map::new();
        for grade in [
            QualityGrade::Good,
            QualityGrade::Fair,
            QualityGrade::Average,
            QualityGrade::Poor,
        ] {
            let n = cells.iter().filter(|c| c.grade == Some(grade)).count();
            grades.insert(grade.label().to_string(), json!(n));
        }
        let ungraded = cells.iter().filter(|c| c.met && c.grade.is_none()).count();
        let sum = |key: &str| {
            cadres
                .iter()
                .map(|c| c[key].as_u64().unwrap_or(0))
                .sum::<u64>()
        };
        Ok(json!({
            "cells": cells.len(),
            "met": cells.iter().filter(|c| c.met).count(),
            "not_met": cells.iter().filter(|c| !c.met).count(),
            "overdue": cells.iter().filter(|c| c.overdue).count(),
            "present": present,
            "expected": expected,
            "attendance_percent": percent,
            "attendance_text": percent.map(rules::format_percent),
            "grades": grades,
            "ungraded": ungraded,
            "cadre_visits_required": sum("required"),
            "cadre_visits_done": sum("done"),
            "check_ins_needing_review": sum("unverified_check_ins"),
            "open_petitions": petitions["open"],
            "petitions_raised": petitions["raised_in_month"],
            "per_cell": cells.iter().map(|c| c.value.clone()).collect::<Vec<_>>(),
            "cadres": cadres,
        }))
    })
    .await;
    match result {
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
    let Some(phone) = f.phone(&name) else {
        return problem(StatusCode::NOT_FOUND, format!("no phone {name}"));
    };
    let result = tokio::task::spawn_blocking(move || {
        let outcome = phone.sync();
        let view = phone_view(&phone);
        (outcome, view)
    })
    .await;
    let (outcome, view) = match result {
        Ok(r) => r,
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
    let f2 = f.clone();
    let result = tokio::task::spawn_blocking(move || -> Result<Value, Fail> {
        let phone = Phone::open(&body.name, &f2.dir.join("phones").join(&body.name))?;
        let enrolled = match phone.enroll(&f2.url, &body.code) {
            Ok(e) => e,
            Err(e) => return Ok(json!({ "status": "refused", "error": e.to_string() })),
        };
        let sync = phone.sync().map(|r| r.complete);
        let view = phone_view(&phone)?;
        f2.phones
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

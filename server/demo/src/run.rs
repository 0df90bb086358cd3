//! The demo's story: start the server, register Xuân Hòa through the office's device,
//! enrol a phone per secretary and per cadre, record a year of monthly meetings (and
//! this month's first ones) with photos, check the cadres in with the secretaries'
//! presence codes, answer petitions and send each month's guidance, sync everything,
//! create the dashboard's first accounts, then keep serving.
//!
//! [`seed_with_history`] is the same seeding as a library call, for the browser tests
//! and the dashboard benchmark.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chibo_core::ffi::{ChiboError, ChiboStore};
use chibo_core::keystore::FileKeystore;
use chibo_core::visits::{CheckInRequest, PhotoRef};
use chibo_domain::checkin::GpsFix;
use chibo_domain::compliance::Cadre;
use chibo_domain::rules::{MeetingAssessment, QualityGrade};
use chibo_domain::sync::{EnrollRequest, Role, PROTOCOL_VERSION};
use chibo_domain::time::{from_local, local_date};
use chibo_domain::*;
use chibo_server::admin::{self, NewPerson};
use chibo_server::dashboard::session::DashboardRole;
use chibo_server::users::{self, NewUser};
use chibo_server::{Config, RunningServer, Server};
use chrono::Datelike;

use crate::history::{
    details, judged, meeting_start, mix, months_up_to, petition_outcome, response_text, visit,
    Month,
};
use crate::meetings::{record_meeting_with, MonthPlan};
use crate::phone::Phone;
use crate::seed::{self, Commune};

/// A file in the data directory that says the demo made it, so a rerun may clear it.
const MARKER: &str = ".chibo-demo";
const PROVINCE: &str = "Lào Cai";

#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            data_dir: PathBuf::from("chibo-demo-data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{0}")]
    Setup(String),
    #[error("máy chủ: {0}")]
    Server(#[from] chibo_server::ServerError),
    #[error("máy chủ từ chối: {0}")]
    Api(#[from] chibo_server::ApiError),
    #[error("điện thoại mô phỏng: {0}")]
    Phone(#[from] ChiboError),
}

fn setup(context: &str) -> impl Fn(std::io::Error) -> DemoError + '_ {
    move |e| DemoError::Setup(format!("{context}: {e}"))
}

fn now() -> EpochMillis {
    chrono::Utc::now().timestamp_millis()
}

/// Clears a previous demo's data, but never a folder the demo did not make.
fn prepare_data_dir(dir: &Path) -> Result<(), DemoError> {
    if dir.exists() {
        let ours = dir.join(MARKER).exists();
        let empty = std::fs::read_dir(dir)
            .map_err(setup("không đọc được thư mục dữ liệu"))?
            .next()
            .is_none();
        if !ours && !empty {
            return Err(DemoError::Setup(format!(
                "Thư mục {} đã có dữ liệu không phải của bản trình diễn; hãy chọn thư mục khác \
                 bằng --data-dir",
                dir.display()
            )));
        }
        std::fs::remove_dir_all(dir).map_err(setup("không xóa được dữ liệu cũ"))?;
    }
    std::fs::create_dir_all(dir).map_err(setup("không tạo được thư mục dữ liệu"))?;
    std::fs::write(dir.join(MARKER), "Dữ liệu trình diễn của Sổ Chi bộ\n")
        .map_err(setup("không ghi được thư mục dữ liệu"))?;
    Ok(())
}

/// What to seed: where, on which address, and how many months before the current one.
#[derive(Clone, Debug)]
pub struct SeedOptions {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// Months of history before the current month (12: last month and the 11 before it,
    /// so the overview's 12-month trends are full).
    pub months_before: u32,
    /// Every cell meets every month before this one (the benchmark's "36 monthly
    /// meetings each"); otherwise a cell skips about one month in twenty.
    pub every_month: bool,
    /// Meeting photos per meeting (the same few pictures, stored once by hash).
    pub photos_per_meeting: usize,
    /// Print the story as it goes.
    pub verbose: bool,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            data_dir: PathBuf::from("chibo-demo-data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            months_before: 12,
            every_month: false,
            photos_per_meeting: 2,
            verbose: false,
        }
    }
}

/// A dashboard account the seed made.
#[derive(Clone, Debug)]
pub struct DemoUser {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub admin: bool,
}

/// A meeting the seed recorded.
#[derive(Clone, Debug)]
pub struct SeededMeeting {
    pub cell_index: usize,
    pub meeting_id: Id,
    pub month: Month,
    pub start: EpochMillis,
    pub signed: bool,
    pub photos: usize,
}

/// A cadre's check-in the seed made, with the verdict the server sent back.
#[derive(Clone, Debug)]
pub struct SeededCheckIn {
    pub cadre_index: usize,
    pub cell_index: usize,
    pub meeting_id: Id,
    pub check_in_id: Id,
    pub month: Month,
    /// Made from outside the meeting place's radius, on purpose.
    pub far_away: bool,
    pub status: chibo_domain::checkin::VerdictStatus,
}

/// A petition raised at a seeded meeting, and where the office left it.
#[derive(Clone, Debug)]
pub struct SeededPetition {
    pub cell_index: usize,
    pub petition_id: Id,
    pub meeting_id: Id,
    pub month: Month,
    pub category: PetitionCategory,
    pub status: PetitionStatus,
}

/// Xuân Hòa with its history on a running server, and the phones that made it: the
/// office's, one per cell secretary (index = cell index in `commune.cells`) and one per
/// cadre (index = `commune.cadres`). Each phone can record and sync again on demand.
pub struct SeededDemo {
    pub url: String,
    pub dir: PathBuf,
    pub commune: Commune,
    pub office: Phone,
    pub secretaries: Vec<Phone>,
    pub cadres: Vec<Phone>,
    /// Oldest first; the last is the current month.
    pub months: Vec<Month>,
    pub meetings: Vec<SeededMeeting>,
    pub check_ins: Vec<SeededCheckIn>,
    pub petitions: Vec<SeededPetition>,
    /// The commune admin first, then the commune viewer.
    pub users: Vec<DemoUser>,
    /// A device credential of the office, for the JSON API.
    pub office_credential: String,
    pub pending_everywhere: u64,
    server: Option<RunningServer>,
    runtime: tokio::runtime::Runtime,
}

/// One month's figures worked out from the seeded records with the domain's rules (the
/// secretaries' phones assess each meeting), to compare with what the dashboard shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedMonth {
    pub month: Month,
    pub cells_met: usize,
    pub cells_not_met: usize,
    /// Sums over the month's meetings of the members present and of those expected.
    pub present: u32,
    pub expected: u32,
    /// Meetings graded Tốt, Khá, Trung bình, Kém.
    pub grades: [usize; 4],
    /// Check-ins made in the month, and those of them the office must review.
    pub check_ins: usize,
    pub needs_review: usize,
    /// Petitions raised at the month's meetings, and those still waiting (raised or
    /// forwarded).
    pub petitions: usize,
    pub petitions_waiting: usize,
}

impl SeededDemo {
    pub fn server(&self) -> &RunningServer {
        self.server.as_ref().expect("serving until stopped")
    }

    pub fn storage(&self) -> Arc<dyn chibo_server::Storage> {
        self.server().state().storage.clone()
    }

    pub fn admin(&self) -> &DemoUser {
        &self.users[0]
    }

    pub fn viewer(&self) -> &DemoUser {
        &self.users[1]
    }

    /// The domain's assessment of a seeded meeting, on its secretary's phone.
    pub fn assessment(&self, meeting: &SeededMeeting) -> Result<MeetingAssessment, DemoError> {
        Ok(self.secretaries[meeting.cell_index]
            .store
            .assess_meeting(meeting.meeting_id.clone())?)
    }

    /// The figures of `month` from the seeded records (see [`ExpectedMonth`]).
    pub fn expected(&self, month: &Month) -> Result<ExpectedMonth, DemoError> {
        let mut e = ExpectedMonth {
            month: *month,
            cells_met: 0,
            cells_not_met: 0,
            present: 0,
            expected: 0,
            grades: [0; 4],
            check_ins: 0,
            needs_review: 0,
            petitions: 0,
            petitions_waiting: 0,
        };
        for meeting in self.meetings.iter().filter(|m| m.month == *month) {
            e.cells_met += 1;
            let a = self.assessment(meeting)?;
            e.present += a.attendance.present;
            e.expected += a.attendance.expected;
            let g = match a.quality.grade {
                QualityGrade::Good => 0,
                QualityGrade::Fair => 1,
                QualityGrade::Average => 2,
                QualityGrade::Poor => 3,
            };
            e.grades[g] += 1;
        }
        e.cells_not_met = self.commune.cells.len() - e.cells_met;
        for c in self.check_ins.iter().filter(|c| c.month == *month) {
            e.check_ins += 1;
            if c.status == chibo_domain::checkin::VerdictStatus::NeedsReview {
                e.needs_review += 1;
            }
        }
        for p in self.petitions.iter().filter(|p| p.month == *month) {
            e.petitions += 1;
            if matches!(p.status, PetitionStatus::Raised | PetitionStatus::Forwarded) {
                e.petitions_waiting += 1;
            }
        }
        Ok(e)
    }

    /// Runs `f` on the server's runtime (the server serves on its threads meanwhile).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    /// Stops the server and waits for the requests in flight.
    pub fn stop(mut self) -> Result<(), DemoError> {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.stop())?;
        }
        Ok(())
    }
}

/// Seeds Xuân Hòa with `options.months_before` months of history before the current
/// month, all through the real write path: the phones record offline with the core and
/// push over HTTP, the server validates every change and logs it in its scopes.
pub fn seed_with_history(options: &SeedOptions) -> Result<SeededDemo, DemoError> {
    prepare_data_dir(&options.data_dir)?;
    let runtime = tokio::runtime::Runtime::new().map_err(setup("không khởi động được tokio"))?;
    let config = Config {
        listen: options.listen,
        data_dir: options.data_dir.join("server"),
        ..Config::default()
    };
    let server = runtime.block_on(Server::new(config).start())?;
    let url = server.base_url();
    if options.verbose {
        println!(
            "Máy chủ xã đang chạy tại {url} (SQLite trong {})",
            options.data_dir.join("server").display()
        );
    }
    let story = Story {
        url: url.clone(),
        storage: server.state().storage.clone(),
        dir: options.data_dir.clone(),
        commune: seed::xuan_hoa(local_date(now())),
        photos: demo_photos(&options.data_dir.join("camera"))?,
        options: options.clone(),
    };
    let played = story.play()?;
    Ok(SeededDemo {
        url,
        dir: options.data_dir.clone(),
        commune: story.commune,
        office: played.office,
        secretaries: played.secretaries,
        cadres: played.cadres,
        months: played.months,
        meetings: played.meetings,
        check_ins: played.check_ins,
        petitions: played.petitions,
        users: played.users,
        office_credential: played.office_credential,
        pending_everywhere: played.pending,
        server: Some(server),
        runtime,
    })
}

/// Runs the demo and serves until Ctrl-C.
pub fn run(options: DemoOptions) -> Result<(), DemoError> {
    let started = std::time::Instant::now();
    let demo = seed_with_history(&SeedOptions {
        data_dir: options.data_dir.clone(),
        listen: options.listen,
        verbose: true,
        ..SeedOptions::default()
    })?;
    print_figures(&demo)?;
    println!(
        "\n(Tạo dữ liệu mất {:.0} giây.) Nhấn Ctrl-C để dừng máy chủ.",
        started.elapsed().as_secs_f64()
    );
    demo.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    demo.stop()
}

fn print_figures(demo: &SeededDemo) -> Result<(), DemoError> {
    let c = &demo.commune;
    let url = &demo.url;
    println!("\nĐảng bộ xã {} đã đồng bộ:", seed::COMMUNE_NAME);
    println!("  {} chi bộ, {} đảng viên", c.cells.len(), c.members.len());
    println!(
        "  {} cấp ủy viên trong {} tổ công tác, phụ trách các chi bộ thôn, bản",
        c.cadres.len(),
        c.teams.len()
    );
    let signed = demo.meetings.iter().filter(|m| m.signed).count();
    let photos: usize = demo.meetings.iter().map(|m| m.photos).sum();
    println!(
        "  {} biên bản sinh hoạt trong {} tháng ({} đã ký), {} ảnh buổi họp",
        demo.meetings.len(),
        demo.months.len(),
        signed,
        photos
    );
    let review = demo
        .check_ins
        .iter()
        .filter(|c| c.status == chibo_domain::checkin::VerdictStatus::NeedsReview)
        .count();
    println!(
        "  {} lượt điểm danh của cấp ủy viên, {} cần Văn phòng xem xét",
        demo.check_ins.len(),
        review
    );
    let answered = demo
        .petitions
        .iter()
        .filter(|p| p.status != PetitionStatus::Raised)
        .count();
    println!(
        "  {} kiến nghị, {} đã được Văn phòng Đảng ủy xử lý",
        demo.petitions.len(),
        answered
    );
    println!(
        "  thay đổi còn chờ đồng bộ trên mọi điện thoại: {}",
        demo.pending_everywhere
    );
    if let Some(this) = demo.months.last() {
        let e = demo.expected(this)?;
        println!(
            "  tháng {}/{}: {} chi bộ đã họp, {} chưa họp",
            this.month, this.year, e.cells_met, e.cells_not_met
        );
    }

    println!("\nBảng điều hành của Văn phòng Đảng ủy: {url}/");
    println!("  Tài khoản trình diễn (chỉ dùng cho bản trình diễn này, đổi mỗi lần chạy):");
    for user in &demo.users {
        println!(
            "    {:<16} mật khẩu {:<22} ({})",
            user.username,
            user.password,
            if user.admin {
                "quản trị xã"
            } else {
                "chỉ xem"
            }
        );
    }
    let cid = &c.id;
    let auth = format!("-H 'Authorization: Bearer {}'", demo.office_credential);
    println!("\nAPI JSON (khóa của Văn phòng Đảng ủy, chỉ dùng cho bản trình diễn):");
    for path in ["summary", "cells", "meetings", "check-ins", "petitions"] {
        println!("  curl --compressed {auth} {url}/api/v1/communes/{cid}/{path}");
    }
    println!("  Mô tả API (OpenAPI): {url}/api/v1/openapi.json");
    Ok(())
}

struct Story {
    url: String,
    storage: Arc<dyn chibo_server::Storage>,
    dir: PathBuf,
    commune: Commune,
    photos: Vec<PathBuf>,
    options: SeedOptions,
}

struct Played {
    office: Phone,
    secretaries: Vec<Phone>,
    cadres: Vec<Phone>,
    months: Vec<Month>,
    meetings: Vec<SeededMeeting>,
    check_ins: Vec<SeededCheckIn>,
    petitions: Vec<SeededPetition>,
    users: Vec<DemoUser>,
    office_credential: String,
    pending: u64,
}

impl Story {
    fn say(&self, line: &str) {
        if self.options.verbose {
            println!("{line}");
        }
    }

    fn phone(&self, name: &str, folder: &str) -> Result<Phone, DemoError> {
        let phone = Phone::open(name, &self.dir.join("phones").join(folder))?;
        // These phones record past months with today's clock: their boot clock would
        // say every check-in was made today (and the server would rightly flag it).
        phone
            .store
            .set_boot_clock(std::sync::Arc::new(chibo_core::boot::NoBootClock));
        Ok(phone)
    }

    /// Registers a person on the server and enrols a phone for them with the code.
    fn enrolled_phone(&self, name: &str, folder: &str, role: Role) -> Result<Phone, DemoError> {
        let person = admin::create_person(
            self.storage.as_ref(),
            &self.commune.id,
            &NewPerson {
                full_name: name.to_string(),
                role,
            },
            now(),
        )?;
        let code = admin::issue_code(
            self.storage.as_ref(),
            &self.commune.id,
            &person.id,
            24 * 3_600_000,
            now(),
            &self.url,
        )?;
        let phone = self.phone(name, folder)?;
        phone.enroll(&self.url, &code.qr)?;
        Ok(phone)
    }

    fn play(&self) -> Result<Played, DemoError> {
        let c = &self.commune;
        admin::create_commune(
            self.storage.as_ref(),
            seed::COMMUNE_NAME,
            PROVINCE,
            Some(c.id.clone()),
            now(),
        )?;

        self.say(&format!(
            "Văn phòng Đảng ủy đăng ký {} chi bộ và {} đảng viên…",
            c.cells.len(),
            c.members.len()
        ));
        let office =
            self.enrolled_phone("Văn phòng Đảng ủy xã Xuân Hòa", "office", Role::Office)?;
        self.register_commune(&office.store)?;
        office.sync()?;

        self.say(&format!(
            "Cấp máy cho {} bí thư chi bộ và {} cấp ủy viên…",
            c.cells.len(),
            c.cadres.len()
        ));
        let mut secretaries = Vec::new();
        for (i, cell) in c.cells.iter().enumerate() {
            let name = c
                .secretary(&cell.id)
                .map(|m| m.full_name.clone())
                .unwrap_or_else(|| format!("Bí thư {}", cell.name));
            let phone = self.enrolled_phone(
                &name,
                &format!("bi-thu-{:02}", i + 1),
                Role::Secretary {
                    cell_id: cell.id.clone(),
                },
            )?;
            phone.sync()?;
            secretaries.push(phone);
        }
        let mut cadres = Vec::new();
        for (i, cadre) in c.cadres.iter().enumerate() {
            let phone = self.enrolled_phone(
                &cadre.full_name,
                &format!("cap-uy-{:02}", i + 1),
                Role::Cadre {
                    cadre_id: cadre.id.clone(),
                },
            )?;
            phone.sync()?;
            cadres.push(phone);
        }

        let months = months_up_to(now(), self.options.months_before);
        self.say(&format!(
            "Các chi bộ ghi biên bản sinh hoạt {} tháng, từ tháng {}/{} đến nay (không có sóng), \
             rồi đồng bộ khi có sóng…",
            months.len(),
            months[0].month,
            months[0].year
        ));
        // Each phone works on its own; several at once, as in a real commune.
        let mut meetings: Vec<SeededMeeting> = in_parallel(c.cells.len(), |i| {
            let phone = &secretaries[i];
            let recorded = self.record_cell(i, &c.cells[i], phone, &months)?;
            phone.sync()?;
            Ok(recorded)
        })?
        .into_iter()
        .flatten()
        .collect();
        meetings.sort_by_key(|m| (m.cell_index, m.start));

        self.say("Cấp ủy viên điểm danh tại các buổi sinh hoạt bằng mã trên máy bí thư…");
        let mut check_ins: Vec<SeededCheckIn> = in_parallel(c.cadres.len(), |i| {
            let phone = &cadres[i];
            phone.sync()?;
            let made = self.visit_cells(i, &c.cadres[i], phone, &meetings, &secretaries)?;
            phone.sync()?;
            Ok(made)
        })?
        .into_iter()
        .flatten()
        .collect();

        self.say("Văn phòng Đảng ủy trả lời kiến nghị và gửi hướng dẫn sinh hoạt hằng tháng…");
        office.sync()?;
        let petitions = self.answer_petitions(&office.store, &meetings)?;
        self.send_guidance(&office.store, &months)?;
        office.sync()?;
        let mut pending = office.status()?.pending_changes;
        for phone in secretaries.iter().chain(&cadres) {
            let report = phone.sync()?;
            pending += report.pending_changes + report.pending_photos;
        }
        // The verdicts as the server judged them, now on the cadres' phones.
        for check_in in &mut check_ins {
            let cadre = &c.cadres[check_in.cadre_index];
            if let Some(row) = cadres[check_in.cadre_index]
                .store
                .my_check_ins(cadre.id.clone())?
                .into_iter()
                .find(|row| row.check_in.id == check_in.check_in_id)
            {
                check_in.status = row.verdict.status;
            }
        }

        let users = self.dashboard_users()?;
        Ok(Played {
            office,
            secretaries,
            cadres,
            months,
            meetings,
            check_ins,
            petitions,
            users,
            office_credential: self.office_credential()?,
            pending,
        })
    }

    /// The secretary of cell `i` records every month's meeting on the phone: roll call,
    /// speeches, last month's tasks reviewed, new tasks, the vote, petitions, the score,
    /// photos, the presence code; signed, except this month's latest ones.
    fn record_cell(
        &self,
        i: usize,
        cell: &Cell,
        phone: &Phone,
        months: &[Month],
    ) -> Result<Vec<SeededMeeting>, DemoError> {
        let c = &self.commune;
        let roster: Vec<Member> = c.roster(&cell.id).into_iter().cloned().collect();
        let visiting = c
            .cadres_of(&cell.id)
            .first()
            .map(|cadre| (cadre.full_name.as_str(), cadre.title.as_str()));
        let mut photos = Vec::new();
        for k in 0..self.options.photos_per_meeting.min(self.photos.len()) {
            // The same pictures every month: processed once, stored once by hash.
            photos.push(self.take_photo(&phone.store, i * 2 + k)?);
        }
        let mut recorded = Vec::new();
        for month in months {
            let start = if self.options.every_month && month.ago > 0 {
                meeting_start(i, cell.kind, month, now()).or_else(|| {
                    let d = month.first_day().with_day(24)?;
                    Some(from_local(d.and_hms_opt(19, 30, 0)?))
                })
            } else {
                meeting_start(i, cell.kind, month, now())
            };
            let Some(start) = start else { continue };
            let plan = MonthPlan {
                cell,
                roster: &roster,
                start,
                variant: i,
                visiting_cadre: visiting,
            };
            let meeting_id =
                record_meeting_with(&phone.store, &plan, &details(i, &roster, month), &[])?;
            for photo in &photos {
                phone
                    .store
                    .attach_meeting_photo(meeting_id.clone(), photo.clone())?;
            }
            // The presence code the secretary shows; its secret syncs to the server only.
            phone.store.presence_code(meeting_id.clone())?;
            // This month, one cell in two has not signed its minutes yet.
            let signed = month.ago > 0 || i.is_multiple_of(2);
            if signed {
                phone.store.sign_meeting(meeting_id.clone())?;
            }
            recorded.push(SeededMeeting {
                cell_index: i,
                meeting_id,
                month: *month,
                start,
                signed,
                photos: photos.len(),
            });
        }
        Ok(recorded)
    }

    /// Cadre `i` checks in at the meetings of the cells they follow, with the code on
    /// the secretary's screen, a photo of the meeting and the phone's position; most
    /// visits are made, a few missed, a few checked in from too far away. Then the
    /// cadre scores the meeting too.
    fn visit_cells(
        &self,
        i: usize,
        cadre: &Cadre,
        phone: &Phone,
        meetings: &[SeededMeeting],
        secretaries: &[Phone],
    ) -> Result<Vec<SeededCheckIn>, DemoError> {
        let c = &self.commune;
        let mut made = Vec::new();
        for assignment in c.assignments.iter().filter(|a| a.cadre_id == cadre.id) {
            let cell_index = c
                .cells
                .iter()
                .position(|cell| cell.id == assignment.cell_id)
                .expect("assigned cell is seeded");
            let cell = &c.cells[cell_index];
            let place = cell.meeting_place.as_ref().expect("seeded place");
            for (n, meeting) in meetings
                .iter()
                .filter(|m| m.cell_index == cell_index)
                .enumerate()
            {
                let Some(far_away) = visit(i, cell_index, &meeting.month) else {
                    continue;
                };
                let at = meeting.start + 45 * 60_000 + i as i64 * 60_000;
                let code = presence_code_at(&secretaries[cell_index], &meeting.meeting_id, at)?;
                // Each check-in has its own photo: a reused one is flagged for review.
                let snapshot =
                    draw_snapshot(&self.dir.join("camera"), (i * 1000 + n) as u32, 320, 240)?;
                let photo = self.process(&phone.store, &snapshot)?;
                let _ = std::fs::remove_file(&snapshot);
                let offset = if far_away { 0.01 } else { 0.0002 };
                let row = phone.store.check_in(
                    CheckInRequest {
                        meeting_id: meeting.meeting_id.clone(),
                        cell_id: cell.id.clone(),
                        cadre_id: cadre.id.clone(),
                        photo: Some(photo),
                        gps: Some(GpsFix {
                            latitude: place.latitude + offset,
                            longitude: place.longitude - 0.0001,
                            accuracy_m: 12.0,
                            fix_time: at - 20_000,
                            mock_location: false,
                        }),
                        device_wall_time: at,
                        monotonic_ms: 3_600_000 + n as i64,
                        server_offset_ms: Some(0),
                        presence_code: code,
                    },
                    phone.keystore(),
                )?;
                let dip = (mix(i as u64, n as u64, 7) % 4) as u8;
                phone.store.record_observation(Observation {
                    id: new_id(),
                    meeting_id: meeting.meeting_id.clone(),
                    cadre_id: cadre.id.clone(),
                    judged: judged(dip + 1),
                    guidance_given: "Đề nghị chi bộ bám sát nghị quyết của Đảng ủy xã, phân \
                                     công nhiệm vụ cụ thể cho từng đảng viên."
                        .to_string(),
                    lessons_exchanged: "Chi bộ chuẩn bị nội dung chu đáo, đảng viên phát biểu \
                                        sôi nổi."
                        .to_string(),
                    recorded_at: at + 90 * 60_000,
                })?;
                made.push(SeededCheckIn {
                    cadre_index: i,
                    cell_index,
                    meeting_id: meeting.meeting_id.clone(),
                    check_in_id: row.check_in.id,
                    month: meeting.month,
                    far_away,
                    status: row.verdict.status,
                });
            }
        }
        Ok(made)
    }

    fn register_commune(&self, office: &ChiboStore) -> Result<(), DemoError> {
        let c = &self.commune;
        for cell in &c.cells {
            let roster = c.roster(&cell.id).into_iter().cloned().collect();
            office.import_roster(cell.clone(), roster)?;
        }
        for team in &c.teams {
            office.save_working_team(team.clone())?;
        }
        for cadre in &c.cadres {
            office.save_cadre(cadre.clone())?;
        }
        for assignment in &c.assignments {
            office.assign(assignment.clone())?;
        }
        office.set_visit_requirement(c.id.clone(), c.requirement)?;
        Ok(())
    }

    /// The office works through the petitions: older ones answered, resolved, forwarded
    /// or declined; last month's half answered; this month's still waiting.
    fn answer_petitions(
        &self,
        office: &ChiboStore,
        meetings: &[SeededMeeting],
    ) -> Result<Vec<SeededPetition>, DemoError> {
        let mut seeded = Vec::new();
        for (i, cell) in self.commune.cells.iter().enumerate() {
            let mut petitions = office.petitions_of_cell(cell.id.clone())?;
            petitions.sort_by(|a, b| {
                (&a.petition.meeting_id, &a.petition.content)
                    .cmp(&(&b.petition.meeting_id, &b.petition.content))
            });
            for thread in petitions {
                let p = &thread.petition;
                let Some(meeting) = meetings
                    .iter()
                    .find(|m| Some(&m.meeting_id) == p.meeting_id.as_ref())
                else {
                    continue;
                };
                let mut status = p.status;
                for step in petition_outcome(meeting.month.ago, seeded.len()) {
                    office.respond_to_petition(
                        p.id.clone(),
                        step,
                        response_text(step, p.category),
                        "Văn phòng Đảng ủy xã".to_string(),
                    )?;
                    status = step;
                }
                seeded.push(SeededPetition {
                    cell_index: i,
                    petition_id: p.id.clone(),
                    meeting_id: meeting.meeting_id.clone(),
                    month: meeting.month,
                    category: p.category,
                    status,
                });
            }
        }
        Ok(seeded)
    }

    /// The month's guidance for every month, and the quarter's thematic topic.
    fn send_guidance(&self, office: &ChiboStore, months: &[Month]) -> Result<(), DemoError> {
        const TOPICS: [&str; 4] = [
            "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về đoàn kết",
            "Phát triển kinh tế đồi rừng gắn với bảo vệ rừng đầu nguồn",
            "Xây dựng nông thôn mới, giữ gìn bản sắc văn hóa các dân tộc",
            "Nâng cao chất lượng sinh hoạt chi bộ theo Hướng dẫn 42",
        ];
        for month in months {
            office.publish_guidance(
                self.commune.id.clone(),
                GuidanceKind::MonthlyGuidance,
                format!(
                    "Hướng dẫn sinh hoạt chi bộ tháng {}/{}",
                    month.month, month.year
                ),
                "Các chi bộ tập trung kiểm điểm việc thực hiện nghị quyết tháng trước, công tác \
                 sản xuất, phòng chống cháy rừng, rà soát hộ nghèo và giữ gìn an ninh trật tự."
                    .to_string(),
                month.key(),
                Vec::new(),
            )?;
            if month.month % 3 == 1 {
                let quarter = (month.month - 1) / 3 + 1;
                office.publish_guidance(
                    self.commune.id.clone(),
                    GuidanceKind::ThematicTopic,
                    format!("Chuyên đề quý {quarter}/{}", month.year),
                    TOPICS[(quarter as usize - 1) % TOPICS.len()].to_string(),
                    format!("{}-Q{quarter}", month.year),
                    Vec::new(),
                )?;
            }
        }
        Ok(())
    }

    /// The commune's first dashboard admin and a viewer, with fresh passwords.
    fn dashboard_users(&self) -> Result<Vec<DemoUser>, DemoError> {
        let mut users = Vec::new();
        for (username, display_name, admin) in [
            ("vanphong", "Văn phòng Đảng ủy xã Xuân Hòa", true),
            ("xem", "Cán bộ theo dõi (chỉ xem)", false),
        ] {
            let password = random_password()?;
            create_dashboard_user(
                self.storage.as_ref(),
                &self.commune.id,
                username,
                display_name,
                &password,
                admin,
            )?;
            users.push(DemoUser {
                username: username.to_string(),
                password,
                display_name: display_name.to_string(),
                admin,
            });
        }
        Ok(users)
    }

    /// Processes the next camera photo on `phone` as the app does after a capture.
    fn take_photo(&self, phone: &ChiboStore, n: usize) -> Result<PhotoRef, DemoError> {
        self.process(phone, &self.photos[n % self.photos.len()])
    }

    fn process(&self, phone: &ChiboStore, source: &Path) -> Result<PhotoRef, DemoError> {
        let info = phone.process_photo(source.to_string_lossy().into_owned(), false)?;
        Ok(chibo_core::ffi::photo_ref(info))
    }

    /// A credential for a person to read the JSON endpoints, enrolled like any device.
    fn office_credential(&self) -> Result<String, DemoError> {
        let person = admin::create_person(
            self.storage.as_ref(),
            &self.commune.id,
            &NewPerson {
                full_name: "Chuyên viên Văn phòng Đảng ủy".to_string(),
                role: Role::Office,
            },
            now(),
        )?;
        let code = admin::issue_code(
            self.storage.as_ref(),
            &self.commune.id,
            &person.id,
            3_600_000,
            now(),
            &self.url,
        )?;
        let key = FileKeystore::open(
            self.dir
                .join("office-reader.key")
                .to_string_lossy()
                .into_owned(),
        )
        .map_err(|e| DemoError::Setup(e.to_string()))?;
        let enrolled = admin::enroll(
            self.storage.as_ref(),
            &EnrollRequest {
                protocol: PROTOCOL_VERSION,
                code: code.code,
                public_key_hex: key.public_key_hex(),
                device_label: "Trình duyệt của Văn phòng".to_string(),
                key_protection: None,
            },
            now(),
        )?;
        Ok(enrolled.credential)
    }
}

/// Runs `work(0..n)` on a few threads; results in index order, the first error wins.
fn in_parallel<T: Send>(
    n: usize,
    work: impl Fn(usize) -> Result<T, DemoError> + Sync,
) -> Result<Vec<T>, DemoError> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map(|p| p.get() * 2)
        .unwrap_or(4)
        .clamp(2, 8);
    let mut results: Vec<(usize, Result<T, DemoError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= n {
                            return done;
                        }
                        done.push((i, work(i)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a seeding thread panicked"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// 16 characters from an alphabet without look-alikes, from the OS's random source.
fn random_password() -> Result<String, DemoError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| DemoError::Setup(e.to_string()))?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

/// Creates a dashboard account through the server's own user module.
fn create_dashboard_user(
    storage: &dyn chibo_server::Storage,
    commune_id: &str,
    username: &str,
    display_name: &str,
    password: &str,
    admin: bool,
) -> Result<(), DemoError> {
    users::create_user(
        storage,
        NewUser {
            username: username.to_string(),
            display_name: display_name.to_string(),
            password: password.to_string(),
            role: if admin {
                DashboardRole::CommuneAdmin
            } else {
                DashboardRole::CommuneViewer
            },
            commune_id: Some(commune_id.to_string()),
            province_id: None,
        },
        now(),
    )
    .map_err(|e| DemoError::Setup(format!("không tạo được tài khoản {username}: {e}")))?;
    Ok(())
}

/// The code the secretary's screen showed at `at`: the same rotating code the phone's
/// presence screen computes, read back for a moment in the past.
fn presence_code_at(
    secretary: &Phone,
    meeting_id: &str,
    at: EpochMillis,
) -> Result<String, DemoError> {
    // A second, read-only look at the secretary's store: the app itself only ever shows
    // the current code, but the demo replays last month's meeting.
    let store_keys =
        chibo_core::keystore::FileKeystore::open_at(&secretary.dir.join("so-chi-bo.db.keystore"))
            .map_err(|e| DemoError::Setup(e.to_string()))?;
    let store =
        chibo_core::store::Store::open_encrypted(&secretary.dir.join("so-chi-bo.db"), &store_keys)
            .map_err(|e| DemoError::Setup(e.to_string()))?;
    let secret = store
        .presence_secret(meeting_id)
        .map_err(|e| DemoError::Setup(e.to_string()))?
        .ok_or_else(|| DemoError::Setup("chưa có mã bí mật của buổi họp".to_string()))?;
    Ok(chibo_domain::checkin::presence_code(&secret, meeting_id, at).code)
}

/// The camera roll: the shared phone photos next to the repository when present, or
/// photos drawn here (a fresh clone without the fixtures still gets a full demo).
fn demo_photos(camera: &Path) -> Result<Vec<PathBuf>, DemoError> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/photos");
    let mut found = Vec::new();
    for folder in ["phone", "orientation"] {
        if let Ok(entries) = std::fs::read_dir(fixtures.join(folder)) {
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
                .collect();
            files.sort();
            found.extend(files);
        }
    }
    if !found.is_empty() {
        return Ok(found);
    }
    std::fs::create_dir_all(camera).map_err(setup("không tạo được thư mục ảnh"))?;
    (0..6).map(|n| draw_photo(camera, n)).collect()
}

/// A 1280×960 PNG of hills under a sky, shaded differently for each `n`.
fn draw_photo(camera: &Path, n: u32) -> Result<PathBuf, DemoError> {
    draw_snapshot(camera, n, 1280, 960)
}

/// A `w`×`h` PNG of hills under a sky, different for each `n`.
fn draw_snapshot(camera: &Path, n: u32, w: u32, h: u32) -> Result<PathBuf, DemoError> {
    std::fs::create_dir_all(camera).map_err(setup("không tạo được thư mục ảnh"))?;
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let ridge = h as f64 / 2.0
                + h as f64 / 10.0 * ((x as f64 * 1280.0 / w as f64 / 150.0 + n as f64).sin());
            let shade = (n % 16) as u8;
            let (r, g, b) = if (y as f64) < ridge {
                (120 + ((y / 12) % 60) as u8, 170, 230 - shade * 5)
            } else {
                (40 + ((x / 40) % 30) as u8, 110 + shade * 6, 50)
            };
            pixels.extend_from_slice(&[r, g, b]);
        }
    }
    let path = camera.join(format!("IMG_{:04}_{w}.png", n + 1));
    let file = std::fs::File::create(&path).map_err(setup("không ghi được ảnh"))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .map_err(|e| DemoError::Setup(e.to_string()))?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| DemoError::Setup(e.to_string()))?;
    Ok(path)
}

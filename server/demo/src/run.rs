//! The demo's story: start the server, register Xuân Hòa through the office's device,
//! enrol a phone per secretary and per cadre, record last month's meetings (the 24th)
//! with photos, check the cadres in with the secretaries' presence codes, answer some
//! petitions and send the month's guidance, sync everything, then keep serving.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chibo_core::ffi::{ChiboError, ChiboStore};
use chibo_core::keystore::FileKeystore;
use chibo_core::visits::{CheckInRequest, PhotoRef};
use chibo_domain::checkin::GpsFix;
use chibo_domain::sync::{EnrollRequest, Role, PROTOCOL_VERSION};
use chibo_domain::time::{from_local, local_date, local_datetime};
use chibo_domain::*;
use chibo_server::admin::{self, NewPerson};
use chibo_server::{Config, Server};
use chrono::{Datelike, Months, NaiveDate};

use crate::meetings::{record_meeting, MonthPlan};
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

/// Runs the demo and serves until Ctrl-C.
pub fn run(options: DemoOptions) -> Result<(), DemoError> {
    prepare_data_dir(&options.data_dir)?;
    let runtime = tokio::runtime::Runtime::new().map_err(setup("không khởi động được tokio"))?;
    let config = Config {
        listen: options.listen,
        data_dir: options.data_dir.join("server"),
        ..Config::default()
    };
    let server = runtime.block_on(Server::new(config).start())?;
    let url = server.base_url();
    println!(
        "Máy chủ xã đang chạy tại {url} (SQLite trong {})",
        options.data_dir.join("server").display()
    );

    let story = Story::new(&url, server.state().storage.clone(), &options.data_dir)?;
    let figures = story.play()?;
    figures.print(&url);

    println!("\nNhấn Ctrl-C để dừng máy chủ.");
    runtime.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    runtime.block_on(server.stop())?;
    Ok(())
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

struct Story {
    url: String,
    storage: Arc<dyn chibo_server::Storage>,
    dir: PathBuf,
    commune: Commune,
    photos: Vec<PathBuf>,
}

/// What the demo did, to print at the end.
pub struct Figures {
    pub commune_id: Id,
    pub cells: usize,
    pub members: usize,
    pub cadres: usize,
    pub teams: usize,
    pub meetings_signed: usize,
    pub photos: usize,
    pub check_ins: usize,
    pub petitions: usize,
    pub petitions_answered: usize,
    pub office_credential: String,
    pub pending_everywhere: u64,
}

impl Figures {
    fn print(&self, url: &str) {
        println!("\nĐảng bộ xã {} đã đồng bộ:", seed::COMMUNE_NAME);
        println!("  {} chi bộ, {} đảng viên", self.cells, self.members);
        println!(
            "  {} cấp ủy viên trong {} tổ công tác, phụ trách các chi bộ thôn, bản",
            self.cadres, self.teams
        );
        println!(
            "  {} biên bản sinh hoạt tháng trước đã ký, {} ảnh",
            self.meetings_signed, self.photos
        );
        println!("  {} lượt điểm danh của cấp ủy viên", self.check_ins);
        println!(
            "  {} kiến nghị, {} đã được Văn phòng Đảng ủy trả lời",
            self.petitions, self.petitions_answered
        );
        println!(
            "  thay đổi còn chờ đồng bộ trên mọi điện thoại: {}",
            self.pending_everywhere
        );
        let c = &self.commune_id;
        let auth = format!("-H 'Authorization: Bearer {}'", self.office_credential);
        println!("\nXem dữ liệu (khóa của Văn phòng Đảng ủy, chỉ dùng cho bản trình diễn):");
        for path in ["summary", "cells", "meetings", "check-ins", "petitions"] {
            println!("  curl --compressed {auth} {url}/api/v1/communes/{c}/{path}");
        }
        println!("  Mô tả API (OpenAPI): {url}/api/v1/openapi.json");
    }
}

impl Story {
    fn new(
        url: &str,
        storage: Arc<dyn chibo_server::Storage>,
        dir: &Path,
    ) -> Result<Story, DemoError> {
        Ok(Story {
            url: url.to_string(),
            storage,
            dir: dir.to_path_buf(),
            commune: seed::xuan_hoa(local_date(now())),
            photos: demo_photos(&dir.join("camera"))?,
        })
    }

    fn phone(&self, name: &str, folder: &str) -> Result<Phone, DemoError> {
        Ok(Phone::open(name, &self.dir.join("phones").join(folder))?)
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
        )?;
        let phone = self.phone(name, folder)?;
        phone.enroll(&self.url, &code.qr)?;
        Ok(phone)
    }

    fn play(&self) -> Result<Figures, DemoError> {
        let c = &self.commune;
        admin::create_commune(
            self.storage.as_ref(),
            seed::COMMUNE_NAME,
            PROVINCE,
            Some(c.id.clone()),
            now(),
        )?;

        println!(
            "Văn phòng Đảng ủy đăng ký {} chi bộ và {} đảng viên…",
            c.cells.len(),
            c.members.len()
        );
        let office =
            self.enrolled_phone("Văn phòng Đảng ủy xã Xuân Hòa", "office", Role::Office)?;
        self.register_commune(&office.store)?;
        office.sync()?;

        println!(
            "Cấp máy cho {} bí thư chi bộ và {} cấp ủy viên…",
            c.cells.len(),
            c.cadres.len()
        );
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

        println!("Các chi bộ ghi biên bản sinh hoạt ngày 24 tháng trước (không có sóng)…");
        let start = last_months_meeting_start(now());
        let mut meeting_ids = Vec::new();
        let mut photos = 0;
        for (i, (cell, phone)) in c.cells.iter().zip(&secretaries).enumerate() {
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
            // Two photos of each meeting: the hall and the members voting.
            for k in 0..2 {
                let photo = self.take_photo(&phone.store, i * 2 + k)?;
                phone
                    .store
                    .attach_meeting_photo(meeting_id.clone(), photo)?;
                photos += 1;
            }
            // The presence code the secretary shows; its secret syncs to the server only.
            phone.store.presence_code(meeting_id.clone())?;
            meeting_ids.push(meeting_id);
        }

        println!("Cấp ủy viên điểm danh tại buổi sinh hoạt bằng mã trên máy bí thư…");
        let mut check_ins = 0;
        for phone in &secretaries {
            phone.sync()?;
        }
        for (i, (cadre, phone)) in c.cadres.iter().zip(&cadres).enumerate() {
            phone.sync()?;
            let Some(assignment) = c.assignments.iter().find(|a| a.cadre_id == cadre.id) else {
                continue;
            };
            let cell_index = c
                .cells
                .iter()
                .position(|cell| cell.id == assignment.cell_id)
                .expect("assigned cell is seeded");
            let cell = &c.cells[cell_index];
            let meeting_id = &meeting_ids[cell_index];
            let at = start + 45 * 60_000 + i as i64 * 60_000;
            let code = presence_code_at(&secretaries[cell_index], meeting_id, at)?;
            // Each check-in has its own photo: a reused one is flagged for review.
            let snapshot = draw_photo(&self.dir.join("camera"), 100 + i as u32)?;
            let photo = self.process(&phone.store, &snapshot)?;
            let place = cell.meeting_place.as_ref().expect("seeded place");
            phone.store.check_in(
                CheckInRequest {
                    meeting_id: meeting_id.clone(),
                    cell_id: cell.id.clone(),
                    cadre_id: cadre.id.clone(),
                    photo: Some(photo),
                    gps: Some(GpsFix {
                        latitude: place.latitude + 0.0002,
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
            check_ins += 1;
        }

        println!("Bí thư ký biên bản và đồng bộ khi có sóng…");
        for (phone, meeting_id) in secretaries.iter().zip(&meeting_ids) {
            phone.store.sign_meeting(meeting_id.clone())?;
            phone.sync()?;
        }

        println!("Văn phòng Đảng ủy trả lời kiến nghị và gửi hướng dẫn sinh hoạt tháng…");
        office.sync()?;
        let answered = self.answer_petitions(&office.store)?;
        self.send_guidance(&office.store)?;
        office.sync()?;
        let mut pending = office.status()?.pending_changes;
        for phone in secretaries.iter().chain(&cadres) {
            let report = phone.sync()?;
            pending += report.pending_changes + report.pending_photos;
        }

        Ok(Figures {
            commune_id: c.id.clone(),
            cells: c.cells.len(),
            members: c.members.len(),
            cadres: c.cadres.len(),
            teams: c.teams.len(),
            meetings_signed: meeting_ids.len(),
            photos: photos + check_ins,
            check_ins,
            petitions: meeting_ids.len(),
            petitions_answered: answered,
            office_credential: self.office_credential()?,
            pending_everywhere: pending,
        })
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

    /// Answers every other petition, as the office does the week after the meetings.
    fn answer_petitions(&self, office: &ChiboStore) -> Result<usize, DemoError> {
        let mut answered = 0;
        for (i, cell) in self.commune.cells.iter().enumerate() {
            for petition in office.petitions_of_cell(cell.id.clone())? {
                if i % 2 == 0 {
                    office.respond_to_petition(
                        petition.petition.id.clone(),
                        PetitionStatus::Answered,
                        "Ủy ban nhân dân xã đã ghi kế hoạch hỗ trợ trong quý I; cán bộ địa chính \
                         sẽ xuống làm việc với bản."
                            .to_string(),
                        "Văn phòng Đảng ủy xã".to_string(),
                    )?;
                    answered += 1;
                }
            }
        }
        Ok(answered)
    }

    fn send_guidance(&self, office: &ChiboStore) -> Result<(), DemoError> {
        let today = local_datetime(now()).date();
        office.publish_guidance(
            self.commune.id.clone(),
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
        Ok(())
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
            },
            now(),
        )?;
        Ok(enrolled.credential)
    }
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
    let store = chibo_core::store::Store::open(&secretary.dir.join("so-chi-bo.db"))
        .map_err(|e| DemoError::Setup(e.to_string()))?;
    let secret = store
        .presence_secret(meeting_id)
        .map_err(|e| DemoError::Setup(e.to_string()))?
        .ok_or_else(|| DemoError::Setup("chưa có mã bí mật của buổi họp".to_string()))?;
    Ok(chibo_domain::checkin::presence_code(&secret, meeting_id, at).code)
}

/// 19:30 on the 24th of last month, Vietnam time: the commune's fixed meeting day.
fn last_months_meeting_start(now: EpochMillis) -> EpochMillis {
    let today = local_datetime(now).date();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("first of month");
    let date = (first - Months::new(1))
        .with_day(24)
        .expect("the 24th exists");
    from_local(date.and_hms_opt(19, 30, 0).expect("valid time"))
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
    std::fs::create_dir_all(camera).map_err(setup("không tạo được thư mục ảnh"))?;
    let (w, h) = (1280u32, 960u32);
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let ridge = 480.0 + 100.0 * ((x as f64 / 150.0 + n as f64).sin());
            let shade = (n % 16) as u8;
            let (r, g, b) = if (y as f64) < ridge {
                (120 + ((y / 12) % 60) as u8, 170, 230 - shade * 5)
            } else {
                (40 + ((x / 40) % 30) as u8, 110 + shade * 6, 50)
            };
            pixels.extend_from_slice(&[r, g, b]);
        }
    }
    let path = camera.join(format!("IMG_{:04}.png", n + 1));
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

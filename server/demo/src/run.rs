//! The demo's main job: start the server on a fresh data directory, play a year of
//! Xuân Hòa through real phones ([`crate::story`]), print what was made with the
//! dashboard's accounts and the API's commands, then keep serving.
//!
//! [`seed_with_history`] is the same seeding as a library call, for the browser tests
//! and the dashboard benchmark; [`SeededDemo`] says what to expect of it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chibo_domain::rules::{MeetingAssessment, QualityGrade};
use chibo_domain::time::local_date;
use chibo_domain::*;
use chibo_server::{Config, RunningServer, Server};

use crate::history::Month;
use crate::phone::Phone;
use crate::seed::{self, Commune};
use crate::story::{
    demo_photos, now, setup, DemoError, DemoUser, SeedOptions, SeededCheckIn, SeededMeeting,
    SeededPetition, Story,
};

/// A file in the data directory that says the demo made it, so a rerun may clear it.
const MARKER: &str = ".chibo-demo";
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

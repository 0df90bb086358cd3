//! `chibo`: the command-line client, on the same public API the apps use.

mod demo;
#[macro_use]
mod out;

use std::process::ExitCode;
use std::sync::Arc;

use std::path::Path;

use chibo_core::ffi::{ChiboError, ChiboStore};
use chibo_core::keystore::FileKeystore;
use chibo_core::visits::CheckInRequest;
use chibo_domain::labels::{format_date_time, Label};
use chibo_domain::time::local_datetime;
use chibo_domain::{Cell, MeetingRecord, Member};
use serde::Deserialize;

const USAGE: &str = "Cách dùng / usage:
  chibo init <store>                       tạo sổ (create a store)
  chibo import-roster <store> <file.json>  nhập chi bộ và danh sách đảng viên {\"cell\":…,\"members\":[…]}
  chibo record <store> <file.json>         ghi một buổi sinh hoạt đầy đủ (MeetingRecord JSON)
  chibo sign <store> <meeting-id>          ký biên bản
  chibo show <store> <meeting-id>          in biên bản
  chibo export <store> <meeting-id>        in bản ghi dạng JSON
  chibo history <store> <cell-id>          lịch sử sinh hoạt
  chibo home <store> <cell-id>             tóm tắt trang chủ
  chibo presence-code <store> <meeting-id> mã xác nhận hiện tại (màn hình của bí thư)
  chibo check-in <store> <key-file> <request.json>
                                           điểm danh của cấp ủy viên (CheckInRequest JSON), ký bằng khóa trong tệp
  chibo cadre <store> <cadre-id>           chi bộ được phân công và số lần dự sinh hoạt
  chibo photo <input> <out-dir>            xử lý một ảnh (xoay, thu nhỏ, xóa siêu dữ liệu, lưu theo mã băm)
  chibo enroll <store> <key-file> <server-url> <code> [<label>]
                                           đăng ký thiết bị với máy chủ của xã bằng mã (hoặc nội dung QR) do văn phòng cấp
  chibo sync <store>                       đồng bộ ngay: gửi thay đổi, nhận thay đổi, tải ảnh lên
  chibo status <store>                     tình trạng đồng bộ (JSON)
  chibo demo [<store>]                     ghi và in một buổi sinh hoạt mẫu";

/// A roster file: one cell and its members.
#[derive(Deserialize)]
struct RosterFile {
    cell: Cell,
    members: Vec<Member>,
}

enum CliError {
    Usage,
    Input(String),
    Core(ChiboError),
    /// The work was done but not all of it reached the server (exit status 3), or the
    /// server refused some of it (exit status 4); the message says what.
    Incomplete {
        status: u8,
        message: String,
    },
}

impl From<ChiboError> for CliError {
    fn from(error: ChiboError) -> Self {
        CliError::Core(error)
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Usage) => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
        Err(CliError::Input(message)) => {
            eprintln!("Lỗi: {message}");
            ExitCode::from(1)
        }
        Err(CliError::Core(error)) => {
            eprintln!("Lỗi: {error}");
            ExitCode::from(1)
        }
        Err(CliError::Incomplete { status, message }) => {
            eprintln!("{message}");
            ExitCode::from(status)
        }
    }
}

fn run(args: &[String]) -> Result<(), CliError> {
    let arg = |i: usize| args.get(i).cloned().ok_or(CliError::Usage);
    match args.first().map(String::as_str) {
        Some("init") => {
            let store = open(&arg(1)?)?;
            say!("Đã tạo sổ, mã thiết bị {}", store.device_id());
        }
        Some("import-roster") => {
            let store = open(&arg(1)?)?;
            let roster: RosterFile = read_json(&arg(2)?)?;
            let count = roster.members.len();
            let name = roster.cell.name.clone();
            store.import_roster(roster.cell, roster.members)?;
            say!("Đã nhập {name}: {count} đảng viên");
        }
        Some("record") => {
            let store = open(&arg(1)?)?;
            let record: MeetingRecord = read_json(&arg(2)?)?;
            let meeting = store.record_meeting(record)?;
            say!("Đã ghi buổi sinh hoạt {}", meeting.id);
            print_warnings(&store, &meeting.id)?;
        }
        Some("sign") => {
            let store = open(&arg(1)?)?;
            let record = store.sign_meeting(arg(2)?)?;
            say!("Đã ký biên bản buổi sinh hoạt {}", record.meeting.id);
        }
        Some("show") => {
            let store = open(&arg(1)?)?;
            say!("{}", store.minutes_text(arg(2)?)?);
        }
        Some("export") => {
            let store = open(&arg(1)?)?;
            let record = store.meeting_record(arg(2)?)?;
            say!(
                "{}",
                serde_json::to_string_pretty(&record).expect("records serialize")
            );
        }
        Some("history") => {
            let store = open(&arg(1)?)?;
            for row in store.meeting_history(arg(2)?)? {
                say!(
                    "{}",
                    serde_json::to_string(&HistoryLine::from(&row)).expect("rows serialize")
                );
            }
        }
        Some("home") => {
            let store = open(&arg(1)?)?;
            say_raw!("{}", demo::home_text(&store.home(arg(2)?)?));
        }
        Some("presence-code") => {
            let store = open(&arg(1)?)?;
            let code = store.presence_code(arg(2)?)?;
            say!("{}", code.code);
            say!("QR: {}", code.qr_payload);
            say!(
                "hiệu lực đến {}",
                local_datetime(code.valid_until).format("%H:%M:%S")
            );
        }
        Some("check-in") => {
            let store = open(&arg(1)?)?;
            let keystore = FileKeystore::open_at(Path::new(&arg(2)?))
                .map_err(|e| CliError::Input(e.to_string()))?;
            let request: CheckInRequest = read_json(&arg(3)?)?;
            let row = store.check_in(request, Arc::new(keystore))?;
            say!("Đã điểm danh {}", row.check_in.id);
            say!("Kết quả: {}", row.verdict.label());
            for reason in &row.verdict.reasons {
                say!("  ⚠ {}", reason.message);
            }
            for reason in &row.verdict.unchecked {
                say!("  … {}", reason.message);
            }
        }
        Some("cadre") => {
            let store = open(&arg(1)?)?;
            let overview = store.cadre_overview(arg(2)?)?;
            let t = &overview.compliance.totals;
            say!(
                "Tháng {}/{}: đã dự {} (đã xác nhận {}, chờ xem xét {}), yêu cầu {}",
                overview.compliance.month,
                overview.compliance.year,
                t.verified_this_month + t.needs_review_this_month,
                t.verified_this_month,
                t.needs_review_this_month,
                t.required_this_month
            );
            say!(
                "Năm {}: đã xác nhận {}, chờ xem xét {}, yêu cầu {}",
                overview.compliance.year,
                t.verified_this_year,
                t.needs_review_this_year,
                t.required_this_year
            );
            for cell in &overview.cells {
                let name = cell
                    .cell
                    .as_ref()
                    .map(|c| c.name.as_str())
                    .unwrap_or(&cell.cell_id);
                say!("  • {name}: {} buổi sắp tới", cell.planned_meetings.len());
            }
        }
        Some("photo") => {
            let photo = chibo_core::ffi::process_photo_file(arg(1)?, arg(2)?)?;
            say!("sha256 {}", photo.sha256);
            say!(
                "kích thước {}×{} (ảnh nhỏ {}×{})",
                photo.width,
                photo.height,
                photo.thumbnail_width,
                photo.thumbnail_height
            );
            say!("dung lượng {} byte", photo.byte_size);
            say!("tệp {}", photo.path);
        }
        Some("enroll") => {
            let store = open(&arg(1)?)?;
            let keystore = FileKeystore::open_at(Path::new(&arg(2)?))
                .map_err(|e| CliError::Input(e.to_string()))?;
            let label = args
                .get(5)
                .cloned()
                .unwrap_or_else(|| "chibo (dòng lệnh)".into());
            let enrolled = store.enroll(arg(3)?, arg(4)?, label, Arc::new(keystore))?;
            say!(
                "Đã đăng ký: {} — {}, {}",
                enrolled.full_name,
                enrolled.role.label(),
                enrolled.commune_name
            );
            say!("Mã thiết bị trên máy chủ: {}", enrolled.device_id);
        }
        Some("sync") => {
            let store = open(&arg(1)?)?;
            let report = store.sync_now()?;
            say!("{}", report.summary);
            sync_outcome(&report)?;
        }
        Some("status") => {
            let store = open(&arg(1)?)?;
            let status = store.sync_status()?;
            say!(
                "{}",
                serde_json::to_string_pretty(&status).expect("the status serialises")
            );
        }
        Some("demo") => {
            let path = match args.get(1) {
                Some(path) => path.clone(),
                None => std::env::temp_dir()
                    .join(format!("chibo-demo-{}.db", std::process::id()))
                    .display()
                    .to_string(),
            };
            let store = open(&path)?;
            demo::run(&store)?;
            say!("\n(Sổ mẫu: {path})");
        }
        _ => return Err(CliError::Usage),
    }
    Ok(())
}

/// The exit status of a sync: 0 when every change and photo reached the server and it
/// took them all, 3 when something is still waiting to be sent, 4 when the server
/// refused something (it is on the "needs attention" list).
fn sync_outcome(report: &chibo_core::sync::SyncReport) -> Result<(), CliError> {
    if report.pending_changes > 0 || report.pending_photos > 0 || !report.complete {
        return Err(CliError::Incomplete {
            status: 3,
            message: format!(
                "Chưa gửi hết: còn {} thay đổi và {} ảnh chờ gửi.",
                report.pending_changes, report.pending_photos
            ),
        });
    }
    if !report.rejected.is_empty() || !report.photos_failed.is_empty() {
        return Err(CliError::Incomplete {
            status: 4,
            message: format!(
                "Máy chủ không nhận {} thay đổi và {} ảnh; xem mục \"Cần xử lý\" (chibo status).",
                report.rejected.len(),
                report.photos_failed.len()
            ),
        });
    }
    Ok(())
}

/// Opens the store at `path`, encrypted. Its database key is wrapped by the file keystore
/// `<path>.keystore` (made with the store), the command line's stand-in for a phone's
/// platform keystore: keep the two together, and apart from copies of the store.
fn open(path: &str) -> Result<Arc<ChiboStore>, CliError> {
    let keystore = FileKeystore::open_at(Path::new(&format!("{path}.keystore")))
        .map_err(|e| CliError::Input(e.to_string()))?;
    Ok(ChiboStore::open(path.to_string(), Arc::new(keystore))?)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &str) -> Result<T, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Input(format!("không đọc được tệp {path}: {e}")))?;
    serde_json::from_str(&text).map_err(|e| {
        CliError::Input(format!(
            "tệp {path} không đúng định dạng (dòng {}, cột {}): {e}",
            e.line(),
            e.column()
        ))
    })
}

fn print_warnings(store: &ChiboStore, meeting_id: &str) -> Result<(), CliError> {
    let assessment = store.assess_meeting(meeting_id.to_string())?;
    for warning in &assessment.warnings {
        say!("  ⚠ {}", warning.message);
    }
    Ok(())
}

/// One line of `chibo history`, for scripts.
#[derive(serde::Serialize)]
struct HistoryLine<'a> {
    meeting_id: &'a str,
    status: chibo_domain::MeetingStatus,
    planned_start: String,
    present: u32,
    expected: u32,
    quality_total: Option<u32>,
    grade: Option<&'static str>,
}

impl<'a> From<&'a chibo_core::store::MeetingSummary> for HistoryLine<'a> {
    fn from(row: &'a chibo_core::store::MeetingSummary) -> Self {
        HistoryLine {
            meeting_id: &row.meeting_id,
            status: row.status,
            planned_start: format_date_time(row.planned_start),
            present: row.present,
            expected: row.expected,
            quality_total: row.quality_total,
            grade: row.grade.map(|g| g.label()),
        }
    }
}

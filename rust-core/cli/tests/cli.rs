//! The `chibo` binary as a script would use it: real files, real SQLite, exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MEETING_ID: &str = "0192f000-0000-7000-8000-000000000100";
const CELL_ID: &str = "0192f000-0000-7000-8000-000000000001";

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn chibo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chibo"))
        .args(args)
        .output()
        .expect("chibo runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn store_with_roster() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("so-chi-bo.db");
    let out = chibo(&[
        "import-roster",
        store.to_str().unwrap(),
        &fixture("roster.json"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("6 đảng viên"));
    (dir, store)
}

fn history_lines(store: &Path) -> Vec<String> {
    let out = chibo(&["history", store.to_str().unwrap(), CELL_ID]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).lines().map(String::from).collect()
}

#[test]
fn records_signs_and_prints_a_meeting_from_files() {
    let (_dir, store) = store_with_roster();
    let store = store.to_str().unwrap();

    let out = chibo(&["record", store, &fixture("meeting.json")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(MEETING_ID));

    let out = chibo(&["sign", store, MEETING_ID]);
    assert!(out.status.success(), "{}", stderr(&out));

    let minutes = stdout(&chibo(&["show", store, MEETING_ID]));
    for expected in [
        "BIÊN BẢN",
        "CHI BỘ BẢN PÁ KHOANG",
        "Lò Thị Xuân",
        "Cầm Văn Inh",
        "Đề nghị sửa cầu treo qua suối Nậm Pàn",
    ] {
        assert!(
            minutes.contains(expected),
            "minutes lack {expected:?}:\n{minutes}"
        );
    }

    let history = history_lines(Path::new(store));
    assert_eq!(history.len(), 1);
    assert!(
        history[0].contains("\"status\":\"signed\""),
        "{}",
        history[0]
    );
    // 4 of 5 expected (the exempt member is not expected; the one working away is).
    assert!(
        history[0].contains("\"present\":4") && history[0].contains("\"expected\":5"),
        "{}",
        history[0]
    );

    let exported: serde_json::Value =
        serde_json::from_str(&stdout(&chibo(&["export", store, MEETING_ID]))).unwrap();
    assert_eq!(exported["speeches"].as_array().unwrap().len(), 3);
    assert_eq!(exported["meeting"]["status"], "signed");
}

#[test]
fn a_signed_meeting_cannot_be_recorded_over() {
    let (_dir, store) = store_with_roster();
    let store = store.to_str().unwrap();
    assert!(chibo(&["record", store, &fixture("meeting.json")])
        .status
        .success());
    assert!(chibo(&["sign", store, MEETING_ID]).status.success());

    let out = chibo(&["record", store, &fixture("meeting.json")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("đã ký"), "{}", stderr(&out));
}

#[test]
fn malformed_json_is_refused_with_its_position_and_nothing_is_written() {
    let (dir, store) = store_with_roster();
    let broken = dir.path().join("broken.json");
    let text = std::fs::read_to_string(fixture("meeting.json")).unwrap();
    std::fs::write(&broken, &text[..text.len() / 2]).unwrap();

    let out = chibo(&["record", store.to_str().unwrap(), broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("không đúng định dạng"),
        "{}",
        stderr(&out)
    );
    assert!(history_lines(&store).is_empty());
}

#[test]
fn a_roll_call_naming_another_cells_member_is_refused_whole() {
    let (_dir, store) = store_with_roster();
    let store_path = store.to_str().unwrap();
    assert!(
        chibo(&["import-roster", store_path, &fixture("other_roster.json")])
            .status
            .success()
    );

    let out = chibo(&[
        "record",
        store_path,
        &fixture("meeting_foreign_member.json"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Lò Văn Mạnh") && stderr(&out).contains("chi bộ khác"),
        "{}",
        stderr(&out)
    );
    assert!(
        history_lines(&store).is_empty(),
        "nothing of the meeting may be stored"
    );
}

#[test]
fn an_unwritable_store_path_is_a_clear_error() {
    let out = chibo(&["init", "/proc/chibo/so-chi-bo.db"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("Lỗi:"), "{}", stderr(&out));
}

#[test]
fn unknown_ids_and_bad_usage_are_told_apart() {
    let (_dir, store) = store_with_roster();
    let out = chibo(&[
        "show",
        store.to_str().unwrap(),
        "0192f000-0000-7000-8000-000000009999",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Không tìm thấy"), "{}", stderr(&out));

    assert_eq!(chibo(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn the_demo_records_and_prints_a_realistic_meeting() {
    let dir = tempfile::tempdir().unwrap();
    let out = chibo(&["demo", dir.path().join("demo.db").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for expected in [
        "BIÊN BẢN",
        "Chi bộ bản Nà Hẩu",
        "Vàng Seo Lử",
        "TRANG CHỦ",
        "Buổi sinh hoạt tới",
    ] {
        assert!(
            text.contains(expected),
            "demo output lacks {expected:?}:\n{text}"
        );
    }
}

fn photo_fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/photos")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn a_phone_photo_is_processed_and_reported_by_hash() {
    let dir = tempfile::tempdir().unwrap();
    let out = chibo(&[
        "photo",
        &photo_fixture("phone/jolla.jpg"),
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let hash = text
        .lines()
        .next()
        .unwrap()
        .strip_prefix("sha256 ")
        .unwrap()
        .to_string();
    assert_eq!(hash.len(), 64);
    // 3264×2448 shrinks to 1600 on the long edge.
    assert!(text.contains("kích thước 1600×1200"), "{text}");
    assert!(dir.path().join(format!("{hash}.jpg")).exists());
    assert!(dir.path().join(format!("{hash}.thumb.jpg")).exists());
}

#[test]
fn a_heic_photo_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = chibo(&[
        "photo",
        &photo_fixture("invalid/iphone.heic"),
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("HEIC"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing stored"
    );
}

#[test]
fn a_check_in_from_the_command_line_is_signed_and_judged() {
    let (dir, store) = store_with_roster();
    let store_path = store.to_str().unwrap();
    assert!(chibo(&["record", store_path, &fixture("meeting.json")])
        .status
        .success());

    let out = chibo(&["presence-code", store_path, MEETING_ID]);
    assert!(out.status.success(), "{}", stderr(&out));
    let code = stdout(&out).lines().next().unwrap().to_string();
    assert_eq!(code.len(), 6);

    // Near the hall, but today's code for September's meeting, by a cadre nobody assigned.
    let request = serde_json::json!({
        "meeting_id": MEETING_ID, "cell_id": CELL_ID, "cadre_id": "0192f000-0000-7000-8000-000000000777",
        "photo": {"sha256": "a".repeat(64), "width": 1600, "height": 1200, "byte_size": 250000},
        "gps": {"latitude": 21.8101, "longitude": 104.2, "accuracy_m": 20.0, "fix_time": 1790254800000_i64, "mock_location": false},
        "device_wall_time": 1790254800000_i64, "monotonic_ms": 1000, "server_offset_ms": null,
        "presence_code": code,
    });
    let request_path = dir.path().join("request.json");
    std::fs::write(&request_path, request.to_string()).unwrap();
    let key = dir.path().join("device.key");

    let out = chibo(&[
        "check-in",
        store_path,
        key.to_str().unwrap(),
        request_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Kết quả: Cần xem xét"), "{text}");
    assert!(text.contains("không được phân công"), "{text}");
    assert!(text.contains("Mã xác nhận"), "{text}");
    assert_eq!(
        std::fs::read(&key).unwrap().len(),
        32,
        "the device key was created once"
    );

    std::fs::write(&request_path, "{\"meeting_id\": 5}").unwrap();
    let out = chibo(&[
        "check-in",
        store_path,
        key.to_str().unwrap(),
        request_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("không đúng định dạng"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_reader_that_goes_away_is_no_crash_and_the_work_is_done() {
    // `chibo demo | head -1`: the reader is gone before the CLI prints (the demo records
    // two meetings first). The CLI used to panic with a backtrace on the first line; now
    // it finishes its work and says nothing more.
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("demo.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_chibo"))
        .args(["demo", store.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("chibo runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.status.success(), "{err}");
    // The meetings were recorded all the same.
    let out = chibo(&["status", store.to_str().unwrap()]);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(status["pending_changes"].as_u64().unwrap() > 20, "{status}");
}

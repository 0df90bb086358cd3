//! `chibo enroll`, `chibo sync` and `chibo status` against a small scripted server on
//! loopback (the engine itself is tested in chibo-core's sync tests).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

use chibo_domain::sync::*;

fn chibo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chibo"))
        .args(args)
        .output()
        .expect("chibo runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn roster() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/roster.json")
        .display()
        .to_string()
}

/// Answers enrolment with a secretary of the fixture's cell, and each sync by applying
/// every pushed change but the second, which it refuses. One request per connection.
fn serve(listener: TcpListener) {
    for stream in listener.incoming() {
        let mut stream = stream.unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let (mut length, mut gzipped) = (0, false);
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end().to_ascii_lowercase();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
            gzipped |= line == "content-encoding: gzip";
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        if gzipped {
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .read_to_end(&mut plain)
                .unwrap();
            body = plain;
        }
        let answer = if request_line.starts_with(&format!("POST {ENROLL_PATH} ")) {
            let request: EnrollRequest = serde_json::from_slice(&body).unwrap();
            assert_eq!(request.code, "AB12CD34");
            serde_json::to_vec(&EnrollResponse {
                device_id: "0190b000-0000-7000-8000-00000000d001".into(),
                credential: "secret".into(),
                person: Person {
                    id: "0190c000-0000-7000-8000-000000000001".into(),
                    commune_id: "0192f000-0000-7000-8000-000000000000".into(),
                    full_name: "Lò Thị Mai".into(),
                    role: Role::Secretary {
                        cell_id: "0192f000-0000-7000-8000-000000000001".into(),
                    },
                },
                commune_name: "Đảng bộ xã Chiềng Sinh".into(),
                server_time: request.protocol as i64,
            })
        } else {
            let request: SyncRequest = serde_json::from_slice(&body).unwrap();
            let acks: Vec<Ack> = request
                .push
                .iter()
                .map(|p| Ack {
                    device_seq: p.device_seq,
                    outcome: if p.device_seq == 2 {
                        AckOutcome::Rejected {
                            code: "validation".into(),
                            reason: "Đảng viên này đã có ở chi bộ khác".into(),
                        }
                    } else {
                        AckOutcome::Applied
                    },
                })
                .collect();
            serde_json::to_vec(&SyncResponse {
                server_time: request.device_clock_at_send,
                last_applied_seq: acks.last().map_or(0, |a| a.device_seq),
                acks,
                clock_warning: None,
                pulled: Vec::new(),
                more: false,
                readable: Vec::new(),
            })
        }
        .unwrap();
        write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            answer.len()
        )
        .unwrap();
        stream.write_all(&answer).unwrap();
    }
}

#[test]
fn a_store_enrols_syncs_and_reports_its_status() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("so.db");
    let store = store.to_str().unwrap();
    let key = dir.path().join("device.key");
    let key = key.to_str().unwrap();
    assert!(chibo(&["import-roster", store, &roster()]).status.success());

    // Not enrolled yet: the status says so, and sync refuses in Vietnamese.
    let status: serde_json::Value =
        serde_json::from_slice(&chibo(&["status", store]).stdout).unwrap();
    assert!(status["enrolled_as"].is_null());
    assert_eq!(status["pending_changes"], 7);
    let out = chibo(&["sync", store]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("chưa đăng ký"),
        "{}",
        text(&out.stderr)
    );
    let out = chibo(&["enroll", store, key, "may-chu-xa", "AB12CD34"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("Địa chỉ máy chủ không hợp lệ"));

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || serve(listener));

    let out = chibo(&["enroll", store, key, &url, "chibo:enroll:ab12-cd34"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout)
            .contains("Đã đăng ký: Lò Thị Mai — Bí thư chi bộ, Đảng bộ xã Chiềng Sinh"),
        "{}",
        text(&out.stdout)
    );

    let out = chibo(&["sync", store]);
    // Everything went, but the server refused one change: exit status 4, and why.
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("Máy chủ không nhận 1 thay đổi"),
        "{}",
        text(&out.stderr)
    );
    let summary = text(&out.stdout);
    assert!(summary.contains("Đã gửi 6 thay đổi"), "{summary}");
    assert!(
        summary.contains("Máy chủ không nhận 1 thay đổi"),
        "{summary}"
    );
    assert!(
        summary.contains("Đảng viên này đã có ở chi bộ khác"),
        "{summary}"
    );

    let status: serde_json::Value =
        serde_json::from_slice(&chibo(&["status", store]).stdout).unwrap();
    assert_eq!(status["pending_changes"], 0);
    assert_eq!(status["enrolled_as"]["full_name"], "Lò Thị Mai");
    assert_eq!(status["enrolled_as"]["role"]["role"], "secretary");
    assert!(status["last_error"].is_null());
    let attention = status["needs_attention"].as_array().unwrap();
    assert_eq!(attention.len(), 1);
    assert_eq!(attention[0]["reason"], "Đảng viên này đã có ở chi bộ khác");
    assert_eq!(attention[0]["kind"], "change");
}

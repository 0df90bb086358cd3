//! Bootstrapping with the server's CLI: a commune and its first office person's code,
//! then a phone enrols with that code against a server on the same database.

mod support;

use std::process::Command;

use chibo_server::accounts::enrolment::{CommuneInfo, IssuedCode};
use chibo_server::{Config, ManualClock, Server};
use support::*;

fn admin(data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chibo-server"))
        .arg("admin")
        .args(args)
        .env("CHIBO_DATA_DIR", data_dir)
        .env_remove("CHIBO_DATABASE_URL")
        .output()
        .expect("run chibo-server")
}

#[tokio::test]
async fn the_cli_creates_a_commune_and_the_first_office_code() {
    let dir = tempfile::tempdir().unwrap();
    let out = admin(
        dir.path(),
        &[
            "create-commune",
            "--name",
            "Đảng bộ xã Xuân Hòa",
            "--province",
            "son-la",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let commune: CommuneInfo = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(commune.name, "Đảng bộ xã Xuân Hòa");

    let out = admin(
        dir.path(),
        &[
            "create-office",
            "--commune",
            &commune.id,
            "--name",
            "Lường Thị Hạnh",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let code: IssuedCode = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(code.person.commune_id, commune.id);

    let out = admin(dir.path(), &["list-communes"]);
    let listed: Vec<CommuneInfo> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0], commune);

    // A bad commune id is an error message and a failing exit, not a panic.
    let out = admin(
        dir.path(),
        &["create-office", "--commune", "khong-co", "--name", "Ai đó"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Không có xã"));

    // The office's phone enrols with the printed QR content on a server over that data.
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let running = Server::new(config)
        .with_clock(std::sync::Arc::new(ManualClock::new(code.expires_at - 1)))
        .start()
        .await
        .unwrap();
    let reply = reqwest::Client::new()
        .post(format!(
            "{}{}",
            running.base_url(),
            chibo_domain::sync::ENROLL_PATH
        ))
        .json(&chibo_domain::sync::EnrollRequest {
            protocol: chibo_domain::sync::PROTOCOL_VERSION,
            code: code.qr.clone(),
            public_key_hex: chibo_domain::checkin::public_key_hex(&new_key()),
            device_label: "Máy văn phòng".into(),
            key_protection: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), reqwest::StatusCode::CREATED);
    let enrolled: chibo_domain::sync::EnrollResponse = reply.json().await.unwrap();
    assert_eq!(enrolled.person.role, chibo_domain::sync::Role::Office);
    assert_eq!(enrolled.commune_name, "Đảng bộ xã Xuân Hòa");
    running.stop().await.unwrap();
}

#[test]
fn the_cli_creates_a_province_admin() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chibo-server"))
        .arg("admin")
        .args([
            "create-user",
            "--username",
            "quantri-tinh",
            "--display-name",
            "Đồng chí Quản trị tỉnh",
            "--role",
            "province_admin",
            "--province",
            "son-la",
        ])
        .env("CHIBO_DATA_DIR", dir.path())
        .env("CHIBO_NEW_PASSWORD", "mat-khau-dung-1")
        .env_remove("CHIBO_DATABASE_URL")
        .output()
        .expect("run chibo-server");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let user: chibo_server::accounts::users::UserInfo =
        serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(user.role, "province_admin");
    assert_eq!(user.province_id.as_deref(), Some("son-la"));
    assert_eq!(user.commune_id, None);
}

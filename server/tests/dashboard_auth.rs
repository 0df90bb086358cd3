//! Dashboard sign-in and roles, through real HTTP with a browser-like cookie jar: signing
//! in and out, the failure rate limit, CSRF on every form, safe redirects, session expiry,
//! and who may read or act for which commune. Plus the storage the dashboard pages need
//! (pull cursors, the document time window) and the `admin create-user` command.

mod support;

use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use chibo_server::accounts::enrolment;
use chibo_server::accounts::sessions::{FAILURE_WINDOW_MS, IDLE_TIMEOUT_MS};
use chibo_server::accounts::users::DashboardRole;
use chibo_server::accounts::users::{self, NewUser, UserInfo};
use chibo_server::storage::{self, DocFilter, DocRow};
use chibo_server::web::dashboard::session::{CommuneScope, CommuneWriter, CsrfForm};
use chibo_server::AppState;
use support::*;

const PASSWORD: &str = "mat-khau-dung-1";

struct Site {
    srv: TestServer,
    /// Serves the real routes plus probe routes that use the public extractors, the
    /// way every dashboard page does.
    base: String,
    xuan_hoa: String,
    muong_chanh: String,
    /// In another province.
    far: String,
}

impl Site {
    async fn new() -> Site {
        let srv = TestServer::start().await;
        let storage = &*srv.storage;
        let now = srv.now();
        let xuan_hoa =
            enrolment::create_commune(storage, "Đảng bộ xã Xuân Hòa", "son-la", None, now)
                .unwrap()
                .id;
        let muong_chanh =
            enrolment::create_commune(storage, "Đảng bộ xã Mường Chanh", "son-la", None, now)
                .unwrap()
                .id;
        let far = enrolment::create_commune(storage, "Đảng bộ xã Hải Xuân", "nam-dinh", None, now)
            .unwrap()
            .id;
        for (username, role, commune, province) in [
            ("hanh", DashboardRole::CommuneAdmin, Some(&xuan_hoa), None),
            ("lan", DashboardRole::CommuneViewer, Some(&xuan_hoa), None),
            ("tinh", DashboardRole::ProvinceViewer, None, Some("son-la")),
        ] {
            create(&srv, username, role, commune.cloned(), province);
        }
        let base = serve_with_probes(srv.running.state().clone()).await;
        Site {
            srv,
            base,
            xuan_hoa,
            muong_chanh,
            far,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn browser(&self) -> Browser {
        let jar = Arc::new(Jar::default());
        Browser {
            http: reqwest::Client::builder()
                .cookie_provider(jar.clone())
                .redirect(Policy::none())
                .build()
                .unwrap(),
            jar,
            base: self.base.clone(),
        }
    }

    /// The CSRF token of the browser's session, as stored with it.
    fn session_csrf(&self, browser: &Browser) -> String {
        let token = browser.cookie("chibo_session").expect("a session cookie");
        let hash = hex::encode(Sha256::digest(token.as_bytes()));
        storage::read(&*self.srv.storage, |tx| tx.web_session(&hash))
            .unwrap()
            .expect("the session is stored by its hash")
            .csrf_token
    }
}

fn create(
    srv: &TestServer,
    username: &str,
    role: DashboardRole,
    commune_id: Option<String>,
    province_id: Option<&str>,
) -> UserInfo {
    users::create_user(
        &*srv.storage,
        NewUser {
            username: username.into(),
            display_name: format!("Đồng chí {username}"),
            password: PASSWORD.into(),
            role,
            commune_id,
            province_id: province_id.map(str::to_string),
        },
        srv.now(),
    )
    .unwrap()
}

/// The real dashboard and API, plus `/probe/…` pages built on the public extractors.
async fn serve_with_probes(state: AppState) -> String {
    async fn read(scope: CommuneScope) -> String {
        format!("đọc {}", scope.commune.name)
    }
    async fn act(
        CommuneWriter(scope): CommuneWriter,
        CsrfForm(_): CsrfForm<std::collections::HashMap<String, String>>,
    ) -> String {
        format!("ghi {}", scope.commune.name)
    }
    let probes = Router::new()
        .route("/probe/communes/{commune_id}", get(read).post(act))
        .with_state(state.clone());
    let app = probes.merge(chibo_server::web::router(state).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    format!("http://{addr}")
}

struct Browser {
    http: reqwest::Client,
    jar: Arc<Jar>,
    base: String,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Browser {
    fn cookie(&self, name: &str) -> Option<String> {
        let url = format!("{}/", self.base).parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then(|| value.to_string())
        })
    }

    async fn page(response: reqwest::Response) -> Page {
        Page {
            status: response.status(),
            location: response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string()),
            body: response.text().await.unwrap(),
        }
    }

    async fn get(&self, path: &str) -> Page {
        Browser::page(
            self.http
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        Browser::page(
            self.http
                .post(format!("{}{path}", self.base))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Opens the sign-in form (`next` as a redirect would give it) and posts it.
    async fn sign_in_next(&self, username: &str, password: &str, next: &str) -> Page {
        let form = self.get(&format!("/login?next={}", urlencode(next))).await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = hidden(&form.body, "csrf");
        let next = hidden(&form.body, "next");
        self.post(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", &next),
                ("csrf", &csrf),
            ],
        )
        .await
    }

    async fn sign_in(&self, username: &str, password: &str) -> Page {
        self.sign_in_next(username, password, "/").await
    }
}

fn urlencode(text: &str) -> String {
    chibo_server::web::dashboard::layout::urlencode(text)
}

/// The value of the hidden input `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end]
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
}

#[tokio::test]
async fn an_office_user_signs_in_lands_on_their_commune_and_signs_out() {
    let site = Site::new().await;
    let browser = site.browser();

    let signed_out = browser.get("/").await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_out.location.as_deref(), Some("/login?next=%2F"));
    let form = browser.get("/login").await;
    assert!(form.body.contains("Tên đăng nhập"), "{}", form.body);
    assert!(form.body.contains("Mật khẩu"));

    // Usernames are compared ignoring case.
    let signed_in = browser.sign_in("HANH", PASSWORD).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location.as_deref(), Some("/"));
    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(
        home.location,
        Some(format!("/communes/{}", site.xuan_hoa)),
        "a commune user goes straight to their commune"
    );
    let own = browser
        .get(&format!("/probe/communes/{}", site.xuan_hoa))
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.body, "đọc Đảng bộ xã Xuân Hòa");

    let token = browser.cookie("chibo_session").unwrap();
    let csrf = site.session_csrf(&browser);
    let out = browser.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location.as_deref(), Some("/login"));
    assert_eq!(browser.get("/").await.status, StatusCode::SEE_OTHER);

    // The old cookie, replayed by someone who copied it, is worth nothing now.
    let replay = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
        .get(site.url(&format!("/probe/communes/{}", site.xuan_hoa)))
        .header("cookie", format!("chibo_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let site = Site::new().await;
    let browser = site.browser();
    let wrong = browser.sign_in("hanh", "mat-khau-sai-1").await;
    let unknown = browser.sign_in("khong-ai", PASSWORD).await;
    for page in [&wrong, &unknown] {
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(
            page.body
                .contains("Tên đăng nhập hoặc mật khẩu không đúng."),
            "{}",
            page.body
        );
        assert!(!page.body.contains(PASSWORD));
    }
    assert!(browser.cookie("chibo_session").is_none());
    assert_eq!(browser.get("/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_sixth_attempt_within_fifteen_minutes_is_refused_even_with_the_right_password() {
    let site = Site::new().await;
    let browser = site.browser();
    for _ in 0..4 {
        assert_eq!(
            browser.sign_in("hanh", "doan-mo-1234").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Someone else signing in meanwhile resets nobody's count.
    let colleague = site.browser();
    assert_eq!(
        colleague.sign_in("lan", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        browser.sign_in("hanh", "doan-mo-5678").await.status,
        StatusCode::UNAUTHORIZED
    );

    let refused = browser.sign_in("hanh", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused.body.contains("thử lại sau 15 phút"),
        "{}",
        refused.body
    );
    assert!(browser.cookie("chibo_session").is_none());

    site.srv.clock.advance(FAILURE_WINDOW_MS - 60_000);
    assert_eq!(
        browser.sign_in("hanh", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    site.srv.clock.advance(60_001);
    let after = browser.sign_in("hanh", PASSWORD).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "{}", after.body);
}

#[tokio::test]
async fn forms_without_the_session_token_are_refused() {
    let site = Site::new().await;
    let browser = site.browser();
    assert_eq!(
        browser.sign_in("hanh", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let act = format!("/probe/communes/{}", site.xuan_hoa);

    assert_eq!(
        browser.post("/logout", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        browser
            .post("/logout", &[("csrf", "doan-bua")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        browser.post(&act, &[("csrf", "doan-bua")]).await.status,
        StatusCode::FORBIDDEN
    );
    // Still signed in: a forged post changes nothing.
    assert_eq!(browser.get(&act).await.status, StatusCode::OK);
    let csrf = site.session_csrf(&browser);
    let done = browser.post(&act, &[("csrf", &csrf)]).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(done.body, "ghi Đảng bộ xã Xuân Hòa");

    // The sign-in form itself: a post without the form's own token is refused.
    let stranger = site.browser();
    let forged = stranger
        .post(
            "/login",
            &[("username", "hanh"), ("password", PASSWORD), ("csrf", "x")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(stranger.cookie("chibo_session").is_none());
}

#[tokio::test]
async fn a_signed_out_visitor_is_sent_to_sign_in_and_comes_back() {
    let site = Site::new().await;
    let browser = site.browser();
    let path = format!("/probe/communes/{}?month=2026-10", site.xuan_hoa);
    let page = browser.get(&path).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location,
        Some(format!("/login?next={}", urlencode(&path)))
    );

    let signed_in = browser.sign_in_next("lan", PASSWORD, &path).await;
    assert_eq!(signed_in.location, Some(path.clone()));
    assert_eq!(browser.get(&path).await.status, StatusCode::OK);
}

#[tokio::test]
async fn sign_in_never_redirects_to_another_site() {
    let site = Site::new().await;
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "evil",
    ] {
        let browser = site.browser();
        let page = browser.sign_in_next("hanh", PASSWORD, next).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(page.location.as_deref(), Some("/"), "next = {next}");
    }
}

#[tokio::test]
async fn a_commune_viewer_reads_only_their_commune_and_cannot_act() {
    let site = Site::new().await;
    let browser = site.browser();
    assert_eq!(
        browser.sign_in("lan", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let own = format!("/probe/communes/{}", site.xuan_hoa);
    assert_eq!(browser.get(&own).await.status, StatusCode::OK);
    for other in [&site.muong_chanh, &site.far, &"khong-co".to_string()] {
        let page = browser.get(&format!("/probe/communes/{other}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{other}");
        assert!(page.body.contains("Không tìm thấy trang"));
    }
    let csrf = site.session_csrf(&browser);
    let refused = browser.post(&own, &[("csrf", &csrf)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Không có quyền"));

    // An admin may not act for a neighbouring commune either: it does not exist for them.
    let admin = site.browser();
    assert_eq!(
        admin.sign_in("hanh", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let csrf = site.session_csrf(&admin);
    let other = format!("/probe/communes/{}", site.muong_chanh);
    assert_eq!(
        admin.post(&other, &[("csrf", &csrf)]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_province_viewer_sees_the_province_communes_only_and_acts_for_none() {
    let site = Site::new().await;
    let browser = site.browser();
    assert_eq!(
        browser.sign_in("tinh", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location.as_deref(), Some("/province"));
    let home = browser.get("/province").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Đảng bộ xã Xuân Hòa"), "{}", home.body);
    assert!(home.body.contains("Đảng bộ xã Mường Chanh"));
    assert!(home
        .body
        .contains(&format!("/communes/{}", site.muong_chanh)));
    assert!(!home.body.contains("Đảng bộ xã Hải Xuân"));

    let read = browser
        .get(&format!("/probe/communes/{}", site.muong_chanh))
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(
        browser
            .get(&format!("/probe/communes/{}", site.far))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let csrf = site.session_csrf(&browser);
    assert_eq!(
        browser
            .post(
                &format!("/probe/communes/{}", site.xuan_hoa),
                &[("csrf", &csrf)]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_idle_session_ends_and_a_used_one_goes_on() {
    let site = Site::new().await;
    let browser = site.browser();
    assert_eq!(
        browser.sign_in("hanh", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let own = format!("/probe/communes/{}", site.xuan_hoa);

    // Used every few hours, the session lasts beyond the idle timeout.
    for _ in 0..3 {
        site.srv.clock.advance(IDLE_TIMEOUT_MS - 3_600_000);
        assert_eq!(browser.get(&own).await.status, StatusCode::OK);
    }
    site.srv.clock.advance(IDLE_TIMEOUT_MS + 60_000);
    let page = browser.get(&own).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location.unwrap().starts_with("/login?next="));
}

#[tokio::test]
async fn a_badly_made_account_is_refused_and_passwords_are_kept_as_argon2_hashes() {
    let site = Site::new().await;
    let taken = users::create_user(
        &*site.srv.storage,
        NewUser {
            username: "Hanh".into(),
            display_name: "Người khác".into(),
            password: PASSWORD.into(),
            role: DashboardRole::CommuneViewer,
            commune_id: Some(site.xuan_hoa.clone()),
            province_id: None,
        },
        site.srv.now(),
    )
    .unwrap_err();
    assert!(taken.to_string().contains("đã có người dùng"), "{taken}");
    let short = users::create_user(
        &*site.srv.storage,
        NewUser {
            username: "moi".into(),
            display_name: "Người mới".into(),
            password: "ngan".into(),
            role: DashboardRole::CommuneViewer,
            commune_id: Some(site.xuan_hoa.clone()),
            province_id: None,
        },
        site.srv.now(),
    )
    .unwrap_err();
    assert!(short.to_string().contains("ít nhất 10 ký tự"), "{short}");
    let nowhere = users::create_user(
        &*site.srv.storage,
        NewUser {
            username: "moi".into(),
            display_name: "Người mới".into(),
            password: PASSWORD.into(),
            role: DashboardRole::CommuneAdmin,
            commune_id: Some("khong-co".into()),
            province_id: None,
        },
        site.srv.now(),
    )
    .unwrap_err();
    assert!(nowhere.to_string().contains("không có xã"), "{nowhere}");

    let listed = users::list_users(&*site.srv.storage).unwrap();
    let names: Vec<&str> = listed.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["hanh", "lan", "tinh"]);
    let stored = storage::read(&*site.srv.storage, |tx| {
        tx.dashboard_user_by_username("hanh")
    })
    .unwrap()
    .unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"));
    assert!(!stored.password_hash.contains(PASSWORD));
}

#[tokio::test]
async fn device_cursors_only_move_forward_and_documents_filter_by_time() {
    let (storage, _dir) = open_test_storage();
    let commune = enrolment::create_commune(&*storage, "Đảng bộ xã Xuân Hòa", "son-la", None, NOW)
        .unwrap()
        .id;
    let other = enrolment::create_commune(&*storage, "Đảng bộ xã Mường Chanh", "son-la", None, NOW)
        .unwrap()
        .id;
    let scope = format!("commune:{commune}");
    storage::write(&*storage, |tx| {
        tx.set_device_cursor("phone-b", &commune, &scope, 7)?;
        tx.set_device_cursor("phone-a", &commune, &scope, 3)?;
        tx.set_device_cursor("phone-a", &commune, &scope, 9)?;
        tx.set_device_cursor("phone-b", &commune, &scope, 2)?;
        tx.set_device_cursor("phone-c", &other, &format!("commune:{other}"), 4)
    })
    .unwrap();
    let cursors = storage::read(&*storage, |tx| tx.device_cursors(&commune, &scope)).unwrap();
    assert_eq!(
        cursors,
        [("phone-a".to_string(), 9), ("phone-b".to_string(), 7)]
    );

    let doc = |id: &str, cell: &str, at: Option<i64>| DocRow {
        commune_id: commune.clone(),
        kind: "record".into(),
        id: id.into(),
        cell_id: Some(cell.into()),
        ref_id: None,
        at,
        body_json: "{}".into(),
    };
    let october = at(2026, 10, 1, 0, 0);
    let november = at(2026, 11, 1, 0, 0);
    storage::write(&*storage, |tx| {
        tx.put_doc(&doc("sep", "a", Some(october - 1)))?;
        tx.put_doc(&doc("oct-first", "a", Some(october)))?;
        tx.put_doc(&doc("oct-b", "b", Some(october + DAY)))?;
        tx.put_doc(&doc("nov", "a", Some(november)))?;
        tx.put_doc(&doc("undated", "a", None))
    })
    .unwrap();
    let ids = |filter: DocFilter| -> Vec<String> {
        storage::read(&*storage, |tx| tx.docs(&commune, "record", &filter))
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect()
    };
    let month = DocFilter {
        at_from: Some(october),
        at_until: Some(november),
        ..DocFilter::default()
    };
    assert_eq!(ids(month.clone()), ["oct-first", "oct-b"]);
    assert_eq!(
        ids(DocFilter {
            cell_id: Some("a".into()),
            ..month
        }),
        ["oct-first"]
    );
    assert_eq!(
        ids(DocFilter {
            at_from: Some(october),
            ..DocFilter::default()
        }),
        ["oct-first", "oct-b", "nov"]
    );
    assert_eq!(
        ids(DocFilter {
            at_until: Some(october),
            ..DocFilter::default()
        }),
        ["sep"]
    );
    assert_eq!(ids(DocFilter::default()).len(), 5);
}

fn cli(data_dir: &std::path::Path, args: &[&str], password: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chibo-server"))
        .arg("admin")
        .args(args)
        .env("CHIBO_DATA_DIR", data_dir)
        .env("CHIBO_NEW_PASSWORD", password)
        .env_remove("CHIBO_DATABASE_URL")
        .output()
        .expect("run chibo-server")
}

#[test]
fn the_cli_creates_the_first_admin_with_a_password_kept_off_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(
        dir.path(),
        &[
            "create-commune",
            "--name",
            "Đảng bộ xã Xuân Hòa",
            "--province",
            "son-la",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let commune: enrolment::CommuneInfo = serde_json::from_slice(&out.stdout).unwrap();
    let create = |password: &str| {
        cli(
            dir.path(),
            &[
                "create-user",
                "--username",
                "hanh",
                "--display-name",
                "Lường Thị Hạnh",
                "--role",
                "commune_admin",
                "--commune",
                &commune.id,
            ],
            password,
        )
    };
    let short = create("ngan");
    assert!(!short.status.success());
    assert!(
        String::from_utf8_lossy(&short.stderr).contains("mật khẩu phải có ít nhất 10 ký tự"),
        "{}",
        String::from_utf8_lossy(&short.stderr)
    );
    let made = create(PASSWORD);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let user: UserInfo = serde_json::from_slice(&made.stdout).unwrap();
    assert_eq!(user.role, "commune_admin");
    assert_eq!(user.commune_id.as_deref(), Some(commune.id.as_str()));
    assert!(!String::from_utf8_lossy(&made.stdout).contains(PASSWORD));

    let listed = cli(dir.path(), &["list-users"], "");
    assert!(listed.status.success());
    let users: Vec<UserInfo> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(users, [user]);

    let storage = storage::open(&format!(
        "sqlite://{}",
        dir.path().join("chibo.db").display()
    ))
    .unwrap();
    let row = storage::read(&*storage, |tx| tx.dashboard_user_by_username("hanh"))
        .unwrap()
        .unwrap();
    assert!(users::verify_password(PASSWORD, &row.password_hash));
    assert!(!users::verify_password(
        "mat-khau-khac-1",
        &row.password_hash
    ));
}

// ---------------------------------------------------------------- accounts page

/// The new-account form's fields.
fn account_form<'a>(
    username: &'a str,
    display_name: &'a str,
    role: &'a str,
    password: &'a str,
) -> [(&'a str, &'a str); 4] {
    [
        ("username", username),
        ("display_name", display_name),
        ("role", role),
        ("password", password),
    ]
}

impl Site {
    fn accounts(&self) -> String {
        format!("/communes/{}/accounts", self.xuan_hoa)
    }

    fn account_id(&self, username: &str) -> String {
        users::list_users(&*self.srv.storage)
            .unwrap()
            .into_iter()
            .find(|u| u.username == username)
            .unwrap_or_else(|| panic!("no account {username}"))
            .id
    }

    async fn signed_in(&self, username: &str, password: &str) -> Browser {
        let browser = self.browser();
        let page = browser.sign_in(username, password).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        browser
    }

    async fn create_account(&self, admin: &Browser, form: &[(&str, &str)]) -> Page {
        self.act(admin, &self.accounts(), form).await
    }

    async fn lock(&self, admin: &Browser, account_id: &str, locked: bool) -> Page {
        let path = format!("{}/{account_id}/lock", self.accounts());
        let locked = if locked { "yes" } else { "no" };
        self.act(admin, &path, &[("locked", locked)]).await
    }

    async fn set_password(&self, admin: &Browser, account_id: &str, password: &str) -> Page {
        let path = format!("{}/{account_id}/password", self.accounts());
        self.act(admin, &path, &[("password", password)]).await
    }

    /// Posts an account form as the signed-in `admin` and follows the redirect.
    async fn act(&self, admin: &Browser, path: &str, form: &[(&str, &str)]) -> Page {
        let csrf = self.session_csrf(admin);
        let mut fields = form.to_vec();
        fields.push(("csrf", &csrf));
        let answer = admin.post(path, &fields).await;
        match answer.status {
            StatusCode::SEE_OTHER => admin.get(answer.location.as_deref().unwrap()).await,
            _ => answer,
        }
    }
}

#[tokio::test]
async fn an_admin_gives_a_clerk_a_read_only_account_that_signs_in() {
    let site = Site::new().await;
    let admin = site.signed_in("hanh", PASSWORD).await;

    let list = admin.get(&site.accounts()).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("Tài khoản văn phòng"));
    assert!(list.body.contains("Đồng chí lan") && list.body.contains("Chỉ xem"));
    assert!(
        !list.body.contains("Đồng chí tinh"),
        "a province account is not the commune's to manage"
    );

    let created = site
        .create_account(
            &admin,
            &account_form("thu.vp", "Lò Thị Thu", "commune_viewer", "mat-khau-cua-thu"),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK);
    assert!(
        created.body.contains("Đã tạo tài khoản thu.vp"),
        "{}",
        created.body
    );
    assert!(created.body.contains("Lò Thị Thu"));

    // The clerk signs in, reads the commune, and neither sees nor reaches the accounts.
    let clerk = site.signed_in("thu.vp", "mat-khau-cua-thu").await;
    let overview = clerk.get(&format!("/communes/{}", site.xuan_hoa)).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(!overview.body.contains("Tài khoản văn phòng"));
    assert_eq!(
        clerk.get(&site.accounts()).await.status,
        StatusCode::FORBIDDEN
    );
    let csrf = site.session_csrf(&clerk);
    let forged = clerk
        .post(
            &site.accounts(),
            &[
                &account_form("ke-gian", "Kẻ gian", "commune_admin", "mat-khau-ke-gian")[..],
                &[("csrf", &csrf)],
            ]
            .concat(),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Without the session's token, even the admin's form is refused.
    let no_token = admin
        .post(
            &site.accounts(),
            &account_form("ke-gian", "Kẻ gian", "commune_admin", "mat-khau-ke-gian"),
        )
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    assert!(users::list_users(&*site.srv.storage)
        .unwrap()
        .iter()
        .all(|u| u.username != "ke-gian"));
    let tinh = site.signed_in("tinh", PASSWORD).await;
    assert_eq!(
        tinh.get(&site.accounts()).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_refused_account_says_why_and_keeps_what_was_typed() {
    let site = Site::new().await;
    let admin = site.signed_in("hanh", PASSWORD).await;
    let short = site
        .create_account(
            &admin,
            &account_form("thu.vp", "Lò Thị Thu", "commune_viewer", "ngan"),
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.body.contains("Mật khẩu phải có ít nhất 10 ký tự."),
        "{}",
        short.body
    );
    assert!(short.body.contains(r#"value="thu.vp""#));
    assert!(short.body.contains(r#"value="Lò Thị Thu""#));
    assert!(
        !short.body.contains("ngan\""),
        "the password is never echoed"
    );

    let taken = site
        .create_account(
            &admin,
            &account_form("LAN", "Người khác", "commune_admin", "mat-khau-khac-1"),
        )
        .await;
    assert_eq!(taken.status, StatusCode::BAD_REQUEST);
    assert!(taken.body.contains("đã có người dùng"), "{}", taken.body);
    assert_eq!(users::list_users(&*site.srv.storage).unwrap().len(), 3);
}

#[tokio::test]
async fn a_locked_account_is_out_at_once_and_a_new_password_ends_old_sessions() {
    let site = Site::new().await;
    let admin = site.signed_in("hanh", PASSWORD).await;
    let lan = site.signed_in("lan", PASSWORD).await;
    let own = format!("/probe/communes/{}", site.xuan_hoa);
    assert_eq!(lan.get(&own).await.status, StatusCode::OK);
    let lan_id = site.account_id("lan");

    let locked = site.lock(&admin, &lan_id, true).await;
    assert!(
        locked.body.contains("Đã khóa tài khoản lan"),
        "{}",
        locked.body
    );
    assert!(locked.body.contains("Đã khóa"));
    let out = lan.get(&own).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "signed out at once");
    assert_eq!(
        site.browser().sign_in("lan", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );

    let unlocked = site.lock(&admin, &lan_id, false).await;
    assert!(unlocked.body.contains("Đã mở khóa tài khoản lan"));
    let lan = site.signed_in("lan", PASSWORD).await;

    let reset = site
        .set_password(&admin, &lan_id, "mat-khau-moi-cua-lan")
        .await;
    assert!(
        reset.body.contains("Đã đặt mật khẩu mới cho lan"),
        "{}",
        reset.body
    );
    assert_eq!(lan.get(&own).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        site.browser().sign_in("lan", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    site.signed_in("lan", "mat-khau-moi-cua-lan").await;

    // A password that is too short changes nothing.
    let short = site.set_password(&admin, &lan_id, "ngan").await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    site.signed_in("lan", "mat-khau-moi-cua-lan").await;
}

#[tokio::test]
async fn an_admin_cannot_lock_themselves_or_touch_another_communes_accounts() {
    let site = Site::new().await;
    let neighbour = create(
        &site.srv,
        "muong",
        DashboardRole::CommuneAdmin,
        Some(site.muong_chanh.clone()),
        None,
    );
    let admin = site.signed_in("hanh", PASSWORD).await;

    let own_id = site.account_id("hanh");
    let page = admin.get(&site.accounts()).await;
    assert!(page.body.contains("(tài khoản đang dùng)"));
    let self_lock = site.lock(&admin, &own_id, true).await;
    assert_eq!(self_lock.status, StatusCode::BAD_REQUEST);
    assert!(self_lock
        .body
        .contains("Đồng chí không thể tự khóa tài khoản đang dùng."));
    assert_eq!(
        admin.get(&site.accounts()).await.status,
        StatusCode::OK,
        "still signed in"
    );

    for path in [
        format!("{}/{}/lock", site.accounts(), neighbour.id),
        format!("{}/{}/password", site.accounts(), neighbour.id),
        format!("{}/{}/lock", site.accounts(), site.account_id("tinh")),
    ] {
        let answer = site
            .act(
                &admin,
                &path,
                &[("locked", "yes"), ("password", "mat-khau-chiem-quyen")],
            )
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
    }
    site.signed_in("muong", PASSWORD).await;
    site.signed_in("tinh", PASSWORD).await;
}

// ---------------------------------------------------------------- own password

async fn change_own_password(
    site: &Site,
    browser: &Browser,
    current: &str,
    new: &str,
    repeat: &str,
) -> Page {
    site.act(
        browser,
        "/account/password",
        &[("current", current), ("new", new), ("repeat", repeat)],
    )
    .await
}

#[tokio::test]
async fn anyone_changes_their_own_password_and_their_other_sessions_end() {
    let site = Site::new().await;
    let here = site.signed_in("lan", PASSWORD).await;
    let elsewhere = site.signed_in("lan", PASSWORD).await;
    let own = format!("/probe/communes/{}", site.xuan_hoa);

    let form = here.get("/account/password").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Mật khẩu đang dùng"), "{}", form.body);
    for (current, new, repeat, why) in [
        (
            "mat-khau-sai-1",
            "mat-khau-moi-1",
            "mat-khau-moi-1",
            "Mật khẩu đang dùng không đúng",
        ),
        (
            PASSWORD,
            "mat-khau-moi-1",
            "mat-khau-moi-2",
            "Hai lần nhập mật khẩu mới không giống nhau.",
        ),
        (
            PASSWORD,
            "ngan",
            "ngan",
            "Mật khẩu phải có ít nhất 10 ký tự.",
        ),
        (
            PASSWORD,
            PASSWORD,
            PASSWORD,
            "Mật khẩu mới phải khác mật khẩu đang dùng.",
        ),
    ] {
        let refused = change_own_password(&site, &here, current, new, repeat).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{why}");
        assert!(refused.body.contains(why), "{why}: {}", refused.body);
    }
    assert_eq!(
        elsewhere.get(&own).await.status,
        StatusCode::OK,
        "nothing changed yet"
    );

    let changed = change_own_password(
        &site,
        &here,
        PASSWORD,
        "mat-khau-rieng-cua-lan",
        "mat-khau-rieng-cua-lan",
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert!(
        changed.body.contains("Đã đổi mật khẩu."),
        "{}",
        changed.body
    );
    assert_eq!(
        here.get(&own).await.status,
        StatusCode::OK,
        "this session goes on"
    );
    assert_eq!(
        elsewhere.get(&own).await.status,
        StatusCode::SEE_OTHER,
        "the other one ends"
    );
    assert_eq!(
        site.browser().sign_in("lan", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    site.signed_in("lan", "mat-khau-rieng-cua-lan").await;

    // A province viewer has the page too, without a commune menu.
    let tinh = site.signed_in("tinh", PASSWORD).await;
    assert_eq!(tinh.get("/account/password").await.status, StatusCode::OK);
}

#[tokio::test]
async fn guessing_the_current_password_is_limited_like_signing_in() {
    let site = Site::new().await;
    let browser = site.signed_in("hanh", PASSWORD).await;
    for n in 0..5 {
        let wrong = change_own_password(
            &site,
            &browser,
            &format!("doan-mo-{n}-xx"),
            "mat-khau-moi-1",
            "mat-khau-moi-1",
        )
        .await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    }
    let throttled = change_own_password(
        &site,
        &browser,
        PASSWORD,
        "mat-khau-moi-1",
        "mat-khau-moi-1",
    )
    .await;
    assert_eq!(throttled.status, StatusCode::BAD_REQUEST);
    assert!(
        throttled.body.contains("thử lại sau 15 phút"),
        "{}",
        throttled.body
    );
    site.srv.clock.advance(FAILURE_WINDOW_MS + 1);
    assert_eq!(
        site.browser().sign_in("hanh", PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "the password did not change"
    );
}

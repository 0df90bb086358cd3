//! The province admin, through real HTTP: it creates a viewer of its province, who signs
//! in and reads the rollup; it locks that viewer (their sessions end, sign-in refused),
//! unlocks it and sets a new password; it cannot set another province admin's password,
//! touch a commune's account or another province's viewer, nor write anything of a
//! commune; a province viewer and a commune admin find no such page.

mod support;

use reqwest::cookie::Jar;
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use std::sync::Arc;

use chibo_domain::model::*;
use chibo_server::accounts::users::{self, DashboardRole, NewUser, UserInfo};
use chibo_server::docs::CommuneDocs;
use chibo_server::storage;
use support::*;

const PASSWORD: &str = "mat-khau-dung-1";
/// The province `TestServer::commune` files communes under.
const PROVINCE: &str = "tinh-son-la";

fn create(
    srv: &TestServer,
    username: &str,
    role: DashboardRole,
    commune_id: Option<&str>,
    province_id: Option<&str>,
) -> UserInfo {
    users::create_user(
        &*srv.storage,
        NewUser {
            username: username.into(),
            display_name: format!("Đồng chí {username}"),
            password: PASSWORD.into(),
            role,
            commune_id: commune_id.map(str::to_string),
            province_id: province_id.map(str::to_string),
        },
        srv.now(),
    )
    .unwrap()
}

fn account(srv: &TestServer, username: &str) -> UserInfo {
    users::list_users(&*srv.storage)
        .unwrap()
        .into_iter()
        .find(|u| u.username == username)
        .unwrap_or_else(|| panic!("no account {username}"))
}

struct Browser {
    http: reqwest::Client,
    base: String,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Browser {
    fn new(srv: &TestServer) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .cookie_provider(Arc::new(Jar::default()))
                .redirect(Policy::none())
                .build()
                .unwrap(),
            base: srv.base.clone(),
        }
    }

    /// Signs in; the answer to the sign-in form (303 when it worked).
    async fn sign_in(&self, username: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        let csrf = hidden(&form.body, "csrf");
        self.post(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/"),
                ("csrf", &csrf),
            ],
        )
        .await
    }

    async fn signed_in(srv: &TestServer, username: &str) -> Browser {
        let b = Browser::new(srv);
        let reply = b.sign_in(username, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        b
    }

    async fn page(reply: reqwest::Response) -> Page {
        Page {
            status: reply.status(),
            location: reply
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body: reply.text().await.unwrap(),
        }
    }

    async fn get(&self, path: &str) -> Page {
        let reply = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        Browser::page(reply).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let reply = self
            .http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        Browser::page(reply).await
    }

    /// The session's CSRF token, from a page it reads.
    async fn csrf(&self) -> String {
        hidden(&self.get("/account/password").await.body, "csrf")
    }
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a main element");
    let end = html.find("</main>").expect("the main element ends");
    &html[start..end]
}

fn nav_of(html: &str) -> &str {
    match (html.find("<nav class=\"menu\""), html.find("</nav>")) {
        (Some(start), Some(end)) if start < end => &html[start..end],
        _ => "",
    }
}

#[tokio::test]
async fn a_province_admin_manages_its_viewers_and_nothing_else() {
    let mut w = World::new().await;
    // A petition of Xuân Hòa, raised at a meeting of A, and a far check-in to review.
    let meeting_id = w.record_meeting_a(meeting_start()).await;
    let check_in = w
        .push_check_in(
            &meeting_id,
            meeting_start() + 10 * MINUTE,
            "123456",
            &photo(1),
            true,
        )
        .await;
    let srv = &w.srv;
    let commune = w.commune.id.clone();

    let admin_info = create(
        srv,
        "quantri-tinh",
        DashboardRole::ProvinceAdmin,
        None,
        Some(PROVINCE),
    );
    let other_admin = create(
        srv,
        "quantri-tinh-2",
        DashboardRole::ProvinceAdmin,
        None,
        Some(PROVINCE),
    );
    let far_viewer = create(
        srv,
        "xem-tinh-khac",
        DashboardRole::ProvinceViewer,
        None,
        Some("tinh-khac"),
    );
    let clerk = create(
        srv,
        "can-bo-xa",
        DashboardRole::CommuneViewer,
        Some(&commune),
        None,
    );
    let commune_admin = create(
        srv,
        "quantri-xa",
        DashboardRole::CommuneAdmin,
        Some(&commune),
        None,
    );
    let admin = Browser::signed_in(srv, "quantri-tinh").await;

    // Home is the province's rollup, whose menu leads to the accounts page.
    let home = admin.get("/").await;
    assert_eq!(home.location.as_deref(), Some("/province"));
    let rollup = admin.get("/province").await;
    assert_eq!(rollup.status, StatusCode::OK);
    assert!(main_of(&rollup.body).contains("Đảng bộ xã Xuân Hòa"));
    assert!(
        nav_of(&rollup.body).contains("href=\"/province/accounts\""),
        "{}",
        rollup.body
    );

    // The page lists the province's accounts only, and offers only the viewer role.
    let page = admin.get("/province/accounts").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let main = main_of(&page.body);
    assert!(main.contains("Tài khoản xem của tỉnh"));
    assert!(main.contains("quantri-tinh-2"));
    assert!(main.contains("Quản trị tỉnh (xem toàn tỉnh, quản lý tài khoản xem)"));
    assert!(!main.contains("xem-tinh-khac") && !main.contains("can-bo-xa"));
    assert!(main.contains("value=\"province_viewer\""));
    assert!(
        !main.contains("value=\"commune_admin\"") && !main.contains("value=\"province_admin\"")
    );
    let csrf = hidden(&page.body, "csrf");

    // It may not create an admin, nor a commune's account, nor post without the token.
    for role in ["province_admin", "commune_admin", "commune_viewer"] {
        let refused = admin
            .post(
                "/province/accounts",
                &[
                    ("csrf", &csrf),
                    ("username", "ke-gian"),
                    ("display_name", "Kẻ gian"),
                    ("role", role),
                    ("password", "mat-khau-moi-123"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{role}");
    }
    let no_token = admin
        .post(
            "/province/accounts",
            &[
                ("username", "ke-gian"),
                ("display_name", "Kẻ gian"),
                ("role", "province_viewer"),
                ("password", "mat-khau-moi-123"),
            ],
        )
        .await;
    assert!(no_token.status.is_client_error(), "{}", no_token.status);
    assert!(users::list_users(&*srv.storage)
        .unwrap()
        .iter()
        .all(|u| u.username != "ke-gian"));

    // A viewer of the province, created here, signs in and reads the rollup.
    let created = admin
        .post(
            "/province/accounts",
            &[
                ("csrf", &csrf),
                ("username", "xem-tinh"),
                ("display_name", "Đồng chí Xem Tỉnh"),
                ("role", "province_viewer"),
                ("password", "mat-khau-xem-tinh"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let viewer_info = account(srv, "xem-tinh");
    assert_eq!(viewer_info.role, "province_viewer");
    assert_eq!(viewer_info.province_id.as_deref(), Some(PROVINCE));
    let done = admin.get(created.location.as_deref().unwrap()).await;
    assert!(
        done.body.contains("Đã tạo tài khoản xem-tinh."),
        "{}",
        done.body
    );
    let viewer = Browser::new(srv);
    assert_eq!(
        viewer.sign_in("xem-tinh", "mat-khau-xem-tinh").await.status,
        StatusCode::SEE_OTHER
    );
    let rollup = viewer.get("/province").await;
    assert_eq!(rollup.status, StatusCode::OK);
    assert!(main_of(&rollup.body).contains("Đảng bộ xã Xuân Hòa"));

    // Locked: the viewer's session ends and signing in is refused; then unlocked.
    let lock = format!("/province/accounts/{}/lock", viewer_info.id);
    let locked = admin
        .post(&lock, &[("csrf", &csrf), ("locked", "yes")])
        .await;
    assert_eq!(locked.status, StatusCode::SEE_OTHER, "{}", locked.body);
    assert!(account(srv, "xem-tinh").disabled);
    let out = viewer.get("/province").await;
    assert_ne!(
        out.status,
        StatusCode::OK,
        "the locked viewer's session has ended"
    );
    let again = Browser::new(srv);
    assert_ne!(
        again.sign_in("xem-tinh", "mat-khau-xem-tinh").await.status,
        StatusCode::SEE_OTHER,
        "a locked account cannot sign in"
    );
    let unlocked = admin
        .post(&lock, &[("csrf", &csrf), ("locked", "no")])
        .await;
    assert_eq!(unlocked.status, StatusCode::SEE_OTHER);
    assert!(!account(srv, "xem-tinh").disabled);

    // A new password: the old one no longer signs in, the new one does.
    let set = admin
        .post(
            &format!("/province/accounts/{}/password", viewer_info.id),
            &[("csrf", &csrf), ("password", "mat-khau-moi-cua-xem")],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    assert_ne!(
        Browser::new(srv)
            .sign_in("xem-tinh", "mat-khau-xem-tinh")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        Browser::new(srv)
            .sign_in("xem-tinh", "mat-khau-moi-cua-xem")
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    // Another admin of the province: no new password, no lock.
    let before = account(srv, "quantri-tinh-2");
    let refused = admin
        .post(
            &format!("/province/accounts/{}/password", other_admin.id),
            &[("csrf", &csrf), ("password", "mat-khau-chiem-quyen")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused
        .body
        .contains("Không thể đặt lại mật khẩu của một quản trị viên khác"));
    let refused = admin
        .post(
            &format!("/province/accounts/{}/lock", other_admin.id),
            &[("csrf", &csrf), ("locked", "yes")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(account(srv, "quantri-tinh-2"), before);
    Browser::signed_in(srv, "quantri-tinh-2").await;
    // Nor its own lock.
    let refused = admin
        .post(
            &format!("/province/accounts/{}/lock", admin_info.id),
            &[("csrf", &csrf), ("locked", "yes")],
        )
        .await;
    assert!(refused.status.is_client_error());
    assert!(!account(srv, "quantri-tinh").disabled);

    // A commune's accounts and another province's viewer are not its to touch.
    for target in [&clerk, &commune_admin, &far_viewer] {
        let password = admin
            .post(
                &format!("/province/accounts/{}/password", target.id),
                &[("csrf", &csrf), ("password", "mat-khau-chiem-quyen")],
            )
            .await;
        assert_eq!(
            password.status,
            StatusCode::NOT_FOUND,
            "{}",
            target.username
        );
        let lock = admin
            .post(
                &format!("/province/accounts/{}/lock", target.id),
                &[("csrf", &csrf), ("locked", "yes")],
            )
            .await;
        assert_eq!(lock.status, StatusCode::NOT_FOUND, "{}", target.username);
        assert_eq!(&account(srv, &target.username), target);
        let via_commune = admin
            .post(
                &format!("/communes/{commune}/accounts/{}/password", target.id),
                &[("csrf", &csrf), ("password", "mat-khau-chiem-quyen")],
            )
            .await;
        assert_eq!(
            via_commune.status,
            StatusCode::FORBIDDEN,
            "{}",
            target.username
        );
    }
    Browser::signed_in(srv, "can-bo-xa").await;

    // It reads the commune's pages but writes nothing there.
    let base = format!("/communes/{commune}");
    assert_eq!(admin.get(&base).await.status, StatusCode::OK);
    for path in ["/accounts", "/rule-settings"] {
        assert_eq!(
            admin.get(&format!("{base}{path}")).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let petition = storage::read(&*srv.storage, |tx| {
        CommuneDocs::new(tx, &commune).petitions()
    })
    .unwrap()
    .remove(0);
    let answer = admin
        .post(
            &format!("{base}/petitions/{}/respond", petition.id),
            &[("csrf", &csrf), ("status", "answered"), ("text", "Thử")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let still = storage::read(&*srv.storage, |tx| {
        CommuneDocs::new(tx, &commune).petitions()
    })
    .unwrap();
    assert_eq!(still[0].status, PetitionStatus::Raised);
    let review = admin
        .post(
            &format!("{base}/check-ins/{}/review", check_in.id),
            &[("csrf", &csrf), ("decision", "accept")],
        )
        .await;
    assert_eq!(review.status, StatusCode::FORBIDDEN);
    let cadres = admin.get(&format!("{base}/cadres?year=2026")).await;
    assert!(
        cadres.body.contains("Lượt điểm danh cần xem xét (1)"),
        "{}",
        cadres.body
    );
}

#[tokio::test]
async fn only_a_province_admin_reaches_the_province_accounts_page() {
    let w = World::new().await;
    let srv = &w.srv;
    let commune = w.commune.id.clone();
    let viewer_info = create(
        srv,
        "xem-tinh",
        DashboardRole::ProvinceViewer,
        None,
        Some(PROVINCE),
    );
    create(
        srv,
        "xem-tinh-2",
        DashboardRole::ProvinceViewer,
        None,
        Some(PROVINCE),
    );
    create(
        srv,
        "quantri-xa",
        DashboardRole::CommuneAdmin,
        Some(&commune),
        None,
    );
    for username in ["xem-tinh-2", "quantri-xa"] {
        let b = Browser::signed_in(srv, username).await;
        assert_eq!(
            b.get("/province/accounts").await.status,
            StatusCode::NOT_FOUND,
            "{username}"
        );
        let csrf = b.csrf().await;
        let created = b
            .post(
                "/province/accounts",
                &[
                    ("csrf", &csrf),
                    ("username", "ke-gian"),
                    ("display_name", "Kẻ gian"),
                    ("role", "province_viewer"),
                    ("password", "mat-khau-moi-123"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::NOT_FOUND, "{username}");
        for (path, field, value) in [
            ("password", "password", "mat-khau-chiem-quyen"),
            ("lock", "locked", "yes"),
        ] {
            let refused = b
                .post(
                    &format!("/province/accounts/{}/{path}", viewer_info.id),
                    &[("csrf", &csrf), (field, value)],
                )
                .await;
            assert_eq!(refused.status, StatusCode::NOT_FOUND, "{username} {path}");
        }
        assert!(!nav_of(&b.get("/province").await.body).contains("/province/accounts"));
    }
    assert_eq!(account(srv, "xem-tinh"), viewer_info);
    assert!(users::list_users(&*srv.storage)
        .unwrap()
        .iter()
        .all(|u| u.username != "ke-gian"));
}

//! Issue 14's access and account findings, each probed the way the review probed them:
//! a real server over HTTP, on SQLite or (with `CHIBO_TEST_DATABASE_URL`) PostgreSQL.
//! Sign-in limits under parallel attempts, the client address behind a proxy, the
//! dashboard's security headers and cookies.

mod support;

use reqwest::redirect::Policy;
use reqwest::StatusCode;

use chibo_server::accounts::enrolment;
use chibo_server::accounts::users::{self, DashboardRole, NewUser};
use support::*;

const PASSWORD: &str = "mat-khau-dung-1";

/// A server with one commune and its admin `hanh`, signed in from anywhere.
async fn site(tweak: impl FnOnce(&mut chibo_server::Config)) -> (TestServer, String) {
    let srv = TestServer::start_with(tweak).await;
    let commune = enrolment::create_commune(
        &*srv.storage,
        "Đảng bộ xã Xuân Hòa",
        "son-la",
        None,
        srv.now(),
    )
    .unwrap()
    .id;
    for (username, role) in [
        ("hanh", DashboardRole::CommuneAdmin),
        ("lan", DashboardRole::CommuneViewer),
    ] {
        users::create_user(
            &*srv.storage,
            NewUser {
                username: username.into(),
                display_name: format!("Đồng chí {username}"),
                password: PASSWORD.into(),
                role,
                commune_id: Some(commune.clone()),
                province_id: None,
            },
            srv.now(),
        )
        .unwrap();
    }
    (srv, commune)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// One sign-in post, its form token in the cookie and the form as a browser sends it;
/// `forwarded_for`, when given, as a proxy would add it.
async fn sign_in(
    srv: &TestServer,
    username: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let mut request = client()
        .post(srv.url("/login"))
        .header("cookie", "chibo_login_csrf=form-token")
        .form(&[
            ("username", username),
            ("password", password),
            ("next", "/"),
            ("csrf", "form-token"),
        ]);
    if let Some(hops) = forwarded_for {
        request = request.header("x-forwarded-for", hops);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn sixty_parallel_wrong_passwords_get_five_password_checks() {
    let (srv, _) = site(|_| {}).await;
    let attempts = (0..60).map(|i| {
        let srv = &srv;
        async move {
            sign_in(srv, "hanh", &format!("doan-mo-{i:04}"), None)
                .await
                .status()
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 55), "{statuses:?}");
    // The right password is refused too until the window ends.
    assert_eq!(
        sign_in(&srv, "hanh", PASSWORD, None).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    srv.clock
        .advance(chibo_server::accounts::sessions::FAILURE_WINDOW_MS);
    assert_eq!(
        sign_in(&srv, "hanh", PASSWORD, None).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn parallel_right_passwords_all_sign_in_and_count_for_nothing() {
    let (srv, _) = site(|_| {}).await;
    let attempts = (0..4).map(|_| {
        let srv = &srv;
        async move { sign_in(srv, "hanh", PASSWORD, None).await.status() }
    });
    for status in futures_util::future::join_all(attempts).await {
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    // Four successes then four failures: still one attempt left.
    for i in 0..4 {
        let wrong = sign_in(&srv, "hanh", &format!("doan-mo-{i:04}"), None).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        sign_in(&srv, "hanh", PASSWORD, None).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_one_address_failing_locks_out_only_itself() {
    let (srv, _) = site(|c| c.trusted_proxies = vec!["127.0.0.1".into()]).await;
    // Five wrong guesses at five accounts, all from one address behind the proxy (the
    // client wrote its own X-Forwarded-For on the left; the proxy appended the truth).
    for i in 0..5 {
        let hops = format!("10.9.9.{i}, 198.51.100.7");
        let wrong = sign_in(&srv, &format!("khach{i}"), "doan-mo-1234", Some(&hops)).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let hops = "10.9.9.99, 198.51.100.7";
    assert_eq!(
        sign_in(&srv, "khach9", "doan-mo-1234", Some(hops))
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the address that failed is held back"
    );
    // Everyone else behind the same proxy signs in.
    assert_eq!(
        sign_in(&srv, "hanh", PASSWORD, Some("203.0.113.5"))
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing() {
    let (srv, _) = site(|_| {}).await;
    for i in 0..5 {
        let forged = format!("198.51.100.{i}");
        let wrong = sign_in(&srv, &format!("khach{i}"), "doan-mo-1234", Some(&forged)).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    // The peer is the client: a new forged address is the same client.
    assert_eq!(
        sign_in(&srv, "lan", PASSWORD, Some("198.51.100.200"))
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn every_dashboard_answer_forbids_framing_sniffing_and_foreign_referrers() {
    let (srv, commune) = site(|_| {}).await;
    let signed_in = sign_in(&srv, "hanh", PASSWORD, None).await;
    let session = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("chibo_session="))
        .expect("a session cookie");
    let token = session.split(';').next().unwrap().to_string();
    for path in [
        "/login".to_string(),
        format!("/communes/{commune}"),
        "/assets/dashboard.css".to_string(),
        "/".to_string(),
    ] {
        let response = client()
            .get(srv.url(&path))
            .header("cookie", &token)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "{path}: {}",
            response.status()
        );
        let h = response.headers();
        let csp = h
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{path}: no CSP"))
            .to_str()
            .unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
        assert_eq!(h.get("referrer-policy").unwrap(), "same-origin");
    }
    // The wrong-password page too.
    let wrong = sign_in(&srv, "hanh", "doan-mo-1234", None).await;
    assert!(wrong.headers().get("content-security-policy").is_some());
}

#[tokio::test]
async fn session_cookies_are_secure_when_configured_and_not_on_plain_loopback() {
    let (srv, _) = site(|_| {}).await;
    let cookies = |response: &reqwest::Response| {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // Loopback, unset: plain HTTP on this machine keeps working.
    let plain = sign_in(&srv, "hanh", PASSWORD, None).await;
    let set = cookies(&plain);
    assert!(set.iter().any(|c| c.starts_with("chibo_session=")));
    assert!(set.iter().all(|c| !c.contains("Secure")), "{set:?}");
    assert!(set.iter().all(|c| c.contains("HttpOnly")), "{set:?}");

    let (srv, _) = site(|c| c.secure_cookies = Some(true)).await;
    let secure = sign_in(&srv, "hanh", PASSWORD, None).await;
    let set = cookies(&secure);
    assert!(set.iter().any(|c| c.starts_with("chibo_session=")));
    assert!(set.iter().all(|c| c.contains("; Secure")), "{set:?}");
}

/// A browser signed in as `username` (cookie jar, no redirects followed).
async fn signed_in(srv: &TestServer, username: &str) -> reqwest::Client {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let form = browser.get(srv.url("/login")).send().await.unwrap();
    let csrf = hidden(&form.text().await.unwrap(), "csrf");
    let done = browser
        .post(srv.url("/login"))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("next", "/"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    browser
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

#[tokio::test]
async fn an_admin_cannot_set_another_admins_password() {
    let (srv, commune) = site(|_| {}).await;
    let minh = users::create_user(
        &*srv.storage,
        NewUser {
            username: "minh".into(),
            display_name: "Đồng chí Minh".into(),
            password: PASSWORD.into(),
            role: DashboardRole::CommuneAdmin,
            commune_id: Some(commune.clone()),
            province_id: None,
        },
        srv.now(),
    )
    .unwrap();
    let lan_id = users::list_users(&*srv.storage)
        .unwrap()
        .into_iter()
        .find(|u| u.username == "lan")
        .unwrap()
        .id;
    let hanh = signed_in(&srv, "hanh").await;
    let page = hanh
        .get(srv.url(&format!("/communes/{commune}/accounts")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    // No form offers it…
    assert!(
        !page.contains(&format!("/accounts/{}/password", minh.id)),
        "{page}"
    );
    assert!(
        page.contains(&format!("/accounts/{lan_id}/password")),
        "{page}"
    );
    // …and a forged post is refused, leaving Minh's password as it was.
    let taken_over = "mat-khau-chiem-quyen";
    let refused = hanh
        .post(srv.url(&format!(
            "/communes/{commune}/accounts/{}/password",
            minh.id
        )))
        .form(&[("csrf", csrf.as_str()), ("password", taken_over)])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("quản trị viên"));
    assert_eq!(
        sign_in(&srv, "minh", taken_over, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    signed_in(&srv, "minh").await;
    // A clerk's is still the admin's to reset.
    let reset = hanh
        .post(srv.url(&format!("/communes/{commune}/accounts/{lan_id}/password")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("password", "mat-khau-moi-cua-lan"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::SEE_OTHER);
}

// ---------------------------------------------------------------- blobs

fn attach(sha: &str, meeting_id: &str, at: i64) -> chibo_domain::change::Change {
    chibo_domain::change::Change::AttachPhoto {
        photo: chibo_domain::model::PhotoAttachment {
            sha256: sha.to_string(),
            meeting_id: Some(meeting_id.to_string()),
            check_in_id: None,
            width: 1600,
            height: 1200,
            byte_size: 20,
            attached_at: at,
        },
    }
}

async fn read_blob(srv: &TestServer, device: &Device, sha: &str) -> StatusCode {
    srv.http
        .get(srv.url(&format!("{}/{sha}", chibo_domain::sync::BLOBS_PATH)))
        .bearer_auth(&device.credential)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn naming_a_photos_hash_in_ones_own_record_opens_nothing() {
    let mut w = World::new().await;
    let meeting_a = w.record_meeting_a(meeting_start()).await;
    let sha = w.srv.upload_photo(&w.secretary_a, &photo_bytes(7)).await;
    let now = w.srv.now();
    assert_all_applied(
        &w.secretary_a
            .push(&w.srv, vec![attach(&sha, &meeting_a, now)])
            .await,
    );
    // Those in the photo's scope read it.
    for reader in [&w.secretary_a, &w.cadre_phone, &w.commune.office] {
        assert_eq!(read_blob(&w.srv, reader, &sha).await, StatusCode::OK);
    }

    // Another commune's secretary names the hash in a meeting of their own…
    let srv = &w.srv;
    let mut other = srv.commune("Đảng bộ xã Mường Chanh").await;
    let village = Village::new(&other.id, &other.name, "Chi bộ bản Hua Tát");
    assert_all_applied(&other.office.push(srv, village.roster_changes()).await);
    let mut stranger = srv
        .person(
            &other.office,
            "Quàng Văn Páo",
            chibo_domain::sync::Role::Secretary {
                cell_id: village.cell.id.clone(),
            },
        )
        .await;
    let meeting_y = chibo_domain::model::new_id();
    let mut changes = village.meeting_changes(&meeting_y, meeting_start());
    changes.push(attach(&sha, &meeting_y, now));
    assert_all_applied(&stranger.push(srv, changes).await);
    // …and neither they nor their office may download it.
    assert_eq!(read_blob(srv, &stranger, &sha).await, StatusCode::FORBIDDEN);
    assert_eq!(
        read_blob(srv, &other.office, &sha).await,
        StatusCode::FORBIDDEN
    );
    // Nor does "uploading" it by its hash alone stand for having it: the bytes are asked.
    use base64::Engine;
    let b64 = |t: &str| base64::engine::general_purpose::STANDARD.encode(t);
    let created = srv
        .http
        .post(srv.url(chibo_domain::sync::UPLOADS_PATH))
        .bearer_auth(&stranger.credential)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", photo_bytes(7).len().to_string())
        .header("Upload-Metadata", format!("sha256 {}", b64(&sha)))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["upload-offset"], "0");
    assert_eq!(read_blob(srv, &stranger, &sha).await, StatusCode::FORBIDDEN);

    // Within the commune, the other cell's secretary is refused the same way.
    let meeting_b = chibo_domain::model::new_id();
    let mut changes = w.b.meeting_changes(&meeting_b, meeting_start());
    changes.push(attach(&sha, &meeting_b, now));
    assert_all_applied(&w.secretary_b.push(&w.srv, changes).await);
    assert_eq!(
        read_blob(&w.srv, &w.secretary_b, &sha).await,
        StatusCode::FORBIDDEN
    );

    // Whoever really has the photo may send it, and then reads it in their own record.
    let sent = w.srv.upload_photo(&stranger, &photo_bytes(7)).await;
    assert_eq!(sent, sha);
    assert_eq!(read_blob(&w.srv, &stranger, &sha).await, StatusCode::OK);
    // An upload by one who holds it needs no bytes.
    let again = w
        .srv
        .http
        .post(w.srv.url(chibo_domain::sync::UPLOADS_PATH))
        .bearer_auth(&w.secretary_a.credential)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", photo_bytes(7).len().to_string())
        .header("Upload-Metadata", format!("sha256 {}", b64(&sha)))
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.headers()["upload-offset"],
        photo_bytes(7).len().to_string().as_str()
    );
    let _ = &mut other;
    let _ = &mut stranger;
}

// ---------------------------------------------------------------- enrolment

#[tokio::test]
async fn parallel_code_guesses_from_one_address_are_counted_one_by_one() {
    let srv = TestServer::start().await;
    let commune = srv.commune("Đảng bộ xã Chiềng Sơn").await;
    let issued = srv.issue_office(&commune.id, "Cầm Thị Vân");
    assert_eq!(issued.code.len(), 12, "about 59 bits");
    let guesses = (0..30).map(|i| {
        let srv = &srv;
        async move {
            let guess = format!("ZZZZ{i:04}");
            srv.enroll_reply(&guess, &new_key(), "Máy lạ").await.status
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let tried = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        (tried, refused),
        (
            chibo_server::accounts::enrolment::MAX_WRONG_CODES as usize,
            20
        ),
        "{statuses:?}"
    );
    let held = srv
        .enroll_reply(&issued.code, &new_key(), "Máy văn phòng")
        .await;
    let body = held.error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert!(body.message.contains("15 phút"), "{}", body.message);
    srv.clock
        .advance(chibo_server::accounts::enrolment::WRONG_CODE_WINDOW_MS);
    srv.enroll(&issued.code, "Máy văn phòng").await;
}

#[tokio::test]
async fn an_office_device_is_not_a_commune_admin() {
    let srv = TestServer::start().await;
    let commune = srv.commune("Đảng bộ xã Mường Bú").await;
    let office = &commune.office;
    let forbidden = |reply: Reply| {
        reply.error(StatusCode::FORBIDDEN, "forbidden");
    };
    // It cannot register another office person…
    forbidden(
        srv.post(
            chibo_server::web::api::ADMIN_PERSONS_PATH,
            Some(&office.credential),
            &enrolment::NewPerson {
                full_name: "Người lạ".into(),
                role: chibo_domain::sync::Role::Office,
            },
        )
        .await,
    );
    // …nor mint a code for one the admin registered…
    let colleague = srv.issue_office(&commune.id, "Lò Thị Mai");
    let path = chibo_server::web::api::ADMIN_PERSON_CODES_PATH
        .replace("{person_id}", &colleague.person.id);
    forbidden(
        srv.post(&path, Some(&office.credential), &serde_json::json!({}))
            .await,
    );
    // …nor cut off another office device.
    let other = srv.enroll(&colleague.code, "Máy văn phòng 2").await;
    let revoke = chibo_server::web::api::ADMIN_DEVICE_REVOKE_PATH.replace("{device_id}", &other.id);
    forbidden(
        srv.post(&revoke, Some(&office.credential), &serde_json::json!({}))
            .await,
    );
    // What it is for still works: the cells' secretaries and the cadres.
    let village = Village::new(&commune.id, &commune.name, "Chi bộ bản Nà Hẩu");
    let mut office = commune.office;
    assert_all_applied(&office.push(&srv, village.roster_changes()).await);
    let secretary = srv
        .person(
            &office,
            "Lò Văn Hùng",
            chibo_domain::sync::Role::Secretary {
                cell_id: village.cell.id.clone(),
            },
        )
        .await;
    let revoke =
        chibo_server::web::api::ADMIN_DEVICE_REVOKE_PATH.replace("{device_id}", &secretary.id);
    let revoked = srv
        .post(&revoke, Some(&office.credential), &serde_json::json!({}))
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
}

// ---------------------------------------------------------------- uploads

/// Creates an upload of `length` bytes (declared hash of `bytes`), sending none yet.
async fn create_upload(srv: &TestServer, device: &Device, length: usize) -> reqwest::Response {
    use base64::Engine;
    let sha = photo(length as u32);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&sha);
    srv.http
        .post(srv.url(chibo_domain::sync::UPLOADS_PATH))
        .bearer_auth(&device.credential)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", length.to_string())
        .header("Upload-Metadata", format!("sha256 {b64}"))
        .send()
        .await
        .unwrap()
}

fn upload_url(srv: &TestServer, created: &reqwest::Response) -> String {
    let location = created.headers()["location"].to_str().unwrap();
    srv.url(&format!(
        "{}/{}",
        chibo_domain::sync::UPLOADS_PATH,
        location.rsplit('/').next().unwrap()
    ))
}

async fn tus(srv: &TestServer, method: reqwest::Method, url: &str, device: &Device) -> Reply {
    srv.send(
        srv.http
            .request(method, url)
            .bearer_auth(&device.credential)
            .header("Tus-Resumable", "1.0.0"),
    )
    .await
}

#[tokio::test]
async fn a_device_has_a_quota_of_bytes_in_flight() {
    let srv = TestServer::start_with(|c| c.upload_quota_bytes = 1000).await;
    let w = World::on(srv).await;
    let first = create_upload(&w.srv, &w.secretary_a, 600).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let over = create_upload(&w.srv, &w.secretary_a, 600).await;
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: serde_json::Value = over.json().await.unwrap();
    assert_eq!(body["code"], "upload_quota", "{body}");
    assert!(body["message"].as_str().unwrap().contains("tải dở"));
    // Another device is not held back by it.
    let other = create_upload(&w.srv, &w.secretary_b, 600).await;
    assert_eq!(other.status(), StatusCode::CREATED);
    // Cancelling the first frees its room.
    let url = upload_url(&w.srv, &first);
    let deleted = tus(&w.srv, reqwest::Method::DELETE, &url, &w.secretary_a).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let again = create_upload(&w.srv, &w.secretary_a, 600).await;
    assert_eq!(again.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn an_abandoned_upload_expires_and_its_bytes_are_removed() {
    let srv = TestServer::start_with(|c| c.upload_expiry_hours = 24).await;
    let w = World::on(srv).await;
    let abandoned = create_upload(&w.srv, &w.secretary_a, 600).await;
    assert_eq!(abandoned.status(), StatusCode::CREATED);
    let url = upload_url(&w.srv, &abandoned);
    let uploads = w.srv.config.data_dir.join("uploads").join(&w.commune.id);
    let files = || std::fs::read_dir(&uploads).unwrap().count();
    assert_eq!(files(), 2, "its info and its part");

    w.srv.clock.advance(23 * 3_600_000);
    let alive = tus(&w.srv, reqwest::Method::HEAD, &url, &w.secretary_a).await;
    assert_eq!(alive.status, StatusCode::OK);

    w.srv.clock.advance(3_600_000);
    let gone = tus(&w.srv, reqwest::Method::HEAD, &url, &w.secretary_a).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert_eq!(files(), 0);
    assert_eq!(
        tus(&w.srv, reqwest::Method::HEAD, &url, &w.secretary_a)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // One nobody asks about again is swept when the commune next uploads.
    let forgotten = create_upload(&w.srv, &w.secretary_a, 700).await;
    assert_eq!(forgotten.status(), StatusCode::CREATED);
    w.srv.clock.advance(24 * 3_600_000);
    let fresh = create_upload(&w.srv, &w.secretary_b, 800).await;
    assert_eq!(fresh.status(), StatusCode::CREATED);
    assert_eq!(files(), 2, "only the fresh upload is left");
    // And its bytes no longer count against the device's quota.
    let patch = w
        .srv
        .send(
            w.srv
                .http
                .patch(upload_url(&w.srv, &forgotten))
                .bearer_auth(&w.secretary_a.credential)
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", "0")
                .header("Content-Type", "application/offset+octet-stream")
                .body(vec![0u8; 10]),
        )
        .await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------- the audit log

#[tokio::test]
async fn the_admin_reads_who_did_what_when_and_from_where() {
    let srv = TestServer::start_with(|c| c.trusted_proxies = vec!["127.0.0.1".into()]).await;
    let mut w = World::on(srv).await;
    let srv = &w.srv;
    for (username, role) in [
        ("hanh", DashboardRole::CommuneAdmin),
        ("lan", DashboardRole::CommuneViewer),
    ] {
        users::create_user(
            &*srv.storage,
            NewUser {
                username: username.into(),
                display_name: format!("Đồng chí {username}"),
                password: PASSWORD.into(),
                role,
                commune_id: Some(w.commune.id.clone()),
                province_id: None,
            },
            srv.now(),
        )
        .unwrap();
    }
    // A wrong password from one address, then the admin from another, both through the
    // proxy.
    let wrong = sign_in(srv, "lan", "doan-mo-1234", Some("198.51.100.7")).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let admin = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let via = |r: reqwest::RequestBuilder| r.header("x-forwarded-for", "203.0.113.5");
    let form = via(admin.get(srv.url("/login"))).send().await.unwrap();
    let csrf = hidden(&form.text().await.unwrap(), "csrf");
    let signed = via(admin.post(srv.url("/login")))
        .form(&[
            ("username", "hanh"),
            ("password", PASSWORD),
            ("next", "/"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    let commune = w.commune.id.clone();
    let accounts = via(admin.get(srv.url(&format!("/communes/{commune}/accounts"))))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&accounts, "csrf");
    assert!(accounts.contains(&format!("/communes/{commune}/audit")));
    // An account action and an office action on the dashboard…
    let lan_id = users::list_users(&*srv.storage)
        .unwrap()
        .into_iter()
        .find(|u| u.username == "lan")
        .unwrap()
        .id;
    let locked = via(admin.post(srv.url(&format!("/communes/{commune}/accounts/{lan_id}/lock"))))
        .form(&[("csrf", csrf.as_str()), ("locked", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(locked.status(), StatusCode::SEE_OTHER);
    let saved = via(admin.post(srv.url(&format!("/communes/{commune}/rule-settings"))))
        .form(&[
            ("csrf", csrf.as_str()),
            ("small_cell_max_members", "12"),
            ("small_cell_min_minutes", "60"),
        ])
        .send()
        .await
        .unwrap();
    assert!(saved.status().is_redirection(), "{}", saved.status());
    // …and a device action through the API.
    let revoke =
        chibo_server::web::api::ADMIN_DEVICE_REVOKE_PATH.replace("{device_id}", &w.secretary_b.id);
    let revoked = srv
        .post(
            &revoke,
            Some(&w.commune.office.credential),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK);

    let page = via(admin.get(srv.url(&format!("/communes/{commune}/audit"))))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    for expected in [
        "Nhật ký thao tác",
        "Đăng nhập sai mật khẩu",
        "198.51.100.7",
        "Tài khoản hanh",
        "203.0.113.5",
        "Khóa tài khoản",
        "Thao tác của văn phòng",
        "đổi cài đặt quy định",
        "Thu hồi thiết bị",
        "Điện thoại của Lò Thị Xuân",
        "Thiết bị đăng ký",
    ] {
        assert!(page.contains(expected), "{expected} missing from {page}");
    }
    // Newest first.
    let revoked_at = page.find("Thu hồi thiết bị").unwrap();
    let signed_at = page.find("Đăng nhập sai mật khẩu").unwrap();
    assert!(revoked_at < signed_at);

    // A viewer has no such page; another commune's admin does not see this one.
    let other = srv.commune("Đảng bộ xã Mường Chanh").await;
    users::create_user(
        &*srv.storage,
        NewUser {
            username: "khac".into(),
            display_name: "Đồng chí Khác".into(),
            password: PASSWORD.into(),
            role: DashboardRole::CommuneAdmin,
            commune_id: Some(other.id.clone()),
            province_id: None,
        },
        srv.now(),
    )
    .unwrap();
    let stranger = signed_in(srv, "khac").await;
    let theirs = stranger
        .get(srv.url(&format!("/communes/{commune}/audit")))
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    let own = stranger
        .get(srv.url(&format!("/communes/{}/audit", other.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!own.contains("198.51.100.7"), "{own}");
    let _ = &mut w;
}

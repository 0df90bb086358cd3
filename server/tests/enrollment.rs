//! Enrolment with a one-time code, replay and expiry, and revocation, over real HTTP.

mod support;

use chibo_domain::sync::{
    EnrollResponse, ErrorBody, Role, SyncRequest, ENROLL_PATH, PROTOCOL_VERSION, SYNC_PATH,
};
use chibo_server::accounts::enrolment::DeviceInfo;
use chibo_server::web::api::{ADMIN_DEVICES_PATH, ADMIN_DEVICE_REVOKE_PATH};
use reqwest::StatusCode;
use support::*;

fn empty_sync(srv: &TestServer) -> SyncRequest {
    SyncRequest {
        protocol: PROTOCOL_VERSION,
        device_clock_at_send: srv.now(),
        push: Vec::new(),
        cursors: Vec::new(),
        pull_limit: None,
    }
}

#[tokio::test]
async fn a_phone_enrols_once_with_its_code_and_gets_a_working_credential() {
    let srv = TestServer::start().await;
    let commune = srv.commune("Đảng bộ xã Xuân Hòa").await;
    let village = Village::new(&commune.id, &commune.name, "Chi bộ bản Nà Hẩu");
    let mut office = commune.office;
    office.push(&srv, village.roster_changes()).await;
    let issued = srv
        .issue(
            &office,
            "Lò Văn Hùng",
            Role::Secretary {
                cell_id: village.cell.id.clone(),
            },
        )
        .await;
    assert_eq!(issued.code.len(), 12);
    // The QR carries the address phones use (here the bound loopback address) and the code.
    assert_eq!(issued.server_url, srv.base);
    assert_eq!(
        issued.qr,
        format!("chibo:enroll:v2:{}:{}", issued.code, srv.base)
    );

    // Typed the way a person reads it aloud: lower case with a dash.
    let typed = format!("{}-{}", &issued.code[..4], issued.code[4..].to_lowercase());
    let key = new_key();
    let reply = srv
        .enroll_reply(&typed, &key, "Samsung A05 của anh Hùng")
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let enrolled: EnrollResponse = reply.json();
    assert_eq!(enrolled.person.full_name, "Lò Văn Hùng");
    assert_eq!(enrolled.commune_name, "Đảng bộ xã Xuân Hòa");
    assert_eq!(enrolled.server_time, srv.now());
    assert_eq!(
        enrolled.person.role,
        Role::Secretary {
            cell_id: village.cell.id.clone()
        }
    );

    // The credential works; the code does not work twice.
    let phone = Device::new(enrolled.clone(), key);
    let reply = phone.sync_reply(&srv, &empty_sync(&srv)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let replay = srv.enroll_reply(&issued.code, &new_key(), "Máy khác").await;
    replay.error(StatusCode::CONFLICT, "code_used");

    // The server keeps neither the credential nor the code in the clear.
    let stored = srv.devices(&commune.id);
    assert!(!stored.contains(&enrolled.credential));
    assert!(
        stored.contains(&chibo_server::accounts::devices::hash_secret(
            &enrolled.credential
        ))
    );

    // The office sees the phone with its last sync.
    let reply = srv.get(ADMIN_DEVICES_PATH, Some(&office.credential)).await;
    let devices: Vec<DeviceInfo> = reply.json();
    let listed = devices
        .iter()
        .find(|d| d.device_id == enrolled.device_id)
        .unwrap();
    assert_eq!(listed.label, "Samsung A05 của anh Hùng");
    assert_eq!(listed.person_name, "Lò Văn Hùng");
    assert_eq!(listed.last_sync_at, Some(srv.now()));
    assert_eq!(listed.revoked_at, None);
}

#[tokio::test]
async fn an_expired_or_unknown_code_enrols_nothing() {
    let srv = TestServer::start_with(|c| c.enrollment_code_ttl_hours = 48).await;
    let commune = srv.commune("Đảng bộ xã Chiềng Sơn").await;
    let issued = srv.issue_office(&commune.id, "Cầm Thị Vân");
    let before = srv.devices(&commune.id);

    srv.clock.advance(48 * 3_600_000);
    srv.enroll_reply(&issued.code, &new_key(), "Máy văn phòng 2")
        .await
        .error(StatusCode::GONE, "code_expired");
    srv.enroll_reply("ZZZZ2222", &new_key(), "Máy lạ")
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(srv.devices(&commune.id), before);

    // A fresh code for the same person works.
    let fresh = srv.issue_office_for(&commune.id, &issued.person.id);
    srv.enroll(&fresh.code, "Máy văn phòng 2").await;
}

#[tokio::test]
async fn a_bad_public_key_is_refused_and_the_code_stays_usable() {
    let srv = TestServer::start().await;
    let commune = srv.commune("Đảng bộ xã Mường Bú").await;
    let issued = srv.issue_office(&commune.id, "Quàng Văn Tính");
    let reply = srv
        .post(
            chibo_domain::sync::ENROLL_PATH,
            None,
            &serde_json::json!({
                "protocol": PROTOCOL_VERSION,
                "code": issued.code,
                "public_key_hex": "abcd",
                "device_label": "Máy hỏng khóa"
            }),
        )
        .await;
    reply.error(StatusCode::BAD_REQUEST, "bad_request");
    srv.enroll(&issued.code, "Máy văn phòng").await;
}

#[tokio::test]
async fn a_revoked_phone_is_refused_on_its_next_request() {
    let w = World::new().await;
    let srv = &w.srv;
    let reply = w.secretary_b.sync_reply(srv, &empty_sync(srv)).await;
    assert_eq!(reply.status, StatusCode::OK);

    // Only the office revokes, and only its own commune's devices.
    let path = ADMIN_DEVICE_REVOKE_PATH.replace("{device_id}", &w.secretary_b.id);
    srv.post(
        &path,
        Some(&w.secretary_a.credential),
        &serde_json::json!({}),
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden");
    let other = srv.commune("Đảng bộ xã Nậm Lầu").await;
    srv.post(
        &path,
        Some(&other.office.credential),
        &serde_json::json!({}),
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");

    let reply = srv
        .post(
            &path,
            Some(&w.commune.office.credential),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let revoked: DeviceInfo = reply.json();
    assert_eq!(revoked.revoked_at, Some(srv.now()));

    let refused = w.secretary_b.sync_reply(srv, &empty_sync(srv)).await;
    let body: ErrorBody = refused.error(StatusCode::UNAUTHORIZED, "revoked");
    assert!(body.message.contains("thu hồi"), "{}", body.message);
    // Other phones go on.
    let reply = w.secretary_a.sync_reply(srv, &empty_sync(srv)).await;
    assert_eq!(reply.status, StatusCode::OK);
    // And a revoked office phone cannot use the admin API either.
    let path = ADMIN_DEVICE_REVOKE_PATH.replace("{device_id}", &w.commune.office.id);
    srv.post(
        &path,
        Some(&w.commune.office.credential),
        &serde_json::json!({}),
    )
    .await;
    srv.get(ADMIN_DEVICES_PATH, Some(&w.commune.office.credential))
        .await
        .error(StatusCode::UNAUTHORIZED, "revoked");
    let _ = SYNC_PATH;
}

/// The phone sent its enrolment and lost the answer (the link dropped on the way back):
/// asking again with the same code and key gets the same device, with a credential it
/// now holds; the one it never received stops working. Anything else is refused.
#[tokio::test]
async fn a_lost_answer_is_retried_to_the_same_device() {
    let srv = TestServer::start().await;
    let commune = srv.commune("Đảng bộ xã Nậm Lầu").await;
    let issued = srv.issue_office(&commune.id, "Lò Thị Mai");
    let key = new_key();
    let mut request = chibo_domain::sync::EnrollRequest {
        protocol: chibo_domain::sync::PROTOCOL_VERSION,
        code: issued.qr.clone(),
        public_key_hex: chibo_domain::checkin::public_key_hex(&key),
        device_label: "Samsung A05 của chị Mai".into(),
        key_protection: Some(chibo_domain::sync::KeyProtection::Wrapped),
    };
    let first = srv.post(ENROLL_PATH, None, &request).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let lost: EnrollResponse = first.json();

    srv.clock.advance(90_000);
    let again = srv.post(ENROLL_PATH, None, &request).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    let kept: EnrollResponse = again.json();
    assert_eq!(
        kept.device_id, lost.device_id,
        "the same device, not a second one"
    );
    assert_ne!(kept.credential, lost.credential);
    let devices: Vec<DeviceInfo> = srv
        .get(ADMIN_DEVICES_PATH, Some(&commune.office.credential))
        .await
        .json();
    let mine: Vec<&DeviceInfo> = devices
        .iter()
        .filter(|d| d.person_id == kept.person.id)
        .collect();
    assert_eq!(mine.len(), 1, "no orphan device: {devices:?}");
    assert_eq!(
        mine[0].key_protection,
        Some(chibo_domain::sync::KeyProtection::Wrapped)
    );

    // Only the credential delivered works.
    let never_delivered = Device::new(lost, new_key());
    never_delivered
        .sync_reply(&srv, &empty_sync(&srv))
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");
    let phone = Device::new(kept, key);
    let reply = phone.sync_reply(&srv, &empty_sync(&srv)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    // Another key with the same code, or the same key once the phone has synced: used.
    let mut other = request.clone();
    other.public_key_hex = chibo_domain::checkin::public_key_hex(&new_key());
    srv.post(ENROLL_PATH, None, &other)
        .await
        .error(StatusCode::CONFLICT, "code_used");
    request.device_label = "Samsung A05 (lần nữa)".into();
    srv.post(ENROLL_PATH, None, &request)
        .await
        .error(StatusCode::CONFLICT, "code_used");
}

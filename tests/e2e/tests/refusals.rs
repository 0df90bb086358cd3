//! What goes wrong on purpose: a revoked phone, a change the rules refuse, a replayed
//! or expired enrolment code, and requests a broken or hostile client sends. Each is
//! answered clearly, nothing wrong is stored, nothing right is lost, and the server
//! goes on serving.

use base64::Engine as _;
use chibo_domain::sync::{Scope, BLOBS_PATH, SYNC_PATH, UPLOADS_PATH};
use chibo_domain::*;
use chibo_e2e::raw::{gzip, Request};
use chibo_e2e::*;
use chibo_server::admin;
use reqwest::Method;
use sha2::{Digest, Sha256};

fn person_id(phone: &chibo_demo::Phone) -> String {
    ok(phone.status(), "status")
        .enrolled_as
        .expect("enrolled")
        .person_id
}

#[test]
fn a_revoked_phone_is_told_in_vietnamese_and_keeps_everything_for_its_next_enrolment() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(1));
    let secretary = town.secretary_phone(&cluster, 0);
    let cell_id = town.cell(0).id.clone();
    let recorded = record_signed_meeting(&secretary, &town, 0, &["phone/gps_tagged.jpg"]);
    let made = pending_outbox(&secretary);
    assert!(made > 20, "a whole meeting is waiting: {made}");

    // The office withdraws the phone (lost, or handed to someone else).
    admin::revoke_device(
        cluster.storage(),
        &town.seed.id,
        &server_device_id(&secretary),
        now(),
    )
    .expect("revoke");
    let error = secretary.sync().expect_err("a revoked phone cannot sync");
    let message = error.to_string();
    assert!(message.contains("thu hồi"), "{message}");
    let status = ok(secretary.status(), "status");
    assert!(
        status
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("thu hồi")),
        "{:?}",
        status.last_error
    );
    // Nothing was lost on the phone, nothing reached the server.
    assert_eq!(pending_outbox(&secretary), made);
    assert_eq!(status.pending_changes, made);
    assert_eq!(status.pending_photos, 1);
    assert_eq!(
        server_census(&cluster, &town.seed.id, Some(&cell_id)).meetings,
        0
    );
    assert!(server_blobs(&cluster).is_empty());

    // A new code from the office, the same phone: everything goes up, once.
    let code = admin::issue_code(
        cluster.storage(),
        &town.seed.id,
        &person_id(&secretary),
        3_600_000,
        now(),
        &cluster.url(),
    )
    .expect("a new code")
    .qr;
    ok(secretary.enroll(&cluster.url(), &code), "enrol again");
    let report = sync_all(&secretary);
    assert_eq!(report.pushed, made, "{}", report.summary);
    let record = ok(
        secretary.store.meeting_record(recorded.meeting_id.clone()),
        "read",
    );
    assert_eq!(
        server_record(&cluster, &town.seed.id, &recorded.meeting_id),
        Some(record)
    );
    assert_eq!(
        server_blobs(&cluster).into_keys().collect::<Vec<_>>(),
        vec![recorded.photos[0].sha256.clone()]
    );
    let log = server_log(&cluster, &town.seed.id);
    assert_log_holds_each_change_once(&log);
    assert_phone_changes_logged_once(&secretary, &log);
}

#[test]
fn a_change_the_rules_refuse_waits_on_the_phone_while_the_rest_goes_through() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(1));
    let cell_id = town.cell(0).id.clone();
    // The secretary has two phones: the cell's, and her own.
    let first = town.secretary_phone(&cluster, 0);
    let code = admin::issue_code(
        cluster.storage(),
        &town.seed.id,
        &person_id(&first),
        3_600_000,
        now(),
        &cluster.url(),
    )
    .expect("a second code")
    .qr;
    let second = cluster.phone("xh-bi-thu-0-may-rieng");
    ok(
        second.enroll(&cluster.url(), &code),
        "enrol the second phone",
    );

    let meeting_id = record_month(&first, &town, 0, 30);
    sync_all(&first);
    sync_all(&second);
    // The first phone signs; the second, offline, still adds a speech to the meeting,
    // then records the next meeting.
    ok(first.store.sign_meeting(meeting_id.clone()), "sign");
    sync_all(&first);
    let member = town.roster(0)[2].id.clone();
    ok(
        second.store.add_speech(
            meeting_id.clone(),
            Speaker::Member { member_id: member },
            "Bổ sung ý kiến về đường nước".to_string(),
        ),
        "a late speech",
    );
    let next = record_month(&second, &town, 0, 5);

    let report = ok(second.sync(), "sync");
    assert_eq!(report.rejected.len(), 1, "{}", report.summary);
    let refused = &report.rejected[0];
    assert_eq!(refused.code, "frozen", "{refused:?}");
    assert!(!refused.reason.trim().is_empty() && !refused.advice.trim().is_empty());
    assert!(report.summary.contains("Cần xử lý"), "{}", report.summary);
    // The rest went through: nothing waits, the next meeting is on the server.
    assert_eq!(report.pending_changes, 0, "{}", report.summary);
    assert_eq!(pending_outbox(&second), 0);
    let status = ok(second.status(), "status");
    assert_eq!(status.needs_attention, report.rejected);
    let signed = ok(first.store.meeting_record(meeting_id.clone()), "read");
    assert_eq!(
        server_record(&cluster, &town.seed.id, &meeting_id),
        Some(signed)
    );
    let later = ok(second.store.meeting_record(next.clone()), "read");
    assert_eq!(server_record(&cluster, &town.seed.id, &next), Some(later));
    assert_eq!(
        server_census(&cluster, &town.seed.id, Some(&cell_id)).meetings,
        2
    );
    // Still on the list after the next run, until she deals with it.
    sync_all(&second);
    assert_eq!(ok(second.status(), "status").needs_attention.len(), 1);
    ok(second.store.dismiss_needs_attention(refused.id), "dismiss");
    assert!(ok(second.status(), "status").needs_attention.is_empty());
}

#[test]
fn a_replayed_or_expired_enrolment_code_is_refused_and_changes_nothing() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(1));
    let cadre = town.cadre_of(0);
    let code = town.issue(
        &cluster,
        &cadre.full_name,
        chibo_domain::sync::Role::Cadre {
            cadre_id: cadre.id.clone(),
        },
    );
    let phone = cluster.phone("xh-can-bo");
    ok(phone.enroll(&cluster.url(), &code), "enrol");
    let devices = admin::list_devices(cluster.storage(), &town.seed.id).unwrap();

    // The same code read again by another phone (a photo of the QR code, say).
    let thief = cluster.phone("may-la");
    let error = thief
        .enroll(&cluster.url(), &code)
        .expect_err("a used code enrols nobody");
    assert!(error.to_string().contains("đã được dùng"), "{error}");
    assert!(ok(thief.status(), "status").enrolled_as.is_none());

    // A code that expired before anyone used it.
    let person = ok(phone.status(), "status").enrolled_as.unwrap().person_id;
    let stale = admin::issue_code(
        cluster.storage(),
        &town.seed.id,
        &person,
        60_000,
        now() - 120_000,
        &cluster.url(),
    )
    .unwrap()
    .code;
    let error = thief
        .enroll(&cluster.url(), &stale)
        .expect_err("an expired code enrols nobody");
    assert!(error.to_string().contains("hết hạn"), "{error}");

    assert_eq!(
        admin::list_devices(cluster.storage(), &town.seed.id).unwrap(),
        devices
    );
    sync_all(&phone);
}

/// What the server holds, to compare before and after bad requests.
fn snapshot(cluster: &Cluster, communes: &[&str]) -> String {
    let mut out = String::new();
    for commune in communes {
        out.push_str(&format!("{:?}\n", server_census(cluster, commune, None)));
        out.push_str(&format!("{:?}\n", server_log(cluster, commune)));
        out.push_str(&format!(
            "{:?}\n",
            admin::list_devices(cluster.storage(), commune).unwrap()
        ));
    }
    out.push_str(&format!("{:?}", server_blobs(cluster)));
    out
}

fn sync_body(cursors: serde_json::Value, push: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "protocol": chibo_domain::sync::PROTOCOL_VERSION,
        "device_clock_at_send": now(),
        "push": push,
        "cursors": cursors,
        "pull_limit": 50,
    })
}

#[test]
fn bad_requests_get_a_clear_4xx_store_nothing_and_the_server_keeps_serving() {
    let cluster = Cluster::start_with(|config| config.max_body_bytes = 64 * 1024);
    let town = Town::create(&cluster, "xh", small_commune(2));
    let other = Town::create(&cluster, "kh", small_commune(1));
    let secretary = town.secretary_phone(&cluster, 0);
    let recorded = record_signed_meeting(&secretary, &town, 0, &["phone/gps_tagged.jpg"]);
    sync_all(&secretary);
    let credential = credential_of(&secretary);
    let before = snapshot(&cluster, &[&town.seed.id, &other.seed.id]);

    // Malformed, cut short, wrongly compressed, oversized.
    Request::new(Method::POST, SYNC_PATH)
        .credential(&credential)
        .body(
            "application/json",
            b"{\"protocol\": 1, \"push\": [".to_vec(),
        )
        .send(&cluster)
        .error(400, "bad_request");
    Request::post_json(SYNC_PATH, &serde_json::json!({"protocol": "một"}))
        .credential(&credential)
        .send(&cluster)
        .error(400, "bad_request");
    Request::new(Method::POST, SYNC_PATH)
        .credential(&credential)
        .header("content-encoding", "gzip")
        .body("application/json", b"this is not gzip".to_vec())
        .send(&cluster)
        .error(400, "bad_request");
    // 8 MiB of JSON whitespace, 8 KiB gzipped: the limit applies after decompression.
    let mut bomb = vec![b' '; 8 * 1024 * 1024];
    bomb.extend_from_slice(b"{}");
    Request::new(Method::POST, SYNC_PATH)
        .credential(&credential)
        .header("content-encoding", "gzip")
        .body("application/json", gzip(&bomb))
        .send(&cluster)
        .error(413, "too_large");

    // Wrong credentials.
    let valid = sync_body(serde_json::json!([]), serde_json::json!([]));
    Request::post_json(SYNC_PATH, &valid)
        .send(&cluster)
        .error(401, "unauthorized");
    Request::post_json(SYNC_PATH, &valid)
        .credential("chibo-khong-dung")
        .send(&cluster)
        .error(401, "unauthorized");

    assert_eq!(snapshot(&cluster, &[&town.seed.id, &other.seed.id]), before);

    // Another cell's scope, another commune's: a cursor there reads nothing of it (and
    // is no reason to refuse what the phone pushes).
    for scope in [
        Scope::Cell(town.cell(1).id.clone()),
        Scope::Cell(other.cell(0).id.clone()),
        Scope::Commune(other.seed.id.clone()),
    ] {
        let body = sync_body(
            serde_json::json!([{ "scope": scope, "after": 0 }]),
            serde_json::json!([]),
        );
        let reply = Request::post_json(SYNC_PATH, &body)
            .credential(&credential)
            .send(&cluster);
        assert_eq!(reply.status, 200, "{}", reply.body);
        let text = scope.to_string();
        assert!(
            reply.body["pulled"]
                .as_array()
                .is_some_and(|pages| pages.iter().all(|p| p["scope"] != text.as_str())),
            "{}",
            reply.body
        );
        assert!(
            reply.body["readable"]
                .as_array()
                .is_some_and(|r| r.iter().all(|s| s != text.as_str())),
            "{}",
            reply.body
        );
    }
    // Those were answered syncs: the device's last sync moved, nothing else.
    let before = snapshot(&cluster, &[&town.seed.id, &other.seed.id]);

    // A change far ahead of the phone's numbering.
    let gap = sync_body(
        serde_json::json!([]),
        serde_json::json!([{
            "device_seq": 1000,
            "hlc": { "millis": now(), "counter": 0, "node": "x" },
            "created_at": now(),
            "change": { "op": "sign_meeting", "meeting_id": recorded.meeting_id,
                        "signature": { "signed_at": now(), "chair_name": "A",
                                       "minute_taker_name": "B" } },
        }]),
    );
    let reply = Request::post_json(SYNC_PATH, &gap)
        .credential(&credential)
        .send(&cluster);
    assert!(
        reply.status == 409 || reply.status == 400,
        "{} {}",
        reply.status,
        reply.body
    );

    // Blob ids with a path in them, or not a hash at all.
    for id in [
        "..%2F..%2Fserver.db",
        "..%2Fuploads",
        "%2Fetc%2Fpasswd",
        &recorded.photos[0].sha256.to_uppercase(),
        "abc",
    ] {
        let reply = Request::new(Method::GET, &format!("{BLOBS_PATH}/{id}"))
            .credential(&credential)
            .send(&cluster);
        assert!(
            (400..500).contains(&reply.status),
            "{id}: {} {}",
            reply.status,
            reply.body
        );
        assert!(reply.bytes.len() < 2048, "{id}: no file served");
    }

    // A photo whose bytes do not match the hash it was announced with.
    let bytes = std::fs::read(fixture("phone/gps_tagged.jpg")).unwrap();
    let claimed = hex::encode(Sha256::digest(b"another photo"));
    let metadata = format!(
        "sha256 {}",
        base64::engine::general_purpose::STANDARD.encode(&claimed)
    );
    let created = Request::new(Method::POST, UPLOADS_PATH)
        .credential(&credential)
        .header("tus-resumable", "1.0.0")
        .header("upload-length", bytes.len().to_string())
        .header("upload-metadata", metadata)
        .send(&cluster);
    assert_eq!(created.status, 201, "{}", created.body);
    let location = created.header("location").expect("Location").to_string();
    let upload_path = match location.strip_prefix("http") {
        Some(_) => location
            .splitn(4, '/')
            .nth(3)
            .map(|p| format!("/{p}"))
            .unwrap(),
        None if location.starts_with('/') => location.clone(),
        None => format!("/api/v1/{location}"),
    };
    let reply = Request::new(Method::PATCH, &upload_path)
        .credential(&credential)
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", "0")
        .body("application/offset+octet-stream", bytes.clone())
        .send(&cluster);
    assert_eq!(reply.status, 460, "{}", reply.body);
    let wrong_blob = Request::new(Method::GET, &format!("{BLOBS_PATH}/{claimed}"))
        .credential(&credential)
        .send(&cluster);
    assert!((400..500).contains(&wrong_blob.status));
    // An upload path with a path in it.
    let reply = Request::new(Method::PATCH, &format!("{UPLOADS_PATH}/..%2F..%2Fblobs"))
        .credential(&credential)
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", "0")
        .body("application/offset+octet-stream", b"x".to_vec())
        .send(&cluster);
    assert!((400..500).contains(&reply.status), "{}", reply.status);

    // Nothing of all that was stored, and the server still serves the phone.
    assert_eq!(snapshot(&cluster, &[&town.seed.id, &other.seed.id]), before);
    let next = record_month(&secretary, &town, 0, 5);
    sync_all(&secretary);
    assert!(server_record(&cluster, &town.seed.id, &next).is_some());
}

//! Bad input gets a clear 4xx JSON error in Vietnamese, stores nothing, and the server
//! goes on serving. Also: gzip both ways.

mod support;

use std::io::Write;

use chibo_domain::change::Change;
use chibo_domain::model::new_id;
use chibo_domain::sync::{
    AckOutcome, ErrorBody, Scope, ScopeCursor, SyncResponse, PROTOCOL_VERSION, SYNC_PATH,
};
use chibo_server::http::ADMIN_DEVICE_REVOKE_PATH;
use flate2::write::GzEncoder;
use flate2::Compression;
use reqwest::header::{HeaderValue, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::StatusCode;
use support::*;

const LIMIT: usize = 64 * 1024;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A raw POST of `body` to the sync endpoint.
fn raw(
    srv: &TestServer,
    credential: Option<&str>,
    body: Vec<u8>,
    gzipped: bool,
) -> reqwest::RequestBuilder {
    let mut request = srv
        .http
        .post(srv.url(SYNC_PATH))
        .header(CONTENT_TYPE, "application/json")
        .body(body);
    if gzipped {
        request = request.header(CONTENT_ENCODING, "gzip");
    }
    if let Some(c) = credential {
        request = request.bearer_auth(c);
    }
    request
}

#[tokio::test]
async fn bad_requests_are_answered_clearly_and_store_nothing() {
    let srv = TestServer::start_with(|c| c.max_body_bytes = LIMIT).await;
    let mut w = World::on(srv).await;
    // A second phone of B's secretary, revoked by the office.
    let code = w
        .srv
        .issue_for(&w.commune.office, &w.secretary_b.person.id)
        .await;
    let revoked = w.srv.enroll(&code.code, "Máy cũ").await;
    let path = ADMIN_DEVICE_REVOKE_PATH.replace("{device_id}", &revoked.id);
    let reply = w
        .srv
        .post(
            &path,
            Some(&w.commune.office.credential),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let other = w.srv.commune("Đảng bộ xã Nậm Lầu").await;

    let srv = &w.srv;
    let cred = w.secretary_a.credential.clone();
    let valid = serde_json::to_vec(&w.secretary_a.request(srv, Vec::new())).unwrap();
    let mut wrong_version: serde_json::Value = serde_json::from_slice(&valid).unwrap();
    wrong_version["protocol"] = (PROTOCOL_VERSION + 1).into();
    let mut foreign_cursor = w.secretary_a.request(srv, Vec::new());
    foreign_cursor.cursors.push(ScopeCursor {
        scope: Scope::Commune(other.id.clone()),
        after: 0,
    });
    let mut gap = w.secretary_a.request(srv, Vec::new());
    gap.push = w
        .secretary_a
        .entries(srv, w.a.roster_changes()[..1].to_vec());
    gap.push[0].device_seq = 40;
    w.secretary_a.next_seq = 1;
    let oversized = {
        let mut request = w.secretary_a.request(srv, Vec::new());
        request.push = w.secretary_a.entries(
            srv,
            vec![Change::UpsertCell {
                cell: chibo_domain::model::Cell {
                    name: "x".repeat(LIMIT),
                    ..w.a.cell.clone()
                },
            }],
        );
        w.secretary_a.next_seq = 1;
        serde_json::to_vec(&request).unwrap()
    };
    // Small on the wire, far past the limit once inflated.
    let bomb = {
        let mut text = valid.clone();
        text.truncate(text.len() - 1);
        text.extend_from_slice(b",\"padding\":\"");
        text.extend(std::iter::repeat_n(b'a', 16 * LIMIT));
        text.extend_from_slice(b"\"}");
        gzip(&text)
    };
    assert!(bomb.len() < LIMIT / 4);

    type Case = (
        &'static str,
        reqwest::RequestBuilder,
        StatusCode,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        ("malformed JSON", raw(srv, Some(&cred), b"{\"protocol\": 1, \"push\": [".to_vec(), false), StatusCode::BAD_REQUEST, "bad_request"),
        ("JSON of the wrong shape", raw(srv, Some(&cred), b"{\"protocol\": 1}".to_vec(), false), StatusCode::BAD_REQUEST, "bad_request"),
        ("not gzip though it says so", raw(srv, Some(&cred), valid.clone(), true), StatusCode::BAD_REQUEST, "bad_request"),
        ("oversized body", raw(srv, Some(&cred), oversized, false), StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        ("gzip bomb", raw(srv, Some(&cred), bomb, true), StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        ("no credential", raw(srv, None, valid.clone(), false), StatusCode::UNAUTHORIZED, "unauthorized"),
        ("wrong credential", raw(srv, Some("aGVsbG8td29ybGQ"), valid.clone(), false), StatusCode::UNAUTHORIZED, "unauthorized"),
        ("revoked credential", raw(srv, Some(&revoked.credential), valid.clone(), false), StatusCode::UNAUTHORIZED, "revoked"),
        ("unknown protocol version", raw(srv, Some(&cred), serde_json::to_vec(&wrong_version).unwrap(), false), StatusCode::BAD_REQUEST, "bad_request"),
        ("a gap in the sequence", raw(srv, Some(&cred), serde_json::to_vec(&gap).unwrap(), false), StatusCode::CONFLICT, "sequence_gap"),
        ("replayed enrolment code", srv.http.post(srv.url(chibo_domain::sync::ENROLL_PATH)).json(&serde_json::json!({
            "protocol": PROTOCOL_VERSION, "code": code.code, "public_key_hex": chibo_domain::checkin::public_key_hex(&new_key()), "device_label": "Máy lạ"
        })), StatusCode::CONFLICT, "code_used"),
        ("unknown path", srv.http.get(srv.url("/api/v1/khong-co")), StatusCode::NOT_FOUND, "not_found"),
    ];
    let communes = [w.commune.id.clone(), other.id.clone()];
    for (what, request, status, code) in cases {
        let before: Vec<(String, String)> = communes
            .iter()
            .map(|c| (srv.stored(c), srv.devices(c)))
            .collect();
        let reply = srv.send(request).await;
        let body: ErrorBody = reply.error(status, code);
        assert!(
            !body.message.is_ascii(),
            "{what}: a Vietnamese message: {}",
            body.message
        );
        let after: Vec<(String, String)> = communes
            .iter()
            .map(|c| (srv.stored(c), srv.devices(c)))
            .collect();
        assert_eq!(after, before, "{what} stored something");
    }

    // Another commune's scope named as a cursor reads nothing of it.
    let reply = srv
        .send(raw(
            srv,
            Some(&cred),
            serde_json::to_vec(&foreign_cursor).unwrap(),
            false,
        ))
        .await;
    assert_reads_nothing_of(&reply, &Scope::Commune(other.id.clone()));

    // A mutation that breaks a rule is acknowledged as rejected; nothing else is stored.
    let before = srv.stored(&w.commune.id);
    let response = w
        .secretary_a
        .push(
            srv,
            vec![Change::SignMeeting {
                meeting_id: new_id(),
                signature: w.a.signature(srv.now()),
            }],
        )
        .await;
    assert!(
        matches!(&response.acks[0].outcome, AckOutcome::Rejected { code, .. } if code == "not_found")
    );
    assert_eq!(srv.stored(&w.commune.id), before);

    // Still serving, and what follows is applied normally.
    let meeting = w.record_meeting_a(meeting_start()).await;
    assert!(!meeting.is_empty());
}

#[tokio::test]
async fn sync_travels_gzipped_both_ways() {
    let mut w = World::new().await;
    let srv = &w.srv;
    let meeting_id = new_id();
    let entries = w
        .secretary_a
        .entries(srv, w.a.meeting_changes(&meeting_id, meeting_start()));
    let body = serde_json::to_vec(&w.secretary_a.request(srv, entries)).unwrap();
    let compressed = gzip(&body);
    assert!(compressed.len() * 3 < body.len());

    // A client that does not inflate by itself, to see the wire.
    let plain = reqwest::Client::builder().no_gzip().build().unwrap();
    let response = plain
        .post(srv.url(SYNC_PATH))
        .bearer_auth(&w.secretary_a.credential)
        .header(CONTENT_TYPE, "application/json")
        .header(CONTENT_ENCODING, "gzip")
        .header(ACCEPT_ENCODING, "gzip")
        .body(compressed)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get(CONTENT_ENCODING),
        Some(&HeaderValue::from_static("gzip"))
    );
    let bytes = response.bytes().await.unwrap();
    let mut inflated = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut inflated)
        .unwrap();
    let answer: SyncResponse = serde_json::from_slice(&inflated).unwrap();
    assert_all_applied(&answer);
    assert!(bytes.len() * 2 < inflated.len());
}

//! Credentials are checked before anything else of a request is read: a request without
//! a valid device credential gets 401 whatever its body, query, path or protocol headers
//! say. So an anonymous client cannot make the server decompress and parse megabytes,
//! and it learns nothing from the order of the checks (issue 14).

mod support;

use std::io::Write;

use chibo_domain::sync::{BLOBS_PATH, ENROLL_PATH, OPENAPI_PATH, SYNC_PATH, UPLOADS_PATH};
use chibo_server::web::api::api_routes;
use flate2::write::GzEncoder;
use flate2::Compression;
use reqwest::header::{CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use support::*;

/// A wrong credential of the right shape, and none at all.
const CREDENTIALS: [Option<&str>; 2] = [Some("aGVsbG8td29ybGQtbm90LWEtZGV2aWNl"), None];

fn expect_unauthorized(reply: &Reply, what: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "{what}: {}",
        reply.body
    );
    assert_eq!(reply.body["code"], "unauthorized", "{what}: {}", reply.body);
}

#[tokio::test]
async fn an_unauthenticated_sync_is_refused_before_its_body_is_read() {
    let srv = TestServer::start().await;
    // Inflates to more than the body limit (4 MiB) from a few KiB on the wire: parsed
    // first, it costs the server the whole decompression and answers 413.
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(b"{\"push\": [").unwrap();
    encoder
        .write_all(&vec![b' '; srv.config.max_body_bytes + 1024])
        .unwrap();
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 64 * 1024);
    for credential in CREDENTIALS {
        for (what, body, gzipped) in [
            ("inflating past the limit", bomb.clone(), true),
            ("not JSON", b"{\"protocol\": ".to_vec(), false),
            (
                "another protocol",
                br#"{"protocol": 999, "push": []}"#.to_vec(),
                false,
            ),
        ] {
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
            let reply = srv.send(request).await;
            expect_unauthorized(&reply, &format!("{what}, credential {credential:?}"));
        }
    }
}

#[tokio::test]
async fn every_api_route_checks_the_credential_before_its_path_query_and_body() {
    let srv = TestServer::start().await;
    // Enrolment's credential is the code in its body; the document is public.
    let open = [ENROLL_PATH, OPENAPI_PATH];
    let mut checked = 0;
    for (method, path, _) in api_routes() {
        if open.contains(&path) {
            continue;
        }
        // A path parameter that is not UTF-8, a query that cannot be read, a body that
        // is not JSON: each is a 400 once the device is known, never before.
        let concrete = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "%FF%FE"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let url = srv.url(&format!("{concrete}?month=x&cell=a&cell=b"));
        for credential in CREDENTIALS {
            let mut request = srv
                .http
                .request(
                    Method::from_bytes(method.as_str().as_bytes()).unwrap(),
                    &url,
                )
                .header(CONTENT_TYPE, "application/json")
                .body("{\"full_name\": ");
            if let Some(c) = credential {
                request = request.bearer_auth(c);
            }
            let reply = srv.send(request).await;
            expect_unauthorized(
                &reply,
                &format!("{method} {path}, credential {credential:?}"),
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} routes checked");

    // The same malformed requests from a known device are refused for what they are.
    let commune = srv.commune("Xã Chiềng Sơn").await;
    let reply = srv
        .send(
            srv.http
                .post(srv.url(SYNC_PATH))
                .bearer_auth(&commune.office.credential)
                .header(CONTENT_TYPE, "application/json")
                .body("{\"protocol\": "),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
}

#[tokio::test]
async fn the_upload_endpoints_check_the_credential_before_the_tus_protocol() {
    let srv = TestServer::start().await;
    let upload = format!("{UPLOADS_PATH}/0123456789abcdef0123456789abcdef");
    for credential in CREDENTIALS {
        for (method, path) in [
            (Method::POST, UPLOADS_PATH.to_string()),
            (Method::HEAD, upload.clone()),
            (Method::PATCH, upload.clone()),
            (Method::DELETE, upload.clone()),
            // Not a SHA-256: a 400 for a device, but only once it is known.
            (Method::GET, format!("{BLOBS_PATH}/not-a-sha256")),
        ] {
            // No Tus-Resumable (412 for a known device), no Upload-Length, a body of
            // the wrong type.
            let mut request = srv
                .http
                .request(method.clone(), srv.url(&path))
                .header(CONTENT_TYPE, "text/plain")
                .body("x");
            if let Some(c) = credential {
                request = request.bearer_auth(c);
            }
            let response = request.send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path}, credential {credential:?}"
            );
        }
    }

    // A known device without Tus-Resumable still gets the protocol's 412.
    let commune = srv.commune("Xã Chiềng Sơn").await;
    let response = srv
        .http
        .post(srv.url(UPLOADS_PATH))
        .bearer_auth(&commune.office.credential)
        .header("Upload-Length", "10")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
}

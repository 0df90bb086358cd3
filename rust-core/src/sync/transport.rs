//! HTTP to the commune server: gzip JSON for enrolment and sync, and a small tus 1.0
//! client (creation, HEAD offsets, PATCH) for photos.
//!
//! Why our own tus client: the one Rust crate on crates.io, `tus_client` 0.1.1 (2019), is
//! blocking-only on reqwest 0.9, has no checksum extension and is unmaintained; the
//! part of tus we need is four requests, so it lives here over the same reqwest client.
//!
//! Each call blocks the caller on the engine's own tokio runtime; status codes become
//! [`SyncError`]s here, so the engine sees the protocol, not HTTP.

use std::io::Write;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chibo_domain::sync::{ErrorBody, AUTH_SCHEME};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::{NetworkProblem, SyncError};

const TUS_VERSION: &str = "1.0.0";
/// The tus checksum extension's status for a chunk whose checksum does not match.
const CHECKSUM_MISMATCH: u16 = 460;

/// Time limits for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    /// The whole request, body included: a 64 KiB chunk takes ~13 s at 40 kbps.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(30),
            request: Duration::from_secs(120),
        }
    }
}

/// What a tus PATCH came to, short of an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PatchOutcome {
    /// Accepted: the server's new offset.
    Offset(u64),
    /// The upload no longer exists on the server (404/410): start a new one.
    Gone,
    /// Our offset is not the server's (409): ask it with HEAD.
    OffsetConflict,
    /// The chunk arrived damaged (460): send it again.
    ChecksumMismatch,
}

/// A created tus upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Created {
    pub url: Url,
    /// Some servers answer a creation for bytes they already hold with the full offset.
    pub offset: Option<u64>,
}

pub(crate) struct Transport {
    client: reqwest::Client,
    // Declared after the client so that it is dropped last.
    runtime: tokio::runtime::Runtime,
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Transport {
    pub fn new(timeouts: Timeouts) -> Result<Transport, SyncError> {
        // One worker keeps pooled connections alive between the caller's blocking calls.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("chibo-sync")
            .enable_all()
            .build()
            .map_err(|e| SyncError::Setup(e.to_string()))?;
        let client = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .user_agent(concat!("chibo-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Setup(e.to_string()))?;
        Ok(Transport { client, runtime })
    }

    /// POSTs `body` as gzip-compressed JSON and reads the JSON answer.
    pub fn post_json<B: Serialize, R: DeserializeOwned>(
        &self,
        url: Url,
        credential: Option<&str>,
        body: &B,
    ) -> Result<R, SyncError> {
        let json = serde_json::to_vec(body).expect("protocol types serialise");
        let mut request = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_ENCODING, "gzip")
            .body(gzip(&json));
        if let Some(credential) = credential {
            request = request.header(AUTHORIZATION, bearer(credential));
        }
        let answer = self.send(request)?;
        if !answer.status.is_success() {
            return Err(status_error(answer.status, &answer.body));
        }
        serde_json::from_slice(&answer.body).map_err(|e| {
            if e.is_eof() {
                // A close-delimited body cut short looks complete to HTTP.
                SyncError::Network(NetworkProblem::CutShort)
            } else {
                SyncError::Garbage {
                    detail: "dữ liệu JSON không hợp lệ".into(),
                }
            }
        })
    }

    /// tus creation: a new upload of `length` bytes, tagged with the photo's hash.
    pub fn tus_create(
        &self,
        url: Url,
        credential: &str,
        length: u64,
        sha256_hex: &str,
    ) -> Result<Created, SyncError> {
        let request = self
            .tus(Method::POST, url.clone(), credential)
            .header("Upload-Length", length)
            .header(
                "Upload-Metadata",
                format!("sha256 {}", BASE64.encode(sha256_hex)),
            );
        let answer = self.send(request)?;
        if !answer.status.is_success() {
            return Err(status_error(answer.status, &answer.body));
        }
        let location =
            header_text(&answer.headers, "location").ok_or_else(|| SyncError::Garbage {
                detail: "thiếu địa chỉ tải lên (Location)".into(),
            })?;
        let url = url.join(location).map_err(|_| SyncError::Garbage {
            detail: format!("địa chỉ tải lên không hợp lệ: {location}"),
        })?;
        Ok(Created {
            url,
            offset: upload_offset(&answer.headers)?,
        })
    }

    /// tus HEAD: the server's offset, or `None` when it no longer knows the upload.
    pub fn tus_offset(&self, url: Url, credential: &str) -> Result<Option<u64>, SyncError> {
        let answer = self.send(self.tus(Method::HEAD, url, credential))?;
        match answer.status {
            StatusCode::NOT_FOUND | StatusCode::GONE => Ok(None),
            status if status.is_success() => match upload_offset(&answer.headers)? {
                Some(offset) => Ok(Some(offset)),
                None => Err(SyncError::Garbage {
                    detail: "thiếu vị trí tải lên (Upload-Offset)".into(),
                }),
            },
            status => Err(status_error(status, &answer.body)),
        }
    }

    /// tus PATCH of one chunk at `offset`.
    ///
    /// Without `Upload-Checksum`: with one, a chunk cut by a dropped link is discarded
    /// whole and sent again, up to a chunk of airtime lost at every drop; without, the
    /// server keeps every byte that arrived and the phone goes on from there. Integrity
    /// does not suffer: TCP checks each segment, and the server hashes the whole photo
    /// against the SHA-256 it was declared with before publishing it (a mismatch is
    /// refused and the upload starts again).
    pub fn tus_patch(
        &self,
        url: Url,
        credential: &str,
        offset: u64,
        chunk: &[u8],
    ) -> Result<PatchOutcome, SyncError> {
        let request = self
            .tus(Method::PATCH, url, credential)
            .header(CONTENT_TYPE, "application/offset+octet-stream")
            .header("Upload-Offset", offset)
            .body(chunk.to_vec());
        let answer = self.send(request)?;
        match answer.status.as_u16() {
            404 | 410 => Ok(PatchOutcome::Gone),
            409 => Ok(PatchOutcome::OffsetConflict),
            CHECKSUM_MISMATCH => Ok(PatchOutcome::ChecksumMismatch),
            _ if answer.status.is_success() => match upload_offset(&answer.headers)? {
                Some(offset) => Ok(PatchOutcome::Offset(offset)),
                None => Err(SyncError::Garbage {
                    detail: "thiếu vị trí tải lên (Upload-Offset)".into(),
                }),
            },
            _ => Err(status_error(answer.status, &answer.body)),
        }
    }

    fn tus(&self, method: Method, url: Url, credential: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, url)
            .header("Tus-Resumable", TUS_VERSION)
            .header(AUTHORIZATION, bearer(credential))
    }

    fn send(&self, request: reqwest::RequestBuilder) -> Result<Answer, SyncError> {
        self.runtime.block_on(async move {
            let response = request.send().await.map_err(network_error)?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await.map_err(network_error)?;
            Ok(Answer {
                status,
                headers,
                body: body.to_vec(),
            })
        })
    }
}

fn bearer(credential: &str) -> HeaderValue {
    let mut value = HeaderValue::from_str(&format!("{AUTH_SCHEME} {credential}"))
        .unwrap_or_else(|_| HeaderValue::from_static("Bearer invalid"));
    value.set_sensitive(true);
    value
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .expect("writing to memory cannot fail")
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn upload_offset(headers: &HeaderMap) -> Result<Option<u64>, SyncError> {
    header_text(headers, "upload-offset")
        .map(|text| {
            text.trim().parse().map_err(|_| SyncError::Garbage {
                detail: format!("vị trí tải lên không hợp lệ: {text}"),
            })
        })
        .transpose()
}

fn network_error(e: reqwest::Error) -> SyncError {
    SyncError::Network(if e.is_timeout() {
        NetworkProblem::Timeout
    } else if e.is_connect() {
        NetworkProblem::Connect
    } else if e.is_body() || e.is_decode() || e.is_request() {
        // Connected, then the exchange broke off (before or during the answer).
        NetworkProblem::CutShort
    } else {
        NetworkProblem::Other
    })
}

/// The error for a non-success status, with the server's `ErrorBody` when it sent one.
fn status_error(status: StatusCode, body: &[u8]) -> SyncError {
    let error: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let code = error.as_ref().map(|e| e.code.as_str()).unwrap_or("");
    match status.as_u16() {
        401 if code == "revoked" => SyncError::Revoked,
        401 => SyncError::Unauthorized,
        413 => SyncError::TooLarge,
        409 if code == "sequence_gap" || code == "seq_conflict" => {
            match error.as_ref().and_then(|e| e.expected_seq) {
                Some(expected) if code == "seq_conflict" => SyncError::SeqConflict { expected },
                Some(expected) => SyncError::SequenceGap { expected },
                None => SyncError::Garbage {
                    detail: "thiếu số thứ tự máy chủ chờ (expected_seq)".into(),
                },
            }
        }
        408 | 429 | 500..=599 => SyncError::Server {
            status: status.as_u16(),
        },
        _ => match error {
            Some(ErrorBody { code, message, .. }) if !message.trim().is_empty() => {
                SyncError::Refused {
                    status: status.as_u16(),
                    code,
                    message,
                }
            }
            _ => SyncError::Refused {
                status: status.as_u16(),
                code: format!("http_{}", status.as_u16()),
                message: format!("Máy chủ từ chối yêu cầu (mã {}).", status.as_u16()),
            },
        },
    }
}

/// `base` (the enrolment's server URL) joined with a protocol path.
pub(crate) fn endpoint(base: &str, path: &str) -> Result<Url, SyncError> {
    Url::parse(&format!("{}{path}", base.trim_end_matches('/')))
        .map_err(|_| SyncError::BadServerUrl(base.to_string()))
}

/// Checks and normalises a server address typed by a person.
pub(crate) fn normalize_server_url(input: &str) -> Result<String, SyncError> {
    use chibo_domain::sync::{server_address, ServerAddressError};
    server_address(input).map_err(|e| match e {
        ServerAddressError::Malformed(_) => SyncError::BadServerUrl(input.to_string()),
        ServerAddressError::Insecure(url) => SyncError::InsecureServerUrl(url),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses_are_checked_and_normalised() {
        assert_eq!(
            normalize_server_url(" https://xa.example.vn/chibo/ ").unwrap(),
            "https://xa.example.vn/chibo"
        );
        for bad in [
            "",
            "xa.example.vn",
            "ftp://xa.example.vn",
            "https://x?a=1",
            "https://u@x.vn",
        ] {
            assert!(
                matches!(normalize_server_url(bad), Err(SyncError::BadServerUrl(_))),
                "{bad}"
            );
        }
        // Plain http only to this machine.
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:9000/x",
            "http://[::1]:80",
        ] {
            assert!(normalize_server_url(local).is_ok(), "{local}");
        }
        for remote in [
            "http://xa.example.vn",
            "http://192.168.1.10:8080",
            "http://10.0.2.2",
        ] {
            assert!(
                matches!(
                    normalize_server_url(remote),
                    Err(SyncError::InsecureServerUrl(_))
                ),
                "{remote}"
            );
        }
        assert_eq!(
            endpoint("https://xa.example.vn/chibo", "/api/v1/sync")
                .unwrap()
                .as_str(),
            "https://xa.example.vn/chibo/api/v1/sync"
        );
    }

    #[test]
    fn statuses_become_the_protocol_errors() {
        let body = |code: &str| {
            serde_json::to_vec(&ErrorBody {
                code: code.into(),
                message: "Mã đăng ký đã được dùng".into(),
                expected_seq: Some(7),
            })
            .unwrap()
        };
        let st = |n| StatusCode::from_u16(n).unwrap();
        assert!(matches!(
            status_error(st(401), &body("revoked")),
            SyncError::Revoked
        ));
        assert!(matches!(
            status_error(st(401), b"<html>"),
            SyncError::Unauthorized
        ));
        assert!(matches!(
            status_error(st(409), &body("sequence_gap")),
            SyncError::SequenceGap { expected: 7 }
        ));
        assert!(status_error(st(503), b"").is_transient());
        assert!(!status_error(st(413), b"").is_transient());
        let refused = status_error(st(410), &body("code_used"));
        assert_eq!(refused.to_string(), "Mã đăng ký đã được dùng");
        assert!(status_error(st(400), b"garbage")
            .to_string()
            .contains("mã 400"));
    }

    #[test]
    fn a_request_body_is_gzip() {
        let packed = gzip(b"{\"a\":1}");
        let mut out = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&packed[..]), &mut out)
            .unwrap();
        assert_eq!(out, "{\"a\":1}");
    }
}

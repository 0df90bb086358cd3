//! A scripted fake commune server for the sync engine's tests: real HTTP on loopback
//! (axum), speaking the wire protocol of `chibo_domain::sync` and tus 1.0. It records
//! every request, and can be told to answer a gap, a rejection, a 5xx, a cut body or
//! garbage. It is a boundary fake: the real server is tested on its own.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{head, post};
use axum::Router;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chibo_core::store::Store;
use chibo_core::sync::{Clock, Engine, RetryPolicy, Sleeper, SyncConfig};
use chibo_domain::change::Change;
use chibo_domain::hlc::Hlc;
use chibo_domain::sync::*;
use chibo_domain::*;
use sha2::{Digest, Sha256};

pub const COMMUNE_ID: &str = "0190a000-0000-7000-8000-000000000001";
pub const ENROLL_CODE: &str = "AB12CD34";
/// 24/11/2026 19:30 in Vietnam, the device's (injected) clock.
pub const DEVICE_NOW: EpochMillis = 1_795_523_400_000;

// ---------------------------------------------------------------- the fake

/// A canned answer to the next sync request, instead of the normal one.
#[derive(Clone, Debug)]
pub enum Canned {
    /// This status with this error body (or none).
    Status(u16, Option<ErrorBody>),
    /// 200 with something that is not JSON.
    Garbage,
    /// The body breaks off half-way; nothing was applied.
    CutBody,
    /// The push is applied, then the answer breaks off half-way (the ack is lost).
    CutBodyAfterApplying,
}

/// A canned answer to a tus request.
#[derive(Clone, Debug)]
pub enum TusCanned {
    Status(u16),
    /// PATCH: the chunk is stored, then the connection drops before the answer.
    CutAfterStoring,
    /// PATCH: answered 460, as if the chunk arrived damaged.
    ChecksumMismatch,
}

/// One tus request as the fake saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TusCall {
    Create { length: u64, sha256: String },
    Head { id: String },
    Patch { id: String, offset: u64, len: usize },
}

#[derive(Debug, Default)]
pub struct Upload {
    pub length: u64,
    pub sha256: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct Fake {
    // enrolment
    pub person: Option<Person>,
    pub device_id: String,
    pub credential: String,
    pub revoked: bool,
    pub enroll_requests: Vec<EnrollRequest>,
    // sync
    pub server_time: EpochMillis,
    pub clock_warning: Option<ClockWarning>,
    pub last_applied: u64,
    pub outcomes: BTreeMap<u64, AckOutcome>,
    /// Every change settled (applied or rejected), once each, in order.
    pub settled: Vec<PushedChange>,
    /// Rejections to give, by (wire) device_seq.
    pub reject: HashMap<u64, (String, String)>,
    /// Answer 413 to a push of more entries than this.
    pub max_push: Option<usize>,
    pub scopes: BTreeMap<Scope, Vec<PulledChange>>,
    /// At most this many pulled changes per scope and response.
    pub page_limit: usize,
    pub sync_script: VecDeque<Canned>,
    /// Every sync request that parsed, canned answers included.
    pub sync_requests: Vec<SyncRequest>,
    pub gzip_requests: usize,
    // tus
    pub uploads: BTreeMap<String, Upload>,
    pub next_upload: u32,
    pub blobs: BTreeMap<String, Vec<u8>>,
    pub tus_calls: Vec<TusCall>,
    /// Canned answers for the next tus requests in order; `None` = answer normally.
    pub tus_script: VecDeque<Option<TusCanned>>,
    pub bad_tus_headers: Vec<String>,
}

impl Fake {
    pub fn pushed_seqs(&self) -> Vec<Vec<u64>> {
        self.sync_requests
            .iter()
            .map(|r| r.push.iter().map(|p| p.device_seq).collect())
            .collect()
    }

    fn process(&mut self, request: &SyncRequest) -> Result<SyncResponse, Refusal> {
        if let Some(first) = request.push.first() {
            if first.device_seq > self.last_applied + 1 {
                return Err((
                    409,
                    ErrorBody {
                        code: "sequence_gap".into(),
                        message: "Thiếu thay đổi trước đó".into(),
                        expected_seq: Some(self.last_applied + 1),
                    },
                ));
            }
        }
        let mut acks = Vec::new();
        for pushed in &request.push {
            let seq = pushed.device_seq;
            if seq <= self.last_applied {
                acks.push(Ack {
                    device_seq: seq,
                    outcome: self.outcomes[&seq].clone(),
                });
            } else if seq == self.last_applied + 1 {
                let outcome = match self.reject.get(&seq) {
                    Some((code, reason)) => AckOutcome::Rejected {
                        code: code.clone(),
                        reason: reason.clone(),
                    },
                    None => AckOutcome::Applied,
                };
                self.outcomes.insert(seq, outcome.clone());
                self.settled.push(pushed.clone());
                self.last_applied = seq;
                acks.push(Ack {
                    device_seq: seq,
                    outcome,
                });
            } else {
                break;
            }
        }
        let limit = (request.pull_limit.unwrap_or(u32::MAX) as usize).min(self.page_limit.max(1));
        let mut pulled = Vec::new();
        let mut more = false;
        for (scope, changes) in &self.scopes {
            let after = request
                .cursors
                .iter()
                .find(|c| &c.scope == scope)
                .map_or(0, |c| c.after);
            let waiting: Vec<&PulledChange> =
                changes.iter().filter(|c| c.server_seq > after).collect();
            if waiting.is_empty() {
                continue;
            }
            more |= waiting.len() > limit;
            let page: Vec<PulledChange> = waiting.into_iter().take(limit).cloned().collect();
            pulled.push(ScopePage {
                scope: scope.clone(),
                cursor: page.last().map_or(after, |c| c.server_seq),
                changes: page,
            });
        }
        Ok(SyncResponse {
            server_time: self.server_time,
            acks,
            last_applied_seq: self.last_applied,
            clock_warning: self.clock_warning.clone(),
            pulled,
            more,
            readable: Vec::new(),
        })
    }

    fn authorized(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let given = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if self.credential.is_empty() || given != format!("Bearer {}", self.credential) {
            return Err((401, body("unauthorized", "Sai thông tin xác thực")));
        }
        if self.revoked {
            return Err((401, body("revoked", "Thiết bị đã bị thu hồi")));
        }
        Ok(())
    }
}

pub fn body(code: &str, message: &str) -> ErrorBody {
    ErrorBody {
        code: code.into(),
        message: message.into(),
        expected_seq: None,
    }
}

type Shared = Arc<Mutex<Fake>>;
/// A status and its error body.
type Refusal = (u16, ErrorBody);

/// The fake, listening on 127.0.0.1 in a thread of its own.
pub struct FakeServer {
    pub url: String,
    state: Shared,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl FakeServer {
    pub fn start() -> FakeServer {
        let state: Shared = Arc::new(Mutex::new(Fake {
            page_limit: 1000,
            server_time: DEVICE_NOW,
            device_id: "0190b000-0000-7000-8000-00000000d001".into(),
            ..Fake::default()
        }));
        let app = Router::new()
            .route(ENROLL_PATH, post(enroll))
            .route(SYNC_PATH, post(sync))
            .route(UPLOADS_PATH, post(tus_create))
            .route(
                &format!("{UPLOADS_PATH}/{{id}}"),
                head(tus_head).patch(tus_patch),
            )
            .with_state(state.clone());
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        // Not joined on drop: graceful shutdown would wait for the engine's idle
        // keep-alive connections.
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = shutdown_rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let addr = addr_rx.recv().unwrap();
        FakeServer {
            url: format!("http://{addr}"),
            state,
            _shutdown: shutdown,
        }
    }

    pub fn state(&self) -> MutexGuard<'_, Fake> {
        self.state.lock().unwrap()
    }

    /// Issues the enrolment for `person` (the code is [`ENROLL_CODE`]).
    pub fn expect_enrolment(&self, person: Person) {
        self.state().person = Some(person);
    }
}

fn error(status: u16, body: ErrorBody) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(serde_json::to_vec(&body).unwrap()))
        .unwrap()
}

fn gunzip_if_needed(headers: &HeaderMap, bytes: &[u8]) -> (bool, Vec<u8>) {
    let gzipped = headers
        .get("content-encoding")
        .is_some_and(|v| v.as_bytes() == b"gzip");
    if !gzipped {
        return (false, bytes.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    (true, out)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn json_response<T: serde::Serialize>(value: &T) -> Response {
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(Body::from(gzip(&serde_json::to_vec(value).unwrap())))
        .unwrap()
}

/// The answer's head and first half are sent, then the connection breaks.
fn cut<T: serde::Serialize>(value: &T) -> Response {
    let bytes = gzip(&serde_json::to_vec(value).unwrap());
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .header("content-length", bytes.len())
        .body(breaking_body(bytes[..bytes.len() / 2].to_vec()))
        .unwrap()
}

/// `first`, then (once the server has flushed it: the body was pending) an error that
/// makes the server drop the connection.
fn breaking_body(first: Vec<u8>) -> Body {
    use futures_util::StreamExt;
    let first = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from(first))]);
    let then_break = futures_util::stream::once(async {
        tokio::task::yield_now().await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "cut",
        ))
    });
    Body::from_stream(first.chain(then_break))
}

async fn enroll(State(state): State<Shared>, headers: HeaderMap, bytes: Bytes) -> Response {
    let mut fake = state.lock().unwrap();
    let (_, json) = gunzip_if_needed(&headers, &bytes);
    let Ok(request) = serde_json::from_slice::<EnrollRequest>(&json) else {
        return error(400, body("bad_request", "Yêu cầu không hợp lệ"));
    };
    fake.enroll_requests.push(request.clone());
    let Some(person) = fake.person.clone() else {
        return error(404, body("not_found", "Mã đăng ký không tồn tại"));
    };
    if request.code != ENROLL_CODE {
        return error(404, body("not_found", "Mã đăng ký không tồn tại"));
    }
    fake.credential = format!("cred-{}", fake.enroll_requests.len());
    fake.revoked = false;
    json_response(&EnrollResponse {
        device_id: fake.device_id.clone(),
        credential: fake.credential.clone(),
        person,
        commune_name: "Đảng bộ xã Xuân Hòa".into(),
        server_time: fake.server_time,
    })
}

async fn sync(State(state): State<Shared>, headers: HeaderMap, bytes: Bytes) -> Response {
    let mut fake = state.lock().unwrap();
    if let Err((status, body)) = fake.authorized(&headers) {
        return error(status, body);
    }
    let (gzipped, json) = gunzip_if_needed(&headers, &bytes);
    let Ok(request) = serde_json::from_slice::<SyncRequest>(&json) else {
        return error(400, body("bad_request", "Yêu cầu không hợp lệ"));
    };
    fake.gzip_requests += usize::from(gzipped);
    fake.sync_requests.push(request.clone());
    if let Some(canned) = fake.sync_script.pop_front() {
        return match canned {
            Canned::Status(status, Some(body)) => error(status, body),
            Canned::Status(status, None) => Response::builder()
                .status(status)
                .body(Body::from("<html>Bad Gateway</html>"))
                .unwrap(),
            Canned::Garbage => Response::builder()
                .status(200)
                .header("content-type", "text/html")
                .body(Body::from(
                    "<html><body>Đăng nhập Wi-Fi miễn phí</body></html>",
                ))
                .unwrap(),
            Canned::CutBody => cut(&fake
                .process(&SyncRequest {
                    push: Vec::new(),
                    ..request
                })
                .unwrap()),
            Canned::CutBodyAfterApplying => match fake.process(&request) {
                Ok(response) => cut(&response),
                Err((status, body)) => error(status, body),
            },
        };
    }
    if fake.max_push.is_some_and(|max| request.push.len() > max) {
        return error(413, body("too_large", "Gói dữ liệu quá lớn"));
    }
    match fake.process(&request) {
        Ok(response) => json_response(&response),
        Err((status, body)) => error(status, body),
    }
}

fn tus_status(status: u16) -> Response {
    Response::builder()
        .status(status)
        .header("tus-resumable", "1.0.0")
        .body(Body::empty())
        .unwrap()
}

fn check_tus_version(fake: &mut Fake, headers: &HeaderMap, what: &str) {
    if headers.get("tus-resumable").map(|v| v.as_bytes()) != Some(b"1.0.0") {
        fake.bad_tus_headers.push(format!("{what}: Tus-Resumable"));
    }
}

async fn tus_create(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let mut fake = state.lock().unwrap();
    if let Err((status, body)) = fake.authorized(&headers) {
        return error(status, body);
    }
    check_tus_version(&mut fake, &headers, "POST");
    let length: u64 = headers
        .get("upload-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(u64::MAX);
    let metadata = headers
        .get("upload-metadata")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let sha256 = metadata
        .strip_prefix("sha256 ")
        .and_then(|b64| BASE64.decode(b64).ok())
        .and_then(|raw| String::from_utf8(raw).ok())
        .unwrap_or_default();
    fake.tus_calls.push(TusCall::Create {
        length,
        sha256: sha256.clone(),
    });
    if let Some(Some(TusCanned::Status(status))) = fake.tus_script.pop_front() {
        return tus_status(status);
    }
    fake.next_upload += 1;
    let id = format!("u{}", fake.next_upload);
    // Bytes the server already holds: the upload is complete at once.
    let data = match fake.blobs.get(&sha256) {
        Some(blob) if blob.len() as u64 == length => blob.clone(),
        _ => Vec::new(),
    };
    let offset = data.len();
    fake.uploads.insert(
        id.clone(),
        Upload {
            length,
            sha256,
            data,
        },
    );
    Response::builder()
        .status(201)
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", offset)
        // Relative to the creation URL, as the commune server sends it.
        .header("location", format!("uploads/{id}"))
        .body(Body::empty())
        .unwrap()
}

async fn tus_head(
    State(state): State<Shared>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let mut fake = state.lock().unwrap();
    if let Err((status, body)) = fake.authorized(&headers) {
        return error(status, body);
    }
    check_tus_version(&mut fake, &headers, "HEAD");
    fake.tus_calls.push(TusCall::Head { id: id.clone() });
    if let Some(Some(TusCanned::Status(status))) = fake.tus_script.pop_front() {
        return tus_status(status);
    }
    match fake.uploads.get(&id) {
        None => tus_status(404),
        Some(upload) => Response::builder()
            .status(200)
            .header("tus-resumable", "1.0.0")
            .header("upload-offset", upload.data.len())
            .header("upload-length", upload.length)
            .header("cache-control", "no-store")
            .body(Body::empty())
            .unwrap(),
    }
}

async fn tus_patch(
    State(state): State<Shared>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    chunk: Bytes,
) -> Response {
    let mut fake = state.lock().unwrap();
    if let Err((status, body)) = fake.authorized(&headers) {
        return error(status, body);
    }
    check_tus_version(&mut fake, &headers, "PATCH");
    if headers.get("content-type").map(|v| v.as_bytes()) != Some(b"application/offset+octet-stream")
    {
        fake.bad_tus_headers.push("PATCH: Content-Type".into());
    }
    let offset: u64 = headers
        .get("upload-offset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(u64::MAX);
    fake.tus_calls.push(TusCall::Patch {
        id: id.clone(),
        offset,
        len: chunk.len(),
    });
    let canned = fake.tus_script.pop_front().flatten();
    match canned {
        Some(TusCanned::Status(status)) => return tus_status(status),
        Some(TusCanned::ChecksumMismatch) => return tus_status(460),
        _ => {}
    }
    // Checked when sent, as the real server does.
    let expected_checksum = format!("sha256 {}", BASE64.encode(Sha256::digest(&chunk)));
    if let Some(sent) = headers.get("upload-checksum") {
        if sent.to_str().ok() != Some(expected_checksum.as_str()) {
            return tus_status(460);
        }
    }
    let Some(upload) = fake.uploads.get_mut(&id) else {
        return tus_status(404);
    };
    if offset != upload.data.len() as u64 {
        return tus_status(409);
    }
    if offset + chunk.len() as u64 > upload.length {
        return tus_status(413);
    }
    upload.data.extend_from_slice(&chunk);
    let new_offset = upload.data.len();
    if new_offset as u64 == upload.length
        && hex::encode(Sha256::digest(&upload.data)) == upload.sha256
    {
        let (sha, data) = (upload.sha256.clone(), upload.data.clone());
        fake.blobs.insert(sha, data);
    }
    if let Some(TusCanned::CutAfterStoring) = canned {
        // A body on a 204 is not allowed; a 200 whose body breaks off is.
        return Response::builder()
            .status(200)
            .header("upload-offset", new_offset)
            .header("content-length", 10)
            .body(breaking_body(b"x".to_vec()))
            .unwrap();
    }
    Response::builder()
        .status(204)
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", new_offset)
        .body(Body::empty())
        .unwrap()
}

// ---------------------------------------------------------------- the device

/// A clock the test sets.
pub struct TestClock(pub AtomicI64);

impl TestClock {
    pub fn at(now: EpochMillis) -> Arc<TestClock> {
        Arc::new(TestClock(AtomicI64::new(now)))
    }
}

impl Clock for TestClock {
    fn now_ms(&self) -> EpochMillis {
        self.0.load(Ordering::SeqCst)
    }
}

/// Never waits; remembers how long it was asked to.
#[derive(Default)]
pub struct CountingSleeper(pub Mutex<Vec<Duration>>);

impl CountingSleeper {
    pub fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

impl Sleeper for CountingSleeper {
    fn sleep(&self, duration: Duration) {
        self.0.lock().unwrap().push(duration);
    }
}

/// One phone: a store file, its photo folder, an engine with a test clock and sleeper.
pub struct Device {
    pub dir: tempfile::TempDir,
    pub store: Arc<Mutex<Store>>,
    pub engine: Engine,
    pub clock: Arc<TestClock>,
    pub sleeper: Arc<CountingSleeper>,
    pub cell: Cell,
}

pub fn test_config() -> SyncConfig {
    SyncConfig {
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(30),
        },
        ..SyncConfig::default()
    }
}

impl Device {
    /// A secretary's phone holding a cell and `members` members, nothing synced yet.
    pub fn secretary(members: usize) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("so.db")).unwrap();
        let cell = Cell {
            id: new_id(),
            commune_id: COMMUNE_ID.into(),
            commune_name: "Đảng bộ xã Xuân Hòa".into(),
            name: "Chi bộ bản Nà Hẩu".into(),
            kind: CellKind::Village,
            meeting_place: None,
            meeting_day: Some(24),
        };
        let mut changes = vec![Change::UpsertCell { cell: cell.clone() }];
        changes.extend((0..members).map(|i| Change::UpsertMember {
            member: member(&cell.id, &format!("Đảng viên số {}", i + 1)),
        }));
        store.apply_all(changes, DEVICE_NOW - 60_000).unwrap();
        Device::around(dir, store, cell, test_config())
    }

    fn around(dir: tempfile::TempDir, store: Store, cell: Cell, config: SyncConfig) -> Device {
        let store = Arc::new(Mutex::new(store));
        let clock = TestClock::at(DEVICE_NOW);
        let sleeper = Arc::new(CountingSleeper::default());
        let engine = Engine::builder(store.clone(), photo_dir(dir.path()))
            .config(config)
            .clock(clock.clone())
            .sleeper(sleeper.clone())
            .build()
            .unwrap();
        Device {
            dir,
            store,
            engine,
            clock,
            sleeper,
            cell,
        }
    }

    /// The same phone after the app was killed: the store reopened from its file, a
    /// new engine.
    pub fn restart(self, config: SyncConfig) -> Device {
        let Device {
            dir,
            store,
            engine,
            cell,
            ..
        } = self;
        drop(engine);
        drop(store);
        let store = Store::open(&dir.path().join("so.db")).unwrap();
        Device::around(dir, store, cell, config)
    }

    pub fn with_config(self, config: SyncConfig) -> Device {
        self.restart(config)
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap()
    }

    pub fn photo_dir(&self) -> PathBuf {
        photo_dir(self.dir.path())
    }

    pub fn key(&self) -> chibo_core::keystore::FileKeystore {
        chibo_core::keystore::FileKeystore::open_at(&self.dir.path().join("device.key")).unwrap()
    }

    pub fn person(&self) -> Person {
        Person {
            id: new_id(),
            commune_id: COMMUNE_ID.into(),
            full_name: "Lò Văn Hùng".into(),
            role: Role::Secretary {
                cell_id: self.cell.id.clone(),
            },
        }
    }

    /// Enrols with the fake (the code as a QR payload).
    pub fn enroll(&self, server: &FakeServer) {
        server.expect_enrolment(self.person());
        self.engine
            .enroll(
                &server.url,
                &enrollment_qr(&server.url, ENROLL_CODE),
                "Điện thoại thử",
                &self.key(),
            )
            .unwrap();
    }

    /// Adds `n` members: `n` more outbox entries.
    pub fn add_members(&self, n: usize) -> Vec<Member> {
        let members: Vec<Member> = (0..n)
            .map(|i| member(&self.cell.id, &format!("Đảng viên mới {}", i + 1)))
            .collect();
        self.store()
            .apply_all(
                members
                    .iter()
                    .cloned()
                    .map(|member| Change::UpsertMember { member })
                    .collect(),
                DEVICE_NOW,
            )
            .unwrap();
        members
    }

    /// A processed photo (any bytes: the engine only hashes them) in the photo
    /// folder, attached to a new meeting. Returns its hash.
    pub fn attach_photo(&self, bytes: &[u8]) -> String {
        let sha256 = hex::encode(Sha256::digest(bytes));
        std::fs::create_dir_all(self.photo_dir()).unwrap();
        std::fs::write(self.photo_dir().join(format!("{sha256}.jpg")), bytes).unwrap();
        let mut store = self.store();
        let meeting = chibo_core::flow::plan_meeting(
            &mut store,
            &self.cell.id,
            MeetingKind::Regular,
            DEVICE_NOW + 86_400_000,
            "Nhà văn hóa bản".into(),
            DEVICE_NOW,
        )
        .unwrap();
        chibo_core::visits::attach_meeting_photo(
            &mut store,
            &meeting.id,
            chibo_core::visits::PhotoRef {
                sha256: sha256.clone(),
                width: 1600,
                height: 1200,
                byte_size: bytes.len() as u64,
            },
            DEVICE_NOW,
        )
        .unwrap();
        sha256
    }
}

pub fn photo_dir(dir: &Path) -> PathBuf {
    chibo_core::photos::photo_dir_for(&dir.join("so.db"))
}

pub fn member(cell_id: &str, name: &str) -> Member {
    Member {
        id: new_id(),
        cell_id: cell_id.into(),
        full_name: name.into(),
        membership: MembershipKind::Full,
        status: MemberStatus::Active,
        status_since: None,
        status_reason: None,
        role: MemberRole::Member,
        party_group: None,
    }
}

/// Bytes that do not compress and are not all alike.
pub fn photo_bytes(len: usize, seed: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut block = Sha256::digest([seed]).to_vec();
    while out.len() < len {
        block = Sha256::digest(&block).to_vec();
        out.extend_from_slice(&block);
    }
    out.truncate(len);
    out
}

/// A change pulled from the commune scope: a cadre the office registered.
pub fn pulled_cadre(server_seq: u64, name: &str) -> PulledChange {
    PulledChange {
        server_seq,
        hlc: Hlc {
            millis: DEVICE_NOW - 3_600_000,
            counter: server_seq as u32,
            node: "office".into(),
        },
        change: Change::UpsertCadre {
            cadre: chibo_domain::compliance::Cadre {
                id: new_id(),
                commune_id: COMMUNE_ID.into(),
                full_name: name.into(),
                title: "Đảng ủy viên".into(),
            },
        },
    }
}

pub fn commune_scope() -> Scope {
    Scope::Commune(COMMUNE_ID.into())
}

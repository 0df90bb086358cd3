//! The server's test harness: a real server on 127.0.0.1:0 started in-process, real HTTP
//! through reqwest, and a commune with its cells, cadre and enrolled phones built the way
//! the office and the phones would build it (the admin CLI's functions, then the API).
//!
//! The backend is SQLite in a temporary directory, or PostgreSQL when
//! `CHIBO_TEST_DATABASE_URL` is set (a fresh database per server), so the same suite runs
//! against both.
#![allow(dead_code)]

pub mod fixtures;

use std::collections::BTreeMap;
use std::sync::Arc;

use chibo_domain::change::Change;
use chibo_domain::checkin::public_key_hex;
use chibo_domain::hlc::Hlc;
use chibo_domain::model::Id;
use chibo_domain::sync::{
    EnrollRequest, EnrollResponse, ErrorBody, Person, PulledChange, PushedChange, Role, Scope,
    ScopeCursor, SyncRequest, SyncResponse, ENROLL_PATH, PROTOCOL_VERSION, SYNC_PATH,
};
use chibo_domain::time::EpochMillis;
use chibo_server::accounts::enrolment::{self, IssuedCode, NewPerson};
use chibo_server::blobs::{BlobId, BlobStoreConfig};
use chibo_server::storage::{self, DocFilter, Storage};
use chibo_server::{Clock, Config, ManualClock, RunningServer, Server};
use ed25519_dalek::SigningKey;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tempfile::TempDir;

#[allow(unused_imports)]
pub use fixtures::*;

pub const URL_VAR: &str = "CHIBO_TEST_DATABASE_URL";

/// The storage under test and what keeps it alive.
pub fn open_test_storage() -> (Arc<dyn Storage>, Option<TempDir>) {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => {
            let url = storage::postgres::fresh_test_database(url.trim())
                .expect("create a fresh PostgreSQL test database");
            (storage::open(&url).expect("open PostgreSQL"), None)
        }
        _ => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("server.db").display());
            (storage::open(&url).expect("open SQLite"), Some(dir))
        }
    }
}

/// What the server answered: the status and the JSON body (or `Null`).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: serde_json::Value,
}

impl Reply {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.body.clone())
            .unwrap_or_else(|e| panic!("{} {}: {e}", self.status, self.body))
    }

    /// The error body, asserting the status and the machine code.
    pub fn error(&self, status: StatusCode, code: &str) -> ErrorBody {
        assert_eq!(self.status, status, "{}", self.body);
        let body: ErrorBody = self.json();
        assert_eq!(body.code, code, "{}", self.body);
        assert!(!body.message.trim().is_empty());
        body
    }
}

pub struct TestServer {
    pub running: RunningServer,
    pub clock: Arc<ManualClock>,
    pub storage: Arc<dyn Storage>,
    pub http: reqwest::Client,
    pub base: String,
    pub config: Config,
    _data: TempDir,
    _db: Option<TempDir>,
}

impl TestServer {
    /// A server at [`NOW`] with the default configuration.
    pub async fn start() -> TestServer {
        TestServer::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
        let data = tempfile::tempdir().unwrap();
        let (storage, db) = open_test_storage();
        let mut config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: data.path().to_path_buf(),
            // A fresh key folder of the S3 bucket under test, when `CHIBO_TEST_S3_URL`
            // names one.
            blob_store: BlobStoreConfig::for_tests(&data.path().to_string_lossy()),
            ..Config::default()
        };
        tweak(&mut config);
        let clock = Arc::new(ManualClock::new(NOW));
        let running = Server::new(config.clone())
            .with_storage(storage.clone())
            .with_clock(clock.clone())
            .start()
            .await
            .expect("start the server");
        TestServer {
            base: running.base_url(),
            running,
            clock,
            storage,
            http: reqwest::Client::builder().gzip(true).build().unwrap(),
            config,
            _data: data,
            _db: db,
        }
    }

    pub fn now(&self) -> EpochMillis {
        self.clock.now()
    }

    /// Puts `bytes` in the server's blob store (whichever it is), as a finished upload
    /// would; returns their SHA-256.
    pub async fn publish_blob(&self, bytes: &[u8]) -> String {
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(bytes));
        let file = self._data.path().join(format!("publish-{sha}"));
        std::fs::write(&file, bytes).unwrap();
        let id = BlobId::parse(&sha).unwrap();
        self.running.state().blobs.put(&id, &file).await.unwrap();
        sha
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let bytes = response.bytes().await.expect("a whole answer");
        let body = if bytes.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned())
            })
        };
        Reply { status, body }
    }

    pub async fn post<B: Serialize>(
        &self,
        path: &str,
        credential: Option<&str>,
        body: &B,
    ) -> Reply {
        let mut request = self.http.post(self.url(path)).json(body);
        if let Some(c) = credential {
            request = request.bearer_auth(c);
        }
        self.send(request).await
    }

    pub async fn get(&self, path: &str, credential: Option<&str>) -> Reply {
        let mut request = self.http.get(self.url(path));
        if let Some(c) = credential {
            request = request.bearer_auth(c);
        }
        self.send(request).await
    }

    /// A commune with its first office person enrolled on a phone, as the admin CLI and
    /// the office would do it.
    pub async fn commune(&self, name: &str) -> Commune {
        let storage = &*self.storage;
        let commune =
            enrolment::create_commune(storage, name, "tinh-son-la", None, self.now()).unwrap();
        let office = enrolment::create_person(
            storage,
            &commune.id,
            &NewPerson {
                full_name: "Lường Thị Hạnh".into(),
                role: Role::Office,
            },
            self.now(),
        )
        .unwrap();
        let code = enrolment::issue_code(
            storage,
            &commune.id,
            &office.id,
            3_600_000,
            self.now(),
            &self.base,
        )
        .unwrap();
        let office = self.enroll(&code.code, "Máy văn phòng").await;
        Commune {
            id: commune.id,
            name: commune.name,
            office,
        }
    }

    pub async fn enroll_reply(&self, code: &str, key: &SigningKey, label: &str) -> Reply {
        self.post(
            ENROLL_PATH,
            None,
            &EnrollRequest {
                protocol: PROTOCOL_VERSION,
                code: code.to_string(),
                public_key_hex: public_key_hex(key),
                device_label: label.to_string(),
                key_protection: None,
            },
        )
        .await
    }

    /// Enrols a fresh phone with `code`.
    pub async fn enroll(&self, code: &str, label: &str) -> Device {
        let key = new_key();
        let reply = self.enroll_reply(code, &key, label).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let response: EnrollResponse = reply.json();
        Device::new(response, key)
    }

    /// The office registers a person and issues their code.
    pub async fn issue(&self, office: &Device, full_name: &str, role: Role) -> IssuedCode {
        let reply = self
            .post(
                chibo_server::web::api::ADMIN_PERSONS_PATH,
                Some(&office.credential),
                &NewPerson {
                    full_name: full_name.into(),
                    role,
                },
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let person: Person = reply.json();
        self.issue_for(office, &person.id).await
    }

    pub async fn issue_for(&self, office: &Device, person_id: &str) -> IssuedCode {
        let path =
            chibo_server::web::api::ADMIN_PERSON_CODES_PATH.replace("{person_id}", person_id);
        let reply = self
            .post(&path, Some(&office.credential), &serde_json::json!({}))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.json()
    }

    /// An office person and their code, as the commune admin makes them (an office device
    /// may not: `access::office_device_may_administer`).
    pub fn issue_office(&self, commune_id: &str, full_name: &str) -> IssuedCode {
        let person = enrolment::create_person(
            &*self.storage,
            commune_id,
            &NewPerson {
                full_name: full_name.into(),
                role: Role::Office,
            },
            self.now(),
        )
        .unwrap();
        self.issue_office_for(commune_id, &person.id)
    }

    /// A fresh code for an office person, as the commune admin issues it.
    pub fn issue_office_for(&self, commune_id: &str, person_id: &str) -> IssuedCode {
        enrolment::issue_code(
            &*self.storage,
            commune_id,
            person_id,
            self.config.enrollment_code_ttl_ms(),
            self.now(),
            &self.base,
        )
        .unwrap()
    }

    /// A person registered by the office, with a phone enrolled.
    pub async fn person(&self, office: &Device, full_name: &str, role: Role) -> Device {
        let code = self.issue(office, full_name, role).await;
        self.enroll(&code.qr, &format!("Điện thoại của {full_name}"))
            .await
    }

    /// Uploads `bytes` as `device`'s photo through tus (creation with upload, one
    /// request) and returns its SHA-256; the server verifies and publishes it.
    pub async fn upload_photo(&self, device: &Device, bytes: &[u8]) -> String {
        use base64::Engine;
        use sha2::{Digest, Sha256};
        let sha = hex::encode(Sha256::digest(bytes));
        let b64 = |t: &str| base64::engine::general_purpose::STANDARD.encode(t);
        let response = self
            .http
            .post(self.url(chibo_domain::sync::UPLOADS_PATH))
            .bearer_auth(&device.credential)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", bytes.len().to_string())
            .header(
                "Upload-Metadata",
                format!("filename {},sha256 {}", b64("anh.jpg"), b64(&sha)),
            )
            .header("Content-Type", "application/offset+octet-stream")
            .body(bytes.to_vec())
            .send()
            .await
            .expect("the server answers");
        let status = response.status();
        let offset = response
            .headers()
            .get("upload-offset")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        assert_eq!(status, StatusCode::CREATED, "{:?}", response.text().await);
        assert_eq!(offset, Some(bytes.len()), "the whole photo went up");
        sha
    }

    /// Every document and log entry of a commune, as text: what "nothing stored" compares.
    pub fn stored(&self, commune_id: &str) -> String {
        const KINDS: &[&str] = &[
            chibo_server::docs::CELL,
            chibo_server::docs::MEMBER,
            chibo_server::docs::RECORD,
            chibo_server::docs::PETITION,
            chibo_server::docs::PETITION_RESPONSE,
            chibo_server::docs::CADRE,
            chibo_server::docs::WORKING_TEAM,
            chibo_server::docs::ASSIGNMENT,
            chibo_server::docs::VISIT_REQUIREMENT,
            chibo_server::docs::CHECK_IN,
            chibo_server::docs::PHOTO,
            chibo_server::docs::OBSERVATION,
            chibo_server::docs::GUIDANCE,
        ];
        storage::read(&*self.storage, |tx| {
            let mut out = String::new();
            let mut scopes = vec![Scope::Commune(commune_id.to_string()).to_string()];
            for kind in KINDS {
                for doc in tx.docs(commune_id, kind, &DocFilter::default())? {
                    if *kind == chibo_server::docs::CELL {
                        scopes.push(Scope::Cell(doc.id.clone()).to_string());
                    }
                    out.push_str(&format!("{doc:?}\n"));
                }
            }
            for scope in scopes {
                for row in tx.log_page(commune_id, &scope, 0, u32::MAX)? {
                    out.push_str(&format!("{row:?}\n"));
                }
            }
            for p in tx.persons(commune_id)? {
                out.push_str(&format!("{p:?}\n"));
            }
            Ok(out)
        })
        .unwrap()
    }

    /// The devices of a commune as stored (sequence, last sync, flags).
    pub fn devices(&self, commune_id: &str) -> String {
        storage::read(&*self.storage, |tx| {
            Ok(format!("{:?}", tx.devices(commune_id)?))
        })
        .unwrap()
    }
}

/// A fixed "now" for the server's clock: Tuesday 24/11/2026 19:45 in Vietnam.
pub const NOW: EpochMillis = 1_795_524_300_000;

pub fn new_key() -> SigningKey {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).unwrap();
    SigningKey::from_bytes(&seed)
}

pub struct Commune {
    pub id: Id,
    pub name: String,
    pub office: Device,
}

/// An enrolled phone: its credential and key, its outbox numbering, its clock and its
/// cursors, like the core's sync engine keeps them.
pub struct Device {
    pub id: Id,
    pub credential: String,
    pub key: SigningKey,
    pub person: Person,
    pub next_seq: u64,
    pub hlc: Hlc,
    pub cursors: BTreeMap<Scope, u64>,
    /// How far this phone's clock is off the server's, in ms.
    pub clock_offset_ms: i64,
    /// Every change this phone has pulled, by scope, in order.
    pub received: BTreeMap<Scope, Vec<PulledChange>>,
}

impl Device {
    pub fn new(response: EnrollResponse, key: SigningKey) -> Device {
        Device {
            hlc: Hlc::zero(response.device_id.clone()),
            id: response.device_id,
            credential: response.credential,
            key,
            person: response.person,
            next_seq: 1,
            cursors: BTreeMap::new(),
            clock_offset_ms: 0,
            received: BTreeMap::new(),
        }
    }

    pub fn commune_id(&self) -> &str {
        &self.person.commune_id
    }

    /// Outbox entries for `changes`, numbered and clocked as the phone would.
    pub fn entries(&mut self, srv: &TestServer, changes: Vec<Change>) -> Vec<PushedChange> {
        let now = srv.now() + self.clock_offset_ms;
        changes
            .into_iter()
            .map(|change| {
                self.hlc = self.hlc.tick(now);
                let entry = PushedChange {
                    device_seq: self.next_seq,
                    hlc: self.hlc.clone(),
                    created_at: now,
                    elapsed_ms: None,
                    change,
                };
                self.next_seq += 1;
                entry
            })
            .collect()
    }

    pub fn request(&self, srv: &TestServer, push: Vec<PushedChange>) -> SyncRequest {
        SyncRequest {
            protocol: PROTOCOL_VERSION,
            device_clock_at_send: srv.now() + self.clock_offset_ms,
            push,
            cursors: self
                .cursors
                .iter()
                .map(|(scope, after)| ScopeCursor {
                    scope: scope.clone(),
                    after: *after,
                })
                .collect(),
            pull_limit: None,
        }
    }

    pub async fn sync_reply(&self, srv: &TestServer, request: &SyncRequest) -> Reply {
        srv.post(SYNC_PATH, Some(&self.credential), request).await
    }

    /// One round trip; panics unless 200. Moves the cursors like the phone would.
    pub async fn sync_request(&mut self, srv: &TestServer, request: &SyncRequest) -> SyncResponse {
        let reply = self.sync_reply(srv, request).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let response: SyncResponse = reply.json();
        for page in &response.pulled {
            self.cursors.insert(page.scope.clone(), page.cursor);
            self.received
                .entry(page.scope.clone())
                .or_default()
                .extend(page.changes.iter().cloned());
        }
        response
    }

    /// Pushes `changes` (and pulls one page).
    pub async fn push(&mut self, srv: &TestServer, changes: Vec<Change>) -> SyncResponse {
        let entries = self.entries(srv, changes);
        let request = self.request(srv, entries);
        self.sync_request(srv, &request).await
    }

    /// Pulls until nothing more; returns what this call received, by scope, in order
    /// ([`Device::received`] has everything since enrolment).
    pub async fn pull_all(&mut self, srv: &TestServer) -> BTreeMap<Scope, Vec<PulledChange>> {
        let mut all: BTreeMap<Scope, Vec<PulledChange>> = BTreeMap::new();
        for _ in 0..1000 {
            let request = self.request(srv, Vec::new());
            let response = self.sync_request(srv, &request).await;
            for page in response.pulled {
                all.entry(page.scope).or_default().extend(page.changes);
            }
            if !response.more {
                return all;
            }
        }
        panic!("pull never ended");
    }
}

/// A sync that named a scope the device may not read: answered (a cursor is no reason
/// to refuse a push), with nothing of that scope and the scope not among the readable.
pub fn assert_reads_nothing_of(reply: &Reply, scope: &Scope) {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let response: chibo_domain::sync::SyncResponse = reply.json();
    assert!(
        response.pulled.iter().all(|p| &p.scope != scope),
        "{}",
        reply.body
    );
    assert!(!response.readable.contains(scope), "{}", reply.body);
}

/// The op names of pulled changes, e.g. `["upsert_cell", "upsert_member", …]`.
pub fn ops(changes: &[PulledChange]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            serde_json::to_value(&c.change).unwrap()["op"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The op name of one change.
pub fn op(change: &Change) -> String {
    serde_json::to_value(change).unwrap()["op"]
        .as_str()
        .unwrap()
        .to_string()
}

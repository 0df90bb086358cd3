//! Resumable photo uploads (tus 1.0) and blob reads over real HTTP on loopback: the
//! crate's `tus::router` served by axum over a temporary data directory, with a fake
//! device table behind `UploadAuth` (the boundary the server implements). Published
//! blobs go to the filesystem store, or to the real S3 bucket `CHIBO_TEST_S3_URL` names
//! (`tests/run s3`); unfinished uploads are on the local disk either way.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chibo_domain::sync::{ErrorBody, BLOBS_PATH, UPLOADS_PATH};
use chibo_server::blobs::{
    open_blob_store, BlobError, BlobId, BlobReader, BlobStore, BlobStoreConfig, BoxFuture,
};
use chibo_server::web::tus::{self, TusConfig, TusError, TusState, UploadAuth, Uploader};
use reqwest::{Method, StatusCode};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const COMMUNE_A: &str = "0191d5a4-0000-7000-8000-00000000000a";
const COMMUNE_B: &str = "0191d5a4-0000-7000-8000-00000000000b";
/// The secretary's phone in commune A; a second phone in A; a phone in commune B.
const TOKEN_A: &str = "token-mai";
const TOKEN_A2: &str = "token-lan";
const TOKEN_B: &str = "token-hung";
const TOKEN_REVOKED: &str = "token-revoked";
const MAX_SIZE: u64 = 1024 * 1024;
const CHUNK: usize = 64 * 1024;

fn photo() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/photos/phone/gps_tagged.jpg"
    );
    std::fs::read(path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

// ---------------------------------------------------------------- the fake device table

/// Devices by bearer token; which device may read which blob stands in for "may read a
/// record that references it".
struct FakeAuth {
    devices: HashMap<&'static str, Uploader>,
    grants: Mutex<HashSet<(String, String)>>,
}

impl FakeAuth {
    fn new() -> Arc<FakeAuth> {
        let device = |id: &str, commune: &str| Uploader {
            device_id: id.into(),
            commune_id: commune.into(),
        };
        Arc::new(FakeAuth {
            devices: HashMap::from([
                (TOKEN_A, device("device-mai", COMMUNE_A)),
                (TOKEN_A2, device("device-lan", COMMUNE_A)),
                (TOKEN_B, device("device-hung", COMMUNE_B)),
            ]),
            grants: Mutex::default(),
        })
    }

    fn grant(&self, token: &str, sha256: &str) {
        let device = self.devices[token].device_id.clone();
        self.grants.lock().unwrap().insert((device, sha256.into()));
    }
}

impl UploadAuth for FakeAuth {
    fn authenticate(&self, headers: &HeaderMap) -> Result<Uploader, TusError> {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(TusError::Unauthorized)?;
        if token == TOKEN_REVOKED {
            return Err(TusError::Revoked);
        }
        self.devices
            .get(token)
            .cloned()
            .ok_or(TusError::Unauthorized)
    }

    fn may_read_blob(&self, uploader: &Uploader, sha256: &BlobId) -> Result<bool, TusError> {
        let key = (uploader.device_id.clone(), sha256.to_string());
        Ok(self.grants.lock().unwrap().contains(&key))
    }
}

// ---------------------------------------------------------------- a server on loopback

struct Server {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(data_dir: &Path, auth: Arc<FakeAuth>) -> Server {
        let state = TusState::new(
            data_dir.join("uploads"),
            blob_store(data_dir),
            auth,
            config(),
        )
        .unwrap();
        Server::start_with(state).await
    }

    async fn start_with(state: TusState) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = tus::router(state);
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Server { addr, task }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn uploads(&self) -> String {
        self.url(UPLOADS_PATH)
    }

    fn blob(&self, id: &str) -> String {
        self.url(&format!("{BLOBS_PATH}/{id}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn config() -> TusConfig {
    TusConfig {
        max_size: MAX_SIZE,
        // Long: only a takeover, never this timeout, may free a stalled upload here.
        idle_timeout: Duration::from_secs(3600),
        ..TusConfig::default()
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

fn metadata(sha256: &str) -> String {
    format!(
        "filename {},filetype {},sha256 {}",
        BASE64.encode("họp chi bộ tháng 3.jpg"),
        BASE64.encode("image/jpeg"),
        BASE64.encode(sha256)
    )
}

async fn create(server: &Server, token: &str, length: usize, sha256: &str) -> reqwest::Response {
    client()
        .post(server.uploads())
        .bearer_auth(token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", length.to_string())
        .header("Upload-Metadata", metadata(sha256))
        .send()
        .await
        .unwrap()
}

/// Creates an upload of `bytes` and returns its absolute URL.
async fn new_upload(server: &Server, token: &str, bytes: &[u8]) -> String {
    let response = create(server, token, bytes.len(), &sha256_hex(bytes)).await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{:?}",
        response.text().await
    );
    upload_url(server, &response)
}

/// The `Location` of a creation, resolved against the creation URL as a client does.
fn upload_url(server: &Server, response: &reqwest::Response) -> String {
    let location = response.headers()["location"].to_str().unwrap();
    reqwest::Url::parse(&server.uploads())
        .unwrap()
        .join(location)
        .unwrap()
        .to_string()
}

#[derive(Clone, Copy)]
enum Checksum {
    None,
    Sha1,
    Sha256,
}

fn checksum_header(kind: Checksum, chunk: &[u8]) -> Option<String> {
    match kind {
        Checksum::None => None,
        Checksum::Sha1 => Some(format!("sha1 {}", BASE64.encode(Sha1::digest(chunk)))),
        Checksum::Sha256 => Some(format!("sha256 {}", BASE64.encode(Sha256::digest(chunk)))),
    }
}

async fn patch(
    url: &str,
    token: &str,
    offset: usize,
    chunk: &[u8],
    checksum: Checksum,
) -> reqwest::Response {
    let mut request = client()
        .patch(url)
        .bearer_auth(token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", offset.to_string())
        .header("Content-Type", "application/offset+octet-stream")
        .body(chunk.to_vec());
    if let Some(value) = checksum_header(checksum, chunk) {
        request = request.header("Upload-Checksum", value);
    }
    request.send().await.unwrap()
}

async fn head(url: &str, token: &str) -> reqwest::Response {
    client()
        .head(url)
        .bearer_auth(token)
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .unwrap()
}

fn offset_of(response: &reqwest::Response) -> usize {
    response.headers()["upload-offset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn server_offset(url: &str, token: &str) -> usize {
    let response = head(url, token).await;
    assert_eq!(response.status(), StatusCode::OK);
    offset_of(&response)
}

/// Sends the rest of `bytes` from the server's offset in `CHUNK`s, checking each answer.
async fn upload_rest(url: &str, token: &str, bytes: &[u8], checksum: Checksum) {
    let mut offset = server_offset(url, token).await;
    while offset < bytes.len() {
        let end = (offset + CHUNK).min(bytes.len());
        let response = patch(url, token, offset, &bytes[offset..end], checksum).await;
        assert_eq!(
            response.status(),
            StatusCode::NO_CONTENT,
            "{:?}",
            response.text().await
        );
        assert_eq!(offset_of(&response), end);
        offset = end;
    }
}

async fn get_blob(server: &Server, token: Option<&str>, id: &str) -> reqwest::Response {
    let mut request = client().get(server.blob(id));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

async fn error_of(response: reqwest::Response) -> ErrorBody {
    response.json().await.expect("a JSON ErrorBody")
}

/// The blob store of the server over `data_dir` (the same one after a restart).
fn blob_store(data_dir: &Path) -> Arc<dyn BlobStore> {
    let config = BlobStoreConfig::for_tests(&data_dir.to_string_lossy());
    open_blob_store(&config, data_dir).unwrap()
}

/// The published blob's bytes, read from the store; `None` when it is not published.
async fn stored(data_dir: &Path, sha256: &str) -> Option<Vec<u8>> {
    let id = BlobId::parse(sha256).unwrap();
    let mut blob = blob_store(data_dir).open(&id).await.unwrap()?;
    let mut bytes = Vec::new();
    blob.reader.read_to_end(&mut bytes).await.unwrap();
    assert_eq!(blob.size, bytes.len() as u64);
    Some(bytes)
}

/// Sends a PATCH's headers and the first `sent` bytes of a `declared`-byte body on a raw
/// connection, as a phone does when its link drops mid-chunk.
async fn start_raw_patch(
    url: &str,
    token: &str,
    offset: usize,
    declared: &[u8],
    sent: usize,
    checksum: Checksum,
) -> TcpStream {
    let url = reqwest::Url::parse(url).unwrap();
    let mut stream = TcpStream::connect((url.host_str().unwrap(), url.port().unwrap()))
        .await
        .unwrap();
    let mut request = format!(
        "PATCH {} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nTus-Resumable: 1.0.0\r\n\
         Upload-Offset: {offset}\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: {}\r\n",
        url.path(),
        url.host_str().unwrap(),
        declared.len()
    );
    if let Some(value) = checksum_header(checksum, declared) {
        request.push_str(&format!("Upload-Checksum: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(&declared[..sent]).await.unwrap();
    stream.flush().await.unwrap();
    stream
}

/// Drops the connection after a partial body: closes our side, then waits until the
/// server has closed its side too (it has then seen the whole partial body).
async fn cut(mut stream: TcpStream) {
    stream.shutdown().await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
}

// ---------------------------------------------------------------- tests

#[tokio::test]
async fn options_tell_clients_what_the_server_supports() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), FakeAuth::new()).await;
    let response = client()
        .request(Method::OPTIONS, server.uploads())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let h = response.headers();
    assert_eq!(h["tus-version"], "1.0.0");
    assert_eq!(h["tus-max-size"], MAX_SIZE.to_string().as_str());
    let extensions: Vec<_> = h["tus-extension"].to_str().unwrap().split(',').collect();
    for ext in [
        "creation",
        "creation-with-upload",
        "termination",
        "checksum",
    ] {
        assert!(
            extensions.contains(&ext),
            "{ext} missing from {extensions:?}"
        );
    }
    let algorithms: Vec<_> = h["tus-checksum-algorithm"]
        .to_str()
        .unwrap()
        .split(',')
        .collect();
    assert!(algorithms.contains(&"sha1") && algorithms.contains(&"sha256"));
}

#[tokio::test]
async fn a_photo_sent_in_small_chunks_is_verified_published_and_served_to_a_permitted_reader() {
    let dir = tempfile::tempdir().unwrap();
    let auth = FakeAuth::new();
    let server = Server::start(dir.path(), auth.clone()).await;
    let photo = photo();
    let sha = sha256_hex(&photo);

    let created = create(&server, TOKEN_A, photo.len(), &sha).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["tus-resumable"], "1.0.0");
    assert_eq!(offset_of(&created), 0);
    let url = upload_url(&server, &created);
    assert!(url.starts_with(&format!("{}/", server.uploads())), "{url}");

    let first = patch(&url, TOKEN_A, 0, &photo[..CHUNK], Checksum::Sha256).await;
    assert_eq!(first.status(), StatusCode::NO_CONTENT);
    assert_eq!(offset_of(&first), CHUNK);

    let mid = head(&url, TOKEN_A).await;
    assert_eq!(mid.status(), StatusCode::OK);
    assert_eq!(offset_of(&mid), CHUNK);
    assert_eq!(
        mid.headers()["upload-length"],
        photo.len().to_string().as_str()
    );
    assert_eq!(mid.headers()["cache-control"], "no-store");
    assert_eq!(mid.headers()["upload-metadata"], metadata(&sha).as_str());
    assert!(
        stored(dir.path(), &sha).await.is_none(),
        "not published before the last byte"
    );

    upload_rest(&url, TOKEN_A, &photo, Checksum::Sha256).await;
    assert_eq!(server_offset(&url, TOKEN_A).await, photo.len());
    assert_eq!(stored(dir.path(), &sha).await.unwrap(), photo);

    auth.grant(TOKEN_A, &sha);
    let blob = get_blob(&server, Some(TOKEN_A), &sha).await;
    assert_eq!(blob.status(), StatusCode::OK);
    assert_eq!(blob.headers()["content-type"], "image/jpeg");
    assert_eq!(
        blob.headers()["content-length"],
        photo.len().to_string().as_str()
    );
    let etag = blob.headers()["etag"].clone();
    assert_eq!(blob.bytes().await.unwrap(), photo);

    // The phone already has it: nothing is sent again.
    let again = client()
        .get(server.blob(&sha))
        .bearer_auth(TOKEN_A)
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_connection_cut_mid_chunk_keeps_the_bytes_that_arrived_and_the_upload_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let auth = FakeAuth::new();
    let server = Server::start(dir.path(), auth.clone()).await;
    let photo = photo();
    let sha = sha256_hex(&photo);
    let url = new_upload(&server, TOKEN_A, &photo).await;
    let first = patch(&url, TOKEN_A, 0, &photo[..CHUNK], Checksum::None).await;
    assert_eq!(first.status(), StatusCode::NO_CONTENT);

    // 10 000 of the next 65 536 bytes get through, then the link drops.
    let stream = start_raw_patch(
        &url,
        TOKEN_A,
        CHUNK,
        &photo[CHUNK..2 * CHUNK],
        10_000,
        Checksum::None,
    )
    .await;
    cut(stream).await;

    // Without a chunk checksum, what arrived is kept (fsynced): never re-sent on 2G.
    assert_eq!(server_offset(&url, TOKEN_A).await, CHUNK + 10_000);
    upload_rest(&url, TOKEN_A, &photo, Checksum::None).await;
    assert_eq!(stored(dir.path(), &sha).await.unwrap(), photo);
}

#[tokio::test]
async fn a_cut_chunk_with_a_checksum_is_discarded_whole_and_the_upload_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), FakeAuth::new()).await;
    let photo = photo();
    let sha = sha256_hex(&photo);
    let url = new_upload(&server, TOKEN_A, &photo).await;
    let first = patch(&url, TOKEN_A, 0, &photo[..CHUNK], Checksum::Sha1).await;
    assert_eq!(first.status(), StatusCode::NO_CONTENT);

    let stream = start_raw_patch(
        &url,
        TOKEN_A,
        CHUNK,
        &photo[CHUNK..2 * CHUNK],
        40_000,
        Checksum::Sha1,
    )
    .await;
    cut(stream).await;

    // A partial chunk cannot be checked, so none of it counts.
    assert_eq!(server_offset(&url, TOKEN_A).await, CHUNK);
    upload_rest(&url, TOKEN_A, &photo, Checksum::Sha1).await;
    assert_eq!(stored(dir.path(), &sha).await.unwrap(), photo);
}

#[tokio::test]
async fn a_connection_that_died_silently_does_not_block_resuming() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), FakeAuth::new()).await;
    let photo = photo();
    let sha = sha256_hex(&photo);
    let url = new_upload(&server, TOKEN_A, &photo).await;

    // The old PATCH's connection stays open and silent (no FIN reaches the server, as
    // when a phone's network changes); the phone meanwhile resumes on a new one.
    let stalled = start_raw_patch(&url, TOKEN_A, 0, &photo[..CHUNK], 20_000, Checksum::None).await;
    let offset = tokio::time::timeout(Duration::from_secs(60), server_offset(&url, TOKEN_A))
        .await
        .expect("HEAD must not wait for the stalled PATCH");
    assert!(
        offset <= 20_000,
        "the server claims {offset} bytes, only 20000 were sent"
    );

    // The stalled request may still commit what it read before it was taken over; the
    // phone then learns the server's offset from the 409 and goes on from there.
    let mut offset = offset;
    let mut conflicts = 0;
    while offset < photo.len() {
        let end = (offset + CHUNK).min(photo.len());
        let response = patch(&url, TOKEN_A, offset, &photo[offset..end], Checksum::None).await;
        match response.status() {
            StatusCode::NO_CONTENT => offset = end,
            StatusCode::CONFLICT if conflicts == 0 => {
                conflicts += 1;
                let current = offset_of(&response);
                assert!(
                    current > offset && current <= 20_000,
                    "{offset} -> {current}"
                );
                offset = current;
            }
            other => panic!("{other}: {:?}", response.text().await),
        }
    }
    assert_eq!(stored(dir.path(), &sha).await.unwrap(), photo);
    drop(stalled);
}

#[tokio::test]
async fn a_chunk_damaged_in_transit_gets_460_and_is_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), FakeAuth::new()).await;
    let photo = photo();
    let sha = sha256_hex(&photo);
    let url = new_upload(&server, TOKEN_A, &photo).await;

    for kind in [Checksum::Sha1, Checksum::Sha256] {
        let mut damaged = photo[..CHUNK].to_vec();
        damaged[1000] ^= 0x40;
        let response = client()
            .patch(&url)
            .bearer_auth(TOKEN_A)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", "0")
            .header("Content-Type", "application/offset+octet-stream")
            .header(
                "Upload-Checksum",
                checksum_header(kind, &photo[..CHUNK]).unwrap(),
            )
            .body(damaged)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 460);
        let error = error_of(response).await;
        assert_eq!(error.code, "checksum_mismatch");
        assert!(error.message.contains("hỏng"), "{}", error.message);
        assert_eq!(
            server_offset(&url, TOKEN_A).await,
            0,
            "the damaged chunk is discarded"
        );
    }
    upload_rest(&url, TOKEN_A, &photo, Checksum::Sha256).await;
    assert_eq!(stored(dir.path(), &sha).await.unwrap(), photo);
}

#[tokio::test]
async fn a_file_that_does_not_match_its_declared_hash_is_never_published() {
    let dir = tempfile::tempdir().unwrap();
    let auth = FakeAuth::new();
    let server = Server::start(dir.path(), auth.clone()).await;
    let photo = photo();
    let declared = sha256_hex(&photo);
    let mut altered = photo.clone();
    altered[photo.len() / 2] ^= 0x01;
    let actual = sha256_hex(&altered);

    let created = create(&server, TOKEN_A, altered.len(), &declared).await;
    let url = upload_url(&server, &created);
    // Every chunk is intact (its own checksum matches); only the whole is wrong.
    let mut offset = 0;
    let last = loop {
        let end = (offset + CHUNK).min(altered.len());
        let response = patch(
            &url,
            TOKEN_A,
            offset,
            &altered[offset..end],
            Checksum::Sha256,
        )
        .await;
        if end == altered.len() {
            break response;
        }
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        offset = end;
    };
    assert_eq!(last.status().as_u16(), 460);
    let error = error_of(last).await;
    assert_eq!(error.code, "checksum_mismatch");
    assert!(error.message.contains("SHA-256"), "{}", error.message);

    assert_eq!(head(&url, TOKEN_A).await.status(), StatusCode::NOT_FOUND);
    assert!(stored(dir.path(), &declared).await.is_none());
    assert!(stored(dir.path(), &actual).await.is_none());
    for sha in [&declared, &actual] {
        auth.grant(TOKEN_A, sha);
        assert_eq!(
            get_blob(&server, Some(TOKEN_A), sha).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    let leftovers: Vec<_> = walk(&dir.path().join("uploads"));
    assert!(leftovers.is_empty(), "discarded upload left {leftovers:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[tokio::test]
async fn a_chunk_at_the_wrong_offset_gets_409_and_the_server_offset() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), FakeAuth::new()).await;
    let photo = photo();
    let url = new_upload(&server, TOKEN_A, &photo).await;
    patch(&url, TOKEN_A, 0, &photo[..CHUNK], Checksum::None).await;

    for wrong in [0, CHUNK + 1, 2 * CHUNK] {
        let response = patch(
            &url,
            TOKEN_A,
            wrong,
            &photo[wrong..wrong + 100],
            Checksum::None,
        )
        .await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "offset {wrong}");
        assert_eq!(offset_of(&response), CHUNK);
        assert_eq!(error_of(response).await.code, "conflict");
    }
    assert_eq!(server_offset(&url, TOKEN_A).await, CHUNK);
}

/// Records every call, to show a bad id never reaches the store.
struct RecordingStore {
    inner: Arc<dyn BlobStore>,
    calls: Mutex<Vec<String>>,
}

impl RecordingStore {
    fn note(&self, what: &str, id: &BlobId) {
        self.calls.lock().unwrap().push(format!("{what} {id}"));
    }
}

impl BlobStore for RecordingStore {
    fn put<'a>(&'a self, id: &'a BlobId, file: &'a Path) -> BoxFuture<'a, Result<(), BlobError>> {
        self.note("put", id);
        self.inner.put(id, file)
    }
    fn open<'a>(&'a self, id: &'a BlobId) -> BoxFuture<'a, Result<Option<BlobReader>, BlobError>> {
        self.note("open", id);
        self.inner.open(id)
    }
    fn size<'a>(&'a self, id: &'a BlobId) -> BoxFuture<'a, Result<Option<u64>, BlobError>> {
        self.note("size", id);
        self.inner.size(id)
    }
    fn list(&self) -> BoxFuture<'_, Result<Vec<(BlobId, u64)>, BlobError>> {
        self.calls.lock().unwrap().push("list".into());
        self.inner.list()
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[tokio::test]
async fn blob_ids_that_are_not_a_sha256_get_400_and_never_reach_the_store() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.txt"), b"not a blob").unwrap();
    let store = Arc::new(RecordingStore {
        inner: blob_store(dir.path()),
        calls: Mutex::default(),
    });
    let state = TusState::new(
        dir.path().join("uploads"),
        store.clone(),
        FakeAuth::new(),
        config(),
    )
    .unwrap();
    let server = Server::start_with(state).await;
    let sha = sha256_hex(b"x");

    for bad in [
        "..%2F..%2Fsecret.txt".to_string(),
        "..%2fsecret.txt".to_string(),
        "../secret.txt".to_string(),
        "%2e%2e/secret.txt".to_string(),
        format!("{}/{}/{sha}", &sha[0..2], &sha[2..4]),
        sha.to_uppercase(),
        sha[..63].to_string(),
        format!("{sha}0"),
        format!("{sha}%00"),
        "%FF%FE".to_string(),
    ] {
        // Sent on a raw connection, so no client normalises the path first.
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        let request = format!(
            "GET {BLOBS_PATH}/{bad} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN_A}\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 400"), "{bad}: {answer}");
        assert!(answer.contains("\"bad_request\""), "{bad}: {answer}");
        assert!(!answer.contains("not a blob"));
    }
    assert!(
        store.calls.lock().unwrap().is_empty(),
        "{:?}",
        store.calls.lock().unwrap()
    );
}

#[tokio::test]
async fn an_upload_resumes_after_the_server_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let auth = FakeAuth::new();
    let photo = photo();
    let sha = sha256_hex(&photo);

    let before = Server::start(dir.path(), auth.clone()).await;
    let url = new_upload(&before, TOKEN_A, &photo).await;
    let first = patch(&url, TOKEN_A, 0, &photo[..CHUNK], Checksum::Sha256).await;
    assert_eq!(first.status(), StatusCode::NO_CONTENT);
    let path = reqwest::Url::parse(&url).unwrap().path().to_string();
    drop(before);

    // A new process over the same data directory.
    let after = Server::start(dir.path(), auth.clone()).await;
    let url = after.url(&path);
    assert_eq!(server_offset(&url, TOKEN_A).await, CHUNK);
    upload_rest(&url, TOKEN_A, &photo, Checksum::Sha256).await;
    auth.grant(TOKEN_A, &sha);
    let blob = get_blob(&after, Some(TOKEN_A), &sha).await;
    assert_eq!(blob.bytes().await.unwrap(), photo);
}

#[tokio::test]
async fn a_crash_between_verifying_and_publishing_is_finished_by_the_next_request() {
    let dir = tempfile::tempdir().unwrap();
    let auth = FakeAuth::new();
    let photo = photo();
    let sha = sha256_hex(&photo);
    let last = photo.len() - 1000;

    let before = Server::start(dir.path(), auth.clone()).await;
    let url = new_upload(&before, TOKEN_A, &photo).await;
    let mut offset = 0;
    while offset < last {
        let end = (offset + CHUNK).min(last);
        let response = patch(&url, TOKEN_A, offset, &photo[offset..end], Checksum::None).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        offset = end;
    }
    drop(before);

    // The state a crash leaves after the last chunk was fsynced, the whole file verified
    // and the offset committed, but before the blob store took the file.
    let id = url.rsplit('/').next().unwrap();
    let upload_dir = dir.path().join("uploads").join(COMMUNE_A);
    let mut part = std::fs::OpenOptions::new()
        .append(true)
        .open(upload_dir.join(format!("{id}.part")))
        .unwrap();
    std::io::Write::write_all(&mut part, &photo[last..]).unwrap();
    let info_path = upload_dir.join(format!("{id}.json"));
    let mut info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&info_path).unwrap()).unwrap();
    assert_eq!(info["offset"], last as u64);
    info["offset"] = photo.len().into();
    assert_eq!(info["published"], false);
    std::fs::write(&info_path, serde_json::to_vec(&info).unwrap()).unwrap();
    assert!(stored(dir.path(), &sha).await.is_none());

    let after = Server::start(dir.path(), auth.clone()).await;
    let url = after.url(&format!("{UPLOADS_PATH}/{id}"));
    assert_eq!(server_offset(&url, TOKEN_A).await, photo.len());
    assert_eq!(stored(dir.path(), &sha).await.unwrap(), photo);
    auth.grant(TOKEN_A, &sha);
    let blob = get_blob(&after, Some(TOKEN_A), &sha).await;
    assert_eq!(blob.bytes().await.unwrap(), photo);
}

#[tokio::test]
async fn blobs_are_served_only_to_devices_allowed_to_read_them() {
    let dir = tempfile::tempdir().unwrap();
    let auth = FakeAuth::new();
    let server = Server::start(dir.path(), auth.clone()).await;
    let photo = photo();
    let sha = sha256_hex(&photo);
    let url = new_upload(&server, TOKEN_A, &photo).await;
    upload_rest(&url, TOKEN_A, &photo, Checksum::None).await;
    auth.grant(TOKEN_A, &sha);

    let anonymous = get_blob(&server, None, &sha).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(anonymous).await.code, "unauthorized");

    let revoked = get_blob(&server, Some(TOKEN_REVOKED), &sha).await;
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(revoked).await.code, "revoked");

    // The other commune's phone, and a phone of the same commune that may not read the
    // record: refused, and told nothing about the photo.
    for token in [TOKEN_B, TOKEN_A2] {
        let refused = get_blob(&server, Some(token), &sha).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let error = error_of(refused).await;
        assert_eq!(error.code, "forbidden");
        assert!(error.message.contains("quyền"), "{}", error.message);
    }
    let missing = sha256_hex(b"no such photo");
    assert_eq!(
        get_blob(&server, Some(TOKEN_B), &missing).await.status(),
        StatusCode::FORBIDDEN
    );
    auth.grant(TOKEN_B, &missing);
    assert_eq!(
        get_blob(&server, Some(TOKEN_B), &missing).await.status(),
        StatusCode::NOT_FOUND
    );

    auth.grant(TOKEN_B, &sha);
    let allowed = get_blob(&server, Some(TOKEN_B), &sha).await;
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(allowed.bytes().await.unwrap(), photo);
}

#[tokio::test]
async fn an_upload_belongs_to_the_device_that_created_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), FakeAuth::new()).await;
    let photo = photo();
    let url = new_upload(&server, TOKEN_A, &photo).await;
    patch(&url, TOKEN_A, 0, &photo[..CHUNK], Checksum::None).await;

    for token in [TOKEN_B, TOKEN_A2] {
        assert_eq!(head(&url, token).await.status(), StatusCode::NOT_FOUND);
        let response = patch(&url, token, CHUNK, &photo[CHUNK..2 * CHUNK], Checksum::None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(error_of(response).await.code, "not_found");
        let deleted = client()
            .delete(&url)
            .bearer_auth(token)
            .header("Tus-Resumable", "1.0.0")
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(server_offset(&url, TOKEN_A).await, CHUNK);
    // On disk, under the owner's commune only.
    let files = walk(&dir.path().join("uploads"));
    assert!(!files.is_empty());
    assert!(
        files
            .iter()
            .all(|f| f.starts_with(dir.path().join("uploads").join(COMMUNE_A))),
        "{files:?}"
    );
}

#[tokio::test]
async fn a_photo_the_server_already_has_completes_at_creation() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), FakeAuth::new()).await;
    let photo = photo();
    let sha = sha256_hex(&photo);
    let url = new_upload(&server, TOKEN_A, &photo).await;
    upload_rest(&url, TOKEN_A, &photo, Checksum::None).await;

    // Another phone took part in the same meeting and syncs the same photo.
    let created = create(&server, TOKEN_B, photo.len(), &sha).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(offset_of(&created), photo.len());
    let url = upload_url(&server, &created);
    assert_eq!(server_offset(&url, TOKEN_B).await, photo.len());
    // A client that finishes with an empty PATCH at the end is answered in kind.
    let done = patch(&url, TOKEN_B, photo.len(), b"", Checksum::None).await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    assert_eq!(offset_of(&done), photo.len());
}

#[tokio::test]
async fn creation_with_upload_stores_the_first_chunk_in_the_same_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), FakeAuth::new()).await;
    let photo = photo();
    let sha = sha256_hex(&photo);

    let created = client()
        .post(server.uploads())
        .bearer_auth(TOKEN_A)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", photo.len().to_string())
        .header("Upload-Metadata", metadata(&sha))
        .header("Content-Type", "application/offset+octet-stream")
        .header(
            "Upload-Checksum",
            checksum_header(Checksum::Sha256, &photo[..CHUNK]).unwrap(),
        )
        .body(photo[..CHUNK].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(offset_of(&created), CHUNK);
    let url = upload_url(&server, &created);
    upload_rest(&url, TOKEN_A, &photo, Checksum::Sha256).await;
    assert_eq!(stored(dir.path(), &sha).await.unwrap(), photo);

    // A small photo goes up whole in the creation request; a wrong one is refused.
    let small = b"\xFF\xD8\xFF tiny photo".to_vec();
    let post = |bytes: Vec<u8>, sha: String| {
        client()
            .post(server.uploads())
            .bearer_auth(TOKEN_A)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", bytes.len().to_string())
            .header("Upload-Metadata", metadata(&sha))
            .header("Content-Type", "application/offset+octet-stream")
            .body(bytes)
            .send()
    };
    let whole = post(small.clone(), sha256_hex(&small)).await.unwrap();
    assert_eq!(whole.status(), StatusCode::CREATED);
    assert_eq!(offset_of(&whole), small.len());
    assert!(stored(dir.path(), &sha256_hex(&small)).await.is_some());

    let wrong = post(small.clone(), sha256_hex(b"something else"))
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 460);
    assert!(wrong.headers().get("location").is_none());
    assert_eq!(error_of(wrong).await.code, "checksum_mismatch");
}

#[tokio::test]
async fn a_terminated_upload_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), FakeAuth::new()).await;
    let photo = photo();
    let url = new_upload(&server, TOKEN_A, &photo).await;
    patch(&url, TOKEN_A, 0, &photo[..CHUNK], Checksum::None).await;
    let deleted = client()
        .delete(&url)
        .bearer_auth(TOKEN_A)
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(head(&url, TOKEN_A).await.status(), StatusCode::NOT_FOUND);
    assert!(walk(&dir.path().join("uploads")).is_empty());
}

#[tokio::test]
async fn malformed_requests_get_the_tus_status_and_a_vietnamese_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), FakeAuth::new()).await;
    let photo = photo();
    let sha = sha256_hex(&photo);
    let url = new_upload(&server, TOKEN_A, &photo).await;

    async fn expect(
        response: reqwest::Response,
        status: u16,
        code: &str,
    ) -> reqwest::header::HeaderMap {
        assert_eq!(
            response.status().as_u16(),
            status,
            "{:?}",
            response.url().path()
        );
        let headers = response.headers().clone();
        assert_eq!(headers["tus-resumable"], "1.0.0");
        let error = error_of(response).await;
        assert_eq!(error.code, code);
        assert!(
            error
                .message
                .chars()
                .any(|c| "ảạấầẩậắằẳặẹếềểễệịọốồổộớờởợụứừửữựđ".contains(c)),
            "not Vietnamese: {}",
            error.message
        );
        headers
    }
    let c = client();
    let base = || c.post(server.uploads()).bearer_auth(TOKEN_A);

    // No Tus-Resumable, or another version: 412 and the version we speak.
    let h = expect(
        base().header("Upload-Length", "10").send().await.unwrap(),
        412,
        "bad_request",
    )
    .await;
    assert_eq!(h["tus-version"], "1.0.0");
    let wrong_version = c
        .head(&url)
        .bearer_auth(TOKEN_A)
        .header("Tus-Resumable", "0.2.2")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_version.status().as_u16(), 412);

    let tus = || base().header("Tus-Resumable", "1.0.0");
    expect(
        c.post(server.uploads())
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", "10")
            .send()
            .await
            .unwrap(),
        401,
        "unauthorized",
    )
    .await;
    expect(
        tus()
            .header("Upload-Metadata", metadata(&sha))
            .send()
            .await
            .unwrap(),
        400,
        "bad_request",
    )
    .await;
    expect(
        tus()
            .header("Upload-Length", "-5")
            .header("Upload-Metadata", metadata(&sha))
            .send()
            .await
            .unwrap(),
        400,
        "bad_request",
    )
    .await;
    expect(
        tus()
            .header("Upload-Length", "0")
            .header("Upload-Metadata", metadata(&sha))
            .send()
            .await
            .unwrap(),
        400,
        "bad_request",
    )
    .await;
    expect(
        tus().header("Upload-Length", "10").send().await.unwrap(),
        400,
        "bad_request",
    )
    .await;
    expect(
        tus()
            .header("Upload-Length", "10")
            .header("Upload-Metadata", "sha256 !!!")
            .send()
            .await
            .unwrap(),
        400,
        "bad_request",
    )
    .await;
    expect(
        tus()
            .header("Upload-Length", (MAX_SIZE + 1).to_string())
            .header("Upload-Metadata", metadata(&sha))
            .send()
            .await
            .unwrap(),
        413,
        "too_large",
    )
    .await;

    let patch_req = |offset: usize| {
        c.patch(&url)
            .bearer_auth(TOKEN_A)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", offset.to_string())
    };
    expect(
        patch_req(0)
            .header("Content-Type", "application/octet-stream")
            .body(vec![1u8; 10])
            .send()
            .await
            .unwrap(),
        415,
        "bad_request",
    )
    .await;
    let octet =
        |offset: usize| patch_req(offset).header("Content-Type", "application/offset+octet-stream");
    expect(
        octet(0)
            .header("Upload-Checksum", "md5 AAAA")
            .body(vec![1u8; 10])
            .send()
            .await
            .unwrap(),
        400,
        "bad_request",
    )
    .await;
    expect(
        c.patch(&url)
            .bearer_auth(TOKEN_A)
            .header("Tus-Resumable", "1.0.0")
            .header("Content-Type", "application/offset+octet-stream")
            .body(vec![1u8; 10])
            .send()
            .await
            .unwrap(),
        400,
        "bad_request",
    )
    .await;
    // More bytes than the upload has left.
    expect(
        octet(0)
            .body(vec![0u8; photo.len() + 1])
            .send()
            .await
            .unwrap(),
        413,
        "too_large",
    )
    .await;
    assert_eq!(server_offset(&url, TOKEN_A).await, 0);

    for unknown in [
        server.url(&format!("{UPLOADS_PATH}/0123456789abcdef0123456789abcdef")),
        server.url(&format!("{UPLOADS_PATH}/..%2F..%2Fblobs")),
        server.url(&format!("{UPLOADS_PATH}/not-an-upload")),
    ] {
        let response = c
            .patch(&unknown)
            .bearer_auth(TOKEN_A)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", "0")
            .header("Content-Type", "application/offset+octet-stream")
            .body(vec![1u8; 10])
            .send()
            .await
            .unwrap();
        expect(response, 404, "not_found").await;
    }
}

// ---------------------------------------------------------------- S3 only

/// What only an S3 store can show: the bucket's own view of a publication, a blob the
/// bucket lacks, and a bucket that cannot be reached. These need the real S3 server of
/// `tests/run s3` (`CHIBO_TEST_S3_URL`); elsewhere they are ignored, never passed empty.
mod on_s3 {
    use super::*;
    use chibo_server::blobs::{S3BlobStore, S3Settings};
    use tokio::sync::watch;

    /// The bucket under test, under a key folder of its own.
    fn settings(dir: &Path) -> S3Settings {
        match BlobStoreConfig::for_tests(&dir.to_string_lossy()) {
            BlobStoreConfig::S3(settings) => settings,
            BlobStoreConfig::Filesystem => {
                panic!("no S3 server: run through tests/run s3, which sets CHIBO_TEST_S3_URL")
            }
        }
    }

    fn upload_files(dir: &Path, extension: &str) -> Vec<PathBuf> {
        walk(&dir.join("uploads"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == extension))
            .collect()
    }

    async fn start(dir: &Path, settings: &S3Settings, auth: Arc<FakeAuth>) -> Server {
        let store = Arc::new(S3BlobStore::open(settings).unwrap());
        let state = TusState::new(dir.join("uploads"), store, auth, config()).unwrap();
        Server::start_with(state).await
    }

    /// Sends every chunk but the last; returns the last one's offset.
    async fn all_but_the_last_chunk(url: &str, photo: &[u8]) -> usize {
        let last = (photo.len() - 1) / CHUNK * CHUNK;
        let mut offset = 0;
        while offset < last {
            let response = patch(
                url,
                TOKEN_A,
                offset,
                &photo[offset..offset + CHUNK],
                Checksum::Sha256,
            )
            .await;
            assert_eq!(response.status(), StatusCode::NO_CONTENT);
            offset += CHUNK;
        }
        last
    }

    #[tokio::test]
    #[ignore = "needs a real S3 server: tests/run s3"]
    async fn a_blob_reaches_the_bucket_once_whole_and_verified() {
        let dir = tempfile::tempdir().unwrap();
        let settings = settings(dir.path());
        let auth = FakeAuth::new();
        let server = start(dir.path(), &settings, auth.clone()).await;
        let photo = photo();
        let sha = sha256_hex(&photo);
        let id = BlobId::parse(&sha).unwrap();
        // A second client, as another server process would read the bucket.
        let bucket = S3BlobStore::open(&settings).unwrap();

        let url = new_upload(&server, TOKEN_A, &photo).await;
        let last = all_but_the_last_chunk(&url, &photo).await;
        assert_eq!(
            bucket.size(&id).await.unwrap(),
            None,
            "nothing before the end"
        );
        assert!(bucket.list().await.unwrap().is_empty());

        let response = patch(&url, TOKEN_A, last, &photo[last..], Checksum::Sha256).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            bucket.list().await.unwrap(),
            vec![(id.clone(), photo.len() as u64)]
        );
        let mut blob = bucket.open(&id).await.unwrap().unwrap();
        let mut bytes = Vec::new();
        blob.reader.read_to_end(&mut bytes).await.unwrap();
        assert_eq!(
            sha256_hex(&bytes),
            sha,
            "the bucket holds the verified bytes"
        );
        // Published: the local copy is gone, only the upload's record stays.
        assert!(upload_files(dir.path(), "part").is_empty());
        assert_eq!(server_offset(&url, TOKEN_A).await, photo.len());

        // The store checks again what it is given: bytes that are not the id's stay
        // where they were and never reach the bucket.
        let other = sha256_hex(b"another photo");
        let file = dir.path().join("not-it");
        std::fs::write(&file, &photo).unwrap();
        let other = BlobId::parse(&other).unwrap();
        assert!(bucket.put(&other, &file).await.is_err());
        assert!(file.exists(), "a refused file is not deleted");
        assert_eq!(bucket.size(&other).await.unwrap(), None);

        // Another phone with the same photo: nothing is sent, nothing is written twice.
        let again = create(&server, TOKEN_B, photo.len(), &sha).await;
        assert_eq!(offset_of(&again), photo.len());
        assert_eq!(bucket.list().await.unwrap().len(), 1);
    }

    #[tokio::test]
    #[ignore = "needs a real S3 server: tests/run s3"]
    async fn a_blob_the_bucket_lacks_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let settings = settings(dir.path());
        let auth = FakeAuth::new();
        let server = start(dir.path(), &settings, auth.clone()).await;
        let missing = sha256_hex(b"recorded, never uploaded");
        auth.grant(TOKEN_A, &missing);
        let response = get_blob(&server, Some(TOKEN_A), &missing).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(error_of(response).await.code, "not_found");
        let bucket = S3BlobStore::open(&settings).unwrap();
        let id = BlobId::parse(&missing).unwrap();
        assert!(bucket.open(&id).await.unwrap().is_none());
        assert!(!bucket.exists(&id).await.unwrap());
    }

    /// A TCP relay to the S3 server that can be cut: while down it takes connections and
    /// drops them at once, and drops those it was relaying.
    struct Switch {
        addr: SocketAddr,
        up: watch::Sender<bool>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Switch {
        async fn start(upstream: String) -> Switch {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (up, watching) = watch::channel(true);
            let task = tokio::spawn(async move {
                loop {
                    let Ok((mut client, _)) = listener.accept().await else {
                        return;
                    };
                    let mut watching = watching.clone();
                    let upstream = upstream.clone();
                    tokio::spawn(async move {
                        if !*watching.borrow_and_update() {
                            return;
                        }
                        let Ok(mut server) = TcpStream::connect(&upstream).await else {
                            return;
                        };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                            _ = watching.wait_for(|up| !*up) => {}
                        }
                    });
                }
            });
            Switch { addr, up, task }
        }

        fn set(&self, up: bool) {
            self.up.send_replace(up);
        }
    }

    impl Drop for Switch {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    #[tokio::test]
    #[ignore = "needs a real S3 server: tests/run s3"]
    async fn an_unreachable_bucket_gets_503_loses_nothing_and_the_upload_publishes_when_it_is_back()
    {
        let dir = tempfile::tempdir().unwrap();
        let direct = settings(dir.path());
        let upstream = direct
            .endpoint
            .strip_prefix("http://")
            .expect("the test bucket is on plain HTTP")
            .to_string();
        let switch = Switch::start(upstream).await;
        let relayed = S3Settings {
            endpoint: format!("http://{}", switch.addr),
            ..direct.clone()
        };
        let auth = FakeAuth::new();
        let server = start(dir.path(), &relayed, auth.clone()).await;
        let photo = photo();
        let sha = sha256_hex(&photo);
        auth.grant(TOKEN_A, &sha);

        // The store is down from the start: the phone still uploads to the local disk.
        switch.set(false);
        let url = new_upload(&server, TOKEN_A, &photo).await;
        let last = all_but_the_last_chunk(&url, &photo).await;
        let response = patch(&url, TOKEN_A, last, &photo[last..], Checksum::Sha256).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let error = error_of(response).await;
        assert_eq!(error.code, "unavailable");
        assert!(error.message.contains("thử lại"), "{}", error.message);

        // Asked again, the server still cannot publish, and says so; it does not claim
        // the photo is safe, nor drop what it received.
        assert_eq!(
            head(&url, TOKEN_A).await.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            get_blob(&server, Some(TOKEN_A), &sha).await.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        let parts = upload_files(dir.path(), "part");
        assert_eq!(parts.len(), 1);
        assert_eq!(sha256_hex(&std::fs::read(&parts[0]).unwrap()), sha);

        // The store is back: the next request publishes what was kept.
        switch.set(true);
        assert_eq!(server_offset(&url, TOKEN_A).await, photo.len());
        let blob = get_blob(&server, Some(TOKEN_A), &sha).await;
        assert_eq!(blob.status(), StatusCode::OK);
        assert_eq!(blob.bytes().await.unwrap(), photo);
        let bucket = S3BlobStore::open(&direct).unwrap();
        assert_eq!(
            bucket.size(&BlobId::parse(&sha).unwrap()).await.unwrap(),
            Some(photo.len() as u64)
        );
        assert!(upload_files(dir.path(), "part").is_empty());
    }

    #[tokio::test]
    #[ignore = "needs a real S3 server: tests/run s3"]
    async fn a_crash_after_the_bucket_took_the_blob_is_settled_by_the_next_request() {
        let dir = tempfile::tempdir().unwrap();
        let settings = settings(dir.path());
        let auth = FakeAuth::new();
        let photo = photo();
        let sha = sha256_hex(&photo);
        let before = start(dir.path(), &settings, auth.clone()).await;
        let url = new_upload(&before, TOKEN_A, &photo).await;
        let last = all_but_the_last_chunk(&url, &photo).await;
        drop(before);

        // The state a crash leaves when the PUT to the bucket succeeded and the local
        // file was removed, but the upload's record was not yet marked published.
        let id = url.rsplit('/').next().unwrap();
        let upload_dir = dir.path().join("uploads").join(COMMUNE_A);
        let part = upload_dir.join(format!("{id}.part"));
        let mut whole = std::fs::read(&part).unwrap();
        whole.extend_from_slice(&photo[last..]);
        std::fs::write(&part, &whole).unwrap();
        let bucket = S3BlobStore::open(&settings).unwrap();
        let blob = BlobId::parse(&sha).unwrap();
        bucket.put(&blob, &part).await.unwrap();
        assert!(!part.exists());
        let info_path = upload_dir.join(format!("{id}.json"));
        let mut info: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&info_path).unwrap()).unwrap();
        info["offset"] = photo.len().into();
        std::fs::write(&info_path, serde_json::to_vec(&info).unwrap()).unwrap();

        let after = start(dir.path(), &settings, auth.clone()).await;
        let url = after.url(&format!("{UPLOADS_PATH}/{id}"));
        assert_eq!(server_offset(&url, TOKEN_A).await, photo.len());
        let info: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&info_path).unwrap()).unwrap();
        assert_eq!(info["published"], true);
        auth.grant(TOKEN_A, &sha);
        let served = get_blob(&after, Some(TOKEN_A), &sha).await;
        assert_eq!(served.bytes().await.unwrap(), photo);
    }
}

// ---------------------------------------------------------------- several processes

/// Upload state in the database (`upload_state = "database"`): two servers over one
/// database and one blob store stand for two processes behind a load balancer. SQLite,
/// or PostgreSQL when `CHIBO_TEST_DATABASE_URL` is set.
mod in_the_database {
    use super::*;
    use chibo_server::storage::{self, Storage};
    use chibo_server::web::tus::UploadStore;

    struct Shared {
        storage: Arc<dyn Storage>,
        dir: tempfile::TempDir,
    }

    impl Shared {
        fn new() -> Shared {
            let dir = tempfile::tempdir().unwrap();
            let url = match std::env::var("CHIBO_TEST_DATABASE_URL") {
                Ok(base) if !base.trim().is_empty() => {
                    storage::postgres::fresh_test_database(base.trim()).unwrap()
                }
                _ => format!("sqlite://{}", dir.path().join("server.db").display()),
            };
            Shared {
                storage: storage::open(&url).unwrap(),
                dir,
            }
        }

        /// A "process": its own scratch directory and upload locks, the shared rest.
        async fn process(&self, name: &str, auth: Arc<FakeAuth>) -> Server {
            let uploads =
                UploadStore::in_database(self.storage.clone(), self.dir.path().join(name)).unwrap();
            let state = TusState::with_store(uploads, blob_store(self.dir.path()), auth, config());
            Server::start_with(state).await
        }

        fn chunks_left(&self, upload_url: &str) -> bool {
            let id = upload_url.rsplit('/').next().unwrap().to_string();
            storage::read(&*self.storage, |tx| tx.tus_chunk(&id, 0))
                .unwrap()
                .is_some()
        }

        fn scratch_files(&self) -> usize {
            ["a", "b"]
                .iter()
                .map(|p| walk(&self.dir.path().join(p)).len())
                .sum()
        }
    }

    /// The same upload URL on another process.
    fn on(server: &Server, url: &str) -> String {
        let path = reqwest::Url::parse(url).unwrap().path().to_string();
        server.url(&path)
    }

    /// Reads a raw connection's answer and returns its status code.
    async fn status_of(mut stream: TcpStream) -> u16 {
        let mut answer = Vec::new();
        let mut buf = [0u8; 1024];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "no answer: {:?}", String::from_utf8_lossy(&answer));
            answer.extend_from_slice(&buf[..n]);
        }
        let text = String::from_utf8_lossy(&answer);
        text.split(' ').nth(1).unwrap().parse().unwrap()
    }

    #[tokio::test]
    async fn an_upload_takes_its_chunks_on_any_process_and_a_cut_keeps_what_arrived() {
        let shared = Shared::new();
        let auth = FakeAuth::new();
        let a = shared.process("a", auth.clone()).await;
        let b = shared.process("b", auth.clone()).await;
        let photo = photo();
        let sha = sha256_hex(&photo);

        let url_a = new_upload(&a, TOKEN_A, &photo).await;
        let url_b = on(&b, &url_a);
        let first = patch(&url_b, TOKEN_A, 0, &photo[..CHUNK], Checksum::Sha1).await;
        assert_eq!(first.status(), StatusCode::NO_CONTENT);
        assert_eq!(server_offset(&url_a, TOKEN_A).await, CHUNK);

        // On a, 10 000 bytes of the next chunk arrive, then the link drops: kept.
        let stream = start_raw_patch(
            &url_a,
            TOKEN_A,
            CHUNK,
            &photo[CHUNK..2 * CHUNK],
            10_000,
            Checksum::None,
        )
        .await;
        cut(stream).await;
        assert_eq!(server_offset(&url_b, TOKEN_A).await, CHUNK + 10_000);

        // Another device of the same commune does not see it, on either process.
        assert_eq!(head(&url_b, TOKEN_A2).await.status(), StatusCode::NOT_FOUND);

        // The rest, alternating between the processes chunk by chunk.
        let mut offset = CHUNK + 10_000;
        let mut turn = 0;
        while offset < photo.len() {
            let end = (offset + CHUNK).min(photo.len());
            let url = if turn % 2 == 0 { &url_a } else { &url_b };
            let response = patch(url, TOKEN_A, offset, &photo[offset..end], Checksum::Sha256).await;
            assert_eq!(response.status(), StatusCode::NO_CONTENT);
            assert_eq!(offset_of(&response), end);
            offset = end;
            turn += 1;
        }
        assert_eq!(stored(shared.dir.path(), &sha).await.unwrap(), photo);
        assert_eq!(server_offset(&url_b, TOKEN_A).await, photo.len());
        // Published: its pieces are gone from the database, nothing stays on either disk.
        assert!(!shared.chunks_left(&url_a));
        assert_eq!(shared.scratch_files(), 0);
    }

    #[tokio::test]
    async fn two_processes_never_both_commit_a_chunk_at_one_offset() {
        let shared = Shared::new();
        let auth = FakeAuth::new();
        let a = shared.process("a", auth.clone()).await;
        let b = shared.process("b", auth.clone()).await;
        let photo = photo();
        let sha = sha256_hex(&photo);
        let url_a = new_upload(&a, TOKEN_A, &photo).await;
        let url_b = on(&b, &url_a);
        assert_eq!(
            patch(&url_a, TOKEN_A, 0, &photo[..CHUNK], Checksum::None)
                .await
                .status(),
            StatusCode::NO_CONTENT
        );

        // A slow PATCH at CHUNK on a (its phone's link stalled), while the phone has
        // resumed on b and sent the same chunk whole.
        let chunk = &photo[CHUNK..2 * CHUNK];
        let mut slow = start_raw_patch(&url_a, TOKEN_A, CHUNK, chunk, 1_000, Checksum::Sha1).await;
        let fast = patch(&url_b, TOKEN_A, CHUNK, chunk, Checksum::Sha1).await;
        assert_eq!(fast.status(), StatusCode::NO_CONTENT);

        // The stalled request's bytes finally arrive: it lost, it keeps nothing.
        slow.write_all(&chunk[1_000..]).await.unwrap();
        slow.flush().await.unwrap();
        assert_eq!(status_of(slow).await, 409);
        assert_eq!(server_offset(&url_a, TOKEN_A).await, 2 * CHUNK);

        upload_rest(&url_a, TOKEN_A, &photo, Checksum::None).await;
        assert_eq!(stored(shared.dir.path(), &sha).await.unwrap(), photo);
    }

    #[tokio::test]
    async fn a_terminated_or_damaged_upload_is_gone_on_every_process() {
        let shared = Shared::new();
        let auth = FakeAuth::new();
        let a = shared.process("a", auth.clone()).await;
        let b = shared.process("b", auth.clone()).await;
        let photo = photo();

        let url_a = new_upload(&a, TOKEN_A, &photo).await;
        patch(&url_a, TOKEN_A, 0, &photo[..CHUNK], Checksum::None).await;
        let deleted = client()
            .delete(on(&b, &url_a))
            .bearer_auth(TOKEN_A)
            .header("Tus-Resumable", "1.0.0")
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        assert_eq!(head(&url_a, TOKEN_A).await.status(), StatusCode::NOT_FOUND);
        assert!(!shared.chunks_left(&url_a));

        // Bytes that are not the declared photo: refused at the last chunk, never
        // published, and forgotten everywhere.
        let mut wrong = photo.clone();
        wrong[100] ^= 0xFF;
        let response = create(&a, TOKEN_A, photo.len(), &sha256_hex(&photo)).await;
        let url_a = upload_url(&a, &response);
        let url_b = on(&b, &url_a);
        let mut offset = 0;
        while offset + CHUNK < wrong.len() {
            let url = if (offset / CHUNK).is_multiple_of(2) {
                &url_a
            } else {
                &url_b
            };
            let r = patch(
                url,
                TOKEN_A,
                offset,
                &wrong[offset..offset + CHUNK],
                Checksum::None,
            )
            .await;
            assert_eq!(r.status(), StatusCode::NO_CONTENT);
            offset += CHUNK;
        }
        let last = patch(&url_b, TOKEN_A, offset, &wrong[offset..], Checksum::None).await;
        assert_eq!(last.status().as_u16(), 460);
        assert_eq!(head(&url_a, TOKEN_A).await.status(), StatusCode::NOT_FOUND);
        assert!(stored(shared.dir.path(), &sha256_hex(&photo))
            .await
            .is_none());
        assert!(!shared.chunks_left(&url_a));
        assert_eq!(shared.scratch_files(), 0);
    }
}

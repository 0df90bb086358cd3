//! Resumable photo uploads (tus 1.0: core, creation, creation-with-upload, termination,
//! checksum) and reading published blobs (architecture.md, "Photos").
//!
//! - `OPTIONS UPLOADS_PATH`: what the server supports.
//! - `POST UPLOADS_PATH` with `Upload-Length` and `Upload-Metadata: sha256 <base64 of the
//!   lowercase hex SHA-256 of the whole file>` (`filename`, `filetype` optional) creates
//!   an upload: 201, `Location: uploads/<id>` (relative, so it resolves under whatever
//!   base URL the client uses) and `Upload-Offset`. A body with `Content-Type:
//!   application/offset+octet-stream` is the first chunk. When the blob already exists
//!   the upload is complete at once (`Upload-Offset` = length).
//! - `HEAD …/<id>`: `Upload-Offset`, `Upload-Length`, `Cache-Control: no-store`.
//! - `PATCH …/<id>`: appends a chunk at `Upload-Offset`; `Upload-Checksum` (sha1 or
//!   sha256) is verified when present. The last chunk makes the server hash the whole
//!   file: on a match it is published in the [`BlobStore`](crate::blobs::BlobStore), on
//!   a mismatch the upload is discarded (460 `checksum_mismatch`).
//! - `DELETE …/<id>`: forgets an unfinished upload.
//! - `GET BLOBS_PATH/<sha256>`: the blob, to a device that may read a record referencing
//!   it.
//!
//! Every request needs the device credential ([`UploadAuth`]); an upload belongs to the
//! device that created it and lives in its commune's directory. See
//! [`protocol::RECOMMENDED_CHUNK_SIZE`] for the chunk size clients should use.

mod error;
mod handlers;
mod lock;
pub mod protocol;
mod store;
mod version;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use chibo_domain::sync::{BLOBS_PATH, UPLOADS_PATH};

pub use error::{TusError, CHECKSUM_MISMATCH};
pub use protocol::RECOMMENDED_CHUNK_SIZE;

use crate::blobs::{BlobId, BlobStore, FsBlobStore};
use lock::UploadLocks;
pub use store::UploadStore;

/// The device behind a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uploader {
    pub device_id: String,
    pub commune_id: String,
}

/// Who may upload and who may read which blob; the server implements it over its
/// device table and blob references. Both methods run on a blocking thread
/// (`spawn_blocking`), so they may query the database synchronously.
pub trait UploadAuth: Send + Sync + 'static {
    /// The device holding the request's credential (`Authorization: Bearer …`), or
    /// [`TusError::Unauthorized`] / [`TusError::Revoked`].
    fn authenticate(&self, headers: &HeaderMap) -> Result<Uploader, TusError>;

    /// Whether this device may read a record that references the blob.
    fn may_read_blob(&self, uploader: &Uploader, sha256: &BlobId) -> Result<bool, TusError>;

    /// The verified bytes of `sha256` are in the store now, uploaded (or found already
    /// there) for this device: what waited for them may go on (a check-in is judged
    /// again). Blocking; called once per finished upload.
    fn published(&self, _uploader: &Uploader, _sha256: &BlobId) -> Result<(), TusError> {
        Ok(())
    }

    /// This device sent the verified bytes of `sha256` (not a deduplicated upload): its
    /// scope holds the blob. Blocking; called before [`UploadAuth::published`].
    fn received(&self, _uploader: &Uploader, _sha256: &BlobId) -> Result<(), TusError> {
        Ok(())
    }

    /// Whether this device's scope already holds `sha256`, so that an upload of bytes the
    /// store has may finish at once without them. Otherwise the bytes are asked for, so
    /// that naming a hash never stands for having the photo.
    fn holds_blob(&self, _uploader: &Uploader, _sha256: &BlobId) -> Result<bool, TusError> {
        Ok(true)
    }
}

#[derive(Clone, Debug)]
pub struct TusConfig {
    /// The largest upload accepted (`Tus-Max-Size`); bigger ones get 413 at creation.
    pub max_size: u64,
    /// A PATCH that receives no byte for this long stops waiting: what it received is
    /// kept (or discarded, with a checksum) and the upload is free to resume. Protects
    /// against connections that died without closing, common on 2G.
    pub idle_timeout: Duration,
    /// An unfinished upload this long after its creation is abandoned: its bytes are
    /// removed, and a phone asking for it again is told to start over (410
    /// `upload_expired`).
    pub expiry: Duration,
    /// The most bytes one device may have in unfinished uploads (the declared lengths of
    /// its uploads not yet complete); a new upload over it gets 429 `upload_quota`.
    pub device_quota: u64,
}

impl Default for TusConfig {
    fn default() -> TusConfig {
        TusConfig {
            // A processed photo is a few hundred KB; leave room for attachments.
            max_size: 32 * 1024 * 1024,
            idle_timeout: Duration::from_secs(120),
            expiry: Duration::from_secs(24 * 3600),
            // A day's photos of a meeting or two, in flight at once.
            device_quota: 64 * 1024 * 1024,
        }
    }
}

/// Everything the upload and blob endpoints share. Cheap to clone.
#[derive(Clone)]
pub struct TusState {
    inner: Arc<Inner>,
}

struct Inner {
    uploads: UploadStore,
    blobs: Arc<dyn BlobStore>,
    auth: Arc<dyn UploadAuth>,
    config: TusConfig,
    locks: UploadLocks,
    /// Server time (injectable: tests expire uploads without waiting).
    clock: Arc<dyn crate::Clock>,
}

impl TusState {
    /// Upload state on the local disk in `uploads_dir`, published blobs in `blobs`.
    pub fn new(
        uploads_dir: impl Into<PathBuf>,
        blobs: Arc<dyn BlobStore>,
        auth: Arc<dyn UploadAuth>,
        config: TusConfig,
    ) -> std::io::Result<TusState> {
        Ok(TusState::with_store(
            UploadStore::on_disk(uploads_dir)?,
            blobs,
            auth,
            config,
        ))
    }

    /// Upload state in `uploads` (on disk, or in the database several processes share).
    pub fn with_store(
        uploads: UploadStore,
        blobs: Arc<dyn BlobStore>,
        auth: Arc<dyn UploadAuth>,
        config: TusConfig,
    ) -> TusState {
        TusState {
            inner: Arc::new(Inner {
                uploads,
                blobs,
                auth,
                config,
                locks: UploadLocks::default(),
                clock: Arc::new(crate::SystemClock),
            }),
        }
    }

    /// The same state on `clock` (the server's), before it is shared.
    pub fn with_clock(mut self, clock: Arc<dyn crate::Clock>) -> TusState {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.clock = clock;
        }
        self
    }

    /// The usual layout: `<data_dir>/uploads` and a filesystem blob store in
    /// `<data_dir>/blobs` (same filesystem, so publishing is a rename).
    pub fn in_data_dir(
        data_dir: &Path,
        auth: Arc<dyn UploadAuth>,
        config: TusConfig,
    ) -> std::io::Result<TusState> {
        let blobs = Arc::new(FsBlobStore::open(data_dir.join("blobs"))?);
        TusState::new(data_dir.join("uploads"), blobs, auth, config)
    }

    /// The blob store, e.g. for the dashboard to show photos.
    pub fn blobs(&self) -> &Arc<dyn BlobStore> {
        &self.inner.blobs
    }
}

/// The routes, at their full paths (`UPLOADS_PATH`, `UPLOADS_PATH/<id>`,
/// `BLOBS_PATH/<sha256>`): merge this router into the server's (`Router::merge`), do not
/// nest it. No request body limit applies here; the endpoints bound bodies themselves
/// (by `Upload-Length`), so keep global body-limit layers off these routes.
pub fn router(state: TusState) -> Router {
    Router::new()
        .route(
            UPLOADS_PATH,
            post(handlers::create).options(handlers::options),
        )
        .route(
            &format!("{UPLOADS_PATH}/{{*id}}"),
            axum::routing::head(handlers::head)
                .patch(handlers::patch)
                .delete(handlers::delete)
                .options(handlers::options),
        )
        .route(
            &format!("{BLOBS_PATH}/{{*sha256}}"),
            get(handlers::read_blob),
        )
        .with_state(state)
}

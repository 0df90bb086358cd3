//! The web layer: HTTP in, HTTP out. The phones' JSON API ([`api`]), the office's
//! dashboard ([`dashboard`]: pages and their extractors) and resumable uploads ([`tus`]).
//! Handlers parse and check the request, ask the layer below ([`crate::access`],
//! [`crate::sync`], [`crate::office`], [`crate::accounts`], [`crate::figures`]) on a
//! blocking thread, and render the answer; no rule is decided here.

pub mod api;
pub mod dashboard;
pub mod tus;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::UploadState;
use crate::{AppState, ServerError};

use self::tus::TusConfig;

/// The whole application: the JSON API (gzip both ways, bodies capped) and the upload
/// routes (which bound their own bodies and stream bytes as they are).
pub fn router(state: AppState) -> Result<Router, ServerError> {
    let mut api: Router<AppState> = Router::new();
    for (_, path, handler) in api::api_routes() {
        api = api.route(path, handler);
    }
    let api = api
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(RequestDecompressionLayer::new())
        .layer(CompressionLayer::new())
        .with_state(state.clone());
    // Unfinished uploads on the local disk, or in the database the processes share;
    // published blobs in the configured store.
    let upload_state = match state.config.upload_state {
        UploadState::Disk => tus::UploadStore::on_disk(state.config.data_dir.join("uploads")),
        UploadState::Database => tus::UploadStore::in_database(
            state.storage.clone(),
            state.config.data_dir.join("uploads-assembling"),
        ),
    }
    .map_err(|e| ServerError::Io(format!("thư mục tải lên: {e}")))?;
    let uploads = tus::TusState::with_store(
        upload_state,
        state.blobs.clone(),
        Arc::new(api::DeviceUploadAuth(state.clone())),
        TusConfig::default(),
    );
    let dashboard = dashboard::router()
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(CompressionLayer::new())
        .with_state(state.clone());
    Ok(api.merge(tus::router(uploads)).merge(dashboard).layer(
        TraceLayer::new_for_http()
            .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
    ))
}

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

/// The client's address as text: the TCP peer's, or behind a trusted proxy
/// (`Config::trusted_proxies`) the right-most untrusted `X-Forwarded-For` hop. It keys the
/// sign-in and enrolment limits and the audit log.
pub fn client_ip(state: &AppState, parts: &axum::http::request::Parts) -> String {
    let Some(peer) = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return "unknown".to_string();
    };
    let proxies = state.config.proxies().unwrap_or_default();
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    proxies.client_ip(peer, forwarded).to_string()
}

use self::tus::TusConfig;

/// Writes an audit entry ([`crate::accounts::audit`]) for an action already taken. A
/// failure to write it is logged, not shown: the action stands.
pub async fn audit(
    state: &AppState,
    commune_id: Option<String>,
    actor: String,
    action: crate::accounts::audit::AuditAction,
    detail: String,
    client_ip: String,
) {
    let (storage, now) = (state.storage.clone(), state.clock.now());
    let written = tokio::task::spawn_blocking(move || {
        let entry = crate::accounts::audit::Entry {
            commune_id: commune_id.as_deref(),
            actor: &actor,
            action,
            detail: &detail,
            client_ip: &client_ip,
        };
        crate::accounts::audit::record(&*storage, &entry, now)
    })
    .await;
    match written {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!("audit log not written: {e}"),
        Err(e) => tracing::error!("audit log not written: {e}"),
    }
}

/// The client's address ([`client_ip`]), as an extractor.
pub struct ClientAddr(pub String);

impl axum::extract::FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_ip(state, parts)))
    }
}

/// What every dashboard answer carries: a policy that lets a page load only this site's
/// styles, images and forms (no script at all, as the dashboard has none) and never be
/// framed (clickjacking), no MIME sniffing, and no page address sent to other sites.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
    img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

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
        TusConfig {
            expiry: std::time::Duration::from_secs(
                u64::try_from(state.config.upload_expiry_hours)
                    .unwrap_or(24)
                    .saturating_mul(3600),
            ),
            device_quota: state.config.upload_quota_bytes,
            ..TusConfig::default()
        },
    )
    .with_clock(state.clock.clone());
    let dashboard = dashboard::router()
        .layer(axum::middleware::map_response(security_headers))
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(CompressionLayer::new())
        .with_state(state.clone());
    Ok(api.merge(tus::router(uploads)).merge(dashboard).layer(
        TraceLayer::new_for_http()
            .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
    ))
}

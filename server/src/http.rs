//! The HTTP API: routes, the JSON extractor that answers bad input with a clear
//! [`ErrorBody`](chibo_domain::sync::ErrorBody), and the handlers, each of which runs its
//! storage work in `spawn_blocking`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Query, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use chibo_domain::model::Id;
use chibo_domain::sync::{
    EnrollRequest, SyncRequest, ENROLL_PATH, OPENAPI_PATH, SYNC_PATH, UPLOADS_PATH,
};
use chibo_domain::time::local_year_month;

use crate::admin::{self, NewPerson};
use crate::auth::{self, Actor};
use crate::docs::CommuneDocs;
use crate::error::ApiError;
use crate::reports;
use crate::tus::{self, TusConfig, TusError, UploadAuth, Uploader};
use crate::{AppState, ServerError};

/// The OpenAPI 3 description of every route, served at [`OPENAPI_PATH`].
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

pub const ADMIN_PERSONS_PATH: &str = "/api/v1/admin/persons";
pub const ADMIN_PERSON_CODES_PATH: &str = "/api/v1/admin/persons/{person_id}/enrollment-codes";
pub const ADMIN_DEVICES_PATH: &str = "/api/v1/admin/devices";
pub const ADMIN_DEVICE_REVOKE_PATH: &str = "/api/v1/admin/devices/{device_id}/revoke";
pub const COMMUNE_SUMMARY_PATH: &str = "/api/v1/communes/{commune_id}/summary";
pub const COMMUNE_CELLS_PATH: &str = "/api/v1/communes/{commune_id}/cells";
pub const COMMUNE_MEETINGS_PATH: &str = "/api/v1/communes/{commune_id}/meetings";
pub const COMMUNE_CHECK_INS_PATH: &str = "/api/v1/communes/{commune_id}/check-ins";
pub const COMMUNE_PETITIONS_PATH: &str = "/api/v1/communes/{commune_id}/petitions";

/// The routes of the upload module (`crate::tus`), as the OpenAPI document names them.
pub const UPLOAD_ROUTES: &[(&str, &str)] = &[
    ("post", UPLOADS_PATH),
    ("options", UPLOADS_PATH),
    ("head", "/api/v1/uploads/{upload_id}"),
    ("patch", "/api/v1/uploads/{upload_id}"),
    ("delete", "/api/v1/uploads/{upload_id}"),
    ("options", "/api/v1/uploads/{upload_id}"),
    ("get", "/api/v1/blobs/{sha256}"),
];

/// Every route this module serves: (method, path, handler). The router is built from
/// this list and the OpenAPI test reads it, so a route cannot go undocumented.
pub fn api_routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::POST, ENROLL_PATH, post(enroll)),
        (Method::POST, SYNC_PATH, post(sync)),
        (Method::GET, OPENAPI_PATH, get(openapi)),
        (Method::GET, ADMIN_PERSONS_PATH, get(list_persons)),
        (Method::POST, ADMIN_PERSONS_PATH, post(create_person)),
        (Method::POST, ADMIN_PERSON_CODES_PATH, post(issue_code)),
        (Method::GET, ADMIN_DEVICES_PATH, get(list_devices)),
        (Method::POST, ADMIN_DEVICE_REVOKE_PATH, post(revoke_device)),
        (Method::GET, COMMUNE_SUMMARY_PATH, get(summary)),
        (Method::GET, COMMUNE_CELLS_PATH, get(cells)),
        (Method::GET, COMMUNE_MEETINGS_PATH, get(meetings)),
        (Method::GET, COMMUNE_CHECK_INS_PATH, get(check_ins)),
        (Method::GET, COMMUNE_PETITIONS_PATH, get(petitions)),
    ]
}

/// The whole application: the JSON API (gzip both ways, bodies capped) and the upload
/// routes (which bound their own bodies and stream bytes as they are).
pub fn router(state: AppState) -> Result<Router, ServerError> {
    let mut api: Router<AppState> = Router::new();
    for (_, path, handler) in api_routes() {
        api = api.route(path, handler);
    }
    let api = api
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(RequestDecompressionLayer::new())
        .layer(CompressionLayer::new())
        .with_state(state.clone());
    // Unfinished uploads stay on the local disk; published blobs go to the configured
    // store.
    let uploads = tus::TusState::new(
        state.config.data_dir.join("uploads"),
        state.blobs.clone(),
        Arc::new(DeviceUploadAuth(state.clone())),
        TusConfig::default(),
    )
    .map_err(|e| ServerError::Io(format!("thư mục tải lên: {e}")))?;
    let dashboard = crate::dashboard::router()
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(CompressionLayer::new())
        .with_state(state.clone());
    Ok(api.merge(tus::router(uploads)).merge(dashboard).layer(
        TraceLayer::new_for_http()
            .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
    ))
}

/// An unknown address: the API answers JSON, everything else the dashboard's page.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        ApiError::NotFound("Không có địa chỉ này trên máy chủ".into()).into_response()
    } else {
        crate::dashboard::layout::PageError::NotFound.into_response()
    }
}

/// JSON in, with every failure answered as a Vietnamese [`ApiError`]: 413 past the body
/// limit, 400 for anything that is not the expected JSON.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge {
                    limit: state.config.max_body_bytes,
                }
            } else {
                ApiError::BadRequest(
                    "Không đọc được dữ liệu gửi lên (đường truyền bị ngắt hoặc nén sai)".into(),
                )
            }
        })?;
        serde_json::from_slice(&bytes).map(ApiJson).map_err(|e| {
            use serde_json::error::Category;
            let what = match e.classify() {
                Category::Syntax => "sai cú pháp JSON",
                Category::Eof => "dữ liệu bị cắt cụt",
                Category::Data => "thiếu trường hoặc trường sai kiểu",
                Category::Io => "lỗi đọc dữ liệu",
            };
            tracing::debug!(error = %e, "bad JSON");
            ApiError::BadRequest(format!(
                "Dữ liệu gửi lên không hợp lệ: {what} (dòng {}, cột {})",
                e.line(),
                e.column()
            ))
        })
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await?
}

/// The device behind the request.
async fn actor(state: &AppState, headers: &HeaderMap) -> Result<Actor, ApiError> {
    let credential = auth::bearer(headers)?;
    let storage = state.storage.clone();
    blocking(move || crate::in_read(&*storage, |tx| auth::authenticate(tx, &credential))).await
}

/// An office device of the commune in the path.
async fn office_of(
    state: &AppState,
    headers: &HeaderMap,
    commune_id: &str,
) -> Result<Actor, ApiError> {
    let actor = actor(state, headers).await?;
    admin::require_office(&actor)?;
    if actor.commune_id() != commune_id {
        return Err(ApiError::forbidden());
    }
    Ok(actor)
}

// ---------------------------------------------------------------- enrolment, sync

async fn enroll(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<EnrollRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let now = state.clock.now();
    let storage = state.storage.clone();
    let response = blocking(move || admin::enroll(&*storage, &request, now)).await?;
    tracing::info!(device = %response.device_id, person = %response.person.id, "device enrolled");
    Ok((StatusCode::CREATED, Json(response)))
}

async fn sync(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let credential = auth::bearer(&headers)?;
    let pushed = request.push.len();
    let response = blocking(move || crate::sync::sync(&state, &credential, &request)).await?;
    let rejected = response
        .acks
        .iter()
        .filter(|a| matches!(a.outcome, chibo_domain::sync::AckOutcome::Rejected { .. }))
        .count();
    let pulled: usize = response.pulled.iter().map(|p| p.changes.len()).sum();
    tracing::info!(
        pushed,
        rejected,
        pulled,
        last_applied_seq = response.last_applied_seq,
        clock_warning = response.clock_warning.is_some(),
        more = response.more,
        "sync"
    );
    Ok(Json(response))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON)
}

// ---------------------------------------------------------------- admin

async fn list_persons(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let actor = actor(&state, &headers).await?;
    let commune = admin::require_office(&actor)?.to_string();
    let storage = state.storage.clone();
    Ok(Json(
        blocking(move || admin::list_persons(&*storage, &commune)).await?,
    ))
}

async fn create_person(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(new): ApiJson<NewPerson>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = actor(&state, &headers).await?;
    let commune = admin::require_office(&actor)?.to_string();
    let now = state.clock.now();
    let storage = state.storage.clone();
    let person = blocking(move || admin::create_person(&*storage, &commune, &new, now)).await?;
    Ok((StatusCode::CREATED, Json(person)))
}

async fn issue_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(person_id): Path<Id>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = actor(&state, &headers).await?;
    let commune = admin::require_office(&actor)?.to_string();
    let now = state.clock.now();
    let ttl = state.config.enrollment_code_ttl_ms();
    let storage = state.storage.clone();
    let public_url = state.config.public_url();
    let issued =
        blocking(move || admin::issue_code(&*storage, &commune, &person_id, ttl, now, &public_url))
            .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

async fn list_devices(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let actor = actor(&state, &headers).await?;
    let commune = admin::require_office(&actor)?.to_string();
    let storage = state.storage.clone();
    Ok(Json(
        blocking(move || admin::list_devices(&*storage, &commune)).await?,
    ))
}

async fn revoke_device(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(device_id): Path<Id>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = actor(&state, &headers).await?;
    let commune = admin::require_office(&actor)?.to_string();
    let now = state.clock.now();
    let storage = state.storage.clone();
    let device =
        blocking(move || admin::revoke_device(&*storage, &commune, &device_id, now)).await?;
    tracing::info!(device = %device.device_id, by = %actor.device.id, "device revoked");
    Ok(Json(device))
}

// ---------------------------------------------------------------- reports

#[derive(Debug, Deserialize)]
struct MonthQuery {
    /// `YYYY-MM`; this month (Vietnam time) when absent.
    month: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CellQuery {
    cell: Option<Id>,
}

fn parse_month(text: &str) -> Option<(i32, u32)> {
    let (y, m) = text.trim().split_once('-')?;
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

/// Runs a report over the commune's documents on a blocking thread.
async fn report<T: Send + 'static>(
    state: &AppState,
    commune_id: String,
    f: impl Fn(&CommuneDocs, &str) -> crate::storage::StorageResult<T> + Send + 'static,
) -> Result<T, ApiError> {
    let storage = state.storage.clone();
    blocking(move || {
        crate::in_read(&*storage, |tx| {
            let name = tx.commune(&commune_id)?.map(|c| c.name).unwrap_or_default();
            let docs = CommuneDocs::new(tx, &commune_id);
            f(&docs, &name).map(Ok)
        })
    })
    .await
}

async fn summary(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(commune_id): Path<Id>,
    query: Result<Query<MonthQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    office_of(&state, &headers, &commune_id).await?;
    let bad_month = || ApiError::BadRequest("Tháng phải có dạng YYYY-MM, ví dụ 2026-11".into());
    let Query(query) = query.map_err(|_| bad_month())?;
    let (year, month) = match query.month {
        Some(text) => parse_month(&text).ok_or_else(bad_month)?,
        None => local_year_month(state.clock.now()),
    };
    let s = report(&state, commune_id, move |docs, name| {
        reports::summary(docs, name, year, month)
    })
    .await?;
    Ok(Json(s))
}

async fn cells(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(commune_id): Path<Id>,
) -> Result<impl IntoResponse, ApiError> {
    office_of(&state, &headers, &commune_id).await?;
    Ok(Json(
        report(&state, commune_id, |docs, _| reports::cells(docs)).await?,
    ))
}

async fn meetings(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(commune_id): Path<Id>,
    Query(query): Query<CellQuery>,
) -> Result<impl IntoResponse, ApiError> {
    office_of(&state, &headers, &commune_id).await?;
    let rows = report(&state, commune_id, move |docs, _| {
        reports::meetings(docs, query.cell.as_deref())
    })
    .await?;
    Ok(Json(rows))
}

async fn check_ins(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(commune_id): Path<Id>,
) -> Result<impl IntoResponse, ApiError> {
    office_of(&state, &headers, &commune_id).await?;
    Ok(Json(
        report(&state, commune_id, |docs, _| reports::check_ins(docs)).await?,
    ))
}

async fn petitions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(commune_id): Path<Id>,
) -> Result<impl IntoResponse, ApiError> {
    office_of(&state, &headers, &commune_id).await?;
    Ok(Json(
        report(&state, commune_id, |docs, _| reports::petitions(docs)).await?,
    ))
}

// ---------------------------------------------------------------- uploads

/// The upload module's view of devices and blob references.
struct DeviceUploadAuth(AppState);

impl UploadAuth for DeviceUploadAuth {
    fn authenticate(&self, headers: &HeaderMap) -> Result<Uploader, TusError> {
        let credential = auth::bearer(headers).map_err(|_| TusError::Unauthorized)?;
        match crate::in_read(&*self.0.storage, |tx| auth::authenticate(tx, &credential)) {
            Ok(actor) => Ok(Uploader {
                device_id: actor.device.id,
                commune_id: actor.commune.id,
            }),
            Err(ApiError::Revoked) => Err(TusError::Revoked),
            Err(ApiError::Unauthorized(_)) => Err(TusError::Unauthorized),
            Err(e) => Err(TusError::internal(e.to_string())),
        }
    }

    fn may_read_blob(
        &self,
        uploader: &Uploader,
        sha256: &crate::blobs::BlobId,
    ) -> Result<bool, TusError> {
        may_read_blob(
            &*self.0.storage,
            &self.0.clock.now(),
            &uploader.device_id,
            sha256.as_str(),
        )
        .map_err(|e| TusError::internal(e.to_string()))
    }

    fn published(
        &self,
        uploader: &Uploader,
        sha256: &crate::blobs::BlobId,
    ) -> Result<(), TusError> {
        crate::sync::photo_received(&self.0, &uploader.device_id, sha256.as_str())
            .map_err(|e| TusError::internal(e.to_string()))
    }
}

/// Whether a record the device may read references the blob `sha256`: a meeting photo
/// or check-in photo of a cell it reads, or an attachment of guidance for it.
pub fn may_read_blob(
    storage: &dyn crate::Storage,
    now: &chibo_domain::time::EpochMillis,
    device_id: &str,
    sha256: &str,
) -> Result<bool, ApiError> {
    let today = chibo_domain::time::local_date(*now);
    let sha256 = sha256.trim().to_lowercase();
    crate::in_read(storage, |tx| {
        let Some(device) = tx.device(device_id)? else {
            return Ok(Ok(false));
        };
        if device.revoked_at.is_some() {
            return Ok(Ok(false));
        }
        let (Some(person), Some(commune)) = (
            tx.person(&device.person_id)?,
            tx.commune(&device.commune_id)?,
        ) else {
            return Ok(Ok(false));
        };
        let Some(role) = auth::role_of(&person) else {
            return Ok(Ok(false));
        };
        let refs: Vec<_> = tx
            .blob_refs(&sha256)?
            .into_iter()
            .filter(|r| r.commune_id == commune.id)
            .collect();
        if refs.is_empty() {
            return Ok(Ok(false));
        }
        let actor = Actor {
            device,
            person,
            role,
            commune,
        };
        let docs = CommuneDocs::new(tx, &actor.commune.id);
        let cells = crate::scope::readable_cells(&docs, &actor, today)?;
        if refs
            .iter()
            .any(|r| r.cell_id.as_ref().is_some_and(|c| cells.contains(c)))
        {
            return Ok(Ok(true));
        }
        // A commune-level reference: an attachment of guidance this device receives.
        if refs.iter().any(|r| r.cell_id.is_none()) {
            let visible = docs.guidances()?.iter().any(|g| {
                crate::scope::guidance_visible(&actor, g)
                    && g.attachments
                        .iter()
                        .any(|a| a.sha256.eq_ignore_ascii_case(&sha256))
            });
            return Ok(Ok(visible));
        }
        Ok(Ok(false))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_read_as_year_and_month() {
        assert_eq!(parse_month("2026-11"), Some((2026, 11)));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("tháng 11"), None);
    }
}

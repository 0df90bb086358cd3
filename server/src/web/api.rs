//! The HTTP API: routes, the JSON extractor that answers bad input with a clear
//! [`ErrorBody`](chibo_domain::sync::ErrorBody), and the handlers, each of which runs its
//! storage work in `spawn_blocking`.

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use chibo_domain::model::Id;
use chibo_domain::sync::{
    EnrollRequest, ReceivedChange, SyncRequest, AUTH_SCHEME, ENROLL_PATH, OPENAPI_PATH, SYNC_PATH,
    UPLOADS_PATH,
};
use chibo_domain::time::local_year_month;

use crate::access;
use crate::accounts::audit;
use crate::accounts::devices::{self, Actor};
use crate::accounts::enrolment::{self, NewPerson};
use crate::docs::CommuneDocs;
use crate::error::ApiError;
use crate::figures::reports;
use crate::web::tus::{TusError, UploadAuth, Uploader};
use crate::AppState;

/// The OpenAPI 3 description of every route, served at [`OPENAPI_PATH`].
pub const OPENAPI_JSON: &str = include_str!("../../openapi.json");

pub const ADMIN_PERSONS_PATH: &str = "/api/v1/admin/persons";
pub const ADMIN_PERSON_CODES_PATH: &str = "/api/v1/admin/persons/{person_id}/enrollment-codes";
pub const ADMIN_DEVICES_PATH: &str = "/api/v1/admin/devices";
pub const ADMIN_DEVICE_REVOKE_PATH: &str = "/api/v1/admin/devices/{device_id}/revoke";
pub const COMMUNE_SUMMARY_PATH: &str = "/api/v1/communes/{commune_id}/summary";
pub const COMMUNE_CELLS_PATH: &str = "/api/v1/communes/{commune_id}/cells";
pub const COMMUNE_MEETINGS_PATH: &str = "/api/v1/communes/{commune_id}/meetings";
pub const COMMUNE_CHECK_INS_PATH: &str = "/api/v1/communes/{commune_id}/check-ins";
pub const COMMUNE_PETITIONS_PATH: &str = "/api/v1/communes/{commune_id}/petitions";

/// The routes of the upload module (`crate::web::tus`), as the OpenAPI document names them.
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

/// An unknown address: the API answers JSON, everything else the dashboard's page.
pub(super) async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        ApiError::NotFound("Không có địa chỉ này trên máy chủ".into()).into_response()
    } else {
        crate::web::dashboard::layout::PageError::NotFound.into_response()
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

/// The device holding the request's credential. Handlers take it before any extractor
/// that parses (path, query, body): a request without a valid credential costs one read
/// and is answered 401 before anything it carries is decompressed or parsed.
pub struct Device {
    pub actor: Actor,
    pub credential: String,
}

impl FromRequestParts<AppState> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let credential = bearer(&parts.headers)?;
        let storage = state.storage.clone();
        let held = credential.clone();
        let actor =
            blocking(move || crate::in_read(&*storage, |tx| devices::authenticate(tx, &held)))
                .await?;
        Ok(Device { actor, credential })
    }
}

/// An office device of the commune in the path.
fn office_of(device: &Device, commune_id: &str) -> Result<(), ApiError> {
    access::require_office(&device.actor)?;
    if device.actor.commune_id() != commune_id {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

/// An error answers with its status and its [`ErrorBody`](chibo_domain::sync::ErrorBody).
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        (self.status(), Json(self.body())).into_response()
    }
}

/// The credential in `Authorization: Bearer <credential>`.
pub fn bearer(headers: &HeaderMap) -> Result<String, ApiError> {
    let missing =
        || ApiError::Unauthorized("Thiếu mã xác thực thiết bị; hãy đăng ký thiết bị".into());
    let value = headers.get(header::AUTHORIZATION).ok_or_else(missing)?;
    let text = value.to_str().map_err(|_| missing())?;
    let (scheme, credential) = text.trim().split_once(' ').ok_or_else(missing)?;
    if !scheme.eq_ignore_ascii_case(AUTH_SCHEME) || credential.trim().is_empty() {
        return Err(missing());
    }
    Ok(credential.trim().to_string())
}

/// A path parameter that is not valid percent-encoded UTF-8.
fn bad_path(_: PathRejection) -> ApiError {
    ApiError::BadRequest("Mã trong địa chỉ không hợp lệ".into())
}

// ---------------------------------------------------------------- enrolment, sync

async fn enroll(
    State(state): State<AppState>,
    super::ClientAddr(ip): super::ClientAddr,
    ApiJson(request): ApiJson<EnrollRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let now = state.clock.now();
    let storage = state.storage.clone();
    let label = request.device_label.trim().to_string();
    let client = ip.clone();
    let response = blocking(move || enrolment::enroll_from(&*storage, &request, &ip, now)).await?;
    tracing::info!(device = %response.device_id, person = %response.person.id, "device enrolled");
    super::audit(
        &state,
        Some(response.person.commune_id.clone()),
        audit::device_actor(&response.device_id, &label),
        audit::AuditAction::DeviceEnrolled,
        response.person.full_name.clone(),
        client,
    )
    .await;
    Ok((StatusCode::CREATED, Json(response)))
}

async fn sync(
    State(state): State<AppState>,
    device: Device,
    ApiJson(request): ApiJson<SyncRequest<ReceivedChange>>,
) -> Result<impl IntoResponse, ApiError> {
    // `crate::sync::sync` authenticates again in its own read (a device revoked while
    // its body arrived is refused).
    let credential = device.credential;
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
    device: Device,
) -> Result<impl IntoResponse, ApiError> {
    let commune = access::require_office(&device.actor)?.to_string();
    let storage = state.storage.clone();
    Ok(Json(
        blocking(move || enrolment::list_persons(&*storage, &commune)).await?,
    ))
}

async fn create_person(
    State(state): State<AppState>,
    device: Device,
    super::ClientAddr(ip): super::ClientAddr,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = device.actor;
    let commune = access::require_office(&actor)?.to_string();
    let new = new_person(body)?;
    access::office_device_may_administer(&actor, &new.role)?;
    let now = state.clock.now();
    let storage = state.storage.clone();
    let person = blocking(move || enrolment::create_person(&*storage, &commune, &new, now)).await?;
    let actor_text = audit::device_actor(&actor.device.id, &actor.device.label);
    let detail = person.full_name.clone();
    let commune = Some(person.commune_id.clone());
    let action = audit::AuditAction::PersonRegistered;
    super::audit(&state, commune, actor_text, action, detail, ip).await;
    Ok((StatusCode::CREATED, Json(person)))
}

/// A person to register, as the document describes it: a `cell_id` or `cadre_id` that
/// is sent must be a UUID (hyphenated) even where the role does not use it, so a wrong
/// id is told apart from a well-formed one the commune does not have (404).
fn new_person(body: serde_json::Value) -> Result<NewPerson, ApiError> {
    for (field, what) in [("cell_id", "chi bộ"), ("cadre_id", "cấp ủy viên")] {
        match body.get(field) {
            None => {}
            Some(serde_json::Value::String(id))
                if id.len() == 36 && chibo_domain::model::is_valid_id(id) => {}
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "Mã {what} ({field}) không hợp lệ: {other}"
                )))
            }
        }
    }
    serde_json::from_value(body)
        .map_err(|e| ApiError::BadRequest(format!("Dữ liệu gửi lên không hợp lệ: {e}")))
}

async fn issue_code(
    State(state): State<AppState>,
    device: Device,
    super::ClientAddr(ip): super::ClientAddr,
    path: Result<Path<Id>, PathRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = device.actor;
    let commune = access::require_office(&actor)?.to_string();
    let Path(person_id) = path.map_err(bad_path)?;
    let (storage, id) = (state.storage.clone(), person_id.clone());
    if let Some(role) = blocking(move || person_role(&*storage, &id)).await? {
        access::office_device_may_administer(&actor, &role)?;
    }
    let now = state.clock.now();
    let ttl = state.config.enrollment_code_ttl_ms();
    let storage = state.storage.clone();
    let public_url = state.config.public_url();
    let issued = blocking(move || {
        enrolment::issue_code(&*storage, &commune, &person_id, ttl, now, &public_url)
    })
    .await?;
    let actor_text = audit::device_actor(&actor.device.id, &actor.device.label);
    let detail = issued.person.full_name.clone();
    let commune = Some(issued.person.commune_id.clone());
    let action = audit::AuditAction::CodeIssued;
    super::audit(&state, commune, actor_text, action, detail, ip).await;
    Ok((StatusCode::CREATED, Json(issued)))
}

async fn list_devices(
    State(state): State<AppState>,
    device: Device,
) -> Result<impl IntoResponse, ApiError> {
    let commune = access::require_office(&device.actor)?.to_string();
    let storage = state.storage.clone();
    Ok(Json(
        blocking(move || enrolment::list_devices(&*storage, &commune)).await?,
    ))
}

async fn revoke_device(
    State(state): State<AppState>,
    device: Device,
    super::ClientAddr(ip): super::ClientAddr,
    path: Result<Path<Id>, PathRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = device.actor;
    let commune = access::require_office(&actor)?.to_string();
    let Path(device_id) = path.map_err(bad_path)?;
    // Its own device an office may always give up.
    let (storage, id) = (state.storage.clone(), device_id.clone());
    let person = blocking(move || {
        crate::in_read(&*storage, |tx| Ok(Ok(tx.device(&id)?.map(|d| d.person_id))))
    })
    .await?
    .filter(|_| device_id != actor.device.id);
    if let Some(person_id) = person {
        let storage = state.storage.clone();
        if let Some(role) = blocking(move || person_role(&*storage, &person_id)).await? {
            access::office_device_may_administer(&actor, &role)?;
        }
    }
    let now = state.clock.now();
    let storage = state.storage.clone();
    let revoked =
        blocking(move || enrolment::revoke_device(&*storage, &commune, &device_id, now)).await?;
    tracing::info!(device = %revoked.device_id, by = %actor.device.id, "device revoked");
    super::audit(
        &state,
        Some(actor.commune_id().to_string()),
        audit::device_actor(&actor.device.id, &actor.device.label),
        audit::AuditAction::DeviceRevoked,
        format!("{} của {}", revoked.label, revoked.person_name),
        ip,
    )
    .await;
    Ok(Json(revoked))
}

/// The role of the person `person_id`, if there is one (another commune's is checked
/// by the operation itself, which answers 404).
fn person_role(
    storage: &dyn crate::Storage,
    person_id: &str,
) -> Result<Option<chibo_domain::sync::Role>, ApiError> {
    crate::in_read(storage, |tx| {
        Ok(Ok(tx
            .person(person_id)?
            .as_ref()
            .and_then(devices::role_of)))
    })
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
    device: Device,
    path: Result<Path<Id>, PathRejection>,
    query: Result<Query<MonthQuery>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Path(commune_id) = path.map_err(bad_path)?;
    office_of(&device, &commune_id)?;
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
    device: Device,
    path: Result<Path<Id>, PathRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Path(commune_id) = path.map_err(bad_path)?;
    office_of(&device, &commune_id)?;
    Ok(Json(
        report(&state, commune_id, |docs, _| reports::cells(docs)).await?,
    ))
}

async fn meetings(
    State(state): State<AppState>,
    device: Device,
    path: Result<Path<Id>, PathRejection>,
    query: Result<Query<CellQuery>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Path(commune_id) = path.map_err(bad_path)?;
    office_of(&device, &commune_id)?;
    let Query(query) = query.map_err(|_| {
        ApiError::BadRequest("Tham số cell phải là một mã chi bộ, chỉ một lần".into())
    })?;
    let rows = report(&state, commune_id, move |docs, _| {
        reports::meetings(docs, query.cell.as_deref())
    })
    .await?;
    Ok(Json(rows))
}

async fn check_ins(
    State(state): State<AppState>,
    device: Device,
    path: Result<Path<Id>, PathRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Path(commune_id) = path.map_err(bad_path)?;
    office_of(&device, &commune_id)?;
    Ok(Json(
        report(&state, commune_id, |docs, _| reports::check_ins(docs)).await?,
    ))
}

async fn petitions(
    State(state): State<AppState>,
    device: Device,
    path: Result<Path<Id>, PathRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Path(commune_id) = path.map_err(bad_path)?;
    office_of(&device, &commune_id)?;
    Ok(Json(
        report(&state, commune_id, |docs, _| reports::petitions(docs)).await?,
    ))
}

// ---------------------------------------------------------------- uploads

/// The upload module's view of devices and blob references.
pub(super) struct DeviceUploadAuth(pub(super) AppState);

impl UploadAuth for DeviceUploadAuth {
    fn authenticate(&self, headers: &HeaderMap) -> Result<Uploader, TusError> {
        let credential = bearer(headers).map_err(|_| TusError::Unauthorized)?;
        match crate::in_read(&*self.0.storage, |tx| {
            devices::authenticate(tx, &credential)
        }) {
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
        crate::access::device_may_read_blob(
            &*self.0.storage,
            &self.0.clock.now(),
            &uploader.device_id,
            sha256.as_str(),
        )
        .map_err(|e| TusError::internal(e.to_string()))
    }

    fn received(&self, uploader: &Uploader, sha256: &crate::blobs::BlobId) -> Result<(), TusError> {
        let now = self.0.clock.now();
        crate::storage::write(&*self.0.storage, |tx| {
            tx.add_blob_holder(
                &uploader.commune_id,
                sha256.as_str(),
                &uploader.device_id,
                now,
            )
        })
        .map_err(|e| TusError::internal(e.to_string()))
    }

    fn holds_blob(
        &self,
        uploader: &Uploader,
        sha256: &crate::blobs::BlobId,
    ) -> Result<bool, TusError> {
        crate::access::device_holds_blob(
            &*self.0.storage,
            self.0.clock.now(),
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
        crate::ledger::check_ins::photo_received(&self.0, &uploader.device_id, sha256.as_str())
            .map_err(|e| TusError::internal(e.to_string()))
    }
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

    #[test]
    fn bearer_needs_the_scheme_and_a_value() {
        let mut h = HeaderMap::new();
        assert!(bearer(&h).is_err());
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert!(bearer(&h).is_err());
        h.insert(header::AUTHORIZATION, "Bearer  abc ".parse().unwrap());
        assert_eq!(bearer(&h).unwrap(), "abc");
    }
}

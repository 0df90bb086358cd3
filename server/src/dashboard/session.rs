//! Sign-in and roles: who is looking at the dashboard, and what they may see and do.
//!
//! (Scaffold: the types and extractors the pages build on. Sign-in, sessions, CSRF
//! tokens and the rate limit are being built; until then nobody is signed in.)

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::body::Bytes;
use axum::Router;
use serde::de::DeserializeOwned;

use crate::storage::{self, CommuneRow};
use crate::AppState;

use super::layout::{blocking, PageError};

/// The dashboard roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DashboardRole {
    /// Reads and acts for one commune (answers petitions, reviews check-ins, publishes
    /// guidance, enrols and revokes devices).
    CommuneAdmin,
    /// Reads one commune.
    CommuneViewer,
    /// Reads every commune of one province.
    ProvinceViewer,
}

/// A signed-in dashboard user, as the session found them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DashboardUser {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: DashboardRole,
    /// For the commune roles.
    pub commune_id: Option<String>,
    /// For the province viewer.
    pub province_id: Option<String>,
    /// This session's CSRF token: every form posts it back as `csrf`.
    pub csrf_token: String,
}

impl DashboardUser {
    pub fn may_read(&self, commune: &CommuneRow) -> bool {
        match self.role {
            DashboardRole::CommuneAdmin | DashboardRole::CommuneViewer => {
                self.commune_id.as_deref() == Some(commune.id.as_str())
            }
            DashboardRole::ProvinceViewer => {
                self.province_id.as_deref() == Some(commune.province_id.as_str())
            }
        }
    }

    pub fn may_write(&self, commune: &CommuneRow) -> bool {
        self.role == DashboardRole::CommuneAdmin
            && self.commune_id.as_deref() == Some(commune.id.as_str())
    }
}

/// Sign-in, sign-out.
pub fn routes() -> Router<AppState> {
    Router::new()
}

/// The user of the session the request's cookie names, if it is valid.
async fn session_user(_state: &AppState, _parts: &Parts) -> Result<Option<DashboardUser>, PageError> {
    Ok(None)
}

/// A signed-out visitor goes to the sign-in page, and comes back after.
fn to_sign_in(parts: &Parts) -> Response {
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    Redirect::to(&format!("/login?next={}", super::layout::urlencode(next))).into_response()
}

impl FromRequestParts<AppState> for DashboardUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match session_user(state, parts).await {
            Ok(Some(user)) => Ok(user),
            Ok(None) => Err(to_sign_in(parts)),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// A page of the commune in the path (`{commune_id}`) that the user may read. Another
/// commune answers 404, the same as one that does not exist.
pub struct CommuneScope {
    pub user: DashboardUser,
    pub commune: CommuneRow,
}

impl FromRequestParts<AppState> for CommuneScope {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = DashboardUser::from_request_parts(parts, state).await?;
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| PageError::NotFound.into_response())?;
        let commune_id = params
            .get("commune_id")
            .cloned()
            .ok_or_else(|| PageError::NotFound.into_response())?;
        let storage = state.storage.clone();
        let commune = blocking(move || {
            Ok(storage::read(&*storage, |tx| tx.commune(&commune_id))?)
        })
        .await
        .map_err(IntoResponse::into_response)?;
        match commune {
            Some(commune) if user.may_read(&commune) => Ok(CommuneScope { user, commune }),
            _ => Err(PageError::NotFound.into_response()),
        }
    }
}

/// A [`CommuneScope`] whose user may also act for the commune; a reader gets 403.
pub struct CommuneWriter(pub CommuneScope);

impl FromRequestParts<AppState> for CommuneWriter {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let scope = CommuneScope::from_request_parts(parts, state).await?;
        if scope.user.may_write(&scope.commune) {
            Ok(CommuneWriter(scope))
        } else {
            Err(PageError::Forbidden.into_response())
        }
    }
}

/// A posted form (`application/x-www-form-urlencoded`) whose `csrf` field matches the
/// session's token; otherwise 403. `T` need not declare `csrf`.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = DashboardUser::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| bad_form("không đọc được nội dung gửi lên").into_response())?;
        let fields: HashMap<String, String> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| bad_form(&e.to_string()).into_response())?;
        if !csrf_matches(&user, fields.get("csrf").map(String::as_str)) {
            return Err(PageError::Forbidden.into_response());
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|e| bad_form(&e.to_string()).into_response())
    }
}

fn bad_form(detail: &str) -> PageError {
    PageError::BadRequest(format!("Biểu mẫu không hợp lệ: {detail}"))
}

/// Whether a posted token is this session's, compared in constant time.
pub fn csrf_matches(user: &DashboardUser, posted: Option<&str>) -> bool {
    use subtle::ConstantTimeEq;
    match posted {
        Some(posted) if !user.csrf_token.is_empty() => {
            posted.as_bytes().ct_eq(user.csrf_token.as_bytes()).into()
        }
        _ => false,
    }
}

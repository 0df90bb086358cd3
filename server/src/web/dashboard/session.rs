//! The session over HTTP: the extractors every page is reached through. A signed-in
//! browser holds a random token in the `chibo_session` cookie (HttpOnly, SameSite=Lax);
//! [`crate::accounts::sessions`] keeps the session, [`super::sign_in`] opens and ends
//! it. Who may read or act for a commune is [`crate::access`]'s answer; every form posts
//! the session's CSRF token back ([`CsrfForm`]).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

use crate::access;
use crate::accounts::sessions::{self, DashboardUser};
use crate::storage::{self, CommuneRow};
use crate::AppState;

use super::layout::{blocking, PageError};

/// The session cookie.
pub const SESSION_COOKIE: &str = "chibo_session";
// ---------------------------------------------------------------- tokens, cookies

/// The value of cookie `name` in the request's `Cookie` headers.
pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

/// The address the request came from ([`crate::web::client_ip`]: behind a configured
/// proxy, the client's, not the proxy's).
pub(super) struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(crate::web::client_ip(state, parts)))
    }
}

// ---------------------------------------------------------------- the session

/// Answers that carry who is signed in must not be cached.
pub(super) fn no_store(response: &mut Response) {
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
}

/// The user of the session the request's cookie names, if it is valid.
async fn session_user(state: &AppState, parts: &Parts) -> Result<Option<DashboardUser>, PageError> {
    session_from_headers(state, &parts.headers).await
}

pub(super) async fn session_from_headers(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<DashboardUser>, PageError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let storage = state.storage.clone();
    let now = state.clock.now();
    blocking(move || Ok(sessions::session_user(&*storage, &token, now)?)).await
}

/// A signed-out visitor goes to the sign-in page, and comes back after.
fn to_sign_in(parts: &Parts) -> Response {
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut response =
        Redirect::to(&format!("/login?next={}", super::layout::urlencode(next))).into_response();
    no_store(&mut response);
    response
}

impl FromRequestParts<AppState> for DashboardUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match session_user(state, parts).await {
            Ok(Some(mut user)) => {
                user.client_ip = crate::web::client_ip(state, parts);
                Ok(user)
            }
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
        let commune = blocking(move || Ok(storage::read(&*storage, |tx| tx.commune(&commune_id))?))
            .await
            .map_err(IntoResponse::into_response)?;
        match commune {
            Some(commune) if access::dashboard_may_read(&user, &commune) => {
                Ok(CommuneScope { user, commune })
            }
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
        if access::dashboard_may_write(&scope.user, &scope.commune) {
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

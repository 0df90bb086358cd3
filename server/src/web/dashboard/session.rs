//! Sign-in over HTTP: the session cookie, the sign-in and sign-out pages, and the
//! extractors every page is reached through.
//!
//! A signed-in browser holds a random token in the `chibo_session` cookie (HttpOnly,
//! SameSite=Lax); [`crate::accounts::sessions`] keeps the session. The sign-in form has
//! its own CSRF defence (a random token in a cookie and in the form, compared on post).
//! Who may read or act for a commune is [`crate::access`]'s answer.

use std::collections::HashMap;
use std::net::SocketAddr;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::access;
use crate::accounts::sessions::{self, DashboardUser, SignIn};
use crate::accounts::users::DashboardRole;
use crate::storage::{self, CommuneRow};
use crate::AppState;

use super::layout::{blocking, commune_path, render, Chrome, Nav, PageError};

/// The session cookie.
pub const SESSION_COOKIE: &str = "chibo_session";
/// The sign-in form's CSRF cookie (before there is a session).
pub const LOGIN_CSRF_COOKIE: &str = "chibo_login_csrf";
/// Sign-in, sign-out, and the start page.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
}

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

fn set_cookie(state: &AppState, name: &str, value: &str, path: &str, clear: bool) -> HeaderValue {
    let mut text = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax");
    if clear {
        text.push_str("; Max-Age=0");
    }
    if state.config.secure_cookies {
        text.push_str("; Secure");
    }
    // Tokens are base64url: always a valid header value.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn equal_secrets(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    !a.is_empty() && a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// `next` if it is a path on this site, else `/`: never a redirect elsewhere
/// (`//host`, `/\host` and absolute URLs are refused).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next)
            if next.starts_with('/')
                && !next.starts_with("//")
                && !next.contains('\\')
                && !next.chars().any(char::is_control) =>
        {
            next.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The address the request came from (the proxy's, behind one).
pub(super) struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".to_string()),
        ))
    }
}

// ---------------------------------------------------------------- sign-in

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    next: &'a str,
    username: &'a str,
    error: Option<&'a str>,
}

/// The sign-in form with a fresh form token (set as a cookie too), and `status`.
fn login_page(
    state: &AppState,
    status: StatusCode,
    next: &str,
    username: &str,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let csrf = sessions::random_token()?;
    let page = render(&LoginPage {
        csrf: &csrf,
        next,
        username,
        error,
    })?;
    let mut response = (status, page).into_response();
    response.headers_mut().append(
        SET_COOKIE,
        set_cookie(state, LOGIN_CSRF_COOKIE, &csrf, "/login", false),
    );
    no_store(&mut response);
    Ok(response)
}

fn no_store(response: &mut Response) {
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(
    State(state): State<AppState>,
    parts_headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Result<Response, PageError> {
    let next = safe_next(query.next.as_deref());
    if session_from_headers(&state, &parts_headers)
        .await?
        .is_some()
    {
        return Ok(Redirect::to(&next).into_response());
    }
    login_page(&state, StatusCode::OK, &next, "", None)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    csrf: String,
}

const WRONG_CREDENTIALS: &str = "Tên đăng nhập hoặc mật khẩu không đúng.";
pub(super) const TOO_MANY_FAILURES: &str =
    "Đã đăng nhập sai quá nhiều lần. Vì an toàn, tài khoản này \
    (hoặc máy này) tạm thời không đăng nhập được; đồng chí thử lại sau 15 phút.";
const STALE_FORM: &str = "Trang đăng nhập đã cũ hoặc trình duyệt chặn cookie. Đồng chí \
    nhập lại tên đăng nhập và mật khẩu.";

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let next = safe_next(form.next.as_deref());
    let form_token = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if !equal_secrets(&form_token, &form.csrf) {
        return login_page(
            &state,
            StatusCode::FORBIDDEN,
            &next,
            &form.username,
            Some(STALE_FORM),
        );
    }
    let storage = state.storage.clone();
    let now = state.clock.now();
    let username = form.username.clone();
    let password = form.password;
    let outcome = blocking(move || {
        Ok(sessions::sign_in(
            &*storage, &username, &password, &ip, now,
        )?)
    })
    .await?;
    match outcome {
        SignIn::SignedIn { token } => {
            let mut response = Redirect::to(&next).into_response();
            let headers = response.headers_mut();
            headers.append(
                SET_COOKIE,
                set_cookie(&state, SESSION_COOKIE, &token, "/", false),
            );
            headers.append(
                SET_COOKIE,
                set_cookie(&state, LOGIN_CSRF_COOKIE, "", "/login", true),
            );
            Ok(response)
        }
        SignIn::Wrong => login_page(
            &state,
            StatusCode::UNAUTHORIZED,
            &next,
            &form.username,
            Some(WRONG_CREDENTIALS),
        ),
        SignIn::Throttled => login_page(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            &next,
            &form.username,
            Some(TOO_MANY_FAILURES),
        ),
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(_): CsrfForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        let storage = state.storage.clone();
        blocking(move || Ok(sessions::sign_out(&*storage, &token)?)).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, "", "/", true),
    );
    Ok(response)
}

// ---------------------------------------------------------------- the start page

#[derive(Template)]
#[template(path = "communes.html")]
struct CommunesPage {
    chrome: Chrome,
    communes: Vec<CommuneRow>,
}

impl CommunesPage {
    fn href(&self, commune: &CommuneRow) -> String {
        commune_path(&commune.id)
    }
}

/// A commune user goes to their commune; a province viewer picks one of the province's.
async fn home(State(state): State<AppState>, user: DashboardUser) -> Result<Response, PageError> {
    if let (DashboardRole::CommuneAdmin | DashboardRole::CommuneViewer, Some(commune_id)) =
        (user.role, &user.commune_id)
    {
        return Ok(Redirect::to(&commune_path(commune_id)).into_response());
    }
    let storage = state.storage.clone();
    let province = user.province_id.clone().unwrap_or_default();
    let communes = blocking(move || {
        let all = storage::read(&*storage, |tx| tx.communes())?;
        Ok(all
            .into_iter()
            .filter(|c| c.province_id == province)
            .collect::<Vec<_>>())
    })
    .await?;
    let page = CommunesPage {
        chrome: Chrome::new(user, None, Nav::None, "Các xã trong tỉnh"),
        communes,
    };
    Ok(render(&page)?.into_response())
}

// ---------------------------------------------------------------- the session

/// The user of the session the request's cookie names, if it is valid.
async fn session_user(state: &AppState, parts: &Parts) -> Result<Option<DashboardUser>, PageError> {
    session_from_headers(state, &parts.headers).await
}

async fn session_from_headers(
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

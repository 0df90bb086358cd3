//! Sign-in and roles: who is looking at the dashboard, and what they may see and do.
//!
//! A signed-in browser holds a random token in the `chibo_session` cookie (HttpOnly,
//! SameSite=Lax); the server keeps only its SHA-256, with the session's CSRF token and
//! an idle expiry that slides while the session is used. The sign-in form has its own
//! CSRF defence (a random token in a cookie and in the form, compared on post), and
//! repeated failures for one username or from one address are refused for a while.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::OnceLock;

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
use sha2::{Digest, Sha256};

use chibo_domain::time::EpochMillis;

use crate::storage::{
    self, username_key, CommuneRow, DashboardUserRow, StorageResult, WebSessionRow,
};
use crate::{users, AppState};

use super::layout::{blocking, commune_path, render, Chrome, Nav, PageError};

/// The session cookie.
pub const SESSION_COOKIE: &str = "chibo_session";
/// The sign-in form's CSRF cookie (before there is a session).
pub const LOGIN_CSRF_COOKIE: &str = "chibo_login_csrf";
/// A session unused for this long is over.
pub const IDLE_TIMEOUT_MS: i64 = 12 * 3_600_000;
/// However much it is used, a session ends this long after sign-in.
pub const MAX_SESSION_MS: i64 = 7 * 24 * 3_600_000;
/// `last_seen_at` is written at most this often (a page view is otherwise read-only).
const TOUCH_EVERY_MS: i64 = 60_000;
/// Failed sign-ins counted over this window…
pub const FAILURE_WINDOW_MS: i64 = 15 * 60_000;
/// …and how many are allowed in it before further attempts are refused.
pub const MAX_FAILURES: u64 = 5;

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

impl DashboardRole {
    /// The stored and command-line form.
    pub fn as_str(self) -> &'static str {
        match self {
            DashboardRole::CommuneAdmin => "commune_admin",
            DashboardRole::CommuneViewer => "commune_viewer",
            DashboardRole::ProvinceViewer => "province_viewer",
        }
    }

    pub fn parse(text: &str) -> Option<DashboardRole> {
        match text {
            "commune_admin" => Some(DashboardRole::CommuneAdmin),
            "commune_viewer" => Some(DashboardRole::CommuneViewer),
            "province_viewer" => Some(DashboardRole::ProvinceViewer),
            _ => None,
        }
    }
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

    fn from_row(row: DashboardUserRow, csrf_token: String) -> Option<DashboardUser> {
        Some(DashboardUser {
            role: DashboardRole::parse(&row.role)?,
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            commune_id: row.commune_id,
            province_id: row.province_id,
            csrf_token,
        })
    }
}

/// Sign-in, sign-out, and the start page.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
}

// ---------------------------------------------------------------- tokens, cookies

/// 32 random bytes, URL-safe base64.
fn random_token() -> Result<String, PageError> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| PageError::Internal(format!("no randomness: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub(super) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

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
    let csrf = random_token()?;
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

/// Whether `username` or address `ip` failed too often lately to try a password again.
pub(super) fn too_many_failures(
    tx: &mut dyn storage::Tx,
    username: &str,
    ip: &str,
    now: EpochMillis,
) -> StorageResult<bool> {
    let (by_user, by_ip) =
        tx.sign_in_failures(&username_key(username), ip, now - FAILURE_WINDOW_MS)?;
    Ok(by_user >= MAX_FAILURES || by_ip >= MAX_FAILURES)
}

/// Counts a wrong password for `username` from `ip` (and forgets the expired ones).
pub(super) fn record_failure(
    storage: &dyn storage::Storage,
    username: &str,
    ip: &str,
    now: EpochMillis,
) -> StorageResult<()> {
    storage::write(storage, |tx| {
        tx.delete_sign_in_failures_before(now - FAILURE_WINDOW_MS)?;
        tx.insert_sign_in_failure(&username_key(username), ip, now)
    })
}

const WRONG_CREDENTIALS: &str = "Tên đăng nhập hoặc mật khẩu không đúng.";
pub(super) const TOO_MANY_FAILURES: &str =
    "Đã đăng nhập sai quá nhiều lần. Vì an toàn, tài khoản này \
    (hoặc máy này) tạm thời không đăng nhập được; đồng chí thử lại sau 15 phút.";
const STALE_FORM: &str = "Trang đăng nhập đã cũ hoặc trình duyệt chặn cookie. Đồng chí \
    nhập lại tên đăng nhập và mật khẩu.";

enum Outcome {
    SignedIn { token: String },
    Wrong,
    Throttled,
}

/// A hash to verify against when the username is unknown, so that an unknown user
/// takes as long to refuse as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| users::hash_password("chibo-no-such-user-password").unwrap_or_default())
}

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
        let (throttled, user) = storage::read(&*storage, |tx| {
            Ok((
                too_many_failures(tx, &username, &ip, now)?,
                tx.dashboard_user_by_username(&username)?,
            ))
        })?;
        if throttled {
            return Ok(Outcome::Throttled);
        }
        let hash = user
            .as_ref()
            .map_or(dummy_hash(), |u| u.password_hash.as_str());
        let verified = users::verify_password(&password, hash);
        let user = match user {
            Some(user) if verified && user.disabled_at.is_none() => user,
            _ => {
                record_failure(&*storage, &username, &ip, now)?;
                return Ok(Outcome::Wrong);
            }
        };
        let token = random_token()?;
        let session = WebSessionRow {
            token_hash: token_hash(&token),
            user_id: user.id.clone(),
            csrf_token: random_token()?,
            created_at: now,
            expires_at: now + IDLE_TIMEOUT_MS,
            last_seen_at: now,
        };
        storage::write(&*storage, |tx| {
            tx.delete_expired_web_sessions(now)?;
            tx.insert_web_session(&session)
        })?;
        Ok(Outcome::SignedIn { token })
    })
    .await?;
    match outcome {
        Outcome::SignedIn { token } => {
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
        Outcome::Wrong => login_page(
            &state,
            StatusCode::UNAUTHORIZED,
            &next,
            &form.username,
            Some(WRONG_CREDENTIALS),
        ),
        Outcome::Throttled => login_page(
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
        blocking(move || {
            Ok(storage::write(&*storage, |tx| {
                tx.delete_web_session(&token_hash(&token))
            })?)
        })
        .await?;
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
    blocking(move || {
        let hash = token_hash(&token);
        let found = storage::read(&*storage, |tx| {
            let Some(session) = tx.web_session(&hash)? else {
                return Ok(None);
            };
            Ok(tx
                .dashboard_user(&session.user_id)?
                .map(|user| (session, user)))
        })?;
        let Some((session, user)) = found else {
            return Ok(None);
        };
        if !is_live(&session, now) || user.disabled_at.is_some() {
            return Ok(None);
        }
        if now - session.last_seen_at >= TOUCH_EVERY_MS {
            let expires_at = (now + IDLE_TIMEOUT_MS).min(session.created_at + MAX_SESSION_MS);
            storage::write(&*storage, |tx| tx.touch_web_session(&hash, now, expires_at))?;
        }
        Ok(DashboardUser::from_row(user, session.csrf_token))
    })
    .await
}

fn is_live(session: &WebSessionRow, now: EpochMillis) -> bool {
    now < session.expires_at && now < session.created_at + MAX_SESSION_MS
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

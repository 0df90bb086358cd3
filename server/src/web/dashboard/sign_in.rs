//! Signing in and out, and the start page. The sign-in form has its own CSRF defence (a
//! random token in a cookie and in the form, compared on post); repeated failures are
//! refused for a while ([`crate::accounts::sessions`]).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use crate::accounts::sessions::{self, DashboardUser, SignIn};
use crate::accounts::users::DashboardRole;
use crate::storage::{self, CommuneRow};
use crate::AppState;

use super::layout::{blocking, commune_path, render, Chrome, Nav, PageError};
use super::session::{cookie, no_store, session_from_headers, ClientIp, CsrfForm, SESSION_COOKIE};

/// The sign-in form's CSRF cookie (before there is a session).
pub const LOGIN_CSRF_COOKIE: &str = "chibo_login_csrf";

/// Sign-in, sign-out, and the start page.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
}

fn set_cookie(state: &AppState, name: &str, value: &str, path: &str, clear: bool) -> HeaderValue {
    let mut text = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax");
    if clear {
        text.push_str("; Max-Age=0");
    }
    if state.config.cookies_secure() {
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

/// A commune user goes to their commune, a province viewer to the rollup of its province.
async fn home(State(state): State<AppState>, user: DashboardUser) -> Result<Response, PageError> {
    if let (DashboardRole::CommuneAdmin | DashboardRole::CommuneViewer, Some(commune_id)) =
        (user.role, &user.commune_id)
    {
        return Ok(Redirect::to(&commune_path(commune_id)).into_response());
    }
    if matches!(
        user.role,
        DashboardRole::ProvinceViewer | DashboardRole::ProvinceAdmin
    ) && user.province_id.is_some()
    {
        return Ok(Redirect::to(super::province::PROVINCE_PATH).into_response());
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

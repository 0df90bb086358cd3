//! Changing one's own password: every signed-in user, whatever their role, replaces the
//! password an admin handed them. The current password is asked again (a session left
//! open on an office PC is not enough), wrong guesses count against the sign-in limit,
//! and the account's other sessions end.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::accounts::users::{self, UserError};
use crate::storage;
use crate::AppState;

use super::accounts::refusal;
use super::layout::{blocking, render, Chrome, Nav, PageError};
use super::session::{cookie, ClientIp, CsrfForm, SESSION_COOKIE};
use super::sign_in::TOO_MANY_FAILURES;
use crate::accounts::sessions::{
    release_attempts, sign_in_keys, take_attempts, token_hash, DashboardUser, FAILURE_WINDOW_MS,
    MAX_FAILURES,
};

pub const PASSWORD_PATH: &str = "/account/password";

pub fn routes() -> Router<AppState> {
    Router::new().route(PASSWORD_PATH, get(page).post(change))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    done: bool,
    error: Option<String>,
    min_password_chars: usize,
}

#[derive(Deserialize)]
struct PageQuery {
    done: Option<String>,
}

/// The page in the frame of the user's own commune (its menu), if they have one.
async fn password_page(
    state: &AppState,
    user: DashboardUser,
    done: bool,
    error: Option<String>,
) -> Result<PasswordPage, PageError> {
    let storage = state.storage.clone();
    let commune_id = user.commune_id.clone();
    let commune = blocking(move || match commune_id {
        Some(id) => Ok(storage::read(&*storage, |tx| tx.commune(&id))?),
        None => Ok(None),
    })
    .await?;
    Ok(PasswordPage {
        chrome: Chrome::new(user, commune, Nav::None, "Đổi mật khẩu"),
        done,
        error,
        min_password_chars: users::MIN_PASSWORD_CHARS,
    })
}

async fn page(
    user: DashboardUser,
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let page = password_page(&state, user, query.done.is_some(), None).await?;
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct ChangeForm {
    current: String,
    new: String,
    repeat: String,
}

enum Outcome {
    Changed,
    Throttled,
    Refused(String),
}

async fn change(
    user: DashboardUser,
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response, PageError> {
    if form.new != form.repeat {
        let message = "Hai lần nhập mật khẩu mới không giống nhau.".to_string();
        return refused(&state, user, message).await;
    }
    let keep = token_hash(&cookie(&headers, SESSION_COOKIE).unwrap_or_default());
    let storage = state.storage.clone();
    let now = state.clock.now();
    let (user_id, username) = (user.id.clone(), user.username.clone());
    let outcome = blocking(move || {
        // The current password is checked under the sign-in limit: a stolen session
        // cannot guess it faster than the sign-in form could.
        let keys = sign_in_keys(&username, &ip);
        if !take_attempts(&*storage, &keys, MAX_FAILURES, FAILURE_WINDOW_MS, now)? {
            return Ok(Outcome::Throttled);
        }
        match users::change_own_password(&*storage, &user_id, &form.current, &form.new, &keep) {
            Err(UserError::WrongPassword) => Ok(Outcome::Refused(
                "Mật khẩu đang dùng không đúng; mật khẩu chưa được đổi.".into(),
            )),
            other => {
                release_attempts(&*storage, &keys, FAILURE_WINDOW_MS, now)?;
                match other {
                    Ok(()) => Ok(Outcome::Changed),
                    Err(e) => Ok(Outcome::Refused(refusal(e)?)),
                }
            }
        }
    })
    .await?;
    match outcome {
        Outcome::Changed => {
            tracing::info!(account = %user.username, "dashboard: own password changed");
            crate::web::audit(
                &state,
                user.commune_id.clone(),
                crate::accounts::audit::user_actor(&user.id, &user.username),
                crate::accounts::audit::AuditAction::OwnPasswordChanged,
                String::new(),
                user.client_ip.clone(),
            )
            .await;
            Ok(Redirect::to(&format!("{PASSWORD_PATH}?done=1")).into_response())
        }
        Outcome::Throttled => refused(&state, user, TOO_MANY_FAILURES.to_string()).await,
        Outcome::Refused(message) => refused(&state, user, message).await,
    }
}

async fn refused(
    state: &AppState,
    user: DashboardUser,
    message: String,
) -> Result<Response, PageError> {
    let page = password_page(state, user, false, Some(message)).await?;
    Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response())
}

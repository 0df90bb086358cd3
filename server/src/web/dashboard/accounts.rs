//! The commune's dashboard accounts, for its admins: who can sign in and with what role,
//! a new account for a clerk or a committee member who only reads, a new password for
//! someone who forgot theirs, and locking the account of someone who left. Everything
//! goes through [`crate::accounts::users`]; a reader of the commune never reaches this page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::accounts::audit::{self, AuditAction};
use crate::accounts::users::{self, AccountChange, NewUser, UserError, UserInfo};
use crate::storage;
use crate::AppState;

use super::layout::{blocking, commune_path, render, urlencode, Chrome, Nav, PageError};
use super::session::{CommuneScope, CommuneWriter, CsrfForm};
use crate::accounts::users::DashboardRole;
use chibo_domain::labels::format_date_time as date_time;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/communes/{commune_id}/accounts",
            get(page).post(create_account),
        )
        .route(
            "/communes/{commune_id}/accounts/{user_id}/password",
            post(set_password),
        )
        .route(
            "/communes/{commune_id}/accounts/{user_id}/lock",
            post(set_locked),
        )
}

fn accounts_path(commune_id: &str) -> String {
    format!("{}/accounts", commune_path(commune_id))
}

pub struct AccountView {
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub created: String,
    pub locked: bool,
    /// The signed-in admin's own account: it cannot be locked from here.
    pub is_self: bool,
    /// Whether its password may be set from here (not another admin's, not one's own).
    pub password_settable: bool,
    pub password_action: String,
    pub lock_action: String,
    /// The form field ids of this row (usernames may hold characters ids should not).
    pub field_id: String,
}

/// What the new-account form held, given back after a refusal.
#[derive(Default)]
pub struct Draft {
    pub username: String,
    pub display_name: String,
    pub viewer: bool,
}

#[derive(Template)]
#[template(path = "accounts.html")]
pub struct AccountsPage {
    pub chrome: Chrome,
    pub done: Option<String>,
    pub error: Option<String>,
    pub accounts: Vec<AccountView>,
    pub create_action: String,
    /// The commune's audit log.
    pub audit_action: String,
    pub draft: Draft,
    pub min_password_chars: usize,
}

/// The role as the office says it.
pub fn role_label(role: &str) -> &'static str {
    match DashboardRole::parse(role) {
        Some(DashboardRole::CommuneAdmin) => "Quản trị (xem và xử lý)",
        Some(DashboardRole::CommuneViewer) => "Chỉ xem",
        Some(DashboardRole::ProvinceViewer) => "Xem toàn tỉnh",
        None => "Không rõ",
    }
}

#[derive(Deserialize)]
struct PageQuery {
    done: Option<String>,
    account: Option<String>,
}

async fn page(
    CommuneWriter(scope): CommuneWriter,
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let accounts = load(&state, &scope).await?;
    // The notice names the account by its username, found again here rather than
    // echoed from the address.
    let who = query
        .account
        .and_then(|id| accounts.iter().find(|a| a.id == id))
        .map(|a| a.username.clone())
        .unwrap_or_default();
    let done = query.done.as_deref().and_then(|done| match done {
        "created" => Some(format!(
            "Đã tạo tài khoản {who}. Đồng chí giao tên đăng nhập và mật khẩu tận tay người dùng."
        )),
        "password" => Some(format!(
            "Đã đặt mật khẩu mới cho {who}; các phiên đăng nhập cũ của tài khoản này đã kết thúc."
        )),
        "locked" => Some(format!(
            "Đã khóa tài khoản {who}: tài khoản này không đăng nhập được nữa."
        )),
        "unlocked" => Some(format!("Đã mở khóa tài khoản {who}.")),
        _ => None,
    });
    let page = accounts_page(scope, accounts, done, None, Draft::default());
    Ok(render(&page)?.into_response())
}

async fn load(state: &AppState, scope: &CommuneScope) -> Result<Vec<UserInfo>, PageError> {
    let storage = state.storage.clone();
    let commune_id = scope.commune.id.clone();
    blocking(move || Ok(users::commune_accounts(&*storage, &commune_id)?)).await
}

fn accounts_page(
    scope: CommuneScope,
    accounts: Vec<UserInfo>,
    done: Option<String>,
    error: Option<String>,
    draft: Draft,
) -> AccountsPage {
    let base = accounts_path(&scope.commune.id);
    let accounts = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| AccountView {
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: role_label(&a.role),
            created: date_time(a.created_at),
            locked: a.disabled,
            is_self: a.id == scope.user.id,
            password_settable: crate::access::dashboard_may_set_password(&scope.user, a),
            password_action: format!("{base}/{}/password", urlencode(&a.id)),
            lock_action: format!("{base}/{}/lock", urlencode(&a.id)),
            field_id: format!("account-{i}"),
        })
        .collect();
    AccountsPage {
        audit_action: super::audit_log::audit_path(&scope.commune.id),
        create_action: base,
        chrome: Chrome::new(
            scope.user,
            Some(scope.commune),
            Nav::Accounts,
            "Tài khoản văn phòng",
        ),
        done,
        error,
        accounts,
        draft,
        min_password_chars: users::MIN_PASSWORD_CHARS,
    }
}

/// A refusal the user can put right, as the sentence the page shows; anything else
/// (no such account, storage trouble) as the error page it is.
pub(super) fn refusal(e: UserError) -> Result<String, PageError> {
    match e {
        UserError::NotFound => Err(PageError::NotFound),
        UserError::Storage(e) => Err(e.into()),
        refused => Ok(refused.as_sentence()),
    }
}

/// A refusal shown on the page itself, above what was typed, so nothing is lost.
async fn refused(
    state: &AppState,
    scope: CommuneScope,
    message: String,
    draft: Draft,
) -> Result<Response, PageError> {
    let accounts = load(state, &scope).await?;
    let page = accounts_page(scope, accounts, None, Some(message), draft);
    Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response())
}

fn done(scope: &CommuneScope, done: &str, account_id: &str) -> Response {
    Redirect::to(&format!(
        "{}?done={done}&account={}",
        accounts_path(&scope.commune.id),
        urlencode(account_id)
    ))
    .into_response()
}

#[derive(Deserialize)]
struct NewAccountForm {
    username: String,
    display_name: String,
    role: String,
    password: String,
}

async fn create_account(
    CommuneWriter(scope): CommuneWriter,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<NewAccountForm>,
) -> Result<Response, PageError> {
    let role = match form.role.as_str() {
        "commune_admin" => DashboardRole::CommuneAdmin,
        "commune_viewer" => DashboardRole::CommuneViewer,
        _ => return Err(PageError::BadRequest("Quyền không hợp lệ.".into())),
    };
    let draft = Draft {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        viewer: role == DashboardRole::CommuneViewer,
    };
    let new = NewUser {
        username: form.username,
        display_name: form.display_name,
        password: form.password,
        role,
        commune_id: Some(scope.commune.id.clone()),
        province_id: None,
    };
    let storage = state.storage.clone();
    let now = state.clock.now();
    let created = blocking(move || Ok(users::create_user(&*storage, new, now))).await?;
    match created {
        Ok(account) => {
            tracing::info!(account = %account.username, by = %scope.user.username,
                "dashboard: account created");
            crate::web::audit(
                &state,
                Some(scope.commune.id.clone()),
                audit::user_actor(&scope.user.id, &scope.user.username),
                AuditAction::AccountCreated,
                format!("{} ({})", account.username, role_label(&account.role)),
                scope.user.client_ip.clone(),
            )
            .await;
            Ok(done(&scope, "created", &account.id))
        }
        Err(e) => refused(&state, scope, refusal(e)?, draft).await,
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    password: String,
}

async fn set_password(
    CommuneWriter(scope): CommuneWriter,
    Path((_, user_id)): Path<(String, String)>,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    change(
        &state,
        scope,
        user_id,
        AccountChange::SetPassword(form.password),
        "password",
    )
    .await
}

#[derive(Deserialize)]
struct LockForm {
    /// "yes" to lock, "no" to unlock.
    locked: String,
}

async fn set_locked(
    CommuneWriter(scope): CommuneWriter,
    Path((_, user_id)): Path<(String, String)>,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<LockForm>,
) -> Result<Response, PageError> {
    let (change_to, done) = match form.locked.as_str() {
        "yes" => (AccountChange::Lock, "locked"),
        "no" => (AccountChange::Unlock, "unlocked"),
        _ => return Err(PageError::BadRequest("Thao tác không hợp lệ.".into())),
    };
    change(&state, scope, user_id, change_to, done).await
}

async fn change(
    state: &AppState,
    scope: CommuneScope,
    user_id: String,
    change: AccountChange,
    done_code: &str,
) -> Result<Response, PageError> {
    let storage = state.storage.clone();
    let now = state.clock.now();
    let commune_id = scope.commune.id.clone();
    let acting = scope.user.id.clone();
    let action = match &change {
        AccountChange::Lock => AuditAction::AccountLocked,
        AccountChange::Unlock => AuditAction::AccountUnlocked,
        AccountChange::SetPassword(_) => AuditAction::PasswordReset,
    };
    if matches!(change, AccountChange::SetPassword(_)) {
        let (storage, id) = (storage.clone(), user_id.clone());
        let target =
            blocking(move || Ok(storage::read(&*storage, |tx| tx.dashboard_user(&id))?)).await?;
        match target {
            Some(target)
                if crate::access::dashboard_may_set_password(&scope.user, &(&target).into()) => {}
            Some(target) if target.commune_id.as_deref() == Some(commune_id.as_str()) => {
                let message = "Không thể đặt lại mật khẩu của một quản trị viên khác hay của \
                    chính mình ở đây: mỗi quản trị viên tự đổi mật khẩu của mình (trang \
                    Đổi mật khẩu).";
                let mut page = refused(state, scope, message.to_string(), Draft::default()).await?;
                *page.status_mut() = StatusCode::FORBIDDEN;
                return Ok(page);
            }
            _ => return Err(PageError::NotFound),
        }
    }
    let outcome = blocking(move || {
        Ok(users::change_commune_account(
            &*storage,
            &commune_id,
            &acting,
            &user_id,
            change,
            now,
        ))
    })
    .await?;
    match outcome {
        Ok(account) => {
            tracing::info!(account = %account.username, by = %scope.user.username,
                change = done_code, "dashboard: account changed");
            crate::web::audit(
                state,
                Some(scope.commune.id.clone()),
                audit::user_actor(&scope.user.id, &scope.user.username),
                action,
                account.username.clone(),
                scope.user.client_ip.clone(),
            )
            .await;
            Ok(done(&scope, done_code, &account.id))
        }
        Err(e) => refused(state, scope, refusal(e)?, Draft::default()).await,
    }
}

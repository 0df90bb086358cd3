//! The dashboard accounts an admin manages. A commune's admins: who can sign in to the
//! commune and with what role, a new account for a clerk or a committee member who only
//! reads, a new password for someone who forgot theirs, and locking the account of
//! someone who left. A province's admins: the same for the province's viewer accounts
//! only. Everything goes through [`crate::accounts::users`]; a reader (of a commune or of
//! a province) never reaches these pages.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::accounts::audit::{self, AuditAction};
use crate::accounts::sessions::DashboardUser;
use crate::accounts::users::{self, AccountChange, AccountOwner, NewUser, UserError, UserInfo};
use crate::storage;
use crate::AppState;

use super::layout::{blocking, commune_path, render, urlencode, Chrome, Nav, PageError};
use super::session::{CommuneScope, CommuneWriter, CsrfForm};
use crate::accounts::users::DashboardRole;
use chibo_domain::labels::format_date_time as date_time;

/// The province admin's page of the province's viewer accounts.
pub const PROVINCE_ACCOUNTS_PATH: &str = "/province/accounts";

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
        .route(
            PROVINCE_ACCOUNTS_PATH,
            get(province_page).post(province_create_account),
        )
        .route(
            "/province/accounts/{user_id}/password",
            post(province_set_password),
        )
        .route(
            "/province/accounts/{user_id}/lock",
            post(province_set_locked),
        )
}

/// Whose accounts the signed-in admin manages on this page.
pub enum Managed {
    /// A commune admin: the commune's accounts.
    Commune(CommuneScope),
    /// A province admin: the province's viewer accounts.
    Province {
        user: DashboardUser,
        province_id: String,
    },
}

impl Managed {
    /// The province admin's scope; anyone else finds no such page.
    fn province(user: DashboardUser) -> Result<Managed, PageError> {
        match (user.role, user.province_id.clone()) {
            (DashboardRole::ProvinceAdmin, Some(province_id)) if !province_id.is_empty() => {
                Ok(Managed::Province { user, province_id })
            }
            _ => Err(PageError::NotFound),
        }
    }

    fn user(&self) -> &DashboardUser {
        match self {
            Managed::Commune(scope) => &scope.user,
            Managed::Province { user, .. } => user,
        }
    }

    fn owner(&self) -> AccountOwner {
        match self {
            Managed::Commune(scope) => AccountOwner::Commune(scope.commune.id.clone()),
            Managed::Province { province_id, .. } => AccountOwner::Province(province_id.clone()),
        }
    }

    /// The commune the audit entries belong to (None: the province's).
    fn audit_commune(&self) -> Option<String> {
        match self {
            Managed::Commune(scope) => Some(scope.commune.id.clone()),
            Managed::Province { .. } => None,
        }
    }

    fn path(&self) -> String {
        match self {
            Managed::Commune(scope) => format!("{}/accounts", commune_path(&scope.commune.id)),
            Managed::Province { .. } => PROVINCE_ACCOUNTS_PATH.to_string(),
        }
    }

    /// The role the new-account form offers first (as the commune's form always has:
    /// an admin).
    fn default_role(&self) -> DashboardRole {
        match self {
            Managed::Commune(_) => DashboardRole::CommuneAdmin,
            Managed::Province { .. } => DashboardRole::ProvinceViewer,
        }
    }

    /// The roles this admin may create, in the form's order.
    fn creatable_roles(&self) -> &'static [DashboardRole] {
        match self {
            Managed::Commune(_) => &[DashboardRole::CommuneViewer, DashboardRole::CommuneAdmin],
            Managed::Province { .. } => &[DashboardRole::ProvinceViewer],
        }
    }

    /// Whether the account `target` is listed here (and so may be named in a refusal
    /// rather than answered as not found).
    fn lists(&self, target: &UserInfo) -> bool {
        match self {
            Managed::Commune(scope) => target.commune_id.as_deref() == Some(&scope.commune.id),
            Managed::Province { province_id, .. } => {
                target.province_id.as_deref() == Some(province_id)
            }
        }
    }
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
    /// Whether it may be locked or unlocked from here.
    pub lockable: bool,
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
    /// The role chosen ("" before any choice: the page's default).
    pub role: String,
}

/// A role the new-account form offers.
pub struct RoleOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "accounts.html")]
pub struct AccountsPage {
    pub chrome: Chrome,
    /// "the commune's" or "the province's" in the page's sentences.
    pub heading: &'static str,
    pub intro: &'static str,
    pub list_heading: &'static str,
    pub done: Option<String>,
    pub error: Option<String>,
    pub accounts: Vec<AccountView>,
    pub create_action: String,
    /// The commune's audit log (none for a province).
    pub audit_action: Option<String>,
    pub draft: Draft,
    pub role_options: Vec<RoleOption>,
    pub min_password_chars: usize,
}

/// The role as the office says it.
pub fn role_label(role: &str) -> &'static str {
    match DashboardRole::parse(role) {
        Some(DashboardRole::CommuneAdmin) => "Quản trị (xem và xử lý)",
        Some(DashboardRole::CommuneViewer) => "Chỉ xem",
        Some(DashboardRole::ProvinceViewer) => "Xem toàn tỉnh",
        Some(DashboardRole::ProvinceAdmin) => {
            "Quản trị tỉnh (xem toàn tỉnh, quản lý tài khoản xem)"
        }
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
    show(&state, Managed::Commune(scope), query).await
}

async fn province_page(
    user: DashboardUser,
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    show(&state, Managed::province(user)?, query).await
}

async fn show(state: &AppState, managed: Managed, query: PageQuery) -> Result<Response, PageError> {
    let accounts = load(state, &managed).await?;
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
    let page = accounts_page(managed, accounts, done, None, Draft::default());
    Ok(render(&page)?.into_response())
}

async fn load(state: &AppState, managed: &Managed) -> Result<Vec<UserInfo>, PageError> {
    let storage = state.storage.clone();
    let owner = managed.owner();
    blocking(move || {
        Ok(match &owner {
            AccountOwner::Commune(commune_id) => users::commune_accounts(&*storage, commune_id)?,
            AccountOwner::Province(province_id) => {
                users::province_accounts(&*storage, province_id)?
            }
        })
    })
    .await
}

fn accounts_page(
    managed: Managed,
    accounts: Vec<UserInfo>,
    done: Option<String>,
    error: Option<String>,
    draft: Draft,
) -> AccountsPage {
    let base = managed.path();
    let user = managed.user();
    let accounts = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| AccountView {
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: role_label(&a.role),
            created: date_time(a.created_at),
            locked: a.disabled,
            is_self: a.id == user.id,
            password_settable: crate::access::dashboard_may_set_password(user, a),
            // A province admin neither locks nor unlocks another admin.
            lockable: match &managed {
                Managed::Commune(_) => true,
                Managed::Province { .. } => {
                    DashboardRole::parse(&a.role) == Some(DashboardRole::ProvinceViewer)
                }
            },
            password_action: format!("{base}/{}/password", urlencode(&a.id)),
            lock_action: format!("{base}/{}/lock", urlencode(&a.id)),
            field_id: format!("account-{i}"),
        })
        .collect();
    let default_role = managed.default_role();
    let role_options = managed
        .creatable_roles()
        .iter()
        .map(|&role| RoleOption {
            value: role.as_str(),
            label: role_label(role.as_str()),
            selected: if draft.role.is_empty() {
                role == default_role
            } else {
                draft.role == role.as_str()
            },
        })
        .collect();
    let (heading, intro, list_heading) = match &managed {
        Managed::Commune(_) => (
            "Tài khoản văn phòng",
            "Những người đăng nhập trang quản lý này của xã. Người có quyền quản trị xem và \
             xử lý (trả lời kiến nghị, duyệt check-in, gửi định hướng, cấp mã và thu hồi \
             thiết bị); người chỉ xem không thay đổi được dữ liệu.",
            "Các tài khoản của xã",
        ),
        Managed::Province { .. } => (
            "Tài khoản xem của tỉnh",
            "Những người đăng nhập xem số liệu của các xã trong tỉnh. Người xem toàn tỉnh \
             chỉ xem, không thay đổi được dữ liệu của xã nào. Quản trị tỉnh tạo, khóa và đặt \
             mật khẩu mới cho tài khoản xem; mỗi quản trị viên tự đổi mật khẩu của mình.",
            "Các tài khoản của tỉnh",
        ),
    };
    let (audit_action, chrome) = match managed {
        Managed::Commune(scope) => (
            Some(super::audit_log::audit_path(&scope.commune.id)),
            Chrome::new(scope.user, Some(scope.commune), Nav::Accounts, heading),
        ),
        Managed::Province { user, .. } => (
            None,
            Chrome::new(user, None, Nav::ProvinceAccounts, heading),
        ),
    };
    AccountsPage {
        audit_action,
        create_action: base,
        chrome,
        heading,
        intro,
        list_heading,
        done,
        error,
        accounts,
        draft,
        role_options,
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
    managed: Managed,
    message: String,
    draft: Draft,
) -> Result<Response, PageError> {
    let accounts = load(state, &managed).await?;
    let page = accounts_page(managed, accounts, None, Some(message), draft);
    Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response())
}

fn done(managed: &Managed, done: &str, account_id: &str) -> Response {
    Redirect::to(&format!(
        "{}?done={done}&account={}",
        managed.path(),
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
    create(&state, Managed::Commune(scope), form).await
}

async fn province_create_account(
    user: DashboardUser,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<NewAccountForm>,
) -> Result<Response, PageError> {
    create(&state, Managed::province(user)?, form).await
}

async fn create(
    state: &AppState,
    managed: Managed,
    form: NewAccountForm,
) -> Result<Response, PageError> {
    let Some(role) =
        DashboardRole::parse(&form.role).filter(|role| managed.creatable_roles().contains(role))
    else {
        return Err(PageError::BadRequest("Quyền không hợp lệ.".into()));
    };
    let draft = Draft {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        role: role.as_str().to_string(),
    };
    let (commune_id, province_id) = match managed.owner() {
        AccountOwner::Commune(commune_id) => (Some(commune_id), None),
        AccountOwner::Province(province_id) => (None, Some(province_id)),
    };
    let new = NewUser {
        username: form.username,
        display_name: form.display_name,
        password: form.password,
        role,
        commune_id,
        province_id,
    };
    let storage = state.storage.clone();
    let now = state.clock.now();
    let created = blocking(move || Ok(users::create_user(&*storage, new, now))).await?;
    match created {
        Ok(account) => {
            let user = managed.user();
            tracing::info!(account = %account.username, by = %user.username,
                "dashboard: account created");
            crate::web::audit(
                state,
                managed.audit_commune(),
                audit::user_actor(&user.id, &user.username),
                AuditAction::AccountCreated,
                format!("{} ({})", account.username, role_label(&account.role)),
                user.client_ip.clone(),
            )
            .await;
            Ok(done(&managed, "created", &account.id))
        }
        Err(e) => refused(state, managed, refusal(e)?, draft).await,
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
    let change_to = AccountChange::SetPassword(form.password);
    change(
        &state,
        Managed::Commune(scope),
        user_id,
        change_to,
        "password",
    )
    .await
}

async fn province_set_password(
    user: DashboardUser,
    Path(user_id): Path<String>,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let managed = Managed::province(user)?;
    let change_to = AccountChange::SetPassword(form.password);
    change(&state, managed, user_id, change_to, "password").await
}

#[derive(Deserialize)]
struct LockForm {
    /// "yes" to lock, "no" to unlock.
    locked: String,
}

fn lock_change(form: &LockForm) -> Result<(AccountChange, &'static str), PageError> {
    match form.locked.as_str() {
        "yes" => Ok((AccountChange::Lock, "locked")),
        "no" => Ok((AccountChange::Unlock, "unlocked")),
        _ => Err(PageError::BadRequest("Thao tác không hợp lệ.".into())),
    }
}

async fn set_locked(
    CommuneWriter(scope): CommuneWriter,
    Path((_, user_id)): Path<(String, String)>,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<LockForm>,
) -> Result<Response, PageError> {
    let (change_to, done) = lock_change(&form)?;
    change(&state, Managed::Commune(scope), user_id, change_to, done).await
}

async fn province_set_locked(
    user: DashboardUser,
    Path(user_id): Path<String>,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<LockForm>,
) -> Result<Response, PageError> {
    let managed = Managed::province(user)?;
    let (change_to, done) = lock_change(&form)?;
    change(&state, managed, user_id, change_to, done).await
}

async fn change(
    state: &AppState,
    managed: Managed,
    user_id: String,
    change: AccountChange,
    done_code: &str,
) -> Result<Response, PageError> {
    let storage = state.storage.clone();
    let now = state.clock.now();
    let owner = managed.owner();
    let acting = managed.user().id.clone();
    let action = match &change {
        AccountChange::Lock => AuditAction::AccountLocked,
        AccountChange::Unlock => AuditAction::AccountUnlocked,
        AccountChange::SetPassword(_) => AuditAction::PasswordReset,
    };
    if matches!(change, AccountChange::SetPassword(_)) {
        let (storage, id) = (storage.clone(), user_id.clone());
        let target =
            blocking(move || Ok(storage::read(&*storage, |tx| tx.dashboard_user(&id))?)).await?;
        let target = target.map(|row| UserInfo::from(&row));
        match target {
            Some(target) if crate::access::dashboard_may_set_password(managed.user(), &target) => {}
            Some(target) if managed.lists(&target) => {
                let message = "Không thể đặt lại mật khẩu của một quản trị viên khác hay của \
                    chính mình ở đây: mỗi quản trị viên tự đổi mật khẩu của mình (trang \
                    Đổi mật khẩu).";
                let mut page =
                    refused(state, managed, message.to_string(), Draft::default()).await?;
                *page.status_mut() = StatusCode::FORBIDDEN;
                return Ok(page);
            }
            _ => return Err(PageError::NotFound),
        }
    }
    let outcome = blocking(move || {
        Ok(users::change_account(
            &*storage, &owner, &acting, &user_id, change, now,
        ))
    })
    .await?;
    match outcome {
        Ok(account) => {
            let user = managed.user();
            tracing::info!(account = %account.username, by = %user.username,
                change = done_code, "dashboard: account changed");
            crate::web::audit(
                state,
                managed.audit_commune(),
                audit::user_actor(&user.id, &user.username),
                action,
                account.username.clone(),
                user.client_ip.clone(),
            )
            .await;
            Ok(done(&managed, done_code, &account.id))
        }
        Err(e) => refused(state, managed, refusal(e)?, Draft::default()).await,
    }
}

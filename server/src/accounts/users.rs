//! The office's dashboard accounts: the first created by the admin CLI or the demo, the
//! others by a commune admin on the dashboard; signed in with a password kept only as an
//! argon2 hash. A commune admin can also set a new password for an account of the commune
//! or lock it (either ends the account's sessions at once), and every holder can change
//! their own password.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use chibo_domain::time::EpochMillis;

use crate::storage::{self, DashboardUserRow, Storage, StorageError};

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
    /// Reads what a province viewer reads, and manages the province's viewer accounts
    /// (creates them, locks and unlocks them, sets their passwords); never writes a
    /// commune's data.
    ProvinceAdmin,
}

impl DashboardRole {
    /// The stored and command-line form.
    pub fn as_str(self) -> &'static str {
        match self {
            DashboardRole::CommuneAdmin => "commune_admin",
            DashboardRole::CommuneViewer => "commune_viewer",
            DashboardRole::ProvinceViewer => "province_viewer",
            DashboardRole::ProvinceAdmin => "province_admin",
        }
    }

    pub fn parse(text: &str) -> Option<DashboardRole> {
        match text {
            "commune_admin" => Some(DashboardRole::CommuneAdmin),
            "commune_viewer" => Some(DashboardRole::CommuneViewer),
            "province_viewer" => Some(DashboardRole::ProvinceViewer),
            "province_admin" => Some(DashboardRole::ProvinceAdmin),
            _ => None,
        }
    }
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// A dashboard account to create.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: DashboardRole,
    /// Required for the commune roles.
    pub commune_id: Option<String>,
    /// Required for the province roles.
    pub province_id: Option<String>,
}

/// An account as listed (never its hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: String,
    pub username: String,
    pub display_name: String,
    /// "commune_admin", "commune_viewer", "province_viewer" or "province_admin".
    pub role: String,
    pub commune_id: Option<String>,
    pub province_id: Option<String>,
    pub created_at: EpochMillis,
    pub disabled: bool,
}

impl From<&DashboardUserRow> for UserInfo {
    fn from(row: &DashboardUserRow) -> UserInfo {
        UserInfo {
            id: row.id.clone(),
            username: row.username.clone(),
            display_name: row.display_name.clone(),
            role: row.role.clone(),
            commune_id: row.commune_id.clone(),
            province_id: row.province_id.clone(),
            created_at: row.created_at,
            disabled: row.disabled_at.is_some(),
        }
    }
}

#[derive(Debug, Error)]
pub enum UserError {
    /// Something the operator typed is not acceptable; the message says what.
    #[error("{0}")]
    Invalid(String),
    #[error("tên đăng nhập \"{0}\" đã có người dùng")]
    UsernameTaken(String),
    /// No such account in the commune acted for.
    #[error("không có tài khoản này")]
    NotFound,
    /// The current password, given to change it, is not the account's.
    #[error("mật khẩu đang dùng không đúng")]
    WrongPassword,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl UserError {
    /// The message as a sentence for a page (the messages start in lower case: on the
    /// command line they follow "lỗi: ").
    pub fn as_sentence(&self) -> String {
        let message = self.to_string();
        let mut chars = message.chars();
        match chars.next() {
            Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
            None => String::new(),
        }
    }
}

/// Checks `new`, hashes its password (argon2id) and stores the account.
pub fn create_user(
    storage: &dyn Storage,
    new: NewUser,
    now: EpochMillis,
) -> Result<UserInfo, UserError> {
    let username = new.username.trim().to_string();
    let valid_username = (3..=64).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !valid_username {
        return Err(UserError::Invalid(
            "tên đăng nhập phải dài 3–64 ký tự, chỉ gồm chữ, số và . _ - @".into(),
        ));
    }
    let display_name = new.display_name.trim().to_string();
    if display_name.is_empty() {
        return Err(UserError::Invalid("cần nhập họ tên hiển thị".into()));
    }
    check_password(&new.password)?;
    let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let (commune_id, province_id) = match new.role {
        DashboardRole::CommuneAdmin | DashboardRole::CommuneViewer => {
            let Some(commune_id) = nonempty(new.commune_id) else {
                return Err(UserError::Invalid(
                    "tài khoản của xã cần mã xã (--commune)".into(),
                ));
            };
            (Some(commune_id), None)
        }
        DashboardRole::ProvinceViewer | DashboardRole::ProvinceAdmin => {
            let Some(province_id) = nonempty(new.province_id) else {
                return Err(UserError::Invalid(
                    "tài khoản của tỉnh cần mã tỉnh (--province)".into(),
                ));
            };
            (None, Some(province_id))
        }
    };
    let row = DashboardUserRow {
        id: chibo_domain::model::new_id(),
        username: username.clone(),
        display_name,
        password_hash: hash_password(&new.password)?,
        role: new.role.as_str().to_string(),
        commune_id,
        province_id,
        created_at: now,
        disabled_at: None,
    };
    let mut outcome = Ok(());
    storage::write(storage, |tx| {
        outcome = Ok(());
        if let Some(commune_id) = &row.commune_id {
            if tx.commune(commune_id)?.is_none() {
                outcome = Err(UserError::Invalid(format!(
                    "không có xã mã \"{commune_id}\""
                )));
                return Ok(());
            }
        }
        if tx.dashboard_user_by_username(&row.username)?.is_some() {
            outcome = Err(UserError::UsernameTaken(row.username.clone()));
            return Ok(());
        }
        tx.insert_dashboard_user(&row)
    })
    .map_err(|e| match e {
        StorageError::Conflict(_) => UserError::UsernameTaken(username.clone()),
        other => UserError::Storage(other),
    })?;
    outcome?;
    Ok(UserInfo::from(&row))
}

/// Every account, by username.
pub fn list_users(storage: &dyn Storage) -> Result<Vec<UserInfo>, UserError> {
    let rows = storage::read(storage, |tx| tx.dashboard_users())?;
    Ok(rows.iter().map(UserInfo::from).collect())
}

/// The accounts of one commune (its admins and viewers), by username.
pub fn commune_accounts(
    storage: &dyn Storage,
    commune_id: &str,
) -> Result<Vec<UserInfo>, StorageError> {
    let rows = storage::read(storage, |tx| tx.dashboard_users())?;
    Ok(rows
        .iter()
        .filter(|u| u.commune_id.as_deref() == Some(commune_id))
        .map(UserInfo::from)
        .collect())
}

/// The accounts of one province (its viewers and admins), by username.
pub fn province_accounts(
    storage: &dyn Storage,
    province_id: &str,
) -> Result<Vec<UserInfo>, StorageError> {
    let rows = storage::read(storage, |tx| tx.dashboard_users())?;
    Ok(rows
        .iter()
        .filter(|u| u.province_id.as_deref() == Some(province_id))
        .map(UserInfo::from)
        .collect())
}

/// Whose accounts an admin manages: a commune admin every account of the commune, a
/// province admin only the province's viewer accounts (not another admin's).
#[derive(Clone, Debug)]
pub enum AccountOwner {
    Commune(String),
    Province(String),
}

impl AccountOwner {
    /// Whether the account `row` is one this owner's admin may change.
    fn manages(&self, row: &DashboardUserRow) -> bool {
        match self {
            AccountOwner::Commune(commune_id) => row.commune_id.as_deref() == Some(commune_id),
            AccountOwner::Province(province_id) => {
                row.province_id.as_deref() == Some(province_id)
                    && DashboardRole::parse(&row.role) == Some(DashboardRole::ProvinceViewer)
            }
        }
    }
}

/// What an admin changes about an account it manages.
#[derive(Clone, Debug)]
pub enum AccountChange {
    /// Signs the account out everywhere and refuses its sign-ins.
    Lock,
    Unlock,
    /// A new password (the holder is told it in person); signs the account out everywhere.
    SetPassword(String),
}

/// Applies `change` to the account `user_id` managed by `owner` (see
/// [`AccountOwner`]; any other account is [`UserError::NotFound`]), acted by the
/// account `acting_user_id`, who may not lock themselves out.
pub fn change_account(
    storage: &dyn Storage,
    owner: &AccountOwner,
    acting_user_id: &str,
    user_id: &str,
    change: AccountChange,
    now: EpochMillis,
) -> Result<UserInfo, UserError> {
    if matches!(change, AccountChange::Lock) && user_id == acting_user_id {
        return Err(UserError::Invalid(
            "đồng chí không thể tự khóa tài khoản đang dùng".into(),
        ));
    }
    // Hashing is slow: done before the write transaction, not inside it.
    enum Apply {
        Lock,
        Unlock,
        PasswordHash(String),
    }
    let apply = match change {
        AccountChange::Lock => Apply::Lock,
        AccountChange::Unlock => Apply::Unlock,
        AccountChange::SetPassword(password) => {
            check_password(&password)?;
            Apply::PasswordHash(hash_password(&password)?)
        }
    };
    let mut outcome = Err(UserError::NotFound);
    storage::write(storage, |tx| {
        outcome = Err(UserError::NotFound);
        let Some(mut row) = tx.dashboard_user(user_id)? else {
            return Ok(());
        };
        if !owner.manages(&row) {
            return Ok(());
        }
        let sign_out = match &apply {
            Apply::Lock => {
                row.disabled_at.get_or_insert(now);
                true
            }
            Apply::Unlock => {
                row.disabled_at = None;
                false
            }
            Apply::PasswordHash(hash) => {
                row.password_hash = hash.clone();
                true
            }
        };
        tx.update_dashboard_user(&row)?;
        if sign_out {
            tx.delete_web_sessions_of(&row.id, None)?;
        }
        outcome = Ok(UserInfo::from(&row));
        Ok(())
    })?;
    outcome
}

/// The holder of account `user_id` changes their own password, proving the current one.
/// Their other sessions end; the one whose hash is `keep_session` (the one they are
/// using) goes on.
pub fn change_own_password(
    storage: &dyn Storage,
    user_id: &str,
    current: &str,
    new: &str,
    keep_session: &str,
) -> Result<(), UserError> {
    let Some(row) = storage::read(storage, |tx| tx.dashboard_user(user_id))? else {
        return Err(UserError::NotFound);
    };
    if !verify_password(current, &row.password_hash) {
        return Err(UserError::WrongPassword);
    }
    check_password(new)?;
    if new == current {
        return Err(UserError::Invalid(
            "mật khẩu mới phải khác mật khẩu đang dùng".into(),
        ));
    }
    let hash = hash_password(new)?;
    storage::write(storage, |tx| {
        let Some(mut row) = tx.dashboard_user(user_id)? else {
            return Ok(());
        };
        row.password_hash = hash.clone();
        tx.update_dashboard_user(&row)?;
        tx.delete_web_sessions_of(&row.id, Some(keep_session))
    })?;
    Ok(())
}

/// Refuses a password shorter than [`MIN_PASSWORD_CHARS`].
pub fn check_password(password: &str) -> Result<(), UserError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(UserError::Invalid(format!(
            "mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự"
        )));
    }
    Ok(())
}

/// An argon2id PHC string of `password` with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, UserError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| StorageError::Unavailable(format!("không sinh được số ngẫu nhiên: {e}")))?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| UserError::Invalid(format!("không tạo được muối: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| UserError::Invalid(format!("không băm được mật khẩu: {e}")))
}

/// Whether `password` matches the stored PHC string (a malformed one never matches).
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

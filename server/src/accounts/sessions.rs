//! Dashboard sessions and the sign-in limit, without HTTP: the web layer carries the
//! token in a cookie and calls these on a blocking thread.
//!
//! A session is a random token whose SHA-256 only is stored, with the session's CSRF
//! token and an idle expiry that slides while the session is used. Repeated failures for
//! one username or from one address are refused for a while: each attempt is counted in
//! storage before its password is checked ([`take_attempts`]), and given back if right.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use thiserror::Error;

use chibo_domain::time::EpochMillis;

use crate::storage::{
    self, username_key, DashboardUserRow, Storage, StorageError, StorageResult, WebSessionRow,
};

use super::audit::{self, AuditAction};
use super::users::{self, DashboardRole};

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

#[derive(Debug, Error)]
pub enum SessionError {
    #[error("no randomness: {0}")]
    NoRandomness(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
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
    /// The address this request came from (for the audit log; set by the web layer).
    pub client_ip: String,
}

impl DashboardUser {
    fn from_row(row: DashboardUserRow, csrf_token: String) -> Option<DashboardUser> {
        Some(DashboardUser {
            role: DashboardRole::parse(&row.role)?,
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            commune_id: row.commune_id,
            province_id: row.province_id,
            csrf_token,
            client_ip: String::new(),
        })
    }
}

/// 32 random bytes, URL-safe base64.
pub fn random_token() -> Result<String, SessionError> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| SessionError::NoRandomness(e.to_string()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored of a session token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The limit keys of a sign-in: the target account and the client's address.
pub fn sign_in_keys(username: &str, ip: &str) -> [String; 2] {
    [
        format!("sign-in:user:{}", username_key(username)),
        format!("sign-in:ip:{ip}"),
    ]
}

/// Takes one attempt under each of `keys` in one write transaction (each an atomic
/// statement, so parallel requests, on this server or another sharing the database, are
/// counted one by one), and gives them all back if one is over `max`: a refused attempt
/// costs nothing. `true` when the attempt may go on.
pub fn take_attempts(
    storage: &dyn Storage,
    keys: &[String],
    max: u64,
    window_ms: i64,
    now: EpochMillis,
) -> StorageResult<bool> {
    let since = now - window_ms;
    storage::write(storage, |tx| {
        let mut allowed = true;
        for key in keys {
            allowed &= tx.take_attempt(key, now, since)? <= max;
        }
        if !allowed {
            for key in keys {
                tx.release_attempt(key, since)?;
            }
        }
        Ok(allowed)
    })
}

/// Gives back attempts taken by [`take_attempts`] (the sign-in succeeded).
pub fn release_attempts(
    storage: &dyn Storage,
    keys: &[String],
    window_ms: i64,
    now: EpochMillis,
) -> StorageResult<()> {
    storage::write(storage, |tx| {
        for key in keys {
            tx.release_attempt(key, now - window_ms)?;
        }
        tx.delete_attempts_before(now - window_ms)
    })
}

/// A hash to verify against when the username is unknown, so that an unknown user
/// takes as long to refuse as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| users::hash_password("chibo-no-such-user-password").unwrap_or_default())
}

/// How a sign-in ended.
pub enum SignIn {
    /// A new session; the token goes to the browser, only its hash is kept.
    SignedIn {
        token: String,
    },
    Wrong,
    Throttled,
}

/// Checks `username` and `password` from address `ip` and opens a session (blocking:
/// argon2 is slow on purpose).
pub fn sign_in(
    storage: &dyn Storage,
    username: &str,
    password: &str,
    ip: &str,
    now: EpochMillis,
) -> Result<SignIn, SessionError> {
    // The attempt is counted before the password is checked, and a wrong one stays
    // counted: at most MAX_FAILURES checks per window, however many arrive at once.
    let keys = sign_in_keys(username, ip);
    let user = storage::read(storage, |tx| tx.dashboard_user_by_username(username))?;
    let audit = |action: AuditAction| -> StorageResult<()> {
        let actor = match &user {
            Some(u) => audit::user_actor(&u.id, &u.username),
            None => format!("Tên đăng nhập {}", username.trim()),
        };
        let entry = audit::Entry {
            commune_id: user.as_ref().and_then(|u| u.commune_id.as_deref()),
            actor: &actor,
            action,
            detail: "",
            client_ip: ip,
        };
        audit::record(storage, &entry, now)
    };
    if !take_attempts(storage, &keys, MAX_FAILURES, FAILURE_WINDOW_MS, now)? {
        audit(AuditAction::SignInThrottled)?;
        return Ok(SignIn::Throttled);
    }
    let hash = user
        .as_ref()
        .map_or(dummy_hash(), |u| u.password_hash.as_str());
    let verified = users::verify_password(password, hash);
    if !verified || user.as_ref().is_none_or(|u| u.disabled_at.is_some()) {
        audit(AuditAction::SignInFailed)?;
        return Ok(SignIn::Wrong);
    }
    let Some(user) = user.clone() else {
        return Ok(SignIn::Wrong);
    };
    release_attempts(storage, &keys, FAILURE_WINDOW_MS, now)?;
    audit(AuditAction::SignIn)?;
    let token = random_token()?;
    let session = WebSessionRow {
        token_hash: token_hash(&token),
        user_id: user.id.clone(),
        csrf_token: random_token()?,
        created_at: now,
        expires_at: now + IDLE_TIMEOUT_MS,
        last_seen_at: now,
    };
    storage::write(storage, |tx| {
        tx.delete_expired_web_sessions(now)?;
        tx.insert_web_session(&session)
    })?;
    Ok(SignIn::SignedIn { token })
}

/// Ends the session of `token`.
pub fn sign_out(storage: &dyn Storage, token: &str) -> StorageResult<()> {
    storage::write(storage, |tx| tx.delete_web_session(&token_hash(token)))
}

/// The user of the live session `token`, if any; its idle expiry slides.
pub fn session_user(
    storage: &dyn Storage,
    token: &str,
    now: EpochMillis,
) -> StorageResult<Option<DashboardUser>> {
    let hash = token_hash(token);
    let found = storage::read(storage, |tx| {
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
        storage::write(storage, |tx| tx.touch_web_session(&hash, now, expires_at))?;
    }
    Ok(DashboardUser::from_row(user, session.csrf_token))
}

fn is_live(session: &WebSessionRow, now: EpochMillis) -> bool {
    now < session.expires_at && now < session.created_at + MAX_SESSION_MS
}

//! The phone side of sync (architecture.md, "Sync protocol"): enrolment with a commune
//! server, then push + pull in one round trip, then the photos through tus 1.0.
//!
//! [`Engine`] is the entry point, usable from Rust without the uniffi façade:
//!
//! ```no_run
//! # use std::sync::{Arc, Mutex};
//! # use chibo_core::{store::Store, keystore::FileKeystore, sync::Engine};
//! let store = Arc::new(Mutex::new(Store::open("so.db".as_ref())?));
//! let engine = Engine::new(store, "so.db.photos".into())?;
//! let key = FileKeystore::open_at("device.key".as_ref())?;
//! engine.enroll("https://xa.example.vn", "chibo:enroll:AB12CD34", "Máy của chị Mai", &key)?;
//! let report = engine.sync_now()?;
//! println!("{}", report.summary);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every call blocks; the apps make them off the main thread. The engine owns its tokio
//! runtime and locks the store only between network calls, so screens stay usable
//! while a slow 2G sync runs. Nothing local is lost on any failure: an outbox entry stays
//! pending until the server acknowledges it, a photo stays queued until the server has
//! all its bytes, and what the server refuses lands on the needs-attention list.

mod attention;
mod engine;
mod enroll;
mod error;
mod retry;
mod transport;
mod upload;

use chibo_domain::sync::{Person, Role};
use chibo_domain::{EpochMillis, Id};

pub use attention::advice;
pub use engine::{Engine, EngineBuilder};
pub use error::{NetworkProblem, SyncError, SyncErrorKind};
pub use retry::{Clock, RetryPolicy, Sleeper, SystemClock, ThreadSleeper};
pub use transport::Timeouts;

/// Checks a server address as enrolment would: `https://`, or `http://` to this machine
/// only; returns it normalised.
pub fn check_server_url(input: &str) -> Result<String, SyncError> {
    transport::normalize_server_url(input)
}

use crate::store::{AttentionEntry, AttentionSubject, Store, StoreError, SyncAccount};

/// Tunables. `Default` gives the app's settings, sized for a 2G uplink.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncConfig {
    pub retry: RetryPolicy,
    pub timeouts: Timeouts,
    /// At most this many outbox entries per request...
    pub batch_max_changes: usize,
    /// ...and about this many bytes of changes (one larger change still goes alone).
    pub batch_max_bytes: usize,
    /// At most this many pulled changes per response.
    pub pull_limit: u32,
    /// Bytes per tus PATCH: small, so a dropped 2G connection loses little.
    pub chunk_size: usize,
    /// A safety stop for one run's round trips (a server that always says "more").
    pub max_rounds: u32,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            retry: RetryPolicy::default(),
            timeouts: Timeouts::default(),
            batch_max_changes: 200,
            batch_max_bytes: 256 * 1024,
            pull_limit: 500,
            chunk_size: 64 * 1024,
            max_rounds: 100,
        }
    }
}

/// The person and role a device is enrolled as.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, uniffi::Record)]
pub struct EnrolledAs {
    pub person_id: Id,
    pub full_name: String,
    pub role: EnrolledRole,
    pub commune_id: Id,
    pub commune_name: String,
    pub server_url: String,
    /// The device id the server issued.
    pub device_id: Id,
    pub enrolled_at: EpochMillis,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, uniffi::Enum)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum EnrolledRole {
    /// Bí thư chi bộ.
    Secretary { cell_id: Id },
    /// Cấp ủy viên phụ trách.
    Cadre { cadre_id: Id },
    /// Văn phòng Đảng ủy xã.
    Office,
}

impl EnrolledRole {
    /// The role's name in Vietnamese.
    pub fn label(&self) -> &'static str {
        let role = match self {
            EnrolledRole::Secretary { cell_id } => Role::Secretary {
                cell_id: cell_id.clone(),
            },
            EnrolledRole::Cadre { cadre_id } => Role::Cadre {
                cadre_id: cadre_id.clone(),
            },
            EnrolledRole::Office => Role::Office,
        };
        chibo_domain::labels::Label::label(&role)
    }
}

impl From<&SyncAccount> for EnrolledAs {
    fn from(account: &SyncAccount) -> Self {
        let Person {
            id,
            commune_id,
            full_name,
            role,
        } = account.person.clone();
        EnrolledAs {
            person_id: id,
            full_name,
            role: match role {
                Role::Secretary { cell_id } => EnrolledRole::Secretary { cell_id },
                Role::Cadre { cadre_id } => EnrolledRole::Cadre { cadre_id },
                Role::Office => EnrolledRole::Office,
            },
            commune_id,
            commune_name: account.commune_name.clone(),
            server_url: account.server_url.clone(),
            device_id: account.device_id.clone(),
            enrolled_at: account.enrolled_at,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum AttentionKind {
    /// A change the server refused (it no longer blocks the queue).
    Change,
    /// A photo that cannot be uploaded.
    Photo,
}

/// One entry of the "needs attention" list: never dropped silently, kept until the
/// person dismisses it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, uniffi::Record)]
pub struct NeedsAttention {
    pub id: i64,
    pub kind: AttentionKind,
    /// The refused change's number on this device.
    pub device_seq: Option<u64>,
    /// "meeting", "member", "photo"...
    pub entity_kind: String,
    /// The entity's id; a photo's SHA-256.
    pub entity_id: String,
    /// What it was, e.g. "Điểm danh đảng viên".
    pub what: String,
    /// Stable machine code: the server's ("validation", "frozen", "scope"...) or the
    /// engine's for photos ("photo_missing", "photo_corrupt", "photo_too_large").
    pub code: String,
    /// Why, in Vietnamese.
    pub reason: String,
    /// What to do about it, in Vietnamese.
    pub advice: String,
    pub created_at: EpochMillis,
}

impl From<AttentionEntry> for NeedsAttention {
    fn from(entry: AttentionEntry) -> Self {
        NeedsAttention {
            id: entry.id,
            kind: match entry.subject {
                AttentionSubject::Change => AttentionKind::Change,
                AttentionSubject::Photo => AttentionKind::Photo,
            },
            device_seq: entry.device_seq,
            entity_kind: entry.entity_kind,
            entity_id: entry.entity_id,
            what: entry.what,
            advice: advice(&entry.code).to_string(),
            code: entry.code,
            reason: entry.reason,
            created_at: entry.created_at,
        }
    }
}

/// What the sync screen shows.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, uniffi::Record)]
pub struct SyncStatus {
    /// `None` until the device is enrolled.
    pub enrolled_as: Option<EnrolledAs>,
    /// Changes made here and not yet acknowledged by the server.
    pub pending_changes: u64,
    /// Photos not yet uploaded (including those whose record is still pending).
    pub pending_photos: u64,
    pub last_attempt_at: Option<EpochMillis>,
    /// The end of the last run that exchanged every change.
    pub last_success_at: Option<EpochMillis>,
    /// What went wrong last time, in Vietnamese; `None` after a clean run.
    pub last_error: Option<String>,
    /// Server clock minus this device's clock (pass it to a check-in).
    pub server_offset_ms: Option<i64>,
    /// The server's warning that this device's clock runs ahead.
    pub clock_warning: Option<String>,
    pub needs_attention: Vec<NeedsAttention>,
    /// A sync run is going now (set by the engine's owner; the store alone says false).
    pub running: bool,
}

/// What one `sync_now` did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, uniffi::Record)]
pub struct SyncReport {
    /// Changes the server took (applied, or superseded by a later edit).
    pub pushed: u64,
    /// Changes the server refused in this run (also on the needs-attention list).
    pub rejected: Vec<NeedsAttention>,
    /// Changes from others applied here.
    pub pulled: u64,
    /// Changes from others that this device's rules refused (the rest of their page
    /// was applied; the server's record stands).
    pub pulled_refused: u64,
    pub photos_uploaded: u64,
    /// Photos that cannot be uploaded, found in this run (on the list too).
    pub photos_failed: Vec<NeedsAttention>,
    /// Successful sync requests (each one push + pull).
    pub round_trips: u32,
    /// Left after this run.
    pub pending_changes: u64,
    pub pending_photos: u64,
    /// Why photos are left (the network dropped during uploads), in Vietnamese.
    pub photo_error: Option<String>,
    pub clock_warning: Option<String>,
    /// Everything was exchanged: nothing pending, nothing more to pull.
    pub complete: bool,
    /// The run in a few Vietnamese lines.
    pub summary: String,
}

/// The sync status from the store alone (no engine, no network).
pub fn status(store: &Store) -> Result<SyncStatus, StoreError> {
    let state = store.sync_state()?;
    Ok(SyncStatus {
        enrolled_as: store.sync_account()?.as_ref().map(EnrolledAs::from),
        pending_changes: store.pending_change_count()?,
        pending_photos: store.pending_photo_count()?,
        last_attempt_at: state.last_attempt_at,
        last_success_at: state.last_success_at,
        last_error: state.last_error,
        server_offset_ms: state.server_offset_ms,
        clock_warning: state.clock_warning,
        needs_attention: store
            .needs_attention()?
            .into_iter()
            .map(NeedsAttention::from)
            .collect(),
        running: false,
    })
}

impl SyncReport {
    fn summarize(&self) -> String {
        let mut lines = vec![format!(
            "Đã gửi {} thay đổi, nhận {} thay đổi, tải lên {} ảnh.",
            self.pushed, self.pulled, self.photos_uploaded
        )];
        if !self.rejected.is_empty() {
            lines.push(format!(
                "Máy chủ không nhận {} thay đổi (xem mục \"Cần xử lý\"):",
                self.rejected.len()
            ));
            for item in &self.rejected {
                lines.push(format!(
                    "  • {}: {} {}",
                    item.what, item.reason, item.advice
                ));
            }
        }
        if self.pulled_refused > 0 {
            lines.push(format!(
                "{} thay đổi nhận về không áp dụng được trên máy này; bản trên máy chủ vẫn được giữ.",
                self.pulled_refused
            ));
        }
        if !self.photos_failed.is_empty() {
            lines.push(format!(
                "{} ảnh không gửi được (xem mục \"Cần xử lý\"):",
                self.photos_failed.len()
            ));
            for item in &self.photos_failed {
                lines.push(format!(
                    "  • {}: {} {}",
                    item.what, item.reason, item.advice
                ));
            }
        }
        if let Some(warning) = &self.clock_warning {
            lines.push(format!("Cảnh báo đồng hồ: {warning}"));
        }
        if let Some(error) = &self.photo_error {
            lines.push(format!("Còn {} ảnh chưa gửi: {error}", self.pending_photos));
        } else if self.pending_changes > 0 || self.pending_photos > 0 {
            lines.push(format!(
                "Còn {} thay đổi và {} ảnh chờ gửi ở lần sau.",
                self.pending_changes, self.pending_photos
            ));
        } else if self.complete {
            lines.push("Mọi dữ liệu đã được đồng bộ.".into());
        }
        lines.join("\n")
    }
}

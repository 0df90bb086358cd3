//! Storage behind one interface, with two real backends run by the same test suite:
//! embedded SQLite ([`sqlite`], the default, no setup) and PostgreSQL
//! (`storage::postgres`, for a province or more).
//!
//! The interface is synchronous: handlers call it inside `tokio::task::spawn_blocking`.
//! Every call happens inside a transaction the backend opens ([`Storage::read_tx`],
//! [`Storage::write_tx`]), so a whole push batch (changes, log entries, acks, the
//! device's sequence) commits or rolls back as one.
//!
//! The backends are deliberately dumb: they store and find rows. Documents (entity
//! state, changes, acks) cross this interface as JSON text, encoded and decoded above
//! it, so the two backends run mostly the same simple SQL and never interpret a domain
//! type. Every rule lives in `chibo_domain`; every policy (scope, auth, sync) lives in
//! the modules above this one.
//!
//! # Layout
//! One schema and one set of statements serve both backends:
//! - [`schema`]: the versioned schema, written once and rendered per dialect;
//! - [`statements`]: every [`Tx`] method, over the small [`sql::Db`] interface (run a
//!   statement, read rows as plain values, insert many rows at once);
//! - [`sqlite`] and [`postgres`]: connections, transactions, retries, and how each binds
//!   and reads values and writes many rows (a prepared statement per row, or `UNNEST`
//!   arrays in one round trip).
//!
//! # Tenancy
//! One server hosts many communes. Every table that holds a commune's data is keyed by
//! `commune_id`; lookups take it, so a query for one commune never sees another's rows.
//!
//! # Server sequence numbers
//! Pull reads each scope by a server sequence number. On PostgreSQL that number must
//! follow commit order, or a reader could see seq 8 committed before seq 7 and skip 7
//! forever. So [`Tx::next_server_seq`] increments a per-scope counter row inside the
//! writing transaction (`UPDATE … SET last_seq = last_seq + 1 RETURNING last_seq`, or
//! an insert of the first row): the row lock serialises the writers of a scope until
//! commit, and numbers are handed out in commit order. Never a global sequence.

pub mod postgres;
mod schema;
mod sql;
pub mod sqlite;
mod statements;

use thiserror::Error;

use chibo_domain::time::EpochMillis;

/// Why storage failed. Few, actionable variants; the detail is for the log.
#[derive(Debug, Error)]
pub enum StorageError {
    /// The database cannot be reached or answered with an error (disk full, I/O,
    /// connection lost). The request fails with 503/500; nothing was committed.
    #[error("cơ sở dữ liệu không sẵn sàng: {0}")]
    Unavailable(String),
    /// A uniqueness constraint refused the write (e.g. a device id or a credential hash
    /// that already exists). Nothing was committed.
    #[error("dữ liệu trùng: {0}")]
    Conflict(String),
    /// A stored row could not be read back (bad JSON, a value out of range).
    #[error("dữ liệu lưu trữ bị hỏng: {0}")]
    Corrupt(String),
    /// The transaction lost a race (serialization failure, deadlock, SQLite busy). A
    /// backend retries the closure itself a few times before returning this.
    #[error("xung đột giao dịch, hãy thử lại")]
    Retry,
}

pub type StorageResult<T> = Result<T, StorageError>;

/// The closure a transaction runs. It may be called more than once (a backend retries
/// after [`StorageError::Retry`]), so it must only write through the [`Tx`] and to its
/// own captured output, and reset that output at the start.
pub type TxFn<'a> = &'a mut dyn FnMut(&mut dyn Tx) -> StorageResult<()>;

/// Whom a write transaction queues behind. A commune's writers read the same
/// commune-wide rows (assignments, cells, rule settings), so run side by side they mostly
/// abort each other and start again. A secretary's push writes nothing outside its cell
/// (`access::may_write`), so pushes of different cells go side by side; everything else
/// that writes a commune's records (the office, a cadre's check-ins across cells, the
/// server's verdicts) goes alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writers<'a> {
    /// Alone in the commune: waits for every writer of it, and they wait for this one.
    Commune(&'a str),
    /// Alone in the cell, beside other cells' pushes; waits for the commune's
    /// [`Writers::Commune`] writers.
    Cell {
        commune_id: &'a str,
        cell_id: &'a str,
    },
}

impl<'a> Writers<'a> {
    pub fn commune_id(&self) -> &'a str {
        match self {
            Writers::Commune(id) | Writers::Cell { commune_id: id, .. } => id,
        }
    }
}

/// A storage backend. Cheap to share (`Arc<dyn Storage>`); internally pooled.
pub trait Storage: Send + Sync + 'static {
    /// Runs `f` in a read-only transaction (a consistent snapshot).
    fn read_tx(&self, f: TxFn<'_>) -> StorageResult<()>;

    /// Runs `f` in a read-write transaction and commits when it returns `Ok`; rolls back
    /// on `Err` (and returns that error). Retries on a lost race as described on
    /// [`TxFn`].
    fn write_tx(&self, f: TxFn<'_>) -> StorageResult<()>;

    /// [`Storage::write_tx`] queued behind the writers it could collide with (see
    /// [`Writers`]), so that it starts on their commit instead of racing them and
    /// starting again; other communes, and other cells' pushes, are not held. SQLite has
    /// one writer anyway.
    fn queued_write_tx(&self, writers: Writers<'_>, f: TxFn<'_>) -> StorageResult<()> {
        let _ = writers;
        self.write_tx(f)
    }

    /// "sqlite" or "postgres", for logs and the admin CLI.
    fn backend_name(&self) -> &'static str;
}

/// Runs `f` in a read transaction and returns its value.
pub fn read<T>(
    storage: &dyn Storage,
    mut f: impl FnMut(&mut dyn Tx) -> StorageResult<T>,
) -> StorageResult<T> {
    let mut out = None;
    storage.read_tx(&mut |tx| {
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| StorageError::Corrupt("giao dịch không trả kết quả".into()))
}

/// Runs `f` in a write transaction and returns its value.
pub fn write<T>(
    storage: &dyn Storage,
    mut f: impl FnMut(&mut dyn Tx) -> StorageResult<T>,
) -> StorageResult<T> {
    let mut out = None;
    storage.write_tx(&mut |tx| {
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| StorageError::Corrupt("giao dịch không trả kết quả".into()))
}

/// [`write`] queued behind `writers` ([`Storage::queued_write_tx`]).
pub fn queued_write<T>(
    storage: &dyn Storage,
    writers: Writers<'_>,
    mut f: impl FnMut(&mut dyn Tx) -> StorageResult<T>,
) -> StorageResult<T> {
    let mut out = None;
    storage.queued_write_tx(writers, &mut |tx| {
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| StorageError::Corrupt("giao dịch không trả kết quả".into()))
}

// ---------------------------------------------------------------- rows

/// A commune (xã) the server hosts; a province runs one server for many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommuneRow {
    pub id: String,
    pub name: String,
    /// The province (tỉnh) it belongs to, free text id chosen by the operator.
    pub province_id: String,
    pub created_at: EpochMillis,
}

/// What a person may do, as stored: `role` is "secretary" (with `cell_id`), "cadre"
/// (with `cadre_id`) or "office".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonRow {
    pub id: String,
    pub commune_id: String,
    pub full_name: String,
    pub role: String,
    pub cell_id: Option<String>,
    pub cadre_id: Option<String>,
    pub created_at: EpochMillis,
}

/// A one-time enrolment code. Only its SHA-256 (hex) is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrollmentCodeRow {
    pub code_hash: String,
    pub commune_id: String,
    pub person_id: String,
    pub created_at: EpochMillis,
    pub expires_at: EpochMillis,
    /// Set once, when a device enrols with it.
    pub used_at: Option<EpochMillis>,
}

/// A device with its person and commune ([`Tx::device_holder`]).
#[derive(Clone, Debug)]
pub struct DeviceHolder {
    pub device: DeviceRow,
    pub person: Option<PersonRow>,
    pub commune: Option<CommuneRow>,
}

/// An enrolled device. Only the SHA-256 (hex) of its credential is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRow {
    pub id: String,
    pub commune_id: String,
    pub person_id: String,
    pub credential_hash: String,
    /// Ed25519 public key, lowercase hex.
    pub public_key_hex: String,
    pub label: String,
    pub enrolled_at: EpochMillis,
    pub revoked_at: Option<EpochMillis>,
    pub last_sync_at: Option<EpochMillis>,
    /// The highest `device_seq` settled (applied, superseded or rejected).
    pub last_applied_seq: u64,
    /// How far ahead the device's clock was the last time it was clamped.
    pub clock_ahead_ms: Option<i64>,
    /// When the clock was last found too far ahead.
    pub clock_flagged_at: Option<EpochMillis>,
    /// Where the device keeps its signing key, as it said at enrolment
    /// (`KeyProtection::as_str`); `None` for devices enrolled before it was asked.
    pub key_protection: Option<String>,
}

/// One entry of a scope's log. `scope` is the wire text (`cell:<id>`, `commune:<id>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRow {
    pub scope: String,
    pub server_seq: u64,
    pub commune_id: String,
    /// The device that pushed it; `None` for a change the server authored
    /// (`SetCheckInVerdict`).
    pub origin_device: Option<String>,
    pub device_seq: Option<u64>,
    /// The HLC in its sortable text form (`Hlc::to_string`), after any clamping.
    pub hlc: String,
    /// The author's claimed wall time (`PushedChange::created_at`).
    pub created_at: EpochMillis,
    /// The server's receive time.
    pub received_at: EpochMillis,
    /// The `Change`, as JSON.
    pub change_json: String,
}

/// The current state of one entity, as a JSON document: a cell, a member, a meeting
/// record, a check-in, a petition… Keyed by (commune, kind, id). The indexed columns
/// serve the lookups the ledger and the reports need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocRow {
    pub commune_id: String,
    /// e.g. "cell", "member", "record", "check_in", "petition".
    pub kind: String,
    pub id: String,
    /// The cell the entity belongs to, when it belongs to one.
    pub cell_id: Option<String>,
    /// A related entity: the meeting of a check-in or observation, the petition of a
    /// response, the original of a correction, the cadre of an assignment.
    pub ref_id: Option<String>,
    /// A time to order by (a meeting's start, a check-in's effective time…).
    pub at: Option<EpochMillis>,
    pub body_json: String,
}

/// Which documents of a kind to list. `None` fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DocFilter {
    pub cell_id: Option<String>,
    pub ref_id: Option<String>,
    /// Only documents with `at >= at_from` (documents without `at` are left out).
    pub at_from: Option<EpochMillis>,
    /// Only documents with `at < at_until` (documents without `at` are left out).
    pub at_until: Option<EpochMillis>,
}

/// An office user of the dashboard. `role` is "commune_admin" or "commune_viewer" (with
/// `commune_id`), "province_viewer" or "province_admin" (with `province_id`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DashboardUserRow {
    pub id: String,
    /// As typed at creation; unique ignoring case ([`username_key`]).
    pub username: String,
    pub display_name: String,
    /// An argon2 PHC string.
    pub password_hash: String,
    pub role: String,
    pub commune_id: Option<String>,
    pub province_id: Option<String>,
    pub created_at: EpochMillis,
    pub disabled_at: Option<EpochMillis>,
}

/// A signed-in browser. Only the SHA-256 (hex) of the cookie's token is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebSessionRow {
    pub token_hash: String,
    pub user_id: String,
    /// Posted back by every form of the session.
    pub csrf_token: String,
    pub created_at: EpochMillis,
    /// Moves forward while the session is used (idle expiry).
    pub expires_at: EpochMillis,
    pub last_seen_at: EpochMillis,
}

/// One entry of the audit log: who did what, when, from where. `commune_id` is the
/// commune acted in (`None`: a sign-in attempt at an unknown account).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    pub commune_id: Option<String>,
    pub at: EpochMillis,
    /// e.g. `user:<id> (username)`, `device:<id> (label)`.
    pub actor: String,
    /// A stable code (`accounts::audit::AuditAction`).
    pub action: String,
    /// What it was done to, as text.
    pub detail: String,
    pub client_ip: String,
}

/// The form of a username that uniqueness and sign-in compare: trimmed, lower case.
pub fn username_key(username: &str) -> String {
    username.trim().to_lowercase()
}

/// Where a blob (photo, attachment) is referenced: by a record of a cell, or
/// commune-wide (`cell_id: None`, e.g. a guidance attachment).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BlobRef {
    pub commune_id: String,
    pub sha256: String,
    pub cell_id: Option<String>,
}

/// An unfinished tus upload kept in the database, so that any server process can take
/// its next chunk (`[uploads] state = "database"`). `offset` is apart from the info so
/// that a chunk commits only onto the offset it was written at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TusUploadRow {
    pub id: String,
    pub commune_id: String,
    /// Bytes committed (their chunks are in `tus_chunks`).
    pub offset: u64,
    /// The rest of the upload's state, as JSON (the tus layer's `UploadInfo`).
    pub info_json: String,
    pub created_at: EpochMillis,
}

// ---------------------------------------------------------------- transaction

/// What a transaction can do. Every method is one or two simple statements.
pub trait Tx {
    // ------------------------------------------------------------ communes, persons

    fn insert_commune(&mut self, commune: &CommuneRow) -> StorageResult<()>;
    fn commune(&mut self, id: &str) -> StorageResult<Option<CommuneRow>>;
    /// All communes, by name then id.
    fn communes(&mut self) -> StorageResult<Vec<CommuneRow>>;

    fn insert_person(&mut self, person: &PersonRow) -> StorageResult<()>;
    fn person(&mut self, id: &str) -> StorageResult<Option<PersonRow>>;
    /// A commune's persons, by full name then id.
    fn persons(&mut self, commune_id: &str) -> StorageResult<Vec<PersonRow>>;

    // ------------------------------------------------------------ enrolment, devices

    fn insert_enrollment_code(&mut self, code: &EnrollmentCodeRow) -> StorageResult<()>;
    fn enrollment_code(&mut self, code_hash: &str) -> StorageResult<Option<EnrollmentCodeRow>>;
    /// Marks the code used if it was not; `false` when it already was (a replay racing
    /// another enrolment). `UPDATE … SET used_at = ? WHERE code_hash = ? AND used_at IS
    /// NULL`, true when one row changed.
    fn use_enrollment_code(&mut self, code_hash: &str, at: EpochMillis) -> StorageResult<bool>;

    fn insert_device(&mut self, device: &DeviceRow) -> StorageResult<()>;
    fn device(&mut self, id: &str) -> StorageResult<Option<DeviceRow>>;
    /// The device holding this credential hash (revoked ones too: the caller refuses
    /// them with `revoked`).
    fn device_by_credential(&mut self, credential_hash: &str) -> StorageResult<Option<DeviceRow>>;
    /// A new credential for a device (an enrolment retried after its answer was lost).
    fn replace_device_credential(&mut self, id: &str, credential_hash: &str) -> StorageResult<()>;
    /// A commune's devices, by enrolment time then id.
    fn devices(&mut self, commune_id: &str) -> StorageResult<Vec<DeviceRow>>;
    /// Public keys of the non-revoked devices of persons enrolled as this cadre
    /// (`persons.role = 'cadre' AND persons.cadre_id = ?`) in the commune.
    fn cadre_device_keys(&mut self, commune_id: &str, cadre_id: &str)
        -> StorageResult<Vec<String>>;
    /// Sets `revoked_at` if not yet set; `false` when there is no such device in the
    /// commune or it was already revoked.
    fn revoke_device(&mut self, commune_id: &str, id: &str, at: EpochMillis)
        -> StorageResult<bool>;
    /// After a sync: the settled sequence and the time of the sync.
    fn update_device_sync(
        &mut self,
        id: &str,
        last_applied_seq: u64,
        last_sync_at: EpochMillis,
    ) -> StorageResult<()>;
    /// Flags the device's clock as `ahead_ms` too far ahead, found at `at`.
    fn flag_device_clock(&mut self, id: &str, ahead_ms: i64, at: EpochMillis) -> StorageResult<()>;

    // ------------------------------------------------------------ acknowledgements

    /// The stored outcome (JSON of `sync::AckOutcome`) of an applied entry.
    fn ack(&mut self, device_id: &str, device_seq: u64) -> StorageResult<Option<String>>;
    fn insert_ack(
        &mut self,
        device_id: &str,
        device_seq: u64,
        outcome_json: &str,
    ) -> StorageResult<()>;
    /// Stores several acknowledgements of one device: (device_seq, outcome JSON).
    fn insert_acks(&mut self, device_id: &str, acks: &[(u64, String)]) -> StorageResult<()> {
        acks.iter()
            .try_for_each(|(seq, outcome)| self.insert_ack(device_id, *seq, outcome))
    }

    // ------------------------------------------------------------ scope logs

    /// Takes the next server sequence number of the commune's `scope` (1 for the first),
    /// from the scope's counter row keyed by (commune_id, scope), locked until commit
    /// (see the module documentation).
    fn next_server_seq(&mut self, commune_id: &str, scope: &str) -> StorageResult<u64>;
    fn append_log(&mut self, row: &LogRow) -> StorageResult<()>;
    /// Takes the next `count` server sequence numbers of the commune's `scope` at once
    /// and returns the first (the counter row is locked until commit, as for
    /// [`Tx::next_server_seq`]). A writer that buffers its log entries takes them when it
    /// writes them, at the end of its transaction, so the row is held for little time.
    fn reserve_server_seqs(
        &mut self,
        commune_id: &str,
        scope: &str,
        count: u64,
    ) -> StorageResult<u64> {
        let first = self.next_server_seq(commune_id, scope)?;
        for _ in 1..count {
            self.next_server_seq(commune_id, scope)?;
        }
        Ok(first)
    }
    /// Appends several log entries (numbered already).
    fn append_logs(&mut self, rows: &[LogRow]) -> StorageResult<()> {
        rows.iter().try_for_each(|row| self.append_log(row))
    }
    /// Entries of the commune's `scope` with `server_seq > after`, in order, at most
    /// `limit`. Scopes are keyed by commune too, so ids chosen by one commune's devices
    /// can never reach into another commune's log.
    fn log_page(
        &mut self,
        commune_id: &str,
        scope: &str,
        after: u64,
        limit: u32,
    ) -> StorageResult<Vec<LogRow>>;
    /// [`Tx::log_page`] as `reader_device` pulls it: its own entries come without their
    /// change (an empty `change_json`), since they are only skipped over.
    fn log_page_for(
        &mut self,
        commune_id: &str,
        scope: &str,
        after: u64,
        limit: u32,
        reader_device: &str,
    ) -> StorageResult<Vec<LogRow>>;

    // ------------------------------------------------------------ entity documents

    /// Inserts or replaces the document (commune_id, kind, id).
    fn put_doc(&mut self, doc: &DocRow) -> StorageResult<()>;
    /// Inserts or replaces several documents.
    fn put_docs(&mut self, docs: &[DocRow]) -> StorageResult<()> {
        docs.iter().try_for_each(|doc| self.put_doc(doc))
    }
    fn doc(&mut self, commune_id: &str, kind: &str, id: &str) -> StorageResult<Option<DocRow>>;
    /// Removes the document if it exists (derived documents only: entity state is never
    /// deleted).
    fn delete_doc(&mut self, commune_id: &str, kind: &str, id: &str) -> StorageResult<()>;
    /// Documents of a kind in a commune, by `at` (nulls first) then id.
    fn docs(
        &mut self,
        commune_id: &str,
        kind: &str,
        filter: &DocFilter,
    ) -> StorageResult<Vec<DocRow>>;

    // ------------------------------------------------------------ clocks

    /// The winning HLC (sortable text) of an editable field (`Change::lww_key`).
    fn entity_clock(&mut self, commune_id: &str, key: &str) -> StorageResult<Option<String>>;
    fn set_entity_clock(&mut self, commune_id: &str, key: &str, hlc: &str) -> StorageResult<()>;
    /// The winning clocks of these fields, those that have one: (key, hlc).
    fn entity_clocks(
        &mut self,
        commune_id: &str,
        keys: &[String],
    ) -> StorageResult<Vec<(String, String)>> {
        let mut out = Vec::new();
        for key in keys {
            if let Some(hlc) = self.entity_clock(commune_id, key)? {
                out.push((key.clone(), hlc));
            }
        }
        Ok(out)
    }
    /// Records several clocks: (key, hlc).
    fn set_entity_clocks(
        &mut self,
        commune_id: &str,
        clocks: &[(String, String)],
    ) -> StorageResult<()> {
        clocks
            .iter()
            .try_for_each(|(key, hlc)| self.set_entity_clock(commune_id, key, hlc))
    }

    // ------------------------------------------------------------ presence secrets

    /// Stored apart from every log: never sent to any device.
    fn presence_secret(
        &mut self,
        commune_id: &str,
        meeting_id: &str,
    ) -> StorageResult<Option<String>>;
    fn insert_presence_secret(
        &mut self,
        commune_id: &str,
        meeting_id: &str,
        secret_hex: &str,
        at: EpochMillis,
    ) -> StorageResult<()>;

    // ------------------------------------------------------------ blobs

    /// Records that `sha256` is referenced (idempotent: an existing identical row is
    /// kept, `cell_id` NULL compared as equal to NULL).
    fn add_blob_ref(&mut self, blob: &BlobRef) -> StorageResult<()>;
    /// Every place `sha256` is referenced, in any commune.
    fn blob_refs(&mut self, sha256: &str) -> StorageResult<Vec<BlobRef>>;

    // ------------------------------------------------------------ pull cursors

    /// Records that `device_id` has pulled the commune's `scope` up to `server_seq`.
    /// Only moves forward: a smaller number leaves the stored one.
    fn set_device_cursor(
        &mut self,
        device_id: &str,
        commune_id: &str,
        scope: &str,
        server_seq: u64,
    ) -> StorageResult<()>;
    /// How far each device has pulled the commune's `scope`, by device id.
    fn device_cursors(
        &mut self,
        commune_id: &str,
        scope: &str,
    ) -> StorageResult<Vec<(String, u64)>>;

    // ------------------------------------------------------------ dashboard users

    /// `Conflict` when the username (ignoring case) or the id is taken.
    fn insert_dashboard_user(&mut self, user: &DashboardUserRow) -> StorageResult<()>;
    fn dashboard_user(&mut self, id: &str) -> StorageResult<Option<DashboardUserRow>>;
    /// By username, ignoring case ([`username_key`]).
    fn dashboard_user_by_username(
        &mut self,
        username: &str,
    ) -> StorageResult<Option<DashboardUserRow>>;
    /// Every dashboard user, by username.
    fn dashboard_users(&mut self) -> StorageResult<Vec<DashboardUserRow>>;
    /// Saves an account's display name, password hash and disabled time (its username,
    /// role and scope never change).
    fn update_dashboard_user(&mut self, user: &DashboardUserRow) -> StorageResult<()>;

    // ------------------------------------------------------------ web sessions

    fn insert_web_session(&mut self, session: &WebSessionRow) -> StorageResult<()>;
    fn web_session(&mut self, token_hash: &str) -> StorageResult<Option<WebSessionRow>>;
    /// The session was used at `last_seen_at`; it now lasts until `expires_at`.
    fn touch_web_session(
        &mut self,
        token_hash: &str,
        last_seen_at: EpochMillis,
        expires_at: EpochMillis,
    ) -> StorageResult<()>;
    fn delete_web_session(&mut self, token_hash: &str) -> StorageResult<()>;
    /// Ends the sessions of one account (its password changed, or it was locked), all
    /// but the one whose hash is `keep`.
    fn delete_web_sessions_of(&mut self, user_id: &str, keep: Option<&str>) -> StorageResult<()>;
    /// Forgets sessions with `expires_at <= now`.
    fn delete_expired_web_sessions(&mut self, now: EpochMillis) -> StorageResult<()>;

    // ------------------------------------------------------------ sign-in failures

    /// A failed sign-in for `username_key` from `client_ip` at `at`.
    fn insert_sign_in_failure(
        &mut self,
        username_key: &str,
        client_ip: &str,
        at: EpochMillis,
    ) -> StorageResult<()>;
    /// Failures since `since` (inclusive): (for this username key, from this address).
    fn sign_in_failures(
        &mut self,
        username_key: &str,
        client_ip: &str,
        since: EpochMillis,
    ) -> StorageResult<(u64, u64)>;
    /// Forgets failures before `before`.
    fn delete_sign_in_failures_before(&mut self, before: EpochMillis) -> StorageResult<()>;

    // ------------------------------------------------------------ batched reads

    /// The documents of a kind with these ids, those that exist, in any order: one
    /// statement for all of them (a push reads what it will settle in a few).
    fn docs_by_ids(
        &mut self,
        commune_id: &str,
        kind: &str,
        ids: &[String],
    ) -> StorageResult<Vec<DocRow>>;
    /// The documents of a kind whose `ref_id` is one of `refs`, in any order.
    fn docs_by_refs(
        &mut self,
        commune_id: &str,
        kind: &str,
        refs: &[String],
    ) -> StorageResult<Vec<DocRow>>;
    /// The device holding this credential hash, with its person and its commune when
    /// they exist: what authenticating a device request reads, in one query.
    fn device_holder(&mut self, credential_hash: &str) -> StorageResult<Option<DeviceHolder>>;

    // ------------------------------------------------------------ tus uploads (shared)

    fn insert_tus_upload(&mut self, row: &TusUploadRow) -> StorageResult<()>;
    fn tus_upload(&mut self, commune_id: &str, id: &str) -> StorageResult<Option<TusUploadRow>>;
    /// Every unfinished upload of a commune.
    fn tus_uploads(&mut self, commune_id: &str) -> StorageResult<Vec<TusUploadRow>>;
    /// Replaces the upload's row only if its offset is still `expected_offset` (another
    /// process may have committed a chunk since); whether it did.
    fn update_tus_upload(
        &mut self,
        row: &TusUploadRow,
        expected_offset: u64,
    ) -> StorageResult<bool>;
    /// Bytes of an upload starting at `offset`.
    fn insert_tus_chunk(&mut self, upload_id: &str, offset: u64, bytes: &[u8])
        -> StorageResult<()>;
    /// The chunk that starts exactly at `offset`.
    fn tus_chunk(&mut self, upload_id: &str, offset: u64) -> StorageResult<Option<Vec<u8>>>;
    fn delete_tus_chunks(&mut self, upload_id: &str) -> StorageResult<()>;
    /// Forgets the upload and its chunks.
    fn delete_tus_upload(&mut self, id: &str) -> StorageResult<()>;

    // ------------------------------------------------------------ attempt limits, blob holders, audit (issue 14)

    /// Takes one attempt under `key` in one atomic statement and returns how many the
    /// window now holds: a window older than `window_start_before` (inclusive) starts
    /// again at `now` with this attempt. The row is locked until commit, so concurrent
    /// takers (other servers on the same PostgreSQL too) are counted one after another.
    fn take_attempt(
        &mut self,
        key: &str,
        now: EpochMillis,
        window_start_before: EpochMillis,
    ) -> StorageResult<u64>;
    /// Gives back an attempt taken in a window that has not restarted since
    /// (`window_start > window_start_before`): a sign-in that succeeded.
    fn release_attempt(&mut self, key: &str, window_start_before: EpochMillis)
        -> StorageResult<()>;
    /// Forgets windows that started at or before `before`.
    fn delete_attempts_before(&mut self, before: EpochMillis) -> StorageResult<()>;
    /// `device_id` of `commune_id` sent the bytes of `sha256` (idempotent).
    fn add_blob_holder(
        &mut self,
        commune_id: &str,
        sha256: &str,
        device_id: &str,
        at: EpochMillis,
    ) -> StorageResult<()>;
    /// The devices of `commune_id` that sent the bytes of `sha256`.
    fn blob_holders(&mut self, commune_id: &str, sha256: &str) -> StorageResult<Vec<String>>;
    /// Appends one entry to the audit log.
    fn append_audit(&mut self, entry: &AuditRow) -> StorageResult<()>;
    /// The latest `limit` entries of a commune's audit log, newest first.
    fn audit_log(&mut self, commune_id: &str, limit: u32) -> StorageResult<Vec<AuditRow>>;

    // ------------------------------------------------------------ province rollup

    /// Every commune's mark of change: the sum of its scopes' sequence counters, which
    /// grows with every change logged in the commune (`figures::province` keeps a
    /// commune's month figures while its mark stays the same).
    fn commune_change_marks(&mut self) -> StorageResult<Vec<(String, u64)>>;
    /// The communes of one province, by name (as [`Tx::communes`]).
    fn province_communes(&mut self, province_id: &str) -> StorageResult<Vec<CommuneRow>>;
    /// [`Tx::commune_change_marks`] of one province's communes only, so that a
    /// province's rollup reads as much whatever the nation's size (`tests/bench scale`).
    fn province_change_marks(&mut self, province_id: &str) -> StorageResult<Vec<(String, u64)>>;
    /// The document `kind`/`id` of each of `commune_ids` that has one, in one statement
    /// (a province's kept commune months, not one query per commune).
    fn docs_across_communes(
        &mut self,
        commune_ids: &[String],
        kind: &str,
        id: &str,
    ) -> StorageResult<Vec<DocRow>>;
}

/// Opens the backend a database URL names: `sqlite://<path>` (created if missing) or
/// `postgres://…`/`postgresql://…` when the PostgreSQL backend is compiled in.
pub fn open(database_url: &str) -> Result<std::sync::Arc<dyn Storage>, StorageError> {
    if let Some(path) = database_url.strip_prefix("sqlite://") {
        return Ok(std::sync::Arc::new(sqlite::SqliteStorage::open(
            std::path::Path::new(path),
        )?));
    }
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        return open_postgres(database_url);
    }
    Err(StorageError::Unavailable(format!(
        "địa chỉ cơ sở dữ liệu không hỗ trợ: \"{database_url}\" (cần sqlite://… hoặc postgres://…)"
    )))
}

fn open_postgres(database_url: &str) -> Result<std::sync::Arc<dyn Storage>, StorageError> {
    Ok(std::sync::Arc::new(postgres::PostgresStorage::open(
        database_url,
    )?))
}

//! The phone's local store: one SQLite file per device holding the cell's record and the
//! outbox of changes waiting to sync.
//!
//! Shape (as in mozilla/application-services): [`error`] (rich internal errors),
//! [`schema`] (versioned migrations), `apply` (the one write path: decide with the
//! domain's ledger, write, append to the outbox, all in one transaction), `remote` (the
//! same for changes pulled from the server, last-writer-wins by HLC), `read` (rows back
//! into the domain model, and the ledger's view of the store), [`queries`] (what the
//! screens show).
//!
//! The store never decides a rule itself: what a change may do comes from
//! `chibo_domain::ledger::decide`; attendance and scores from `chibo_domain::rules`.

mod apply;
mod codec;
mod device_local;
pub mod encryption;
pub mod error;
mod outbox;
pub mod queries;
mod read;
mod remote;
pub mod schema;
mod sync_state;
mod visits;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chibo_domain::hlc::Hlc;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};

use crate::boot::{BootClock, BootReading, SystemBootClock};
pub use encryption::DatabaseKey;

pub use error::{StoreError, StoreErrorKind};
pub use outbox::OutboxEntry;
pub use queries::{
    HomeSummary, MeetingSummary, MemberAttendanceRow, MemberYearAttendance, OpenTask,
    PetitionWithResponses, StatusCount,
};
pub use remote::PullReport;
pub use sync_state::{
    AttentionEntry, AttentionSubject, BatchEntry, NewAttention, PhotoUpload, Settlement,
    SyncAccount, SyncStateRow,
};
pub use visits::CheckInVerdict;

/// How long a writer waits for another connection's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The local store of one device.
pub struct Store {
    conn: Connection,
    device_id: String,
    hlc: Hlc,
    next_seq: u64,
    /// Read for every outbox entry (`crate::boot`).
    boot: Arc<dyn BootClock>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.conn.path())
            .field("device_id", &self.device_id)
            .field("next_seq", &self.next_seq)
            .finish()
    }
}

impl Store {
    /// Opens the store file at `path`, creating and migrating it as needed. The folder
    /// must already exist and be writable; otherwise [`StoreError::NotWritable`].
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let not_writable = |source: rusqlite::Error| StoreError::NotWritable {
            path: path.to_path_buf(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(not_writable)?;
        // SQLite quietly falls back to read-only when the file is not writable.
        if conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(not_writable(readonly_error(path)));
        }
        Store::init(conn).map_err(|e| match e {
            StoreError::Sqlite(source) if is_storage_access_error(&source) => not_writable(source),
            other => other,
        })
    }

    /// A store that lives in memory only (tests, previews).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // FULL: a transaction is on disk before it returns. After a power cut the outbox
        // never numbers a new change with a number the server already has, nor forgets
        // an acknowledgement or a pulled page it reported applied.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA synchronous = FULL;",
        )?;
        let found = schema::migrate_to(&mut conn, schema::CURRENT_VERSION)?;
        let mut store = Store::load_device(conn)?;
        if found > 0 && found < schema::CURRENT_VERSION {
            // Columns a migration added may need values only Rust can compute.
            store.backfill_after_upgrade()?;
        }
        Ok(store)
    }

    /// Reads the device identity, creating it on first open.
    fn load_device(conn: Connection) -> Result<Store, StoreError> {
        let row = conn
            .query_row(
                "SELECT device_id, hlc, next_seq FROM device WHERE singleton = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                },
            )
            .optional()?;
        let (device_id, hlc, next_seq) = match row {
            Some((device_id, hlc_text, next_seq)) => {
                let hlc = Hlc::parse(&hlc_text)
                    .ok_or_else(|| StoreError::Corrupt(format!("đồng hồ HLC: {hlc_text}")))?;
                let next_seq = u64::try_from(next_seq)
                    .map_err(|_| StoreError::Corrupt(format!("số thứ tự: {next_seq}")))?;
                (device_id, hlc, next_seq)
            }
            None => {
                let device_id = uuid::Uuid::now_v7().to_string();
                let hlc = Hlc::zero(device_id.clone());
                conn.execute(
                    "INSERT INTO device (singleton, device_id, hlc, next_seq, created_at)
                     VALUES (1, ?1, ?2, 1, ?3)",
                    rusqlite::params![
                        device_id,
                        hlc.to_string(),
                        chrono::Utc::now().timestamp_millis()
                    ],
                )?;
                (device_id, hlc, 1)
            }
        };
        Ok(Store {
            conn,
            device_id,
            hlc,
            next_seq,
            boot: Arc::new(SystemBootClock),
        })
    }

    /// Another boot clock (tests move it by hand).
    pub fn set_boot_clock(&mut self, boot: Arc<dyn BootClock>) {
        self.boot = boot;
    }

    /// The boot clock's reading now.
    pub fn boot_reading(&self) -> Option<BootReading> {
        self.boot.reading()
    }

    /// This device's id (UUIDv7), made on first open and kept for ever.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The clock of the last change written on this device.
    pub fn hlc(&self) -> &Hlc {
        &self.hlc
    }

    /// The file this store lives in (`None` in memory).
    pub fn path(&self) -> Option<PathBuf> {
        self.conn
            .path()
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
    }

    /// Lets a test or a tool look at the raw database (read-only use, please).
    #[doc(hidden)]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

fn readonly_error(path: &Path) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
        Some(format!("{} chỉ cho phép đọc", path.display())),
    )
}

fn is_storage_access_error(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(
            ErrorCode::CannotOpen
                | ErrorCode::ReadOnly
                | ErrorCode::PermissionDenied
                | ErrorCode::SystemIoFailure
                | ErrorCode::DiskFull
        )
    )
}

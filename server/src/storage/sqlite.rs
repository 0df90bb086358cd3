//! The embedded SQLite backend: one file in the data directory, WAL, one writer at a
//! time (writes are short: a push batch) and a small pool of readers.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use super::*;

/// Versioned schema: `SCHEMA[n]` moves a database from version n to n+1.
const SCHEMA: &[&str] = &[
    r#"
CREATE TABLE communes (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    province_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE persons (
    id TEXT PRIMARY KEY,
    commune_id TEXT NOT NULL REFERENCES communes(id),
    full_name TEXT NOT NULL,
    role TEXT NOT NULL,
    cell_id TEXT,
    cadre_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX persons_commune ON persons (commune_id);
CREATE TABLE enrollment_codes (
    code_hash TEXT PRIMARY KEY,
    commune_id TEXT NOT NULL REFERENCES communes(id),
    person_id TEXT NOT NULL REFERENCES persons(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    commune_id TEXT NOT NULL REFERENCES communes(id),
    person_id TEXT NOT NULL REFERENCES persons(id),
    credential_hash TEXT NOT NULL UNIQUE,
    public_key_hex TEXT NOT NULL,
    label TEXT NOT NULL,
    enrolled_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_sync_at BIGINT,
    last_applied_seq BIGINT NOT NULL,
    clock_ahead_ms BIGINT,
    clock_flagged_at BIGINT
);
CREATE INDEX devices_commune ON devices (commune_id);
CREATE INDEX devices_person ON devices (person_id);
CREATE TABLE acks (
    device_id TEXT NOT NULL REFERENCES devices(id),
    device_seq BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (device_id, device_seq)
);
CREATE TABLE scope_counters (
    commune_id TEXT NOT NULL REFERENCES communes(id),
    scope TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (commune_id, scope)
);
CREATE TABLE change_log (
    scope TEXT NOT NULL,
    server_seq BIGINT NOT NULL,
    commune_id TEXT NOT NULL REFERENCES communes(id),
    origin_device TEXT,
    device_seq BIGINT,
    hlc TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    change TEXT NOT NULL,
    PRIMARY KEY (commune_id, scope, server_seq)
);
CREATE TABLE docs (
    commune_id TEXT NOT NULL REFERENCES communes(id),
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    cell_id TEXT,
    ref_id TEXT,
    at BIGINT,
    body TEXT NOT NULL,
    PRIMARY KEY (commune_id, kind, id)
);
CREATE INDEX docs_cell ON docs (commune_id, kind, cell_id);
CREATE INDEX docs_ref ON docs (commune_id, kind, ref_id);
CREATE TABLE entity_clocks (
    commune_id TEXT NOT NULL REFERENCES communes(id),
    key TEXT NOT NULL,
    hlc TEXT NOT NULL,
    PRIMARY KEY (commune_id, key)
);
CREATE TABLE presence_secrets (
    commune_id TEXT NOT NULL REFERENCES communes(id),
    meeting_id TEXT NOT NULL,
    secret_hex TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (commune_id, meeting_id)
);
CREATE TABLE blob_refs (
    commune_id TEXT NOT NULL REFERENCES communes(id),
    sha256 TEXT NOT NULL,
    cell_id TEXT
);
CREATE INDEX blob_refs_sha ON blob_refs (sha256);
"#,
    r#"
CREATE INDEX docs_at ON docs (commune_id, kind, at);
CREATE TABLE device_cursors (
    commune_id TEXT NOT NULL REFERENCES communes(id),
    scope TEXT NOT NULL,
    device_id TEXT NOT NULL,
    server_seq BIGINT NOT NULL,
    PRIMARY KEY (commune_id, scope, device_id)
);
CREATE TABLE dashboard_users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    commune_id TEXT REFERENCES communes(id),
    province_id TEXT,
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES dashboard_users(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
CREATE TABLE sign_in_failures (
    username_key TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_user ON sign_in_failures (username_key, at);
CREATE INDEX sign_in_failures_ip ON sign_in_failures (client_ip, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
"#,
    // Where each device keeps its signing key (issue 15).
    r#"
ALTER TABLE devices ADD COLUMN key_protection TEXT;
"#,
    // Issue 14: attempt windows (sign-in, enrolment), counted atomically; the devices
    // that sent a blob's bytes (who may vouch for it).
    r#"
CREATE TABLE attempt_limits (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL
);
CREATE INDEX attempt_limits_window ON attempt_limits (window_start);
CREATE TABLE blob_holders (
    commune_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    device_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (commune_id, sha256, device_id)
);
"#,
    // Issue 14: the audit log of account, device and office actions.
    r#"
CREATE TABLE audit_log (
    seq BIGINT NOT NULL,
    commune_id TEXT,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    client_ip TEXT NOT NULL
);
CREATE INDEX audit_log_commune ON audit_log (commune_id, at);
CREATE INDEX audit_log_seq ON audit_log (seq);
"#,
];

const READERS: usize = 4;
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct SqliteStorage {
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    path: std::path::PathBuf,
}

impl SqliteStorage {
    /// Opens (creating if missing) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> StorageResult<SqliteStorage> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StorageError::Unavailable(format!("không tạo được thư mục {}: {e}", dir.display()))
            })?;
        }
        let mut writer = connect(path)?;
        migrate(&mut writer)?;
        Ok(SqliteStorage {
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            path: path.to_path_buf(),
        })
    }

    fn reader(&self) -> StorageResult<Connection> {
        let pooled = self.readers.lock().map(|mut r| r.pop()).unwrap_or(None);
        match pooled {
            Some(conn) => Ok(conn),
            None => connect(&self.path),
        }
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut readers) = self.readers.lock() {
            if readers.len() < READERS {
                readers.push(conn);
            }
        }
    }
}

fn connect(path: &Path) -> StorageResult<Connection> {
    let conn = Connection::open(path).map_err(map_err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(map_err)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384; PRAGMA mmap_size = 268435456;",
    )
    .map_err(map_err)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> StorageResult<()> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(map_err)?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > SCHEMA.len() {
        return Err(StorageError::Corrupt(format!(
            "cơ sở dữ liệu phiên bản {version} mới hơn máy chủ này (phiên bản {})",
            SCHEMA.len()
        )));
    }
    for (n, step) in SCHEMA.iter().enumerate().skip(version) {
        let tx = conn.transaction().map_err(map_err)?;
        tx.execute_batch(step).map_err(map_err)?;
        tx.pragma_update(None, "user_version", (n + 1) as i64)
            .map_err(map_err)?;
        tx.commit().map_err(map_err)?;
    }
    Ok(())
}

fn map_err(e: rusqlite::Error) -> StorageError {
    use rusqlite::ErrorCode;
    match &e {
        rusqlite::Error::SqliteFailure(f, _) => match f.code {
            ErrorCode::ConstraintViolation => StorageError::Conflict(e.to_string()),
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StorageError::Retry,
            _ => StorageError::Unavailable(e.to_string()),
        },
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::InvalidColumnType(..) => StorageError::Corrupt(e.to_string()),
        _ => StorageError::Unavailable(e.to_string()),
    }
}

const RETRIES: usize = 3;

impl Storage for SqliteStorage {
    fn read_tx(&self, f: TxFn<'_>) -> StorageResult<()> {
        let mut conn = self.reader()?;
        let result = (|| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Deferred)
                .map_err(map_err)?;
            let mut handle = SqliteTx { conn: &tx };
            f(&mut handle)?;
            // Read-only: nothing to keep.
            tx.rollback().map_err(map_err)
        })();
        self.give_back(conn);
        result
    }

    fn write_tx(&self, f: TxFn<'_>) -> StorageResult<()> {
        let mut conn = self
            .writer
            .lock()
            .map_err(|_| StorageError::Unavailable("kết nối ghi bị hỏng".into()))?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = (|| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(map_err)?;
                let mut handle = SqliteTx { conn: &tx };
                f(&mut handle)?;
                tx.commit().map_err(map_err)
            })();
            match result {
                Err(StorageError::Retry) if attempt < RETRIES => continue,
                other => return other,
            }
        }
    }

    fn backend_name(&self) -> &'static str {
        "sqlite"
    }
}

struct SqliteTx<'c> {
    conn: &'c Connection,
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_i64(v: u64) -> StorageResult<i64> {
    i64::try_from(v).map_err(|_| StorageError::Conflict(format!("số thứ tự quá lớn: {v}")))
}

fn commune_from(r: &Row<'_>) -> rusqlite::Result<CommuneRow> {
    Ok(CommuneRow {
        id: r.get(0)?,
        name: r.get(1)?,
        province_id: r.get(2)?,
        created_at: r.get(3)?,
    })
}

const PERSON_COLS: &str = "id, commune_id, full_name, role, cell_id, cadre_id, created_at";

fn person_from(r: &Row<'_>) -> rusqlite::Result<PersonRow> {
    Ok(PersonRow {
        id: r.get(0)?,
        commune_id: r.get(1)?,
        full_name: r.get(2)?,
        role: r.get(3)?,
        cell_id: r.get(4)?,
        cadre_id: r.get(5)?,
        created_at: r.get(6)?,
    })
}

const DEVICE_COLS: &str = "id, commune_id, person_id, credential_hash, public_key_hex, label, \
    enrolled_at, revoked_at, last_sync_at, last_applied_seq, clock_ahead_ms, clock_flagged_at, \
    key_protection";

fn device_from(r: &Row<'_>) -> rusqlite::Result<DeviceRow> {
    Ok(DeviceRow {
        id: r.get(0)?,
        commune_id: r.get(1)?,
        person_id: r.get(2)?,
        credential_hash: r.get(3)?,
        public_key_hex: r.get(4)?,
        label: r.get(5)?,
        enrolled_at: r.get(6)?,
        revoked_at: r.get(7)?,
        last_sync_at: r.get(8)?,
        last_applied_seq: to_u64(r.get(9)?),
        clock_ahead_ms: r.get(10)?,
        clock_flagged_at: r.get(11)?,
        key_protection: r.get(12)?,
    })
}

const LOG_COLS: &str = "scope, server_seq, commune_id, origin_device, device_seq, hlc, \
    created_at, received_at, change";

fn log_from(r: &Row<'_>) -> rusqlite::Result<LogRow> {
    Ok(LogRow {
        scope: r.get(0)?,
        server_seq: to_u64(r.get(1)?),
        commune_id: r.get(2)?,
        origin_device: r.get(3)?,
        device_seq: r.get::<_, Option<i64>>(4)?.map(to_u64),
        hlc: r.get(5)?,
        created_at: r.get(6)?,
        received_at: r.get(7)?,
        change_json: r.get(8)?,
    })
}

const DOC_COLS: &str = "commune_id, kind, id, cell_id, ref_id, at, body";

fn doc_from(r: &Row<'_>) -> rusqlite::Result<DocRow> {
    Ok(DocRow {
        commune_id: r.get(0)?,
        kind: r.get(1)?,
        id: r.get(2)?,
        cell_id: r.get(3)?,
        ref_id: r.get(4)?,
        at: r.get(5)?,
        body_json: r.get(6)?,
    })
}

impl SqliteTx<'_> {
    fn all<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> StorageResult<Vec<T>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(map_err)?;
        let rows = stmt.query_map(params, map).map_err(map_err)?;
        rows.collect::<Result<_, _>>().map_err(map_err)
    }

    fn one<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> StorageResult<Option<T>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(map_err)?;
        stmt.query_row(params, map).optional().map_err(map_err)
    }

    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> StorageResult<usize> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(map_err)?;
        stmt.execute(params).map_err(map_err)
    }
}

impl Tx for SqliteTx<'_> {
    fn insert_commune(&mut self, c: &CommuneRow) -> StorageResult<()> {
        self.exec(
            "INSERT INTO communes (id, name, province_id, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![c.id, c.name, c.province_id, c.created_at],
        )
        .map(drop)
    }

    fn commune(&mut self, id: &str) -> StorageResult<Option<CommuneRow>> {
        self.one(
            "SELECT id, name, province_id, created_at FROM communes WHERE id = ?1",
            [id],
            commune_from,
        )
    }

    fn communes(&mut self) -> StorageResult<Vec<CommuneRow>> {
        self.all(
            "SELECT id, name, province_id, created_at FROM communes ORDER BY name, id",
            [],
            commune_from,
        )
    }

    fn insert_person(&mut self, p: &PersonRow) -> StorageResult<()> {
        self.exec(
            &format!("INSERT INTO persons ({PERSON_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
            params![
                p.id,
                p.commune_id,
                p.full_name,
                p.role,
                p.cell_id,
                p.cadre_id,
                p.created_at
            ],
        )
        .map(drop)
    }

    fn person(&mut self, id: &str) -> StorageResult<Option<PersonRow>> {
        self.one(
            &format!("SELECT {PERSON_COLS} FROM persons WHERE id = ?1"),
            [id],
            person_from,
        )
    }

    fn persons(&mut self, commune_id: &str) -> StorageResult<Vec<PersonRow>> {
        self.all(
            &format!(
                "SELECT {PERSON_COLS} FROM persons WHERE commune_id = ?1 ORDER BY full_name, id"
            ),
            [commune_id],
            person_from,
        )
    }

    fn insert_enrollment_code(&mut self, c: &EnrollmentCodeRow) -> StorageResult<()> {
        self.exec(
            "INSERT INTO enrollment_codes (code_hash, commune_id, person_id, created_at,
                                           expires_at, used_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                c.code_hash,
                c.commune_id,
                c.person_id,
                c.created_at,
                c.expires_at,
                c.used_at
            ],
        )
        .map(drop)
    }

    fn enrollment_code(&mut self, code_hash: &str) -> StorageResult<Option<EnrollmentCodeRow>> {
        self.one(
            "SELECT code_hash, commune_id, person_id, created_at, expires_at, used_at
             FROM enrollment_codes WHERE code_hash = ?1",
            [code_hash],
            |r| {
                Ok(EnrollmentCodeRow {
                    code_hash: r.get(0)?,
                    commune_id: r.get(1)?,
                    person_id: r.get(2)?,
                    created_at: r.get(3)?,
                    expires_at: r.get(4)?,
                    used_at: r.get(5)?,
                })
            },
        )
    }

    fn use_enrollment_code(&mut self, code_hash: &str, at: EpochMillis) -> StorageResult<bool> {
        self.exec(
            "UPDATE enrollment_codes SET used_at = ?2 WHERE code_hash = ?1 AND used_at IS NULL",
            params![code_hash, at],
        )
        .map(|n| n == 1)
    }

    fn insert_device(&mut self, d: &DeviceRow) -> StorageResult<()> {
        self.exec(
            &format!(
                "INSERT INTO devices ({DEVICE_COLS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
            ),
            params![
                d.id,
                d.commune_id,
                d.person_id,
                d.credential_hash,
                d.public_key_hex,
                d.label,
                d.enrolled_at,
                d.revoked_at,
                d.last_sync_at,
                to_i64(d.last_applied_seq)?,
                d.clock_ahead_ms,
                d.clock_flagged_at,
                d.key_protection
            ],
        )
        .map(drop)
    }

    fn device(&mut self, id: &str) -> StorageResult<Option<DeviceRow>> {
        self.one(
            &format!("SELECT {DEVICE_COLS} FROM devices WHERE id = ?1"),
            [id],
            device_from,
        )
    }

    fn device_by_credential(&mut self, credential_hash: &str) -> StorageResult<Option<DeviceRow>> {
        self.one(
            &format!("SELECT {DEVICE_COLS} FROM devices WHERE credential_hash = ?1"),
            [credential_hash],
            device_from,
        )
    }

    fn replace_device_credential(&mut self, id: &str, credential_hash: &str) -> StorageResult<()> {
        self.exec(
            "UPDATE devices SET credential_hash = ?2 WHERE id = ?1",
            params![id, credential_hash],
        )
        .map(drop)
    }

    fn devices(&mut self, commune_id: &str) -> StorageResult<Vec<DeviceRow>> {
        self.all(
            &format!(
                "SELECT {DEVICE_COLS} FROM devices WHERE commune_id = ?1 ORDER BY enrolled_at, id"
            ),
            [commune_id],
            device_from,
        )
    }

    fn cadre_device_keys(
        &mut self,
        commune_id: &str,
        cadre_id: &str,
    ) -> StorageResult<Vec<String>> {
        self.all(
            "SELECT d.public_key_hex FROM devices d JOIN persons p ON p.id = d.person_id
             WHERE d.commune_id = ?1 AND p.commune_id = ?1 AND p.role = 'cadre'
               AND p.cadre_id = ?2 AND d.revoked_at IS NULL
             ORDER BY d.enrolled_at, d.id",
            [commune_id, cadre_id],
            |r| r.get(0),
        )
    }

    fn revoke_device(
        &mut self,
        commune_id: &str,
        id: &str,
        at: EpochMillis,
    ) -> StorageResult<bool> {
        self.exec(
            "UPDATE devices SET revoked_at = ?3
             WHERE commune_id = ?1 AND id = ?2 AND revoked_at IS NULL",
            params![commune_id, id, at],
        )
        .map(|n| n == 1)
    }

    fn update_device_sync(
        &mut self,
        id: &str,
        last_applied_seq: u64,
        last_sync_at: EpochMillis,
    ) -> StorageResult<()> {
        self.exec(
            "UPDATE devices SET last_applied_seq = ?2, last_sync_at = ?3 WHERE id = ?1",
            params![id, to_i64(last_applied_seq)?, last_sync_at],
        )
        .map(drop)
    }

    fn flag_device_clock(&mut self, id: &str, ahead_ms: i64, at: EpochMillis) -> StorageResult<()> {
        self.exec(
            "UPDATE devices SET clock_ahead_ms = ?2, clock_flagged_at = ?3 WHERE id = ?1",
            params![id, ahead_ms, at],
        )
        .map(drop)
    }

    fn ack(&mut self, device_id: &str, device_seq: u64) -> StorageResult<Option<String>> {
        self.one(
            "SELECT outcome FROM acks WHERE device_id = ?1 AND device_seq = ?2",
            params![device_id, to_i64(device_seq)?],
            |r| r.get(0),
        )
    }

    fn insert_ack(&mut self, device_id: &str, device_seq: u64, outcome: &str) -> StorageResult<()> {
        self.exec(
            "INSERT INTO acks (device_id, device_seq, outcome) VALUES (?1, ?2, ?3)",
            params![device_id, to_i64(device_seq)?, outcome],
        )
        .map(drop)
    }

    fn reserve_server_seqs(
        &mut self,
        commune_id: &str,
        scope: &str,
        count: u64,
    ) -> StorageResult<u64> {
        let count = to_i64(count.max(1))?;
        let last: i64 = self
            .one(
                "INSERT INTO scope_counters (commune_id, scope, last_seq) VALUES (?1, ?2, ?3)
                 ON CONFLICT (commune_id, scope)
                 DO UPDATE SET last_seq = scope_counters.last_seq + excluded.last_seq
                 RETURNING last_seq",
                params![commune_id, scope, count],
                |r| r.get(0),
            )?
            .ok_or_else(|| StorageError::Corrupt("không cấp được số thứ tự".into()))?;
        Ok(to_u64(last - count + 1))
    }

    fn next_server_seq(&mut self, commune_id: &str, scope: &str) -> StorageResult<u64> {
        let seq: i64 = self
            .one(
                "INSERT INTO scope_counters (commune_id, scope, last_seq) VALUES (?1, ?2, 1)
                 ON CONFLICT (commune_id, scope) DO UPDATE SET last_seq = scope_counters.last_seq + 1
                 RETURNING last_seq",
                [commune_id, scope],
                |r| r.get(0),
            )?
            .ok_or_else(|| StorageError::Corrupt("không cấp được số thứ tự".into()))?;
        Ok(to_u64(seq))
    }

    fn append_log(&mut self, l: &LogRow) -> StorageResult<()> {
        self.exec(
            &format!(
                "INSERT INTO change_log ({LOG_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                l.scope,
                to_i64(l.server_seq)?,
                l.commune_id,
                l.origin_device,
                l.device_seq.map(to_i64).transpose()?,
                l.hlc,
                l.created_at,
                l.received_at,
                l.change_json
            ],
        )
        .map(drop)
    }

    fn log_page(
        &mut self,
        commune_id: &str,
        scope: &str,
        after: u64,
        limit: u32,
    ) -> StorageResult<Vec<LogRow>> {
        self.all(
            &format!(
                "SELECT {LOG_COLS} FROM change_log
                 WHERE commune_id = ?1 AND scope = ?2 AND server_seq > ?3
                 ORDER BY server_seq LIMIT ?4"
            ),
            params![commune_id, scope, to_i64(after)?, i64::from(limit)],
            log_from,
        )
    }

    fn put_doc(&mut self, d: &DocRow) -> StorageResult<()> {
        self.exec(
            &format!(
                "INSERT INTO docs ({DOC_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (commune_id, kind, id) DO UPDATE SET cell_id = excluded.cell_id,
                   ref_id = excluded.ref_id, at = excluded.at, body = excluded.body"
            ),
            params![
                d.commune_id,
                d.kind,
                d.id,
                d.cell_id,
                d.ref_id,
                d.at,
                d.body_json
            ],
        )
        .map(drop)
    }

    fn delete_doc(&mut self, commune_id: &str, kind: &str, id: &str) -> StorageResult<()> {
        self.exec(
            "DELETE FROM docs WHERE commune_id = ?1 AND kind = ?2 AND id = ?3",
            [commune_id, kind, id],
        )
        .map(drop)
    }

    fn doc(&mut self, commune_id: &str, kind: &str, id: &str) -> StorageResult<Option<DocRow>> {
        self.one(
            &format!("SELECT {DOC_COLS} FROM docs WHERE commune_id = ?1 AND kind = ?2 AND id = ?3"),
            [commune_id, kind, id],
            doc_from,
        )
    }

    fn docs(
        &mut self,
        commune_id: &str,
        kind: &str,
        filter: &DocFilter,
    ) -> StorageResult<Vec<DocRow>> {
        // Only the filters given go into the statement, so SQLite uses the cell or the
        // reference index (a generic `?3 IS NULL OR cell_id = ?3` scans the commune).
        use rusqlite::types::Value;
        let mut sql = format!("SELECT {DOC_COLS} FROM docs WHERE commune_id = ?1 AND kind = ?2");
        let mut values: Vec<Value> = vec![commune_id.to_string().into(), kind.to_string().into()];
        for (column, value) in [("cell_id", &filter.cell_id), ("ref_id", &filter.ref_id)] {
            if let Some(value) = value {
                values.push(value.clone().into());
                sql += &format!(" AND {column} = ?{}", values.len());
            }
        }
        for (condition, value) in [("at >=", filter.at_from), ("at <", filter.at_until)] {
            if let Some(value) = value {
                values.push(value.into());
                sql += &format!(" AND {condition} ?{}", values.len());
            }
        }
        sql += " ORDER BY at IS NOT NULL, at, id";
        self.all(&sql, rusqlite::params_from_iter(values), doc_from)
    }

    fn entity_clock(&mut self, commune_id: &str, key: &str) -> StorageResult<Option<String>> {
        self.one(
            "SELECT hlc FROM entity_clocks WHERE commune_id = ?1 AND key = ?2",
            [commune_id, key],
            |r| r.get(0),
        )
    }

    fn set_entity_clock(&mut self, commune_id: &str, key: &str, hlc: &str) -> StorageResult<()> {
        self.exec(
            "INSERT INTO entity_clocks (commune_id, key, hlc) VALUES (?1, ?2, ?3)
             ON CONFLICT (commune_id, key) DO UPDATE SET hlc = excluded.hlc",
            [commune_id, key, hlc],
        )
        .map(drop)
    }

    fn presence_secret(
        &mut self,
        commune_id: &str,
        meeting_id: &str,
    ) -> StorageResult<Option<String>> {
        self.one(
            "SELECT secret_hex FROM presence_secrets WHERE commune_id = ?1 AND meeting_id = ?2",
            [commune_id, meeting_id],
            |r| r.get(0),
        )
    }

    fn insert_presence_secret(
        &mut self,
        commune_id: &str,
        meeting_id: &str,
        secret_hex: &str,
        at: EpochMillis,
    ) -> StorageResult<()> {
        self.exec(
            "INSERT INTO presence_secrets (commune_id, meeting_id, secret_hex, created_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![commune_id, meeting_id, secret_hex, at],
        )
        .map(drop)
    }

    fn add_blob_ref(&mut self, b: &BlobRef) -> StorageResult<()> {
        self.exec(
            "INSERT INTO blob_refs (commune_id, sha256, cell_id)
             SELECT ?1, ?2, ?3 WHERE NOT EXISTS (
               SELECT 1 FROM blob_refs WHERE commune_id = ?1 AND sha256 = ?2
                 AND ((cell_id IS NULL AND ?3 IS NULL) OR cell_id = ?3))",
            params![b.commune_id, b.sha256, b.cell_id],
        )
        .map(drop)
    }

    fn blob_refs(&mut self, sha256: &str) -> StorageResult<Vec<BlobRef>> {
        self.all(
            "SELECT commune_id, sha256, cell_id FROM blob_refs WHERE sha256 = ?1
             ORDER BY commune_id, cell_id",
            [sha256],
            |r| {
                Ok(BlobRef {
                    commune_id: r.get(0)?,
                    sha256: r.get(1)?,
                    cell_id: r.get(2)?,
                })
            },
        )
    }

    fn set_device_cursor(
        &mut self,
        device_id: &str,
        commune_id: &str,
        scope: &str,
        server_seq: u64,
    ) -> StorageResult<()> {
        self.exec(
            "INSERT INTO device_cursors (commune_id, scope, device_id, server_seq)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (commune_id, scope, device_id) DO UPDATE
               SET server_seq = excluded.server_seq
               WHERE excluded.server_seq > device_cursors.server_seq",
            params![commune_id, scope, device_id, to_i64(server_seq)?],
        )
        .map(drop)
    }

    fn device_cursors(
        &mut self,
        commune_id: &str,
        scope: &str,
    ) -> StorageResult<Vec<(String, u64)>> {
        self.all(
            "SELECT device_id, server_seq FROM device_cursors
             WHERE commune_id = ?1 AND scope = ?2 ORDER BY device_id",
            [commune_id, scope],
            |r| Ok((r.get(0)?, to_u64(r.get(1)?))),
        )
    }

    fn insert_dashboard_user(&mut self, u: &DashboardUserRow) -> StorageResult<()> {
        self.exec(
            &format!(
                "INSERT INTO dashboard_users ({DASHBOARD_USER_COLS}, username_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ),
            params![
                u.id,
                u.username,
                u.display_name,
                u.password_hash,
                u.role,
                u.commune_id,
                u.province_id,
                u.created_at,
                u.disabled_at,
                username_key(&u.username)
            ],
        )
        .map(drop)
    }

    fn dashboard_user(&mut self, id: &str) -> StorageResult<Option<DashboardUserRow>> {
        self.one(
            &format!("SELECT {DASHBOARD_USER_COLS} FROM dashboard_users WHERE id = ?1"),
            [id],
            dashboard_user_from,
        )
    }

    fn dashboard_user_by_username(
        &mut self,
        username: &str,
    ) -> StorageResult<Option<DashboardUserRow>> {
        self.one(
            &format!("SELECT {DASHBOARD_USER_COLS} FROM dashboard_users WHERE username_key = ?1"),
            [username_key(username)],
            dashboard_user_from,
        )
    }

    fn dashboard_users(&mut self) -> StorageResult<Vec<DashboardUserRow>> {
        self.all(
            &format!("SELECT {DASHBOARD_USER_COLS} FROM dashboard_users ORDER BY username_key, id"),
            [],
            dashboard_user_from,
        )
    }

    fn update_dashboard_user(&mut self, u: &DashboardUserRow) -> StorageResult<()> {
        self.exec(
            "UPDATE dashboard_users SET display_name = ?2, password_hash = ?3, disabled_at = ?4
             WHERE id = ?1",
            params![u.id, u.display_name, u.password_hash, u.disabled_at],
        )
        .map(drop)
    }

    fn insert_web_session(&mut self, w: &WebSessionRow) -> StorageResult<()> {
        self.exec(
            &format!(
                "INSERT INTO web_sessions ({WEB_SESSION_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            ),
            params![
                w.token_hash,
                w.user_id,
                w.csrf_token,
                w.created_at,
                w.expires_at,
                w.last_seen_at
            ],
        )
        .map(drop)
    }

    fn web_session(&mut self, token_hash: &str) -> StorageResult<Option<WebSessionRow>> {
        self.one(
            &format!("SELECT {WEB_SESSION_COLS} FROM web_sessions WHERE token_hash = ?1"),
            [token_hash],
            |r| {
                Ok(WebSessionRow {
                    token_hash: r.get(0)?,
                    user_id: r.get(1)?,
                    csrf_token: r.get(2)?,
                    created_at: r.get(3)?,
                    expires_at: r.get(4)?,
                    last_seen_at: r.get(5)?,
                })
            },
        )
    }

    fn touch_web_session(
        &mut self,
        token_hash: &str,
        last_seen_at: EpochMillis,
        expires_at: EpochMillis,
    ) -> StorageResult<()> {
        self.exec(
            "UPDATE web_sessions SET last_seen_at = ?2, expires_at = ?3 WHERE token_hash = ?1",
            params![token_hash, last_seen_at, expires_at],
        )
        .map(drop)
    }

    fn delete_web_session(&mut self, token_hash: &str) -> StorageResult<()> {
        self.exec(
            "DELETE FROM web_sessions WHERE token_hash = ?1",
            [token_hash],
        )
        .map(drop)
    }

    fn delete_web_sessions_of(&mut self, user_id: &str, keep: Option<&str>) -> StorageResult<()> {
        self.exec(
            "DELETE FROM web_sessions WHERE user_id = ?1 AND token_hash IS NOT ?2",
            params![user_id, keep],
        )
        .map(drop)
    }

    fn delete_expired_web_sessions(&mut self, now: EpochMillis) -> StorageResult<()> {
        self.exec("DELETE FROM web_sessions WHERE expires_at <= ?1", [now])
            .map(drop)
    }

    fn insert_sign_in_failure(
        &mut self,
        username_key: &str,
        client_ip: &str,
        at: EpochMillis,
    ) -> StorageResult<()> {
        self.exec(
            "INSERT INTO sign_in_failures (username_key, client_ip, at) VALUES (?1, ?2, ?3)",
            params![username_key, client_ip, at],
        )
        .map(drop)
    }

    fn sign_in_failures(
        &mut self,
        username_key: &str,
        client_ip: &str,
        since: EpochMillis,
    ) -> StorageResult<(u64, u64)> {
        let count = |tx: &Self, column: &str, value: &str| -> StorageResult<u64> {
            tx.one(
                &format!("SELECT COUNT(*) FROM sign_in_failures WHERE {column} = ?1 AND at >= ?2"),
                params![value, since],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| to_u64(n.unwrap_or(0)))
        };
        Ok((
            count(self, "username_key", username_key)?,
            count(self, "client_ip", client_ip)?,
        ))
    }

    fn delete_sign_in_failures_before(&mut self, before: EpochMillis) -> StorageResult<()> {
        self.exec("DELETE FROM sign_in_failures WHERE at < ?1", [before])
            .map(drop)
    }

    fn take_attempt(
        &mut self,
        key: &str,
        now: EpochMillis,
        window_start_before: EpochMillis,
    ) -> StorageResult<u64> {
        self.one(
            "INSERT INTO attempt_limits (key, window_start, count) VALUES (?1, ?2, 1)
             ON CONFLICT (key) DO UPDATE SET
               count = CASE WHEN attempt_limits.window_start <= ?3 THEN 1
                            ELSE attempt_limits.count + 1 END,
               window_start = CASE WHEN attempt_limits.window_start <= ?3 THEN ?2
                                   ELSE attempt_limits.window_start END
             RETURNING count",
            params![key, now, window_start_before],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| to_u64(n.unwrap_or(0)))
    }

    fn release_attempt(
        &mut self,
        key: &str,
        window_start_before: EpochMillis,
    ) -> StorageResult<()> {
        self.exec(
            "UPDATE attempt_limits SET count = count - 1
             WHERE key = ?1 AND window_start > ?2 AND count > 0",
            params![key, window_start_before],
        )
        .map(drop)
    }

    fn delete_attempts_before(&mut self, before: EpochMillis) -> StorageResult<()> {
        self.exec(
            "DELETE FROM attempt_limits WHERE window_start <= ?1",
            [before],
        )
        .map(drop)
    }

    fn add_blob_holder(
        &mut self,
        commune_id: &str,
        sha256: &str,
        device_id: &str,
        at: EpochMillis,
    ) -> StorageResult<()> {
        self.exec(
            "INSERT INTO blob_holders (commune_id, sha256, device_id, at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO NOTHING",
            params![commune_id, sha256, device_id, at],
        )
        .map(drop)
    }

    fn append_audit(&mut self, e: &AuditRow) -> StorageResult<()> {
        self.exec(
            "INSERT INTO audit_log (seq, commune_id, at, actor, action, detail, client_ip)
             SELECT COALESCE(MAX(seq), 0) + 1, ?1, ?2, ?3, ?4, ?5, ?6 FROM audit_log",
            params![e.commune_id, e.at, e.actor, e.action, e.detail, e.client_ip],
        )
        .map(drop)
    }

    fn audit_log(&mut self, commune_id: &str, limit: u32) -> StorageResult<Vec<AuditRow>> {
        self.all(
            "SELECT commune_id, at, actor, action, detail, client_ip FROM audit_log
             WHERE commune_id = ?1 ORDER BY at DESC, seq DESC LIMIT ?2",
            params![commune_id, limit],
            |r| {
                Ok(AuditRow {
                    commune_id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    detail: r.get(4)?,
                    client_ip: r.get(5)?,
                })
            },
        )
    }

    fn blob_holders(&mut self, commune_id: &str, sha256: &str) -> StorageResult<Vec<String>> {
        self.all(
            "SELECT device_id FROM blob_holders WHERE commune_id = ?1 AND sha256 = ?2
             ORDER BY device_id",
            params![commune_id, sha256],
            |r| r.get(0),
        )
    }
}

const DASHBOARD_USER_COLS: &str = "id, username, display_name, password_hash, role, commune_id, \
    province_id, created_at, disabled_at";

fn dashboard_user_from(r: &Row<'_>) -> rusqlite::Result<DashboardUserRow> {
    Ok(DashboardUserRow {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        password_hash: r.get(3)?,
        role: r.get(4)?,
        commune_id: r.get(5)?,
        province_id: r.get(6)?,
        created_at: r.get(7)?,
        disabled_at: r.get(8)?,
    })
}

const WEB_SESSION_COLS: &str =
    "token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at";

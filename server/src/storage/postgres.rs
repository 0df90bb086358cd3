//! The PostgreSQL backend, for a province or more: several stateless server processes on
//! one database. Same tables, same schema versions and same behaviour as
//! [`super::sqlite`]; the same test suite runs against both (`CHIBO_TEST_DATABASE_URL`).
//!
//! # Isolation
//! Writes run SERIALIZABLE and are retried, with a short jittered back-off, after a
//! serialization failure or a deadlock. The modules above read, decide, then write (a
//! device's last applied sequence before its acks, a field's winning clock before the
//! document, a meeting's state before a check-in); SQLite's single writer makes that safe
//! for free, and SERIALIZABLE keeps it safe between concurrent processes without a
//! `FOR UPDATE` on every read. Server sequence numbers follow commit order: a second
//! writer of a scope waits on the counter row's lock, and once the first commits it
//! fails and starts again on a fresh snapshot, so a number is only taken once every
//! smaller one is committed and visible. Reads run REPEATABLE READ READ ONLY: one
//! snapshot, never blocked, never aborted.
//!
//! A failed statement aborts a PostgreSQL transaction (SQLite's goes on), so inserts
//! that may meet an existing key use `ON CONFLICT DO NOTHING` and report
//! [`StorageError::Conflict`] without aborting, and a transaction in which a statement
//! failed is never reported as committed.
//!
//! # Threads
//! The interface is synchronous and blocks, like SQLite's. The connections' sockets are
//! driven by tokio-postgres on one small background runtime of the process; a call sends
//! its request and parks its own thread until the answer is in. So it works on any
//! thread (`spawn_blocking`, as the handlers call it, a plain thread, or an async worker
//! like the admin CLI and the tests do) and never starts a runtime inside a runtime,
//! which is what the synchronous `postgres` crate would do (and panic).
//!
//! TLS is not compiled in: the URL may say `sslmode=disable` or `prefer` (loopback or a
//! private network); `sslmode=require` is refused with a clear message.

use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use pg::config::SslMode;
use pg::error::SqlState;
use pg::types::ToSql;
use pg::{Client, Config, IsolationLevel, NoTls, Row, Statement, Transaction};
use tokio_postgres as pg;

use super::*;

/// Versioned schema: `SCHEMA[n]` moves a database from version n to n+1, the same
/// versions as the SQLite backend's. Text is compared byte by byte (`COLLATE "C"`), as
/// SQLite does, whatever the database's locale: lists come out in the same order.
pub(crate) const SCHEMA: &[&str] = &[
    r#"
CREATE TABLE communes (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    province_id TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE persons (
    id TEXT COLLATE "C" PRIMARY KEY,
    commune_id TEXT COLLATE "C" NOT NULL REFERENCES communes(id),
    full_name TEXT COLLATE "C" NOT NULL,
    role TEXT COLLATE "C" NOT NULL,
    cell_id TEXT COLLATE "C",
    cadre_id TEXT COLLATE "C",
    created_at BIGINT NOT NULL
);
CREATE INDEX persons_commune ON persons (commune_id);
CREATE TABLE enrollment_codes (
    code_hash TEXT COLLATE "C" PRIMARY KEY,
    commune_id TEXT COLLATE "C" NOT NULL REFERENCES communes(id),
    person_id TEXT COLLATE "C" NOT NULL REFERENCES persons(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE TABLE devices (
    id TEXT COLLATE "C" PRIMARY KEY,
    commune_id TEXT COLLATE "C" NOT NULL REFERENCES communes(id),
    person_id TEXT COLLATE "C" NOT NULL REFERENCES persons(id),
    credential_hash TEXT COLLATE "C" NOT NULL UNIQUE,
    public_key_hex TEXT COLLATE "C" NOT NULL,
    label TEXT COLLATE "C" NOT NULL,
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
    device_id TEXT COLLATE "C" NOT NULL REFERENCES devices(id),
    device_seq BIGINT NOT NULL,
    outcome TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (device_id, device_seq)
);
CREATE TABLE scope_counters (
    commune_id TEXT COLLATE "C" NOT NULL REFERENCES communes(id),
    scope TEXT COLLATE "C" NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (commune_id, scope)
);
CREATE TABLE change_log (
    scope TEXT COLLATE "C" NOT NULL,
    server_seq BIGINT NOT NULL,
    commune_id TEXT COLLATE "C" NOT NULL REFERENCES communes(id),
    origin_device TEXT COLLATE "C",
    device_seq BIGINT,
    hlc TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    change TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (commune_id, scope, server_seq)
);
CREATE TABLE docs (
    commune_id TEXT COLLATE "C" NOT NULL REFERENCES communes(id),
    kind TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    cell_id TEXT COLLATE "C",
    ref_id TEXT COLLATE "C",
    at BIGINT,
    body TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (commune_id, kind, id)
);
CREATE INDEX docs_cell ON docs (commune_id, kind, cell_id);
CREATE INDEX docs_ref ON docs (commune_id, kind, ref_id);
CREATE TABLE entity_clocks (
    commune_id TEXT COLLATE "C" NOT NULL REFERENCES communes(id),
    key TEXT COLLATE "C" NOT NULL,
    hlc TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (commune_id, key)
);
CREATE TABLE presence_secrets (
    commune_id TEXT COLLATE "C" NOT NULL REFERENCES communes(id),
    meeting_id TEXT COLLATE "C" NOT NULL,
    secret_hex TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (commune_id, meeting_id)
);
CREATE TABLE blob_refs (
    commune_id TEXT COLLATE "C" NOT NULL REFERENCES communes(id),
    sha256 TEXT COLLATE "C" NOT NULL,
    cell_id TEXT COLLATE "C"
);
CREATE INDEX blob_refs_sha ON blob_refs (sha256);
"#,
    r#"
CREATE INDEX docs_at ON docs (commune_id, kind, at);
CREATE TABLE device_cursors (
    commune_id TEXT COLLATE "C" NOT NULL REFERENCES communes(id),
    scope TEXT COLLATE "C" NOT NULL,
    device_id TEXT COLLATE "C" NOT NULL,
    server_seq BIGINT NOT NULL,
    PRIMARY KEY (commune_id, scope, device_id)
);
CREATE TABLE dashboard_users (
    id TEXT COLLATE "C" PRIMARY KEY,
    username TEXT COLLATE "C" NOT NULL,
    username_key TEXT COLLATE "C" NOT NULL UNIQUE,
    display_name TEXT COLLATE "C" NOT NULL,
    password_hash TEXT COLLATE "C" NOT NULL,
    role TEXT COLLATE "C" NOT NULL,
    commune_id TEXT COLLATE "C" REFERENCES communes(id),
    province_id TEXT COLLATE "C",
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);
CREATE TABLE web_sessions (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES dashboard_users(id),
    csrf_token TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
CREATE TABLE sign_in_failures (
    username_key TEXT COLLATE "C" NOT NULL,
    client_ip TEXT COLLATE "C" NOT NULL,
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
    key TEXT COLLATE "C" PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL
);
CREATE INDEX attempt_limits_window ON attempt_limits (window_start);
CREATE TABLE blob_holders (
    commune_id TEXT COLLATE "C" NOT NULL,
    sha256 TEXT COLLATE "C" NOT NULL,
    device_id TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (commune_id, sha256, device_id)
);
"#,
    // Issue 14: the audit log of account, device and office actions.
    r#"
CREATE TABLE audit_log (
    seq BIGINT NOT NULL,
    commune_id TEXT COLLATE "C",
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

/// Connections per server process; PostgreSQL's default `max_connections` (100) leaves
/// room for several processes.
const POOL_SIZE: u32 = 16;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A write keeps retrying lost races for this long (or this many attempts), then the
/// request fails with [`StorageError::Retry`].
const RETRY_BUDGET: Duration = Duration::from_secs(20);
const MAX_ATTEMPTS: u32 = 100;
/// Advisory lock key that serialises the migrations of processes starting together
/// ("chibo" in ASCII).
const MIGRATION_LOCK: i64 = 0x63_6869_626f;
/// First key of the two-key advisory locks that queue a commune's writers ("cw"); the
/// second is the commune id's `hashtext` (a collision only queues two communes together).
const COMMUNE_WRITERS: i32 = 0x6377;

pub struct PostgresStorage {
    pool: r2d2::Pool<Manager>,
}

/// A pooled connection with the statements it has prepared: each SQL text is parsed
/// and planned once per connection, then only bound and executed (one round trip).
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl Conn {
    /// Runs one statement outside a transaction (prepared once per connection).
    fn run(&mut self, sql: &str, params: Params<'_>) -> StorageResult<()> {
        let statement = match self.statements.get(sql) {
            Some(statement) => statement.clone(),
            None => {
                let statement = wait(self.client.prepare(sql)).map_err(map_err)?;
                self.statements.insert(sql.to_owned(), statement.clone());
                statement
            }
        };
        wait(self.client.execute(&statement, params))
            .map(drop)
            .map_err(map_err)
    }
}

struct Manager {
    config: Config,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = StorageError;

    fn connect(&self) -> StorageResult<Conn> {
        Ok(Conn {
            client: connect(&self.config)?,
            statements: HashMap::new(),
        })
    }

    /// Run as the pool hands a connection out: it also drops any commune writer's lock a
    /// failed release left on it.
    fn is_valid(&self, conn: &mut Conn) -> StorageResult<()> {
        wait(conn.client.simple_query("SELECT pg_advisory_unlock_all()"))
            .map(drop)
            .map_err(map_err)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.client.is_closed()
    }
}

impl PostgresStorage {
    /// Connects to the database a `postgres://` URL names, brings its schema up to date
    /// and keeps a pool of connections.
    pub fn open(url: &str) -> StorageResult<PostgresStorage> {
        // The parser's message never repeats the URL (which may hold a password).
        let mut config: Config = url.parse().map_err(|e| {
            StorageError::Unavailable(format!("địa chỉ PostgreSQL không hợp lệ: {e}"))
        })?;
        if config.get_ssl_mode() == SslMode::Require {
            return Err(StorageError::Unavailable(
                "máy chủ này chưa hỗ trợ kết nối PostgreSQL qua TLS (sslmode=require); \
                 hãy dùng sslmode=disable trong mạng nội bộ"
                    .into(),
            ));
        }
        if config.get_application_name().is_none() {
            config.application_name("chibo-server");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let mut client = connect(&config)?;
        migrate(&mut client)?;
        drop(client);
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .connection_timeout(CONNECT_TIMEOUT)
            .build(Manager { config })
            .map_err(|e| {
                StorageError::Unavailable(format!("không kết nối được PostgreSQL: {e}"))
            })?;
        Ok(PostgresStorage { pool })
    }

    /// A write transaction, retried after a lost race; with `commune_id`, queued behind
    /// that commune's other writers by a session lock taken before BEGIN, so the
    /// snapshot is taken once the previous writer has committed.
    fn write(&self, commune_id: Option<&str>, f: TxFn<'_>) -> StorageResult<()> {
        let mut conn = self.conn()?;
        if let Some(commune_id) = commune_id {
            conn.run(
                "SELECT pg_advisory_lock($1, hashtext($2))",
                &[&COMMUNE_WRITERS, &commune_id],
            )?;
        }
        let started = Instant::now();
        let mut attempt = 0;
        let result = loop {
            attempt += 1;
            match run_tx(&mut conn, true, f) {
                Err(StorageError::Retry)
                    if attempt < MAX_ATTEMPTS && started.elapsed() < RETRY_BUDGET =>
                {
                    back_off(attempt);
                }
                other => break other,
            }
        };
        if let Some(commune_id) = commune_id {
            // Not released (the connection broke): a closed session holds no lock, and
            // the pool's check releases it on a live one.
            let _ = conn.run(
                "SELECT pg_advisory_unlock($1, hashtext($2))",
                &[&COMMUNE_WRITERS, &commune_id],
            );
        }
        result
    }

    fn conn(&self) -> StorageResult<r2d2::PooledConnection<Manager>> {
        self.pool
            .get()
            .map_err(|e| StorageError::Unavailable(format!("không lấy được kết nối: {e}")))
    }
}

/// The process's runtime for the connections' I/O: two threads that only move bytes.
fn io_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("chibo-postgres-io")
            .enable_all()
            .build()
            .expect("the PostgreSQL I/O runtime must start")
    })
}

/// Opens a connection; its socket is then driven on the I/O runtime until it closes.
fn connect(config: &Config) -> StorageResult<Client> {
    let config = config.clone();
    // A plain channel, not a JoinHandle: tokio's own futures may refuse to make progress
    // when polled by a blocked async task that has used up its budget.
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    io_runtime().spawn(async move {
        match config.connect(NoTls).await {
            Ok((client, connection)) => {
                let _ = sender.send(Ok(client));
                // Ends when the client is dropped or the server goes away; the client
                // then reports itself closed and the pool drops it.
                let _ = connection.await;
            }
            Err(e) => {
                let _ = sender.send(Err(e));
            }
        }
    });
    receiver
        .recv()
        .map_err(|_| StorageError::Unavailable("không mở được kết nối PostgreSQL".into()))?
        .map_err(map_err)
}

struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Waits for `future` by parking this thread. The future only waits on channels to the
/// I/O runtime, so this needs no runtime here and works on any thread.
fn wait<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => std::thread::park(),
        }
    }
}

/// For test suites: creates an empty database (`t_<random>`) on the server `base_url`
/// names and returns the URL of the new database, so that tests run in parallel each on
/// their own. The role in `base_url` needs CREATEDB. Nothing drops it: point it at a
/// throwaway cluster (tests/lib/postgres.sh makes one).
pub fn fresh_test_database(base_url: &str) -> StorageResult<String> {
    let (server, query) = match base_url.split_once('?') {
        Some((server, query)) => (server, Some(query)),
        None => (base_url, None),
    };
    let authority_end = server
        .find("://")
        .map(|scheme| scheme + 3)
        .and_then(|start| server[start..].find('/').map(|slash| start + slash))
        .unwrap_or(server.len());
    let mut random = [0u8; 8];
    getrandom::fill(&mut random)
        .map_err(|e| StorageError::Unavailable(format!("không sinh được tên: {e}")))?;
    let name = format!("t_{}", hex::encode(random));
    let config: Config = base_url
        .parse()
        .map_err(|e| StorageError::Unavailable(format!("địa chỉ PostgreSQL không hợp lệ: {e}")))?;
    let client = connect(&config)?;
    wait(client.batch_execute(&format!("CREATE DATABASE {name}"))).map_err(map_err)?;
    let mut url = format!("{}/{name}", &server[..authority_end]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    Ok(url)
}

fn migrate(client: &mut Client) -> StorageResult<()> {
    // Several processes may start at once against one database: one migrates, the
    // others wait and then find nothing to do. A session lock: freed if we die.
    wait(client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])).map_err(map_err)?;
    let result = migrate_locked(client);
    let unlocked =
        wait(client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])).map_err(map_err);
    result.and(unlocked.map(drop))
}

fn migrate_locked(client: &mut Client) -> StorageResult<()> {
    wait(
        client
            .batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"),
    )
    .map_err(map_err)?;
    let stored =
        wait(client.query_opt("SELECT version FROM schema_version", &[])).map_err(map_err)?;
    let version = match stored {
        Some(row) => get::<i32>(&row, 0)?,
        None => {
            wait(client.execute("INSERT INTO schema_version (version) VALUES (0)", &[]))
                .map_err(map_err)?;
            0
        }
    };
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > SCHEMA.len() {
        return Err(StorageError::Corrupt(format!(
            "cơ sở dữ liệu phiên bản {version} mới hơn máy chủ này (phiên bản {})",
            SCHEMA.len()
        )));
    }
    for (n, step) in SCHEMA.iter().enumerate().skip(version) {
        let next = i32::try_from(n + 1).unwrap_or(i32::MAX);
        let tx = wait(client.transaction()).map_err(map_err)?;
        wait(tx.batch_execute(step)).map_err(map_err)?;
        wait(tx.execute("UPDATE schema_version SET version = $1", &[&next])).map_err(map_err)?;
        wait(tx.commit()).map_err(map_err)?;
    }
    Ok(())
}

fn map_err(e: pg::Error) -> StorageError {
    if let Some(code) = e.code() {
        if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
        {
            return StorageError::Retry;
        }
        // Class 23: integrity constraint violations.
        if code.code().starts_with("23") {
            return StorageError::Conflict(e.to_string());
        }
    }
    StorageError::Unavailable(e.to_string())
}

/// Column `i` of a row, or `Corrupt` when it does not hold a `T`.
fn get<'r, T: pg::types::FromSql<'r>>(row: &'r Row, i: usize) -> StorageResult<T> {
    row.try_get(i)
        .map_err(|e| StorageError::Corrupt(format!("cột {i}: {e}")))
}

fn get_u64(row: &Row, i: usize) -> StorageResult<u64> {
    let v: i64 = get(row, i)?;
    u64::try_from(v).map_err(|_| StorageError::Corrupt(format!("cột {i}: số âm {v}")))
}

fn to_i64(v: u64) -> StorageResult<i64> {
    i64::try_from(v).map_err(|_| StorageError::Conflict(format!("số thứ tự quá lớn: {v}")))
}

/// Jittered exponential back-off before attempt `attempt + 1`: 1–2 ms, then up to 64 ms.
fn back_off(attempt: u32) {
    let ceiling = 1u64 << attempt.min(6);
    let jitter = getrandom::u64().unwrap_or(0) % ceiling;
    std::thread::sleep(Duration::from_millis(ceiling / 2 + jitter / 2 + 1));
}

/// Runs `f` in one transaction on `conn`; commits (or, read-only, rolls back) on `Ok`.
fn run_tx(conn: &mut Conn, write: bool, f: TxFn<'_>) -> StorageResult<()> {
    let Conn { client, statements } = conn;
    let tx = wait(
        client
            .build_transaction()
            .isolation_level(if write {
                IsolationLevel::Serializable
            } else {
                IsolationLevel::RepeatableRead
            })
            .read_only(!write)
            .start(),
    )
    .map_err(map_err)?;
    let mut handle = PgTx {
        tx: &tx,
        statements,
        failure: None,
    };
    // On `Err` the transaction is dropped, which rolls it back.
    f(&mut handle)?;
    if let Some(failure) = handle.failure {
        // The closure went on after a failed statement: PostgreSQL has already aborted
        // the transaction, and COMMIT would silently roll it back.
        return Err(failure.into_error());
    }
    if write {
        wait(tx.commit()).map_err(map_err)
    } else {
        wait(tx.rollback()).map_err(map_err)
    }
}

impl Storage for PostgresStorage {
    fn read_tx(&self, f: TxFn<'_>) -> StorageResult<()> {
        let mut conn = self.conn()?;
        run_tx(&mut conn, false, f)
    }

    fn write_tx(&self, f: TxFn<'_>) -> StorageResult<()> {
        self.write(None, f)
    }

    fn commune_write_tx(&self, commune_id: &str, f: TxFn<'_>) -> StorageResult<()> {
        self.write(Some(commune_id), f)
    }

    fn backend_name(&self) -> &'static str {
        "postgres"
    }
}

/// What went wrong with an earlier statement of the transaction.
#[derive(Clone, Copy)]
enum Failure {
    Retry,
    Other,
}

impl Failure {
    fn into_error(self) -> StorageError {
        match self {
            Failure::Retry => StorageError::Retry,
            Failure::Other => {
                StorageError::Unavailable("giao dịch đã bị hủy vì một lệnh trước đó lỗi".into())
            }
        }
    }
}

struct PgTx<'t, 'c> {
    tx: &'t Transaction<'c>,
    statements: &'t mut HashMap<String, Statement>,
    failure: Option<Failure>,
}

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

impl PgTx<'_, '_> {
    fn failed(&mut self, e: pg::Error) -> StorageError {
        let error = map_err(e);
        self.failure.get_or_insert(match error {
            StorageError::Retry => Failure::Retry,
            _ => Failure::Other,
        });
        error
    }

    fn statement(&mut self, sql: &str) -> StorageResult<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let tx = self.tx;
        match wait(tx.prepare(sql)) {
            Ok(statement) => {
                self.statements.insert(sql.to_owned(), statement.clone());
                Ok(statement)
            }
            Err(e) => Err(self.failed(e)),
        }
    }

    fn query(&mut self, sql: &str, params: Params<'_>) -> StorageResult<Vec<Row>> {
        let statement = self.statement(sql)?;
        let tx = self.tx;
        wait(tx.query(&statement, params)).map_err(|e| self.failed(e))
    }

    fn query_opt(&mut self, sql: &str, params: Params<'_>) -> StorageResult<Option<Row>> {
        let statement = self.statement(sql)?;
        let tx = self.tx;
        wait(tx.query_opt(&statement, params)).map_err(|e| self.failed(e))
    }

    fn execute(&mut self, sql: &str, params: Params<'_>) -> StorageResult<u64> {
        let statement = self.statement(sql)?;
        let tx = self.tx;
        wait(tx.execute(&statement, params)).map_err(|e| self.failed(e))
    }

    /// An `INSERT … ON CONFLICT DO NOTHING`: `Conflict` when the key already existed.
    /// The transaction stays usable, as SQLite's does after a constraint error.
    fn insert(&mut self, what: &str, sql: &str, params: Params<'_>) -> StorageResult<()> {
        match self.execute(sql, params)? {
            0 => Err(StorageError::Conflict(format!("{what}: khóa đã tồn tại"))),
            _ => Ok(()),
        }
    }

    fn all<T>(
        &mut self,
        sql: &str,
        params: Params<'_>,
        map: impl Fn(&Row) -> StorageResult<T>,
    ) -> StorageResult<Vec<T>> {
        self.query(sql, params)?.iter().map(map).collect()
    }

    fn one<T>(
        &mut self,
        sql: &str,
        params: Params<'_>,
        map: impl FnOnce(&Row) -> StorageResult<T>,
    ) -> StorageResult<Option<T>> {
        self.query_opt(sql, params)?.as_ref().map(map).transpose()
    }
}

fn commune_from(r: &Row) -> StorageResult<CommuneRow> {
    Ok(CommuneRow {
        id: get(r, 0)?,
        name: get(r, 1)?,
        province_id: get(r, 2)?,
        created_at: get(r, 3)?,
    })
}

fn person_from(r: &Row) -> StorageResult<PersonRow> {
    Ok(PersonRow {
        id: get(r, 0)?,
        commune_id: get(r, 1)?,
        full_name: get(r, 2)?,
        role: get(r, 3)?,
        cell_id: get(r, 4)?,
        cadre_id: get(r, 5)?,
        created_at: get(r, 6)?,
    })
}

fn device_from(r: &Row) -> StorageResult<DeviceRow> {
    Ok(DeviceRow {
        id: get(r, 0)?,
        commune_id: get(r, 1)?,
        person_id: get(r, 2)?,
        credential_hash: get(r, 3)?,
        public_key_hex: get(r, 4)?,
        label: get(r, 5)?,
        enrolled_at: get(r, 6)?,
        revoked_at: get(r, 7)?,
        last_sync_at: get(r, 8)?,
        last_applied_seq: get_u64(r, 9)?,
        clock_ahead_ms: get(r, 10)?,
        clock_flagged_at: get(r, 11)?,
        key_protection: get(r, 12)?,
    })
}

fn log_from(r: &Row) -> StorageResult<LogRow> {
    let device_seq: Option<i64> = get(r, 4)?;
    Ok(LogRow {
        scope: get(r, 0)?,
        server_seq: get_u64(r, 1)?,
        commune_id: get(r, 2)?,
        origin_device: get(r, 3)?,
        device_seq: match device_seq {
            Some(_) => Some(get_u64(r, 4)?),
            None => None,
        },
        hlc: get(r, 5)?,
        created_at: get(r, 6)?,
        received_at: get(r, 7)?,
        change_json: get(r, 8)?,
    })
}

fn doc_from(r: &Row) -> StorageResult<DocRow> {
    Ok(DocRow {
        commune_id: get(r, 0)?,
        kind: get(r, 1)?,
        id: get(r, 2)?,
        cell_id: get(r, 3)?,
        ref_id: get(r, 4)?,
        at: get(r, 5)?,
        body_json: get(r, 6)?,
    })
}

fn text_from(r: &Row) -> StorageResult<String> {
    get(r, 0)
}

// The column lists the row readers above expect, in order.
macro_rules! person_cols {
    () => {
        "id, commune_id, full_name, role, cell_id, cadre_id, created_at"
    };
}
macro_rules! device_cols {
    () => {
        "id, commune_id, person_id, credential_hash, public_key_hex, label, enrolled_at, \
         revoked_at, last_sync_at, last_applied_seq, clock_ahead_ms, clock_flagged_at, key_protection"
    };
}
macro_rules! log_cols {
    () => {
        "scope, server_seq, commune_id, origin_device, device_seq, hlc, created_at, \
         received_at, change"
    };
}
macro_rules! dashboard_user_cols {
    () => {
        "id, username, display_name, password_hash, role, commune_id, province_id, \
         created_at, disabled_at"
    };
}
macro_rules! doc_cols {
    () => {
        "commune_id, kind, id, cell_id, ref_id, at, body"
    };
}

impl Tx for PgTx<'_, '_> {
    fn insert_commune(&mut self, c: &CommuneRow) -> StorageResult<()> {
        self.insert(
            "communes",
            "INSERT INTO communes (id, name, province_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            &[&c.id, &c.name, &c.province_id, &c.created_at],
        )
    }

    fn commune(&mut self, id: &str) -> StorageResult<Option<CommuneRow>> {
        self.one(
            "SELECT id, name, province_id, created_at FROM communes WHERE id = $1",
            &[&id],
            commune_from,
        )
    }

    fn communes(&mut self) -> StorageResult<Vec<CommuneRow>> {
        self.all(
            "SELECT id, name, province_id, created_at FROM communes ORDER BY name, id",
            &[],
            commune_from,
        )
    }

    fn insert_person(&mut self, p: &PersonRow) -> StorageResult<()> {
        self.insert(
            "persons",
            concat!(
                "INSERT INTO persons (",
                person_cols!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"
            ),
            &[
                &p.id,
                &p.commune_id,
                &p.full_name,
                &p.role,
                &p.cell_id,
                &p.cadre_id,
                &p.created_at,
            ],
        )
    }

    fn person(&mut self, id: &str) -> StorageResult<Option<PersonRow>> {
        self.one(
            concat!("SELECT ", person_cols!(), " FROM persons WHERE id = $1"),
            &[&id],
            person_from,
        )
    }

    fn persons(&mut self, commune_id: &str) -> StorageResult<Vec<PersonRow>> {
        self.all(
            concat!(
                "SELECT ",
                person_cols!(),
                " FROM persons WHERE commune_id = $1 ORDER BY full_name, id"
            ),
            &[&commune_id],
            person_from,
        )
    }

    fn insert_enrollment_code(&mut self, c: &EnrollmentCodeRow) -> StorageResult<()> {
        self.insert(
            "enrollment_codes",
            "INSERT INTO enrollment_codes (code_hash, commune_id, person_id, created_at,
                                           expires_at, used_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            &[
                &c.code_hash,
                &c.commune_id,
                &c.person_id,
                &c.created_at,
                &c.expires_at,
                &c.used_at,
            ],
        )
    }

    fn enrollment_code(&mut self, code_hash: &str) -> StorageResult<Option<EnrollmentCodeRow>> {
        self.one(
            "SELECT code_hash, commune_id, person_id, created_at, expires_at, used_at
             FROM enrollment_codes WHERE code_hash = $1",
            &[&code_hash],
            |r| {
                Ok(EnrollmentCodeRow {
                    code_hash: get(r, 0)?,
                    commune_id: get(r, 1)?,
                    person_id: get(r, 2)?,
                    created_at: get(r, 3)?,
                    expires_at: get(r, 4)?,
                    used_at: get(r, 5)?,
                })
            },
        )
    }

    fn use_enrollment_code(&mut self, code_hash: &str, at: EpochMillis) -> StorageResult<bool> {
        self.execute(
            "UPDATE enrollment_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL",
            &[&code_hash, &at],
        )
        .map(|n| n == 1)
    }

    fn insert_device(&mut self, d: &DeviceRow) -> StorageResult<()> {
        self.insert(
            "devices",
            concat!(
                "INSERT INTO devices (",
                device_cols!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 ON CONFLICT DO NOTHING"
            ),
            &[
                &d.id,
                &d.commune_id,
                &d.person_id,
                &d.credential_hash,
                &d.public_key_hex,
                &d.label,
                &d.enrolled_at,
                &d.revoked_at,
                &d.last_sync_at,
                &to_i64(d.last_applied_seq)?,
                &d.clock_ahead_ms,
                &d.clock_flagged_at,
                &d.key_protection,
            ],
        )
    }

    fn device(&mut self, id: &str) -> StorageResult<Option<DeviceRow>> {
        self.one(
            concat!("SELECT ", device_cols!(), " FROM devices WHERE id = $1"),
            &[&id],
            device_from,
        )
    }

    fn device_by_credential(&mut self, credential_hash: &str) -> StorageResult<Option<DeviceRow>> {
        self.one(
            concat!(
                "SELECT ",
                device_cols!(),
                " FROM devices WHERE credential_hash = $1"
            ),
            &[&credential_hash],
            device_from,
        )
    }

    fn replace_device_credential(&mut self, id: &str, credential_hash: &str) -> StorageResult<()> {
        self.execute(
            "UPDATE devices SET credential_hash = $2 WHERE id = $1",
            &[&id, &credential_hash],
        )
        .map(drop)
    }

    fn devices(&mut self, commune_id: &str) -> StorageResult<Vec<DeviceRow>> {
        self.all(
            concat!(
                "SELECT ",
                device_cols!(),
                " FROM devices WHERE commune_id = $1 ORDER BY enrolled_at, id"
            ),
            &[&commune_id],
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
             WHERE d.commune_id = $1 AND p.commune_id = $1 AND p.role = 'cadre'
               AND p.cadre_id = $2 AND d.revoked_at IS NULL
             ORDER BY d.enrolled_at, d.id",
            &[&commune_id, &cadre_id],
            text_from,
        )
    }

    fn revoke_device(
        &mut self,
        commune_id: &str,
        id: &str,
        at: EpochMillis,
    ) -> StorageResult<bool> {
        self.execute(
            "UPDATE devices SET revoked_at = $3
             WHERE commune_id = $1 AND id = $2 AND revoked_at IS NULL",
            &[&commune_id, &id, &at],
        )
        .map(|n| n == 1)
    }

    fn update_device_sync(
        &mut self,
        id: &str,
        last_applied_seq: u64,
        last_sync_at: EpochMillis,
    ) -> StorageResult<()> {
        self.execute(
            "UPDATE devices SET last_applied_seq = $2, last_sync_at = $3 WHERE id = $1",
            &[&id, &to_i64(last_applied_seq)?, &last_sync_at],
        )
        .map(drop)
    }

    fn flag_device_clock(&mut self, id: &str, ahead_ms: i64, at: EpochMillis) -> StorageResult<()> {
        self.execute(
            "UPDATE devices SET clock_ahead_ms = $2, clock_flagged_at = $3 WHERE id = $1",
            &[&id, &ahead_ms, &at],
        )
        .map(drop)
    }

    fn ack(&mut self, device_id: &str, device_seq: u64) -> StorageResult<Option<String>> {
        self.one(
            "SELECT outcome FROM acks WHERE device_id = $1 AND device_seq = $2",
            &[&device_id, &to_i64(device_seq)?],
            text_from,
        )
    }

    fn insert_acks(&mut self, device_id: &str, acks: &[(u64, String)]) -> StorageResult<()> {
        if acks.is_empty() {
            return Ok(());
        }
        let seqs: Vec<i64> = acks
            .iter()
            .map(|(seq, _)| to_i64(*seq))
            .collect::<StorageResult<_>>()?;
        let outcomes: Vec<&str> = acks.iter().map(|(_, o)| o.as_str()).collect();
        let written = self.execute(
            "INSERT INTO acks (device_id, device_seq, outcome)
             SELECT $1, s, o FROM UNNEST($2::bigint[], $3::text[]) AS t(s, o)
             ON CONFLICT DO NOTHING",
            &[&device_id, &seqs, &outcomes],
        )?;
        if written as usize != acks.len() {
            return Err(StorageError::Conflict("acks: khóa đã tồn tại".into()));
        }
        Ok(())
    }

    fn insert_ack(&mut self, device_id: &str, device_seq: u64, outcome: &str) -> StorageResult<()> {
        self.insert(
            "acks",
            "INSERT INTO acks (device_id, device_seq, outcome) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&device_id, &to_i64(device_seq)?, &outcome],
        )
    }

    fn next_server_seq(&mut self, commune_id: &str, scope: &str) -> StorageResult<u64> {
        // The row stays locked until commit: see the module documentation.
        let row = self.query_opt(
            "INSERT INTO scope_counters (commune_id, scope, last_seq) VALUES ($1, $2, 1)
             ON CONFLICT (commune_id, scope) DO UPDATE SET last_seq = scope_counters.last_seq + 1
             RETURNING last_seq",
            &[&commune_id, &scope],
        )?;
        let row = row.ok_or_else(|| StorageError::Corrupt("không cấp được số thứ tự".into()))?;
        get_u64(&row, 0)
    }

    fn reserve_server_seqs(
        &mut self,
        commune_id: &str,
        scope: &str,
        count: u64,
    ) -> StorageResult<u64> {
        // The row stays locked until commit: see the module documentation.
        let count = to_i64(count.max(1))?;
        let row = self.query_opt(
            "INSERT INTO scope_counters (commune_id, scope, last_seq) VALUES ($1, $2, $3)
             ON CONFLICT (commune_id, scope)
             DO UPDATE SET last_seq = scope_counters.last_seq + EXCLUDED.last_seq
             RETURNING last_seq",
            &[&commune_id, &scope, &count],
        )?;
        let row = row.ok_or_else(|| StorageError::Corrupt("không cấp được số thứ tự".into()))?;
        Ok(get_u64(&row, 0)? + 1 - count as u64)
    }

    fn append_logs(&mut self, rows: &[LogRow]) -> StorageResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let scope: Vec<&str> = rows.iter().map(|l| l.scope.as_str()).collect();
        let seq: Vec<i64> = rows
            .iter()
            .map(|l| to_i64(l.server_seq))
            .collect::<StorageResult<_>>()?;
        let commune: Vec<&str> = rows.iter().map(|l| l.commune_id.as_str()).collect();
        let origin: Vec<Option<&str>> = rows.iter().map(|l| l.origin_device.as_deref()).collect();
        let device_seq: Vec<Option<i64>> = rows
            .iter()
            .map(|l| l.device_seq.map(to_i64).transpose())
            .collect::<StorageResult<_>>()?;
        let hlc: Vec<&str> = rows.iter().map(|l| l.hlc.as_str()).collect();
        let created: Vec<i64> = rows.iter().map(|l| l.created_at).collect();
        let received: Vec<i64> = rows.iter().map(|l| l.received_at).collect();
        let change: Vec<&str> = rows.iter().map(|l| l.change_json.as_str()).collect();
        let written = self.execute(
            concat!(
                "INSERT INTO change_log (",
                log_cols!(),
                ") SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], \
                 $5::bigint[], $6::text[], $7::bigint[], $8::bigint[], $9::text[]) \
                 ON CONFLICT DO NOTHING"
            ),
            &[
                &scope,
                &seq,
                &commune,
                &origin,
                &device_seq,
                &hlc,
                &created,
                &received,
                &change,
            ],
        )?;
        if written as usize != rows.len() {
            return Err(StorageError::Conflict("change_log: khóa đã tồn tại".into()));
        }
        Ok(())
    }

    fn append_log(&mut self, l: &LogRow) -> StorageResult<()> {
        self.insert(
            "change_log",
            concat!(
                "INSERT INTO change_log (",
                log_cols!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING"
            ),
            &[
                &l.scope,
                &to_i64(l.server_seq)?,
                &l.commune_id,
                &l.origin_device,
                &l.device_seq.map(to_i64).transpose()?,
                &l.hlc,
                &l.created_at,
                &l.received_at,
                &l.change_json,
            ],
        )
    }

    fn log_page(
        &mut self,
        commune_id: &str,
        scope: &str,
        after: u64,
        limit: u32,
    ) -> StorageResult<Vec<LogRow>> {
        self.all(
            concat!(
                "SELECT ",
                log_cols!(),
                " FROM change_log WHERE commune_id = $1 AND scope = $2 AND server_seq > $3
                 ORDER BY server_seq LIMIT $4"
            ),
            &[&commune_id, &scope, &to_i64(after)?, &i64::from(limit)],
            log_from,
        )
    }

    fn put_docs(&mut self, docs: &[DocRow]) -> StorageResult<()> {
        if docs.is_empty() {
            return Ok(());
        }
        let commune: Vec<&str> = docs.iter().map(|d| d.commune_id.as_str()).collect();
        let kind: Vec<&str> = docs.iter().map(|d| d.kind.as_str()).collect();
        let id: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        let cell: Vec<Option<&str>> = docs.iter().map(|d| d.cell_id.as_deref()).collect();
        let reference: Vec<Option<&str>> = docs.iter().map(|d| d.ref_id.as_deref()).collect();
        let at: Vec<Option<i64>> = docs.iter().map(|d| d.at).collect();
        let body: Vec<&str> = docs.iter().map(|d| d.body_json.as_str()).collect();
        self.execute(
            concat!(
                "INSERT INTO docs (",
                doc_cols!(),
                ") SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], \
                 $5::text[], $6::bigint[], $7::text[]) \
                 ON CONFLICT (commune_id, kind, id) DO UPDATE SET cell_id = EXCLUDED.cell_id, \
                   ref_id = EXCLUDED.ref_id, at = EXCLUDED.at, body = EXCLUDED.body"
            ),
            &[&commune, &kind, &id, &cell, &reference, &at, &body],
        )
        .map(drop)
    }

    fn put_doc(&mut self, d: &DocRow) -> StorageResult<()> {
        self.execute(
            concat!(
                "INSERT INTO docs (",
                doc_cols!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (commune_id, kind, id) DO UPDATE SET cell_id = EXCLUDED.cell_id,
                   ref_id = EXCLUDED.ref_id, at = EXCLUDED.at, body = EXCLUDED.body"
            ),
            &[
                &d.commune_id,
                &d.kind,
                &d.id,
                &d.cell_id,
                &d.ref_id,
                &d.at,
                &d.body_json,
            ],
        )
        .map(drop)
    }

    fn delete_doc(&mut self, commune_id: &str, kind: &str, id: &str) -> StorageResult<()> {
        self.execute(
            "DELETE FROM docs WHERE commune_id = $1 AND kind = $2 AND id = $3",
            &[&commune_id, &kind, &id],
        )
        .map(drop)
    }

    fn doc(&mut self, commune_id: &str, kind: &str, id: &str) -> StorageResult<Option<DocRow>> {
        self.one(
            concat!(
                "SELECT ",
                doc_cols!(),
                " FROM docs WHERE commune_id = $1 AND kind = $2 AND id = $3"
            ),
            &[&commune_id, &kind, &id],
            doc_from,
        )
    }

    fn docs(
        &mut self,
        commune_id: &str,
        kind: &str,
        filter: &DocFilter,
    ) -> StorageResult<Vec<DocRow>> {
        // Only the filters given go into the statement: one prepared statement per
        // combination, each with a plan that uses its index (a generic `$3 IS NULL OR
        // cell_id = $3` plan would not).
        let mut sql = String::from(concat!(
            "SELECT ",
            doc_cols!(),
            " FROM docs WHERE commune_id = $1 AND kind = $2"
        ));
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&commune_id, &kind];
        let conditions: [(&str, Option<&(dyn ToSql + Sync)>); 4] = [
            ("cell_id =", filter.cell_id.as_ref().map(|v| v as _)),
            ("ref_id =", filter.ref_id.as_ref().map(|v| v as _)),
            ("at >=", filter.at_from.as_ref().map(|v| v as _)),
            ("at <", filter.at_until.as_ref().map(|v| v as _)),
        ];
        for (condition, value) in conditions {
            if let Some(value) = value {
                params.push(value);
                sql += &format!(" AND {condition} ${}", params.len());
            }
        }
        sql += " ORDER BY at NULLS FIRST, id";
        self.all(&sql, &params, doc_from)
    }

    fn entity_clock(&mut self, commune_id: &str, key: &str) -> StorageResult<Option<String>> {
        self.one(
            "SELECT hlc FROM entity_clocks WHERE commune_id = $1 AND key = $2",
            &[&commune_id, &key],
            text_from,
        )
    }

    fn set_entity_clock(&mut self, commune_id: &str, key: &str, hlc: &str) -> StorageResult<()> {
        self.execute(
            "INSERT INTO entity_clocks (commune_id, key, hlc) VALUES ($1, $2, $3)
             ON CONFLICT (commune_id, key) DO UPDATE SET hlc = EXCLUDED.hlc",
            &[&commune_id, &key, &hlc],
        )
        .map(drop)
    }

    // The batch forms below are one statement each, whatever the number of rows (arrays
    // through UNNEST): a round trip to the database costs more than the rows.

    fn entity_clocks(
        &mut self,
        commune_id: &str,
        keys: &[String],
    ) -> StorageResult<Vec<(String, String)>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        self.all(
            "SELECT key, hlc FROM entity_clocks WHERE commune_id = $1 AND key = ANY($2)",
            &[&commune_id, &keys],
            |r| Ok((get(r, 0)?, get(r, 1)?)),
        )
    }

    fn set_entity_clocks(
        &mut self,
        commune_id: &str,
        clocks: &[(String, String)],
    ) -> StorageResult<()> {
        if clocks.is_empty() {
            return Ok(());
        }
        let keys: Vec<&str> = clocks.iter().map(|(k, _)| k.as_str()).collect();
        let hlcs: Vec<&str> = clocks.iter().map(|(_, h)| h.as_str()).collect();
        self.execute(
            "INSERT INTO entity_clocks (commune_id, key, hlc)
             SELECT $1, k, h FROM UNNEST($2::text[], $3::text[]) AS t(k, h)
             ON CONFLICT (commune_id, key) DO UPDATE SET hlc = EXCLUDED.hlc",
            &[&commune_id, &keys, &hlcs],
        )
        .map(drop)
    }

    fn presence_secret(
        &mut self,
        commune_id: &str,
        meeting_id: &str,
    ) -> StorageResult<Option<String>> {
        self.one(
            "SELECT secret_hex FROM presence_secrets WHERE commune_id = $1 AND meeting_id = $2",
            &[&commune_id, &meeting_id],
            text_from,
        )
    }

    fn insert_presence_secret(
        &mut self,
        commune_id: &str,
        meeting_id: &str,
        secret_hex: &str,
        at: EpochMillis,
    ) -> StorageResult<()> {
        self.insert(
            "presence_secrets",
            "INSERT INTO presence_secrets (commune_id, meeting_id, secret_hex, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[&commune_id, &meeting_id, &secret_hex, &at],
        )
    }

    fn add_blob_ref(&mut self, b: &BlobRef) -> StorageResult<()> {
        self.execute(
            "INSERT INTO blob_refs (commune_id, sha256, cell_id)
             SELECT $1::text, $2::text, $3::text WHERE NOT EXISTS (
               SELECT 1 FROM blob_refs WHERE commune_id = $1 AND sha256 = $2
                 AND cell_id IS NOT DISTINCT FROM $3)",
            &[&b.commune_id, &b.sha256, &b.cell_id],
        )
        .map(drop)
    }

    fn blob_refs(&mut self, sha256: &str) -> StorageResult<Vec<BlobRef>> {
        // NULLS FIRST: SQLite's order for the commune-wide references.
        self.all(
            "SELECT commune_id, sha256, cell_id FROM blob_refs WHERE sha256 = $1
             ORDER BY commune_id, cell_id NULLS FIRST",
            &[&sha256],
            |r| {
                Ok(BlobRef {
                    commune_id: get(r, 0)?,
                    sha256: get(r, 1)?,
                    cell_id: get(r, 2)?,
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
        self.execute(
            "INSERT INTO device_cursors (commune_id, scope, device_id, server_seq)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (commune_id, scope, device_id) DO UPDATE
               SET server_seq = EXCLUDED.server_seq
               WHERE EXCLUDED.server_seq > device_cursors.server_seq",
            &[&commune_id, &scope, &device_id, &to_i64(server_seq)?],
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
             WHERE commune_id = $1 AND scope = $2 ORDER BY device_id",
            &[&commune_id, &scope],
            |r| Ok((get(r, 0)?, get_u64(r, 1)?)),
        )
    }

    fn insert_dashboard_user(&mut self, u: &DashboardUserRow) -> StorageResult<()> {
        self.insert(
            "dashboard_users",
            concat!(
                "INSERT INTO dashboard_users (",
                dashboard_user_cols!(),
                ", username_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT DO NOTHING"
            ),
            &[
                &u.id,
                &u.username,
                &u.display_name,
                &u.password_hash,
                &u.role,
                &u.commune_id,
                &u.province_id,
                &u.created_at,
                &u.disabled_at,
                &username_key(&u.username),
            ],
        )
    }

    fn dashboard_user(&mut self, id: &str) -> StorageResult<Option<DashboardUserRow>> {
        self.one(
            concat!(
                "SELECT ",
                dashboard_user_cols!(),
                " FROM dashboard_users WHERE id = $1"
            ),
            &[&id],
            dashboard_user_from,
        )
    }

    fn dashboard_user_by_username(
        &mut self,
        username: &str,
    ) -> StorageResult<Option<DashboardUserRow>> {
        self.one(
            concat!(
                "SELECT ",
                dashboard_user_cols!(),
                " FROM dashboard_users WHERE username_key = $1"
            ),
            &[&username_key(username)],
            dashboard_user_from,
        )
    }

    fn dashboard_users(&mut self) -> StorageResult<Vec<DashboardUserRow>> {
        self.all(
            concat!(
                "SELECT ",
                dashboard_user_cols!(),
                " FROM dashboard_users ORDER BY username_key, id"
            ),
            &[],
            dashboard_user_from,
        )
    }

    fn update_dashboard_user(&mut self, u: &DashboardUserRow) -> StorageResult<()> {
        self.execute(
            "UPDATE dashboard_users SET display_name = $2, password_hash = $3, disabled_at = $4
             WHERE id = $1",
            &[&u.id, &u.display_name, &u.password_hash, &u.disabled_at],
        )
        .map(drop)
    }

    fn insert_web_session(&mut self, w: &WebSessionRow) -> StorageResult<()> {
        self.insert(
            "web_sessions",
            "INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, expires_at,
                                       last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            &[
                &w.token_hash,
                &w.user_id,
                &w.csrf_token,
                &w.created_at,
                &w.expires_at,
                &w.last_seen_at,
            ],
        )
    }

    fn web_session(&mut self, token_hash: &str) -> StorageResult<Option<WebSessionRow>> {
        self.one(
            "SELECT token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at
             FROM web_sessions WHERE token_hash = $1",
            &[&token_hash],
            |r| {
                Ok(WebSessionRow {
                    token_hash: get(r, 0)?,
                    user_id: get(r, 1)?,
                    csrf_token: get(r, 2)?,
                    created_at: get(r, 3)?,
                    expires_at: get(r, 4)?,
                    last_seen_at: get(r, 5)?,
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
        self.execute(
            "UPDATE web_sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1",
            &[&token_hash, &last_seen_at, &expires_at],
        )
        .map(drop)
    }

    fn delete_web_session(&mut self, token_hash: &str) -> StorageResult<()> {
        self.execute(
            "DELETE FROM web_sessions WHERE token_hash = $1",
            &[&token_hash],
        )
        .map(drop)
    }

    fn delete_web_sessions_of(&mut self, user_id: &str, keep: Option<&str>) -> StorageResult<()> {
        self.execute(
            "DELETE FROM web_sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2",
            &[&user_id, &keep],
        )
        .map(drop)
    }

    fn delete_expired_web_sessions(&mut self, now: EpochMillis) -> StorageResult<()> {
        self.execute("DELETE FROM web_sessions WHERE expires_at <= $1", &[&now])
            .map(drop)
    }

    fn insert_sign_in_failure(
        &mut self,
        username_key: &str,
        client_ip: &str,
        at: EpochMillis,
    ) -> StorageResult<()> {
        self.execute(
            "INSERT INTO sign_in_failures (username_key, client_ip, at) VALUES ($1, $2, $3)",
            &[&username_key, &client_ip, &at],
        )
        .map(drop)
    }

    fn sign_in_failures(
        &mut self,
        username_key: &str,
        client_ip: &str,
        since: EpochMillis,
    ) -> StorageResult<(u64, u64)> {
        let by_user = self
            .one(
                "SELECT COUNT(*) FROM sign_in_failures WHERE username_key = $1 AND at >= $2",
                &[&username_key, &since],
                |r| get_u64(r, 0),
            )?
            .unwrap_or(0);
        let by_ip = self
            .one(
                "SELECT COUNT(*) FROM sign_in_failures WHERE client_ip = $1 AND at >= $2",
                &[&client_ip, &since],
                |r| get_u64(r, 0),
            )?
            .unwrap_or(0);
        Ok((by_user, by_ip))
    }

    fn delete_sign_in_failures_before(&mut self, before: EpochMillis) -> StorageResult<()> {
        self.execute("DELETE FROM sign_in_failures WHERE at < $1", &[&before])
            .map(drop)
    }

    fn take_attempt(
        &mut self,
        key: &str,
        now: EpochMillis,
        window_start_before: EpochMillis,
    ) -> StorageResult<u64> {
        Ok(self
            .one(
                "INSERT INTO attempt_limits (key, window_start, count) VALUES ($1, $2, 1)
                 ON CONFLICT (key) DO UPDATE SET
                   count = CASE WHEN attempt_limits.window_start <= $3 THEN 1
                                ELSE attempt_limits.count + 1 END,
                   window_start = CASE WHEN attempt_limits.window_start <= $3 THEN $2
                                       ELSE attempt_limits.window_start END
                 RETURNING count",
                &[&key, &now, &window_start_before],
                |r| get_u64(r, 0),
            )?
            .unwrap_or(0))
    }

    fn release_attempt(
        &mut self,
        key: &str,
        window_start_before: EpochMillis,
    ) -> StorageResult<()> {
        self.execute(
            "UPDATE attempt_limits SET count = count - 1
             WHERE key = $1 AND window_start > $2 AND count > 0",
            &[&key, &window_start_before],
        )
        .map(drop)
    }

    fn delete_attempts_before(&mut self, before: EpochMillis) -> StorageResult<()> {
        self.execute(
            "DELETE FROM attempt_limits WHERE window_start <= $1",
            &[&before],
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
        self.execute(
            "INSERT INTO blob_holders (commune_id, sha256, device_id, at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            &[&commune_id, &sha256, &device_id, &at],
        )
        .map(drop)
    }

    fn append_audit(&mut self, e: &AuditRow) -> StorageResult<()> {
        self.execute(
            "INSERT INTO audit_log (seq, commune_id, at, actor, action, detail, client_ip)
             SELECT COALESCE(MAX(seq), 0) + 1, $1::text, $2::bigint, $3::text, $4::text, $5::text,
                    $6::text FROM audit_log",
            &[
                &e.commune_id,
                &e.at,
                &e.actor,
                &e.action,
                &e.detail,
                &e.client_ip,
            ],
        )
        .map(drop)
    }

    fn audit_log(&mut self, commune_id: &str, limit: u32) -> StorageResult<Vec<AuditRow>> {
        self.all(
            "SELECT commune_id, at, actor, action, detail, client_ip FROM audit_log
             WHERE commune_id = $1 ORDER BY at DESC, seq DESC LIMIT $2",
            &[&commune_id, &i64::from(limit)],
            |r| {
                Ok(AuditRow {
                    commune_id: get(r, 0)?,
                    at: get(r, 1)?,
                    actor: get(r, 2)?,
                    action: get(r, 3)?,
                    detail: get(r, 4)?,
                    client_ip: get(r, 5)?,
                })
            },
        )
    }

    fn blob_holders(&mut self, commune_id: &str, sha256: &str) -> StorageResult<Vec<String>> {
        self.all(
            "SELECT device_id FROM blob_holders WHERE commune_id = $1 AND sha256 = $2
             ORDER BY device_id",
            &[&commune_id, &sha256],
            |r| get(r, 0),
        )
    }
}

fn dashboard_user_from(r: &Row) -> StorageResult<DashboardUserRow> {
    Ok(DashboardUserRow {
        id: get(r, 0)?,
        username: get(r, 1)?,
        display_name: get(r, 2)?,
        password_hash: get(r, 3)?,
        role: get(r, 4)?,
        commune_id: get(r, 5)?,
        province_id: get(r, 6)?,
        created_at: get(r, 7)?,
        disabled_at: get(r, 8)?,
    })
}

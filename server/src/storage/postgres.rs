//! The PostgreSQL backend, for a province or more: several stateless server processes on
//! one database. The schema and the statements are shared with [`super::sqlite`]
//! ([`super::schema`], [`super::statements`]); this module holds the connections, the
//! transactions, their retries and how PostgreSQL binds and reads values. The same test
//! suite runs against both (`CHIBO_TEST_DATABASE_URL`).
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

use bytes::BytesMut;
use pg::config::SslMode;
use pg::error::SqlState;
use pg::types::{FromSql, IsNull, ToSql, Type};
use pg::{Client, Config, IsolationLevel, NoTls, Row, Statement, Transaction};
use tokio_postgres as pg;

use super::schema;
use super::sql::{Arg, Column, Db, Dialect, Value};
use super::*;

/// Connections per server process, all opened at start and kept. More would not write
/// faster: each works PostgreSQL's CPU, and past about twice its cores they only take
/// turns there (20 phones pushing at once on 2 cores: 8 took them in about 6 % less time
/// than 16). PostgreSQL's default `max_connections` (100) leaves room for several
/// processes.
const POOL_SIZE: u32 = 8;
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
/// The same for one cell's writers ("cc"), keyed by "commune/cell".
const CELL_WRITERS: i32 = 0x6363;

pub struct PostgresStorage {
    pool: r2d2::Pool<Manager>,
}

/// A pooled connection with the statements it has prepared: each SQL text is parsed
/// and planned once per connection, then only bound and executed (one round trip).
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
    /// A writers' lock may still be held: taken, and its release not yet confirmed.
    writer_locks: bool,
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
            writer_locks: false,
        })
    }

    /// Run as the pool hands a connection out: drops any writers' lock a failed release
    /// left on it. Otherwise no round trip: a connection the server closed reports
    /// itself closed, and a statement on one that broke just now fails like any other.
    fn is_valid(&self, conn: &mut Conn) -> StorageResult<()> {
        if conn.client.is_closed() {
            return Err(StorageError::Unavailable("kết nối đã đóng".into()));
        }
        if conn.writer_locks {
            wait(conn.client.simple_query("SELECT pg_advisory_unlock_all()"))
                .map(drop)
                .map_err(map_err)?;
            conn.writer_locks = false;
        }
        Ok(())
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
        // Every connection opened now and kept: a new one costs PostgreSQL a process,
        // an authentication and cold caches, and the phones of a commune tend to push
        // together (the evening after its cells meet), all wanting one at once.
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(POOL_SIZE))
            .connection_timeout(CONNECT_TIMEOUT)
            .build(Manager { config })
            .map_err(|e| {
                StorageError::Unavailable(format!("không kết nối được PostgreSQL: {e}"))
            })?;
        Ok(PostgresStorage { pool })
    }

    /// A write transaction, retried after a lost race; with `writers`, queued behind
    /// them by session locks taken before BEGIN, so the snapshot is taken once the
    /// previous writer has committed.
    ///
    /// A commune's lone writers hold its lock exclusively and run SERIALIZABLE, as
    /// every other write does. A cell's push holds the commune's lock shared and its
    /// cell's exclusively, and runs REPEATABLE READ: the locks already keep apart what
    /// it reads and writes from every other writer of its records, where SERIALIZABLE's
    /// page-level predicate locks would abort pushes of neighbouring cells for nothing.
    /// A row another transaction wrote meanwhile (its device, revoked; a shared photo's
    /// holder) still aborts it, and it runs again.
    fn write(&self, writers: Option<Writers<'_>>, f: TxFn<'_>) -> StorageResult<()> {
        let mut conn = self.conn()?;
        conn.writer_locks = writers.is_some();
        let cell_key = match writers {
            Some(Writers::Cell {
                commune_id,
                cell_id,
            }) => Some(format!("{commune_id}/{cell_id}")),
            _ => None,
        };
        match (writers, &cell_key) {
            (Some(Writers::Cell { commune_id, .. }), Some(cell_key)) => conn.run(
                "SELECT pg_advisory_lock_shared($1, hashtext($2)), \
                 pg_advisory_lock($3, hashtext($4))",
                &[&COMMUNE_WRITERS, &commune_id, &CELL_WRITERS, cell_key],
            )?,
            (Some(writers), _) => conn.run(
                "SELECT pg_advisory_lock($1, hashtext($2))",
                &[&COMMUNE_WRITERS, &writers.commune_id()],
            )?,
            (None, _) => {}
        }
        let isolation = if cell_key.is_some() {
            IsolationLevel::RepeatableRead
        } else {
            IsolationLevel::Serializable
        };
        let started = Instant::now();
        let mut attempt = 0;
        let result = loop {
            attempt += 1;
            match run_tx(&mut conn, Some(isolation), f) {
                Err(StorageError::Retry)
                    if attempt < MAX_ATTEMPTS && started.elapsed() < RETRY_BUDGET =>
                {
                    back_off(attempt);
                }
                other => break other,
            }
        };
        // Not released (the connection broke): a closed session holds no lock, and the
        // pool's check releases it on a live one.
        let released = match (writers, &cell_key) {
            (Some(Writers::Cell { commune_id, .. }), Some(cell_key)) => conn.run(
                "SELECT pg_advisory_unlock($3, hashtext($4)), \
                 pg_advisory_unlock_shared($1, hashtext($2))",
                &[&COMMUNE_WRITERS, &commune_id, &CELL_WRITERS, cell_key],
            ),
            (Some(writers), _) => conn.run(
                "SELECT pg_advisory_unlock($1, hashtext($2))",
                &[&COMMUNE_WRITERS, &writers.commune_id()],
            ),
            (None, _) => Ok(()),
        };
        if released.is_ok() {
            conn.writer_locks = false;
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
    if version > schema::VERSION {
        return Err(StorageError::Corrupt(format!(
            "cơ sở dữ liệu phiên bản {version} mới hơn máy chủ này (phiên bản {})",
            schema::VERSION
        )));
    }
    for (n, step) in schema::steps(Dialect::Postgres).enumerate().skip(version) {
        let next = i32::try_from(n + 1).unwrap_or(i32::MAX);
        let tx = wait(client.transaction()).map_err(map_err)?;
        wait(tx.batch_execute(&step)).map_err(map_err)?;
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

/// Jittered exponential back-off before attempt `attempt + 1`: 1–2 ms, then up to 64 ms.
fn back_off(attempt: u32) {
    let ceiling = 1u64 << attempt.min(6);
    let jitter = getrandom::u64().unwrap_or(0) % ceiling;
    std::thread::sleep(Duration::from_millis(ceiling / 2 + jitter / 2 + 1));
}

/// Runs `f` in one transaction on `conn`: a write at `write`'s isolation, committed
/// on `Ok`; without, a read-only snapshot, rolled back.
fn run_tx(conn: &mut Conn, write: Option<IsolationLevel>, f: TxFn<'_>) -> StorageResult<()> {
    let Conn {
        client, statements, ..
    } = conn;
    let tx = wait(
        client
            .build_transaction()
            .isolation_level(write.unwrap_or(IsolationLevel::RepeatableRead))
            .read_only(write.is_none())
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
    if write.is_some() {
        wait(tx.commit()).map_err(map_err)
    } else {
        wait(tx.rollback()).map_err(map_err)
    }
}

impl Storage for PostgresStorage {
    fn read_tx(&self, f: TxFn<'_>) -> StorageResult<()> {
        let mut conn = self.conn()?;
        run_tx(&mut conn, None, f)
    }

    fn write_tx(&self, f: TxFn<'_>) -> StorageResult<()> {
        self.write(None, f)
    }

    fn queued_write_tx(&self, writers: Writers<'_>, f: TxFn<'_>) -> StorageResult<()> {
        self.write(Some(writers), f)
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

    fn raw_execute(&mut self, sql: &str, params: Params<'_>) -> StorageResult<u64> {
        let statement = self.statement(sql)?;
        let tx = self.tx;
        wait(tx.execute(&statement, params)).map_err(|e| self.failed(e))
    }
}

impl Db for PgTx<'_, '_> {
    const DIALECT: Dialect = Dialect::Postgres;

    fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> StorageResult<u64> {
        let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a as _).collect();
        self.raw_execute(sql, &params)
    }

    fn query(&mut self, sql: &str, args: &[Arg<'_>]) -> StorageResult<Vec<super::sql::Row>> {
        let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a as _).collect();
        let statement = self.statement(sql)?;
        let tx = self.tx;
        let rows = wait(tx.query(&statement, &params)).map_err(|e| self.failed(e))?;
        rows.iter().map(row_from).collect()
    }

    fn insert_rows(
        &mut self,
        into: &str,
        columns: &[Column<'_>],
        tail: &str,
    ) -> StorageResult<u64> {
        // One statement whatever the number of rows, the columns as arrays: a round trip
        // to the database costs more than the rows.
        let arrays: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, column)| match column {
                Column::Text(_) => format!("${}::text[]", i + 1),
                Column::Int(_) => format!("${}::bigint[]", i + 1),
            })
            .collect();
        let sql = format!(
            "INSERT INTO {into} SELECT * FROM UNNEST({}) {tail}",
            arrays.join(", ")
        );
        let params: Vec<&(dyn ToSql + Sync)> = columns
            .iter()
            .map(|column| match column {
                Column::Text(values) => values as &(dyn ToSql + Sync),
                Column::Int(values) => values as _,
            })
            .collect();
        self.raw_execute(&sql, &params)
    }
}

/// A row as plain values; a column of a type the statements never read is `Corrupt`.
fn row_from(row: &Row) -> StorageResult<super::sql::Row> {
    let values = row
        .columns()
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let ty = column.type_();
            Ok(if *ty == Type::INT8 {
                get::<Option<i64>>(row, i)?.map_or(Value::Null, Value::Int)
            } else if *ty == Type::INT4 {
                get::<Option<i32>>(row, i)?.map_or(Value::Null, |v| Value::Int(v.into()))
            } else if <String as FromSql>::accepts(ty) {
                get::<Option<String>>(row, i)?.map_or(Value::Null, Value::Text)
            } else if *ty == Type::BYTEA {
                get::<Option<Vec<u8>>>(row, i)?.map_or(Value::Null, Value::Bytes)
            } else {
                return Err(StorageError::Corrupt(format!(
                    "cột {i}: kiểu {ty} không đọc được"
                )));
            })
        })
        .collect::<StorageResult<_>>()?;
    Ok(super::sql::Row::new(values))
}

impl ToSql for Arg<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Arg::Text(v) => v.to_sql(ty, out),
            Arg::Int(v) => v.to_sql(ty, out),
            Arg::TextList(v) => v.to_sql(ty, out),
            Arg::Bytes(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        <Option<&str> as ToSql>::accepts(ty)
            || <Option<i64> as ToSql>::accepts(ty)
            || <&[String] as ToSql>::accepts(ty)
            || <&[u8] as ToSql>::accepts(ty)
    }

    /// Checked against the variant's own type, so a text never goes out as a number.
    fn to_sql_checked(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Arg::Text(v) => v.to_sql_checked(ty, out),
            Arg::Int(v) => v.to_sql_checked(ty, out),
            Arg::TextList(v) => v.to_sql_checked(ty, out),
            Arg::Bytes(v) => v.to_sql_checked(ty, out),
        }
    }
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

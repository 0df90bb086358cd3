//! The embedded SQLite backend: one file in the data directory, WAL, one writer at a
//! time (writes are short: a push batch) and a small pool of readers. The schema and
//! the statements are shared ([`super::schema`], [`super::statements`]); this module
//! holds the connections, the transactions and how SQLite binds and reads values.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, TransactionBehavior};

use super::schema;
use super::sql::{numbered_placeholders, Arg, Column, Db, Dialect, Row, Value};
use super::*;

const READERS: usize = 4;
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const STATEMENT_CACHE: usize = 128;

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
    // Room for every statement of [`super::statements`] (rusqlite keeps 16 by default),
    // so each is prepared once per connection, as on PostgreSQL.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
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
    if version > schema::VERSION {
        return Err(StorageError::Corrupt(format!(
            "cơ sở dữ liệu phiên bản {version} mới hơn máy chủ này (phiên bản {})",
            schema::VERSION
        )));
    }
    for (n, step) in schema::steps(Dialect::Sqlite).enumerate().skip(version) {
        let tx = conn.transaction().map_err(map_err)?;
        tx.execute_batch(&step).map_err(map_err)?;
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

impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Arg::Text(Some(v)) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Arg::Int(Some(v)) => ToSqlOutput::Borrowed(ValueRef::Integer(v)),
            Arg::Text(None) | Arg::Int(None) => ToSqlOutput::Borrowed(ValueRef::Null),
            // For `json_each($n)`: SQLite has no array type.
            Arg::TextList(list) => ToSqlOutput::from(
                serde_json::to_string(list)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
            ),
        })
    }
}

fn value_from(v: ValueRef<'_>) -> rusqlite::Result<Value> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(v) => Value::Int(v),
        ValueRef::Text(v) => Value::Text(
            std::str::from_utf8(v)
                .map_err(|e| rusqlite::Error::Utf8Error(0, e))?
                .to_owned(),
        ),
        other => {
            return Err(rusqlite::Error::InvalidColumnType(
                0,
                String::new(),
                other.data_type(),
            ))
        }
    })
}

impl SqliteTx<'_> {
    /// The statement, prepared once per connection (rusqlite's cache, by text).
    fn prepare(&self, sql: &str) -> StorageResult<rusqlite::CachedStatement<'_>> {
        self.conn
            .prepare_cached(&numbered_placeholders(sql))
            .map_err(map_err)
    }
}

impl Db for SqliteTx<'_> {
    const DIALECT: Dialect = Dialect::Sqlite;

    fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> StorageResult<u64> {
        let mut statement = self.prepare(sql)?;
        let changed = statement
            .execute(rusqlite::params_from_iter(args))
            .map_err(map_err)?;
        Ok(changed as u64)
    }

    fn query(&mut self, sql: &str, args: &[Arg<'_>]) -> StorageResult<Vec<Row>> {
        let mut statement = self.prepare(sql)?;
        let width = statement.column_count();
        let rows = statement
            .query_map(rusqlite::params_from_iter(args), |r| {
                (0..width)
                    .map(|i| value_from(r.get_ref(i)?))
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map(Row::new)
            })
            .map_err(map_err)?;
        rows.collect::<Result<_, _>>().map_err(map_err)
    }

    fn insert_rows(
        &mut self,
        into: &str,
        columns: &[Column<'_>],
        tail: &str,
    ) -> StorageResult<u64> {
        // One prepared statement run per row: SQLite has no round trips to save.
        let placeholders: Vec<String> = (1..=columns.len()).map(|n| format!("?{n}")).collect();
        let sql = format!(
            "INSERT INTO {into} VALUES ({}) {tail}",
            placeholders.join(", ")
        );
        let mut statement = self.conn.prepare_cached(&sql).map_err(map_err)?;
        let rows = columns.first().map_or(0, Column::len);
        let mut written = 0;
        let mut args = Vec::with_capacity(columns.len());
        for i in 0..rows {
            args.clear();
            args.extend(columns.iter().map(|column| column.arg(i)));
            written += statement
                .execute(rusqlite::params_from_iter(&args))
                .map_err(map_err)? as u64;
        }
        Ok(written)
    }
}

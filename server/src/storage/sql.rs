//! What the shared statements ([`super::statements`]) need from a backend: run a
//! statement, read rows back as plain values, insert many rows at once. Each backend
//! implements [`Db`] on its transaction handle; everything else about it (connections,
//! transactions, retries, its SQL dialect's few differences) stays in its own module.
//!
//! Statements are written once, in PostgreSQL's form: `$n` placeholders (SQLite reads
//! them as `?n` after [`numbered_placeholders`]), `ON CONFLICT … DO NOTHING / DO
//! UPDATE`, `RETURNING`, `IS [NOT] DISTINCT FROM`, `NULLS FIRST`, which both speak.

use super::{StorageError, StorageResult};

/// Which SQL a backend speaks, where the two differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The type of a column of raw bytes.
    pub(crate) fn bytes_type(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BLOB",
            Dialect::Postgres => "BYTEA",
        }
    }

    /// The type of a text column. SQLite compares text byte by byte; PostgreSQL is told
    /// to (`COLLATE "C"`), so lists come out in the same order whatever the locale.
    pub(crate) fn text_type(self) -> &'static str {
        match self {
            Dialect::Sqlite => "TEXT",
            Dialect::Postgres => "TEXT COLLATE \"C\"",
        }
    }

    /// What follows a column to say it is one of the texts bound at `$param`
    /// ([`Arg::TextList`]), in one statement whatever their number: an array on
    /// PostgreSQL, a JSON array on SQLite (which has no array type).
    pub(crate) fn one_of(self, param: usize) -> String {
        match self {
            Dialect::Sqlite => format!("IN (SELECT value FROM json_each(${param}))"),
            Dialect::Postgres => format!("= ANY(${param})"),
        }
    }
}

/// One argument of a statement. Typed even when NULL: PostgreSQL binds by type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arg<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
    /// A list of texts, for `= ANY($n)`: an array on PostgreSQL, a JSON array on SQLite.
    TextList(&'a [String]),
    /// Raw bytes (BYTEA on PostgreSQL, BLOB on SQLite).
    Bytes(&'a [u8]),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::Text(Some(v))
    }
}

impl<'a> From<&'a &'a str> for Arg<'a> {
    fn from(v: &'a &'a str) -> Self {
        Arg::Text(Some(v))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::Text(Some(v))
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Arg::Text(v)
    }
}

impl<'a> From<&'a Option<String>> for Arg<'a> {
    fn from(v: &'a Option<String>) -> Self {
        Arg::Text(v.as_deref())
    }
}

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(v: &'a [u8]) -> Self {
        Arg::Bytes(v)
    }
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}

impl<'a> From<&'a i64> for Arg<'a> {
    fn from(v: &'a i64) -> Self {
        Arg::Int(Some(*v))
    }
}

impl<'a> From<&'a Option<i64>> for Arg<'a> {
    fn from(v: &'a Option<i64>) -> Self {
        Arg::Int(*v)
    }
}

/// The arguments of a statement, in `$n` order.
macro_rules! args {
    ($($arg:expr),* $(,)?) => {
        &[$($crate::storage::sql::Arg::from($arg)),*]
    };
}
pub(crate) use args;

/// One column of the rows [`Db::insert_rows`] writes, every row's value in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Column<'a> {
    Text(Vec<Option<&'a str>>),
    Int(Vec<Option<i64>>),
}

impl<'a> Column<'a> {
    pub(crate) fn text<T: 'a>(rows: &'a [T], f: impl Fn(&'a T) -> &'a str) -> Self {
        Column::Text(rows.iter().map(|r| Some(f(r))).collect())
    }

    pub(crate) fn opt_text<T: 'a>(rows: &'a [T], f: impl Fn(&'a T) -> Option<&'a str>) -> Self {
        Column::Text(rows.iter().map(f).collect())
    }

    pub(crate) fn int<T>(rows: &[T], f: impl Fn(&T) -> StorageResult<i64>) -> StorageResult<Self> {
        Ok(Column::Int(
            rows.iter()
                .map(|r| f(r).map(Some))
                .collect::<Result<_, _>>()?,
        ))
    }

    pub(crate) fn opt_int<T>(
        rows: &[T],
        f: impl Fn(&T) -> StorageResult<Option<i64>>,
    ) -> StorageResult<Self> {
        Ok(Column::Int(rows.iter().map(f).collect::<Result<_, _>>()?))
    }

    /// The same value on every one of `len` rows.
    pub(crate) fn repeat_text(value: &'a str, len: usize) -> Self {
        Column::Text(vec![Some(value); len])
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Column::Text(v) => v.len(),
            Column::Int(v) => v.len(),
        }
    }

    /// Row `i`'s value.
    pub(crate) fn arg(&self, i: usize) -> Arg<'a> {
        match self {
            Column::Text(v) => Arg::Text(v[i]),
            Column::Int(v) => Arg::Int(v[i]),
        }
    }
}

/// A value read back from a row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum Value {
    #[default]
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// A row read back: its columns in the statement's order. The getters take the value
/// out (each column is read once) and report a value of the wrong type as `Corrupt`.
#[derive(Debug)]
pub(crate) struct Row(Vec<Value>);

impl Row {
    pub(crate) fn new(values: Vec<Value>) -> Row {
        Row(values)
    }

    fn take(&mut self, i: usize) -> StorageResult<Value> {
        self.0
            .get_mut(i)
            .map(std::mem::take)
            .ok_or_else(|| StorageError::Corrupt(format!("cột {i}: không có")))
    }

    /// The columns from `at` on, as a row of their own (a joined query's second table).
    pub(crate) fn split_off(&mut self, at: usize) -> Row {
        Row(self.0.split_off(at.min(self.0.len())))
    }

    /// Whether column `i` is NULL (a LEFT JOIN that found nothing).
    pub(crate) fn is_null(&self, i: usize) -> bool {
        matches!(self.0.get(i), None | Some(Value::Null))
    }

    pub(crate) fn opt_text(&mut self, i: usize) -> StorageResult<Option<String>> {
        match self.take(i)? {
            Value::Null => Ok(None),
            Value::Text(v) => Ok(Some(v)),
            Value::Int(v) => Err(StorageError::Corrupt(format!(
                "cột {i}: cần văn bản, có số {v}"
            ))),
            Value::Bytes(_) => Err(StorageError::Corrupt(format!(
                "cột {i}: cần văn bản, có dữ liệu nhị phân"
            ))),
        }
    }

    pub(crate) fn bytes(&mut self, i: usize) -> StorageResult<Vec<u8>> {
        match self.take(i)? {
            Value::Bytes(v) => Ok(v),
            _ => Err(StorageError::Corrupt(format!(
                "cột {i}: cần dữ liệu nhị phân"
            ))),
        }
    }

    pub(crate) fn text(&mut self, i: usize) -> StorageResult<String> {
        self.opt_text(i)?
            .ok_or_else(|| StorageError::Corrupt(format!("cột {i}: cần văn bản, có NULL")))
    }

    pub(crate) fn opt_int(&mut self, i: usize) -> StorageResult<Option<i64>> {
        match self.take(i)? {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(v)),
            Value::Text(_) | Value::Bytes(_) => Err(StorageError::Corrupt(format!(
                "cột {i}: cần số, có văn bản"
            ))),
        }
    }

    pub(crate) fn int(&mut self, i: usize) -> StorageResult<i64> {
        self.opt_int(i)?
            .ok_or_else(|| StorageError::Corrupt(format!("cột {i}: cần số, có NULL")))
    }

    pub(crate) fn opt_u64(&mut self, i: usize) -> StorageResult<Option<u64>> {
        self.opt_int(i)?
            .map(|v| {
                u64::try_from(v).map_err(|_| StorageError::Corrupt(format!("cột {i}: số âm {v}")))
            })
            .transpose()
    }

    pub(crate) fn u64(&mut self, i: usize) -> StorageResult<u64> {
        self.opt_u64(i)?
            .ok_or_else(|| StorageError::Corrupt(format!("cột {i}: cần số, có NULL")))
    }
}

/// A sequence number as the databases store it (BIGINT).
pub(crate) fn to_i64(v: u64) -> StorageResult<i64> {
    i64::try_from(v).map_err(|_| StorageError::Conflict(format!("số thứ tự quá lớn: {v}")))
}

/// A backend's transaction, as the shared statements use it. Statements are prepared
/// once per connection and cached by their text.
pub(crate) trait Db {
    const DIALECT: Dialect;

    /// Runs a statement; how many rows it inserted, changed or deleted.
    fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> StorageResult<u64>;

    /// Runs a query; all its rows.
    fn query(&mut self, sql: &str, args: &[Arg<'_>]) -> StorageResult<Vec<Row>>;

    /// Inserts rows given column by column, `INSERT INTO {into} <rows> {tail}`, and
    /// returns how many were written (`tail` may skip some: `ON CONFLICT DO NOTHING`).
    /// PostgreSQL sends them as arrays in one statement (`UNNEST`), SQLite runs one
    /// prepared statement per row: to each its cheapest way.
    fn insert_rows(&mut self, into: &str, columns: &[Column<'_>], tail: &str)
        -> StorageResult<u64>;

    /// The first row of a query, if any.
    fn query_one(&mut self, sql: &str, args: &[Arg<'_>]) -> StorageResult<Option<Row>> {
        Ok(self.query(sql, args)?.into_iter().next())
    }

    /// An `INSERT … ON CONFLICT DO NOTHING`: `Conflict` when the key already existed. The
    /// transaction stays usable on both backends (a failed statement would abort a
    /// PostgreSQL transaction).
    fn insert(&mut self, what: &str, sql: &str, args: &[Arg<'_>]) -> StorageResult<()> {
        match self.execute(sql, args)? {
            0 => Err(StorageError::Conflict(format!("{what}: khóa đã tồn tại"))),
            _ => Ok(()),
        }
    }
}

/// `$n` placeholders as `?n`, SQLite's numbered form (its `$name` would be numbered by
/// first appearance, not by `n`). The statements hold no `$` in literals.
pub(crate) fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|next| next.is_ascii_digit()) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_question_marks() {
        assert_eq!(
            numbered_placeholders("UPDATE t SET a = $2, b = $10 WHERE id = $1 AND c = 'x'"),
            "UPDATE t SET a = ?2, b = ?10 WHERE id = ?1 AND c = 'x'"
        );
    }

    #[test]
    fn a_row_reports_a_value_of_the_wrong_type_as_corrupt() {
        let mut row = Row::new(vec![Value::Int(-1), Value::Text("x".into()), Value::Null]);
        assert!(matches!(row.u64(0), Err(StorageError::Corrupt(_))));
        assert!(matches!(row.int(1), Err(StorageError::Corrupt(_))));
        assert!(matches!(row.text(2), Err(StorageError::Corrupt(_))));
    }
}

//! Encryption at rest: the device's store is an SQLCipher database (AES-256 pages with
//! an HMAC each; the WAL is encrypted the same way) keyed with 32 random bytes.
//!
//! The core makes the key once and asks the platform keystore to wrap it
//! ([`DeviceKeystore::wrap_secret`]); only the wrapped bytes are written, to
//! `<store>.key` beside the store. Each open unwraps them and hands SQLCipher the raw key
//! (`x'…'`), so no passphrase is stretched on every start. A store written before
//! encryption is encrypted on its first open, in place and all or nothing.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::error::StoreError;
use super::{schema, Store};
use crate::keystore::DeviceKeystore;

/// The first 16 bytes of every plain SQLite file; an SQLCipher file starts with its salt.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";
const KEY_LEN: usize = 32;

/// A store's raw SQLCipher key. Zeroed when dropped.
pub struct DatabaseKey([u8; KEY_LEN]);

impl DatabaseKey {
    fn random() -> Result<DatabaseKey, StoreError> {
        let mut key = [0u8; KEY_LEN];
        getrandom::fill(&mut key)
            .map_err(|e| StoreError::Keystore(format!("không tạo được khóa ngẫu nhiên: {e}")))?;
        Ok(DatabaseKey(key))
    }

    fn from_bytes(mut bytes: Vec<u8>) -> Result<DatabaseKey, StoreError> {
        let key = <[u8; KEY_LEN]>::try_from(bytes.as_slice()).map_err(|_| {
            StoreError::Keystore(format!(
                "khóa mở ra dài {} byte, cần {KEY_LEN}",
                bytes.len()
            ))
        });
        bytes.fill(0);
        key.map(DatabaseKey)
    }

    /// SQLCipher's raw-key literal: `x'<64 hex digits>'` (no key derivation).
    fn literal(&self) -> String {
        format!("x'{}'", hex::encode(self.0))
    }
}

impl Drop for DatabaseKey {
    fn drop(&mut self) {
        self.0.fill(0);
    }
}

/// Where the wrapped key of the store at `path` is kept.
pub fn key_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

/// Whether the file at `path` is a plain (unencrypted) SQLite database.
pub fn is_plaintext(path: &Path) -> Result<bool, StoreError> {
    let mut header = [0u8; 16];
    match File::open(path) {
        Ok(mut file) => {
            use std::io::Read;
            match file.read_exact(&mut header) {
                Ok(()) => Ok(&header == PLAIN_HEADER),
                // Shorter than a header: an empty file SQLite would initialise.
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
                Err(e) => Err(io_error(path, e)),
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_error(path, e)),
    }
}

impl Store {
    /// Opens the device's encrypted store at `path`, creating it (and its key) on first
    /// use; a plain store found there is encrypted first, keeping every record.
    pub fn open_encrypted(path: &Path, keystore: &dyn DeviceKeystore) -> Result<Store, StoreError> {
        let key = load_or_create_key(path, keystore)?;
        if is_plaintext(path)? {
            encrypt_in_place(path, &key)?;
        }
        Store::open_with_key(path, &key)
    }

    /// Opens `path` with an SQLCipher key already unwrapped.
    pub fn open_with_key(path: &Path, key: &DatabaseKey) -> Result<Store, StoreError> {
        let not_writable = |source: rusqlite::Error| StoreError::NotWritable {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open_with_flags(path, open_flags()).map_err(not_writable)?;
        // The key goes first: nothing may read the file before it.
        conn.execute_batch(&format!("PRAGMA key = \"{}\";", key.literal()))?;
        // The first read checks the key against the file's HMACs.
        if let Err(e) = conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())) {
            return Err(match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::NotADatabase) => StoreError::WrongKey {
                    path: path.to_path_buf(),
                },
                _ => not_writable(e),
            });
        }
        if conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(not_writable(super::readonly_error(path)));
        }
        Store::init(conn).map_err(|e| match e {
            StoreError::Sqlite(source) if super::is_storage_access_error(&source) => {
                not_writable(source)
            }
            other => other,
        })
    }
}

/// A raw connection to the encrypted store at `path`, keyed, with `flags` (e.g. read-only):
/// for tools and tests that look at the tables themselves. The store must exist.
pub fn open_connection(
    path: &Path,
    keystore: &dyn DeviceKeystore,
    flags: OpenFlags,
) -> Result<Connection, StoreError> {
    let wrapped = fs::read(key_path(path)).map_err(|e| io_error(&key_path(path), e))?;
    let key = DatabaseKey::from_bytes(
        keystore
            .unwrap_secret(wrapped)
            .map_err(|e| StoreError::Keystore(e.to_string()))?,
    )?;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.execute_batch(&format!("PRAGMA key = \"{}\";", key.literal()))?;
    Ok(conn)
}

fn open_flags() -> OpenFlags {
    OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI
}

/// The store's key: unwrapped from `<store>.key`, or made, wrapped and written there.
fn load_or_create_key(
    path: &Path,
    keystore: &dyn DeviceKeystore,
) -> Result<DatabaseKey, StoreError> {
    let key_file = key_path(path);
    match fs::read(&key_file) {
        Ok(wrapped) => {
            let secret = keystore
                .unwrap_secret(wrapped)
                .map_err(|e| StoreError::Keystore(e.to_string()))?;
            DatabaseKey::from_bytes(secret)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // An encrypted store without its key can never be opened again: say so,
            // rather than making a new key that cannot open it either.
            let exists = fs::metadata(path).map(|m| m.len() > 0).unwrap_or(false);
            if exists && !is_plaintext(path)? {
                return Err(StoreError::KeyMissing {
                    path: path.to_path_buf(),
                    key_path: key_file,
                });
            }
            let key = DatabaseKey::random()?;
            let wrapped = keystore
                .wrap_secret(key.0.to_vec())
                .map_err(|e| StoreError::Keystore(e.to_string()))?;
            write_durably(&key_file, &wrapped)?;
            Ok(key)
        }
        Err(e) => Err(io_error(&key_file, e)),
    }
}

/// Encrypts the plain store at `path` with `key`: the whole database is exported into an
/// encrypted copy beside it (`sqlcipher_export`), which then replaces it. A crash at any
/// point leaves either the plain store (encrypted again on the next open, with the same
/// key) or the encrypted one.
fn encrypt_in_place(path: &Path, key: &DatabaseKey) -> Result<(), StoreError> {
    let mut copy_name = path.as_os_str().to_owned();
    copy_name.push(".encrypting");
    let copy = PathBuf::from(copy_name);
    remove_if_present(&copy)?;
    {
        let plain = Connection::open_with_flags(path, open_flags()).map_err(|source| {
            StoreError::NotWritable {
                path: path.to_path_buf(),
                source,
            }
        })?;
        // Everything in the WAL goes into the file first, so the export sees it all.
        plain.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        let version = schema::user_version(&plain)?;
        let copy_text = copy.to_string_lossy().into_owned();
        plain.execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            [copy_text.as_str(), key.literal().as_str()],
        )?;
        plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        plain.execute_batch(&format!(
            "PRAGMA encrypted.user_version = {version}; DETACH DATABASE encrypted;"
        ))?;
        // Closing the last connection removes the (now empty) plain WAL.
        plain.close().map_err(|(_, e)| e)?;
    }
    File::open(&copy)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_error(&copy, e))?;
    fs::rename(&copy, path).map_err(|e| io_error(path, e))?;
    sync_parent(path)?;
    // Anything left of the plain journal would hold plain pages.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        remove_if_present(Path::new(&name))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` so that a crash leaves the old file or the new one, whole.
fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let written = File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    written.map_err(|e| io_error(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| io_error(path, e))?;
    sync_parent(path)
}

fn sync_parent(path: &Path) -> Result<(), StoreError> {
    // Directories cannot be opened for syncing everywhere (Windows); where they can, the
    // rename is made durable.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<(), StoreError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(path, e)),
    }
}

fn io_error(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

//! The blob store: published photos and attachments, addressed by the lowercase hex
//! SHA-256 of their bytes (architecture.md, "Photos").
//!
//! Only verified bytes enter it: the tus uploads (`crate::tus`) hash a finished upload
//! and hand the file over with [`BlobStore::put`]. The trait is asynchronous and works on
//! whole files and readers. Two stores implement it, and the configuration's
//! `[blob_store]` picks one ([`open_blob_store`]):
//! - [`FsBlobStore`], the default: sharded directories `ab/cd/<sha256>` under the data
//!   directory, so no directory grows past a few thousand entries even with millions of
//!   photos; publishing is a rename.
//! - [`S3BlobStore`] (`s3.rs`): objects in an S3-compatible bucket, for several server
//!   processes or more photos than one disk holds.
//!
//! Either way a blob is published whole or not at all, and only after its SHA-256 was
//! checked. Unfinished tus uploads stay on the local disk (`crate::tus`'s upload store).

use std::fmt;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use serde::Deserialize;
use tokio::io::AsyncRead;

mod s3;
pub use s3::{S3BlobStore, S3Settings};

/// Which blob store the server uses (`[blob_store]` in the configuration).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(tag = "backend", rename_all = "lowercase", deny_unknown_fields)]
pub enum BlobStoreConfig {
    /// `<data_dir>/blobs` on the local disk.
    #[default]
    Filesystem,
    /// An S3-compatible bucket.
    S3(S3Settings),
}

/// Names the S3 bucket the tests run on, as `s3+http://KEY:SECRET@HOST:PORT/BUCKET`
/// ([`S3Settings::from_url`]); `tests/run s3` starts a real S3 server and sets it.
pub const TEST_S3_URL_VAR: &str = "CHIBO_TEST_S3_URL";

impl BlobStoreConfig {
    /// The store a test server uses: the bucket [`TEST_S3_URL_VAR`] names, under the key
    /// folder `<its prefix>/<unique>/` (so tests sharing a bucket never see each other's
    /// blobs, and a server restarted with the same `unique` finds its own), or the
    /// filesystem when the variable is unset. A malformed URL panics: it is a broken test
    /// setup, never a reason to fall back to the disk.
    pub fn for_tests(unique: &str) -> BlobStoreConfig {
        match std::env::var(TEST_S3_URL_VAR) {
            Ok(url) if !url.trim().is_empty() => {
                let mut settings = S3Settings::from_url(url.trim())
                    .unwrap_or_else(|e| panic!("{TEST_S3_URL_VAR}: {e}"));
                let unique: String = unique
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect();
                let base = settings.prefix.trim_matches('/');
                settings.prefix = if base.is_empty() {
                    format!("{unique}/")
                } else {
                    format!("{base}/{unique}/")
                };
                BlobStoreConfig::S3(settings)
            }
            _ => BlobStoreConfig::Filesystem,
        }
    }
}

/// Opens the configured store: the filesystem one in `<data_dir>/blobs`, or a client
/// for the bucket (which sends nothing until the first request).
pub fn open_blob_store(
    config: &BlobStoreConfig,
    data_dir: &Path,
) -> Result<std::sync::Arc<dyn BlobStore>, BlobError> {
    Ok(match config {
        BlobStoreConfig::Filesystem => {
            std::sync::Arc::new(FsBlobStore::open(data_dir.join("blobs"))?)
        }
        BlobStoreConfig::S3(settings) => std::sync::Arc::new(S3BlobStore::open(settings)?),
    })
}

/// A boxed future, so the trait stays object-safe (`Arc<dyn BlobStore>`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The id of a blob: exactly 64 lowercase hex characters (a SHA-256). Anything else (a
/// path, `..`, percent-escapes, upper case) is refused by [`BlobId::parse`], so an id can
/// always be used as a file name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobId(String);

impl BlobId {
    pub fn parse(text: &str) -> Option<BlobId> {
        let valid = text.len() == 64
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| BlobId(text.to_string()))
    }

    /// The id of these SHA-256 digest bytes.
    pub fn from_digest(digest: &[u8; 32]) -> BlobId {
        BlobId(hex::encode(digest))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobId({})", self.0)
    }
}

/// Why the blob store failed. The caller answers 500 (or 507 when the disk is full) and
/// logs the detail.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("lỗi đọc/ghi kho ảnh: {0}")]
    Io(#[from] io::Error),
    /// A remote store (S3-compatible) refused or could not be reached.
    #[error("kho ảnh từ xa lỗi: {0}")]
    Backend(String),
}

impl BlobError {
    pub fn is_storage_full(&self) -> bool {
        matches!(self, BlobError::Io(e) if e.kind() == io::ErrorKind::StorageFull)
    }
}

/// A published blob opened for reading.
pub struct BlobReader {
    /// Its size in bytes (the `Content-Length` of the answer).
    pub size: u64,
    pub reader: Pin<Box<dyn AsyncRead + Send>>,
}

/// Where published blobs live. Implementations must be cheap to share
/// (`Arc<dyn BlobStore>`).
pub trait BlobStore: Send + Sync + 'static {
    /// Publishes the file at `verified_file`, whose SHA-256 the caller has checked is
    /// `id`. The file is consumed: moved into the store, or deleted when the store
    /// already has the blob (same hash, same bytes). Once this returns `Ok` the blob is
    /// durable and [`BlobStore::open`] finds it.
    fn put<'a>(
        &'a self,
        id: &'a BlobId,
        verified_file: &'a Path,
    ) -> BoxFuture<'a, Result<(), BlobError>>;

    /// Opens a blob for reading; `None` when there is no such blob.
    fn open<'a>(&'a self, id: &'a BlobId) -> BoxFuture<'a, Result<Option<BlobReader>, BlobError>>;

    /// The size of a blob; `None` when there is no such blob.
    fn size<'a>(&'a self, id: &'a BlobId) -> BoxFuture<'a, Result<Option<u64>, BlobError>>;

    fn exists<'a>(&'a self, id: &'a BlobId) -> BoxFuture<'a, Result<bool, BlobError>> {
        Box::pin(async move { Ok(self.size(id).await?.is_some()) })
    }

    /// Every blob with its size, for checks and tools (a whole-store walk: never on a
    /// request's path).
    fn list(&self) -> BoxFuture<'_, Result<Vec<(BlobId, u64)>, BlobError>>;

    /// The blob's file, when the store keeps blobs as local files (the filesystem store);
    /// `None` for a remote store, whose blobs are read with [`BlobStore::open`].
    fn local_path(&self, id: &BlobId) -> Option<PathBuf> {
        let _ = id;
        None
    }

    /// Where the store is, for logs (never a secret).
    fn describe(&self) -> String;
}

/// Blobs as files under one directory: `<root>/ab/cd/<sha256>`.
#[derive(Clone, Debug)]
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    /// Opens (creating it if needed) the store at `root`. Put it on the same filesystem
    /// as the upload directory so publishing is a rename, not a copy.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<FsBlobStore> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(FsBlobStore { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where a blob's file is. Safe by construction: a [`BlobId`] is hex only.
    pub fn path_of(&self, id: &BlobId) -> PathBuf {
        let s = id.as_str();
        self.root.join(&s[0..2]).join(&s[2..4]).join(s)
    }

    fn put_blocking(&self, id: &BlobId, verified_file: &Path) -> io::Result<()> {
        let target = self.path_of(id);
        if target.is_file() {
            // Same hash, same bytes: keep the one already published.
            return remove_if_exists(verified_file);
        }
        let dir = target.parent().expect("a blob path has a shard directory");
        std::fs::create_dir_all(dir)?;
        match std::fs::rename(verified_file, &target) {
            Ok(()) => {}
            // The upload directory is on another filesystem: copy into the store's own
            // tmp first, so the blob still appears in one atomic rename.
            Err(e) if e.kind() == io::ErrorKind::CrossesDevices => {
                let tmp = self
                    .root
                    .join("tmp")
                    .join(format!("{}.{}", id, std::process::id()));
                std::fs::copy(verified_file, &tmp)?;
                std::fs::File::open(&tmp)?.sync_all()?;
                std::fs::rename(&tmp, &target)?;
                remove_if_exists(verified_file)?;
            }
            Err(e) => return Err(e),
        }
        sync_dir(dir)
    }
}

impl BlobStore for FsBlobStore {
    fn put<'a>(
        &'a self,
        id: &'a BlobId,
        verified_file: &'a Path,
    ) -> BoxFuture<'a, Result<(), BlobError>> {
        let store = self.clone();
        let id = id.clone();
        let file = verified_file.to_path_buf();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || store.put_blocking(&id, &file))
                .await
                .map_err(|e| BlobError::Io(io::Error::other(e)))??;
            Ok(())
        })
    }

    fn open<'a>(&'a self, id: &'a BlobId) -> BoxFuture<'a, Result<Option<BlobReader>, BlobError>> {
        Box::pin(async move {
            let file = match tokio::fs::File::open(self.path_of(id)).await {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            let size = file.metadata().await?.len();
            Ok(Some(BlobReader {
                size,
                reader: Box::pin(file),
            }))
        })
    }

    fn size<'a>(&'a self, id: &'a BlobId) -> BoxFuture<'a, Result<Option<u64>, BlobError>> {
        Box::pin(async move {
            match tokio::fs::metadata(self.path_of(id)).await {
                Ok(meta) if meta.is_file() => Ok(Some(meta.len())),
                Ok(_) => Ok(None),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            }
        })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<(BlobId, u64)>, BlobError>> {
        let root = self.root.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let mut out = Vec::new();
                walk_blobs(&root, &mut out)?;
                Ok(out)
            })
            .await
            .map_err(|e| BlobError::Io(io::Error::other(e)))?
        })
    }

    fn local_path(&self, id: &BlobId) -> Option<PathBuf> {
        Some(self.path_of(id))
    }

    fn describe(&self) -> String {
        format!("filesystem {}", self.root.display())
    }
}

/// The files under `dir` named by a blob id (the store's `tmp/` holds none).
fn walk_blobs(dir: &Path, out: &mut Vec<(BlobId, u64)>) -> Result<(), BlobError> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk_blobs(&entry.path(), out)?;
        } else if let Some(id) = entry.file_name().to_str().and_then(BlobId::parse) {
            out.push((id, entry.metadata()?.len()));
        }
    }
    Ok(())
}

fn remove_if_exists(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Makes a rename or a new file in `dir` durable (the directory entry itself).
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn only_64_lowercase_hex_characters_make_a_blob_id() {
        assert!(BlobId::parse(HASH).is_some());
        for bad in [
            "",
            &HASH[..63],
            &format!("{HASH}0"),
            &HASH.to_uppercase(),
            "../../../../../../../../etc/passwd",
            &format!("..%2F{}", &HASH[5..]),
            &format!("ab/cd/{}", &HASH[6..]),
            &format!("{}g", &HASH[..63]),
        ] {
            assert!(BlobId::parse(bad).is_none(), "{bad:?} was accepted");
        }
    }

    #[tokio::test]
    async fn a_put_file_is_sharded_readable_and_a_second_put_keeps_one_copy() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path().join("blobs")).unwrap();
        let id = BlobId::parse(HASH).unwrap();
        assert!(!store.exists(&id).await.unwrap());
        assert!(store.open(&id).await.unwrap().is_none());

        let first = dir.path().join("upload-1");
        std::fs::write(&first, b"test").unwrap();
        store.put(&id, &first).await.unwrap();
        assert!(!first.exists(), "the verified file is moved into the store");
        let stored = dir.path().join("blobs/9f/86").join(HASH);
        assert_eq!(std::fs::read(&stored).unwrap(), b"test");

        let second = dir.path().join("upload-2");
        std::fs::write(&second, b"test").unwrap();
        store.put(&id, &second).await.unwrap();
        assert!(!second.exists(), "a duplicate is dropped");

        assert_eq!(store.size(&id).await.unwrap(), Some(4));
        let mut blob = store.open(&id).await.unwrap().unwrap();
        let mut bytes = Vec::new();
        blob.reader.read_to_end(&mut bytes).await.unwrap();
        assert_eq!((blob.size, bytes.as_slice()), (4, &b"test"[..]));
    }
}

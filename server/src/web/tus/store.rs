//! Upload state on disk, so an upload survives a restart and a phone resumes from the
//! offset HEAD reports.
//!
//! `<root>/<commune_id>/<upload_id>.part` holds the bytes received so far and
//! `<upload_id>.json` the [`UploadInfo`]. The info's `offset` only moves after the bytes
//! before it are fsynced, and the info is replaced atomically (write, fsync, rename), so a
//! crash mid-chunk never reports bytes that are not on disk; whatever lies past the
//! offset in the part file is cut off before the next chunk is written.
//!
//! This state is per process, on its local disk, even when published blobs go to S3.
//! For several server processes it moves as a whole behind the same operations: the
//! info to a PostgreSQL row per upload (its row lock, taken `FOR UPDATE`, replacing
//! `lock.rs`'s in-process one, and its `offset` committed in the same transaction as a
//! chunk's bytes are recorded), the bytes to S3 as one object per committed chunk
//! (`uploads/<upload>/<offset>`), read back in order to hash and publish the whole file
//! and deleted afterwards. A phone's HEAD or PATCH can then reach any process.

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::TusError;
use crate::blobs::{sync_dir, BlobId};

/// An upload's id: 128 random bits as 32 lowercase hex characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UploadId(String);

impl UploadId {
    pub fn random() -> Result<UploadId, TusError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| TusError::internal(format!("getrandom: {e}")))?;
        Ok(UploadId(hex::encode(bytes)))
    }

    /// `None` for anything that is not an id we could have made (so never a path).
    pub fn parse(text: &str) -> Option<UploadId> {
        let valid = text.len() == 32
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| UploadId(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the server knows about one upload, as stored in its JSON file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadInfo {
    pub id: String,
    /// Only this device may use the upload; it lives in its commune's directory.
    pub device_id: String,
    pub commune_id: String,
    /// The whole file's size (`Upload-Length`).
    pub length: u64,
    /// Bytes received and fsynced.
    pub offset: u64,
    /// The declared SHA-256 of the whole file, lowercase hex.
    pub sha256: String,
    /// `Upload-Metadata` as sent, echoed on HEAD.
    pub metadata: String,
    pub filename: Option<String>,
    pub filetype: Option<String>,
    /// Server time of creation, milliseconds since the epoch.
    pub created_at: i64,
    /// The verified file is in the blob store.
    pub published: bool,
}

impl UploadInfo {
    pub fn blob_id(&self) -> Result<BlobId, TusError> {
        BlobId::parse(&self.sha256)
            .ok_or_else(|| TusError::internal(format!("upload {}: bad stored sha256", self.id)))
    }

    pub fn is_complete(&self) -> bool {
        self.offset == self.length
    }
}

/// The upload directory.
#[derive(Clone, Debug)]
pub struct UploadStore {
    root: PathBuf,
}

impl UploadStore {
    pub fn open(root: impl Into<PathBuf>) -> io::Result<UploadStore> {
        let root = root.into();
        std::fs::create_dir_all(&root)?;
        Ok(UploadStore { root })
    }

    fn commune_dir(&self, commune_id: &str) -> Result<PathBuf, TusError> {
        // The id comes from our own auth, but it still becomes a directory name.
        let safe = !commune_id.is_empty()
            && commune_id.len() <= 64
            && commune_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !safe {
            return Err(TusError::internal(format!(
                "commune id unfit for a directory name: {commune_id:?}"
            )));
        }
        Ok(self.root.join(commune_id))
    }

    pub fn part_path(&self, commune_id: &str, id: &UploadId) -> Result<PathBuf, TusError> {
        Ok(self
            .commune_dir(commune_id)?
            .join(format!("{}.part", id.as_str())))
    }

    fn info_path(&self, commune_id: &str, id: &UploadId) -> Result<PathBuf, TusError> {
        Ok(self
            .commune_dir(commune_id)?
            .join(format!("{}.json", id.as_str())))
    }

    /// Records a new upload: an empty part file (unless it is already published), then
    /// its info.
    pub async fn create(&self, info: &UploadInfo) -> Result<(), TusError> {
        let id = UploadId::parse(&info.id).ok_or_else(|| TusError::internal("bad upload id"))?;
        let dir = self.commune_dir(&info.commune_id)?;
        let part = self.part_path(&info.commune_id, &id)?;
        let info_path = self.info_path(&info.commune_id, &id)?;
        let info = info.clone();
        blocking(move || {
            std::fs::create_dir_all(&dir)?;
            if !info.published {
                std::fs::File::create(&part)?.sync_all()?;
            }
            write_info(&info_path, &info)
        })
        .await
    }

    /// The upload `id` of a commune, if there is one.
    pub async fn load(
        &self,
        commune_id: &str,
        id: &UploadId,
    ) -> Result<Option<UploadInfo>, TusError> {
        let path = self.info_path(commune_id, id)?;
        let bytes = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let info: UploadInfo = serde_json::from_slice(&bytes)
            .map_err(|e| TusError::internal(format!("{}: {e}", path.display())))?;
        Ok(Some(info))
    }

    /// Every upload of a commune (infos that cannot be read are skipped).
    pub async fn list(&self, commune_id: &str) -> Result<Vec<UploadInfo>, TusError> {
        let dir = self.commune_dir(commune_id)?;
        blocking(move || {
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(e) => return Err(e.into()),
            };
            let mut infos = Vec::new();
            for entry in entries {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "json") {
                    if let Ok(bytes) = std::fs::read(&path) {
                        if let Ok(info) = serde_json::from_slice::<UploadInfo>(&bytes) {
                            infos.push(info);
                        }
                    }
                }
            }
            Ok(infos)
        })
        .await
    }

    /// Replaces the stored info atomically.
    pub async fn commit(&self, info: &UploadInfo) -> Result<(), TusError> {
        let id = UploadId::parse(&info.id).ok_or_else(|| TusError::internal("bad upload id"))?;
        let path = self.info_path(&info.commune_id, &id)?;
        let info = info.clone();
        blocking(move || write_info(&path, &info)).await
    }

    /// Forgets an upload: its info first (so it is gone for clients), then its bytes.
    pub async fn remove(&self, commune_id: &str, id: &UploadId) -> Result<(), TusError> {
        let info = self.info_path(commune_id, id)?;
        let part = self.part_path(commune_id, id)?;
        blocking(move || {
            remove_if_exists(&info)?;
            remove_if_exists(&part)?;
            Ok(sync_dir(
                info.parent().expect("an upload file has a directory"),
            )?)
        })
        .await
    }

    /// Opens the part file for writing at `offset`, cutting off anything past it (bytes
    /// of a chunk that was discarded or never committed).
    pub async fn open_part_at(
        &self,
        commune_id: &str,
        id: &UploadId,
        offset: u64,
    ) -> Result<tokio::fs::File, TusError> {
        let path = self.part_path(commune_id, id)?;
        let file = blocking(move || {
            let mut file = std::fs::OpenOptions::new().write(true).open(&path)?;
            file.set_len(offset)?;
            file.seek(SeekFrom::Start(offset))?;
            Ok(file)
        })
        .await?;
        Ok(tokio::fs::File::from_std(file))
    }

    /// The SHA-256 of the first `length` bytes of the part file, or `None` when the
    /// file is missing or shorter.
    pub async fn hash_part(
        &self,
        commune_id: &str,
        id: &UploadId,
        length: u64,
    ) -> Result<Option<BlobId>, TusError> {
        let path = self.part_path(commune_id, id)?;
        blocking(move || {
            let file = match std::fs::File::open(&path) {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            let mut hasher = Sha256::new();
            let mut reader = file.take(length);
            let mut buf = vec![0u8; 64 * 1024];
            let mut total = 0u64;
            loop {
                let n = reader.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                total += n as u64;
            }
            if total != length {
                return Ok(None);
            }
            Ok(Some(BlobId::from_digest(&hasher.finalize().into())))
        })
        .await
    }
}

fn write_info(path: &Path, info: &UploadInfo) -> Result<(), TusError> {
    let tmp = path.with_extension("json.tmp");
    let json = serde_json::to_vec(info).map_err(TusError::internal)?;
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(&json)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    sync_dir(path.parent().expect("an upload file has a directory"))?;
    Ok(())
}

fn remove_if_exists(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, TusError> + Send + 'static,
) -> Result<T, TusError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(TusError::internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &UploadId) -> UploadInfo {
        UploadInfo {
            id: id.as_str().to_string(),
            device_id: "d1".into(),
            commune_id: "0191d5a4-0000-7000-8000-000000000001".into(),
            length: 10,
            offset: 0,
            sha256: hex::encode(Sha256::digest(b"0123456789")),
            metadata: String::new(),
            filename: None,
            filetype: None,
            created_at: 0,
            published: false,
        }
    }

    #[test]
    fn upload_ids_are_random_hex_and_nothing_else_parses() {
        let a = UploadId::random().unwrap();
        let b = UploadId::random().unwrap();
        assert_ne!(a, b);
        assert_eq!(UploadId::parse(a.as_str()), Some(a));
        for bad in [
            "",
            "..",
            "../../etc/passwd",
            "0123456789ABCDEF0123456789abcdef",
        ] {
            assert!(UploadId::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn bytes_past_the_committed_offset_are_cut_off_before_the_next_write() {
        use tokio::io::AsyncWriteExt;
        let dir = tempfile::tempdir().unwrap();
        let store = UploadStore::open(dir.path()).unwrap();
        let id = UploadId::random().unwrap();
        let mut info = info(&id);
        store.create(&info).await.unwrap();

        let mut part = store.open_part_at(&info.commune_id, &id, 0).await.unwrap();
        part.write_all(b"01234").await.unwrap();
        part.sync_data().await.unwrap();
        info.offset = 5;
        store.commit(&info).await.unwrap();

        // A chunk that was never committed (a crash, a discarded chunk).
        let mut part = store.open_part_at(&info.commune_id, &id, 5).await.unwrap();
        part.write_all(b"XXX").await.unwrap();
        part.sync_data().await.unwrap();
        drop(part);

        let loaded = store.load(&info.commune_id, &id).await.unwrap().unwrap();
        assert_eq!(loaded.offset, 5);
        let mut part = store
            .open_part_at(&info.commune_id, &id, loaded.offset)
            .await
            .unwrap();
        part.write_all(b"56789").await.unwrap();
        part.sync_data().await.unwrap();
        let hash = store.hash_part(&info.commune_id, &id, 10).await.unwrap();
        assert_eq!(hash.unwrap().as_str(), info.sha256);

        store.remove(&info.commune_id, &id).await.unwrap();
        assert!(store.load(&info.commune_id, &id).await.unwrap().is_none());
        assert!(store
            .hash_part(&info.commune_id, &id, 10)
            .await
            .unwrap()
            .is_none());
    }
}

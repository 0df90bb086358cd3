//! Where unfinished uploads live, so an upload survives a restart and a phone resumes
//! from the offset HEAD reports. Two places behind the same operations:
//!
//! - **On the local disk** (the default, one server process):
//!   `<root>/<commune_id>/<upload_id>.part` holds the bytes received so far and
//!   `<upload_id>.json` the [`UploadInfo`]. The info's `offset` only moves after the bytes
//!   before it are fsynced, and the info is replaced atomically (write, fsync, rename), so
//!   a crash mid-chunk never reports bytes that are not on disk; whatever lies past the
//!   offset in the part file is cut off before the next chunk is written.
//! - **In the database** (`[uploads] state = "database"`, several processes on one
//!   PostgreSQL): a `tus_uploads` row per upload and its committed bytes as `tus_chunks`
//!   rows, one per committed piece. A piece is inserted in the same transaction that moves
//!   the offset, and only if the offset is still the one the piece was written at, so two
//!   processes taking chunks of the same upload (a phone whose requests the load balancer
//!   spreads, a takeover after a dead connection) can never both commit at one offset: the
//!   loser gets 409 and the current offset. Nothing of an upload stays on a process's
//!   disk except, for the seconds of publication, the reassembled file handed to the blob
//!   store. A phone's HEAD or PATCH can reach any process.

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::error::TusError;
use crate::blobs::{sync_dir, BlobId};
use crate::storage::{self, Storage, StorageError, StorageResult, TusUploadRow};

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

/// Where unfinished uploads live (see the module documentation).
#[derive(Clone)]
pub enum UploadStore {
    Disk(DiskUploads),
    Database(DatabaseUploads),
}

/// Bytes of one request received and not yet committed, written at `offset`.
pub enum Pending {
    /// Written into the part file as they arrive (fsynced before the commit).
    File {
        file: tokio::fs::File,
        offset: u64,
        written: u64,
    },
    /// Held until the commit inserts them.
    Buffer { bytes: Vec<u8>, offset: u64 },
}

/// The pieces a database upload commits while a long chunk without a checksum is still
/// arriving, so a request never holds more than this in memory (and a cut loses at most
/// this much).
pub const DATABASE_PIECE: usize = 1024 * 1024;

impl Pending {
    pub async fn write_all(&mut self, data: &[u8]) -> Result<(), TusError> {
        match self {
            Pending::File { file, written, .. } => {
                file.write_all(data).await?;
                *written += data.len() as u64;
            }
            Pending::Buffer { bytes, .. } => bytes.extend_from_slice(data),
        }
        Ok(())
    }

    /// Forgets what was written (a discarded or refused chunk): the part file is cut
    /// back to the offset.
    pub async fn discard(self) -> Result<(), TusError> {
        if let Pending::File { file, offset, .. } = self {
            file.set_len(offset).await?;
        }
        Ok(())
    }

    /// Whether the bytes held should be committed now rather than at the end of the
    /// request (only a database upload holds bytes in memory).
    pub fn is_full(&self) -> bool {
        matches!(self, Pending::Buffer { bytes, .. } if bytes.len() >= DATABASE_PIECE)
    }
}

/// A whole upload, reassembled and verified, ready for the blob store.
pub struct Assembled {
    pub hash: BlobId,
    /// The file to publish: the part file itself on disk, a scratch copy for a database
    /// upload (removed if publishing fails).
    pub path: PathBuf,
    scratch: bool,
    /// The last piece (a database upload's, still to be inserted at commit).
    last: Option<(u64, Vec<u8>)>,
}

impl Assembled {
    /// Removes a scratch copy the blob store did not take.
    pub async fn clean_up(&self) {
        if self.scratch {
            let _ = tokio::fs::remove_file(&self.path).await;
        }
    }
}

impl UploadStore {
    /// On the local disk under `root`.
    pub fn on_disk(root: impl Into<PathBuf>) -> io::Result<UploadStore> {
        Ok(UploadStore::Disk(DiskUploads::open(root)?))
    }

    /// In the database; `scratch` is a local directory for reassembling a finished
    /// upload before it is handed to the blob store.
    pub fn in_database(
        storage: Arc<dyn Storage>,
        scratch: impl Into<PathBuf>,
    ) -> io::Result<UploadStore> {
        let scratch = scratch.into();
        std::fs::create_dir_all(&scratch)?;
        Ok(UploadStore::Database(DatabaseUploads { storage, scratch }))
    }

    /// Records a new upload (already published when the store had its bytes).
    pub async fn create(&self, info: &UploadInfo) -> Result<(), TusError> {
        match self {
            UploadStore::Disk(disk) => disk.create(info).await,
            UploadStore::Database(db) => db.create(info).await,
        }
    }

    /// The upload `id` of a commune, if there is one.
    pub async fn load(
        &self,
        commune_id: &str,
        id: &UploadId,
    ) -> Result<Option<UploadInfo>, TusError> {
        match self {
            UploadStore::Disk(disk) => disk.load(commune_id, id).await,
            UploadStore::Database(db) => db.load(commune_id, id).await,
        }
    }

    /// Every upload of a commune (to expire the abandoned ones and count a device's quota).
    pub async fn list(&self, commune_id: &str) -> Result<Vec<UploadInfo>, TusError> {
        match self {
            UploadStore::Disk(disk) => disk.list(commune_id).await,
            UploadStore::Database(db) => db.list(commune_id).await,
        }
    }

    /// Forgets an upload and its bytes.
    pub async fn remove(&self, commune_id: &str, id: &UploadId) -> Result<(), TusError> {
        match self {
            UploadStore::Disk(disk) => disk.remove(commune_id, id).await,
            UploadStore::Database(db) => db.remove(id).await,
        }
    }

    /// Starts receiving bytes at `offset` (on disk, anything past it is cut off first).
    pub async fn begin(
        &self,
        commune_id: &str,
        id: &UploadId,
        offset: u64,
    ) -> Result<Pending, TusError> {
        match self {
            UploadStore::Disk(disk) => Ok(Pending::File {
                file: disk.open_part_at(commune_id, id, offset).await?,
                offset,
                written: 0,
            }),
            UploadStore::Database(_) => Ok(Pending::Buffer {
                bytes: Vec::new(),
                offset,
            }),
        }
    }

    /// Makes `pending` durable and moves `info.offset` past it. A database upload whose
    /// offset moved meanwhile (another process committed first) keeps nothing and gets
    /// [`TusError::OffsetMismatch`] with the current offset.
    pub async fn commit_chunk(
        &self,
        info: &mut UploadInfo,
        pending: Pending,
    ) -> Result<(), TusError> {
        match pending {
            Pending::File {
                mut file,
                offset,
                written,
            } => {
                file.flush().await?;
                file.sync_data().await?;
                drop(file);
                let UploadStore::Disk(disk) = self else {
                    return Err(TusError::internal("a part file for a database upload"));
                };
                let mut next = info.clone();
                next.offset = offset + written;
                disk.commit(&next).await?;
                *info = next;
                Ok(())
            }
            Pending::Buffer { bytes, offset } => {
                let UploadStore::Database(db) = self else {
                    return Err(TusError::internal("a buffer for a disk upload"));
                };
                let mut next = info.clone();
                next.offset = offset + bytes.len() as u64;
                db.commit(&next, offset, Some((offset, bytes))).await?;
                *info = next;
                Ok(())
            }
        }
    }

    /// The whole file: the committed bytes and then `last` (the final request's, not
    /// committed yet), hashed. `None` when bytes are missing.
    pub async fn assemble(
        &self,
        info: &UploadInfo,
        last: Option<Pending>,
    ) -> Result<Option<Assembled>, TusError> {
        let id = UploadId::parse(&info.id).ok_or_else(|| TusError::internal("bad upload id"))?;
        match self {
            UploadStore::Disk(disk) => {
                if let Some(Pending::File { mut file, .. }) = last {
                    file.flush().await?;
                    file.sync_data().await?;
                }
                let hash = disk.hash_part(&info.commune_id, &id, info.length).await?;
                Ok(hash.map(|hash| Assembled {
                    hash,
                    path: disk
                        .part_path(&info.commune_id, &id)
                        .expect("a checked commune id"),
                    scratch: false,
                    last: None,
                }))
            }
            UploadStore::Database(db) => {
                let last = match last {
                    Some(Pending::Buffer { bytes, offset }) => Some((offset, bytes)),
                    _ => None,
                };
                db.assemble(info, last).await
            }
        }
    }

    /// Records that the upload is whole and verified (`info.offset` = length), with the
    /// last piece of a database upload.
    pub async fn commit_complete(
        &self,
        info: &mut UploadInfo,
        assembled: &mut Assembled,
    ) -> Result<(), TusError> {
        let mut next = info.clone();
        next.offset = info.length;
        next.published = false;
        match self {
            UploadStore::Disk(disk) => disk.commit(&next).await?,
            UploadStore::Database(db) => {
                db.commit(&next, info.offset, assembled.last.take()).await?
            }
        }
        *info = next;
        Ok(())
    }

    /// Records that the blob store holds the upload's bytes; a database upload's pieces
    /// are deleted.
    pub async fn mark_published(&self, info: &mut UploadInfo) -> Result<(), TusError> {
        let mut next = info.clone();
        next.published = true;
        match self {
            UploadStore::Disk(disk) => disk.commit(&next).await?,
            UploadStore::Database(db) => db.publish(&next).await?,
        }
        *info = next;
        Ok(())
    }
}

/// Unfinished uploads as rows of the server's database.
#[derive(Clone)]
pub struct DatabaseUploads {
    storage: Arc<dyn Storage>,
    scratch: PathBuf,
}

impl DatabaseUploads {
    fn row(info: &UploadInfo) -> Result<TusUploadRow, TusError> {
        Ok(TusUploadRow {
            id: info.id.clone(),
            commune_id: info.commune_id.clone(),
            offset: info.offset,
            info_json: serde_json::to_string(info).map_err(TusError::internal)?,
            created_at: info.created_at,
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Storage) -> StorageResult<T> + Send + 'static,
    ) -> Result<T, TusError> {
        let storage = self.storage.clone();
        blocking(move || f(&*storage).map_err(storage_error)).await
    }

    async fn create(&self, info: &UploadInfo) -> Result<(), TusError> {
        let row = Self::row(info)?;
        self.run(move |s| storage::write(s, |tx| tx.insert_tus_upload(&row)))
            .await
    }

    fn info(row: TusUploadRow) -> Result<UploadInfo, TusError> {
        let mut info: UploadInfo = serde_json::from_str(&row.info_json)
            .map_err(|e| TusError::internal(format!("upload {}: {e}", row.id)))?;
        info.offset = row.offset;
        Ok(info)
    }

    async fn load(&self, commune_id: &str, id: &UploadId) -> Result<Option<UploadInfo>, TusError> {
        let (commune, id) = (commune_id.to_string(), id.as_str().to_string());
        let row = self
            .run(move |s| storage::read(s, |tx| tx.tus_upload(&commune, &id)))
            .await?;
        row.map(Self::info).transpose()
    }

    /// The commune's uploads (rows that cannot be read are skipped, as on disk).
    async fn list(&self, commune_id: &str) -> Result<Vec<UploadInfo>, TusError> {
        let commune = commune_id.to_string();
        let rows = self
            .run(move |s| storage::read(s, |tx| tx.tus_uploads(&commune)))
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Self::info(r).ok())
            .collect())
    }

    async fn remove(&self, id: &UploadId) -> Result<(), TusError> {
        let id = id.as_str().to_string();
        self.run(move |s| storage::write(s, |tx| tx.delete_tus_upload(&id)))
            .await
    }

    /// Moves the row from `expected_offset` to `next`, inserting `piece`, all or nothing.
    async fn commit(
        &self,
        next: &UploadInfo,
        expected_offset: u64,
        piece: Option<(u64, Vec<u8>)>,
    ) -> Result<(), TusError> {
        let row = Self::row(next)?;
        let (commune, id) = (next.commune_id.clone(), next.id.clone());
        let moved = self
            .run(move |s| {
                storage::write(s, |tx| {
                    if !tx.update_tus_upload(&row, expected_offset)? {
                        return Ok(false);
                    }
                    if let Some((offset, bytes)) = piece.as_ref().filter(|(_, b)| !b.is_empty()) {
                        tx.insert_tus_chunk(&row.id, *offset, bytes)?;
                    }
                    Ok(true)
                })
            })
            .await?;
        if moved {
            return Ok(());
        }
        let current = self
            .run(move |s| storage::read(s, |tx| tx.tus_upload(&commune, &id)))
            .await?;
        match current {
            Some(row) => Err(TusError::OffsetMismatch {
                current: row.offset,
            }),
            None => Err(TusError::NotFound),
        }
    }

    async fn publish(&self, info: &UploadInfo) -> Result<(), TusError> {
        let row = Self::row(info)?;
        let offset = info.offset;
        self.run(move |s| {
            storage::write(s, |tx| {
                tx.update_tus_upload(&row, offset)?;
                tx.delete_tus_chunks(&row.id)
            })
        })
        .await
    }

    /// Reads the committed pieces in order into a scratch file, then `last`, hashing as
    /// it goes; `None` when a piece is missing or the total is not the length.
    async fn assemble(
        &self,
        info: &UploadInfo,
        last: Option<(u64, Vec<u8>)>,
    ) -> Result<Option<Assembled>, TusError> {
        let storage = self.storage.clone();
        let mut name = [0u8; 8];
        getrandom::fill(&mut name).map_err(|e| TusError::internal(format!("getrandom: {e}")))?;
        let path = self
            .scratch
            .join(format!("{}.{}", info.id, hex::encode(name)));
        let (info, target) = (info.clone(), path.clone());
        let result = blocking(move || {
            let mut file = std::fs::File::create(&target)?;
            let mut hasher = Sha256::new();
            let mut at = 0u64;
            let committed = match &last {
                Some((offset, _)) => *offset,
                None => info.offset,
            };
            while at < committed {
                let id = info.id.clone();
                let piece =
                    storage::read(&*storage, |tx| tx.tus_chunk(&id, at)).map_err(storage_error)?;
                let Some(piece) = piece.filter(|p| !p.is_empty()) else {
                    return Ok((None, last));
                };
                hasher.update(&piece);
                file.write_all(&piece)?;
                at += piece.len() as u64;
            }
            if let Some((_, bytes)) = &last {
                hasher.update(bytes);
                file.write_all(bytes)?;
                at += bytes.len() as u64;
            }
            if at != info.length {
                return Ok((None, last));
            }
            file.sync_all()?;
            Ok((Some(BlobId::from_digest(&hasher.finalize().into())), last))
        })
        .await;
        match result {
            Ok((Some(hash), last)) => Ok(Some(Assembled {
                hash,
                path,
                scratch: true,
                last,
            })),
            other => {
                let _ = tokio::fs::remove_file(&path).await;
                other.map(|_| None)
            }
        }
    }
}

fn storage_error(e: StorageError) -> TusError {
    match e {
        StorageError::Unavailable(detail) => TusError::internal(format!("database: {detail}")),
        other => TusError::internal(other),
    }
}

/// The upload directory.
#[derive(Clone, Debug)]
pub struct DiskUploads {
    root: PathBuf,
}

impl DiskUploads {
    pub fn open(root: impl Into<PathBuf>) -> io::Result<DiskUploads> {
        let root = root.into();
        std::fs::create_dir_all(&root)?;
        Ok(DiskUploads { root })
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
        let store = DiskUploads::open(dir.path()).unwrap();
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

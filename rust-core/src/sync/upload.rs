//! The photo queue: after their records, photos go up by tus 1.0 in small chunks. The
//! upload URL is kept in the store, so an app restart resumes the upload; the offset is
//! always asked from the server (HEAD) after a restart or a failed chunk, never taken
//! from our own notes, since the server may have kept part of a chunk whose answer was
//! lost.

use chibo_domain::sync::UPLOADS_PATH;
use reqwest::Url;
use sha2::{Digest, Sha256};

use super::attention::{PHOTO_CORRUPT, PHOTO_MISSING, PHOTO_REFUSED, PHOTO_TOO_LARGE};
use super::engine::{Engine, Progress};
use super::error::SyncError;
use super::transport::{endpoint, PatchOutcome};
use crate::store::{AttentionSubject, NewAttention, PhotoUpload, SyncAccount};

/// A server that loses the same upload this often is not going to keep it.
const MAX_RESTARTS: u32 = 3;

/// Why one photo did not go up.
enum PhotoFailure {
    /// Nothing will make this photo go up as it is: it leaves the queue for the
    /// needs-attention list, and the queue goes on.
    Unsendable { code: &'static str, reason: String },
    /// The network, the server or the device itself: the queue stops, the photo stays.
    Stop(SyncError),
}

impl From<SyncError> for PhotoFailure {
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::TooLarge => PhotoFailure::Unsendable {
                code: PHOTO_TOO_LARGE,
                reason: "Ảnh lớn hơn giới hạn máy chủ cho phép.".into(),
            },
            SyncError::Refused { message, .. } => PhotoFailure::Unsendable {
                code: PHOTO_REFUSED,
                reason: message,
            },
            other => PhotoFailure::Stop(other),
        }
    }
}

impl From<crate::store::StoreError> for PhotoFailure {
    fn from(error: crate::store::StoreError) -> Self {
        PhotoFailure::Stop(error.into())
    }
}

impl Engine {
    /// Uploads every queued photo, in the order their records were accepted.
    pub(super) fn upload_photos(
        &self,
        account: &SyncAccount,
        progress: &mut Progress,
    ) -> Result<(), SyncError> {
        let queue = self.store().pending_photo_uploads()?;
        for photo in queue {
            match self.upload_photo(account, &photo) {
                Ok(()) => {
                    let now = self.now();
                    self.store().finish_photo_upload(&photo.sha256, now)?;
                    progress.photos_uploaded += 1;
                }
                Err(PhotoFailure::Unsendable { code, reason }) => {
                    let now = self.now();
                    self.store().fail_photo_upload(
                        &NewAttention {
                            subject: AttentionSubject::Photo,
                            device_seq: None,
                            entity_kind: "photo".into(),
                            entity_id: photo.sha256.clone(),
                            what: format!("Ảnh {}", short_hash(&photo.sha256)),
                            code: code.into(),
                            reason,
                        },
                        now,
                    )?;
                }
                Err(PhotoFailure::Stop(error)) => {
                    let now = self.now();
                    // Counting the try must not hide why it failed.
                    let _ = self.store().note_photo_upload_error(
                        &photo.sha256,
                        &error.to_string(),
                        now,
                    );
                    return Err(error);
                }
            }
        }
        Ok(())
    }

    fn upload_photo(&self, account: &SyncAccount, photo: &PhotoUpload) -> Result<(), PhotoFailure> {
        let bytes = self.read_photo(&photo.sha256)?;
        let length = bytes.len() as u64;
        let credential = account.credential.as_str();
        let sleeper = self.sleeper.as_ref();
        let retry = &self.config.retry;
        let chunk_size = self.config.chunk_size.max(1) as u64;

        // A stored URL that does not parse is as good as none: start again.
        let mut url: Option<Url> = photo.upload_url.as_deref().and_then(|u| Url::parse(u).ok());
        // The server's offset, when we have its word for it; `None` = ask with HEAD.
        let mut offset: Option<u64> = None;
        let mut restarts = 0;
        let mut failures = 0;

        loop {
            let Some(upload) = url.clone() else {
                let created = retry.run(sleeper, |_| {
                    let uploads = endpoint(&account.server_url, UPLOADS_PATH)?;
                    self.transport
                        .tus_create(uploads, credential, length, &photo.sha256)
                })?;
                let start = created.offset.unwrap_or(0);
                self.remember(&photo.sha256, Some(&created.url), start)?;
                url = Some(created.url);
                offset = Some(start);
                continue;
            };
            let at = match offset {
                Some(at) => at,
                None => match retry.run(sleeper, |_| {
                    self.transport.tus_offset(upload.clone(), credential)
                })? {
                    Some(at) => {
                        self.remember(&photo.sha256, Some(&upload), at)?;
                        at
                    }
                    None => {
                        // The server lost the upload: create a new one.
                        restarts += 1;
                        if restarts > MAX_RESTARTS {
                            return Err(lost_uploads().into());
                        }
                        self.remember(&photo.sha256, None, 0)?;
                        url = None;
                        continue;
                    }
                },
            };
            if at > length {
                return Err(PhotoFailure::Stop(SyncError::Garbage {
                    detail: format!("máy chủ báo đã nhận {at} byte của ảnh {length} byte"),
                }));
            }
            if at == length {
                return Ok(());
            }

            let end = (at + chunk_size).min(length);
            let chunk = &bytes[at as usize..end as usize];
            match self
                .transport
                .tus_patch(upload.clone(), credential, at, chunk)
            {
                Ok(PatchOutcome::Offset(next)) if next > at && next <= length => {
                    failures = 0;
                    self.remember(&photo.sha256, Some(&upload), next)?;
                    offset = Some(next);
                }
                Ok(PatchOutcome::Offset(next)) => {
                    return Err(PhotoFailure::Stop(SyncError::Garbage {
                        detail: format!("vị trí tải lên {next} sau khi gửi từ {at}"),
                    }));
                }
                Ok(PatchOutcome::OffsetConflict) => offset = None,
                Ok(PatchOutcome::Gone) => {
                    restarts += 1;
                    if restarts > MAX_RESTARTS {
                        return Err(lost_uploads().into());
                    }
                    self.remember(&photo.sha256, None, 0)?;
                    url = None;
                    offset = None;
                }
                // A chunk damaged on the way is a network failure like a dropped one.
                Ok(PatchOutcome::ChecksumMismatch) => {
                    self.back_off(
                        &mut failures,
                        SyncError::Network(super::NetworkProblem::Other),
                    )?;
                    offset = None;
                }
                Err(e) if e.is_transient() => {
                    self.back_off(&mut failures, e)?;
                    // The server may have kept part of the chunk: ask before resending.
                    offset = None;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Counts a failed chunk and waits, or gives up with `error` when the tries run out.
    fn back_off(&self, failures: &mut u32, error: SyncError) -> Result<(), SyncError> {
        *failures += 1;
        if *failures >= self.config.retry.max_attempts.max(1) {
            return Err(error);
        }
        self.sleeper.sleep(self.config.retry.delay(*failures));
        Ok(())
    }

    fn remember(&self, sha256: &str, url: Option<&Url>, offset: u64) -> Result<(), SyncError> {
        let now = self.now();
        self.store()
            .set_photo_upload(sha256, url.map(Url::as_str), offset, now)?;
        Ok(())
    }

    /// The photo's bytes, checked against the hash it is stored (and referenced) by.
    fn read_photo(&self, sha256: &str) -> Result<Vec<u8>, PhotoFailure> {
        // The file name chibo_photo stores a processed photo under.
        let path = self.photo_dir.join(format!("{sha256}.jpg"));
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(PhotoFailure::Unsendable {
                    code: PHOTO_MISSING,
                    reason: format!("Không tìm thấy tệp ảnh {} trên máy.", path.display()),
                })
            }
            Err(e) => {
                return Err(PhotoFailure::Unsendable {
                    code: PHOTO_CORRUPT,
                    reason: format!("Không đọc được tệp ảnh {}: {e}.", path.display()),
                })
            }
        };
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            return Err(PhotoFailure::Unsendable {
                code: PHOTO_CORRUPT,
                reason: format!(
                    "Tệp ảnh {} đã bị hỏng (nội dung không còn khớp mã băm).",
                    path.display()
                ),
            });
        }
        Ok(bytes)
    }
}

fn lost_uploads() -> SyncError {
    SyncError::Garbage {
        detail: "máy chủ nhiều lần làm mất phần ảnh đã tải lên".into(),
    }
}

fn short_hash(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

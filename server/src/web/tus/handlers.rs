//! The HTTP handlers. Each does its work in a spawned task, so a connection that drops
//! mid-request cannot cancel a commit half-way (axum drops a handler's future when its
//! connection goes away).

use std::pin::Pin;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::error::TusError;
use super::lock::UploadGuard;
use super::protocol::{
    self, check_offset_content_type, check_resumable, has_offset_content_type, u64_header,
    ChunkChecksum, ChunkHasher, CHECKSUM_ALGORITHMS, TUS_EXTENSIONS,
};
use super::store::{Assembled, Pending, UploadId, UploadInfo};
use super::version::{TUS_RESUMABLE, TUS_VERSION};
use super::{TusState, Uploader};
use crate::blobs::{BlobError, BlobId};

const UPLOAD_OFFSET: &str = "upload-offset";
const UPLOAD_LENGTH: &str = "upload-length";

pub async fn options(State(state): State<TusState>) -> Response {
    let max = state.inner.config.max_size;
    tus_response(
        StatusCode::NO_CONTENT,
        [
            ("tus-version", TUS_VERSION.to_string()),
            ("tus-extension", TUS_EXTENSIONS.to_string()),
            ("tus-max-size", max.to_string()),
            ("tus-checksum-algorithm", CHECKSUM_ALGORITHMS.to_string()),
        ],
    )
}

pub async fn create(State(state): State<TusState>, headers: HeaderMap, body: Body) -> Response {
    spawned(async move { state.create(headers, body).await }).await
}

pub async fn head(
    State(state): State<TusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let id = upload_id(path);
    spawned(async move { state.head(id, headers).await }).await
}

pub async fn patch(
    State(state): State<TusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let id = upload_id(path);
    spawned(async move { state.patch(id, headers, body).await }).await
}

pub async fn delete(
    State(state): State<TusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let id = upload_id(path);
    spawned(async move { state.delete(id, headers).await }).await
}

pub async fn read_blob(
    State(state): State<TusState>,
    // Not `Path<String>`: a capture that is not valid percent-encoded UTF-8 must get our
    // 400 too, and it is never a valid id anyway.
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let id = path.ok().and_then(|Path(text)| BlobId::parse(&text));
    spawned(async move { state.read_blob(id, headers).await }).await
}

/// The upload id in the path; one that is not valid UTF-8 is no upload (404 once the
/// credential is checked).
fn upload_id(path: Result<Path<String>, PathRejection>) -> String {
    path.map(|Path(id)| id).unwrap_or_default()
}

async fn spawned(
    work: impl std::future::Future<Output = Result<Response, TusError>> + Send + 'static,
) -> Response {
    match tokio::spawn(work).await {
        Ok(Ok(response)) => response,
        Ok(Err(error)) => error.into_response(),
        Err(panic) => TusError::internal(panic).into_response(),
    }
}

/// A tus answer: `Tus-Resumable` and the given headers, no body.
fn tus_response<const N: usize>(
    status: StatusCode,
    headers: [(&'static str, String); N],
) -> Response {
    let mut response = status.into_response();
    let map = response.headers_mut();
    map.insert(TUS_RESUMABLE, HeaderValue::from_static(TUS_VERSION));
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            map.insert(HeaderName::from_static(name), value);
        }
    }
    response
}

/// How a chunk's body ended.
enum BodyEnd {
    /// All of it arrived.
    Complete,
    /// The connection broke, went silent, or a newer request took the upload over.
    Cut(&'static str),
}

impl TusState {
    async fn authenticate(&self, headers: &HeaderMap) -> Result<Uploader, TusError> {
        let auth = self.inner.auth.clone();
        let headers = headers.clone();
        tokio::task::spawn_blocking(move || auth.authenticate(&headers))
            .await
            .map_err(TusError::internal)?
    }

    /// Whether an unfinished upload was abandoned past the configured expiry.
    fn expired(&self, info: &UploadInfo) -> bool {
        let expiry = i64::try_from(self.inner.config.expiry.as_millis()).unwrap_or(i64::MAX);
        !info.is_complete() && self.inner.clock.now().saturating_sub(info.created_at) >= expiry
    }

    /// Removes the commune's expired uploads (each under its lock) and returns the bytes
    /// `uploader` has in unfinished ones.
    async fn sweep(&self, uploader: &Uploader) -> Result<u64, TusError> {
        let mut in_flight = 0u64;
        for info in self.inner.uploads.list(&uploader.commune_id).await? {
            let Some(id) = UploadId::parse(&info.id) else {
                continue;
            };
            if self.expired(&info) {
                let _guard = self.inner.locks.acquire(id.as_str()).await;
                // Looked at again under the lock: a PATCH may have just finished it.
                if let Some(now) = self.inner.uploads.load(&info.commune_id, &id).await? {
                    if self.expired(&now) {
                        self.inner.uploads.remove(&now.commune_id, &id).await?;
                        tracing::info!(upload = id.as_str(), "tus: expired upload removed");
                    }
                }
            } else if info.device_id == uploader.device_id && !info.is_complete() {
                in_flight = in_flight.saturating_add(info.length);
            }
        }
        Ok(in_flight)
    }

    /// The upload `id` of this device, locked, with an interrupted publication finished.
    async fn locked_upload(
        &self,
        uploader: &Uploader,
        id: &str,
    ) -> Result<(UploadId, UploadGuard, UploadInfo), TusError> {
        let id = UploadId::parse(id).ok_or(TusError::NotFound)?;
        let guard = self.inner.locks.acquire(id.as_str()).await;
        let info = self
            .inner
            .uploads
            .load(&uploader.commune_id, &id)
            .await?
            .filter(|info| info.device_id == uploader.device_id)
            .ok_or(TusError::NotFound)?;
        if self.expired(&info) {
            self.inner.uploads.remove(&info.commune_id, &id).await?;
            tracing::info!(upload = id.as_str(), "tus: expired upload removed");
            return Err(TusError::Expired);
        }
        let info = self.settle(&id, info).await?;
        Ok((id, guard, info))
    }

    async fn create(&self, headers: HeaderMap, body: Body) -> Result<Response, TusError> {
        // The credential first: nothing else of a stranger's request is read.
        let uploader = self.authenticate(&headers).await?;
        check_resumable(&headers)?;
        if headers.contains_key("upload-defer-length") {
            return Err(TusError::bad_request(
                "Máy chủ không hỗ trợ Upload-Defer-Length; hãy gửi Upload-Length.",
            ));
        }
        let length = u64_header(&headers, UPLOAD_LENGTH)?.ok_or_else(|| {
            TusError::bad_request("Thiếu tiêu đề Upload-Length (kích thước ảnh).")
        })?;
        if length == 0 {
            return Err(TusError::bad_request(
                "Ảnh rỗng (0 byte), không thể tải lên.",
            ));
        }
        let max = self.inner.config.max_size;
        if length > max {
            return Err(TusError::TooLarge(format!(
                "Ảnh quá lớn: {length} byte, máy chủ chỉ nhận tối đa {max} byte."
            )));
        }
        let metadata = protocol::parse_metadata(&headers)?;
        let with_data = has_offset_content_type(&headers);
        let checksum = if with_data {
            protocol::parse_checksum(&headers)?
        } else {
            None
        };

        // Abandoned uploads of the commune go first; then this device's bytes in flight.
        let in_flight = self.sweep(&uploader).await?;
        let quota = self.inner.config.device_quota;
        if in_flight.saturating_add(length) > quota {
            return Err(TusError::Quota(format!(
                "Thiết bị đang có {in_flight} byte ảnh tải dở; máy chủ chỉ nhận tối đa {quota} \
                 byte tải dở cho mỗi thiết bị. Hãy tải xong (hoặc hủy) các ảnh đang tải rồi thử lại."
            )));
        }
        let id = UploadId::random()?;
        // Same hash and same size: the server already has these bytes. A blob store that
        // cannot be reached just now does not stop the upload: its bytes wait on the local
        // disk, and the store is asked again when they are all there.
        let known = match self.inner.blobs.size(&metadata.sha256).await {
            Ok(size) => size == Some(length),
            Err(BlobError::Backend(detail)) => {
                tracing::warn!(%detail, "tus: blob store unavailable at creation");
                false
            }
            Err(e) => return Err(e.into()),
        };
        // Only a device whose scope holds the blob skips sending it.
        let known = known && {
            let (auth, who, blob) = (
                self.inner.auth.clone(),
                uploader.clone(),
                metadata.sha256.clone(),
            );
            tokio::task::spawn_blocking(move || auth.holds_blob(&who, &blob))
                .await
                .map_err(TusError::internal)??
        };
        let mut info = UploadInfo {
            id: id.as_str().to_string(),
            device_id: uploader.device_id.clone(),
            commune_id: uploader.commune_id.clone(),
            length,
            offset: if known { length } else { 0 },
            sha256: metadata.sha256.as_str().to_string(),
            metadata: metadata.raw,
            filename: metadata.filename,
            filetype: metadata.filetype,
            created_at: self.inner.clock.now(),
            published: known,
        };
        let guard = self.inner.locks.acquire(id.as_str()).await;
        self.inner.uploads.create(&info).await?;
        if known {
            self.announce(&info).await;
        }
        tracing::info!(
            upload = id.as_str(),
            device = uploader.device_id,
            length,
            sha256 = info.sha256,
            deduplicated = known,
            "tus: upload created"
        );

        if with_data && !known {
            if let Err(e) = self
                .write_chunk(&guard, &id, &mut info, 0, checksum, body)
                .await
            {
                let uploads = &self.inner.uploads;
                if uploads.load(&info.commune_id, &id).await?.is_none() {
                    // The whole file was wrong and the upload is gone.
                    return Err(e);
                }
                // The upload exists; the client resumes from the offset it is told.
                tracing::info!(upload = id.as_str(), "tus: first chunk not kept: {e}");
            }
        }
        let mut response = tus_response(
            StatusCode::CREATED,
            [
                ("location", location(&id)),
                (UPLOAD_OFFSET, info.offset.to_string()),
            ],
        );
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(response)
    }

    async fn head(&self, id: String, headers: HeaderMap) -> Result<Response, TusError> {
        // The credential first: nothing else of a stranger's request is read.
        let uploader = self.authenticate(&headers).await?;
        check_resumable(&headers)?;
        let (_, _guard, info) = self.locked_upload(&uploader, &id).await?;
        let mut response = tus_response(
            StatusCode::OK,
            [
                (UPLOAD_OFFSET, info.offset.to_string()),
                (UPLOAD_LENGTH, info.length.to_string()),
                ("cache-control", "no-store".to_string()),
            ],
        );
        if !info.metadata.is_empty() {
            if let Ok(value) = HeaderValue::from_str(&info.metadata) {
                response.headers_mut().insert("upload-metadata", value);
            }
        }
        Ok(response)
    }

    async fn patch(
        &self,
        id: String,
        headers: HeaderMap,
        body: Body,
    ) -> Result<Response, TusError> {
        // The credential first: nothing else of a stranger's request is read.
        let uploader = self.authenticate(&headers).await?;
        check_resumable(&headers)?;
        check_offset_content_type(&headers)?;
        let offset = u64_header(&headers, UPLOAD_OFFSET)?
            .ok_or_else(|| TusError::bad_request("Thiếu tiêu đề Upload-Offset."))?;
        let checksum = protocol::parse_checksum(&headers)?;
        let (id, guard, mut info) = self.locked_upload(&uploader, &id).await?;
        if offset != info.offset {
            return Err(TusError::OffsetMismatch {
                current: info.offset,
            });
        }
        if let Some(declared) = u64_header(&headers, "content-length")? {
            if declared > info.length - info.offset {
                return Err(too_many_bytes(&info));
            }
        }
        if !info.is_complete() {
            self.write_chunk(&guard, &id, &mut info, offset, checksum, body)
                .await?;
        } else {
            // Nothing left to send; only an empty body is valid (checked by the
            // declared length above, or by the first byte that arrives).
            reject_any_byte(body, &info).await?;
        }
        Ok(tus_response(
            StatusCode::NO_CONTENT,
            [(UPLOAD_OFFSET, info.offset.to_string())],
        ))
    }

    async fn delete(&self, id: String, headers: HeaderMap) -> Result<Response, TusError> {
        // The credential first: nothing else of a stranger's request is read.
        let uploader = self.authenticate(&headers).await?;
        check_resumable(&headers)?;
        let (id, _guard, _) = self.locked_upload(&uploader, &id).await?;
        self.inner.uploads.remove(&uploader.commune_id, &id).await?;
        Ok(tus_response(StatusCode::NO_CONTENT, []))
    }

    /// Receives one chunk at `offset` and commits it; the last chunk publishes the file.
    ///
    /// The bytes are durable before the offset moves. With `Upload-Checksum`, a chunk
    /// that did not arrive whole or does not match is discarded; without one, whatever
    /// arrived before a cut is kept, so a 2G link never sends a byte twice.
    async fn write_chunk(
        &self,
        guard: &UploadGuard,
        id: &UploadId,
        info: &mut UploadInfo,
        offset: u64,
        checksum: Option<ChunkChecksum>,
        mut body: Body,
    ) -> Result<(), TusError> {
        let uploads = &self.inner.uploads;
        let mut part = uploads.begin(&info.commune_id, id, offset).await?;
        let room = info.length - offset;
        let mut hasher = checksum.as_ref().map(|c| ChunkHasher::new(c.algorithm));
        let mut received = 0u64;
        let idle = self.inner.config.idle_timeout;
        let end = loop {
            let frame = tokio::select! {
                // Bytes already here are taken before a takeover is honoured.
                biased;
                frame = tokio::time::timeout(idle, next_data(&mut body)) => frame,
                _ = guard.release_requested() => break BodyEnd::Cut("taken over by a newer request"),
            };
            let data = match frame {
                Err(_) => break BodyEnd::Cut("no data within the idle timeout"),
                Ok(None) => break BodyEnd::Complete,
                Ok(Some(Err(_))) => break BodyEnd::Cut("connection broken"),
                Ok(Some(Ok(data))) => data,
            };
            if received + data.len() as u64 > room {
                part.discard().await?;
                return Err(too_many_bytes(info));
            }
            part.write_all(&data).await?;
            if let Some(h) = hasher.as_mut() {
                h.update(&data);
            }
            received += data.len() as u64;
            // Held in memory (uploads in the database): a long chunk without a checksum
            // is committed piece by piece.
            if hasher.is_none() && part.is_full() && offset + received < info.length {
                uploads.commit_chunk(info, part).await?;
                part = uploads.begin(&info.commune_id, id, info.offset).await?;
            }
        };

        // What reached the server, kept or not: `tests/bench link` proves from these that
        // a resumed upload sends nothing twice.
        tracing::debug!(
            upload = id.as_str(),
            offset,
            received,
            length = info.length,
            cut = matches!(end, BodyEnd::Cut(_)),
            "tus: chunk received"
        );
        if let (Some(expected), Some(hasher)) = (&checksum, hasher) {
            let discard = match end {
                BodyEnd::Cut(why) => Some(TusError::bad_request(format!(
                    "Kết nối bị ngắt giữa chừng ({why}); phần dữ liệu chưa trọn đã bị bỏ, hãy gửi lại từ byte {offset}."
                ))),
                BodyEnd::Complete if hasher.finish() != expected.digest => {
                    Some(TusError::ChecksumMismatch(format!(
                        "Một phần ảnh bị hỏng trên đường truyền (Upload-Checksum không khớp); phần đó đã bị bỏ, hãy gửi lại từ byte {offset}."
                    )))
                }
                BodyEnd::Complete => None,
            };
            if let Some(error) = discard {
                part.discard().await?;
                return Err(error);
            }
        }

        let new_offset = offset + received;
        if new_offset == info.length {
            self.publish(id, info, part).await?;
        } else if received > 0 {
            uploads.commit_chunk(info, part).await?;
        }
        match end {
            BodyEnd::Complete => Ok(()),
            BodyEnd::Cut(_) if info.is_complete() => Ok(()),
            BodyEnd::Cut(why) => {
                tracing::info!(
                    upload = id.as_str(),
                    kept = info.offset,
                    "tus: chunk cut: {why}"
                );
                Err(TusError::bad_request(format!(
                    "Kết nối bị ngắt giữa chừng; máy chủ đã lưu đến byte {}, hãy tiếp tục từ đó.",
                    info.offset
                )))
            }
        }
    }

    /// All bytes are here (`last` holds the final request's): hash the whole file, then
    /// publish it or discard the upload. The offset reaches the length only once the hash
    /// matched.
    async fn publish(
        &self,
        id: &UploadId,
        info: &mut UploadInfo,
        last: Pending,
    ) -> Result<(), TusError> {
        let uploads = &self.inner.uploads;
        let declared = info.blob_id()?;
        let assembled = uploads.assemble(info, Some(last)).await?;
        let mut assembled = match assembled {
            Some(assembled) if assembled.hash == declared => assembled,
            other => {
                if let Some(assembled) = &other {
                    assembled.clean_up().await;
                }
                uploads.remove(&info.commune_id, id).await?;
                tracing::warn!(
                    upload = id.as_str(),
                    declared = declared.as_str(),
                    actual = other.as_ref().map(|a| a.hash.as_str()),
                    "tus: whole-file hash mismatch, upload discarded"
                );
                return Err(TusError::ChecksumMismatch(
                    "Ảnh nhận được không khớp mã băm SHA-256 đã khai báo nên không được lưu. Lượt tải lên đã bị hủy; hãy tải lại ảnh từ đầu."
                        .into(),
                ));
            }
        };
        if let Err(e) = uploads.commit_complete(info, &mut assembled).await {
            assembled.clean_up().await;
            return Err(e);
        }
        self.put_blob(id, info, assembled).await
    }

    async fn put_blob(
        &self,
        id: &UploadId,
        info: &mut UploadInfo,
        assembled: Assembled,
    ) -> Result<(), TusError> {
        let blob = info.blob_id()?;
        if let Err(e) = self.inner.blobs.put(&blob, &assembled.path).await {
            assembled.clean_up().await;
            return Err(e.into());
        }
        self.received(info).await?;
        self.inner.uploads.mark_published(info).await?;
        tracing::info!(
            upload = id.as_str(),
            sha256 = blob.as_str(),
            "tus: blob published"
        );
        self.announce(info).await;
        Ok(())
    }

    /// Tells the server this upload's device sent the verified bytes (before the upload
    /// counts as published, so a failure here leaves it to be settled again).
    async fn received(&self, info: &UploadInfo) -> Result<(), TusError> {
        let blob = info.blob_id()?;
        let auth = self.inner.auth.clone();
        let uploader = Uploader {
            device_id: info.device_id.clone(),
            commune_id: info.commune_id.clone(),
        };
        tokio::task::spawn_blocking(move || auth.received(&uploader, &blob))
            .await
            .map_err(TusError::internal)?
    }

    /// Tells the server the blob of a finished upload is stored. The upload itself has
    /// succeeded whatever happens here; a failure is logged.
    async fn announce(&self, info: &UploadInfo) {
        let Ok(blob) = info.blob_id() else {
            return;
        };
        let auth = self.inner.auth.clone();
        let uploader = Uploader {
            device_id: info.device_id.clone(),
            commune_id: info.commune_id.clone(),
        };
        match tokio::task::spawn_blocking(move || auth.published(&uploader, &blob)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(sha256 = info.sha256, "tus: publication not announced: {e}")
            }
            Err(e) => tracing::warn!(sha256 = info.sha256, "tus: publication not announced: {e}"),
        }
    }

    /// Finishes a publication a crash interrupted (hash verified and offset committed,
    /// blob not yet known to be in the store).
    async fn settle(&self, id: &UploadId, mut info: UploadInfo) -> Result<UploadInfo, TusError> {
        if !info.is_complete() || info.published {
            return Ok(info);
        }
        let blob = info.blob_id()?;
        let uploads = &self.inner.uploads;
        match uploads.assemble(&info, None).await? {
            Some(assembled) if assembled.hash == blob => {
                self.put_blob(id, &mut info, assembled).await?
            }
            // The rename into the store happened; only the info was not updated.
            None if self.inner.blobs.exists(&blob).await? => {
                self.received(&info).await?;
                uploads.mark_published(&mut info).await?;
                self.announce(&info).await;
            }
            other => {
                if let Some(assembled) = &other {
                    assembled.clean_up().await;
                }
                tracing::error!(upload = id.as_str(), "tus: completed upload lost its bytes");
                uploads.remove(&info.commune_id, id).await?;
                return Err(TusError::NotFound);
            }
        }
        Ok(info)
    }

    async fn read_blob(
        &self,
        id: Option<BlobId>,
        headers: HeaderMap,
    ) -> Result<Response, TusError> {
        // The credential first, then the id: a bad id never reaches the store.
        let uploader = self.authenticate(&headers).await?;
        let id = id.ok_or_else(|| {
            TusError::bad_request(
                "Mã ảnh không hợp lệ: cần đúng 64 chữ số thập lục phân viết thường.",
            )
        })?;
        let auth = self.inner.auth.clone();
        let (who, blob) = (uploader.clone(), id.clone());
        let allowed = tokio::task::spawn_blocking(move || auth.may_read_blob(&who, &blob))
            .await
            .map_err(TusError::internal)??;
        // Permission first, then existence: a refusal says nothing about what exists.
        if !allowed {
            return Err(TusError::Forbidden);
        }
        let etag = format!("\"{id}\"");
        let Some(blob) = self.inner.blobs.open(&id).await? else {
            return Err(TusError::NotFound);
        };
        let mut response = if if_none_match(&headers, &etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let (prefix, reader) = sniff(blob.reader).await?;
            let content_type = content_type_of(&prefix);
            let stream =
                tokio_util::io::ReaderStream::new(std::io::Cursor::new(prefix).chain(reader));
            let mut response = Body::from_stream(stream).into_response();
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(blob.size));
            response
        };
        let h = response.headers_mut();
        h.insert(
            header::ETAG,
            HeaderValue::from_str(&etag).map_err(TusError::internal)?,
        );
        // Content-addressed: never changes. Private: it is only for this reader.
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=31536000, immutable"),
        );
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        Ok(response)
    }
}

fn location(id: &UploadId) -> String {
    // Relative to the creation URL (…/uploads), so it stays right behind a proxy that
    // serves the API under a prefix.
    let collection = chibo_domain::sync::UPLOADS_PATH
        .rsplit('/')
        .next()
        .expect("UPLOADS_PATH has a last segment");
    format!("{collection}/{}", id.as_str())
}

fn too_many_bytes(info: &UploadInfo) -> TusError {
    TusError::TooLarge(format!(
        "Gửi quá số byte đã khai báo: ảnh dài {} byte, máy chủ đã có {} byte.",
        info.length, info.offset
    ))
}

async fn reject_any_byte(mut body: Body, info: &UploadInfo) -> Result<(), TusError> {
    while let Some(Ok(data)) = next_data(&mut body).await {
        if !data.is_empty() {
            return Err(too_many_bytes(info));
        }
    }
    Ok(())
}

/// The next bytes of a body: `None` at its end, `Some(Err)` when the connection broke.
/// Trailers are skipped.
async fn next_data(body: &mut Body) -> Option<Result<Bytes, axum::Error>> {
    loop {
        match std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await? {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    return Some(Ok(data));
                }
            }
            Err(e) => return Some(Err(e)),
        }
    }
}

fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

/// Reads the first bytes to tell the content type.
async fn sniff(
    mut reader: Pin<Box<dyn AsyncRead + Send>>,
) -> Result<(Vec<u8>, Pin<Box<dyn AsyncRead + Send>>), TusError> {
    let mut prefix = vec![0u8; 12];
    let mut filled = 0;
    while filled < prefix.len() {
        let n = reader.read(&mut prefix[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    prefix.truncate(filled);
    Ok((prefix, reader))
}

fn content_type_of(prefix: &[u8]) -> &'static str {
    match prefix {
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => "image/webp",
        [b'%', b'P', b'D', b'F', b'-', ..] => "application/pdf",
        _ => "application/octet-stream",
    }
}

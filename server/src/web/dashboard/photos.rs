//! The meeting and check-in photos, for a user of the commune whose records reference
//! them: full size, streamed from the blob store, and as thumbnails made once with the
//! phones' photo pipeline and cached on the local disk.

use std::path::{Path as FsPath, PathBuf};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::io::AsyncReadExt;

use crate::blobs::{BlobError, BlobId};
use crate::AppState;

use super::layout::{blocking, commune_path, urlencode, PageError};
use super::session::CommuneScope;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/communes/{commune_id}/photos/{sha256}", get(photo))
        .route(
            "/communes/{commune_id}/photos/{sha256}/thumb",
            get(thumbnail),
        )
}

/// `/communes/{c}/photos/{sha256}`; add `/thumb` for the thumbnail.
pub fn photo_path(commune_id: &str, sha256: &str) -> String {
    format!("{}/photos/{}", commune_path(commune_id), urlencode(sha256))
}

/// A blob store failure as a page error: a store that cannot be reached is 503 (try
/// again later), with the detail in the log.
fn blob_error(id: &BlobId, e: BlobError) -> PageError {
    match e {
        BlobError::Backend(detail) => {
            tracing::error!(photo = %id, %detail, "dashboard: blob store unavailable");
            PageError::Unavailable
        }
        e => PageError::Internal(format!("photo {id}: {e}")),
    }
}

/// The photo's id, if the commune may show it.
async fn readable_photo(
    state: &AppState,
    commune_id: &str,
    sha256: &str,
) -> Result<BlobId, PageError> {
    let id = BlobId::parse(sha256).ok_or(PageError::NotFound)?;
    let (state2, commune_id, id2) = (state.clone(), commune_id.to_string(), id.clone());
    let now = state.clock.now();
    let allowed = blocking(move || {
        Ok(crate::access::commune_may_show_blob(
            &*state2.storage,
            &commune_id,
            id2.as_str(),
            now,
        )?)
    })
    .await?;
    if allowed {
        Ok(id)
    } else {
        Err(PageError::NotFound)
    }
}

fn image_type(prefix: &[u8]) -> &'static str {
    match prefix {
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => "image/webp",
        _ => "application/octet-stream",
    }
}

/// Content-addressed: the bytes under a hash never change. Private: only for this user.
fn immutable(response: &mut Response, etag: &str) {
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

async fn photo(
    scope: CommuneScope,
    Path((_, sha256)): Path<(String, String)>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let id = readable_photo(&state, &scope.commune.id, &sha256).await?;
    let etag = format!("\"{id}\"");
    if not_modified(&headers, &etag) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        immutable(&mut response, &etag);
        return Ok(response);
    }
    // Referenced, but the phone may not have uploaded it yet.
    let blob = state
        .blobs
        .open(&id)
        .await
        .map_err(|e| blob_error(&id, e))?
        .ok_or(PageError::NotFound)?;
    let size = blob.size;
    let mut reader = blob.reader;
    let io = |e: std::io::Error| PageError::Internal(format!("photo {id}: {e}"));
    let mut prefix = [0u8; 12];
    let mut filled = 0;
    while filled < prefix.len() {
        match reader.read(&mut prefix[filled..]).await.map_err(io)? {
            0 => break,
            n => filled += n,
        }
    }
    let file = std::io::Cursor::new(prefix[..filled].to_vec()).chain(reader);
    let mut response = Body::from_stream(tokio_util::io::ReaderStream::new(file)).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(image_type(&prefix[..filled])),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    immutable(&mut response, &etag);
    Ok(response)
}

/// Longest side of a dashboard thumbnail, in pixels.
const THUMB_LONG_EDGE: u32 = 320;

/// Where the thumbnail of a blob is cached: `<data_dir>/thumbs/ab/<sha256>.jpg`.
fn thumb_path(data_dir: &FsPath, id: &BlobId) -> PathBuf {
    data_dir
        .join("thumbs")
        .join(&id.as_str()[0..2])
        .join(format!("{id}.jpg"))
}

/// Why no thumbnail could be made.
enum ThumbError {
    NoBlob,
    Unreadable(String),
    Io(String),
}

/// Makes the thumbnail once, with the phones' photo pipeline (a reduced-size decode),
/// and keeps it; later calls find the file.
fn ensure_thumbnail(blob: &FsPath, target: &FsPath) -> Result<(), ThumbError> {
    if target.is_file() {
        return Ok(());
    }
    if !blob.is_file() {
        return Err(ThumbError::NoBlob);
    }
    let dir = target
        .parent()
        .ok_or_else(|| ThumbError::Io("thumb dir".into()))?;
    std::fs::create_dir_all(dir).map_err(|e| ThumbError::Io(e.to_string()))?;
    let work = tempfile_dir(dir).map_err(|e| ThumbError::Io(e.to_string()))?;
    let settings = chibo_photo::PhotoSettings {
        max_long_edge: THUMB_LONG_EDGE,
        thumbnail_long_edge: THUMB_LONG_EDGE,
        ..chibo_photo::PhotoSettings::default()
    };
    let result = match chibo_photo::process_photo(blob, &work, &settings) {
        Ok(done) => std::fs::rename(&done.path, target).map_err(|e| ThumbError::Io(e.to_string())),
        Err(e) => Err(ThumbError::Unreadable(e.to_string())),
    };
    let _ = std::fs::remove_dir_all(&work);
    result
}

/// A fresh work directory beside the cache, so the final rename stays on one filesystem.
fn tempfile_dir(parent: &FsPath) -> std::io::Result<PathBuf> {
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| std::io::Error::other(e.to_string()))?;
    let dir = parent.join(format!(".work-{}", hex::encode(nonce)));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Shown in place of a photo that cannot be decoded.
const BROKEN_PHOTO_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" viewBox="0 0 320 240" role="img" aria-label="Ảnh bị hỏng, không hiển thị được"><rect width="320" height="240" fill="#f3f3f3" stroke="#b00020"/><text x="160" y="115" font-family="sans-serif" font-size="16" text-anchor="middle" fill="#b00020">Ảnh bị hỏng,</text><text x="160" y="140" font-family="sans-serif" font-size="16" text-anchor="middle" fill="#b00020">không hiển thị được</text></svg>"##;

/// Shown in place of a photo the phone has not uploaded yet.
const MISSING_PHOTO_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" viewBox="0 0 320 240" role="img" aria-label="Ảnh chưa được tải lên máy chủ"><rect width="320" height="240" fill="#f3f3f3" stroke="#777"/><text x="160" y="115" font-family="sans-serif" font-size="16" text-anchor="middle" fill="#444">Ảnh chưa được</text><text x="160" y="140" font-family="sans-serif" font-size="16" text-anchor="middle" fill="#444">tải lên máy chủ</text></svg>"##;

/// A picture that says why there is no photo; never cached (it may come later).
fn placeholder(status: StatusCode, svg: &'static str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response()
}

/// The cached thumbnail, made from the blob where the store keeps it: in place on the
/// filesystem, through a temporary copy from a remote store (the cache stays local).
async fn make_thumbnail(
    state: &AppState,
    id: &BlobId,
    target: &FsPath,
) -> Result<Result<(), ThumbError>, PageError> {
    let task = |blob: PathBuf, target: PathBuf| async move {
        tokio::task::spawn_blocking(move || ensure_thumbnail(&blob, &target))
            .await
            .map_err(|e| PageError::Internal(format!("thumbnail task: {e}")))
    };
    if let Some(path) = state.blobs.local_path(id) {
        return task(path, target.to_path_buf()).await;
    }
    if target.is_file() {
        return Ok(Ok(()));
    }
    let Some(mut blob) = state.blobs.open(id).await.map_err(|e| blob_error(id, e))? else {
        return Ok(Err(ThumbError::NoBlob));
    };
    let io = |e: std::io::Error| PageError::Internal(format!("thumbnail {id}: {e}"));
    let dir = target.parent().expect("a thumbnail path has a directory");
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    let copy = tempfile_dir(dir).map_err(io)?.join("blob");
    let mut file = tokio::fs::File::create(&copy).await.map_err(io)?;
    let copied = tokio::io::copy(&mut blob.reader, &mut file).await;
    drop(file);
    let made = match copied {
        Ok(_) => task(copy.clone(), target.to_path_buf()).await,
        Err(e) => Err(blob_error(id, BlobError::Backend(e.to_string()))),
    };
    if let Some(work) = copy.parent() {
        let _ = tokio::fs::remove_dir_all(work).await;
    }
    made
}

async fn thumbnail(
    scope: CommuneScope,
    Path((_, sha256)): Path<(String, String)>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let id = readable_photo(&state, &scope.commune.id, &sha256).await?;
    let etag = format!("\"{id}-thumb\"");
    if not_modified(&headers, &etag) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        immutable(&mut response, &etag);
        return Ok(response);
    }
    let target = thumb_path(&state.config.data_dir, &id);
    let made = make_thumbnail(&state, &id, &target).await?;
    match made {
        Ok(()) => {}
        Err(ThumbError::NoBlob) => {
            return Ok(placeholder(StatusCode::NOT_FOUND, MISSING_PHOTO_SVG))
        }
        Err(ThumbError::Io(detail)) => {
            return Err(PageError::Internal(format!("thumbnail {id}: {detail}")))
        }
        Err(ThumbError::Unreadable(detail)) => {
            tracing::warn!(photo = %id, %detail, "dashboard: photo cannot be decoded");
            return Ok(placeholder(
                StatusCode::UNPROCESSABLE_ENTITY,
                BROKEN_PHOTO_SVG,
            ));
        }
    }
    let bytes = tokio::fs::read(&target)
        .await
        .map_err(|e| PageError::Internal(format!("thumbnail {id}: {e}")))?;
    let mut response = ([(header::CONTENT_TYPE, "image/jpeg")], bytes).into_response();
    immutable(&mut response, &etag);
    Ok(response)
}

//! tus 1.0 headers: names, advertised capabilities and parsing. Pure, no I/O.

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::error::TusError;
use super::version::{TUS_RESUMABLE, TUS_VERSION};
use crate::blobs::BlobId;

/// creation-with-upload saves a round trip on a 2G link (POST carries the first chunk);
/// termination lets a phone drop an upload whose photo was deleted.
pub const TUS_EXTENSIONS: &str = "creation,creation-with-upload,termination,checksum";
/// tuspy's and tus-js-client's checksums are sha1; the phone uses sha256.
pub const CHECKSUM_ALGORITHMS: &str = "sha1,sha256";
pub const OFFSET_CONTENT_TYPE: &str = "application/offset+octet-stream";

/// The chunk size clients should use: 64 KiB takes 4 to 13 s on a 40–120 kbps EDGE
/// uplink, so a dropped connection costs at most that much re-sending, while the
/// ~300 ms round trip per chunk stays a small share. The server accepts any size.
pub const RECOMMENDED_CHUNK_SIZE: usize = 64 * 1024;

/// Refuses a request that does not speak tus 1.0.0 (412).
pub fn check_resumable(headers: &HeaderMap) -> Result<(), TusError> {
    match headers.get(TUS_RESUMABLE).map(|v| v.as_bytes()) {
        Some(v) if v == TUS_VERSION.as_bytes() => Ok(()),
        _ => Err(TusError::UnsupportedVersion),
    }
}

/// A PATCH (or a POST with data) must carry `application/offset+octet-stream` (415).
pub fn check_offset_content_type(headers: &HeaderMap) -> Result<(), TusError> {
    if has_offset_content_type(headers) {
        Ok(())
    } else {
        Err(TusError::UnsupportedMediaType)
    }
}

pub fn has_offset_content_type(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(OFFSET_CONTENT_TYPE))
}

/// A non-negative decimal header (`Upload-Offset`, `Upload-Length`, `Content-Length`);
/// `None` when absent, 400 when not a plain number.
pub fn u64_header(headers: &HeaderMap, name: &str) -> Result<Option<u64>, TusError> {
    let Some(value) = headers.get(name) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("");
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TusError::bad_request(format!(
            "Tiêu đề {name} phải là một số nguyên không âm."
        )));
    }
    text.parse()
        .map(Some)
        .map_err(|_| TusError::bad_request(format!("Tiêu đề {name} quá lớn.")))
}

/// What `Upload-Metadata` says about a new upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadMetadata {
    /// Required: the lowercase hex SHA-256 of the whole file.
    pub sha256: BlobId,
    pub filename: Option<String>,
    pub filetype: Option<String>,
    /// The header as the client sent it, echoed back on HEAD as tus requires.
    pub raw: String,
}

/// Parses `Upload-Metadata`: comma-separated `key base64(value)` pairs (the value may be
/// absent), keys unique.
pub fn parse_metadata(headers: &HeaderMap) -> Result<UploadMetadata, TusError> {
    let bad =
        |why: &str| TusError::bad_request(format!("Tiêu đề Upload-Metadata không hợp lệ: {why}."));
    let raw = match headers.get("upload-metadata") {
        Some(v) => v
            .to_str()
            .map_err(|_| bad("có ký tự không phải ASCII"))?
            .to_string(),
        None => String::new(),
    };
    let mut seen = Vec::new();
    let (mut sha256, mut filename, mut filetype) = (None, None, None);
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = match pair.split_once(' ') {
            Some((k, v)) => (k, v.trim()),
            None => (pair, ""),
        };
        if seen.contains(&key) {
            return Err(bad(&format!("khóa \"{key}\" lặp lại")));
        }
        seen.push(key);
        let value = BASE64
            .decode(value)
            .map_err(|_| bad(&format!("giá trị của \"{key}\" không phải base64")))?;
        let text = || {
            String::from_utf8(value.clone())
                .map_err(|_| bad(&format!("giá trị của \"{key}\" không phải UTF-8")))
        };
        match key {
            "sha256" => {
                let hex = text()?;
                sha256 =
                    Some(BlobId::parse(&hex).ok_or_else(|| {
                        bad("sha256 phải là 64 chữ số thập lục phân viết thường")
                    })?);
            }
            "filename" => filename = Some(text()?.chars().take(255).collect()),
            "filetype" => filetype = Some(text()?.chars().take(255).collect()),
            _ => {}
        }
    }
    let sha256 = sha256.ok_or_else(|| {
        TusError::bad_request(
            "Thiếu mã băm sha256 của ảnh trong Upload-Metadata; máy chủ cần nó để kiểm tra ảnh.",
        )
    })?;
    Ok(UploadMetadata {
        sha256,
        filename,
        filetype,
        raw,
    })
}

/// `Upload-Checksum: <algorithm> <base64 digest>` of one chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkChecksum {
    pub algorithm: ChecksumAlgorithm,
    pub digest: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChecksumAlgorithm {
    Sha1,
    Sha256,
}

pub fn parse_checksum(headers: &HeaderMap) -> Result<Option<ChunkChecksum>, TusError> {
    let Some(value) = headers.get("upload-checksum") else {
        return Ok(None);
    };
    let bad =
        |why: &str| TusError::bad_request(format!("Tiêu đề Upload-Checksum không hợp lệ: {why}."));
    let text = value
        .to_str()
        .map_err(|_| bad("có ký tự không phải ASCII"))?;
    let (name, digest) = text
        .trim()
        .split_once(' ')
        .ok_or_else(|| bad("cần dạng \"<thuật toán> <base64>\""))?;
    let (algorithm, len) = match name.to_ascii_lowercase().as_str() {
        "sha1" => (ChecksumAlgorithm::Sha1, 20),
        "sha256" => (ChecksumAlgorithm::Sha256, 32),
        _ => {
            return Err(bad(&format!(
                "thuật toán \"{name}\" không được hỗ trợ (chỉ {CHECKSUM_ALGORITHMS})"
            )))
        }
    };
    let digest = BASE64
        .decode(digest.trim())
        .ok()
        .filter(|d| d.len() == len)
        .ok_or_else(|| bad("mã băm không phải base64 đúng độ dài"))?;
    Ok(Some(ChunkChecksum { algorithm, digest }))
}

/// Hashes a chunk as it streams in, for its `Upload-Checksum`.
pub enum ChunkHasher {
    Sha1(Sha1),
    Sha256(Sha256),
}

impl ChunkHasher {
    pub fn new(algorithm: ChecksumAlgorithm) -> ChunkHasher {
        match algorithm {
            ChecksumAlgorithm::Sha1 => ChunkHasher::Sha1(Sha1::new()),
            ChecksumAlgorithm::Sha256 => ChunkHasher::Sha256(Sha256::new()),
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            ChunkHasher::Sha1(h) => h.update(data),
            ChunkHasher::Sha256(h) => h.update(data),
        }
    }

    pub fn finish(self) -> Vec<u8> {
        match self {
            ChunkHasher::Sha1(h) => h.finalize().to_vec(),
            ChunkHasher::Sha256(h) => h.finalize().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn metadata_carries_the_hash_and_optional_names() {
        let raw = format!(
            "filename {},sha256 {}, filetype {},is_confidential",
            BASE64.encode("ảnh họp chi bộ.jpg"),
            BASE64.encode(HASH),
            BASE64.encode("image/jpeg"),
        );
        let meta = parse_metadata(&headers(&[("upload-metadata", &raw)])).unwrap();
        assert_eq!(meta.sha256.as_str(), HASH);
        assert_eq!(meta.filename.as_deref(), Some("ảnh họp chi bộ.jpg"));
        assert_eq!(meta.filetype.as_deref(), Some("image/jpeg"));
        assert_eq!(meta.raw, raw);
    }

    #[test]
    fn metadata_without_a_valid_hash_or_with_garbage_is_refused() {
        let cases = [
            String::new(),
            format!("filename {}", BASE64.encode("a.jpg")),
            format!("sha256 {}", BASE64.encode(HASH.to_uppercase())),
            format!("sha256 {}", BASE64.encode("../../etc/passwd")),
            format!("sha256 {HASH}"),
            format!("sha256 {0},sha256 {0}", BASE64.encode(HASH)),
        ];
        for raw in cases {
            let err = parse_metadata(&headers(&[("upload-metadata", &raw)])).unwrap_err();
            assert!(matches!(err, TusError::BadRequest(_)), "{raw:?}: {err:?}");
        }
    }

    #[test]
    fn checksum_header_names_a_supported_algorithm_and_a_digest_of_its_length() {
        let sha1 = Sha1::digest(b"abc");
        let ok = parse_checksum(&headers(&[(
            "upload-checksum",
            &format!("sha1 {}", BASE64.encode(sha1)),
        )]))
        .unwrap()
        .unwrap();
        assert_eq!(ok.algorithm, ChecksumAlgorithm::Sha1);
        assert_eq!(ok.digest, sha1.to_vec());
        assert_eq!(parse_checksum(&HeaderMap::new()).unwrap(), None);
        for bad in [
            format!("md5 {}", BASE64.encode([0u8; 16])),
            format!("sha256 {}", BASE64.encode(sha1)),
            "sha1".to_string(),
            "sha1 !!!".to_string(),
        ] {
            assert!(
                parse_checksum(&headers(&[("upload-checksum", &bad)])).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn offsets_are_plain_non_negative_numbers() {
        assert_eq!(
            u64_header(&headers(&[("upload-offset", "65536")]), "upload-offset").unwrap(),
            Some(65536)
        );
        assert_eq!(
            u64_header(&HeaderMap::new(), "upload-offset").unwrap(),
            None
        );
        for bad in ["-1", "+5", "1e3", " 5", "", "99999999999999999999999"] {
            assert!(
                u64_header(&headers(&[("upload-offset", bad)]), "upload-offset").is_err(),
                "{bad:?}"
            );
        }
    }
}

//! Published blobs in an S3-compatible object store (AWS S3, Ceph RGW, versitygw,
//! SeaweedFS, Swift's s3api…), through Apache Arrow's `object_store` crate.
//!
//! - Keys: `<prefix><ab>/<cd>/<sha256>`, the filesystem store's layout, so a bucket can be
//!   filled from a `blobs/` directory with any S3 tool and a posix-backed gateway keeps
//!   small directories.
//! - Publication: the verified file is read (photos are a few hundred KB; uploads are
//!   capped by `TusConfig::max_size`), hashed again at this boundary, and sent in one
//!   `PUT` with `x-amz-checksum-sha256`, so the store itself refuses bytes that changed
//!   on the way. A single `PUT` is atomic in S3: a reader sees the whole object or none.
//!   The local file is deleted only once the store has said yes.
//! - Failures: an unreachable or refusing store is [`BlobError::Backend`], which the
//!   upload endpoints answer with 503 while the upload keeps every byte it received.
//!   Requests give up after [`REQUEST_TIMEOUT`] and a few quick retries, well before a
//!   phone's own timeout, so a dead store is reported instead of hanging the phone.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Once};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder, Checksum};
use object_store::path::Path as Key;
use object_store::{
    BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutOptions, PutPayload, RetryConfig,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{BlobError, BlobId, BlobReader, BlobStore, BoxFuture};

/// One S3 request's limit (connect: [`CONNECT_TIMEOUT`]).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where and how to reach the bucket (`[blob_store]` with `backend = "s3"` in the
/// configuration, or the `CHIBO_S3_*` variables).
#[derive(Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3Settings {
    /// The bucket; it must exist (chibo never creates or deletes buckets).
    pub bucket: String,
    /// The service's URL, e.g. `https://s3.hcm.example.vn`; empty for AWS itself.
    pub endpoint: String,
    /// The region the endpoint expects in signatures (`us-east-1` when unset).
    pub region: String,
    /// Put every key under this folder, e.g. `chibo/blobs/` (empty: the bucket's root).
    pub prefix: String,
    pub access_key_id: String,
    /// Prefer `CHIBO_S3_SECRET_ACCESS_KEY` to writing it in the file.
    pub secret_access_key: String,
    /// Allow a plain `http://` endpoint (a gateway on the same host or private network).
    pub allow_http: bool,
}

impl fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("prefix", &self.prefix)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<hidden>")
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

impl S3Settings {
    /// Settings from one URL, `s3://KEY:SECRET@HOST:PORT/BUCKET[/PREFIX]` (`s3+http://`
    /// for a plain-HTTP endpoint, `?region=…`): the form tests use to name a store in one
    /// environment variable (`CHIBO_TEST_S3_URL`).
    pub fn from_url(text: &str) -> Result<S3Settings, String> {
        let (http, rest) = if let Some(rest) = text.strip_prefix("s3+http://") {
            (true, rest)
        } else if let Some(rest) = text.strip_prefix("s3://") {
            (false, rest)
        } else {
            return Err("cần dạng s3://KHÓA:BÍ_MẬT@MÁY:CỔNG/BUCKET".into());
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (credentials, rest) = rest
            .rsplit_once('@')
            .ok_or("thiếu KHÓA:BÍ_MẬT@ trong địa chỉ S3")?;
        let (key, secret) = credentials
            .split_once(':')
            .ok_or("thiếu KHÓA:BÍ_MẬT trong địa chỉ S3")?;
        let (host, path) = rest.split_once('/').ok_or("thiếu tên bucket")?;
        let (bucket, prefix) = path.split_once('/').unwrap_or((path, ""));
        let mut region = String::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("region", value)) => region = value.to_string(),
                _ => return Err(format!("tham số không rõ trong địa chỉ S3: {pair}")),
            }
        }
        let settings = S3Settings {
            bucket: bucket.to_string(),
            endpoint: format!("{}://{host}", if http { "http" } else { "https" }),
            region,
            prefix: prefix.to_string(),
            access_key_id: key.to_string(),
            secret_access_key: secret.to_string(),
            allow_http: http,
        };
        settings.validate()?;
        Ok(settings)
    }

    /// What must hold before the server starts, in the words the operator reads.
    pub fn validate(&self) -> Result<(), String> {
        let bucket_ok = (3..=63).contains(&self.bucket.len())
            && self
                .bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !bucket_ok {
            return Err(format!(
                "tên bucket S3 không hợp lệ: \"{}\" (3–63 ký tự a-z, 0-9, '-', '.')",
                self.bucket
            ));
        }
        if self.access_key_id.is_empty() || self.secret_access_key.is_empty() {
            return Err("kho ảnh S3 cần access_key_id và secret_access_key".into());
        }
        if !self.endpoint.is_empty() {
            let plain = self.endpoint.starts_with("http://");
            if !plain && !self.endpoint.starts_with("https://") {
                return Err(format!(
                    "endpoint S3 phải bắt đầu bằng https:// (hoặc http://): \"{}\"",
                    self.endpoint
                ));
            }
            if plain && !self.allow_http {
                return Err(format!(
                    "endpoint S3 \"{}\" không mã hóa; đặt allow_http = true nếu đó là mạng nội bộ",
                    self.endpoint
                ));
            }
        }
        if self.prefix.starts_with('/') || self.prefix.contains("//") || self.prefix.contains("..")
        {
            return Err(format!("prefix S3 không hợp lệ: \"{}\"", self.prefix));
        }
        Ok(())
    }

    /// Where the store is, for logs and error messages (never the secret).
    pub fn describe(&self) -> String {
        let endpoint = if self.endpoint.is_empty() {
            "AWS"
        } else {
            self.endpoint.as_str()
        };
        format!("s3 {endpoint}/{}/{}", self.bucket, self.prefix)
    }
}

/// Blobs as objects in one bucket.
#[derive(Clone)]
pub struct S3BlobStore {
    store: Arc<AmazonS3>,
    /// The key folder, without slashes at either end (empty: the root).
    prefix: String,
    described: String,
}

impl fmt::Debug for S3BlobStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.described)
    }
}

impl S3BlobStore {
    /// A client for the bucket. Nothing is sent yet: an unreachable store shows on the
    /// first request, as a [`BlobError::Backend`].
    pub fn open(settings: &S3Settings) -> Result<S3BlobStore, BlobError> {
        settings.validate().map_err(BlobError::Backend)?;
        install_crypto_provider();
        let client = ClientOptions::new()
            .with_timeout(REQUEST_TIMEOUT)
            .with_connect_timeout(CONNECT_TIMEOUT)
            .with_allow_http(settings.allow_http);
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(2),
                base: 2.0,
            },
            max_retries: 2,
            retry_timeout: Duration::from_secs(20),
        };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key)
            .with_region(if settings.region.is_empty() {
                "us-east-1"
            } else {
                settings.region.as_str()
            })
            .with_checksum_algorithm(Checksum::SHA256)
            .with_client_options(client)
            .with_retry(retry);
        if !settings.endpoint.is_empty() {
            // Path-style addressing: gateways and private endpoints rarely have a DNS
            // name per bucket.
            builder = builder
                .with_endpoint(&settings.endpoint)
                .with_virtual_hosted_style_request(false);
        }
        let store = builder
            .build()
            .map_err(|e| BlobError::Backend(format!("{}: {e}", settings.describe())))?;
        Ok(S3BlobStore {
            store: Arc::new(store),
            prefix: settings.prefix.trim_matches('/').to_string(),
            described: settings.describe(),
        })
    }

    fn key(&self, id: &BlobId) -> Key {
        let s = id.as_str();
        let tail = format!("{}/{}/{s}", &s[0..2], &s[2..4]);
        if self.prefix.is_empty() {
            Key::from(tail)
        } else {
            Key::from(format!("{}/{tail}", self.prefix))
        }
    }

    fn backend(&self, what: &str, id: Option<&BlobId>, e: object_store::Error) -> BlobError {
        let id = id.map(|id| format!(" {id}")).unwrap_or_default();
        BlobError::Backend(format!("{}: {what}{id}: {e}", self.described))
    }

    async fn head(&self, id: &BlobId) -> Result<Option<u64>, BlobError> {
        match self.store.head(&self.key(id)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.backend("HEAD", Some(id), e)),
        }
    }
}

/// reqwest is built without a TLS crypto provider of its own (see Cargo.toml): ring's,
/// once per process. Another part of the process may have installed one first; any
/// provider does.
fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl BlobStore for S3BlobStore {
    fn put<'a>(
        &'a self,
        id: &'a BlobId,
        verified_file: &'a Path,
    ) -> BoxFuture<'a, Result<(), BlobError>> {
        Box::pin(async move {
            let bytes = tokio::fs::read(verified_file).await?;
            // Checked again at the boundary: what leaves for the bucket is what was
            // verified, whoever called.
            if BlobId::from_digest(&Sha256::digest(&bytes).into()) != *id {
                return Err(BlobError::Io(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "{}: the file's SHA-256 is not {id}",
                        verified_file.display()
                    ),
                )));
            }
            let size = bytes.len() as u64;
            if self.head(id).await? != Some(size) {
                self.store
                    .put_opts(
                        &self.key(id),
                        PutPayload::from(bytes),
                        PutOptions::default(),
                    )
                    .await
                    .map_err(|e| self.backend("PUT", Some(id), e))?;
            }
            // Only now: until the store said yes, the bytes stay where they were.
            match tokio::fs::remove_file(verified_file).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
                _ => Ok(()),
            }
        })
    }

    fn open<'a>(&'a self, id: &'a BlobId) -> BoxFuture<'a, Result<Option<BlobReader>, BlobError>> {
        Box::pin(async move {
            let result = match self.store.get(&self.key(id)).await {
                Ok(result) => result,
                Err(object_store::Error::NotFound { .. }) => return Ok(None),
                Err(e) => return Err(self.backend("GET", Some(id), e)),
            };
            let size = result.meta.size;
            let described = self.described.clone();
            let stream = result
                .into_stream()
                .map_err(move |e| std::io::Error::other(format!("{described}: {e}")));
            Ok(Some(BlobReader {
                size,
                reader: Box::pin(tokio_util::io::StreamReader::new(stream)),
            }))
        })
    }

    fn size<'a>(&'a self, id: &'a BlobId) -> BoxFuture<'a, Result<Option<u64>, BlobError>> {
        Box::pin(self.head(id))
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<(BlobId, u64)>, BlobError>> {
        Box::pin(async move {
            let prefix = (!self.prefix.is_empty()).then(|| Key::from(self.prefix.as_str()));
            let mut objects = self.store.list(prefix.as_ref());
            let mut out = Vec::new();
            while let Some(meta) = objects.next().await {
                let meta = meta.map_err(|e| self.backend("LIST", None, e))?;
                if let Some(id) = meta.location.filename().and_then(BlobId::parse) {
                    out.push((id, meta.size));
                }
            }
            Ok(out)
        })
    }

    fn describe(&self) -> String {
        self.described.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_url_names_the_endpoint_bucket_prefix_and_keys() {
        let s = S3Settings::from_url("s3+http://chibo:bí-mật@127.0.0.1:7070/anh-xa/t1?region=vn")
            .unwrap();
        assert_eq!(s.endpoint, "http://127.0.0.1:7070");
        assert!(s.allow_http);
        assert_eq!((s.bucket.as_str(), s.prefix.as_str()), ("anh-xa", "t1"));
        assert_eq!(s.region, "vn");
        assert_eq!(s.access_key_id, "chibo");
        assert!(
            !format!("{s:?}").contains("bí-mật"),
            "the secret is never printed"
        );

        let s = S3Settings::from_url("s3://k:s@s3.example.vn/anh").unwrap();
        assert_eq!(s.endpoint, "https://s3.example.vn");
        assert!(!s.allow_http);
        for bad in [
            "http://k:s@h/b",
            "s3://h/b",
            "s3://k:s@h",
            "s3://k:s@h/B_UPPER",
            "s3://k:s@h/b?colour=red",
        ] {
            assert!(S3Settings::from_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn plain_http_needs_to_be_allowed_and_keys_are_required() {
        let mut s = S3Settings {
            bucket: "anh-xa".into(),
            endpoint: "http://10.0.0.5:9000".into(),
            access_key_id: "k".into(),
            secret_access_key: "s".into(),
            ..S3Settings::default()
        };
        assert!(s.validate().unwrap_err().contains("allow_http"));
        s.allow_http = true;
        s.validate().unwrap();
        s.secret_access_key.clear();
        assert!(s.validate().is_err());
    }

    #[test]
    fn keys_are_sharded_under_the_prefix() {
        let store = S3BlobStore::open(
            &S3Settings::from_url("s3+http://k:s@127.0.0.1:1/anh-xa/chibo/blobs/").unwrap(),
        )
        .unwrap();
        let id = BlobId::parse(&"ab".repeat(32)).unwrap();
        assert_eq!(
            store.key(&id).as_ref(),
            format!("chibo/blobs/ab/ab/{}", "ab".repeat(32))
        );
    }
}

//! Configuration: a TOML file, then `CHIBO_*` environment variables over it, then the
//! defaults for whatever neither sets. Loopback and an SQLite file in the data directory
//! by default, so `chibo-server serve` runs with no setup.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use chibo_domain::checkin::CheckInSettings;

use crate::blobs::{BlobStoreConfig, S3Settings};

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where to listen. Loopback by default: put a TLS proxy in front to serve phones.
    pub listen: SocketAddr,
    /// Where the SQLite database, uploads and blobs live.
    pub data_dir: PathBuf,
    /// `sqlite://<path>` or `postgres://…`; by default `sqlite://<data_dir>/chibo.db`.
    pub database_url: Option<String>,
    /// The largest request body accepted (after decompression), in bytes; larger gets
    /// 413. Uploads bound their own bodies.
    pub max_body_bytes: usize,
    /// How far a device clock may disagree with the server's before a check-in needs
    /// review (`CheckInSettings::clock_tolerance_ms`), in minutes.
    pub clock_tolerance_minutes: i64,
    /// How long an enrolment code stays valid, in hours.
    pub enrollment_code_ttl_hours: i64,
    /// The most changes one sync response carries (a device may ask for fewer).
    pub max_pull: u32,
    /// The address phones use to reach this server, as the enrolment QR carries it, e.g.
    /// `https://chibo.xuanhoa.vn` (behind the TLS proxy). Phones refuse plain `http://`
    /// except to this machine; unset, it is `http://` and the listening address.
    pub public_url: Option<String>,
    /// Mark the dashboard's cookies `Secure` (served over HTTPS, e.g. behind a TLS proxy).
    /// Unset, they are `Secure` whenever the server listens anywhere but loopback (see
    /// [`Config::cookies_secure`]); set it to `false` only for plain HTTP on a trusted LAN.
    pub secure_cookies: Option<bool>,
    /// The reverse proxies whose `X-Forwarded-For` is believed: IP addresses or CIDR
    /// ranges (`"127.0.0.1"`, `"10.0.0.0/8"`). Empty by default: the client address is the
    /// TCP peer's, whatever the headers say.
    pub trusted_proxies: Vec<String>,
    /// An unfinished photo upload is removed this long after it began, in hours.
    pub upload_expiry_hours: i64,
    /// The most bytes one device may have in unfinished uploads.
    pub upload_quota_bytes: u64,
    /// Where published photos and attachments live: `<data_dir>/blobs` by default, or an
    /// S3-compatible bucket (`[blob_store]` with `backend = "s3"`; see `crate::blobs`).
    pub blob_store: BlobStoreConfig,
    /// Where unfinished uploads live: `disk` (`<data_dir>/uploads`, the default, for one
    /// process) or `database` (rows of the database, so that several processes behind a
    /// load balancer on one PostgreSQL take chunks of the same upload).
    pub upload_state: UploadState,
}

/// See [`Config::upload_state`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UploadState {
    #[default]
    Disk,
    Database,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("chibo-data"),
            database_url: None,
            max_body_bytes: 4 * 1024 * 1024,
            clock_tolerance_minutes: CheckInSettings::default().clock_tolerance_ms / 60_000,
            enrollment_code_ttl_hours: 72,
            max_pull: 500,
            public_url: None,
            secure_cookies: None,
            trusted_proxies: Vec::new(),
            upload_expiry_hours: 24,
            upload_quota_bytes: 64 * 1024 * 1024,
            blob_store: BlobStoreConfig::Filesystem,
            upload_state: UploadState::Disk,
        }
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("không đọc được tệp cấu hình {path}: {detail}")]
    Read { path: PathBuf, detail: String },
    #[error("tệp cấu hình {path} không hợp lệ: {detail}")]
    Parse { path: PathBuf, detail: String },
    #[error("biến môi trường {name} không hợp lệ: \"{value}\"")]
    Env { name: String, value: String },
    #[error("cấu hình không hợp lệ: {0}")]
    Invalid(String),
}

impl Config {
    /// The file (if any), then the process environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let base = match file {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        base.with_env(std::env::vars())
    }

    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        Config::from_toml(&text).map_err(|detail| ConfigError::Parse {
            path: path.to_path_buf(),
            detail,
        })
    }

    pub fn from_toml(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Applies `CHIBO_LISTEN`, `CHIBO_DATA_DIR`, `CHIBO_DATABASE_URL`,
    /// `CHIBO_MAX_BODY_BYTES`, `CHIBO_CLOCK_TOLERANCE_MINUTES`,
    /// `CHIBO_ENROLLMENT_CODE_TTL_HOURS`, `CHIBO_MAX_PULL`, `CHIBO_PUBLIC_URL` and
    /// `CHIBO_SECURE_COOKIES` (`true`/`false`), `CHIBO_UPLOAD_STATE` (`disk`/`database`),
    /// `CHIBO_TRUSTED_PROXIES` (comma-separated), `CHIBO_UPLOAD_EXPIRY_HOURS`,
    /// `CHIBO_UPLOAD_QUOTA_BYTES` from `vars`; for the blob store,
    /// `CHIBO_BLOB_STORE` (`filesystem`/`s3`) and `CHIBO_S3_BUCKET`, `CHIBO_S3_ENDPOINT`,
    /// `CHIBO_S3_REGION`, `CHIBO_S3_PREFIX`, `CHIBO_S3_ACCESS_KEY_ID`,
    /// `CHIBO_S3_SECRET_ACCESS_KEY`, `CHIBO_S3_ALLOW_HTTP`, which apply to an S3 store only.
    pub fn with_env(
        mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        fn parse<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, ConfigError> {
            value.trim().parse().map_err(|_| ConfigError::Env {
                name: name.to_string(),
                value: value.to_string(),
            })
        }
        let mut s3_vars = Vec::new();
        for (name, value) in vars {
            match name.as_str() {
                "CHIBO_LISTEN" => self.listen = parse(&name, &value)?,
                "CHIBO_DATA_DIR" => self.data_dir = PathBuf::from(value),
                "CHIBO_DATABASE_URL" => self.database_url = Some(value),
                "CHIBO_MAX_BODY_BYTES" => self.max_body_bytes = parse(&name, &value)?,
                "CHIBO_CLOCK_TOLERANCE_MINUTES" => {
                    self.clock_tolerance_minutes = parse(&name, &value)?
                }
                "CHIBO_ENROLLMENT_CODE_TTL_HOURS" => {
                    self.enrollment_code_ttl_hours = parse(&name, &value)?
                }
                "CHIBO_MAX_PULL" => self.max_pull = parse(&name, &value)?,
                "CHIBO_PUBLIC_URL" => self.public_url = Some(value),
                "CHIBO_SECURE_COOKIES" => self.secure_cookies = Some(parse(&name, &value)?),
                "CHIBO_UPLOAD_STATE" => {
                    self.upload_state = match value.trim() {
                        "disk" => UploadState::Disk,
                        "database" => UploadState::Database,
                        _ => return Err(ConfigError::Env { name, value }),
                    }
                }
                "CHIBO_UPLOAD_EXPIRY_HOURS" => self.upload_expiry_hours = parse(&name, &value)?,
                "CHIBO_UPLOAD_QUOTA_BYTES" => self.upload_quota_bytes = parse(&name, &value)?,
                "CHIBO_TRUSTED_PROXIES" => {
                    self.trusted_proxies = value
                        .split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_string)
                        .collect()
                }
                "CHIBO_BLOB_STORE" => {
                    self.blob_store = match value.trim() {
                        "filesystem" => BlobStoreConfig::Filesystem,
                        // Keeps the file's [blob_store] S3 settings, if it has them.
                        "s3" => match std::mem::take(&mut self.blob_store) {
                            BlobStoreConfig::S3(settings) => BlobStoreConfig::S3(settings),
                            BlobStoreConfig::Filesystem => {
                                BlobStoreConfig::S3(S3Settings::default())
                            }
                        },
                        _ => return Err(ConfigError::Env { name, value }),
                    }
                }
                _ if name.starts_with("CHIBO_S3_") => s3_vars.push((name, value)),
                _ => {}
            }
        }
        // After CHIBO_BLOB_STORE, whatever order the variables came in.
        for (name, value) in s3_vars {
            let BlobStoreConfig::S3(s3) = &mut self.blob_store else {
                return Err(ConfigError::Invalid(format!(
                    "{name} chỉ dùng cho kho ảnh S3; hãy đặt CHIBO_BLOB_STORE=s3 (hoặc \
                     backend = \"s3\" trong [blob_store])"
                )));
            };
            match name.as_str() {
                "CHIBO_S3_BUCKET" => s3.bucket = value,
                "CHIBO_S3_ENDPOINT" => s3.endpoint = value,
                "CHIBO_S3_REGION" => s3.region = value,
                "CHIBO_S3_PREFIX" => s3.prefix = value,
                "CHIBO_S3_ACCESS_KEY_ID" => s3.access_key_id = value,
                "CHIBO_S3_SECRET_ACCESS_KEY" => s3.secret_access_key = value,
                "CHIBO_S3_ALLOW_HTTP" => s3.allow_http = parse(&name, &value)?,
                _ => return Err(ConfigError::Env { name, value }),
            }
        }
        self.validate()?;
        Ok(self)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.max_body_bytes < 1024 {
            return Err(ConfigError::Invalid(
                "max_body_bytes phải từ 1024 byte trở lên".into(),
            ));
        }
        if self.clock_tolerance_minutes <= 0 || self.enrollment_code_ttl_hours <= 0 {
            return Err(ConfigError::Invalid(
                "clock_tolerance_minutes và enrollment_code_ttl_hours phải lớn hơn 0".into(),
            ));
        }
        if self.upload_expiry_hours <= 0 || self.upload_quota_bytes == 0 {
            return Err(ConfigError::Invalid(
                "upload_expiry_hours và upload_quota_bytes phải lớn hơn 0".into(),
            ));
        }
        if self.max_pull == 0 {
            return Err(ConfigError::Invalid("max_pull phải lớn hơn 0".into()));
        }
        if let BlobStoreConfig::S3(s3) = &self.blob_store {
            s3.validate()
                .map_err(|e| ConfigError::Invalid(format!("[blob_store]: {e}")))?;
        }
        if let Some(url) = &self.public_url {
            check_public_url(url)?;
        }
        self.proxies()?;
        Ok(())
    }

    /// The trusted proxies, parsed.
    pub fn proxies(&self) -> Result<TrustedProxies, ConfigError> {
        TrustedProxies::parse(&self.trusted_proxies)
    }

    /// Whether the dashboard's cookies are `Secure`: as configured, else whenever the
    /// server listens anywhere but loopback.
    pub fn cookies_secure(&self) -> bool {
        self.secure_cookies
            .unwrap_or_else(|| !self.listen.ip().is_loopback())
    }

    /// The address phones use: `public_url`, or `http://` and the listening address.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim().trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }

    /// The database URL in force.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("chibo.db").display()),
        }
    }

    /// The check-in thresholds, with this server's clock tolerance.
    pub fn check_in_settings(&self) -> CheckInSettings {
        CheckInSettings {
            clock_tolerance_ms: self.clock_tolerance_minutes.saturating_mul(60_000),
            ..CheckInSettings::default()
        }
    }

    pub fn enrollment_code_ttl_ms(&self) -> i64 {
        self.enrollment_code_ttl_hours.saturating_mul(3_600_000)
    }
}

/// The reverse proxies a request may come through: only from them is `X-Forwarded-For`
/// believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Each entry an address (`10.0.0.1`, `::1`) or a CIDR range (`10.0.0.0/8`).
    pub fn parse(entries: &[String]) -> Result<TrustedProxies, ConfigError> {
        let bad = |entry: &str| {
            ConfigError::Invalid(format!(
                "trusted_proxies: \"{entry}\" không phải địa chỉ IP hay dải CIDR"
            ))
        };
        let mut ranges = Vec::new();
        for entry in entries {
            let entry = entry.trim();
            let (addr, bits) = match entry.split_once('/') {
                Some((addr, bits)) => (addr, Some(bits)),
                None => (entry, None),
            };
            let addr: IpAddr = addr.parse().map_err(|_| bad(entry))?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                Some(bits) => bits
                    .parse::<u8>()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| bad(entry))?,
                None => max,
            };
            ranges.push((addr, bits));
        }
        Ok(TrustedProxies(ranges))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0
            .iter()
            .any(|(net, bits)| match (canonical(*net), ip) {
                (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(&net.octets(), &ip.octets(), *bits),
                (IpAddr::V6(net), IpAddr::V6(ip)) => prefix_eq(&net.octets(), &ip.octets(), *bits),
                _ => false,
            })
    }

    /// The client's address: the TCP peer, or, when the peer is a trusted proxy, the
    /// right-most address of `X-Forwarded-For` that is not a trusted proxy (the left ones
    /// are whatever the client wrote). `forwarded_for` is every `X-Forwarded-For` header
    /// value in order.
    pub fn client_ip<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl IntoIterator<Item = &'a str>,
    ) -> IpAddr {
        if !self.contains(peer) {
            return canonical(peer);
        }
        let hops: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = canonical(peer);
        for hop in hops.iter().rev() {
            // A hop that is no address at all: nothing further left can be believed.
            let Ok(ip) = hop.parse::<IpAddr>() else {
                break;
            };
            client = canonical(ip);
            if !self.contains(client) {
                break;
            }
        }
        client
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:10.0.0.1`) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let bits = usize::from(bits);
    let (full, rest) = (bits / 8, bits % 8);
    if a[..full] != b[..full] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[full] & mask == b[full] & mask
    }
}

/// An `https://` address, or `http://` to this machine only: what phones accept (the
/// domain's one check).
fn check_public_url(url: &str) -> Result<(), ConfigError> {
    chibo_domain::sync::server_address(url)
        .map(|_| ())
        .map_err(|e| ConfigError::Invalid(format!("public_url: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment_then_defaults() {
        let file = Config::from_toml(
            "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/chibo\"\nmax_pull = 50\n",
        )
        .unwrap();
        let config = file
            .with_env([
                (
                    "CHIBO_DATABASE_URL".to_string(),
                    "postgres://db/chibo".to_string(),
                ),
                ("CHIBO_MAX_PULL".to_string(), "80".to_string()),
                ("HOME".to_string(), "/root".to_string()),
            ])
            .unwrap();
        assert_eq!(config.listen, "0.0.0.0:9000".parse().unwrap());
        assert_eq!(config.data_dir, PathBuf::from("/srv/chibo"));
        assert_eq!(config.database_url(), "postgres://db/chibo");
        assert_eq!(config.max_pull, 80);
        assert_eq!(config.clock_tolerance_minutes, 60);
    }

    #[test]
    fn uploads_are_on_disk_unless_the_processes_share_them_in_the_database() {
        assert_eq!(Config::default().upload_state, UploadState::Disk);
        let file = Config::from_toml("upload_state = \"database\"\n").unwrap();
        assert_eq!(file.upload_state, UploadState::Database);
        let env = |v: &str| vec![("CHIBO_UPLOAD_STATE".to_string(), v.to_string())];
        let config = Config::default().with_env(env("database")).unwrap();
        assert_eq!(config.upload_state, UploadState::Database);
        let err = Config::default().with_env(env("s3")).unwrap_err();
        assert!(err.to_string().contains("CHIBO_UPLOAD_STATE"), "{err}");
    }

    #[test]
    fn defaults_listen_on_loopback_with_sqlite_in_the_data_dir() {
        let config = Config::default().with_env([]).unwrap();
        assert!(config.listen.ip().is_loopback());
        assert_eq!(config.database_url(), "sqlite://chibo-data/chibo.db");
    }

    #[test]
    fn the_public_address_is_https_or_this_machine() {
        let config = Config::default()
            .with_env([(
                "CHIBO_PUBLIC_URL".to_string(),
                "https://chibo.xuanhoa.vn/".to_string(),
            )])
            .unwrap();
        assert_eq!(config.public_url(), "https://chibo.xuanhoa.vn");
        assert_eq!(Config::default().public_url(), "http://127.0.0.1:8080");
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost",
            "http://[::1]:80/x",
        ] {
            assert!(check_public_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://chibo.xuanhoa.vn",
            "http://192.168.1.5:8080",
            "chibo.xuanhoa.vn",
            "ftp://chibo.xuanhoa.vn",
            "https://",
            "https://a@b.vn",
        ] {
            assert!(check_public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_named() {
        let err = Config::default()
            .with_env([("CHIBO_LISTEN".to_string(), "everywhere".to_string())])
            .unwrap_err();
        assert!(err.to_string().contains("CHIBO_LISTEN"), "{err}");
        assert!(Config::from_toml("listen = 5\n").is_err());
        assert!(Config::from_toml("colour = \"red\"\n").is_err());
    }

    #[test]
    fn the_blob_store_is_the_filesystem_unless_s3_is_configured() {
        let config = Config::default().with_env([]).unwrap();
        assert_eq!(config.blob_store, BlobStoreConfig::Filesystem);

        let file = Config::from_toml(
            "[blob_store]\nbackend = \"s3\"\nbucket = \"anh-xa\"\n\
             endpoint = \"https://s3.example.vn\"\naccess_key_id = \"chibo\"\n",
        )
        .unwrap();
        let env = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        // The secret comes from the environment, over the file's other settings.
        let config = file
            .clone()
            .with_env(env(&[
                ("CHIBO_S3_SECRET_ACCESS_KEY", "bí-mật"),
                ("CHIBO_S3_PREFIX", "xuan-hoa/"),
            ]))
            .unwrap();
        let BlobStoreConfig::S3(s3) = &config.blob_store else {
            panic!("{:?}", config.blob_store)
        };
        assert_eq!(
            (
                s3.bucket.as_str(),
                s3.prefix.as_str(),
                s3.secret_access_key.as_str()
            ),
            ("anh-xa", "xuan-hoa/", "bí-mật")
        );
        assert!(!format!("{config:?}").contains("bí-mật"));
        // Without its secret the file's store is refused, with the reason.
        let err = file.with_env([]).unwrap_err().to_string();
        assert!(err.contains("secret_access_key"), "{err}");

        // All from the environment, in any order.
        let config = Config::default()
            .with_env(env(&[
                ("CHIBO_S3_BUCKET", "anh-xa"),
                ("CHIBO_S3_ENDPOINT", "http://127.0.0.1:7070"),
                ("CHIBO_S3_ALLOW_HTTP", "true"),
                ("CHIBO_S3_ACCESS_KEY_ID", "k"),
                ("CHIBO_S3_SECRET_ACCESS_KEY", "s"),
                ("CHIBO_BLOB_STORE", "s3"),
            ]))
            .unwrap();
        assert!(matches!(config.blob_store, BlobStoreConfig::S3(_)));

        for bad in [
            env(&[("CHIBO_S3_BUCKET", "anh-xa")]),
            env(&[("CHIBO_BLOB_STORE", "ftp")]),
            env(&[("CHIBO_BLOB_STORE", "s3"), ("CHIBO_S3_BUCKET", "anh-xa")]),
        ] {
            assert!(Config::default().with_env(bad.clone()).is_err(), "{bad:?}");
        }
        assert!(Config::from_toml("[blob_store]\nbackend = \"s3\"\ncolour = 1\n").is_err());
    }

    #[test]
    fn cookies_are_secure_off_loopback_unless_configured() {
        let mut config = Config::default();
        assert!(!config.cookies_secure());
        config.listen = "0.0.0.0:8080".parse().unwrap();
        assert!(config.cookies_secure());
        config.secure_cookies = Some(false);
        assert!(!config.cookies_secure());
        let config = Config::default()
            .with_env([("CHIBO_SECURE_COOKIES".to_string(), "true".to_string())])
            .unwrap();
        assert!(config.cookies_secure());
    }

    #[test]
    fn the_client_is_the_right_most_hop_no_trusted_proxy_added() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8".into(), "::1".into()]).unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // Straight from the client: its headers are ignored.
        assert_eq!(
            proxies.client_ip(ip("203.0.113.9"), ["1.2.3.4"]),
            ip("203.0.113.9")
        );
        // Through the proxy: the right-most untrusted hop, whatever the client put left.
        assert_eq!(
            proxies.client_ip(ip("10.1.2.3"), ["1.2.3.4, 198.51.100.7", "10.9.9.9"]),
            ip("198.51.100.7")
        );
        assert_eq!(
            proxies.client_ip(ip("::1"), ["198.51.100.7"]),
            ip("198.51.100.7")
        );
        assert_eq!(
            proxies.client_ip(ip("::ffff:10.0.0.1"), ["198.51.100.7"]),
            ip("198.51.100.7")
        );
        // Garbage or no header: the last believable address.
        assert_eq!(
            proxies.client_ip(ip("10.1.2.3"), ["nonsense"]),
            ip("10.1.2.3")
        );
        assert_eq!(proxies.client_ip(ip("10.1.2.3"), []), ip("10.1.2.3"));
        // No proxy configured: the peer, always.
        let none = TrustedProxies::default();
        assert_eq!(
            none.client_ip(ip("127.0.0.1"), ["198.51.100.7"]),
            ip("127.0.0.1")
        );
        for bad in ["10.0.0.0/33", "proxy.local", "10.0.0.0/x"] {
            assert!(TrustedProxies::parse(&[bad.to_string()]).is_err(), "{bad}");
        }
        let config = Config::default()
            .with_env([(
                "CHIBO_TRUSTED_PROXIES".to_string(),
                "127.0.0.1, 10.0.0.0/8".to_string(),
            )])
            .unwrap();
        assert!(config.proxies().unwrap().contains(ip("10.4.4.4")));
    }
}

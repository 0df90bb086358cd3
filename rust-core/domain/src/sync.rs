//! The sync wire protocol between a device and the commune server (architecture.md,
//! "Sync protocol"). Pure types: the server (axum) and the core's sync engine (reqwest)
//! both serialise these with serde as JSON, gzip-compressed on the wire.
//!
//! One round trip carries the push of outbox entries, their acknowledgements, and a page
//! of every scope the device may read.

use serde::{Deserialize, Serialize};

use crate::change::{Change, MeetingField};
use crate::hlc::Hlc;
use crate::model::Id;
use crate::time::EpochMillis;

/// The protocol version a client speaks; the server refuses others with 400.
pub const PROTOCOL_VERSION: u32 = 1;

/// Paths, relative to the server's base URL.
pub const ENROLL_PATH: &str = "/api/v1/enroll";
pub const SYNC_PATH: &str = "/api/v1/sync";
/// tus 1.0 upload creation endpoint; each upload lives at `UPLOADS_PATH/<upload id>`.
pub const UPLOADS_PATH: &str = "/api/v1/uploads";
/// Published blobs, by lowercase hex SHA-256: `BLOBS_PATH/<sha256>`.
pub const BLOBS_PATH: &str = "/api/v1/blobs";
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// Header carrying the device credential: `Authorization: Bearer <credential>`.
pub const AUTH_SCHEME: &str = "Bearer";

/// How far ahead of the server's clock a change's HLC may be before it is clamped and
/// the device flagged.
pub const MAX_CLOCK_AHEAD_MS: i64 = 5 * 60 * 1000;
/// How far a device's clock may be off the server's, either way, before the device and
/// the office are told: a clock behind dates records too early, as wrongly as one ahead
/// dates them too late.
pub const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// The warning for a device whose clock is `offset_ms` off the server's (server time
/// minus device time: positive when the device is behind), or `None` within
/// [`MAX_CLOCK_SKEW_MS`]. The server sends it and the phone's status shows it.
pub fn clock_warning(offset_ms: i64) -> Option<ClockWarning> {
    if offset_ms.unsigned_abs() <= MAX_CLOCK_SKEW_MS.unsigned_abs() {
        return None;
    }
    Some(ClockWarning {
        ahead_ms: -offset_ms,
        message: format!(
            "Đồng hồ của máy đang {}; hãy chỉnh lại ngày giờ trên máy (bật \"Ngày giờ tự \
             động\")",
            clock_offset_words(offset_ms)
        ),
    })
}

/// How a device's clock `offset_ms` off (server minus device) is said: "chậm hơn máy chủ
/// 3 ngày", "nhanh hơn máy chủ 2 giờ".
pub fn clock_offset_words(offset_ms: i64) -> String {
    let way = if offset_ms > 0 { "chậm" } else { "nhanh" };
    format!(
        "{way} hơn máy chủ {}",
        crate::checkin::format::vi_duration(offset_ms)
    )
}

/// What a person does in the commune, which fixes what their devices may read and write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Role {
    /// Bí thư chi bộ: writes their own cell.
    Secretary { cell_id: Id },
    /// Cấp ủy viên phụ trách: reads assigned cells; writes check-ins, observations and
    /// petitions there.
    Cadre { cadre_id: Id },
    /// Văn phòng Đảng ủy xã: reads and answers for the whole commune.
    Office,
}

/// A person the commune office has registered, as a device learns it at enrolment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: Id,
    pub commune_id: Id,
    pub full_name: String,
    #[serde(flatten)]
    pub role: Role,
}

/// What a sync scope is: a unit of data with its own server sequence.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Scope {
    /// Everything recorded about one cell: roster, meetings, check-ins, photos,
    /// petitions and their responses. Presence secrets never appear in it.
    Cell(Id),
    /// The commune's shared data: cadres, working teams, assignments, visit
    /// requirements, and guidance.
    Commune(Id),
}

impl Scope {
    pub fn id(&self) -> &str {
        match self {
            Scope::Cell(id) | Scope::Commune(id) => id,
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::Cell(id) => write!(f, "cell:{id}"),
            Scope::Commune(id) => write!(f, "commune:{id}"),
        }
    }
}

impl From<Scope> for String {
    fn from(scope: Scope) -> String {
        scope.to_string()
    }
}

impl TryFrom<String> for Scope {
    type Error = String;

    fn try_from(text: String) -> Result<Scope, String> {
        let scope = match text.split_once(':') {
            Some(("cell", id)) if crate::model::is_valid_id(id) => Scope::Cell(id.to_string()),
            Some(("commune", id)) if crate::model::is_valid_id(id) => {
                Scope::Commune(id.to_string())
            }
            _ => return Err(format!("phạm vi đồng bộ không hợp lệ: \"{text}\"")),
        };
        Ok(scope)
    }
}

// ---------------------------------------------------------------- enrolment

/// `POST ENROLL_PATH`, unauthenticated: the one-time code the office issued, and the
/// public half of the device's signing key (kept by the platform keystore).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub protocol: u32,
    /// The short code as typed, or the QR content (`chibo:enroll:<code>`).
    pub code: String,
    /// Ed25519 public key, 32 bytes as lowercase hex.
    pub public_key_hex: String,
    /// A label for the office's device list, e.g. "Samsung A05 của chị Lò Thị Mai".
    pub device_label: String,
    /// Where the device's signing key lives; older clients do not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_protection: Option<KeyProtection>,
}

/// Where a device's Ed25519 signing key is kept, as the device reports it at enrolment.
/// The office sees it beside the device: a hardware key cannot be copied off the phone; a
/// wrapped one exists in the app's memory while it signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum KeyProtection {
    /// Made and used inside the phone's keystore (Android KeyMint, the iOS Secure Enclave).
    Hardware,
    /// A software key whose private bytes are encrypted by a non-exportable keystore key
    /// (phones whose keystore has no Ed25519, e.g. Android 10–12).
    Wrapped,
    /// A key in a plain file: the command-line client and tests, never a phone.
    File,
}

impl KeyProtection {
    /// In words for the office's device list.
    pub fn label(self) -> &'static str {
        match self {
            KeyProtection::Hardware => "Khóa trong chip bảo mật của máy",
            KeyProtection::Wrapped => "Khóa phần mềm, được kho khóa của máy mã hóa",
            KeyProtection::File => "Khóa trong tệp (không phải điện thoại)",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            KeyProtection::Hardware => "hardware",
            KeyProtection::Wrapped => "wrapped",
            KeyProtection::File => "file",
        }
    }

    pub fn parse(text: &str) -> Option<KeyProtection> {
        [
            KeyProtection::Hardware,
            KeyProtection::Wrapped,
            KeyProtection::File,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_id: Id,
    /// The device's bearer credential. Shown once; the server keeps only its hash.
    pub credential: String,
    pub person: Person,
    pub commune_name: String,
    pub server_time: EpochMillis,
}

/// The enrolment QR's prefix; the payload version follows it.
const ENROLL_QR_PREFIX: &str = "chibo:enroll:";
/// The QR payload version this build writes: `chibo:enroll:v2:<code>:<server address>`.
/// Version 1 was `chibo:enroll:<code>`, without the address (still read).
pub const ENROLLMENT_QR_VERSION: u32 = 2;

/// The QR content of an enrolment code: everything a phone needs, the commune server's
/// address and the one-time code. The address comes last, unescaped: the code is
/// letters and digits only, so the first `:` after it ends it.
pub fn enrollment_qr(server_url: &str, code: &str) -> String {
    format!(
        "{ENROLL_QR_PREFIX}v{ENROLLMENT_QR_VERSION}:{code}:{}",
        server_url.trim()
    )
}

/// Whether a server at `host` may be reached over plain `http://`: only this machine
/// itself (loopback), where nothing crosses a network. Everything else needs `https://`.
pub fn plain_http_allowed(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Why a commune server's address cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ServerAddressError {
    #[error("Địa chỉ máy chủ \"{0}\" không đúng dạng https://tên-máy-chủ")]
    Malformed(String),
    #[error(
        "Địa chỉ máy chủ \"{0}\" phải dùng https:// (http:// chỉ dùng được cho chính máy này)"
    )]
    Insecure(String),
}

/// Checks a commune server's address and returns it without a trailing slash:
/// `https://host[:port][/path]`, or `http://` to this machine only; no user, query or
/// fragment. The phone checks what a person typed or a QR carried with it, and the
/// server the address it puts into enrolment QR codes, so a server can never hand out
/// an address its phones refuse.
pub fn server_address(input: &str) -> Result<String, ServerAddressError> {
    let trimmed = input.trim().trim_end_matches('/');
    let malformed = || ServerAddressError::Malformed(input.trim().to_string());
    let url = url::Url::parse(trimmed).map_err(|_| malformed())?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none_or(str::is_empty)
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(malformed());
    }
    if url.scheme() == "http" && !plain_http_allowed(url.host_str().unwrap_or_default()) {
        return Err(ServerAddressError::Insecure(trimmed.to_string()));
    }
    Ok(trimmed.to_string())
}

/// What an enrolment QR (or a typed code) carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrollmentInput {
    /// The one-time code, normalised (see [`enrollment_code_from`]).
    pub code: String,
    /// The commune server's address, when the QR carried one (version 2 and later).
    pub server_url: Option<String>,
}

/// Why a scanned enrolment QR cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnrollmentQrError {
    #[error("Mã QR này thuộc phiên bản ứng dụng mới hơn (phiên bản {0}); hãy cập nhật ứng dụng Sổ Chi bộ rồi quét lại.")]
    TooNew(u32),
    #[error("Mã QR không đúng dạng mã đăng ký của Sổ Chi bộ; hãy quét lại hoặc nhập mã chữ số.")]
    Malformed,
}

/// Reads a scanned QR (any version) or a typed code.
pub fn parse_enrollment(input: &str) -> Result<EnrollmentInput, EnrollmentQrError> {
    let input = input.trim();
    let Some(rest) = input.strip_prefix(ENROLL_QR_PREFIX) else {
        return Ok(EnrollmentInput {
            code: normalize_code(input),
            server_url: None,
        });
    };
    let versioned = rest
        .strip_prefix('v')
        .and_then(|r| r.split_once(':'))
        .and_then(|(v, r)| v.parse::<u32>().ok().map(|v| (v, r)));
    let Some((version, body)) = versioned else {
        // Version 1: the code alone.
        return Ok(EnrollmentInput {
            code: normalize_code(rest),
            server_url: None,
        });
    };
    if version > ENROLLMENT_QR_VERSION {
        return Err(EnrollmentQrError::TooNew(version));
    }
    let (code, server_url) = body.split_once(':').ok_or(EnrollmentQrError::Malformed)?;
    let code = normalize_code(code);
    let server_url = server_url.trim();
    if code.is_empty() || server_url.is_empty() {
        return Err(EnrollmentQrError::Malformed);
    }
    Ok(EnrollmentInput {
        code,
        server_url: Some(server_url.to_string()),
    })
}

/// The code inside what the user typed or scanned: the QR content, or the short code
/// with any spaces or dashes a person may add when reading it aloud.
pub fn enrollment_code_from(input: &str) -> String {
    parse_enrollment(input)
        .map(|parsed| parsed.code)
        .unwrap_or_default()
}

fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

// ---------------------------------------------------------------- sync

/// `POST SYNC_PATH`, authenticated: push and pull in one round trip. The phone sends
/// [`PushedChange`]s; the server reads each as a [`ReceivedChange`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncRequest<Entry = PushedChange> {
    pub protocol: u32,
    /// The device's wall clock when it sent this request, so the server can tell how far
    /// off it is (`checkin::ServerReceipt`).
    pub device_clock_at_send: EpochMillis,
    /// Outbox entries in `device_seq` order, starting at or before the server's
    /// `last_applied_seq + 1`. May be empty (pull only).
    pub push: Vec<Entry>,
    /// Where the device is in each scope it has read; scopes it may read but does not
    /// list start at 0.
    pub cursors: Vec<ScopeCursor>,
    /// At most this many pulled changes in the response (the server caps it too).
    pub pull_limit: Option<u32>,
}

/// One outbox entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushedChange {
    /// 1, 2, 3… per device, without gaps.
    pub device_seq: u64,
    pub hlc: Hlc,
    /// The device's wall clock when the change was made (its claimed time).
    pub created_at: EpochMillis,
    /// How long before sending the change was made, by the device's clock since boot
    /// (which nobody sets); `None` when the device restarted since. The server knows
    /// from it when the change really happened, whatever the wall clock said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<i64>,
    pub change: Change,
}

/// A pushed entry as the server reads it. A change it cannot read (an `op` it does not
/// know, as from an app newer than the server, or a field missing or of the wrong type)
/// keeps its number, so it is acknowledged `Rejected` alone and the rest of the push
/// goes on: one bad change never holds a phone's whole outbox. The entry around the
/// change (`device_seq`, `hlc`, `created_at`, `elapsed_ms`, and `change` an object
/// naming its `op`) is the protocol itself: an entry that breaks it fails the request.
#[derive(Clone, Debug, PartialEq)]
// Nearly every entry is readable: boxing that variant would allocate once per change.
#[allow(clippy::large_enum_variant)]
pub enum ReceivedChange {
    Readable(PushedChange),
    Unreadable(UnreadableChange),
}

/// A pushed entry whose change the server cannot read, with why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnreadableChange {
    pub device_seq: u64,
    pub hlc: Hlc,
    pub created_at: EpochMillis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<i64>,
    /// The change as it came: an object with a string `op`.
    pub change: serde_json::Value,
    #[serde(skip)]
    pub reason: String,
}

impl ReceivedChange {
    pub fn device_seq(&self) -> u64 {
        match self {
            ReceivedChange::Readable(entry) => entry.device_seq,
            ReceivedChange::Unreadable(entry) => entry.device_seq,
        }
    }

    pub fn readable(&self) -> Option<&PushedChange> {
        match self {
            ReceivedChange::Readable(entry) => Some(entry),
            ReceivedChange::Unreadable(_) => None,
        }
    }
}

impl Serialize for ReceivedChange {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ReceivedChange::Readable(entry) => entry.serialize(serializer),
            ReceivedChange::Unreadable(entry) => entry.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ReceivedChange {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(deserializer)?;
        let unread = match PushedChange::deserialize(&value) {
            Ok(entry) => return Ok(ReceivedChange::Readable(entry)),
            Err(e) => e,
        };
        let mut entry = UnreadableChange::deserialize(&value).map_err(D::Error::custom)?;
        let Some(op) = entry.change.get("op").and_then(|op| op.as_str()) else {
            return Err(D::Error::custom(format!(
                "change #{}: an object naming its `op` is expected",
                entry.device_seq
            )));
        };
        let op: String = op.chars().take(64).collect();
        entry.reason = format!(
            "Máy chủ không đọc được thay đổi “{op}” (có thể ứng dụng mới hơn máy chủ): {unread}"
        );
        Ok(ReceivedChange::Unreadable(entry))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeCursor {
    pub scope: Scope,
    /// The last server sequence number of this scope the device has applied.
    pub after: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub server_time: EpochMillis,
    /// One per pushed entry, in order (resends are acknowledged again with the stored
    /// outcome).
    pub acks: Vec<Ack>,
    /// The highest `device_seq` the server has settled for this device.
    pub last_applied_seq: u64,
    /// Set when the device's clock is too far off the server's, either way (too far
    /// ahead, its HLCs were clamped too).
    pub clock_warning: Option<ClockWarning>,
    /// A page of each readable scope that has something after the device's cursor.
    pub pulled: Vec<ScopePage>,
    /// More remains to pull: sync again.
    pub more: bool,
    /// Every scope the device may read now. A cell it held and no longer reads (its
    /// assignment moved) is removed from the device; a cursor for it is ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readable: Vec<Scope>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    pub device_seq: u64,
    pub outcome: AckOutcome,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AckOutcome {
    /// Applied and logged.
    Applied,
    /// Accepted but a later write (by HLC) of the same field already won.
    Superseded,
    /// Applied, except these fields of a meeting's header, which a later write (by
    /// HLC) from another device already holds.
    PartlyApplied { lost: Vec<MeetingField> },
    /// Refused by a rule or by scope. The device puts it on its "needs attention" list
    /// and goes on with the queue.
    Rejected {
        /// A stable machine code, e.g. "validation", "scope", "not_found", "frozen".
        code: String,
        /// The reason in Vietnamese, for the person who made the change.
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockWarning {
    /// How far ahead of the server the device's clock was, in milliseconds (negative
    /// when it was behind).
    pub ahead_ms: i64,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScopePage {
    pub scope: Scope,
    /// In server sequence order.
    pub changes: Vec<PulledChange>,
    /// The cursor to send next time (the last sequence number in this page, or the
    /// device's own cursor when the page is empty).
    pub cursor: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PulledChange {
    pub server_seq: u64,
    /// The HLC that orders it (clamped by the server if the author's clock ran ahead).
    pub hlc: Hlc,
    pub change: Change,
}

// ---------------------------------------------------------------- errors

/// The JSON body of every 4xx/5xx answer from the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable machine code: "bad_request", "unauthorized", "revoked", "forbidden",
    /// "not_found", "sequence_gap", "seq_conflict", "too_large", "checksum_mismatch",
    /// "code_used", "code_expired", "conflict", "internal".
    pub code: String,
    /// In Vietnamese, for the user.
    pub message: String,
    /// For "sequence_gap" and "seq_conflict": the `device_seq` the server expects next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_as_text_and_refuse_garbage() {
        let id = crate::model::new_id();
        let scope = Scope::Cell(id.clone());
        let json = serde_json::to_string(&scope).unwrap();
        assert_eq!(json, format!("\"cell:{id}\""));
        assert_eq!(serde_json::from_str::<Scope>(&json).unwrap(), scope);
        assert!(serde_json::from_str::<Scope>("\"cell:../etc\"").is_err());
        assert!(serde_json::from_str::<Scope>("\"province:x\"").is_err());
    }

    #[test]
    fn enrollment_code_is_read_from_qr_or_from_a_typed_code() {
        assert_eq!(enrollment_code_from("chibo:enroll:AB12CD34"), "AB12CD34");
        assert_eq!(enrollment_code_from(" ab12-cd34 "), "AB12CD34");
        assert_eq!(
            enrollment_code_from(&enrollment_qr("https://xa.example.vn", "XY9")),
            "XY9"
        );
    }

    #[test]
    fn the_enrolment_qr_carries_the_server_address_and_the_code() {
        let qr = enrollment_qr("https://xuanhoa.example.vn:8443/chibo", "K7QM4XTB");
        assert_eq!(
            qr,
            "chibo:enroll:v2:K7QM4XTB:https://xuanhoa.example.vn:8443/chibo"
        );
        assert_eq!(
            parse_enrollment(&qr).unwrap(),
            EnrollmentInput {
                code: "K7QM4XTB".into(),
                server_url: Some("https://xuanhoa.example.vn:8443/chibo".into()),
            }
        );
        // Version 1 and a typed code carry no address.
        assert_eq!(
            parse_enrollment("chibo:enroll:AB12CD34")
                .unwrap()
                .server_url,
            None
        );
        assert_eq!(parse_enrollment("ab12 cd34").unwrap().code, "AB12CD34");
        assert_eq!(
            parse_enrollment("chibo:enroll:v9:AB12:https://x.vn"),
            Err(EnrollmentQrError::TooNew(9))
        );
        assert_eq!(
            parse_enrollment("chibo:enroll:v2:AB12"),
            Err(EnrollmentQrError::Malformed)
        );
    }

    #[test]
    fn plain_http_only_to_this_machine() {
        for host in ["localhost", "127.0.0.1", "127.4.5.6", "[::1]", "::1"] {
            assert!(plain_http_allowed(host), "{host}");
        }
        for host in [
            "xa.example.vn",
            "10.0.0.5",
            "192.168.1.2",
            "[2001:db8::1]",
            "",
        ] {
            assert!(!plain_http_allowed(host), "{host}");
        }
    }

    #[test]
    fn key_protection_reads_back_and_old_requests_have_none() {
        for kind in [
            KeyProtection::Hardware,
            KeyProtection::Wrapped,
            KeyProtection::File,
        ] {
            assert_eq!(KeyProtection::parse(kind.as_str()), Some(kind));
        }
        let old: EnrollRequest = serde_json::from_str(
            r#"{"protocol":1,"code":"AB","public_key_hex":"00","device_label":"x"}"#,
        )
        .unwrap();
        assert_eq!(old.key_protection, None);
    }

    #[test]
    fn a_clock_behind_is_warned_about_like_a_clock_ahead() {
        let behind = clock_warning(3 * 24 * 3_600_000).expect("three days behind");
        assert!(
            behind.message.contains("chậm hơn máy chủ 3 ngày"),
            "{}",
            behind.message
        );
        assert!(behind.ahead_ms < 0);
        let ahead = clock_warning(-2 * 3_600_000).expect("two hours ahead");
        assert!(
            ahead.message.contains("nhanh hơn máy chủ 2 giờ"),
            "{}",
            ahead.message
        );
        assert_eq!(clock_warning(60_000), None);
        assert_eq!(clock_warning(-60_000), None);
    }

    #[test]
    fn person_role_is_flat_in_json() {
        let p = Person {
            id: "p".into(),
            commune_id: "c".into(),
            full_name: "Lò Thị Mai".into(),
            role: Role::Secretary {
                cell_id: "x".into(),
            },
        };
        let v: serde_json::Value = serde_json::to_value(&p).unwrap();
        assert_eq!(v["role"], "secretary");
        assert_eq!(v["cell_id"], "x");
        assert_eq!(serde_json::from_value::<Person>(v).unwrap(), p);
    }

    #[test]
    fn a_server_address_is_judged_the_same_for_the_phone_and_the_server() {
        assert_eq!(
            server_address(" https://xa.example.vn/chibo/ ").unwrap(),
            "https://xa.example.vn/chibo"
        );
        assert_eq!(server_address("HTTPS://xa.vn").unwrap(), "HTTPS://xa.vn");
        assert_eq!(
            server_address("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            server_address("http://[::1]:80/").unwrap(),
            "http://[::1]:80"
        );
        for bad in [
            "https://xa.vn:99999",
            "xa.vn",
            "ftp://xa.vn",
            "https://",
            "https://u:p@xa.vn",
            "https://xa.vn/?a=1",
            "https://xa.vn/#x",
        ] {
            assert!(
                matches!(server_address(bad), Err(ServerAddressError::Malformed(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            server_address("http://xa.vn"),
            Err(ServerAddressError::Insecure(_))
        ));
    }
}

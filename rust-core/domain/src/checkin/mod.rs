//! Check-in (điểm danh / xác nhận dự sinh hoạt) of a commune committee member at a village
//! cell's meeting. It counts in the cadre's year-end evaluation, so it carries its own
//! evidence and is judged by one rule on the phone (provisionally) and on the server
//! (finally):
//!
//! - [`presence`]: the rotating 6-digit code the secretary's screen shows;
//! - [`signature`]: the check-in record, its canonical bytes and its Ed25519 signature;
//! - [`verdict`]: [`judge_check_in`], which lists every reason a check-in needs review.
//!
//! All of it is pure: randomness, keys, clocks and photos come from the caller.

pub(crate) mod format;
pub mod presence;
pub mod signature;
pub mod verdict;

pub use presence::*;
pub use signature::*;
pub use verdict::*;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::Id;
use crate::time::EpochMillis;

/// A location fix as the platform reported it when the cadre checked in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GpsFix {
    /// Degrees, WGS 84.
    pub latitude: f64,
    pub longitude: f64,
    /// Horizontal accuracy radius in metres (68 % confidence on Android).
    pub accuracy_m: f64,
    /// When the fix was taken, as the platform reports it.
    pub fix_time: EpochMillis,
    /// The platform said the location came from a mock provider.
    pub mock_location: bool,
}

/// How a fix looks on the check-in screen while the cadre waits for a better one: within
/// [`GOOD_FIX_M`] it places them in the meeting room, within [`FAIR_FIX_M`] in the village;
/// anything wider (or a fix that reports no accuracy) is poor. Only [`judge_check_in`]
/// decides what a fix is worth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum FixQuality {
    Good,
    Fair,
    Poor,
}

/// The widest accuracy radius shown as a good fix, in metres.
pub const GOOD_FIX_M: f64 = 30.0;
/// The widest accuracy radius shown as a fair fix, in metres.
pub const FAIR_FIX_M: f64 = 100.0;

/// The quality of a fix with this accuracy radius (metres).
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn fix_quality(accuracy_m: f64) -> FixQuality {
    match accuracy_m {
        a if (0.0..=GOOD_FIX_M).contains(&a) => FixQuality::Good,
        a if (0.0..=FAIR_FIX_M).contains(&a) => FixQuality::Fair,
        _ => FixQuality::Poor,
    }
}

/// One cadre's check-in at one meeting, signed by the key of the device that made it.
/// Insert-only: it is never edited after signing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CheckIn {
    pub id: Id,
    pub meeting_id: Id,
    pub cell_id: Id,
    /// The cadre (a person id).
    pub cadre_id: Id,
    pub device_id: Id,
    /// SHA-256 (lowercase hex) of the processed photo taken at check-in.
    pub photo_sha256: Option<String>,
    pub gps: Option<GpsFix>,
    /// The device's wall clock at check-in, uncorrected.
    pub device_wall_time: EpochMillis,
    /// Milliseconds since the device booted, at check-in.
    pub monotonic_ms: i64,
    /// Last known offset of server time minus device time, from the last sync.
    pub server_offset_ms: Option<i64>,
    /// The code read from the secretary's screen (typed or scanned).
    pub presence_code: String,
    /// The device's Ed25519 public key, 32 bytes as lowercase hex.
    pub public_key_hex: String,
    /// Ed25519 signature over [`signing_payload`], 64 bytes as lowercase hex.
    pub signature_hex: String,
}

impl CheckIn {
    /// The check-in as other devices receive it: who, which meeting, and when (its
    /// judged time). The presence code, the fix, the photo, the clock readings and the
    /// signature stay on the server: with them another cadre could copy a check-in.
    pub fn for_readers(&self, verdict: &Verdict) -> CheckIn {
        CheckIn {
            id: self.id.clone(),
            meeting_id: self.meeting_id.clone(),
            cell_id: self.cell_id.clone(),
            cadre_id: self.cadre_id.clone(),
            device_id: self.device_id.clone(),
            photo_sha256: None,
            gps: None,
            device_wall_time: verdict.effective_time,
            monotonic_ms: 0,
            server_offset_ms: None,
            presence_code: String::new(),
            public_key_hex: String::new(),
            signature_hex: String::new(),
        }
    }

    /// Whether this is what readers receive of `full` ([`CheckIn::for_readers`]).
    pub fn is_redaction_of(&self, full: &CheckIn) -> bool {
        self.id == full.id
            && self.meeting_id == full.meeting_id
            && self.cell_id == full.cell_id
            && self.cadre_id == full.cadre_id
            && self.device_id == full.device_id
            && self.signature_hex.is_empty()
            && self.presence_code.is_empty()
            && self.gps.is_none()
    }

    /// Device time corrected by the last known server offset (the device time itself when
    /// the device never learnt an offset).
    pub fn corrected_time(&self) -> EpochMillis {
        self.device_wall_time
            .saturating_add(self.server_offset_ms.unwrap_or(0))
    }
}

/// Why a check-in's cryptographic material cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CheckInError {
    #[error("Khóa công khai của thiết bị không hợp lệ: {detail}")]
    InvalidPublicKey { detail: String },
    #[error("Chữ ký số có định dạng không hợp lệ: {detail}")]
    MalformedSignature { detail: String },
    #[error("Chữ ký số không khớp với dữ liệu điểm danh")]
    SignatureMismatch,
    #[error("Không lấy được số ngẫu nhiên từ hệ điều hành: {detail}")]
    Randomness { detail: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fix_reads_good_within_30_m_fair_within_100_m_else_poor() {
        assert_eq!(fix_quality(12.0), FixQuality::Good);
        assert_eq!(fix_quality(30.0), FixQuality::Good);
        assert_eq!(fix_quality(30.5), FixQuality::Fair);
        assert_eq!(fix_quality(100.0), FixQuality::Fair);
        assert_eq!(fix_quality(420.0), FixQuality::Poor);
        assert_eq!(fix_quality(f64::NAN), FixQuality::Poor);
        assert_eq!(fix_quality(-1.0), FixQuality::Poor);
    }
}

//! The presence code (mã xác nhận) the secretary's screen shows during a meeting.
//!
//! The secretary's device makes a per-meeting secret of [`PRESENCE_SECRET_LEN`] random
//! bytes. From it, a 6-digit code rotates every [`PRESENCE_STEP_MS`] (5 minutes), in the
//! manner of TOTP (RFC 6238) with HMAC-SHA256:
//!
//! ```text
//! step    = floor(at / 300 000 ms)                      (at: Unix milliseconds, UTC)
//! message = "chibo/presence/v1" || u32-BE(len(meeting_id)) || meeting_id (UTF-8) || i64-BE(step)
//! mac     = HMAC-SHA256(key = secret, message)
//! offset  = mac[31] & 0x0f                              (RFC 4226 dynamic truncation)
//! code    = (u32-BE(mac[offset..offset+4]) & 0x7fff_ffff) mod 10^6, zero-padded to 6 digits
//! ```
//!
//! Binding the meeting id means a code of one meeting never fits another, even under the
//! same secret. The code is never compared with `==`: [`verify_presence_code`] compares in
//! constant time.
//!
//! Both devices should pass server-corrected time (device time + last known server
//! offset) where they have it: phone clocks are often wrong.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::CheckInError;
use crate::time::EpochMillis;

/// Length of a meeting's presence secret, in bytes.
pub const PRESENCE_SECRET_LEN: usize = 32;
/// How long one code is shown before it rotates: 5 minutes.
pub const PRESENCE_STEP_MS: i64 = 5 * 60_000;
/// Digits in a code.
pub const PRESENCE_CODE_DIGITS: usize = 6;
/// How far from the claimed time [`verify_presence_code`] looks for a match, to tell an
/// expired code (e.g. yesterday's) from a wrong one: 36 hours either side.
pub const EXPIRED_SEARCH_STEPS: i64 = 36 * 60 * 60_000 / PRESENCE_STEP_MS;
/// The prefix of the QR payload: `chibo:presence:<meeting_id>:<code>`.
pub const PRESENCE_QR_PREFIX: &str = "chibo:presence:";

const DOMAIN_TAG: &[u8] = b"chibo/presence/v1";

/// The code to show now, with the span it is valid for and the QR payload that carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PresenceCode {
    /// Six digits, e.g. "048213".
    pub code: String,
    /// The time step the code belongs to (`at / 5 min`).
    pub step: i64,
    pub valid_from: EpochMillis,
    /// Exclusive: the next code starts here.
    pub valid_until: EpochMillis,
    /// `chibo:presence:<meeting_id>:<code>`, for the app to draw as a QR code.
    pub qr_payload: String,
}

/// What a scanned or typed presence code says once parsed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PresencePayload {
    pub meeting_id: String,
    pub code: String,
}

/// The outcome of checking a code against a meeting's secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PresenceCheck {
    /// The code of `step`, within the tolerance around the claimed time.
    Valid { step: i64 },
    /// No step within [`EXPIRED_SEARCH_STEPS`] of the claimed time has this code.
    WrongCode,
    /// The code of a step `steps_off` away from the claimed time, beyond the tolerance
    /// (negative: an older code, e.g. yesterday's is about −288).
    Expired { steps_off: i64 },
}

/// A fresh 32-byte secret for a meeting, from the operating system's randomness.
pub fn generate_presence_secret() -> Result<Vec<u8>, CheckInError> {
    let mut secret = vec![0u8; PRESENCE_SECRET_LEN];
    getrandom::fill(&mut secret).map_err(|e| CheckInError::Randomness {
        detail: e.to_string(),
    })?;
    Ok(secret)
}

/// The time step an instant falls in (floor division, so instants before 1970 work too).
pub fn presence_step(at: EpochMillis) -> i64 {
    at.div_euclid(PRESENCE_STEP_MS)
}

/// The code the secretary's screen shows at `at`.
pub fn presence_code(secret: &[u8], meeting_id: &str, at: EpochMillis) -> PresenceCode {
    let step = presence_step(at);
    let code = code_for_step(secret, meeting_id, step);
    PresenceCode {
        qr_payload: presence_qr_payload(meeting_id, &code),
        code,
        step,
        valid_from: step * PRESENCE_STEP_MS,
        valid_until: (step + 1) * PRESENCE_STEP_MS,
    }
}

/// `chibo:presence:<meeting_id>:<code>`.
pub fn presence_qr_payload(meeting_id: &str, code: &str) -> String {
    format!("{PRESENCE_QR_PREFIX}{meeting_id}:{code}")
}

/// Reads a QR payload made by [`presence_qr_payload`]; `None` if it is not one.
pub fn parse_presence_qr_payload(text: &str) -> Option<PresencePayload> {
    let rest = text.trim().strip_prefix(PRESENCE_QR_PREFIX)?;
    let (meeting_id, code) = rest.rsplit_once(':')?;
    let code = normalize_code(code)?;
    if meeting_id.is_empty() {
        return None;
    }
    Some(PresencePayload {
        meeting_id: meeting_id.to_string(),
        code,
    })
}

/// Checks `code` for `meeting_id` at `claimed_at`.
///
/// Accepts the code of any step within `tolerance_steps` of the claimed step, either
/// side: before covers a code read just before it rotated, after covers a secretary's
/// clock running a little ahead of the cadre's. Beyond that, steps within ±36 hours are
/// searched so an old code (yesterday's) is reported as [`PresenceCheck::Expired`] rather
/// than [`PresenceCheck::WrongCode`]. Typed spaces are ignored. Comparison is constant
/// time per candidate step.
pub fn verify_presence_code(
    secret: &[u8],
    meeting_id: &str,
    code: &str,
    claimed_at: EpochMillis,
    tolerance_steps: u32,
) -> PresenceCheck {
    let Some(given) = normalize_code(code) else {
        return PresenceCheck::WrongCode;
    };
    let claimed = presence_step(claimed_at);
    let tolerance = i64::from(tolerance_steps).min(EXPIRED_SEARCH_STEPS);
    // Nearest steps first, so the smallest offset is reported.
    for distance in 0..=EXPIRED_SEARCH_STEPS {
        for step in candidate_steps(claimed, distance) {
            let expected = code_for_step(secret, meeting_id, step);
            if bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
                return if distance <= tolerance {
                    PresenceCheck::Valid { step }
                } else {
                    PresenceCheck::Expired {
                        steps_off: step - claimed,
                    }
                };
            }
        }
    }
    PresenceCheck::WrongCode
}

/// Whether `code` is the code of a step within `tolerance_steps` of `at`'s, either side.
/// The verdict asks only this: it never searches further, so it costs a few HMACs and
/// its answer says nothing about other steps.
pub fn presence_code_matches(
    secret: &[u8],
    meeting_id: &str,
    code: &str,
    at: EpochMillis,
    tolerance_steps: u32,
) -> bool {
    let Some(given) = normalize_code(code) else {
        return false;
    };
    let claimed = presence_step(at);
    let tolerance = i64::from(tolerance_steps).min(EXPIRED_SEARCH_STEPS);
    let mut matched = false;
    // Every candidate is computed and compared, so the time taken says nothing either.
    for step in claimed - tolerance..=claimed + tolerance {
        let expected = code_for_step(secret, meeting_id, step);
        matched |= bool::from(expected.as_bytes().ct_eq(given.as_bytes()));
    }
    matched
}

fn candidate_steps(claimed: i64, distance: i64) -> Vec<i64> {
    if distance == 0 {
        vec![claimed]
    } else {
        // The earlier step first: a late-read code is the common honest case.
        vec![claimed - distance, claimed + distance]
    }
}

/// Six ASCII digits once spaces are removed, or `None`.
fn normalize_code(code: &str) -> Option<String> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == PRESENCE_CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

fn code_for_step(secret: &[u8], meeting_id: &str, step: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(DOMAIN_TAG);
    mac.update(&(meeting_id.len() as u32).to_be_bytes());
    mac.update(meeting_id.as_bytes());
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let word = u32::from_be_bytes([
        digest[offset],
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]) & 0x7fff_ffff;
    format!("{:06}", word % 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: [u8; 32] = [7u8; 32];
    const MEETING: &str = "0190a1b2-0000-7000-8000-000000000001";
    /// 24/11/2026 08:00 in Vietnam (01:00 UTC).
    const AT: EpochMillis = 1_795_482_000_000;

    #[test]
    fn code_is_six_digits_and_stable_within_its_step() {
        let a = presence_code(&SECRET, MEETING, AT);
        assert_eq!(a.code.len(), 6);
        assert!(a.code.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(a.valid_until - a.valid_from, 300_000);
        assert!(a.valid_from <= AT && AT < a.valid_until);
        let later_same_step = presence_code(&SECRET, MEETING, a.valid_until - 1);
        assert_eq!(later_same_step.code, a.code);
        assert_eq!(a.qr_payload, format!("chibo:presence:{MEETING}:{}", a.code));
    }

    #[test]
    fn code_rotates_and_depends_on_meeting_and_secret() {
        let a = presence_code(&SECRET, MEETING, AT);
        let next = presence_code(&SECRET, MEETING, a.valid_until);
        assert_eq!(next.step, a.step + 1);
        // Over a day of steps, codes must not all be equal; a collision of one pair is
        // possible (1 in 10^6) so compare many.
        let distinct: std::collections::HashSet<String> = (0..288)
            .map(|i| presence_code(&SECRET, MEETING, AT + i * PRESENCE_STEP_MS).code)
            .collect();
        assert!(distinct.len() > 280, "{}", distinct.len());
        let other_meeting = (0..20)
            .filter(|i| {
                let t = AT + i * PRESENCE_STEP_MS;
                presence_code(&SECRET, MEETING, t).code
                    == presence_code(&SECRET, "another-meeting", t).code
            })
            .count();
        assert_eq!(other_meeting, 0);
        assert_ne!(
            presence_code(&[8u8; 32], MEETING, AT).code,
            presence_code(&SECRET, MEETING, AT).code
        );
    }

    #[test]
    fn current_and_previous_step_are_valid() {
        let shown = presence_code(&SECRET, MEETING, AT);
        assert_eq!(
            verify_presence_code(&SECRET, MEETING, &shown.code, AT + 1_000, 1),
            PresenceCheck::Valid { step: shown.step }
        );
        // Read at 08:04:59, typed in at 08:06.
        assert_eq!(
            verify_presence_code(&SECRET, MEETING, &shown.code, shown.valid_until + 60_000, 1),
            PresenceCheck::Valid { step: shown.step }
        );
        // Typed with a space in the middle.
        let spaced = format!("{} {}", &shown.code[..3], &shown.code[3..]);
        assert_eq!(
            verify_presence_code(&SECRET, MEETING, &spaced, AT, 1),
            PresenceCheck::Valid { step: shown.step }
        );
    }

    #[test]
    fn an_older_code_beyond_tolerance_is_expired() {
        let shown = presence_code(&SECRET, MEETING, AT);
        // Two steps later (10 minutes), tolerance 1.
        let check =
            verify_presence_code(&SECRET, MEETING, &shown.code, AT + 2 * PRESENCE_STEP_MS, 1);
        assert_eq!(check, PresenceCheck::Expired { steps_off: -2 });
    }

    #[test]
    fn yesterdays_code_is_expired_not_wrong() {
        let yesterday = presence_code(&SECRET, MEETING, AT - 86_400_000);
        assert_eq!(
            verify_presence_code(&SECRET, MEETING, &yesterday.code, AT, 1),
            PresenceCheck::Expired { steps_off: -288 }
        );
    }

    #[test]
    fn wrong_code_and_malformed_code() {
        // Find a 6-digit string that is no code within ±36 h (almost any is).
        let mut wrong = 123_456u32;
        let near: std::collections::HashSet<String> = (-EXPIRED_SEARCH_STEPS
            ..=EXPIRED_SEARCH_STEPS)
            .map(|d| code_for_step(&SECRET, MEETING, presence_step(AT) + d))
            .collect();
        while near.contains(&format!("{wrong:06}")) {
            wrong += 1;
        }
        assert_eq!(
            verify_presence_code(&SECRET, MEETING, &format!("{wrong:06}"), AT, 1),
            PresenceCheck::WrongCode
        );
        for malformed in ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"] {
            assert_eq!(
                verify_presence_code(&SECRET, MEETING, malformed, AT, 1),
                PresenceCheck::WrongCode,
                "{malformed}"
            );
        }
        // The right code of another meeting is wrong for this one.
        let other = presence_code(&SECRET, "another-meeting", AT);
        if !near.contains(&other.code) {
            assert_eq!(
                verify_presence_code(&SECRET, MEETING, &other.code, AT, 1),
                PresenceCheck::WrongCode
            );
        }
    }

    #[test]
    fn qr_payload_round_trips() {
        let shown = presence_code(&SECRET, MEETING, AT);
        assert_eq!(
            parse_presence_qr_payload(&shown.qr_payload),
            Some(PresencePayload {
                meeting_id: MEETING.to_string(),
                code: shown.code.clone()
            })
        );
        assert_eq!(parse_presence_qr_payload("https://example.org"), None);
        assert_eq!(parse_presence_qr_payload("chibo:presence::123456"), None);
        assert_eq!(parse_presence_qr_payload("chibo:presence:m:12x456"), None);
    }

    #[test]
    fn generated_secrets_are_32_fresh_bytes() {
        let a = generate_presence_secret().unwrap();
        let b = generate_presence_secret().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn steps_floor_before_the_epoch() {
        assert_eq!(presence_step(-1), -1);
        assert_eq!(presence_step(0), 0);
        assert_eq!(presence_step(PRESENCE_STEP_MS - 1), 0);
    }
}

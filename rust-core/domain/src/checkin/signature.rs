//! The canonical bytes of a check-in and its Ed25519 signature.
//!
//! # Canonical encoding (`chibo/check-in/v1`)
//!
//! [`signing_payload`] is the 17 ASCII bytes `chibo/check-in/v1`, then every field of
//! [`CheckIn`] except `signature_hex`, in this order, with no padding or separators:
//!
//! | # | field | encoding |
//! |---|---|---|
//! | 1 | `id` | str |
//! | 2 | `meeting_id` | str |
//! | 3 | `cell_id` | str |
//! | 4 | `cadre_id` | str |
//! | 5 | `device_id` | str |
//! | 6 | `photo_sha256` | opt(str) |
//! | 7 | `gps` | opt(f64 `latitude`, f64 `longitude`, f64 `accuracy_m`, i64 `fix_time`, bool `mock_location`) |
//! | 8 | `device_wall_time` | i64 |
//! | 9 | `monotonic_ms` | i64 |
//! | 10 | `server_offset_ms` | opt(i64) |
//! | 11 | `presence_code` | str |
//! | 12 | `public_key_hex` | str |
//!
//! - str: byte length as u32 big-endian, then the UTF-8 bytes exactly as stored (no
//!   Unicode normalisation, no case folding);
//! - i64: 8 bytes big-endian two's complement;
//! - f64: the 8 bytes of its IEEE-754 bit pattern, big-endian (`f64::to_bits`);
//! - bool: one byte, 0 or 1;
//! - opt(x): one byte 0 for none, or one byte 1 followed by x.
//!
//! The encoding depends on no serializer, locale or platform, and every field is
//! length-delimited, so no two different check-ins share a payload. Finite `f64`s survive
//! the JSON of the sync protocol bit for bit (shortest round-trip formatting), so the
//! server rebuilds the same bytes. A change to the field list needs a new tag (`v2`).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use super::{CheckIn, CheckInError};

/// The tag that opens every payload; names the encoding's version.
pub const CHECK_IN_PAYLOAD_TAG: &[u8] = b"chibo/check-in/v1";

/// The bytes the device signs: see the module documentation for the layout.
pub fn signing_payload(check_in: &CheckIn) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(CHECK_IN_PAYLOAD_TAG);
    put_str(&mut out, &check_in.id);
    put_str(&mut out, &check_in.meeting_id);
    put_str(&mut out, &check_in.cell_id);
    put_str(&mut out, &check_in.cadre_id);
    put_str(&mut out, &check_in.device_id);
    match &check_in.photo_sha256 {
        None => out.push(0),
        Some(hash) => {
            out.push(1);
            put_str(&mut out, hash);
        }
    }
    match &check_in.gps {
        None => out.push(0),
        Some(gps) => {
            out.push(1);
            put_f64(&mut out, gps.latitude);
            put_f64(&mut out, gps.longitude);
            put_f64(&mut out, gps.accuracy_m);
            put_i64(&mut out, gps.fix_time);
            out.push(u8::from(gps.mock_location));
        }
    }
    put_i64(&mut out, check_in.device_wall_time);
    put_i64(&mut out, check_in.monotonic_ms);
    match check_in.server_offset_ms {
        None => out.push(0),
        Some(offset) => {
            out.push(1);
            put_i64(&mut out, offset);
        }
    }
    put_str(&mut out, &check_in.presence_code);
    put_str(&mut out, &check_in.public_key_hex);
    out
}

/// Checks `signature_hex` against `public_key_hex` over [`signing_payload`], with
/// `verify_strict` (rejects small-order keys and non-canonical signatures).
///
/// This proves the record was not changed since that key signed it; whether the key
/// belongs to the cadre's enrolled device is a separate question the verdict asks.
pub fn verify_check_in_signature(check_in: &CheckIn) -> Result<(), CheckInError> {
    let key = parse_public_key(&check_in.public_key_hex)?;
    let signature_bytes: [u8; 64] = hex::decode(check_in.signature_hex.trim())
        .map_err(|e| CheckInError::MalformedSignature {
            detail: e.to_string(),
        })?
        .try_into()
        .map_err(|bytes: Vec<u8>| CheckInError::MalformedSignature {
            detail: format!("cần 64 byte, có {} byte", bytes.len()),
        })?;
    let signature = Signature::from_bytes(&signature_bytes);
    key.verify_strict(&signing_payload(check_in), &signature)
        .map_err(|_| CheckInError::SignatureMismatch)
}

/// An Ed25519 public key from 64 hex digits.
pub fn parse_public_key(public_key_hex: &str) -> Result<VerifyingKey, CheckInError> {
    let bytes: [u8; 32] = hex::decode(public_key_hex.trim())
        .map_err(|e| CheckInError::InvalidPublicKey {
            detail: e.to_string(),
        })?
        .try_into()
        .map_err(|bytes: Vec<u8>| CheckInError::InvalidPublicKey {
            detail: format!("cần 32 byte, có {} byte", bytes.len()),
        })?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| CheckInError::InvalidPublicKey {
        detail: e.to_string(),
    })
}

/// Lowercase hex of a signing key's public half, as `public_key_hex` holds it.
pub fn public_key_hex(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().as_bytes())
}

/// Signs with a key held in memory (tests, the CLI's file-backed keys). On phones the
/// key stays in the platform keystore, which signs [`signing_payload`] itself.
///
/// Sets `public_key_hex` to the key's public half, then `signature_hex`.
pub fn sign_check_in_with(key: &SigningKey, mut check_in: CheckIn) -> CheckIn {
    check_in.public_key_hex = public_key_hex(key);
    let signature = key.sign(&signing_payload(&check_in));
    check_in.signature_hex = hex::encode(signature.to_bytes());
    check_in
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    let len = u32::try_from(text.len()).expect("a check-in field is shorter than 4 GiB");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(text.as_bytes());
}

fn put_i64(out: &mut Vec<u8>, value: i64) {
    out.extend_from_slice(&value.to_be_bytes());
}

fn put_f64(out: &mut Vec<u8>, value: f64) {
    out.extend_from_slice(&value.to_bits().to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkin::GpsFix;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[42u8; 32])
    }

    fn check_in() -> CheckIn {
        CheckIn {
            id: "0190a1b2-0000-7000-8000-0000000000c1".into(),
            meeting_id: "0190a1b2-0000-7000-8000-000000000001".into(),
            cell_id: "0190a1b2-0000-7000-8000-0000000000a1".into(),
            cadre_id: "0190a1b2-0000-7000-8000-0000000000d1".into(),
            device_id: "0190a1b2-0000-7000-8000-0000000000e1".into(),
            photo_sha256: Some("ab".repeat(32)),
            gps: Some(GpsFix {
                latitude: 21.123_456,
                longitude: 105.654_321,
                accuracy_m: 12.5,
                fix_time: 1_795_482_600_000,
                mock_location: false,
            }),
            device_wall_time: 1_795_482_630_000,
            monotonic_ms: 86_400_123,
            server_offset_ms: Some(-2_500),
            presence_code: "048213".into(),
            public_key_hex: String::new(),
            signature_hex: String::new(),
        }
    }

    #[test]
    fn payload_layout_is_fixed() {
        let mut c = check_in();
        c.photo_sha256 = None;
        c.gps = None;
        c.server_offset_ms = None;
        c.id = "i".into();
        c.meeting_id = "m".into();
        c.cell_id = "c".into();
        c.cadre_id = "p".into();
        c.device_id = "d".into();
        c.device_wall_time = 1;
        c.monotonic_ms = -1;
        c.presence_code = "7".into();
        c.public_key_hex = "k".into();
        let mut expected = b"chibo/check-in/v1".to_vec();
        for s in ["i", "m", "c", "p", "d"] {
            expected.extend_from_slice(&[0, 0, 0, 1]);
            expected.extend_from_slice(s.as_bytes());
        }
        expected.extend_from_slice(&[0, 0]); // no photo, no gps
        expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1]);
        expected.extend_from_slice(&[0xff; 8]);
        expected.push(0); // no offset
        expected.extend_from_slice(&[0, 0, 0, 1, b'7', 0, 0, 0, 1, b'k']);
        assert_eq!(signing_payload(&c), expected);
    }

    #[test]
    fn payload_of_the_full_record_is_stable() {
        // A golden digest: any change to the encoding must change the tag (v2).
        use sha2::{Digest, Sha256};
        let mut c = check_in();
        c.public_key_hex = public_key_hex(&key());
        let payload = signing_payload(&c);
        assert_eq!(
            payload.len(),
            17 + 5 * (4 + 36) + 1 + 4 + 64 + 1 + 33 + 16 + 9 + 10 + 68
        );
        let digest = hex::encode(Sha256::digest(&payload));
        assert_eq!(digest, GOLDEN_PAYLOAD_SHA256);
    }

    const GOLDEN_PAYLOAD_SHA256: &str =
        "9c628c1477cd442e4dbcaeda326a54507d6becb8fd07b77f51536f6e7c9f10cb";

    #[test]
    fn signed_check_in_verifies() {
        let signed = sign_check_in_with(&key(), check_in());
        assert_eq!(signed.public_key_hex.len(), 64);
        assert_eq!(signed.signature_hex.len(), 128);
        assert_eq!(verify_check_in_signature(&signed), Ok(()));
        // It survives the JSON of the sync protocol.
        let json = serde_json::to_string(&signed).unwrap();
        let back: CheckIn = serde_json::from_str(&json).unwrap();
        assert_eq!(verify_check_in_signature(&back), Ok(()));
    }

    #[test]
    fn any_tampered_field_fails() {
        let signed = sign_check_in_with(&key(), check_in());
        type Tamper = Box<dyn Fn(&mut CheckIn)>;
        let tamperings: Vec<(&str, Tamper)> = vec![
            ("meeting", Box::new(|c| c.meeting_id.push('x'))),
            ("cadre", Box::new(|c| c.cadre_id = "someone-else".into())),
            (
                "photo",
                Box::new(|c| c.photo_sha256 = Some("cd".repeat(32))),
            ),
            ("photo removed", Box::new(|c| c.photo_sha256 = None)),
            (
                "latitude",
                Box::new(|c| c.gps.as_mut().unwrap().latitude += 0.0001),
            ),
            (
                "mock",
                Box::new(|c| c.gps.as_mut().unwrap().mock_location = true),
            ),
            ("time", Box::new(|c| c.device_wall_time -= 86_400_000)),
            ("monotonic", Box::new(|c| c.monotonic_ms += 1)),
            ("offset", Box::new(|c| c.server_offset_ms = None)),
            ("code", Box::new(|c| c.presence_code = "111111".into())),
        ];
        for (name, tamper) in tamperings {
            let mut c = signed.clone();
            tamper(&mut c);
            assert_eq!(
                verify_check_in_signature(&c),
                Err(CheckInError::SignatureMismatch),
                "{name}"
            );
        }
    }

    #[test]
    fn another_key_or_garbage_fails() {
        let signed = sign_check_in_with(&key(), check_in());
        let mut swapped = signed.clone();
        swapped.public_key_hex = public_key_hex(&SigningKey::from_bytes(&[43u8; 32]));
        assert_eq!(
            verify_check_in_signature(&swapped),
            Err(CheckInError::SignatureMismatch)
        );
        let mut short = signed.clone();
        short.signature_hex.truncate(100);
        assert!(matches!(
            verify_check_in_signature(&short),
            Err(CheckInError::MalformedSignature { .. })
        ));
        let mut not_hex = signed.clone();
        not_hex.public_key_hex = "zz".repeat(32);
        assert!(matches!(
            verify_check_in_signature(&not_hex),
            Err(CheckInError::InvalidPublicKey { .. })
        ));
        let mut unsigned = check_in();
        unsigned.public_key_hex = public_key_hex(&key());
        assert!(matches!(
            verify_check_in_signature(&unsigned),
            Err(CheckInError::MalformedSignature { .. })
        ));
    }
}

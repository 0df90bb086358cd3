//! Enrolment codes, device credentials and who a request is.
//!
//! A credential is 32 random bytes (base64url); an enrolment code is 8 characters from
//! an alphabet without look-alikes. The server stores only their SHA-256, looks a
//! credential up by its hash and compares in constant time.

use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use chibo_domain::model::Id;
use chibo_domain::sync::{Person, Role};

use crate::error::ApiError;
use crate::storage::{CommuneRow, DeviceHolder, DeviceRow, PersonRow, StorageResult, Tx};

/// No 0/O, 1/I/L: the code is read aloud over the phone and typed by older people.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// 8 characters of 31 symbols: about 40 bits, valid for a few days, used once.
pub const CODE_LEN: usize = 8;

fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::Internal(format!("no randomness from the OS: {e}")))?;
    Ok(bytes)
}

/// A fresh device credential: 32 random bytes, base64url without padding.
pub fn new_credential() -> Result<String, ApiError> {
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

/// A fresh enrolment code, e.g. `K7QM4XTB`.
pub fn new_enrollment_code() -> Result<String, ApiError> {
    let alphabet = CODE_ALPHABET;
    let mut code = String::with_capacity(CODE_LEN);
    // Rejection sampling keeps every symbol equally likely.
    while code.len() < CODE_LEN {
        for b in random_bytes::<16>()? {
            let i = usize::from(b & 31);
            if i < alphabet.len() && code.len() < CODE_LEN {
                code.push(char::from(alphabet[i]));
            }
        }
    }
    Ok(code)
}

/// Lowercase hex SHA-256 of a secret (credential or normalised enrolment code).
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Who is calling: the device, its person and their role, and the commune.
#[derive(Clone, Debug)]
pub struct Actor {
    pub device: DeviceRow,
    pub person: PersonRow,
    pub role: Role,
    pub commune: CommuneRow,
}

impl Actor {
    pub fn commune_id(&self) -> &str {
        &self.commune.id
    }

    pub fn is_office(&self) -> bool {
        matches!(self.role, Role::Office)
    }
}

/// The stored role of a person as the wire type.
pub fn role_of(p: &PersonRow) -> Option<Role> {
    match (p.role.as_str(), &p.cell_id, &p.cadre_id) {
        ("secretary", Some(cell_id), _) => Some(Role::Secretary {
            cell_id: cell_id.clone(),
        }),
        ("cadre", _, Some(cadre_id)) => Some(Role::Cadre {
            cadre_id: cadre_id.clone(),
        }),
        ("office", _, _) => Some(Role::Office),
        _ => None,
    }
}

/// The columns a role is stored in: (role, cell_id, cadre_id).
pub fn role_columns(role: &Role) -> (String, Option<Id>, Option<Id>) {
    match role {
        Role::Secretary { cell_id } => ("secretary".into(), Some(cell_id.clone()), None),
        Role::Cadre { cadre_id } => ("cadre".into(), None, Some(cadre_id.clone())),
        Role::Office => ("office".into(), None, None),
    }
}

pub fn person_of(p: &PersonRow) -> Option<Person> {
    Some(Person {
        id: p.id.clone(),
        commune_id: p.commune_id.clone(),
        full_name: p.full_name.clone(),
        role: role_of(p)?,
    })
}

/// Who holds `credential`, inside the caller's transaction. Unknown → 401
/// `unauthorized`; revoked → 401 `revoked`.
pub fn authenticate(tx: &mut dyn Tx, credential: &str) -> StorageResult<Result<Actor, ApiError>> {
    let wrong = || ApiError::Unauthorized("Mã xác thực thiết bị không đúng".into());
    let hash = hash_secret(credential);
    let Some(DeviceHolder {
        device,
        person,
        commune,
    }) = tx.device_holder(&hash)?
    else {
        return Ok(Err(wrong()));
    };
    // The lookup was by hash; confirm it without leaking timing all the same.
    if !bool::from(device.credential_hash.as_bytes().ct_eq(hash.as_bytes())) {
        return Ok(Err(wrong()));
    }
    if device.revoked_at.is_some() {
        return Ok(Err(ApiError::Revoked));
    }
    let (Some(person), Some(commune)) = (person, commune) else {
        return Ok(Err(wrong()));
    };
    let Some(role) = role_of(&person) else {
        return Err(crate::storage::StorageError::Corrupt(format!(
            "person {} has no valid role",
            person.id
        )));
    };
    if person.commune_id != device.commune_id {
        return Ok(Err(wrong()));
    }
    Ok(Ok(Actor {
        device,
        person,
        role,
        commune,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_only_unambiguous_symbols_and_differ() {
        let a = new_enrollment_code().unwrap();
        let b = new_enrollment_code().unwrap();
        assert_eq!(a.len(), CODE_LEN);
        assert_ne!(a, b);
        for c in a.chars().chain(b.chars()) {
            assert!(!"01OIL".contains(c), "{c} in {a} {b}");
            assert!(c.is_ascii_uppercase() || c.is_ascii_digit());
        }
        // What a person types or scans reads back as the same code.
        let typed = format!("{}-{}", &a[..4], a[4..].to_lowercase());
        assert_eq!(chibo_domain::sync::enrollment_code_from(&typed), a);
    }

    #[test]
    fn credentials_are_32_random_bytes_and_only_their_hash_is_kept() {
        let c = new_credential().unwrap();
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&c)
            .unwrap();
        assert_eq!(raw.len(), 32);
        assert_ne!(new_credential().unwrap(), c);
        let h = hash_secret(&c);
        assert_eq!(h.len(), 64);
        assert!(!h.contains(&c));
    }
}

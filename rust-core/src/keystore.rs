//! The device's keys. On a phone they live in the platform keystore and never leave it,
//! so the core only asks the keystore to sign, and to wrap and unwrap the database key
//! (32 random bytes the core makes; see `store::encryption`). The file-backed keystore
//! is for the CLI and tests.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chibo_domain::checkin::signature::public_key_hex;
pub use chibo_domain::sync::KeyProtection;
use ed25519_dalek::{Signer, SigningKey};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::hkdf;

/// Why the keystore could not sign, wrap or unwrap. The message is shown to the user.
/// Not a flat error: the platform's implementation throws it, and the core must be able
/// to read it back (a flat error cannot cross from the app into the core).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum KeystoreError {
    #[error("{0}")]
    Unavailable(String),
}

/// Implemented by the app over the platform keystore (Android Keystore, iOS Keychain).
#[uniffi::export(with_foreign)]
pub trait DeviceKeystore: Send + Sync {
    /// The device's Ed25519 public key, 32 bytes.
    fn public_key(&self) -> Result<Vec<u8>, KeystoreError>;
    /// An Ed25519 signature (64 bytes) of `payload` with the device's private key.
    fn sign(&self, payload: Vec<u8>) -> Result<Vec<u8>, KeystoreError>;
    /// Where the signing key lives: in the keystore's hardware, or a software key the
    /// keystore encrypts. The server records it beside the device.
    fn key_protection(&self) -> KeyProtection;
    /// Encrypts `secret` (the database key) with a key that never leaves the keystore.
    fn wrap_secret(&self, secret: Vec<u8>) -> Result<Vec<u8>, KeystoreError>;
    /// The secret [`DeviceKeystore::wrap_secret`] encrypted; an error when it was not
    /// made by this keystore or was altered.
    fn unwrap_secret(&self, wrapped: Vec<u8>) -> Result<Vec<u8>, KeystoreError>;
}

/// A keystore whose seed is a file: for the CLI and tests, never for phones.
#[derive(uniffi::Object)]
pub struct FileKeystore {
    key: SigningKey,
    path: PathBuf,
}

#[uniffi::export]
impl FileKeystore {
    /// Opens the key at `path`, creating a new random key there if none exists.
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Self>, KeystoreError> {
        Ok(Arc::new(Self::open_at(Path::new(&path))?))
    }

    pub fn public_key_hex(&self) -> String {
        public_key_hex(&self.key)
    }
}

impl FileKeystore {
    pub fn open_at(path: &Path) -> Result<Self, KeystoreError> {
        let unavailable = |e: std::io::Error| {
            KeystoreError::Unavailable(format!(
                "Không đọc/ghi được khóa tại {}: {e}",
                path.display()
            ))
        };
        let seed: [u8; 32] = match std::fs::read(path) {
            Ok(bytes) => bytes.try_into().map_err(|_| {
                KeystoreError::Unavailable(format!("Tệp khóa {} bị hỏng", path.display()))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| {
                    KeystoreError::Unavailable(format!("Không tạo được khóa ngẫu nhiên: {e}"))
                })?;
                std::fs::write(path, seed).map_err(unavailable)?;
                seed
            }
            Err(e) => return Err(unavailable(e)),
        };
        Ok(FileKeystore {
            key: SigningKey::from_bytes(&seed),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl FileKeystore {
    /// The wrapping key: derived from the seed with HKDF-SHA256, apart from the signing
    /// key by its label, so one file holds both as a phone's keystore would.
    fn wrapping_key(&self) -> LessSafeKey {
        struct Len;
        impl hkdf::KeyType for Len {
            fn len(&self) -> usize {
                CHACHA20_POLY1305.key_len()
            }
        }
        let mut bytes = [0u8; 32];
        hkdf::Salt::new(hkdf::HKDF_SHA256, b"chibo file keystore")
            .extract(&self.key.to_bytes())
            .expand(&[WRAP_LABEL], Len)
            .and_then(|okm| okm.fill(&mut bytes))
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        LessSafeKey::new(
            UnboundKey::new(&CHACHA20_POLY1305, &bytes).expect("a ChaCha20 key is 32 bytes"),
        )
    }
}

const WRAP_LABEL: &[u8] = b"wrap database key v1";

impl DeviceKeystore for FileKeystore {
    fn public_key(&self) -> Result<Vec<u8>, KeystoreError> {
        Ok(self.key.verifying_key().to_bytes().to_vec())
    }

    fn sign(&self, payload: Vec<u8>) -> Result<Vec<u8>, KeystoreError> {
        Ok(self.key.sign(&payload).to_bytes().to_vec())
    }

    fn key_protection(&self) -> KeyProtection {
        KeyProtection::File
    }

    /// ChaCha20-Poly1305 (ring): a random 12-byte nonce, then the sealed secret and tag.
    fn wrap_secret(&self, secret: Vec<u8>) -> Result<Vec<u8>, KeystoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| {
            KeystoreError::Unavailable(format!("Không tạo được số ngẫu nhiên: {e}"))
        })?;
        let mut sealed = secret;
        self.wrapping_key()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(WRAP_LABEL),
                &mut sealed,
            )
            .map_err(|_| KeystoreError::Unavailable("Không mã hóa được khóa".into()))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    fn unwrap_secret(&self, wrapped: Vec<u8>) -> Result<Vec<u8>, KeystoreError> {
        let refused = || {
            KeystoreError::Unavailable(format!(
                "Khóa trong {} không mở được khóa của sổ dữ liệu (khóa khác, hoặc tệp bị sửa)",
                self.path.display()
            ))
        };
        if wrapped.len() < NONCE_LEN {
            return Err(refused());
        }
        let (nonce, sealed) = wrapped.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| refused())?;
        let mut buffer = sealed.to_vec();
        let opened = self
            .wrapping_key()
            .open_in_place(nonce, Aad::from(WRAP_LABEL), &mut buffer)
            .map_err(|_| refused())?;
        Ok(opened.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_secret_opens_only_with_the_same_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let keystore = FileKeystore::open_at(&dir.path().join("a.key")).unwrap();
        let secret = vec![7u8; 32];
        let wrapped = keystore.wrap_secret(secret.clone()).unwrap();
        assert_ne!(&wrapped[NONCE_LEN..NONCE_LEN + 32], secret.as_slice());
        assert_eq!(keystore.unwrap_secret(wrapped.clone()).unwrap(), secret);
        // Reopened from its file: the same key.
        let again = FileKeystore::open_at(&dir.path().join("a.key")).unwrap();
        assert_eq!(again.unwrap_secret(wrapped.clone()).unwrap(), secret);

        let other = FileKeystore::open_at(&dir.path().join("b.key")).unwrap();
        assert!(other.unwrap_secret(wrapped.clone()).is_err());
        let mut altered = wrapped;
        altered[NONCE_LEN] ^= 1;
        assert!(keystore.unwrap_secret(altered).is_err());
    }
}

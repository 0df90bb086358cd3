//! The device's signing key. On a phone it lives in the platform keystore and never
//! leaves it, so the core only asks the keystore to sign; the file-backed keystore is
//! for the CLI and tests.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chibo_domain::checkin::signature::public_key_hex;
use ed25519_dalek::{Signer, SigningKey};

/// Why the keystore could not sign. The message is shown to the user.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
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

impl DeviceKeystore for FileKeystore {
    fn public_key(&self) -> Result<Vec<u8>, KeystoreError> {
        Ok(self.key.verifying_key().to_bytes().to_vec())
    }

    fn sign(&self, payload: Vec<u8>) -> Result<Vec<u8>, KeystoreError> {
        Ok(self.key.sign(&payload).to_bytes().to_vec())
    }
}

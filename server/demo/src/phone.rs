//! A simulated phone: the real core (the same façade the Android app calls), its own
//! store and photo folder on disk, its own Ed25519 key, talking to the server over HTTP.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chibo_core::ffi::{ChiboError, ChiboStore};
use chibo_core::keystore::{DeviceKeystore, FileKeystore};
use chibo_core::sync::{EnrolledAs, SyncReport, SyncStatus};

/// One phone: a store file, its photo folder and a signing key under `dir`.
pub struct Phone {
    pub name: String,
    pub dir: PathBuf,
    pub store: Arc<ChiboStore>,
    pub keystore: Arc<FileKeystore>,
}

impl Phone {
    /// Opens (or creates) the phone kept in `dir`. Opening the same `dir` again is an app
    /// restart: the store, the outbox and the photo queue are what the last run left.
    pub fn open(name: &str, dir: &Path) -> Result<Phone, ChiboError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            ChiboError::Storage(format!("không tạo được thư mục {}: {e}", dir.display()))
        })?;
        let keystore = FileKeystore::open(dir.join("device.key").to_string_lossy().into_owned())
            .map_err(|e| ChiboError::Storage(e.to_string()))?;
        // Encrypted as on a phone. The database key is wrapped by a key file beside the
        // store, `<store>.keystore`, as the `chibo` CLI does: both can open the store.
        let store_keys = FileKeystore::open(
            dir.join("so-chi-bo.db.keystore")
                .to_string_lossy()
                .into_owned(),
        )
        .map_err(|e| ChiboError::Storage(e.to_string()))?;
        let store = ChiboStore::open(
            dir.join("so-chi-bo.db").to_string_lossy().into_owned(),
            store_keys,
        )?;
        Ok(Phone {
            name: name.to_string(),
            dir: dir.to_path_buf(),
            store,
            keystore,
        })
    }

    pub fn keystore(&self) -> Arc<dyn DeviceKeystore> {
        self.keystore.clone()
    }

    pub fn enroll(&self, server_url: &str, code: &str) -> Result<EnrolledAs, ChiboError> {
        self.store.enroll(
            server_url.to_string(),
            code.to_string(),
            self.name.clone(),
            self.keystore(),
        )
    }

    pub fn sync(&self) -> Result<SyncReport, ChiboError> {
        self.store.sync_now()
    }

    pub fn status(&self) -> Result<SyncStatus, ChiboError> {
        self.store.sync_status()
    }
}

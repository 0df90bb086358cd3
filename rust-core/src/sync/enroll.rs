//! Enrolment: a one-time code from the commune office and the device's public key buy a
//! credential, stored with the server's address and who this device belongs to.
//!
//! Device ids: the store's own `device_id` (made on first open) stays the node of its
//! hybrid clock and the author of its check-ins; the server issues its own id and keys
//! `device_seq` by it. The outbox keeps one numbering per store; `SyncAccount::seq_base`
//! maps it to the server's numbering for this enrolment.

use chibo_domain::checkin;
use chibo_domain::sync::{
    parse_enrollment, EnrollRequest, EnrollResponse, ENROLL_PATH, PROTOCOL_VERSION,
};

use super::engine::Engine;
use super::error::SyncError;
use super::transport::{endpoint, normalize_server_url};
use super::EnrolledAs;
use crate::keystore::{DeviceKeystore, KeystoreError};
use crate::store::SyncAccount;

/// The label sent when the person gives none.
const DEFAULT_DEVICE_LABEL: &str = "Điện thoại Sổ Chi bộ";

impl Engine {
    /// Enrols this device with the commune server, using the code the office issued (as
    /// typed, or the scanned QR content) and the keystore's public key. The server is
    /// `server_url` when given, else the address the QR carries; plain `http://` is
    /// refused except to this machine. Enrolling again (after a revocation, or with
    /// another server) replaces the old enrolment; changes the old one already delivered
    /// are not sent again. A lost answer can be retried with the same code: the server
    /// gives back the same device.
    pub fn enroll(
        &self,
        server_url: &str,
        code_or_qr: &str,
        device_label: &str,
        keystore: &dyn DeviceKeystore,
    ) -> Result<EnrolledAs, SyncError> {
        let _one_at_a_time = self.running_guard();
        let scanned = parse_enrollment(code_or_qr).map_err(SyncError::BadQr)?;
        let server_url = match (server_url.trim(), scanned.server_url.as_deref()) {
            ("", Some(from_qr)) => from_qr,
            ("", None) => return Err(SyncError::NoServerUrl),
            (given, _) => given,
        };
        let server_url = normalize_server_url(server_url)?;
        let code = scanned.code;
        if code.is_empty() {
            return Err(SyncError::EmptyCode);
        }
        let public_key_hex = hex::encode(keystore.public_key()?);
        checkin::parse_public_key(&public_key_hex)
            .map_err(|e| KeystoreError::Unavailable(e.to_string()))?;
        let device_label = match device_label.trim() {
            "" => DEFAULT_DEVICE_LABEL.to_string(),
            label => label.to_string(),
        };
        let request = EnrollRequest {
            protocol: PROTOCOL_VERSION,
            code,
            public_key_hex,
            device_label,
            key_protection: Some(keystore.key_protection()),
        };

        let url = endpoint(&server_url, ENROLL_PATH)?;
        let sent_at = self.now();
        let response: EnrollResponse = self.config.retry.run(self.sleeper.as_ref(), |_| {
            self.transport.post_json(url.clone(), None, &request)
        })?;
        let received_at = self.now();
        let offset = response.server_time - (sent_at + (received_at - sent_at) / 2);

        let mut store = self.store();
        let seq_base = match store.sync_account()? {
            Some(old) if old.device_id == response.device_id => old.seq_base,
            // A new server device numbers from 1: start after what is settled.
            _ => store.settled_seq()?,
        };
        let account = SyncAccount {
            server_url,
            device_id: response.device_id,
            credential: response.credential,
            person: response.person,
            commune_name: response.commune_name,
            seq_base,
            enrolled_at: received_at,
        };
        store.save_sync_account(&account, offset)?;
        // A clock far off (either way) is told from the first contact on.
        let warning = chibo_domain::sync::clock_warning(offset).map(|w| w.message);
        store.record_server_clock(offset, warning.as_deref())?;
        Ok(EnrolledAs::from(&account))
    }
}

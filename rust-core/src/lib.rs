//! chibo's core for the phones: the local store, the meeting flow, and the uniffi façade
//! the apps call. Layers: `chibo_domain` (pure rules) → `store` → `flow` → `ffi` (thin).

uniffi::setup_scaffolding!();

// SQLCipher's crypto provider (libtomcrypt), linked wherever the store is.
extern crate chibo_sqlcipher_crypto;

pub mod boot;
pub mod ffi;
pub mod flow;
pub mod keystore;
pub mod photos;
pub mod reminders;
pub mod store;
pub mod sync;
pub mod visits;

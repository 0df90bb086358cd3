//! chibo's core for the phones: the local store, and the uniffi façade the apps call.
//! Layers: `chibo_domain` (pure rules) → `store` → `ffi` (thin façade).

uniffi::setup_scaffolding!();

pub mod store;

//! chibo's pure domain: the meeting record of a village Party cell, the rules of the
//! Party's guidance that judge it, and the change log that syncs it.
//!
//! No I/O lives here. The phone core and the commune server both compile this crate, so
//! every rule exists exactly once.

pub mod change;
pub mod checkin;
pub mod compliance;
pub mod context;
pub mod edge;
pub mod error;
pub mod hlc;
pub mod labels;
pub mod ledger;
pub mod model;
pub mod rules;
pub mod sync;
pub mod time;

pub use error::ValidationError;
pub use model::*;
pub use time::{CalendarDate, EpochMillis};

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

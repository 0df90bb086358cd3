//! The main job of chibo: a commune server with embedded SQLite, seeded with Xuân Hòa,
//! and simulated phones that record a month through the real core and sync over HTTP.
//! The end-to-end tests reuse the phones, the seed and the fault proxy.

pub mod history;
pub mod meetings;
pub mod phone;
pub mod proxy;
pub mod run;
pub mod seed;
pub mod story;

pub use phone::Phone;
pub use proxy::{Fault, FaultPlan, FaultProxy, WireStats};
pub use run::{seed_with_history, ExpectedMonth, SeededDemo};
pub use story::{DemoUser, SeedOptions};

//! chibo end to end: phones running the real core (the façade the apps call, each with
//! its own store, photo folder and key), one real commune server on loopback over
//! SQLite, or PostgreSQL when `CHIBO_TEST_DATABASE_URL` is set, and the demo's fault
//! proxy between them. The tests are in `tests/`; `examples/bench_sync.rs` is
//! `tests/bench sync`.
//!
//! Tests are plain blocking `#[test]`s, like the app's background sync: the phones block
//! on their own sync runtimes, the server and the proxy run on runtimes of their own.

pub mod census;
pub mod cluster;
pub mod commune;
pub mod converge;
pub mod crash;
pub mod farm;
pub mod raw;
pub mod record;

pub use census::*;
pub use cluster::{Cluster, Database, Site};
pub use commune::{commune_of_villages, now, ok, small_commune, sync_all, Town};
pub use converge::converge;
pub use record::*;

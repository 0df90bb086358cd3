//! The server's clock, injectable so tests can expire codes and judge check-ins at a
//! chosen time without waiting.

use std::sync::atomic::{AtomicI64, Ordering};

use chibo_domain::time::EpochMillis;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> EpochMillis;
}

/// The machine's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> EpochMillis {
        chrono::Utc::now().timestamp_millis()
    }
}

/// A clock that stands still until told otherwise (tests, the demo's simulated months).
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(at: EpochMillis) -> ManualClock {
        ManualClock(AtomicI64::new(at))
    }

    pub fn set(&self, at: EpochMillis) {
        self.0.store(at, Ordering::SeqCst);
    }

    pub fn advance(&self, by_ms: i64) {
        self.0.fetch_add(by_ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> EpochMillis {
        self.0.load(Ordering::SeqCst)
    }
}

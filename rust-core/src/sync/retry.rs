//! Retries with exponential backoff and jitter, and the clock and sleeper the engine
//! uses, injectable so tests neither wait nor depend on the wall clock.

use std::time::Duration;

use chibo_domain::EpochMillis;

use super::error::SyncError;

/// The wall clock.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> EpochMillis;
}

/// Waits between attempts.
pub trait Sleeper: Send + Sync {
    fn sleep(&self, duration: Duration);
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> EpochMillis {
        chrono::Utc::now().timestamp_millis()
    }
}

/// Blocks the calling thread (the apps call sync off the main thread).
#[derive(Clone, Copy, Debug, Default)]
pub struct ThreadSleeper;

impl Sleeper for ThreadSleeper {
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// How often and how patiently one request is retried when the failure is transient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles after each further one.
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        // A 2G cell drops for seconds to minutes: ~2, 4, 8, 16 s, then give up until the
        // next scheduled sync.
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait after the `failures`-th failure (1-based): the exponential step, of
    /// which a random half is kept ("equal jitter"), so phones that lost the network
    /// together do not come back together.
    pub fn delay(&self, failures: u32) -> Duration {
        let exponent = failures.saturating_sub(1).min(30);
        let step = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        let half = step / 2;
        half + half.mul_f64(random_fraction())
    }

    /// Runs `attempt` until it succeeds, fails for good, or the attempts run out. The
    /// attempt gets its 0-based number (to re-check state before a retry).
    pub fn run<T>(
        &self,
        sleeper: &dyn Sleeper,
        mut attempt: impl FnMut(u32) -> Result<T, SyncError>,
    ) -> Result<T, SyncError> {
        let mut failures = 0;
        loop {
            match attempt(failures) {
                Err(e) if e.is_transient() && failures + 1 < self.max_attempts.max(1) => {
                    failures += 1;
                    sleeper.sleep(self.delay(failures));
                }
                other => return other,
            }
        }
    }
}

/// A number in [0, 1) from the OS; jitter is not security, so 0.5 will do without one.
fn random_fraction() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::error::NetworkProblem;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Duration>>);

    impl Sleeper for Recorder {
        fn sleep(&self, duration: Duration) {
            self.0.lock().unwrap().push(duration);
        }
    }

    #[test]
    fn waits_grow_exponentially_with_jitter_and_are_capped() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(20),
        };
        for (failures, step) in [(1, 2), (2, 4), (3, 8), (4, 16), (5, 20), (9, 20)] {
            let step = Duration::from_secs(step);
            for _ in 0..20 {
                let d = policy.delay(failures);
                assert!(
                    d >= step / 2 && d <= step,
                    "{failures}: {d:?} not in [{step:?}/2, {step:?}]"
                );
            }
        }
    }

    #[test]
    fn transient_failures_are_retried_until_the_attempts_run_out() {
        let policy = RetryPolicy::default();
        let sleeper = Recorder::default();
        let mut calls = 0;
        let result: Result<(), _> = policy.run(&sleeper, |_| {
            calls += 1;
            Err(SyncError::Network(NetworkProblem::Timeout))
        });
        assert!(matches!(result, Err(SyncError::Network(_))));
        assert_eq!(calls, policy.max_attempts);
        assert_eq!(
            sleeper.0.lock().unwrap().len() as u32,
            policy.max_attempts - 1
        );
    }

    #[test]
    fn a_refusal_is_not_retried() {
        let sleeper = Recorder::default();
        let mut calls = 0;
        let result: Result<(), _> = RetryPolicy::default().run(&sleeper, |_| {
            calls += 1;
            Err(SyncError::Revoked)
        });
        assert!(matches!(result, Err(SyncError::Revoked)));
        assert_eq!(calls, 1);
        assert!(sleeper.0.lock().unwrap().is_empty());
    }
}

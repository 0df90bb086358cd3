//! The device's clock since boot. Nobody sets it, unlike the wall clock, and it keeps
//! counting while the phone sleeps (Android's `elapsedRealtime`, Linux `CLOCK_BOOTTIME`).
//! Each outbox entry keeps the reading taken when it was made; when it is sent in the
//! same boot, the push says how long ago that was, so the server knows when the change
//! really happened even if the wall clock was moved (`PushedChange::elapsed_ms`).

/// One reading: which boot, and milliseconds since it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BootReading {
    /// Changes on every boot (Linux `/proc/sys/kernel/random/boot_id`).
    pub boot_id: String,
    pub since_boot_ms: i64,
}

impl BootReading {
    /// How long after `earlier` this reading was taken, when both are of the same boot.
    pub fn elapsed_since(&self, earlier: &BootReading) -> Option<i64> {
        (self.boot_id == earlier.boot_id && self.since_boot_ms >= earlier.since_boot_ms)
            .then(|| self.since_boot_ms - earlier.since_boot_ms)
    }
}

/// Where readings come from: the system, or a test's hand.
pub trait BootClock: Send + Sync {
    /// `None` where the platform offers no such clock.
    fn reading(&self) -> Option<BootReading>;
}

/// No boot clock: a platform without one, or a simulation of past months, whose wall
/// clock the boot clock would contradict.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoBootClock;

impl BootClock for NoBootClock {
    fn reading(&self) -> Option<BootReading> {
        None
    }
}

/// The operating system's boot clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemBootClock;

impl BootClock for SystemBootClock {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn reading(&self) -> Option<BootReading> {
        let boot_id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `now` is a valid, writable timespec for the call.
        if unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut now) } != 0 {
            return None;
        }
        Some(BootReading {
            boot_id: boot_id.trim().to_string(),
            since_boot_ms: now.tv_sec.saturating_mul(1000) + now.tv_nsec / 1_000_000,
        })
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn reading(&self) -> Option<BootReading> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_time_counts_only_within_one_boot() {
        let at = |id: &str, ms| BootReading {
            boot_id: id.into(),
            since_boot_ms: ms,
        };
        assert_eq!(at("a", 5_000).elapsed_since(&at("a", 2_000)), Some(3_000));
        assert_eq!(at("b", 5_000).elapsed_since(&at("a", 2_000)), None);
        assert_eq!(at("a", 1_000).elapsed_since(&at("a", 2_000)), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_system_clock_moves_forward_within_a_boot() {
        let first = SystemBootClock.reading().expect("a boot clock on Linux");
        let second = SystemBootClock.reading().unwrap();
        assert!(second.elapsed_since(&first).is_some());
    }
}

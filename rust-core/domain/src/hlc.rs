//! Hybrid logical clock: orders changes across devices whose wall clocks disagree.
//! Editable fields are last-writer-wins by this order.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::ValidationError;
use crate::time::EpochMillis;

/// The latest instant a clock may name: the year 9999. Beyond it the text form would
/// lose its fixed width (and its order).
pub const MAX_MILLIS: EpochMillis = 253_402_300_799_999;
/// The longest node name a clock may carry.
pub const MAX_NODE_LEN: usize = 64;

/// A timestamp from a hybrid logical clock. Orders by (millis, counter, node).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hlc {
    pub millis: EpochMillis,
    pub counter: u32,
    pub node: String,
}

impl Hlc {
    /// The zero clock for a node.
    pub fn zero(node: impl Into<String>) -> Self {
        Hlc {
            millis: 0,
            counter: 0,
            node: node.into(),
        }
    }

    /// The next timestamp after `self` given the local wall clock `now`.
    pub fn tick(&self, now: EpochMillis) -> Hlc {
        if now > self.millis {
            Hlc {
                millis: now,
                counter: 0,
                node: self.node.clone(),
            }
        } else {
            Hlc {
                millis: self.millis,
                counter: self.counter + 1,
                node: self.node.clone(),
            }
        }
    }

    /// Merge a timestamp received from elsewhere, so later local events sort after it.
    pub fn observe(&self, remote: &Hlc, now: EpochMillis) -> Hlc {
        let millis = self.millis.max(remote.millis).max(now);
        let counter = if millis == self.millis && millis == remote.millis {
            self.counter.max(remote.counter) + 1
        } else if millis == self.millis {
            self.counter + 1
        } else if millis == remote.millis {
            remote.counter + 1
        } else {
            0
        };
        Hlc {
            millis,
            counter,
            node: self.node.clone(),
        }
    }

    /// Parses the text form written by `Display`.
    pub fn parse(text: &str) -> Option<Hlc> {
        let mut parts = text.splitn(3, '-');
        let millis = parts.next()?.parse().ok()?;
        let counter = parts.next()?.parse().ok()?;
        let node = parts.next()?.to_string();
        let hlc = Hlc {
            millis,
            counter,
            node,
        };
        hlc.validate().ok().map(|()| hlc)
    }

    /// Whether a clock a device sent can be stored, sorted and read back: a time between
    /// 1970 and 9999 and a short node name of letters, digits, `-`, `_`, `.` or `:`. A
    /// clock that fails this is refused at the edge, never stored.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let node_ok = !self.node.is_empty()
            && self.node.len() <= MAX_NODE_LEN
            && self
                .node
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        if (0..=MAX_MILLIS).contains(&self.millis) && node_ok {
            Ok(())
        } else {
            Err(ValidationError::InvalidClock {
                text: self.to_string().chars().take(100).collect(),
            })
        }
    }

    /// This clock moved back to `max_millis` when it runs ahead of it, ordered after
    /// `last` (the previous clock clamped in the same batch) so clamped changes keep
    /// their order; the clock itself otherwise.
    pub fn clamped_to(&self, max_millis: EpochMillis, last: Option<&Hlc>) -> Hlc {
        if self.millis <= max_millis {
            return self.clone();
        }
        match last {
            Some(last) if last.millis >= max_millis => Hlc {
                millis: last.millis,
                counter: last.counter.saturating_add(1),
                node: self.node.clone(),
            },
            _ => Hlc {
                millis: max_millis,
                counter: 0,
                node: self.node.clone(),
            },
        }
    }

    /// A clock that sorts after `stored` (if any) and no earlier than `now`, for a write
    /// the server makes on its own (an office answer must win over the edit it answers).
    pub fn after(node: &str, now: EpochMillis, stored: Option<&Hlc>) -> Hlc {
        let own = Hlc {
            millis: now,
            counter: 0,
            node: node.to_string(),
        };
        match stored {
            Some(stored) if *stored >= own => Hlc {
                millis: stored.millis,
                counter: stored.counter.saturating_add(1),
                node: node.to_string(),
            },
            _ => own,
        }
    }
}

/// How a write compares with the last write of the same field (last writer wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LwwOrder {
    /// Nothing written before, or an older write: this one wins.
    Newer,
    /// This very write (the same clock): already there.
    Same,
    /// A later write is already there: this one loses.
    Older,
}

/// Last writer wins, by HLC: the one comparison both the phone and the server make.
pub fn lww(incoming: &Hlc, stored: Option<&Hlc>) -> LwwOrder {
    match stored {
        None => LwwOrder::Newer,
        Some(stored) => match incoming.cmp(stored) {
            std::cmp::Ordering::Greater => LwwOrder::Newer,
            std::cmp::Ordering::Equal => LwwOrder::Same,
            std::cmp::Ordering::Less => LwwOrder::Older,
        },
    }
}

/// Fixed-width so that the text form sorts like the clock itself.
impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:015}-{:06}-{}", self.millis, self.counter, self.node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_that_goes_backwards_still_moves_forward() {
        let a = Hlc::zero("phone").tick(1_000);
        let b = a.tick(900);
        assert!(b > a);
        assert_eq!(b.millis, 1_000);
        assert_eq!(b.counter, 1);
    }

    #[test]
    fn observing_a_remote_clock_orders_later_events_after_it() {
        let local = Hlc::zero("a").tick(1_000);
        let remote = Hlc {
            millis: 5_000,
            counter: 3,
            node: "b".into(),
        };
        let merged = local.observe(&remote, 2_000);
        assert!(merged > remote);
        assert_eq!(merged.to_string().len(), remote.to_string().len());
    }

    #[test]
    fn a_clock_that_cannot_be_read_back_is_refused() {
        let good = Hlc::zero("0193b2a4-7c1e-7000-8000-00000000000a").tick(1_000);
        assert!(good.validate().is_ok());
        for bad in [
            Hlc {
                millis: -1,
                ..good.clone()
            },
            Hlc {
                millis: MAX_MILLIS + 1,
                ..good.clone()
            },
            Hlc {
                node: String::new(),
                ..good.clone()
            },
            Hlc {
                node: "a\nb".into(),
                ..good.clone()
            },
            Hlc {
                node: "x".repeat(MAX_NODE_LEN + 1),
                ..good.clone()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
            assert_eq!(Hlc::parse(&bad.to_string()), None, "{bad:?}");
        }
    }

    #[test]
    fn last_writer_wins_and_the_same_write_is_already_there() {
        let a = Hlc::zero("a").tick(1_000);
        let b = Hlc::zero("b").tick(2_000);
        assert_eq!(lww(&b, Some(&a)), LwwOrder::Newer);
        assert_eq!(lww(&a, Some(&b)), LwwOrder::Older);
        assert_eq!(lww(&a, Some(&a)), LwwOrder::Same);
        assert_eq!(lww(&a, None), LwwOrder::Newer);
    }

    #[test]
    fn a_clock_ahead_is_clamped_in_order_and_the_server_writes_after_the_stored_one() {
        let ahead = Hlc::zero("a").tick(10_000);
        let first = ahead.clamped_to(5_000, None);
        assert_eq!((first.millis, first.counter), (5_000, 0));
        let second = ahead.clamped_to(5_000, Some(&first));
        assert!(second > first);
        assert_eq!(ahead.clamped_to(20_000, None), ahead);
        let stored = Hlc::zero("phone").tick(9_000);
        let server = Hlc::after("server", 5_000, Some(&stored));
        assert!(server > stored);
        assert_eq!(Hlc::after("server", 5_000, None).millis, 5_000);
    }

    #[test]
    fn text_form_round_trips_and_sorts() {
        let a = Hlc {
            millis: 99,
            counter: 2,
            node: "n-1".into(),
        };
        let b = Hlc {
            millis: 100,
            counter: 0,
            node: "n-0".into(),
        };
        assert_eq!(Hlc::parse(&a.to_string()), Some(a.clone()));
        assert!(a.to_string() < b.to_string());
    }
}

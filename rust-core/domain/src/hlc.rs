//! Hybrid logical clock: orders changes across devices whose wall clocks disagree.
//! Editable fields are last-writer-wins by this order.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::time::EpochMillis;

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
        Some(Hlc {
            millis,
            counter,
            node,
        })
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

//! kill -9 in the middle of recording, syncing and pushing, a few dozen times: every
//! database stays whole, the outbox consistent, and everything converges once. The full
//! count (hundreds) runs in `tests/bench crash`.

use chibo_e2e::crash::{cli_crash_loop, server_crash_loop};

fn iterations() -> usize {
    std::env::var("CHIBO_CRASH_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24)
}

#[test]
fn the_cli_killed_while_recording_and_syncing_loses_and_doubles_nothing() {
    let report = cli_crash_loop(iterations(), 20261207);
    eprintln!("{report:?}");
    assert!(report.killed > 0, "{report:?}");
    assert!(report.meetings > 0, "{report:?}");
}

#[test]
fn the_server_killed_during_pushes_loses_and_doubles_nothing() {
    let report = server_crash_loop(iterations(), 7);
    eprintln!("{report:?}");
    assert!(report.killed > 0, "{report:?}");
    assert!(report.meetings > 0, "{report:?}");
}

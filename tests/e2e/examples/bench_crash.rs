//! `tests/bench crash`: the crash loops at full count (the tests run a few dozen). Kills
//! the `chibo` CLI while it records and syncs, then the `chibo-server` process while
//! phones push, each `N` times (default 200), and checks after each loop that every
//! database is whole, every outbox consistent, and that everything converged once.

use chibo_e2e::crash::{cli_crash_loop, server_crash_loop};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let cli = cli_crash_loop(n, 20261207);
    println!(
        "cli: {} iterations, killed {} mid-way, {} finished first; {} meetings converged in {:.0} s",
        cli.iterations,
        cli.killed,
        cli.finished,
        cli.meetings,
        cli.elapsed.as_secs_f64()
    );
    let server = server_crash_loop(n, 7);
    println!(
        "server: {} iterations, killed {} times, {} phone syncs cut off; {} meetings converged in {:.0} s",
        server.iterations,
        server.killed,
        server.interrupted_syncs,
        server.meetings,
        server.elapsed.as_secs_f64()
    );
    println!(
        "crash: cli {} kills, server {} kills: integrity ok, outboxes consistent, nothing lost or doubled",
        cli.killed, server.killed
    );
}

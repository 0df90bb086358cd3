//! Syncing until nothing is left, as the app's scheduler does: a run the network broke
//! is simply run again later.

use chibo_demo::Phone;

/// Syncs every phone, round after round, until one whole round moves nothing anywhere
/// (nothing pushed, pulled or uploaded, nothing pending). Returns the rounds it took;
/// panics after `max_rounds` with each phone's last outcome.
pub fn converge(phones: &[&Phone], max_rounds: u32) -> u32 {
    let mut last: Vec<String> = vec![String::new(); phones.len()];
    for round in 1..=max_rounds {
        let mut quiet = true;
        for (i, phone) in phones.iter().enumerate() {
            match phone.sync() {
                Ok(report) => {
                    let idle = report.complete
                        && report.pushed == 0
                        && report.pulled == 0
                        && report.photos_uploaded == 0
                        && report.rejected.is_empty()
                        && report.photos_failed.is_empty();
                    quiet &= idle;
                    last[i] = report.summary;
                }
                Err(e) => {
                    quiet = false;
                    last[i] = format!("lỗi: {e}");
                }
            }
        }
        if quiet {
            return round;
        }
    }
    let outcomes: Vec<String> = phones
        .iter()
        .zip(&last)
        .map(|(p, l)| format!("{}: {l}", p.name))
        .collect();
    panic!(
        "no convergence after {max_rounds} rounds:\n{}",
        outcomes.join("\n")
    );
}

//! The API suite's fixture (tests/lib/api.sh): the real commune server on loopback over
//! SQLite in a temporary folder, seeded by the demo's own story (`chibo_demo::
//! seed_with_history`: phones on the real core recording meetings with photos, cadres
//! checking in, petitions answered), for schemathesis to run the OpenAPI document against.
//!
//! When ready it prints one JSON line on stdout:
//! `{"url": "http://127.0.0.1:…", "office_credential": "…", "commune_id": "…",
//!   "cell_id": "…", "cadre_id": "…", "spare_device_id": "…", "seed_seconds": …}`.
//! It stops when its stdin closes. `CHIBO_FIXTURE_MONTHS` sets the months of history
//! before this one (default 1).

use std::io::Read;
use std::net::SocketAddr;
use std::time::Instant;

use chibo_demo::{seed_with_history, Phone, SeedOptions};
use chibo_domain::sync::Role;
use chibo_server::accounts::enrolment::{self, NewPerson};
use serde_json::json;

type Fail = Box<dyn std::error::Error + Send + Sync>;

fn now() -> chibo_domain::time::EpochMillis {
    chrono::Utc::now().timestamp_millis()
}

fn main() {
    if let Err(e) = run() {
        eprintln!("api_fixture: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Fail> {
    let started = Instant::now();
    let dir = tempfile::Builder::new()
        .prefix("chibo-api-fixture")
        .tempdir()?;
    let months_before: u32 = std::env::var("CHIBO_FIXTURE_MONTHS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let demo = seed_with_history(&SeedOptions {
        data_dir: dir.path().join("demo"),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        months_before,
        every_month: true,
        // Photo processing is most of the seeding time in a debug build.
        photos_per_meeting: 1,
        // Only the ready line goes to stdout.
        verbose: false,
    })?;
    // A phone of its own for the run to revoke: revoking is a documented success, and
    // with a drawn id the run would seldom reach it (or, learning ids from the device
    // list, revoke the office's own phone halfway through).
    let storage = demo.storage();
    let person = enrolment::create_person(
        storage.as_ref(),
        &demo.commune.id,
        &NewPerson {
            full_name: "Máy thử nghiệm".to_string(),
            role: Role::Office,
        },
        now(),
    )?;
    let code = enrolment::issue_code(
        storage.as_ref(),
        &demo.commune.id,
        &person.id,
        3_600_000,
        now(),
        &demo.url,
    )?;
    let spare = Phone::open("spare", &dir.path().join("spare"))?;
    let spare_device = spare.enroll(&demo.url, &code.code)?.device_id;
    let seed_seconds = started.elapsed().as_secs_f64();
    let cell = demo.commune.cells.first().ok_or("seeded cells")?;
    let cadre = demo.commune.cadres.first().ok_or("seeded cadres")?;
    println!(
        "{}",
        json!({
            "url": demo.url,
            "office_credential": demo.office_credential,
            "commune_id": demo.commune.id,
            "cell_id": cell.id,
            "cadre_id": cadre.id,
            "spare_device_id": spare_device,
            "seed_seconds": seed_seconds,
        })
    );
    eprintln!(
        "api_fixture: seeded {} months in {seed_seconds:.1}s, serving {}",
        demo.months.len(),
        demo.url
    );

    // Serve until whoever started us goes away.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(spare);
    demo.stop()?;
    drop(dir);
    Ok(())
}

//! Crash loops: `kill -9` of the `chibo` CLI in the middle of recording and syncing, and
//! of the `chibo-server` process in the middle of pushes, many times over. Afterwards
//! each SQLite file passes `PRAGMA integrity_check`, the phone's outbox is consistent, a
//! final sync converges, and the server holds every record exactly once.
//!
//! `tests/crash.rs` runs a few iterations in `tests/run`; `examples/bench_crash.rs`
//! (`tests/bench crash`) runs the full count.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chibo_demo::Phone;
use chibo_server::admin;

use crate::census::*;
use crate::cluster::{Cluster, Database};
use crate::commune::{now, ok, small_commune, Town};
use crate::record::{attach_photos, record_meeting_at};

/// A small, seeded random source: the loops are repeatable.
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(seed.max(1))
    }

    pub fn roll(&mut self) -> u64 {
        // xorshift64
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.roll() % n.max(1)
    }
}

/// A binary of the workspace built beside the running one (`target/<profile>/<name>`).
pub fn workspace_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the running executable");
    for dir in exe.ancestors().skip(1).take(3) {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "{name} is not built beside {} (cargo build --workspace builds it)",
        exe.display()
    );
}

/// What a loop did.
#[derive(Debug, Default)]
pub struct CrashReport {
    pub iterations: usize,
    /// Processes killed before they finished.
    pub killed: usize,
    /// Processes that finished before the kill came.
    pub finished: usize,
    /// Phone syncs that failed because the server died under them (server loop).
    pub interrupted_syncs: usize,
    /// Meetings on the server at the end.
    pub meetings: usize,
    pub elapsed: Duration,
}

/// An SQLite file: a `chibo` store is encrypted, keyed through the file keystore the CLI
/// keeps beside it (`<store>.keystore`); the server's database is plain.
fn open_db(path: &Path) -> rusqlite::Connection {
    let keystore = std::path::PathBuf::from(format!("{}.keystore", path.display()));
    if keystore.exists() {
        let keystore =
            chibo_core::keystore::FileKeystore::open_at(&keystore).expect("the store's key file");
        return chibo_core::store::encryption::open_connection(
            path,
            &keystore,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE,
        )
        .expect("open the encrypted store");
    }
    rusqlite::Connection::open(path).expect("open the database")
}

/// `PRAGMA integrity_check` of an SQLite file.
pub fn integrity(path: &Path) -> String {
    let conn = open_db(path);
    conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
        .expect("integrity check")
}

/// The phone's outbox after any crash: numbered 1..n without a hole, the device's next
/// number after the last, acknowledgements a prefix up to the first pending entry... or
/// later, only for refused entries settled out of order (none here).
pub fn assert_outbox_consistent(phone_db: &Path) {
    let conn = open_db(phone_db);
    let seqs: Vec<i64> = conn
        .prepare("SELECT device_seq FROM outbox ORDER BY device_seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let next: i64 = conn
        .query_row("SELECT next_seq FROM device WHERE singleton = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    if let (Some(first), Some(last)) = (seqs.first(), seqs.last()) {
        assert_eq!(
            seqs.len() as i64,
            last - first + 1,
            "no hole in the outbox: {seqs:?}"
        );
        assert_eq!(next, last + 1, "the next number follows the last entry");
    }
    let first_pending: Option<i64> = conn
        .query_row(
            "SELECT min(device_seq) FROM outbox WHERE acked_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    if let Some(first_pending) = first_pending {
        let acked_after: i64 = conn
            .query_row(
                "SELECT count(*) FROM outbox WHERE acked_at IS NOT NULL AND device_seq > ?1",
                [first_pending],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(acked_after, 0, "acknowledgements are a prefix");
    }
}

/// Every meeting the phone holds is on the server as the phone holds it, every change
/// the phone made is logged once, and the log holds nothing twice.
fn assert_converged(
    cluster: &Cluster,
    town: &Town,
    phones: &[&Phone],
    server_data: &Path,
) -> usize {
    let log = server_log(cluster, &town.seed.id);
    assert_log_holds_each_change_once(&log);
    let mut meetings = 0;
    for phone in phones {
        assert_phone_changes_logged_once(phone, &log);
        let db = phone_db(phone);
        let ids: Vec<String> = db
            .prepare("SELECT id FROM meetings ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for id in ids {
            let on_phone = ok(phone.store.meeting_record(id.clone()), "read");
            assert_eq!(
                server_record(cluster, &town.seed.id, &id),
                Some(on_phone),
                "{}: meeting {id}",
                phone.name
            );
            meetings += 1;
        }
        let photos: BTreeSet<String> = db
            .prepare("SELECT sha256 FROM photos")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let blobs = blobs_in(server_data);
        for photo in photos {
            assert!(
                blobs.contains_key(&photo),
                "photo {photo} reached the server"
            );
        }
    }
    meetings
}

// ---------------------------------------------------------------- the CLI

/// Kills `chibo record` and `chibo sync` at random moments, `iterations` times.
pub fn cli_crash_loop(iterations: usize, seed: u64) -> CrashReport {
    let started = Instant::now();
    let cli = workspace_binary("chibo");
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(1));
    // The phone is enrolled through the façade, then closed: from here on only the CLI
    // (a process of its own, killed at will) opens its store.
    let phone = town.secretary_phone(&cluster, 0);
    let (name, dir) = (phone.name.clone(), phone.dir.clone());
    let store = dir.join("so-chi-bo.db");
    drop(phone);

    // The meetings to record, as files the CLI reads (made on a scratch phone).
    let scratch = Phone::open("nhap", &cluster.phone_dir("nhap")).expect("a scratch phone");
    ok(
        scratch
            .store
            .import_roster(town.cell(0).clone(), town.roster(0)),
        "roster",
    );
    let files = tempfile::tempdir().unwrap();
    let mut pending_files: Vec<PathBuf> = (0..iterations.div_ceil(2) + 1)
        .map(|i| {
            let start = now() - (i as i64 + 1) * 35 * 86_400_000;
            let id = record_meeting_at(&scratch, &town, 0, start);
            let record = ok(scratch.store.meeting_record(id), "read");
            let path = files.path().join(format!("meeting-{i}.json"));
            std::fs::write(&path, serde_json::to_vec(&record).unwrap()).unwrap();
            path
        })
        .collect();
    pending_files.reverse();

    let mut dice = Dice::new(seed);
    let mut report = CrashReport {
        iterations,
        ..CrashReport::default()
    };
    let run = |args: &[&str]| -> Child {
        Command::new(&cli)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chibo runs")
    };
    for _ in 0..iterations {
        let record_now = dice.below(2) == 0 && !pending_files.is_empty();
        let mut child = if record_now {
            let file = pending_files.last().unwrap().clone();
            let child = run(&["record", store.to_str().unwrap(), file.to_str().unwrap()]);
            // Recorded or not (all or nothing): the file is used up either way, so a
            // meeting is never recorded twice from two files.
            pending_files.pop();
            child
        } else {
            run(&["sync", store.to_str().unwrap()])
        };
        std::thread::sleep(Duration::from_millis(dice.below(120)));
        match child.try_wait().expect("wait") {
            Some(_) => report.finished += 1,
            None => {
                child.kill().expect("kill -9");
                child.wait().expect("reap");
                report.killed += 1;
            }
        }
        assert_eq!(integrity(&store), "ok", "after a kill");
        assert_outbox_consistent(&store);
    }

    // Left alone, it converges.
    let phone = Phone::open(&name, &dir).expect("reopen the phone");
    let mut complete = false;
    for _ in 0..10 {
        if ok(phone.sync(), "sync").complete {
            complete = true;
            break;
        }
    }
    assert!(complete, "the phone finished syncing");
    assert_outbox_consistent(&store);
    report.meetings = assert_converged(&cluster, &town, &[&phone], cluster.data_dir());
    report.elapsed = started.elapsed();
    report
}

// ---------------------------------------------------------------- the server

/// A `chibo-server` process on a fixed port over one database.
struct ServerProcess {
    binary: PathBuf,
    config: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl ServerProcess {
    fn start(&mut self) {
        let child = Command::new(&self.binary)
            .args(["serve", "--config", self.config.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chibo-server runs");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("chibo-server did not start listening");
    }

    fn kill(&mut self) -> bool {
        match self.child.take() {
            Some(mut child) => {
                let running = child.try_wait().expect("wait").is_none();
                let _ = child.kill();
                let _ = child.wait();
                running
            }
            None => false,
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Kills the server process with phones pushing, `iterations` times.
pub fn server_crash_loop(iterations: usize, seed: u64) -> CrashReport {
    let started = Instant::now();
    let db = Database::sqlite();
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = data.path().join("chibo.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\ndatabase_url = \"{}\"\n",
            data.path().join("server").display(),
            db.url
        ),
    )
    .unwrap();
    let mut server = ServerProcess {
        binary: workspace_binary("chibo-server"),
        config,
        port,
        child: None,
    };
    // The harness's own cluster sets the commune up and reads the database; the phones
    // talk to the server process.
    let mut cluster = Cluster::on(db, |_| {});
    let town = Town::create(&cluster, "xh", small_commune(3));
    let phones: Vec<Phone> = (0..3).map(|i| town.secretary_phone(&cluster, i)).collect();
    cluster.kill_server();
    let url = format!("http://127.0.0.1:{port}");
    server.start();
    for phone in &phones {
        // Same person, same key: enrolled again with the process's address.
        let person = ok(phone.status(), "status").enrolled_as.unwrap().person_id;
        let code = admin::issue_code(
            cluster.storage(),
            &town.seed.id,
            &person,
            3_600_000,
            now(),
            &cluster.url(),
        )
        .expect("a code")
        .qr;
        ok(phone.enroll(&url, &code), "enrol with the server process");
    }

    let mut report = CrashReport {
        iterations,
        ..CrashReport::default()
    };
    let mut dice = Dice::new(seed);
    std::thread::scope(|scope| {
        for i in 0..iterations {
            // A phone records a month's meeting (sometimes with a photo) and starts
            // pushing it; the server is killed a few milliseconds into the push.
            let index = i % phones.len();
            let phone = &phones[index];
            let start = now() - (i as i64 + 1) * 35 * 86_400_000;
            let id = record_meeting_at(phone, &town, index, start);
            if dice.below(3) == 0 {
                attach_photos(phone, &id, &["phone/jolla.jpg"]);
            }
            let push = scope.spawn(move || phone.sync().is_ok());
            std::thread::sleep(Duration::from_millis(dice.below(80)));
            let in_flight = !push.is_finished();
            if server.kill() {
                report.killed += 1;
            }
            if in_flight {
                report.interrupted_syncs += 1;
            }
            let server_db = cluster.db.sqlite_path().unwrap();
            assert_eq!(integrity(&server_db), "ok", "after kill -9");
            server.start();
        }
    });

    // Left alone, everyone converges.
    for phone in &phones {
        let mut complete = false;
        for _ in 0..10 {
            if phone.sync().is_ok_and(|r| r.complete) {
                complete = true;
                break;
            }
        }
        assert!(complete, "{} finished syncing", phone.name);
        assert_outbox_consistent(&phone.dir.join("so-chi-bo.db"));
    }
    server.kill();
    let log = server_log(&cluster, &town.seed.id);
    assert_scopes_numbered_without_reuse(&log);
    let refs: Vec<&Phone> = phones.iter().collect();
    report.meetings = assert_converged(&cluster, &town, &refs, &data.path().join("server"));
    report.elapsed = started.elapsed();
    report
}

/// Each scope's log numbered 1, 2, 3… with no number taken twice and none skipped: a
/// number reused after a crash would make a phone skip the change for ever.
fn assert_scopes_numbered_without_reuse(log: &[chibo_server::storage::LogRow]) {
    let mut by_scope: std::collections::BTreeMap<&str, Vec<u64>> = Default::default();
    for row in log {
        by_scope.entry(&row.scope).or_default().push(row.server_seq);
    }
    for (scope, mut seqs) in by_scope {
        seqs.sort_unstable();
        let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
        assert_eq!(seqs, expected, "scope {scope}");
    }
}

//! The storage backends under concurrency: what several server processes (or threads)
//! writing one database at once must never do: skip a row a device is pulling, lose an
//! update, or report a transaction as committed when it was not.
//!
//! Runs against SQLite, or against PostgreSQL when `CHIBO_TEST_DATABASE_URL` is set (each
//! test in a fresh database of its own). The tests marked `ignore` are PostgreSQL-only;
//! `tests/run` runs them with `--include-ignored` on its PostgreSQL pass.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};

use chibo_domain::model::new_id;
use chibo_server::storage::{self, postgres as pg_backend, Storage, StorageError};
use chibo_server::storage::{CommuneRow, DeviceRow, LogRow, PersonRow, StorageResult, Tx, Writers};

const URL_VAR: &str = "CHIBO_TEST_DATABASE_URL";

/// The backend under test: a fresh PostgreSQL database when the variable is set, else a
/// fresh SQLite file (kept alive by the returned directory).
fn open_test_storage() -> (Arc<dyn Storage>, Option<tempfile::TempDir>) {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => {
            let url = pg_backend::fresh_test_database(&url).expect("create a test database");
            (storage::open(&url).expect("open PostgreSQL"), None)
        }
        _ => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("server.db").display());
            (storage::open(&url).expect("open SQLite"), Some(dir))
        }
    }
}

fn postgres_url() -> String {
    std::env::var(URL_VAR)
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| panic!("this test needs PostgreSQL: set {URL_VAR} (tests/run does)"))
}

fn commune(storage: &dyn Storage) -> String {
    let id = new_id();
    let row = CommuneRow {
        id: id.clone(),
        name: "Xã Tả Phìn".into(),
        province_id: "lao-cai".into(),
        created_at: 1_700_000_000_000,
    };
    storage::write(storage, |tx| tx.insert_commune(&row)).unwrap();
    id
}

/// A person and one device for them; returns the device id.
fn device(storage: &dyn Storage, commune_id: &str, n: usize) -> String {
    let person = PersonRow {
        id: new_id(),
        commune_id: commune_id.into(),
        full_name: format!("Lò Thị Mai {n}"),
        role: "office".into(),
        cell_id: None,
        cadre_id: None,
        created_at: 1_700_000_000_000,
    };
    let device = DeviceRow {
        id: new_id(),
        commune_id: commune_id.into(),
        person_id: person.id.clone(),
        credential_hash: format!("{n:064x}"),
        public_key_hex: format!("{n:064x}"),
        label: format!("máy {n}"),
        enrolled_at: 1_700_000_000_000,
        revoked_at: None,
        last_sync_at: None,
        last_applied_seq: 0,
        clock_ahead_ms: None,
        clock_flagged_at: None,
        key_protection: Some("wrapped".into()),
    };
    storage::write(storage, |tx| {
        tx.insert_person(&person)?;
        tx.insert_device(&device)
    })
    .unwrap();
    device.id
}

fn log_row(scope: &str, seq: u64, commune_id: &str, device_id: &str, device_seq: u64) -> LogRow {
    LogRow {
        scope: scope.into(),
        server_seq: seq,
        commune_id: commune_id.into(),
        origin_device: Some(device_id.into()),
        device_seq: Some(device_seq),
        hlc: format!("{:016}-{device_id}", device_seq),
        created_at: 1_700_000_000_000,
        received_at: 1_700_000_000_001,
        change_json: format!(r#"{{"device":"{device_id}","device_seq":{device_seq}}}"#),
    }
}

/// The n-th writer of a test: plain, alone in the commune, or as a cell's push (each its
/// own cell, so they run side by side at a weaker isolation); whatever the mix, what they
/// write to the same rows must not be lost.
fn write_as<T>(
    storage: &dyn Storage,
    commune_id: &str,
    n: usize,
    f: impl FnMut(&mut dyn Tx) -> StorageResult<T>,
) -> StorageResult<T> {
    let cell_id = format!("cell-{n}");
    match n % 3 {
        0 => storage::write(storage, f),
        1 => storage::queued_write(storage, Writers::Commune(commune_id), f),
        _ => storage::queued_write(
            storage,
            Writers::Cell {
                commune_id,
                cell_id: &cell_id,
            },
            f,
        ),
    }
}

/// Many devices push into one cell at once (queued in every way a writer can be) while
/// another device pulls that cell by cursor the whole time: it gets every change exactly once, never a gap it would skip
/// forever, and every device's acks and last applied sequence match its log rows.
#[test]
fn a_device_pulling_during_concurrent_pushes_gets_every_change_exactly_once() {
    const WRITERS: usize = 6;
    const PUSHES: u64 = 30;
    let (storage, _dir) = open_test_storage();
    let commune_id = commune(&*storage);
    let cell_scope = format!("cell:{}", new_id());
    let commune_scope = format!("commune:{commune_id}");
    let devices: Vec<String> = (0..WRITERS)
        .map(|n| device(&*storage, &commune_id, n))
        .collect();

    let writers_done = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(WRITERS + 1));

    let reader = {
        let (storage, commune_id, scope, done, start) = (
            storage.clone(),
            commune_id.clone(),
            cell_scope.clone(),
            writers_done.clone(),
            start.clone(),
        );
        std::thread::spawn(move || {
            start.wait();
            let mut cursor = 0u64;
            let mut seen: Vec<String> = Vec::new();
            loop {
                // Read the flag before the page: a page read after every writer finished
                // that comes back empty means the reader has everything.
                let finished = done.load(Ordering::SeqCst);
                let page =
                    storage::read(&*storage, |tx| tx.log_page(&commune_id, &scope, cursor, 7))
                        .unwrap();
                for row in &page {
                    // A number past cursor + 1 means a row not yet visible was jumped:
                    // the device would never see it.
                    assert_eq!(
                        row.server_seq,
                        cursor + 1,
                        "the pull jumped from {cursor} to {}",
                        row.server_seq
                    );
                    cursor = row.server_seq;
                    seen.push(row.change_json.clone());
                }
                if page.is_empty() {
                    if finished {
                        return seen;
                    }
                    std::thread::yield_now();
                }
            }
        })
    };

    let writers: Vec<_> = devices
        .iter()
        .enumerate()
        .map(|(n, device_id)| {
            let (storage, start) = (storage.clone(), start.clone());
            let (commune_id, device_id) = (commune_id.clone(), device_id.clone());
            let (cell_scope, commune_scope) = (cell_scope.clone(), commune_scope.clone());
            std::thread::spawn(move || {
                start.wait();
                for device_seq in 1..=PUSHES {
                    write_as(&*storage, &commune_id, n, |tx| {
                        // Now and then a push also touches the commune's scope, taking
                        // the two counters in either order: a deadlock to survive.
                        let both = device_seq % 5 == 0;
                        let mut scopes = vec![cell_scope.as_str()];
                        if both {
                            if n % 2 == 0 {
                                scopes.push(&commune_scope);
                            } else {
                                scopes.insert(0, &commune_scope);
                            }
                        }
                        for scope in scopes {
                            let seq = tx.next_server_seq(&commune_id, scope)?;
                            tx.append_log(&log_row(
                                scope,
                                seq,
                                &commune_id,
                                &device_id,
                                device_seq,
                            ))?;
                        }
                        tx.insert_ack(&device_id, device_seq, r#"{"outcome":"applied"}"#)?;
                        tx.update_device_sync(&device_id, device_seq, 1_700_000_000_000)
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    writers_done.store(true, Ordering::SeqCst);
    let seen = reader.join().unwrap();

    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for change in &seen {
        *counts.entry(change.clone()).or_default() += 1;
    }
    for device_id in &devices {
        for device_seq in 1..=PUSHES {
            let change = log_row(&cell_scope, 0, &commune_id, device_id, device_seq).change_json;
            assert_eq!(counts.get(&change), Some(&1), "{change} pulled once");
        }
    }
    assert_eq!(seen.len(), WRITERS * PUSHES as usize);

    storage::read(&*storage, |tx| {
        for device_id in &devices {
            let device = tx.device(device_id)?.unwrap();
            assert_eq!(device.last_applied_seq, PUSHES);
            for device_seq in 1..=PUSHES {
                assert!(tx.ack(device_id, device_seq)?.is_some());
            }
        }
        // The commune's scope too: numbered 1..n without a hole.
        let rows = tx.log_page(&commune_id, &commune_scope, 0, 10_000)?;
        let seqs: Vec<u64> = rows.iter().map(|r| r.server_seq).collect();
        let expected: Vec<u64> = (1..=(WRITERS as u64 * (PUSHES / 5))).collect();
        assert_eq!(seqs, expected);
        Ok(())
    })
    .unwrap();
}

/// Two offices (or pushes of two cells) editing at once must not lose one's edit: every
/// read-then-write transaction sees the other's committed write or is retried.
#[test]
fn concurrent_read_then_write_transactions_lose_no_update() {
    const THREADS: usize = 4;
    const INCREMENTS: u64 = 25;
    let (storage, _dir) = open_test_storage();
    let commune_id = commune(&*storage);
    let start = Arc::new(Barrier::new(THREADS));
    let threads: Vec<_> = (0..THREADS)
        .map(|n| {
            let (storage, commune_id, start) = (storage.clone(), commune_id.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                for _ in 0..INCREMENTS {
                    write_as(&*storage, &commune_id, n, |tx| {
                        let current = match tx.entity_clock(&commune_id, "counter")? {
                            Some(text) => text.parse::<u64>().unwrap(),
                            None => 0,
                        };
                        tx.set_entity_clock(&commune_id, "counter", &(current + 1).to_string())
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let total = storage::read(&*storage, |tx| tx.entity_clock(&commune_id, "counter")).unwrap();
    assert_eq!(total, Some((THREADS as u64 * INCREMENTS).to_string()));
}

/// A key that already exists is a `Conflict` the caller can act on, and the rest of
/// the transaction still commits (as SQLite does).
#[test]
fn a_duplicate_key_is_a_conflict_and_the_transaction_goes_on() {
    let (storage, _dir) = open_test_storage();
    let first = commune(&*storage);
    let second = new_id();
    storage::write(&*storage, |tx| {
        let again = CommuneRow {
            id: first.clone(),
            name: "Xã trùng".into(),
            province_id: "lao-cai".into(),
            created_at: 1,
        };
        assert!(matches!(
            tx.insert_commune(&again),
            Err(StorageError::Conflict(_))
        ));
        tx.insert_commune(&CommuneRow {
            id: second.clone(),
            name: "Xã Bản Khoang".into(),
            province_id: "lao-cai".into(),
            created_at: 2,
        })
    })
    .unwrap();
    let names: Vec<String> = storage::read(&*storage, |tx| tx.communes())
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Xã Bản Khoang", "Xã Tả Phìn"]);
}

/// The server opens its storage in `main`, the handlers use it from `spawn_blocking`,
/// the admin commands straight from async code, and the last handle is dropped on an
/// async worker at shutdown: none of that may panic, on either kind of runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_storage_works_from_async_code_on_a_multi_thread_runtime() {
    use_from_async_code().await;
}

#[tokio::test]
async fn the_storage_works_from_async_code_on_a_current_thread_runtime() {
    use_from_async_code().await;
}

async fn use_from_async_code() {
    let (storage, _dir) = open_test_storage();
    commune(&*storage);
    let handle = storage.clone();
    let communes = tokio::task::spawn_blocking(move || {
        commune(&*handle);
        storage::read(&*handle, |tx| tx.communes())
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(communes.len(), 2);
    drop(storage);
}

// ---------------------------------------------------------------- PostgreSQL only

/// Runs one statement on `url` directly, around the storage.
fn pg_query(url: &str, sql: &str) -> Vec<tokio_postgres::Row> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client.query(sql, &[]).await.unwrap()
    })
}

/// Table → sorted (column, type, not null); and the named indexes.
type Shape = (BTreeMap<String, Vec<(String, String, bool)>>, Vec<String>);

fn sqlite_shape(path: &std::path::Path) -> (Shape, i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut tables: BTreeMap<String, Vec<(String, String, bool)>> = BTreeMap::new();
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in names {
        let mut columns: Vec<(String, String, bool)> = conn
            .prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1)")
            .unwrap()
            .query_map([&table], |r| {
                let (not_null, pk): (bool, i64) = (r.get(2)?, r.get(3)?);
                // SQLite lets a TEXT primary key hold NULL; PostgreSQL never does. Raw
                // bytes are BLOB there and BYTEA here (storage::sql::Dialect::bytes_type).
                let declared = r.get::<_, String>(1)?.to_lowercase();
                let declared = match declared.as_str() {
                    "blob" => "bytea".to_string(),
                    _ => declared,
                };
                Ok((r.get(0)?, declared, not_null || pk > 0))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        columns.sort();
        tables.insert(table, columns);
    }
    let indexes: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index'
             AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let version = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    ((tables, indexes), version)
}

fn postgres_shape(url: &str) -> (Shape, i64) {
    let mut tables: BTreeMap<String, Vec<(String, String, bool)>> = BTreeMap::new();
    for row in pg_query(
        url,
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'NO'
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> 'schema_version'",
    ) {
        tables
            .entry(row.get(0))
            .or_default()
            .push((row.get(1), row.get(2), row.get(3)));
    }
    for columns in tables.values_mut() {
        columns.sort();
    }
    // Primary keys and UNIQUE columns are indexed implicitly by both; compare the rest.
    let indexes: Vec<String> = pg_query(
        url,
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'
         AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'
         ORDER BY indexname",
    )
    .iter()
    .map(|r| r.get(0))
    .collect();
    let version: i32 = pg_query(url, "SELECT version FROM schema_version")[0].get(0);
    ((tables, indexes), i64::from(version))
}

/// A migration added to one backend and not the other would break the PostgreSQL
/// deployments only: both must end at the same version with the same tables.
#[test]
#[ignore = "PostgreSQL only: run with CHIBO_TEST_DATABASE_URL and --include-ignored"]
fn postgres_schema_matches_sqlite_version_by_version() {
    let url = pg_backend::fresh_test_database(&postgres_url()).unwrap();
    drop(storage::open(&url).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    drop(storage::open(&format!("sqlite://{}", path.display())).unwrap());

    let (sqlite, sqlite_version) = sqlite_shape(&path);
    let (postgres, postgres_version) = postgres_shape(&url);
    assert_eq!(postgres_version, sqlite_version);
    assert_eq!(postgres, sqlite);
}

/// Several server processes starting at once against a new database: one migrates,
/// the others wait, and all of them work.
#[test]
#[ignore = "PostgreSQL only: run with CHIBO_TEST_DATABASE_URL and --include-ignored"]
fn postgres_servers_starting_together_migrate_once() {
    let url = pg_backend::fresh_test_database(&postgres_url()).unwrap();
    let start = Arc::new(Barrier::new(4));
    let opened: Vec<Arc<dyn Storage>> = (0..4)
        .map(|_| {
            let (url, start) = (url.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                storage::open(&url).unwrap()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    for storage in &opened {
        assert_eq!(storage.backend_name(), "postgres");
        commune(&**storage);
    }
    let count = storage::read(&*opened[0], |tx| tx.communes())
        .unwrap()
        .len();
    assert_eq!(count, 4);
    let rows = pg_query(&url, "SELECT version FROM schema_version");
    assert_eq!(rows.len(), 1);
}

/// A database migrated by a newer server is refused, not written with old code; a URL
/// asking for TLS (not compiled in) is refused with a reason, not a hang.
#[test]
#[ignore = "PostgreSQL only: run with CHIBO_TEST_DATABASE_URL and --include-ignored"]
fn postgres_refuses_a_newer_schema_and_tls_it_cannot_speak() {
    let url = pg_backend::fresh_test_database(&postgres_url()).unwrap();
    drop(storage::open(&url).unwrap());
    pg_query(&url, "UPDATE schema_version SET version = version + 1");
    match storage::open(&url) {
        Err(StorageError::Corrupt(message)) => assert!(message.contains("mới hơn"), "{message}"),
        Err(other) => panic!("expected Corrupt, got {other}"),
        Ok(_) => panic!("a newer schema was opened"),
    }

    let tls = format!("{url}?sslmode=require");
    match storage::open(&tls) {
        Err(StorageError::Unavailable(message)) => assert!(message.contains("TLS"), "{message}"),
        Err(other) => panic!("expected Unavailable, got {other}"),
        Ok(_) => panic!("opened with sslmode=require and no TLS"),
    }
}

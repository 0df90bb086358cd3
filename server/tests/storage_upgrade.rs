//! A database made by an earlier server opens unchanged: at each schema version, a
//! database built with the exact SQL the server shipped then (tests/fixtures/schema, one
//! file per backend and step, never edited) is opened by today's server, which brings it
//! to the latest version, keeps every row, and ends with the same tables, columns,
//! collations and indexes as a database it makes from nothing.
//!
//! SQLite always; PostgreSQL too when `CHIBO_TEST_DATABASE_URL` is set.

use std::path::{Path, PathBuf};

use chibo_server::storage::{self, postgres as pg_backend, DocFilter};

const URL_VAR: &str = "CHIBO_TEST_DATABASE_URL";

/// The steps each backend shipped, in order.
fn shipped_steps(backend: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema");
    let mut steps = Vec::new();
    for n in 1.. {
        let path = dir.join(format!("{backend}-step{n}.sql"));
        match std::fs::read_to_string(&path) {
            Ok(sql) => steps.push(sql),
            Err(_) => break,
        }
    }
    assert!(steps.len() >= 3, "the shipped steps of {backend}");
    steps
}

/// Rows for the tables that exist at `version`, as that version's server wrote them.
fn rows_at(version: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO communes (id, name, province_id, created_at)
           VALUES ('c1', 'Xã Tả Phìn', 'lao-cai', 1700000000000);
         INSERT INTO persons (id, commune_id, full_name, role, cell_id, cadre_id, created_at)
           VALUES ('p1', 'c1', 'Lò Thị Mai', 'secretary', 'cell-1', NULL, 1700000000001);
         INSERT INTO devices (id, commune_id, person_id, credential_hash, public_key_hex, label,
                              enrolled_at, revoked_at, last_sync_at, last_applied_seq,
                              clock_ahead_ms, clock_flagged_at)
           VALUES ('d1', 'c1', 'p1', 'hash-1', 'key-1', 'máy của chị Mai', 1700000000002,
                   NULL, 1700000000003, 7, NULL, NULL);
         INSERT INTO acks (device_id, device_seq, outcome) VALUES ('d1', 7, '{\"outcome\":\"applied\"}');
         INSERT INTO scope_counters (commune_id, scope, last_seq) VALUES ('c1', 'cell:cell-1', 1);
         INSERT INTO change_log (scope, server_seq, commune_id, origin_device, device_seq, hlc,
                                 created_at, received_at, change)
           VALUES ('cell:cell-1', 1, 'c1', 'd1', 7, '0001700000000000-0000-d1',
                   1700000000004, 1700000000005, '{\"k\":\"v\"}');
         INSERT INTO docs (commune_id, kind, id, cell_id, ref_id, at, body)
           VALUES ('c1', 'record', 'm1', 'cell-1', NULL, 1700000000006, '{\"title\":\"Họp chi bộ\"}');
         INSERT INTO entity_clocks (commune_id, key, hlc) VALUES ('c1', 'record:m1:title', 'h1');
         INSERT INTO presence_secrets (commune_id, meeting_id, secret_hex, created_at)
           VALUES ('c1', 'm1', 'abcd', 1700000000007);
         INSERT INTO blob_refs (commune_id, sha256, cell_id) VALUES ('c1', 'sha-1', NULL);",
    );
    if version >= 2 {
        sql += "
         INSERT INTO device_cursors (commune_id, scope, device_id, server_seq)
           VALUES ('c1', 'cell:cell-1', 'd1', 1);
         INSERT INTO dashboard_users (id, username, username_key, display_name, password_hash,
                                      role, commune_id, province_id, created_at, disabled_at)
           VALUES ('u1', 'Admin', 'admin', 'Quản trị', '$argon2id$x', 'commune_admin', 'c1',
                   NULL, 1700000000008, NULL);
         INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, expires_at,
                                   last_seen_at)
           VALUES ('t1', 'u1', 'csrf', 1700000000009, 1700000009999, 1700000000009);
         INSERT INTO sign_in_failures (username_key, client_ip, at)
           VALUES ('admin', '10.0.0.1', 1700000000010);";
    }
    if version >= 3 {
        sql += "
         UPDATE devices SET key_protection = 'hardware' WHERE id = 'd1';";
    }
    sql
}

/// Today's server reads back every row the old one wrote, and writes on.
fn check_rows(url: &str, version: usize) {
    let storage = storage::open(url).unwrap_or_else(|e| panic!("open v{version}: {e}"));
    storage::write(&*storage, |tx| {
        let commune = tx.commune("c1")?.expect("the commune");
        assert_eq!(commune.name, "Xã Tả Phìn");
        assert_eq!(
            tx.person("p1")?.expect("the person").full_name,
            "Lò Thị Mai"
        );
        let device = tx.device("d1")?.expect("the device");
        assert_eq!(device.label, "máy của chị Mai");
        assert_eq!(device.last_applied_seq, 7);
        assert_eq!(device.last_sync_at, Some(1_700_000_000_003));
        let protection = (version >= 3).then(|| "hardware".to_string());
        assert_eq!(device.key_protection, protection);
        assert_eq!(
            tx.ack("d1", 7)?.as_deref(),
            Some("{\"outcome\":\"applied\"}")
        );
        let log = tx.log_page("c1", "cell:cell-1", 0, 10)?;
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].device_seq, Some(7));
        let docs = tx.docs("c1", "record", &DocFilter::default())?;
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].body_json, "{\"title\":\"Họp chi bộ\"}");
        assert_eq!(
            tx.entity_clock("c1", "record:m1:title")?.as_deref(),
            Some("h1")
        );
        assert_eq!(tx.presence_secret("c1", "m1")?.as_deref(), Some("abcd"));
        assert_eq!(tx.blob_refs("sha-1")?.len(), 1);
        // The counter goes on from where the old server left it.
        assert_eq!(tx.next_server_seq("c1", "cell:cell-1")?, 2);
        if version >= 2 {
            assert_eq!(tx.device_cursors("c1", "cell:cell-1")?, [("d1".into(), 1)]);
            let user = tx.dashboard_user_by_username("ADMIN")?.expect("the user");
            assert_eq!(user.display_name, "Quản trị");
            assert!(tx.web_session("t1")?.is_some());
            assert_eq!(tx.sign_in_failures("admin", "10.0.0.1", 0)?, (1, 1));
        }
        // Acknowledgements written from now on are kept by runs; the old one still reads.
        let applied = "{\"outcome\":\"applied\"}";
        let superseded = "{\"outcome\":\"superseded\"}";
        tx.insert_acks(
            "d1",
            &[
                (8, applied.into()),
                (9, superseded.into()),
                (11, applied.into()),
            ],
        )?;
        assert_eq!(tx.ack("d1", 7)?.as_deref(), Some(applied));
        assert_eq!(tx.ack("d1", 8)?.as_deref(), Some(applied));
        assert_eq!(tx.ack("d1", 9)?.as_deref(), Some(superseded));
        assert_eq!(tx.ack("d1", 10)?, None);
        assert_eq!(tx.ack("d1", 11)?.as_deref(), Some(applied));
        tx.update_device_sync("d1", 11, 1_700_000_000_100)
    })
    .unwrap();
    let device = storage::read(&*storage, |tx| tx.device("d1"))
        .unwrap()
        .unwrap();
    assert_eq!(device.last_applied_seq, 11);
}

// ---------------------------------------------------------------- SQLite

/// Every object's SQL as SQLite keeps it, and the version.
fn sqlite_schema(path: &Path) -> (Vec<(String, String)>, i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let objects = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let version = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    (objects, version)
}

fn sqlite_at(path: &Path, steps: &[String], version: usize) {
    let conn = rusqlite::Connection::open(path).unwrap();
    for (n, step) in steps.iter().take(version).enumerate() {
        conn.execute_batch(step).unwrap();
        conn.pragma_update(None, "user_version", (n + 1) as i64)
            .unwrap();
    }
    conn.execute_batch(&rows_at(version)).unwrap();
}

#[test]
fn a_sqlite_database_of_every_shipped_version_opens_with_its_rows() {
    let steps = shipped_steps("sqlite");
    let dir = tempfile::tempdir().unwrap();
    let fresh: PathBuf = dir.path().join("fresh.db");
    drop(storage::open(&format!("sqlite://{}", fresh.display())).unwrap());
    let (fresh_schema, fresh_version) = sqlite_schema(&fresh);
    assert_eq!(fresh_version, steps.len() as i64);

    // What the shipped steps make is exactly what the server makes today.
    let shipped = dir.path().join("shipped.db");
    sqlite_at(&shipped, &steps, steps.len());
    assert_eq!(sqlite_schema(&shipped).0, fresh_schema);

    for version in 1..=steps.len() {
        let path = dir.path().join(format!("v{version}.db"));
        sqlite_at(&path, &steps, version);
        check_rows(&format!("sqlite://{}", path.display()), version);
        assert_eq!(
            sqlite_schema(&path),
            (fresh_schema.clone(), fresh_version),
            "v{version}"
        );
    }
}

// ---------------------------------------------------------------- PostgreSQL

fn pg_run<T>(
    url: &str,
    f: impl AsyncFnOnce(&tokio_postgres::Client) -> Result<T, tokio_postgres::Error>,
) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        f(&client).await.unwrap()
    })
}

/// Every column with its type, nullability and collation, every index's definition,
/// every constraint's, and the version.
fn postgres_schema(url: &str) -> (Vec<String>, i32) {
    pg_run(url, async |client| {
        let mut shape = Vec::new();
        for sql in [
            "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
                    || ' ' || coalesce(collation_name, '-')
             FROM information_schema.columns WHERE table_schema = 'public'
             ORDER BY table_name, column_name",
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
            "SELECT conrelid::regclass::text || ' ' || pg_get_constraintdef(oid)
             FROM pg_constraint WHERE connamespace = 'public'::regnamespace
             ORDER BY conrelid::regclass::text, conname",
        ] {
            for row in client.query(sql, &[]).await? {
                shape.push(row.get::<_, String>(0));
            }
        }
        let version: i32 = client
            .query_one("SELECT version FROM schema_version", &[])
            .await?
            .get(0);
        Ok((shape, version))
    })
}

fn postgres_at(url: &str, steps: &[String], version: usize) {
    let rows = rows_at(version);
    pg_run(url, async |client| {
        client
            .batch_execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            .await?;
        client
            .execute("INSERT INTO schema_version (version) VALUES (0)", &[])
            .await?;
        for (n, step) in steps.iter().take(version).enumerate() {
            client.batch_execute(step).await?;
            client
                .execute(
                    "UPDATE schema_version SET version = $1",
                    &[&((n + 1) as i32)],
                )
                .await?;
        }
        client.batch_execute(&rows).await
    });
}

#[test]
fn a_postgres_database_of_every_shipped_version_opens_with_its_rows() {
    let Some(base) = std::env::var(URL_VAR).ok().filter(|u| !u.trim().is_empty()) else {
        eprintln!("{URL_VAR} not set: PostgreSQL not tested here");
        return;
    };
    let steps = shipped_steps("postgres");
    let fresh = pg_backend::fresh_test_database(base.trim()).unwrap();
    drop(storage::open(&fresh).unwrap());
    let (fresh_schema, fresh_version) = postgres_schema(&fresh);
    assert_eq!(fresh_version as usize, steps.len());

    let shipped = pg_backend::fresh_test_database(base.trim()).unwrap();
    postgres_at(&shipped, &steps, steps.len());
    assert_eq!(postgres_schema(&shipped).0, fresh_schema);

    for version in 1..=steps.len() {
        let url = pg_backend::fresh_test_database(base.trim()).unwrap();
        postgres_at(&url, &steps, version);
        check_rows(&url, version);
        assert_eq!(
            postgres_schema(&url),
            (fresh_schema.clone(), fresh_version),
            "v{version}"
        );
    }
}

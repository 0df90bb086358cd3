//! Opening a store: pragmas, a path that cannot be written, and schema upgrades.

mod store_support;

use chibo_core::store::schema::{schema_fingerprint, CURRENT_VERSION, MIGRATIONS};
use chibo_core::store::{Store, StoreError, StoreErrorKind};
use chibo_domain::change::Change;
use chibo_domain::*;
use rusqlite::Connection;
use store_support::*;

#[test]
fn a_new_store_is_at_the_current_version_with_the_expected_pragmas() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("chibo.db")).unwrap();
    let conn = store.connection();
    let version: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, CURRENT_VERSION);
    const { assert!(CURRENT_VERSION >= 2) };
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    let temp: i64 = conn
        .query_row("PRAGMA temp_store", [], |r| r.get(0))
        .unwrap();
    assert_eq!(temp, 2, "temp_store = MEMORY");
    let sync: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        sync, 2,
        "synchronous = FULL: nothing acknowledged is lost on a power cut"
    );
    let timeout: i64 = conn
        .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
        .unwrap();
    assert!(timeout > 0);
}

#[test]
fn every_foreign_key_has_an_index() {
    let store = Store::open_in_memory().unwrap();
    let conn = store.connection();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in tables {
        let fks: Vec<String> = conn
            .prepare(&format!(
                "SELECT \"from\" FROM pragma_foreign_key_list('{table}')"
            ))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for column in fks {
            // An index (or a UNIQUE constraint) whose first column is the key.
            let indexed: bool = conn
                .query_row(
                    &format!(
                        "SELECT EXISTS (SELECT 1 FROM pragma_index_list('{table}') il
                         JOIN pragma_index_info(il.name) ii WHERE ii.seqno = 0 AND ii.name = ?1)"
                    ),
                    [&column],
                    |r| r.get(0),
                )
                .unwrap();
            assert!(indexed, "{table}.{column} has no index");
        }
    }
}

#[test]
fn a_path_that_cannot_be_written_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    // The folder does not exist: creating it is the app's job, not the store's.
    let missing = dir.path().join("no-such-folder").join("chibo.db");
    let err = Store::open(&missing).unwrap_err();
    match &err {
        StoreError::NotWritable { path, .. } => assert_eq!(path, &missing),
        other => panic!("expected NotWritable, got {other:?}"),
    }
    assert_eq!(err.kind(), StoreErrorKind::Storage);
    let message = err.to_string();
    assert!(message.contains("Không thể ghi"), "{message}");
    assert!(message.contains("no-such-folder"), "{message}");
    assert!(!missing.parent().unwrap().exists());

    // The path is a folder.
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::NotWritable { .. }), "{err:?}");
}

#[test]
fn a_store_from_a_newer_app_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chibo.db");
    drop(Store::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", CURRENT_VERSION + 1)
        .unwrap();
    drop(conn);
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::SchemaTooNew { .. }), "{err:?}");
}

/// Creates a database at schema v1 only, the way the first release did.
fn create_v1(path: &std::path::Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(MIGRATIONS[0]).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    conn
}

#[test]
fn upgrading_a_v1_store_gives_the_fresh_schema_and_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let start = at(2025, 11, 24, 19, 0);

    // A v1 store with a recorded meeting in it, written with v1's SQL.
    let old = dir.path().join("old.db");
    let conn = create_v1(&old);
    conn.execute(
        "INSERT INTO device (singleton, device_id, hlc, next_seq, created_at)
         VALUES (1, 'dev-1', '000000000000005-000000-dev-1', 3, 0)",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO cells (id, commune_id, commune_name, name, kind) VALUES (?1, 'c', 'Xuân Hòa', ?2, 'village')",
        [&fx.cell.id, &fx.cell.name],
    )
    .unwrap();
    for (i, m) in fx.members.iter().enumerate().take(4) {
        conn.execute(
            "INSERT INTO members (id, cell_id, full_name, membership, status, role)
             VALUES (?1, ?2, ?3, 'full', 'active', ?4)",
            rusqlite::params![
                m.id,
                fx.cell.id,
                m.full_name,
                if i == 0 { "secretary" } else { "member" },
            ],
        )
        .unwrap();
    }
    let meeting_id = new_id();
    conn.execute(
        "INSERT INTO meetings (id, cell_id, kind, status, revision, planned_start, planned_place,
            actual_start, actual_end, chair_id, minute_taker_id, guests, preparation, minutes_approved)
         VALUES (?1, ?2, 'regular', 'recorded', 1, ?3, 'Nhà văn hóa', ?3, ?4, ?5, ?6, '[]',
            '{\"notice_sent_to_members\":true,\"notice_sent_to_cadre\":false,\"documents_sent_at\":null}', 1)",
        rusqlite::params![meeting_id, fx.cell.id, start, start + 100 * MINUTE, fx.id(0), fx.id(1)],
    )
    .unwrap();
    for (i, m) in fx.members.iter().enumerate().take(4) {
        conn.execute(
            "INSERT INTO roll_call (meeting_id, member_id, attendance) VALUES (?1, ?2, ?3)",
            rusqlite::params![
                meeting_id,
                m.id,
                if i == 3 {
                    "absent_unexcused"
                } else {
                    "present"
                },
            ],
        )
        .unwrap();
    }
    drop(conn);

    // Open with this build: migrated up, data intact, totals filled in by the rules.
    let mut store = Store::open(&old).unwrap();
    let version: u32 = store
        .connection()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, CURRENT_VERSION);
    assert_eq!(store.device_id(), "dev-1");
    assert_eq!(store.hlc().millis, 5);
    let record = store.meeting_record(&meeting_id).unwrap();
    assert_eq!(record.roll_call.len(), 4);
    assert_eq!(record.meeting.duration_minutes(), Some(100));
    assert_eq!(store.members(&fx.cell.id).unwrap().len(), 4);
    let history = store.meeting_history(&fx.cell.id).unwrap();
    let assessment = store.assess(&meeting_id).unwrap();
    assert_eq!(history[0].present, 3);
    assert_eq!(history[0].expected, 4);
    assert_eq!(history[0].quality_total, Some(assessment.quality.total));
    assert_eq!(history[0].grade, Some(assessment.quality.grade));

    // The outbox carries on from the stored sequence number.
    store
        .apply(
            Change::UpsertMember {
                member: fx.members[5].clone(),
            },
            start,
        )
        .unwrap();
    assert_eq!(store.outbox_pending().unwrap()[0].device_seq, 3);

    // Same schema as a store created fresh.
    let fresh = Store::open(&dir.path().join("fresh.db")).unwrap();
    let upgraded = schema_fingerprint(store.connection()).unwrap();
    assert_eq!(upgraded, schema_fingerprint(fresh.connection()).unwrap());
    assert!(upgraded.iter().any(|s| s.contains("summary_grade")));
    // v4: petition responses, guidance, server verdicts, entity clocks, scope cursors.
    for v4 in [
        "table petition_responses",
        "table guidance",
        "verdict_from_server",
        "table entity_clocks",
        "table scope_cursors",
    ] {
        assert!(upgraded.iter().any(|s| s.contains(v4)), "{v4}");
    }
    // The member written after the upgrade has its clock, for last-writer-wins.
    let clocks: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM entity_clocks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(clocks, 1);
}

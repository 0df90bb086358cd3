//! Encryption at rest: the phone's store is SQLCipher under a random key the keystore
//! wraps. What a thief with the files sees, what opening without the key says, and the
//! upgrade of a store written before encryption.

mod store_support;

use std::path::{Path, PathBuf};

use chibo_core::keystore::{DeviceKeystore, FileKeystore};
use chibo_core::store::{encryption, Store, StoreError};
use store_support::*;

/// Every file of a store on disk: the database, its WAL and shared memory, any journal.
fn store_files(path: &Path) -> Vec<PathBuf> {
    let dir = path.parent().unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with(&name) && !n.ends_with(".key")
        })
        .collect();
    files.sort();
    files
}

/// The member names found in any of the store's files, with the file.
fn names_on_disk(path: &Path, fx: &Fixture) -> Vec<String> {
    let mut found = Vec::new();
    for file in store_files(path) {
        let bytes = std::fs::read(&file).unwrap();
        for member in &fx.members {
            let name = member.full_name.as_bytes();
            if bytes.windows(name.len()).any(|w| w == name) {
                found.push(format!("{} in {}", member.full_name, file.display()));
            }
        }
        for word in [&b"SQLite format 3"[..], "Nà Hẩu".as_bytes()] {
            if bytes.windows(word.len()).any(|w| w == word) {
                found.push(format!(
                    "{:?} in {}",
                    String::from_utf8_lossy(word),
                    file.display()
                ));
            }
        }
    }
    found
}

fn recorded_store(path: &Path, keystore: &dyn DeviceKeystore, fx: &Fixture) -> Plan {
    let start = at(2026, 3, 24, 19, 0);
    let plan = Plan::new(fx, start);
    let mut store = Store::open_encrypted(path, keystore).unwrap();
    store.apply_all(fx.roster_changes(), start - DAY).unwrap();
    store.apply_all(record_changes(fx, &plan), start).unwrap();
    plan
}

#[test]
fn no_member_name_is_readable_in_the_files_of_an_open_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chibo.sqlite3");
    let keystore = FileKeystore::open_at(&dir.path().join("device.key")).unwrap();
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let plan = Plan::new(&fx, start);
    let mut store = Store::open_encrypted(&path, &keystore).unwrap();
    store.apply_all(fx.roster_changes(), start - DAY).unwrap();
    store.apply_all(record_changes(&fx, &plan), start).unwrap();

    // While the store is open its recent pages sit in the WAL: that file counts too.
    let files = store_files(&path);
    assert!(
        files.iter().any(|f| f.to_string_lossy().ends_with("-wal")),
        "the WAL is checked too: {files:?}"
    );
    assert_eq!(names_on_disk(&path, &fx), Vec::<String>::new());
    // The key file holds only the wrapped key.
    let wrapped = std::fs::read(encryption::key_path(&path)).unwrap();
    assert_eq!(wrapped.len(), 12 + 32 + 16, "nonce, sealed key, tag");

    // ...and the same store reads back in full through its key.
    assert_eq!(store.members(&fx.cell.id).unwrap().len(), 12);
    drop(store);
    assert_eq!(names_on_disk(&path, &fx), Vec::<String>::new());
    let store = Store::open_encrypted(&path, &keystore).unwrap();
    assert_eq!(
        store
            .meeting_record(&plan.meeting_id)
            .unwrap()
            .roll_call
            .len(),
        12
    );
}

#[test]
fn opening_without_the_key_fails_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chibo.sqlite3");
    let keystore = FileKeystore::open_at(&dir.path().join("device.key")).unwrap();
    let fx = Fixture::new();
    recorded_store(&path, &keystore, &fx);

    // Plain SQLite (a thief's tool, or the app before encryption) sees no database.
    let plain = rusqlite::Connection::open(&path).unwrap();
    let err = plain
        .query_row("SELECT count(*) FROM members", [], |r| r.get::<_, i64>(0))
        .unwrap_err();
    assert!(err.to_string().contains("not a database"), "{err}");
    drop(plain);

    // Another device's keystore cannot unwrap the key.
    let other = FileKeystore::open_at(&dir.path().join("other.key")).unwrap();
    let err = Store::open_encrypted(&path, &other).unwrap_err();
    assert!(matches!(err, StoreError::Keystore(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("Kho khóa của máy không mở được khóa của sổ dữ liệu"),
        "{err}"
    );

    // A key that unwraps but is not this store's.
    let stranger = dir.path().join("stranger.sqlite3");
    std::fs::copy(encryption::key_path(&path), encryption::key_path(&stranger)).unwrap();
    let fx2 = Fixture::new();
    recorded_store(&dir.path().join("second.sqlite3"), &keystore, &fx2);
    std::fs::copy(dir.path().join("second.sqlite3"), &stranger).unwrap();
    let err = Store::open_encrypted(&stranger, &keystore).unwrap_err();
    assert!(matches!(err, StoreError::WrongKey { .. }), "{err:?}");
    assert!(err.to_string().contains("khóa mã hóa không đúng"), "{err}");

    // The key file gone: refused, and no new key is made over the old store.
    std::fs::remove_file(encryption::key_path(&path)).unwrap();
    let err = Store::open_encrypted(&path, &keystore).unwrap_err();
    assert!(matches!(err, StoreError::KeyMissing { .. }), "{err:?}");
    assert!(err.to_string().contains("không tìm thấy khóa"), "{err}");
    assert!(!encryption::key_path(&path).exists());
}

#[test]
fn a_store_from_before_encryption_is_encrypted_on_first_open_keeping_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chibo.sqlite3");
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let mut plan = Plan::new(&fx, start);
    plan.tasks = vec![(
        2,
        chibo_domain::CalendarDate::from_ymd(2026, 4, 15).unwrap(),
    )];
    let (before_counts, before_record, device_id, pending) = {
        // The app before this version: a plain store.
        let mut plain = fx.store(&path, start - DAY);
        plain.apply_all(record_changes(&fx, &plan), start).unwrap();
        let counts = row_counts(&plain);
        let record = plain.meeting_record(&plan.meeting_id).unwrap();
        let out = (
            counts,
            record,
            plain.device_id().to_string(),
            plain.pending_change_count().unwrap(),
        );
        out
    };
    assert!(encryption::is_plaintext(&path).unwrap());
    assert!(
        !names_on_disk(&path, &fx).is_empty(),
        "the old store is plain"
    );

    let keystore = FileKeystore::open_at(&dir.path().join("device.key")).unwrap();
    let store = Store::open_encrypted(&path, &keystore).unwrap();
    assert_eq!(
        row_counts(&store),
        before_counts,
        "every row of every table"
    );
    assert_eq!(
        store.meeting_record(&plan.meeting_id).unwrap(),
        before_record
    );
    assert_eq!(store.device_id(), device_id, "the same device");
    assert_eq!(
        store.pending_change_count().unwrap(),
        pending,
        "the outbox too"
    );
    assert!(!encryption::is_plaintext(&path).unwrap());
    drop(store);
    assert_eq!(names_on_disk(&path, &fx), Vec::<String>::new());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("encrypting") || n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Opened again: the same key, the same records.
    let store = Store::open_encrypted(&path, &keystore).unwrap();
    assert_eq!(row_counts(&store), before_counts);
}

#[test]
fn an_upgrade_cut_short_is_finished_on_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chibo.sqlite3");
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let plan = Plan::new(&fx, start);
    let before = {
        let mut plain = fx.store(&path, start - DAY);
        plain.apply_all(record_changes(&fx, &plan), start).unwrap();
        row_counts(&plain)
    };
    let keystore = FileKeystore::open_at(&dir.path().join("device.key")).unwrap();
    // A crash after the key was written and half a copy made, before the swap.
    let key = keystore.wrap_secret(vec![42u8; 32]).unwrap();
    std::fs::write(encryption::key_path(&path), key).unwrap();
    let mut half = path.as_os_str().to_owned();
    half.push(".encrypting");
    std::fs::write(&half, b"half a copy").unwrap();

    let store = Store::open_encrypted(&path, &keystore).unwrap();
    assert_eq!(row_counts(&store), before);
    assert!(!Path::new(&half).exists());
    drop(store);
    assert_eq!(names_on_disk(&path, &fx), Vec::<String>::new());
}

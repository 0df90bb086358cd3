//! SQLCipher runs on libtomcrypt: a keyed database is unreadable without its key, readable
//! with it, and holds none of its text in the file.

extern crate chibo_sqlcipher_crypto;

use rusqlite::Connection;

const KEY: &str =
    "PRAGMA key = \"x'2DD29CA851E7B56E4697B0E1F08507293D761A05CE4D1B628663F411A8086D99'\"";

fn write(path: &std::path::Path) {
    let db = Connection::open(path).unwrap();
    db.execute_batch(KEY).unwrap();
    db.execute_batch("CREATE TABLE member (name TEXT); INSERT INTO member VALUES ('Lò Văn Páo');")
        .unwrap();
}

#[test]
fn the_provider_is_libtomcrypt_and_the_file_holds_no_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cell.sqlite3");
    write(&path);

    let db = Connection::open(&path).unwrap();
    db.execute_batch(KEY).unwrap();
    let provider: String = db
        .query_row("PRAGMA cipher_provider", [], |r| r.get(0))
        .unwrap();
    assert_eq!(provider, "libtomcrypt");
    let name: String = db
        .query_row("SELECT name FROM member", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Lò Văn Páo");
    drop(db);

    let bytes = std::fs::read(&path).unwrap();
    for word in ["Lò Văn Páo".as_bytes(), b"SQLite format 3", b"CREATE TABLE"] {
        assert!(
            !bytes.windows(word.len()).any(|w| w == word),
            "{:?} is in the file",
            String::from_utf8_lossy(word)
        );
    }
}

#[test]
fn a_wrong_key_or_none_reads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cell.sqlite3");
    write(&path);

    let plain = Connection::open(&path).unwrap();
    assert!(plain
        .query_row("SELECT count(*) FROM member", [], |r| r.get::<_, i64>(0))
        .is_err());

    let wrong = Connection::open(&path).unwrap();
    wrong
        .execute_batch(
            "PRAGMA key = \"x'0000000000000000000000000000000000000000000000000000000000000000'\"",
        )
        .unwrap();
    assert!(wrong
        .query_row("SELECT count(*) FROM member", [], |r| r.get::<_, i64>(0))
        .is_err());
}

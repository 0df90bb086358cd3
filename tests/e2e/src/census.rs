//! Counting what each side holds, to compare with what was recorded: the server's
//! documents, its scope logs and its blob store, and each phone's own tables, read
//! straight from its SQLite file (a duplicate row would hide behind a read by id).

use std::collections::{BTreeMap, BTreeSet};

use chibo_demo::Phone;
use chibo_domain::change::Change;
use chibo_domain::sync::Scope;
use chibo_domain::MeetingRecord;
use chibo_server::docs;
use chibo_server::storage::{self, DocFilter, LogRow};
use sha2::{Digest, Sha256};

use crate::cluster::{Cluster, Site};

/// How many of each thing a side holds for one commune (or one phone).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Census {
    pub cells: u64,
    pub members: u64,
    pub meetings: u64,
    pub roll_call: u64,
    pub speeches: u64,
    pub tasks: u64,
    pub votes: u64,
    pub petitions: u64,
    pub petition_responses: u64,
    pub check_ins: u64,
    pub photos: u64,
}

impl Census {
    /// What recording `meeting` adds (its petitions counted once).
    pub fn of_record(record: &MeetingRecord) -> Census {
        Census {
            meetings: 1,
            roll_call: record.roll_call.len() as u64,
            speeches: record.speeches.len() as u64,
            tasks: record.tasks.len() as u64,
            votes: record.votes.len() as u64,
            petitions: record.petitions.len() as u64,
            ..Census::default()
        }
    }

    pub fn add(&mut self, other: &Census) {
        self.cells += other.cells;
        self.members += other.members;
        self.meetings += other.meetings;
        self.roll_call += other.roll_call;
        self.speeches += other.speeches;
        self.tasks += other.tasks;
        self.votes += other.votes;
        self.petitions += other.petitions;
        self.petition_responses += other.petition_responses;
        self.check_ins += other.check_ins;
        self.photos += other.photos;
    }
}

// ---------------------------------------------------------------- the server

/// What the server holds for `commune_id`, optionally for one cell only.
pub fn server_census(cluster: &impl Site, commune_id: &str, cell_id: Option<&str>) -> Census {
    let filter = DocFilter {
        cell_id: cell_id.map(str::to_string),
        ref_id: None,
        at_from: None,
        at_until: None,
    };
    storage::read(cluster.storage(), |tx| {
        let count = |tx: &mut dyn chibo_server::Tx, kind: &str| -> storage::StorageResult<u64> {
            Ok(tx.docs(commune_id, kind, &filter)?.len() as u64)
        };
        let mut census = Census {
            cells: match cell_id {
                Some(id) => tx.doc(commune_id, docs::CELL, id)?.is_some() as u64,
                None => count(tx, docs::CELL)?,
            },
            members: count(tx, docs::MEMBER)?,
            check_ins: count(tx, docs::CHECK_IN)?,
            photos: count(tx, docs::PHOTO)?,
            ..Census::default()
        };
        for doc in tx.docs(commune_id, docs::RECORD, &filter)? {
            let record: MeetingRecord =
                serde_json::from_str(&doc.body_json).expect("a stored meeting record");
            let mut one = Census::of_record(&record);
            one.petitions = 0;
            census.add(&one);
        }
        // Petitions are their own documents too (a correction's copies replace them).
        census.petitions = count(tx, docs::PETITION)?;
        census.petition_responses = count(tx, docs::PETITION_RESPONSE)?;
        Ok(census)
    })
    .expect("read the server's documents")
}

/// The server's record of a meeting.
pub fn server_record(
    cluster: &impl Site,
    commune_id: &str,
    meeting_id: &str,
) -> Option<MeetingRecord> {
    storage::read(cluster.storage(), |tx| {
        Ok(tx
            .doc(commune_id, docs::RECORD, meeting_id)?
            .map(|d| serde_json::from_str(&d.body_json).expect("a stored meeting record")))
    })
    .expect("read the server's documents")
}

/// Every log entry of the commune's scope and of each of its cells' scopes.
pub fn server_log(cluster: &impl Site, commune_id: &str) -> Vec<LogRow> {
    storage::read(cluster.storage(), |tx| {
        let mut scopes = vec![Scope::Commune(commune_id.to_string()).to_string()];
        for cell in tx.docs(commune_id, docs::CELL, &DocFilter::default())? {
            scopes.push(Scope::Cell(cell.id).to_string());
        }
        let mut rows = Vec::new();
        for scope in scopes {
            rows.extend(tx.log_page(commune_id, &scope, 0, u32::MAX)?);
        }
        Ok(rows)
    })
    .expect("read the server's logs")
}

/// The op name of a logged change, e.g. "set_attendance".
pub fn op_of(row: &LogRow) -> String {
    let value: serde_json::Value =
        serde_json::from_str(&row.change_json).expect("a logged change is JSON");
    value["op"].as_str().unwrap_or_default().to_string()
}

/// Log entries per op.
pub fn ops(rows: &[LogRow]) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for row in rows {
        *out.entry(op_of(row)).or_default() += 1;
    }
    out
}

/// Asserts that the log holds each pushed change once: no (device, device_seq) twice,
/// no entity added twice, and every scope's sequence numbers 1, 2, 3… without a gap.
pub fn assert_log_holds_each_change_once(rows: &[LogRow]) {
    let mut pushed = BTreeSet::new();
    let mut added = BTreeSet::new();
    let mut by_scope: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for row in rows {
        by_scope.entry(&row.scope).or_default().push(row.server_seq);
        if let (Some(device), Some(seq)) = (&row.origin_device, row.device_seq) {
            assert!(
                pushed.insert((device.clone(), seq)),
                "device {device} change #{seq} logged twice"
            );
        }
        let change: Change = serde_json::from_str(&row.change_json).expect("a logged change");
        // Insert-only children: the same one twice would be a duplicate on every phone.
        let child = match &change {
            Change::AddSpeech { speech, .. } => Some(speech.id.clone()),
            Change::RecordCheckIn { check_in, .. } => Some(check_in.id.clone()),
            Change::RaisePetition { petition } => Some(petition.id.clone()),
            Change::RespondToPetition { response } => Some(response.id.clone()),
            Change::PlanMeeting { meeting } => Some(meeting.id.clone()),
            Change::AttachPhoto { photo } => Some(format!(
                "{}:{:?}:{:?}",
                photo.sha256, photo.meeting_id, photo.check_in_id
            )),
            _ => None,
        };
        if let Some(id) = child {
            assert!(
                added.insert((op_of(row), id.clone())),
                "{} {id} logged twice",
                op_of(row)
            );
        }
    }
    for (scope, mut seqs) in by_scope {
        seqs.sort_unstable();
        let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
        assert_eq!(seqs, expected, "scope {scope} numbered without gaps");
    }
}

/// The published blobs, by name, each checked: its name is the SHA-256 of its bytes.
/// Read through the server's blob store, whichever it is (a directory, or the S3 bucket
/// of `tests/run s3`).
pub fn server_blobs(cluster: &Cluster) -> BTreeMap<String, u64> {
    let store =
        chibo_server::blobs::open_blob_store(&cluster.config.blob_store, &cluster.config.data_dir)
            .expect("open the server's blob store");
    cluster.block_on(blobs_of(store.as_ref()))
}

/// The published blobs of the store `config` names (the S3 bucket several processes
/// share), checked like [`server_blobs`].
pub fn blobs_in_store(config: &chibo_server::blobs::BlobStoreConfig) -> BTreeMap<String, u64> {
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let store =
        chibo_server::blobs::open_blob_store(config, scratch.path()).expect("open the blob store");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(blobs_of(store.as_ref()))
}

/// The published blobs of a server whose photos are on the local disk under `data_dir`
/// (the server process of the crash loops), checked like [`server_blobs`].
pub fn blobs_in(data_dir: &std::path::Path) -> BTreeMap<String, u64> {
    let store = chibo_server::blobs::open_blob_store(
        &chibo_server::blobs::BlobStoreConfig::Filesystem,
        data_dir,
    )
    .expect("open the blob directory");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(blobs_of(store.as_ref()))
}

async fn blobs_of(store: &dyn chibo_server::blobs::BlobStore) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (id, size) in store.list().await.expect("list the blob store") {
        let mut blob = store
            .open(&id)
            .await
            .expect("read a blob")
            .expect("a listed blob exists");
        let mut bytes = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut blob.reader, &mut bytes)
            .await
            .expect("read a blob");
        assert_eq!(
            hex::encode(Sha256::digest(&bytes)),
            id.as_str(),
            "blob {id} holds other bytes than its name says"
        );
        assert_eq!(bytes.len() as u64, size, "blob {id}: its listed size");
        assert!(out.insert(id.to_string(), size).is_none(), "blob twice");
    }
    out
}

// ---------------------------------------------------------------- a phone

/// A read-only look at a phone's store file.
pub fn phone_db(phone: &Phone) -> rusqlite::Connection {
    // The store is encrypted as on a phone: keyed through the phone's keystore.
    let store_keys =
        chibo_core::keystore::FileKeystore::open_at(&phone.dir.join("so-chi-bo.db.keystore"))
            .expect("the store's key file");
    chibo_core::store::encryption::open_connection(
        &phone.dir.join("so-chi-bo.db"),
        &store_keys,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("open the phone's store read-only")
}

/// One number from the phone's store.
pub fn phone_count(phone: &Phone, sql: &str, params: &[&dyn rusqlite::ToSql]) -> u64 {
    phone_db(phone)
        .query_row(sql, params, |r| r.get::<_, i64>(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}")) as u64
}

/// What a phone holds about one cell.
pub fn phone_census(phone: &Phone, cell_id: &str) -> Census {
    let db = phone_db(phone);
    let count = |sql: &str| -> u64 {
        db.query_row(sql, [cell_id], |r| r.get::<_, i64>(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}")) as u64
    };
    let in_meetings = |table: &str| {
        format!(
            "SELECT COUNT(*) FROM {table} WHERE meeting_id IN \
             (SELECT id FROM meetings WHERE cell_id = ?1)"
        )
    };
    Census {
        cells: count("SELECT COUNT(*) FROM cells WHERE id = ?1"),
        members: count("SELECT COUNT(*) FROM members WHERE cell_id = ?1"),
        meetings: count("SELECT COUNT(*) FROM meetings WHERE cell_id = ?1"),
        roll_call: count(&in_meetings("roll_call")),
        speeches: count(&in_meetings("speeches")),
        tasks: count(&in_meetings("tasks")),
        votes: count(&in_meetings("votes")),
        petitions: count("SELECT COUNT(DISTINCT id) FROM petitions WHERE cell_id = ?1"),
        petition_responses: count(
            "SELECT COUNT(*) FROM petition_responses WHERE petition_id IN \
             (SELECT id FROM petitions WHERE cell_id = ?1)",
        ),
        check_ins: count("SELECT COUNT(*) FROM check_ins WHERE cell_id = ?1"),
        photos: count(
            "SELECT COUNT(*) FROM photos WHERE meeting_id IN \
             (SELECT id FROM meetings WHERE cell_id = ?1) OR check_in_id IN \
             (SELECT id FROM check_ins WHERE cell_id = ?1)",
        ),
    }
}

/// Every cell a phone holds anything about.
pub fn phone_cells(phone: &Phone) -> BTreeSet<String> {
    let db = phone_db(phone);
    let mut stmt = db
        .prepare(
            "SELECT id FROM cells UNION SELECT cell_id FROM members \
             UNION SELECT cell_id FROM meetings UNION SELECT cell_id FROM check_ins \
             UNION SELECT cell_id FROM petitions",
        )
        .expect("a query");
    let cells = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .expect("a query")
        .collect::<Result<_, _>>()
        .expect("cell ids");
    cells
}

/// The changes waiting in the phone's outbox, in order.
pub fn pending_changes(phone: &Phone) -> Vec<Change> {
    let db = phone_db(phone);
    let mut stmt = db
        .prepare("SELECT payload FROM outbox WHERE acked_at IS NULL ORDER BY device_seq")
        .expect("a query");
    let payloads: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .expect("a query")
        .collect::<Result<_, _>>()
        .expect("payloads");
    payloads
        .iter()
        .map(|p| serde_json::from_str(p).expect("an outbox change"))
        .collect()
}

/// Outbox entries the server has not acknowledged.
pub fn pending_outbox(phone: &Phone) -> u64 {
    phone_count(
        phone,
        "SELECT COUNT(*) FROM outbox WHERE acked_at IS NULL",
        &[],
    )
}

/// The phone's credential, as its store keeps it (to send requests by hand with it).
pub fn credential_of(phone: &Phone) -> String {
    phone_db(phone)
        .query_row("SELECT credential FROM sync_account", [], |r| r.get(0))
        .expect("the phone is enrolled")
}

/// The op name of a change, e.g. "add_speech".
pub fn change_op(change: &Change) -> String {
    serde_json::to_value(change).expect("a change serialises")["op"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Every change the phone made, per op (its whole outbox, acknowledged or not).
pub fn outbox_ops(phone: &Phone) -> BTreeMap<String, u64> {
    let db = phone_db(phone);
    let mut stmt = db.prepare("SELECT payload FROM outbox").expect("a query");
    let payloads: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .expect("a query")
        .collect::<Result<_, _>>()
        .expect("outbox payloads");
    let mut out = BTreeMap::new();
    for payload in payloads {
        let change: Change = serde_json::from_str(&payload).expect("an outbox change");
        *out.entry(change_op(&change)).or_default() += 1;
    }
    out
}

/// The server's id for the phone (as enrolment gave it).
pub fn server_device_id(phone: &Phone) -> String {
    phone_db(phone)
        .query_row("SELECT device_id FROM sync_account", [], |r| r.get(0))
        .expect("the phone is enrolled")
}

/// The log entries a device pushed, per op.
pub fn logged_ops_from(rows: &[LogRow], device_id: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for row in rows
        .iter()
        .filter(|r| r.origin_device.as_deref() == Some(device_id))
    {
        *out.entry(op_of(row)).or_default() += 1;
    }
    out
}

/// Asserts that every change the phone made is in the server's log exactly once (the
/// presence secret excepted: the server keeps it apart from every log).
pub fn assert_phone_changes_logged_once(phone: &Phone, rows: &[LogRow]) {
    let mut made = outbox_ops(phone);
    made.remove("set_presence_secret");
    let logged = logged_ops_from(rows, &server_device_id(phone));
    assert_eq!(logged, made, "{}: logged vs made", phone.name);
}

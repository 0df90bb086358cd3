//! A commune's current state as entity documents (one JSON document per cell, member,
//! meeting record, check-in…), the [`LedgerView`] the domain's `decide` reads through,
//! and the writing of each [`Effect`] it returns.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use chibo_domain::checkin::{CheckIn, PhotoUse, ServerReceipt, TravelPoint, Verdict};
use chibo_domain::compliance::{Assignment, Cadre, VisitRequirement, WorkingTeam};
use chibo_domain::context::{self, MeetingRef};
use chibo_domain::ledger::{Effect, LedgerView, LookupError};
use chibo_domain::model::*;
use chibo_domain::rules::{PastRollCall, RuleSettings};
use chibo_domain::time::{local_year_month, EpochMillis};

use crate::storage::{BlobRef, DocFilter, DocRow, LogRow, StorageError, StorageResult, Tx};

pub const CELL: &str = "cell";
pub const MEMBER: &str = "member";
pub const RECORD: &str = "record";
pub const PETITION: &str = "petition";
pub const PETITION_RESPONSE: &str = "petition_response";
pub const CADRE: &str = "cadre";
pub const WORKING_TEAM: &str = "working_team";
pub const ASSIGNMENT: &str = "assignment";
pub const VISIT_REQUIREMENT: &str = "visit_requirement";
pub const RULE_SETTINGS: &str = "rule_settings";
pub const CHECK_IN: &str = "check_in";
pub const PHOTO: &str = "photo";
pub const OBSERVATION: &str = "observation";
pub const GUIDANCE: &str = "guidance";
/// Derived: where a photo hash is used (a check-in, a meeting, a guidance), by hash.
pub const PHOTO_USE: &str = "photo_use";
/// Derived: the server holds the blob of this hash, verified (`ledger::check_ins::photo_received`).
pub const BLOB_RECEIVED: &str = "blob_received";
/// Derived: a meeting's header was written by a device whose clock was wrong.
pub const CLOCK_NOTE: &str = "clock_note";
/// Derived: a current meeting's judged figures (`figures::summaries::MeetingSummary`).
pub const MEETING_SUMMARY: &str = "meeting_summary";
/// Derived: which summary format the stored summaries have (`figures::summaries::ensure_summaries`).
pub const SUMMARY_VERSION: &str = "summary_version";

/// A check-in as the server keeps it: with its current (server) verdict and what the
/// server knew when it arrived, so it can be judged again when the presence secret
/// comes later.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredCheckIn {
    pub check_in: CheckIn,
    pub verdict: Verdict,
    pub receipt: Option<ServerReceipt>,
    /// When the check-in really happened, from the device's boot clock
    /// (`ServerReceipt::true_time`), when the device said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub true_time: Option<EpochMillis>,
}

/// What the server noted about a meeting whose header a device wrote with a wrong clock:
/// the record keeps the device's times, the dashboard shows them as such with the
/// corrected time beside them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockNote {
    /// Server time minus the device's time when it wrote the header (positive: the
    /// device was behind).
    pub offset_ms: i64,
    pub device_id: Id,
    pub noted_at: EpochMillis,
}

pub fn held(meeting: &Meeting) -> bool {
    meeting.status.is_held()
}

/// The first instant of the year, Vietnam time.
pub use chibo_domain::context::year_start;

fn decode<T: DeserializeOwned>(doc: &DocRow) -> StorageResult<T> {
    serde_json::from_str(&doc.body_json)
        .map_err(|e| StorageError::Corrupt(format!("document {}/{}: {e}", doc.kind, doc.id)))
}

fn encode<T: Serialize>(value: &T) -> StorageResult<String> {
    serde_json::to_string(value).map_err(|e| StorageError::Corrupt(e.to_string()))
}

/// What a buffered [`CommuneDocs`] read and has yet to write: a unit of work. A push
/// reads the same record, roster and clocks for each of its changes and rewrites the
/// same record with each child; here that is one read and one write per push, and the
/// writes go to storage together at the end ([`CommuneDocs::finish`]), in a few
/// statements, so the transaction holds its locks (a scope's counter row above all) for
/// as short a time as it can.
#[derive(Default)]
struct Buffer {
    /// Documents written: (kind, id) → the row, or `None` once deleted. Records are
    /// kept typed in `records` until they are written out.
    docs: BTreeMap<(String, String), Option<DocRow>>,
    /// Records written, typed (encoded once, at the end).
    records: BTreeMap<Id, MeetingRecord>,
    /// Storage's answers so far (storage does not change under the transaction but by
    /// our own writes, which are overlaid from `docs` and `records`).
    read: HashMap<(String, String), Option<DocRow>>,
    lists: HashMap<(String, DocFilter), Vec<DocRow>>,
    decoded_records: HashMap<Id, Option<MeetingRecord>>,
    /// Rosters as listed (decoded and ordered), by cell: settling a roll call looks its
    /// cell's roster up for every change. Forgotten when a member is written.
    rosters: HashMap<Id, Vec<Member>>,
    /// Log entries in the order written; numbered per scope at the end.
    logs: Vec<LogRow>,
    clocks: BTreeMap<String, String>,
    clock_reads: HashMap<String, Option<String>>,
    acks: BTreeMap<(String, u64), String>,
}

impl Buffer {
    /// Storage's rows for `filter` from a list already read that holds them all: the
    /// same list, or a wider one (a cell's records over a longer span) filtered here.
    fn covering_list(&self, kind: &str, filter: &DocFilter) -> Option<Vec<DocRow>> {
        if let Some(rows) = self.lists.get(&(kind.to_string(), filter.clone())) {
            return Some(rows.clone());
        }
        self.lists
            .iter()
            .find(|((k, wider), _)| k == kind && covers(wider, filter))
            .map(|(_, rows)| {
                rows.iter()
                    .filter(|r| matches(r, filter))
                    .cloned()
                    .collect()
            })
    }

    fn is_empty(&self) -> bool {
        self.docs.is_empty()
            && self.records.is_empty()
            && self.logs.is_empty()
            && self.clocks.is_empty()
            && self.acks.is_empty()
    }
}

fn matches(doc: &DocRow, filter: &DocFilter) -> bool {
    filter
        .cell_id
        .as_ref()
        .is_none_or(|c| doc.cell_id.as_ref() == Some(c))
        && filter
            .ref_id
            .as_ref()
            .is_none_or(|r| doc.ref_id.as_ref() == Some(r))
        && filter
            .at_from
            .is_none_or(|f| doc.at.is_some_and(|a| a >= f))
        && filter
            .at_until
            .is_none_or(|u| doc.at.is_some_and(|a| a < u))
}

/// Whether every document `narrow` selects is also selected by `wide`.
fn covers(wide: &DocFilter, narrow: &DocFilter) -> bool {
    let same = |w: &Option<String>, n: &Option<String>| w.is_none() || w == n;
    same(&wide.cell_id, &narrow.cell_id)
        && same(&wide.ref_id, &narrow.ref_id)
        && wide
            .at_from
            .is_none_or(|w| narrow.at_from.is_some_and(|n| n >= w))
        && wide
            .at_until
            .is_none_or(|w| narrow.at_until.is_some_and(|n| n <= w))
}

/// Storage's order of documents: by `at` (nulls first), then id.
fn storage_order(a: &DocRow, b: &DocRow) -> std::cmp::Ordering {
    (a.at.is_some(), a.at, &a.id).cmp(&(b.at.is_some(), b.at, &b.id))
}

/// One commune's documents, read and written through the caller's transaction. Made
/// with [`CommuneDocs::new`] it writes at once; made with [`CommuneDocs::buffered`] it
/// is a unit of work whose writes [`CommuneDocs::finish`] must write out before the
/// transaction commits.
pub struct CommuneDocs<'t> {
    tx: RefCell<&'t mut dyn Tx>,
    commune_id: String,
    /// Cells whose meeting summaries the writes made stale, with the earliest year
    /// touched (None: every year). See `figures::summaries::refresh_stale`.
    stale: RefCell<BTreeMap<Id, Option<i32>>>,
    buffer: Option<RefCell<Buffer>>,
}

impl Drop for CommuneDocs<'_> {
    fn drop(&mut self) {
        if let Some(buffer) = &self.buffer {
            if !buffer.borrow().is_empty() && !std::thread::panicking() {
                // A caller that returned early on an error rolls back anyway; one that
                // forgot `finish` would lose writes: make that loud in tests.
                tracing::error!(commune = %self.commune_id, "unit of work dropped with unwritten changes");
                debug_assert!(false, "CommuneDocs dropped without finish()");
            }
        }
    }
}

impl<'t> CommuneDocs<'t> {
    pub fn new(tx: &'t mut dyn Tx, commune_id: &str) -> CommuneDocs<'t> {
        CommuneDocs {
            tx: RefCell::new(tx),
            commune_id: commune_id.to_string(),
            stale: RefCell::new(BTreeMap::new()),
            buffer: None,
        }
    }

    /// A unit of work: reads cached, writes kept until [`CommuneDocs::finish`].
    pub fn buffered(tx: &'t mut dyn Tx, commune_id: &str) -> CommuneDocs<'t> {
        CommuneDocs {
            tx: RefCell::new(tx),
            commune_id: commune_id.to_string(),
            stale: RefCell::new(BTreeMap::new()),
            buffer: Some(RefCell::new(Buffer::default())),
        }
    }

    pub fn commune_id(&self) -> &str {
        &self.commune_id
    }

    /// The transaction, for what is not a document (presence secrets, blob references,
    /// devices, the log's pages).
    pub fn with_tx<T>(&self, f: impl FnOnce(&mut dyn Tx) -> StorageResult<T>) -> StorageResult<T> {
        let mut tx = self.tx.borrow_mut();
        f(&mut **tx)
    }

    /// Writes out everything a buffered unit of work holds: documents, log entries (each
    /// scope numbered in one statement), clocks and acknowledgements. Nothing to do for
    /// one made with [`CommuneDocs::new`].
    pub fn finish(self) -> StorageResult<()> {
        self.flush()
    }

    /// [`CommuneDocs::finish`] without giving the unit of work up.
    pub fn flush(&self) -> StorageResult<()> {
        let Some(buffer) = &self.buffer else {
            return Ok(());
        };
        let mut b = buffer.borrow_mut();
        let mut docs: Vec<DocRow> = Vec::new();
        let mut deleted: Vec<(String, String)> = Vec::new();
        for (id, record) in std::mem::take(&mut b.records) {
            let m = &record.meeting;
            let row = self.row(
                RECORD,
                &id,
                Some(&m.cell_id),
                m.revision_of.as_deref(),
                Some(m.started_at()),
                encode(&record)?,
            );
            b.read
                .insert((RECORD.to_string(), id.clone()), Some(row.clone()));
            b.decoded_records.insert(id, Some(record));
            docs.push(row);
        }
        for ((kind, id), row) in std::mem::take(&mut b.docs) {
            match row {
                Some(row) => {
                    b.read.insert((kind, id), Some(row.clone()));
                    docs.push(row);
                }
                None => {
                    // Storage is known not to hold it (read, or prefetched, as missing):
                    // nothing to delete.
                    let absent = b.read.get(&(kind.clone(), id.clone())) == Some(&None);
                    b.read.insert((kind.clone(), id.clone()), None);
                    if !absent {
                        deleted.push((kind, id));
                    }
                }
            }
        }
        // What was listed before these writes is stale now.
        b.lists.clear();
        let mut logs = std::mem::take(&mut b.logs);
        let clocks: Vec<(String, String)> = std::mem::take(&mut b.clocks).into_iter().collect();
        let acks = std::mem::take(&mut b.acks);
        for (key, hlc) in &clocks {
            b.clock_reads.insert(key.clone(), Some(hlc.clone()));
        }
        drop(b);
        self.with_tx(|tx| {
            tx.put_docs(&docs)?;
            for (kind, id) in &deleted {
                tx.delete_doc(&self.commune_id, kind, id)?;
            }
            // Each scope's entries numbered in the order they were written.
            let mut scopes: Vec<String> = logs.iter().map(|l| l.scope.clone()).collect();
            scopes.sort();
            scopes.dedup();
            for scope in scopes {
                let count = logs.iter().filter(|l| l.scope == scope).count() as u64;
                let first = tx.reserve_server_seqs(&self.commune_id, &scope, count)?;
                for (seq, log) in (first..).zip(logs.iter_mut().filter(|l| l.scope == scope)) {
                    log.server_seq = seq;
                }
            }
            tx.append_logs(&logs)?;
            tx.set_entity_clocks(&self.commune_id, &clocks)?;
            let mut by_device: BTreeMap<&str, Vec<(u64, String)>> = BTreeMap::new();
            for ((device, seq), outcome) in &acks {
                by_device
                    .entry(device.as_str())
                    .or_default()
                    .push((*seq, outcome.clone()));
            }
            for (device, rows) in by_device {
                tx.insert_acks(device, &rows)?;
            }
            Ok(())
        })
    }

    fn row(
        &self,
        kind: &str,
        id: &str,
        cell_id: Option<&str>,
        ref_id: Option<&str>,
        at: Option<EpochMillis>,
        body_json: String,
    ) -> DocRow {
        DocRow {
            commune_id: self.commune_id.clone(),
            kind: kind.to_string(),
            id: id.to_string(),
            cell_id: cell_id.map(str::to_string),
            ref_id: ref_id.map(str::to_string),
            at,
            body_json,
        }
    }

    /// A document as this unit of work sees it (its own writes first).
    pub fn doc_row(&self, kind: &str, id: &str) -> StorageResult<Option<DocRow>> {
        let Some(buffer) = &self.buffer else {
            return self.with_tx(|tx| tx.doc(&self.commune_id, kind, id));
        };
        if kind == RECORD {
            if let Some(record) = buffer.borrow().records.get(id) {
                let m = &record.meeting;
                return Ok(Some(self.row(
                    RECORD,
                    id,
                    Some(&m.cell_id),
                    m.revision_of.as_deref(),
                    Some(m.started_at()),
                    encode(record)?,
                )));
            }
        }
        let key = (kind.to_string(), id.to_string());
        if let Some(row) = buffer.borrow().docs.get(&key) {
            return Ok(row.clone());
        }
        if let Some(row) = buffer.borrow().read.get(&key) {
            return Ok(row.clone());
        }
        let row = self.with_tx(|tx| tx.doc(&self.commune_id, kind, id))?;
        buffer.borrow_mut().read.insert(key, row.clone());
        Ok(row)
    }

    /// The documents of a kind matching `filter`, in storage's order, as this unit of
    /// work sees them.
    pub fn doc_rows(&self, kind: &str, filter: &DocFilter) -> StorageResult<Vec<DocRow>> {
        let Some(buffer) = &self.buffer else {
            return self.with_tx(|tx| tx.docs(&self.commune_id, kind, filter));
        };
        let stored = self.stored_list(buffer, kind, filter)?;
        let b = buffer.borrow();
        let mut pending: Vec<DocRow> = b
            .docs
            .iter()
            .filter(|((k, _), _)| k == kind)
            .filter_map(|(_, row)| row.clone())
            .collect();
        if kind == RECORD {
            for (id, record) in &b.records {
                let m = &record.meeting;
                pending.push(self.row(
                    RECORD,
                    id,
                    Some(&m.cell_id),
                    m.revision_of.as_deref(),
                    Some(m.started_at()),
                    encode(record)?,
                ));
            }
        }
        let written = |id: &str| {
            b.docs.contains_key(&(kind.to_string(), id.to_string()))
                || (kind == RECORD && b.records.contains_key(id))
        };
        let mut rows: Vec<DocRow> = stored.into_iter().filter(|r| !written(&r.id)).collect();
        rows.extend(pending.into_iter().filter(|r| matches(r, filter)));
        rows.sort_by(storage_order);
        Ok(rows)
    }

    /// Storage's rows for a list, without this unit of work's writes: from a list read
    /// before that covers it, or one query (whose documents are then known by id too).
    fn stored_list(
        &self,
        buffer: &RefCell<Buffer>,
        kind: &str,
        filter: &DocFilter,
    ) -> StorageResult<Vec<DocRow>> {
        if let Some(rows) = buffer.borrow().covering_list(kind, filter) {
            return Ok(rows);
        }
        let rows = self.with_tx(|tx| tx.docs(&self.commune_id, kind, filter))?;
        let mut b = buffer.borrow_mut();
        for row in &rows {
            b.read
                .entry((kind.to_string(), row.id.clone()))
                .or_insert_with(|| Some(row.clone()));
        }
        b.lists
            .insert((kind.to_string(), filter.clone()), rows.clone());
        Ok(rows)
    }

    /// Reads a list now, so that it and every narrower list are answered from memory.
    pub fn prefetch_list(&self, kind: &str, filter: &DocFilter) -> StorageResult<()> {
        match &self.buffer {
            Some(buffer) => self.stored_list(buffer, kind, filter).map(drop),
            None => Ok(()),
        }
    }

    /// Reads the documents of a kind that refer to each of `refs` (a meeting's
    /// check-ins, its observations) in one query, as if listed one ref at a time.
    pub fn prefetch_by_refs(&self, kind: &str, refs: Vec<String>) -> StorageResult<()> {
        let Some(buffer) = &self.buffer else {
            return Ok(());
        };
        let filter_of = |r: &str| DocFilter {
            ref_id: Some(r.to_string()),
            ..DocFilter::default()
        };
        let missing: Vec<String> = {
            let b = buffer.borrow();
            let mut refs: Vec<String> = refs
                .into_iter()
                .filter(|r| b.covering_list(kind, &filter_of(r)).is_none())
                .collect();
            refs.sort();
            refs.dedup();
            refs
        };
        if missing.is_empty() {
            return Ok(());
        }
        let found = self.with_tx(|tx| tx.docs_by_refs(&self.commune_id, kind, &missing))?;
        let mut lists: BTreeMap<&str, Vec<DocRow>> =
            missing.iter().map(|r| (r.as_str(), Vec::new())).collect();
        for row in found {
            let r = row.ref_id.clone();
            if let Some(list) = r.as_deref().and_then(|r| lists.get_mut(r)) {
                list.push(row);
            }
        }
        let mut b = buffer.borrow_mut();
        for (r, mut rows) in lists {
            rows.sort_by(storage_order);
            for row in &rows {
                b.read
                    .entry((kind.to_string(), row.id.clone()))
                    .or_insert_with(|| Some(row.clone()));
            }
            b.lists.insert((kind.to_string(), filter_of(r)), rows);
        }
        Ok(())
    }

    fn put_row(&self, row: DocRow) -> StorageResult<()> {
        match &self.buffer {
            Some(buffer) => {
                let mut b = buffer.borrow_mut();
                if row.kind == MEMBER {
                    b.rosters.clear();
                }
                b.docs.insert((row.kind.clone(), row.id.clone()), Some(row));
                Ok(())
            }
            None => self.with_tx(|tx| tx.put_doc(&row)),
        }
    }

    /// Removes a derived document (a summary, a note).
    pub fn delete(&self, kind: &str, id: &str) -> StorageResult<()> {
        match &self.buffer {
            Some(buffer) => {
                let mut b = buffer.borrow_mut();
                if kind == MEMBER {
                    b.rosters.clear();
                }
                b.docs.insert((kind.to_string(), id.to_string()), None);
                Ok(())
            }
            None => self.with_tx(|tx| tx.delete_doc(&self.commune_id, kind, id)),
        }
    }

    /// Appends a log entry; a buffered unit of work numbers it when it writes it out.
    pub fn append_log(&self, mut row: LogRow) -> StorageResult<()> {
        match &self.buffer {
            Some(buffer) => {
                buffer.borrow_mut().logs.push(row);
                Ok(())
            }
            None => self.with_tx(|tx| {
                row.server_seq = tx.next_server_seq(&self.commune_id, &row.scope)?;
                tx.append_log(&row)
            }),
        }
    }

    /// Reads these documents (kind, id) in one query per kind, before a push settles
    /// its changes, so that each change's first look at its entity is not a round trip
    /// of its own. What is missing is remembered as missing.
    pub fn prefetch_docs(&self, wanted: Vec<(&str, String)>) -> StorageResult<()> {
        let Some(buffer) = &self.buffer else {
            return Ok(());
        };
        let mut by_kind: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        {
            let b = buffer.borrow();
            for (kind, id) in wanted {
                let key = (kind.to_string(), id);
                let known = b.read.contains_key(&key)
                    || b.docs.contains_key(&key)
                    || (kind == RECORD && b.records.contains_key(&key.1));
                if !known {
                    by_kind.entry(kind).or_default().insert(key.1);
                }
            }
        }
        for (kind, ids) in by_kind {
            let ids: Vec<String> = ids.into_iter().collect();
            let found = self.with_tx(|tx| tx.docs_by_ids(&self.commune_id, kind, &ids))?;
            let mut b = buffer.borrow_mut();
            for row in found {
                b.read.insert((kind.to_string(), row.id.clone()), Some(row));
            }
            for id in ids {
                b.read.entry((kind.to_string(), id)).or_insert(None);
            }
        }
        Ok(())
    }

    /// Reads the clocks of these fields in one go (before a push settles its changes).
    pub fn prefetch_clocks(&self, keys: Vec<String>) -> StorageResult<()> {
        let Some(buffer) = &self.buffer else {
            return Ok(());
        };
        let missing: Vec<String> = {
            let b = buffer.borrow();
            keys.into_iter()
                .filter(|k| !b.clock_reads.contains_key(k) && !b.clocks.contains_key(k))
                .collect()
        };
        if missing.is_empty() {
            return Ok(());
        }
        let found = self.with_tx(|tx| tx.entity_clocks(&self.commune_id, &missing))?;
        let mut b = buffer.borrow_mut();
        for key in missing {
            b.clock_reads.insert(key, None);
        }
        for (key, hlc) in found {
            b.clock_reads.insert(key, Some(hlc));
        }
        Ok(())
    }

    /// The winning clock (text form) of an editable field.
    pub fn entity_clock(&self, key: &str) -> StorageResult<Option<String>> {
        let Some(buffer) = &self.buffer else {
            return self.with_tx(|tx| tx.entity_clock(&self.commune_id, key));
        };
        {
            let b = buffer.borrow();
            if let Some(hlc) = b.clocks.get(key) {
                return Ok(Some(hlc.clone()));
            }
            if let Some(hlc) = b.clock_reads.get(key) {
                return Ok(hlc.clone());
            }
        }
        let hlc = self.with_tx(|tx| tx.entity_clock(&self.commune_id, key))?;
        buffer
            .borrow_mut()
            .clock_reads
            .insert(key.to_string(), hlc.clone());
        Ok(hlc)
    }

    pub fn set_entity_clock(&self, key: &str, hlc: &str) -> StorageResult<()> {
        match &self.buffer {
            Some(buffer) => {
                buffer
                    .borrow_mut()
                    .clocks
                    .insert(key.to_string(), hlc.to_string());
                Ok(())
            }
            None => self.with_tx(|tx| tx.set_entity_clock(&self.commune_id, key, hlc)),
        }
    }

    /// Stores a pushed entry's acknowledgement.
    pub fn insert_ack(&self, device_id: &str, device_seq: u64, outcome: &str) -> StorageResult<()> {
        match &self.buffer {
            Some(buffer) => {
                buffer
                    .borrow_mut()
                    .acks
                    .insert((device_id.to_string(), device_seq), outcome.to_string());
                Ok(())
            }
            None => self.with_tx(|tx| tx.insert_ack(device_id, device_seq, outcome)),
        }
    }

    pub fn get<T: DeserializeOwned>(&self, kind: &str, id: &str) -> StorageResult<Option<T>> {
        let doc = self.doc_row(kind, id)?;
        doc.as_ref().map(decode).transpose()
    }

    pub fn list<T: DeserializeOwned>(
        &self,
        kind: &str,
        filter: &DocFilter,
    ) -> StorageResult<Vec<T>> {
        let docs = self.doc_rows(kind, filter)?;
        docs.iter().map(decode).collect()
    }

    fn by_cell<T: DeserializeOwned>(&self, kind: &str, cell_id: &str) -> StorageResult<Vec<T>> {
        self.list(
            kind,
            &DocFilter {
                cell_id: Some(cell_id.to_string()),
                ..DocFilter::default()
            },
        )
    }

    fn by_ref<T: DeserializeOwned>(&self, kind: &str, ref_id: &str) -> StorageResult<Vec<T>> {
        self.list(
            kind,
            &DocFilter {
                ref_id: Some(ref_id.to_string()),
                ..DocFilter::default()
            },
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn put<T: Serialize>(
        &self,
        kind: &str,
        id: &str,
        cell_id: Option<&str>,
        ref_id: Option<&str>,
        at: Option<EpochMillis>,
        value: &T,
    ) -> StorageResult<()> {
        let doc = self.row(kind, id, cell_id, ref_id, at, encode(value)?);
        self.put_row(doc)
    }

    // ------------------------------------------------------------ typed reads

    pub fn cell(&self, id: &str) -> StorageResult<Option<Cell>> {
        self.get(CELL, id)
    }

    pub fn cells(&self) -> StorageResult<Vec<Cell>> {
        let mut cells: Vec<Cell> = self.list(CELL, &DocFilter::default())?;
        cells.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(cells)
    }

    pub fn roster_of(&self, cell_id: &str) -> StorageResult<Vec<Member>> {
        if let Some(buffer) = &self.buffer {
            if let Some(roster) = buffer.borrow().rosters.get(cell_id) {
                return Ok(roster.clone());
            }
        }
        let mut members: Vec<Member> = self.by_cell(MEMBER, cell_id)?;
        sort_roster(&mut members);
        if let Some(buffer) = &self.buffer {
            buffer
                .borrow_mut()
                .rosters
                .insert(cell_id.to_string(), members.clone());
        }
        Ok(members)
    }

    /// The record with its children in the one order every phone shows.
    pub fn record_of(&self, meeting_id: &str) -> StorageResult<Option<MeetingRecord>> {
        self.with_record(meeting_id, MeetingRecord::clone)
    }

    /// What `f` reads from a meeting's record as this unit of work sees it, without
    /// copying the record: a push looks its meeting's record up for every change.
    pub fn with_record<R>(
        &self,
        meeting_id: &str,
        f: impl FnOnce(&MeetingRecord) -> R,
    ) -> StorageResult<Option<R>> {
        let Some(buffer) = &self.buffer else {
            let record: Option<MeetingRecord> = self.get(RECORD, meeting_id)?;
            return Ok(record
                .map(MeetingRecord::in_canonical_order)
                .as_ref()
                .map(f));
        };
        {
            let b = buffer.borrow();
            if let Some(record) = b.records.get(meeting_id) {
                return Ok(Some(f(record)));
            }
            if let Some(record) = b.decoded_records.get(meeting_id) {
                return Ok(record.as_ref().map(f));
            }
        }
        let record: Option<MeetingRecord> = self.get(RECORD, meeting_id)?;
        let record = record.map(MeetingRecord::in_canonical_order);
        let read = record.as_ref().map(f);
        buffer
            .borrow_mut()
            .decoded_records
            .insert(meeting_id.to_string(), record);
        Ok(read)
    }

    /// The meeting records matching `filter` (every revision), by start time, as this
    /// unit of work sees them; a buffered one decodes each stored record once.
    pub fn records(&self, filter: &DocFilter) -> StorageResult<Vec<MeetingRecord>> {
        let Some(buffer) = &self.buffer else {
            let records: Vec<MeetingRecord> = self.list(RECORD, filter)?;
            return Ok(records
                .into_iter()
                .map(MeetingRecord::in_canonical_order)
                .collect());
        };
        let rows = self.stored_list(buffer, RECORD, filter)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            if buffer.borrow().records.contains_key(&row.id) {
                continue;
            }
            let cached = buffer.borrow().decoded_records.get(&row.id).cloned();
            let record = match cached {
                Some(Some(record)) => record,
                _ => {
                    let record: MeetingRecord = decode(row)?;
                    let record = record.in_canonical_order();
                    buffer
                        .borrow_mut()
                        .decoded_records
                        .insert(row.id.clone(), Some(record.clone()));
                    record
                }
            };
            out.push(record);
        }
        for record in buffer.borrow().records.values() {
            let m = &record.meeting;
            let row = self.row(
                RECORD,
                &m.id,
                Some(&m.cell_id),
                m.revision_of.as_deref(),
                Some(m.started_at()),
                String::new(),
            );
            if matches(&row, filter) {
                out.push(record.clone());
            }
        }
        out.sort_by(|a, b| {
            (a.meeting.started_at(), &a.meeting.id).cmp(&(b.meeting.started_at(), &b.meeting.id))
        });
        Ok(out)
    }

    /// The cell's meeting records (every revision), by start time.
    pub fn records_of(&self, cell_id: &str) -> StorageResult<Vec<MeetingRecord>> {
        self.records(&DocFilter {
            cell_id: Some(cell_id.to_string()),
            ..DocFilter::default()
        })
    }

    /// The records holding a copy of the petition: its meeting and every correction of
    /// it (a correction copies its meeting's petitions).
    fn copies_of(&self, petition: &Petition) -> StorageResult<Vec<MeetingRecord>> {
        let mut out = Vec::new();
        let mut next = petition.meeting_id.clone();
        while let Some(meeting_id) = next.take() {
            if out
                .iter()
                .any(|r: &MeetingRecord| r.meeting.id == meeting_id)
            {
                break;
            }
            if let Some(record) = self.record_of(&meeting_id)? {
                out.push(record);
            }
            let revisions = self.records(&DocFilter {
                ref_id: Some(meeting_id),
                ..DocFilter::default()
            })?;
            next = revisions.into_iter().next().map(|r| r.meeting.id);
        }
        Ok(out)
    }

    /// The cell's records a meeting's context may need (`context::window`).
    fn context_records(&self, meeting: &Meeting) -> StorageResult<Vec<MeetingRecord>> {
        let (from, until) = context::window(meeting.started_at());
        self.records(&DocFilter {
            cell_id: Some(meeting.cell_id.clone()),
            at_from: Some(from),
            at_until: Some(until),
            ..DocFilter::default()
        })
    }

    /// The newest revision of each meeting of the cell that was held, by start time.
    pub fn current_held_records(&self, cell_id: &str) -> StorageResult<Vec<MeetingRecord>> {
        let all = self.records_of(cell_id)?;
        let refs: Vec<MeetingRef> = all.iter().map(MeetingRef::of_record).collect();
        let keep: Vec<Id> = context::current(&refs)
            .into_iter()
            .filter(|r| r.status.is_held())
            .map(|r| r.id.clone())
            .collect();
        Ok(all
            .into_iter()
            .filter(|r| keep.contains(&r.meeting.id))
            .collect())
    }

    /// Roll calls of the cell's held meetings earlier in the meeting's calendar year,
    /// oldest first, current revisions only (`context::earlier_this_year`).
    pub fn earlier_this_year(&self, meeting: &Meeting) -> StorageResult<Vec<PastRollCall>> {
        let records = self.context_records(meeting)?;
        let refs: Vec<MeetingRef> = records.iter().map(MeetingRef::of_record).collect();
        let chosen = context::earlier_this_year(&refs, meeting);
        Ok(chosen
            .into_iter()
            .filter_map(|r| records.iter().find(|rec| rec.meeting.id == r.id))
            .map(|r| PastRollCall {
                meeting_id: r.meeting.id.clone(),
                kind: r.meeting.kind,
                started_at: r.meeting.started_at(),
                entries: r.roll_call.clone(),
            })
            .collect())
    }

    /// The tasks of the meeting's previous regular meeting (`context::previous_regular`).
    pub fn previous_tasks_of(&self, meeting: &Meeting) -> StorageResult<Vec<Task>> {
        let records = self.context_records(meeting)?;
        let refs: Vec<MeetingRef> = records.iter().map(MeetingRef::of_record).collect();
        Ok(context::previous_regular(&refs, meeting)
            .and_then(|r| records.iter().find(|rec| rec.meeting.id == r.id))
            .map(|r| r.tasks.clone())
            .unwrap_or_default())
    }

    pub fn stored_check_in(&self, id: &str) -> StorageResult<Option<StoredCheckIn>> {
        self.get(CHECK_IN, id)
    }

    pub fn check_ins_of_meeting(&self, meeting_id: &str) -> StorageResult<Vec<StoredCheckIn>> {
        self.by_ref(CHECK_IN, meeting_id)
    }

    pub fn all_check_ins(&self) -> StorageResult<Vec<StoredCheckIn>> {
        self.list(CHECK_IN, &DocFilter::default())
    }

    /// Every use of the photo `sha256` in the commune (check-ins, meetings, guidance),
    /// and in other communes, for the reuse check.
    pub fn photo_uses(&self, sha256: &str) -> StorageResult<Vec<PhotoUse>> {
        let sha256 = sha256.trim().to_lowercase();
        let mut uses: Vec<PhotoUse> = self.by_ref(PHOTO_USE, &sha256)?;
        let elsewhere = self.with_tx(|tx| tx.blob_refs(&sha256))?;
        uses.extend(
            elsewhere
                .into_iter()
                .filter(|r| r.commune_id != self.commune_id)
                .map(|r| PhotoUse {
                    used_by: format!("commune:{}", r.commune_id),
                    photo_sha256: sha256.clone(),
                }),
        );
        Ok(uses)
    }

    /// Whether the server holds the verified bytes of `sha256`.
    pub fn blob_received(&self, sha256: &str) -> StorageResult<bool> {
        let sha256 = sha256.trim().to_lowercase();
        Ok(self.doc_row(BLOB_RECEIVED, &sha256)?.is_some())
    }

    /// Records that the server holds the verified bytes of `sha256`.
    pub fn note_blob_received(&self, sha256: &str, at: EpochMillis) -> StorageResult<()> {
        let sha256 = sha256.trim().to_lowercase();
        self.put(BLOB_RECEIVED, &sha256, None, Some(&sha256), Some(at), &at)
    }

    /// The check-ins using the photo `sha256`.
    pub fn check_ins_with_photo(&self, sha256: &str) -> StorageResult<Vec<StoredCheckIn>> {
        let mut found = Vec::new();
        for u in self.photo_uses(sha256)? {
            if let Some(stored) = self.stored_check_in(&u.used_by)? {
                if stored
                    .check_in
                    .photo_sha256
                    .as_deref()
                    .map(str::to_lowercase)
                    == Some(sha256.trim().to_lowercase())
                {
                    found.push(stored);
                }
            }
        }
        Ok(found)
    }

    /// The fixes of the cadre's other check-ins within a day of `at`, for the travel
    /// check.
    pub fn cadre_fixes_near(
        &self,
        cadre_id: &str,
        at: EpochMillis,
    ) -> StorageResult<Vec<TravelPoint>> {
        let window = chibo_domain::checkin::TRAVEL_WINDOW_MS;
        let near: Vec<StoredCheckIn> = self.list(
            CHECK_IN,
            &DocFilter {
                at_from: Some(at.saturating_sub(window)),
                at_until: Some(at.saturating_add(window).saturating_add(1)),
                ..DocFilter::default()
            },
        )?;
        Ok(near
            .into_iter()
            .filter(|s| s.check_in.cadre_id == cadre_id)
            .filter_map(|s| {
                let gps = s.check_in.gps?;
                Some(TravelPoint {
                    check_in_id: s.check_in.id,
                    at: s.verdict.effective_time,
                    latitude: gps.latitude,
                    longitude: gps.longitude,
                    accuracy_m: gps.accuracy_m,
                })
            })
            .collect())
    }

    /// How many check-ins the cadre has sent for the meeting.
    pub fn check_in_attempts(&self, cadre_id: &str, meeting_id: &str) -> StorageResult<usize> {
        Ok(self
            .check_ins_of_meeting(meeting_id)?
            .iter()
            .filter(|s| s.check_in.cadre_id == cadre_id)
            .count())
    }

    pub fn clock_note(&self, meeting_id: &str) -> StorageResult<Option<ClockNote>> {
        self.get(CLOCK_NOTE, meeting_id)
    }

    /// Notes (or, for a sane clock, forgets) that the meeting's header was written by a
    /// device whose clock was `offset_ms` off.
    pub fn set_clock_note(&self, meeting_id: &str, note: Option<&ClockNote>) -> StorageResult<()> {
        match note {
            Some(note) => {
                let cell = self.cell_of_meeting(meeting_id)?;
                self.put(
                    CLOCK_NOTE,
                    meeting_id,
                    cell.as_deref(),
                    None,
                    Some(note.noted_at),
                    note,
                )
            }
            None => self.delete(CLOCK_NOTE, meeting_id),
        }
    }

    fn photo_use(&self, sha256: &str, used_by: &str, cell_id: Option<&str>) -> StorageResult<()> {
        let sha256 = sha256.trim().to_lowercase();
        let entry = PhotoUse {
            used_by: used_by.to_string(),
            photo_sha256: sha256.clone(),
        };
        self.put(
            PHOTO_USE,
            &format!("{sha256}:{used_by}"),
            cell_id,
            Some(&sha256),
            None,
            &entry,
        )
    }

    pub fn assignments(&self) -> StorageResult<Vec<Assignment>> {
        self.list(ASSIGNMENT, &DocFilter::default())
    }

    pub fn cadres(&self) -> StorageResult<Vec<Cadre>> {
        let mut cadres: Vec<Cadre> = self.list(CADRE, &DocFilter::default())?;
        cadres.sort_by_key(|c| name_order_key(&c.full_name));
        Ok(cadres)
    }

    pub fn guidances(&self) -> StorageResult<Vec<Guidance>> {
        self.list(GUIDANCE, &DocFilter::default())
    }

    pub fn petitions(&self) -> StorageResult<Vec<Petition>> {
        self.list(PETITION, &DocFilter::default())
    }

    pub fn responses_to(&self, petition_id: &str) -> StorageResult<Vec<PetitionResponse>> {
        self.by_ref(PETITION_RESPONSE, petition_id)
    }

    pub fn visit_requirement(&self) -> StorageResult<Option<VisitRequirement>> {
        let id = self.commune_id.clone();
        self.get(VISIT_REQUIREMENT, &id)
    }

    /// The settings the commune's meetings are judged with: the office's, else the
    /// defaults (the phones read the same synced value).
    pub fn rule_settings(&self) -> StorageResult<RuleSettings> {
        let id = self.commune_id.clone();
        Ok(self.get(RULE_SETTINGS, &id)?.unwrap_or_default())
    }

    pub fn presence_secret(&self, meeting_id: &str) -> StorageResult<Option<Vec<u8>>> {
        let hex_text = self.with_tx(|tx| tx.presence_secret(&self.commune_id, meeting_id))?;
        hex_text
            .map(|t| {
                hex::decode(t.trim())
                    .map_err(|e| StorageError::Corrupt(format!("presence secret: {e}")))
            })
            .transpose()
    }

    /// The cell a meeting belongs to: from its record, or (before the record reached the
    /// server) from a check-in at it.
    pub fn cell_of_meeting(&self, meeting_id: &str) -> StorageResult<Option<Id>> {
        if let Some(cell_id) = self.with_record(meeting_id, |r| r.meeting.cell_id.clone())? {
            return Ok(Some(cell_id));
        }
        Ok(self
            .check_ins_of_meeting(meeting_id)?
            .into_iter()
            .next()
            .map(|s| s.check_in.cell_id))
    }

    // ------------------------------------------------------------ writes

    /// The cell's meetings from the year of `from` (every year for None) must be judged
    /// again.
    fn mark_stale(&self, cell_id: &str, from: Option<EpochMillis>) {
        let year = from.map(|at| local_year_month(at).0);
        let mut stale = self.stale.borrow_mut();
        let entry = stale.entry(cell_id.to_string()).or_insert(year);
        *entry = match (*entry, year) {
            (Some(a), Some(b)) => Some(a.min(b)),
            _ => None,
        };
    }

    /// What `write_effect` marked stale since the last call, emptied.
    pub fn take_stale(&self) -> BTreeMap<Id, Option<i32>> {
        std::mem::take(&mut *self.stale.borrow_mut())
    }

    /// Stores a meeting's summary (`figures::summaries::MeetingSummary`, which this
    /// layer does not need to know), filed under its cell and start.
    pub fn put_summary<T: Serialize>(
        &self,
        meeting_id: &str,
        cell_id: &str,
        started_at: EpochMillis,
        summary: &T,
    ) -> StorageResult<()> {
        self.put(
            MEETING_SUMMARY,
            meeting_id,
            Some(cell_id),
            None,
            Some(started_at),
            summary,
        )
    }

    pub fn put_summary_version<T: Serialize>(&self, version: &T) -> StorageResult<()> {
        self.put(SUMMARY_VERSION, MEETING_SUMMARY, None, None, None, version)
    }

    /// Writes a record document; its meetings from the earlier of its old and new start
    /// are judged again.
    fn put_record_doc(&self, record: MeetingRecord) -> StorageResult<()> {
        let m = &record.meeting;
        let start = m.started_at();
        let old_start = self.with_record(&m.id, |r| r.meeting.started_at())?;
        self.mark_stale(
            &m.cell_id,
            Some(old_start.map_or(start, |old| old.min(start))),
        );
        if let Some(buffer) = &self.buffer {
            let mut b = buffer.borrow_mut();
            b.decoded_records.remove(&m.id);
            b.records.insert(m.id.clone(), record);
            return Ok(());
        }
        self.put(
            RECORD,
            &m.id,
            Some(&m.cell_id),
            m.revision_of.as_deref(),
            Some(start),
            &record,
        )
    }

    fn put_record(&self, record: MeetingRecord) -> StorageResult<()> {
        // Petitions are also their own documents, so a response finds them by id; a
        // correction's copies become the current ones.
        for p in &record.petitions {
            self.put_petition(p)?;
        }
        self.put_record_doc(record)
    }

    fn put_petition(&self, p: &Petition) -> StorageResult<()> {
        self.put(
            PETITION,
            &p.id,
            Some(&p.cell_id),
            p.meeting_id.as_deref(),
            Some(p.raised_at),
            p,
        )
    }

    pub fn put_check_in(&self, stored: &StoredCheckIn) -> StorageResult<()> {
        let c = &stored.check_in;
        self.put(
            CHECK_IN,
            &c.id,
            Some(&c.cell_id),
            Some(&c.meeting_id),
            Some(stored.verdict.effective_time),
            stored,
        )
    }

    fn blob_ref(&self, sha256: &str, cell_id: Option<&str>) -> StorageResult<()> {
        let blob = BlobRef {
            commune_id: self.commune_id.clone(),
            sha256: sha256.trim().to_lowercase(),
            cell_id: cell_id.map(str::to_string),
        };
        self.with_tx(|tx| tx.add_blob_ref(&blob))
    }

    /// Writes a check-in as the server judged it (never with the verdict its device
    /// sent), the meeting's delegates as that verdict has them, and its photo's use.
    pub fn write_check_in(
        &self,
        stored: &StoredCheckIn,
        delegate: Option<&Meeting>,
    ) -> StorageResult<()> {
        self.put_check_in(stored)?;
        self.write_delegate(delegate)?;
        let c = &stored.check_in;
        if let Some(photo) = &c.photo_sha256 {
            self.blob_ref(photo, Some(&c.cell_id))?;
            self.photo_use(photo, &c.id, Some(&c.cell_id))?;
        }
        Ok(())
    }

    /// The meeting's header with its delegates as a check-in's verdict has them.
    fn write_delegate(&self, delegate: Option<&Meeting>) -> StorageResult<()> {
        if let Some(meeting) = delegate {
            if let Some(mut record) = self.record_of(&meeting.id)? {
                record.meeting = meeting.clone();
                self.put_record(record)?;
            }
        }
        Ok(())
    }

    /// Writes what `decide` produced. A check-in goes through [`Self::write_check_in`]
    /// with the server's own verdict instead.
    pub fn write_effect(&self, effect: Effect, now: EpochMillis) -> StorageResult<()> {
        match effect {
            Effect::Cell(ref c) => {
                self.mark_stale(&c.id, None);
                self.put(CELL, &c.id, Some(&c.id), None, None, c)
            }
            Effect::Member(ref m) => {
                // Assessments read the live roster: every meeting of the cell (and of the
                // cell the member left) is judged again.
                if let Some(old) = self.get::<Member>(MEMBER, &m.id)? {
                    self.mark_stale(&old.cell_id, None);
                }
                self.mark_stale(&m.cell_id, None);
                self.put(MEMBER, &m.id, Some(&m.cell_id), None, None, m)
            }
            // A correction is a new record; the original stays as it was.
            Effect::Record { record, .. } => self.put_record(record),
            Effect::LoosePetition(ref p) => self.put_petition(p),
            Effect::Cadre(ref c) => self.put(CADRE, &c.id, None, None, None, c),
            Effect::WorkingTeam(ref t) => self.put(WORKING_TEAM, &t.id, None, None, None, t),
            Effect::Assignment(ref a) => self.put(
                ASSIGNMENT,
                &a.id,
                Some(&a.cell_id),
                Some(&a.cadre_id),
                None,
                a,
            ),
            Effect::VisitRequirement {
                ref commune_id,
                ref requirement,
            } => self.put(VISIT_REQUIREMENT, commune_id, None, None, None, requirement),
            Effect::RuleSettings {
                ref commune_id,
                ref settings,
            } => {
                // Every meeting of the commune is judged with them: all summaries again.
                for cell in self.cells()? {
                    self.mark_stale(&cell.id, None);
                }
                self.put(RULE_SETTINGS, commune_id, None, None, None, settings)
            }
            Effect::PresenceSecret {
                ref meeting_id,
                ref secret_hex,
            } => self.with_tx(|tx| {
                tx.insert_presence_secret(&self.commune_id, meeting_id, secret_hex, now)
            }),
            Effect::CheckIn {
                ref check_in,
                ref verdict,
                ref delegate,
            } => self.write_check_in(
                &StoredCheckIn {
                    check_in: check_in.clone(),
                    verdict: verdict.clone(),
                    receipt: None,
                    true_time: None,
                },
                delegate.as_ref(),
            ),
            // The server holds every cell of its commune: nothing moves away from it.
            Effect::MemberMovedAway { .. } => Ok(()),
            Effect::Photo(ref p) => {
                let cell_id = match (&p.meeting_id, &p.check_in_id) {
                    (Some(meeting_id), _) => self.cell_of_meeting(meeting_id)?,
                    (None, Some(check_in_id)) => self
                        .stored_check_in(check_in_id)?
                        .map(|s| s.check_in.cell_id),
                    (None, None) => None,
                };
                let id = format!(
                    "{}:{}:{}",
                    p.sha256,
                    p.meeting_id.as_deref().unwrap_or("-"),
                    p.check_in_id.as_deref().unwrap_or("-")
                );
                self.put(
                    PHOTO,
                    &id,
                    cell_id.as_deref(),
                    Some(&p.sha256),
                    Some(p.attached_at),
                    p,
                )?;
                let used_by = p.check_in_id.as_deref().or(p.meeting_id.as_deref());
                if let Some(used_by) = used_by {
                    self.photo_use(&p.sha256, used_by, cell_id.as_deref())?;
                }
                match cell_id {
                    Some(cell) => self.blob_ref(&p.sha256, Some(&cell)),
                    None => Ok(()),
                }
            }
            Effect::Observation(ref o) => {
                // The cadre's score of the meeting is part of its summary.
                if let Some((cell_id, start)) = self.with_record(&o.meeting_id, |r| {
                    (r.meeting.cell_id.clone(), r.meeting.started_at())
                })? {
                    self.mark_stale(&cell_id, Some(start));
                }
                let cell_id = self.cell_of_meeting(&o.meeting_id)?;
                self.put(
                    OBSERVATION,
                    &o.id,
                    cell_id.as_deref(),
                    Some(&o.meeting_id),
                    Some(o.recorded_at),
                    o,
                )
            }
            Effect::PetitionResponse {
                ref response,
                ref petition,
            } => {
                self.put(
                    PETITION_RESPONSE,
                    &response.id,
                    Some(&petition.cell_id),
                    Some(&response.petition_id),
                    Some(response.responded_at),
                    response,
                )?;
                self.put_petition(petition)?;
                // Every record holding a copy of the petition (its meeting and that
                // meeting's corrections) shows its new status.
                for mut record in self.copies_of(petition)? {
                    let mut changed = false;
                    for p in record.petitions.iter_mut().filter(|p| p.id == petition.id) {
                        p.status = petition.status;
                        changed = true;
                    }
                    if changed {
                        self.put_record_doc(record)?;
                    }
                }
                Ok(())
            }
            Effect::Guidance(ref g) => {
                self.put(GUIDANCE, &g.id, None, None, Some(g.published_at), g)?;
                // Commune-level: who may read it is the guidance's audience, checked
                // against the guidance itself when the blob is asked for.
                for a in &g.attachments {
                    self.blob_ref(&a.sha256, None)?;
                    self.photo_use(&a.sha256, &g.id, None)?;
                }
                Ok(())
            }
            Effect::CheckInVerdict {
                ref check_in_id,
                ref verdict,
                ref delegate,
            } => match self.stored_check_in(check_in_id)? {
                Some(mut stored) => {
                    stored.verdict = verdict.clone();
                    self.put_check_in(&stored)?;
                    self.write_delegate(delegate.as_ref())
                }
                None => Ok(()),
            },
        }
    }
}

fn lookup(e: StorageError) -> LookupError {
    LookupError(e.to_string())
}

impl LedgerView for CommuneDocs<'_> {
    fn cell(&self, id: &str) -> Result<Option<Cell>, LookupError> {
        CommuneDocs::cell(self, id).map_err(lookup)
    }

    fn member(&self, id: &str) -> Result<Option<Member>, LookupError> {
        self.get(MEMBER, id).map_err(lookup)
    }

    fn roster(&self, cell_id: &str) -> Result<Vec<Member>, LookupError> {
        self.roster_of(cell_id).map_err(lookup)
    }

    fn record(&self, meeting_id: &str) -> Result<Option<MeetingRecord>, LookupError> {
        self.record_of(meeting_id).map_err(lookup)
    }

    fn previous_tasks(&self, meeting: &Meeting) -> Result<Vec<Task>, LookupError> {
        self.previous_tasks_of(meeting).map_err(lookup)
    }

    fn correction_of(&self, meeting_id: &str) -> Result<Option<Id>, LookupError> {
        let revisions = self
            .records(&DocFilter {
                ref_id: Some(meeting_id.to_string()),
                ..DocFilter::default()
            })
            .map_err(lookup)?;
        Ok(revisions.into_iter().next().map(|r| r.meeting.id))
    }

    fn cadre(&self, id: &str) -> Result<Option<Cadre>, LookupError> {
        self.get(CADRE, id).map_err(lookup)
    }

    fn working_team(&self, id: &str) -> Result<Option<WorkingTeam>, LookupError> {
        self.get(WORKING_TEAM, id).map_err(lookup)
    }

    fn check_in(&self, id: &str) -> Result<Option<(CheckIn, Verdict)>, LookupError> {
        Ok(self
            .stored_check_in(id)
            .map_err(lookup)?
            .map(|s| (s.check_in, s.verdict)))
    }

    fn has_presence_secret(&self, meeting_id: &str) -> Result<bool, LookupError> {
        self.with_tx(|tx| tx.presence_secret(&self.commune_id, meeting_id))
            .map(|s| s.is_some())
            .map_err(lookup)
    }

    fn has_photo(&self, photo: &PhotoAttachment) -> Result<bool, LookupError> {
        let same: Vec<PhotoAttachment> = self
            .by_ref(PHOTO, &photo.sha256.trim().to_lowercase())
            .map_err(lookup)?;
        Ok(same
            .iter()
            .any(|p| p.meeting_id == photo.meeting_id && p.check_in_id == photo.check_in_id))
    }

    fn observation(&self, id: &str) -> Result<Option<Observation>, LookupError> {
        self.get(OBSERVATION, id).map_err(lookup)
    }

    fn petition(&self, id: &str) -> Result<Option<Petition>, LookupError> {
        self.get(PETITION, id).map_err(lookup)
    }

    fn petition_response(&self, id: &str) -> Result<Option<PetitionResponse>, LookupError> {
        self.get(PETITION_RESPONSE, id).map_err(lookup)
    }

    fn guidance(&self, id: &str) -> Result<Option<Guidance>, LookupError> {
        self.get(GUIDANCE, id).map_err(lookup)
    }
}

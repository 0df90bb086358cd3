//! A commune's current state as entity documents (one JSON document per cell, member,
//! meeting record, check-in…), the [`LedgerView`] the domain's `decide` reads through,
//! and the writing of each [`Effect`] it returns.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use chibo_domain::checkin::{CheckIn, PhotoUse, ServerReceipt, TravelPoint, Verdict};
use chibo_domain::compliance::{Assignment, Cadre, VisitRequirement, WorkingTeam};
use chibo_domain::ledger::{Effect, LedgerView, LookupError};
use chibo_domain::model::*;
use chibo_domain::rules::PastRollCall;
use chibo_domain::time::{from_local, local_year_month, EpochMillis};

use crate::storage::{BlobRef, DocFilter, DocRow, StorageError, StorageResult, Tx};

pub const CELL: &str = "cell";
pub const MEMBER: &str = "member";
pub const RECORD: &str = "record";
pub const PETITION: &str = "petition";
pub const PETITION_RESPONSE: &str = "petition_response";
pub const CADRE: &str = "cadre";
pub const WORKING_TEAM: &str = "working_team";
pub const ASSIGNMENT: &str = "assignment";
pub const VISIT_REQUIREMENT: &str = "visit_requirement";
pub const CHECK_IN: &str = "check_in";
pub const PHOTO: &str = "photo";
pub const OBSERVATION: &str = "observation";
pub const GUIDANCE: &str = "guidance";
/// Derived: where a photo hash is used (a check-in, a meeting, a guidance), by hash.
pub const PHOTO_USE: &str = "photo_use";
/// Derived: the server holds the blob of this hash, verified (`sync::photo_received`).
pub const BLOB_RECEIVED: &str = "blob_received";
/// Derived: a meeting's header was written by a device whose clock was wrong.
pub const CLOCK_NOTE: &str = "clock_note";
/// Derived: a current meeting's judged figures (`meetings::MeetingSummary`).
pub const MEETING_SUMMARY: &str = "meeting_summary";
/// Derived: which summary format the stored summaries have (`meetings::ensure_summaries`).
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
pub fn year_start(year: i32) -> EpochMillis {
    let date = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    from_local(date.and_hms_opt(0, 0, 0).unwrap_or_default())
}

fn decode<T: DeserializeOwned>(doc: &DocRow) -> StorageResult<T> {
    serde_json::from_str(&doc.body_json)
        .map_err(|e| StorageError::Corrupt(format!("document {}/{}: {e}", doc.kind, doc.id)))
}

fn encode<T: Serialize>(value: &T) -> StorageResult<String> {
    serde_json::to_string(value).map_err(|e| StorageError::Corrupt(e.to_string()))
}

/// One commune's documents, read and written through the caller's transaction.
pub struct CommuneDocs<'t> {
    tx: RefCell<&'t mut dyn Tx>,
    commune_id: String,
    /// Cells whose meeting summaries the writes made stale, with the earliest year
    /// touched (None: every year). See `meetings::refresh_stale`.
    stale: RefCell<BTreeMap<Id, Option<i32>>>,
}

impl<'t> CommuneDocs<'t> {
    pub fn new(tx: &'t mut dyn Tx, commune_id: &str) -> CommuneDocs<'t> {
        CommuneDocs {
            tx: RefCell::new(tx),
            commune_id: commune_id.to_string(),
            stale: RefCell::new(BTreeMap::new()),
        }
    }

    pub fn commune_id(&self) -> &str {
        &self.commune_id
    }

    /// The transaction, for what is not a document (logs, acks, clocks).
    pub fn with_tx<T>(&self, f: impl FnOnce(&mut dyn Tx) -> StorageResult<T>) -> StorageResult<T> {
        let mut tx = self.tx.borrow_mut();
        f(&mut **tx)
    }

    pub fn get<T: DeserializeOwned>(&self, kind: &str, id: &str) -> StorageResult<Option<T>> {
        let doc = self.with_tx(|tx| tx.doc(&self.commune_id, kind, id))?;
        doc.as_ref().map(decode).transpose()
    }

    pub fn list<T: DeserializeOwned>(
        &self,
        kind: &str,
        filter: &DocFilter,
    ) -> StorageResult<Vec<T>> {
        let docs = self.with_tx(|tx| tx.docs(&self.commune_id, kind, filter))?;
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
        let doc = DocRow {
            commune_id: self.commune_id.clone(),
            kind: kind.to_string(),
            id: id.to_string(),
            cell_id: cell_id.map(str::to_string),
            ref_id: ref_id.map(str::to_string),
            at,
            body_json: encode(value)?,
        };
        self.with_tx(|tx| tx.put_doc(&doc))
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
        let mut members: Vec<Member> = self.by_cell(MEMBER, cell_id)?;
        members.sort_by_key(|m| name_order_key(&m.full_name));
        Ok(members)
    }

    /// The record with its children in the one order every phone shows.
    pub fn record_of(&self, meeting_id: &str) -> StorageResult<Option<MeetingRecord>> {
        let record: Option<MeetingRecord> = self.get(RECORD, meeting_id)?;
        Ok(record.map(MeetingRecord::in_canonical_order))
    }

    /// The cell's meeting records (every revision), by start time.
    pub fn records_of(&self, cell_id: &str) -> StorageResult<Vec<MeetingRecord>> {
        let records: Vec<MeetingRecord> = self.by_cell(RECORD, cell_id)?;
        Ok(records
            .into_iter()
            .map(MeetingRecord::in_canonical_order)
            .collect())
    }

    /// The newest revision of each meeting of the cell that was held, by start time.
    pub fn current_held_records(&self, cell_id: &str) -> StorageResult<Vec<MeetingRecord>> {
        let all = self.records_of(cell_id)?;
        let corrected: Vec<Id> = all
            .iter()
            .filter_map(|r| r.meeting.revision_of.clone())
            .collect();
        Ok(all
            .into_iter()
            .filter(|r| held(&r.meeting) && !corrected.contains(&r.meeting.id))
            .collect())
    }

    /// Roll calls of the cell's held meetings earlier in the meeting's calendar year,
    /// oldest first, current revisions only.
    pub fn earlier_this_year(&self, meeting: &Meeting) -> StorageResult<Vec<PastRollCall>> {
        let start = meeting.started_at();
        let (year, _) = local_year_month(start);
        let from = year_start(year);
        Ok(self
            .current_held_records(&meeting.cell_id)?
            .into_iter()
            .filter(|r| {
                let at = r.meeting.started_at();
                r.meeting.id != meeting.id && at >= from && at < start
            })
            .map(|r| PastRollCall {
                meeting_id: r.meeting.id.clone(),
                kind: r.meeting.kind,
                started_at: r.meeting.started_at(),
                entries: r.roll_call,
            })
            .collect())
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
        Ok(self
            .with_tx(|tx| tx.doc(&self.commune_id, BLOB_RECEIVED, &sha256))?
            .is_some())
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
            None => self.with_tx(|tx| tx.delete_doc(&self.commune_id, CLOCK_NOTE, meeting_id)),
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
        if let Some(record) = self.record_of(meeting_id)? {
            return Ok(Some(record.meeting.cell_id));
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

    pub fn put_summary(&self, s: &crate::meetings::MeetingSummary) -> StorageResult<()> {
        self.put(
            MEETING_SUMMARY,
            &s.meeting_id,
            Some(&s.cell_id),
            None,
            Some(s.started_at),
            s,
        )
    }

    pub fn put_summary_version<T: Serialize>(&self, version: &T) -> StorageResult<()> {
        self.put(SUMMARY_VERSION, MEETING_SUMMARY, None, None, None, version)
    }

    /// Writes a record document; its meetings from the earlier of its old and new start
    /// are judged again.
    fn put_record_doc(&self, record: &MeetingRecord) -> StorageResult<()> {
        let m = &record.meeting;
        let start = m.started_at();
        let old_start = self
            .with_tx(|tx| tx.doc(&self.commune_id, RECORD, &m.id))?
            .and_then(|d| d.at);
        self.mark_stale(
            &m.cell_id,
            Some(old_start.map_or(start, |old| old.min(start))),
        );
        self.put(
            RECORD,
            &m.id,
            Some(&m.cell_id),
            m.revision_of.as_deref(),
            Some(start),
            record,
        )
    }

    fn put_record(&self, record: &MeetingRecord) -> StorageResult<()> {
        self.put_record_doc(record)?;
        // Petitions are also their own documents, so a response finds them by id; a
        // correction's copies become the current ones.
        for p in &record.petitions {
            self.put_petition(p)?;
        }
        Ok(())
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
                self.put_record(&record)?;
            }
        }
        Ok(())
    }

    /// Writes what `decide` produced. A check-in goes through [`Self::write_check_in`]
    /// with the server's own verdict instead.
    pub fn write_effect(&self, effect: &Effect, now: EpochMillis) -> StorageResult<()> {
        match effect {
            Effect::Cell(c) => {
                self.mark_stale(&c.id, None);
                self.put(CELL, &c.id, Some(&c.id), None, None, c)
            }
            Effect::Member(m) => {
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
            Effect::LoosePetition(p) => self.put_petition(p),
            Effect::Cadre(c) => self.put(CADRE, &c.id, None, None, None, c),
            Effect::WorkingTeam(t) => self.put(WORKING_TEAM, &t.id, None, None, None, t),
            Effect::Assignment(a) => self.put(
                ASSIGNMENT,
                &a.id,
                Some(&a.cell_id),
                Some(&a.cadre_id),
                None,
                a,
            ),
            Effect::VisitRequirement {
                commune_id,
                requirement,
            } => self.put(VISIT_REQUIREMENT, commune_id, None, None, None, requirement),
            Effect::PresenceSecret {
                meeting_id,
                secret_hex,
            } => self.with_tx(|tx| {
                tx.insert_presence_secret(&self.commune_id, meeting_id, secret_hex, now)
            }),
            Effect::CheckIn {
                check_in,
                verdict,
                delegate,
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
            Effect::Photo(p) => {
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
            Effect::Observation(o) => {
                // The cadre's score of the meeting is part of its summary.
                if let Some(record) =
                    self.with_tx(|tx| tx.doc(&self.commune_id, RECORD, &o.meeting_id))?
                {
                    if let Some(cell) = &record.cell_id {
                        self.mark_stale(cell, record.at);
                    }
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
            Effect::PetitionResponse { response, petition } => {
                self.put(
                    PETITION_RESPONSE,
                    &response.id,
                    Some(&petition.cell_id),
                    Some(&response.petition_id),
                    Some(response.responded_at),
                    response,
                )?;
                self.put_petition(petition)?;
                // Every record holding a copy of the petition shows its new status.
                for mut record in self.records_of(&petition.cell_id)? {
                    let mut changed = false;
                    for p in record.petitions.iter_mut().filter(|p| p.id == petition.id) {
                        p.status = petition.status;
                        changed = true;
                    }
                    if changed {
                        self.put_record_doc(&record)?;
                    }
                }
                Ok(())
            }
            Effect::Guidance(g) => {
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
                check_in_id,
                verdict,
                delegate,
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

    /// The tasks set at the cell's last held regular-kind meeting before this one (its
    /// newest revision).
    fn previous_tasks(&self, meeting: &Meeting) -> Result<Vec<Task>, LookupError> {
        let start = meeting.started_at();
        let held = self
            .current_held_records(&meeting.cell_id)
            .map_err(lookup)?;
        Ok(held
            .into_iter()
            .filter(|r| r.meeting.started_at() < start && r.meeting.kind.is_regular())
            .max_by_key(|r| (r.meeting.started_at(), r.meeting.id.clone()))
            .map(|r| r.tasks)
            .unwrap_or_default())
    }

    fn correction_of(&self, meeting_id: &str) -> Result<Option<Id>, LookupError> {
        let revisions: Vec<MeetingRecord> = self.by_ref(RECORD, meeting_id).map_err(lookup)?;
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

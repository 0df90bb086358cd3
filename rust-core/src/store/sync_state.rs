//! What the sync engine keeps in the store (schema v5): the enrolment, the status shown
//! between runs, the "needs attention" list, and the photo upload queue. The engine
//! (`crate::sync`) decides; these are its reads and writes, each one transaction.

use chibo_domain::sync::Person;
use chibo_domain::EpochMillis;
use rusqlite::{params, OptionalExtension};

use super::codec::{json_parse, json_text};
use super::error::StoreError;
use super::outbox::{entry_from_row, OutboxEntry, OUTBOX_COLS};
use super::Store;

/// The device's enrolment with a commune server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncAccount {
    /// Base URL, without a trailing slash.
    pub server_url: String,
    /// The device id the server issued (the server numbers our pushes under it).
    pub device_id: String,
    /// The bearer credential.
    pub credential: String,
    pub person: Person,
    pub commune_name: String,
    /// The local outbox `device_seq` that the server's numbering for this enrolment
    /// starts after: wire `device_seq` = local `device_seq` − `seq_base`. 0 for a store
    /// enrolled once; after a re-enrolment (a new server device) the changes the old one
    /// settled are not sent again.
    pub seq_base: u64,
    pub enrolled_at: EpochMillis,
}

/// The last run's outcome and what the server told us about our clock.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncStateRow {
    pub last_attempt_at: Option<EpochMillis>,
    /// The end of the last run in which every pending change was pushed and every page
    /// pulled.
    pub last_success_at: Option<EpochMillis>,
    /// In Vietnamese; cleared by a run without error.
    pub last_error: Option<String>,
    /// Server clock minus this device's clock, from the last round trip.
    pub server_offset_ms: Option<i64>,
    /// The server's warning that this device's clock runs ahead (Vietnamese).
    pub clock_warning: Option<String>,
}

/// What a needs-attention entry is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttentionSubject {
    /// A change the server refused.
    Change,
    /// A photo that cannot be uploaded.
    Photo,
}

impl AttentionSubject {
    fn as_str(self) -> &'static str {
        match self {
            AttentionSubject::Change => "change",
            AttentionSubject::Photo => "photo",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "change" => Ok(AttentionSubject::Change),
            "photo" => Ok(AttentionSubject::Photo),
            other => Err(StoreError::Corrupt(format!("loại mục cần xử lý: {other}"))),
        }
    }
}

/// Something sync could not do that a person must look at. Kept until dismissed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttentionEntry {
    pub id: i64,
    pub subject: AttentionSubject,
    /// The refused outbox entry (for a change).
    pub device_seq: Option<u64>,
    pub entity_kind: String,
    /// The entity's id; a photo's SHA-256.
    pub entity_id: String,
    /// What the change or photo was, in Vietnamese ("Điểm danh đảng viên").
    pub what: String,
    /// Stable machine code ("validation", "frozen", "photo_corrupt"...).
    pub code: String,
    /// Why, in Vietnamese.
    pub reason: String,
    pub created_at: EpochMillis,
}

/// A new needs-attention entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttention {
    pub subject: AttentionSubject,
    pub device_seq: Option<u64>,
    pub entity_kind: String,
    pub entity_id: String,
    pub what: String,
    pub code: String,
    pub reason: String,
}

/// How the server settled one pushed outbox entry (local numbering).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// Applied: done.
    Accepted { device_seq: u64 },
    /// Done, but fields of it lost to a later write from elsewhere: on the
    /// needs-attention list, so the person knows their edit was not kept.
    Superseded {
        device_seq: u64,
        what: String,
        reason: String,
    },
    /// Refused by a rule: done, and on the needs-attention list.
    Rejected {
        device_seq: u64,
        what: String,
        code: String,
        reason: String,
    },
}

/// An outbox entry in a push batch.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchEntry {
    pub entry: OutboxEntry,
    /// Already acknowledged (resent after a sequence gap).
    pub acked: bool,
}

/// One photo waiting to be uploaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhotoUpload {
    pub sha256: String,
    /// The tus upload URL once created. Its offset is asked from the server on resume.
    pub upload_url: Option<String>,
    /// The offset the server last reported (informational only).
    pub offset: u64,
    pub attempts: u32,
    pub last_error: Option<String>,
}

impl Store {
    // ------------------------------------------------------------ enrolment

    /// The enrolment, if this device has one.
    pub fn sync_account(&self) -> Result<Option<SyncAccount>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT server_url, device_id, credential, person, commune_name, seq_base,
                        enrolled_at
                 FROM sync_account WHERE singleton = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, i64>(5)?,
                        r.get::<_, i64>(6)?,
                    ))
                },
            )
            .optional()?;
        row.map(
            |(server_url, device_id, credential, person, commune_name, seq_base, enrolled_at)| {
                Ok(SyncAccount {
                    server_url,
                    device_id,
                    credential,
                    person: json_parse(&person)?,
                    commune_name,
                    seq_base: seq_base as u64,
                    enrolled_at,
                })
            },
        )
        .transpose()
    }

    /// Saves (or replaces) the enrolment, with the server offset learnt while enrolling;
    /// a previous run's error and clock warning no longer apply.
    pub fn save_sync_account(
        &mut self,
        account: &SyncAccount,
        server_offset_ms: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO sync_account (singleton, server_url, device_id, credential, person,
                                       commune_name, seq_base, enrolled_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(singleton) DO UPDATE SET server_url = excluded.server_url,
               device_id = excluded.device_id, credential = excluded.credential,
               person = excluded.person, commune_name = excluded.commune_name,
               seq_base = excluded.seq_base, enrolled_at = excluded.enrolled_at",
            params![
                account.server_url,
                account.device_id,
                account.credential,
                json_text(&account.person),
                account.commune_name,
                account.seq_base as i64,
                account.enrolled_at,
            ],
        )?;
        tx.execute(
            "UPDATE sync_state SET last_error = NULL, clock_warning = NULL,
                                   server_offset_ms = ?1
             WHERE singleton = 1",
            [server_offset_ms],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The last `device_seq` this store has written (0 before any change).
    pub fn last_device_seq(&self) -> u64 {
        self.next_seq - 1
    }

    /// The local `device_seq` below which every outbox entry is settled: the first
    /// pending entry minus one, or the last entry when none is pending.
    pub fn settled_seq(&self) -> Result<u64, StoreError> {
        Ok(match self.first_pending_seq()? {
            Some(first) => first - 1,
            None => self.next_seq - 1,
        })
    }

    // ------------------------------------------------------------ status

    pub fn sync_state(&self) -> Result<SyncStateRow, StoreError> {
        Ok(self.conn.query_row(
            "SELECT last_attempt_at, last_success_at, last_error, server_offset_ms,
                    clock_warning
             FROM sync_state WHERE singleton = 1",
            [],
            |r| {
                Ok(SyncStateRow {
                    last_attempt_at: r.get(0)?,
                    last_success_at: r.get(1)?,
                    last_error: r.get(2)?,
                    server_offset_ms: r.get(3)?,
                    clock_warning: r.get(4)?,
                })
            },
        )?)
    }

    /// Server clock minus this device's clock, as last measured (for check-ins).
    pub fn server_offset_ms(&self) -> Result<Option<i64>, StoreError> {
        Ok(self.sync_state()?.server_offset_ms)
    }

    /// What one round trip taught about the clocks.
    pub fn record_server_clock(
        &mut self,
        server_offset_ms: i64,
        clock_warning: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sync_state SET server_offset_ms = ?1, clock_warning = ?2 WHERE singleton = 1",
            params![server_offset_ms, clock_warning],
        )?;
        Ok(())
    }

    /// The end of a run. `success_at` is set when records were fully exchanged; `error`
    /// (Vietnamese) is what went wrong, if anything, and replaces the previous one.
    pub fn record_sync_run(
        &mut self,
        attempted_at: EpochMillis,
        success_at: Option<EpochMillis>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sync_state SET last_attempt_at = ?1,
                 last_success_at = coalesce(?2, last_success_at), last_error = ?3
             WHERE singleton = 1",
            params![attempted_at, success_at, error],
        )?;
        Ok(())
    }

    // ------------------------------------------------------------ outbox batches

    /// The first outbox entry not yet acknowledged.
    pub fn first_pending_seq(&self) -> Result<Option<u64>, StoreError> {
        let seq: Option<i64> = self.conn.query_row(
            "SELECT min(device_seq) FROM outbox WHERE acked_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(seq.map(|s| s as u64))
    }

    /// Up to `max_count` consecutive outbox entries from `from_seq` on, acknowledged or
    /// not (a resend after a gap may repeat settled ones), whose payloads add up to at
    /// most `max_bytes` (the first entry always goes, however large).
    pub fn outbox_batch(
        &self,
        from_seq: u64,
        max_count: usize,
        max_bytes: usize,
    ) -> Result<Vec<BatchEntry>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {OUTBOX_COLS}, acked_at IS NOT NULL
             FROM outbox WHERE device_seq >= ?1 ORDER BY device_seq LIMIT ?2"
        ))?;
        let mut rows = stmt.query(params![from_seq as i64, max_count.max(1) as i64])?;
        let mut out: Vec<BatchEntry> = Vec::new();
        let mut bytes = 0usize;
        let mut expected = from_seq;
        while let Some(r) = rows.next()? {
            let entry = BatchEntry {
                entry: entry_from_row(&self.device_id, r)?,
                acked: r.get(8)?,
            };
            let entry_seq = entry.entry.device_seq;
            // Stop at a hole rather than send one: the server would refuse the gap.
            if entry_seq != expected {
                break;
            }
            bytes += entry.entry.payload.len();
            if !out.is_empty() && bytes > max_bytes {
                break;
            }
            expected += 1;
            out.push(entry);
        }
        Ok(out)
    }

    /// Numbers the entries from the first one not acknowledged onwards again, so the
    /// first gets local number `first_local`: the server holds other changes under their
    /// old numbers (this device lost what it had written). Returns how far they moved.
    pub fn renumber_pending_from(&mut self, first_local: u64) -> Result<u64, StoreError> {
        let Some(first_pending) = self.first_pending_seq()? else {
            return Ok(0);
        };
        if first_local <= first_pending {
            return Ok(0);
        }
        let shift = first_local - first_pending;
        let tx = self.conn.transaction()?;
        // Through negative numbers, so no row ever collides with another on the way.
        tx.execute(
            "UPDATE outbox SET device_seq = -(device_seq + ?2) WHERE device_seq >= ?1",
            params![first_pending as i64, shift as i64],
        )?;
        tx.execute(
            "UPDATE outbox SET device_seq = -device_seq WHERE device_seq < 0",
            [],
        )?;
        let next = self.next_seq + shift;
        tx.execute(
            "UPDATE device SET next_seq = ?1 WHERE singleton = 1",
            [next as i64],
        )?;
        tx.commit()?;
        self.next_seq = next;
        Ok(shift)
    }

    /// Records the server's acknowledgements in one transaction: each settled entry is
    /// marked acknowledged; a refused one goes on the needs-attention list (once, however
    /// often it is acknowledged); an accepted photo attachment joins the upload queue.
    pub fn settle_outbox(
        &mut self,
        settlements: &[Settlement],
        now: EpochMillis,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut ack = tx.prepare(
                "UPDATE outbox SET acked_at = ?2 WHERE device_seq = ?1 AND acked_at IS NULL",
            )?;
            let mut queue_photo = tx.prepare(
                "INSERT INTO photo_uploads (sha256, state, queued_at, updated_at)
                 SELECT entity_id, 'pending', ?2, ?2 FROM outbox
                 WHERE device_seq = ?1 AND entity_kind = 'photo'
                 ON CONFLICT(sha256) DO NOTHING",
            )?;
            let mut attention = tx.prepare(
                "INSERT INTO needs_attention (subject, device_seq, entity_kind, entity_id,
                                              what, code, reason, created_at)
                 SELECT 'change', device_seq, entity_kind, entity_id, ?2, ?3, ?4, ?5
                 FROM outbox WHERE device_seq = ?1
                 ON CONFLICT DO NOTHING",
            )?;
            for settlement in settlements {
                match settlement {
                    Settlement::Accepted { device_seq } => {
                        ack.execute(params![*device_seq as i64, now])?;
                        queue_photo.execute(params![*device_seq as i64, now])?;
                    }
                    Settlement::Rejected {
                        device_seq,
                        what,
                        code,
                        reason,
                    } => {
                        ack.execute(params![*device_seq as i64, now])?;
                        attention.execute(params![*device_seq as i64, what, code, reason, now])?;
                    }
                    Settlement::Superseded {
                        device_seq,
                        what,
                        reason,
                    } => {
                        ack.execute(params![*device_seq as i64, now])?;
                        attention.execute(params![
                            *device_seq as i64,
                            what,
                            "superseded",
                            reason,
                            now
                        ])?;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    // ------------------------------------------------------------ needs attention

    /// Open entries, oldest first.
    pub fn needs_attention(&self) -> Result<Vec<AttentionEntry>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, subject, device_seq, entity_kind, entity_id, what, code, reason,
                    created_at
             FROM needs_attention WHERE dismissed_at IS NULL ORDER BY created_at, id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(AttentionEntry {
                id: r.get(0)?,
                subject: AttentionSubject::parse(&r.get::<_, String>(1)?)?,
                device_seq: r.get::<_, Option<i64>>(2)?.map(|s| s as u64),
                entity_kind: r.get(3)?,
                entity_id: r.get(4)?,
                what: r.get(5)?,
                code: r.get(6)?,
                reason: r.get(7)?,
                created_at: r.get(8)?,
            });
        }
        Ok(out)
    }

    /// The newest entry's id (0 when there is none), to tell a run's new entries apart.
    pub fn last_needs_attention_id(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(id), 0) FROM needs_attention",
            [],
            |r| r.get(0),
        )?)
    }

    /// Adds an entry unless one for the same change or photo exists already.
    pub fn add_needs_attention(
        &mut self,
        entry: &NewAttention,
        now: EpochMillis,
    ) -> Result<(), StoreError> {
        insert_attention(&self.conn, entry, now)
    }

    /// The person has dealt with it: it leaves the list (the row stays, dismissed).
    pub fn dismiss_needs_attention(&mut self, id: i64, now: EpochMillis) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE needs_attention SET dismissed_at = ?2
             WHERE id = ?1 AND dismissed_at IS NULL",
            params![id, now],
        )?;
        if n == 0 {
            return Err(StoreError::not_found("mục cần xử lý", id.to_string()));
        }
        Ok(())
    }

    // ------------------------------------------------------------ photo uploads

    /// Photos waiting to be uploaded, in the order their records were accepted.
    pub fn pending_photo_uploads(&self) -> Result<Vec<PhotoUpload>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT sha256, upload_url, offset, attempts, last_error FROM photo_uploads
             WHERE state = 'pending' ORDER BY queued_at, sha256",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(PhotoUpload {
                sha256: r.get(0)?,
                upload_url: r.get(1)?,
                offset: r.get::<_, i64>(2)? as u64,
                attempts: r.get(3)?,
                last_error: r.get(4)?,
            });
        }
        Ok(out)
    }

    /// Photos still to upload: those queued, and those whose attaching change has not
    /// been pushed yet (they will be queued once the server accepts it).
    pub fn pending_photo_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM (
                 SELECT sha256 FROM photo_uploads WHERE state = 'pending'
                 UNION
                 SELECT entity_id FROM outbox WHERE entity_kind = 'photo' AND acked_at IS NULL
                   AND entity_id NOT IN (SELECT sha256 FROM photo_uploads))",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Remembers the upload's URL (or forgets it, to create a new upload) and the
    /// server's offset, so an app restart resumes it.
    pub fn set_photo_upload(
        &mut self,
        sha256: &str,
        upload_url: Option<&str>,
        offset: u64,
        now: EpochMillis,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE photo_uploads SET upload_url = ?2, offset = ?3, updated_at = ?4
             WHERE sha256 = ?1",
            params![sha256, upload_url, offset as i64, now],
        )?;
        Ok(())
    }

    /// A failed try that may succeed later (the network): counted, the photo stays queued.
    pub fn note_photo_upload_error(
        &mut self,
        sha256: &str,
        error: &str,
        now: EpochMillis,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE photo_uploads SET attempts = attempts + 1, last_error = ?2, updated_at = ?3
             WHERE sha256 = ?1",
            params![sha256, error, now],
        )?;
        Ok(())
    }

    pub fn finish_photo_upload(
        &mut self,
        sha256: &str,
        now: EpochMillis,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE photo_uploads SET state = 'done', last_error = NULL, updated_at = ?2
             WHERE sha256 = ?1",
            params![sha256, now],
        )?;
        Ok(())
    }

    /// A photo that cannot be uploaded (missing or damaged file, refused by the
    /// server): it leaves the queue and goes on the needs-attention list, together.
    pub fn fail_photo_upload(
        &mut self,
        attention: &NewAttention,
        now: EpochMillis,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE photo_uploads SET state = 'failed', attempts = attempts + 1,
                 last_error = ?2, updated_at = ?3
             WHERE sha256 = ?1",
            params![attention.entity_id, attention.reason, now],
        )?;
        insert_attention(&tx, attention, now)?;
        tx.commit()?;
        Ok(())
    }
}

fn insert_attention(
    conn: &rusqlite::Connection,
    entry: &NewAttention,
    now: EpochMillis,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO needs_attention (subject, device_seq, entity_kind, entity_id, what, code,
                                      reason, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT DO NOTHING",
        params![
            entry.subject.as_str(),
            entry.device_seq.map(|s| s as i64),
            entry.entity_kind,
            entry.entity_id,
            entry.what,
            entry.code,
            entry.reason,
            now
        ],
    )?;
    Ok(())
}

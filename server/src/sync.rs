//! `POST SYNC_PATH`: push, acknowledgements and pull in one round trip.
//!
//! Push: entries in `device_seq` order, the whole batch in one transaction. A resend is
//! acknowledged again with the stored outcome when it is the same change; a different
//! change under a number already settled is a conflict (409), never "applied". A gap is
//! refused (409, nothing stored). Every entry is checked at the edge first
//! (`chibo_domain::edge`); an entry refused there, by scope or by a rule is acknowledged
//! `Rejected` alone and the queue goes on. Each accepted change goes into its scopes' logs
//! with the next server sequence numbers (a member moved between cells into both).
//! Editable fields are last-writer-wins by HLC, field by field; an HLC too far ahead of
//! the server is clamped. A device clock too far off either way is flagged.
//!
//! Check-ins are judged by the server with what only it knows (the presence secret, the
//! cadre's enrolled keys, the photos it received and every use of them, the cadre's other
//! check-ins, when the check-in really happened by the device's boot clock). Its verdict
//! is logged, never the device's, with the check-in as readers receive it: without the
//! code, the fix, the photo or the signature. A presence secret is stored apart and never
//! logged.
//!
//! Pull: a page of every scope the device may read now, cells before the commune, after
//! its cursors, without its own changes (the cursor still moves past them). A cursor for a
//! scope it no longer reads is ignored; the answer lists what it reads.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use chibo_domain::change::{Change, MeetingField, Settled};
use chibo_domain::checkin::{
    self, CheckInSettings, Evidence, ServerReceipt, Verdict, VerdictInput,
    MAX_CHECK_INS_PER_MEETING,
};
use chibo_domain::compliance;
use chibo_domain::edge;
use chibo_domain::hlc::Hlc;
use chibo_domain::ledger::{self, Effect, Refusal};
use chibo_domain::model::Id;
use chibo_domain::sync::{
    clock_warning, Ack, AckOutcome, ClockWarning, PulledChange, PushedChange, Scope, ScopePage,
    SyncRequest, SyncResponse, MAX_CLOCK_AHEAD_MS,
};
use chibo_domain::time::{local_date, EpochMillis};

use crate::auth::{self, Actor};
use crate::docs::{ClockNote, CommuneDocs, StoredCheckIn};
use crate::error::ApiError;
use crate::scope::{self, Denial, Target};
use crate::storage::{LogRow, StorageError, StorageResult, Tx};
use crate::AppState;

/// The node name of the HLCs the server stamps on its own changes.
pub const SERVER_NODE: &str = "server";

/// Handles one sync request for the holder of `credential` (blocking: run it in
/// `spawn_blocking`).
pub fn sync(
    state: &AppState,
    credential: &str,
    request: &SyncRequest,
) -> Result<SyncResponse, ApiError> {
    crate::check_protocol(request.protocol)?;
    if request.push.iter().any(|p| p.device_seq == 0) {
        return Err(ApiError::BadRequest(
            "Số thứ tự thay đổi bắt đầu từ 1".into(),
        ));
    }
    // Who is asking, before the writer's lock is taken: a wrong credential costs a read.
    crate::in_read(&*state.storage, |tx| auth::authenticate(tx, credential))?;
    let now = state.clock.now();
    let settings = state.config.check_in_settings();
    let (actor, pushed) = push(state, credential, request, now, &settings)?;
    let limit = request
        .pull_limit
        .unwrap_or(state.config.max_pull)
        .clamp(1, state.config.max_pull);
    let (pulled, more, readable) = crate::in_read(&*state.storage, |tx| {
        pull(tx, &actor, request, limit, now).map(Ok)
    })?;
    record_delivered(state, &actor, &pulled)?;
    Ok(SyncResponse {
        server_time: now,
        acks: pushed.acks,
        last_applied_seq: pushed.last_applied_seq,
        clock_warning: pushed.clock_warning,
        pulled,
        more,
        readable,
    })
}

/// Records how far each page sent takes the device in its scope, so the office sees
/// which cells received guidance without waiting for the device's next sync.
fn record_delivered(state: &AppState, actor: &Actor, pages: &[ScopePage]) -> Result<(), ApiError> {
    if pages.is_empty() {
        return Ok(());
    }
    crate::in_write(&*state.storage, |tx| {
        for page in pages {
            tx.set_device_cursor(
                &actor.device.id,
                actor.commune_id(),
                &page.scope.to_string(),
                page.cursor,
            )?;
        }
        Ok(Ok(()))
    })
}

struct Pushed {
    acks: Vec<Ack>,
    last_applied_seq: u64,
    clock_warning: Option<ClockWarning>,
}

/// An acknowledgement as stored: the outcome, and a hash of the change it settled so a
/// resend can be told from a different change under the same number.
#[derive(Serialize, Deserialize)]
struct StoredAck {
    #[serde(flatten)]
    outcome: AckOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    change_sha256: Option<String>,
}

/// What identifies a pushed entry's content: its clock, claimed time and change (not its
/// `elapsed_ms`, which grows on every resend).
fn entry_hash(entry: &PushedChange) -> String {
    let content =
        serde_json::to_string(&(&entry.hlc, entry.created_at, &entry.change)).unwrap_or_default();
    hex::encode(Sha256::digest(content.as_bytes()))
}

/// How long one transaction of a push may hold the writer before it commits and lets
/// another device's push in, and how many entries it takes at most. A long push (a
/// meeting with 400 speeches) goes in several transactions; each entry is settled
/// exactly once whatever happens between them (its acknowledgement is stored with it).
const CHUNK_TIME: Duration = Duration::from_millis(150);
const CHUNK_ENTRIES: usize = 250;

/// What one push needs as it goes through its entries.
struct PushContext<'a> {
    actor: &'a Actor,
    now: EpochMillis,
    receipt: ServerReceipt,
    settings: &'a CheckInSettings,
    /// The last clamped HLC, so clamped changes of one batch keep their order.
    last_clamped: Option<Hlc>,
    /// How far ahead of the server an HLC of the batch was, when too far.
    hlc_ahead_ms: Option<i64>,
}

/// What a push has settled so far: carried from one transaction to the next.
#[derive(Clone, Default)]
struct Progress {
    acks: Vec<Ack>,
    /// Entries of the request done.
    done: usize,
    last_clamped: Option<Hlc>,
    hlc_ahead_ms: Option<i64>,
}

/// Settles the request's entries, in as many transactions as keep each one short, then
/// records the device's sync. Returns who pushed and what was settled.
fn push(
    state: &AppState,
    credential: &str,
    request: &SyncRequest,
    now: EpochMillis,
    settings: &CheckInSettings,
) -> Result<(Actor, Pushed), ApiError> {
    let mut progress = Progress::default();
    loop {
        let step = crate::in_write(&*state.storage, |tx| {
            // In every transaction: a device revoked meanwhile pushes nothing more.
            let actor = match auth::authenticate(tx, credential)? {
                Ok(actor) => actor,
                Err(e) => return Ok(Err(e)),
            };
            let mut next = progress.clone();
            let settled = push_chunk(tx, &actor, request, now, settings, &mut next)?;
            Ok(settled.map(|last| (actor, next, last)))
        })?;
        let (actor, next, last) = step;
        progress = next;
        if progress.done >= request.push.len() {
            let receipt = ServerReceipt {
                received_at: now,
                device_clock_at_send: request.device_clock_at_send,
            };
            let clock_warning = clock_warning(receipt.offset_ms()).or_else(|| {
                progress
                    .hlc_ahead_ms
                    .and_then(|ahead| clock_warning(-ahead))
            });
            crate::in_write(&*state.storage, |tx| {
                finish_push(tx, &actor, request, now, last, clock_warning.as_ref()).map(Ok)
            })?;
            return Ok((
                actor,
                Pushed {
                    acks: progress.acks,
                    last_applied_seq: last,
                    clock_warning,
                },
            ));
        }
    }
}

/// Settles entries from `progress.done` on, in one transaction, for at most
/// [`CHUNK_TIME`] or [`CHUNK_ENTRIES`]; returns the device's last settled number.
fn push_chunk(
    tx: &mut dyn Tx,
    actor: &Actor,
    request: &SyncRequest,
    now: EpochMillis,
    settings: &CheckInSettings,
    progress: &mut Progress,
) -> StorageResult<Result<u64, ApiError>> {
    let started = Instant::now();
    let docs = CommuneDocs::buffered(tx, actor.commune_id());
    let mut last = actor.device.last_applied_seq;
    if progress.done == 0 {
        let expected = last + 1;
        let in_order = request
            .push
            .first()
            .is_none_or(|p| p.device_seq <= expected)
            && request
                .push
                .windows(2)
                .all(|w| w[1].device_seq == w[0].device_seq + 1);
        if !in_order {
            docs.finish()?;
            return Ok(Err(ApiError::SequenceGap { expected }));
        }
    }
    let mut ctx = PushContext {
        actor,
        now,
        receipt: ServerReceipt {
            received_at: now,
            device_clock_at_send: request.device_clock_at_send,
        },
        settings,
        last_clamped: progress.last_clamped.clone(),
        hlc_ahead_ms: progress.hlc_ahead_ms,
    };
    let device_id = actor.device.id.clone();
    let entries = &request.push[progress.done..];
    // The clocks of every field the chunk may write, in one read.
    docs.prefetch_clocks(
        entries
            .iter()
            .take(CHUNK_ENTRIES)
            .flat_map(|e| e.change.lww_keys())
            .collect(),
    )?;
    for entry in entries {
        let hash = entry_hash(entry);
        let outcome = if entry.device_seq <= last {
            let stored = docs.with_tx(|tx| tx.ack(&device_id, entry.device_seq))?;
            let stored = stored.ok_or_else(|| {
                StorageError::Corrupt(format!(
                    "no acknowledgement stored for {device_id} #{}",
                    entry.device_seq
                ))
            })?;
            let stored: StoredAck = serde_json::from_str(&stored)
                .map_err(|e| StorageError::Corrupt(format!("stored acknowledgement: {e}")))?;
            // A different change under a settled number: the device lost what it had
            // sent (a power cut) and numbered new changes again. Never "applied".
            if stored.change_sha256.as_ref().is_some_and(|h| *h != hash) {
                docs.finish()?;
                return Ok(Err(ApiError::SeqConflict { expected: last + 1 }));
            }
            stored.outcome
        } else {
            let outcome = apply_entry(&docs, &mut ctx, entry)?;
            let json = serde_json::to_string(&StoredAck {
                outcome: outcome.clone(),
                change_sha256: Some(hash),
            })
            .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            docs.insert_ack(&device_id, entry.device_seq, &json)?;
            last = entry.device_seq;
            outcome
        };
        progress.acks.push(Ack {
            device_seq: entry.device_seq,
            outcome,
        });
        progress.done += 1;
        let chunk = progress.done - (request.push.len() - entries.len());
        if chunk >= CHUNK_ENTRIES || started.elapsed() >= CHUNK_TIME {
            break;
        }
    }
    progress.last_clamped = ctx.last_clamped;
    progress.hlc_ahead_ms = ctx.hlc_ahead_ms;
    // The summaries of meetings these changes touched, in the same transaction.
    crate::meetings::refresh_stale(&docs)?;
    docs.finish()?;
    record_settled(tx, &device_id, last, now)?;
    Ok(Ok(last))
}

/// The device's settled number moves with each transaction, so a push cut off between
/// two is resumed, not repeated.
fn record_settled(
    tx: &mut dyn Tx,
    device_id: &str,
    last: u64,
    now: EpochMillis,
) -> StorageResult<()> {
    tx.update_device_sync(device_id, last, now)
}

/// After the push: what the device reports it has pulled (the office sees who received
/// what), its sync time, and its clock's flag.
fn finish_push(
    tx: &mut dyn Tx,
    actor: &Actor,
    request: &SyncRequest,
    now: EpochMillis,
    last: u64,
    clock_warning: Option<&ClockWarning>,
) -> StorageResult<()> {
    let device_id = actor.device.id.clone();
    let docs = CommuneDocs::new(tx, actor.commune_id());
    let readable = scope::readable_scopes(&docs, actor, local_date(now))?;
    docs.with_tx(|tx| {
        for cursor in request
            .cursors
            .iter()
            .filter(|c| readable.contains(&c.scope))
        {
            tx.set_device_cursor(
                &device_id,
                docs.commune_id(),
                &cursor.scope.to_string(),
                cursor.after,
            )?;
        }
        tx.update_device_sync(&device_id, last, now)?;
        match clock_warning {
            Some(w) => tx.flag_device_clock(&device_id, w.ahead_ms, now),
            None => Ok(()),
        }
    })
}

fn rejected(denial: Denial) -> AckOutcome {
    AckOutcome::Rejected {
        code: denial.code().to_string(),
        reason: denial.reason(),
    }
}

fn refused(refusal: Refusal) -> StorageResult<AckOutcome> {
    match refusal {
        Refusal::Lookup(e) => Err(StorageError::Unavailable(e.0)),
        refusal => Ok(AckOutcome::Rejected {
            code: refusal.code().to_string(),
            reason: refusal.to_string(),
        }),
    }
}

/// Settles one new entry; storage failures abort the whole push.
fn apply_entry(
    docs: &CommuneDocs,
    ctx: &mut PushContext<'_>,
    entry: &PushedChange,
) -> StorageResult<AckOutcome> {
    // The edge: a clock, time or text that cannot be stored and read back is refused
    // here, alone, before any log another device reads.
    if let Err(e) = edge::check_pushed(
        &entry.hlc,
        entry.created_at,
        entry.elapsed_ms,
        &entry.change,
    ) {
        return refused(e.into());
    }
    let ahead = entry.hlc.millis.saturating_sub(ctx.now);
    let hlc = if ahead > MAX_CLOCK_AHEAD_MS {
        ctx.hlc_ahead_ms = Some(ctx.hlc_ahead_ms.map_or(ahead, |a| a.max(ahead)));
        let clamped = entry.hlc.clamped_to(ctx.now, ctx.last_clamped.as_ref());
        ctx.last_clamped = Some(clamped.clone());
        clamped
    } else {
        entry.hlc.clone()
    };
    let target = match scope::target(docs, &entry.change)? {
        Ok(t) => t,
        Err(denial) => return Ok(rejected(denial)),
    };
    if let Err(denial) = scope::may_write(docs, ctx.actor, &entry.change, &target, ctx.now)? {
        return Ok(rejected(denial));
    }
    // Last writer wins, field by field: what another device wrote later is kept.
    let settled = entry
        .change
        .settle_lww(&hlc, |key| entity_clock(docs, key))?;
    let (change, lost) = match settled {
        Settled::Write { change, lost } => (change, lost),
        // This very write is here already (sent again under a new number).
        Settled::AlreadyThere => return Ok(AckOutcome::Applied),
        // Every field it writes was written later by someone else: the device is told.
        Settled::Lost { .. } => return Ok(AckOutcome::Superseded),
    };
    let origin = Origin::Device {
        device_id: ctx.actor.device.id.clone(),
        device_seq: entry.device_seq,
        created_at: entry.created_at,
    };
    if let Change::RecordCheckIn { .. } = &change {
        return record_check_in(docs, ctx, entry, &target, &change, &origin, &hlc);
    }
    let effect = match ledger::decide(docs, &change) {
        Ok(effect) => effect,
        // The same change again (e.g. from another device of the same person).
        Err(Refusal::AlreadyApplied { .. }) => return Ok(AckOutcome::Applied),
        Err(refusal) => return refused(refusal),
    };
    match &effect {
        Effect::PresenceSecret { meeting_id, .. } => {
            // Stored apart; never logged, never sent to any device.
            docs.write_effect(&effect, ctx.now)?;
            rejudge_meeting(docs, ctx.settings, meeting_id, ctx.now)?;
        }
        _ => {
            docs.write_effect(&effect, ctx.now)?;
            for scope in target.log_scopes() {
                append(docs, &scope, &change, &origin, &hlc, ctx.now)?;
            }
            if let Some(meeting_id) = header_written(&change) {
                note_clock(docs, ctx, entry, meeting_id)?;
                if times_written(&change) {
                    rejudge_meeting(docs, ctx.settings, meeting_id, ctx.now)?;
                }
            }
        }
    }
    set_entity_clocks(docs, &change, &hlc)?;
    Ok(if lost.is_empty() {
        AckOutcome::Applied
    } else {
        AckOutcome::PartlyApplied { lost }
    })
}

fn entity_clock(docs: &CommuneDocs, key: &str) -> StorageResult<Option<Hlc>> {
    Ok(docs.entity_clock(key)?.and_then(|s| Hlc::parse(&s)))
}

fn set_entity_clocks(docs: &CommuneDocs, change: &Change, hlc: &Hlc) -> StorageResult<()> {
    let text = hlc.to_string();
    for key in change.lww_keys() {
        docs.set_entity_clock(&key, &text)?;
    }
    Ok(())
}

/// The meeting whose header (times, people...) a change writes.
fn header_written(change: &Change) -> Option<&str> {
    match change {
        Change::PlanMeeting { meeting } | Change::UpdateMeeting { meeting, .. } => {
            Some(&meeting.id)
        }
        Change::StartCorrection { revision_id, .. } => Some(revision_id),
        _ => None,
    }
}

/// Whether a change moves a meeting's times (its check-ins' window with them).
fn times_written(change: &Change) -> bool {
    match change {
        Change::UpdateMeeting { fields, .. } => {
            MeetingField::named_or_all(fields).iter().any(|f| {
                matches!(
                    f,
                    MeetingField::PlannedStart
                        | MeetingField::ActualStart
                        | MeetingField::ActualEnd
                )
            })
        }
        _ => false,
    }
}

/// Notes, beside the meeting, how far off the clock of the device writing its header was
/// (or forgets an old note once a device with a sane clock writes it).
fn note_clock(
    docs: &CommuneDocs,
    ctx: &PushContext<'_>,
    entry: &PushedChange,
    meeting_id: &str,
) -> StorageResult<()> {
    let offset = ctx
        .receipt
        .clock_error_at(entry.created_at, entry.elapsed_ms);
    let note = clock_warning(offset).map(|_| ClockNote {
        offset_ms: offset,
        device_id: ctx.actor.device.id.clone(),
        noted_at: ctx.now,
    });
    docs.set_clock_note(meeting_id, note.as_ref())
}

/// A check-in: only from the device whose key signed it, a few per meeting at most,
/// judged by the server and logged without its proof.
fn record_check_in(
    docs: &CommuneDocs,
    ctx: &PushContext<'_>,
    entry: &PushedChange,
    target: &Target,
    change: &Change,
    origin: &Origin,
    hlc: &Hlc,
) -> StorageResult<AckOutcome> {
    let Change::RecordCheckIn { check_in: c, .. } = change else {
        unreachable!("called for check-ins only");
    };
    if !c
        .public_key_hex
        .trim()
        .eq_ignore_ascii_case(ctx.actor.device.public_key_hex.trim())
    {
        return Ok(AckOutcome::Rejected {
            code: "replay".into(),
            reason: "Lượt điểm danh phải do chính thiết bị đã ký gửi lên; bản sao từ thiết bị \
                     khác không được nhận"
                .into(),
        });
    }
    match ledger::decide(docs, change) {
        Ok(_) => {}
        Err(Refusal::AlreadyApplied { .. }) => {
            return Ok(AckOutcome::Rejected {
                code: "already_applied".into(),
                reason: "Lượt điểm danh này đã được ghi nhận trước đó; gửi lại không tính \
                         thêm lần nào"
                    .into(),
            })
        }
        Err(refusal) => return refused(refusal),
    }
    let attempts = docs.check_in_attempts(&c.cadre_id, &c.meeting_id)?;
    if attempts >= MAX_CHECK_INS_PER_MEETING {
        return Ok(AckOutcome::Rejected {
            code: "too_many_attempts".into(),
            reason: format!(
                "Đồng chí đã gửi {attempts} lượt điểm danh cho buổi họp này; máy chủ không \
                 nhận thêm. Nếu đồng chí có dự họp, hãy báo văn phòng Đảng ủy xã"
            ),
        });
    }
    let mut stored = StoredCheckIn {
        check_in: c.clone(),
        verdict: Verdict {
            status: checkin::VerdictStatus::Provisional,
            reasons: Vec::new(),
            unchecked: Vec::new(),
            effective_time: c.corrected_time(),
            review: None,
        },
        receipt: Some(ctx.receipt),
        true_time: ctx.receipt.true_time(entry.elapsed_ms),
    };
    stored.verdict = judge(docs, &stored, ctx.settings)?;
    let delegate = ledger::delegate_after(docs, c, &stored.verdict).map_err(lookup_failed)?;
    docs.write_check_in(&stored, delegate.as_ref())?;
    // Readers get who, when and the verdict; the proof stays here.
    let logged = Change::RecordCheckIn {
        check_in: c.for_readers(&stored.verdict),
        verdict: stored.verdict.clone(),
    };
    append(docs, &target.scope, &logged, origin, hlc, ctx.now)?;
    // The device that sent it does not pull its own entry: it learns the verdict here.
    log_verdict(docs, &stored, ctx.now)?;
    Ok(AckOutcome::Applied)
}

fn lookup_failed(refusal: Refusal) -> StorageError {
    StorageError::Unavailable(refusal.to_string())
}

enum Origin {
    Device {
        device_id: Id,
        device_seq: u64,
        created_at: EpochMillis,
    },
    Server,
}

fn append(
    docs: &CommuneDocs,
    scope: &Scope,
    change: &Change,
    origin: &Origin,
    hlc: &Hlc,
    now: EpochMillis,
) -> StorageResult<()> {
    let scope_text = scope.to_string();
    let change_json =
        serde_json::to_string(change).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let (origin_device, device_seq, created_at) = match origin {
        Origin::Device {
            device_id,
            device_seq,
            created_at,
        } => (Some(device_id.clone()), Some(*device_seq), *created_at),
        Origin::Server => (None, None, now),
    };
    docs.append_log(LogRow {
        scope: scope_text,
        server_seq: 0,
        commune_id: docs.commune_id().to_string(),
        origin_device,
        device_seq,
        hlc: hlc.to_string(),
        created_at,
        received_at: now,
        change_json,
    })
}

/// Who authored a change the server logs on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Author {
    /// The server's own judgement (a check-in verdict).
    Server,
    /// An office user of the dashboard, by id.
    Office { user_id: String },
}

/// Logs a change the server authors outside a device's push (its own verdicts, the
/// office's actions from the dashboard): the caller has judged it with `ledger::decide`
/// and written its effect. Its HLC is the server's, after any clock already recorded for
/// the same field, so it wins over the edit it answers.
pub fn author_change(
    docs: &CommuneDocs,
    scope: &Scope,
    change: &Change,
    now: EpochMillis,
    author: &Author,
) -> StorageResult<()> {
    let mut stored: Option<Hlc> = None;
    for key in change.lww_keys() {
        stored = stored.max(entity_clock(docs, &key)?);
    }
    let hlc = Hlc::after(SERVER_NODE, now, stored.as_ref());
    if let Author::Office { user_id } = author {
        let (kind, id) = change.entity();
        tracing::info!(%user_id, kind, id, %scope, "office action logged");
    }
    append(docs, scope, change, &Origin::Server, &hlc, now)?;
    set_entity_clocks(docs, change, &hlc)
}

/// Logs the server's verdict on a check-in for every reader of its cell.
fn log_verdict(docs: &CommuneDocs, stored: &StoredCheckIn, now: EpochMillis) -> StorageResult<()> {
    let change = Change::SetCheckInVerdict {
        check_in_id: stored.check_in.id.clone(),
        verdict: stored.verdict.clone(),
    };
    author_change(
        docs,
        &Scope::Cell(stored.check_in.cell_id.clone()),
        &change,
        now,
        &Author::Server,
    )
}

/// The server's verdict on a check-in: the domain's rule, with what only the server
/// knows (the meeting as recorded, its presence secret, the keys enrolled for the cadre,
/// every use of the photo and whether its bytes arrived, the cadre's other check-ins, and
/// when the check-in arrived and really happened).
pub fn judge(
    docs: &CommuneDocs,
    stored: &StoredCheckIn,
    settings: &CheckInSettings,
) -> StorageResult<Verdict> {
    let c = &stored.check_in;
    let assignments = docs.assignments()?;
    let when = stored.true_time.unwrap_or_else(|| c.corrected_time());
    let cadre_assigned =
        compliance::is_assigned(&assignments, &c.cadre_id, &c.cell_id, local_date(when));
    let place = docs.cell(&c.cell_id)?.and_then(|cell| cell.meeting_place);
    let enrolled_keys = docs.with_tx(|tx| tx.cadre_device_keys(docs.commune_id(), &c.cadre_id))?;
    let (earlier_photos, photo_received) = match &c.photo_sha256 {
        Some(hash) if checkin::is_sha256_hex(hash) => {
            (docs.photo_uses(hash)?, Some(docs.blob_received(hash)?))
        }
        _ => (Vec::new(), None),
    };
    let other_fixes = docs.cadre_fixes_near(&c.cadre_id, when)?;
    let evidence = Evidence {
        photo_received,
        true_time: stored.true_time,
        other_fixes: &other_fixes,
    };
    Ok(match docs.record_of(&c.meeting_id)? {
        Some(record) => {
            let secret = docs.presence_secret(&c.meeting_id)?;
            checkin::judge_check_in(&VerdictInput {
                check_in: c,
                meeting: &record.meeting,
                meeting_place: place.as_ref(),
                cadre_assigned,
                presence_secret: secret.as_deref(),
                enrolled_keys: &enrolled_keys,
                earlier_photos: &earlier_photos,
                receipt: stored.receipt,
                settings,
                evidence,
            })
        }
        None => checkin::judge_check_in_without_meeting(
            c,
            place.as_ref(),
            cadre_assigned,
            &enrolled_keys,
            &earlier_photos,
            settings,
            evidence,
        ),
    })
}

/// Judges a stored check-in again (something it depends on arrived or changed) and, if
/// the verdict changed, writes it, moves the meeting's delegates with it and tells every
/// reader of the cell. The office's review is final.
fn rejudge(
    docs: &CommuneDocs,
    settings: &CheckInSettings,
    stored: &StoredCheckIn,
    now: EpochMillis,
) -> StorageResult<()> {
    if stored.verdict.review.is_some() {
        return Ok(());
    }
    let verdict = judge(docs, stored, settings)?;
    if verdict == stored.verdict {
        return Ok(());
    }
    let stored = StoredCheckIn {
        verdict,
        ..stored.clone()
    };
    let delegate =
        ledger::delegate_after(docs, &stored.check_in, &stored.verdict).map_err(lookup_failed)?;
    docs.write_check_in(&stored, delegate.as_ref())?;
    log_verdict(docs, &stored, now)
}

/// The presence secret of a meeting arrived, or its times changed: judge its check-ins
/// again.
fn rejudge_meeting(
    docs: &CommuneDocs,
    settings: &CheckInSettings,
    meeting_id: &str,
    now: EpochMillis,
) -> StorageResult<()> {
    for stored in docs.check_ins_of_meeting(meeting_id)? {
        rejudge(docs, settings, &stored, now)?;
    }
    Ok(())
}

/// The verified bytes of `sha256` reached the server (an upload of `device_id`'s): the
/// check-ins that waited for their photo are judged again.
pub fn photo_received(state: &AppState, device_id: &str, sha256: &str) -> Result<(), ApiError> {
    let now = state.clock.now();
    let settings = state.config.check_in_settings();
    crate::in_write(&*state.storage, |tx| {
        let Some(device) = tx.device(device_id)? else {
            return Ok(Ok(()));
        };
        let docs = CommuneDocs::buffered(tx, &device.commune_id);
        docs.note_blob_received(sha256, now)?;
        for stored in docs.check_ins_with_photo(sha256)? {
            rejudge(&docs, &settings, &stored, now)?;
        }
        docs.finish()?;
        Ok(Ok(()))
    })
}

fn pull(
    tx: &mut dyn Tx,
    actor: &Actor,
    request: &SyncRequest,
    limit: u32,
    now: EpochMillis,
) -> StorageResult<(Vec<ScopePage>, bool, Vec<Scope>)> {
    let docs = CommuneDocs::new(tx, actor.commune_id());
    let scopes = scope::readable_scopes(&docs, actor, local_date(now))?;
    let readable_cells: Vec<Id> = scopes
        .iter()
        .filter_map(|s| match s {
            Scope::Cell(id) => Some(id.clone()),
            Scope::Commune(_) => None,
        })
        .collect();
    let mut budget = limit;
    let mut more = false;
    let mut pages = Vec::new();
    for scope in &scopes {
        if budget == 0 {
            more = true;
            break;
        }
        let after = request
            .cursors
            .iter()
            .find(|c| &c.scope == scope)
            .map_or(0, |c| c.after);
        let scope_text = scope.to_string();
        let rows = docs.with_tx(|tx| tx.log_page(docs.commune_id(), &scope_text, after, budget))?;
        if rows.is_empty() {
            continue;
        }
        let read = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        if read >= budget {
            more = true;
        }
        budget = budget.saturating_sub(read);
        let cursor = rows.last().map_or(after, |r| r.server_seq);
        let mut changes = Vec::with_capacity(rows.len());
        for row in rows {
            if row.origin_device.as_deref() == Some(actor.device.id.as_str()) {
                continue;
            }
            // A row this server cannot read back is its own trouble: skipped and logged,
            // never a reason to fail the sync of every reader of the scope.
            let (Ok(change), Some(hlc)) = (
                serde_json::from_str::<Change>(&row.change_json),
                Hlc::parse(&row.hlc),
            ) else {
                tracing::error!(scope = %row.scope, seq = row.server_seq, "unreadable log entry skipped");
                continue;
            };
            if !scope::delivers(actor, &change, &readable_cells) {
                continue;
            }
            changes.push(PulledChange {
                server_seq: row.server_seq,
                hlc,
                change,
            });
        }
        pages.push(ScopePage {
            scope: scope.clone(),
            changes,
            cursor,
        });
    }
    Ok((pages, more, scopes))
}

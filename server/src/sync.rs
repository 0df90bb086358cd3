//! `POST SYNC_PATH`: push, acknowledgements and pull in one round trip.
//!
//! Push: entries in `device_seq` order, in as few short transactions as keep the writer
//! fair. A resend is acknowledged again with the stored outcome when it is the same
//! change; a different change under a number already settled is a conflict (409), never
//! "applied". A gap is refused (409, nothing stored). Each new entry goes through the
//! server's one write path ([`crate::ledger::apply_pushed`]: the edge, scope, last
//! writer wins, the rules, effects, logs, check-in verdicts); an entry refused there is
//! acknowledged `Rejected` alone and the queue goes on. A device clock too far off
//! either way is flagged.
//!
//! Pull: a page of every scope the device may read now, cells before the commune, after
//! its cursors, without its own changes (the cursor still moves past them). A cursor for a
//! scope it no longer reads is ignored; the answer lists what it reads.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use chibo_domain::change::Change;
use chibo_domain::checkin::{CheckInSettings, ServerReceipt};
use chibo_domain::hlc::Hlc;
use chibo_domain::model::Id;
use chibo_domain::sync::{
    clock_warning, Ack, AckOutcome, ClockWarning, PulledChange, ReceivedChange, Role, Scope,
    ScopePage, SyncRequest, SyncResponse,
};
use chibo_domain::time::{local_date, EpochMillis};

use crate::access;
use crate::accounts::devices::{self, Actor};
use crate::docs::CommuneDocs;
use crate::error::ApiError;
use crate::ledger::{self, PushContext};
use crate::storage::{StorageError, StorageResult, Tx, Writers};
use crate::AppState;

/// Handles one sync request for the holder of `credential` (blocking: run it in
/// `spawn_blocking`).
pub fn sync(
    state: &AppState,
    credential: &str,
    request: &SyncRequest<ReceivedChange>,
) -> Result<SyncResponse, ApiError> {
    crate::check_protocol(request.protocol)?;
    if request.push.iter().any(|p| p.device_seq() == 0) {
        return Err(ApiError::BadRequest(
            "Số thứ tự thay đổi bắt đầu từ 1".into(),
        ));
    }
    // Who is asking, before the writer's lock is taken: a wrong credential costs a read.
    let asking = crate::in_read(&*state.storage, |tx| devices::authenticate(tx, credential))?;
    let now = state.clock.now();
    let settings = state.config.check_in_settings();
    let (actor, pushed) = push(state, credential, &asking, request, now, &settings)?;
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
    // A page that carried nothing for the device (its own changes, skipped) delivered
    // nothing: no write.
    let delivering: Vec<&ScopePage> = pages.iter().filter(|p| !p.changes.is_empty()).collect();
    if delivering.is_empty() {
        return Ok(());
    }
    crate::in_queued_write(&*state.storage, writers_of(actor), |tx| {
        for page in &delivering {
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
fn entry_hash(entry: &ReceivedChange) -> String {
    let content = match entry {
        ReceivedChange::Readable(e) => serde_json::to_string(&(&e.hlc, e.created_at, &e.change)),
        ReceivedChange::Unreadable(e) => serde_json::to_string(&(&e.hlc, e.created_at, &e.change)),
    }
    .unwrap_or_default();
    hex::encode(Sha256::digest(content.as_bytes()))
}

/// How long one transaction of a push may hold the writer before it commits and lets
/// another device's push in, and how many entries it takes at most. A long push (a
/// meeting with 400 speeches) goes in several transactions; each entry is settled
/// exactly once whatever happens between them (its acknowledgement is stored with it).
const CHUNK_TIME: Duration = Duration::from_millis(150);
const CHUNK_ENTRIES: usize = 250;

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
    asking: &Actor,
    request: &SyncRequest<ReceivedChange>,
    now: EpochMillis,
    settings: &CheckInSettings,
) -> Result<(Actor, Pushed), ApiError> {
    let commune_id = asking.commune_id();
    let mut progress = Progress::default();
    let mut role = asking.role.clone();
    loop {
        let writers = writers_for(commune_id, &role);
        let step = crate::in_queued_write(&*state.storage, writers, |tx| {
            // In every transaction: a device revoked meanwhile pushes nothing more.
            let actor = match devices::authenticate(tx, credential)? {
                Ok(actor) => actor,
                Err(e) => return Ok(Err(e)),
            };
            // Its role changed since the locks were chosen: choose them again.
            if writers_of(&actor) != writers {
                return Ok(Ok(Step::Relock(actor.role)));
            }
            let mut next = progress.clone();
            let last = match push_chunk(tx, &actor, request, now, settings, &mut next)? {
                Ok(last) => last,
                Err(e) => return Ok(Err(e)),
            };
            // The last transaction of the push also records the device's sync.
            if next.done >= request.push.len() {
                let warning = push_clock_warning(request, now, &next);
                finish_push(tx, &actor, request, now, last, warning.as_ref())?;
            }
            Ok(Ok(Step::Settled(Box::new(actor), next, last)))
        })?;
        let (actor, next, last) = match step {
            Step::Relock(new_role) => {
                role = new_role;
                continue;
            }
            Step::Settled(actor, next, last) => (*actor, next, last),
        };
        progress = next;
        if progress.done >= request.push.len() {
            let clock_warning = push_clock_warning(request, now, &progress);
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

/// What one transaction of a push came to.
enum Step {
    Settled(Box<Actor>, Progress, u64),
    /// The device's role changed since the locks were chosen.
    Relock(Role),
}

/// Whom a device's writes queue behind: a secretary writes only its cell
/// (`access::may_write`), so its pushes go beside other cells'; the office and a cadre
/// (whose check-ins reach across cells) go alone in the commune.
fn writers_for<'a>(commune_id: &'a str, role: &'a Role) -> Writers<'a> {
    match role {
        Role::Secretary { cell_id } => Writers::Cell {
            commune_id,
            cell_id,
        },
        Role::Office | Role::Cadre { .. } => Writers::Commune(commune_id),
    }
}

fn writers_of(actor: &Actor) -> Writers<'_> {
    writers_for(actor.commune_id(), &actor.role)
}

/// The clock warning a finished push answers with: the device's clock at send, or the
/// furthest-ahead HLC of its changes.
fn push_clock_warning(
    request: &SyncRequest<ReceivedChange>,
    now: EpochMillis,
    progress: &Progress,
) -> Option<ClockWarning> {
    let receipt = ServerReceipt {
        received_at: now,
        device_clock_at_send: request.device_clock_at_send,
    };
    clock_warning(receipt.offset_ms()).or_else(|| {
        progress
            .hlc_ahead_ms
            .and_then(|ahead| clock_warning(-ahead))
    })
}

/// Settles entries from `progress.done` on, in one transaction, for at most
/// [`CHUNK_TIME`] or [`CHUNK_ENTRIES`]; returns the device's last settled number.
fn push_chunk(
    tx: &mut dyn Tx,
    actor: &Actor,
    request: &SyncRequest<ReceivedChange>,
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
            .is_none_or(|p| p.device_seq() <= expected)
            && request
                .push
                .windows(2)
                .all(|w| w[1].device_seq() == w[0].device_seq() + 1);
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
    // A secretary's changes name the cell's members: its roster in one read, not one
    // read per member.
    if let Role::Secretary { cell_id } = &actor.role {
        docs.roster_of(cell_id)?;
    }
    // The documents and the clocks of every field the chunk may write, in a few reads.
    let readable = || {
        entries
            .iter()
            .take(CHUNK_ENTRIES)
            .filter_map(|e| e.readable())
    };
    ledger::prefetch(&docs, readable().map(|e| &e.change))?;
    docs.prefetch_clocks(readable().flat_map(|e| e.change.lww_keys()).collect())?;
    for entry in entries {
        let hash = entry_hash(entry);
        let device_seq = entry.device_seq();
        let outcome = if device_seq <= last {
            let stored = docs.with_tx(|tx| tx.ack(&device_id, device_seq))?;
            let stored = stored.ok_or_else(|| {
                StorageError::Corrupt(format!(
                    "no acknowledgement stored for {device_id} #{device_seq}"
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
            let outcome = match entry {
                ReceivedChange::Readable(entry) => ledger::apply_pushed(&docs, &mut ctx, entry)?,
                // Refused alone: the rest of the push goes on.
                ReceivedChange::Unreadable(entry) => AckOutcome::Rejected {
                    code: "unreadable_change".into(),
                    reason: entry.reason.clone(),
                },
            };
            let json = serde_json::to_string(&StoredAck {
                outcome: outcome.clone(),
                change_sha256: Some(hash),
            })
            .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            docs.insert_ack(&device_id, device_seq, &json)?;
            last = device_seq;
            outcome
        };
        progress.acks.push(Ack {
            device_seq,
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
    ledger::refresh_summaries(&docs)?;
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
    request: &SyncRequest<ReceivedChange>,
    now: EpochMillis,
    last: u64,
    clock_warning: Option<&ClockWarning>,
) -> StorageResult<()> {
    let device_id = actor.device.id.clone();
    let docs = CommuneDocs::new(tx, actor.commune_id());
    let readable = access::readable_scopes(&docs, actor, local_date(now))?;
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

fn pull(
    tx: &mut dyn Tx,
    actor: &Actor,
    request: &SyncRequest<ReceivedChange>,
    limit: u32,
    now: EpochMillis,
) -> StorageResult<(Vec<ScopePage>, bool, Vec<Scope>)> {
    let docs = CommuneDocs::new(tx, actor.commune_id());
    let scopes = access::readable_scopes(&docs, actor, local_date(now))?;
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
        let rows = docs.with_tx(|tx| {
            tx.log_page_for(
                docs.commune_id(),
                &scope_text,
                after,
                budget,
                &actor.device.id,
            )
        })?;
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
            if !access::delivers(actor, &change, &readable_cells) {
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

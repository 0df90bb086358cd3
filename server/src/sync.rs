//! `POST SYNC_PATH`: push, acknowledgements and pull in one round trip.
//!
//! Push: entries in `device_seq` order, the whole batch in one transaction. A resend is
//! acknowledged again with the stored outcome; a gap is refused (409, nothing stored); a
//! change refused by scope or by a rule is acknowledged `Rejected` and the queue goes on.
//! Each accepted change goes into its scope's log with the next server sequence number.
//! Editable fields are last-writer-wins by HLC; an HLC too far ahead of the server is
//! clamped and the device flagged. Check-ins are judged again by the server, whose
//! verdict is logged (never the device's) together with a server-authored
//! `SetCheckInVerdict`. A presence secret is stored apart and never logged.
//!
//! Pull: a page of every scope the device may read, after its cursors, without its own
//! changes (the cursor still moves past them).

use chibo_domain::change::Change;
use chibo_domain::checkin::{self, CheckInSettings, ServerReceipt, Verdict, VerdictInput};
use chibo_domain::compliance;
use chibo_domain::hlc::Hlc;
use chibo_domain::ledger::{self, Effect, Refusal};
use chibo_domain::model::Id;
use chibo_domain::sync::{
    Ack, AckOutcome, ClockWarning, PulledChange, PushedChange, Scope, ScopePage, SyncRequest,
    SyncResponse, MAX_CLOCK_AHEAD_MS,
};
use chibo_domain::time::{local_date, EpochMillis};

use crate::auth::{self, Actor};
use crate::docs::{CommuneDocs, StoredCheckIn};
use crate::error::ApiError;
use crate::scope::{self, Denial};
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
    let now = state.clock.now();
    let settings = state.config.check_in_settings();
    let pushed = crate::in_write(&*state.storage, |tx| {
        let actor = match auth::authenticate(tx, credential)? {
            Ok(actor) => actor,
            Err(e) => return Ok(Err(e)),
        };
        push(tx, &actor, request, now, &settings).map(|r| r.map(|p| (actor.clone(), p)))
    })?;
    let (actor, pushed) = pushed;
    let limit = request
        .pull_limit
        .unwrap_or(state.config.max_pull)
        .clamp(1, state.config.max_pull);
    let (pulled, more) = crate::in_read(&*state.storage, |tx| {
        pull(tx, &actor, request, limit).map(Ok)
    })?;
    record_delivered(state, &actor, &pulled)?;
    Ok(SyncResponse {
        server_time: now,
        acks: pushed.acks,
        last_applied_seq: pushed.last_applied_seq,
        clock_warning: pushed.clock_warning,
        pulled,
        more,
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

/// What one push needs as it goes through its entries.
struct PushContext<'a> {
    actor: &'a Actor,
    now: EpochMillis,
    receipt: ServerReceipt,
    settings: &'a CheckInSettings,
    /// The last clamped HLC, so clamped changes of one batch keep their order.
    last_clamped: Option<Hlc>,
    /// The server's own HLCs in this request.
    server_counter: u32,
    /// How far ahead the device's clock was, when too far.
    ahead_ms: Option<i64>,
}

impl PushContext<'_> {
    fn note_ahead(&mut self, ahead: i64) {
        self.ahead_ms = Some(self.ahead_ms.map_or(ahead, |a| a.max(ahead)));
    }

    fn clamp(&mut self, hlc: &Hlc) -> Hlc {
        let clamped = match &self.last_clamped {
            Some(last) if last.millis >= self.now => Hlc {
                millis: last.millis,
                counter: last.counter.saturating_add(1),
                node: hlc.node.clone(),
            },
            _ => Hlc {
                millis: self.now,
                counter: 0,
                node: hlc.node.clone(),
            },
        };
        self.last_clamped = Some(clamped.clone());
        clamped
    }

    fn server_hlc(&mut self) -> Hlc {
        self.server_counter += 1;
        Hlc {
            millis: self.now,
            counter: self.server_counter,
            node: SERVER_NODE.to_string(),
        }
    }
}

fn push(
    tx: &mut dyn Tx,
    actor: &Actor,
    request: &SyncRequest,
    now: EpochMillis,
    settings: &CheckInSettings,
) -> StorageResult<Result<Pushed, ApiError>> {
    let docs = CommuneDocs::new(tx, actor.commune_id());
    // Cursors of scopes the device may not read: refused before anything is stored.
    let readable = scope::readable_scopes(&docs, actor)?;
    if request.cursors.iter().any(|c| !readable.contains(&c.scope)) {
        return Ok(Err(ApiError::forbidden()));
    }
    let mut last = actor.device.last_applied_seq;
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
        return Ok(Err(ApiError::SequenceGap { expected }));
    }
    let mut ctx = PushContext {
        actor,
        now,
        receipt: ServerReceipt {
            received_at: now,
            device_clock_at_send: request.device_clock_at_send,
        },
        settings,
        last_clamped: None,
        server_counter: 0,
        ahead_ms: None,
    };
    let device_ahead = request.device_clock_at_send.saturating_sub(now);
    if device_ahead > MAX_CLOCK_AHEAD_MS {
        ctx.note_ahead(device_ahead);
    }
    let mut acks = Vec::with_capacity(request.push.len());
    for entry in &request.push {
        let device_id = actor.device.id.clone();
        let outcome = if entry.device_seq <= last {
            let stored = docs.with_tx(|tx| tx.ack(&device_id, entry.device_seq))?;
            let stored = stored.ok_or_else(|| {
                StorageError::Corrupt(format!(
                    "no acknowledgement stored for {device_id} #{}",
                    entry.device_seq
                ))
            })?;
            serde_json::from_str(&stored)
                .map_err(|e| StorageError::Corrupt(format!("stored acknowledgement: {e}")))?
        } else {
            let outcome = apply_entry(&docs, &mut ctx, entry)?;
            let json = serde_json::to_string(&outcome)
                .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            docs.with_tx(|tx| tx.insert_ack(&device_id, entry.device_seq, &json))?;
            last = entry.device_seq;
            outcome
        };
        acks.push(Ack {
            device_seq: entry.device_seq,
            outcome,
        });
    }
    // The summaries of meetings these changes touched, in the same transaction.
    crate::meetings::refresh_stale(&docs)?;
    let clock_warning = ctx.ahead_ms.map(|ahead_ms| ClockWarning {
        ahead_ms,
        message: format!(
            "Đồng hồ của máy đang nhanh hơn máy chủ {} phút; hãy chỉnh lại ngày giờ trên máy",
            ahead_ms / 60_000
        ),
    });
    let device_id = actor.device.id.clone();
    docs.with_tx(|tx| {
        // What the device reports it has applied: the office sees who received what.
        for cursor in &request.cursors {
            tx.set_device_cursor(
                &device_id,
                docs.commune_id(),
                &cursor.scope.to_string(),
                cursor.after,
            )?;
        }
        tx.update_device_sync(&device_id, last, now)?;
        match ctx.ahead_ms {
            Some(ahead) => tx.flag_device_clock(&device_id, ahead, now),
            None => Ok(()),
        }
    })?;
    Ok(Ok(Pushed {
        acks,
        last_applied_seq: last,
        clock_warning,
    }))
}

fn rejected(denial: Denial) -> AckOutcome {
    AckOutcome::Rejected {
        code: denial.code().to_string(),
        reason: denial.reason(),
    }
}

/// Settles one new entry; storage failures abort the whole push.
fn apply_entry(
    docs: &CommuneDocs,
    ctx: &mut PushContext<'_>,
    entry: &PushedChange,
) -> StorageResult<AckOutcome> {
    let mut hlc = entry.hlc.clone();
    let ahead = hlc.millis.saturating_sub(ctx.now);
    if ahead > MAX_CLOCK_AHEAD_MS {
        ctx.note_ahead(ahead);
        hlc = ctx.clamp(&hlc);
    }
    let change = &entry.change;
    let target = match scope::target(docs, change)? {
        Ok(t) => t,
        Err(denial) => return Ok(rejected(denial)),
    };
    if let Err(denial) = scope::may_write(docs, ctx.actor, change, &target)? {
        return Ok(rejected(denial));
    }
    let key = change.lww_key();
    if let Some(key) = &key {
        let stored = docs.with_tx(|tx| tx.entity_clock(docs.commune_id(), key))?;
        if stored
            .and_then(|s| Hlc::parse(&s))
            .is_some_and(|s| s >= hlc)
        {
            return Ok(AckOutcome::Superseded);
        }
    }
    let effect = match ledger::decide(docs, change) {
        Ok(effect) => effect,
        Err(Refusal::Lookup(e)) => return Err(StorageError::Unavailable(e.0)),
        // The same change again (e.g. from another device of the same person).
        Err(Refusal::AlreadyApplied { .. }) => return Ok(AckOutcome::Applied),
        Err(refusal) => {
            return Ok(AckOutcome::Rejected {
                code: refusal.code().to_string(),
                reason: refusal.to_string(),
            })
        }
    };
    let origin = Origin::Device {
        device_id: ctx.actor.device.id.clone(),
        device_seq: entry.device_seq,
        created_at: entry.created_at,
    };
    match &effect {
        Effect::CheckIn { check_in, .. } => {
            let stored_receipt = Some(ctx.receipt);
            let verdict = judge(docs, check_in, stored_receipt, ctx.settings)?;
            docs.write_effect(&effect, Some((&verdict, stored_receipt)), ctx.now)?;
            // The server's verdict, never the one the device sent.
            let logged = Change::RecordCheckIn {
                check_in: check_in.clone(),
                verdict: verdict.clone(),
            };
            append(docs, &target.scope, &logged, &origin, &hlc, ctx.now)?;
            let verdict_change = Change::SetCheckInVerdict {
                check_in_id: check_in.id.clone(),
                verdict,
            };
            append_server(docs, ctx, &target.scope, &verdict_change)?;
        }
        Effect::PresenceSecret { meeting_id, .. } => {
            // Stored apart; never logged, never sent to any device.
            docs.write_effect(&effect, None, ctx.now)?;
            rejudge_meeting(docs, ctx, meeting_id)?;
        }
        _ => {
            docs.write_effect(&effect, None, ctx.now)?;
            append(docs, &target.scope, change, &origin, &hlc, ctx.now)?;
        }
    }
    if let Some(key) = key {
        let text = hlc.to_string();
        docs.with_tx(|tx| tx.set_entity_clock(docs.commune_id(), &key, &text))?;
    }
    Ok(AckOutcome::Applied)
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
    docs.with_tx(|tx| {
        let server_seq = tx.next_server_seq(docs.commune_id(), &scope_text)?;
        tx.append_log(&LogRow {
            scope: scope_text.clone(),
            server_seq,
            commune_id: docs.commune_id().to_string(),
            origin_device,
            device_seq,
            hlc: hlc.to_string(),
            created_at,
            received_at: now,
            change_json,
        })
    })
}

/// Logs a change the server authors (a check-in verdict) and records its clock.
fn append_server(
    docs: &CommuneDocs,
    ctx: &mut PushContext<'_>,
    scope: &Scope,
    change: &Change,
) -> StorageResult<()> {
    let hlc = ctx.server_hlc();
    author_logged(docs, scope, change, &hlc, ctx.now)
}

/// Who authored a change the server logs on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Author {
    /// The server's own judgement (a check-in verdict).
    Server,
    /// An office user of the dashboard, by id.
    Office { user_id: String },
}

/// Logs a change the server authors outside a device's push (the office's actions from
/// the dashboard): the caller has judged it with `ledger::decide` and written its effect.
/// Its HLC is the server's, after any clock already recorded for the same field, so it
/// wins over the edit it answers.
pub fn author_change(
    docs: &CommuneDocs,
    scope: &Scope,
    change: &Change,
    now: EpochMillis,
    author: &Author,
) -> StorageResult<()> {
    let mut hlc = Hlc {
        millis: now,
        counter: 0,
        node: SERVER_NODE.to_string(),
    };
    if let Some(key) = change.lww_key() {
        let stored = docs.with_tx(|tx| tx.entity_clock(docs.commune_id(), &key))?;
        if let Some(stored) = stored.and_then(|s| Hlc::parse(&s)) {
            if stored >= hlc {
                hlc = Hlc {
                    millis: stored.millis,
                    counter: stored.counter.saturating_add(1),
                    node: SERVER_NODE.to_string(),
                };
            }
        }
    }
    if let Author::Office { user_id } = author {
        let (kind, id) = change.entity();
        tracing::info!(%user_id, kind, id, %scope, "office action logged");
    }
    author_logged(docs, scope, change, &hlc, now)
}

fn author_logged(
    docs: &CommuneDocs,
    scope: &Scope,
    change: &Change,
    hlc: &Hlc,
    now: EpochMillis,
) -> StorageResult<()> {
    append(docs, scope, change, &Origin::Server, hlc, now)?;
    if let Some(key) = change.lww_key() {
        let text = hlc.to_string();
        docs.with_tx(|tx| tx.set_entity_clock(docs.commune_id(), &key, &text))?;
    }
    Ok(())
}

/// The server's verdict on a check-in: the domain's rule, with what only the server
/// knows (the meeting as recorded, its presence secret, the keys enrolled for the
/// cadre, every photo used so far, and when the check-in arrived).
pub fn judge(
    docs: &CommuneDocs,
    c: &checkin::CheckIn,
    receipt: Option<ServerReceipt>,
    settings: &CheckInSettings,
) -> StorageResult<Verdict> {
    let assignments = docs.assignments()?;
    let cadre_assigned = compliance::is_assigned(
        &assignments,
        &c.cadre_id,
        &c.cell_id,
        local_date(c.corrected_time()),
    );
    let place = docs.cell(&c.cell_id)?.and_then(|cell| cell.meeting_place);
    let enrolled_keys = docs.with_tx(|tx| tx.cadre_device_keys(docs.commune_id(), &c.cadre_id))?;
    let earlier_photos = docs.photo_uses()?;
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
                receipt,
                settings,
            })
        }
        None => checkin::judge_check_in_without_meeting(
            c,
            place.as_ref(),
            cadre_assigned,
            &enrolled_keys,
            &earlier_photos,
            settings,
        ),
    })
}

/// The presence secret of a meeting arrived: judge its check-ins again and tell every
/// reader of the cell the verdicts that changed.
fn rejudge_meeting(
    docs: &CommuneDocs,
    ctx: &mut PushContext<'_>,
    meeting_id: &str,
) -> StorageResult<()> {
    for stored in docs.check_ins_of_meeting(meeting_id)? {
        // The office's review is final.
        if stored.verdict.review.is_some() {
            continue;
        }
        let verdict = judge(docs, &stored.check_in, stored.receipt, ctx.settings)?;
        if verdict == stored.verdict {
            continue;
        }
        docs.put_check_in(&StoredCheckIn {
            verdict: verdict.clone(),
            ..stored.clone()
        })?;
        let change = Change::SetCheckInVerdict {
            check_in_id: stored.check_in.id.clone(),
            verdict,
        };
        append_server(
            docs,
            ctx,
            &Scope::Cell(stored.check_in.cell_id.clone()),
            &change,
        )?;
    }
    Ok(())
}

fn pull(
    tx: &mut dyn Tx,
    actor: &Actor,
    request: &SyncRequest,
    limit: u32,
) -> StorageResult<(Vec<ScopePage>, bool)> {
    let docs = CommuneDocs::new(tx, actor.commune_id());
    let scopes = scope::readable_scopes(&docs, actor)?;
    let mut budget = limit;
    let mut more = false;
    let mut pages = Vec::new();
    for scope in scopes {
        if budget == 0 {
            more = true;
            break;
        }
        let after = request
            .cursors
            .iter()
            .find(|c| c.scope == scope)
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
            let change: Change = serde_json::from_str(&row.change_json).map_err(|e| {
                StorageError::Corrupt(format!("log {} #{}: {e}", row.scope, row.server_seq))
            })?;
            if let Change::PublishGuidance { guidance } = &change {
                if !scope::guidance_visible(actor, guidance) {
                    continue;
                }
            }
            let hlc = Hlc::parse(&row.hlc).ok_or_else(|| {
                StorageError::Corrupt(format!("log {} #{}: HLC", row.scope, row.server_seq))
            })?;
            changes.push(PulledChange {
                server_seq: row.server_seq,
                hlc,
                change,
            });
        }
        pages.push(ScopePage {
            scope,
            changes,
            cursor,
        });
    }
    Ok((pages, more))
}

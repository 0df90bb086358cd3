//! The one write path. Every change the server accepts goes the same way, whoever sends
//! it: a device's push ([`crate::sync`], [`apply_pushed`]), the office's actions
//! ([`crate::office`], [`author`]) and the server's own verdicts ([`check_ins`]). In
//! order: where it belongs and whether the writer may write there ([`crate::access`]),
//! last-writer-wins by HLC ([`Change::settle_lww`]), the domain's `ledger::decide`, the
//! effect written, the change appended to its scopes' logs, the fields' clocks recorded;
//! the meeting summaries it made stale are judged again before the transaction commits
//! ([`refresh_summaries`]).

pub mod check_ins;

use std::collections::{BTreeMap, BTreeSet};

use chibo_domain::change::{Change, MeetingField, Settled};
use chibo_domain::checkin::{CheckInSettings, ServerReceipt};
use chibo_domain::context;
use chibo_domain::edge;
use chibo_domain::hlc::Hlc;
use chibo_domain::ledger::{self, Effect, Refusal};
use chibo_domain::model::Id;
use chibo_domain::sync::{clock_warning, AckOutcome, PushedChange, Scope, MAX_CLOCK_AHEAD_MS};
use chibo_domain::time::EpochMillis;

use crate::access::{self, Denial};
use crate::accounts::devices::Actor;
use crate::docs::{self, ClockNote, CommuneDocs};
use crate::storage::{DocFilter, DocRow, LogRow, StorageError, StorageResult};

/// The node name of the HLCs the server stamps on its own changes.
pub const SERVER_NODE: &str = "server";

/// What one push needs as it goes through its entries.
pub struct PushContext<'a> {
    pub actor: &'a Actor,
    pub now: EpochMillis,
    pub receipt: ServerReceipt,
    pub settings: &'a CheckInSettings,
    /// The last clamped HLC, so clamped changes of one batch keep their order.
    pub last_clamped: Option<Hlc>,
    /// How far ahead of the server an HLC of the batch was, when too far.
    pub hlc_ahead_ms: Option<i64>,
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

/// Reads at once what settling these changes looks up (each change's own entity, a
/// part's meeting record, a header's clock note, the meeting's check-ins, the records of
/// its context window, one list per cell), so a push's transaction makes a few queries
/// rather than several per change. Bounded by the meetings' windows, not by history.
pub fn prefetch<'c>(
    docs: &CommuneDocs,
    changes: impl Iterator<Item = &'c Change>,
) -> StorageResult<()> {
    let changes: Vec<&Change> = changes.collect();
    let mut wanted = vec![(docs::RULE_SETTINGS, docs.commune_id().to_string())];
    let mut meetings: BTreeSet<&str> = BTreeSet::new();
    for change in &changes {
        match change.entity() {
            ("meeting", id) => {
                wanted.push((docs::RECORD, id.to_string()));
                meetings.insert(id);
            }
            (kind, id) => wanted.push((kind, id.to_string())),
        }
        if let Some(id) = header_written(change) {
            wanted.push((docs::CLOCK_NOTE, id.to_string()));
        }
    }
    docs.prefetch_docs(wanted)?;
    docs.prefetch_by_refs(
        docs::CHECK_IN,
        meetings.iter().map(|m| m.to_string()).collect(),
    )?;
    // One span per cell that holds every context window of the chunk's meetings.
    let mut spans: BTreeMap<String, (EpochMillis, EpochMillis)> = BTreeMap::new();
    let mut widen = |cell_id: &str, start: EpochMillis| {
        let (from, until) = context::window(start);
        let span = spans.entry(cell_id.to_string()).or_insert((from, until));
        *span = (span.0.min(from), span.1.max(until));
    };
    for change in &changes {
        if let Change::PlanMeeting { meeting } | Change::UpdateMeeting { meeting, .. } = change {
            widen(&meeting.cell_id, meeting.started_at());
        }
    }
    for id in &meetings {
        if let Some(DocRow {
            cell_id: Some(cell_id),
            at: Some(at),
            ..
        }) = docs.doc_row(docs::RECORD, id)?
        {
            widen(&cell_id, at);
        }
    }
    // The cells themselves, which judging their meetings' summaries reads.
    docs.prefetch_docs(
        spans
            .keys()
            .map(|cell_id| (docs::CELL, cell_id.clone()))
            .collect(),
    )?;
    for (cell_id, (from, until)) in spans {
        docs.prefetch_list(
            docs::RECORD,
            &DocFilter {
                cell_id: Some(cell_id),
                at_from: Some(from),
                at_until: Some(until),
                ..DocFilter::default()
            },
        )?;
    }
    Ok(())
}

/// Settles one new entry of a device's push; storage failures abort the whole push.
pub fn apply_pushed(
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
    let target = match access::target(docs, &entry.change)? {
        Ok(t) => t,
        Err(denial) => return Ok(rejected(denial)),
    };
    if let Err(denial) = access::may_write(docs, ctx.actor, &entry.change, &target, ctx.now)? {
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
        return check_ins::record_check_in(docs, ctx, entry, &target, &change, &origin, &hlc);
    }
    let secret_of = match record(docs, &change, &target.log_scopes(), &origin, &hlc, ctx.now)? {
        Ok(secret_of) => secret_of,
        // The same change again (e.g. from another device of the same person).
        Err(Refusal::AlreadyApplied { .. }) => return Ok(AckOutcome::Applied),
        Err(refusal) => return refused(refusal),
    };
    // What the write tells the server: check-ins to judge again, a device clock to note.
    if let Some(meeting_id) = &secret_of {
        check_ins::rejudge_meeting(docs, ctx.settings, meeting_id, ctx.now)?;
    } else if let Some(meeting_id) = header_written(&change) {
        note_clock(docs, ctx, entry, meeting_id)?;
        if times_written(&change) {
            check_ins::rejudge_meeting(docs, ctx.settings, meeting_id, ctx.now)?;
        }
    }
    Ok(if lost.is_empty() {
        AckOutcome::Applied
    } else {
        AckOutcome::PartlyApplied { lost }
    })
}

/// The step every accepted change takes: the domain's `ledger::decide`, its effect
/// written, the change appended to `scopes` with `hlc`, the fields' clocks recorded.
/// A presence secret is stored apart: never logged, never sent to any device; its
/// meeting is returned.
fn record(
    docs: &CommuneDocs,
    change: &Change,
    scopes: &[Scope],
    origin: &Origin,
    hlc: &Hlc,
    now: EpochMillis,
) -> StorageResult<Result<Option<Id>, Refusal>> {
    let effect = match ledger::decide(docs, change) {
        Ok(effect) => effect,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let secret_of = match &effect {
        Effect::PresenceSecret { meeting_id, .. } => Some(meeting_id.clone()),
        _ => None,
    };
    // Moved into the unit of work, not copied: most effects are the meeting's record.
    docs.write_effect(effect, now)?;
    if secret_of.is_none() {
        for scope in scopes {
            append(docs, scope, change, origin, hlc, now)?;
        }
    }
    set_entity_clocks(docs, change, hlc)?;
    Ok(Ok(secret_of))
}

/// Judges again the summaries of the meetings the transaction's writes touched; called
/// once per transaction, before it commits.
pub fn refresh_summaries(docs: &CommuneDocs) -> StorageResult<()> {
    crate::figures::summaries::refresh_stale(docs)
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

/// The HLC of a change the server authors: the server's, after any clock already
/// recorded for the same fields, so it wins over the edit it answers.
fn server_hlc(docs: &CommuneDocs, change: &Change, now: EpochMillis) -> StorageResult<Hlc> {
    let mut stored: Option<Hlc> = None;
    for key in change.lww_keys() {
        stored = stored.max(entity_clock(docs, &key)?);
    }
    Ok(Hlc::after(SERVER_NODE, now, stored.as_ref()))
}

/// A change the server authors outside a device's push (an office action from the
/// dashboard): judged by `ledger::decide` like a pushed one, its effect written, logged
/// in `scope` with a server HLC, and the summaries it made stale judged again.
pub fn author(
    docs: &CommuneDocs,
    change: &Change,
    scope: &Scope,
    author: &Author,
    now: EpochMillis,
) -> StorageResult<Result<(), Refusal>> {
    let hlc = server_hlc(docs, change, now)?;
    let origin = Origin::Server;
    if let Err(refusal) = record(
        docs,
        change,
        std::slice::from_ref(scope),
        &origin,
        &hlc,
        now,
    )? {
        return Ok(Err(refusal));
    }
    refresh_summaries(docs)?;
    if let Author::Office { user_id } = author {
        let (kind, id) = change.entity();
        tracing::info!(%user_id, kind, id, %scope, "office action logged");
    }
    Ok(Ok(()))
}

/// Logs a change the server decided on its own (a check-in verdict, whose effect the
/// caller has written) with a server HLC.
fn log_server_change(
    docs: &CommuneDocs,
    scope: &Scope,
    change: &Change,
    now: EpochMillis,
) -> StorageResult<()> {
    let hlc = server_hlc(docs, change, now)?;
    append(docs, scope, change, &Origin::Server, &hlc, now)?;
    set_entity_clocks(docs, change, &hlc)
}

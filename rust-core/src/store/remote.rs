//! Applying what the server sends down (architecture.md, "Pull"): a page of one scope's
//! changes and its cursor in one transaction, through the same ledger as local writes
//! but without outbox entries.
//!
//! Editable fields are last-writer-wins by HLC, field by field
//! (`Change::settle_lww`): every write records the HLC of each of its fields in
//! `entity_clocks`, locally ([`Store::apply`]) and here, and a pulled write older than a
//! field's clock leaves that field alone. When a pulled write replaces a value this
//! device wrote, the person is told (a "needs attention" entry): a concurrent edit that
//! loses is never silent. Observing each pulled HLC into the device clock makes later
//! local edits sort after what was pulled.
//!
//! A pulled change naming something this device does not hold yet (a cell whose page
//! comes later, say) waits in `pulled_waiting` and is applied as soon as it can be. Only
//! a change this device's rules refuse is "refused", and it goes on the list too. A
//! commune change about a cell this device does not follow (another cell's assignment)
//! is not for it and is passed over.

use chibo_domain::change::{Change, MeetingField, Settled};
use chibo_domain::edge;
use chibo_domain::hlc::{lww, Hlc, LwwOrder};
use chibo_domain::ledger::{self, Refusal};
use chibo_domain::sync::{Role, Scope, ScopeCursor, ScopePage};
use chibo_domain::EpochMillis;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, Transaction};

use super::apply::{refresh_summaries_from, write_effect};
use super::codec::{json_parse, json_text};
use super::error::StoreError;
use super::outbox::own_change_at;
use super::read::{collect, StoreView};
use super::Store;

/// What became of a pulled page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PullReport {
    /// Written (including changes that had waited for this page).
    pub applied: u32,
    /// A later write of the same fields (by HLC) is already here, usually a local edit
    /// not yet pushed.
    pub skipped_older: u32,
    /// Already here: the device's own changes coming back, or a page seen before.
    pub already_present: u32,
    /// About a cell this device does not follow: passed over.
    pub not_for_this_device: u32,
    /// Naming something not here yet: kept, applied once it arrives.
    pub waiting: u32,
    /// Refused by this device's rules: (server sequence number, reason in Vietnamese).
    /// On the needs-attention list; the rest of the page is applied regardless.
    pub refused: Vec<(u64, String)>,
}

/// Records that `change` was written with `hlc`, for each field it overwrites.
pub(super) fn set_entity_clocks(
    conn: &Connection,
    change: &Change,
    hlc: &Hlc,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "INSERT INTO entity_clocks (lww_key, hlc) VALUES (?1, ?2)
         ON CONFLICT(lww_key) DO UPDATE SET hlc = excluded.hlc",
    )?;
    for key in change.lww_keys() {
        stmt.execute(params![key, hlc.to_string()])?;
    }
    Ok(())
}

fn entity_clock(conn: &Connection, key: &str) -> Result<Option<Hlc>, StoreError> {
    let text: Option<String> = conn
        .prepare("SELECT hlc FROM entity_clocks WHERE lww_key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?;
    text.map(|t| Hlc::parse(&t).ok_or_else(|| StoreError::Corrupt(format!("đồng hồ HLC: {t}"))))
        .transpose()
}

fn cursor_of(conn: &Connection, scope: &str) -> Result<u64, StoreError> {
    let after: Option<i64> = conn
        .prepare("SELECT after FROM scope_cursors WHERE scope = ?1")?
        .query_row([scope], |r| r.get(0))
        .optional()?;
    Ok(after.map_or(0, |a| a as u64))
}

/// Who this device is, for what a pulled change means here.
struct Me {
    /// The node of this device's HLCs: a stored clock with it is this device's write.
    node: String,
    /// The cadre this device belongs to, if it is a cadre's.
    cadre_id: Option<String>,
}

impl Me {
    fn of(conn: &Connection, node: &str) -> Result<Me, StoreError> {
        let person: Option<String> = conn
            .query_row(
                "SELECT person FROM sync_account WHERE singleton = 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let person: Option<chibo_domain::sync::Person> =
            person.map(|p| json_parse(&p)).transpose()?;
        Ok(Me {
            node: node.to_string(),
            cadre_id: person.and_then(|p| match p.role {
                Role::Cadre { cadre_id } => Some(cadre_id),
                _ => None,
            }),
        })
    }
}

/// What one pulled change came to, before the report counts it.
enum Outcome {
    Applied(Option<String>),
    SkippedOlder,
    AlreadyPresent,
    NotForThisDevice,
    Waiting(String),
    Refused(String),
}

impl Store {
    /// Applies one page of a scope in one transaction, in server order, and stores the
    /// page's cursor with it; then whatever waited for this page. A change this device's
    /// rules refuse is reported and skipped; only a storage failure aborts the page
    /// (nothing of it is kept, the cursor stays, and the next sync pulls it again).
    pub fn apply_pulled(
        &mut self,
        page: &ScopePage,
        now: EpochMillis,
    ) -> Result<PullReport, StoreError> {
        let mut tx = self.conn.transaction()?;
        let scope = page.scope.to_string();
        let seen = cursor_of(&tx, &scope)?;
        let me = Me::of(&tx, &self.hlc.node)?;
        let mut hlc = self.hlc.clone();
        let mut report = PullReport::default();
        let mut touched: Vec<String> = Vec::new();
        for pulled in &page.changes {
            hlc = hlc.observe(&pulled.hlc, now);
            // A page applied before (its answer was lost, say) changes nothing.
            let outcome = if pulled.server_seq <= seen {
                Outcome::AlreadyPresent
            } else {
                apply_one(&mut tx, &me, &pulled.change, &pulled.hlc, now)?
            };
            count(
                &tx,
                &mut report,
                &mut touched,
                outcome,
                |reason| {
                    Waiter {
                        scope: &scope,
                        server_seq: pulled.server_seq,
                        hlc: &pulled.hlc,
                        change: &pulled.change,
                    }
                    .park(&tx, reason, now)
                },
                (pulled.server_seq, &pulled.change),
                now,
            )?;
        }
        retry_waiting(&mut tx, &me, now, &mut report, &mut touched)?;
        for meeting_id in &touched {
            refresh_summaries_from(&tx, meeting_id)?;
        }
        tx.execute(
            "INSERT INTO scope_cursors (scope, after) VALUES (?1, ?2)
             ON CONFLICT(scope) DO UPDATE SET after = excluded.after",
            params![scope, page.cursor as i64],
        )?;
        tx.execute(
            "UPDATE device SET hlc = ?1 WHERE singleton = 1",
            [hlc.to_string()],
        )?;
        tx.commit()?;
        self.hlc = hlc;
        Ok(report)
    }

    /// Where this device is in each scope it has pulled.
    pub fn scope_cursors(&self) -> Result<Vec<ScopeCursor>, StoreError> {
        collect(
            &self.conn,
            "SELECT scope, after FROM scope_cursors ORDER BY scope",
            [],
            |r| {
                let text: String = r.get(0)?;
                Ok(ScopeCursor {
                    scope: Scope::try_from(text).map_err(StoreError::Corrupt)?,
                    after: r.get::<_, i64>(1)? as u64,
                })
            },
        )
    }

    /// Pulled changes still waiting for something they name.
    pub fn waiting_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM pulled_waiting", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Removes what this device holds of the cells it no longer reads (the server lists
    /// `readable`): their members, meetings and everything in them, petitions, others'
    /// check-ins and observations, and the cursor, so a later assignment pulls them
    /// afresh. The cadre's own check-ins stay (they are their record of visits), and so
    /// does the cell's name. Changes still waiting to be sent are not touched. Returns
    /// the cells forgotten.
    pub fn forget_unreadable_cells(
        &mut self,
        readable: &[Scope],
    ) -> Result<Vec<String>, StoreError> {
        if readable.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self.conn.transaction()?;
        let me = Me::of(&tx, &self.hlc.node)?;
        let held: Vec<String> = collect(&tx, "SELECT id FROM cells ORDER BY id", [], |r| {
            Ok(r.get(0)?)
        })?;
        let gone: Vec<String> = held
            .into_iter()
            .filter(|id| !readable.contains(&Scope::Cell(id.clone())))
            .collect();
        let mine = me.cadre_id.unwrap_or_default();
        for cell in &gone {
            forget_cell(&tx, cell, &mine)?;
        }
        tx.commit()?;
        Ok(gone)
    }
}

/// Deletes a cell's records from this device (see `forget_unreadable_cells`).
fn forget_cell(tx: &Transaction<'_>, cell: &str, own_cadre: &str) -> Result<(), StoreError> {
    let meetings = "SELECT id FROM meetings WHERE cell_id = ?1";
    for child in [
        "roll_call",
        "agenda_items",
        "speeches",
        "task_reviews",
        "tasks",
        "votes",
        "presence_secrets",
        "observations",
    ] {
        tx.execute(
            &format!("DELETE FROM {child} WHERE meeting_id IN ({meetings})"),
            [cell],
        )?;
    }
    tx.execute(
        &format!(
            "DELETE FROM photos WHERE meeting_id IN ({meetings})
               OR check_in_id IN (SELECT id FROM check_ins WHERE cell_id = ?1 AND cadre_id != ?2)"
        ),
        params![cell, own_cadre],
    )?;
    tx.execute(
        "DELETE FROM check_ins WHERE cell_id = ?1 AND cadre_id != ?2",
        params![cell, own_cadre],
    )?;
    tx.execute(
        "DELETE FROM petition_responses WHERE petition_id IN
           (SELECT id FROM petitions WHERE cell_id = ?1)",
        [cell],
    )?;
    tx.execute("DELETE FROM petitions WHERE cell_id = ?1", [cell])?;
    tx.execute("DELETE FROM meetings WHERE cell_id = ?1", [cell])?;
    tx.execute("DELETE FROM members WHERE cell_id = ?1", [cell])?;
    tx.execute(
        "DELETE FROM scope_cursors WHERE scope = ?1",
        [Scope::Cell(cell.to_string()).to_string()],
    )?;
    Ok(())
}

/// A pulled change that cannot be applied yet.
struct Waiter<'a> {
    scope: &'a str,
    server_seq: u64,
    hlc: &'a Hlc,
    change: &'a Change,
}

impl Waiter<'_> {
    fn park(&self, conn: &Connection, reason: &str, now: EpochMillis) -> Result<(), StoreError> {
        conn.execute(
            "INSERT INTO pulled_waiting (scope, server_seq, hlc, change, reason, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(scope, server_seq) DO UPDATE SET reason = excluded.reason",
            params![
                self.scope,
                self.server_seq as i64,
                self.hlc.to_string(),
                json_text(self.change),
                reason,
                now
            ],
        )?;
        Ok(())
    }
}

/// Counts one outcome into the report: a waiting change is parked with `park`, a refused
/// one goes on the needs-attention list.
fn count(
    conn: &Connection,
    report: &mut PullReport,
    touched: &mut Vec<String>,
    outcome: Outcome,
    park: impl FnOnce(&str) -> Result<(), StoreError>,
    (server_seq, change): (u64, &Change),
    now: EpochMillis,
) -> Result<(), StoreError> {
    match outcome {
        Outcome::Applied(meeting) => {
            report.applied += 1;
            if let Some(id) = meeting.filter(|id| !touched.contains(id)) {
                touched.push(id);
            }
        }
        Outcome::SkippedOlder => report.skipped_older += 1,
        Outcome::AlreadyPresent => report.already_present += 1,
        Outcome::NotForThisDevice => report.not_for_this_device += 1,
        Outcome::Waiting(reason) => {
            report.waiting += 1;
            park(&reason)?;
        }
        Outcome::Refused(reason) => {
            attention(
                conn,
                change,
                "pulled_refused",
                &format!("Thay đổi nhận về từ máy chủ (số {server_seq}) không áp dụng được trên máy này: {reason}"),
                now,
            )?;
            report.refused.push((server_seq, reason));
        }
    }
    Ok(())
}

/// A needs-attention entry about a pulled change (no outbox entry of this device).
fn attention(
    conn: &Connection,
    change: &Change,
    code: &str,
    reason: &str,
    now: EpochMillis,
) -> Result<(), StoreError> {
    let (kind, id) = change.entity();
    let what = ledger::kind_title(kind);
    conn.execute(
        "INSERT INTO needs_attention (subject, device_seq, entity_kind, entity_id, what, code,
                                      reason, created_at)
         VALUES ('change', NULL, ?1, ?2, ?3, ?4, ?5, ?6)",
        params![kind, id, what, code, reason, now],
    )?;
    Ok(())
}

/// Tries every waiting change again, oldest first, until a pass applies none.
fn retry_waiting(
    tx: &mut Transaction<'_>,
    me: &Me,
    now: EpochMillis,
    report: &mut PullReport,
    touched: &mut Vec<String>,
) -> Result<(), StoreError> {
    loop {
        let waiting: Vec<(i64, u64, String, String)> = collect(
            tx,
            "SELECT id, server_seq, hlc, change FROM pulled_waiting ORDER BY id",
            [],
            |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?, r.get(3)?)),
        )?;
        let mut progressed = false;
        for (id, server_seq, hlc_text, change_json) in waiting {
            let (Some(hlc), Ok(change)) =
                (Hlc::parse(&hlc_text), json_parse::<Change>(&change_json))
            else {
                tx.execute("DELETE FROM pulled_waiting WHERE id = ?1", [id])?;
                continue;
            };
            let outcome = apply_one(tx, me, &change, &hlc, now)?;
            if let Outcome::Waiting(reason) = &outcome {
                tx.execute(
                    "UPDATE pulled_waiting SET reason = ?2 WHERE id = ?1",
                    params![id, reason],
                )?;
                continue;
            }
            tx.execute("DELETE FROM pulled_waiting WHERE id = ?1", [id])?;
            report.waiting = report.waiting.saturating_sub(1);
            progressed = true;
            count(
                tx,
                report,
                touched,
                outcome,
                |_| Ok(()),
                (server_seq, &change),
                now,
            )?;
        }
        if !progressed {
            return Ok(());
        }
    }
}

/// Whether a pulled change is about something this device follows. A commune change
/// naming a cell the device does not hold is another cell's business, unless it is this
/// cadre's own assignment (its cell arrives later) or it moves away an assignment the
/// device holds (it is removed).
fn concerns_this_device(
    conn: &Connection,
    me: &Me,
    change: &Change,
) -> Result<Relevance, StoreError> {
    let Change::UpsertAssignment { assignment } = change else {
        return Ok(Relevance::Yes);
    };
    let cell_held: bool = conn
        .prepare("SELECT 1 FROM cells WHERE id = ?1")?
        .exists([&assignment.cell_id])?;
    if cell_held || me.cadre_id.as_deref() == Some(assignment.cadre_id.as_str()) {
        return Ok(Relevance::Yes);
    }
    let held: bool = conn
        .prepare("SELECT 1 FROM assignments WHERE id = ?1")?
        .exists([&assignment.id])?;
    Ok(if held {
        Relevance::MovedAway
    } else {
        Relevance::No
    })
}

enum Relevance {
    Yes,
    No,
    MovedAway,
}

/// Decides and writes one pulled change, in its own savepoint so that a write the
/// schema refuses leaves the rest of the page alone.
fn apply_one(
    tx: &mut Transaction<'_>,
    me: &Me,
    change: &Change,
    hlc: &Hlc,
    now: EpochMillis,
) -> Result<Outcome, StoreError> {
    // What the server sends is checked like what a device pushes.
    if let Err(e) = hlc.validate().and_then(|()| edge::check_change(change)) {
        return Ok(Outcome::Refused(e.to_string()));
    }
    match concerns_this_device(tx, me, change)? {
        Relevance::Yes => {}
        Relevance::No => return Ok(Outcome::NotForThisDevice),
        Relevance::MovedAway => {
            let (_, id) = change.entity();
            tx.execute("DELETE FROM assignments WHERE id = ?1", [id])?;
            set_entity_clocks(tx, change, hlc)?;
            return Ok(Outcome::Applied(None));
        }
    }
    let settled = change.settle_lww(hlc, |key| entity_clock(tx, key))?;
    let change = match settled {
        Settled::Write { change, .. } => change,
        Settled::AlreadyThere => return Ok(Outcome::AlreadyPresent),
        Settled::Lost { .. } => return Ok(Outcome::SkippedOlder),
    };
    let view = StoreView::new(tx);
    let effect = match ledger::decide(&view, &change) {
        Ok(effect) => effect,
        Err(Refusal::AlreadyApplied { .. }) => return Ok(Outcome::AlreadyPresent),
        Err(refusal @ Refusal::Lookup(_)) => return Err(view.error_of(refusal)),
        Err(refusal @ Refusal::NotFound { .. }) => {
            return Ok(Outcome::Waiting(refusal.to_string()))
        }
        Err(refusal) => return Ok(Outcome::Refused(refusal.to_string())),
    };
    drop(view);
    let lost = own_edits_replaced(tx, me, &change, hlc)?;
    let savepoint = tx.savepoint()?;
    let meeting = match write_effect(&savepoint, effect) {
        Ok(meeting) => meeting,
        Err(StoreError::Sqlite(e))
            if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) =>
        {
            // Dropping the savepoint rolls the partial write back. A foreign key names a
            // row not here yet: wait for it; anything else does not fit this store.
            let reason = format!("Dữ liệu không khớp với sổ trên máy: {e}");
            return Ok(if is_foreign_key(&e) {
                Outcome::Waiting(reason)
            } else {
                Outcome::Refused(reason)
            });
        }
        Err(e) => return Err(e),
    };
    set_entity_clocks(&savepoint, &change, hlc)?;
    if let Some(lost) = lost {
        attention(&savepoint, &lost.0, "superseded", &lost.1, now)?;
    }
    savepoint.commit()?;
    Ok(Outcome::Applied(meeting))
}

fn is_foreign_key(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
    )
}

/// What of this device's own writes the pulled `change` replaces with another value:
/// this device's change and, in Vietnamese, what was replaced. `None` when it replaces
/// nothing of ours or writes the same values.
fn own_edits_replaced(
    conn: &Connection,
    me: &Me,
    change: &Change,
    hlc: &Hlc,
) -> Result<Option<(Change, String)>, StoreError> {
    let mine = |key: &str| -> Result<Option<Change>, StoreError> {
        match entity_clock(conn, key)? {
            Some(stored)
                if stored.node == me.node && lww(hlc, Some(&stored)) == LwwOrder::Newer =>
            {
                own_change_at(conn, &stored)
            }
            _ => Ok(None),
        }
    };
    if let Change::UpdateMeeting { meeting, fields } = change {
        let mut own_change = None;
        let mut labels = Vec::new();
        for field in MeetingField::named_or_all(fields) {
            if let Some(own @ Change::UpdateMeeting { .. }) = mine(&field.lww_key(&meeting.id))? {
                let Change::UpdateMeeting {
                    meeting: own_meeting,
                    ..
                } = &own
                else {
                    unreachable!()
                };
                let mut probe = own_meeting.clone();
                field.copy(meeting, &mut probe);
                if probe != *own_meeting {
                    labels.push(field.label());
                    own_change = Some(own);
                }
            }
        }
        return Ok(own_change.map(|own| {
            (
                own,
                format!(
                    "Máy khác đã sửa {} của buổi sinh hoạt sau đồng chí; nội dung của máy khác \
                     được giữ",
                    labels.join(", ")
                ),
            )
        }));
    }
    for key in change.lww_keys() {
        if let Some(own) = mine(&key)? {
            if own != *change {
                return Ok(Some((
                    own,
                    "Máy khác (hoặc văn phòng Đảng ủy xã) đã sửa mục này sau đồng chí; nội \
                     dung mới được giữ"
                        .to_string(),
                )));
            }
        }
    }
    Ok(None)
}

//! Applying what the server sends down (architecture.md, "Pull"): a page of one scope's
//! changes and its cursor in one transaction, through the same ledger as local writes
//! but without outbox entries.
//!
//! Editable field groups are last-writer-wins by HLC: every write records the HLC of its
//! [`Change::lww_key`] in `entity_clocks`, locally ([`Store::apply`]) and here, and a
//! pulled change older than the stored clock is skipped. Observing each pulled HLC into
//! the device clock makes later local edits sort after what was pulled.

use chibo_domain::change::Change;
use chibo_domain::hlc::Hlc;
use chibo_domain::ledger::{self, Refusal};
use chibo_domain::sync::{Scope, ScopeCursor, ScopePage};
use chibo_domain::EpochMillis;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension};

use super::apply::{refresh_summaries_from, write_effect};
use super::error::StoreError;
use super::read::{collect, StoreView};
use super::Store;

/// What became of a pulled page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PullReport {
    /// Written.
    pub applied: u32,
    /// A later write of the same fields (by HLC) is already here, usually a local edit
    /// not yet pushed.
    pub skipped_older: u32,
    /// Already here: the device's own changes coming back, or a page seen before.
    pub already_present: u32,
    /// Refused by this device's rules: (server sequence number, reason in Vietnamese).
    /// The rest of the page is applied regardless.
    pub refused: Vec<(u64, String)>,
}

/// Records that `change` was written with `hlc`, if it overwrites an editable field group.
pub(super) fn set_entity_clock(
    conn: &Connection,
    change: &Change,
    hlc: &Hlc,
) -> Result<(), StoreError> {
    if let Some(key) = change.lww_key() {
        conn.prepare(
            "INSERT INTO entity_clocks (lww_key, hlc) VALUES (?1, ?2)
             ON CONFLICT(lww_key) DO UPDATE SET hlc = excluded.hlc",
        )?
        .execute(params![key, hlc.to_string()])?;
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

/// What one pulled change came to, before the report counts it.
enum Outcome {
    Applied(Option<String>),
    SkippedOlder,
    AlreadyPresent,
    Refused(String),
}

impl Store {
    /// Applies one page of a scope in one transaction, in server order, and stores the
    /// page's cursor with it. A change this device's rules refuse is reported and
    /// skipped; only a storage failure aborts the page (nothing of it is kept, the
    /// cursor stays, and the next sync pulls it again).
    pub fn apply_pulled(
        &mut self,
        page: &ScopePage,
        now: EpochMillis,
    ) -> Result<PullReport, StoreError> {
        let mut tx = self.conn.transaction()?;
        let scope = page.scope.to_string();
        let seen = cursor_of(&tx, &scope)?;
        let mut hlc = self.hlc.clone();
        let mut report = PullReport::default();
        let mut touched: Vec<String> = Vec::new();
        for pulled in &page.changes {
            hlc = hlc.observe(&pulled.hlc, now);
            // A page applied before (its answer was lost, say) changes nothing.
            let outcome = if pulled.server_seq <= seen {
                Outcome::AlreadyPresent
            } else {
                apply_one(&mut tx, &pulled.change, &pulled.hlc)?
            };
            match outcome {
                Outcome::Applied(meeting) => {
                    report.applied += 1;
                    if let Some(id) = meeting.filter(|id| !touched.contains(id)) {
                        touched.push(id);
                    }
                }
                Outcome::SkippedOlder => report.skipped_older += 1,
                Outcome::AlreadyPresent => report.already_present += 1,
                Outcome::Refused(reason) => report.refused.push((pulled.server_seq, reason)),
            }
        }
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
}

/// Decides and writes one pulled change, in its own savepoint so that a write the
/// schema refuses leaves the rest of the page alone.
fn apply_one(
    tx: &mut rusqlite::Transaction<'_>,
    change: &Change,
    hlc: &Hlc,
) -> Result<Outcome, StoreError> {
    if let Some(key) = change.lww_key() {
        match entity_clock(tx, &key)? {
            Some(stored) if stored > *hlc => return Ok(Outcome::SkippedOlder),
            // This very write: the device's own change coming back.
            Some(stored) if stored == *hlc => return Ok(Outcome::AlreadyPresent),
            _ => {}
        }
    }
    let view = StoreView::new(tx);
    let effect = match ledger::decide(&view, change) {
        Ok(effect) => effect,
        Err(Refusal::AlreadyApplied { .. }) => return Ok(Outcome::AlreadyPresent),
        Err(refusal @ Refusal::Lookup(_)) => return Err(view.error_of(refusal)),
        Err(refusal) => return Ok(Outcome::Refused(refusal.to_string())),
    };
    drop(view);
    let savepoint = tx.savepoint()?;
    let meeting = match write_effect(&savepoint, effect) {
        Ok(meeting) => meeting,
        Err(StoreError::Sqlite(e))
            if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) =>
        {
            // Dropping the savepoint rolls the partial write back.
            return Ok(Outcome::Refused(format!(
                "Dữ liệu không khớp với sổ trên máy: {e}"
            )));
        }
        Err(e) => return Err(e),
    };
    set_entity_clock(&savepoint, change, hlc)?;
    savepoint.commit()?;
    Ok(Outcome::Applied(meeting))
}

//! The outbox: every local change, numbered per device, waiting to be pushed.

use chibo_domain::change::Change;
use chibo_domain::hlc::Hlc;
use chibo_domain::EpochMillis;
use rusqlite::{params, Connection};

use super::codec::json_parse;
use super::error::StoreError;
use super::Store;

/// One change as it waits in the outbox.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEntry {
    pub device_id: String,
    /// 1, 2, 3… per device, without gaps.
    pub device_seq: u64,
    pub hlc: Hlc,
    pub entity_kind: String,
    pub entity_id: String,
    /// The [`Change`] as JSON, exactly as it was applied.
    pub payload: String,
    pub created_at: EpochMillis,
}

impl OutboxEntry {
    pub fn change(&self) -> Result<Change, StoreError> {
        json_parse(&self.payload)
    }
}

pub(crate) fn append(
    conn: &Connection,
    device_seq: u64,
    hlc: &Hlc,
    change: &Change,
    created_at: EpochMillis,
) -> Result<(), StoreError> {
    let (kind, id) = change.entity();
    let payload = serde_json::to_string(change)?;
    conn.prepare(
        "INSERT INTO outbox (device_seq, hlc, entity_kind, entity_id, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        device_seq as i64,
        hlc.to_string(),
        kind,
        id,
        payload,
        created_at
    ])?;
    Ok(())
}

impl Store {
    /// Changes not yet acknowledged by the server, in order.
    pub fn outbox_pending(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT device_seq, hlc, entity_kind, entity_id, payload, created_at
             FROM outbox WHERE acked_at IS NULL ORDER BY device_seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let hlc_text: String = r.get(1)?;
            out.push(OutboxEntry {
                device_id: self.device_id.clone(),
                device_seq: r.get::<_, i64>(0)? as u64,
                hlc: Hlc::parse(&hlc_text)
                    .ok_or_else(|| StoreError::Corrupt(format!("đồng hồ HLC: {hlc_text}")))?,
                entity_kind: r.get(2)?,
                entity_id: r.get(3)?,
                payload: r.get(4)?,
                created_at: r.get(5)?,
            });
        }
        Ok(out)
    }

    /// How many changes wait to be pushed.
    pub fn pending_change_count(&self) -> Result<u64, StoreError> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE acked_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(count as u64)
    }

    /// Marks every entry up to `device_seq` as acknowledged by the server.
    pub fn ack_outbox(&mut self, device_seq: u64, now: EpochMillis) -> Result<u64, StoreError> {
        let n = self.conn.execute(
            "UPDATE outbox SET acked_at = ?2 WHERE acked_at IS NULL AND device_seq <= ?1",
            params![device_seq as i64, now],
        )?;
        Ok(n as u64)
    }
}

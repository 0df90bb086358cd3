//! The outbox: every local change, numbered per device, waiting to be pushed.

use chibo_domain::change::Change;
use chibo_domain::hlc::Hlc;
use chibo_domain::EpochMillis;
use rusqlite::{params, Connection, Row};

use crate::boot::BootReading;

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
    /// The boot clock when it was made (`crate::boot`), where the platform has one.
    pub boot: Option<BootReading>,
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
    boot: Option<&BootReading>,
) -> Result<(), StoreError> {
    let (kind, id) = change.entity();
    let payload = serde_json::to_string(change)?;
    conn.prepare(
        "INSERT INTO outbox (device_seq, hlc, entity_kind, entity_id, payload, created_at,
                             boot_id, boot_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        device_seq as i64,
        hlc.to_string(),
        kind,
        id,
        payload,
        created_at,
        boot.map(|b| b.boot_id.as_str()),
        boot.map(|b| b.since_boot_ms),
    ])?;
    Ok(())
}

/// The change this device wrote with clock `hlc`, if it is still in the outbox.
pub(crate) fn own_change_at(conn: &Connection, hlc: &Hlc) -> Result<Option<Change>, StoreError> {
    use rusqlite::OptionalExtension;
    let payload: Option<String> = conn
        .prepare("SELECT payload FROM outbox WHERE hlc = ?1")?
        .query_row([hlc.to_string()], |r| r.get(0))
        .optional()?;
    payload.map(|p| json_parse(&p)).transpose()
}

/// The columns [`entry_from_row`] reads, in order.
pub(crate) const OUTBOX_COLS: &str =
    "device_seq, hlc, entity_kind, entity_id, payload, created_at, boot_id, boot_ms";

pub(crate) fn entry_from_row(device_id: &str, r: &Row<'_>) -> Result<OutboxEntry, StoreError> {
    let hlc_text: String = r.get(1)?;
    let boot_id: Option<String> = r.get(6)?;
    let boot_ms: Option<i64> = r.get(7)?;
    Ok(OutboxEntry {
        device_id: device_id.to_string(),
        device_seq: r.get::<_, i64>(0)? as u64,
        hlc: Hlc::parse(&hlc_text)
            .ok_or_else(|| StoreError::Corrupt(format!("đồng hồ HLC: {hlc_text}")))?,
        entity_kind: r.get(2)?,
        entity_id: r.get(3)?,
        payload: r.get(4)?,
        created_at: r.get(5)?,
        boot: boot_id
            .zip(boot_ms)
            .map(|(boot_id, since_boot_ms)| BootReading {
                boot_id,
                since_boot_ms,
            }),
    })
}

impl Store {
    /// Changes not yet acknowledged by the server, in order.
    pub fn outbox_pending(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {OUTBOX_COLS} FROM outbox WHERE acked_at IS NULL ORDER BY device_seq"
        ))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(entry_from_row(&self.device_id, r)?);
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

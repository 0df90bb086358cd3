//! Which cells have received the office's guidance: a cell received it when a device
//! (not revoked) of its secretary has pulled the commune's log past the guidance's entry.

use chibo_domain::change::Change;
use chibo_domain::model::{Guidance, Id};
use chibo_domain::sync::{Role, Scope};

use crate::accounts::devices::role_of;
use crate::docs::CommuneDocs;
use crate::storage::{StorageResult, Tx};

/// Whether one cell in a guidance's audience has received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellReceipt {
    pub cell_id: Id,
    pub cell_name: String,
    pub received: bool,
}

/// Per guidance of the commune (newest first): its cells, received or not yet. A cell
/// received it when a device (not revoked) of its secretary has pulled the commune's log
/// past the guidance's entry.
pub fn guidance_receipts(
    tx: &mut dyn Tx,
    commune_id: &str,
) -> StorageResult<Vec<(Guidance, Vec<CellReceipt>)>> {
    let scope = Scope::Commune(commune_id.to_string()).to_string();
    // Where each guidance sits in the commune's log.
    let mut seq_of: Vec<(Id, u64)> = Vec::new();
    let mut after = 0;
    loop {
        let rows = tx.log_page(commune_id, &scope, after, 1000)?;
        let Some(last) = rows.last() else { break };
        after = last.server_seq;
        for row in &rows {
            if !row.change_json.contains("\"publish_guidance\"") {
                continue;
            }
            if let Ok(Change::PublishGuidance { guidance }) = serde_json::from_str(&row.change_json)
            {
                seq_of.push((guidance.id, row.server_seq));
            }
        }
    }
    let cursors = tx.device_cursors(commune_id, &scope)?;
    let devices = tx.devices(commune_id)?;
    let persons = tx.persons(commune_id)?;
    // The furthest any live secretary device of each cell has pulled.
    let mut cell_cursor: Vec<(Id, u64)> = Vec::new();
    for (device_id, seq) in &cursors {
        let Some(device) = devices
            .iter()
            .find(|d| &d.id == device_id && d.revoked_at.is_none())
        else {
            continue;
        };
        let Some(person) = persons.iter().find(|p| p.id == device.person_id) else {
            continue;
        };
        if let Some(Role::Secretary { cell_id }) = role_of(person) {
            match cell_cursor.iter_mut().find(|(c, _)| *c == cell_id) {
                Some((_, best)) => *best = (*best).max(*seq),
                None => cell_cursor.push((cell_id, *seq)),
            }
        }
    }
    let docs = CommuneDocs::new(tx, commune_id);
    let cells = docs.cells()?;
    let mut guidances = docs.guidances()?;
    guidances.sort_by(|a, b| b.published_at.cmp(&a.published_at).then(b.id.cmp(&a.id)));
    Ok(guidances
        .into_iter()
        .map(|g| {
            let seq = seq_of.iter().find(|(id, _)| *id == g.id).map(|(_, s)| *s);
            let receipts = cells
                .iter()
                .filter(|c| g.is_for_cell(&c.id))
                .map(|c| CellReceipt {
                    cell_id: c.id.clone(),
                    cell_name: c.name.clone(),
                    received: match seq {
                        Some(seq) => cell_cursor
                            .iter()
                            .any(|(cell, cursor)| *cell == c.id && *cursor >= seq),
                        None => false,
                    },
                })
                .collect();
            (g, receipts)
        })
        .collect())
}

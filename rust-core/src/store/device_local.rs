//! What stays on this device and never syncs: drafts of text being typed (so a crash or
//! a flat battery loses at most the last moments of typing) and the device's settings.

use chibo_domain::EpochMillis;
use rusqlite::{params, OptionalExtension};

use super::error::StoreError;
use super::Store;

impl Store {
    /// Keeps `value` under `key`; an empty value removes the draft.
    pub fn save_draft(
        &mut self,
        key: &str,
        value: &str,
        now: EpochMillis,
    ) -> Result<(), StoreError> {
        if value.is_empty() {
            self.conn
                .execute("DELETE FROM drafts WHERE key = ?1", [key])?;
        } else {
            self.conn.execute(
                "INSERT INTO drafts (key, value, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value,
                                                updated_at = excluded.updated_at",
                params![key, value, now],
            )?;
        }
        Ok(())
    }

    /// The draft under `key`, or an empty string.
    pub fn draft(&self, key: &str) -> Result<String, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM drafts WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or_default())
    }

    /// Removes every draft whose key starts with `prefix` (e.g. a signed meeting's).
    pub fn clear_drafts(&mut self, prefix: &str) -> Result<u64, StoreError> {
        let removed = self.conn.execute(
            "DELETE FROM drafts WHERE substr(key, 1, length(?1)) = ?1",
            [prefix],
        )?;
        Ok(removed as u64)
    }

    pub fn device_setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM device_settings WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_device_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO device_settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

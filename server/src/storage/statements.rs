//! Every [`Tx`] method, written once over a backend's [`Db`]: the same statements run
//! on SQLite and PostgreSQL, in the trait's order (communes and persons, enrolment and
//! devices, acknowledgements, scope logs, documents, clocks, presence secrets, blobs,
//! pull cursors, dashboard users, web sessions, sign-in failures).
//!
//! Inserts that may meet an existing key say `ON CONFLICT DO NOTHING` and report
//! [`StorageError::Conflict`] when nothing was written, so a duplicate never aborts the
//! transaction on PostgreSQL (SQLite's goes on either way).

use super::sql::{args, to_i64, Arg, Column, Db, Row};
use super::*;

// The column lists the row readers below expect, in order.
macro_rules! person_cols {
    () => {
        "id, commune_id, full_name, role, cell_id, cadre_id, created_at"
    };
}
macro_rules! device_cols {
    () => {
        "id, commune_id, person_id, credential_hash, public_key_hex, label, enrolled_at, \
         revoked_at, last_sync_at, last_applied_seq, clock_ahead_ms, clock_flagged_at, key_protection"
    };
}
macro_rules! log_cols {
    () => {
        "scope, server_seq, commune_id, origin_device, device_seq, hlc, created_at, \
         received_at, change"
    };
}
macro_rules! doc_cols {
    () => {
        "commune_id, kind, id, cell_id, ref_id, at, body"
    };
}
macro_rules! dashboard_user_cols {
    () => {
        "id, username, display_name, password_hash, role, commune_id, province_id, \
         created_at, disabled_at"
    };
}
macro_rules! web_session_cols {
    () => {
        "token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at"
    };
}

fn commune_from(mut r: Row) -> StorageResult<CommuneRow> {
    Ok(CommuneRow {
        id: r.text(0)?,
        name: r.text(1)?,
        province_id: r.text(2)?,
        created_at: r.int(3)?,
    })
}

fn person_from(mut r: Row) -> StorageResult<PersonRow> {
    Ok(PersonRow {
        id: r.text(0)?,
        commune_id: r.text(1)?,
        full_name: r.text(2)?,
        role: r.text(3)?,
        cell_id: r.opt_text(4)?,
        cadre_id: r.opt_text(5)?,
        created_at: r.int(6)?,
    })
}

fn enrollment_code_from(mut r: Row) -> StorageResult<EnrollmentCodeRow> {
    Ok(EnrollmentCodeRow {
        code_hash: r.text(0)?,
        commune_id: r.text(1)?,
        person_id: r.text(2)?,
        created_at: r.int(3)?,
        expires_at: r.int(4)?,
        used_at: r.opt_int(5)?,
    })
}

fn device_from(mut r: Row) -> StorageResult<DeviceRow> {
    Ok(DeviceRow {
        id: r.text(0)?,
        commune_id: r.text(1)?,
        person_id: r.text(2)?,
        credential_hash: r.text(3)?,
        public_key_hex: r.text(4)?,
        label: r.text(5)?,
        enrolled_at: r.int(6)?,
        revoked_at: r.opt_int(7)?,
        last_sync_at: r.opt_int(8)?,
        last_applied_seq: r.u64(9)?,
        clock_ahead_ms: r.opt_int(10)?,
        clock_flagged_at: r.opt_int(11)?,
        key_protection: r.opt_text(12)?,
    })
}

fn log_from(mut r: Row) -> StorageResult<LogRow> {
    Ok(LogRow {
        scope: r.text(0)?,
        server_seq: r.u64(1)?,
        commune_id: r.text(2)?,
        origin_device: r.opt_text(3)?,
        device_seq: r.opt_u64(4)?,
        hlc: r.text(5)?,
        created_at: r.int(6)?,
        received_at: r.int(7)?,
        change_json: r.text(8)?,
    })
}

fn doc_from(mut r: Row) -> StorageResult<DocRow> {
    Ok(DocRow {
        commune_id: r.text(0)?,
        kind: r.text(1)?,
        id: r.text(2)?,
        cell_id: r.opt_text(3)?,
        ref_id: r.opt_text(4)?,
        at: r.opt_int(5)?,
        body_json: r.text(6)?,
    })
}

fn blob_ref_from(mut r: Row) -> StorageResult<BlobRef> {
    Ok(BlobRef {
        commune_id: r.text(0)?,
        sha256: r.text(1)?,
        cell_id: r.opt_text(2)?,
    })
}

fn dashboard_user_from(mut r: Row) -> StorageResult<DashboardUserRow> {
    Ok(DashboardUserRow {
        id: r.text(0)?,
        username: r.text(1)?,
        display_name: r.text(2)?,
        password_hash: r.text(3)?,
        role: r.text(4)?,
        commune_id: r.opt_text(5)?,
        province_id: r.opt_text(6)?,
        created_at: r.int(7)?,
        disabled_at: r.opt_int(8)?,
    })
}

fn web_session_from(mut r: Row) -> StorageResult<WebSessionRow> {
    Ok(WebSessionRow {
        token_hash: r.text(0)?,
        user_id: r.text(1)?,
        csrf_token: r.text(2)?,
        created_at: r.int(3)?,
        expires_at: r.int(4)?,
        last_seen_at: r.int(5)?,
    })
}

fn tus_upload_from(mut r: Row) -> StorageResult<TusUploadRow> {
    Ok(TusUploadRow {
        id: r.text(0)?,
        commune_id: r.text(1)?,
        offset: r.u64(2)?,
        info_json: r.text(3)?,
        created_at: r.int(4)?,
    })
}

fn text_from(mut r: Row) -> StorageResult<String> {
    r.text(0)
}

/// The `index`-th outcome of a run's JSON array, as the JSON it was stored as.
fn outcome_in_run(outcomes: &str, index: u64) -> StorageResult<String> {
    let corrupt = |why: String| StorageError::Corrupt(format!("ack_runs: {why}"));
    let all: Vec<serde_json::Value> =
        serde_json::from_str(outcomes).map_err(|e| corrupt(e.to_string()))?;
    usize::try_from(index)
        .ok()
        .and_then(|i| all.get(i))
        .map(|v| v.to_string())
        .ok_or_else(|| corrupt(format!("no outcome #{index}")))
}

/// Every row of a query, read by `from`.
fn all<D: Db + ?Sized, T>(
    db: &mut D,
    sql: &str,
    args: &[Arg<'_>],
    from: impl Fn(Row) -> StorageResult<T>,
) -> StorageResult<Vec<T>> {
    db.query(sql, args)?.into_iter().map(from).collect()
}

/// The first row of a query, if any, read by `from`.
fn one<D: Db + ?Sized, T>(
    db: &mut D,
    sql: &str,
    args: &[Arg<'_>],
    from: impl FnOnce(Row) -> StorageResult<T>,
) -> StorageResult<Option<T>> {
    db.query_one(sql, args)?.map(from).transpose()
}

/// All the rows were written, or `Conflict` (some key already existed).
fn wrote_all(what: &str, written: u64, rows: usize) -> StorageResult<()> {
    if written as usize != rows {
        return Err(StorageError::Conflict(format!("{what}: khóa đã tồn tại")));
    }
    Ok(())
}

impl<D: Db> Tx for D {
    // ------------------------------------------------------------ communes, persons

    fn insert_commune(&mut self, c: &CommuneRow) -> StorageResult<()> {
        self.insert(
            "communes",
            "INSERT INTO communes (id, name, province_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            args![&c.id, &c.name, &c.province_id, c.created_at],
        )
    }

    fn commune(&mut self, id: &str) -> StorageResult<Option<CommuneRow>> {
        one(
            self,
            "SELECT id, name, province_id, created_at FROM communes WHERE id = $1",
            args![id],
            commune_from,
        )
    }

    fn communes(&mut self) -> StorageResult<Vec<CommuneRow>> {
        all(
            self,
            "SELECT id, name, province_id, created_at FROM communes ORDER BY name, id",
            &[],
            commune_from,
        )
    }

    fn insert_person(&mut self, p: &PersonRow) -> StorageResult<()> {
        self.insert(
            "persons",
            concat!(
                "INSERT INTO persons (",
                person_cols!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"
            ),
            args![
                &p.id,
                &p.commune_id,
                &p.full_name,
                &p.role,
                &p.cell_id,
                &p.cadre_id,
                p.created_at,
            ],
        )
    }

    fn person(&mut self, id: &str) -> StorageResult<Option<PersonRow>> {
        one(
            self,
            concat!("SELECT ", person_cols!(), " FROM persons WHERE id = $1"),
            args![id],
            person_from,
        )
    }

    fn persons(&mut self, commune_id: &str) -> StorageResult<Vec<PersonRow>> {
        all(
            self,
            concat!(
                "SELECT ",
                person_cols!(),
                " FROM persons WHERE commune_id = $1 ORDER BY full_name, id"
            ),
            args![commune_id],
            person_from,
        )
    }

    // ------------------------------------------------------------ enrolment, devices

    fn insert_enrollment_code(&mut self, c: &EnrollmentCodeRow) -> StorageResult<()> {
        self.insert(
            "enrollment_codes",
            "INSERT INTO enrollment_codes (code_hash, commune_id, person_id, created_at,
                                           expires_at, used_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            args![
                &c.code_hash,
                &c.commune_id,
                &c.person_id,
                c.created_at,
                c.expires_at,
                c.used_at,
            ],
        )
    }

    fn enrollment_code(&mut self, code_hash: &str) -> StorageResult<Option<EnrollmentCodeRow>> {
        one(
            self,
            "SELECT code_hash, commune_id, person_id, created_at, expires_at, used_at
             FROM enrollment_codes WHERE code_hash = $1",
            args![code_hash],
            enrollment_code_from,
        )
    }

    fn use_enrollment_code(&mut self, code_hash: &str, at: EpochMillis) -> StorageResult<bool> {
        self.execute(
            "UPDATE enrollment_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL",
            args![code_hash, at],
        )
        .map(|n| n == 1)
    }

    fn insert_device(&mut self, d: &DeviceRow) -> StorageResult<()> {
        self.insert(
            "devices",
            concat!(
                "INSERT INTO devices (",
                device_cols!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 ON CONFLICT DO NOTHING"
            ),
            args![
                &d.id,
                &d.commune_id,
                &d.person_id,
                &d.credential_hash,
                &d.public_key_hex,
                &d.label,
                d.enrolled_at,
                d.revoked_at,
                d.last_sync_at,
                to_i64(d.last_applied_seq)?,
                d.clock_ahead_ms,
                d.clock_flagged_at,
                &d.key_protection,
            ],
        )
    }

    fn device(&mut self, id: &str) -> StorageResult<Option<DeviceRow>> {
        one(
            self,
            concat!("SELECT ", device_cols!(), " FROM devices WHERE id = $1"),
            args![id],
            device_from,
        )
    }

    fn device_by_credential(&mut self, credential_hash: &str) -> StorageResult<Option<DeviceRow>> {
        one(
            self,
            concat!(
                "SELECT ",
                device_cols!(),
                " FROM devices WHERE credential_hash = $1"
            ),
            args![credential_hash],
            device_from,
        )
    }

    fn replace_device_credential(&mut self, id: &str, credential_hash: &str) -> StorageResult<()> {
        self.execute(
            "UPDATE devices SET credential_hash = $2 WHERE id = $1",
            args![id, credential_hash],
        )
        .map(drop)
    }

    fn devices(&mut self, commune_id: &str) -> StorageResult<Vec<DeviceRow>> {
        all(
            self,
            concat!(
                "SELECT ",
                device_cols!(),
                " FROM devices WHERE commune_id = $1 ORDER BY enrolled_at, id"
            ),
            args![commune_id],
            device_from,
        )
    }

    fn cadre_device_keys(
        &mut self,
        commune_id: &str,
        cadre_id: &str,
    ) -> StorageResult<Vec<String>> {
        all(
            self,
            "SELECT d.public_key_hex FROM devices d JOIN persons p ON p.id = d.person_id
             WHERE d.commune_id = $1 AND p.commune_id = $1 AND p.role = 'cadre'
               AND p.cadre_id = $2 AND d.revoked_at IS NULL
             ORDER BY d.enrolled_at, d.id",
            args![commune_id, cadre_id],
            text_from,
        )
    }

    fn revoke_device(
        &mut self,
        commune_id: &str,
        id: &str,
        at: EpochMillis,
    ) -> StorageResult<bool> {
        self.execute(
            "UPDATE devices SET revoked_at = $3
             WHERE commune_id = $1 AND id = $2 AND revoked_at IS NULL",
            args![commune_id, id, at],
        )
        .map(|n| n == 1)
    }

    fn update_device_sync(
        &mut self,
        id: &str,
        last_applied_seq: u64,
        last_sync_at: EpochMillis,
    ) -> StorageResult<()> {
        self.execute(
            "UPDATE devices SET last_applied_seq = $2, last_sync_at = $3 WHERE id = $1",
            args![id, to_i64(last_applied_seq)?, last_sync_at],
        )
        .map(drop)
    }

    fn flag_device_clock(&mut self, id: &str, ahead_ms: i64, at: EpochMillis) -> StorageResult<()> {
        self.execute(
            "UPDATE devices SET clock_ahead_ms = $2, clock_flagged_at = $3 WHERE id = $1",
            args![id, ahead_ms, at],
        )
        .map(drop)
    }

    // ------------------------------------------------------------ acknowledgements

    fn ack(&mut self, device_id: &str, device_seq: u64) -> StorageResult<Option<String>> {
        let run = one(
            self,
            "SELECT first_seq, last_seq, outcomes FROM ack_runs
             WHERE device_id = $1 AND first_seq <= $2 ORDER BY first_seq DESC LIMIT 1",
            args![device_id, to_i64(device_seq)?],
            |mut r| Ok((r.u64(0)?, r.u64(1)?, r.text(2)?)),
        )?;
        match run {
            Some((first, last, outcomes)) if device_seq <= last => {
                outcome_in_run(&outcomes, device_seq - first).map(Some)
            }
            // Settled before acknowledgements were kept by runs.
            _ => one(
                self,
                "SELECT outcome FROM acks WHERE device_id = $1 AND device_seq = $2",
                args![device_id, to_i64(device_seq)?],
                text_from,
            ),
        }
    }

    fn insert_ack(&mut self, device_id: &str, device_seq: u64, outcome: &str) -> StorageResult<()> {
        self.insert_acks(device_id, &[(device_seq, outcome.to_string())])
    }

    fn insert_acks(&mut self, device_id: &str, acks: &[(u64, String)]) -> StorageResult<()> {
        if acks.is_empty() {
            return Ok(());
        }
        // Runs of consecutive numbers, each one row.
        let mut runs: Vec<(u64, u64, String)> = Vec::new();
        for (seq, outcome) in acks {
            match runs.last_mut() {
                Some((_, last, outcomes)) if *seq == *last + 1 => {
                    *last = *seq;
                    outcomes.push(',');
                    outcomes.push_str(outcome);
                }
                _ => runs.push((*seq, *seq, format!("[{outcome}"))),
            }
        }
        for (_, _, outcomes) in &mut runs {
            outcomes.push(']');
        }
        let written = self.insert_rows(
            "ack_runs (device_id, first_seq, last_seq, outcomes)",
            &[
                Column::repeat_text(device_id, runs.len()),
                Column::int(&runs, |(first, _, _)| to_i64(*first))?,
                Column::int(&runs, |(_, last, _)| to_i64(*last))?,
                Column::text(&runs, |(_, _, outcomes)| outcomes),
            ],
            "ON CONFLICT DO NOTHING",
        )?;
        wrote_all("ack_runs", written, runs.len())
    }

    // ------------------------------------------------------------ scope logs

    fn next_server_seq(&mut self, commune_id: &str, scope: &str) -> StorageResult<u64> {
        self.reserve_server_seqs(commune_id, scope, 1)
    }

    fn reserve_server_seqs(
        &mut self,
        commune_id: &str,
        scope: &str,
        count: u64,
    ) -> StorageResult<u64> {
        // The row stays locked until commit: see the module documentation.
        let count = to_i64(count.max(1))?;
        let last = self
            .query_one(
                "INSERT INTO scope_counters (commune_id, scope, last_seq) VALUES ($1, $2, $3)
                 ON CONFLICT (commune_id, scope)
                 DO UPDATE SET last_seq = scope_counters.last_seq + EXCLUDED.last_seq
                 RETURNING last_seq",
                args![commune_id, scope, count],
            )?
            .ok_or_else(|| StorageError::Corrupt("không cấp được số thứ tự".into()))?
            .u64(0)?;
        Ok(last + 1 - count as u64)
    }

    fn append_log(&mut self, l: &LogRow) -> StorageResult<()> {
        self.insert(
            "change_log",
            concat!(
                "INSERT INTO change_log (",
                log_cols!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING"
            ),
            args![
                &l.scope,
                to_i64(l.server_seq)?,
                &l.commune_id,
                &l.origin_device,
                l.device_seq.map(to_i64).transpose()?,
                &l.hlc,
                l.created_at,
                l.received_at,
                &l.change_json,
            ],
        )
    }

    fn append_logs(&mut self, rows: &[LogRow]) -> StorageResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let written = self.insert_rows(
            concat!("change_log (", log_cols!(), ")"),
            &[
                Column::text(rows, |l| &l.scope),
                Column::int(rows, |l| to_i64(l.server_seq))?,
                Column::text(rows, |l| &l.commune_id),
                Column::opt_text(rows, |l| l.origin_device.as_deref()),
                Column::opt_int(rows, |l| l.device_seq.map(to_i64).transpose())?,
                Column::text(rows, |l| &l.hlc),
                Column::int(rows, |l| Ok(l.created_at))?,
                Column::int(rows, |l| Ok(l.received_at))?,
                Column::text(rows, |l| &l.change_json),
            ],
            "ON CONFLICT DO NOTHING",
        )?;
        wrote_all("change_log", written, rows.len())
    }

    fn log_page(
        &mut self,
        commune_id: &str,
        scope: &str,
        after: u64,
        limit: u32,
    ) -> StorageResult<Vec<LogRow>> {
        all(
            self,
            concat!(
                "SELECT ",
                log_cols!(),
                " FROM change_log WHERE commune_id = $1 AND scope = $2 AND server_seq > $3
                 ORDER BY server_seq LIMIT $4"
            ),
            args![commune_id, scope, to_i64(after)?, i64::from(limit)],
            log_from,
        )
    }

    fn log_page_for(
        &mut self,
        commune_id: &str,
        scope: &str,
        after: u64,
        limit: u32,
        reader_device: &str,
    ) -> StorageResult<Vec<LogRow>> {
        all(
            self,
            "SELECT scope, server_seq, commune_id, origin_device, device_seq, hlc, created_at, \
             received_at, CASE WHEN origin_device = $5 THEN '' ELSE change END \
             FROM change_log WHERE commune_id = $1 AND scope = $2 AND server_seq > $3 \
             ORDER BY server_seq LIMIT $4",
            args![
                commune_id,
                scope,
                to_i64(after)?,
                i64::from(limit),
                reader_device
            ],
            log_from,
        )
    }

    // ------------------------------------------------------------ entity documents

    fn put_doc(&mut self, d: &DocRow) -> StorageResult<()> {
        self.execute(
            concat!(
                "INSERT INTO docs (",
                doc_cols!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (commune_id, kind, id) DO UPDATE SET cell_id = EXCLUDED.cell_id,
                   ref_id = EXCLUDED.ref_id, at = EXCLUDED.at, body = EXCLUDED.body"
            ),
            args![
                &d.commune_id,
                &d.kind,
                &d.id,
                &d.cell_id,
                &d.ref_id,
                d.at,
                &d.body_json,
            ],
        )
        .map(drop)
    }

    fn put_docs(&mut self, docs: &[DocRow]) -> StorageResult<()> {
        if docs.is_empty() {
            return Ok(());
        }
        self.insert_rows(
            concat!("docs (", doc_cols!(), ")"),
            &[
                Column::text(docs, |d| &d.commune_id),
                Column::text(docs, |d| &d.kind),
                Column::text(docs, |d| &d.id),
                Column::opt_text(docs, |d| d.cell_id.as_deref()),
                Column::opt_text(docs, |d| d.ref_id.as_deref()),
                Column::opt_int(docs, |d| Ok(d.at))?,
                Column::text(docs, |d| &d.body_json),
            ],
            "ON CONFLICT (commune_id, kind, id) DO UPDATE SET cell_id = EXCLUDED.cell_id, \
             ref_id = EXCLUDED.ref_id, at = EXCLUDED.at, body = EXCLUDED.body",
        )
        .map(drop)
    }

    fn doc(&mut self, commune_id: &str, kind: &str, id: &str) -> StorageResult<Option<DocRow>> {
        one(
            self,
            concat!(
                "SELECT ",
                doc_cols!(),
                " FROM docs WHERE commune_id = $1 AND kind = $2 AND id = $3"
            ),
            args![commune_id, kind, id],
            doc_from,
        )
    }

    fn delete_doc(&mut self, commune_id: &str, kind: &str, id: &str) -> StorageResult<()> {
        self.execute(
            "DELETE FROM docs WHERE commune_id = $1 AND kind = $2 AND id = $3",
            args![commune_id, kind, id],
        )
        .map(drop)
    }

    fn docs(
        &mut self,
        commune_id: &str,
        kind: &str,
        filter: &DocFilter,
    ) -> StorageResult<Vec<DocRow>> {
        // Only the filters given go into the statement: one prepared statement per
        // combination, each with a plan that uses its index (a generic `$3 IS NULL OR
        // cell_id = $3` plan would scan the commune).
        let mut sql = String::from(concat!(
            "SELECT ",
            doc_cols!(),
            " FROM docs WHERE commune_id = $1 AND kind = $2"
        ));
        let mut args: Vec<Arg<'_>> = vec![commune_id.into(), kind.into()];
        let conditions: [(&str, Option<Arg<'_>>); 4] = [
            ("cell_id =", filter.cell_id.as_deref().map(Arg::from)),
            ("ref_id =", filter.ref_id.as_deref().map(Arg::from)),
            ("at >=", filter.at_from.map(Arg::from)),
            ("at <", filter.at_until.map(Arg::from)),
        ];
        for (condition, arg) in conditions {
            if let Some(arg) = arg {
                args.push(arg);
                sql += &format!(" AND {condition} ${}", args.len());
            }
        }
        sql += " ORDER BY at NULLS FIRST, id";
        all(self, &sql, &args, doc_from)
    }

    // ------------------------------------------------------------ clocks

    fn entity_clock(&mut self, commune_id: &str, key: &str) -> StorageResult<Option<String>> {
        one(
            self,
            "SELECT hlc FROM entity_clocks WHERE commune_id = $1 AND key = $2",
            args![commune_id, key],
            text_from,
        )
    }

    fn set_entity_clock(&mut self, commune_id: &str, key: &str, hlc: &str) -> StorageResult<()> {
        self.execute(
            "INSERT INTO entity_clocks (commune_id, key, hlc) VALUES ($1, $2, $3)
             ON CONFLICT (commune_id, key) DO UPDATE SET hlc = EXCLUDED.hlc",
            args![commune_id, key, hlc],
        )
        .map(drop)
    }

    fn entity_clocks(
        &mut self,
        commune_id: &str,
        keys: &[String],
    ) -> StorageResult<Vec<(String, String)>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT key, hlc FROM entity_clocks WHERE commune_id = $1 AND key {}",
            Self::DIALECT.one_of(2)
        );
        all(
            self,
            &sql,
            &[commune_id.into(), Arg::TextList(keys)],
            |mut r| Ok((r.text(0)?, r.text(1)?)),
        )
    }

    fn set_entity_clocks(
        &mut self,
        commune_id: &str,
        clocks: &[(String, String)],
    ) -> StorageResult<()> {
        if clocks.is_empty() {
            return Ok(());
        }
        self.insert_rows(
            "entity_clocks (commune_id, key, hlc)",
            &[
                Column::repeat_text(commune_id, clocks.len()),
                Column::text(clocks, |(key, _)| key),
                Column::text(clocks, |(_, hlc)| hlc),
            ],
            "ON CONFLICT (commune_id, key) DO UPDATE SET hlc = EXCLUDED.hlc",
        )
        .map(drop)
    }

    // ------------------------------------------------------------ presence secrets

    fn presence_secret(
        &mut self,
        commune_id: &str,
        meeting_id: &str,
    ) -> StorageResult<Option<String>> {
        one(
            self,
            "SELECT secret_hex FROM presence_secrets WHERE commune_id = $1 AND meeting_id = $2",
            args![commune_id, meeting_id],
            text_from,
        )
    }

    fn insert_presence_secret(
        &mut self,
        commune_id: &str,
        meeting_id: &str,
        secret_hex: &str,
        at: EpochMillis,
    ) -> StorageResult<()> {
        self.insert(
            "presence_secrets",
            "INSERT INTO presence_secrets (commune_id, meeting_id, secret_hex, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            args![commune_id, meeting_id, secret_hex, at],
        )
    }

    // ------------------------------------------------------------ blobs

    fn add_blob_ref(&mut self, b: &BlobRef) -> StorageResult<()> {
        self.execute(
            "INSERT INTO blob_refs (commune_id, sha256, cell_id)
             SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS TEXT) WHERE NOT EXISTS (
               SELECT 1 FROM blob_refs WHERE commune_id = $1 AND sha256 = $2
                 AND cell_id IS NOT DISTINCT FROM $3)",
            args![&b.commune_id, &b.sha256, &b.cell_id],
        )
        .map(drop)
    }

    fn blob_refs(&mut self, sha256: &str) -> StorageResult<Vec<BlobRef>> {
        all(
            self,
            "SELECT commune_id, sha256, cell_id FROM blob_refs WHERE sha256 = $1
             ORDER BY commune_id, cell_id NULLS FIRST",
            args![sha256],
            blob_ref_from,
        )
    }

    // ------------------------------------------------------------ pull cursors

    fn set_device_cursor(
        &mut self,
        device_id: &str,
        commune_id: &str,
        scope: &str,
        server_seq: u64,
    ) -> StorageResult<()> {
        self.execute(
            "INSERT INTO device_cursors (commune_id, scope, device_id, server_seq)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (commune_id, scope, device_id) DO UPDATE
               SET server_seq = EXCLUDED.server_seq
               WHERE EXCLUDED.server_seq > device_cursors.server_seq",
            args![commune_id, scope, device_id, to_i64(server_seq)?],
        )
        .map(drop)
    }

    fn device_cursors(
        &mut self,
        commune_id: &str,
        scope: &str,
    ) -> StorageResult<Vec<(String, u64)>> {
        all(
            self,
            "SELECT device_id, server_seq FROM device_cursors
             WHERE commune_id = $1 AND scope = $2 ORDER BY device_id",
            args![commune_id, scope],
            |mut r| Ok((r.text(0)?, r.u64(1)?)),
        )
    }

    // ------------------------------------------------------------ dashboard users

    fn insert_dashboard_user(&mut self, u: &DashboardUserRow) -> StorageResult<()> {
        self.insert(
            "dashboard_users",
            concat!(
                "INSERT INTO dashboard_users (",
                dashboard_user_cols!(),
                ", username_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT DO NOTHING"
            ),
            args![
                &u.id,
                &u.username,
                &u.display_name,
                &u.password_hash,
                &u.role,
                &u.commune_id,
                &u.province_id,
                u.created_at,
                u.disabled_at,
                &username_key(&u.username),
            ],
        )
    }

    fn dashboard_user(&mut self, id: &str) -> StorageResult<Option<DashboardUserRow>> {
        one(
            self,
            concat!(
                "SELECT ",
                dashboard_user_cols!(),
                " FROM dashboard_users WHERE id = $1"
            ),
            args![id],
            dashboard_user_from,
        )
    }

    fn dashboard_user_by_username(
        &mut self,
        username: &str,
    ) -> StorageResult<Option<DashboardUserRow>> {
        one(
            self,
            concat!(
                "SELECT ",
                dashboard_user_cols!(),
                " FROM dashboard_users WHERE username_key = $1"
            ),
            args![&username_key(username)],
            dashboard_user_from,
        )
    }

    fn dashboard_users(&mut self) -> StorageResult<Vec<DashboardUserRow>> {
        all(
            self,
            concat!(
                "SELECT ",
                dashboard_user_cols!(),
                " FROM dashboard_users ORDER BY username_key, id"
            ),
            &[],
            dashboard_user_from,
        )
    }

    fn update_dashboard_user(&mut self, u: &DashboardUserRow) -> StorageResult<()> {
        self.execute(
            "UPDATE dashboard_users SET display_name = $2, password_hash = $3, disabled_at = $4
             WHERE id = $1",
            args![&u.id, &u.display_name, &u.password_hash, u.disabled_at],
        )
        .map(drop)
    }

    // ------------------------------------------------------------ web sessions

    fn insert_web_session(&mut self, w: &WebSessionRow) -> StorageResult<()> {
        self.insert(
            "web_sessions",
            concat!(
                "INSERT INTO web_sessions (",
                web_session_cols!(),
                ") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
            ),
            args![
                &w.token_hash,
                &w.user_id,
                &w.csrf_token,
                w.created_at,
                w.expires_at,
                w.last_seen_at,
            ],
        )
    }

    fn web_session(&mut self, token_hash: &str) -> StorageResult<Option<WebSessionRow>> {
        one(
            self,
            concat!(
                "SELECT ",
                web_session_cols!(),
                " FROM web_sessions WHERE token_hash = $1"
            ),
            args![token_hash],
            web_session_from,
        )
    }

    fn touch_web_session(
        &mut self,
        token_hash: &str,
        last_seen_at: EpochMillis,
        expires_at: EpochMillis,
    ) -> StorageResult<()> {
        self.execute(
            "UPDATE web_sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1",
            args![token_hash, last_seen_at, expires_at],
        )
        .map(drop)
    }

    fn delete_web_session(&mut self, token_hash: &str) -> StorageResult<()> {
        self.execute(
            "DELETE FROM web_sessions WHERE token_hash = $1",
            args![token_hash],
        )
        .map(drop)
    }

    fn delete_web_sessions_of(&mut self, user_id: &str, keep: Option<&str>) -> StorageResult<()> {
        self.execute(
            "DELETE FROM web_sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2",
            args![user_id, keep],
        )
        .map(drop)
    }

    fn delete_expired_web_sessions(&mut self, now: EpochMillis) -> StorageResult<()> {
        self.execute(
            "DELETE FROM web_sessions WHERE expires_at <= $1",
            args![now],
        )
        .map(drop)
    }

    // ------------------------------------------------------------ sign-in failures

    fn insert_sign_in_failure(
        &mut self,
        username_key: &str,
        client_ip: &str,
        at: EpochMillis,
    ) -> StorageResult<()> {
        self.execute(
            "INSERT INTO sign_in_failures (username_key, client_ip, at) VALUES ($1, $2, $3)",
            args![username_key, client_ip, at],
        )
        .map(drop)
    }

    fn sign_in_failures(
        &mut self,
        username_key: &str,
        client_ip: &str,
        since: EpochMillis,
    ) -> StorageResult<(u64, u64)> {
        let mut count = |sql: &str, value: &str| -> StorageResult<u64> {
            Ok(one(self, sql, args![value, since], |mut r| r.u64(0))?.unwrap_or(0))
        };
        Ok((
            count(
                "SELECT COUNT(*) FROM sign_in_failures WHERE username_key = $1 AND at >= $2",
                username_key,
            )?,
            count(
                "SELECT COUNT(*) FROM sign_in_failures WHERE client_ip = $1 AND at >= $2",
                client_ip,
            )?,
        ))
    }

    fn delete_sign_in_failures_before(&mut self, before: EpochMillis) -> StorageResult<()> {
        self.execute("DELETE FROM sign_in_failures WHERE at < $1", args![before])
            .map(drop)
    }

    // ------------------------------------------------------------ batched reads

    fn docs_by_ids(
        &mut self,
        commune_id: &str,
        kind: &str,
        ids: &[String],
    ) -> StorageResult<Vec<DocRow>> {
        docs_where_in(self, commune_id, kind, "id", ids)
    }

    fn docs_by_refs(
        &mut self,
        commune_id: &str,
        kind: &str,
        refs: &[String],
    ) -> StorageResult<Vec<DocRow>> {
        docs_where_in(self, commune_id, kind, "ref_id", refs)
    }

    fn device_holder(&mut self, credential_hash: &str) -> StorageResult<Option<DeviceHolder>> {
        one(
            self,
            "SELECT d.id, d.commune_id, d.person_id, d.credential_hash, d.public_key_hex,
                    d.label, d.enrolled_at, d.revoked_at, d.last_sync_at, d.last_applied_seq,
                    d.clock_ahead_ms, d.clock_flagged_at, d.key_protection,
                    p.id, p.commune_id, p.full_name, p.role, p.cell_id, p.cadre_id,
                    p.created_at,
                    c.id, c.name, c.province_id, c.created_at
             FROM devices d
             LEFT JOIN persons p ON p.id = d.person_id
             LEFT JOIN communes c ON c.id = d.commune_id
             WHERE d.credential_hash = $1",
            args![credential_hash],
            |mut r| {
                let commune = r.split_off(20);
                let person = r.split_off(13);
                Ok(DeviceHolder {
                    device: device_from(r)?,
                    person: match person.is_null(0) {
                        true => None,
                        false => Some(person_from(person)?),
                    },
                    commune: match commune.is_null(0) {
                        true => None,
                        false => Some(commune_from(commune)?),
                    },
                })
            },
        )
    }

    // ------------------------------------------------------------ tus uploads (shared)

    fn insert_tus_upload(&mut self, row: &TusUploadRow) -> StorageResult<()> {
        self.insert(
            "tus_uploads",
            "INSERT INTO tus_uploads (id, commune_id, upload_offset, info, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            args![
                &row.id,
                &row.commune_id,
                to_i64(row.offset)?,
                &row.info_json,
                row.created_at
            ],
        )
    }

    fn tus_upload(&mut self, commune_id: &str, id: &str) -> StorageResult<Option<TusUploadRow>> {
        one(
            self,
            "SELECT id, commune_id, upload_offset, info, created_at FROM tus_uploads
             WHERE commune_id = $1 AND id = $2",
            args![commune_id, id],
            tus_upload_from,
        )
    }

    fn tus_uploads(&mut self, commune_id: &str) -> StorageResult<Vec<TusUploadRow>> {
        all(
            self,
            "SELECT id, commune_id, upload_offset, info, created_at FROM tus_uploads
             WHERE commune_id = $1 ORDER BY created_at, id",
            args![commune_id],
            tus_upload_from,
        )
    }

    fn update_tus_upload(
        &mut self,
        row: &TusUploadRow,
        expected_offset: u64,
    ) -> StorageResult<bool> {
        let changed = self.execute(
            "UPDATE tus_uploads SET upload_offset = $3, info = $4
             WHERE id = $1 AND upload_offset = $2",
            args![
                &row.id,
                to_i64(expected_offset)?,
                to_i64(row.offset)?,
                &row.info_json
            ],
        )?;
        Ok(changed == 1)
    }

    fn insert_tus_chunk(
        &mut self,
        upload_id: &str,
        offset: u64,
        bytes: &[u8],
    ) -> StorageResult<()> {
        self.insert(
            "tus_chunks",
            "INSERT INTO tus_chunks (upload_id, chunk_offset, bytes) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            args![upload_id, to_i64(offset)?, bytes],
        )
    }

    fn tus_chunk(&mut self, upload_id: &str, offset: u64) -> StorageResult<Option<Vec<u8>>> {
        one(
            self,
            "SELECT bytes FROM tus_chunks WHERE upload_id = $1 AND chunk_offset = $2",
            args![upload_id, to_i64(offset)?],
            |mut r| r.bytes(0),
        )
    }

    fn delete_tus_chunks(&mut self, upload_id: &str) -> StorageResult<()> {
        self.execute(
            "DELETE FROM tus_chunks WHERE upload_id = $1",
            args![upload_id],
        )
        .map(drop)
    }

    fn delete_tus_upload(&mut self, id: &str) -> StorageResult<()> {
        self.execute("DELETE FROM tus_chunks WHERE upload_id = $1", args![id])?;
        self.execute("DELETE FROM tus_uploads WHERE id = $1", args![id])
            .map(drop)
    }

    // ------------------------------------------------------------ attempt limits, blob holders, audit

    fn take_attempt(
        &mut self,
        key: &str,
        now: EpochMillis,
        window_start_before: EpochMillis,
    ) -> StorageResult<u64> {
        Ok(one(
            self,
            "INSERT INTO attempt_limits (key, window_start, count) VALUES ($1, $2, 1)
             ON CONFLICT (key) DO UPDATE SET
               count = CASE WHEN attempt_limits.window_start <= $3 THEN 1
                            ELSE attempt_limits.count + 1 END,
               window_start = CASE WHEN attempt_limits.window_start <= $3 THEN $2
                                   ELSE attempt_limits.window_start END
             RETURNING count",
            args![key, now, window_start_before],
            |mut r| r.u64(0),
        )?
        .unwrap_or(0))
    }

    fn release_attempt(
        &mut self,
        key: &str,
        window_start_before: EpochMillis,
    ) -> StorageResult<()> {
        self.execute(
            "UPDATE attempt_limits SET count = count - 1
             WHERE key = $1 AND window_start > $2 AND count > 0",
            args![key, window_start_before],
        )
        .map(drop)
    }

    fn delete_attempts_before(&mut self, before: EpochMillis) -> StorageResult<()> {
        self.execute(
            "DELETE FROM attempt_limits WHERE window_start <= $1",
            args![before],
        )
        .map(drop)
    }

    fn add_blob_holder(
        &mut self,
        commune_id: &str,
        sha256: &str,
        device_id: &str,
        at: EpochMillis,
    ) -> StorageResult<()> {
        self.execute(
            "INSERT INTO blob_holders (commune_id, sha256, device_id, at)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            args![commune_id, sha256, device_id, at],
        )
        .map(drop)
    }

    fn blob_holders(&mut self, commune_id: &str, sha256: &str) -> StorageResult<Vec<String>> {
        all(
            self,
            "SELECT device_id FROM blob_holders WHERE commune_id = $1 AND sha256 = $2
             ORDER BY device_id",
            args![commune_id, sha256],
            text_from,
        )
    }

    fn append_audit(&mut self, e: &AuditRow) -> StorageResult<()> {
        self.execute(
            "INSERT INTO audit_log (seq, commune_id, at, actor, action, detail, client_ip)
             SELECT COALESCE(MAX(seq), 0) + 1, CAST($1 AS TEXT), CAST($2 AS BIGINT),
                    CAST($3 AS TEXT), CAST($4 AS TEXT), CAST($5 AS TEXT), CAST($6 AS TEXT)
             FROM audit_log",
            args![
                e.commune_id.as_deref(),
                e.at,
                &e.actor,
                &e.action,
                &e.detail,
                &e.client_ip
            ],
        )
        .map(drop)
    }

    fn audit_log(&mut self, commune_id: &str, limit: u32) -> StorageResult<Vec<AuditRow>> {
        all(
            self,
            "SELECT commune_id, at, actor, action, detail, client_ip FROM audit_log
             WHERE commune_id = $1 ORDER BY at DESC, seq DESC LIMIT $2",
            args![commune_id, i64::from(limit)],
            |mut r| {
                Ok(AuditRow {
                    commune_id: r.opt_text(0)?,
                    at: r.int(1)?,
                    actor: r.text(2)?,
                    action: r.text(3)?,
                    detail: r.text(4)?,
                    client_ip: r.text(5)?,
                })
            },
        )
    }

    // ------------------------------------------------------------ province rollup

    fn commune_change_marks(&mut self) -> StorageResult<Vec<(String, u64)>> {
        all(
            self,
            "SELECT commune_id, CAST(SUM(last_seq) AS BIGINT) FROM scope_counters
             GROUP BY commune_id",
            &[],
            |mut r| Ok((r.text(0)?, r.u64(1)?)),
        )
    }

    fn province_communes(&mut self, province_id: &str) -> StorageResult<Vec<CommuneRow>> {
        all(
            self,
            "SELECT id, name, province_id, created_at FROM communes WHERE province_id = $1
             ORDER BY name, id",
            args![province_id],
            commune_from,
        )
    }

    fn province_change_marks(&mut self, province_id: &str) -> StorageResult<Vec<(String, u64)>> {
        all(
            self,
            "SELECT s.commune_id, CAST(SUM(s.last_seq) AS BIGINT) FROM scope_counters s
             JOIN communes c ON c.id = s.commune_id WHERE c.province_id = $1
             GROUP BY s.commune_id",
            args![province_id],
            |mut r| Ok((r.text(0)?, r.u64(1)?)),
        )
    }

    fn docs_across_communes(
        &mut self,
        commune_ids: &[String],
        kind: &str,
        id: &str,
    ) -> StorageResult<Vec<DocRow>> {
        if commune_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            concat!(
                "SELECT ",
                doc_cols!(),
                " FROM docs WHERE kind = $1 AND id = $2 AND commune_id {}"
            ),
            D::DIALECT.one_of(3)
        );
        all(
            self,
            &sql,
            &[kind.into(), id.into(), Arg::TextList(commune_ids)],
            doc_from,
        )
    }
}

/// The documents of a kind whose `column` (`id` or `ref_id`) is one of `values`, in one
/// statement whatever their number: an array on PostgreSQL, a JSON array on SQLite.
fn docs_where_in<D: Db + ?Sized>(
    db: &mut D,
    commune_id: &str,
    kind: &str,
    column: &'static str,
    values: &[String],
) -> StorageResult<Vec<DocRow>> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        concat!(
            "SELECT ",
            doc_cols!(),
            " FROM docs WHERE commune_id = $1 AND kind = $2 AND {} {}"
        ),
        column,
        D::DIALECT.one_of(3)
    );
    all(
        db,
        &sql,
        &[commune_id.into(), kind.into(), Arg::TextList(values)],
        doc_from,
    )
}

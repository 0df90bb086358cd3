//! Upper-level attendance in the store: cadres, working teams, assignments, the
//! commune's visit requirement, meeting presence secrets, check-ins with their verdicts
//! (the server's replacing the device's), photos and the cadres' observations. Written
//! only through the ledger's effects; every rule comes from `chibo_domain`.

use chibo_domain::checkin::{CheckIn, PhotoUse, Verdict};
use chibo_domain::compliance::{Assignment, Cadre, VisitRequirement};
use chibo_domain::ledger::Effect;
use chibo_domain::*;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::codec::*;
use super::error::StoreError;
use super::read::{self, collect};
use super::Store;

/// A check-in's verdict as it stands on this device.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct CheckInVerdict {
    pub verdict: Verdict,
    /// The server's verdict came down and replaced the device's provisional one.
    pub from_server: bool,
}

/// Writes the effect of one of the upper-level attendance changes inside the caller's
/// transaction. Returns the meeting whose cached totals must be recomputed, if any.
pub(super) fn write_visit_effect(
    tx: &Connection,
    effect: Effect,
) -> Result<Option<String>, StoreError> {
    match effect {
        Effect::Cadre(cadre) => {
            tx.prepare(
                "INSERT INTO cadres (id, commune_id, full_name, title) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(id) DO UPDATE SET commune_id = excluded.commune_id,
                   full_name = excluded.full_name, title = excluded.title",
            )?
            .execute(params![
                cadre.id,
                cadre.commune_id,
                cadre.full_name,
                cadre.title
            ])?;
        }
        Effect::WorkingTeam(team) => {
            tx.prepare(
                "INSERT INTO working_teams (id, commune_id, name) VALUES (?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET commune_id = excluded.commune_id,
                   name = excluded.name",
            )?
            .execute(params![team.id, team.commune_id, team.name])?;
        }
        Effect::Assignment(a) => {
            tx.prepare(
                "INSERT INTO assignments (id, cadre_id, cell_id, working_team_id, starts_on,
                                          ends_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(id) DO UPDATE SET cadre_id = excluded.cadre_id,
                   cell_id = excluded.cell_id, working_team_id = excluded.working_team_id,
                   starts_on = excluded.starts_on, ends_on = excluded.ends_on",
            )?
            .execute(params![
                a.id,
                a.cadre_id,
                a.cell_id,
                a.working_team_id,
                a.starts_on.to_string(),
                a.ends_on.map(|d| d.to_string()),
            ])?;
        }
        Effect::VisitRequirement {
            commune_id,
            requirement,
        } => {
            tx.prepare(
                "INSERT INTO visit_requirements (commune_id, per, visits) VALUES (?1, ?2, ?3)
                 ON CONFLICT(commune_id) DO UPDATE SET per = excluded.per,
                   visits = excluded.visits",
            )?
            .execute(params![
                commune_id,
                enum_text(&requirement.per),
                requirement.visits
            ])?;
        }
        Effect::PresenceSecret {
            meeting_id,
            secret_hex,
        } => {
            tx.prepare("INSERT INTO presence_secrets (meeting_id, secret_hex) VALUES (?1, ?2)")?
                .execute(params![meeting_id, secret_hex])?;
        }
        Effect::CheckIn {
            check_in: c,
            verdict,
            delegate,
        } => {
            tx.prepare(
                "INSERT INTO check_ins (id, meeting_id, cell_id, cadre_id, device_id,
                    photo_sha256, gps, device_wall_time, monotonic_ms, server_offset_ms,
                    presence_code, public_key_hex, signature_hex, verdict_status,
                    effective_time, verdict)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )?
            .execute(params![
                c.id,
                c.meeting_id,
                c.cell_id,
                c.cadre_id,
                c.device_id,
                c.photo_sha256,
                json_opt(&c.gps),
                c.device_wall_time,
                c.monotonic_ms,
                c.server_offset_ms,
                c.presence_code,
                c.public_key_hex,
                c.signature_hex,
                enum_text(&verdict.status),
                verdict.effective_time,
                json_text(&verdict),
            ])?;
            return write_delegate(tx, delegate);
        }
        Effect::Photo(p) => {
            tx.prepare(
                "INSERT INTO photos (sha256, meeting_id, check_in_id, width, height, byte_size,
                                     attached_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                p.sha256,
                p.meeting_id,
                p.check_in_id,
                p.width,
                p.height,
                p.byte_size as i64,
                p.attached_at,
            ])?;
        }
        Effect::Observation(o) => {
            tx.prepare(
                "INSERT INTO observations (id, meeting_id, cadre_id, judged, guidance_given,
                                           lessons_exchanged, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(id) DO UPDATE SET judged = excluded.judged,
                   guidance_given = excluded.guidance_given,
                   lessons_exchanged = excluded.lessons_exchanged,
                   recorded_at = excluded.recorded_at",
            )?
            .execute(params![
                o.id,
                o.meeting_id,
                o.cadre_id,
                json_text(&o.judged),
                o.guidance_given,
                o.lessons_exchanged,
                o.recorded_at,
            ])?;
        }
        Effect::CheckInVerdict {
            check_in_id,
            verdict,
            delegate,
        } => {
            tx.prepare(
                "UPDATE check_ins SET verdict = ?2, verdict_status = ?3, effective_time = ?4,
                   verdict_from_server = 1
                 WHERE id = ?1",
            )?
            .execute(params![
                check_in_id,
                json_text(&verdict),
                enum_text(&verdict.status),
                verdict.effective_time,
            ])?;
            return write_delegate(tx, delegate);
        }
        other => unreachable!("not an upper-level attendance effect: {other:?}"),
    }
    Ok(None)
}

/// The meeting's upper-level delegates as a check-in's verdict has them
/// (`ledger::delegate_after`); the meeting's totals follow.
fn write_delegate(
    tx: &Connection,
    delegate: Option<Meeting>,
) -> Result<Option<String>, StoreError> {
    let Some(meeting) = delegate else {
        return Ok(None);
    };
    tx.prepare("UPDATE meetings SET guests = ?2 WHERE id = ?1")?
        .execute(params![meeting.id, json_text(&meeting.guests)])?;
    Ok(Some(meeting.id))
}

fn assignment_from_row(r: &Row<'_>) -> Result<Assignment, StoreError> {
    Ok(Assignment {
        id: r.get(0)?,
        cadre_id: r.get(1)?,
        cell_id: r.get(2)?,
        working_team_id: r.get(3)?,
        starts_on: read::parse_date(&r.get::<_, String>(4)?)?,
        ends_on: r
            .get::<_, Option<String>>(5)?
            .as_deref()
            .map(read::parse_date)
            .transpose()?,
    })
}

/// A check-in with its current verdict (the server's once it came down).
fn check_in_with_verdict(r: &Row<'_>) -> Result<(CheckIn, Verdict), StoreError> {
    read::check_in_from_row(r).map(|(c, v, _)| (c, v))
}

// ---------------------------------------------------------------- queries

impl Store {
    /// The cadre, if this device holds them.
    pub fn cadre(&self, id: &str) -> Result<Option<Cadre>, StoreError> {
        read::cadre(&self.conn, id)
    }

    /// The cell, if this device holds it.
    pub fn cell_if_held(&self, id: &str) -> Result<Option<Cell>, StoreError> {
        read::cell(&self.conn, id)
    }

    /// The meeting, if this device holds it.
    pub fn meeting_if_held(&self, id: &str) -> Result<Option<Meeting>, StoreError> {
        read::meeting(&self.conn, id)
    }

    /// Every stored assignment (all cadres), in start order.
    pub fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        collect(
            &self.conn,
            "SELECT id, cadre_id, cell_id, working_team_id, starts_on, ends_on
             FROM assignments ORDER BY starts_on, id",
            [],
            assignment_from_row,
        )
    }

    /// The stored requirement of a commune (`None`: the commune set none).
    pub fn visit_requirement(
        &self,
        commune_id: &str,
    ) -> Result<Option<VisitRequirement>, StoreError> {
        let row: Option<(String, u32)> = self
            .conn
            .query_row(
                "SELECT per, visits FROM visit_requirements WHERE commune_id = ?1",
                [commune_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(per, visits)| {
            Ok(VisitRequirement {
                per: enum_parse(&per)?,
                visits,
            })
        })
        .transpose()
    }

    /// The meeting's presence secret, if this device holds it (the secretary's does).
    pub fn presence_secret(&self, meeting_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        read::presence_secret(&self.conn, meeting_id)
    }

    /// Photos used by the check-ins and meetings this device holds.
    pub fn photo_uses(&self) -> Result<Vec<PhotoUse>, StoreError> {
        collect(
            &self.conn,
            "SELECT id, photo_sha256 FROM check_ins WHERE photo_sha256 IS NOT NULL
             UNION ALL
             SELECT coalesce(check_in_id, meeting_id), sha256 FROM photos",
            [],
            |r| {
                Ok(PhotoUse {
                    used_by: r.get(0)?,
                    photo_sha256: r.get(1)?,
                })
            },
        )
    }

    /// One cadre's check-ins with their verdicts, newest first.
    pub fn check_ins_of_cadre(
        &self,
        cadre_id: &str,
    ) -> Result<Vec<(CheckIn, Verdict)>, StoreError> {
        collect(
            &self.conn,
            &format!(
                "SELECT {} FROM check_ins WHERE cadre_id = ?1
                 ORDER BY effective_time DESC, seq DESC",
                read::CHECK_IN_COLS
            ),
            [cadre_id],
            check_in_with_verdict,
        )
    }

    /// Check-ins at one cell's meetings, newest first.
    pub fn check_ins_of_cell(&self, cell_id: &str) -> Result<Vec<(CheckIn, Verdict)>, StoreError> {
        collect(
            &self.conn,
            &format!(
                "SELECT {} FROM check_ins WHERE cell_id = ?1
                 ORDER BY effective_time DESC, seq DESC",
                read::CHECK_IN_COLS
            ),
            [cell_id],
            check_in_with_verdict,
        )
    }

    /// Photos attached to a meeting itself, in the order attached.
    pub fn meeting_photos(&self, meeting_id: &str) -> Result<Vec<PhotoAttachment>, StoreError> {
        collect(
            &self.conn,
            "SELECT sha256, meeting_id, check_in_id, width, height, byte_size, attached_at
             FROM photos WHERE meeting_id = ?1 ORDER BY seq",
            [meeting_id],
            |r| {
                Ok(PhotoAttachment {
                    sha256: r.get(0)?,
                    meeting_id: r.get(1)?,
                    check_in_id: r.get(2)?,
                    width: r.get(3)?,
                    height: r.get(4)?,
                    byte_size: r.get::<_, i64>(5)? as u64,
                    attached_at: r.get(6)?,
                })
            },
        )
    }

    /// The cadres' observations of a meeting, in the order recorded.
    pub fn observations(&self, meeting_id: &str) -> Result<Vec<Observation>, StoreError> {
        collect(
            &self.conn,
            &format!(
                "SELECT {} FROM observations WHERE meeting_id = ?1 ORDER BY recorded_at, id",
                read::OBSERVATION_COLS
            ),
            [meeting_id],
            read::observation_from_row,
        )
    }

    /// A check-in's current verdict, and whether it is the server's (final) rather than
    /// the one the cadre's device reached.
    pub fn check_in_verdict(
        &self,
        check_in_id: &str,
    ) -> Result<Option<CheckInVerdict>, StoreError> {
        Ok(
            read::check_in(&self.conn, check_in_id)?.map(|(_, verdict, from_server)| {
                CheckInVerdict {
                    verdict,
                    from_server,
                }
            }),
        )
    }

    /// A cell's meetings held here that are not signed yet, by start time.
    pub fn unsigned_meetings(&self, cell_id: &str) -> Result<Vec<Meeting>, StoreError> {
        collect(
            &self.conn,
            &format!(
                "SELECT {} FROM meetings WHERE cell_id = ?1 AND status != ?2
                 ORDER BY coalesce(actual_start, planned_start), id",
                read::MEETING_COLS
            ),
            params![cell_id, enum_text(&MeetingStatus::Signed)],
            read::meeting_from_row,
        )
    }
}

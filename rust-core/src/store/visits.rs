//! Upper-level attendance in the store: cadres, working teams, assignments, the
//! commune's visit requirement, meeting presence secrets, check-ins with their verdicts,
//! photos and the cadres' observations. Written only through [`Store::apply`]; every
//! rule (scores, editability, hashes) comes from `chibo_domain`.

use chibo_domain::change::Change;
use chibo_domain::checkin::{is_sha256_hex, CheckIn, PhotoUse, Verdict};
use chibo_domain::compliance::{Assignment, Cadre, VisitRequirement, WorkingTeam};
use chibo_domain::rules;
use chibo_domain::*;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::apply::{check_id, require_cell, require_meeting};
use super::codec::*;
use super::error::StoreError;
use super::read;
use super::Store;

/// Name and title shown for a visiting cadre whom this device does not know by name.
const UNKNOWN_CADRE_NAME: &str = "Cấp ủy viên cấp trên";
const UNKNOWN_CADRE_TITLE: &str = "Đảng ủy viên, phụ trách chi bộ";

/// Applies one of the upper-level attendance changes inside the caller's transaction.
/// Returns the meeting whose cached totals must be recomputed, if any.
pub(super) fn apply_visit_change(
    tx: &Connection,
    change: &Change,
) -> Result<Option<String>, StoreError> {
    match change {
        Change::UpsertCadre { cadre } => {
            upsert_cadre(tx, cadre)?;
            Ok(None)
        }
        Change::UpsertWorkingTeam { team } => {
            upsert_working_team(tx, team)?;
            Ok(None)
        }
        Change::UpsertAssignment { assignment } => {
            upsert_assignment(tx, assignment)?;
            Ok(None)
        }
        Change::SetVisitRequirement {
            commune_id,
            requirement,
        } => {
            check_id(commune_id)?;
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
            Ok(None)
        }
        Change::SetPresenceSecret {
            meeting_id,
            secret_hex,
        } => {
            set_presence_secret(tx, meeting_id, secret_hex)?;
            Ok(None)
        }
        Change::RecordCheckIn { check_in, verdict } => record_check_in(tx, check_in, verdict),
        Change::AttachPhoto { photo } => {
            attach_photo(tx, photo)?;
            Ok(None)
        }
        Change::RecordObservation { observation } => {
            record_observation(tx, observation)?;
            Ok(None)
        }
        // Handled by the sync work in progress (petition responses, guidance, verdicts).
        Change::RespondToPetition { .. }
        | Change::PublishGuidance { .. }
        | Change::SetCheckInVerdict { .. } => Err(StoreError::Corrupt(
            "thay đổi này chưa được hỗ trợ trên thiết bị".to_string(),
        )),
        other => unreachable!("not an attendance change: {other:?}"),
    }
}

fn not_blank(text: &str, field: &'static str) -> Result<(), StoreError> {
    if text.trim().is_empty() {
        Err(ValidationError::EmptyField { field }.into())
    } else {
        Ok(())
    }
}

fn upsert_cadre(tx: &Connection, cadre: &Cadre) -> Result<(), StoreError> {
    check_id(&cadre.id)?;
    check_id(&cadre.commune_id)?;
    not_blank(&cadre.full_name, "họ và tên cấp ủy viên")?;
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
    Ok(())
}

fn upsert_working_team(tx: &Connection, team: &WorkingTeam) -> Result<(), StoreError> {
    check_id(&team.id)?;
    check_id(&team.commune_id)?;
    not_blank(&team.name, "tên tổ công tác")?;
    tx.prepare(
        "INSERT INTO working_teams (id, commune_id, name) VALUES (?1, ?2, ?3)
         ON CONFLICT(id) DO UPDATE SET commune_id = excluded.commune_id, name = excluded.name",
    )?
    .execute(params![team.id, team.commune_id, team.name])?;
    Ok(())
}

fn upsert_assignment(tx: &Connection, a: &Assignment) -> Result<(), StoreError> {
    check_id(&a.id)?;
    if cadre(tx, &a.cadre_id)?.is_none() {
        return Err(StoreError::not_found("cadre", a.cadre_id.clone()));
    }
    require_cell(tx, &a.cell_id)?;
    if let Some(team) = &a.working_team_id {
        let found: Option<String> = tx
            .query_row("SELECT id FROM working_teams WHERE id = ?1", [team], |r| {
                r.get(0)
            })
            .optional()?;
        if found.is_none() {
            return Err(StoreError::not_found("working_team", team.clone()));
        }
    }
    if let Some(end) = a.ends_on {
        if end < a.starts_on {
            return Err(ValidationError::EndBeforeStart {
                start: a.starts_on.to_vietnamese(),
                end: end.to_vietnamese(),
            }
            .into());
        }
    }
    tx.prepare(
        "INSERT INTO assignments (id, cadre_id, cell_id, working_team_id, starts_on, ends_on)
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
    Ok(())
}

fn set_presence_secret(
    tx: &Connection,
    meeting_id: &str,
    secret_hex: &str,
) -> Result<(), StoreError> {
    require_meeting(tx, meeting_id)?;
    let valid = hex::decode(secret_hex.trim())
        .map(|b| b.len() == chibo_domain::checkin::PRESENCE_SECRET_LEN)
        .unwrap_or(false);
    if !valid {
        return Err(ValidationError::EmptyField {
            field: "mã bí mật xác nhận (32 byte)",
        }
        .into());
    }
    if presence_secret(tx, meeting_id)?.is_some() {
        return Err(StoreError::AlreadyExists {
            kind: "presence_secret",
            id: meeting_id.to_string(),
        });
    }
    tx.prepare("INSERT INTO presence_secrets (meeting_id, secret_hex) VALUES (?1, ?2)")?
        .execute(params![meeting_id, secret_hex.trim().to_lowercase()])?;
    Ok(())
}

fn record_check_in(
    tx: &Connection,
    c: &CheckIn,
    verdict: &Verdict,
) -> Result<Option<String>, StoreError> {
    for id in [&c.id, &c.meeting_id, &c.cell_id, &c.cadre_id, &c.device_id] {
        check_id(id)?;
    }
    // JSON cannot hold NaN: such a row could never be read back or synced.
    if let Some(gps) = &c.gps {
        if ![gps.latitude, gps.longitude, gps.accuracy_m]
            .iter()
            .all(|v| v.is_finite())
        {
            return Err(ValidationError::InvalidNumber {
                field: "tọa độ GPS",
            }
            .into());
        }
    }
    let exists: Option<i64> = tx
        .query_row("SELECT seq FROM check_ins WHERE id = ?1", [&c.id], |r| {
            r.get(0)
        })
        .optional()?;
    if exists.is_some() {
        return Err(StoreError::AlreadyExists {
            kind: "check_in",
            id: c.id.clone(),
        });
    }
    tx.prepare(
        "INSERT INTO check_ins (id, meeting_id, cell_id, cadre_id, device_id, photo_sha256, gps,
            device_wall_time, monotonic_ms, server_offset_ms, presence_code, public_key_hex,
            signature_hex, verdict_status, effective_time, verdict)
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
        json_text(verdict),
    ])?;
    add_cadre_as_guest(tx, c)
}

/// On a device holding the meeting (the secretary's), the visiting cadre appears among
/// the guests as an upper-level delegate, unless the meeting is signed (frozen) or
/// already lists them.
fn add_cadre_as_guest(tx: &Connection, c: &CheckIn) -> Result<Option<String>, StoreError> {
    let Some(mut meeting) = read::meeting(tx, &c.meeting_id)? else {
        return Ok(None);
    };
    if meeting.is_frozen() || meeting.cell_id != c.cell_id {
        return Ok(None);
    }
    let (name, title) = match cadre(tx, &c.cadre_id)? {
        Some(cadre) => (cadre.full_name, cadre.title),
        None => (
            UNKNOWN_CADRE_NAME.to_string(),
            UNKNOWN_CADRE_TITLE.to_string(),
        ),
    };
    if meeting
        .guests
        .iter()
        .any(|g| g.upper_level && g.name.trim() == name.trim())
    {
        return Ok(None);
    }
    meeting.guests.push(Guest {
        name,
        title,
        upper_level: true,
    });
    tx.prepare("UPDATE meetings SET guests = ?2 WHERE id = ?1")?
        .execute(params![meeting.id, json_text(&meeting.guests)])?;
    Ok(Some(meeting.id))
}

fn attach_photo(tx: &Connection, p: &PhotoAttachment) -> Result<(), StoreError> {
    if !is_sha256_hex(&p.sha256) {
        return Err(ValidationError::EmptyField {
            field: "mã băm SHA-256 của ảnh",
        }
        .into());
    }
    if p.meeting_id.is_none() && p.check_in_id.is_none() {
        return Err(ValidationError::EmptyField {
            field: "buổi họp hoặc lượt điểm danh của ảnh",
        }
        .into());
    }
    if let Some(meeting_id) = &p.meeting_id {
        let meeting = require_meeting(tx, meeting_id)?;
        rules::ensure_editable(&meeting)?;
    }
    if let Some(check_in_id) = &p.check_in_id {
        let found: Option<i64> = tx
            .query_row(
                "SELECT seq FROM check_ins WHERE id = ?1",
                [check_in_id],
                |r| r.get(0),
            )
            .optional()?;
        if found.is_none() {
            return Err(StoreError::not_found("check_in", check_in_id.clone()));
        }
    }
    tx.prepare(
        "INSERT INTO photos (sha256, meeting_id, check_in_id, width, height, byte_size,
                             attached_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        p.sha256.trim().to_lowercase(),
        p.meeting_id,
        p.check_in_id,
        p.width,
        p.height,
        p.byte_size as i64,
        p.attached_at,
    ])?;
    Ok(())
}

fn record_observation(tx: &Connection, o: &Observation) -> Result<(), StoreError> {
    check_id(&o.id)?;
    check_id(&o.meeting_id)?;
    check_id(&o.cadre_id)?;
    rules::validate_judged_scores(&o.judged)?;
    let written = tx
        .prepare(
            "INSERT INTO observations (id, meeting_id, cadre_id, judged, guidance_given,
                                   lessons_exchanged, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(id) DO UPDATE SET judged = excluded.judged,
           guidance_given = excluded.guidance_given,
           lessons_exchanged = excluded.lessons_exchanged, recorded_at = excluded.recorded_at
         WHERE observations.meeting_id = excluded.meeting_id
           AND observations.cadre_id = excluded.cadre_id",
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
    // The id belongs to another meeting's or cadre's observation: refuse, not ignore.
    if written == 0 {
        return Err(StoreError::AlreadyExists {
            kind: "observation",
            id: o.id.clone(),
        });
    }
    Ok(())
}

// ---------------------------------------------------------------- rows

fn cadre(conn: &Connection, id: &str) -> Result<Option<Cadre>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, commune_id, full_name, title FROM cadres WHERE id = ?1",
            [id],
            |r| {
                Ok(Cadre {
                    id: r.get(0)?,
                    commune_id: r.get(1)?,
                    full_name: r.get(2)?,
                    title: r.get(3)?,
                })
            },
        )
        .optional()?)
}

fn presence_secret(conn: &Connection, meeting_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let text: Option<String> = conn
        .query_row(
            "SELECT secret_hex FROM presence_secrets WHERE meeting_id = ?1",
            [meeting_id],
            |r| r.get(0),
        )
        .optional()?;
    text.map(|t| {
        hex::decode(&t).map_err(|e| StoreError::Corrupt(format!("mã bí mật xác nhận: {e}")))
    })
    .transpose()
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

const CHECK_IN_COLS: &str = "id, meeting_id, cell_id, cadre_id, device_id, photo_sha256, gps, \
    device_wall_time, monotonic_ms, server_offset_ms, presence_code, public_key_hex, \
    signature_hex, verdict";

fn check_in_from_row(r: &Row<'_>) -> Result<(CheckIn, Verdict), StoreError> {
    let check_in = CheckIn {
        id: r.get(0)?,
        meeting_id: r.get(1)?,
        cell_id: r.get(2)?,
        cadre_id: r.get(3)?,
        device_id: r.get(4)?,
        photo_sha256: r.get(5)?,
        gps: json_parse_opt(r.get(6)?)?,
        device_wall_time: r.get(7)?,
        monotonic_ms: r.get(8)?,
        server_offset_ms: r.get(9)?,
        presence_code: r.get(10)?,
        public_key_hex: r.get(11)?,
        signature_hex: r.get(12)?,
    };
    let verdict: Verdict = json_parse(&r.get::<_, String>(13)?)?;
    Ok((check_in, verdict))
}

fn collect<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl Fn(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(map(r)?);
    }
    Ok(out)
}

// ---------------------------------------------------------------- queries

impl Store {
    /// The cadre, if this device holds them.
    pub fn cadre(&self, id: &str) -> Result<Option<Cadre>, StoreError> {
        cadre(&self.conn, id)
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
        presence_secret(&self.conn, meeting_id)
    }

    /// Photos used by the check-ins this device holds.
    pub fn check_in_photo_uses(&self) -> Result<Vec<PhotoUse>, StoreError> {
        collect(
            &self.conn,
            "SELECT id, photo_sha256 FROM check_ins WHERE photo_sha256 IS NOT NULL ORDER BY seq",
            [],
            |r| {
                Ok(PhotoUse {
                    check_in_id: r.get(0)?,
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
                "SELECT {CHECK_IN_COLS} FROM check_ins WHERE cadre_id = ?1
                 ORDER BY effective_time DESC, seq DESC"
            ),
            [cadre_id],
            check_in_from_row,
        )
    }

    /// Check-ins at one cell's meetings, newest first.
    pub fn check_ins_of_cell(&self, cell_id: &str) -> Result<Vec<(CheckIn, Verdict)>, StoreError> {
        collect(
            &self.conn,
            &format!(
                "SELECT {CHECK_IN_COLS} FROM check_ins WHERE cell_id = ?1
                 ORDER BY effective_time DESC, seq DESC"
            ),
            [cell_id],
            check_in_from_row,
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
            "SELECT id, meeting_id, cadre_id, judged, guidance_given, lessons_exchanged,
                    recorded_at
             FROM observations WHERE meeting_id = ?1 ORDER BY recorded_at, id",
            [meeting_id],
            |r| {
                Ok(Observation {
                    id: r.get(0)?,
                    meeting_id: r.get(1)?,
                    cadre_id: r.get(2)?,
                    judged: json_parse(&r.get::<_, String>(3)?)?,
                    guidance_given: r.get(4)?,
                    lessons_exchanged: r.get(5)?,
                    recorded_at: r.get(6)?,
                })
            },
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

//! Rows back into the domain model. Every function takes a `&Connection`, so it works
//! the same inside a write transaction (seeing its own writes) and outside.

use std::cell::RefCell;

use chibo_domain::checkin::{CheckIn, Verdict};
use chibo_domain::compliance::{Cadre, WorkingTeam};
use chibo_domain::context::{self, MeetingRef};
use chibo_domain::ledger::{LedgerView, LookupError, Refusal};
use chibo_domain::rules::{PastRollCall, RuleSettings};
use chibo_domain::*;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::codec::*;
use super::error::StoreError;

/// Statuses of a meeting that was held (its record exists).
pub(crate) const HELD: &str = "('recorded', 'signed')";

// ---------------------------------------------------------------- roster

pub(crate) fn cell(conn: &Connection, id: &str) -> Result<Option<Cell>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, commune_id, commune_name, name, kind, meeting_place, meeting_day
         FROM cells WHERE id = ?1",
    )?;
    let mut rows = stmt.query([id])?;
    rows.next()?.map(cell_from_row).transpose()
}

pub(crate) fn cells(conn: &Connection) -> Result<Vec<Cell>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, commune_id, commune_name, name, kind, meeting_place, meeting_day
         FROM cells ORDER BY name, id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(cell_from_row(r)?);
    }
    Ok(out)
}

fn cell_from_row(r: &Row<'_>) -> Result<Cell, StoreError> {
    Ok(Cell {
        id: r.get(0)?,
        commune_id: r.get(1)?,
        commune_name: r.get(2)?,
        name: r.get(3)?,
        kind: enum_parse(&r.get::<_, String>(4)?)?,
        meeting_place: json_parse_opt(r.get(5)?)?,
        meeting_day: r.get(6)?,
    })
}

/// A member moved to a cell this device does not hold reads as a member of that cell.
const MEMBER_COLS: &str = "id, coalesce(moved_to_cell_id, cell_id), full_name, membership, \
                           status, status_since, status_reason, role, party_group";

pub(crate) fn member(conn: &Connection, id: &str) -> Result<Option<Member>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {MEMBER_COLS} FROM members WHERE id = ?1"))?;
    let mut rows = stmt.query([id])?;
    rows.next()?.map(member_from_row).transpose()
}

/// The cell's roster, in every status, in the domain's roster order ([`sort_roster`]).
pub(crate) fn members(conn: &Connection, cell_id: &str) -> Result<Vec<Member>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {MEMBER_COLS} FROM members WHERE cell_id = ?1 AND moved_to_cell_id IS NULL"
    ))?;
    let mut rows = stmt.query([cell_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(member_from_row(r)?);
    }
    sort_roster(&mut out);
    Ok(out)
}

/// The commune's rule settings as last synced; the defaults until the office sets them.
pub(crate) fn rule_settings(
    conn: &Connection,
    commune_id: &str,
) -> Result<RuleSettings, StoreError> {
    let text: Option<String> = conn
        .query_row(
            "SELECT settings FROM rule_settings WHERE commune_id = ?1",
            [commune_id],
            |r| r.get(0),
        )
        .optional()?;
    text.as_deref()
        .map_or_else(|| Ok(RuleSettings::default()), json_parse)
}

fn member_from_row(r: &Row<'_>) -> Result<Member, StoreError> {
    Ok(Member {
        id: r.get(0)?,
        cell_id: r.get(1)?,
        full_name: r.get(2)?,
        membership: enum_parse(&r.get::<_, String>(3)?)?,
        status: enum_parse(&r.get::<_, String>(4)?)?,
        status_since: r
            .get::<_, Option<String>>(5)?
            .map(|t| parse_date(&t))
            .transpose()?,
        status_reason: r.get(6)?,
        role: enum_parse(&r.get::<_, String>(7)?)?,
        party_group: r.get(8)?,
    })
}

pub(crate) fn parse_date(text: &str) -> Result<CalendarDate, StoreError> {
    CalendarDate::parse(text).map_err(|e| StoreError::Corrupt(format!("ngày \"{text}\": {e}")))
}

// ---------------------------------------------------------------- meetings

pub(crate) const MEETING_COLS: &str = "id, cell_id, kind, status, revision, revision_of, \
    planned_start, planned_place, actual_start, actual_end, chair_id, minute_taker_id, \
    guests, thematic_topic, preparation, party_fee_note, conclusion, resolution, \
    minutes_approved, secretary_judgement, final_documents_sent_at, signature";

pub(crate) fn meeting(conn: &Connection, id: &str) -> Result<Option<Meeting>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {MEETING_COLS} FROM meetings WHERE id = ?1"
    ))?;
    let mut rows = stmt.query([id])?;
    rows.next()?.map(meeting_from_row).transpose()
}

pub(crate) fn meeting_from_row(r: &Row<'_>) -> Result<Meeting, StoreError> {
    Ok(Meeting {
        id: r.get(0)?,
        cell_id: r.get(1)?,
        kind: enum_parse(&r.get::<_, String>(2)?)?,
        status: enum_parse(&r.get::<_, String>(3)?)?,
        revision: r.get(4)?,
        revision_of: r.get(5)?,
        planned_start: r.get(6)?,
        planned_place: r.get(7)?,
        actual_start: r.get(8)?,
        actual_end: r.get(9)?,
        chair_id: r.get(10)?,
        minute_taker_id: r.get(11)?,
        guests: json_parse(&r.get::<_, String>(12)?)?,
        thematic_topic: r.get(13)?,
        preparation: json_parse(&r.get::<_, String>(14)?)?,
        party_fee_note: r.get(15)?,
        conclusion: r.get(16)?,
        resolution: json_parse_opt(r.get(17)?)?,
        minutes_approved: r.get(18)?,
        secretary_judgement: json_parse_opt(r.get(19)?)?,
        final_documents_sent_at: r.get(20)?,
        signature: json_parse_opt(r.get(21)?)?,
    })
}

/// The id of the revision that corrects `meeting_id`, if there is one.
pub(crate) fn correction_of(
    conn: &Connection,
    meeting_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare("SELECT id FROM meetings WHERE revision_of = ?1 LIMIT 1")?
        .query_row([meeting_id], |r| r.get(0))
        .optional()?)
}

pub(crate) fn roll_call(
    conn: &Connection,
    meeting_id: &str,
) -> Result<Vec<RollCallEntry>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT member_id, attendance, reason FROM roll_call WHERE meeting_id = ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([meeting_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(RollCallEntry {
            member_id: r.get(0)?,
            attendance: enum_parse(&r.get::<_, String>(1)?)?,
            reason: r.get(2)?,
        });
    }
    Ok(out)
}

pub(crate) fn tasks(conn: &Connection, meeting_id: &str) -> Result<Vec<Task>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, description, assignee_id, deadline FROM tasks WHERE meeting_id = ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([meeting_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(Task {
            id: r.get(0)?,
            description: r.get(1)?,
            assignee_id: r.get(2)?,
            deadline: parse_date(&r.get::<_, String>(3)?)?,
        });
    }
    Ok(out)
}

/// The whole record of a meeting, children in the one order every device shows
/// (`MeetingRecord::sort_children`).
pub(crate) fn record(conn: &Connection, meeting: Meeting) -> Result<MeetingRecord, StoreError> {
    let id = meeting.id.clone();
    let mut record = MeetingRecord::new(meeting);
    record.roll_call = roll_call(conn, &id)?;

    let mut stmt = conn.prepare(
        "SELECT section, title, conclusion FROM agenda_items WHERE meeting_id = ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([&id])?;
    while let Some(r) = rows.next()? {
        record.agenda.push(AgendaItem {
            section: enum_parse(&r.get::<_, String>(0)?)?,
            title: r.get(1)?,
            conclusion: r.get(2)?,
        });
    }

    let mut stmt = conn.prepare(
        "SELECT id, speaker_member_id, speaker_guest_name, gist FROM speeches
         WHERE meeting_id = ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([&id])?;
    while let Some(r) = rows.next()? {
        let member_id: Option<String> = r.get(1)?;
        let guest: Option<String> = r.get(2)?;
        let speaker = match (member_id, guest) {
            (Some(member_id), None) => Speaker::Member { member_id },
            (None, Some(name)) => Speaker::Guest { name },
            _ => return Err(StoreError::Corrupt("người phát biểu không rõ".into())),
        };
        record.speeches.push(Speech {
            id: r.get(0)?,
            speaker,
            gist: r.get(3)?,
        });
    }

    let mut stmt = conn.prepare(
        "SELECT task_id, outcome, note FROM task_reviews WHERE meeting_id = ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([&id])?;
    while let Some(r) = rows.next()? {
        record.task_reviews.push(TaskReview {
            task_id: r.get(0)?,
            outcome: enum_parse(&r.get::<_, String>(1)?)?,
            note: r.get(2)?,
        });
    }

    record.tasks = tasks(conn, &id)?;

    let mut stmt = conn.prepare(
        "SELECT id, question, kind, in_favor, against, abstain FROM votes
         WHERE meeting_id = ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([&id])?;
    while let Some(r) = rows.next()? {
        record.votes.push(VoteTally {
            id: r.get(0)?,
            question: r.get(1)?,
            kind: enum_parse(&r.get::<_, String>(2)?)?,
            in_favor: r.get(3)?,
            against: r.get(4)?,
            abstain: r.get(5)?,
        });
    }

    let mut stmt = conn.prepare(&format!(
        "SELECT {PETITION_COLS} FROM petitions WHERE meeting_id = ?1 ORDER BY seq"
    ))?;
    let mut rows = stmt.query([&id])?;
    while let Some(r) = rows.next()? {
        record.petitions.push(petition_from_row(r)?);
    }
    record.sort_children();
    Ok(record)
}

pub(crate) fn petition_from_row(r: &Row<'_>) -> Result<Petition, StoreError> {
    Ok(Petition {
        id: r.get(0)?,
        cell_id: r.get(1)?,
        meeting_id: r.get(2)?,
        content: r.get(3)?,
        category: enum_parse(&r.get::<_, String>(4)?)?,
        raised_by: r.get(5)?,
        status: enum_parse(&r.get::<_, String>(6)?)?,
        raised_at: r.get(7)?,
    })
}

/// Held, current (not superseded) meetings of a cell that started in `[from, until)`,
/// newest first.
pub(crate) fn held_meetings_between(
    conn: &Connection,
    cell_id: &str,
    from: EpochMillis,
    until: EpochMillis,
    newest_first: bool,
) -> Result<Vec<(String, MeetingKind, EpochMillis)>, StoreError> {
    let order = if newest_first { "DESC" } else { "ASC" };
    let mut stmt = conn.prepare(&format!(
        "SELECT id, kind, coalesce(actual_start, planned_start) AS started FROM meetings m
         WHERE cell_id = ?1 AND status IN {HELD}
           AND coalesce(actual_start, planned_start) >= ?2
           AND coalesce(actual_start, planned_start) < ?3
           AND NOT EXISTS (SELECT 1 FROM meetings r WHERE r.revision_of = m.id)
         ORDER BY started {order}, id {order}"
    ))?;
    let mut rows = stmt.query(params![cell_id, from, until])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push((r.get(0)?, enum_parse(&r.get::<_, String>(1)?)?, r.get(2)?));
    }
    Ok(out)
}

/// The cell's meetings a meeting's context may need (`context::window`), as the domain
/// chooses from them.
fn context_refs(conn: &Connection, meeting: &Meeting) -> Result<Vec<MeetingRef>, StoreError> {
    let (from, until) = context::window(meeting.started_at());
    collect(
        conn,
        "SELECT id, kind, status, coalesce(actual_start, planned_start), revision_of
         FROM meetings
         WHERE cell_id = ?1 AND coalesce(actual_start, planned_start) >= ?2
           AND coalesce(actual_start, planned_start) < ?3",
        params![meeting.cell_id, from, until],
        |r| {
            Ok(MeetingRef {
                id: r.get(0)?,
                kind: enum_parse(&r.get::<_, String>(1)?)?,
                status: enum_parse(&r.get::<_, String>(2)?)?,
                started_at: r.get(3)?,
                revision_of: r.get(4)?,
            })
        },
    )
}

/// The tasks set at the cell's previous regular meeting (`context::previous_regular`):
/// the tasks this meeting reviews.
pub(crate) fn previous_tasks(
    conn: &Connection,
    meeting: &Meeting,
) -> Result<Vec<Task>, StoreError> {
    let refs = context_refs(conn, meeting)?;
    match context::previous_regular(&refs, meeting) {
        Some(previous) => tasks(conn, &previous.id),
        None => Ok(Vec::new()),
    }
}

pub(crate) use chibo_domain::context::year_start;

/// Roll calls of the cell's held meetings earlier in the same (Vietnamese) calendar
/// year, oldest first, current revisions only (`context::earlier_this_year`).
pub(crate) fn earlier_this_year(
    conn: &Connection,
    meeting: &Meeting,
) -> Result<Vec<PastRollCall>, StoreError> {
    let refs = context_refs(conn, meeting)?;
    context::earlier_this_year(&refs, meeting)
        .into_iter()
        .map(|r| {
            Ok(PastRollCall {
                entries: roll_call(conn, &r.id)?,
                meeting_id: r.id.clone(),
                kind: r.kind,
                started_at: r.started_at,
            })
        })
        .collect()
}

// ---------------------------------------------------------------- visits, petitions, guidance

pub(crate) fn cadre(conn: &Connection, id: &str) -> Result<Option<Cadre>, StoreError> {
    Ok(conn
        .prepare("SELECT id, commune_id, full_name, title FROM cadres WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(Cadre {
                id: r.get(0)?,
                commune_id: r.get(1)?,
                full_name: r.get(2)?,
                title: r.get(3)?,
            })
        })
        .optional()?)
}

pub(crate) fn working_team(conn: &Connection, id: &str) -> Result<Option<WorkingTeam>, StoreError> {
    Ok(conn
        .prepare("SELECT id, commune_id, name FROM working_teams WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(WorkingTeam {
                id: r.get(0)?,
                commune_id: r.get(1)?,
                name: r.get(2)?,
            })
        })
        .optional()?)
}

pub(crate) const CHECK_IN_COLS: &str = "id, meeting_id, cell_id, cadre_id, device_id, \
    photo_sha256, gps, device_wall_time, monotonic_ms, server_offset_ms, presence_code, \
    public_key_hex, signature_hex, verdict, verdict_from_server";

/// A check-in, its current verdict, and whether that verdict is the server's.
pub(crate) fn check_in_from_row(r: &Row<'_>) -> Result<(CheckIn, Verdict, bool), StoreError> {
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
    Ok((check_in, verdict, r.get(14)?))
}

pub(crate) fn check_in(
    conn: &Connection,
    id: &str,
) -> Result<Option<(CheckIn, Verdict, bool)>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {CHECK_IN_COLS} FROM check_ins WHERE id = ?1"
    ))?;
    let mut rows = stmt.query([id])?;
    rows.next()?.map(check_in_from_row).transpose()
}

pub(crate) fn presence_secret(
    conn: &Connection,
    meeting_id: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    let text: Option<String> = conn
        .prepare("SELECT secret_hex FROM presence_secrets WHERE meeting_id = ?1")?
        .query_row([meeting_id], |r| r.get(0))
        .optional()?;
    text.map(|t| {
        hex::decode(&t).map_err(|e| StoreError::Corrupt(format!("mã bí mật xác nhận: {e}")))
    })
    .transpose()
}

pub(crate) const OBSERVATION_COLS: &str =
    "id, meeting_id, cadre_id, judged, guidance_given, lessons_exchanged, recorded_at";

pub(crate) fn observation_from_row(r: &Row<'_>) -> Result<Observation, StoreError> {
    Ok(Observation {
        id: r.get(0)?,
        meeting_id: r.get(1)?,
        cadre_id: r.get(2)?,
        judged: json_parse(&r.get::<_, String>(3)?)?,
        guidance_given: r.get(4)?,
        lessons_exchanged: r.get(5)?,
        recorded_at: r.get(6)?,
    })
}

pub(crate) const PETITION_COLS: &str =
    "id, cell_id, meeting_id, content, category, raised_by, status, raised_at";

/// The newest copy of a petition (its status is the same in every copy).
pub(crate) fn petition(conn: &Connection, id: &str) -> Result<Option<Petition>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {PETITION_COLS} FROM petitions WHERE id = ?1 ORDER BY seq DESC LIMIT 1"
    ))?;
    let mut rows = stmt.query([id])?;
    rows.next()?.map(petition_from_row).transpose()
}

pub(crate) const RESPONSE_COLS: &str = "id, petition_id, status, text, responder, responded_at";

pub(crate) fn response_from_row(r: &Row<'_>) -> Result<PetitionResponse, StoreError> {
    Ok(PetitionResponse {
        id: r.get(0)?,
        petition_id: r.get(1)?,
        status: enum_parse(&r.get::<_, String>(2)?)?,
        text: r.get(3)?,
        responder: r.get(4)?,
        responded_at: r.get(5)?,
    })
}

pub(crate) const GUIDANCE_COLS: &str =
    "id, commune_id, kind, title, body, period, cell_ids, attachments, published_at";

pub(crate) fn guidance_from_row(r: &Row<'_>) -> Result<Guidance, StoreError> {
    Ok(Guidance {
        id: r.get(0)?,
        commune_id: r.get(1)?,
        kind: enum_parse(&r.get::<_, String>(2)?)?,
        title: r.get(3)?,
        body: r.get(4)?,
        period: r.get(5)?,
        cell_ids: json_parse(&r.get::<_, String>(6)?)?,
        attachments: json_parse(&r.get::<_, String>(7)?)?,
        published_at: r.get(8)?,
    })
}

/// Runs `sql` and maps every row.
pub(crate) fn collect<T>(
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

/// At most one row of `sql`, mapped.
fn first<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl Fn(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query(params)?;
    rows.next()?.map(map).transpose()
}

// ---------------------------------------------------------------- the ledger's view

/// What `ledger::decide` sees of this store: reads through the caller's connection
/// (inside the write transaction). A failed read reaches `decide` as a `LookupError`;
/// the rich error is kept here so the caller reports the real cause.
pub(crate) struct StoreView<'c> {
    conn: &'c Connection,
    failure: RefCell<Option<StoreError>>,
}

impl<'c> StoreView<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        StoreView {
            conn,
            failure: RefCell::new(None),
        }
    }

    fn read<T>(&self, result: Result<T, StoreError>) -> Result<T, LookupError> {
        result.map_err(|e| {
            let lookup = LookupError(e.to_string());
            self.failure.borrow_mut().get_or_insert(e);
            lookup
        })
    }

    /// The store's error for a refusal: the kept read failure for `Refusal::Lookup`.
    pub(crate) fn error_of(&self, refusal: Refusal) -> StoreError {
        match (refusal, self.failure.borrow_mut().take()) {
            (Refusal::Lookup(_), Some(failure)) => failure,
            (refusal, _) => refusal.into(),
        }
    }
}

impl LedgerView for StoreView<'_> {
    fn cell(&self, id: &str) -> Result<Option<Cell>, LookupError> {
        self.read(cell(self.conn, id))
    }
    fn member(&self, id: &str) -> Result<Option<Member>, LookupError> {
        self.read(member(self.conn, id))
    }
    fn roster(&self, cell_id: &str) -> Result<Vec<Member>, LookupError> {
        self.read(members(self.conn, cell_id))
    }
    fn record(&self, meeting_id: &str) -> Result<Option<MeetingRecord>, LookupError> {
        self.read(
            meeting(self.conn, meeting_id)
                .and_then(|m| m.map(|m| record(self.conn, m)).transpose()),
        )
    }
    fn previous_tasks(&self, meeting: &Meeting) -> Result<Vec<Task>, LookupError> {
        self.read(previous_tasks(self.conn, meeting))
    }
    fn correction_of(&self, meeting_id: &str) -> Result<Option<Id>, LookupError> {
        self.read(correction_of(self.conn, meeting_id))
    }
    fn cadre(&self, id: &str) -> Result<Option<Cadre>, LookupError> {
        self.read(cadre(self.conn, id))
    }
    fn working_team(&self, id: &str) -> Result<Option<WorkingTeam>, LookupError> {
        self.read(working_team(self.conn, id))
    }
    fn check_in(&self, id: &str) -> Result<Option<(CheckIn, Verdict)>, LookupError> {
        self.read(check_in(self.conn, id))
            .map(|found| found.map(|(c, v, _)| (c, v)))
    }
    fn has_presence_secret(&self, meeting_id: &str) -> Result<bool, LookupError> {
        self.read(presence_secret(self.conn, meeting_id).map(|s| s.is_some()))
    }
    fn has_photo(&self, photo: &PhotoAttachment) -> Result<bool, LookupError> {
        self.read(
            first(
                self.conn,
                "SELECT 1 FROM photos WHERE sha256 = ?1 AND meeting_id IS ?2
                   AND check_in_id IS ?3",
                params![photo.sha256, photo.meeting_id, photo.check_in_id],
                |_| Ok(()),
            )
            .map(|found| found.is_some()),
        )
    }
    fn observation(&self, id: &str) -> Result<Option<Observation>, LookupError> {
        let sql = format!("SELECT {OBSERVATION_COLS} FROM observations WHERE id = ?1");
        self.read(first(self.conn, &sql, [id], observation_from_row))
    }
    fn petition(&self, id: &str) -> Result<Option<Petition>, LookupError> {
        self.read(petition(self.conn, id))
    }
    fn petition_response(&self, id: &str) -> Result<Option<PetitionResponse>, LookupError> {
        let sql = format!("SELECT {RESPONSE_COLS} FROM petition_responses WHERE id = ?1");
        self.read(first(self.conn, &sql, [id], response_from_row))
    }
    fn guidance(&self, id: &str) -> Result<Option<Guidance>, LookupError> {
        let sql = format!("SELECT {GUIDANCE_COLS} FROM guidance WHERE id = ?1");
        self.read(first(self.conn, &sql, [id], guidance_from_row))
    }
}

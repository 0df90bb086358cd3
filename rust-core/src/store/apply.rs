//! The one write path. A [`Change`] is decided by the domain's ledger
//! (`chibo_domain::ledger::decide`) against what the store holds, its effect written,
//! and the change appended to the outbox, all in one transaction: either all of it lands
//! or none of it does. Nothing here decides a rule; it only writes rows.

use chibo_domain::change::Change;
use chibo_domain::ledger::{self, Effect, RecordPart};
use chibo_domain::rules::{self, MeetingAssessment, MeetingContext};
use chibo_domain::*;
use rusqlite::{params, Connection};

use super::codec::*;
use super::error::StoreError;
use super::read::StoreView;
use super::{outbox, read, remote, Store};

impl Store {
    /// Validates and writes one change, and appends it to the outbox.
    pub fn apply(&mut self, change: Change, now: EpochMillis) -> Result<(), StoreError> {
        self.apply_all(vec![change], now)
    }

    /// Applies `changes` in order in one transaction (e.g. a whole imported meeting
    /// record): if any is refused, none is written. Each gets its own outbox entry.
    pub fn apply_all(&mut self, changes: Vec<Change>, now: EpochMillis) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let boot = self.boot.reading();
        let tx = self.conn.transaction()?;
        let mut hlc = self.hlc.clone();
        let mut seq = self.next_seq;
        let mut touched: Vec<String> = Vec::new();
        for change in &changes {
            if let Some(meeting_id) = apply_change(&tx, change)? {
                if !touched.contains(&meeting_id) {
                    touched.push(meeting_id);
                }
            }
            hlc = hlc.tick(now);
            remote::set_entity_clocks(&tx, change, &hlc)?;
            outbox::append(&tx, seq, &hlc, change, now, boot.as_ref())?;
            seq += 1;
        }
        for meeting_id in &touched {
            refresh_summaries_from(&tx, meeting_id)?;
        }
        tx.execute(
            "UPDATE device SET hlc = ?1, next_seq = ?2 WHERE singleton = 1",
            params![hlc.to_string(), seq as i64],
        )?;
        tx.commit()?;
        self.hlc = hlc;
        self.next_seq = seq;
        Ok(())
    }

    /// Recomputes the cached totals of every meeting (after an upgrade that added them
    /// or changed a rule they hold).
    pub(crate) fn refresh_all_summaries(&mut self) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let ids: Vec<String> = tx
            .prepare("SELECT id FROM meetings")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for id in ids {
            refresh_summary(&tx, &id)?;
        }
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn backfill_after_upgrade(&mut self) -> Result<(), StoreError> {
        self.refresh_all_summaries()
    }
}

/// Decides one change with the domain's ledger against what the transaction sees.
pub(super) fn decide_in(tx: &Connection, change: &Change) -> Result<Effect, StoreError> {
    let view = StoreView::new(tx);
    ledger::decide(&view, change).map_err(|refusal| view.error_of(refusal))
}

/// Applies one change inside the caller's transaction. Returns the meeting whose cached
/// totals must be recomputed, if any.
fn apply_change(tx: &Connection, change: &Change) -> Result<Option<String>, StoreError> {
    let effect = decide_in(tx, change)?;
    write_effect(tx, effect)
}

/// Writes what `ledger::decide` said a change produces. Returns the meeting whose cached
/// totals must be recomputed, if any.
pub(super) fn write_effect(tx: &Connection, effect: Effect) -> Result<Option<String>, StoreError> {
    match effect {
        Effect::Cell(cell) => write_cell(tx, &cell)?,
        Effect::Member(member) => write_member(tx, &member)?,
        Effect::MemberMovedAway {
            member_id,
            to_cell_id,
            ..
        } => {
            tx.prepare("UPDATE members SET moved_to_cell_id = ?2 WHERE id = ?1")?
                .execute(params![member_id, to_cell_id])?;
        }
        Effect::Record { record, part } => {
            write_record(tx, &record, &part)?;
            return Ok(Some(record.meeting.id));
        }
        Effect::LoosePetition(petition) => write_petition(tx, &petition)?,
        Effect::PetitionResponse { response, petition } => {
            write_response(tx, &response, &petition)?
        }
        Effect::Guidance(guidance) => write_guidance(tx, &guidance)?,
        Effect::RuleSettings {
            commune_id,
            settings,
        } => write_rule_settings(tx, &commune_id, &settings)?,
        Effect::Cadre(_)
        | Effect::WorkingTeam(_)
        | Effect::Assignment(_)
        | Effect::VisitRequirement { .. }
        | Effect::PresenceSecret { .. }
        | Effect::CheckIn { .. }
        | Effect::Photo(_)
        | Effect::Observation(_)
        | Effect::CheckInVerdict { .. } => return super::visits::write_visit_effect(tx, effect),
    }
    Ok(None)
}

pub(super) fn require_cell(tx: &Connection, cell_id: &str) -> Result<Cell, StoreError> {
    read::cell(tx, cell_id)?.ok_or_else(|| StoreError::not_found("cell", cell_id))
}

pub(super) fn require_meeting(tx: &Connection, meeting_id: &str) -> Result<Meeting, StoreError> {
    read::meeting(tx, meeting_id)?.ok_or_else(|| StoreError::not_found("meeting", meeting_id))
}

// ---------------------------------------------------------------- rows

fn write_cell(tx: &Connection, cell: &Cell) -> Result<(), StoreError> {
    tx.prepare(
        "INSERT INTO cells (id, commune_id, commune_name, name, kind, meeting_place, meeting_day)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(id) DO UPDATE SET commune_id = excluded.commune_id,
           commune_name = excluded.commune_name, name = excluded.name, kind = excluded.kind,
           meeting_place = excluded.meeting_place, meeting_day = excluded.meeting_day",
    )?
    .execute(params![
        cell.id,
        cell.commune_id,
        cell.commune_name,
        cell.name,
        enum_text(&cell.kind),
        json_opt(&cell.meeting_place),
        cell.meeting_day,
    ])?;
    Ok(())
}

fn write_member(tx: &Connection, member: &Member) -> Result<(), StoreError> {
    tx.prepare(
        "INSERT INTO members (id, cell_id, full_name, membership, status, status_since,
                              status_reason, role, party_group)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(id) DO UPDATE SET cell_id = excluded.cell_id,
           full_name = excluded.full_name, membership = excluded.membership,
           status = excluded.status, status_since = excluded.status_since,
           status_reason = excluded.status_reason, role = excluded.role,
           party_group = excluded.party_group, moved_to_cell_id = NULL",
    )?
    .execute(params![
        member.id,
        member.cell_id,
        member.full_name,
        enum_text(&member.membership),
        enum_text(&member.status),
        member.status_since.map(|d| d.to_string()),
        member.status_reason,
        enum_text(&member.role),
        member.party_group,
    ])?;
    Ok(())
}

/// Writes the header of `record` and the piece `part` names (every child for a new
/// correction revision).
fn write_record(
    tx: &Connection,
    record: &MeetingRecord,
    part: &RecordPart,
) -> Result<(), StoreError> {
    let meeting_id = &record.meeting.id;
    let insert = matches!(part, RecordPart::Planned | RecordPart::Correction { .. });
    write_meeting(tx, &record.meeting, insert)?;
    let missing = |kind: &'static str, id: &str| {
        StoreError::Corrupt(format!(
            "{kind} {id} không có trong biên bản vừa quyết định"
        ))
    };
    match part {
        RecordPart::Planned | RecordPart::Header | RecordPart::Signed => {}
        RecordPart::Attendance(member_id) => {
            let entry = record
                .roll_call
                .iter()
                .find(|e| e.member_id == *member_id)
                .ok_or_else(|| missing("roll_call", member_id))?;
            write_attendance(tx, meeting_id, entry)?;
        }
        RecordPart::Agenda => write_agenda(tx, meeting_id, &record.agenda)?,
        RecordPart::Speech(id) => {
            let speech = record.speeches.iter().find(|s| s.id == *id);
            write_speech(tx, meeting_id, speech.ok_or_else(|| missing("speech", id))?)?;
        }
        RecordPart::Review(task_id) => {
            let review = record.task_reviews.iter().find(|r| r.task_id == *task_id);
            write_review(
                tx,
                meeting_id,
                review.ok_or_else(|| missing("review", task_id))?,
            )?;
        }
        RecordPart::Task(id) => {
            let task = record.tasks.iter().find(|t| t.id == *id);
            write_task(tx, meeting_id, task.ok_or_else(|| missing("task", id))?)?;
        }
        RecordPart::Vote(id) => {
            let vote = record.votes.iter().find(|v| v.id == *id);
            write_vote(tx, meeting_id, vote.ok_or_else(|| missing("vote", id))?)?;
        }
        RecordPart::Petition(id) => {
            let petition = record.petitions.iter().find(|p| p.id == *id);
            write_petition(tx, petition.ok_or_else(|| missing("petition", id))?)?;
        }
        RecordPart::Correction { .. } => {
            for entry in &record.roll_call {
                write_attendance(tx, meeting_id, entry)?;
            }
            write_agenda(tx, meeting_id, &record.agenda)?;
            for speech in &record.speeches {
                write_speech(tx, meeting_id, speech)?;
            }
            for review in &record.task_reviews {
                write_review(tx, meeting_id, review)?;
            }
            for task in &record.tasks {
                write_task(tx, meeting_id, task)?;
            }
            for vote in &record.votes {
                write_vote(tx, meeting_id, vote)?;
            }
            for petition in &record.petitions {
                write_petition(tx, petition)?;
            }
        }
    }
    Ok(())
}

fn write_meeting(tx: &Connection, m: &Meeting, insert: bool) -> Result<(), StoreError> {
    let sql = if insert {
        "INSERT INTO meetings (id, cell_id, kind, status, revision, revision_of, planned_start,
            planned_place, actual_start, actual_end, chair_id, minute_taker_id, guests,
            thematic_topic, preparation, party_fee_note, conclusion, resolution,
            minutes_approved, secretary_judgement, final_documents_sent_at, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20, ?21, ?22)"
    } else {
        "UPDATE meetings SET cell_id = ?2, kind = ?3, status = ?4, revision = ?5,
            revision_of = ?6, planned_start = ?7, planned_place = ?8, actual_start = ?9,
            actual_end = ?10, chair_id = ?11, minute_taker_id = ?12, guests = ?13,
            thematic_topic = ?14, preparation = ?15, party_fee_note = ?16, conclusion = ?17,
            resolution = ?18, minutes_approved = ?19, secretary_judgement = ?20,
            final_documents_sent_at = ?21, signature = ?22
         WHERE id = ?1"
    };
    tx.prepare(sql)?.execute(params![
        m.id,
        m.cell_id,
        enum_text(&m.kind),
        enum_text(&m.status),
        m.revision,
        m.revision_of,
        m.planned_start,
        m.planned_place,
        m.actual_start,
        m.actual_end,
        m.chair_id,
        m.minute_taker_id,
        json_text(&m.guests),
        m.thematic_topic,
        json_text(&m.preparation),
        m.party_fee_note,
        m.conclusion,
        json_opt(&m.resolution),
        m.minutes_approved,
        json_opt(&m.secretary_judgement),
        m.final_documents_sent_at,
        json_opt(&m.signature),
    ])?;
    Ok(())
}

fn write_attendance(
    tx: &Connection,
    meeting_id: &str,
    e: &RollCallEntry,
) -> Result<(), StoreError> {
    tx.prepare(
        "INSERT INTO roll_call (meeting_id, member_id, attendance, reason)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(meeting_id, member_id) DO UPDATE
         SET attendance = excluded.attendance, reason = excluded.reason",
    )?
    .execute(params![
        meeting_id,
        e.member_id,
        enum_text(&e.attendance),
        e.reason
    ])?;
    Ok(())
}

fn write_agenda(tx: &Connection, meeting_id: &str, items: &[AgendaItem]) -> Result<(), StoreError> {
    tx.prepare("DELETE FROM agenda_items WHERE meeting_id = ?1")?
        .execute([meeting_id])?;
    let mut insert = tx.prepare(
        "INSERT INTO agenda_items (meeting_id, section, title, conclusion)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for item in items {
        insert.execute(params![
            meeting_id,
            enum_text(&item.section),
            item.title,
            item.conclusion
        ])?;
    }
    Ok(())
}

fn write_speech(tx: &Connection, meeting_id: &str, s: &Speech) -> Result<(), StoreError> {
    let (member_id, guest) = match &s.speaker {
        Speaker::Member { member_id } => (Some(member_id), None),
        Speaker::Guest { name } => (None, Some(name)),
    };
    tx.prepare(
        "INSERT INTO speeches (meeting_id, id, speaker_member_id, speaker_guest_name, gist)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(meeting_id, id) DO UPDATE SET
           speaker_member_id = excluded.speaker_member_id,
           speaker_guest_name = excluded.speaker_guest_name, gist = excluded.gist",
    )?
    .execute(params![meeting_id, s.id, member_id, guest, s.gist])?;
    Ok(())
}

fn write_review(tx: &Connection, meeting_id: &str, r: &TaskReview) -> Result<(), StoreError> {
    tx.prepare(
        "INSERT INTO task_reviews (meeting_id, task_id, outcome, note) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(meeting_id, task_id) DO UPDATE
         SET outcome = excluded.outcome, note = excluded.note",
    )?
    .execute(params![
        meeting_id,
        r.task_id,
        enum_text(&r.outcome),
        r.note
    ])?;
    Ok(())
}

fn write_task(tx: &Connection, meeting_id: &str, t: &Task) -> Result<(), StoreError> {
    tx.prepare(
        "INSERT INTO tasks (meeting_id, id, description, assignee_id, deadline)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(meeting_id, id) DO UPDATE SET description = excluded.description,
           assignee_id = excluded.assignee_id, deadline = excluded.deadline",
    )?
    .execute(params![
        meeting_id,
        t.id,
        t.description,
        t.assignee_id,
        t.deadline.to_string()
    ])?;
    Ok(())
}

fn write_vote(tx: &Connection, meeting_id: &str, v: &VoteTally) -> Result<(), StoreError> {
    tx.prepare(
        "INSERT INTO votes (meeting_id, id, question, kind, in_favor, against, abstain)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(meeting_id, id) DO UPDATE SET question = excluded.question,
           kind = excluded.kind, in_favor = excluded.in_favor,
           against = excluded.against, abstain = excluded.abstain",
    )?
    .execute(params![
        meeting_id,
        v.id,
        v.question,
        enum_text(&v.kind),
        v.in_favor,
        v.against,
        v.abstain
    ])?;
    Ok(())
}

fn write_petition(tx: &Connection, p: &Petition) -> Result<(), StoreError> {
    let values = params![
        p.id,
        p.cell_id,
        p.meeting_id,
        p.content,
        enum_text(&p.category),
        p.raised_by,
        enum_text(&p.status),
        p.raised_at
    ];
    let updated = tx
        .prepare(
            "UPDATE petitions SET cell_id = ?2, content = ?4, category = ?5, raised_by = ?6,
               status = ?7, raised_at = ?8
             WHERE id = ?1 AND meeting_id IS ?3",
        )?
        .execute(values)?;
    if updated == 0 {
        tx.prepare(
            "INSERT INTO petitions (id, cell_id, meeting_id, content, category, raised_by,
                                    status, raised_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(values)?;
    }
    Ok(())
}

/// The response, and the petition's new status on every copy of it (the original
/// meeting's and each correction revision's), signed or not: the status is not part of
/// the minutes as signed but of the petition's way since.
fn write_response(
    tx: &Connection,
    r: &PetitionResponse,
    petition: &Petition,
) -> Result<(), StoreError> {
    tx.prepare(
        "INSERT INTO petition_responses (id, petition_id, status, text, responder, responded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        r.id,
        r.petition_id,
        enum_text(&r.status),
        r.text,
        r.responder,
        r.responded_at
    ])?;
    tx.prepare("UPDATE petitions SET status = ?2 WHERE id = ?1")?
        .execute(params![petition.id, enum_text(&petition.status)])?;
    Ok(())
}

fn write_guidance(tx: &Connection, g: &Guidance) -> Result<(), StoreError> {
    tx.prepare(
        "INSERT INTO guidance (id, commune_id, kind, title, body, period, cell_ids, attachments,
                               published_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(id) DO UPDATE SET commune_id = excluded.commune_id, kind = excluded.kind,
           title = excluded.title, body = excluded.body, period = excluded.period,
           cell_ids = excluded.cell_ids, attachments = excluded.attachments,
           published_at = excluded.published_at",
    )?
    .execute(params![
        g.id,
        g.commune_id,
        enum_text(&g.kind),
        g.title,
        g.body,
        g.period,
        json_text(&g.cell_ids),
        json_text(&g.attachments),
        g.published_at
    ])?;
    Ok(())
}

/// Stores the commune's settings and judges every meeting of its cells again with them.
fn write_rule_settings(
    tx: &Connection,
    commune_id: &str,
    settings: &rules::RuleSettings,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO rule_settings (commune_id, settings) VALUES (?1, ?2)
         ON CONFLICT(commune_id) DO UPDATE SET settings = excluded.settings",
        params![commune_id, json_text(settings)],
    )?;
    let ids: Vec<String> = tx
        .prepare(
            "SELECT m.id FROM meetings m JOIN cells c ON c.id = m.cell_id WHERE c.commune_id = ?1",
        )?
        .query_map([commune_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        refresh_summary(tx, &id)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- assessment cache

/// Runs `f` with everything the rules need to judge one meeting, read through `conn`,
/// with the settings the commune last synced.
pub(crate) fn with_context_in<T>(
    conn: &Connection,
    meeting: Meeting,
    f: impl FnOnce(&MeetingContext) -> T,
) -> Result<T, StoreError> {
    let cell = require_cell(conn, &meeting.cell_id)?;
    let settings = read::rule_settings(conn, &cell.commune_id)?;
    let roster = read::members(conn, &cell.id)?;
    let previous_tasks = read::previous_tasks(conn, &meeting)?;
    let earlier_this_year = read::earlier_this_year(conn, &meeting)?;
    let record = read::record(conn, meeting)?;
    let context = MeetingContext {
        cell: &cell,
        roster: &roster,
        record: &record,
        previous_tasks: &previous_tasks,
        earlier_this_year: &earlier_this_year,
        settings: &settings,
    };
    Ok(f(&context))
}

pub(crate) fn assess_in(
    conn: &Connection,
    meeting: Meeting,
) -> Result<MeetingAssessment, StoreError> {
    with_context_in(conn, meeting, rules::assess_meeting)
}

/// Stores the rules' totals for one meeting in its summary columns.
fn refresh_summary(tx: &Connection, meeting_id: &str) -> Result<(), StoreError> {
    let meeting = require_meeting(tx, meeting_id)?;
    let a = assess_in(tx, meeting)?;
    tx.prepare(
        "UPDATE meetings SET summary_present = ?2, summary_expected = ?3,
           summary_rate_percent = ?4, summary_quality_total = ?5, summary_grade = ?6
         WHERE id = ?1",
    )?
    .execute(params![
        meeting_id,
        i64::from(a.attendance.present),
        i64::from(a.attendance.expected),
        a.attendance.rate_percent,
        i64::from(a.quality.total),
        enum_text(&a.quality.grade),
    ])?;
    Ok(())
}

/// Refreshes `meeting_id` and the held meetings whose judgement depends on it: the
/// later ones of the same year (consecutive absences) and the next regular one (last
/// month's tasks).
pub(super) fn refresh_summaries_from(tx: &Connection, meeting_id: &str) -> Result<(), StoreError> {
    refresh_summary(tx, meeting_id)?;
    let meeting = require_meeting(tx, meeting_id)?;
    let start = meeting.started_at();
    let (year, _) = chibo_domain::time::local_year_month(start);
    let later: Vec<(String, String, i64)> = tx
        .prepare(&format!(
            "SELECT id, kind, coalesce(actual_start, planned_start) AS started FROM meetings
             WHERE cell_id = ?1 AND id != ?2 AND status IN {}
               AND coalesce(actual_start, planned_start) > ?3
             ORDER BY started",
            read::HELD
        ))?
        .query_map(params![meeting.cell_id, meeting.id, start], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    let next_year = read::year_start(year + 1);
    let mut next_regular_seen = false;
    for (id, kind, started) in later {
        let kind: MeetingKind = enum_parse(&kind)?;
        let same_year = started < next_year;
        let is_next_regular = !next_regular_seen && kind.is_regular();
        next_regular_seen |= kind.is_regular();
        if same_year || is_next_regular {
            refresh_summary(tx, &id)?;
        } else {
            break;
        }
    }
    Ok(())
}

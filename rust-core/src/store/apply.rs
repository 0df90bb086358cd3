//! The one write path. A [`Change`] is validated by the domain rules against what the
//! store holds, written, and appended to the outbox, all in one transaction: either all
//! of it lands or none of it does.

use chibo_domain::change::Change;
use chibo_domain::rules::{self, MeetingAssessment, MeetingContext, RuleSettings};
use chibo_domain::*;
use rusqlite::{params, Connection};

use super::codec::*;
use super::error::StoreError;
use super::{outbox, read, Store};

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
            outbox::append(&tx, seq, &hlc, change, now)?;
            seq += 1;
        }
        for meeting_id in &touched {
            refresh_summaries_from(&tx, meeting_id, &self.settings)?;
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

    /// Recomputes the cached totals of every meeting (after a settings change or an
    /// upgrade that added them).
    pub(crate) fn refresh_all_summaries(&mut self) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let ids: Vec<String> = tx
            .prepare("SELECT id FROM meetings")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for id in ids {
            refresh_summary(&tx, &id, &self.settings)?;
        }
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn backfill_after_upgrade(&mut self) -> Result<(), StoreError> {
        self.refresh_all_summaries()
    }
}

/// Applies one change inside the caller's transaction. Returns the meeting whose cached
/// totals must be recomputed, if any.
fn apply_change(tx: &Connection, change: &Change) -> Result<Option<String>, StoreError> {
    match change {
        Change::UpsertCell { cell } => {
            upsert_cell(tx, cell)?;
            Ok(None)
        }
        Change::UpsertMember { member } => {
            upsert_member(tx, member)?;
            Ok(None)
        }
        Change::PlanMeeting { meeting } => plan_meeting(tx, meeting).map(Some),
        Change::UpdateMeeting { meeting } => {
            edit_meeting(tx, &meeting.id, |tx, record| {
                let current = &mut record.meeting;
                let edited = Meeting {
                    // What the record's state owns is not editable here: status,
                    // revision and signature follow from their own changes, and the
                    // judged scores from SetJudgedScores.
                    id: current.id.clone(),
                    cell_id: current.cell_id.clone(),
                    status: current.status,
                    revision: current.revision,
                    revision_of: current.revision_of.clone(),
                    secretary_judgement: current.secretary_judgement.clone(),
                    signature: current.signature.clone(),
                    ..meeting.clone()
                };
                check_meeting_people(tx, &edited)?;
                rules::validate_meeting_times(&edited)?;
                *current = edited;
                Ok(Write::HeaderOnly)
            })
        }
        Change::SetAttendance { meeting_id, entry } => {
            edit_meeting(tx, meeting_id, |tx, record| {
                check_member(tx, &entry.member_id, &record.meeting.cell_id)?;
                match record
                    .roll_call
                    .iter_mut()
                    .find(|e| e.member_id == entry.member_id)
                {
                    Some(existing) => *existing = entry.clone(),
                    None => record.roll_call.push(entry.clone()),
                }
                Ok(Write::Attendance(entry))
            })
        }
        Change::SetAgenda { meeting_id, items } => edit_meeting(tx, meeting_id, |_, record| {
            record.agenda = items.clone();
            Ok(Write::Agenda(items))
        }),
        Change::AddSpeech { meeting_id, speech } => edit_meeting(tx, meeting_id, |tx, record| {
            if let Speaker::Member { member_id } = &speech.speaker {
                check_member(tx, member_id, &record.meeting.cell_id)?;
            }
            upsert_by(&mut record.speeches, speech.clone(), |s| s.id == speech.id);
            Ok(Write::Speech(speech))
        }),
        Change::ReviewTask { meeting_id, review } => edit_meeting(tx, meeting_id, |_, record| {
            upsert_by(&mut record.task_reviews, review.clone(), |r| {
                r.task_id == review.task_id
            });
            Ok(Write::Review(review))
        }),
        Change::AddTask { meeting_id, task } => edit_meeting(tx, meeting_id, |tx, record| {
            check_member(tx, &task.assignee_id, &record.meeting.cell_id)?;
            upsert_by(&mut record.tasks, task.clone(), |t| t.id == task.id);
            Ok(Write::Task(task))
        }),
        Change::RecordVote { meeting_id, vote } => edit_meeting(tx, meeting_id, |_, record| {
            upsert_by(&mut record.votes, vote.clone(), |v| v.id == vote.id);
            Ok(Write::Vote(vote))
        }),
        Change::RaisePetition { petition } => raise_petition(tx, petition),
        Change::SetJudgedScores { meeting_id, scores } => {
            edit_meeting(tx, meeting_id, |_, record| {
                rules::validate_judged_scores(scores)?;
                record.meeting.secretary_judgement = Some(scores.clone());
                Ok(Write::HeaderOnly)
            })
        }
        Change::SignMeeting {
            meeting_id,
            signature,
        } => sign_meeting(tx, meeting_id, signature).map(Some),
        Change::StartCorrection {
            original_id,
            revision_id,
            ..
        } => start_correction(tx, original_id, revision_id).map(Some),
        Change::UpsertCadre { .. }
        | Change::UpsertWorkingTeam { .. }
        | Change::UpsertAssignment { .. }
        | Change::SetVisitRequirement { .. }
        | Change::SetPresenceSecret { .. }
        | Change::RecordCheckIn { .. }
        | Change::AttachPhoto { .. }
        | Change::RecordObservation { .. }
        | Change::RespondToPetition { .. }
        | Change::PublishGuidance { .. }
        | Change::SetCheckInVerdict { .. } => super::visits::apply_visit_change(tx, change),
    }
}

// ---------------------------------------------------------------- roster

pub(super) fn require_cell(tx: &Connection, cell_id: &str) -> Result<Cell, StoreError> {
    read::cell(tx, cell_id)?.ok_or_else(|| StoreError::not_found("cell", cell_id))
}

pub(super) fn require_meeting(tx: &Connection, meeting_id: &str) -> Result<Meeting, StoreError> {
    read::meeting(tx, meeting_id)?.ok_or_else(|| StoreError::not_found("meeting", meeting_id))
}

pub(super) fn check_id(id: &str) -> Result<(), StoreError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(ValidationError::InvalidId {
            text: id.to_string(),
        }
        .into())
    }
}

fn upsert_cell(tx: &Connection, cell: &Cell) -> Result<(), StoreError> {
    check_id(&cell.id)?;
    if let Some(place) = &cell.meeting_place {
        rules::validate_meeting_place(place)?;
    }
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

fn upsert_member(tx: &Connection, member: &Member) -> Result<(), StoreError> {
    check_id(&member.id)?;
    require_cell(tx, &member.cell_id)?;
    tx.prepare(
        "INSERT INTO members (id, cell_id, full_name, membership, status, status_since,
                              status_reason, role, party_group)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(id) DO UPDATE SET cell_id = excluded.cell_id,
           full_name = excluded.full_name, membership = excluded.membership,
           status = excluded.status, status_since = excluded.status_since,
           status_reason = excluded.status_reason, role = excluded.role,
           party_group = excluded.party_group",
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

/// The domain's check that `member_id` names a member of `cell_id`.
fn check_member(tx: &Connection, member_id: &str, cell_id: &str) -> Result<(), StoreError> {
    let found = read::member(tx, member_id)?;
    rules::check_member_in_cell(member_id, cell_id, found.as_ref())?;
    Ok(())
}

fn check_meeting_people(tx: &Connection, meeting: &Meeting) -> Result<(), StoreError> {
    for id in [&meeting.chair_id, &meeting.minute_taker_id]
        .into_iter()
        .flatten()
    {
        check_member(tx, id, &meeting.cell_id)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- meetings

/// What an edit of a meeting writes besides the header row.
enum Write<'a> {
    HeaderOnly,
    Attendance(&'a RollCallEntry),
    Agenda(&'a [AgendaItem]),
    Speech(&'a Speech),
    Review(&'a TaskReview),
    Task(&'a Task),
    Vote(&'a VoteTally),
    Petition(&'a Petition),
}

fn upsert_by<T>(items: &mut Vec<T>, item: T, same: impl Fn(&T) -> bool) {
    match items.iter_mut().find(|i| same(i)) {
        Some(existing) => *existing = item,
        None => items.push(item),
    }
}

/// The shape of every edit of an unsigned meeting: load the record, refuse if frozen,
/// let `edit` change it in memory, validate the whole record with the domain rules,
/// advance the status, then write.
fn edit_meeting<'c>(
    tx: &Connection,
    meeting_id: &str,
    edit: impl FnOnce(&Connection, &mut MeetingRecord) -> Result<Write<'c>, StoreError>,
) -> Result<Option<String>, StoreError> {
    let meeting = require_meeting(tx, meeting_id)?;
    rules::ensure_editable(&meeting)?;
    let mut record = read::record(tx, meeting)?;
    let write = edit(tx, &mut record)?;
    validate_record(tx, &record)?;
    record.meeting.status = rules::status_after_edit(&record.meeting);
    write_meeting(tx, &record.meeting, false)?;
    write_child(tx, meeting_id, write)?;
    Ok(Some(meeting_id.to_string()))
}

fn validate_record(tx: &Connection, record: &MeetingRecord) -> Result<(), StoreError> {
    let roster = read::members(tx, &record.meeting.cell_id)?;
    let previous_tasks = read::previous_tasks(tx, &record.meeting)?;
    rules::validate_record(record, &roster, &previous_tasks)?;
    Ok(())
}

fn plan_meeting(tx: &Connection, meeting: &Meeting) -> Result<String, StoreError> {
    check_id(&meeting.id)?;
    if read::meeting(tx, &meeting.id)?.is_some() {
        return Err(StoreError::AlreadyExists {
            kind: "meeting",
            id: meeting.id.clone(),
        });
    }
    require_cell(tx, &meeting.cell_id)?;
    // A plan is always a first, planned revision with nothing decided yet; later edits
    // advance the status (`rules::status_after_edit`).
    let meeting = Meeting {
        status: MeetingStatus::Planned,
        revision: 1,
        revision_of: None,
        secretary_judgement: None,
        signature: None,
        ..meeting.clone()
    };
    check_meeting_people(tx, &meeting)?;
    rules::validate_meeting_times(&meeting)?;
    let record = MeetingRecord::new(meeting.clone());
    validate_record(tx, &record)?;
    write_meeting(tx, &meeting, true)?;
    Ok(meeting.id)
}

fn raise_petition(tx: &Connection, petition: &Petition) -> Result<Option<String>, StoreError> {
    check_id(&petition.id)?;
    require_cell(tx, &petition.cell_id)?;
    match &petition.meeting_id {
        Some(meeting_id) => {
            let meeting = require_meeting(tx, meeting_id)?;
            if meeting.cell_id != petition.cell_id {
                // From this cell's point of view, that meeting does not exist.
                return Err(StoreError::not_found("meeting", meeting_id.clone()));
            }
            edit_meeting(tx, meeting_id, |_, record| {
                upsert_by(&mut record.petitions, petition.clone(), |p| {
                    p.id == petition.id
                });
                Ok(Write::Petition(petition))
            })
        }
        None => {
            write_petition(tx, petition)?;
            Ok(None)
        }
    }
}

fn sign_meeting(
    tx: &Connection,
    meeting_id: &str,
    signature: &Signature,
) -> Result<String, StoreError> {
    let meeting = require_meeting(tx, meeting_id)?;
    rules::ensure_editable(&meeting)?;
    let mut record = read::record(tx, meeting)?;
    record.meeting.signature = Some(signature.clone());
    validate_record(tx, &record)?;
    rules::validate_for_signing(&record)?;
    record.meeting.status = MeetingStatus::Signed;
    write_meeting(tx, &record.meeting, false)?;
    Ok(meeting_id.to_string())
}

/// Copies a signed meeting and all its children into a new, editable revision.
fn start_correction(
    tx: &Connection,
    original_id: &str,
    revision_id: &str,
) -> Result<String, StoreError> {
    check_id(revision_id)?;
    let original = require_meeting(tx, original_id)?;
    if !original.is_frozen() {
        return Err(ValidationError::CorrectionOfUnsigned {
            meeting_id: original_id.to_string(),
        }
        .into());
    }
    if let Some(existing) = read::correction_of(tx, original_id)? {
        return Err(StoreError::AlreadyCorrected {
            meeting_id: original_id.to_string(),
            revision_id: existing,
        });
    }
    if read::meeting(tx, revision_id)?.is_some() {
        return Err(StoreError::AlreadyExists {
            kind: "meeting",
            id: revision_id.to_string(),
        });
    }
    let revision = Meeting {
        id: revision_id.to_string(),
        status: MeetingStatus::Recorded,
        revision: original.revision + 1,
        revision_of: Some(original.id.clone()),
        signature: None,
        ..original
    };
    write_meeting(tx, &revision, true)?;
    for sql in [
        "INSERT INTO roll_call (meeting_id, member_id, attendance, reason)
         SELECT ?2, member_id, attendance, reason FROM roll_call WHERE meeting_id = ?1 ORDER BY seq",
        "INSERT INTO agenda_items (meeting_id, section, title, conclusion)
         SELECT ?2, section, title, conclusion FROM agenda_items WHERE meeting_id = ?1 ORDER BY seq",
        "INSERT INTO speeches (meeting_id, id, speaker_member_id, speaker_guest_name, gist)
         SELECT ?2, id, speaker_member_id, speaker_guest_name, gist FROM speeches
         WHERE meeting_id = ?1 ORDER BY seq",
        "INSERT INTO task_reviews (meeting_id, task_id, outcome, note)
         SELECT ?2, task_id, outcome, note FROM task_reviews WHERE meeting_id = ?1 ORDER BY seq",
        "INSERT INTO tasks (meeting_id, id, description, assignee_id, deadline)
         SELECT ?2, id, description, assignee_id, deadline FROM tasks WHERE meeting_id = ?1 ORDER BY seq",
        "INSERT INTO votes (meeting_id, id, question, kind, in_favor, against, abstain)
         SELECT ?2, id, question, kind, in_favor, against, abstain FROM votes
         WHERE meeting_id = ?1 ORDER BY seq",
        "INSERT INTO petitions (id, cell_id, meeting_id, content, category, raised_by, status, raised_at)
         SELECT id, cell_id, ?2, content, category, raised_by, status, raised_at FROM petitions
         WHERE meeting_id = ?1 ORDER BY seq",
    ] {
        tx.prepare(sql)?.execute([original_id, revision_id])?;
    }
    Ok(revision_id.to_string())
}

// ---------------------------------------------------------------- rows

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

fn write_child(tx: &Connection, meeting_id: &str, write: Write<'_>) -> Result<(), StoreError> {
    match write {
        Write::HeaderOnly => {}
        Write::Attendance(e) => {
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
        }
        Write::Agenda(items) => {
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
        }
        Write::Speech(s) => {
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
        }
        Write::Review(r) => {
            tx.prepare(
                "INSERT INTO task_reviews (meeting_id, task_id, outcome, note) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(meeting_id, task_id) DO UPDATE
                 SET outcome = excluded.outcome, note = excluded.note",
            )?
            .execute(params![meeting_id, r.task_id, enum_text(&r.outcome), r.note])?;
        }
        Write::Task(t) => {
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
        }
        Write::Vote(v) => {
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
        }
        Write::Petition(p) => write_petition(tx, p)?,
    }
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

// ---------------------------------------------------------------- assessment cache

/// Runs `f` with everything the rules need to judge one meeting, read through `conn`.
pub(crate) fn with_context_in<T>(
    conn: &Connection,
    meeting: Meeting,
    settings: &RuleSettings,
    f: impl FnOnce(&MeetingContext) -> T,
) -> Result<T, StoreError> {
    let cell = require_cell(conn, &meeting.cell_id)?;
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
        settings,
    };
    Ok(f(&context))
}

pub(crate) fn assess_in(
    conn: &Connection,
    meeting: Meeting,
    settings: &RuleSettings,
) -> Result<MeetingAssessment, StoreError> {
    with_context_in(conn, meeting, settings, rules::assess_meeting)
}

/// Stores the rules' totals for one meeting in its summary columns.
fn refresh_summary(
    tx: &Connection,
    meeting_id: &str,
    settings: &RuleSettings,
) -> Result<(), StoreError> {
    let meeting = require_meeting(tx, meeting_id)?;
    let a = assess_in(tx, meeting, settings)?;
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
fn refresh_summaries_from(
    tx: &Connection,
    meeting_id: &str,
    settings: &RuleSettings,
) -> Result<(), StoreError> {
    refresh_summary(tx, meeting_id, settings)?;
    let meeting = require_meeting(tx, meeting_id)?;
    let start = read::started_at(&meeting);
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
            refresh_summary(tx, &id, settings)?;
        } else {
            break;
        }
    }
    Ok(())
}

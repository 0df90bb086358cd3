//! What the screens show: plain records for the façade, built from a few indexed
//! queries. Numbers about a meeting come from `rules::assess_meeting`, either live or
//! from the totals cached when the meeting last changed.

use chibo_domain::change::Change;
use chibo_domain::rules::{
    self, CellViability, MeetingAssessment, MeetingContext, PastRollCall, QualityGrade,
    RuleSettings, Warning,
};
use chibo_domain::time::local_date;
use chibo_domain::*;
use rusqlite::{params, Row};

use super::apply::{assess_in, with_context_in};
use super::codec::*;
use super::error::StoreError;
use super::read::{self, HELD, MEETING_COLS};
use super::Store;

/// The home screen of a cell.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct HomeSummary {
    pub cell: Cell,
    /// The meeting in progress, or else the earliest one planned.
    pub next_meeting: Option<Meeting>,
    /// The latest held meeting (recorded or signed), current revision.
    pub last_meeting: Option<MeetingSummary>,
    pub last_meeting_warnings: Vec<Warning>,
    /// Tasks set at the latest held regular meeting and not yet reviewed as done.
    pub open_tasks: Vec<OpenTask>,
    /// Every member status, in a fixed order, with how many members hold it.
    pub members_by_status: Vec<StatusCount>,
    pub viability: CellViability,
    /// Changes waiting to be sent to the commune.
    pub pending_changes: u64,
}

#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct OpenTask {
    pub task: Task,
    pub assignee_name: String,
    /// The meeting that set the task.
    pub meeting_id: String,
    /// The deadline has passed (Vietnam date) and nobody reported it done.
    pub overdue: bool,
}

#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct StatusCount {
    pub status: MemberStatus,
    pub count: u32,
}

/// One line of the meeting history.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct MeetingSummary {
    pub meeting_id: String,
    pub kind: MeetingKind,
    pub status: MeetingStatus,
    pub revision: u32,
    pub planned_start: i64,
    pub actual_start: Option<i64>,
    pub duration_minutes: Option<i64>,
    pub present: u32,
    pub expected: u32,
    pub attendance_rate_percent: Option<f64>,
    /// Only for a held (recorded or signed) meeting.
    pub quality_total: Option<u32>,
    pub grade: Option<QualityGrade>,
}

#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct MemberAttendanceRow {
    pub meeting_id: String,
    pub started_at: i64,
    pub kind: MeetingKind,
    pub attendance: Attendance,
    pub reason: Option<String>,
}

/// A member's roll-call marks over the held meetings of one calendar year.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct MemberYearAttendance {
    pub member_id: String,
    pub full_name: String,
    /// Meetings in which the member was on the roll call.
    pub meetings: u32,
    /// Present or late.
    pub present: u32,
    pub absent_excused: u32,
    pub absent_unexcused: u32,
    /// Exempt or attached elsewhere.
    pub not_expected: u32,
}

const NOT_SUPERSEDED: &str = "NOT EXISTS (SELECT 1 FROM meetings r WHERE r.revision_of = m.id)";

fn summary(
    meeting: &Meeting,
    present: u32,
    expected: u32,
    rate: Option<f64>,
    total: Option<u32>,
    grade: Option<QualityGrade>,
) -> MeetingSummary {
    let held = meeting.status.is_held();
    MeetingSummary {
        meeting_id: meeting.id.clone(),
        kind: meeting.kind,
        status: meeting.status,
        revision: meeting.revision,
        planned_start: meeting.planned_start,
        actual_start: meeting.actual_start,
        duration_minutes: meeting.duration_minutes(),
        present,
        expected,
        attendance_rate_percent: rate,
        quality_total: total.filter(|_| held),
        grade: grade.filter(|_| held),
    }
}

fn summary_from_assessment(meeting: &Meeting, a: &MeetingAssessment) -> MeetingSummary {
    summary(
        meeting,
        a.attendance.present,
        a.attendance.expected,
        a.attendance.rate_percent,
        Some(a.quality.total),
        Some(a.quality.grade),
    )
}

/// A meeting row selected as `MEETING_COLS` followed by the five summary columns.
fn summary_from_row(r: &Row<'_>) -> Result<MeetingSummary, StoreError> {
    let meeting = read::meeting_from_row(r)?;
    let grade: Option<String> = r.get(26)?;
    Ok(summary(
        &meeting,
        r.get::<_, Option<u32>>(22)?.unwrap_or(0),
        r.get::<_, Option<u32>>(23)?.unwrap_or(0),
        r.get(24)?,
        r.get(25)?,
        grade.as_deref().map(enum_parse).transpose()?,
    ))
}

const SUMMARY_COLS: &str = "summary_present, summary_expected, summary_rate_percent, \
                            summary_quality_total, summary_grade";

impl Store {
    // ------------------------------------------------------------ the record

    pub fn cell(&self, id: &str) -> Result<Cell, StoreError> {
        read::cell(&self.conn, id)?.ok_or_else(|| StoreError::not_found("cell", id))
    }

    pub fn cells(&self) -> Result<Vec<Cell>, StoreError> {
        read::cells(&self.conn)
    }

    /// The cell's roster in every status, by role (secretary first) then name.
    pub fn members(&self, cell_id: &str) -> Result<Vec<Member>, StoreError> {
        self.cell(cell_id)?;
        read::members(&self.conn, cell_id)
    }

    pub fn member(&self, id: &str) -> Result<Member, StoreError> {
        read::member(&self.conn, id)?.ok_or_else(|| StoreError::not_found("member", id))
    }

    pub fn meeting(&self, id: &str) -> Result<Meeting, StoreError> {
        read::meeting(&self.conn, id)?.ok_or_else(|| StoreError::not_found("meeting", id))
    }

    /// The meeting and all its children, in the order they were written.
    pub fn meeting_record(&self, id: &str) -> Result<MeetingRecord, StoreError> {
        read::record(&self.conn, self.meeting(id)?)
    }

    /// The tasks this meeting reviews: those set at the cell's previous held
    /// regular-kind meeting (its newest revision).
    pub fn previous_tasks(&self, meeting_id: &str) -> Result<Vec<Task>, StoreError> {
        read::previous_tasks(&self.conn, &self.meeting(meeting_id)?)
    }

    /// Roll calls of the cell's held meetings earlier in the same calendar year
    /// (Vietnam time), oldest first, superseded revisions left out.
    pub fn earlier_this_year(&self, meeting_id: &str) -> Result<Vec<PastRollCall>, StoreError> {
        read::earlier_this_year(&self.conn, &self.meeting(meeting_id)?)
    }

    /// The rules' verdict on a meeting (attendance, quality score, warnings), judged
    /// with the commune's synced rule settings.
    pub fn assess(&self, meeting_id: &str) -> Result<MeetingAssessment, StoreError> {
        assess_in(&self.conn, self.meeting(meeting_id)?)
    }

    /// Runs `f` with everything the rules need to judge one meeting.
    pub fn with_meeting_context<T>(
        &self,
        meeting_id: &str,
        f: impl FnOnce(&MeetingContext) -> T,
    ) -> Result<T, StoreError> {
        with_context_in(&self.conn, self.meeting(meeting_id)?, f)
    }

    /// The commune's settings for the rules, as the office last set them (the defaults
    /// until it does). Read-only here: only the office changes them.
    pub fn rule_settings(&self, commune_id: &str) -> Result<RuleSettings, StoreError> {
        read::rule_settings(&self.conn, commune_id)
    }

    /// The pending outbox entries parsed back into changes.
    pub fn outbox_changes(&self) -> Result<Vec<Change>, StoreError> {
        self.outbox_pending()?.iter().map(|e| e.change()).collect()
    }

    // ------------------------------------------------------------ screens

    /// Everything the home screen of a cell shows, in one call.
    pub fn home(&self, cell_id: &str, now: EpochMillis) -> Result<HomeSummary, StoreError> {
        let conn = &self.conn;
        let cell = self.cell(cell_id)?;
        let roster = read::members(conn, cell_id)?;

        let next_meeting = conn
            .prepare(&format!(
                "SELECT {MEETING_COLS} FROM meetings m
                 WHERE cell_id = ?1 AND status IN (?2, ?3) AND {NOT_SUPERSEDED}
                 ORDER BY status = ?3 DESC, planned_start, id LIMIT 1"
            ))?
            .query(params![
                cell_id,
                enum_text(&MeetingStatus::Planned),
                enum_text(&MeetingStatus::InProgress)
            ])?
            .next()?
            .map(read::meeting_from_row)
            .transpose()?;

        let last = read::held_meetings_between(conn, cell_id, i64::MIN, i64::MAX, true)?;
        let (last_meeting, last_meeting_warnings) = match last.first() {
            Some((id, _, _)) => {
                let meeting = self.meeting(id)?;
                let assessment = assess_in(conn, meeting.clone())?;
                (
                    Some(summary_from_assessment(&meeting, &assessment)),
                    assessment.warnings,
                )
            }
            None => (None, Vec::new()),
        };

        let mut open_tasks = Vec::new();
        if let Some((meeting_id, _, _)) = last.iter().find(|(_, kind, _)| kind.is_regular()) {
            let today = local_date(now);
            let mut done = conn.prepare(&format!(
                "SELECT EXISTS (SELECT 1 FROM task_reviews tr JOIN meetings m ON m.id = tr.meeting_id
                 WHERE tr.task_id = ?1 AND tr.outcome = ?2 AND m.cell_id = ?3 AND {NOT_SUPERSEDED})"
            ))?;
            for task in read::tasks(conn, meeting_id)? {
                let is_done: bool = done.query_row(
                    params![task.id, enum_text(&TaskOutcome::Done), cell_id],
                    |r| r.get(0),
                )?;
                if is_done {
                    continue;
                }
                let assignee_name = match roster.iter().find(|m| m.id == task.assignee_id) {
                    Some(m) => m.full_name.clone(),
                    None => self.member(&task.assignee_id)?.full_name,
                };
                open_tasks.push(OpenTask {
                    overdue: rules::task_overdue(&task, today),
                    assignee_name,
                    meeting_id: meeting_id.clone(),
                    task,
                });
            }
        }

        let members_by_status = MemberStatus::ALL
            .iter()
            .map(|&status| StatusCount {
                status,
                count: roster.iter().filter(|m| m.status == status).count() as u32,
            })
            .collect();

        Ok(HomeSummary {
            cell,
            next_meeting,
            last_meeting,
            last_meeting_warnings,
            open_tasks,
            members_by_status,
            viability: rules::cell_viability(&roster),
            pending_changes: self.pending_change_count()?,
        })
    }

    /// The cell's meetings, newest first, each in its current revision only.
    pub fn meeting_history(&self, cell_id: &str) -> Result<Vec<MeetingSummary>, StoreError> {
        self.cell(cell_id)?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {MEETING_COLS}, {SUMMARY_COLS} FROM meetings m
             WHERE cell_id = ?1 AND {NOT_SUPERSEDED}
             ORDER BY coalesce(actual_start, planned_start) DESC, id DESC"
        ))?;
        let mut rows = stmt.query([cell_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(summary_from_row(r)?);
        }
        Ok(out)
    }

    /// A member's marks in every roll call they were on, newest first.
    pub fn member_attendance_history(
        &self,
        member_id: &str,
    ) -> Result<Vec<MemberAttendanceRow>, StoreError> {
        self.member(member_id)?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT m.id, coalesce(m.actual_start, m.planned_start) AS started, m.kind,
                    rc.attendance, rc.reason
             FROM roll_call rc JOIN meetings m ON m.id = rc.meeting_id
             WHERE rc.member_id = ?1 AND {NOT_SUPERSEDED}
             ORDER BY started DESC, m.id DESC"
        ))?;
        let mut rows = stmt.query([member_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(MemberAttendanceRow {
                meeting_id: r.get(0)?,
                started_at: r.get(1)?,
                kind: enum_parse(&r.get::<_, String>(2)?)?,
                attendance: enum_parse(&r.get::<_, String>(3)?)?,
                reason: r.get(4)?,
            });
        }
        Ok(out)
    }

    /// Every member's roll-call marks over the cell's held meetings of `year` (Vietnam
    /// calendar): the roster in its usual order, then anyone since moved away.
    pub fn attendance_for_year(
        &self,
        cell_id: &str,
        year: i32,
    ) -> Result<Vec<MemberYearAttendance>, StoreError> {
        self.cell(cell_id)?;
        let mut members = read::members(&self.conn, cell_id)?;
        let mut tally: Vec<MemberYearAttendance> = Vec::new();
        let mut stmt = self.conn.prepare(&format!(
            "SELECT rc.member_id, rc.attendance
             FROM meetings m JOIN roll_call rc ON rc.meeting_id = m.id
             WHERE m.cell_id = ?1 AND m.status IN {HELD}
               AND coalesce(m.actual_start, m.planned_start) >= ?2
               AND coalesce(m.actual_start, m.planned_start) < ?3
               AND {NOT_SUPERSEDED}"
        ))?;
        let mut rows = stmt.query(params![
            cell_id,
            read::year_start(year),
            read::year_start(year + 1)
        ])?;
        let mut marks: Vec<(String, Attendance)> = Vec::new();
        while let Some(r) = rows.next()? {
            marks.push((r.get(0)?, enum_parse(&r.get::<_, String>(1)?)?));
        }
        let mut departed: Vec<Member> = Vec::new();
        for (member_id, _) in &marks {
            if !members.iter().any(|m| &m.id == member_id)
                && !departed.iter().any(|m| &m.id == member_id)
            {
                departed.push(self.member(member_id)?);
            }
        }
        sort_roster(&mut departed);
        members.extend(departed);
        for member in &members {
            let mut row = MemberYearAttendance {
                member_id: member.id.clone(),
                full_name: member.full_name.clone(),
                meetings: 0,
                present: 0,
                absent_excused: 0,
                absent_unexcused: 0,
                not_expected: 0,
            };
            for (_, attendance) in marks.iter().filter(|(id, _)| *id == member.id) {
                row.meetings += 1;
                match attendance {
                    a if a.is_present() => row.present += 1,
                    Attendance::AbsentExcused => row.absent_excused += 1,
                    Attendance::AbsentUnexcused => row.absent_unexcused += 1,
                    a if !a.is_expected() => row.not_expected += 1,
                    _ => {}
                }
            }
            tally.push(row);
        }
        Ok(tally)
    }
}

/// A petition with its way since it was raised: the responses in the order they came.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct PetitionWithResponses {
    /// Its status is that of the latest response.
    pub petition: Petition,
    pub responses: Vec<PetitionResponse>,
}

impl Store {
    /// The cell's petitions, newest first, each once (a correction's copy stands for the
    /// original), with their responses: what the secretary reports at the next meeting.
    pub fn petitions_of_cell(
        &self,
        cell_id: &str,
    ) -> Result<Vec<PetitionWithResponses>, StoreError> {
        let petitions = read::collect(
            &self.conn,
            &format!(
                "SELECT {} FROM petitions p WHERE cell_id = ?1
                   AND seq = (SELECT max(seq) FROM petitions q WHERE q.id = p.id)
                 ORDER BY raised_at DESC, seq DESC",
                read::PETITION_COLS
            ),
            [cell_id],
            read::petition_from_row,
        )?;
        let mut responses = read::collect(
            &self.conn,
            &format!(
                "SELECT {} FROM petition_responses
                 WHERE petition_id IN (SELECT id FROM petitions WHERE cell_id = ?1)
                 ORDER BY seq",
                read::RESPONSE_COLS
            ),
            [cell_id],
            read::response_from_row,
        )?;
        Ok(petitions
            .into_iter()
            .map(|petition| {
                let (mine, rest) = responses
                    .drain(..)
                    .partition(|r: &PetitionResponse| r.petition_id == petition.id);
                responses = rest;
                PetitionWithResponses {
                    petition,
                    responses: mine,
                }
            })
            .collect())
    }

    /// The commune's guidance meant for this cell (for every cell, or naming it), newest
    /// first.
    pub fn guidance_for_cell(&self, cell_id: &str) -> Result<Vec<Guidance>, StoreError> {
        let cell = self.cell(cell_id)?;
        let all = read::collect(
            &self.conn,
            &format!(
                "SELECT {} FROM guidance WHERE commune_id = ?1
                 ORDER BY published_at DESC, id DESC",
                read::GUIDANCE_COLS
            ),
            [&cell.commune_id],
            read::guidance_from_row,
        )?;
        Ok(all.into_iter().filter(|g| g.is_for_cell(cell_id)).collect())
    }
}

//! Read-only figures for the commune office (the demo prints them; the dashboard comes
//! later). Every figure comes from a `chibo_domain` rule run on the stored documents.

use serde::{Deserialize, Serialize};

use chibo_domain::checkin::VerdictStatus;
use chibo_domain::labels::Label;
use chibo_domain::ledger::LedgerView;
use chibo_domain::model::*;
use chibo_domain::rules::{self, petition_is_open, MeetingContext, QualityGrade, RuleSettings};
use chibo_domain::time::{local_year_month, EpochMillis};

use crate::docs::CommuneDocs;
use crate::storage::{StorageError, StorageResult};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictCounts {
    pub verified: u32,
    pub provisional: u32,
    pub needs_review: u32,
}

impl VerdictCounts {
    fn add(&mut self, status: VerdictStatus) {
        match status {
            VerdictStatus::Verified => self.verified += 1,
            VerdictStatus::Provisional => self.provisional += 1,
            VerdictStatus::NeedsReview => self.needs_review += 1,
        }
    }
}

/// `GET /api/v1/communes/{id}/summary?month=YYYY-MM`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommuneSummary {
    pub commune_id: Id,
    pub commune_name: String,
    pub year: i32,
    pub month: u32,
    pub cells: u32,
    pub members: u32,
    /// Meetings (current revisions) starting in the month, and of them those held and
    /// those signed.
    pub meetings_this_month: u32,
    pub held_this_month: u32,
    pub signed_this_month: u32,
    /// Check-ins whose judged time falls in the month, by the server's verdict.
    pub check_ins_this_month: VerdictCounts,
    /// Petitions that may still move along their way.
    pub open_petitions: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellRow {
    pub cell: Cell,
    pub members: u32,
    pub last_meeting_at: Option<EpochMillis>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeetingRow {
    pub meeting_id: Id,
    pub cell_id: Id,
    pub cell_name: String,
    pub kind: MeetingKind,
    pub status: MeetingStatus,
    pub revision: u32,
    pub started_at: EpochMillis,
    pub present: u32,
    pub expected: u32,
    pub attendance_percent: Option<f64>,
    pub quality_total: u32,
    pub grade: QualityGrade,
    pub grade_label: String,
    pub status_label: String,
    /// The rules' warnings, in Vietnamese.
    pub warnings: Vec<String>,
    /// When the phone that wrote the header had a wrong clock: how far off it was
    /// (server minus phone) and the start corrected by it. `started_at` stays the phone's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_clock_offset_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrected_started_at: Option<EpochMillis>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckInRow {
    pub check_in_id: Id,
    pub meeting_id: Id,
    pub cell_id: Id,
    pub cadre_id: Id,
    pub cadre_name: Option<String>,
    pub effective_time: EpochMillis,
    pub status: VerdictStatus,
    /// The office's decision once it made one, else the verdict, in Vietnamese.
    pub status_label: String,
    /// Why it needs review, in Vietnamese.
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PetitionRow {
    pub petition: Petition,
    pub status_label: String,
    pub open: bool,
    pub responses: Vec<PetitionResponse>,
}

/// Everything [`MeetingContext`] borrows, gathered from the stored documents the one way
/// every report, page and document reads a meeting.
pub struct MeetingInputs {
    pub cell: Cell,
    pub roster: Vec<Member>,
    pub record: MeetingRecord,
    pub previous_tasks: Vec<Task>,
    pub earlier_this_year: Vec<rules::PastRollCall>,
    pub settings: RuleSettings,
}

impl MeetingInputs {
    /// The inputs for `record` of `cell`, whose roster the caller already read.
    pub fn gather(
        docs: &CommuneDocs,
        cell: Cell,
        roster: Vec<Member>,
        record: MeetingRecord,
    ) -> StorageResult<MeetingInputs> {
        let previous_tasks = docs
            .previous_tasks(&record.meeting)
            .map_err(|e| StorageError::Unavailable(e.0))?;
        let earlier_this_year = docs.earlier_this_year(&record.meeting)?;
        Ok(MeetingInputs {
            cell,
            roster,
            record,
            previous_tasks,
            earlier_this_year,
            settings: docs.rule_settings()?,
        })
    }

    /// The inputs of one meeting by id; `None` when the commune has no such record.
    pub fn of_meeting(
        docs: &CommuneDocs,
        meeting_id: &str,
    ) -> StorageResult<Option<MeetingInputs>> {
        let Some(record) = docs.record_of(meeting_id)? else {
            return Ok(None);
        };
        let Some(cell) = docs.cell(&record.meeting.cell_id)? else {
            return Ok(None);
        };
        let roster = docs.roster_of(&cell.id)?;
        MeetingInputs::gather(docs, cell, roster, record).map(Some)
    }

    pub fn ctx(&self) -> MeetingContext<'_> {
        MeetingContext {
            cell: &self.cell,
            roster: &self.roster,
            record: &self.record,
            previous_tasks: &self.previous_tasks,
            earlier_this_year: &self.earlier_this_year,
            settings: &self.settings,
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The newest revision of every meeting of the cell, by start time.
fn current_records(docs: &CommuneDocs, cell_id: &str) -> StorageResult<Vec<MeetingRecord>> {
    let all = docs.records_of(cell_id)?;
    let corrected: Vec<Id> = all
        .iter()
        .filter_map(|r| r.meeting.revision_of.clone())
        .collect();
    Ok(all
        .into_iter()
        .filter(|r| !corrected.contains(&r.meeting.id))
        .collect())
}

pub fn summary(
    docs: &CommuneDocs,
    commune_name: &str,
    year: i32,
    month: u32,
) -> StorageResult<CommuneSummary> {
    let in_month = |at: EpochMillis| local_year_month(at) == (year, month);
    let cells = docs.cells()?;
    let mut s = CommuneSummary {
        commune_id: docs.commune_id().to_string(),
        commune_name: commune_name.to_string(),
        year,
        month,
        cells: count(cells.len()),
        members: 0,
        meetings_this_month: 0,
        held_this_month: 0,
        signed_this_month: 0,
        check_ins_this_month: VerdictCounts::default(),
        open_petitions: 0,
    };
    for cell in &cells {
        s.members += count(docs.roster_of(&cell.id)?.len());
        for r in current_records(docs, &cell.id)? {
            if !in_month(r.meeting.started_at()) {
                continue;
            }
            s.meetings_this_month += 1;
            match r.meeting.status {
                MeetingStatus::Recorded => s.held_this_month += 1,
                MeetingStatus::Signed => {
                    s.held_this_month += 1;
                    s.signed_this_month += 1;
                }
                MeetingStatus::Planned | MeetingStatus::InProgress => {}
            }
        }
    }
    for c in docs.all_check_ins()? {
        if in_month(c.verdict.effective_time) {
            s.check_ins_this_month.add(c.verdict.status);
        }
    }
    s.open_petitions = count(
        docs.petitions()?
            .iter()
            .filter(|p| petition_is_open(p.status))
            .count(),
    );
    Ok(s)
}

pub fn cells(docs: &CommuneDocs) -> StorageResult<Vec<CellRow>> {
    let mut rows = Vec::new();
    for cell in docs.cells()? {
        let members = count(docs.roster_of(&cell.id)?.len());
        let last_meeting_at = docs
            .current_held_records(&cell.id)?
            .iter()
            .map(|r| r.meeting.started_at())
            .max();
        rows.push(CellRow {
            cell,
            members,
            last_meeting_at,
        });
    }
    Ok(rows)
}

/// Every current meeting of one cell (or of every cell), assessed by the rules.
pub fn meetings(docs: &CommuneDocs, cell_id: Option<&str>) -> StorageResult<Vec<MeetingRow>> {
    let cells: Vec<Cell> = match cell_id {
        Some(id) => docs.cell(id)?.into_iter().collect(),
        None => docs.cells()?,
    };
    let mut rows = Vec::new();
    for cell in &cells {
        let roster = docs.roster_of(&cell.id)?;
        for judged in crate::dashboard::figures::judge_all(docs, cell, &roster)? {
            let a = judged.assessment;
            let m = &judged.record.meeting;
            let clock = docs.clock_note(&m.id)?;
            rows.push(MeetingRow {
                meeting_id: m.id.clone(),
                cell_id: cell.id.clone(),
                cell_name: cell.name.clone(),
                kind: m.kind,
                status: m.status,
                revision: m.revision,
                started_at: judged.started_at,
                present: a.attendance.present,
                expected: a.attendance.expected,
                attendance_percent: a.attendance.rate_percent,
                quality_total: a.quality.total,
                grade: a.quality.grade,
                grade_label: a.quality.grade.label().to_string(),
                status_label: m.status.label().to_string(),
                warnings: a.warnings.into_iter().map(|w| w.message).collect(),
                device_clock_offset_ms: clock.as_ref().map(|n| n.offset_ms),
                corrected_started_at: clock
                    .as_ref()
                    .map(|n| judged.started_at.saturating_add(n.offset_ms)),
            });
        }
    }
    rows.sort_by(|a, b| {
        b.started_at
            .cmp(&a.started_at)
            .then(a.meeting_id.cmp(&b.meeting_id))
    });
    Ok(rows)
}

pub fn check_ins(docs: &CommuneDocs) -> StorageResult<Vec<CheckInRow>> {
    let cadres = docs.cadres()?;
    let mut rows: Vec<CheckInRow> = docs
        .all_check_ins()?
        .into_iter()
        .map(|s| CheckInRow {
            cadre_name: cadres
                .iter()
                .find(|c| c.id == s.check_in.cadre_id)
                .map(|c| c.full_name.clone()),
            check_in_id: s.check_in.id,
            meeting_id: s.check_in.meeting_id,
            cell_id: s.check_in.cell_id,
            cadre_id: s.check_in.cadre_id,
            effective_time: s.verdict.effective_time,
            status: s.verdict.status,
            status_label: s.verdict.label().to_string(),
            reasons: s.verdict.reasons.into_iter().map(|r| r.message).collect(),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.effective_time
            .cmp(&a.effective_time)
            .then(a.check_in_id.cmp(&b.check_in_id))
    });
    Ok(rows)
}

pub fn petitions(docs: &CommuneDocs) -> StorageResult<Vec<PetitionRow>> {
    let mut rows = Vec::new();
    for petition in docs.petitions()? {
        let responses = docs.responses_to(&petition.id)?;
        rows.push(PetitionRow {
            status_label: petition.status.label().to_string(),
            open: petition_is_open(petition.status),
            petition,
            responses,
        });
    }
    rows.sort_by(|a, b| {
        b.petition
            .raised_at
            .cmp(&a.petition.raised_at)
            .then(a.petition.id.cmp(&b.petition.id))
    });
    Ok(rows)
}

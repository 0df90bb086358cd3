//! Meetings as the rules judge them, and the stored summary of each.
//!
//! # Judging in context
//! `rules::assess_meeting` judges a meeting with its cell's context ([`MeetingContext`]):
//! the roster, the tasks of the previous regular meeting and the roll calls earlier in the
//! same calendar year. [`CellHistory`] reads a window of a cell's records once and builds
//! each meeting's context in memory from it.
//!
//! # Summaries, judged when written
//! A page over a year of a commune (the overview, its trends, the monthly report) would
//! read and judge a thousand records per request. So every current meeting's figures are
//! also stored as a small [`MeetingSummary`] document, judged again whenever something it
//! depends on is written: the record itself, an earlier record of its year or the previous
//! regular meeting (their roll calls and tasks), the roster, the cell, or a cadre's
//! observation. `CommuneDocs::write_effect` marks the cell and the earliest year touched;
//! the writer calls [`refresh_stale`] once before its transaction commits, so a summary
//! never disagrees with the records it was judged from. [`ensure_summaries`] judges a
//! database written before summaries existed (or by an older summary format) at start.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use chibo_domain::context::{self, MeetingRef};
use chibo_domain::model::*;
use chibo_domain::rules::{
    self, MeetingAssessment, MeetingContext, PastRollCall, QualityGrade, QualityScore, RuleSettings,
};
use chibo_domain::time::EpochMillis;

use crate::docs::{self, held, year_start, CommuneDocs};
use crate::storage::{self, DocFilter, Storage, StorageResult};

/// One meeting as the rules judge it.
#[derive(Clone, Debug, PartialEq)]
pub struct JudgedMeeting {
    pub record: MeetingRecord,
    pub started_at: EpochMillis,
    pub assessment: MeetingAssessment,
    /// The visiting cadre's score of the same meeting (their judged marks, the record's
    /// computed parts), when a cadre recorded an observation; the newest if several.
    pub cadre_quality: Option<QualityScore>,
}

impl JudgedMeeting {
    pub fn held(&self) -> bool {
        held(&self.record.meeting)
    }

    /// The secretary's grade, once the judged parts are scored.
    pub fn grade(&self) -> Option<QualityGrade> {
        self.assessment
            .quality
            .judged_entered
            .then_some(self.assessment.quality.grade)
    }
}

/// A cell's meeting records in one window (every revision), by start time, with what
/// judging them needs.
pub struct CellHistory<'a> {
    pub cell: &'a Cell,
    pub roster: &'a [Member],
    /// Every revision in the window, oldest first.
    records: Vec<MeetingRecord>,
    /// What `chibo_domain::context` chooses from.
    refs: Vec<MeetingRef>,
    /// The commune's rule settings, as every phone judges with them.
    settings: RuleSettings,
}

impl<'a> CellHistory<'a> {
    /// Reads the cell's records starting in `[from, until)` and, before them, as far
    /// back as the context of a meeting at `from` reaches (`context::window`).
    pub fn load(
        docs: &CommuneDocs,
        cell: &'a Cell,
        roster: &'a [Member],
        from: EpochMillis,
        until: EpochMillis,
    ) -> StorageResult<CellHistory<'a>> {
        let (from, _) = context::window(from);
        let records = docs.records(&DocFilter {
            cell_id: Some(cell.id.clone()),
            at_from: Some(from),
            at_until: Some(until),
            ..DocFilter::default()
        })?;
        let refs = records.iter().map(MeetingRef::of_record).collect();
        Ok(CellHistory {
            cell,
            roster,
            records,
            refs,
            settings: docs.rule_settings()?,
        })
    }

    /// The current revisions in the window, oldest first.
    pub fn records(&self) -> Vec<&MeetingRecord> {
        context::current(&self.refs)
            .into_iter()
            .filter_map(|r| self.record(&r.id))
            .collect()
    }

    fn record(&self, id: &str) -> Option<&MeetingRecord> {
        self.records.iter().find(|r| r.meeting.id == id)
    }

    /// Judges every current meeting starting in `[from, until)`, oldest first, exactly as
    /// `rules::assess_meeting` judges it with the context `CommuneDocs` gives one record.
    pub fn judge(
        &self,
        from: EpochMillis,
        until: EpochMillis,
        observations: &HashMap<Id, Observation>,
    ) -> Vec<JudgedMeeting> {
        let settings = &self.settings;
        let mut out = Vec::new();
        for record in self.records() {
            let start = record.meeting.started_at();
            if start < from || start >= until {
                continue;
            }
            let previous_tasks = context::previous_regular(&self.refs, &record.meeting)
                .and_then(|r| self.record(&r.id))
                .map(|r| r.tasks.clone())
                .unwrap_or_default();
            let earlier_this_year: Vec<PastRollCall> =
                context::earlier_this_year(&self.refs, &record.meeting)
                    .into_iter()
                    .filter_map(|r| self.record(&r.id))
                    .map(|r| PastRollCall {
                        meeting_id: r.meeting.id.clone(),
                        kind: r.meeting.kind,
                        started_at: r.meeting.started_at(),
                        entries: r.roll_call.clone(),
                    })
                    .collect();
            let ctx = MeetingContext {
                cell: self.cell,
                roster: self.roster,
                record,
                previous_tasks: &previous_tasks,
                earlier_this_year: &earlier_this_year,
                settings,
            };
            let assessment = rules::assess_meeting(&ctx);
            let cadre_quality = observations
                .get(&record.meeting.id)
                .map(|o| rules::quality_score(&ctx, Some(&o.judged)));
            out.push(JudgedMeeting {
                record: record.clone(),
                started_at: start,
                assessment,
                cadre_quality,
            });
        }
        out
    }
}

/// Cadres' observations of meetings recorded in `[from, until)`, the newest per meeting.
pub fn observations(
    docs: &CommuneDocs,
    from: EpochMillis,
    until: EpochMillis,
) -> StorageResult<HashMap<Id, Observation>> {
    let all: Vec<Observation> = docs.list(
        docs::OBSERVATION,
        &DocFilter {
            at_from: Some(from),
            at_until: Some(until),
            ..DocFilter::default()
        },
    )?;
    Ok(newest_per_meeting(all))
}

/// The newest observation of each of the meetings, found by meeting.
fn observations_of(
    docs: &CommuneDocs,
    records: &[&MeetingRecord],
) -> StorageResult<HashMap<Id, Observation>> {
    docs.prefetch_by_refs(
        docs::OBSERVATION,
        records.iter().map(|r| r.meeting.id.clone()).collect(),
    )?;
    let mut all: Vec<Observation> = Vec::new();
    for record in records {
        all.extend(docs.list::<Observation>(
            docs::OBSERVATION,
            &DocFilter {
                ref_id: Some(record.meeting.id.clone()),
                ..DocFilter::default()
            },
        )?);
    }
    Ok(newest_per_meeting(all))
}

fn newest_per_meeting(mut all: Vec<Observation>) -> HashMap<Id, Observation> {
    all.sort_by(|a, b| a.recorded_at.cmp(&b.recorded_at).then(a.id.cmp(&b.id)));
    all.into_iter().map(|o| (o.meeting_id.clone(), o)).collect()
}

// ------------------------------------------------------------------ summaries

/// One current meeting's figures as the rules judged them: what the overview, the trends
/// and the monthly report need, without the record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeetingSummary {
    pub meeting_id: Id,
    pub cell_id: Id,
    pub kind: MeetingKind,
    pub status: MeetingStatus,
    pub revision: u32,
    pub started_at: EpochMillis,
    pub duration_minutes: Option<i64>,
    pub present: u32,
    pub expected: u32,
    pub attendance_percent: Option<f64>,
    pub quality_total: u32,
    /// The secretary's grade; None until the judged parts are scored.
    pub grade: Option<QualityGrade>,
    pub cadre_quality_total: Option<u32>,
    pub cadre_grade: Option<QualityGrade>,
    pub warnings: u32,
}

impl MeetingSummary {
    pub fn held(&self) -> bool {
        self.status.is_held()
    }

    /// Held, with the regular monthly part: the meeting that makes its month "met".
    pub fn counts_as_regular(&self) -> bool {
        rules::counts_as_monthly_kind(self.kind, self.held())
    }
}

impl From<&JudgedMeeting> for MeetingSummary {
    fn from(j: &JudgedMeeting) -> MeetingSummary {
        let m = &j.record.meeting;
        let a = &j.assessment;
        MeetingSummary {
            meeting_id: m.id.clone(),
            cell_id: m.cell_id.clone(),
            kind: m.kind,
            status: m.status,
            revision: m.revision,
            started_at: j.started_at,
            duration_minutes: a.duration_minutes,
            present: a.attendance.present,
            expected: a.attendance.expected,
            attendance_percent: a.attendance.rate_percent,
            quality_total: a.quality.total,
            grade: j.grade(),
            cadre_quality_total: j.cadre_quality.as_ref().map(|q| q.total),
            cadre_grade: j.cadre_quality.as_ref().map(|q| q.grade),
            warnings: a.warnings.len() as u32,
        }
    }
}

/// Bumped whenever [`MeetingSummary`] or a rule it stores changes: [`ensure_summaries`]
/// then judges every meeting again.
pub const SUMMARY_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct SummaryVersion {
    version: u32,
}

/// Summaries of the commune's current meetings starting in `[from, until)`, by start.
pub fn summaries(
    docs: &CommuneDocs,
    from: EpochMillis,
    until: EpochMillis,
) -> StorageResult<Vec<MeetingSummary>> {
    docs.list(
        docs::MEETING_SUMMARY,
        &DocFilter {
            at_from: Some(from),
            at_until: Some(until),
            ..DocFilter::default()
        },
    )
}

/// Judges the cell's current meetings from the January of `from_year` (all of them for
/// None) again and stores their summaries; a meeting that was corrected or moved loses
/// its old one.
pub fn refresh_cell(
    docs: &CommuneDocs,
    cell_id: &str,
    from_year: Option<i32>,
) -> StorageResult<()> {
    let from = from_year.map_or(EpochMillis::MIN / 2, year_start);
    let until = EpochMillis::MAX / 2;
    let mut fresh: Vec<MeetingSummary> = Vec::new();
    if let Some(cell) = docs.cell(cell_id)? {
        let roster = docs.roster_of(cell_id)?;
        let history = CellHistory::load(docs, &cell, &roster, from, until)?;
        let observations = observations_of(docs, &history.records())?;
        fresh = history
            .judge(from, until, &observations)
            .iter()
            .map(MeetingSummary::from)
            .collect();
    }
    let kept: HashSet<&str> = fresh.iter().map(|s| s.meeting_id.as_str()).collect();
    let stored: Vec<MeetingSummary> = docs.list(
        docs::MEETING_SUMMARY,
        &DocFilter {
            cell_id: Some(cell_id.to_string()),
            at_from: Some(from),
            ..DocFilter::default()
        },
    )?;
    for old in stored
        .iter()
        .filter(|s| !kept.contains(s.meeting_id.as_str()))
    {
        docs.delete(docs::MEETING_SUMMARY, &old.meeting_id)?;
    }
    for summary in &fresh {
        docs.put_summary(
            &summary.meeting_id,
            &summary.cell_id,
            summary.started_at,
            summary,
        )?;
    }
    Ok(())
}

/// Re-judges what the transaction's writes made stale (see the module documentation).
pub fn refresh_stale(docs: &CommuneDocs) -> StorageResult<()> {
    for (cell_id, from_year) in docs.take_stale() {
        refresh_cell(docs, &cell_id, from_year)?;
    }
    Ok(())
}

/// Records that the commune's summaries have the current format.
pub fn mark_summaries_current(docs: &CommuneDocs) -> StorageResult<()> {
    docs.put_summary_version(&SummaryVersion {
        version: SUMMARY_VERSION,
    })
}

/// Judges every commune's meetings again when their summaries are missing or older than
/// [`SUMMARY_VERSION`]; one transaction per commune. Returns the communes judged.
pub fn ensure_summaries(storage: &dyn Storage) -> StorageResult<usize> {
    let communes = storage::read(storage, |tx| tx.communes())?;
    let mut judged = 0;
    for commune in communes {
        judged += storage::write(storage, |tx| {
            let docs = CommuneDocs::new(tx, &commune.id);
            let current = docs
                .get::<SummaryVersion>(docs::SUMMARY_VERSION, docs::MEETING_SUMMARY)?
                .is_some_and(|v| v.version == SUMMARY_VERSION);
            if current {
                return Ok(0);
            }
            // Summaries of cells that no longer exist go too.
            let mut cells: Vec<Id> = docs.cells()?.into_iter().map(|c| c.id).collect();
            let stored: Vec<MeetingSummary> =
                docs.list(docs::MEETING_SUMMARY, &DocFilter::default())?;
            cells.extend(stored.into_iter().map(|s| s.cell_id));
            cells.sort();
            cells.dedup();
            for cell_id in &cells {
                refresh_cell(&docs, cell_id, None)?;
            }
            mark_summaries_current(&docs)?;
            Ok(1)
        })?;
    }
    Ok(judged)
}

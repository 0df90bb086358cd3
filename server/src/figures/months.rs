//! The office's figures: every number the dashboard (and the monthly XLSX) shows, each from
//! a `chibo_domain` rule run on the stored documents.
//!
//! # Reading only what a page needs
//! The month's figures and the trends read the stored meeting summaries of the months
//! shown (`summaries::MeetingSummary`, judged by the rules when the records were written),
//! never the records. The cell page judges its own cell's records in one window
//! (`summaries::CellHistory`), for the removal watch the summaries do not hold.
//!
//! # When a cell has met, and when it is overdue
//! The domain decides both (`rules::schedule`): a cell *met* in a month when a held
//! meeting with the regular monthly part started in that month (its newest revision
//! counts), and is *overdue* from the day after its meeting day.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use chibo_domain::checkin::{VerdictCode, VerdictStatus};
use chibo_domain::compliance::{
    compliance, Assignment, Cadre, VisitRecord, VisitRequirement, WorkingTeam,
};
use chibo_domain::labels::{format_percent, Label, NOT_GRADED};
use chibo_domain::model::*;
use chibo_domain::rules::{
    self, percent_of, petition_is_open, petition_open_too_long, MonthlyMeetingStatus,
    PooledAttendance, QualityGrade, RemovalWatch,
};
use chibo_domain::time::{from_local, local_date, local_year_month, CalendarDate, EpochMillis};

use crate::docs::{self, year_start, CommuneDocs, StoredCheckIn};
use crate::figures::summaries::{self, CellHistory, MeetingSummary};
use crate::storage::{DocFilter, StorageResult};

// ------------------------------------------------------------------ calendar

/// The first instant of a month, Vietnam time. `month` outside 1–12 rolls the year.
pub fn month_start(year: i32, month: u32) -> EpochMillis {
    let (year, month) = normalize(year, month as i32);
    let date = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
    from_local(date.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// The month `delta` months from (year, month).
pub fn add_months(year: i32, month: u32, delta: i32) -> (i32, u32) {
    normalize(year, month as i32 + delta)
}

fn normalize(year: i32, month: i32) -> (i32, u32) {
    let zero_based = year * 12 + (month - 1);
    (
        zero_based.div_euclid(12),
        zero_based.rem_euclid(12) as u32 + 1,
    )
}

/// "87,5%" as every screen writes percentages; "–" when there is none.
pub fn percent_text(percent: Option<f64>) -> String {
    percent
        .map(format_percent)
        .unwrap_or_else(|| "–".to_string())
}

// ------------------------------------------------------------------ reading

fn check_ins_between(
    docs: &CommuneDocs,
    from: EpochMillis,
    until: EpochMillis,
) -> StorageResult<Vec<StoredCheckIn>> {
    docs.list(
        docs::CHECK_IN,
        &DocFilter {
            at_from: Some(from),
            at_until: Some(until),
            ..DocFilter::default()
        },
    )
}

// ------------------------------------------------------------------ the monthly report

/// One cell's month: the row of the monthly report and of the overview's table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellMonth {
    pub cell_id: Id,
    pub cell_name: String,
    /// The kind of the meeting that counts (None when the cell has not met).
    pub kind: Option<MeetingKind>,
    pub met: bool,
    /// Not met, and the regular meeting day has passed (see the module documentation).
    pub overdue: bool,
    /// The day the regular meeting is due this month.
    pub due_on: CalendarDate,
    pub meeting_id: Option<Id>,
    pub date: Option<CalendarDate>,
    pub started_at: Option<EpochMillis>,
    pub duration_minutes: Option<i64>,
    pub present: u32,
    pub expected: u32,
    pub attendance_percent: Option<f64>,
    pub quality_total: Option<u32>,
    /// The secretary's grade; None until the judged parts are scored.
    pub grade: Option<QualityGrade>,
    /// The visiting cadre's separate score, if a cadre recorded one.
    pub cadre_quality_total: Option<u32>,
    pub cadre_grade: Option<QualityGrade>,
    /// A cadre's check-in at one of the cell's meetings this month was verified.
    pub cadre_visited: bool,
    /// A cadre's check-in this month still waits for the office's review.
    pub cadre_visit_needs_review: bool,
    pub petitions_raised: u32,
    /// Petitions of the cell moved to "resolved" this month.
    pub petitions_resolved: u32,
    pub viable: bool,
    /// `rules::cell_viability`'s warnings, in Vietnamese.
    pub viability_warnings: Vec<String>,
    /// Held meetings of other kinds this month (thematic, extraordinary...).
    pub other_meetings: u32,
}

impl CellMonth {
    /// Met, not yet, or overdue, as the domain words it.
    pub fn status(&self) -> MonthlyMeetingStatus {
        if self.met {
            MonthlyMeetingStatus::Met
        } else if self.overdue {
            MonthlyMeetingStatus::Overdue
        } else {
            MonthlyMeetingStatus::NotYet
        }
    }
}

/// One cadre's month, from `compliance::compliance` with the commune's requirement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CadreMonth {
    pub cadre_id: Id,
    pub name: String,
    pub title: String,
    /// The working team(s) of the cadre's assignments, joined with ", ".
    pub team: Option<String>,
    /// Visits required this month (0 for a yearly requirement) and verified this month.
    pub required: u32,
    pub done: u32,
    pub needs_review: u32,
    pub required_this_year: u32,
    pub done_this_year: u32,
    /// Cells where verified visits fall short (this month or so far this year).
    pub cells_behind: u32,
    pub behind: bool,
}

/// Counts of meetings by the secretary's grade.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeCounts {
    pub good: u32,
    pub fair: u32,
    pub average: u32,
    pub poor: u32,
    /// Held, but the judged parts are not scored yet.
    pub ungraded: u32,
}

impl GradeCounts {
    pub fn add(&mut self, grade: Option<QualityGrade>) {
        match grade {
            Some(QualityGrade::Good) => self.good += 1,
            Some(QualityGrade::Fair) => self.fair += 1,
            Some(QualityGrade::Average) => self.average += 1,
            Some(QualityGrade::Poor) => self.poor += 1,
            None => self.ungraded += 1,
        }
    }

    pub fn total(&self) -> u32 {
        self.good + self.fair + self.average + self.poor + self.ungraded
    }

    /// (label, count) in the order of the scale, "Chưa chấm" last.
    pub fn labelled(&self) -> Vec<(&'static str, u32)> {
        vec![
            (QualityGrade::Good.label(), self.good),
            (QualityGrade::Fair.label(), self.fair),
            (QualityGrade::Average.label(), self.average),
            (QualityGrade::Poor.label(), self.poor),
            (NOT_GRADED, self.ungraded),
        ]
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MonthTotals {
    pub cells: u32,
    pub met: u32,
    pub not_met: u32,
    pub overdue: u32,
    /// Over the meetings that count (one per cell that met).
    pub present: u32,
    pub expected: u32,
    /// Σ present ÷ Σ expected × 100, None when nobody was expected.
    pub attendance_percent: Option<f64>,
    pub grades: GradeCounts,
    pub cadre_visits_required: u32,
    pub cadre_visits_done: u32,
    pub cadre_visits_needs_review: u32,
    pub petitions_raised: u32,
    pub petitions_resolved: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthlyReport {
    pub year: i32,
    pub month: u32,
    /// Cells by name.
    pub cells: Vec<CellMonth>,
    /// Cadres by name.
    pub cadres: Vec<CadreMonth>,
    pub totals: MonthTotals,
}

/// The report of one month, judged as of the machine's clock (for overdue).
pub fn monthly_report(docs: &CommuneDocs, year: i32, month: u32) -> StorageResult<MonthlyReport> {
    monthly_report_at(docs, year, month, chrono::Utc::now().timestamp_millis())
}

/// The report of one month, judged as of `now` (for overdue).
pub fn monthly_report_at(
    docs: &CommuneDocs,
    year: i32,
    month: u32,
    now: EpochMillis,
) -> StorageResult<MonthlyReport> {
    let data = MonthData::load(docs, year, month, 0)?;
    data.report(docs, now)
}

/// Everything the month's figures and trends are computed from, read once.
struct MonthData {
    year: i32,
    month: u32,
    cells: Vec<Cell>,
    rosters: Vec<Vec<Member>>,
    /// Per cell (same order), the summaries of its current meetings in the trend window,
    /// by start.
    meetings: Vec<Vec<MeetingSummary>>,
    /// Check-ins from January of the month's year to the month's end.
    check_ins: Vec<StoredCheckIn>,
    petitions: Vec<Petition>,
    /// Petition ids moved to "resolved" in the month.
    resolved_this_month: Vec<(Id, Id)>,
    window_from: EpochMillis,
}

impl MonthData {
    /// Reads the month and the `trend_months` months before it.
    fn load(
        docs: &CommuneDocs,
        year: i32,
        month: u32,
        trend_months: u32,
    ) -> StorageResult<MonthData> {
        let (from_year, from_month) = add_months(year, month, -(trend_months as i32));
        let window_from = month_start(from_year, from_month);
        let month_from = month_start(year, month);
        let until = month_start(year, month + 1);
        let cells = docs.cells()?;
        let mut members: HashMap<Id, Vec<Member>> = HashMap::new();
        for member in docs.list::<Member>(docs::MEMBER, &DocFilter::default())? {
            members
                .entry(member.cell_id.clone())
                .or_default()
                .push(member);
        }
        let mut summaries: HashMap<Id, Vec<MeetingSummary>> = HashMap::new();
        for summary in summaries::summaries(docs, window_from, until)? {
            summaries
                .entry(summary.cell_id.clone())
                .or_default()
                .push(summary);
        }
        let rosters = cells
            .iter()
            .map(|c| members.remove(&c.id).unwrap_or_default())
            .collect();
        let meetings = cells
            .iter()
            .map(|c| summaries.remove(&c.id).unwrap_or_default())
            .collect();
        let check_ins = check_ins_between(docs, year_start(year).min(month_from), until)?;
        let petitions = docs.petitions()?;
        let responses: Vec<PetitionResponse> = docs.list(
            docs::PETITION_RESPONSE,
            &DocFilter {
                at_from: Some(month_from),
                at_until: Some(until),
                ..DocFilter::default()
            },
        )?;
        let cell_of: HashMap<&str, &str> = petitions
            .iter()
            .map(|p| (p.id.as_str(), p.cell_id.as_str()))
            .collect();
        let mut resolved_this_month: Vec<(Id, Id)> = responses
            .iter()
            .filter(|r| r.status == PetitionStatus::Resolved)
            .filter_map(|r| {
                cell_of
                    .get(r.petition_id.as_str())
                    .map(|cell| (cell.to_string(), r.petition_id.clone()))
            })
            .collect();
        resolved_this_month.sort();
        resolved_this_month.dedup();
        Ok(MonthData {
            year,
            month,
            cells,
            rosters,
            meetings,
            check_ins,
            petitions,
            resolved_this_month,
            window_from,
        })
    }

    fn in_month(&self, at: EpochMillis) -> bool {
        local_year_month(at) == (self.year, self.month)
    }

    fn report(&self, docs: &CommuneDocs, now: EpochMillis) -> StorageResult<MonthlyReport> {
        let today = local_date(now);
        let mut cells = Vec::with_capacity(self.cells.len());
        let mut totals = MonthTotals {
            cells: self.cells.len() as u32,
            ..MonthTotals::default()
        };
        for ((cell, roster), meetings) in self.cells.iter().zip(&self.rosters).zip(&self.meetings) {
            let this_month: Vec<&MeetingSummary> = meetings
                .iter()
                .filter(|j| self.in_month(j.started_at) && j.held())
                .collect();
            let counted = this_month.iter().find(|j| j.counts_as_regular()).copied();
            let due_on = rules::meeting_day(cell, self.year, self.month);
            let met = counted.is_some();
            let overdue = rules::monthly_meeting_status(cell, self.year, self.month, met, today)
                == MonthlyMeetingStatus::Overdue;
            let viability = rules::cell_viability(roster);
            let visits: Vec<&StoredCheckIn> = self
                .check_ins
                .iter()
                .filter(|c| {
                    c.check_in.cell_id == cell.id && self.in_month(c.verdict.effective_time)
                })
                .collect();
            let cadre_visited = visits
                .iter()
                .any(|c| c.verdict.status == VerdictStatus::Verified);
            let cadre_visit_needs_review = visits.iter().any(|c| c.verdict.is_pending());
            let petitions_raised = self
                .petitions
                .iter()
                .filter(|p| p.cell_id == cell.id && self.in_month(p.raised_at))
                .count() as u32;
            let petitions_resolved = self
                .resolved_this_month
                .iter()
                .filter(|(c, _)| *c == cell.id)
                .count() as u32;
            let row = CellMonth {
                cell_id: cell.id.clone(),
                cell_name: cell.name.clone(),
                kind: counted.map(|j| j.kind),
                met,
                overdue,
                due_on,
                meeting_id: counted.map(|j| j.meeting_id.clone()),
                date: counted.map(|j| local_date(j.started_at)),
                started_at: counted.map(|j| j.started_at),
                duration_minutes: counted.and_then(|j| j.duration_minutes),
                present: counted.map_or(0, |j| j.present),
                expected: counted.map_or(0, |j| j.expected),
                attendance_percent: counted.and_then(|j| j.attendance_percent),
                quality_total: counted.map(|j| j.quality_total),
                grade: counted.and_then(|j| j.grade),
                cadre_quality_total: counted.and_then(|j| j.cadre_quality_total),
                cadre_grade: counted.and_then(|j| j.cadre_grade),
                cadre_visited,
                cadre_visit_needs_review,
                petitions_raised,
                petitions_resolved,
                viable: viability.viable,
                viability_warnings: viability.warnings.into_iter().map(|w| w.message).collect(),
                other_meetings: (this_month.len() - usize::from(met)) as u32,
            };
            totals.met += u32::from(row.met);
            totals.not_met += u32::from(!row.met);
            totals.overdue += u32::from(row.overdue);
            if let Some(j) = counted {
                totals.present += j.present;
                totals.expected += j.expected;
                totals.grades.add(j.grade);
            }
            totals.petitions_raised += row.petitions_raised;
            totals.petitions_resolved += row.petitions_resolved;
            cells.push(row);
        }
        totals.attendance_percent = PooledAttendance {
            present: totals.present,
            expected: totals.expected,
        }
        .rate_percent();

        let cadres = self.cadre_months(docs)?;
        for c in &cadres {
            totals.cadre_visits_required += c.required;
            totals.cadre_visits_done += c.done;
            totals.cadre_visits_needs_review += c.needs_review;
        }
        Ok(MonthlyReport {
            year: self.year,
            month: self.month,
            cells,
            cadres,
            totals,
        })
    }

    fn cadre_months(&self, docs: &CommuneDocs) -> StorageResult<Vec<CadreMonth>> {
        let cadres: Vec<Cadre> = docs.cadres()?;
        let assignments: Vec<Assignment> = docs.assignments()?;
        let requirement: VisitRequirement = docs.visit_requirement()?.unwrap_or_default();
        let teams: Vec<WorkingTeam> = docs.list(docs::WORKING_TEAM, &DocFilter::default())?;
        let mut out = Vec::with_capacity(cadres.len());
        for cadre in cadres {
            let visits: Vec<VisitRecord> = self
                .check_ins
                .iter()
                .filter(|c| c.check_in.cadre_id == cadre.id)
                .filter_map(|c| VisitRecord::of(&c.check_in, &c.verdict))
                .collect();
            let result = compliance(
                &cadre.id,
                &assignments,
                &visits,
                requirement,
                self.year,
                self.month,
            );
            let mut team_names: Vec<String> = assignments
                .iter()
                .filter(|a| a.cadre_id == cadre.id)
                .filter_map(|a| a.working_team_id.as_ref())
                .filter_map(|id| teams.iter().find(|t| &t.id == id))
                .map(|t| t.name.clone())
                .collect();
            team_names.sort();
            team_names.dedup();
            let t = &result.totals;
            out.push(CadreMonth {
                cadre_id: cadre.id.clone(),
                name: cadre.full_name.clone(),
                title: cadre.title.clone(),
                team: (!team_names.is_empty()).then(|| team_names.join(", ")),
                required: t.required_this_month,
                done: t.verified_this_month,
                needs_review: t.needs_review_this_month,
                required_this_year: t.required_this_year,
                done_this_year: t.verified_this_year,
                cells_behind: t.cells_behind,
                behind: t.cells_behind > 0,
            });
        }
        Ok(out)
    }

    /// Per month of the window, oldest first.
    fn trends(&self) -> Vec<TrendMonth> {
        let (mut y, mut m) = local_year_month(self.window_from);
        let mut out = Vec::new();
        loop {
            let mut t = TrendMonth {
                year: y,
                month: m,
                cells: self.cells.len() as u32,
                ..TrendMonth::default()
            };
            for meetings in &self.meetings {
                let counted = meetings
                    .iter()
                    .find(|j| j.counts_as_regular() && local_year_month(j.started_at) == (y, m));
                if let Some(j) = counted {
                    t.met += 1;
                    t.present += j.present;
                    t.expected += j.expected;
                    t.grades.add(j.grade);
                }
            }
            t.attendance_percent = PooledAttendance {
                present: t.present,
                expected: t.expected,
            }
            .rate_percent();
            t.met_percent = percent_of(t.met, t.cells);
            out.push(t);
            if (y, m) == (self.year, self.month) {
                break;
            }
            (y, m) = add_months(y, m, 1);
        }
        out
    }
}

// ------------------------------------------------------------------ the overview

/// One month of the 12-month trends.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendMonth {
    pub year: i32,
    pub month: u32,
    pub cells: u32,
    pub met: u32,
    /// Cells that met ÷ cells × 100.
    pub met_percent: Option<f64>,
    pub present: u32,
    pub expected: u32,
    pub attendance_percent: Option<f64>,
    pub grades: GradeCounts,
}

/// A check-in waiting for the office's decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub check_in_id: Id,
    pub meeting_id: Id,
    pub cell_id: Id,
    pub cell_name: String,
    pub cadre_name: String,
    pub at: EpochMillis,
    /// Why, in Vietnamese (the verdict's reasons).
    pub reasons: Vec<String>,
    /// The failed checks, for their short names.
    pub reason_codes: Vec<VerdictCode>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub report: MonthlyReport,
    /// Check-ins from January to the month's end waiting for the office's review.
    pub to_review: Vec<ReviewItem>,
    /// Petitions that may still move along their way (all time).
    pub open_petitions: u32,
    /// Of them, those open longer than `rules::PETITION_LONG_OPEN_DAYS` as of `now`.
    pub long_open_petitions: u32,
    /// The 12 months ending with this one, oldest first.
    pub trends: Vec<TrendMonth>,
}

/// The overview of one month with its 12-month trends, as of `now`.
pub fn overview(
    docs: &CommuneDocs,
    year: i32,
    month: u32,
    now: EpochMillis,
) -> StorageResult<Overview> {
    let data = MonthData::load(docs, year, month, 11)?;
    let report = data.report(docs, now)?;
    let trends = data.trends();
    let cadres: Vec<Cadre> = docs.cadres()?;
    let mut to_review: Vec<ReviewItem> = data
        .check_ins
        .iter()
        .filter(|c| c.verdict.awaits_review())
        .map(|c| ReviewItem {
            check_in_id: c.check_in.id.clone(),
            meeting_id: c.check_in.meeting_id.clone(),
            cell_id: c.check_in.cell_id.clone(),
            cell_name: data
                .cells
                .iter()
                .find(|cell| cell.id == c.check_in.cell_id)
                .map(|cell| cell.name.clone())
                .unwrap_or_else(|| c.check_in.cell_id.clone()),
            cadre_name: cadres
                .iter()
                .find(|k| k.id == c.check_in.cadre_id)
                .map(|k| k.full_name.clone())
                .unwrap_or_else(|| c.check_in.cadre_id.clone()),
            at: c.verdict.effective_time,
            reasons: c
                .verdict
                .messages()
                .into_iter()
                .map(str::to_string)
                .collect(),
            reason_codes: c.verdict.reasons.iter().map(|r| r.code).collect(),
        })
        .collect();
    to_review.sort_by(|a, b| b.at.cmp(&a.at).then(a.check_in_id.cmp(&b.check_in_id)));
    let open_petitions = data
        .petitions
        .iter()
        .filter(|p| petition_is_open(p.status))
        .count() as u32;
    let today = local_date(now);
    let long_open_petitions = data
        .petitions
        .iter()
        .filter(|p| petition_open_too_long(p.status, p.raised_at, today))
        .count() as u32;
    Ok(Overview {
        report,
        to_review,
        open_petitions,
        long_open_petitions,
        trends,
    })
}

// ------------------------------------------------------------------ cells

/// A row of the cells list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellListRow {
    pub month: CellMonth,
    pub members: u32,
    pub full_members: u32,
    pub last_meeting_at: Option<EpochMillis>,
    pub last_meeting_id: Option<Id>,
}

/// Every cell with this month's status, its members and its last held meeting.
pub fn cell_list(
    docs: &CommuneDocs,
    year: i32,
    month: u32,
    now: EpochMillis,
) -> StorageResult<Vec<CellListRow>> {
    let data = MonthData::load(docs, year, month, 0)?;
    let report = data.report(docs, now)?;
    // The newest held meeting of each cell up to the month's end (or now), within a year.
    let mut last: HashMap<Id, MeetingSummary> = HashMap::new();
    let recent = summaries::summaries(
        docs,
        month_start(year, month) - 400 * 24 * 3_600_000,
        now.max(month_start(year, month + 1)),
    )?;
    for summary in recent.into_iter().filter(MeetingSummary::held) {
        last.insert(summary.cell_id.clone(), summary);
    }
    let mut rows = Vec::with_capacity(report.cells.len());
    for ((cell_month, roster), cell) in report.cells.into_iter().zip(&data.rosters).zip(&data.cells)
    {
        let last = last.get(&cell.id);
        let viability = rules::cell_viability(roster);
        rows.push(CellListRow {
            month: cell_month,
            members: viability.total_members,
            full_members: viability.full_members,
            last_meeting_at: last.map(|s| s.started_at),
            last_meeting_id: last.map(|s| s.meeting_id.clone()),
        });
    }
    Ok(rows)
}

/// Members of one status, for the cell page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusGroup {
    pub status: MemberStatus,
    pub label: String,
    pub full: Vec<Member>,
    pub probationary: Vec<Member>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellPage {
    pub cell: Cell,
    pub members: u32,
    pub full_members: u32,
    pub groups: Vec<StatusGroup>,
    /// From the cell's latest held meeting this year (`rules::removal_watch`), most first.
    pub removal_watch: Vec<RemovalWatch>,
    /// The meeting the watch was judged at.
    pub watch_meeting: Option<(Id, EpochMillis)>,
    pub viable: bool,
    pub viability_warnings: Vec<String>,
    /// Newest first.
    pub meetings: Vec<MeetingSummary>,
    /// Held meetings, oldest first: (started_at, attendance percent).
    pub attendance_trend: Vec<(EpochMillis, Option<f64>)>,
}

/// Months of history the cell page shows.
pub const CELL_HISTORY_MONTHS: u32 = 36;

/// The cell page, or None when the commune has no such cell.
pub fn cell_page(
    docs: &CommuneDocs,
    cell_id: &str,
    now: EpochMillis,
) -> StorageResult<Option<CellPage>> {
    let Some(cell) = docs.cell(cell_id)? else {
        return Ok(None);
    };
    let roster = docs.roster_of(&cell.id)?;
    let (year, month) = local_year_month(now);
    let (fy, fm) = add_months(year, month, -(CELL_HISTORY_MONTHS as i32 - 1));
    let from = month_start(fy, fm);
    // Meetings may be planned ahead; show them too.
    let until = month_start(year + 2, 1);
    let obs = summaries::observations(docs, from, until)?;
    let history = CellHistory::load(docs, &cell, &roster, from, until)?;
    let judged = history.judge(from, until, &obs);
    let this_year = year_start(year);
    let watch_at = judged
        .iter()
        .rev()
        .find(|j| j.held() && j.started_at >= this_year && j.started_at <= now);
    let removal_watch = watch_at
        .map(|j| j.assessment.removal_watch.clone())
        .unwrap_or_default();
    let watch_meeting = watch_at.map(|j| (j.record.meeting.id.clone(), j.started_at));
    let viability = rules::cell_viability(&roster);
    let groups = MemberStatus::ALL
        .into_iter()
        .map(|status| {
            let of = |kind: MembershipKind| -> Vec<Member> {
                roster
                    .iter()
                    .filter(|m| m.status == status && m.membership == kind)
                    .cloned()
                    .collect()
            };
            StatusGroup {
                status,
                label: status.label().to_string(),
                full: of(MembershipKind::Full),
                probationary: of(MembershipKind::Probationary),
            }
        })
        .collect();
    let attendance_trend = judged
        .iter()
        .filter(|j| j.held())
        .map(|j| (j.started_at, j.assessment.attendance.rate_percent))
        .collect();
    let mut meetings: Vec<MeetingSummary> = judged.iter().map(MeetingSummary::from).collect();
    meetings.reverse();
    Ok(Some(CellPage {
        members: viability.total_members,
        full_members: viability.full_members,
        viable: viability.viable,
        viability_warnings: viability.warnings.into_iter().map(|w| w.message).collect(),
        cell,
        groups,
        removal_watch,
        watch_meeting,
        meetings,
        attendance_trend,
    }))
}

/// Every current meeting of one cell, judged (all time): what `reports::meetings` lists.
pub fn judge_all(
    docs: &CommuneDocs,
    cell: &Cell,
    roster: &[Member],
) -> StorageResult<Vec<summaries::JudgedMeeting>> {
    let from = EpochMillis::MIN / 2;
    let until = EpochMillis::MAX / 2;
    let history = CellHistory::load(docs, cell, roster, from, until)?;
    Ok(history.judge(from, until, &HashMap::new()))
}

/// Months as `YYYY-MM` for URLs.
pub fn month_key(year: i32, month: u32) -> String {
    format!("{year:04}-{month:02}")
}

/// Parses `YYYY-MM`.
pub fn parse_month(text: &str) -> Option<(i32, u32)> {
    let (y, m) = text.trim().split_once('-')?;
    let year: i32 = y.parse().ok()?;
    let month: u32 = m.parse().ok()?;
    ((1..=12).contains(&month) && (1900..=9999).contains(&year)).then_some((year, month))
}

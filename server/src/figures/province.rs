//! The province's rollup: each commune's month beside the others, for the province's
//! Organisation Board, and the province's totals.
//!
//! # The same figures as the commune's own pages
//! A commune's row is [`months::overview`] of that commune and month, condensed: the same
//! function the commune's overview page calls, so the rollup and the commune page cannot
//! disagree. It reads the commune's stored meeting summaries, never its records.
//!
//! # Kept, not recomputed per request
//! A province holds about a hundred communes. Each commune's condensed month
//! ([`CommuneMonth`]) is stored as a small document (`commune_month`, id `YYYY-MM`),
//! stamped with the commune's mark of change ([`crate::storage::Tx::province_change_marks`],
//! which every logged change moves), the summaries' format and the day it was judged on
//! (being overdue and a petition's age move with the calendar). A request reads the marks
//! in one query and one stored document per commune; only a commune that changed since
//! is judged again, and its document rewritten.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use chibo_domain::model::place_order_key;
use chibo_domain::rules::{percent_of, PooledAttendance};
use chibo_domain::time::{local_date, CalendarDate, EpochMillis};

use crate::docs::CommuneDocs;
use crate::figures::months::{self, month_key, GradeCounts, TrendMonth};
use crate::figures::summaries::SUMMARY_VERSION;
use crate::storage::{self, CommuneRow, DocRow, Storage, StorageError, StorageResult};

/// The document kind of a commune's condensed month.
pub const COMMUNE_MONTH: &str = "commune_month";
/// Bumped whenever [`CommuneMonth`] or what it is computed from changes.
const COMMUNE_MONTH_VERSION: u32 = 1;

/// One commune's month as the province compares it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CommuneMonth {
    pub cells: u32,
    pub met: u32,
    pub not_met: u32,
    pub overdue: u32,
    /// Over the meetings that count (one per cell that met).
    pub present: u32,
    pub expected: u32,
    pub attendance_percent: Option<f64>,
    pub grades: GradeCounts,
    pub cadre_visits_required: u32,
    pub cadre_visits_done: u32,
    pub cadre_visits_needs_review: u32,
    /// Check-ins from January to the month's end waiting for the office's review.
    pub check_ins_to_review: u32,
    /// Open now (all time), and of them open longer than the rule's days.
    pub open_petitions: u32,
    pub long_open_petitions: u32,
    /// The 12 months ending with this one, oldest first.
    pub trends: Vec<TrendMonth>,
}

impl CommuneMonth {
    /// Cells that met ÷ cells × 100.
    pub fn met_percent(&self) -> Option<f64> {
        percent_of(self.met, self.cells)
    }

    /// Verified cadre visits ÷ visits required × 100 (None when none were required).
    pub fn visits_percent(&self) -> Option<f64> {
        percent_of(self.cadre_visits_done, self.cadre_visits_required)
    }

    fn of(o: &months::Overview) -> CommuneMonth {
        let t = &o.report.totals;
        CommuneMonth {
            cells: t.cells,
            met: t.met,
            not_met: t.not_met,
            overdue: t.overdue,
            present: t.present,
            expected: t.expected,
            attendance_percent: t.attendance_percent,
            grades: t.grades.clone(),
            cadre_visits_required: t.cadre_visits_required,
            cadre_visits_done: t.cadre_visits_done,
            cadre_visits_needs_review: t.cadre_visits_needs_review,
            check_ins_to_review: o.to_review.len() as u32,
            open_petitions: o.open_petitions,
            long_open_petitions: o.long_open_petitions,
            trends: o.trends.clone(),
        }
    }

    /// Adds another commune's month: counts summed, rates pooled again by the same rules.
    fn add(&mut self, other: &CommuneMonth) {
        self.cells += other.cells;
        self.met += other.met;
        self.not_met += other.not_met;
        self.overdue += other.overdue;
        self.present += other.present;
        self.expected += other.expected;
        add_grades(&mut self.grades, &other.grades);
        self.cadre_visits_required += other.cadre_visits_required;
        self.cadre_visits_done += other.cadre_visits_done;
        self.cadre_visits_needs_review += other.cadre_visits_needs_review;
        self.check_ins_to_review += other.check_ins_to_review;
        self.open_petitions += other.open_petitions;
        self.long_open_petitions += other.long_open_petitions;
        self.attendance_percent = PooledAttendance {
            present: self.present,
            expected: self.expected,
        }
        .rate_percent();
        for t in &other.trends {
            let at = self
                .trends
                .iter()
                .position(|s| (s.year, s.month) == (t.year, t.month));
            let sum = match at {
                Some(i) => &mut self.trends[i],
                None => {
                    self.trends.push(TrendMonth {
                        year: t.year,
                        month: t.month,
                        ..TrendMonth::default()
                    });
                    self.trends.last_mut().expect("just pushed")
                }
            };
            sum.cells += t.cells;
            sum.met += t.met;
            sum.present += t.present;
            sum.expected += t.expected;
            add_grades(&mut sum.grades, &t.grades);
            sum.met_percent = percent_of(sum.met, sum.cells);
            sum.attendance_percent = PooledAttendance {
                present: sum.present,
                expected: sum.expected,
            }
            .rate_percent();
        }
        self.trends.sort_by_key(|t| (t.year, t.month));
    }
}

fn add_grades(into: &mut GradeCounts, g: &GradeCounts) {
    into.good += g.good;
    into.fair += g.fair;
    into.average += g.average;
    into.poor += g.poor;
    into.ungraded += g.ungraded;
}

/// One commune's row of the rollup.
#[derive(Clone, Debug, PartialEq)]
pub struct CommuneRollup {
    pub commune: CommuneRow,
    pub figures: CommuneMonth,
}

/// The province's month: its communes (in the order asked for) and the totals.
#[derive(Clone, Debug, PartialEq)]
pub struct ProvinceRollup {
    pub year: i32,
    pub month: u32,
    pub communes: Vec<CommuneRollup>,
    pub totals: CommuneMonth,
}

/// What the rollup may be ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RollupSort {
    /// The lagging communes first: fewest cells met (by share), then most overdue, then
    /// lowest attendance, then fewest cadre visits done (by share).
    Lagging,
    Name,
    Met,
    Overdue,
    Attendance,
    Visits,
    Reviews,
    OpenPetitions,
    LongOpenPetitions,
}

impl RollupSort {
    pub const ALL: [RollupSort; 9] = [
        RollupSort::Lagging,
        RollupSort::Name,
        RollupSort::Met,
        RollupSort::Overdue,
        RollupSort::Attendance,
        RollupSort::Visits,
        RollupSort::Reviews,
        RollupSort::OpenPetitions,
        RollupSort::LongOpenPetitions,
    ];

    /// The URL's form (`?sort=`).
    pub fn key(self) -> &'static str {
        match self {
            RollupSort::Lagging => "lagging",
            RollupSort::Name => "name",
            RollupSort::Met => "met",
            RollupSort::Overdue => "overdue",
            RollupSort::Attendance => "attendance",
            RollupSort::Visits => "visits",
            RollupSort::Reviews => "reviews",
            RollupSort::OpenPetitions => "petitions",
            RollupSort::LongOpenPetitions => "long-open",
        }
    }

    pub fn parse(text: &str) -> Option<RollupSort> {
        RollupSort::ALL.into_iter().find(|s| s.key() == text)
    }

    /// Whether "worse first" is the ascending order for this column (a low share met is
    /// worse; many overdue cells are worse). The name sorts A to Z.
    pub fn worse_is_low(self) -> bool {
        matches!(
            self,
            RollupSort::Lagging
                | RollupSort::Name
                | RollupSort::Met
                | RollupSort::Attendance
                | RollupSort::Visits
        )
    }
}

/// A rate with "none" last among the low ones: a commune with no cells or nobody
/// expected is not lagging behind one with 0%.
fn rate(value: Option<f64>) -> f64 {
    value.unwrap_or(f64::INFINITY)
}

fn by_rate(a: Option<f64>, b: Option<f64>) -> Ordering {
    rate(a).total_cmp(&rate(b))
}

/// `a` before `b` in the ascending order of `sort`.
fn ascending(sort: RollupSort, a: &CommuneRollup, b: &CommuneRollup) -> Ordering {
    let (x, y) = (&a.figures, &b.figures);
    match sort {
        RollupSort::Lagging => by_rate(x.met_percent(), y.met_percent())
            .then(y.overdue.cmp(&x.overdue))
            .then(by_rate(x.attendance_percent, y.attendance_percent))
            .then(by_rate(x.visits_percent(), y.visits_percent())),
        RollupSort::Name => by_name(a, b),
        RollupSort::Met => by_rate(x.met_percent(), y.met_percent()),
        RollupSort::Overdue => x.overdue.cmp(&y.overdue),
        RollupSort::Attendance => by_rate(x.attendance_percent, y.attendance_percent),
        RollupSort::Visits => by_rate(x.visits_percent(), y.visits_percent()),
        RollupSort::Reviews => x.check_ins_to_review.cmp(&y.check_ins_to_review),
        RollupSort::OpenPetitions => x.open_petitions.cmp(&y.open_petitions),
        RollupSort::LongOpenPetitions => x.long_open_petitions.cmp(&y.long_open_petitions),
    }
}

/// By the communes' names in the Vietnamese alphabet.
fn by_name(a: &CommuneRollup, b: &CommuneRollup) -> Ordering {
    place_order_key(&a.commune.name).cmp(&place_order_key(&b.commune.name))
}

/// Orders the rows by `sort`, ascending or not; ties by the communes' names.
pub fn sort_rows(rows: &mut [CommuneRollup], sort: RollupSort, ascending_order: bool) {
    rows.sort_by(|a, b| {
        let primary = ascending(sort, a, b);
        let primary = if ascending_order {
            primary
        } else {
            primary.reverse()
        };
        primary
            .then_with(|| by_name(a, b))
            .then_with(|| a.commune.id.cmp(&b.commune.id))
    });
}

/// What a stored [`CommuneMonth`] was judged from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    version: u32,
    summary_version: u32,
    mark: u64,
    today: CalendarDate,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    stamp: Stamp,
    figures: CommuneMonth,
}

/// One commune's condensed month, judged as of `now` from its meeting summaries.
pub fn commune_month(
    docs: &CommuneDocs,
    year: i32,
    month: u32,
    now: EpochMillis,
) -> StorageResult<CommuneMonth> {
    Ok(CommuneMonth::of(&months::overview(docs, year, month, now)?))
}

/// The province's communes for a month, lagging first (see [`sort_rows`] for others),
/// as of `now`.
pub fn province_rollup(
    storage: &dyn Storage,
    province_id: &str,
    year: i32,
    month: u32,
    now: EpochMillis,
) -> StorageResult<ProvinceRollup> {
    let id = month_key(year, month);
    let today = local_date(now);
    // Three statements, whatever the number of communes here or in the nation.
    let (communes, marks, stored) = storage::read(storage, |tx| {
        let communes: Vec<CommuneRow> = tx.province_communes(province_id)?;
        let marks: HashMap<String, u64> =
            tx.province_change_marks(province_id)?.into_iter().collect();
        let ids: Vec<String> = communes.iter().map(|c| c.id.clone()).collect();
        let mut kept: HashMap<String, DocRow> = tx
            .docs_across_communes(&ids, COMMUNE_MONTH, &id)?
            .into_iter()
            .map(|row| (row.commune_id.clone(), row))
            .collect();
        let stored: Vec<Option<DocRow>> = communes.iter().map(|c| kept.remove(&c.id)).collect();
        Ok((communes, marks, stored))
    })?;

    let mut rows = Vec::with_capacity(communes.len());
    let mut fresh: Vec<DocRow> = Vec::new();
    for (commune, stored) in communes.into_iter().zip(stored) {
        let stamp = Stamp {
            version: COMMUNE_MONTH_VERSION,
            summary_version: SUMMARY_VERSION,
            mark: marks.get(&commune.id).copied().unwrap_or(0),
            today,
        };
        let kept = stored
            .and_then(|row| serde_json::from_str::<Stored>(&row.body_json).ok())
            .filter(|s| s.stamp == stamp)
            .map(|s| s.figures);
        let figures = match kept {
            Some(figures) => figures,
            None => {
                let figures = storage::read(storage, |tx| {
                    commune_month(&CommuneDocs::new(tx, &commune.id), year, month, now)
                })?;
                let body = Stored {
                    stamp,
                    figures: figures.clone(),
                };
                fresh.push(DocRow {
                    commune_id: commune.id.clone(),
                    kind: COMMUNE_MONTH.to_string(),
                    id: id.clone(),
                    cell_id: None,
                    ref_id: None,
                    at: None,
                    body_json: serde_json::to_string(&body)
                        .map_err(|e| StorageError::Corrupt(e.to_string()))?,
                });
                figures
            }
        };
        rows.push(CommuneRollup { commune, figures });
    }
    if !fresh.is_empty() {
        // Keeping them is an optimisation: a failure to write is logged, not shown.
        if let Err(e) = storage::write(storage, |tx| tx.put_docs(&fresh)) {
            tracing::warn!(error = %e, "province rollup: commune months not kept");
        }
    }

    let mut totals = CommuneMonth::default();
    for row in &rows {
        totals.add(&row.figures);
    }
    sort_rows(&mut rows, RollupSort::Lagging, true);
    Ok(ProvinceRollup {
        year,
        month,
        communes: rows,
        totals,
    })
}

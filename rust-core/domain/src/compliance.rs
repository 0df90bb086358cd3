//! Whether commune committee members (cadres) attend the village cells they are assigned
//! to as often as the commune requires (phân công phụ trách; e.g. every month per cell, or
//! ≥ 6 visits a year as in Kon Tum Regulation 776-QĐ/TU).
//!
//! # Counting
//! - A visit is one meeting of a cell: several check-ins at the same meeting count once,
//!   as verified if any of them is verified. Visits count in the Vietnam-time month of
//!   their (corrected) check-in time, [`crate::time::local_year_month`], so a check-in on
//!   31/12 at 23:30 counts for December.
//! - `Provisional` visits (not yet judged by the server) count as needing review.
//! - A check-in the office rejected is no visit at all ([`VisitRecord::of`]).
//! - Visits after the given month are not counted; "this year" is January to the given
//!   month.
//! - Every cell the cadre visited appears, even one not assigned (its requirement is 0):
//!   nothing is dropped.
//!
//! # Required counts
//! A month is *assigned* for a cell when assignments to it cover at least half of the
//! month's days (e.g. from the 16th of a 30-day month, or until the 14th of a 28-day one);
//! overlapping assignments count each day once.
//! - [`VisitPeriod::Month`] with `visits = n`: `required_this_month` is `n` if the given
//!   month is assigned, else 0; `required_this_year` is `n` × the assigned months from
//!   January to the given month (what was due so far).
//! - [`VisitPeriod::Year`] with `visits = n`: `required_this_month` is 0 (the year is the
//!   period); `required_this_year` is the whole year's target `n` × assigned months of the
//!   year (January–December, future months included as the assignments stand) / 12,
//!   rounded up; due by 31/12.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::checkin::{CheckIn, Verdict, VerdictStatus};
use crate::model::Id;
use crate::time::{local_year_month, CalendarDate, EpochMillis};

/// Tổ công tác: commune committee members who follow a set of cells together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct WorkingTeam {
    pub id: Id,
    pub commune_id: Id,
    /// e.g. "Tổ công tác số 3".
    pub name: String,
}

/// Cấp ủy viên cấp trên: a commune committee member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Cadre {
    pub id: Id,
    pub commune_id: Id,
    pub full_name: String,
    /// e.g. "Phó Bí thư Đảng ủy xã".
    pub title: String,
}

/// Phân công phụ trách: a cadre follows a cell from `starts_on` to `ends_on` (inclusive;
/// open-ended when `None`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Assignment {
    pub id: Id,
    pub cadre_id: Id,
    pub cell_id: Id,
    pub working_team_id: Option<Id>,
    pub starts_on: CalendarDate,
    pub ends_on: Option<CalendarDate>,
}

/// How long after an assignment ends its cadre still reads the cell: to send the
/// check-ins and observations of its last meetings.
pub const READ_GRACE_DAYS: i64 = 31;

impl Assignment {
    pub fn covers(&self, on: CalendarDate) -> bool {
        self.starts_on <= on && self.ends_on.is_none_or(|end| on <= end)
    }

    /// Whether the cadre reads (and writes check-ins to) the cell on `today`: from the
    /// assignment's first day until [`READ_GRACE_DAYS`] after its last. A future
    /// assignment grants nothing yet; a past one nothing for ever.
    pub fn readable_on(&self, today: CalendarDate) -> bool {
        self.starts_on <= today
            && self.ends_on.is_none_or(|end| {
                end.0
                    .checked_add_signed(chrono::Duration::days(READ_GRACE_DAYS))
                    .is_none_or(|last| today.0 <= last)
            })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum VisitPeriod {
    Month,
    Year,
}

/// How many visits per assigned cell the commune requires per period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct VisitRequirement {
    pub per: VisitPeriod,
    pub visits: u32,
}

impl Default for VisitRequirement {
    /// Every month, once per assigned cell.
    fn default() -> Self {
        VisitRequirement {
            per: VisitPeriod::Month,
            visits: 1,
        }
    }
}

/// A cadre's check-in at a meeting, with its verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct VisitRecord {
    pub meeting_id: Id,
    pub cell_id: Id,
    /// The check-in's effective (corrected) time, [`crate::checkin::Verdict::effective_time`].
    pub at: EpochMillis,
    pub status: VerdictStatus,
}

impl VisitRecord {
    /// A cadre's check-in as compliance counts it; None once the office rejected it (it
    /// neither counts nor waits for review any more).
    pub fn of(check_in: &CheckIn, verdict: &Verdict) -> Option<VisitRecord> {
        (!verdict.is_rejected()).then(|| VisitRecord {
            meeting_id: check_in.meeting_id.clone(),
            cell_id: check_in.cell_id.clone(),
            at: verdict.effective_time,
            status: verdict.status,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CellCompliance {
    pub cell_id: Id,
    pub verified_this_month: u32,
    pub needs_review_this_month: u32,
    pub required_this_month: u32,
    pub verified_this_year: u32,
    pub needs_review_this_year: u32,
    pub required_this_year: u32,
}

impl CellCompliance {
    /// Verified visits fall short of what is required (so far this year).
    pub fn behind(&self) -> bool {
        self.verified_this_month < self.required_this_month
            || self.verified_this_year < self.required_this_year
    }
}

/// The sums over all cells. For a monthly requirement each cell must be met on its own,
/// so read the totals as an overview, and [`CellCompliance::behind`] per cell.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ComplianceTotals {
    pub verified_this_month: u32,
    pub needs_review_this_month: u32,
    pub required_this_month: u32,
    pub verified_this_year: u32,
    pub needs_review_this_year: u32,
    pub required_this_year: u32,
    /// Cells where verified visits fall short.
    pub cells_behind: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CadreCompliance {
    pub cadre_id: Id,
    pub year: i32,
    pub month: u32,
    /// Cells assigned on any day of the period, in assignment order (even when no month
    /// counts yet, with a requirement of 0), then visited cells not assigned.
    pub per_cell: Vec<CellCompliance>,
    pub totals: ComplianceTotals,
}

/// Whether the cadre is assigned to the cell on that day.
pub fn is_assigned(
    assignments: &[Assignment],
    cadre_id: &str,
    cell_id: &str,
    on: CalendarDate,
) -> bool {
    assignments
        .iter()
        .any(|a| a.cadre_id == cadre_id && a.cell_id == cell_id && a.covers(on))
}

/// A cadre's attendance against the requirement, for `month` (1–12) of `year` and the year
/// so far. `assignments` and `visits` may hold other cadres' entries; only this cadre's
/// assignments are read, and `visits` are taken to be this cadre's. See the module
/// documentation for the counting.
pub fn compliance(
    cadre_id: &str,
    assignments: &[Assignment],
    visits: &[VisitRecord],
    requirement: VisitRequirement,
    year: i32,
    month: u32,
) -> CadreCompliance {
    let month = month.clamp(1, 12);
    let mine: Vec<&Assignment> = assignments
        .iter()
        .filter(|a| a.cadre_id == cadre_id)
        .collect();

    // Cells in order: assigned on any day of the period (January to the given month for a
    // monthly rule, the whole year for a yearly one), then any other visited cell.
    let mut cells: Vec<Id> = Vec::new();
    let mut note = |cell: &Id| {
        if !cells.contains(cell) {
            cells.push(cell.clone());
        }
    };
    let last_month = match requirement.per {
        VisitPeriod::Month => month,
        VisitPeriod::Year => 12,
    };
    let year_start = NaiveDate::from_ymd_opt(year, 1, 1).map(CalendarDate);
    let period_end = last_day_of(year, last_month);
    for a in &mine {
        let overlaps = match (year_start, period_end) {
            (Some(from), Some(to)) => a.starts_on <= to && a.ends_on.is_none_or(|e| e >= from),
            _ => false,
        };
        if overlaps {
            note(&a.cell_id);
        }
    }
    let mut per_meeting: BTreeMap<(&str, &str), (u32, bool)> = BTreeMap::new();
    for v in visits {
        let (y, m) = local_year_month(v.at);
        if y != year || m > month {
            continue;
        }
        note(&v.cell_id);
        let entry = per_meeting
            .entry((v.cell_id.as_str(), v.meeting_id.as_str()))
            .or_insert((m, false));
        if v.status == VerdictStatus::Verified && !entry.1 {
            // The month of the verified check-in wins.
            *entry = (m, true);
        }
    }

    let per_cell: Vec<CellCompliance> = cells
        .iter()
        .map(|cell| {
            let mut row = CellCompliance {
                cell_id: cell.clone(),
                ..CellCompliance::default()
            };
            for (&(_, _), &(m, verified)) in per_meeting.iter().filter(|((c, _), _)| c == cell) {
                let this_month = m == month;
                match (verified, this_month) {
                    (true, true) => {
                        row.verified_this_month += 1;
                        row.verified_this_year += 1;
                    }
                    (true, false) => row.verified_this_year += 1,
                    (false, true) => {
                        row.needs_review_this_month += 1;
                        row.needs_review_this_year += 1;
                    }
                    (false, false) => row.needs_review_this_year += 1,
                }
            }
            let n = requirement.visits;
            match requirement.per {
                VisitPeriod::Month => {
                    row.required_this_month = n * assigned_months(&mine, cell, year, month, month);
                    row.required_this_year = n * assigned_months(&mine, cell, year, 1, month);
                }
                VisitPeriod::Year => {
                    row.required_this_month = 0;
                    row.required_this_year =
                        (n * assigned_months(&mine, cell, year, 1, 12)).div_ceil(12);
                }
            }
            row
        })
        .collect();

    let mut totals = ComplianceTotals::default();
    for row in &per_cell {
        totals.verified_this_month += row.verified_this_month;
        totals.needs_review_this_month += row.needs_review_this_month;
        totals.required_this_month += row.required_this_month;
        totals.verified_this_year += row.verified_this_year;
        totals.needs_review_this_year += row.needs_review_this_year;
        totals.required_this_year += row.required_this_year;
        totals.cells_behind += u32::from(row.behind());
    }
    CadreCompliance {
        cadre_id: cadre_id.to_string(),
        year,
        month,
        per_cell,
        totals,
    }
}

fn last_day_of(year: i32, month: u32) -> Option<CalendarDate> {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|d| d.pred_opt()).map(CalendarDate)
}

/// Months `from..=to` of `year` in which the cadre's assignments to `cell` cover at least
/// half of the days.
fn assigned_months(mine: &[&Assignment], cell: &str, year: i32, from: u32, to: u32) -> u32 {
    let relevant: Vec<&&Assignment> = mine.iter().filter(|a| a.cell_id == cell).collect();
    if relevant.is_empty() {
        return 0;
    }
    (from..=to)
        .filter(|&m| {
            let Some(first) = NaiveDate::from_ymd_opt(year, m, 1) else {
                return false;
            };
            let days: Vec<NaiveDate> = first.iter_days().take_while(|d| d.month() == m).collect();
            let covered = days
                .iter()
                .filter(|&&d| relevant.iter().any(|a| a.covers(CalendarDate(d))))
                .count();
            covered * 2 >= days.len()
        })
        .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::from_local;

    const CADRE: &str = "cadre-1";
    const NA_HAU: &str = "cell-na-hau";
    const KHE_CAM: &str = "cell-khe-cam";

    fn date(y: i32, m: u32, d: u32) -> CalendarDate {
        CalendarDate::from_ymd(y, m, d).unwrap()
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> EpochMillis {
        from_local(
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, min, 0)
                .unwrap(),
        )
    }

    fn assignment(
        id: &str,
        cell: &str,
        from: CalendarDate,
        to: Option<CalendarDate>,
    ) -> Assignment {
        Assignment {
            id: id.into(),
            cadre_id: CADRE.into(),
            cell_id: cell.into(),
            working_team_id: Some("team-3".into()),
            starts_on: from,
            ends_on: to,
        }
    }

    fn visit(meeting: &str, cell: &str, at: EpochMillis, status: VerdictStatus) -> VisitRecord {
        VisitRecord {
            meeting_id: meeting.into(),
            cell_id: cell.into(),
            at,
            status,
        }
    }

    #[test]
    fn assignment_days_are_inclusive() {
        let a = [assignment(
            "a1",
            NA_HAU,
            date(2026, 3, 16),
            Some(date(2026, 9, 30)),
        )];
        assert!(!is_assigned(&a, CADRE, NA_HAU, date(2026, 3, 15)));
        assert!(is_assigned(&a, CADRE, NA_HAU, date(2026, 3, 16)));
        assert!(is_assigned(&a, CADRE, NA_HAU, date(2026, 9, 30)));
        assert!(!is_assigned(&a, CADRE, NA_HAU, date(2026, 10, 1)));
        assert!(!is_assigned(&a, CADRE, KHE_CAM, date(2026, 5, 1)));
        assert!(!is_assigned(&a, "cadre-2", NA_HAU, date(2026, 5, 1)));
        let open = [assignment("a2", NA_HAU, date(2025, 8, 1), None)];
        assert!(is_assigned(&open, CADRE, NA_HAU, date(2030, 1, 1)));
    }

    #[test]
    fn monthly_requirement_prorated_by_months_assigned() {
        // Nà Hẩu from 16/03 (16 of 31 days: March counts) to 30/09; Khe Cam all year.
        let assignments = [
            assignment("a1", NA_HAU, date(2026, 3, 16), Some(date(2026, 9, 30))),
            assignment("a2", KHE_CAM, date(2025, 7, 1), None),
        ];
        let visits = [
            visit(
                "m-nh-3",
                NA_HAU,
                at(2026, 3, 24, 8, 10),
                VerdictStatus::Verified,
            ),
            visit(
                "m-nh-4",
                NA_HAU,
                at(2026, 4, 24, 8, 5),
                VerdictStatus::Verified,
            ),
            visit(
                "m-nh-5",
                NA_HAU,
                at(2026, 5, 24, 8, 0),
                VerdictStatus::NeedsReview,
            ),
            visit(
                "m-kc-5",
                KHE_CAM,
                at(2026, 5, 24, 14, 0),
                VerdictStatus::Verified,
            ),
            // After the month asked about: not counted.
            visit(
                "m-nh-6",
                NA_HAU,
                at(2026, 6, 24, 8, 0),
                VerdictStatus::Verified,
            ),
        ];
        let requirement = VisitRequirement {
            per: VisitPeriod::Month,
            visits: 1,
        };
        let c = compliance(CADRE, &assignments, &visits, requirement, 2026, 5);
        assert_eq!(
            c.per_cell,
            vec![
                CellCompliance {
                    cell_id: NA_HAU.into(),
                    verified_this_month: 0,
                    needs_review_this_month: 1,
                    required_this_month: 1,
                    verified_this_year: 2,
                    needs_review_this_year: 1,
                    // March, April, May.
                    required_this_year: 3,
                },
                CellCompliance {
                    cell_id: KHE_CAM.into(),
                    verified_this_month: 1,
                    needs_review_this_month: 0,
                    required_this_month: 1,
                    verified_this_year: 1,
                    needs_review_this_year: 0,
                    // January to May.
                    required_this_year: 5,
                },
            ]
        );
        assert_eq!(
            c.totals,
            ComplianceTotals {
                verified_this_month: 1,
                needs_review_this_month: 1,
                required_this_month: 2,
                verified_this_year: 3,
                needs_review_this_year: 1,
                required_this_year: 8,
                cells_behind: 2,
            }
        );
        // October: Nà Hẩu no longer assigned this month; its year requirement stays 7
        // (March–September).
        let october = compliance(CADRE, &assignments, &visits, requirement, 2026, 10);
        assert_eq!(october.per_cell[0].required_this_month, 0);
        assert_eq!(october.per_cell[0].required_this_year, 7);
        assert_eq!(october.per_cell[0].verified_this_year, 3);
    }

    #[test]
    fn a_month_counts_from_half_its_days() {
        // From 17/03: 15 of 31 days, less than half: March does not count.
        let late = [assignment("a1", NA_HAU, date(2026, 3, 17), None)];
        let requirement = VisitRequirement::default();
        let c = compliance(CADRE, &late, &[], requirement, 2026, 3);
        assert_eq!(c.per_cell[0].required_this_month, 0);
        assert_eq!(c.per_cell[0].required_this_year, 0);
        // Until 14/02/2026: 14 of 28 days, half: February counts.
        let early_end = [assignment(
            "a1",
            NA_HAU,
            date(2025, 1, 1),
            Some(date(2026, 2, 14)),
        )];
        let c = compliance(CADRE, &early_end, &[], requirement, 2026, 2);
        assert_eq!(c.per_cell[0].required_this_month, 1);
        assert_eq!(c.per_cell[0].required_this_year, 2);
    }

    #[test]
    fn yearly_requirement_prorated_and_rounded_up() {
        // ≥ 6 visits a year; assigned from 01/05: 8 months → 6 × 8 / 12 = 4.
        let assignments = [assignment("a1", NA_HAU, date(2026, 5, 1), None)];
        let requirement = VisitRequirement {
            per: VisitPeriod::Year,
            visits: 6,
        };
        let c = compliance(CADRE, &assignments, &[], requirement, 2026, 5);
        assert_eq!(c.per_cell[0].required_this_month, 0);
        assert_eq!(c.per_cell[0].required_this_year, 4);
        // From 01/06: 7 months → 42 / 12 = 3,5 → 4.
        let assignments = [assignment("a1", NA_HAU, date(2026, 6, 1), None)];
        let c = compliance(CADRE, &assignments, &[], requirement, 2026, 11);
        assert_eq!(c.per_cell[0].required_this_year, 4);
        // The whole year: 6.
        let assignments = [assignment("a1", NA_HAU, date(2020, 1, 1), None)];
        let c = compliance(CADRE, &assignments, &[], requirement, 2026, 1);
        assert_eq!(c.per_cell[0].required_this_year, 6);
    }

    #[test]
    fn new_years_eve_counts_for_december_in_vietnam_time() {
        let assignments = [assignment("a1", NA_HAU, date(2026, 1, 1), None)];
        // 31/12/2026 23:30 in Vietnam is 16:30 UTC on the same day; 01/01/2027 00:30
        // in Vietnam is still 31/12 in UTC and must count for January.
        let eve = at(2026, 12, 31, 23, 30);
        let new_year = at(2027, 1, 1, 0, 30);
        assert_eq!(eve, 1_798_734_600_000);
        let visits = [
            visit("m-dec", NA_HAU, eve, VerdictStatus::Verified),
            visit("m-jan", NA_HAU, new_year, VerdictStatus::Verified),
        ];
        let req = VisitRequirement::default();
        let december = compliance(CADRE, &assignments, &visits, req, 2026, 12);
        assert_eq!(december.per_cell[0].verified_this_month, 1);
        assert_eq!(december.per_cell[0].verified_this_year, 1);
        assert_eq!(december.per_cell[0].required_this_year, 12);
        let january = compliance(CADRE, &assignments, &visits, req, 2027, 1);
        assert_eq!(january.per_cell[0].verified_this_month, 1);
        assert_eq!(january.per_cell[0].verified_this_year, 1);
        assert_eq!(january.per_cell[0].required_this_year, 1);
    }

    #[test]
    fn one_meeting_counts_once_and_unassigned_visits_still_show() {
        let assignments = [assignment("a1", NA_HAU, date(2026, 1, 1), None)];
        let visits = [
            // A first check-in needed review, a second one at the same meeting verified.
            visit(
                "m1",
                NA_HAU,
                at(2026, 4, 24, 8, 0),
                VerdictStatus::NeedsReview,
            ),
            visit(
                "m1",
                NA_HAU,
                at(2026, 4, 24, 8, 20),
                VerdictStatus::Verified,
            ),
            // Two provisional check-ins at one meeting: one visit needing review.
            visit(
                "m2",
                NA_HAU,
                at(2026, 4, 28, 8, 0),
                VerdictStatus::Provisional,
            ),
            visit(
                "m2",
                NA_HAU,
                at(2026, 4, 28, 8, 1),
                VerdictStatus::Provisional,
            ),
            // A cell the cadre is not assigned to.
            visit(
                "m3",
                KHE_CAM,
                at(2026, 4, 24, 14, 0),
                VerdictStatus::NeedsReview,
            ),
        ];
        let c = compliance(
            CADRE,
            &assignments,
            &visits,
            VisitRequirement::default(),
            2026,
            4,
        );
        assert_eq!(c.per_cell.len(), 2);
        let na_hau = &c.per_cell[0];
        assert_eq!(
            (na_hau.verified_this_month, na_hau.needs_review_this_month),
            (1, 1)
        );
        let khe_cam = &c.per_cell[1];
        assert_eq!(khe_cam.cell_id, KHE_CAM);
        assert_eq!(khe_cam.needs_review_this_month, 1);
        assert_eq!(khe_cam.required_this_month, 0);
        assert_eq!(khe_cam.required_this_year, 0);
        assert!(!khe_cam.behind());
    }

    #[test]
    fn other_cadres_assignments_are_ignored() {
        let mut other = assignment("a9", KHE_CAM, date(2026, 1, 1), None);
        other.cadre_id = "cadre-2".into();
        let c = compliance(CADRE, &[other], &[], VisitRequirement::default(), 2026, 6);
        assert!(c.per_cell.is_empty());
        assert_eq!(c.totals, ComplianceTotals::default());
    }
}

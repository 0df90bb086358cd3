//! `GET /province?month=YYYY-MM&sort=…&dir=…`: the province viewer's rollup of the
//! province's communes for a month — cells met, not met and overdue, pooled attendance,
//! the grade mix, cadre visits against those required, check-ins awaiting review,
//! petitions open and open too long — sortable, the lagging communes first by default,
//! with the province's 12-month trends and a link down to each commune's own pages
//! (read-only for this role). `GET /province/reports/YYYY-MM.xlsx`: the same month as
//! the province's report, one row per commune. Figures from
//! [`crate::figures::province`]; nothing here writes.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use chibo_domain::labels::{format_percent, Label};
use chibo_domain::rules::{QualityGrade, PETITION_LONG_OPEN_DAYS};
use chibo_domain::time::EpochMillis;

use crate::accounts::sessions::DashboardUser;
use crate::accounts::users::DashboardRole;
use crate::figures::months::{add_months, month_key, parse_month, percent_text};
use crate::figures::province::{
    province_rollup, sort_rows, CommuneMonth, ProvinceRollup, RollupSort,
};
use crate::AppState;

use super::charts::Chart;
use super::exports::{download, province_workbook, XLSX_MIME_TYPE};
use super::layout::{blocking, commune_path, render, urlencode, Chrome, Nav, PageError};
use super::overview::{chosen_month, month_label, trend_charts, Card, MonthQuery};

pub const PROVINCE_PATH: &str = "/province";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PROVINCE_PATH, get(page))
        .route("/province/reports/{file}", get(report))
}

/// The province the signed-in user views; anyone else finds no such page.
fn province_of(user: &DashboardUser) -> Result<String, PageError> {
    match (user.role, &user.province_id) {
        (DashboardRole::ProvinceViewer | DashboardRole::ProvinceAdmin, Some(province))
            if !province.is_empty() =>
        {
            Ok(province.clone())
        }
        _ => Err(PageError::NotFound),
    }
}

#[derive(Deserialize)]
struct RollupQuery {
    month: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
}

/// The order asked for: `sort` (default: lagging first) and `dir` (`asc`/`desc`;
/// default: worse first). Unknown values fall back to the defaults.
fn chosen_order(query: &RollupQuery) -> (RollupSort, bool) {
    let sort = query
        .sort
        .as_deref()
        .and_then(RollupSort::parse)
        .unwrap_or(RollupSort::Lagging);
    let ascending = match query.dir.as_deref() {
        Some("asc") => true,
        Some("desc") => false,
        _ => sort.worse_is_low(),
    };
    (sort, ascending)
}

async fn load(
    state: &AppState,
    province: String,
    year: i32,
    month: u32,
    now: EpochMillis,
    (sort, ascending): (RollupSort, bool),
) -> Result<ProvinceRollup, PageError> {
    let storage = state.storage.clone();
    blocking(move || {
        let mut rollup = province_rollup(&*storage, &province, year, month, now)?;
        sort_rows(&mut rollup.communes, sort, ascending);
        Ok(rollup)
    })
    .await
}

// ---------------------------------------------------------------- the page

/// A sortable column header.
pub struct SortHeader {
    pub label: &'static str,
    pub href: String,
    /// `ascending`/`descending` on the column the rows are sorted by, else None.
    pub aria_sort: Option<&'static str>,
    pub numeric: bool,
}

/// One commune's row as the table shows it.
pub struct RollupRowView {
    pub commune_id: String,
    pub name: String,
    pub href: String,
    pub met: String,
    pub met_class: &'static str,
    pub not_met: u32,
    pub overdue: u32,
    pub overdue_class: &'static str,
    pub attendance: String,
    /// Good, fair, average, poor, not graded.
    pub grades: [u32; 5],
    pub visits: String,
    pub visits_class: &'static str,
    pub reviews: u32,
    pub open_petitions: u32,
    pub long_open_petitions: u32,
    pub long_open_class: &'static str,
}

fn row_view(name: &str, commune_id: &str, href: String, f: &CommuneMonth) -> RollupRowView {
    let g = &f.grades;
    RollupRowView {
        commune_id: commune_id.to_string(),
        name: name.to_string(),
        href,
        met: format!("{}/{} ({})", f.met, f.cells, percent_text(f.met_percent())),
        met_class: if f.cells > 0 && f.met == f.cells {
            "ok"
        } else {
            ""
        },
        not_met: f.not_met,
        overdue: f.overdue,
        overdue_class: if f.overdue > 0 { "bad" } else { "" },
        attendance: match f.attendance_percent {
            Some(p) => format!("{} ({}/{})", format_percent(p), f.present, f.expected),
            None => "–".into(),
        },
        grades: [g.good, g.fair, g.average, g.poor, g.ungraded],
        visits: format!("{}/{}", f.cadre_visits_done, f.cadre_visits_required),
        visits_class: if f.cadre_visits_done < f.cadre_visits_required {
            "bad"
        } else {
            ""
        },
        reviews: f.check_ins_to_review,
        open_petitions: f.open_petitions,
        long_open_petitions: f.long_open_petitions,
        long_open_class: if f.long_open_petitions > 0 { "bad" } else { "" },
    }
}

#[derive(Template)]
#[template(path = "province.html")]
pub struct ProvincePage {
    pub chrome: Chrome,
    pub province: String,
    pub month_label: String,
    pub month_value: String,
    pub prev_href: String,
    pub next_href: String,
    pub sort_label: &'static str,
    pub report_href: String,
    pub cards: Vec<Card>,
    pub headers: Vec<SortHeader>,
    pub grade_labels: [&'static str; 5],
    pub rows: Vec<RollupRowView>,
    pub total: RollupRowView,
    pub charts: Vec<Chart>,
    pub long_open_days: i64,
}

/// The columns in the table's order, each with the sort its header sets.
const COLUMNS: [(&str, Option<RollupSort>, bool); 9] = [
    ("Xã", Some(RollupSort::Name), false),
    ("Chi bộ đã họp", Some(RollupSort::Met), true),
    ("Chưa họp", None, true),
    ("Quá hạn", Some(RollupSort::Overdue), true),
    ("Tỷ lệ dự họp", Some(RollupSort::Attendance), true),
    (
        "Cán bộ dự (đã xác minh/phải dự)",
        Some(RollupSort::Visits),
        true,
    ),
    ("Check-in chờ xem xét", Some(RollupSort::Reviews), true),
    ("Kiến nghị đang mở", Some(RollupSort::OpenPetitions), true),
    ("Mở quá 30 ngày", Some(RollupSort::LongOpenPetitions), true),
];

fn sort_label(sort: RollupSort) -> &'static str {
    match sort {
        RollupSort::Lagging => {
            "xã chậm nhất lên đầu (ít chi bộ đã họp nhất, rồi nhiều chi bộ quá hạn nhất, \
             rồi tỷ lệ dự họp thấp nhất)"
        }
        RollupSort::Name => "tên xã",
        RollupSort::Met => "tỷ lệ chi bộ đã họp",
        RollupSort::Overdue => "số chi bộ quá hạn",
        RollupSort::Attendance => "tỷ lệ dự họp",
        RollupSort::Visits => "tỷ lệ cán bộ dự sinh hoạt",
        RollupSort::Reviews => "số check-in chờ xem xét",
        RollupSort::OpenPetitions => "số kiến nghị đang mở",
        RollupSort::LongOpenPetitions => "số kiến nghị mở quá 30 ngày",
    }
}

fn query_string(month: &str, sort: RollupSort, ascending: bool) -> String {
    format!(
        "month={}&sort={}&dir={}",
        urlencode(month),
        sort.key(),
        if ascending { "asc" } else { "desc" }
    )
}

fn build(
    chrome: Chrome,
    province: String,
    rollup: &ProvinceRollup,
    (sort, ascending): (RollupSort, bool),
) -> ProvincePage {
    let (year, month) = (rollup.year, rollup.month);
    let key = month_key(year, month);
    let month_href = |(y, m): (i32, u32)| {
        format!(
            "{PROVINCE_PATH}?{}",
            query_string(&month_key(y, m), sort, ascending)
        )
    };
    let headers = COLUMNS
        .iter()
        .map(|&(label, column_sort, numeric)| {
            let current = column_sort == Some(sort);
            let href = match column_sort {
                // The current column again: the other way round; another: worse first.
                Some(s) if current => {
                    format!(
                        "{PROVINCE_PATH}?{}#communes",
                        query_string(&key, s, !ascending)
                    )
                }
                Some(s) => format!(
                    "{PROVINCE_PATH}?{}#communes",
                    query_string(&key, s, s.worse_is_low())
                ),
                None => String::new(),
            };
            SortHeader {
                label,
                href,
                aria_sort: current.then_some(if ascending { "ascending" } else { "descending" }),
                numeric,
            }
        })
        .collect();
    let rows = rollup
        .communes
        .iter()
        .map(|c| {
            row_view(
                &c.commune.name,
                &c.commune.id,
                format!("{}?month={key}", commune_path(&c.commune.id)),
                &c.figures,
            )
        })
        .collect();
    let t = &rollup.totals;
    let cards = vec![
        Card {
            label: "Chi bộ đã họp",
            value: format!("{}/{}", t.met, t.cells),
            detail: format!(
                "{} chi bộ chưa họp, trong {} xã",
                t.not_met,
                rollup.communes.len()
            ),
            class: if t.not_met == 0 { "good" } else { "" },
            href: None,
        },
        Card::overdue(t.overdue),
        Card::attendance(t.attendance_percent, t.present, t.expected),
        Card::cadre_visits(
            t.cadre_visits_done,
            t.cadre_visits_required,
            t.cadre_visits_needs_review,
            None,
        ),
        Card::check_ins_to_review(t.check_ins_to_review as usize, None),
        Card::open_petitions(t.open_petitions, t.long_open_petitions, None, None),
    ];
    ProvincePage {
        chrome,
        month_label: month_label(year, month),
        month_value: key.clone(),
        prev_href: month_href(add_months(year, month, -1)),
        next_href: month_href(add_months(year, month, 1)),
        sort_label: sort_label(sort),
        report_href: format!(
            "{PROVINCE_PATH}/reports/{key}.xlsx?sort={}&dir={}",
            sort.key(),
            if ascending { "asc" } else { "desc" }
        ),
        cards,
        headers,
        grade_labels: [
            QualityGrade::Good.label(),
            QualityGrade::Fair.label(),
            QualityGrade::Average.label(),
            QualityGrade::Poor.label(),
            chibo_domain::labels::NOT_GRADED,
        ],
        rows,
        total: row_view(&format!("Toàn tỉnh {province}"), "", String::new(), t),
        charts: trend_charts(&t.trends),
        long_open_days: PETITION_LONG_OPEN_DAYS,
        province,
    }
}

async fn page(
    user: DashboardUser,
    Query(query): Query<RollupQuery>,
    State(state): State<AppState>,
) -> Result<Response, PageError> {
    let province = province_of(&user)?;
    let now = state.clock.now();
    let (year, month) = chosen_month(
        &MonthQuery {
            month: query.month.clone(),
        },
        now,
    )?;
    let order = chosen_order(&query);
    let rollup = load(&state, province.clone(), year, month, now, order).await?;
    let chrome = Chrome::new(
        user,
        None,
        Nav::Province,
        format!("Các xã tháng {}", month_label(year, month)),
    );
    let page = build(chrome, province, &rollup, order);
    Ok(render(&page)?.into_response())
}

async fn report(
    user: DashboardUser,
    Path(file): Path<String>,
    Query(query): Query<RollupQuery>,
    State(state): State<AppState>,
) -> Result<Response, PageError> {
    let province = province_of(&user)?;
    let (year, month) = file
        .strip_suffix(".xlsx")
        .and_then(parse_month)
        .ok_or(PageError::NotFound)?;
    let now = state.clock.now();
    let rollup = load(
        &state,
        province.clone(),
        year,
        month,
        now,
        chosen_order(&query),
    )
    .await?;
    let bytes = province_workbook(&province, &rollup)
        .map_err(|e| PageError::Internal(format!("xlsx: {e}")))?;
    Ok(download(
        bytes,
        XLSX_MIME_TYPE,
        &format!("bao-cao-tinh-{}.xlsx", month_key(year, month)),
        &format!("Báo cáo tháng {month:02}-{year} {province}.xlsx"),
    ))
}

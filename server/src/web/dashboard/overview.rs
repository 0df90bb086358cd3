//! `GET /communes/{commune_id}?month=YYYY-MM`: the month at a glance — which cells met,
//! which have not and which are overdue, attendance, the grade mix, cadre visits,
//! check-ins to review, open petitions, and 12-month trends as charts.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use chibo_domain::labels::{format_month, format_percent, Label};
use chibo_domain::rules::{MonthlyMeetingStatus, QualityGrade, PETITION_LONG_OPEN_DAYS};
use chibo_domain::time::{local_date, local_year_month, EpochMillis};

use crate::AppState;

use super::charts::{line_chart, stacked_bars, Chart};
use super::layout::{commune_path, read_docs, render, urlencode, Chrome, Nav, PageError};
use super::session::CommuneScope;
use crate::figures::months::{
    self as figures, add_months, month_key, parse_month, percent_text, CellMonth, GradeCounts,
    Overview, TrendMonth,
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/communes/{commune_id}", get(page))
}

#[derive(Deserialize)]
pub struct MonthQuery {
    pub month: Option<String>,
}

/// The month asked for (`?month=YYYY-MM`), else the current month in Vietnam; a malformed
/// month is a 400 with a Vietnamese message.
pub fn chosen_month(query: &MonthQuery, now: EpochMillis) -> Result<(i32, u32), PageError> {
    match query
        .month
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        None => Ok(local_year_month(now)),
        Some(text) => parse_month(text).ok_or_else(|| {
            PageError::BadRequest(format!(
                "Tháng \"{text}\" không hợp lệ; hãy chọn tháng theo dạng năm-tháng, ví dụ 2026-11."
            ))
        }),
    }
}

/// "11/2026".
pub fn month_label(year: i32, month: u32) -> String {
    format_month(year, month)
}

pub fn date_text(at: EpochMillis) -> String {
    local_date(at).to_vietnamese()
}

pub fn grade_class(grade: Option<QualityGrade>) -> &'static str {
    match grade {
        Some(QualityGrade::Good) => "g-good",
        Some(QualityGrade::Fair) => "g-fair",
        Some(QualityGrade::Average) => "g-average",
        Some(QualityGrade::Poor) => "g-poor",
        None => "g-ungraded",
    }
}

pub fn grade_text(grade: Option<QualityGrade>) -> &'static str {
    grade.label()
}

/// A cell's month as the tables show it.
pub struct CellMonthView {
    pub name: String,
    pub href: String,
    pub meeting_href: Option<String>,
    pub kind: String,
    pub date: String,
    pub due_on: String,
    pub attendance: String,
    pub grade: String,
    pub grade_class: &'static str,
    pub cadre_grade: String,
    pub visited: &'static str,
    pub status_label: &'static str,
    pub status_class: &'static str,
    pub viability_warnings: Vec<String>,
}

/// (label, badge class) of a cell's month.
pub fn status_of(c: &CellMonth) -> (&'static str, &'static str) {
    let status = c.status();
    let class = match status {
        MonthlyMeetingStatus::Met => "ok",
        MonthlyMeetingStatus::Overdue => "bad",
        MonthlyMeetingStatus::NotYet => "warn",
    };
    (status.label(), class)
}

pub fn cell_month_view(commune_id: &str, c: &CellMonth) -> CellMonthView {
    let base = commune_path(commune_id);
    let (status_label, status_class) = status_of(c);
    CellMonthView {
        name: c.cell_name.clone(),
        href: format!("{base}/cells/{}", urlencode(&c.cell_id)),
        meeting_href: c
            .meeting_id
            .as_ref()
            .map(|id| format!("{base}/meetings/{}", urlencode(id))),
        kind: c.kind.map_or("–", |k| k.label()).to_string(),
        date: c
            .date
            .map(|d| d.to_vietnamese())
            .unwrap_or_else(|| "–".into()),
        due_on: c.due_on.to_vietnamese(),
        attendance: if c.met {
            format!(
                "{} ({}/{})",
                percent_text(c.attendance_percent),
                c.present,
                c.expected
            )
        } else {
            "–".into()
        },
        grade: if c.met {
            match (c.grade, c.quality_total) {
                (Some(g), Some(total)) => format!("{} ({total} điểm)", g.label()),
                _ => grade_text(None).to_string(),
            }
        } else {
            "–".into()
        },
        grade_class: grade_class(c.grade),
        cadre_grade: match (c.cadre_grade, c.cadre_quality_total) {
            (Some(g), Some(total)) => format!("{} ({total} điểm)", g.label()),
            _ => "–".into(),
        },
        visited: if c.cadre_visited {
            "Có"
        } else if c.cadre_visit_needs_review {
            "Chờ xem xét"
        } else {
            "Chưa"
        },
        status_label,
        status_class,
        viability_warnings: c.viability_warnings.clone(),
    }
}

pub struct Card {
    pub label: &'static str,
    pub value: String,
    pub detail: String,
    pub class: &'static str,
    pub href: Option<String>,
}

/// The cards a commune's month and a province's month both show: the same words and the
/// same alerts on both pages.
impl Card {
    pub fn overdue(overdue: u32) -> Card {
        Card {
            label: "Chi bộ quá hạn",
            value: overdue.to_string(),
            detail: "đã qua ngày sinh hoạt mà chưa họp".into(),
            class: if overdue > 0 { "alert" } else { "" },
            href: None,
        }
    }

    pub fn attendance(percent: Option<f64>, present: u32, expected: u32) -> Card {
        Card {
            label: "Tỷ lệ đảng viên dự họp",
            value: percent_text(percent),
            detail: format!("{present}/{expected} đảng viên phải dự"),
            class: "",
            href: None,
        }
    }

    pub fn cadre_visits(done: u32, required: u32, needs_review: u32, href: Option<String>) -> Card {
        Card {
            label: "Cán bộ dự sinh hoạt",
            value: format!("{done}/{required}"),
            detail: format!("lượt đã xác minh / phải dự; {needs_review} lượt chờ xem xét"),
            class: if done < required { "alert" } else { "" },
            href,
        }
    }

    pub fn check_ins_to_review(count: usize, href: Option<String>) -> Card {
        Card {
            label: "Check-in cần xem xét",
            value: count.to_string(),
            detail: "từ đầu năm đến hết tháng".into(),
            class: if count > 0 { "alert" } else { "" },
            href,
        }
    }

    /// Open petitions, an alert once one has stayed open past the rule's days.
    pub fn open_petitions(
        open: u32,
        long_open: u32,
        this_month: Option<(u32, u32)>,
        href: Option<String>,
    ) -> Card {
        let mut detail = format!("{long_open} kiến nghị mở quá {PETITION_LONG_OPEN_DAYS} ngày");
        if let Some((raised, resolved)) = this_month {
            detail.push_str(&format!(
                "; tháng này: {raised} nêu mới, {resolved} đã giải quyết"
            ));
        }
        Card {
            label: "Kiến nghị đang mở",
            value: open.to_string(),
            detail,
            class: if long_open > 0 { "alert" } else { "" },
            href,
        }
    }
}

pub struct ReviewView {
    pub cell: String,
    pub cadre: String,
    pub date: String,
    /// The failed checks' short names; `details` has the full reasons.
    pub reasons: String,
    pub details: String,
    pub meeting_href: String,
}

pub struct GradeRow {
    pub label: &'static str,
    pub count: u32,
    pub class: &'static str,
}

/// Check-ins to review listed on the overview, newest first (the count covers them all).
pub const REVIEWS_SHOWN: usize = 8;

#[derive(Template)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    pub chrome: Chrome,
    pub month_label: String,
    pub month_value: String,
    pub base: String,
    pub prev_href: String,
    pub next_href: String,
    pub cards: Vec<Card>,
    pub overdue: Vec<CellMonthView>,
    pub not_met: Vec<CellMonthView>,
    pub met: Vec<CellMonthView>,
    pub grades: Vec<GradeRow>,
    pub graded_total: u32,
    /// The newest [`REVIEWS_SHOWN`] of them; the cadres page has them all.
    pub reviews: Vec<ReviewView>,
    pub reviews_total: usize,
    pub charts: Vec<Chart>,
    pub attendance_rule: &'static str,
}

fn grade_rows(g: &GradeCounts) -> Vec<GradeRow> {
    let classes = ["g-good", "g-fair", "g-average", "g-poor", "g-ungraded"];
    g.labelled()
        .into_iter()
        .zip(classes)
        .map(|((label, count), class)| GradeRow {
            label,
            count,
            class,
        })
        .collect()
}

fn build(chrome: Chrome, commune_id: &str, year: i32, month: u32, o: &Overview) -> OverviewPage {
    let base = commune_path(commune_id);
    let t = &o.report.totals;
    let href = |(y, m): (i32, u32)| format!("{base}?month={}", month_key(y, m));
    let cards = vec![
        Card {
            label: "Chi bộ đã họp",
            value: format!("{}/{}", t.met, t.cells),
            detail: format!("{} chi bộ chưa họp", t.not_met),
            class: if t.not_met == 0 { "good" } else { "" },
            href: None,
        },
        Card::overdue(t.overdue),
        Card::attendance(t.attendance_percent, t.present, t.expected),
        Card::cadre_visits(
            t.cadre_visits_done,
            t.cadre_visits_required,
            t.cadre_visits_needs_review,
            Some(format!("{base}/cadres")),
        ),
        Card::check_ins_to_review(o.to_review.len(), Some(format!("{base}/cadres"))),
        Card::open_petitions(
            o.open_petitions,
            o.long_open_petitions,
            Some((t.petitions_raised, t.petitions_resolved)),
            Some(format!("{base}/petitions")),
        ),
    ];
    let views = |pred: &dyn Fn(&CellMonth) -> bool| -> Vec<CellMonthView> {
        o.report
            .cells
            .iter()
            .filter(|c| pred(c))
            .map(|c| cell_month_view(commune_id, c))
            .collect()
    };
    let reviews = o
        .to_review
        .iter()
        .take(REVIEWS_SHOWN)
        .map(|r| ReviewView {
            cell: r.cell_name.clone(),
            cadre: r.cadre_name.clone(),
            date: date_text(r.at),
            reasons: r
                .reason_codes
                .iter()
                .map(|c| c.label())
                .collect::<Vec<_>>()
                .join("; "),
            details: r.reasons.join("; "),
            meeting_href: format!("{base}/meetings/{}", urlencode(&r.meeting_id)),
        })
        .collect();
    OverviewPage {
        chrome,
        month_label: month_label(year, month),
        month_value: month_key(year, month),
        prev_href: href(add_months(year, month, -1)),
        next_href: href(add_months(year, month, 1)),
        base: base.clone(),
        cards,
        overdue: views(&|c| c.overdue),
        not_met: views(&|c| !c.met && !c.overdue),
        met: views(&|c| c.met),
        graded_total: t.grades.total(),
        grades: grade_rows(&t.grades),
        reviews,
        reviews_total: o.to_review.len(),
        charts: trend_charts(&o.trends),
        attendance_rule: "Tỷ lệ dự họp của xã = tổng số đảng viên có mặt ÷ tổng số đảng viên \
                          phải dự, cộng trên các cuộc họp thường kỳ đã tổ chức trong tháng.",
    }
}

/// The 12-month charts: cells met, attendance, the grade mix (the province's too).
pub fn trend_charts(trends: &[TrendMonth]) -> Vec<Chart> {
    let label = |y: i32, m: u32| month_label(y, m);
    let met: Vec<(String, Option<f64>, String)> = trends
        .iter()
        .map(|t| {
            (
                label(t.year, t.month),
                t.met_percent,
                format!("{}/{} ({})", t.met, t.cells, percent_text(t.met_percent)),
            )
        })
        .collect();
    let attendance: Vec<(String, Option<f64>, String)> = trends
        .iter()
        .map(|t| {
            (
                label(t.year, t.month),
                t.attendance_percent,
                match t.attendance_percent {
                    Some(p) => format!("{} ({}/{})", format_percent(p), t.present, t.expected),
                    None => "–".into(),
                },
            )
        })
        .collect();
    let series: Vec<(String, String)> = grade_rows(&GradeCounts::default())
        .into_iter()
        .map(|g| (g.label.to_string(), g.class.to_string()))
        .collect();
    let mix: Vec<(String, Vec<u32>)> = trends
        .iter()
        .map(|t| {
            let g = &t.grades;
            (
                label(t.year, t.month),
                vec![g.good, g.fair, g.average, g.poor, g.ungraded],
            )
        })
        .collect();
    vec![
        line_chart(
            "Tỷ lệ chi bộ họp thường kỳ, 12 tháng",
            "Chi bộ đã họp",
            &met,
            100.0,
            "%",
            None,
        ),
        line_chart(
            "Tỷ lệ đảng viên dự họp, 12 tháng (đường đứt: mức 85%)",
            "Tỷ lệ dự họp",
            &attendance,
            100.0,
            "%",
            Some(85.0),
        ),
        stacked_bars("Xếp loại chất lượng sinh hoạt, 12 tháng", &series, &mix),
    ]
}

async fn page(
    scope: CommuneScope,
    Query(query): Query<MonthQuery>,
    State(state): State<AppState>,
) -> Result<Response, PageError> {
    let CommuneScope { user, commune } = scope;
    let now = state.clock.now();
    let (year, month) = chosen_month(&query, now)?;
    let overview = read_docs(&state, &commune.id, move |docs| {
        figures::overview(docs, year, month, now)
    })
    .await?;
    let commune_id = commune.id.clone();
    let chrome = Chrome::new(
        user,
        Some(commune),
        Nav::Overview,
        format!("Tổng quan tháng {}", month_label(year, month)),
    );
    let page = build(chrome, &commune_id, year, month, &overview);
    Ok(render(&page)?.into_response())
}

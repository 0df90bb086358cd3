//! `GET /communes/{commune_id}/cells`: every cell with this month's status, members, last
//! meeting and viability warnings; `GET /communes/{commune_id}/cells/{cell_id}`: one cell's
//! meeting history, attendance trend, members by status and those nearing the removal line.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use chibo_domain::labels::Label;
use chibo_domain::model::Member;
use chibo_domain::rules::REMOVAL_LINE;

use crate::AppState;

use super::charts::{line_chart, Chart};
use super::figures::{self, percent_text};
use super::layout::{commune_path, read_docs, render, urlencode, Chrome, Nav, PageError};
use super::overview::{
    cell_month_view, chosen_month, date_text, grade_class, grade_text, month_label, CellMonthView,
    MonthQuery,
};
use super::session::CommuneScope;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/communes/{commune_id}/cells", get(list))
        .route("/communes/{commune_id}/cells/{cell_id}", get(cell))
}

pub struct CellListView {
    pub month: CellMonthView,
    pub members: u32,
    pub full_members: u32,
    pub last_meeting: String,
    pub last_meeting_href: Option<String>,
}

#[derive(Template)]
#[template(path = "cells.html")]
pub struct CellsPage {
    pub chrome: Chrome,
    pub month_label: String,
    pub rows: Vec<CellListView>,
    pub warned: usize,
}

async fn list(
    scope: CommuneScope,
    Query(query): Query<MonthQuery>,
    State(state): State<AppState>,
) -> Result<Response, PageError> {
    let CommuneScope { user, commune } = scope;
    let now = state.clock.now();
    let (year, month) = chosen_month(&query, now)?;
    let rows = read_docs(&state, &commune.id, move |docs| {
        figures::cell_list(docs, year, month, now)
    })
    .await?;
    let base = commune_path(&commune.id);
    let rows: Vec<CellListView> = rows
        .iter()
        .map(|r| CellListView {
            month: cell_month_view(&commune.id, &r.month),
            members: r.members,
            full_members: r.full_members,
            last_meeting: r
                .last_meeting_at
                .map(date_text)
                .unwrap_or_else(|| "–".into()),
            last_meeting_href: r
                .last_meeting_id
                .as_ref()
                .map(|id| format!("{base}/meetings/{}", urlencode(id))),
        })
        .collect();
    let page = CellsPage {
        warned: rows
            .iter()
            .filter(|r| !r.month.viability_warnings.is_empty())
            .count(),
        month_label: month_label(year, month),
        rows,
        chrome: Chrome::new(user, Some(commune), Nav::Cells, "Chi bộ"),
    };
    Ok(render(&page)?.into_response())
}

pub struct MemberView {
    pub name: String,
    pub role: &'static str,
    pub membership: &'static str,
    pub since: String,
    pub reason: String,
}

pub struct GroupView {
    pub label: String,
    pub full: usize,
    pub probationary: usize,
    pub members: Vec<MemberView>,
}

pub struct WatchView {
    pub name: String,
    pub months: u32,
    pub reached: bool,
}

pub struct MeetingView {
    pub href: String,
    pub date: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub revision: u32,
    pub duration: String,
    pub attendance: String,
    pub grade: String,
    pub grade_class: &'static str,
    pub cadre_grade: String,
    pub warnings: u32,
}

#[derive(Template)]
#[template(path = "cell.html")]
pub struct CellPageView {
    pub chrome: Chrome,
    pub name: String,
    pub members: u32,
    pub full_members: u32,
    pub viability_warnings: Vec<String>,
    pub groups: Vec<GroupView>,
    pub watch: Vec<WatchView>,
    pub watch_date: String,
    pub removal_line: u32,
    pub meetings: Vec<MeetingView>,
    pub chart: Option<Chart>,
    pub history_months: u32,
}

fn member_view(m: &Member) -> MemberView {
    MemberView {
        name: m.full_name.clone(),
        role: m.role.label(),
        membership: m.membership.label(),
        since: m
            .status_since
            .map(|d| d.to_vietnamese())
            .unwrap_or_default(),
        reason: m.status_reason.clone().unwrap_or_default(),
    }
}

async fn cell(
    scope: CommuneScope,
    Path((_, cell_id)): Path<(String, String)>,
    State(state): State<AppState>,
) -> Result<Response, PageError> {
    let CommuneScope { user, commune } = scope;
    let now = state.clock.now();
    let page = read_docs(&state, &commune.id, move |docs| {
        figures::cell_page(docs, &cell_id, now)
    })
    .await?;
    // Another commune's cell is not in this commune's documents: 404 like a missing one.
    let Some(p) = page else {
        return Err(PageError::NotFound);
    };
    let base = commune_path(&commune.id);
    let meetings = p
        .meetings
        .iter()
        .map(|m| MeetingView {
            href: format!("{base}/meetings/{}", urlencode(&m.meeting_id)),
            date: date_text(m.started_at),
            kind: m.kind.label(),
            status: m.status.label(),
            revision: m.revision,
            duration: m
                .duration_minutes
                .map(|d| format!("{d} phút"))
                .unwrap_or_else(|| "–".into()),
            attendance: format!(
                "{} ({}/{})",
                percent_text(m.attendance_percent),
                m.present,
                m.expected
            ),
            grade: match m.grade {
                Some(g) => format!("{} ({} điểm)", g.label(), m.quality_total),
                None => grade_text(None).to_string(),
            },
            grade_class: grade_class(m.grade),
            cadre_grade: m.cadre_grade.map(|g| g.label()).unwrap_or("–").to_string(),
            warnings: m.warnings,
        })
        .collect();
    let points: Vec<(String, Option<f64>, String)> = p
        .attendance_trend
        .iter()
        .map(|(at, rate)| (date_text(*at)[3..].to_string(), *rate, percent_text(*rate)))
        .collect();
    let chart = (!points.is_empty()).then(|| {
        line_chart(
            "Tỷ lệ đảng viên dự họp qua các cuộc họp (đường đứt: mức 85%)",
            "Tỷ lệ dự họp",
            &points,
            100.0,
            "%",
            Some(85.0),
        )
    });
    let groups = p
        .groups
        .iter()
        .map(|g| GroupView {
            label: g.label.clone(),
            full: g.full.len(),
            probationary: g.probationary.len(),
            members: g
                .full
                .iter()
                .chain(&g.probationary)
                .map(member_view)
                .collect(),
        })
        .collect();
    let view = CellPageView {
        name: p.cell.name.clone(),
        members: p.members,
        full_members: p.full_members,
        viability_warnings: p.viability_warnings.clone(),
        groups,
        watch: p
            .removal_watch
            .iter()
            .map(|w| WatchView {
                name: w.full_name.clone(),
                months: w.unexcused_absences,
                reached: w.reached,
            })
            .collect(),
        watch_date: p
            .watch_meeting
            .as_ref()
            .map(|(_, at)| date_text(*at))
            .unwrap_or_default(),
        removal_line: REMOVAL_LINE,
        meetings,
        chart,
        history_months: figures::CELL_HISTORY_MONTHS,
        chrome: Chrome::new(user, Some(commune), Nav::Cells, p.cell.name.clone()),
    };
    Ok(render(&view)?.into_response())
}

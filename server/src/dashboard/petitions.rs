//! `/communes/{c}/petitions`: the office's inbox of petitions raised by the cells, filtered
//! by status, category and cell, each with its history of responses and the forms that
//! answer, forward, resolve or decline it (the moves `rules::petition` allows). Newest
//! first, [`PAGE_SIZE`] a page: a commune gathers hundreds a year, and the page must stay
//! light on an office PC. An action returns to the same filters and page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use chibo_domain::labels::{format_date_time, Label};
use chibo_domain::model::{PetitionCategory, PetitionStatus};
use chibo_domain::rules::petition_may_move;

use crate::docs::CommuneDocs;
use crate::office::{self, Officer, PetitionAction};
use crate::storage;
use crate::AppState;

use super::cadres::after_action;
use super::layout::{blocking, commune_path, render, urlencode, Chrome, Nav, PageError};
use super::session::{CommuneScope, CommuneWriter, CsrfForm};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/communes/{commune_id}/petitions", get(page))
        .route(
            "/communes/{commune_id}/petitions/{petition_id}/respond",
            post(respond),
        )
}

/// Petitions shown on one page of the inbox.
pub const PAGE_SIZE: usize = 25;

/// The wire word of an enum (`forwarded`, `security_order`), for filters.
fn key<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct ResponseRow {
    pub status: &'static str,
    pub text: String,
    pub responder: String,
    pub at: String,
}

pub struct ActionChoice {
    pub value: &'static str,
    pub label: &'static str,
}

pub struct PetitionRow {
    pub id: String,
    pub cell_name: String,
    pub content: String,
    pub category: &'static str,
    pub raised_by: String,
    pub raised_at: String,
    pub status: &'static str,
    pub history: Vec<ResponseRow>,
    /// The moves allowed from its status; empty once resolved or declined.
    pub actions: Vec<ActionChoice>,
}

#[derive(Template)]
#[template(path = "petitions.html")]
struct PetitionsPage {
    chrome: Chrome,
    base: String,
    statuses: Vec<Choice>,
    categories: Vec<Choice>,
    cells: Vec<Choice>,
    petitions: Vec<PetitionRow>,
    /// Petitions matching the filters, on every page.
    total: usize,
    /// "Trang 2/7", with the links to the pages around it (None at either end).
    page_label: String,
    previous_href: Option<String>,
    next_href: Option<String>,
    /// The filters and page, sent along by the forms to come back to them.
    return_fields: Vec<(&'static str, String)>,
    may_write: bool,
    done: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Filters {
    status: Option<String>,
    category: Option<String>,
    cell: Option<String>,
    page: Option<String>,
    done: Option<String>,
    error: Option<String>,
}

/// The inbox's query for these filters and page ("" when none), values encoded.
fn inbox_query(
    status: Option<&str>,
    category: Option<&str>,
    cell: Option<&str>,
    page: usize,
) -> String {
    let page = (page > 1).then(|| page.to_string());
    let parts: Vec<String> = [
        ("status", status),
        ("category", category),
        ("cell", cell),
        ("page", page.as_deref()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| format!("{k}={}", urlencode(v))))
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

fn action_label(action: PetitionAction) -> &'static str {
    match action {
        PetitionAction::Answer => "Trả lời",
        PetitionAction::Forward => "Chuyển cơ quan chức năng",
        PetitionAction::Resolve => "Đã giải quyết xong",
        PetitionAction::Decline => "Không giải quyết (nêu lý do)",
    }
}

fn action_value(action: PetitionAction) -> &'static str {
    match action {
        PetitionAction::Answer => "answer",
        PetitionAction::Forward => "forward",
        PetitionAction::Resolve => "resolve",
        PetitionAction::Decline => "decline",
    }
}

async fn page(
    State(state): State<AppState>,
    scope: CommuneScope,
    Query(f): Query<Filters>,
) -> Result<Response, PageError> {
    let non_empty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let (status, category, cell) = (
        non_empty(&f.status),
        non_empty(&f.category),
        non_empty(&f.cell),
    );
    let commune_id = scope.commune.id.clone();
    let storage = state.storage.clone();
    let requested_page = f
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let (status2, category2, cell2) = (status.clone(), category.clone(), cell.clone());
    let (cells, petitions, total, page_number) = blocking(move || {
        Ok(storage::read(&*storage, |tx| {
            let docs = CommuneDocs::new(tx, &commune_id);
            let cells = docs.cells()?;
            let mut petitions = docs.petitions()?;
            petitions.retain(|p| {
                status2.as_ref().is_none_or(|s| &key(p.status) == s)
                    && category2.as_ref().is_none_or(|c| &key(p.category) == c)
                    && cell2.as_ref().is_none_or(|c| &p.cell_id == c)
            });
            petitions.sort_by(|a, b| b.raised_at.cmp(&a.raised_at).then(a.id.cmp(&b.id)));
            let total = petitions.len();
            // A page past the end (the last petition just left the filter) shows the last.
            let last_page = total.div_ceil(PAGE_SIZE).max(1);
            let page_number = requested_page.min(last_page);
            let shown = petitions
                .into_iter()
                .skip((page_number - 1) * PAGE_SIZE)
                .take(PAGE_SIZE);
            let mut rows = Vec::with_capacity(PAGE_SIZE);
            for p in shown {
                let mut responses = docs.responses_to(&p.id)?;
                responses.sort_by_key(|r| r.responded_at);
                rows.push(PetitionRow {
                    id: p.id.clone(),
                    cell_name: cells
                        .iter()
                        .find(|c| c.id == p.cell_id)
                        .map(|c| c.name.clone())
                        .unwrap_or_else(|| p.cell_id.clone()),
                    content: p.content.clone(),
                    category: p.category.label(),
                    raised_by: p.raised_by.clone(),
                    raised_at: format_date_time(p.raised_at),
                    status: p.status.label(),
                    history: responses
                        .iter()
                        .map(|r| ResponseRow {
                            status: r.status.label(),
                            text: r.text.clone(),
                            responder: r.responder.clone(),
                            at: format_date_time(r.responded_at),
                        })
                        .collect(),
                    actions: [
                        PetitionAction::Answer,
                        PetitionAction::Forward,
                        PetitionAction::Resolve,
                        PetitionAction::Decline,
                    ]
                    .into_iter()
                    .filter(|a| petition_may_move(p.status, a.status()))
                    .map(|a| ActionChoice {
                        value: action_value(a),
                        label: action_label(a),
                    })
                    .collect(),
                });
            }
            Ok((cells, rows, total, page_number))
        })?)
    })
    .await?;
    let last_page = total.div_ceil(PAGE_SIZE).max(1);
    let base = commune_path(&scope.commune.id);
    let href = |n: usize| {
        format!(
            "{base}/petitions{}",
            inbox_query(status.as_deref(), category.as_deref(), cell.as_deref(), n)
        )
    };
    let may_write = scope.user.may_write(&scope.commune);
    let page = PetitionsPage {
        page_label: format!("Trang {page_number}/{last_page}"),
        previous_href: (page_number > 1).then(|| href(page_number - 1)),
        next_href: (page_number < last_page).then(|| href(page_number + 1)),
        return_fields: [
            ("status", status.clone()),
            ("category", category.clone()),
            ("cell", cell.clone()),
            ("page", (page_number > 1).then(|| page_number.to_string())),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
        .collect(),
        total,
        base,
        chrome: Chrome::new(scope.user, Some(scope.commune), Nav::Petitions, "Kiến nghị"),
        statuses: PetitionStatus::ALL
            .iter()
            .map(|&s| Choice {
                value: key(s),
                label: s.label().to_string(),
                selected: status.as_deref() == Some(key(s).as_str()),
            })
            .collect(),
        categories: PetitionCategory::ALL
            .iter()
            .map(|&c| Choice {
                value: key(c),
                label: c.label().to_string(),
                selected: category.as_deref() == Some(key(c).as_str()),
            })
            .collect(),
        cells: cells
            .iter()
            .map(|c| Choice {
                value: c.id.clone(),
                label: c.name.clone(),
                selected: cell.as_deref() == Some(c.id.as_str()),
            })
            .collect(),
        petitions,
        may_write,
        done: f.done,
        error: f.error,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct RespondForm {
    action: String,
    #[serde(default)]
    text: String,
    /// The inbox's filters and page to come back to.
    #[serde(default)]
    status: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    cell: String,
    #[serde(default)]
    page: String,
}

async fn respond(
    State(state): State<AppState>,
    CommuneWriter(scope): CommuneWriter,
    Path((_, petition_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RespondForm>,
) -> Result<Response, PageError> {
    let action = PetitionAction::parse(&form.action).ok_or_else(|| {
        PageError::BadRequest(format!("Thao tác không hợp lệ: \"{}\"", form.action))
    })?;
    let officer = Officer::from(&scope.user);
    let commune_id = scope.commune.id.clone();
    // Rebuilt from the known filters, so the redirect stays on this inbox.
    let non_empty = |v: &str| Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_string);
    let page = format!(
        "{}/petitions{}",
        commune_path(&commune_id),
        inbox_query(
            non_empty(&form.status).as_deref(),
            non_empty(&form.category).as_deref(),
            non_empty(&form.cell).as_deref(),
            form.page.trim().parse().unwrap_or(1),
        )
    );
    let outcome = blocking(move || {
        Ok(office::respond_to_petition(
            &state,
            &commune_id,
            &petition_id,
            action,
            &form.text,
            &officer,
        ))
    })
    .await?;
    after_action(
        &page,
        outcome.map(|_| match action {
            PetitionAction::Answer => "Đã gửi trả lời kiến nghị tới chi bộ",
            PetitionAction::Forward => "Đã ghi nhận chuyển kiến nghị",
            PetitionAction::Resolve => "Đã ghi nhận kiến nghị được giải quyết",
            PetitionAction::Decline => "Đã ghi nhận không giải quyết kiến nghị, kèm lý do",
        }),
    )
}

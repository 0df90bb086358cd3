//! `/communes/{c}/cadres`: each cadre's visits against the commune's requirement, month by
//! month for a year (counted by `chibo_domain::compliance`), and the check-ins waiting for
//! the office's review, with the form that accepts or rejects them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use chibo_domain::checkin::{haversine_m, ReviewDecision};
use chibo_domain::compliance::{compliance, VisitRecord};
use chibo_domain::labels::{format_date_time, format_distance, Label};
use chibo_domain::time::local_year_month;

use crate::docs::{CommuneDocs, StoredCheckIn};
use crate::office::{self, Officer};
use crate::storage;
use crate::AppState;

use super::layout::{blocking, commune_path, render, urlencode, Chrome, Nav, PageError};
use super::session::{CommuneScope, CommuneWriter, CsrfForm};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/communes/{commune_id}/cadres", get(page))
        .route(
            "/communes/{commune_id}/check-ins/{check_in_id}/review",
            post(review),
        )
}

pub struct MonthCell {
    /// `None` for a month still to come.
    pub done: Option<u32>,
    pub required: u32,
    pub behind: bool,
}

pub struct CadreRow {
    pub name: String,
    pub title: String,
    pub months: Vec<MonthCell>,
    pub done_year: u32,
    pub required_year: u32,
}

pub struct ReviewRow {
    pub check_in_id: String,
    pub meeting_href: String,
    pub cadre_name: String,
    pub cell_name: String,
    pub at: String,
    /// (the check's short name, the reason with its figures).
    pub reasons: Vec<(&'static str, String)>,
    pub distance: Option<String>,
    pub photo_href: Option<String>,
    /// For a decided one: the office's decision in its words, the note, who and when.
    pub decision: Option<String>,
    pub note: String,
    pub reviewer: String,
}

#[derive(Template)]
#[template(path = "cadres.html")]
struct CadresPage {
    chrome: Chrome,
    base: String,
    year: i32,
    prev_year: i32,
    next_year: Option<i32>,
    rows: Vec<CadreRow>,
    to_review: Vec<ReviewRow>,
    reviewed: Vec<ReviewRow>,
    may_write: bool,
    done: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    year: Option<String>,
    done: Option<String>,
    error: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    scope: CommuneScope,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let (this_year, this_month) = local_year_month(now);
    let year = match q.year.as_deref().filter(|y| !y.is_empty()) {
        Some(text) => text
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| PageError::BadRequest(format!("Năm không hợp lệ: \"{text}\"")))?,
        None => this_year,
    };
    let last_month = if year == this_year {
        this_month
    } else if year > this_year {
        0
    } else {
        12
    };
    let commune_id = scope.commune.id.clone();
    let storage = state.storage.clone();
    let base = commune_path(&commune_id);
    let base2 = base.clone();
    let (rows, to_review, reviewed) = blocking(move || {
        Ok(storage::read(&*storage, |tx| {
            let docs = CommuneDocs::new(tx, &commune_id);
            let cadres = docs.cadres()?;
            let assignments = docs.assignments()?;
            let requirement = docs.visit_requirement()?.unwrap_or_default();
            let check_ins = docs.all_check_ins()?;
            let mut rows = Vec::new();
            for cadre in &cadres {
                let visits: Vec<VisitRecord> = check_ins
                    .iter()
                    .filter(|c| c.check_in.cadre_id == cadre.id)
                    .filter_map(|c| VisitRecord::of(&c.check_in, &c.verdict))
                    .collect();
                let months: Vec<MonthCell> = (1..=12)
                    .map(|m| {
                        let c = compliance(&cadre.id, &assignments, &visits, requirement, year, m);
                        MonthCell {
                            done: (m <= last_month).then_some(c.totals.verified_this_month),
                            required: c.totals.required_this_month,
                            behind: m <= last_month
                                && c.totals.verified_this_month < c.totals.required_this_month,
                        }
                    })
                    .collect();
                let year_figures = compliance(
                    &cadre.id,
                    &assignments,
                    &visits,
                    requirement,
                    year,
                    last_month.max(1),
                );
                rows.push(CadreRow {
                    name: cadre.full_name.clone(),
                    title: cadre.title.clone(),
                    months,
                    done_year: if last_month == 0 {
                        0
                    } else {
                        year_figures.totals.verified_this_year
                    },
                    required_year: year_figures.totals.required_this_year,
                });
            }
            let mut to_review = Vec::new();
            let mut reviewed = Vec::new();
            let mut sorted: Vec<&StoredCheckIn> = check_ins.iter().collect();
            sorted.sort_by_key(|c| std::cmp::Reverse(c.verdict.effective_time));
            for stored in sorted {
                let awaits = stored.verdict.awaits_review();
                if !awaits && stored.verdict.review.is_none() {
                    continue;
                }
                let c = &stored.check_in;
                let cell = docs.cell(&c.cell_id)?;
                let distance = match (&c.gps, cell.as_ref().and_then(|c| c.meeting_place.as_ref()))
                {
                    (Some(fix), Some(place)) => Some(format!(
                        "{} (bán kính {})",
                        format_distance(haversine_m(
                            fix.latitude,
                            fix.longitude,
                            place.latitude,
                            place.longitude
                        )),
                        format_distance(place.radius_m)
                    )),
                    _ => None,
                };
                let cadre_name = cadres
                    .iter()
                    .find(|k| k.id == c.cadre_id)
                    .map(|k| k.full_name.clone())
                    .unwrap_or_else(|| c.cadre_id.clone());
                let review = stored.verdict.review.as_ref();
                let row = ReviewRow {
                    check_in_id: c.id.clone(),
                    meeting_href: format!("{base2}/meetings/{}", urlencode(&c.meeting_id)),
                    cadre_name,
                    cell_name: cell.map(|c| c.name).unwrap_or_else(|| c.cell_id.clone()),
                    at: format_date_time(stored.verdict.effective_time),
                    reasons: stored
                        .verdict
                        .reasons
                        .iter()
                        .map(|r| (r.code.label(), r.message.clone()))
                        .collect(),
                    distance,
                    photo_href: c
                        .photo_sha256
                        .as_ref()
                        .map(|sha| format!("{base2}/photos/{}", urlencode(sha))),
                    decision: review.map(|r| r.decision.label().to_string()),
                    note: review.map(|r| r.note.clone()).unwrap_or_default(),
                    reviewer: review
                        .map(|r| {
                            format!("{}, {}", r.reviewer_name, format_date_time(r.reviewed_at))
                        })
                        .unwrap_or_default(),
                };
                if awaits {
                    to_review.push(row);
                } else {
                    reviewed.push(row);
                }
            }
            Ok((rows, to_review, reviewed))
        })?)
    })
    .await?;
    let may_write = scope.user.may_write(&scope.commune);
    let page = CadresPage {
        chrome: Chrome::new(
            scope.user,
            Some(scope.commune),
            Nav::Cadres,
            "Cán bộ dự sinh hoạt",
        ),
        base,
        year,
        prev_year: year - 1,
        // No year after the current one: nothing can have happened there yet.
        next_year: (year < this_year).then_some(year + 1),
        rows,
        to_review,
        reviewed,
        may_write,
        done: q.done,
        error: q.error,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct ReviewForm {
    decision: String,
    #[serde(default)]
    note: String,
}

async fn review(
    State(state): State<AppState>,
    CommuneWriter(scope): CommuneWriter,
    Path((_, check_in_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response, PageError> {
    let decision = match form.decision.as_str() {
        "accept" => ReviewDecision::Accepted,
        "reject" => ReviewDecision::Rejected,
        other => {
            return Err(PageError::BadRequest(format!(
                "Kết luận không hợp lệ: \"{other}\""
            )))
        }
    };
    let officer = Officer::from(&scope.user);
    let commune_id = scope.commune.id.clone();
    let page = format!("{}/cadres", commune_path(&commune_id));
    let outcome = blocking(move || {
        Ok(office::review_check_in(
            &state,
            &commune_id,
            &check_in_id,
            decision,
            &form.note,
            &officer,
        ))
    })
    .await?;
    after_action(
        &page,
        outcome.map(|_| match decision {
            ReviewDecision::Accepted => "Đã công nhận lượt điểm danh",
            ReviewDecision::Rejected => "Đã không công nhận lượt điểm danh",
        }),
    )
}

/// After an office action: back to the page (303) with a confirmation, or with the
/// rule's refusal shown at the top of the page.
pub fn after_action(
    page: &str,
    outcome: Result<&str, office::OfficeError>,
) -> Result<Response, PageError> {
    let sep = if page.contains('?') { '&' } else { '?' };
    match outcome {
        Ok(done) => {
            Ok(Redirect::to(&format!("{page}{sep}done={}", urlencode(done))).into_response())
        }
        Err(office::OfficeError::Refused(message)) => {
            Ok(Redirect::to(&format!("{page}{sep}error={}", urlencode(&message))).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

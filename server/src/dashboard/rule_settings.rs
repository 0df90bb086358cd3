//! `/communes/{c}/rule-settings`: the commune's settings for the rules (which small cells
//! may meet for less, and for how long), for its admins. Saving authors a
//! `SetRuleSettings` change through [`crate::office`]: the dashboard's figures are judged
//! again at once and every phone judges with the same settings after its next sync.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use chibo_domain::labels::rule_settings_text;
use chibo_domain::rules::RuleSettings;

use crate::office::{self, OfficeError, Officer};
use crate::AppState;

use super::layout::{blocking, commune_path, read_docs, render, Chrome, Nav, PageError};
use super::session::{CommuneScope, CommuneWriter, CsrfForm};

pub fn routes() -> Router<AppState> {
    Router::new().route("/communes/{commune_id}/rule-settings", get(page).post(save))
}

fn settings_path(commune_id: &str) -> String {
    format!("{}/rule-settings", commune_path(commune_id))
}

#[derive(Template)]
#[template(path = "rule_settings.html")]
pub struct RuleSettingsPage {
    pub chrome: Chrome,
    pub done: bool,
    pub error: Option<String>,
    /// The settings in force, as sentences.
    pub current: Vec<String>,
    pub action: String,
    /// The form's fields, as typed (after a refusal) or as stored.
    pub max_members: String,
    pub min_minutes: String,
}

#[derive(Deserialize)]
struct PageQuery {
    done: Option<String>,
}

/// The form as posted; an empty minimum means small cells meet as long as the others.
#[derive(Deserialize)]
struct SettingsForm {
    small_cell_max_members: String,
    small_cell_min_minutes: String,
}

fn settings_page(
    scope: CommuneScope,
    current: &RuleSettings,
    done: bool,
    error: Option<String>,
    typed: Option<&SettingsForm>,
) -> RuleSettingsPage {
    let (max_members, min_minutes) = match typed {
        Some(form) => (
            form.small_cell_max_members.clone(),
            form.small_cell_min_minutes.clone(),
        ),
        None => (
            current.small_cell_max_members.to_string(),
            current
                .small_cell_min_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
        ),
    };
    RuleSettingsPage {
        action: settings_path(&scope.commune.id),
        chrome: Chrome::new(
            scope.user,
            Some(scope.commune),
            Nav::RuleSettings,
            "Quy định chấm điểm",
        ),
        done,
        error,
        current: rule_settings_text(current),
        max_members,
        min_minutes,
    }
}

async fn load(state: &AppState, scope: &CommuneScope) -> Result<RuleSettings, PageError> {
    read_docs(state, &scope.commune.id, |docs| docs.rule_settings()).await
}

async fn page(
    CommuneWriter(scope): CommuneWriter,
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let current = load(&state, &scope).await?;
    let done = query.done.as_deref() == Some("saved");
    Ok(render(&settings_page(scope, &current, done, None, None))?.into_response())
}

/// The settings the form asks for, or the sentence saying what is wrong with it.
fn parse(form: &SettingsForm) -> Result<RuleSettings, String> {
    let max = form.small_cell_max_members.trim();
    let small_cell_max_members = max.parse::<u32>().map_err(|_| {
        format!("Số đảng viên tối đa của chi bộ nhỏ phải là một số nguyên (đã nhập \"{max}\").")
    })?;
    let minutes = form.small_cell_min_minutes.trim();
    let small_cell_min_minutes = match minutes {
        "" => None,
        text => Some(text.parse::<u32>().map_err(|_| {
            format!(
                "Thời gian sinh hoạt tối thiểu phải là số phút, hoặc để trống (đã nhập \"{text}\")."
            )
        })?),
    };
    Ok(RuleSettings {
        small_cell_max_members,
        small_cell_min_minutes,
    })
}

async fn save(
    CommuneWriter(scope): CommuneWriter,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, PageError> {
    let outcome = match parse(&form) {
        Ok(settings) => {
            let (state2, commune_id) = (state.clone(), scope.commune.id.clone());
            let officer = Officer::from(&scope.user);
            let saved = blocking(move || {
                Ok(office::set_rule_settings(
                    &state2,
                    &commune_id,
                    &settings,
                    &officer,
                ))
            })
            .await?;
            match saved {
                Ok(()) => Ok(()),
                // The rules' bounds, said in Vietnamese: shown above what was typed.
                Err(OfficeError::Refused(message)) => Err(message),
                Err(other) => return Err(other.into()),
            }
        }
        Err(message) => Err(message),
    };
    match outcome {
        Ok(()) => {
            tracing::info!(by = %scope.user.username, commune = %scope.commune.id,
                "dashboard: rule settings changed");
            Ok(
                Redirect::to(&format!("{}?done=saved", settings_path(&scope.commune.id)))
                    .into_response(),
            )
        }
        Err(message) => {
            let current = load(&state, &scope).await?;
            let page = settings_page(scope, &current, false, Some(message), Some(&form));
            Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response())
        }
    }
}

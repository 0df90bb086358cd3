//! `/communes/{commune_id}/audit`: the commune's audit log for its admins: who signed in
//! or failed to, who changed which account, enrolled or revoked which device, and every
//! office action, with the time and the address it came from.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use chibo_domain::labels::format_date_time as date_time;

use crate::accounts::audit::{self, AuditAction};
use crate::AppState;

use super::layout::{blocking, commune_path, render, Chrome, Nav, PageError};
use super::session::CommuneWriter;

/// The entries shown, newest first.
pub const SHOWN: u32 = 500;

pub fn routes() -> Router<AppState> {
    Router::new().route("/communes/{commune_id}/audit", get(page))
}

/// The address of the page.
pub fn audit_path(commune_id: &str) -> String {
    format!("{}/audit", commune_path(commune_id))
}

pub struct EntryView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub client_ip: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub entries: Vec<EntryView>,
    pub shown: u32,
}

async fn page(
    CommuneWriter(scope): CommuneWriter,
    State(state): State<AppState>,
) -> Result<Response, PageError> {
    let storage = state.storage.clone();
    let commune_id = scope.commune.id.clone();
    let rows = blocking(move || Ok(audit::recent(&*storage, &commune_id, SHOWN)?)).await?;
    let entries = rows
        .into_iter()
        .map(|r| EntryView {
            at: date_time(r.at),
            actor: r.actor,
            action: AuditAction::parse(&r.action)
                .map_or(r.action.clone(), |a| a.label().to_string()),
            detail: r.detail,
            client_ip: r.client_ip,
        })
        .collect();
    let page = AuditPage {
        chrome: Chrome::new(
            scope.user,
            Some(scope.commune),
            Nav::Accounts,
            "Nhật ký thao tác",
        ),
        entries,
        shown: SHOWN,
    };
    let mut response = render(&page)?.into_response();
    super::session::no_store(&mut response);
    Ok(response)
}

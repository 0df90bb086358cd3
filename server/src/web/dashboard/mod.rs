//! The commune office's web dashboard: server-rendered HTML (askama templates in
//! `server/templates/`, assets in `server/assets/`, served by this server: no CDN, offices
//! have unreliable internet), signed in with a password and a server-side session.
//!
//! Every page lives under `/communes/{commune_id}/…` and is reached through
//! [`session::CommuneScope`] (the signed-in user may read that commune, else 404) or
//! [`session::CommuneWriter`] (commune admin of it, else 403). Forms post with a CSRF
//! token ([`session::CsrfForm`]). Numbers come from [`crate::figures`], which asks
//! `chibo_domain`'s rules; office actions author changes through [`crate::office`], so
//! they reach the phones by the same scope logs as everything else.

pub mod accounts;
pub mod assets;
pub mod audit_log;
pub mod cadres;
pub mod cells;
pub mod charts;
pub mod exports;
pub mod guidance;
pub mod layout;
pub mod meeting;
pub mod overview;
pub mod password;
pub mod people;
pub mod petitions;
pub mod photos;
pub mod province;
pub mod rule_settings;
pub mod session;
pub mod sign_in;
pub mod xlsx_layout;

use axum::Router;

use crate::AppState;

/// Every dashboard route; merged beside the JSON API by [`crate::web::router`].
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(sign_in::routes())
        .merge(assets::routes())
        .merge(overview::routes())
        .merge(cells::routes())
        .merge(meeting::routes())
        .merge(photos::routes())
        .merge(cadres::routes())
        .merge(petitions::routes())
        .merge(guidance::routes())
        .merge(people::routes())
        .merge(accounts::routes())
        .merge(audit_log::routes())
        .merge(rule_settings::routes())
        .merge(password::routes())
        .merge(exports::routes())
        .merge(province::routes())
}

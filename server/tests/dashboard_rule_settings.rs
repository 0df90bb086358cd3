//! The commune's rule settings: its admin sets them on the dashboard (a viewer cannot, nor
//! a form without the session's token), the meeting summaries are judged again with them
//! at once, the change reaches the phones through the commune's log, and only the office
//! may write them — real server, real HTTP, real SQLite.

mod dashboard_browser;
mod support;

use chibo_domain::change::Change;
use chibo_domain::model::{new_id, Id};
use chibo_domain::rules::RuleSettings;
use chibo_domain::sync::{AckOutcome, Scope};
use chibo_server::dashboard::figures;
use chibo_server::dashboard::session::DashboardRole;
use chibo_server::docs::CommuneDocs;
use chibo_server::storage;
use dashboard_browser::*;
use reqwest::StatusCode;
use support::*;

/// The secretary of A records a 70-minute meeting: short of the 90 minutes a cell of 12
/// needs by default, enough if the commune lets small cells meet for 60.
async fn seventy_minute_meeting(w: &mut World) -> Id {
    let meeting_id = new_id();
    let start = meeting_start();
    let mut changes = w.a.meeting_changes(&meeting_id, start);
    let mut header = w.a.header(&meeting_id, start);
    header.actual_end = Some(start + 70 * MINUTE);
    changes.push(Change::UpdateMeeting {
        meeting: header,
        fields: vec![],
    });
    assert_all_applied(&w.secretary_a.push(&w.srv, changes).await);
    meeting_id
}

/// The November summary of cell A as the overview and the monthly report read it.
fn november_total(w: &World) -> u32 {
    storage::read(&*w.srv.storage, |tx| {
        let docs = CommuneDocs::new(tx, &w.commune.id);
        let report = figures::monthly_report_at(&docs, 2026, 11, w.srv.now())?;
        Ok(report
            .cells
            .iter()
            .find(|c| c.cell_id == w.a.cell.id)
            .and_then(|c| c.quality_total)
            .expect("cell A met in November"))
    })
    .unwrap()
}

#[tokio::test]
async fn the_admin_sets_the_rules_and_every_figure_is_judged_again_with_them() {
    let mut w = World::new().await;
    let meeting_id = seventy_minute_meeting(&mut w).await;
    let before = november_total(&w);

    user(
        &*w.srv.storage,
        "quantri",
        DashboardRole::CommuneAdmin,
        &w.commune.id,
        w.srv.now(),
    );
    user(
        &*w.srv.storage,
        "chixem",
        DashboardRole::CommuneViewer,
        &w.commune.id,
        w.srv.now(),
    );
    let admin = Browser::signed_in(&w.srv.base, "quantri").await;
    let viewer = Browser::signed_in(&w.srv.base, "chixem").await;
    let path = format!("/communes/{}/rule-settings", w.commune.id);

    // Only the commune's admins have the page, in their menu and by address.
    let overview = viewer.get(&format!("/communes/{}", w.commune.id)).await;
    assert!(!overview.text().contains("Quy định chấm điểm"));
    assert_eq!(viewer.get(&path).await.status, StatusCode::FORBIDDEN);
    let form = admin.get(&path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form
        .text()
        .contains("Chi bộ nhỏ sinh hoạt đủ thời gian như các chi bộ khác"));

    let wanted = [
        ("small_cell_max_members", "12"),
        ("small_cell_min_minutes", "60"),
    ];
    let refused = viewer.submit(&overview, &path, &wanted).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "a viewer cannot");
    let refused = admin.post(&path, &wanted).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "no CSRF token");
    let out_of_bounds = admin
        .submit(
            &form,
            &path,
            &[
                ("small_cell_max_members", "12"),
                ("small_cell_min_minutes", "10"),
            ],
        )
        .await;
    assert_eq!(out_of_bounds.status, StatusCode::BAD_REQUEST);
    let text = out_of_bounds.text();
    assert!(
        text.contains("phải từ 30 đến 90 (đã nhập 10)"),
        "the rule's bounds, in Vietnamese: {text}"
    );
    assert!(text.contains("value=\"10\""), "what was typed stays");
    assert_eq!(november_total(&w), before, "nothing changed");

    let saved = admin.submit(&form, &path, &wanted).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let page = admin.get(saved.location.as_deref().unwrap()).await;
    assert!(page.text().contains("Đã lưu quy định"));
    assert!(page
        .text()
        .contains("Chi bộ có từ 12 đảng viên trở xuống sinh hoạt ít nhất 60 phút"));

    // The stored summaries were judged again: the time criterion now holds.
    assert_eq!(november_total(&w), before + 5);
    let meeting = admin
        .get(&format!("/communes/{}/meetings/{meeting_id}", w.commune.id))
        .await;
    assert!(meeting.text().contains("Thời gian sinh hoạt đủ 60 phút"));
    assert!(meeting.text().contains("quy định tối thiểu 60 phút"));

    // The phones learn them from the commune's log.
    w.secretary_a.pull_all(&w.srv).await;
    let pulled: Vec<&RuleSettings> = w.secretary_a.received[&Scope::Commune(w.commune.id.clone())]
        .iter()
        .filter_map(|c| match &c.change {
            Change::SetRuleSettings { settings, .. } => Some(settings),
            _ => None,
        })
        .collect();
    assert_eq!(
        pulled,
        [&RuleSettings {
            small_cell_max_members: 12,
            small_cell_min_minutes: Some(60),
        }]
    );
}

#[tokio::test]
async fn only_the_office_writes_the_rule_settings() {
    let mut w = World::new().await;
    let change = Change::SetRuleSettings {
        commune_id: w.commune.id.clone(),
        settings: RuleSettings {
            small_cell_max_members: 12,
            small_cell_min_minutes: Some(30),
        },
    };
    let response = w.secretary_a.push(&w.srv, vec![change.clone()]).await;
    assert_eq!(response.acks.len(), 1);
    assert!(
        matches!(&response.acks[0].outcome, AckOutcome::Rejected { code, .. } if code == "scope"),
        "{:?}",
        response.acks[0]
    );
    let response = w.cadre_phone.push(&w.srv, vec![change.clone()]).await;
    assert!(matches!(
        &response.acks[0].outcome,
        AckOutcome::Rejected { code, .. } if code == "scope"
    ));
    // The office's own device may (the dashboard is the usual way); the rules still hold.
    let bad = Change::SetRuleSettings {
        commune_id: w.commune.id.clone(),
        settings: RuleSettings {
            small_cell_max_members: 40,
            small_cell_min_minutes: None,
        },
    };
    let response = w.commune.office.push(&w.srv, vec![change, bad]).await;
    assert_eq!(response.acks[0].outcome, AckOutcome::Applied);
    assert!(matches!(
        &response.acks[1].outcome,
        AckOutcome::Rejected { code, .. } if code == "validation"
    ));
    let stored = storage::read(&*w.srv.storage, |tx| {
        CommuneDocs::new(tx, &w.commune.id).rule_settings()
    })
    .unwrap();
    assert_eq!(stored.small_cell_min_minutes, Some(30));
}

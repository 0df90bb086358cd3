//! Pull: each role reads exactly its scopes, after its cursors, without its own changes;
//! guidance reaches only the cells it is for; a presence secret never leaves the server.

mod support;

use std::collections::BTreeMap;

use chibo_domain::change::Change;
use chibo_domain::checkin::{generate_presence_secret, presence_code};
use chibo_domain::model::*;
use chibo_domain::sync::{PulledChange, Scope};
use support::*;

struct Scenario {
    w: World,
    secret_hex: String,
    meeting_ops: Vec<String>,
    guidance_a: Id,
    guidance_all: Id,
    guidance_b: Id,
}

fn guidance(commune_id: &str, title: &str, cells: Vec<Id>) -> Guidance {
    Guidance {
        id: new_id(),
        commune_id: commune_id.into(),
        kind: GuidanceKind::Notice,
        title: title.into(),
        body: "Các chi bộ triển khai theo kế hoạch.".into(),
        period: "2026-11".into(),
        cell_ids: cells,
        attachments: Vec::new(),
        published_at: NOW,
    }
}

/// The office publishes three notices (for A, for all, for B); A's secretary records a
/// meeting with its presence secret; the cadre checks in.
async fn scenario() -> Scenario {
    let mut w = World::new().await;
    let g_a = guidance(
        &w.commune.id,
        "Thông báo cho bản Nà Hẩu",
        vec![w.a.cell.id.clone()],
    );
    let g_all = guidance(&w.commune.id, "Thông báo chung", Vec::new());
    let g_b = guidance(
        &w.commune.id,
        "Thông báo cho bản Co Muông",
        vec![w.b.cell.id.clone()],
    );
    let (guidance_a, guidance_all, guidance_b) = (g_a.id.clone(), g_all.id.clone(), g_b.id.clone());
    let response = w
        .commune
        .office
        .push(
            &w.srv,
            [g_a, g_all, g_b]
                .into_iter()
                .map(|guidance| Change::PublishGuidance { guidance })
                .collect(),
        )
        .await;
    assert_all_applied(&response);

    let meeting_id = new_id();
    let secret = generate_presence_secret().unwrap();
    let secret_hex = hex::encode(&secret);
    let mut changes = w.a.meeting_changes(&meeting_id, meeting_start());
    let meeting_ops: Vec<String> = changes.iter().map(op).collect();
    changes.push(Change::SetPresenceSecret {
        meeting_id: meeting_id.clone(),
        secret_hex: secret_hex.clone(),
    });
    let response = w.secretary_a.push(&w.srv, changes).await;
    assert_all_applied(&response);

    let time = w.srv.now() - 5 * MINUTE;
    let code = presence_code(&secret, &meeting_id, time).code;
    let check_in = w.check_in(&meeting_id, time, &code, &photo(1));
    let response = w
        .cadre_phone
        .push(
            &w.srv,
            vec![Change::RecordCheckIn {
                check_in,
                verdict: provisional(time),
            }],
        )
        .await;
    assert_all_applied(&response);
    Scenario {
        w,
        secret_hex,
        meeting_ops,
        guidance_a,
        guidance_all,
        guidance_b,
    }
}

fn roster_ops() -> Vec<String> {
    let mut ops = vec!["upsert_cell".to_string()];
    ops.extend(std::iter::repeat_n("upsert_member".to_string(), 12));
    ops
}

fn guidance_ids(changes: &[PulledChange]) -> Vec<Id> {
    changes
        .iter()
        .filter_map(|c| match &c.change {
            Change::PublishGuidance { guidance } => Some(guidance.id.clone()),
            _ => None,
        })
        .collect()
}

fn assert_no_secret(pulled: &BTreeMap<Scope, Vec<PulledChange>>, secret_hex: &str) {
    let text = serde_json::to_string(&pulled.values().collect::<Vec<_>>()).unwrap();
    assert!(!text.contains(secret_hex));
    assert!(!text.contains("set_presence_secret"));
}

#[tokio::test]
async fn each_role_pulls_exactly_what_it_may_read() {
    let mut s = scenario().await;
    let w = &mut s.w;
    let srv = &w.srv;
    let commune = Scope::Commune(w.commune.id.clone());
    let cell_a = Scope::Cell(w.a.cell.id.clone());
    let cell_b = Scope::Cell(w.b.cell.id.clone());

    // A's secretary: the commune's data and guidance for A or for all; cell A's roster
    // (written by the office) and the cadre's check-in with the server's verdict; not
    // its own changes, nothing of cell B.
    w.secretary_a.pull_all(srv).await;
    let pulled = w.secretary_a.received.clone();
    assert_eq!(
        pulled.keys().cloned().collect::<Vec<_>>(),
        [cell_a.clone(), commune.clone()]
    );
    assert_eq!(
        ops(&pulled[&commune]),
        [
            "upsert_cadre",
            "upsert_assignment",
            "publish_guidance",
            "publish_guidance"
        ]
    );
    assert_eq!(
        guidance_ids(&pulled[&commune]),
        [s.guidance_a.clone(), s.guidance_all.clone()]
    );
    let mut expected = roster_ops();
    expected.extend([
        "record_check_in".to_string(),
        "set_check_in_verdict".to_string(),
    ]);
    assert_eq!(ops(&pulled[&cell_a]), expected);
    assert_no_secret(&pulled, &s.secret_hex);

    // B's secretary: guidance for all and for B; cell B's roster only.
    w.secretary_b.pull_all(srv).await;
    let pulled = w.secretary_b.received.clone();
    assert_eq!(
        pulled.keys().cloned().collect::<Vec<_>>(),
        [cell_b.clone(), commune.clone()]
    );
    assert_eq!(
        guidance_ids(&pulled[&commune]),
        [s.guidance_all.clone(), s.guidance_b.clone()]
    );
    assert_eq!(ops(&pulled[&cell_b]), roster_ops());

    // The cadre: every guidance; the assigned cell A with the secretary's meeting and the
    // server's verdict on the check-in, not the check-in it pushed itself; never B.
    w.cadre_phone.pull_all(srv).await;
    let pulled = w.cadre_phone.received.clone();
    assert_eq!(
        pulled.keys().cloned().collect::<Vec<_>>(),
        [cell_a.clone(), commune.clone()]
    );
    assert_eq!(
        guidance_ids(&pulled[&commune]),
        [
            s.guidance_a.clone(),
            s.guidance_all.clone(),
            s.guidance_b.clone()
        ]
    );
    let mut expected = roster_ops();
    expected.extend(s.meeting_ops.iter().cloned());
    expected.push("set_check_in_verdict".to_string());
    assert_eq!(ops(&pulled[&cell_a]), expected);
    assert_no_secret(&pulled, &s.secret_hex);

    // The office: every cell; its own changes skipped (the commune page is empty but its
    // cursor moves past them).
    w.commune.office.pull_all(srv).await;
    let pulled = w.commune.office.received.clone();
    assert_eq!(
        pulled.keys().cloned().collect::<Vec<_>>(),
        [cell_a.clone(), cell_b.clone(), commune.clone()]
    );
    assert!(pulled[&commune].is_empty());
    assert!(pulled[&cell_b].is_empty());
    assert_eq!(w.commune.office.cursors[&commune], 5);
    assert_eq!(w.commune.office.cursors[&cell_b], 13);
    let mut expected = s.meeting_ops.clone();
    expected.extend([
        "record_check_in".to_string(),
        "set_check_in_verdict".to_string(),
    ]);
    assert_eq!(ops(&pulled[&cell_a]), expected);
    assert_no_secret(&pulled, &s.secret_hex);

    // Nothing new: a pull returns nothing and keeps the cursors.
    let cursors = w.commune.office.cursors.clone();
    let again = w.commune.office.pull_all(srv).await;
    assert!(again.values().all(|c| c.is_empty()));
    assert_eq!(w.commune.office.cursors, cursors);
}

#[tokio::test]
async fn pages_are_capped_and_resume_at_the_cursor() {
    let mut s = scenario().await;
    let w = &mut s.w;
    let srv = &w.srv;
    w.cadre_phone.pull_all(srv).await;
    let full = w.cadre_phone.received.clone();
    let total: usize = full.values().map(Vec::len).sum();
    assert!(total > 20);

    // A new phone of the same cadre reads the same thing five changes at a time.
    let code = srv
        .issue_for(&w.commune.office, &w.cadre_phone.person.id)
        .await;
    let mut second = srv
        .enroll(&code.code, "Máy tính bảng của đồng chí Thành")
        .await;
    let mut paged: BTreeMap<Scope, Vec<PulledChange>> = BTreeMap::new();
    let mut rounds = 0;
    loop {
        let mut request = second.request(srv, Vec::new());
        request.pull_limit = Some(5);
        let response = second.sync_request(srv, &request).await;
        let n: usize = response.pulled.iter().map(|p| p.changes.len()).sum();
        assert!(n <= 5);
        for page in response.pulled {
            let seqs: Vec<u64> = page.changes.iter().map(|c| c.server_seq).collect();
            assert!(seqs.windows(2).all(|w| w[0] < w[1]));
            paged.entry(page.scope).or_default().extend(page.changes);
        }
        rounds += 1;
        if !response.more {
            break;
        }
        assert!(rounds < 100);
    }
    assert!(rounds >= total / 5);
    // The first phone's own check-in reaches the second phone of the same person: only
    // the very device that pushed a change skips it.
    let cell_a = Scope::Cell(w.a.cell.id.clone());
    let mut expected = full.clone();
    let check_in_at = paged[&cell_a]
        .iter()
        .position(|c| matches!(c.change, Change::RecordCheckIn { .. }))
        .expect("the check-in");
    expected
        .get_mut(&cell_a)
        .unwrap()
        .insert(check_in_at, paged[&cell_a][check_in_at].clone());
    assert_eq!(paged, expected);
}

#[tokio::test]
async fn the_server_never_hands_out_a_presence_secret() {
    let s = scenario().await;
    let srv = &s.w.srv;
    let path = |p: &str| p.replace("{commune_id}", &s.w.commune.id);
    for report in [
        chibo_server::web::api::COMMUNE_SUMMARY_PATH,
        chibo_server::web::api::COMMUNE_MEETINGS_PATH,
        chibo_server::web::api::COMMUNE_CHECK_INS_PATH,
        chibo_server::web::api::COMMUNE_CELLS_PATH,
        chibo_server::web::api::COMMUNE_PETITIONS_PATH,
    ] {
        let reply = srv
            .get(&path(report), Some(&s.w.commune.office.credential))
            .await;
        assert_eq!(reply.status, reqwest::StatusCode::OK);
        assert!(!reply.body.to_string().contains(&s.secret_hex));
    }
    // Not in any log either.
    assert!(!srv.stored(&s.w.commune.id).contains(&s.secret_hex));
}

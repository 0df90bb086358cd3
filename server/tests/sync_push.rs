//! Push: order, idempotent resends, gaps, rejections that do not block the queue,
//! last-writer-wins by HLC and the clamp of clocks running ahead.

mod support;

use chibo_domain::change::Change;
use chibo_domain::model::new_id;
use chibo_domain::sync::{AckOutcome, Scope, MAX_CLOCK_AHEAD_MS};
use chibo_server::accounts::enrolment::DeviceInfo;
use chibo_server::figures::reports::CellRow;
use chibo_server::web::api::{ADMIN_DEVICES_PATH, COMMUNE_CELLS_PATH};
use reqwest::StatusCode;
use support::*;

fn outcomes(response: &chibo_domain::sync::SyncResponse) -> Vec<(u64, String)> {
    response
        .acks
        .iter()
        .map(|a| {
            let text = match &a.outcome {
                AckOutcome::Applied => "applied".to_string(),
                AckOutcome::Superseded => "superseded".to_string(),
                AckOutcome::PartlyApplied { .. } => "partly_applied".to_string(),
                AckOutcome::Rejected { code, .. } => format!("rejected:{code}"),
            };
            (a.device_seq, text)
        })
        .collect()
}

#[tokio::test]
async fn a_rejected_change_is_acknowledged_and_the_queue_goes_on() {
    let mut w = World::new().await;
    let srv = &w.srv;
    let meeting_id = new_id();
    let mut changes = w.a.meeting_changes(&meeting_id, meeting_start());
    // Signing a meeting whose speeches are not recorded yet breaks a rule.
    changes.insert(
        3,
        Change::SignMeeting {
            meeting_id: meeting_id.clone(),
            signature: w.a.signature(meeting_start() + 3 * 60 * MINUTE),
        },
    );
    changes.truncate(5);
    let entries = w.secretary_a.entries(srv, changes);
    let request = w.secretary_a.request(srv, entries.clone());
    let first = w.secretary_a.sync_request(srv, &request).await;
    assert_eq!(
        outcomes(&first),
        [
            (1, "applied".to_string()),
            (2, "applied".to_string()),
            (3, "applied".to_string()),
            (4, "rejected:validation".to_string()),
            (5, "applied".to_string()),
        ]
    );
    let AckOutcome::Rejected { reason, .. } = &first.acks[3].outcome else {
        unreachable!()
    };
    assert!(!reason.is_ascii(), "a Vietnamese reason: {reason}");
    assert_eq!(first.last_applied_seq, 5);

    // The answer was lost: the phone sends the same entries again, plus a new one. The
    // settled ones get the same acknowledgements and are not applied twice.
    let mut resend = entries.clone();
    resend.extend(w.secretary_a.entries(
        srv,
        vec![Change::AddSpeech {
            meeting_id: meeting_id.clone(),
            speech: chibo_domain::model::Speech {
                id: new_id(),
                speaker: chibo_domain::model::Speaker::Guest {
                    name: "Nguyễn Văn Thành".into(),
                },
                gist: "Đồng chí đảng ủy viên phát biểu chỉ đạo".into(),
            },
        }],
    ));
    let request = w.secretary_a.request(srv, resend);
    let second = w.secretary_a.sync_request(srv, &request).await;
    assert_eq!(second.acks[..5], first.acks[..]);
    assert_eq!(second.acks[5].outcome, AckOutcome::Applied);
    assert_eq!(second.last_applied_seq, 6);

    // Readers see each accepted change once, in push order, and never the refused one.
    let pulled = w.cadre_phone.pull_all(srv).await;
    let cell = &pulled[&Scope::Cell(w.a.cell.id.clone())];
    let meeting_ops: Vec<String> = ops(cell)
        .into_iter()
        .filter(|o| o != "upsert_member" && o != "upsert_cell")
        .collect();
    assert_eq!(
        meeting_ops,
        [
            "plan_meeting",
            "update_meeting",
            "set_agenda",
            "set_attendance",
            "add_speech"
        ]
    );
    w.record_meeting_a(meeting_start() + DAY).await;
}

#[tokio::test]
async fn a_gap_is_refused_with_the_expected_sequence_and_nothing_is_stored() {
    let mut w = World::new().await;
    let srv = &w.srv;
    let meeting_id = new_id();
    let changes = w.a.meeting_changes(&meeting_id, meeting_start());
    let mut entries = w.secretary_a.entries(srv, changes);
    // Entry 1 went through; 2 was lost on the way; 3 onwards arrive.
    let request = w.secretary_a.request(srv, entries[..1].to_vec());
    w.secretary_a.sync_request(srv, &request).await;
    let before = srv.stored(&w.commune.id);
    let devices_before = srv.devices(&w.commune.id);
    let request = w.secretary_a.request(srv, entries[2..].to_vec());
    let reply = w.secretary_a.sync_reply(srv, &request).await;
    let body = reply.error(StatusCode::CONFLICT, "sequence_gap");
    assert_eq!(body.expected_seq, Some(2));
    // A batch with a hole in the middle is refused whole, too.
    let holed: Vec<_> = entries[1..]
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .map(|(_, e)| e.clone())
        .collect();
    let request = w.secretary_a.request(srv, holed);
    let body = w
        .secretary_a
        .sync_reply(srv, &request)
        .await
        .error(StatusCode::CONFLICT, "sequence_gap");
    assert_eq!(body.expected_seq, Some(2));
    assert_eq!(srv.stored(&w.commune.id), before);
    assert_eq!(srv.devices(&w.commune.id), devices_before);

    // Resending from the expected entry settles everything.
    entries.remove(0);
    let request = w.secretary_a.request(srv, entries);
    let response = w.secretary_a.sync_request(srv, &request).await;
    assert_all_applied(&response);
    assert_eq!(response.last_applied_seq, w.secretary_a.next_seq - 1);
}

#[tokio::test]
async fn the_later_clock_wins_an_edit_and_an_older_one_is_superseded() {
    let mut w = World::new().await;
    let srv = &w.srv;
    let renamed = |name: &str| Change::UpsertCell {
        cell: chibo_domain::model::Cell {
            name: name.into(),
            ..w.a.cell.clone()
        },
    };
    // The secretary's phone runs four minutes fast (within what the server accepts) and
    // renames the cell; a minute later by the server's clock the office renames it too,
    // stamped earlier than the secretary's.
    w.secretary_a.clock_offset_ms = 4 * MINUTE;
    let response = w
        .secretary_a
        .push(srv, vec![renamed("Chi bộ bản Nà Hẩu 1")])
        .await;
    assert_all_applied(&response);
    assert!(response.clock_warning.is_none());
    srv.clock.advance(MINUTE);
    let response = w
        .commune
        .office
        .push(srv, vec![renamed("Chi bộ Nà Hẩu (cũ)")])
        .await;
    assert_eq!(response.acks[0].outcome, AckOutcome::Superseded);

    // Readers get only the winner; the report shows it.
    let pulled = w.cadre_phone.pull_all(srv).await;
    let cell_changes = &pulled[&Scope::Cell(w.a.cell.id.clone())];
    let names: Vec<String> = cell_changes
        .iter()
        .filter_map(|c| match &c.change {
            Change::UpsertCell { cell } => Some(cell.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["Chi bộ bản Nà Hẩu", "Chi bộ bản Nà Hẩu 1"]);
    let path = COMMUNE_CELLS_PATH.replace("{commune_id}", &w.commune.id);
    let cells: Vec<CellRow> = srv
        .get(&path, Some(&w.commune.office.credential))
        .await
        .json();
    assert!(cells.iter().any(|c| c.cell.name == "Chi bộ bản Nà Hẩu 1"));

    // A later edit from the office wins.
    srv.clock.advance(5 * MINUTE);
    let response = w
        .commune
        .office
        .push(srv, vec![renamed("Chi bộ bản Nà Hẩu")])
        .await;
    assert_eq!(response.acks[0].outcome, AckOutcome::Applied);
    let cells: Vec<CellRow> = srv
        .get(&path, Some(&w.commune.office.credential))
        .await
        .json();
    assert!(cells.iter().any(|c| c.cell.name == "Chi bộ bản Nà Hẩu"));
}

#[tokio::test]
async fn a_clock_two_days_ahead_is_clamped_and_the_phone_flagged() {
    let mut w = World::new().await;
    let srv = &w.srv;
    let rename = |name: &str| Change::UpsertCell {
        cell: chibo_domain::model::Cell {
            name: name.into(),
            ..w.a.cell.clone()
        },
    };
    w.secretary_a.clock_offset_ms = 2 * DAY;
    let response = w
        .secretary_a
        .push(srv, vec![rename("Chi bộ bản Nà Hẩu (máy sai giờ)")])
        .await;
    assert_all_applied(&response);
    let warning = response.clock_warning.expect("a clock warning");
    assert_eq!(warning.ahead_ms, 2 * DAY);
    assert!(warning.ahead_ms > MAX_CLOCK_AHEAD_MS);
    assert!(
        warning.message.contains("nhanh hơn máy chủ 2 ngày"),
        "{}",
        warning.message
    );

    // Logged at the server's time, not two days ahead.
    let pulled = w.cadre_phone.pull_all(srv).await;
    let last = pulled[&Scope::Cell(w.a.cell.id.clone())].last().unwrap();
    assert!(matches!(last.change, Change::UpsertCell { .. }));
    assert_eq!(last.hlc.millis, srv.now());

    // The office sees the flag.
    let devices: Vec<DeviceInfo> = srv
        .get(ADMIN_DEVICES_PATH, Some(&w.commune.office.credential))
        .await
        .json();
    let flagged = devices
        .iter()
        .find(|d| d.device_id == w.secretary_a.id)
        .unwrap();
    assert_eq!(flagged.clock_ahead_ms, Some(warning.ahead_ms));
    assert_eq!(flagged.clock_flagged_at, Some(srv.now()));
    assert!(devices
        .iter()
        .filter(|d| d.device_id != w.secretary_a.id)
        .all(|d| d.clock_ahead_ms.is_none()));

    // So an edit made a minute later on a right clock still wins.
    srv.clock.advance(MINUTE);
    let response = w
        .commune
        .office
        .push(srv, vec![rename("Chi bộ bản Nà Hẩu")])
        .await;
    assert_eq!(response.acks[0].outcome, AckOutcome::Applied);
    assert!(response.clock_warning.is_none());
}

#[tokio::test]
async fn sequence_numbers_start_at_one() {
    let mut w = World::new().await;
    let srv = &w.srv;
    let mut entries = w
        .secretary_a
        .entries(srv, w.a.roster_changes()[..1].to_vec());
    entries[0].device_seq = 0;
    let request = w.secretary_a.request(srv, entries);
    w.secretary_a
        .sync_reply(srv, &request)
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
}

/// A change the server cannot read (an op from a newer app, or a known op with a field
/// missing) is refused alone, under its own number: the changes around it are applied,
/// the phone's outbox moves past it, and a resend gets the same answer. A broken entry
/// around the change (no `op`) is a broken request.
#[tokio::test]
async fn an_unreadable_change_is_refused_alone_and_the_queue_goes_on() {
    let mut w = World::new().await;
    let srv = &w.srv;
    let meeting_id = new_id();
    let mut changes = w.a.meeting_changes(&meeting_id, meeting_start());
    changes.truncate(4);
    let entries = w.secretary_a.entries(srv, changes);
    let request = w.secretary_a.request(srv, entries);
    let mut body = serde_json::to_value(&request).unwrap();
    body["push"][1]["change"] = serde_json::json!({"op": "record_weather", "sky": "mưa"});
    let known_op_without_its_fields = body["push"][2]["change"]["op"].clone();
    body["push"][2]["change"] = serde_json::json!({ "op": known_op_without_its_fields });
    let reply = srv
        .post(
            chibo_domain::sync::SYNC_PATH,
            Some(&w.secretary_a.credential),
            &body,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let first: chibo_domain::sync::SyncResponse = reply.json();
    assert_eq!(
        outcomes(&first),
        [
            (1, "applied".to_string()),
            (2, "rejected:unreadable_change".to_string()),
            (3, "rejected:unreadable_change".to_string()),
            (4, "applied".to_string()),
        ]
    );
    let AckOutcome::Rejected { reason, .. } = &first.acks[1].outcome else {
        unreachable!()
    };
    assert!(reason.contains("record_weather"), "{reason}");
    assert_eq!(first.last_applied_seq, 4);

    // The answer was lost: the same push again gets the same acknowledgements.
    let again = srv
        .post(
            chibo_domain::sync::SYNC_PATH,
            Some(&w.secretary_a.credential),
            &body,
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let again: chibo_domain::sync::SyncResponse = again.json();
    assert_eq!(again.acks, first.acks);
    assert_eq!(again.last_applied_seq, 4);

    // A change that names no op is no change at all: the request is refused.
    let mut broken = body.clone();
    broken["push"][1]["change"] = serde_json::json!({"sky": "mưa"});
    srv.post(
        chibo_domain::sync::SYNC_PATH,
        Some(&w.secretary_a.credential),
        &broken,
    )
    .await
    .error(StatusCode::BAD_REQUEST, "bad_request");
}

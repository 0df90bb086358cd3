//! The office's actions from the dashboard (`chibo_server::office`, what the pages call)
//! reach the phones through the real core: an answer to a petition, guidance with an
//! attachment (and the office then sees the cell received it), the review of a check-in
//! that needed it.

use chibo_core::visits::CheckInRequest;
use chibo_domain::checkin::{GpsFix, ReviewDecision, VerdictStatus};
use chibo_domain::*;
use chibo_e2e::*;
use chibo_server::office::{self, AttachmentUpload, GuidanceDraft, Officer, PetitionAction};
use chibo_server::{AppState, Server};

const CHECK_IN_PHOTO: &str = "orientation/landscape_3.jpg";

/// What the dashboard's handlers share, over the cluster's database and data directory.
fn office_state(cluster: &Cluster) -> AppState {
    Server::new(cluster.config.clone())
        .state()
        .expect("the server's state")
}

fn officer() -> Officer {
    Officer {
        id: "u-vanphong".into(),
        name: "Hà Thị Lan".into(),
        username: "u-vanphong".into(),
        client_ip: "127.0.0.1".into(),
    }
}

#[test]
fn an_answer_from_the_dashboard_reaches_the_secretarys_phone() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(1));
    let secretary = town.secretary_phone(&cluster, 0);
    let cell = town.cell(0).clone();
    let recorded = record_signed_meeting(&secretary, &town, 0, &[]);
    sync_all(&secretary);
    let record = ok(
        secretary.store.meeting_record(recorded.meeting_id.clone()),
        "read",
    );
    let petition = record.petitions[0].clone();

    let state = office_state(&cluster);
    let answer = "Xã đã bố trí kinh phí sửa đường nước trong tháng 12";
    office::respond_to_petition(
        &state,
        &town.seed.id,
        &petition.id,
        PetitionAction::Answer,
        answer,
        &officer(),
    )
    .expect("the office answers");
    let report = sync_all(&secretary);
    assert!(report.pulled >= 1, "{}", report.summary);

    let on_phone = ok(
        secretary.store.petitions_of_cell(cell.id.clone()),
        "petitions",
    );
    let mine = on_phone
        .iter()
        .find(|p| p.petition.id == petition.id)
        .expect("the petition on the phone");
    assert_eq!(mine.petition.status, PetitionStatus::Answered);
    assert_eq!(mine.responses.len(), 1);
    assert_eq!(mine.responses[0].text, answer);
    assert!(mine.responses[0].responder.contains("Hà Thị Lan"));
    assert_log_holds_each_change_once(&server_log(&cluster, &town.seed.id));
}

#[test]
fn guidance_from_the_dashboard_reaches_the_cell_and_the_office_sees_it_received() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(2));
    let secretary = town.secretary_phone(&cluster, 0);
    sync_all(&secretary);
    let state = office_state(&cluster);
    let pdf = b"%PDF-1.4 dinh huong thang 11".to_vec();
    let guidance = cluster
        .block_on(office::publish_guidance(
            &state,
            &town.seed.id,
            GuidanceDraft {
                kind: GuidanceKind::MonthlyGuidance,
                title: "Định hướng sinh hoạt chi bộ tháng 11/2026".into(),
                body: "Tập trung phòng chống cháy rừng; học tập Chỉ thị 50-CT/TW.".into(),
                period: "2026-11".into(),
                cell_ids: vec![],
                attachments: vec![AttachmentUpload {
                    file_name: "dinh-huong-11.pdf".into(),
                    media_type: "application/pdf".into(),
                    bytes: pdf.clone(),
                }],
            },
            &officer(),
        ))
        .expect("the office publishes");

    let receipts = |state: &AppState| {
        chibo_server::storage::read(&*state.storage, |tx| {
            chibo_server::figures::guidance::guidance_receipts(tx, &town.seed.id)
        })
        .expect("read receipts")
    };
    let before = receipts(&state);
    assert_eq!(before[0].1.len(), 2);
    assert!(before[0].1.iter().all(|r| !r.received));

    sync_all(&secretary);
    let on_phone = ok(
        secretary.store.guidance_for_cell(town.cell(0).id.clone()),
        "guidance",
    );
    let got = on_phone
        .iter()
        .find(|g| g.id == guidance.id)
        .expect("the guidance on the phone");
    assert_eq!(got.attachments, guidance.attachments);
    assert_eq!(got.attachments[0].byte_size, pdf.len() as u64);

    let after = receipts(&state);
    let received: Vec<(String, bool)> = after[0]
        .1
        .iter()
        .map(|r| (r.cell_id.clone(), r.received))
        .collect();
    assert!(
        received.contains(&(town.cell(0).id.clone(), true)),
        "{received:?}"
    );
    assert!(
        received.contains(&(town.cell(1).id.clone(), false)),
        "{received:?}"
    );
}

#[test]
fn the_offices_review_of_a_check_in_reaches_the_cadres_phone() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(1));
    let secretary = town.secretary_phone(&cluster, 0);
    let cadre = town.cadre_phone(&cluster, 0);
    let cell = town.cell(0).clone();
    let meeting_id = record_month(&secretary, &town, 0, 20);
    let qr = presence_qr(&secretary, &meeting_id);
    sync_all(&secretary);
    sync_all(&cadre);

    // Checked in five kilometres from the village hall: the server flags it.
    let place = cell.meeting_place.clone().expect("a meeting place");
    let photo = take_photo(&cadre, CHECK_IN_PHOTO);
    let at = now();
    let offset = ok(cadre.status(), "sync status").server_offset_ms;
    let row = ok(
        cadre.store.check_in(
            CheckInRequest {
                meeting_id: meeting_id.clone(),
                cell_id: cell.id.clone(),
                cadre_id: town.cadre_of(0).id,
                photo: Some(photo_ref(&photo)),
                gps: Some(GpsFix {
                    latitude: place.latitude + 0.05,
                    longitude: place.longitude,
                    accuracy_m: 15.0,
                    fix_time: at - 60_000,
                    mock_location: false,
                }),
                device_wall_time: at,
                monotonic_ms: 5_400_000,
                server_offset_ms: offset,
                presence_code: qr,
            },
            cadre.keystore(),
        ),
        "check in",
    );
    sync_all(&cadre);
    sync_all(&cadre);
    let mine = |phone: &chibo_demo::Phone| {
        ok(
            phone.store.my_check_ins(town.cadre_of(0).id),
            "my check-ins",
        )
        .into_iter()
        .find(|r| r.check_in.id == row.check_in.id)
        .expect("the check-in on the phone")
    };
    assert_eq!(mine(&cadre).verdict.status, VerdictStatus::NeedsReview);

    let state = office_state(&cluster);
    office::review_check_in(
        &state,
        &town.seed.id,
        &row.check_in.id,
        ReviewDecision::Accepted,
        "Buổi họp chuyển sang nhà ông trưởng bản do nhà văn hóa sửa chữa",
        &officer(),
    )
    .expect("the office reviews");
    sync_all(&cadre);
    let reviewed = mine(&cadre);
    assert_eq!(reviewed.verdict.status, VerdictStatus::Verified);
    let review = reviewed
        .verdict
        .review
        .expect("the office's review on the phone");
    assert_eq!(review.decision, ReviewDecision::Accepted);
    assert_eq!(review.reviewer_name, "Hà Thị Lan");
    assert_eq!(
        review.note,
        "Buổi họp chuyển sang nhà ông trưởng bản do nhà văn hóa sửa chữa"
    );
    // The secretary's phone (the same cell's scope) holds the office's verdict too.
    sync_all(&secretary);
    let on_secretary: String = phone_db(&secretary)
        .query_row(
            "SELECT verdict_status FROM check_ins WHERE id = ?1",
            [&row.check_in.id],
            |r| r.get(0),
        )
        .expect("the secretary's phone holds the check-in");
    assert_eq!(on_secretary, "verified");
    assert_log_holds_each_change_once(&server_log(&cluster, &town.seed.id));
}

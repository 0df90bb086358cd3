//! A month at one cell, end to end: the secretary records the meeting offline and syncs,
//! the visiting cadre checks in offline and syncs, the server's verdict comes back to
//! both phones, the office answers the petition; and each phone sees what it should and
//! nothing more.

use chibo_domain::checkin::VerdictStatus;
use chibo_domain::*;
use chibo_e2e::raw::Request;
use chibo_e2e::*;
use reqwest::Method;

const MEETING_PHOTO: &str = "phone/gps_tagged.jpg";
const CHECK_IN_PHOTO: &str = "orientation/landscape_3.jpg";

/// The verdict a phone holds for a check-in, and whether it is the server's.
fn verdict_on(phone: &chibo_demo::Phone, check_in_id: &str) -> (String, bool) {
    phone_db(phone)
        .query_row(
            "SELECT verdict_status, verdict_from_server FROM check_ins WHERE id = ?1",
            [check_in_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the phone holds the check-in")
}

fn status_text(status: VerdictStatus) -> String {
    serde_json::to_value(status)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

fn blob_path(sha256: &str) -> String {
    format!("{}/{sha256}", chibo_domain::sync::BLOBS_PATH)
}

#[test]
fn a_meeting_recorded_offline_reaches_the_server_whole_and_the_verdict_comes_back() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(2));
    let secretary = town.secretary_phone(&cluster, 0);
    let cadre = town.cadre_phone(&cluster, 0);
    let cell = town.cell(0).clone();

    // Offline at the village hall: the meeting, the presence code on the secretary's
    // screen, the cadre's check-in with it, a photo, the signature.
    let meeting_id = record_month(&secretary, &town, 0, 20);
    let qr = presence_qr(&secretary, &meeting_id);
    let (row, check_in_photo) = check_in(&cadre, &town, 0, &meeting_id, &qr, CHECK_IN_PHOTO);
    assert_ne!(
        row.verdict.status,
        VerdictStatus::Verified,
        "{:?}",
        row.verdict
    );
    let meeting_photos = attach_photos(&secretary, &meeting_id, &[MEETING_PHOTO]);
    ok(secretary.store.sign_meeting(meeting_id.clone()), "sign");
    let recorded = ok(
        secretary.store.meeting_record(meeting_id.clone()),
        "read back",
    );
    assert_eq!(recorded.meeting.status, MeetingStatus::Signed);

    // The cadre reaches a signal first, then the secretary; then both look again.
    let cadre_report = sync_all(&cadre);
    assert_eq!(cadre_report.photos_uploaded, 1, "{}", cadre_report.summary);
    let secretary_report = sync_all(&secretary);
    assert_eq!(
        secretary_report.photos_uploaded, 1,
        "{}",
        secretary_report.summary
    );
    assert!(
        secretary_report.rejected.is_empty(),
        "{}",
        secretary_report.summary
    );
    sync_all(&cadre);
    sync_all(&secretary);

    // The server holds exactly the record the secretary signed.
    let on_server = server_record(&cluster, &town.seed.id, &meeting_id).expect("on the server");
    assert_eq!(on_server, recorded);
    let mut expected = Census {
        cells: 1,
        members: town.roster(0).len() as u64,
        check_ins: 1,
        photos: 2,
        ..Census::default()
    };
    expected.add(&Census::of_record(&recorded));
    assert_eq!(
        server_census(&cluster, &town.seed.id, Some(&cell.id)),
        expected
    );
    // Both photos, once each, with the bytes the phones hold.
    let blobs = server_blobs(&cluster);
    assert_eq!(blobs.len(), 2, "{blobs:?}");
    for photo in meeting_photos.iter().chain([&check_in_photo]) {
        assert_eq!(blobs.get(&photo.sha256), Some(&photo.byte_size));
        let on_phone = std::fs::read(&photo.path).unwrap();
        let served = Request::new(Method::GET, &blob_path(&photo.sha256))
            .credential(&credential_of(&secretary))
            .send(&cluster);
        assert_eq!(served.status, 200);
        assert_eq!(served.bytes, on_phone);
    }

    // Each phone ends up with the same cell, and the server's verdict on the check-in.
    for phone in [&secretary, &cadre] {
        assert_eq!(phone_census(phone, &cell.id), expected, "{}", phone.name);
        assert_eq!(pending_outbox(phone), 0, "{}", phone.name);
        let status = ok(phone.status(), "status");
        assert!(
            status.needs_attention.is_empty(),
            "{:?}",
            status.needs_attention
        );
        assert_eq!(status.pending_photos, 0);
        assert_eq!(
            verdict_on(phone, &row.check_in.id),
            (status_text(VerdictStatus::Verified), true),
            "{}",
            phone.name
        );
    }
    let mine = ok(
        cadre.store.my_check_ins(town.cadre_of(0).id),
        "my check-ins",
    );
    assert_eq!(mine.len(), 1);
    assert_eq!(
        mine[0].verdict.status,
        VerdictStatus::Verified,
        "{:?}",
        mine[0].verdict
    );

    let log = server_log(&cluster, &town.seed.id);
    assert_log_holds_each_change_once(&log);
    let ops = ops(&log);
    assert_eq!(ops.get("record_check_in"), Some(&1));
    assert_eq!(ops.get("sign_meeting"), Some(&1));
    assert_eq!(
        ops.get("set_attendance").copied(),
        Some(recorded.roll_call.len() as u64)
    );
    // The presence secret reached the server, but no log any phone reads holds it.
    assert_eq!(ops.get("set_presence_secret"), None, "{ops:?}");
}

/// The cadre's phone judges a check-in provisionally before the server does; it must
/// know the cadre follows the cell. Its assignment comes down in the commune's scope,
/// which the phone applies before the cell's, when it does not hold the cell yet.
#[test]
fn a_cadres_phone_knows_its_own_assignment_after_its_first_sync() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(2));
    let secretary = town.secretary_phone(&cluster, 0);
    let cadre = town.cadre_phone(&cluster, 0);
    let assignment = town.assignment_of(&town.cadre_of(0));
    let held = phone_count(
        &cadre,
        "SELECT COUNT(*) FROM assignments WHERE id = ?1",
        &[&assignment.id],
    );
    assert_eq!(held, 1, "the cadre's phone lost its own assignment");
    let overview = ok(cadre.store.cadre_overview(town.cadre_of(0).id), "overview");
    assert_eq!(overview.cells.len(), 1, "{overview:?}");

    let meeting_id = record_month(&secretary, &town, 0, 20);
    let qr = presence_qr(&secretary, &meeting_id);
    let (row, _) = check_in(&cadre, &town, 0, &meeting_id, &qr, CHECK_IN_PHOTO);
    assert_eq!(
        row.verdict.status,
        VerdictStatus::Provisional,
        "the cadre's phone cannot check the code, but nothing is wrong: {:?}",
        row.verdict
    );
}

#[test]
fn each_side_sees_what_it_should_and_nothing_more() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(2));
    let other_town = Town::create(&cluster, "kh", small_commune(1));
    let secretary_a = town.secretary_phone(&cluster, 0);
    let cadre_a = town.cadre_phone(&cluster, 0);
    let secretary_b = town.secretary_phone(&cluster, 1);
    let cadre_b = town.cadre_phone(&cluster, 1);
    assert_ne!(town.cadre_of(0).id, town.cadre_of(1).id);
    let cell_a = town.cell(0).id.clone();

    let recorded = record_signed_meeting(&secretary_a, &town, 0, &[MEETING_PHOTO]);
    // A second, unsigned meeting keeps the presence code showing.
    let meeting_id = record_month(&secretary_a, &town, 0, 10);
    let qr = presence_qr(&secretary_a, &meeting_id);
    let (_, check_in_photo) = check_in(&cadre_a, &town, 0, &meeting_id, &qr, CHECK_IN_PHOTO);
    for phone in [
        &secretary_a,
        &cadre_a,
        &secretary_b,
        &cadre_b,
        &town.office,
        &other_town.office,
    ] {
        sync_all(phone);
    }
    sync_all(&secretary_a);
    sync_all(&cadre_a);

    let on_server = server_census(&cluster, &town.seed.id, Some(&cell_a));
    assert_eq!(on_server.meetings, 2);
    assert_eq!(on_server.check_ins, 1);
    // Who reads cell A: its secretary, its cadre, the office. Nobody else.
    for phone in [&secretary_a, &cadre_a, &town.office] {
        assert_eq!(phone_census(phone, &cell_a), on_server, "{}", phone.name);
    }
    for phone in [&secretary_b, &cadre_b, &other_town.office] {
        assert_eq!(
            phone_census(phone, &cell_a),
            Census::default(),
            "{} holds cell A",
            phone.name
        );
        assert!(!phone_cells(phone).contains(&cell_a), "{}", phone.name);
    }
    assert!(!phone_cells(&other_town.office).contains(&town.cell(1).id));

    // The presence secret stays on the secretary's phone and the server.
    assert_eq!(
        phone_count(&secretary_a, "SELECT COUNT(*) FROM presence_secrets", &[]),
        1
    );
    for phone in [
        &cadre_a,
        &secretary_b,
        &cadre_b,
        &town.office,
        &other_town.office,
    ] {
        assert_eq!(
            phone_count(phone, "SELECT COUNT(*) FROM presence_secrets", &[]),
            0,
            "{} holds a presence secret",
            phone.name
        );
    }

    // The photos: served to those who read cell A, refused to the others.
    for sha256 in [&recorded.photos[0].sha256, &check_in_photo.sha256] {
        for phone in [&secretary_a, &cadre_a, &town.office] {
            let reply = Request::new(Method::GET, &blob_path(sha256))
                .credential(&credential_of(phone))
                .send(&cluster);
            assert_eq!(reply.status, 200, "{}: {}", phone.name, reply.body);
        }
        for phone in [&secretary_b, &cadre_b, &other_town.office] {
            let reply = Request::new(Method::GET, &blob_path(sha256))
                .credential(&credential_of(phone))
                .send(&cluster);
            assert!(
                reply.status == 403 || reply.status == 404,
                "{} read a photo of cell A: {}",
                phone.name,
                reply.status
            );
            assert!(reply.bytes.len() < 1024, "no photo bytes in a refusal");
        }
        let anonymous = Request::new(Method::GET, &blob_path(sha256)).send(&cluster);
        assert_eq!(anonymous.status, 401);
    }
}

#[test]
fn a_petition_answered_by_the_office_reaches_the_secretarys_phone() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(1));
    let secretary = town.secretary_phone(&cluster, 0);
    let recorded = record_signed_meeting(&secretary, &town, 0, &[]);
    sync_all(&secretary);
    let record = ok(
        secretary.store.meeting_record(recorded.meeting_id.clone()),
        "read",
    );
    let petition = record.petitions[0].clone();
    assert_eq!(petition.status, PetitionStatus::Raised);

    // The office pulls it and answers from its own phone.
    sync_all(&town.office);
    let answer = "Xã đã bố trí kinh phí sửa đường nước trong tháng 12";
    ok(
        town.office.store.respond_to_petition(
            petition.id.clone(),
            PetitionStatus::Answered,
            answer.to_string(),
            "Văn phòng Đảng ủy xã".to_string(),
        ),
        "answer the petition",
    );
    sync_all(&town.office);
    let report = sync_all(&secretary);
    assert!(report.pulled >= 1, "{}", report.summary);

    let on_phone = ok(
        secretary.store.meeting_record(recorded.meeting_id.clone()),
        "read",
    );
    assert_eq!(on_phone.petitions[0].status, PetitionStatus::Answered);
    let responses: Vec<(String, String)> = {
        let db = phone_db(&secretary);
        let mut stmt = db
            .prepare("SELECT status, text FROM petition_responses WHERE petition_id = ?1")
            .unwrap();
        stmt.query_map([&petition.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        responses,
        vec![("answered".to_string(), answer.to_string())]
    );
    let census = server_census(&cluster, &town.seed.id, Some(&town.cell(0).id));
    assert_eq!((census.petitions, census.petition_responses), (1, 1));
    assert_eq!(phone_census(&secretary, &town.cell(0).id), census);
    assert_log_holds_each_change_once(&server_log(&cluster, &town.seed.id));
}

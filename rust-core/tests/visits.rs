//! The visiting cadre's check-in and the commune's assignments, on real SQLite files: a
//! secretary's store holding the meeting and its presence secret, and a cadre's store
//! holding only the cells and the assignments.

mod store_support;

use chibo_core::keystore::FileKeystore;
use chibo_core::store::Store;
use chibo_core::visits::{self, CheckInRequest, PhotoRef};
use chibo_domain::change::Change;
use chibo_domain::checkin::{self, GpsFix, PresenceCheck, Verdict, VerdictCode, VerdictStatus};
use chibo_domain::compliance::{Assignment, Cadre, VisitPeriod, VisitRequirement};
use chibo_domain::*;
use store_support::*;

const PHOTO_A: &str = "3b7f0e0f8a3c1c9d4e5f60718293a4b5c6d7e8f90112233445566778899aabbc";
const PHOTO_B: &str = "aa7f0e0f8a3c1c9d4e5f60718293a4b5c6d7e8f90112233445566778899aabbc";

struct World {
    _dir: tempfile::TempDir,
    fx: Fixture,
    cadre: Cadre,
    secretary: Store,
    cadre_store: Store,
    keystore: FileKeystore,
    meeting_id: Id,
    start: EpochMillis,
}

fn world(start: EpochMillis) -> World {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let setup_at = start - 10 * DAY;
    let cadre = Cadre {
        id: new_id(),
        commune_id: fx.cell.commune_id.clone(),
        full_name: "Nguyễn Văn Thành".into(),
        title: "Đảng ủy viên, phụ trách chi bộ".into(),
    };
    let assignment = Assignment {
        id: String::new(),
        cadre_id: cadre.id.clone(),
        cell_id: fx.cell.id.clone(),
        working_team_id: None,
        starts_on: CalendarDate::from_ymd(2026, 1, 1).unwrap(),
        ends_on: None,
    };
    let mut stores = Vec::new();
    for name in ["secretary.db", "cadre.db"] {
        let mut store = fx.store(&dir.path().join(name), setup_at);
        visits::save_cadre(&mut store, cadre.clone(), setup_at).unwrap();
        visits::assign(&mut store, assignment.clone(), setup_at).unwrap();
        stores.push(store);
    }
    let cadre_store = stores.pop().unwrap();
    let mut secretary = stores.pop().unwrap();
    let meeting = chibo_core::flow::plan_meeting(
        &mut secretary,
        &fx.cell.id,
        MeetingKind::Regular,
        start,
        "Nhà văn hóa bản Nà Hẩu".into(),
        setup_at,
    )
    .unwrap();
    let keystore = FileKeystore::open_at(&dir.path().join("device.key")).unwrap();
    World {
        _dir: dir,
        fx,
        cadre,
        secretary,
        cadre_store,
        keystore,
        meeting_id: meeting.id,
        start,
    }
}

fn gps_at(lat: f64, lon: f64, at: EpochMillis) -> Option<GpsFix> {
    Some(GpsFix {
        latitude: lat,
        longitude: lon,
        accuracy_m: 10.0,
        fix_time: at,
        mock_location: false,
    })
}

fn request(w: &World, at: EpochMillis, code: &str, photo: &str) -> CheckInRequest {
    CheckInRequest {
        meeting_id: w.meeting_id.clone(),
        cell_id: w.fx.cell.id.clone(),
        cadre_id: w.cadre.id.clone(),
        photo: Some(PhotoRef {
            sha256: photo.into(),
            width: 1600,
            height: 1200,
            byte_size: 240_000,
        }),
        gps: gps_at(21.5, 103.9, at),
        device_wall_time: at,
        monotonic_ms: 3_600_000,
        server_offset_ms: None,
        presence_code: code.into(),
    }
}

fn codes(reasons: &[checkin::VerdictReason]) -> Vec<VerdictCode> {
    reasons.iter().map(|r| r.code).collect()
}

/// What the cadre's phone pushed, as the secretary's device would receive it.
fn sync_check_ins(from: &Store, to: &mut Store, now: EpochMillis) {
    for entry in from.outbox_pending().unwrap() {
        if matches!(entry.entity_kind.as_str(), "check_in" | "photo") {
            to.apply(entry.change().unwrap(), now).unwrap();
        }
    }
}

#[test]
fn a_check_in_with_the_secretarys_code_is_signed_provisional_and_reaches_the_guests() {
    let start = at(2026, 3, 24, 19, 0);
    let mut w = world(start);
    let now = start + 10 * MINUTE;

    // The secretary's screen shows the code; it checks offline on that device.
    let shown = visits::presence_code(&mut w.secretary, &w.meeting_id, now).unwrap();
    assert_eq!(shown.code.len(), 6);
    assert_eq!(
        visits::presence_code(&mut w.secretary, &w.meeting_id, now + MINUTE)
            .unwrap()
            .code,
        shown.code,
        "the secret is made once"
    );
    assert!(matches!(
        visits::verify_presence(&w.secretary, &w.meeting_id, &shown.code, now).unwrap(),
        PresenceCheck::Valid { .. }
    ));
    assert!(matches!(
        visits::verify_presence(&w.secretary, &w.meeting_id, &shown.qr_payload, now).unwrap(),
        PresenceCheck::Valid { .. }
    ));
    // A QR shown at another meeting is refused, not judged a wrong code.
    let other_meeting_qr = checkin::presence_qr_payload(&new_id(), &shown.code);
    let refused =
        visits::verify_presence(&w.secretary, &w.meeting_id, &other_meeting_qr, now).unwrap_err();
    assert!(
        refused.to_string().contains("buổi sinh hoạt khác"),
        "{refused}"
    );
    // The secret syncs up from the secretary's device.
    assert!(w.secretary.outbox_changes().unwrap().iter().any(
        |c| matches!(c, Change::SetPresenceSecret { meeting_id, .. } if *meeting_id == w.meeting_id)
    ));

    // The cadre's phone holds neither the meeting nor the secret.
    assert!(w
        .cadre_store
        .presence_secret(&w.meeting_id)
        .unwrap()
        .is_none());
    let req = request(&w, now, &shown.qr_payload, PHOTO_A);
    let (check_in, verdict) = visits::check_in(&mut w.cadre_store, &w.keystore, req, now).unwrap();
    assert_eq!(verdict.status, VerdictStatus::Provisional, "{verdict:?}");
    assert!(verdict.reasons.is_empty());
    let unchecked = codes(&verdict.unchecked);
    assert!(unchecked.contains(&VerdictCode::PresenceCodeUnchecked));
    assert!(unchecked.contains(&VerdictCode::ClockUnchecked));
    assert!(unchecked.contains(&VerdictCode::MeetingUnchecked));
    assert_eq!(check_in.presence_code, shown.code);
    assert_eq!(check_in.device_id, w.cadre_store.device_id());
    assert_eq!(check_in.public_key_hex, w.keystore.public_key_hex());

    // The signature verifies with the domain's rule.
    checkin::verify_check_in_signature(&check_in).unwrap();
    let mut tampered = check_in.clone();
    tampered.device_wall_time += 1;
    assert!(checkin::verify_check_in_signature(&tampered).is_err());

    // Stored, with its photo, and queued for the server.
    let mine = visits::my_check_ins(&w.cadre_store, &w.cadre.id).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].check_in, check_in);
    assert_eq!(mine[0].verdict, verdict);
    let outbox = w.cadre_store.outbox_changes().unwrap();
    assert!(outbox.iter().any(|c| matches!(c,
        Change::RecordCheckIn { check_in: c, verdict: v } if *c == check_in && *v == verdict)));
    assert!(outbox.iter().any(|c| matches!(c,
        Change::AttachPhoto { photo } if photo.sha256 == PHOTO_A
            && photo.check_in_id.as_deref() == Some(check_in.id.as_str()))));
    assert!(!outbox
        .iter()
        .any(|c| matches!(c, Change::SetPresenceSecret { .. })));

    // On the secretary's device a check-in still provisional writes nobody into the
    // minutes; the server's verdict that it counts does, once.
    let before = w.secretary.meeting(&w.meeting_id).unwrap().guests.len();
    sync_check_ins(&w.cadre_store, &mut w.secretary, now + MINUTE);
    assert_eq!(
        w.secretary.meeting(&w.meeting_id).unwrap().guests.len(),
        before
    );
    let verified = Verdict {
        status: VerdictStatus::Verified,
        unchecked: Vec::new(),
        ..verdict.clone()
    };
    w.secretary
        .apply(
            Change::SetCheckInVerdict {
                check_in_id: check_in.id.clone(),
                verdict: verified,
            },
            now + MINUTE,
        )
        .unwrap();
    let guests = w.secretary.meeting(&w.meeting_id).unwrap().guests;
    assert_eq!(guests.len(), before + 1);
    let guest = guests.last().unwrap();
    assert_eq!(guest.name, "Nguyễn Văn Thành");
    assert_eq!(guest.title, "Đảng ủy viên, phụ trách chi bộ");
    assert!(guest.upper_level);
    let visits_here = visits::cell_visits(&w.secretary, &w.fx.cell.id).unwrap();
    assert_eq!(visits_here.len(), 1);
    assert_eq!(
        visits_here[0].cadre_name.as_deref(),
        Some("Nguyễn Văn Thành")
    );
    assert_eq!(visits_here[0].meeting_id, w.meeting_id);
    assert_eq!(visits_here[0].status, VerdictStatus::Verified);

    // A second check-in by the same cadre does not list them twice; on this device the
    // code is checked against the secret, so only the clock is left to the server.
    let again = w.secretary.meeting(&w.meeting_id).unwrap().guests.len();
    let code = visits::presence_code(&mut w.secretary, &w.meeting_id, now + 2 * MINUTE).unwrap();
    let req = request(&w, now + 2 * MINUTE, &code.code, PHOTO_B);
    let (_, verdict_here) =
        visits::check_in(&mut w.secretary, &w.keystore, req, now + 2 * MINUTE).unwrap();
    assert_eq!(verdict_here.status, VerdictStatus::Provisional);
    assert_eq!(
        codes(&verdict_here.unchecked),
        vec![VerdictCode::ClockUnchecked]
    );
    assert_eq!(
        w.secretary.meeting(&w.meeting_id).unwrap().guests.len(),
        again
    );
}

#[test]
fn far_away_unassigned_and_reused_photo_need_review_with_reasons() {
    let start = at(2026, 3, 24, 19, 0);
    let mut w = world(start);
    let now = start + 10 * MINUTE;
    let code = visits::presence_code(&mut w.secretary, &w.meeting_id, now).unwrap();

    // 12,4 km north of the meeting place.
    let mut far = request(&w, now, &code.code, PHOTO_A);
    far.gps = gps_at(21.5 + 0.1115, 103.9, now);
    let (_, verdict) = visits::check_in(&mut w.cadre_store, &w.keystore, far, now).unwrap();
    assert_eq!(verdict.status, VerdictStatus::NeedsReview);
    assert_eq!(
        verdict.messages(),
        vec!["Vị trí cách điểm họp 12,4 km"],
        "{verdict:?}"
    );

    // The same photo again, at a cell the cadre does not follow.
    let mut elsewhere = request(&w, now + MINUTE, &code.code, PHOTO_A);
    elsewhere.cell_id = w.fx.other_cell.id.clone();
    elsewhere.meeting_id = new_id();
    let (_, verdict) =
        visits::check_in(&mut w.cadre_store, &w.keystore, elsewhere, now + MINUTE).unwrap();
    assert_eq!(verdict.status, VerdictStatus::NeedsReview);
    let reasons = codes(&verdict.reasons);
    assert!(reasons.contains(&VerdictCode::NotAssigned), "{verdict:?}");
    assert!(reasons.contains(&VerdictCode::PhotoReused), "{verdict:?}");
    assert!(verdict
        .messages()
        .contains(&"Đồng chí không được phân công phụ trách chi bộ này"));
    assert!(verdict
        .messages()
        .contains(&"Ảnh đã được dùng ở nơi khác (lượt điểm danh hoặc biên bản khác)"));

    // Newest first.
    let mine = visits::my_check_ins(&w.cadre_store, &w.cadre.id).unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].check_in.cell_id, w.fx.other_cell.id);
}

#[test]
fn a_check_in_late_on_31_december_counts_for_december() {
    let start = at(2026, 12, 31, 22, 0);
    let mut w = world(start);
    let check_in_at = at(2026, 12, 31, 23, 30);
    visits::set_visit_requirement(
        &mut w.cadre_store,
        &w.fx.cell.commune_id,
        VisitRequirement {
            per: VisitPeriod::Month,
            visits: 1,
        },
        start,
    )
    .unwrap();
    let code = visits::presence_code(&mut w.secretary, &w.meeting_id, check_in_at).unwrap();
    let req = request(&w, check_in_at, &code.code, PHOTO_A);
    visits::check_in(&mut w.cadre_store, &w.keystore, req, check_in_at).unwrap();

    let december =
        visits::cadre_overview(&w.cadre_store, &w.cadre.id, check_in_at + 20 * MINUTE).unwrap();
    assert_eq!(december.cadre.as_ref(), Some(&w.cadre));
    assert_eq!(
        (december.compliance.year, december.compliance.month),
        (2026, 12)
    );
    let row = &december.compliance.per_cell[0];
    assert_eq!(row.cell_id, w.fx.cell.id);
    // Provisional until the server judges it: counted as needing review.
    assert_eq!(row.needs_review_this_month, 1);
    assert_eq!(row.verified_this_month, 0);
    assert_eq!(row.required_this_month, 1);
    assert_eq!(row.required_this_year, 12);
    assert_eq!(december.cells.len(), 1);
    assert_eq!(december.cells[0].cell.as_ref(), Some(&w.fx.cell));
    // The cadre's phone does not hold the cell's meetings.
    assert!(december.cells[0].planned_meetings.is_empty());

    let january =
        visits::cadre_overview(&w.cadre_store, &w.cadre.id, at(2027, 1, 1, 0, 10)).unwrap();
    assert_eq!(
        (january.compliance.year, january.compliance.month),
        (2027, 1)
    );
    assert_eq!(january.compliance.totals.needs_review_this_month, 0);
    assert_eq!(january.compliance.totals.needs_review_this_year, 0);
    assert_eq!(january.compliance.totals.required_this_month, 1);

    // On the secretary's device the planned meeting shows under the cell.
    let overview = visits::cadre_overview(&w.secretary, &w.cadre.id, check_in_at).unwrap();
    assert_eq!(overview.cells[0].planned_meetings.len(), 1);
    assert_eq!(overview.cells[0].planned_meetings[0].id, w.meeting_id);
}

#[test]
fn photos_attach_to_an_unsigned_meeting_and_a_signed_one_refuses_them() {
    let start = at(2026, 3, 24, 19, 0);
    let mut w = world(start);
    let photo = PhotoRef {
        sha256: PHOTO_A.into(),
        width: 1600,
        height: 1200,
        byte_size: 250_000,
    };
    let attached =
        visits::attach_meeting_photo(&mut w.secretary, &w.meeting_id, photo.clone(), start)
            .unwrap();
    assert_eq!(
        visits::meeting_photos(&w.secretary, &w.meeting_id).unwrap(),
        vec![attached]
    );
    let bad = PhotoRef {
        sha256: "not-a-hash".into(),
        ..photo.clone()
    };
    assert!(visits::attach_meeting_photo(&mut w.secretary, &w.meeting_id, bad, start).is_err());

    // A whole signed meeting.
    let mut plan = Plan::new(&w.fx, start + 30 * DAY);
    plan.tasks = vec![(2, CalendarDate::from_ymd(2026, 5, 15).unwrap())];
    w.secretary
        .apply_all(record_changes(&w.fx, &plan), plan.start)
        .unwrap();
    let signed_at = plan.start + 3 * 60 * MINUTE;
    w.secretary
        .apply(
            Change::SignMeeting {
                meeting_id: plan.meeting_id.clone(),
                signature: signature(&w.fx, signed_at),
            },
            signed_at,
        )
        .unwrap();
    let pending = w.secretary.pending_change_count().unwrap();
    let err = visits::attach_meeting_photo(&mut w.secretary, &plan.meeting_id, photo, signed_at)
        .unwrap_err();
    assert!(err.is_meeting_frozen(), "{err:?}");
    assert_eq!(w.secretary.pending_change_count().unwrap(), pending);
    assert!(visits::meeting_photos(&w.secretary, &plan.meeting_id)
        .unwrap()
        .is_empty());
    let _ = w.start;
}

#[test]
fn the_cadres_observation_is_kept_apart_and_validated() {
    let start = at(2026, 3, 24, 19, 0);
    let mut w = world(start);
    let observation = Observation {
        id: String::new(),
        meeting_id: w.meeting_id.clone(),
        cadre_id: w.cadre.id.clone(),
        judged: judged(),
        guidance_given: "Tập trung phòng chống cháy rừng mùa khô".into(),
        lessons_exchanged: "Cần chuẩn bị dự thảo nghị quyết trước".into(),
        recorded_at: start + 3 * 60 * MINUTE,
    };
    let saved = visits::record_observation(&mut w.secretary, observation.clone(), start).unwrap();
    assert_eq!(
        w.secretary.observations(&w.meeting_id).unwrap(),
        vec![saved]
    );
    assert_eq!(
        w.secretary
            .meeting(&w.meeting_id)
            .unwrap()
            .secretary_judgement,
        None
    );
    let mut too_high = observation;
    too_high.judged.chairing = 99;
    let err = visits::record_observation(&mut w.cadre_store, too_high, start).unwrap_err();
    assert_eq!(err.kind(), chibo_core::store::StoreErrorKind::Validation);
}

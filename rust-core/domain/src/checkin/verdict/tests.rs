//! The red-team set: each attack must be flagged with exactly its reasons, and an honest
//! check-in with a poor fix must still be verified.

use ed25519_dalek::SigningKey;

use super::*;
use crate::checkin::{presence_code, public_key_hex, sign_check_in_with, GpsFix};
use crate::compliance::{is_assigned, Assignment};
use crate::model::MeetingKind;
use crate::time::{local_date, CalendarDate};

const MEETING_ID: &str = "0190a1b2-0000-7000-8000-000000000001";
const CELL_ID: &str = "0190a1b2-0000-7000-8000-0000000000a1";
const OTHER_CELL_ID: &str = "0190a1b2-0000-7000-8000-0000000000a2";
const CADRE_ID: &str = "0190a1b2-0000-7000-8000-0000000000d1";
const SECRET: [u8; 32] = [0x5a; 32];
/// 24/11/2026 08:00 in Vietnam.
const PLANNED: EpochMillis = 1_795_482_000_000;
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// The cadre checks in at 08:20 (server time).
const REAL: EpochMillis = PLANNED + 20 * MINUTE;
/// Metres per degree of latitude on the mean sphere.
const M_PER_DEG: f64 = 111_195.08;

fn key() -> SigningKey {
    SigningKey::from_bytes(&[0x11; 32])
}

fn meeting() -> Meeting {
    let mut m = Meeting::planned(
        MEETING_ID.into(),
        CELL_ID.into(),
        MeetingKind::Regular,
        PLANNED,
        "Nhà văn hóa bản Nà Hẩu".into(),
    );
    m.actual_start = Some(PLANNED + 10 * MINUTE);
    m.actual_end = Some(PLANNED + 2 * HOUR);
    m
}

fn place() -> MeetingPlace {
    MeetingPlace {
        label: "Nhà văn hóa bản Nà Hẩu".into(),
        latitude: 21.7,
        longitude: 104.9,
        radius_m: 100.0,
    }
}

/// `metres` north of the meeting place.
fn north_of_place(metres: f64, accuracy_m: f64, fix_time: EpochMillis) -> GpsFix {
    GpsFix {
        latitude: 21.7 + metres / M_PER_DEG,
        longitude: 104.9,
        accuracy_m,
        fix_time,
        mock_location: false,
    }
}

/// An honest, unsigned check-in: device clock 2 s behind the server, offset known.
fn honest_unsigned() -> CheckIn {
    let device_time = REAL - 2_000;
    CheckIn {
        id: "0190a1b2-0000-7000-8000-0000000000c1".into(),
        meeting_id: MEETING_ID.into(),
        cell_id: CELL_ID.into(),
        cadre_id: CADRE_ID.into(),
        device_id: "0190a1b2-0000-7000-8000-0000000000e1".into(),
        photo_sha256: Some("3f".repeat(32)),
        gps: Some(north_of_place(40.0, 15.0, device_time - 20_000)),
        device_wall_time: device_time,
        monotonic_ms: 3 * DAY,
        server_offset_ms: Some(2_000),
        // Read from the secretary's screen a minute earlier.
        presence_code: presence_code(&SECRET, MEETING_ID, REAL - MINUTE).code,
        public_key_hex: String::new(),
        signature_hex: String::new(),
    }
}

fn signed(c: CheckIn) -> CheckIn {
    sign_check_in_with(&key(), c)
}

/// The server's context: synced 3 hours after the meeting, device clock as it was.
struct Server {
    meeting: Meeting,
    place: MeetingPlace,
    assigned: bool,
    keys: Vec<String>,
    photos: Vec<PhotoUse>,
    receipt: ServerReceipt,
    settings: CheckInSettings,
    photo_received: Option<bool>,
    true_time: Option<EpochMillis>,
    fixes: Vec<TravelPoint>,
}

impl Server {
    fn new() -> Self {
        let received_at = REAL + 3 * HOUR;
        Server {
            meeting: meeting(),
            place: place(),
            assigned: true,
            keys: vec![public_key_hex(&key())],
            photos: vec![PhotoUse {
                used_by: "an-earlier-check-in".into(),
                photo_sha256: "77".repeat(32),
            }],
            receipt: ServerReceipt {
                received_at,
                device_clock_at_send: received_at - 2_000,
            },
            settings: CheckInSettings::default(),
            photo_received: Some(true),
            true_time: None,
            fixes: Vec::new(),
        }
    }

    fn evidence(&self) -> Evidence<'_> {
        Evidence {
            photo_received: self.photo_received,
            true_time: self.true_time,
            other_fixes: &self.fixes,
        }
    }

    fn judge(&self, c: &CheckIn) -> Verdict {
        judge_check_in(&VerdictInput {
            check_in: c,
            meeting: &self.meeting,
            meeting_place: Some(&self.place),
            cadre_assigned: self.assigned,
            presence_secret: Some(&SECRET),
            enrolled_keys: &self.keys,
            earlier_photos: &self.photos,
            receipt: Some(self.receipt),
            settings: &self.settings,
            evidence: self.evidence(),
        })
    }
}

fn assert_flagged(verdict: &Verdict, expected: &[&str]) {
    assert_eq!(verdict.messages(), expected, "{verdict:#?}");
    assert_eq!(verdict.status, VerdictStatus::NeedsReview);
    assert!(verdict.unchecked.is_empty(), "{verdict:#?}");
}

#[test]
fn honest_check_in_is_verified() {
    let v = Server::new().judge(&signed(honest_unsigned()));
    assert_eq!(v.status, VerdictStatus::Verified, "{v:#?}");
    assert!(v.reasons.is_empty() && v.unchecked.is_empty());
    assert_eq!(v.effective_time, REAL);
}

#[test]
fn honest_check_in_with_poor_accuracy_inside_the_radius_is_verified() {
    // 120 m from the point, accuracy 150 m, radius 100 m: 120 − 150 ≤ 100.
    let mut c = honest_unsigned();
    c.gps = Some(north_of_place(120.0, 150.0, c.device_wall_time - 5_000));
    let v = Server::new().judge(&signed(c));
    assert_eq!(v.status, VerdictStatus::Verified, "{v:#?}");
    // And 240 m away with 150 m accuracy: 90 ≤ 100, still inside.
    let mut c = honest_unsigned();
    c.gps = Some(north_of_place(240.0, 150.0, c.device_wall_time - 5_000));
    assert_eq!(
        Server::new().judge(&signed(c)).status,
        VerdictStatus::Verified
    );
}

#[test]
fn gps_twelve_km_away_is_flagged() {
    let mut c = honest_unsigned();
    c.gps = Some(north_of_place(12_400.0, 20.0, c.device_wall_time - 5_000));
    assert_flagged(
        &Server::new().judge(&signed(c)),
        &["Vị trí cách điểm họp 12,4 km"],
    );
}

#[test]
fn just_outside_the_radius_allowing_for_accuracy_is_flagged() {
    // 251 m away, accuracy 150 m: 101 > 100.
    let mut c = honest_unsigned();
    c.gps = Some(north_of_place(251.0, 150.0, c.device_wall_time - 5_000));
    assert_flagged(
        &Server::new().judge(&signed(c)),
        &["Vị trí cách điểm họp 251 m"],
    );
}

const WRONG: &str = "Mã xác nhận không đúng hoặc đã hết hạn";

#[test]
fn wrong_code_is_flagged() {
    let server = Server::new();
    let mut c = honest_unsigned();
    let mut guess = 0u32;
    loop {
        c.presence_code = format!("{guess:06}");
        if !presence_code_matches(&SECRET, MEETING_ID, &c.presence_code, REAL, 1) {
            break;
        }
        guess += 1;
    }
    assert_flagged(&server.judge(&signed(c)), &[WRONG]);
}

#[test]
fn an_old_code_gets_the_same_words_as_a_wrong_one() {
    // Yesterday's code, and one read ten minutes earlier: the cadre learns nothing about
    // which step the code belongs to.
    for earlier in [DAY, 10 * MINUTE] {
        let mut c = honest_unsigned();
        c.presence_code = presence_code(&SECRET, MEETING_ID, REAL - earlier).code;
        assert_flagged(&Server::new().judge(&signed(c)), &[WRONG]);
    }
}

#[test]
fn the_code_of_another_meeting_is_wrong() {
    let mut c = honest_unsigned();
    c.presence_code = presence_code(&SECRET, "another-meeting", REAL).code;
    let v = Server::new().judge(&signed(c.clone()));
    // (Unless by a 1-in-10^6 chance it equals a nearby code of this meeting.)
    if !presence_code_matches(&SECRET, MEETING_ID, &c.presence_code, REAL, 1) {
        assert_flagged(&v, &[WRONG]);
    }
}

#[test]
fn a_clock_set_back_to_the_meeting_is_caught_by_the_boot_clock() {
    // The cadre did not attend. Two days later they set the phone's clock back to the
    // meeting, check in with a code someone photographed there and a fix claiming the
    // hall, set the clock right and sync: both offsets the device reports are about 0.
    // Its boot clock says the check-in was made minutes before the push.
    let mut c = honest_unsigned();
    c.gps = Some(north_of_place(40.0, 15.0, c.device_wall_time - 20_000));
    let mut server = Server::new();
    let really = REAL + 2 * DAY;
    server.receipt = ServerReceipt {
        received_at: really + 5 * MINUTE,
        device_clock_at_send: really + 5 * MINUTE - 2_000,
    };
    server.true_time = Some(really);
    assert_flagged(
        &server.judge(&signed(c.clone())),
        &[
            "Giờ điểm danh trên máy (08:20 24/11/2026) khác thời gian thực lúc điểm danh (08:20 26/11/2026), lệch 2 ngày",
            WRONG,
            "Giờ điểm danh 08:20 26/11/2026 ngoài thời gian buổi họp (07:30 24/11/2026 – 10:30 24/11/2026)",
        ],
    );
    // The same check-in, honestly made at the meeting and synced two days later.
    server.true_time = Some(REAL);
    let v = server.judge(&signed(c));
    assert_eq!(v.status, VerdictStatus::Verified, "{v:#?}");
    assert_eq!(v.effective_time, REAL);
}

#[test]
fn a_radius_wider_than_the_domain_allows_does_not_widen_the_check() {
    // A record claiming 5 000 km around the hall, and a cadre in Hà Nội.
    let mut server = Server::new();
    server.place.radius_m = 5_000_000.0;
    let mut c = honest_unsigned();
    c.gps = Some(GpsFix {
        latitude: 21.0285,
        longitude: 105.8542,
        accuracy_m: 10.0,
        fix_time: c.device_wall_time - 5_000,
        mock_location: false,
    });
    let v = server.judge(&signed(c));
    assert_eq!(v.status, VerdictStatus::NeedsReview);
    assert_eq!(
        v.reasons[0].code,
        VerdictCode::OutsideMeetingPlace,
        "{v:#?}"
    );
}

#[test]
fn a_photo_the_server_never_received_leaves_the_check_in_provisional() {
    let mut server = Server::new();
    server.photo_received = Some(false);
    let v = server.judge(&signed(honest_unsigned()));
    assert_eq!(v.status, VerdictStatus::Provisional, "{v:#?}");
    assert!(v.reasons.is_empty());
    assert_eq!(
        v.unchecked.iter().map(|r| r.code).collect::<Vec<_>>(),
        [VerdictCode::PhotoNotReceived]
    );
}

#[test]
fn a_second_check_in_too_far_for_the_time_between_is_flagged() {
    // Five minutes earlier the cadre checked in 40 km away.
    let mut server = Server::new();
    let c = signed(honest_unsigned());
    let gps = c.gps.clone().unwrap();
    server.fixes = vec![TravelPoint {
        check_in_id: "0190a1b2-0000-7000-8000-0000000000c9".into(),
        at: REAL - 5 * MINUTE,
        latitude: gps.latitude + 40_000.0 / M_PER_DEG,
        longitude: gps.longitude,
        accuracy_m: 20.0,
    }];
    assert_flagged(
        &server.judge(&c),
        &["Lượt điểm danh khác lúc 08:15 24/11/2026 cách nơi này 40 km: phải đi 480 km/giờ"],
    );
    // Two hours is time enough for 40 km.
    server.fixes[0].at = REAL - 2 * HOUR;
    assert_eq!(server.judge(&c).status, VerdictStatus::Verified);
    // Its own entry is not a second check-in.
    server.fixes[0].check_in_id = c.id.clone();
    server.fixes[0].at = REAL - MINUTE;
    assert_eq!(server.judge(&c).status, VerdictStatus::Verified);
}

#[test]
fn a_provisional_check_in_can_be_reviewed_a_verified_one_cannot() {
    let c = signed(honest_unsigned());
    let mut server = Server::new();
    server.photo_received = Some(false);
    let provisional = server.judge(&c);
    let accepted =
        review_verdict(&c.id, &provisional, office(ReviewDecision::Accepted, "")).unwrap();
    assert_eq!(accepted.status, VerdictStatus::Verified);
    let verified = Server::new().judge(&c);
    assert!(review_verdict(&c.id, &verified, office(ReviewDecision::Accepted, "")).is_err());
}

#[test]
fn clock_two_days_off_is_flagged() {
    // The device clock runs 2 days behind; its last known offset (0) predates the change.
    // The code was read at the real time; the fix carries the same wrong clock.
    let mut c = honest_unsigned();
    c.device_wall_time = REAL - 2 * DAY;
    c.server_offset_ms = Some(0);
    c.gps = Some(north_of_place(30.0, 10.0, c.device_wall_time - 5_000));
    let mut server = Server::new();
    server.receipt.device_clock_at_send = server.receipt.received_at - 2 * DAY;
    let v = server.judge(&signed(c.clone()));
    assert_flagged(&v, &["Giờ trên máy lệch 2 ngày so với máy chủ"]);
    // The code and the window were judged at the server-corrected time.
    assert_eq!(v.effective_time, REAL);

    // Never synced before checking in: same reason.
    c.server_offset_ms = None;
    assert_flagged(
        &server.judge(&signed(c)),
        &["Giờ trên máy lệch 2 ngày so với máy chủ"],
    );
}

#[test]
fn clock_two_days_off_judged_on_the_phone_shows_what_it_can() {
    // On the phone, with no receipt and no secret, the wrong time falls outside the
    // meeting window.
    let mut c = honest_unsigned();
    c.device_wall_time = REAL - 2 * DAY;
    c.server_offset_ms = Some(0);
    c.gps = Some(north_of_place(30.0, 10.0, c.device_wall_time - 5_000));
    let c = signed(c);
    let keys = vec![c.public_key_hex.clone()];
    let (meeting, place, settings) = (meeting(), place(), CheckInSettings::default());
    let v = judge_check_in(&VerdictInput {
        check_in: &c,
        meeting: &meeting,
        meeting_place: Some(&place),
        cadre_assigned: true,
        presence_secret: None,
        enrolled_keys: &keys,
        earlier_photos: &[],
        receipt: None,
        settings: &settings,
        evidence: Evidence::default(),
    });
    assert_eq!(v.status, VerdictStatus::NeedsReview);
    assert_eq!(
        v.messages(),
        ["Giờ điểm danh 08:20 22/11/2026 ngoài thời gian buổi họp (07:30 24/11/2026 – 10:30 24/11/2026)"]
    );
}

#[test]
fn a_check_in_dated_after_the_server_received_it_is_flagged() {
    // The device clock was 2 days ahead at check-in and set right before syncing.
    let mut c = honest_unsigned();
    c.device_wall_time = REAL + 2 * DAY;
    c.server_offset_ms = Some(0);
    c.gps = Some(north_of_place(30.0, 10.0, c.device_wall_time - 5_000));
    let v = Server::new().judge(&signed(c));
    assert_flagged(
        &v,
        &[
            WRONG,
            "Giờ điểm danh 08:20 26/11/2026 ngoài thời gian buổi họp (07:30 24/11/2026 – 10:30 24/11/2026)",
            "Giờ điểm danh 08:20 26/11/2026 muộn hơn lúc máy chủ nhận 11:20 24/11/2026",
        ],
    );
}

#[test]
fn a_reused_photo_is_flagged() {
    let mut server = Server::new();
    let c = signed(honest_unsigned());
    server.photos.push(PhotoUse {
        used_by: "0190a1b2-0000-7000-8000-0000000000c0".into(),
        photo_sha256: c.photo_sha256.clone().unwrap().to_uppercase(),
    });
    assert_flagged(
        &server.judge(&c),
        &["Ảnh đã được dùng ở nơi khác (lượt điểm danh hoặc biên bản khác)"],
    );
    // The check-in's own photo, judged again, is not a reuse.
    server.photos = vec![PhotoUse {
        used_by: c.id.clone(),
        photo_sha256: c.photo_sha256.clone().unwrap(),
    }];
    assert_eq!(server.judge(&c).status, VerdictStatus::Verified);
}

#[test]
fn a_meeting_of_a_cell_not_assigned_is_flagged() {
    // The cadre follows another cell; the meeting belongs to CELL_ID.
    let assignments = [Assignment {
        id: "asg-1".into(),
        cadre_id: CADRE_ID.into(),
        cell_id: OTHER_CELL_ID.into(),
        working_team_id: None,
        starts_on: CalendarDate::from_ymd(2026, 1, 1).unwrap(),
        ends_on: None,
    }];
    let c = signed(honest_unsigned());
    let mut server = Server::new();
    server.assigned = is_assigned(
        &assignments,
        &c.cadre_id,
        &server.meeting.cell_id,
        local_date(c.corrected_time()),
    );
    assert!(!server.assigned);
    assert_flagged(
        &server.judge(&c),
        &["Đồng chí không được phân công phụ trách chi bộ này"],
    );
}

#[test]
fn a_field_tampered_after_signing_fails_the_signature() {
    let mut c = signed(honest_unsigned());
    c.device_wall_time -= 5 * MINUTE;
    assert_flagged(
        &Server::new().judge(&c),
        &["Chữ ký số không khớp với dữ liệu điểm danh"],
    );
}

#[test]
fn a_key_not_enrolled_for_the_cadre_is_flagged() {
    let c = sign_check_in_with(&SigningKey::from_bytes(&[0x22; 32]), honest_unsigned());
    assert_flagged(
        &Server::new().judge(&c),
        &["Khóa ký không thuộc thiết bị đã đăng ký của đồng chí"],
    );
}

#[test]
fn missing_evidence_is_listed_reason_by_reason() {
    let mut c = honest_unsigned();
    c.photo_sha256 = None;
    c.gps = None;
    c.presence_code = "  ".into();
    assert_flagged(
        &Server::new().judge(&signed(c)),
        &[
            "Không có mã xác nhận",
            "Không có tọa độ GPS",
            "Không có ảnh",
        ],
    );
}

#[test]
fn a_mock_location_is_flagged_even_at_the_right_place() {
    let mut c = honest_unsigned();
    c.gps.as_mut().unwrap().mock_location = true;
    assert_flagged(
        &Server::new().judge(&signed(c)),
        &["Thiết bị báo vị trí giả lập"],
    );
}

#[test]
fn an_inaccurate_or_stale_fix_is_flagged() {
    // 2 km accuracy, 1,5 km away: only 500 m of the accuracy is allowed for.
    let mut c = honest_unsigned();
    c.gps = Some(north_of_place(
        1_500.0,
        2_000.0,
        c.device_wall_time - 2 * HOUR,
    ));
    assert_flagged(
        &Server::new().judge(&signed(c)),
        &[
            "Sai số GPS quá lớn: 2 km (tối đa 500 m)",
            "Tọa độ GPS lấy cách lúc điểm danh 2 giờ",
            "Vị trí cách điểm họp 1,5 km",
        ],
    );
}

#[test]
fn invalid_gps_values_and_photo_hash_are_flagged() {
    let mut c = honest_unsigned();
    c.gps.as_mut().unwrap().latitude = 121.7;
    c.photo_sha256 = Some("not-a-hash".into());
    assert_flagged(
        &Server::new().judge(&signed(c)),
        &["Tọa độ GPS không hợp lệ", "Mã băm của ảnh không hợp lệ"],
    );
}

#[test]
fn a_cell_without_a_registered_place_cannot_be_verified() {
    let c = signed(honest_unsigned());
    let server = Server::new();
    let v = judge_check_in(&VerdictInput {
        meeting_place: None,
        ..input(&server, &c)
    });
    assert_flagged(
        &v,
        &["Chi bộ chưa có tọa độ điểm họp, không đối chiếu được vị trí"],
    );
}

#[test]
fn a_check_in_naming_another_meeting_is_flagged() {
    let mut c = honest_unsigned();
    c.meeting_id = "0190a1b2-0000-7000-8000-000000000009".into();
    c.cell_id = OTHER_CELL_ID.into();
    assert_flagged(
        &Server::new().judge(&signed(c)),
        &[
            "Điểm danh ghi một buổi họp khác",
            "Điểm danh ghi một chi bộ khác với chi bộ của buổi họp",
        ],
    );
}

#[test]
fn everything_wrong_at_once_lists_every_reason() {
    let mut c = honest_unsigned();
    c.presence_code = presence_code(&SECRET, MEETING_ID, REAL - DAY).code;
    c.gps = Some(GpsFix {
        mock_location: true,
        ..north_of_place(12_400.0, 20.0, c.device_wall_time)
    });
    c.photo_sha256 = Some("77".repeat(32));
    let mut c = signed(c);
    c.cadre_id = "someone-else".into();
    let mut server = Server::new();
    server.assigned = false;
    assert_flagged(
        &server.judge(&c),
        &[
            "Chữ ký số không khớp với dữ liệu điểm danh",
            "Đồng chí không được phân công phụ trách chi bộ này",
            WRONG,
            "Thiết bị báo vị trí giả lập",
            "Vị trí cách điểm họp 12,4 km",
            "Ảnh đã được dùng ở nơi khác (lượt điểm danh hoặc biên bản khác)",
        ],
    );
}

#[test]
fn on_the_cadres_phone_an_honest_check_in_is_provisional() {
    let c = signed(honest_unsigned());
    let keys = vec![c.public_key_hex.clone()];
    let (meeting, place, settings) = (meeting(), place(), CheckInSettings::default());
    let v = judge_check_in(&VerdictInput {
        check_in: &c,
        meeting: &meeting,
        meeting_place: Some(&place),
        cadre_assigned: true,
        presence_secret: None,
        enrolled_keys: &keys,
        earlier_photos: &[],
        receipt: None,
        settings: &settings,
        evidence: Evidence::default(),
    });
    assert_eq!(v.status, VerdictStatus::Provisional);
    assert!(v.reasons.is_empty());
    let unchecked: Vec<&str> = v.unchecked.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(
        unchecked,
        [
            "Chưa đối chiếu được giờ trên máy với máy chủ",
            "Chưa xác minh được mã xác nhận trên máy này",
        ]
    );
}

#[test]
fn the_meeting_window_uses_planned_or_actual_times() {
    let settings = CheckInSettings::default();
    let m = meeting();
    assert_eq!(
        meeting_window(&m, &settings),
        (PLANNED - 30 * MINUTE, PLANNED + 2 * HOUR + 30 * MINUTE)
    );
    // Not started yet: planned start + 3 h assumed.
    let mut planned_only = m.clone();
    planned_only.actual_start = None;
    planned_only.actual_end = None;
    assert_eq!(
        meeting_window(&planned_only, &settings),
        (PLANNED - 30 * MINUTE, PLANNED + 3 * HOUR + 30 * MINUTE)
    );
    // Started early at 07:00, not ended: window from 06:30 to 08:00 + 3 h + 30 min.
    let mut early = planned_only;
    early.actual_start = Some(PLANNED - HOUR);
    assert_eq!(
        meeting_window(&early, &settings),
        (PLANNED - 90 * MINUTE, PLANNED + 3 * HOUR + 30 * MINUTE)
    );
}

#[test]
fn haversine_matches_known_distances() {
    // One degree of latitude on the mean sphere.
    assert!((haversine_m(21.0, 105.0, 22.0, 105.0) - 111_195.08).abs() < 0.1);
    // Hà Nội (Hoàn Kiếm) to Hồ Chí Minh City (Bến Thành): about 1 137 km.
    let d = haversine_m(21.0285, 105.8542, 10.7725, 106.6980);
    assert!((1_130_000.0..1_145_000.0).contains(&d), "{d}");
    assert_eq!(haversine_m(21.7, 104.9, 21.7, 104.9), 0.0);
}

fn input<'a>(server: &'a Server, c: &'a CheckIn) -> VerdictInput<'a> {
    VerdictInput {
        check_in: c,
        meeting: &server.meeting,
        meeting_place: Some(&server.place),
        cadre_assigned: server.assigned,
        presence_secret: Some(&SECRET),
        enrolled_keys: &server.keys,
        earlier_photos: &server.photos,
        receipt: Some(server.receipt),
        settings: &server.settings,
        evidence: server.evidence(),
    }
}

fn office(decision: ReviewDecision, note: &str) -> OfficeReview {
    OfficeReview {
        decision,
        note: note.into(),
        reviewer_id: "u-1".into(),
        reviewer_name: "Hà Thị Lan".into(),
        reviewed_at: REAL + 24 * HOUR,
    }
}

#[test]
fn a_rejected_check_in_waits_no_more_and_is_no_visit() {
    let mut c = honest_unsigned();
    c.gps = Some(north_of_place(12_400.0, 20.0, c.device_wall_time - 5_000));
    let c = signed(c);
    let flagged = Server::new().judge(&c);
    assert!(flagged.awaits_review() && flagged.is_pending());
    assert!(crate::compliance::VisitRecord::of(&c, &flagged).is_some());

    let rejected = review_verdict(
        &c.id,
        &flagged,
        office(ReviewDecision::Rejected, "Ảnh chụp ở nơi khác"),
    )
    .unwrap();
    assert!(rejected.is_rejected());
    assert!(!rejected.awaits_review() && !rejected.is_pending());
    assert_eq!(crate::compliance::VisitRecord::of(&c, &rejected), None);

    // The office may change its mind: accepted, the visit counts as verified.
    let accepted = review_verdict(&c.id, &rejected, office(ReviewDecision::Accepted, "")).unwrap();
    assert!(!accepted.is_rejected() && !accepted.is_pending());
    let visit = crate::compliance::VisitRecord::of(&c, &accepted).unwrap();
    assert_eq!(visit.status, VerdictStatus::Verified);
}

#[test]
fn a_rejection_must_say_why() {
    let mut c = honest_unsigned();
    c.gps = Some(north_of_place(12_400.0, 20.0, c.device_wall_time - 5_000));
    let c = signed(c);
    let flagged = Server::new().judge(&c);
    assert!(review_verdict(&c.id, &flagged, office(ReviewDecision::Rejected, "  ")).is_err());
}

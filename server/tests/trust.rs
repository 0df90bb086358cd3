//! Trust in the record: each test is an attack (or an accident) a security review tried
//! against the real server, and what the server must do about it now.

mod support;

use chibo_domain::change::{Change, MeetingField};
use chibo_domain::checkin::{
    generate_presence_secret, presence_code, CheckIn, GpsFix, Verdict, VerdictCode, VerdictStatus,
    MAX_CHECK_INS_PER_MEETING,
};
use chibo_domain::compliance::Assignment;
use chibo_domain::hlc::Hlc;
use chibo_domain::model::*;
use chibo_domain::sync::{AckOutcome, Role, Scope, ScopeCursor, SyncResponse};
use chibo_server::docs::CommuneDocs;
use chibo_server::storage::{self, LogRow};
use reqwest::StatusCode;
use support::*;

/// The record as the server holds it.
fn stored_record(w: &World, meeting_id: &str) -> MeetingRecord {
    storage::read(&*w.srv.storage, |tx| {
        CommuneDocs::new(tx, &w.commune.id).record_of(meeting_id)
    })
    .unwrap()
    .expect("the server holds the meeting")
}

fn outcome(response: &SyncResponse, i: usize) -> &AckOutcome {
    &response.acks[i].outcome
}

fn rejection_code(outcome: &AckOutcome) -> &str {
    match outcome {
        AckOutcome::Rejected { code, .. } => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The server's latest verdict on a check-in, as a reader of the cell pulls it.
async fn verdict_seen_by_secretary(w: &mut World, check_in_id: &str) -> Verdict {
    w.secretary_a.pull_all(&w.srv).await;
    w.secretary_a.received[&Scope::Cell(w.a.cell.id.clone())]
        .iter()
        .rev()
        .find_map(|c| match &c.change {
            Change::SetCheckInVerdict {
                check_in_id: id,
                verdict,
            } if id == check_in_id => Some(verdict.clone()),
            _ => None,
        })
        .expect("the server published a verdict")
}

/// A recorded, unsigned meeting of A with its presence secret.
async fn meeting_with_secret(w: &mut World) -> (Id, Vec<u8>) {
    let meeting_id = w.record_meeting_a(meeting_start()).await;
    let secret = generate_presence_secret().unwrap();
    let response = w
        .secretary_a
        .push(
            &w.srv,
            vec![Change::SetPresenceSecret {
                meeting_id: meeting_id.clone(),
                secret_hex: hex::encode(&secret),
            }],
        )
        .await;
    assert_all_applied(&response);
    (meeting_id, secret)
}

/// A second cadre assigned to cell A, with an enrolled phone.
async fn second_cadre(w: &mut World) -> (chibo_domain::compliance::Cadre, Device) {
    let cadre = chibo_domain::compliance::Cadre {
        id: new_id(),
        commune_id: w.commune.id.clone(),
        full_name: "Trần Văn Lợi".into(),
        title: "Đảng ủy viên".into(),
    };
    let response = w
        .commune
        .office
        .push(
            &w.srv,
            vec![
                Change::UpsertCadre {
                    cadre: cadre.clone(),
                },
                Change::UpsertAssignment {
                    assignment: Assignment {
                        id: new_id(),
                        cadre_id: cadre.id.clone(),
                        cell_id: w.a.cell.id.clone(),
                        working_team_id: None,
                        starts_on: chibo_domain::CalendarDate::from_ymd(2026, 1, 1).unwrap(),
                        ends_on: None,
                    },
                },
            ],
        )
        .await;
    assert_all_applied(&response);
    let phone = w
        .srv
        .person(
            &w.commune.office,
            &cadre.full_name,
            Role::Cadre {
                cadre_id: cadre.id.clone(),
            },
        )
        .await;
    (cadre, phone)
}

fn push_check_in(check_in: &CheckIn) -> Vec<Change> {
    vec![Change::RecordCheckIn {
        check_in: check_in.clone(),
        verdict: provisional(check_in.device_wall_time),
    }]
}

// ---------------------------------------------------------------- the presence proof

#[tokio::test]
async fn a_second_cadre_cannot_copy_a_check_in_that_synced_down() {
    // H2: cadre 1 checks in honestly; cadre 2, also assigned to A, pulls it two days
    // later, copies the code, time and fix with a made-up photo hash and signs it.
    let mut w = World::new().await;
    let (meeting_id, secret) = meeting_with_secret(&mut w).await;
    let time = w.srv.now() - 5 * MINUTE;
    let code = presence_code(&secret, &meeting_id, time).code;
    w.upload(1).await;
    let honest = w.check_in(&meeting_id, time, &code, &photo(1));
    assert_all_applied(&w.cadre_phone.push(&w.srv, push_check_in(&honest)).await);
    let (cadre2, mut phone2) = second_cadre(&mut w).await;
    let pulled = phone2.pull_all(&w.srv).await;
    let seen = pulled[&Scope::Cell(w.a.cell.id.clone())]
        .iter()
        .find_map(|c| match &c.change {
            Change::RecordCheckIn { check_in, verdict } if check_in.id == honest.id => {
                Some((check_in.clone(), verdict.clone()))
            }
            _ => None,
        })
        .expect("readers learn that cadre 1 checked in");
    let (copy_source, verdict) = seen;
    // Who, when and the verdict; none of the proof.
    assert_eq!(copy_source.cadre_id, w.cadre.id);
    assert_eq!(verdict.status, VerdictStatus::Verified);
    assert_eq!(copy_source.presence_code, "");
    assert_eq!(copy_source.gps, None);
    assert_eq!(copy_source.photo_sha256, None);
    assert_eq!(copy_source.signature_hex, "");
    let log = storage::read(&*w.srv.storage, |tx| {
        tx.log_page(
            &w.commune.id,
            &Scope::Cell(w.a.cell.id.clone()).to_string(),
            0,
            10_000,
        )
    })
    .unwrap();
    assert!(
        log.iter().all(|row| !row.change_json.contains(&code)),
        "no log another phone reads holds the code"
    );

    // The copy, two days later, with what cadre 2 could see.
    w.srv.clock.advance(2 * DAY);
    let copy = CheckIn {
        id: new_id(),
        cadre_id: cadre2.id.clone(),
        device_id: phone2.id.clone(),
        presence_code: copy_source.presence_code.clone(),
        photo_sha256: Some(photo(77)),
        ..honest.clone()
    };
    let copy = chibo_domain::checkin::sign_check_in_with(&phone2.key, copy);
    assert_all_applied(&phone2.push(&w.srv, push_check_in(&copy)).await);
    let verdict = verdict_seen_by_secretary(&mut w, &copy.id).await;
    assert_ne!(verdict.status, VerdictStatus::Verified, "{verdict:#?}");
}

#[tokio::test]
async fn presence_codes_cannot_be_guessed() {
    // M9: unlimited attempts, and a refusal that told which time step a code belongs to.
    let mut w = World::new().await;
    let (meeting_id, secret) = meeting_with_secret(&mut w).await;
    let time = w.srv.now() - 5 * MINUTE;
    let yesterdays = presence_code(&secret, &meeting_id, time - DAY).code;
    let first = w.check_in(&meeting_id, time, &yesterdays, &photo(1));
    assert_all_applied(&w.cadre_phone.push(&w.srv, push_check_in(&first)).await);
    let verdict = verdict_seen_by_secretary(&mut w, &first.id).await;
    let messages = verdict.messages().join(" | ");
    assert!(
        messages.contains("Mã xác nhận không đúng hoặc đã hết hạn"),
        "{messages}"
    );
    assert!(
        !messages.contains("trước") && !messages.contains("sau"),
        "{messages}"
    );

    for n in 1..MAX_CHECK_INS_PER_MEETING {
        let guess = w.check_in(
            &meeting_id,
            time,
            &format!("{:06}", 100_000 + n),
            &photo(10 + n as u32),
        );
        assert_all_applied(&w.cadre_phone.push(&w.srv, push_check_in(&guess)).await);
    }
    // The next guess is not judged at all.
    let right = presence_code(&secret, &meeting_id, time).code;
    let one_more = w.check_in(&meeting_id, time, &right, &photo(99));
    let response = w.cadre_phone.push(&w.srv, push_check_in(&one_more)).await;
    assert_eq!(rejection_code(outcome(&response, 0)), "too_many_attempts");
}

#[tokio::test]
async fn a_meeting_place_cannot_be_widened_to_cover_the_whole_country() {
    // M7: the secretary set a 5 000 km radius; a check-in from Hà Nội was verified.
    let mut w = World::new().await;
    let mut cell = w.a.cell.clone();
    cell.meeting_place.as_mut().unwrap().radius_m = 5_000_000.0;
    let response = w
        .secretary_a
        .push(&w.srv, vec![Change::UpsertCell { cell }])
        .await;
    let AckOutcome::Rejected { code, reason } = outcome(&response, 0) else {
        panic!("{:?}", response.acks);
    };
    assert_eq!(code, "validation");
    assert!(reason.contains("Bán kính điểm họp"), "{reason}");
}

#[tokio::test]
async fn a_meeting_photo_or_a_photo_never_uploaded_is_no_proof() {
    // M8: the meeting's own photo (which the cadre can download) was accepted, and a
    // made-up hash that never reached the server was too.
    let mut w = World::new().await;
    let (meeting_id, secret) = meeting_with_secret(&mut w).await;
    let meeting_photo = w.srv.upload_photo(&w.secretary_a, &photo_bytes(40)).await;
    let response = w
        .secretary_a
        .push(
            &w.srv,
            vec![Change::AttachPhoto {
                photo: PhotoAttachment {
                    sha256: meeting_photo.clone(),
                    meeting_id: Some(meeting_id.clone()),
                    check_in_id: None,
                    width: 1600,
                    height: 1200,
                    byte_size: 10,
                    attached_at: w.srv.now(),
                },
            }],
        )
        .await;
    assert_all_applied(&response);
    let time = w.srv.now() - 5 * MINUTE;
    let code = presence_code(&secret, &meeting_id, time).code;
    let reused = w.check_in(&meeting_id, time, &code, &meeting_photo);
    assert_all_applied(&w.cadre_phone.push(&w.srv, push_check_in(&reused)).await);
    let verdict = verdict_seen_by_secretary(&mut w, &reused.id).await;
    assert_eq!(verdict.status, VerdictStatus::NeedsReview);
    assert!(verdict
        .reasons
        .iter()
        .any(|r| r.code == VerdictCode::PhotoReused));

    // A fresh hash whose bytes never arrive: provisional, never verified.
    let later = time + 2 * MINUTE;
    let unseen = w.check_in(
        &meeting_id,
        later,
        &presence_code(&secret, &meeting_id, later).code,
        &photo(41),
    );
    assert_all_applied(&w.cadre_phone.push(&w.srv, push_check_in(&unseen)).await);
    let verdict = verdict_seen_by_secretary(&mut w, &unseen.id).await;
    assert_eq!(verdict.status, VerdictStatus::Provisional, "{verdict:#?}");
    assert!(verdict
        .unchecked
        .iter()
        .any(|r| r.code == VerdictCode::PhotoNotReceived));
    // Once the bytes arrive (and hash to what it signed), it is judged again.
    w.upload(41).await;
    let verdict = verdict_seen_by_secretary(&mut w, &unseen.id).await;
    assert_eq!(verdict.status, VerdictStatus::Verified, "{verdict:#?}");
}

#[tokio::test]
async fn a_clock_set_back_to_the_meeting_is_flagged_by_the_boot_clock() {
    // The cadre was not there. Two days later the phone's clock is set back to the
    // meeting, the check-in made with a code someone photographed, the clock set right
    // and the phone synced: the device's offsets say nothing, its boot clock does.
    let mut w = World::new().await;
    let (meeting_id, secret) = meeting_with_secret(&mut w).await;
    let time = w.srv.now() - 5 * MINUTE;
    let code = presence_code(&secret, &meeting_id, time).code;
    w.upload(5).await;
    let check_in = w.check_in(&meeting_id, time, &code, &photo(5));
    w.srv.clock.advance(2 * DAY);
    let mut entries = w.cadre_phone.entries(&w.srv, push_check_in(&check_in));
    entries[0].created_at = time;
    // Made three minutes before the push, by the clock nobody sets.
    entries[0].elapsed_ms = Some(3 * MINUTE);
    let request = w.cadre_phone.request(&w.srv, entries);
    let response = w.cadre_phone.sync_request(&w.srv, &request).await;
    assert_all_applied(&response);
    let verdict = verdict_seen_by_secretary(&mut w, &check_in.id).await;
    assert_eq!(verdict.status, VerdictStatus::NeedsReview);
    assert!(
        verdict
            .reasons
            .iter()
            .any(|r| r.code == VerdictCode::ClockMoved),
        "{verdict:#?}"
    );
}

#[tokio::test]
async fn a_second_check_in_forty_km_away_five_minutes_later_is_flagged() {
    let mut w = World::new().await;
    let (meeting_id, secret) = meeting_with_secret(&mut w).await;
    let first_time = w.srv.now() - 10 * MINUTE;
    let second_time = first_time + 5 * MINUTE;
    w.upload(6).await;
    w.upload(7).await;
    let mut elsewhere = w.check_in(
        &meeting_id,
        first_time,
        &presence_code(&secret, &meeting_id, first_time).code,
        &photo(6),
    );
    elsewhere.gps = Some(GpsFix {
        latitude: PLACE_LAT + 40_000.0 / 111_195.0,
        longitude: PLACE_LON,
        accuracy_m: 10.0,
        fix_time: first_time,
        mock_location: false,
    });
    let elsewhere = chibo_domain::checkin::sign_check_in_with(&w.cadre_phone.key, elsewhere);
    let here = w.check_in(
        &meeting_id,
        second_time,
        &presence_code(&secret, &meeting_id, second_time).code,
        &photo(7),
    );
    let mut changes = push_check_in(&elsewhere);
    changes.extend(push_check_in(&here));
    assert_all_applied(&w.cadre_phone.push(&w.srv, changes).await);
    let verdict = verdict_seen_by_secretary(&mut w, &here.id).await;
    assert!(
        verdict
            .reasons
            .iter()
            .any(|r| r.code == VerdictCode::TravelImplausible),
        "{verdict:#?}"
    );
}

#[tokio::test]
async fn a_flagged_check_in_never_writes_the_cadre_into_the_minutes() {
    // M1: wrong code, 200 km away: needs review, and the unsigned minutes gained an
    // upper-level delegate anyway.
    let mut w = World::new().await;
    let (meeting_id, _) = meeting_with_secret(&mut w).await;
    let guests_before = stored_record(&w, &meeting_id).meeting.guests;
    let time = w.srv.now() - 5 * MINUTE;
    w.upload(8).await;
    let mut far = w.check_in(&meeting_id, time, "000000", &photo(8));
    far.gps.as_mut().unwrap().latitude += 200_000.0 / 111_195.0;
    let far = chibo_domain::checkin::sign_check_in_with(&w.cadre_phone.key, far);
    assert_all_applied(&w.cadre_phone.push(&w.srv, push_check_in(&far)).await);
    let verdict = verdict_seen_by_secretary(&mut w, &far.id).await;
    assert_eq!(verdict.status, VerdictStatus::NeedsReview);
    assert_eq!(stored_record(&w, &meeting_id).meeting.guests, guests_before);

    // An honest one does write them in (another meeting: the far-away check-in would
    // make any check-in of theirs at the same time implausible).
    let mut w = World::new().await;
    let (meeting_id, secret) = meeting_with_secret(&mut w).await;
    let code = presence_code(&secret, &meeting_id, time).code;
    w.upload(9).await;
    let honest = w.check_in(&meeting_id, time, &code, &photo(9));
    assert_all_applied(&w.cadre_phone.push(&w.srv, push_check_in(&honest)).await);
    let guests = stored_record(&w, &meeting_id).meeting.guests;
    assert!(guests
        .iter()
        .any(|g| g.upper_level && g.name == w.cadre.full_name));
}

#[tokio::test]
async fn a_signed_check_in_sent_again_is_refused() {
    let mut w = World::new().await;
    let (meeting_id, secret) = meeting_with_secret(&mut w).await;
    let time = w.srv.now() - 5 * MINUTE;
    let code = presence_code(&secret, &meeting_id, time).code;
    w.upload(3).await;
    let check_in = w.check_in(&meeting_id, time, &code, &photo(3));
    assert_all_applied(&w.cadre_phone.push(&w.srv, push_check_in(&check_in)).await);
    // The same device, as a new change.
    let again = w.cadre_phone.push(&w.srv, push_check_in(&check_in)).await;
    assert_eq!(rejection_code(outcome(&again, 0)), "already_applied");
    // Another phone of the same cadre, with the copy.
    let second_phone = w
        .srv
        .person(
            &w.commune.office,
            "Nguyễn Văn Thành (máy 2)",
            Role::Cadre {
                cadre_id: w.cadre.id.clone(),
            },
        )
        .await;
    let mut second_phone = second_phone;
    let replay = second_phone.push(&w.srv, push_check_in(&check_in)).await;
    assert_eq!(rejection_code(outcome(&replay, 0)), "replay");
}

// ---------------------------------------------------------------- sync integrity

#[tokio::test]
async fn a_clock_that_cannot_be_read_back_is_refused_alone_and_nobody_else_is_stopped() {
    // H1: a negative HLC was stored as text `Hlc::parse` cannot read; every later sync
    // of the cell's readers and of the office answered 500.
    let mut w = World::new().await;
    w.record_meeting_a(meeting_start()).await;
    for bad in [
        Hlc {
            millis: -1,
            counter: 0,
            node: w.cadre_phone.id.clone(),
        },
        Hlc {
            millis: w.srv.now(),
            counter: 0,
            node: "máy\nđộc".into(),
        },
    ] {
        let petition = w.a.petition(None, w.srv.now());
        let mut entries = w
            .cadre_phone
            .entries(&w.srv, vec![Change::RaisePetition { petition }]);
        entries[0].hlc = bad;
        let request = w.cadre_phone.request(&w.srv, entries);
        let response = w.cadre_phone.sync_request(&w.srv, &request).await;
        assert_eq!(rejection_code(outcome(&response, 0)), "validation");
    }
    // Everyone else syncs as before.
    w.secretary_a.pull_all(&w.srv).await;
    w.commune.office.pull_all(&w.srv).await;
    let ok = w.secretary_a.push(&w.srv, vec![]).await;
    assert!(ok.acks.is_empty());
}

#[tokio::test]
async fn a_row_the_server_cannot_read_back_never_fails_the_readers_sync() {
    // Whatever got into a log before the edge checks existed is skipped, not a 500.
    let mut w = World::new().await;
    let scope = Scope::Cell(w.a.cell.id.clone()).to_string();
    storage::write(&*w.srv.storage, |tx| {
        let server_seq = tx.next_server_seq(&w.commune.id, &scope)?;
        tx.append_log(&LogRow {
            scope: scope.clone(),
            server_seq,
            commune_id: w.commune.id.clone(),
            origin_device: None,
            device_seq: None,
            hlc: "-00000000000001-000000-x".into(),
            created_at: 0,
            received_at: 0,
            change_json: "{\"op\":\"raise_petition\"}".into(),
        })
    })
    .unwrap();
    w.secretary_a.pull_all(&w.srv).await;
    assert!(w.secretary_a.cursors[&Scope::Cell(w.a.cell.id.clone())] > 0);
}

#[tokio::test]
async fn petitions_of_signed_minutes_stay_as_signed() {
    // H3: the same petition again, with no meeting, new words and "resolved": the
    // office's answer was refused afterwards.
    let mut w = World::new().await;
    let meeting_id = w.record_meeting_a(meeting_start()).await;
    let sign = w
        .secretary_a
        .push(
            &w.srv,
            vec![Change::SignMeeting {
                meeting_id: meeting_id.clone(),
                signature: w.a.signature(w.srv.now()),
            }],
        )
        .await;
    assert_all_applied(&sign);
    let original = stored_record(&w, &meeting_id).petitions[0].clone();
    let rewritten = Petition {
        meeting_id: None,
        content: "Đã giải quyết xong, không cần trả lời".into(),
        raised_by: "Cấp ủy viên".into(),
        status: PetitionStatus::Resolved,
        ..original.clone()
    };
    for device in [&mut w.cadre_phone, &mut w.secretary_a] {
        let response = device
            .push(
                &w.srv,
                vec![Change::RaisePetition {
                    petition: rewritten.clone(),
                }],
            )
            .await;
        assert!(matches!(outcome(&response, 0), AckOutcome::Rejected { .. }));
    }
    let stored = storage::read(&*w.srv.storage, |tx| {
        CommuneDocs::new(tx, &w.commune.id).petitions()
    })
    .unwrap();
    let stored = stored.iter().find(|p| p.id == original.id).unwrap();
    assert_eq!(stored.content, original.content);
    assert_eq!(stored.status, PetitionStatus::Raised);
    let answer = w
        .commune
        .office
        .push(
            &w.srv,
            vec![Change::RespondToPetition {
                response: PetitionResponse {
                    id: new_id(),
                    petition_id: original.id.clone(),
                    status: PetitionStatus::Answered,
                    text: "Xã đã bố trí kinh phí sửa đường ống".into(),
                    responder: "Văn phòng Đảng ủy xã".into(),
                    responded_at: w.srv.now(),
                },
            }],
        )
        .await;
    assert_all_applied(&answer);

    // Saving the (unsigned) meeting again after an answer is no refusal either.
    let meeting2 = w.record_meeting_a(meeting_start() + 40 * DAY).await;
    let petition = stored_record(&w, &meeting2).petitions[0].clone();
    let answer2 = w
        .commune
        .office
        .push(
            &w.srv,
            vec![Change::RespondToPetition {
                response: PetitionResponse {
                    id: new_id(),
                    petition_id: petition.id.clone(),
                    status: PetitionStatus::Answered,
                    text: "Đã trả lời".into(),
                    responder: "Văn phòng Đảng ủy xã".into(),
                    responded_at: w.srv.now(),
                },
            }],
        )
        .await;
    assert_all_applied(&answer2);
    let resaved = w
        .secretary_a
        .push(&w.srv, vec![Change::RaisePetition { petition }])
        .await;
    assert_all_applied(&resaved);
}

#[tokio::test]
async fn a_different_change_under_an_applied_number_is_a_conflict_never_applied() {
    // M2: seq 1 "TEN-CU", then another request whose seq 1 is "TEN-MOI": answered
    // "Applied" and dropped.
    let mut w = World::new().await;
    w.srv.clock.advance(MINUTE);
    let mut member = w.a.members[3].clone();
    member.full_name = "Điêu Thị Hoa (tên cũ)".into();
    let first = w
        .secretary_a
        .push(
            &w.srv,
            vec![Change::UpsertMember {
                member: member.clone(),
            }],
        )
        .await;
    assert_all_applied(&first);
    let seq = first.acks[0].device_seq;
    let mut renamed = member.clone();
    renamed.full_name = "Điêu Thị Hoa (tên mới)".into();
    let mut entries = w
        .secretary_a
        .entries(&w.srv, vec![Change::UpsertMember { member: renamed }]);
    entries[0].device_seq = seq;
    let request = w.secretary_a.request(&w.srv, entries);
    let reply = w.secretary_a.sync_reply(&w.srv, &request).await;
    let body = reply.error(StatusCode::CONFLICT, "seq_conflict");
    assert_eq!(body.expected_seq, Some(seq + 1));
    let stored = storage::read(&*w.srv.storage, |tx| {
        CommuneDocs::new(tx, &w.commune.id).roster_of(&w.a.cell.id)
    })
    .unwrap();
    assert!(stored
        .iter()
        .any(|m| m.full_name == "Điêu Thị Hoa (tên cũ)"));
    assert!(!stored
        .iter()
        .any(|m| m.full_name == "Điêu Thị Hoa (tên mới)"));
}

#[tokio::test]
async fn a_member_moved_to_another_cell_reaches_the_old_cells_phones() {
    // M6: logged only in B's scope, so A's phones never learnt of it.
    let mut w = World::new().await;
    w.secretary_a.pull_all(&w.srv).await;
    w.cadre_phone.pull_all(&w.srv).await;
    let mut moved = w.a.members[5].clone();
    moved.cell_id = w.b.cell.id.clone();
    let response = w
        .commune
        .office
        .push(
            &w.srv,
            vec![Change::UpsertMember {
                member: moved.clone(),
            }],
        )
        .await;
    assert_all_applied(&response);
    for phone in [&mut w.secretary_a, &mut w.cadre_phone] {
        let pulled = phone.pull_all(&w.srv).await;
        let in_a = pulled
            .get(&Scope::Cell(w.a.cell.id.clone()))
            .into_iter()
            .flatten()
            .any(|c| matches!(&c.change, Change::UpsertMember { member } if member.id == moved.id && member.cell_id == w.b.cell.id));
        assert!(in_a, "A's phone learns the member left");
    }
    let pulled = w.secretary_b.pull_all(&w.srv).await;
    assert!(pulled[&Scope::Cell(w.b.cell.id.clone())]
        .iter()
        .any(|c| matches!(&c.change, Change::UpsertMember { member } if member.id == moved.id)));
}

#[tokio::test]
async fn a_cadre_moved_to_another_cell_keeps_syncing_and_reads_only_the_new_one() {
    // M4, M12: after the office re-pointed the assignment, the cadre got 403 on every
    // sync (pushes included) and kept reading A for ever.
    let mut w = World::new().await;
    w.cadre_phone.pull_all(&w.srv).await;
    let assignment = storage::read(&*w.srv.storage, |tx| {
        CommuneDocs::new(tx, &w.commune.id).assignments()
    })
    .unwrap()
    .into_iter()
    .find(|a| a.cadre_id == w.cadre.id)
    .unwrap();
    let response = w
        .commune
        .office
        .push(
            &w.srv,
            vec![Change::UpsertAssignment {
                assignment: Assignment {
                    cell_id: w.b.cell.id.clone(),
                    ..assignment
                },
            }],
        )
        .await;
    assert_all_applied(&response);
    // The phone still sends its cursor for A, and a petition for B.
    let petition = w.b.petition(None, w.srv.now());
    let entries = w
        .cadre_phone
        .entries(&w.srv, vec![Change::RaisePetition { petition }]);
    let mut request = w.cadre_phone.request(&w.srv, entries);
    assert!(request
        .cursors
        .iter()
        .any(|c| c.scope == Scope::Cell(w.a.cell.id.clone())));
    request.cursors.push(ScopeCursor {
        scope: Scope::Cell(w.a.cell.id.clone()),
        after: 0,
    });
    let response = w.cadre_phone.sync_request(&w.srv, &request).await;
    assert_all_applied(&response);
    assert!(response
        .readable
        .contains(&Scope::Cell(w.b.cell.id.clone())));
    assert!(!response
        .readable
        .contains(&Scope::Cell(w.a.cell.id.clone())));
    assert!(response
        .pulled
        .iter()
        .all(|p| p.scope != Scope::Cell(w.a.cell.id.clone())));
    // And it can no longer write A.
    let petition = w.a.petition(None, w.srv.now());
    let response = w
        .cadre_phone
        .push(&w.srv, vec![Change::RaisePetition { petition }])
        .await;
    assert_eq!(rejection_code(outcome(&response, 0)), "scope");
}

#[tokio::test]
async fn two_phones_of_one_secretary_editing_different_fields_both_keep_their_edits() {
    let mut w = World::new().await;
    let meeting_id = w.record_meeting_a(meeting_start()).await;
    let mut second = w
        .srv
        .person(
            &w.commune.office,
            "Lò Văn Hùng (máy 2)",
            Role::Secretary {
                cell_id: w.a.cell.id.clone(),
            },
        )
        .await;
    let header = stored_record(&w, &meeting_id).meeting;
    let mut chair = header.clone();
    chair.chair_id = Some(w.a.id(2));
    let mut conclusion = header.clone();
    conclusion.conclusion = Some("Kết luận do máy thứ hai ghi".into());
    // Phone 2 edits later (by its clock) but its field is another one.
    second.clock_offset_ms = 60_000;
    let a = w
        .secretary_a
        .push(
            &w.srv,
            vec![Change::UpdateMeeting {
                meeting: chair,
                fields: vec![MeetingField::Chair],
            }],
        )
        .await;
    assert_all_applied(&a);
    let b = second
        .push(
            &w.srv,
            vec![Change::UpdateMeeting {
                meeting: conclusion,
                fields: vec![MeetingField::Conclusion],
            }],
        )
        .await;
    assert_all_applied(&b);
    let stored = stored_record(&w, &meeting_id).meeting;
    assert_eq!(stored.chair_id, Some(w.a.id(2)));
    assert_eq!(
        stored.conclusion.as_deref(),
        Some("Kết luận do máy thứ hai ghi")
    );
    // An older whole-header write loses the fields written later, and says so.
    let mut stale = header.clone();
    stale.conclusion = Some("Bản cũ".into());
    w.secretary_a.clock_offset_ms = -3_600_000;
    let old = w
        .secretary_a
        .push(
            &w.srv,
            vec![Change::UpdateMeeting {
                meeting: stale,
                fields: vec![MeetingField::Conclusion],
            }],
        )
        .await;
    assert_eq!(*outcome(&old, 0), AckOutcome::Superseded);
}

#[tokio::test]
async fn a_clock_three_days_behind_is_flagged_and_the_record_shows_it() {
    let mut w = World::new().await;
    w.secretary_a.clock_offset_ms = -3 * DAY;
    let meeting_id = new_id();
    let start = w.srv.now() - 3 * DAY;
    let response = w
        .secretary_a
        .push(&w.srv, w.a.meeting_changes(&meeting_id, start))
        .await;
    assert_all_applied(&response);
    let warning = response.clock_warning.expect("the device is told");
    assert!(
        warning.message.contains("chậm hơn máy chủ 3 ngày"),
        "{}",
        warning.message
    );
    let devices = w.srv.devices(&w.commune.id);
    assert!(devices.contains("clock_ahead_ms: Some(-"), "{devices}");
    let note = storage::read(&*w.srv.storage, |tx| {
        CommuneDocs::new(tx, &w.commune.id).clock_note(&meeting_id)
    })
    .unwrap()
    .expect("the meeting is noted as written under a wrong clock");
    assert!((note.offset_ms - 3 * DAY).abs() < MINUTE, "{note:?}");
}

#[tokio::test]
async fn a_fresh_secretary_phone_is_not_sent_other_cells_business() {
    // Every fresh phone's first sync said "31 changes received could not be applied":
    // the other cells' assignments, whose cells it never holds.
    let mut w = World::new().await;
    let (_, _phone2) = second_cadre(&mut w).await;
    let pulled = w.secretary_b.pull_all(&w.srv).await;
    let commune = &pulled[&Scope::Commune(w.commune.id.clone())];
    assert!(
        commune.iter().all(|c| match &c.change {
            Change::UpsertAssignment { assignment } => assignment.cell_id == w.b.cell.id,
            _ => true,
        }),
        "B's secretary gets no assignment of A"
    );
    // Cells come before the commune: an assignment never arrives before its cell.
    let pulled = w.cadre_phone.pull_all(&w.srv).await;
    assert!(pulled.contains_key(&Scope::Cell(w.a.cell.id.clone())));
}

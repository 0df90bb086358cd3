//! The office's read-only figures, computed by the domain's rules from what was synced;
//! and who may read which blob.

mod support;

use chibo_domain::change::Change;
use chibo_domain::checkin::{generate_presence_secret, presence_code};
use chibo_domain::model::*;
use chibo_domain::rules::{self, MeetingContext, RuleSettings};
use chibo_domain::sync::Scope;
use chibo_server::access::device_may_read_blob;
use chibo_server::figures::reports::{CellRow, CommuneSummary, MeetingRow, PetitionRow};
use chibo_server::web::api::{
    COMMUNE_CELLS_PATH, COMMUNE_MEETINGS_PATH, COMMUNE_PETITIONS_PATH, COMMUNE_SUMMARY_PATH,
};
use reqwest::StatusCode;
use support::*;

struct Month {
    w: World,
    meeting_a: Id,
    meeting_photo: String,
    guidance_file: String,
}

/// November in the commune: A's meeting recorded, photographed and signed, with one
/// verified check-in and one that reuses its photo; B's meeting planned; two petitions,
/// one resolved by the office; a notice with an attachment for B.
async fn november() -> Month {
    let mut w = World::new().await;
    let meeting_a = w.record_meeting_a(meeting_start()).await;
    let secret = generate_presence_secret().unwrap();
    // Those who attach them send the bytes: their scope holds them.
    let meeting_photo = w.srv.upload_photo(&w.secretary_a, &photo_bytes(100)).await;
    let response = w
        .secretary_a
        .push(
            &w.srv,
            vec![
                Change::SetPresenceSecret {
                    meeting_id: meeting_a.clone(),
                    secret_hex: hex::encode(&secret),
                },
                Change::AttachPhoto {
                    photo: PhotoAttachment {
                        sha256: meeting_photo.clone(),
                        meeting_id: Some(meeting_a.clone()),
                        check_in_id: None,
                        width: 1600,
                        height: 1200,
                        byte_size: 240_000,
                        attached_at: w.srv.now(),
                    },
                },
            ],
        )
        .await;
    assert_all_applied(&response);
    let time = w.srv.now() - 5 * MINUTE;
    let code = presence_code(&secret, &meeting_a, time).code;
    w.upload(1).await;
    let first = w.check_in(&meeting_a, time, &code, &photo(1));
    let reused = w.check_in(&meeting_a, time + MINUTE, &code, &photo(1));
    let loose = w.a.petition(None, time);
    let changes = vec![
        Change::RecordCheckIn {
            check_in: first,
            verdict: provisional(time),
        },
        Change::RecordCheckIn {
            check_in: reused,
            verdict: provisional(time),
        },
        Change::RaisePetition {
            petition: loose.clone(),
        },
    ];
    assert_all_applied(&w.cadre_phone.push(&w.srv, changes).await);

    w.srv.clock.advance(3 * 60 * MINUTE);
    let response = w
        .secretary_a
        .push(
            &w.srv,
            vec![Change::SignMeeting {
                meeting_id: meeting_a.clone(),
                signature: w.a.signature(w.srv.now()),
            }],
        )
        .await;
    assert_all_applied(&response);
    let meeting_b = new_id();
    let response = w
        .secretary_b
        .push(
            &w.srv,
            vec![Change::PlanMeeting {
                meeting: w.b.planned(&meeting_b, at(2026, 11, 28, 19, 30)),
            }],
        )
        .await;
    assert_all_applied(&response);

    let guidance_file = w
        .srv
        .upload_photo(&w.commune.office, &photo_bytes(200))
        .await;
    let response = w
        .commune
        .office
        .push(
            &w.srv,
            vec![
                Change::RespondToPetition {
                    response: PetitionResponse {
                        id: new_id(),
                        petition_id: loose.id.clone(),
                        status: PetitionStatus::Resolved,
                        text: "Đã sửa xong đường ống".into(),
                        responder: "Văn phòng Đảng ủy xã".into(),
                        responded_at: w.srv.now(),
                    },
                },
                Change::PublishGuidance {
                    guidance: Guidance {
                        id: new_id(),
                        commune_id: w.commune.id.clone(),
                        kind: GuidanceKind::MonthlyGuidance,
                        title: "Hướng dẫn sinh hoạt tháng 12".into(),
                        body: "Chi bộ bản Co Muông chuẩn bị sinh hoạt chuyên đề.".into(),
                        period: "2026-12".into(),
                        cell_ids: vec![w.b.cell.id.clone()],
                        attachments: vec![GuidanceAttachment {
                            sha256: guidance_file.clone(),
                            file_name: "huong-dan-thang-12.pdf".into(),
                            byte_size: 52_000,
                        }],
                        published_at: w.srv.now(),
                    },
                },
            ],
        )
        .await;
    assert_all_applied(&response);
    Month {
        w,
        meeting_a,
        meeting_photo,
        guidance_file,
    }
}

#[tokio::test]
async fn the_office_reads_the_months_figures_from_the_rules() {
    let mut m = november().await;
    m.w.cadre_phone.pull_all(&m.w.srv).await;
    let w = &m.w;
    let srv = &w.srv;
    let office = Some(w.commune.office.credential.as_str());
    let path = |p: &str| p.replace("{commune_id}", &w.commune.id);

    let summary: CommuneSummary = srv
        .get(
            &format!("{}?month=2026-11", path(COMMUNE_SUMMARY_PATH)),
            office,
        )
        .await
        .json();
    assert_eq!(summary.commune_name, "Đảng bộ xã Xuân Hòa");
    assert_eq!((summary.year, summary.month), (2026, 11));
    assert_eq!(summary.cells, 2);
    assert_eq!(summary.members, 24);
    assert_eq!(summary.meetings_this_month, 2);
    assert_eq!(summary.held_this_month, 1);
    assert_eq!(summary.signed_this_month, 1);
    assert_eq!(summary.check_ins_this_month.verified, 1);
    assert_eq!(summary.check_ins_this_month.needs_review, 1);
    assert_eq!(summary.check_ins_this_month.provisional, 0);
    // The meeting's petition is still open; the loose one was resolved.
    assert_eq!(summary.open_petitions, 1);
    // The current month by the server's clock is November too; October had nothing.
    let now: CommuneSummary = srv.get(&path(COMMUNE_SUMMARY_PATH), office).await.json();
    assert_eq!(now, summary);
    let october: CommuneSummary = srv
        .get(
            &format!("{}?month=2026-10", path(COMMUNE_SUMMARY_PATH)),
            office,
        )
        .await
        .json();
    assert_eq!(october.meetings_this_month, 0);
    assert_eq!(october.check_ins_this_month.verified, 0);
    srv.get(
        &format!("{}?month=11-2026", path(COMMUNE_SUMMARY_PATH)),
        office,
    )
    .await
    .error(StatusCode::BAD_REQUEST, "bad_request");

    let cells: Vec<CellRow> = srv.get(&path(COMMUNE_CELLS_PATH), office).await.json();
    assert_eq!(cells.len(), 2);
    let a = cells.iter().find(|c| c.cell.id == w.a.cell.id).unwrap();
    assert_eq!(a.members, 12);
    assert_eq!(a.last_meeting_at, Some(meeting_start()));

    // The meeting as the rules judge it: the same figures the phone shows.
    let rows: Vec<MeetingRow> = srv
        .get(
            &format!("{}?cell={}", path(COMMUNE_MEETINGS_PATH), w.a.cell.id),
            office,
        )
        .await
        .json();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.meeting_id, m.meeting_a);
    assert_eq!(row.status, MeetingStatus::Signed);
    assert_eq!((row.present, row.expected), (9, 10));
    // The same judgement the phone makes from the same record: rebuild it from what
    // the cadre pulled and ask the rules.
    let record = rebuild(
        &w.cadre_phone.received[&Scope::Cell(w.a.cell.id.clone())],
        &m.meeting_a,
    );
    assert_eq!(record.meeting.status, MeetingStatus::Signed);
    let mut roster = w.a.members.clone();
    roster.sort_by_key(|m| name_order_key(&m.full_name));
    let settings = RuleSettings::default();
    let expected = rules::assess_meeting(&MeetingContext {
        cell: &w.a.cell,
        roster: &roster,
        record: &record,
        previous_tasks: &[],
        earlier_this_year: &[],
        settings: &settings,
    });
    assert_eq!(row.quality_total, expected.quality.total);
    assert_eq!(row.grade, expected.quality.grade);
    assert_eq!(
        row.warnings,
        expected
            .warnings
            .iter()
            .map(|w| w.message.clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(row.attendance_percent, expected.attendance.rate_percent);
    let all: Vec<MeetingRow> = srv.get(&path(COMMUNE_MEETINGS_PATH), office).await.json();
    assert_eq!(all.len(), 2);

    let petitions: Vec<PetitionRow> = srv.get(&path(COMMUNE_PETITIONS_PATH), office).await.json();
    assert_eq!(petitions.len(), 2);
    let resolved = petitions.iter().find(|p| !p.open).unwrap();
    assert_eq!(resolved.petition.status, PetitionStatus::Resolved);
    assert_eq!(resolved.status_label, "Đã giải quyết");
    assert_eq!(resolved.responses.len(), 1);
}

#[tokio::test]
async fn a_blob_is_readable_by_those_who_read_a_record_referencing_it() {
    let m = november().await;
    let w = &m.w;
    let storage = &*w.srv.storage;
    let now = w.srv.now();
    let may =
        |device: &Device, sha: &str| device_may_read_blob(storage, &now, &device.id, sha).unwrap();
    let check_in_photo = photo(1);

    // Cell A's photos: A's secretary, the cadre assigned to A, the office.
    for sha in [&m.meeting_photo, &check_in_photo] {
        assert!(may(&w.secretary_a, sha));
        assert!(may(&w.cadre_phone, sha));
        assert!(may(&w.commune.office, sha));
        assert!(!may(&w.secretary_b, sha));
    }
    // The notice for B: B's secretary, the cadre and the office receive it; A's does not.
    assert!(may(&w.secretary_b, &m.guidance_file));
    assert!(may(&w.cadre_phone, &m.guidance_file));
    assert!(may(&w.commune.office, &m.guidance_file));
    assert!(!may(&w.secretary_a, &m.guidance_file));
    // A hash nobody references, and another commune's office.
    assert!(!may(&w.commune.office, &photo(999)));
    let other = w.srv.commune("Đảng bộ xã Nậm Lầu").await;
    assert!(!may(&other.office, &m.meeting_photo));
}

/// A meeting record folded from the changes that made it, in log order.
fn rebuild(changes: &[chibo_domain::sync::PulledChange], meeting_id: &str) -> MeetingRecord {
    let mut record: Option<MeetingRecord> = None;
    for c in changes {
        let r = record.as_mut();
        match (&c.change, r) {
            (Change::PlanMeeting { meeting }, None) if meeting.id == meeting_id => {
                record = Some(MeetingRecord::new(meeting.clone()))
            }
            (Change::UpdateMeeting { meeting, .. }, Some(r)) if meeting.id == meeting_id => {
                r.meeting = Meeting {
                    status: r.meeting.status,
                    secretary_judgement: r.meeting.secretary_judgement.clone(),
                    ..meeting.clone()
                }
            }
            (Change::SetAgenda { items, .. }, Some(r)) => r.agenda = items.clone(),
            (Change::SetAttendance { entry, .. }, Some(r)) => r.roll_call.push(entry.clone()),
            (Change::AddSpeech { speech, .. }, Some(r)) => r.speeches.push(speech.clone()),
            (Change::RecordVote { vote, .. }, Some(r)) => r.votes.push(vote.clone()),
            (Change::RaisePetition { petition }, Some(r)) if petition.meeting_id.is_some() => {
                r.petitions.push(petition.clone())
            }
            (Change::SetJudgedScores { scores, .. }, Some(r)) => {
                r.meeting.secretary_judgement = Some(scores.clone())
            }
            (Change::SignMeeting { signature, .. }, Some(r)) => {
                r.meeting.signature = Some(signature.clone());
                r.meeting.status = MeetingStatus::Signed;
            }
            _ => {}
        }
    }
    record.expect("the meeting was pulled")
}

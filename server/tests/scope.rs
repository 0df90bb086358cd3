//! Every role is held to its scope: pushed changes outside it are acknowledged
//! `Rejected{scope}` (nothing logged), cursors outside it read nothing, reports outside it
//! get 403.

mod support;

use chibo_domain::change::Change;
use chibo_domain::checkin::Verdict;
use chibo_domain::compliance::{Assignment, Cadre, VisitPeriod, VisitRequirement};
use chibo_domain::model::*;
use chibo_domain::sync::{AckOutcome, Scope, ScopeCursor};
use chibo_domain::CalendarDate;
use chibo_server::web::api::{ADMIN_DEVICES_PATH, ADMIN_PERSONS_PATH, COMMUNE_SUMMARY_PATH};
use reqwest::StatusCode;
use support::*;

fn scope_rejected(outcome: &AckOutcome) -> bool {
    matches!(outcome, AckOutcome::Rejected { code, reason } if code == "scope" && !reason.is_empty())
}

/// Pushes each change on its own and asserts each is refused for scope, with nothing
/// logged or written.
async fn assert_refused(w: &World, device: &mut Device, changes: Vec<Change>) {
    for change in changes {
        let before = w.srv.stored(&w.commune.id);
        let label = op(&change);
        let response = device.push(&w.srv, vec![change]).await;
        assert!(
            scope_rejected(&response.acks[0].outcome),
            "{label}: {:?}",
            response.acks[0]
        );
        assert_eq!(
            w.srv.stored(&w.commune.id),
            before,
            "{label} wrote something"
        );
    }
}

fn other_cell(w: &World) -> Cell {
    Cell {
        id: new_id(),
        name: "Chi bộ bản Pá Khôm".into(),
        ..w.a.cell.clone()
    }
}

#[tokio::test]
async fn a_secretary_writes_only_their_own_cell() {
    let mut w = World::new().await;
    let meeting_b = new_id();
    let commune_id = w.commune.id.clone();
    let refused = vec![
        // Cell B's roster and meetings.
        Change::UpsertMember {
            member: w.b.members[3].clone(),
        },
        Change::PlanMeeting {
            meeting: w.b.planned(&meeting_b, meeting_start()),
        },
        // Moving a member of A into B touches B.
        Change::UpsertMember {
            member: Member {
                cell_id: w.b.cell.id.clone(),
                ..w.a.members[4].clone()
            },
        },
        // Commune-level data is the office's.
        Change::UpsertCadre {
            cadre: Cadre {
                id: new_id(),
                commune_id: commune_id.clone(),
                full_name: "Cầm Văn Khoa".into(),
                title: "Đảng ủy viên".into(),
            },
        },
        Change::SetVisitRequirement {
            commune_id: commune_id.clone(),
            requirement: VisitRequirement {
                per: VisitPeriod::Month,
                visits: 2,
            },
        },
        Change::PublishGuidance {
            guidance: Guidance {
                id: new_id(),
                commune_id: commune_id.clone(),
                kind: GuidanceKind::Notice,
                title: "Thông báo".into(),
                body: "Nội dung".into(),
                period: "2026-11".into(),
                cell_ids: Vec::new(),
                attachments: Vec::new(),
                published_at: NOW,
            },
        },
        // A cell of another commune.
        Change::UpsertCell {
            cell: Cell {
                commune_id: new_id(),
                ..other_cell(&w)
            },
        },
    ];
    let mut secretary = std::mem::replace(&mut w.secretary_a, dummy());
    assert_refused(&w, &mut secretary, refused).await;
    // Its own cell goes through.
    let meeting_a = new_id();
    let response = secretary
        .push(&w.srv, w.a.meeting_changes(&meeting_a, meeting_start()))
        .await;
    assert_all_applied(&response);
    // Check-ins and observations are the cadre's, and verdicts the server's, even in A.
    let time = w.srv.now();
    let check_in = w.check_in(&meeting_a, time, "123456", &photo(1));
    assert_refused(
        &w,
        &mut secretary,
        vec![
            Change::RecordCheckIn {
                check_in: check_in.clone(),
                verdict: provisional(time),
            },
            Change::SetCheckInVerdict {
                check_in_id: check_in.id.clone(),
                verdict: provisional(time),
            },
        ],
    )
    .await;

    // A cursor for B reads nothing of B; the admin API is refused outright.
    let mut request = secretary.request(&w.srv, Vec::new());
    request.cursors.push(ScopeCursor {
        scope: Scope::Cell(w.b.cell.id.clone()),
        after: 0,
    });
    assert_reads_nothing_of(
        &secretary.sync_reply(&w.srv, &request).await,
        &Scope::Cell(w.b.cell.id.clone()),
    );
    w.srv
        .get(ADMIN_PERSONS_PATH, Some(&secretary.credential))
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    let summary = COMMUNE_SUMMARY_PATH.replace("{commune_id}", &w.commune.id);
    w.srv
        .get(&summary, Some(&secretary.credential))
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
}

/// Stands in for a device moved out of the world for a while.
fn dummy() -> Device {
    Device::new(
        chibo_domain::sync::EnrollResponse {
            device_id: String::new(),
            credential: String::new(),
            person: chibo_domain::sync::Person {
                id: String::new(),
                commune_id: String::new(),
                full_name: String::new(),
                role: chibo_domain::sync::Role::Office,
            },
            commune_name: String::new(),
            server_time: 0,
        },
        new_key(),
    )
}

#[tokio::test]
async fn a_cadre_writes_check_ins_observations_and_petitions_only_where_assigned() {
    let mut w = World::new().await;
    let meeting_a = w.record_meeting_a(meeting_start()).await;
    let meeting_b = new_id();
    let response = w
        .secretary_b
        .push(&w.srv, w.b.meeting_changes(&meeting_b, meeting_start()))
        .await;
    assert_all_applied(&response);
    let time = w.srv.now();
    let mut in_b = w.check_in(&meeting_b, time, "123456", &photo(1));
    in_b.cell_id = w.b.cell.id.clone();
    let in_b = chibo_domain::checkin::sign_check_in_with(&w.cadre_phone.key, in_b);
    let as_someone_else = Change::RecordCheckIn {
        check_in: CheckInExt::with_cadre(
            w.check_in(&meeting_a, time, "123456", &photo(2)),
            new_id(),
        ),
        verdict: provisional(time),
    };
    let observation = |meeting_id: &Id, cadre_id: &Id| Observation {
        id: new_id(),
        meeting_id: meeting_id.clone(),
        cadre_id: cadre_id.clone(),
        judged: judged(),
        guidance_given: "Cần chuẩn bị kỹ nội dung".into(),
        lessons_exchanged: "Phát huy dân chủ".into(),
        recorded_at: time,
    };
    let refused = vec![
        Change::RecordCheckIn {
            check_in: in_b,
            verdict: provisional(time),
        },
        as_someone_else,
        Change::RecordObservation {
            observation: observation(&meeting_b, &w.cadre.id),
        },
        Change::RecordObservation {
            observation: observation(&meeting_a, &new_id()),
        },
        Change::RaisePetition {
            petition: w.b.petition(None, time),
        },
        // Not the cadre's to write, even in A.
        Change::UpsertMember {
            member: w.a.members[2].clone(),
        },
        Change::UpdateMeeting {
            meeting: w.a.header(&meeting_a, meeting_start()),
            fields: vec![],
        },
        Change::UpsertAssignment {
            assignment: Assignment {
                id: new_id(),
                cadre_id: w.cadre.id.clone(),
                cell_id: w.b.cell.id.clone(),
                working_team_id: None,
                starts_on: CalendarDate::from_ymd(2026, 1, 1).unwrap(),
                ends_on: None,
            },
        },
    ];
    let mut cadre = std::mem::replace(&mut w.cadre_phone, dummy());
    assert_refused(&w, &mut cadre, refused).await;
    w.cadre_phone = cadre;

    // In A it writes all three.
    let response = w
        .cadre_phone
        .push(
            &w.srv,
            vec![
                Change::RecordCheckIn {
                    check_in: w.check_in(&meeting_a, time, "123456", &photo(3)),
                    verdict: provisional(time),
                },
                Change::RecordObservation {
                    observation: observation(&meeting_a, &w.cadre.id),
                },
                Change::RaisePetition {
                    petition: w.a.petition(None, time),
                },
            ],
        )
        .await;
    assert_all_applied(&response);

    let mut request = w.cadre_phone.request(&w.srv, Vec::new());
    request.cursors.push(ScopeCursor {
        scope: Scope::Cell(w.b.cell.id.clone()),
        after: 0,
    });
    assert_reads_nothing_of(
        &w.cadre_phone.sync_reply(&w.srv, &request).await,
        &Scope::Cell(w.b.cell.id.clone()),
    );
    w.srv
        .get(ADMIN_DEVICES_PATH, Some(&w.cadre_phone.credential))
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
}

trait CheckInExt {
    fn with_cadre(self, cadre_id: Id) -> Self;
}

impl CheckInExt for chibo_domain::checkin::CheckIn {
    fn with_cadre(mut self, cadre_id: Id) -> Self {
        self.cadre_id = cadre_id;
        self
    }
}

#[tokio::test]
async fn the_office_stays_in_its_commune_and_does_not_write_minutes() {
    let mut w = World::new().await;
    let other = w.srv.commune("Đảng bộ xã Nậm Lầu").await;
    let meeting = new_id();
    let time = w.srv.now();
    let refused = vec![
        // Minutes are the secretary's.
        Change::PlanMeeting {
            meeting: w.a.planned(&meeting, meeting_start()),
        },
        // Another commune's data.
        Change::UpsertCadre {
            cadre: Cadre {
                id: new_id(),
                commune_id: other.id.clone(),
                full_name: "Cầm Văn Khoa".into(),
                title: "Đảng ủy viên".into(),
            },
        },
        Change::UpsertCell {
            cell: Cell {
                commune_id: other.id.clone(),
                ..other_cell(&w)
            },
        },
        Change::SetVisitRequirement {
            commune_id: other.id.clone(),
            requirement: VisitRequirement {
                per: VisitPeriod::Year,
                visits: 6,
            },
        },
    ];
    let mut office = std::mem::replace(&mut w.commune.office, dummy());
    assert_refused(&w, &mut office, refused).await;
    w.commune.office = office;

    // The other commune's office reads nothing of this one.
    let mut other_office = other.office;
    let mut request = other_office.request(&w.srv, Vec::new());
    request.cursors.push(ScopeCursor {
        scope: Scope::Commune(w.commune.id.clone()),
        after: 0,
    });
    assert_reads_nothing_of(
        &other_office.sync_reply(&w.srv, &request).await,
        &Scope::Commune(w.commune.id.clone()),
    );
    let summary = COMMUNE_SUMMARY_PATH.replace("{commune_id}", &w.commune.id);
    w.srv
        .get(&summary, Some(&other_office.credential))
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    // And its pulls carry none of this commune's changes.
    other_office.pull_all(&w.srv).await;
    assert!(other_office
        .received
        .keys()
        .all(|s| *s == Scope::Commune(other_office.commune_id().to_string())));
    // Nor can it register people for this commune's cells.
    let reply = w
        .srv
        .post(
            ADMIN_PERSONS_PATH,
            Some(&other_office.credential),
            &serde_json::json!({"full_name": "Lò Văn Hùng", "role": "secretary", "cell_id": w.a.cell.id}),
        )
        .await;
    // Well formed, but naming a cell its commune does not have.
    reply.error(StatusCode::NOT_FOUND, "not_found");

    // Nobody authors a verdict, not even the office.
    let check_in_time = time;
    let response = w
        .commune
        .office
        .push(
            &w.srv,
            vec![Change::SetCheckInVerdict {
                check_in_id: new_id(),
                verdict: Verdict {
                    effective_time: check_in_time,
                    review: None,
                    ..provisional(check_in_time)
                },
            }],
        )
        .await;
    assert!(scope_rejected(&response.acks[0].outcome));
}

#[tokio::test]
async fn the_office_sets_up_the_commune_and_answers_petitions() {
    let mut w = World::new().await;
    let meeting = w.record_meeting_a(meeting_start()).await;
    w.commune.office.pull_all(&w.srv).await;
    let petition = w.commune.office.received[&Scope::Cell(w.a.cell.id.clone())]
        .iter()
        .find_map(|c| match &c.change {
            Change::RaisePetition { petition }
                if petition.meeting_id.as_ref() == Some(&meeting) =>
            {
                Some(petition.clone())
            }
            _ => None,
        })
        .unwrap();
    let response = w
        .commune
        .office
        .push(
            &w.srv,
            vec![
                Change::RespondToPetition {
                    response: PetitionResponse {
                        id: new_id(),
                        petition_id: petition.id.clone(),
                        status: PetitionStatus::Forwarded,
                        text: "Đã chuyển Ủy ban nhân dân xã".into(),
                        responder: "Văn phòng Đảng ủy xã".into(),
                        responded_at: w.srv.now(),
                    },
                },
                Change::SetVisitRequirement {
                    commune_id: w.commune.id.clone(),
                    requirement: VisitRequirement {
                        per: VisitPeriod::Month,
                        visits: 1,
                    },
                },
            ],
        )
        .await;
    assert_all_applied(&response);
    // The secretary may answer a petition of their own cell too.
    let response = w
        .secretary_a
        .push(
            &w.srv,
            vec![Change::RespondToPetition {
                response: PetitionResponse {
                    id: new_id(),
                    petition_id: petition.id.clone(),
                    status: PetitionStatus::Answered,
                    text: "Xã đã cấp vật tư sửa đường ống".into(),
                    responder: "Chi bộ bản Nà Hẩu".into(),
                    responded_at: w.srv.now(),
                },
            }],
        )
        .await;
    assert_all_applied(&response);
    // But B's secretary may not answer A's.
    let response = w
        .secretary_b
        .push(
            &w.srv,
            vec![Change::RespondToPetition {
                response: PetitionResponse {
                    id: new_id(),
                    petition_id: petition.id.clone(),
                    status: PetitionStatus::Resolved,
                    text: "Đã xong".into(),
                    responder: "Chi bộ bản Co Muông".into(),
                    responded_at: w.srv.now(),
                },
            }],
        )
        .await;
    assert!(scope_rejected(&response.acks[0].outcome));
}

//! The server judges every check-in again with the domain's rule and what only it knows;
//! the verdict a phone claims counts for nothing.

mod support;

use chibo_domain::change::Change;
use chibo_domain::checkin::{
    generate_presence_secret, presence_code, Verdict, VerdictCode, VerdictStatus,
};
use chibo_domain::model::*;
use chibo_domain::sync::Scope;
use chibo_server::http::COMMUNE_CHECK_INS_PATH;
use chibo_server::reports::CheckInRow;
use support::*;

/// The verdicts the server published for a check-in (`SetCheckInVerdict`), in order.
fn published(w: &World, check_in_id: &str) -> Vec<Verdict> {
    w.secretary_a
        .received
        .get(&Scope::Cell(w.a.cell.id.clone()))
        .into_iter()
        .flatten()
        .filter_map(|c| match &c.change {
            Change::SetCheckInVerdict {
                check_in_id: id,
                verdict,
            } if id == check_in_id => Some(verdict.clone()),
            _ => None,
        })
        .collect()
}

/// The verdict logged with the check-in itself.
fn logged(w: &World, check_in_id: &str) -> Verdict {
    w.secretary_a.received[&Scope::Cell(w.a.cell.id.clone())]
        .iter()
        .find_map(|c| match &c.change {
            Change::RecordCheckIn { check_in, verdict } if check_in.id == check_in_id => {
                Some(verdict.clone())
            }
            _ => None,
        })
        .expect("the check-in was logged")
}

fn codes(v: &Verdict) -> Vec<VerdictCode> {
    v.reasons.iter().map(|r| r.code).collect()
}

struct Setup {
    w: World,
    meeting_id: Id,
    secret: Vec<u8>,
}

async fn setup(with_secret: bool) -> Setup {
    let mut w = World::new().await;
    let meeting_id = w.record_meeting_a(meeting_start()).await;
    let secret = generate_presence_secret().unwrap();
    if with_secret {
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
    }
    Setup {
        w,
        meeting_id,
        secret,
    }
}

#[tokio::test]
async fn an_honest_check_in_is_verified_by_the_server() {
    let mut s = setup(true).await;
    let time = s.w.srv.now() - 5 * MINUTE;
    let code = presence_code(&s.secret, &s.meeting_id, time).code;
    // The photo's bytes reached the server (the phone's upload queue sent them).
    s.w.upload(1).await;
    let check_in = s.w.check_in(&s.meeting_id, time, &code, &photo(1));
    let response =
        s.w.cadre_phone
            .push(
                &s.w.srv,
                vec![Change::RecordCheckIn {
                    check_in: check_in.clone(),
                    verdict: provisional(time),
                }],
            )
            .await;
    assert_all_applied(&response);

    // The cadre's phone learns the verdict from the server's own change.
    let cadre_view = &s.w.cadre_phone.received[&Scope::Cell(s.w.a.cell.id.clone())];
    let verdict = cadre_view
        .iter()
        .find_map(|c| match &c.change {
            Change::SetCheckInVerdict {
                check_in_id,
                verdict,
            } if *check_in_id == check_in.id => Some(verdict.clone()),
            _ => None,
        })
        .expect("the server's verdict reached the cadre");
    assert_eq!(
        verdict.status,
        VerdictStatus::Verified,
        "{:?}",
        verdict.reasons
    );
    assert!(verdict.unchecked.is_empty());

    s.w.secretary_a.pull_all(&s.w.srv).await;
    assert_eq!(logged(&s.w, &check_in.id), verdict);
    assert_eq!(published(&s.w, &check_in.id), [verdict]);
}

#[tokio::test]
async fn a_forged_signature_wrong_code_or_foreign_key_needs_review_whatever_the_phone_claims() {
    let mut s = setup(true).await;
    let time = s.w.srv.now() - 5 * MINUTE;
    let code = presence_code(&s.secret, &s.meeting_id, time).code;

    // Signed, then moved 2 km after signing.
    let mut forged = s.w.check_in(&s.meeting_id, time, &code, &photo(2));
    if let Some(gps) = forged.gps.as_mut() {
        gps.latitude += 0.02;
    }
    // Signed properly but with a code that is not the meeting's.
    let wrong_digit = |c: char| {
        if c == '9' {
            '0'
        } else {
            char::from(c as u8 + 1)
        }
    };
    let wrong = code.chars().map(wrong_digit).collect::<String>();
    let wrong_code = s.w.check_in(&s.meeting_id, time, &wrong, &photo(3));
    // Signed by a key no enrolled phone of the cadre holds.
    let stranger = chibo_domain::checkin::sign_check_in_with(&new_key(), {
        let mut c = s.w.check_in(&s.meeting_id, time, &code, &photo(4));
        c.signature_hex.clear();
        c
    });

    let pushed = [forged.clone(), wrong_code.clone(), stranger.clone()];
    let response =
        s.w.cadre_phone
            .push(
                &s.w.srv,
                pushed
                    .iter()
                    .cloned()
                    .map(|check_in| Change::RecordCheckIn {
                        check_in,
                        verdict: claimed_verified(time),
                    })
                    .collect(),
            )
            .await;
    // The one signed by a key that is not this phone's is refused outright: only the
    // device that signed a check-in may send it.
    assert_eq!(
        response.acks[0].outcome,
        chibo_domain::sync::AckOutcome::Applied
    );
    assert_eq!(
        response.acks[1].outcome,
        chibo_domain::sync::AckOutcome::Applied
    );
    assert!(matches!(
        &response.acks[2].outcome,
        chibo_domain::sync::AckOutcome::Rejected { code, .. } if code == "replay"
    ));
    s.w.secretary_a.pull_all(&s.w.srv).await;

    let v = logged(&s.w, &forged.id);
    assert_eq!(v.status, VerdictStatus::NeedsReview);
    assert!(
        codes(&v).contains(&VerdictCode::SignatureInvalid),
        "{:?}",
        v.reasons
    );
    let v = logged(&s.w, &wrong_code.id);
    assert_eq!(v.status, VerdictStatus::NeedsReview);
    assert!(
        codes(&v).iter().any(|c| matches!(
            c,
            VerdictCode::PresenceCodeWrong | VerdictCode::PresenceCodeExpired
        )),
        "{:?}",
        v.reasons
    );
    for c in &pushed[..2] {
        assert_eq!(published(&s.w, &c.id), [logged(&s.w, &c.id)]);
    }
    assert!(published(&s.w, &stranger.id).is_empty());

    // The office's list says the same, in Vietnamese.
    let path = COMMUNE_CHECK_INS_PATH.replace("{commune_id}", &s.w.commune.id);
    let rows: Vec<CheckInRow> =
        s.w.srv
            .get(&path, Some(&s.w.commune.office.credential))
            .await
            .json();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.status == VerdictStatus::NeedsReview));
    let row = rows
        .iter()
        .find(|r| r.check_in_id == wrong_code.id)
        .unwrap();
    assert_eq!(row.cadre_name.as_deref(), Some("Nguyễn Văn Thành"));
    assert!(row.reasons[0].contains("Mã xác nhận"), "{:?}", row.reasons);
}

#[tokio::test]
async fn a_reused_photo_needs_review() {
    let mut s = setup(true).await;
    let time = s.w.srv.now() - 5 * MINUTE;
    let code = presence_code(&s.secret, &s.meeting_id, time).code;
    s.w.upload(7).await;
    let first = s.w.check_in(&s.meeting_id, time, &code, &photo(7));
    let again = s.w.check_in(&s.meeting_id, time + MINUTE, &code, &photo(7));
    let changes = [first.clone(), again.clone()]
        .into_iter()
        .map(|check_in| Change::RecordCheckIn {
            check_in,
            verdict: provisional(time),
        })
        .collect();
    s.w.cadre_phone.push(&s.w.srv, changes).await;
    s.w.secretary_a.pull_all(&s.w.srv).await;
    assert_eq!(logged(&s.w, &first.id).status, VerdictStatus::Verified);
    assert_eq!(codes(&logged(&s.w, &again.id)), [VerdictCode::PhotoReused]);
}

#[tokio::test]
async fn a_check_in_before_the_presence_secret_is_judged_again_when_it_arrives() {
    let mut s = setup(false).await;
    let time = s.w.srv.now() - 5 * MINUTE;
    let code = presence_code(&s.secret, &s.meeting_id, time).code;
    s.w.upload(5).await;
    let check_in = s.w.check_in(&s.meeting_id, time, &code, &photo(5));
    s.w.cadre_phone
        .push(
            &s.w.srv,
            vec![Change::RecordCheckIn {
                check_in: check_in.clone(),
                verdict: provisional(time),
            }],
        )
        .await;
    s.w.secretary_a.pull_all(&s.w.srv).await;
    let first = logged(&s.w, &check_in.id);
    assert_eq!(first.status, VerdictStatus::Provisional);
    assert!(first
        .unchecked
        .iter()
        .any(|r| r.code == VerdictCode::PresenceCodeUnchecked));

    // The secretary's phone was offline; its presence secret arrives an hour later.
    s.w.srv.clock.advance(60 * MINUTE);
    let response =
        s.w.secretary_a
            .push(
                &s.w.srv,
                vec![Change::SetPresenceSecret {
                    meeting_id: s.meeting_id.clone(),
                    secret_hex: hex::encode(&s.secret),
                }],
            )
            .await;
    assert_all_applied(&response);
    let verdicts = published(&s.w, &check_in.id);
    assert_eq!(verdicts.len(), 2, "{verdicts:?}");
    assert_eq!(verdicts[0], first);
    assert_eq!(
        verdicts[1].status,
        VerdictStatus::Verified,
        "{:?}",
        verdicts[1].reasons
    );

    // The cadre learns it too.
    s.w.cadre_phone.pull_all(&s.w.srv).await;
    let last = s.w.cadre_phone.received[&Scope::Cell(s.w.a.cell.id.clone())]
        .iter()
        .rev()
        .find_map(|c| match &c.change {
            Change::SetCheckInVerdict { verdict, .. } => Some(verdict.status),
            _ => None,
        });
    assert_eq!(last, Some(VerdictStatus::Verified));
}

#[tokio::test]
async fn a_check_in_stamped_days_off_the_servers_clock_needs_review() {
    let mut s = setup(true).await;
    // The phone's clock says two days earlier and it never learnt the offset.
    let offset = -2 * DAY;
    s.w.cadre_phone.clock_offset_ms = offset;
    let device_time = s.w.srv.now() - 5 * MINUTE + offset;
    let code = presence_code(&s.secret, &s.meeting_id, s.w.srv.now() - 5 * MINUTE).code;
    let mut check_in = s.w.check_in(&s.meeting_id, device_time, &code, &photo(6));
    check_in.server_offset_ms = None;
    check_in.signature_hex.clear();
    let check_in = chibo_domain::checkin::sign_check_in_with(&s.w.cadre_phone.key, check_in);
    s.w.cadre_phone
        .push(
            &s.w.srv,
            vec![Change::RecordCheckIn {
                check_in: check_in.clone(),
                verdict: claimed_verified(device_time),
            }],
        )
        .await;
    s.w.secretary_a.pull_all(&s.w.srv).await;
    let v = logged(&s.w, &check_in.id);
    assert_eq!(v.status, VerdictStatus::NeedsReview);
    assert!(
        codes(&v).contains(&VerdictCode::ClockSkew),
        "{:?}",
        v.reasons
    );
    // Judged at the server's correction, the code and the time fit: one clear reason.
    assert_eq!(codes(&v).len(), 1, "{:?}", v.reasons);
}

//! The office's actions (review a check-in, answer a petition, publish guidance) as the
//! server authors them: judged by the domain's rules, refused in Vietnamese, logged in
//! the scope the phones pull; then the same through the dashboard's pages over real HTTP
//! (roles, CSRF, refusals shown on the page).

mod support;

use chibo_domain::change::Change;
use chibo_domain::checkin::{ReviewDecision, VerdictCode, VerdictStatus};
use chibo_domain::model::*;
use chibo_domain::sync::{Scope, BLOBS_PATH};
use chibo_server::accounts::users::DashboardRole;
use chibo_server::accounts::users::{self, NewUser};
use chibo_server::office::{
    self, AttachmentUpload, GuidanceDraft, OfficeError, Officer, PetitionAction,
    MAX_ATTACHMENT_BYTES,
};
use reqwest::StatusCode;
use support::*;

fn officer() -> Officer {
    Officer {
        id: "u-office".into(),
        name: "Hà Thị Lan".into(),
        username: "u-office".into(),
        client_ip: "127.0.0.1".into(),
    }
}

fn refused(e: OfficeError) -> String {
    match e {
        OfficeError::Refused(message) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A check-in 5 km from the meeting place: the server flags it for review.
async fn far_check_in(w: &mut World) -> (Id, Id) {
    let meeting_id = w.record_meeting_a(meeting_start()).await;
    let c = w
        .push_check_in(
            &meeting_id,
            meeting_start() + 10 * MINUTE,
            "123456",
            &photo(1),
            true,
        )
        .await;
    (meeting_id, c.id)
}

fn verdicts_for(
    device: &Device,
    scope: &Scope,
    check_in_id: &str,
) -> Vec<chibo_domain::checkin::Verdict> {
    device
        .received
        .get(scope)
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

#[tokio::test]
async fn the_office_review_reaches_the_cadre_and_outlasts_the_automatic_verdict() {
    let mut w = World::new().await;
    let (meeting_id, check_in_id) = far_check_in(&mut w).await;
    let state = w.srv.running.state().clone();
    let commune_id = w.commune.id.clone();

    let err = office::review_check_in(
        &state,
        &commune_id,
        &check_in_id,
        ReviewDecision::Rejected,
        "  ",
        &officer(),
    )
    .unwrap_err();
    assert!(refused(err).contains("lý do không công nhận"));

    let verdict = office::review_check_in(
        &state,
        &commune_id,
        &check_in_id,
        ReviewDecision::Accepted,
        "Đồng chí họp ở điểm phụ do nhà văn hóa sửa chữa",
        &officer(),
    )
    .unwrap();
    assert_eq!(verdict.status, VerdictStatus::Verified);
    assert!(verdict
        .reasons
        .iter()
        .any(|r| r.code == VerdictCode::OutsideMeetingPlace));

    let scope = Scope::Cell(w.a.cell.id.clone());
    w.cadre_phone.pull_all(&w.srv).await;
    let seen = verdicts_for(&w.cadre_phone, &scope, &check_in_id);
    let last = seen.last().expect("the cadre pulled the verdicts");
    let review = last.review.as_ref().expect("the office's review");
    assert_eq!(review.decision, ReviewDecision::Accepted);
    assert_eq!(review.reviewer_name, "Hà Thị Lan");
    assert_eq!(
        review.note,
        "Đồng chí họp ở điểm phụ do nhà văn hóa sửa chữa"
    );
    assert_eq!(last.status, VerdictStatus::Verified);

    // The presence secret arrives afterwards: the server judges the meeting's check-ins
    // again, but the office's decision stays.
    let secret = chibo_domain::checkin::generate_presence_secret().unwrap();
    let response = w
        .secretary_a
        .push(
            &w.srv,
            vec![Change::SetPresenceSecret {
                meeting_id,
                secret_hex: hex::encode(&secret),
            }],
        )
        .await;
    assert_all_applied(&response);
    w.cadre_phone.pull_all(&w.srv).await;
    let after = verdicts_for(&w.cadre_phone, &scope, &check_in_id);
    assert_eq!(
        after.len(),
        seen.len(),
        "no automatic verdict after the review"
    );

    // A verified check-in is not the office's to review.
    let err = office::review_check_in(
        &state,
        &commune_id,
        &new_id(),
        ReviewDecision::Accepted,
        "",
        &officer(),
    )
    .unwrap_err();
    assert!(matches!(err, OfficeError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn the_office_answers_a_petition_and_the_secretary_pulls_the_answer() {
    let mut w = World::new().await;
    let petition = w.a.petition(None, meeting_start());
    let response = w
        .secretary_a
        .push(
            &w.srv,
            vec![Change::RaisePetition {
                petition: petition.clone(),
            }],
        )
        .await;
    assert_all_applied(&response);
    let state = w.srv.running.state().clone();

    let err = office::respond_to_petition(
        &state,
        &w.commune.id,
        &petition.id,
        PetitionAction::Decline,
        "",
        &officer(),
    )
    .unwrap_err();
    assert!(refused(err).contains("lý do không giải quyết kiến nghị"));

    office::respond_to_petition(
        &state,
        &w.commune.id,
        &petition.id,
        PetitionAction::Answer,
        "Xã sẽ thay đường ống trong tháng 12",
        &officer(),
    )
    .unwrap();
    // Answered then resolved is allowed; resolved is final.
    office::respond_to_petition(
        &state,
        &w.commune.id,
        &petition.id,
        PetitionAction::Resolve,
        "",
        &officer(),
    )
    .unwrap();
    let err = office::respond_to_petition(
        &state,
        &w.commune.id,
        &petition.id,
        PetitionAction::Forward,
        "",
        &officer(),
    )
    .unwrap_err();
    assert!(refused(err).contains("\"Đã giải quyết\""));

    w.secretary_a.pull_all(&w.srv).await;
    let answers: Vec<PetitionResponse> = w.secretary_a.received[&Scope::Cell(w.a.cell.id.clone())]
        .iter()
        .filter_map(|c| match &c.change {
            Change::RespondToPetition { response } => Some(response.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        answers.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![PetitionStatus::Answered, PetitionStatus::Resolved]
    );
    assert_eq!(answers[0].text, "Xã sẽ thay đường ống trong tháng 12");
    assert!(answers[0].responder.contains("Hà Thị Lan"));
    // Cell B's secretary does not get cell A's petitions.
    w.secretary_b.pull_all(&w.srv).await;
    assert!(!w
        .secretary_b
        .received
        .values()
        .flatten()
        .any(|c| matches!(c.change, Change::RespondToPetition { .. })));
}

#[tokio::test]
async fn guidance_with_an_attachment_reaches_its_cells_and_the_office_sees_who_received_it() {
    let mut w = World::new().await;
    let state = w.srv.running.state().clone();
    let pdf = b"%PDF-1.4 huong dan sinh hoat thang 11".to_vec();
    let draft = GuidanceDraft {
        kind: GuidanceKind::MonthlyGuidance,
        title: "Định hướng sinh hoạt chi bộ tháng 11/2026".into(),
        body: "Tập trung phòng chống cháy rừng.".into(),
        period: "2026-11".into(),
        cell_ids: vec![w.a.cell.id.clone()],
        attachments: vec![AttachmentUpload {
            file_name: "huong-dan-11.pdf".into(),
            media_type: "application/pdf".into(),
            bytes: pdf.clone(),
        }],
    };

    let too_big = GuidanceDraft {
        attachments: vec![AttachmentUpload {
            file_name: "phim.mp4".into(),
            media_type: "video/mp4".into(),
            bytes: vec![0; MAX_ATTACHMENT_BYTES + 1],
        }],
        ..draft.clone()
    };
    let err = office::publish_guidance(&state, &w.commune.id, too_big, &officer())
        .await
        .unwrap_err();
    assert!(refused(err).contains("phim.mp4"));
    let bad_period = GuidanceDraft {
        period: "tháng 11".into(),
        ..draft.clone()
    };
    let err = office::publish_guidance(&state, &w.commune.id, bad_period, &officer())
        .await
        .unwrap_err();
    assert!(refused(err).contains("2026-Q4"));

    let guidance = office::publish_guidance(&state, &w.commune.id, draft, &officer())
        .await
        .unwrap();
    let receipts = |w: &World| {
        let mut out = Vec::new();
        chibo_server::storage::read(&*w.srv.storage, |tx| {
            out = chibo_server::figures::guidance::guidance_receipts(tx, &w.commune.id)?;
            Ok(())
        })
        .unwrap();
        out
    };
    let before = receipts(&w);
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].1.len(), 1, "only cell A is in scope");
    assert!(!before[0].1[0].received);

    w.secretary_a.pull_all(&w.srv).await;
    let got = w.secretary_a.received[&Scope::Commune(w.commune.id.clone())]
        .iter()
        .any(
            |c| matches!(&c.change, Change::PublishGuidance { guidance: g } if g.id == guidance.id),
        );
    assert!(got);
    let after = receipts(&w);
    assert!(after[0].1[0].received, "{:?}", after[0].1);
    assert_eq!(after[0].1[0].cell_name, w.a.cell.name);

    // The secretary's phone downloads the attachment; cell B's may not.
    let sha = &guidance.attachments[0].sha256;
    let bytes = w
        .srv
        .http
        .get(w.srv.url(&format!("{BLOBS_PATH}/{sha}")))
        .bearer_auth(&w.secretary_a.credential)
        .send()
        .await
        .unwrap();
    assert_eq!(bytes.status(), StatusCode::OK);
    assert_eq!(bytes.bytes().await.unwrap().to_vec(), pdf);
    let other = w
        .srv
        .http
        .get(w.srv.url(&format!("{BLOBS_PATH}/{sha}")))
        .bearer_auth(&w.secretary_b.credential)
        .send()
        .await
        .unwrap();
    assert_ne!(other.status(), StatusCode::OK);
}

// ---------------------------------------------------------------- pages over HTTP

/// A browser signed in as a new dashboard user of the commune.
async fn browser(w: &World, username: &str, role: DashboardRole) -> reqwest::Client {
    users::create_user(
        &*w.srv.storage,
        NewUser {
            username: username.into(),
            display_name: format!("Đồng chí {username}"),
            password: "mat-khau-du-dai-2026".into(),
            role,
            commune_id: Some(w.commune.id.clone()),
            province_id: None,
        },
        w.srv.now(),
    )
    .unwrap();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client.get(w.srv.url("/login")).send().await.unwrap();
    let html = form.text().await.unwrap();
    let csrf = csrf_of(&html);
    let signed_in = client
        .post(w.srv.url("/login"))
        .form(&[
            ("username", username),
            ("password", "mat-khau-du-dai-2026"),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    client
}

fn csrf_of(html: &str) -> String {
    let start = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + "name=\"csrf\" value=\"".len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

const BOUNDARY: &str = "chibo-test-boundary-7d1f";

/// A `multipart/form-data` body as a browser sends it: text fields, then one file.
fn multipart(fields: &[(&str, &str)], file: (&str, &str, &str, &[u8])) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    let (name, file_name, media_type, bytes) = file;
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {media_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn page(client: &reqwest::Client, w: &World, path: &str) -> (StatusCode, String) {
    let r = client.get(w.srv.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_pages_act_for_an_admin_refuse_a_viewer_and_a_missing_token() {
    let mut w = World::new().await;
    let petition = w.a.petition(None, meeting_start());
    assert_all_applied(
        &w.secretary_a
            .push(
                &w.srv,
                vec![Change::RaisePetition {
                    petition: petition.clone(),
                }],
            )
            .await,
    );
    let (meeting_id, check_in_id) = far_check_in(&mut w).await;
    let base = format!("/communes/{}", w.commune.id);
    let admin = browser(&w, "vanphong", DashboardRole::CommuneAdmin).await;
    let viewer = browser(&w, "xem", DashboardRole::CommuneViewer).await;

    // The inbox shows the petition with its actions to the admin, none to the viewer.
    let (status, html) = page(&admin, &w, &format!("{base}/petitions")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Đường ống nước đầu bản bị vỡ"));
    assert!(html.contains("Không giải quyết (nêu lý do)"));
    let csrf = csrf_of(&html);
    let (_, viewer_html) = page(&viewer, &w, &format!("{base}/petitions")).await;
    assert!(viewer_html.contains("Đường ống nước đầu bản bị vỡ"));
    assert!(!viewer_html.contains("Không giải quyết (nêu lý do)"));
    let viewer_csrf = csrf_of(&viewer_html);

    let respond = format!("{base}/petitions/{}/respond", petition.id);
    let post = |client: &reqwest::Client, path: &str, fields: Vec<(&str, &str)>| {
        let request = client.post(w.srv.url(path)).form(&fields);
        async move { request.send().await.unwrap() }
    };
    let r = post(
        &viewer,
        &respond,
        vec![
            ("csrf", &viewer_csrf),
            ("action", "answer"),
            ("text", "Được"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post(
        &admin,
        &respond,
        vec![("action", "answer"), ("text", "Được")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post(
        &admin,
        &respond,
        vec![("csrf", "sai"), ("action", "answer"), ("text", "Được")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Declining without a reason: back to the page with the rule's message.
    let r = post(
        &admin,
        &respond,
        vec![("csrf", &csrf), ("action", "decline"), ("text", " ")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = page(&admin, &w, &location).await;
    assert!(html.contains("lý do không giải quyết kiến nghị"), "{html}");
    assert!(html.contains("Chi bộ tiếp nhận") || html.contains("chi bộ tiếp nhận"));

    let r = post(
        &admin,
        &respond,
        vec![
            ("csrf", &csrf),
            ("action", "answer"),
            ("text", "Xã sẽ sửa trong tháng 12"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = page(&admin, &w, &location).await;
    assert!(html.contains("Đã gửi trả lời kiến nghị tới chi bộ"));
    assert!(html.contains("Xã sẽ sửa trong tháng 12"));
    assert!(html.contains("Đã trả lời"));
    // The status filter finds it under "answered" and not under "raised".
    let (_, answered) = page(&admin, &w, &format!("{base}/petitions?status=answered")).await;
    let anchor = format!("id=\"petition-{}\"", petition.id);
    assert!(answered.contains(&anchor));
    let (_, raised) = page(&admin, &w, &format!("{base}/petitions?status=raised")).await;
    assert!(!raised.contains(&anchor));

    // The cadres page lists the far check-in for review with its distance, then the
    // decision.
    let (status, html) = page(&admin, &w, &format!("{base}/cadres?year=2026")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Nguyễn Văn Thành"));
    assert!(html.contains("Lượt điểm danh cần xem xét (1)"), "{html}");
    // This year's table offers the year before, not the one to come.
    assert!(html.contains("← Năm 2025"));
    assert!(!html.contains("Năm 2027"));
    let (_, overview) = page(&admin, &w, &format!("{base}?month=2026-11")).await;
    assert!(overview.contains("Check-in cần xem xét (1)"), "{overview}");
    assert!(html.contains("Khoảng cách tới nơi họp"));
    let review = format!("{base}/check-ins/{check_in_id}/review");
    let r = post(
        &viewer,
        &review,
        vec![("csrf", &viewer_csrf), ("decision", "accept")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post(
        &admin,
        &review,
        vec![
            ("csrf", &csrf),
            ("decision", "reject"),
            ("note", "Ảnh chụp ở nơi khác"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&admin, &w, &format!("{base}/cadres?year=2026")).await;
    assert!(html.contains("Lượt điểm danh cần xem xét (0)"));
    assert!(html.contains("Văn phòng không công nhận"));
    assert!(html.contains("Ảnh chụp ở nơi khác"));
    // Rejected, it waits no more: not on the overview's list, and the meeting says why.
    let (_, overview) = page(&admin, &w, &format!("{base}?month=2026-11")).await;
    assert!(overview.contains("Check-in cần xem xét (0)"), "{overview}");
    let (_, html) = page(&admin, &w, &format!("{base}/meetings/{meeting_id}")).await;
    assert!(html.contains("Văn phòng không công nhận"), "{html}");
    assert!(html.contains("Ảnh chụp ở nơi khác"));

    // Guidance: a multipart post with the token, then the list shows it not yet received.
    let (_, html) = page(&admin, &w, &format!("{base}/guidance")).await;
    assert!(html.contains("Soạn văn bản mới"));
    let (_, viewer_html) = page(&viewer, &w, &format!("{base}/guidance")).await;
    assert!(!viewer_html.contains("Soạn văn bản mới"));
    let form = |csrf: &str, bytes: Vec<u8>| {
        multipart(
            &[
                ("csrf", csrf),
                ("kind", "thematic_topic"),
                ("period", "2026-Q4"),
                (
                    "title",
                    "Chuyên đề quý IV: học tập và làm theo tư tưởng Hồ Chí Minh",
                ),
                ("body", "Các chi bộ sinh hoạt chuyên đề trong tháng 12."),
                ("target", "all"),
            ],
            (
                "attachments",
                "chuyen-de-quy-4.pdf",
                "application/pdf",
                &bytes,
            ),
        )
    };
    let r = admin
        .post(w.srv.url(&format!("{base}/guidance")))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(form("sai", b"%PDF".to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = admin
        .post(w.srv.url(&format!("{base}/guidance")))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(form(&csrf, vec![7; MAX_ATTACHMENT_BYTES + 10]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = page(&admin, &w, &location).await;
    assert!(html.contains("quá giới hạn"), "{html}");
    let r = admin
        .post(w.srv.url(&format!("{base}/guidance")))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(form(&csrf, b"%PDF-1.4 chuyen de".to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&admin, &w, &format!("{base}/guidance")).await;
    assert!(html.contains("Chuyên đề quý IV"));
    assert!(html.contains("Chưa nhận (2)"), "{html}");
    w.secretary_b.pull_all(&w.srv).await;
    let (_, html) = page(&admin, &w, &format!("{base}/guidance")).await;
    assert!(
        html.contains("Đã nhận (1):</strong> Chi bộ bản Co Muông"),
        "{html}"
    );
    // The attachment downloads from the page.
    let href_start = html.find("/attachments/").unwrap();
    let link_start = html[..href_start].rfind("href=\"").unwrap() + 6;
    let link = &html[link_start..link_start + html[link_start..].find('"').unwrap()];
    let file = admin.get(w.srv.url(link)).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert_eq!(file.bytes().await.unwrap().as_ref(), b"%PDF-1.4 chuyen de");
}

#[tokio::test]
async fn the_petitions_inbox_pages_newest_first_and_an_answer_returns_to_the_same_page() {
    let mut w = World::new().await;
    // 30 petitions of cell A, one a day from 1 October, the newest last.
    let petitions: Vec<Petition> = (0..30)
        .map(|day| {
            let mut p = w.a.petition(None, at(2026, 10, 1, 8, 0) + day * DAY);
            p.content = format!("Kiến nghị số {}", day + 1);
            p
        })
        .collect();
    let changes = petitions
        .iter()
        .map(|p| Change::RaisePetition {
            petition: p.clone(),
        })
        .collect();
    assert_all_applied(&w.secretary_a.push(&w.srv, changes).await);
    let base = format!("/communes/{}", w.commune.id);
    let admin = browser(&w, "vanphong", DashboardRole::CommuneAdmin).await;
    let articles = |html: &str| html.matches("<article class=\"petition\"").count();

    let (status, first) = page(&admin, &w, &format!("{base}/petitions")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(first.contains("30 kiến nghị"));
    assert_eq!(articles(&first), 25);
    assert!(first.contains("Kiến nghị số 30"), "the newest first");
    assert!(!first.contains("Kiến nghị số 5<"));
    assert!(first.contains("Trang 1/2"));
    assert!(first.contains("?page=2\" rel=\"next\""), "{first}");

    let (_, second) = page(&admin, &w, &format!("{base}/petitions?page=2")).await;
    assert_eq!(articles(&second), 5);
    assert!(second.contains("Kiến nghị số 1<"));
    assert!(second.contains("rel=\"prev\""));
    // Past the end: the last page.
    let (_, beyond) = page(&admin, &w, &format!("{base}/petitions?page=9")).await;
    assert_eq!(articles(&beyond), 5);

    // Answering one on page 2, filtered by cell, comes back to page 2 of that cell.
    let csrf = csrf_of(&second);
    let cell = w.a.cell.id.clone();
    let r = admin
        .post(
            w.srv
                .url(&format!("{base}/petitions/{}/respond", petitions[0].id)),
        )
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "answer"),
            ("text", "Xã đã giao thôn kiểm tra"),
            ("cell", cell.as_str()),
            ("page", "2"),
            ("status", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with(&format!("{base}/petitions?cell={cell}&page=2&done=")),
        "{location}"
    );
    let (_, back) = page(&admin, &w, &location).await;
    assert!(back.contains("Xã đã giao thôn kiểm tra"));
}

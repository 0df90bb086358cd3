//! The meeting page as the office reads it: the minutes, both quality scores, the photos
//! (thumbnail smaller than the photo, another commune's photo not reachable, a damaged
//! photo shown as a placeholder) — real server, real HTTP, real SQLite.

mod dashboard_browser;
mod support;

use reqwest::StatusCode;

use chibo_domain::change::Change;
use chibo_domain::labels::Label;
use chibo_domain::model::{new_id, JudgedScores, Observation, PhotoAttachment};
use chibo_domain::rules;
use chibo_server::accounts::users::DashboardRole;
use chibo_server::docs::CommuneDocs;
use chibo_server::figures::reports::MeetingInputs;
use chibo_server::storage;
use dashboard_browser::*;
use support::*;

const PHOTO: &[u8] = include_bytes!("fixtures/photos/landscape_1.jpg");

/// The secretary of A uploads `bytes` (so cell A holds them).
async fn publish(w: &World, bytes: &[u8]) -> String {
    w.srv.upload_photo(&w.secretary_a, bytes).await
}

fn attach(sha: &str, meeting_id: &str, at: i64) -> Change {
    Change::AttachPhoto {
        photo: PhotoAttachment {
            sha256: sha.to_string(),
            meeting_id: Some(meeting_id.to_string()),
            check_in_id: None,
            width: 1800,
            height: 1200,
            byte_size: 1000,
            attached_at: at,
        },
    }
}

#[tokio::test]
async fn the_meeting_page_reads_as_minutes_with_both_scores_and_its_photos() {
    let mut w = World::new().await;
    let start = meeting_start();
    let meeting_id = w.record_meeting_a(start).await;
    let good = publish(&w, PHOTO).await;
    let broken = publish(&w, &PHOTO[..PHOTO.len() / 3]).await;
    let response = w
        .secretary_a
        .push(
            &w.srv,
            vec![
                attach(&good, &meeting_id, start + 10 * MINUTE),
                attach(&broken, &meeting_id, start + 20 * MINUTE),
            ],
        )
        .await;
    assert_all_applied(&response);
    let cadre_marks = JudgedScores {
        regular_content: 6,
        chairing: 7,
        ..support::judged()
    };
    let response = w
        .cadre_phone
        .push(
            &w.srv,
            vec![Change::RecordObservation {
                observation: Observation {
                    id: new_id(),
                    meeting_id: meeting_id.clone(),
                    cadre_id: w.cadre.id.clone(),
                    judged: cadre_marks.clone(),
                    guidance_given: "Cần chuẩn bị kỹ nội dung chuyên đề".into(),
                    lessons_exchanged: "Phát huy vai trò đảng viên trẻ".into(),
                    recorded_at: start + 150 * MINUTE,
                },
            }],
        )
        .await;
    assert_all_applied(&response);

    // The figures the page must show, from the rules.
    let (secretary, cadre) = storage::read(&*w.srv.storage, |tx| {
        let docs = CommuneDocs::new(tx, &w.commune.id);
        let inputs = MeetingInputs::of_meeting(&docs, &meeting_id)?.unwrap();
        let ctx = inputs.ctx();
        Ok((
            rules::assess_meeting(&ctx).quality,
            rules::quality_score(&ctx, Some(&cadre_marks)),
        ))
    })
    .unwrap();
    assert_ne!(
        secretary.total, cadre.total,
        "the two scores must be told apart"
    );

    user(
        &*w.srv.storage,
        "vanphong",
        DashboardRole::CommuneViewer,
        &w.commune.id,
        w.srv.now(),
    );
    let browser = Browser::signed_in(&w.srv.base, "vanphong").await;
    let base = format!("/communes/{}", w.commune.id);
    let page = browser.get(&format!("{base}/meetings/{meeting_id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    // The absent member with the reason, the speakers.
    assert!(html.contains("Vắng có lý do"), "{html}");
    assert!(html.contains("Lò Văn Sơn (Đi làm ăn xa)"), "{html}");
    for speaker in ["Cà Văn Bình", "Sa Văn Tú", "Điêu Thị Hoa"] {
        assert!(
            html.contains(&format!("<strong>{speaker}</strong>")),
            "{speaker}"
        );
    }
    assert!(html.contains("Thông qua nghị quyết tháng 11"));
    assert!(html.contains("Đường ống nước đầu bản bị vỡ"));
    // Both scores, each with its grade.
    assert!(html.contains(&format!(
        "{}/100 điểm</strong> – xếp loại <strong>{}",
        secretary.total,
        secretary.grade.label()
    )));
    assert!(html.contains(&format!(
        "{}/100 điểm</strong> – xếp loại <strong>{}",
        cadre.total,
        cadre.grade.label()
    )));
    assert!(html.contains("Nguyễn Văn Thành"));
    assert!(html.contains("Cần chuẩn bị kỹ nội dung chuyên đề"));
    // Not signed: no document downloads offered.
    assert!(!html.contains("minutes.docx"));

    // Thumbnails link to the full photo; the thumbnail is a smaller JPEG.
    let full_url = format!("{base}/photos/{good}");
    let thumb_url = format!("{full_url}/thumb");
    assert!(html.contains(&format!("href=\"{full_url}\"")), "{html}");
    assert!(html.contains(&format!("src=\"{thumb_url}\"")));
    let full = browser.get(&full_url).await;
    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(full.content_type, "image/jpeg");
    assert_eq!(full.bytes, PHOTO);
    let thumb = browser.get(&thumb_url).await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert_eq!(thumb.content_type, "image/jpeg");
    assert_eq!(&thumb.bytes[..3], &[0xFF, 0xD8, 0xFF]);
    assert!(
        thumb.bytes.len() * 4 < PHOTO.len(),
        "{} bytes",
        thumb.bytes.len()
    );
    // Made once, then served from the cache.
    let cached = w
        .srv
        .config
        .data_dir
        .join("thumbs")
        .join(&good[0..2])
        .join(format!("{good}.jpg"));
    assert_eq!(std::fs::read(&cached).unwrap(), thumb.bytes);
    assert_eq!(browser.get(&thumb_url).await.bytes, thumb.bytes);

    // A damaged photo: a clear placeholder, not a server error.
    let damaged = browser.get(&format!("{base}/photos/{broken}/thumb")).await;
    assert_eq!(damaged.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(damaged.content_type.starts_with("image/svg+xml"));
    assert!(damaged.text().contains("Ảnh bị hỏng"));

    // A photo nobody in this commune referenced, and a made-up hash: not found.
    let stranger = publish(&w, b"not referenced by any record").await;
    assert_eq!(
        browser
            .get(&format!("{base}/photos/{stranger}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser
            .get(&format!("{base}/photos/..%2Fchibo.db"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_viewer_of_another_commune_cannot_reach_the_photo_or_the_meeting_by_url() {
    let mut w = World::new().await;
    let meeting_id = w.record_meeting_a(meeting_start()).await;
    let good = publish(&w, PHOTO).await;
    let response = w
        .secretary_a
        .push(&w.srv, vec![attach(&good, &meeting_id, meeting_start())])
        .await;
    assert_all_applied(&response);
    let other = w.srv.commune("Đảng bộ xã Mường Bú").await;
    user(
        &*w.srv.storage,
        "muongbu",
        DashboardRole::CommuneAdmin,
        &other.id,
        w.srv.now(),
    );
    let browser = Browser::signed_in(&w.srv.base, "muongbu").await;

    let theirs = format!("/communes/{}", w.commune.id);
    let own = format!("/communes/{}", other.id);
    for path in [
        format!("{theirs}/meetings/{meeting_id}"),
        format!("{theirs}/photos/{good}"),
        format!("{theirs}/photos/{good}/thumb"),
        // Under their own commune's path the photo is not theirs either.
        format!("{own}/photos/{good}"),
        format!("{own}/photos/{good}/thumb"),
        format!("{own}/meetings/{meeting_id}"),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.bytes.starts_with(&[0xFF, 0xD8]), "{path}");
    }
}

#[tokio::test]
async fn a_meeting_written_under_a_clock_three_days_behind_says_so_with_the_corrected_time() {
    // A phone whose clock ran three days behind recorded the meeting: the record keeps
    // the phone's times, the office sees that they are, and the time they really were.
    let mut w = World::new().await;
    w.secretary_a.clock_offset_ms = -3 * DAY;
    let meeting_id = new_id();
    let phone_start = meeting_start() - 3 * DAY;
    let response = w
        .secretary_a
        .push(&w.srv, w.a.meeting_changes(&meeting_id, phone_start))
        .await;
    assert_all_applied(&response);
    user(
        &*w.srv.storage,
        "vanphong",
        DashboardRole::CommuneViewer,
        &w.commune.id,
        w.srv.now(),
    );
    let browser = Browser::signed_in(&w.srv.base, "vanphong").await;
    let page = browser
        .get(&format!("/communes/{}/meetings/{meeting_id}", w.commune.id))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(html.contains("đồng hồ chậm hơn máy chủ 3 ngày"), "{html}");
    assert!(
        html.contains("19:30 24/11/2026"),
        "the corrected start: {html}"
    );

    // The office's JSON says the same beside the phone's time.
    let path = chibo_server::web::api::COMMUNE_MEETINGS_PATH.replace("{commune_id}", &w.commune.id);
    let rows: Vec<chibo_server::figures::reports::MeetingRow> = w
        .srv
        .get(&path, Some(&w.commune.office.credential))
        .await
        .json();
    let row = rows.iter().find(|r| r.meeting_id == meeting_id).unwrap();
    assert_eq!(row.started_at, phone_start);
    let corrected = row.corrected_started_at.expect("a corrected start");
    assert!((corrected - meeting_start()).abs() < MINUTE, "{row:?}");
}

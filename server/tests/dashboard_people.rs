//! People and devices: the office sees who is registered and which phones sync, issues an
//! enrolment code (short code and QR) that a phone enrols with, and revokes a phone whose
//! next sync is then refused.

mod dashboard_browser;
mod support;

use reqwest::StatusCode;

use chibo_server::accounts::users::DashboardRole;
use dashboard_browser::*;
use support::*;

#[tokio::test]
async fn the_office_issues_a_code_a_phone_enrols_with_it_and_a_revoked_phone_is_refused() {
    let w = World::new().await;
    user(
        &*w.srv.storage,
        "admin",
        DashboardRole::CommuneAdmin,
        &w.commune.id,
        w.srv.now(),
    );
    let browser = Browser::signed_in(&w.srv.base, "admin").await;
    let base = format!("/communes/{}", w.commune.id);

    let people = browser.get(&format!("{base}/people")).await;
    assert_eq!(people.status, StatusCode::OK, "{}", people.text());
    let html = people.text();
    assert!(html.contains("Bí thư Chi bộ bản Nà Hẩu"), "{html}");
    assert!(html.contains("Lò Thị Xuân"));
    assert!(html.contains("Nguyễn Văn Thành"));
    assert!(html.contains("1 lần mỗi tháng cho mỗi chi bộ được phân công"));
    assert!(
        html.contains(&escaped("Điện thoại của Lò Văn Hùng")),
        "{html}"
    );

    // Register a new secretary through the form, then issue their code.
    let created = browser
        .submit(
            &people,
            &format!("{base}/people"),
            &[
                ("full_name", "Quàng Văn Mạnh"),
                ("role", "secretary"),
                ("cell_id", &w.b.cell.id),
                ("cadre_id", ""),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text());
    let html = created.text();
    assert!(html.contains("Đã đăng ký Quàng Văn Mạnh"));
    let persons =
        chibo_server::accounts::enrolment::list_persons(&*w.srv.storage, &w.commune.id).unwrap();
    let manh = persons
        .iter()
        .find(|p| p.full_name == "Quàng Văn Mạnh")
        .unwrap();
    let code_page = browser
        .submit(&created, &format!("{base}/people/{}/codes", manh.id), &[])
        .await;
    assert_eq!(code_page.status, StatusCode::OK, "{}", code_page.text());
    let html = code_page.text();
    assert!(html.contains("<svg"), "{html}");
    assert!(html.contains("Mã QR đăng ký thiết bị"));
    let marker = "id=\"enroll-code\">";
    let start = html.find(marker).unwrap() + marker.len();
    let shown = &html[start..start + html[start..].find('<').unwrap()];
    let code: String = shown.chars().filter(|c| !c.is_whitespace()).collect();
    assert!((6..=12).contains(&code.len()), "{shown:?}");

    // The phone enrols with the code as the person reads it out.
    let mut phone = w.srv.enroll(shown, "Điện thoại của Quàng Văn Mạnh").await;
    assert_eq!(phone.person.full_name, "Quàng Văn Mạnh");
    phone.push(&w.srv, vec![]).await;
    let html = browser.get(&format!("{base}/people")).await.text();
    assert!(html.contains(&escaped("Điện thoại của Quàng Văn Mạnh")));

    // Revoke: the first post asks again, the confirmation revokes.
    let action = format!("{base}/devices/{}/revoke", phone.id);
    let people = browser.get(&format!("{base}/people")).await;
    let ask = browser.submit(&people, &action, &[]).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.text().contains("Thu hồi thiết bị"));
    let sync = phone.request(&w.srv, vec![]);
    assert_eq!(
        phone.sync_reply(&w.srv, &sync).await.status,
        StatusCode::OK,
        "not yet revoked"
    );
    let done = browser.submit(&ask, &action, &[("confirm", "yes")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let after = browser.get(done.location.as_deref().unwrap()).await.text();
    assert!(after.contains("Đã thu hồi thiết bị"));
    assert!(after.contains("Đã thu hồi lúc"));
    phone
        .sync_reply(&w.srv, &phone.request(&w.srv, vec![]))
        .await
        .error(StatusCode::UNAUTHORIZED, "revoked");
}

#[tokio::test]
async fn a_viewer_sees_people_and_devices_but_cannot_issue_codes_or_revoke() {
    let w = World::new().await;
    user(
        &*w.srv.storage,
        "xem",
        DashboardRole::CommuneViewer,
        &w.commune.id,
        w.srv.now(),
    );
    let browser = Browser::signed_in(&w.srv.base, "xem").await;
    let base = format!("/communes/{}", w.commune.id);
    let people = browser.get(&format!("{base}/people")).await;
    assert_eq!(people.status, StatusCode::OK);
    let html = people.text();
    assert!(html.contains("Lò Văn Hùng"));
    assert!(!html.contains("Cấp mã đăng ký"));
    assert!(!html.contains("Thu hồi…"));
    let person = &w.secretary_a.person.id;
    let refused = browser
        .submit(&people, &format!("{base}/people/{person}/codes"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = browser
        .submit(
            &people,
            &format!("{base}/devices/{}/revoke", w.secretary_a.id),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut phone = w.secretary_a;
    phone.push(&w.srv, vec![]).await;
}

//! Downloads: a signed meeting's minutes and resolution (DOCX, opened and read back), an
//! unsigned one refused with a clear message, and the monthly report (XLSX, opened and
//! compared with the dashboard's figures).

mod dashboard_browser;
mod support;

use std::io::Read;

use reqwest::StatusCode;

use chibo_domain::change::Change;
use chibo_server::accounts::users::DashboardRole;
use chibo_server::docs::CommuneDocs;
use chibo_server::figures::months;
use chibo_server::storage;
use chibo_server::web::dashboard::exports::HEADER_ROW;
use dashboard_browser::*;
use support::*;

fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    let mut file = archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("no {name}"));
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    text
}

/// The value written in cell `reference` (e.g. "E4") of a worksheet's XML.
fn value(sheet: &str, reference: &str) -> Option<String> {
    let at = sheet.find(&format!("r=\"{reference}\""))?;
    // A blank cell is an empty element.
    if sheet[at..at + sheet[at..].find('>')?].ends_with('/') {
        return None;
    }
    let cell = &sheet[at..at + sheet[at..].find("</c>")?];
    let start = cell.find("<v>")? + 3;
    Some(cell[start..start + cell[start..].find("</v>")?].to_string())
}

#[tokio::test]
async fn a_signed_meeting_downloads_as_minutes_and_resolution_an_unsigned_one_does_not() {
    let mut w = World::new().await;
    let start = meeting_start();
    let signed = w.record_meeting_a(start).await;
    let response = w
        .secretary_a
        .push(
            &w.srv,
            vec![Change::SignMeeting {
                meeting_id: signed.clone(),
                signature: w.a.signature(start + 125 * MINUTE),
            }],
        )
        .await;
    assert_all_applied(&response);
    let unsigned = w.record_meeting_a(start - 30 * DAY).await;
    user(
        &*w.srv.storage,
        "vanphong",
        DashboardRole::CommuneViewer,
        &w.commune.id,
        w.srv.now(),
    );
    let browser = Browser::signed_in(&w.srv.base, "vanphong").await;
    let base = format!("/communes/{}/meetings", w.commune.id);

    let page = browser.get(&format!("{base}/{signed}")).await.text();
    assert!(page.contains(&format!("{base}/{signed}/minutes.docx")));
    assert!(page.contains(&format!("{base}/{signed}/resolution.docx")));

    let minutes = browser.get(&format!("{base}/{signed}/minutes.docx")).await;
    assert_eq!(minutes.status, StatusCode::OK, "{}", minutes.text());
    assert_eq!(minutes.content_type, chibo_documents::DOCX_MIME_TYPE);
    let text = part(&minutes.bytes, "word/document.xml");
    assert!(text.contains("BIÊN BẢN"), "{text}");
    assert!(text.contains("Nà Hẩu"));
    assert!(text.contains("Lò Văn Sơn"));
    let resolution = browser
        .get(&format!("{base}/{signed}/resolution.docx"))
        .await;
    assert_eq!(resolution.status, StatusCode::OK);
    let text = part(&resolution.bytes, "word/document.xml");
    assert!(text.contains("NGHỊ QUYẾT"), "{text}");
    assert!(text.contains("Chi bộ thống nhất nghị quyết tháng 11."));

    let refused = browser
        .get(&format!("{base}/{unsigned}/minutes.docx"))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.text().contains("chưa được ký"));
    assert_eq!(
        browser
            .get(&format!("{base}/khong-co/minutes.docx"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_monthly_report_has_a_row_per_cell_and_per_cadre_equal_to_the_figures() {
    let mut w = World::new().await;
    w.record_meeting_a(meeting_start()).await;
    user(
        &*w.srv.storage,
        "vanphong",
        DashboardRole::CommuneViewer,
        &w.commune.id,
        w.srv.now(),
    );
    let browser = Browser::signed_in(&w.srv.base, "vanphong").await;

    let file = browser
        .get(&format!("/communes/{}/reports/2026-11.xlsx", w.commune.id))
        .await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.text());
    assert_eq!(
        file.content_type,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = browser
        .http
        .get(format!(
            "{}/communes/{}/reports/2026-11.xlsx",
            w.srv.base, w.commune.id
        ))
        .send()
        .await
        .unwrap()
        .headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains("filename=\"bao-cao-2026-11.xlsx\""),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''B%C3%A1o%20c%C3%A1o"),
        "{disposition}"
    );

    let report = storage::read(&*w.srv.storage, |tx| {
        months::monthly_report_at(&CommuneDocs::new(tx, &w.commune.id), 2026, 11, w.srv.now())
    })
    .unwrap();
    assert_eq!(report.cells.len(), 2);
    let workbook = part(&file.bytes, "xl/workbook.xml");
    assert!(workbook.contains("name=\"Chi bộ\""), "{workbook}");
    assert!(workbook.contains("name=\"Cán bộ\""));
    let strings = part(&file.bytes, "xl/sharedStrings.xml");
    assert!(strings.contains("Sinh hoạt chi bộ tháng 11/2026 – Đảng bộ xã Xuân Hòa"));
    let cells = part(&file.bytes, "xl/worksheets/sheet1.xml");
    // The title, the header, one row per cell.
    assert_eq!(
        cells.matches("<row ").count(),
        2 + report.cells.len(),
        "{cells}"
    );
    for (i, c) in report.cells.iter().enumerate() {
        let row = HEADER_ROW + 2 + i as u32;
        assert!(strings.contains(&c.cell_name));
        let number = |col: char| value(&cells, &format!("{col}{row}"));
        let expect = |n: u32| c.met.then(|| n.to_string());
        assert_eq!(number('E'), expect(c.present), "{}", c.cell_name);
        assert_eq!(number('F'), expect(c.expected), "{}", c.cell_name);
        assert_eq!(number('D'), c.duration_minutes.map(|d| d.to_string()));
        assert_eq!(number('K'), Some(c.petitions_raised.to_string()));
        assert_eq!(number('L'), Some(c.petitions_resolved.to_string()));
    }
    let met = report.cells.iter().find(|c| c.met).expect("cell A met");
    // Twelve members: one away with a reason, one exempt, one attached elsewhere.
    assert_eq!((met.present, met.expected), (9, 10));
    let cadres = part(&file.bytes, "xl/worksheets/sheet2.xml");
    assert_eq!(cadres.matches("<row ").count(), 2 + report.cadres.len());
    for (i, c) in report.cadres.iter().enumerate() {
        let row = HEADER_ROW + 2 + i as u32;
        assert!(strings.contains(&c.name));
        assert_eq!(
            value(&cadres, &format!("D{row}")),
            Some(c.required.to_string())
        );
        assert_eq!(value(&cadres, &format!("E{row}")), Some(c.done.to_string()));
    }
    assert_eq!(
        browser
            .get(&format!("/communes/{}/reports/2026-13.xlsx", w.commune.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

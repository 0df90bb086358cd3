//! The phone's share sheet gets the same DOCX the dashboard serves, from the record on
//! the device, and only once the minutes are signed.

mod store_support;

use std::io::{Cursor, Read};
use std::sync::Arc;

use chibo_core::ffi::{ChiboError, ChiboStore};
use chibo_core::keystore::FileKeystore;
use chibo_domain::change::Change;
use chibo_domain::*;
use store_support::*;

fn document_xml(docx: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(docx)).expect("a DOCX is a zip");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[test]
fn a_signed_meeting_is_shared_as_minutes_and_resolution() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chibo.db");
    // The phone's store is encrypted; the plain one written below is encrypted on open.
    let keystore = Arc::new(FileKeystore::open_at(&dir.path().join("device.key")).unwrap());
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let mut plan = Plan::new(&fx, start);
    plan.roll_call = fx.roll_call(&[(6, Attendance::AbsentExcused)]);
    plan.tasks = vec![(2, CalendarDate::from_ymd(2026, 4, 15).unwrap())];
    {
        let mut store = fx.store(&path, start - 10 * DAY);
        store.apply_all(record_changes(&fx, &plan), start).unwrap();
    }

    let phone = ChiboStore::open(path.to_string_lossy().into_owned(), keystore.clone()).unwrap();
    // Recorded but not signed: the minutes may still change, so no official file yet.
    for result in [
        phone.minutes_docx(plan.meeting_id.clone()),
        phone.resolution_docx(plan.meeting_id.clone()),
    ] {
        match result {
            Err(ChiboError::Validation(message)) => {
                assert!(message.contains("chưa ký biên bản"), "{message}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    assert!(matches!(
        phone.minutes_docx(new_id()),
        Err(ChiboError::NotFound(_))
    ));

    {
        let mut store = chibo_core::store::Store::open_encrypted(&path, keystore.as_ref()).unwrap();
        store
            .apply(
                Change::SignMeeting {
                    meeting_id: plan.meeting_id.clone(),
                    signature: signature(&fx, start + 3 * 60 * MINUTE),
                },
                start + 3 * 60 * MINUTE,
            )
            .unwrap();
    }
    let phone = ChiboStore::open(path.to_string_lossy().into_owned(), keystore.clone()).unwrap();
    let minutes = document_xml(&phone.minutes_docx(plan.meeting_id.clone()).unwrap());
    for expected in [
        "CHI BỘ BẢN NÀ HẨU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BIÊN BẢN SINH HOẠT CHI BỘ THÁNG 03/2026",
        "Tòng Thị Lan (",
        "Nguyễn Văn Thành",
        "Lò Văn Hùng",
        "Quàng Thị Mai",
        "Nghị quyết số 03-NQ/CB:",
    ] {
        assert!(
            minutes.contains(expected),
            "{expected} missing from the minutes"
        );
    }
    let resolution = document_xml(&phone.resolution_docx(plan.meeting_id.clone()).unwrap());
    for expected in [
        "Số 03-NQ/CB",
        "NGHỊ QUYẾT",
        "NHIỆM VỤ THÁNG 04/2026",
        "15/04/2026",
        "Đồng chí Nguyễn Văn Thành",
        "T/M CHI BỘ",
        "BÍ THƯ",
    ] {
        assert!(
            resolution.contains(expected),
            "{expected} missing from the resolution"
        );
    }
    assert!(!resolution.contains("Số Số"));
}

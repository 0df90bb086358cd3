//! Photos after their records, through tus 1.0 against the scripted fake server:
//! chunks, resuming from the server's offset after an app restart, a
//! lost upload started again, damaged or missing files on the needs-attention list.

mod sync_support;

use chibo_core::sync::AttentionKind;
use sync_support::*;

const CHUNK: usize = 64 * 1024;

fn patches(calls: &[TusCall]) -> Vec<(u64, usize)> {
    calls
        .iter()
        .filter_map(|c| match c {
            TusCall::Patch { offset, len, .. } => Some((*offset, *len)),
            _ => None,
        })
        .collect()
}

fn creations(calls: &[TusCall]) -> usize {
    calls
        .iter()
        .filter(|c| matches!(c, TusCall::Create { .. }))
        .count()
}

#[test]
fn a_photo_follows_its_record_in_chunks() {
    let server = FakeServer::start();
    let device = Device::secretary(1);
    let bytes = photo_bytes(3 * CHUNK + 1000, 1);
    let sha256 = device.attach_photo(&bytes);
    device.enroll(&server);
    assert_eq!(device.engine.status().unwrap().pending_photos, 1);

    let report = device.engine.sync_now().unwrap();

    assert_eq!(report.photos_uploaded, 1);
    assert_eq!(report.pending_photos, 0);
    assert!(report.complete);
    let fake = server.state();
    assert!(
        fake.bad_tus_headers.is_empty(),
        "{:?}",
        fake.bad_tus_headers
    );
    assert_eq!(
        fake.tus_calls[0],
        TusCall::Create {
            length: bytes.len() as u64,
            sha256: sha256.clone()
        }
    );
    assert_eq!(
        patches(&fake.tus_calls),
        [
            (0, CHUNK),
            (CHUNK as u64, CHUNK),
            (2 * CHUNK as u64, CHUNK),
            (3 * CHUNK as u64, 1000)
        ]
    );
    assert_eq!(
        fake.blobs.get(&sha256),
        Some(&bytes),
        "the server has the file"
    );
    // The record that references the photo went first.
    assert!(fake
        .settled
        .iter()
        .any(|p| p.change.entity() == ("photo", sha256.as_str())));
    drop(fake);
    assert_eq!(device.engine.status().unwrap().pending_photos, 0);

    // Uploaded once: the next sync sends nothing.
    device.engine.sync_now().unwrap();
    assert_eq!(server.state().tus_calls.len(), 5);
}

#[test]
fn an_upload_cut_off_resumes_from_the_servers_offset_after_an_app_restart() {
    let server = FakeServer::start();
    let device = Device::secretary(1);
    let bytes = photo_bytes(4 * CHUNK + 123, 2);
    let sha256 = device.attach_photo(&bytes);
    device.enroll(&server);
    {
        // POST, PATCH 1 fine; PATCH 2 is stored but its answer lost; then the server
        // is down for every HEAD the engine tries.
        let mut fake = server.state();
        fake.tus_script
            .extend([None, None, Some(TusCanned::CutAfterStoring)]);
        fake.tus_script
            .extend((0..4).map(|_| Some(TusCanned::Status(503))));
    }

    let report = device.engine.sync_now().unwrap();

    // The records went through; the photo waits, and the status says why.
    assert_eq!(report.pushed, 4);
    assert_eq!(report.photos_uploaded, 0);
    assert_eq!(report.pending_photos, 1);
    let photo_error = report.photo_error.clone().unwrap();
    assert!(photo_error.contains("sự cố (mã 503)"), "{photo_error}");
    assert!(report.summary.contains("Còn 1 ảnh chưa gửi"));
    let status = device.engine.status().unwrap();
    assert_eq!(status.last_error, Some(photo_error));
    assert_eq!(status.pending_photos, 1);
    assert!(status.last_success_at.is_some(), "the records did sync");

    // The app is killed and started again; the server is back.
    let device = device.restart(test_config());
    let report = device.engine.sync_now().unwrap();

    assert_eq!(report.photos_uploaded, 1);
    let fake = server.state();
    assert_eq!(
        creations(&fake.tus_calls),
        1,
        "the stored upload URL was reused"
    );
    let after_restart: Vec<&TusCall> = fake.tus_calls[7..].iter().collect();
    assert!(
        matches!(after_restart[0], TusCall::Head { .. }),
        "resuming asks the server first: {after_restart:?}"
    );
    // The device had noted one chunk; the server had two: it goes on from two.
    assert_eq!(
        patches(&fake.tus_calls[7..]),
        [
            (2 * CHUNK as u64, CHUNK),
            (3 * CHUNK as u64, CHUNK),
            (4 * CHUNK as u64, 123)
        ]
    );
    assert_eq!(fake.blobs.get(&sha256), Some(&bytes));
    drop(fake);
    let status = device.engine.status().unwrap();
    assert_eq!((status.pending_photos, status.last_error), (0, None));
}

#[test]
fn an_upload_the_server_lost_is_started_again() {
    let server = FakeServer::start();
    let device = Device::secretary(1);
    let bytes = photo_bytes(2 * CHUNK + 5, 3);
    let sha256 = device.attach_photo(&bytes);
    device.enroll(&server);
    // The first chunk's answer is lost, and the server forgets the upload (a restart).
    server
        .state()
        .tus_script
        .extend([None, Some(TusCanned::CutAfterStoring)]);
    let mut config = test_config();
    config.retry.max_attempts = 1;
    let device = device.with_config(config);
    device.engine.sync_now().unwrap();
    server.state().uploads.clear();

    let device = device.restart(test_config());
    let report = device.engine.sync_now().unwrap();

    assert_eq!(report.photos_uploaded, 1);
    let fake = server.state();
    assert_eq!(
        creations(&fake.tus_calls),
        2,
        "a 404 on HEAD starts a new upload"
    );
    assert_eq!(fake.blobs.get(&sha256), Some(&bytes));
}

#[test]
fn a_chunk_damaged_on_the_way_is_sent_again() {
    let server = FakeServer::start();
    let device = Device::secretary(1);
    let bytes = photo_bytes(CHUNK + 10, 4);
    let sha256 = device.attach_photo(&bytes);
    device.enroll(&server);
    server
        .state()
        .tus_script
        .extend([None, None, Some(TusCanned::ChecksumMismatch)]);

    let report = device.engine.sync_now().unwrap();

    assert_eq!(report.photos_uploaded, 1);
    let fake = server.state();
    assert_eq!(
        patches(&fake.tus_calls),
        [(0, CHUNK), (CHUNK as u64, 10), (CHUNK as u64, 10)]
    );
    assert_eq!(fake.blobs.get(&sha256), Some(&bytes));
}

#[test]
fn bytes_the_server_already_holds_are_not_sent_again() {
    let server = FakeServer::start();
    let device = Device::secretary(1);
    let bytes = photo_bytes(2 * CHUNK, 9);
    let sha256 = device.attach_photo(&bytes);
    server.state().blobs.insert(sha256, bytes);
    device.enroll(&server);

    let report = device.engine.sync_now().unwrap();

    assert_eq!(report.photos_uploaded, 1);
    let fake = server.state();
    assert_eq!(creations(&fake.tus_calls), 1);
    assert!(patches(&fake.tus_calls).is_empty());
}

#[test]
fn a_damaged_or_missing_photo_needs_attention_and_the_queue_goes_on() {
    let server = FakeServer::start();
    let device = Device::secretary(1);
    let damaged = device.attach_photo(&photo_bytes(1000, 5));
    let missing = device.attach_photo(&photo_bytes(1000, 6));
    let good_bytes = photo_bytes(1000, 7);
    let good = device.attach_photo(&good_bytes);
    // Storage went bad under one file; another was deleted.
    let mut spoiled = photo_bytes(1000, 5);
    spoiled[500] ^= 0xff;
    std::fs::write(device.photo_dir().join(format!("{damaged}.jpg")), spoiled).unwrap();
    std::fs::remove_file(device.photo_dir().join(format!("{missing}.jpg"))).unwrap();
    device.enroll(&server);

    let report = device.engine.sync_now().unwrap();

    assert_eq!(report.photos_uploaded, 1);
    assert_eq!(server.state().blobs.get(&good), Some(&good_bytes));
    assert_eq!(report.photo_error, None);
    let mut failed: Vec<(String, String)> = report
        .photos_failed
        .iter()
        .map(|a| (a.entity_id.clone(), a.code.clone()))
        .collect();
    failed.sort();
    let mut expected = vec![
        (damaged.clone(), "photo_corrupt".to_string()),
        (missing.clone(), "photo_missing".to_string()),
    ];
    expected.sort();
    assert_eq!(failed, expected);
    let status = device.engine.status().unwrap();
    assert_eq!(status.pending_photos, 0, "nothing is stuck in the queue");
    let list = status.needs_attention;
    assert_eq!(list.len(), 2);
    for item in &list {
        assert_eq!(item.kind, AttentionKind::Photo);
        assert!(item.reason.contains("tệp ảnh") || item.reason.contains("Tệp ảnh"));
        assert!(item.advice.contains("chụp lại"));
    }
    assert_eq!(
        server
            .state()
            .tus_calls
            .iter()
            .filter(|c| matches!(c, TusCall::Create { .. }))
            .count(),
        1,
        "nothing of the bad files was sent"
    );

    // Not tried again, not listed twice.
    device.engine.sync_now().unwrap();
    assert_eq!(device.engine.status().unwrap().needs_attention.len(), 2);
}

#[test]
fn a_photo_whose_record_was_refused_is_not_uploaded() {
    let server = FakeServer::start();
    let device = Device::secretary(0);
    let sha256 = device.attach_photo(&photo_bytes(1000, 8));
    device.enroll(&server);
    // 1 cell, 2 plan meeting, 3 attach photo.
    server
        .state()
        .reject
        .insert(3, ("scope".into(), "Không có quyền ghi".into()));

    let report = device.engine.sync_now().unwrap();

    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].entity_id, sha256);
    assert_eq!(report.photos_uploaded, 0);
    assert!(server.state().tus_calls.is_empty());
    assert_eq!(device.engine.status().unwrap().pending_photos, 0);
}

//! The sync engine against a scripted fake server: enrolment, push + pull in one round
//! trip, order and idempotence, gaps, refusals, retries, and bad answers.

mod sync_support;

use chibo_core::sync::{AttentionKind, EnrolledRole, SyncError, SyncErrorKind};
use chibo_domain::change::Change;
use chibo_domain::sync::{AckOutcome, ClockWarning, ErrorBody, ScopeCursor};
use sync_support::*;

const DAY_MS: i64 = 86_400_000;

#[test]
fn enrolment_sends_the_code_and_public_key_and_keeps_who_the_device_is() {
    let server = FakeServer::start();
    let device = Device::secretary(2);

    // A code the office never issued: the server's reason, nothing stored.
    server.expect_enrolment(device.person());
    let error = device
        .engine
        .enroll(&server.url, "ZZ-99", "Điện thoại thử", &device.key())
        .unwrap_err();
    assert_eq!(error.kind(), SyncErrorKind::Validation);
    assert_eq!(error.to_string(), "Mã đăng ký không tồn tại");
    assert!(device.engine.status().unwrap().enrolled_as.is_none());

    device.enroll(&server);
    let request = server.state().enroll_requests.last().cloned().unwrap();
    assert_eq!(
        request.code, ENROLL_CODE,
        "the code is read from the QR payload"
    );
    assert_eq!(request.public_key_hex, device.key().public_key_hex());
    assert_eq!(request.device_label, "Điện thoại thử");

    let status = device.engine.status().unwrap();
    let enrolled = status.enrolled_as.unwrap();
    assert_eq!(enrolled.full_name, "Lò Văn Hùng");
    assert_eq!(
        enrolled.role,
        EnrolledRole::Secretary {
            cell_id: device.cell.id.clone()
        }
    );
    assert_eq!(enrolled.commune_name, "Đảng bộ xã Xuân Hòa");
    assert_eq!(enrolled.device_id, server.state().device_id);
    assert_eq!(enrolled.server_url, server.url);
    assert_eq!(
        status.pending_changes, 3,
        "enrolling pushes nothing by itself"
    );
}

#[test]
fn one_round_trip_pushes_the_outbox_in_order_and_pulls_every_scope() {
    let server = FakeServer::start();
    let device = Device::secretary(5);
    device.enroll(&server);
    let cadres = [
        pulled_cadre(1, "Lường Văn Thắng"),
        pulled_cadre(2, "Hoàng Thị Nga"),
    ];
    server
        .state()
        .scopes
        .insert(commune_scope(), cadres.to_vec());
    let outbox = device.store().outbox_pending().unwrap();
    assert_eq!(outbox.len(), 6);

    let report = device.engine.sync_now().unwrap();

    assert_eq!(report.round_trips, 1);
    assert_eq!((report.pushed, report.pulled), (6, 2));
    assert!(report.complete);
    assert!(report
        .summary
        .contains("Đã gửi 6 thay đổi, nhận 2 thay đổi"));
    {
        let fake = server.state();
        assert_eq!(fake.sync_requests.len(), 1, "push and pull travel together");
        assert_eq!(fake.gzip_requests, 1, "the request body is gzip");
        let request = &fake.sync_requests[0];
        assert_eq!(request.device_clock_at_send, DEVICE_NOW);
        assert!(request.pull_limit.is_some());
        let pushed: Vec<(u64, Change)> = request
            .push
            .iter()
            .map(|p| (p.device_seq, p.change.clone()))
            .collect();
        let expected: Vec<(u64, Change)> = outbox
            .iter()
            .map(|e| (e.device_seq, e.change().unwrap()))
            .collect();
        assert_eq!(pushed, expected, "the outbox, in device_seq order");
        assert_eq!(request.push[0].hlc, outbox[0].hlc);
    }
    let status = device.engine.status().unwrap();
    assert_eq!(status.pending_changes, 0);
    assert_eq!(status.last_success_at, Some(DEVICE_NOW));
    assert_eq!(status.last_error, None);
    for pulled in &cadres {
        let Change::UpsertCadre { cadre } = &pulled.change else {
            unreachable!()
        };
        assert_eq!(
            device.store().cadre(&cadre.id).unwrap().as_ref(),
            Some(cadre),
            "the pulled cadre is on the device"
        );
    }

    // Next time: nothing to push, and the cursor says where the device is.
    let report = device.engine.sync_now().unwrap();
    assert_eq!(
        (report.pushed, report.pulled, report.round_trips),
        (0, 0, 1)
    );
    let fake = server.state();
    let request = fake.sync_requests.last().unwrap();
    assert!(request.push.is_empty());
    assert!(request.cursors.contains(&ScopeCursor {
        scope: commune_scope(),
        after: 2
    }));
}

#[test]
fn further_pages_are_pulled_in_further_round_trips() {
    let server = FakeServer::start();
    let device = Device::secretary(1);
    device.enroll(&server);
    let changes: Vec<_> = ["A", "B", "C", "D", "E"]
        .iter()
        .zip(1..)
        .map(|(name, seq)| pulled_cadre(seq, &format!("Cấp ủy viên {name}")))
        .collect();
    {
        let mut fake = server.state();
        fake.page_limit = 2;
        fake.scopes.insert(commune_scope(), changes.clone());
    }
    let report = device.engine.sync_now().unwrap();
    assert_eq!((report.pulled, report.round_trips), (5, 3));
    let fake = server.state();
    let afters: Vec<u64> = fake
        .sync_requests
        .iter()
        .map(|r| {
            r.cursors
                .iter()
                .find(|c| c.scope == commune_scope())
                .map_or(0, |c| c.after)
        })
        .collect();
    assert_eq!(afters, [0, 2, 4]);
    for pulled in &changes {
        let (_, id) = pulled.change.entity();
        assert!(device.store().cadre(id).unwrap().is_some(), "{id}");
    }
}

#[test]
fn a_lost_answer_is_resent_and_the_server_settles_each_change_once() {
    let server = FakeServer::start();
    let device = Device::secretary(5);
    device.enroll(&server);
    server
        .state()
        .sync_script
        .push_back(Canned::CutBodyAfterApplying);

    let report = device.engine.sync_now().unwrap();

    assert_eq!(report.pushed, 6);
    assert_eq!(
        device.sleeper.waits().len(),
        1,
        "one retry after the cut answer"
    );
    let fake = server.state();
    assert_eq!(
        fake.pushed_seqs(),
        [vec![1, 2, 3, 4, 5, 6], vec![1, 2, 3, 4, 5, 6]]
    );
    let settled: Vec<u64> = fake.settled.iter().map(|p| p.device_seq).collect();
    assert_eq!(
        settled,
        [1, 2, 3, 4, 5, 6],
        "applied once, acknowledged twice"
    );
    assert_eq!(device.store().pending_change_count().unwrap(), 0);
}

#[test]
fn a_big_outbox_goes_in_batches_in_order() {
    let server = FakeServer::start();
    let mut config = test_config();
    config.batch_max_changes = 4;
    let device = Device::secretary(10).with_config(config);
    device.enroll(&server);

    let report = device.engine.sync_now().unwrap();

    assert_eq!((report.pushed, report.round_trips), (11, 3));
    assert_eq!(
        server.state().pushed_seqs(),
        [vec![1, 2, 3, 4], vec![5, 6, 7, 8], vec![9, 10, 11]]
    );
}

#[test]
fn a_push_too_large_for_the_server_is_split() {
    let server = FakeServer::start();
    let device = Device::secretary(7);
    device.enroll(&server);
    server.state().max_push = Some(3);

    let report = device.engine.sync_now().unwrap();

    assert_eq!(report.pushed, 8);
    let fake = server.state();
    let settled: Vec<u64> = fake.settled.iter().map(|p| p.device_seq).collect();
    assert_eq!(settled, (1..=8).collect::<Vec<_>>());
    assert_eq!(
        fake.pushed_seqs()[..2],
        [(1..=8).collect::<Vec<_>>(), vec![1, 2, 3, 4]]
    );
    assert!(device.sleeper.waits().is_empty(), "a 413 is not waited on");
}

#[test]
fn after_a_gap_the_device_resends_from_the_seq_the_server_expects() {
    let server = FakeServer::start();
    let device = Device::secretary(3);
    device.enroll(&server);
    device.engine.sync_now().unwrap();
    // The server was restored from a backup older than the device's last sync.
    {
        let mut fake = server.state();
        fake.last_applied = 0;
        fake.outcomes.clear();
        fake.settled.clear();
        fake.sync_requests.clear();
    }
    device.add_members(2);

    let report = device.engine.sync_now().unwrap();

    assert_eq!(report.pushed, 2, "only the two new changes were pending");
    let fake = server.state();
    assert_eq!(fake.pushed_seqs(), [vec![5, 6], vec![1, 2, 3, 4, 5, 6]]);
    let settled: Vec<u64> = fake.settled.iter().map(|p| p.device_seq).collect();
    assert_eq!(settled, [1, 2, 3, 4, 5, 6]);
    assert_eq!(device.store().pending_change_count().unwrap(), 0);
}

#[test]
fn a_gap_the_device_cannot_fill_is_reported_and_nothing_is_lost() {
    let server = FakeServer::start();
    let device = Device::secretary(3);
    device.enroll(&server);
    server.state().sync_script.push_back(Canned::Status(
        409,
        Some(ErrorBody {
            code: "sequence_gap".into(),
            message: "Thiếu thay đổi trước đó".into(),
            expected_seq: Some(99),
        }),
    ));

    let error = device.engine.sync_now().unwrap_err();

    assert!(matches!(error, SyncError::SequenceGap { expected: 99 }));
    let status = device.engine.status().unwrap();
    assert!(status
        .last_error
        .unwrap()
        .contains("không khớp với máy chủ"));
    assert_eq!(status.pending_changes, 4);
}

#[test]
fn a_refused_change_needs_attention_and_does_not_block_the_queue() {
    let server = FakeServer::start();
    let device = Device::secretary(3);
    device.enroll(&server);
    server.state().reject.insert(
        2,
        (
            "validation".into(),
            "Đảng viên này đã chuyển sinh hoạt sang chi bộ khác".into(),
        ),
    );

    let report = device.engine.sync_now().unwrap();

    assert_eq!(report.pushed, 3);
    assert_eq!(report.rejected.len(), 1);
    let refused = &report.rejected[0];
    assert_eq!(refused.kind, AttentionKind::Change);
    assert_eq!(refused.device_seq, Some(2));
    assert_eq!(refused.what, "Lưu thông tin đảng viên Đảng viên số 1");
    assert_eq!(refused.code, "validation");
    assert_eq!(
        refused.reason,
        "Đảng viên này đã chuyển sinh hoạt sang chi bộ khác"
    );
    assert!(refused.advice.contains("sửa theo lý do"));
    assert!(report.summary.contains("Máy chủ không nhận 1 thay đổi"));
    assert!(report
        .summary
        .contains("đã chuyển sinh hoạt sang chi bộ khác"));
    let status = device.engine.status().unwrap();
    assert_eq!(status.pending_changes, 0, "the refusal settled the entry");
    assert_eq!(status.needs_attention, report.rejected);

    // Later changes go through; the refusal is listed once, until dismissed.
    device.add_members(1);
    let report = device.engine.sync_now().unwrap();
    assert_eq!(report.pushed, 1);
    assert!(report.rejected.is_empty());
    let list = device.engine.status().unwrap().needs_attention;
    assert_eq!(list.len(), 1);
    device.engine.dismiss(list[0].id).unwrap();
    assert!(device.engine.status().unwrap().needs_attention.is_empty());
    assert!(device.engine.dismiss(list[0].id).is_err());
}

#[test]
fn server_errors_are_retried_with_growing_waits_then_succeed() {
    let server = FakeServer::start();
    let device = Device::secretary(2);
    device.enroll(&server);
    {
        let mut fake = server.state();
        fake.sync_script.push_back(Canned::Status(
            503,
            Some(ErrorBody {
                code: "internal".into(),
                message: "Máy chủ bận".into(),
                expected_seq: None,
            }),
        ));
        fake.sync_script.push_back(Canned::Status(502, None));
        fake.sync_script.push_back(Canned::CutBody);
    }

    let report = device.engine.sync_now().unwrap();

    assert_eq!(report.pushed, 3);
    assert_eq!(server.state().sync_requests.len(), 4);
    let waits = device.sleeper.waits();
    assert_eq!(waits.len(), 3);
    for (wait, step) in waits.iter().zip([2, 4, 8]) {
        let step = std::time::Duration::from_secs(step);
        assert!(*wait >= step / 2 && *wait <= step, "{wait:?} vs {step:?}");
    }
    assert_eq!(device.engine.status().unwrap().last_error, None);
}

/// Each bad answer: the sync fails with a clear Vietnamese error, the outbox stays
/// pending, and once the server behaves everything goes through.
#[test]
fn bad_answers_end_in_a_clear_vietnamese_error_and_lose_nothing() {
    type Setup = fn(&FakeServer);
    let cases: Vec<(&str, Setup, &str, usize)> = vec![
        (
            "garbage",
            |s| s.state().sync_script.push_back(Canned::Garbage),
            "không đúng định dạng",
            1,
        ),
        (
            "cut body",
            |s| (0..4).for_each(|_| s.state().sync_script.push_back(Canned::CutBody)),
            "ngắt giữa chừng",
            4,
        ),
        (
            "5xx",
            |s| (0..4).for_each(|_| s.state().sync_script.push_back(Canned::Status(500, None))),
            "gặp sự cố (mã 500)",
            4,
        ),
        (
            "413",
            |s| {
                s.state()
                    .sync_script
                    .push_back(Canned::Status(413, Some(body("too_large", "Quá lớn"))))
            },
            "lớn hơn giới hạn",
            1,
        ),
        (
            "wrong credential",
            |s| s.state().credential = "someone-else".into(),
            "không nhận ra thiết bị",
            0,
        ),
        ("revoked", |s| s.state().revoked = true, "thu hồi", 0),
    ];
    for (name, setup, words, requests) in cases {
        let server = FakeServer::start();
        // One change only, so a 413 cannot be split.
        let device = Device::secretary(0);
        device.enroll(&server);
        setup(&server);

        let error = device.engine.sync_now().unwrap_err();

        let status = device.engine.status().unwrap();
        let message = status.last_error.clone().unwrap();
        assert!(message.contains(words), "{name}: {message}");
        assert_eq!(message, error.to_string(), "{name}");
        assert_eq!(status.pending_changes, 1, "{name}: the change is kept");
        assert_eq!(status.last_success_at, None, "{name}");
        assert_eq!(server.state().sync_requests.len(), requests, "{name}");
        let expected_kind = if name == "wrong credential" || name == "revoked" {
            SyncErrorKind::Unauthorized
        } else {
            SyncErrorKind::Network
        };
        assert_eq!(error.kind(), expected_kind, "{name}");

        // The server is fixed (or the device enrolled again): nothing was lost.
        if expected_kind == SyncErrorKind::Unauthorized {
            device.enroll(&server);
        }
        let report = device.engine.sync_now().unwrap();
        assert_eq!(report.pushed, 1, "{name}");
        assert_eq!(device.engine.status().unwrap().last_error, None, "{name}");
    }
}

#[test]
fn syncing_before_enrolment_says_so() {
    let device = Device::secretary(1);
    let error = device.engine.sync_now().unwrap_err();
    assert!(matches!(error, SyncError::NotEnrolled));
    let status = device.engine.status().unwrap();
    assert!(status.enrolled_as.is_none());
    assert!(status.last_error.unwrap().contains("chưa đăng ký"));
    assert_eq!(status.pending_changes, 2);
}

#[test]
fn the_server_clock_offset_and_warning_are_kept() {
    let server = FakeServer::start();
    let device = Device::secretary(1);
    // The phone's clock is two days behind the server's.
    server.state().server_time = DEVICE_NOW + 2 * DAY_MS;
    device.enroll(&server);
    assert_eq!(
        device.engine.status().unwrap().server_offset_ms,
        Some(2 * DAY_MS)
    );

    // Then it runs ahead, and the server says so.
    {
        let mut fake = server.state();
        fake.server_time = DEVICE_NOW - 10 * 60_000;
        fake.clock_warning = Some(ClockWarning {
            ahead_ms: 10 * 60_000,
            message: "Đồng hồ của máy nhanh hơn máy chủ 10 phút".into(),
        });
    }
    let report = device.engine.sync_now().unwrap();
    let status = device.engine.status().unwrap();
    assert_eq!(status.server_offset_ms, Some(-10 * 60_000));
    assert_eq!(
        status.clock_warning.as_deref(),
        Some("Đồng hồ của máy nhanh hơn máy chủ 10 phút")
    );
    assert_eq!(report.clock_warning, status.clock_warning);
    assert!(report.summary.contains("Cảnh báo đồng hồ"));
}

#[test]
fn a_phone_clock_three_days_behind_is_as_suspect_as_one_ahead() {
    // The server said nothing about it (an older server): the phone's own rule, the
    // same the server uses, warns in its status.
    let server = FakeServer::start();
    let device = Device::secretary(1);
    server.state().server_time = DEVICE_NOW + 3 * DAY_MS;
    device.enroll(&server);
    let warning = device.engine.status().unwrap().clock_warning;
    assert!(
        warning
            .as_deref()
            .is_some_and(|w| w.contains("chậm hơn máy chủ 3 ngày")),
        "{warning:?}"
    );
    let report = device.engine.sync_now().unwrap();
    assert_eq!(report.clock_warning, warning);
    assert!(
        report.summary.contains("Cảnh báo đồng hồ"),
        "{}",
        report.summary
    );
}

#[test]
fn a_new_enrolment_numbers_from_one_for_the_new_server_device() {
    let server = FakeServer::start();
    let device = Device::secretary(2);
    device.enroll(&server);
    device.engine.sync_now().unwrap();

    // Revoked, then enrolled again: the server makes a new device.
    {
        let mut fake = server.state();
        fake.device_id = "0190b000-0000-7000-8000-00000000d002".into();
        fake.last_applied = 0;
        fake.outcomes.clear();
        fake.settled.clear();
        fake.sync_requests.clear();
    }
    device.enroll(&server);
    let members = device.add_members(2);
    let report = device.engine.sync_now().unwrap();

    assert_eq!(report.pushed, 2);
    let fake = server.state();
    assert_eq!(fake.pushed_seqs(), [vec![1, 2]]);
    let pushed_ids: Vec<String> = fake
        .settled
        .iter()
        .map(|p| p.change.entity().1.to_string())
        .collect();
    assert_eq!(pushed_ids, [members[0].id.clone(), members[1].id.clone()]);
    assert!(fake
        .outcomes
        .values()
        .all(|o| matches!(o, AckOutcome::Applied)));
}

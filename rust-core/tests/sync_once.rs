//! One sync at a time, enforced in the core: a second request while a run is going joins
//! it and never sends a second exchange. And the app's listener hears the status after
//! every write and every run.

mod sync_support;

use std::sync::{Arc, Mutex};

use chibo_core::ffi::{ChiboStore, StatusListener};
use chibo_core::keystore::FileKeystore;
use chibo_core::sync::SyncStatus;
use chibo_domain::sync::enrollment_qr;
use sync_support::*;

#[test]
fn a_second_sync_while_one_runs_joins_it_and_sends_nothing_itself() {
    let server = FakeServer::start();
    let device = Arc::new(Device::secretary(5));
    device.enroll(&server);

    // The server holds the first exchange until the second caller has joined.
    let held = server.state();
    let first = {
        let device = device.clone();
        std::thread::spawn(move || device.engine.sync_now())
    };
    while !device.engine.is_running() {
        std::thread::yield_now();
    }
    let second = {
        let device = device.clone();
        std::thread::spawn(move || device.engine.sync_now())
    };
    while device.engine.callers_waiting() == 0 {
        std::thread::yield_now();
    }
    drop(held);

    let first = first.join().unwrap().unwrap();
    let second = second.join().unwrap().unwrap();
    assert_eq!(first, second, "the caller who joined gets the same report");
    assert_eq!(first.pushed, 6, "the cell and its 5 members");
    assert_eq!(
        server.state().sync_requests.len(),
        1,
        "one exchange for two requests"
    );
    assert!(!device.engine.is_running());

    // Once it is over, a new request runs again.
    device.add_members(1);
    let third = device.engine.sync_now().unwrap();
    assert_eq!(third.pushed, 1);
    assert_eq!(server.state().sync_requests.len(), 2);
}

#[test]
fn a_joined_run_that_fails_fails_for_both_callers() {
    let server = FakeServer::start();
    let device = Arc::new(Device::secretary(2));
    // Not enrolled with this server's credential: the exchange is refused.
    device.enroll(&server);
    server.state().revoked = true;

    let held = server.state();
    let first = {
        let device = device.clone();
        std::thread::spawn(move || device.engine.sync_now())
    };
    while !device.engine.is_running() {
        std::thread::yield_now();
    }
    let second = {
        let device = device.clone();
        std::thread::spawn(move || device.engine.sync_now())
    };
    while device.engine.callers_waiting() == 0 {
        std::thread::yield_now();
    }
    drop(held);
    let first = first.join().unwrap().unwrap_err();
    let second = second.join().unwrap().unwrap_err();
    assert_eq!(first.to_string(), second.to_string());
    assert!(first.to_string().contains("thu hồi"), "{first}");
    assert_eq!(
        server.state().sync_requests.len(),
        0,
        "refused before parsing"
    );
}

#[derive(Default)]
struct Heard(Mutex<Vec<SyncStatus>>);

impl StatusListener for Heard {
    fn on_status(&self, status: SyncStatus) {
        self.0.lock().unwrap().push(status);
    }
}

impl Heard {
    fn take(&self) -> Vec<SyncStatus> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

#[test]
fn the_listener_hears_every_write_and_every_run() {
    let server = FakeServer::start();
    let dir = tempfile::tempdir().unwrap();
    let keystore = Arc::new(FileKeystore::open_at(&dir.path().join("device.key")).unwrap());
    let phone = ChiboStore::open(
        dir.path().join("so.db").to_string_lossy().into_owned(),
        keystore.clone(),
    )
    .unwrap();
    let heard = Arc::new(Heard::default());
    phone.set_status_listener(Some(heard.clone()));

    let device = Device::secretary(0);
    let cell = device.cell.clone();
    let members: Vec<_> = (0..3)
        .map(|i| member(&cell.id, &format!("Đảng viên {i}")))
        .collect();
    phone.import_roster(cell.clone(), members).unwrap();
    let after_write = heard.take();
    assert_eq!(after_write.len(), 1, "one write, one status");
    assert_eq!(after_write[0].pending_changes, 4);
    assert!(!after_write[0].running);

    // Reads say nothing.
    phone.members(cell.id.clone()).unwrap();
    phone.sync_status().unwrap();
    assert!(heard.take().is_empty());

    server.expect_enrolment(device.person());
    phone
        .enroll(
            String::new(),
            enrollment_qr(&server.url, ENROLL_CODE),
            "Điện thoại thử".into(),
            keystore,
        )
        .unwrap();
    let after_enrol = heard.take();
    assert!(after_enrol.last().unwrap().enrolled_as.is_some());

    phone.sync_now().unwrap();
    let during = heard.take();
    assert_eq!(
        during.len(),
        2,
        "when the run starts and when it ends: {during:?}"
    );
    assert!(during[0].running);
    assert_eq!(during[0].pending_changes, 4);
    assert!(!during[1].running);
    assert_eq!(during[1].pending_changes, 0);
    assert!(during[1].last_success_at.is_some());

    phone.set_status_listener(None);
    phone
        .save_member(member(&cell.id, "Đảng viên mới"))
        .unwrap();
    assert!(heard.take().is_empty());
}

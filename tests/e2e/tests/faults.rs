//! A bad network, a server that dies, a phone that dies: afterwards everything
//! converges, with nothing lost and nothing twice, counted exactly on the server (its
//! documents, its logs, its blobs) and on every phone.

use std::process::{Command, Stdio};

use chibo_demo::{FaultPlan, Phone};
use chibo_domain::checkin::VerdictStatus;
use chibo_domain::sync::{SYNC_PATH, UPLOADS_PATH};
use chibo_domain::*;
use chibo_e2e::*;

/// What the phone recorded for one cell, and what the server must hold for it.
struct Expected {
    cell_id: Id,
    census: Census,
    photos: Vec<String>,
}

impl Expected {
    fn new(town: &Town, index: usize) -> Expected {
        Expected {
            cell_id: town.cell(index).id.clone(),
            census: Census {
                cells: 1,
                members: town.roster(index).len() as u64,
                ..Census::default()
            },
            photos: Vec::new(),
        }
    }

    /// Counts a meeting as its secretary's phone holds it, with its photos.
    fn meeting(&mut self, phone: &Phone, meeting_id: &str) {
        let record = ok(phone.store.meeting_record(meeting_id.to_string()), "read");
        self.census.add(&Census::of_record(&record));
        for photo in ok(phone.store.meeting_photos(meeting_id.to_string()), "photos") {
            self.census.photos += 1;
            self.photos.push(photo.sha256);
        }
    }

    fn check_in(&mut self, photo_sha256: &str) {
        self.census.check_ins += 1;
        self.census.photos += 1;
        self.photos.push(photo_sha256.to_string());
    }
}

/// Everything holds exactly what was recorded: the server's documents and blobs, each
/// phone reading the cell, each phone's changes logged once.
fn assert_exact(
    cluster: &Cluster,
    town: &Town,
    expected: &[&Expected],
    readers: &[(&Phone, &[usize])],
) {
    let mut all_photos: Vec<String> = Vec::new();
    for e in expected {
        assert_eq!(
            server_census(cluster, &town.seed.id, Some(&e.cell_id)),
            e.census,
            "server, cell {}",
            e.cell_id
        );
        all_photos.extend(e.photos.iter().cloned());
    }
    all_photos.sort();
    all_photos.dedup();
    let blobs: Vec<String> = server_blobs(cluster).into_keys().collect();
    assert_eq!(blobs, all_photos, "the server's blobs");
    for (phone, cells) in readers {
        for &i in *cells {
            assert_eq!(
                phone_census(phone, &expected[i].cell_id),
                expected[i].census,
                "{} reading cell {i}",
                phone.name
            );
        }
        assert_eq!(pending_outbox(phone), 0, "{}", phone.name);
        let status = ok(phone.status(), "status");
        assert!(
            status.needs_attention.is_empty(),
            "{:?}",
            status.needs_attention
        );
        assert_eq!(status.pending_photos, 0, "{}", phone.name);
    }
    let log = server_log(cluster, &town.seed.id);
    assert_log_holds_each_change_once(&log);
    for (phone, _) in readers {
        assert_phone_changes_logged_once(phone, &log);
    }
}

fn verdict_status(phone: &Phone, check_in_id: &str) -> String {
    phone_db(phone)
        .query_row(
            "SELECT verdict_status FROM check_ins WHERE id = ?1",
            [check_in_id],
            |r| r.get(0),
        )
        .expect("the phone holds the check-in")
}

fn verified() -> String {
    serde_json::to_value(VerdictStatus::Verified)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_fifth_of_requests_broken_on_the_way_and_everything_arrives_once() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(2));
    let secretary_a = town.secretary_phone(&cluster, 0);
    let secretary_b = town.secretary_phone(&cluster, 1);
    let cadre_a = town.cadre_phone(&cluster, 0);
    let mut a = Expected::new(&town, 0);
    let mut b = Expected::new(&town, 1);

    // Recorded offline: two meetings and a check-in at cell A, one meeting at cell B.
    let first = record_signed_meeting(
        &secretary_a,
        &town,
        0,
        &["orientation/landscape_1.jpg", "orientation/portrait_2.jpg"],
    );
    a.meeting(&secretary_a, &first.meeting_id);
    let second = record_month(&secretary_a, &town, 0, 10);
    let qr = presence_qr(&secretary_a, &second);
    let (row, photo) = check_in(
        &cadre_a,
        &town,
        0,
        &second,
        &qr,
        "orientation/landscape_4.jpg",
    );
    a.meeting(&secretary_a, &second);
    a.check_in(&photo.sha256);
    let third = record_signed_meeting(&secretary_b, &town, 1, &["phone/gps_tagged.jpg"]);
    b.meeting(&secretary_b, &third.meeting_id);

    // Then a village signal that loses a fifth of the requests, some mid-body.
    cluster.proxy.reset_stats();
    cluster.set_faults(FaultPlan {
        rate: 0.2,
        seed: 20_261_124,
    });
    let phones = [&secretary_a, &secretary_b, &cadre_a, &town.office];
    let rounds = converge(&phones, 40);
    let stats = cluster.proxy.stats();
    eprintln!("converged in {rounds} rounds through {stats:?}");
    assert!(
        stats.faults >= 3,
        "the network must actually have failed: {stats:?}"
    );
    cluster.set_faults(FaultPlan::none());

    assert_exact(
        &cluster,
        &town,
        &[&a, &b],
        &[
            (&secretary_a, &[0]),
            (&secretary_b, &[1]),
            (&cadre_a, &[0]),
            (&town.office, &[0, 1]),
        ],
    );
    for phone in [&secretary_a, &cadre_a, &town.office] {
        assert_eq!(
            verdict_status(phone, &row.check_in.id),
            verified(),
            "{}",
            phone.name
        );
    }
}

/// Waits, without a deadline, until `condition` holds or the run ends.
fn wait_for(run: &std::thread::ScopedJoinHandle<'_, impl Send>, condition: impl Fn() -> bool) {
    while !condition() && !run.is_finished() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

const PHOTOS: [&str; 12] = [
    "orientation/landscape_1.jpg",
    "orientation/landscape_2.jpg",
    "orientation/landscape_5.jpg",
    "orientation/landscape_6.jpg",
    "orientation/landscape_7.jpg",
    "orientation/landscape_8.jpg",
    "orientation/portrait_1.jpg",
    "orientation/portrait_3.jpg",
    "orientation/portrait_4.jpg",
    "orientation/portrait_5.jpg",
    "orientation/portrait_6.jpg",
    "orientation/portrait_7.jpg",
];

#[test]
fn the_server_killed_mid_sync_and_restarted_loses_nothing_and_doubles_nothing() {
    let mut cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(1));
    let secretary = town.secretary_phone(&cluster, 0);
    let cadre = town.cadre_phone(&cluster, 0);
    let mut a = Expected::new(&town, 0);

    // Each attempt: a meeting with three photos (and the first a check-in), then a sync
    // during which the server dies twice: when the first sync request reaches it, and
    // when the second upload request does. Until both kills landed mid-run.
    let (mut killed_in_sync, mut killed_in_upload) = (0, 0);
    let mut photos = PHOTOS.chunks(3);
    for attempt in 0..4 {
        if killed_in_sync > 0 && killed_in_upload > 0 {
            break;
        }
        let fixtures = photos.next().expect("photos left");
        let recorded = record_signed_meeting(&secretary, &town, 0, fixtures);
        a.meeting(&secretary, &recorded.meeting_id);
        if attempt == 0 {
            let meeting_id = record_month(&secretary, &town, 0, 5);
            let qr = presence_qr(&secretary, &meeting_id);
            let (_, photo) = check_in(
                &cadre,
                &town,
                0,
                &meeting_id,
                &qr,
                "orientation/landscape_3.jpg",
            );
            a.meeting(&secretary, &meeting_id);
            a.check_in(&photo.sha256);
        }
        cluster.proxy.reset_stats();
        std::thread::scope(|s| {
            let run = s.spawn(|| (secretary.sync(), cadre.sync()));
            wait_for(&run, || cluster.proxy.stats().requests_to(SYNC_PATH) >= 1);
            if !run.is_finished() {
                cluster.restart_server();
                killed_in_sync += 1;
            }
            wait_for(&run, || {
                cluster.proxy.stats().requests_to(UPLOADS_PATH) >= 2
            });
            if !run.is_finished() {
                cluster.restart_server();
                killed_in_upload += 1;
            }
            // Whatever the run came to (done, or given up until later), nothing may be
            // lost: the next runs finish the job.
            let _ = run.join().expect("the sync thread");
        });
    }
    eprintln!("server killed {killed_in_sync}× in sync, {killed_in_upload}× in upload");
    assert!(
        killed_in_sync > 0 && killed_in_upload > 0,
        "the kills landed mid-run: {killed_in_sync} in sync, {killed_in_upload} in upload"
    );

    converge(&[&secretary, &cadre, &town.office], 10);
    assert_exact(
        &cluster,
        &town,
        &[&a],
        &[(&secretary, &[0]), (&cadre, &[0]), (&town.office, &[0])],
    );
}

/// Photo uploads the phone's store says are under way: (sha256, offset).
fn uploads_under_way(phone: &Phone) -> Vec<(String, u64)> {
    let db = phone_db(phone);
    let mut stmt = db
        .prepare(
            "SELECT sha256, offset FROM photo_uploads \
             WHERE state = 'pending' AND upload_url IS NOT NULL AND offset > 0",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Bytes of queued photos not yet on the server, by the phone's own notes.
fn bytes_left_to_upload(phone: &Phone) -> u64 {
    phone_count(
        phone,
        "SELECT COALESCE(SUM(p.byte_size - u.offset), 0) FROM photo_uploads u \
         JOIN (SELECT DISTINCT sha256, byte_size FROM photos) p ON p.sha256 = u.sha256 \
         WHERE u.state = 'pending'",
        &[],
    )
}

#[test]
fn a_phone_killed_mid_upload_resumes_where_it_stopped() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(1));
    let name = "xh-bi-thu-0";
    let mut a = Expected::new(&town, 0);
    let phone = town.secretary_phone(&cluster, 0);
    assert_eq!(phone.name, name);
    let dir = phone.dir.clone();
    let mut fixtures = [
        ["phone/jolla.jpg", "phone/iphone.jpg"],
        ["phone/nokia_8.3_5g.jpg", "orientation/portrait_8.jpg"],
        ["orientation/landscape_2.jpg", "orientation/landscape_5.jpg"],
    ]
    .into_iter();
    let mut phone = Some(phone);

    // The app is killed once the upload of the photos is under way, until the kill
    // lands in the middle of one.
    let mut killed = false;
    for _ in 0..3 {
        let p = phone.take().unwrap_or_else(|| cluster.phone(name));
        let recorded = record_signed_meeting(&p, &town, 0, &fixtures.next().unwrap());
        a.meeting(&p, &recorded.meeting_id);
        drop(p);
        cluster.proxy.reset_stats();
        let mut app = Command::new(env!("CARGO_BIN_EXE_phone_app"))
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the app process");
        while cluster.proxy.stats().requests_to(UPLOADS_PATH) < 3
            && app.try_wait().expect("the app process").is_none()
        {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let _ = app.kill();
        app.wait().expect("the app process ends");
        let reopened = cluster.phone(name);
        if !uploads_under_way(&reopened).is_empty() {
            phone = Some(reopened);
            killed = true;
            break;
        }
    }
    assert!(killed, "the app was killed in the middle of a photo upload");

    // The app starts again and syncs: the photo cut short goes on from the server's
    // offset instead of from its first byte.
    let phone = phone.expect("the reopened phone");
    let under_way = uploads_under_way(&phone);
    let left = bytes_left_to_upload(&phone);
    cluster.proxy.reset_stats();
    let report = sync_all(&phone);
    let stats = cluster.proxy.stats();
    let sent_already: u64 = under_way.iter().map(|(_, offset)| offset).sum();
    eprintln!(
        "killed mid-upload with {under_way:?} on the server; {left} bytes left, {} sent \
         after the restart in {stats:?}",
        stats.bytes_up
    );
    assert!(sent_already > 0);
    assert!(
        stats.bytes_up < left + 16 * 1024,
        "after the restart the phone sent {} bytes for {left} bytes of photos left \
         ({sent_already} were on the server already): {}",
        stats.bytes_up,
        report.summary
    );

    converge(&[&phone, &town.office], 10);
    assert_exact(
        &cluster,
        &town,
        &[&a],
        &[(&phone, &[0]), (&town.office, &[0])],
    );
}

//! A province's deployment in small: three real `chibo-server` processes on one
//! PostgreSQL and one S3 bucket, behind HAProxy started from `server/deploy/haproxy.cfg`
//! (round robin, so consecutive requests land on different processes), phones on the
//! real core. A phone's sync and its photo uploads cross processes mid-way, a process is
//! killed with SIGKILL during a push, the office signs in on one process and acts on
//! another; nothing is lost or duplicated and every phone converges.
//!
//! They need PostgreSQL, S3 and HAProxy: `tests/run cluster` provides them and runs these
//! with `--include-ignored`; elsewhere they are ignored, never passed empty, and the
//! rust suite's PostgreSQL pass skips them by their module (`on_cluster::`).

mod on_cluster {
    use std::collections::BTreeMap;
    use std::sync::Arc;
    use std::time::Duration;

    use chibo_demo::Phone;
    use chibo_domain::sync::{SYNC_PATH, UPLOADS_PATH};
    use chibo_domain::*;
    use chibo_e2e::farm::Farm;
    use chibo_e2e::*;
    use reqwest::StatusCode;

    const MEETING_PHOTOS: &[&str] = &["phone/gps_tagged.jpg", "orientation/landscape_3.jpg"];

    /// What the server and every phone reading cell `index` must hold.
    fn expected_of(town: &Town, index: usize, secretary: &Phone, meetings: &[Id]) -> Census {
        let mut census = Census {
            cells: 1,
            members: town.roster(index).len() as u64,
            ..Census::default()
        };
        for id in meetings {
            let record = ok(secretary.store.meeting_record(id.clone()), "read");
            census.add(&Census::of_record(&record));
            census.photos += ok(secretary.store.meeting_photos(id.clone()), "photos").len() as u64;
        }
        census
    }

    /// The server and each phone hold `expected` for the cell, nothing is pending, and the
    /// commune's log holds each change once.
    fn assert_converged(
        farm: &Farm,
        town: &Town,
        cell_id: &str,
        expected: &Census,
        phones: &[&Phone],
    ) {
        assert_eq!(
            &server_census(farm, &town.seed.id, Some(cell_id)),
            expected,
            "the server"
        );
        for phone in phones {
            assert_eq!(&phone_census(phone, cell_id), expected, "{}", phone.name);
            assert_eq!(pending_outbox(phone), 0, "{}", phone.name);
            assert_eq!(
                ok(phone.status(), "status").pending_photos,
                0,
                "{}",
                phone.name
            );
        }
        let log = server_log(farm, &town.seed.id);
        assert_log_holds_each_change_once(&log);
        for phone in phones {
            assert_phone_changes_logged_once(phone, &log);
        }
    }

    fn spread(served: &BTreeMap<String, u64>) -> usize {
        served.values().filter(|&&n| n > 0).count()
    }

    #[test]
    #[ignore = "needs PostgreSQL, S3 and HAProxy: tests/run cluster"]
    fn a_phones_sync_and_its_photo_uploads_cross_processes_and_every_phone_converges() {
        // Small pulls: a phone's catch-up takes several requests.
        let farm = Farm::start(3, "max_pull = 7");
        let town = Town::create(&farm, "xh", small_commune(1));
        let secretary = town.secretary_phone(&farm, 0);
        let cadre = town.cadre_phone(&farm, 0);
        let cell = town.cell(0).clone();

        let recorded = record_signed_meeting(&secretary, &town, 0, MEETING_PHOTOS);
        let before_sync = farm.served(SYNC_PATH);
        let report = sync_all(&secretary);
        assert_eq!(
            report.photos_uploaded,
            MEETING_PHOTOS.len() as u64,
            "{}",
            report.summary
        );

        // The cadre's phone catches up on a meeting it never saw, seven changes at a time.
        let pulled = sync_all(&cadre);
        assert!(pulled.pulled > 7, "{}", pulled.summary);
        let after_sync = farm.served(SYNC_PATH);
        let sync_requests: BTreeMap<String, u64> = after_sync
            .iter()
            .map(|(k, v)| (k.clone(), v - before_sync.get(k).copied().unwrap_or(0)))
            .collect();
        assert_eq!(
            spread(&sync_requests),
            3,
            "sync requests per process: {sync_requests:?}"
        );

        // Each photo's upload (creation, chunks, resumption checks) went to several processes.
        let uploads = farm.served(UPLOADS_PATH);
        assert_eq!(
            spread(&uploads),
            3,
            "upload requests per process: {uploads:?}"
        );
        let photo_requests: u64 = uploads.values().sum();
        assert!(
            photo_requests > 2 * MEETING_PHOTOS.len() as u64,
            "each photo took several requests: {uploads:?}"
        );

        converge(&[&secretary, &cadre, &town.office], 5);
        let expected = expected_of(
            &town,
            0,
            &secretary,
            std::slice::from_ref(&recorded.meeting_id),
        );
        assert_eq!(expected.photos, MEETING_PHOTOS.len() as u64);
        assert_converged(&farm, &town, &cell.id, &expected, &[&secretary, &cadre]);
        // The photos are in the shared bucket, whole, once each.
        let blobs = blobs_in_store(&farm.blob_store);
        for photo in &recorded.photos {
            assert!(
                blobs.contains_key(&photo.sha256),
                "{} not in S3",
                photo.sha256
            );
        }
        assert_eq!(blobs.len(), MEETING_PHOTOS.len());
        // No unfinished upload is left behind in the database.
        let left = storage_rows(
            &farm,
            "SELECT COUNT(*) FROM tus_uploads WHERE info NOT LIKE '%\"published\":true%'",
        );
        assert_eq!(left, 0, "unfinished uploads left");
        let chunks = storage_rows(&farm, "SELECT COUNT(*) FROM tus_chunks");
        assert_eq!(chunks, 0, "upload pieces left after publication");
    }

    /// A count from the farm's database.
    fn storage_rows(farm: &Farm, sql: &str) -> i64 {
        let mut client = postgres::Client::connect(&farm.db.url, postgres::NoTls)
            .expect("connect to the farm's database");
        client.query_one(sql, &[]).expect(sql).get(0)
    }

    #[test]
    #[ignore = "needs PostgreSQL, S3 and HAProxy: tests/run cluster"]
    fn a_process_killed_during_a_push_loses_and_duplicates_nothing() {
        let mut farm = Farm::start(3, "");
        let town = Town::create(&farm, "kt", small_commune(1));
        let secretary = town.secretary_phone(&farm, 0);
        let cadre = town.cadre_phone(&farm, 0);
        let cell = town.cell(0).clone();

        // A year of meetings recorded offline: a push of several requests.
        let meetings: Vec<Id> = (0..12)
            .map(|month| {
                record_meeting_at(&secretary, &town, 0, now() - (month * 31 + 1) * 86_400_000)
            })
            .collect();
        let pending = pending_outbox(&secretary);
        assert!(pending >= 100, "a long push: {pending} changes");

        // The push runs; the first process seen serving it is killed with SIGKILL.
        let pusher = Arc::new(secretary);
        let push = std::thread::spawn({
            let phone = pusher.clone();
            move || phone.sync()
        });
        let victim = loop {
            if let Some(i) = (0..3).find(|&i| farm.requests_in_flight(i, SYNC_PATH) > 0) {
                break i;
            }
            assert!(
                !push.is_finished(),
                "the push ended before any process was seen serving it"
            );
            std::thread::sleep(Duration::from_millis(2));
        };
        farm.kill_process(victim);
        let first = push.join().expect("the push thread");
        eprintln!(
            "killed chibo{} during the push; the phone's run: {:?}",
            victim + 1,
            first.as_ref().map(|r| r.summary.clone())
        );
        // The push request the killed process was serving never finished there: it died
        // mid-request. (HAProxy may have sent that request again to another process, which
        // acknowledges what was committed instead of applying it twice.)
        assert!(
            farm.requests_in_flight(victim, SYNC_PATH) > 0,
            "chibo{} finished its requests before the kill",
            victim + 1
        );

        // The phone syncs again (as its scheduler would) through the two left; then the
        // killed process comes back and takes its share again.
        let secretary = Arc::try_unwrap(pusher).ok().expect("the only phone handle");
        converge(&[&secretary, &cadre, &town.office], 8);
        farm.start_process(victim);
        farm.wait_in_rotation(victim);
        converge(&[&secretary, &cadre, &town.office], 3);

        let expected = expected_of(&town, 0, &secretary, &meetings);
        assert_eq!(expected.meetings, 12);
        assert_converged(&farm, &town, &cell.id, &expected, &[&secretary, &cadre]);
    }

    #[test]
    #[ignore = "needs PostgreSQL, S3 and HAProxy: tests/run cluster"]
    fn the_office_signs_in_on_one_process_and_acts_on_another() {
        let farm = Farm::start(3, "");
        let town = Town::create(&farm, "vp", small_commune(1));
        let secretary = town.secretary_phone(&farm, 0);
        let cell = town.cell(0).clone();
        let recorded = record_signed_meeting(&secretary, &town, 0, &[]);
        sync_all(&secretary);
        let petition = ok(
            secretary.store.meeting_record(recorded.meeting_id.clone()),
            "read",
        )
        .petitions[0]
            .clone();
        make_office_account(&farm, &town.seed.id);

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let answer = "Xã đã bố trí kinh phí sửa đường nước trong tháng 12";
        runtime.block_on(async {
            // One browser (one cookie jar: cookies do not depend on the port).
            let http = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let on = |i: usize, path: &str| format!("{}{path}", farm.process_url(i));

            // Sign in on process 1.
            let form = http
                .get(on(0, "/login"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let signed_in = http
                .post(on(0, "/login"))
                .form(&[
                    ("username", OFFICE_USER),
                    ("password", OFFICE_PASSWORD),
                    ("next", "/"),
                    ("csrf", &hidden(&form, "csrf")),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(
                signed_in.status(),
                StatusCode::SEE_OTHER,
                "sign-in on process 1"
            );

            // The inbox on process 2, the answer posted to process 3.
            let inbox_path = format!("/communes/{}/petitions", town.seed.id);
            let inbox = http.get(on(1, &inbox_path)).send().await.unwrap();
            assert_eq!(inbox.status(), StatusCode::OK, "the session on process 2");
            let inbox = inbox.text().await.unwrap();
            let respond = format!("{inbox_path}/{}/respond", petition.id);
            let answered = http
                .post(on(2, &respond))
                .form(&[
                    ("action", "answer"),
                    ("text", answer),
                    ("csrf", &hidden(&inbox, "csrf")),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(
                answered.status(),
                StatusCode::SEE_OTHER,
                "the answer on process 3"
            );

            // Signed out on process 3: process 1 no longer knows the session either.
            let page = http
                .get(on(2, &inbox_path))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let out = http
                .post(on(2, "/logout"))
                .form(&[("csrf", hidden(&page, "csrf"))])
                .send()
                .await
                .unwrap();
            assert_eq!(out.status(), StatusCode::SEE_OTHER);
            let after = http.get(on(0, &inbox_path)).send().await.unwrap();
            assert_eq!(
                after.status(),
                StatusCode::SEE_OTHER,
                "signed out everywhere"
            );

            // TLS at the load balancer: the same dashboard over HTTPS (a throwaway
            // self-signed certificate here), and plain HTTP from elsewhere than loopback is
            // sent to HTTPS (not testable from loopback; see haproxy.cfg).
            let tls = reqwest::Client::builder()
                .danger_accept_invalid_certs(true)
                .build()
                .unwrap();
            let over_tls = tls
                .get(format!("{}/login", farm.https_url()))
                .send()
                .await
                .unwrap();
            assert_eq!(over_tls.status(), StatusCode::OK);
            assert!(over_tls.headers().contains_key("x-chibo-process"));
        });

        // The answer reaches the secretary's phone through the load balancer.
        converge(&[&secretary, &town.office], 5);
        let on_phone = ok(
            secretary.store.petitions_of_cell(cell.id.clone()),
            "petitions",
        );
        let mine = on_phone
            .iter()
            .find(|p| p.petition.id == petition.id)
            .expect("the petition");
        assert_eq!(mine.responses.len(), 1, "answered once");
        assert_eq!(mine.responses[0].text, answer);
    }

    const OFFICE_USER: &str = "vanphong.kt";
    const OFFICE_PASSWORD: &str = "mật-khẩu-văn-phòng-2025";

    fn make_office_account(farm: &Farm, commune_id: &str) {
        use chibo_server::accounts::users::{self, DashboardRole, NewUser};
        users::create_user(
            chibo_e2e::Site::storage(farm),
            NewUser {
                username: OFFICE_USER.into(),
                display_name: "Hà Thị Lan".into(),
                password: OFFICE_PASSWORD.into(),
                role: DashboardRole::CommuneAdmin,
                commune_id: Some(commune_id.to_string()),
                province_id: None,
            },
            now(),
        )
        .expect("create the office's dashboard account");
    }

    /// The value of the hidden input `name` in a page.
    fn hidden(html: &str, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = html
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} in {html}"))
            + marker.len();
        let end = html[start..].find('"').unwrap() + start;
        html[start..end].to_string()
    }
}

//! Trust in the record, on phones running the real core against the real server: what
//! small pages, moves, two phones of one person, a lost write and a moved assignment do
//! to what each phone holds.

use chibo_domain::sync::Role;
use chibo_domain::*;
use chibo_e2e::*;
use chibo_server::admin;

fn person_id(phone: &chibo_demo::Phone) -> String {
    ok(phone.status(), "status")
        .enrolled_as
        .expect("enrolled")
        .person_id
}

/// Syncs until nothing is left (a small page size takes several runs).
fn sync_until_complete(phone: &chibo_demo::Phone) -> Vec<chibo_core::sync::SyncReport> {
    let mut reports = Vec::new();
    for _ in 0..50 {
        let report = ok(phone.sync(), "sync");
        let done = report.complete;
        reports.push(report);
        if done {
            return reports;
        }
    }
    panic!("{} never finished syncing", phone.name);
}

#[test]
fn small_pages_never_lose_a_reference_and_a_fresh_phone_refuses_nothing() {
    // S1, S2: with pages of 3, a new cadre's phone refused the commune page's assignment
    // (its cell came later) and never held it; every fresh secretary phone reported the
    // other cells' assignments as "could not be applied".
    let cluster = Cluster::start_with(|config| config.max_pull = 3);
    let town = Town::create(&cluster, "xh", small_commune(3));
    let cadre = town.cadre_of(0);
    let cadre_phone = cluster.phone("xh-can-bo-trang");
    let code = town.issue(
        &cluster,
        &cadre.full_name,
        Role::Cadre {
            cadre_id: cadre.id.clone(),
        },
    );
    ok(cadre_phone.enroll(&cluster.url(), &code), "enrol the cadre");
    let reports = sync_until_complete(&cadre_phone);
    assert!(reports.iter().all(|r| r.pulled_refused == 0), "{reports:?}");
    let overview = ok(
        cadre_phone.store.cadre_overview(cadre.id.clone()),
        "overview",
    );
    let assigned: Vec<&str> = overview.cells.iter().map(|c| c.cell_id.as_str()).collect();
    assert!(assigned.contains(&town.cell(0).id.as_str()), "{assigned:?}");
    assert!(overview.cells.iter().all(|c| c.cell.is_some()));
    assert!(ok(cadre_phone.status(), "status")
        .needs_attention
        .is_empty());

    let secretary = town.secretary_phone(&cluster, 1);
    let reports = sync_until_complete(&secretary);
    assert!(reports.iter().all(|r| r.pulled_refused == 0), "{reports:?}");
    let status = ok(secretary.status(), "status");
    assert!(
        status.needs_attention.is_empty(),
        "{:?}",
        status.needs_attention
    );
    assert!(reports
        .iter()
        .all(|r| !r.summary.contains("không áp dụng được")));
}

#[test]
fn a_member_moved_to_another_cell_leaves_the_old_cells_roster() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(2));
    let secretary_a = town.secretary_phone(&cluster, 0);
    let secretary_b = town.secretary_phone(&cluster, 1);
    let mut moved = town.roster(0)[4].clone();
    let a = town.cell(0).id.clone();
    let b = town.cell(1).id.clone();
    moved.cell_id = b.clone();
    ok(
        town.office.store.save_member(moved.clone()),
        "move the member",
    );
    sync_all(&town.office);

    sync_all(&secretary_a);
    let roster_a = ok(secretary_a.store.members(a), "roster of A");
    assert!(roster_a.iter().all(|m| m.id != moved.id), "{roster_a:?}");
    sync_all(&secretary_b);
    let roster_b = ok(secretary_b.store.members(b), "roster of B");
    assert!(roster_b.iter().any(|m| m.id == moved.id));
}

#[test]
fn two_phones_of_one_secretary_keep_both_edits_and_print_the_same_minutes() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(1));
    let first = town.secretary_phone(&cluster, 0);
    let code = admin::issue_code(
        cluster.storage(),
        &town.seed.id,
        &person_id(&first),
        3_600_000,
        now(),
        &cluster.url(),
    )
    .expect("a second code")
    .qr;
    let second = cluster.phone("xh-bi-thu-0-may-rieng");
    ok(
        second.enroll(&cluster.url(), &code),
        "enrol the second phone",
    );
    // A draft both phones hold.
    let roster = town.roster(0);
    let meeting = ok(
        first.store.plan_meeting(
            town.cell(0).id.clone(),
            MeetingKind::Regular,
            now() - 30 * 60_000,
            "Nhà văn hóa".into(),
        ),
        "plan",
    );
    sync_all(&first);
    sync_all(&second);

    // Offline, each edits a different field of the header and adds a speech.
    let mut on_first = ok(first.store.meeting(meeting.id.clone()), "read");
    on_first.chair_id = Some(roster[0].id.clone());
    ok(
        first.store.update_meeting(on_first),
        "first edits the chair",
    );
    let mut on_second = ok(second.store.meeting(meeting.id.clone()), "read");
    on_second.conclusion = Some("Thống nhất làm đường bê tông nội bản".into());
    ok(
        second.store.update_meeting(on_second),
        "second edits the conclusion",
    );
    for (phone, who, gist) in [
        (&first, 1, "Ý kiến ghi trên máy thứ nhất"),
        (&second, 2, "Ý kiến ghi trên máy thứ hai"),
    ] {
        ok(
            phone.store.add_speech(
                meeting.id.clone(),
                Speaker::Member {
                    member_id: roster[who].id.clone(),
                },
                gist.to_string(),
            ),
            "a speech",
        );
    }
    for _ in 0..2 {
        sync_all(&first);
        sync_all(&second);
    }
    let one = ok(first.store.meeting_record(meeting.id.clone()), "read");
    let two = ok(second.store.meeting_record(meeting.id.clone()), "read");
    assert_eq!(one.meeting.chair_id, Some(roster[0].id.clone()));
    assert_eq!(
        one.meeting.conclusion.as_deref(),
        Some("Thống nhất làm đường bê tông nội bản")
    );
    assert_eq!(one, two, "both phones hold the same record");
    assert_eq!(one.speeches.len(), 2);
    assert_eq!(
        server_record(&cluster, &town.seed.id, &meeting.id),
        Some(one.clone())
    );
    assert_eq!(
        ok(first.store.minutes_text(meeting.id.clone()), "minutes"),
        ok(second.store.minutes_text(meeting.id.clone()), "minutes"),
        "the same minutes from either phone"
    );
    // Neither lost anything, so neither is told of a lost edit.
    for phone in [&first, &second] {
        let attention = ok(phone.status(), "status").needs_attention;
        assert!(
            attention.iter().all(|a| a.code != "superseded"),
            "{attention:?}"
        );
    }

    // Both edit the conclusion: the later one wins, the other phone is told.
    let mut a = ok(first.store.meeting(meeting.id.clone()), "read");
    a.conclusion = Some("Kết luận của máy thứ nhất".into());
    ok(first.store.update_meeting(a), "first");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut b = ok(second.store.meeting(meeting.id.clone()), "read");
    b.conclusion = Some("Kết luận của máy thứ hai".into());
    ok(second.store.update_meeting(b), "second");
    sync_all(&second);
    sync_all(&first);
    sync_all(&second);
    let kept = ok(first.store.meeting(meeting.id.clone()), "read").conclusion;
    assert_eq!(kept.as_deref(), Some("Kết luận của máy thứ hai"));
    let told = ok(first.status(), "status").needs_attention;
    assert!(
        told.iter()
            .any(|a| a.code == "superseded" && a.reason.contains("kết luận")),
        "{told:?}"
    );
}

#[test]
fn a_phone_that_lost_its_last_writes_numbers_again_and_nothing_new_is_lost() {
    // A phone without a durable disk lost its last commits in a power cut: the server
    // had them. Its next changes reuse those numbers; the server calls that a conflict
    // (never "applied"), the phone numbers them again, and they all arrive.
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(1));
    let secretary = town.secretary_phone(&cluster, 0);
    let name = secretary.name.clone();
    let dir = secretary.dir.clone();
    drop(secretary);
    let backup = tempfile::tempdir().unwrap();
    copy_dir(&dir, backup.path());

    let phone = chibo_demo::Phone::open(&name, &dir).unwrap();
    let lost = record_month(&phone, &town, 0, 60);
    sync_all(&phone);
    assert!(server_record(&cluster, &town.seed.id, &lost).is_some());
    drop(phone);
    // The power cut: the store is back where it was before that meeting.
    std::fs::remove_dir_all(&dir).unwrap();
    copy_dir(backup.path(), &dir);

    let phone = chibo_demo::Phone::open(&name, &dir).unwrap();
    let kept = record_month(&phone, &town, 0, 5);
    let report = sync_all(&phone);
    assert_eq!(report.pending_changes, 0, "{}", report.summary);
    let on_phone = ok(phone.store.meeting_record(kept.clone()), "read");
    assert_eq!(
        server_record(&cluster, &town.seed.id, &kept),
        Some(on_phone),
        "the new meeting reached the server whole"
    );
    assert!(server_record(&cluster, &town.seed.id, &lost).is_some());
    assert_log_holds_each_change_once(&server_log(&cluster, &town.seed.id));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_cadre_moved_to_another_cell_keeps_syncing_and_forgets_the_old_one() {
    // M4: the office re-pointed the assignment and the cadre's phone got 403 on every
    // sync until reinstalled.
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "xh", small_commune(2));
    let secretary = town.secretary_phone(&cluster, 0);
    let meeting = record_month(&secretary, &town, 0, 30);
    sync_all(&secretary);
    let cadre = town.cadre_of(0);
    let cadre_phone = town.cadre_phone(&cluster, 0);
    sync_all(&cadre_phone);
    let a = town.cell(0).id.clone();
    let b = town.cell(1).id.clone();
    assert!(phone_cells(&cadre_phone).contains(&a));
    assert!(ok(cadre_phone.store.meeting(meeting.clone()), "A's meeting").id == meeting);

    let moved = chibo_domain::compliance::Assignment {
        cell_id: b.clone(),
        ..town.assignment_of(&cadre)
    };
    ok(town.office.store.assign(moved), "move the assignment");
    sync_all(&town.office);

    let report = sync_all(&cadre_phone);
    assert!(report.rejected.is_empty(), "{}", report.summary);
    assert!(
        cadre_phone.store.meeting(meeting).is_err(),
        "A's records are gone"
    );
    let members_a = ok(cadre_phone.store.members(a), "A's roster");
    assert!(members_a.is_empty());
    let members_b = ok(cadre_phone.store.members(b), "B's roster");
    assert!(!members_b.is_empty());
}

//! The seeded history reaches the server whole through the phones, varied the way the
//! dashboard needs it, and the demo's accounts exist.

use std::net::SocketAddr;

use chibo_demo::{seed_with_history, SeedOptions};
use chibo_domain::checkin::VerdictStatus;
use chibo_domain::PetitionStatus;
use chibo_server::accounts::users;
use chibo_server::docs::CommuneDocs;
use chibo_server::figures::reports;
use chibo_server::storage;

#[test]
fn three_months_of_xuan_hoa_reach_the_server_with_the_figures_the_seed_expects() {
    let dir = std::env::temp_dir().join(format!("chibo-demo-history-{}", std::process::id()));
    let demo = seed_with_history(&SeedOptions {
        data_dir: dir.clone(),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        months_before: 2,
        ..SeedOptions::default()
    })
    .expect("seeding");

    assert_eq!(demo.months.len(), 3);
    assert_eq!(demo.pending_everywhere, 0, "every phone synced everything");

    // Last month every cell met; the server holds each meeting, signed.
    let last = demo.months[1];
    let expected = demo.expected(&last).expect("expected figures");
    assert_eq!(expected.cells_met, 43);
    let storage = demo.storage();
    let commune_id = demo.commune.id.clone();
    let summary = storage::read(storage.as_ref(), |tx| {
        reports::summary(
            &CommuneDocs::new(tx, &commune_id),
            "Xuân Hòa",
            last.year,
            last.month,
        )
    })
    .expect("summary");
    assert_eq!(summary.held_this_month as usize, expected.cells_met);
    assert_eq!(summary.signed_this_month as usize, expected.cells_met);
    assert_eq!(
        summary.check_ins_this_month.needs_review as usize,
        expected.needs_review
    );
    assert_eq!(
        (summary.check_ins_this_month.verified + summary.check_ins_this_month.needs_review)
            as usize,
        expected.check_ins
    );

    // The figures vary: attendance under 100 %, more than one grade, some check-ins to
    // review, petitions both waiting and dealt with.
    let mut grades = [0usize; 4];
    for month in &demo.months {
        let e = demo.expected(month).expect("expected figures");
        assert!(e.present <= e.expected);
        for (g, n) in e.grades.iter().enumerate() {
            grades[g] += n;
        }
    }
    assert!(expected.present < expected.expected);
    assert!(
        grades.iter().filter(|n| **n > 0).count() >= 3,
        "grades spread: {grades:?}"
    );
    assert!(demo
        .check_ins
        .iter()
        .any(|c| c.status == VerdictStatus::NeedsReview));
    assert!(demo
        .check_ins
        .iter()
        .any(|c| c.status == VerdictStatus::Verified));
    assert!(demo
        .petitions
        .iter()
        .any(|p| p.status == PetitionStatus::Raised));
    let answered = demo
        .petitions
        .iter()
        .find(|p| p.status == PetitionStatus::Answered)
        .expect("an answered petition");

    // The answer reached the secretary's phone.
    let secretary = &demo.secretaries[answered.cell_index];
    let on_phone = secretary
        .store
        .petitions_of_cell(demo.commune.cells[answered.cell_index].id.clone())
        .expect("petitions");
    let thread = on_phone
        .iter()
        .find(|t| t.petition.id == answered.petition_id)
        .expect("the petition is on the phone");
    assert_eq!(thread.petition.status, PetitionStatus::Answered);

    // The dashboard's first admin and a viewer of this commune.
    let accounts = users::list_users(storage.as_ref()).expect("users");
    for (user, role) in demo.users.iter().zip(["commune_admin", "commune_viewer"]) {
        let account = accounts
            .iter()
            .find(|a| a.username == user.username)
            .expect("account stored");
        assert_eq!(account.role, role);
        assert_eq!(account.commune_id.as_deref(), Some(commune_id.as_str()));
        assert!(user.password.len() >= users::MIN_PASSWORD_CHARS);
    }

    demo.stop().expect("server stops");
    let _ = std::fs::remove_dir_all(&dir);
}

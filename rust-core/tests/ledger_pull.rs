//! Changes coming down from the commune server, on real SQLite files: a page applied in
//! one transaction with its cursor, last-writer-wins by HLC both ways, petition answers
//! reaching every revision of signed minutes, refusals reported without stopping the
//! page, the device's own changes coming back, and the server's check-in verdict.

mod store_support;

use chibo_core::keystore::FileKeystore;
use chibo_core::store::schema::MIGRATIONS;
use chibo_core::store::{Store, StoreError, StoreErrorKind};
use chibo_core::visits::{self, CheckInRequest, PhotoRef};
use chibo_domain::change::Change;
use chibo_domain::checkin::{GpsFix, Verdict, VerdictStatus};
use chibo_domain::compliance::{Assignment, Cadre};
use chibo_domain::hlc::Hlc;
use chibo_domain::sync::{PulledChange, Scope, ScopeCursor, ScopePage};
use chibo_domain::*;
use rusqlite::Connection;
use store_support::*;

/// A page of `scope` holding `changes` numbered from `first_seq`.
fn page(scope: &Scope, first_seq: u64, changes: Vec<(Hlc, Change)>) -> ScopePage {
    let changes: Vec<PulledChange> = changes
        .into_iter()
        .zip(first_seq..)
        .map(|((hlc, change), server_seq)| PulledChange {
            server_seq,
            hlc,
            change,
        })
        .collect();
    ScopePage {
        scope: scope.clone(),
        cursor: changes.last().map_or(first_seq - 1, |c| c.server_seq),
        changes,
    }
}

/// What a device pushed, as the server's log of its scope would send it down.
fn pushed(store: &Store) -> Vec<(Hlc, Change)> {
    store
        .outbox_pending()
        .unwrap()
        .into_iter()
        .map(|e| (e.hlc.clone(), e.change().unwrap()))
        .collect()
}

/// A change written at the commune office.
fn office(millis: EpochMillis, change: Change) -> (Hlc, Change) {
    let hlc = Hlc {
        millis,
        counter: 0,
        node: "office-0190a000-0000-7000-8000-00000000000f".into(),
    };
    (hlc, change)
}

fn cell_scope(fx: &Fixture) -> Scope {
    Scope::Cell(fx.cell.id.clone())
}

/// The secretary's device with a meeting recorded and signed; returns its id and the
/// petition raised at it.
fn signed_meeting(fx: &Fixture, store: &mut Store, start: EpochMillis) -> (Id, Petition) {
    let plan = Plan::new(fx, start);
    store.apply_all(record_changes(fx, &plan), start).unwrap();
    let signed_at = start + 3 * 60 * MINUTE;
    store
        .apply(
            Change::SignMeeting {
                meeting_id: plan.meeting_id.clone(),
                signature: signature(fx, signed_at),
            },
            signed_at,
        )
        .unwrap();
    let petition = store.meeting_record(&plan.meeting_id).unwrap().petitions[0].clone();
    (plan.meeting_id, petition)
}

fn respond(n: u64, petition: &Petition, status: PetitionStatus, text: &str) -> Change {
    Change::RespondToPetition {
        response: PetitionResponse {
            id: new_id(),
            petition_id: petition.id.clone(),
            status,
            text: text.into(),
            responder: "Văn phòng Đảng ủy xã Xuân Hòa".into(),
            responded_at: at(2026, 4, 1 + n as u32, 9, 0),
        },
    }
}

fn guidance(fx: &Fixture, title: &str) -> Guidance {
    Guidance {
        id: new_id(),
        commune_id: fx.cell.commune_id.clone(),
        kind: GuidanceKind::MonthlyGuidance,
        title: title.into(),
        body: "Tập trung phòng chống cháy rừng mùa khô; học tập Chỉ thị 50-CT/TW.".into(),
        period: "2026-04".into(),
        cell_ids: vec![],
        attachments: vec![],
        published_at: at(2026, 3, 28, 8, 0),
    }
}

#[test]
fn a_page_lands_whole_with_its_cursor_and_writes_no_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let mut secretary = fx.store(&dir.path().join("secretary.db"), start - DAY);
    let (meeting_id, _) = signed_meeting(&fx, &mut secretary, start);

    // Another device of the cell (a new phone, say) pulls everything the secretary did.
    let mut other = Store::open(&dir.path().join("other.db")).unwrap();
    let scope = cell_scope(&fx);
    let changes = pushed(&secretary);
    let count = changes.len() as u32;
    let first = page(&scope, 1, changes);
    let now = start + DAY;
    let report = other.apply_pulled(&first, now).unwrap();
    assert_eq!(report.applied, count, "{report:?}");
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(
        other.meeting_record(&meeting_id).unwrap(),
        secretary.meeting_record(&meeting_id).unwrap()
    );
    assert_eq!(
        other.meeting_history(&fx.cell.id).unwrap(),
        secretary.meeting_history(&fx.cell.id).unwrap(),
        "cached totals are computed for pulled meetings too"
    );
    assert_eq!(other.pending_change_count().unwrap(), 0);
    assert_eq!(
        other.scope_cursors().unwrap(),
        vec![ScopeCursor {
            scope: scope.clone(),
            after: u64::from(count)
        }]
    );
    // Later local edits sort after everything pulled.
    let newest = first.changes.iter().map(|c| &c.hlc).max().unwrap();
    other
        .apply(
            Change::UpsertCell {
                cell: fx.cell.clone(),
            },
            now,
        )
        .unwrap();
    assert!(other.outbox_pending().unwrap()[0].hlc > *newest);

    // The same page again (its answer was lost) changes nothing.
    let before = row_counts(&other);
    let again = other.apply_pulled(&first, now).unwrap();
    assert_eq!(again.already_present, count);
    assert_eq!(again.applied, 0);
    assert_eq!(row_counts(&other), before);

    // A page whose storage fails midway leaves nothing behind, cursor included.
    other
        .connection()
        .execute_batch("DROP TABLE guidance")
        .unwrap();
    let renamed = Cell {
        name: "Chi bộ bản Nà Hẩu mới".into(),
        ..fx.cell.clone()
    };
    let broken = page(
        &scope,
        u64::from(count) + 1,
        vec![
            office(now + DAY, Change::UpsertCell { cell: renamed }),
            office(
                now + DAY,
                Change::PublishGuidance {
                    guidance: guidance(&fx, "Định hướng tháng 4"),
                },
            ),
        ],
    );
    let err = other.apply_pulled(&broken, now + DAY).unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Storage, "{err:?}");
    assert_eq!(other.cell(&fx.cell.id).unwrap().name, fx.cell.name);
    assert_eq!(other.scope_cursors().unwrap()[0].after, u64::from(count));
}

#[test]
fn the_devices_own_changes_coming_back_are_already_present() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let mut secretary = fx.store(&dir.path().join("secretary.db"), start - DAY);
    let (meeting_id, _) = signed_meeting(&fx, &mut secretary, start);
    let changes = pushed(&secretary);
    let count = changes.len() as u32;
    let record = secretary.meeting_record(&meeting_id).unwrap();
    let before = row_counts(&secretary);

    // Every change the server logged for the cell, the signed meeting's included.
    let report = secretary
        .apply_pulled(&page(&cell_scope(&fx), 1, changes), start + DAY)
        .unwrap();
    assert_eq!(report.already_present, count, "{report:?}");
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(secretary.meeting_record(&meeting_id).unwrap(), record);
    let after = row_counts(&secretary);
    let changed: Vec<_> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, _)| b.0.clone())
        .collect();
    assert_eq!(changed, vec!["scope_cursors".to_string()]);
}

#[test]
fn the_later_write_wins_whichever_side_made_it() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let mut a = fx.store(&dir.path().join("a.db"), start - DAY);
    let plan = Plan::new(&fx, start);
    a.apply_all(record_changes(&fx, &plan), start).unwrap();
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    b.apply_pulled(&page(&cell_scope(&fx), 1, pushed(&a)), start + MINUTE)
        .unwrap();
    let mut seq = a.outbox_pending().unwrap().len() as u64 + 1;
    let header = a.meeting(&plan.meeting_id).unwrap();
    let conclude = |text: &str| Change::UpdateMeeting {
        meeting: Meeting {
            conclusion: Some(text.into()),
            ..header.clone()
        },
        fields: vec![],
    };

    // A edits first (offline), then B edits locally; A's older edit arrives later.
    let before_a = a.outbox_pending().unwrap().len();
    a.apply(conclude("Kết luận của máy A"), start + 10 * MINUTE)
        .unwrap();
    b.apply(conclude("Kết luận của máy B"), start + 20 * MINUTE)
        .unwrap();
    let a_edit: Vec<_> = pushed(&a).split_off(before_a);
    let report = b
        .apply_pulled(&page(&cell_scope(&fx), seq, a_edit), start + 30 * MINUTE)
        .unwrap();
    seq += 1;
    assert_eq!(report.skipped_older, 1, "{report:?}");
    assert_eq!(
        b.meeting(&plan.meeting_id).unwrap().conclusion.as_deref(),
        Some("Kết luận của máy B")
    );

    // Now A edits again, later than B: B takes it.
    let before_a = a.outbox_pending().unwrap().len();
    a.apply(conclude("Kết luận cuối cùng"), start + 40 * MINUTE)
        .unwrap();
    let a_edit: Vec<_> = pushed(&a).split_off(before_a);
    let report = b
        .apply_pulled(&page(&cell_scope(&fx), seq, a_edit), start + 50 * MINUTE)
        .unwrap();
    assert_eq!(report.applied, 1, "{report:?}");
    assert_eq!(
        b.meeting(&plan.meeting_id).unwrap().conclusion.as_deref(),
        Some("Kết luận cuối cùng")
    );

    // The fields are separate: a member's mark is not the header.
    let mark = |attendance| Change::SetAttendance {
        meeting_id: plan.meeting_id.clone(),
        entry: RollCallEntry {
            member_id: fx.id(4),
            attendance,
            reason: None,
        },
    };
    let old = Hlc {
        millis: start,
        counter: 0,
        node: "z".into(),
    };
    b.apply(mark(Attendance::Late), start + 60 * MINUTE)
        .unwrap();
    let report = b
        .apply_pulled(
            &page(
                &cell_scope(&fx),
                seq + 1,
                vec![
                    (old.clone(), mark(Attendance::AbsentUnexcused)),
                    (old, conclude("Cũ hơn")),
                ],
            ),
            start + 70 * MINUTE,
        )
        .unwrap();
    assert_eq!(report.skipped_older, 2, "{report:?}");
    let roll_call = b.meeting_record(&plan.meeting_id).unwrap().roll_call;
    let mine = roll_call.iter().find(|e| e.member_id == fx.id(4)).unwrap();
    assert_eq!(mine.attendance, Attendance::Late);
}

#[test]
fn an_answer_after_signing_reaches_every_revision_of_the_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let mut secretary = fx.store(&dir.path().join("secretary.db"), start - DAY);
    let (meeting_id, petition) = signed_meeting(&fx, &mut secretary, start);
    let revision =
        chibo_core::flow::start_correction(&mut secretary, &meeting_id, start + DAY).unwrap();
    let scope = cell_scope(&fx);
    let report = secretary
        .apply_pulled(
            &page(
                &scope,
                100,
                vec![
                    office(
                        start + 2 * DAY,
                        respond(1, &petition, PetitionStatus::Forwarded, "Chuyển UBND xã"),
                    ),
                    office(
                        start + 5 * DAY,
                        respond(
                            4,
                            &petition,
                            PetitionStatus::Answered,
                            "UBND xã sẽ thay đường ống trong tháng 4",
                        ),
                    ),
                ],
            ),
            start + 6 * DAY,
        )
        .unwrap();
    assert_eq!(report.applied, 2, "{report:?}");

    for id in [&meeting_id, &revision.id] {
        let record = secretary.meeting_record(id).unwrap();
        assert_eq!(record.petitions.len(), 1);
        assert_eq!(record.petitions[0].status, PetitionStatus::Answered, "{id}");
    }
    // The signed minutes are otherwise untouched.
    assert_eq!(
        secretary.meeting(&meeting_id).unwrap().status,
        MeetingStatus::Signed
    );
    let listed = secretary.petitions_of_cell(&fx.cell.id).unwrap();
    assert_eq!(listed.len(), 1, "one petition, however many revisions");
    assert_eq!(listed[0].petition.status, PetitionStatus::Answered);
    let answers: Vec<(&str, &str)> = listed[0]
        .responses
        .iter()
        .map(|r| (r.text.as_str(), r.responder.as_str()))
        .collect();
    assert_eq!(
        answers,
        vec![
            ("Chuyển UBND xã", "Văn phòng Đảng ủy xã Xuân Hòa"),
            (
                "UBND xã sẽ thay đường ống trong tháng 4",
                "Văn phòng Đảng ủy xã Xuân Hòa"
            ),
        ]
    );
    assert_eq!(listed[0].responses[1].responded_at, at(2026, 4, 5, 9, 0));
}

#[test]
fn a_refused_change_is_reported_in_vietnamese_and_the_page_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let mut secretary = fx.store(&dir.path().join("secretary.db"), start - DAY);
    let (_, petition) = signed_meeting(&fx, &mut secretary, start);
    let notice = guidance(&fx, "Định hướng sinh hoạt chi bộ tháng 4/2026");
    let scope = Scope::Commune(fx.cell.commune_id.clone());
    let report = secretary
        .apply_pulled(
            &page(
                &scope,
                7,
                vec![
                    office(
                        start + DAY,
                        respond(1, &petition, PetitionStatus::Resolved, "Đã sửa xong"),
                    ),
                    // Resolved is final.
                    office(
                        start + 2 * DAY,
                        respond(2, &petition, PetitionStatus::Forwarded, ""),
                    ),
                    office(
                        start + 3 * DAY,
                        Change::PublishGuidance {
                            guidance: notice.clone(),
                        },
                    ),
                ],
            ),
            start + 3 * DAY,
        )
        .unwrap();
    assert_eq!(report.applied, 2, "{report:?}");
    assert_eq!(
        report.refused,
        vec![(
            8,
            "Kiến nghị đang ở trạng thái \"Đã giải quyết\", không thể chuyển sang \
             \"Đã chuyển xử lý\""
                .to_string()
        )]
    );
    assert_eq!(
        secretary.guidance_for_cell(&fx.cell.id).unwrap(),
        vec![notice]
    );
    assert_eq!(
        secretary.scope_cursors().unwrap(),
        vec![ScopeCursor { scope, after: 9 }]
    );
    let listed = secretary.petitions_of_cell(&fx.cell.id).unwrap();
    assert_eq!(listed[0].petition.status, PetitionStatus::Resolved);
    assert_eq!(listed[0].responses.len(), 1);

    // The same rule refuses it locally, as a validation error.
    let err = secretary
        .apply(
            respond(3, &petition, PetitionStatus::Answered, "Trả lời"),
            start + 4 * DAY,
        )
        .unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Validation);
    assert!(matches!(
        err,
        StoreError::Validation(ValidationError::PetitionTransition { .. })
    ));
}

#[test]
fn guidance_reaches_only_the_cells_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let mut store = fx.store(&dir.path().join("secretary.db"), start);
    let for_all = guidance(&fx, "Thông báo chung");
    let for_other = Guidance {
        cell_ids: vec![fx.other_cell.id.clone()],
        title: "Riêng chi bộ bản Co Muông".into(),
        published_at: for_all.published_at + 1,
        ..guidance(&fx, "")
    };
    for g in [&for_all, &for_other] {
        store
            .apply(
                Change::PublishGuidance {
                    guidance: g.clone(),
                },
                start,
            )
            .unwrap();
    }
    assert_eq!(
        store.guidance_for_cell(&fx.cell.id).unwrap(),
        vec![for_all.clone()]
    );
    assert_eq!(
        store.guidance_for_cell(&fx.other_cell.id).unwrap(),
        vec![for_other, for_all]
    );
    let blank = Guidance {
        title: " ".into(),
        ..guidance(&fx, "")
    };
    let err = store
        .apply(Change::PublishGuidance { guidance: blank }, start)
        .unwrap_err();
    assert!(err.to_string().contains("tiêu đề định hướng"), "{err}");
}

/// A cadre's phone holding the cell, the cadre and the assignment, and its keystore.
fn cadre_phone(
    dir: &std::path::Path,
    fx: &Fixture,
    now: EpochMillis,
) -> (Store, Cadre, FileKeystore) {
    let mut store = fx.store(&dir.join("cadre.db"), now);
    let cadre = Cadre {
        id: new_id(),
        commune_id: fx.cell.commune_id.clone(),
        full_name: "Nguyễn Văn Thành".into(),
        title: "Đảng ủy viên, phụ trách chi bộ".into(),
    };
    visits::save_cadre(&mut store, cadre.clone(), now).unwrap();
    visits::assign(
        &mut store,
        Assignment {
            id: String::new(),
            cadre_id: cadre.id.clone(),
            cell_id: fx.cell.id.clone(),
            working_team_id: None,
            starts_on: CalendarDate::from_ymd(2026, 1, 1).unwrap(),
            ends_on: None,
        },
        now,
    )
    .unwrap();
    let keystore = FileKeystore::open_at(&dir.join("device.key")).unwrap();
    (store, cadre, keystore)
}

fn check_in(
    store: &mut Store,
    keystore: &FileKeystore,
    fx: &Fixture,
    cadre: &Cadre,
    at: EpochMillis,
) -> chibo_domain::checkin::CheckIn {
    let request = CheckInRequest {
        meeting_id: new_id(),
        cell_id: fx.cell.id.clone(),
        cadre_id: cadre.id.clone(),
        photo: Some(PhotoRef {
            sha256: "3b7f0e0f8a3c1c9d4e5f60718293a4b5c6d7e8f90112233445566778899aabbc".into(),
            width: 1600,
            height: 1200,
            byte_size: 240_000,
        }),
        gps: Some(GpsFix {
            latitude: 21.5,
            longitude: 103.9,
            accuracy_m: 10.0,
            fix_time: at,
            mock_location: false,
        }),
        device_wall_time: at,
        monotonic_ms: 3_600_000,
        server_offset_ms: None,
        presence_code: "123456".into(),
    };
    visits::check_in(store, keystore, request, at).unwrap().0
}

#[test]
fn the_cadres_own_check_in_comes_back_already_present() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let (mut phone, cadre, keystore) = cadre_phone(dir.path(), &fx, start - DAY);
    let before = phone.outbox_pending().unwrap().len();
    check_in(&mut phone, &keystore, &fx, &cadre, start + 10 * MINUTE);
    let echo: Vec<_> = pushed(&phone).split_off(before);
    let is_check_in = |c: &Change| matches!(c, Change::RecordCheckIn { .. });
    assert!(echo.iter().any(|(_, c)| is_check_in(c)));
    let rows = row_counts(&phone);
    let checked_in = phone.check_ins_of_cadre(&cadre.id).unwrap();

    let report = phone
        .apply_pulled(&page(&cell_scope(&fx), 40, echo.clone()), start + DAY)
        .unwrap();
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(report.already_present, 1, "{report:?}");
    assert_eq!(phone.check_ins_of_cadre(&cadre.id).unwrap(), checked_in);
    assert_eq!(
        row_counts(&phone)
            .into_iter()
            .filter(|(t, _)| t != "scope_cursors")
            .collect::<Vec<_>>(),
        rows.into_iter()
            .filter(|(t, _)| t != "scope_cursors")
            .collect::<Vec<_>>()
    );

    // A different check-in under the same id is no echo: it is refused and reported.
    let (_, Change::RecordCheckIn { check_in, verdict }) =
        echo.iter().find(|(_, c)| is_check_in(c)).unwrap().clone()
    else {
        unreachable!()
    };
    let forged = Change::RecordCheckIn {
        check_in: chibo_domain::checkin::CheckIn {
            presence_code: "000000".into(),
            ..check_in
        },
        verdict,
    };
    let report = phone
        .apply_pulled(
            &page(&cell_scope(&fx), 50, vec![office(start + DAY, forged)]),
            start + DAY,
        )
        .unwrap();
    assert_eq!(report.refused.len(), 1, "{report:?}");
    assert!(
        report.refused[0].1.contains("Đã có lượt điểm danh"),
        "{report:?}"
    );
}

#[test]
fn the_servers_verdict_replaces_the_provisional_one() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let start = at(2026, 3, 24, 19, 0);
    let (mut phone, cadre, keystore) = cadre_phone(dir.path(), &fx, start - DAY);
    let made = check_in(&mut phone, &keystore, &fx, &cadre, start + 10 * MINUTE);
    let provisional = phone.check_in_verdict(&made.id).unwrap().unwrap();
    assert!(!provisional.from_server);
    assert_ne!(provisional.verdict.status, VerdictStatus::Verified);

    let final_verdict = Verdict {
        status: VerdictStatus::Verified,
        reasons: vec![],
        unchecked: vec![],
        effective_time: start + 12 * MINUTE,
        review: None,
    };
    let unknown = Change::SetCheckInVerdict {
        check_in_id: new_id(),
        verdict: final_verdict.clone(),
    };
    let report = phone
        .apply_pulled(
            &page(
                &cell_scope(&fx),
                1,
                vec![
                    office(start + DAY, unknown),
                    office(
                        start + DAY,
                        Change::SetCheckInVerdict {
                            check_in_id: made.id.clone(),
                            verdict: final_verdict.clone(),
                        },
                    ),
                ],
            ),
            start + DAY,
        )
        .unwrap();
    // A verdict on a check-in this phone does not hold waits for it; it is no refusal.
    assert_eq!(report.applied, 1, "{report:?}");
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(report.waiting, 1, "{report:?}");
    assert_eq!(phone.waiting_count().unwrap(), 1);

    let now = phone.check_in_verdict(&made.id).unwrap().unwrap();
    assert!(now.from_server);
    assert_eq!(now.verdict, final_verdict);
    // The cadre's own list and the compliance count see the server's verdict.
    let mine = visits::my_check_ins(&phone, &cadre.id).unwrap();
    assert_eq!(mine[0].verdict, final_verdict);
    let overview = visits::cadre_overview(&phone, &cadre.id, start + DAY).unwrap();
    assert_eq!(overview.compliance.per_cell[0].verified_this_month, 1);
}

#[test]
fn a_v3_store_upgrades_with_its_check_ins_and_petitions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    let fx = Fixture::new();
    let conn = Connection::open(&path).unwrap();
    for sql in &MIGRATIONS[..3] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", 3).unwrap();
    conn.execute(
        "INSERT INTO cells (id, commune_id, commune_name, name, kind) VALUES (?1, ?2, 'Xuân Hòa', ?3, 'village')",
        [&fx.cell.id, &fx.cell.commune_id, &fx.cell.name],
    )
    .unwrap();
    let petition_id = new_id();
    conn.execute(
        "INSERT INTO petitions (id, cell_id, content, category, raised_by, status, raised_at)
         VALUES (?1, ?2, 'Đường ống nước bị vỡ', 'infrastructure', 'Nhân dân bản', 'raised', 1)",
        [&petition_id, &fx.cell.id],
    )
    .unwrap();
    let check_in_id = new_id();
    let verdict = Verdict {
        status: VerdictStatus::Provisional,
        reasons: vec![],
        unchecked: vec![],
        effective_time: 5,
        review: None,
    };
    conn.execute(
        "INSERT INTO check_ins (id, meeting_id, cell_id, cadre_id, device_id, device_wall_time,
            monotonic_ms, presence_code, public_key_hex, signature_hex, verdict_status,
            effective_time, verdict)
         VALUES (?1, ?2, ?3, ?4, ?5, 5, 1, '123456', 'aa', 'bb', 'provisional', 5, ?6)",
        rusqlite::params![
            check_in_id,
            new_id(),
            fx.cell.id,
            new_id(),
            new_id(),
            serde_json::to_string(&verdict).unwrap()
        ],
    )
    .unwrap();
    drop(conn);

    let mut store = Store::open(&path).unwrap();
    let found = store.check_in_verdict(&check_in_id).unwrap().unwrap();
    assert_eq!(found.verdict, verdict);
    assert!(!found.from_server);
    assert!(store.scope_cursors().unwrap().is_empty());
    let listed = store.petitions_of_cell(&fx.cell.id).unwrap();
    assert_eq!(listed[0].petition.id, petition_id);
    assert!(listed[0].responses.is_empty());
    // The new tables work: the commune answers the old petition.
    let petition = listed[0].petition.clone();
    store
        .apply_pulled(
            &page(
                &cell_scope(&fx),
                1,
                vec![office(
                    10,
                    respond(1, &petition, PetitionStatus::Answered, "Đã có kế hoạch sửa"),
                )],
            ),
            20,
        )
        .unwrap();
    assert_eq!(
        store.petitions_of_cell(&fx.cell.id).unwrap()[0]
            .petition
            .status,
        PetitionStatus::Answered
    );
}

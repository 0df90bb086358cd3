//! The overview, the cells list and the cell page, through real HTTP against data synced
//! by phones: the numbers shown are those the domain's rules compute (judged here the slow
//! way, one record at a time with `CommuneDocs`' own context), members nearing the removal
//! line are named, and another commune's cell is not found. Plus the embedded assets.

mod support;

use reqwest::cookie::Jar;
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use std::sync::Arc;

use chibo_domain::change::Change;
use chibo_domain::labels::Label;
use chibo_domain::ledger::LedgerView;
use chibo_domain::model::*;
use chibo_domain::rules::{self, MeetingAssessment, MeetingContext, RuleSettings};
use chibo_server::accounts::users::DashboardRole;
use chibo_server::accounts::users::{self, NewUser};
use chibo_server::docs::{self, CommuneDocs};
use chibo_server::figures::months::{self, percent_text};
use chibo_server::figures::summaries::{self, MeetingSummary};
use chibo_server::storage::{self, DocFilter};
use support::*;

const PASSWORD: &str = "mat-khau-dung-1";

/// A's meetings in September, October (member 2 absent without reason both times) and on
/// 24/11; B has not met in November. The clock is then 26/11, so B is overdue.
async fn autumn() -> (World, Vec<Id>) {
    let mut w = World::new().await;
    let mut ids = Vec::new();
    for (month, unexcused) in [(9, true), (10, true), (11, false)] {
        let id = new_id();
        let mut changes = w.a.meeting_changes(&id, at(2026, month, 24, 19, 30));
        if unexcused {
            changes.push(Change::SetAttendance {
                meeting_id: id.clone(),
                entry: RollCallEntry {
                    member_id: w.a.id(2),
                    attendance: Attendance::AbsentUnexcused,
                    reason: None,
                },
            });
        }
        let response = w.secretary_a.push(&w.srv, changes).await;
        assert_all_applied(&response);
        ids.push(id);
    }
    w.srv.clock.set(at(2026, 11, 26, 9, 0));
    (w, ids)
}

/// The slow way: each record judged with the context `CommuneDocs` reads for it alone.
fn judged_slowly(docs: &CommuneDocs, meeting_id: &str) -> MeetingAssessment {
    let record = docs.record_of(meeting_id).unwrap().unwrap();
    let cell = docs.cell(&record.meeting.cell_id).unwrap().unwrap();
    let roster = docs.roster_of(&cell.id).unwrap();
    let previous_tasks = docs.previous_tasks(&record.meeting).unwrap();
    let earlier = docs.earlier_this_year(&record.meeting).unwrap();
    rules::assess_meeting(&MeetingContext {
        cell: &cell,
        roster: &roster,
        record: &record,
        previous_tasks: &previous_tasks,
        earlier_this_year: &earlier,
        settings: &RuleSettings::default(),
    })
}

#[tokio::test]
async fn the_monthly_figures_equal_the_rules_judging_each_record_on_its_own() {
    let (w, ids) = autumn().await;
    let now = w.srv.now();
    let commune_id = w.commune.id.clone();
    storage::read(&*w.srv.storage, |tx| {
        let docs = CommuneDocs::new(tx, &commune_id);
        let report = months::monthly_report_at(&docs, 2026, 11, now)?;
        let a = report
            .cells
            .iter()
            .find(|c| c.cell_id == w.a.cell.id)
            .unwrap();
        let b = report
            .cells
            .iter()
            .find(|c| c.cell_id == w.b.cell.id)
            .unwrap();
        let slow = judged_slowly(&docs, &ids[2]);
        assert!(a.met && !a.overdue);
        assert_eq!(a.meeting_id.as_ref(), Some(&ids[2]));
        assert_eq!(a.present, slow.attendance.present);
        assert_eq!(a.expected, slow.attendance.expected);
        assert_eq!(a.attendance_percent, slow.attendance.rate_percent);
        assert_eq!(a.quality_total, Some(slow.quality.total));
        assert_eq!(a.grade, Some(slow.quality.grade));
        assert_eq!(a.duration_minutes, Some(120));
        assert_eq!(a.petitions_raised, 1);
        assert!(!b.met && b.overdue, "B's day (24/11) has passed");
        assert_eq!(report.totals.met, 1);
        assert_eq!(report.totals.not_met, 1);
        assert_eq!(report.totals.overdue, 1);
        assert_eq!(report.totals.grades.total(), 1);
        assert_eq!(report.cadres.len(), 1);
        assert_eq!(report.cadres[0].required, 1, "the cadre is assigned to A");
        assert_eq!(report.cadres[0].done, 0);
        assert!(report.cadres[0].behind);

        // Every meeting, judged in one pass, equals the slow judgement: the removal watch
        // (which reads earlier months) included.
        let cell = docs.cell(&w.a.cell.id)?.unwrap();
        let roster = docs.roster_of(&cell.id)?;
        let fast = months::judge_all(&docs, &cell, &roster)?;
        assert_eq!(fast.len(), 3);
        for j in &fast {
            assert_eq!(j.assessment, judged_slowly(&docs, &j.record.meeting.id));
        }
        assert_eq!(fast[2].assessment.removal_watch.len(), 1);
        assert_eq!(fast[2].assessment.removal_watch[0].unexcused_absences, 2);

        // Before B's day, B has not met but is not overdue yet.
        let early = months::monthly_report_at(&docs, 2026, 11, at(2026, 11, 20, 8, 0))?;
        assert_eq!(early.totals.overdue, 0);
        assert_eq!(early.totals.not_met, 1);
        Ok(())
    })
    .unwrap();
}

/// Every stored meeting summary equals a fresh judgement of its cell's records, and no
/// other summary is stored.
fn assert_summaries_fresh(docs: &CommuneDocs) {
    let stored: Vec<MeetingSummary> = docs
        .list(docs::MEETING_SUMMARY, &DocFilter::default())
        .unwrap();
    let (from, until) = (i64::MIN / 2, i64::MAX / 2);
    let observations = summaries::observations(docs, from, until).unwrap();
    let mut judged = Vec::new();
    for cell in docs.cells().unwrap() {
        let roster = docs.roster_of(&cell.id).unwrap();
        let history = summaries::CellHistory::load(docs, &cell, &roster, from, until).unwrap();
        let all = history.judge(from, until, &observations);
        judged.extend(all.iter().map(MeetingSummary::from));
    }
    let key = |s: &MeetingSummary| (s.started_at, s.meeting_id.clone());
    let (mut stored, mut judged) = (stored, judged);
    stored.sort_by_key(key);
    judged.sort_by_key(key);
    assert_eq!(stored, judged);
}

fn summaries_are_fresh(w: &World) {
    storage::read(&*w.srv.storage, |tx| {
        assert_summaries_fresh(&CommuneDocs::new(tx, &w.commune.id));
        Ok(())
    })
    .unwrap();
}

fn november_row_of_a(w: &World) -> months::CellMonth {
    storage::read(&*w.srv.storage, |tx| {
        let docs = CommuneDocs::new(tx, &w.commune.id);
        let report = months::monthly_report_at(&docs, 2026, 11, w.srv.now())?;
        Ok(report
            .cells
            .into_iter()
            .find(|c| c.cell_id == w.a.cell.id)
            .unwrap())
    })
    .unwrap()
}

#[tokio::test]
async fn the_figures_follow_a_new_member_a_cadres_score_and_an_older_database() {
    let (mut w, ids) = autumn().await;
    summaries_are_fresh(&w);
    let before = november_row_of_a(&w);

    // A new member joins A: the rules expect them at every meeting not yet settled, so
    // November's attendance is judged again with one more expected.
    let mut newcomer = w.a.members[3].clone();
    newcomer.id = new_id();
    newcomer.full_name = "Lò Thị Mai".into();
    let reply = w
        .secretary_a
        .push(&w.srv, vec![Change::UpsertMember { member: newcomer }])
        .await;
    assert_all_applied(&reply);
    summaries_are_fresh(&w);
    let after = november_row_of_a(&w);
    assert_eq!(after.expected, before.expected + 1);
    assert_eq!(after.present, before.present);
    let slow = storage::read(&*w.srv.storage, |tx| {
        Ok(judged_slowly(&CommuneDocs::new(tx, &w.commune.id), &ids[2]))
    })
    .unwrap();
    assert_eq!(after.attendance_percent, slow.attendance.rate_percent);

    // The cadre who attended scores the meeting: its own grade joins the month's row.
    assert_eq!(after.cadre_grade, None);
    let reply = w
        .cadre_phone
        .push(
            &w.srv,
            vec![Change::RecordObservation {
                observation: Observation {
                    id: new_id(),
                    meeting_id: ids[2].clone(),
                    cadre_id: w.cadre.id.clone(),
                    judged: JudgedScores {
                        regular_content: 5,
                        ..support::judged()
                    },
                    guidance_given: "Cần chuẩn bị kỹ nội dung sinh hoạt".into(),
                    lessons_exchanged: "Phát huy vai trò đảng viên trẻ".into(),
                    recorded_at: at(2026, 11, 25, 8, 0),
                },
            }],
        )
        .await;
    assert_all_applied(&reply);
    summaries_are_fresh(&w);
    let after = november_row_of_a(&w);
    let cadre_total = after.cadre_quality_total.expect("the cadre's score");
    assert_eq!(cadre_total + 4, after.quality_total.unwrap());
    assert!(after.cadre_grade.is_some());

    // A database written before summaries existed: they are judged again at start.
    let commune_id = w.commune.id.clone();
    storage::write(&*w.srv.storage, |tx| {
        let docs = CommuneDocs::new(tx, &commune_id);
        let stored: Vec<MeetingSummary> =
            docs.list(docs::MEETING_SUMMARY, &DocFilter::default())?;
        for s in stored {
            tx_delete(&docs, docs::MEETING_SUMMARY, &s.meeting_id)?;
        }
        tx_delete(&docs, docs::SUMMARY_VERSION, docs::MEETING_SUMMARY)
    })
    .unwrap();
    let emptied = november_row_of_a(&w);
    assert!(!emptied.met, "without summaries the month looks empty");
    assert_eq!(summaries::ensure_summaries(&*w.srv.storage).unwrap(), 1);
    summaries_are_fresh(&w);
    assert_eq!(november_row_of_a(&w), after);
    assert_eq!(
        summaries::ensure_summaries(&*w.srv.storage).unwrap(),
        0,
        "judged once"
    );
}

fn tx_delete(docs: &CommuneDocs, kind: &str, id: &str) -> storage::StorageResult<()> {
    docs.with_tx(|tx| tx.delete_doc(docs.commune_id(), kind, id))
}

struct Browser {
    http: reqwest::Client,
    base: String,
}

impl Browser {
    async fn signed_in(srv: &TestServer, username: &str, commune_id: &str) -> Browser {
        users::create_user(
            &*srv.storage,
            NewUser {
                username: username.into(),
                display_name: format!("Đồng chí {username}"),
                password: PASSWORD.into(),
                role: DashboardRole::CommuneViewer,
                commune_id: Some(commune_id.to_string()),
                province_id: None,
            },
            srv.now(),
        )
        .unwrap();
        let http = reqwest::Client::builder()
            .cookie_provider(Arc::new(Jar::default()))
            .redirect(Policy::none())
            .build()
            .unwrap();
        let b = Browser {
            http,
            base: srv.base.clone(),
        };
        let (status, form) = b.get("/login").await;
        assert_eq!(status, StatusCode::OK);
        let csrf = hidden(&form, "csrf");
        let reply = b
            .http
            .post(format!("{}/login", b.base))
            .form(&[
                ("username", username),
                ("password", PASSWORD),
                ("next", "/"),
                ("csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), StatusCode::SEE_OTHER);
        b
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let reply = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (reply.status(), reply.text().await.unwrap())
    }
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

/// Text as askama escapes it in HTML.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;").replace('/', "&#47;")
}

fn contains(body: &str, text: &str) -> bool {
    body.contains(text) || body.contains(&escaped(text))
}

#[tokio::test]
async fn the_overview_shows_the_rules_figures_and_the_cell_page_names_those_near_removal() {
    let (w, ids) = autumn().await;
    let browser = Browser::signed_in(&w.srv, "lan", &w.commune.id).await;
    let slow = storage::read(&*w.srv.storage, |tx| {
        let docs = CommuneDocs::new(tx, &w.commune.id);
        Ok(judged_slowly(&docs, &ids[2]))
    })
    .unwrap();

    let (status, body) = browser
        .get(&format!("/communes/{}?month=2026-11", w.commune.id))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Tổng quan tháng 11"), "{body}");
    // One of two cells met; B is overdue.
    assert!(contains(&body, "1/2"), "{body}");
    assert!(body.contains("Chi bộ quá hạn chưa họp"));
    assert!(body.contains("Chi bộ bản Co Muông"));
    // The commune's attendance is A's meeting's, as the rules count it.
    let rate = percent_text(slow.attendance.rate_percent);
    let counts = format!("{}/{}", slow.attendance.present, slow.attendance.expected);
    assert!(contains(&body, &rate), "{rate} in {body}");
    assert!(contains(&body, &counts), "{counts}");
    assert!(body.contains(&format!(
        "{} ({} điểm)",
        slow.quality.grade.label(),
        slow.quality.total
    )));
    // The grade table counts A's grade once.
    let grade_row = format!(
        "{}</th><td class=\"num\">1</td>",
        slow.quality.grade.label()
    );
    assert!(body.contains(&grade_row), "{grade_row}");
    // Charts are SVG images with their numbers beside them.
    assert_eq!(body.matches("role=\"img\"").count(), 3);
    assert!(body.contains("Xem số liệu"));
    // The month links.
    assert!(body.contains("?month=2026-10") && body.contains("?month=2026-12"));

    let (status, bad) = browser
        .get(&format!("/communes/{}?month=2026-13", w.commune.id))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.contains("không hợp lệ"));

    let (status, cells) = browser
        .get(&format!("/communes/{}/cells", w.commune.id))
        .await;
    assert_eq!(status, StatusCode::OK, "{cells}");
    assert!(cells.contains("Chi bộ bản Nà Hẩu") && cells.contains("Quá hạn"));
    assert!(cells.contains("24&#47;11&#47;2026") || cells.contains("24/11/2026"));

    let (status, cell) = browser
        .get(&format!("/communes/{}/cells/{}", w.commune.id, w.a.cell.id))
        .await;
    assert_eq!(status, StatusCode::OK, "{cell}");
    let near = &w.a.members[2].full_name;
    let watch_at = cell.find("gần mức xem xét xóa tên").unwrap();
    let members_at = cell.find("theo tình trạng sinh hoạt").unwrap();
    assert!(
        cell[watch_at..members_at].contains(near.as_str()),
        "{near} is listed as near the removal line"
    );
    assert!(cell.contains("Vắng thêm 1 tháng sẽ bị xem xét"));
    assert!(cell.contains("Đi làm ăn xa") && cell.contains("Miễn sinh hoạt"));
    for id in &ids {
        assert!(
            cell.contains(&format!("/meetings/{id}"))
                || cell.contains(&escaped(&format!("/meetings/{id}")))
        );
    }

    // Another commune's cell, and a cell that does not exist, are not found.
    let other = w.srv.commune("Đảng bộ xã Mường Chanh").await;
    let code = w.srv.issue_office(&other.id, "Lò Văn Pọm");
    let mut stranger = w.srv.enroll(&code.qr, "Máy văn phòng").await;
    let village = Village::new(&other.id, &other.name, "Chi bộ bản Pá Khoang");
    assert_all_applied(&stranger.push(&w.srv, village.roster_changes()).await);
    let (status, _) = browser
        .get(&format!(
            "/communes/{}/cells/{}",
            w.commune.id, village.cell.id
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = browser
        .get(&format!("/communes/{}/cells/{}", other.id, village.cell.id))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn assets_are_served_from_the_binary_and_revalidated() {
    let srv = TestServer::start().await;
    let reply = srv
        .http
        .get(srv.url("/assets/dashboard.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    let headers = reply.headers().clone();
    assert_eq!(headers["content-type"], "text/css; charset=utf-8");
    assert_eq!(headers["cache-control"], "public, max-age=86400");
    let etag = headers["etag"].to_str().unwrap().to_string();
    assert!(reply.text().await.unwrap().contains(".table-wrap"));
    let again = srv
        .http
        .get(srv.url("/assets/dashboard.css"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let icon = srv
        .http
        .get(srv.url("/assets/favicon.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    let missing = srv
        .http
        .get(srv.url("/assets/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

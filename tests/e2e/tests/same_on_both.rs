//! The phone and the dashboard say the same about the same meeting: a commune with its own
//! rule settings scores a meeting the same on the secretary's phone (the real core, after
//! sync) and on the dashboard; the minutes DOCX the phone makes and the one the dashboard
//! serves list the absentees in the same order, the roster's.

use std::io::Read;
use std::sync::Arc;

use chibo_demo::meetings::{record_meeting_with, MeetingDetails, MonthPlan};
use chibo_demo::Phone;
use chibo_domain::rules::{QualityGrade, RuleSettings};
use chibo_domain::*;
use chibo_e2e::*;
use chibo_server::accounts::users::DashboardRole;
use chibo_server::accounts::users::{self, NewUser};
use chibo_server::docs::CommuneDocs;
use chibo_server::figures::months;
use chibo_server::figures::reports;
use chibo_server::office::{self, Officer};
use chibo_server::{storage, Server};

fn officer() -> Officer {
    Officer {
        id: "u-quantri".into(),
        name: "Hà Thị Lan".into(),
        username: "u-quantri".into(),
        client_ip: "127.0.0.1".into(),
    }
}

/// The secretary of cell 0 records and signs a meeting as the app does, with `tweak`
/// applied to the demo's month (its length, its roll call); returns its id.
fn record_signed(
    phone: &Phone,
    town: &Town,
    tweak: impl FnOnce(&[Member], &mut MeetingDetails),
) -> Id {
    let cell = town.cell(0).clone();
    let roster = town.roster(0);
    let cadre = town.cadre_of(0);
    let plan = MonthPlan {
        cell: &cell,
        roster: &roster,
        start: now() - 20 * 60_000,
        variant: 0,
        visiting_cadre: Some((&cadre.full_name, &cadre.title)),
    };
    let mut details = plan.details();
    tweak(&roster, &mut details);
    let id = ok(
        record_meeting_with(&phone.store, &plan, &details, &[]),
        "record the meeting",
    );
    ok(phone.store.sign_meeting(id.clone()), "sign");
    id
}

/// (total, grade) of the meeting as the dashboard has it: the stored summary behind the
/// overview and the monthly report, and the JSON API's row.
fn dashboard_score(cluster: &Cluster, town: &Town, meeting_id: &str) -> (u32, QualityGrade) {
    storage::read(cluster.storage(), |tx| {
        let docs = CommuneDocs::new(tx, &town.seed.id);
        let row = reports::meetings(&docs, Some(&town.cell(0).id))?
            .into_iter()
            .find(|r| r.meeting_id == meeting_id)
            .expect("the meeting on the dashboard");
        let at = row.started_at;
        let (year, month) = time::local_year_month(at);
        let report = months::monthly_report_at(&docs, year, month, now())?;
        let month = report
            .cells
            .iter()
            .find(|c| c.meeting_id.as_deref() == Some(meeting_id))
            .expect("the meeting counts for its month");
        assert_eq!(
            month.quality_total,
            Some(row.quality_total),
            "summary and JSON"
        );
        assert_eq!(month.grade, Some(row.grade), "summary and JSON");
        Ok((row.quality_total, row.grade))
    })
    .unwrap()
}

fn phone_score(phone: &Phone, town: &Town, meeting_id: &str) -> (u32, QualityGrade) {
    let live = ok(phone.store.assess_meeting(meeting_id.to_string()), "assess");
    let history = ok(
        phone.store.meeting_history(town.cell(0).id.clone()),
        "history",
    );
    let row = history
        .iter()
        .find(|s| s.meeting_id == meeting_id)
        .expect("the meeting in the history");
    assert_eq!(
        row.quality_total,
        Some(live.quality.total),
        "cached and live"
    );
    assert_eq!(row.grade, Some(live.quality.grade), "cached and live");
    (live.quality.total, live.quality.grade)
}

#[test]
fn a_commune_with_its_own_rule_settings_scores_the_same_on_the_phone_and_the_dashboard() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "rs", small_commune(1));
    let secretary = town.secretary_phone(&cluster, 0);
    let members = town.roster(0).len() as u32;
    assert!(members < 30, "a small cell");
    // 70 minutes: short of the 90 the guidance asks, enough for a small cell of a commune
    // that allows 60.
    let meeting_id = record_signed(&secretary, &town, |_, d| d.minutes = 70);
    sync_all(&secretary);

    let before = phone_score(&secretary, &town, &meeting_id);
    assert_eq!(dashboard_score(&cluster, &town, &meeting_id), before);

    let settings = RuleSettings {
        small_cell_max_members: members,
        small_cell_min_minutes: Some(60),
    };
    let state = Server::new(cluster.config.clone()).state().unwrap();
    office::set_rule_settings(&state, &town.seed.id, &settings, &officer()).unwrap();
    let report = sync_all(&secretary);
    assert!(report.pulled >= 1, "{}", report.summary);
    assert_eq!(
        ok(
            secretary.store.rule_settings(town.seed.id.clone()),
            "settings"
        ),
        settings,
        "the phone holds the commune's settings"
    );

    let on_phone = phone_score(&secretary, &town, &meeting_id);
    let on_dashboard = dashboard_score(&cluster, &town, &meeting_id);
    assert_eq!(on_phone, on_dashboard);
    assert_eq!(
        on_phone.0,
        before.0 + 5,
        "the time criterion now holds on both"
    );
}

/// The dashboard, signed in as a commune admin.
fn dashboard(cluster: &Cluster, commune_id: &str) -> reqwest::Client {
    let password = "mat-khau-quan-tri-2026";
    users::create_user(
        cluster.storage(),
        NewUser {
            username: "quantri".into(),
            display_name: "Hà Thị Lan".into(),
            password: password.into(),
            role: DashboardRole::CommuneAdmin,
            commune_id: Some(commune_id.to_string()),
            province_id: None,
        },
        now(),
    )
    .unwrap();
    let client = reqwest::Client::builder()
        .cookie_provider(Arc::new(reqwest::cookie::Jar::default()))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = cluster.server_url();
    cluster.block_on(async {
        let form = client
            .get(format!("{base}/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let marker = "name=\"csrf\" value=\"";
        let start = form.find(marker).expect("a sign-in form") + marker.len();
        let csrf = &form[start..start + form[start..].find('"').unwrap()];
        let signed = client
            .post(format!("{base}/login"))
            .form(&[
                ("username", "quantri"),
                ("password", password),
                ("csrf", csrf),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed.status(), reqwest::StatusCode::SEE_OTHER);
    });
    client
}

/// The paragraphs of a DOCX's body, as text.
fn docx_paragraphs(bytes: &[u8]) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("the body")
        .read_to_string(&mut xml)
        .unwrap();
    xml.split("</w:p>")
        .map(|paragraph| {
            let mut text = String::new();
            let mut rest = paragraph;
            while let Some(open) = rest.find("<w:t") {
                let after = &rest[open..];
                let Some(gt) = after.find('>') else { break };
                let (tag, body) = (&after[..gt], &after[gt + 1..]);
                if tag == "<w:t" || tag.starts_with("<w:t ") {
                    let end = body.find("</w:t>").unwrap_or(body.len());
                    text.push_str(&body[..end]);
                    rest = &body[end..];
                } else {
                    rest = body;
                }
            }
            text.replace("&quot;", "\"").replace("&amp;", "&")
        })
        .filter(|t| !t.is_empty())
        .collect()
}

#[test]
fn the_phones_and_the_dashboards_minutes_list_the_absentees_in_the_same_order() {
    let cluster = Cluster::start();
    let town = Town::create(&cluster, "dx", small_commune(1));
    let secretary = town.secretary_phone(&cluster, 0);
    let roster = town.roster(0);
    // An officer of the cell whose name comes after a plain member's: by name alone the
    // member would be listed first; the roster lists the officer first.
    let officer = roster
        .iter()
        .filter(|m| {
            matches!(
                m.role,
                MemberRole::CellCommittee | MemberRole::DeputySecretary
            )
        })
        .filter(|m| m.status == MemberStatus::Active)
        .max_by_key(|m| name_order_key(&m.full_name))
        .expect("a deputy or committee member")
        .clone();
    let member = roster
        .iter()
        .filter(|m| m.role == MemberRole::Member && m.status == MemberStatus::Active)
        .min_by_key(|m| name_order_key(&m.full_name))
        .expect("a plain member")
        .clone();
    assert!(name_order_key(&member.full_name) < name_order_key(&officer.full_name));
    let meeting_id = record_signed(&secretary, &town, |roster, d| {
        for (m, mark) in roster.iter().zip(d.attendance.iter_mut()) {
            if m.id == officer.id {
                *mark = (Attendance::AbsentExcused, Some("Ốm".to_string()));
            } else if m.id == member.id {
                *mark = (Attendance::AbsentExcused, Some("Đi viện".to_string()));
            }
        }
    });
    sync_all(&secretary);

    let on_phone = docx_paragraphs(&ok(
        secretary.store.minutes_docx(meeting_id.clone()),
        "the phone's DOCX",
    ));
    let client = dashboard(&cluster, &town.seed.id);
    let url = format!(
        "{}/communes/{}/meetings/{}/minutes.docx",
        cluster.server_url(),
        town.seed.id,
        meeting_id
    );
    let bytes = cluster.block_on(async {
        let response = client.get(url).send().await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        response.bytes().await.unwrap().to_vec()
    });
    let on_dashboard = docx_paragraphs(&bytes);

    let excused = |paragraphs: &[String]| -> String {
        paragraphs
            .iter()
            .find(|p| p.contains("Vắng có lý do"))
            .unwrap_or_else(|| panic!("the excused absentees in {paragraphs:#?}"))
            .clone()
    };
    let line = excused(&on_phone);
    assert_eq!(excused(&on_dashboard), line);
    let officer_at = line
        .find(&officer.full_name)
        .expect("the officer is listed");
    let member_at = line.find(&member.full_name).expect("the member is listed");
    assert!(officer_at < member_at, "the roster's order: {line}");
    // And the rest of the minutes reads the same too.
    assert_eq!(on_dashboard, on_phone);
}

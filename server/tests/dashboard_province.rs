//! The province's rollup, through real HTTP against data synced by phones: each commune's
//! row is the commune overview's own figures, the totals pool them by the same rules, a
//! commune of another province is left out, a change in a commune shows at the next
//! request (the kept months are judged again), the lagging commune comes first, and the
//! province viewer reads every page read-only (no action form, a posted action 403).

mod support;

use reqwest::cookie::Jar;
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use std::sync::Arc;

use chibo_domain::model::*;
use chibo_domain::rules::{percent_of, PooledAttendance};
use chibo_server::accounts::enrolment;
use chibo_server::accounts::users::{self, DashboardRole, NewUser};
use chibo_server::docs::CommuneDocs;
use chibo_server::figures::province::{
    self, commune_month, province_rollup, sort_rows, CommuneMonth, RollupSort, COMMUNE_MONTH,
};
use chibo_server::storage;
use support::*;

const PASSWORD: &str = "mat-khau-dung-1";
/// The province `TestServer::commune` files communes under.
const PROVINCE: &str = "tinh-son-la";

/// Xuân Hòa: A met on 24/09, 24/10 and 24/11 (a petition raised at each), B has not met
/// in November. Mường Chanh (same province): its one village met on 20/11. Hải Xuân is in
/// another province. The clock is 26/11: B is overdue; the petitions of September and
/// October have been open more than 30 days.
struct Province {
    w: World,
    muong_chanh: Commune,
    far: String,
}

async fn province() -> Province {
    let mut w = World::new().await;
    for month in [9, 10, 11] {
        let changes = w.a.meeting_changes(&new_id(), at(2026, month, 24, 19, 30));
        assert_all_applied(&w.secretary_a.push(&w.srv, changes).await);
    }
    let mut muong_chanh = w.srv.commune("Đảng bộ xã Mường Chanh").await;
    let village = Village::new(&muong_chanh.id, &muong_chanh.name, "Chi bộ bản Phiêng Pằn");
    let setup = village.roster_changes();
    assert_all_applied(&muong_chanh.office.push(&w.srv, setup).await);
    let mut secretary = w
        .srv
        .person(
            &muong_chanh.office,
            "Lò Văn Pằn",
            chibo_domain::sync::Role::Secretary {
                cell_id: village.cell.id.clone(),
            },
        )
        .await;
    let changes = village.meeting_changes(&new_id(), at(2026, 11, 20, 19, 30));
    assert_all_applied(&secretary.push(&w.srv, changes).await);
    let far = enrolment::create_commune(
        &*w.srv.storage,
        "Đảng bộ xã Hải Xuân",
        "tinh-khac",
        None,
        w.srv.now(),
    )
    .unwrap()
    .id;
    w.srv.clock.set(at(2026, 11, 26, 9, 0));
    Province {
        w,
        muong_chanh,
        far,
    }
}

/// The commune overview's own figures for a commune, as the rollup must show them.
fn overview_of(p: &Province, commune_id: &str) -> CommuneMonth {
    let now = p.w.srv.now();
    storage::read(&*p.w.srv.storage, |tx| {
        commune_month(&CommuneDocs::new(tx, commune_id), 2026, 11, now)
    })
    .unwrap()
}

fn rollup(p: &Province) -> province::ProvinceRollup {
    province_rollup(&*p.w.srv.storage, PROVINCE, 2026, 11, p.w.srv.now()).unwrap()
}

#[tokio::test]
async fn each_communes_row_is_its_overview_and_the_totals_pool_them_by_the_same_rules() {
    let mut p = province().await;
    let r = rollup(&p);
    let ids: Vec<&str> = r.communes.iter().map(|c| c.commune.id.as_str()).collect();
    // Lagging first: Xuân Hòa met 1 of 2, Mường Chanh 1 of 1. Hải Xuân is elsewhere.
    assert_eq!(ids, [p.w.commune.id.as_str(), p.muong_chanh.id.as_str()]);
    assert!(!ids.contains(&p.far.as_str()));

    let xuan_hoa = &r.communes[0].figures;
    assert_eq!(xuan_hoa, &overview_of(&p, &p.w.commune.id));
    assert_eq!(&r.communes[1].figures, &overview_of(&p, &p.muong_chanh.id));
    assert_eq!((xuan_hoa.cells, xuan_hoa.met), (2, 1));
    assert_eq!((xuan_hoa.not_met, xuan_hoa.overdue), (1, 1));
    assert_eq!(xuan_hoa.grades.total(), 1);
    assert_eq!(
        (xuan_hoa.cadre_visits_required, xuan_hoa.cadre_visits_done),
        (1, 0),
        "the cadre assigned to A has not visited"
    );
    assert_eq!(xuan_hoa.open_petitions, 3);
    assert_eq!(
        xuan_hoa.long_open_petitions, 2,
        "raised 24/09 and 24/10, still open on 26/11; 24/11's is 2 days old"
    );
    assert_eq!(xuan_hoa.trends.len(), 12);

    let t = &r.totals;
    let parts = [xuan_hoa, &r.communes[1].figures];
    let sum = |f: fn(&CommuneMonth) -> u32| parts.iter().map(|c| f(c)).sum::<u32>();
    assert_eq!(t.cells, 3);
    assert_eq!(t.met, sum(|c| c.met));
    assert_eq!(t.overdue, 1);
    assert_eq!(t.present, sum(|c| c.present));
    assert_eq!(t.expected, sum(|c| c.expected));
    assert_eq!(
        t.attendance_percent,
        PooledAttendance {
            present: t.present,
            expected: t.expected
        }
        .rate_percent(),
        "pooled over the province's meetings, not the mean of the communes' rates"
    );
    assert_eq!(t.open_petitions, 4);
    assert_eq!(t.long_open_petitions, 2);
    let november = t.trends.last().unwrap();
    assert_eq!((november.year, november.month), (2026, 11));
    assert_eq!((november.met, november.cells), (2, 3));
    assert_eq!(november.met_percent, percent_of(2, 3));
    let october = &t.trends[t.trends.len() - 2];
    assert_eq!((october.met, october.cells), (1, 3));

    // Kept: the next request reads the stored months, which are there.
    let kept = storage::read(&*p.w.srv.storage, |tx| {
        tx.doc(&p.w.commune.id, COMMUNE_MONTH, "2026-11")
    })
    .unwrap();
    assert!(kept.is_some(), "the commune's month is kept");
    assert_eq!(rollup(&p), r);

    // A change in a commune shows at once: B meets on 25/11.
    let changes = p.w.b.meeting_changes(&new_id(), at(2026, 11, 25, 19, 30));
    assert_all_applied(&p.w.secretary_b.push(&p.w.srv, changes).await);
    let after = rollup(&p);
    let xuan_hoa = after
        .communes
        .iter()
        .find(|c| c.commune.id == p.w.commune.id)
        .unwrap();
    assert_eq!((xuan_hoa.figures.met, xuan_hoa.figures.overdue), (2, 0));
    assert_eq!(xuan_hoa.figures, overview_of(&p, &p.w.commune.id));
    assert_eq!(after.totals.met, 3);

    // And so does a new day: in January the September petition is still open, and
    // Mường Chanh's of 20/11 has now been open longer than 30 days too.
    p.w.srv.clock.set(at(2026, 12, 28, 9, 0));
    let december = rollup(&p);
    assert_eq!(december.totals.long_open_petitions, 5);
}

#[test]
fn the_lagging_communes_come_first_and_every_column_sorts_both_ways() {
    let row = |name: &str, met: u32, overdue: u32, present: u32| province::CommuneRollup {
        commune: storage::CommuneRow {
            id: name.to_lowercase(),
            name: name.into(),
            province_id: PROVINCE.into(),
            created_at: 0,
        },
        figures: CommuneMonth {
            cells: 10,
            met,
            not_met: 10 - met,
            overdue,
            present,
            expected: 100,
            attendance_percent: percent_of(present, 100),
            ..CommuneMonth::default()
        },
    };
    let mut rows = vec![
        row("Bản Lầu", 9, 1, 90),
        row("Cốc San", 6, 4, 95),
        row("A Mú Sung", 6, 2, 80),
        row("Dền Thàng", 10, 0, 85),
    ];
    let names = |rows: &[province::CommuneRollup]| -> Vec<String> {
        rows.iter().map(|r| r.commune.name.clone()).collect()
    };
    sort_rows(&mut rows, RollupSort::Lagging, true);
    // 60% met before 90% before 100%; of the two at 60%, more overdue first.
    assert_eq!(
        names(&rows),
        ["Cốc San", "A Mú Sung", "Bản Lầu", "Dền Thàng"]
    );
    sort_rows(&mut rows, RollupSort::Attendance, true);
    assert_eq!(
        names(&rows),
        ["A Mú Sung", "Dền Thàng", "Bản Lầu", "Cốc San"]
    );
    sort_rows(&mut rows, RollupSort::Attendance, false);
    assert_eq!(
        names(&rows),
        ["Cốc San", "Bản Lầu", "Dền Thàng", "A Mú Sung"]
    );
    sort_rows(&mut rows, RollupSort::Name, true);
    assert_eq!(
        names(&rows),
        ["A Mú Sung", "Bản Lầu", "Cốc San", "Dền Thàng"]
    );
    sort_rows(&mut rows, RollupSort::Name, false);
    assert_eq!(
        names(&rows),
        ["Dền Thàng", "Cốc San", "Bản Lầu", "A Mú Sung"]
    );
    // In the Vietnamese alphabet, not byte order: Đ right after D, before X.
    rows[0].commune.name = "Đồng Văn".into();
    rows[1].commune.name = "Xín Mần".into();
    sort_rows(&mut rows, RollupSort::Name, true);
    assert_eq!(
        names(&rows),
        ["A Mú Sung", "Bản Lầu", "Đồng Văn", "Xín Mần"]
    );
    for sort in RollupSort::ALL {
        assert_eq!(RollupSort::parse(sort.key()), Some(sort));
    }
}

// ---------------------------------------------------------------- over HTTP

struct Browser {
    http: reqwest::Client,
    base: String,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    content_type: Option<String>,
    body: String,
}

impl Browser {
    async fn signed_in(
        srv: &TestServer,
        username: &str,
        role: DashboardRole,
        commune_id: Option<String>,
        province_id: Option<&str>,
    ) -> Browser {
        users::create_user(
            &*srv.storage,
            NewUser {
                username: username.into(),
                display_name: format!("Đồng chí {username}"),
                password: PASSWORD.into(),
                role,
                commune_id,
                province_id: province_id.map(str::to_string),
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
        let form = b.get("/login").await;
        let csrf = hidden(&form.body, "csrf");
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

    async fn get(&self, path: &str) -> Page {
        let reply = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let header = |name| {
            reply
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Page {
            status: reply.status(),
            location: header(reqwest::header::LOCATION),
            content_type: header(reqwest::header::CONTENT_TYPE),
            body: reply.text().await.unwrap(),
        }
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> StatusCode {
        self.http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
            .status()
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

/// The page's `<main>`, where the action forms would be.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a main element");
    let end = html.find("</main>").expect("the main element ends");
    &html[start..end]
}

/// The rows' commune ids, in the table's order.
fn row_order(html: &str) -> Vec<String> {
    html.split("data-commune-id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

#[tokio::test]
async fn the_province_viewer_reads_the_rollup_sorts_it_drills_down_and_changes_nothing() {
    let p = province().await;
    let srv = &p.w.srv;
    let viewer = Browser::signed_in(
        srv,
        "tinh",
        DashboardRole::ProvinceViewer,
        None,
        Some(PROVINCE),
    )
    .await;
    let home = viewer.get("/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location.as_deref(), Some("/province"));

    let page = viewer.get("/province?month=2026-11").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let main = main_of(&page.body);
    assert!(main.contains("Đảng bộ xã Xuân Hòa") && main.contains("Đảng bộ xã Mường Chanh"));
    assert!(
        !page.body.contains("Hải Xuân"),
        "another province's commune"
    );
    assert_eq!(
        row_order(main),
        [p.w.commune.id.clone(), p.muong_chanh.id.clone()],
        "lagging first"
    );
    assert!(main.contains("1/2 (50%)"), "Xuân Hòa's cells met: {main}");
    assert!(!main.contains("method=\"post\""), "no action form");
    let by_name = viewer
        .get("/province?month=2026-11&sort=name&dir=asc")
        .await;
    assert_eq!(
        row_order(main_of(&by_name.body)),
        [p.muong_chanh.id.clone(), p.w.commune.id.clone()],
        "Mường Chanh, then Xuân Hòa"
    );
    assert!(by_name.body.contains("aria-sort=\"ascending\""));
    let by_name = viewer
        .get("/province?month=2026-11&sort=name&dir=desc")
        .await;
    assert_eq!(
        row_order(main_of(&by_name.body)),
        [p.w.commune.id.clone(), p.muong_chanh.id.clone()]
    );
    assert!(by_name.body.contains("aria-sort=\"descending\""));

    // Down to a commune's own pages, read-only.
    let commune = format!("/communes/{}", p.muong_chanh.id);
    assert!(main.contains(&format!("href=\"{commune}?month=2026-11\"")));
    for path in [
        "",
        "/cells",
        "/petitions",
        "/cadres",
        "/guidance",
        "/people",
    ] {
        let page = viewer.get(&format!("{commune}{path}")).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            !main_of(&page.body).contains("method=\"post\""),
            "{path} shows no action form"
        );
    }
    for path in ["/accounts", "/rule-settings"] {
        let page = viewer.get(&format!("{commune}{path}")).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    let csrf = hidden(&page.body, "csrf");
    let petition = storage::read(&*srv.storage, |tx| {
        CommuneDocs::new(tx, &p.muong_chanh.id).petitions()
    })
    .unwrap()
    .remove(0);
    let respond = format!("{commune}/petitions/{}/respond", petition.id);
    let refused = viewer
        .post(
            &respond,
            &[("csrf", &csrf), ("status", "answered"), ("text", "Thử")],
        )
        .await;
    assert_eq!(refused, StatusCode::FORBIDDEN);
    let still = storage::read(&*srv.storage, |tx| {
        CommuneDocs::new(tx, &p.muong_chanh.id).petitions()
    })
    .unwrap();
    assert_eq!(still[0].status, PetitionStatus::Raised);
    assert_eq!(
        viewer
            .post("/province", &[("csrf", &csrf), ("month", "2026-11")])
            .await,
        StatusCode::METHOD_NOT_ALLOWED
    );

    // The province's report.
    let report = viewer.get("/province/reports/2026-11.xlsx").await;
    assert_eq!(report.status, StatusCode::OK);
    assert_eq!(
        report.content_type.as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert_eq!(
        viewer.get("/province/reports/2026-13.xlsx").await.status,
        StatusCode::NOT_FOUND
    );

    // A commune's own users have no province page.
    let clerk = Browser::signed_in(
        srv,
        "hanh",
        DashboardRole::CommuneAdmin,
        Some(p.w.commune.id.clone()),
        None,
    )
    .await;
    assert_eq!(clerk.get("/province").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        clerk.get("/province/reports/2026-11.xlsx").await.status,
        StatusCode::NOT_FOUND
    );
}

//! `tests/bench dashboard`: how fast the server renders the dashboard's pages for a
//! commune with 3 years of data. Build with `--release`.
//!
//! The commune is Xuân Hòa seeded through the real write path (phones record offline
//! with the core and push over HTTP): 43 cells, every cell meeting each of the 36 months
//! before this one (and a third of them this month), two photos a meeting, the cadres'
//! check-ins with their own photos and scores, petitions and the office's answers, each
//! month's guidance. The seeded data folder is kept in `target/bench-dashboard/` for the
//! rest of the month (delete it to seed again). Then the real server serves that SQLite
//! database on loopback, the bench signs in as the commune admin through `/login`, and
//! times N sequential GETs of the overview, of the largest cell's page and of a meeting
//! page (after a few warm-up requests), measured at the client: HTTP included.
//!
//! Usage: bench_dashboard [N] (default 200). The last line reads: `dashboard: overview
//! p95 X ms, cell p95 Y ms, meeting p95 Z ms (target p95 < 100 ms: …)`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chibo_demo::{seed_with_history, SeedOptions};
use chibo_server::{Config, Server};
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use serde::{Deserialize, Serialize};

const TARGET_MS: f64 = 100.0;
const MONTHS: u32 = 36;
/// Bumped whenever the seed or the write path changes shape (2: meeting summaries judged
/// when written), so a stale cache is not measured.
const SEED_VERSION: u32 = 2;

/// What the bench needs to find again in a cached seed.
#[derive(Serialize, Deserialize)]
struct Seeded {
    commune_id: String,
    username: String,
    password: String,
    cell_id: String,
    cell_name: String,
    meeting_id: String,
    meetings: usize,
    photos: usize,
    check_ins: usize,
    petitions: usize,
    seconds: f64,
}

fn cache_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let target = target.canonicalize().unwrap_or(target);
    let today = chibo_domain::time::local_date(chrono::Utc::now().timestamp_millis());
    target
        .join("bench-dashboard")
        .join(format!("{}-v{SEED_VERSION}", today.0.format("%Y-%m")))
}

fn seed(dir: &Path) -> Seeded {
    let info = dir.join("bench.json");
    if let Ok(text) = std::fs::read_to_string(&info) {
        if let Ok(seeded) = serde_json::from_str(&text) {
            return seeded;
        }
    }
    println!(
        "seeding Xuân Hòa with {MONTHS} months of meetings into {} (once a month; a few \
         minutes)…",
        dir.display()
    );
    let started = Instant::now();
    let demo = seed_with_history(&SeedOptions {
        data_dir: dir.join("data"),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        months_before: MONTHS,
        every_month: true,
        photos_per_meeting: 2,
        verbose: false,
    })
    .unwrap_or_else(|e| panic!("seeding failed: {e}"));
    let seconds = started.elapsed().as_secs_f64();
    // The largest cell, and its last month's meeting.
    let (cell_index, cell) = demo
        .commune
        .cells
        .iter()
        .enumerate()
        .max_by_key(|(_, cell)| demo.commune.roster(&cell.id).len())
        .expect("cells");
    let meeting = demo
        .meetings
        .iter()
        .rfind(|m| m.cell_index == cell_index && m.month.ago == 1)
        .expect("last month's meeting");
    let seeded = Seeded {
        commune_id: demo.commune.id.clone(),
        username: demo.admin().username.clone(),
        password: demo.admin().password.clone(),
        cell_id: cell.id.clone(),
        cell_name: cell.name.clone(),
        meeting_id: meeting.meeting_id.clone(),
        meetings: demo.meetings.len(),
        photos: demo.meetings.iter().map(|m| m.photos).sum::<usize>() + demo.check_ins.len(),
        check_ins: demo.check_ins.len(),
        petitions: demo.petitions.len(),
        seconds,
    };
    demo.stop().expect("server stops");
    std::fs::write(&info, serde_json::to_string_pretty(&seeded).expect("json"))
        .expect("write the cache's description");
    seeded
}

/// A tiny cookie-keeping client over hyper.
struct Browser {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    cookies: BTreeMap<String, String>,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Browser {
    async fn send(&mut self, method: Method, path: &str, form: Option<String>) -> Page {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request = request.header("cookie", cookie);
        }
        let body = match form {
            Some(form) => {
                request = request.header("content-type", "application/x-www-form-urlencoded");
                Full::new(Bytes::from(form))
            }
            None => Full::new(Bytes::new()),
        };
        let response = self
            .client
            .request(request.body(body).expect("request"))
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap_or_default();
            if let Some((name, rest)) = text.split(';').next().and_then(|p| p.split_once('=')) {
                self.cookies
                    .insert(name.trim().to_string(), rest.to_string());
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Page {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

/// The value of the hidden `csrf` field of a form, if the page has one.
fn hidden_csrf(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\"")?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let v = tag.find("value=\"")? + 7;
    Some(tag[v..v + tag[v..].find('"')?].to_string())
}

fn encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

struct Timing {
    p50: f64,
    p95: f64,
    bytes: usize,
}

async fn time_page(browser: &mut Browser, path: &str, n: usize, must_contain: &str) -> Timing {
    let first = browser.send(Method::GET, path, None).await;
    assert!(
        first.status == StatusCode::OK && first.body.contains(must_contain),
        "GET {path}: {} (expected 200 with {must_contain:?}); the page is not there yet?\n{}",
        first.status,
        &first.body[..first.body.len().min(400)]
    );
    for _ in 0..5 {
        browser.send(Method::GET, path, None).await;
    }
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let page = browser.send(Method::GET, path, None).await;
        times.push(started.elapsed());
        assert_eq!(page.status, StatusCode::OK, "GET {path}");
    }
    times.sort();
    Timing {
        p50: percentile(&times, 0.50),
        p95: percentile(&times, 0.95),
        bytes: first.body.len(),
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("N: how many requests per page"))
        .unwrap_or(200);
    let dir = cache_dir();
    std::fs::create_dir_all(&dir).expect("cache folder");
    let seeded = seed(&dir);
    println!(
        "dashboard: Xuân Hòa, 43 cells, {} meetings over {MONTHS} months and this one, {} \
         photos, {} check-ins, {} petitions, on SQLite (seeded through the phones in {:.0} s; \
         cached in {})",
        seeded.meetings,
        seeded.photos,
        seeded.check_ins,
        seeded.petitions,
        seeded.seconds,
        dir.display()
    );

    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let server = runtime
        .block_on(
            Server::new(Config {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                data_dir: dir.join("data").join("server"),
                ..Config::default()
            })
            .start(),
        )
        .expect("the server starts on the seeded data");
    let mut browser = Browser {
        client: Client::builder(hyper_util::rt::TokioExecutor::new()).build_http(),
        base: server.base_url(),
        cookies: BTreeMap::new(),
    };
    let c = &seeded.commune_id;
    let pages = [
        ("overview", format!("/communes/{c}"), "Xuân Hòa".to_string()),
        (
            "cell",
            format!("/communes/{c}/cells/{}", seeded.cell_id),
            seeded.cell_name.clone(),
        ),
        (
            "meeting",
            format!("/communes/{c}/meetings/{}", seeded.meeting_id),
            seeded.cell_name.clone(),
        ),
    ];
    let timings: Vec<(&str, Timing)> = runtime.block_on(async {
        let form = browser.send(Method::GET, "/login", None).await;
        let csrf = hidden_csrf(&form.body);
        let mut fields = vec![
            ("username", seeded.username.as_str()),
            ("password", seeded.password.as_str()),
            ("next", "/"),
        ];
        if let Some(csrf) = csrf.as_deref() {
            fields.push(("csrf", csrf));
        }
        let signed_in = browser
            .send(Method::POST, "/login", Some(encode(&fields)))
            .await;
        assert!(
            signed_in.status.is_redirection()
                && !signed_in
                    .location
                    .as_deref()
                    .unwrap_or("")
                    .contains("login"),
            "signing in as {} failed: {} {:?}",
            seeded.username,
            signed_in.status,
            signed_in.location
        );
        let mut timings = Vec::new();
        for (name, path, must) in &pages {
            timings.push((*name, time_page(&mut browser, path, n, must).await));
        }
        timings
    });
    runtime.block_on(server.stop()).expect("the server stops");

    for (name, t) in &timings {
        println!(
            "  {name:<8} {n} GETs: p50 {:.1} ms, p95 {:.1} ms ({:.2}× the {TARGET_MS:.0} ms \
             target at p95), {} kB of HTML",
            t.p50,
            t.p95,
            t.p95 / TARGET_MS,
            t.bytes / 1024
        );
    }
    let missed: Vec<&str> = timings
        .iter()
        .filter(|(_, t)| t.p95 >= TARGET_MS)
        .map(|(name, _)| *name)
        .collect();
    let verdict = if missed.is_empty() {
        "target met".to_string()
    } else {
        format!("TARGET MISSED by {}", missed.join(", "))
    };
    let line: Vec<String> = timings
        .iter()
        .map(|(name, t)| format!("{name} p95 {:.1} ms (p50 {:.1})", t.p95, t.p50))
        .collect();
    println!(
        "dashboard: {} (target p95 < {TARGET_MS:.0} ms: {verdict})",
        line.join(", ")
    );
}

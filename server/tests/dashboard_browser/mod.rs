//! A signed-in browser for the dashboard tests of the meeting, people and export pages:
//! cookies kept, redirects not followed, the sign-in form posted like a person would.
#![allow(dead_code)]

use std::sync::Arc;

use reqwest::cookie::Jar;
use reqwest::redirect::Policy;
use reqwest::StatusCode;

use chibo_server::accounts::users::DashboardRole;
use chibo_server::accounts::users::{self, NewUser};
use chibo_server::Storage;

pub const PASSWORD: &str = "mat-khau-van-phong-2026";

pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// An office account of a commune.
pub fn user(
    storage: &dyn Storage,
    username: &str,
    role: DashboardRole,
    commune_id: &str,
    now: i64,
) {
    users::create_user(
        storage,
        NewUser {
            username: username.to_string(),
            display_name: format!("Cán bộ {username}"),
            password: PASSWORD.to_string(),
            role,
            commune_id: Some(commune_id.to_string()),
            province_id: None,
        },
        now,
    )
    .expect("create the office account");
}

impl Browser {
    pub async fn signed_in(base: &str, username: &str) -> Browser {
        let browser = Browser {
            http: reqwest::Client::builder()
                .cookie_provider(Arc::new(Jar::default()))
                .redirect(Policy::none())
                .build()
                .unwrap(),
            base: base.to_string(),
        };
        let form = browser.get("/login").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = hidden(&form.text(), "csrf");
        let signed = browser
            .post(
                "/login",
                &[
                    ("username", username),
                    ("password", PASSWORD),
                    ("csrf", &csrf),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.text());
        browser
    }

    async fn page(response: reqwest::Response) -> Page {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        let location = header("location");
        let content_type = header("content-type").unwrap_or_default();
        Page {
            status: response.status(),
            location,
            content_type,
            bytes: response.bytes().await.unwrap().to_vec(),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        Browser::page(
            self.http
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        Browser::page(
            self.http
                .post(format!("{}{path}", self.base))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Posts a form of `page` (the session's CSRF token taken from it).
    pub async fn submit(&self, page: &Page, action: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = hidden(&page.text(), "csrf");
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        form.extend_from_slice(fields);
        self.post(action, &form).await
    }
}

/// The value of the first hidden input `name` in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end]
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
}

/// What askama writes for `text` inside HTML.
pub fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
}

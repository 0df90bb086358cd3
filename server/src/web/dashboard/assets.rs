//! `GET /assets/{file}`: the stylesheet, icon and script, compiled into the binary so the
//! dashboard needs no CDN (commune offices have unreliable internet). Cached for a day and
//! revalidated by ETag.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};

use crate::AppState;

use super::layout::PageError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "dashboard.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../../assets/dashboard.css"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../../../assets/favicon.svg"),
    },
];

const CACHE_CONTROL: &str = "public, max-age=86400";

pub fn routes() -> Router<AppState> {
    Router::new().route("/assets/{file}", get(asset))
}

/// The ETag of an asset: a hash of its bytes, so a new build's file is fetched again.
fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..12]))
}

fn matches(if_none_match: Option<&HeaderValue>, tag: &str) -> bool {
    let Some(value) = if_none_match.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    value
        .split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == tag || t == "*")
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == file) else {
        return PageError::NotFound.into_response();
    };
    let tag = etag(asset.body);
    let common = [
        (header::CACHE_CONTROL, CACHE_CONTROL.to_string()),
        (header::ETAG, tag.clone()),
    ];
    if matches(headers.get(header::IF_NONE_MATCH), &tag) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        StatusCode::OK,
        common,
        [(header::CONTENT_TYPE, asset.content_type)],
        asset.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_accepts_lists_and_weak_tags() {
        let tag = etag(b"body");
        let list = HeaderValue::from_str(&format!("\"x\", W/{tag}")).unwrap();
        assert!(matches(Some(&list), &tag));
        assert!(!matches(Some(&HeaderValue::from_static("\"x\"")), &tag));
        assert!(!matches(None, &tag));
    }
}

//! Requests made by hand, as a broken or hostile client would make them.

use std::io::Write;

use chibo_domain::sync::ErrorBody;
use reqwest::Method;

use crate::cluster::Cluster;

/// What the server answered.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: serde_json::Value,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The error body, asserting the status and the machine code, and that the message
    /// is there for a person to read.
    pub fn error(&self, status: u16, code: &str) -> ErrorBody {
        assert_eq!(self.status, status, "{}", self.body);
        let body: ErrorBody = serde_json::from_value(self.body.clone())
            .unwrap_or_else(|e| panic!("not an error body ({e}): {}", self.body));
        assert_eq!(body.code, code, "{}", self.body);
        assert!(!body.message.trim().is_empty(), "{}", self.body);
        body
    }
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip in memory");
    encoder.finish().expect("gzip in memory")
}

/// One request straight to the server (not through the proxy).
pub struct Request<'a> {
    pub method: Method,
    pub path: &'a str,
    pub credential: Option<&'a str>,
    pub headers: Vec<(&'a str, String)>,
    pub body: Vec<u8>,
}

impl<'a> Request<'a> {
    pub fn new(method: Method, path: &'a str) -> Request<'a> {
        Request {
            method,
            path,
            credential: None,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn post_json(path: &'a str, json: &serde_json::Value) -> Request<'a> {
        Request::new(Method::POST, path)
            .body("application/json", serde_json::to_vec(json).expect("JSON"))
    }

    pub fn credential(mut self, credential: &'a str) -> Request<'a> {
        self.credential = Some(credential);
        self
    }

    pub fn header(mut self, name: &'a str, value: impl Into<String>) -> Request<'a> {
        self.headers.push((name, value.into()));
        self
    }

    pub fn body(mut self, content_type: &str, body: Vec<u8>) -> Request<'a> {
        self.headers
            .push(("content-type", content_type.to_string()));
        self.body = body;
        self
    }

    pub fn send(self, cluster: &Cluster) -> Reply {
        let url = format!("{}{}", cluster.server_url(), self.path);
        cluster.block_on(async move {
            let client = reqwest::Client::new();
            let mut request = client.request(self.method, url).body(self.body);
            for (name, value) in self.headers {
                request = request.header(name, value);
            }
            if let Some(credential) = self.credential {
                request = request.bearer_auth(credential);
            }
            let response = request.send().await.expect("the server answers");
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let bytes = response.bytes().await.expect("a whole answer").to_vec();
            let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
            Reply {
                status,
                headers,
                body,
                bytes,
            }
        })
    }
}

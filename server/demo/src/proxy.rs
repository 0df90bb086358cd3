//! A loopback HTTP proxy between simulated phones and the server. It counts what crosses
//! the wire (for `tests/bench sync`) and, when asked, breaks about a fifth of the
//! requests the way a 2G link does: the connection drops before the request arrives, the
//! request is cut mid-body, or the server answers and the answer is cut mid-body (the
//! case that tests exactly-once: the server applied it, the phone never heard).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::watch;

type ProxyBody = http_body_util::combinators::BoxBody<Bytes, BoxError>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the proxy does to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Pass,
    /// Close the connection before anything reaches the server.
    Drop,
    /// Forward half of the request body, then cut both connections.
    CutRequest,
    /// Let the server answer, forward half of the answer, then cut.
    CutResponse,
}

/// Deterministic fault choice: a seeded xorshift, so a failing run can be replayed.
#[derive(Clone, Debug)]
pub struct FaultPlan {
    /// Share of requests broken, 0.0–1.0.
    pub rate: f64,
    pub seed: u64,
}

impl FaultPlan {
    pub fn none() -> FaultPlan {
        FaultPlan { rate: 0.0, seed: 1 }
    }
}

/// What crossed the proxy, in bytes as HTTP/1.1 puts them on the wire (request line,
/// headers, body; status line, headers, body).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WireStats {
    pub requests: u64,
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub faults: u64,
    /// Requests per path prefix ("/api/v1/sync", "/api/v1/uploads", ...).
    pub requests_by_path: Vec<(String, u64)>,
}

impl WireStats {
    pub fn total_bytes(&self) -> u64 {
        self.bytes_up + self.bytes_down
    }

    pub fn requests_to(&self, prefix: &str) -> u64 {
        self.requests_by_path
            .iter()
            .filter(|(p, _)| p.starts_with(prefix))
            .map(|(_, n)| n)
            .sum()
    }
}

struct Shared {
    upstream: SocketAddr,
    plan: Mutex<(FaultPlan, u64)>,
    requests: AtomicU64,
    bytes_up: AtomicU64,
    bytes_down: AtomicU64,
    faults: AtomicU64,
    by_path: Mutex<Vec<(String, u64)>>,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, ProxyBody>,
}

impl Shared {
    fn next_fault(&self) -> Fault {
        let mut guard = self.plan.lock().expect("proxy plan lock");
        let (plan, state) = &mut *guard;
        if plan.rate <= 0.0 {
            return Fault::Pass;
        }
        // xorshift64*
        let mut x = *state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *state = x;
        let r = x.wrapping_mul(0x2545_f491_4f6c_dd1d);
        let unit = (r >> 11) as f64 / (1u64 << 53) as f64;
        if unit >= plan.rate {
            return Fault::Pass;
        }
        match r % 3 {
            0 => Fault::Drop,
            1 => Fault::CutRequest,
            _ => Fault::CutResponse,
        }
    }

    fn count_path(&self, path: &str) {
        let key = path.split('/').take(4).collect::<Vec<_>>().join("/");
        let mut by_path = self.by_path.lock().expect("proxy stats lock");
        match by_path.iter_mut().find(|(p, _)| *p == key) {
            Some((_, n)) => *n += 1,
            None => by_path.push((key, 1)),
        }
    }
}

/// A running proxy. Dropping it stops accepting connections.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _stop: watch::Sender<()>,
}

impl FaultProxy {
    /// Starts a proxy on 127.0.0.1 (a free port) in front of `upstream`.
    pub async fn start(upstream: SocketAddr, plan: FaultPlan) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let seed = plan.seed.max(1);
        let shared = Arc::new(Shared {
            upstream,
            plan: Mutex::new((plan, seed)),
            requests: AtomicU64::new(0),
            bytes_up: AtomicU64::new(0),
            bytes_down: AtomicU64::new(0),
            faults: AtomicU64::new(0),
            by_path: Mutex::new(Vec::new()),
            client: Client::builder(TokioExecutor::new()).build_http(),
        });
        let (stop, mut stopped) = watch::channel(());
        let accept_shared = shared.clone();
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    accepted = listener.accept() => accepted,
                    _ = stopped.changed() => break,
                };
                let Ok((stream, _)) = accepted else { continue };
                let shared = accept_shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(shared.clone(), req));
                    // An error here is a connection the proxy cut on purpose, or a client
                    // that went away: nothing to report.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(FaultProxy {
            addr,
            shared,
            _stop: stop,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes the fault plan for the requests that follow.
    pub fn set_plan(&self, plan: FaultPlan) {
        let seed = plan.seed.max(1);
        *self.shared.plan.lock().expect("proxy plan lock") = (plan, seed);
    }

    pub fn stats(&self) -> WireStats {
        let s = &self.shared;
        WireStats {
            requests: s.requests.load(Ordering::SeqCst),
            bytes_up: s.bytes_up.load(Ordering::SeqCst),
            bytes_down: s.bytes_down.load(Ordering::SeqCst),
            faults: s.faults.load(Ordering::SeqCst),
            requests_by_path: s.by_path.lock().expect("proxy stats lock").clone(),
        }
    }

    pub fn reset_stats(&self) {
        let s = &self.shared;
        s.requests.store(0, Ordering::SeqCst);
        s.bytes_up.store(0, Ordering::SeqCst);
        s.bytes_down.store(0, Ordering::SeqCst);
        s.faults.store(0, Ordering::SeqCst);
        s.by_path.lock().expect("proxy stats lock").clear();
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cut by the fault proxy")]
struct Cut;

fn head_len_request(req: &hyper::http::request::Parts) -> u64 {
    // "METHOD path HTTP/1.1\r\n" + "name: value\r\n"… + "\r\n"
    let target = req.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let line = req.method.as_str().len() + 1 + target.len() + 1 + 8 + 2;
    line as u64 + headers_len(&req.headers) + 2
}

fn head_len_response(res: &hyper::http::response::Parts) -> u64 {
    // "HTTP/1.1 200 OK\r\n"
    let reason = res.status.canonical_reason().unwrap_or("");
    let line = 8 + 1 + 3 + 1 + reason.len() + 2;
    line as u64 + headers_len(&res.headers) + 2
}

fn headers_len(headers: &hyper::HeaderMap) -> u64 {
    headers
        .iter()
        .map(|(k, v)| (k.as_str().len() + 2 + v.len() + 2) as u64)
        .sum()
}

/// A body that yields `keep` bytes of `full`, then fails.
fn cut_body(full: Bytes, keep: usize) -> ProxyBody {
    let head = full.slice(..keep.min(full.len()));
    let frames: Vec<Result<Frame<Bytes>, BoxError>> =
        vec![Ok(Frame::data(head)), Err(Box::new(Cut) as BoxError)];
    StreamBody::new(futures_util::stream::iter(frames)).boxed()
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<ProxyBody>, BoxError> {
    let fault = shared.next_fault();
    let (mut parts, body) = req.into_parts();
    shared.requests.fetch_add(1, Ordering::SeqCst);
    shared.count_path(parts.uri.path());
    if fault != Fault::Pass {
        shared.faults.fetch_add(1, Ordering::SeqCst);
    }
    if fault == Fault::Drop {
        return Err(Box::new(Cut));
    }
    let body = body.collect().await?.to_bytes();
    shared.bytes_up.fetch_add(
        head_len_request(&parts) + body.len() as u64,
        Ordering::SeqCst,
    );

    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".to_string());
    parts.uri = format!("http://{}{}", shared.upstream, path).parse()?;
    let upstream_body = if fault == Fault::CutRequest {
        cut_body(body.clone(), body.len() / 2)
    } else {
        Full::new(body)
            .map_err(|never: Infallible| match never {})
            .boxed()
    };
    let upstream = shared
        .client
        .request(Request::from_parts(parts, upstream_body))
        .await;
    if fault == Fault::CutRequest {
        return Err(Box::new(Cut));
    }
    let (res_parts, res_body) = upstream?.into_parts();
    let res_body = res_body.collect().await?.to_bytes();
    shared.bytes_down.fetch_add(
        head_len_response(&res_parts) + res_body.len() as u64,
        Ordering::SeqCst,
    );
    if fault == Fault::CutResponse && res_body.is_empty() {
        // Nothing to cut in half (a tus PATCH's 204): the answer is lost whole.
        return Err(Box::new(Cut));
    }
    let body = if fault == Fault::CutResponse {
        cut_body(res_body.clone(), res_body.len() / 2)
    } else {
        Full::new(res_body)
            .map_err(|never: Infallible| match never {})
            .boxed()
    };
    Ok(Response::from_parts(res_parts, body))
}

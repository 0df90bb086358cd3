//! `tests/bench link`: one meeting with 3 photos synced over a weak 3G link, against the
//! link's physical floor. Build with `--release`; run by `tests/bench link`, as root,
//! which builds the link first (tests/lib/link.sh) and names it in `CHIBO_LINK_*`.
//!
//! The link: two network namespaces joined by a veth pair, the phone's and the server's.
//! `tc … tbf` holds each direction to its rate (128 kbit/s up, 384 kbit/s down: weak 3G
//! at the edge of coverage), `iptables -m statistic` drops 2 % of the packets arriving
//! on either side, and this program's relay, on the phone's side, holds every byte for
//! half the round trip in each direction (and one round trip when a connection opens,
//! for the TCP handshake), so the phone sees 400 ms round trips. The relay also drops
//! the link once, in the middle of the second photo: every connection is reset at once,
//! as when the phone loses the cell.
//!
//! This program is the phone and the server: the server (chibo-server on SQLite) listens
//! in the server's namespace, the phone (the real core, as the apps use it) and the relay
//! run in the phone's, each thread entering its namespace before it opens a socket.
//! Untimed: enrolment, the first sync (the roster), the meeting recorded offline with 3
//! processed photos from the fixtures, signed. Timed: the one sync that sends it all.
//!
//! The floor: the bytes that must go up (the meeting's changes as gzip-compressed JSON,
//! and the photos) at the up rate, plus the round trips no protocol avoids: opening the
//! connection, the sync request, one request per photo, and after the drop a new
//! connection and one question for the server's offset.
//!
//! Where chibo's time goes past the floor (printed below the figures): TCP/IP headers on
//! every 1448-byte segment (~3.5 %) and HTTP/tus headers on each request; the
//! retransmissions of the dropped packets, each a pause of at least one retransmission
//! timeout when it hits the end of a burst; the photos' tus creations (one round trip
//! each) and 64 KiB chunks (one round trip per chunk: a chunk is sent, then its answer
//! awaited); and after the drop, the phone's back-off (1–2 s, so a phone that lost its
//! cell does not hammer the next one) before it asks the server's offset and goes on.
//! Chunks carry no per-chunk checksum (see the core's transport.rs): the server keeps
//! every byte that arrived before the drop, so nothing is sent twice. This is proved
//! from the server's own count of the bytes each upload received (its "tus: chunk
//! received" events), not from timing.
//!
//! The last line reads:
//! `link: chibo X s vs floor Y s (R), resumed after drop: yes|no`.
//!
//! Measured on the shared 2-core machine (7 December 2026, four runs, the first before the
//! app was reopened for a cold connection): chibo 57.4–58.8 s vs floor 45.4 s (1.27–1.30),
//! resumed after drop: yes, 0 B sent twice. Of the ~12 s over the floor, by estimate: ~6 s the 15 requests the floor does not count (3 tus
//! creations, 64 KiB chunks: 13 PATCHes where 3 would do, the uplink idle while each
//! answer comes back), ~2 s TCP/IP framing on the metered link (~4.6 %), ~1.7 s the
//! back-off after the drop beyond its two round trips, ~1 s the segments lost after
//! crossing the link. The chunks are the one lever left on the phone: 256 KiB chunks
//! would save ~10 round trips (the server keeps every byte of a cut chunk, so a larger
//! chunk costs nothing at a drop).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chibo_demo::Phone;
use chibo_domain::sync::Role;
use chibo_e2e::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::SubscriberExt;

const PHOTOS: [&str; 3] = [
    "phone/jolla.jpg",
    "phone/iphone.jpg",
    "phone/nokia_8.3_5g.jpg",
];

/// The link as tests/lib/link.sh built it.
struct LinkSpec {
    phone_ns: String,
    server_ns: String,
    server_ip: String,
    up_kbit: f64,
    down_kbit: f64,
    rtt: Duration,
    loss_percent: f64,
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run this through tests/bench link, which builds the link")
    })
}

impl LinkSpec {
    fn from_env() -> LinkSpec {
        let number = |name: &str| -> f64 {
            env(name)
                .parse()
                .unwrap_or_else(|_| panic!("{name} is not a number"))
        };
        LinkSpec {
            phone_ns: env("CHIBO_LINK_PHONE_NS"),
            server_ns: env("CHIBO_LINK_SERVER_NS"),
            server_ip: env("CHIBO_LINK_SERVER_IP"),
            up_kbit: number("CHIBO_LINK_UP_KBIT"),
            down_kbit: number("CHIBO_LINK_DOWN_KBIT"),
            rtt: Duration::from_millis(number("CHIBO_LINK_RTT_MS") as u64),
            loss_percent: number("CHIBO_LINK_LOSS_PERCENT"),
        }
    }
}

/// Moves the calling thread into network namespace `name` (made by `ip netns add`).
/// Threads it starts afterwards, and sockets it opens, belong to that namespace.
fn enter_namespace(name: &str) {
    let path = format!("/run/netns/{name}");
    let file = File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    // SAFETY: setns on a valid namespace file descriptor; it affects this thread only.
    let done = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
    assert_eq!(done, 0, "setns {name}: {}", std::io::Error::last_os_error());
}

// ---------------------------------------------------------------- the server's count

/// One "tus: chunk received" event of the server.
#[derive(Clone, Debug, Default)]
struct Chunk {
    upload: String,
    offset: u64,
    received: u64,
    length: u64,
    cut: bool,
}

impl Visit for Chunk {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "upload" {
            self.upload = value.to_string();
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "offset" => self.offset = value,
            "received" => self.received = value,
            "length" => self.length = value,
            _ => {}
        }
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "cut" {
            self.cut = value;
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

/// Collects the server's chunk events and counts its requests (the HTTP trace spans).
#[derive(Clone, Default)]
struct ServerCount {
    chunks: Arc<Mutex<Vec<Chunk>>>,
    requests: Arc<AtomicU64>,
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for ServerCount {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let mut message = String::new();
        struct Message<'a>(&'a mut String);
        impl Visit for Message<'_> {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    *self.0 = format!("{value:?}");
                }
            }
        }
        event.record(&mut Message(&mut message));
        if message == "tus: chunk received" {
            let mut chunk = Chunk::default();
            event.record(&mut chunk);
            self.chunks.lock().unwrap().push(chunk);
        }
    }

    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if attrs.metadata().name() == "request" {
            self.requests.fetch_add(1, Ordering::Relaxed);
        }
    }
}

// ---------------------------------------------------------------- the relay

#[derive(Default)]
struct RelayStats {
    up: AtomicU64,
    down: AtomicU64,
    connections: AtomicU64,
    /// Reset every connection once this many bytes went up (u64::MAX: never).
    drop_at: AtomicU64,
    dropped: AtomicBool,
    dropped_when: Mutex<Option<Instant>>,
    /// The first byte that went up after the drop.
    back_when: Mutex<Option<Instant>>,
}

/// The phone's side of the link: delays each direction by half the round trip and can
/// drop every connection at once.
struct Relay {
    addr: SocketAddr,
    stats: Arc<RelayStats>,
    _runtime: tokio::runtime::Runtime,
}

impl Relay {
    /// Starts on this thread's namespace's loopback, relaying to `upstream`.
    fn start(upstream: SocketAddr, rtt: Duration) -> Relay {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("link-relay")
            .enable_all()
            .build()
            .expect("a runtime");
        let stats = Arc::new(RelayStats {
            drop_at: AtomicU64::new(u64::MAX),
            ..RelayStats::default()
        });
        let (kill, _) = watch::channel(0u64);
        let kill = Arc::new(kill);
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind the relay");
        let addr = listener.local_addr().expect("the relay's address");
        let shared = stats.clone();
        runtime.spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                shared.connections.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(relay(client, upstream, rtt, shared.clone(), kill.clone()));
            }
        });
        Relay {
            addr,
            stats,
            _runtime: runtime,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn drop_after(&self, more_bytes_up: u64) {
        let at = self.stats.up.load(Ordering::SeqCst) + more_bytes_up;
        self.stats.drop_at.store(at, Ordering::SeqCst);
    }
}

/// Sets SO_LINGER to 0, so closing the socket resets the connection (what a peer sees
/// when the phone's link dies: no FIN, nothing more).
fn reset_on_close(fd: i32) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor and a properly sized option value.
    unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

async fn relay(
    client: TcpStream,
    upstream: SocketAddr,
    rtt: Duration,
    stats: Arc<RelayStats>,
    kill: Arc<watch::Sender<u64>>,
) {
    let mut killed = kill.subscribe();
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    // The handshake's round trip, which a local relay would otherwise skip.
    tokio::time::sleep(rtt).await;
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let fds = (client.as_raw_fd(), server.as_raw_fd());
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let half = rtt / 2;
    let up = pump(
        client_read,
        server_write,
        half,
        stats.clone(),
        Some(kill.clone()),
    );
    let down = pump(server_read, client_write, half, stats.clone(), None);
    tokio::select! {
        _ = async { tokio::join!(up, down) } => {}
        _ = killed.changed() => {
            reset_on_close(fds.0);
            reset_on_close(fds.1);
        }
    }
}

/// Copies one direction, each read delivered `delay` after it was read. Going up, it
/// counts the bytes and pulls the trigger of the drop.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
    stats: Arc<RelayStats>,
    up: Option<Arc<watch::Sender<u64>>>,
) {
    let (queue, mut due) = mpsc::unbounded_channel::<(tokio::time::Instant, Option<Vec<u8>>)>();
    let reader = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = from.read(&mut buf).await.unwrap_or(0);
            let at = tokio::time::Instant::now() + delay;
            if n == 0 {
                let _ = queue.send((at, None));
                return;
            }
            if queue.send((at, Some(buf[..n].to_vec()))).is_err() {
                return;
            }
        }
    };
    let writer = async move {
        while let Some((at, data)) = due.recv().await {
            tokio::time::sleep_until(at).await;
            let Some(mut data) = data else {
                let _ = to.shutdown().await;
                return;
            };
            if let Some(kill) = &up {
                let sent = stats.up.load(Ordering::SeqCst);
                let limit = stats.drop_at.load(Ordering::SeqCst);
                if sent + data.len() as u64 > limit && !stats.dropped.swap(true, Ordering::SeqCst) {
                    data.truncate((limit - sent) as usize);
                    let _ = to.write_all(&data).await;
                    stats.up.fetch_add(data.len() as u64, Ordering::SeqCst);
                    *stats.dropped_when.lock().unwrap() = Some(Instant::now());
                    kill.send_modify(|generation| *generation += 1);
                    return;
                }
                if stats.dropped.load(Ordering::SeqCst) {
                    stats
                        .back_when
                        .lock()
                        .unwrap()
                        .get_or_insert_with(Instant::now);
                }
                stats.up.fetch_add(data.len() as u64, Ordering::SeqCst);
            } else {
                stats.down.fetch_add(data.len() as u64, Ordering::SeqCst);
            }
            if to.write_all(&data).await.is_err() {
                return;
            }
        }
    };
    tokio::join!(reader, writer);
}

// ---------------------------------------------------------------- the run

fn gzip_len(bytes: &[u8]) -> u64 {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip in memory");
    encoder.finish().expect("gzip in memory").len() as u64
}

/// TCP segments this thread's namespace sent again (its /proc/net/snmp).
fn retransmitted_segments() -> u64 {
    let snmp = std::fs::read_to_string("/proc/thread-self/net/snmp").unwrap_or_default();
    let mut tcp = snmp.lines().filter(|l| l.starts_with("Tcp:"));
    let (Some(names), Some(values)) = (tcp.next(), tcp.next()) else {
        return 0;
    };
    names
        .split_whitespace()
        .zip(values.split_whitespace())
        .find(|(name, _)| *name == "RetransSegs")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
}

struct PhoneRun {
    seconds: f64,
    record_gzip: u64,
    photo_sizes: Vec<u64>,
    photos_uploaded: u64,
    wire_up: u64,
    wire_down: u64,
    connections: u64,
    dropped: bool,
    pause_after_drop: Option<Duration>,
    retransmitted: u64,
}

fn phone_side(
    spec: &LinkSpec,
    server: SocketAddr,
    town: &Town,
    code: &str,
    dir: &std::path::Path,
) -> PhoneRun {
    enter_namespace(&spec.phone_ns);
    let relay = Relay::start(server, spec.rtt);
    let phone = Phone::open("bi-thu-ban-nam-cang", dir).expect("open the phone");
    ok(phone.enroll(&relay.url(), code), "enrol over the link");
    sync_all(&phone);

    // Recorded offline, signed.
    let meeting_id = record_month(&phone, town, 0, 30);
    let photos = attach_photos(&phone, &meeting_id, &PHOTOS);
    ok(phone.store.sign_meeting(meeting_id), "sign");
    let record_gzip = gzip_len(&serde_json::to_vec(&pending_changes(&phone)).expect("JSON"));
    let photo_sizes: Vec<u64> = photos.iter().map(|p| p.byte_size).collect();
    // The app is opened again to sync, as after a meeting of an hour or two: no
    // connection is left from the roster's sync, so the timed sync opens its own (the
    // floor counts that round trip).
    drop(phone);
    let phone = Phone::open("bi-thu-ban-nam-cang", dir).expect("open the phone again");

    // The drop: in the middle of the second photo (the request and the first photo,
    // with a few KB of headers, go first).
    relay.drop_after(record_gzip + 4_000 + photo_sizes[0] + photo_sizes[1] / 2);
    let (up0, down0, conns0) = (
        relay.stats.up.load(Ordering::SeqCst),
        relay.stats.down.load(Ordering::SeqCst),
        relay.stats.connections.load(Ordering::SeqCst),
    );
    let retransmitted0 = retransmitted_segments();
    let started = Instant::now();
    let report = ok(phone.sync(), "the timed sync");
    let seconds = started.elapsed().as_secs_f64();
    let stats = &relay.stats;
    let dropped_when = *stats.dropped_when.lock().unwrap();
    let back_when = *stats.back_when.lock().unwrap();
    PhoneRun {
        seconds,
        record_gzip,
        photo_sizes,
        photos_uploaded: report.photos_uploaded,
        wire_up: stats.up.load(Ordering::SeqCst) - up0,
        wire_down: stats.down.load(Ordering::SeqCst) - down0,
        connections: stats.connections.load(Ordering::SeqCst) - conns0,
        dropped: stats.dropped.load(Ordering::SeqCst),
        pause_after_drop: dropped_when.zip(back_when).map(|(d, b)| b - d),
        retransmitted: retransmitted_segments() - retransmitted0,
    }
}

fn main() {
    let spec = LinkSpec::from_env();
    let count = ServerCount::default();
    let filter = tracing_subscriber::filter::Targets::new()
        .with_target("chibo_server::web::tus", tracing::Level::DEBUG)
        .with_target("tower_http::trace", tracing::Level::INFO);
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(
        tracing_subscriber::Layer::with_filter(count.clone(), filter),
    ))
    .expect("the tracing subscriber");

    // The server listens in its namespace, on every address there; the commune is
    // registered there too (its office phone enrols on the server's side).
    let (cluster, town) = std::thread::scope(|s| {
        s.spawn(|| {
            enter_namespace(&spec.server_ns);
            let cluster = Cluster::on(Database::sqlite(), |config| {
                config.listen = "0.0.0.0:0".parse().expect("an address");
            });
            let town = Town::create(&cluster, "ban-nam-cang", commune_of_villages(&[4]));
            (cluster, town)
        })
        .join()
        .expect("the server's thread")
    });
    let port = cluster.config.listen.port();
    let server: SocketAddr = format!("{}:{port}", spec.server_ip)
        .parse()
        .expect("the server's address");
    let secretary = town
        .seed
        .secretary(&town.cell(0).id)
        .map(|m| m.full_name.clone())
        .expect("a secretary");
    let code = town.issue(
        &cluster,
        &secretary,
        Role::Secretary {
            cell_id: town.cell(0).id.clone(),
        },
    );
    let phone_dir = tempfile::tempdir().expect("a temporary directory");
    let requests_before = count.requests.load(Ordering::SeqCst);
    let chunks_before = count.chunks.lock().unwrap().len();
    let _ = requests_before;
    let run = std::thread::scope(|s| {
        s.spawn(|| phone_side(&spec, server, &town, &code, phone_dir.path()))
            .join()
            .expect("the phone's thread")
    });
    let chunks: Vec<Chunk> = count.chunks.lock().unwrap()[chunks_before..].to_vec();
    assert_eq!(run.photos_uploaded, 3, "all three photos went up");

    // What the server received for each upload, against its length.
    let mut uploads: BTreeMap<String, (u64, u64, usize, bool)> = BTreeMap::new();
    for c in &chunks {
        let entry = uploads
            .entry(c.upload.clone())
            .or_insert((c.length, 0, 0, false));
        entry.1 += c.received;
        entry.2 += 1;
        entry.3 |= c.cut && c.received > 0;
    }
    let photo_bytes: u64 = run.photo_sizes.iter().sum();
    let received: u64 = uploads.values().map(|u| u.1).sum();
    let lengths: u64 = uploads.values().map(|u| u.0).sum();
    let cut_and_continued = chunks.iter().enumerate().any(|(i, c)| {
        c.cut
            && c.received > 0
            && chunks[i + 1..]
                .iter()
                .any(|later| later.upload == c.upload && later.offset == c.offset + c.received)
    });
    let resumed =
        run.dropped && cut_and_continued && received == photo_bytes && lengths == photo_bytes;

    // The floor.
    let up_rate = spec.up_kbit * 1000.0 / 8.0;
    let payload = run.record_gzip + photo_bytes;
    let round_trips = 1 + 1 + 3 + if run.dropped { 2 } else { 0 };
    let floor = payload as f64 / up_rate + round_trips as f64 * spec.rtt.as_secs_f64();
    let ratio = run.seconds / floor;

    println!(
        "link: {} kbit/s up, {} kbit/s down, {} ms round trips, {} % loss each way, one drop",
        spec.up_kbit,
        spec.down_kbit,
        spec.rtt.as_millis(),
        spec.loss_percent
    );
    println!(
        "  payload up: {} B (the meeting's changes, gzip JSON: {} B; 3 photos: {} B)",
        payload,
        run.record_gzip,
        run.photo_sizes
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" + ")
    );
    println!(
        "  floor: {payload} B at {} kbit/s = {:.1} s, plus {round_trips} round trips × {} ms \
         (connection, sync, one request per photo{}) = {floor:.1} s",
        spec.up_kbit,
        payload as f64 / up_rate,
        spec.rtt.as_millis(),
        if run.dropped {
            ", reconnecting and asking the offset after the drop"
        } else {
            ""
        }
    );
    println!(
        "  chibo: {:.1} s; on the wire {} B up ({:+.1} % over the payload: HTTP and tus headers), \
         {} B down, {} new connection(s), {} upload requests, {} TCP segments sent again \
         after losses",
        run.seconds,
        run.wire_up,
        (run.wire_up as f64 / payload as f64 - 1.0) * 100.0,
        run.wire_down,
        run.connections,
        chunks.len(),
        run.retransmitted
    );
    println!(
        "  at the wire rate alone: {:.1} s; the rest is round trips ({} requests), \
         retransmission timeouts and the pause after the drop",
        run.wire_up as f64 * 1.035 / up_rate,
        count.requests.load(Ordering::SeqCst) - requests_before
    );
    match run.pause_after_drop {
        Some(pause) => println!(
            "  drop: every connection reset mid-photo; the phone waited {:.1} s (back-off, a \
             new connection, HEAD for the offset) and went on",
            pause.as_secs_f64()
        ),
        None => println!(
            "  drop: the relay never dropped the link (the photos were smaller than planned)"
        ),
    }
    for (upload, (length, got, requests, cut)) in &uploads {
        println!(
            "  server: upload {}… {length} B long received {got} B in {requests} request(s){}",
            &upload[..8],
            if *cut {
                ", cut by the drop and resumed"
            } else {
                ""
            }
        );
    }
    println!(
        "  sent twice: {} B (the server received {received} B for {photo_bytes} B of photos)",
        received.saturating_sub(photo_bytes)
    );
    println!(
        "link: chibo {:.1} s vs floor {:.1} s ({:.2}), resumed after drop: {}",
        run.seconds,
        floor,
        ratio,
        if resumed { "yes" } else { "no" }
    );
}

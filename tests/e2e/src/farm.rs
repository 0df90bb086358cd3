//! Several real `chibo-server` processes behind HAProxy, as a province runs them: one
//! PostgreSQL (`CHIBO_TEST_DATABASE_URL`), one S3 bucket (`CHIBO_TEST_S3_URL`), uploads
//! in the database, and the load balancer started from the repository's own
//! `server/deploy/haproxy.cfg` (the file the production layout documents), with TLS on
//! one port and plain HTTP for loopback on another. `tests/run cluster` provides all of
//! it.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use chibo_demo::Phone;
use chibo_server::blobs::BlobStoreConfig;
use chibo_server::storage::{self, Storage};
use tempfile::TempDir;

use crate::cluster::{Database, Site};
use crate::crash::workspace_binary;

/// The variable naming HAProxy's binary (`haproxy` on the PATH otherwise).
pub const HAPROXY_VAR: &str = "CHIBO_HAPROXY";

/// One server process.
struct Process {
    child: Option<Child>,
    port: u16,
    log: PathBuf,
}

pub struct Farm {
    pub db: Database,
    storage: Arc<dyn Storage>,
    /// The configuration file every process reads (only the listening port differs).
    pub config_file: PathBuf,
    processes: Vec<Process>,
    haproxy: Child,
    haproxy_log: PathBuf,
    /// HAProxy's plain-HTTP and TLS ports.
    pub http_port: u16,
    pub https_port: u16,
    pub blob_store: BlobStoreConfig,
    dir: TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Answers HTTP at all (any status): the process is up.
fn answers(port: u16) -> bool {
    use std::io::Read;
    let probe = || -> std::io::Result<bool> {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        write!(
            stream,
            "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer)?;
        Ok(answer.starts_with(b"HTTP/1.1 "))
    };
    probe().unwrap_or(false)
}

fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..600 {
        if ready() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not happen within 30 s");
}

impl Farm {
    /// `n` server processes and HAProxy in front of them; `tweak` adds lines to the
    /// processes' TOML configuration (e.g. `max_pull = 5`).
    pub fn start(n: usize, extra_config: &str) -> Farm {
        let base = std::env::var(crate::cluster::DATABASE_URL_VAR).unwrap_or_else(|_| {
            panic!("several processes need PostgreSQL: run through tests/run cluster")
        });
        let db = Database::postgres(base.trim());
        let dir = tempfile::tempdir().expect("a temporary directory");
        let blob_store = BlobStoreConfig::for_tests(&dir.path().to_string_lossy());
        let BlobStoreConfig::S3(s3) = &blob_store else {
            panic!("several processes need S3: run through tests/run cluster (CHIBO_TEST_S3_URL)")
        };
        let public_port = free_port();
        let https_port = free_port();
        // One file for all the processes, as the production layout has it.
        let config_file = dir.path().join("chibo.toml");
        let toml = format!(
            "database_url = \"{db}\"\npublic_url = \"http://127.0.0.1:{public_port}\"\n\
             upload_state = \"database\"\n{extra_config}\n\n[blob_store]\nbackend = \"s3\"\n\
             bucket = \"{bucket}\"\nendpoint = \"{endpoint}\"\nregion = \"{region}\"\n\
             prefix = \"{prefix}\"\naccess_key_id = \"{key}\"\nallow_http = {allow_http}\n",
            db = db.url,
            bucket = s3.bucket,
            endpoint = s3.endpoint,
            region = s3.region,
            prefix = s3.prefix,
            key = s3.access_key_id,
            allow_http = s3.allow_http,
        );
        std::fs::write(&config_file, toml).expect("write the configuration");
        let storage = storage::open(&db.url).expect("open the database");

        let mut farm_processes = Vec::new();
        for i in 0..n {
            farm_processes.push(Process {
                child: None,
                port: free_port(),
                log: dir.path().join(format!("chibo{}.log", i + 1)),
            });
        }

        // TLS at the load balancer: a throwaway self-signed certificate.
        let pem = dir.path().join("chibo.pem");
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        let made = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            ])
            .args(["-subj", "/CN=127.0.0.1", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run openssl");
        assert!(made.success(), "openssl could not make a certificate");
        let mut both = std::fs::read(&cert).unwrap();
        both.extend(std::fs::read(&key).unwrap());
        std::fs::write(&pem, both).unwrap();

        let haproxy_log = dir.path().join("haproxy.log");
        let haproxy_bin = std::env::var(HAPROXY_VAR).unwrap_or_else(|_| "haproxy".into());
        let mut command = Command::new(haproxy_bin);
        command
            .arg("-db")
            .arg("-f")
            .arg(repo_root().join("server/deploy/haproxy.cfg"))
            .env("CHIBO_LB_HTTP", format!("127.0.0.1:{public_port}"))
            .env("CHIBO_LB_HTTPS", format!("127.0.0.1:{https_port}"))
            .env("CHIBO_LB_CERT", &pem);
        for (i, process) in farm_processes.iter().enumerate() {
            command.env(
                format!("CHIBO_SERVER_{}", i + 1),
                format!("127.0.0.1:{}", process.port),
            );
        }
        let log = std::fs::File::create(&haproxy_log).unwrap();
        let haproxy = command
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start haproxy (tests/run cluster installs it)");

        let mut farm = Farm {
            db,
            storage,
            config_file,
            processes: farm_processes,
            haproxy,
            haproxy_log,
            http_port: public_port,
            https_port,
            blob_store,
            dir,
        };
        for i in 0..n {
            farm.start_process(i);
        }
        // Every process is in HAProxy's rotation before the test begins.
        for i in 0..n {
            farm.wait_in_rotation(i);
        }
        eprintln!(
            "farm: {n} chibo-server processes behind haproxy on 127.0.0.1:{public_port} (TLS \
             on {https_port}), {}",
            farm.dir.path().display()
        );
        farm
    }

    /// (Re)starts process `i` on its port.
    pub fn start_process(&mut self, i: usize) {
        let process = &mut self.processes[i];
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&process.log)
            .unwrap();
        let child = Command::new(workspace_binary("chibo-server"))
            .arg("--config")
            .arg(&self.config_file)
            .arg("serve")
            .env("CHIBO_LISTEN", format!("127.0.0.1:{}", process.port))
            .env(
                "CHIBO_DATA_DIR",
                self.dir.path().join(format!("data{}", i + 1)),
            )
            .env(
                "CHIBO_S3_SECRET_ACCESS_KEY",
                match &self.blob_store {
                    BlobStoreConfig::S3(s3) => s3.secret_access_key.clone(),
                    BlobStoreConfig::Filesystem => unreachable!(),
                },
            )
            // Request starts too, to see which process a request is on.
            .env("CHIBO_LOG", "info,tower_http=debug")
            .env("NO_COLOR", "1")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start chibo-server");
        process.child = Some(child);
        let port = process.port;
        wait_until(&format!("chibo-server {} listening", i + 1), || {
            answers(port)
        });
    }

    /// Kills process `i` with SIGKILL: no shutdown, requests in flight cut.
    pub fn kill_process(&mut self, i: usize) {
        if let Some(mut child) = self.processes[i].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Waits until HAProxy routes to process `i` again (its health check passed).
    pub fn wait_in_rotation(&self, i: usize) {
        let name = format!("chibo{}", i + 1);
        let port = self.http_port;
        wait_until(&format!("{name} in haproxy's rotation"), || {
            (0..6).any(|_| self.served_by_probe(port).as_deref() == Some(name.as_str()))
        });
    }

    /// Which process answered a probe through the load balancer (its
    /// `X-Chibo-Process` header).
    fn served_by_probe(&self, port: u16) -> Option<String> {
        use std::io::Read;
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(
            stream,
            "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).ok()?;
        let text = String::from_utf8_lossy(&answer);
        text.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("x-chibo-process")
                .then(|| value.trim().to_string())
        })
    }

    /// The address of process `i` itself, bypassing the load balancer.
    pub fn process_url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.processes[i].port)
    }

    pub fn https_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.https_port)
    }

    /// Process `i`'s log so far.
    pub fn process_log(&self, i: usize) -> String {
        std::fs::read_to_string(&self.processes[i].log).unwrap_or_default()
    }

    /// Requests whose path starts with `prefix` in process `i`'s log that have started
    /// and not yet finished.
    pub fn requests_in_flight(&self, i: usize, prefix: &str) -> i64 {
        let log = self.process_log(i);
        let on_path = |line: &&str| line.contains(&format!("uri={prefix}"));
        let started = log
            .lines()
            .filter(on_path)
            .filter(|l| l.contains("started processing request"))
            .count() as i64;
        let finished = log
            .lines()
            .filter(on_path)
            .filter(|l| l.contains("finished processing request"))
            .count() as i64;
        started - finished
    }

    /// How many requests with a path starting with `prefix` each process served,
    /// according to HAProxy's log (`backend/chiboN … "METHOD path …"`).
    pub fn served(&self, prefix: &str) -> BTreeMap<String, u64> {
        let log = std::fs::read_to_string(&self.haproxy_log).unwrap_or_default();
        let mut out = BTreeMap::new();
        for line in log.lines() {
            let Some(request) = line.split('"').nth(1) else {
                continue;
            };
            let path = request.split(' ').nth(1).unwrap_or_default();
            if !path.starts_with(prefix) {
                continue;
            }
            if let Some(server) = line
                .split_whitespace()
                .find_map(|w| w.strip_prefix("chibo_servers/"))
            {
                *out.entry(server.to_string()).or_insert(0) += 1;
            }
        }
        out
    }

    /// HAProxy's log so far.
    pub fn haproxy_log(&self) -> String {
        std::fs::read_to_string(&self.haproxy_log).unwrap_or_default()
    }

    pub fn phones_dir(&self) -> PathBuf {
        self.dir.path().join("phones")
    }
}

impl Site for Farm {
    fn storage(&self) -> &dyn Storage {
        &*self.storage
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    fn phone(&self, name: &str) -> Phone {
        Phone::open(name, &self.phones_dir().join(name)).expect("open the phone's store")
    }
}

impl Drop for Farm {
    fn drop(&mut self) {
        for i in 0..self.processes.len() {
            self.kill_process(i);
        }
        let _ = self.haproxy.kill();
        let _ = self.haproxy.wait();
    }
}

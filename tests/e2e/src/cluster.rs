//! One commune server and the loopback proxy the phones reach it through.
//!
//! The server runs on a tokio runtime of its own, like a separate process: killing it
//! shuts that runtime down at once (connections dropped mid-request, whatever the
//! handlers were doing abandoned), and a restart opens the storage again from its URL
//! over the same data directory, on the same port, so the proxy's upstream and the
//! phones' enrolled address stay valid.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chibo_demo::{FaultPlan, FaultProxy, Phone};
use chibo_server::blobs::BlobStoreConfig;
use chibo_server::storage::{self, Storage};
use chibo_server::{Config, RunningServer, Server};
use tempfile::TempDir;
use tokio::runtime::Runtime;

/// The variable naming a PostgreSQL server to test against (tests/lib/postgres.sh sets
/// it); without it the backend is SQLite.
pub const DATABASE_URL_VAR: &str = "CHIBO_TEST_DATABASE_URL";

/// The database under test.
pub struct Database {
    pub url: String,
    /// "sqlite" or "postgres".
    pub backend: &'static str,
    _dir: Option<TempDir>,
}

impl Database {
    /// A fresh PostgreSQL database when `CHIBO_TEST_DATABASE_URL` is set, otherwise an
    /// SQLite file in a temporary directory.
    pub fn for_tests() -> Database {
        match std::env::var(DATABASE_URL_VAR) {
            Ok(base) if !base.trim().is_empty() => Database::postgres(base.trim()),
            _ => Database::sqlite(),
        }
    }

    /// An SQLite file in a temporary directory.
    pub fn sqlite() -> Database {
        let dir = tempfile::tempdir().expect("a temporary directory");
        Database {
            url: format!("sqlite://{}", dir.path().join("server.db").display()),
            backend: "sqlite",
            _dir: Some(dir),
        }
    }

    /// A fresh database on the PostgreSQL server `base_url` names.
    pub fn postgres(base_url: &str) -> Database {
        let url = storage::postgres::fresh_test_database(base_url)
            .expect("create a fresh PostgreSQL test database");
        Database {
            url,
            backend: "postgres",
            _dir: None,
        }
    }

    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.url.strip_prefix("sqlite://").map(PathBuf::from)
    }
}

/// A server "process": its runtime and the running server.
struct ServerProcess {
    runtime: Runtime,
    running: RunningServer,
}

pub struct Cluster {
    /// Runs the proxy; lives as long as the cluster.
    runtime: Runtime,
    server: Option<ServerProcess>,
    pub db: Database,
    pub config: Config,
    /// The harness's own connection to the database, to look at what the server holds.
    storage: Arc<dyn Storage>,
    pub proxy: FaultProxy,
    data_dir: TempDir,
    phones_dir: TempDir,
}

fn runtime(name: &str, threads: usize) -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name(name)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

impl Cluster {
    /// A server on a free loopback port over a fresh database, and a proxy in front of
    /// it that passes everything until told otherwise.
    pub fn start() -> Cluster {
        Cluster::start_with(|_| {})
    }

    pub fn start_with(tweak: impl FnOnce(&mut Config)) -> Cluster {
        Cluster::on(Database::for_tests(), tweak)
    }

    /// A cluster over the given database.
    pub fn on(db: Database, tweak: impl FnOnce(&mut Config)) -> Cluster {
        let data_dir = tempfile::tempdir().expect("a temporary directory");
        let mut config = Config {
            listen: "127.0.0.1:0".parse().expect("an address"),
            data_dir: data_dir.path().to_path_buf(),
            database_url: Some(db.url.clone()),
            // The S3 bucket `CHIBO_TEST_S3_URL` names (tests/run s3), or the data dir.
            blob_store: BlobStoreConfig::for_tests(&data_dir.path().to_string_lossy()),
            ..Config::default()
        };
        tweak(&mut config);
        let server = launch(&config);
        // From now on the same port: a restarted server is where the proxy expects it.
        config.listen = server.running.addr();
        let storage = storage::open(&db.url).expect("open the server's database");
        eprintln!("e2e: server on {} at {}", db.backend, config.listen);
        let runtime = runtime("e2e-proxy", 2);
        let proxy = runtime
            .block_on(FaultProxy::start(server.running.addr(), FaultPlan::none()))
            .expect("start the proxy");
        Cluster {
            runtime,
            server: Some(server),
            db,
            config,
            storage,
            proxy,
            data_dir,
            phones_dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// The address phones enrol with: the proxy's.
    pub fn url(&self) -> String {
        self.proxy.url()
    }

    /// The server itself, bypassing the proxy (for hand-made requests).
    pub fn server_url(&self) -> String {
        format!("http://{}", self.config.listen)
    }

    pub fn storage(&self) -> &dyn Storage {
        &*self.storage
    }

    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    pub fn set_faults(&self, plan: FaultPlan) {
        self.proxy.set_plan(plan);
    }

    /// Runs a future on the harness's runtime (from a plain, blocking test).
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Kills the server: its runtime stops at once, requests in flight are abandoned and
    /// their connections dropped. The database and the data directory stay.
    pub fn kill_server(&mut self) {
        if let Some(process) = self.server.take() {
            let ServerProcess { runtime, running } = process;
            drop(running);
            // Waits for the worker threads (and so the listener) to be gone, so the port
            // is free for the restart; a blocking database call in flight may finish.
            runtime.shutdown_timeout(Duration::from_secs(10));
        }
    }

    /// Starts the server again over the same database and data directory, on the same
    /// port.
    pub fn restart_server(&mut self) {
        self.kill_server();
        self.server = Some(launch(&self.config));
    }

    pub fn server_running(&self) -> bool {
        self.server.is_some()
    }

    /// Where phone `name` keeps its files.
    pub fn phone_dir(&self, name: &str) -> PathBuf {
        self.phones_dir.path().join(name)
    }

    /// Opens (or reopens, after a "restart" of the app) the phone kept under `name`.
    pub fn phone(&self, name: &str) -> Phone {
        Phone::open(name, &self.phone_dir(name)).expect("open the phone's store")
    }
}

/// Where phones enrol and what the harness reads the server's database through: one
/// in-process server ([`Cluster`]) or several server processes behind a load balancer
/// ([`crate::farm::Farm`]).
pub trait Site {
    fn storage(&self) -> &dyn Storage;
    /// The address phones enrol with.
    fn url(&self) -> String;
    /// Opens (or reopens) the phone kept under `name`.
    fn phone(&self, name: &str) -> Phone;
}

impl Site for Cluster {
    fn storage(&self) -> &dyn Storage {
        Cluster::storage(self)
    }

    fn url(&self) -> String {
        Cluster::url(self)
    }

    fn phone(&self, name: &str) -> Phone {
        Cluster::phone(self, name)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.kill_server();
    }
}

/// Starts a server "process" for `config`, retrying the bind briefly: the previous
/// process's socket may take a moment to let go of the port.
fn launch(config: &Config) -> ServerProcess {
    let mut last_error = None;
    for _ in 0..100 {
        let runtime = runtime("e2e-server", 2);
        let storage = storage::open(&config.database_url()).expect("open the server's database");
        let started = runtime.block_on(Server::new(config.clone()).with_storage(storage).start());
        match started {
            Ok(running) => return ServerProcess { runtime, running },
            Err(e @ chibo_server::ServerError::Bind { .. }) => {
                last_error = Some(e.to_string());
                runtime.shutdown_background();
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("start the server: {e}"),
        }
    }
    panic!(
        "the server could not bind {} again: {}",
        config.listen,
        last_error.unwrap_or_default()
    );
}

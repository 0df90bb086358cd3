//! chibo's commune server: enrolment, sync (push, acknowledgements and pull in one round
//! trip), the office's dashboard and JSON API, over one storage interface with an
//! embedded SQLite and a PostgreSQL backend. Every rule comes from `chibo_domain`.
//!
//! The folders are the layers, and imports only run downwards (no loops):
//!
//! - [`web`]: HTTP in, HTTP out. The phones' JSON API, the office's dashboard (pages and
//!   their extractors), tus uploads. It parses, asks the layer below, renders.
//! - The services, which know nothing of HTTP:
//!   - [`access`]: every "may X read or write Y";
//!   - [`ledger`]: the one write path (where a change belongs and whether the writer may
//!     write there, last writer wins, `ledger::decide`, effects, logs, summaries), which
//!     [`sync`] (the device protocol: pushes in short transactions, pulls) and [`office`]
//!     (the dashboard's actions) both call;
//!   - [`accounts`]: devices and enrolment, dashboard accounts and sessions;
//!   - [`figures`]: read models (meeting summaries, the dashboard's months, the reports).
//! - Storage: [`docs`] (the commune's documents, typed, inside one transaction) over
//!   [`storage`] (SQLite, PostgreSQL), and [`blobs`] (filesystem, S3).
//! - `chibo_domain` under them all. [`error`], [`clock`] and [`config`] are shared.
//!
//! Start one in-process with [`Server`] (tests and the demo bind `127.0.0.1:0`), or run
//! it until Ctrl-C with [`run`].

// Layers, top down (see above).
pub mod web;

pub mod access;
pub mod accounts;
pub mod figures;
pub mod ledger;
pub mod office;
pub mod sync;

pub mod blobs;
pub mod docs;
pub mod storage;

pub mod clock;
pub mod config;
pub mod error;

use std::net::SocketAddr;
use std::sync::Arc;

use thiserror::Error;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use chibo_domain::sync::PROTOCOL_VERSION;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Config, ConfigError};
pub use error::ApiError;
pub use storage::{Storage, StorageError, Tx};

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    /// Published photos and attachments (`config.blob_store`).
    pub blobs: Arc<dyn blobs::BlobStore>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
}

/// Refuses a protocol version this server does not speak (400).
pub fn check_protocol(protocol: u32) -> Result<(), ApiError> {
    if protocol == PROTOCOL_VERSION {
        Ok(())
    } else {
        Err(ApiError::BadRequest(format!(
            "Phiên bản giao thức {protocol} không được hỗ trợ (máy chủ dùng phiên bản \
             {PROTOCOL_VERSION}); hãy cập nhật ứng dụng"
        )))
    }
}

/// Marks a transaction the caller rolled back on purpose; never reaches a client.
const ROLLED_BACK: &str = "rolled back by the caller";

/// Runs `f` in a write transaction: `Ok(Ok(v))` commits, `Ok(Err(e))` rolls back and
/// answers `e`, `Err` (storage) rolls back and answers with the storage error.
pub fn in_write<T>(
    storage: &dyn Storage,
    f: impl FnMut(&mut dyn Tx) -> storage::StorageResult<Result<T, ApiError>>,
) -> Result<T, ApiError> {
    run_write(|tx_fn| storage.write_tx(tx_fn), f)
}

/// [`in_write`] queued behind the `writers` it could collide with (see
/// [`Storage::queued_write_tx`]): a device's push and what it records.
pub fn in_queued_write<T>(
    storage: &dyn Storage,
    writers: storage::Writers<'_>,
    f: impl FnMut(&mut dyn Tx) -> storage::StorageResult<Result<T, ApiError>>,
) -> Result<T, ApiError> {
    run_write(|tx_fn| storage.queued_write_tx(writers, tx_fn), f)
}

fn run_write<T>(
    write_tx: impl FnOnce(storage::TxFn<'_>) -> storage::StorageResult<()>,
    mut f: impl FnMut(&mut dyn Tx) -> storage::StorageResult<Result<T, ApiError>>,
) -> Result<T, ApiError> {
    let mut out: Option<Result<T, ApiError>> = None;
    let committed = write_tx(&mut |tx| {
        out = None;
        match f(tx)? {
            Ok(v) => {
                out = Some(Ok(v));
                Ok(())
            }
            Err(e) => {
                out = Some(Err(e));
                Err(StorageError::Conflict(ROLLED_BACK.into()))
            }
        }
    });
    match (committed, out) {
        (Ok(()), Some(Ok(v))) => Ok(v),
        (Err(_), Some(Err(e))) => Err(e),
        (Err(e), _) => Err(e.into()),
        (Ok(()), _) => Err(ApiError::Internal("transaction without result".into())),
    }
}

/// Runs `f` in a read transaction.
pub fn in_read<T>(
    storage: &dyn Storage,
    mut f: impl FnMut(&mut dyn Tx) -> storage::StorageResult<Result<T, ApiError>>,
) -> Result<T, ApiError> {
    let mut out: Option<Result<T, ApiError>> = None;
    storage.read_tx(&mut |tx| {
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.unwrap_or_else(|| Err(ApiError::Internal("transaction without result".into())))
}

#[derive(Debug, Error)]
pub enum ServerError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("không mở được cổng {addr}: {detail}")]
    Bind { addr: SocketAddr, detail: String },
    #[error("lỗi máy chủ: {0}")]
    Io(String),
}

/// Builds a server from its configuration; the storage and the clock can be given
/// (tests, the demo), otherwise they come from the configuration and the system.
pub struct Server {
    config: Config,
    storage: Option<Arc<dyn Storage>>,
    clock: Arc<dyn Clock>,
}

impl Server {
    pub fn new(config: Config) -> Server {
        Server {
            config,
            storage: None,
            clock: Arc::new(SystemClock),
        }
    }

    pub fn with_storage(mut self, storage: Arc<dyn Storage>) -> Server {
        self.storage = Some(storage);
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Server {
        self.clock = clock;
        self
    }

    /// The state handlers would share, without listening (the admin CLI uses it).
    pub fn state(self) -> Result<AppState, ServerError> {
        let storage = match self.storage {
            Some(s) => s,
            None => storage::open(&self.config.database_url())?,
        };
        let blobs = blobs::open_blob_store(&self.config.blob_store, &self.config.data_dir)
            .map_err(|e| ServerError::Io(format!("kho ảnh: {e}")))?;
        Ok(AppState {
            storage,
            blobs,
            clock: self.clock,
            config: Arc::new(self.config),
        })
    }

    /// Binds `config.listen` (port 0 picks a free port) and serves in the background.
    pub async fn start(mut self) -> Result<RunningServer, ServerError> {
        let listen = self.config.listen;
        let listener =
            tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| ServerError::Bind {
                    addr: listen,
                    detail: e.to_string(),
                })?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServerError::Io(e.to_string()))?;
        // Unset, the address phones use is the one actually bound (port 0 picks one).
        if self.config.public_url.is_none() {
            self.config.public_url = Some(format!("http://{addr}"));
        }
        let state = self.state()?;
        // A database from before meeting summaries (or an older format) is judged once.
        let storage = state.storage.clone();
        let judged =
            tokio::task::spawn_blocking(move || figures::summaries::ensure_summaries(&*storage))
                .await
                .map_err(|e| ServerError::Io(e.to_string()))??;
        if judged > 0 {
            tracing::info!(communes = judged, "meeting summaries judged");
        }
        let router = web::router(state.clone())?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            // The client's address feeds the dashboard's sign-in rate limit.
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
        });
        tracing::info!(%addr, backend = state.storage.backend_name(), blobs = state.blobs.describe(), "chibo-server listening");
        Ok(RunningServer {
            addr,
            state,
            stop: Some(stop),
            task,
        })
    }
}

/// A server serving in the background; dropping it does not stop it, [`Self::stop`] does.
pub struct RunningServer {
    addr: SocketAddr,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`, the base the API paths go after.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting, finishes the requests in flight, and returns.
    pub async fn stop(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.wait().await
    }

    /// Serves until the server stops.
    pub async fn wait(self) -> Result<(), ServerError> {
        match self.task.await {
            Ok(result) => result.map_err(|e| ServerError::Io(e.to_string())),
            Err(e) => Err(ServerError::Io(e.to_string())),
        }
    }
}

/// Serves `config` until Ctrl-C (or SIGTERM).
pub async fn run(config: Config) -> Result<(), ServerError> {
    let mut server = Server::new(config).start().await?;
    shutdown_signal().await;
    tracing::info!("shutting down");
    if let Some(stop) = server.stop.take() {
        let _ = stop.send(());
    }
    server.wait().await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

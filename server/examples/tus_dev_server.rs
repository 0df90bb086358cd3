//! The tus endpoint alone, for tests with third-party tus clients (tests/tus, run by
//! `tests/run`): `chibo_server::web::tus::router` over a data directory, with the devices
//! given on the command line instead of the server's device table. Not for production:
//! it has no enrolment and no records, so who may read a blob is a flag per device.
//!
//! ```text
//! tus_dev_server <DATA_DIR> --device TOKEN:DEVICE_ID:COMMUNE_ID[:read] [--device …]
//!                [--port 0] [--max-size BYTES]
//! ```
//!
//! Prints `listening on http://127.0.0.1:<port>` once it accepts connections.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use axum::http::HeaderMap;
use chibo_server::blobs::BlobId;
use chibo_server::web::tus::{self, TusConfig, TusError, TusState, UploadAuth, Uploader};
use clap::Parser;

#[derive(Parser)]
struct Args {
    /// Where uploads and blobs are kept (created if missing).
    data_dir: PathBuf,
    /// TOKEN:DEVICE_ID:COMMUNE_ID, with `:read` when the device may read every blob.
    #[arg(long = "device", required = true)]
    devices: Vec<String>,
    #[arg(long, default_value_t = 0)]
    port: u16,
    #[arg(long)]
    max_size: Option<u64>,
}

struct Device {
    uploader: Uploader,
    reads_blobs: bool,
}

/// Bearer tokens from the command line.
struct TokenAuth {
    devices: HashMap<String, Device>,
}

impl UploadAuth for TokenAuth {
    fn authenticate(&self, headers: &HeaderMap) -> Result<Uploader, TusError> {
        headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|token| self.devices.get(token))
            .map(|device| device.uploader.clone())
            .ok_or(TusError::Unauthorized)
    }

    fn may_read_blob(&self, uploader: &Uploader, _sha256: &BlobId) -> Result<bool, TusError> {
        Ok(self
            .devices
            .values()
            .any(|d| d.uploader == *uploader && d.reads_blobs))
    }
}

fn parse_device(spec: &str) -> Result<(String, Device), String> {
    let parts: Vec<&str> = spec.split(':').collect();
    let (token, device_id, commune_id, reads_blobs) = match parts.as_slice() {
        [t, d, c] => (t, d, c, false),
        [t, d, c, "read"] => (t, d, c, true),
        _ => {
            return Err(format!(
                "--device {spec}: expected TOKEN:DEVICE_ID:COMMUNE_ID[:read]"
            ))
        }
    };
    let uploader = Uploader {
        device_id: device_id.to_string(),
        commune_id: commune_id.to_string(),
    };
    Ok((
        token.to_string(),
        Device {
            uploader,
            reads_blobs,
        },
    ))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let devices = args
        .devices
        .iter()
        .map(|spec| parse_device(spec))
        .collect::<Result<HashMap<_, _>, _>>()?;
    let mut config = TusConfig::default();
    if let Some(max) = args.max_size {
        config.max_size = max;
    }
    let state = TusState::in_data_dir(&args.data_dir, Arc::new(TokenAuth { devices }), config)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, tus::router(state)).await?;
    Ok(())
}

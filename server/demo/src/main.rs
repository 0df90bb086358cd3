//! `cargo run --release -p chibo-demo [-- --data-dir DIR --listen ADDR]`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use chibo_demo::run::{run, DemoOptions};

fn main() -> ExitCode {
    tracing_subscriber_init();
    let mut options = DemoOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--data-dir", Some(dir)) => options.data_dir = PathBuf::from(dir),
            ("--listen", Some(addr)) => match addr.parse::<SocketAddr>() {
                Ok(addr) => options.listen = addr,
                Err(_) => return usage(&format!("địa chỉ không hợp lệ: {addr}")),
            },
            (other, _) => return usage(&format!("không rõ tham số: {other}")),
        }
    }
    match run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Lỗi: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("{problem}\nCách dùng: chibo-demo [--data-dir THƯ_MỤC] [--listen 127.0.0.1:8080]");
    ExitCode::from(2)
}

fn tracing_subscriber_init() {
    // The server logs at warn unless RUST_LOG says otherwise: the demo prints its story.
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_string());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

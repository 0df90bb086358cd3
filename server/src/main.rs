//! `chibo-server serve [--config F]` runs the commune server; `chibo-server admin …`
//! bootstraps a commune and its first office person (the rest is done from the office's
//! enrolled device through the admin API).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use chibo_domain::sync::Role;
use chibo_server::accounts::enrolment::{self, NewPerson};
use chibo_server::accounts::users::DashboardRole;
use chibo_server::accounts::users::{self, NewUser, MIN_PASSWORD_CHARS};
use chibo_server::{Clock, Config, Server, SystemClock};

#[derive(Parser)]
#[command(name = "chibo-server", version, about = "Máy chủ Sổ Chi bộ của xã")]
struct Cli {
    /// TOML configuration file; CHIBO_* environment variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sync, enrolment, admin and upload API until Ctrl-C.
    Serve,
    /// Bootstrap: communes, the first office person, enrolment codes, dashboard accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a commune the server hosts.
    CreateCommune {
        /// e.g. "Đảng bộ xã Xuân Hòa".
        #[arg(long)]
        name: String,
        /// The province's id (free text chosen by the operator).
        #[arg(long)]
        province: String,
        /// A UUID to use as the commune's id (a new one by default).
        #[arg(long)]
        id: Option<String>,
    },
    /// List the communes.
    ListCommunes,
    /// Register an office person of a commune and print their enrolment code.
    CreateOffice {
        #[arg(long)]
        commune: String,
        #[arg(long)]
        name: String,
    },
    /// Issue a fresh enrolment code for a person.
    IssueCode {
        #[arg(long)]
        commune: String,
        #[arg(long)]
        person: String,
    },
    /// Create a dashboard account. The password is read from CHIBO_NEW_PASSWORD, or
    /// else from the first line of standard input (never from the command line).
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// commune_admin, commune_viewer, province_viewer or province_admin.
        #[arg(
            long,
            value_parser = ["commune_admin", "commune_viewer", "province_viewer", "province_admin"]
        )]
        role: String,
        /// The commune's id, for the commune roles.
        #[arg(long)]
        commune: Option<String>,
        /// The province's id, for the province roles.
        #[arg(long)]
        province: Option<String>,
    },
    /// List the dashboard accounts.
    ListUsers,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CHIBO_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Serve => serve(config),
        Command::Admin { command } => run_admin(config, command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: Config) -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime
        .block_on(chibo_server::run(config))
        .map_err(|e| e.to_string())
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(())
}

fn run_admin(config: Config, command: AdminCommand) -> Result<(), String> {
    let ttl = config.enrollment_code_ttl_ms();
    let public_url = config.public_url();
    let state = Server::new(config).state().map_err(|e| e.to_string())?;
    let storage = &*state.storage;
    let now = SystemClock.now();
    match command {
        AdminCommand::CreateCommune { name, province, id } => print_json(
            &enrolment::create_commune(storage, &name, &province, id, now)
                .map_err(|e| e.to_string())?,
        ),
        AdminCommand::ListCommunes => {
            print_json(&enrolment::list_communes(storage).map_err(|e| e.to_string())?)
        }
        AdminCommand::CreateOffice { commune, name } => {
            let person = enrolment::create_person(
                storage,
                &commune,
                &NewPerson {
                    full_name: name,
                    role: Role::Office,
                },
                now,
            )
            .map_err(|e| e.to_string())?;
            let code = enrolment::issue_code(storage, &commune, &person.id, ttl, now, &public_url)
                .map_err(|e| e.to_string())?;
            print_json(&code)
        }
        AdminCommand::IssueCode { commune, person } => print_json(
            &enrolment::issue_code(storage, &commune, &person, ttl, now, &public_url)
                .map_err(|e| e.to_string())?,
        ),
        AdminCommand::CreateUser {
            username,
            display_name,
            role,
            commune,
            province,
        } => {
            let role = DashboardRole::parse(&role)
                .ok_or_else(|| format!("vai trò không hợp lệ: \"{role}\""))?;
            let password = new_password()?;
            let user = users::create_user(
                storage,
                NewUser {
                    username,
                    display_name,
                    password,
                    role,
                    commune_id: commune,
                    province_id: province,
                },
                now,
            )
            .map_err(|e| e.to_string())?;
            print_json(&user)
        }
        AdminCommand::ListUsers => {
            print_json(&users::list_users(storage).map_err(|e| e.to_string())?)
        }
    }
}

/// The new account's password: `CHIBO_NEW_PASSWORD`, else one line of standard input.
fn new_password() -> Result<String, String> {
    let password = match std::env::var("CHIBO_NEW_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                eprintln!("Nhập mật khẩu cho tài khoản mới (ít nhất {MIN_PASSWORD_CHARS} ký tự):");
            }
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| format!("không đọc được mật khẩu: {e}"))?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    users::check_password(&password).map_err(|e| e.to_string())?;
    Ok(password)
}

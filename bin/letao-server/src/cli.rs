//! The command line: `serve` (default), `migrate`, `check-config`,
//! `grant-admin`, `reconcile`, `search rebuild`.

// Printing results is what the command line is for.
#![allow(clippy::print_stdout)]

use crate::compose::prepare_database;
use crate::settings::Settings;
use crate::startup::Application;
use crate::telemetry;
use clap::{Parser, Subcommand};
use letao_domain::Role;
use letao_shop::store::Actor;
use std::path::PathBuf;
use std::process::ExitCode;

/// The Letao shop server.
#[derive(Debug, Parser)]
#[command(name = "letao-server", version, about)]
pub struct Cli {
    /// Folder holding default.toml and <LETAO_ENV>.toml.
    #[arg(
        long,
        global = true,
        default_value = "config",
        env = "LETAO_CONFIG_DIR"
    )]
    pub config_dir: PathBuf,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve HTTP until SIGINT/SIGTERM.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Read and validate the configuration, print a summary, and exit.
    CheckConfig,
    /// Give a user an owner role (admin: everything; staff: orders, shipping),
    /// or take it away.
    GrantAdmin {
        /// The user's exact username.
        username: String,
        /// The role to give.
        #[arg(long, value_parser = ["admin", "staff"], default_value = "admin")]
        role: String,
        /// Take any role away instead.
        #[arg(long)]
        revoke: bool,
    },
    /// Compare a day's WeChat Pay trade bill with the orders: record lost
    /// payments, report differences. Exit 0 when every row matched, 3 when
    /// differences remain, 1 on an error (nothing recorded).
    Reconcile {
        /// The day, `YYYY-MM-DD` in China time (default: yesterday).
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        /// Read this bill file (the `ALL` bill as WeChat sends it) instead
        /// of downloading it.
        #[arg(long)]
        bill_file: Option<PathBuf>,
    },
    /// The search index.
    Search {
        /// What to do with it.
        #[command(subcommand)]
        action: SearchAction,
    },
}

/// `search` sub-commands.
#[derive(Debug, Subcommand)]
pub enum SearchAction {
    /// Make every product's search tokens again (after a change made
    /// straight in the database).
    Rebuild,
}

/// Exit code of `reconcile` when differences remain.
const DIFFERENCES: u8 = 3;

/// Runs the command line; the process exit code.
pub async fn run(cli: Cli) -> ExitCode {
    // A .env file fills in variables that are not already set.
    let _ = dotenvy::dotenv();
    let settings = match Settings::load(&cli.config_dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("letao-server: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log);
    if let Some(Command::Reconcile { date, bill_file }) = &cli.command {
        return match reconcile(&settings, *date, bill_file.as_deref()).await {
            Ok(code) => code,
            Err(e) => {
                tracing::error!(error = %e, "reconciliation failed");
                eprintln!("letao-server: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&settings).await,
        Command::Migrate => migrate(&settings).await,
        Command::CheckConfig => {
            check_config(&settings);
            Ok(())
        }
        Command::Reconcile { .. } => Ok(()),
        Command::Search {
            action: SearchAction::Rebuild,
        } => rebuild_search(&settings).await,
        Command::GrantAdmin {
            username,
            role,
            revoke,
        } => {
            let role = if revoke { None } else { Role::parse(&role) };
            grant_role(&settings, &username, role).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "letao-server failed");
            eprintln!("letao-server: {e}");
            ExitCode::FAILURE
        }
    }
}

type AnyError = Box<dyn std::error::Error>;

async fn serve(settings: &Settings) -> Result<(), AnyError> {
    let app = Application::build(settings).await?;
    app.run_until_stopped().await?;
    Ok(())
}

async fn migrate(settings: &Settings) -> Result<(), AnyError> {
    let db = prepare_database(settings).await?;
    println!("database {} is up to date", db.display_url());
    Ok(())
}

async fn rebuild_search(settings: &Settings) -> Result<(), AnyError> {
    let db = prepare_database(settings).await?;
    let started = std::time::Instant::now();
    let n = db.rebuild_search_index(true).await?.unwrap_or(0);
    println!(
        "search index rebuilt: {n} products in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn grant_role(
    settings: &Settings,
    username: &str,
    role: Option<Role>,
) -> Result<(), AnyError> {
    let db = prepare_database(settings).await?;
    let stores = letao_shop::store::Stores::all(db);
    if !stores
        .accounts
        .set_role(username, role, &Actor::CLI, chrono::Utc::now())
        .await?
    {
        return Err(format!("no user named {username:?}").into());
    }
    match role {
        Some(role) => println!("{username} is now {role}"),
        None => println!("{username} has no owner role any more"),
    }
    Ok(())
}

async fn reconcile(
    settings: &Settings,
    date: Option<chrono::NaiveDate>,
    bill_file: Option<&std::path::Path>,
) -> Result<ExitCode, AnyError> {
    use letao_shop::reconcile::{BillSource, china_today};
    let shop = crate::compose::shop(settings, crate::compose::Parts::default()).await?;
    let date = match date {
        Some(d) => d,
        None => china_today(chrono::Utc::now())
            .pred_opt()
            .ok_or("the day before today is out of range")?,
    };
    let source = match bill_file {
        Some(path) => BillSource::Path(path.to_owned()),
        None => BillSource::Fetch,
    };
    let report = shop.services.reconciler.reconcile(date, source).await?;
    println!(
        "reconciliation of {}: {} bill rows, {} matched ({} recovered), {} differences",
        report.date,
        report.bill_rows,
        report.matched,
        report.recovered,
        report.differences.len()
    );
    for d in &report.differences {
        println!(
            "  {:<24} {:<32} {:<32} ours {:>10} wechat {:>10}",
            d.kind.as_str(),
            d.out_trade_no,
            d.transaction_id.as_deref().unwrap_or("-"),
            d.ours.map_or("-".to_owned(), |v| v.to_string()),
            d.wechat.map_or("-".to_owned(), |v| v.to_string()),
        );
    }
    Ok(if report.differences.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(DIFFERENCES)
    })
}

fn check_config(settings: &Settings) {
    println!("environment: {}", settings.environment);
    println!("listen: {}", settings.server.addr);
    println!("database: {}", letao_db::redact_url(&settings.database.url));
    println!("sms: {:?}", settings.sms.backend);
    match settings.media.backend {
        crate::settings::MediaBackend::Local => {
            println!("media: local {}", settings.server.media_dir.display());
        }
        crate::settings::MediaBackend::S3 => {
            let s3 = &settings.media.s3;
            println!("media: s3 {} bucket {}", s3.endpoint, s3.bucket);
        }
    }
    println!("configuration OK");
}

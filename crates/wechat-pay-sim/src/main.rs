//! `wechat-pay-sim`: run the simulator as a local server.

use clap::Parser;
use std::process::ExitCode;
use std::time::Duration;
use wechat_pay_sim::{Faults, SimConfig, Simulator};

/// A local WeChat Pay (API v2) merchant-API simulator.
#[derive(Debug, Parser)]
#[command(name = "wechat-pay-sim", version, about)]
struct Args {
    /// Listen address.
    #[arg(long, default_value = "127.0.0.1:3100")]
    addr: String,
    /// The app id requests must carry.
    #[arg(long, default_value = "wx0000000000000000")]
    appid: String,
    /// The merchant id requests must carry.
    #[arg(long = "mch-id", default_value = "1900000000")]
    mch_id: String,
    /// The API key requests are signed with.
    #[arg(long = "api-key", default_value = "letao-dev-wechat-pay-key-0000000")]
    api_key: String,
    /// Multiplies WeChat's notification retry delays (0.01: 15 s -> 150 ms).
    #[arg(long = "retry-scale", default_value_t = 1.0)]
    retry_scale: f64,
    /// Seconds a code_url stays payable.
    #[arg(long = "code-url-ttl-secs", default_value_t = 7200)]
    code_url_ttl_secs: u64,
    /// Answer this share (0-100) of merchant API calls with SYSTEMERROR.
    #[arg(long = "systemerror-percent", default_value_t = 0)]
    systemerror_percent: u8,
    /// Send this many extra copies of every notification.
    #[arg(long = "duplicate-notifications", default_value_t = 0)]
    duplicate_notifications: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let _ = tracing_subscriber::fmt().try_init();
    let mut config = SimConfig::new(&args.appid, &args.mch_id, &args.api_key);
    config.retry_scale = args.retry_scale;
    config.code_url_ttl = Duration::from_secs(args.code_url_ttl_secs);
    config.faults = Faults {
        systemerror_percent: args.systemerror_percent,
        duplicate_notifications: args.duplicate_notifications,
        ..Faults::default()
    };
    let running = match Simulator::new(config).start(&args.addr) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("wechat-pay-sim: cannot listen on {}: {e}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(addr = %running.addr, appid = %args.appid, mch_id = %args.mch_id, "wechat-pay-sim listening");
    // Serve until the process is stopped (SIGINT/SIGTERM end it).
    loop {
        std::thread::park();
    }
}

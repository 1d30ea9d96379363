//! `wechat-pay-sim`: run the simulator as a local server.

mod logging;

use clap::Parser;
use std::process::ExitCode;
use std::time::Duration;
use wechat_pay::v3::{PrivateKey, PublicKey};
use wechat_pay_sim::{
    DEFAULT_OA_SECRET, DEFAULT_PUBLIC_KEY_ID, Faults, SimConfig, Simulator, V3Settings,
};

/// A local WeChat Pay (API v2 and v3) merchant-API simulator.
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
    /// v3: the 32-byte APIv3 key (notification resources, certificates).
    #[arg(long = "apiv3-key", default_value = "letao-dev-apiv3-key-000000000000")]
    apiv3_key: String,
    /// v3: the merchant API public key (PEM file, or PEM text) that
    /// requests are verified with. Without it (and without
    /// --write-merchant-key) every v3 request is answered 401 SIGN_ERROR
    /// until one is posted to /sim/v3/merchant-public-key.
    #[arg(long = "merchant-public-key", value_name = "PEM")]
    merchant_public_key: Option<String>,
    /// v3: development convenience: use the merchant private key in this
    /// PEM file, generating and writing it first if the file does not
    /// exist; the simulator then verifies requests with its public half.
    #[arg(long = "write-merchant-key", value_name = "PATH")]
    write_merchant_key: Option<String>,
    /// v3: requests must name this merchant certificate serial (any when unset).
    #[arg(long = "merchant-serial")]
    merchant_serial: Option<String>,
    /// v3: the key WeChat's side signs with (PEM file, or PEM text). A path
    /// that does not exist yet gets a new key written to it; when the flag
    /// is absent a new key is generated for this run.
    #[arg(long = "platform-private-key", value_name = "PEM")]
    platform_private_key: Option<String>,
    /// v3: the WeChat Pay public key id (`Wechatpay-Serial` in public-key mode).
    #[arg(long = "public-key-id", default_value = DEFAULT_PUBLIC_KEY_ID)]
    public_key_id: String,
    /// v3: write the WeChat Pay public key (PEM) here, for the shop's config.
    #[arg(long = "write-public-key", value_name = "PATH")]
    write_public_key: Option<String>,
    /// The official account whose buyers the OAuth stand-ins know (JSAPI
    /// orders may name it); the app id when unset.
    #[arg(long = "oa-appid")]
    oa_appid: Option<String>,
    /// The official account's AppSecret the code exchange checks.
    #[arg(long = "oa-secret", default_value = DEFAULT_OA_SECRET)]
    oa_secret: String,
    /// The merchant's registered H5 domain: the cashier page requires a
    /// Referer (and redirect_url) on it or a subdomain. Any Referer when unset.
    #[arg(long = "h5-domain")]
    h5_domain: Option<String>,
    /// v3: sign with platform certificates served at /v3/certificates
    /// (rotated with POST /sim/rotate-certificate) instead of the public key.
    #[arg(long = "platform-cert-mode")]
    platform_cert_mode: bool,
}

/// PEM text given inline or as a file path.
fn pem_text(value: &str) -> std::io::Result<String> {
    if value.trim_start().starts_with("-----BEGIN") {
        Ok(value.to_owned())
    } else {
        std::fs::read_to_string(value)
    }
}

/// The key in `path`, or a new one written there when the file is absent.
fn key_file(path: &str) -> Result<PrivateKey, String> {
    use secrecy::ExposeSecret;
    if std::path::Path::new(path).exists() {
        let pem = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        return PrivateKey::from_pem(&pem).map_err(|e| format!("{path}: {e}"));
    }
    let key = PrivateKey::generate(2048).map_err(|e| e.to_string())?;
    let pem = key.to_pkcs8_pem().map_err(|e| e.to_string())?;
    std::fs::write(path, pem.expose_secret()).map_err(|e| format!("{path}: {e}"))?;
    tracing::info!(path, "wrote a new RSA private key");
    Ok(key)
}

fn v3_settings(args: &Args) -> Result<V3Settings, String> {
    let platform_key = match &args.platform_private_key {
        Some(v) if v.trim_start().starts_with("-----BEGIN") => {
            PrivateKey::from_pem(v).map_err(|e| e.to_string())?
        }
        Some(path) => key_file(path)?,
        None => PrivateKey::generate(2048).map_err(|e| e.to_string())?,
    };
    let merchant_public_key = match (&args.merchant_public_key, &args.write_merchant_key) {
        (Some(v), _) => {
            let pem = pem_text(v).map_err(|e| format!("{v}: {e}"))?;
            Some(PublicKey::from_pem(&pem).map_err(|e| e.to_string())?)
        }
        (None, Some(path)) => Some(key_file(path)?.public_key()),
        (None, None) => None,
    };
    if let Some(path) = &args.write_public_key {
        let pem = platform_key
            .public_key()
            .to_pem()
            .map_err(|e| e.to_string())?;
        std::fs::write(path, pem).map_err(|e| format!("{path}: {e}"))?;
    }
    let mut v3 = V3Settings::new(&args.apiv3_key, platform_key);
    v3.merchant_public_key = merchant_public_key;
    v3.merchant_serial = args.merchant_serial.clone();
    v3.public_key_id = args.public_key_id.clone();
    v3.platform_cert_mode = args.platform_cert_mode;
    if wechat_pay::v3::ApiV3Key::new(&v3.apiv3_key).is_err() {
        return Err("--apiv3-key must be exactly 32 bytes".into());
    }
    Ok(v3)
}

fn main() -> ExitCode {
    let args = Args::parse();
    logging::init();
    let mut config = SimConfig::new(&args.appid, &args.mch_id, &args.api_key);
    config.retry_scale = args.retry_scale;
    config.code_url_ttl = Duration::from_secs(args.code_url_ttl_secs);
    if let Some(oa_appid) = &args.oa_appid {
        config.oa_appid = oa_appid.clone();
    }
    config.oa_secret = args.oa_secret.clone();
    config.h5_domain = args.h5_domain.clone();
    config.faults = Faults {
        systemerror_percent: args.systemerror_percent,
        duplicate_notifications: args.duplicate_notifications,
        ..Faults::default()
    };
    config.v3 = match v3_settings(&args) {
        Ok(v3) => Some(v3),
        Err(e) => {
            eprintln!("wechat-pay-sim: {e}");
            return ExitCode::FAILURE;
        }
    };
    if config
        .v3
        .as_ref()
        .is_some_and(|v| v.merchant_public_key.is_none())
    {
        tracing::warn!(
            "no merchant public key: v3 requests get 401 SIGN_ERROR until one is given \
             (--merchant-public-key, --write-merchant-key, or POST /sim/v3/merchant-public-key)"
        );
    }
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

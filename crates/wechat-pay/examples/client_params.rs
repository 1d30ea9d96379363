//! Prints the JSAPI parameters this crate signs for given inputs, as JSON:
//! what the SDK interop stage (`tests/sdk/phone.sh`) compares with other
//! SDKs' for the same inputs.
//!
//!     client_params v3 --key merchant.pem --appid wx.. --prepay-id wx.. --timestamp 1700000000 --nonce N
//!     client_params v2 --api-key KEY --sign-type MD5 --appid wx.. --prepay-id wx.. --timestamp 1700000000 --nonce N

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;
use wechat_pay::{JsapiParams, SignType};

fn run() -> Result<JsapiParams, String> {
    let mut args = std::env::args().skip(1);
    let api = args.next().ok_or("first argument: v2 or v3")?;
    let mut opts = HashMap::new();
    while let Some(name) = args.next() {
        let name = name
            .strip_prefix("--")
            .ok_or_else(|| format!("unexpected {name}"))?
            .to_owned();
        opts.insert(
            name.clone(),
            args.next().ok_or(format!("--{name} needs a value"))?,
        );
    }
    let get = |k: &str| opts.get(k).cloned().ok_or(format!("--{k} is required"));
    let timestamp: i64 = get("timestamp")?
        .parse()
        .map_err(|_| "--timestamp: seconds")?;
    let (appid, prepay_id, nonce) = (get("appid")?, get("prepay-id")?, get("nonce")?);
    match api.as_str() {
        "v3" => {
            let pem = std::fs::read_to_string(get("key")?).map_err(|e| e.to_string())?;
            let key = wechat_pay::v3::PrivateKey::from_pem(&pem).map_err(|e| e.to_string())?;
            Ok(JsapiParams::v3(&key, &appid, &prepay_id, timestamp, &nonce))
        }
        "v2" => {
            let sign_type =
                SignType::parse(&get("sign-type")?).ok_or("--sign-type: MD5 or HMAC-SHA256")?;
            Ok(JsapiParams::v2(
                &get("api-key")?,
                sign_type,
                &appid,
                &prepay_id,
                timestamp,
                &nonce,
            ))
        }
        other => Err(format!("unknown API {other}: v2 or v3")),
    }
}

fn main() -> ExitCode {
    match run().and_then(|p| serde_json::to_string(&p).map_err(|e| e.to_string())) {
        Ok(json) => {
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{json}") {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::FAILURE,
            }
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "client_params: {e}");
            ExitCode::from(2)
        }
    }
}

//! Pre-built, signed payment notifications for `bench/notify.sh`: one per
//! order read from standard input (`OUT_TRADE_NO TOTAL_FEN` per line),
//! written as a wrk Lua script that sends them in turn (the first round
//! pays each order, later rounds are duplicates).
//!
//! v2: XML signed with the API key (MD5). v3: the `TRANSACTION.SUCCESS`
//! envelope with its resource sealed (AEAD_AES_256_GCM) with the APIv3 key,
//! and `Wechatpay-Timestamp/Nonce/Signature/Serial` signed now with the
//! platform key the simulator wrote (the key the shop verifies with): run
//! it right before wrk, since the shop refuses timestamps 5 minutes off.
//!
//! ```sh
//! cargo run --release -p wechat-pay-sim --example bench_notifications -- \
//!   --api v3 --platform-private-key data/sim-platform-key.pem --out notify.lua <orders.txt
//! ```

use chrono::Utc;
use clap::{Parser, ValueEnum};
use std::io::{BufRead, Write};
use std::process::ExitCode;
use wechat_pay::SignType;
use wechat_pay::bill::CHINA_TIME;
use wechat_pay::v3::{ApiV3Key, NotificationEnvelope, PrivateKey, sign_message};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ApiVersion {
    V2,
    V3,
}

/// Signed payment notifications for wrk, one per order on standard input.
#[derive(Debug, Parser)]
struct Args {
    /// Which API's notifications.
    #[arg(long, value_enum)]
    api: ApiVersion,
    /// The wrk Lua script to write.
    #[arg(long)]
    out: String,
    /// wrk threads (`-t`): thread i sends notifications i, i+T, i+2T, ...
    /// so each round sends every notification once.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    #[arg(long, default_value = "wx0000000000000000")]
    appid: String,
    #[arg(long = "mch-id", default_value = "1900000000")]
    mch_id: String,
    /// v2: the API key.
    #[arg(long = "api-key", default_value = "letao-dev-wechat-pay-key-0000000")]
    api_key: String,
    /// v3: the 32-byte APIv3 key.
    #[arg(long = "apiv3-key", default_value = "letao-dev-apiv3-key-000000000000")]
    apiv3_key: String,
    /// v3: the platform private key (PEM file; the simulator's
    /// `--platform-private-key`).
    #[arg(long = "platform-private-key")]
    platform_private_key: Option<String>,
    /// v3: `Wechatpay-Serial` (the WeChat Pay public key id).
    #[arg(long = "public-key-id", default_value = wechat_pay_sim::DEFAULT_PUBLIC_KEY_ID)]
    public_key_id: String,
}

/// One request: headers beyond `Content-Type`, and the body.
struct Note {
    headers: Vec<(&'static str, String)>,
    body: String,
}

/// A WeChat transaction id for the `i`-th order (28 digits).
fn transaction_id(i: usize) -> String {
    format!("42{i:026}")
}

fn v2_note(args: &Args, i: usize, no: &str, total: i64) -> Note {
    let total = total.to_string();
    let nonce = wechat_pay::nonce_str();
    let tx = transaction_id(i);
    let time_end = Utc::now()
        .with_timezone(&CHINA_TIME)
        .format("%Y%m%d%H%M%S")
        .to_string();
    let fields: Vec<(&str, &str)> = vec![
        ("appid", args.appid.as_str()),
        ("mch_id", args.mch_id.as_str()),
        ("nonce_str", &nonce),
        ("return_code", "SUCCESS"),
        ("result_code", "SUCCESS"),
        ("openid", "oBench"),
        ("is_subscribe", "N"),
        ("trade_type", "NATIVE"),
        ("bank_type", "CMC"),
        ("total_fee", &total),
        ("cash_fee", &total),
        ("fee_type", "CNY"),
        ("transaction_id", &tx),
        ("out_trade_no", no),
        ("time_end", &time_end),
    ];
    let sign = wechat_pay::sign(fields.iter().copied(), &args.api_key, SignType::Md5);
    Note {
        headers: Vec::new(),
        body: wechat_pay::xml::build(fields.into_iter().chain([("sign", sign.as_str())])),
    }
}

fn v3_note(
    args: &Args,
    key: &ApiV3Key,
    platform: &PrivateKey,
    i: usize,
    no: &str,
    total: i64,
) -> Result<Note, String> {
    let now = Utc::now().with_timezone(&CHINA_TIME);
    // WeChat's side writes the resource as JSON (the crate's typed
    // notification is for reading one).
    let payment = serde_json::json!({
        "appid": args.appid,
        "mchid": args.mch_id,
        "out_trade_no": no,
        "transaction_id": transaction_id(i),
        "trade_state": "SUCCESS",
        "trade_type": "NATIVE",
        "trade_state_desc": "支付成功",
        "bank_type": "CMC",
        "success_time": now.to_rfc3339(),
        "payer": {"openid": "oBench"},
        "amount": {"total": total, "payer_total": total, "currency": "CNY", "payer_currency": "CNY"},
    });
    let plain = serde_json::to_vec(&payment).map_err(|e| e.to_string())?;
    let envelope = NotificationEnvelope::seal(
        key,
        "TRANSACTION.SUCCESS",
        "支付成功",
        "transaction",
        &plain,
        now,
    )
    .map_err(|e| e.to_string())?;
    let body = serde_json::to_string(&envelope).map_err(|e| e.to_string())?;
    let timestamp = Utc::now().timestamp();
    let nonce = wechat_pay::nonce_str();
    let signature = sign_message(platform, timestamp, &nonce, body.as_bytes());
    Ok(Note {
        headers: vec![
            ("Wechatpay-Timestamp", timestamp.to_string()),
            ("Wechatpay-Nonce", nonce),
            ("Wechatpay-Signature", signature),
            ("Wechatpay-Serial", args.public_key_id.clone()),
        ],
        body,
    })
}

/// `s` as a Lua long string whose closing bracket does not occur in it.
fn lua_long(s: &str) -> String {
    let mut level = 0;
    loop {
        let eq = "=".repeat(level);
        if !s.contains(&format!("]{eq}]")) {
            return format!("[{eq}[{s}]{eq}]");
        }
        level += 1;
    }
}

/// `s` as a Lua quoted string (header values: base64, digits, letters).
fn lua_quoted(s: &str) -> String {
    format!("{s:?}")
}

fn lua_script(notes: &[Note], threads: usize, v2: bool) -> String {
    let content_type = if v2 { "text/xml" } else { "application/json" };
    let mut out = String::with_capacity(notes.iter().map(|n| n.body.len() + 600).sum());
    out.push_str("-- Generated by crates/wechat-pay-sim/examples/bench_notifications.rs\n");
    out.push_str(&format!("local threads = {threads}\nlocal v2 = {v2}\n"));
    // One function per chunk of notes: Lua limits the constants of one function.
    out.push_str("local notes = {}\nlocal function add(t) for _, n in ipairs(t) do notes[#notes + 1] = n end end\n");
    for (i, n) in notes.iter().enumerate() {
        if i % 1000 == 0 {
            out.push_str("add((function() return {\n");
        }
        out.push_str(" {{");
        out.push_str(&format!("[\"Content-Type\"] = \"{content_type}\""));
        for (k, v) in &n.headers {
            out.push_str(&format!(", [\"{k}\"] = {}", lua_quoted(v)));
        }
        out.push_str("}, ");
        out.push_str(&lua_long(&n.body));
        out.push_str("},\n");
        if i % 1000 == 999 || i + 1 == notes.len() {
            out.push_str("} end)())\n");
        }
    }
    out.push_str(
        r#"
local all_threads = {}
local started = 0
function setup(thread)
  thread:set("tid", started)
  started = started + 1
  table.insert(all_threads, thread)
end

local reqs = {}
local next_req = 1
function init(args)
  -- This thread's share of every round, formatted once.
  local i = tid
  while i < #notes do
    local n = notes[i + 1]
    table.insert(reqs, wrk.format("POST", nil, n[1], n[2]))
    i = i + threads
  end
  notes = nil
  refused = 0
end

function request()
  local r = reqs[next_req]
  next_req = next_req + 1
  if next_req > #reqs then next_req = 1 end
  return r
end

-- v2 answers 200 to everything: a refusal says FAIL in its XML.
function response(status, headers, body)
  if status < 200 or status > 299 or (v2 and not string.find(body, "SUCCESS", 1, true)) then
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(all_threads) do n = n + t:get("refused") end
  io.write(string.format("Refused: %d\n", n))
end
"#,
    );
    out
}

fn run(args: &Args) -> Result<usize, String> {
    let mut orders = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| e.to_string())?;
        let mut parts = line.split_whitespace();
        let (Some(no), Some(total)) = (parts.next(), parts.next()) else {
            continue;
        };
        let total: i64 = total
            .parse()
            .map_err(|_| format!("not an amount in fen: {total:?}"))?;
        orders.push((no.to_owned(), total));
    }
    if orders.is_empty() {
        return Err("no orders on standard input".into());
    }
    if args.threads == 0 || args.threads > orders.len() {
        return Err("--threads must be between 1 and the number of orders".into());
    }
    let notes = match args.api {
        ApiVersion::V2 => orders
            .iter()
            .enumerate()
            .map(|(i, (no, total))| v2_note(args, i, no, *total))
            .collect::<Vec<_>>(),
        ApiVersion::V3 => {
            let path = args
                .platform_private_key
                .as_deref()
                .ok_or("v3 needs --platform-private-key")?;
            let pem = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            let platform = PrivateKey::from_pem(&pem).map_err(|e| format!("{path}: {e}"))?;
            let key = ApiV3Key::new(&args.apiv3_key).map_err(|e| e.to_string())?;
            orders
                .iter()
                .enumerate()
                .map(|(i, (no, total))| v3_note(args, &key, &platform, i, no, *total))
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    let script = lua_script(&notes, args.threads, args.api == ApiVersion::V2);
    let mut file = std::fs::File::create(&args.out).map_err(|e| format!("{}: {e}", args.out))?;
    file.write_all(script.as_bytes())
        .map_err(|e| format!("{}: {e}", args.out))?;
    Ok(notes.len())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(n) => {
            eprintln!(
                "bench_notifications: {n} signed notifications in {}",
                args.out
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench_notifications: {e}");
            ExitCode::FAILURE
        }
    }
}

//! The simulator driven through the real `wechat-pay` client.

// A test crate: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bills;
mod faults;
mod flow;
mod logs;
mod oauth;
mod phone;
mod receiver;
mod refunds;
mod requests;
mod v3_certificates;
mod v3_flow;
mod v3_notifications;
mod v3_receiver;
mod v3_wire;

use secrecy::SecretString;
use std::time::Duration;
use wechat_pay::{Client, ClientIdentity, Config, Merchant, SignType, UnifiedOrder};
use wechat_pay_sim::{RunningSim, SimConfig, Simulator};

pub use wechat_pay::testing::{eventually, signed_xml};

pub const APPID: &str = "wx0000000000sim01";
pub const MCH_ID: &str = "1900000109";
pub const KEY: &str = "sim-test-key-0123456789abcdefghij";

pub fn start_sim(configure: impl FnOnce(&mut SimConfig)) -> RunningSim {
    let mut config = SimConfig::new(APPID, MCH_ID, KEY);
    config.retry_scale = 0.001;
    configure(&mut config);
    Simulator::new(config).start("127.0.0.1:0").unwrap()
}

pub fn merchant(sign_type: SignType) -> Merchant {
    Merchant {
        appid: APPID.into(),
        mch_id: MCH_ID.into(),
        api_key: SecretString::from(KEY),
        sign_type,
    }
}

/// A client of `sim`. The simulator speaks plain HTTP, so the client
/// certificate (needed for refunds) is a throw-away one that is never checked.
pub fn client(sim: &RunningSim, sign_type: SignType) -> Client {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["merchant".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    Client::new(Config {
        merchant: merchant(sign_type),
        base_url: sim.base_url(),
        timeout: Duration::from_secs(5),
        client_identity: Some(ClientIdentity {
            cert_pem: cert.pem().into_bytes(),
            key_pem: SecretString::from(key.serialize_pem()),
        }),
        root_certs_pem: None,
    })
    .unwrap()
}

pub fn order(out_trade_no: &str, total_fee: i64, notify_url: &str) -> UnifiedOrder {
    UnifiedOrder {
        body: "乐淘-测试商品".into(),
        out_trade_no: out_trade_no.into(),
        total_fee,
        spbill_create_ip: "127.0.0.1".into(),
        notify_url: notify_url.into(),
        product_id: "7".into(),
        time_expire: None,
        attach: None,
    }
}

/// The RSA key called `name`, made once and kept under the target folder.
pub fn key(name: &str) -> wechat_pay::v3::PrivateKey {
    wechat_pay::testing::cached_key(env!("CARGO_TARGET_TMPDIR").as_ref(), name)
}

/// A plain HTTP client for the control API and hand-made requests; every
/// status is a reply, not an error.
pub fn http_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .http_status_as_error(false)
        .build()
        .new_agent()
}

pub const APIV3_KEY: &str = "sim-apiv3-key-0123456789abcdefgh";
pub const MERCHANT_SERIAL: &str = "4A4A7F5A3775B6A45ACD588826D15E583A95F5DD";

/// A simulator with v3 on (public-key mode) knowing our merchant key.
pub fn start_sim_v3(configure: impl FnOnce(&mut SimConfig)) -> RunningSim {
    start_sim(|c| {
        let mut v3 = wechat_pay_sim::V3Settings::new(APIV3_KEY, key("platform-a"));
        v3.merchant_public_key = Some(key("merchant").public_key());
        v3.merchant_serial = Some(MERCHANT_SERIAL.into());
        c.v3 = Some(v3);
        configure(c);
    })
}

/// v3 settings for a client of `sim`, verifying with the public key.
pub fn v3_config(sim: &RunningSim) -> wechat_pay::v3::Config {
    use secrecy::ExposeSecret;
    let pem = key("merchant").to_pkcs8_pem().unwrap();
    let mut config = wechat_pay::v3::Config::new(
        APPID,
        MCH_ID,
        MERCHANT_SERIAL,
        SecretString::from(pem.expose_secret()),
        SecretString::from(APIV3_KEY),
    )
    .with_public_key(
        wechat_pay_sim::DEFAULT_PUBLIC_KEY_ID,
        &key("platform-a").public_key().to_pem().unwrap(),
    );
    config.base_url = sim.base_url();
    config.timeout = Duration::from_secs(5);
    config
}

pub fn v3_client(sim: &RunningSim) -> wechat_pay::v3::Client {
    wechat_pay::v3::Client::new(v3_config(sim)).unwrap()
}

pub fn native(out_trade_no: &str, total: i64, notify_url: &str) -> wechat_pay::v3::NativeOrder {
    wechat_pay::v3::NativeOrder {
        description: "乐淘-测试商品".into(),
        out_trade_no: out_trade_no.into(),
        total,
        notify_url: notify_url.into(),
        time_expire: None,
        attach: Some("a1".into()),
        goods_tag: None,
    }
}

#[test]
fn help_lists_the_v3_flags() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wechat-pay-sim"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--apiv3-key",
        "--merchant-public-key",
        "--merchant-serial",
        "--platform-private-key",
        "--public-key-id",
        "--platform-cert-mode",
        "--write-merchant-key",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}

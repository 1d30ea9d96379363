//! The simulator driven through the real `wechat-pay` client.

// A test crate: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod faults;
mod flow;
mod receiver;
mod refunds;
mod requests;

use secrecy::SecretString;
use std::time::Duration;
use wechat_pay::{Client, ClientIdentity, Config, Merchant, SignType, UnifiedOrder};
use wechat_pay_sim::{RunningSim, SimConfig, Simulator};

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

/// Polls `check` until it holds or two seconds pass.
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}");
}

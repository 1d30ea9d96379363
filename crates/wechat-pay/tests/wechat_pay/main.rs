//! Tests of the wechat-pay crate against local servers; no internet.

// A test crate: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod async_client;
mod bills;
mod client_replies;
mod fake_v3;
mod mutual_tls;
mod notifications;
mod oauth;
mod phone;
mod scripted;
mod v3_certificates;
mod v3_client;
mod v3_notifications;
mod v3_verify;

use secrecy::SecretString;
use wechat_pay::{Merchant, SignType};

pub use wechat_pay::testing::{eventually, signed_xml};

pub const APPID: &str = "wx2421b1c4370ec43b";
pub const MCH_ID: &str = "10000100";
pub const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

pub fn merchant(sign_type: SignType) -> Merchant {
    Merchant {
        appid: APPID.into(),
        mch_id: MCH_ID.into(),
        api_key: SecretString::from(KEY),
        sign_type,
    }
}

pub const MERCHANT_SERIAL: &str = "3775B6A45ACD588826D15E583A95F5DD4A4A7F5A";
pub const PUB_KEY_ID: &str = "PUB_KEY_ID_0119000000012025010100000000000001";
pub const APIV3_KEY: &str = "v3key-0123456789abcdefghijklmnop";

/// The RSA key called `name`, made once and kept under the target folder.
pub fn key(name: &str) -> wechat_pay::v3::PrivateKey {
    wechat_pay::testing::cached_key(env!("CARGO_TARGET_TMPDIR").as_ref(), name)
}

/// The merchant API key.
pub fn merchant_key() -> wechat_pay::v3::PrivateKey {
    key("merchant")
}

/// The private half of the WeChat Pay public key.
pub fn wechat_key() -> wechat_pay::v3::PrivateKey {
    key("wechat-public")
}

/// Replies signed as WeChat does in public-key mode.
pub fn by_wechat() -> fake_v3::Signing {
    fake_v3::Signing::By(wechat_key(), PUB_KEY_ID.into())
}

/// A local fake that checks signatures made with [`merchant_key`].
pub fn fake(
    handler: impl Fn(&fake_v3::Req) -> fake_v3::Reply + Send + Sync + 'static,
) -> fake_v3::Fake {
    // Keys used inside handlers exist before the first request (a cold
    // key cache would otherwise make the client time out).
    let _ = (wechat_key(), key("stranger"));
    fake_v3::Fake::start(
        merchant_key().public_key(),
        MCH_ID,
        MERCHANT_SERIAL,
        handler,
    )
}

/// v3 settings in public-key mode against `base_url`.
pub fn v3_config(base_url: &str) -> wechat_pay::v3::Config {
    use secrecy::ExposeSecret;
    let pem = merchant_key().to_pkcs8_pem().unwrap();
    let mut config = wechat_pay::v3::Config::new(
        APPID,
        MCH_ID,
        MERCHANT_SERIAL,
        SecretString::from(pem.expose_secret()),
        SecretString::from(APIV3_KEY),
    )
    .with_public_key(PUB_KEY_ID, &wechat_key().public_key().to_pem().unwrap());
    config.base_url = base_url.to_owned();
    config.timeout = std::time::Duration::from_secs(5);
    config
}

pub fn v3_client(base_url: &str) -> wechat_pay::v3::Client {
    wechat_pay::v3::Client::new(v3_config(base_url)).unwrap()
}

//! Tests of the wechat-pay crate against local servers; no internet.

// A test crate: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_replies;
mod mutual_tls;
mod notifications;
mod scripted;

use secrecy::SecretString;
use wechat_pay::{Merchant, SignType};

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

/// A signed XML document of `fields` (with `sign` added).
pub fn signed_xml(fields: &[(&str, &str)], key: &str, sign_type: SignType) -> String {
    let sign = wechat_pay::sign(fields.iter().copied(), key, sign_type);
    let mut all = fields.to_vec();
    all.push(("sign", &sign));
    wechat_pay::xml::build(all)
}

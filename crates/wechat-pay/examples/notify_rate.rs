//! What reading a v3 notification costs, by step: the SHA256withRSA
//! verification (2048-bit key; and the signature each request to WeChat
//! carries), the AEAD_AES_256_GCM decryption and the
//! whole `Notifications::payment` (both, plus JSON), beside v2's MD5 check.
//!
//! ```sh
//! cargo run --release -p wechat-pay --example notify_rate
//! ```

#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::Instant;
use wechat_pay::v3::{
    ApiV3Key, Notifications, PrivateKey, SignedHeaders, SystemClock, Verifier, sign_message,
};

const ROUNDS: u32 = 2000;

fn per_call(what: &str, mut f: impl FnMut() -> bool) {
    assert!(f(), "{what} failed");
    let start = Instant::now();
    for _ in 0..ROUNDS {
        assert!(f(), "{what} failed");
    }
    println!(
        "{what:<36} {:>8.1} µs",
        start.elapsed().as_secs_f64() * 1e6 / f64::from(ROUNDS)
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = PrivateKey::generate(2048)?;
    let public = key.public_key();
    let apiv3 = ApiV3Key::new("letao-dev-apiv3-key-000000000000")?;
    let plaintext = br#"{"mchid":"1900000000","appid":"wx0000000000000000","out_trade_no":"20261130120000123456","transaction_id":"4200000000202611300000000001","trade_type":"NATIVE","trade_state":"SUCCESS","trade_state_desc":"ok","bank_type":"CMC","attach":"","success_time":"2026-11-30T12:00:00+08:00","payer":{"openid":"oBench"},"amount":{"total":100,"payer_total":100,"currency":"CNY","payer_currency":"CNY"}}"#;
    let now = chrono::Utc::now().with_timezone(&wechat_pay::bill::CHINA_TIME);
    let envelope = wechat_pay::v3::NotificationEnvelope::seal(
        &apiv3,
        "TRANSACTION.SUCCESS",
        "支付成功",
        "transaction",
        plaintext,
        now.fixed_offset(),
    )?;
    let body = serde_json::to_vec(&envelope)?;
    let timestamp = chrono::Utc::now().timestamp();
    let headers = SignedHeaders {
        timestamp: timestamp.to_string(),
        nonce: "bench-nonce".into(),
        signature: sign_message(&key, timestamp, "bench-nonce", &body),
        serial: "PUB_KEY_ID_0000000000000000000000000000".into(),
    };
    let message = format!(
        "{timestamp}\nbench-nonce\n{}\n",
        String::from_utf8_lossy(&body)
    );
    per_call("RSA signature (a request to WeChat)", || {
        !sign_message(&key, timestamp, "bench-nonce", &body).is_empty()
    });
    per_call("RSA verification", || {
        public.verify(message.as_bytes(), &headers.signature)
    });
    per_call("AES-GCM open of the resource", || {
        let r = &envelope.resource;
        apiv3
            .decrypt(&r.nonce, &r.associated_data, &r.ciphertext)
            .is_ok()
    });
    let verifier = Verifier::new(Arc::new(SystemClock)).with_public_key(&headers.serial, public);
    let notifications = Notifications::new(
        Arc::new(verifier),
        apiv3,
        "wx0000000000000000",
        "1900000000",
    );
    per_call("Notifications::payment (all of it)", || {
        notifications.payment(&headers, &body).is_ok()
    });
    let fields = [
        ("appid", "wx0000000000000000"),
        ("mch_id", "1900000000"),
        ("out_trade_no", "20261130120000123456"),
        ("result_code", "SUCCESS"),
        ("total_fee", "100"),
        ("transaction_id", "4200000000202611300000000001"),
    ];
    per_call("v2 MD5 signature", || {
        !wechat_pay::sign(
            fields,
            "letao-dev-wechat-pay-key-0000000",
            wechat_pay::SignType::Md5,
        )
        .is_empty()
    });
    Ok(())
}

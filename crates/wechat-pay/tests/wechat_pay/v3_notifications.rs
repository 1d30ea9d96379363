//! v3 notifications: verified over the raw body, then decrypted and typed.

use crate::{APIV3_KEY, APPID, MCH_ID, PUB_KEY_ID, wechat_key};
use std::collections::HashMap;
use std::sync::Arc;
use wechat_pay::TradeState;
use wechat_pay::v3::{
    ApiV3Key, Error, Notification, NotificationEnvelope, Notifications, PrivateKey, SignatureError,
    SignedHeaders, SystemClock, Verifier, sign_message,
};

fn notifications() -> Notifications {
    let verifier =
        Verifier::new(Arc::new(SystemClock)).with_public_key(PUB_KEY_ID, wechat_key().public_key());
    Notifications::new(
        Arc::new(verifier),
        ApiV3Key::new(APIV3_KEY).unwrap(),
        APPID,
        MCH_ID,
    )
}

fn payment_plaintext(mchid: &str) -> String {
    serde_json::json!({
        "transaction_id": "4200000001202601010000000001",
        "amount": {"payer_total": 2590, "total": 2590, "currency": "CNY", "payer_currency": "CNY"},
        "mchid": mchid, "trade_state": "SUCCESS", "bank_type": "CMC",
        "promotion_detail": [], "success_time": "2026-01-01T12:00:05+08:00",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}, "out_trade_no": "LT1",
        "appid": APPID, "trade_state_desc": "支付成功", "trade_type": "NATIVE",
        "attach": "自定义数据", "scene_info": {"device_id": "013467007045764"}
    })
    .to_string()
}

fn refund_plaintext(status: &str) -> String {
    serde_json::json!({
        "mchid": MCH_ID, "transaction_id": "4200000001202601010000000001",
        "out_trade_no": "LT1", "refund_id": "50200207182018070300011301001",
        "out_refund_no": "RF1", "refund_status": status,
        "success_time": "2026-01-02T10:34:56+08:00", "user_received_account": "支付用户零钱",
        "amount": {"total": 2590, "refund": 1000, "payer_total": 2590, "payer_refund": 1000}
    })
    .to_string()
}

/// A notification as WeChat sends it; vary [`Incoming::payment`].
struct Incoming {
    event: String,
    original_type: &'static str,
    plaintext: String,
    apiv3_key: &'static str,
    signer: PrivateKey,
    skew: i64,
}

impl Incoming {
    /// A payment to us, encrypted with our key, signed by WeChat, on time.
    fn payment() -> Incoming {
        Incoming {
            event: "TRANSACTION.SUCCESS".into(),
            original_type: "transaction",
            plaintext: payment_plaintext(MCH_ID),
            apiv3_key: APIV3_KEY,
            signer: wechat_key(),
            skew: 0,
        }
    }

    /// The body and its headers.
    fn send(&self) -> (Vec<u8>, HashMap<String, String>) {
        let envelope = NotificationEnvelope::seal(
            &ApiV3Key::new(self.apiv3_key).unwrap(),
            &self.event,
            "支付成功",
            self.original_type,
            self.plaintext.as_bytes(),
            chrono::Utc::now().fixed_offset(),
        )
        .unwrap();
        let body = serde_json::to_vec(&envelope).unwrap();
        let ts = chrono::Utc::now().timestamp() + self.skew;
        let nonce = wechat_pay::nonce_str();
        let headers = HashMap::from([
            ("wechatpay-timestamp".to_owned(), ts.to_string()),
            ("wechatpay-nonce".to_owned(), nonce.clone()),
            (
                "wechatpay-signature".to_owned(),
                sign_message(&self.signer, ts, &nonce, &body),
            ),
            ("wechatpay-serial".to_owned(), PUB_KEY_ID.to_owned()),
        ]);
        (body, headers)
    }
}

fn headers(map: &HashMap<String, String>) -> SignedHeaders {
    // As a web framework would: a case-insensitive lookup by name.
    SignedHeaders::from_lookup(|name| map.get(&name.to_ascii_lowercase()).cloned()).unwrap()
}

#[test]
fn a_payment_notification_is_verified_decrypted_and_typed() {
    let (body, h) = Incoming::payment().send();
    let p = notifications().payment(&headers(&h), &body).unwrap();
    assert_eq!(p.out_trade_no, "LT1");
    assert_eq!(p.transaction_id, "4200000001202601010000000001");
    assert_eq!(p.trade_state, TradeState::Success);
    assert_eq!(p.amount.total, 2590);
    assert_eq!(p.amount.payer_total, 2590);
    assert_eq!(p.amount.currency, "CNY");
    assert_eq!(p.payer.openid, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    assert_eq!(p.success_time.to_rfc3339(), "2026-01-01T12:00:05+08:00");
    assert_eq!(p.appid, APPID);
    assert_eq!(p.mchid, MCH_ID);
    assert_eq!(p.bank_type, "CMC");
    assert_eq!(p.attach.as_deref(), Some("自定义数据"));
    match notifications().parse(&headers(&h), &body).unwrap() {
        Notification::Payment { envelope, .. } => {
            assert_eq!(envelope.event_type, "TRANSACTION.SUCCESS");
            assert_eq!(
                envelope.resource.original_type.as_deref(),
                Some("transaction")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn refund_notifications_are_typed_for_each_status() {
    for status in ["SUCCESS", "ABNORMAL", "CLOSED"] {
        let (body, h) = Incoming {
            event: format!("REFUND.{status}"),
            original_type: "refund",
            plaintext: refund_plaintext(status),
            ..Incoming::payment()
        }
        .send();
        let r = notifications().refund(&headers(&h), &body).unwrap();
        assert_eq!(r.refund_status, status);
        assert_eq!(r.out_refund_no, "RF1");
        assert_eq!(r.out_trade_no, "LT1");
        assert_eq!(r.refund_id, "50200207182018070300011301001");
        assert_eq!(r.amount.refund, 1000);
        assert_eq!(r.amount.total, 2590);
        assert!(r.success_time.is_some());
        // Asking for a payment gets an error, not a misread.
        assert!(matches!(
            notifications().payment(&headers(&h), &body),
            Err(Error::BadReply(_))
        ));
    }
}

#[test]
fn tampered_probe_stale_and_foreign_notifications_are_refused() {
    let n = notifications();
    let (body, h) = Incoming::payment().send();
    let mut tampered = body.clone();
    let at = tampered.iter().position(|b| *b == b'"').unwrap();
    tampered.insert(at, b' ');
    assert_eq!(
        n.payment(&headers(&h), &tampered).unwrap_err(),
        Error::BadSignature(SignatureError::Mismatch)
    );

    let mut probe = h.clone();
    probe.insert(
        "wechatpay-signature".into(),
        "WECHATPAY/SIGNTEST/xyz".into(),
    );
    assert_eq!(
        n.payment(&headers(&probe), &body).unwrap_err(),
        Error::BadSignature(SignatureError::SignTest)
    );

    let (body, h) = Incoming {
        skew: -600,
        ..Incoming::payment()
    }
    .send();
    assert!(matches!(
        n.payment(&headers(&h), &body),
        Err(Error::BadSignature(SignatureError::StaleTimestamp { .. }))
    ));

    let (body, h) = Incoming {
        signer: crate::key("stranger"),
        ..Incoming::payment()
    }
    .send();
    assert_eq!(
        n.payment(&headers(&h), &body).unwrap_err(),
        Error::BadSignature(SignatureError::Mismatch)
    );

    let (body, h) = Incoming {
        apiv3_key: "another-key-0123456789abcdefghij",
        ..Incoming::payment()
    }
    .send();
    assert!(matches!(
        n.payment(&headers(&h), &body),
        Err(Error::Decrypt(_))
    ));

    let (body, h) = Incoming {
        plaintext: payment_plaintext("1999999999"),
        ..Incoming::payment()
    }
    .send();
    assert_eq!(
        n.payment(&headers(&h), &body).unwrap_err(),
        Error::WrongMerchant {
            field: "mchid",
            value: "1999999999".into()
        }
    );

    let mut missing = h.clone();
    missing.remove("wechatpay-nonce");
    assert_eq!(
        SignedHeaders::from_map(&missing).unwrap_err(),
        SignatureError::MissingHeader("Wechatpay-Nonce")
    );
}

#[test]
fn verification_comes_before_parsing() {
    // Garbage with a bad signature is a signature error, not a JSON error.
    let ts = chrono::Utc::now().timestamp();
    let h = HashMap::from([
        ("wechatpay-timestamp".to_owned(), ts.to_string()),
        ("wechatpay-nonce".to_owned(), "n".to_owned()),
        ("wechatpay-signature".to_owned(), "AAAA".to_owned()),
        ("wechatpay-serial".to_owned(), PUB_KEY_ID.to_owned()),
    ]);
    assert_eq!(
        notifications()
            .parse(&headers(&h), b"not json")
            .unwrap_err(),
        Error::BadSignature(SignatureError::Mismatch)
    );
    // Correctly signed garbage is a reply error.
    let sig = sign_message(&wechat_key(), ts, "n", b"not json");
    let mut h = h;
    h.insert("wechatpay-signature".into(), sig);
    assert!(matches!(
        notifications().parse(&headers(&h), b"not json"),
        Err(Error::BadReply(_))
    ));
}

#[test]
fn other_events_are_decrypted_but_not_typed() {
    let (body, h) = Incoming {
        event: "MCHTRANSFER.BILL.FINISHED".into(),
        original_type: "mch_payment",
        plaintext: r#"{"x":1}"#.into(),
        ..Incoming::payment()
    }
    .send();
    match notifications().parse(&headers(&h), &body).unwrap() {
        Notification::Other {
            envelope,
            plaintext,
        } => {
            assert_eq!(envelope.event_type, "MCHTRANSFER.BILL.FINISHED");
            assert_eq!(plaintext, r#"{"x":1}"#);
        }
        other => panic!("{other:?}"),
    }
}

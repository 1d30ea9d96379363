//! Payment and refund notifications.

use crate::{APPID, KEY, MCH_ID, merchant, signed_xml};
use wechat_pay::{SignType, WechatPayError, encrypt_req_info, xml};

fn fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("appid", APPID),
        ("bank_type", "CFT"),
        ("cash_fee", "80"),
        ("coupon_count", "2"),
        ("coupon_fee", "20"),
        ("coupon_fee_0", "10"),
        ("coupon_fee_1", "10"),
        ("coupon_id_0", "10000"),
        ("coupon_id_1", "10001"),
        ("fee_type", "CNY"),
        ("is_subscribe", "Y"),
        ("mch_id", MCH_ID),
        ("nonce_str", "5d2b6c2a8db53831f7eda20af46e531c"),
        ("openid", "oUpF8uMEb4qRXf22hE3X68TekukE"),
        ("out_trade_no", "LT20260101120000abcdefghijklmnop"),
        ("result_code", "SUCCESS"),
        ("return_code", "SUCCESS"),
        ("time_end", "20260101120000"),
        ("total_fee", "100"),
        ("trade_type", "NATIVE"),
        ("transaction_id", "1004400740201409030005092168"),
    ]
}

#[test]
fn a_signed_notification_is_verified_over_every_field_and_typed() {
    for sign_type in [SignType::Md5, SignType::HmacSha256] {
        let mut f = fields();
        f.push(("some_future_field", "kept"));
        let body = signed_xml(&f, KEY, sign_type);
        let n = merchant(sign_type)
            .payment_notification(body.as_bytes())
            .unwrap();
        assert_eq!(n.out_trade_no, "LT20260101120000abcdefghijklmnop");
        assert_eq!(n.transaction_id, "1004400740201409030005092168");
        assert_eq!(n.total_fee, 100);
        assert_eq!(n.cash_fee, Some(80));
        assert_eq!(n.result_code, "SUCCESS");
        assert_eq!(n.bank_type.as_deref(), Some("CFT"));
        assert_eq!(n.raw["coupon_fee_1"], "10");
        assert_eq!(n.raw["coupon_id_0"], "10000");
        assert_eq!(n.raw["some_future_field"], "kept");
        assert_eq!(n.raw.len(), f.len() + 1);
    }
}

#[test]
fn tampered_unsigned_or_wrongly_keyed_notifications_are_rejected() {
    let m = merchant(SignType::Md5);
    let good = signed_xml(&fields(), KEY, SignType::Md5);
    assert!(m.payment_notification(good.as_bytes()).is_ok());

    let tampered = good.replace("<![CDATA[100]]>", "<![CDATA[1]]>");
    assert_eq!(
        m.payment_notification(tampered.as_bytes()).unwrap_err(),
        WechatPayError::BadSignature
    );

    let unsigned = xml::build(fields());
    assert_eq!(
        m.payment_notification(unsigned.as_bytes()).unwrap_err(),
        WechatPayError::BadSignature
    );

    let other_key = signed_xml(&fields(), "0123456789abcdef0123456789abcdef", SignType::Md5);
    assert_eq!(
        m.payment_notification(other_key.as_bytes()).unwrap_err(),
        WechatPayError::BadSignature
    );

    // A coupon field removed in transit (one a typed struct would not
    // even know) breaks the signature.
    let dropped = good.replace("<coupon_fee_1><![CDATA[10]]></coupon_fee_1>", "");
    assert_eq!(
        m.payment_notification(dropped.as_bytes()).unwrap_err(),
        WechatPayError::BadSignature
    );

    // The message cannot pick a weaker algorithm than the one configured.
    let mut claims_md5 = fields();
    claims_md5.push(("sign_type", "MD5"));
    let md5_signed = signed_xml(&claims_md5, KEY, SignType::Md5);
    let hmac_merchant = merchant(SignType::HmacSha256);
    assert_eq!(
        hmac_merchant
            .payment_notification(md5_signed.as_bytes())
            .unwrap_err(),
        WechatPayError::BadSignature
    );
}

#[test]
fn a_notification_for_another_merchant_is_rejected() {
    let mut f = fields();
    f[0] = ("appid", "wx_someone_else");
    let body = signed_xml(&f, KEY, SignType::Md5);
    let err = merchant(SignType::Md5)
        .payment_notification(body.as_bytes())
        .unwrap_err();
    assert!(
        matches!(err, WechatPayError::WrongMerchant { field: "appid", .. }),
        "{err:?}"
    );
}

#[test]
fn malformed_or_failed_notifications_are_errors() {
    let m = merchant(SignType::Md5);
    let fail = xml::build([("return_code", "FAIL"), ("return_msg", "x")]);
    assert!(matches!(
        m.payment_notification(fail.as_bytes()),
        Err(WechatPayError::ReturnFail { .. })
    ));
    assert!(matches!(
        m.payment_notification(b"not xml"),
        Err(WechatPayError::Xml(_))
    ));
    let mut missing = fields();
    missing.retain(|(k, _)| *k != "transaction_id");
    let body = signed_xml(&missing, KEY, SignType::Md5);
    assert_eq!(
        m.payment_notification(body.as_bytes()).unwrap_err(),
        WechatPayError::BadField("transaction_id")
    );
    let mut negative = fields();
    negative.retain(|(k, _)| *k != "total_fee");
    negative.push(("total_fee", "-5"));
    let body = signed_xml(&negative, KEY, SignType::Md5);
    assert_eq!(
        m.payment_notification(body.as_bytes()).unwrap_err(),
        WechatPayError::BadField("total_fee")
    );
}

fn refund_body(key: &str) -> String {
    let inner = concat!(
        "<root><out_refund_no><![CDATA[RF20260101]]></out_refund_no>",
        "<out_trade_no><![CDATA[LT20260101]]></out_trade_no>",
        "<refund_account><![CDATA[REFUND_SOURCE_RECHARGE_FUNDS]]></refund_account>",
        "<refund_fee><![CDATA[50]]></refund_fee>",
        "<refund_id><![CDATA[50000408942018111907145868882]]></refund_id>",
        "<refund_status><![CDATA[SUCCESS]]></refund_status>",
        "<success_time><![CDATA[2026-01-01 12:01:00]]></success_time>",
        "<total_fee><![CDATA[100]]></total_fee></root>"
    );
    xml::build([
        ("return_code", "SUCCESS"),
        ("appid", APPID),
        ("mch_id", MCH_ID),
        ("nonce_str", "abc"),
        ("req_info", &encrypt_req_info(inner, key)),
    ])
}

#[test]
fn refund_notifications_are_decrypted() {
    let n = merchant(SignType::Md5)
        .refund_notification(refund_body(KEY).as_bytes())
        .unwrap();
    assert_eq!(n.out_refund_no, "RF20260101");
    assert_eq!(n.out_trade_no, "LT20260101");
    assert_eq!(n.refund_fee, 50);
    assert_eq!(n.refund_status, "SUCCESS");
    assert_eq!(n.success_time.as_deref(), Some("2026-01-01 12:01:00"));
    assert_eq!(n.raw["refund_account"], "REFUND_SOURCE_RECHARGE_FUNDS");
}

#[test]
fn a_refund_notification_made_with_another_key_is_rejected() {
    let err = merchant(SignType::Md5)
        .refund_notification(refund_body("not-our-key").as_bytes())
        .unwrap_err();
    assert!(
        matches!(err, WechatPayError::Decrypt(_) | WechatPayError::Xml(_)),
        "{err:?}"
    );
    let garbage = xml::build([("return_code", "SUCCESS"), ("req_info", "AAAA")]);
    assert!(
        merchant(SignType::Md5)
            .refund_notification(garbage.as_bytes())
            .is_err()
    );
}

//! Replies that are not verifiably WeChat's are refused before any field
//! is read.

use crate::fake_v3::{Reply, Signing};
use crate::{PUB_KEY_ID, by_wechat, fake, v3_client, v3_config};
use std::sync::Arc;
use wechat_pay::v3::{Api, Client, Error, ManualClock, SignatureError};

const CODE_URL: &str = r#"{"code_url":"weixin://wxpay/bizpayurl?pr=abc"}"#;

fn create(reply: impl Fn() -> Reply + Send + Sync + 'static) -> Result<String, Error> {
    let server = fake(move |_| reply());
    let order = wechat_pay::v3::NativeOrder {
        description: "x".into(),
        out_trade_no: "LT1".into(),
        total: 1,
        notify_url: "https://shop.example.com/n".into(),
        time_expire: None,
        attach: None,
        goods_tag: None,
    };
    v3_client(&server.base_url())
        .create_native(&order)
        .map(|p| p.code_url)
}

#[test]
fn a_correct_signature_is_accepted() {
    assert!(create(|| Reply::json(200, CODE_URL, by_wechat())).is_ok());
}

#[test]
fn a_body_changed_in_transit_is_refused() {
    let err = create(|| {
        let mut r = Reply::json(200, CODE_URL, by_wechat());
        r.tamper = Some(CODE_URL.replace("abc", "evil").into_bytes());
        r
    })
    .unwrap_err();
    assert_eq!(err, Error::BadSignature(SignatureError::Mismatch));
    // Even a change that leaves the JSON equal in meaning (whitespace).
    let err = create(|| {
        let mut r = Reply::json(200, CODE_URL, by_wechat());
        r.tamper = Some(format!("{CODE_URL} ").into_bytes());
        r
    })
    .unwrap_err();
    assert_eq!(err, Error::BadSignature(SignatureError::Mismatch));
}

#[test]
fn a_signature_by_another_key_is_refused() {
    let err = create(|| {
        Reply::json(
            200,
            CODE_URL,
            Signing::By(crate::key("stranger"), PUB_KEY_ID.into()),
        )
    })
    .unwrap_err();
    assert_eq!(err, Error::BadSignature(SignatureError::Mismatch));
}

#[test]
fn an_unknown_serial_is_refused_without_downloading_in_public_key_mode() {
    let server = fake(|_| {
        Reply::json(
            200,
            CODE_URL,
            Signing::By(crate::wechat_key(), "PUB_KEY_ID_OTHER".into()),
        )
    });
    let err = v3_client(&server.base_url()).close("LT1").unwrap_err();
    assert_eq!(
        err,
        Error::BadSignature(SignatureError::UnknownSerial("PUB_KEY_ID_OTHER".into()))
    );
    assert_eq!(server.count("/v3/certificates"), 0);
}

#[test]
fn timestamps_more_than_five_minutes_off_are_refused() {
    for skew in [-310, 310, 3600] {
        let err = create(move || {
            let mut r = Reply::json(200, CODE_URL, by_wechat());
            r.skew = skew;
            r
        })
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::BadSignature(SignatureError::StaleTimestamp { .. })
            ),
            "{skew}: {err:?}"
        );
    }
    for skew in [-240, 240] {
        assert!(
            create(move || {
                let mut r = Reply::json(200, CODE_URL, by_wechat());
                r.skew = skew;
                r
            })
            .is_ok()
        );
    }
}

#[test]
fn the_clock_is_injectable() {
    let server = fake(|_| Reply::json(204, "", by_wechat()));
    let clock = Arc::new(ManualClock::new(
        chrono::Utc::now() - chrono::TimeDelta::minutes(10),
    ));
    let c = Client::with_clock(v3_config(&server.base_url()), clock.clone()).unwrap();
    assert!(matches!(
        c.close("LT1"),
        Err(Error::BadSignature(SignatureError::StaleTimestamp { .. }))
    ));
    clock.set(chrono::Utc::now());
    c.close("LT1").unwrap();
}

#[test]
fn signtest_probes_are_refused() {
    let err =
        create(|| Reply::json(200, CODE_URL, Signing::SignTest(PUB_KEY_ID.into()))).unwrap_err();
    assert_eq!(err, Error::BadSignature(SignatureError::SignTest));
}

#[test]
fn an_unsigned_success_is_refused() {
    let err = create(|| Reply::json(200, CODE_URL, Signing::Unsigned)).unwrap_err();
    assert_eq!(
        err,
        Error::BadSignature(SignatureError::MissingHeader("Wechatpay-Timestamp"))
    );
    // 204 too: a forged "closed" would otherwise be believed.
    let server = fake(|_| Reply::json(204, "", Signing::Unsigned));
    assert!(matches!(
        v3_client(&server.base_url()).close("LT1"),
        Err(Error::BadSignature(_))
    ));
}

#[test]
fn a_verified_body_that_is_not_the_expected_json_is_bad_reply() {
    let err = create(|| Reply::json(200, r#"{"prepay_id":"x"}"#, by_wechat())).unwrap_err();
    assert!(matches!(err, Error::BadReply(_)), "{err:?}");
}

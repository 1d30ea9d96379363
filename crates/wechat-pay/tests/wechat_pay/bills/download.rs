//! Downloads over v2 (`/pay/downloadbill`) and v3 (`/v3/bill/tradebill`).

use super::all_bill;
use crate::fake_v3::{Reply, Signing};
use crate::scripted::{Script, Scripted};
use crate::{APPID, KEY, by_wechat, fake, merchant, v3_client};
use chrono::NaiveDate;
use wechat_pay::bill::{self, BillType};
use wechat_pay::v3::{Api, Error, TradeBillRequest};
use wechat_pay::{BillOutcome, Client, Config, SignType, WechatPayApi};

fn v2_client(base_url: String) -> Client {
    Client::new(Config {
        merchant: merchant(SignType::Md5),
        base_url,
        timeout: std::time::Duration::from_secs(5),
        client_identity: None,
        root_certs_pem: None,
    })
    .unwrap()
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

#[test]
fn v2_download_bill_sends_a_signed_request_and_returns_the_text() {
    let server = Scripted::start(Script::Body(all_bill()));
    let got = v2_client(server.base_url())
        .download_bill(date(), BillType::All, false)
        .unwrap();
    assert_eq!(got, BillOutcome::Bill(all_bill().into_bytes()));
    let sent = wechat_pay::xml::parse(&server.received.lock().unwrap()[0]).unwrap();
    assert!(wechat_pay::verify(&sent, KEY, SignType::Md5));
    assert_eq!(sent["bill_date"], "20260101");
    assert_eq!(sent["bill_type"], "ALL");
    assert!(!sent.contains_key("tar_type"));
    assert_eq!(sent["appid"], APPID);
}

#[test]
fn v2_download_bill_decompresses_gzip() {
    let server = Scripted::start(Script::Bytes(bill::gzip(all_bill().as_bytes())));
    let got = v2_client(server.base_url())
        .download_bill(date(), BillType::Refund, true)
        .unwrap();
    assert_eq!(got, BillOutcome::Bill(all_bill().into_bytes()));
    let sent = wechat_pay::xml::parse(&server.received.lock().unwrap()[0]).unwrap();
    assert_eq!(sent["tar_type"], "GZIP");
    assert_eq!(sent["bill_type"], "REFUND");
}

#[test]
fn v2_no_bill_exist_is_an_outcome_and_other_failures_errors() {
    let none = "<xml><return_code><![CDATA[FAIL]]></return_code>\n<return_msg><![CDATA[No Bill Exist]]></return_msg>\n<error_code><![CDATA[20002]]></error_code>\n</xml>";
    let server = Scripted::start(Script::Body(none.into()));
    assert_eq!(
        v2_client(server.base_url())
            .download_bill(date(), BillType::All, false)
            .unwrap(),
        BillOutcome::NoBill
    );
    let fail =
        wechat_pay::xml::build([("return_code", "FAIL"), ("return_msg", "invalid bill_date")]);
    let server = Scripted::start(Script::Body(fail));
    assert_eq!(
        v2_client(server.base_url())
            .download_bill(date(), BillType::All, false)
            .unwrap_err(),
        wechat_pay::WechatPayError::ReturnFail {
            return_msg: "invalid bill_date".into()
        }
    );
}

// --- v3 /v3/bill/tradebill ------------------------------------------------

/// A fake serving a bill for 2026-01-01 only; `hash` overrides the SHA1.
fn bill_fake(hash: Option<&'static str>) -> crate::fake_v3::Fake {
    fake(move |req| {
        let host = req.headers.get("host").cloned().unwrap_or_default();
        if req
            .path
            .starts_with("/v3/bill/tradebill?bill_date=2026-01-01&bill_type=ALL")
        {
            let body = serde_json::json!({
                "hash_type": "SHA1",
                "hash_value": hash.map(str::to_owned).unwrap_or_else(|| bill::sha1_hex(all_bill().as_bytes())),
                "download_url": format!("http://{host}/v3/billdownload/file?token=tok{}", if req.path.ends_with("GZIP") { "&tartype=gzip" } else { "" }),
            });
            Reply::json(200, &body.to_string(), by_wechat())
        } else if req.path.starts_with("/v3/bill/tradebill") {
            Reply::json(
                400,
                r#"{"code":"NO_STATEMENT_EXIST","message":"请求的账单文件不存在"}"#,
                by_wechat(),
            )
        } else if req.path.starts_with("/v3/billdownload/file") {
            let data = if req.path.ends_with("gzip") {
                bill::gzip(all_bill().as_bytes())
            } else {
                all_bill().into_bytes()
            };
            // Downloads are not signed by WeChat.
            Reply::bytes(200, data, Signing::Unsigned)
        } else {
            Reply::json(404, r#"{"code":"NOT_FOUND","message":""}"#, by_wechat())
        }
    })
}

#[test]
fn v3_trade_bill_downloads_checks_the_hash_and_parses() {
    for gzip in [false, true] {
        let server = bill_fake(None);
        let c = v3_client(&server.base_url());
        let req = TradeBillRequest {
            bill_date: date(),
            bill_type: BillType::All,
            gzip,
        };
        let BillOutcome::Bill(data) = c.bill(&req).unwrap() else {
            panic!("no bill")
        };
        assert_eq!(data, all_bill().into_bytes());
        assert_eq!(bill::parse(&data, BillType::All).unwrap().rows.len(), 3);
        let reqs = server.requests();
        assert!(
            reqs.iter().all(|r| r.signed_ok),
            "the download is signed too"
        );
        assert_eq!(
            reqs[1].path,
            format!(
                "/v3/billdownload/file?token=tok{}",
                if gzip { "&tartype=gzip" } else { "" }
            )
        );
    }
}

#[test]
fn v3_no_statement_is_an_outcome_and_a_wrong_hash_an_error() {
    let server = bill_fake(None);
    let c = v3_client(&server.base_url());
    let other_day = TradeBillRequest {
        bill_date: date().succ_opt().unwrap(),
        bill_type: BillType::All,
        gzip: false,
    };
    assert_eq!(c.bill(&other_day).unwrap(), BillOutcome::NoBill);

    let server = bill_fake(Some("0000000000000000000000000000000000000000"));
    let c = v3_client(&server.base_url());
    let req = TradeBillRequest {
        bill_date: date(),
        bill_type: BillType::All,
        gzip: true,
    };
    assert!(matches!(c.bill(&req), Err(Error::BillHash { .. })));
}

#[test]
fn v3_bill_links_to_another_host_are_not_followed() {
    let server = bill_fake(None);
    let c = v3_client(&server.base_url());
    let link: wechat_pay::v3::TradeBill = serde_json::from_value(serde_json::json!({
        "hash_type": "SHA1",
        "hash_value": bill::sha1_hex(b""),
        "download_url": "http://203.0.113.9/v3/billdownload/file?token=x",
    }))
    .unwrap();
    assert!(matches!(c.download_bill(&link), Err(Error::BadReply(_))));
    assert!(server.requests().is_empty());
}

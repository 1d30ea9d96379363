//! Trade bills: files built here from the documented format, parsed;
//! malformed and truncated ones refused with the line; downloads over v2
//! and v3.

use crate::fake_v3::{Reply, Signing};
use crate::scripted::{Script, Scripted};
use crate::{APPID, KEY, MCH_ID, by_wechat, fake, merchant, v3_client};
use chrono::NaiveDate;
use std::io::{BufReader, Read};
use wechat_pay::bill::{self, BillError, BillReader, BillType};
use wechat_pay::v3::{Api, Error, TradeBillRequest};
use wechat_pay::{BillOutcome, Client, Config, SignType, WechatPayApi};

const ALL_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
const SUCCESS_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注";
const REFUND_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
const SUMMARY_HEADER: &str =
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

fn row(fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| format!("`{f}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn file(bom: bool, header: &str, rows: &[String], summary: &[&str]) -> String {
    let mut s = String::new();
    if bom {
        s.push('\u{feff}');
    }
    s.push_str(header);
    s.push_str("\r\n");
    for r in rows {
        s.push_str(r);
        s.push_str("\r\n");
    }
    s.push_str(SUMMARY_HEADER);
    s.push_str("\r\n");
    s.push_str(&row(summary));
    s.push_str("\r\n");
    s
}

fn all_payment(no: &str, tx: &str, yuan: &str, fee: &str) -> String {
    row(&[
        "2026-01-01 09:30:00",
        APPID,
        MCH_ID,
        "0",
        "",
        tx,
        no,
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        "NATIVE",
        "SUCCESS",
        "CMC",
        "CNY",
        yuan,
        "0.00",
        "0",
        "0",
        "0.00",
        "0.00",
        "",
        "",
        "乐淘-运动鞋,41码",
        "",
        fee,
        "0.60%",
        yuan,
        "0.00",
        "",
    ])
}

fn all_refund() -> String {
    row(&[
        "2026-01-01 10:00:00",
        APPID,
        MCH_ID,
        "0",
        "",
        "4200000001202601010000000001",
        "LT1",
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        "NATIVE",
        "REFUND",
        "CMC",
        "CNY",
        "0.00",
        "0.00",
        "50300000012026010100000000001",
        "RF1",
        "10.00",
        "0.00",
        "ORIGINAL",
        "SUCCESS",
        "乐淘-运动鞋,41码",
        "",
        "-0.06",
        "0.60%",
        "0.00",
        "10.00",
        "",
    ])
}

fn all_bill() -> String {
    file(
        true,
        ALL_HEADER,
        &[
            all_payment("LT1", "4200000001202601010000000001", "25.90", "0.16"),
            all_payment("LT2", "4200000001202601010000000002", "0.01", "0.00"),
            all_refund(),
        ],
        &["3", "25.91", "10.00", "0.00", "0.10", "25.91", "10.00"],
    )
}

#[test]
fn the_column_lists_are_the_documented_headers() {
    assert_eq!(bill::ALL_COLUMNS.join(","), ALL_HEADER);
    assert_eq!(bill::SUCCESS_COLUMNS.join(","), SUCCESS_HEADER);
    assert_eq!(bill::REFUND_COLUMNS.join(","), REFUND_HEADER);
    assert_eq!(bill::SUMMARY_COLUMNS.join(","), SUMMARY_HEADER);
}

#[test]
fn an_all_bill_with_bom_crlf_and_backticks_is_read_exactly() {
    let b = bill::parse(all_bill().as_bytes(), BillType::All).unwrap();
    assert_eq!(b.rows.len(), 3);
    let first = &b.rows[0];
    assert_eq!(first.line, 2);
    assert_eq!(first.trade_time.to_rfc3339(), "2026-01-01T09:30:00+08:00");
    assert_eq!(first.appid, APPID);
    assert_eq!(first.mchid, MCH_ID);
    assert_eq!(first.out_trade_no, "LT1");
    assert_eq!(first.transaction_id, "4200000001202601010000000001");
    assert_eq!(first.trade_state, "SUCCESS");
    assert_eq!(first.settlement_total, 2590);
    assert_eq!(first.total, 2590);
    assert_eq!(first.fee, 16);
    assert_eq!(
        first.body, "乐淘-运动鞋,41码",
        "a comma inside a field survives"
    );
    assert_eq!(first.refund, None);
    let refund = b.rows[2].refund.as_ref().unwrap();
    assert_eq!(b.rows[2].trade_state, "REFUND");
    assert_eq!(refund.refund_id, "50300000012026010100000000001");
    assert_eq!(refund.out_refund_no, "RF1");
    assert_eq!(refund.refund, 1000);
    assert_eq!(refund.requested_refund, 1000);
    assert_eq!(refund.refund_status, "SUCCESS");
    assert_eq!(b.rows[2].fee, -6);
    assert_eq!(b.summary.count, 3);
    assert_eq!(b.summary.settlement_total, 2591);
    assert_eq!(b.summary.refund_total, 1000);
    assert_eq!(b.summary.fee_total, 10);
    // Without BOM and with LF endings it reads the same.
    let plain = all_bill()
        .trim_start_matches('\u{feff}')
        .replace("\r\n", "\n");
    assert_eq!(
        bill::parse(plain.as_bytes(), BillType::All).unwrap().rows,
        b.rows
    );
}

#[test]
fn success_and_refund_bills_have_their_own_columns() {
    let success = file(
        false,
        SUCCESS_HEADER,
        &[row(&[
            "2026-01-01 09:30:00",
            APPID,
            MCH_ID,
            "0",
            "",
            "4200000001202601010000000001",
            "LT1",
            "oUser",
            "NATIVE",
            "SUCCESS",
            "CMC",
            "CNY",
            "25.90",
            "0.00",
            "乐淘",
            "",
            "0.16",
            "0.60%",
            "25.90",
            "",
        ])],
        &["1", "25.90", "0.00", "0.00", "0.16", "25.90", "0.00"],
    );
    let b = bill::parse(success.as_bytes(), BillType::Success).unwrap();
    assert_eq!(b.rows[0].total, 2590);
    assert_eq!(b.rows[0].refund, None);

    let refund = file(
        true,
        REFUND_HEADER,
        &[row(&[
            "2026-01-02 10:00:00",
            APPID,
            MCH_ID,
            "0",
            "",
            "4200000001202601010000000001",
            "LT1",
            "oUser",
            "NATIVE",
            "REFUND",
            "CMC",
            "CNY",
            "0.00",
            "0.00",
            "2026-01-02 10:00:00",
            "2026-01-02 10:00:03",
            "50300000012026010100000000001",
            "RF1",
            "10.00",
            "0.00",
            "ORIGINAL",
            "SUCCESS",
            "乐淘",
            "",
            "-0.06",
            "0.60%",
            "0.00",
            "10.00",
            "",
        ])],
        &["1", "0.00", "10.00", "0.00", "-0.06", "0.00", "10.00"],
    );
    let b = bill::parse(refund.as_bytes(), BillType::Refund).unwrap();
    let r = b.rows[0].refund.as_ref().unwrap();
    assert_eq!(r.refund, 1000);
    assert_eq!(
        r.succeeded_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-01-02T10:00:03+08:00")
    );
    // A bill of one type is not read as another.
    assert!(matches!(
        bill::parse(refund.as_bytes(), BillType::All),
        Err(BillError::Line { line: 1, .. })
    ));
    assert!(matches!(
        bill::parse(all_bill().as_bytes(), BillType::Success),
        Err(BillError::Line { line: 1, .. })
    ));
}

fn line_of(text: &str) -> Result<usize, BillError> {
    match bill::parse(text.as_bytes(), BillType::All) {
        Err(BillError::Line { line, .. }) => Ok(line),
        Err(e) => Err(e),
        Ok(_) => panic!("accepted: {text}"),
    }
}

#[test]
fn a_malformed_row_is_an_error_naming_its_line() {
    let good = all_bill();
    let lines: Vec<&str> = good.split("\r\n").collect();
    let with_line3 = |replacement: &str| {
        let mut l = lines.clone();
        l[2] = replacement;
        l.join("\r\n")
    };
    let payment = all_payment("LT2", "4200000001202601010000000002", "0.01", "0.00");
    let cases = [
        payment.replace(",`0.60%", ""),     // a field missing
        payment.replace("`0.01", "`0.001"), // three decimals
        payment.replace("`0.01", "`1,00"),  // not an amount (and a field more)
        payment.replace("`0.01", "`abc"),   // not an amount
        payment.replace("2026-01-01 09:30:00", "2026-01-01"), // not a time
        payment.replace('`', ""),           // no backticks
        String::new(),                      // a blank line
    ];
    for case in cases {
        assert_eq!(line_of(&with_line3(&case)).unwrap(), 3, "{case}");
    }
}

#[test]
fn truncated_or_inconsistent_bills_are_refused() {
    let good = all_bill();
    let cut = &good[..good.find(SUMMARY_HEADER).unwrap()];
    assert_eq!(
        bill::parse(cut.as_bytes(), BillType::All).unwrap_err(),
        BillError::Truncated
    );
    let no_summary_row = &good[..good.find(SUMMARY_HEADER).unwrap() + SUMMARY_HEADER.len() + 2];
    assert_eq!(
        bill::parse(no_summary_row.as_bytes(), BillType::All).unwrap_err(),
        BillError::Truncated
    );
    assert_eq!(
        bill::parse(b"", BillType::All).unwrap_err(),
        BillError::Truncated
    );

    // A row lost: the count no longer matches.
    let lost = good.replace(&format!("{}\r\n", all_refund()), "");
    assert!(matches!(
        bill::parse(lost.as_bytes(), BillType::All),
        Err(BillError::SummaryMismatch {
            field: "总交易单数",
            summary: 3,
            rows: 2
        })
    ));
    // An amount changed: the totals no longer match.
    let changed = good.replace("`25.90,`0.00,`0,", "`25.80,`0.00,`0,");
    assert!(matches!(
        bill::parse(changed.as_bytes(), BillType::All),
        Err(BillError::SummaryMismatch {
            field: "应结订单总金额",
            summary: 2591,
            rows: 2581
        })
    ));
    let trailing = format!("{good}junk\r\n");
    assert!(matches!(
        bill::parse(trailing.as_bytes(), BillType::All),
        Err(BillError::Line { .. })
    ));
    let blank_after = format!("{good}\r\n\r\n");
    assert!(bill::parse(blank_after.as_bytes(), BillType::All).is_ok());
}

/// Generates a SUCCESS bill of `n` rows on the fly, never held whole.
struct Generated {
    n: usize,
    next: usize,
    pending: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.pending.len() {
            if self.done {
                return Ok(0);
            }
            self.pending.clear();
            self.pos = 0;
            if self.next == 0 {
                self.pending
                    .extend_from_slice(format!("\u{feff}{SUCCESS_HEADER}\r\n").as_bytes());
            }
            if self.next < self.n {
                let i = self.next;
                let r = row(&[
                    "2026-01-01 09:30:00",
                    APPID,
                    MCH_ID,
                    "0",
                    "",
                    &format!("42{i:026}"),
                    &format!("LT{i:010}"),
                    "oUser",
                    "NATIVE",
                    "SUCCESS",
                    "CMC",
                    "CNY",
                    "1.01",
                    "0.00",
                    "乐淘",
                    "",
                    "0.01",
                    "0.60%",
                    "1.01",
                    "",
                ]);
                self.pending.extend_from_slice(r.as_bytes());
                self.pending.extend_from_slice(b"\r\n");
                self.next += 1;
            } else {
                let n = self.n as i64;
                let s = format!(
                    "{SUMMARY_HEADER}\r\n{}\r\n",
                    row(&[
                        &n.to_string(),
                        &bill::format_yuan(101 * n),
                        "0.00",
                        "0.00",
                        &bill::format_yuan(n),
                        &bill::format_yuan(101 * n),
                        "0.00"
                    ])
                );
                self.pending.extend_from_slice(s.as_bytes());
                self.done = true;
            }
        }
        let k = out.len().min(self.pending.len() - self.pos);
        out[..k].copy_from_slice(&self.pending[self.pos..self.pos + k]);
        self.pos += k;
        Ok(k)
    }
}

#[test]
fn a_hundred_thousand_rows_stream_through() {
    let source = Generated {
        n: 100_000,
        next: 0,
        pending: Vec::new(),
        pos: 0,
        done: false,
    };
    let mut reader = BillReader::new(BufReader::new(source), BillType::Success).unwrap();
    let mut count = 0u64;
    let mut total = 0i64;
    for r in reader.by_ref() {
        let r = r.unwrap();
        count += 1;
        total += r.total;
    }
    assert_eq!(count, 100_000);
    assert_eq!(total, 10_100_000);
    assert_eq!(reader.summary().unwrap().count, 100_000);
}

// --- v2 /pay/downloadbill -------------------------------------------------

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
            Reply {
                status: 200,
                body: data,
                signing: Signing::Unsigned,
                skew: 0,
                tamper: None,
                delay: Default::default(),
            }
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
    let link = wechat_pay::v3::TradeBill {
        hash_type: "SHA1".into(),
        hash_value: bill::sha1_hex(b""),
        download_url: "http://203.0.113.9/v3/billdownload/file?token=x".into(),
        gzip: false,
    };
    assert!(matches!(c.download_bill(&link), Err(Error::BadReply(_))));
    assert!(server.requests().is_empty());
}

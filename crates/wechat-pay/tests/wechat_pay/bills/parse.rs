//! Parsing: the documented layouts read exactly; anything malformed,
//! truncated or inconsistent refused, naming the line.

use super::{
    ALL_HEADER, REFUND_HEADER, REFUND_RF1, SUCCESS_HEADER, SUMMARY_HEADER, all_bill, all_payment,
    all_refund, file, row, trade,
};
use crate::{APPID, MCH_ID};
use wechat_pay::bill::{self, BillError, BillType, Decimal};

/// An exact decimal from its text.
fn dec(text: &str) -> Decimal {
    bill::parse_decimal(text).unwrap()
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
    assert_eq!(first.fee, dec("0.16"));
    assert_eq!(first.rate_percent, Some(dec("0.60")));
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
    assert_eq!(b.rows[2].fee, dec("-0.06"));
    assert_eq!(b.summary.count, 3);
    assert_eq!(b.summary.settlement_total, 2591);
    assert_eq!(b.summary.refund_total, 1000);
    assert_eq!(b.summary.fee_total, dec("0.10"));
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
            &trade(
                "2026-01-01 09:30:00",
                "4200000001202601010000000001",
                "LT1",
                "SUCCESS",
                "25.90",
            )[..],
            &["乐淘", "", "0.16", "0.60%", "25.90", ""],
        ]
        .concat())],
        &["1", "25.90", "0.00", "0.00", "0.16", "25.90", "0.00"],
    );
    let b = bill::parse(success.as_bytes(), BillType::Success).unwrap();
    assert_eq!(b.rows[0].total, 2590);
    assert_eq!(b.rows[0].refund, None);

    let refund = file(
        true,
        REFUND_HEADER,
        &[row(&[
            &trade(
                "2026-01-02 10:00:00",
                "4200000001202601010000000001",
                "LT1",
                "REFUND",
                "0.00",
            )[..],
            &["2026-01-02 10:00:00", "2026-01-02 10:00:03"],
            &REFUND_RF1,
            &["乐淘", "", "-0.06", "0.60%", "0.00", "10.00", ""],
        ]
        .concat())],
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
        payment.replace("`0.00,`0.60%", "`fee,`0.60%"), // a fee that is no number
        payment.replace("`0.00,`0.60%", "`0.0.0,`0.60%"), // nor this
        payment.replace("`0.60%", "`0.60"), // a rate without its percent sign
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

/// WeChat's published sample rows (the downloadbill documentation): two
/// 0.01 payments whose fee is written in exponent form, `6e-05` each, and a
/// summary fee of `0.00012`; amounts written `0.0`, refund fields `0`.
fn sample_exponent_rows() -> (Vec<String>, [&'static str; 7]) {
    let payment = |time, tx, no| {
        row(&[
            time,
            "wx2421b1c4370ec43b",
            "10000100",
            "0",
            "1000",
            tx,
            no,
            "085e9858e3ba5186aafcbaed1",
            "MICROPAY",
            "SUCCESS",
            "CFT",
            "CNY",
            "0.01",
            "0.0",
            "0",
            "0",
            "0",
            "0",
            "",
            "",
            "被扫支付测试",
            "订单额外描述",
            "6e-05",
            "0.60%",
            "0.01",
            "0.0",
            "",
        ])
    };
    (
        vec![
            payment(
                "2014-11-10 16:33:45",
                "1001690740201411100005734289",
                "1415640626",
            ),
            payment(
                "2014-11-10 16:46:14",
                "1002780740201411100005729794",
                "1415635270",
            ),
        ],
        ["2", "0.02", "0.0", "0.0", "0.00012", "0.02", "0.0"],
    )
}

/// Rows as current bills write them: fees with five decimals (`0.06000`,
/// `-0.06000`, `0.00000`), and a summary whose count reads `3.0` and whose
/// fee total has two decimals.
fn sample_five_decimal_rows() -> (Vec<String>, [&'static str; 7]) {
    let trade = |time, tx, no, state, settlement| {
        vec![
            time,
            "wx92e5eb4b2d4b4ab9",
            "1900000100",
            "0",
            "",
            tx,
            no,
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
            "NATIVE",
            state,
            "OTHERS",
            "CNY",
            settlement,
            "0.00",
        ]
    };
    let no_refund = ["0", "0", "0.00", "0.00", "", ""];
    let goods = "Image形象店-深圳腾大-QQ公仔";
    let rows = vec![
        row(&[
            &trade(
                "2020-08-07 15:34:03",
                "4200000700202008073765546425",
                "1596785642",
                "SUCCESS",
                "10.00",
            )[..],
            &no_refund,
            &[goods, "", "0.06000", "0.60%", "10.00", "0.00", ""],
        ]
        .concat()),
        row(&[
            &trade(
                "2020-08-07 15:40:11",
                "4200000700202008073765546426",
                "1596785643",
                "SUCCESS",
                "0.01",
            )[..],
            &no_refund,
            &[goods, "", "0.00000", "0.60%", "0.01", "0.00", ""],
        ]
        .concat()),
        row(&[
            &trade(
                "2020-08-07 16:02:45",
                "4200000700202008073765546425",
                "1596785642",
                "REFUND",
                "0.00",
            )[..],
            &[
                "50300305362020080701234567890",
                "RF1596785642",
                "10.00",
                "0.00",
                "ORIGINAL",
                "SUCCESS",
            ],
            &[goods, "", "-0.06000", "0.60%", "0.00", "10.00", ""],
        ]
        .concat()),
    ];
    (
        rows,
        ["3.0", "10.01", "10.00", "0.00", "0.00", "10.01", "10.00"],
    )
}

#[test]
fn wechats_sample_rows_parse_exactly_in_v2_and_v3_files() {
    // v2 answers the text as it is; v3 files start with a BOM.
    for (api, bom) in [("v2", false), ("v3", true)] {
        let (rows, summary) = sample_exponent_rows();
        let text = file(bom, ALL_HEADER, &rows, &summary);
        let b = bill::parse(text.as_bytes(), BillType::All)
            .unwrap_or_else(|e| panic!("{api} exponent sample: {e}"));
        assert_eq!(b.rows.len(), 2, "{api}");
        for r in &b.rows {
            assert_eq!(r.fee, dec("0.00006"), "{api}");
            assert_eq!(r.rate_percent, Some(dec("0.60")), "{api}");
            assert_eq!((r.settlement_total, r.total, r.coupon), (1, 1, 0), "{api}");
            assert_eq!(r.refund, None, "{api}: 微信退款单号 0 is no refund");
        }
        assert_eq!(b.summary.fee_total, dec("0.00012"), "{api}");
        assert_eq!(b.summary.order_total, 2, "{api}");

        let (rows, summary) = sample_five_decimal_rows();
        let text = file(bom, ALL_HEADER, &rows, &summary);
        let b = bill::parse(text.as_bytes(), BillType::All)
            .unwrap_or_else(|e| panic!("{api} five-decimal sample: {e}"));
        let fees: Vec<Decimal> = b.rows.iter().map(|r| r.fee).collect();
        assert_eq!(fees, [dec("0.06"), dec("0"), dec("-0.06")], "{api}");
        assert_eq!(b.rows[0].settlement_total, 1000, "{api}");
        assert_eq!(b.rows[2].refund.as_ref().unwrap().refund, 1000, "{api}");
        assert_eq!(b.summary.count, 3, "{api}: a count written 3.0");
        assert_eq!(b.summary.fee_total, Decimal::ZERO, "{api}");
        assert_eq!(b.summary.settlement_total, 1001, "{api}");
    }
    // The same fees in a SUCCESS bill.
    let success = file(
        true,
        SUCCESS_HEADER,
        &[row(&[
            &trade(
                "2020-08-07 15:34:03",
                "4200000700202008073765546425",
                "1596785642",
                "SUCCESS",
                "10.00",
            )[..],
            &["Image形象店", "", "0.06000", "0.60%", "10.00", ""],
        ]
        .concat())],
        &["1", "10.00", "0.00", "0.00", "0.06000", "10.00", "0.00"],
    );
    let b = bill::parse(success.as_bytes(), BillType::Success).unwrap();
    assert_eq!(b.rows[0].fee, dec("0.06"));
    assert_eq!(b.summary.fee_total, dec("0.06"));
}

#[test]
fn a_fee_total_that_disagrees_with_the_rows_is_refused() {
    let (rows, mut summary) = sample_exponent_rows();
    summary[4] = "0.00013";
    let text = file(false, ALL_HEADER, &rows, &summary);
    assert_eq!(
        bill::parse(text.as_bytes(), BillType::All).unwrap_err(),
        BillError::FeeMismatch {
            summary: dec("0.00013"),
            rows: dec("0.00012")
        }
    );
    // Written to the fen, the total is checked to the fen.
    let (rows, mut summary) = sample_five_decimal_rows();
    summary[4] = "0.01";
    let text = file(true, ALL_HEADER, &rows, &summary);
    assert!(matches!(
        bill::parse(text.as_bytes(), BillType::All),
        Err(BillError::FeeMismatch { .. })
    ));
    // A sub-fen settlement amount is no amount.
    let (rows, summary) = sample_exponent_rows();
    let rows: Vec<String> = rows
        .iter()
        .map(|r| r.replacen("`0.01,", "`0.011,", 1))
        .collect();
    let text = file(false, ALL_HEADER, &rows, &summary);
    assert!(matches!(
        bill::parse(text.as_bytes(), BillType::All),
        Err(BillError::Line { line: 2, .. })
    ));
}

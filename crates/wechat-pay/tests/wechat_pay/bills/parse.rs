//! Parsing: the documented layouts read exactly; anything malformed,
//! truncated or inconsistent refused, naming the line.

use super::{
    ALL_HEADER, REFUND_HEADER, REFUND_RF1, SUCCESS_HEADER, SUMMARY_HEADER, all_bill, all_payment,
    all_refund, file, row, trade,
};
use crate::{APPID, MCH_ID};
use wechat_pay::bill::{self, BillError, BillType};

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

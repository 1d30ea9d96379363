//! Trade bills: files built here from the documented format, parsed;
//! malformed and truncated ones refused with the line; downloads over v2
//! and v3.

mod download;
mod parse;
mod stream;

use crate::{APPID, MCH_ID};

pub const ALL_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
pub const SUCCESS_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注";
pub const REFUND_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
pub const SUMMARY_HEADER: &str =
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

/// The payer of every row.
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

pub fn row(fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| format!("`{f}"))
        .collect::<Vec<_>>()
        .join(",")
}

pub fn file(bom: bool, header: &str, rows: &[String], summary: &[&str]) -> String {
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

/// The fourteen columns every row starts with (交易时间 to 代金券金额).
pub fn trade<'a>(
    time: &'a str,
    tx: &'a str,
    no: &'a str,
    state: &'a str,
    settlement: &'a str,
) -> Vec<&'a str> {
    vec![
        time, APPID, MCH_ID, "0", "", tx, no, OPENID, "NATIVE", state, "CMC", "CNY", settlement,
        "0.00",
    ]
}

/// The refund columns (微信退款单号 to 退款状态) of refund RF1 of 10.00.
pub const REFUND_RF1: [&str; 6] = [
    "50300000012026010100000000001",
    "RF1",
    "10.00",
    "0.00",
    "ORIGINAL",
    "SUCCESS",
];

/// A payment row of an ALL bill.
pub fn all_payment(no: &str, tx: &str, yuan: &str, fee: &str) -> String {
    let rest = [
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
    ];
    let trade = trade("2026-01-01 09:30:00", tx, no, "SUCCESS", yuan);
    row(&[&trade[..], &rest].concat())
}

/// The refund row of [`all_bill`].
pub fn all_refund() -> String {
    let trade = trade(
        "2026-01-01 10:00:00",
        "4200000001202601010000000001",
        "LT1",
        "REFUND",
        "0.00",
    );
    let rest = [
        "乐淘-运动鞋,41码",
        "",
        "-0.06",
        "0.60%",
        "0.00",
        "10.00",
        "",
    ];
    row(&[&trade[..], &REFUND_RF1, &rest].concat())
}

/// Two payments and a refund, with a BOM.
pub fn all_bill() -> String {
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

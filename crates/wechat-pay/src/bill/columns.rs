//! The documented header rows, and where each column stands in a file.
//!
//! The three detail layouts are built from the same groups of columns, in
//! WeChat's order; the integration tests pin them to the documented text.

use super::BillType;
use std::collections::HashMap;

/// Every bill starts with the trade.
const TRADE: &[&str] = &[
    "交易时间",
    "公众账号ID",
    "商户号",
    "特约商户号",
    "设备号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "付款银行",
    "货币种类",
    "应结订单金额",
    "代金券金额",
];

/// When a refund was asked for and when it succeeded (REFUND bills only).
const REFUND_TIMES: &[&str] = &["退款申请时间", "退款成功时间"];

/// The refund (ALL and REFUND bills).
const REFUND: &[&str] = &[
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
];

/// Goods, fee and order amount (every bill).
const GOODS_AND_FEE: &[&str] = &["商品名称", "商户数据包", "手续费", "费率", "订单金额"];

/// The amount asked to refund (ALL and REFUND bills).
const REQUESTED_REFUND: &[&str] = &["申请退款金额"];

/// The last column of every bill.
const RATE_NOTE: &[&str] = &["费率备注"];

/// Joins column groups into one header of exactly `N` columns (checked
/// when compiling).
const fn join<const N: usize>(groups: &[&[&'static str]]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut n = 0;
    let mut g = 0;
    while g < groups.len() {
        let mut i = 0;
        while i < groups[g].len() {
            out[n] = groups[g][i];
            n += 1;
            i += 1;
        }
        g += 1;
    }
    assert!(n == N, "column count");
    out
}

/// Header of an `ALL` bill.
pub const ALL_COLUMNS: &[&str] =
    &join::<27>(&[TRADE, REFUND, GOODS_AND_FEE, REQUESTED_REFUND, RATE_NOTE]);

/// Header of a `SUCCESS` bill.
pub const SUCCESS_COLUMNS: &[&str] = &join::<20>(&[TRADE, GOODS_AND_FEE, RATE_NOTE]);

/// Header of a `REFUND` bill.
pub const REFUND_COLUMNS: &[&str] = &join::<29>(&[
    TRADE,
    REFUND_TIMES,
    REFUND,
    GOODS_AND_FEE,
    REQUESTED_REFUND,
    RATE_NOTE,
]);

/// Header of the summary.
pub const SUMMARY_COLUMNS: &[&str] = &[
    "总交易单数",
    "应结订单总金额",
    "退款总金额",
    "充值券退款总金额",
    "手续费总金额",
    "订单总金额",
    "申请退款总金额",
];

/// Column positions of the detail rows, found by name in the header.
#[derive(Debug, Clone, Default)]
pub(super) struct Columns {
    /// How many fields every row has.
    pub(super) count: usize,
    idx: HashMap<&'static str, usize>,
}

impl Columns {
    /// The positions of `bill_type`'s columns in `header`; an error when
    /// one is missing or the header is another bill type's.
    pub(super) fn from_header(header: &[&str], bill_type: BillType) -> Result<Columns, String> {
        let mut idx = HashMap::new();
        for name in bill_type.columns() {
            let pos = header
                .iter()
                .position(|h| h.trim() == *name)
                .ok_or_else(|| {
                    format!(
                        "header lacks column {name} of a {} bill",
                        bill_type.as_str()
                    )
                })?;
            idx.insert(*name, pos);
        }
        // A richer layout is another bill type, not this one.
        let other_marker = match bill_type {
            BillType::Success => Some("退款金额"),
            BillType::All => Some("退款申请时间"),
            BillType::Refund => None,
        };
        if let Some(marker) = other_marker
            && header.iter().any(|h| h.trim() == marker)
        {
            return Err(format!(
                "header has {marker}: not a {} bill",
                bill_type.as_str()
            ));
        }
        Ok(Columns {
            count: header.len(),
            idx,
        })
    }

    /// The field of column `name` in `fields` (empty when this bill type
    /// has no such column).
    pub(super) fn get<'a>(&self, fields: &[&'a str], name: &str) -> &'a str {
        self.idx.get(name).map(|i| fields[*i]).unwrap_or("")
    }
}

/// Splits a backtick row: every field starts with a backtick.
pub(super) fn backtick_fields(line: &str) -> Option<Vec<&str>> {
    line.strip_prefix('`')
        .map(|rest| rest.split(",`").collect())
}

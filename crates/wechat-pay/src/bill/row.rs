//! Detail rows: one per payment or refund, every field typed.

use super::columns::backtick_fields;
use super::money::{Decimal, parse_decimal, parse_fen, parse_percent};
use super::parse::BillReader;
use super::{BillError, BillType, CHINA_TIME};
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use std::io::BufRead;

/// The refund part of a bill row.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BillRefund {
    /// WeChat's refund id (微信退款单号).
    pub refund_id: String,
    /// Our refund number (商户退款单号).
    pub out_refund_no: String,
    /// Refunded, fen (退款金额).
    pub refund: i64,
    /// Recharge-coupon refund, fen (充值券退款金额).
    pub recharge_coupon_refund: i64,
    /// Asked to refund, fen (申请退款金额).
    pub requested_refund: i64,
    /// `ORIGINAL`, `BALANCE`... (退款类型).
    pub refund_type: String,
    /// `SUCCESS`, `PROCESSING`... (退款状态).
    pub refund_status: String,
    /// When the refund was asked for (REFUND bills).
    pub applied_at: Option<DateTime<FixedOffset>>,
    /// When it succeeded (REFUND bills).
    pub succeeded_at: Option<DateTime<FixedOffset>>,
}

/// One detail row.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BillRow {
    /// Line number in the file (1-based).
    pub line: usize,
    /// 交易时间, Asia/Shanghai.
    pub trade_time: DateTime<FixedOffset>,
    /// 公众账号ID.
    pub appid: String,
    /// 商户号.
    pub mchid: String,
    /// 特约商户号 (`0` or empty for a direct merchant).
    pub sub_mchid: String,
    /// 设备号.
    pub device_info: String,
    /// 微信订单号.
    pub transaction_id: String,
    /// 商户订单号.
    pub out_trade_no: String,
    /// 用户标识 (openid).
    pub openid: String,
    /// 交易类型 (`NATIVE`...).
    pub trade_type: String,
    /// 交易状态 (`SUCCESS`, `REFUND`, `REVOKED`...).
    pub trade_state: String,
    /// 付款银行.
    pub bank_type: String,
    /// 货币种类.
    pub currency: String,
    /// 应结订单金额, fen.
    pub settlement_total: i64,
    /// 代金券金额, fen.
    pub coupon: i64,
    /// The refund, on refund rows.
    pub refund: Option<BillRefund>,
    /// 商品名称.
    pub body: String,
    /// 商户数据包.
    pub attach: String,
    /// 手续费, yuan, exactly as published (`0.06000`, `6e-05`: WeChat
    /// writes fees below the fen); negative on refund rows.
    pub fee: Decimal,
    /// 费率 as a percentage: `0.60` for `0.60%`; `None` when the field is
    /// empty.
    pub rate_percent: Option<Decimal>,
    /// 订单金额, fen.
    pub total: i64,
    /// 费率备注.
    pub rate_note: String,
}

/// A bill time (`2026-01-02 08:00:00`), China time.
fn parse_time(value: &str) -> Option<DateTime<FixedOffset>> {
    let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S").ok()?;
    CHINA_TIME.from_local_datetime(&naive).single()
}

impl<R: BufRead> BillReader<R> {
    /// Reads a detail row (a line starting with a backtick).
    pub(super) fn row(&self, line: &str) -> Result<BillRow, BillError> {
        let fields = backtick_fields(line).ok_or_else(|| self.line_err("no backtick"))?;
        if fields.len() != self.columns.count {
            return Err(self.line_err(format!(
                "{} fields, the header has {}",
                fields.len(),
                self.columns.count
            )));
        }
        let get = |name: &str| self.columns.get(&fields, name);
        let text = |name: &str| get(name).to_owned();
        let fen = |name: &str| {
            parse_fen(get(name))
                .ok_or_else(|| self.line_err(format!("{name} {:?} is not an amount", get(name))))
        };
        let non_negative = |name: &str| {
            fen(name).and_then(|v| {
                if v < 0 {
                    Err(self.line_err(format!("{name} is negative")))
                } else {
                    Ok(v)
                }
            })
        };
        let decimal = |name: &str| {
            parse_decimal(get(name))
                .ok_or_else(|| self.line_err(format!("{name} {:?} is not a number", get(name))))
        };
        let percent = |name: &str| match get(name) {
            "" => Ok(None),
            value => parse_percent(value)
                .map(Some)
                .ok_or_else(|| self.line_err(format!("{name} {value:?} is not a percentage"))),
        };
        let time = |name: &str| {
            parse_time(get(name))
                .ok_or_else(|| self.line_err(format!("{name} {:?} is not a time", get(name))))
        };
        let optional_time = |name: &str| match get(name) {
            "" => Ok(None),
            _ => time(name).map(Some),
        };
        let refund_id = get("微信退款单号");
        let refund = match self.bill_type {
            BillType::Success => None,
            BillType::All if refund_id.is_empty() || refund_id == "0" => None,
            BillType::All | BillType::Refund => {
                if refund_id.is_empty() {
                    return Err(self.line_err("refund row without 微信退款单号"));
                }
                Some(BillRefund {
                    refund_id: refund_id.to_owned(),
                    out_refund_no: text("商户退款单号"),
                    refund: non_negative("退款金额")?,
                    recharge_coupon_refund: non_negative("充值券退款金额")?,
                    requested_refund: non_negative("申请退款金额")?,
                    refund_type: text("退款类型"),
                    refund_status: text("退款状态"),
                    applied_at: optional_time("退款申请时间")?,
                    succeeded_at: optional_time("退款成功时间")?,
                })
            }
        };
        let row = BillRow {
            line: self.line_no,
            trade_time: time("交易时间")?,
            appid: text("公众账号ID"),
            mchid: text("商户号"),
            sub_mchid: text("特约商户号"),
            device_info: text("设备号"),
            transaction_id: text("微信订单号"),
            out_trade_no: text("商户订单号"),
            openid: text("用户标识"),
            trade_type: text("交易类型"),
            trade_state: text("交易状态"),
            bank_type: text("付款银行"),
            currency: text("货币种类"),
            settlement_total: non_negative("应结订单金额")?,
            coupon: non_negative("代金券金额")?,
            refund,
            body: text("商品名称"),
            attach: text("商户数据包"),
            fee: decimal("手续费")?,
            rate_percent: percent("费率")?,
            total: non_negative("订单金额")?,
            rate_note: text("费率备注"),
        };
        if row.transaction_id.is_empty() || row.out_trade_no.is_empty() {
            return Err(self.line_err("empty 微信订单号 or 商户订单号"));
        }
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_china_time() {
        let t = parse_time("2026-01-02 08:00:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-01-02T08:00:00+08:00");
        assert_eq!(t.timestamp(), 1767312000);
        assert!(parse_time("2026-13-02 08:00:00").is_none());
        assert!(parse_time("2026-01-02T08:00:00").is_none());
    }
}

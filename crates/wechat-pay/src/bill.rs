//! Trade bills (对账单), shared by API v2 (`/pay/downloadbill`) and v3
//! (`/v3/bill/tradebill`): types, a streaming parser, hashing and gzip.
//!
//! The file: an optional UTF-8 BOM, CRLF (or LF) lines, a header row, one
//! detail row per transaction or refund whose every field starts with a
//! backtick, then a summary header (`总交易单数,...`) and one summary row.
//! Amounts are yuan with at most two decimals and become integer fen.
//! Anything else — a wrong field count, a bad amount or time, a missing
//! summary, totals that disagree with the rows — is an error naming the
//! line, never a skipped row.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use sha1::{Digest, Sha1};
use std::io::{BufRead, Read};

/// Which bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BillType {
    /// Every payment and refund of the day.
    All,
    /// Successful payments only.
    Success,
    /// Refunds only.
    Refund,
}

impl BillType {
    /// WeChat's name (`ALL`, `SUCCESS`, `REFUND`).
    pub const fn as_str(self) -> &'static str {
        match self {
            BillType::All => "ALL",
            BillType::Success => "SUCCESS",
            BillType::Refund => "REFUND",
        }
    }

    /// Parses WeChat's name.
    pub fn parse(value: &str) -> Option<BillType> {
        match value {
            "ALL" => Some(BillType::All),
            "SUCCESS" => Some(BillType::Success),
            "REFUND" => Some(BillType::Refund),
            _ => None,
        }
    }

    /// The documented header row of this bill type.
    pub const fn columns(self) -> &'static [&'static str] {
        match self {
            BillType::All => ALL_COLUMNS,
            BillType::Success => SUCCESS_COLUMNS,
            BillType::Refund => REFUND_COLUMNS,
        }
    }
}

/// Header of an `ALL` bill.
pub const ALL_COLUMNS: &[&str] = &[
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
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
];

/// Header of a `SUCCESS` bill.
pub const SUCCESS_COLUMNS: &[&str] = &[
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
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "费率备注",
];

/// Header of a `REFUND` bill.
pub const REFUND_COLUMNS: &[&str] = &[
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
    "退款申请时间",
    "退款成功时间",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
];

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

/// A bill, or WeChat's word that there is none for that day (v2 "No Bill
/// Exist", v3 `NO_STATEMENT_EXIST`): not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillOutcome<T> {
    /// The bill (or where to get it).
    Bill(T),
    /// Nothing happened that day.
    NoBill,
}

/// The refund part of a bill row.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// 手续费, fen (negative on refund rows).
    pub fee: i64,
    /// 费率 (`0.60%`).
    pub rate: String,
    /// 订单金额, fen.
    pub total: i64,
    /// 费率备注.
    pub rate_note: String,
}

/// The summary row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillSummary {
    /// 总交易单数: detail rows.
    pub count: u64,
    /// 应结订单总金额, fen.
    pub settlement_total: i64,
    /// 退款总金额, fen.
    pub refund_total: i64,
    /// 充值券退款总金额, fen.
    pub recharge_coupon_refund_total: i64,
    /// 手续费总金额, fen.
    pub fee_total: i64,
    /// 订单总金额, fen.
    pub order_total: i64,
    /// 申请退款总金额, fen.
    pub requested_refund_total: i64,
}

/// A whole parsed bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bill {
    /// Its type.
    pub bill_type: BillType,
    /// Detail rows, in file order.
    pub rows: Vec<BillRow>,
    /// The summary (already checked against the rows).
    pub summary: BillSummary,
}

/// Why a bill cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BillError {
    /// A line is malformed.
    #[error("bill line {line}: {reason}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The file ends before its summary: truncated.
    #[error("the bill ends without its summary (truncated?)")]
    Truncated,
    /// The summary disagrees with the rows.
    #[error("bill summary {field} is {summary} but the rows add up to {rows}")]
    SummaryMismatch {
        /// Which summary column.
        field: &'static str,
        /// What the summary says.
        summary: i64,
        /// What the rows give.
        rows: i64,
    },
    /// Reading failed.
    #[error("reading the bill: {0}")]
    Io(String),
}

/// Longest line accepted.
const MAX_LINE_BYTES: u64 = 64 * 1024;

/// Parses yuan (`12`, `0.1`, `0.01`, `-0.01`) into fen, exactly.
pub fn parse_fen(yuan: &str) -> Option<i64> {
    let (negative, digits) = match yuan.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, yuan),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, f),
        None => (digits, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || frac.len() > 2 || !all_digits(frac) {
        return None;
    }
    if digits.contains('.') && frac.is_empty() {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let mut cents: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    if frac.len() == 1 {
        cents *= 10;
    }
    let fen = whole.checked_mul(100)?.checked_add(cents)?;
    Some(if negative { -fen } else { fen })
}

/// Writes fen as yuan with two decimals (`1` → `0.01`, `-1` → `-0.01`).
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Lower-case hex SHA1, as in the v3 `hash_value`.
pub fn sha1_hex(data: &[u8]) -> String {
    hex::encode(Sha1::digest(data))
}

/// Decompresses a gzip file of at most `limit` bytes once decompressed.
pub fn gunzip(data: &[u8], limit: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    if out.len() as u64 > limit {
        return Err(format!("larger than {limit} bytes once decompressed"));
    }
    Ok(out)
}

/// Compresses with gzip (for simulators serving `tar_type=GZIP`).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// China Standard Time (UTC+8, no daylight saving since 1991): the
/// Asia/Shanghai day of a bill.
pub const CHINA_TIME: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

fn parse_time(value: &str) -> Option<DateTime<FixedOffset>> {
    let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S").ok()?;
    CHINA_TIME.from_local_datetime(&naive).single()
}

/// Column positions of the detail rows, found by name in the header.
#[derive(Debug, Clone)]
struct Columns {
    count: usize,
    idx: std::collections::HashMap<&'static str, usize>,
}

impl Columns {
    fn from_header(header: &[&str], bill_type: BillType) -> Result<Columns, String> {
        let mut idx = std::collections::HashMap::new();
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
}

/// Splits a backtick row: every field starts with a backtick.
fn backtick_fields(line: &str) -> Option<Vec<&str>> {
    line.strip_prefix('`')
        .map(|rest| rest.split(",`").collect())
}

/// A streaming bill parser over any [`BufRead`]: memory stays one line
/// plus running totals, whatever the number of rows.
pub struct BillReader<R> {
    input: R,
    bill_type: BillType,
    columns: Columns,
    line_no: usize,
    buf: Vec<u8>,
    rows: u64,
    totals: BillSummary,
    summary: Option<BillSummary>,
    failed: bool,
}

impl<R: BufRead> BillReader<R> {
    /// Reads the header of a `bill_type` bill.
    pub fn new(input: R, bill_type: BillType) -> Result<BillReader<R>, BillError> {
        let mut reader = BillReader {
            input,
            bill_type,
            columns: Columns {
                count: 0,
                idx: Default::default(),
            },
            line_no: 0,
            buf: Vec::new(),
            rows: 0,
            totals: BillSummary::default(),
            summary: None,
            failed: false,
        };
        let header = reader.read_line()?.ok_or(BillError::Truncated)?;
        let header = header
            .strip_prefix('\u{feff}')
            .unwrap_or(&header)
            .to_owned();
        let names: Vec<&str> = header.split(',').collect();
        reader.columns = Columns::from_header(&names, bill_type)
            .map_err(|reason| BillError::Line { line: 1, reason })?;
        Ok(reader)
    }

    /// The summary, once every row has been read.
    pub fn summary(&self) -> Option<&BillSummary> {
        self.summary.as_ref()
    }

    fn line_err(&self, reason: impl Into<String>) -> BillError {
        BillError::Line {
            line: self.line_no,
            reason: reason.into(),
        }
    }

    /// The next line without its line ending; `None` at the end.
    fn read_line(&mut self) -> Result<Option<String>, BillError> {
        self.buf.clear();
        let n = (&mut self.input)
            .take(MAX_LINE_BYTES)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| BillError::Io(e.to_string()))?;
        if n == 0 {
            return Ok(None);
        }
        self.line_no += 1;
        if self.buf.last() != Some(&b'\n') && n as u64 == MAX_LINE_BYTES {
            return Err(self.line_err("line too long"));
        }
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        let text = std::str::from_utf8(&self.buf).map_err(|_| self.line_err("not UTF-8"))?;
        Ok(Some(text.to_owned()))
    }

    /// The next detail row; `Ok(None)` once the summary has been read and
    /// checked against the rows.
    pub fn next_row(&mut self) -> Result<Option<BillRow>, BillError> {
        if self.summary.is_some() || self.failed {
            return Ok(None);
        }
        let result = self.step();
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    fn step(&mut self) -> Result<Option<BillRow>, BillError> {
        let Some(line) = self.read_line()? else {
            return Err(BillError::Truncated);
        };
        if line.starts_with('`') {
            let row = self.row(&line)?;
            self.add(&row)?;
            return Ok(Some(row));
        }
        if line.split(',').next().map(str::trim) == Some(SUMMARY_COLUMNS[0]) {
            self.read_summary(&line)?;
            return Ok(None);
        }
        if line.trim().is_empty() {
            return Err(self.line_err("blank line before the summary"));
        }
        Err(self.line_err("neither a detail row (starting with `) nor the summary header"))
    }

    fn row(&self, line: &str) -> Result<BillRow, BillError> {
        let fields = backtick_fields(line).ok_or_else(|| self.line_err("no backtick"))?;
        if fields.len() != self.columns.count {
            return Err(self.line_err(format!(
                "{} fields, the header has {}",
                fields.len(),
                self.columns.count
            )));
        }
        let get =
            |name: &str| -> &str { self.columns.idx.get(name).map(|i| fields[*i]).unwrap_or("") };
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
            fee: fen("手续费")?,
            rate: text("费率"),
            total: non_negative("订单金额")?,
            rate_note: text("费率备注"),
        };
        if row.transaction_id.is_empty() || row.out_trade_no.is_empty() {
            return Err(self.line_err("empty 微信订单号 or 商户订单号"));
        }
        Ok(row)
    }

    fn add(&mut self, row: &BillRow) -> Result<(), BillError> {
        let overflow = self.line_err("totals overflow");
        let t = &mut self.totals;
        let sum = |a: i64, b: i64| a.checked_add(b);
        let (refund, coupon_refund, requested) = row
            .refund
            .as_ref()
            .map(|r| (r.refund, r.recharge_coupon_refund, r.requested_refund))
            .unwrap_or((0, 0, 0));
        let next = (
            sum(t.settlement_total, row.settlement_total),
            sum(t.refund_total, refund),
            sum(t.recharge_coupon_refund_total, coupon_refund),
            sum(t.fee_total, row.fee),
            sum(t.order_total, row.total),
            sum(t.requested_refund_total, requested),
        );
        let (Some(a), Some(b), Some(c), Some(d), Some(e), Some(f)) = next else {
            return Err(overflow);
        };
        *t = BillSummary {
            count: 0,
            settlement_total: a,
            refund_total: b,
            recharge_coupon_refund_total: c,
            fee_total: d,
            order_total: e,
            requested_refund_total: f,
        };
        self.rows += 1;
        Ok(())
    }

    fn read_summary(&mut self, header: &str) -> Result<(), BillError> {
        let names: Vec<&str> = header.split(',').map(str::trim).collect();
        for required in &SUMMARY_COLUMNS[..2] {
            if !names.contains(required) {
                return Err(self.line_err(format!("summary header lacks {required}")));
            }
        }
        let line = self.read_line()?.ok_or(BillError::Truncated)?;
        let fields =
            backtick_fields(&line).ok_or_else(|| self.line_err("summary row without backticks"))?;
        if fields.len() != names.len() {
            return Err(self.line_err(format!(
                "{} summary fields, the summary header has {}",
                fields.len(),
                names.len()
            )));
        }
        let value = |name: &str| names.iter().position(|n| *n == name).map(|i| fields[i]);
        let count_text = value(SUMMARY_COLUMNS[0]).unwrap_or("");
        let count: u64 = count_text
            .parse()
            .map_err(|_| self.line_err(format!("总交易单数 {count_text:?} is not a count")))?;
        if count != self.rows {
            return Err(BillError::SummaryMismatch {
                field: SUMMARY_COLUMNS[0],
                summary: i64::try_from(count).unwrap_or(i64::MAX),
                rows: i64::try_from(self.rows).unwrap_or(i64::MAX),
            });
        }
        let mut summary = BillSummary {
            count,
            ..BillSummary::default()
        };
        let checks: [(&'static str, i64, &mut i64); 6] = [
            (
                SUMMARY_COLUMNS[1],
                self.totals.settlement_total,
                &mut summary.settlement_total,
            ),
            (
                SUMMARY_COLUMNS[2],
                self.totals.refund_total,
                &mut summary.refund_total,
            ),
            (
                SUMMARY_COLUMNS[3],
                self.totals.recharge_coupon_refund_total,
                &mut summary.recharge_coupon_refund_total,
            ),
            (
                SUMMARY_COLUMNS[4],
                self.totals.fee_total,
                &mut summary.fee_total,
            ),
            (
                SUMMARY_COLUMNS[5],
                self.totals.order_total,
                &mut summary.order_total,
            ),
            (
                SUMMARY_COLUMNS[6],
                self.totals.requested_refund_total,
                &mut summary.requested_refund_total,
            ),
        ];
        for (name, rows, slot) in checks {
            let Some(text) = value(name) else {
                *slot = rows;
                continue;
            };
            let said = parse_fen(text).ok_or_else(|| BillError::Line {
                line: self.line_no,
                reason: format!("{name} {text:?} is not an amount"),
            })?;
            if said != rows {
                return Err(BillError::SummaryMismatch {
                    field: name,
                    summary: said,
                    rows,
                });
            }
            *slot = said;
        }
        // Only blank lines may follow.
        while let Some(rest) = self.read_line()? {
            if !rest.trim().is_empty() {
                return Err(self.line_err("text after the summary"));
            }
        }
        self.summary = Some(summary);
        Ok(())
    }
}

impl<R: BufRead> Iterator for BillReader<R> {
    type Item = Result<BillRow, BillError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_row().transpose()
    }
}

/// Parses a whole bill held in memory.
pub fn parse(data: &[u8], bill_type: BillType) -> Result<Bill, BillError> {
    let mut reader = BillReader::new(data, bill_type)?;
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row()? {
        rows.push(row);
    }
    let summary = reader.summary.take().ok_or(BillError::Truncated)?;
    Ok(Bill {
        bill_type,
        rows,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_become_exact_fen() {
        assert_eq!(parse_fen("0.01"), Some(1));
        assert_eq!(parse_fen("0.1"), Some(10));
        assert_eq!(parse_fen("12"), Some(1200));
        assert_eq!(parse_fen("1234.56"), Some(123456));
        assert_eq!(parse_fen("-0.01"), Some(-1));
        assert_eq!(parse_fen("0.0"), Some(0));
        for bad in [
            "",
            "0.001",
            "1.",
            ".5",
            "1,00",
            "1e2",
            "abc",
            "--1",
            "+1",
            " 1",
            "99999999999999999999",
        ] {
            assert_eq!(parse_fen(bad), None, "{bad}");
        }
        for fen in [0, 1, 10, 99, 100, 123456, -1, -250] {
            assert_eq!(parse_fen(&format_yuan(fen)), Some(fen));
        }
        assert_eq!(format_yuan(1), "0.01");
        assert_eq!(format_yuan(-250), "-2.50");
    }

    #[test]
    fn gzip_round_trips_and_a_bomb_is_limited() {
        let data = "交易时间\r\n".repeat(1000);
        assert_eq!(
            gunzip(&gzip(data.as_bytes()), 1 << 20).unwrap(),
            data.as_bytes()
        );
        assert!(gunzip(&gzip(data.as_bytes()), 100).is_err());
        assert!(gunzip(b"not gzip", 100).is_err());
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    #[test]
    fn times_are_china_time() {
        let t = parse_time("2026-01-02 08:00:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-01-02T08:00:00+08:00");
        assert_eq!(t.timestamp(), 1767312000);
        assert!(parse_time("2026-13-02 08:00:00").is_none());
        assert!(parse_time("2026-01-02T08:00:00").is_none());
    }
}

//! Trade bills (对账单), shared by API v2 (`/pay/downloadbill`) and v3
//! (`/v3/bill/tradebill`): types, a streaming parser, hashing and gzip.
//!
//! The file: an optional UTF-8 BOM, CRLF (or LF) lines, a header row, one
//! detail row per transaction or refund whose every field starts with a
//! backtick, then a summary header (`总交易单数,...`) and one summary row.
//! Amounts of money are yuan and become integer fen, exactly (a sub-fen
//! amount is an error). Fees, which WeChat publishes below the fen
//! (`0.06000`, `6e-05`), stay exact [`Decimal`] yuan, and rates (`0.60%`)
//! exact percentages; nothing goes through a float. Anything else — a wrong field count, a bad amount or time, a missing
//! summary, totals that disagree with the rows — is an error naming the
//! line, never a skipped row.

mod columns;
mod download;
mod money;
mod parse;
mod row;
mod summary;

pub use columns::{ALL_COLUMNS, REFUND_COLUMNS, SUCCESS_COLUMNS, SUMMARY_COLUMNS};
pub use download::{gunzip, gzip, sha1_hex};
pub use money::{Decimal, format_yuan, parse_count, parse_decimal, parse_fen, parse_percent};
pub use parse::{BillReader, parse};
pub use row::{BillRefund, BillRow};
pub use summary::BillSummary;

use chrono::FixedOffset;

/// Which bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
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

/// A bill, or WeChat's word that there is none for that day (v2 "No Bill
/// Exist", v3 `NO_STATEMENT_EXIST`): not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillOutcome<T> {
    /// The bill (or where to get it).
    Bill(T),
    /// Nothing happened that day.
    NoBill,
}

/// A whole parsed bill.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
#[non_exhaustive]
pub enum BillError {
    /// A line is malformed.
    #[error("bill line {line}: {reason}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The summary's fee total (yuan) disagrees with the rows' fees.
    #[error("bill summary 手续费总金额 is {summary} but the rows' fees add up to {rows}")]
    FeeMismatch {
        /// What the summary says.
        summary: Decimal,
        /// The exact sum of the rows' fees.
        rows: Decimal,
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

/// China Standard Time (UTC+8, no daylight saving since 1991): the
/// Asia/Shanghai day of a bill.
pub const CHINA_TIME: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

//! The summary row: running totals over the detail rows, and the check of
//! what the summary says against them.

use super::BillError;
use super::columns::{SUMMARY_COLUMNS, backtick_fields};
use super::money::{Decimal, parse_count, parse_decimal, parse_fen};
use super::parse::BillReader;
use super::row::BillRow;
use std::io::BufRead;

/// The summary row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BillSummary {
    /// 总交易单数: detail rows.
    pub count: u64,
    /// 应结订单总金额, fen.
    pub settlement_total: i64,
    /// 退款总金额, fen.
    pub refund_total: i64,
    /// 充值券退款总金额, fen.
    pub recharge_coupon_refund_total: i64,
    /// 手续费总金额, yuan: the exact sum of the rows' fees.
    pub fee_total: Decimal,
    /// 订单总金额, fen.
    pub order_total: i64,
    /// 申请退款总金额, fen.
    pub requested_refund_total: i64,
}

impl BillSummary {
    /// The amounts in fen, named by their summary column.
    fn fen_amounts_mut(&mut self) -> [(&'static str, &mut i64); 5] {
        [
            (SUMMARY_COLUMNS[1], &mut self.settlement_total),
            (SUMMARY_COLUMNS[2], &mut self.refund_total),
            (SUMMARY_COLUMNS[3], &mut self.recharge_coupon_refund_total),
            (SUMMARY_COLUMNS[5], &mut self.order_total),
            (SUMMARY_COLUMNS[6], &mut self.requested_refund_total),
        ]
    }

    fn fen_amounts(&self) -> [(&'static str, i64); 5] {
        self.clone().fen_amounts_mut().map(|(name, v)| (name, *v))
    }
}

/// The fee column of the summary.
const FEE_COLUMN: &str = SUMMARY_COLUMNS[4];

impl BillRow {
    /// This row as a summary of itself: what it adds to each total.
    fn as_summary(&self) -> BillSummary {
        let (refund, coupon_refund, requested) = self
            .refund
            .as_ref()
            .map(|r| (r.refund, r.recharge_coupon_refund, r.requested_refund))
            .unwrap_or((0, 0, 0));
        BillSummary {
            count: 1,
            settlement_total: self.settlement_total,
            refund_total: refund,
            recharge_coupon_refund_total: coupon_refund,
            fee_total: self.fee,
            order_total: self.total,
            requested_refund_total: requested,
        }
    }
}

/// Whether the summary's fee total `said` stands for the rows' exact sum.
/// A summary written with fewer decimals than the rows (`0.08` for rows of
/// `0.01000`...) is checked to its own precision, and at least to the fen:
/// within half a unit of its last decimal.
fn fee_total_agrees(said: Decimal, rows: Decimal) -> bool {
    let places = said.scale().max(2);
    let half_unit = Decimal::new(5, places + 1);
    (said - rows).abs() <= half_unit
}

impl<R: BufRead> BillReader<R> {
    /// Adds a detail row to the running totals.
    pub(super) fn add(&mut self, row: &BillRow) -> Result<(), BillError> {
        let row = row.as_summary();
        let mut next = self.totals.clone();
        for ((_, total), (_, amount)) in next.fen_amounts_mut().into_iter().zip(row.fen_amounts()) {
            *total = total
                .checked_add(amount)
                .ok_or_else(|| self.line_err("totals overflow"))?;
        }
        next.fee_total = next
            .fee_total
            .checked_add(row.fee_total)
            .ok_or_else(|| self.line_err("totals overflow"))?;
        self.totals = next;
        self.rows += 1;
        Ok(())
    }

    /// Reads the summary row after its `header` and checks it against the
    /// rows; only blank lines may follow.
    pub(super) fn read_summary(&mut self, header: &str) -> Result<(), BillError> {
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
        let count = parse_count(count_text)
            .ok_or_else(|| self.line_err(format!("总交易单数 {count_text:?} is not a count")))?;
        if count != self.rows {
            return Err(BillError::SummaryMismatch {
                field: SUMMARY_COLUMNS[0],
                summary: i64::try_from(count).unwrap_or(i64::MAX),
                rows: i64::try_from(self.rows).unwrap_or(i64::MAX),
            });
        }
        // A column the summary lacks is taken from the rows.
        for (name, rows) in self.totals.fen_amounts() {
            let Some(text) = value(name) else {
                continue;
            };
            let said = parse_fen(text)
                .ok_or_else(|| self.line_err(format!("{name} {text:?} is not an amount")))?;
            if said != rows {
                return Err(BillError::SummaryMismatch {
                    field: name,
                    summary: said,
                    rows,
                });
            }
        }
        if let Some(text) = value(FEE_COLUMN) {
            let said = parse_decimal(text)
                .ok_or_else(|| self.line_err(format!("{FEE_COLUMN} {text:?} is not a number")))?;
            let rows = self.totals.fee_total;
            if !fee_total_agrees(said, rows) {
                return Err(BillError::FeeMismatch {
                    summary: said,
                    rows,
                });
            }
        }
        // Only blank lines may follow.
        while let Some(rest) = self.read_line()? {
            if !rest.trim().is_empty() {
                return Err(self.line_err("text after the summary"));
            }
        }
        // Every amount the summary states equals the rows' total, which
        // is what is kept (the fees to the last decimal).
        self.summary = Some(BillSummary {
            count,
            ..self.totals.clone()
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        parse_decimal(s).unwrap()
    }

    #[test]
    fn a_fee_total_is_checked_to_its_own_precision_and_at_least_to_the_fen() {
        assert!(fee_total_agrees(dec("0.00012"), dec("0.00012")));
        assert!(!fee_total_agrees(dec("0.00012"), dec("0.00013")));
        assert!(fee_total_agrees(dec("0.08"), dec("0.08000")));
        assert!(fee_total_agrees(dec("0.08"), dec("0.08400")));
        assert!(!fee_total_agrees(dec("0.08"), dec("0.08600")));
        assert!(!fee_total_agrees(dec("0.08"), dec("0.09")));
        // "0" says no more than "0.00".
        assert!(fee_total_agrees(dec("0"), dec("0.00012")));
        assert!(!fee_total_agrees(dec("0"), dec("0.01")));
        assert!(fee_total_agrees(dec("-0.06"), dec("-0.06000")));
    }
}

//! The summary row: running totals over the detail rows, and the check of
//! what the summary says against them.

use super::BillError;
use super::columns::{SUMMARY_COLUMNS, backtick_fields};
use super::money::parse_fen;
use super::parse::BillReader;
use super::row::BillRow;
use std::io::BufRead;

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

impl BillSummary {
    /// The amounts, in the order of [`SUMMARY_COLUMNS`] after the count.
    fn amounts_mut(&mut self) -> [&mut i64; 6] {
        [
            &mut self.settlement_total,
            &mut self.refund_total,
            &mut self.recharge_coupon_refund_total,
            &mut self.fee_total,
            &mut self.order_total,
            &mut self.requested_refund_total,
        ]
    }

    fn amounts(&self) -> [i64; 6] {
        self.clone().amounts_mut().map(|v| *v)
    }
}

impl BillRow {
    /// What this row adds to each summary amount, in summary order.
    fn amounts(&self) -> [i64; 6] {
        let (refund, coupon_refund, requested) = self
            .refund
            .as_ref()
            .map(|r| (r.refund, r.recharge_coupon_refund, r.requested_refund))
            .unwrap_or((0, 0, 0));
        [
            self.settlement_total,
            refund,
            coupon_refund,
            self.fee,
            self.total,
            requested,
        ]
    }
}

impl<R: BufRead> BillReader<R> {
    /// Adds a detail row to the running totals.
    pub(super) fn add(&mut self, row: &BillRow) -> Result<(), BillError> {
        let mut next = self.totals.clone();
        for (total, amount) in next.amounts_mut().into_iter().zip(row.amounts()) {
            *total = total
                .checked_add(amount)
                .ok_or_else(|| self.line_err("totals overflow"))?;
        }
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
        for (name, rows) in SUMMARY_COLUMNS[1..]
            .iter()
            .copied()
            .zip(self.totals.amounts())
        {
            // A column the summary lacks is taken from the rows.
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
        // Only blank lines may follow.
        while let Some(rest) = self.read_line()? {
            if !rest.trim().is_empty() {
                return Err(self.line_err("text after the summary"));
            }
        }
        // Every amount the summary states equals the rows' total.
        self.summary = Some(BillSummary {
            count,
            ..self.totals.clone()
        });
        Ok(())
    }
}

//! Every fen accounted for: a day's trade bill from WeChat compared with the
//! shop's books. A payment WeChat has and the shop does not is recorded the
//! way a notification would be (one transition, an event saying it came
//! from the reconciliation); refund outcomes are settled the same way;
//! everything else that differs is reported for a person. The report is
//! stored per day; running a day again records nothing twice.

mod job;
mod matching;

pub use job::{DailyReconciliation, run_daily};
pub use matching::{Difference, Row};

use crate::ShopError;
use crate::orders::Orders;
use crate::payments::BillOutcome;
use crate::store::{HeldPayment, Payment, ReconciliationStore, ReportRecord, RunResult};
use chrono::{DateTime, Days, FixedOffset, NaiveDate, TimeDelta, Utc};
use letao_domain::order::PaymentSource;
use letao_domain::reconciliation::ReconcileState;
use matching::{PaymentVerdict, RefundVerdict, judge_held, judge_payment, judge_refund, missing};
use std::collections::HashMap;
use std::sync::Arc;
use wechat_pay::bill::{BillReader, BillType};

/// Rows looked up in the database at once.
const LOOKUP_BATCH: usize = 500;
/// A payment recorded (by the shop) this close to midnight, without
/// WeChat's own time, may be in the next day's bill: not reported missing.
const CUT_OFF: TimeDelta = TimeDelta::minutes(10);

/// Where the bill comes from.
#[derive(Debug, Clone)]
pub enum BillSource {
    /// Downloaded from WeChat Pay (SHA1-checked).
    Fetch,
    /// A bill already downloaded (the `ALL` bill, as WeChat sends it).
    File(Vec<u8>),
    /// The same, in a file read as it is matched (never whole in memory).
    Path(std::path::PathBuf),
}

/// A day's reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The day (China time).
    pub date: NaiveDate,
    /// Where it stands.
    pub state: ReconcileState,
    /// Rows matched, payments recorded from the bill included.
    pub matched: i32,
    /// Payments and refund outcomes recorded from the bill, over all runs.
    pub recovered: i32,
    /// Rows in the bill.
    pub bill_rows: i32,
    /// What a person must look at.
    pub differences: Vec<Difference>,
    /// Why the daily job has not finished it (waiting or failed).
    pub error: Option<String>,
}

impl Report {
    fn from_record(date: NaiveDate, r: ReportRecord) -> Report {
        Report {
            date,
            state: r.state,
            matched: r.matched,
            recovered: r.recovered,
            bill_rows: r.bill_rows,
            differences: serde_json::from_str(&r.differences).unwrap_or_default(),
            error: r.error,
        }
    }
}

/// China time, in which WeChat's days and times are counted.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

use chrono::Offset as _;

/// The day `now` falls on in China.
pub fn china_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&china()).date_naive()
}

/// The daily reconciliation of the shop's books with WeChat's bill.
pub struct Reconciler {
    orders: Arc<Orders>,
    books: Arc<dyn ReconciliationStore>,
}

impl Reconciler {
    /// The reconciler of the order lifecycle's payments, keeping its
    /// reports in `books`.
    pub fn new(orders: Arc<Orders>, books: Arc<dyn ReconciliationStore>) -> Reconciler {
        Reconciler { orders, books }
    }

    /// A stored report.
    pub async fn reconciliation(&self, date: NaiveDate) -> Result<Option<Report>, ShopError> {
        Ok(self
            .books
            .reconciliation(&date.to_string())
            .await?
            .map(|r| Report::from_record(date, r)))
    }

    /// Reconciles `date` (a past day, since the shop's first order) with
    /// its bill, and stores the report. `NotReady` when WeChat has no bill
    /// for a day on which the shop holds payments (it is not out yet).
    pub async fn reconcile(
        &self,
        date: NaiveDate,
        source: BillSource,
    ) -> Result<Report, ShopError> {
        self.check_day(date).await?;
        let bill = match source {
            BillSource::File(bytes) => Some(Bill::Bytes(bytes)),
            BillSource::Path(path) => Some(Bill::Path(path)),
            BillSource::Fetch => match self.orders.gateway.trade_bill(date).await {
                Ok(BillOutcome::Bill(bytes)) => Some(Bill::Bytes(bytes)),
                Ok(BillOutcome::NoBill) => None,
                Err(e) => return Err(ShopError::Bill(e.message)),
            },
        };
        // Read the whole bill once first: a malformed or truncated file
        // records nothing. The rows are not kept: the second reading
        // matches them one by one, so memory holds the shop's payments of
        // the day and the rows it has to look up, not the whole bill.
        let bill_rows = match &bill {
            Some(bill) => bill.rows(|_| {})?,
            None => 0,
        };
        let mut held = self.held_on(date).await?;
        if bill.is_none() && !held.is_empty() {
            return Err(ShopError::NotReady(format!(
                "WeChat has no bill for {date} yet, but the shop holds {} payments of that day",
                held.len()
            )));
        }
        let mut run = Run::default();
        let mut unseen: Vec<Row> = Vec::new();
        let mut refunds: Vec<Row> = Vec::new();
        if let Some(bill) = &bill {
            bill.rows(|row| {
                if row.refund.is_some() {
                    refunds.push(row);
                    return;
                }
                match held.remove(&row.out_trade_no) {
                    Some(h) => run.payment(judge_held(&row, &h)),
                    None => unseen.push(row),
                }
            })?;
        }
        drop(bill);
        let (unseen, refunds): (Vec<&Row>, Vec<&Row>) =
            (unseen.iter().collect(), refunds.iter().collect());
        for batch in unseen.chunks(LOOKUP_BATCH) {
            self.payments_not_held(batch, &mut run).await?;
        }
        for batch in refunds.chunks(LOOKUP_BATCH) {
            self.refund_rows(batch, &mut run).await?;
        }
        let mut left: Vec<HeldPayment> = held.into_values().collect();
        left.sort_by(|a, b| a.out_trade_no.cmp(&b.out_trade_no));
        let day_end = day_start(date + Days::new(1));
        for h in left {
            let near_midnight =
                h.time_end.is_none() && h.paid_at.is_some_and(|t| day_end - t < CUT_OFF);
            if !near_midnight {
                run.differences.push(missing(&h));
            }
        }
        let differences = serde_json::to_string(&run.differences)
            .map_err(|e| ShopError::Internal(Box::new(e)))?;
        let bill_rows = i32::try_from(bill_rows).unwrap_or(i32::MAX);
        self.books
            .save_reconciliation(
                &date.to_string(),
                &RunResult {
                    matched: run.matched,
                    recovered: run.recovered,
                    bill_rows,
                    differences: &differences,
                },
                self.orders.clock.now(),
            )
            .await?;
        tracing::info!(%date, matched = run.matched, recovered = run.recovered, differences = run.differences.len(), "reconciled with the trade bill");
        self.reconciliation(date)
            .await?
            .ok_or_else(|| ShopError::internal("the report vanished"))
    }

    /// Refuses days the bill cannot cover: today or later (the bill comes
    /// out the next morning), or before the shop's first order.
    async fn check_day(&self, date: NaiveDate) -> Result<(), ShopError> {
        let today = china_today(self.orders.clock.now());
        if date >= today {
            return Err(ShopError::InvalidDate(format!(
                "{date} is not over yet in China (today is {today})"
            )));
        }
        let first = self.books.first_order_at().await?.map(china_today);
        match first {
            Some(first) if date >= first => Ok(()),
            Some(first) => Err(ShopError::InvalidDate(format!(
                "{date} is before the shop's first order ({first})"
            ))),
            None => Err(ShopError::InvalidDate(
                "the shop has no orders yet".to_owned(),
            )),
        }
    }

    /// The payments the shop holds for `date`, by order number.
    async fn held_on(&self, date: NaiveDate) -> Result<HashMap<String, HeldPayment>, ShopError> {
        let day = date.format("%Y%m%d").to_string();
        let held = self
            .books
            .held_payments(
                &format!("{day}000000"),
                &format!("{day}235959"),
                day_start(date),
                day_start(date + Days::new(1)),
            )
            .await?;
        Ok(held
            .into_iter()
            .map(|h| (h.out_trade_no.clone(), h))
            .collect())
    }

    /// Payment rows for orders the shop does not hold as paid that day.
    async fn payments_not_held(&self, rows: &[&Row], run: &mut Run) -> Result<(), ShopError> {
        let nos: Vec<&str> = rows.iter().map(|r| r.out_trade_no.as_str()).collect();
        let orders: HashMap<String, crate::store::OrderRecord> = self
            .books
            .orders_by_nos(&nos)
            .await?
            .into_iter()
            .map(|o| (o.out_trade_no.clone(), o))
            .collect();
        for row in rows {
            match judge_payment(row, orders.get(&row.out_trade_no)) {
                PaymentVerdict::Record => {
                    let payment = Payment {
                        out_trade_no: &row.out_trade_no,
                        transaction_id: &row.transaction_id,
                        total: row.total,
                        bank_type: None,
                        time_end: Some(&row.time_end),
                        cash: None,
                        openid: None,
                        source: PaymentSource::Reconciliation,
                    };
                    let outcome = self
                        .orders
                        .store
                        .record_payment(&payment, self.orders.clock.now())
                        .await?;
                    if outcome == crate::store::Recorded::Paid {
                        crate::orders::payment_recorded(PaymentSource::Reconciliation);
                    }
                    tracing::warn!(out_trade_no = %row.out_trade_no, ?outcome, "payment recovered from the trade bill");
                    run.matched += 1;
                    run.recovered += 1;
                }
                verdict => run.payment(verdict),
            }
        }
        Ok(())
    }

    /// Refund rows: settled when the shop still waits for their outcome.
    async fn refund_rows(&self, rows: &[&Row], run: &mut Run) -> Result<(), ShopError> {
        let nos: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.refund.as_ref().map(|(no, _, _)| no.as_str()))
            .collect();
        let refunds: HashMap<String, crate::store::RefundRecord> = self
            .books
            .refunds_by_nos(&nos)
            .await?
            .into_iter()
            .map(|r| (r.out_refund_no.clone(), r))
            .collect();
        for row in rows {
            let Some((no, amount, status)) = &row.refund else {
                continue;
            };
            match judge_refund(row, no, *amount, status, refunds.get(no)) {
                RefundVerdict::Matched => run.matched += 1,
                RefundVerdict::Settle(event) => {
                    self.orders
                        .store
                        .settle_refund(no, event, None, self.orders.clock.now())
                        .await?;
                    run.matched += 1;
                    run.recovered += 1;
                }
                RefundVerdict::Differs(d) => run.differences.push(d),
            }
        }
        Ok(())
    }
}

/// The tally of one run.
#[derive(Default)]
struct Run {
    matched: i32,
    recovered: i32,
    differences: Vec<Difference>,
}

impl Run {
    fn payment(&mut self, verdict: PaymentVerdict) {
        match verdict {
            PaymentVerdict::Matched => self.matched += 1,
            PaymentVerdict::Differs(d) => self.differences.push(d),
            // Decided by the caller, who records it.
            PaymentVerdict::Record => {}
        }
    }
}

/// Midnight starting `date` in China, as UTC.
fn day_start(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(china()).single())
        .map_or(DateTime::UNIX_EPOCH, |t| t.with_timezone(&Utc))
}

/// A trade bill to read.
enum Bill {
    /// In memory (downloaded, or given whole).
    Bytes(Vec<u8>),
    /// In a file.
    Path(std::path::PathBuf),
}

impl Bill {
    /// Reads every row of the `ALL` bill in turn into `each`; any
    /// malformed line fails the whole file, as does a missing summary.
    /// Returns how many rows there were.
    fn rows(&self, each: impl FnMut(Row)) -> Result<usize, ShopError> {
        match self {
            Bill::Bytes(bytes) => read_bill(bytes.as_slice(), each),
            Bill::Path(path) => {
                let file = std::fs::File::open(path)
                    .map_err(|e| ShopError::Bill(format!("cannot read {}: {e}", path.display())))?;
                read_bill(std::io::BufReader::new(file), each)
            }
        }
    }
}

fn read_bill(input: impl std::io::BufRead, mut each: impl FnMut(Row)) -> Result<usize, ShopError> {
    let mut reader =
        BillReader::new(input, BillType::All).map_err(|e| ShopError::Bill(e.to_string()))?;
    let mut rows = 0;
    while let Some(row) = reader
        .next_row()
        .map_err(|e| ShopError::Bill(e.to_string()))?
    {
        each(Row::of(&row));
        rows += 1;
    }
    if reader.summary().is_none() {
        return Err(ShopError::Bill(
            "the bill has no summary (truncated?)".into(),
        ));
    }
    Ok(rows)
}

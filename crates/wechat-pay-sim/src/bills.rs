//! Trade bills built from the order book, in WeChat's file format.

use crate::china_time::{day, plain};
use crate::{SimConfig, SimOrder};
use chrono::NaiveDate;
use wechat_pay::BillType;
use wechat_pay::bill::{Decimal, SUMMARY_COLUMNS, format_yuan};

/// WeChat's 0.6% fee, rounded half up to the fen.
fn fee(fen: i64) -> i64 {
    (fen * 6 + 500) / 1000
}

/// A row's fee as current bills write it: yuan with five decimals
/// (`0.16000`), though it is a whole number of fen.
fn row_fee(fen: i64) -> String {
    format!("{:.5}", Decimal::new(fen, 2))
}

struct Totals {
    count: u64,
    settlement: i64,
    refund: i64,
    fee: i64,
    order: i64,
    requested: i64,
}

/// The bill of `date` (China time): CRLF lines, a header, backtick rows and
/// the summary. `None` when nothing was paid or refunded that day.
pub(crate) fn build(
    config: &SimConfig,
    orders: &[SimOrder],
    date: NaiveDate,
    bill_type: BillType,
) -> Option<String> {
    let payments: Vec<&SimOrder> = orders
        .iter()
        .filter(|o| o.paid_at.is_some_and(|t| day(t) == date))
        .collect();
    let refunds: Vec<(&SimOrder, &crate::SimRefund)> = orders
        .iter()
        .flat_map(|o| o.refunds.iter().map(move |r| (o, r)))
        .filter(|(_, r)| day(r.created_at) == date)
        .collect();
    if payments.is_empty() && refunds.is_empty() {
        return None;
    }
    let mut out = bill_type.columns().join(",");
    out.push_str("\r\n");
    let mut t = Totals {
        count: 0,
        settlement: 0,
        refund: 0,
        fee: 0,
        order: 0,
        requested: 0,
    };
    let mut push = |fields: Vec<String>| {
        let line: Vec<String> = fields.into_iter().map(|f| format!("`{f}")).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    };
    let common = |o: &SimOrder, state: &str, settlement: i64| -> Vec<String> {
        vec![
            o.appid.clone(),
            config.mch_id.clone(),
            "0".into(),
            String::new(),
            o.transaction_id.clone().unwrap_or_default(),
            o.out_trade_no.clone(),
            o.payer_openid().to_owned(),
            o.trade_type.clone(),
            state.into(),
            "CMC".into(),
            "CNY".into(),
            format_yuan(settlement),
            "0.00".into(),
        ]
    };
    if bill_type != BillType::Refund {
        for o in &payments {
            let paid_at = o.paid_at.unwrap_or_default();
            let mut f = vec![plain(paid_at)];
            f.extend(common(o, "SUCCESS", o.total_fee));
            if bill_type == BillType::All {
                f.extend(["0", "0", "0.00", "0.00", "", ""].map(String::from));
            }
            f.extend([o.body.clone(), o.attach.clone(), row_fee(fee(o.total_fee))]);
            f.push("0.60%".into());
            f.push(format_yuan(o.total_fee));
            if bill_type == BillType::All {
                f.push("0.00".into());
            }
            f.push(String::new());
            push(f);
            t.count += 1;
            t.settlement += o.total_fee;
            t.fee += fee(o.total_fee);
            t.order += o.total_fee;
        }
    }
    if bill_type != BillType::Success {
        for (o, r) in &refunds {
            let refund_fields = [
                r.refund_id.clone(),
                r.out_refund_no.clone(),
                format_yuan(r.refund_fee),
                "0.00".into(),
                "ORIGINAL".into(),
                r.refund_status.clone(),
            ];
            let mut f = Vec::new();
            if bill_type == BillType::Refund {
                f.push(plain(o.paid_at.unwrap_or(r.created_at)));
                f.extend(common(o, "REFUND", 0));
                f.push(plain(r.created_at));
                f.push(r.success_at.map(plain).unwrap_or_default());
            } else {
                f.push(plain(r.created_at));
                f.extend(common(o, "REFUND", 0));
            }
            f.extend(refund_fields);
            f.extend([
                o.body.clone(),
                o.attach.clone(),
                row_fee(-fee(r.refund_fee)),
            ]);
            f.push("0.60%".into());
            f.push("0.00".into());
            f.push(format_yuan(r.refund_fee));
            f.push(String::new());
            push(f);
            t.count += 1;
            t.refund += r.refund_fee;
            t.fee -= fee(r.refund_fee);
            t.requested += r.refund_fee;
        }
    }
    out.push_str(&SUMMARY_COLUMNS.join(","));
    out.push_str("\r\n");
    let summary = [
        t.count.to_string(),
        format_yuan(t.settlement),
        format_yuan(t.refund),
        "0.00".into(),
        format_yuan(t.fee),
        format_yuan(t.order),
        format_yuan(t.requested),
    ];
    let line: Vec<String> = summary.iter().map(|f| format!("`{f}")).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
    Some(out)
}

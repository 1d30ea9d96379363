//! Orders, refunds and notification attempts held by the simulator.

use crate::Simulator;
use rand::Rng;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use wechat_pay::SignType;

/// Fault injection switches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Extra copies sent, concurrently, with every notification attempt.
    pub duplicate_notifications: u32,
    /// The next this-many paid orders get no notification at all.
    pub drop_next_notifications: u32,
    /// Wait this long before the first notification attempt.
    pub notify_delay_ms: u64,
    /// Share of merchant API calls (0-100) answered with SYSTEMERROR
    /// without doing anything.
    pub systemerror_percent: u8,
}

/// A refund of an order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimRefund {
    /// The merchant's refund number.
    pub out_refund_no: String,
    /// The simulator's refund id.
    pub refund_id: String,
    /// Amount, fen.
    pub refund_fee: i64,
    /// `PROCESSING` then `SUCCESS`.
    pub refund_status: String,
    /// Where the refund notification goes, if anywhere.
    pub notify_url: Option<String>,
}

/// An order as the simulator knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimOrder {
    /// The merchant's order number.
    pub out_trade_no: String,
    /// `body` of the order.
    pub body: String,
    /// Amount, fen.
    pub total_fee: i64,
    /// `product_id`.
    pub product_id: String,
    /// Where the payment notification goes.
    pub notify_url: String,
    /// `attach`, echoed in the notification.
    pub attach: String,
    /// The QR code's content.
    pub code_url: String,
    /// The prepay session.
    pub prepay_id: String,
    /// `NOTPAY`, `SUCCESS`, `CLOSED` or `REFUND`.
    pub trade_state: String,
    /// Set when paid.
    pub transaction_id: Option<String>,
    /// Payment time `yyyyMMddHHmmss`, China time.
    pub time_end: Option<String>,
    /// Refunds, oldest first.
    pub refunds: Vec<SimRefund>,
    /// Seconds left to pay the code_url (0 once expired).
    pub pay_seconds_left: u64,
    #[serde(skip)]
    pub(crate) sign_type: SignType,
    #[serde(skip)]
    pub(crate) pay_until: Option<Instant>,
    #[serde(skip)]
    pub(crate) seq: u64,
}

/// One attempt to deliver a notification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    /// The order.
    pub out_trade_no: String,
    /// `payment` or `refund`.
    pub kind: &'static str,
    /// 0 for the first attempt, then the retry number.
    pub attempt: u32,
    /// Milliseconds since the order was paid (or refunded).
    pub after_ms: u64,
    /// What the merchant answered: `SUCCESS`, `FAIL`, an HTTP status or an error.
    pub outcome: String,
}

pub(crate) struct State {
    pub orders: HashMap<String, SimOrder>,
    pub by_transaction: HashMap<String, String>,
    pub deliveries: Vec<Delivery>,
    pub faults: Faults,
    next_seq: u64,
}

pub(crate) fn random_alnum(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

pub(crate) fn random_digits(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

impl State {
    pub fn new(faults: Faults) -> State {
        State {
            orders: HashMap::new(),
            by_transaction: HashMap::new(),
            deliveries: Vec::new(),
            faults,
            next_seq: 0,
        }
    }

    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    pub fn orders_in_order(&self) -> Vec<SimOrder> {
        let mut list: Vec<SimOrder> = self.orders.values().map(SimOrder::snapshot).collect();
        list.sort_by_key(|o| o.seq);
        list
    }
}

impl SimOrder {
    /// A copy with `pay_seconds_left` filled in.
    pub(crate) fn snapshot(&self) -> SimOrder {
        let mut copy = self.clone();
        copy.pay_seconds_left = self
            .pay_until
            .map(|u| u.saturating_duration_since(Instant::now()).as_secs())
            .unwrap_or(0);
        copy
    }

    pub(crate) fn refunded_total(&self) -> i64 {
        self.refunds.iter().map(|r| r.refund_fee).sum()
    }
}

/// The payer pays `out_trade_no`: NOTPAY with a live code becomes SUCCESS.
pub(crate) fn pay(sim: &Simulator, out_trade_no: &str) -> Result<SimOrder, String> {
    let mut state = sim.state.lock().map_err(|_| "state poisoned".to_owned())?;
    let order = state
        .orders
        .get_mut(out_trade_no)
        .ok_or_else(|| format!("no order {out_trade_no}"))?;
    if order.trade_state != "NOTPAY" {
        return Err(format!("order is {}", order.trade_state));
    }
    if order.pay_until.is_some_and(|u| Instant::now() >= u) {
        return Err("code_url expired".to_owned());
    }
    let transaction_id = format!("4200{}", random_digits(24));
    order.trade_state = "SUCCESS".into();
    order.transaction_id = Some(transaction_id.clone());
    order.time_end = Some(wechat_pay::time_expire(chrono::Utc::now()));
    let paid = order.snapshot();
    state
        .by_transaction
        .insert(transaction_id, out_trade_no.to_owned());
    Ok(paid)
}

pub(crate) fn expires(ttl: Duration, time_expire: Option<&str>) -> Instant {
    let by_ttl = Instant::now() + ttl;
    // time_expire is China time; compare it with China time now.
    let Some(limit) =
        time_expire.and_then(|t| chrono::NaiveDateTime::parse_from_str(t, "%Y%m%d%H%M%S").ok())
    else {
        return by_ttl;
    };
    let now_china = chrono::Utc::now().naive_utc() + chrono::TimeDelta::hours(8);
    let left = (limit - now_china).to_std().unwrap_or(Duration::ZERO);
    by_ttl.min(Instant::now() + left)
}

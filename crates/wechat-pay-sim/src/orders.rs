//! The order book's rules, the same whichever API is asked: placing an
//! order (or getting the same one back), paying, closing and refunding.
//! Each API checks its own request format and words the outcome its way.

use crate::Simulator;
use crate::state::{SimOrder, SimRefund, State};
use crate::{china_time, ids};
use chrono::Utc;
use std::time::{Duration, Instant};
use wechat_pay::SignType;

/// The payer every simulated payment comes from.
pub(crate) const PAYER_OPENID: &str = "oSimulatorPayer0000000000000";

/// Which order a request names.
#[derive(Debug, Clone, Copy)]
pub(crate) enum OrderKey<'a> {
    /// The merchant's order number.
    OutTradeNo(&'a str),
    /// The simulator's transaction id (paid orders only).
    TransactionId(&'a str),
}

/// An order as a merchant asks to place it.
#[derive(Debug, Clone)]
pub(crate) struct NewOrder {
    pub out_trade_no: String,
    pub body: String,
    pub total_fee: i64,
    /// v2's `product_id`; v3 has none, and a repeat is matched without it.
    pub product_id: Option<String>,
    pub notify_url: String,
    pub attach: String,
    /// `v2` or `v3`.
    pub api: &'static str,
    /// What v2 notifications are signed with.
    pub sign_type: SignType,
    /// `yyyyMMddHHmmss`, China time.
    pub time_expire: Option<String>,
    /// `NATIVE`, `JSAPI`, `MWEB` or `APP`.
    pub trade_type: &'static str,
    /// The appid the order names.
    pub appid: String,
    /// JSAPI: the buyer.
    pub openid: Option<String>,
    /// H5: the buyer's address.
    pub payer_client_ip: Option<String>,
    /// H5: where the cashier page is served (`http://host`).
    pub cashier_base: Option<String>,
}

/// Why an order cannot be placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlaceError {
    /// The number belongs to a paid order.
    Paid,
    /// The number belongs to a closed order.
    Closed,
    /// The number belongs to an order with other content.
    NumberUsed,
}

/// Why an order cannot be closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CloseError {
    NoOrder,
    Paid,
    /// Closed already.
    Closed,
}

/// A refund as a merchant asks for it.
#[derive(Debug, Clone)]
pub(crate) struct RefundAsk {
    pub out_refund_no: String,
    pub refund_fee: i64,
    /// What the merchant says the order's total is.
    pub total_fee: i64,
    pub notify_url: Option<String>,
    /// Asked over v3 (and so notified over v3).
    pub v3: bool,
}

/// Why a refund is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefundError {
    NoOrder,
    NotPaid,
    /// The refund number was used before for another amount.
    NumberReused,
    /// The total is not the order's.
    WrongTotal,
    /// More than what is left to refund (or nothing).
    TooMuch,
}

/// A refund accepted: a new one, or the same one asked again.
#[derive(Debug, Clone)]
pub(crate) struct Refunded {
    pub order: SimOrder,
    pub refund: SimRefund,
    pub new: bool,
}

impl State {
    /// The order `key` names.
    pub(crate) fn order_mut(&mut self, key: OrderKey<'_>) -> Option<&mut SimOrder> {
        let no = match key {
            OrderKey::OutTradeNo(no) => no.to_owned(),
            OrderKey::TransactionId(id) => self.by_transaction.get(id)?.clone(),
        };
        self.orders.get_mut(&no)
    }

    /// Places `new` payable for `code_url_ttl` (or until its own expiry,
    /// if sooner). Placing the same order again gives it back unchanged,
    /// as WeChat answers a repeat with the same code.
    pub(crate) fn place(
        &mut self,
        code_url_ttl: Duration,
        new: NewOrder,
    ) -> Result<SimOrder, PlaceError> {
        if let Some(existing) = self.orders.get(&new.out_trade_no) {
            let same = existing.body == new.body
                && existing.total_fee == new.total_fee
                && existing.trade_type == new.trade_type
                && existing.appid == new.appid
                && existing.openid == new.openid
                && existing.payer_client_ip == new.payer_client_ip
                && new
                    .product_id
                    .as_ref()
                    .is_none_or(|p| *p == existing.product_id);
            return match existing.trade_state.as_str() {
                "SUCCESS" | "REFUND" => Err(PlaceError::Paid),
                "CLOSED" => Err(PlaceError::Closed),
                _ if !same => Err(PlaceError::NumberUsed),
                _ => Ok(existing.clone()),
            };
        }
        let seq = self.next_seq();
        let prepay_id = ids::prepay_id();
        let h5_url = new.cashier_base.as_ref().map(|base| {
            format!(
                "{base}/sim/h5/cashier?prepay_id={prepay_id}&package={}",
                wechat_pay::nonce_str()
            )
        });
        let order = SimOrder {
            out_trade_no: new.out_trade_no,
            body: new.body,
            total_fee: new.total_fee,
            product_id: new.product_id.unwrap_or_default(),
            notify_url: new.notify_url,
            attach: new.attach,
            code_url: ids::code_url(),
            prepay_id,
            trade_state: "NOTPAY".into(),
            transaction_id: None,
            time_end: None,
            refunds: Vec::new(),
            api: new.api,
            trade_type: new.trade_type.to_owned(),
            appid: new.appid,
            openid: new.openid,
            payer_client_ip: new.payer_client_ip,
            h5_url,
            paid_at: None,
            pay_seconds_left: 0,
            sign_type: new.sign_type,
            pay_until: Some(expires(code_url_ttl, new.time_expire.as_deref())),
            seq,
            created_at: self.now(),
        };
        self.orders
            .insert(order.out_trade_no.clone(), order.clone());
        Ok(order)
    }

    /// The order of a prepay session.
    pub(crate) fn by_prepay_id(&mut self, prepay_id: &str) -> Option<&mut SimOrder> {
        self.orders.values_mut().find(|o| o.prepay_id == prepay_id)
    }

    /// Closes an unpaid order; it can no longer be paid.
    pub(crate) fn close(&mut self, out_trade_no: &str) -> Result<(), CloseError> {
        let order = self
            .orders
            .get_mut(out_trade_no)
            .ok_or(CloseError::NoOrder)?;
        match order.trade_state.as_str() {
            "SUCCESS" | "REFUND" => Err(CloseError::Paid),
            "CLOSED" => Err(CloseError::Closed),
            _ => {
                order.trade_state = "CLOSED".into();
                order.pay_until = Some(Instant::now());
                Ok(())
            }
        }
    }
}

/// Starts a refund of the order `key` names: `PROCESSING` now, finished
/// (and notified) a moment later in the background. The same refund asked
/// again gets the same answer and starts nothing.
pub(crate) fn start_refund(
    sim: &Simulator,
    state: &mut State,
    key: OrderKey<'_>,
    ask: RefundAsk,
) -> Result<Refunded, RefundError> {
    let now = state.now();
    let order = state.order_mut(key).ok_or(RefundError::NoOrder)?;
    if order.transaction_id.is_none() {
        return Err(RefundError::NotPaid);
    }
    if let Some(previous) = order
        .refunds
        .iter()
        .find(|r| r.out_refund_no == ask.out_refund_no)
    {
        return if previous.refund_fee == ask.refund_fee {
            Ok(Refunded {
                order: order.clone(),
                refund: previous.clone(),
                new: false,
            })
        } else {
            Err(RefundError::NumberReused)
        };
    }
    if ask.total_fee != order.total_fee {
        return Err(RefundError::WrongTotal);
    }
    if ask.refund_fee <= 0 || ask.refund_fee + order.refunded_total() > order.total_fee {
        return Err(RefundError::TooMuch);
    }
    let refund = SimRefund {
        out_refund_no: ask.out_refund_no,
        refund_id: ids::refund_id(),
        refund_fee: ask.refund_fee,
        refund_status: "PROCESSING".into(),
        notify_url: ask.notify_url.filter(|u| !u.is_empty()),
        created_at: now,
        success_at: None,
        v3: ask.v3,
    };
    order.refunds.push(refund.clone());
    order.trade_state = "REFUND".into();
    crate::notify::complete_refund(sim.clone(), order.out_trade_no.clone(), refund.clone());
    Ok(Refunded {
        order: order.clone(),
        refund,
        new: true,
    })
}

/// The payer pays `out_trade_no`: NOTPAY with a live code becomes SUCCESS.
pub(crate) fn pay(sim: &Simulator, out_trade_no: &str) -> Result<SimOrder, String> {
    let mut state = sim.state.lock().map_err(|_| "state poisoned".to_owned())?;
    let now = state.now();
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
    let transaction_id = ids::transaction_id();
    order.trade_state = "SUCCESS".into();
    order.transaction_id = Some(transaction_id.clone());
    order.time_end = Some(wechat_pay::time_expire(now));
    order.paid_at = Some(now);
    let paid = order.snapshot();
    state
        .by_transaction
        .insert(transaction_id, out_trade_no.to_owned());
    Ok(paid)
}

/// When a code stops being payable: after `ttl`, or at `time_expire`
/// (China time) if sooner.
fn expires(ttl: Duration, time_expire: Option<&str>) -> Instant {
    let by_ttl = Instant::now() + ttl;
    let Some(limit) =
        time_expire.and_then(|t| chrono::NaiveDateTime::parse_from_str(t, "%Y%m%d%H%M%S").ok())
    else {
        return by_ttl;
    };
    let left = (limit - china_time::local(Utc::now()))
        .to_std()
        .unwrap_or(Duration::ZERO);
    by_ttl.min(Instant::now() + left)
}

//! Orders, refunds and notification attempts held by the simulator.

use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::Instant;
use wechat_pay::SignType;
use wechat_pay::v3::{PrivateKey, PublicKey};

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
    /// (v3: HTTP 500 `SYSTEM_ERROR`) without doing anything.
    pub systemerror_percent: u8,
    /// The next this-many v3 notification attempts are sent as
    /// `WECHATPAY/SIGNTEST/` probes, which a correct merchant refuses; the
    /// real notification follows on the retry schedule.
    pub signtest: u32,
    /// v3 responses and notifications carry a timestamp this far off.
    pub clock_skew_secs: i64,
    /// Bills are announced with a wrong SHA1 (v3) or served cut short
    /// before their summary (v2).
    pub corrupt_bills: bool,
    /// The next this-many JSAPI payments through the bridge are cancelled
    /// by the payer (`get_brand_wcpay_request:cancel`); the order stays
    /// unpaid.
    pub jsapi_cancel: u32,
}

impl Faults {
    /// Whether this call is one of the `systemerror_percent` answered with
    /// a system error.
    pub(crate) fn system_error_now(&self) -> bool {
        let pct = self.systemerror_percent.min(100);
        pct > 0 && rand::rng().random_range(0..100u8) < pct
    }
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
    /// When it was asked for (simulator clock).
    pub created_at: DateTime<Utc>,
    /// When it succeeded (simulator clock).
    pub success_at: Option<DateTime<Utc>>,
    /// Requested over v3 (its notification is then v3 too).
    pub v3: bool,
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
    /// `v2` or `v3`: which API created it (and so its notification form).
    pub api: &'static str,
    /// `NATIVE`, `JSAPI`, `MWEB` (H5) or `APP`.
    pub trade_type: String,
    /// The appid it was placed with (the merchant's, or the official
    /// account's for JSAPI).
    pub appid: String,
    /// JSAPI: the buyer the order was placed for.
    pub openid: Option<String>,
    /// H5: the buyer's address the order was placed with.
    pub payer_client_ip: Option<String>,
    /// H5: the cashier page (`mweb_url` / `h5_url`).
    pub h5_url: Option<String>,
    /// When it was paid (simulator clock).
    pub paid_at: Option<DateTime<Utc>>,
    /// Seconds left to pay the code_url (0 once expired).
    pub pay_seconds_left: u64,
    #[serde(skip)]
    pub(crate) sign_type: SignType,
    #[serde(skip)]
    pub(crate) pay_until: Option<Instant>,
    #[serde(skip)]
    pub(crate) seq: u64,
    /// When it was placed (simulator clock).
    #[serde(skip)]
    pub(crate) created_at: DateTime<Utc>,
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

/// A platform certificate the simulator serves (certificate mode).
#[derive(Debug, Clone)]
pub(crate) struct PlatformCert {
    pub key: PrivateKey,
    pub serial: String,
    pub pem: String,
}

impl PlatformCert {
    /// A certificate for `key` with a random 40-digit serial, valid from a
    /// day ago for five years.
    pub fn new(key: PrivateKey) -> Result<PlatformCert, wechat_pay::v3::Error> {
        let serial = crate::ids::certificate_serial();
        let now = Utc::now();
        let pem = wechat_pay::v3::PlatformCertificate::self_signed_pem(
            &key,
            &serial,
            now - TimeDelta::days(1),
            now + TimeDelta::days(5 * 365),
        )?;
        Ok(PlatformCert { key, serial, pem })
    }
}

pub(crate) struct State {
    pub orders: HashMap<String, SimOrder>,
    pub by_transaction: HashMap<String, String>,
    pub deliveries: Vec<Delivery>,
    pub faults: Faults,
    next_seq: u64,
    /// Added to the real time for payment times and bills.
    pub clock_offset: TimeDelta,
    /// The merchant public key v3 requests are verified with.
    pub merchant_public_key: Option<PublicKey>,
    /// Served by `/v3/certificates`, oldest first.
    pub platform_certs: Vec<PlatformCert>,
    /// Which of them signs.
    pub signer: usize,
    /// Bill files by download token: (bytes, gzip).
    pub bill_files: HashMap<String, (Vec<u8>, bool)>,
    /// OAuth codes handed out by the authorize stand-in.
    pub oauth_codes: HashMap<String, crate::oauth::IssuedCode>,
    /// (appid, openid) of every buyer the OAuth stand-in has seen.
    pub openids: std::collections::HashSet<(String, String)>,
}

impl State {
    pub fn new(faults: Faults) -> State {
        State {
            orders: HashMap::new(),
            by_transaction: HashMap::new(),
            deliveries: Vec::new(),
            faults,
            next_seq: 0,
            clock_offset: TimeDelta::zero(),
            merchant_public_key: None,
            platform_certs: Vec::new(),
            signer: 0,
            bill_files: HashMap::new(),
            oauth_codes: HashMap::new(),
            openids: std::collections::HashSet::new(),
        }
    }

    /// The simulator's clock: real time plus the offset set by `/sim/clock`.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_offset
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

    /// Who paid: the JSAPI buyer, or the simulator's payer.
    pub(crate) fn payer_openid(&self) -> &str {
        self.openid
            .as_deref()
            .unwrap_or(crate::orders::PAYER_OPENID)
    }

    pub(crate) fn refunded_total(&self) -> i64 {
        self.refunds.iter().map(|r| r.refund_fee).sum()
    }
}

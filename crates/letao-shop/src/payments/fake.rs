//! A payment gateway that plays WeChat from memory, with scripted failures
//! (feature `test-utils`), for tests of the use cases.

// Test support: a poisoned lock or a missing order is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{
    BillOutcome, GatewayError, GatewayErrorKind, NativeCode, NativeOrder, Notice, PaidFacts,
    PaymentGateway, PaymentNotice, PhoneCode, PhonePay, RefundNotice, RefundOrder, RemoteTrade,
};
use letao_domain::Fen;
use letao_domain::order::RefundEvent;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// What the fake holds for one order.
#[derive(Debug, Clone)]
pub struct FakeOrder {
    /// Its amount.
    pub total: Fen,
    /// The transaction that paid it.
    pub paid: Option<String>,
    /// Closed at WeChat.
    pub closed: bool,
    /// How it is paid: `NATIVE`, or the phone parameters it was opened with.
    pub opened_as: String,
}

/// Orders by number, scripted errors per operation, and every call made.
#[derive(Default)]
pub struct FakeGateway {
    /// Orders by number.
    pub orders: Mutex<HashMap<String, FakeOrder>>,
    /// Failures to give, per operation, in turn.
    pub fail: Mutex<HashMap<&'static str, VecDeque<GatewayErrorKind>>>,
    /// Every call made: `op detail`.
    pub calls: Mutex<Vec<String>>,
    /// Trade bills by day, as WeChat would publish them.
    pub bills: Mutex<HashMap<chrono::NaiveDate, Vec<u8>>>,
}

impl FakeGateway {
    /// The next call of `op` fails with `kind`.
    pub fn fail_next(&self, op: &'static str, kind: GatewayErrorKind) {
        self.fail
            .lock()
            .unwrap()
            .entry(op)
            .or_default()
            .push_back(kind);
    }

    /// The payer pays `no`; the facts a notification or query would carry.
    pub fn pay(&self, no: &str) -> PaidFacts {
        let mut orders = self.orders.lock().unwrap();
        let order = orders.get_mut(no).expect("order at the fake");
        let tx = format!("4200{no}");
        order.paid = Some(tx.clone());
        facts(&tx, order.total)
    }

    fn step(&self, op: &'static str, detail: &str) -> Result<(), GatewayError> {
        self.calls.lock().unwrap().push(format!("{op} {detail}"));
        match self
            .fail
            .lock()
            .unwrap()
            .get_mut(op)
            .and_then(VecDeque::pop_front)
        {
            Some(kind) => Err(GatewayError {
                kind,
                message: format!("scripted {op} failure"),
            }),
            None => Ok(()),
        }
    }

    /// How many calls of `op` were made.
    pub fn count(&self, op: &str) -> usize {
        let prefix = format!("{op} ");
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.starts_with(&prefix))
            .count()
    }
}

/// The facts of a payment by transaction `tx` of `total`.
pub fn facts(tx: &str, total: Fen) -> PaidFacts {
    PaidFacts {
        transaction_id: tx.to_owned(),
        total,
        cash: Some(total),
        bank_type: Some("CFT".into()),
        time_end: None,
        openid: Some("o-payer".into()),
    }
}

/// A notification body the fake "signs": `pay:NO:TX:TOTAL`, `fail:NO`,
/// or `refund:NO:ID:EVENT`; anything else is not genuine.
pub fn body(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}

#[async_trait::async_trait]
impl PaymentGateway for FakeGateway {
    async fn create(&self, order: &NativeOrder) -> Result<NativeCode, GatewayError> {
        self.step("create", &order.out_trade_no)?;
        self.orders.lock().unwrap().insert(
            order.out_trade_no.clone(),
            FakeOrder {
                total: order.total,
                paid: None,
                closed: false,
                opened_as: "NATIVE".into(),
            },
        );
        Ok(NativeCode {
            code_url: format!("weixin://wxpay/bizpayurl?pr={}", order.out_trade_no),
            prepay_id: None,
        })
    }

    async fn create_phone(
        &self,
        order: &NativeOrder,
        pay: &PhonePay,
    ) -> Result<PhoneCode, GatewayError> {
        self.step("create_phone", &order.out_trade_no)?;
        let opened_as = match pay {
            PhonePay::Jsapi { openid } => format!("JSAPI {openid}"),
            PhonePay::H5 { .. } => format!("H5 {}", order.client_ip),
        };
        let mut orders = self.orders.lock().unwrap();
        let known = orders
            .entry(order.out_trade_no.clone())
            .or_insert_with(|| FakeOrder {
                total: order.total,
                paid: None,
                closed: false,
                opened_as: opened_as.clone(),
            });
        if known.opened_as != opened_as {
            return Err(GatewayError {
                kind: GatewayErrorKind::NumberUsed,
                message: "OUT_TRADE_NO_USED".into(),
            });
        }
        let prepay_id = format!("wx{}", order.out_trade_no);
        Ok(match pay {
            PhonePay::Jsapi { .. } => PhoneCode::Jsapi(wechat_pay::JsapiParams::v2(
                "fake-key",
                wechat_pay::SignType::Md5,
                "wx-fake",
                &prepay_id,
                0,
                "nonce",
            )),
            PhonePay::H5 { .. } => PhoneCode::H5 {
                h5_url: format!(
                    "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id={prepay_id}"
                ),
            },
        })
    }

    async fn query(&self, no: &str) -> Result<RemoteTrade, GatewayError> {
        self.step("query", no)?;
        let orders = self.orders.lock().unwrap();
        Ok(match orders.get(no) {
            Some(FakeOrder {
                paid: Some(tx),
                total,
                ..
            }) => RemoteTrade::Paid(facts(tx, *total)),
            Some(FakeOrder { closed: true, .. }) => RemoteTrade::Closed,
            Some(_) => RemoteTrade::Open,
            None => RemoteTrade::Other("ORDERNOTEXIST".into()),
        })
    }

    async fn close(&self, no: &str) -> Result<(), GatewayError> {
        self.step("close", no)?;
        let mut orders = self.orders.lock().unwrap();
        match orders.get_mut(no) {
            Some(o) if o.paid.is_some() => Err(GatewayError {
                kind: GatewayErrorKind::OrderPaid,
                message: "ORDERPAID".into(),
            }),
            Some(o) => {
                o.closed = true;
                Ok(())
            }
            None => Err(GatewayError {
                kind: GatewayErrorKind::OrderGone,
                message: "ORDERNOTEXIST".into(),
            }),
        }
    }

    async fn refund(&self, refund: &RefundOrder) -> Result<String, GatewayError> {
        self.step("refund", &refund.out_refund_no)?;
        Ok(format!("5030{}", refund.out_refund_no))
    }

    async fn payment_notice(&self, notice: &Notice<'_>) -> Result<PaymentNotice, GatewayError> {
        let text = String::from_utf8_lossy(notice.body);
        let parts: Vec<&str> = text.split(':').collect();
        match parts.as_slice() {
            ["pay", no, tx, total] => Ok(PaymentNotice {
                out_trade_no: (*no).to_owned(),
                paid: Some(facts(tx, Fen::new(total.parse().unwrap_or(0)))),
            }),
            ["fail", no] => Ok(PaymentNotice {
                out_trade_no: (*no).to_owned(),
                paid: None,
            }),
            _ => Err(GatewayError {
                kind: GatewayErrorKind::BadNotice,
                message: "bad signature".into(),
            }),
        }
    }

    async fn trade_bill(
        &self,
        date: chrono::NaiveDate,
    ) -> Result<BillOutcome<Vec<u8>>, GatewayError> {
        self.step("bill", &date.to_string())?;
        Ok(match self.bills.lock().unwrap().get(&date) {
            Some(bill) => BillOutcome::Bill(bill.clone()),
            None => BillOutcome::NoBill,
        })
    }

    async fn refund_notice(&self, notice: &Notice<'_>) -> Result<RefundNotice, GatewayError> {
        let text = String::from_utf8_lossy(notice.body);
        let parts: Vec<&str> = text.split(':').collect();
        match parts.as_slice() {
            ["refund", no, id, "SUCCESS"] => Ok(RefundNotice {
                out_refund_no: (*no).to_owned(),
                refund_id: (*id).to_owned(),
                event: RefundEvent::Succeeded,
            }),
            _ => Err(GatewayError {
                kind: GatewayErrorKind::BadNotice,
                message: "bad notice".into(),
            }),
        }
    }
}

//! The operations of API v3 (each also as a sans-IO [`Call`]), and the
//! paths they use.

use super::call::{self, Call};
use super::client::Client;
use super::error::Error;
use super::phone::{
    AppOrder, H5Order, H5OrderBody, H5Prepay, JsapiOrder, JsapiOrderBody, OrderDetails, Prepay,
};
use super::transport::api_error;
use super::types::{
    NativeOrder, NativePrepay, RefundBody, RefundOrder, RefundReply, RefundRequest,
    RefundRequestAmount, TradeBill, TradeBillRequest, Transaction,
};
use super::verifier::HttpReply;
use crate::bill::{self, BillOutcome};

/// The Native-payment operations of API v3. Blocking: call from a blocking
/// thread. Every reply is verified before it is read.
pub trait Api: Send + Sync {
    /// `POST /v3/pay/transactions/native`.
    fn create_native(&self, order: &NativeOrder) -> Result<NativePrepay, Error>;
    /// `GET /v3/pay/transactions/out-trade-no/{no}?mchid=`.
    fn query_by_out_trade_no(&self, out_trade_no: &str) -> Result<Transaction, Error>;
    /// `GET /v3/pay/transactions/id/{id}?mchid=`.
    fn query_by_transaction_id(&self, transaction_id: &str) -> Result<Transaction, Error>;
    /// `POST /v3/pay/transactions/out-trade-no/{no}/close` (204).
    fn close(&self, out_trade_no: &str) -> Result<(), Error>;
    /// `POST /v3/refund/domestic/refunds`.
    fn refund(&self, refund: &RefundRequest) -> Result<RefundReply, Error>;
    /// `GET /v3/refund/domestic/refunds/{out_refund_no}`.
    fn query_refund(&self, out_refund_no: &str) -> Result<RefundReply, Error>;
    /// `GET /v3/bill/tradebill`; `NO_STATEMENT_EXIST` is [`BillOutcome::NoBill`].
    fn trade_bill(&self, request: &TradeBillRequest) -> Result<BillOutcome<TradeBill>, Error>;
    /// Downloads a bill (unsigned by WeChat's rule), checks its SHA1 and
    /// decompresses it when gzipped.
    fn download_bill(&self, bill: &TradeBill) -> Result<Vec<u8>, Error>;
    /// `POST /v3/pay/transactions/jsapi` (the buyer's `payer.openid`):
    /// the `prepay_id` for [`Client::jsapi_params`]. The default refuses,
    /// so existing implementations of this trait keep compiling.
    fn create_jsapi(&self, order: &JsapiOrder) -> Result<Prepay, Error> {
        let _ = order;
        Err(unsupported("create_jsapi"))
    }
    /// `POST /v3/pay/transactions/h5` (`scene_info`): the cashier's
    /// `h5_url`. The default refuses.
    fn create_h5(&self, order: &H5Order) -> Result<H5Prepay, Error> {
        let _ = order;
        Err(unsupported("create_h5"))
    }
    /// `POST /v3/pay/transactions/app`: the `prepay_id` for
    /// [`Client::app_params`]. The default refuses.
    fn create_app(&self, order: &AppOrder) -> Result<Prepay, Error> {
        let _ = order;
        Err(unsupported("create_app"))
    }
    /// [`Api::trade_bill`] then [`Api::download_bill`]: the bill's bytes.
    fn bill(&self, request: &TradeBillRequest) -> Result<BillOutcome<Vec<u8>>, Error> {
        match self.trade_bill(request)? {
            BillOutcome::NoBill => Ok(BillOutcome::NoBill),
            BillOutcome::Bill(link) => Ok(BillOutcome::Bill(self.download_bill(&link)?)),
        }
    }
}

fn unsupported(what: &str) -> Error {
    Error::Config(format!("{what} is not supported by this implementation"))
}

/// Bill downloads larger than this are refused (compressed or not).
pub const MAX_BILL_BYTES: u64 = 512 * 1024 * 1024;

/// Order and refund numbers go into URL paths: only WeChat's characters.
fn path_id<'a>(what: &str, id: &'a str) -> Result<&'a str, Error> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'*'));
    if ok {
        Ok(id)
    } else {
        Err(Error::InvalidRequest(format!("{what} {id:?}")))
    }
}

/// Where the transaction endpoints live.
const TRANSACTIONS: &str = "/v3/pay/transactions";
/// Where the refund endpoints live.
const REFUNDS: &str = "/v3/refund/domestic/refunds";

/// An order by our number: `/v3/pay/transactions/out-trade-no/{no}`.
fn order_path(out_trade_no: &str) -> Result<String, Error> {
    let no = path_id("out_trade_no", out_trade_no)?;
    Ok(format!("{TRANSACTIONS}/out-trade-no/{no}"))
}

impl Client {
    fn prepare<T>(
        &self,
        method: &'static str,
        path: &str,
        body: Option<Vec<u8>>,
        read: fn(&Client, HttpReply) -> Result<T, Error>,
    ) -> Result<Call<T>, Error> {
        let request = self.transport.prepare(method, path, body)?;
        Ok(Call { request, read })
    }

    /// [`Api::create_native`] as a [`Call`].
    pub fn native_call(&self, order: &NativeOrder) -> Result<Call<NativePrepay>, Error> {
        let details = OrderDetails::from(order);
        path_id("out_trade_no", &details.out_trade_no)?;
        let body = Client::json(&details.body(&self.appid, &self.mchid))?;
        self.prepare(
            "POST",
            &format!("{TRANSACTIONS}/native"),
            Some(body),
            call::json,
        )
    }

    /// [`Api::create_jsapi`] as a [`Call`].
    pub fn jsapi_call(&self, order: &JsapiOrder) -> Result<Call<Prepay>, Error> {
        path_id("out_trade_no", &order.details.out_trade_no)?;
        if order.openid.is_empty() {
            return Err(Error::InvalidRequest("payer.openid is empty".into()));
        }
        let body = Client::json(&JsapiOrderBody::new(order, &self.appid, &self.mchid))?;
        self.prepare(
            "POST",
            &format!("{TRANSACTIONS}/jsapi"),
            Some(body),
            call::json,
        )
    }

    /// [`Api::create_h5`] as a [`Call`].
    pub fn h5_call(&self, order: &H5Order) -> Result<Call<H5Prepay>, Error> {
        path_id("out_trade_no", &order.details.out_trade_no)?;
        if order.payer_client_ip.parse::<std::net::IpAddr>().is_err() {
            return Err(Error::InvalidRequest(format!(
                "payer_client_ip {:?}",
                order.payer_client_ip
            )));
        }
        let body = Client::json(&H5OrderBody::new(order, &self.appid, &self.mchid))?;
        self.prepare(
            "POST",
            &format!("{TRANSACTIONS}/h5"),
            Some(body),
            call::json,
        )
    }

    /// [`Api::create_app`] as a [`Call`].
    pub fn app_call(&self, order: &AppOrder) -> Result<Call<Prepay>, Error> {
        path_id("out_trade_no", &order.details.out_trade_no)?;
        let body = Client::json(&order.details.body(&self.appid, &self.mchid))?;
        self.prepare(
            "POST",
            &format!("{TRANSACTIONS}/app"),
            Some(body),
            call::json,
        )
    }

    /// [`Api::query_by_out_trade_no`] as a [`Call`].
    pub fn query_call(&self, out_trade_no: &str) -> Result<Call<Transaction>, Error> {
        let path = format!("{}?mchid={}", order_path(out_trade_no)?, self.mchid);
        self.prepare("GET", &path, None, call::transaction)
    }

    /// [`Api::query_by_transaction_id`] as a [`Call`].
    pub fn query_by_id_call(&self, transaction_id: &str) -> Result<Call<Transaction>, Error> {
        let id = path_id("transaction_id", transaction_id)?;
        let path = format!("{TRANSACTIONS}/id/{id}?mchid={}", self.mchid);
        self.prepare("GET", &path, None, call::transaction)
    }

    /// [`Api::close`] as a [`Call`].
    pub fn close_call(&self, out_trade_no: &str) -> Result<Call<()>, Error> {
        let path = format!("{}/close", order_path(out_trade_no)?);
        let body = Client::json(&serde_json::json!({ "mchid": self.mchid }))?;
        self.prepare("POST", &path, Some(body), call::nothing)
    }

    /// [`Api::refund`] as a [`Call`].
    pub fn refund_call(&self, refund: &RefundRequest) -> Result<Call<RefundReply>, Error> {
        path_id("out_refund_no", &refund.out_refund_no)?;
        let (transaction_id, out_trade_no) = match &refund.order {
            RefundOrder::TransactionId(id) => (Some(id.clone()), None),
            RefundOrder::OutTradeNo(no) => (None, Some(no.clone())),
        };
        let body = Client::json(&RefundBody {
            transaction_id,
            out_trade_no,
            out_refund_no: refund.out_refund_no.clone(),
            reason: refund.reason.clone(),
            notify_url: refund.notify_url.clone(),
            amount: RefundRequestAmount {
                refund: refund.refund,
                total: refund.total,
                currency: "CNY".into(),
            },
        })?;
        self.prepare("POST", REFUNDS, Some(body), call::json)
    }

    /// [`Api::query_refund`] as a [`Call`].
    pub fn query_refund_call(&self, out_refund_no: &str) -> Result<Call<RefundReply>, Error> {
        let no = path_id("out_refund_no", out_refund_no)?;
        self.prepare("GET", &format!("{REFUNDS}/{no}"), None, call::json)
    }
}

impl Api for Client {
    fn create_native(&self, order: &NativeOrder) -> Result<NativePrepay, Error> {
        self.run(self.native_call(order)?)
    }

    fn create_jsapi(&self, order: &JsapiOrder) -> Result<Prepay, Error> {
        self.run(self.jsapi_call(order)?)
    }

    fn create_h5(&self, order: &H5Order) -> Result<H5Prepay, Error> {
        self.run(self.h5_call(order)?)
    }

    fn create_app(&self, order: &AppOrder) -> Result<Prepay, Error> {
        self.run(self.app_call(order)?)
    }

    fn query_by_out_trade_no(&self, out_trade_no: &str) -> Result<Transaction, Error> {
        self.run(self.query_call(out_trade_no)?)
    }

    fn query_by_transaction_id(&self, transaction_id: &str) -> Result<Transaction, Error> {
        self.run(self.query_by_id_call(transaction_id)?)
    }

    fn close(&self, out_trade_no: &str) -> Result<(), Error> {
        self.run(self.close_call(out_trade_no)?)
    }

    fn refund(&self, refund: &RefundRequest) -> Result<RefundReply, Error> {
        self.run(self.refund_call(refund)?)
    }

    fn query_refund(&self, out_refund_no: &str) -> Result<RefundReply, Error> {
        self.run(self.query_refund_call(out_refund_no)?)
    }

    fn trade_bill(&self, request: &TradeBillRequest) -> Result<BillOutcome<TradeBill>, Error> {
        let mut path = format!(
            "/v3/bill/tradebill?bill_date={}&bill_type={}",
            request.bill_date.format("%Y-%m-%d"),
            request.bill_type.as_str()
        );
        if request.gzip {
            path.push_str("&tar_type=GZIP");
        }
        match self.call::<TradeBill>("GET", &path, None) {
            Ok(mut bill) => {
                bill.gzip = request.gzip;
                Ok(BillOutcome::Bill(bill))
            }
            Err(e) if e.code() == Some("NO_STATEMENT_EXIST") => Ok(BillOutcome::NoBill),
            Err(e) => Err(e),
        }
    }

    fn download_bill(&self, bill: &TradeBill) -> Result<Vec<u8>, Error> {
        if !bill.hash_type.eq_ignore_ascii_case("SHA1") {
            return Err(Error::BadReply(format!("hash_type {}", bill.hash_type)));
        }
        // Our Authorization goes only to the host we were configured with.
        let path = bill
            .download_url
            .strip_prefix(&self.transport.base_url)
            .filter(|p| p.starts_with('/'))
            .ok_or_else(|| Error::BadReply(format!("download_url {}", bill.download_url)))?;
        // Downloads carry no WeChat signature; the SHA1 from the verified
        // tradebill reply is what vouches for the file.
        let reply = self.transport.send("GET", path, None, MAX_BILL_BYTES)?;
        if !(200..300).contains(&reply.status) {
            return Err(api_error(&reply));
        }
        let data = if bill.gzip {
            bill::gunzip(&reply.body, MAX_BILL_BYTES)
                .map_err(|e| Error::BadReply(format!("gzip: {e}")))?
        } else {
            reply.body
        };
        let actual = bill::sha1_hex(&data);
        if !actual.eq_ignore_ascii_case(bill.hash_value.trim()) {
            return Err(Error::BillHash {
                expected: bill.hash_value.clone(),
                actual,
            });
        }
        Ok(data)
    }
}

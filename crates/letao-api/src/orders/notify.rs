//! `POST /pay/notify` and `POST /pay/refund_notify`: WeChat tells us.

use super::Orders;
use letao_db::{Db, Payment, Recorded};
use wechat_pay::{fail_reply, success_reply};

impl Orders {
    /// Handles a payment notification body; the XML to answer with.
    /// SUCCESS only once the payment is stored (or was already); FAIL for
    /// anything unverifiable or unstorable, so WeChat sends it again.
    pub async fn payment_notification(&self, db: &Db, body: &[u8]) -> String {
        let n = match self.config.merchant.payment_notification(body) {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "payment notification refused");
                return fail_reply("invalid notification");
            }
        };
        if n.result_code != "SUCCESS" {
            // A failed payment changes nothing; acknowledge so it stops.
            tracing::info!(out_trade_no = %n.out_trade_no, "payment failed at WeChat");
            return success_reply();
        }
        let payment = Payment {
            out_trade_no: &n.out_trade_no,
            transaction_id: &n.transaction_id,
            total_fen: n.total_fee,
            bank_type: n.bank_type.as_deref(),
            time_end: n.time_end.as_deref(),
            cash_fen: n.cash_fee,
            openid: n.openid.as_deref(),
        };
        match db.record_payment(&payment, self.clock.now()).await {
            Ok(Recorded::Paid) => {
                tracing::info!(out_trade_no = %n.out_trade_no, "order paid");
                success_reply()
            }
            Ok(Recorded::AlreadyPaid) => success_reply(),
            Ok(Recorded::PaidAfterClose) => {
                tracing::warn!(out_trade_no = %n.out_trade_no, "payment for a closed order: flagged for refund");
                success_reply()
            }
            Ok(other) => {
                tracing::warn!(out_trade_no = %n.out_trade_no, outcome = ?other, "payment notification does not match the order");
                fail_reply("order mismatch")
            }
            Err(e) => {
                tracing::error!(error = %e, "payment notification not stored");
                fail_reply("not stored")
            }
        }
    }

    /// Handles a refund notification body; the XML to answer with.
    pub async fn refund_notification(&self, db: &Db, body: &[u8]) -> String {
        let n = match self.config.merchant.refund_notification(body) {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "refund notification refused");
                return fail_reply("invalid notification");
            }
        };
        let state = match n.refund_status.as_str() {
            "SUCCESS" => "SUCCESS",
            "REFUNDCLOSE" => "REFUNDCLOSE",
            "CHANGE" => "CHANGE",
            _ => return fail_reply("unknown refund_status"),
        };
        match db
            .settle_refund(
                &n.out_refund_no,
                state,
                Some(&n.refund_id),
                self.clock.now(),
            )
            .await
        {
            Ok(Some(_)) => success_reply(),
            Ok(None) => fail_reply("unknown refund"),
            Err(e) => {
                tracing::error!(error = %e, "refund notification not stored");
                fail_reply("not stored")
            }
        }
    }
}

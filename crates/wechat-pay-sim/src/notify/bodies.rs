//! What notifications say: v2 XML (payments signed, refunds with an
//! encrypted `req_info`) and v3 JSON envelopes around an encrypted resource.

use crate::Simulator;
use crate::api::{v2, v3};
use crate::china_time;
use crate::state::{SimOrder, SimRefund};
use chrono::{DateTime, Utc};
use wechat_pay::{SignType, xml};

/// A v2 payment notification, signed with the order's sign type.
pub(super) fn v2_payment(sim: &Simulator, order: &SimOrder) -> String {
    let mut fields = vec![
        ("appid", order.appid.clone()),
        ("mch_id", sim.config.mch_id.clone()),
        ("nonce_str", wechat_pay::nonce_str()),
        ("return_code", "SUCCESS".into()),
        ("result_code", "SUCCESS".into()),
        ("openid", order.payer_openid().to_owned()),
        ("is_subscribe", "N".into()),
        ("trade_type", order.trade_type.clone()),
        ("bank_type", "CMC".into()),
        ("total_fee", order.total_fee.to_string()),
        ("cash_fee", order.total_fee.to_string()),
        ("fee_type", "CNY".into()),
        (
            "transaction_id",
            order.transaction_id.clone().unwrap_or_default(),
        ),
        ("out_trade_no", order.out_trade_no.clone()),
        ("time_end", order.time_end.clone().unwrap_or_default()),
    ];
    if !order.attach.is_empty() {
        fields.push(("attach", order.attach.clone()));
    }
    if order.sign_type == SignType::HmacSha256 {
        fields.push(("sign_type", order.sign_type.as_str().into()));
    }
    v2::signed_xml(&fields, &sim.config.api_key, order.sign_type)
}

/// A v3 `TRANSACTION.SUCCESS` body.
pub(super) fn v3_payment(sim: &Simulator, order: &SimOrder) -> Option<Vec<u8>> {
    let plain = v3::transaction_json(sim, order).to_string();
    v3_envelope(
        sim,
        "TRANSACTION.SUCCESS",
        "支付成功",
        "transaction",
        &plain,
    )
}

/// A v2 refund notification: unsigned, the refund in `req_info`
/// encrypted with (the MD5 of) the API key.
pub(super) fn v2_refund(sim: &Simulator, order: &SimOrder, refund: &SimRefund) -> String {
    // Real time, not the simulator's clock (v3 refunds use the clock).
    let success_time = china_time::plain(Utc::now());
    let inner = format!(
        "<root>{}</root>",
        xml::build([
            ("out_trade_no", order.out_trade_no.as_str()),
            (
                "transaction_id",
                order.transaction_id.as_deref().unwrap_or_default()
            ),
            ("refund_id", refund.refund_id.as_str()),
            ("out_refund_no", refund.out_refund_no.as_str()),
            ("total_fee", order.total_fee.to_string().as_str()),
            ("refund_fee", refund.refund_fee.to_string().as_str()),
            (
                "settlement_refund_fee",
                refund.refund_fee.to_string().as_str()
            ),
            ("refund_status", "SUCCESS"),
            ("success_time", success_time.as_str()),
            ("refund_recv_accout", "支付用户零钱"),
            ("refund_account", "REFUND_SOURCE_RECHARGE_FUNDS"),
            ("refund_request_source", "API"),
        ])
        .trim_start_matches("<xml>")
        .trim_end_matches("</xml>")
    );
    xml::build([
        ("return_code", "SUCCESS"),
        ("appid", order.appid.as_str()),
        ("mch_id", sim.config.mch_id.as_str()),
        ("nonce_str", wechat_pay::nonce_str().as_str()),
        (
            "req_info",
            wechat_pay::encrypt_req_info(&inner, &sim.config.api_key).as_str(),
        ),
    ])
}

/// A v3 `REFUND.SUCCESS` body.
pub(super) fn v3_refund(
    sim: &Simulator,
    order: &SimOrder,
    refund: &SimRefund,
    success_at: DateTime<Utc>,
) -> Option<Vec<u8>> {
    let plain = serde_json::json!({
        "mchid": sim.config.mch_id,
        "out_trade_no": order.out_trade_no,
        "transaction_id": order.transaction_id.clone().unwrap_or_default(),
        "out_refund_no": refund.out_refund_no,
        "refund_id": refund.refund_id,
        "refund_status": "SUCCESS",
        "success_time": china_time::rfc3339(success_at),
        "user_received_account": "支付用户零钱",
        "amount": {"total": order.total_fee, "refund": refund.refund_fee,
                   "payer_total": order.total_fee, "payer_refund": refund.refund_fee},
    })
    .to_string();
    v3_envelope(sim, "REFUND.SUCCESS", "退款成功", "refund", &plain)
}

/// A v3 notification body: the resource encrypted with the APIv3 key.
fn v3_envelope(
    sim: &Simulator,
    event: &str,
    summary: &str,
    original_type: &str,
    plain: &str,
) -> Option<Vec<u8>> {
    let v3 = sim.config.v3.as_ref()?;
    let key = wechat_pay::v3::ApiV3Key::new(&v3.apiv3_key).ok()?;
    let now = Utc::now().with_timezone(&wechat_pay::bill::CHINA_TIME);
    let envelope = wechat_pay::v3::NotificationEnvelope::seal(
        &key,
        event,
        summary,
        original_type,
        plain.as_bytes(),
        now,
    )
    .map_err(|e| tracing::error!(error = %e, "cannot seal a notification"))
    .ok()?;
    serde_json::to_vec(&envelope).ok()
}

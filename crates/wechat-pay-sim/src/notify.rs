//! Delivering notifications to the merchant, on WeChat's retry schedule.

use crate::Simulator;
use crate::state::{Delivery, SimOrder, SimRefund, random_alnum};
use std::time::{Duration, Instant};
use wechat_pay::{SignType, xml};

/// Sends `body` to `url` (plus duplicates, as the faults say) until one
/// copy is answered SUCCESS or the schedule runs out. On its own thread.
fn deliver(sim: Simulator, kind: &'static str, out_trade_no: String, url: String, body: String) {
    std::thread::spawn(move || {
        let faults = match sim.state.lock() {
            Ok(mut state) => {
                let faults = state.faults.clone();
                if kind == "payment" && state.faults.drop_next_notifications > 0 {
                    state.faults.drop_next_notifications -= 1;
                    state.deliveries.push(Delivery {
                        out_trade_no,
                        kind,
                        attempt: 0,
                        after_ms: 0,
                        outcome: "dropped".into(),
                    });
                    return;
                }
                faults
            }
            Err(_) => return,
        };
        let started = Instant::now();
        std::thread::sleep(Duration::from_millis(faults.notify_delay_ms));
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(5)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        let delays = std::iter::once(Duration::ZERO).chain(sim.config.retry_delays());
        for (attempt, delay) in delays.enumerate() {
            std::thread::sleep(delay);
            let copies = 1 + faults.duplicate_notifications as usize;
            let outcomes: Vec<String> = std::thread::scope(|scope| {
                let sends: Vec<_> = (0..copies)
                    .map(|_| scope.spawn(|| send_once(&agent, &url, &body)))
                    .collect();
                sends
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| "panicked".into()))
                    .collect()
            });
            let delivered = outcomes.iter().any(|o| o == "SUCCESS");
            if let Ok(mut state) = sim.state.lock() {
                for outcome in outcomes {
                    state.deliveries.push(Delivery {
                        out_trade_no: out_trade_no.clone(),
                        kind,
                        attempt: attempt as u32,
                        after_ms: started.elapsed().as_millis() as u64,
                        outcome,
                    });
                }
            }
            if delivered {
                return;
            }
        }
        tracing::warn!(%out_trade_no, kind, "notification never acknowledged");
    });
}

fn send_once(agent: &ureq::Agent, url: &str, body: &str) -> String {
    match agent
        .post(url)
        .header("Content-Type", "text/xml")
        .send(body.as_bytes())
    {
        Err(e) => format!("error: {e}"),
        Ok(mut res) if res.status() == 200 => {
            let text = res
                .body_mut()
                .with_config()
                .limit(64 * 1024)
                .read_to_vec()
                .unwrap_or_default();
            match xml::parse(&text) {
                Ok(reply) => reply
                    .get("return_code")
                    .cloned()
                    .unwrap_or_else(|| "no return_code".into()),
                Err(_) => "unreadable reply".into(),
            }
        }
        Ok(res) => format!("HTTP {}", res.status().as_u16()),
    }
}

fn signed(sim: &Simulator, mut fields: Vec<(&str, String)>, sign_type: SignType) -> String {
    if sign_type == SignType::HmacSha256 {
        fields.push(("sign_type", sign_type.as_str().into()));
    }
    let sign = wechat_pay::sign(
        fields.iter().map(|(k, v)| (*k, v.as_str())),
        &sim.config.api_key,
        sign_type,
    );
    fields.push(("sign", sign));
    xml::build(fields.iter().map(|(k, v)| (*k, v.as_str())))
}

/// Starts delivering the payment notification of a just-paid order.
pub(crate) fn deliver_payment(sim: Simulator, order: SimOrder) {
    let mut fields = vec![
        ("appid", sim.config.appid.clone()),
        ("mch_id", sim.config.mch_id.clone()),
        ("nonce_str", random_alnum(32)),
        ("return_code", "SUCCESS".into()),
        ("result_code", "SUCCESS".into()),
        ("openid", "oSimulatorPayer0000000000000".into()),
        ("is_subscribe", "N".into()),
        ("trade_type", "NATIVE".into()),
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
    let body = signed(&sim, fields, order.sign_type);
    deliver(sim, "payment", order.out_trade_no, order.notify_url, body);
}

/// Finishes a refund a moment later (scaled) and notifies the merchant.
pub(crate) fn complete_refund(sim: Simulator, out_trade_no: String, refund: SimRefund) {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs_f64(
            1.0 * sim.config.retry_scale.clamp(0.0, 1.0),
        ));
        let success_time = (chrono::Utc::now().naive_utc() + chrono::TimeDelta::hours(8))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        let (total_fee, transaction_id) = match sim.state.lock() {
            Ok(mut state) => {
                let Some(order) = state.orders.get_mut(&out_trade_no) else {
                    return;
                };
                if let Some(r) = order
                    .refunds
                    .iter_mut()
                    .find(|r| r.out_refund_no == refund.out_refund_no)
                {
                    r.refund_status = "SUCCESS".into();
                }
                (
                    order.total_fee,
                    order.transaction_id.clone().unwrap_or_default(),
                )
            }
            Err(_) => return,
        };
        let Some(url) = refund.notify_url.clone() else {
            return;
        };
        let inner = format!(
            "<root>{}</root>",
            xml::build([
                ("out_trade_no", out_trade_no.as_str()),
                ("transaction_id", transaction_id.as_str()),
                ("refund_id", refund.refund_id.as_str()),
                ("out_refund_no", refund.out_refund_no.as_str()),
                ("total_fee", total_fee.to_string().as_str()),
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
        let body = xml::build([
            ("return_code", "SUCCESS"),
            ("appid", sim.config.appid.as_str()),
            ("mch_id", sim.config.mch_id.as_str()),
            ("nonce_str", random_alnum(32).as_str()),
            (
                "req_info",
                wechat_pay::encrypt_req_info(&inner, &sim.config.api_key).as_str(),
            ),
        ]);
        deliver(sim, "refund", out_trade_no, url, body);
    });
}

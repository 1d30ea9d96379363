//! Delivering notifications to the merchant, on WeChat's retry schedule.

use crate::Simulator;
use crate::state::{Delivery, SimOrder, SimRefund, random_alnum};
use std::time::{Duration, Instant};
use wechat_pay::{SignType, xml};

/// A notification body in the form of the API the order or refund came from.
pub(crate) enum Body {
    /// XML, the same bytes every attempt.
    V2(String),
    /// JSON, signed afresh for every attempt (timestamps must be recent).
    V3(Vec<u8>),
}

/// Sends `body` to `url` (plus duplicates, as the faults say) until one
/// copy is acknowledged (v2: `return_code` SUCCESS; v3: HTTP 2xx) or the
/// schedule runs out. On its own thread.
fn deliver(sim: Simulator, kind: &'static str, out_trade_no: String, url: String, body: Body) {
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
            // v3: headers made now, with the faults in force now.
            let (headers, probe) = match &body {
                Body::V2(_) => (Vec::new(), false),
                Body::V3(bytes) => match sim.state.lock() {
                    Ok(mut state) => {
                        let probe = state.faults.signtest > 0;
                        if probe {
                            state.faults.signtest -= 1;
                        }
                        (
                            crate::api_v3::signature_headers(&sim, &state, bytes, probe),
                            probe,
                        )
                    }
                    Err(_) => return,
                },
            };
            let outcomes: Vec<String> = std::thread::scope(|scope| {
                let sends: Vec<_> = (0..copies)
                    .map(|_| {
                        scope.spawn(|| match &body {
                            Body::V2(xml) => send_once(&agent, &url, xml),
                            Body::V3(json) => send_v3(&agent, &url, json, &headers, probe),
                        })
                    })
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

/// One v3 attempt: 2xx is SUCCESS. A SIGNTEST probe must be refused; one
/// that is acknowledged is recorded as such and does not count as delivery.
fn send_v3(
    agent: &ureq::Agent,
    url: &str,
    body: &[u8],
    headers: &[(&'static str, String)],
    probe: bool,
) -> String {
    let mut req = agent.post(url).header("Content-Type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, v.as_str());
    }
    match req.send(body) {
        Err(e) => format!("error: {e}"),
        Ok(res) if res.status().is_success() && probe => "SIGNTEST accepted".into(),
        Ok(_) if probe => "SIGNTEST refused".into(),
        Ok(res) if res.status().is_success() => "SUCCESS".into(),
        Ok(res) => format!("HTTP {}", res.status().as_u16()),
    }
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
    let body = if order.api == "v3" {
        let plain = crate::api_v3::transaction_json(&sim, &order).to_string();
        match v3_envelope(
            &sim,
            "TRANSACTION.SUCCESS",
            "支付成功",
            "transaction",
            &plain,
        ) {
            Some(b) => Body::V3(b),
            None => return,
        }
    } else {
        Body::V2(signed(&sim, fields, order.sign_type))
    };
    deliver(sim, "payment", order.out_trade_no, order.notify_url, body);
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
    let now = chrono::Utc::now().with_timezone(&wechat_pay::bill::CHINA_TIME);
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

/// Finishes a refund a moment later (scaled) and notifies the merchant.
pub(crate) fn complete_refund(sim: Simulator, out_trade_no: String, refund: SimRefund) {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs_f64(
            1.0 * sim.config.retry_scale.clamp(0.0, 1.0),
        ));
        let success_time = (chrono::Utc::now().naive_utc() + chrono::TimeDelta::hours(8))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        let (total_fee, transaction_id, success_at) = match sim.state.lock() {
            Ok(mut state) => {
                let now = state.now();
                let Some(order) = state.orders.get_mut(&out_trade_no) else {
                    return;
                };
                if let Some(r) = order
                    .refunds
                    .iter_mut()
                    .find(|r| r.out_refund_no == refund.out_refund_no)
                {
                    r.refund_status = "SUCCESS".into();
                    r.success_at = Some(now);
                }
                (
                    order.total_fee,
                    order.transaction_id.clone().unwrap_or_default(),
                    now,
                )
            }
            Err(_) => return,
        };
        let Some(url) = refund.notify_url.clone() else {
            return;
        };
        if refund.v3 {
            let plain = serde_json::json!({
                "mchid": sim.config.mch_id,
                "out_trade_no": out_trade_no,
                "transaction_id": transaction_id,
                "out_refund_no": refund.out_refund_no,
                "refund_id": refund.refund_id,
                "refund_status": "SUCCESS",
                "success_time": success_at.with_timezone(&wechat_pay::bill::CHINA_TIME).to_rfc3339(),
                "user_received_account": "支付用户零钱",
                "amount": {"total": total_fee, "refund": refund.refund_fee,
                           "payer_total": total_fee, "payer_refund": refund.refund_fee},
            })
            .to_string();
            if let Some(body) = v3_envelope(&sim, "REFUND.SUCCESS", "退款成功", "refund", &plain)
            {
                deliver(sim, "refund", out_trade_no, url, Body::V3(body));
            }
            return;
        }
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
        deliver(sim, "refund", out_trade_no, url, Body::V2(body));
    });
}

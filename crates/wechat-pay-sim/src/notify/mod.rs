//! Delivering notifications to the merchant, on WeChat's retry schedule.

mod bodies;

use crate::Simulator;
use crate::api::v3;
use crate::state::{Delivery, SimOrder, SimRefund};
use std::time::{Duration, Instant};
use wechat_pay::xml;

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
                        (v3::signature_headers(&sim, &state, bytes, probe), probe)
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

/// Starts delivering the payment notification of a just-paid order.
pub(crate) fn deliver_payment(sim: Simulator, order: SimOrder) {
    let body = if order.api == "v3" {
        match bodies::v3_payment(&sim, &order) {
            Some(b) => Body::V3(b),
            None => return,
        }
    } else {
        Body::V2(bodies::v2_payment(&sim, &order))
    };
    deliver(sim, "payment", order.out_trade_no, order.notify_url, body);
}

/// Finishes a refund a moment later (scaled) and notifies the merchant.
pub(crate) fn complete_refund(sim: Simulator, out_trade_no: String, refund: SimRefund) {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs_f64(
            1.0 * sim.config.retry_scale.clamp(0.0, 1.0),
        ));
        let (order, success_at) = match sim.state.lock() {
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
                (order.clone(), now)
            }
            Err(_) => return,
        };
        let Some(url) = refund.notify_url.clone() else {
            return;
        };
        let body = if refund.v3 {
            match bodies::v3_refund(&sim, &order, &refund, success_at) {
                Some(b) => Body::V3(b),
                None => return,
            }
        } else {
            Body::V2(bodies::v2_refund(&sim, &order, &refund))
        };
        deliver(sim, "refund", out_trade_no, url, body);
    });
}

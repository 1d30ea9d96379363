//! Secrets never reach the log: the whole process's log (every thread, the
//! blocking pools, the second server that takes the simulator's
//! notifications) is captured while accounts, orders, payment, refunds and
//! failures run.

use crate::api::helpers::{TestApp, WECHAT_KEY, mobile};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The process-wide capture, installed once as the global subscriber.
fn capture() -> &'static Captured {
    static CAPTURE: OnceLock<Captured> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global subscriber in this test process");
        captured
    })
}

fn log_text() -> String {
    String::from_utf8_lossy(&capture().0.lock().unwrap()).into_owned()
}

each_backend! {
    async fn no_code_password_token_or_key_is_ever_logged(app: TestApp) {
        capture();
        let password = "Secret-Pa55word!";
        let code = app.code_for(&mobile(40), "register").await;
        let res = app
            .post_json("/register", json!({"username": "quiet_user", "password": password, "mobile": mobile(40), "smscode": code}))
            .await;
        assert_eq!(res.status, 200);
        app.post_json("/login", json!({"username": "quiet_user", "password": "Wrong-Pa55word!"})).await;
        let token = app.login("quiet_user", password).await;
        assert_eq!(app.get_auth("/user/me", &token).await.status, 200);
        app.get_auth("/user/me", &format!("{token}tampered")).await;
        app.sms.fail_next(letao_sms::SmsError::Transport("down".into()));
        app.clock.advance(chrono::TimeDelta::seconds(61));
        app.post_json("/sms", json!({"mobile": mobile(40), "purpose": "login"})).await;

        // An order, paid through the simulator's notification to the second
        // server, then refunded by an admin.
        app.grant("quiet_user", letao_domain::Role::Admin).await;
        let placed = app.order(&token, json!([{"productId": 3, "size": "40", "quantity": 1}])).await;
        assert_eq!(placed.status, 200, "{}", placed.text());
        let no = placed.json()["data"]["out_trade_no"].as_str().unwrap().to_owned();
        app.sim.pay(&no).expect("pay");
        app.wait_for_delivery(&no, "SUCCESS").await;
        let refund = app.post_auth("/admin/refund", &token, json!({"out_trade_no": no, "reason": "size"})).await;
        assert_eq!(refund.status, 200, "{}", refund.text());
        app.post_auth("/queryOrder", &token, json!({"out_trade_no": "no-such-order"})).await;

        let log = log_text();
        assert!(log.contains("request completed"), "the capture works: {log}");
        assert!(log.contains("order paid"), "the notification server's log is captured too");
        for secret in [password, "Wrong-Pa55word!", code.as_str(), token.as_str(), WECHAT_KEY, crate::api::helpers::JWT_SECRET] {
            assert!(!log.contains(secret), "{secret:?} found in the log");
        }
        // Mobiles appear masked only.
        assert!(!log.contains(&mobile(40)), "full mobile number in the log");
    }
}

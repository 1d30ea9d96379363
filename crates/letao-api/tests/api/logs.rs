//! Secrets never reach the log.

use crate::helpers::{TestApp, mobile};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

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

each_backend! {
    async fn no_code_password_or_token_is_ever_logged(app: TestApp) {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);

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

        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("request completed"), "the capture works: {log}");
        for secret in [password, "Wrong-Pa55word!", code.as_str(), token.as_str()] {
            assert!(!log.contains(secret), "{secret:?} found in the log");
        }
        // Mobiles appear masked only.
        assert!(!log.contains(&mobile(40)), "full mobile number in the log");
    }
}

//! Calls on a `TestApp` and what they return.

use super::TestApp;
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test;
use bytes::Bytes;

/// What came back.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    /// The body as JSON; panics with the body when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an error reply of the SPEC shape and returns its `msg`.
    #[track_caller]
    pub fn assert_error(&self, http: u16, code: u16) -> String {
        assert_eq!(self.status.as_u16(), http, "{}", self.text());
        assert!(
            self.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "content type {:?}",
            self.header("content-type")
        );
        let body = self.json();
        assert_eq!(body["status"], code, "{body}");
        let msg = body["msg"].as_str().expect("msg is a string").to_owned();
        assert!(!msg.is_empty());
        msg
    }
}

/// A mobile number unique within one test: `1380000` and four digits.
pub fn mobile(n: u32) -> String {
    format!("1380000{:04}", n % 10_000)
}

impl TestApp {
    /// `POST uri` with a JSON body.
    pub async fn post_json(&self, uri: &str, body: serde_json::Value) -> TestResponse {
        self.call(test::TestRequest::post().uri(uri).set_json(body))
            .await
    }

    /// `POST uri` with a JSON body from a given client address.
    pub async fn post_json_from(
        &self,
        ip: &str,
        uri: &str,
        body: serde_json::Value,
    ) -> TestResponse {
        let peer = format!("{ip}:40000").parse().expect("ip");
        self.call(
            test::TestRequest::post()
                .uri(uri)
                .peer_addr(peer)
                .set_json(body),
        )
        .await
    }

    /// `GET uri` with `Authorization: Bearer token`.
    pub async fn get_auth(&self, uri: &str, token: &str) -> TestResponse {
        self.call(
            test::TestRequest::get()
                .uri(uri)
                .insert_header(("authorization", format!("Bearer {token}"))),
        )
        .await
    }

    /// Asks for a code for `mobile` and returns it as the fake SMS got it.
    pub async fn code_for(&self, mobile: &str, purpose: &str) -> String {
        let res = self
            .post_json(
                "/sms",
                serde_json::json!({"mobile": mobile, "purpose": purpose}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        self.sms.last_params_to(mobile).expect("a code was sent")[0].clone()
    }

    /// Registers a user through the API (code included); panics unless 200.
    pub async fn register(&self, username: &str, password: &str, mobile: &str) {
        let code = self.code_for(mobile, "register").await;
        // The next code for this mobile may be asked for at once.
        self.clock.advance(chrono::TimeDelta::seconds(61));
        let res = self
            .post_json(
                "/register",
                serde_json::json!({"username": username, "password": password, "mobile": mobile, "smscode": code}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }

    /// Gives a user an owner role, as `letao-server grant-admin` does.
    pub async fn grant(&self, username: &str, role: letao_domain::Role) {
        let granted = self
            .db
            .set_role(
                username,
                Some(role),
                &letao_shop::store::Actor::CLI,
                chrono::Utc::now(),
            )
            .await
            .expect("set_role");
        assert!(granted, "no user {username}");
    }

    /// Logs in with a password; the token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let res = self
            .post_json(
                "/login",
                serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        res.json()["token"].as_str().expect("token").to_owned()
    }
}

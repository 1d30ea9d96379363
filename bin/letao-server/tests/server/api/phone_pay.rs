//! Paying on the phone against the simulator: JSAPI after the OAuth round
//! trip (v2 and v3), H5 through the cashier, an order opened again, and
//! everything the round trip and the pay route must refuse.

use crate::api::helpers::{APPID, TestApp, TestResponse, V3App, WECHAT_KEY, mobile, test_key};
use chrono::TimeDelta;
use serde_json::{Value, json};
use std::time::Duration;

/// A logged-in buyer: (token, user id).
async fn buyer(app: &TestApp, name: &str, n: u32) -> (String, i32) {
    app.register(name, "buyer-password", &mobile(n)).await;
    let token = app.login(name, "buyer-password").await;
    let id = app
        .db
        .user_by_username(name)
        .await
        .unwrap()
        .expect("registered")
        .id;
    (token, id)
}

fn one_shoe() -> Value {
    json!([{"productId": 1, "size": "40", "quantity": 1}])
}

/// The nonce cookie a reply set.
fn nonce_cookie(res: &TestResponse) -> String {
    let set = res.header("set-cookie").expect("a cookie is set");
    assert!(set.starts_with("letao_oauth="), "{set}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/wechat/oauth"] {
        assert!(set.contains(attr), "{attr} missing: {set}");
    }
    set.trim_start_matches("letao_oauth=")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// What the simulator's authorize page redirects to for `url` as
/// `sim_user`: (code, state).
async fn authorize(url: &str, sim_user: &str) -> (String, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = http
        .get(format!(
            "{}&sim_user={sim_user}",
            url.trim_end_matches("#wechat_redirect")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 302, "{:?}", res.text().await);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let back = url::Url::parse(&location).unwrap();
    let get = |k: &str| {
        back.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    (get("code"), get("state"))
}

impl TestApp {
    /// WeChat's redirect back, with the cookie `nonce` (if any).
    async fn callback(&self, code: &str, state: &str, nonce: Option<&str>) -> TestResponse {
        let mut req = actix_web::test::TestRequest::get()
            .uri(&format!("/wechat/oauth/callback?code={code}&state={state}"));
        if let Some(nonce) = nonce {
            req = req.insert_header(("cookie", format!("letao_oauth={nonce}")));
        }
        self.call(req).await
    }

    /// Starts OAuth for the buyer: (authorize URL, nonce).
    async fn oauth_start(&self, token: &str, next: &str) -> (String, String) {
        let res = self
            .post_auth("/wechat/oauth/start", token, json!({"next": next}))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let url = res.json()["data"]["url"].as_str().unwrap().to_owned();
        (url, nonce_cookie(&res))
    }

    /// The whole round trip as `sim_user`: the buyer's openid is known after.
    async fn learn_openid(&self, token: &str, sim_user: &str) {
        let (url, nonce) = self.oauth_start(token, "/").await;
        let (code, state) = authorize(&url, sim_user).await;
        let res = self.callback(&code, &state, Some(&nonce)).await;
        assert_eq!(res.status, 302, "{}", res.text());
    }

    fn orders_count(&self) -> i64 {
        self.database.scalar_i64("SELECT COUNT(*) FROM payorder")
    }

    async fn wait_paid(&self, token: &str, no: &str) {
        for _ in 0..200 {
            let data = self.query_order(token, no).await;
            if data["trade_state"] == "SUCCESS" {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{no} was never paid");
    }
}

/// The `jsapi` object of a reply, as the crate reads it.
fn jsapi_of(data: &Value) -> wechat_pay::JsapiParams {
    serde_json::from_value(data["jsapi"].clone()).expect("jsapi parameters")
}

/// A v2 payment notification for a phone order, signed with `key`.
fn phone_notification(no: &str, total: i64, trade_type: &str, key: &str) -> String {
    let total = total.to_string();
    let fields = [
        ("appid", APPID),
        ("mch_id", crate::api::helpers::MCH_ID),
        ("nonce_str", "n0nce"),
        ("return_code", "SUCCESS"),
        ("result_code", "SUCCESS"),
        ("openid", "oForger"),
        ("trade_type", trade_type),
        ("bank_type", "CMC"),
        ("total_fee", total.as_str()),
        ("cash_fee", total.as_str()),
        ("fee_type", "CNY"),
        ("transaction_id", "4200000000000000000000000099"),
        ("out_trade_no", no),
        ("time_end", "20260101120000"),
    ];
    let sign = wechat_pay::sign(fields.iter().copied(), key, wechat_pay::SignType::Md5);
    let mut all = fields.to_vec();
    all.push(("sign", &sign));
    wechat_pay::xml::build(all)
}

each_backend! {
    async fn forged_jsapi_and_h5_notifications_change_nothing(app: TestApp) {
        let (token, _) = buyer(&app, "forged_phone", 77).await;
        app.learn_openid(&token, "frank").await;
        for (trade_type, wechat) in [("JSAPI", "JSAPI"), ("H5", "MWEB")] {
            let res = app
                .post_auth("/order", &token, json!({"items": one_shoe(), "tradeType": trade_type}))
                .await;
            assert_eq!(res.status, 200, "{}", res.text());
            let data = res.json()["data"].clone();
            let no = data["out_trade_no"].as_str().unwrap().to_owned();
            let total = data["total_fee"].as_i64().unwrap();
            let forged = app.notify(phone_notification(&no, total, wechat, "not-the-merchant-key-0123456789ab")).await;
            assert_eq!(forged["return_code"], "FAIL", "{trade_type}: a wrong signature");
            let wrong_amount = app.notify(phone_notification(&no, 1, wechat, WECHAT_KEY)).await;
            assert_eq!(wrong_amount["return_code"], "FAIL", "{trade_type}: another amount");
            assert_eq!(app.query_order(&token, &no).await["trade_state"], "NOTPAY");
        }
    }

    async fn jsapi_needs_the_openid_first_then_pays_inside_wechat(app: TestApp) {
        let (token, user) = buyer(&app, "wx_buyer", 70).await;
        let (orders, stock) = (app.orders_count(), app.stock(1));
        let res = app
            .post_auth("/order", &token, json!({"items": one_shoe(), "tradeType": "JSAPI", "next": "/#/orders"}))
            .await;
        res.assert_error(409, 1062);
        let url = res.json()["data"]["oauthUrl"].as_str().unwrap().to_owned();
        let redirect = url::form_urlencoded::byte_serialize(
            format!("http://{}/wechat/oauth/callback", app.addr).as_bytes(),
        )
        .collect::<String>();
        assert!(url.starts_with(&format!("{}/connect/oauth2/authorize?appid={APPID}&redirect_uri={redirect}&response_type=code&scope=snsapi_base&state=", app.sim.base_url())), "{url}");
        let nonce = nonce_cookie(&res);
        assert_eq!((app.orders_count(), app.stock(1)), (orders, stock), "nothing placed");

        let (code, state) = authorize(&url, "alice").await;
        // Without the cookie, or with another browser's, nothing is bound.
        app.callback(&code, &state, None).await.assert_error(400, 1010);
        app.callback(&code, &state, Some("another-browsers-nonce")).await.assert_error(400, 1010);
        assert_eq!(app.db.openid(user, APPID).await.unwrap(), None);

        let back = app.callback(&code, &state, Some(&nonce)).await;
        assert_eq!(back.status, 302, "{}", back.text());
        assert_eq!(back.header("location"), Some("/#/orders"));
        let openid = wechat_pay_sim::openid_for(APPID, "alice");
        assert_eq!(app.db.openid(user, APPID).await.unwrap(), Some(openid.clone()));
        // The state is single-use.
        app.callback(&code, &state, Some(&nonce)).await.assert_error(400, 1010);

        let res = app
            .post_auth("/order", &token, json!({"items": one_shoe(), "tradeType": "JSAPI"}))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let data = res.json()["data"].clone();
        let no = data["out_trade_no"].as_str().unwrap().to_owned();
        assert_eq!(data["tradeType"], "JSAPI");
        assert_eq!(data["payment_no"], no.as_str());
        assert!(data.get("code_url").is_none() && data.get("payUrl").is_none());
        let params = jsapi_of(&data);
        assert_eq!(params.app_id, APPID);
        assert_eq!(params.sign_type, "MD5");
        assert!(params.verify_v2(WECHAT_KEY), "paySign recomputes with the API key");
        let at_sim = app.sim.order(&no).expect("placed at the simulator");
        assert_eq!(at_sim.trade_type, "JSAPI");
        assert_eq!(at_sim.openid.as_deref(), Some(openid.as_str()));
        assert_eq!(params.prepay_id(), Some(at_sim.prepay_id.as_str()));

        // Reloaded on the phone: the same prepayment, signed afresh.
        let again = app.post_auth(&format!("/orders/{no}/pay"), &token, json!({"tradeType": "JSAPI"})).await;
        assert_eq!(again.status, 200, "{}", again.text());
        assert_eq!(jsapi_of(&again.json()["data"]).prepay_id(), Some(at_sim.prepay_id.as_str()));
        // Placed for JSAPI: not payable by QR code under the same number.
        app.post_auth(&format!("/orders/{no}/pay"), &token, json!({"tradeType": "NATIVE"})).await.assert_error(409, 1061);

        app.sim.pay(&no).expect("pay");
        app.wait_paid(&token, &no).await;
        app.post_auth(&format!("/orders/{no}/pay"), &token, json!({"tradeType": "JSAPI"})).await.assert_error(409, 1061);
    }

    async fn jsapi_over_v3_signs_the_page_parameters_with_the_merchant_key(app: V3App) {
        let app = &app.0;
        let (token, _) = buyer(app, "wx_buyer_v3", 71).await;
        app.learn_openid(&token, "bob").await;
        let res = app
            .post_auth("/order", &token, json!({"items": one_shoe(), "tradeType": "JSAPI"}))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let data = res.json()["data"].clone();
        let params = jsapi_of(&data);
        assert_eq!(params.sign_type, "RSA");
        assert!(params.verify_v3(&test_key("merchant").public_key()));
        let no = data["out_trade_no"].as_str().unwrap().to_owned();
        let at_sim = app.sim.order(&no).expect("placed");
        assert_eq!(at_sim.openid, Some(wechat_pay_sim::openid_for(APPID, "bob")));
        app.sim.pay(&no).expect("pay");
        app.wait_paid(&token, &no).await;
    }

    async fn h5_opens_the_cashier_for_the_buyers_address(app: TestApp) {
        let (token, _) = buyer(&app, "h5_buyer", 72).await;
        let res = app
            .post_auth("/order", &token, json!({"items": one_shoe(), "tradeType": "H5"}))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let data = res.json()["data"].clone();
        let no = data["out_trade_no"].as_str().unwrap().to_owned();
        assert_eq!(data["tradeType"], "H5");
        let h5_url = data["h5_url"].as_str().expect("h5_url");
        assert!(h5_url.starts_with(&format!("{}/sim/h5/cashier?", app.sim.base_url())), "{h5_url}");
        let at_sim = app.sim.order(&no).expect("placed");
        assert_eq!(at_sim.trade_type, "MWEB");
        assert_eq!(at_sim.payer_client_ip.as_deref(), Some("127.0.0.1"));

        let again = app.post_auth(&format!("/orders/{no}/pay"), &token, json!({"tradeType": "H5"})).await;
        assert_eq!(again.status, 200, "{}", again.text());
        // From another address WeChat refuses the number with other parameters.
        let other = app
            .call(
                actix_web::test::TestRequest::post()
                    .uri(&format!("/orders/{no}/pay"))
                    .peer_addr("203.0.113.9:40000".parse().unwrap())
                    .insert_header(("authorization", format!("Bearer {token}")))
                    .set_json(json!({"tradeType": "H5"})),
            )
            .await;
        other.assert_error(409, 1061);
        app.sim.pay(&no).expect("pay");
        app.wait_paid(&token, &no).await;
    }

    async fn h5_over_v3_sends_the_payer_address(app: V3App) {
        let app = &app.0;
        let (token, _) = buyer(app, "h5_buyer_v3", 73).await;
        let res = app
            .post_auth("/order", &token, json!({"items": one_shoe(), "tradeType": "H5"}))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let no = res.json()["data"]["out_trade_no"].as_str().unwrap().to_owned();
        assert!(res.json()["data"]["h5_url"].is_string());
        assert_eq!(app.sim.order(&no).and_then(|o| o.payer_client_ip).as_deref(), Some("127.0.0.1"));
        app.sim.pay(&no).expect("pay");
        app.wait_paid(&token, &no).await;
    }

    async fn a_native_order_shows_its_code_again_and_refuses_other_ways(app: TestApp) {
        let (token, _) = buyer(&app, "qr_buyer", 74).await;
        app.learn_openid(&token, "carol").await;
        let res = app.post_auth("/order", &token, json!({"items": one_shoe()})).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let data = res.json()["data"].clone();
        assert_eq!(data["tradeType"], "NATIVE");
        let no = data["out_trade_no"].as_str().unwrap().to_owned();
        let again = app.post_auth(&format!("/orders/{no}/pay"), &token, json!({})).await;
        assert_eq!(again.status, 200, "{}", again.text());
        assert_eq!(again.json()["data"]["code_url"], data["code_url"]);
        assert!(again.json()["data"]["payUrl"].as_str().unwrap().starts_with("data:image/png;base64,"));
        for other in ["JSAPI", "H5"] {
            app.post_auth(&format!("/orders/{no}/pay"), &token, json!({"tradeType": other})).await.assert_error(409, 1061);
        }
        // Another buyer's order is not found; a closed one is not payable.
        let (stranger, _) = buyer(&app, "qr_stranger", 75).await;
        app.post_auth(&format!("/orders/{no}/pay"), &stranger, json!({})).await.assert_error(404, 1060);
        let closed = app.post_auth("/closeOrder", &token, json!({"out_trade_no": no})).await;
        assert_eq!(closed.status, 200, "{}", closed.text());
        app.post_auth(&format!("/orders/{no}/pay"), &token, json!({})).await.assert_error(409, 1061);
    }

    async fn the_redirect_uri_is_the_configured_one_whatever_the_host_header_says(app: TestApp) {
        let (token, _) = buyer(&app, "host_header", 78).await;
        let res = app
            .call(
                actix_web::test::TestRequest::post()
                    .uri("/wechat/oauth/start")
                    .insert_header(("host", "evil.example"))
                    .insert_header(("x-forwarded-host", "evil.example"))
                    .insert_header(("authorization", format!("Bearer {token}")))
                    .set_json(json!({"next": "/"})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let url = res.json()["data"]["url"].as_str().unwrap().to_owned();
        assert!(!url.contains("evil.example"), "{url}");
        let configured = url::form_urlencoded::byte_serialize(
            format!("http://{}/wechat/oauth/callback", app.addr).as_bytes(),
        )
        .collect::<String>();
        assert!(url.contains(&format!("redirect_uri={configured}&")), "{url}");
    }

    async fn bad_trade_types_and_next_paths_are_refused_with_nothing_stored(app: TestApp) {
        let (token, user) = buyer(&app, "bad_input", 76).await;
        let orders = app.orders_count();
        for trade_type in ["APP", "native", "MWEB", ""] {
            let msg = app
                .post_auth("/order", &token, json!({"items": one_shoe(), "tradeType": trade_type}))
                .await
                .assert_error(400, 1010);
            assert!(msg.contains("tradeType"), "{msg}");
        }
        for next in ["//evil.example/", "/\\evil.example", "https://evil.example/", "evil", "/a\u{7}b"] {
            let msg = app
                .post_auth("/wechat/oauth/start", &token, json!({"next": next}))
                .await
                .assert_error(400, 1010);
            assert!(msg.contains("next"), "{next:?}: {msg}");
            app.post_auth("/order", &token, json!({"items": one_shoe(), "tradeType": "JSAPI", "next": next}))
                .await
                .assert_error(400, 1010);
        }
        assert_eq!(app.orders_count(), orders);
        assert_eq!(app.database.scalar_i64("SELECT COUNT(*) FROM oauth_state"), 0);
        app.post_auth("/orders/not%20a%20number/pay", &token, json!({})).await.assert_error(400, 1010);

        // A forged state, an unknown code, an expired state.
        app.callback("code", "forgedState123", Some("nonce")).await.assert_error(400, 1010);
        app.callback("code", "not-a-valid-state!", Some("nonce")).await.assert_error(400, 1010);
        let (url, nonce) = app.oauth_start(&token, "/").await;
        let (_, state) = authorize(&url, "dave").await;
        let msg = app.callback("bogus-code", &state, Some(&nonce)).await.assert_error(400, 1010);
        assert!(msg.contains("40029"), "{msg}");
        app.clock.advance(TimeDelta::minutes(11));
        let (code, _) = authorize(&url, "dave").await;
        let msg = app.callback(&code, &state, Some(&nonce)).await.assert_error(400, 1010);
        assert!(msg.contains("expired"), "{msg}");
        assert_eq!(app.db.openid(user, APPID).await.unwrap(), None);

        // A code used once (40163) binds nothing the second time, and the
        // state it was tried with stays usable with a fresh code.
        let (url, nonce) = app.oauth_start(&token, "/").await;
        let (code, state) = authorize(&url, "erin").await;
        assert_eq!(app.callback(&code, &state, Some(&nonce)).await.status, 302);
        let (url2, nonce2) = app.oauth_start(&token, "/cart").await;
        let (_, state2) = authorize(&url2, "erin").await;
        let msg = app.callback(&code, &state2, Some(&nonce2)).await.assert_error(400, 1010);
        assert!(msg.contains("40163"), "{msg}");
        let (fresh, _) = authorize(&url2, "erin").await;
        let back = app.callback(&fresh, &state2, Some(&nonce2)).await;
        assert_eq!(back.header("location"), Some("/cart"));
    }
}

//! SMS codes, registration, login and protected routes.

use crate::api::helpers::{JWT_SECRET, TestApp, mobile};
use actix_web::test::TestRequest;
use chrono::TimeDelta;
use serde_json::json;

each_backend! {
    async fn sms_sends_a_six_digit_code_and_never_returns_it(app: TestApp) {
        let res = app.post_json("/sms", json!({"mobile": mobile(1)})).await;
        assert_eq!(res.status, 200);
        assert_eq!(res.json()["status"], 200);
        let sent = app.sms.sent();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].to, mobile(1));
        let code = &sent[0].params[0];
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(sent[0].params[1], "5", "lifetime in minutes");
        assert!(!res.text().contains(code.as_str()));
    }

    async fn sms_rejects_bad_mobiles_and_purposes_naming_the_field(app: TestApp) {
        for body in [json!({"mobile": "12800138000"}), json!({"mobile": "1380013800"}), json!({}), json!({"mobile": 13800138000u64})] {
            let msg = app.post_json("/sms", body.clone()).await.assert_error(400, 1010);
            assert!(msg.contains("mobile"), "{body}: {msg}");
        }
        let msg = app.post_json("/sms", json!({"mobile": mobile(1), "purpose": "reset"})).await.assert_error(400, 1010);
        assert!(msg.contains("purpose"), "{msg}");
        assert!(app.sms.sent().is_empty());
    }

    async fn sms_resend_waits_sixty_seconds(app: TestApp) {
        app.code_for(&mobile(2), "register").await;
        let again = app.post_json("/sms", json!({"mobile": mobile(2)})).await;
        again.assert_error(429, 1030);
        let wait: i64 = again.header("retry-after").expect("Retry-After").parse().expect("seconds");
        assert!((59..=60).contains(&wait), "{wait}");
        // The cooldown is per mobile: another number is served.
        app.code_for(&mobile(3), "register").await;
        app.clock.advance(TimeDelta::seconds(59));
        app.post_json("/sms", json!({"mobile": mobile(2)})).await.assert_error(429, 1030);
        app.clock.advance(TimeDelta::seconds(1));
        app.code_for(&mobile(2), "register").await;
        assert_eq!(app.sms.sent().len(), 3);
    }

    async fn sms_daily_cap_per_mobile_is_ten(app: TestApp) {
        for _ in 0..10 {
            app.code_for(&mobile(4), "register").await;
            app.clock.advance(TimeDelta::seconds(61));
        }
        let res = app.post_json("/sms", json!({"mobile": mobile(4)})).await;
        res.assert_error(429, 1030);
        let wait: i64 = res.header("retry-after").expect("Retry-After").parse().expect("seconds");
        assert!(wait > 20 * 3600, "the rest of the day: {wait}");
        app.clock.advance(TimeDelta::hours(24));
        app.code_for(&mobile(4), "register").await;
    }

    async fn sms_cap_per_client_ip(app: TestApp) {
        for n in 0..30 {
            let res = app.post_json_from("198.51.100.7", "/sms", json!({"mobile": mobile(100 + n)})).await;
            assert_eq!(res.status, 200, "{n}: {}", res.text());
        }
        app.post_json_from("198.51.100.7", "/sms", json!({"mobile": mobile(200)})).await.assert_error(429, 1030);
        // Another client is not affected.
        let other = app.post_json_from("198.51.100.8", "/sms", json!({"mobile": mobile(200)})).await;
        assert_eq!(other.status, 200);
    }

    async fn sms_replies_the_same_whether_or_not_a_mobile_is_registered(app: TestApp) {
        app.register("known_user", "secret-pw", &mobile(5)).await;
        app.clock.advance(TimeDelta::seconds(61));
        let sent_before = app.sms.sent().len();
        let known = app.post_json("/sms", json!({"mobile": mobile(5), "purpose": "login"})).await;
        let unknown = app.post_json("/sms", json!({"mobile": mobile(6), "purpose": "login"})).await;
        assert_eq!((known.status, known.json()), (unknown.status, unknown.json()));
        // Only the registered number gets a login code.
        assert_eq!(app.sms.sent().len(), sent_before + 1);
        assert_eq!(app.sms.sent().last().map(|s| s.to.clone()), Some(mobile(5)));
        // Asking to register a registered mobile looks like any other number.
        app.clock.advance(TimeDelta::seconds(61));
        let again = app.post_json("/sms", json!({"mobile": mobile(5), "purpose": "register"})).await;
        assert_eq!(again.status, 200);
    }

    async fn a_provider_failure_is_502_and_the_user_may_retry_at_once(app: TestApp) {
        app.sms.fail_next(letao_sms::SmsError::Transport("connection reset".into()));
        app.post_json("/sms", json!({"mobile": mobile(7)})).await.assert_error(502, 1045);
        // The failed code neither counts against the cooldown nor works.
        let code = app.code_for(&mobile(7), "register").await;
        app.sms.fail_next(letao_sms::SmsError::RateLimited { code: "LimitExceeded.PhoneNumberDailyLimit".into(), message: "m".into() });
        app.clock.advance(TimeDelta::seconds(61));
        let limited = app.post_json("/sms", json!({"mobile": mobile(7)})).await;
        limited.assert_error(429, 1030);
        app.clock.advance(TimeDelta::seconds(61));
        app.sms.fail_next(letao_sms::SmsError::Rejected { code: "InvalidParameterValue.IncorrectPhoneNumber".into(), message: "m".into() });
        let msg = app.post_json("/sms", json!({"mobile": mobile(7)})).await.assert_error(400, 1010);
        assert!(msg.contains("mobile"));
        assert_eq!(code.len(), 6);
    }

    async fn register_login_and_me(app: TestApp) {
        let code = app.code_for(&mobile(10), "register").await;
        let res = app
            .post_json("/register", json!({"username": "shoe_fan", "password": "123456", "repeat_password": "123456",
                                           "mobile": mobile(10), "smscode": code}))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(res.json()["status"], 200);

        let login = app.post_json("/login", json!({"username": "shoe_fan", "password": "123456"})).await;
        assert_eq!(login.status, 200);
        let body = login.json();
        assert_eq!(body["status"], 200);
        assert_eq!(body["userInfo"]["username"], "shoe_fan");
        assert_eq!(body["userInfo"]["mobile"], mobile(10));
        let id = body["userInfo"]["id"].as_i64().expect("id");
        let token = body["token"].as_str().expect("token");
        // The original server's clients read `code` and `data.token`.
        assert_eq!(body["code"], 200);
        assert_eq!(body["data"], json!({"token": token, "username": "shoe_fan", "mobile": mobile(10)}));
        let legacy = app.post_json("/users/login", json!({"username": "shoe_fan", "password": "123456"})).await.json();
        assert_eq!((legacy["code"].clone(), legacy["data"]["username"].clone()), (json!(200), json!("shoe_fan")));
        assert!(legacy["data"]["token"].is_string());

        let me = app.get_auth("/user/me", token).await;
        assert_eq!(me.status, 200);
        assert_eq!(me.json(), json!({"status": 200, "userInfo": {"id": id, "username": "shoe_fan", "mobile": mobile(10), "role": null}}));
        // The password is stored as argon2id, never in clear.
        let stored = app.database.scalar_i64(&format!(
            "SELECT COUNT(*) FROM {} WHERE password LIKE '$argon2id$%' AND password_scheme = 'argon2id'",
            app.database.quoted_user()
        ));
        assert_eq!(stored, 1);
    }

    async fn forms_are_accepted_like_json(app: TestApp) {
        let code = app.code_for(&mobile(11), "register").await;
        let form = format!("username=form_user&password=abcdef&mobile={}&smscode={code}", mobile(11));
        let res = app
            .call(TestRequest::post().uri("/register").insert_header(("content-type", "application/x-www-form-urlencoded")).set_payload(form))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let login = app
            .call(TestRequest::post().uri("/login").insert_header(("content-type", "application/x-www-form-urlencoded")).set_payload("username=form_user&password=abcdef"))
            .await;
        assert_eq!(login.status, 200, "{}", login.text());
    }

    async fn register_names_every_invalid_field(app: TestApp) {
        let code = app.code_for(&mobile(12), "register").await;
        let valid = json!({"username": "valid_name", "password": "123456", "mobile": mobile(12), "smscode": code});
        let cases: Vec<(&str, serde_json::Value)> = vec![
            ("username", json!("ab")),
            ("username", json!("123456789012345678901")),
            ("username", json!(" padded")),
            ("username", json!("tab\there")),
            ("username", json!(12345)),
            ("password", json!("12345")),
            ("password", json!("x".repeat(65))),
            ("password", json!(null)),
            ("mobile", json!("23800138000")),
            ("mobile", json!("138001380001")),
            ("smscode", json!("12345")),
            ("smscode", json!("abcdef")),
            ("smscode", json!(123456)),
        ];
        for (field, value) in cases {
            let mut body = valid.clone();
            body[field] = value.clone();
            let msg = app.post_json("/register", body).await.assert_error(400, 1010);
            assert!(msg.contains(field), "{field}={value}: {msg}");
        }
        for field in ["username", "password", "mobile", "smscode"] {
            let mut body = valid.clone();
            body.as_object_mut().expect("object").remove(field);
            let msg = app.post_json("/register", body).await.assert_error(400, 1010);
            assert!(msg.contains(field), "missing {field}: {msg}");
        }
        let mut mismatch = valid.clone();
        mismatch["repeat_password"] = json!("654321");
        let msg = app.post_json("/register", mismatch).await.assert_error(400, 1010);
        assert!(msg.contains("repeat_password"), "{msg}");
        // None of these used the code.
        assert_eq!(app.post_json("/register", valid).await.status, 200);
    }

    async fn register_refuses_wrong_expired_and_reused_codes(app: TestApp) {
        let code = app.code_for(&mobile(13), "register").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let body = |name: &str, c: &str| json!({"username": name, "password": "123456", "mobile": mobile(13), "smscode": c});
        app.post_json("/register", body("user_a", wrong)).await.assert_error(400, 1020);
        assert_eq!(app.post_json("/register", body("user_a", &code)).await.status, 200);
        // Used once: no second account from it.
        app.post_json("/register", body("user_b", &code)).await.assert_error(400, 1020);

        let code2 = app.code_for(&mobile(14), "register").await;
        app.clock.advance(TimeDelta::minutes(5));
        let late = json!({"username": "user_c", "password": "123456", "mobile": mobile(14), "smscode": code2});
        app.post_json("/register", late).await.assert_error(400, 1020);

        // A code sent for login is no good for registering.
        app.clock.advance(TimeDelta::seconds(61));
        app.post_json("/sms", json!({"mobile": mobile(13), "purpose": "login"})).await;
        let login_code = app.sms.last_params_to(&mobile(13)).expect("sent")[0].clone();
        let body = json!({"username": "user_d", "password": "123456", "mobile": mobile(13), "smscode": login_code});
        app.post_json("/register", body).await.assert_error(400, 1020);
    }

    async fn the_sixth_try_fails_even_with_the_right_code(app: TestApp) {
        let code = app.code_for(&mobile(15), "register").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let body = |c: &str| json!({"username": "tries", "password": "123456", "mobile": mobile(15), "smscode": c});
        for _ in 0..5 {
            app.post_json("/register", body(wrong)).await.assert_error(400, 1020);
        }
        app.post_json("/register", body(&code)).await.assert_error(400, 1020);
        // A new code works again.
        app.clock.advance(TimeDelta::seconds(61));
        let fresh = app.code_for(&mobile(15), "register").await;
        assert_eq!(app.post_json("/register", body(&fresh)).await.status, 200);
    }

    async fn taken_usernames_and_mobiles_are_409_and_keep_the_code(app: TestApp) {
        app.register("taken_name", "123456", &mobile(16)).await;
        let code = app.code_for(&mobile(17), "register").await;
        let clash = json!({"username": "taken_name", "password": "123456", "mobile": mobile(17), "smscode": code});
        let msg = app.post_json("/register", clash).await.assert_error(409, 1000);
        assert!(msg.contains("username"), "{msg}");
        // The code was not used up by the refused attempt.
        let ok = json!({"username": "other_name", "password": "123456", "mobile": mobile(17), "smscode": code});
        assert_eq!(app.post_json("/register", ok).await.status, 200);

        app.clock.advance(TimeDelta::seconds(61));
        let code = app.code_for(&mobile(16), "register").await;
        let same_mobile = json!({"username": "third_name", "password": "123456", "mobile": mobile(16), "smscode": code});
        let msg = app.post_json("/register", same_mobile).await.assert_error(409, 1000);
        assert!(msg.contains("mobile"), "{msg}");
        // Case matters: another user may be called TAKEN_NAME.
        app.register("TAKEN_NAME", "123456", &mobile(18)).await;
    }

    async fn twenty_concurrent_registrations_of_one_name_make_one_account(app: TestApp) {
        let mut bodies = Vec::new();
        for n in 0..20 {
            let m = mobile(300 + n);
            let code = app.code_for(&m, "register").await;
            bodies.push(json!({"username": "race_name", "password": "123456", "mobile": m, "smscode": code}));
        }
        let results = futures_util::future::join_all(bodies.into_iter().map(|b| app.post_json("/register", b))).await;
        let ok = results.iter().filter(|r| r.status == 200).count();
        let conflicts = results.iter().filter(|r| r.status == 409 && r.json()["status"] == 1000).count();
        assert_eq!((ok, conflicts), (1, 19), "{:?}", results.iter().map(|r| r.text()).collect::<Vec<_>>());
        let rows = app.database.scalar_i64(&format!("SELECT COUNT(*) FROM {} WHERE username = 'race_name'", app.database.quoted_user()));
        assert_eq!(rows, 1);
    }

    async fn login_failures_look_the_same_whether_or_not_the_user_exists(app: TestApp) {
        app.register("real_user", "right-password", &mobile(19)).await;
        let wrong_password = app.post_json("/login", json!({"username": "real_user", "password": "wrong-password"})).await;
        let no_such_user = app.post_json("/login", json!({"username": "ghost_user", "password": "wrong-password"})).await;
        wrong_password.assert_error(401, 1040);
        assert_eq!((wrong_password.status, wrong_password.json()), (no_such_user.status, no_such_user.json()));
    }

    async fn repeated_login_failures_are_throttled(app: TestApp) {
        app.register("target", "right-password", &mobile(20)).await;
        for _ in 0..5 {
            app.post_json("/login", json!({"username": "target", "password": "guess"})).await.assert_error(401, 1040);
        }
        let blocked = app.post_json("/login", json!({"username": "target", "password": "right-password"})).await;
        blocked.assert_error(429, 1030);
        assert!(blocked.header("retry-after").is_some());
        app.clock.advance(TimeDelta::minutes(15));
        app.login("target", "right-password").await;
        // Successes do not count: many logins in a row are fine.
        for _ in 0..10 {
            app.login("target", "right-password").await;
        }
    }

    async fn concurrent_logins_of_one_account_all_succeed(app: TestApp) {
        app.register("busy_user", "right-password", &mobile(24)).await;
        let body = json!({"username": "busy_user", "password": "right-password"});
        let results = futures_util::future::join_all((0..20).map(|_| app.post_json("/login", body.clone()))).await;
        assert!(results.iter().all(|r| r.status == 200), "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    }

    async fn failures_from_one_ip_are_throttled_across_usernames(app: TestApp) {
        for n in 0..30 {
            let res = app.post_json_from("203.0.113.5", "/login", json!({"username": format!("nobody{n}"), "password": "x"})).await;
            res.assert_error(401, 1040);
        }
        app.post_json_from("203.0.113.5", "/login", json!({"username": "nobody99", "password": "x"})).await.assert_error(429, 1030);
        app.post_json_from("203.0.113.6", "/login", json!({"username": "nobody99", "password": "x"})).await.assert_error(401, 1040);
    }

    async fn a_legacy_md5_row_logs_in_once_and_is_rehashed(app: TestApp) {
        use md5::{Digest, Md5};
        let legacy = hex::encode(Md5::digest(b"old-password".iter().chain(b"letaoSecret").copied().collect::<Vec<u8>>()));
        app.database.execute_sql(&format!(
            "INSERT INTO {} (username, password, mobile, password_scheme, created_at) \
             VALUES ('old_timer', '{legacy}', '{}', 'md5-legacy', '2021-09-01 00:00:00')",
            app.database.quoted_user(), mobile(21)
        ));
        app.post_json("/login", json!({"username": "old_timer", "password": "wrong"})).await.assert_error(401, 1040);
        let token = app.login("old_timer", "old-password").await;
        assert_eq!(app.get_auth("/user/me", &token).await.json()["userInfo"]["username"], "old_timer");
        let rehashed = app.database.scalar_i64(&format!(
            "SELECT COUNT(*) FROM {} WHERE username = 'old_timer' AND password LIKE '$argon2id$%' AND password_scheme = 'argon2id'",
            app.database.quoted_user()
        ));
        assert_eq!(rehashed, 1, "the MD5 hash is gone");
        app.login("old_timer", "old-password").await;
    }

    async fn login_with_an_sms_code(app: TestApp) {
        app.register("code_user", "123456", &mobile(22)).await;
        app.clock.advance(TimeDelta::seconds(61));
        let code = app.code_for(&mobile(22), "login").await;
        let res = app.post_json("/login", json!({"mobile": mobile(22), "smscode": code})).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let body = res.json();
        assert_eq!(body["userInfo"]["username"], "code_user");
        assert_eq!(body["data"], json!({"token": body["token"], "username": "code_user", "mobile": mobile(22)}));
        app.post_json("/login", json!({"mobile": mobile(22), "smscode": code})).await.assert_error(400, 1020);
        let msg = app.post_json("/login", json!({"mobile": mobile(22)})).await.assert_error(400, 1010);
        assert!(msg.contains("smscode"));
        let msg = app.post_json("/login", json!({"username": "code_user"})).await.assert_error(400, 1010);
        assert!(msg.contains("password"));
        let msg = app.post_json("/login", json!({})).await.assert_error(400, 1010);
        assert!(msg.contains("username"));
    }

    async fn bad_tokens_get_401(app: TestApp) {
        app.register("token_user", "123456", &mobile(23)).await;
        let token = app.login("token_user", "123456").await;
        assert_eq!(app.get_auth("/user/me", &token).await.status, 200);

        app.get("/user/me").await.assert_error(401, 401);
        let no_token = app.call(TestRequest::get().uri("/user/me").insert_header(("authorization", "Bearer"))).await;
        no_token.assert_error(401, 401);
        let basic = app.call(TestRequest::get().uri("/user/me").insert_header(("authorization", format!("Basic {token}")))).await;
        basic.assert_error(401, 401);
        let res = app.get_auth("/user/me", "not.a.token").await;
        res.assert_error(401, 401);
        assert_eq!(res.header("www-authenticate"), Some("Bearer"));

        let parts: Vec<&str> = token.split('.').collect();
        let mut sig = parts[2].to_owned();
        let last = if sig.ends_with('A') { "B" } else { "A" };
        sig.replace_range(sig.len() - 1.., last);
        app.get_auth("/user/me", &format!("{}.{}.{sig}", parts[0], parts[1])).await.assert_error(401, 401);

        use base64::Engine;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let now = chrono::Utc::now().timestamp();
        let claims = b64(&format!(r#"{{"sub":"1","iat":{now},"exp":{}}}"#, now + 3600));
        let none = format!("{}.{claims}.", b64(r#"{"alg":"none","typ":"JWT"}"#));
        app.get_auth("/user/me", &none).await.assert_error(401, 401);

        let foreign = letao_auth::TokenKeys::new(&secrecy::SecretString::from("someone-elses-secret"), TimeDelta::hours(1))
            .issue(1, letao_auth::Clock::now(app.clock.as_ref()));
        app.get_auth("/user/me", &foreign).await.assert_error(401, 401);

        app.clock.advance(TimeDelta::hours(36));
        app.get_auth("/user/me", &token).await.assert_error(401, 401);
        // A token made with the app's own secret but for a user that does not exist.
        let ghost = letao_auth::TokenKeys::new(&secrecy::SecretString::from(JWT_SECRET), TimeDelta::hours(1))
            .issue(999_999, letao_auth::Clock::now(app.clock.as_ref()));
        app.get_auth("/user/me", &ghost).await.assert_error(401, 401);
    }

    async fn sql_looking_and_unicode_input_is_stored_verbatim(app: TestApp) {
        for (n, name) in ["' OR 1=1 --", "乐淘😀用户", "Robert'); --", "<b>&amp;</b>", "a\\\"b\\\\c"].iter().enumerate() {
            app.register(name, "p@ss' OR '1'='1", &mobile(30 + n as u32)).await;
            let token = app.login(name, "p@ss' OR '1'='1").await;
            let me = app.get_auth("/user/me", &token).await.json();
            assert_eq!(me["userInfo"]["username"], *name);
        }
        app.post_json("/login", json!({"username": "' OR 1=1 --", "password": "' OR '1'='1"})).await.assert_error(401, 1040);
    }

    async fn logins_and_registration_are_post_only_and_me_is_protected(app: TestApp) {
        for uri in ["/sms", "/register", "/login"] {
            let res = app.get(uri).await;
            res.assert_error(405, 405);
            assert_eq!(res.header("allow"), Some("POST"));
        }
        app.call(TestRequest::post().uri("/user/me")).await.assert_error(401, 401);
        let oversized = app
            .call(TestRequest::post().uri("/login").insert_header(("content-type", "application/json")).set_payload(vec![b' '; 100_000]))
            .await;
        assert_eq!(oversized.status, 413);
    }
}

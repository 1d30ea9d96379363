//! Accounts: codes, registration and login, with the fake SMS sender.

use crate::shop::support::Shop;
use letao_db::each_backend;
use letao_domain::Mobile;
use letao_domain::verification::SmsPurpose;
use letao_shop::{RegisterRequest, ShopError, Taken};
use letao_sms::SmsError;
use secrecy::SecretString;
use std::net::IpAddr;

fn ip() -> IpAddr {
    "10.0.0.2".parse().unwrap()
}

fn mobile(s: &str) -> Mobile {
    s.parse().unwrap()
}

each_backend! {
    #[tokio::test]

    async fn registration_needs_the_code_that_was_sent(shop: Shop) {
        let m = mobile("13600000001");
        shop.accounts.send_code(&m, SmsPurpose::Register, ip()).await.unwrap();
        let code = shop.sms.last_params_to(m.as_str()).unwrap()[0].clone();
        let request = |code: &str, name: &str| RegisterRequest {
            username: name.parse().unwrap(),
            password: SecretString::from("a-password"),
            mobile: m.clone(),
            code: code.to_owned(),
        };
        let wrong = if code == "000000" { "111111" } else { "000000" };
        assert!(matches!(shop.accounts.register(request(wrong, "newbie")).await, Err(ShopError::SmsCode)));
        let id = shop.accounts.register(request(&code, "newbie")).await.unwrap();
        assert!(id > 0);
        assert!(matches!(shop.accounts.register(request(&code, "newbie2")).await, Err(ShopError::SmsCode)), "used once");
        let other = shop.user("second", "13600000002").await;
        assert!(other > id);
        shop.clock.advance(chrono::TimeDelta::seconds(61));
        shop.accounts.send_code(&m, SmsPurpose::Register, ip()).await.unwrap();
        let again = shop.sms.last_params_to(m.as_str()).unwrap()[0].clone();
        assert!(matches!(
            shop.accounts.register(request(&again, "newbie")).await,
            Err(ShopError::Taken(Taken::Username))
        ));
    }

    async fn codes_are_rate_limited_and_a_failed_send_is_given_back(shop: Shop) {
        let m = mobile("13600000003");
        shop.accounts.send_code(&m, SmsPurpose::Register, ip()).await.unwrap();
        let err = shop.accounts.send_code(&m, SmsPurpose::Register, ip()).await.unwrap_err();
        assert!(matches!(err, ShopError::TooMany { retry_after } if retry_after > 0 && retry_after <= 60));
        let n = mobile("13600000004");
        shop.sms.fail_next(SmsError::Transport("down".into()));
        assert!(matches!(shop.accounts.send_code(&n, SmsPurpose::Register, ip()).await, Err(ShopError::SmsProvider)));
        shop.accounts.send_code(&n, SmsPurpose::Register, ip()).await.expect("the limit was given back");
        // A login code for an unknown mobile is not sent, and says nothing.
        let stranger = mobile("13600000005");
        shop.accounts.send_code(&stranger, SmsPurpose::Login, ip()).await.unwrap();
        assert!(shop.sms.last_params_to(stranger.as_str()).is_none());
    }

    async fn logins_by_password_or_code_and_throttled_failures(shop: Shop) {
        shop.user("walker", "13600000006").await;
        let ok = shop.accounts.login_password("walker", SecretString::from("a-password"), ip()).await.unwrap();
        assert_eq!(ok.user.username.as_deref(), Some("walker"));
        assert!(!ok.token.is_empty());
        for _ in 0..5 {
            let e = shop.accounts.login_password("walker", SecretString::from("wrong-one"), ip()).await.unwrap_err();
            assert!(matches!(e, ShopError::LoginFailed));
        }
        let throttled = shop.accounts.login_password("walker", SecretString::from("a-password"), ip()).await.unwrap_err();
        assert!(matches!(throttled, ShopError::TooMany { .. }));
        assert!(matches!(
            shop.accounts.login_password("ghost", SecretString::from("a-password"), ip()).await,
            Err(ShopError::LoginFailed)
        ));

        let m = mobile("13600000006");
        shop.clock.advance(chrono::TimeDelta::minutes(16));
        shop.accounts.send_code(&m, SmsPurpose::Login, ip()).await.unwrap();
        let code = shop.sms.last_params_to(m.as_str()).unwrap()[0].clone();
        let by_code = shop.accounts.login_code(&m, &code, ip()).await.unwrap();
        assert_eq!(by_code.user.mobile.as_deref(), Some("13600000006"));
        assert!(matches!(shop.accounts.login_code(&m, &code, ip()).await, Err(ShopError::SmsCode)));
    }
}

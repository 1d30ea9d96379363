//! Registration and login, over the fakes.

use crate::support::{AccountShop, ip};
use chrono::TimeDelta;
use letao_domain::verification::SmsPurpose;
use letao_shop::{RegisterRequest, ShopError, Taken};
use secrecy::SecretString;

#[tokio::test]
async fn registration_takes_the_code_that_was_sent_once() {
    let shop = AccountShop::new();
    let m = "13600000001".parse().unwrap();
    shop.accounts
        .send_code(&m, SmsPurpose::Register, ip())
        .await
        .unwrap();
    let code = shop.code_sent_to("13600000001");
    let request = |code: &str, name: &str| RegisterRequest {
        username: name.parse().unwrap(),
        password: SecretString::from("a-password"),
        mobile: "13600000001".parse().unwrap(),
        code: code.to_owned(),
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert!(matches!(
        shop.accounts.register(request(wrong, "newbie")).await,
        Err(ShopError::SmsCode)
    ));
    let id = shop
        .accounts
        .register(request(&code, "newbie"))
        .await
        .unwrap();
    let user = shop.accounts.profile(id).await.unwrap().expect("the user");
    assert_eq!(user.username.as_deref(), Some("newbie"));
    assert!(
        user.password
            .as_deref()
            .is_some_and(|p| p.starts_with("$argon2id$")),
        "hashed"
    );
    assert!(
        matches!(
            shop.accounts.register(request(&code, "newbie2")).await,
            Err(ShopError::SmsCode)
        ),
        "used once"
    );
    // The same name with another mobile's code: taken, and that code stays good.
    shop.clock.advance(TimeDelta::seconds(61));
    let other = "13600000002".parse().unwrap();
    shop.accounts
        .send_code(&other, SmsPurpose::Register, ip())
        .await
        .unwrap();
    let other_code = shop.code_sent_to("13600000002");
    let again = RegisterRequest {
        mobile: other,
        ..request(&other_code, "newbie")
    };
    assert!(matches!(
        shop.accounts.register(again).await,
        Err(ShopError::Taken(Taken::Username))
    ));
    let fine = RegisterRequest {
        mobile: "13600000002".parse().unwrap(),
        ..request(&other_code, "second")
    };
    assert!(shop.accounts.register(fine).await.unwrap() > id);
}

#[tokio::test]
async fn codes_are_sent_once_a_minute_per_mobile() {
    let shop = AccountShop::new();
    let m = "13600000003".parse().unwrap();
    shop.accounts
        .send_code(&m, SmsPurpose::Register, ip())
        .await
        .unwrap();
    assert!(matches!(
        shop.accounts
            .send_code(&m, SmsPurpose::Register, ip())
            .await,
        Err(ShopError::TooMany { .. })
    ));
    shop.clock.advance(TimeDelta::seconds(61));
    shop.accounts
        .send_code(&m, SmsPurpose::Register, ip())
        .await
        .unwrap();
    assert_eq!(shop.sms.sent().len(), 2);
}

#[tokio::test]
async fn login_by_password_gives_a_token_and_failures_are_throttled() {
    let shop = AccountShop::new();
    let id = shop.registered("walker", "a-password", "13600000004").await;
    let ok = shop
        .accounts
        .login_password("walker", SecretString::from("a-password"), ip())
        .await
        .unwrap();
    assert_eq!(ok.user.id, id);
    let claims = shop
        .accounts
        .tokens()
        .verify(&ok.token, letao_auth::Clock::now(shop.clock.as_ref()))
        .unwrap();
    assert_eq!(claims, i64::from(id));
    for _ in 0..5 {
        assert!(matches!(
            shop.accounts
                .login_password("walker", SecretString::from("wrong"), ip())
                .await,
            Err(ShopError::LoginFailed)
        ));
    }
    assert!(
        matches!(
            shop.accounts
                .login_password("walker", SecretString::from("a-password"), ip())
                .await,
            Err(ShopError::TooMany { .. })
        ),
        "even the right password waits"
    );
    assert!(matches!(
        shop.accounts
            .login_password("nobody", SecretString::from("x"), ip())
            .await,
        Err(ShopError::LoginFailed)
    ));
}

#[tokio::test]
async fn login_by_code_finds_the_account_of_the_mobile() {
    let shop = AccountShop::new();
    let id = shop.registered("texter", "a-password", "13600000005").await;
    shop.clock.advance(TimeDelta::seconds(61));
    let m = "13600000005".parse().unwrap();
    shop.accounts
        .send_code(&m, SmsPurpose::Login, ip())
        .await
        .unwrap();
    let code = shop.code_sent_to("13600000005");
    let logged = shop.accounts.login_code(&m, &code, ip()).await.unwrap();
    assert_eq!(logged.user.id, id);
    assert!(
        matches!(
            shop.accounts.login_code(&m, &code, ip()).await,
            Err(ShopError::SmsCode)
        ),
        "used once"
    );
}

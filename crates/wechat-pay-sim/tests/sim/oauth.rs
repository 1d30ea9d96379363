//! The OAuth stand-ins, driven by the crate's OAuth client and by hand.

use crate::{APPID, start_sim};
use secrecy::SecretString;
use std::time::Duration;
use wechat_pay::oauth::{OAuth, OAuthError, State};

const OA_APPID: &str = "wx00000000000oa001";
const OA_SECRET: &str = "sim-oa-secret";

/// An agent that hands redirects back instead of following them.
fn no_redirects() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .build()
        .new_agent()
}

fn sim() -> wechat_pay_sim::RunningSim {
    start_sim(|c| {
        c.oa_appid = OA_APPID.into();
        c.oa_secret = OA_SECRET.into();
    })
}

fn oauth(sim: &wechat_pay_sim::RunningSim) -> OAuth {
    OAuth::new(OA_APPID, SecretString::from(OA_SECRET)).with_bases(&sim.base_url(), &sim.base_url())
}

/// Follows the authorize URL once: the redirect's code and state.
fn authorize(url: &str, cookie: Option<&str>) -> (String, String, Option<String>) {
    let mut req = no_redirects().get(url.trim_end_matches("#wechat_redirect"));
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let res = req.call().unwrap();
    assert_eq!(res.status().as_u16(), 302, "redirects at once");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let set_cookie = res
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned());
    assert!(location.starts_with("https://shop.example.com/wechat/oauth/callback?"));
    let parsed = url::Url::parse(&location).unwrap();
    let get = |k: &str| {
        parsed
            .query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    (get("code"), get("state"), set_cookie)
}

const CALLBACK: &str = "https://shop.example.com/wechat/oauth/callback";

#[test]
fn authorize_redirects_with_code_and_state_and_the_code_gives_a_stable_openid() {
    let sim = sim();
    let o = oauth(&sim);
    let state = State::new("s1a2b3").unwrap();
    let url = o
        .authorize_url(CALLBACK, &state)
        .unwrap()
        .replace("#wechat_redirect", "&sim_user=alice#wechat_redirect");
    let (code, got_state, cookie) = authorize(&url, None);
    assert_eq!(got_state, "s1a2b3");
    assert!(cookie.unwrap().starts_with("sim_user=alice"));
    let token = o.exchange_code(&code).unwrap();
    assert_eq!(token.openid, wechat_pay_sim::openid_for(OA_APPID, "alice"));
    assert_eq!(token.scope, "snsapi_base");

    // Same user again (by cookie this time): same openid; another user: another.
    let plain = o.authorize_url(CALLBACK, &State::random()).unwrap();
    let (code, _, _) = authorize(&plain, Some("sim_user=alice"));
    assert_eq!(o.exchange_code(&code).unwrap().openid, token.openid);
    let (code, _, _) = authorize(&plain, None);
    let default_buyer = o.exchange_code(&code).unwrap().openid;
    assert_ne!(default_buyer, token.openid);
    assert_eq!(default_buyer, wechat_pay_sim::openid_for(OA_APPID, "buyer"));
}

#[test]
fn codes_are_single_use_and_expire_after_five_minutes() {
    let sim = sim();
    let o = oauth(&sim);
    let url = o.authorize_url(CALLBACK, &State::random()).unwrap();
    let (code, _, _) = authorize(&url, None);
    o.exchange_code(&code).unwrap();
    assert_eq!(o.exchange_code(&code).unwrap_err(), OAuthError::CodeUsed);
    assert_eq!(
        o.exchange_code("never-issued").unwrap_err(),
        OAuthError::InvalidCode
    );

    let (code, _, _) = authorize(&url, None);
    sim.set_clock(Some(chrono::Utc::now() + chrono::TimeDelta::seconds(290)));
    let (fresh, _, _) = authorize(&url, None);
    sim.set_clock(Some(chrono::Utc::now() + chrono::TimeDelta::seconds(301)));
    assert_eq!(
        o.exchange_code(&code).unwrap_err(),
        OAuthError::InvalidCode,
        "expired"
    );
    assert!(
        o.exchange_code(&fresh).is_ok(),
        "11 s old on the moved clock"
    );
}

#[test]
fn wrong_credentials_and_malformed_requests_are_refused() {
    let sim = sim();
    let url = oauth(&sim)
        .authorize_url(CALLBACK, &State::random())
        .unwrap();
    let (code, _, _) = authorize(&url, None);
    let wrong_secret = OAuth::new(OA_APPID, SecretString::from("nope"))
        .with_bases(&sim.base_url(), &sim.base_url());
    assert_eq!(
        wrong_secret.exchange_code(&code).unwrap_err(),
        OAuthError::Api {
            errcode: 40125,
            errmsg: "invalid appsecret".into()
        }
    );
    // The code survived the refused attempt.
    assert!(oauth(&sim).exchange_code(&code).is_ok());

    let base = sim.base_url();
    let redirect = "https%3A%2F%2Fshop.example.com%2Fcb";
    for bad in [
        // The merchant's pay appid is not the official account.
        format!(
            "{base}/connect/oauth2/authorize?appid={APPID}&redirect_uri={redirect}&response_type=code&scope=snsapi_base&state=a"
        ),
        format!(
            "{base}/connect/oauth2/authorize?appid={OA_APPID}&redirect_uri={redirect}&response_type=code&scope=snsapi_base&state=a-b"
        ),
        format!(
            "{base}/connect/oauth2/authorize?appid={OA_APPID}&redirect_uri=%2Frelative&response_type=code&scope=snsapi_base&state=a"
        ),
        format!(
            "{base}/connect/oauth2/authorize?appid={OA_APPID}&redirect_uri={redirect}&response_type=token&scope=snsapi_base&state=a"
        ),
        format!(
            "{base}/connect/oauth2/authorize?appid={OA_APPID}&redirect_uri={redirect}&response_type=code&scope=snsapi_base&state={}",
            "a".repeat(129)
        ),
    ] {
        let res = no_redirects().get(&bad).call().unwrap();
        assert_eq!(res.status().as_u16(), 400, "{bad}");
    }
}

//! The buyer's openid by WeChat's silent OAuth (`snsapi_base`), for paying
//! inside WeChat (JSAPI). `snsapi_base` shows the buyer no consent screen,
//! so a round trip is bound three ways: its `state` is single-use and
//! expires, it names the buyer who began it, and it holds the hash of a
//! nonce that only that buyer's browser has (an HttpOnly cookie). A link
//! an attacker begins and sends to a victim fails the cookie check, so the
//! victim's openid is never bound to the attacker's account.

use crate::ShopError;
use crate::store::{OAuthStateRecord, WechatIdStore};
use chrono::TimeDelta;
use letao_auth::Clock;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use wechat_pay::oauth::{OAuth, OAuthError, State};

/// Longest `next` kept.
const MAX_NEXT: usize = 512;

/// How long a round trip may take.
pub const STATE_TTL: TimeDelta = TimeDelta::minutes(10);

/// Why a code gave no openid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    /// 40163: the code was used already.
    #[error("the code was used already (40163)")]
    CodeUsed,
    /// 40029: the code is unknown or expired.
    #[error("the code is invalid or expired (40029)")]
    InvalidCode,
    /// WeChat failed or refused otherwise.
    #[error("{0}")]
    Failed(String),
}

/// WeChat's side of OAuth, as the shop needs it.
#[async_trait::async_trait]
pub trait CodeExchange: Send + Sync {
    /// The authorize URL to send the browser to.
    fn authorize_url(&self, redirect_uri: &str, state: &str) -> Result<String, ExchangeError>;
    /// The openid a code stands for (a code is single-use).
    async fn openid(&self, code: &str) -> Result<String, ExchangeError>;
}

/// [`CodeExchange`] over `wechat_pay::oauth` and reqwest (the async path:
/// no runtime thread waits on the network).
pub struct WechatCodeExchange {
    oauth: OAuth,
    http: reqwest::Client,
}

impl WechatCodeExchange {
    /// The exchange of the official account `oauth`.
    pub fn new(oauth: OAuth) -> WechatCodeExchange {
        WechatCodeExchange {
            oauth,
            http: reqwest::Client::new(),
        }
    }
}

#[async_trait::async_trait]
impl CodeExchange for WechatCodeExchange {
    fn authorize_url(&self, redirect_uri: &str, state: &str) -> Result<String, ExchangeError> {
        let state = State::new(state).map_err(|e| ExchangeError::Failed(e.to_string()))?;
        self.oauth
            .authorize_url(redirect_uri, &state)
            .map_err(|e| ExchangeError::Failed(e.to_string()))
    }

    async fn openid(&self, code: &str) -> Result<String, ExchangeError> {
        match self.oauth.exchange_code_async(&self.http, code).await {
            Ok(token) => Ok(token.openid),
            Err(OAuthError::CodeUsed) => Err(ExchangeError::CodeUsed),
            Err(OAuthError::InvalidCode | OAuthError::InvalidRequest(_)) => {
                Err(ExchangeError::InvalidCode)
            }
            Err(e) => Err(ExchangeError::Failed(e.to_string())),
        }
    }
}

/// Settings of the OAuth round trip.
#[derive(Debug, Clone)]
pub struct OAuthConfig {
    /// The official account's appid (openids are kept under it).
    pub appid: String,
    /// Where WeChat sends the browser back (absolute; from the
    /// configuration, never from a request's `Host`).
    pub redirect_url: String,
}

/// A round trip begun: the URL for the browser and the nonce its cookie
/// must hold when it comes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthStart {
    /// WeChat's authorize URL.
    pub url: String,
    /// The cookie's value.
    pub nonce: String,
}

/// Buyers' openids and the OAuth round trips that learn them.
pub struct WechatLogin {
    store: Arc<dyn WechatIdStore>,
    exchange: Arc<dyn CodeExchange>,
    config: OAuthConfig,
    clock: Arc<dyn Clock>,
}

/// `next`: one leading `/` not followed by `/` or `\`, no control
/// characters (nor a `\` anywhere, which browsers read as `/`), at most 512
/// bytes; the reason otherwise.
pub fn check_next(next: &str) -> Result<(), &'static str> {
    if next.len() > MAX_NEXT {
        return Err("must be at most 512 bytes");
    }
    let mut chars = next.chars();
    if chars.next() != Some('/') {
        return Err("must be a path on this site, starting with /");
    }
    if matches!(chars.next(), Some('/' | '\\')) {
        return Err("must not start with // or /\\ (another host)");
    }
    if next.chars().any(|c| c.is_control() || c == '\\') {
        return Err("must not contain control characters or \\");
    }
    Ok(())
}

fn hash(nonce: &str) -> String {
    hex::encode(Sha256::digest(nonce.as_bytes()))
}

impl WechatLogin {
    /// The service over its store and WeChat's OAuth.
    pub fn new(
        store: Arc<dyn WechatIdStore>,
        exchange: Arc<dyn CodeExchange>,
        config: OAuthConfig,
        clock: Arc<dyn Clock>,
    ) -> WechatLogin {
        WechatLogin {
            store,
            exchange,
            config,
            clock,
        }
    }

    /// Whether the nonce cookie may only travel over HTTPS (the callback
    /// is on an `https://` address).
    pub fn secure_cookie(&self) -> bool {
        self.config.redirect_url.starts_with("https://")
    }

    /// The buyer's openid under the official account, if known.
    pub async fn openid(&self, user_id: i32) -> Result<Option<String>, ShopError> {
        Ok(self.store.openid(user_id, &self.config.appid).await?)
    }

    /// Begins a round trip for the buyer, returning to `next`.
    pub async fn start(&self, user_id: i32, next: &str) -> Result<OAuthStart, ShopError> {
        check_next(next).map_err(|msg| ShopError::Invalid {
            field: "next".into(),
            msg: msg.into(),
        })?;
        let state = State::random();
        let nonce = wechat_pay::nonce_str();
        let url = self
            .exchange
            .authorize_url(&self.config.redirect_url, state.as_str())
            .map_err(|e| ShopError::internal(format!("OAuth authorize URL: {e}")))?;
        self.store
            .save_oauth_state(&OAuthStateRecord {
                state: state.as_str().to_owned(),
                user_id,
                appid: self.config.appid.clone(),
                nonce_hash: hash(&nonce),
                next: next.to_owned(),
                expires_at: self.clock.now() + STATE_TTL,
                used_at: None,
            })
            .await?;
        Ok(OAuthStart { url, nonce })
    }

    /// WeChat's redirect back: checks the state against the cookie's
    /// nonce (before the code is spent), exchanges the code, then uses the
    /// state and keeps the openid together. Returns where to go next.
    pub async fn callback(
        &self,
        code: &str,
        state: &str,
        cookie: Option<&str>,
    ) -> Result<String, ShopError> {
        let invalid = |field: &str, msg: &str| ShopError::Invalid {
            field: field.into(),
            msg: msg.into(),
        };
        let found = match State::new(state) {
            Ok(_) => self.store.oauth_state(state).await?,
            Err(_) => None,
        };
        let Some(found) = found else {
            return Err(invalid("state", "unknown state"));
        };
        let Some(cookie) = cookie else {
            return Err(invalid(
                "state",
                "the browser that began this sign-in did not come back",
            ));
        };
        let matches: bool = hash(cookie)
            .as_bytes()
            .ct_eq(found.nonce_hash.as_bytes())
            .into();
        if !matches {
            return Err(invalid(
                "state",
                "the browser that began this sign-in did not come back",
            ));
        }
        if found.used_at.is_some() {
            return Err(invalid("state", "this sign-in was used already"));
        }
        if found.expires_at <= self.clock.now() {
            return Err(invalid("state", "this sign-in has expired; start again"));
        }
        let openid = match self.exchange.openid(code).await {
            Ok(openid) => openid,
            Err(ExchangeError::CodeUsed) => {
                return Err(invalid("code", "the code was used already (40163)"));
            }
            Err(ExchangeError::InvalidCode) => {
                return Err(invalid("code", "the code is invalid or expired (40029)"));
            }
            Err(ExchangeError::Failed(msg)) => return Err(ShopError::Payment(msg)),
        };
        if !self
            .store
            .bind_openid(state, found.user_id, &openid, self.clock.now())
            .await?
        {
            return Err(invalid("state", "this sign-in was used already"));
        }
        Ok(found.next)
    }
}

#[cfg(test)]
mod tests {
    use super::check_next;

    #[test]
    fn next_is_a_local_path_only() {
        for ok in ["/", "/orders/LT1?x=1", "/a/b#c"] {
            assert_eq!(check_next(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "evil",
            "/a\\b",
            "/a\nb",
            "/\t/evil",
        ] {
            assert!(check_next(bad).is_err(), "{bad:?}");
        }
        assert!(check_next(&format!("/{}", "a".repeat(512))).is_err());
    }
}

//! The buyer's `openid` for JSAPI, by WeChat's web OAuth (feature `oauth`):
//! the authorize URL to send the browser to (`snsapi_base`, silent), and the
//! exchange of the `code` WeChat hands back for the openid. Not a payment
//! API, so kept apart: nothing else in the crate depends on it.
//!
//! Sans-IO like the rest: [`OAuth::access_token_url`] is the request and
//! [`parse_access_token`] reads the reply; [`OAuth::exchange_code`] sends it
//! with ureq (blocking) and, with feature `async`, `exchange_code_async`
//! with reqwest.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Where WeChat's authorize page lives.
pub const DEFAULT_OAUTH_BASE: &str = "https://open.weixin.qq.com";
/// Where the code is exchanged.
pub const DEFAULT_API_BASE: &str = "https://api.weixin.qq.com";
/// Longest `state` WeChat takes.
pub const MAX_STATE_BYTES: usize = 128;

/// Why OAuth failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// errcode 40029: the code is unknown or expired (they live 5 minutes).
    #[error("invalid or expired code (40029)")]
    InvalidCode,
    /// errcode 40163: the code was exchanged already (codes are single-use).
    #[error("code already used (40163)")]
    CodeUsed,
    /// Any other `{errcode, errmsg}` WeChat answers.
    #[error("WeChat OAuth error {errcode}: {errmsg}")]
    Api {
        /// WeChat's error code.
        errcode: i64,
        /// WeChat's message.
        errmsg: String,
    },
    /// A `state` outside `a-zA-Z0-9`, empty, or longer than 128 bytes.
    #[error("state must be 1 to 128 of a-zA-Z0-9")]
    InvalidState,
    /// A redirect URI that is not absolute `http(s)://`, or an empty code.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// An HTTP status other than 200.
    #[error("WeChat OAuth answered HTTP {0}")]
    HttpStatus(u16),
    /// The reply is not the documented JSON.
    #[error("unexpected reply: {0}")]
    BadReply(String),
    /// No complete reply in time.
    #[error("WeChat OAuth did not answer in time")]
    Timeout,
    /// Connection, TLS or I/O failure.
    #[error("WeChat OAuth transport failure: {0}")]
    Transport(String),
}

impl OAuthError {
    /// True for failures where asking again may work (not for codes: a
    /// code is single-use, so a retry after a timeout may answer 40163).
    pub fn is_retryable(&self) -> bool {
        match self {
            OAuthError::Timeout | OAuthError::Transport(_) => true,
            OAuthError::HttpStatus(s) => *s >= 500,
            // -1: WeChat's "system busy".
            OAuthError::Api { errcode, .. } => *errcode == -1,
            _ => false,
        }
    }
}

/// An OAuth `state`: 1 to 128 bytes of `a-zA-Z0-9`, as WeChat requires.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct State(String);

impl State {
    /// Checks `value` against WeChat's rule.
    pub fn new(value: &str) -> Result<State, OAuthError> {
        let ok = !value.is_empty()
            && value.len() <= MAX_STATE_BYTES
            && value.bytes().all(|b| b.is_ascii_alphanumeric());
        if ok {
            Ok(State(value.to_owned()))
        } else {
            Err(OAuthError::InvalidState)
        }
    }

    /// A random state of 32 letters and digits (from a CSPRNG).
    pub fn random() -> State {
        State(crate::ids::random_alnum(32))
    }

    /// The state's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The official account's credentials and WeChat's addresses.
#[derive(Clone)]
#[non_exhaustive]
pub struct OAuth {
    /// The official account's appid (the openid is under it).
    pub appid: String,
    /// The official account's AppSecret.
    pub secret: SecretString,
    /// [`DEFAULT_OAUTH_BASE`] in production.
    pub oauth_base: String,
    /// [`DEFAULT_API_BASE`] in production.
    pub api_base: String,
    /// Limit for the exchange.
    pub timeout: std::time::Duration,
}

impl std::fmt::Debug for OAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth")
            .field("appid", &self.appid)
            .field("oauth_base", &self.oauth_base)
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// What the code exchange answers.
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct AccessToken {
    /// The buyer's openid under the appid: what JSAPI orders need.
    pub openid: String,
    /// `snsapi_base` (or `snsapi_userinfo`).
    #[serde(default)]
    pub scope: String,
    /// Seconds the access token lives.
    #[serde(default)]
    pub expires_in: u64,
    /// The web access token (not needed for `snsapi_base`).
    #[serde(deserialize_with = "secret")]
    pub access_token: SecretString,
    /// Refreshes the access token.
    #[serde(default = "empty_secret", deserialize_with = "secret")]
    pub refresh_token: SecretString,
    /// The buyer's unionid, when the account has one.
    #[serde(default)]
    pub unionid: Option<String>,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("openid", &self.openid)
            .field("scope", &self.scope)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
    String::deserialize(d).map(SecretString::from)
}

fn empty_secret() -> SecretString {
    SecretString::from("")
}

fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

impl OAuth {
    /// Production addresses and a 10 s timeout.
    pub fn new(appid: &str, secret: SecretString) -> OAuth {
        OAuth {
            appid: appid.to_owned(),
            secret,
            oauth_base: DEFAULT_OAUTH_BASE.to_owned(),
            api_base: DEFAULT_API_BASE.to_owned(),
            timeout: std::time::Duration::from_secs(10),
        }
    }

    /// Other addresses (a local simulator): both base URLs with scheme.
    pub fn with_bases(mut self, oauth_base: &str, api_base: &str) -> OAuth {
        self.oauth_base = oauth_base.trim_end_matches('/').to_owned();
        self.api_base = api_base.trim_end_matches('/').to_owned();
        self
    }

    /// Where to send the browser: `{oauth_base}/connect/oauth2/authorize?
    /// appid=..&redirect_uri=..&response_type=code&scope=snsapi_base&
    /// state=..#wechat_redirect`. `redirect_uri` must be absolute
    /// (`https://` in production); it is URL-encoded here.
    pub fn authorize_url(&self, redirect_uri: &str, state: &State) -> Result<String, OAuthError> {
        if !(redirect_uri.starts_with("https://") || redirect_uri.starts_with("http://")) {
            return Err(OAuthError::InvalidRequest(
                "redirect_uri must be an absolute http(s) URL".into(),
            ));
        }
        Ok(format!(
            "{}/connect/oauth2/authorize?appid={}&redirect_uri={}&response_type=code&scope=snsapi_base&state={}#wechat_redirect",
            self.oauth_base.trim_end_matches('/'),
            encode(&self.appid),
            encode(redirect_uri),
            state.as_str(),
        ))
    }

    /// The exchange request (a GET of this URL; it carries the secret, so
    /// never log it).
    pub fn access_token_url(&self, code: &str) -> Result<SecretString, OAuthError> {
        if code.is_empty() || code.len() > 512 {
            return Err(OAuthError::InvalidRequest("code".into()));
        }
        Ok(SecretString::from(format!(
            "{}/sns/oauth2/access_token?appid={}&secret={}&code={}&grant_type=authorization_code",
            self.api_base.trim_end_matches('/'),
            encode(&self.appid),
            encode(self.secret.expose_secret()),
            encode(code),
        )))
    }

    /// Exchanges `code` for the buyer's openid (blocking, over ureq): call
    /// from a blocking thread, or use `exchange_code_async`.
    pub fn exchange_code(&self, code: &str) -> Result<AccessToken, OAuthError> {
        let url = self.access_token_url(code)?;
        let agent = crate::http::agent(self.timeout, None, None).map_err(OAuthError::Transport)?;
        let mut res = agent
            .get(url.expose_secret())
            .header("Accept", "application/json")
            .call()
            .map_err(|e| match e {
                ureq::Error::Timeout(_) => OAuthError::Timeout,
                // The error text may hold the URL, and so the secret.
                _ => OAuthError::Transport("request failed".into()),
            })?;
        let status = res.status().as_u16();
        let body = res
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::Timeout(_) => OAuthError::Timeout,
                other => OAuthError::Transport(other.to_string()),
            })?;
        parse_access_token(status, &body)
    }

    /// [`OAuth::exchange_code`] over reqwest, for async services.
    #[cfg(feature = "async")]
    pub async fn exchange_code_async(
        &self,
        http: &reqwest::Client,
        code: &str,
    ) -> Result<AccessToken, OAuthError> {
        use crate::http::{AsyncFailure, read_reply};
        let url = self.access_token_url(code)?;
        let sent = http
            .get(url.expose_secret())
            .header("Accept", "application/json")
            .timeout(self.timeout)
            .send()
            .await;
        // Errors are told without the URL: it holds the secret.
        let (status, _, body) = read_reply(sent, 64 * 1024).await.map_err(|e| match e {
            AsyncFailure::Timeout => OAuthError::Timeout,
            AsyncFailure::TooLarge => OAuthError::BadReply("reply too large".into()),
            AsyncFailure::Transport(msg) => OAuthError::Transport(msg),
        })?;
        parse_access_token(status, &body)
    }
}

/// Reads the exchange's reply: the token and openid, or WeChat's
/// `{errcode, errmsg}` (40029 and 40163 typed).
pub fn parse_access_token(status: u16, body: &[u8]) -> Result<AccessToken, OAuthError> {
    if status != 200 {
        return Err(OAuthError::HttpStatus(status));
    }
    #[derive(Deserialize)]
    struct Failure {
        errcode: i64,
        #[serde(default)]
        errmsg: String,
    }
    if let Ok(f) = serde_json::from_slice::<Failure>(body)
        && f.errcode != 0
    {
        return Err(match f.errcode {
            40029 => OAuthError::InvalidCode,
            40163 => OAuthError::CodeUsed,
            errcode => OAuthError::Api {
                errcode,
                errmsg: f.errmsg,
            },
        });
    }
    let token: AccessToken =
        serde_json::from_slice(body).map_err(|e| OAuthError::BadReply(e.to_string()))?;
    if token.openid.is_empty() {
        return Err(OAuthError::BadReply("empty openid".into()));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oauth() -> OAuth {
        OAuth::new("wx520c15f417810387", SecretString::from("s3cret&x"))
    }

    #[test]
    fn the_authorize_url_is_the_documented_one() {
        let url = oauth()
            .authorize_url(
                "https://shop.example.com/wechat/oauth/callback?a=1",
                &State::new("abc123").unwrap_or_else(|_| State::random()),
            )
            .unwrap_or_default();
        assert_eq!(
            url,
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx520c15f417810387\
             &redirect_uri=https%3A%2F%2Fshop.example.com%2Fwechat%2Foauth%2Fcallback%3Fa%3D1\
             &response_type=code&scope=snsapi_base&state=abc123#wechat_redirect"
        );
        assert!(
            oauth()
                .authorize_url("/relative", &State::random())
                .is_err()
        );
    }

    #[test]
    fn states_follow_wechats_rule() {
        assert!(State::new(&"a".repeat(128)).is_ok());
        for bad in ["", "a-b", "a b", "ä", "a=b&c", &"a".repeat(129)] {
            assert_eq!(State::new(bad), Err(OAuthError::InvalidState), "{bad:?}");
        }
        let r = State::random();
        assert_eq!(r.as_str().len(), 32);
        assert_ne!(r, State::random());
    }

    #[test]
    fn the_exchange_url_encodes_its_values() {
        let url = oauth()
            .access_token_url("0a1B+/=")
            .unwrap_or_else(|_| "".into());
        assert_eq!(
            url.expose_secret(),
            "https://api.weixin.qq.com/sns/oauth2/access_token?appid=wx520c15f417810387\
             &secret=s3cret%26x&code=0a1B%2B%2F%3D&grant_type=authorization_code"
        );
        assert!(oauth().access_token_url("").is_err());
    }

    #[test]
    fn replies_are_typed() {
        let ok = br#"{"access_token":"AT","expires_in":7200,"refresh_token":"RT","openid":"oUser1","scope":"snsapi_base"}"#;
        let t = parse_access_token(200, ok).map_err(|e| e.to_string());
        assert_eq!(t.as_ref().map(|t| t.openid.as_str()), Ok("oUser1"));
        assert!(!format!("{t:?}").contains("AT"), "tokens are not printed");
        let err = |body: &[u8]| parse_access_token(200, body).err();
        assert_eq!(
            err(br#"{"errcode":40029,"errmsg":"invalid code"}"#),
            Some(OAuthError::InvalidCode)
        );
        assert_eq!(
            err(br#"{"errcode":40163,"errmsg":"code been used"}"#),
            Some(OAuthError::CodeUsed)
        );
        assert_eq!(
            err(br#"{"errcode":40125,"errmsg":"invalid appsecret"}"#),
            Some(OAuthError::Api {
                errcode: 40125,
                errmsg: "invalid appsecret".into()
            })
        );
        assert!(matches!(err(b"<html>"), Some(OAuthError::BadReply(_))));
        assert_eq!(
            parse_access_token(502, ok).err(),
            Some(OAuthError::HttpStatus(502))
        );
    }
}

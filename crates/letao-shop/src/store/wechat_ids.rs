//! Buyers' WeChat identities: the openid of each buyer under an official
//! account, and the OAuth round trips that bind them (single-use states).

use super::StoreError;
use chrono::{DateTime, Utc};

/// An OAuth round trip begun by a buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthStateRecord {
    /// The `state` sent to WeChat (`a-zA-Z0-9`).
    pub state: String,
    /// The buyer who began it.
    pub user_id: i32,
    /// The official account's appid.
    pub appid: String,
    /// SHA-256 (hex) of the nonce the buyer's browser holds in a cookie.
    pub nonce_hash: String,
    /// The local path to return to.
    pub next: String,
    /// It cannot be used after this.
    pub expires_at: DateTime<Utc>,
    /// When it was used (it is single-use).
    pub used_at: Option<DateTime<Utc>>,
}

/// Where buyers' openids and OAuth states live.
#[async_trait::async_trait]
pub trait WechatIdStore: Send + Sync {
    /// The buyer's openid under `appid`, if known.
    async fn openid(&self, user_id: i32, appid: &str) -> Result<Option<String>, StoreError>;

    /// Keeps a new OAuth state (its `used_at` is none).
    async fn save_oauth_state(&self, state: &OAuthStateRecord) -> Result<(), StoreError>;

    /// The OAuth state named `state`, used or not.
    async fn oauth_state(&self, state: &str) -> Result<Option<OAuthStateRecord>, StoreError>;

    /// Uses the state (only if unused, unexpired at `now` and of this
    /// buyer) and keeps `openid` as the buyer's under the state's appid,
    /// both or neither; false when the state was not usable.
    async fn bind_openid(
        &self,
        state: &str,
        user_id: i32,
        openid: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}

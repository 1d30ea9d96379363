//! The contract of [`WechatIdStore`]: a state binds one openid, once,
//! before it expires, for its own buyer only; openids are kept per buyer
//! and appid, the latest winning.

use crate::store::{OAuthStateRecord, WechatIdStore};
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// What a contract test runs on.
pub trait WechatIdSubject: Send + Sync {
    /// The store under test.
    fn store(&self) -> Arc<dyn WechatIdStore>;
}

/// One test per function of this module, for the subject `$make` gives.
#[macro_export]
macro_rules! wechat_id_store_contract {
    ($make:expr $(, #[$meta:meta])* $(,)?) => {
        $crate::store_contract_tests!(wechat_ids, [$(#[$meta])*] $make;
            a_state_binds_its_buyers_openid_once,
            an_expired_or_foreign_state_binds_nothing,
            concurrent_binds_of_one_state_bind_once,
            openids_are_kept_per_buyer_and_appid
        );
    };
}

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
}

/// A state and a user id no other test used.
fn fresh() -> (String, i32) {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = (std::process::id() % 10_000) * 10_000 + N.fetch_add(1, Ordering::Relaxed) % 10_000;
    (
        format!("S{n}x{}", rand_suffix()),
        i32::try_from(n).unwrap_or(1) + 1_000_000,
    )
}

fn rand_suffix() -> String {
    wechat_pay::nonce_str()[..8].to_owned()
}

async fn begin(s: &dyn WechatIdStore, state: &str, user_id: i32, appid: &str) {
    s.save_oauth_state(&OAuthStateRecord {
        state: state.to_owned(),
        user_id,
        appid: appid.to_owned(),
        nonce_hash: "ab".repeat(32),
        next: "/#/orders".to_owned(),
        expires_at: t0() + TimeDelta::minutes(10),
        used_at: None,
    })
    .await
    .unwrap();
}

/// Saved, read back, used once: the openid is the buyer's, a second use fails.
pub async fn a_state_binds_its_buyers_openid_once(subject: &dyn WechatIdSubject) {
    let s = subject.store();
    let (state, user) = fresh();
    begin(s.as_ref(), &state, user, "wx-a").await;
    let read = s.oauth_state(&state).await.unwrap().expect("saved");
    assert_eq!(
        (read.user_id, read.next.as_str(), read.used_at),
        (user, "/#/orders", None)
    );
    assert_eq!(read.expires_at, t0() + TimeDelta::minutes(10));
    assert_eq!(s.openid(user, "wx-a").await.unwrap(), None);
    assert!(s.bind_openid(&state, user, "o-first", t0()).await.unwrap());
    assert_eq!(
        s.openid(user, "wx-a").await.unwrap().as_deref(),
        Some("o-first")
    );
    assert!(
        s.oauth_state(&state)
            .await
            .unwrap()
            .expect("kept")
            .used_at
            .is_some()
    );
    assert!(
        !s.bind_openid(&state, user, "o-replayed", t0())
            .await
            .unwrap()
    );
    assert_eq!(
        s.openid(user, "wx-a").await.unwrap().as_deref(),
        Some("o-first")
    );
    assert_eq!(s.oauth_state("never-saved").await.unwrap(), None);
}

/// Past its expiry, or named with another buyer, a state binds nothing.
pub async fn an_expired_or_foreign_state_binds_nothing(subject: &dyn WechatIdSubject) {
    let s = subject.store();
    let (state, user) = fresh();
    begin(s.as_ref(), &state, user, "wx-a").await;
    let late = t0() + TimeDelta::minutes(10);
    assert!(!s.bind_openid(&state, user, "o-late", late).await.unwrap());
    assert!(
        !s.bind_openid(&state, user + 1, "o-other", t0())
            .await
            .unwrap()
    );
    assert_eq!(s.openid(user, "wx-a").await.unwrap(), None);
    assert_eq!(s.openid(user + 1, "wx-a").await.unwrap(), None);
    assert!(
        s.oauth_state(&state)
            .await
            .unwrap()
            .expect("kept")
            .used_at
            .is_none()
    );
}

/// Two callbacks with one state at once: one binds, the other is refused.
pub async fn concurrent_binds_of_one_state_bind_once(subject: &dyn WechatIdSubject) {
    let s = subject.store();
    let (state, user) = fresh();
    begin(s.as_ref(), &state, user, "wx-a").await;
    let (a, b) = (s.clone(), s.clone());
    let (sa, sb) = (state.clone(), state.clone());
    let one = tokio::spawn(async move { a.bind_openid(&sa, user, "o-one", t0()).await });
    let two = tokio::spawn(async move { b.bind_openid(&sb, user, "o-two", t0()).await });
    let (one, two) = (one.await.unwrap().unwrap(), two.await.unwrap().unwrap());
    assert!(one ^ two, "exactly one bind wins: {one} {two}");
    let kept = s.openid(user, "wx-a").await.unwrap();
    assert_eq!(kept.as_deref(), Some(if one { "o-one" } else { "o-two" }));
}

/// A later round trip replaces the buyer's openid under its appid only.
pub async fn openids_are_kept_per_buyer_and_appid(subject: &dyn WechatIdSubject) {
    let s = subject.store();
    let (first, user) = fresh();
    begin(s.as_ref(), &first, user, "wx-a").await;
    assert!(s.bind_openid(&first, user, "o-a1", t0()).await.unwrap());
    let (second, _) = fresh();
    begin(s.as_ref(), &second, user, "wx-a").await;
    assert!(s.bind_openid(&second, user, "o-a2", t0()).await.unwrap());
    let (other, _) = fresh();
    begin(s.as_ref(), &other, user, "wx-b").await;
    assert!(s.bind_openid(&other, user, "o-b", t0()).await.unwrap());
    assert_eq!(
        s.openid(user, "wx-a").await.unwrap().as_deref(),
        Some("o-a2")
    );
    assert_eq!(
        s.openid(user, "wx-b").await.unwrap().as_deref(),
        Some("o-b")
    );
}

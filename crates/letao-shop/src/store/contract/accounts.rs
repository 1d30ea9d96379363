//! The [`AccountStore`] contract: registration with its code consumed in
//! the same write, codes and their tries, users found, passwords upgraded
//! once, roles, and the counters that limit codes and failed logins.

use crate::store::{AccountStore, Actor, NewCode, NewUser, RateRule, Registration, RetryAfter};
use chrono::{DateTime, TimeDelta, Utc};
use futures_util::future::join_all;
use letao_domain::Role;
use letao_domain::verification::{CodeCheck, CodePolicy, SmsPurpose};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// What an account store contract test runs on.
pub trait AccountSubject: Send + Sync {
    /// The store under test.
    fn store(&self) -> Arc<dyn AccountStore>;
}

impl AccountSubject for Arc<dyn AccountStore> {
    fn store(&self) -> Arc<dyn AccountStore> {
        self.clone()
    }
}

/// `account_store_contract!(make, #[attrs]...)`: one test per rule.
#[macro_export]
macro_rules! account_store_contract {
    ($make:expr $(, #[$meta:meta])* $(,)?) => {
        $crate::store_contract_tests!(accounts, [$(#[$meta])*] $make;
            registration_takes_a_right_code_once,
            wrong_codes_count_until_the_code_dies,
            a_taken_name_or_mobile_keeps_the_code,
            concurrent_registrations_of_one_name_make_one_user,
            users_are_found_by_name_mobile_and_id,
            a_password_is_upgraded_once,
            roles_are_given_and_taken_away,
            codes_are_issued_within_their_limits_and_withdrawn,
            counters_allow_so_many_hits_a_window,
            a_login_code_finds_the_user_of_its_mobile
        );
    };
}

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
}

/// A mobile, username and counter prefix no other test used.
fn fresh() -> (String, String) {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = (std::process::id() % 10_000) * 10_000 + N.fetch_add(1, Ordering::Relaxed) % 10_000;
    (format!("139{n:08}"), format!("u{n}"))
}

async fn issue(
    s: &dyn AccountSubject,
    mobile: &str,
    purpose: SmsPurpose,
    hash: &str,
    at: DateTime<Utc>,
) {
    let code = NewCode {
        mobile,
        purpose,
        code_hash: hash,
        client_ip: "10.0.0.1",
    };
    assert_eq!(s.store().issue_code(code, &[], at).await.unwrap(), Ok(()));
}

async fn register(s: &dyn AccountSubject, name: &str, mobile: &str, hash: &str) -> Registration {
    let new = NewUser {
        username: name,
        mobile,
        password_hash: "$argon2id$stored",
    };
    s.store()
        .register(
            new,
            hash,
            &CodePolicy::default(),
            t0() + TimeDelta::seconds(1),
        )
        .await
        .unwrap()
}

/// The right code creates the user and is used up.
pub async fn registration_takes_a_right_code_once(s: &dyn AccountSubject) {
    let (mobile, name) = fresh();
    issue(s, &mobile, SmsPurpose::Register, "right", t0()).await;
    let Registration::Created(id) = register(s, &name, &mobile, "right").await else {
        panic!("not created");
    };
    let user = s.store().user_by_id(id).await.unwrap().expect("the user");
    assert_eq!(user.username.as_deref(), Some(name.as_str()));
    assert_eq!(user.mobile.as_deref(), Some(mobile.as_str()));
    assert_eq!(user.password.as_deref(), Some("$argon2id$stored"));
    assert_eq!(user.role, None);
    let (_, other) = fresh();
    assert_eq!(
        register(s, &other, &mobile, "right").await,
        Registration::BadCode(CodeCheck::UsedUp)
    );
    // A code for logging in does not register.
    let (mobile, name) = fresh();
    issue(s, &mobile, SmsPurpose::Login, "login", t0()).await;
    assert_eq!(
        register(s, &name, &mobile, "login").await,
        Registration::BadCode(CodeCheck::Wrong)
    );
}

/// Five wrong tries kill a code; an old one has expired; no code is wrong.
pub async fn wrong_codes_count_until_the_code_dies(s: &dyn AccountSubject) {
    let (mobile, name) = fresh();
    assert_eq!(
        register(s, &name, &mobile, "any").await,
        Registration::BadCode(CodeCheck::Wrong)
    );
    issue(s, &mobile, SmsPurpose::Register, "right", t0()).await;
    for _ in 0..5 {
        assert_eq!(
            register(s, &name, &mobile, "wrong").await,
            Registration::BadCode(CodeCheck::Wrong)
        );
    }
    assert_eq!(
        register(s, &name, &mobile, "right").await,
        Registration::BadCode(CodeCheck::UsedUp)
    );
    // The latest code counts, and it lives five minutes.
    issue(
        s,
        &mobile,
        SmsPurpose::Register,
        "late",
        t0() - TimeDelta::minutes(5),
    )
    .await;
    issue(
        s,
        &mobile,
        SmsPurpose::Register,
        "newer",
        t0() - TimeDelta::minutes(4),
    )
    .await;
    assert_eq!(
        register(s, &name, &mobile, "late").await,
        Registration::BadCode(CodeCheck::Wrong)
    );
    let new = NewUser {
        username: &name,
        mobile: &mobile,
        password_hash: "h",
    };
    let policy = CodePolicy::default();
    let at = t0() + TimeDelta::minutes(2);
    assert_eq!(
        s.store().register(new, "newer", &policy, at).await.unwrap(),
        Registration::BadCode(CodeCheck::Expired)
    );
}

/// A name or mobile someone has is refused, and the code stays good.
pub async fn a_taken_name_or_mobile_keeps_the_code(s: &dyn AccountSubject) {
    let (mobile, name) = fresh();
    issue(s, &mobile, SmsPurpose::Register, "first", t0()).await;
    assert!(matches!(
        register(s, &name, &mobile, "first").await,
        Registration::Created(_)
    ));
    let (mobile2, name2) = fresh();
    issue(s, &mobile2, SmsPurpose::Register, "second", t0()).await;
    assert_eq!(
        register(s, &name, &mobile2, "second").await,
        Registration::UsernameTaken
    );
    assert_eq!(
        register(s, &name2, &mobile, "second").await,
        Registration::BadCode(CodeCheck::UsedUp),
        "the first mobile's code is used"
    );
    issue(s, &mobile, SmsPurpose::Register, "third", t0()).await;
    assert_eq!(
        register(s, &name2, &mobile, "third").await,
        Registration::MobileTaken
    );
    assert!(
        matches!(
            register(s, &name2, &mobile2, "second").await,
            Registration::Created(_)
        ),
        "still good"
    );
}

/// Of ten registrations of one name at once, one creates the user.
pub async fn concurrent_registrations_of_one_name_make_one_user(s: &dyn AccountSubject) {
    let (_, name) = fresh();
    let mobiles: Vec<String> = (0..10).map(|_| fresh().0).collect();
    for m in &mobiles {
        issue(s, m, SmsPurpose::Register, "code", t0()).await;
    }
    let outcomes = join_all(mobiles.iter().map(|m| register(s, &name, m, "code"))).await;
    let created = outcomes
        .iter()
        .filter(|r| matches!(r, Registration::Created(_)))
        .count();
    assert_eq!(created, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .all(|r| matches!(r, Registration::Created(_) | Registration::UsernameTaken))
    );
}

/// Lookups find a user by each of its keys, and nobody by others.
pub async fn users_are_found_by_name_mobile_and_id(s: &dyn AccountSubject) {
    let (mobile, name) = fresh();
    issue(s, &mobile, SmsPurpose::Register, "c", t0()).await;
    let Registration::Created(id) = register(s, &name, &mobile, "c").await else {
        panic!("not created");
    };
    let store = s.store();
    assert_eq!(
        store.user_by_username(&name).await.unwrap().map(|u| u.id),
        Some(id)
    );
    assert_eq!(
        store.user_by_mobile(&mobile).await.unwrap().map(|u| u.id),
        Some(id)
    );
    assert_eq!(store.user_by_id(id).await.unwrap().map(|u| u.id), Some(id));
    assert_eq!(
        store.user_by_username(&format!("{name}x")).await.unwrap(),
        None
    );
    assert_eq!(store.user_by_mobile("13000000000").await.unwrap(), None);
    assert_eq!(store.user_by_id(i32::MAX).await.unwrap(), None);
}

/// A hash is replaced only while it is still the one read.
pub async fn a_password_is_upgraded_once(s: &dyn AccountSubject) {
    let (mobile, name) = fresh();
    issue(s, &mobile, SmsPurpose::Register, "c", t0()).await;
    let Registration::Created(id) = register(s, &name, &mobile, "c").await else {
        panic!("not created");
    };
    let store = s.store();
    assert!(
        store
            .upgrade_password(id, "$argon2id$stored", "$argon2id$new")
            .await
            .unwrap()
    );
    assert!(
        !store
            .upgrade_password(id, "$argon2id$stored", "$argon2id$other")
            .await
            .unwrap()
    );
    let user = store.user_by_id(id).await.unwrap().unwrap();
    assert_eq!(user.password.as_deref(), Some("$argon2id$new"));
}

/// A role is given, changed and taken away by username.
pub async fn roles_are_given_and_taken_away(s: &dyn AccountSubject) {
    let (mobile, name) = fresh();
    issue(s, &mobile, SmsPurpose::Register, "c", t0()).await;
    let Registration::Created(id) = register(s, &name, &mobile, "c").await else {
        panic!("not created");
    };
    let store = s.store();
    let role = async || store.user_by_id(id).await.unwrap().unwrap().role;
    assert!(
        store
            .set_role(&name, Some(Role::Staff), &Actor::CLI, t0())
            .await
            .unwrap()
    );
    assert_eq!(role().await, Some(Role::Staff));
    assert!(
        store
            .set_role(&name, Some(Role::Admin), &Actor::CLI, t0())
            .await
            .unwrap()
    );
    assert_eq!(role().await, Some(Role::Admin));
    assert!(
        store
            .set_role(&name, None, &Actor::CLI, t0())
            .await
            .unwrap()
    );
    assert_eq!(role().await, None);
    assert!(
        !store
            .set_role(&format!("{name}x"), Some(Role::Admin), &Actor::CLI, t0())
            .await
            .unwrap()
    );
}

fn rule(bucket: &str, limit: u32, window: TimeDelta) -> RateRule {
    RateRule {
        bucket: bucket.to_owned(),
        limit,
        window,
    }
}

/// A code is stored only while its limits allow; withdrawn, it is gone and
/// its hits are back.
pub async fn codes_are_issued_within_their_limits_and_withdrawn(s: &dyn AccountSubject) {
    let (mobile, name) = fresh();
    let limits = [rule(&format!("sms:{mobile}"), 2, TimeDelta::minutes(1))];
    let store = s.store();
    let code = |hash: &'static str| NewCode {
        mobile: &mobile,
        purpose: SmsPurpose::Register,
        code_hash: hash,
        client_ip: "10.0.0.1",
    };
    assert_eq!(
        store.issue_code(code("a"), &limits, t0()).await.unwrap(),
        Ok(())
    );
    assert_eq!(
        store
            .issue_code(code("b"), &limits, t0() + TimeDelta::seconds(20))
            .await
            .unwrap(),
        Ok(())
    );
    let full = store
        .issue_code(code("c"), &limits, t0() + TimeDelta::seconds(30))
        .await
        .unwrap();
    assert_eq!(full, Err(RetryAfter(TimeDelta::seconds(30))));
    // "c" was never stored: "b" is the latest.
    store.withdraw_code(code("b"), &limits).await.unwrap();
    assert_eq!(
        store
            .issue_code(code("d"), &limits, t0() + TimeDelta::seconds(31))
            .await
            .unwrap(),
        Ok(()),
        "the hit is back"
    );
    assert_eq!(
        register(s, &name, &mobile, "b").await,
        Registration::BadCode(CodeCheck::Wrong)
    );
    assert!(matches!(
        register(s, &name, &mobile, "d").await,
        Registration::Created(_)
    ));
}

/// All hits or none; a full counter says how long to wait; a window that
/// has ended starts again.
pub async fn counters_allow_so_many_hits_a_window(s: &dyn AccountSubject) {
    let (key, _) = fresh();
    let short = rule(&format!("short:{key}"), 2, TimeDelta::seconds(60));
    let long = rule(&format!("long:{key}"), 3, TimeDelta::seconds(600));
    let both = [short.clone(), long.clone()];
    let store = s.store();
    assert_eq!(store.rate_full(&both, t0()).await.unwrap(), None);
    assert_eq!(store.take_rate(&both, t0()).await.unwrap(), Ok(()));
    assert_eq!(
        store
            .take_rate(&both, t0() + TimeDelta::seconds(10))
            .await
            .unwrap(),
        Ok(())
    );
    let wait = store
        .take_rate(&both, t0() + TimeDelta::seconds(20))
        .await
        .unwrap();
    assert_eq!(wait, Err(RetryAfter(TimeDelta::seconds(40))));
    assert_eq!(
        store
            .rate_full(&both, t0() + TimeDelta::seconds(20))
            .await
            .unwrap(),
        Some(RetryAfter(TimeDelta::seconds(40)))
    );
    // Refused: no hit was taken from the long counter either.
    assert_eq!(
        store
            .take_rate(std::slice::from_ref(&long), t0() + TimeDelta::seconds(30))
            .await
            .unwrap(),
        Ok(())
    );
    assert_eq!(
        store
            .take_rate(std::slice::from_ref(&long), t0() + TimeDelta::seconds(40))
            .await
            .unwrap(),
        Err(RetryAfter(TimeDelta::seconds(560)))
    );
    // The short window ended: it starts again.
    assert_eq!(
        store
            .take_rate(std::slice::from_ref(&short), t0() + TimeDelta::seconds(61))
            .await
            .unwrap(),
        Ok(())
    );
    assert_eq!(
        store
            .rate_full(&[short], t0() + TimeDelta::seconds(62))
            .await
            .unwrap(),
        None
    );
}

/// A right login code gives the user with that mobile (none: no account).
pub async fn a_login_code_finds_the_user_of_its_mobile(s: &dyn AccountSubject) {
    let (mobile, name) = fresh();
    issue(s, &mobile, SmsPurpose::Register, "reg", t0()).await;
    let Registration::Created(id) = register(s, &name, &mobile, "reg").await else {
        panic!("not created");
    };
    let store = s.store();
    let policy = CodePolicy::default();
    let at = t0() + TimeDelta::seconds(1);
    assert_eq!(
        store
            .login_with_code(&mobile, "reg", &policy, at)
            .await
            .unwrap()
            .map(|u| u.map(|u| u.id)),
        Err(CodeCheck::Wrong),
        "no login code yet"
    );
    issue(s, &mobile, SmsPurpose::Login, "login", t0()).await;
    assert_eq!(
        store
            .login_with_code(&mobile, "wrong", &policy, at)
            .await
            .unwrap()
            .map(|u| u.map(|u| u.id)),
        Err(CodeCheck::Wrong)
    );
    assert_eq!(
        store
            .login_with_code(&mobile, "login", &policy, at)
            .await
            .unwrap()
            .map(|u| u.map(|u| u.id)),
        Ok(Some(id))
    );
    assert_eq!(
        store
            .login_with_code(&mobile, "login", &policy, at)
            .await
            .unwrap()
            .map(|u| u.map(|u| u.id)),
        Err(CodeCheck::UsedUp)
    );
    let (nobody, _) = fresh();
    issue(s, &nobody, SmsPurpose::Login, "x", t0()).await;
    assert_eq!(
        store
            .login_with_code(&nobody, "x", &policy, at)
            .await
            .unwrap()
            .map(|u| u.map(|u| u.id)),
        Ok(None)
    );
}

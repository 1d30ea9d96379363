//! [`FakeAccounts`]: users, SMS codes and rate counters.

use super::lock;
use crate::store::{
    AccountStore, Actor, NewCode, NewUser, RateRule, Registration, RetryAfter, StoreError,
    UserRecord,
};
use chrono::{DateTime, TimeDelta, Utc};
use letao_domain::Role;
use letao_domain::verification::{CodeCheck, CodePolicy, SmsPurpose, StoredCode};
use std::collections::HashMap;
use std::sync::Mutex;

/// A code as the fake keeps it.
#[derive(Debug, Clone)]
struct Code {
    mobile: String,
    purpose: SmsPurpose,
    stored: StoredCode,
}

#[derive(Debug, Default)]
struct State {
    users: Vec<UserRecord>,
    codes: Vec<Code>,
    /// Counter name: the window's start and its hits.
    counters: HashMap<String, (DateTime<Utc>, u32)>,
}

/// Accounts in memory.
#[derive(Debug, Default)]
pub struct FakeAccounts {
    state: Mutex<State>,
}

impl FakeAccounts {
    /// No users, no codes.
    pub fn new() -> FakeAccounts {
        FakeAccounts::default()
    }
}

impl State {
    /// Checks the latest code of (mobile, purpose), consuming it when right
    /// and `consume`; a wrong try is counted.
    fn check(
        &mut self,
        mobile: &str,
        purpose: SmsPurpose,
        submitted_hash: &str,
        policy: &CodePolicy,
        now: DateTime<Utc>,
        consume: bool,
    ) -> CodeCheck {
        let Some(code) = self
            .codes
            .iter_mut()
            .rev()
            .find(|c| c.mobile == mobile && c.purpose == purpose)
        else {
            return CodeCheck::Wrong;
        };
        let verdict = policy.check(&code.stored, submitted_hash, now);
        match verdict {
            CodeCheck::Wrong => code.stored.attempts += 1,
            CodeCheck::Accept => code.stored.consumed = consume,
            _ => {}
        }
        verdict
    }

    /// Takes one hit from each rule, all or none.
    fn take(&mut self, rules: &[RateRule], now: DateTime<Utc>) -> Result<(), RetryAfter> {
        let mut wait: Option<TimeDelta> = None;
        for rule in rules {
            if let Some((start, hits)) = self.counters.get(&rule.bucket)
                && *start > now - rule.window
                && *hits >= rule.limit
            {
                let w = *start + rule.window - now;
                wait = Some(wait.map_or(w, |x| x.max(w)));
            }
        }
        if let Some(w) = wait {
            return Err(RetryAfter(w.max(TimeDelta::seconds(1))));
        }
        for rule in rules {
            let counter = self.counters.entry(rule.bucket.clone()).or_insert((now, 0));
            if counter.0 <= now - rule.window {
                *counter = (now, 0);
            }
            counter.1 += 1;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl AccountStore for FakeAccounts {
    async fn register(
        &self,
        new: NewUser<'_>,
        submitted_hash: &str,
        policy: &CodePolicy,
        now: DateTime<Utc>,
    ) -> Result<Registration, StoreError> {
        let mut s = lock(&self.state);
        let taken = if s
            .users
            .iter()
            .any(|u| u.username.as_deref() == Some(new.username))
        {
            Some(Registration::UsernameTaken)
        } else if s
            .users
            .iter()
            .any(|u| u.mobile.as_deref() == Some(new.mobile))
        {
            Some(Registration::MobileTaken)
        } else {
            None
        };
        // The code is judged first; a taken name or mobile keeps it good.
        let check = s.check(
            new.mobile,
            SmsPurpose::Register,
            submitted_hash,
            policy,
            now,
            taken.is_none(),
        );
        if check != CodeCheck::Accept {
            return Ok(Registration::BadCode(check));
        }
        if let Some(taken) = taken {
            return Ok(taken);
        }
        let id = i32::try_from(s.users.len()).unwrap_or(i32::MAX - 1) + 1;
        s.users.push(UserRecord {
            id,
            username: Some(new.username.to_owned()),
            mobile: Some(new.mobile.to_owned()),
            password: Some(new.password_hash.to_owned()),
            role: None,
        });
        Ok(Registration::Created(id))
    }

    async fn login_with_code(
        &self,
        mobile: &str,
        submitted_hash: &str,
        policy: &CodePolicy,
        now: DateTime<Utc>,
    ) -> Result<Result<Option<UserRecord>, CodeCheck>, StoreError> {
        let mut s = lock(&self.state);
        let check = s.check(mobile, SmsPurpose::Login, submitted_hash, policy, now, true);
        if check != CodeCheck::Accept {
            return Ok(Err(check));
        }
        Ok(Ok(s
            .users
            .iter()
            .find(|u| u.mobile.as_deref() == Some(mobile))
            .cloned()))
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let s = lock(&self.state);
        Ok(s.users
            .iter()
            .find(|u| u.username.as_deref() == Some(username))
            .cloned())
    }

    async fn user_by_mobile(&self, mobile: &str) -> Result<Option<UserRecord>, StoreError> {
        let s = lock(&self.state);
        Ok(s.users
            .iter()
            .find(|u| u.mobile.as_deref() == Some(mobile))
            .cloned())
    }

    async fn user_by_id(&self, id: i32) -> Result<Option<UserRecord>, StoreError> {
        Ok(lock(&self.state).users.iter().find(|u| u.id == id).cloned())
    }

    async fn upgrade_password(
        &self,
        id: i32,
        old: &str,
        new_hash: &str,
    ) -> Result<bool, StoreError> {
        let mut s = lock(&self.state);
        match s.users.iter_mut().find(|u| u.id == id) {
            Some(u) if u.password.as_deref() == Some(old) => {
                u.password = Some(new_hash.to_owned());
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn set_role(
        &self,
        username: &str,
        role: Option<Role>,
        _actor: &Actor,
        _now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut s = lock(&self.state);
        match s
            .users
            .iter_mut()
            .find(|u| u.username.as_deref() == Some(username))
        {
            Some(u) => {
                u.role = role;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn issue_code(
        &self,
        code: NewCode<'_>,
        limits: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Result<(), RetryAfter>, StoreError> {
        let mut s = lock(&self.state);
        if let Err(wait) = s.take(limits, now) {
            return Ok(Err(wait));
        }
        s.codes.push(Code {
            mobile: code.mobile.to_owned(),
            purpose: code.purpose,
            stored: StoredCode {
                code_hash: code.code_hash.to_owned(),
                created_at: now,
                attempts: 0,
                consumed: false,
            },
        });
        Ok(Ok(()))
    }

    async fn withdraw_code(
        &self,
        code: NewCode<'_>,
        limits: &[RateRule],
    ) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        s.codes.retain(|c| {
            !(c.mobile == code.mobile
                && c.purpose == code.purpose
                && c.stored.code_hash == code.code_hash)
        });
        for rule in limits {
            if let Some(counter) = s.counters.get_mut(&rule.bucket) {
                counter.1 = counter.1.saturating_sub(1);
            }
        }
        Ok(())
    }

    async fn take_rate(
        &self,
        rules: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Result<(), RetryAfter>, StoreError> {
        Ok(lock(&self.state).take(rules, now))
    }

    async fn rate_full(
        &self,
        rules: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Option<RetryAfter>, StoreError> {
        let s = lock(&self.state);
        let mut wait: Option<TimeDelta> = None;
        for rule in rules {
            if let Some((start, hits)) = s.counters.get(&rule.bucket) {
                let end = *start + rule.window;
                if end > now && *hits >= rule.limit {
                    let w = end - now;
                    wait = Some(wait.map_or(w, |x| x.max(w)));
                }
            }
        }
        Ok(wait.map(|w| RetryAfter(w.max(TimeDelta::seconds(1)))))
    }
}

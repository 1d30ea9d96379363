//! Logging in with a password or an SMS code, under failure throttling.

use super::Accounts;
use crate::ShopError;
use crate::store::{RateRule, UserRecord};
use chrono::TimeDelta;
use letao_auth::PasswordCheck;
use letao_domain::Mobile;
use letao_domain::verification::SmsPurpose;
use secrecy::SecretString;
use std::net::IpAddr;

/// Login failures allowed before further attempts get 429.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    /// Failures per username (or mobile) per window.
    pub per_account: u32,
    /// Failures per client IP per window.
    pub per_ip: u32,
    /// Window length.
    pub window: TimeDelta,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_account: 5,
            per_ip: 30,
            window: TimeDelta::minutes(15),
        }
    }
}

/// A successful login.
pub struct LoggedIn {
    /// The access token.
    pub token: String,
    /// Who logged in.
    pub user: UserRecord,
}

impl std::fmt::Debug for LoggedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a credential: never printed.
        f.debug_struct("LoggedIn")
            .field("user_id", &self.user.id)
            .finish_non_exhaustive()
    }
}

impl Accounts {
    fn login_rules(&self, account: &str, ip: IpAddr) -> Vec<RateRule> {
        vec![
            RateRule {
                bucket: format!("login:acct:{account}"),
                limit: self.login.per_account,
                window: self.login.window,
            },
            RateRule {
                bucket: format!("login:ip:{ip}"),
                limit: self.login.per_ip,
                window: self.login.window,
            },
        ]
    }

    /// 429 while the account or the client has too many recent failures.
    async fn refuse_if_throttled(&self, rules: &[RateRule]) -> Result<(), ShopError> {
        match self.store.rate_full(rules, self.clock.now()).await? {
            None => Ok(()),
            Some(wait) => Err(ShopError::TooMany {
                retry_after: wait.seconds(),
            }),
        }
    }

    /// Counts a failed attempt against the account and the client.
    async fn count_failure(&self, rules: &[RateRule]) -> Result<ShopError, ShopError> {
        // Already full is fine: the next attempt is refused either way.
        let _ = self.store.take_rate(rules, self.clock.now()).await?;
        Ok(ShopError::LoginFailed)
    }

    fn logged_in(&self, user: UserRecord) -> LoggedIn {
        LoggedIn {
            token: self.tokens.issue(i64::from(user.id), self.clock.now()),
            user,
        }
    }

    /// Logs in with a username and password. Unknown users and wrong
    /// passwords get the same reply after the same work. Only failures are
    /// counted. The throttle check, the check of the password and the count
    /// of a failure happen while holding one of the login slots, so
    /// concurrent guesses can overshoot the limit by at most the number of
    /// slots.
    pub async fn login_password(
        &self,
        username: &str,
        password: SecretString,
        ip: IpAddr,
    ) -> Result<LoggedIn, ShopError> {
        let rules = self.login_rules(username, ip);
        let permit = self.login_slot().await?;
        self.refuse_if_throttled(&rules).await?;
        let user = self.store.user_by_username(username).await?;
        let stored = user.as_ref().and_then(|u| u.password.clone());
        let (Some(user), Some(stored)) = (user, stored) else {
            self.hashing(move |h| h.waste_time(&password)).await?;
            return Err(self.count_failure(&rules).await?);
        };
        let stored_for_check = stored.clone();
        let pw = password.clone();
        let check = self
            .hashing(move |h| h.verify(&pw, &stored_for_check))
            .await?;
        match check {
            PasswordCheck::Invalid => Err(self.count_failure(&rules).await?),
            PasswordCheck::Valid => Ok(self.logged_in(user)),
            PasswordCheck::ValidNeedsRehash => {
                // A legacy MD5 (or outdated argon2) row: replace it now.
                let new_hash = self
                    .hashing(move |h| h.hash(&password))
                    .await?
                    .map_err(|e| ShopError::Internal(Box::new(e)))?;
                drop(permit);
                if self
                    .store
                    .upgrade_password(user.id, &stored, &new_hash)
                    .await?
                {
                    tracing::info!(user_id = user.id, "password hash upgraded to argon2id");
                }
                Ok(self.logged_in(user))
            }
        }
    }

    /// Logs in with a mobile and the login code sent to it.
    pub async fn login_code(
        &self,
        mobile: &Mobile,
        code: &str,
        ip: IpAddr,
    ) -> Result<LoggedIn, ShopError> {
        let rules = self.login_rules(mobile.as_str(), ip);
        self.refuse_if_throttled(&rules).await?;
        let submitted = self
            .codes
            .hash(mobile.as_str(), SmsPurpose::Login.as_str(), code);
        match self
            .store
            .login_with_code(mobile.as_str(), &submitted, &self.policy, self.clock.now())
            .await?
        {
            Err(_) => {
                self.count_failure(&rules).await?;
                Err(ShopError::SmsCode)
            }
            Ok(None) => Err(self.count_failure(&rules).await?),
            Ok(Some(user)) => Ok(self.logged_in(user)),
        }
    }
}

//! `POST /login` with a password or an SMS code.

use super::Accounts;
use crate::ApiError;
use chrono::TimeDelta;
use letao_auth::PasswordCheck;
use letao_db::{Db, RateRule, UserRecord};
use letao_domain::Mobile;
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

    /// Every attempt takes a slot before any check, so concurrent guesses
    /// cannot outrun the limit; a successful login gives its slot back, so
    /// only failures count.
    async fn take_attempt(&self, db: &Db, rules: &[RateRule]) -> Result<(), ApiError> {
        match db.take_rate(rules, self.clock.now()).await? {
            Ok(()) => Ok(()),
            Err(wait) => Err(ApiError::TooMany {
                retry_after: wait.seconds(),
            }),
        }
    }

    async fn succeed(
        &self,
        db: &Db,
        rules: &[RateRule],
        user: UserRecord,
    ) -> Result<LoggedIn, ApiError> {
        let buckets: Vec<String> = rules.iter().map(|r| r.bucket.clone()).collect();
        db.give_back_rate(&buckets).await?;
        Ok(LoggedIn {
            token: self.tokens.issue(i64::from(user.id), self.clock.now()),
            user,
        })
    }

    /// Logs in with a username and password. Unknown users and wrong
    /// passwords get the same reply after the same work.
    pub async fn login_password(
        &self,
        db: &Db,
        username: &str,
        password: SecretString,
        ip: IpAddr,
    ) -> Result<LoggedIn, ApiError> {
        let rules = self.login_rules(username, ip);
        self.take_attempt(db, &rules).await?;
        let user = db.user_by_username(username).await?;
        let stored = user.as_ref().and_then(|u| u.password.clone());
        let Some(stored) = stored else {
            self.hashing(move |h| h.waste_time(&password)).await?;
            return Err(ApiError::LoginFailed);
        };
        let stored_for_check = stored.clone();
        let pw = password.clone();
        let check = self
            .hashing(move |h| h.verify(&pw, &stored_for_check))
            .await?;
        let Some(user) = user else {
            return Err(ApiError::LoginFailed);
        };
        match check {
            PasswordCheck::Invalid => Err(ApiError::LoginFailed),
            PasswordCheck::Valid => self.succeed(db, &rules, user).await,
            PasswordCheck::ValidNeedsRehash => {
                // A legacy MD5 (or outdated argon2) row: replace it now.
                let new_hash = self
                    .hashing(move |h| h.hash(&password))
                    .await?
                    .map_err(|e| ApiError::Internal(Box::new(e)))?;
                if db.upgrade_password(user.id, &stored, &new_hash).await? {
                    tracing::info!(user_id = user.id, "password hash upgraded to argon2id");
                }
                self.succeed(db, &rules, user).await
            }
        }
    }

    /// Logs in with a mobile and the login code sent to it.
    pub async fn login_code(
        &self,
        db: &Db,
        mobile: &Mobile,
        code: &str,
        ip: IpAddr,
    ) -> Result<LoggedIn, ApiError> {
        let rules = self.login_rules(mobile.as_str(), ip);
        self.take_attempt(db, &rules).await?;
        let submitted = self.codes.hash(mobile.as_str(), "login", code);
        match db
            .login_with_code(mobile.as_str(), &submitted, &self.policy, self.clock.now())
            .await?
        {
            Err(_) => Err(ApiError::SmsCode),
            Ok(None) => Err(ApiError::LoginFailed),
            Ok(Some(user)) => self.succeed(db, &rules, user).await,
        }
    }
}

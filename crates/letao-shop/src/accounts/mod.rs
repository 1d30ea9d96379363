//! Accounts: SMS codes, registration, login. The rules live here (and in
//! `letao-auth`; storage is an [`AccountStore`]).

mod hash_pool;
mod login;
mod profile_cache;
mod register;
mod sms;

pub use login::{LoggedIn, LoginLimits};
pub use register::RegisterRequest;

use crate::ShopError;
use crate::store::{AccountStore, UserRecord};
use chrono::TimeDelta;
use hash_pool::HashPool;
use letao_auth::{Argon2Settings, Clock, CodeHasher, PasswordHasher, TokenKeys};
use letao_domain::verification::CodePolicy;
use letao_sms::SmsSender;
use profile_cache::ProfileCache;
use secrecy::SecretString;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Settings of the account rules.
#[derive(Clone)]
pub struct AccountsConfig {
    /// argon2id costs.
    pub argon2: Argon2Settings,
    /// Salt of the original server's MD5 password rows.
    pub legacy_md5_secret: SecretString,
    /// HS256 key of access tokens (also keys the SMS code hashes).
    pub jwt_secret: SecretString,
    /// Access token lifetime.
    pub token_ttl: TimeDelta,
    /// SMS code lifetime, tries and send limits.
    pub codes: CodePolicy,
    /// Login failure throttling.
    pub login: LoginLimits,
}

/// The account service shared by all workers.
pub struct Accounts {
    store: Arc<dyn AccountStore>,
    tokens: TokenKeys,
    codes: CodeHasher,
    policy: CodePolicy,
    login: LoginLimits,
    sms: Arc<dyn SmsSender>,
    clock: Arc<dyn Clock>,
    /// One hashing thread per core.
    pool: HashPool,
    /// Logins checked at once: twice the cores, so the hashing threads stay
    /// busy while other logins wait on the database, and few enough that
    /// concurrent guesses overshoot the failure limit by little.
    login_slots: Semaphore,
    /// `/user/me` answers, kept briefly.
    profiles: ProfileCache,
}

impl Accounts {
    /// The service; fails when the argon2 costs are out of range.
    pub fn new(
        store: Arc<dyn AccountStore>,
        config: AccountsConfig,
        sms: Arc<dyn SmsSender>,
        clock: Arc<dyn Clock>,
    ) -> Result<Accounts, ShopError> {
        let passwords = PasswordHasher::new(config.argon2, config.legacy_md5_secret.clone())
            .map_err(|e| ShopError::Internal(Box::new(e)))?;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(Accounts {
            store,
            tokens: TokenKeys::new(&config.jwt_secret, config.token_ttl),
            codes: CodeHasher::from_token_secret(&config.jwt_secret),
            policy: config.codes,
            login: config.login,
            sms,
            clock,
            pool: HashPool::new(passwords.clone(), cores)?,
            login_slots: Semaphore::new(2 * cores),
            profiles: ProfileCache::new(),
        })
    }

    /// The token keys.
    pub fn tokens(&self) -> &TokenKeys {
        &self.tokens
    }

    /// The profile of user `id` for `/user/me` (cached for a second).
    pub async fn profile(&self, id: i32) -> Result<Option<UserRecord>, ShopError> {
        Ok(self.profiles.get(self.store.as_ref(), id).await?)
    }

    /// The owner user `id` is now: `Forbidden` without a role, `UnknownUser`
    /// when the user is gone (as for every signed-in route).
    pub async fn owner(&self, id: i32) -> Result<crate::Owner, ShopError> {
        let user = self
            .store
            .user_by_id(id)
            .await?
            .ok_or(ShopError::UnknownUser)?;
        crate::Owner::of(&user).ok_or(ShopError::Forbidden)
    }

    /// Gives `username` an owner role, or takes it away (`None`), as the
    /// command line does; false when there is no such user.
    pub async fn set_role(
        &self,
        username: &str,
        role: Option<letao_domain::Role>,
        actor: &crate::store::Actor,
    ) -> Result<bool, ShopError> {
        Ok(self
            .store
            .set_role(username, role, actor, self.clock.now())
            .await?)
    }

    /// The clock the rules run on.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Runs a password hash or check on the hashing threads.
    async fn hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce(&PasswordHasher) -> T + Send + 'static,
    ) -> Result<T, ShopError> {
        self.pool.run(work).await
    }

    /// One of the login slots.
    async fn login_slot(&self) -> Result<tokio::sync::SemaphorePermit<'_>, ShopError> {
        self.login_slots
            .acquire()
            .await
            .map_err(|e| ShopError::Internal(Box::new(e)))
    }
}

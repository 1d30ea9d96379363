//! Accounts as stored: users, SMS codes and the counters that limit
//! sending codes and failing logins. Registration and a login by code
//! check and consume the code in the same transaction as their own write.

use super::StoreError;
use super::audit::Actor;
use chrono::{DateTime, TimeDelta, Utc};
use letao_domain::Role;
use letao_domain::verification::{CodeCheck, CodePolicy, SmsPurpose};

/// A user as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Id (the token's subject).
    pub id: i32,
    /// Username; rows adopted from the original may lack one.
    pub username: Option<String>,
    /// Mobile; rows adopted from the original may lack one.
    pub mobile: Option<String>,
    /// Stored password hash (argon2id PHC string or legacy MD5 hex).
    pub password: Option<String>,
    /// Owner role, if any (read per request: a revoked role ends at once).
    pub role: Option<Role>,
}

/// A new account to create.
#[derive(Debug, Clone, Copy)]
pub struct NewUser<'a> {
    /// Validated username.
    pub username: &'a str,
    /// Validated 11-digit mobile.
    pub mobile: &'a str,
    /// argon2id PHC string.
    pub password_hash: &'a str,
}

/// How a registration ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// Created with this id; the code is used up.
    Created(i32),
    /// The code was not accepted (a wrong try has been counted).
    BadCode(CodeCheck),
    /// The username belongs to someone else; the code is still good.
    UsernameTaken,
    /// The mobile belongs to someone else; the code is still good.
    MobileTaken,
}

/// A code to store.
#[derive(Debug, Clone, Copy)]
pub struct NewCode<'a> {
    /// 11-digit mobile.
    pub mobile: &'a str,
    /// What it is for.
    pub purpose: SmsPurpose,
    /// Keyed hash of the code.
    pub code_hash: &'a str,
    /// Who asked for it.
    pub client_ip: &'a str,
}

/// One counter: at most `limit` hits per `window`, the window starting at
/// the first hit after the previous one ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateRule {
    /// Counter name, e.g. `sms:day:13800138000`.
    pub bucket: String,
    /// Hits allowed per window.
    pub limit: u32,
    /// Window length.
    pub window: TimeDelta,
}

/// When a full counter allows the next hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub TimeDelta);

impl RetryAfter {
    /// Whole seconds, at least 1, for a `Retry-After` header.
    pub fn seconds(self) -> i64 {
        (self.0.num_milliseconds() + 999).div_euclid(1000).max(1)
    }
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password hash stays out of logs and test output.
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("mobile", &self.mobile)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// Users, their codes and the counters, shared by every instance.
#[async_trait::async_trait]
pub trait AccountStore: Send + Sync {
    /// Registers `new` if the SMS code (by its keyed hash) is right, in one
    /// transaction: the code is consumed only when the user is created, a
    /// wrong try is counted even though nothing is created, and of
    /// concurrent registrations of one name or mobile exactly one succeeds.
    async fn register(
        &self,
        new: NewUser<'_>,
        submitted_hash: &str,
        policy: &CodePolicy,
        now: DateTime<Utc>,
    ) -> Result<Registration, StoreError>;

    /// Checks and consumes a login code for `mobile`, then reads its user
    /// (none: no account has that mobile; the code is used up anyway).
    async fn login_with_code(
        &self,
        mobile: &str,
        submitted_hash: &str,
        policy: &CodePolicy,
        now: DateTime<Utc>,
    ) -> Result<Result<Option<UserRecord>, CodeCheck>, StoreError>;

    /// The user named `username`.
    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;

    /// The user with `mobile`.
    async fn user_by_mobile(&self, mobile: &str) -> Result<Option<UserRecord>, StoreError>;

    /// The user `id`.
    async fn user_by_id(&self, id: i32) -> Result<Option<UserRecord>, StoreError>;

    /// Replaces a password hash, only if it is still `old` (a concurrent
    /// upgrade wins once); whether this one did.
    async fn upgrade_password(
        &self,
        id: i32,
        old: &str,
        new_hash: &str,
    ) -> Result<bool, StoreError>;

    /// Gives `username` an owner role (or none), audited; false when no
    /// such user.
    async fn set_role(
        &self,
        username: &str,
        role: Option<Role>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Stores a new code for (mobile, purpose) (the latest one counts) if
    /// every one of `limits` has a hit left, taken in the same transaction;
    /// otherwise the longest wait, and nothing stored.
    async fn issue_code(
        &self,
        code: NewCode<'_>,
        limits: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Result<(), RetryAfter>, StoreError>;

    /// Takes back a code that could not be delivered, and gives its hits
    /// back, so the user can ask again at once.
    async fn withdraw_code(&self, code: NewCode<'_>, limits: &[RateRule])
    -> Result<(), StoreError>;

    /// Takes one hit from each rule: all of them, or (when one is full)
    /// none, with the longest wait.
    async fn take_rate(
        &self,
        rules: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Result<(), RetryAfter>, StoreError>;

    /// The longest wait among full counters of `rules`, without taking a hit.
    async fn rate_full(
        &self,
        rules: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Option<RetryAfter>, StoreError>;
}

//! Users: registration (with its SMS code, in one transaction), lookups,
//! password upgrades and the admin flag.

use crate::audit::AuditOps;
use crate::columns::{OptName, naive};
use crate::schema::user;
use crate::sms_codes::CodeOps;
use crate::txn::Abort;
use crate::{Actor, AuditEntry, NewUser, Registration, UserRecord};
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::RunQueryDsl;
use letao_domain::verification::{CodeCheck, CodePolicy, SmsPurpose};
use letao_domain::{AuditAction, Role};

/// The scheme of password hashes this server writes.
const ARGON2ID: &str = "argon2id";

/// A user as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = user)]
pub(crate) struct UserRecordRow {
    /// Id (the token's subject).
    id: i32,
    /// Username; rows adopted from the original may lack one.
    username: Option<String>,
    /// Mobile; rows adopted from the original may lack one.
    mobile: Option<String>,
    /// Stored password hash (argon2id PHC string or legacy MD5 hex).
    password: Option<String>,
    /// Owner role, if any (read per request: a revoked role ends at once).
    #[diesel(deserialize_as = OptName<Role>)]
    role: Option<Role>,
}

impl From<UserRecordRow> for UserRecord {
    fn from(r: UserRecordRow) -> Self {
        UserRecord {
            id: r.id,
            username: r.username,
            mobile: r.mobile,
            password: r.password,
            role: r.role,
        }
    }
}

/// A unique index refused the row: roll back (keeping the code) and find
/// out which one afterwards.
fn taken_or_db(e: DieselError) -> Abort<Option<Registration>> {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Abort::Rollback(None),
        other => Abort::Db(other),
    }
}

impl Db {
    /// Registers `new` if the SMS code is right, all in one transaction: the
    /// code is consumed only when the user is created, and a wrong try is
    /// counted even though nothing is created. The unique indexes decide
    /// between concurrent registrations of one name.
    pub async fn register(
        &self,
        new: NewUser<'_>,
        submitted_hash: &str,
        policy: &CodePolicy,
        now: DateTime<Utc>,
    ) -> Result<Registration, DbError> {
        let outcome = write_txn!(self, |conn| {
            let check = conn
                .check_and_consume(
                    new.mobile,
                    SmsPurpose::Register,
                    submitted_hash,
                    policy,
                    now,
                )
                .await?;
            if check != CodeCheck::Accept {
                return Ok(Some(Registration::BadCode(check)));
            }
            diesel::insert_into(user::table)
                .values((
                    user::username.eq(new.username),
                    user::mobile.eq(new.mobile),
                    user::password.eq(new.password_hash),
                    user::password_scheme.eq(ARGON2ID),
                    user::created_at.eq(naive(now)),
                ))
                .execute(conn)
                .await
                .map_err(taken_or_db)?;
            let id: i32 = user::table
                .select(user::id)
                .filter(user::username.eq(new.username))
                .first(conn)
                .await?;
            Ok(Some(Registration::Created(id)))
        })?;
        match outcome {
            Some(r) => Ok(r),
            None => Ok(if self.user_by_username(new.username).await?.is_some() {
                Registration::UsernameTaken
            } else {
                Registration::MobileTaken
            }),
        }
    }

    /// Checks and consumes a login code for `mobile`; the user it belongs
    /// to when the code is accepted.
    pub async fn login_with_code(
        &self,
        mobile: &str,
        submitted_hash: &str,
        policy: &CodePolicy,
        now: DateTime<Utc>,
    ) -> Result<Result<Option<UserRecord>, CodeCheck>, DbError> {
        let check = self
            .check_code(mobile, SmsPurpose::Login, submitted_hash, policy, now)
            .await?;
        if check != CodeCheck::Accept {
            return Ok(Err(check));
        }
        Ok(Ok(self.user_by_mobile(mobile).await?))
    }

    /// The user with this exact username.
    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(user::table
                .select(UserRecordRow::as_select())
                .filter(user::username.eq(username))
                .first::<UserRecordRow>(conn)
                .await
                .optional()?
                .map(Into::into))
        })
    }

    /// The user with this mobile.
    pub async fn user_by_mobile(&self, mobile: &str) -> Result<Option<UserRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(user::table
                .select(UserRecordRow::as_select())
                .filter(user::mobile.eq(mobile))
                .first::<UserRecordRow>(conn)
                .await
                .optional()?
                .map(Into::into))
        })
    }

    /// The user with this id.
    pub async fn user_by_id(&self, id: i32) -> Result<Option<UserRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(user::table
                .select(UserRecordRow::as_select())
                .filter(user::id.eq(id))
                .first::<UserRecordRow>(conn)
                .await
                .optional()?
                .map(Into::into))
        })
    }

    /// Replaces a password hash, only if it is still `old` (a concurrent
    /// change wins). Returns whether it was replaced.
    pub async fn upgrade_password(
        &self,
        id: i32,
        old: &str,
        new_hash: &str,
    ) -> Result<bool, DbError> {
        let n = with_conn!(self, |conn| {
            Ok(diesel::update(
                user::table
                    .filter(user::id.eq(id))
                    .filter(user::password.eq(old)),
            )
            .set((
                user::password.eq(new_hash),
                user::password_scheme.eq(ARGON2ID),
            ))
            .execute(conn)
            .await?)
        })?;
        Ok(n == 1)
    }

    /// Grants `role` to a user (or revokes any with `None`), recorded in
    /// the audit log in the same transaction; false when there is no such user.
    pub async fn set_role(
        &self,
        username: &str,
        role: Option<Role>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, DbError> {
        write_txn!(self, |conn| {
            let before: Option<UserRecord> = user::table
                .select(UserRecordRow::as_select())
                .filter(user::username.eq(username))
                .first::<UserRecordRow>(conn)
                .await
                .optional()?
                .map(Into::into);
            let Some(before) = before else {
                return Ok(false);
            };
            diesel::update(user::table.filter(user::id.eq(before.id)))
                .set(user::role.eq(role.map(Role::as_str)))
                .execute(conn)
                .await?;
            let show = |r: Option<Role>| r.map_or("null".to_owned(), |r| format!("\"{r}\""));
            conn.audit(
                &AuditEntry {
                    actor,
                    action: AuditAction::UserRole,
                    target: format!("user {}", before.id),
                    detail: format!("{{\"role\":[{},{}]}}", show(before.role), show(role)),
                },
                now,
            )
            .await?;
            Ok(true)
        })
    }
}

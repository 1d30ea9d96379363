//! Users: registration (with its SMS code, in one transaction), lookups,
//! password upgrades and the admin flag.

use crate::ops::TxOps;
use crate::schema::user;
use crate::txn::{retry_contention, write_txn};
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::RunQueryDsl;
use letao_domain::verification::{CodeCheck, CodePolicy, SmsPurpose};

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Id (the token's subject).
    pub id: i32,
    /// Username; rows adopted from the original may lack one.
    pub username: Option<String>,
    /// Mobile; rows adopted from the original may lack one.
    pub mobile: Option<String>,
    /// Stored password hash (argon2id PHC string or legacy MD5 hex).
    pub password: Option<String>,
    /// May use admin-only routes.
    pub is_admin: bool,
}

type UserRow = (i32, Option<String>, Option<String>, Option<String>, bool);

const USER_COLUMNS: (
    user::id,
    user::username,
    user::mobile,
    user::password,
    user::is_admin,
) = (
    user::id,
    user::username,
    user::mobile,
    user::password,
    user::is_admin,
);

fn record((id, username, mobile, password, is_admin): UserRow) -> UserRecord {
    UserRecord {
        id,
        username,
        mobile,
        password,
        is_admin,
    }
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

/// Rolls the registration transaction back while keeping why.
enum RegisterAbort {
    Taken,
    Db(DieselError),
}

impl From<DieselError> for RegisterAbort {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                RegisterAbort::Taken
            }
            other => RegisterAbort::Db(other),
        }
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
        let outcome = retry_contention(|| async {
            with_conn!(self, |conn| {
                let result = write_txn(conn, async |conn| {
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
                        return Ok(Registration::BadCode(check));
                    }
                    diesel::insert_into(user::table)
                        .values((
                            user::username.eq(new.username),
                            user::mobile.eq(new.mobile),
                            user::password.eq(new.password_hash),
                            user::password_scheme.eq("argon2id"),
                            user::is_admin.eq(false),
                            user::created_at.eq(now.naive_utc()),
                        ))
                        .execute(conn)
                        .await?;
                    let id: i32 = user::table
                        .select(user::id)
                        .filter(user::username.eq(new.username))
                        .first(conn)
                        .await?;
                    Ok(Registration::Created(id))
                })
                .await;
                match result {
                    Ok(r) => Ok(Some(r)),
                    Err(RegisterAbort::Taken) => Ok(None),
                    Err(RegisterAbort::Db(e)) => Err(DbError::from(e)),
                }
            })
        })
        .await?;
        match outcome {
            Some(r) => Ok(r),
            // Rolled back on a unique index: find out which one.
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
        let check = retry_contention(|| async {
            with_conn!(self, |conn| {
                write_txn(conn, async |conn| {
                    conn.check_and_consume(mobile, SmsPurpose::Login, submitted_hash, policy, now)
                        .await
                })
                .await
                .map_err(DbError::from)
            })
        })
        .await?;
        if check != CodeCheck::Accept {
            return Ok(Err(check));
        }
        Ok(Ok(self.user_by_mobile(mobile).await?))
    }

    /// The user with this exact username.
    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, DbError> {
        let row: Option<UserRow> = with_conn!(self, |conn| {
            Ok(user::table
                .select(USER_COLUMNS)
                .filter(user::username.eq(username))
                .first(conn)
                .await
                .optional()?)
        })?;
        Ok(row.map(record))
    }

    /// The user with this mobile.
    pub async fn user_by_mobile(&self, mobile: &str) -> Result<Option<UserRecord>, DbError> {
        let row: Option<UserRow> = with_conn!(self, |conn| {
            Ok(user::table
                .select(USER_COLUMNS)
                .filter(user::mobile.eq(mobile))
                .first(conn)
                .await
                .optional()?)
        })?;
        Ok(row.map(record))
    }

    /// The user with this id.
    pub async fn user_by_id(&self, id: i32) -> Result<Option<UserRecord>, DbError> {
        let row: Option<UserRow> = with_conn!(self, |conn| {
            Ok(user::table
                .select(USER_COLUMNS)
                .filter(user::id.eq(id))
                .first(conn)
                .await
                .optional()?)
        })?;
        Ok(row.map(record))
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
                user::password_scheme.eq("argon2id"),
            ))
            .execute(conn)
            .await?)
        })?;
        Ok(n == 1)
    }

    /// Grants or revokes the admin role; false when there is no such user.
    pub async fn set_admin(&self, username: &str, admin: bool) -> Result<bool, DbError> {
        let n = with_conn!(self, |conn| {
            Ok(
                diesel::update(user::table.filter(user::username.eq(username)))
                    .set(user::is_admin.eq(admin))
                    .execute(conn)
                    .await?,
            )
        })?;
        Ok(n == 1)
    }
}

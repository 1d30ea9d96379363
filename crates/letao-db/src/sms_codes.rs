//! SMS verification codes: issuing them under the send limits, and
//! checking a submitted one.

use crate::columns::{OptUtcTime, UtcTime, naive};
use crate::rate_limit::RateOps;
use crate::schema::sms_code;
use crate::txn::Abort;
use crate::{Db, DbError};
use crate::{NewCode, RateRule, RetryAfter};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;
use letao_domain::verification::{CodeCheck, CodePolicy, SmsPurpose, StoredCode};

/// The latest code of a (mobile, purpose), as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = sms_code)]
struct CodeRow {
    id: i64,
    code_hash: String,
    #[diesel(deserialize_as = UtcTime)]
    created_at: DateTime<Utc>,
    attempts: i32,
    #[diesel(deserialize_as = OptUtcTime)]
    consumed_at: Option<DateTime<Utc>>,
}

/// The step of checking a code, inside a caller's write transaction.
pub(crate) trait CodeOps {
    /// Checks the latest code for (mobile, purpose): counts a wrong try,
    /// or consumes a right code (`Accept` means this call consumed it).
    fn check_and_consume(
        &mut self,
        mobile: &str,
        purpose: SmsPurpose,
        submitted_hash: &str,
        policy: &CodePolicy,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<CodeCheck, DieselError>> + Send;
}

impl_for_each_conn!(CodeOps {
    async fn check_and_consume(
        &mut self,
        mobile: &str,
        purpose: SmsPurpose,
        submitted_hash: &str,
        policy: &CodePolicy,
        now: DateTime<Utc>,
    ) -> Result<CodeCheck, DieselError> {
        let conn = self;
        let latest: Option<CodeRow> = sms_code::table
            .select(CodeRow::as_select())
            .filter(sms_code::mobile.eq(mobile))
            .filter(sms_code::purpose.eq(purpose.as_str()))
            .order(sms_code::id.desc())
            .first(conn)
            .await
            .optional()?;
        // No code at all reads as a wrong one: nothing tells a caller
        // whether a code was ever sent.
        let Some(row) = latest else {
            return Ok(CodeCheck::Wrong);
        };
        let stored = StoredCode {
            code_hash: row.code_hash,
            created_at: row.created_at,
            attempts: row.attempts,
            consumed: row.consumed_at.is_some(),
        };
        let verdict = policy.check(&stored, submitted_hash, now);
        // Both updates re-check the row's state, so of two concurrent checks
        // only one can consume a code, and tries are never lost.
        let live = sms_code::table
            .filter(sms_code::id.eq(row.id))
            .filter(sms_code::consumed_at.is_null())
            .filter(sms_code::attempts.lt(policy.max_attempts));
        match verdict {
            CodeCheck::Wrong => {
                diesel::update(live)
                    .set(sms_code::attempts.eq(sms_code::attempts + 1))
                    .execute(conn)
                    .await?;
                Ok(CodeCheck::Wrong)
            }
            CodeCheck::Accept => {
                let consumed = diesel::update(live)
                    .set(sms_code::consumed_at.eq(naive(now)))
                    .execute(conn)
                    .await?;
                Ok(if consumed == 1 {
                    CodeCheck::Accept
                } else {
                    CodeCheck::UsedUp
                })
            }
            other => Ok(other),
        }
    }
});

impl Db {
    /// Takes a hit from every send limit and stores the code, in one
    /// transaction; nothing is stored when a limit is reached.
    pub async fn issue_code(
        &self,
        code: NewCode<'_>,
        limits: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Result<(), RetryAfter>, DbError> {
        write_txn!(self, |conn| {
            if let Err(wait) = conn.take_rate(limits, now).await? {
                return Err(Abort::Rollback(Err(wait)));
            }
            diesel::insert_into(sms_code::table)
                .values((
                    sms_code::mobile.eq(code.mobile),
                    sms_code::purpose.eq(code.purpose.as_str()),
                    sms_code::code_hash.eq(code.code_hash),
                    sms_code::client_ip.eq(code.client_ip),
                    sms_code::created_at.eq(naive(now)),
                    sms_code::attempts.eq(0),
                ))
                .execute(conn)
                .await?;
            Ok(Ok(()))
        })
    }

    /// Withdraws a code that could not be delivered, and gives its send
    /// limits back, so the user can ask again at once.
    pub async fn withdraw_code(
        &self,
        code: NewCode<'_>,
        limits: &[RateRule],
    ) -> Result<(), DbError> {
        with_conn!(self, |conn| {
            diesel::delete(
                sms_code::table
                    .filter(sms_code::mobile.eq(code.mobile))
                    .filter(sms_code::purpose.eq(code.purpose.as_str()))
                    .filter(sms_code::code_hash.eq(code.code_hash)),
            )
            .execute(conn)
            .await?;
            Ok(())
        })?;
        let buckets: Vec<String> = limits.iter().map(|r| r.bucket.clone()).collect();
        self.give_back_rate(&buckets).await
    }

    /// Checks and consumes a code for (mobile, purpose) in a transaction of its own.
    pub async fn check_code(
        &self,
        mobile: &str,
        purpose: SmsPurpose,
        submitted_hash: &str,
        policy: &CodePolicy,
        now: DateTime<Utc>,
    ) -> Result<CodeCheck, DbError> {
        write_txn!(self, |conn| {
            Ok(conn
                .check_and_consume(mobile, purpose, submitted_hash, policy, now)
                .await?)
        })
    }
}

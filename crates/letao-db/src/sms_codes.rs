//! Issuing SMS codes under the send limits.

use crate::ops::TxOps;
use crate::rate_limit::{RateRule, RetryAfter, TakeError};
use crate::schema::sms_code;
use crate::txn::{retry_contention, write_txn};
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use letao_domain::verification::SmsPurpose;

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

impl Db {
    /// Takes a hit from every send limit and stores the code, in one
    /// transaction; nothing is stored when a limit is reached.
    pub async fn issue_code(
        &self,
        code: NewCode<'_>,
        limits: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Result<(), RetryAfter>, DbError> {
        retry_contention(|| async {
            with_conn!(self, |conn| {
                let outcome = write_txn(conn, async |conn| {
                    if let Err(wait) = conn.take_rate(limits, now).await? {
                        return Err(TakeError::Full(wait));
                    }
                    diesel::insert_into(sms_code::table)
                        .values((
                            sms_code::mobile.eq(code.mobile),
                            sms_code::purpose.eq(code.purpose.as_str()),
                            sms_code::code_hash.eq(code.code_hash),
                            sms_code::client_ip.eq(code.client_ip),
                            sms_code::created_at.eq(now.naive_utc()),
                            sms_code::attempts.eq(0),
                        ))
                        .execute(conn)
                        .await?;
                    Ok(())
                })
                .await;
                match outcome {
                    Ok(()) => Ok(Ok(())),
                    Err(TakeError::Full(wait)) => Ok(Err(wait)),
                    Err(TakeError::Db(e)) => Err(e),
                }
            })
        })
        .await
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
}

//! Fixed-window counters in the database, shared by all instances.

use crate::ops::TxOps;
use crate::schema::rate_limit;
use crate::txn::{retry_contention, write_txn};
use crate::{Db, DbError};
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

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

impl Db {
    /// Takes one hit from every rule, all or none (in one transaction).
    pub async fn take_rate(
        &self,
        rules: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Result<(), RetryAfter>, DbError> {
        retry_contention(|| async {
            with_conn!(self, |conn| {
                let outcome = write_txn(conn, async |conn| {
                    match conn.take_rate(rules, now).await? {
                        Ok(()) => Ok(Ok(())),
                        Err(wait) => Err(TakeError::Full(wait)),
                    }
                })
                .await;
                match outcome {
                    Ok(v) => Ok(v),
                    Err(TakeError::Full(wait)) => Ok(Err(wait)),
                    Err(TakeError::Db(e)) => Err(e),
                }
            })
        })
        .await
    }

    /// Gives one hit back to each bucket (never below zero): for attempts
    /// that turned out not to count, such as a successful login.
    pub async fn give_back_rate(&self, buckets: &[String]) -> Result<(), DbError> {
        retry_contention(|| async {
            with_conn!(self, |conn| {
                diesel::update(rate_limit::table)
                    .filter(rate_limit::bucket.eq_any(buckets))
                    .filter(rate_limit::hits.gt(0))
                    .set(rate_limit::hits.eq(rate_limit::hits - 1))
                    .execute(conn)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    /// How long until `rules` all have room, without taking anything.
    pub async fn rate_full(
        &self,
        rules: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Option<RetryAfter>, DbError> {
        let buckets: Vec<&str> = rules.iter().map(|r| r.bucket.as_str()).collect();
        let rows: Vec<(String, chrono::NaiveDateTime, i32)> = with_conn!(self, |conn| {
            Ok(rate_limit::table
                .select((
                    rate_limit::bucket,
                    rate_limit::window_start,
                    rate_limit::hits,
                ))
                .filter(rate_limit::bucket.eq_any(&buckets))
                .load(conn)
                .await?)
        })?;
        let mut wait: Option<TimeDelta> = None;
        for (bucket, start, hits) in rows {
            let Some(rule) = rules.iter().find(|r| r.bucket == bucket) else {
                continue;
            };
            let end = start.and_utc() + rule.window;
            if end > now && hits >= i32::try_from(rule.limit).unwrap_or(i32::MAX) {
                let w = end - now;
                wait = Some(wait.map_or(w, |x| x.max(w)));
            }
        }
        Ok(wait.map(|w| RetryAfter(w.max(TimeDelta::seconds(1)))))
    }
}

pub(crate) enum TakeError {
    /// A counter is full: roll back, and wait this long.
    Full(RetryAfter),
    Db(DbError),
}

impl From<diesel::result::Error> for TakeError {
    fn from(e: diesel::result::Error) -> Self {
        TakeError::Db(e.into())
    }
}

impl From<DbError> for TakeError {
    fn from(e: DbError) -> Self {
        TakeError::Db(e)
    }
}

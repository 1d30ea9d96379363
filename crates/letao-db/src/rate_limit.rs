//! Fixed-window counters in the database, shared by all instances.

use crate::columns::{UtcTime, naive};
use crate::schema::rate_limit;
use crate::txn::Abort;
use crate::{Db, DbError};
use crate::{RateRule, RetryAfter};
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;

/// The hits a rule allows, as stored counters count them.
fn limit_of(rule: &RateRule) -> i32 {
    i32::try_from(rule.limit).unwrap_or(i32::MAX)
}

/// A counter as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = rate_limit)]
struct Counter {
    bucket: String,
    #[diesel(deserialize_as = UtcTime)]
    window_start: DateTime<Utc>,
    hits: i32,
}

/// The step of taking hits, inside a caller's write transaction.
pub(crate) trait RateOps {
    /// Takes one hit from each rule: all of them, or (when one is full)
    /// none, with the longest wait. The caller rolls back on `Err(RetryAfter)`.
    fn take_rate(
        &mut self,
        rules: &[RateRule],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Result<(), RetryAfter>, DieselError>> + Send;
}

impl_for_each_conn!(RateOps {
    async fn take_rate(
        &mut self,
        rules: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Result<(), RetryAfter>, DieselError> {
        let conn = self;
        let mut full: Option<TimeDelta> = None;
        let mut sorted: Vec<&RateRule> = rules.iter().collect();
        // A fixed order keeps concurrent transactions from deadlocking.
        sorted.sort_by(|a, b| a.bucket.cmp(&b.bucket));
        for rule in sorted {
            diesel::insert_into(rate_limit::table)
                .values((
                    rate_limit::bucket.eq(&rule.bucket),
                    rate_limit::window_start.eq(naive(now)),
                    rate_limit::hits.eq(0),
                ))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            // A window that has ended starts again now.
            diesel::update(rate_limit::table)
                .filter(rate_limit::bucket.eq(&rule.bucket))
                .filter(rate_limit::window_start.le(naive(now - rule.window)))
                .set((
                    rate_limit::window_start.eq(naive(now)),
                    rate_limit::hits.eq(0),
                ))
                .execute(conn)
                .await?;
            let taken = diesel::update(rate_limit::table)
                .filter(rate_limit::bucket.eq(&rule.bucket))
                .filter(rate_limit::hits.lt(limit_of(rule)))
                .set(rate_limit::hits.eq(rate_limit::hits + 1))
                .execute(conn)
                .await?;
            if taken == 0 {
                let start: Counter = rate_limit::table
                    .select(Counter::as_select())
                    .filter(rate_limit::bucket.eq(&rule.bucket))
                    .first(conn)
                    .await?;
                let wait = start.window_start + rule.window - now;
                full = Some(full.map_or(wait, |w| w.max(wait)));
            }
        }
        Ok(match full {
            Some(wait) => Err(RetryAfter(wait.max(TimeDelta::seconds(1)))),
            None => Ok(()),
        })
    }
});

impl Db {
    /// Takes one hit from every rule, all or none (in one transaction).
    pub async fn take_rate(
        &self,
        rules: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Result<(), RetryAfter>, DbError> {
        write_txn!(self, |conn| {
            match conn.take_rate(rules, now).await? {
                Ok(()) => Ok(Ok(())),
                Err(wait) => Err(Abort::Rollback(Err(wait))),
            }
        })
    }

    /// Gives one hit back to each bucket (never below zero): for attempts
    /// that turned out not to count.
    pub async fn give_back_rate(&self, buckets: &[String]) -> Result<(), DbError> {
        write_txn!(self, |conn| {
            diesel::update(rate_limit::table)
                .filter(rate_limit::bucket.eq_any(buckets))
                .filter(rate_limit::hits.gt(0))
                .set(rate_limit::hits.eq(rate_limit::hits - 1))
                .execute(conn)
                .await?;
            Ok(())
        })
    }

    /// How long until `rules` all have room, without taking anything.
    pub async fn rate_full(
        &self,
        rules: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Option<RetryAfter>, DbError> {
        let buckets: Vec<&str> = rules.iter().map(|r| r.bucket.as_str()).collect();
        let counters: Vec<Counter> = read_conn!(self, |conn| {
            Ok(rate_limit::table
                .select(Counter::as_select())
                .filter(rate_limit::bucket.eq_any(&buckets))
                .load(conn)
                .await?)
        })?;
        let mut wait: Option<TimeDelta> = None;
        for counter in counters {
            let Some(rule) = rules.iter().find(|r| r.bucket == counter.bucket) else {
                continue;
            };
            let end = counter.window_start + rule.window;
            if end > now && counter.hits >= limit_of(rule) {
                let w = end - now;
                wait = Some(wait.map_or(w, |x| x.max(w)));
            }
        }
        Ok(wait.map(|w| RetryAfter(w.max(TimeDelta::seconds(1)))))
    }
}

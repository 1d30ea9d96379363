//! Timestamps are stored as UTC without a zone (the original's DATETIME
//! columns); these wrappers read them as `DateTime<Utc>` in row structs
//! (`#[diesel(deserialize_as = ...)]`).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::sql_types::{Nullable, Timestamp};

/// A stored UTC timestamp.
pub struct UtcTime(DateTime<Utc>);

impl<DB> Queryable<Timestamp, DB> for UtcTime
where
    DB: Backend,
    NaiveDateTime: FromSql<Timestamp, DB>,
{
    type Row = NaiveDateTime;

    fn build(row: NaiveDateTime) -> deserialize::Result<Self> {
        Ok(UtcTime(row.and_utc()))
    }
}

impl From<UtcTime> for DateTime<Utc> {
    fn from(t: UtcTime) -> Self {
        t.0
    }
}

/// A stored UTC timestamp that may be NULL.
pub struct OptUtcTime(Option<DateTime<Utc>>);

impl<DB> Queryable<Nullable<Timestamp>, DB> for OptUtcTime
where
    DB: Backend,
    Option<NaiveDateTime>: FromSql<Nullable<Timestamp>, DB>,
{
    type Row = Option<NaiveDateTime>;

    fn build(row: Option<NaiveDateTime>) -> deserialize::Result<Self> {
        Ok(OptUtcTime(row.map(|t| t.and_utc())))
    }
}

impl From<OptUtcTime> for Option<DateTime<Utc>> {
    fn from(t: OptUtcTime) -> Self {
        t.0
    }
}

/// The stored form of a time.
pub(crate) fn naive(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

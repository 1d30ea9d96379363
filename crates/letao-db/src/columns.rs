//! Column types read into domain types in row structs
//! (`#[diesel(deserialize_as = ...)]`). Timestamps are stored as UTC
//! without a zone (the original's DATETIME columns) and read as
//! `DateTime<Utc>`; nullable state names read as `Option` of their enum.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::sql_types::{Nullable, Text, Timestamp};

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

/// A stored name of a domain enum that may be NULL (e.g. a user's role).
pub struct OptName<T>(Option<T>);

impl<T, DB> Queryable<Nullable<Text>, DB> for OptName<T>
where
    DB: Backend,
    Option<String>: FromSql<Nullable<Text>, DB>,
    T: TryFrom<String>,
    T::Error: std::error::Error + Send + Sync + 'static,
{
    type Row = Option<String>;

    fn build(row: Option<String>) -> deserialize::Result<Self> {
        Ok(OptName(row.map(T::try_from).transpose()?))
    }
}

impl<T> From<OptName<T>> for Option<T> {
    fn from(v: OptName<T>) -> Self {
        v.0
    }
}

//! Buyers' delivery addresses: at most 20 each, exactly one default.

use crate::columns::naive;
use crate::schema::{address, user};
use crate::txn::Abort;
use crate::{AddressAdded, AddressRecord};
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;
use letao_domain::DeliveryAddress;
use letao_domain::address::MAX_ADDRESSES;

/// An address as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = address)]
pub(crate) struct AddressRecordRow {
    /// Id.
    id: i32,
    /// Owner.
    user_id: i32,
    /// Recipient.
    name: String,
    /// Recipient's mobile.
    mobile: String,
    /// Province.
    province: String,
    /// City.
    city: String,
    /// District.
    district: String,
    /// Street and number.
    detail: String,
    /// The buyer's default.
    is_default: bool,
}

impl From<AddressRecordRow> for AddressRecord {
    fn from(r: AddressRecordRow) -> Self {
        AddressRecord {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            mobile: r.mobile,
            province: r.province,
            city: r.city,
            district: r.district,
            detail: r.detail,
            is_default: r.is_default,
        }
    }
}

/// Keeping exactly one default inside a caller's transaction.
trait DefaultOps {
    /// Makes `id` the user's only default.
    fn make_default(
        &mut self,
        user_id: i32,
        id: i32,
    ) -> impl Future<Output = Result<(), DieselError>> + Send;
}

impl_for_each_conn!(DefaultOps {
    async fn make_default(&mut self, user_id: i32, id: i32) -> Result<(), DieselError> {
        let mine = address::table.filter(address::user_id.eq(user_id));
        diesel::update(mine.filter(address::id.ne(id)).filter(address::is_default.eq(true)))
            .set(address::is_default.eq(false))
            .execute(self)
            .await?;
        diesel::update(mine.filter(address::id.eq(id)))
            .set(address::is_default.eq(true))
            .execute(self)
            .await?;
        Ok(())
    }
});

/// The columns an address sets.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = address)]
struct Values<'a> {
    name: &'a str,
    mobile: &'a str,
    province: &'a str,
    city: &'a str,
    district: &'a str,
    detail: &'a str,
}

fn values(a: &DeliveryAddress) -> Values<'_> {
    Values {
        name: &a.name,
        mobile: a.mobile.as_str(),
        province: &a.province,
        city: &a.city,
        district: &a.district,
        detail: &a.detail,
    }
}

impl Db {
    /// A user's addresses, oldest first.
    pub async fn addresses(&self, user_id: i32) -> Result<Vec<AddressRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(address::table
                .select(AddressRecordRow::as_select())
                .filter(address::user_id.eq(user_id))
                .order(address::id)
                .load::<AddressRecordRow>(conn)
                .await?
                .into_iter()
                .map(Into::into)
                .collect::<Vec<_>>())
        })
    }

    /// One of a user's addresses (`None` for another's or a missing id).
    pub async fn address_of(
        &self,
        user_id: i32,
        id: i32,
    ) -> Result<Option<AddressRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(address::table
                .select(AddressRecordRow::as_select())
                .filter(address::user_id.eq(user_id))
                .filter(address::id.eq(id))
                .first::<AddressRecordRow>(conn)
                .await
                .optional()?
                .map(Into::into))
        })
    }

    /// Adds an address: the user's counter is taken by a conditional update
    /// (never past 20, even concurrently); the first address, or one asked
    /// to be, becomes the only default.
    pub async fn add_address(
        &self,
        user_id: i32,
        a: &DeliveryAddress,
        make_default: bool,
        now: DateTime<Utc>,
    ) -> Result<AddressAdded, DbError> {
        write_txn!(self, |conn| {
            let taken = diesel::update(
                user::table
                    .filter(user::id.eq(user_id))
                    .filter(user::address_count.lt(MAX_ADDRESSES)),
            )
            .set(user::address_count.eq(user::address_count + 1))
            .execute(conn)
            .await?;
            if taken != 1 {
                return Err(Abort::Rollback(AddressAdded::Full));
            }
            let others: i64 = address::table
                .filter(address::user_id.eq(user_id))
                .count()
                .get_result(conn)
                .await?;
            diesel::insert_into(address::table)
                .values((
                    address::user_id.eq(user_id),
                    values(a),
                    address::is_default.eq(false),
                    address::created_at.eq(naive(now)),
                    address::updated_at.eq(naive(now)),
                ))
                .execute(conn)
                .await?;
            let id: i32 = address::table
                .select(address::id)
                .filter(address::user_id.eq(user_id))
                .order(address::id.desc())
                .first(conn)
                .await?;
            if make_default || others == 0 {
                conn.make_default(user_id, id).await?;
            }
            let added = address::table
                .select(AddressRecordRow::as_select())
                .filter(address::id.eq(id))
                .first::<AddressRecordRow>(conn)
                .await?
                .into();
            Ok(AddressAdded::Added(added))
        })
    }

    /// Replaces one of a user's addresses; `make_default` makes it the
    /// only default (the default cannot be unset: another must be chosen).
    /// `None` when it is not the user's.
    pub async fn update_address(
        &self,
        user_id: i32,
        id: i32,
        a: &DeliveryAddress,
        make_default: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<AddressRecord>, DbError> {
        write_txn!(self, |conn| {
            let n = diesel::update(
                address::table
                    .filter(address::user_id.eq(user_id))
                    .filter(address::id.eq(id)),
            )
            .set((values(a), address::updated_at.eq(naive(now))))
            .execute(conn)
            .await?;
            if n != 1 {
                return Ok(None);
            }
            if make_default {
                conn.make_default(user_id, id).await?;
            }
            Ok(Some(
                address::table
                    .select(AddressRecordRow::as_select())
                    .filter(address::id.eq(id))
                    .first::<AddressRecordRow>(conn)
                    .await?
                    .into(),
            ))
        })
    }

    /// Deletes one of a user's addresses; when it was the default, the
    /// newest remaining one becomes the default. False when it is not the
    /// user's.
    pub async fn delete_address(&self, user_id: i32, id: i32) -> Result<bool, DbError> {
        write_txn!(self, |conn| {
            let mine = address::table.filter(address::user_id.eq(user_id));
            let was_default: Option<bool> = mine
                .select(address::is_default)
                .filter(address::id.eq(id))
                .first(conn)
                .await
                .optional()?;
            let Some(was_default) = was_default else {
                return Ok(false);
            };
            diesel::delete(mine.filter(address::id.eq(id)))
                .execute(conn)
                .await?;
            diesel::update(user::table.filter(user::id.eq(user_id)))
                .set(user::address_count.eq(user::address_count - 1))
                .execute(conn)
                .await?;
            if was_default {
                let newest: Option<i32> = mine
                    .select(address::id)
                    .order(address::id.desc())
                    .first(conn)
                    .await
                    .optional()?;
                if let Some(next) = newest {
                    conn.make_default(user_id, next).await?;
                }
            }
            Ok(true)
        })
    }
}

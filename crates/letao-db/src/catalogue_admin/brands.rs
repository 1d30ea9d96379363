//! Brands: create, change, delete (only without products).

use super::InsertedId;
use super::categories::CategoryRows;
use crate::audit::AuditOps;
use crate::schema::{brand, product};
use crate::search::SearchOps;
use crate::txn::Abort;
use crate::versions::VersionOps;
use crate::{AuditNote, BrandFields, Edit};
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;
use letao_domain::{Brand, Id};

/// The brand columns of `fields`.
type BrandValues<'a> = (
    diesel::dsl::Eq<brand::brand_name, &'a str>,
    diesel::dsl::Eq<brand::category_id, i32>,
    diesel::dsl::Eq<brand::brand_logo, Option<&'a str>>,
    diesel::dsl::Eq<brand::hot, i32>,
);

fn values<'a>(fields: &BrandFields<'a>) -> BrandValues<'a> {
    (
        brand::brand_name.eq(fields.name),
        brand::category_id.eq(fields.category_id),
        brand::brand_logo.eq(fields.logo),
        brand::hot.eq(fields.hot),
    )
}

/// Reading a brand inside a caller's transaction.
pub(super) trait BrandRows {
    /// The brand `id`, if there is one.
    fn brand_row(
        &mut self,
        id: i32,
    ) -> impl Future<Output = Result<Option<Brand>, DieselError>> + Send;
}

/// A brand row (the original table's columns).
#[derive(Queryable, Selectable)]
#[diesel(table_name = brand)]
struct Row {
    id: i32,
    brand_name: Option<String>,
    category_id: Option<i32>,
    brand_logo: Option<String>,
    hot: Option<i32>,
}

impl_for_each_conn!(BrandRows {
    async fn brand_row(&mut self, id: i32) -> Result<Option<Brand>, DieselError> {
        let row: Option<Row> = brand::table
            .select(Row::as_select())
            .filter(brand::id.eq(id))
            .first(self)
            .await
            .optional()?;
        Ok(row.map(|r| Brand {
            id: Id::from_db(r.id),
            name: r.brand_name,
            category_id: r.category_id,
            logo: r.brand_logo,
            hot: r.hot,
        }))
    }
});

/// The audit target of a brand.
fn target(id: i32) -> String {
    format!("brand {id}")
}

impl Db {
    /// Creates a brand under an existing category.
    pub async fn create_brand(
        &self,
        fields: &BrandFields<'_>,
        note: &AuditNote<'_, Brand>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Brand>, DbError> {
        write_txn!(self, |conn| {
            conn.bump_catalogue().await?;
            if conn.category_row(fields.category_id).await?.is_none() {
                return Err(Abort::Rollback(Edit::NoCategory));
            }
            diesel::insert_into(brand::table)
                .values(values(fields))
                .execute(conn)
                .await?;
            let id = conn.inserted_id().await?;
            let after = conn.brand_row(id).await?.ok_or(DieselError::NotFound)?;
            conn.audit(&note.entry(target(id), None, Some(&after)), now)
                .await?;
            Ok(Edit::Done(after))
        })
    }

    /// Replaces the fields of brand `id` (its category must exist).
    pub async fn update_brand(
        &self,
        id: i32,
        fields: &BrandFields<'_>,
        note: &AuditNote<'_, Brand>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Brand>, DbError> {
        write_txn!(self, |conn| {
            conn.bump_catalogue().await?;
            let Some(before) = conn.brand_row(id).await? else {
                return Err(Abort::Rollback(Edit::Missing));
            };
            if conn.category_row(fields.category_id).await?.is_none() {
                return Err(Abort::Rollback(Edit::NoCategory));
            }
            diesel::update(brand::table.filter(brand::id.eq(id)))
                .set(values(fields))
                .execute(conn)
                .await?;
            let after = conn.brand_row(id).await?.ok_or(DieselError::NotFound)?;
            if after.name != before.name || after.category_id != before.category_id {
                // Its products are found by its name and its category's.
                conn.reindex_brand(id).await?;
            }
            conn.audit(&note.entry(target(id), Some(&before), Some(&after)), now)
                .await?;
            Ok(Edit::Done(after))
        })
    }

    /// Deletes brand `id` unless it has a product, hidden ones included
    /// (checked by the DELETE itself): old orders name its products.
    pub async fn delete_brand(
        &self,
        id: i32,
        note: &AuditNote<'_, Brand>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Brand>, DbError> {
        write_txn!(self, |conn| {
            conn.bump_catalogue().await?;
            let Some(before) = conn.brand_row(id).await? else {
                return Err(Abort::Rollback(Edit::Missing));
            };
            let products = product::table.filter(product::brand_id.eq(id));
            let deleted = diesel::delete(
                brand::table
                    .filter(brand::id.eq(id))
                    .filter(not(exists(products))),
            )
            .execute(conn)
            .await?;
            if deleted != 1 {
                return Err(Abort::Rollback(Edit::HasProducts));
            }
            conn.audit(&note.entry(target(id), Some(&before), None), now)
                .await?;
            Ok(Edit::Done(before))
        })
    }
}

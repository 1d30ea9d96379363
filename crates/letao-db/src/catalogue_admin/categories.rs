//! Categories: create, rename, delete (only without brands).

use super::InsertedId;
use crate::audit::AuditOps;
use crate::schema::{brand, category};
use crate::search::SearchOps;
use crate::txn::Abort;
use crate::versions::VersionOps;
use crate::{AuditNote, Edit};
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;
use letao_domain::{Category, Id};

/// Reading a category inside a caller's transaction.
pub(super) trait CategoryRows {
    /// The category `id`, if there is one.
    fn category_row(
        &mut self,
        id: i32,
    ) -> impl Future<Output = Result<Option<Category>, DieselError>> + Send;
}

impl_for_each_conn!(CategoryRows {
    async fn category_row(&mut self, id: i32) -> Result<Option<Category>, DieselError> {
        let row: Option<(i32, Option<String>)> = category::table
            .select((category::id, category::category_name))
            .filter(category::id.eq(id))
            .first(self)
            .await
            .optional()?;
        Ok(row.map(|(id, name)| Category { id: Id::from_db(id), name }))
    }
});

/// The audit target of a category.
fn target(id: i32) -> String {
    format!("category {id}")
}

impl Db {
    /// Creates a category named `name`.
    pub async fn create_category(
        &self,
        name: &str,
        note: &AuditNote<'_, Category>,
        now: DateTime<Utc>,
    ) -> Result<Category, DbError> {
        write_txn!(self, |conn| {
            conn.bump_catalogue().await?;
            diesel::insert_into(category::table)
                .values(category::category_name.eq(name))
                .execute(conn)
                .await?;
            let id = conn.inserted_id().await?;
            let after = conn.category_row(id).await?.ok_or(DieselError::NotFound)?;
            conn.audit(&note.entry(target(id), None, Some(&after)), now)
                .await?;
            Ok(after)
        })
    }

    /// Renames category `id`.
    pub async fn rename_category(
        &self,
        id: i32,
        name: &str,
        note: &AuditNote<'_, Category>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Category>, DbError> {
        write_txn!(self, |conn| {
            conn.bump_catalogue().await?;
            let Some(before) = conn.category_row(id).await? else {
                return Err(Abort::Rollback(Edit::Missing));
            };
            diesel::update(category::table.filter(category::id.eq(id)))
                .set(category::category_name.eq(name))
                .execute(conn)
                .await?;
            let after = conn.category_row(id).await?.ok_or(DieselError::NotFound)?;
            // Its brands' products are found by its name.
            conn.reindex_category(id).await?;
            conn.audit(&note.entry(target(id), Some(&before), Some(&after)), now)
                .await?;
            Ok(Edit::Done(after))
        })
    }

    /// Deletes category `id` unless a brand is listed under it (checked by
    /// the DELETE itself).
    pub async fn delete_category(
        &self,
        id: i32,
        note: &AuditNote<'_, Category>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Category>, DbError> {
        write_txn!(self, |conn| {
            conn.bump_catalogue().await?;
            let Some(before) = conn.category_row(id).await? else {
                return Err(Abort::Rollback(Edit::Missing));
            };
            let brands = brand::table.filter(brand::category_id.eq(id));
            let deleted = diesel::delete(
                category::table
                    .filter(category::id.eq(id))
                    .filter(not(exists(brands))),
            )
            .execute(conn)
            .await?;
            if deleted != 1 {
                return Err(Abort::Rollback(Edit::HasBrands));
            }
            conn.audit(&note.entry(target(id), Some(&before), None), now)
                .await?;
            Ok(Edit::Done(before))
        })
    }
}

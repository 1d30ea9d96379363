//! Home items (grid icons and carousel banners): list, create, change,
//! delete. Rows are keyed by (kind, id); the original's grid and banner ids
//! overlap, new ids are unique across both kinds.

use crate::audit::AuditOps;
use crate::schema::home_item;
use crate::txn::Abort;
use crate::versions::VersionOps;
use crate::{AuditNote, Edit, HomeItemRecord};
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;
use letao_domain::HomeItemKind;

/// The kind a stored name stands for.
fn kind_named(name: &str) -> Option<HomeItemKind> {
    [HomeItemKind::Grid, HomeItemKind::Banner]
        .into_iter()
        .find(|k| k.as_str() == name)
}

type Row = (String, i32, String, i32);

fn record((kind, id, img_src, sort): Row) -> Option<HomeItemRecord> {
    Some(HomeItemRecord {
        kind: kind_named(&kind)?,
        id,
        img_src,
        sort,
    })
}

const COLUMNS: (
    home_item::kind,
    home_item::id,
    home_item::img_src,
    home_item::sort_order,
) = (
    home_item::kind,
    home_item::id,
    home_item::img_src,
    home_item::sort_order,
);

/// Reading a home item inside a caller's transaction.
trait HomeItemRows {
    /// The item (kind, id), if there is one.
    fn home_item_row(
        &mut self,
        kind: HomeItemKind,
        id: i32,
    ) -> impl Future<Output = Result<Option<HomeItemRecord>, DieselError>> + Send;
}

impl_for_each_conn!(HomeItemRows {
    async fn home_item_row(
        &mut self,
        kind: HomeItemKind,
        id: i32,
    ) -> Result<Option<HomeItemRecord>, DieselError> {
        let row: Option<Row> = home_item::table
            .select(COLUMNS)
            .filter(home_item::kind.eq(kind.as_str()))
            .filter(home_item::id.eq(id))
            .first(self)
            .await
            .optional()?;
        Ok(row.and_then(record))
    }
});

/// The audit target of a home item, e.g. `banner 3`.
fn target(kind: HomeItemKind, id: i32) -> String {
    format!("{} {id}", kind.as_str())
}

impl Db {
    /// Every home item: the grid's, then the banners', each in display order.
    pub async fn all_home_items(&self) -> Result<Vec<HomeItemRecord>, DbError> {
        let rows: Vec<Row> = read_conn!(self, |conn| {
            Ok(home_item::table
                .select(COLUMNS)
                .order((home_item::kind.desc(), home_item::sort_order, home_item::id))
                .load(conn)
                .await?)
        })?;
        Ok(rows.into_iter().filter_map(record).collect())
    }

    /// The kinds that have an item with this id (the original's ids overlap).
    pub async fn home_item_kinds(&self, id: i32) -> Result<Vec<HomeItemKind>, DbError> {
        let kinds: Vec<String> = read_conn!(self, |conn| {
            Ok(home_item::table
                .select(home_item::kind)
                .filter(home_item::id.eq(id))
                .order(home_item::kind.desc())
                .load(conn)
                .await?)
        })?;
        Ok(kinds.iter().filter_map(|k| kind_named(k)).collect())
    }

    /// Adds a home item with a new id, one more than the largest of either
    /// kind (read under the catalogue write lock, so it is unique).
    pub async fn create_home_item(
        &self,
        kind: HomeItemKind,
        img_src: &str,
        sort: i32,
        note: &AuditNote<'_, HomeItemRecord>,
        now: DateTime<Utc>,
    ) -> Result<HomeItemRecord, DbError> {
        write_txn!(self, |conn| {
            conn.bump_catalogue().await?;
            let max: Option<i32> = home_item::table
                .select(diesel::dsl::max(home_item::id))
                .get_result(conn)
                .await?;
            let id = max.unwrap_or(0).saturating_add(1);
            diesel::insert_into(home_item::table)
                .values((
                    home_item::kind.eq(kind.as_str()),
                    home_item::id.eq(id),
                    home_item::img_src.eq(img_src),
                    home_item::sort_order.eq(sort),
                ))
                .execute(conn)
                .await?;
            let after = conn
                .home_item_row(kind, id)
                .await?
                .ok_or(DieselError::NotFound)?;
            conn.audit(&note.entry(target(kind, id), None, Some(&after)), now)
                .await?;
            Ok(after)
        })
    }

    /// Replaces the image and display order of item (kind, id).
    pub async fn update_home_item(
        &self,
        kind: HomeItemKind,
        id: i32,
        img_src: &str,
        sort: i32,
        note: &AuditNote<'_, HomeItemRecord>,
        now: DateTime<Utc>,
    ) -> Result<Edit<HomeItemRecord>, DbError> {
        write_txn!(self, |conn| {
            conn.bump_catalogue().await?;
            let Some(before) = conn.home_item_row(kind, id).await? else {
                return Err(Abort::Rollback(Edit::Missing));
            };
            diesel::update(
                home_item::table
                    .filter(home_item::kind.eq(kind.as_str()))
                    .filter(home_item::id.eq(id)),
            )
            .set((
                home_item::img_src.eq(img_src),
                home_item::sort_order.eq(sort),
            ))
            .execute(conn)
            .await?;
            let after = conn
                .home_item_row(kind, id)
                .await?
                .ok_or(DieselError::NotFound)?;
            conn.audit(
                &note.entry(target(kind, id), Some(&before), Some(&after)),
                now,
            )
            .await?;
            Ok(Edit::Done(after))
        })
    }

    /// Deletes item (kind, id).
    pub async fn delete_home_item(
        &self,
        kind: HomeItemKind,
        id: i32,
        note: &AuditNote<'_, HomeItemRecord>,
        now: DateTime<Utc>,
    ) -> Result<Edit<HomeItemRecord>, DbError> {
        write_txn!(self, |conn| {
            conn.bump_catalogue().await?;
            let Some(before) = conn.home_item_row(kind, id).await? else {
                return Err(Abort::Rollback(Edit::Missing));
            };
            diesel::delete(
                home_item::table
                    .filter(home_item::kind.eq(kind.as_str()))
                    .filter(home_item::id.eq(id)),
            )
            .execute(conn)
            .await?;
            conn.audit(&note.entry(target(kind, id), Some(&before), None), now)
                .await?;
            Ok(Edit::Done(before))
        })
    }
}

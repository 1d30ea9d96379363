//! Version counters that instances compare to know their caches are stale.

use crate::schema::shop_version;
use crate::{Db, DbError};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;

/// The counter of catalogue changes (owner writes).
const CATALOGUE: &str = "catalogue";

/// Bumping a counter inside a caller's write transaction.
pub(crate) trait VersionOps {
    /// Counts one more catalogue change.
    fn bump_catalogue(&mut self) -> impl Future<Output = Result<(), DieselError>> + Send;
}

impl_for_each_conn!(VersionOps {
    async fn bump_catalogue(&mut self) -> Result<(), DieselError> {
        diesel::update(shop_version::table.filter(shop_version::name.eq(CATALOGUE)))
            .set(shop_version::version.eq(shop_version::version + 1))
            .execute(self)
            .await?;
        Ok(())
    }
});

impl Db {
    /// The catalogue's change counter: one indexed row.
    pub async fn catalogue_version(&self) -> Result<i64, DbError> {
        read_conn!(self, |conn| {
            Ok(shop_version::table
                .select(shop_version::version)
                .filter(shop_version::name.eq(CATALOGUE))
                .first(conn)
                .await
                .optional()?
                .unwrap_or(0))
        })
    }
}

//! Buyers' openids under the official account, and the OAuth states that
//! bind them (single-use, expiring, checked and used in one transaction).

use crate::columns::{OptUtcTime, UtcTime, naive};
use crate::schema::{oauth_state, wechat_openid};
use crate::txn::Abort;
use crate::{Db, DbError};
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use letao_shop::store::OAuthStateRecord;

/// Used or expired states are kept this long (for the log), then removed
/// when a new one is saved.
const KEEP_STATES: TimeDelta = TimeDelta::days(1);

/// An OAuth state as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = oauth_state)]
struct OAuthStateRow {
    state: String,
    user_id: i32,
    appid: String,
    nonce_hash: String,
    next_path: String,
    #[diesel(deserialize_as = UtcTime)]
    expires_at: DateTime<Utc>,
    #[diesel(deserialize_as = OptUtcTime)]
    used_at: Option<DateTime<Utc>>,
}

impl From<OAuthStateRow> for OAuthStateRecord {
    fn from(r: OAuthStateRow) -> Self {
        OAuthStateRecord {
            state: r.state,
            user_id: r.user_id,
            appid: r.appid,
            nonce_hash: r.nonce_hash,
            next: r.next_path,
            expires_at: r.expires_at,
            used_at: r.used_at,
        }
    }
}

impl Db {
    /// The buyer's openid under `appid`.
    pub async fn openid(&self, user_id: i32, appid: &str) -> Result<Option<String>, DbError> {
        read_conn!(self, |conn| {
            Ok(wechat_openid::table
                .select(wechat_openid::openid)
                .filter(wechat_openid::user_id.eq(user_id))
                .filter(wechat_openid::appid.eq(appid))
                .first::<String>(conn)
                .await
                .optional()?)
        })
    }

    /// Keeps a new OAuth state, and drops those long past their expiry.
    pub async fn save_oauth_state(&self, s: &OAuthStateRecord) -> Result<(), DbError> {
        write_txn!(self, |conn| {
            diesel::delete(
                oauth_state::table
                    .filter(oauth_state::expires_at.lt(naive(s.expires_at - KEEP_STATES))),
            )
            .execute(conn)
            .await?;
            diesel::insert_into(oauth_state::table)
                .values((
                    oauth_state::state.eq(&s.state),
                    oauth_state::user_id.eq(s.user_id),
                    oauth_state::appid.eq(&s.appid),
                    oauth_state::nonce_hash.eq(&s.nonce_hash),
                    oauth_state::next_path.eq(&s.next),
                    oauth_state::expires_at.eq(naive(s.expires_at)),
                    oauth_state::used_at.eq(s.used_at.map(naive)),
                ))
                .execute(conn)
                .await?;
            Ok(())
        })
    }

    /// The OAuth state named `state`.
    pub async fn oauth_state(&self, state: &str) -> Result<Option<OAuthStateRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(oauth_state::table
                .select(OAuthStateRow::as_select())
                .filter(oauth_state::state.eq(state))
                .first::<OAuthStateRow>(conn)
                .await
                .optional()?
                .map(Into::into))
        })
    }

    /// Uses the state (a conditional update: unused, unexpired, this
    /// buyer's) and keeps the openid under its appid, in one transaction.
    pub async fn bind_openid(
        &self,
        state: &str,
        user_id: i32,
        openid: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, DbError> {
        write_txn!(self, |conn| {
            let used = diesel::update(
                oauth_state::table
                    .filter(oauth_state::state.eq(state))
                    .filter(oauth_state::user_id.eq(user_id))
                    .filter(oauth_state::used_at.is_null())
                    .filter(oauth_state::expires_at.gt(naive(now))),
            )
            .set(oauth_state::used_at.eq(naive(now)))
            .execute(conn)
            .await?;
            if used != 1 {
                return Err(Abort::Rollback(false));
            }
            let appid: String = oauth_state::table
                .select(oauth_state::appid)
                .filter(oauth_state::state.eq(state))
                .first(conn)
                .await?;
            diesel::insert_into(wechat_openid::table)
                .values((
                    wechat_openid::user_id.eq(user_id),
                    wechat_openid::appid.eq(&appid),
                    wechat_openid::openid.eq(openid),
                    wechat_openid::created_at.eq(naive(now)),
                    wechat_openid::updated_at.eq(naive(now)),
                ))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            diesel::update(
                wechat_openid::table
                    .filter(wechat_openid::user_id.eq(user_id))
                    .filter(wechat_openid::appid.eq(&appid)),
            )
            .set((
                wechat_openid::openid.eq(openid),
                wechat_openid::updated_at.eq(naive(now)),
            ))
            .execute(conn)
            .await?;
            Ok(true)
        })
    }
}

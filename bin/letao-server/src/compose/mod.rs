//! The one composition root: which stores, SMS sender, payment gateway,
//! media store and clock a run uses, and the shop's services built over them. The server
//! (`Application`), the command line and the tests all assemble the shop
//! here; tests swap fakes in through [`Parts`].

mod outbound;

pub use outbound::{gateway, media_store, sms_sender};

use crate::settings::{Environment, Settings};
use crate::startup::StartError;
use chrono::TimeDelta;
use letao_api::{CachedJson, RenderedCatalogue, Services};
use letao_auth::{Argon2Settings, Clock, SystemClock};
use letao_db::Db;
use letao_domain::verification::CodePolicy;
use letao_shop::freshness::CatalogueVersion;
use letao_shop::media::MediaStore;
use letao_shop::payments::PaymentGateway;
use letao_shop::store::Stores;
use letao_shop::wechat_oauth::{OAuthConfig, WechatCodeExchange};
use letao_shop::{
    Accounts, AccountsConfig, Addresses, Carts, CatalogueCache, LoginLimits, OrderDesk, Orders,
    OrdersConfig, Owners, Products, Reconciler, Search, WechatLogin,
};
use letao_sms::SmsSender;
use std::sync::Arc;
use wechat_pay::v3::CertificateRefresher;

/// What a run uses instead of what the settings name; anything left `None`
/// is built from the settings.
#[derive(Default, Clone)]
pub struct Parts {
    /// The stores (default: the database of `database.url`, migrated).
    pub stores: Option<Stores>,
    /// Where SMS codes go.
    pub sms: Option<Arc<dyn SmsSender>>,
    /// WeChat Pay.
    pub gateway: Option<Arc<dyn PaymentGateway>>,
    /// The clock the rules run on.
    pub clock: Option<Arc<dyn Clock>>,
    /// Where uploaded images are kept.
    pub media: Option<Arc<dyn MediaStore>>,
}

/// The shop assembled.
pub struct Shop {
    /// The use cases.
    pub services: Services,
    /// The database, when the stores are the configured one.
    pub db: Option<Db>,
    /// Keeps platform certificates fresh while the shop runs (v3).
    pub refresher: Option<CertificateRefresher>,
}

/// Connects to the database and applies pending migrations.
pub async fn prepare_database(settings: &Settings) -> Result<Db, StartError> {
    let db = Db::connect(&settings.database.db_config(settings.server.worker_count()))?;
    let applied = db.migrate().await?;
    for name in &applied {
        tracing::info!(migration = %name, "migration applied");
    }
    Ok(db)
}

/// Assembles the shop from `settings` and the `parts` given.
pub async fn shop(settings: &Settings, parts: Parts) -> Result<Shop, StartError> {
    let (stores, db) = match parts.stores {
        Some(stores) => (stores, None),
        None => {
            let db = prepare_database(settings).await?;
            if settings.database.demo_data && db.seed_demo_data().await? {
                tracing::info!("empty catalogue filled with demo data");
            }
            // The tokens are made here, not by SQL: products that a
            // migration, the demo data or another tokenizer version left
            // unindexed are indexed before the first search.
            if let Some(n) = db.rebuild_search_index(false).await? {
                tracing::info!(products = n, "search index built");
            }
            (Stores::all(db.clone()), Some(db))
        }
    };
    let clock = parts.clock.unwrap_or_else(|| Arc::new(SystemClock));
    let sms = match parts.sms {
        Some(sms) => sms,
        None => sms_sender(settings)?,
    };
    let (gateway, refresher) = match parts.gateway {
        Some(gateway) => (gateway, None),
        None => gateway(settings)?,
    };
    let media = match parts.media {
        Some(media) => media,
        None => media_store(settings)?,
    };
    let accounts = Accounts::new(
        stores.accounts.clone(),
        accounts_config(settings),
        sms,
        clock.clone(),
    )
    .map_err(|e| StartError::Config(format!("auth: {e}")))?;
    let wechat = Arc::new(wechat_login(settings, &stores, clock.clone()));
    let orders = Arc::new(Orders::new(
        stores.orders.clone(),
        orders_config(settings),
        gateway,
        clock.clone(),
    ));
    let ttl = settings.catalogue_ttl();
    let version = Arc::new(CatalogueVersion::new(
        stores.catalogue.clone(),
        clock.clone(),
        ttl,
    ));
    let services = Services {
        accounts: Arc::new(accounts),
        desk: Arc::new(OrderDesk::new(orders.clone(), stores.order_book.clone())),
        reconciler: Arc::new(Reconciler::new(
            orders.clone(),
            stores.reconciliation.clone(),
        )),
        orders,
        addresses: Arc::new(Addresses::new(stores.addresses.clone(), clock.clone())),
        carts: Arc::new(Carts::new(stores.carts.clone(), clock.clone())),
        owners: Arc::new(Owners::new(
            stores.catalogue_admin.clone(),
            stores.audit.clone(),
            clock.clone(),
            letao_shop::TOTALS_TTL,
            media,
        )),
        catalogue: Arc::new(CatalogueCache::new(
            stores.catalogue.clone(),
            ttl,
            clock.clone(),
            version.clone(),
            RenderedCatalogue::render,
        )),
        search: Arc::new(Search::new(
            stores.search.clone(),
            stores.catalogue.clone(),
            version.clone(),
        )),
        products: Arc::new(Products::new(
            stores.catalogue.clone(),
            clock,
            ttl,
            letao_shop::TOTALS_TTL,
            version,
            CachedJson::product,
            CachedJson::page,
        )),
        probe: stores.probe,
        wechat,
    };
    Ok(Shop {
        services,
        db,
        refresher,
    })
}

/// The site's name on WeChat's H5 cashier (v2 `wap_name`).
const H5_WAP_NAME: &str = "乐淘";

/// The OAuth round trip of the official account, as configured; the code
/// exchange goes out on the async path (reqwest).
fn wechat_login(settings: &Settings, stores: &Stores, clock: Arc<dyn Clock>) -> WechatLogin {
    let w = &settings.wechat;
    let oauth = wechat_pay::oauth::OAuth::new(settings.oa_appid(), w.oa_secret.clone())
        .with_bases(&w.oauth_base_url, &w.api_base_url);
    WechatLogin::new(
        stores.wechat_ids.clone(),
        Arc::new(WechatCodeExchange::new(oauth)),
        OAuthConfig {
            appid: settings.oa_appid().to_owned(),
            redirect_url: w.oauth_redirect_url.clone(),
        },
        clock,
    )
}

/// The order rules as configured.
pub fn orders_config(settings: &Settings) -> OrdersConfig {
    let w = &settings.wechat_pay;
    OrdersConfig {
        appid: w.appid.clone(),
        mch_id: w.mch_id.clone(),
        notify_url: w.notify_url.clone(),
        refund_notify_url: Some(w.refund_notify_url.clone()).filter(|u| !u.is_empty()),
        h5_wap_url: w.h5_domain.clone(),
        h5_wap_name: H5_WAP_NAME.to_owned(),
        h5_public_ip_only: settings.environment == Environment::Production,
        ttl: TimeDelta::seconds(i64::try_from(settings.orders.ttl_secs).unwrap_or(7200)),
        auto_receive: TimeDelta::days(i64::from(settings.orders.auto_receive_days)),
        totals_ttl: letao_shop::TOTALS_TTL,
    }
}

/// The account rules as configured.
pub fn accounts_config(settings: &Settings) -> AccountsConfig {
    let a = &settings.auth;
    let l = &settings.limits;
    AccountsConfig {
        argon2: Argon2Settings {
            memory_kib: a.argon2_memory_kib,
            iterations: a.argon2_iterations,
            parallelism: a.argon2_parallelism,
        },
        legacy_md5_secret: a.legacy_md5_secret.clone(),
        jwt_secret: a.jwt_secret.clone(),
        token_ttl: TimeDelta::seconds(i64::try_from(a.token_ttl_secs).unwrap_or(i64::MAX / 1000)),
        codes: CodePolicy {
            cooldown: TimeDelta::seconds(i64::from(l.sms_cooldown_secs)),
            daily_per_mobile: l.sms_per_mobile_per_day,
            daily_per_ip: l.sms_per_ip_per_day,
            ..CodePolicy::default()
        },
        login: LoginLimits {
            per_account: l.login_failures_per_account,
            per_ip: l.login_failures_per_ip,
            window: TimeDelta::seconds(i64::from(l.login_window_secs)),
        },
    }
}

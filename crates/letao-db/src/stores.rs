//! `Db` as every store of the shop (`letao_shop::store`): each method is
//! the query or transaction of the same name, its `DbError` told as the
//! shop's `StoreError` (a fault of the database is `Unavailable`).

use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use letao_domain::order::{RefundEvent, TradeState};
use letao_domain::verification::{CodeCheck, CodePolicy};
use letao_domain::{
    Brand, Category, DeliveryAddress, Fen, HomeItem, HomeItemKind, Id, Product, Role,
};
use letao_shop::store::*;

impl From<DbError> for StoreError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Unavailable { .. } => StoreError::Unavailable(Box::new(err)),
            other => StoreError::Failed(Box::new(other)),
        }
    }
}

#[async_trait::async_trait]
impl OrderStore for Db {
    async fn create_order(
        &self,
        new: &NewOrder<'_>,
        now: DateTime<Utc>,
    ) -> Result<Created, StoreError> {
        Ok(Db::create_order(self, new, now).await?)
    }

    async fn set_prepay(
        &self,
        order_id: i32,
        prepay_id: Option<&str>,
        code_url: &str,
    ) -> Result<(), StoreError> {
        Ok(Db::set_prepay(self, order_id, prepay_id, code_url).await?)
    }

    async fn opening(&self, order_id: i32) -> Result<Option<Opening>, StoreError> {
        Ok(Db::opening(self, order_id).await?)
    }

    async fn order_by_no(&self, out_trade_no: &str) -> Result<Option<OrderRecord>, StoreError> {
        Ok(Db::order_by_no(self, out_trade_no).await?)
    }

    async fn close_order(
        &self,
        order_id: i32,
        from: TradeState,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(Db::close_order(self, order_id, from, reason, now).await?)
    }

    async fn claim_expired(
        &self,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OrderRecord>, StoreError> {
        Ok(Db::claim_expired(self, now, stale_before, limit).await?)
    }

    async fn unclaim(&self, order_id: i32) -> Result<(), StoreError> {
        Ok(Db::unclaim(self, order_id).await?)
    }

    async fn record_payment(
        &self,
        p: &Payment<'_>,
        now: DateTime<Utc>,
    ) -> Result<Recorded, StoreError> {
        Ok(Db::record_payment(self, p, now).await?)
    }

    async fn reserve_refund(
        &self,
        order_id: i32,
        out_refund_no: &str,
        amount: Fen,
        reason: &str,
        audit: &AuditEntry<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(Db::reserve_refund(self, order_id, out_refund_no, amount, reason, audit, now).await?)
    }

    async fn settle_refund(
        &self,
        out_refund_no: &str,
        event: RefundEvent,
        refund_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<RefundRecord>, StoreError> {
        Ok(Db::settle_refund(self, out_refund_no, event, refund_id, now).await?)
    }
}

#[async_trait::async_trait]
impl OrderBook for Db {
    async fn orders_page(
        &self,
        filter: &OrderFilter,
        start: PageStart,
        limit: i64,
    ) -> Result<Vec<ListedOrder>, StoreError> {
        Ok(Db::orders_page(self, filter, start, limit).await?)
    }

    async fn count_orders(&self, filter: &OrderFilter) -> Result<i64, StoreError> {
        Ok(Db::count_orders(self, filter).await?)
    }

    async fn deliveries(&self, order_ids: &[i32]) -> Result<Vec<DeliveryRecord>, StoreError> {
        Ok(Db::deliveries(self, order_ids).await?)
    }

    async fn buyers(&self, ids: &[i32]) -> Result<Vec<BuyerRecord>, StoreError> {
        Ok(Db::buyers(self, ids).await?)
    }

    async fn users_matching(&self, q: &str) -> Result<Vec<i32>, StoreError> {
        Ok(Db::users_matching(self, q).await?)
    }

    async fn refunds_of(&self, order_id: i32) -> Result<Vec<RefundDetail>, StoreError> {
        Ok(Db::refunds_of(self, order_id).await?)
    }

    async fn events_of(&self, order_id: i32) -> Result<Vec<EventRecord>, StoreError> {
        Ok(Db::events_of(self, order_id).await?)
    }

    async fn set_order_address(
        &self,
        order_id: i32,
        address: &DeliveryAddress,
        now: DateTime<Utc>,
    ) -> Result<AddressSet, StoreError> {
        Ok(Db::set_order_address(self, order_id, address, now).await?)
    }

    async fn ship_order(
        &self,
        order_id: i32,
        shipment: &Shipment,
        audit: &AuditEntry<'_>,
        now: DateTime<Utc>,
    ) -> Result<Shipped, StoreError> {
        Ok(Db::ship_order(self, order_id, shipment, audit, now).await?)
    }

    async fn receive_order(
        &self,
        order_id: i32,
        how: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(Db::receive_order(self, order_id, how, now).await?)
    }

    async fn due_receipts(
        &self,
        cutoff: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<i32>, StoreError> {
        Ok(Db::due_receipts(self, cutoff, limit).await?)
    }
}

#[async_trait::async_trait]
impl AccountStore for Db {
    async fn register(
        &self,
        new: NewUser<'_>,
        submitted_hash: &str,
        policy: &CodePolicy,
        now: DateTime<Utc>,
    ) -> Result<Registration, StoreError> {
        Ok(Db::register(self, new, submitted_hash, policy, now).await?)
    }

    async fn login_with_code(
        &self,
        mobile: &str,
        submitted_hash: &str,
        policy: &CodePolicy,
        now: DateTime<Utc>,
    ) -> Result<Result<Option<UserRecord>, CodeCheck>, StoreError> {
        Ok(Db::login_with_code(self, mobile, submitted_hash, policy, now).await?)
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        Ok(Db::user_by_username(self, username).await?)
    }

    async fn user_by_mobile(&self, mobile: &str) -> Result<Option<UserRecord>, StoreError> {
        Ok(Db::user_by_mobile(self, mobile).await?)
    }

    async fn user_by_id(&self, id: i32) -> Result<Option<UserRecord>, StoreError> {
        Ok(Db::user_by_id(self, id).await?)
    }

    async fn upgrade_password(
        &self,
        id: i32,
        old: &str,
        new_hash: &str,
    ) -> Result<bool, StoreError> {
        Ok(Db::upgrade_password(self, id, old, new_hash).await?)
    }

    async fn set_role(
        &self,
        username: &str,
        role: Option<Role>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(Db::set_role(self, username, role, actor, now).await?)
    }

    async fn issue_code(
        &self,
        code: NewCode<'_>,
        limits: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Result<(), RetryAfter>, StoreError> {
        Ok(Db::issue_code(self, code, limits, now).await?)
    }

    async fn withdraw_code(
        &self,
        code: NewCode<'_>,
        limits: &[RateRule],
    ) -> Result<(), StoreError> {
        Ok(Db::withdraw_code(self, code, limits).await?)
    }

    async fn take_rate(
        &self,
        rules: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Result<(), RetryAfter>, StoreError> {
        Ok(Db::take_rate(self, rules, now).await?)
    }

    async fn rate_full(
        &self,
        rules: &[RateRule],
        now: DateTime<Utc>,
    ) -> Result<Option<RetryAfter>, StoreError> {
        Ok(Db::rate_full(self, rules, now).await?)
    }
}

#[async_trait::async_trait]
impl AuditStore for Db {
    async fn record_audit(
        &self,
        entry: &AuditEntry<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Ok(Db::record_audit(self, entry, now).await?)
    }

    async fn audit_page(
        &self,
        before: Option<i64>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        Ok(Db::audit_page(self, before, offset, limit).await?)
    }

    async fn audit_count(&self) -> Result<i64, StoreError> {
        Ok(Db::audit_count(self).await?)
    }
}

#[async_trait::async_trait]
impl AddressStore for Db {
    async fn addresses(&self, user_id: i32) -> Result<Vec<AddressRecord>, StoreError> {
        Ok(Db::addresses(self, user_id).await?)
    }

    async fn address_of(&self, user_id: i32, id: i32) -> Result<Option<AddressRecord>, StoreError> {
        Ok(Db::address_of(self, user_id, id).await?)
    }

    async fn add_address(
        &self,
        user_id: i32,
        a: &DeliveryAddress,
        make_default: bool,
        now: DateTime<Utc>,
    ) -> Result<AddressAdded, StoreError> {
        Ok(Db::add_address(self, user_id, a, make_default, now).await?)
    }

    async fn update_address(
        &self,
        user_id: i32,
        id: i32,
        a: &DeliveryAddress,
        make_default: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<AddressRecord>, StoreError> {
        Ok(Db::update_address(self, user_id, id, a, make_default, now).await?)
    }

    async fn delete_address(&self, user_id: i32, id: i32) -> Result<bool, StoreError> {
        Ok(Db::delete_address(self, user_id, id).await?)
    }
}

#[async_trait::async_trait]
impl ReconciliationStore for Db {
    async fn held_payments(
        &self,
        from: &str,
        to: &str,
        paid_from: DateTime<Utc>,
        paid_to: DateTime<Utc>,
    ) -> Result<Vec<HeldPayment>, StoreError> {
        Ok(Db::held_payments(self, from, to, paid_from, paid_to).await?)
    }

    async fn orders_by_nos(&self, nos: &[&str]) -> Result<Vec<OrderRecord>, StoreError> {
        Ok(Db::orders_by_nos(self, nos).await?)
    }

    async fn refunds_by_nos(&self, nos: &[&str]) -> Result<Vec<RefundRecord>, StoreError> {
        Ok(Db::refunds_by_nos(self, nos).await?)
    }

    async fn first_order_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(Db::first_order_at(self).await?)
    }

    async fn reconciliation(&self, date: &str) -> Result<Option<ReportRecord>, StoreError> {
        Ok(Db::reconciliation(self, date).await?)
    }

    async fn save_reconciliation(
        &self,
        date: &str,
        result: &RunResult<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Ok(Db::save_reconciliation(self, date, result, now).await?)
    }

    async fn claim_reconciliation(
        &self,
        date: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Option<i32>, StoreError> {
        Ok(Db::claim_reconciliation(self, date, now, stale_before).await?)
    }

    async fn defer_reconciliation(
        &self,
        date: &str,
        next_try: Option<DateTime<Utc>>,
        why: &str,
    ) -> Result<(), StoreError> {
        Ok(Db::defer_reconciliation(self, date, next_try, why).await?)
    }
}

#[async_trait::async_trait]
impl CatalogueStore for Db {
    async fn categories(&self) -> Result<Vec<Category>, StoreError> {
        Ok(Db::categories(self).await?)
    }

    async fn brands(&self) -> Result<Vec<Brand>, StoreError> {
        Ok(Db::brands(self).await?)
    }

    async fn brands_of_category(&self, category: Id<Category>) -> Result<Vec<Brand>, StoreError> {
        Ok(Db::brands_of_category(self, category).await?)
    }

    async fn home_items(&self, kind: HomeItemKind) -> Result<Vec<HomeItem>, StoreError> {
        Ok(Db::home_items(self, kind).await?)
    }

    async fn featured_products(&self) -> Result<Vec<Product>, StoreError> {
        Ok(Db::featured_products(self).await?)
    }

    async fn products(
        &self,
        brand: Option<Id<Brand>>,
        start: PageStart,
        limit: i64,
    ) -> Result<Vec<Product>, StoreError> {
        Ok(Db::products(self, brand, start, limit).await?)
    }

    async fn count_products(&self, brand: Option<Id<Brand>>) -> Result<i64, StoreError> {
        Ok(Db::count_products(self, brand).await?)
    }

    async fn product(&self, id: Id<Product>) -> Result<Option<Product>, StoreError> {
        Ok(Db::product(self, id).await?)
    }

    async fn catalogue_version(&self) -> Result<i64, StoreError> {
        Ok(Db::catalogue_version(self).await?)
    }
}

#[async_trait::async_trait]
impl CatalogueAdminStore for Db {
    async fn create_category(
        &self,
        name: &str,
        note: &AuditNote<'_, Category>,
        now: DateTime<Utc>,
    ) -> Result<Category, StoreError> {
        Ok(Db::create_category(self, name, note, now).await?)
    }

    async fn rename_category(
        &self,
        id: i32,
        name: &str,
        note: &AuditNote<'_, Category>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Category>, StoreError> {
        Ok(Db::rename_category(self, id, name, note, now).await?)
    }

    async fn delete_category(
        &self,
        id: i32,
        note: &AuditNote<'_, Category>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Category>, StoreError> {
        Ok(Db::delete_category(self, id, note, now).await?)
    }

    async fn create_brand(
        &self,
        fields: &BrandFields<'_>,
        note: &AuditNote<'_, Brand>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Brand>, StoreError> {
        Ok(Db::create_brand(self, fields, note, now).await?)
    }

    async fn update_brand(
        &self,
        id: i32,
        fields: &BrandFields<'_>,
        note: &AuditNote<'_, Brand>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Brand>, StoreError> {
        Ok(Db::update_brand(self, id, fields, note, now).await?)
    }

    async fn delete_brand(
        &self,
        id: i32,
        note: &AuditNote<'_, Brand>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Brand>, StoreError> {
        Ok(Db::delete_brand(self, id, note, now).await?)
    }

    async fn all_home_items(&self) -> Result<Vec<HomeItemRecord>, StoreError> {
        Ok(Db::all_home_items(self).await?)
    }

    async fn home_item_kinds(&self, id: i32) -> Result<Vec<HomeItemKind>, StoreError> {
        Ok(Db::home_item_kinds(self, id).await?)
    }

    async fn create_home_item(
        &self,
        kind: HomeItemKind,
        img_src: &str,
        sort: i32,
        note: &AuditNote<'_, HomeItemRecord>,
        now: DateTime<Utc>,
    ) -> Result<HomeItemRecord, StoreError> {
        Ok(Db::create_home_item(self, kind, img_src, sort, note, now).await?)
    }

    async fn update_home_item(
        &self,
        kind: HomeItemKind,
        id: i32,
        img_src: &str,
        sort: i32,
        note: &AuditNote<'_, HomeItemRecord>,
        now: DateTime<Utc>,
    ) -> Result<Edit<HomeItemRecord>, StoreError> {
        Ok(Db::update_home_item(self, kind, id, img_src, sort, note, now).await?)
    }

    async fn delete_home_item(
        &self,
        kind: HomeItemKind,
        id: i32,
        note: &AuditNote<'_, HomeItemRecord>,
        now: DateTime<Utc>,
    ) -> Result<Edit<HomeItemRecord>, StoreError> {
        Ok(Db::delete_home_item(self, kind, id, note, now).await?)
    }

    async fn admin_products(
        &self,
        filter: ProductFilter,
        start: PageStart,
        limit: i64,
    ) -> Result<Vec<AdminProduct>, StoreError> {
        Ok(Db::admin_products(self, filter, start, limit).await?)
    }

    async fn count_admin_products(&self, filter: ProductFilter) -> Result<i64, StoreError> {
        Ok(Db::count_admin_products(self, filter).await?)
    }

    async fn admin_product(&self, id: i32) -> Result<Option<AdminProduct>, StoreError> {
        Ok(Db::admin_product(self, id).await?)
    }

    async fn create_product(
        &self,
        new: &NewProduct<'_>,
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, StoreError> {
        Ok(Db::create_product(self, new, note, now).await?)
    }

    async fn update_product(
        &self,
        id: i32,
        change: &ProductChange,
        max_stock: i32,
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, StoreError> {
        Ok(Db::update_product(self, id, change, max_stock, note, now).await?)
    }

    async fn set_skus(
        &self,
        product_id: i32,
        skus: &[SkuInput],
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, StoreError> {
        Ok(Db::set_skus(self, product_id, skus, note, now).await?)
    }

    async fn adjust_stock(
        &self,
        sku_id: i32,
        delta: i32,
        max_stock: i32,
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, StoreError> {
        Ok(Db::adjust_stock(self, sku_id, delta, max_stock, note, now).await?)
    }

    async fn low_stock(
        &self,
        threshold: i32,
        after: i32,
        limit: i64,
    ) -> Result<Vec<LowStock>, StoreError> {
        Ok(Db::low_stock(self, threshold, after, limit).await?)
    }

    async fn hide_product(
        &self,
        id: i32,
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, StoreError> {
        Ok(Db::hide_product(self, id, note, now).await?)
    }
}

#[async_trait::async_trait]
impl StoreProbe for Db {
    async fn ping(&self) -> Result<(), StoreError> {
        Ok(Db::ping(self).await?)
    }

    fn name(&self) -> &'static str {
        self.backend().name()
    }

    fn pool_status(&self) -> PoolStatus {
        Db::pool_status(self)
    }
}

#[async_trait::async_trait]
impl CartStore for Db {
    async fn cart(&self, user_id: i32) -> Result<Vec<CartLine>, StoreError> {
        Ok(Db::cart(self, user_id).await?)
    }

    async fn set_cart_line(
        &self,
        user_id: i32,
        sku_id: i32,
        quantity: i32,
        max_lines: i64,
        now: DateTime<Utc>,
    ) -> Result<CartEdit, StoreError> {
        Ok(Db::set_cart_line(self, user_id, sku_id, quantity, max_lines, now).await?)
    }

    async fn merge_cart(
        &self,
        user_id: i32,
        lines: &[(i32, i32)],
        max_quantity: i32,
        max_lines: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<i32>, StoreError> {
        Ok(Db::merge_cart(self, user_id, lines, max_quantity, max_lines, now).await?)
    }

    async fn clear_cart(&self, user_id: i32) -> Result<(), StoreError> {
        Ok(Db::clear_cart(self, user_id).await?)
    }
}

#[async_trait::async_trait]
impl WechatIdStore for Db {
    async fn openid(&self, user_id: i32, appid: &str) -> Result<Option<String>, StoreError> {
        Ok(Db::openid(self, user_id, appid).await?)
    }

    async fn save_oauth_state(&self, state: &OAuthStateRecord) -> Result<(), StoreError> {
        Ok(Db::save_oauth_state(self, state).await?)
    }

    async fn oauth_state(&self, state: &str) -> Result<Option<OAuthStateRecord>, StoreError> {
        Ok(Db::oauth_state(self, state).await?)
    }

    async fn bind_openid(
        &self,
        state: &str,
        user_id: i32,
        openid: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(Db::bind_openid(self, state, user_id, openid, now).await?)
    }
}

#[async_trait::async_trait]
impl SearchStore for Db {
    async fn search_matches(
        &self,
        terms: &[String],
        filter: &SearchFilter,
        limit: i64,
    ) -> Result<Vec<SearchMatch>, StoreError> {
        Ok(Db::search_matches(self, terms, filter, limit).await?)
    }

    async fn search_page(
        &self,
        terms: &[String],
        filter: &SearchFilter,
        sort: StoredSort,
        after: Option<SortKey>,
        limit: i64,
    ) -> Result<Vec<Product>, StoreError> {
        Ok(Db::search_page(self, terms, filter, sort, after, limit).await?)
    }

    async fn products_by_ids(&self, ids: &[i32]) -> Result<Vec<Product>, StoreError> {
        Ok(Db::products_by_ids(self, ids).await?)
    }

    async fn units_sold(
        &self,
        ids: &[i32],
    ) -> Result<std::collections::HashMap<i32, i64>, StoreError> {
        Ok(Db::units_sold(self, ids).await?)
    }

    async fn suggest_names(
        &self,
        from: &str,
        to: Option<&str>,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        Ok(Db::suggest_names(self, from, to, limit).await?)
    }

    async fn product_id_by_code(&self, code: &str) -> Result<Option<i32>, StoreError> {
        Ok(Db::product_id_by_code(self, code).await?)
    }

    async fn rebuild_search_index(&self, force: bool) -> Result<Option<u64>, StoreError> {
        Ok(Db::rebuild_search_index(self, force).await?)
    }
}

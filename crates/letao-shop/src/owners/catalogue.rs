//! The owner's catalogue: categories, brands, products (stock by delta,
//! hiding) and home items. Each write is one transaction in `letao-db`
//! with the catalogue version bump and an audit entry holding what changed
//! (before/after, compact JSON); the caller then drops its cached lists.

use super::{Owner, Owners, Page, next_cursor};
use crate::ShopError;
use crate::store::{
    AdminProduct, AuditNote, BrandFields, Edit, HomeItemRecord, LowStock, NewProduct, PageStart,
    ProductChange, ProductFilter, SkuInput,
};
use letao_domain::{AuditAction, Brand, Category, HomeItemKind, Id, Permission, Product, Sku};
use serde_json::{Map, Value, json};

/// The most units of one product in stock.
pub const MAX_STOCK: i32 = 1_000_000;

/// A category as the audit log shows it.
fn category_json(c: &Category) -> Value {
    json!({"id": c.id.get(), "categoryName": c.name})
}

/// A brand as the audit log shows it.
fn brand_json(b: &Brand) -> Value {
    json!({
        "id": b.id.get(),
        "brandName": b.name,
        "categoryId": b.category_id,
        "brandLogo": b.logo,
        "hot": b.hot,
    })
}

/// A product as the audit log shows it (prices in yuan, exact).
fn product_json(p: &AdminProduct) -> Value {
    let q = &p.product;
    json!({
        "id": q.id.get(),
        "brandId": q.brand_id.get(),
        "name": q.name,
        "img": q.img,
        "price": q.price.yuan_string(),
        "oldPrice": q.old_price.yuan_string(),
        "sizes": q.sizes,
        "stock": q.stock,
        "featured": q.featured,
        "hidden": p.hidden,
        "sort": p.sort,
        "pooled": p.pooled,
        "skus": q.skus.iter().map(sku_json).collect::<Vec<_>>(),
    })
}

/// A SKU as the audit log shows it.
fn sku_json(s: &Sku) -> Value {
    json!({
        "id": s.id.get(),
        "size": s.size,
        "colour": s.colour,
        "code": s.code,
        "price": s.price.map(|p| p.yuan_string()),
        "stock": s.stock,
        "active": s.active,
    })
}

/// A home item as the audit log shows it.
fn home_item_json(i: &HomeItemRecord) -> Value {
    json!({"kind": i.kind.as_str(), "id": i.id, "img_src": i.img_src, "sort": i.sort})
}

/// `{"before": .., "after": ..}`: the whole object when it was created or
/// deleted, only the fields that differ when it changed.
fn before_after(before: Option<Value>, after: Option<Value>) -> Value {
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let (mut was, mut is) = (Map::new(), Map::new());
            for (key, now) in a {
                let then = b.get(&key).cloned().unwrap_or(Value::Null);
                if then != now {
                    was.insert(key.clone(), then);
                    is.insert(key, now);
                }
            }
            json!({"before": was, "after": is})
        }
        (before, after) => json!({"before": before, "after": after}),
    }
}

/// An audit note for `action` by `owner`'s actor, with `detail`.
macro_rules! note {
    ($actor:expr, $action:expr, $detail:expr) => {
        AuditNote {
            actor: &$actor,
            action: $action,
            detail: &$detail,
        }
    };
}

/// The detail function for rows shown by `to_json`.
fn detail<T>(to_json: fn(&T) -> Value) -> impl Fn(Option<&T>, Option<&T>) -> String + Sync {
    move |before, after| before_after(before.map(to_json), after.map(to_json)).to_string()
}

/// The error of an edit that did not happen; `what` is the object itself.
fn refused<T>(edit: Edit<T>, what: &'static str) -> Result<T, ShopError> {
    match edit {
        Edit::Done(value) => Ok(value),
        Edit::Missing => Err(ShopError::NotFound(what)),
        Edit::NoCategory => Err(ShopError::NotFound("category")),
        Edit::NoBrand => Err(ShopError::NotFound("brand")),
        Edit::HasBrands => Err(ShopError::Conflict(
            "the category still has brands: move or delete them first".into(),
        )),
        Edit::HasProducts => Err(ShopError::Conflict(
            "the brand still has products (hidden ones too): old orders name them".into(),
        )),
        Edit::Stock(stock) => Err(ShopError::Conflict(format!(
            "the stock would leave 0 to {MAX_STOCK} (it is {stock}); nothing changed"
        ))),
        Edit::PerSize => Err(ShopError::Conflict(
            "the product is sold in several sizes, each with its own stock: \
             change a size's stock with POST /admin/skus/{id}/stock"
                .into(),
        )),
        Edit::UnknownSku(index) => Err(ShopError::Invalid {
            field: format!("skus[{index}].id"),
            msg: "is not a SKU of this product".into(),
        }),
        Edit::SizeTaken(index) => Err(ShopError::Invalid {
            field: format!("skus[{index}].size"),
            msg: "another SKU of the product has this size and colour".into(),
        }),
        Edit::CodeTaken(code) => Err(ShopError::Conflict(format!(
            "the stock code {code:?} belongs to another SKU"
        ))),
    }
}

impl Owners {
    /// Forgets this service's cached totals after a change.
    fn catalogue_changed(&self) {
        self.product_totals.clear();
        self.audit_total.clear();
    }

    /// Creates a category.
    pub async fn create_category(&self, owner: &Owner, name: &str) -> Result<Category, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let (actor, detail) = (owner.actor(), detail(category_json));
        let note = note!(actor, AuditAction::CategoryCreate, detail);
        let created = self
            .catalogue
            .create_category(name, &note, self.clock.now())
            .await?;
        self.catalogue_changed();
        Ok(created)
    }

    /// Renames a category.
    pub async fn rename_category(
        &self,
        owner: &Owner,
        id: Id<Category>,
        name: &str,
    ) -> Result<Category, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let (actor, detail) = (owner.actor(), detail(category_json));
        let note = note!(actor, AuditAction::CategoryUpdate, detail);
        let edit = self
            .catalogue
            .rename_category(id.get(), name, &note, self.clock.now());
        let renamed = refused(edit.await?, "category")?;
        self.catalogue_changed();
        Ok(renamed)
    }

    /// Deletes a category that has no brands (409 otherwise).
    pub async fn delete_category(
        &self,
        owner: &Owner,
        id: Id<Category>,
    ) -> Result<Category, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let (actor, detail) = (owner.actor(), detail(category_json));
        let note = note!(actor, AuditAction::CategoryDelete, detail);
        let edit = self
            .catalogue
            .delete_category(id.get(), &note, self.clock.now());
        let deleted = refused(edit.await?, "category")?;
        self.catalogue_changed();
        Ok(deleted)
    }

    /// Creates a brand in an existing category (`NotFound("category")` otherwise).
    pub async fn create_brand(
        &self,
        owner: &Owner,
        fields: &BrandFields<'_>,
    ) -> Result<Brand, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let (actor, detail) = (owner.actor(), detail(brand_json));
        let note = note!(actor, AuditAction::BrandCreate, detail);
        let edit = self.catalogue.create_brand(fields, &note, self.clock.now());
        let created = refused(edit.await?, "brand")?;
        self.catalogue_changed();
        Ok(created)
    }

    /// Replaces a brand's fields.
    pub async fn update_brand(
        &self,
        owner: &Owner,
        id: Id<Brand>,
        fields: &BrandFields<'_>,
    ) -> Result<Brand, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let (actor, detail) = (owner.actor(), detail(brand_json));
        let note = note!(actor, AuditAction::BrandUpdate, detail);
        let edit = self
            .catalogue
            .update_brand(id.get(), fields, &note, self.clock.now());
        let updated = refused(edit.await?, "brand")?;
        self.catalogue_changed();
        Ok(updated)
    }

    /// Deletes a brand that has no products, hidden ones included (409 otherwise).
    pub async fn delete_brand(&self, owner: &Owner, id: Id<Brand>) -> Result<Brand, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let (actor, detail) = (owner.actor(), detail(brand_json));
        let note = note!(actor, AuditAction::BrandDelete, detail);
        let edit = self
            .catalogue
            .delete_brand(id.get(), &note, self.clock.now());
        let deleted = refused(edit.await?, "brand")?;
        self.catalogue_changed();
        Ok(deleted)
    }

    /// One page of products by id, hidden ones included, with the total
    /// (counted at most once per totals lifetime per filter).
    pub async fn products(
        &self,
        owner: &Owner,
        filter: ProductFilter,
        start: PageStart,
        size: i64,
    ) -> Result<Page<AdminProduct>, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let items = self.catalogue.admin_products(filter, start, size).await?;
        let next = next_cursor(&items, size, |p| i64::from(p.product.id.get()));
        let total = self
            .product_totals
            .get(&filter, async || {
                self.catalogue.count_admin_products(filter).await
            })
            .await?;
        Ok(Page { items, total, next })
    }

    /// Products for an export, a page at a time by id from `start` (hidden
    /// ones included, every SKU), with where the next page starts.
    pub async fn export_products(
        &self,
        owner: &Owner,
        filter: ProductFilter,
        start: PageStart,
    ) -> Result<(Vec<AdminProduct>, Option<PageStart>), ShopError> {
        const PAGE: i64 = 500;
        owner.require(Permission::EditCatalogue)?;
        let items = self.catalogue.admin_products(filter, start, PAGE).await?;
        let next =
            next_cursor(&items, PAGE, |p| i64::from(p.product.id.get())).map(PageStart::After);
        Ok((items, next))
    }

    /// One product with every SKU, hidden or not.
    pub async fn product(&self, owner: &Owner, id: Id<Product>) -> Result<AdminProduct, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        self.catalogue
            .admin_product(id.get())
            .await?
            .ok_or(ShopError::NotFound("product"))
    }

    /// Creates a product of an existing brand (`NotFound("brand")` otherwise).
    pub async fn create_product(
        &self,
        owner: &Owner,
        new: &NewProduct<'_>,
    ) -> Result<AdminProduct, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let (actor, detail) = (owner.actor(), detail(product_json));
        let note = note!(actor, AuditAction::ProductCreate, detail);
        let edit = self.catalogue.create_product(new, &note, self.clock.now());
        let created = refused(edit.await?, "product")?;
        self.catalogue_changed();
        Ok(created)
    }

    /// Changes some of a product's fields; the stock by a delta that may
    /// not take it below zero or above [`MAX_STOCK`] (409, nothing changed).
    pub async fn update_product(
        &self,
        owner: &Owner,
        id: Id<Product>,
        change: &ProductChange,
    ) -> Result<AdminProduct, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let only_stock = ProductChange {
            stock_delta: change.stock_delta,
            ..ProductChange::default()
        };
        let action = if *change == only_stock {
            AuditAction::ProductStock
        } else {
            AuditAction::ProductUpdate
        };
        let delta = change.stock_delta;
        let actor = owner.actor();
        let detail = move |before: Option<&AdminProduct>, after: Option<&AdminProduct>| {
            let mut value = before_after(before.map(product_json), after.map(product_json));
            if let Some(d) = delta {
                value["stockDelta"] = d.into();
            }
            value.to_string()
        };
        let note = note!(actor, action, detail);
        let edit =
            self.catalogue
                .update_product(id.get(), change, MAX_STOCK, &note, self.clock.now());
        let updated = refused(edit.await?, "product")?;
        self.catalogue_changed();
        Ok(updated)
    }

    /// Sets a product's SKUs (docs/stock.md): on a pooled product this
    /// ends the pool and gives every SKU named its stock; otherwise stock
    /// changes only by [`Owners::adjust_stock`].
    pub async fn set_skus(
        &self,
        owner: &Owner,
        id: Id<Product>,
        skus: &[SkuInput],
    ) -> Result<AdminProduct, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let (actor, detail) = (owner.actor(), detail(product_json));
        let note = note!(actor, AuditAction::ProductSkus, detail);
        let edit = self
            .catalogue
            .set_skus(id.get(), skus, &note, self.clock.now());
        let updated = refused(edit.await?, "product")?;
        self.catalogue_changed();
        Ok(updated)
    }

    /// Adds `delta` (negative: removes) to a SKU's stock as it is then,
    /// never below zero nor above [`MAX_STOCK`] (409, nothing changed),
    /// audited with `reason`. The SKU's product as it is after.
    pub async fn adjust_stock(
        &self,
        owner: &Owner,
        sku: Id<Sku>,
        delta: i32,
        reason: &str,
    ) -> Result<AdminProduct, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let actor = owner.actor();
        let detail = move |before: Option<&AdminProduct>, after: Option<&AdminProduct>| {
            let stock_of = |p: Option<&AdminProduct>| {
                p.and_then(|p| p.product.skus.iter().find(|s| s.id == sku))
                    .map(|s| s.stock)
            };
            json!({
                "skuId": sku.get(),
                "delta": delta,
                "reason": reason,
                "before": stock_of(before),
                "after": stock_of(after),
                "poolEnded": before.is_some_and(|b| b.pooled),
            })
            .to_string()
        };
        let note = note!(actor, AuditAction::SkuStock, detail);
        let edit =
            self.catalogue
                .adjust_stock(sku.get(), delta, MAX_STOCK, &note, self.clock.now());
        let updated = refused(edit.await?, "SKU")?;
        self.catalogue_changed();
        Ok(updated)
    }

    /// Active SKUs of products on sale with at most `threshold` units, by
    /// SKU id after `after`, and the cursor of the next page.
    pub async fn low_stock(
        &self,
        owner: &Owner,
        threshold: i32,
        after: i32,
        size: i64,
    ) -> Result<(Vec<LowStock>, Option<i64>), ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let items = self.catalogue.low_stock(threshold, after, size).await?;
        let next = next_cursor(&items, size, |l| i64::from(l.sku.id.get()));
        Ok((items, next))
    }

    /// Hides a product: it leaves the shop, old orders keep their lines.
    pub async fn hide_product(
        &self,
        owner: &Owner,
        id: Id<Product>,
    ) -> Result<AdminProduct, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let (actor, detail) = (owner.actor(), detail(product_json));
        let note = note!(actor, AuditAction::ProductHide, detail);
        let edit = self
            .catalogue
            .hide_product(id.get(), &note, self.clock.now());
        let hidden = refused(edit.await?, "product")?;
        self.catalogue_changed();
        Ok(hidden)
    }

    /// Every home item, grid first, each kind in display order.
    pub async fn home_items(&self, owner: &Owner) -> Result<Vec<HomeItemRecord>, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        Ok(self.catalogue.all_home_items().await?)
    }

    /// The kinds that have an item `id` (the original's grid and banner
    /// ids overlap, so an id alone may name two items).
    pub async fn home_item_kinds(
        &self,
        owner: &Owner,
        id: i32,
    ) -> Result<Vec<HomeItemKind>, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        Ok(self.catalogue.home_item_kinds(id).await?)
    }

    /// Adds a home item with a new id (unique across both kinds).
    pub async fn create_home_item(
        &self,
        owner: &Owner,
        kind: HomeItemKind,
        img_src: &str,
        sort: i32,
    ) -> Result<HomeItemRecord, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let (actor, detail) = (owner.actor(), detail(home_item_json));
        let note = note!(actor, AuditAction::HomeItemCreate, detail);
        let created = self
            .catalogue
            .create_home_item(kind, img_src, sort, &note, self.clock.now())
            .await?;
        self.catalogue_changed();
        Ok(created)
    }

    /// Replaces a home item's image and display order.
    pub async fn update_home_item(
        &self,
        owner: &Owner,
        kind: HomeItemKind,
        id: i32,
        img_src: &str,
        sort: i32,
    ) -> Result<HomeItemRecord, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let (actor, detail) = (owner.actor(), detail(home_item_json));
        let note = note!(actor, AuditAction::HomeItemUpdate, detail);
        let edit =
            self.catalogue
                .update_home_item(kind, id, img_src, sort, &note, self.clock.now());
        let updated = refused(edit.await?, "home item")?;
        self.catalogue_changed();
        Ok(updated)
    }

    /// Deletes a home item.
    pub async fn delete_home_item(
        &self,
        owner: &Owner,
        kind: HomeItemKind,
        id: i32,
    ) -> Result<HomeItemRecord, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let (actor, detail) = (owner.actor(), detail(home_item_json));
        let note = note!(actor, AuditAction::HomeItemDelete, detail);
        let edit = self
            .catalogue
            .delete_home_item(kind, id, &note, self.clock.now());
        let deleted = refused(edit.await?, "home item")?;
        self.catalogue_changed();
        Ok(deleted)
    }
}

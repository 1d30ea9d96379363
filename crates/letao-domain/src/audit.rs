//! What the audit log records: one action per owner write.

use crate::order::state_names;

/// An owner write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    /// A category was created.
    CategoryCreate,
    /// A category was renamed.
    CategoryUpdate,
    /// A category was deleted.
    CategoryDelete,
    /// A brand was created.
    BrandCreate,
    /// A brand was changed.
    BrandUpdate,
    /// A brand was deleted.
    BrandDelete,
    /// A product was created.
    ProductCreate,
    /// A product was changed (price, name, featured, hidden, ...).
    ProductUpdate,
    /// A product's stock was changed.
    ProductStock,
    /// A product was hidden (deleted from the shop).
    ProductHide,
    /// A product's SKUs were set.
    ProductSkus,
    /// A SKU's stock was adjusted, with a reason.
    SkuStock,
    /// A home grid icon or banner was created.
    HomeItemCreate,
    /// A home item was changed.
    HomeItemUpdate,
    /// A home item was deleted.
    HomeItemDelete,
    /// An image was uploaded.
    ImageUpload,
    /// An order was shipped.
    OrderShip,
    /// A refund was asked for.
    OrderRefund,
    /// A user's role was granted or revoked.
    UserRole,
}

state_names!(AuditAction, "audit action", {
    CategoryCreate => "category.create",
    CategoryUpdate => "category.update",
    CategoryDelete => "category.delete",
    BrandCreate => "brand.create",
    BrandUpdate => "brand.update",
    BrandDelete => "brand.delete",
    ProductCreate => "product.create",
    ProductUpdate => "product.update",
    ProductStock => "product.stock",
    ProductHide => "product.hide",
    ProductSkus => "product.skus",
    SkuStock => "sku.stock",
    HomeItemCreate => "home_item.create",
    HomeItemUpdate => "home_item.update",
    HomeItemDelete => "home_item.delete",
    ImageUpload => "image.upload",
    OrderShip => "order.ship",
    OrderRefund => "order.refund",
    UserRole => "user.role",
});

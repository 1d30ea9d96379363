//! Buyers' delivery addresses: at most 20 each, exactly one default.

use super::StoreError;
use chrono::{DateTime, Utc};
use letao_domain::DeliveryAddress;

/// An address as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressRecord {
    /// Id.
    pub id: i32,
    /// Owner.
    pub user_id: i32,
    /// Recipient.
    pub name: String,
    /// Recipient's mobile.
    pub mobile: String,
    /// Province.
    pub province: String,
    /// City.
    pub city: String,
    /// District.
    pub district: String,
    /// Street and number.
    pub detail: String,
    /// The buyer's default.
    pub is_default: bool,
}

/// How adding an address ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressAdded {
    /// Stored.
    Added(AddressRecord),
    /// The user has 20 already.
    Full,
}

impl AddressRecord {
    /// The address as a domain value (stored rows were checked when written).
    pub fn to_delivery(&self) -> Option<DeliveryAddress> {
        DeliveryAddress::new(
            &self.name,
            &self.mobile,
            &self.province,
            &self.city,
            &self.district,
            &self.detail,
        )
        .ok()
    }
}

/// A buyer's address book.
#[async_trait::async_trait]
pub trait AddressStore: Send + Sync {
    /// The user's addresses, oldest first.
    async fn addresses(&self, user_id: i32) -> Result<Vec<AddressRecord>, StoreError>;

    /// One of the user's addresses (none: not theirs, or gone).
    async fn address_of(&self, user_id: i32, id: i32) -> Result<Option<AddressRecord>, StoreError>;

    /// Adds an address (the first one, or `make_default`, becomes the only
    /// default); `Full` at 20.
    async fn add_address(
        &self,
        user_id: i32,
        a: &DeliveryAddress,
        make_default: bool,
        now: DateTime<Utc>,
    ) -> Result<AddressAdded, StoreError>;

    /// Changes one of the user's addresses (none: not theirs).
    async fn update_address(
        &self,
        user_id: i32,
        id: i32,
        a: &DeliveryAddress,
        make_default: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<AddressRecord>, StoreError>;

    /// Deletes one of the user's addresses (another becomes the default
    /// when it was); false when not theirs.
    async fn delete_address(&self, user_id: i32, id: i32) -> Result<bool, StoreError>;
}

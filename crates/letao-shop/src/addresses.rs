//! A buyer's delivery addresses.

use crate::ShopError;
use crate::store::{AddressAdded, AddressRecord, AddressStore};
use letao_auth::Clock;
use letao_domain::DeliveryAddress;
use letao_domain::address::MAX_ADDRESSES;
use std::sync::Arc;

/// The address book service.
pub struct Addresses {
    store: Arc<dyn AddressStore>,
    clock: Arc<dyn Clock>,
}

impl Addresses {
    /// The service over `store`.
    pub fn new(store: Arc<dyn AddressStore>, clock: Arc<dyn Clock>) -> Addresses {
        Addresses { store, clock }
    }

    /// The user's addresses, oldest first.
    pub async fn list(&self, user_id: i32) -> Result<Vec<AddressRecord>, ShopError> {
        Ok(self.store.addresses(user_id).await?)
    }

    /// Adds one (the first is the default; `make_default` moves it here).
    pub async fn add(
        &self,
        user_id: i32,
        address: &DeliveryAddress,
        make_default: bool,
    ) -> Result<AddressRecord, ShopError> {
        match self
            .store
            .add_address(user_id, address, make_default, self.clock.now())
            .await?
        {
            AddressAdded::Added(a) => Ok(a),
            AddressAdded::Full => Err(ShopError::Conflict(format!(
                "at most {MAX_ADDRESSES} addresses; delete one first"
            ))),
        }
    }

    /// Replaces one of the user's addresses.
    pub async fn update(
        &self,
        user_id: i32,
        id: i32,
        address: &DeliveryAddress,
        make_default: bool,
    ) -> Result<AddressRecord, ShopError> {
        self.store
            .update_address(user_id, id, address, make_default, self.clock.now())
            .await?
            .ok_or(ShopError::NotFound("address"))
    }

    /// Deletes one of the user's addresses (orders keep their copies).
    pub async fn delete(&self, user_id: i32, id: i32) -> Result<(), ShopError> {
        if self.store.delete_address(user_id, id).await? {
            Ok(())
        } else {
            Err(ShopError::NotFound("address"))
        }
    }

    /// One of the user's addresses as a delivery address.
    pub async fn get(&self, user_id: i32, id: i32) -> Result<DeliveryAddress, ShopError> {
        self.store
            .address_of(user_id, id)
            .await?
            .and_then(|a| a.to_delivery())
            .ok_or(ShopError::NotFound("address"))
    }
}

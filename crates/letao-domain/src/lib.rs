//! Domain types of the Letao shop: money, identifiers and catalogue entities.
//!
//! Types here carry no storage or HTTP concerns. Constructors are the only
//! way in, so a value of one of these types is valid by construction.

pub mod account;
pub mod address;
pub mod audit;
pub mod catalogue;
pub mod id;
pub mod mobile;
pub mod money;
pub mod order;
pub mod reconciliation;
pub mod role;
pub mod search;
pub mod sku;
pub mod verification;

pub use account::{Username, UsernameError};
pub use address::{AddressError, DeliveryAddress};
pub use audit::AuditAction;
pub use catalogue::{Brand, Category, HomeItem, HomeItemKind, Product};
pub use id::{Id, IdError};
pub use mobile::{Mobile, MobileError};
pub use money::{Fen, YuanError};
pub use role::{Permission, Role};
pub use sku::Sku;

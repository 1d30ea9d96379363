//! Who may run the shop: owner roles and what each may do.

use crate::order::state_names;

/// An owner role (users without one are shoppers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything: catalogue, refunds, roles, audit, reconciliation.
    Admin,
    /// Orders: read and ship.
    Staff,
}

state_names!(Role, "role", {
    Admin => "admin",
    Staff => "staff",
});

/// Something an owner route does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// List and read orders.
    ReadOrders,
    /// Ship an order.
    Ship,
    /// Refund an order.
    Refund,
    /// Change the catalogue (categories, brands, products, home items, images).
    EditCatalogue,
    /// Read the audit log.
    ReadAudit,
    /// Read reconciliation reports.
    ReadReconciliation,
}

impl Role {
    /// Whether this role may do `what`.
    pub const fn may(self, what: Permission) -> bool {
        match self {
            Role::Admin => true,
            Role::Staff => matches!(what, Permission::ReadOrders | Permission::Ship),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_read_and_ship_orders_only() {
        use Permission::*;
        for p in [
            ReadOrders,
            Ship,
            Refund,
            EditCatalogue,
            ReadAudit,
            ReadReconciliation,
        ] {
            assert!(Role::Admin.may(p), "{p:?}");
            assert_eq!(Role::Staff.may(p), matches!(p, ReadOrders | Ship), "{p:?}");
        }
        assert_eq!(Role::parse("staff"), Some(Role::Staff));
        assert_eq!(Role::parse("Admin"), None);
    }
}

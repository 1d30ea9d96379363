//! What an order holds and what it costs.

use crate::{Fen, Id, Product};

/// Most distinct products in one order.
pub const MAX_LINES: usize = 20;
/// Most units of one product in one order.
pub const MAX_QUANTITY: i32 = 99;

/// Units of one product: 1 to [`MAX_QUANTITY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(i32);

impl Quantity {
    /// A quantity in range, or `None`.
    pub fn new(units: i64) -> Option<Quantity> {
        i32::try_from(units)
            .ok()
            .filter(|q| (1..=MAX_QUANTITY).contains(q))
            .map(Quantity)
    }

    /// The number of units.
    pub const fn get(self) -> i32 {
        self.0
    }
}

/// Why a list of order lines is refused; `index` is the line's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrderItemsError {
    /// No lines, or more than [`MAX_LINES`].
    #[error("must hold 1 to 20 products")]
    Count,
    /// A product id that is not a positive integer.
    #[error("line {index}: the product id must be a positive integer")]
    Product {
        /// Position of the line.
        index: usize,
    },
    /// A quantity outside 1 to 99.
    #[error("line {index}: the quantity must be 1 to 99")]
    Quantity {
        /// Position of the line.
        index: usize,
    },
    /// The same product twice.
    #[error("line {index}: the product appears twice")]
    Duplicate {
        /// Position of the second occurrence.
        index: usize,
    },
}

/// The lines of an order request: 1 to 20 distinct products, 1 to 99 units each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderItems(Vec<(Id<Product>, Quantity)>);

impl OrderItems {
    /// Checks raw `(product id, quantity)` pairs as a client sent them.
    pub fn new(raw: &[(i64, i64)]) -> Result<OrderItems, OrderItemsError> {
        if raw.is_empty() || raw.len() > MAX_LINES {
            return Err(OrderItemsError::Count);
        }
        let mut lines: Vec<(Id<Product>, Quantity)> = Vec::with_capacity(raw.len());
        for (index, &(product, units)) in raw.iter().enumerate() {
            let id = i32::try_from(product)
                .ok()
                .filter(|id| *id > 0)
                .map(Id::from_db)
                .ok_or(OrderItemsError::Product { index })?;
            let quantity = Quantity::new(units).ok_or(OrderItemsError::Quantity { index })?;
            if lines.iter().any(|(seen, _)| *seen == id) {
                return Err(OrderItemsError::Duplicate { index });
            }
            lines.push((id, quantity));
        }
        Ok(OrderItems(lines))
    }

    /// The lines in the order the client gave them.
    pub fn lines(&self) -> &[(Id<Product>, Quantity)] {
        &self.0
    }

    /// The lines sorted by product id: the one order in which every
    /// transaction locks product rows, so two orders never deadlock.
    pub fn in_lock_order(&self) -> Vec<(Id<Product>, Quantity)> {
        let mut sorted = self.0.clone();
        sorted.sort_unstable_by_key(|(id, _)| id.get());
        sorted
    }

    /// The first product (WeChat's `product_id` of a Native order).
    pub fn first_product(&self) -> Id<Product> {
        // `new` refuses an empty list.
        self.0.first().map_or(Id::from_db(1), |(id, _)| *id)
    }
}

/// A line priced at today's price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    /// The product.
    pub product_id: Id<Product>,
    /// Its name now (kept in the order).
    pub name: String,
    /// Its price now.
    pub unit: Fen,
    /// Units.
    pub quantity: Quantity,
}

impl PricedLine {
    /// Unit price × quantity, `None` on overflow.
    pub fn amount(&self) -> Option<Fen> {
        self.unit.checked_mul(i64::from(self.quantity.get()))
    }
}

/// Why an order cannot be priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// The total does not fit the money type: a bad price or quantity,
    /// never a stock problem.
    #[error("the order total is too large")]
    TooLarge,
    /// A product is priced at zero or less, which WeChat cannot charge.
    #[error("product {0} has no valid price")]
    NoPrice(Id<Product>),
}

/// The order's total: the sum of its lines, every step checked.
pub fn order_total(lines: &[PricedLine]) -> Result<Fen, PricingError> {
    let mut total = Fen::ZERO;
    for line in lines {
        if line.unit.get() <= 0 {
            return Err(PricingError::NoPrice(line.product_id));
        }
        total = line
            .amount()
            .and_then(|amount| total.checked_add(amount))
            .ok_or(PricingError::TooLarge)?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: i32, unit: i64, quantity: i64) -> PricedLine {
        PricedLine {
            product_id: Id::from_db(id),
            name: format!("p{id}"),
            unit: Fen::new(unit),
            quantity: Quantity::new(quantity).unwrap_or(Quantity(1)),
        }
    }

    #[test]
    fn lines_are_checked_and_named_by_position() {
        assert_eq!(OrderItems::new(&[]), Err(OrderItemsError::Count));
        assert_eq!(
            OrderItems::new(&[(1, 1); 21]).err(),
            Some(OrderItemsError::Count)
        );
        assert_eq!(
            OrderItems::new(&[(1, 1), (0, 1)]),
            Err(OrderItemsError::Product { index: 1 })
        );
        assert_eq!(
            OrderItems::new(&[(i64::from(i32::MAX) + 1, 1)]),
            Err(OrderItemsError::Product { index: 0 })
        );
        assert_eq!(
            OrderItems::new(&[(1, 100)]),
            Err(OrderItemsError::Quantity { index: 0 })
        );
        assert_eq!(
            OrderItems::new(&[(1, 0)]),
            Err(OrderItemsError::Quantity { index: 0 })
        );
        assert_eq!(
            OrderItems::new(&[(2, 1), (3, 1), (2, 5)]),
            Err(OrderItemsError::Duplicate { index: 2 })
        );
    }

    #[test]
    fn lock_order_is_by_product_id_and_first_product_is_the_clients() {
        let Ok(items) = OrderItems::new(&[(7, 1), (3, 2), (5, 99)]) else {
            panic!("valid lines refused");
        };
        let ids: Vec<i32> = items
            .in_lock_order()
            .iter()
            .map(|(id, _)| id.get())
            .collect();
        assert_eq!(ids, [3, 5, 7]);
        assert_eq!(items.first_product().get(), 7);
        assert_eq!(items.lines().len(), 3);
    }

    #[test]
    fn the_total_adds_every_line() {
        assert_eq!(
            order_total(&[line(1, 39900, 1), line(2, 100, 3)]),
            Ok(Fen::new(40200))
        );
    }

    #[test]
    fn an_overflowing_total_is_an_input_error_not_out_of_stock() {
        assert_eq!(
            order_total(&[line(1, i64::MAX / 2, 3)]),
            Err(PricingError::TooLarge)
        );
        assert_eq!(
            order_total(&[line(1, i64::MAX, 1), line(2, 1, 1)]),
            Err(PricingError::TooLarge)
        );
    }

    #[test]
    fn a_free_or_negative_price_cannot_be_charged() {
        assert_eq!(
            order_total(&[line(1, 100, 1), line(4, 0, 1)]),
            Err(PricingError::NoPrice(Id::from_db(4)))
        );
    }
}

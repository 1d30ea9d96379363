//! What an order holds and what it costs.

use crate::sku::{LabelError, MAX_LABEL_CHARS, label};
use crate::{Fen, Id, Product, Sku};

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
    /// A SKU id that is not a positive integer.
    #[error("line {index}: the SKU id must be a positive integer")]
    Sku {
        /// Position of the line.
        index: usize,
    },
    /// A size that is empty, too long or holds control characters.
    #[error("line {index}: the size {reason}")]
    Size {
        /// Position of the line.
        index: usize,
        /// What is wrong with it.
        reason: LabelError,
    },
    /// A colour that is empty, too long or holds control characters.
    #[error("line {index}: the colour {reason}")]
    Colour {
        /// Position of the line.
        index: usize,
        /// What is wrong with it.
        reason: LabelError,
    },
    /// A quantity outside 1 to 99.
    #[error("line {index}: the quantity must be 1 to 99")]
    Quantity {
        /// Position of the line.
        index: usize,
    },
    /// The same product and SKU twice.
    #[error("line {index}: the product appears twice")]
    Duplicate {
        /// Position of the second occurrence.
        index: usize,
    },
}

/// How a line names the SKU it buys.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SkuChoice {
    /// By id.
    Id(Id<Sku>),
    /// By size, and colour where the product comes in several.
    Size {
        /// As printed on the box.
        size: String,
        /// `None`: the product's only colour in that size.
        colour: Option<String>,
    },
    /// Neither: the product's only active SKU (the original's clients).
    Only,
}

/// A line of an order request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRequest {
    /// The product.
    pub product: Id<Product>,
    /// Which of its SKUs.
    pub sku: SkuChoice,
    /// Units.
    pub quantity: Quantity,
}

/// A line as a client sent it, before any check.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawLine<'a> {
    /// `productId`.
    pub product_id: i64,
    /// `skuId`, when sent.
    pub sku_id: Option<i64>,
    /// `size`, when sent (ignored when `skuId` is).
    pub size: Option<&'a str>,
    /// `colour`, when sent with `size`.
    pub colour: Option<&'a str>,
    /// `quantity`.
    pub quantity: i64,
}

/// The lines of an order request: 1 to 20 distinct lines, 1 to 99 units each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderItems(Vec<LineRequest>);

impl OrderItems {
    /// Checks raw `(product id, quantity)` pairs that name no SKU, as the
    /// original server's clients send them.
    pub fn new(raw: &[(i64, i64)]) -> Result<OrderItems, OrderItemsError> {
        let lines: Vec<RawLine<'_>> = raw
            .iter()
            .map(|&(product_id, quantity)| RawLine {
                product_id,
                quantity,
                ..RawLine::default()
            })
            .collect();
        OrderItems::from_raw(&lines)
    }

    /// Checks lines as a client sent them.
    pub fn from_raw(raw: &[RawLine<'_>]) -> Result<OrderItems, OrderItemsError> {
        if raw.is_empty() || raw.len() > MAX_LINES {
            return Err(OrderItemsError::Count);
        }
        let mut lines: Vec<LineRequest> = Vec::with_capacity(raw.len());
        for (index, line) in raw.iter().enumerate() {
            let product = positive(line.product_id)
                .map(Id::from_db)
                .ok_or(OrderItemsError::Product { index })?;
            let sku = match (line.sku_id, line.size) {
                (Some(id), _) => SkuChoice::Id(Id::from_db(
                    positive(id).ok_or(OrderItemsError::Sku { index })?,
                )),
                (None, Some(size)) => SkuChoice::Size {
                    size: label(size, MAX_LABEL_CHARS)
                        .map_err(|reason| OrderItemsError::Size { index, reason })?,
                    colour: line
                        .colour
                        .map(|c| label(c, MAX_LABEL_CHARS))
                        .transpose()
                        .map_err(|reason| OrderItemsError::Colour { index, reason })?,
                },
                (None, None) => SkuChoice::Only,
            };
            let quantity =
                Quantity::new(line.quantity).ok_or(OrderItemsError::Quantity { index })?;
            if lines.iter().any(|l| l.product == product && l.sku == sku) {
                return Err(OrderItemsError::Duplicate { index });
            }
            lines.push(LineRequest {
                product,
                sku,
                quantity,
            });
        }
        Ok(OrderItems(lines))
    }

    /// Lines already checked (a cart's).
    pub fn from_lines(lines: Vec<LineRequest>) -> Result<OrderItems, OrderItemsError> {
        if lines.is_empty() || lines.len() > MAX_LINES {
            return Err(OrderItemsError::Count);
        }
        Ok(OrderItems(lines))
    }

    /// The lines in the order the client gave them.
    pub fn lines(&self) -> &[LineRequest] {
        &self.0
    }

    /// The products ordered, by id, once each.
    pub fn product_ids(&self) -> Vec<i32> {
        let mut ids: Vec<i32> = self.0.iter().map(|l| l.product.get()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The first product (WeChat's `product_id` of a Native order).
    pub fn first_product(&self) -> Id<Product> {
        // `new` refuses an empty list.
        self.0.first().map_or(Id::from_db(1), |l| l.product)
    }
}

/// A positive `i32` id, or `None`.
fn positive(raw: i64) -> Option<i32> {
    i32::try_from(raw).ok().filter(|id| *id > 0)
}

/// A line priced at today's price, with what it was placed as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    /// The product.
    pub product_id: Id<Product>,
    /// The SKU and what it was when ordered.
    pub sku: PlacedSku,
    /// The product's name now (kept in the order).
    pub name: String,
    /// The product's image now.
    pub img: String,
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

/// What a line's SKU was when the order was placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedSku {
    /// The SKU.
    pub id: Id<Sku>,
    /// Its size.
    pub size: String,
    /// Its colour, if the product has several.
    pub colour: Option<String>,
    /// Its stock code.
    pub code: String,
}

impl PlacedSku {
    /// The snapshot of `sku`.
    pub fn of(sku: &Sku) -> PlacedSku {
        PlacedSku {
            id: sku.id,
            size: sku.size.clone(),
            colour: sku.colour.clone(),
            code: sku.code.clone(),
        }
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
            sku: PlacedSku {
                id: Id::from_db(id),
                size: "40".to_owned(),
                colour: None,
                code: format!("P{id}-40"),
            },
            name: format!("p{id}"),
            img: String::new(),
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
    fn lines_name_their_sku_by_id_or_size_and_products_are_listed_once() {
        let raw = [
            RawLine {
                product_id: 7,
                sku_id: Some(70),
                quantity: 1,
                ..RawLine::default()
            },
            RawLine {
                product_id: 3,
                size: Some(" 42.5 "),
                colour: Some("黑"),
                quantity: 2,
                ..RawLine::default()
            },
            RawLine {
                product_id: 7,
                size: Some("41"),
                quantity: 99,
                ..RawLine::default()
            },
        ];
        let Ok(items) = OrderItems::from_raw(&raw) else {
            panic!("valid lines refused");
        };
        assert_eq!(items.product_ids(), [3, 7]);
        assert_eq!(items.first_product().get(), 7);
        assert_eq!(items.lines()[0].sku, SkuChoice::Id(Id::from_db(70)));
        assert_eq!(
            items.lines()[1].sku,
            SkuChoice::Size {
                size: "42.5".to_owned(),
                colour: Some("黑".to_owned())
            }
        );
        assert_eq!(
            OrderItems::new(&[(5, 1)]).unwrap().lines()[0].sku,
            SkuChoice::Only
        );
        // The same product in two sizes is two lines; the same size twice is not.
        let twice = [
            raw[2],
            RawLine {
                quantity: 1,
                ..raw[2]
            },
        ];
        assert_eq!(
            OrderItems::from_raw(&twice),
            Err(OrderItemsError::Duplicate { index: 1 })
        );
        let bad_sku = [RawLine {
            sku_id: Some(0),
            ..raw[0]
        }];
        assert_eq!(
            OrderItems::from_raw(&bad_sku),
            Err(OrderItemsError::Sku { index: 0 })
        );
        let bad_size = [RawLine {
            size: Some(" "),
            ..raw[2]
        }];
        assert_eq!(
            OrderItems::from_raw(&bad_size),
            Err(OrderItemsError::Size {
                index: 0,
                reason: LabelError::Empty
            })
        );
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

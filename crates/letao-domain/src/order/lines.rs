//! Which SKU each line of an order request buys.

use super::{OrderItems, SkuChoice};
use crate::Sku;

/// What is wrong with a line's SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineProblem {
    /// No such SKU, or one of another product.
    UnknownSku,
    /// The SKU is no longer sold.
    Inactive,
    /// The product is sold in several sizes and the line named none.
    SizeRequired,
    /// The product is not sold in that size (and colour).
    UnknownSize,
    /// The product comes in several colours in that size.
    ColourRequired,
    /// Another line buys the same SKU.
    Duplicate,
}

/// A line whose SKU cannot be bought, by its position in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("line {index}: {}", self.problem.message())]
pub struct LineError {
    /// Position of the line.
    pub index: usize,
    /// What is wrong.
    pub problem: LineProblem,
}

impl LineProblem {
    /// The request field at fault: `skuId`, `size` or `colour`.
    pub const fn field(self) -> &'static str {
        match self {
            LineProblem::UnknownSku | LineProblem::Inactive | LineProblem::Duplicate => "skuId",
            LineProblem::SizeRequired | LineProblem::UnknownSize => "size",
            LineProblem::ColourRequired => "colour",
        }
    }

    /// What the client is told.
    pub const fn message(self) -> &'static str {
        match self {
            LineProblem::UnknownSku => "is not a SKU of this product",
            LineProblem::Inactive => "is no longer sold",
            LineProblem::SizeRequired => {
                "is required: the product is sold in several sizes (or send skuId)"
            }
            LineProblem::UnknownSize => "is not a size this product is sold in",
            LineProblem::ColourRequired => "is required: the product comes in several colours",
            LineProblem::Duplicate => "is ordered on another line too",
        }
    }
}

/// The SKU each line buys, in the request's order, from `skus`: every SKU
/// (active or not) of the products ordered.
pub fn choose_skus<'a>(items: &OrderItems, skus: &'a [Sku]) -> Result<Vec<&'a Sku>, LineError> {
    let mut chosen: Vec<&Sku> = Vec::with_capacity(items.lines().len());
    for (index, line) in items.lines().iter().enumerate() {
        let fail = |problem| LineError { index, problem };
        let of_product = || skus.iter().filter(move |s| s.product_id == line.product);
        let sku = match &line.sku {
            SkuChoice::Id(id) => of_product()
                .find(|s| s.id == *id)
                .ok_or(fail(LineProblem::UnknownSku))?,
            SkuChoice::Size { size, colour } => {
                let mut sized = of_product().filter(|s| {
                    s.size == *size && colour.as_ref().is_none_or(|c| s.colour.as_ref() == Some(c))
                });
                let first = sized.next().ok_or(fail(LineProblem::UnknownSize))?;
                let active: Vec<&Sku> = std::iter::once(first)
                    .chain(sized)
                    .filter(|s| s.active)
                    .collect();
                match active[..] {
                    [] => first,
                    [one] => one,
                    _ => return Err(fail(LineProblem::ColourRequired)),
                }
            }
            SkuChoice::Only => {
                let mut active = of_product().filter(|s| s.active);
                match (active.next(), active.next()) {
                    (Some(one), None) => one,
                    _ => return Err(fail(LineProblem::SizeRequired)),
                }
            }
        };
        if !sku.active {
            return Err(fail(LineProblem::Inactive));
        }
        if chosen.iter().any(|s| s.id == sku.id) {
            return Err(fail(LineProblem::Duplicate));
        }
        chosen.push(sku);
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Id;
    use crate::order::RawLine;

    fn sku(id: i32, product: i32, size: &str, colour: Option<&str>, active: bool) -> Sku {
        Sku {
            id: Id::from_db(id),
            product_id: Id::from_db(product),
            size: size.to_owned(),
            colour: colour.map(str::to_owned),
            code: format!("C{id}"),
            price: None,
            stock: 5,
            active,
        }
    }

    fn shop() -> Vec<Sku> {
        vec![
            sku(1, 1, "40", None, true),
            sku(2, 1, "41", None, true),
            sku(3, 1, "42", None, false),
            sku(4, 2, "均码", None, true),
            sku(5, 3, "40", Some("黑"), true),
            sku(6, 3, "40", Some("白"), true),
            sku(7, 4, "39", None, true),
            sku(8, 4, "40", None, false),
        ]
    }

    fn items(lines: &[RawLine<'_>]) -> OrderItems {
        OrderItems::from_raw(lines).unwrap()
    }

    fn line(product_id: i64, sku_id: Option<i64>, size: Option<&str>) -> RawLine<'_> {
        RawLine {
            product_id,
            sku_id,
            size,
            quantity: 1,
            ..RawLine::default()
        }
    }

    fn ids(chosen: &[&Sku]) -> Vec<i32> {
        chosen.iter().map(|s| s.id.get()).collect()
    }

    #[test]
    fn a_line_buys_the_sku_it_names_by_id_or_size() {
        let skus = shop();
        let order = items(&[
            line(1, Some(2), None),
            line(1, None, Some("40")),
            line(2, None, None),
        ]);
        assert_eq!(ids(&choose_skus(&order, &skus).unwrap()), [2, 1, 4]);
        let coloured = items(&[RawLine {
            colour: Some("白"),
            ..line(3, None, Some("40"))
        }]);
        assert_eq!(ids(&choose_skus(&coloured, &skus).unwrap()), [6]);
        // One active SKU left: the original's clients may order by product.
        assert_eq!(
            ids(&choose_skus(&items(&[line(4, None, None)]), &skus).unwrap()),
            [7]
        );
    }

    #[test]
    fn a_line_that_names_no_sku_it_may_buy_is_refused_by_field() {
        let skus = shop();
        let fails = |lines: &[RawLine<'_>]| choose_skus(&items(lines), &skus).unwrap_err();
        let e = fails(&[line(2, None, None), line(1, None, None)]);
        assert_eq!((e.index, e.problem), (1, LineProblem::SizeRequired));
        assert_eq!(e.problem.field(), "size");
        // Another product's SKU, an unknown one, an inactive one.
        assert_eq!(
            fails(&[line(1, Some(4), None)]).problem,
            LineProblem::UnknownSku
        );
        assert_eq!(
            fails(&[line(1, Some(99), None)]).problem,
            LineProblem::UnknownSku
        );
        assert_eq!(
            fails(&[line(1, Some(3), None)]).problem,
            LineProblem::Inactive
        );
        assert_eq!(
            fails(&[line(1, None, Some("42"))]).problem,
            LineProblem::Inactive
        );
        assert_eq!(
            fails(&[line(1, None, Some("45"))]).problem,
            LineProblem::UnknownSize
        );
        assert_eq!(
            fails(&[line(3, None, Some("40"))]).problem,
            LineProblem::ColourRequired
        );
        // By id and by size, the same SKU twice.
        let e = fails(&[line(1, Some(1), None), line(1, None, Some("40"))]);
        assert_eq!((e.index, e.problem), (1, LineProblem::Duplicate));
    }
}

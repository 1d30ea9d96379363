//! An order's lines as kept on its row (`payorder.items`, a JSON array):
//! written once with the order, whose lines never change, and read with
//! every page of orders, so that a page is one statement. `order_item`
//! keeps the same lines as rows.

use crate::OrderLine;
use letao_domain::Fen;
use letao_domain::order::PricedLine;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// One line in the JSON; the names are those of `order_item`'s columns.
/// The SKU fields are absent on lines placed before SKUs.
#[derive(Serialize, Deserialize)]
struct StoredLine<'a> {
    product_id: i32,
    #[serde(borrow)]
    name: Cow<'a, str>,
    unit_fen: i64,
    quantity: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sku_id: Option<i32>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    size: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    colour: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    code: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    img: Option<Cow<'a, str>>,
}

/// The `items` of an order of these lines.
pub(super) fn encode(lines: &[PricedLine]) -> String {
    let stored: Vec<StoredLine<'_>> = lines
        .iter()
        .map(|line| StoredLine {
            product_id: line.product_id.get(),
            name: Cow::Borrowed(&line.name),
            unit_fen: line.unit.get(),
            quantity: line.quantity.get(),
            sku_id: Some(line.sku.id.get()),
            size: Some(Cow::Borrowed(&line.sku.size)),
            colour: line.sku.colour.as_deref().map(Cow::Borrowed),
            code: Some(Cow::Borrowed(&line.sku.code)),
            img: Some(Cow::Borrowed(&line.img)),
        })
        .collect();
    // A Vec of plain structs always serializes.
    serde_json::to_string(&stored).unwrap_or_else(|_| "[]".to_owned())
}

/// The lines of order `order_id` from its `items` (none when NULL).
pub(super) fn decode(
    order_id: i32,
    items: Option<&str>,
) -> Result<Vec<OrderLine>, serde_json::Error> {
    let Some(items) = items else {
        return Ok(Vec::new());
    };
    let stored: Vec<StoredLine<'_>> = serde_json::from_str(items)?;
    Ok(stored
        .into_iter()
        .map(|line| OrderLine {
            order_id,
            product_id: line.product_id,
            name: line.name.into_owned(),
            unit: Fen::new(line.unit_fen),
            quantity: line.quantity,
            sku_id: line.sku_id,
            size: line.size.map(Cow::into_owned),
            colour: line.colour.map(Cow::into_owned),
            code: line.code.map(Cow::into_owned),
            img: line.img.map(Cow::into_owned),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use letao_domain::id::Id;
    use letao_domain::order::{PlacedSku, Quantity};

    #[test]
    fn lines_read_back_as_written_names_included() {
        let lines = vec![PricedLine {
            product_id: Id::from_db(7),
            sku: PlacedSku {
                id: Id::from_db(70),
                size: "42.5".to_owned(),
                colour: Some("黑".to_owned()),
                code: "NK-42.5".to_owned(),
            },
            name: "跑鞋 \"Air\" \\ 42".to_owned(),
            img: "/images/p7.png".to_owned(),
            unit: Fen::new(19_900),
            quantity: Quantity::new(2).unwrap(),
        }];
        let json = encode(&lines);
        let read = decode(5, Some(&json)).unwrap();
        assert_eq!(
            read,
            vec![OrderLine {
                order_id: 5,
                product_id: 7,
                name: "跑鞋 \"Air\" \\ 42".to_owned(),
                unit: Fen::new(19_900),
                quantity: 2,
                sku_id: Some(70),
                size: Some("42.5".to_owned()),
                colour: Some("黑".to_owned()),
                code: Some("NK-42.5".to_owned()),
                img: Some("/images/p7.png".to_owned()),
            }]
        );
        assert_eq!(decode(5, None).unwrap(), Vec::new());
        // As MySQL's JSON_OBJECT writes it (spaces after the separators).
        let spaced = r#"[{"product_id": 1, "name": "a", "unit_fen": 100, "quantity": 3}]"#;
        let old = decode(1, Some(spaced)).unwrap();
        assert_eq!(
            (old[0].quantity, old[0].sku_id, old[0].size.as_deref()),
            (3, None, None)
        );
        assert!(decode(1, Some("{")).is_err());
    }
}

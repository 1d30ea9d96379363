//! The text the payer sees on WeChat's payment page (`body`, `description`).

use super::PricedLine;

/// WeChat's limit on `body`, in bytes of UTF-8.
pub const WECHAT_BODY_MAX_BYTES: usize = 128;

/// `乐淘-<first product>`, plus ` 等N件` when there is more than one unit;
/// cut at a character boundary with `…` to fit [`WECHAT_BODY_MAX_BYTES`].
pub fn wechat_body(lines: &[PricedLine]) -> String {
    let first = lines.first().map_or("商品", |l| l.name.as_str());
    let units: i32 = lines.iter().map(|l| l.quantity.get()).sum();
    let suffix = if units > 1 {
        format!(" 等{units}件")
    } else {
        String::new()
    };
    let full = format!("乐淘-{first}{suffix}");
    if full.len() <= WECHAT_BODY_MAX_BYTES {
        return full;
    }
    // Keep the count: cut the product name, not the suffix.
    let budget = WECHAT_BODY_MAX_BYTES - suffix.len() - "…".len();
    let mut cut = budget.min(full.len());
    while !full.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…{suffix}", &full[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::Quantity;
    use crate::{Fen, Id};

    fn line(name: &str, quantity: i64) -> PricedLine {
        PricedLine {
            product_id: Id::from_db(1),
            sku: crate::order::PlacedSku {
                id: Id::from_db(1),
                size: "42".to_owned(),
                colour: None,
                code: "P1-42".to_owned(),
            },
            name: name.to_owned(),
            img: String::new(),
            unit: Fen::new(100),
            quantity: Quantity::new(quantity).unwrap_or_else(|| panic!("bad quantity")),
        }
    }

    #[test]
    fn one_unit_names_the_product() {
        assert_eq!(wechat_body(&[line("跑鞋", 1)]), "乐淘-跑鞋");
    }

    #[test]
    fn several_units_are_counted() {
        assert_eq!(wechat_body(&[line("跑鞋", 2)]), "乐淘-跑鞋 等2件");
        assert_eq!(
            wechat_body(&[line("跑鞋", 1), line("篮球鞋", 3)]),
            "乐淘-跑鞋 等4件"
        );
    }

    #[test]
    fn long_names_are_cut_at_a_character_boundary_within_the_limit() {
        for name in [
            "鞋".repeat(100),
            "a".repeat(300),
            format!("{}é", "x".repeat(120)),
        ] {
            for quantity in [1, 99] {
                let body = wechat_body(&[line(&name, quantity)]);
                assert!(body.len() <= WECHAT_BODY_MAX_BYTES, "{} bytes", body.len());
                assert!(body.contains('…'), "{body}");
                if quantity > 1 {
                    assert!(body.ends_with(" 等99件"), "{body}");
                }
            }
        }
    }

    #[test]
    fn a_name_that_just_fits_is_kept_whole() {
        let name = "a".repeat(WECHAT_BODY_MAX_BYTES - "乐淘-".len());
        assert_eq!(wechat_body(&[line(&name, 1)]), format!("乐淘-{name}"));
    }
}

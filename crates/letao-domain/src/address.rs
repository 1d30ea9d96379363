//! Delivery addresses (mainland China: province, city, district, detail).

use crate::Mobile;

/// Why an address field is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Empty, too long, or with control characters.
    #[error("{field} must be 1 to {max} characters without control characters")]
    Field {
        /// The field.
        field: &'static str,
        /// Its longest length.
        max: usize,
    },
    /// Not a mainland mobile number.
    #[error("mobile must be a mainland mobile number")]
    Mobile,
}

/// A checked delivery address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAddress {
    /// Recipient, 1 to 20 characters.
    pub name: String,
    /// Recipient's mobile.
    pub mobile: Mobile,
    /// Province, 1 to 20 characters.
    pub province: String,
    /// City, 1 to 20 characters.
    pub city: String,
    /// District, 1 to 20 characters.
    pub district: String,
    /// Street and number, 1 to 120 characters.
    pub detail: String,
}

/// Most addresses one user keeps.
pub const MAX_ADDRESSES: i32 = 20;

fn text(field: &'static str, value: &str, max: usize) -> Result<String, AddressError> {
    let value = value.trim();
    let n = value.chars().count();
    if n == 0 || n > max || value.chars().any(char::is_control) {
        return Err(AddressError::Field { field, max });
    }
    Ok(value.to_owned())
}

impl DeliveryAddress {
    /// Checks each field (surrounding white space is dropped).
    pub fn new(
        name: &str,
        mobile: &str,
        province: &str,
        city: &str,
        district: &str,
        detail: &str,
    ) -> Result<DeliveryAddress, AddressError> {
        Ok(DeliveryAddress {
            name: text("name", name, 20)?,
            mobile: mobile.trim().parse().map_err(|_| AddressError::Mobile)?,
            province: text("province", province, 20)?,
            city: text("city", city, 20)?,
            district: text("district", district, 20)?,
            detail: text("detail", detail, 120)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_checked_by_length_and_characters() {
        let ok = DeliveryAddress::new(
            " 张三 ",
            "13800138000",
            "浙江省",
            "杭州市",
            "西湖区",
            "文三路 1 号",
        );
        assert_eq!(ok.as_ref().map(|a| a.name.as_str()), Ok("张三"));
        assert_eq!(
            DeliveryAddress::new("", "13800138000", "a", "b", "c", "d"),
            Err(AddressError::Field {
                field: "name",
                max: 20
            })
        );
        assert_eq!(
            DeliveryAddress::new(&"名".repeat(21), "13800138000", "a", "b", "c", "d"),
            Err(AddressError::Field {
                field: "name",
                max: 20
            })
        );
        assert!(
            DeliveryAddress::new(
                &"名".repeat(20),
                "13800138000",
                "a",
                "b",
                "c",
                &"路".repeat(120)
            )
            .is_ok()
        );
        assert_eq!(
            DeliveryAddress::new("n", "12345", "a", "b", "c", "d"),
            Err(AddressError::Mobile)
        );
        assert_eq!(
            DeliveryAddress::new("n", "13800138000", "a", "b\u{7}", "c", "d"),
            Err(AddressError::Field {
                field: "city",
                max: 20
            })
        );
        assert_eq!(
            DeliveryAddress::new("n", "13800138000", "a", "b", "c", &"x".repeat(121)),
            Err(AddressError::Field {
                field: "detail",
                max: 120
            })
        );
    }
}

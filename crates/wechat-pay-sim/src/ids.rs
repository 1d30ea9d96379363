//! The identifiers the simulator hands out, shaped like WeChat's. Random
//! letters and digits come from `wechat_pay::nonce_str`.

use rand::Rng;

/// The first `len` (at most 32) of a fresh nonce: random letters and digits.
fn alphanumeric(len: usize) -> String {
    wechat_pay::nonce_str()[..len].to_owned()
}

/// `len` random decimal digits.
fn digits(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// What a payer's QR code holds.
pub(crate) fn code_url() -> String {
    format!("weixin://wxpay/bizpayurl?pr={}", alphanumeric(7))
}

/// A prepay session: `wx` and 30 letters and digits.
pub(crate) fn prepay_id() -> String {
    format!("wx{}", alphanumeric(30))
}

/// A transaction id: `4200` and 24 digits.
pub(crate) fn transaction_id() -> String {
    format!("4200{}", digits(24))
}

/// A refund id: `5030` and 24 digits.
pub(crate) fn refund_id() -> String {
    format!("5030{}", digits(24))
}

/// The `Request-ID` of a v3 reply.
pub(crate) fn request_id() -> String {
    alphanumeric(24)
}

/// 40 upper-case hex digits, the first 1-7: a positive 20-byte DER
/// integer, the longest serial X.509 allows.
pub(crate) fn certificate_serial() -> String {
    let mut rng = rand::rng();
    (0..40)
        .map(|i| {
            // A non-zero first digit keeps the serial 40 digits long.
            let d = if i == 0 {
                rng.random_range(1..8u8)
            } else {
                rng.random_range(0..16u8)
            };
            char::from_digit(u32::from(d), 16)
                .unwrap_or('0')
                .to_ascii_uppercase()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_serials_are_40_digits_and_fit_x509() {
        for _ in 0..500 {
            let serial = certificate_serial();
            assert_eq!(serial.len(), 40);
            assert!(matches!(serial.as_bytes()[0], b'1'..=b'7'), "{serial}");
            assert!(
                serial
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase())
            );
        }
    }

    #[test]
    fn ids_have_wechats_shapes() {
        assert!(code_url().starts_with("weixin://wxpay/bizpayurl?pr="));
        assert_eq!(code_url().len(), "weixin://wxpay/bizpayurl?pr=".len() + 7);
        assert_eq!(prepay_id().len(), 32);
        for id in [transaction_id(), refund_id()] {
            assert_eq!(id.len(), 28);
            assert!(id.bytes().all(|b| b.is_ascii_digit()));
        }
        assert!(transaction_id().starts_with("4200") && refund_id().starts_with("5030"));
        assert_ne!(request_id(), request_id());
    }
}

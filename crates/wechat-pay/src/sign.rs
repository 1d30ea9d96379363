//! Request and reply signatures (API v2).

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;
use std::collections::BTreeMap;
use subtle::ConstantTimeEq;

/// The signature algorithm. Which one a merchant uses is configuration:
/// verification never takes it from the message being verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignType {
    /// MD5 (WeChat's default).
    #[default]
    Md5,
    /// HMAC-SHA256 keyed with the API key.
    HmacSha256,
}

impl SignType {
    /// The value of the `sign_type` field.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignType::Md5 => "MD5",
            SignType::HmacSha256 => "HMAC-SHA256",
        }
    }

    /// Parses `MD5` or `HMAC-SHA256` (case-insensitive).
    pub fn parse(value: &str) -> Option<SignType> {
        match value.to_ascii_uppercase().as_str() {
            "MD5" => Some(SignType::Md5),
            "HMAC-SHA256" | "HMAC_SHA256" => Some(SignType::HmacSha256),
            _ => None,
        }
    }
}

/// Signs `fields`: every non-empty field except `sign`, keys sorted by
/// their bytes, joined as `k=v&...`, then `&key=API_KEY`, hashed and
/// written as upper-case hex.
pub fn sign<'a, I>(fields: I, api_key: &str, sign_type: SignType) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut pairs: Vec<(&str, &str)> = fields
        .into_iter()
        .filter(|(k, v)| *k != "sign" && !v.is_empty())
        .collect();
    pairs.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = String::new();
    for (k, v) in pairs {
        text.push_str(k);
        text.push('=');
        text.push_str(v);
        text.push('&');
    }
    text.push_str("key=");
    text.push_str(api_key);
    let digest = match sign_type {
        SignType::Md5 => Md5::digest(text.as_bytes()).to_vec(),
        SignType::HmacSha256 => match Hmac::<Sha256>::new_from_slice(api_key.as_bytes()) {
            Ok(mut mac) => {
                mac.update(text.as_bytes());
                mac.finalize().into_bytes().to_vec()
            }
            // HMAC takes keys of any length, so this arm is never taken.
            Err(_) => Vec::new(),
        },
    };
    hex::encode_upper(digest)
}

/// True when `fields["sign"]` is the signature of all the other fields
/// received (unknown ones included), compared in constant time.
pub fn verify(fields: &BTreeMap<String, String>, api_key: &str, sign_type: SignType) -> bool {
    let Some(given) = fields.get("sign") else {
        return false;
    };
    let expected = sign(
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        api_key,
        sign_type,
    );
    given.len() == expected.len() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check values published in WeChat Pay's documentation.
    const FIELDS: [(&str, &str); 5] = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ];
    const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

    #[test]
    fn published_md5_check_value() {
        assert_eq!(
            sign(FIELDS, KEY, SignType::Md5),
            "9A0A8659F005D6984697E2CA0A9CF3B7"
        );
    }

    #[test]
    fn published_hmac_sha256_check_value() {
        assert_eq!(
            sign(FIELDS, KEY, SignType::HmacSha256),
            "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
        );
    }

    #[test]
    fn empty_fields_and_sign_are_left_out_and_order_does_not_matter() {
        let mut with_noise: Vec<(&str, &str)> = FIELDS.iter().rev().copied().collect();
        with_noise.push(("sign", "ANYTHING"));
        with_noise.push(("attach", ""));
        assert_eq!(
            sign(with_noise, KEY, SignType::Md5),
            "9A0A8659F005D6984697E2CA0A9CF3B7"
        );
    }

    #[test]
    fn verification_covers_every_field_received() {
        let mut map: BTreeMap<String, String> = FIELDS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        map.insert("sign".into(), "9A0A8659F005D6984697E2CA0A9CF3B7".into());
        assert!(verify(&map, KEY, SignType::Md5));
        assert!(
            !verify(&map, KEY, SignType::HmacSha256),
            "sign type is ours, not the message's"
        );
        assert!(!verify(&map, "wrong-key", SignType::Md5));
        // A field WeChat added later, that a typed struct would drop.
        map.insert("new_field".into(), "x".into());
        assert!(!verify(&map, KEY, SignType::Md5));
        map.remove("new_field");
        map.insert("sign".into(), "9a0a8659f005d6984697e2ca0a9cf3b7".into());
        assert!(
            !verify(&map, KEY, SignType::Md5),
            "signatures are upper-case hex"
        );
        map.remove("sign");
        assert!(!verify(&map, KEY, SignType::Md5), "unsigned");
    }
}

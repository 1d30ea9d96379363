//! The messages that are signed, and the `Authorization` header of
//! merchant requests.

use super::error::SignatureError;
use super::keys::{PrivateKey, PublicKey};

/// The authorization scheme of API v3.
pub const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// Signatures of WeChat's deliberate probes start with this; a merchant
/// must refuse them.
pub const SIGNTEST_PREFIX: &str = "WECHATPAY/SIGNTEST/";

/// What a merchant request signs:
/// `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n` (body empty for GET).
pub fn request_message(
    method: &str,
    path_and_query: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut m = format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n").into_bytes();
    m.extend_from_slice(body);
    m.push(b'\n');
    m
}

/// What a response or notification signs: `TIMESTAMP\nNONCE\nBODY\n`,
/// over the body bytes exactly as sent.
pub fn response_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut m = format!("{timestamp}\n{nonce}\n").into_bytes();
    m.extend_from_slice(body);
    m.push(b'\n');
    m
}

/// Signs a response or notification as WeChat does, with a platform key or
/// the WeChat Pay public key's private half: the `Wechatpay-Signature`
/// value. For simulators and tests.
pub fn sign_message(key: &PrivateKey, timestamp: i64, nonce: &str, body: &[u8]) -> String {
    key.sign(&response_message(&timestamp.to_string(), nonce, body))
}

/// The parts of a v3 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// Merchant id.
    pub mchid: String,
    /// The request's nonce.
    pub nonce_str: String,
    /// Base64 SHA256withRSA signature.
    pub signature: String,
    /// Unix seconds.
    pub timestamp: i64,
    /// Serial of the merchant API certificate whose key signed.
    pub serial_no: String,
}

/// The merchant's identity for signing requests: merchant id, serial of
/// the merchant API certificate, and its private key.
#[derive(Debug, Clone)]
pub struct MerchantSigner {
    /// Merchant id (`mchid`).
    pub mchid: String,
    /// Serial of the merchant API certificate (`serial_no`).
    pub serial_no: String,
    key: PrivateKey,
}

impl MerchantSigner {
    /// A signer for `mchid` with the key of certificate `serial_no`.
    pub fn new(mchid: &str, serial_no: &str, key: PrivateKey) -> MerchantSigner {
        MerchantSigner {
            mchid: mchid.to_owned(),
            serial_no: serial_no.to_owned(),
            key,
        }
    }

    /// The merchant API key, which also signs the client-side parameters.
    pub(crate) fn key(&self) -> &PrivateKey {
        &self.key
    }

    /// The `Authorization` of a request, given its time and nonce.
    pub fn authorization(
        &self,
        method: &str,
        path_and_query: &str,
        timestamp: i64,
        nonce: &str,
        body: &[u8],
    ) -> Authorization {
        let message = request_message(method, path_and_query, timestamp, nonce, body);
        Authorization {
            mchid: self.mchid.clone(),
            nonce_str: nonce.to_owned(),
            signature: self.key.sign(&message),
            timestamp,
            serial_no: self.serial_no.clone(),
        }
    }
}

impl Authorization {
    /// The header value.
    pub fn header_value(&self) -> String {
        format!(
            "{SCHEME} mchid=\"{}\",nonce_str=\"{}\",signature=\"{}\",timestamp=\"{}\",serial_no=\"{}\"",
            self.mchid, self.nonce_str, self.signature, self.timestamp, self.serial_no
        )
    }

    /// Parses a header value (what WeChat, or a simulator, does first).
    pub fn parse(header: &str) -> Result<Authorization, SignatureError> {
        let rest = header
            .trim()
            .strip_prefix(SCHEME)
            .and_then(|r| r.strip_prefix(' '))
            .ok_or(SignatureError::Malformed("authorization scheme"))?;
        let (mut mchid, mut nonce, mut signature, mut timestamp, mut serial) =
            (None, None, None, None, None);
        for part in rest.split(',') {
            let (k, v) = part
                .trim()
                .split_once('=')
                .ok_or(SignatureError::Malformed("authorization parameter"))?;
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .ok_or(SignatureError::Malformed("authorization quoting"))?
                .to_owned();
            let slot = match k {
                "mchid" => &mut mchid,
                "nonce_str" => &mut nonce,
                "signature" => &mut signature,
                "timestamp" => &mut timestamp,
                "serial_no" => &mut serial,
                _ => return Err(SignatureError::Malformed("authorization parameter")),
            };
            if slot.replace(v).is_some() {
                return Err(SignatureError::Malformed(
                    "repeated authorization parameter",
                ));
            }
        }
        Ok(Authorization {
            mchid: mchid.ok_or(SignatureError::MissingHeader("mchid"))?,
            nonce_str: nonce.ok_or(SignatureError::MissingHeader("nonce_str"))?,
            signature: signature.ok_or(SignatureError::MissingHeader("signature"))?,
            timestamp: timestamp
                .ok_or(SignatureError::MissingHeader("timestamp"))?
                .parse()
                .map_err(|_| SignatureError::Malformed("timestamp"))?,
            serial_no: serial.ok_or(SignatureError::MissingHeader("serial_no"))?,
        })
    }

    /// Checks the signature against the merchant's public key, for the
    /// request as received. The caller checks mchid, serial and timestamp.
    pub fn verify(
        &self,
        key: &PublicKey,
        method: &str,
        path_and_query: &str,
        body: &[u8],
    ) -> Result<(), SignatureError> {
        let message = request_message(
            method,
            path_and_query,
            self.timestamp,
            &self.nonce_str,
            body,
        );
        if key.verify(&message, &self.signature) {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        }
    }
}

/// Parses and verifies a merchant request's `Authorization` header against
/// the merchant public key: for simulators playing WeChat's side.
pub fn verify_request(
    header: &str,
    key: &PublicKey,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> Result<Authorization, SignatureError> {
    let auth = Authorization::parse(header)?;
    auth.verify(key, method, path_and_query, body)?;
    Ok(auth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_the_documented_layout() {
        assert_eq!(
            request_message(
                "GET",
                "/v3/certificates",
                1554208460,
                "593BEC0C930BF1AFEB40B4A08C8FB242",
                b""
            ),
            b"GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"
        );
        assert_eq!(
            request_message("POST", "/v3/pay/transactions/native", 1, "n", b"{}"),
            b"POST\n/v3/pay/transactions/native\n1\nn\n{}\n"
        );
        assert_eq!(
            response_message("1", "n", b"{\"a\":1}"),
            b"1\nn\n{\"a\":1}\n"
        );
    }

    #[test]
    fn header_round_trips_and_malformed_ones_are_refused() {
        let auth = Authorization {
            mchid: "1900000001".into(),
            nonce_str: "abc".into(),
            signature: "c2ln+/=".into(),
            timestamp: 1700000000,
            serial_no: "ABCDEF".into(),
        };
        let header = auth.header_value();
        assert!(
            header.starts_with("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\",nonce_str=\"abc\"")
        );
        assert_eq!(Authorization::parse(&header), Ok(auth));
        for bad in [
            "Bearer x",
            "WECHATPAY2-SHA256-RSA2048 mchid=1",
            "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",mchid=\"2\"",
            "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",signature=\"s\",timestamp=\"x\",serial_no=\"s\"",
            "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",signature=\"s\",serial_no=\"s\"",
        ] {
            assert!(Authorization::parse(bad).is_err(), "{bad}");
        }
    }
}

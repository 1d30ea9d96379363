//! Everything a v3 call or message can end in, other than success.

/// Why a response or notification signature is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// One of the `Wechatpay-*` headers is missing.
    #[error("header {0} is missing")]
    MissingHeader(&'static str),
    /// A header or the signature is not in the expected form.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// A `WECHATPAY/SIGNTEST/` probe: WeChat checks that merchants refuse it.
    #[error("a WECHATPAY/SIGNTEST/ probe signature")]
    SignTest,
    /// The timestamp is more than five minutes from our clock.
    #[error("timestamp {timestamp} is more than 5 minutes from now ({now})")]
    StaleTimestamp {
        /// `Wechatpay-Timestamp`.
        timestamp: i64,
        /// Our clock, Unix seconds.
        now: i64,
    },
    /// No public key or valid platform certificate has this serial, even
    /// after a refresh of the certificates.
    #[error("unknown serial {0}")]
    UnknownSerial(String),
    /// The signature does not match the message.
    #[error("signature does not match")]
    Mismatch,
}

/// A failed v3 call or an unacceptable message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No complete reply within the configured timeout.
    #[error("WeChat Pay did not answer in time")]
    Timeout,
    /// Connection, TLS or I/O failure.
    #[error("WeChat Pay transport failure: {0}")]
    Transport(String),
    /// WeChat refused the request: HTTP status plus its `code` and `message`
    /// (empty when the body was not WeChat's error JSON).
    #[error("WeChat Pay answered HTTP {status}: {code}: {message}")]
    Api {
        /// HTTP status, 4xx or 5xx.
        status: u16,
        /// e.g. `ORDERPAID`, `ORDER_NOT_EXIST`, `SYSTEM_ERROR`.
        code: String,
        /// WeChat's explanation.
        message: String,
    },
    /// The response or notification is not verifiably WeChat's.
    #[error("bad signature: {0}")]
    BadSignature(#[from] SignatureError),
    /// A verified body is not the JSON the operation expects.
    #[error("unexpected reply: {0}")]
    BadReply(String),
    /// A verified message names another app or merchant than ours.
    #[error("message for another merchant ({field} = {value})")]
    WrongMerchant {
        /// `appid` or `mchid`.
        field: &'static str,
        /// What the message said.
        value: String,
    },
    /// The request cannot be sent as given (e.g. a malformed order number).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client or verifier cannot be built from its configuration.
    #[error("WeChat Pay v3 configuration: {0}")]
    Config(String),
    /// An encrypted resource could not be decrypted (wrong key, tampered).
    #[error("cannot decrypt: {0}")]
    Decrypt(String),
    /// A downloaded bill does not have the hash WeChat announced.
    #[error("bill hash mismatch: expected {expected}, got {actual}")]
    BillHash {
        /// `hash_value` from the tradebill reply.
        expected: String,
        /// SHA1 of what was downloaded (decompressed).
        actual: String,
    },
}

impl Error {
    /// True when the same call may succeed if repeated (with the same
    /// `out_trade_no` / `out_refund_no`, so it is not applied twice):
    /// timeouts, transport failures, HTTP 5xx, `SYSTEM_ERROR`,
    /// `FREQUENCY_LIMITED` and `STATEMENT_CREATING` (a bill not ready yet).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout | Error::Transport(_) => true,
            Error::Api { status, code, .. } => {
                *status >= 500
                    || matches!(
                        code.as_str(),
                        "SYSTEM_ERROR" | "FREQUENCY_LIMITED" | "STATEMENT_CREATING"
                    )
            }
            _ => false,
        }
    }

    /// WeChat's error `code`, for [`Error::Api`].
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status, for [`Error::Api`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

pub(crate) fn config_err(e: impl std::fmt::Display) -> Error {
    Error::Config(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str) -> Error {
        Error::Api {
            status,
            code: code.into(),
            message: String::new(),
        }
    }

    #[test]
    fn retryable_errors_are_the_transient_ones() {
        assert!(Error::Timeout.is_retryable());
        assert!(Error::Transport("reset".into()).is_retryable());
        assert!(api(500, "SYSTEM_ERROR").is_retryable());
        assert!(api(502, "").is_retryable());
        assert!(api(429, "FREQUENCY_LIMITED").is_retryable());
        assert!(api(400, "STATEMENT_CREATING").is_retryable());
        assert!(!api(400, "ORDERPAID").is_retryable());
        assert!(!api(404, "ORDER_NOT_EXIST").is_retryable());
        assert!(!api(401, "SIGN_ERROR").is_retryable());
        assert!(!Error::BadSignature(SignatureError::Mismatch).is_retryable());
        assert_eq!(api(404, "ORDER_NOT_EXIST").code(), Some("ORDER_NOT_EXIST"));
        assert_eq!(api(404, "ORDER_NOT_EXIST").status(), Some(404));
        assert_eq!(Error::Timeout.code(), None);
    }
}

//! Everything a WeChat Pay call can end in, other than success.

use crate::XmlError;

/// A failed call or an unacceptable message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WechatPayError {
    /// No complete reply within the configured timeout.
    #[error("WeChat Pay did not answer in time")]
    Timeout,
    /// Connection, TLS or I/O failure.
    #[error("WeChat Pay transport failure: {0}")]
    Transport(String),
    /// An HTTP status other than 200.
    #[error("WeChat Pay answered HTTP {0}")]
    HttpStatus(u16),
    /// The body is not an acceptable XML document.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// The signature is missing or wrong: the message is not trusted.
    #[error("bad or missing signature")]
    BadSignature,
    /// A signed message names another app or merchant than ours.
    #[error("message for another merchant ({field} = {value})")]
    WrongMerchant {
        /// `appid` or `mch_id`.
        field: &'static str,
        /// What the message said.
        value: String,
    },
    /// `return_code` was FAIL: the request itself was refused.
    #[error("WeChat Pay refused the request: {return_msg}")]
    ReturnFail {
        /// WeChat's explanation.
        return_msg: String,
    },
    /// `result_code` was FAIL: the business operation failed.
    #[error("WeChat Pay: {err_code}: {err_code_des}")]
    ResultFail {
        /// e.g. `ORDERPAID`, `SYSTEMERROR`.
        err_code: String,
        /// WeChat's description, fit to show a user.
        err_code_des: String,
    },
    /// A field the operation needs is missing or malformed.
    #[error("field {0} is missing or malformed")]
    BadField(&'static str),
    /// The client cannot be built from its configuration.
    #[error("WeChat Pay configuration: {0}")]
    Config(String),
    /// An encrypted field (`req_info`) could not be decrypted.
    #[error("cannot decrypt req_info: {0}")]
    Decrypt(String),
}

impl WechatPayError {
    /// True when the same call may succeed if repeated (with the same
    /// `out_trade_no` / `out_refund_no`, so it is not applied twice).
    pub fn is_retryable(&self) -> bool {
        match self {
            WechatPayError::Timeout | WechatPayError::Transport(_) => true,
            WechatPayError::HttpStatus(s) => *s >= 500,
            WechatPayError::ResultFail { err_code, .. } => {
                matches!(err_code.as_str(), "SYSTEMERROR" | "BIZERR_NEED_RETRY")
            }
            _ => false,
        }
    }

    /// The `err_code` of a business failure.
    pub fn err_code(&self) -> Option<&str> {
        match self {
            WechatPayError::ResultFail { err_code, .. } => Some(err_code),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_errors_are_the_transient_ones() {
        let fail = |code: &str| WechatPayError::ResultFail {
            err_code: code.into(),
            err_code_des: String::new(),
        };
        assert!(WechatPayError::Timeout.is_retryable());
        assert!(WechatPayError::Transport("reset".into()).is_retryable());
        assert!(WechatPayError::HttpStatus(503).is_retryable());
        assert!(fail("SYSTEMERROR").is_retryable());
        assert!(fail("BIZERR_NEED_RETRY").is_retryable());
        assert!(!fail("ORDERPAID").is_retryable());
        assert!(!WechatPayError::HttpStatus(404).is_retryable());
        assert!(!WechatPayError::BadSignature.is_retryable());
        assert!(
            !WechatPayError::ReturnFail {
                return_msg: "x".into()
            }
            .is_retryable()
        );
    }
}

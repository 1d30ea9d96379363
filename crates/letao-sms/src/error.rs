//! What can go wrong sending an SMS, in terms a caller can act on.

/// A failed send. Every variant carries the provider's code and message when
/// there is one; none carries the message text sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    /// The provider's frequency limits for this number or account were hit
    /// (`LimitExceeded.*`). Retrying soon will fail again.
    #[error("SMS rate limited by the provider: {code}: {message}")]
    RateLimited {
        /// Provider error code.
        code: String,
        /// Provider message.
        message: String,
    },
    /// The provider refused this message: bad or blacklisted number,
    /// unapproved signature or template, bad template parameters.
    #[error("SMS rejected by the provider: {code}: {message}")]
    Rejected {
        /// Provider error code.
        code: String,
        /// Provider message.
        message: String,
    },
    /// Our account or credentials are wrong (`AuthFailure.*`,
    /// `UnauthorizedOperation.*`, no balance): an operator must act.
    #[error("SMS provider misconfigured: {code}: {message}")]
    Misconfigured {
        /// Provider error code.
        code: String,
        /// Provider message.
        message: String,
    },
    /// The provider failed on its side (`InternalError.*` and the like);
    /// retrying later may succeed.
    #[error("SMS provider failure: {code}: {message}")]
    Provider {
        /// Provider error code.
        code: String,
        /// Provider message.
        message: String,
    },
    /// The request did not complete: connection, timeout, HTTP error status
    /// or an unreadable reply. Retrying later may succeed.
    #[error("SMS transport failure: {0}")]
    Transport(String),
    /// The local outbox file could not be written.
    #[error("SMS outbox: {0}")]
    Outbox(String),
}

impl SmsError {
    /// True when the same send may succeed if tried again later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, SmsError::Provider { .. } | SmsError::Transport(_))
    }

    /// Classifies a Tencent Cloud error code (`Response.Error.Code` or
    /// `SendStatusSet[i].Code`).
    pub fn from_tencent(code: &str, message: &str) -> SmsError {
        let (code, message) = (code.to_owned(), message.to_owned());
        let group = code.split('.').next().unwrap_or_default();
        match group {
            "LimitExceeded" | "RequestLimitExceeded" => SmsError::RateLimited { code, message },
            "AuthFailure" | "UnauthorizedOperation" => SmsError::Misconfigured { code, message },
            "InvalidParameterValue"
            | "InvalidParameter"
            | "MissingParameter"
            | "UnsupportedOperation" => SmsError::Rejected { code, message },
            "FailedOperation" => match code.as_str() {
                "FailedOperation.InsufficientBalanceInSmsPackage"
                | "FailedOperation.ContainDomesticAndInternationalPhoneNumber" => {
                    SmsError::Misconfigured { code, message }
                }
                "FailedOperation.PhoneNumberInBlacklist"
                | "FailedOperation.PhoneNumberOnBlacklist"
                | "FailedOperation.SignatureIncorrectOrUnapproved"
                | "FailedOperation.TemplateIncorrectOrUnapproved"
                | "FailedOperation.TemplateParamSetNotMatchApprovedTemplate"
                | "FailedOperation.JsonParseFail"
                | "FailedOperation.MissingSignature"
                | "FailedOperation.MissingTemplateToModify" => SmsError::Rejected { code, message },
                _ => SmsError::Provider { code, message },
            },
            _ => SmsError::Provider { code, message },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tencent_codes_map_to_what_a_caller_can_do() {
        let kind = |code: &str| SmsError::from_tencent(code, "m");
        assert!(matches!(
            kind("LimitExceeded.PhoneNumberDailyLimit"),
            SmsError::RateLimited { .. }
        ));
        assert!(matches!(
            kind("LimitExceeded.PhoneNumberThirtySecondLimit"),
            SmsError::RateLimited { .. }
        ));
        assert!(matches!(
            kind("RequestLimitExceeded"),
            SmsError::RateLimited { .. }
        ));
        assert!(matches!(
            kind("InvalidParameterValue.IncorrectPhoneNumber"),
            SmsError::Rejected { .. }
        ));
        assert!(matches!(
            kind("FailedOperation.PhoneNumberInBlacklist"),
            SmsError::Rejected { .. }
        ));
        assert!(matches!(
            kind("FailedOperation.SignatureIncorrectOrUnapproved"),
            SmsError::Rejected { .. }
        ));
        assert!(matches!(
            kind("FailedOperation.TemplateIncorrectOrUnapproved"),
            SmsError::Rejected { .. }
        ));
        assert!(matches!(
            kind("AuthFailure.SignatureFailure"),
            SmsError::Misconfigured { .. }
        ));
        assert!(matches!(
            kind("AuthFailure.SecretIdNotFound"),
            SmsError::Misconfigured { .. }
        ));
        assert!(matches!(
            kind("UnauthorizedOperation.SmsSdkAppIdVerifyFail"),
            SmsError::Misconfigured { .. }
        ));
        assert!(matches!(
            kind("FailedOperation.InsufficientBalanceInSmsPackage"),
            SmsError::Misconfigured { .. }
        ));
        assert!(matches!(
            kind("InternalError.Timeout"),
            SmsError::Provider { .. }
        ));
        assert!(matches!(
            kind("InternalError.OtherError"),
            SmsError::Provider { .. }
        ));
        assert!(matches!(kind("Something.New"), SmsError::Provider { .. }));
        assert!(kind("InternalError.Timeout").is_retryable());
        assert!(SmsError::Transport("timeout".into()).is_retryable());
        assert!(!kind("LimitExceeded.PhoneNumberDailyLimit").is_retryable());
        assert!(!kind("AuthFailure.SignatureFailure").is_retryable());
    }
}

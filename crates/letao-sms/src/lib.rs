#![doc = include_str!("../README.md")]

mod error;
#[cfg(feature = "test-utils")]
mod fake;
mod outbox;
mod tencent;

pub use error::SmsError;
#[cfg(feature = "test-utils")]
pub use fake::{FakeSender, SentSms};
pub use outbox::{OutboxLine, OutboxSender};
pub use tencent::{TencentConfig, TencentSender, tc3_authorization};

use futures_util::future::BoxFuture;
use letao_domain::Mobile;

/// What the provider said about an accepted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The provider's id for the message (Tencent's `SerialNo`), if any.
    pub message_id: Option<String>,
}

/// Sends one templated SMS to one mainland mobile.
///
/// The template and signature are part of the sender's configuration; the
/// caller gives only the template's parameters (for a verification code,
/// the code and perhaps its lifetime in minutes). Implementations never
/// block the async runtime.
pub trait SmsSender: Send + Sync {
    /// Sends the message; `Ok` once the provider accepted it.
    fn send<'a>(
        &'a self,
        to: &'a Mobile,
        params: &'a [String],
    ) -> BoxFuture<'a, Result<Receipt, SmsError>>;

    /// A short name for logs (`tencent`, `outbox`, `fake`).
    fn name(&self) -> &'static str;
}

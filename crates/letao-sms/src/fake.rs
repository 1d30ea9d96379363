//! An in-memory sender for tests (feature `test-utils`).

use crate::{Receipt, SmsError, SmsSender};
use futures_util::future::BoxFuture;
use letao_domain::Mobile;
use std::sync::Mutex;

/// A message the fake accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentSms {
    /// The 11-digit number.
    pub to: String,
    /// Template parameters.
    pub params: Vec<String>,
}

/// Records what it is asked to send; can be told to fail the next sends.
#[derive(Debug, Default)]
pub struct FakeSender {
    sent: Mutex<Vec<SentSms>>,
    failures: Mutex<Vec<SmsError>>,
}

impl FakeSender {
    /// A fake that accepts everything.
    pub fn new() -> FakeSender {
        FakeSender::default()
    }

    /// Everything accepted so far, oldest first.
    pub fn sent(&self) -> Vec<SentSms> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The parameters of the last message sent to `to`.
    pub fn last_params_to(&self, to: &str) -> Option<Vec<String>> {
        self.sent()
            .into_iter()
            .rev()
            .find(|s| s.to == to)
            .map(|s| s.params)
    }

    /// Makes the next send fail with `error` (queued: call again for more).
    pub fn fail_next(&self, error: SmsError) {
        if let Ok(mut f) = self.failures.lock() {
            f.push(error);
        }
    }
}

impl SmsSender for FakeSender {
    fn send<'a>(
        &'a self,
        to: &'a Mobile,
        params: &'a [String],
    ) -> BoxFuture<'a, Result<Receipt, SmsError>> {
        let failure = self
            .failures
            .lock()
            .ok()
            .and_then(|mut f| (!f.is_empty()).then(|| f.remove(0)));
        let result = match failure {
            Some(e) => Err(e),
            None => {
                if let Ok(mut s) = self.sent.lock() {
                    s.push(SentSms {
                        to: to.as_str().to_owned(),
                        params: params.to_vec(),
                    });
                }
                Ok(Receipt {
                    message_id: Some(format!("fake-{}", self.sent().len())),
                })
            }
        };
        Box::pin(async move { result })
    }

    fn name(&self) -> &'static str {
        "fake"
    }
}

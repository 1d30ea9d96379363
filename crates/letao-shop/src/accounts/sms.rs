//! Sending a verification code under the send limits.

use super::Accounts;
use crate::ShopError;
use crate::store::{NewCode, RateRule};
use letao_auth::generate_code;
use letao_domain::Mobile;
use letao_domain::verification::SmsPurpose;
use letao_sms::SmsError;
use std::net::IpAddr;

impl Accounts {
    fn send_limits(&self, mobile: &Mobile, ip: IpAddr) -> Vec<RateRule> {
        let day = chrono::TimeDelta::hours(24);
        vec![
            RateRule {
                bucket: format!("sms:cool:{mobile}"),
                limit: 1,
                window: self.policy.cooldown,
            },
            RateRule {
                bucket: format!("sms:day:{mobile}"),
                limit: self.policy.daily_per_mobile,
                window: day,
            },
            RateRule {
                bucket: format!("sms:ip:{ip}"),
                limit: self.policy.daily_per_ip,
                window: day,
            },
        ]
    }

    /// Issues a code for `mobile` and sends it. The reply is the same
    /// whether or not the mobile is registered: a login code for an
    /// unregistered mobile is stored (so the limits count) but not sent.
    pub async fn send_code(
        &self,
        mobile: &Mobile,
        purpose: SmsPurpose,
        ip: IpAddr,
    ) -> Result<(), ShopError> {
        let now = self.clock.now();
        let code = generate_code();
        let code_hash = self.codes.hash(mobile.as_str(), purpose.as_str(), &code);
        let ip_text = ip.to_string();
        let new = NewCode {
            mobile: mobile.as_str(),
            purpose,
            code_hash: &code_hash,
            client_ip: &ip_text,
        };
        let limits = self.send_limits(mobile, ip);
        if let Err(wait) = self.store.issue_code(new, &limits, now).await? {
            return Err(ShopError::TooMany {
                retry_after: wait.seconds(),
            });
        }
        if purpose == SmsPurpose::Login
            && self.store.user_by_mobile(mobile.as_str()).await?.is_none()
        {
            return Ok(());
        }
        let minutes = self.policy.lifetime.num_minutes().to_string();
        match self.sms.send(mobile, &[code, minutes]).await {
            Ok(_) => Ok(()),
            Err(err) => {
                tracing::warn!(to = %mobile.masked(), error = %err, provider = self.sms.name(), "verification SMS failed");
                // Nothing was delivered: let the user ask again at once.
                self.store.withdraw_code(new, &limits).await?;
                Err(match err {
                    SmsError::RateLimited { .. } => ShopError::TooMany { retry_after: 60 },
                    SmsError::Rejected { .. } => ShopError::SmsRejected,
                    _ => ShopError::SmsProvider,
                })
            }
        }
    }
}

//! Registering an account with an SMS code.

use super::Accounts;
use crate::store::{NewUser, Registration};
use crate::{ShopError, Taken};
use letao_domain::verification::{CodeCheck, SmsPurpose};
use letao_domain::{Mobile, Username};
use secrecy::SecretString;

/// A registration whose fields have been validated.
pub struct RegisterRequest {
    /// The new username.
    pub username: Username,
    /// The password in clear (hashed here, never stored or logged).
    pub password: SecretString,
    /// The verified mobile.
    pub mobile: Mobile,
    /// The code sent to it.
    pub code: String,
}

impl Accounts {
    /// Creates the account when the code is right; its id.
    pub async fn register(&self, req: RegisterRequest) -> Result<i32, ShopError> {
        let password = req.password;
        let hash = self
            .hashing(move |h| h.hash(&password))
            .await?
            .map_err(|e| ShopError::Internal(Box::new(e)))?;
        let submitted = self.codes.hash(
            req.mobile.as_str(),
            SmsPurpose::Register.as_str(),
            &req.code,
        );
        let now = self.clock.now();
        let new = NewUser {
            username: req.username.as_str(),
            mobile: req.mobile.as_str(),
            password_hash: &hash,
        };
        match self
            .store
            .register(new, &submitted, &self.policy, now)
            .await?
        {
            Registration::Created(id) => Ok(id),
            Registration::BadCode(CodeCheck::Accept) => {
                Err(ShopError::internal("accepted code reported as bad"))
            }
            Registration::BadCode(_) => Err(ShopError::SmsCode),
            Registration::UsernameTaken => Err(ShopError::Taken(Taken::Username)),
            Registration::MobileTaken => Err(ShopError::Taken(Taken::Mobile)),
        }
    }
}

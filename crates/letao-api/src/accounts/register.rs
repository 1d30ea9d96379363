//! `POST /register`.

use super::Accounts;
use crate::ApiError;
use letao_db::{Db, NewUser, Registration};
use letao_domain::verification::CodeCheck;
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
    pub async fn register(&self, db: &Db, req: RegisterRequest) -> Result<i32, ApiError> {
        let password = req.password;
        let hash = self
            .hashing(move |h| h.hash(&password))
            .await?
            .map_err(|e| ApiError::Internal(Box::new(e)))?;
        let submitted = self.codes.hash(req.mobile.as_str(), "register", &req.code);
        let now = self.clock.now();
        let new = NewUser {
            username: req.username.as_str(),
            mobile: req.mobile.as_str(),
            password_hash: &hash,
        };
        match db.register(new, &submitted, &self.policy, now).await? {
            Registration::Created(id) => Ok(id),
            Registration::BadCode(CodeCheck::Accept) => {
                Err(ApiError::Internal("accepted code reported as bad".into()))
            }
            Registration::BadCode(_) => Err(ApiError::SmsCode),
            Registration::UsernameTaken => Err(ApiError::Taken(
                "该用户已注册 (username already registered)",
            )),
            Registration::MobileTaken => Err(ApiError::Taken(
                "该手机号已注册 (mobile already registered)",
            )),
        }
    }
}

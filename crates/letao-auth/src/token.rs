//! JWT access tokens: HS256 only, `sub` = user id, `iat`, `exp`.

use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// The claims of an access token. Nothing secret: a token's payload is
/// readable by whoever holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a decimal string.
    pub sub: String,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
}

/// Why a token is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Expired.
    #[error("token expired")]
    Expired,
    /// Malformed, wrongly signed, another algorithm, or claims missing.
    #[error("invalid token")]
    Invalid,
}

/// Signs and checks tokens with one HS256 secret.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl: TimeDelta,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys").field("ttl", &self.ttl).finish()
    }
}

impl TokenKeys {
    /// Keys for `secret`; tokens live `ttl`.
    pub fn new(secret: &SecretString, ttl: TimeDelta) -> TokenKeys {
        let bytes = secret.expose_secret().as_bytes();
        TokenKeys {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            ttl,
        }
    }

    /// How long a new token lives.
    pub fn ttl(&self) -> TimeDelta {
        self.ttl
    }

    /// A token for `user_id`, issued `now`.
    pub fn issue(&self, user_id: i64, now: DateTime<Utc>) -> String {
        let claims = Claims {
            sub: user_id.to_string(),
            iat: now.timestamp(),
            exp: (now + self.ttl).timestamp(),
        };
        // HS256 over a small serialisable struct cannot fail.
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .unwrap_or_default()
    }

    /// The user id of a valid token at `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<i64, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        // Expiry is checked below against `now`, so tests can move time.
        validation.validate_exp = false;
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| TokenError::Invalid)?;
        let claims = data.claims;
        if claims.exp <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        match claims.sub.parse::<i64>() {
            Ok(id) if id > 0 => Ok(id),
            _ => Err(TokenError::Invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn keys() -> TokenKeys {
        TokenKeys::new(
            &SecretString::from("test-secret-0123456789"),
            TimeDelta::hours(36),
        )
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    }

    #[test]
    fn a_token_carries_the_user_id_and_expiry_only() {
        let token = keys().issue(42, now());
        assert_eq!(keys().verify(&token, now()), Ok(42));
        let payload = token.split('.').nth(1).unwrap_or_default();
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap_or_default();
        let claims: serde_json::Value = serde_json::from_slice(&json).unwrap_or_default();
        assert_eq!(claims["sub"], "42");
        assert_eq!(claims["exp"].as_i64(), Some(now().timestamp() + 36 * 3600));
        assert_eq!(claims.as_object().map(|o| o.len()), Some(3));
    }

    #[test]
    fn expiry_is_exact() {
        let token = keys().issue(1, now());
        let just_before = now() + TimeDelta::hours(36) - TimeDelta::seconds(1);
        assert_eq!(keys().verify(&token, just_before), Ok(1));
        assert_eq!(
            keys().verify(&token, now() + TimeDelta::hours(36)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn tampered_foreign_and_alg_none_tokens_are_invalid() {
        let token = keys().issue(7, now());
        let parts: Vec<&str> = token.split('.').collect();
        let forged_payload = b64(&format!(
            r#"{{"sub":"1","iat":{},"exp":{}}}"#,
            now().timestamp(),
            now().timestamp() + 3600
        ));
        let tampered = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert_eq!(keys().verify(&tampered, now()), Err(TokenError::Invalid));

        let other = TokenKeys::new(&SecretString::from("another-secret"), TimeDelta::hours(1));
        assert_eq!(
            keys().verify(&other.issue(7, now()), now()),
            Err(TokenError::Invalid)
        );

        let none = format!(
            "{}.{}.",
            b64(r#"{"alg":"none","typ":"JWT"}"#),
            forged_payload
        );
        assert_eq!(keys().verify(&none, now()), Err(TokenError::Invalid));
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &Claims {
                sub: "7".into(),
                iat: now().timestamp(),
                exp: now().timestamp() + 60,
            },
            &EncodingKey::from_secret(b"test-secret-0123456789"),
        )
        .unwrap_or_default();
        assert_eq!(keys().verify(&hs512, now()), Err(TokenError::Invalid));

        for junk in ["", "abc", "a.b.c", "Bearer x", &format!("{token}x")] {
            assert_eq!(
                keys().verify(junk, now()),
                Err(TokenError::Invalid),
                "{junk}"
            );
        }
    }

    #[test]
    fn the_original_servers_tokens_are_not_accepted() {
        // {username, password, iat, exp} signed with the same secret: no sub.
        #[derive(Serialize)]
        struct Legacy<'a> {
            username: &'a str,
            password: &'a str,
            iat: i64,
            exp: i64,
        }
        let legacy = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &Legacy {
                username: "letao",
                password: "123456",
                iat: now().timestamp(),
                exp: now().timestamp() + 60,
            },
            &EncodingKey::from_secret(b"test-secret-0123456789"),
        )
        .unwrap_or_default();
        assert_eq!(keys().verify(&legacy, now()), Err(TokenError::Invalid));
    }
}

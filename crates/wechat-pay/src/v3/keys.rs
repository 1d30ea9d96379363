//! RSA keys (SHA256withRSA, PKCS#1 v1.5) and the APIv3 key
//! (AEAD_AES_256_GCM).

use super::error::{Error, config_err};
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::rand_core::OsRng;
use rsa::signature::{RandomizedSigner, SignatureEncoding};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use std::sync::Arc;

/// An RSA private key that signs with SHA256withRSA: the merchant's API
/// key, or (in simulators and tests) a WeChat Pay platform key.
///
/// Signing is `ring`'s (constant-time, and several times faster than the
/// `rsa` crate's, which signs only keys `ring` refuses, e.g. under 2048
/// bits); every request to WeChat carries one signature.
#[derive(Clone)]
pub struct PrivateKey {
    key: RsaPrivateKey,
    signer: Option<Arc<ring::rsa::KeyPair>>,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey { .. }")
    }
}

impl PrivateKey {
    /// Reads a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`, what WeChat's
    /// certificate tool writes as `apiclient_key.pem`) or PKCS#1
    /// (`BEGIN RSA PRIVATE KEY`).
    pub fn from_pem(pem: &str) -> Result<PrivateKey, Error> {
        let pem = pem.trim();
        let key = if pem.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
            RsaPrivateKey::from_pkcs1_pem(pem).map_err(config_err)?
        } else {
            RsaPrivateKey::from_pkcs8_pem(pem).map_err(config_err)?
        };
        Ok(PrivateKey::from_rsa(key))
    }

    fn from_rsa(key: RsaPrivateKey) -> PrivateKey {
        let signer = rsa::pkcs1::EncodeRsaPrivateKey::to_pkcs1_der(&key)
            .ok()
            .and_then(|der| ring::rsa::KeyPair::from_der(der.as_bytes()).ok())
            .map(Arc::new);
        PrivateKey { key, signer }
    }

    /// A new random key of `bits` bits (2048 is what WeChat uses).
    pub fn generate(bits: usize) -> Result<PrivateKey, Error> {
        let key = RsaPrivateKey::new(&mut OsRng, bits).map_err(config_err)?;
        Ok(PrivateKey::from_rsa(key))
    }

    /// The key as PKCS#8 PEM.
    pub fn to_pkcs8_pem(&self) -> Result<SecretString, Error> {
        let pem = self.key.to_pkcs8_pem(LineEnding::LF).map_err(config_err)?;
        Ok(SecretString::from(pem.as_str()))
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_rsa(self.key.to_public_key())
    }

    /// SHA256withRSA of `message`, base64 (PKCS#1 v1.5 signatures are
    /// deterministic: both ways give the same bytes).
    pub fn sign(&self, message: &[u8]) -> String {
        if let Some(pair) = &self.signer {
            let mut signature = vec![0; pair.public().modulus_len()];
            let rng = ring::rand::SystemRandom::new();
            if pair
                .sign(
                    &ring::signature::RSA_PKCS1_SHA256,
                    &rng,
                    message,
                    &mut signature,
                )
                .is_ok()
            {
                return B64.encode(signature);
            }
        }
        let signer = SigningKey::<Sha256>::new(self.key.clone());
        let signature = signer.sign_with_rng(&mut OsRng, message);
        B64.encode(signature.to_bytes())
    }

    pub(crate) fn rsa(&self) -> &RsaPrivateKey {
        &self.key
    }
}

/// An RSA public key that verifies SHA256withRSA: the WeChat Pay public
/// key, a platform certificate's key, or (in simulators) a merchant's.
///
/// Verification is `ring`'s (about 20 times faster than the `rsa` crate's
/// on the same key, and every notification and reply pays for one), over
/// the modulus and exponent kept ready as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: RsaPublicKey,
    /// Big-endian modulus and public exponent, shared by clones.
    components: Arc<(Vec<u8>, Vec<u8>)>,
}

impl PublicKey {
    /// Reads a PEM public key: SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`, as
    /// in WeChat's `pub_key.pem`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`).
    pub fn from_pem(pem: &str) -> Result<PublicKey, Error> {
        let pem = pem.trim();
        let key = if pem.starts_with("-----BEGIN RSA PUBLIC KEY-----") {
            RsaPublicKey::from_pkcs1_pem(pem).map_err(config_err)?
        } else {
            RsaPublicKey::from_public_key_pem(pem).map_err(config_err)?
        };
        Ok(PublicKey::from_rsa(key))
    }

    /// The key as SubjectPublicKeyInfo PEM.
    pub fn to_pem(&self) -> Result<String, Error> {
        self.key
            .to_public_key_pem(LineEnding::LF)
            .map_err(config_err)
    }

    /// True when `signature_b64` is the SHA256withRSA signature of `message`.
    pub fn verify(&self, message: &[u8], signature_b64: &str) -> bool {
        let Ok(bytes) = B64.decode(signature_b64.trim()) else {
            return false;
        };
        let (n, e) = &*self.components;
        ring::signature::RsaPublicKeyComponents { n, e }
            .verify(
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                message,
                &bytes,
            )
            .is_ok()
    }

    pub(crate) fn from_rsa(key: RsaPublicKey) -> PublicKey {
        let components = Arc::new((key.n().to_bytes_be(), key.e().to_bytes_be()));
        PublicKey { key, components }
    }

    pub(crate) fn rsa(&self) -> &RsaPublicKey {
        &self.key
    }
}

/// The 32-byte APIv3 key that encrypts notification resources and
/// platform certificates (AEAD_AES_256_GCM).
#[derive(Clone)]
pub struct ApiV3Key([u8; 32]);

impl std::fmt::Debug for ApiV3Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiV3Key(..)")
    }
}

impl ApiV3Key {
    /// The key as set in the merchant platform: exactly 32 bytes.
    pub fn new(key: &str) -> Result<ApiV3Key, Error> {
        let bytes: [u8; 32] = key
            .as_bytes()
            .try_into()
            .map_err(|_| Error::Config("the APIv3 key must be exactly 32 bytes".into()))?;
        Ok(ApiV3Key(bytes))
    }

    /// [`ApiV3Key::new`] from a secret.
    pub fn from_secret(key: &SecretString) -> Result<ApiV3Key, Error> {
        ApiV3Key::new(key.expose_secret())
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.0.into())
    }

    /// Decrypts a resource: base64 `ciphertext` (tag appended) with the
    /// 12-byte `nonce` and the `associated_data`.
    pub fn decrypt(
        &self,
        nonce: &str,
        associated_data: &str,
        ciphertext_b64: &str,
    ) -> Result<Vec<u8>, Error> {
        let nonce = nonce_of(nonce)?;
        let ciphertext = B64
            .decode(ciphertext_b64.trim())
            .map_err(|e| Error::Decrypt(format!("base64: {e}")))?;
        self.cipher()
            .decrypt(
                nonce,
                Payload {
                    msg: &ciphertext,
                    aad: associated_data.as_bytes(),
                },
            )
            .map_err(|_| Error::Decrypt("wrong key, nonce or associated data, or tampered".into()))
    }

    /// Encrypts as WeChat does (base64 of ciphertext + tag): for simulators
    /// and tests that play WeChat's side.
    pub fn encrypt(
        &self,
        nonce: &str,
        associated_data: &str,
        plaintext: &[u8],
    ) -> Result<String, Error> {
        let nonce = nonce_of(nonce)?;
        let sealed = self
            .cipher()
            .encrypt(
                nonce,
                Payload {
                    msg: plaintext,
                    aad: associated_data.as_bytes(),
                },
            )
            .map_err(|_| Error::Decrypt("encryption failed".into()))?;
        Ok(B64.encode(sealed))
    }
}

fn nonce_of(nonce: &str) -> Result<&Nonce<aes_gcm::aead::consts::U12>, Error> {
    if nonce.len() != 12 {
        return Err(Error::Decrypt("the nonce must be 12 bytes".into()));
    }
    Ok(Nonce::from_slice(nonce.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check value published by wechatpay-java (SPEC §6.1).
    #[test]
    fn published_aead_check_value_both_directions() {
        let key = ApiV3Key::new("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap_or_else(|_| {
            unreachable!("32 bytes");
        });
        let sealed = key.encrypt("uluk4a9R25RW", "associatedData", b"message");
        assert_eq!(sealed.as_deref(), Ok("ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI="));
        let opened = key.decrypt(
            "uluk4a9R25RW",
            "associatedData",
            "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=",
        );
        assert_eq!(opened.as_deref(), Ok(&b"message"[..]));
    }

    #[test]
    fn a_wrong_key_nonce_or_associated_data_fails_to_decrypt() {
        let key = ApiV3Key::new("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").ok();
        let other = ApiV3Key::new("b7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").ok();
        let (Some(key), Some(other)) = (key, other) else {
            unreachable!("32 bytes")
        };
        let c = "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=";
        assert!(other.decrypt("uluk4a9R25RW", "associatedData", c).is_err());
        assert!(key.decrypt("uluk4a9R25RX", "associatedData", c).is_err());
        assert!(key.decrypt("uluk4a9R25RW", "associateddata", c).is_err());
        assert!(key.decrypt("short", "associatedData", c).is_err());
        assert!(key.decrypt("uluk4a9R25RW", "associatedData", "!!").is_err());
        assert!(ApiV3Key::new("too short").is_err());
    }

    #[test]
    fn ring_signs_and_verifies_exactly_as_the_rsa_crate() {
        let key = PrivateKey::generate(2048).unwrap();
        assert!(key.signer.is_some(), "ring takes a 2048-bit key");
        let message = b"1700000000\nnonce\n{\"a\":1}\n";
        let by_ring = key.sign(message);
        let by_rsa = B64.encode(
            SigningKey::<Sha256>::new(key.key.clone())
                .sign_with_rng(&mut OsRng, message)
                .to_bytes(),
        );
        assert_eq!(by_ring, by_rsa);
        let public = key.public_key();
        assert!(public.verify(message, &by_rsa));
        assert!(!public.verify(b"another message", &by_rsa));
        let mut tampered = B64.decode(&by_rsa).unwrap();
        tampered[10] ^= 1;
        assert!(!public.verify(message, &B64.encode(tampered)));
        // A key ring refuses still signs, through the rsa crate.
        let small = PrivateKey::generate(1024).unwrap();
        assert!(small.signer.is_none());
        assert!(!small.sign(message).is_empty());
    }

    #[test]
    fn pkcs8_and_pkcs1_keys_sign_alike_and_verify() {
        use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
        let key = PrivateKey::generate(2048).unwrap();
        let pkcs8 = key.to_pkcs8_pem().unwrap();
        let pkcs1 = key.rsa().to_pkcs1_pem(LineEnding::CRLF).unwrap();
        assert!(
            pkcs8
                .expose_secret()
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
        assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let from8 = PrivateKey::from_pem(pkcs8.expose_secret()).unwrap();
        let from1 = PrivateKey::from_pem(&pkcs1).unwrap();
        // PKCS#1 v1.5 signatures are deterministic: same key, same bytes.
        assert_eq!(from8.sign(b"hello"), from1.sign(b"hello"));
        assert_eq!(from8.sign(b"hello"), key.sign(b"hello"));

        let public = key.public_key();
        let spki = PublicKey::from_pem(&public.to_pem().unwrap()).unwrap();
        let rsa_pub =
            PublicKey::from_pem(&public.rsa().to_pkcs1_pem(LineEnding::LF).unwrap()).unwrap();
        let sig = key.sign(b"hello");
        assert!(spki.verify(b"hello", &sig));
        assert!(rsa_pub.verify(b"hello", &sig));
        assert!(!spki.verify(b"hellO", &sig));
        assert!(!spki.verify(b"hello", "not base64"));
        assert!(!spki.verify(b"hello", ""));

        assert!(
            PrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
                .is_err()
        );
        assert!(PublicKey::from_pem("garbage").is_err());
        assert_eq!(format!("{key:?}"), "PrivateKey { .. }");
    }
}

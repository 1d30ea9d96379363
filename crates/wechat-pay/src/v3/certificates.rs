//! WeChat Pay platform certificates: parsing, the `/v3/certificates`
//! reply, and (for simulators and tests) making one.

use super::error::{Error, config_err};
use super::keys::{ApiV3Key, PrivateKey, PublicKey};
use chrono::{DateTime, Utc};
use rsa::pkcs8::DecodePublicKey;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use std::time::{Duration, UNIX_EPOCH};
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::{DecodePem, Encode, EncodePem};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};

/// A platform certificate: its serial, RSA public key and validity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformCertificate {
    /// Serial number, upper-case hex (what `Wechatpay-Serial` names).
    pub serial: String,
    /// The key that verifies WeChat's signatures.
    pub public_key: PublicKey,
    /// Valid from.
    pub not_before: DateTime<Utc>,
    /// Valid until.
    pub not_after: DateTime<Utc>,
}

fn time_of(t: &Time) -> Result<DateTime<Utc>, Error> {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).map_err(config_err)?;
    DateTime::from_timestamp(secs, 0).ok_or_else(|| config_err("certificate time out of range"))
}

/// Upper-case hex of a serial's bytes without leading zero bytes.
fn serial_hex(bytes: &[u8]) -> String {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    hex::encode_upper(&bytes[first..])
}

impl PlatformCertificate {
    /// Parses an X.509 certificate (PEM) with an RSA key.
    pub fn from_pem(pem: &str) -> Result<PlatformCertificate, Error> {
        let cert = Certificate::from_pem(pem.trim().as_bytes()).map_err(config_err)?;
        let tbs = &cert.tbs_certificate;
        let spki_der = tbs.subject_public_key_info.to_der().map_err(config_err)?;
        let key = rsa::RsaPublicKey::from_public_key_der(&spki_der).map_err(config_err)?;
        Ok(PlatformCertificate {
            serial: serial_hex(tbs.serial_number.as_bytes()),
            public_key: PublicKey::from_rsa(key),
            not_before: time_of(&tbs.validity.not_before)?,
            not_after: time_of(&tbs.validity.not_after)?,
        })
    }

    /// True when `now` is within the validity period.
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// A self-signed certificate (PEM) for `key` with serial `serial_hex`
    /// (hex, e.g. 40 digits like WeChat's), valid between the two times:
    /// what a simulator or test serves as a platform certificate.
    pub fn self_signed_pem(
        key: &PrivateKey,
        serial_hex: &str,
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
    ) -> Result<String, Error> {
        let serial_bytes = hex::decode(serial_hex).map_err(config_err)?;
        let serial = SerialNumber::new(&serial_bytes).map_err(config_err)?;
        let at = |t: DateTime<Utc>| -> Result<Time, Error> {
            let secs = u64::try_from(t.timestamp()).map_err(config_err)?;
            Time::try_from(UNIX_EPOCH + Duration::from_secs(secs)).map_err(config_err)
        };
        let validity = Validity {
            not_before: at(not_before)?,
            not_after: at(not_after)?,
        };
        let subject =
            Name::from_str("CN=Tenpay.com Root CA,O=Tenpay.com,C=CN").map_err(config_err)?;
        let spki_der = rsa::pkcs8::EncodePublicKey::to_public_key_der(key.public_key().rsa())
            .map_err(config_err)?;
        let spki = SubjectPublicKeyInfoOwned::try_from(spki_der.as_bytes()).map_err(config_err)?;
        let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.rsa().clone());
        let builder =
            CertificateBuilder::new(Profile::Root, serial, validity, subject, spki, &signer)
                .map_err(config_err)?;
        let cert = builder
            .build::<rsa::pkcs1v15::Signature>()
            .map_err(config_err)?;
        cert.to_pem(x509_cert::der::pem::LineEnding::LF)
            .map_err(config_err)
    }
}

/// An encrypted resource: a notification's `resource` or a certificate's
/// `encrypt_certificate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedResource {
    /// `AEAD_AES_256_GCM`.
    pub algorithm: String,
    /// Base64 ciphertext with the tag appended.
    pub ciphertext: String,
    /// Associated data (may be empty).
    #[serde(default)]
    pub associated_data: String,
    /// 12-character nonce.
    pub nonce: String,
    /// What the plaintext is (`transaction`, `refund`); absent for certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_type: Option<String>,
}

impl EncryptedResource {
    /// Encrypts `plaintext` as WeChat does, with a random nonce.
    pub fn seal(
        key: &ApiV3Key,
        associated_data: &str,
        original_type: Option<&str>,
        plaintext: &[u8],
    ) -> Result<EncryptedResource, Error> {
        let nonce = crate::ids::random_alnum(12);
        Ok(EncryptedResource {
            algorithm: "AEAD_AES_256_GCM".into(),
            ciphertext: key.encrypt(&nonce, associated_data, plaintext)?,
            associated_data: associated_data.to_owned(),
            nonce,
            original_type: original_type.map(str::to_owned),
        })
    }

    /// Decrypts with the APIv3 key; only `AEAD_AES_256_GCM` is accepted.
    pub fn open(&self, key: &ApiV3Key) -> Result<Vec<u8>, Error> {
        if self.algorithm != "AEAD_AES_256_GCM" {
            return Err(Error::Decrypt(format!("algorithm {}", self.algorithm)));
        }
        key.decrypt(&self.nonce, &self.associated_data, &self.ciphertext)
    }
}

/// One item of the `GET /v3/certificates` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateItem {
    /// Serial, upper-case hex.
    pub serial_no: String,
    /// RFC 3339.
    pub effective_time: String,
    /// RFC 3339.
    pub expire_time: String,
    /// The certificate PEM, encrypted with the APIv3 key.
    pub encrypt_certificate: EncryptedResource,
}

/// The `GET /v3/certificates` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateList {
    /// Every certificate currently served (old and new during rotation).
    pub data: Vec<CertificateItem>,
}

impl CertificateList {
    /// Decrypts and parses every certificate; the serial inside each must
    /// be the one announced beside it.
    pub fn open(&self, key: &ApiV3Key) -> Result<Vec<PlatformCertificate>, Error> {
        self.data
            .iter()
            .map(|item| {
                let pem = item.encrypt_certificate.open(key)?;
                let pem = String::from_utf8(pem)
                    .map_err(|_| Error::Decrypt("certificate is not UTF-8".into()))?;
                let cert = PlatformCertificate::from_pem(&pem)
                    .map_err(|e| Error::BadReply(format!("certificate {}: {e}", item.serial_no)))?;
                if !cert.serial.eq_ignore_ascii_case(&item.serial_no) {
                    return Err(Error::BadReply(format!(
                        "certificate announced as {} has serial {}",
                        item.serial_no, cert.serial
                    )));
                }
                Ok(cert)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_upper_hex_without_leading_zero_bytes() {
        assert_eq!(serial_hex(&[0x00, 0x8a, 0x0b]), "8A0B");
        assert_eq!(serial_hex(&[0x51, 0x57]), "5157");
    }
}

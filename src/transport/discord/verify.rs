//! Is this request from Discord? The Ed25519 signature over timestamp + raw body, checked with
//! the application's public key (serenity's `Verifier`), and a timestamp no further than
//! [`MAX_SKEW_SECS`] from now, so a recorded request cannot be replayed later. Checked on the raw
//! bytes before anything is parsed.

use serenity::interactions_endpoint::Verifier;

/// How far the signed timestamp may be from our clock, either way.
pub const MAX_SKEW_SECS: i64 = 300;

/// Why a request was refused (logged at debug level; Discord only sees 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("the signature headers are missing")]
    MissingHeaders,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the timestamp is not a number")]
    BadTimestamp,
    #[error("the timestamp is more than {MAX_SKEW_SECS} s away from now")]
    Stale,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("DISCORD_PUBLIC_KEY: a public key is 64 hexadecimal characters of a valid Ed25519 key")]
pub struct BadKey;

/// The application's public key, ready to check requests.
#[derive(Clone)]
pub struct SignatureCheck {
    verifier: Verifier,
}

impl SignatureCheck {
    pub fn parse(public_key_hex: &str) -> Result<SignatureCheck, BadKey> {
        let bytes: [u8; 32] = hex::decode(public_key_hex.trim()).map_err(|_| BadKey)?.try_into().map_err(|_| BadKey)?;
        let verifier = Verifier::try_new(bytes).map_err(|_| BadKey)?;
        Ok(SignatureCheck { verifier })
    }

    /// Checks the headers' signature and timestamp against the raw body, at `now` (Unix
    /// seconds).
    pub fn check(
        &self,
        signature: Option<&str>,
        timestamp: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<(), Rejected> {
        let (Some(signature), Some(timestamp)) = (signature, timestamp) else {
            return Err(Rejected::MissingHeaders);
        };
        self.verifier.verify(signature, timestamp, body).map_err(|()| Rejected::BadSignature)?;
        let at: i64 = timestamp.parse().map_err(|_| Rejected::BadTimestamp)?;
        if (now - at).abs() > MAX_SKEW_SECS {
            return Err(Rejected::Stale);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    fn check() -> SignatureCheck {
        SignatureCheck::parse(&hex::encode(key().verifying_key().to_bytes())).unwrap()
    }

    fn sign(ts: &str, body: &[u8]) -> String {
        let mut message = ts.as_bytes().to_vec();
        message.extend_from_slice(body);
        hex::encode(key().sign(&message).to_bytes())
    }

    #[test]
    fn a_fresh_request_signed_with_the_key_passes() {
        let body = br#"{"type":1}"#;
        let sig = sign("1000", body);
        assert_eq!(check().check(Some(&sig), Some("1000"), body, 1000), Ok(()));
        assert_eq!(check().check(Some(&sig), Some("1000"), body, 1300), Ok(()));
        assert_eq!(check().check(Some(&sig), Some("1000"), body, 700), Ok(()));
    }

    #[test]
    fn a_changed_body_timestamp_or_signature_fails() {
        let body = br#"{"type":1}"#;
        let sig = sign("1000", body);
        let c = check();
        assert_eq!(c.check(Some(&sig), Some("1000"), br#"{"type":2}"#, 1000), Err(Rejected::BadSignature));
        assert_eq!(c.check(Some(&sig), Some("1001"), body, 1000), Err(Rejected::BadSignature));
        assert_eq!(c.check(Some("zz"), Some("1000"), body, 1000), Err(Rejected::BadSignature));
        assert_eq!(c.check(None, Some("1000"), body, 1000), Err(Rejected::MissingHeaders));
        let other = SigningKey::from_bytes(&[8u8; 32]);
        let mut m = b"1000".to_vec();
        m.extend_from_slice(body);
        let forged = hex::encode(other.sign(&m).to_bytes());
        assert_eq!(c.check(Some(&forged), Some("1000"), body, 1000), Err(Rejected::BadSignature));
    }

    #[test]
    fn a_well_signed_but_old_or_future_request_is_stale() {
        let body = b"{}";
        let sig = sign("1000", body);
        assert_eq!(check().check(Some(&sig), Some("1000"), body, 1301), Err(Rejected::Stale));
        assert_eq!(check().check(Some(&sig), Some("1000"), body, 699), Err(Rejected::Stale));
        let sig = sign("soon", body);
        assert_eq!(check().check(Some(&sig), Some("soon"), body, 1000), Err(Rejected::BadTimestamp));
    }

    #[test]
    fn keys_that_are_not_ed25519_public_keys_are_refused() {
        assert!(SignatureCheck::parse("abc").is_err());
        assert!(SignatureCheck::parse(&"zz".repeat(32)).is_err());
        assert!(SignatureCheck::parse(&"ab".repeat(33)).is_err());
    }
}

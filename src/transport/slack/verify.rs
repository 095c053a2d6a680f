//! Request signing, as Slack does it: the header `X-Slack-Signature` is `v0=` and the hex
//! HMAC-SHA256 of `v0:{X-Slack-Request-Timestamp}:{raw body}` with the app's signing secret.
//!
//! [`verify`] runs on the raw bytes before anything is parsed, takes `now` as a parameter (so
//! Slack's documented example is a test vector at its own timestamp), accepts any of several
//! secrets (rotation), and compares in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

use crate::config::Secret;

/// How far the request timestamp may be from now, either way, in seconds.
pub const MAX_AGE_SECS: i64 = 5 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the timestamp header is missing or not a number")]
    BadTimestamp,
    #[error("the timestamp is more than five minutes away from now")]
    Stale,
    #[error("the signature header is missing or malformed")]
    BadSignature,
    #[error("the signature matches no signing secret")]
    Mismatch,
}

/// Checks a request's signature against every secret. `now` is in Unix seconds.
pub fn verify(
    secrets: &[Secret],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    let timestamp = timestamp.ok_or(VerifyError::BadTimestamp)?;
    if timestamp.is_empty() || timestamp.len() > 12 || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::BadTimestamp);
    }
    let at: i64 = timestamp.parse().map_err(|_| VerifyError::BadTimestamp)?;
    if now.abs_diff(at) > MAX_AGE_SECS as u64 {
        return Err(VerifyError::Stale);
    }
    let given = signature
        .and_then(|s| s.strip_prefix("v0="))
        .filter(|h| h.len() == 64)
        .and_then(|h| hex::decode(h).ok())
        .ok_or(VerifyError::BadSignature)?;
    // every secret is tried, so the time taken does not tell which one matched
    let mut matched = Choice::from(0);
    for secret in secrets {
        matched |= mac(secret.expose(), timestamp, body).ct_eq(&given);
    }
    if bool::from(matched) { Ok(()) } else { Err(VerifyError::Mismatch) }
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// The signature Slack would send for this body (`v0=…`).
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    format!("v0={}", hex::encode(mac(secret, timestamp, body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Slack's documented example ("Verifying requests from Slack").
    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TIMESTAMP: &str = "1531420618";
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn secrets(list: &[&str]) -> Vec<Secret> {
        list.iter().map(|s| Secret::new(*s)).collect()
    }

    #[test]
    fn slacks_documented_example_verifies_at_its_own_timestamp() {
        assert_eq!(sign(SECRET, TIMESTAMP, BODY.as_bytes()), SIGNATURE);
        assert_eq!(
            verify(&secrets(&[SECRET]), Some(TIMESTAMP), Some(SIGNATURE), BODY.as_bytes(), 1_531_420_618),
            Ok(())
        );
    }

    #[test]
    fn the_example_is_stale_a_little_over_five_minutes_later() {
        let ok = |now| verify(&secrets(&[SECRET]), Some(TIMESTAMP), Some(SIGNATURE), BODY.as_bytes(), now);
        assert_eq!(ok(1_531_420_618 + 300), Ok(()));
        assert_eq!(ok(1_531_420_618 - 300), Ok(()));
        assert_eq!(ok(1_531_420_618 + 301), Err(VerifyError::Stale));
        assert_eq!(ok(1_531_420_618 - 301), Err(VerifyError::Stale));
    }

    #[test]
    fn a_secret_missing_its_last_character_does_not_verify() {
        let short = &SECRET[..SECRET.len() - 1];
        assert_eq!(
            verify(&secrets(&[short]), Some(TIMESTAMP), Some(SIGNATURE), BODY.as_bytes(), 1_531_420_618),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn any_of_several_secrets_verifies_while_rotating() {
        let now = 1_531_420_618;
        let both = secrets(&["old-secret", SECRET]);
        assert_eq!(verify(&both, Some(TIMESTAMP), Some(SIGNATURE), BODY.as_bytes(), now), Ok(()));
        let signed_with_old = sign("old-secret", TIMESTAMP, b"x=1");
        assert_eq!(verify(&both, Some(TIMESTAMP), Some(&signed_with_old), b"x=1", now), Ok(()));
        assert_eq!(
            verify(&secrets(&[SECRET]), Some(TIMESTAMP), Some(&signed_with_old), b"x=1", now),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(&[], Some(TIMESTAMP), Some(SIGNATURE), BODY.as_bytes(), now),
            Err(VerifyError::Mismatch),
            "no secret, no request"
        );
    }

    #[test]
    fn a_changed_body_or_timestamp_breaks_the_signature() {
        let now = 1_531_420_618;
        let s = secrets(&[SECRET]);
        let mut body = BODY.as_bytes().to_vec();
        body[10] ^= 1;
        assert_eq!(verify(&s, Some(TIMESTAMP), Some(SIGNATURE), &body, now), Err(VerifyError::Mismatch));
        assert_eq!(verify(&s, Some("1531420619"), Some(SIGNATURE), BODY.as_bytes(), now), Err(VerifyError::Mismatch));
    }

    #[test]
    fn malformed_headers_are_refused_before_any_hashing() {
        let now = 1_531_420_618;
        let s = secrets(&[SECRET]);
        let b = BODY.as_bytes();
        for ts in [None, Some(""), Some("abc"), Some("-1531420618"), Some("+1531420618"), Some("1e9")] {
            assert_eq!(verify(&s, ts, Some(SIGNATURE), b, now), Err(VerifyError::BadTimestamp), "{ts:?}");
        }
        let upper = SIGNATURE.to_uppercase().replacen("V0=", "v0=", 1);
        assert_eq!(verify(&s, Some(TIMESTAMP), Some(&upper), b, now), Ok(()), "hex digits in either case");
        for sig in [
            None,
            Some(""),
            Some("v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"),
            Some("a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"),
            Some("v0=a2114d57"),
            Some("v0=zz114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"),
        ] {
            assert_eq!(verify(&s, Some(TIMESTAMP), sig, b, now), Err(VerifyError::BadSignature), "{sig:?}");
        }
    }
}

//! Opaque secrets (refresh tokens, API keys, invitation tokens): made from 256 random bits, shown
//! once, stored only as a SHA-256 hash. A fast hash is right here: unlike passwords these secrets
//! have full entropy, so nothing can be guessed from the hash.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes from the OS generator, base64url without padding (43 characters).
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_secret(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    URL_SAFE_NO_PAD.encode(digest)
}

/// An HMAC-SHA256 signature of `payload` under `secret`, base64url: for links in email (unsubscribe,
/// open and click tracking) that must not be forged or altered.
pub fn sign(secret: &str, payload: &str) -> String {
    use hmac::{Hmac, Mac};
    // HMAC accepts keys of any length, so this never fails; an empty signature would never verify.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(payload.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Check a [`sign`] signature in constant time.
pub fn verify(secret: &str, payload: &str, signature: &str) -> bool {
    use hmac::{Hmac, Mac};
    let Ok(expected) = URL_SAFE_NO_PAD.decode(signature) else {
        return false;
    };
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(payload.as_bytes());
    mac.verify_slice(&expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_fits_only_its_payload_and_secret() {
        let sig = sign("k", "open|1");
        assert!(verify("k", "open|1", &sig));
        assert!(!verify("k", "open|2", &sig));
        assert!(!verify("other", "open|1", &sig));
        assert!(!verify("k", "open|1", "not base64 !"));
    }

    #[test]
    fn secrets_are_unique_and_hashes_stable() {
        let a = generate_secret();
        let b = generate_secret();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_secret(&a), hash_secret(&a));
        assert_ne!(hash_secret(&a), hash_secret(&b));
    }
}

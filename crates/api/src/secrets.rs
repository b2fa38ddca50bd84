//! Secrets Kith must store and use again (an organization's SMTP password), sealed at rest with
//! XChaCha20-Poly1305 under a key derived from the instance secret. A database dump alone does not
//! reveal them; changing KITH_JWT_SECRET makes them unreadable (administrators enter them again).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

const PREFIX: &str = "v1.";

pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    pub fn new(instance_secret: &str) -> Sealer {
        // A key of its own for this purpose, so no other use of the instance secret can reveal it.
        let key = Sha256::new().chain_update(b"kith sealed secrets v1\0").chain_update(instance_secret).finalize();
        Sealer { cipher: XChaCha20Poly1305::new(&key) }
    }

    /// `v1.` + base64url(nonce ‖ ciphertext ‖ tag): a fresh random nonce every time. `owner` (the
    /// organization) is authenticated with it, so a sealed value copied to another organization's row
    /// does not open there.
    pub fn seal(&self, owner: &str, plain: &str) -> Result<String, String> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload { msg: plain.as_bytes(), aad: owner.as_bytes() };
        let sealed = self.cipher.encrypt(&nonce, payload).map_err(|_| "sealing failed".to_owned())?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn open(&self, owner: &str, sealed: &str) -> Result<String, String> {
        let unreadable = || "a stored secret cannot be opened (was KITH_JWT_SECRET changed?)".to_owned();
        let bytes = sealed.strip_prefix(PREFIX).and_then(|b| URL_SAFE_NO_PAD.decode(b).ok()).ok_or_else(unreadable)?;
        if bytes.len() < 24 {
            return Err(unreadable());
        }
        let (nonce, data) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| unreadable())?;
        let payload = Payload { msg: data, aad: owner.as_bytes() };
        let plain = self.cipher.decrypt(&XNonce::from(nonce), payload).map_err(|_| unreadable())?;
        String::from_utf8(plain).map_err(|_| unreadable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_the_same_instance_secret_and_never_shows_in_clear() {
        let sealer = Sealer::new("instance secret of at least thirty-two chars");
        let a = sealer.seal("org-a", "hunter2-smtp").unwrap_or_default();
        let b = sealer.seal("org-a", "hunter2-smtp").unwrap_or_default();
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(a.starts_with("v1.") && !a.contains("hunter2"));
        assert_eq!(sealer.open("org-a", &a), Ok("hunter2-smtp".to_owned()));
        assert!(sealer.open("org-b", &a).is_err(), "bound to its organization");
        assert!(Sealer::new("another instance secret, also long enough").open("org-a", &a).is_err());
        let mut tampered = a.clone();
        tampered.pop();
        tampered.push(if a.ends_with('A') { 'B' } else { 'A' });
        assert!(sealer.open("org-a", &tampered).is_err());
        assert!(sealer.open("org-a", "plain text").is_err());
    }
}

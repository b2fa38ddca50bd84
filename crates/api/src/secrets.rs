//! Secrets Kith must store and use again (an organization's SMTP password), sealed at rest with
//! XChaCha20-Poly1305 under a key derived from the instance secret. A database dump alone does not
//! reveal them; changing KITH_JWT_SECRET makes them unreadable (administrators enter them again).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
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

    /// `v1.` + base64url(nonce ‖ ciphertext ‖ tag): a fresh random nonce every time.
    pub fn seal(&self, plain: &str) -> Result<String, String> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self.cipher.encrypt(&nonce, plain.as_bytes()).map_err(|_| "sealing failed".to_owned())?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn open(&self, sealed: &str) -> Result<String, String> {
        let unreadable = || "a stored secret cannot be opened (was KITH_JWT_SECRET changed?)".to_owned();
        let bytes = sealed.strip_prefix(PREFIX).and_then(|b| URL_SAFE_NO_PAD.decode(b).ok()).ok_or_else(unreadable)?;
        if bytes.len() < 24 {
            return Err(unreadable());
        }
        let (nonce, data) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| unreadable())?;
        let plain = self.cipher.decrypt(&XNonce::from(nonce), data).map_err(|_| unreadable())?;
        String::from_utf8(plain).map_err(|_| unreadable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_the_same_instance_secret_and_never_shows_in_clear() {
        let sealer = Sealer::new("instance secret of at least thirty-two chars");
        let a = sealer.seal("hunter2-smtp").unwrap_or_default();
        let b = sealer.seal("hunter2-smtp").unwrap_or_default();
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(a.starts_with("v1.") && !a.contains("hunter2"));
        assert_eq!(sealer.open(&a), Ok("hunter2-smtp".to_owned()));
        assert!(Sealer::new("another instance secret, also long enough").open(&a).is_err());
        let mut tampered = a.clone();
        tampered.pop();
        tampered.push(if a.ends_with('A') { 'B' } else { 'A' });
        assert!(sealer.open(&tampered).is_err());
        assert!(sealer.open("plain text").is_err());
    }
}

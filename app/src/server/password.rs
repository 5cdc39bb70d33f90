//! Password hashing (argon2id) and session tokens. Server-only.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use blake2::{Blake2s256, Digest};
use rand::RngCore;
use std::sync::OnceLock;

pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt)?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Checks a password against a stored hash. With no stored hash (unknown email) it checks
/// against a fixed one, so that a wrong email takes as long as a wrong password.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DECOY: OnceLock<String> = OnceLock::new();
    let decoy =
        DECOY.get_or_init(|| hash_password("decoy password never used").unwrap_or_default());
    let hash = stored.unwrap_or(decoy);
    let matches = PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    matches && stored.is_some()
}

/// Whether a lowercased password is on the shipped list of common and breached passwords
/// (see `common-passwords.NOTICE`). Server-only, so the list never reaches the browser.
pub fn is_common_password(lowercased: &str) -> bool {
    static LIST: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| include_str!("common-passwords.txt").lines().collect())
        .contains(lowercased)
}

/// A new random session token: 256 bits, hex.
pub fn new_session_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// What the database keeps instead of the token.
pub fn token_hash(token: &str) -> String {
    hex(&Blake2s256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_password_verifies_and_wrong_does_not() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", Some(&hash)));
        assert!(!verify_password("Correct horse", Some(&hash)));
        assert!(!verify_password("", Some(&hash)));
    }

    #[test]
    fn unknown_user_never_verifies() {
        assert!(!verify_password("decoy password never used", None));
        assert!(!verify_password("anything", Some("not a hash")));
    }

    #[test]
    fn the_shipped_list_is_large_and_refuses_the_obvious() {
        let lines = include_str!("common-passwords.txt").lines().count();
        assert!(lines >= 10_000, "{lines} common passwords");
        assert!(is_common_password("password"));
        assert!(is_common_password("qwerty"));
        assert!(!is_common_password("kettle marble lantern"));
    }

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = new_session_token();
        let b = new_session_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a).len(), 64);
    }
}

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("Enter a Child Unique ID")]
    EmptyChildId,
    #[error("Child Unique ID must be {max} characters or fewer", max = ChildUniqueId::MAX_LEN)]
    ChildIdTooLong,
    #[error(
        "Child Unique ID must only include letters, numbers, hyphens, slashes and underscores"
    )]
    ChildIdCharacters,
    #[error("Enter your email address")]
    EmptyEmail,
    #[error("Enter an email address in the correct format, like name@example.org")]
    EmailFormat,
}

/// The case-management system's person ID ("Child Unique ID" in Annex A).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ChildUniqueId(String);

impl ChildUniqueId {
    pub const MAX_LEN: usize = 40;

    /// Trims surrounding space; rejects empty, over-long and odd characters.
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let id = raw.trim();
        if id.is_empty() {
            return Err(IdError::EmptyChildId);
        }
        if id.chars().count() > Self::MAX_LEN {
            return Err(IdError::ChildIdTooLong);
        }
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '_'))
        {
            return Err(IdError::ChildIdCharacters);
        }
        Ok(ChildUniqueId(id.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ChildUniqueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A sign-in email address, trimmed and lower-cased so that look-ups ignore case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(IdError::EmptyEmail);
        }
        let well_formed = email.len() <= Self::MAX_LEN
            && !email.chars().any(char::is_whitespace)
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if well_formed {
            Ok(EmailAddress(email))
        } else {
            Err(IdError::EmailFormat)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_id_is_trimmed() {
        assert_eq!(
            ChildUniqueId::parse("  123456 ").unwrap().as_str(),
            "123456"
        );
        assert_eq!(
            ChildUniqueId::parse("DEMO-10001").unwrap().as_str(),
            "DEMO-10001"
        );
    }

    #[test]
    fn child_id_rejects_bad_input() {
        assert_eq!(ChildUniqueId::parse(""), Err(IdError::EmptyChildId));
        assert_eq!(ChildUniqueId::parse("   "), Err(IdError::EmptyChildId));
        assert_eq!(
            ChildUniqueId::parse(&"9".repeat(41)),
            Err(IdError::ChildIdTooLong)
        );
        assert!(ChildUniqueId::parse(&"9".repeat(40)).is_ok());
        assert_eq!(
            ChildUniqueId::parse("12 34"),
            Err(IdError::ChildIdCharacters)
        );
        assert_eq!(
            ChildUniqueId::parse("1234;DROP"),
            Err(IdError::ChildIdCharacters)
        );
        assert_eq!(
            ChildUniqueId::parse("é123"),
            Err(IdError::ChildIdCharacters)
        );
    }

    #[test]
    fn email_is_normalised() {
        assert_eq!(
            EmailAddress::parse("  QA.Manager@Anytown.Example ")
                .unwrap()
                .as_str(),
            "qa.manager@anytown.example"
        );
    }

    #[test]
    fn email_rejects_bad_input() {
        assert_eq!(EmailAddress::parse(" "), Err(IdError::EmptyEmail));
        for bad in [
            "no-at-sign",
            "@anytown.example",
            "a@b",
            "a@.example",
            "a@example.",
            "a b@c.d",
            "a@b@c.d",
        ] {
            assert_eq!(EmailAddress::parse(bad), Err(IdError::EmailFormat), "{bad}");
        }
        let long = format!("{}@anytown.example", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(IdError::EmailFormat));
    }
}

//! The rule for a new password, after NCSC advice: long enough, not on a list of
//! common or breached passwords, and not the account's own email. No composition
//! rules (they push people to predictable patterns) and no expiry.

pub const MIN_CHARS: usize = 12;
/// Bounds the work of hashing.
pub const MAX_CHARS: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("Enter a new password")]
    Empty,
    #[error("Your password must be at least 12 characters long")]
    TooShort,
    #[error("Your password must be 256 characters or fewer")]
    TooLong,
    #[error("This password is too common: it is on a list of passwords that attackers try first. Choose another, for example three random words")]
    Common,
    #[error("Your password must not contain your email address or its first part")]
    ContainsEmail,
}

/// A new password that meets the policy. Its Debug never shows it.
pub struct NewPassword(String);

impl NewPassword {
    /// `email` is the account's work email; `is_common` says whether a lowercased candidate is on the shipped list.
    pub fn parse(
        raw: &str,
        email: &str,
        is_common: impl Fn(&str) -> bool,
    ) -> Result<NewPassword, PasswordProblem> {
        // Not trimmed: spaces are part of the password, but spaces alone are nothing.
        if raw.trim().is_empty() {
            return Err(PasswordProblem::Empty);
        }
        // Characters, not bytes, so people typing non-ASCII are not penalised.
        let chars = raw.chars().count();
        if chars > MAX_CHARS {
            return Err(PasswordProblem::TooLong);
        }
        if chars < MIN_CHARS {
            return Err(PasswordProblem::TooShort);
        }
        let lower = raw.to_lowercase();
        if contains_email(&lower, email) {
            return Err(PasswordProblem::ContainsEmail);
        }
        if is_common(&lower) {
            return Err(PasswordProblem::Common);
        }
        // "password1234" and "letmein!!!!!" are the usual way round a length rule.
        let stripped = lower.trim_end_matches(|c: char| !c.is_alphabetic());
        if !stripped.is_empty() && stripped.len() != lower.len() && is_common(stripped) {
            return Err(PasswordProblem::Common);
        }
        Ok(NewPassword(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// `lower` is the lowercased password.
fn contains_email(lower: &str, email: &str) -> bool {
    let email = email.trim().to_lowercase();
    let Some((local, _)) = email.split_once('@') else {
        // Not an email address: nothing sensible to compare against.
        return false;
    };
    if lower.contains(email.as_str()) {
        return true;
    }
    // A local part of one or two letters would refuse nearly every password.
    local.chars().count() >= 3 && lower.contains(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "jo@council.gov.uk";

    fn never(_: &str) -> bool {
        false
    }

    fn parse(raw: &str) -> Result<NewPassword, PasswordProblem> {
        NewPassword::parse(raw, EMAIL, never)
    }

    fn listed(candidate: &str) -> bool {
        assert!(!candidate.is_empty(), "the empty string is never looked up");
        assert_eq!(
            candidate,
            candidate.to_lowercase(),
            "lookups are lowercased"
        );
        ["password", "iloveyoubaby", "letmein", "123456789012"].contains(&candidate)
    }

    #[test]
    fn eleven_characters_is_too_short_twelve_is_enough() {
        assert_eq!(parse("abcdefghijk").unwrap_err(), PasswordProblem::TooShort);
        assert_eq!(parse("abcdefghijkl").unwrap().expose(), "abcdefghijkl");
    }

    #[test]
    fn multi_byte_characters_count_as_one() {
        // 11 characters but 22 bytes: still too short.
        let eleven = "é".repeat(11);
        assert_eq!(eleven.len(), 22);
        assert_eq!(parse(&eleven).unwrap_err(), PasswordProblem::TooShort);
        assert!(parse(&"é".repeat(12)).is_ok());
        assert!(parse("🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑").is_ok());
        // 256 characters of 2 bytes each is allowed; 257 is not.
        assert!(parse(&"é".repeat(MAX_CHARS)).is_ok());
        assert_eq!(
            parse(&"é".repeat(MAX_CHARS + 1)).unwrap_err(),
            PasswordProblem::TooLong
        );
    }

    #[test]
    fn two_hundred_fifty_six_is_allowed_two_hundred_fifty_seven_is_too_long() {
        assert!(parse(&"x".repeat(256)).is_ok());
        assert_eq!(
            parse(&"x".repeat(257)).unwrap_err(),
            PasswordProblem::TooLong
        );
    }

    #[test]
    fn empty_and_whitespace_only_are_empty() {
        for raw in [
            "",
            " ",
            "            ",
            "\t\n  \r\n      ",
            &" ".repeat(300),
        ] {
            assert_eq!(parse(raw).unwrap_err(), PasswordProblem::Empty, "{raw:?}");
        }
    }

    #[test]
    fn spaces_are_kept_and_counted() {
        let raw = "  tea kettle  ";
        assert_eq!(parse(raw).unwrap().expose(), raw);
        // Ten visible characters plus two spaces makes twelve.
        assert!(parse(" abcdefghij ").is_ok());
        assert_eq!(parse(" abcdefghi ").unwrap_err(), PasswordProblem::TooShort);
    }

    #[test]
    fn local_part_of_two_characters_is_not_checked() {
        assert!(NewPassword::parse("jogging by the river", "jo@council.gov.uk", never).is_ok());
    }

    #[test]
    fn local_part_of_three_characters_is_checked() {
        assert_eq!(
            NewPassword::parse("sam likes the river", "sam@council.gov.uk", never).unwrap_err(),
            PasswordProblem::ContainsEmail
        );
    }

    #[test]
    fn whole_email_is_checked_even_with_a_short_local_part() {
        assert_eq!(
            NewPassword::parse("my jo@council.gov.uk pass", "jo@council.gov.uk", never)
                .unwrap_err(),
            PasswordProblem::ContainsEmail
        );
    }

    #[test]
    fn email_match_ignores_case() {
        let email = "Sam.Smith@Council.gov.UK";
        assert_eq!(
            NewPassword::parse("SAM.SMITH rocks 2024", email, never).unwrap_err(),
            PasswordProblem::ContainsEmail
        );
        assert_eq!(
            NewPassword::parse("x sam.smith@council.gov.uk", email, never).unwrap_err(),
            PasswordProblem::ContainsEmail
        );
        assert!(NewPassword::parse("samuel smithers 2024", email, never).is_ok());
    }

    #[test]
    fn missing_or_odd_email_refuses_nothing() {
        assert!(NewPassword::parse("any long passphrase", "", never).is_ok());
        assert!(NewPassword::parse("any long passphrase", "   ", never).is_ok());
        assert!(NewPassword::parse("any long passphrase", "pass", never).is_ok());
    }

    #[test]
    fn common_password_is_refused_whatever_its_case() {
        assert_eq!(
            NewPassword::parse("ILoveYouBaby", EMAIL, listed).unwrap_err(),
            PasswordProblem::Common
        );
        assert_eq!(
            NewPassword::parse("123456789012", EMAIL, listed).unwrap_err(),
            PasswordProblem::Common
        );
    }

    #[test]
    fn common_password_with_trailing_digits_or_punctuation_is_refused() {
        for raw in [
            "password1234",
            "Password1234",
            "PASSWORD!!!!",
            "password12!?",
            "letmein12345",
            "LetMeIn 2024!",
        ] {
            assert_eq!(
                NewPassword::parse(raw, EMAIL, listed).unwrap_err(),
                PasswordProblem::Common,
                "{raw:?}"
            );
        }
    }

    #[test]
    fn common_word_inside_a_longer_password_is_allowed() {
        assert!(NewPassword::parse("password1234 penguin", EMAIL, listed).is_ok());
        assert!(NewPassword::parse("1234password", EMAIL, listed).is_ok());
        // All digits strip to nothing: only the whole is looked up.
        assert!(NewPassword::parse("987654321098", EMAIL, listed).is_ok());
    }

    #[test]
    fn checks_run_in_order() {
        // Whitespace before length.
        assert_eq!(parse(&" ".repeat(300)).unwrap_err(), PasswordProblem::Empty);
        // Length before email.
        let long = format!("{EMAIL}{}", "x".repeat(300));
        assert_eq!(parse(&long).unwrap_err(), PasswordProblem::TooLong);
        assert_eq!(
            NewPassword::parse("sam!", "sam@council.gov.uk", listed).unwrap_err(),
            PasswordProblem::TooShort
        );
        // Email before common.
        let both = |c: &str| c.starts_with("sam");
        assert_eq!(
            NewPassword::parse("samsamsamsam", "sam@council.gov.uk", both).unwrap_err(),
            PasswordProblem::ContainsEmail
        );
    }

    #[test]
    fn good_passphrase_is_accepted() {
        let p = NewPassword::parse("Correct Horse Battery Staple", EMAIL, listed).unwrap();
        assert_eq!(p.expose(), "Correct Horse Battery Staple");
    }

    #[test]
    fn debug_redacts() {
        let p = parse("kettle marble lantern").unwrap();
        let shown = format!("{p:?} {p:#?}");
        assert!(!shown.contains("kettle"), "{shown}");
        assert_eq!(format!("{p:?}"), "NewPassword(…)");
    }

    #[test]
    fn messages_match_the_limits() {
        assert!(PasswordProblem::TooShort
            .to_string()
            .contains(&MIN_CHARS.to_string()));
        assert!(PasswordProblem::TooLong
            .to_string()
            .contains(&MAX_CHARS.to_string()));
    }
}

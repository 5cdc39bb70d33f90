//! The one error type every server function returns. Each variant reads as a sentence
//! a practitioner can act on; details go to the server log, never to the page.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A problem with one form field, shown in the error summary and beside the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's `id`, so the summary can link to it.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Your session has ended. Sign in to continue.")]
    SignInRequired,
    #[error("You do not have access to this. Only people with a need to know can see it.")]
    Forbidden,
    #[error("Page not found. It may not exist, or you may not have access to it.")]
    NotFound,
    #[error("There is a problem: {}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    #[error("The service could not be reached. Check your connection and try again.")]
    Network,
    /// Someone saved a newer version since this one was loaded.
    #[error("{by} saved a newer version of this audit since you opened it. Your changes have not been saved over it.")]
    Stale { by: String, version: i64 },
    /// Too many password checks at once (each takes a moment of the server's CPU).
    #[error("Too many people are signing in at this moment. Wait a second and try again.")]
    Busy,
    #[error("Sorry, something went wrong on our side. Try again later; if it keeps happening, contact the QA team.")]
    Internal,
}

/// Whether a message may travel in a URL: no quoted value, no token mixing letters and
/// digits (a Child Unique ID), no long number. A plain form post (before the WebAssembly
/// loads) is redirected back with its error in the URL, which browsers keep in history and
/// proxies log.
fn url_safe(message: &str) -> bool {
    if message.contains(['"', '\u{201c}', '\u{201d}', '\'', '@']) {
        return false;
    }
    !message
        .split(|c: char| c.is_whitespace() || ",.;:()".contains(c))
        .any(|word| {
            let digits = word.chars().filter(char::is_ascii_digit).count();
            let letters = word.chars().filter(|c| c.is_alphabetic()).count();
            (digits > 0 && letters > 0) || digits >= 5
        })
}

impl AppError {
    /// This error as it may be put in a URL: messages that might carry personal data (a
    /// name, a Child Unique ID) become a plain request to check the answer; the field
    /// still says where.
    pub fn for_url(self) -> AppError {
        match self {
            AppError::Invalid(errors) => AppError::Invalid(
                errors
                    .into_iter()
                    .map(|e| {
                        if url_safe(&e.message) {
                            e
                        } else {
                            FieldError::new(
                                &e.field,
                                "This answer could not be accepted. Check it and try again.",
                            )
                        }
                    })
                    .collect(),
            ),
            AppError::Stale { .. } => AppError::Invalid(vec![FieldError::new(
                "",
                "Someone saved a newer version since you opened this page. Your changes have not been saved over it.",
            )]),
            other => other,
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            AppError::Invalid(errors) => errors,
            _ => &[],
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::SignInRequired => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid(_) => 422,
            AppError::Network => 503,
            AppError::Stale { .. } => 409,
            AppError::Busy => 429,
            AppError::Internal => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => AppError::Network,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::Invalid(vec![FieldError::new(
                    "",
                    "The form was incomplete. Check your answers and try again.",
                )])
            }
            _ => AppError::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_never_goes_into_a_url() {
        let error = AppError::Invalid(vec![
            FieldError::new("reason-3", "Enter why the audit of EH12345 is left open"),
            FieldError::new(
                "name",
                "There is already a theme called \u{201c}Jo Bloggs\u{201d}",
            ),
            FieldError::new("email", "Enter an email address like name@council.gov.uk"),
            FieldError::new("id", "Case 1234567 is not yours"),
            FieldError::new("quota_7", "List 7 must be 5 or fewer"),
            FieldError::new(
                "email",
                "Too many tries to sign in. Wait 15 minutes and try again.",
            ),
        ]);
        let safe = error.for_url();
        let messages: Vec<&str> = safe
            .field_errors()
            .iter()
            .map(|e| e.message.as_str())
            .collect();
        assert!(messages[..4]
            .iter()
            .all(|m| *m == "This answer could not be accepted. Check it and try again."));
        assert_eq!(messages[4], "List 7 must be 5 or fewer");
        assert_eq!(
            messages[5],
            "Too many tries to sign in. Wait 15 minutes and try again."
        );
        assert_eq!(safe.field_errors()[0].field, "reason-3");
        assert!(matches!(
            AppError::Stale {
                by: "Jo Bloggs".into(),
                version: 2
            }
            .for_url(),
            AppError::Invalid(_)
        ));
    }
}

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
    #[error("Page not found.")]
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

impl AppError {
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

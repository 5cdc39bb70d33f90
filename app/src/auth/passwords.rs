//! Passwords: setting one from a one-time link (invitation or reset), asking for a reset
//! link, and changing one's own. Each ends every session of the person it changes.

use crate::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a set-password link is, as its page shows it before it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkCheck {
    Usable { name: String, invitation: bool },
    Expired,
    Used,
    Unknown,
}

/// How many reset links one account is sent in an hour: enough for a lost email, too
/// few to fill an inbox.
#[cfg(feature = "ssr")]
const RESETS_PER_HOUR: i64 = 3;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::domain::password_policy::NewPassword;
    use crate::server::password;
    use crate::{AppError, FieldError};

    /// The new password checked against the policy, then hashed off the async threads.
    pub async fn new_hash(raw: &str, email: &str, field: &str) -> Result<String, AppError> {
        let new = NewPassword::parse(raw, email, password::is_common_password)
            .map_err(|p| AppError::Invalid(vec![FieldError::new(field, p.to_string())]))?;
        tokio::task::spawn_blocking(move || password::hash_password(new.expose()))
            .await
            .map_err(crate::server::internal)?
            .map_err(crate::server::internal)
    }
}

#[server(endpoint = "check_link", output = crate::codec::Compact)]
pub async fn check_link(token: String) -> Result<LinkCheck, AppError> {
    use crate::domain::people::{link_state, LinkState};
    use crate::server::*;
    respond("check_link", async move {
        let store = store()?;
        let Some(link) = store
            .link(&password::token_hash(token.trim()))
            .await
            .map_err(failed("check link"))?
        else {
            return Ok(LinkCheck::Unknown);
        };
        if !link.active {
            return Ok(LinkCheck::Unknown);
        }
        Ok(
            match link_state(link.expires_at, link.used_at, chrono::Utc::now()) {
                LinkState::Usable => LinkCheck::Usable {
                    name: link.display_name,
                    invitation: link.purpose == "invitation",
                },
                LinkState::Expired => LinkCheck::Expired,
                LinkState::Used => LinkCheck::Used,
            },
        )
    })
    .await
}

/// Sets the password of the link's person, once. They then sign in with it.
#[server(endpoint = "set_password", output = crate::codec::Compact)]
pub async fn set_password(token: String, password: String) -> Result<(), AppError> {
    use crate::domain::people::{link_state, LinkState};
    use crate::server::*;
    use crate::FieldError;
    respond("set_password", async move {
        let store = store()?;
        let hash = password::token_hash(token.trim());
        let refused = |message: &str| AppError::Invalid(vec![FieldError::new("token", message)]);
        let link = store
            .link(&hash)
            .await
            .map_err(failed("set password"))?
            .filter(|l| l.active)
            .ok_or_else(|| refused("This link is not recognised. Check you copied all of it from the email, or ask for a new one"))?;
        let now = chrono::Utc::now();
        match link_state(link.expires_at, link.used_at, now) {
            LinkState::Usable => {}
            LinkState::Expired => return Err(refused("This link has expired. Ask for a new one")),
            LinkState::Used => return Err(refused("This link has already been used. Ask for a new one if you need to set your password again")),
        }
        let new_hash = ssr::new_hash(&password, &link.email, "password").await?;
        // The link is checked again inside the change, so two tabs cannot both use it.
        let person_id = store
            .set_password_from_link(&hash, &new_hash, now)
            .await
            .map_err(failed("set password"))?
            .ok_or_else(|| refused("This link has already been used. Ask for a new one if you need to set your password again"))?;
        store
            .log_access(Some(person_id), "password_set", None)
            .await
            .map_err(failed("set password"))?;
        tracing::info!(person_id, "password set from a one-time link");
        // Streams opened with the ended sessions close.
        announce(&[person_id]);
        clear_session_cookie();
        leptos_axum::redirect("/sign-in?done=password-set");
        Ok(())
    })
    .await
}

/// Sends a reset link to the address if it is an active account's. The answer is the
/// same either way, and comes before any email is sent, so it never tells who has one.
#[server(endpoint = "forgot_password", output = crate::codec::Compact)]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use crate::domain::people::LinkPurpose;
    use crate::domain::EmailAddress;
    use crate::server::*;
    use crate::FieldError;
    respond("forgot_password", async move {
        let email = EmailAddress::parse(&email)
            .map_err(|e| AppError::Invalid(vec![FieldError::new("email", e.to_string())]))?;
        let store = store()?;
        let site = use_context::<SiteSettings>().unwrap_or_default();
        let credentials = store
            .credentials(email.as_str())
            .await
            .map_err(failed("forgot password"))?;
        let now = chrono::Utc::now();
        match credentials {
            Some(c) if c.active => {
                let recent = store
                    .resets_since(c.person_id, now - chrono::Duration::hours(1))
                    .await
                    .map_err(failed("forgot password"))?;
                if recent >= RESETS_PER_HOUR {
                    tracing::info!(person_id = c.person_id, "reset link not sent: hourly limit");
                } else {
                    let person = store
                        .person_row(c.person_id)
                        .await
                        .map_err(failed("forgot password"))?
                        .ok_or_else(|| internal("person vanished"))?;
                    let message =
                        links::link_for(&store, &site, &person, LinkPurpose::Reset, None, now)
                            .await
                            .map_err(failed("forgot password"))?;
                    // Sent after the answer: how long a mail server takes must not
                    // tell anyone that the address has an account.
                    let mailer = site.mailer.clone();
                    tokio::spawn(async move {
                        let _ = links::send_link(&mailer, message).await;
                    });
                    tracing::info!(person_id = c.person_id, "reset link sent");
                }
            }
            _ => tracing::info!("reset asked for an address with no active account"),
        }
        leptos_axum::redirect("/forgot-password?sent=1");
        Ok(())
    })
    .await
}

/// Changes the signed-in person's password (their current one required). Every session
/// of theirs ends, this one too: they sign in again with the new one.
#[server(endpoint = "change_password", output = crate::codec::Compact)]
pub async fn change_password(current: String, password: String) -> Result<(), AppError> {
    use crate::server::*;
    use crate::FieldError;
    respond("change_password", async move {
        let (store, actor) = signed_in().await?;
        let person = store
            .person_row(actor.person_id)
            .await
            .map_err(failed("change password"))?
            .ok_or(AppError::SignInRequired)?;
        let stored = store
            .password_hash(actor.person_id)
            .await
            .map_err(failed("change password"))?;
        let matches = tokio::task::spawn_blocking(move || {
            password::verify_password(&current, stored.as_deref())
        })
        .await
        .map_err(failed("change password"))?;
        if !matches {
            return Err(AppError::Invalid(vec![FieldError::new(
                "current",
                "Your current password is not right",
            )]));
        }
        let new_hash = ssr::new_hash(&password, &person.email, "password").await?;
        store
            .change_password(actor.person_id, &new_hash, chrono::Utc::now())
            .await
            .map_err(failed("change password"))?;
        store
            .log_access(Some(actor.person_id), "password_changed", None)
            .await
            .map_err(failed("change password"))?;
        tracing::info!(person_id = actor.person_id, "password changed");
        announce(&[actor.person_id]);
        clear_session_cookie();
        leptos_axum::redirect("/sign-in?done=password-changed");
        Ok(())
    })
    .await
}

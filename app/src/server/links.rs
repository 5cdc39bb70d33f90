//! One-time links: made here, stored only as a hash, sent straight to the person (never
//! through the outbox, which keeps what it sends), or printed by the server's command line.

use super::mail::{Email, Mailer};
use super::password::{new_session_token, token_hash};
use crate::domain::people::{hours_in_words, LinkLifetimes, LinkPurpose};
use crate::store::{PersonRow, Store, StoreError};
use chrono::{DateTime, Utc};

/// Where a link's holder sets their password.
pub const SET_PASSWORD_PATH: &str = "/set-password";

/// A link made for someone: its address, and how long it lasts in words.
#[derive(Debug, Clone)]
pub struct IssuedLink {
    pub url: String,
    pub lasts: String,
}

/// Makes a link for `person_id` and stores its hash. Earlier unused links of the same
/// purpose stop working.
pub async fn issue_link(
    store: &Store,
    person_id: i64,
    purpose: LinkPurpose,
    by: Option<i64>,
    lifetimes: LinkLifetimes,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<IssuedLink, StoreError> {
    let token = new_session_token();
    let lifetime = lifetimes.of(purpose);
    store
        .create_link(
            person_id,
            purpose,
            &token_hash(&token),
            by,
            now,
            now + lifetime,
        )
        .await?;
    Ok(IssuedLink {
        url: format!(
            "{}{SET_PASSWORD_PATH}?token={token}",
            public_url.trim_end_matches('/')
        ),
        lasts: hours_in_words(lifetime),
    })
}

/// Makes a link for `person` and the email that carries it.
pub async fn link_for(
    store: &Store,
    site: &super::SiteSettings,
    person: &PersonRow,
    purpose: LinkPurpose,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Email, StoreError> {
    let link = issue_link(
        store,
        person.id,
        purpose,
        by,
        site.links,
        &site.public_url,
        now,
    )
    .await?;
    Ok(link_email(
        person.id,
        &person.email,
        &person.display_name,
        purpose,
        &link,
    ))
}

/// The email that carries a link.
pub fn link_email(
    person_id: i64,
    to: &str,
    name: &str,
    purpose: LinkPurpose,
    link: &IssuedLink,
) -> Email {
    let (subject, opening) = match purpose {
        LinkPurpose::Invitation => (
            "Set your password for Practice Audit",
            "You have been given an account on Practice Audit, the council's case audit service. Choose your password with this link:",
        ),
        LinkPurpose::Reset => (
            "Reset your Practice Audit password",
            "Someone asked to reset the password of your Practice Audit account. If it was you, choose a new password with this link:",
        ),
    };
    Email {
        message_id: format!("link-{}@practice-audit", new_session_token()),
        person_id,
        to: to.to_string(),
        subject: subject.into(),
        body: format!(
            "Dear {name},\n\n{opening}\n\n{}\n\nThe link works once, within {}. If you did not expect this email, you can ignore it: nothing changes until the link is used.\n",
            link.url, link.lasts
        ),
        one_time_link: Some(link.url.clone()),
    }
}

/// Sends a link's email now. A failure is logged and returned: the sender can make a new
/// link later (an unsent link expires unused).
pub async fn send_link(mailer: &Mailer, email: Email) -> Result<(), String> {
    let person_id = email.person_id;
    mailer.0.send(email).await.map_err(|error| {
        tracing::warn!(person_id, %error, "one-time link email not sent");
        error
    })
}

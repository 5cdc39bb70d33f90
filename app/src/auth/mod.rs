//! Sign-in, sign-out and who is signed in.

pub(crate) mod page;
pub(crate) mod password_pages;
mod passwords;
#[cfg(feature = "ssr")]
pub use crate::server::password;

pub use page::SignInPage;
pub use password_pages::{AccountPage, ForgotPasswordPage, SetPasswordPage};
pub use passwords::{
    change_password, check_link, forgot_password, set_password, ChangePassword, CheckLink,
    ForgotPassword, LinkCheck, SetPassword,
};

use crate::domain::RoleSet;
use crate::ui::FormAction;
use crate::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in person, as the pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub person_id: i64,
    pub display_name: String,
    pub roles: RoleSet,
    pub unread_alerts: i64,
    /// Where this page's live stream starts, so nothing after the page was made is missed.
    pub last_event_id: i64,
    /// Seconds until the session ends if nothing the person does renews it.
    pub session_left: i64,
}

/// Who is signed in, as the server draws a page: the header, and `SignedIn` around the pages.
/// Islands are given the person (`ui::enter_island`) rather than asking again.
#[derive(Clone)]
pub struct Auth {
    pub me: Result<Option<Me>, AppError>,
    pub sign_out: FormAction<SignOut>,
}

/// Who is signed in on a page request: found by the server before the page is drawn
/// (`server::visitor_from_headers`) and kept in the request's extensions.
#[derive(Clone, Debug)]
pub struct Visitor(pub Result<Option<Me>, AppError>);

#[cfg(feature = "hydrate")]
thread_local! {
    /// Who is signed in on this tab, for keys in the browser's storage.
    static BROWSER_PERSON: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
}

/// A key in the browser's local storage, for the signed-in person only: on a shared
/// machine, one person's kept typing is never offered to another.
#[cfg(feature = "hydrate")]
pub fn browser_key(what: &str) -> String {
    let person = BROWSER_PERSON.with(|p| p.get());
    format!("practice-audit:person-{person}:{what}")
}

/// Removes everything the app keeps in the browser's local storage (audit drafts). Called at
/// sign-out, and on the sign-in page for a sign-out that happened before the WebAssembly
/// loaded.
#[cfg(feature = "hydrate")]
pub fn forget_browser_drafts() {
    use gloo_storage::{LocalStorage, Storage};
    LocalStorage::clear();
}

/// Who is signed in, for a page about to be drawn, and the `Set-Cookie` that clears an
/// expired session's cookie. Found before the page is drawn (server/src/lib.rs's
/// `find_visitor`), so the page is drawn once, knowing who: its islands number their
/// resources as they are made.
#[cfg(feature = "ssr")]
pub async fn visitor(
    store: &crate::store::Store,
    site: &crate::server::SiteSettings,
    headers: &axum::http::HeaderMap,
) -> (Visitor, Option<String>) {
    let (found, clear) = match crate::server::page_session(store, site, headers).await {
        Ok(found) => found,
        Err(error) => return (Visitor(Err(error)), None),
    };
    let (Some(person), Some(ends_at)) = (found.person, found.ends_at) else {
        return (Visitor(Ok(None)), clear);
    };
    let me = signed_in_as(store, person, ends_at).await.map(Some);
    (Visitor(me), clear)
}

/// On the server: who is signed in, as found for this request. A request that did not pass
/// the server's look-up (there is none outside the server's router) is drawn signed out.
pub fn provide_auth() {
    #[cfg(feature = "ssr")]
    let me = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Visitor>().cloned())
        .map_or(Ok(None), |visitor| visitor.0);
    #[cfg(not(feature = "ssr"))]
    let me = Ok(None);
    provide_context(Auth {
        me,
        sign_out: FormAction::<SignOut>::new(),
    });
}

/// Whoever is signed in in this tab now owns the browser-storage keys (0 when nobody is).
#[cfg(feature = "hydrate")]
pub fn set_browser_person(person_id: i64) {
    BROWSER_PERSON.with(|p| p.set(person_id));
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// The signed-in person as the pages show them, from their session: for a page being drawn
/// (`visitor`) and for the header's count (`current_user`).
#[cfg(feature = "ssr")]
async fn signed_in_as(
    store: &crate::store::Store,
    person: crate::store::PersonSummary,
    ends_at: chrono::DateTime<chrono::Utc>,
) -> Result<Me, AppError> {
    let failed = crate::server::failed("who is signed in");
    Ok(Me {
        person_id: person.actor.person_id,
        unread_alerts: store
            .unread_alerts(person.actor.person_id)
            .await
            .map_err(&failed)?,
        last_event_id: store.last_event_id().await.map_err(&failed)?,
        display_name: person.display_name,
        roles: person.actor.roles,
        session_left: (ends_at - chrono::Utc::now()).num_seconds().max(0),
    })
}

#[server(endpoint = "current_user", output = crate::codec::Compact)]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    use crate::server::*;
    respond("current_user", async move {
        let store = store()?;
        let (Some(person), Some(ends_at)) = current_session(&store).await? else {
            return Ok(None);
        };
        signed_in_as(&store, person, ends_at).await.map(Some)
    })
    .await
}

#[server(endpoint = "sign_in", output = crate::codec::Compact)]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use crate::domain::throttle::Verdict;
    use crate::domain::EmailAddress;
    use crate::server::*;
    use crate::FieldError;
    respond("sign_in", async move {
        let mut errors = Vec::new();
        let email = EmailAddress::parse(&email)
            .map_err(|e| errors.push(FieldError::new("email", e.to_string())))
            .ok();
        if password.is_empty() {
            errors.push(FieldError::new("password", "Enter your password"));
        }
        let (Some(email), true) = (email, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };

        let store = store()?;
        let rules = use_context::<SiteSettings>().unwrap_or_default().sign_in;
        let address_rules = crate::domain::throttle::ThrottleRules {
            slow_after: rules.slow_after * 5,
            lock_after: rules.lock_after * 5,
            ..rules
        };
        let account = email.as_str().to_lowercase();
        let address = client_address();
        let now = chrono::Utc::now();
        let account_failures = store
            .sign_in_failures("account", &account)
            .await
            .map_err(failed("sign in"))?;
        let address_failures = store
            .sign_in_failures("address", &address)
            .await
            .map_err(failed("sign in"))?;
        // Throttled tries are refused before the password is checked, with the same message
        // whether or not the account exists.
        let until = [
            rules.verdict(account_failures.as_ref(), now),
            address_rules.verdict(address_failures.as_ref(), now),
        ]
        .into_iter()
        .filter_map(|v| match v {
            Verdict::Try => None,
            Verdict::Wait(until) | Verdict::Locked(until) => Some(until),
        })
        .max();
        if let Some(until) = until {
            store
                .log_access(None, "sign_in_throttled", None)
                .await
                .map_err(failed("sign in"))?;
            let seconds = (until - now).num_seconds().max(1);
            return Err(AppError::Invalid(vec![FieldError::new(
                "email",
                if seconds > 60 {
                    format!(
                        "Too many tries to sign in. Wait {} minutes and try again, or ask the Administrator.",
                        (seconds + 59) / 60
                    )
                } else {
                    format!("Too many tries to sign in. Wait {seconds} seconds and try again.")
                },
            )]));
        }
        let credentials = store
            .credentials(email.as_str())
            .await
            .map_err(failed("sign in"))?;
        let stored_hash = credentials.as_ref().map(|c| c.password_hash.clone());
        let Ok(permit) = password_checks().try_acquire() else {
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.insert_header(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from_static("1"),
                );
            }
            return Err(AppError::Busy);
        };
        let matches = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            password::verify_password(&password, stored_hash.as_deref())
        })
        .await
        .map_err(failed("sign in"))?;
        let person_id = match credentials {
            Some(c) if matches && c.active => c.person_id,
            other => {
                let person_id = other.map(|c| c.person_id);
                let account_now = rules.failed(account_failures.as_ref(), now);
                let address_now = address_rules.failed(address_failures.as_ref(), now);
                store
                    .record_sign_in_failure("account", &account, &account_now)
                    .await
                    .map_err(failed("sign in"))?;
                store
                    .record_sign_in_failure("address", &address, &address_now)
                    .await
                    .map_err(failed("sign in"))?;
                if account_now.locked_until.is_some() && account_failures.and_then(|f| f.locked_until).is_none() {
                    store
                        .log_access(person_id, "sign_in_locked", None)
                        .await
                        .map_err(failed("sign in"))?;
                    tracing::warn!(person_id, "sign-in locked after repeated failures");
                }
                store
                    .log_access(person_id, "sign_in_refused", None)
                    .await
                    .map_err(failed("sign in"))?;
                tracing::info!(person_id, "sign-in refused");
                // One message for every cause, so it never reveals which part was wrong.
                return Err(AppError::Invalid(vec![FieldError::new(
                    "email",
                    "The email address or password is not right. Check both and try again.",
                )]));
            }
        };

        let token = password::new_session_token();
        store
            .create_session(&password::token_hash(&token), person_id, chrono::Utc::now())
            .await
            .map_err(failed("sign in"))?;
        store
            .log_access(Some(person_id), "signed_in", None)
            .await
            .map_err(failed("sign in"))?;
        store
            .clear_sign_in_failures("account", &account)
            .await
            .map_err(failed("sign in"))?;
        tracing::info!(person_id, "signed in");
        set_session_cookie(&token);
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

/// The person is at the page (they clicked, typed or chose *Stay signed in*): renews the
/// session, and says how many seconds it now has.
#[server(endpoint = "stay_signed_in", output = crate::codec::Compact)]
pub async fn stay_signed_in() -> Result<i64, AppError> {
    use crate::server::*;
    respond("stay_signed_in", async move {
        let store = store()?;
        let token = current_session_token().ok_or(AppError::SignInRequired)?;
        let found = person_for_token(&store, session_rules(), &token, true).await?;
        match (found.person, found.ends_at) {
            (Some(_), Some(ends_at)) => Ok((ends_at - chrono::Utc::now()).num_seconds().max(0)),
            _ => {
                clear_session_cookie();
                Err(AppError::SignInRequired)
            }
        }
    })
    .await
}

/// How many seconds the session has left, without renewing it (the warning asks this,
/// since another tab may have renewed it).
#[server(endpoint = "session_left", output = crate::codec::Compact)]
pub async fn session_left() -> Result<i64, AppError> {
    use crate::server::*;
    respond("session_left", async move {
        let store = store()?;
        let token = current_session_token().ok_or(AppError::SignInRequired)?;
        let found = person_for_token(&store, session_rules(), &token, false).await?;
        match found.ends_at {
            Some(ends_at) if found.person.is_some() => {
                Ok((ends_at - chrono::Utc::now()).num_seconds().max(0))
            }
            _ => Err(AppError::SignInRequired),
        }
    })
    .await
}

/// Ends every session of the signed-in person, on every device; their open pages' streams
/// close within a second.
#[server(endpoint = "sign_out_everywhere", output = crate::codec::Compact)]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::server::*;
    respond("sign_out_everywhere", async move {
        let (store, actor) = signed_in().await?;
        let ended = store
            .delete_sessions_of(actor.person_id)
            .await
            .map_err(failed("sign out everywhere"))?;
        store
            .log_access(Some(actor.person_id), "signed_out_everywhere", None)
            .await
            .map_err(failed("sign out everywhere"))?;
        tracing::info!(person_id = actor.person_id, ended, "signed out everywhere");
        announce(&[actor.person_id]);
        clear_session_cookie();
        leptos_axum::redirect("/sign-in?done=signed-out-everywhere");
        Ok(())
    })
    .await
}

#[server(endpoint = "sign_out", output = crate::codec::Compact)]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::*;
    respond("sign_out", async move {
        let store = store()?;
        if let Some(hash) = current_session_hash() {
            let signed_out = store
                .session(&hash)
                .await
                .map_err(failed("sign out"))?
                .map(|s| s.person_id);
            if let Some(person_id) = signed_out {
                store
                    .log_access(Some(person_id), "signed_out", None)
                    .await
                    .map_err(failed("sign out"))?;
            }
            store
                .delete_session(&hash)
                .await
                .map_err(failed("sign out"))?;
            // Its open pages' streams close now, not at the next check.
            if let Some(person_id) = signed_out {
                announce(&[person_id]);
            }
        }
        clear_session_cookie();
        leptos_axum::redirect("/sign-in");
        Ok(())
    })
    .await
}

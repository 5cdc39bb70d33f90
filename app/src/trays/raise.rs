//! The one place alerts are raised. Every feature calls [`raise`] after its own transaction
//! has committed: the alerts are stored for the trays, then emailed through the configured
//! sender. Live trays (a later step) publish from here too.

use super::AlertKind;
use crate::server::internal;
use crate::store::{NewAlertRow, Store};
use crate::AppError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

/// An alert for one person. `body` and `link` must carry IDs only, never a child's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    pub person_id: i64,
    pub kind: AlertKind,
    pub case_id: Option<i64>,
    pub link: String,
    pub body: String,
}

/// An email as handed to the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub person_id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
}

pub type SendResult<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Sends email: SMTP when configured (see the server crate), else the server log.
pub trait SendEmail: Send + Sync {
    fn send(&self, email: Email) -> SendResult<'_>;
}

/// The sender the server was started with.
#[derive(Clone)]
pub struct Mailer(pub Arc<dyn SendEmail>);

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Mailer")
    }
}

impl Default for Mailer {
    fn default() -> Self {
        Mailer(Arc::new(LogSender))
    }
}

impl Mailer {
    /// A sender that keeps what it is given, for tests.
    pub fn memory() -> (Mailer, Arc<Mutex<Vec<Email>>>) {
        let sent = Arc::new(Mutex::new(Vec::new()));
        (Mailer(Arc::new(MemorySender(sent.clone()))), sent)
    }
}

/// The default: writes that an email would go, with IDs only (no addresses or bodies).
pub struct LogSender;

impl SendEmail for LogSender {
    fn send(&self, email: Email) -> SendResult<'_> {
        Box::pin(async move {
            tracing::info!(person_id = email.person_id, subject = %email.subject, "email (log sender)");
            Ok(())
        })
    }
}

struct MemorySender(Arc<Mutex<Vec<Email>>>);

impl SendEmail for MemorySender {
    fn send(&self, email: Email) -> SendResult<'_> {
        Box::pin(async move {
            self.0.lock().map_err(|e| e.to_string())?.push(email);
            Ok(())
        })
    }
}

/// Stores the alerts (all or none) and emails each person. Call after the change that
/// caused them has committed. The change stands whatever happens here, so a failure is
/// logged (with IDs) rather than turned into an error for a request that did succeed.
pub async fn raise(store: &Store, alerts: Vec<NewAlert>) {
    if alerts.is_empty() {
        return;
    }
    let people: Vec<i64> = alerts.iter().map(|a| a.person_id).collect();
    if let Err(error) = store_and_send(store, alerts).await {
        tracing::error!(?people, %error, "alerts not raised");
    }
}

async fn store_and_send(store: &Store, alerts: Vec<NewAlert>) -> Result<(), AppError> {
    let rows: Vec<NewAlertRow> = alerts
        .iter()
        .map(|a| NewAlertRow {
            person_id: a.person_id,
            kind: a.kind.code(),
            case_id: a.case_id,
            link: a.link.clone(),
            body: a.body.clone(),
        })
        .collect();
    let started = std::time::Instant::now();
    store
        .insert_alerts(&rows, chrono::Utc::now())
        .await
        .map_err(internal)?;
    let stored = started.elapsed();
    let site = leptos::prelude::use_context::<crate::server::SiteSettings>().unwrap_or_default();
    let ids: Vec<i64> = alerts.iter().map(|a| a.person_id).collect();
    site.events.0.published(&ids);
    let addresses = store.emails_of(&ids).await.map_err(internal)?;
    tracing::debug!(target: "app::timing", alerts = ids.len(), ?stored, total = ?started.elapsed(), "alerts raised");
    for alert in alerts {
        let Some(to) = addresses.get(&alert.person_id).cloned() else {
            continue;
        };
        let email = Email {
            person_id: alert.person_id,
            to,
            subject: alert.kind.subject().to_string(),
            body: format!(
                "{}\n\nOpen it in Practice Audit: {}{}\n",
                alert.body,
                site.public_url.trim_end_matches('/'),
                alert.link
            ),
        };
        let mailer = site.mailer.clone();
        // Sending can be slow (SMTP); the person's request does not wait for it.
        tokio::spawn(async move {
            let person_id = email.person_id;
            if let Err(error) = mailer.0.send(email).await {
                tracing::warn!(person_id, %error, "email not sent");
            }
        });
    }
    Ok(())
}

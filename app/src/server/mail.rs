//! Email: the sender the server was started with, and the task that delivers the outbox.
//! Changes never send email themselves: they write it to the outbox in their own
//! transaction (`store::Notices`), and [`deliver_due`] sends it after commit, with retries.

use crate::store::Store;
use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// An email as handed to the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// Stable for the life of the email: a sender that is given the same message twice
    /// (after a crash between sending and recording it) must deliver it once.
    pub message_id: String,
    pub person_id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// A one-time link (invitation or password reset) the email carries. The log sender
    /// prints it, so a developer without SMTP can follow it; nothing else logs it.
    pub one_time_link: Option<String>,
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
    /// A sender that keeps what it is given, once per message ID (as a relay that honours
    /// message IDs does), for tests.
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
            tracing::info!(person_id = email.person_id, message_id = %email.message_id, subject = %email.subject, "email (log sender)");
            if let Some(link) = &email.one_time_link {
                tracing::warn!(person_id = email.person_id, "no SMTP server is set (SMTP_HOST), so this one-time link is written here instead of emailed: {link}");
            }
            Ok(())
        })
    }
}

struct MemorySender(Arc<Mutex<Vec<Email>>>);

impl SendEmail for MemorySender {
    fn send(&self, email: Email) -> SendResult<'_> {
        Box::pin(async move {
            let mut sent = self.0.lock().map_err(|e| e.to_string())?;
            if !sent.iter().any(|e| e.message_id == email.message_id) {
                sent.push(email);
            }
            Ok(())
        })
    }
}

/// Wakes the outbox's sender as soon as a change that emails has committed.
#[derive(Debug, Clone, Default)]
pub struct OutboxWake(Arc<Notify>);

impl OutboxWake {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    pub async fn woken(&self) {
        self.0.notified().await
    }
}

/// How many emails one pass takes (and marks sent in one statement).
const BATCH: i64 = 200;

/// What one pass over the outbox did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub failed: usize,
    /// Emails to people no longer active: not sent, marked done.
    pub dropped: usize,
}

/// Sends every email that is due, once each: taken with a lease, sent with its stable
/// message ID, then marked sent; a failure is recorded with its reason and retried after a
/// back-off. Returns when nothing more is due.
pub async fn deliver_due(
    store: &Store,
    mailer: &Mailer,
    public_url: &str,
) -> Result<Delivery, crate::store::StoreError> {
    let mut done = Delivery::default();
    let mut seen = HashSet::new();
    loop {
        let due = store.take_due_emails(super::clock::now(), BATCH).await?;
        // An email retried within this pass (a zero back-off) is left to the next pass.
        let due: Vec<_> = due.into_iter().filter(|e| seen.insert(e.id)).collect();
        if due.is_empty() {
            return Ok(done);
        }
        let mut finished = Vec::with_capacity(due.len());
        for row in due {
            let Some(to) = row.to_address.clone() else {
                finished.push(row.id);
                done.dropped += 1;
                continue;
            };
            let email = Email {
                message_id: row.message_id.clone(),
                person_id: row.person_id,
                to,
                subject: row.subject.clone(),
                body: format!(
                    "{}\n\nOpen it in Practice Audit: {}{}\n",
                    row.body,
                    public_url.trim_end_matches('/'),
                    row.link.as_deref().unwrap_or("/")
                ),
                one_time_link: None,
            };
            match mailer.0.send(email).await {
                Ok(()) => {
                    finished.push(row.id);
                    done.sent += 1;
                }
                Err(error) => {
                    tracing::warn!(outbox_id = row.id, person_id = row.person_id, attempt = row.attempts + 1, %error, "email not sent; will retry");
                    store
                        .email_not_sent(row.id, &error, super::clock::now())
                        .await?;
                    done.failed += 1;
                }
            }
        }
        // Sent is recorded once per batch. A crash before this line sends the batch again
        // after its lease, with the same message IDs.
        store.emails_sent(&finished, super::clock::now()).await?;
    }
}

/// The server's sender: delivers after each change that emails, and every `every` for
/// retries and for anything left by a previous run (a crash after commit, before sending).
pub fn spawn_outbox_sender(
    store: Store,
    mailer: Mailer,
    public_url: String,
    wake: OutboxWake,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match deliver_due(&store, &mailer, &public_url).await {
                Ok(d) if d != Delivery::default() => {
                    tracing::debug!(
                        sent = d.sent,
                        failed = d.failed,
                        dropped = d.dropped,
                        "outbox delivered"
                    )
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "outbox not delivered; will try again"),
            }
            tokio::select! {
                _ = wake.woken() => {}
                _ = tokio::time::sleep(every) => {}
            }
        }
    })
}

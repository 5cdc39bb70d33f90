//! Email over SMTP (STARTTLS) with lettre, when `SMTP_HOST` is set.

use app::server::{Email, SendEmail, SendResult};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSender {
    /// `SMTP_HOST` (required), `SMTP_PORT` (default 587), `SMTP_USERNAME`, `SMTP_PASSWORD`,
    /// `SMTP_FROM` (default `Practice Audit <practice-audit@localhost>`).
    pub fn from_env() -> Result<Option<SmtpSender>, String> {
        let host = match std::env::var("SMTP_HOST") {
            Ok(h) if !h.is_empty() => h,
            _ => return Ok(None),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&host)
            .map_err(|e| format!("SMTP_HOST {host}: {e}"))?
            .timeout(Some(Duration::from_secs(20)));
        if let Ok(port) = std::env::var("SMTP_PORT") {
            builder = builder.port(
                port.parse()
                    .map_err(|_| format!("SMTP_PORT must be a number, not {port}"))?,
            );
        }
        if let (Ok(user), Ok(password)) = (
            std::env::var("SMTP_USERNAME"),
            std::env::var("SMTP_PASSWORD"),
        ) {
            builder = builder.credentials(Credentials::new(user, password));
        }
        let from = std::env::var("SMTP_FROM")
            .unwrap_or_else(|_| "Practice Audit <practice-audit@localhost>".into())
            .parse::<Mailbox>()
            .map_err(|e| format!("SMTP_FROM: {e}"))?;
        Ok(Some(SmtpSender {
            transport: builder.build(),
            from,
        }))
    }
}

impl SendEmail for SmtpSender {
    fn send(&self, email: Email) -> SendResult<'_> {
        Box::pin(async move {
            let to = email.to.parse::<Mailbox>().map_err(|e| e.to_string())?;
            // The outbox's stable ID, so a message sent twice (a crash between sending and
            // recording it) is the same message to the receiving servers.
            let message = Message::builder()
                .message_id(Some(format!("<{}>", email.message_id)))
                .from(self.from.clone())
                .to(to)
                .subject(email.subject)
                .header(ContentType::TEXT_PLAIN)
                .body(email.body)
                .map_err(|e| e.to_string())?;
            self.transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }
}

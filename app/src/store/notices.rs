//! What a change tells people, written in the change's own transaction: tray alerts, live
//! events and emails (to the outbox). Either the change and everyone it tells are stored,
//! or neither is.

use super::{Store, StoreError, StoreResult};
use crate::domain::alert::{email_retry_after, AlertKind, EMAIL_MOST_ATTEMPTS};
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use std::sync::atomic::Ordering;

/// An alert for one person. `body` and `link` carry IDs only, never a child's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    pub person_id: i64,
    pub kind: AlertKind,
    pub case_id: Option<i64>,
    pub link: String,
    pub body: String,
}

/// A live event for several people (a move of an audit, say), with its JSON data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEvent {
    pub people: Vec<i64>,
    pub kind: &'static str,
    pub data: String,
}

/// Everything one change tells: collected by the feature, written by the store with the
/// change, published after commit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "a change's notices must be written with it"]
pub struct Notices {
    pub alerts: Vec<NewAlert>,
    pub events: Vec<LiveEvent>,
}

impl Notices {
    pub fn new() -> Notices {
        Notices::default()
    }

    pub fn alert(&mut self, alert: NewAlert) -> &mut Self {
        self.alerts.push(alert);
        self
    }

    pub fn event(&mut self, people: Vec<i64>, kind: &'static str, data: String) -> &mut Self {
        if !people.is_empty() {
            self.events.push(LiveEvent { people, kind, data });
        }
        self
    }

    pub fn extend(&mut self, other: Notices) -> &mut Self {
        self.alerts.extend(other.alerts);
        self.events.extend(other.events);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty() && self.events.is_empty()
    }

    /// Everyone with something new once this is committed, sorted, once each.
    pub fn people(&self) -> Vec<i64> {
        let mut people: Vec<i64> = self
            .alerts
            .iter()
            .map(|a| a.person_id)
            .chain(self.events.iter().flat_map(|e| e.people.iter().copied()))
            .collect();
        people.sort_unstable();
        people.dedup();
        people
    }

    /// Whether anything here is emailed (so the sender should look now).
    pub fn emails(&self) -> bool {
        !self.alerts.is_empty()
    }
}

/// Where a test build can make the store fail, to prove a change rolls back with its
/// notices. Production code never sets one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Storing a change's alerts fails.
    Alerts,
    /// Storing a change's live events fails.
    Events,
}

impl Fault {
    fn code(self) -> u8 {
        match self {
            Fault::Alerts => 1,
            Fault::Events => 2,
        }
    }
}

/// An email waiting in the outbox, as the sender takes it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub message_id: String,
    pub person_id: i64,
    /// The person's address now; `None` if they have left (the email is then dropped).
    pub to_address: Option<String>,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
    pub attempts: i64,
}

/// An email the Administrator should know about: failed for good, or still being retried.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxProblemRow {
    pub id: i64,
    pub person_id: i64,
    pub person: String,
    pub subject: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub failed_at: Option<DateTime<Utc>>,
}

/// How long a sender holds an email it took before another may try it (a sender that died
/// mid-send lets go this way).
pub const OUTBOX_LEASE: chrono::Duration = chrono::Duration::minutes(5);

impl Store {
    /// Makes the next write of notices fail at `fault`, once. For tests only.
    #[doc(hidden)]
    pub fn inject_fault(&self, fault: Fault) {
        self.fault.store(fault.code(), Ordering::SeqCst);
    }

    fn take_fault(&self, fault: Fault) -> StoreResult<()> {
        if self
            .fault
            .compare_exchange(fault.code(), 0, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return Err(StoreError::Corrupt(format!(
                "fault injected while storing {fault:?}"
            )));
        }
        Ok(())
    }

    /// Stores notices that belong to no other change (a change that is only a telling).
    pub async fn tell(&self, notices: &Notices, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Takes up to `limit` emails that are due, holding each for [`OUTBOX_LEASE`] so no
    /// other sender (another server) tries them meanwhile: one guarded statement claims
    /// them, one reads them.
    pub async fn take_due_emails(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<OutboxRow>> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            // Two senders (two instances) never take the same email: on PostgreSQL the
            // second skips rows the first has locked, and each row's claim is checked again
            // as it is updated. (SQLite's single writer takes them one sender at a time.)
            let skip_taken = match side::DIALECT {
                super::Dialect::Sqlite => "",
                super::Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            };
            let claimed: Vec<i64> = sqlx::query_scalar(&format!(
                "UPDATE outbox SET claimed_until = $1 WHERE id IN (SELECT id FROM outbox \
                 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
                 AND (claimed_until IS NULL OR claimed_until <= $2) ORDER BY id LIMIT $3{skip_taken}) \
                 AND (claimed_until IS NULL OR claimed_until <= $2) RETURNING id",
            ))
            .bind(now + OUTBOX_LEASE)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            if claimed.is_empty() {
                return Ok(Vec::new());
            }
            let mut qb = QueryBuilder::<side::DB>::new(
                "SELECT o.id, o.message_id, o.person_id, \
             CASE WHEN p.active = TRUE THEN p.email END AS to_address, \
             o.subject, o.body, o.link, o.attempts \
             FROM outbox o JOIN people p ON p.id = o.person_id WHERE o.id IN (",
            );
            let mut ids = qb.separated(", ");
            for id in &claimed {
                ids.push_bind(*id);
            }
            qb.push(") ORDER BY o.id");
            let rows = qb
                .build_query_as()
                .persistent(false)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(rows)
        })
    }

    /// Marks taken emails done: sent, or dropped because their person has left.
    pub async fn emails_sent(&self, ids: &[i64], now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(self, |pool| {
            for chunk in ids.chunks(500) {
                let mut qb = QueryBuilder::<side::DB>::new(
                    "UPDATE outbox SET claimed_until = NULL, sent_at = ",
                );
                qb.push_bind(now).push(" WHERE id IN (");
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                qb.push(")");
                qb.build().persistent(false).execute(pool).await?;
            }
            Ok(())
        })
    }

    /// Records a failed try: it is tried again after the back-off, or marked failed.
    pub async fn email_not_sent(
        &self,
        id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(self, |pool| {
            let attempts: i64 = sqlx::query_scalar(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $1, claimed_until = NULL \
             WHERE id = $2 RETURNING attempts",
            )
            .bind(error)
            .bind(id)
            .fetch_one(pool)
            .await?;
            let attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
            match email_retry_after(attempts).filter(|_| attempts < EMAIL_MOST_ATTEMPTS) {
                Some(wait) => {
                    sqlx::query("UPDATE outbox SET next_attempt_at = $1 WHERE id = $2")
                        .bind(now + wait)
                        .bind(id)
                        .execute(pool)
                        .await?;
                }
                None => {
                    sqlx::query("UPDATE outbox SET failed_at = $1 WHERE id = $2")
                        .bind(now)
                        .bind(id)
                        .execute(pool)
                        .await?;
                }
            }
            Ok(())
        })
    }

    /// Emails that failed for good or are being retried, newest first.
    pub async fn outbox_problems(&self, limit: i64) -> StoreResult<Vec<OutboxProblemRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT o.id, o.person_id, p.display_name AS person, o.subject, o.attempts, o.last_error, \
             o.created_at, o.next_attempt_at, o.failed_at FROM outbox o JOIN people p ON p.id = o.person_id \
             WHERE o.sent_at IS NULL AND o.attempts > 0 ORDER BY o.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Emails not yet sent (waiting, being retried, or failed).
    pub async fn outbox_unsent(&self) -> StoreResult<i64> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    /// Puts a failed email back in the queue, to be tried now. `false` if it was not failed.
    pub async fn retry_email(&self, id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
        on_db!(self, |pool| {
            Ok(sqlx::query(
                "UPDATE outbox SET failed_at = NULL, attempts = 0, next_attempt_at = $1 \
             WHERE id = $2 AND failed_at IS NOT NULL AND sent_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
                == 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(person_id: i64) -> NewAlert {
        NewAlert {
            person_id,
            kind: AlertKind::AuditFiled,
            case_id: None,
            link: "/".into(),
            body: "b".into(),
        }
    }

    #[test]
    fn people_are_everyone_told_once_in_order() {
        let mut n = Notices::new();
        n.alert(alert(5)).alert(alert(2));
        n.event(vec![5, 9, 1], "audit", "{}".into());
        n.event(vec![], "audit", "{}".into());
        assert_eq!(n.people(), vec![1, 2, 5, 9]);
        assert_eq!(n.events.len(), 1, "an event for nobody is not kept");
        assert!(n.emails());
        assert!(Notices::new().is_empty());
        assert!(!Notices::new().emails());
    }
}

both_sides! {
/// Writes a change's alerts (each with its live event and its email) and its other live
/// events, inside the change's transaction. Multi-row statements: one change can tell a
/// thousand people, and a statement per row would hold the write lock for long.
pub(crate) async fn write_notices(
    store: &Store,
    tx: &mut Tx<'_>,
    notices: &Notices,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    if !notices.alerts.is_empty() {
        store.take_fault(Fault::Alerts)?;
    }
    for chunk in notices.alerts.chunks(500) {
        let mut qb = QueryBuilder::<DB>::new(
            "INSERT INTO alerts (person_id, kind, case_id, link, body, created_at) ",
        );
        qb.push_values(chunk, |mut row, a| {
            row.push_bind(a.person_id)
                .push_bind(a.kind.code())
                .push_bind(a.case_id)
                .push_bind(&a.link)
                .push_bind(&a.body)
                .push_bind(now);
        });
        // Each returned row carries what its event and email need, whatever the order.
        qb.push(" RETURNING id, person_id, kind, link, body");
        let stored: Vec<(i64, i64, String, Option<String>, String)> = qb
            .build_query_as()
            .persistent(false)
            .fetch_all(&mut **tx)
            .await?;
        side::events_in_commit_order(tx).await?;
        let mut qb = QueryBuilder::<DB>::new(
            "INSERT INTO events (person_id, kind, data, created_at) ",
        );
        qb.push_values(&stored, |mut row, (id, person_id, kind, link, body)| {
            let data =
                serde_json::json!({ "id": id, "kind": kind, "link": link, "body": body });
            row.push_bind(*person_id)
                .push_bind("alert")
                .push_bind(data.to_string())
                .push_bind(now);
        });
        qb.build().persistent(false).execute(&mut **tx).await?;
        let mut qb = QueryBuilder::<DB>::new(
            "INSERT INTO outbox (message_id, person_id, subject, body, link, created_at, next_attempt_at) ",
        );
        qb.push_values(&stored, |mut row, (id, person_id, kind, link, _)| {
            let kind = AlertKind::parse(kind);
            let subject = kind.map(AlertKind::subject).unwrap_or("Practice Audit");
            // Mailboxes are not need-to-know: an email says what kind of alert it is and
            // links to it, never a Child Unique ID or a name (the tray has the detail).
            let body = format!(
                "You have a new alert in Practice Audit: {}.",
                kind.map(AlertKind::label).unwrap_or("an alert")
            );
            // The alert's ID makes the message ID: the same email is the same message,
            // however often a sender has to try it.
            row.push_bind(format!("alert-{id}@practice-audit"))
                .push_bind(*person_id)
                .push_bind(subject)
                .push_bind(body)
                .push_bind(link.clone())
                .push_bind(now)
                .push_bind(now);
        });
        qb.build().persistent(false).execute(&mut **tx).await?;
    }
    if !notices.events.is_empty() {
        store.take_fault(Fault::Events)?;
    }
    let rows: Vec<(i64, &str, &str)> = notices
        .events
        .iter()
        .flat_map(|e| e.people.iter().map(move |p| (*p, e.kind, e.data.as_str())))
        .collect();
    for chunk in rows.chunks(500) {
        side::events_in_commit_order(tx).await?;
        let mut qb = QueryBuilder::<DB>::new(
            "INSERT INTO events (person_id, kind, data, created_at) ",
        );
        qb.push_values(chunk, |mut row, (person_id, kind, data)| {
            row.push_bind(*person_id)
                .push_bind(*kind)
                .push_bind(*data)
                .push_bind(now);
        });
        qb.build().persistent(false).execute(&mut **tx).await?;
    }
    side::notify_people(tx, &notices.people()).await?;
    Ok(())
}
}

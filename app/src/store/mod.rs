//! All SQL lives here, over SQLite or PostgreSQL: one `Store` whose methods run the same
//! query text on either (see `on_db!` and `both_sides!` below), numbered parameters,
//! timestamps bound as typed values.

/// Runs a method's body against whichever database the store opened: the body is compiled
/// once per backend, with `pool` that backend's pool and `side` its module (its `DB`, `Tx`,
/// `begin_write` and the transaction helpers written with [`both_sides`]). The SQL text is
/// shared; where the dialects differ, the body asks `side::DIALECT`.
macro_rules! on_db {
    ($store:expr, |$pool:ident| $body:block) => {
        match &$store.db {
            $crate::store::Db::Sqlite($pool) => {
                #[allow(unused_imports)]
                use $crate::store::sqlite as side;
                $body
            }
            $crate::store::Db::Postgres($pool) => {
                #[allow(unused_imports)]
                use $crate::store::postgres as side;
                $body
            }
        }
    };
}

/// For tests and benchmarks that read what the app stored: `$body` runs with `$pool` the
/// store's pool, whichever database it opened (the body is compiled for each).
#[macro_export]
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match $store.db() {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}

/// Helpers that take a transaction or a query builder, written once and compiled once per
/// backend (`sqlite_side` and `postgres_side` in the module that uses it; reached from a
/// method's body as `side::name`).
macro_rules! both_sides {
    ($($item:item)*) => {
        pub(crate) mod sqlite_side {
            #![allow(unused_imports, clippy::all)]
            use super::*;
            use $crate::store::sqlite as side;
            use side::{Tx, DB};
            $($item)*
        }
        pub(crate) mod postgres_side {
            #![allow(unused_imports, clippy::all)]
            use super::*;
            use $crate::store::postgres as side;
            use side::{Tx, DB};
            $($item)*
        }
    };
}

mod action_reviews;
mod audits;
mod demo_seed;
mod difference;
mod directory;
mod imports;
mod learning;
mod moderation;
mod notices;
mod people;
mod retention;
mod rounds;
mod scale_seed;
mod session_cache;
mod team_changes;
mod throttle;
mod trail;

pub use action_reviews::{ActionReviewRow, ActionUpdateRow, ReviewActionRow, ReviewOverviewRow};
pub use audits::{
    ActionFactRow, AuditFactRow, AuditKey, AuditRow, Completion, DiscussionHeldRow,
    DiscussionTimeRow, FeedbackRow, MoveRow,
};
pub use difference::{InterviewTimeRow, NewSummary, SummaryRow};
pub use directory::{LeadPractitioner, TeamDirectoryRow, TeamUpdate};
pub use imports::{Handover, ImportRow, NewWorker};
pub use learning::{
    DomainGradeRow, InviteeRow, LearningSessionRow, NewsletterRow, ReportAuditRow,
    ReportCommentRow, ReportRoundRow, ReportRow, ReportVersionRow, SessionFeedbackRow, Tag,
    ThemeRoundRow, ThemeRow,
};
pub use moderation::{
    AskedRow, CompletedAuditRow, GoodAuditRow, GradeCode, GradePairRow, ModeratedShareRow,
    ModerationDrawRow, ModerationRoundRow, OutcomeRow, SampleDraw, SampleRow, ViewRow,
};
pub use notices::{Fault, LiveEvent, NewAlert, Notices, OutboxProblemRow, OutboxRow, OUTBOX_LEASE};
pub use people::{
    LinkRow, NewPerson, OpenWork, PeopleQuery, PeopleStatus, PersonHistoryRow, PersonRow,
    SaveRefused, StaffImportRow,
};
pub use rounds::{
    AuditorRow, ClosureDayRow, DrawRow, DrawToRecord, PoolFilter, RoundCaseRef, RoundCaseRow,
    RoundRow, SelectionContact,
};
pub use scale_seed::{ScaleSpec, Scaled};
pub use session_cache::SessionWithPerson;
pub use team_changes::{Decided, TeamChangeRow};
pub use throttle::LockoutRow;
pub use trail::{TrailEntry, TrailRow};

use crate::domain::{Actor, AnnexList, CaseAllocation, Role, RoleSet};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::QueryBuilder;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    /// A stored code the domain does not know (a state, a status) is corrupt data, said so.
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::ColumnDecode { index, source } => {
                StoreError::Corrupt(format!("column {index}: {source}"))
            }
            other => StoreError::Database(other),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
    /// A fault a test asked for (see [`Store::inject_fault`]); 0 when none.
    fault: std::sync::Arc<std::sync::atomic::AtomicU8>,
    /// Sessions and their people looked up recently (see `session_cache`).
    sessions: std::sync::Arc<session_cache::SessionCache>,
}

/// The database the store opened: SQLite (the embedded default) or PostgreSQL, chosen by
/// `DATABASE_URL`'s scheme.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// The PostgreSQL channels every instance listens on (see [`Store::follow_notices`]): the
/// people a committed change has new events for, and "sessions or people changed".
pub const EVENTS_CHANNEL: &str = "practice_audit_events";
pub const SESSIONS_CHANNEL: &str = "practice_audit_sessions";
/// NOTIFY carries under 8,000 bytes; a longer list is sent as "everyone" (`*`).
const NOTIFY_MOST: usize = 7_900;

/// What another instance's change told this one (PostgreSQL only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SharedNotice {
    /// These people have new live events.
    People(Vec<i64>),
    /// Anyone may have: too many to list, or notices were missed while the listener's
    /// connection was down.
    Everyone,
}

/// A notice's payload: the sorted person IDs, or `*` when they would not fit.
pub fn notice_payload(people: &[i64]) -> String {
    let mut ids = people.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let text = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    if text.len() > NOTIFY_MOST {
        "*".to_string()
    } else {
        text
    }
}

/// A payload read back; anything unreadable is taken as "everyone" (a look too many, never
/// one too few).
pub fn parse_notice(payload: &str) -> SharedNotice {
    let ids: Option<Vec<i64>> = payload
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect();
    match ids {
        Some(ids) if payload != "*" => SharedNotice::People(ids),
        _ => SharedNotice::Everyone,
    }
}

/// The PostgreSQL advisory lock that orders live events by commit (see
/// `events_in_commit_order`); any fixed number the app uses for nothing else.
pub const EVENTS_LOCK: i64 = 0x5041_4556; // "PAEV"
/// The lock under which an empty database gets its first people (the demo council, or the
/// first Administrator): two instances starting together cannot both find it empty.
pub const SETUP_LOCK: i64 = 0x5041_5355; // "PASU"
/// The hourly archive sweep's lock: one instance sweeps at a time.
pub const ARCHIVE_LOCK: i64 = 0x5041_4152; // "PAAR"
/// The lock that numbers audit form versions one at a time.
pub const TEMPLATE_LOCK: i64 = 0x5041_5456; // "PATV"

/// Which SQL dialect a body is compiled for, where the text must differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// The SQLite side: its types, and a write transaction that takes the write lock at once.
pub(crate) mod sqlite {
    pub(crate) use super::audits::sqlite_side::*;
    pub(crate) use super::difference::sqlite_side::*;
    pub(crate) use super::directory::sqlite_side::*;
    pub(crate) use super::imports::sqlite_side::*;
    pub(crate) use super::learning::sqlite_side::*;
    pub(crate) use super::moderation::sqlite_side::*;
    pub(crate) use super::notices::sqlite_side::*;
    pub(crate) use super::people::sqlite_side::*;
    pub(crate) use super::rounds::sqlite_side::*;
    pub(crate) use super::sqlite_side::*;
    pub(crate) use super::team_changes::sqlite_side::*;
    use super::StoreResult;

    pub type DB = sqlx::Sqlite;
    /// A transaction a change and its notices share.
    pub type Tx<'a> = sqlx::Transaction<'a, DB>;
    pub const DIALECT: super::Dialect = super::Dialect::Sqlite;

    /// A transaction that will write. SQLite's `BEGIN IMMEDIATE` takes the write lock at
    /// the start, so one that reads before it writes waits (up to the busy timeout) for
    /// another writer, such as the outbox's sender, instead of failing with a stale snapshot.
    pub async fn begin_write(pool: &sqlx::Pool<DB>) -> StoreResult<Tx<'static>> {
        Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

/// The PostgreSQL side. A write transaction begins plainly: row locks and unique keys do
/// what SQLite's single writer does.
pub(crate) mod postgres {
    pub(crate) use super::audits::postgres_side::*;
    pub(crate) use super::difference::postgres_side::*;
    pub(crate) use super::directory::postgres_side::*;
    pub(crate) use super::imports::postgres_side::*;
    pub(crate) use super::learning::postgres_side::*;
    pub(crate) use super::moderation::postgres_side::*;
    pub(crate) use super::notices::postgres_side::*;
    pub(crate) use super::people::postgres_side::*;
    pub(crate) use super::postgres_side::*;
    pub(crate) use super::rounds::postgres_side::*;
    pub(crate) use super::team_changes::postgres_side::*;
    use super::StoreResult;

    pub type DB = sqlx::Postgres;
    pub type Tx<'a> = sqlx::Transaction<'a, DB>;
    pub const DIALECT: super::Dialect = super::Dialect::Postgres;

    pub async fn begin_write(pool: &sqlx::Pool<DB>) -> StoreResult<Tx<'static>> {
        Ok(pool.begin().await?)
    }
}

/// Creates a new database file readable by the server's user only (0600), in a directory
/// made the same way (0700); SQLite gives its WAL and shared-memory files the database's
/// mode. An existing file or directory is left as the operator set it.
fn create_private(path: &std::path::Path) -> StoreResult<()> {
    if path.as_os_str().is_empty() || path.to_str() == Some(":memory:") || path.exists() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let io = |e: std::io::Error| StoreError::Database(sqlx::Error::Io(e));
        if let Some(dir) = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.exists())
        {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(io)?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(io)?;
    }
    Ok(())
}

/// A sign-in session as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub person_id: i64,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub person_id: i64,
    pub password_hash: String,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct PersonSummary {
    pub actor: Actor,
    pub display_name: String,
}

/// Which cases a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseQuery {
    pub team_id: Option<i64>,
    pub list: Option<AnnexList>,
    /// Only cases with no lead practitioner (never drawn until one is set).
    pub without_lead_practitioner: bool,
    pub limit: i64,
    pub offset: i64,
}

/// A case as lists and records show it. Names are staff names, never the child's.
#[derive(Debug, Clone)]
pub struct CaseListing {
    pub id: i64,
    pub child_unique_id: String,
    pub subject: String,
    /// `None` while the case's team and lead practitioner are unknown (never drawn).
    pub team_id: Option<i64>,
    pub team: Option<String>,
    pub key_worker: Option<String>,
    pub team_manager: Option<String>,
    pub service_manager: Option<String>,
    pub iro: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub allocation: CaseAllocation,
    pub lists: Vec<AnnexList>,
}

#[derive(sqlx::FromRow)]
struct CaseRowRaw {
    id: i64,
    child_unique_id: String,
    subject: String,
    team_id: Option<i64>,
    team: Option<String>,
    key_worker_id: Option<i64>,
    key_worker: Option<String>,
    team_manager_id: Option<i64>,
    team_manager: Option<String>,
    service_manager_id: Option<i64>,
    service_manager: Option<String>,
    iro_id: Option<i64>,
    iro: Option<String>,
    closed_on: Option<NaiveDate>,
    auditor_id: Option<i64>,
}

impl CaseRowRaw {
    fn into_listing(self, lists: Vec<AnnexList>) -> CaseListing {
        CaseListing {
            id: self.id,
            child_unique_id: self.child_unique_id,
            subject: self.subject,
            team_id: self.team_id,
            team: self.team,
            key_worker: self.key_worker,
            team_manager: self.team_manager,
            service_manager: self.service_manager,
            iro: self.iro,
            closed_on: self.closed_on,
            allocation: CaseAllocation {
                key_worker_id: self.key_worker_id,
                team_manager_id: self.team_manager_id,
                service_manager_id: self.service_manager_id,
                iro_id: self.iro_id,
                auditor_id: self.auditor_id,
            },
            lists,
        }
    }
}

const CASE_COLUMNS: &str = "SELECT c.id, c.child_unique_id, c.subject, c.team_id, t.name AS team, \
     c.key_worker_id, kw.display_name AS key_worker, \
     t.team_manager_id, tm.display_name AS team_manager, \
     t.service_manager_id, sm.display_name AS service_manager, \
     c.iro_id, iro.display_name AS iro, c.closed_on, \
     (SELECT rc.auditor_id FROM round_cases rc JOIN rounds r ON r.id = rc.round_id \
      WHERE rc.case_id = c.id AND rc.withdrawn_at IS NULL AND r.status = 'confirmed' \
      ORDER BY rc.id DESC LIMIT 1) AS auditor_id \
     FROM cases c \
     LEFT JOIN teams t ON t.id = c.team_id \
     LEFT JOIN people kw ON kw.id = c.key_worker_id \
     LEFT JOIN people tm ON tm.id = t.team_manager_id \
     LEFT JOIN people sm ON sm.id = t.service_manager_id \
     LEFT JOIN people iro ON iro.id = c.iro_id ";

/// Counts of open cases for one team (`None`: cases whose team is not known yet), per
/// Annex A list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolCount {
    pub team_id: Option<i64>,
    pub team: Option<String>,
    pub list: AnnexList,
    pub cases: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlertRow {
    pub id: i64,
    pub kind: String,
    pub case_id: Option<i64>,
    pub body: String,
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
}

/// A live event for one person.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    pub data: String,
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `url`.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(16)
                .connect(url)
                .await?;
            sqlx::migrate!("../migrations/postgres").run(&pool).await?;
            Db::Postgres(pool)
        } else {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            create_private(options.get_filename())?;
            // Migrations run on their own connection with foreign keys off, as SQLite's
            // way of rebuilding a table needs (the pragma is ignored inside the
            // transaction each migration runs in); the keys are checked after.
            {
                use sqlx::Connection;
                let mut conn =
                    sqlx::SqliteConnection::connect_with(&options.clone().foreign_keys(false))
                        .await?;
                // Checked only when a migration ran: the check reads every foreign key,
                // which on a large council's database no ordinary start need pay for.
                async fn applied(conn: &mut sqlx::SqliteConnection) -> StoreResult<i64> {
                    // A new database has no table of migrations yet, and SQLite names
                    // tables as it prepares, so ask whether it exists first.
                    let exists: bool = sqlx::query_scalar(
                        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = '_sqlx_migrations')",
                    )
                    .fetch_one(&mut *conn)
                    .await?;
                    if !exists {
                        return Ok(0);
                    }
                    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
                        .fetch_one(&mut *conn)
                        .await?)
                }
                let before = applied(&mut conn).await?;
                sqlx::migrate!("../migrations/sqlite")
                    .run(&mut conn)
                    .await?;
                let after = applied(&mut conn).await?;
                if after != before {
                    let broken: Vec<(String, Option<i64>, String)> = sqlx::query_as(
                        "SELECT \"table\", rowid, parent FROM pragma_foreign_key_check",
                    )
                    .fetch_all(&mut conn)
                    .await?;
                    if let Some((table, row, parent)) = broken.first() {
                        return Err(StoreError::Corrupt(format!(
                            "after migrating, {} rows break foreign keys; the first: {table} row {row:?} to {parent}",
                            broken.len()
                        )));
                    }
                }
                conn.close().await?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Db::Sqlite(pool)
        };
        Ok(Store {
            db,
            fault: Default::default(),
            sessions: Default::default(),
        })
    }

    /// Closes every connection (the benchmark hands the database to a server process).
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }

    /// Follows the notices every instance's changes send (PostgreSQL's `LISTEN`), calling
    /// `heard` with those about live events; a notice that sessions or people changed makes
    /// this instance forget what it remembers of them. After the listener's connection is
    /// lost and back, `heard` gets [`SharedNotice::Everyone`]: notices may have been missed.
    /// Returns at once on SQLite (one instance: nothing to hear), else runs for as long as
    /// the server does.
    pub async fn follow_notices(
        &self,
        mut heard: impl FnMut(SharedNotice) + Send,
    ) -> StoreResult<()> {
        let Db::Postgres(pool) = &self.db else {
            return Ok(());
        };
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
        listener
            .listen_all([EVENTS_CHANNEL, SESSIONS_CHANNEL])
            .await?;
        loop {
            match listener.try_recv().await {
                Ok(Some(notice)) if notice.channel() == SESSIONS_CHANNEL => {
                    self.sessions.forget_all()
                }
                Ok(Some(notice)) => heard(parse_notice(notice.payload())),
                // The connection was lost; the next call connects again.
                Ok(None) => {
                    self.sessions.forget_all();
                    heard(SharedNotice::Everyone);
                }
                Err(error) => {
                    tracing::warn!(%error, "live notices from other instances not heard; trying again");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    self.sessions.forget_all();
                    heard(SharedNotice::Everyone);
                }
            }
        }
    }

    /// Which database this store opened.
    pub fn dialect(&self) -> Dialect {
        match self.db {
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The pools, for tests and benchmarks that read what the app stored.
    pub fn db(&self) -> &Db {
        &self.db
    }

    pub async fn has_people(&self) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people")
                .fetch_one(pool)
                .await?;
            Ok(count > 0)
        })
    }

    // ---- people and sessions ----

    pub async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT id AS person_id, password_hash, active FROM people WHERE email = $1",
            )
            .bind(email)
            .fetch_optional(pool)
            .await?)
        })
    }

    pub async fn person(&self, person_id: i64) -> StoreResult<Option<PersonSummary>> {
        on_db!(self, |pool| {
            let row: Option<(String, bool)> =
                sqlx::query_as("SELECT display_name, active FROM people WHERE id = $1")
                    .bind(person_id)
                    .fetch_optional(pool)
                    .await?;
            let Some((display_name, true)) = row else {
                return Ok(None);
            };
            let codes: Vec<String> =
                sqlx::query_scalar("SELECT role FROM person_roles WHERE person_id = $1")
                    .bind(person_id)
                    .fetch_all(pool)
                    .await?;
            let roles = codes
                .iter()
                .map(|c| {
                    Role::from_code(c)
                        .ok_or_else(|| StoreError::Corrupt(format!("unknown role {c}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some(PersonSummary {
                actor: Actor {
                    person_id,
                    roles: RoleSet::new(roles),
                },
                display_name,
            }))
        })
    }

    /// The active person's roles; `None` if they are unknown or no longer active.
    pub async fn actor(&self, person_id: i64) -> StoreResult<Option<Actor>> {
        Ok(self.person(person_id).await?.map(|p| p.actor))
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        person_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(self, |pool| {
            sqlx::query(
            "INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
        )
        .bind(token_hash)
        .bind(person_id)
        .bind(now)
        .execute(pool)
        .await?;
            Ok(())
        })
    }

    pub async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT person_id, created_at, last_seen_at FROM sessions WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// A session and its person, from memory when looked up lately (see `session_cache`).
    /// The session's times may be up to [`session_cache::SessionCache::MAX_AGE`] old when
    /// another instance renewed it: confirm with [`Store::session`] before ending it.
    pub async fn session_with_person(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<SessionWithPerson>> {
        if let Some(found) = self.sessions.get(token_hash) {
            return Ok(Some(found));
        }
        let began = self.sessions.version();
        let Some(row) = self.session(token_hash).await? else {
            return Ok(None);
        };
        let found = (row.clone(), self.person(row.person_id).await?);
        self.sessions.put(token_hash, began, &found);
        Ok(Some(found))
    }

    pub async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(self, |pool| {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(pool)
                .await?;
            self.sessions.touched(token_hash, now);
            Ok(())
        })
    }

    pub async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        on_db!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(pool)
                .await?;
            side::sessions_changed(self, pool).await;
            Ok(())
        })
    }

    /// Ends every session of this person (*Sign out everywhere*); how many there were.
    pub async fn delete_sessions_of(&self, person_id: i64) -> StoreResult<u64> {
        on_db!(self, |pool| {
            let ended = sqlx::query("DELETE FROM sessions WHERE person_id = $1")
                .bind(person_id)
                .execute(pool)
                .await?
                .rows_affected();
            side::sessions_changed(self, pool).await;
            Ok(ended)
        })
    }

    /// Moves a session's clock; lets tests check expiry without waiting.
    pub async fn backdate_session(
        &self,
        token_hash: &str,
        created_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(self, |pool| {
            sqlx::query(
                "UPDATE sessions SET created_at = $1, last_seen_at = $2 WHERE token_hash = $3",
            )
            .bind(created_at)
            .bind(last_seen_at)
            .bind(token_hash)
            .execute(pool)
            .await?;
            side::sessions_changed(self, pool).await;
            Ok(())
        })
    }

    pub async fn person_id_by_email(&self, email: &str) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar("SELECT id FROM people WHERE email = $1")
                .bind(email)
                .fetch_optional(pool)
                .await?)
        })
    }

    // ---- access log ----

    pub async fn log_access(
        &self,
        person_id: Option<i64>,
        action: &str,
        case_id: Option<i64>,
    ) -> StoreResult<()> {
        let records: Vec<crate::domain::trail::Record> = case_id
            .map(crate::domain::trail::Record::Case)
            .into_iter()
            .collect();
        self.append_trail(&TrailEntry {
            person_id,
            action,
            outcome: if action.ends_with("_refused") || action.ends_with("_locked") {
                crate::domain::trail::Outcome::Refused
            } else {
                crate::domain::trail::Outcome::Done
            },
            records: &records,
            request_id: None,
            at: Utc::now(),
        })
        .await
    }

    /// How many rows the log holds for this person, action, outcome and record (for tests
    /// and the search page's summary).
    pub async fn access_log_count(
        &self,
        person_id: i64,
        action: &str,
        outcome: crate::domain::trail::Outcome,
        record: Option<crate::domain::trail::Record>,
    ) -> StoreResult<i64> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(*) FROM access_log WHERE person_id = $1 AND action = $2 \
             AND outcome = $3 AND ((record_kind = $4 AND record_id = $5) \
             OR ($4 IS NULL AND record_kind IS NULL))",
            )
            .bind(person_id)
            .bind(action)
            .bind(outcome.code())
            .bind(record.map(|r| r.kind()))
            .bind(record.map(|r| r.id()))
            .fetch_one(pool)
            .await?)
        })
    }

    // ---- cases ----

    /// One page of the open cases the actor may see, and how many there are in all.
    pub async fn cases(
        &self,
        actor: &Actor,
        query: &CaseQuery,
    ) -> StoreResult<(Vec<CaseListing>, i64)> {
        on_db!(self, |pool| {
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM cases c LEFT JOIN teams t ON t.id = c.team_id",
            );
            side::push_case_scope(&mut count, actor, query);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;

            let mut select = QueryBuilder::new(CASE_COLUMNS);
            side::push_case_scope(&mut select, actor, query);
            select
                // Cases without a team last, the same on both backends.
                .push(" ORDER BY CASE WHEN t.name IS NULL THEN 1 ELSE 0 END, t.name, c.child_unique_id LIMIT ")
                .push_bind(query.limit)
                .push(" OFFSET ")
                .push_bind(query.offset);
            let raws: Vec<CaseRowRaw> = select.build_query_as().fetch_all(pool).await?;
            let mut lists = self
                .lists_of(&raws.iter().map(|r| r.id).collect::<Vec<_>>())
                .await?;
            let listings = raws
                .into_iter()
                .map(|r| {
                    let l = lists.remove(&r.id).unwrap_or_default();
                    r.into_listing(l)
                })
                .collect();
            Ok((listings, total))
        })
    }

    pub async fn case(&self, case_id: i64) -> StoreResult<Option<CaseListing>> {
        on_db!(self, |pool| {
            let raw: Option<CaseRowRaw> =
                sqlx::query_as(&format!("{CASE_COLUMNS} WHERE c.id = $1"))
                    .bind(case_id)
                    .fetch_optional(pool)
                    .await?;
            let Some(raw) = raw else { return Ok(None) };
            let lists = self
                .lists_of(&[raw.id])
                .await?
                .remove(&raw.id)
                .unwrap_or_default();
            Ok(Some(raw.into_listing(lists)))
        })
    }

    async fn lists_of(
        &self,
        case_ids: &[i64],
    ) -> StoreResult<std::collections::HashMap<i64, Vec<AnnexList>>> {
        on_db!(self, |pool| {
            let mut out: std::collections::HashMap<i64, Vec<AnnexList>> = Default::default();
            if case_ids.is_empty() {
                return Ok(out);
            }
            let mut qb = QueryBuilder::<side::DB>::new(
                "SELECT case_id, annex_list FROM case_lists WHERE case_id IN (",
            );
            let mut ids = qb.separated(", ");
            for id in case_ids {
                ids.push_bind(*id);
            }
            qb.push(") ORDER BY case_id, annex_list");
            let rows: Vec<(i64, i64)> = qb.build_query_as().fetch_all(pool).await?;
            for (case_id, number) in rows {
                let list = AnnexList::from_number(number)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown Annex A list {number}")))?;
                out.entry(case_id).or_default().push(list);
            }
            Ok(out)
        })
    }

    /// Teams holding at least one open case the actor may see.
    pub async fn teams_in_view(&self, actor: &Actor) -> StoreResult<Vec<(i64, String)>> {
        on_db!(self, |pool| {
            let all = CaseQuery::default();
            let mut qb = QueryBuilder::new(
                "SELECT DISTINCT t.id, t.name FROM cases c JOIN teams t ON t.id = c.team_id",
            );
            side::push_case_scope(&mut qb, actor, &all);
            qb.push(" ORDER BY t.name");
            Ok(qb.build_query_as().fetch_all(pool).await?)
        })
    }

    pub async fn teams(&self) -> StoreResult<Vec<(i64, String)>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as("SELECT id, name FROM teams ORDER BY name")
                .fetch_all(pool)
                .await?)
        })
    }

    /// Open cases per team and Annex A list: the pool a draw will take from.
    pub async fn pool_counts(&self) -> StoreResult<Vec<PoolCount>> {
        on_db!(self, |pool| {
            // Cases without a team come last, the same on both backends.
            let rows: Vec<(Option<i64>, Option<String>, i64, i64)> = sqlx::query_as(
                "SELECT t.id, t.name, l.annex_list, COUNT(*) FROM cases c \
             LEFT JOIN teams t ON t.id = c.team_id JOIN case_lists l ON l.case_id = c.id \
             WHERE c.closed_on IS NULL GROUP BY t.id, t.name, l.annex_list \
             ORDER BY CASE WHEN t.name IS NULL THEN 1 ELSE 0 END, t.name, l.annex_list",
            )
            .fetch_all(pool)
            .await?;
            rows.into_iter()
                .map(|(team_id, team, number, cases)| {
                    let list = AnnexList::from_number(number).ok_or_else(|| {
                        StoreError::Corrupt(format!("unknown Annex A list {number}"))
                    })?;
                    Ok(PoolCount {
                        team_id,
                        team,
                        list,
                        cases,
                    })
                })
                .collect()
        })
    }

    pub async fn open_case_count(&self) -> StoreResult<i64> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE closed_on IS NULL")
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    // ---- tray ----

    /// The person's alerts, newest first: those not archived (`show` "current"), unread
    /// and not archived ("unread"), or archived ("archived"); optionally of one kind. Also
    /// how many match in all.
    pub async fn tray(
        &self,
        person_id: i64,
        kind: Option<&str>,
        show: &str,
        limit: i64,
    ) -> StoreResult<(Vec<AlertRow>, i64)> {
        on_db!(self, |pool| {
            let filter = |qb: &mut QueryBuilder<'_, side::DB>| {
                qb.push(match show {
                    "archived" => " FROM alerts_archive WHERE person_id = ",
                    _ => " FROM alerts WHERE person_id = ",
                });
                qb.push_bind(person_id);
                if show == "unread" {
                    qb.push(" AND read_at IS NULL");
                }
                if let Some(kind) = kind {
                    qb.push(" AND kind = ");
                    qb.push_bind(kind.to_string());
                }
            };
            let mut qb = QueryBuilder::<side::DB>::new(if show == "archived" {
                "SELECT alert_id AS id, kind, case_id, body, link, created_at, read_at, archived_at"
            } else {
                "SELECT id, kind, case_id, body, link, created_at, read_at, archived_at"
            });
            filter(&mut qb);
            qb.push(" ORDER BY id DESC LIMIT ");
            qb.push_bind(limit);
            let rows = qb.build_query_as().fetch_all(pool).await?;
            let mut qb = QueryBuilder::<side::DB>::new("SELECT COUNT(*)");
            filter(&mut qb);
            let matching = qb.build_query_scalar().fetch_one(pool).await?;
            Ok((rows, matching))
        })
    }

    /// Archives every alert raised before `before`: moves it to `alerts_archive`, never
    /// deleting it, and tells each owner's open views. Returns how many were archived and
    /// whose.
    pub async fn archive_alerts(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<(u64, Vec<i64>)> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            // Another instance sweeping now does this same work.
            if !side::try_one_writer(&mut tx, ARCHIVE_LOCK).await? {
                return Ok((0, Vec::new()));
            }
            let people: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT person_id FROM alerts WHERE archived_at IS NULL AND created_at < $1",
        )
        .bind(before)
        .fetch_all(&mut *tx)
        .await?;
            // An alert is archived once (a unique key on `alert_id`): a second sweep at the same
            // time, on another instance, finds them there and adds nothing.
            let archived = sqlx::query(
            "INSERT INTO alerts_archive (alert_id, person_id, kind, case_id, body, link, created_at, read_at, archived_at) \
             SELECT id, person_id, kind, case_id, body, link, created_at, read_at, $1 FROM alerts \
             WHERE archived_at IS NULL AND created_at < $2 ORDER BY id \
             ON CONFLICT (alert_id) DO NOTHING",
        )
        .bind(now)
        .bind(before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            let removed =
                sqlx::query("DELETE FROM alerts WHERE archived_at IS NULL AND created_at < $1")
                    .bind(before)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            // Both in one transaction, so nothing can be lost between them; every alert removed
            // is in the archive, by this sweep or one beside it.
            debug_assert!(archived <= removed);
            for person in &people {
                side::insert_event(&mut tx, *person, "alerts_archived", "{}", now).await?;
            }
            tx.commit().await?;
            Ok((archived, people))
        })
    }

    pub async fn unread_alerts(&self, person_id: i64) -> StoreResult<i64> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM alerts WHERE person_id = $1 AND read_at IS NULL AND archived_at IS NULL",
        )
        .bind(person_id)
        .fetch_one(pool)
        .await?)
        })
    }
}

impl Store {
    /// Stores an alert for one person's tray. Callers go through the one alert-raising function.
    pub async fn insert_alert(
        &self,
        person_id: i64,
        kind: &str,
        case_id: Option<i64>,
        body: &str,
    ) -> StoreResult<i64> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
            "INSERT INTO alerts (person_id, kind, case_id, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(person_id)
        .bind(kind)
        .bind(case_id)
        .bind(body)
        .bind(Utc::now())
        .fetch_one(pool)
        .await?)
        })
    }

    /// Marks one of the person's own alerts read (telling their other views). `false` if it
    /// is not theirs.
    pub async fn mark_alert_read(
        &self,
        person_id: i64,
        alert_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let found = sqlx::query(
            "UPDATE alerts SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND person_id = $3",
        )
        .bind(now)
        .bind(alert_id)
        .bind(person_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            if found != 1 {
                return Ok(false);
            }
            side::insert_event(
                &mut tx,
                person_id,
                "alert_read",
                &serde_json::json!({ "id": alert_id }).to_string(),
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// These people's events after `after`, oldest first, with whose each is: one read
    /// for every stream a notice wakes.
    pub async fn events_of(
        &self,
        people: &[i64],
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, EventRow)>> {
        on_db!(self, |pool| {
            if people.is_empty() {
                return Ok(Vec::new());
            }
            let mut qb = QueryBuilder::<side::DB>::new(
                "SELECT id, person_id, kind, data FROM events WHERE id > ",
            );
            qb.push_bind(after);
            qb.push(" AND person_id IN (");
            let mut ids = qb.separated(", ");
            for p in people {
                ids.push_bind(*p);
            }
            qb.push(") ORDER BY id LIMIT ");
            qb.push_bind(limit);
            let rows: Vec<(i64, i64, String, String)> = qb
                .build_query_as()
                .persistent(false)
                .fetch_all(pool)
                .await?;
            Ok(rows
                .into_iter()
                .map(|(id, person, kind, data)| (person, EventRow { id, kind, data }))
                .collect())
        })
    }

    /// Which of these sessions are still live at `now` under `rules`, and held by an active
    /// person: one query however many streams are open.
    pub async fn live_sessions(
        &self,
        token_hashes: &[String],
        rules: crate::domain::session::SessionRules,
        now: DateTime<Utc>,
    ) -> StoreResult<std::collections::HashSet<String>> {
        on_db!(self, |pool| {
            if token_hashes.is_empty() {
                return Ok(Default::default());
            }
            let mut qb = QueryBuilder::<side::DB>::new(
                "SELECT s.token_hash, s.created_at, s.last_seen_at FROM sessions s \
             JOIN people p ON p.id = s.person_id WHERE p.active = TRUE AND s.token_hash IN (",
            );
            let mut hashes = qb.separated(", ");
            for h in token_hashes {
                hashes.push_bind(h.clone());
            }
            qb.push(")");
            // A list of any length is a new statement each time: not kept in the connection's
            // statement cache, which the once-a-second check of a thousand streams (one more
            // placeholder per new stream) would fill with large statements.
            let rows: Vec<(String, DateTime<Utc>, DateTime<Utc>)> = qb
                .build_query_as()
                .persistent(false)
                .fetch_all(pool)
                .await?;
            Ok(rows
                .into_iter()
                .filter(|(_, created, seen)| now < rules.ends_at(*created, *seen))
                .map(|(hash, _, _)| hash)
                .collect())
        })
    }

    /// The newest event ID, where a fresh page's stream starts.
    pub async fn last_event_id(&self) -> StoreResult<i64> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM events")
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    /// Email addresses of active people, by person ID.
    pub async fn emails_of(
        &self,
        person_ids: &[i64],
    ) -> StoreResult<std::collections::HashMap<i64, String>> {
        on_db!(self, |pool| {
            if person_ids.is_empty() {
                return Ok(Default::default());
            }
            let mut qb = QueryBuilder::<side::DB>::new(
                "SELECT id, email FROM people WHERE active = TRUE AND id IN (",
            );
            let mut ids = qb.separated(", ");
            for id in person_ids {
                ids.push_bind(*id);
            }
            qb.push(")");
            let rows: Vec<(i64, String)> = qb
                .build_query_as()
                .persistent(false)
                .fetch_all(pool)
                .await?;
            Ok(rows.into_iter().collect())
        })
    }
}

both_sides! {
/// Limits a case query to what the actor holds, unless they see every case.
pub(crate) fn push_case_scope<'a>(qb: &mut QueryBuilder<'a, DB>, actor: &Actor, query: &'a CaseQuery) {
    qb.push(" WHERE c.closed_on IS NULL");
    if !actor.roles.sees_every_case() {
        let ties = [
            (Role::KeyWorker, "c.key_worker_id"),
            (Role::TeamManager, "t.team_manager_id"),
            (Role::ServiceManager, "t.service_manager_id"),
            (Role::IroCpChair, "c.iro_id"),
        ];
        qb.push(" AND (1 = 0");
        for (role, column) in ties {
            if actor.roles.has(role) {
                qb.push(format!(" OR {column} = "))
                    .push_bind(actor.person_id);
            }
        }
        if actor.roles.has(Role::Auditor) {
            qb.push(
                " OR EXISTS (SELECT 1 FROM round_cases rc JOIN rounds r ON r.id = rc.round_id \
                 WHERE rc.case_id = c.id AND rc.withdrawn_at IS NULL \
                 AND r.status = 'confirmed' AND rc.auditor_id = ",
            )
            .push_bind(actor.person_id)
            .push(")");
        }
        qb.push(")");
    }
    if let Some(team_id) = query.team_id {
        qb.push(" AND c.team_id = ").push_bind(team_id);
    }
    if query.without_lead_practitioner {
        qb.push(" AND c.key_worker_id IS NULL");
    }
    if let Some(list) = query.list {
        qb.push(" AND EXISTS (SELECT 1 FROM case_lists l WHERE l.case_id = c.id AND l.annex_list = ")
            .push_bind(i64::from(list.number()))
            .push(")");
    }
}

/// Live events must become visible in the order of their IDs: a stream that has read up to
/// event 10 asks for what follows 10, and an event 9 committed later would never reach
/// it. SQLite has one writer at a time, so this is so already. On PostgreSQL a writer of
/// events takes a transaction-scoped lock before its first event and keeps it to its
/// commit, so IDs are given in commit order.
pub(crate) async fn events_in_commit_order(tx: &mut Tx<'_>) -> StoreResult<()> {
    one_writer(tx, super::EVENTS_LOCK).await
}

/// Takes PostgreSQL's advisory lock `lock` for the transaction if no other transaction
/// holds it: `false` when one does (a job another instance is running now). Always `true`
/// on SQLite, where writers queue instead.
pub(crate) async fn try_one_writer(tx: &mut Tx<'_>, lock: i64) -> StoreResult<bool> {
    if side::DIALECT == super::Dialect::Postgres {
        return Ok(sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(lock)
            .fetch_one(&mut **tx)
            .await?);
    }
    Ok(true)
}

/// Waits for, and holds to the transaction's end, PostgreSQL's advisory lock `lock`:
/// writers that must not interleave (numbering, ordering) take the same one. SQLite's
/// single writer needs none.
pub(crate) async fn one_writer(tx: &mut Tx<'_>, lock: i64) -> StoreResult<()> {
    if side::DIALECT == super::Dialect::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(lock)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Tells every instance, when this transaction commits, that these people have new events
/// (PostgreSQL's `NOTIFY` is delivered at commit, and not at all on a rollback). SQLite has
/// one instance: the change's own notices are all there is.
pub(crate) async fn notify_people(tx: &mut Tx<'_>, people: &[i64]) -> StoreResult<()> {
    if side::DIALECT == super::Dialect::Postgres && !people.is_empty() {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(super::EVENTS_CHANNEL)
            .bind(super::notice_payload(people))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// After a committed change to sessions or people: this instance forgets what it
/// remembers of them at once, and (on PostgreSQL) so does every other.
pub(crate) async fn sessions_changed(store: &Store, pool: &sqlx::Pool<DB>) {
    store.sessions.forget_all();
    if side::DIALECT == super::Dialect::Postgres {
        if let Err(error) = sqlx::query("SELECT pg_notify($1, '')")
            .bind(super::SESSIONS_CHANNEL)
            .execute(pool)
            .await
        {
            // The others still forget within the cache's 30 seconds.
            tracing::warn!(%error, "other instances not told of a session change");
        }
    }
}

pub(crate) async fn insert_event(
    tx: &mut Tx<'_>,
    person_id: i64,
    kind: &str,
    data: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    events_in_commit_order(tx).await?;
    notify_people(tx, &[person_id]).await?;
    sqlx::query(
        "INSERT INTO events (person_id, kind, data, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(person_id)
    .bind(kind)
    .bind(data)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
}

#[cfg(test)]
mod notice_tests {
    use super::*;

    #[test]
    fn a_notice_lists_each_person_once_in_order_or_everyone_when_too_long() {
        assert_eq!(notice_payload(&[5, 3, 5, 1]), "1,3,5");
        assert_eq!(parse_notice("1,3,5"), SharedNotice::People(vec![1, 3, 5]));
        assert_eq!(parse_notice(""), SharedNotice::People(vec![]));
        let many: Vec<i64> = (1_000_000..1_002_000).collect();
        assert_eq!(notice_payload(&many), "*");
        assert_eq!(parse_notice("*"), SharedNotice::Everyone);
        // Unreadable is read as everyone: a look too many, never one too few.
        assert_eq!(parse_notice("1,x"), SharedNotice::Everyone);
    }
}

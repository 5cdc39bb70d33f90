//! Sessions looked up recently, with their person, so a signed-in request (a dashboard
//! refreshed all day, a tray's background fetch) costs no database read. Every store write
//! that ends a session or changes a person (sign-out, deactivation, roles, password) forgets
//! the whole cache after its commit; a lookup that started before such a write never stores
//! what it read (the version moved on). Entries also age out, which bounds what another
//! instance's change could leave here until notices are shared between instances.

use super::{PersonSummary, SessionRow};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub(crate) struct SessionCache(Mutex<Inner>);

#[derive(Debug, Default)]
struct Inner {
    /// Moves on every forget; a lookup stores its answer only under the version it began.
    version: u64,
    entries: HashMap<String, Cached>,
}

#[derive(Debug, Clone)]
struct Cached {
    row: SessionRow,
    person: Option<PersonSummary>,
    at: Instant,
}

/// A stored session and its person (`None` once the person is no longer active).
pub type SessionWithPerson = (SessionRow, Option<PersonSummary>);

impl SessionCache {
    pub const MAX_AGE: Duration = Duration::from_secs(30);
    /// Sessions kept before the cache starts again: more than a council has staff signed in.
    const MOST: usize = 20_000;

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, token_hash: &str) -> Option<SessionWithPerson> {
        let inner = self.inner();
        let cached = inner.entries.get(token_hash)?;
        (cached.at.elapsed() < Self::MAX_AGE).then(|| (cached.row.clone(), cached.person.clone()))
    }

    pub fn version(&self) -> u64 {
        self.inner().version
    }

    /// Keeps a lookup that began at `version`, unless something was forgotten since.
    pub fn put(&self, token_hash: &str, version: u64, found: &SessionWithPerson) {
        let mut inner = self.inner();
        if inner.version != version {
            return;
        }
        if inner.entries.len() >= Self::MOST {
            inner.entries.clear();
        }
        inner.entries.insert(
            token_hash.to_string(),
            Cached {
                row: found.0.clone(),
                person: found.1.clone(),
                at: Instant::now(),
            },
        );
    }

    /// The session was renewed: later lookups see its new time.
    pub fn touched(&self, token_hash: &str, now: chrono::DateTime<chrono::Utc>) {
        if let Some(cached) = self.inner().entries.get_mut(token_hash) {
            cached.row.last_seen_at = now;
        }
    }

    /// Call after the commit of any write to sessions, people or their roles.
    pub fn forget_all(&self) {
        let mut inner = self.inner();
        inner.version += 1;
        inner.entries.clear();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner().entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Actor, Role, RoleSet};
    use chrono::Utc;

    fn found(person_id: i64) -> SessionWithPerson {
        let now = Utc::now();
        (
            SessionRow {
                person_id,
                created_at: now,
                last_seen_at: now,
            },
            Some(PersonSummary {
                actor: Actor {
                    person_id,
                    roles: RoleSet::new(vec![Role::KeyWorker]),
                },
                display_name: "A Worker".into(),
            }),
        )
    }

    #[test]
    fn keeps_and_forgets() {
        let cache = SessionCache::default();
        assert!(cache.get("a").is_none());
        cache.put("a", cache.version(), &found(1));
        assert_eq!(cache.get("a").unwrap().0.person_id, 1);
        cache.forget_all();
        assert!(cache.get("a").is_none());
    }

    #[test]
    fn a_lookup_that_began_before_a_forget_is_not_kept() {
        let cache = SessionCache::default();
        let began = cache.version();
        // A sign-out commits while the lookup reads the database.
        cache.forget_all();
        cache.put("a", began, &found(1));
        assert!(cache.get("a").is_none());
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn a_renewal_moves_the_cached_time() {
        let cache = SessionCache::default();
        cache.put("a", cache.version(), &found(1));
        let later = Utc::now() + chrono::Duration::minutes(5);
        cache.touched("a", later);
        assert_eq!(cache.get("a").unwrap().0.last_seen_at, later);
        cache.touched("unknown", later);
        assert!(cache.get("unknown").is_none());
    }

    #[test]
    fn a_full_cache_starts_again() {
        let cache = SessionCache::default();
        for n in 0..SessionCache::MOST {
            cache.put(&n.to_string(), 0, &found(1));
        }
        assert_eq!(cache.len(), SessionCache::MOST);
        cache.put("one more", 0, &found(2));
        assert_eq!(cache.len(), 1);
    }
}

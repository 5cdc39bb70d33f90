//! The in-process event bus: after a change commits, the people it told are announced here,
//! and each server's dispatcher (`live`) serves their open streams from the database.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::broadcast;

/// The publish side. On PostgreSQL every instance also hears the others' changes: the store
/// sends a `NOTIFY` with each change's events, and each instance's listener
/// (`Store::follow_notices`) publishes what it hears here.
pub trait Publish: Send + Sync {
    /// These people have new events in the database.
    fn published(&self, person_ids: &[i64]);
    /// Anyone may have new events: every stream looks (after this server lost touch with
    /// the other instances' notices for a while, or a change too large to list).
    fn published_to_everyone(&self);
    /// Notices arrive as sorted batches: one change for a thousand people is one
    /// message for each stream to look itself up in, not a thousand.
    fn subscribe(&self) -> broadcast::Receiver<Notice>;
}

/// Whom one change concerns.
#[derive(Debug, Clone)]
pub enum Notice {
    /// These people, sorted.
    People(Arc<[i64]>),
    Everyone,
}

/// One server's notices, in memory.
pub struct LocalBus(broadcast::Sender<Notice>);

impl Publish for LocalBus {
    fn published(&self, person_ids: &[i64]) {
        let mut ids = person_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        // No listener is not an error: nobody has a tab open.
        let _ = self.0.send(Notice::People(ids.into()));
    }

    fn published_to_everyone(&self) {
        let _ = self.0.send(Notice::Everyone);
    }

    fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.0.subscribe()
    }
}

/// The bus, and a counter the dispatcher moves on every notice before it serves any
/// stream: a cached view (the dashboard's panels) read before a change never outlives
/// the notice of that change.
#[derive(Clone)]
pub struct EventBus(pub Arc<dyn Publish>, pub Arc<AtomicU64>);

impl EventBus {
    pub fn generation(&self) -> u64 {
        self.1.load(Ordering::SeqCst)
    }

    /// After a change commits on this server: cached views are out of date from now, not
    /// only once the dispatcher hears the notice (a request straight after the change, by
    /// the same person, must see it), then the people it told are announced.
    pub fn announce(&self, person_ids: &[i64]) {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.published(person_ids);
    }
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus(
            Arc::new(LocalBus(broadcast::channel(1024).0)),
            Arc::new(AtomicU64::new(0)),
        )
    }
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventBus")
    }
}

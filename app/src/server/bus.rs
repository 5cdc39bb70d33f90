//! The in-process event bus: after a change commits, the people it told are announced here,
//! and each server's dispatcher (`live`) serves their open streams from the database.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::broadcast;

/// The publish side, kept small so a later version can carry notices between several
/// server instances (for example PostgreSQL's LISTEN / NOTIFY).
pub trait Publish: Send + Sync {
    /// These people have new events in the database.
    fn published(&self, person_ids: &[i64]);
    /// Notices arrive as sorted batches: one change for a thousand people is one
    /// message for each stream to look itself up in, not a thousand.
    fn subscribe(&self) -> broadcast::Receiver<Notice>;
}

/// The people one change concerns, sorted.
pub type Notice = Arc<[i64]>;

/// One server's notices, in memory.
pub struct LocalBus(broadcast::Sender<Notice>);

impl Publish for LocalBus {
    fn published(&self, person_ids: &[i64]) {
        let mut ids = person_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        // No listener is not an error: nobody has a tab open.
        let _ = self.0.send(ids.into());
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

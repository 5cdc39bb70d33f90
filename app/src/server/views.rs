//! Views counted recently (the dashboard's panels), each served only while no live notice
//! has come since it was counted, so a change someone is told of is always counted afresh;
//! and for at most [`ViewCache::FRESH`], for the few changes that tell nobody (a draw).

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Entry = (u64, Instant, Arc<dyn Any + Send + Sync>);

#[derive(Debug, Clone, Default)]
pub struct ViewCache(
    Arc<Mutex<HashMap<String, Entry>>>,
    Arc<tokio::sync::Mutex<()>>,
);

impl ViewCache {
    pub const FRESH: Duration = Duration::from_secs(10);
    /// Entries kept before the cache starts again.
    const MOST: usize = 512;

    /// Held while counting, so a burst of misses counts once.
    pub async fn counting(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.1.lock().await
    }

    /// The view counted for `key` at `generation` (the event bus's), if still fresh.
    /// Shared, not copied: the kept dashboard is read on every request a dashboard makes.
    pub fn get<T: Send + Sync + 'static>(&self, key: &str, generation: u64) -> Option<Arc<T>> {
        let entries = self.0.lock().ok()?;
        let (g, at, value) = entries.get(key)?;
        if *g != generation || at.elapsed() >= Self::FRESH {
            return None;
        }
        value.clone().downcast::<T>().ok()
    }

    /// After a change that tells nobody but moves what views count (an Annex A upload
    /// applied changes the pool): every view is counted afresh.
    pub fn forget_all(&self) {
        if let Ok(mut entries) = self.0.lock() {
            entries.clear();
        }
    }

    pub fn put<T: Send + Sync + 'static>(&self, key: String, generation: u64, value: T) {
        if let Ok(mut entries) = self.0.lock() {
            if entries.len() >= Self::MOST {
                entries.clear();
            }
            entries.insert(key, (generation, Instant::now(), Arc::new(value)));
        }
    }
}

//! The live event stream: one server-sent-events connection per tab. Events are stored per
//! recipient in the same transaction as the change (so need-to-know is decided once, on
//! the server), and the publish side only says "person N has something new"; each
//! connection then reads that person's events from the database. Reconnecting with
//! `Last-Event-ID` replays what was missed, even across a server restart.

use serde::{Deserialize, Serialize};

/// The connection's state, shown discreetly in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiveState {
    Connecting,
    Live,
    Reconnecting,
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::store::Store;
    use axum::extract::{Query, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::sse::{Event, KeepAlive, Sse};
    use axum::response::{IntoResponse, Response};
    use std::collections::{HashMap, VecDeque};
    use std::convert::Infallible;
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

    #[derive(Clone)]
    pub struct EventBus(pub Arc<dyn Publish>);

    impl Default for EventBus {
        fn default() -> Self {
            EventBus(Arc::new(LocalBus(broadcast::channel(1024).0)))
        }
    }

    impl std::fmt::Debug for EventBus {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("EventBus")
        }
    }

    /// What the stream handler needs.
    #[derive(Clone)]
    pub struct LiveContext {
        pub store: Store,
        pub bus: EventBus,
    }

    struct Cursor {
        store: Store,
        session: String,
        rx: broadcast::Receiver<Notice>,
        person_id: i64,
        last: i64,
        queue: VecDeque<crate::store::EventRow>,
    }

    /// `GET /events`: the signed-in person's events after `Last-Event-ID` (or `?after=`).
    pub async fn stream(
        State(live): State<LiveContext>,
        Query(query): Query<HashMap<String, String>>,
        headers: HeaderMap,
    ) -> Response {
        let (Ok(Some(person)), Some(session)) = (
            crate::server::person_from_headers(&live.store, &headers).await,
            crate::server::session_hash_from_headers(&headers),
        ) else {
            return StatusCode::UNAUTHORIZED.into_response();
        };
        let resume = headers
            .get("last-event-id")
            .and_then(|v| v.to_str().ok())
            .or(query.get("after").map(String::as_str))
            .and_then(|v| v.trim().parse::<i64>().ok());
        let last = match resume {
            Some(id) => id,
            None => live.store.last_event_id().await.unwrap_or(0),
        };
        // Subscribe before the first read, so nothing published in between is missed.
        let cursor = Cursor {
            rx: live.bus.0.subscribe(),
            store: live.store,
            session,
            person_id: person.actor.person_id,
            last,
            queue: VecDeque::new(),
        };
        let events = futures::stream::unfold(cursor, |mut c| async move {
            loop {
                if let Some(e) = c.queue.pop_front() {
                    c.last = e.id;
                    let event = Event::default()
                        .id(e.id.to_string())
                        .event(e.kind)
                        .data(e.data);
                    return Some((Ok::<_, Infallible>(event), c));
                }
                match c
                    .store
                    .session_events_after(&c.session, c.person_id, c.last, 200)
                    .await
                {
                    // Signed out (or the session was removed) since: the stream ends.
                    Ok(None) => return None,
                    Ok(Some(rows)) if !rows.is_empty() => {
                        c.queue.extend(rows);
                        continue;
                    }
                    Ok(Some(_)) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "event stream read failed");
                        return None;
                    }
                }
                loop {
                    match c.rx.recv().await {
                        Ok(ids) if ids.binary_search(&c.person_id).is_ok() => break,
                        Ok(_) => continue,
                        // Missed notices: read the database anyway.
                        Err(broadcast::error::RecvError::Lagged(_)) => break,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            }
        });
        Sse::new(events)
            .keep_alive(KeepAlive::default())
            .into_response()
    }
}

/// Opens the tab's one event stream. The browser reconnects by itself, sending
/// `Last-Event-ID`; each event moves `live`, and `state` follows the connection.
#[cfg(feature = "hydrate")]
pub fn connect(
    after: i64,
    live: leptos::prelude::RwSignal<u64>,
    state: leptos::prelude::RwSignal<LiveState>,
) {
    use futures::StreamExt;
    use gloo_net::eventsource::{futures::EventSource, State};
    use leptos::prelude::*;
    use std::rc::Rc;
    let Ok(mut source) = EventSource::new(&format!("/events?after={after}")) else {
        state.set(LiveState::Reconnecting);
        return;
    };
    let (Ok(alerts), Ok(reads), Ok(audits), Ok(archived)) = (
        source.subscribe("alert"),
        source.subscribe("alert_read"),
        source.subscribe("audit"),
        source.subscribe("alerts_archived"),
    ) else {
        return;
    };
    let source = Rc::new(source);
    let watched = source.clone();
    let _ = set_interval_with_handle(
        move || {
            state.set(match watched.state() {
                State::Open => LiveState::Live,
                State::Connecting => LiveState::Reconnecting,
                State::Closed => LiveState::Reconnecting,
            })
        },
        std::time::Duration::from_millis(1_000),
    );
    leptos::task::spawn_local(async move {
        let _keep = source;
        let mut events = futures::stream::select(
            futures::stream::select(alerts, archived),
            futures::stream::select(reads, audits),
        );
        while let Some(event) = events.next().await {
            match event {
                Ok(_) => {
                    state.set(LiveState::Live);
                    live.update(|n| *n += 1);
                }
                Err(_) => state.set(LiveState::Reconnecting),
            }
        }
    });
}

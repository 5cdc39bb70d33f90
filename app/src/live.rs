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
    use crate::domain::session::{SessionRules, STREAMS_PER_PERSON};
    use crate::store::EventRow;
    use crate::store::Store;
    use axum::extract::{Query, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::sse::{Event, KeepAlive, Sse};
    use axum::response::{IntoResponse, Response};
    use std::collections::HashMap;
    use std::convert::Infallible;
    use std::sync::atomic::Ordering;
    use tokio::sync::{broadcast, mpsc};

    pub use crate::server::bus::{EventBus, LocalBus, Notice, Publish};

    /// What the stream handler needs.
    #[derive(Clone)]
    pub struct LiveContext {
        pub store: Store,
        rules: SessionRules,
        dispatcher: mpsc::UnboundedSender<Listener>,
    }

    impl LiveContext {
        /// Starts this server's dispatcher. Call inside the Tokio runtime.
        pub fn new(store: Store, bus: EventBus, rules: SessionRules) -> LiveContext {
            let (dispatcher, registrations) = mpsc::unbounded_channel();
            tokio::spawn(dispatch(store.clone(), bus, rules, registrations));
            LiveContext {
                store,
                rules,
                dispatcher,
            }
        }
    }

    /// How often every open stream's session is checked, so a stream ends within this long
    /// of its session expiring, being signed out or its person being deactivated.
    pub const SESSION_CHECK: std::time::Duration = std::time::Duration::from_secs(1);

    /// One open stream, as the dispatcher keeps it.
    struct Listener {
        person_id: i64,
        /// The hash of the session it was opened with: when that ends, so does the stream.
        session: String,
        /// The last event ID it has been sent.
        last: i64,
        tx: mpsc::Sender<EventRow>,
    }

    /// Events waiting for a slow tab; past this the stream is closed and the browser
    /// reconnects with `Last-Event-ID`, replaying from the database.
    const BACKLOG: usize = 256;
    /// Events read per query.
    const READ: i64 = 500;

    /// The server's one reader of the event table. Streams register with the last event they
    /// have; on each notice it reads the new events of everyone concerned, and checks their
    /// sessions, in one query each, however many streams are open. The database stays the
    /// source of truth, so replay after a reconnect or a restart is the same read.
    async fn dispatch(
        store: Store,
        bus: EventBus,
        rules: SessionRules,
        mut registrations: mpsc::UnboundedReceiver<Listener>,
    ) {
        // Subscribed before any stream registers, so no notice is missed after its replay.
        let mut notices = bus.0.subscribe();
        let mut open: HashMap<i64, Vec<Listener>> = HashMap::new();
        let mut check = tokio::time::interval(SESSION_CHECK);
        check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let people: Vec<i64> = tokio::select! {
                listener = registrations.recv() => match listener {
                    Some(l) => {
                        let person = l.person_id;
                        let streams = open.entry(person).or_default();
                        streams.push(l);
                        // A person's streams are capped; the oldest goes first.
                        while streams.len() > STREAMS_PER_PERSON {
                            streams.remove(0);
                        }
                        vec![person]
                    }
                    None => return,
                },
                _ = check.tick() => {
                    if let Err(error) = close_ended(&store, rules, &mut open).await {
                        tracing::warn!(%error, "stream sessions not checked; will try again");
                    }
                    continue;
                },
                notice = notices.recv() => match notice {
                    Ok(Notice::People(ids)) => {
                        bus.1.fetch_add(1, Ordering::SeqCst);
                        ids.iter().copied().filter(|id| open.contains_key(id)).collect()
                    }
                    // Missed notices, or a change for more people than a notice lists:
                    // everyone reads.
                    Ok(Notice::Everyone) | Err(broadcast::error::RecvError::Lagged(_)) => {
                        bus.1.fetch_add(1, Ordering::SeqCst);
                        open.keys().copied().collect()
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            };
            if let Err(error) = deliver(&store, rules, &mut open, &people).await {
                tracing::warn!(%error, "event streams not served; they will catch up on the next notice");
            }
        }
    }

    /// Closes every stream whose session has ended (expired, signed out, its person
    /// deactivated) or whose tab has gone: dropping its sender ends the response.
    async fn close_ended(
        store: &Store,
        rules: SessionRules,
        open: &mut HashMap<i64, Vec<Listener>>,
    ) -> Result<(), crate::store::StoreError> {
        if open.is_empty() {
            return Ok(());
        }
        let sessions: Vec<String> = open.values().flatten().map(|l| l.session.clone()).collect();
        let live = store
            .live_sessions(&sessions, rules, chrono::Utc::now())
            .await?;
        open.retain(|_, listeners| {
            listeners.retain(|l| live.contains(&l.session) && !l.tx.is_closed());
            !listeners.is_empty()
        });
        Ok(())
    }

    async fn deliver(
        store: &Store,
        rules: SessionRules,
        open: &mut HashMap<i64, Vec<Listener>>,
        people: &[i64],
    ) -> Result<(), crate::store::StoreError> {
        if people.is_empty() {
            return Ok(());
        }
        let started = std::time::Instant::now();
        let sessions: Vec<String> = people
            .iter()
            .flat_map(|p| open.get(p).into_iter().flatten().map(|l| l.session.clone()))
            .collect();
        let live = store
            .live_sessions(&sessions, rules, chrono::Utc::now())
            .await?;
        let mut after = people
            .iter()
            .flat_map(|p| open.get(p).into_iter().flatten().map(|l| l.last))
            .min()
            .unwrap_or(0);
        loop {
            let rows = store.events_of(people, after, READ).await?;
            let full = rows.len() as i64 == READ;
            after = rows.last().map(|(_, r)| r.id).unwrap_or(after);
            let mut by_person: HashMap<i64, Vec<&EventRow>> = HashMap::new();
            for (person, row) in &rows {
                by_person.entry(*person).or_default().push(row);
            }
            for person in people {
                let Some(listeners) = open.get_mut(person) else {
                    continue;
                };
                listeners.retain_mut(|l| {
                    if !live.contains(&l.session) || l.tx.is_closed() {
                        return false;
                    }
                    for row in by_person.get(person).into_iter().flatten() {
                        if row.id <= l.last {
                            continue;
                        }
                        if l.tx.try_send((*row).clone()).is_err() {
                            return false;
                        }
                        l.last = row.id;
                    }
                    true
                });
                if listeners.is_empty() {
                    open.remove(person);
                }
            }
            if !full {
                tracing::debug!(target: "app::timing", people = people.len(), took = ?started.elapsed(), "streams served");
                return Ok(());
            }
        }
    }

    /// `GET /events`: the signed-in person's events after `Last-Event-ID` (or `?after=`).
    pub async fn stream(
        State(live): State<LiveContext>,
        Query(query): Query<HashMap<String, String>>,
        headers: HeaderMap,
    ) -> Response {
        let (Ok(Some(person)), Some(session)) = (
            crate::server::person_from_headers(&live.store, live.rules, &headers).await,
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
        let (tx, rx) = mpsc::channel(BACKLOG);
        let listener = Listener {
            person_id: person.actor.person_id,
            session,
            last,
            tx,
        };
        if live.dispatcher.send(listener).is_err() {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        use futures::StreamExt;
        // First, how long to wait before resuming a dropped stream (see `domain::live`).
        let hint = futures::stream::once(async {
            Ok::<_, Infallible>(Event::default().retry(crate::domain::live::RESUME_AFTER))
        });
        let events = futures::stream::unfold(rx, |mut rx| async move {
            let e = rx.recv().await?;
            let event = Event::default()
                .id(e.id.to_string())
                .event(e.kind)
                .data(e.data);
            Some((Ok::<_, Infallible>(event), rx))
        });
        Sse::new(hint.chain(events))
            .keep_alive(KeepAlive::default())
            .into_response()
    }
}

/// The tab's live signals: how many events have arrived (views that show live data refetch
/// when it moves) and the connection's state. One pair per tab, shared by every island; on
/// the server, a fresh pair for each page.
pub fn signals() -> (
    leptos::prelude::RwSignal<u64>,
    leptos::prelude::RwSignal<LiveState>,
) {
    use leptos::prelude::*;
    #[cfg(feature = "hydrate")]
    {
        let (live, state) = TAB.with(|tab| tab.signals.clone());
        (RwSignal::from(live), RwSignal::from(state))
    }
    #[cfg(not(feature = "hydrate"))]
    (RwSignal::new(0), RwSignal::new(LiveState::Connecting))
}

#[cfg(feature = "hydrate")]
struct Tab {
    signals: (
        leptos::prelude::ArcRwSignal<u64>,
        leptos::prelude::ArcRwSignal<LiveState>,
    ),
    connected: std::cell::Cell<bool>,
}

#[cfg(feature = "hydrate")]
thread_local! {
    static TAB: Tab = Tab {
        signals: (
            leptos::prelude::ArcRwSignal::new(0),
            leptos::prelude::ArcRwSignal::new(LiveState::Connecting),
        ),
        connected: std::cell::Cell::new(false),
    };
}

/// Opens the tab's one event stream, from event `after`, unless it is already open. While
/// a connection stands, the browser resumes it by itself after a drop (sending
/// `Last-Event-ID`, waiting as the server's `retry:` says); once the browser gives up on one
/// (a proxy's `502` while the server restarts, say), a new connection is opened after a
/// growing pause, from the last event seen. Each event moves the live count; the state says
/// *Reconnecting* only while the stream is not open.
#[cfg(feature = "hydrate")]
pub fn connect_once(after: i64) {
    use crate::domain::live::Backoff;
    if TAB.with(|tab| tab.connected.replace(true)) {
        return;
    }
    let (live, state) = TAB.with(|tab| tab.signals.clone());
    leptos::task::spawn_local(async move {
        use leptos::prelude::*;
        let last = std::rc::Rc::new(std::cell::Cell::new(after));
        let mut backoff = Backoff::default();
        loop {
            if follow(last.clone(), live.clone(), state.clone()).await {
                backoff = Backoff::default();
            }
            state.set(LiveState::Reconnecting);
            let jitter = spread();
            pause(backoff.next_wait(jitter)).await;
        }
    });
}

/// One connection, until the browser gives up on it. Whether it was ever open.
#[cfg(feature = "hydrate")]
async fn follow(
    last: std::rc::Rc<std::cell::Cell<i64>>,
    live: leptos::prelude::ArcRwSignal<u64>,
    state: leptos::prelude::ArcRwSignal<LiveState>,
) -> bool {
    use futures::future::Either;
    use futures::StreamExt;
    use gloo_net::eventsource::{futures::EventSource, State};
    use leptos::prelude::*;
    let Ok(mut source) = EventSource::new(&format!("/events?after={}", last.get())) else {
        return false;
    };
    let (Ok(alerts), Ok(reads), Ok(audits), Ok(archived)) = (
        source.subscribe("alert"),
        source.subscribe("alert_read"),
        source.subscribe("audit"),
        source.subscribe("alerts_archived"),
    ) else {
        return false;
    };
    let mut events = futures::stream::select(
        futures::stream::select(alerts, archived),
        futures::stream::select(reads, audits),
    );
    let mut opened = false;
    loop {
        // The next event, or a look at the connection every second: the browser says it
        // is open or closed by its state, not by an event.
        let look = Box::pin(pause(std::time::Duration::from_secs(1)));
        match futures::future::select(events.next(), look).await {
            Either::Left((Some(Ok((_, event))), _)) => {
                if let Ok(id) = event.last_event_id().parse::<i64>() {
                    last.set(last.get().max(id));
                }
                opened = true;
                state.set(LiveState::Live);
                live.update(|n| *n += 1);
            }
            Either::Left((None, _)) => break,
            Either::Left((Some(Err(_)), _)) | Either::Right(_) => match source.state() {
                State::Open => {
                    opened = true;
                    state.set(LiveState::Live);
                }
                State::Connecting if opened => state.set(LiveState::Reconnecting),
                State::Connecting => {}
                State::Closed => break,
            },
        }
    }
    source.close();
    opened
}

#[cfg(feature = "hydrate")]
async fn pause(wait: std::time::Duration) {
    let (done, waited) = futures::channel::oneshot::channel::<()>();
    leptos::prelude::set_timeout(
        move || {
            let _ = done.send(());
        },
        wait,
    );
    let _ = waited.await;
}

/// A number in [0, 1) that differs between tabs (the fraction of a second since the page
/// opened), to spread many tabs' reconnections apart after a restart.
#[cfg(feature = "hydrate")]
fn spread() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.5, |p| (p.now() / 1000.0).fract())
}

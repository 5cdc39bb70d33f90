//! The idle-session warning (after the GOV.UK timeout warning pattern): the person's own
//! clicks and keys keep the session alive, at most once a minute; two minutes before it
//! would end, a dialog offers *Stay signed in*; when it ends, the tab goes to the sign-in
//! page and forgets the browser's drafts. Background refreshes never renew the session.

use crate::auth::use_auth;
use leptos::prelude::*;

/// The watch for whoever is signed in (nothing for anyone else).
#[component]
pub fn SessionWatch() -> impl IntoView {
    match use_auth().me {
        Ok(Some(me)) => Some(view! { <Watch session_left=me.session_left/> }),
        _ => None,
    }
}

/// `session_left`: seconds until the session ends, when the page was drawn.
#[island]
fn Watch(session_left: i64) -> impl IntoView {
    let warning = RwSignal::new(false);
    let left = RwSignal::new(0i64);
    let stay = RwSignal::new(0u32);
    let button = NodeRef::<leptos::html::Button>::new();
    #[cfg(feature = "hydrate")]
    watch(session_left, warning, left, stay, button);
    #[cfg(not(feature = "hydrate"))]
    let _ = session_left;
    let minutes = move || {
        let s = left.get().max(0);
        if s >= 60 {
            let m = (s + 59) / 60;
            format!("{m} {}", if m == 1 { "minute" } else { "minutes" })
        } else {
            format!("{s} {}", if s == 1 { "second" } else { "seconds" })
        }
    };
    view! {
        <Show when=move || warning.get()>
            <div class="timeout-overlay">
                <div class="timeout-dialog" role="alertdialog" aria-modal="true"
                    aria-labelledby="timeout-title" aria-describedby="timeout-text" data-testid="timeout-warning">
                    <h2 class="heading-m" id="timeout-title">"You’re about to be signed out"</h2>
                    <p class="body" id="timeout-text">
                        "For your security, we will sign you out in "<strong>{minutes}</strong>
                        ". Anything you have saved is kept."
                    </p>
                    <button type="button" class="button" node_ref=button
                        on:click=move |_| stay.update(|n| *n += 1)>"Stay signed in"</button>
                    " "
                    <button type="button" class="button button--secondary"
                        on:click=move |_| sign_out("/sign-in")>"Sign out"</button>
                </div>
            </div>
        </Show>
    }
}

/// Ends the session, forgets the browser's drafts and goes to `then`.
fn sign_out(then: &'static str) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        // The function's own redirect would race this page's.
        crate::ui::hold_navigation();
        let _ = crate::auth::sign_out().await;
        crate::auth::forget_browser_drafts();
        crate::ui::leave_now(then);
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = then;
}

#[cfg(feature = "hydrate")]
fn watch(
    session_left: i64,
    warning: RwSignal<bool>,
    left: RwSignal<i64>,
    stay: RwSignal<u32>,
    button: NodeRef<leptos::html::Button>,
) {
    use crate::domain::session::WARN_BEFORE;
    use std::cell::Cell;
    use std::rc::Rc;
    fn now() -> f64 {
        window().performance().map(|p| p.now()).unwrap_or(0.0)
    }
    // When the session ends (in this page's clock), the last renewal, and whether the person
    // has done anything since.
    let deadline = Rc::new(Cell::new(f64::INFINITY));
    let pinged = Rc::new(Cell::new(now()));
    let active = Rc::new(Cell::new(false));
    let asking = Rc::new(Cell::new(false));
    let ended = Rc::new(Cell::new(false));
    let warn_ms = WARN_BEFORE.num_milliseconds() as f64;

    let set_from = {
        let deadline = deadline.clone();
        move |seconds: i64| deadline.set(now() + seconds as f64 * 1000.0)
    };
    let renew = {
        let set_from = set_from.clone();
        let pinged = pinged.clone();
        let asking = asking.clone();
        move || {
            pinged.set(now());
            let set_from = set_from.clone();
            let asking = asking.clone();
            leptos::task::spawn_local(async move {
                if let Ok(seconds) = crate::auth::stay_signed_in().await {
                    set_from(seconds);
                    warning.set(false);
                }
                asking.set(false);
            });
        }
    };
    // The page's own figure starts the clock.
    set_from(session_left);
    for kind in ["pointerdown", "keydown", "touchstart", "input"] {
        let active = active.clone();
        let handle = window_event_listener_untyped(kind, move |_| active.set(true));
        std::mem::forget(handle);
    }
    // *Stay signed in*.
    {
        let renew = renew.clone();
        Effect::new(move |seen: Option<u32>| {
            let n = stay.get();
            if seen.is_some_and(|s| s != n) {
                renew();
            }
            n
        });
    }
    Effect::new(move |_| {
        if warning.get() {
            if let Some(b) = button.get() {
                let _ = b.focus();
            }
        }
    });
    let tick = move || {
        let t = now();
        if active.replace(false) && t - pinged.get() >= 60_000.0 {
            renew();
        }
        let remaining = deadline.get() - t;
        left.set((remaining / 1000.0).ceil() as i64);
        if remaining <= 0.0 {
            if !ended.replace(true) {
                // End the session on the server too (it may have seconds left by its
                // clock), then leave the page.
                sign_out("/sign-in?done=timed-out");
            }
        } else if remaining <= warn_ms && !warning.get_untracked() && !asking.replace(true) {
            // Another tab may have kept the session alive: ask before warning.
            let set_from = set_from.clone();
            let asking = asking.clone();
            leptos::task::spawn_local(async move {
                match crate::auth::session_left().await {
                    Ok(seconds) if seconds as f64 * 1000.0 > warn_ms => set_from(seconds),
                    Ok(seconds) => {
                        set_from(seconds);
                        warning.set(true);
                    }
                    Err(crate::AppError::SignInRequired) => set_from(0),
                    Err(_) => warning.set(true),
                }
                asking.set(false);
            });
        }
    };
    let _ = set_interval_with_handle(tick, std::time::Duration::from_secs(1));
}

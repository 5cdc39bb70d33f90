//! The WebAssembly entry point. Pages are drawn on the server; only their islands
//! (`#[island]` components in `app`) run here, each hydrated where the page marks it.

// The release build's optimiser walks the page's deeply nested view types.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // A server function that answers with a redirect sends the tab there (there is no
    // client-side router to do it), unless it names the page already shown.
    let _ = leptos::server_fn::redirect::set_redirect_hook(app::ui::follow_redirect);
    // Links the app's islands into this module.
    let _ = app::ui::Hydrated;
    leptos::mount::hydrate_islands();
}

//! The WebAssembly entry point: hydrates the server-rendered page.

// The release build's optimiser walks the page's deeply nested view types.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages are lazy routes (app/src/pages.rs): a page's chunk may arrive after this
    // returns, so the page itself marks `__practiceAuditHydrated` (`app::ui::Hydrated`).
    leptos::mount::hydrate_lazy(app::App);
}

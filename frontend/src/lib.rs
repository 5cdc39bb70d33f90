//! The WebAssembly entry point: hydrates the server-rendered page.

// The release build's optimiser walks the page's deeply nested view types.
#![recursion_limit = "256"]

use wasm_bindgen::JsValue;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets end-to-end tests wait for hydration instead of guessing with timers.
    let _ = js_sys::Reflect::set(
        &js_sys::global(),
        &"__practiceAuditHydrated".into(),
        &JsValue::TRUE,
    );
}

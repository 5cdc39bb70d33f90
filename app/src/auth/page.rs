use super::{use_auth, SignIn};
use crate::ui::Redirect;
use crate::ui::{enter_island, field_error, use_route, ErrorSummary, Route};
use crate::ui::{Form, FormAction};
use crate::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

/// Works before the WebAssembly loads: the form posts to the server function, which
/// redirects home on success or back here with the error.
#[component]
pub fn SignInPage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Title text="Sign in"/>
        {matches!(auth.me, Ok(Some(_))).then(|| view! { <Redirect path="/"/> })}
        {crate::pages::Island::SignIn.draw(Route::here(), None)}
    }
}

/// Only someone signed out sees this (the server sends anyone signed in home).
pub(crate) fn sign_in_page(route: Route, me: Option<super::Me>) -> impl IntoView {
    enter_island(route, me);
    let route = use_route();
    let sign_in = FormAction::<SignIn>::new();
    // Whoever reaches the sign-in page signed out leaves nothing of the last person's (a
    // sign-out ends here too).
    #[cfg(feature = "hydrate")]
    super::forget_browser_drafts();
    // Without WebAssembly the form posts natively and the server sends the browser back
    // here with the error encoded in the URL (no personal data in it).
    let error_from_url = crate::ui::url_error(&[<SignIn as ServerFn>::PATH]);
    let errors = move || {
        let error = match sign_in.value().get() {
            Some(Err(error)) => Some(error),
            Some(Ok(())) => None,
            None => error_from_url(),
        };
        match error {
            Some(AppError::Invalid(errors)) => errors,
            Some(other) => vec![crate::FieldError::new("email", other.to_string())],
            None => Vec::new(),
        }
    };
    // After a password is set or changed (every session ended), the person lands here.
    let done = move || {
        match route.query("done").as_deref() {
        Some("password-set") => Some("Your password is set. Sign in with it."),
        Some("password-changed") => Some("Your password has changed and you are signed out everywhere. Sign in with your new password."),
        Some("signed-out-everywhere") => Some("You are signed out on every device."),
        Some("timed-out") => Some("You were signed out because you had not used Practice Audit for a while. Your saved work is kept. Sign in to carry on."),
        _ => None,
    }
    };
    let email_error = move || field_error(&errors(), "email");
    let password_error = move || field_error(&errors(), "password");

    view! {
        <div class="narrow">
            {move || view! { <ErrorSummary errors=errors()/> }}
            {move || done().map(|text| view! {
                <div class="panel panel--confirmation" role="status" data-testid="password-done"><p class="body">{text}</p></div>
            })}
            <h1 class="heading-l">"Sign in to Practice Audit"</h1>
            <Form action=sign_in attr:novalidate=true attr:data-testid="sign-in-form">
                <div class="form-group" class:form-group--error=move || email_error().is_some()>
                    <label class="label" for="email">"Email address"</label>
                    {move || email_error().map(|m| view! {
                        <p class="error-message" id="email-error"><span class="visually-hidden">"Error: "</span>{m}</p>
                    })}
                    <input
                        class="input"
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        spellcheck="false"
                        aria-describedby=move || email_error().map(|_| "email-error")
                    />
                </div>
                <div class="form-group" class:form-group--error=move || password_error().is_some()>
                    <label class="label" for="password">"Password"</label>
                    {move || password_error().map(|m| view! {
                        <p class="error-message" id="password-error"><span class="visually-hidden">"Error: "</span>{m}</p>
                    })}
                    <input
                        class="input"
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        aria-describedby=move || password_error().map(|_| "password-error")
                    />
                </div>
                <button type="submit" class="button" disabled=move || sign_in.pending().get()>"Sign in"</button>
            </Form>
            <p class="body"><a href="/forgot-password" data-testid="forgot-link">"Forgot your password?"</a></p>
            <p class="hint">"New to Practice Audit? Your system administrator sends you a link to set your password."</p>
        </div>
    }
}

//! The pages around passwords: set one from a link, ask for a reset, change one's own.

use super::passwords::{check_link, ChangePassword, ForgotPassword, LinkCheck, SetPassword};
use crate::ui::use_query_map;
use crate::ui::{answer_errors, field_error, url_error, ErrorSummary, InputField, SignedIn};
use crate::ui::{Form, FormAction};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{Meta, Title};

const PASSWORD_HINT: &str = "At least 12 characters. A good way to make a strong password that you can remember is to put three random words together. Do not use your email address, or a password you use elsewhere.";

/// `/set-password?token=…`: the page an invitation or reset email links to.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    crate::pages::Island::SetPassword.draw(crate::ui::Route::here(), None)
}

pub(crate) fn set_password_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let action = FormAction::<SetPassword>::new();
    let from_url = url_error(&[<SetPassword as ServerFn>::PATH]);
    let errors = move || answer_errors(action.value().get(), from_url);
    let link = crate::codec::resource(token, check_link);
    let token_error = move || field_error(&errors(), "token");
    view! {
        <Title text="Set your password"/>
        // The token is in this page's address: never send it on to another site.
        <Meta name="referrer" content="no-referrer"/>
        <div class="narrow">
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Checking your link…"</p> }>
                {move || Suspend::new(async move {
                    let refused = |heading: &'static str, text: &'static str| view! {
                        <h1 class="heading-l" data-testid="link-refused">{heading}</h1>
                        <p class="body">{text}</p>
                        <p class="body"><a href="/forgot-password">"Ask for a new link"</a>" or ask your system administrator to send you one."</p>
                    }.into_any();
                    match link.await {
                        Ok(LinkCheck::Usable { name, invitation }) => view! {
                            <h1 class="heading-l">{if invitation { "Set your password" } else { "Choose a new password" }}</h1>
                            <p class="body">{format!("For {name}'s account on Practice Audit. The link works once.")}</p>
                            {move || token_error().map(|m| view! { <p class="error-message" id="token"><span class="visually-hidden">"Error: "</span>{m}</p> })}
                            <Form action attr:novalidate=true attr:data-testid="set-password-form">
                                <input type="hidden" name="token" value=token()/>
                                <InputField id="password" name="password" label="New password" kind="password"
                                    autocomplete="new-password" hint=PASSWORD_HINT
                                    error=Signal::derive(move || field_error(&errors(), "password"))/>
                                <button type="submit" class="button" disabled=move || action.pending().get()>"Set password"</button>
                            </Form>
                        }.into_any(),
                        Ok(LinkCheck::Expired) => refused("This link has expired", "Links to set a password last a limited time, for your account's safety."),
                        Ok(LinkCheck::Used) => refused("This link has already been used", "Each link works once. If you have set your password, sign in with it."),
                        Ok(LinkCheck::Unknown) | Err(_) => refused("This link is not recognised", "Check you copied the whole link from the email. A newer link replaces older ones."),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// `/forgot-password`: ask for a reset link. The answer never says whether an account exists.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    crate::pages::Island::ForgotPassword.draw(crate::ui::Route::here(), None)
}

pub(crate) fn forgot_password_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let query = use_query_map();
    let action = FormAction::<ForgotPassword>::new();
    let from_url = url_error(&[<ForgotPassword as ServerFn>::PATH]);
    let errors = move || answer_errors(action.value().get(), from_url);
    let sent = move || {
        matches!(action.value().get(), Some(Ok(())))
            || (action.value().get().is_none() && query.read().get("sent").is_some())
    };
    view! {
        <Title text="Reset your password"/>
        <div class="narrow">
            {move || view! { <ErrorSummary errors=errors()/> }}
            <h1 class="heading-l">"Reset your password"</h1>
            {move || if sent() {
                view! {
                    <div class="panel panel--confirmation" role="status" data-testid="reset-sent">
                        <p class="body">"If that email address belongs to an account, we have sent it a link to choose a new password. The link works once and expires after a short time."</p>
                        <p class="body">"Nothing arrived after 10 minutes? Check your junk folder, or ask your system administrator."</p>
                    </div>
                    <p class="body"><a href="/sign-in">"Back to sign in"</a></p>
                }.into_any()
            } else {
                view! {
                    <p class="body">"Enter your work email address. If it belongs to an account, we will email it a link to choose a new password."</p>
                    <Form action attr:novalidate=true attr:data-testid="forgot-form">
                        <InputField id="email" name="email" label="Email address" kind="email" autocomplete="username"
                            error=Signal::derive(move || field_error(&errors(), "email"))/>
                        <button type="submit" class="button" disabled=move || action.pending().get()>"Send the link"</button>
                    </Form>
                    <p class="body"><a href="/sign-in">"Back to sign in"</a></p>
                }.into_any()
            }}
        </div>
    }
}

/// `/account`: the signed-in person's own account, where they change their password.
#[component]
pub fn AccountPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Account.draw(route.clone(), Some(me))/> }
}

pub(crate) fn account_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let action = FormAction::<ChangePassword>::new();
    let everywhere = FormAction::<super::SignOutEverywhere>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(Ok(())) = everywhere.value().get() {
            super::forget_browser_drafts();
            crate::ui::go_to("/sign-in?done=signed-out-everywhere");
        }
    });
    let from_url = url_error(&[<ChangePassword as ServerFn>::PATH]);
    let errors = move || answer_errors(action.value().get(), from_url);
    // Every session has ended, this one too: load the sign-in page afresh, so nothing in
    // this tab still thinks it is signed in.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            crate::ui::go_to("/sign-in?done=password-changed");
        }
    });
    view! {
        <Title text="Your account"/>
        <SignedIn render=move |me| view! {
            <div class="narrow">
                {move || view! { <ErrorSummary errors=errors()/> }}
                <h1 class="heading-l">"Your account"</h1>
                <p class="body">{format!("Signed in as {}.", me.display_name)}</p>
                <h2 class="heading-m">"Change your password"</h2>
                <p class="body">"Changing your password signs you out everywhere, on this device too. Then sign in with the new one."</p>
                <Form action attr:novalidate=true attr:data-testid="change-password-form">
                    <InputField id="current" name="current" label="Current password" kind="password" autocomplete="current-password"
                        error=Signal::derive(move || field_error(&errors(), "current"))/>
                    <InputField id="password" name="password" label="New password" kind="password" autocomplete="new-password"
                        hint=PASSWORD_HINT error=Signal::derive(move || field_error(&errors(), "password"))/>
                    <button type="submit" class="button" disabled=move || action.pending().get()>"Change password"</button>
                </Form>
                <h2 class="heading-m">"Sign out everywhere"</h2>
                <p class="body">"If you used Practice Audit on a shared or lost device, sign out on every device, this one too."</p>
                <Form action=everywhere attr:data-testid="sign-out-everywhere-form">
                    <button type="submit" class="button button--warning" disabled=move || everywhere.pending().get()>"Sign out everywhere"</button>
                </Form>
            </div>
        }/>
    }
}

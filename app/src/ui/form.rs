//! Forms that post to a server function: a plain `<form method="post">` before the
//! WebAssembly loads, and a call in the page once it has.
//!
//! Unlike Leptos's `ActionForm`, the browser sends the form's fields as they are, and the
//! server reads them into the function's arguments. `ActionForm` read them into the
//! arguments in the browser first, then wrote them out again: that needed a query-string
//! decoder for every form's arguments in the WebAssembly (serde_qs and each form's decoder,
//! about 8 % of the code, 2026-12-06).

use crate::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

/// What a form action sends: the form's own fields, url-encoded, or arguments from code.
#[derive(Clone)]
pub enum Sent<S> {
    Form(String),
    Call(S),
}

/// A server function's action for a [`Form`]: `version`, `value` and `pending` as on
/// Leptos's `ServerAction`, which it replaces.
pub struct FormAction<S: ServerFn> {
    inner: Action<Sent<S>, Result<S::Output, AppError>>,
}

impl<S: ServerFn> Clone for FormAction<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ServerFn> Copy for FormAction<S> {}

impl<S> std::ops::Deref for FormAction<S>
where
    S: ServerFn,
{
    type Target = Action<Sent<S>, Result<S::Output, AppError>>;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl<S> FormAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    #[track_caller]
    pub fn new() -> Self {
        // A plain post that was refused comes back with its error in the URL (the router
        // provides it); the action starts with it, as `ServerAction` does.
        let refused = use_context::<leptos::server::ServerActionError>().and_then(|error| {
            (error.path() == S::PATH)
                .then(|| {
                    leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(error.err())
                })
                .map(Err)
        });
        FormAction {
            inner: Action::new_unsync_with_value(refused, |sent: &Sent<S>| {
                let sent = sent.clone();
                async move {
                    match sent {
                        Sent::Form(fields) => post_fields::<S>(fields).await,
                        Sent::Call(args) => args.run_on_client().await,
                    }
                }
            }),
        }
    }

    /// Calls the function with arguments made in code (not from a form).
    pub fn call(&self, args: S) {
        self.inner.dispatch(Sent::Call(args));
    }
}

/// Posts a form's fields to `S`, as the server function's own client would post its
/// arguments: answered in postcard, a refusal as `AppError`, a redirect followed in the page.
#[cfg(feature = "hydrate")]
async fn post_fields<S>(fields: String) -> Result<S::Output, AppError>
where
    S: ServerFn<Error = AppError>,
    S::Output: DeserializeOwned,
{
    use leptos::server_fn::error::FromServerFnError;
    use leptos::server_fn::Decodes;
    let answer = gloo_net::http::Request::post(S::PATH)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", crate::codec::POSTCARD)
        .body(fields)
        .map_err(|_| AppError::Network)?
        .send()
        .await
        .map_err(|_| AppError::Network)?;
    let refused = (400..=599).contains(&answer.status());
    // A redirect comes as a header (the fetch would follow a real one by itself).
    let redirect = answer
        .headers()
        .get("serverfnredirect")
        .and(answer.headers().get("Location"));
    let bytes = answer.binary().await.map_err(|_| AppError::Network)?;
    if refused {
        return Err(AppError::de(bytes.into()));
    }
    let output = <crate::codec::Postcard as Decodes<S::Output>>::decode(bytes.into())
        .map_err(|_| AppError::Internal)?;
    if let Some(location) = redirect {
        leptos::server_fn::redirect::call_redirect_hook(&location);
    }
    Ok(output)
}

/// On the server a form is never sent from the page: this is only here to type-check.
#[cfg(not(feature = "hydrate"))]
async fn post_fields<S>(_fields: String) -> Result<S::Output, AppError>
where
    S: ServerFn<Error = AppError>,
{
    Err(AppError::Internal)
}

/// A form for a server function: it posts to the function before the WebAssembly loads,
/// and sends its fields in the page after.
#[component]
pub fn Form<S>(action: FormAction<S>, children: Children) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let Ok(data) = leptos::form::form_data_from_event(&ev) else {
                return;
            };
            let Ok(fields) = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data) else {
                return;
            };
            action.dispatch(Sent::Form(String::from(fields.to_string())));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = action;
    };
    view! {
        <form action=S::url() method="post" on:submit=on_submit>
            {children()}
        </form>
    }
}

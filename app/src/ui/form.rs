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
use std::marker::PhantomData;

/// A server function's answer as it came, postcard bytes or the refusal: every form shares
/// this one action type, so the reactive machinery is compiled once, not once per form
/// (it was 15 % of the WebAssembly with one `Action` type per server function).
type Posted = Action<(&'static str, String), Result<Vec<u8>, AppError>>;

/// A server function's action for a [`Form`]: `version`, `value` and `pending` as on
/// Leptos's `ServerAction`, which it replaces.
pub struct FormAction<S> {
    inner: Posted,
    function: PhantomData<fn() -> S>,
}

impl<S> Clone for FormAction<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for FormAction<S> {}

/// An answer read from a [`FormAction`], decoded as it is read.
pub struct Answer<S> {
    raw: MappedSignal<Option<Result<Vec<u8>, AppError>>>,
    function: PhantomData<fn() -> S>,
}

impl<S> Clone for Answer<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Answer<S> {}

impl<S> Answer<S>
where
    S: ServerFn<Error = AppError>,
    S::Output: DeserializeOwned,
{
    /// The last answer, tracked.
    pub fn get(&self) -> Option<Result<S::Output, AppError>> {
        self.raw.with(|answer| {
            answer.as_ref().map(|answer| match answer {
                Ok(bytes) => postcard::from_bytes(bytes).map_err(|_| AppError::Internal),
                Err(error) => Err(error.clone()),
            })
        })
    }

    pub fn with<U>(&self, read: impl FnOnce(&Option<Result<S::Output, AppError>>) -> U) -> U {
        read(&self.get())
    }
}

impl<S: ServerFn> FormAction<S> {
    #[track_caller]
    pub fn new() -> Self {
        FormAction {
            inner: posted(S::PATH),
            function: PhantomData,
        }
    }

    pub fn value(&self) -> Answer<S> {
        Answer {
            raw: self.inner.value(),
            function: PhantomData,
        }
    }

    /// Counts the answers, refusals included.
    pub fn version(&self) -> RwSignal<usize> {
        self.inner.version()
    }

    pub fn pending(&self) -> Memo<bool> {
        self.inner.pending()
    }
}

impl<S: ServerFn + serde::Serialize> FormAction<S> {
    /// Calls the function with arguments made in code (not from a form).
    pub fn call(&self, args: S) {
        match serde_qs::to_string(&args) {
            Ok(fields) => {
                self.inner.dispatch((S::PATH, fields));
            }
            Err(_) => self.inner.value().set(Some(Err(AppError::Internal))),
        }
    }
}

/// The action for the function at `path`. A plain post that was refused comes back with
/// its error in the address; the action starts with it, as `ServerAction` does. In an
/// island it is read from the island's route, so the browser starts with the answer the
/// server drew; outside islands (drawn on the server only), from the router.
#[track_caller]
fn posted(path: &'static str) -> Posted {
    let refused = match use_context::<super::Route>() {
        Some(route) => super::route::url_error(&route, &[path]),
        None => use_context::<leptos::server::ServerActionError>().and_then(|error| {
            (error.path() == path).then(|| {
                leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(error.err())
            })
        }),
    };
    // The browser's fetch is not `Send`; on the server (where a form is never sent) the
    // action must be, since a page's render may move between threads and drop it there.
    #[cfg(feature = "hydrate")]
    return Action::new_unsync_with_value(
        refused.map(Err),
        |(path, fields): &(&'static str, String)| post_fields(path, fields.clone()),
    );
    #[cfg(not(feature = "hydrate"))]
    Action::new_with_value(
        refused.map(Err),
        |(path, fields): &(&'static str, String)| post_fields(path, fields.clone()),
    )
}

/// Posts url-encoded fields to the function at `path`, as the server function's own client
/// would post its arguments: answered in postcard, a refusal as `AppError`, a redirect
/// followed in the page.
#[cfg(feature = "hydrate")]
async fn post_fields(path: &'static str, fields: String) -> Result<Vec<u8>, AppError> {
    use leptos::server_fn::error::FromServerFnError;
    let answer = gloo_net::http::Request::post(path)
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
    if let Some(location) = redirect {
        leptos::server_fn::redirect::call_redirect_hook(&location);
    }
    Ok(bytes)
}

/// On the server a form is never sent from the page: this is only here to type-check.
#[cfg(not(feature = "hydrate"))]
async fn post_fields(_path: &'static str, _fields: String) -> Result<Vec<u8>, AppError> {
    Err(AppError::Internal)
}

/// A form for a server function: it posts to the function before the WebAssembly loads,
/// and sends its fields in the page after.
#[component]
pub fn Form<S>(action: FormAction<S>, children: Children) -> impl IntoView
where
    S: ServerFn,
{
    form_for(S::PATH, action.inner, children)
}

fn form_for(path: &'static str, action: Posted, children: Children) -> AnyView {
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
            action.dispatch((path, String::from(fields.to_string())));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = action;
    };
    view! {
        <form action=path method="post" on:submit=on_submit>
            {children()}
        </form>
    }
    .into_any()
}

/// The problems of the form on the page answered last, with its function's path. A page
/// drawn on the server may have several forms, each an island, and its error summary
/// another; in the browser they share one signal for the tab. Before any form has answered,
/// the refusal a plain post brought back in the address.
#[derive(Clone, Debug, PartialEq)]
pub struct Problems {
    pub path: String,
    pub errors: Vec<crate::FieldError>,
}

pub fn page_problems() -> RwSignal<Option<Problems>> {
    let from_url = || {
        let route = super::use_route();
        let path = route.last_query("__path")?;
        let error = route
            .last_query("__err")
            .map(|e| leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(&e))?;
        Some(Problems {
            path,
            errors: super::form_errors::<()>(Some(Err(error))),
        })
    };
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            static PROBLEMS: std::cell::OnceCell<ArcRwSignal<Option<Problems>>> =
                const { std::cell::OnceCell::new() };
        }
        PROBLEMS
            .with(|p| p.get_or_init(|| ArcRwSignal::new(from_url())).clone())
            .into()
    }
    #[cfg(not(feature = "hydrate"))]
    RwSignal::new(from_url())
}

/// The problems `problems` holds for `S`'s form, for beside its fields. Generic, one copy
/// per form, on purpose: with the path as an argument instead, the splitter moved 34 KB of
/// shared code into the main file every page loads (2026-12-07, the sign-in page 248 →
/// 275 KB on the wire).
fn problems_of<S: ServerFn>(
    problems: RwSignal<Option<Problems>>,
) -> impl Fn() -> Vec<crate::FieldError> + Copy + Send + Sync + 'static {
    move || {
        problems.with(|p| match p {
            Some(p) if p.path == S::PATH => p.errors.clone(),
            _ => Vec::new(),
        })
    }
}

/// A form among a server-drawn page's islands: saved, the page is drawn afresh (loaded again
/// at its address, without a plain post's refusal in it); refused, its problems become the
/// page's. Returns the form's own problems, for beside its fields.
pub fn saved_then_reload<S: ServerFn>(
    action: FormAction<S>,
) -> impl Fn() -> Vec<crate::FieldError> + Copy + Send + Sync + 'static {
    let problems = page_problems();
    Effect::new(move |_| {
        action.inner.value().with(|answer| match answer {
            Some(Ok(_)) => {
                #[cfg(feature = "hydrate")]
                super::go_to(&window().location().pathname().unwrap_or_default());
            }
            Some(Err(error)) => problems.set(Some(Problems {
                path: S::PATH.to_string(),
                errors: super::form_errors::<()>(Some(Err(error.clone()))),
            })),
            None => {}
        })
    });
    problems_of::<S>(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::Route;
    use crate::FieldError;
    use leptos::server_fn::error::ServerFnUrlError;

    /// Two forms' functions, for their paths.
    #[leptos::server(endpoint = "test_feedback")]
    async fn test_feedback() -> Result<(), AppError> {
        Ok(())
    }

    #[leptos::server(endpoint = "test_propose")]
    async fn test_propose() -> Result<(), AppError> {
        Ok(())
    }

    /// The audit page as a plain post's refusal brings it back.
    fn refused(path: &str, error: AppError) -> Route {
        let url = ServerFnUrlError::new(path, error)
            .to_url("http://localhost/audits/7?tab=form")
            .unwrap();
        let query = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Route::with_query("/audits/7", query)
    }

    #[test]
    fn a_plain_posts_refusal_is_the_pages_problem_and_beside_its_own_forms_fields_alone() {
        let owner = Owner::new();
        owner.with(|| {
            let said = FieldError::new("said", "Enter what they said");
            let feedback = <TestFeedback as ServerFn>::PATH;
            provide_context(refused(feedback, AppError::Invalid(vec![said.clone()])));
            let problems = page_problems();
            assert_eq!(
                problems.get_untracked(),
                Some(Problems {
                    path: feedback.into(),
                    errors: vec![said.clone()],
                })
            );
            assert_eq!(problems_of::<TestFeedback>(problems)(), vec![said]);
            assert!(problems_of::<TestPropose>(problems)().is_empty());
        });
    }

    #[test]
    fn a_refusal_not_about_a_field_is_for_the_summary_alone_and_no_refusal_is_no_problem() {
        let owner = Owner::new();
        owner.with(|| {
            provide_context(refused(
                <TestPropose as ServerFn>::PATH,
                AppError::Forbidden,
            ));
            let errors = page_problems().get_untracked().unwrap().errors;
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].field, "");
            assert_eq!(errors[0].message, AppError::Forbidden.to_string());
        });
        Owner::new().with(|| {
            provide_context(Route::with_query(
                "/audits/7",
                vec![("tab".into(), "form".into())],
            ));
            assert_eq!(page_problems().get_untracked(), None);
        });
    }
}

//! Shared UI pieces, after the GOV.UK Design System's patterns.

pub mod figures;
mod form;
mod route;
mod session_watch;

pub use route::{enter_island, use_params_map, use_query_map, use_route, Route};
pub use session_watch::SessionWatch;

use crate::auth::{use_auth, Me};
use crate::domain::Role;
use crate::{AppError, FieldError};
pub use form::{page_problems, saved_then_reload, Form, FormAction, Problems};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// Opens the browser's print dialog (a click handler, not inline script, which the
/// content security policy refuses).
pub fn print_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().print();
    }
}

/// A button that opens the browser's print dialog: the one interactive part of a page
/// that is otherwise drawn on the server.
#[island]
pub fn PrintButton(label: String, class: String) -> impl IntoView {
    view! { <button type="button" class=class on:click=|_| print_page()>{label}</button> }
}

/// Sets the HTTP status of a server-rendered page. Does nothing in the browser.
pub fn set_page_status(_status: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(code) = axum::http::StatusCode::from_u16(_status) {
            response.set_status(code);
        }
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let auth = use_auth();
    view! {
            <header class="header" role="banner">
                <div class="header__inner">
                    <a href="/" class="header__service">"Practice Audit"</a>
    {match auth.me {
                        Ok(Some(me)) => Some(view! { <SignedInHeader me/> }),
                        _ => None,
                    }}
                </div>
            </header>
        }
}

#[component]
fn SignedInHeader(me: Me) -> impl IntoView {
    let auth = use_auth();
    let roles = me
        .roles
        .iter()
        .map(Role::label)
        .collect::<Vec<_>>()
        .join(", ");
    let holds_cases = me.roles.holds_cases();
    let programme = me.roles.sees_every_case();
    let calendar = me.roles.any(&[Role::Administrator, Role::QaManager]);
    let qa = me.roles.has(Role::QaManager);
    let managers = programme || me.roles.any(&[Role::TeamManager, Role::ServiceManager]);
    let audits = holds_cases || me.roles.has(Role::Auditor);
    let unread = me.unread_alerts;
    let learning = programme || me.roles.has(Role::PracticeImprovementTeam);
    view! {
        <div class="header__person">
            <LiveStatus after=me.last_event_id/>
            <span class="header__name" data-testid="signed-in-name">{me.display_name.clone()}</span>
            <span class="header__roles" data-testid="signed-in-roles">{roles}</span>
        </div>
        <nav class="header__nav" aria-label="Main">
            <ul>
                <li><A href="/" exact=true>"Home"</A></li>
                {holds_cases.then(|| view! { <li><A href="/cases">"Cases"</A></li> })}
                {audits.then(|| view! { <li><A href="/audits">"Audits"</A></li> })}
                {managers.then(|| view! { <li><A href="/dashboard">"Dashboard"</A></li> })}
                {managers.then(|| view! { <li><A href="/action-reviews">"Action reviews"</A></li> })}
                {programme.then(|| view! { <li><A href="/rounds">"Rounds"</A></li> })}
                {programme.then(|| view! { <li><A href="/moderation">"Moderation"</A></li> })}
                <li><A href="/make-a-difference">"Make A Difference"</A></li>
                {learning.then(|| view! { <li><A href="/reports">"Learning"</A></li> })}
                {(!learning).then(|| view! { <li><A href="/sessions">"Sessions"</A></li> })}
                {(managers && !programme).then(|| view! { <li><A href="/moderation/results">"Moderation results"</A></li> })}
                {qa.then(|| view! { <li><A href="/imports">"Imports"</A></li> })}
                {qa.then(|| view! { <li><A href="/templates">"Audit form"</A></li> })}
                {calendar.then(|| view! { <li><A href="/directory">"Directory"</A></li> })}
                {calendar.then(|| view! { <li><A href="/calendar">"Calendar"</A></li> })}
                {me.roles.has(Role::Administrator).then(|| view! { <li><A href="/people">"People"</A></li> })}
                {me.roles.has(Role::Administrator).then(|| view! { <li><A href="/outbox">"Email"</A></li> })}
                {calendar.then(|| view! { <li><A href="/access-log">"Access log"</A></li> })}
                <li>
                    <A href="/tray">
                        "My tray"
                        <TrayCount unread/>
                    </A>
                </li>
                <li><A href="/account">"Your account"</A></li>
                <li>
                    <Form action=auth.sign_out attr:class="inline-form">
                        <button type="submit" class="link-button">"Sign out"</button>
                    </Form>
                </li>
            </ul>
        </nav>
    }
}

/// The live stream's state, shown discreetly in the header. Opens the tab's stream.
#[island]
fn LiveStatus(after: i64) -> impl IntoView {
    let (_, state) = crate::live::signals();
    #[cfg(feature = "hydrate")]
    crate::live::connect_once(after);
    #[cfg(not(feature = "hydrate"))]
    let _ = after;
    view! {
        <span class="header__live" data-testid="live-state" aria-live="polite">{move || match state.get() {
            crate::live::LiveState::Live => "Live",
            crate::live::LiveState::Connecting => "",
            crate::live::LiveState::Reconnecting => "Reconnecting…",
        }}</span>
    }
}

/// The tray's unread count in the header: the page's own count until a live event says to
/// ask again.
#[island]
fn TrayCount(unread: i64) -> impl IntoView {
    let (live, _) = crate::live::signals();
    let count = RwSignal::new(unread);
    Effect::new(move |seen: Option<u64>| {
        let now = live.get();
        if seen.is_some_and(|seen| seen != now) {
            leptos::task::spawn_local(async move {
                if let Ok(Some(me)) = crate::auth::current_user().await {
                    count.set(me.unread_alerts);
                }
            });
        }
        now
    });
    move || unread_badge(count.get())
}

fn unread_badge(unread: i64) -> impl IntoView {
    (unread > 0).then(|| {
        view! {
            <span class="count" data-testid="unread-count" aria-label=format!("{unread} unread")>{unread}</span>
        }
    })
}

/// Sends the browser to `path`: the page's redirect on the server, and in an island (where
/// there is no router) a change of address.
#[component]
pub fn Redirect(#[prop(into)] path: String) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| go_to(&path));
    #[cfg(not(feature = "hydrate"))]
    view! { <leptos_router::components::Redirect path/> }
}

#[cfg(feature = "hydrate")]
thread_local! {
    static LEAVING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Leaves the page for `path`, once: a second call (a form's redirect, then the page seeing
/// who is signed in change) would cancel the first navigation.
#[cfg(feature = "hydrate")]
pub fn go_to(path: &str) {
    if !LEAVING.with(|leaving| leaving.replace(true)) {
        let _ = window().location().set_href(path);
    }
}

/// Stops any other code from leaving the page (a server function's redirect), for code that
/// is about to leave itself: it then calls [`leave_now`].
#[cfg(feature = "hydrate")]
pub fn hold_navigation() {
    LEAVING.with(|leaving| leaving.set(true));
}

#[cfg(feature = "hydrate")]
pub fn leave_now(path: &str) {
    hold_navigation();
    let _ = window().location().set_href(path);
}

/// Where a server function's redirect goes (the tab's redirect hook): to another page, or
/// nowhere when it names the page already shown, whose island refetches its data itself and
/// keeps the form's answer on screen.
#[cfg(feature = "hydrate")]
pub fn follow_redirect(path: &str) {
    let location = window().location();
    let here = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if path != here {
        go_to(path);
    }
}

/// Renders `render(me)` for a signed-in person; sends anyone else to the sign-in page. In
/// an island, the person is the one the page was drawn for (`enter_island`): the server has
/// already sent anyone else away.
#[component]
pub fn SignedIn<F, V>(render: F) -> impl IntoView
where
    F: Fn(Me) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    if let Some(me) = use_context::<Me>() {
        return render(me).into_any();
    }
    #[cfg(feature = "hydrate")]
    return ().into_any();
    #[cfg(not(feature = "hydrate"))]
    match use_auth().me {
        Ok(Some(me)) => {
            // For what the page draws inside, as in an island.
            provide_context(me.clone());
            render(me).into_any()
        }
        Ok(None) => view! { <Redirect path="/sign-in"/> }.into_any(),
        Err(error) => view! { <ErrorView error/> }.into_any(),
    }
}

/// A server function's error as a page section, with the right HTTP status.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    set_page_status(error.status());
    match error {
        AppError::SignInRequired => view! { <Redirect path="/sign-in"/> }.into_any(),
        AppError::Forbidden => view! { <ForbiddenPage/> }.into_any(),
        AppError::NotFound => view! { <NotFoundPage/> }.into_any(),
        other => view! {
            <Title text="There is a problem"/>
            <div class="notification notification--error" role="alert" data-testid="error-message">
                <h1 class="heading-l">"There is a problem"</h1>
                <p>{other.to_string()}</p>
            </div>
        }
        .into_any(),
    }
}

#[component]
pub fn ForbiddenPage() -> impl IntoView {
    set_page_status(403);
    view! {
        <Title text="You do not have access"/>
        <h1 class="heading-l" data-testid="forbidden">"You do not have access to this page"</h1>
        <p>
            "Case records are open only to people with a need to know: the allocated key worker, "
            "their Team Manager and Service Manager, the IRO or CP Chair, and the audit programme's managers."
        </p>
        <p>"If you think you should have access, ask your Team Manager or the QA team."</p>
        <p><a href="/">"Go to your home page"</a></p>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_page_status(404);
    view! {
        <Title text="Page not found"/>
        <h1 class="heading-l" data-testid="not-found">"Page not found"</h1>
        <p>"If you typed the web address, check it is correct. If you followed a link, it may be out of date."</p>
        <p>
            "Case records and audits are open only to people with a need to know, and a record you may not see "
            "is not found here either. If you think you should have access, ask your Team Manager or the QA team."
        </p>
        <p><a href="/">"Go to your home page"</a></p>
    }
}

/// Notes that the page's islands have hydrated: what the end-to-end tests and the
/// first-load benchmark wait for. Islands hydrate in the page's order, each lazy one once its
/// chunk has arrived, and this one is last on every page.
#[island]
pub fn Hydrated() -> impl IntoView {
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsValue;
            let _ = leptos::web_sys::js_sys::Reflect::set(
                &window(),
                &"__practiceAuditHydrated".into(),
                &JsValue::TRUE,
            );
        }
    });
}

/// *Previous page* and *Next page* under a paged list (plain links, so they work before the
/// WebAssembly loads); nothing when there is one page. `href` makes a page's address.
#[component]
pub fn Pagination(page: u32, pages: u32, href: impl Fn(u32) -> String) -> impl IntoView {
    (pages > 1).then(|| {
        let prev = (page > 1).then(|| href(page - 1));
        let next = (page < pages).then(|| href(page + 1));
        view! {
            <nav class="pagination" aria-label="Pages">
                {prev.map(|h| view! { <a rel="prev" href=h>"Previous page"</a> })}
                {next.map(|h| view! { <a rel="next" href=h>"Next page"</a> })}
            </nav>
        }
    })
}

/// A date as every page writes it ("31 January 2027"), from the form's ISO text; anything
/// else (a half-typed date in a draft) is shown as it is, and nothing as "Not set".
pub fn long_date(iso: &str) -> String {
    match chrono::NaiveDate::parse_from_str(iso.trim(), "%Y-%m-%d") {
        Ok(d) => d.format("%-d %B %Y").to_string(),
        Err(_) if iso.trim().is_empty() => "Not set".into(),
        Err(_) => iso.to_string(),
    }
}

/// A table that may be wider than the screen: it scrolls sideways inside its own region,
/// which keyboard users can reach and screen readers announce, with a shadow at the edge
/// that has more (see `.table-wrap` in the stylesheet).
#[component]
pub fn TableWrap(children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
            {children()}
        </div>
    }
}

/// The error summary at the top of a form: each message links to its field. It takes the
/// focus when it appears, as GOV.UK's does, unless `keep_focus` (an autosave's problems
/// appear while the person is still typing).
#[component]
pub fn ErrorSummary(errors: Vec<FieldError>, #[prop(optional)] keep_focus: bool) -> impl IntoView {
    let summary = NodeRef::<leptos::html::Div>::new();
    if !keep_focus {
        Effect::new(move |_| {
            if let Some(el) = summary.get() {
                let _ = el.focus();
            }
        });
    }
    (!errors.is_empty()).then(|| {
        view! {
            <div class="error-summary" role="alert" tabindex="-1" data-testid="error-summary" node_ref=summary>
                <h2 class="error-summary__title">"There is a problem"</h2>
                <ul class="error-summary__list">
                    {errors
                        .into_iter()
                        .map(|e| {
                            let href = format!("#{}", e.field);
                            let field = e.field.clone();
                            view! { <li><a href=href on:click=move |ev| focus_field(ev, &field)>{e.message}</a></li> }
                        })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}

/// Moves focus to the field itself, not just its position, as the GOV.UK error summary does.
/// Before the WebAssembly loads, the link's own jump to the field still works.
fn focus_field(ev: leptos::ev::MouseEvent, field: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(input) = document()
        .get_element_by_id(field)
        .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        ev.prevent_default();
        let _ = input.focus();
    }
}

/// The problems an action's last answer had, for the error summary and the fields. An error
/// that is not about a field (e.g. no access) is shown in the summary alone.
pub fn form_errors<T>(value: Option<Result<T, AppError>>) -> Vec<FieldError> {
    match value {
        Some(Err(AppError::Invalid(errors))) => errors,
        Some(Err(other)) => vec![FieldError::new("", other.to_string())],
        _ => Vec::new(),
    }
}

/// A form's problems: its answer in this page, or before it has answered, the error a
/// plain post (before the WebAssembly loaded) brought back in the URL.
pub fn answer_errors<T>(
    answer: Option<Result<T, AppError>>,
    from_url: impl Fn() -> Option<AppError>,
) -> Vec<FieldError> {
    match answer {
        Some(answer) => form_errors(Some(answer)),
        None => form_errors::<()>(from_url().map(Err)),
    }
}

/// The error a server function sent back in the URL after a plain form post (before the
/// WebAssembly loads, the framework redirects back with `__path` and `__err`). Only errors
/// from `paths` count, so a stale URL from another form shows nothing.
pub fn url_error(
    paths: &'static [&'static str],
) -> impl Fn() -> Option<AppError> + Copy + Send + Sync + 'static {
    let error = route::url_error(&use_route(), paths);
    let error = StoredValue::new(error);
    move || error.get_value()
}

/// Which of a page's forms answered last (its index), so the error summary shows that
/// form's problems only: a refusal must not linger after another form succeeds. `None`
/// until one answers in this page's life.
pub fn last_answered(versions: Vec<RwSignal<usize>>) -> Signal<Option<usize>> {
    let last = RwSignal::new(None);
    for (i, version) in versions.into_iter().enumerate() {
        Effect::new(move |seen: Option<usize>| {
            let now = version.get();
            if seen.is_some_and(|s| s != now) {
                last.set(Some(i));
            }
            now
        });
    }
    last.into()
}

/// The message for one field, if it has one.
pub fn field_error(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.clone())
}

/// A field's error message beside it, when the form's last answer named that field.
pub fn error_line(
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
    field: impl Into<String>,
) -> impl IntoView {
    let field = field.into();
    move || {
        field_error(&errors(), &field).map(|m| {
            view! { <p class="error-message" id=format!("{field}-error")><span class="visually-hidden">"Error: "</span>{m}</p> }
        })
    }
}

/// The learning pages' own navigation: reports, themes, sessions and the newsletter.
#[component]
pub fn LearningNav(current: &'static str) -> impl IntoView {
    let links = [
        ("/reports", "Summary reports"),
        ("/themes", "Themes"),
        ("/sessions", "Sessions"),
        ("/newsletters", "Newsletter"),
    ];
    view! {
        <nav class="sub-nav no-print" aria-label="Learning from audits">
            <ul>
                {links.into_iter().map(|(href, label)| view! {
                    <li><a href=href aria-current=(href == current).then_some("page")>{label}</a></li>
                }).collect_view()}
            </ul>
        </nav>
    }
}

/// A coloured status label.
#[component]
pub fn Tag(#[prop(into)] text: String, #[prop(optional)] colour: &'static str) -> impl IntoView {
    let class = if colour.is_empty() {
        "tag".to_string()
    } else {
        format!("tag tag--{colour}")
    };
    view! { <strong class=class>{text}</strong> }
}

// ---- audits in lists, shared by the audits, rounds and dashboard pages ----

use crate::domain::audit::{AuditState, AuditSummary, Deadline};

pub fn state_tag(state: AuditState) -> impl IntoView {
    let colour = match state {
        AuditState::Selected | AuditState::Assigned => "grey",
        AuditState::Completed | AuditState::FiledToRecord => "green",
        _ => "blue",
    };
    view! { <Tag text=state.label() colour=colour/> }
}

pub fn deadline_tag(deadline: Deadline) -> impl IntoView {
    match deadline {
        Deadline::Overdue => Some(view! { <Tag text="Overdue" colour="red"/> }),
        Deadline::DueSoon => Some(view! { <Tag text="Due soon" colour="yellow"/> }),
        _ => None,
    }
}

#[component]
pub fn AuditTable(list: Vec<AuditSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="audits-table">
            <thead><tr>
                <th scope="col">"Case"</th>
                <th scope="col">"Round"</th>
                <th scope="col">"Status"</th>
                <th scope="col">"Waiting on you"</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|a| view! {
                    <tr>
                        <td><a href=format!("/audits/{}", a.id)>{a.child_unique_id}</a><br/><span class="hint">{a.team}</span></td>
                        <td>{a.month}<br/><span class="hint">{format!("due {}", a.due_on.format("%-d %B"))}</span></td>
                        <td>{state_tag(a.state)} " " {deadline_tag(a.deadline)}</td>
                        <td>{a.waiting_on_you.unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

/// A labelled text input with its hint and its error beside it (GOV.UK's text input).
#[component]
pub fn InputField(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    /// The input's type; text when empty.
    #[prop(optional)]
    kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    let described = {
        let (hint_id, error_id, has_hint) = (hint_id.clone(), error_id.clone(), hint.is_some());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="form-group" class:form-group--error=move || error.get().is_some()>
            <label class="label" for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            {move || error.get().map(|m| view! {
                <p class="error-message" id=error_id.clone()><span class="visually-hidden">"Error: "</span>{m}</p>
            })}
            <input
                class="input"
                id=id
                name=name
                type=if kind.is_empty() { "text" } else { kind }
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                spellcheck="false"
                value=value
                aria-describedby=described
            />
        </div>
    }
}

/// An upload's problems, each located by sheet, row and column as the spreadsheet shows them.
#[component]
pub fn ProblemTable(problems: Vec<crate::domain::annex_import::Problem>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table">
            <thead><tr>
                <th scope="col">"Sheet"</th>
                <th scope="col">"Row"</th>
                <th scope="col">"Column"</th>
                <th scope="col">"Problem"</th>
            </tr></thead>
            <tbody>
                {problems.into_iter().map(|p| view! {
                    <tr>
                        <td>{p.sheet.unwrap_or_default()}</td>
                        <td>{p.row.map(|r| r.to_string()).unwrap_or_default()}</td>
                        <td>{p.column.unwrap_or_default()}</td>
                        <td>{p.message}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[cfg(test)]
mod tests {
    use super::long_date;

    #[test]
    fn dates_are_written_long_and_anything_else_as_it_is() {
        assert_eq!(long_date("2027-01-31"), "31 January 2027");
        assert_eq!(long_date(" "), "Not set");
        assert_eq!(long_date("31/01"), "31/01");
    }
}

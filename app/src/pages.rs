//! Every page of the app, as the routes name it, and the islands drawn in them.
//!
//! Pages are drawn on the server; only islands are sent to the browser as WebAssembly. A
//! page whose whole body is interactive (its forms, its live data) is one [`Island`]. Its
//! code is loaded with its group's (the audit work, a round's set-up, oversight, learning,
//! administration…), one chunk for the group (`cargo leptos --split`), when a page of the
//! group is first shown. Groups, not single islands: code shared by many islands would
//! otherwise be cut into hundreds of small chunks, one request each (the audit page needed
//! 275).
//!
//! A page that is mostly read, with forms among what it shows (the audit page), is drawn on
//! the server, and each of its forms is an island with props of its own
//! (`part_island_groups!`), so the browser loads only the forms' code.
//!
//! Every route's view is one type, [`PageView`], naming its page as a value. With a type per
//! route, the router's matching code was compiled once per route, 46 times.

use crate::auth::Me;
use crate::ui::Route;
use leptos::prelude::*;
use leptos_router::ChooseView;

macro_rules! page_groups {
    ($($group:ident { $($route:ident => $page:path,)* })*) => {
        /// Every page of the app, as a route names it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Page { $($($route,)*)* }

        impl Page {
            fn view(self) -> AnyView {
                match self {
                    $($(Page::$route => $page().into_any(),)*)*
                }
            }
        }
    };
}

/// A route's view: its page, then the marker that its islands have hydrated.
#[derive(Clone, Copy, Debug)]
pub struct PageView(pub Page);

impl ChooseView for PageView {
    async fn choose(self) -> AnyView {
        view! { {self.0.view()} <crate::ui::Hydrated/> }.into_any()
    }

    async fn preload(&self) {}
}

page_groups! {
    signing_in {
        SignIn => crate::auth::SignInPage,
        SetPassword => crate::auth::SetPasswordPage,
        ForgotPassword => crate::auth::ForgotPasswordPage,
    }
    everyday {
        Home => crate::home::HomePage,
        Tray => crate::trays::TrayPage,
        Account => crate::auth::AccountPage,
    }
    audit_work {
        Audits => crate::audits::AuditsPage,
        Audit => crate::audits::AuditPage,
        AuditRecord => crate::audits::AuditRecordPage,
        ActionReview => crate::action_reviews::ActionReviewPage,
        AuditModeration => crate::moderation::AuditModerationPage,
        AuditThemes => crate::themes::AuditThemesPage,
        Cases => crate::cases::CasesPage,
        Case => crate::cases::CasePage,
    }
    round_work {
        Rounds => crate::rounds::RoundsPage,
        Round => crate::rounds::RoundPage,
        Calendar => crate::calendar::CalendarPage,
        Imports => crate::imports::ImportsPage,
        Import => crate::imports::ImportPage,
        Directory => crate::directory::DirectoryPage,
        Template => crate::audits::TemplatePage,
    }
    oversight {
        Dashboard => crate::dashboard::DashboardPage,
        DashboardList => crate::dashboard::DashboardListPage,
        Moderation => crate::moderation::ModerationPage,
        ModerationResults => crate::moderation::ModerationResultsPage,
        ModerationRound => crate::moderation::ModerationRoundPage,
        ActionReviews => crate::action_reviews::ActionReviewsPage,
    }
    learning {
        Reports => crate::reports::ReportsPage,
        Report => crate::reports::ReportPage,
        ReportPrint => crate::reports::ReportPrintPage,
        Newsletters => crate::reports::NewslettersPage,
        Newsletter => crate::reports::NewsletterPage,
        Themes => crate::themes::ThemesPage,
        Theme => crate::themes::ThemePage,
        Sessions => crate::sessions::SessionsPage,
        Session => crate::sessions::SessionPage,
        SessionFeedback => crate::sessions::SessionFeedbackPage,
        Library => crate::difference::LibraryPage,
        Difference => crate::difference::DifferencePage,
    }
    administration {
        People => crate::people::PeoplePage,
        AddPerson => crate::people::AddPersonPage,
        StaffImport => crate::people::StaffImportPage,
        Person => crate::people::PersonPage,
        OpenWork => crate::people::OpenWorkPage,
        AccessLog => crate::access_log::AccessLogPage,
        Outbox => crate::outbox::OutboxPage,
    }
}

/// What an island is given: its route, who is signed in (none on the pages for signing in),
/// and its own props (none, `()`, for a page's island).
#[derive(serde::Serialize, serde::Deserialize)]
struct Props<P> {
    route: Route,
    me: Option<Me>,
    data: P,
}

/// The island around a page's body: on the server its HTML with its props; in the browser,
/// the same view to hydrate that HTML. As `#[island]` makes it, with the code to hydrate it
/// chosen by group rather than one chunk per island.
fn wrap<P, V, F>(
    name: &'static str,
    route: Route,
    me: Option<Me>,
    data: P,
    body: F,
) -> impl IntoView
where
    P: serde::Serialize + 'static,
    V: IntoView + 'static,
    F: FnOnce(Route, Option<Me>, P) -> V + 'static,
{
    use leptos::reactive::owner::Owner;
    use leptos::tachys::html::islands::Island as Wrapper;
    use leptos::tachys::reactive_graph::OwnedView;
    #[cfg(not(feature = "hydrate"))]
    let props = serde_json::to_string(&Props {
        route: route.clone(),
        me: me.clone(),
        data: &data,
    })
    .unwrap_or_default();
    #[cfg(feature = "hydrate")]
    let props = String::new();
    let view = untrack(move || {
        Owner::new().with(|| {
            provide_context(crate::codec::InIsland);
            Owner::with_hydration(move || OwnedView::new(body(route, me, data)))
        })
    });
    Wrapper::new(name, view).with_props(props)
}

/// Hydrates the island at `el` from the props the server gave it. Props that do not read
/// leave the page as the server drew it: its forms still post.
#[cfg(feature = "hydrate")]
fn hydrate<P, V, F>(el: &leptos::web_sys::HtmlElement, name: &'static str, body: F)
where
    P: serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
    F: FnOnce(Route, Option<Me>, P) -> V + 'static,
{
    use leptos::tachys::view::{Position, RenderHtml};
    let Some(props) = el
        .dataset()
        .get("props")
        .and_then(|data| serde_json::from_str::<Props<P>>(&data).ok())
    else {
        leptos::logging::error!("the island {name} has props that do not read");
        return;
    };
    let state = wrap(name, props.route, props.me, props.data, body)
        .into_view()
        .hydrate_from_position::<true>(el, Position::Current);
    // Islands live as long as the page.
    std::mem::forget(state);
}

/// Names a group's chunks in the page's head (as Leptos does for lazy routes it loads on
/// the server), so the browser fetches them beside the main file rather than after it. The
/// split's manifest names each lazily loaded function `<group>_<hash>`.
#[cfg(feature = "ssr")]
fn preload_group(group: &'static str) {
    use leptos_meta::Link;
    use std::collections::HashMap;
    // A page may draw several islands of one group (the audit page's forms): name its
    // chunks once.
    if let Some(named) = use_context::<PreloadedGroups>() {
        let mut named = named.0.lock().unwrap_or_else(|e| e.into_inner());
        if named.contains(&group) {
            return;
        }
        named.push(group);
    }
    type Manifest = (String, HashMap<String, Vec<String>>, String);
    static MANIFEST: std::sync::OnceLock<Option<Manifest>> = std::sync::OnceLock::new();
    // The server's own settings, as it read them at start (the page's context has none).
    let Some((pkg, manifest, split_js)) = MANIFEST.get_or_init(|| {
        let options = leptos::config::get_configuration(None).ok()?.leptos_options;
        read_manifest(&options)
    }) else {
        return;
    };
    let Some(chunks) = manifest.iter().find_map(|(name, chunks)| {
        let hash = name.strip_prefix(group)?.strip_prefix('_')?;
        hash.bytes().all(|b| b.is_ascii_digit()).then_some(chunks)
    }) else {
        return;
    };
    let nonce = leptos::nonce::use_nonce()
        .map(|n| n.to_string())
        .unwrap_or_default();
    for chunk in chunks {
        let _ = view! {
            <Link rel="preload" href=format!("/{pkg}/{chunk}.wasm") as_="fetch"
                type_="application/wasm" crossorigin=nonce.clone()/>
        }
        .to_html();
    }
    let _ =
        view! { <Link rel="modulepreload" href=format!("/{pkg}/{split_js}") crossorigin=nonce/> }
            .to_html();
}

/// The island groups whose chunks the page's head already names, for each page drawn
/// (provided by `App`).
#[cfg(feature = "ssr")]
#[derive(Clone, Default)]
pub struct PreloadedGroups(std::sync::Arc<std::sync::Mutex<Vec<&'static str>>>);

/// The split's manifest and loader, under the names the build gave them (`hash.txt` beside
/// the server, as Leptos reads it).
#[cfg(feature = "ssr")]
fn read_manifest(
    options: &LeptosOptions,
) -> Option<(
    String,
    std::collections::HashMap<String, Vec<String>>,
    String,
)> {
    let (mut manifest, mut split) = (
        "__wasm_split_manifest.json".to_string(),
        "__wasm_split.______________________.js".to_string(),
    );
    if options.hash_files {
        let hashes = std::env::current_exe()
            .ok()?
            .parent()?
            .join(options.hash_file.as_ref());
        for line in std::fs::read_to_string(hashes).ok()?.lines() {
            match line.split_once(':') {
                Some(("manifest", hash)) => {
                    manifest = format!("__wasm_split_manifest.{}.json", hash.trim())
                }
                Some(("split", hash)) => split = format!("__wasm_split.{}.js", hash.trim()),
                _ => {}
            }
        }
    }
    let pkg = options.site_pkg_dir.to_string();
    let path = std::path::Path::new(&*options.site_root)
        .join(&pkg)
        .join(manifest);
    let manifest = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    Some((pkg, manifest, split))
}

macro_rules! island_groups {
    ($($group:ident { $($island:ident => $body:path,)* })*) => {
        /// Every page drawn as one island, as its route's component names it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Island { $($($island,)*)* }

        impl Island {
            /// The island as the server draws it. The page's head then names its group's
            /// chunks, so the browser fetches them beside the main file, not after it.
            pub fn draw(self, route: Route, me: Option<Me>) -> AnyView {
                match self {
                    $($(Island::$island => {
                        #[cfg(feature = "ssr")]
                        preload_group(stringify!($group));
                        wrap(stringify!($island), route, me, (), |route, me, ()| $body(route, me))
                            .into_any()
                    })*)*
                }
            }
        }

        $(
            #[allow(non_snake_case)]
            #[cfg(feature = "hydrate")]
            mod $group {
                use super::*;
                lazy_group!($group { $($island => |route, me, ()| $body(route, me),)* });
            }
        )*
    };
}

/// Islands that are parts of a page drawn on the server (its forms), each with props of its
/// own: `group::Island(route, me, props)` draws one.
macro_rules! part_island_groups {
    ($($group:ident { $($island:ident($props:ty) => $body:path,)* })*) => {
        $(
            #[allow(non_snake_case)]
            pub mod $group {
                use super::*;
                $(
                    /// The island as the server draws it (see [`Island::draw`]).
                    pub fn $island(route: Route, me: Option<Me>, props: $props) -> AnyView {
                        #[cfg(feature = "ssr")]
                        preload_group(stringify!($group));
                        wrap(stringify!($island), route, me, props, $body).into_any()
                    }
                )*
                #[cfg(feature = "hydrate")]
                mod load {
                    use super::*;
                    lazy_group!($group { $($island => $body,)* });
                }
            }
        )*
    };
}

/// One lazily loaded function per group hydrates any of its islands; for each island, the
/// function the page's script calls by the island's name.
#[cfg(feature = "hydrate")]
macro_rules! lazy_group {
    ($group:ident { $($island:ident => $body:expr,)* }) => {
        #[derive(Clone, Copy)]
        enum Member { $($island,)* }

        #[leptos::lazy]
        fn $group(member: Member, el: leptos::web_sys::HtmlElement) {
            match member {
                $(Member::$island => hydrate(&el, stringify!($island), $body),)*
            }
        }

        $(
            #[leptos::wasm_bindgen::prelude::wasm_bindgen(
                wasm_bindgen = leptos::wasm_bindgen,
                wasm_bindgen_futures = leptos::__reexports::wasm_bindgen_futures
            )]
            pub async fn $island(el: leptos::web_sys::HtmlElement) {
                $group(Member::$island, el).await
            }
        )*
    };
}

island_groups! {
    signing_in {
        SignIn => crate::auth::page::sign_in_page,
        SetPassword => crate::auth::password_pages::set_password_page,
        ForgotPassword => crate::auth::password_pages::forgot_password_page,
    }
    everyday {
        Waiting => crate::home::waiting_panel,
        Tray => crate::trays::tray_page,
        Account => crate::auth::password_pages::account_page,
    }
    audit_work {
        ActionReview => crate::action_reviews::page::action_review_page,
        AuditModeration => crate::moderation::page::audit_moderation_page,
        AuditThemes => crate::themes::page::audit_themes_page,
        Case => crate::cases::page::case_page,
    }
    round_work {
        Rounds => crate::rounds::page::rounds_page,
        Round => crate::rounds::page::round_page,
        Calendar => crate::calendar::page::calendar_page,
        Import => crate::imports::page::import_page,
        Directory => crate::directory::page::directory_page,
        Template => crate::audits::template::template_page,
    }
    oversight {
        Dashboard => crate::dashboard::page::dashboard_page,
        DashboardList => crate::dashboard::page::dashboard_list_page,
        Moderation => crate::moderation::page::moderation_page,
        ModerationRound => crate::moderation::page::moderation_round_page,
        ActionReviews => crate::action_reviews::page::action_reviews_page,
    }
    learning {
        Reports => crate::reports::page::reports_page,
        Report => crate::reports::page::report_page,
        Newsletters => crate::reports::page::newsletters_page,
        Newsletter => crate::reports::page::newsletter_page,
        Themes => crate::themes::page::themes_page,
        Theme => crate::themes::page::theme_page,
        Sessions => crate::sessions::page::sessions_page,
        Session => crate::sessions::page::session_page,
        SessionFeedback => crate::sessions::page::session_feedback_page,
        Library => crate::difference::page::library_page,
        Difference => crate::difference::page::difference_page,
    }
    administration {
        People => crate::people::page::people_page,
        AddPerson => crate::people::page::add_person_page,
        StaffImport => crate::people::page::staff_import_page,
        Person => crate::people::page::person_page,
        Outbox => crate::outbox::outbox_page,
    }
}

part_island_groups! {
    audit_page {
        AuditProblems(()) => crate::audits::forms::audit_problems,
        AcceptTime(crate::audits::forms::TimeProps) => crate::audits::forms::accept_time,
        ProposeTimes(crate::audits::forms::ProposeProps) => crate::audits::forms::propose_times,
        DiscussionHeld(crate::audits::forms::HeldProps) => crate::audits::forms::discussion_held,
        AuditForm(crate::audits::forms::AuditFormProps) => crate::audits::forms::audit_form,
        Feedback(crate::audits::forms::FeedbackProps) => crate::audits::forms::feedback,
        ConfirmFindings(i64) => crate::audits::forms::confirm_findings,
        MarkUploaded(i64) => crate::audits::forms::mark_uploaded,
        AuditSeenBy(i64) => crate::audits::forms::seen_by,
    }
}

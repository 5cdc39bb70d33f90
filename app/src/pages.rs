//! Every page is a lazily loaded route. Built with `cargo leptos --split`, the pages' code
//! is split from the app's frame into one WebAssembly chunk per group of pages used together
//! (the audit work, a round's set-up, oversight, learning, administration…), fetched when a
//! page of the group is first shown. The server names a page's chunks in its HTML, so the
//! browser fetches them beside the main file.
//!
//! Groups, not single pages: code shared by many pages would otherwise be cut into hundreds
//! of small chunks, one request each (the audit form needed 294: 10 s on a slow line, against
//! 3 s for the grouped build; see the README's first-load figures).
//!
//! Every route's view is one type, [`PageView`], naming its page as a value. With a type per
//! route (Leptos's `Lazy<T>`), the router's matching and loading code was compiled once per
//! route, 46 times, into the main file that every page loads.

use leptos::prelude::*;
use leptos_router::ChooseView;

macro_rules! page_groups {
    ($($group:ident: $load:ident, $preload:ident { $($route:ident => $page:path,)* })*) => {
        /// Every page of the app, as a route names it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Page { $($($route,)*)* }

        impl Page {
            /// The page, from its group's chunk.
            async fn load(self) -> AnyView {
                match self {
                    $($(Page::$route => $group::$load($group::Page::$route).await,)*)*
                }
            }

            /// Fetches the page's group's chunk.
            #[cfg(target_arch = "wasm32")]
            async fn preload(self) {
                match self {
                    $($(Page::$route => $group::$preload().await,)*)*
                }
            }
        }

        $(
            mod $group {
                use super::*;

                #[derive(Clone, Copy)]
                pub enum Page { $($route,)* }

                /// The group's chunk: every page of the group, chosen by `page`.
                #[leptos::lazy]
                pub async fn $load(page: Page) -> AnyView {
                    match page {
                        $(Page::$route => $page().into_any(),)*
                    }
                }
            }
        )*
    };
}

/// A route's view: its page, loaded with its group's chunk.
#[derive(Clone, Copy, Debug)]
pub struct PageView(pub Page);

impl ChooseView for PageView {
    async fn choose(self) -> AnyView {
        let page = self.0.load().await;
        view! { {page} <crate::ui::Hydrated/> }.into_any()
    }

    // Hydration waits for this, so the page's chunk is there before the server's HTML is
    // taken over (without it the page is drawn twice).
    async fn preload(&self) {
        #[cfg(target_arch = "wasm32")]
        self.0.preload().await;
    }
}

page_groups! {
    signing_in: signing_in_pages, __preload_signing_in_pages {
        SignIn => crate::auth::SignInPage,
        SetPassword => crate::auth::SetPasswordPage,
        ForgotPassword => crate::auth::ForgotPasswordPage,
    }
    everyday: everyday_pages, __preload_everyday_pages {
        Home => crate::home::HomePage,
        Tray => crate::trays::TrayPage,
        Account => crate::auth::AccountPage,
    }
    audit_work: audit_work_pages, __preload_audit_work_pages {
        Audits => crate::audits::AuditsPage,
        Audit => crate::audits::AuditPage,
        AuditRecord => crate::audits::AuditRecordPage,
        ActionReview => crate::action_reviews::ActionReviewPage,
        AuditModeration => crate::moderation::AuditModerationPage,
        AuditThemes => crate::themes::AuditThemesPage,
        Cases => crate::cases::CasesPage,
        Case => crate::cases::CasePage,
    }
    round_work: round_work_pages, __preload_round_work_pages {
        Rounds => crate::rounds::RoundsPage,
        Round => crate::rounds::RoundPage,
        Calendar => crate::calendar::CalendarPage,
        Imports => crate::imports::ImportsPage,
        Import => crate::imports::ImportPage,
        Directory => crate::directory::DirectoryPage,
        Template => crate::audits::TemplatePage,
    }
    oversight: oversight_pages, __preload_oversight_pages {
        Dashboard => crate::dashboard::DashboardPage,
        DashboardList => crate::dashboard::DashboardListPage,
        Moderation => crate::moderation::ModerationPage,
        ModerationResults => crate::moderation::ModerationResultsPage,
        ModerationRound => crate::moderation::ModerationRoundPage,
        ActionReviews => crate::action_reviews::ActionReviewsPage,
    }
    learning: learning_pages, __preload_learning_pages {
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
    administration: administration_pages, __preload_administration_pages {
        People => crate::people::PeoplePage,
        AddPerson => crate::people::AddPersonPage,
        StaffImport => crate::people::StaffImportPage,
        Person => crate::people::PersonPage,
        OpenWork => crate::people::OpenWorkPage,
        AccessLog => crate::access_log::AccessLogPage,
        Outbox => crate::outbox::OutboxPage,
    }
}

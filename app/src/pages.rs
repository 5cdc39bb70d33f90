//! Every page is a lazily loaded route. Built with `cargo leptos --split`, the pages' code
//! is split from the app's frame into one WebAssembly chunk per group of pages used together
//! (the audit work, a round's set-up, oversight, learning, administration…), fetched when a
//! page of the group is first shown. The server names a page's chunks in its HTML, so the
//! browser fetches them beside the main file.
//!
//! Groups, not single pages: code shared by many pages would otherwise be cut into hundreds
//! of small chunks, one request each (the audit form needed 294: 10 s on a slow line, against
//! 3 s for the grouped build; see the README's first-load figures).

use leptos::prelude::*;
use leptos_router::LazyRoute;

macro_rules! page_groups {
    ($($group:ident: $load:ident, $preload:ident { $($route:ident => $page:path,)* })*) => {$(
        pub use $group::{$($route,)*};

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

            $(
                pub struct $route;

                impl LazyRoute for $route {
                    fn data() -> Self {
                        $route
                    }

                    async fn view(_this: Self) -> AnyView {
                        let page = $load(Page::$route).await;
                        view! { {page} <crate::ui::Hydrated/> }.into_any()
                    }

                    // Hydration waits for this, so the page's chunk is there before the
                    // server's HTML is taken over (without it the page is drawn twice).
                    async fn preload() {
                        #[cfg(target_arch = "wasm32")]
                        $preload().await;
                    }
                }
            )*
        }
    )*};
}

page_groups! {
    signing_in: signing_in_pages, __preload_signing_in_pages {
        SignInPageRoute => crate::auth::SignInPage,
        SetPasswordPageRoute => crate::auth::SetPasswordPage,
        ForgotPasswordPageRoute => crate::auth::ForgotPasswordPage,
    }
    everyday: everyday_pages, __preload_everyday_pages {
        HomePageRoute => crate::home::HomePage,
        TrayPageRoute => crate::trays::TrayPage,
        AccountPageRoute => crate::auth::AccountPage,
    }
    audit_work: audit_work_pages, __preload_audit_work_pages {
        AuditsPageRoute => crate::audits::AuditsPage,
        AuditPageRoute => crate::audits::AuditPage,
        AuditRecordPageRoute => crate::audits::AuditRecordPage,
        ActionReviewPageRoute => crate::action_reviews::ActionReviewPage,
        AuditModerationPageRoute => crate::moderation::AuditModerationPage,
        AuditThemesPageRoute => crate::themes::AuditThemesPage,
        CasesPageRoute => crate::cases::CasesPage,
        CasePageRoute => crate::cases::CasePage,
    }
    round_work: round_work_pages, __preload_round_work_pages {
        RoundsPageRoute => crate::rounds::RoundsPage,
        RoundPageRoute => crate::rounds::RoundPage,
        CalendarPageRoute => crate::calendar::CalendarPage,
        ImportsPageRoute => crate::imports::ImportsPage,
        ImportPageRoute => crate::imports::ImportPage,
        DirectoryPageRoute => crate::directory::DirectoryPage,
        TemplatePageRoute => crate::audits::TemplatePage,
    }
    oversight: oversight_pages, __preload_oversight_pages {
        DashboardPageRoute => crate::dashboard::DashboardPage,
        DashboardListPageRoute => crate::dashboard::DashboardListPage,
        ModerationPageRoute => crate::moderation::ModerationPage,
        ModerationResultsPageRoute => crate::moderation::ModerationResultsPage,
        ModerationRoundPageRoute => crate::moderation::ModerationRoundPage,
        ActionReviewsPageRoute => crate::action_reviews::ActionReviewsPage,
    }
    learning: learning_pages, __preload_learning_pages {
        ReportsPageRoute => crate::reports::ReportsPage,
        ReportPageRoute => crate::reports::ReportPage,
        ReportPrintPageRoute => crate::reports::ReportPrintPage,
        NewslettersPageRoute => crate::reports::NewslettersPage,
        NewsletterPageRoute => crate::reports::NewsletterPage,
        ThemesPageRoute => crate::themes::ThemesPage,
        ThemePageRoute => crate::themes::ThemePage,
        SessionsPageRoute => crate::sessions::SessionsPage,
        SessionPageRoute => crate::sessions::SessionPage,
        SessionFeedbackPageRoute => crate::sessions::SessionFeedbackPage,
        LibraryPageRoute => crate::difference::LibraryPage,
        DifferencePageRoute => crate::difference::DifferencePage,
    }
    administration: administration_pages, __preload_administration_pages {
        PeoplePageRoute => crate::people::PeoplePage,
        AddPersonPageRoute => crate::people::AddPersonPage,
        StaffImportPageRoute => crate::people::StaffImportPage,
        PersonPageRoute => crate::people::PersonPage,
        OpenWorkPageRoute => crate::people::OpenWorkPage,
        AccessLogPageRoute => crate::access_log::AccessLogPage,
        OutboxPageRoute => crate::outbox::OutboxPage,
    }
}

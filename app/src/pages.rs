//! Every page of the app, as the routes name it. Pages are drawn on the server; only their
//! interactive parts (`#[island]` components) are sent to the browser as WebAssembly, each
//! lazily loaded island in its own chunk (`cargo leptos --split`).
//!
//! Every route's view is one type, [`PageView`], naming its page as a value. With a type per
//! route, the router's matching code was compiled once per route, 46 times.

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

/// A route's view: its page, loaded with its group's chunk.
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

//! Practice Audit: the Leptos app shared by the server (feature `ssr`) and the browser (`hydrate`).

// Deeply nested view types (the round and audit pages) need more than the default 128.
#![recursion_limit = "256"]

pub mod access_log;
pub mod action_reviews;
pub mod audits;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod dashboard;
pub mod difference;
pub mod directory;
pub mod domain;
pub mod error;
pub mod home;
pub mod imports;
pub mod live;
pub mod moderation;
pub mod outbox;
pub mod people;
pub mod reports;
pub mod rounds;
pub mod sessions;
pub mod themes;
pub mod trays;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod store;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

pub use error::{AppError, FieldError};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="robots" content="noindex, nofollow"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    auth::provide_auth();

    view! {
        <Stylesheet id="leptos" href="/pkg/practice-audit.css"/>
        <Title formatter=|page: String| format!("{page} – Practice Audit")/>
        <Router>
            <a href="#main-content" class="skip-link">"Skip to main content"</a>
            <ui::Header/>
            <ui::SessionWatch/>
            <main class="page" id="main-content" tabindex="-1">
                // Async rendering, so that 401 / 403 / 404 reach the HTTP status line.
                <Routes fallback=|| view! { <ui::NotFoundPage/> }>
                    <Route path=path!("/sign-in") view=auth::SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/set-password") view=auth::SetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/forgot-password") view=auth::ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=auth::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/people") view=people::PeoplePage ssr=SsrMode::Async/>
                    <Route path=path!("/people/new") view=people::AddPersonPage ssr=SsrMode::Async/>
                    <Route path=path!("/people/imports/:id") view=people::StaffImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/people/:id") view=people::PersonPage ssr=SsrMode::Async/>
                    <Route path=path!("/people/:id/open-work") view=people::OpenWorkPage ssr=SsrMode::Async/>
                    <Route path=path!("/") view=home::HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/cases") view=cases::CasesPage ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id") view=cases::CasePage ssr=SsrMode::Async/>
                    <Route path=path!("/tray") view=trays::TrayPage ssr=SsrMode::Async/>
                    <Route path=path!("/rounds") view=rounds::RoundsPage ssr=SsrMode::Async/>
                    <Route path=path!("/rounds/:id") view=rounds::RoundPage ssr=SsrMode::Async/>
                    <Route path=path!("/calendar") view=calendar::CalendarPage ssr=SsrMode::Async/>
                    <Route path=path!("/audits") view=audits::AuditsPage ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id") view=audits::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id/record") view=audits::AuditRecordPage ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id/actions") view=action_reviews::ActionReviewPage ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id/moderation") view=moderation::AuditModerationPage ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id/themes") view=themes::AuditThemesPage ssr=SsrMode::Async/>
                    <Route path=path!("/reports") view=reports::ReportsPage ssr=SsrMode::Async/>
                    <Route path=path!("/reports/:id") view=reports::ReportPage ssr=SsrMode::Async/>
                    <Route path=path!("/reports/:id/print") view=reports::ReportPrintPage ssr=SsrMode::Async/>
                    <Route path=path!("/newsletters") view=reports::NewslettersPage ssr=SsrMode::Async/>
                    <Route path=path!("/newsletters/:id") view=reports::NewsletterPage ssr=SsrMode::Async/>
                    <Route path=path!("/themes") view=themes::ThemesPage ssr=SsrMode::Async/>
                    <Route path=path!("/themes/:id") view=themes::ThemePage ssr=SsrMode::Async/>
                    <Route path=path!("/sessions") view=sessions::SessionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/sessions/:id") view=sessions::SessionPage ssr=SsrMode::Async/>
                    <Route path=path!("/sessions/:id/feedback") view=sessions::SessionFeedbackPage ssr=SsrMode::Async/>
                    <Route path=path!("/make-a-difference") view=difference::LibraryPage ssr=SsrMode::Async/>
                    <Route path=path!("/make-a-difference/:id") view=difference::DifferencePage ssr=SsrMode::Async/>
                    <Route path=path!("/moderation") view=moderation::ModerationPage ssr=SsrMode::Async/>
                    <Route path=path!("/moderation/results") view=moderation::ModerationResultsPage ssr=SsrMode::Async/>
                    <Route path=path!("/moderation/rounds/:id") view=moderation::ModerationRoundPage ssr=SsrMode::Async/>
                    <Route path=path!("/action-reviews") view=action_reviews::ActionReviewsPage ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard") view=dashboard::DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard/list") view=dashboard::DashboardListPage ssr=SsrMode::Async/>
                    <Route path=path!("/templates") view=audits::TemplatePage ssr=SsrMode::Async/>
                    <Route path=path!("/directory") view=directory::DirectoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/imports") view=imports::ImportsPage ssr=SsrMode::Async/>
                    <Route path=path!("/imports/:id") view=imports::ImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/access-log") view=access_log::AccessLogPage ssr=SsrMode::Async/>
                    <Route path=path!("/outbox") view=outbox::OutboxPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

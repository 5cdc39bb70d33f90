//! Practice Audit: the Leptos app shared by the server (feature `ssr`) and the browser (`hydrate`).

// Deeply nested view types (the round and audit pages) need more than the default 128.
#![recursion_limit = "256"]

pub mod access_log;
pub mod action_reviews;
pub mod audits;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod codec;
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
pub mod pages;
pub mod people;
pub mod ready;
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
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, Lazy, SsrMode,
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
                // No icon file: without this every first visit asks for /favicon.ico and
                // downloads the not-found page.
                <link rel="icon" href="data:,"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
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
        <Title formatter=|page: String| format!("{page} – Practice Audit")/>
        <Router>
            <a href="#main-content" class="skip-link">"Skip to main content"</a>
            <ui::Header/>
            <ui::SessionWatch/>
            <main class="page" id="main-content" tabindex="-1">
                // Async rendering, so that 401 / 403 / 404 reach the HTTP status line.
                <Routes fallback=|| view! { <ui::NotFoundPage/> <ui::Hydrated/> }>
                    <Route path=path!("/sign-in") view={Lazy::<pages::SignInPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/set-password") view={Lazy::<pages::SetPasswordPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/forgot-password") view={Lazy::<pages::ForgotPasswordPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/account") view={Lazy::<pages::AccountPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/people") view={Lazy::<pages::PeoplePageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/people/new") view={Lazy::<pages::AddPersonPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/people/imports/:id") view={Lazy::<pages::StaffImportPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/people/:id") view={Lazy::<pages::PersonPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/people/:id/open-work") view={Lazy::<pages::OpenWorkPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/") view={Lazy::<pages::HomePageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cases") view={Lazy::<pages::CasesPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id") view={Lazy::<pages::CasePageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/tray") view={Lazy::<pages::TrayPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/rounds") view={Lazy::<pages::RoundsPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/rounds/:id") view={Lazy::<pages::RoundPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/calendar") view={Lazy::<pages::CalendarPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/audits") view={Lazy::<pages::AuditsPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id") view={Lazy::<pages::AuditPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id/record") view={Lazy::<pages::AuditRecordPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id/actions") view={Lazy::<pages::ActionReviewPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id/moderation") view={Lazy::<pages::AuditModerationPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id/themes") view={Lazy::<pages::AuditThemesPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/reports") view={Lazy::<pages::ReportsPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/reports/:id") view={Lazy::<pages::ReportPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/reports/:id/print") view={Lazy::<pages::ReportPrintPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/newsletters") view={Lazy::<pages::NewslettersPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/newsletters/:id") view={Lazy::<pages::NewsletterPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/themes") view={Lazy::<pages::ThemesPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/themes/:id") view={Lazy::<pages::ThemePageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/sessions") view={Lazy::<pages::SessionsPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/sessions/:id") view={Lazy::<pages::SessionPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/sessions/:id/feedback") view={Lazy::<pages::SessionFeedbackPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/make-a-difference") view={Lazy::<pages::LibraryPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/make-a-difference/:id") view={Lazy::<pages::DifferencePageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/moderation") view={Lazy::<pages::ModerationPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/moderation/results") view={Lazy::<pages::ModerationResultsPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/moderation/rounds/:id") view={Lazy::<pages::ModerationRoundPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/action-reviews") view={Lazy::<pages::ActionReviewsPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard") view={Lazy::<pages::DashboardPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard/list") view={Lazy::<pages::DashboardListPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/templates") view={Lazy::<pages::TemplatePageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/directory") view={Lazy::<pages::DirectoryPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/imports") view={Lazy::<pages::ImportsPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/imports/:id") view={Lazy::<pages::ImportPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/access-log") view={Lazy::<pages::AccessLogPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/outbox") view={Lazy::<pages::OutboxPageRoute>::new()} ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

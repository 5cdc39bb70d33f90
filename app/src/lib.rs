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
                // No icon file: without this every first visit asks for /favicon.ico and
                // downloads the not-found page.
                <link rel="icon" href="data:,"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options islands=true/>
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
    #[cfg(feature = "ssr")]
    provide_context(pages::PreloadedGroups::default());

    view! {
        <Title formatter=|page: String| format!("{page} – Practice Audit")/>
        <Router>
            <a href="#main-content" class="skip-link">"Skip to main content"</a>
            <ui::Header/>
            <ui::SessionWatch/>
            <main class="page" id="main-content" tabindex="-1">
                // Async rendering, so that 401 / 403 / 404 reach the HTTP status line.
                <Routes fallback=|| view! { <ui::NotFoundPage/> <ui::Hydrated/> }>
                    <Route path=path!("/sign-in") view=pages::PageView(pages::Page::SignIn) ssr=SsrMode::Async/>
                    <Route path=path!("/set-password") view=pages::PageView(pages::Page::SetPassword) ssr=SsrMode::Async/>
                    <Route path=path!("/forgot-password") view=pages::PageView(pages::Page::ForgotPassword) ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=pages::PageView(pages::Page::Account) ssr=SsrMode::Async/>
                    <Route path=path!("/people") view=pages::PageView(pages::Page::People) ssr=SsrMode::Async/>
                    <Route path=path!("/people/new") view=pages::PageView(pages::Page::AddPerson) ssr=SsrMode::Async/>
                    <Route path=path!("/people/imports/:id") view=pages::PageView(pages::Page::StaffImport) ssr=SsrMode::Async/>
                    <Route path=path!("/people/:id") view=pages::PageView(pages::Page::Person) ssr=SsrMode::Async/>
                    <Route path=path!("/people/:id/open-work") view=pages::PageView(pages::Page::OpenWork) ssr=SsrMode::Async/>
                    <Route path=path!("/") view=pages::PageView(pages::Page::Home) ssr=SsrMode::Async/>
                    <Route path=path!("/cases") view=pages::PageView(pages::Page::Cases) ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id") view=pages::PageView(pages::Page::Case) ssr=SsrMode::Async/>
                    <Route path=path!("/tray") view=pages::PageView(pages::Page::Tray) ssr=SsrMode::Async/>
                    <Route path=path!("/rounds") view=pages::PageView(pages::Page::Rounds) ssr=SsrMode::Async/>
                    <Route path=path!("/rounds/:id") view=pages::PageView(pages::Page::Round) ssr=SsrMode::Async/>
                    <Route path=path!("/calendar") view=pages::PageView(pages::Page::Calendar) ssr=SsrMode::Async/>
                    <Route path=path!("/audits") view=pages::PageView(pages::Page::Audits) ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id") view=pages::PageView(pages::Page::Audit) ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id/record") view=pages::PageView(pages::Page::AuditRecord) ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id/actions") view=pages::PageView(pages::Page::ActionReview) ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id/moderation") view=pages::PageView(pages::Page::AuditModeration) ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:id/themes") view=pages::PageView(pages::Page::AuditThemes) ssr=SsrMode::Async/>
                    <Route path=path!("/reports") view=pages::PageView(pages::Page::Reports) ssr=SsrMode::Async/>
                    <Route path=path!("/reports/:id") view=pages::PageView(pages::Page::Report) ssr=SsrMode::Async/>
                    <Route path=path!("/reports/:id/print") view=pages::PageView(pages::Page::ReportPrint) ssr=SsrMode::Async/>
                    <Route path=path!("/newsletters") view=pages::PageView(pages::Page::Newsletters) ssr=SsrMode::Async/>
                    <Route path=path!("/newsletters/:id") view=pages::PageView(pages::Page::Newsletter) ssr=SsrMode::Async/>
                    <Route path=path!("/themes") view=pages::PageView(pages::Page::Themes) ssr=SsrMode::Async/>
                    <Route path=path!("/themes/:id") view=pages::PageView(pages::Page::Theme) ssr=SsrMode::Async/>
                    <Route path=path!("/sessions") view=pages::PageView(pages::Page::Sessions) ssr=SsrMode::Async/>
                    <Route path=path!("/sessions/:id") view=pages::PageView(pages::Page::Session) ssr=SsrMode::Async/>
                    <Route path=path!("/sessions/:id/feedback") view=pages::PageView(pages::Page::SessionFeedback) ssr=SsrMode::Async/>
                    <Route path=path!("/make-a-difference") view=pages::PageView(pages::Page::Library) ssr=SsrMode::Async/>
                    <Route path=path!("/make-a-difference/:id") view=pages::PageView(pages::Page::Difference) ssr=SsrMode::Async/>
                    <Route path=path!("/moderation") view=pages::PageView(pages::Page::Moderation) ssr=SsrMode::Async/>
                    <Route path=path!("/moderation/results") view=pages::PageView(pages::Page::ModerationResults) ssr=SsrMode::Async/>
                    <Route path=path!("/moderation/rounds/:id") view=pages::PageView(pages::Page::ModerationRound) ssr=SsrMode::Async/>
                    <Route path=path!("/action-reviews") view=pages::PageView(pages::Page::ActionReviews) ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard") view=pages::PageView(pages::Page::Dashboard) ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard/list") view=pages::PageView(pages::Page::DashboardList) ssr=SsrMode::Async/>
                    <Route path=path!("/templates") view=pages::PageView(pages::Page::Template) ssr=SsrMode::Async/>
                    <Route path=path!("/directory") view=pages::PageView(pages::Page::Directory) ssr=SsrMode::Async/>
                    <Route path=path!("/imports") view=pages::PageView(pages::Page::Imports) ssr=SsrMode::Async/>
                    <Route path=path!("/imports/:id") view=pages::PageView(pages::Page::Import) ssr=SsrMode::Async/>
                    <Route path=path!("/access-log") view=pages::PageView(pages::Page::AccessLog) ssr=SsrMode::Async/>
                    <Route path=path!("/outbox") view=pages::PageView(pages::Page::Outbox) ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

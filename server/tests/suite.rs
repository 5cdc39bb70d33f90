//! Every integration test in one binary: each module is one feature's tests through the
//! server functions, against a real SQLite database in a temporary directory. One binary
//! links the app once, not once per file (each link was 1.7 GB and most of the build).

#[macro_use]
mod common;

mod access_log;
mod access_matrix;
mod action_review;
mod annex_import;
mod answer_format;
mod audits;
mod calendar;
mod closing;
mod dashboard;
mod demo_past;
mod difference;
mod directory;
mod fixtures;
mod hostile_files;
mod instances;
mod lead_practitioners;
mod learning;
mod live;
mod moderation;
mod need_to_know;
mod outbox;
mod people;
mod retention;
mod rounds;
mod schema;
mod security;
mod session_cache;
mod session_lifetime;
mod sign_in;
mod sign_in_throttle;

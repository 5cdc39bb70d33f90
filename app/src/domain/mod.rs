//! The domain core: plain types and rules, no I/O. Shared by server and browser.

pub mod access;
pub mod action_review;
pub mod agreement;
pub mod alert;
pub mod annex;
pub mod annex_import;
pub mod assign;
pub mod audit;
pub mod calendar;
pub mod dashboard;
pub mod difference;
pub mod directory;
pub mod draw;
pub mod ics;
pub mod ids;
pub mod live;
pub mod moderated;
pub mod moderation_sample;
pub mod paging;
pub mod password_policy;
pub mod people;
pub mod pool_update;
pub mod report;
pub mod retention;
pub mod roles;
pub mod round;
pub mod session;
pub mod sessions;
pub mod staff_import;
pub mod themes;
pub mod throttle;
pub mod trail;

pub use access::{case_access, Actor, CaseAccess, CaseAllocation};
pub use annex::{AnnexList, Subject};
pub use ids::{ChildUniqueId, EmailAddress, IdError};
pub use roles::{Role, RoleSet};

//! Alerts: what each is about, and how long an email waits before it is tried again.
//! No I/O.

use serde::{Deserialize, Serialize};

/// Alerts older than this many days leave the tray for its archive (never deleted), unless
/// the server is started with another `ALERT_ARCHIVE_DAYS`.
pub const ARCHIVE_AFTER_DAYS: i64 = 90;

/// What an alert is about; stored as its code so trays can filter by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertKind {
    CaseSelected,
    AuditorAssigned,
    DiscussionProposed,
    DiscussionAgreed,
    /// The auditor recorded that the discussion took place (to the key worker).
    DiscussionHeld,
    FeedbackRequested,
    FindingsDiscussed,
    AuditRecommendations,
    AuditFiled,
    FormRevised,
    /// The auditor changed grades or findings after the key worker confirmed them.
    FindingsChanged,
    /// The case moved to another key worker while its audit was open.
    AuditHandedOver,
    /// The QA Manager closed a round with this audit still open.
    RoundClosed,
    /// A filed audit's action review is the Team Manager's to complete.
    ActionReviewAssigned,
    /// The Team Manager finalised an action review (to the QA Manager).
    ActionReviewFinalised,
    /// A panel member or Assistant Director is asked to moderate an audit.
    ModerationAsked,
    /// A moderation's outcome, for the auditor and the Team Manager.
    ModerationOutcome,
    /// Times proposed for a Make A Difference interview.
    InterviewProposed,
    /// A Make A Difference interview is arranged.
    InterviewAgreed,
    /// A leaver's open audits and cases need someone new (to the QA Manager).
    StaffLeft,
    /// Someone was given a role in the QA programme (to the QA Manager).
    ProgrammeRoleGranted,
    /// An invitation to a feedback or support session.
    SessionInvited,
    /// An attendee is asked for their feedback on a session.
    SessionFeedbackAsked,
    /// A summary report's draft is ready for comments (to the Practice Improvement Team and
    /// the PSW).
    ReportForComment,
    /// Someone commented on a summary report's draft (to the QA Manager).
    ReportCommented,
    /// The Administrator proposed a team's Team or Service Manager (to the QA Manager).
    TeamManagersProposed,
}

impl AlertKind {
    pub const ALL: [AlertKind; 26] = [
        AlertKind::CaseSelected,
        AlertKind::AuditorAssigned,
        AlertKind::DiscussionProposed,
        AlertKind::DiscussionAgreed,
        AlertKind::DiscussionHeld,
        AlertKind::FeedbackRequested,
        AlertKind::FindingsDiscussed,
        AlertKind::AuditRecommendations,
        AlertKind::AuditFiled,
        AlertKind::FormRevised,
        AlertKind::FindingsChanged,
        AlertKind::AuditHandedOver,
        AlertKind::RoundClosed,
        AlertKind::ActionReviewAssigned,
        AlertKind::ActionReviewFinalised,
        AlertKind::ModerationAsked,
        AlertKind::ModerationOutcome,
        AlertKind::InterviewProposed,
        AlertKind::InterviewAgreed,
        AlertKind::StaffLeft,
        AlertKind::ProgrammeRoleGranted,
        AlertKind::SessionInvited,
        AlertKind::SessionFeedbackAsked,
        AlertKind::ReportForComment,
        AlertKind::ReportCommented,
        AlertKind::TeamManagersProposed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AlertKind::CaseSelected => "case_selected",
            AlertKind::AuditorAssigned => "auditor_assigned",
            AlertKind::DiscussionProposed => "discussion_proposed",
            AlertKind::DiscussionAgreed => "discussion_agreed",
            AlertKind::DiscussionHeld => "discussion_held",
            AlertKind::FeedbackRequested => "feedback_requested",
            AlertKind::FindingsDiscussed => "findings_discussed",
            AlertKind::AuditRecommendations => "audit_recommendations",
            AlertKind::AuditFiled => "audit_filed",
            AlertKind::FormRevised => "form_revised",
            AlertKind::FindingsChanged => "findings_changed",
            AlertKind::AuditHandedOver => "audit_handed_over",
            AlertKind::RoundClosed => "round_closed",
            AlertKind::ActionReviewAssigned => "action_review_assigned",
            AlertKind::ActionReviewFinalised => "action_review_finalised",
            AlertKind::ModerationAsked => "moderation_asked",
            AlertKind::ModerationOutcome => "moderation_outcome",
            AlertKind::InterviewProposed => "interview_proposed",
            AlertKind::InterviewAgreed => "interview_agreed",
            AlertKind::StaffLeft => "staff_left",
            AlertKind::ProgrammeRoleGranted => "programme_role_granted",
            AlertKind::SessionInvited => "session_invited",
            AlertKind::SessionFeedbackAsked => "session_feedback_asked",
            AlertKind::ReportForComment => "report_for_comment",
            AlertKind::ReportCommented => "report_commented",
            AlertKind::TeamManagersProposed => "team_managers_proposed",
        }
    }

    pub fn parse(code: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The tray filter's name for this kind.
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::CaseSelected => "Case selected for audit",
            AlertKind::AuditorAssigned => "Audit assigned to you",
            AlertKind::DiscussionProposed => "Discussion times proposed",
            AlertKind::DiscussionAgreed => "Discussion arranged",
            AlertKind::DiscussionHeld => "Discussion took place",
            AlertKind::FeedbackRequested => "Feedback asked for",
            AlertKind::FindingsDiscussed => "Findings discussed",
            AlertKind::AuditRecommendations => "Recommendations to complete",
            AlertKind::AuditFiled => "Audit filed",
            AlertKind::FormRevised => "Audit form revised",
            AlertKind::FindingsChanged => "Findings changed: confirm again",
            AlertKind::AuditHandedOver => "Audit handed over",
            AlertKind::RoundClosed => "Round closed",
            AlertKind::ActionReviewAssigned => "Action review to complete",
            AlertKind::ActionReviewFinalised => "Action review finalised",
            AlertKind::ModerationAsked => "Audit to moderate",
            AlertKind::ModerationOutcome => "Moderation outcome",
            AlertKind::InterviewProposed => "Interview times proposed",
            AlertKind::InterviewAgreed => "Interview arranged",
            AlertKind::StaffLeft => "Leaver's work to reassign",
            AlertKind::ProgrammeRoleGranted => "Programme role granted",
            AlertKind::SessionInvited => "Session invitation",
            AlertKind::SessionFeedbackAsked => "Session feedback asked for",
            AlertKind::ReportForComment => "Summary report to comment on",
            AlertKind::ReportCommented => "Summary report comment",
            AlertKind::TeamManagersProposed => "Team managers to confirm",
        }
    }

    /// The email's subject line.
    pub fn subject(self) -> &'static str {
        match self {
            AlertKind::CaseSelected => "A case you hold is selected for audit",
            AlertKind::AuditorAssigned => "You are asked to audit a case",
            AlertKind::DiscussionProposed => "Times proposed for an audit discussion",
            AlertKind::DiscussionAgreed => "Audit discussion arranged",
            AlertKind::DiscussionHeld => "Audit discussion recorded: confirm the findings",
            AlertKind::FeedbackRequested => "Your feedback is asked for a case audit",
            AlertKind::FindingsDiscussed => "Audit findings discussed",
            AlertKind::AuditRecommendations => "Audit recommendations to complete",
            AlertKind::AuditFiled => "An audit is filed to a child's record",
            AlertKind::FormRevised => "A new version of the audit form is published",
            AlertKind::FindingsChanged => "Audit findings changed: please confirm them again",
            AlertKind::AuditHandedOver => "An open case audit has been handed over",
            AlertKind::RoundClosed => "An audit round has closed with your audit still open",
            AlertKind::ActionReviewAssigned => "An audit's action review is yours to complete",
            AlertKind::ActionReviewFinalised => "An audit action review has been finalised",
            AlertKind::ModerationAsked => "You are asked to moderate a case audit",
            AlertKind::ModerationOutcome => "The outcome of a case audit's moderation",
            AlertKind::InterviewProposed => "Times proposed for a Make A Difference interview",
            AlertKind::InterviewAgreed => "Make A Difference interview arranged",
            AlertKind::StaffLeft => "A member of staff has left: their open work needs reassigning",
            AlertKind::ProgrammeRoleGranted => {
                "Someone has been given a role in the audit programme"
            }
            AlertKind::SessionInvited => "You are invited to an audit learning session",
            AlertKind::SessionFeedbackAsked => "Your feedback on an audit session is asked for",
            AlertKind::ReportForComment => "A monthly audit summary report is ready for comments",
            AlertKind::ReportCommented => "A comment on the monthly audit summary report",
            AlertKind::TeamManagersProposed => {
                "A change to a team's Team or Service Manager waits for your decision"
            }
        }
    }
}

/// How long an email waits before try number `attempts + 1`, after `attempts` failed
/// tries; `None` once it has failed too often and is left for the Administrator.
/// Roughly doubling from a minute keeps a mail server's short outage invisible, and gives
/// up after about a day, while the alert itself is in the tray all along.
pub fn email_retry_after(attempts: u32) -> Option<chrono::Duration> {
    const MINUTES: [i64; 8] = [1, 2, 5, 15, 30, 60, 240, 720];
    let index = usize::try_from(attempts).ok()?.checked_sub(1)?;
    MINUTES.get(index).map(|m| chrono::Duration::minutes(*m))
}

/// Tries before an email is marked failed.
pub const EMAIL_MOST_ATTEMPTS: u32 = 9;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for kind in AlertKind::ALL {
            assert_eq!(AlertKind::parse(kind.code()), Some(kind));
        }
        let mut codes: Vec<_> = AlertKind::ALL.iter().map(|k| k.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), AlertKind::ALL.len());
        assert_eq!(AlertKind::parse("nonsense"), None);
    }

    #[test]
    fn retries_back_off_then_stop() {
        assert_eq!(email_retry_after(0), None, "nothing failed yet: no wait");
        assert_eq!(email_retry_after(1), Some(chrono::Duration::minutes(1)));
        assert_eq!(email_retry_after(2), Some(chrono::Duration::minutes(2)));
        assert_eq!(email_retry_after(8), Some(chrono::Duration::hours(12)));
        assert_eq!(email_retry_after(EMAIL_MOST_ATTEMPTS), None);
        let waits: Vec<_> = (1..EMAIL_MOST_ATTEMPTS)
            .map(|a| email_retry_after(a).unwrap())
            .collect();
        assert!(waits.windows(2).all(|w| w[0] < w[1]), "each wait is longer");
    }
}

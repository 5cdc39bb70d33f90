//! The audit's life: its states in order, who may move it on, deadlines, the graded form
//! and the case note. No I/O.

use super::calendar::WorkingCalendar;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// Where an audit is. The order is the process's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AuditState {
    Selected,
    Assigned,
    DiscussionArranged,
    InProgress,
    FindingsDiscussed,
    Completed,
    FiledToRecord,
}

impl TryFrom<String> for AuditState {
    type Error = String;

    /// For the store: an unknown code is corrupt data, named in the error.
    fn try_from(code: String) -> Result<Self, Self::Error> {
        AuditState::from_code(&code).ok_or_else(|| format!("unknown audit state {code:?}"))
    }
}

impl AuditState {
    pub const ALL: [AuditState; 7] = [
        AuditState::Selected,
        AuditState::Assigned,
        AuditState::DiscussionArranged,
        AuditState::InProgress,
        AuditState::FindingsDiscussed,
        AuditState::Completed,
        AuditState::FiledToRecord,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AuditState::Selected => "selected",
            AuditState::Assigned => "assigned",
            AuditState::DiscussionArranged => "discussion_arranged",
            AuditState::InProgress => "in_progress",
            AuditState::FindingsDiscussed => "findings_discussed",
            AuditState::Completed => "completed",
            AuditState::FiledToRecord => "filed_to_record",
        }
    }

    pub fn from_code(code: &str) -> Option<AuditState> {
        AuditState::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditState::Selected => "Selected",
            AuditState::Assigned => "Assigned",
            AuditState::DiscussionArranged => "Discussion arranged",
            AuditState::InProgress => "In progress",
            AuditState::FindingsDiscussed => "Findings discussed",
            AuditState::Completed => "Completed",
            AuditState::FiledToRecord => "Filed to record",
        }
    }

    /// Completed audits are locked: later changes only through moderation.
    pub fn locked(self) -> bool {
        self >= AuditState::Completed
    }
}

/// Who is asking to move the audit, as far as the audit is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Party {
    QaManager,
    Auditor,
    KeyWorker,
    Other,
}

/// The moves, each made by one party, from one state to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Move {
    /// QA Manager: an auditor takes the selected case.
    Assign,
    /// Key worker (or auditor, for the key worker's own proposal): a time is agreed.
    AgreeDiscussion,
    /// Auditor: starts the graded form.
    Start,
    /// Key worker: confirms the findings were discussed.
    ConfirmDiscussion,
    /// Auditor: completes (and locks) the audit; it is filed to the case's record here.
    Complete,
    /// Auditor: uploaded to the case-management system, with its reference.
    File,
    /// Auditor: changed grades or findings after the key worker confirmed them, so the key
    /// worker is asked to confirm again.
    ChangeFindings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("The audit is {}; it cannot move that way now", .0.label().to_lowercase())]
    OutOfOrder(AuditState),
    #[error("Only the {0} can do this")]
    WrongPerson(&'static str),
}

impl Move {
    fn rule(self) -> (AuditState, AuditState, &'static [Party], &'static str) {
        use AuditState::*;
        match self {
            Move::Assign => (Selected, Assigned, &[Party::QaManager], "QA Manager"),
            Move::AgreeDiscussion => (
                Assigned,
                DiscussionArranged,
                &[Party::KeyWorker, Party::Auditor],
                "key worker or auditor",
            ),
            Move::Start => (DiscussionArranged, InProgress, &[Party::Auditor], "auditor"),
            Move::ConfirmDiscussion => (
                InProgress,
                FindingsDiscussed,
                &[Party::KeyWorker],
                "key worker",
            ),
            Move::Complete => (FindingsDiscussed, Completed, &[Party::Auditor], "auditor"),
            Move::File => (Completed, FiledToRecord, &[Party::Auditor], "auditor"),
            Move::ChangeFindings => (FindingsDiscussed, InProgress, &[Party::Auditor], "auditor"),
        }
    }
}

/// The state after `m`, if `party` may make it from `state`.
pub fn next(state: AuditState, m: Move, party: Party) -> Result<AuditState, MoveError> {
    let (from, to, parties, who) = m.rule();
    if state != from {
        return Err(MoveError::OutOfOrder(state));
    }
    if !parties.contains(&party) {
        return Err(MoveError::WrongPerson(who));
    }
    Ok(to)
}

/// How a discussion time reads everywhere: "Tuesday 8 January 2030 at 10:00".
pub fn discussion_when(at: NaiveDateTime) -> String {
    at.format("%A %-d %B %Y at %H:%M").to_string()
}

/// Why the key worker cannot confirm the findings yet: the discussion has not happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DiscussionPending {
    #[error("The discussion is agreed for {}. The findings can be confirmed once it has taken place, or once the auditor records that it took place earlier.", discussion_when(*.0))]
    NotYet(NaiveDateTime),
    #[error("No discussion time was agreed. The findings can be confirmed once the auditor records that the discussion took place.")]
    NoTimeAgreed,
}

/// The findings are confirmed only after the discussion: once its agreed time has come, or
/// once the auditor has recorded that it took place. Times are London wall-clock times.
pub fn discussion_happened(
    agreed: Option<NaiveDateTime>,
    held: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<(), DiscussionPending> {
    match (held, agreed) {
        (Some(_), _) => Ok(()),
        (None, Some(at)) if at <= now => Ok(()),
        (None, Some(at)) => Err(DiscussionPending::NotYet(at)),
        (None, None) => Err(DiscussionPending::NoTimeAgreed),
    }
}

/// The auditor's "it took place at …", typed as a date and time: not in the future, and not
/// before the discussion was arranged (`arranged`, when known). Compared to the minute, as
/// people type it.
pub fn parse_discussion_held(
    raw: &str,
    now: NaiveDateTime,
    arranged: Option<NaiveDateTime>,
) -> Result<NaiveDateTime, &'static str> {
    use chrono::Timelike;
    let minute = |t: NaiveDateTime| t.with_second(0).and_then(|t| t.with_nanosecond(0));
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Enter when the discussion took place");
    }
    let at = super::ics::parse_local_time(raw)
        .and_then(minute)
        .ok_or("Enter the date and time the discussion took place, for example 12/01/2027 10:00")?;
    if at > now {
        return Err("The time the discussion took place must be in the past");
    }
    if arranged.and_then(minute).is_some_and(|a| at < a) {
        return Err("The discussion cannot have taken place before it was arranged");
    }
    Ok(at)
}

/// An audit as lists show it to one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSummary {
    pub id: i64,
    pub case_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub month: String,
    pub due_on: NaiveDate,
    pub state: AuditState,
    pub deadline: Deadline,
    pub auditor: String,
    /// What the audit waits for from this person, if anything.
    pub waiting_on_you: Option<String>,
}

/// What an audit in `state` waits for from its auditor or its key worker.
pub fn waiting_on(state: AuditState, auditor: bool, key_worker: bool) -> Option<&'static str> {
    match state {
        AuditState::Assigned if auditor => Some("Propose times for the discussion"),
        AuditState::Assigned if key_worker => Some("Agree a time for the discussion"),
        AuditState::DiscussionArranged | AuditState::InProgress if auditor => {
            Some("Complete the audit form")
        }
        AuditState::InProgress if key_worker => Some("Discuss the findings and confirm"),
        AuditState::FindingsDiscussed if auditor => Some("Complete the audit"),
        AuditState::Completed if auditor => Some("Upload to the case record and add the reference"),
        _ => None,
    }
}

/// How an audit stands against its round's due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Deadline {
    OnTrack,
    /// Within 5 working days of the due date.
    DueSoon,
    Overdue,
    Done,
}

pub const DUE_SOON_WORKING_DAYS: usize = 5;

pub fn deadline(
    state: AuditState,
    due_on: NaiveDate,
    today: NaiveDate,
    calendar: &WorkingCalendar,
) -> Deadline {
    if state >= AuditState::Completed {
        return Deadline::Done;
    }
    due_status(due_on, today, calendar)
}

/// Overdue, due soon (within [`DUE_SOON_WORKING_DAYS`]) or on track, for any piece of work
/// still open: an audit, or a required action.
pub fn due_status(due_on: NaiveDate, today: NaiveDate, calendar: &WorkingCalendar) -> Deadline {
    if today > due_on {
        return Deadline::Overdue;
    }
    // Working days from today up to the due date, not counting today.
    let mut left = 0;
    let mut day = today;
    while day < due_on {
        day = day.succ_opt().expect("date in range");
        if calendar.is_working_day(day) {
            left += 1;
        }
    }
    if left <= DUE_SOON_WORKING_DAYS {
        Deadline::DueSoon
    } else {
        Deadline::OnTrack
    }
}

/// Ofsted's four-point scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Grade {
    Outstanding,
    Good,
    RequiresImprovement,
    Inadequate,
}

impl Grade {
    pub const ALL: [Grade; 4] = [
        Grade::Outstanding,
        Grade::Good,
        Grade::RequiresImprovement,
        Grade::Inadequate,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Grade::Outstanding => "outstanding",
            Grade::Good => "good",
            Grade::RequiresImprovement => "requires_improvement",
            Grade::Inadequate => "inadequate",
        }
    }

    pub fn parse(code: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Grade::Outstanding => "Outstanding",
            Grade::Good => "Good",
            Grade::RequiresImprovement => "Requires improvement to be good",
            Grade::Inadequate => "Inadequate",
        }
    }
}

/// One domain of a template: stored as data so the QA team can revise the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateDomain {
    pub key: String,
    pub title: String,
    pub prompt: String,
}

/// The longest narrative or text field, in characters.
pub const MAX_TEXT: usize = 10_000;
/// The longest action, in characters.
pub const MAX_ACTION: usize = 1_000;
/// How many required actions the form offers.
pub const MAX_ACTIONS: usize = 10;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainEntry {
    pub grade: Option<Grade>,
    pub narrative: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionStatus {
    Open,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredAction {
    pub action: String,
    pub owner: String,
    /// As typed (`YYYY-MM-DD` from a date field); checked on completion.
    pub due_on: String,
    pub status: ActionStatus,
}

/// The audit form as saved: kept whatever its state, so typing is never lost.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditDraft {
    /// By template domain key.
    pub domains: std::collections::BTreeMap<String, DomainEntry>,
    pub overall: Option<Grade>,
    pub strengths: String,
    pub development: String,
    pub actions: Vec<RequiredAction>,
}

/// A problem with the form, named by its field's ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormProblem {
    pub field: String,
    pub message: String,
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> FormProblem {
    FormProblem {
        field: field.into(),
        message: message.into(),
    }
}

/// The key the overall grade is stored under beside the domains' keys (which are
/// letters and digits only, so cannot clash).
pub const OVERALL: &str = "#overall";

impl AuditDraft {
    /// The grades to keep as data at completion: each template domain's, in the template's
    /// order, then the overall grade under [`OVERALL`]. Ungraded domains are left out.
    pub fn grades(&self, domains: &[TemplateDomain]) -> Vec<(String, Grade)> {
        domains
            .iter()
            .filter_map(|d| Some((d.key.clone(), self.domains.get(&d.key)?.grade?)))
            .chain(self.overall.map(|g| (OVERALL.to_string(), g)))
            .collect()
    }

    /// Whether the findings the key worker confirmed (domain grades and narratives, the
    /// overall grade, strengths and areas for development) differ between two saves.
    /// Spaces at either end do not count; required actions are not findings.
    pub fn findings_differ(&self, other: &AuditDraft) -> bool {
        let entry = |d: &AuditDraft| {
            d.domains
                .iter()
                .filter(|(_, e)| e.grade.is_some() || !e.narrative.trim().is_empty())
                .map(|(k, e)| (k.clone(), e.grade, e.narrative.trim().to_string()))
                .collect::<Vec<_>>()
        };
        entry(self) != entry(other)
            || self.overall != other.overall
            || self.strengths.trim() != other.strengths.trim()
            || self.development.trim() != other.development.trim()
    }

    /// Reads the form's fields (`grade-<key>`, `narrative-<key>`, `overall`, `strengths`,
    /// `development`, `action-<n>`, `owner-<n>`, `due-<n>`, `status-<n>`). Rows with nothing
    /// typed are dropped. Texts over the limit are refused, never cut, so nothing is lost.
    pub fn from_fields(
        domains: &[TemplateDomain],
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<AuditDraft, Vec<FormProblem>> {
        let mut problems = Vec::new();
        let text = |field: &str, limit: usize, label: &str, problems: &mut Vec<FormProblem>| {
            let value = get(field).unwrap_or_default();
            if value.chars().count() > limit {
                problems.push(problem(
                    field,
                    format!("{label} must be {limit} characters or fewer"),
                ));
            }
            value
        };
        let grade = |field: &str, problems: &mut Vec<FormProblem>| match get(field)
            .as_deref()
            .map(str::trim)
        {
            None | Some("") => None,
            Some(code) => Grade::parse(code).or_else(|| {
                problems.push(problem(field, "Choose a grade from the list"));
                None
            }),
        };
        let mut draft = AuditDraft::default();
        for d in domains {
            let entry = DomainEntry {
                grade: grade(&format!("grade-{}", d.key), &mut problems),
                narrative: text(
                    &format!("narrative-{}", d.key),
                    MAX_TEXT,
                    &d.title,
                    &mut problems,
                ),
            };
            draft.domains.insert(d.key.clone(), entry);
        }
        draft.overall = grade("overall", &mut problems);
        draft.strengths = text("strengths", MAX_TEXT, "Key strengths", &mut problems);
        draft.development = text(
            "development",
            MAX_TEXT,
            "Areas for development",
            &mut problems,
        );
        for n in 0..MAX_ACTIONS {
            let action = text(
                &format!("action-{n}"),
                MAX_ACTION,
                "The action",
                &mut problems,
            );
            let owner = text(&format!("owner-{n}"), 200, "The owner", &mut problems);
            let due_on = get(&format!("due-{n}"))
                .unwrap_or_default()
                .trim()
                .to_string();
            // A draft may hold a half-typed date, but never an essay in a date's place.
            if due_on.chars().count() > 30 {
                problems.push(problem(
                    &format!("due-{n}"),
                    "Enter the due date as a date, like 15 February 2027",
                ));
            }
            if action.trim().is_empty() && owner.trim().is_empty() && due_on.is_empty() {
                continue;
            }
            let status = match get(&format!("status-{n}")).as_deref() {
                Some("done") => ActionStatus::Done,
                _ => ActionStatus::Open,
            };
            draft.actions.push(RequiredAction {
                action,
                owner,
                due_on,
                status,
            });
        }
        if problems.is_empty() {
            Ok(draft)
        } else {
            Err(problems)
        }
    }

    /// What must be true before the audit can be completed.
    pub fn completion_problems(&self, domains: &[TemplateDomain]) -> Vec<FormProblem> {
        let mut problems = Vec::new();
        for d in domains {
            if self.domains.get(&d.key).and_then(|e| e.grade).is_none() {
                problems.push(problem(
                    format!("grade-{}", d.key),
                    format!("Choose a grade for {}", d.title),
                ));
            }
        }
        if self.overall.is_none() {
            problems.push(problem("overall", "Choose the overall grade"));
        }
        for (n, a) in self.actions.iter().enumerate() {
            let which = n + 1;
            if a.action.trim().is_empty() {
                problems.push(problem(
                    format!("action-{n}"),
                    format!("Describe required action {which}"),
                ));
            }
            if a.owner.trim().is_empty() {
                problems.push(problem(
                    format!("owner-{n}"),
                    format!("Say who owns required action {which}"),
                ));
            }
            if NaiveDate::parse_from_str(&a.due_on, "%Y-%m-%d").is_err() {
                problems.push(problem(
                    format!("due-{n}"),
                    format!("Enter a due date for required action {which}"),
                ));
            }
        }
        problems
    }
}

/// The plain-text case note for the case-management system: the grade, the required
/// actions, and the Team Manager and Service Manager tagged.
pub struct CaseNote<'a> {
    pub child_unique_id: &'a str,
    pub audit_month: &'a str,
    pub auditor: &'a str,
    pub completed_on: NaiveDate,
    pub overall: Grade,
    pub actions: &'a [RequiredAction],
    pub team_manager: Option<&'a str>,
    pub service_manager: Option<&'a str>,
}

impl CaseNote<'_> {
    pub fn text(&self) -> String {
        let mut out = format!(
            "CASE AUDIT ({})\nChild Unique ID: {}\nAuditor: {}\nCompleted: {}\nOverall grade: {}\n\n",
            self.audit_month,
            self.child_unique_id,
            self.auditor,
            self.completed_on.format("%d/%m/%Y"),
            self.overall.label()
        );
        if self.actions.is_empty() {
            out.push_str("Required actions: none.\n");
        } else {
            out.push_str("Required actions:\n");
            for (i, a) in self.actions.iter().enumerate() {
                let due = NaiveDate::parse_from_str(&a.due_on, "%Y-%m-%d")
                    .map(|d| d.format("%d/%m/%Y").to_string())
                    .unwrap_or_else(|_| a.due_on.clone());
                out.push_str(&format!(
                    "{}. {} (owner: {}; due {})\n",
                    i + 1,
                    a.action.trim(),
                    a.owner.trim(),
                    due
                ));
            }
        }
        let tag = |role: &str, name: Option<&str>| match name {
            Some(n) => format!("{role}: @{n}\n"),
            None => format!("{role}: none recorded\n"),
        };
        out.push('\n');
        out.push_str(&tag("Team Manager", self.team_manager));
        out.push_str(&tag("Service Manager", self.service_manager));
        out.push_str("\nThe full audit is filed to the child's record in Practice Audit.\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AuditState::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap()
    }

    #[test]
    fn findings_wait_for_the_agreed_time_or_a_record_that_the_discussion_took_place() {
        let agreed = at("2027-01-12T10:00:00");
        // A minute before: refused, naming the time.
        let early = discussion_happened(Some(agreed), None, at("2027-01-12T09:59:00"));
        assert_eq!(early, Err(DiscussionPending::NotYet(agreed)));
        assert!(early
            .unwrap_err()
            .to_string()
            .contains("Tuesday 12 January 2027 at 10:00"));
        // At the time itself, and after.
        assert_eq!(discussion_happened(Some(agreed), None, agreed), Ok(()));
        assert_eq!(
            discussion_happened(Some(agreed), None, at("2027-03-01T00:00:00")),
            Ok(())
        );
        // Held earlier than agreed, as the auditor recorded.
        let held = Some(at("2027-01-05T15:00:00"));
        assert_eq!(
            discussion_happened(Some(agreed), held, at("2027-01-05T15:30:00")),
            Ok(())
        );
        // No agreed time: only the auditor's record will do.
        assert_eq!(
            discussion_happened(None, None, at("2030-01-01T00:00:00")),
            Err(DiscussionPending::NoTimeAgreed)
        );
        assert_eq!(
            discussion_happened(None, held, at("2027-01-05T15:30:00")),
            Ok(())
        );
    }

    #[test]
    fn when_the_discussion_took_place_is_in_the_past_and_after_it_was_arranged() {
        let now = at("2027-01-05T15:30:42");
        let arranged = Some(at("2027-01-04T09:12:30"));
        assert_eq!(
            parse_discussion_held("2027-01-05T15:00", now, arranged),
            Ok(at("2027-01-05T15:00:00"))
        );
        // This very minute counts as the past; so does the minute it was arranged.
        assert_eq!(
            parse_discussion_held("2027-01-05T15:30", now, arranged),
            Ok(at("2027-01-05T15:30:00"))
        );
        assert_eq!(
            parse_discussion_held(" 2027-01-04T09:12 ", now, arranged),
            Ok(at("2027-01-04T09:12:00"))
        );
        assert_eq!(
            parse_discussion_held("2027-01-05T15:31", now, arranged),
            Err("The time the discussion took place must be in the past")
        );
        assert_eq!(
            parse_discussion_held("2027-01-04T09:11", now, arranged),
            Err("The discussion cannot have taken place before it was arranged")
        );
        assert_eq!(
            parse_discussion_held("2020-01-01T09:00", now, None),
            Ok(at("2020-01-01T09:00:00"))
        );
        assert_eq!(
            parse_discussion_held("", now, arranged),
            Err("Enter when the discussion took place")
        );
        assert!(parse_discussion_held("yesterday", now, arranged)
            .unwrap_err()
            .starts_with("Enter the date and time"));
    }

    #[test]
    fn every_move_is_allowed_only_in_order_and_by_the_right_person() {
        let moves = [
            (Move::Assign, Selected, Assigned, vec![Party::QaManager]),
            (
                Move::AgreeDiscussion,
                Assigned,
                DiscussionArranged,
                vec![Party::KeyWorker, Party::Auditor],
            ),
            (
                Move::Start,
                DiscussionArranged,
                InProgress,
                vec![Party::Auditor],
            ),
            (
                Move::ConfirmDiscussion,
                InProgress,
                FindingsDiscussed,
                vec![Party::KeyWorker],
            ),
            (
                Move::Complete,
                FindingsDiscussed,
                Completed,
                vec![Party::Auditor],
            ),
            (Move::File, Completed, FiledToRecord, vec![Party::Auditor]),
            (
                Move::ChangeFindings,
                FindingsDiscussed,
                InProgress,
                vec![Party::Auditor],
            ),
        ];
        let parties = [
            Party::QaManager,
            Party::Auditor,
            Party::KeyWorker,
            Party::Other,
        ];
        for (m, from, to, allowed) in moves {
            for state in AuditState::ALL {
                for party in parties {
                    let result = next(state, m, party);
                    match (state == from, allowed.contains(&party)) {
                        (true, true) => assert_eq!(result, Ok(to), "{m:?} by {party:?}"),
                        (false, _) => assert_eq!(
                            result,
                            Err(MoveError::OutOfOrder(state)),
                            "{m:?} from {state:?}"
                        ),
                        (true, false) => assert!(
                            matches!(result, Err(MoveError::WrongPerson(_))),
                            "{m:?} by {party:?}"
                        ),
                    }
                }
            }
        }
        assert_eq!(
            next(Completed, Move::Start, Party::Auditor)
                .unwrap_err()
                .to_string(),
            "The audit is completed; it cannot move that way now"
        );
        assert!(Completed.locked() && FiledToRecord.locked() && !FindingsDiscussed.locked());
    }

    #[test]
    fn state_codes_round_trip() {
        for s in AuditState::ALL {
            assert_eq!(AuditState::from_code(s.code()), Some(s));
        }
        for g in Grade::ALL {
            assert_eq!(Grade::parse(g.code()), Some(g));
        }
    }

    #[test]
    fn due_soon_is_five_working_days_and_overdue_after_the_due_date() {
        let cal = WorkingCalendar::shipped();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        // December 2026 is due Thursday 31st; 25th and 28th are bank holidays.
        let due = d(12, 31);
        assert_eq!(
            deadline(InProgress, due, d(12, 14), &cal),
            Deadline::OnTrack
        );
        // From Monday 21st: 22, 23, 24, 29, 30, 31 = 6 working days left.
        assert_eq!(
            deadline(InProgress, due, d(12, 21), &cal),
            Deadline::OnTrack
        );
        // From Tuesday 22nd: 23, 24, 29, 30, 31 = 5.
        assert_eq!(
            deadline(InProgress, due, d(12, 22), &cal),
            Deadline::DueSoon
        );
        assert_eq!(deadline(Assigned, due, due, &cal), Deadline::DueSoon);
        assert_eq!(
            deadline(Assigned, due, d(12, 31).succ_opt().unwrap(), &cal),
            Deadline::Overdue
        );
        assert_eq!(
            deadline(Completed, due, d(12, 31).succ_opt().unwrap(), &cal),
            Deadline::Done
        );
    }

    fn template() -> Vec<TemplateDomain> {
        vec![
            TemplateDomain {
                key: "voice".into(),
                title: "Voice of the child".into(),
                prompt: String::new(),
            },
            TemplateDomain {
                key: "risk".into(),
                title: "Risk and need".into(),
                prompt: String::new(),
            },
        ]
    }

    fn fields<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(f, _)| *f == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_form_is_read_keeping_partial_work_and_refusing_only_bad_values() {
        let long = "x".repeat(MAX_TEXT + 1);
        let d = AuditDraft::from_fields(
            &template(),
            fields(&[
                ("grade-voice", "good"),
                ("narrative-risk", "Some notes"),
                ("action-1", "Review plan"),
            ]),
        )
        .unwrap();
        assert_eq!(d.domains["voice"].grade, Some(Grade::Good));
        assert_eq!(d.domains["risk"].narrative, "Some notes");
        assert_eq!(d.actions.len(), 1);
        let problems = AuditDraft::from_fields(
            &template(),
            fields(&[("grade-voice", "brilliant"), ("strengths", &long)]),
        )
        .unwrap_err();
        assert_eq!(
            problems
                .iter()
                .map(|p| p.field.as_str())
                .collect::<Vec<_>>(),
            vec!["grade-voice", "strengths"]
        );
        assert_eq!(
            problems[1].message,
            "Key strengths must be 10000 characters or fewer"
        );
    }

    #[test]
    fn findings_differ_on_grades_and_words_but_not_on_spaces_or_actions() {
        let domains = template();
        let base: &[(&str, &str)] = &[
            ("grade-voice", "good"),
            ("narrative-voice", "Clear."),
            ("overall", "good"),
            ("strengths", "Warm"),
        ];
        let a = AuditDraft::from_fields(&domains, fields(base)).unwrap();
        let same = AuditDraft::from_fields(
            &domains,
            fields(&[
                ("grade-voice", "good"),
                ("narrative-voice", "  Clear. "),
                ("overall", "good"),
                ("strengths", "Warm\n"),
                ("action-1", "Update the plan"),
            ]),
        )
        .unwrap();
        assert!(
            !a.findings_differ(&same),
            "spaces and actions are not findings"
        );
        for (field, value) in [
            ("grade-voice", "outstanding"),
            ("narrative-voice", "Clearer."),
            ("overall", "requires_improvement"),
            ("strengths", "Warm and timely"),
            ("development", "Chronology"),
        ] {
            let mut pairs = base.to_vec();
            pairs.retain(|(k, _)| *k != field);
            pairs.push((field, value));
            let changed = AuditDraft::from_fields(&domains, fields(&pairs)).unwrap();
            assert!(a.findings_differ(&changed), "{field} changed");
        }
    }

    #[test]
    fn completing_needs_every_grade_and_whole_actions() {
        let d = AuditDraft::from_fields(
            &template(),
            fields(&[
                ("grade-voice", "good"),
                ("action-0", "Update plan"),
                ("due-0", "2027-02-01"),
            ]),
        )
        .unwrap();
        let fields: Vec<String> = d
            .completion_problems(&template())
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, vec!["grade-risk", "overall", "owner-0"]);
        let d = AuditDraft::from_fields(
            &template(),
            super::tests::fields(&[
                ("grade-voice", "good"),
                ("grade-risk", "inadequate"),
                ("overall", "requires_improvement"),
            ]),
        )
        .unwrap();
        assert!(d.completion_problems(&template()).is_empty());
    }

    #[test]
    fn the_case_note_lists_actions_and_tags_the_managers() {
        let actions = vec![RequiredAction {
            action: "Update the child's plan".into(),
            owner: "Key worker".into(),
            due_on: "2027-02-15".into(),
            status: ActionStatus::Open,
        }];
        let note = CaseNote {
            child_unique_id: "DEMO10001",
            audit_month: "January 2027",
            auditor: "Ada Auditor",
            completed_on: NaiveDate::from_ymd_opt(2027, 1, 20).unwrap(),
            overall: Grade::RequiresImprovement,
            actions: &actions,
            team_manager: Some("Tess Manager"),
            service_manager: None,
        };
        assert_eq!(
            note.text(),
            "CASE AUDIT (January 2027)\nChild Unique ID: DEMO10001\nAuditor: Ada Auditor\nCompleted: 20/01/2027\n\
             Overall grade: Requires improvement to be good\n\nRequired actions:\n\
             1. Update the child's plan (owner: Key worker; due 15/02/2027)\n\n\
             Team Manager: @Tess Manager\nService Manager: none recorded\n\n\
             The full audit is filed to the child's record in Practice Audit.\n"
        );
    }
}

/// Who is on an audit (recorded when its round was confirmed, and moved by a handover),
/// and who holds the case today, for need-to-know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditParties {
    pub auditor_id: i64,
    pub key_worker_id: Option<i64>,
    pub team_manager_id: Option<i64>,
    pub service_manager_id: Option<i64>,
    pub iro_id: Option<i64>,
    /// The case's key worker, Team Manager and Service Manager today: a filed audit is
    /// part of the child's record, which they hold.
    pub holders: [Option<i64>; 3],
}

/// Why a person may open an audit, which decides what they see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditRole {
    Auditor,
    KeyWorker,
    /// The Team Manager or Service Manager on the audit, or whoever holds the case today:
    /// the filed audit only, as part of the child's record.
    Manager,
    /// The case's IRO / CP Chair: their own feedback, not the draft.
    Iro,
    /// QA Manager, PSW, Safeguarding & Review SM, Assistant Director.
    Programme,
}

impl AuditRole {
    /// Whether they may read the graded form.
    pub fn reads_form(self) -> bool {
        !matches!(self, AuditRole::Iro)
    }
}

pub fn audit_access(
    actor: &super::Actor,
    p: &AuditParties,
    state: AuditState,
) -> Option<AuditRole> {
    use super::Role;
    let me = actor.person_id;
    let holds = |role: Role, holder: Option<i64>| actor.roles.has(role) && holder == Some(me);
    if holds(Role::Auditor, Some(p.auditor_id)) {
        Some(AuditRole::Auditor)
    } else if holds(Role::KeyWorker, p.key_worker_id) {
        Some(AuditRole::KeyWorker)
    } else if (holds(Role::TeamManager, p.team_manager_id)
        || holds(Role::ServiceManager, p.service_manager_id)
        || holds(Role::KeyWorker, p.holders[0])
        || holds(Role::TeamManager, p.holders[1])
        || holds(Role::ServiceManager, p.holders[2]))
        && state.locked()
    {
        Some(AuditRole::Manager)
    } else if holds(Role::IroCpChair, p.iro_id) {
        Some(AuditRole::Iro)
    } else if actor.roles.sees_every_case() {
        Some(AuditRole::Programme)
    } else {
        None
    }
}

#[cfg(test)]
mod access_tests {
    use super::*;
    use crate::domain::{Actor, Role, RoleSet};

    fn actor(id: i64, roles: &[Role]) -> Actor {
        Actor {
            person_id: id,
            roles: RoleSet::new(roles.iter().copied()),
        }
    }

    const P: AuditParties = AuditParties {
        auditor_id: 1,
        key_worker_id: Some(2),
        team_manager_id: Some(3),
        service_manager_id: Some(4),
        iro_id: Some(5),
        holders: [Some(2), Some(3), Some(4)],
    };

    #[test]
    fn whoever_holds_the_case_today_reads_the_filed_audit_only() {
        // Reallocated after filing: new key worker 12, new Team Manager 13.
        let p = AuditParties {
            holders: [Some(12), Some(13), Some(4)],
            ..P
        };
        for state in [AuditState::InProgress, AuditState::FindingsDiscussed] {
            assert_eq!(
                audit_access(&actor(12, &[Role::KeyWorker]), &p, state),
                None
            );
            assert_eq!(
                audit_access(&actor(13, &[Role::TeamManager]), &p, state),
                None
            );
        }
        for state in [AuditState::Completed, AuditState::FiledToRecord] {
            assert_eq!(
                audit_access(&actor(12, &[Role::KeyWorker]), &p, state),
                Some(AuditRole::Manager)
            );
            assert_eq!(
                audit_access(&actor(13, &[Role::TeamManager]), &p, state),
                Some(AuditRole::Manager)
            );
        }
        // The key worker on the audit keeps their part in it.
        assert_eq!(
            audit_access(&actor(2, &[Role::KeyWorker]), &p, AuditState::FiledToRecord),
            Some(AuditRole::KeyWorker)
        );
    }

    #[test]
    fn each_party_sees_the_audit_for_their_part_and_managers_only_once_filed() {
        let s = AuditState::InProgress;
        assert_eq!(
            audit_access(&actor(1, &[Role::Auditor]), &P, s),
            Some(AuditRole::Auditor)
        );
        assert_eq!(
            audit_access(&actor(2, &[Role::KeyWorker]), &P, s),
            Some(AuditRole::KeyWorker)
        );
        assert_eq!(audit_access(&actor(3, &[Role::TeamManager]), &P, s), None);
        assert_eq!(
            audit_access(&actor(3, &[Role::TeamManager]), &P, AuditState::Completed),
            Some(AuditRole::Manager)
        );
        assert_eq!(
            audit_access(
                &actor(4, &[Role::ServiceManager]),
                &P,
                AuditState::FiledToRecord
            ),
            Some(AuditRole::Manager)
        );
        assert_eq!(
            audit_access(&actor(5, &[Role::IroCpChair]), &P, s),
            Some(AuditRole::Iro)
        );
        assert!(!AuditRole::Iro.reads_form());
        assert_eq!(
            audit_access(&actor(9, &[Role::QaManager]), &P, s),
            Some(AuditRole::Programme)
        );
    }

    #[test]
    fn others_are_refused_even_with_the_right_role() {
        let s = AuditState::Completed;
        for roles in [
            [Role::Auditor],
            [Role::KeyWorker],
            [Role::TeamManager],
            [Role::IroCpChair],
            [Role::Administrator],
        ] {
            assert_eq!(audit_access(&actor(99, &roles), &P, s), None, "{roles:?}");
        }
        // The auditor's own team manager role does not open another team's audit.
        assert_eq!(audit_access(&actor(3, &[Role::Auditor]), &P, s), None);
    }
}

//! Moderating one audit: who is asked, what each moderator records, and the outcome the
//! QA Manager records beside the original grades (which never change). No I/O.

use super::audit::{FormProblem, Grade, TemplateDomain, MAX_TEXT, OVERALL};
use super::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The part a moderator plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Part {
    /// One of the panel that moderates the sampled third.
    Panel,
    /// The Assistant Director who moderates every audit graded good or better.
    AssistantDirector,
}

impl Part {
    pub fn code(self) -> &'static str {
        match self {
            Part::Panel => "panel",
            Part::AssistantDirector => "assistant_director",
        }
    }

    pub fn parse(code: &str) -> Option<Part> {
        match code {
            "panel" => Some(Part::Panel),
            "assistant_director" => Some(Part::AssistantDirector),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Part::Panel => "Moderation panel",
            Part::AssistantDirector => "Assistant Director",
        }
    }
}

impl TryFrom<String> for Part {
    type Error = String;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Part::parse(&code).ok_or_else(|| format!("unknown moderation part {code:?}"))
    }
}

/// The panel's posts, in the order the seed names them.
pub const PANEL_ROLES: [Role; 3] = [
    Role::PswQaPracticeImprovement,
    Role::SafeguardingReviewManager,
    Role::QaManager,
];

/// Audits graded good or better also go to an Assistant Director.
pub fn needs_assistant_director(overall: Grade) -> bool {
    matches!(overall, Grade::Good | Grade::Outstanding)
}

/// The panel for one audit from each post's holders `(person, name)`: one person per post
/// (the first holder), each person once, never the audit's own auditor. The note says who
/// was left out and why, for the outcome's record.
pub fn panel(
    holders: &[(Role, Vec<(i64, String)>)],
    auditor_id: i64,
) -> (Vec<i64>, Option<String>) {
    let mut members = Vec::new();
    let mut notes = Vec::new();
    for (role, people) in holders {
        match people.first() {
            None => notes.push(format!("No {} is set up", role.label())),
            Some((id, name)) if *id == auditor_id => notes.push(format!(
                "{name} ({}) audited this case, so the panel went on without them",
                role.label()
            )),
            Some((id, _)) => {
                if !members.contains(id) {
                    members.push(*id);
                }
            }
        }
    }
    let note = (!notes.is_empty()).then(|| format!("{}.", notes.join("; ")));
    (members, note)
}

/// The Assistant Director for an audit: the one with fewest open reviews, never the
/// auditor; ties go to the lower ID so the choice is repeatable.
pub fn assistant_director(candidates: &[(i64, usize)], auditor_id: i64) -> Option<i64> {
    candidates
        .iter()
        .filter(|(id, _)| *id != auditor_id)
        .min_by_key(|(id, open)| (*open, *id))
        .map(|(id, _)| *id)
}

/// A moderator's judgement of one grade: the auditor's grade stands, or theirs instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    Agree,
    Grade(Grade),
}

impl Verdict {
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Agree => "agree",
            Verdict::Grade(g) => g.code(),
        }
    }

    pub fn parse(code: &str) -> Option<Verdict> {
        match code {
            "agree" => Some(Verdict::Agree),
            other => Grade::parse(other).map(Verdict::Grade),
        }
    }

    /// The grade this verdict gives, against the auditor's.
    pub fn grade(self, original: Grade) -> Grade {
        match self {
            Verdict::Agree => original,
            Verdict::Grade(g) => g,
        }
    }
}

/// One moderator's view: a verdict for the overall grade and for each domain, and comments
/// for the auditor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationView {
    /// By domain key, with the overall grade under [`OVERALL`].
    pub verdicts: BTreeMap<String, Verdict>,
    pub comments: String,
}

fn problem(field: String, message: &str) -> FormProblem {
    FormProblem {
        field,
        message: message.into(),
    }
}

/// The field for a grade's verdict or outcome: `overall` or `domain-<key>`.
pub fn field(key: &str) -> String {
    if key == OVERALL {
        "overall".into()
    } else {
        format!("domain-{key}")
    }
}

/// The keys a moderator judges: the audit's graded domains, then the overall grade.
fn keys(domains: &[TemplateDomain], original: &BTreeMap<String, Grade>) -> Vec<String> {
    domains
        .iter()
        .map(|d| d.key.clone())
        .chain(std::iter::once(OVERALL.to_string()))
        .filter(|k| original.contains_key(k))
        .collect()
}

impl ModerationView {
    /// Reads the form (`overall`, `domain-<key>`: "agree" or a grade code; `comments`).
    /// Comments are required whenever a grade differs, so the auditor learns why.
    pub fn parse(
        domains: &[TemplateDomain],
        original: &BTreeMap<String, Grade>,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<ModerationView, Vec<FormProblem>> {
        let mut problems = Vec::new();
        let mut verdicts = BTreeMap::new();
        for key in keys(domains, original) {
            let f = field(&key);
            match get(&f).as_deref().and_then(Verdict::parse) {
                Some(v) => {
                    verdicts.insert(key, v);
                }
                None => problems.push(problem(f, "Choose agree, or the grade you would give")),
            }
        }
        let comments = get("comments").unwrap_or_default().trim().to_string();
        if comments.chars().count() > MAX_TEXT {
            problems.push(problem(
                "comments".into(),
                "Comments must be 10,000 characters or fewer",
            ));
        }
        let view = ModerationView { verdicts, comments };
        if problems.is_empty() && view.comments.is_empty() && view.differs(original) {
            problems.push(problem(
                "comments".into(),
                "Say why you would grade differently, for the auditor",
            ));
        }
        if problems.is_empty() {
            Ok(view)
        } else {
            Err(problems)
        }
    }

    /// The grades this view gives.
    pub fn grades(&self, original: &BTreeMap<String, Grade>) -> BTreeMap<String, Grade> {
        original
            .iter()
            .map(|(k, g)| {
                let v = self.verdicts.get(k).copied().unwrap_or(Verdict::Agree);
                (k.clone(), v.grade(*g))
            })
            .collect()
    }

    /// Whether any grade differs from the auditor's.
    pub fn differs(&self, original: &BTreeMap<String, Grade>) -> bool {
        self.grades(original) != *original
    }
}

/// Whether recorded views give different grades from one another (say the Assistant
/// Director and the panel): then the QA Manager's reason for the outcome is required.
pub fn views_differ(views: &[&ModerationView], original: &BTreeMap<String, Grade>) -> bool {
    let mut graded = views.iter().map(|v| v.grades(original));
    match graded.next() {
        Some(first) => graded.any(|g| g != first),
        None => false,
    }
}

/// What the QA Manager records for the moderation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// The auditor's grades stand.
    Confirmed,
    /// Changed to these grades (every domain and the overall grade).
    Changed(BTreeMap<String, Grade>),
}

impl Outcome {
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::Changed(_) => "changed",
        }
    }

    /// The moderated grades.
    pub fn grades(&self, original: &BTreeMap<String, Grade>) -> BTreeMap<String, Grade> {
        match self {
            Outcome::Confirmed => original.clone(),
            Outcome::Changed(g) => g.clone(),
        }
    }

    /// Reads the outcome form (`outcome`: confirmed or changed; with changed, `overall` and
    /// `domain-<key>` grade codes; `reason`). Changing needs a reason and at least one grade
    /// that differs; so does any outcome when the moderators' views differ.
    pub fn parse(
        domains: &[TemplateDomain],
        original: &BTreeMap<String, Grade>,
        views_differ: bool,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<(Outcome, String), Vec<FormProblem>> {
        let mut problems = Vec::new();
        let reason = get("reason").unwrap_or_default().trim().to_string();
        if reason.chars().count() > MAX_TEXT {
            problems.push(problem(
                "reason".into(),
                "The reason must be 10,000 characters or fewer",
            ));
        }
        let outcome = match get("outcome").as_deref() {
            Some("confirmed") => Some(Outcome::Confirmed),
            Some("changed") => {
                let mut grades = BTreeMap::new();
                for key in keys(domains, original) {
                    let f = field(&key);
                    match get(&f).as_deref().and_then(Grade::parse) {
                        Some(g) => {
                            grades.insert(key, g);
                        }
                        None => problems.push(problem(f, "Choose the moderated grade")),
                    }
                }
                if problems.is_empty() && grades == *original {
                    problems.push(problem(
                        "outcome".into(),
                        "No grade was changed: choose confirmed, or change at least one grade",
                    ));
                }
                Some(Outcome::Changed(grades))
            }
            _ => {
                problems.push(problem("outcome".into(), "Choose confirmed or changed"));
                None
            }
        };
        let changed = matches!(outcome, Some(Outcome::Changed(_)));
        if reason.is_empty() && (changed || views_differ) && problems.is_empty() {
            problems.push(problem(
                "reason".into(),
                if changed {
                    "Give the reason for the change"
                } else {
                    "The moderators' views differ: give the reason for the final grades"
                },
            ));
        }
        match outcome {
            Some(outcome) if problems.is_empty() => Ok((outcome, reason)),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn domains() -> Vec<TemplateDomain> {
        ["voice", "planning"]
            .into_iter()
            .map(|k| TemplateDomain {
                key: k.into(),
                title: k.into(),
                prompt: String::new(),
            })
            .collect()
    }

    fn original() -> BTreeMap<String, Grade> {
        [
            ("voice".to_string(), Grade::Good),
            ("planning".to_string(), Grade::RequiresImprovement),
            (OVERALL.to_string(), Grade::Good),
        ]
        .into()
    }

    fn form(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn holder(id: i64, name: &str) -> Vec<(i64, String)> {
        vec![(id, name.to_string())]
    }

    #[test]
    fn the_panel_goes_on_without_the_audit_s_own_auditor_and_says_why() {
        let holders = vec![
            (Role::PswQaPracticeImprovement, holder(1, "Pat")),
            (Role::SafeguardingReviewManager, holder(2, "Sam")),
            (Role::QaManager, holder(3, "Quinn")),
        ];
        assert_eq!(panel(&holders, 9), (vec![1, 2, 3], None));
        let (members, note) = panel(&holders, 2);
        assert_eq!(members, vec![1, 3]);
        assert!(note
            .unwrap()
            .contains("Sam (Safeguarding & Review Service Manager) audited this case"));
        // One person in two posts sits once; an empty post is noted.
        let doubled = vec![
            (Role::PswQaPracticeImprovement, holder(1, "Pat")),
            (Role::SafeguardingReviewManager, Vec::new()),
            (Role::QaManager, holder(1, "Pat")),
        ];
        let (members, note) = panel(&doubled, 9);
        assert_eq!(members, vec![1]);
        assert!(note.unwrap().starts_with("No Safeguarding"));
    }

    #[test]
    fn the_assistant_director_with_fewest_open_reviews_never_the_auditor() {
        assert_eq!(assistant_director(&[(5, 3), (6, 1), (7, 1)], 9), Some(6));
        assert_eq!(assistant_director(&[(5, 3), (6, 1)], 6), Some(5));
        assert_eq!(assistant_director(&[(6, 0)], 6), None);
        assert_eq!(assistant_director(&[], 1), None);
        assert!(needs_assistant_director(Grade::Outstanding));
        assert!(needs_assistant_director(Grade::Good));
        assert!(!needs_assistant_director(Grade::RequiresImprovement));
        assert!(!needs_assistant_director(Grade::Inadequate));
    }

    #[test]
    fn a_view_agrees_or_gives_a_grade_and_says_why_when_it_differs() {
        let agree = ModerationView::parse(
            &domains(),
            &original(),
            form(&[
                ("overall", "agree"),
                ("domain-voice", "agree"),
                ("domain-planning", "agree"),
            ]),
        )
        .unwrap();
        assert!(!agree.differs(&original()));
        let missing = ModerationView::parse(&domains(), &original(), form(&[("overall", "agree")]))
            .unwrap_err();
        let fields: Vec<&str> = missing.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["domain-voice", "domain-planning"]);
        let differs = [
            ("overall", "requires_improvement"),
            ("domain-voice", "agree"),
            ("domain-planning", "agree"),
        ];
        let no_reason = ModerationView::parse(&domains(), &original(), form(&differs)).unwrap_err();
        assert_eq!(no_reason[0].field, "comments");
        let mut with_reason = differs.to_vec();
        with_reason.push(("comments", "Oversight is not yet driving the plan."));
        let view = ModerationView::parse(&domains(), &original(), form(&with_reason)).unwrap();
        assert_eq!(
            view.grades(&original())[OVERALL],
            Grade::RequiresImprovement
        );
        assert_eq!(view.grades(&original())["voice"], Grade::Good);
        assert!(views_differ(&[&agree, &view], &original()));
        assert!(!views_differ(&[&agree, &agree], &original()));
        assert!(!views_differ(&[], &original()));
    }

    #[test]
    fn an_outcome_is_confirmed_or_changed_with_a_reason() {
        let (o, _) = Outcome::parse(
            &domains(),
            &original(),
            false,
            form(&[("outcome", "confirmed")]),
        )
        .unwrap();
        assert_eq!(o.grades(&original()), original());
        // Views differ: even confirming needs a reason.
        let e = Outcome::parse(
            &domains(),
            &original(),
            true,
            form(&[("outcome", "confirmed")]),
        )
        .unwrap_err();
        assert_eq!(e[0].field, "reason");
        let same = [
            ("outcome", "changed"),
            ("overall", "good"),
            ("domain-voice", "good"),
            ("domain-planning", "requires_improvement"),
            ("reason", "x"),
        ];
        let e = Outcome::parse(&domains(), &original(), false, form(&same)).unwrap_err();
        assert_eq!(e[0].field, "outcome");
        let changed = [
            ("outcome", "changed"),
            ("overall", "requires_improvement"),
            ("domain-voice", "good"),
            ("domain-planning", "requires_improvement"),
        ];
        let e = Outcome::parse(&domains(), &original(), false, form(&changed)).unwrap_err();
        assert_eq!(e[0].message, "Give the reason for the change");
        let mut with_reason = changed.to_vec();
        with_reason.push(("reason", "The plan has drifted since October."));
        let (o, reason) =
            Outcome::parse(&domains(), &original(), false, form(&with_reason)).unwrap();
        assert_eq!(o.grades(&original())[OVERALL], Grade::RequiresImprovement);
        assert_eq!(reason, "The plan has drifted since October.");
        let e = Outcome::parse(&domains(), &original(), false, form(&[])).unwrap_err();
        assert_eq!(e[0].field, "outcome");
    }

    #[test]
    fn codes_round_trip() {
        for v in [Verdict::Agree, Verdict::Grade(Grade::Inadequate)] {
            assert_eq!(Verdict::parse(v.code()), Some(v));
        }
        for p in [Part::Panel, Part::AssistantDirector] {
            assert_eq!(Part::parse(p.code()), Some(p));
        }
        assert_eq!(Verdict::parse("meh"), None);
        assert_eq!(field(OVERALL), "overall");
        assert_eq!(field("voice"), "domain-voice");
    }
}

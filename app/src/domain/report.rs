//! The monthly summary report for the senior management team, and the newsletter's summary:
//! figures from the round's audits, the sections pre-filled from tagged findings, and the
//! report's text as the QA team edits it. No I/O.

use super::audit::{FormProblem, Grade, OVERALL};
use super::calendar::AuditMonth;
use super::themes::Finding;
use super::words::count as plural;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One round as the report counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundFacts {
    pub month: AuditMonth,
    pub due_on: NaiveDate,
    /// Cases selected and not withdrawn.
    pub selected: usize,
}

/// How the moderation of an audit came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Moderation {
    Confirmed,
    Changed,
}

/// Where an audit's action review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewFact {
    NotAssigned,
    Assigned,
    Finalised,
}

/// One audit as the report counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFacts {
    pub audit_id: i64,
    pub month: AuditMonth,
    pub team: String,
    /// The London date it was completed, if it was.
    pub completed_on: Option<NaiveDate>,
    /// As completed: each domain's key and grade, the overall grade under [`OVERALL`].
    pub grades: Vec<(String, Grade)>,
    pub moderation: Option<Moderation>,
    pub review: ReviewFact,
}

impl AuditFacts {
    fn grade(&self, key: &str) -> Option<Grade> {
        self.grades.iter().find(|(k, _)| k == key).map(|(_, g)| *g)
    }
}

/// Everything the figures are made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    /// The report's rounds, oldest first.
    pub rounds: Vec<RoundFacts>,
    /// Up to three rounds before the first, oldest first, for the change.
    pub previous: Vec<RoundFacts>,
    /// The audits of all those rounds.
    pub audits: Vec<AuditFacts>,
    /// The form's domains: (key, title), in the form's order.
    pub domains: Vec<(String, String)>,
    pub today: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Figure {
    Text(String),
    Count(usize),
    /// 0.0 to 1.0.
    Share(f64),
    /// A change in percentage points.
    Points(f64),
    /// Nothing to count from.
    None,
}

impl Figure {
    pub fn display(&self) -> String {
        match self {
            Figure::Text(t) => t.clone(),
            Figure::Count(n) => n.to_string(),
            Figure::Share(s) => format!("{:.0}%", s * 100.0),
            Figure::Points(p) => points(*p),
            Figure::None => "–".into(),
        }
    }
}

/// "+5 points", "−3 points", "no change".
pub fn points(p: f64) -> String {
    let rounded = (p * 100.0).round() as i64;
    match rounded {
        0 => "no change".into(),
        1 => "+1 point".into(),
        -1 => "−1 point".into(),
        n if n > 0 => format!("+{n} points"),
        n => format!("−{} points", -n),
    }
}

fn share(part: usize, whole: usize) -> Figure {
    if whole == 0 {
        Figure::None
    } else {
        Figure::Share(part as f64 / whole as f64)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureTable {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Figure>>,
}

/// Grouped bars: one group per category, one bar per series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureChart {
    pub title: String,
    pub categories: Vec<String>,
    pub series: Vec<(String, Vec<f64>)>,
    /// Values are percentages (0–100), not counts.
    pub percent: bool,
}

/// The headline numbers, for the main findings and the newsletter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    pub selected: usize,
    pub on_time: usize,
    pub completed: usize,
    pub overdue: usize,
    pub graded: usize,
    pub good_or_better: usize,
    /// Good or better in the previous rounds, as a share, if they graded any.
    pub previous_good_or_better: Option<f64>,
    pub moderated: usize,
    pub confirmed: usize,
    pub reviews_assigned: usize,
    pub reviews_finalised: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFigures {
    /// "October 2026", or "August to October 2026".
    pub period: String,
    pub headline: Headline,
    pub tables: Vec<FigureTable>,
    pub charts: Vec<FigureChart>,
}

/// "October 2026", "August to October 2026", "November 2026 to January 2027".
pub fn period_label(first: AuditMonth, last: AuditMonth) -> String {
    if first == last {
        first.label()
    } else if first.year() == last.year() {
        format!("{} to {}", first.first_day().format("%B"), last.label())
    } else {
        format!("{} to {}", first.label(), last.label())
    }
}

/// Counts of each grade, in [`Grade::ALL`]'s order, and the good-or-better share.
fn grade_row(grades: impl Iterator<Item = Grade>) -> (Vec<Figure>, usize, usize) {
    let mut counts = [0usize; 4];
    for g in grades {
        counts[Grade::ALL.iter().position(|x| *x == g).unwrap_or(0)] += 1;
    }
    let total: usize = counts.iter().sum();
    let good = counts[0] + counts[1];
    let mut row: Vec<Figure> = counts.iter().map(|c| Figure::Count(*c)).collect();
    row.push(share(good, total));
    (row, good, total)
}

fn change(now: &Figure, before: &Figure) -> Figure {
    match (now, before) {
        (Figure::Share(a), Figure::Share(b)) => Figure::Points(a - b),
        _ => Figure::None,
    }
}

/// The report's figures. Completion counts against each round's due date, with the
/// completion date taken in Europe/London; an audit still open is overdue once its round's
/// due date has passed. Grades are as the auditor completed them (moderation's changes are
/// counted under moderation agreement, not here).
pub fn figures(input: &ReportInput) -> ReportFigures {
    let in_range: BTreeSet<AuditMonth> = input.rounds.iter().map(|r| r.month).collect();
    let in_previous: BTreeSet<AuditMonth> = input.previous.iter().map(|r| r.month).collect();
    let audits: Vec<&AuditFacts> = input
        .audits
        .iter()
        .filter(|a| in_range.contains(&a.month))
        .collect();
    let previous: Vec<&AuditFacts> = input
        .audits
        .iter()
        .filter(|a| in_previous.contains(&a.month))
        .collect();

    // Completion, per round and in total.
    let mut completion = FigureTable {
        caption: "Completion against the due date".into(),
        header: [
            "Round",
            "Selected",
            "Completed by the due date",
            "Completed late",
            "Open and overdue",
            "Open, not yet due",
            "Completed by the due date (share)",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    let mut total = [0usize; 5];
    for round in &input.rounds {
        let of_round: Vec<&&AuditFacts> =
            audits.iter().filter(|a| a.month == round.month).collect();
        let on_time = of_round
            .iter()
            .filter(|a| a.completed_on.is_some_and(|d| d <= round.due_on))
            .count();
        let late = of_round
            .iter()
            .filter(|a| a.completed_on.is_some_and(|d| d > round.due_on))
            .count();
        let open = round.selected.saturating_sub(on_time + late);
        let (open_overdue, open_not_due) = if input.today > round.due_on {
            (open, 0)
        } else {
            (0, open)
        };
        let row = [round.selected, on_time, late, open_overdue, open_not_due];
        for (t, v) in total.iter_mut().zip(row) {
            *t += v;
        }
        completion.rows.push(
            std::iter::once(Figure::Text(round.month.label()))
                .chain(row.iter().map(|v| Figure::Count(*v)))
                .chain(std::iter::once(share(on_time, round.selected)))
                .collect(),
        );
    }
    if input.rounds.len() > 1 {
        completion.rows.push(
            std::iter::once(Figure::Text("All rounds".into()))
                .chain(total.iter().map(|v| Figure::Count(*v)))
                .chain(std::iter::once(share(total[1], total[0])))
                .collect(),
        );
    }

    // Overall grades: each previous round, then this period.
    let grade_header = |first: &str, extra: &[&str]| {
        std::iter::once(first.to_string())
            .chain(Grade::ALL.iter().map(|g| g.label().to_string()))
            .chain(std::iter::once("Good or better".to_string()))
            .chain(extra.iter().map(|s| s.to_string()))
            .collect::<Vec<_>>()
    };
    let mut overall = FigureTable {
        caption: "Overall grades, with the three rounds before".into(),
        header: grade_header("Period", &[]),
        rows: Vec::new(),
    };
    let mut chart = FigureChart {
        title: "Overall grades by period".into(),
        categories: Vec::new(),
        series: Grade::ALL
            .iter()
            .map(|g| (g.label().to_string(), Vec::new()))
            .collect(),
        percent: false,
    };
    let period = match (input.rounds.first(), input.rounds.last()) {
        (Some(f), Some(l)) => period_label(f.month, l.month),
        _ => "No rounds".into(),
    };
    let overall_of = |list: &[&AuditFacts]| grade_row(list.iter().filter_map(|a| a.grade(OVERALL)));
    let mut rows_for_chart = Vec::new();
    for round in &input.previous {
        let of_round: Vec<&AuditFacts> = previous
            .iter()
            .copied()
            .filter(|a| a.month == round.month)
            .collect();
        rows_for_chart.push((round.month.label(), overall_of(&of_round).0));
    }
    let (this_row, good, graded) = overall_of(&audits);
    rows_for_chart.push((period.clone(), this_row));
    for (label, row) in rows_for_chart {
        chart.categories.push(label.clone());
        for (i, f) in row.iter().take(4).enumerate() {
            if let Figure::Count(n) = f {
                chart.series[i].1.push(*n as f64);
            }
        }
        overall
            .rows
            .push(std::iter::once(Figure::Text(label)).chain(row).collect());
    }
    let (_, prev_good, prev_graded) = overall_of(&previous);
    let previous_share = (prev_graded > 0).then(|| prev_good as f64 / prev_graded as f64);

    // By domain and by team, against the previous rounds.
    let mut by_domain = FigureTable {
        caption: "Grades by domain, against the three rounds before".into(),
        header: grade_header("Domain", &["Before (good or better)", "Change"]),
        rows: Vec::new(),
    };
    let mut domain_chart = FigureChart {
        title: "Good or better by domain".into(),
        categories: Vec::new(),
        series: vec![
            ("This period".into(), Vec::new()),
            ("The three rounds before".into(), Vec::new()),
        ],
        percent: true,
    };
    let share_value = |f: &Figure| match f {
        Figure::Share(s) => *s * 100.0,
        _ => 0.0,
    };
    for (key, title) in &input.domains {
        let (mut row, _, _) = grade_row(audits.iter().filter_map(|a| a.grade(key)));
        let (before, _, _) = grade_row(previous.iter().filter_map(|a| a.grade(key)));
        let now = row[4].clone();
        let was = before[4].clone();
        domain_chart.categories.push(title.clone());
        domain_chart.series[0].1.push(share_value(&now));
        domain_chart.series[1].1.push(share_value(&was));
        row.push(was.clone());
        row.push(change(&now, &was));
        by_domain.rows.push(
            std::iter::once(Figure::Text(title.clone()))
                .chain(row)
                .collect(),
        );
    }
    let mut by_team = FigureTable {
        caption: "Overall grades by team, against the three rounds before".into(),
        header: grade_header("Team", &["Before (good or better)", "Change"]),
        rows: Vec::new(),
    };
    let teams: BTreeSet<&str> = audits
        .iter()
        .filter(|a| a.grade(OVERALL).is_some())
        .map(|a| a.team.as_str())
        .collect();
    for team in teams {
        let (mut row, _, _) = grade_row(
            audits
                .iter()
                .filter(|a| a.team == team)
                .filter_map(|a| a.grade(OVERALL)),
        );
        let (before, _, _) = grade_row(
            previous
                .iter()
                .filter(|a| a.team == team)
                .filter_map(|a| a.grade(OVERALL)),
        );
        let now = row[4].clone();
        let was = before[4].clone();
        row.push(was.clone());
        row.push(change(&now, &was));
        by_team.rows.push(
            std::iter::once(Figure::Text(team.to_string()))
                .chain(row)
                .collect(),
        );
    }

    // Moderation and action reviews.
    let moderated = audits.iter().filter(|a| a.moderation.is_some()).count();
    let confirmed = audits
        .iter()
        .filter(|a| a.moderation == Some(Moderation::Confirmed))
        .count();
    let moderation = FigureTable {
        caption: "Moderation agreement".into(),
        header: [
            "Audits moderated",
            "Grades confirmed",
            "Grades changed",
            "Agreement",
        ]
        .map(String::from)
        .to_vec(),
        rows: vec![vec![
            Figure::Count(moderated),
            Figure::Count(confirmed),
            Figure::Count(moderated - confirmed),
            share(confirmed, moderated),
        ]],
    };
    let completed = audits.iter().filter(|a| a.completed_on.is_some()).count();
    let assigned = audits
        .iter()
        .filter(|a| a.review != ReviewFact::NotAssigned)
        .count();
    let finalised = audits
        .iter()
        .filter(|a| a.review == ReviewFact::Finalised)
        .count();
    let reviews = FigureTable {
        caption: "Action reviews".into(),
        header: [
            "Audits completed",
            "Action reviews assigned",
            "Action reviews finalised",
            "Finalised (share of assigned)",
        ]
        .map(String::from)
        .to_vec(),
        rows: vec![vec![
            Figure::Count(completed),
            Figure::Count(assigned),
            Figure::Count(finalised),
            share(finalised, assigned),
        ]],
    };

    ReportFigures {
        period,
        headline: Headline {
            selected: total[0],
            on_time: total[1],
            completed: total[1] + total[2],
            overdue: total[2] + total[3],
            graded,
            good_or_better: good,
            previous_good_or_better: previous_share,
            moderated,
            confirmed,
            reviews_assigned: assigned,
            reviews_finalised: finalised,
        },
        tables: vec![completion, overall, by_domain, by_team, moderation, reviews],
        charts: vec![chart, domain_chart],
    }
}

/// A theme on one of an audit's findings, for the pre-filled sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedFinding {
    pub audit_id: i64,
    pub finding: Finding,
    pub theme: String,
}

/// What the period's audits hold that is not yet tagged: audits with strengths or areas
/// for development written, and each audit's required actions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub strengths: Vec<i64>,
    pub development: Vec<i64>,
    /// (audit, required actions in it, of which tagged).
    pub actions: Vec<(i64, usize, usize)>,
}

/// The report's four sections as the QA team edits them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sections {
    pub main_findings: String,
    pub key_strengths: String,
    pub improvement: String,
    pub recommendations: String,
}

pub const MAX_SECTION: usize = 20_000;

pub const SECTION_FIELDS: [(&str, &str); 4] = [
    ("main_findings", "Main findings"),
    ("key_strengths", "Key strengths"),
    ("improvement", "Areas for improvement"),
    ("recommendations", "Recommendations"),
];

impl Sections {
    /// Reads the four sections; each may be empty while drafting, none may be too long.
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Result<Sections, Vec<FormProblem>> {
        let mut problems = Vec::new();
        let mut read = |field: &str, label: &str| {
            let text = super::difference::tidy(&get(field).unwrap_or_default());
            if text.chars().count() > MAX_SECTION {
                problems.push(FormProblem {
                    field: field.into(),
                    message: format!("{label} must be 20,000 characters or fewer"),
                });
            }
            text
        };
        let sections = Sections {
            main_findings: read("main_findings", "Main findings"),
            key_strengths: read("key_strengths", "Key strengths"),
            improvement: read("improvement", "Areas for improvement"),
            recommendations: read("recommendations", "Recommendations"),
        };
        if problems.is_empty() {
            Ok(sections)
        } else {
            Err(problems)
        }
    }

    /// The sections in order with their labels.
    pub fn labelled(&self) -> [(&'static str, &'static str, &str); 4] {
        [
            ("main_findings", "Main findings", &self.main_findings),
            ("key_strengths", "Key strengths", &self.key_strengths),
            ("improvement", "Areas for improvement", &self.improvement),
            ("recommendations", "Recommendations", &self.recommendations),
        ]
    }

    /// All four, for the disclosure check.
    pub fn all_text(&self) -> String {
        self.labelled()
            .iter()
            .map(|(_, _, t)| *t)
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// Finalising waits for the main findings and recommendations at least.
    pub fn finalising_problems(&self) -> Vec<FormProblem> {
        let mut problems = Vec::new();
        for (field, label, text) in self.labelled() {
            if text.trim().is_empty() {
                problems.push(FormProblem {
                    field: field.into(),
                    message: format!("Write the {} before finalising", label.to_lowercase()),
                });
            }
        }
        problems
    }
}

/// "audit 12", "audits 3 and 7", "audits 3, 7 and 12".
pub fn audit_numbers(ids: &[i64]) -> String {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let names: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => format!("audit {one}"),
        [init @ .., last] => format!("audits {} and {last}", init.join(", ")),
    }
}

/// Themes of one finding, most audits first (then by name), with the audits that have each.
fn by_theme(tags: &[TaggedFinding], finding: Finding) -> Vec<(String, Vec<i64>, usize)> {
    let mut themes: BTreeMap<&str, (BTreeSet<i64>, usize)> = BTreeMap::new();
    for t in tags.iter().filter(|t| t.finding == finding) {
        let entry = themes.entry(&t.theme).or_default();
        entry.0.insert(t.audit_id);
        entry.1 += 1;
    }
    let mut out: Vec<(String, Vec<i64>, usize)> = themes
        .into_iter()
        .map(|(name, (audits, n))| (name.to_string(), audits.into_iter().collect(), n))
        .collect();
    out.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The sections as first drafted: the headline figures, then the period's strengths,
/// areas for development and required actions grouped by theme with counts, quoting audit
/// numbers only (never a Child Unique ID or a name: the findings' own words are not
/// quoted, so nothing a practitioner wrote can carry one in).
pub fn prefill(figures: &ReportFigures, tags: &[TaggedFinding], written: &Written) -> Sections {
    let h = &figures.headline;
    let mut main = vec![format!(
        "{}: {} selected for audit; {} completed by the due date{}.",
        figures.period,
        plural(h.selected, "case", "cases"),
        h.on_time,
        match share(h.on_time, h.selected) {
            Figure::Share(s) => format!(" ({:.0}%)", s * 100.0),
            _ => String::new(),
        }
    )];
    if h.overdue > 0 {
        main.push(format!(
            "{} not completed by the due date.",
            plural(h.overdue, "audit was", "audits were")
        ));
    }
    if h.graded > 0 {
        let now = h.good_or_better as f64 / h.graded as f64;
        let mut line = format!(
            "{} of {} audits ({:.0}%) were graded good or better overall",
            h.good_or_better,
            h.graded,
            now * 100.0
        );
        if let Some(before) = h.previous_good_or_better {
            line.push_str(&format!(
                "; {} on the three rounds before ({:.0}%)",
                points(now - before),
                before * 100.0
            ));
        }
        line.push('.');
        main.push(line);
    }
    if h.moderated > 0 {
        main.push(format!(
            "Moderation confirmed the grades of {} of {} moderated.",
            h.confirmed,
            plural(h.moderated, "audit", "audits")
        ));
    }
    if h.reviews_assigned > 0 {
        main.push(format!(
            "{} of {} finalised.",
            h.reviews_finalised,
            plural(h.reviews_assigned, "action review", "action reviews")
        ));
    }

    let themed = |finding: Finding, untagged: &[i64], what: &str| {
        let mut lines = Vec::new();
        let themes = by_theme(tags, finding);
        if themes.is_empty() && untagged.is_empty() {
            return format!("No {what} were recorded in this period.");
        }
        if !themes.is_empty() {
            lines.push(format!("{} by theme:", capitalise(what)));
            for (name, audits, _) in &themes {
                lines.push(format!(
                    "- {name}: {} ({})",
                    plural(audits.len(), "audit", "audits"),
                    audit_numbers(audits)
                ));
            }
        }
        let tagged: BTreeSet<i64> = tags
            .iter()
            .filter(|t| t.finding == finding)
            .map(|t| t.audit_id)
            .collect();
        let left: Vec<i64> = untagged
            .iter()
            .copied()
            .filter(|a| !tagged.contains(a))
            .collect();
        if !left.is_empty() {
            lines.push(format!(
                "Not yet tagged with a theme: {}.",
                audit_numbers(&left)
            ));
        }
        lines.join("\n")
    };

    let mut recommendations = Vec::new();
    let actions = by_theme(tags, Finding::Action);
    let total_actions: usize = written.actions.iter().map(|(_, n, _)| n).sum();
    if total_actions == 0 {
        recommendations.push("No required actions were recorded in this period.".to_string());
    } else {
        recommendations.push(format!(
            "{} in {}.",
            plural(
                total_actions,
                "required action was set",
                "required actions were set"
            ),
            plural(written.actions.len(), "audit", "audits")
        ));
        if !actions.is_empty() {
            recommendations.push("Required actions by theme:".into());
            for (name, audits, n) in &actions {
                recommendations.push(format!(
                    "- {name}: {} in {} ({})",
                    plural(*n, "action", "actions"),
                    plural(audits.len(), "audit", "audits"),
                    audit_numbers(audits)
                ));
            }
        }
        let untagged: Vec<i64> = written
            .actions
            .iter()
            .filter(|(_, n, tagged)| tagged < n)
            .map(|(a, _, _)| *a)
            .collect();
        if !untagged.is_empty() {
            recommendations.push(format!(
                "Actions not yet tagged with a theme: {}.",
                audit_numbers(&untagged)
            ));
        }
    }

    Sections {
        main_findings: main.join("\n"),
        key_strengths: themed(Finding::Strengths, &written.strengths, "strengths"),
        improvement: themed(
            Finding::Development,
            &written.development,
            "areas for development",
        ),
        recommendations: recommendations.join("\n"),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What the newsletter's summary is drafted from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsletterFacts {
    /// "1 to 30 November 2026".
    pub period: String,
    pub completed: usize,
    pub good_or_better: usize,
    /// Themes of strengths, most audits first.
    pub strengths: Vec<(String, usize)>,
    /// Themes of areas for development, most audits first.
    pub development: Vec<(String, usize)>,
    /// Make A Difference summaries published in the period (titles).
    pub differences: Vec<String>,
    /// Sessions still to come: (title, "Tuesday 12 January 2027 at 10:00").
    pub upcoming: Vec<(String, String)>,
}

/// A short, plain-English draft for the staff newsletter: no figures below a team, no
/// audit numbers (staff cannot open them), no names.
pub fn newsletter_draft(f: &NewsletterFacts) -> String {
    let mut parts = Vec::new();
    if f.completed == 0 {
        parts.push(format!(
            "Case audits, {}: no audits were completed in this period.",
            f.period
        ));
    } else {
        parts.push(format!(
            "Case audits, {}: we completed {}, and {} were graded good or better. Thank you to everyone who took part.",
            f.period,
            plural(f.completed, "case audit", "case audits"),
            f.good_or_better
        ));
    }
    if !f.strengths.is_empty() {
        let names: Vec<String> = f
            .strengths
            .iter()
            .take(3)
            .map(|(n, _)| n.to_lowercase())
            .collect();
        parts.push(format!("What went well: {}.", join_words(&names)));
    }
    if !f.development.is_empty() {
        let names: Vec<String> = f
            .development
            .iter()
            .take(2)
            .map(|(n, _)| n.to_lowercase())
            .collect();
        parts.push(format!(
            "What we are learning: audits asked us to strengthen {}.",
            join_words(&names)
        ));
    }
    if !f.differences.is_empty() {
        parts.push(format!(
            "Make A Difference: read {} in the library: {}.",
            if f.differences.len() == 1 {
                "the new summary of good practice"
            } else {
                "the new summaries of good practice"
            },
            f.differences
                .iter()
                .map(|t| format!("\u{201c}{t}\u{201d}"))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if !f.upcoming.is_empty() {
        let mut lines = vec!["Coming up:".to_string()];
        for (title, when) in &f.upcoming {
            lines.push(format!("- {title}, {when}"));
        }
        parts.push(lines.join("\n"));
    }
    parts.join("\n\n")
}

fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(m: u32) -> AuditMonth {
        AuditMonth::new(2026, m).unwrap()
    }
    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }
    fn audit(
        id: i64,
        m: u32,
        team: &str,
        done: Option<NaiveDate>,
        overall: Option<Grade>,
    ) -> AuditFacts {
        AuditFacts {
            audit_id: id,
            month: month(m),
            team: team.into(),
            completed_on: done,
            grades: overall
                .map(|g| vec![("voice".to_string(), g), (OVERALL.to_string(), g)])
                .unwrap_or_default(),
            moderation: None,
            review: ReviewFact::NotAssigned,
        }
    }
    fn round(m: u32, due: NaiveDate, selected: usize) -> RoundFacts {
        RoundFacts {
            month: month(m),
            due_on: due,
            selected,
        }
    }

    #[test]
    fn completion_counts_against_the_due_date_including_the_day_itself() {
        let input = ReportInput {
            rounds: vec![round(10, day(10, 30), 4)],
            previous: vec![],
            audits: vec![
                audit(1, 10, "A", Some(day(10, 30)), Some(Grade::Good)),
                audit(2, 10, "A", Some(day(10, 29)), Some(Grade::Inadequate)),
                audit(3, 10, "B", Some(day(11, 2)), Some(Grade::Good)),
            ],
            domains: vec![("voice".into(), "Voice".into())],
            today: day(11, 20),
        };
        let f = figures(&input);
        let row = &f.tables[0].rows[0];
        assert_eq!(row[1], Figure::Count(4));
        assert_eq!(
            row[2],
            Figure::Count(2),
            "on the due date counts as on time"
        );
        assert_eq!(row[3], Figure::Count(1));
        assert_eq!(
            row[4],
            Figure::Count(1),
            "the case with no completion is overdue"
        );
        assert_eq!(row[5], Figure::Count(0));
        assert_eq!(f.headline.overdue, 2, "late and still open");
        assert_eq!(f.headline.good_or_better, 2);
        assert_eq!(f.headline.graded, 3);
    }

    #[test]
    fn before_the_due_date_open_audits_are_not_overdue() {
        let input = ReportInput {
            rounds: vec![round(12, day(12, 31), 3)],
            previous: vec![],
            audits: vec![audit(1, 12, "A", None, None)],
            domains: vec![],
            today: day(12, 31),
        };
        let f = figures(&input);
        assert_eq!(f.tables[0].rows[0][4], Figure::Count(0));
        assert_eq!(f.tables[0].rows[0][5], Figure::Count(3));
        assert_eq!(f.headline.overdue, 0);
    }

    #[test]
    fn grades_change_is_against_the_three_rounds_before() {
        let input = ReportInput {
            rounds: vec![round(10, day(10, 30), 2)],
            previous: vec![round(8, day(8, 28), 2), round(9, day(9, 30), 2)],
            audits: vec![
                audit(1, 8, "A", Some(day(8, 1)), Some(Grade::Good)),
                audit(2, 8, "A", Some(day(8, 1)), Some(Grade::Inadequate)),
                audit(3, 9, "A", Some(day(9, 1)), Some(Grade::Inadequate)),
                audit(4, 9, "B", Some(day(9, 1)), Some(Grade::RequiresImprovement)),
                audit(5, 10, "A", Some(day(10, 1)), Some(Grade::Outstanding)),
                audit(
                    6,
                    10,
                    "A",
                    Some(day(10, 1)),
                    Some(Grade::RequiresImprovement),
                ),
            ],
            domains: vec![("voice".into(), "Voice".into())],
            today: day(11, 1),
        };
        let f = figures(&input);
        let overall = &f.tables[1];
        assert_eq!(overall.rows.len(), 3, "two previous rounds and the period");
        assert_eq!(overall.rows[2][0], Figure::Text("October 2026".into()));
        assert_eq!(overall.rows[2][1], Figure::Count(1));
        assert_eq!(overall.rows[2][5], Figure::Share(0.5));
        assert_eq!(f.headline.previous_good_or_better, Some(0.25));
        let domain = &f.tables[2].rows[0];
        assert_eq!(domain[0], Figure::Text("Voice".into()));
        assert_eq!(domain[6], Figure::Share(0.25));
        assert_eq!(domain[7], Figure::Points(0.25));
        let team_a = &f.tables[3].rows[0];
        assert_eq!(team_a[0], Figure::Text("A".into()));
        // Team A: 1 of 2 now, 1 of 3 before.
        match &team_a[7] {
            Figure::Points(p) => assert!((p - (0.5 - 1.0 / 3.0)).abs() < 1e-9),
            other => panic!("{other:?}"),
        }
        assert_eq!(f.charts[0].categories.len(), 3);
        assert_eq!(f.charts[0].series[0].1, vec![0.0, 0.0, 1.0]);
    }

    #[test]
    fn empty_period_has_no_shares_and_no_panics() {
        let input = ReportInput {
            rounds: vec![round(10, day(10, 30), 0)],
            previous: vec![],
            audits: vec![],
            domains: vec![("voice".into(), "Voice".into())],
            today: day(11, 1),
        };
        let f = figures(&input);
        assert_eq!(f.tables[0].rows[0][6], Figure::None);
        assert_eq!(f.tables[4].rows[0][3], Figure::None);
        assert_eq!(f.tables[2].rows[0][7], Figure::None);
        let s = prefill(&f, &[], &Written::default());
        assert!(s.key_strengths.contains("No strengths were recorded"));
        assert!(s.recommendations.contains("No required actions"));
    }

    #[test]
    fn moderation_and_reviews_are_counted() {
        let mut a = audit(1, 10, "A", Some(day(10, 1)), Some(Grade::Good));
        a.moderation = Some(Moderation::Confirmed);
        a.review = ReviewFact::Finalised;
        let mut b = audit(2, 10, "A", Some(day(10, 1)), Some(Grade::Good));
        b.moderation = Some(Moderation::Changed);
        b.review = ReviewFact::Assigned;
        let input = ReportInput {
            rounds: vec![round(10, day(10, 30), 2)],
            previous: vec![],
            audits: vec![a, b],
            domains: vec![],
            today: day(11, 1),
        };
        let f = figures(&input);
        assert_eq!(
            f.tables[4].rows[0],
            vec![
                Figure::Count(2),
                Figure::Count(1),
                Figure::Count(1),
                Figure::Share(0.5)
            ]
        );
        assert_eq!(f.tables[5].rows[0][1], Figure::Count(2));
        assert_eq!(f.tables[5].rows[0][2], Figure::Count(1));
    }

    #[test]
    fn a_range_totals_its_rounds() {
        let input = ReportInput {
            rounds: vec![round(9, day(9, 30), 2), round(10, day(10, 30), 3)],
            previous: vec![],
            audits: vec![
                audit(1, 9, "A", Some(day(9, 1)), None),
                audit(2, 10, "A", Some(day(10, 1)), None),
            ],
            domains: vec![],
            today: day(11, 1),
        };
        let f = figures(&input);
        assert_eq!(f.period, "September to October 2026");
        let total = f.tables[0].rows.last().unwrap();
        assert_eq!(total[0], Figure::Text("All rounds".into()));
        assert_eq!(total[1], Figure::Count(5));
        assert_eq!(total[2], Figure::Count(2));
        assert_eq!(total[4], Figure::Count(3));
    }

    #[test]
    fn prefill_groups_by_theme_and_quotes_audit_numbers_only() {
        let f = figures(&ReportInput {
            rounds: vec![round(10, day(10, 30), 3)],
            previous: vec![],
            audits: vec![],
            domains: vec![],
            today: day(11, 1),
        });
        let tag = |a, finding, theme: &str| TaggedFinding {
            audit_id: a,
            finding,
            theme: theme.into(),
        };
        let tags = vec![
            tag(12, Finding::Strengths, "Voice of the child"),
            tag(3, Finding::Strengths, "Voice of the child"),
            tag(7, Finding::Strengths, "Chronologies"),
            tag(3, Finding::Development, "Management oversight"),
            tag(3, Finding::Action, "Management oversight"),
            tag(3, Finding::Action, "Management oversight"),
        ];
        let written = Written {
            strengths: vec![3, 7, 12, 15],
            development: vec![3],
            actions: vec![(3, 2, 2), (15, 1, 0)],
        };
        let s = prefill(&f, &tags, &written);
        assert_eq!(
            s.key_strengths,
            "Strengths by theme:\n- Voice of the child: 2 audits (audits 3 and 12)\n- Chronologies: 1 audit (audit 7)\nNot yet tagged with a theme: audit 15."
        );
        assert!(s
            .improvement
            .contains("- Management oversight: 1 audit (audit 3)"));
        assert!(s
            .recommendations
            .contains("3 required actions were set in 2 audits."));
        assert!(s
            .recommendations
            .contains("- Management oversight: 2 actions in 1 audit (audit 3)"));
        assert!(s
            .recommendations
            .contains("not yet tagged with a theme: audit 15."));
    }

    #[test]
    fn sections_parse_and_finalising_needs_every_section() {
        let s = Sections::parse(|k| (k == "main_findings").then(|| "  Found\r\nthings ".into()))
            .unwrap();
        assert_eq!(s.main_findings, "Found\nthings");
        let problems = s.finalising_problems();
        assert_eq!(problems.len(), 3);
        assert_eq!(problems[0].field, "key_strengths");
        let long = "x".repeat(MAX_SECTION + 1);
        let e = Sections::parse(|k| (k == "improvement").then(|| long.clone())).unwrap_err();
        assert_eq!(e[0].field, "improvement");
    }

    #[test]
    fn audit_numbers_and_points_read_naturally() {
        assert_eq!(audit_numbers(&[]), "");
        assert_eq!(audit_numbers(&[4]), "audit 4");
        assert_eq!(audit_numbers(&[9, 4, 4]), "audits 4 and 9");
        assert_eq!(audit_numbers(&[9, 4, 12]), "audits 4, 9 and 12");
        assert_eq!(points(0.051), "+5 points");
        assert_eq!(points(-0.01), "−1 point");
        assert_eq!(points(0.001), "no change");
        assert_eq!(
            period_label(month(11), AuditMonth::new(2027, 1).unwrap()),
            "November 2026 to January 2027"
        );
    }

    #[test]
    fn the_newsletter_draft_is_plain_and_names_no_audit() {
        let text = newsletter_draft(&NewsletterFacts {
            period: "November 2026".into(),
            completed: 12,
            good_or_better: 8,
            strengths: vec![("Voice of the child".into(), 5), ("Chronologies".into(), 2)],
            development: vec![("Management oversight".into(), 4)],
            differences: vec!["Hearing Sam".into()],
            upcoming: vec![(
                "Audit feedback session".into(),
                "Tuesday 12 January 2027 at 10:00".into(),
            )],
        });
        assert!(text.starts_with("Case audits, November 2026: we completed 12 case audits, and 8 were graded good or better."));
        assert!(text.contains("What went well: voice of the child and chronologies."));
        assert!(text.contains("strengthen management oversight."));
        assert!(text.contains("\u{201c}Hearing Sam\u{201d}"));
        assert!(text.contains("- Audit feedback session, Tuesday 12 January 2027 at 10:00"));
        assert!(!text.contains("audit 1"));
        let empty = newsletter_draft(&NewsletterFacts {
            period: "May 2027".into(),
            completed: 0,
            good_or_better: 0,
            strengths: vec![],
            development: vec![],
            differences: vec![],
            upcoming: vec![],
        });
        assert_eq!(
            empty,
            "Case audits, May 2027: no audits were completed in this period."
        );
    }
}

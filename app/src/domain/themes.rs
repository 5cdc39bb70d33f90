//! Development themes: the QA team's list, what a theme can be put on, and how often each
//! theme is found over rounds. No I/O.

use super::audit::FormProblem;
use super::calendar::AuditMonth;
use serde::{Deserialize, Serialize};

pub const MAX_THEME_NAME: usize = 80;
pub const MAX_THEME_DESCRIPTION: usize = 1_000;

/// A theme's name and description as the QA team typed them, tidied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeText {
    pub name: String,
    pub description: String,
    /// The audit form's domain this theme is about, if any (checked against the form by
    /// the caller, which knows the domains).
    pub domain_key: Option<String>,
}

impl ThemeText {
    /// Reads `name` (required, one line), `description` and `domain` (optional).
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Result<ThemeText, Vec<FormProblem>> {
        let name = get("name")
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let description = super::difference::tidy(&get("description").unwrap_or_default());
        let mut problems = Vec::new();
        if name.is_empty() {
            problems.push(problem("name", "Enter the theme's name"));
        } else if name.chars().count() > MAX_THEME_NAME {
            problems.push(problem(
                "name",
                &format!("The name must be {MAX_THEME_NAME} characters or fewer"),
            ));
        }
        if description.chars().count() > MAX_THEME_DESCRIPTION {
            problems.push(problem(
                "description",
                "The description must be 1,000 characters or fewer",
            ));
        }
        let domain_key = get("domain")
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty());
        if problems.is_empty() {
            Ok(ThemeText {
                name,
                description,
                domain_key,
            })
        } else {
            Err(problems)
        }
    }

    /// Two themes whose names differ only in case or spacing are the same theme.
    pub fn key(&self) -> String {
        name_key(&self.name)
    }
}

pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn problem(field: &str, message: &str) -> FormProblem {
    FormProblem {
        field: field.into(),
        message: message.into(),
    }
}

/// What a theme is put on. Tags sit beside the locked audit, never in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Finding {
    /// The audit's key strengths.
    Strengths,
    /// The audit's areas for development.
    Development,
    /// One required action.
    Action,
    /// One piece of feedback on the audit: the child's, a parent's or carer's, the IRO's.
    Feedback,
    /// One attendee's feedback on a feedback session.
    SessionFeedback,
}

impl Finding {
    pub const ALL: [Finding; 5] = [
        Finding::Strengths,
        Finding::Development,
        Finding::Action,
        Finding::Feedback,
        Finding::SessionFeedback,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Finding::Strengths => "strengths",
            Finding::Development => "development",
            Finding::Action => "action",
            Finding::Feedback => "feedback",
            Finding::SessionFeedback => "session_feedback",
        }
    }

    pub fn parse(code: &str) -> Option<Finding> {
        Finding::ALL.into_iter().find(|f| f.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Finding::Strengths => "Key strengths",
            Finding::Development => "Areas for development",
            Finding::Action => "Required actions",
            Finding::Feedback => "Feedback on the audit",
            Finding::SessionFeedback => "Feedback sessions",
        }
    }
}

/// Which way a theme is going: the latest round against the mean of the rounds before it
/// (up to three). Fewer than two rounds with any audits say nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Trend {
    Rising,
    Falling,
    Steady,
    TooFewRounds,
}

impl Trend {
    pub fn label(self) -> &'static str {
        match self {
            Trend::Rising => "Found more often",
            Trend::Falling => "Found less often",
            Trend::Steady => "Steady",
            Trend::TooFewRounds => "Too few rounds to say",
        }
    }
}

/// One round's count of a theme, as a share of the round's audits with findings tagged, so
/// a larger round does not look like a rising theme.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RoundCount {
    pub month: AuditMonth,
    /// Audits in the round carrying this theme on any finding.
    pub audits: usize,
    /// Audits in the round that have any theme at all.
    pub tagged_audits: usize,
}

impl RoundCount {
    pub fn share(&self) -> Option<f64> {
        (self.tagged_audits > 0).then(|| self.audits as f64 / self.tagged_audits as f64)
    }
}

/// A change of less than ten percentage points is steady: rounds of 10–30 audits move by
/// that much on one audit alone.
const STEADY_POINTS: f64 = 0.10;

/// The trend over `rounds` in month order (oldest first).
pub fn trend(rounds: &[RoundCount]) -> Trend {
    let shares: Vec<f64> = rounds.iter().filter_map(RoundCount::share).collect();
    let Some((last, before)) = shares.split_last() else {
        return Trend::TooFewRounds;
    };
    let before = &before[before.len().saturating_sub(3)..];
    if before.is_empty() {
        return Trend::TooFewRounds;
    }
    let mean = before.iter().sum::<f64>() / before.len() as f64;
    // Shares are sums of fractions: allow for rounding at exactly ten points.
    let threshold = STEADY_POINTS - 1e-9;
    if last - mean >= threshold {
        Trend::Rising
    } else if mean - last >= threshold {
        Trend::Falling
    } else {
        Trend::Steady
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form<'a>(fields: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            fields
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn a_theme_name_is_one_tidy_line_and_its_key_ignores_case() {
        let t = ThemeText::parse(form(&[("name", "  Voice of\n the   Child ")])).unwrap();
        assert_eq!(t.name, "Voice of the Child");
        assert_eq!(t.key(), "voice of the child");
        assert_eq!(name_key("VOICE  of the child"), t.key());
    }

    #[test]
    fn empty_and_long_names_are_refused_at_their_field() {
        let e = ThemeText::parse(form(&[("name", "   ")])).unwrap_err();
        assert_eq!(e[0].field, "name");
        let long = "x".repeat(MAX_THEME_NAME + 1);
        let e = ThemeText::parse(form(&[("name", &long)])).unwrap_err();
        assert!(e[0].message.contains("80 characters"));
        let long = "y".repeat(MAX_THEME_DESCRIPTION + 1);
        let e = ThemeText::parse(form(&[("name", "Chronologies"), ("description", &long)]))
            .unwrap_err();
        assert_eq!(e[0].field, "description");
        let exact = "x".repeat(MAX_THEME_NAME);
        assert!(ThemeText::parse(form(&[("name", &exact)])).is_ok());
    }

    #[test]
    fn finding_codes_round_trip() {
        for f in Finding::ALL {
            assert_eq!(Finding::parse(f.code()), Some(f));
        }
        assert_eq!(Finding::parse("grades"), None);
    }

    fn rounds(counts: &[(usize, usize)]) -> Vec<RoundCount> {
        counts
            .iter()
            .enumerate()
            .map(|(i, (audits, tagged))| RoundCount {
                month: AuditMonth::new(2026, i as u32 + 1).unwrap(),
                audits: *audits,
                tagged_audits: *tagged,
            })
            .collect()
    }

    #[test]
    fn trend_compares_the_latest_round_with_up_to_three_before_it() {
        assert_eq!(trend(&[]), Trend::TooFewRounds);
        assert_eq!(trend(&rounds(&[(3, 10)])), Trend::TooFewRounds);
        assert_eq!(trend(&rounds(&[(2, 10), (5, 10)])), Trend::Rising);
        assert_eq!(trend(&rounds(&[(5, 10), (2, 10)])), Trend::Falling);
        assert_eq!(trend(&rounds(&[(4, 10), (3, 10), (4, 10)])), Trend::Steady);
        // Only the three rounds before the latest count: the first 10/10 is too old.
        assert_eq!(
            trend(&rounds(&[(10, 10), (2, 10), (2, 10), (2, 10), (2, 10)])),
            Trend::Steady
        );
    }

    #[test]
    fn rounds_without_tagged_audits_are_skipped_not_counted_as_zero() {
        assert_eq!(trend(&rounds(&[(2, 10), (0, 0), (5, 10)])), Trend::Rising);
        assert_eq!(trend(&rounds(&[(0, 0), (5, 10)])), Trend::TooFewRounds);
        // A bigger round with the same share is not a rise.
        assert_eq!(trend(&rounds(&[(2, 10), (6, 30)])), Trend::Steady);
    }

    #[test]
    fn a_change_of_exactly_ten_points_counts() {
        assert_eq!(trend(&rounds(&[(2, 10), (3, 10)])), Trend::Rising);
        assert_eq!(trend(&rounds(&[(3, 10), (2, 10)])), Trend::Falling);
    }
}

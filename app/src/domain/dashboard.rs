//! The managers' dashboard figures: counts of audits by state, team and auditor, the grade
//! distribution and required actions. Plain functions over facts read from the store, so
//! each panel is one more function, not a rewrite.

use super::audit::{AuditState, Deadline, Grade};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One audit (or selected case without an auditor yet) as the dashboard counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFact {
    pub team: String,
    pub auditor: Option<String>,
    pub state: AuditState,
    pub deadline: Deadline,
    pub overall: Option<Grade>,
}

/// A required action as the dashboard counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionFact {
    pub team: String,
    pub open: bool,
    pub overdue: bool,
}

/// Counts for one row of a stacked bar: one figure per series, in the panel's series order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub label: String,
    pub figures: Vec<usize>,
}

/// A panel: a title, its series (the bar's segments) and its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Panel {
    pub title: String,
    pub series: Vec<String>,
    pub rows: Vec<Row>,
}

fn state_series() -> Vec<String> {
    let mut s: Vec<String> = AuditState::ALL
        .iter()
        .map(|s| s.label().to_string())
        .collect();
    s.push("Overdue".into());
    s
}

fn state_figures<'a>(facts: impl Iterator<Item = &'a AuditFact>) -> Vec<usize> {
    let mut figures = vec![0; AuditState::ALL.len() + 1];
    for f in facts {
        figures[AuditState::ALL
            .iter()
            .position(|s| *s == f.state)
            .expect("known state")] += 1;
        if f.deadline == Deadline::Overdue {
            figures[AuditState::ALL.len()] += 1;
        }
    }
    figures
}

/// Audits by state (and overdue), in all and per `key` (team or auditor).
pub fn by_state(title: &str, facts: &[AuditFact], key: impl Fn(&AuditFact) -> String) -> Panel {
    let mut groups: BTreeMap<String, Vec<&AuditFact>> = BTreeMap::new();
    for f in facts {
        groups.entry(key(f)).or_default().push(f);
    }
    Panel {
        title: title.into(),
        series: state_series(),
        rows: groups
            .into_iter()
            .map(|(label, fs)| Row {
                label,
                figures: state_figures(fs.into_iter()),
            })
            .collect(),
    }
}

pub fn totals(facts: &[AuditFact]) -> Panel {
    Panel {
        title: "All audits".into(),
        series: state_series(),
        rows: vec![Row {
            label: "All".into(),
            figures: state_figures(facts.iter()),
        }],
    }
}

/// Overall grades of completed audits.
pub fn grades(facts: &[AuditFact]) -> Panel {
    let mut figures = vec![0; Grade::ALL.len()];
    for f in facts.iter().filter(|f| f.state >= AuditState::Completed) {
        if let Some(g) = f.overall {
            figures[Grade::ALL
                .iter()
                .position(|x| *x == g)
                .expect("known grade")] += 1;
        }
    }
    Panel {
        title: "Overall grades of completed audits".into(),
        series: Grade::ALL.iter().map(|g| g.label().to_string()).collect(),
        rows: vec![Row {
            label: "All".into(),
            figures,
        }],
    }
}

/// Required actions open and overdue, per team.
pub fn actions(facts: &[ActionFact]) -> Panel {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for f in facts {
        let row = groups.entry(f.team.clone()).or_insert_with(|| vec![0, 0]);
        if f.open {
            row[0] += 1;
        }
        if f.open && f.overdue {
            row[1] += 1;
        }
    }
    Panel {
        title: "Required actions".into(),
        series: vec!["Open".into(), "Overdue".into()],
        rows: groups
            .into_iter()
            .map(|(label, figures)| Row { label, figures })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(
        team: &str,
        auditor: Option<&str>,
        state: AuditState,
        deadline: Deadline,
        overall: Option<Grade>,
    ) -> AuditFact {
        AuditFact {
            team: team.into(),
            auditor: auditor.map(String::from),
            state,
            deadline,
            overall,
        }
    }

    #[test]
    fn audits_are_counted_by_state_team_and_auditor_with_overdue_alongside() {
        let facts = vec![
            fact("A", None, AuditState::Selected, Deadline::OnTrack, None),
            fact(
                "A",
                Some("Ann"),
                AuditState::InProgress,
                Deadline::Overdue,
                None,
            ),
            fact(
                "B",
                Some("Ann"),
                AuditState::Completed,
                Deadline::Done,
                Some(Grade::Good),
            ),
            fact(
                "B",
                Some("Bob"),
                AuditState::FiledToRecord,
                Deadline::Done,
                Some(Grade::Inadequate),
            ),
        ];
        let teams = by_state("By team", &facts, |f| f.team.clone());
        assert_eq!(teams.series.len(), 8);
        assert_eq!(
            teams.rows[0],
            Row {
                label: "A".into(),
                figures: vec![1, 0, 0, 1, 0, 0, 0, 1]
            }
        );
        assert_eq!(teams.rows[1].figures, vec![0, 0, 0, 0, 0, 1, 1, 0]);
        let auditors = by_state("By auditor", &facts, |f| {
            f.auditor.clone().unwrap_or_else(|| "Not assigned".into())
        });
        assert_eq!(
            auditors
                .rows
                .iter()
                .map(|r| r.label.as_str())
                .collect::<Vec<_>>(),
            vec!["Ann", "Bob", "Not assigned"]
        );
        assert_eq!(
            totals(&facts).rows[0].figures.iter().take(7).sum::<usize>(),
            4
        );
        assert_eq!(grades(&facts).rows[0].figures, vec![0, 1, 0, 1]);
    }

    #[test]
    fn empty_facts_give_empty_panels_and_actions_count_open_and_overdue() {
        assert!(by_state("x", &[], |f| f.team.clone()).rows.is_empty());
        assert_eq!(grades(&[]).rows[0].figures, vec![0, 0, 0, 0]);
        let a = actions(&[
            ActionFact {
                team: "A".into(),
                open: true,
                overdue: true,
            },
            ActionFact {
                team: "A".into(),
                open: true,
                overdue: false,
            },
            ActionFact {
                team: "A".into(),
                open: false,
                overdue: true,
            },
        ]);
        assert_eq!(a.rows[0].figures, vec![2, 1]);
    }
}

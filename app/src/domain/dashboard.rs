//! The dashboard figures: counts of audits by state, team and auditor, the grade
//! distribution and required actions. Plain functions over facts read from the store, so
//! each panel is one more function, not a rewrite. Every figure carries the filter that
//! selects the audits or actions it counts, so it can link to the list behind it, and the
//! list is drawn with the same filter: the two cannot disagree.

use super::audit::{AuditState, Deadline, Grade};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One audit (or selected case without an auditor yet) as the dashboard counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFact {
    pub team_id: i64,
    pub team: String,
    pub auditor_id: Option<i64>,
    pub auditor: Option<String>,
    pub state: AuditState,
    pub deadline: Deadline,
    pub overall: Option<Grade>,
}

/// A required action as the dashboard counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionFact {
    pub team_id: i64,
    pub team: String,
    pub open: bool,
    /// Open past its due date.
    pub overdue: bool,
    /// Open and due within the next few working days.
    pub due_soon: bool,
}

/// Which list a figure stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListKind {
    Audits,
    Actions,
}

/// Who audits: a named auditor, or nobody yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Assignee {
    Person(i64),
    Nobody,
}

/// What a figure counts. Empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListFilter {
    pub team: Option<i64>,
    pub auditor: Option<Assignee>,
    pub state: Option<AuditState>,
    /// Audits: past their deadline. Actions: open and past due.
    pub overdue: bool,
    /// Completed audits with this overall grade.
    pub grade: Option<Grade>,
    /// Actions still open.
    pub open: bool,
    /// Actions open and due soon.
    pub due_soon: bool,
}

/// A list link that cannot be read: the query names an unknown field or a bad value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this list's address is not valid ({0})")]
pub struct BadListQuery(pub String);

/// A list's address as the dashboard writes it: the round, which list, and the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub round: i64,
    pub kind: ListKind,
    pub filter: ListFilter,
}

impl ListFilter {
    /// This filter narrowed by `other` (a row's filter narrowed by its series').
    pub fn and(&self, other: &ListFilter) -> ListFilter {
        ListFilter {
            team: other.team.or(self.team),
            auditor: other.auditor.or(self.auditor),
            state: other.state.or(self.state),
            overdue: self.overdue || other.overdue,
            grade: other.grade.or(self.grade),
            open: self.open || other.open,
            due_soon: self.due_soon || other.due_soon,
        }
    }

    pub fn matches_audit(&self, f: &AuditFact) -> bool {
        self.team.is_none_or(|t| t == f.team_id)
            && self.auditor.is_none_or(|a| match a {
                Assignee::Person(id) => f.auditor_id == Some(id),
                Assignee::Nobody => f.auditor_id.is_none(),
            })
            && self.state.is_none_or(|s| s == f.state)
            && (!self.overdue || f.deadline == Deadline::Overdue)
            && self
                .grade
                .is_none_or(|g| f.state >= AuditState::Completed && f.overall == Some(g))
    }

    pub fn matches_action(&self, f: &ActionFact) -> bool {
        self.team.is_none_or(|t| t == f.team_id)
            && (!self.open || f.open)
            && (!self.overdue || (f.open && f.overdue))
            && (!self.due_soon || (f.open && f.due_soon))
    }
}

impl ListQuery {
    /// The address's query string, without the `?`.
    pub fn to_query(&self) -> String {
        let f = &self.filter;
        let mut parts = vec![
            format!("round={}", self.round),
            format!(
                "list={}",
                match self.kind {
                    ListKind::Audits => "audits",
                    ListKind::Actions => "actions",
                }
            ),
        ];
        if let Some(t) = f.team {
            parts.push(format!("team={t}"));
        }
        match f.auditor {
            Some(Assignee::Person(id)) => parts.push(format!("auditor={id}")),
            Some(Assignee::Nobody) => parts.push("auditor=none".into()),
            None => {}
        }
        if let Some(s) = f.state {
            parts.push(format!("state={}", s.code()));
        }
        if let Some(g) = f.grade {
            parts.push(format!("grade={}", g.code()));
        }
        for (on, name) in [
            (f.overdue, "overdue"),
            (f.open, "open"),
            (f.due_soon, "due_soon"),
        ] {
            if on {
                parts.push(format!("{name}=1"));
            }
        }
        parts.join("&")
    }

    /// Reads an address the dashboard wrote. Anything else is refused, not guessed at.
    pub fn parse(query: &str) -> Result<ListQuery, BadListQuery> {
        let bad = |what: &str| BadListQuery(what.to_string());
        let id = |v: &str, what: &str| v.parse::<i64>().ok().filter(|n| *n > 0).ok_or(bad(what));
        let flag = |v: &str, what: &str| match v {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(bad(what)),
        };
        let mut round = None;
        let mut kind = ListKind::Audits;
        let mut f = ListFilter::default();
        for pair in query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "round" => round = Some(id(value, "round")?),
                "list" => {
                    kind = match value {
                        "audits" => ListKind::Audits,
                        "actions" => ListKind::Actions,
                        _ => return Err(bad("list")),
                    }
                }
                "team" => f.team = Some(id(value, "team")?),
                "auditor" if value == "none" => f.auditor = Some(Assignee::Nobody),
                "auditor" => f.auditor = Some(Assignee::Person(id(value, "auditor")?)),
                "state" => f.state = Some(AuditState::from_code(value).ok_or(bad("state"))?),
                "grade" => f.grade = Some(Grade::parse(value).ok_or(bad("grade"))?),
                "overdue" => f.overdue = flag(value, "overdue")?,
                "open" => f.open = flag(value, "open")?,
                "due_soon" => f.due_soon = flag(value, "due_soon")?,
                _ => return Err(bad("unknown field")),
            }
        }
        Ok(ListQuery {
            round: round.ok_or(bad("no round"))?,
            kind,
            filter: f,
        })
    }
}

/// Counts for one row of a stacked bar: one figure per series, in the panel's series order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub label: String,
    /// What the whole row counts.
    pub filter: ListFilter,
    pub figures: Vec<usize>,
}

/// A panel: a title, its series (the bar's segments) and its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Panel {
    pub title: String,
    pub series: Vec<String>,
    /// What each series counts, beside `series`.
    pub series_filters: Vec<ListFilter>,
    /// The list behind the figures; `None` for panels without one.
    pub list: Option<ListKind>,
    /// How many leading series split a row between them and so stack into its bar; the
    /// rest (overdue, due soon) count within those and are shown in the table only.
    pub stacked: usize,
    pub rows: Vec<Row>,
}

impl Panel {
    /// The list behind one figure, if the panel has lists.
    pub fn figure_query(&self, round: i64, row: usize, series: usize) -> Option<ListQuery> {
        Some(ListQuery {
            round,
            kind: self.list?,
            filter: self
                .rows
                .get(row)?
                .filter
                .and(self.series_filters.get(series)?),
        })
    }
}

fn state_series() -> (Vec<String>, Vec<ListFilter>) {
    let mut labels: Vec<String> = AuditState::ALL
        .iter()
        .map(|s| s.label().to_string())
        .collect();
    let mut filters: Vec<ListFilter> = AuditState::ALL
        .iter()
        .map(|s| ListFilter {
            state: Some(*s),
            ..ListFilter::default()
        })
        .collect();
    labels.push("Overdue".into());
    filters.push(ListFilter {
        overdue: true,
        ..ListFilter::default()
    });
    (labels, filters)
}

/// Counts `facts` against each series' filter.
fn count<T>(
    facts: &[&T],
    filters: &[ListFilter],
    matches: impl Fn(&ListFilter, &T) -> bool,
) -> Vec<usize> {
    filters
        .iter()
        .map(|filter| facts.iter().filter(|f| matches(filter, f)).count())
        .collect()
}

/// Audits by state (and overdue), per `key`: each row's label and what it selects.
pub fn by_state(
    title: &str,
    facts: &[AuditFact],
    key: impl Fn(&AuditFact) -> (String, ListFilter),
) -> Panel {
    let (series, series_filters) = state_series();
    let mut groups: BTreeMap<String, (ListFilter, Vec<&AuditFact>)> = BTreeMap::new();
    for f in facts {
        let (label, filter) = key(f);
        groups
            .entry(label)
            .or_insert_with(|| (filter, Vec::new()))
            .1
            .push(f);
    }
    let rows = groups
        .into_iter()
        .map(|(label, (filter, fs))| Row {
            label,
            figures: count(&fs, &series_filters, ListFilter::matches_audit),
            filter,
        })
        .collect();
    Panel {
        title: title.into(),
        series,
        series_filters,
        list: Some(ListKind::Audits),
        stacked: AuditState::ALL.len(),
        rows,
    }
}

/// Every audit of the round, by state.
pub fn totals(facts: &[AuditFact]) -> Panel {
    let mut panel = by_state("All audits", facts, |_| {
        ("All".into(), ListFilter::default())
    });
    if panel.rows.is_empty() {
        panel.rows.push(Row {
            label: "All".into(),
            filter: ListFilter::default(),
            figures: vec![0; panel.series.len()],
        });
    }
    panel
}

/// By team, labelled with the team's name.
pub fn by_team(facts: &[AuditFact]) -> Panel {
    by_state("By team", facts, |f| {
        (
            f.team.clone(),
            ListFilter {
                team: Some(f.team_id),
                ..ListFilter::default()
            },
        )
    })
}

/// By auditor, with the cases nobody audits yet as "Not assigned".
pub fn by_auditor(facts: &[AuditFact]) -> Panel {
    by_state("By auditor", facts, |f| match (f.auditor_id, &f.auditor) {
        (Some(id), Some(name)) => (
            name.clone(),
            ListFilter {
                auditor: Some(Assignee::Person(id)),
                ..ListFilter::default()
            },
        ),
        _ => (
            "Not assigned".into(),
            ListFilter {
                auditor: Some(Assignee::Nobody),
                ..ListFilter::default()
            },
        ),
    })
}

/// Overall grades of completed audits.
pub fn grades(facts: &[AuditFact]) -> Panel {
    let series_filters: Vec<ListFilter> = Grade::ALL
        .iter()
        .map(|g| ListFilter {
            grade: Some(*g),
            ..ListFilter::default()
        })
        .collect();
    let all: Vec<&AuditFact> = facts.iter().collect();
    Panel {
        title: "Overall grades of completed audits".into(),
        series: Grade::ALL.iter().map(|g| g.label().to_string()).collect(),
        rows: vec![Row {
            label: "All".into(),
            filter: ListFilter::default(),
            figures: count(&all, &series_filters, ListFilter::matches_audit),
        }],
        series_filters,
        list: Some(ListKind::Audits),
        stacked: Grade::ALL.len(),
    }
}

/// Required actions open, due soon and overdue, per team.
pub fn actions(facts: &[ActionFact]) -> Panel {
    let series_filters = vec![
        ListFilter {
            open: true,
            ..ListFilter::default()
        },
        ListFilter {
            due_soon: true,
            ..ListFilter::default()
        },
        ListFilter {
            overdue: true,
            ..ListFilter::default()
        },
    ];
    let mut groups: BTreeMap<String, (i64, Vec<&ActionFact>)> = BTreeMap::new();
    for f in facts {
        groups
            .entry(f.team.clone())
            .or_insert_with(|| (f.team_id, Vec::new()))
            .1
            .push(f);
    }
    Panel {
        title: "Required actions".into(),
        series: vec!["Open".into(), "Due soon".into(), "Overdue".into()],
        rows: groups
            .into_iter()
            .map(|(label, (team, fs))| Row {
                label,
                filter: ListFilter {
                    team: Some(team),
                    ..ListFilter::default()
                },
                figures: count(&fs, &series_filters, ListFilter::matches_action),
            })
            .collect(),
        series_filters,
        list: Some(ListKind::Actions),
        // Due soon and overdue are parts of open.
        stacked: 1,
    }
}

/// A person's own audits by state, one row per part they play ("As auditor", "As key
/// worker"). The audits are on their own list, so this panel has no links.
pub fn personal(facts: &[(String, AuditFact)]) -> Panel {
    let (series, series_filters) = state_series();
    let mut groups: BTreeMap<String, Vec<&AuditFact>> = BTreeMap::new();
    for (part, f) in facts {
        groups.entry(part.clone()).or_default().push(f);
    }
    Panel {
        title: "Your audits".into(),
        rows: groups
            .into_iter()
            .map(|(label, fs)| Row {
                label,
                filter: ListFilter::default(),
                figures: count(&fs, &series_filters, ListFilter::matches_audit),
            })
            .collect(),
        series,
        series_filters,
        list: None,
        stacked: AuditState::ALL.len(),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn fact(
        team: i64,
        auditor: Option<i64>,
        state: AuditState,
        deadline: Deadline,
        overall: Option<Grade>,
    ) -> AuditFact {
        AuditFact {
            team_id: team,
            team: format!("Team {team}"),
            auditor_id: auditor,
            auditor: auditor.map(|a| format!("Auditor {a}")),
            state,
            deadline,
            overall,
        }
    }

    fn sample() -> Vec<AuditFact> {
        vec![
            fact(1, None, AuditState::Selected, Deadline::OnTrack, None),
            fact(1, Some(7), AuditState::InProgress, Deadline::Overdue, None),
            fact(
                2,
                Some(7),
                AuditState::Completed,
                Deadline::Done,
                Some(Grade::Good),
            ),
            fact(
                2,
                Some(8),
                AuditState::FiledToRecord,
                Deadline::Done,
                Some(Grade::Inadequate),
            ),
            // A draft grade does not count until the audit is completed.
            fact(
                2,
                Some(8),
                AuditState::InProgress,
                Deadline::OnTrack,
                Some(Grade::Good),
            ),
        ]
    }

    #[test]
    fn audits_are_counted_by_state_team_and_auditor_with_overdue_alongside() {
        let facts = sample();
        let teams = by_team(&facts);
        assert_eq!(teams.series.len(), 8);
        assert_eq!(teams.rows[0].label, "Team 1");
        assert_eq!(teams.rows[0].figures, vec![1, 0, 0, 1, 0, 0, 0, 1]);
        assert_eq!(teams.rows[1].figures, vec![0, 0, 0, 1, 0, 1, 1, 0]);
        let auditors = by_auditor(&facts);
        assert_eq!(
            auditors
                .rows
                .iter()
                .map(|r| r.label.as_str())
                .collect::<Vec<_>>(),
            vec!["Auditor 7", "Auditor 8", "Not assigned"]
        );
        assert_eq!(
            totals(&facts).rows[0].figures.iter().take(7).sum::<usize>(),
            5
        );
        assert_eq!(grades(&facts).rows[0].figures, vec![0, 1, 0, 1]);
    }

    #[test]
    fn every_figure_equals_the_length_of_the_list_behind_it() {
        let facts = sample();
        for panel in [
            totals(&facts),
            by_team(&facts),
            by_auditor(&facts),
            grades(&facts),
        ] {
            for (r, row) in panel.rows.iter().enumerate() {
                for (s, figure) in row.figures.iter().enumerate() {
                    let query = panel.figure_query(3, r, s).unwrap();
                    // Through the address and back, as the browser follows the link.
                    let query = ListQuery::parse(&query.to_query()).unwrap();
                    let listed = facts
                        .iter()
                        .filter(|f| query.filter.matches_audit(f))
                        .count();
                    assert_eq!(
                        listed, *figure,
                        "{} / {} / {}",
                        panel.title, row.label, panel.series[s]
                    );
                }
            }
        }
    }

    #[test]
    fn empty_facts_give_empty_panels_and_actions_count_open_due_soon_and_overdue() {
        assert!(by_team(&[]).rows.is_empty());
        assert_eq!(totals(&[]).rows[0].figures, vec![0; 8]);
        assert_eq!(grades(&[]).rows[0].figures, vec![0, 0, 0, 0]);
        let action = |open, overdue, due_soon| ActionFact {
            team_id: 4,
            team: "A".into(),
            open,
            overdue,
            due_soon,
        };
        let facts = [
            action(true, true, false),
            action(true, false, true),
            action(true, false, false),
            action(false, true, false),
        ];
        let a = actions(&facts);
        assert_eq!(a.rows[0].figures, vec![3, 1, 1]);
        assert_eq!(
            a.stacked, 1,
            "due soon and overdue are parts of open, not more bar"
        );
        let overdue = a.figure_query(1, 0, 2).unwrap();
        assert_eq!(overdue.kind, ListKind::Actions);
        assert_eq!(
            facts
                .iter()
                .filter(|f| overdue.filter.matches_action(f))
                .count(),
            1
        );
    }

    #[test]
    fn list_addresses_round_trip_and_bad_ones_are_refused() {
        let query = ListQuery {
            round: 12,
            kind: ListKind::Audits,
            filter: ListFilter {
                team: Some(3),
                auditor: Some(Assignee::Nobody),
                state: Some(AuditState::DiscussionArranged),
                overdue: true,
                ..ListFilter::default()
            },
        };
        assert_eq!(
            query.to_query(),
            "round=12&list=audits&team=3&auditor=none&state=discussion_arranged&overdue=1"
        );
        assert_eq!(ListQuery::parse(&query.to_query()).unwrap(), query);
        assert_eq!(
            ListQuery::parse("?round=2&list=actions&grade=good")
                .unwrap()
                .filter
                .grade,
            Some(Grade::Good)
        );
        for bad in [
            "",
            "list=audits",
            "round=x",
            "round=0",
            "round=1&team=-3",
            "round=1&state=lost",
            "round=1&grade=fine",
            "round=1&overdue=maybe",
            "round=1&list=cases",
            "round=1&name=Smith",
        ] {
            assert!(ListQuery::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn personal_panel_counts_each_part_played_and_has_no_lists() {
        let facts = sample();
        let mine = personal(&[
            ("As auditor".into(), facts[1].clone()),
            ("As auditor".into(), facts[2].clone()),
            ("As key worker".into(), facts[0].clone()),
        ]);
        assert_eq!(mine.rows[0].label, "As auditor");
        assert_eq!(mine.rows[0].figures, vec![0, 0, 0, 1, 0, 1, 0, 1]);
        assert_eq!(mine.rows[1].figures[0], 1);
        assert!(mine.figure_query(1, 0, 0).is_none());
    }
}

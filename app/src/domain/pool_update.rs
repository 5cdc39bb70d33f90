//! Turning a checked Annex A upload into changes to the pool: which cases are new, which
//! joined or left a list, whose team or key worker changed. Names in the council's files
//! are resolved against the staff directory first; unknown names stop the import until
//! the QA Manager maps them.

use super::annex::{AnnexList, Subject};
use super::annex_import::{header_key, AnnexUpload, ListedCase};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Teams and staff as the import matches them, by name key (see [`header_key`]).
#[derive(Debug, Clone, Default)]
pub struct Directory {
    teams: HashMap<String, i64>,
    workers: HashMap<String, Vec<i64>>,
    team_aliases: HashMap<String, i64>,
    worker_aliases: HashMap<String, i64>,
}

impl Directory {
    pub fn new(
        teams: impl IntoIterator<Item = (i64, String)>,
        people: impl IntoIterator<Item = (i64, String)>,
        team_aliases: impl IntoIterator<Item = (String, i64)>,
        worker_aliases: impl IntoIterator<Item = (String, i64)>,
    ) -> Directory {
        let mut workers: HashMap<String, Vec<i64>> = HashMap::new();
        for (id, name) in people {
            workers.entry(header_key(&name)).or_default().push(id);
        }
        Directory {
            teams: teams
                .into_iter()
                .map(|(id, n)| (header_key(&n), id))
                .collect(),
            workers,
            team_aliases: team_aliases.into_iter().collect(),
            worker_aliases: worker_aliases.into_iter().collect(),
        }
    }

    pub fn team(&self, name: &str) -> Option<i64> {
        let key = header_key(name);
        self.team_aliases
            .get(&key)
            .or_else(|| self.teams.get(&key))
            .copied()
    }

    /// `Err(true)` when two or more people share the name.
    pub fn worker(&self, name: &str) -> Result<i64, bool> {
        let key = header_key(name);
        if let Some(id) = self.worker_aliases.get(&key) {
            return Ok(*id);
        }
        match self.workers.get(&key).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some([_, _, ..]) => Err(true),
            _ => Err(false),
        }
    }
}

/// A name in the file the directory does not know, and how many rows use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownName {
    pub name: String,
    pub rows: usize,
    /// More than one person has this name: the QA Manager must say which.
    pub ambiguous: bool,
}

/// What stops an upload from being applied until someone acts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unresolved {
    pub teams: Vec<UnknownName>,
    pub workers: Vec<UnknownName>,
}

impl Unresolved {
    pub fn is_empty(&self) -> bool {
        self.teams.is_empty() && self.workers.is_empty()
    }
}

/// A case as the pool holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingCase {
    pub id: i64,
    pub child_unique_id: String,
    pub subject: Subject,
    /// `None` until a list with an allocation or a Lead practitioners file names it.
    pub team_id: Option<i64>,
    pub key_worker_id: Option<i64>,
    pub lists: BTreeSet<AnnexList>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCase {
    pub child_unique_id: String,
    pub subject: Subject,
    /// `None` when its lists carry no allocation (List 2 as Ofsted lays it out).
    pub team_id: Option<i64>,
    pub key_worker_id: Option<i64>,
    pub lists: BTreeSet<AnnexList>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseChange {
    pub case_id: i64,
    pub subject: Option<Subject>,
    /// (from, to)
    pub team: Option<(Option<i64>, i64)>,
    pub key_worker: Option<(Option<i64>, Option<i64>)>,
}

/// Everything applying the upload will do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub new_cases: Vec<NewCase>,
    pub changes: Vec<CaseChange>,
    pub joined: Vec<(i64, AnnexList)>,
    pub left: Vec<(i64, AnnexList)>,
}

/// The figures shown before and after applying.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub cases_in_file: usize,
    pub new_cases: usize,
    pub joined_lists: usize,
    pub left_lists: usize,
    pub team_changes: usize,
    pub key_worker_changes: usize,
    /// New cases joining with no lead practitioner (no Allocated Worker, or no allocation
    /// columns at all): never drawn until one is known.
    #[serde(default)]
    pub new_without_lead_practitioner: usize,
}

impl Plan {
    pub fn summary(&self, cases_in_file: usize) -> PlanSummary {
        PlanSummary {
            cases_in_file,
            new_cases: self.new_cases.len(),
            joined_lists: self.joined.len(),
            left_lists: self.left.len(),
            team_changes: self.changes.iter().filter(|c| c.team.is_some()).count(),
            key_worker_changes: self
                .changes
                .iter()
                .filter(|c| c.key_worker.is_some())
                .count(),
            new_without_lead_practitioner: self
                .new_cases
                .iter()
                .filter(|c| c.key_worker_id.is_none())
                .count(),
        }
    }
}

fn subject_rank(s: Subject) -> u8 {
    match s {
        Subject::Family => 0,
        Subject::Child => 1,
        Subject::YoungPerson => 2,
        Subject::CareExperiencedYoungAdult => 3,
    }
}

/// Plans the upload against the pool. `existing` must hold every case on the upload's lists
/// and every case the upload names. On a case listed more than once, the allocation comes
/// from the highest-numbered list that carries one (statutory lists over early help).
pub fn plan(
    upload: &AnnexUpload,
    directory: &Directory,
    existing: &[ExistingCase],
) -> Result<Plan, Unresolved> {
    let mut unresolved = Unresolved::default();
    // Keyed by name key, so spellings of one name are one question; the first spelling shows.
    let mut team_uses: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut worker_uses: BTreeMap<String, (String, usize, bool)> = BTreeMap::new();
    // Per child: rows in list order.
    let mut by_child: BTreeMap<&str, Vec<&ListedCase>> = BTreeMap::new();
    for row in &upload.cases {
        by_child.entry(&row.child_unique_id).or_default().push(row);
        if let Some(team) = &row.team {
            if directory.team(team).is_none() {
                team_uses
                    .entry(header_key(team))
                    .or_insert_with(|| (team.clone(), 0))
                    .1 += 1;
            }
        }
        if let Some(worker) = &row.worker {
            if let Err(ambiguous) = directory.worker(worker) {
                let entry = worker_uses
                    .entry(header_key(worker))
                    .or_insert_with(|| (worker.clone(), 0, ambiguous));
                entry.1 += 1;
            }
        }
    }
    unresolved.teams = team_uses
        .into_values()
        .map(|(name, rows)| UnknownName {
            name,
            rows,
            ambiguous: false,
        })
        .collect();
    unresolved.workers = worker_uses
        .into_values()
        .map(|(name, rows, ambiguous)| UnknownName {
            name,
            rows,
            ambiguous,
        })
        .collect();

    let known: HashMap<&str, &ExistingCase> = existing
        .iter()
        .map(|c| (c.child_unique_id.as_str(), c))
        .collect();
    let covered: BTreeSet<AnnexList> = upload.lists.iter().copied().collect();
    let mut plan = Plan::default();
    let mut listed: BTreeSet<(&str, AnnexList)> = BTreeSet::new();
    for (id, rows) in &by_child {
        let lists: BTreeSet<AnnexList> = rows.iter().map(|r| r.list).collect();
        listed.extend(lists.iter().map(|l| (*id, *l)));
        let subject = rows
            .iter()
            .map(|r| r.subject)
            .max_by_key(|s| subject_rank(*s))
            .expect("at least one row");
        let allocating = rows
            .iter()
            .filter(|r| r.team.is_some())
            .max_by_key(|r| r.list);
        let allocation = allocating.map(|r| {
            (
                r.team.as_deref().and_then(|t| directory.team(t)),
                r.worker.as_deref().map(|w| directory.worker(w).ok()),
            )
        });
        match known.get(id) {
            None => match allocation {
                Some((Some(team_id), worker)) => plan.new_cases.push(NewCase {
                    child_unique_id: id.to_string(),
                    subject,
                    team_id: Some(team_id),
                    key_worker_id: worker.flatten(),
                    lists,
                }),
                // Unknown team: already listed for mapping.
                Some((None, _)) => {}
                // No list of the case carries an allocation: it joins the pool with its
                // lead practitioner unknown, and is not drawn until one is set.
                None => plan.new_cases.push(NewCase {
                    child_unique_id: id.to_string(),
                    subject,
                    team_id: None,
                    key_worker_id: None,
                    lists,
                }),
            },
            Some(case) => {
                // Lists the case is on that this upload does not cover still count: a List 2
                // file alone must not move a child-protection case to early help.
                let outside = case.lists.iter().filter(|l| !covered.contains(l)).max();
                let outranked = outside.is_some_and(|o| allocating.map(|r| r.list) < Some(*o));
                let mut change = CaseChange {
                    case_id: case.id,
                    subject: (subject != case.subject && !outranked).then_some(subject),
                    team: None,
                    key_worker: None,
                };
                if let (Some((Some(team_id), worker)), false) = (allocation, outranked) {
                    if Some(team_id) != case.team_id {
                        change.team = Some((case.team_id, team_id));
                    }
                    let worker = worker.flatten();
                    if worker != case.key_worker_id {
                        change.key_worker = Some((case.key_worker_id, worker));
                    }
                }
                if change.subject.is_some() || change.team.is_some() || change.key_worker.is_some()
                {
                    plan.changes.push(change);
                }
                for list in lists.difference(&case.lists) {
                    plan.joined.push((case.id, *list));
                }
            }
        }
    }
    // Cases no longer on a list the upload covers leave it.
    for case in existing {
        for list in case.lists.intersection(&covered) {
            if !listed.contains(&(case.child_unique_id.as_str(), *list)) {
                plan.left.push((case.id, *list));
            }
        }
    }
    if unresolved.is_empty() {
        Ok(plan)
    } else {
        Err(unresolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(list: AnnexList, id: &str, team: Option<&str>, worker: Option<&str>) -> ListedCase {
        ListedCase {
            list,
            child_unique_id: id.into(),
            subject: Subject::Child,
            team: team.map(String::from),
            worker: worker.map(String::from),
            sheet: format!("List {}", list.number()),
            row: 2,
        }
    }

    fn directory() -> Directory {
        Directory::new(
            [(1, "Team A".to_string()), (2, "Team B".to_string())],
            [
                (10, "Ann Worker".to_string()),
                (11, "Bob Worker".to_string()),
                (12, "Sam Same".to_string()),
                (13, "Sam Same".to_string()),
            ],
            [("teamc".to_string(), 2)],
            [],
        )
    }

    fn existing(
        id: i64,
        cuid: &str,
        team: i64,
        kw: Option<i64>,
        lists: &[AnnexList],
    ) -> ExistingCase {
        ExistingCase {
            id,
            child_unique_id: cuid.into(),
            subject: Subject::Child,
            team_id: Some(team),
            key_worker_id: kw,
            lists: lists.iter().copied().collect(),
        }
    }

    use AnnexList::*;

    #[test]
    fn names_match_the_directory_ignoring_case_and_spaces_and_aliases_win() {
        let d = directory();
        assert_eq!(d.team("team  a"), Some(1));
        assert_eq!(d.team("TEAM C"), Some(2));
        assert_eq!(d.team("Team D"), None);
        assert_eq!(d.worker("ann worker"), Ok(10));
        assert_eq!(d.worker("Sam Same"), Err(true));
        assert_eq!(d.worker("Nobody"), Err(false));
    }

    #[test]
    fn unknown_teams_and_workers_stop_the_plan_with_counts() {
        let upload = AnnexUpload {
            lists: vec![ChildrenInNeed],
            cases: vec![
                row(ChildrenInNeed, "C1", Some("Team D"), Some("Sam Same")),
                row(ChildrenInNeed, "C2", Some("Team D"), Some("New Person")),
                row(ChildrenInNeed, "C3", Some("Team A"), None),
            ],
        };
        let u = plan(&upload, &directory(), &[]).unwrap_err();
        assert_eq!(
            u.teams,
            vec![UnknownName {
                name: "Team D".into(),
                rows: 2,
                ambiguous: false
            }]
        );
        assert_eq!(
            u.workers,
            vec![
                UnknownName {
                    name: "New Person".into(),
                    rows: 1,
                    ambiguous: false
                },
                UnknownName {
                    name: "Sam Same".into(),
                    rows: 1,
                    ambiguous: true
                },
            ]
        );
    }

    #[test]
    fn a_newer_month_adds_moves_and_drops_cases() {
        let pool = [
            existing(100, "C1", 1, Some(10), &[ChildrenInNeed]),
            existing(101, "C2", 1, Some(10), &[ChildrenInNeed, ChildProtection]),
            existing(102, "C3", 2, None, &[ChildProtection]),
        ];
        let upload = AnnexUpload {
            lists: vec![ChildrenInNeed],
            cases: vec![
                // C1 moves to Team B with Bob.
                row(ChildrenInNeed, "C1", Some("Team B"), Some("Bob Worker")),
                // C3 joins List 6 and keeps its team; C2 has left List 6.
                row(ChildrenInNeed, "C3", Some("Team B"), None),
                row(ChildrenInNeed, "C9", Some("Team A"), Some("Ann Worker")),
            ],
        };
        let p = plan(&upload, &directory(), &pool).unwrap();
        assert_eq!(p.new_cases.len(), 1);
        assert_eq!(p.new_cases[0].child_unique_id, "C9");
        assert_eq!(p.new_cases[0].key_worker_id, Some(10));
        assert_eq!(
            p.changes,
            vec![CaseChange {
                case_id: 100,
                subject: None,
                team: Some((Some(1), 2)),
                key_worker: Some((Some(10), Some(11))),
            }]
        );
        assert_eq!(p.joined, vec![(102, ChildrenInNeed)]);
        // Only the uploaded list is replaced: C2 stays on List 7.
        assert_eq!(p.left, vec![(101, ChildrenInNeed)]);
        let s = p.summary(3);
        assert_eq!(
            (
                s.new_cases,
                s.joined_lists,
                s.left_lists,
                s.team_changes,
                s.key_worker_changes
            ),
            (1, 1, 1, 1, 1)
        );
    }

    #[test]
    fn the_highest_statutory_list_allocates_and_early_help_without_columns_keeps_it() {
        let upload = AnnexUpload {
            lists: vec![EarlyHelp, ChildrenInNeed, ChildProtection],
            cases: vec![
                row(EarlyHelp, "C1", None, None),
                row(ChildrenInNeed, "C1", Some("Team A"), Some("Ann Worker")),
                row(ChildProtection, "C1", Some("Team B"), Some("Bob Worker")),
                row(EarlyHelp, "F1", None, None),
                row(EarlyHelp, "F2", None, None),
            ],
        };
        let pool = [existing(200, "F1", 1, Some(10), &[EarlyHelp])];
        let p = plan(&upload, &directory(), &pool).unwrap();
        let c1 = &p.new_cases[0];
        assert_eq!((c1.team_id, c1.key_worker_id), (Some(2), Some(11)));
        assert_eq!(c1.lists.len(), 3);
        // F2 is new on List 2 alone: it joins with its lead practitioner unknown.
        let f2 = &p.new_cases[1];
        assert_eq!(f2.child_unique_id, "F2");
        assert_eq!((f2.team_id, f2.key_worker_id), (None, None));
        assert_eq!(f2.lists, [EarlyHelp].into_iter().collect());
        assert_eq!(p.summary(5).new_without_lead_practitioner, 1);
        // F1 keeps its allocation.
        assert!(p.changes.is_empty());
        assert!(p.left.is_empty());
    }

    #[test]
    fn a_case_without_a_team_gets_one_from_a_list_that_carries_it() {
        let pool = [ExistingCase {
            team_id: None,
            key_worker_id: None,
            ..existing(300, "F3", 1, None, &[EarlyHelp])
        }];
        let early_help_only = AnnexUpload {
            lists: vec![EarlyHelp],
            cases: vec![row(EarlyHelp, "F3", None, None)],
        };
        assert_eq!(
            plan(&early_help_only, &directory(), &pool).unwrap(),
            Plan::default()
        );
        let upload = AnnexUpload {
            lists: vec![EarlyHelp, ChildrenInNeed],
            cases: vec![
                row(EarlyHelp, "F3", None, None),
                row(ChildrenInNeed, "F3", Some("Team A"), Some("Ann Worker")),
            ],
        };
        let p = plan(&upload, &directory(), &pool).unwrap();
        assert_eq!(
            p.changes,
            vec![CaseChange {
                case_id: 300,
                subject: None,
                team: Some((None, 1)),
                key_worker: Some((None, Some(10))),
            }]
        );
        assert_eq!(p.joined, vec![(300, ChildrenInNeed)]);
    }

    #[test]
    fn a_lower_list_uploaded_alone_does_not_reallocate_a_case_on_a_higher_list() {
        let pool = [existing(100, "C1", 1, Some(10), &[ChildProtection])];
        let upload = AnnexUpload {
            lists: vec![EarlyHelp],
            cases: vec![ListedCase {
                subject: Subject::Family,
                ..row(EarlyHelp, "C1", Some("Team B"), Some("Bob Worker"))
            }],
        };
        let p = plan(&upload, &directory(), &pool).unwrap();
        assert!(p.changes.is_empty(), "{p:?}");
        assert_eq!(p.joined, vec![(100, EarlyHelp)]);
    }

    #[test]
    fn an_unchanged_file_plans_nothing() {
        let pool = [existing(100, "C1", 1, Some(10), &[ChildrenInNeed])];
        let upload = AnnexUpload {
            lists: vec![ChildrenInNeed],
            cases: vec![row(
                ChildrenInNeed,
                "C1",
                Some("team a"),
                Some("ANN WORKER"),
            )],
        };
        assert_eq!(plan(&upload, &directory(), &pool).unwrap(), Plan::default());
    }
}

//! Importing staff from the HR system's export: rows read and checked whole, then a plan
//! of who is added or changed. Nobody is deactivated or reactivated by an import: people
//! missing from a full export are only listed, for someone to decide.

use super::annex_import::{header_key, Problem, Sheet};
use super::directory::{columns, data_rows, text};
use super::ids::EmailAddress;
use super::roles::{Role, RoleSet};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The longest name the directory keeps.
pub const MAX_NAME_LEN: usize = 120;

const NAME: &str = "Name";
const EMAIL: &str = "Work email";
const TEAM: &str = "Team";
const ROLES: &str = "Roles";

/// One member of staff as the file has them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffLine {
    pub row: usize,
    pub name: String,
    /// Parsed, so trimmed and lower-cased.
    pub email: String,
    /// The team's name as written; matched to the directory by the plan.
    pub team: Option<String>,
    pub roles: RoleSet,
}

/// Names HR exports use for roles, besides each role's label and code (all as header keys).
const ROLE_ALIASES: &[(&str, Role)] = &[
    ("iro", Role::IroCpChair),
    ("cpchair", Role::IroCpChair),
    ("psw", Role::PswQaPracticeImprovement),
    ("safeguardingandreview", Role::SafeguardingReviewManager),
    ("safeguardingreview", Role::SafeguardingReviewManager),
    (
        "safeguardingandreviewservicemanager",
        Role::SafeguardingReviewManager,
    ),
    ("pit", Role::PracticeImprovementTeam),
    ("admin", Role::Administrator),
    ("socialworker", Role::KeyWorker),
    ("practitioner", Role::KeyWorker),
    ("ad", Role::AssistantDirector),
    ("qa", Role::QaManager),
    ("qualityassurancemanager", Role::QaManager),
];

/// Role from a name in a file: a role's label or code compared by header_key, or an alias.
pub fn role_from_name(raw: &str) -> Option<Role> {
    let key = header_key(raw);
    if key.is_empty() {
        return None;
    }
    Role::ALL
        .into_iter()
        .find(|r| header_key(r.label()) == key || header_key(r.code()) == key)
        .or_else(|| {
            ROLE_ALIASES
                .iter()
                .find(|(alias, _)| *alias == key)
                .map(|(_, role)| *role)
        })
}

fn role_names() -> String {
    Role::ALL.map(Role::label).join(", ")
}

/// Reads the staff export. Every problem in the file is reported, not just the first.
pub fn read_staff(sheet: &Sheet) -> Result<Vec<StaffLine>, Vec<Problem>> {
    match read_staff_lines(sheet) {
        read if read.problems.is_empty() => Ok(read.lines),
        read => Err(read.problems),
    }
}

/// A staff file as read: the rows that read well, the problems of those that did not, and
/// the teams those named (checked too, so that every problem is shown at once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRead {
    pub lines: Vec<StaffLine>,
    pub problems: Vec<Problem>,
    pub unread_teams: Vec<(usize, String)>,
}

pub fn read_staff_lines(sheet: &Sheet) -> StaffRead {
    let columns = columns(
        sheet,
        &[
            (
                NAME,
                &[
                    "name",
                    "fullname",
                    "displayname",
                    "staffname",
                    "employeename",
                ],
            ),
            (
                EMAIL,
                &["workemail", "email", "emailaddress", "workemailaddress"],
            ),
            (TEAM, &["team", "teamname"]),
            (ROLES, &["roles", "role"]),
        ],
    );
    let (header, at) = match columns {
        Ok(found) => found,
        Err(problems) => {
            return StaffRead {
                lines: Vec::new(),
                problems,
                unread_teams: Vec::new(),
            }
        }
    };
    let problem = |row: usize, column: &str, message: String| Problem {
        sheet: Some(sheet.name.clone()),
        row: Some(row),
        column: Some(column.to_string()),
        message,
    };
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let mut any_rows = false;
    let mut unread_teams = Vec::new();
    for (row, cells) in data_rows(sheet, header) {
        any_rows = true;
        let name = match text(cells.get(at[0])) {
            None => {
                problems.push(problem(row, NAME, "Name is missing".into()));
                None
            }
            Some(n) if n.chars().count() > MAX_NAME_LEN => {
                problems.push(problem(
                    row,
                    NAME,
                    format!("Name must be {MAX_NAME_LEN} characters or fewer"),
                ));
                None
            }
            Some(n) => Some(n),
        };
        let email = match text(cells.get(at[1])) {
            // The parser's own message says "your" email: wrong for a list of other people.
            None => {
                problems.push(problem(row, EMAIL, "Work email is missing".into()));
                None
            }
            Some(raw) => match EmailAddress::parse(&raw) {
                Ok(e) => Some(e.as_str().to_string()),
                Err(e) => {
                    problems.push(problem(row, EMAIL, e.to_string()));
                    None
                }
            },
        };
        if let Some(email) = &email {
            match first_seen.get(email) {
                Some(first) => problems.push(problem(
                    row,
                    EMAIL,
                    format!("{email} is also on row {first}"),
                )),
                None => {
                    first_seen.insert(email.clone(), row);
                }
            }
        }
        let team = text(cells.get(at[2]));
        let mut roles = Vec::new();
        let mut roles_ok = true;
        let raw_roles = text(cells.get(at[3])).unwrap_or_default();
        for part in raw_roles
            .split([';', ',', '|', '\n', '\r'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match role_from_name(part) {
                Some(role) => roles.push(role),
                None => {
                    roles_ok = false;
                    problems.push(problem(
                        row,
                        ROLES,
                        format!("\"{part}\" is not a role. Roles are: {}", role_names()),
                    ));
                }
            }
        }
        if roles_ok && roles.is_empty() {
            roles_ok = false;
            problems.push(problem(row, ROLES, "Give at least one role".into()));
        }
        match (name, email, roles_ok) {
            (Some(name), Some(email), true) => lines.push(StaffLine {
                row,
                name,
                email,
                team,
                roles: RoleSet::new(roles),
            }),
            _ => unread_teams.extend(team.map(|t| (row, t))),
        }
    }
    if !any_rows {
        problems.push(Problem::file("The file has no staff"));
    }
    StaffRead {
        lines,
        problems,
        unread_teams,
    }
}

/// A member of staff as the directory holds them now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistingPerson {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub team_id: Option<i64>,
    pub roles: RoleSet,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStaff {
    pub row: usize,
    pub name: String,
    pub email: String,
    pub team_id: Option<i64>,
    pub roles: RoleSet,
}

/// What changes for one person; `None` and empty lists mean unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffUpdate {
    pub person_id: i64,
    pub row: usize,
    /// (old, new)
    pub name: Option<(String, String)>,
    /// (old, new)
    pub team: Option<(Option<i64>, Option<i64>)>,
    pub roles_added: Vec<Role>,
    pub roles_removed: Vec<Role>,
}

/// Everything applying the import will do, and what it leaves for someone to decide.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffPlan {
    pub added: Vec<NewStaff>,
    pub updated: Vec<StaffUpdate>,
    pub unchanged: usize,
    /// In the file but deactivated: not reactivated by an import (sorted by id).
    pub inactive_listed: Vec<i64>,
    /// Full import only: active people not in the file, listed for deactivation, never
    /// deactivated by the plan (sorted by id).
    pub missing: Vec<i64>,
}

impl StaffPlan {
    /// Nothing added or updated.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.updated.is_empty()
    }
}

fn unknown_team(sheet_name: &str, row: usize, team: &str) -> Problem {
    Problem {
        sheet: Some(sheet_name.to_string()),
        row: Some(row),
        column: Some(TEAM.into()),
        message: format!(
            "Team \"{team}\" is not in the staff directory. Add it on the Staff directory page first"
        ),
    }
}

/// Reads and plans a staff file, with every problem it has: those of rows that did not
/// read, their unknown teams, and those of the plan. With rows unread, only the plan's
/// problems of particular rows are sure (not, say, the Administrator guard).
pub fn check_staff_file(
    sheet: &Sheet,
    teams: &[(i64, String)],
    people: &[ExistingPerson],
    full: bool,
) -> Result<StaffPlan, Vec<Problem>> {
    let read = read_staff_lines(sheet);
    let mut problems = read.problems;
    let sure = problems.is_empty();
    for (row, team) in &read.unread_teams {
        if !teams.iter().any(|(_, t)| header_key(t) == header_key(team)) {
            problems.push(unknown_team(&sheet.name, *row, team));
        }
    }
    match plan_staff(&sheet.name, &read.lines, teams, people, full) {
        Ok(plan) if problems.is_empty() => return Ok(plan),
        Ok(_) => {}
        Err(more) => problems.extend(more.into_iter().filter(|p| sure || p.row.is_some())),
    }
    // Whole-file problems first, then by row in the order found.
    problems.sort_by_key(|p| p.row);
    Err(problems)
}

/// Plans the import of checked `lines` against the directory's `teams` (id, name) and
/// `people`. `full` means the file lists all staff, so active people missing from it are
/// listed (never deactivated).
pub fn plan_staff(
    sheet_name: &str,
    lines: &[StaffLine],
    teams: &[(i64, String)],
    people: &[ExistingPerson],
    full: bool,
) -> Result<StaffPlan, Vec<Problem>> {
    let team_ids: HashMap<String, i64> = teams
        .iter()
        .map(|(id, name)| (header_key(name), *id))
        .collect();
    let by_email: HashMap<String, &ExistingPerson> = people
        .iter()
        .map(|p| (p.email.trim().to_lowercase(), p))
        .collect();
    let mut problems = Vec::new();
    let mut plan = StaffPlan::default();
    // Each active person's roles once the plan is applied: for the Administrator guard.
    let mut roles_after: HashMap<i64, RoleSet> = people
        .iter()
        .filter(|p| p.active)
        .map(|p| (p.id, p.roles.clone()))
        .collect();
    let mut added_admin = false;
    let mut listed: HashSet<String> = HashSet::new();
    for line in lines {
        let email = line.email.trim().to_lowercase();
        listed.insert(email.clone());
        let team_id = match &line.team {
            None => None,
            Some(team) => match team_ids.get(&header_key(team)) {
                Some(id) => Some(*id),
                None => {
                    problems.push(unknown_team(sheet_name, line.row, team));
                    // Planned on regardless, so the Administrator guard still sees its roles.
                    None
                }
            },
        };
        match by_email.get(&email) {
            None => {
                added_admin |= line.roles.has(Role::Administrator);
                plan.added.push(NewStaff {
                    row: line.row,
                    name: line.name.clone(),
                    email,
                    team_id,
                    roles: line.roles.clone(),
                });
            }
            Some(p) if !p.active => plan.inactive_listed.push(p.id),
            Some(p) => {
                let update = StaffUpdate {
                    person_id: p.id,
                    row: line.row,
                    name: (p.name != line.name).then(|| (p.name.clone(), line.name.clone())),
                    team: (p.team_id != team_id).then_some((p.team_id, team_id)),
                    // RoleSet iterates in order, so both lists come out sorted.
                    roles_added: line.roles.iter().filter(|r| !p.roles.has(*r)).collect(),
                    roles_removed: p.roles.iter().filter(|r| !line.roles.has(*r)).collect(),
                };
                if update.name.is_none()
                    && update.team.is_none()
                    && update.roles_added.is_empty()
                    && update.roles_removed.is_empty()
                {
                    plan.unchanged += 1;
                } else {
                    roles_after.insert(p.id, line.roles.clone());
                    plan.updated.push(update);
                }
            }
        }
    }
    plan.inactive_listed.sort_unstable();
    plan.inactive_listed.dedup();
    if full {
        plan.missing = people
            .iter()
            .filter(|p| p.active && !listed.contains(&p.email.trim().to_lowercase()))
            .map(|p| p.id)
            .collect();
        plan.missing.sort_unstable();
    }
    // People listed as missing stay active, so they still count as Administrators.
    if !added_admin
        && !roles_after
            .values()
            .any(|roles| roles.has(Role::Administrator))
    {
        problems.push(Problem::file(
            "This file would leave nobody as Administrator. Keep the Administrator role for at least one person",
        ));
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::annex_import::{csv_rows, Cell};

    fn t(s: &str) -> Cell {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s.into())
        }
    }

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet {
            name: "staff.csv".into(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| t(c)).collect())
                .collect(),
        }
    }

    const HEAD: &[&str] = &["Name", "Work email", "Team", "Roles"];

    fn located(problems: &[Problem]) -> Vec<(usize, &str, &str)> {
        problems
            .iter()
            .map(|p| {
                (
                    p.row.unwrap(),
                    p.column.as_deref().unwrap(),
                    p.message.as_str(),
                )
            })
            .collect()
    }

    fn line(row: usize, name: &str, email: &str, team: Option<&str>, roles: &[Role]) -> StaffLine {
        StaffLine {
            row,
            name: name.into(),
            email: email.into(),
            team: team.map(Into::into),
            roles: RoleSet::new(roles.iter().copied()),
        }
    }

    fn person(
        id: i64,
        name: &str,
        email: &str,
        team_id: Option<i64>,
        roles: &[Role],
    ) -> ExistingPerson {
        ExistingPerson {
            id,
            name: name.into(),
            email: email.into(),
            team_id,
            roles: RoleSet::new(roles.iter().copied()),
            active: true,
        }
    }

    fn teams() -> Vec<(i64, String)> {
        vec![(10, "Team A".into()), (11, "Leaving Care".into())]
    }

    /// An administrator who stays, so plans that are not about the guard pass it.
    fn admin() -> ExistingPerson {
        person(
            1,
            "Ada Admin",
            "ada@c.example",
            None,
            &[Role::Administrator],
        )
    }

    #[test]
    fn lines_are_read_with_any_accepted_header_and_blank_rows_skipped() {
        let s = sheet(&[
            &[
                "Employee Name",
                "Email Address",
                "Team name",
                "Role",
                "Grade",
            ],
            &[
                "Ann Worker",
                "  Ann.Worker@C.Example ",
                "Team A",
                "Key Worker",
                "7",
            ],
            &[],
            &["", "", "", ""],
            &["Ben Manager", "ben@c.example", "", "team_manager", ""],
        ]);
        let lines = read_staff(&s).unwrap();
        assert_eq!(
            lines,
            vec![
                line(
                    2,
                    "Ann Worker",
                    "ann.worker@c.example",
                    Some("Team A"),
                    &[Role::KeyWorker]
                ),
                line(
                    5,
                    "Ben Manager",
                    "ben@c.example",
                    None,
                    &[Role::TeamManager]
                ),
            ]
        );
        for head in [
            ["Full name", "Work Email Address", "TEAM", "roles"],
            ["Display Name", "E-mail", "team", "ROLES"],
            ["Staff name", "work_email", "Team", "Roles"],
            ["name", "email", "Team", "Role"],
        ] {
            let s = sheet(&[&head, &["A", "a@c.example", "", "Auditor"]]);
            assert_eq!(read_staff(&s).unwrap().len(), 1, "{head:?}");
        }
    }

    #[test]
    fn roles_split_on_every_separator() {
        let both = RoleSet::new([Role::Auditor, Role::KeyWorker]);
        for roles in [
            "Auditor; Key Worker",
            "Auditor,Key Worker",
            "Auditor | Key Worker",
            "Auditor\nKey Worker",
            "Auditor\r\nKey Worker",
            " ;Auditor;; ,Key Worker| ",
            "auditor; key_worker; AUDITOR",
        ] {
            let s = sheet(&[HEAD, &["A", "a@c.example", "", roles]]);
            assert_eq!(read_staff(&s).unwrap()[0].roles, both, "{roles:?}");
        }
        // A quoted CSV cell can hold line breaks.
        let s = Sheet {
            name: "staff.csv".into(),
            rows: csv_rows("Name,Work email,Team,Roles\nA,a@c.example,,\"QA Manager\nAdmin\"\n"),
        };
        assert_eq!(
            read_staff(&s).unwrap()[0].roles,
            RoleSet::new([Role::QaManager, Role::Administrator])
        );
    }

    #[test]
    fn roles_are_found_by_label_code_or_alias_ignoring_case() {
        for role in Role::ALL {
            assert_eq!(role_from_name(role.label()), Some(role));
            assert_eq!(role_from_name(&role.label().to_uppercase()), Some(role));
            assert_eq!(role_from_name(&role.label().to_lowercase()), Some(role));
            assert_eq!(role_from_name(role.code()), Some(role));
            assert_eq!(role_from_name(&role.code().to_uppercase()), Some(role));
        }
        for (name, role) in [
            ("IRO", Role::IroCpChair),
            ("cp chair", Role::IroCpChair),
            ("CP-Chair", Role::IroCpChair),
            ("PSW", Role::PswQaPracticeImprovement),
            ("Safeguarding and Review", Role::SafeguardingReviewManager),
            ("Safeguarding Review", Role::SafeguardingReviewManager),
            (
                "Safeguarding and Review Service Manager",
                Role::SafeguardingReviewManager,
            ),
            (
                "Safeguarding & Review Service Manager",
                Role::SafeguardingReviewManager,
            ),
            ("PIT", Role::PracticeImprovementTeam),
            ("admin", Role::Administrator),
            ("Social Worker", Role::KeyWorker),
            ("social-worker", Role::KeyWorker),
            ("Practitioner", Role::KeyWorker),
            ("AD", Role::AssistantDirector),
            ("QA", Role::QaManager),
            ("Quality Assurance Manager", Role::QaManager),
            ("  team manager ", Role::TeamManager),
        ] {
            assert_eq!(role_from_name(name), Some(role), "{name}");
        }
        for name in ["Senior Practitioner", "Manager", "", "  ", "&", "Director"] {
            assert_eq!(role_from_name(name), None, "{name}");
        }
    }

    #[test]
    fn every_problem_is_located_by_row_and_column() {
        let long = "N".repeat(MAX_NAME_LEN + 1);
        let just_fits = "N".repeat(MAX_NAME_LEN);
        let s = sheet(&[
            HEAD,
            &["", "a@c.example", "", "Auditor"],
            &[&long, "b@c.example", "", "Auditor"],
            &[&just_fits, "c@c.example", "", "Auditor"],
            &["Dee", "", "", "Auditor"],
            &["Eve", "eve at c.example", "", "Auditor"],
            &["Fay", "A@C.example", "", "Auditor"],
            &[
                "Gus",
                "g@c.example",
                "",
                "Senior Practitioner; Auditor; Boss",
            ],
            &["Hal", "h@c.example", "Team A", ""],
            &["Ivy", "i@c.example", "", " ; , "],
            &["", "", "", ""],
            &["", "bad", "", "Nope"],
        ]);
        let problems = read_staff(&s).unwrap_err();
        let roles = Role::ALL.map(Role::label).join(", ");
        assert!(roles.starts_with("QA Manager, Auditor, Key Worker"));
        assert!(roles.ends_with("Practice Improvement Team, Administrator"));
        let format = "Enter an email address in the correct format, like name@example.org";
        assert_eq!(
            located(&problems),
            vec![
                (2, "Name", "Name is missing"),
                (3, "Name", "Name must be 120 characters or fewer"),
                (5, "Work email", "Work email is missing"),
                (6, "Work email", format),
                (7, "Work email", "a@c.example is also on row 2"),
                (
                    8,
                    "Roles",
                    format!("\"Senior Practitioner\" is not a role. Roles are: {roles}").as_str()
                ),
                (
                    8,
                    "Roles",
                    format!("\"Boss\" is not a role. Roles are: {roles}").as_str()
                ),
                (9, "Roles", "Give at least one role"),
                (10, "Roles", "Give at least one role"),
                (12, "Name", "Name is missing"),
                (12, "Work email", format),
                (
                    12,
                    "Roles",
                    format!("\"Nope\" is not a role. Roles are: {roles}").as_str()
                ),
            ]
        );
        assert!(problems
            .iter()
            .all(|p| p.sheet.as_deref() == Some("staff.csv")));
    }

    #[test]
    fn a_duplicate_is_reported_against_the_first_row_each_time() {
        let s = sheet(&[
            HEAD,
            &["A", "a@c.example", "", "Auditor"],
            &["B", "x@c.example", "", "Auditor"],
            &["A2", "a@c.example", "", "Auditor"],
            &["A3", "A@c.example", "", "Auditor"],
        ]);
        assert_eq!(
            located(&read_staff(&s).unwrap_err()),
            vec![
                (4, "Work email", "a@c.example is also on row 2"),
                (5, "Work email", "a@c.example is also on row 2"),
            ]
        );
    }

    #[test]
    fn missing_columns_and_empty_files_are_reported() {
        let s = sheet(&[&["Name", "Email", "Department"], &["A", "a@c.example", "X"]]);
        let problems = read_staff(&s).unwrap_err();
        assert_eq!(
            located(&problems),
            vec![
                (1, "Team", "The \"Team\" column is missing"),
                (1, "Roles", "The \"Roles\" column is missing"),
            ]
        );
        assert!(problems
            .iter()
            .all(|p| p.sheet.as_deref() == Some("staff.csv")));

        for rows in [vec![HEAD], vec![HEAD, &["", "", "", ""][..], &[]]] {
            let problems = read_staff(&sheet(&rows)).unwrap_err();
            assert_eq!(problems, vec![Problem::file("The file has no staff")]);
        }
        assert_eq!(
            read_staff(&sheet(&[])).unwrap_err(),
            vec![Problem::file("The file is empty")]
        );
    }

    #[test]
    fn a_plan_adds_updates_and_counts_the_unchanged() {
        let mut gone = person(5, "Old Timer", "old@c.example", Some(10), &[Role::Auditor]);
        gone.active = false;
        let people = vec![
            admin(),
            person(
                2,
                "Ann Worker",
                "Ann@C.example",
                Some(10),
                &[Role::KeyWorker],
            ),
            person(
                3,
                "Ben Manager",
                "ben@c.example",
                Some(10),
                &[Role::TeamManager, Role::Auditor],
            ),
            person(4, "Cat Chair", "cat@c.example", None, &[Role::IroCpChair]),
            gone,
        ];
        let lines = vec![
            line(
                2,
                "Ann Worker",
                "ann@c.example",
                Some("team a"),
                &[Role::KeyWorker],
            ),
            line(
                3,
                "Ben Manager-Smith",
                "ben@c.example",
                Some("Leaving Care"),
                &[Role::ServiceManager, Role::TeamManager, Role::QaManager],
            ),
            line(4, "Cat Chair", "cat@c.example", None, &[Role::IroCpChair]),
            line(
                5,
                "Old Timer",
                "old@c.example",
                Some("Team A"),
                &[Role::Auditor],
            ),
            line(
                6,
                "New Starter",
                "new@c.example",
                Some("TEAM A"),
                &[Role::KeyWorker],
            ),
            line(
                7,
                "Ada Admin",
                "ada@c.example",
                None,
                &[Role::Administrator],
            ),
        ];
        let plan = plan_staff("staff.csv", &lines, &teams(), &people, false).unwrap();
        assert_eq!(
            plan,
            StaffPlan {
                added: vec![NewStaff {
                    row: 6,
                    name: "New Starter".into(),
                    email: "new@c.example".into(),
                    team_id: Some(10),
                    roles: RoleSet::new([Role::KeyWorker]),
                }],
                updated: vec![StaffUpdate {
                    person_id: 3,
                    row: 3,
                    name: Some(("Ben Manager".into(), "Ben Manager-Smith".into())),
                    team: Some((Some(10), Some(11))),
                    roles_added: vec![Role::QaManager, Role::ServiceManager],
                    roles_removed: vec![Role::Auditor],
                }],
                unchanged: 3,
                inactive_listed: vec![5],
                missing: vec![],
            }
        );
        assert!(!plan.is_empty());
        let json = serde_json::to_string(&plan).unwrap();
        assert_eq!(serde_json::from_str::<StaffPlan>(&json).unwrap(), plan);
    }

    #[test]
    fn single_changes_are_updates_of_just_that() {
        let people = vec![
            admin(),
            person(2, "Ann", "ann@c.example", Some(10), &[Role::KeyWorker]),
        ];
        let plan_for = |l: StaffLine| plan_staff("s", &[l], &teams(), &people, false).unwrap();

        let renamed = plan_for(line(
            2,
            "ann",
            "ann@c.example",
            Some("Team A"),
            &[Role::KeyWorker],
        ));
        assert_eq!(renamed.updated[0].name, Some(("Ann".into(), "ann".into())));
        assert_eq!(renamed.updated[0].team, None);
        assert!(renamed.updated[0].roles_added.is_empty());

        // A blank team in the export clears the person's team.
        let no_team = plan_for(line(2, "Ann", "ann@c.example", None, &[Role::KeyWorker]));
        assert_eq!(no_team.updated[0].team, Some((Some(10), None)));
        assert_eq!(no_team.updated[0].name, None);

        let roles = plan_for(line(
            2,
            "Ann",
            "ann@c.example",
            Some("Team A"),
            &[Role::Auditor],
        ));
        assert_eq!(roles.updated[0].roles_added, vec![Role::Auditor]);
        assert_eq!(roles.updated[0].roles_removed, vec![Role::KeyWorker]);
        assert_eq!(roles.updated[0].person_id, 2);

        let same = plan_for(line(
            9,
            "Ann",
            "ann@c.example",
            Some("team-a"),
            &[Role::KeyWorker],
        ));
        assert!(same.is_empty());
        assert_eq!(same.unchanged, 1);
    }

    #[test]
    fn an_unknown_team_is_a_problem_on_its_row() {
        let lines = vec![
            line(
                2,
                "A",
                "a@c.example",
                Some("Team A"),
                &[Role::Administrator],
            ),
            line(3, "B", "b@c.example", Some("Team Z"), &[Role::KeyWorker]),
            line(
                4,
                "C",
                "c@c.example",
                Some("Leaving Care Team"),
                &[Role::KeyWorker],
            ),
        ];
        let problems = plan_staff("staff.xlsx", &lines, &teams(), &[admin()], false).unwrap_err();
        assert_eq!(
            located(&problems),
            vec![
                (
                    3,
                    "Team",
                    "Team \"Team Z\" is not in the staff directory. Add it on the Staff directory page first"
                ),
                (
                    4,
                    "Team",
                    "Team \"Leaving Care Team\" is not in the staff directory. Add it on the Staff directory page first"
                ),
            ]
        );
        assert!(problems
            .iter()
            .all(|p| p.sheet.as_deref() == Some("staff.xlsx")));
    }

    #[test]
    fn a_full_import_lists_missing_people_and_deactivates_nobody() {
        let mut inactive = person(7, "Gone", "gone@c.example", None, &[Role::Auditor]);
        inactive.active = false;
        let people = vec![
            person(9, "Zed", "zed@c.example", None, &[Role::KeyWorker]),
            admin(),
            person(4, "Kim", "kim@c.example", None, &[Role::KeyWorker]),
            inactive,
            person(2, "Lee", "lee@c.example", None, &[Role::Auditor]),
        ];
        let lines = vec![line(2, "Kim", "KIM@c.example", None, &[Role::KeyWorker])];
        let full = plan_staff("s", &lines, &teams(), &people, true).unwrap();
        // Only active people; the inactive one is already out.
        assert_eq!(full.missing, vec![1, 2, 9]);
        assert!(full.updated.is_empty());
        assert!(full.added.is_empty());
        assert_eq!(full.unchanged, 1);
        assert!(full.is_empty());

        let partial = plan_staff("s", &lines, &teams(), &people, false).unwrap();
        assert!(partial.missing.is_empty());
        assert_eq!(partial.unchanged, 1);
    }

    #[test]
    fn nobody_may_be_left_as_administrator() {
        let refused = Problem::file(
            "This file would leave nobody as Administrator. Keep the Administrator role for at least one person",
        );
        let people = vec![
            admin(),
            person(
                2,
                "Bo",
                "bo@c.example",
                None,
                &[Role::QaManager, Role::Administrator],
            ),
            person(3, "Cy", "cy@c.example", None, &[Role::QaManager]),
        ];
        let drop_ada = line(2, "Ada Admin", "ada@c.example", None, &[Role::Auditor]);
        let drop_bo = line(3, "Bo", "bo@c.example", None, &[Role::QaManager]);

        // Bo is not in the file, so keeps Administrator.
        let plan = plan_staff(
            "s",
            std::slice::from_ref(&drop_ada),
            &teams(),
            &people,
            false,
        )
        .unwrap();
        assert_eq!(plan.updated[0].roles_removed, vec![Role::Administrator]);
        // Listed as missing is not deactivated: Bo still counts.
        let plan = plan_staff(
            "s",
            std::slice::from_ref(&drop_ada),
            &teams(),
            &people,
            true,
        )
        .unwrap();
        assert_eq!(plan.missing, vec![2, 3]);

        let both = [drop_ada.clone(), drop_bo.clone()];
        assert_eq!(
            plan_staff("s", &both, &teams(), &people, false).unwrap_err(),
            vec![refused.clone()]
        );

        // A new starter can take the role over.
        let with_new = [
            drop_ada.clone(),
            drop_bo.clone(),
            line(4, "Di", "di@c.example", None, &[Role::Administrator]),
        ];
        assert_eq!(
            plan_staff("s", &with_new, &teams(), &people, false)
                .unwrap()
                .added
                .len(),
            1
        );
        // So can an existing person given it by the file.
        let promoted = [
            drop_ada.clone(),
            drop_bo.clone(),
            line(
                5,
                "Cy",
                "cy@c.example",
                None,
                &[Role::QaManager, Role::Administrator],
            ),
        ];
        assert!(plan_staff("s", &promoted, &teams(), &people, false).is_ok());

        // An inactive Administrator is not reactivated, so does not count.
        let mut asleep = person(8, "Ed", "ed@c.example", None, &[Role::Administrator]);
        asleep.active = false;
        let mut with_asleep = people.clone();
        with_asleep.push(asleep);
        let listed = [
            drop_ada,
            drop_bo,
            line(6, "Ed", "ed@c.example", None, &[Role::Administrator]),
        ];
        assert_eq!(
            plan_staff("s", &listed, &teams(), &with_asleep, false).unwrap_err(),
            vec![refused.clone()]
        );

        // Refused alongside other problems, not instead of them.
        let problems = plan_staff(
            "s",
            &[
                line(
                    2,
                    "Ada Admin",
                    "ada@c.example",
                    Some("Nowhere"),
                    &[Role::Auditor],
                ),
                line(3, "Bo", "bo@c.example", None, &[]),
            ],
            &teams(),
            &people,
            false,
        )
        .unwrap_err();
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].column.as_deref(), Some("Team"));
        assert_eq!(problems[1], refused);
    }

    #[test]
    fn a_bad_row_still_has_its_unknown_team_reported_with_everything_else() {
        let file = sheet(&[
            HEAD,
            &["Ann", "ann@c.example", "Team A", "Key Worker"],
            &["Bo", "not-an-email", "Nowhere", "Senior Practitioner"],
            &["Cy", "cy@c.example", "Team Z", "Auditor"],
        ]);
        let problems = check_staff_file(&file, &teams(), &[admin()], false).unwrap_err();
        let at: Vec<(usize, &str)> = located(&problems)
            .into_iter()
            .map(|(r, c, _)| (r, c))
            .collect();
        assert_eq!(
            at,
            vec![(3, "Work email"), (3, "Roles"), (3, "Team"), (4, "Team")]
        );
        // A good file plans.
        let good = sheet(&[HEAD, &["Ann", "ann@c.example", "Team A", "Key Worker"]]);
        let plan = check_staff_file(&good, &teams(), &[admin()], false).unwrap();
        assert_eq!(plan.added.len(), 1);
    }
}

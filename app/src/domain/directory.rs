//! The staff directory as CSV: each team's Team Manager and Service Manager, each case's
//! IRO / CP Chair, and each case's lead practitioner and team (for lists such as Annex A's
//! List 2, which carry neither). People are named by work email or by their unique full
//! name.

use super::annex_import::{header_key, Cell, Problem, Sheet};
use super::roles::{Role, RoleSet};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamLine {
    pub team: String,
    pub team_manager: Option<String>,
    pub service_manager: Option<String>,
    pub row: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IroLine {
    pub child_unique_id: String,
    /// `None` clears the case's IRO / CP Chair.
    pub iro: Option<String>,
    pub row: usize,
}

/// A case's lead practitioner (its key worker) and the team they work in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadPractitionerLine {
    pub child_unique_id: String,
    pub lead_practitioner: String,
    pub team: String,
    pub row: usize,
}

/// A member of staff as the directory matches them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRef {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub roles: RoleSet,
}

pub(crate) fn text(cell: Option<&Cell>) -> Option<String> {
    match cell {
        Some(Cell::Text(t)) => Some(t.trim().to_string()).filter(|t| !t.is_empty()),
        _ => None,
    }
}

/// Finds the header row's columns for `wanted` (each a title and its accepted keys).
pub(crate) fn columns(
    sheet: &Sheet,
    wanted: &[(&str, &[&str])],
) -> Result<(usize, Vec<usize>), Vec<Problem>> {
    let Some(header) = sheet.rows.first() else {
        return Err(vec![Problem::file("The file is empty")]);
    };
    let keys: Vec<String> = header
        .iter()
        .map(|c| text(Some(c)).map(|t| header_key(&t)).unwrap_or_default())
        .collect();
    let mut at = Vec::new();
    let mut problems = Vec::new();
    for (title, accepted) in wanted {
        match keys.iter().position(|k| accepted.contains(&k.as_str())) {
            Some(i) => at.push(i),
            None => problems.push(Problem {
                sheet: Some(sheet.name.clone()),
                row: Some(1),
                column: Some(title.to_string()),
                message: format!("The \"{title}\" column is missing"),
            }),
        }
    }
    if problems.is_empty() {
        Ok((0, at))
    } else {
        Err(problems)
    }
}

pub(crate) fn data_rows(sheet: &Sheet, header: usize) -> impl Iterator<Item = (usize, &Vec<Cell>)> {
    sheet
        .rows
        .iter()
        .enumerate()
        .skip(header + 1)
        .filter(|(_, r)| r.iter().any(|c| text(Some(c)).is_some()))
        .map(|(i, r)| (i + 1, r))
}

pub fn read_teams(sheet: &Sheet) -> Result<Vec<TeamLine>, Vec<Problem>> {
    let (header, at) = columns(
        sheet,
        &[
            ("Team", &["team", "teamname", "allocatedteam"]),
            ("Team Manager", &["teammanager", "teammanageremail"]),
            (
                "Service Manager",
                &["servicemanager", "servicemanageremail"],
            ),
        ],
    )?;
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for (row, cells) in data_rows(sheet, header) {
        match text(cells.get(at[0])) {
            None => problems.push(Problem {
                sheet: Some(sheet.name.clone()),
                row: Some(row),
                column: Some("Team".into()),
                message: "Team is missing".into(),
            }),
            Some(team) => {
                if let Some(first) = lines
                    .iter()
                    .find(|l: &&TeamLine| header_key(&l.team) == header_key(&team))
                {
                    problems.push(Problem {
                        sheet: Some(sheet.name.clone()),
                        row: Some(row),
                        column: Some("Team".into()),
                        message: format!("{team} is also on row {}", first.row),
                    });
                }
                lines.push(TeamLine {
                    team,
                    team_manager: text(cells.get(at[1])),
                    service_manager: text(cells.get(at[2])),
                    row,
                })
            }
        }
    }
    if lines.is_empty() && problems.is_empty() {
        problems.push(Problem::file("The file has no teams"));
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(problems)
    }
}

pub fn read_iros(sheet: &Sheet) -> Result<Vec<IroLine>, Vec<Problem>> {
    let (header, at) = columns(
        sheet,
        &[
            (
                "Child Unique ID",
                &["childuniqueid", "childuniqueidentifier"],
            ),
            (
                "IRO / CP Chair",
                &[
                    "irocpchair",
                    "iro",
                    "cpchair",
                    "irocpchairemail",
                    "iroemail",
                ],
            ),
        ],
    )?;
    let mut lines: Vec<IroLine> = Vec::new();
    let mut problems = Vec::new();
    for (row, cells) in data_rows(sheet, header) {
        match text(cells.get(at[0])) {
            None => problems.push(Problem {
                sheet: Some(sheet.name.clone()),
                row: Some(row),
                column: Some("Child Unique ID".into()),
                message: "Child Unique ID is missing".into(),
            }),
            Some(id) => {
                if let Some(first) = lines.iter().find(|l| l.child_unique_id == id) {
                    problems.push(Problem {
                        sheet: Some(sheet.name.clone()),
                        row: Some(row),
                        column: Some("Child Unique ID".into()),
                        message: format!("Child Unique ID {id} is also on row {}", first.row),
                    });
                }
                lines.push(IroLine {
                    child_unique_id: id,
                    iro: text(cells.get(at[1])),
                    row,
                });
            }
        }
    }
    if lines.is_empty() && problems.is_empty() {
        problems.push(Problem::file("The file has no cases"));
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(problems)
    }
}

/// Reads a *Lead practitioners* CSV (`Child Unique ID, Lead Practitioner, Team`): every row
/// needs all three, and a case appears once. Every problem is reported, by row and column.
pub fn read_lead_practitioners(sheet: &Sheet) -> Result<Vec<LeadPractitionerLine>, Vec<Problem>> {
    let (header, at) = columns(
        sheet,
        &[
            (
                "Child Unique ID",
                &["childuniqueid", "childuniqueidentifier", "uniquechildid"],
            ),
            (
                "Lead Practitioner",
                &[
                    "leadpractitioner",
                    "leadpractitioneremail",
                    "allocatedworker",
                    "keyworker",
                    "worker",
                ],
            ),
            ("Team", &["team", "allocatedteam", "teamname"]),
        ],
    )?;
    let mut lines: Vec<LeadPractitionerLine> = Vec::new();
    let mut problems = Vec::new();
    for (row, cells) in data_rows(sheet, header) {
        let missing = |column: &str| Problem {
            sheet: Some(sheet.name.clone()),
            row: Some(row),
            column: Some(column.into()),
            message: format!("{column} is missing"),
        };
        let (id, worker, team) = (
            text(cells.get(at[0])),
            text(cells.get(at[1])),
            text(cells.get(at[2])),
        );
        if id.is_none() {
            problems.push(missing("Child Unique ID"));
        }
        if worker.is_none() {
            problems.push(missing("Lead Practitioner"));
        }
        if team.is_none() {
            problems.push(missing("Team"));
        }
        let (Some(id), Some(worker), Some(team)) = (id, worker, team) else {
            continue;
        };
        if let Some(first) = lines.iter().find(|l| l.child_unique_id == id) {
            problems.push(Problem {
                sheet: Some(sheet.name.clone()),
                row: Some(row),
                column: Some("Child Unique ID".into()),
                message: format!("Child Unique ID {id} is also on row {}", first.row),
            });
            continue;
        }
        lines.push(LeadPractitionerLine {
            child_unique_id: id,
            lead_practitioner: worker,
            team,
            row,
        });
    }
    if lines.is_empty() && problems.is_empty() {
        problems.push(Problem::file("The file has no cases"));
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(problems)
    }
}

/// The person a directory cell names, who must hold `role`: by email, else by a full name
/// only one person has.
pub fn find_staff(value: &str, staff: &[StaffRef], role: Role) -> Result<i64, String> {
    let value = value.trim();
    let matches: Vec<&StaffRef> = if value.contains('@') {
        staff
            .iter()
            .filter(|s| s.email.eq_ignore_ascii_case(value))
            .collect()
    } else {
        staff
            .iter()
            .filter(|s| header_key(&s.name) == header_key(value))
            .collect()
    };
    match matches.as_slice() {
        [] => Err(format!("Nobody called {value} is in the directory")),
        [one] if one.roles.has(role) => Ok(one.id),
        [one] => Err(format!("{} is not a {}", one.name, role.label())),
        _ => Err(format!(
            "More than one person is called {value}: use their email address"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::annex_import::csv_rows;

    fn sheet(csv: &str) -> Sheet {
        Sheet {
            name: "directory.csv".into(),
            rows: csv_rows(csv),
        }
    }

    fn staff() -> Vec<StaffRef> {
        vec![
            StaffRef {
                id: 1,
                name: "Ann Manager".into(),
                email: "ann@c.example".into(),
                roles: RoleSet::new([Role::TeamManager]),
            },
            StaffRef {
                id: 2,
                name: "Sam Same".into(),
                email: "sam1@c.example".into(),
                roles: RoleSet::new([Role::ServiceManager]),
            },
            StaffRef {
                id: 3,
                name: "Sam Same".into(),
                email: "sam2@c.example".into(),
                roles: RoleSet::new([Role::ServiceManager]),
            },
            StaffRef {
                id: 4,
                name: "Ira Chair".into(),
                email: "ira@c.example".into(),
                roles: RoleSet::new([Role::IroCpChair]),
            },
        ]
    }

    #[test]
    fn team_lines_are_read_and_problems_located() {
        let lines = read_teams(&sheet("Team name,Team Manager,Service manager email\nTeam A,ann@c.example,sam1@c.example\nTeam B,,\n")).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].team_manager, None);
        let problems = read_teams(&sheet(
            "Team,Team Manager,Service Manager\n,x,y\nTeam A,,\nteam a,,\n",
        ))
        .unwrap_err();
        assert_eq!(
            problems.iter().map(|p| p.row.unwrap()).collect::<Vec<_>>(),
            vec![2, 4]
        );
        let missing = read_teams(&sheet("Team,Manager\nA,b\n")).unwrap_err();
        assert_eq!(missing.len(), 2);
        assert_eq!(missing[0].column.as_deref(), Some("Team Manager"));
        assert_eq!(
            read_teams(&sheet("Team,Team Manager,Service Manager\n")).unwrap_err()[0].message,
            "The file has no teams"
        );
    }

    #[test]
    fn iro_lines_are_read() {
        let lines = read_iros(&sheet(
            "Child Unique ID,IRO / CP Chair\nC1,ira@c.example\nC2,\n",
        ))
        .unwrap();
        assert_eq!(lines[0].iro.as_deref(), Some("ira@c.example"));
        assert_eq!(lines[1].iro, None);
        let dup = read_iros(&sheet("Child Unique ID,IRO\nC1,a\nC1,b\n")).unwrap_err();
        assert_eq!(dup[0].row, Some(3));
    }

    #[test]
    fn staff_are_found_by_email_or_unique_name_with_the_right_role() {
        let s = staff();
        assert_eq!(find_staff("ANN@c.example", &s, Role::TeamManager), Ok(1));
        assert_eq!(find_staff("ann  manager", &s, Role::TeamManager), Ok(1));
        assert_eq!(
            find_staff("sam2@c.example", &s, Role::ServiceManager),
            Ok(3)
        );
        assert!(find_staff("Sam Same", &s, Role::ServiceManager)
            .unwrap_err()
            .contains("More than one"));
        assert!(find_staff("Ann Manager", &s, Role::IroCpChair)
            .unwrap_err()
            .contains("is not a"));
        assert!(find_staff("nobody@c.example", &s, Role::IroCpChair)
            .unwrap_err()
            .starts_with("Nobody"));
    }

    #[test]
    fn lead_practitioner_lines_are_read_with_every_problem_named() {
        let read = read_lead_practitioners(&sheet(
            "Child Unique ID,Lead Practitioner,Team\nEH-1,Ann Worker,Early Help North\n\nEH-2, kw@c.example ,Early Help South\n",
        ))
        .unwrap();
        assert_eq!(
            read,
            vec![
                LeadPractitionerLine {
                    child_unique_id: "EH-1".into(),
                    lead_practitioner: "Ann Worker".into(),
                    team: "Early Help North".into(),
                    row: 2,
                },
                LeadPractitionerLine {
                    child_unique_id: "EH-2".into(),
                    lead_practitioner: "kw@c.example".into(),
                    team: "Early Help South".into(),
                    row: 4,
                },
            ]
        );
        let problems = read_lead_practitioners(&sheet(
            "child unique id,lead practitioner,team\nEH-1,,North\n,Ann,\nEH-1,Ann,North\nEH-1,Bob,South\n",
        ))
        .unwrap_err();
        let found: Vec<(Option<usize>, Option<&str>)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (Some(2), Some("Lead Practitioner")),
                (Some(3), Some("Child Unique ID")),
                (Some(3), Some("Team")),
                (Some(5), Some("Child Unique ID")),
            ]
        );
        assert!(
            problems[3].message.contains("also on row 4"),
            "{problems:?}"
        );
        let missing =
            read_lead_practitioners(&sheet("Child Unique ID,Team\nEH-1,North\n")).unwrap_err();
        assert_eq!(missing[0].column.as_deref(), Some("Lead Practitioner"));
        assert!(
            read_lead_practitioners(&sheet("Child Unique ID,Lead Practitioner,Team\n")).is_err()
        );
    }
}

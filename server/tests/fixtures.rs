//! Files the end-to-end tests upload, built from the demo council so they cannot drift from
//! it. Run with `UPDATE_FIXTURES=1` to rewrite them after changing the demo data.

use crate::common::xlsx::{row, s, workbook, X};
use crate::common::*;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../end2end/fixtures")
        .join(name)
}

fn check(name: &str, bytes: &[u8]) {
    let path = fixture(name);
    if std::env::var("UPDATE_FIXTURES").as_deref() == Ok("1") {
        std::fs::write(&path, bytes).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == bytes,
        "{} is out of date: run `UPDATE_FIXTURES=1 cargo test -p server --features app/ssr --test fixtures`",
        path.display()
    );
}

/// A small Annex A workbook: three demo cases per audited list, each allocated to the first
/// key worker of its team (so the journey knows whom to sign in as), a title row, a real
/// date cell, and a child in a team the directory does not know yet.
#[tokio::test]
async fn the_small_annex_a_workbook_matches_the_demo_council() {
    let app = TestApp::new().await;
    let head = row(&[
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Allocated Team",
        "Allocated Worker",
    ]);
    let mut sheets: Vec<(String, Vec<Vec<X>>)> = vec![(
        "List 1".into(),
        vec![row(&["Contacts in the last six months"])],
    )];
    for list in [2i64, 6, 7, 8, 9] {
        let cases: Vec<(String, String, String)> = app::on_pool!(app.store, |pool| sqlx::query_as(
            "SELECT c.child_unique_id, t.name, \
             (SELECT p.display_name FROM people p JOIN person_roles r ON r.person_id = p.id \
              WHERE p.team_id = t.id AND r.role = 'key_worker' ORDER BY p.id LIMIT 1) \
             FROM cases c JOIN case_lists l ON l.case_id = c.id JOIN teams t ON t.id = c.team_id \
             WHERE l.annex_list = $1 ORDER BY c.id LIMIT 3",
        )
        .bind(list)
        .fetch_all(pool)
        .await)
        .unwrap();
        let mut rows = vec![row(&[&format!("Annex A List {list}")]), head.clone()];
        for (i, (id, team, worker)) in cases.iter().enumerate() {
            let born = if i == 0 {
                X::D(2012, 6, 1)
            } else {
                s("01/06/2012")
            };
            rows.push(vec![
                s(id),
                s("F"),
                s("Not stated"),
                born,
                X::N(14.0),
                s(team),
                s(worker),
            ]);
        }
        if list == 6 {
            rows.push(vec![
                s("NEWDCT001"),
                s("M"),
                s("Not stated"),
                s("03/09/2016"),
                X::N(10.0),
                s("Disabled Children's Team"),
                s(""),
            ]);
        }
        sheets.push((format!("List {list}"), rows));
    }
    let refs: Vec<(&str, Vec<Vec<X>>)> = sheets
        .iter()
        .map(|(n, r)| (n.as_str(), r.clone()))
        .collect();
    check("annex-a-small.xlsx", &workbook(&refs));
}

/// The going-live journey's files: the teams of the small Annex A workbook (its new team
/// too), and a staff file naming every worker in it as a key worker of their team, with a
/// QA Manager, so the workbook maps to imported staff with no manual step.
#[tokio::test]
async fn the_going_live_files_match_the_small_workbook() {
    let app = TestApp::new().await;
    let mut teams: Vec<String> = Vec::new();
    let mut workers: Vec<(String, String)> = Vec::new();
    for list in [2i64, 6, 7, 8, 9] {
        let cases: Vec<(String, String)> = app::on_pool!(app.store, |pool| sqlx::query_as(
            "SELECT t.name, \
             (SELECT p.display_name FROM people p JOIN person_roles r ON r.person_id = p.id \
              WHERE p.team_id = t.id AND r.role = 'key_worker' ORDER BY p.id LIMIT 1) \
             FROM cases c JOIN case_lists l ON l.case_id = c.id JOIN teams t ON t.id = c.team_id \
             WHERE l.annex_list = $1 ORDER BY c.id LIMIT 3",
        )
        .bind(list)
        .fetch_all(pool)
        .await)
        .unwrap();
        for (team, worker) in cases {
            if !teams.contains(&team) {
                teams.push(team.clone());
            }
            if !workers.iter().any(|(w, _)| *w == worker) {
                workers.push((worker, team));
            }
        }
    }
    teams.push("Disabled Children's Team".into());
    let mut csv = String::from("Team,Team Manager,Service Manager\n");
    for t in &teams {
        csv.push_str(&format!("\"{t}\",,\n"));
    }
    check("going-live-teams.csv", csv.as_bytes());
    let mut csv = String::from("Name,Work email,Team,Roles\n");
    csv.push_str("Quinn Adeyemi,quinn.adeyemi@council.example,,QA Manager; Auditor\n");
    for (worker, team) in &workers {
        let email = format!(
            "{}@council.example",
            worker.to_lowercase().replace(' ', ".")
        );
        csv.push_str(&format!("{worker},{email},\"{team}\",Key Worker\n"));
    }
    check("going-live-staff.csv", csv.as_bytes());
}

//! The demo council: a synthetic, clearly fictional council to try the app with.
//! Staff names are invented; Child Unique IDs start with "DEMO"; email domains are
//! `.example`, which can never be delivered to.

use crate::domain::{AnnexList, ChildUniqueId, Role, Subject};

pub const DEMO_PASSWORD: &str = "demo-audit-2026";
pub const DEMO_DOMAIN: &str = "anytown.example";

#[derive(Debug, Clone)]
pub struct DemoPerson {
    pub display_name: String,
    pub email: String,
    pub roles: Vec<Role>,
    /// Index into `DemoCouncil::teams`.
    pub team: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct DemoTeam {
    pub name: String,
    /// Indexes into `DemoCouncil::people`.
    pub team_manager: usize,
    pub service_manager: usize,
    /// The lists this team's cases are on.
    pub lists: Vec<AnnexList>,
}

#[derive(Debug, Clone)]
pub struct DemoCase {
    pub child_unique_id: ChildUniqueId,
    pub subject: Subject,
    pub lists: Vec<AnnexList>,
    pub team: usize,
    pub key_worker: usize,
    pub iro: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct DemoCouncil {
    pub people: Vec<DemoPerson>,
    pub teams: Vec<DemoTeam>,
    pub cases: Vec<DemoCase>,
}

const FIRST: [&str; 20] = [
    "Ada", "Bram", "Cleo", "Dov", "Elsa", "Finn", "Gale", "Hari", "Ines", "Joss", "Kira", "Lev",
    "Mags", "Nico", "Opal", "Pip", "Rafe", "Suki", "Tomas", "Vida",
];
const LAST: [&str; 13] = [
    "Examplewood",
    "Sampleford",
    "Mockridge",
    "Fictionby",
    "Pretendale",
    "Dummerton",
    "Testington",
    "Placeholme",
    "Madeupshaw",
    "Notrealby",
    "Imaginthorpe",
    "Fablewick",
    "Storeyfold",
];

/// (team name, service index, lists, key workers)
const TEAMS: [(&str, usize, &[AnnexList], usize); 8] = [
    ("Early Help North", 0, &[AnnexList::EarlyHelp], 5),
    ("Early Help South", 0, &[AnnexList::EarlyHelp], 4),
    (
        "Assessment and Intervention East",
        1,
        &[AnnexList::ChildrenInNeed],
        5,
    ),
    (
        "Assessment and Intervention West",
        1,
        &[AnnexList::ChildrenInNeed, AnnexList::ChildProtection],
        4,
    ),
    (
        "Child Protection and Court",
        1,
        &[AnnexList::ChildProtection],
        4,
    ),
    ("Children in Care North", 2, &[AnnexList::ChildrenInCare], 4),
    ("Children in Care South", 2, &[AnnexList::ChildrenInCare], 4),
    ("Leaving Care", 2, &[AnnexList::LeavingCare], 5),
];

const SERVICES: [(&str, &str); 3] = [
    ("early-help", "Early Help"),
    ("safeguarding", "Safeguarding"),
    ("corporate-parenting", "Corporate Parenting"),
];

/// Cases per list: 400 in all.
const CASES_PER_LIST: [(AnnexList, usize); 5] = [
    (AnnexList::EarlyHelp, 70),
    (AnnexList::ChildrenInNeed, 100),
    (AnnexList::ChildProtection, 70),
    (AnnexList::ChildrenInCare, 100),
    (AnnexList::LeavingCare, 60),
];

fn slug(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && *w != "and")
        .collect::<Vec<_>>()
        .join("-")
}

impl DemoCouncil {
    /// The same council every time: nothing here is random.
    pub fn build() -> DemoCouncil {
        let mut people: Vec<DemoPerson> = Vec::new();
        let mut add = |local: String, roles: Vec<Role>, team: Option<usize>| {
            let n = people.len();
            let display_name = format!(
                "{} {}",
                FIRST[n % FIRST.len()],
                LAST[(n / FIRST.len() + n) % LAST.len()]
            );
            people.push(DemoPerson {
                display_name,
                email: format!("{local}@{DEMO_DOMAIN}"),
                roles,
                team,
            });
            n
        };

        add(
            "qa.manager".into(),
            vec![Role::QaManager, Role::Auditor],
            None,
        );
        add("auditor.1".into(), vec![Role::Auditor], None);
        add("auditor.2".into(), vec![Role::Auditor], None);
        add(
            "psw".into(),
            vec![Role::PswQaPracticeImprovement, Role::Auditor],
            None,
        );
        add(
            "safeguarding.review".into(),
            vec![Role::SafeguardingReviewManager, Role::Auditor],
            None,
        );
        add("ad.1".into(), vec![Role::AssistantDirector], None);
        add("ad.2".into(), vec![Role::AssistantDirector], None);
        add("pit.1".into(), vec![Role::PracticeImprovementTeam], None);
        add("pit.2".into(), vec![Role::PracticeImprovementTeam], None);
        add("admin".into(), vec![Role::Administrator], None);
        let iros: Vec<usize> = (1..=4)
            .map(|i| add(format!("iro.{i}"), vec![Role::IroCpChair], None))
            .collect();
        let service_managers: Vec<usize> = SERVICES
            .iter()
            .map(|(s, _)| {
                add(
                    format!("sm.{s}"),
                    vec![Role::ServiceManager, Role::Auditor],
                    None,
                )
            })
            .collect();

        let mut teams = Vec::new();
        let mut key_workers: Vec<Vec<usize>> = Vec::new();
        for (t, (name, service, lists, workers)) in TEAMS.iter().enumerate() {
            let s = slug(name);
            let tm = add(
                format!("tm.{s}"),
                vec![Role::TeamManager, Role::Auditor],
                Some(t),
            );
            let kws = (1..=*workers)
                .map(|i| add(format!("kw.{s}.{i}"), vec![Role::KeyWorker], Some(t)))
                .collect();
            key_workers.push(kws);
            teams.push(DemoTeam {
                name: name.to_string(),
                team_manager: tm,
                service_manager: service_managers[*service],
                lists: lists.to_vec(),
            });
        }

        let mut cases = Vec::new();
        for (list, count) in CASES_PER_LIST {
            let holding: Vec<usize> = (0..teams.len())
                .filter(|t| teams[*t].lists.contains(&list))
                .collect();
            for i in 0..count {
                let team = holding[i % holding.len()];
                let workers = &key_workers[team];
                let key_worker = workers[(i / holding.len()) % workers.len()];
                let subject = match list {
                    AnnexList::EarlyHelp => Subject::Family,
                    AnnexList::LeavingCare => Subject::CareExperiencedYoungAdult,
                    _ if i % 3 == 0 => Subject::YoungPerson,
                    _ => Subject::Child,
                };
                // Children on a plan have a CP Chair; children in care have an IRO.
                let iro = matches!(list, AnnexList::ChildProtection | AnnexList::ChildrenInCare)
                    .then(|| iros[i % iros.len()]);
                let n = cases.len() + 1;
                let id = ChildUniqueId::parse(&format!("DEMO{:05}", 10_000 + n))
                    .expect("demo IDs are valid");
                cases.push(DemoCase {
                    child_unique_id: id,
                    subject,
                    lists: vec![list],
                    team,
                    key_worker,
                    iro,
                });
            }
        }
        DemoCouncil {
            people,
            teams,
            cases,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn demo_council_has_the_promised_shape() {
        let c = DemoCouncil::build();
        assert_eq!(c.teams.len(), 8);
        assert_eq!(c.people.len(), 60);
        assert_eq!(c.cases.len(), 400);
        for role in Role::ALL {
            assert!(
                c.people.iter().any(|p| p.roles.contains(&role)),
                "no one holds {role:?}"
            );
        }
        for list in AnnexList::ALL {
            assert!(
                c.cases.iter().any(|k| k.lists.contains(&list)),
                "no case on {list:?}"
            );
        }
    }

    #[test]
    fn demo_identities_are_unique_and_fictional() {
        let c = DemoCouncil::build();
        let emails: HashSet<_> = c.people.iter().map(|p| p.email.as_str()).collect();
        assert_eq!(emails.len(), c.people.len());
        assert!(c.people.iter().all(|p| p.email.ends_with(".example")));
        let ids: HashSet<_> = c.cases.iter().map(|k| k.child_unique_id.as_str()).collect();
        assert_eq!(ids.len(), c.cases.len());
        assert!(ids.iter().all(|id| id.starts_with("DEMO")));
    }

    #[test]
    fn every_case_is_held_by_a_key_worker_of_its_own_team() {
        let c = DemoCouncil::build();
        for case in &c.cases {
            let kw = &c.people[case.key_worker];
            assert!(kw.roles.contains(&Role::KeyWorker));
            assert_eq!(kw.team, Some(case.team));
            assert!(c.teams[case.team].lists.contains(&case.lists[0]));
            if let Some(iro) = case.iro {
                assert!(c.people[iro].roles.contains(&Role::IroCpChair));
            }
        }
        // Every key worker has some cases, so every demo sign-in has something to show.
        for (i, p) in c.people.iter().enumerate() {
            if p.roles.contains(&Role::KeyWorker) {
                assert!(
                    c.cases.iter().any(|k| k.key_worker == i),
                    "{} has no cases",
                    p.email
                );
            }
        }
    }
}

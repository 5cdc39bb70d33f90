//! Suggesting auditors for a round's cases: spread the work evenly, and never ask anyone to
//! audit a case from a team they work in or manage, or a case they hold themselves.

use std::collections::BTreeSet;

/// An auditor as the suggestion needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditorLoad {
    pub person_id: i64,
    /// Teams they belong to or manage (as Team Manager or Service Manager).
    pub own_teams: BTreeSet<i64>,
    /// Audits already assigned to them in rounds that are not closed.
    pub open_audits: usize,
}

/// A case waiting for an auditor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseToAssign {
    pub team_id: i64,
    pub key_worker_id: Option<i64>,
    pub iro_id: Option<i64>,
}

/// Whether this auditor may audit this case at all.
pub fn may_audit(auditor: &AuditorLoad, case: &CaseToAssign) -> bool {
    let me = Some(auditor.person_id);
    !auditor.own_teams.contains(&case.team_id) && case.key_worker_id != me && case.iro_id != me
}

/// For each case in order, the allowed auditor with the fewest open audits (counting the
/// ones suggested so far); ties go to the lower person ID, so the suggestion is repeatable.
/// `None` where nobody may audit the case.
pub fn suggest(cases: &[CaseToAssign], auditors: &[AuditorLoad]) -> Vec<Option<i64>> {
    let mut load: Vec<usize> = auditors.iter().map(|a| a.open_audits).collect();
    cases
        .iter()
        .map(|case| {
            let best = auditors
                .iter()
                .enumerate()
                .filter(|(_, a)| may_audit(a, case))
                .min_by_key(|(i, a)| (load[*i], a.person_id))
                .map(|(i, _)| i)?;
            load[best] += 1;
            Some(auditors[best].person_id)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auditor(id: i64, teams: &[i64], open: usize) -> AuditorLoad {
        AuditorLoad {
            person_id: id,
            own_teams: teams.iter().copied().collect(),
            open_audits: open,
        }
    }

    fn case(team: i64) -> CaseToAssign {
        CaseToAssign {
            team_id: team,
            key_worker_id: None,
            iro_id: None,
        }
    }

    #[test]
    fn spreads_cases_evenly_taking_existing_load_into_account() {
        let auditors = [auditor(1, &[], 2), auditor(2, &[], 0), auditor(3, &[], 1)];
        let cases: Vec<_> = (0..6).map(|_| case(9)).collect();
        let s = suggest(&cases, &auditors);
        assert_eq!(
            s,
            vec![Some(2), Some(2), Some(3), Some(1), Some(2), Some(3)]
        );
        let mut totals = [2, 0, 1];
        for p in s.into_iter().flatten() {
            totals[(p - 1) as usize] += 1;
        }
        assert_eq!(totals, [3, 3, 3]);
    }

    #[test]
    fn never_suggests_an_auditor_from_the_cases_own_team() {
        let auditors = [auditor(1, &[7], 0), auditor(2, &[8], 5)];
        assert_eq!(
            suggest(&[case(7), case(7)], &auditors),
            vec![Some(2), Some(2)]
        );
        assert_eq!(suggest(&[case(8)], &auditors), vec![Some(1)]);
    }

    #[test]
    fn holders_of_the_case_are_not_suggested_and_nobody_left_is_none() {
        let auditors = [auditor(1, &[], 0), auditor(2, &[], 0)];
        let held = CaseToAssign {
            team_id: 3,
            key_worker_id: Some(1),
            iro_id: Some(2),
        };
        assert_eq!(suggest(&[held.clone()], &auditors), vec![None]);
        assert!(!may_audit(&auditors[0], &held));
        assert_eq!(suggest(&[case(3)], &[]), vec![None]);
        assert!(suggest(&[], &auditors).is_empty());
    }

    #[test]
    fn ties_go_to_the_lower_person_id() {
        let auditors = [auditor(5, &[], 1), auditor(4, &[], 1)];
        assert_eq!(suggest(&[case(1)], &auditors), vec![Some(4)]);
    }
}

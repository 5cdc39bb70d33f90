//! Need-to-know: who may open which case, and why.

use super::roles::{Role, RoleSet};
use serde::{Deserialize, Serialize};

/// The signed-in person, as the rules need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub person_id: i64,
    pub roles: RoleSet,
}

/// Who holds a case: its key worker, the team's managers and the IRO / CP Chair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseAllocation {
    pub key_worker_id: Option<i64>,
    pub team_manager_id: Option<i64>,
    pub service_manager_id: Option<i64>,
    pub iro_id: Option<i64>,
    /// The auditor assigned to the case in a confirmed round that is not closed.
    pub auditor_id: Option<i64>,
}

/// Why a person may see a case. Shown to them, so they know why it is in their list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseAccess {
    KeyWorker,
    TeamManager,
    ServiceManager,
    IroCpChair,
    Auditor,
    AuditProgramme,
}

impl CaseAccess {
    pub fn label(self) -> &'static str {
        match self {
            CaseAccess::KeyWorker => "Allocated to you",
            CaseAccess::TeamManager => "Your team",
            CaseAccess::ServiceManager => "Your service",
            CaseAccess::IroCpChair => "You chair reviews",
            CaseAccess::Auditor => "You audit it",
            CaseAccess::AuditProgramme => "Audit programme",
        }
    }
}

/// The closest reason this person may see the case, or `None` if they have no need to know.
/// A holder's own tie to the case comes first; the programme roles see every case.
pub fn case_access(actor: &Actor, case: &CaseAllocation) -> Option<CaseAccess> {
    let me = Some(actor.person_id);
    let holds = |role: Role, holder: Option<i64>| actor.roles.has(role) && holder == me;
    if holds(Role::KeyWorker, case.key_worker_id) {
        Some(CaseAccess::KeyWorker)
    } else if holds(Role::TeamManager, case.team_manager_id) {
        Some(CaseAccess::TeamManager)
    } else if holds(Role::ServiceManager, case.service_manager_id) {
        Some(CaseAccess::ServiceManager)
    } else if holds(Role::IroCpChair, case.iro_id) {
        Some(CaseAccess::IroCpChair)
    } else if holds(Role::Auditor, case.auditor_id) {
        Some(CaseAccess::Auditor)
    } else if actor.roles.sees_every_case() {
        Some(CaseAccess::AuditProgramme)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(id: i64, roles: &[Role]) -> Actor {
        Actor {
            person_id: id,
            roles: RoleSet::new(roles.iter().copied()),
        }
    }

    const CASE: CaseAllocation = CaseAllocation {
        key_worker_id: Some(10),
        team_manager_id: Some(20),
        service_manager_id: Some(30),
        iro_id: Some(40),
        auditor_id: Some(50),
    };

    #[test]
    fn each_holder_sees_the_case_for_their_own_reason() {
        assert_eq!(
            case_access(&actor(10, &[Role::KeyWorker]), &CASE),
            Some(CaseAccess::KeyWorker)
        );
        assert_eq!(
            case_access(&actor(20, &[Role::TeamManager, Role::Auditor]), &CASE),
            Some(CaseAccess::TeamManager)
        );
        assert_eq!(
            case_access(&actor(30, &[Role::ServiceManager]), &CASE),
            Some(CaseAccess::ServiceManager)
        );
        assert_eq!(
            case_access(&actor(40, &[Role::IroCpChair]), &CASE),
            Some(CaseAccess::IroCpChair)
        );
        assert_eq!(
            case_access(&actor(50, &[Role::Auditor]), &CASE),
            Some(CaseAccess::Auditor)
        );
    }

    #[test]
    fn other_teams_staff_do_not_see_the_case() {
        assert_eq!(case_access(&actor(11, &[Role::KeyWorker]), &CASE), None);
        assert_eq!(case_access(&actor(21, &[Role::TeamManager]), &CASE), None);
        assert_eq!(
            case_access(&actor(31, &[Role::ServiceManager]), &CASE),
            None
        );
        assert_eq!(case_access(&actor(41, &[Role::IroCpChair]), &CASE), None);
        assert_eq!(case_access(&actor(51, &[Role::Auditor]), &CASE), None);
    }

    #[test]
    fn a_tie_without_the_role_grants_nothing() {
        // Someone recorded as key worker who no longer holds the role (e.g. moved to admin).
        assert_eq!(case_access(&actor(10, &[Role::Administrator]), &CASE), None);
    }

    #[test]
    fn programme_roles_see_every_case_and_others_do_not() {
        for role in Role::ALL {
            let access = case_access(&actor(99, &[role]), &CASE);
            if role.sees_every_case() {
                assert_eq!(access, Some(CaseAccess::AuditProgramme), "{role:?}");
            } else {
                assert_eq!(access, None, "{role:?}");
            }
        }
    }

    #[test]
    fn unallocated_case_is_seen_only_by_the_programme() {
        let unallocated = CaseAllocation {
            key_worker_id: None,
            team_manager_id: None,
            service_manager_id: None,
            iro_id: None,
            auditor_id: None,
        };
        assert_eq!(
            case_access(&actor(10, &[Role::KeyWorker]), &unallocated),
            None
        );
        assert_eq!(
            case_access(&actor(1, &[Role::QaManager]), &unallocated),
            Some(CaseAccess::AuditProgramme)
        );
    }
}

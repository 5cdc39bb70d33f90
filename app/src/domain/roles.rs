use serde::{Deserialize, Serialize};
use std::fmt;

/// The roles a member of staff can hold. A person may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    QaManager,
    Auditor,
    KeyWorker,
    TeamManager,
    ServiceManager,
    IroCpChair,
    PswQaPracticeImprovement,
    SafeguardingReviewManager,
    AssistantDirector,
    PracticeImprovementTeam,
    Administrator,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::QaManager,
        Role::Auditor,
        Role::KeyWorker,
        Role::TeamManager,
        Role::ServiceManager,
        Role::IroCpChair,
        Role::PswQaPracticeImprovement,
        Role::SafeguardingReviewManager,
        Role::AssistantDirector,
        Role::PracticeImprovementTeam,
        Role::Administrator,
    ];

    /// The code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Role::QaManager => "qa_manager",
            Role::Auditor => "auditor",
            Role::KeyWorker => "key_worker",
            Role::TeamManager => "team_manager",
            Role::ServiceManager => "service_manager",
            Role::IroCpChair => "iro_cp_chair",
            Role::PswQaPracticeImprovement => "psw_qa_practice_improvement",
            Role::SafeguardingReviewManager => "safeguarding_review_manager",
            Role::AssistantDirector => "assistant_director",
            Role::PracticeImprovementTeam => "practice_improvement_team",
            Role::Administrator => "administrator",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The name the council uses.
    pub fn label(self) -> &'static str {
        match self {
            Role::QaManager => "QA Manager",
            Role::Auditor => "Auditor",
            Role::KeyWorker => "Key Worker",
            Role::TeamManager => "Team Manager",
            Role::ServiceManager => "Service Manager",
            Role::IroCpChair => "IRO / CP Chair",
            Role::PswQaPracticeImprovement => "PSW / Service Manager QA & Practice Improvement",
            Role::SafeguardingReviewManager => "Safeguarding & Review Service Manager",
            Role::AssistantDirector => "Assistant Director",
            Role::PracticeImprovementTeam => "Practice Improvement Team",
            Role::Administrator => "Administrator",
        }
    }

    /// Roles that run or moderate the whole audit programme, and so may open any case.
    pub fn sees_every_case(self) -> bool {
        matches!(
            self,
            Role::QaManager
                | Role::PswQaPracticeImprovement
                | Role::SafeguardingReviewManager
                | Role::AssistantDirector
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A person's roles, kept sorted and without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSet(Vec<Role>);

impl RoleSet {
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Self {
        let mut roles: Vec<Role> = roles.into_iter().collect();
        roles.sort();
        roles.dedup();
        RoleSet(roles)
    }

    pub fn has(&self, role: Role) -> bool {
        self.0.binary_search(&role).is_ok()
    }

    pub fn any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn sees_every_case(&self) -> bool {
        self.iter().any(Role::sees_every_case)
    }

    /// Reports, themes, sessions and published learning: the QA programme and the Practice
    /// Improvement Team (aggregate only, never a case or an audit).
    pub fn reads_learning(&self) -> bool {
        self.sees_every_case() || self.has(Role::PracticeImprovementTeam)
    }

    /// Whether this person holds any case-facing role, and so has a "cases" view.
    pub fn holds_cases(&self) -> bool {
        self.sees_every_case()
            || self.any(&[
                Role::KeyWorker,
                Role::TeamManager,
                Role::ServiceManager,
                Role::IroCpChair,
            ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_for_every_role() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code("QA Manager"), None);
        assert_eq!(Role::from_code(""), None);
    }

    #[test]
    fn role_set_sorts_and_dedups() {
        let set = RoleSet::new([Role::Auditor, Role::QaManager, Role::Auditor]);
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            vec![Role::QaManager, Role::Auditor]
        );
        assert!(set.has(Role::Auditor));
        assert!(!set.has(Role::KeyWorker));
    }

    #[test]
    fn only_programme_roles_see_every_case() {
        let seeing: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.sees_every_case())
            .collect();
        assert_eq!(
            seeing,
            vec![
                Role::QaManager,
                Role::PswQaPracticeImprovement,
                Role::SafeguardingReviewManager,
                Role::AssistantDirector
            ]
        );
        assert!(!RoleSet::new([Role::Administrator]).holds_cases());
        assert!(!RoleSet::new([Role::Auditor, Role::PracticeImprovementTeam]).holds_cases());
        assert!(RoleSet::new([Role::KeyWorker]).holds_cases());
    }
}

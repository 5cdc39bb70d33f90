//! Staff accounts: one-time links (invitations and password resets), what a person's
//! history records, and which role changes the QA Manager is told about.

use super::roles::{Role, RoleSet};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkPurpose {
    /// A new account's first password.
    Invitation,
    /// A forgotten password.
    Reset,
}

impl LinkPurpose {
    pub fn code(self) -> &'static str {
        match self {
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::Reset => "reset",
        }
    }

    pub fn parse(code: &str) -> Option<LinkPurpose> {
        [LinkPurpose::Invitation, LinkPurpose::Reset]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

/// How long links stay usable: invitations for days (people start on a Monday), resets
/// for an hour (someone is waiting at the sign-in page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkLifetimes {
    pub invitation: Duration,
    pub reset: Duration,
}

impl Default for LinkLifetimes {
    fn default() -> Self {
        LinkLifetimes {
            invitation: Duration::hours(72),
            reset: Duration::hours(1),
        }
    }
}

impl LinkLifetimes {
    /// From hours as configured (`INVITATION_HOURS`, `RESET_HOURS`): whole numbers from 1 to
    /// 720 (30 days).
    pub fn parse(invitation_hours: &str, reset_hours: &str) -> Result<LinkLifetimes, String> {
        let hours = |raw: &str, name: &str| {
            raw.trim()
                .parse::<i64>()
                .ok()
                .filter(|h| (1..=720).contains(h))
                .map(Duration::hours)
                .ok_or_else(|| format!("{name} must be a whole number of hours from 1 to 720"))
        };
        Ok(LinkLifetimes {
            invitation: hours(invitation_hours, "INVITATION_HOURS")?,
            reset: hours(reset_hours, "RESET_HOURS")?,
        })
    }

    pub fn of(self, purpose: LinkPurpose) -> Duration {
        match purpose {
            LinkPurpose::Invitation => self.invitation,
            LinkPurpose::Reset => self.reset,
        }
    }
}

/// Whether a stored link can still be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Usable,
    Expired,
    Used,
}

/// A link is used once; it expires at `expires_at` exactly.
pub fn link_state(
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> LinkState {
    match used_at {
        Some(_) => LinkState::Used,
        None if now >= expires_at => LinkState::Expired,
        None => LinkState::Usable,
    }
}

/// How long a duration is, in the words an email uses ("72 hours", "1 hour").
pub fn hours_in_words(d: Duration) -> String {
    match d.num_hours() {
        1 => "1 hour".into(),
        h => format!("{h} hours"),
    }
}

/// What one line of a person's history records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PersonChange {
    Added,
    Name,
    Email,
    Team,
    RoleGranted,
    RoleRemoved,
    Deactivated,
    Reactivated,
    Invited,
    ResetSent,
    PasswordSet,
    PasswordChanged,
}

impl PersonChange {
    pub const ALL: [PersonChange; 12] = [
        PersonChange::Added,
        PersonChange::Name,
        PersonChange::Email,
        PersonChange::Team,
        PersonChange::RoleGranted,
        PersonChange::RoleRemoved,
        PersonChange::Deactivated,
        PersonChange::Reactivated,
        PersonChange::Invited,
        PersonChange::ResetSent,
        PersonChange::PasswordSet,
        PersonChange::PasswordChanged,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PersonChange::Added => "added",
            PersonChange::Name => "name",
            PersonChange::Email => "email",
            PersonChange::Team => "team",
            PersonChange::RoleGranted => "role_granted",
            PersonChange::RoleRemoved => "role_removed",
            PersonChange::Deactivated => "deactivated",
            PersonChange::Reactivated => "reactivated",
            PersonChange::Invited => "invited",
            PersonChange::ResetSent => "reset_sent",
            PersonChange::PasswordSet => "password_set",
            PersonChange::PasswordChanged => "password_changed",
        }
    }

    pub fn parse(code: &str) -> Option<PersonChange> {
        PersonChange::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The history's wording.
    pub fn label(self) -> &'static str {
        match self {
            PersonChange::Added => "Added",
            PersonChange::Name => "Name changed",
            PersonChange::Email => "Work email changed",
            PersonChange::Team => "Team changed",
            PersonChange::RoleGranted => "Role given",
            PersonChange::RoleRemoved => "Role removed",
            PersonChange::Deactivated => "Deactivated",
            PersonChange::Reactivated => "Reactivated",
            PersonChange::Invited => "Invitation sent",
            PersonChange::ResetSent => "Password reset link sent",
            PersonChange::PasswordSet => "Password set from a link",
            PersonChange::PasswordChanged => "Password changed",
        }
    }
}

/// A role change to one person: what was given and what was taken away.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChange {
    pub granted: Vec<Role>,
    pub removed: Vec<Role>,
}

impl RoleChange {
    pub fn between(old: &RoleSet, new: &RoleSet) -> RoleChange {
        RoleChange {
            granted: new.iter().filter(|r| !old.has(*r)).collect(),
            removed: old.iter().filter(|r| !new.has(*r)).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.granted.is_empty() && self.removed.is_empty()
    }

    /// Roles given that open every case (the QA programme's): the QA Manager is told of
    /// each, as they widen who can read children's records.
    pub fn programme_roles_granted(&self) -> Vec<Role> {
        self.granted
            .iter()
            .copied()
            .filter(|r| r.sees_every_case())
            .collect()
    }
}

/// Why a change to people is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeopleRule {
    #[error("You cannot deactivate yourself. Ask another Administrator")]
    DeactivateSelf,
    #[error("This would leave nobody as Administrator. Give the role to someone else first")]
    LastAdministrator,
}

/// Whether removing `person`'s Administrator role (or deactivating them) leaves another
/// active Administrator. `admins` are the active Administrators now.
pub fn keeps_an_administrator(admins: &[i64], person: i64) -> Result<(), PeopleRule> {
    if admins.iter().any(|a| *a != person) {
        Ok(())
    } else {
        Err(PeopleRule::LastAdministrator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 5, h, m, 0).unwrap()
    }

    #[test]
    fn a_link_expires_at_its_time_exactly_and_is_used_once() {
        assert_eq!(link_state(at(10, 0), None, at(9, 59)), LinkState::Usable);
        assert_eq!(link_state(at(10, 0), None, at(10, 0)), LinkState::Expired);
        assert_eq!(
            link_state(at(10, 0), Some(at(9, 0)), at(9, 30)),
            LinkState::Used
        );
        // Used wins over expired: the person is told it was used, which is the truth.
        assert_eq!(
            link_state(at(10, 0), Some(at(9, 0)), at(11, 0)),
            LinkState::Used
        );
    }

    #[test]
    fn lifetimes_default_to_72_hours_and_1_hour_and_parse_within_bounds() {
        let d = LinkLifetimes::default();
        assert_eq!(d.of(LinkPurpose::Invitation), Duration::hours(72));
        assert_eq!(d.of(LinkPurpose::Reset), Duration::hours(1));
        let l = LinkLifetimes::parse("48", " 2 ").unwrap();
        assert_eq!(
            (l.invitation, l.reset),
            (Duration::hours(48), Duration::hours(2))
        );
        assert!(LinkLifetimes::parse("0", "1").is_err());
        assert!(LinkLifetimes::parse("721", "1").is_err());
        assert!(LinkLifetimes::parse("72", "1.5")
            .unwrap_err()
            .contains("RESET_HOURS"));
        assert_eq!(hours_in_words(Duration::hours(1)), "1 hour");
        assert_eq!(hours_in_words(Duration::hours(72)), "72 hours");
    }

    #[test]
    fn codes_round_trip() {
        for c in PersonChange::ALL {
            assert_eq!(PersonChange::parse(c.code()), Some(c));
        }
        for p in [LinkPurpose::Invitation, LinkPurpose::Reset] {
            assert_eq!(LinkPurpose::parse(p.code()), Some(p));
        }
        assert_eq!(LinkPurpose::parse("Reset"), None);
    }

    #[test]
    fn role_changes_name_programme_grants() {
        let old = RoleSet::new([Role::KeyWorker, Role::Auditor]);
        let new = RoleSet::new([Role::Auditor, Role::QaManager, Role::TeamManager]);
        let change = RoleChange::between(&old, &new);
        assert_eq!(change.granted, vec![Role::QaManager, Role::TeamManager]);
        assert_eq!(change.removed, vec![Role::KeyWorker]);
        assert_eq!(change.programme_roles_granted(), vec![Role::QaManager]);
        assert!(RoleChange::between(&new, &new).is_empty());
        let all = RoleChange::between(
            &RoleSet::default(),
            &RoleSet::new([
                Role::PswQaPracticeImprovement,
                Role::SafeguardingReviewManager,
                Role::AssistantDirector,
                Role::PracticeImprovementTeam,
            ]),
        );
        assert_eq!(all.programme_roles_granted().len(), 3);
    }

    #[test]
    fn the_last_administrator_stays() {
        assert_eq!(keeps_an_administrator(&[1, 2], 1), Ok(()));
        assert_eq!(
            keeps_an_administrator(&[1], 1),
            Err(PeopleRule::LastAdministrator)
        );
        // Someone who is not an Administrator leaves the others in place.
        assert_eq!(keeps_an_administrator(&[1], 5), Ok(()));
        assert_eq!(
            keeps_an_administrator(&[], 5),
            Err(PeopleRule::LastAdministrator)
        );
    }
}

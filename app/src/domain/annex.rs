use serde::{Deserialize, Serialize};

/// The Ofsted Annex A lists that feed audits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AnnexList {
    EarlyHelp,
    ChildrenInNeed,
    ChildProtection,
    ChildrenInCare,
    LeavingCare,
}

impl AnnexList {
    pub const ALL: [AnnexList; 5] = [
        AnnexList::EarlyHelp,
        AnnexList::ChildrenInNeed,
        AnnexList::ChildProtection,
        AnnexList::ChildrenInCare,
        AnnexList::LeavingCare,
    ];

    /// The list's number in Annex A.
    pub fn number(self) -> u8 {
        match self {
            AnnexList::EarlyHelp => 2,
            AnnexList::ChildrenInNeed => 6,
            AnnexList::ChildProtection => 7,
            AnnexList::ChildrenInCare => 8,
            AnnexList::LeavingCare => 9,
        }
    }

    pub fn from_number(n: i64) -> Option<AnnexList> {
        AnnexList::ALL
            .into_iter()
            .find(|l| i64::from(l.number()) == n)
    }

    pub fn label(self) -> &'static str {
        match self {
            AnnexList::EarlyHelp => "Early help",
            AnnexList::ChildrenInNeed => "Children in need",
            AnnexList::ChildProtection => "Child protection",
            AnnexList::ChildrenInCare => "Children in care",
            AnnexList::LeavingCare => "Leaving care",
        }
    }

    /// "List 7: Child protection".
    pub fn title(self) -> String {
        format!("List {}: {}", self.number(), self.label())
    }
}

/// Who the case is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Subject {
    Child,
    YoungPerson,
    CareExperiencedYoungAdult,
    Family,
}

impl Subject {
    pub const ALL: [Subject; 4] = [
        Subject::Child,
        Subject::YoungPerson,
        Subject::CareExperiencedYoungAdult,
        Subject::Family,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Subject::Child => "child",
            Subject::YoungPerson => "young_person",
            Subject::CareExperiencedYoungAdult => "care_experienced_young_adult",
            Subject::Family => "family",
        }
    }

    pub fn from_code(code: &str) -> Option<Subject> {
        Subject::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Subject::Child => "Child",
            Subject::YoungPerson => "Young person",
            Subject::CareExperiencedYoungAdult => "Care-experienced young adult",
            Subject::Family => "Family",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_numbers_match_annex_a() {
        let numbers: Vec<u8> = AnnexList::ALL.iter().map(|l| l.number()).collect();
        assert_eq!(numbers, vec![2, 6, 7, 8, 9]);
        for list in AnnexList::ALL {
            assert_eq!(AnnexList::from_number(list.number().into()), Some(list));
        }
        for not_audited in [0, 1, 3, 4, 5, 10, 11, -7] {
            assert_eq!(AnnexList::from_number(not_audited), None);
        }
        assert_eq!(
            AnnexList::ChildProtection.title(),
            "List 7: Child protection"
        );
    }

    #[test]
    fn subject_codes_round_trip() {
        for s in Subject::ALL {
            assert_eq!(Subject::from_code(s.code()), Some(s));
        }
        assert_eq!(Subject::from_code("Child"), None);
    }
}

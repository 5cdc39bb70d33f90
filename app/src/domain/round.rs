//! A round's life: open, drawn, confirmed, closed; and when it may be closed. No I/O.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Sent as its code ("open", "drawn", …), as the store keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    /// Created; waiting for its draw.
    Open,
    /// Drawn; cases may be withdrawn and replaced until it is confirmed.
    Drawn,
    /// Everyone involved is told; auditors are assigned and audits run.
    Confirmed,
    /// Every audit filed or withdrawn, or closed by the QA Manager after the due date.
    Closed,
}

impl RoundStatus {
    pub const ALL: [RoundStatus; 4] = [
        RoundStatus::Open,
        RoundStatus::Drawn,
        RoundStatus::Confirmed,
        RoundStatus::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RoundStatus::Open => "open",
            RoundStatus::Drawn => "drawn",
            RoundStatus::Confirmed => "confirmed",
            RoundStatus::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<RoundStatus> {
        RoundStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            RoundStatus::Open => "Open",
            RoundStatus::Drawn => "Drawn",
            RoundStatus::Confirmed => "Confirmed",
            RoundStatus::Closed => "Closed",
        }
    }
}

impl TryFrom<String> for RoundStatus {
    type Error = String;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        RoundStatus::from_code(&code).ok_or_else(|| format!("unknown round status {code:?}"))
    }
}

/// How a case joined a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// Drawn with the round.
    Draw,
    /// Drawn later, from the same stratum, to replace a withdrawn case.
    Replacement,
}

impl TryFrom<String> for Selection {
    type Error = String;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        match code.as_str() {
            "draw" => Ok(Selection::Draw),
            "replacement" => Ok(Selection::Replacement),
            _ => Err(format!("unknown selection {code:?}")),
        }
    }
}

/// Why a round cannot be closed now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloseRefusal {
    #[error("Only a confirmed round can be closed")]
    NotConfirmed,
    #[error("The round is not due until {}; until then it closes by itself once every audit is filed", .0.format("%-d %B %Y"))]
    NotYetDue(NaiveDate),
    #[error("Give a reason for each audit still open")]
    ReasonsMissing(Vec<i64>),
}

/// The longest reason for leaving an audit open at closing, in characters.
pub const MAX_CLOSING_REASON: usize = 500;

/// Whether the QA Manager may close the round today, given the round cases still open
/// (not filed, not withdrawn) and the reasons given for them. A round whose cases are all
/// filed closes by itself, so closing by hand is for a round past its due date.
pub fn may_close(
    status: RoundStatus,
    due_on: NaiveDate,
    today: NaiveDate,
    still_open: &[i64],
    has_reason: impl Fn(i64) -> bool,
) -> Result<(), CloseRefusal> {
    if status != RoundStatus::Confirmed {
        return Err(CloseRefusal::NotConfirmed);
    }
    if today <= due_on && !still_open.is_empty() {
        return Err(CloseRefusal::NotYetDue(due_on));
    }
    let missing: Vec<i64> = still_open
        .iter()
        .copied()
        .filter(|id| !has_reason(*id))
        .collect();
    if !missing.is_empty() {
        return Err(CloseRefusal::ReasonsMissing(missing));
    }
    Ok(())
}

/// Whether a confirmed round is finished: every case it holds is filed (withdrawn cases
/// are not held).
pub fn finished(status: RoundStatus, held: usize, filed: usize) -> bool {
    status == RoundStatus::Confirmed && held > 0 && filed == held
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, d).unwrap()
    }

    #[test]
    fn selections_decode_and_refuse_unknown_codes() {
        assert_eq!(Selection::try_from("draw".to_string()), Ok(Selection::Draw));
        assert_eq!(
            Selection::try_from("replacement".to_string()),
            Ok(Selection::Replacement)
        );
        assert!(Selection::try_from("lottery".to_string()).is_err());
    }

    #[test]
    fn codes_round_trip() {
        for s in RoundStatus::ALL {
            assert_eq!(RoundStatus::from_code(s.code()), Some(s));
            assert_eq!(RoundStatus::try_from(s.code().to_string()), Ok(s));
        }
        assert!(RoundStatus::try_from("ended".to_string()).is_err());
    }

    #[test]
    fn only_a_confirmed_round_past_its_due_date_closes_by_hand_with_reasons() {
        let due = day(29);
        for status in [RoundStatus::Open, RoundStatus::Drawn, RoundStatus::Closed] {
            assert_eq!(
                may_close(status, due, day(30), &[], |_| true),
                Err(CloseRefusal::NotConfirmed)
            );
        }
        assert_eq!(
            may_close(RoundStatus::Confirmed, due, day(29), &[7], |_| true),
            Err(CloseRefusal::NotYetDue(due)),
            "the due date itself is still in time"
        );
        assert_eq!(
            may_close(RoundStatus::Confirmed, due, day(30), &[7, 8], |id| id == 7),
            Err(CloseRefusal::ReasonsMissing(vec![8]))
        );
        assert_eq!(
            may_close(RoundStatus::Confirmed, due, day(30), &[7, 8], |_| true),
            Ok(())
        );
        // Nothing open: it may close whenever (it would have closed by itself).
        assert_eq!(
            may_close(RoundStatus::Confirmed, due, day(2), &[], |_| false),
            Ok(())
        );
    }

    #[test]
    fn a_round_is_finished_when_everything_it_holds_is_filed() {
        assert!(finished(RoundStatus::Confirmed, 3, 3));
        assert!(!finished(RoundStatus::Confirmed, 3, 2));
        assert!(
            !finished(RoundStatus::Confirmed, 0, 0),
            "an empty round is closed by hand"
        );
        assert!(!finished(RoundStatus::Drawn, 3, 3));
    }
}

//! The working-day calendar the Administrator keeps: council closure days and newer bank
//! holidays. Round due dates follow it.

pub(crate) mod page;

pub use page::CalendarPage;

use crate::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosureDay {
    pub day: NaiveDate,
    pub bank_holiday: bool,
    pub reason: String,
}

/// The Administrator keeps the calendar. Checked before the input is even read.
#[cfg(feature = "ssr")]
async fn administrator() -> Result<(crate::store::Store, crate::domain::Actor), AppError> {
    let (store, actor) = crate::server::signed_in().await?;
    if actor.roles.has(crate::domain::Role::Administrator) {
        Ok((store, actor))
    } else {
        Err(AppError::Forbidden)
    }
}

#[cfg(feature = "ssr")]
async fn add_days(
    (store, actor): (crate::store::Store, crate::domain::Actor),
    days: Vec<(NaiveDate, String)>,
    kind: &str,
) -> Result<u64, AppError> {
    use crate::domain::calendar::{AuditMonth, WorkingCalendar};
    use crate::server::failed;
    let mut closed: Vec<NaiveDate> = WorkingCalendar::shipped().closed_days().collect();
    closed.extend(store.closure_days().await.map_err(failed("add days"))?);
    closed.extend(days.iter().map(|(d, _)| *d));
    let calendar = WorkingCalendar::new(closed);
    let rows: Vec<(NaiveDate, &str)> = days.iter().map(|(d, r)| (*d, r.as_str())).collect();
    let added = store
        .add_closure_days(
            &rows,
            kind,
            actor.person_id,
            crate::server::clock::now(),
            |month| AuditMonth::parse(month).and_then(|m| calendar.last_working_day(m)),
        )
        .await
        .map_err(failed("add days"))?;
    tracing::info!(added, kind, person_id = actor.person_id, "calendar changed");
    Ok(added)
}

#[server(endpoint = "closure_days", output = crate::codec::Compact)]
pub async fn closure_days() -> Result<Vec<ClosureDay>, AppError> {
    use crate::domain::Role;
    use crate::server::*;
    respond("closure_days", async move {
        let (store, actor) = signed_in().await?;
        if !actor.roles.any(&[Role::Administrator, Role::QaManager]) {
            return Err(AppError::Forbidden);
        }
        Ok(store
            .closure_day_rows()
            .await
            .map_err(failed("closure days"))?
            .into_iter()
            .map(|r| ClosureDay {
                day: r.day,
                bank_holiday: r.kind == "bank_holiday",
                reason: r.reason,
            })
            .collect())
    })
    .await
}

/// Adds a council closure day (e.g. between Christmas and New Year).
#[server(endpoint = "add_closure_day", output = crate::codec::Compact)]
pub async fn add_closure_day(day: String, reason: String) -> Result<u64, AppError> {
    use crate::server::*;
    use crate::FieldError;
    respond("add_closure_day", async move {
        let admin = administrator().await?;
        let mut errors = Vec::new();
        let day = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
            .map_err(|_| {
                errors.push(FieldError::new(
                    "day",
                    "Enter the date, for example 2026-12-29",
                ))
            })
            .ok();
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            errors.push(FieldError::new(
                "reason",
                "Enter why the council is closed, for example Christmas closure",
            ));
        } else if reason.chars().count() > 200 {
            errors.push(FieldError::new(
                "reason",
                "The reason must be 200 characters or fewer",
            ));
        }
        let (Some(day), true) = (day, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        add_days(admin, vec![(day, reason)], "council_closure").await
    })
    .await
}

/// Loads England and Wales bank holidays from the contents of gov.uk's `bank-holidays.json`.
#[server(endpoint = "load_bank_holidays", output = crate::codec::Compact)]
pub async fn load_bank_holidays(json: String) -> Result<u64, AppError> {
    use crate::domain::calendar::parse_gov_uk_bank_holidays;
    use crate::server::*;
    use crate::FieldError;
    respond("load_bank_holidays", async move {
        let admin = administrator().await?;
        if json.len() > 1_000_000 {
            return Err(AppError::Invalid(vec![FieldError::new(
                "json",
                "The file must be smaller than 1 MB",
            )]));
        }
        let dates = parse_gov_uk_bank_holidays(&json)
            .map_err(|e| AppError::Invalid(vec![FieldError::new("json", e.to_string())]))?;
        add_days(
            admin,
            dates
                .into_iter()
                .map(|d| (d, "Bank holiday (gov.uk)".to_string()))
                .collect(),
            "bank_holiday",
        )
        .await
    })
    .await
}

//! What several features need of an audit on the server: opening it under need-to-know,
//! its form and template, and the live event everyone who follows it hears.

use super::{failed, LiveEvent};
use crate::domain::audit::{audit_access, AuditDraft, AuditRole, AuditState, TemplateDomain};
use crate::domain::Actor;
use crate::store::{AuditRow, Store};
use crate::AppError;

/// The audit and why this person may open it; refusals are logged with IDs only.
pub async fn open_audit(
    store: &Store,
    actor: &Actor,
    audit_id: i64,
) -> Result<(AuditRow, AuditRole), AppError> {
    super::trail::touch(crate::domain::trail::Record::Audit(audit_id));
    let row = store
        .audit(audit_id)
        .await
        .map_err(failed("read an audit"))?
        .ok_or(AppError::NotFound)?;
    match audit_access(actor, &row.parties(), row.state) {
        Some(role) => Ok((row, role)),
        None => {
            tracing::warn!(
                audit_id,
                person_id = actor.person_id,
                "audit refused: no need to know"
            );
            Err(AppError::Forbidden)
        }
    }
}

/// Everyone who follows this audit (its auditor, key worker, Team and Service Managers
/// and the programme, so dashboards and lists update) hears that it moved. IDs only.
pub async fn audit_moved(
    store: &Store,
    row: &AuditRow,
    state: AuditState,
) -> Result<LiveEvent, AppError> {
    let mut people: Vec<i64> = [
        Some(row.auditor_id),
        row.key_worker_id,
        row.team_manager_id,
        row.service_manager_id,
    ]
    .into_iter()
    .flatten()
    .collect();
    people.extend(
        store
            .programme_people()
            .await
            .map_err(failed("read the programme's people"))?,
    );
    people.sort_unstable();
    people.dedup();
    let data = serde_json::json!({ "audit_id": row.id, "state": state.code() }).to_string();
    Ok(LiveEvent {
        people,
        kind: "audit",
        data,
    })
}

/// The template's domains the audit was made with.
pub fn audit_domains(row: &AuditRow) -> Result<Vec<TemplateDomain>, AppError> {
    serde_json::from_str(&row.domains).map_err(super::internal)
}

/// The form as last saved.
pub fn saved_form(row: &AuditRow) -> AuditDraft {
    serde_json::from_str(&row.draft).unwrap_or_default()
}

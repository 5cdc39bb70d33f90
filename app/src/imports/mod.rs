//! Annex A imports: upload a workbook or one list, see every problem, map unknown teams and
//! workers, then apply the whole upload in one transaction (or nothing).

pub(crate) mod page;
#[cfg(feature = "ssr")]
use crate::server::upload as read;

pub use page::{ImportPage, ImportsPage};

use crate::domain::annex_import::Problem;
use crate::domain::pool_update::{PlanSummary, Unresolved};
use crate::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportListing {
    pub id: i64,
    pub what: String,
    pub file_name: String,
    pub status: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

/// A person the mapping form offers for an unknown worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonOption {
    pub id: i64,
    pub name: String,
    pub team: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub listing: ImportListing,
    pub applied_at: Option<DateTime<Utc>>,
    /// Why the file was rejected (nothing was applied).
    pub problems: Vec<Problem>,
    /// Names to map before a staged upload can be applied.
    pub unresolved: Unresolved,
    /// What applying will do (staged) or did (applied).
    pub summary: Option<PlanSummary>,
    /// Rows imported with a caution (staged): cases with no key worker, never drawn.
    pub warnings: Vec<Problem>,
    pub teams: Vec<(i64, String)>,
    pub people: Vec<PersonOption>,
}

impl ImportView {
    pub fn can_apply(&self) -> bool {
        self.listing.status == "staged" && self.unresolved.is_empty()
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::domain::annex_import::AnnexUpload;
    use crate::domain::pool_update::{plan, Plan};
    use crate::domain::{Actor, AnnexList, Role};
    use crate::server::failed;
    use crate::store::{ImportRow, Store};

    pub fn require_qa_manager(actor: &Actor) -> Result<(), AppError> {
        if actor.roles.has(Role::QaManager) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn listing(row: &ImportRow) -> ImportListing {
        let what = match (
            row.kind.as_str(),
            row.annex_list.and_then(AnnexList::from_number),
        ) {
            ("annex_a", Some(list)) => format!("Annex A {} (CSV)", list.title()),
            ("annex_a", None) => "Annex A workbook".to_string(),
            ("directory_teams", _) => "Staff directory: teams".to_string(),
            ("directory_leads", _) => "Staff directory: lead practitioners".to_string(),
            _ => "Staff directory: IROs / CP Chairs".to_string(),
        };
        ImportListing {
            id: row.id,
            what,
            file_name: row.file_name.clone(),
            status: row.status.clone(),
            uploaded_by: row.uploaded_by.clone(),
            uploaded_at: row.uploaded_at,
        }
    }

    /// Plans a staged upload against the pool and directory as they are now.
    pub async fn plan_staged(
        store: &Store,
        row: &ImportRow,
    ) -> Result<(AnnexUpload, Result<Plan, Unresolved>), AppError> {
        let upload: AnnexUpload =
            serde_json::from_str(&row.payload).map_err(failed("plan staged"))?;
        let directory = store.directory().await.map_err(failed("plan staged"))?;
        let ids: Vec<&str> = upload
            .cases
            .iter()
            .map(|c| c.child_unique_id.as_str())
            .collect();
        let existing = store
            .pool_snapshot(&upload.lists, &ids)
            .await
            .map_err(failed("plan staged"))?;
        let planned = plan(&upload, &directory, &existing);
        Ok((upload, planned))
    }

    pub async fn staged(store: &Store, import_id: i64) -> Result<ImportRow, AppError> {
        let row = store
            .import(import_id)
            .await
            .map_err(failed("staged"))?
            .ok_or(AppError::NotFound)?;
        if row.kind != "annex_a" || row.status != "staged" {
            return Err(AppError::Invalid(vec![crate::FieldError::new(
                "apply",
                "This upload has already been applied or discarded",
            )]));
        }
        Ok(row)
    }
}

/// Receives an Annex A upload (a plain multipart form: `list` is `all` for a workbook or a
/// list number for a CSV, and `file`), checks all of it and stages it, or keeps it as
/// rejected with every problem. Either way the browser goes to the upload's page.
#[server(input = MultipartFormData, endpoint = "upload_annex_a", output = crate::codec::Compact)]
pub async fn upload_annex_a(data: MultipartData) -> Result<i64, AppError> {
    use crate::domain::annex_import::{read_single_list, read_workbook};
    use crate::domain::AnnexList;
    use crate::server::*;
    respond("upload_annex_a", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_qa_manager(&actor)?;
        let read::Received {
            fields,
            file_name,
            bytes,
            too_large,
        } = read::receive(data, "file").await?;
        let list_field = fields.get("list").cloned().unwrap_or_else(|| "all".into());
        let list = match list_field.trim() {
            "all" | "" => None,
            n => Some(
                n.parse::<i64>()
                    .ok()
                    .and_then(AnnexList::from_number)
                    .ok_or_else(|| {
                        AppError::Invalid(vec![crate::FieldError::new(
                            "list",
                            "Choose which list the CSV file holds",
                        )])
                    })?,
            ),
        };
        let today = crate::server::clock::today();
        let checked = if too_large {
            Err(vec![read::too_large()])
        } else {
            read::read_sheets(&file_name, &bytes)
                .await
                .map_err(|p| vec![p])
                .and_then(|sheets| match (list, sheets.first()) {
                    (None, _) => read_workbook(&sheets, today),
                    (Some(list), Some(sheet)) => read_single_list(list, sheet, today),
                    (Some(_), None) => Err(vec![Problem::file("The file has no sheets")]),
                })
        };
        let (status, payload) = match &checked {
            Ok(upload) => (
                "staged",
                serde_json::to_string(upload).map_err(failed("upload annex a"))?,
            ),
            Err(problems) => (
                "rejected",
                serde_json::to_string(problems).map_err(failed("upload annex a"))?,
            ),
        };
        let id = store
            .create_import(
                "annex_a",
                &file_name,
                list.map(|l| i64::from(l.number())),
                status,
                &payload,
                actor.person_id,
                crate::server::clock::now(),
            )
            .await
            .map_err(failed("upload annex a"))?;
        tracing::info!(
            import_id = id,
            person_id = actor.person_id,
            status,
            bytes = bytes.len(),
            "Annex A uploaded"
        );
        leptos_axum::redirect(&format!("/imports/{id}"));
        Ok(id)
    })
    .await
}

/// Open cases with no lead practitioner, and how many of those have no team either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadGaps {
    pub without_lead_practitioner: i64,
    pub without_team: i64,
}

/// How many open cases still have no lead practitioner (they are never drawn).
#[server(endpoint = "lead_practitioner_gaps", output = crate::codec::Compact)]
pub async fn lead_practitioner_gaps() -> Result<LeadGaps, AppError> {
    use crate::server::*;
    respond("lead_practitioner_gaps", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_qa_manager(&actor)?;
        let (without_lead_practitioner, without_team) = store
            .cases_without_lead_practitioner()
            .await
            .map_err(failed("count cases without a lead practitioner"))?;
        Ok(LeadGaps {
            without_lead_practitioner,
            without_team,
        })
    })
    .await
}

#[server(endpoint = "list_imports", output = crate::codec::Compact)]
pub async fn list_imports() -> Result<Vec<ImportListing>, AppError> {
    use crate::server::*;
    respond("list_imports", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_qa_manager(&actor)?;
        Ok(store
            .imports(50)
            .await
            .map_err(failed("list imports"))?
            .iter()
            .map(ssr::listing)
            .collect())
    })
    .await
}

#[server(endpoint = "import_detail", output = crate::codec::Compact)]
pub async fn import_detail(import_id: i64) -> Result<ImportView, AppError> {
    use crate::server::*;
    respond("import_detail", async move {
        trail::touch(crate::domain::trail::Record::Import(import_id));
        let (store, actor) = signed_in().await?;
        let row = store
            .import(import_id)
            .await
            .map_err(failed("import detail"))?;
        // The Administrator keeps the staff directory, so sees its uploads; Annex A is the
        // QA Manager's alone.
        let directory_upload = row.as_ref().is_some_and(|r| r.kind == "directory_teams");
        if !(directory_upload && actor.roles.has(crate::domain::Role::Administrator)) {
            ssr::require_qa_manager(&actor)?;
        }
        let row = row.ok_or(AppError::NotFound)?;
        let mut view = ImportView {
            listing: ssr::listing(&row),
            applied_at: row.applied_at,
            problems: Vec::new(),
            unresolved: Unresolved::default(),
            summary: None,
            warnings: Vec::new(),
            teams: Vec::new(),
            people: Vec::new(),
        };
        match row.status.as_str() {
            "rejected" => {
                view.problems =
                    serde_json::from_str(&row.payload).map_err(failed("import detail"))?
            }
            "staged" if row.kind == "annex_a" => {
                let (upload, planned) = ssr::plan_staged(&store, &row).await?;
                view.warnings = upload.unallocated_warnings();
                match planned {
                    Ok(plan) => view.summary = Some(plan.summary(upload.cases.len())),
                    Err(unresolved) => {
                        view.unresolved = unresolved;
                        view.teams = store.teams().await.map_err(failed("import detail"))?;
                        view.people = store
                            .people_options()
                            .await
                            .map_err(failed("import detail"))?
                            .into_iter()
                            .map(|(id, name, team)| PersonOption { id, name, team })
                            .collect();
                    }
                }
            }
            _ => {
                view.summary = row
                    .summary
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(failed("import detail"))?;
            }
        }
        Ok(view)
    })
    .await
}

/// Says what a name in the file means: an existing team or person (`target_id`), or a new
/// team (`create` = "team"), or a new key worker (`create` = "worker", with `email` and
/// `team_id`). Remembered for later imports.
#[server(endpoint = "map_import_name", output = crate::codec::Compact)]
pub async fn map_import_name(
    import_id: i64,
    kind: String,
    name: String,
    target_id: Option<String>,
    create: Option<String>,
    email: Option<String>,
    team_id: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::annex_import::header_key;
    use crate::domain::EmailAddress;
    use crate::server::*;
    use crate::store::NewWorker;
    use crate::FieldError;
    respond("map_import_name", async move {
        trail::touch(crate::domain::trail::Record::Import(import_id));
        let (store, actor) = signed_in().await?;
        ssr::require_qa_manager(&actor)?;
        ssr::staged(&store, import_id).await?;
        let key = header_key(&name);
        let field = format!("{kind}-{key}");
        let invalid = |m: &str| AppError::Invalid(vec![FieldError::new(&field, m)]);
        if key.is_empty() || !matches!(kind.as_str(), "team" | "worker") {
            return Err(invalid("Choose what this name is"));
        }
        let now = crate::server::clock::now();
        let target = match (create.as_deref(), target_id.as_deref().map(str::trim)) {
            (Some("team"), _) if kind == "team" && name.trim().chars().count() > 120 => {
                return Err(invalid("A team's name must be 120 characters or fewer"))
            }
            (Some("team"), _) if kind == "team" => store
                .create_team(name.trim(), now)
                .await
                .map_err(failed("map import name"))?
                .ok_or_else(|| invalid("There is already a team with this name"))?,
            (Some("worker"), _) if kind == "worker" => {
                let email = EmailAddress::parse(email.as_deref().unwrap_or("")).map_err(|_| {
                    AppError::Invalid(vec![FieldError::new(
                        &format!("{field}-email"),
                        "Enter their work email address, like name@council.gov.uk",
                    )])
                })?;
                let teams = store.teams().await.map_err(failed("map import name"))?;
                let team_id = team_id
                    .as_deref()
                    .and_then(|t| t.trim().parse::<i64>().ok())
                    .filter(|t| teams.iter().any(|(id, _)| id == t))
                    .ok_or_else(|| {
                        AppError::Invalid(vec![FieldError::new(
                            &format!("{field}-team"),
                            "Choose their team",
                        )])
                    })?;
                store
                    .create_worker(
                        NewWorker {
                            name: name.trim(),
                            email: email.as_str(),
                            team_id,
                            added_by: actor.person_id,
                        },
                        now,
                    )
                    .await
                    .map_err(failed("map import name"))?
                    .ok_or_else(|| {
                        AppError::Invalid(vec![FieldError::new(
                            &format!("{field}-email"),
                            "Someone already has this email address",
                        )])
                    })?
            }
            (_, Some(raw)) if !raw.is_empty() => {
                let id = raw
                    .parse::<i64>()
                    .map_err(|_| invalid("Choose from the list"))?;
                let exists = if kind == "team" {
                    store
                        .teams()
                        .await
                        .map_err(failed("map import name"))?
                        .iter()
                        .any(|(t, _)| *t == id)
                } else {
                    store
                        .people_options()
                        .await
                        .map_err(failed("map import name"))?
                        .iter()
                        .any(|(p, _, _)| *p == id)
                };
                if !exists {
                    return Err(invalid("Choose from the list"));
                }
                id
            }
            _ => {
                return Err(invalid(if kind == "team" {
                    "Choose the team this name means"
                } else {
                    "Choose the person this name means"
                }))
            }
        };
        store
            .set_alias(&kind, &key, target)
            .await
            .map_err(failed("map import name"))?;
        tracing::info!(
            import_id,
            person_id = actor.person_id,
            kind,
            target,
            "import name mapped"
        );
        leptos_axum::redirect(&format!("/imports/{import_id}"));
        Ok(())
    })
    .await
}

/// Applies a staged upload: all of it in one transaction, or nothing.
#[server(endpoint = "apply_import", output = crate::codec::Compact)]
pub async fn apply_import(import_id: i64) -> Result<PlanSummary, AppError> {
    use crate::server::*;
    use crate::FieldError;
    respond("apply_import", async move {
        trail::touch(crate::domain::trail::Record::Import(import_id));
        let (store, actor) = signed_in().await?;
        ssr::require_qa_manager(&actor)?;
        let row = ssr::staged(&store, import_id).await?;
        let (upload, planned) = ssr::plan_staged(&store, &row).await?;
        let plan = planned.map_err(|_| {
            AppError::Invalid(vec![FieldError::new(
                "apply",
                "Say what each unknown team and worker is before applying",
            )])
        })?;
        let summary = plan.summary(upload.cases.len());
        let programme = store
            .programme_people()
            .await
            .map_err(failed("read the programme's people"))?;
        let mut told = Notices::new();
        let tell = |handovers: &[crate::store::Handover]| {
            let notices = handover_notices(&programme, handovers);
            told = notices.clone();
            notices
        };
        let applied = store
            .apply_import(
                import_id,
                &plan,
                &serde_json::to_string(&summary).map_err(failed("apply import"))?,
                crate::server::clock::now(),
                tell,
            )
            .await
            .map_err(failed("apply an Annex A upload"))?;
        if !applied {
            return Err(AppError::Invalid(vec![FieldError::new(
                "apply",
                "This upload has already been applied or discarded",
            )]));
        }
        committed(&told);
        if let Some(site) = use_context::<SiteSettings>() {
            site.views.forget_all();
        }
        tracing::info!(
            import_id,
            person_id = actor.person_id,
            handed_over = told.alerts.len() / 2,
            new = summary.new_cases,
            left = summary.left_lists,
            "Annex A applied"
        );
        leptos_axum::redirect(&format!("/imports/{import_id}"));
        Ok(summary)
    })
    .await
}

#[server(endpoint = "discard_import", output = crate::codec::Compact)]
pub async fn discard_import(import_id: i64) -> Result<(), AppError> {
    use crate::server::*;
    respond("discard_import", async move {
        trail::touch(crate::domain::trail::Record::Import(import_id));
        let (store, actor) = signed_in().await?;
        ssr::require_qa_manager(&actor)?;
        ssr::staged(&store, import_id).await?;
        store
            .discard_import(import_id)
            .await
            .map_err(failed("discard import"))?;
        leptos_axum::redirect("/imports");
        Ok(())
    })
    .await
}

//! The completed audit as a document for the child's record in the case-management system:
//! Word and PDF, A4, with the grades as a table, the actions with owners and dates, the
//! feedback and the case note. File names carry the audit number, never a name.

use crate::domain::audit::{AuditDraft, TemplateDomain};
use crate::server::documents::{Block, Cell, Document, Table};
use crate::store::{AuditRow, FeedbackRow, ReviewActionRow};

/// The document, from what the record page shows.
pub fn audit_document(
    row: &AuditRow,
    domains: &[TemplateDomain],
    form: &AuditDraft,
    actions: &[ReviewActionRow],
    feedback: &[FeedbackRow],
) -> Document {
    let date = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(|d| {
            crate::domain::calendar::london_date(d)
                .format("%-d %B %Y")
                .to_string()
        })
        .unwrap_or_default()
    };
    let text = |t: String| Cell::Text(t);
    let mut blocks = vec![Block::Table(Table {
        caption: "The audit".into(),
        header: vec!["".into(), "".into()],
        rows: vec![
            vec![text("Audit number".into()), text(row.id.to_string())],
            vec![
                text("Child Unique ID".into()),
                text(row.child_unique_id.clone()),
            ],
            vec![text("Team".into()), text(row.team.clone())],
            vec![text("Round".into()), text(row.month_label())],
            vec![text("Auditor".into()), text(row.auditor.clone())],
            vec![
                text("Key worker".into()),
                text(row.key_worker.clone().unwrap_or_default()),
            ],
            vec![text("Completed".into()), text(date(row.completed_at))],
            vec![
                text("Case-management reference".into()),
                text(row.cms_reference.clone().unwrap_or_default()),
            ],
        ],
    })];
    let mut grades: Vec<Vec<Cell>> = domains
        .iter()
        .map(|d| {
            let grade = form
                .domains
                .get(&d.key)
                .and_then(|e| e.grade)
                .map(|g| g.label().to_string())
                .unwrap_or_else(|| "Not graded".into());
            vec![text(d.title.clone()), text(grade)]
        })
        .collect();
    grades.push(vec![
        text("Overall".into()),
        text(
            form.overall
                .map(|g| g.label().to_string())
                .unwrap_or_else(|| "Not graded".into()),
        ),
    ]);
    blocks.push(Block::Heading {
        level: 1,
        text: "Grades".into(),
    });
    blocks.push(Block::Table(Table {
        caption: "Grades on Ofsted's four-point scale".into(),
        header: vec!["Domain".into(), "Grade".into()],
        rows: grades,
    }));
    blocks.push(Block::Heading {
        level: 1,
        text: "Findings".into(),
    });
    for d in domains {
        let narrative = form
            .domains
            .get(&d.key)
            .map(|e| e.narrative.trim().to_string())
            .unwrap_or_default();
        if !narrative.is_empty() {
            blocks.push(Block::Heading {
                level: 2,
                text: d.title.clone(),
            });
            blocks.push(Block::Paragraph(narrative));
        }
    }
    for (title, body) in [
        ("Key strengths", form.strengths.trim()),
        ("Areas for development", form.development.trim()),
    ] {
        if !body.is_empty() {
            blocks.push(Block::Heading {
                level: 2,
                text: title.into(),
            });
            blocks.push(Block::Paragraph(body.to_string()));
        }
    }
    blocks.push(Block::Heading {
        level: 1,
        text: "Required actions".into(),
    });
    if actions.is_empty() {
        blocks.push(Block::Paragraph("No required actions.".into()));
    } else {
        blocks.push(Block::Table(Table {
            caption: "Required actions".into(),
            header: ["Action", "Owner", "Due", "Status"]
                .map(String::from)
                .to_vec(),
            rows: actions
                .iter()
                .map(|a| {
                    vec![
                        text(a.action.clone()),
                        text(a.owner.clone()),
                        text(a.due_on.format("%-d %B %Y").to_string()),
                        text(
                            match a.status {
                                crate::domain::action_review::ActionProgress::Done => "Done",
                                crate::domain::action_review::ActionProgress::Open => "Open",
                            }
                            .into(),
                        ),
                    ]
                })
                .collect(),
        }));
    }
    if !feedback.is_empty() {
        blocks.push(Block::Heading {
            level: 1,
            text: "Feedback".into(),
        });
        blocks.push(Block::Table(Table {
            caption: "Feedback from the child, family, carers and IRO".into(),
            header: ["From", "How", "Given", "What was said"]
                .map(String::from)
                .to_vec(),
            rows: feedback
                .iter()
                .map(|f| {
                    let label = |list: &[(&str, &str)], code: &str| {
                        list.iter()
                            .find(|(c, _)| *c == code)
                            .map(|(_, l)| l.to_string())
                            .unwrap_or_else(|| code.to_string())
                    };
                    vec![
                        text(label(&super::FEEDBACK_FROM, &f.from_whom)),
                        text(label(&super::FEEDBACK_HOW, &f.how)),
                        text(f.given_on.format("%-d %B %Y").to_string()),
                        text(f.said.clone()),
                    ]
                })
                .collect(),
        }));
    }
    if let Some(note) = &row.case_note {
        blocks.push(Block::Heading {
            level: 1,
            text: "Case note".into(),
        });
        blocks.push(Block::Paragraph(note.trim().to_string()));
    }
    Document {
        title: format!("Case audit {}", row.id),
        subtitle: Some(format!(
            "{} round, {}",
            row.month_label(),
            row.state.label()
        )),
        blocks,
    }
}

/// Which format a download is in.
#[derive(Debug, Clone, Copy)]
pub enum Format {
    Word,
    Pdf,
}

/// The completed audit for the child's record, need-to-know checked and logged.
pub async fn download(
    store: crate::store::Store,
    rules: crate::domain::session::SessionRules,
    audit_id: i64,
    headers: axum::http::HeaderMap,
    format: Format,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let status = |e: crate::AppError| {
        StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    };
    let actor = match crate::server::person_from_headers(&store, rules, &headers).await {
        Ok(Some(person)) => person.actor,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => return status(e).into_response(),
    };
    let opened = crate::server::open_audit(&store, &actor, audit_id)
        .await
        .and_then(|(row, role)| {
            if role.reads_form() {
                Ok(row)
            } else {
                Err(crate::AppError::Forbidden)
            }
        });
    let row = match opened {
        Ok(row) => row,
        // The server's download log keeps the refusal, with IDs only.
        Err(e) => return status(e).into_response(),
    };
    if !row.state.locked() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let loaded = async {
        let actions = store.review_actions(audit_id).await?;
        let feedback = store.feedback(audit_id).await?;
        Ok::<_, crate::store::StoreError>((actions, feedback))
    }
    .await;
    let Ok((actions, feedback)) = loaded else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Ok(domains) = crate::server::audit_domains(&row) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let form = crate::server::saved_form(&row);
    let doc = audit_document(&row, &domains, &form, &actions, &feedback);
    let (bytes, content_type, extension) = match format {
        Format::Word => match crate::server::documents::docx::render(&doc) {
            Ok(bytes) => (
                bytes,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "docx",
            ),
            Err(error) => {
                tracing::error!(%error, audit_id, "audit docx failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
        Format::Pdf => (
            crate::server::documents::pdf::render(&doc),
            "application/pdf",
            "pdf",
        ),
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"case-audit-{audit_id}.{extension}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

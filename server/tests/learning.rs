//! Learning from audits through the server functions: themes tagged beside locked audits,
//! the summary report's figures against SQL counts, its pre-filled sections, disclosure
//! check, finalising and outputs; feedback sessions; the newsletter; the filed audit as a
//! document; and the Practice Improvement Team's aggregate-only access.

use crate::common::journey::*;
use crate::common::moderation::*;
use crate::common::*;
use axum::http::StatusCode;
use std::io::Read;

const PIT: &str = "pit.1@anytown.example";

fn body(reply: &Reply) -> serde_json::Value {
    ok(reply);
    reply.json()
}

/// The text of a Word document's body.
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a .docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

async fn add_theme(app: &TestApp, token: &str, name: &str, domain: &str) -> i64 {
    body(
        &app.call(
            "add_theme",
            &[("name", name), ("description", ""), ("domain", domain)],
            Some(token),
        )
        .await,
    )
    .as_i64()
    .unwrap()
}

/// Two rounds: June 2026 (two audits, completed after its due date) and January 2027
/// (three, completed before it).
async fn two_rounds(app: &TestApp) -> (Vec<i64>, Vec<i64>) {
    let (_, june) = completed_round(app, "2026-06", AUDITOR, &["good", "inadequate"]).await;
    let (_, january) = completed_round(
        app,
        "2027-01",
        AUDITOR,
        &["good", "outstanding", "requires_improvement"],
    )
    .await;
    (june, january)
}

async fn start_report(app: &TestApp, qa: &str, first: &str, last: &str) -> i64 {
    body(
        &app.call(
            "start_report",
            &[("first", first), ("last", last)],
            Some(qa),
        )
        .await,
    )
    .as_i64()
    .unwrap()
}

/// A key worker with no part in any audit.
async fn outsider(app: &TestApp) -> String {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT p.email FROM people p JOIN person_roles r ON r.person_id = p.id \
         WHERE r.role = 'key_worker' AND p.id NOT IN (SELECT key_worker_id FROM round_cases WHERE key_worker_id IS NOT NULL) \
         AND p.id NOT IN (SELECT person_id FROM person_roles WHERE role <> 'key_worker') ORDER BY p.id LIMIT 1",
    )
    .fetch_one(pool)
    .await)
    .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await)
    .unwrap()
}

#[tokio::test]
async fn report_figures_equal_counts_made_directly_with_sql() {
    let app = TestApp::new().await;
    two_rounds(&app).await;
    let qa = app.sign_in(QA).await;
    let id = start_report(&app, &qa, "2027-01", "").await;
    let v = body(
        &app.call("report_detail", &[("id", &id.to_string())], Some(&qa))
            .await,
    );
    assert_eq!(v["period"], "January 2027");
    let completion = &v["figures"]["tables"][0]["rows"][0];
    let selected = count(
        &app,
        "SELECT COUNT(*) FROM round_cases rc JOIN rounds r ON r.id = rc.round_id \
         WHERE r.audit_month = '2027-01' AND rc.withdrawn_at IS NULL",
    )
    .await;
    let on_time = count(
        &app,
        "SELECT COUNT(*) FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id \
         JOIN rounds r ON r.id = rc.round_id WHERE r.audit_month = '2027-01' \
         AND date(a.completed_at) <= r.due_on",
    )
    .await;
    assert_eq!(completion[1]["Count"], selected);
    assert_eq!(completion[2]["Count"], on_time);
    assert_eq!(
        on_time, 3,
        "January's audits were completed before the due date"
    );
    // Overall grades this period, in the scale's order.
    let overall = &v["figures"]["tables"][1];
    let period_row = overall["rows"].as_array().unwrap().last().unwrap();
    for (i, grade) in ["outstanding", "good", "requires_improvement", "inadequate"]
        .iter()
        .enumerate()
    {
        let n = count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id \
                 JOIN rounds r ON r.id = rc.round_id WHERE r.audit_month = '2027-01' \
                 AND a.overall_grade = '{grade}'"
            ),
        )
        .await;
        assert_eq!(period_row[i + 1]["Count"], n, "{grade}");
    }
    // The previous round is there for the change: June, with one of two good or better.
    assert_eq!(overall["rows"][0][0]["Text"], "June 2026");
    assert_eq!(overall["rows"][0][5]["Share"], 0.5);
    let voice = &v["figures"]["tables"][2]["rows"][0];
    let points = voice[7]["Points"].as_f64().unwrap();
    assert!((points - (2.0 / 3.0 - 0.5)).abs() < 1e-9, "{voice}");
    // June's audits were completed after its due date: late, so overdue.
    let june = start_report(&app, &qa, "2026-06", "").await;
    let v = body(
        &app.call("report_detail", &[("id", &june.to_string())], Some(&qa))
            .await,
    );
    let row = &v["figures"]["tables"][0]["rows"][0];
    assert_eq!(row[2]["Count"], 0);
    assert_eq!(row[3]["Count"], 2);
    assert_eq!(v["figures"]["headline"]["overdue"], 2);
    // A range totals its rounds.
    let range = start_report(&app, &qa, "2026-06", "2027-01").await;
    let v = body(
        &app.call("report_detail", &[("id", &range.to_string())], Some(&qa))
            .await,
    );
    assert_eq!(v["period"], "June 2026 to January 2027");
    let total = v["figures"]["tables"][0]["rows"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(total[0]["Text"], "All rounds");
    assert_eq!(total[1]["Count"], selected + 2);
}

#[tokio::test]
async fn sections_are_prefilled_by_theme_quoting_audit_numbers_and_never_a_child_or_name() {
    let app = TestApp::new().await;
    let (_, january) = two_rounds(&app).await;
    let qa = app.sign_in(QA).await;
    let voice = add_theme(&app, &qa, "Voice of the child", "voice").await;
    let oversight = add_theme(&app, &qa, "Management oversight", "oversight").await;
    // Strengths of the first two audits, the first's required action.
    for audit in &january[..2] {
        ok(&app
            .call(
                "tag_audit",
                &[
                    ("audit_id", &audit.to_string()),
                    (&format!("tag[strengths:{audit}:{voice}]"), "on"),
                ],
                Some(&qa),
            )
            .await);
    }
    let findings = body(
        &app.call(
            "audit_findings",
            &[("audit_id", &january[0].to_string())],
            Some(&qa),
        )
        .await,
    );
    let action = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["finding"] == "action")
        .expect("the audit's required action")["item_id"]
        .as_i64()
        .unwrap();
    ok(&app
        .call(
            "tag_audit",
            &[
                ("audit_id", &january[0].to_string()),
                (&format!("tag[strengths:{}:{voice}]", january[0]), "on"),
                (&format!("tag[action:{action}:{oversight}]"), "on"),
            ],
            Some(&qa),
        )
        .await);
    // Tags sit beside the audit: its form and version never change.
    let (version, draft): (i64, String) = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT version, draft FROM audits WHERE id = $1"
    )
    .bind(january[0])
    .fetch_one(pool)
    .await)
    .unwrap();
    let id = start_report(&app, &qa, "2027-01", "").await;
    let v = body(
        &app.call("report_detail", &[("id", &id.to_string())], Some(&qa))
            .await,
    );
    let s = &v["sections"];
    let (a, b, c) = (
        january[0].min(january[1]),
        january[0].max(january[1]),
        january[2],
    );
    assert!(
        s["key_strengths"].as_str().unwrap().contains(&format!(
            "- Voice of the child: 2 audits (audits {a} and {b})"
        )),
        "{}",
        s["key_strengths"]
    );
    assert!(s["key_strengths"]
        .as_str()
        .unwrap()
        .contains(&format!("Not yet tagged with a theme: audit {c}.")));
    assert!(s["recommendations"].as_str().unwrap().contains(&format!(
        "- Management oversight: 1 action in 1 audit (audit {})",
        january[0]
    )));
    assert!(s["main_findings"]
        .as_str()
        .unwrap()
        .contains("3 cases selected for audit; 3 completed by the due date (100%)."));
    let all = [
        s["main_findings"].as_str().unwrap(),
        s["key_strengths"].as_str().unwrap(),
        s["improvement"].as_str().unwrap(),
        s["recommendations"].as_str().unwrap(),
    ]
    .join("\n");
    let ids: Vec<String> = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT child_unique_id FROM cases"
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    let names: Vec<String> = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT display_name FROM people"
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    for id in ids {
        assert!(!all.contains(&id), "Child Unique ID {id} in {all}");
    }
    for name in names {
        assert!(!all.contains(&name), "{name} in {all}");
    }
    assert_eq!(v["flags"].as_array().unwrap().len(), 0, "{}", v["flags"]);
    let after: (i64, String) = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT version, draft FROM audits WHERE id = $1"
    )
    .bind(january[0])
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(after, (version, draft));
    // The theme's frequency per round.
    let themes = body(&app.call("themes_overview", &[], Some(&qa)).await);
    let listed = themes["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == voice)
        .unwrap()
        .clone();
    assert_eq!(listed["audits"], 2);
    assert_eq!(listed["trend"], "Too few rounds to say");
}

async fn save_sections(app: &TestApp, token: &str, id: i64, version: i64, main: &str) -> Reply {
    app.call(
        "save_report",
        &[
            ("id", &id.to_string()),
            ("version", &version.to_string()),
            ("main_findings", main),
            ("key_strengths", "Strong voice of the child."),
            ("improvement", "Chronologies."),
            ("recommendations", "Chronology workshops for every team."),
        ],
        Some(token),
    )
    .await
}

#[tokio::test]
async fn the_disclosure_check_blocks_finalising_and_a_final_report_never_changes() {
    let app = TestApp::new().await;
    let (_, january) = two_rounds(&app).await;
    let qa = app.sign_in(QA).await;
    let id = start_report(&app, &qa, "2027-01", "").await;
    let child: String = app::on_pool!(app.store, |pool| {
        sqlx::query_scalar(
        "SELECT c.child_unique_id FROM audits a JOIN cases c ON c.id = a.case_id WHERE a.id = $1",
    )
    .bind(january[0])
    .fetch_one(pool)
    .await
    })
    .unwrap();
    let auditor: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT display_name FROM people WHERE email = $1"
    )
    .bind(AUDITOR)
    .fetch_one(pool)
    .await)
    .unwrap();
    let risky = format!("Case {child} was audited by {auditor}, born 03/04/2015.");
    ok(&save_sections(&app, &qa, id, 1, &risky).await);
    let v = body(
        &app.call("report_detail", &[("id", &id.to_string())], Some(&qa))
            .await,
    );
    assert_eq!(v["outstanding"], 3, "{}", v["flags"]);
    let refused = app
        .call(
            "finalise_report",
            &[("id", &id.to_string()), ("version", "2")],
            Some(&qa),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let flags = v["flags"].as_array().unwrap();
    let key_of = |kind: &str| {
        flags
            .iter()
            .find(|f| f["kind"].as_str().unwrap().contains(kind))
            .unwrap_or_else(|| panic!("a {kind} flag in {flags:?}"))["key"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // A Child Unique ID can never be cleared; it must be edited out.
    let r = app
        .call(
            "clear_report_flag",
            &[
                ("id", &id.to_string()),
                ("key", &key_of("Child")),
                ("reason", "fine"),
            ],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let safer = format!("One case was audited by {auditor}, born 03/04/2015.");
    ok(&save_sections(&app, &qa, id, 2, &safer).await);
    let v = body(
        &app.call("report_detail", &[("id", &id.to_string())], Some(&qa))
            .await,
    );
    assert_eq!(v["outstanding"], 2);
    for kind in ["name", "date"] {
        let flags = v["flags"].as_array().unwrap();
        let key = flags
            .iter()
            .find(|f| f["kind"].as_str().unwrap().to_lowercase().contains(kind))
            .unwrap_or_else(|| panic!("a {kind} flag in {flags:?}"))["key"]
            .as_str()
            .unwrap()
            .to_string();
        ok(&app
            .call(
                "clear_report_flag",
                &[
                    ("id", &id.to_string()),
                    ("key", &key),
                    ("reason", "Agreed with the QA Manager"),
                ],
                Some(&qa),
            )
            .await);
    }
    // Only the QA Manager finalises; the PSW comments.
    let psw = app.sign_in(PSW).await;
    ok(&app
        .call(
            "comment_on_report",
            &[("id", &id.to_string()), ("comment", "Add the trend.")],
            Some(&psw),
        )
        .await);
    let r = app
        .call(
            "finalise_report",
            &[("id", &id.to_string()), ("version", "3")],
            Some(&psw),
        )
        .await;
    assert_refused!(r.status);
    ok(&app
        .call(
            "finalise_report",
            &[("id", &id.to_string()), ("version", "3")],
            Some(&qa),
        )
        .await);
    // Final: nothing changes, comments close, every version is kept.
    let r = save_sections(&app, &qa, id, 3, "Changed after finalising").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .call(
            "comment_on_report",
            &[("id", &id.to_string()), ("comment", "Late")],
            Some(&psw),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = body(
        &app.call("report_detail", &[("id", &id.to_string())], Some(&qa))
            .await,
    );
    assert_eq!(v["sections"]["main_findings"], safer);
    assert_eq!(v["versions"].as_array().unwrap().len(), 3);
    assert_eq!(v["comments"][0]["body"], "Add the trend.");
    assert!(v["finalised"]
        .as_str()
        .unwrap()
        .starts_with("Finalised on "));
    let frozen: Option<String> = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT figures FROM reports WHERE id = $1"
    )
    .bind(id)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert!(
        frozen.is_some(),
        "the figures are kept with the final report"
    );
    let today = chrono::Utc::now().date_naive().to_string();
    ok(&app
        .call(
            "report_presented",
            &[("id", &id.to_string()), ("presented_on", &today)],
            Some(&qa),
        )
        .await);
    let v = body(
        &app.call("report_detail", &[("id", &id.to_string())], Some(&qa))
            .await,
    );
    assert_eq!(v["presented_on"], today);
    let r = app
        .call(
            "report_presented",
            &[("id", &id.to_string()), ("presented_on", &today)],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "recorded once");
}

#[tokio::test]
async fn the_report_downloads_as_word_and_its_figures_as_excel() {
    use calamine::{Data, Reader, Xlsx};
    let app = TestApp::new().await;
    two_rounds(&app).await;
    let qa = app.sign_in(QA).await;
    let id = start_report(&app, &qa, "2027-01", "").await;
    let word = app
        .page(&format!("/reports/{id}/report.docx"), Some(&qa))
        .await;
    assert_eq!(word.status, StatusCode::OK);
    assert!(word.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("audit-summary-report-2027-01-2027-01.docx"));
    let xml = docx_text(&word.bytes);
    for text in [
        "Case audit summary report: January 2027",
        "Main findings",
        "Recommendations",
        "Completion against the due date",
        "Requires improvement to be good",
    ] {
        assert!(xml.contains(text), "{text} in the Word document");
    }
    assert!(xml.contains("<w:drawing>"), "the charts as images");
    let excel = app
        .page(&format!("/reports/{id}/figures.xlsx"), Some(&qa))
        .await;
    assert_eq!(excel.status, StatusCode::OK);
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(excel.bytes.clone())).unwrap();
    let sheet = book
        .worksheet_range("Completion against the due date")
        .expect("a sheet per table");
    let rows: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    let header = rows
        .iter()
        .position(|r| r.first() == Some(&Data::String("Round".into())))
        .expect("the header row");
    let january = &rows[header + 1];
    assert_eq!(january[0], Data::String("January 2027".into()));
    let selected = count(
        &app,
        "SELECT COUNT(*) FROM round_cases rc JOIN rounds r ON r.id = rc.round_id \
         WHERE r.audit_month = '2027-01' AND rc.withdrawn_at IS NULL",
    )
    .await;
    assert_eq!(january[1], Data::Float(selected as f64));
    assert_eq!(
        january[6],
        Data::Float(1.0),
        "the share is a number, not text"
    );
    // Aggregate only for the Practice Improvement Team, but nobody outside learning.
    let pit = app.sign_in(PIT).await;
    assert_eq!(
        app.page(&format!("/reports/{id}/report.docx"), Some(&pit))
            .await
            .status,
        StatusCode::OK
    );
    let kw = app.sign_in(&outsider(&app).await).await;
    assert_refused!(
        app.page(&format!("/reports/{id}/figures.xlsx"), Some(&kw))
            .await
            .status
    );
}

#[tokio::test]
async fn the_practice_improvement_team_reads_learning_but_never_a_case_or_an_audit() {
    let app = TestApp::new().await;
    let (_, january) = two_rounds(&app).await;
    let qa = app.sign_in(QA).await;
    let theme = add_theme(&app, &qa, "Chronologies", "").await;
    let report = start_report(&app, &qa, "2027-01", "").await;
    let pit = app.sign_in(PIT).await;
    ok(&app.call("reports_overview", &[], Some(&pit)).await);
    let v = body(
        &app.call("report_detail", &[("id", &report.to_string())], Some(&pit))
            .await,
    );
    assert_eq!(v["edits"], false);
    assert_eq!(v["comments_allowed"], true);
    assert_eq!(
        v["versions"].as_array().unwrap().len(),
        0,
        "earlier versions may hold what the disclosure check took out"
    );
    ok(&app
        .call(
            "comment_on_report",
            &[("id", &report.to_string()), ("comment", "Looks right.")],
            Some(&pit),
        )
        .await);
    ok(&app.call("themes_overview", &[], Some(&pit)).await);
    ok(&app
        .call("theme_detail", &[("id", &theme.to_string())], Some(&pit))
        .await);
    ok(&app.call("sessions_overview", &[], Some(&pit)).await);
    ok(&app.call("newsletters_overview", &[], Some(&pit)).await);
    let audit = january[0].to_string();
    let case: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT case_id FROM audits WHERE id = $1"
    )
    .bind(january[0])
    .fetch_one(pool)
    .await)
    .unwrap();
    let case = case.to_string();
    for (name, form) in [
        ("audit_detail", vec![("audit_id", audit.as_str())]),
        ("audit_findings", vec![("audit_id", audit.as_str())]),
        ("tag_audit", vec![("audit_id", audit.as_str())]),
        ("open_case", vec![("case_id", case.as_str())]),
        ("audit_moderation", vec![("audit_id", audit.as_str())]),
        ("action_review_detail", vec![("audit_id", audit.as_str())]),
        ("save_report", vec![("id", "1"), ("version", "1")]),
        ("finalise_report", vec![("id", "1"), ("version", "1")]),
        ("add_theme", vec![("name", "Sneaky")]),
    ] {
        let r = app.call(name, &form, Some(&pit)).await;
        assert_refused!(r.status, "{name}: {}", r.body);
    }
    for path in [
        format!("/audits/{audit}/audit.pdf"),
        format!("/audits/{audit}/audit.docx"),
        format!("/audits/{audit}/case-note.txt"),
    ] {
        assert_refused!(app.page(&path, Some(&pit)).await.status, "{path}");
    }
    // Key workers and other practitioners see no learning pages.
    let kw = app.sign_in(&outsider(&app).await).await;
    for name in [
        "reports_overview",
        "themes_overview",
        "newsletters_overview",
    ] {
        assert_refused!(app.call(name, &[], Some(&kw)).await.status, "{name}");
    }
}

#[tokio::test]
async fn themes_are_kept_by_the_qa_team_and_tags_wait_for_a_locked_audit() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let id = add_theme(&app, &qa, "Voice of the child", "voice").await;
    let r = app
        .call(
            "add_theme",
            &[("name", "  voice OF the   child ")],
            Some(&qa),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "same name, other case"
    );
    let r = app
        .call(
            "add_theme",
            &[("name", "Plans"), ("domain", "nonsense")],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    ok(&app
        .call(
            "save_theme",
            &[
                ("id", &id.to_string()),
                ("name", "Child's voice"),
                ("domain", "voice"),
            ],
            Some(&qa),
        )
        .await);
    ok(&app
        .call(
            "retire_theme",
            &[("id", &id.to_string()), ("retire", "true")],
            Some(&qa),
        )
        .await);
    let v = body(&app.call("themes_overview", &[], Some(&qa)).await);
    assert_eq!(v["themes"][0]["name"], "Child's voice");
    assert_eq!(v["themes"][0]["retired"], true);
    // An audit still open cannot be tagged.
    let (audit, _, _) = to_findings_discussed(&app, "2027-02").await;
    let r = app
        .call(
            "audit_findings",
            &[("audit_id", &audit.to_string())],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

#[tokio::test]
async fn a_feedback_session_invites_the_round_and_gathers_attendees_feedback() {
    let app = TestApp::new().await;
    let (round, audits) = assigned_round(&app, "2027-01", AUDITOR, 2).await;
    let qa = app.sign_in(QA).await;
    let r = app
        .call(
            "arrange_session",
            &[
                ("kind", "feedback"),
                ("round_id", &round.to_string()),
                ("title", "January audit feedback"),
                ("starts_at", "2027-02-10T10:00"),
                ("minutes", "90"),
                ("place", "Room 2, Civic Centre"),
            ],
            Some(&qa),
        )
        .await;
    let session = body(&r).as_i64().unwrap();
    let kw_id: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT rc.key_worker_id FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id WHERE a.id = $1",
    )
    .bind(audits[0].0)
    .fetch_one(pool)
    .await)
    .unwrap();
    let kw = audits[0].1.clone();
    let tray = app.tray(&kw).await;
    assert!(
        tray.iter()
            .any(|a| a["link"] == format!("/sessions/{session}")),
        "the key worker is invited in their tray: {tray:?}"
    );
    let invited = count(
        &app,
        &format!("SELECT COUNT(*) FROM session_invitees WHERE session_id = {session}"),
    )
    .await;
    let participants = count(
        &app,
        &format!(
            "SELECT COUNT(*) FROM people WHERE id IN (SELECT a.auditor_id FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id WHERE rc.round_id = {round} \
             UNION SELECT key_worker_id FROM round_cases WHERE round_id = {round} \
             UNION SELECT team_manager_id FROM round_cases WHERE round_id = {round} \
             UNION SELECT service_manager_id FROM round_cases WHERE round_id = {round})"
        ),
    )
    .await;
    assert_eq!(invited, participants);
    // The .ics says London time, the place, and where to find it.
    let ics = app
        .page(&format!("/sessions/{session}/session.ics"), Some(&kw))
        .await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(
        ics.body
            .contains("DTSTART;TZID=Europe/London:20270210T100000"),
        "{}",
        ics.body
    );
    assert!(ics.body.contains("LOCATION:Room 2\\, Civic Centre"));
    assert!(ics
        .body
        .contains(&format!("URL:http://127.0.0.1:3000/sessions/{session}")));
    ok(&app
        .call("accept_session", &[("id", &session.to_string())], Some(&kw))
        .await);
    // No feedback before attendance is recorded.
    let feedback = [
        ("id", session.to_string()),
        ("useful", "4".into()),
        ("discussion", "5".into()),
        ("improve", "More time to prepare".into()),
        ("comments", "".into()),
    ];
    let form: Vec<(&str, &str)> = feedback.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app.call("give_session_feedback", &form, Some(&kw)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    ok(&app
        .call(
            "record_attendance",
            &[
                ("id", &session.to_string()),
                (&format!("attended[{kw_id}]"), "on"),
            ],
            Some(&qa),
        )
        .await);
    let tray = app.tray(&kw).await;
    assert!(tray
        .iter()
        .any(|a| a["link"] == format!("/sessions/{session}/feedback")));
    ok(&app.call("give_session_feedback", &form, Some(&kw)).await);
    let r = app.call("give_session_feedback", &form, Some(&kw)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "once only");
    // The attendee sees their own part, never the others' answers.
    let mine = body(
        &app.call("session_detail", &[("id", &session.to_string())], Some(&kw))
            .await,
    );
    assert_eq!(mine["me"]["feedback"]["useful"], 4);
    assert!(mine["results"].is_null());
    assert_eq!(mine["feedback"].as_array().unwrap().len(), 0);
    assert_eq!(mine["invitees"].as_array().unwrap().len(), 0);
    // Someone not invited is refused.
    let stranger = app.sign_in(PSW).await;
    let pit = app.sign_in(PIT).await;
    let other = app.sign_in(&outsider(&app).await).await;
    assert_refused!(
        app.call(
            "session_detail",
            &[("id", &session.to_string())],
            Some(&other)
        )
        .await
        .status
    );
    // The QA programme and the Practice Improvement Team see the results.
    for token in [&qa, &stranger, &pit] {
        let v = body(
            &app.call(
                "session_detail",
                &[("id", &session.to_string())],
                Some(token),
            )
            .await,
        );
        assert_eq!(v["results"]["responses"], 1);
        assert_eq!(v["results"]["useful"], 4.0);
        assert_eq!(
            v["feedback"][0]["feedback"]["improve"],
            "More time to prepare"
        );
    }
    let v = body(&app.call("sessions_overview", &[], Some(&qa)).await);
    assert_eq!(v["over_time"][0]["results"]["discussion"], 5.0);
    // A past time is refused for a feedback session.
    let r = app
        .call(
            "arrange_session",
            &[
                ("kind", "feedback"),
                ("round_id", &round.to_string()),
                ("title", "Too late"),
                ("starts_at", "2020-01-01T10:00"),
                ("minutes", "60"),
                ("place", "Room 1"),
            ],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_newsletter_summary_is_drafted_checked_and_kept_per_issue() {
    let app = TestApp::new().await;
    two_rounds(&app).await;
    let qa = app.sign_in(QA).await;
    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Duration::days(30)).to_string();
    let to = today.to_string();
    let r = app
        .call(
            "start_newsletter",
            &[
                ("issue", "January 2027"),
                ("period_from", &from),
                ("period_to", &to),
            ],
            Some(&qa),
        )
        .await;
    let id = body(&r).as_i64().unwrap();
    let v = body(
        &app.call("newsletter_detail", &[("id", &id.to_string())], Some(&qa))
            .await,
    );
    let text = v["body"].as_str().unwrap();
    assert!(
        text.contains("we completed 5 case audits, and 3 were graded good or better"),
        "{text}"
    );
    assert!(v["html"].as_str().unwrap().starts_with("<p>Case audits,"));
    let r = app
        .call(
            "start_newsletter",
            &[
                ("issue", "January 2027"),
                ("period_from", &from),
                ("period_to", &to),
            ],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "one per issue");
    let auditor: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT display_name FROM people WHERE email = $1"
    )
    .bind(AUDITOR)
    .fetch_one(pool)
    .await)
    .unwrap();
    ok(&app
        .call(
            "save_newsletter",
            &[
                ("id", &id.to_string()),
                ("version", "1"),
                ("body", &format!("Thanks to {auditor}.")),
            ],
            Some(&qa),
        )
        .await);
    let r = app
        .call(
            "finalise_newsletter",
            &[("id", &id.to_string()), ("version", "2")],
            Some(&qa),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a name is flagged"
    );
    ok(&app
        .call(
            "save_newsletter",
            &[
                ("id", &id.to_string()),
                ("version", "2"),
                ("body", "Thanks to every auditor."),
            ],
            Some(&qa),
        )
        .await);
    ok(&app
        .call(
            "finalise_newsletter",
            &[("id", &id.to_string()), ("version", "3")],
            Some(&qa),
        )
        .await);
    let r = app
        .call(
            "save_newsletter",
            &[
                ("id", &id.to_string()),
                ("version", "3"),
                ("body", "Changed"),
            ],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_completed_audit_downloads_for_the_childs_record_as_word_and_pdf() {
    let app = TestApp::new().await;
    let (_, audits) = completed_round(&app, "2027-01", AUDITOR, &["good"]).await;
    let audit = audits[0];
    let auditor = app.sign_in(AUDITOR).await;
    let logged_before = count(
        &app,
        "SELECT COUNT(*) FROM access_log WHERE action LIKE 'download:audit.%' \
             AND record_kind = 'audit' AND outcome = 'ok'",
    )
    .await;
    let word = app
        .page(&format!("/audits/{audit}/audit.docx"), Some(&auditor))
        .await;
    assert_eq!(word.status, StatusCode::OK);
    assert_eq!(
        word.headers["content-disposition"],
        format!("attachment; filename=\"case-audit-{audit}.docx\"")
    );
    let xml = docx_text(&word.bytes);
    let title = format!("Case audit {audit}");
    for text in [
        title.as_str(),
        "Grades on Ofsted",
        "Voice and lived experience of the child",
        "Update the child protection plan",
        "15 February 2027",
        "Case note",
    ] {
        assert!(xml.contains(text), "{text} in the Word document");
    }
    let pdf = app
        .page(&format!("/audits/{audit}/audit.pdf"), Some(&auditor))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-1.4"));
    assert!(pdf.body.contains("/MediaBox [0 0 595"), "A4");
    assert!(pdf.body.contains(&format!("(Case audit {audit})")));
    let child: String = app::on_pool!(app.store, |pool| {
        sqlx::query_scalar(
        "SELECT c.child_unique_id FROM audits a JOIN cases c ON c.id = a.case_id WHERE a.id = $1",
    )
    .bind(audit)
    .fetch_one(pool)
    .await
    })
    .unwrap();
    assert!(!pdf.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&child));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM access_log WHERE action LIKE 'download:audit.%' \
             AND record_kind = 'audit' AND outcome = 'ok'"
        )
        .await,
        logged_before + 2
    );
    // Need to know: someone with no part in the audit is refused, and that is logged.
    let other = app.sign_in(&outsider(&app).await).await;
    assert_refused!(
        app.page(&format!("/audits/{audit}/audit.pdf"), Some(&other))
            .await
            .status
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM access_log WHERE action = 'download:audit.pdf' \
             AND outcome = 'refused'"
        )
        .await,
        1
    );
}

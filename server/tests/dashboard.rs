//! The dashboard's figures equal the counts computed directly from the database, and each
//! manager sees only their own teams.

use crate::common::*;
use app::domain::dashboard::Panel;
use axum::http::StatusCode;
use std::collections::BTreeMap;

const QA: &str = "qa.manager@anytown.example";
const STATES: [&str; 7] = [
    "selected",
    "assigned",
    "discussion_arranged",
    "in_progress",
    "findings_discussed",
    "completed",
    "filed_to_record",
];

/// January 2027 drawn (four cases from list 6, three from list 8) and confirmed; its ID.
async fn confirmed_round(app: &TestApp, qa: &str) -> String {
    let round = app
        .call("create_round", &[("month", "2027-01")], Some(qa))
        .await
        .json()
        .as_i64()
        .unwrap()
        .to_string();
    app.call(
        "draw_round",
        &[("round_id", &round), ("quota_6", "4"), ("quota_8", "3")],
        Some(qa),
    )
    .await;
    app.call("confirm_round", &[("round_id", &round)], Some(qa))
        .await;
    round
}

#[tokio::test]
async fn dashboard_figures_match_the_database_and_managers_see_their_teams() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let round = confirmed_round(&app, &qa).await;
    let contacts = app
        .store
        .selection_contacts(round.parse().unwrap())
        .await
        .unwrap();
    let auditor = app.person_id("auditor.1@anytown.example").await.to_string();
    let fields: Vec<(String, String)> = contacts
        .iter()
        .take(3)
        .map(|c| (format!("auditor[{}]", c.round_case_id), auditor.clone()))
        .collect();
    let mut form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.push(("round_id", &round));
    assert_eq!(
        app.call("assign_auditors", &form, Some(&qa)).await.status,
        StatusCode::OK
    );

    let view = app.call("dashboard_figures", &[], Some(&qa)).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let view = view.json();
    assert_eq!(view["round_id"].to_string(), round);
    // Direct counts: per team, per state.
    let rows: Vec<(String, String, i64)> = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT t.name, COALESCE(a.state, 'selected'), COUNT(*) FROM round_cases rc JOIN cases c ON c.id = rc.case_id \
         JOIN teams t ON t.id = c.team_id LEFT JOIN audits a ON a.round_case_id = rc.id \
         WHERE rc.round_id = $1 AND rc.withdrawn_at IS NULL GROUP BY t.name, COALESCE(a.state, 'selected')",
    )
    .bind(round.parse::<i64>().unwrap())
    .fetch_all(pool)
    .await)
    .unwrap();
    let mut expected: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (team, state, n) in &rows {
        expected.entry(team.clone()).or_insert_with(|| vec![0; 8])
            [STATES.iter().position(|s| s == state).unwrap()] += n;
    }
    let panels = view["panels"].as_array().unwrap();
    let by_team: BTreeMap<String, Vec<i64>> = panels[1]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["label"].as_str().unwrap().to_string(),
                r["figures"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n.as_i64().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(by_team, expected);
    let total: Vec<i64> = panels[0]["rows"][0]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_i64().unwrap())
        .collect();
    assert_eq!(total[0], 4);
    assert_eq!(total[1], 3);
    assert_eq!(
        panels[2]["rows"].as_array().unwrap().len(),
        2,
        "auditor.1 and not assigned"
    );

    // A Team Manager sees only their teams' rows.
    let team = contacts[0].team_id;
    let tm_email: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT p.email FROM teams t JOIN people p ON p.id = t.team_manager_id WHERE t.id = $1",
    )
    .bind(team)
    .fetch_one(pool)
    .await)
    .unwrap();
    let tm = app.sign_in(&tm_email).await;
    let mine = app.call("dashboard_figures", &[], Some(&tm)).await.json();
    let labels: Vec<&str> = mine["panels"][1]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, vec![contacts[0].team.as_str()]);
    // A key worker sees their own dashboard, and no team's figures or lists.
    let kw = app.sign_in("kw.early-help-north.1@anytown.example").await;
    let own = app.call("dashboard_figures", &[], Some(&kw)).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    let own = own.json();
    assert!(own["scope"].is_null());
    assert!(own["panels"].as_array().unwrap().is_empty());
    let refused = app
        .call(
            "dashboard_list",
            &[("query", &format!("round={round}&list=audits"))],
            Some(&kw),
        )
        .await;
    assert_refused!(refused.status);

    // Every figure, for the programme and for the Team Manager, links to a list of
    // exactly that many, inside the viewer's own teams.
    let round_id: i64 = round.parse().unwrap();
    for (who, session) in [("QA Manager", &qa), ("Team Manager", &tm)] {
        let view = app
            .call("dashboard_figures", &[], Some(session))
            .await
            .json();
        let panels: Vec<Panel> = serde_json::from_value(view["panels"].clone()).unwrap();
        let mut links = 0;
        for panel in &panels {
            for (r, row) in panel.rows.iter().enumerate() {
                for (s, figure) in row.figures.iter().enumerate() {
                    let query = panel.figure_query(round_id, r, s).unwrap().to_query();
                    let list = app
                        .call("dashboard_list", &[("query", &query)], Some(session))
                        .await;
                    assert_eq!(list.status, StatusCode::OK, "{query}: {}", list.body);
                    let list = list.json();
                    let listed = list["audits"].as_array().unwrap().len()
                        + list["actions"].as_array().unwrap().len();
                    assert_eq!(listed, *figure, "{who}: {query}");
                    if who == "Team Manager" {
                        for a in list["audits"].as_array().unwrap() {
                            assert_eq!(a["team"].as_str(), Some(contacts[0].team.as_str()));
                        }
                    }
                    links += 1;
                }
            }
        }
        assert!(links > 20, "{who}: {links} figures checked");
    }
    // The selected cases nobody audits yet, as the QA Manager follows the link.
    let unassigned = app
        .call(
            "dashboard_list",
            &[("query", &format!("round={round}&list=audits&auditor=none"))],
            Some(&qa),
        )
        .await
        .json();
    assert_eq!(unassigned["audits"].as_array().unwrap().len(), 4);
    assert_eq!(
        unassigned["description"].as_str(),
        Some("Audits · Not assigned")
    );
    // Another team's list is empty for this Team Manager, not someone else's cases.
    let other_team = contacts
        .iter()
        .find(|c| c.team_id != team)
        .map(|c| c.team_id);
    if let Some(other) = other_team {
        let theirs = app
            .call(
                "dashboard_list",
                &[("query", &format!("round={round}&list=audits&team={other}"))],
                Some(&tm),
            )
            .await
            .json();
        assert!(theirs["audits"].as_array().unwrap().is_empty());
    }
    for bad in [
        "list=audits",
        "round=abc",
        &format!("round={round}&name=Smith"),
        "round=999",
    ] {
        assert_eq!(
            app.call("dashboard_list", &[("query", bad)], Some(&qa))
                .await
                .status,
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
    let page = app
        .page(
            &format!("/dashboard/list?round={round}&list=audits&state=assigned"),
            Some(&qa),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Audits · Assigned"),
        "rendered on the server"
    );

    // The auditor's own dashboard: their three audits wait on them to propose times.
    let auditor = app.sign_in("auditor.1@anytown.example").await;
    let own = app.call("my_dashboard", &[], Some(&auditor)).await.json();
    let waiting = own["waiting"].as_array().unwrap();
    assert_eq!(waiting.len(), 3);
    assert!(waiting
        .iter()
        .all(|a| a["waiting_on_you"] == "Propose times for the discussion"));
    let personal: Panel = serde_json::from_value(own["personal"].clone()).unwrap();
    assert_eq!(personal.rows[0].label, "As auditor");
    assert_eq!(personal.rows[0].figures[1], 3, "three assigned");
    let page = app.page("/dashboard", Some(&qa)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<svg"),
        "the charts are drawn on the server"
    );
}

#[tokio::test]
async fn at_scale_the_dashboard_counts_every_audit_state_and_grade_the_database_holds() {
    let app = TestApp::new().await;
    let spec = app::store::ScaleSpec {
        cases: 400,
        audits: 720,
        // Six months of alerts, so the oldest are past the 90 days that archive them.
        months: 6,
        alerts: 2_000,
        auditors: 12,
    };
    let today = chrono::Local::now().date_naive();
    let scaled = app.store.seed_scale(&spec, today).await.unwrap();
    let qa = app.sign_in(QA).await;
    let view = app
        .call(
            "dashboard_figures",
            &[("round_id", &scaled.newest_round.to_string())],
            Some(&qa),
        )
        .await
        .json();
    let panels: Vec<Panel> = serde_json::from_value(view["panels"].clone()).unwrap();
    let by_state: Vec<(String, i64)> = app::on_pool!(app.store, |pool| {
        sqlx::query_as(
        "SELECT a.state, COUNT(*) FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id \
         WHERE rc.round_id = $1 GROUP BY a.state",
    )
    .bind(scaled.newest_round)
    .fetch_all(pool)
    .await
    })
    .unwrap();
    assert_eq!(by_state.iter().map(|r| r.1).sum::<i64>(), 120);
    for (state, n) in &by_state {
        let s = STATES.iter().position(|x| x == state).unwrap();
        assert_eq!(panels[0].rows[0].figures[s] as i64, *n, "{state}");
    }
    let graded: Vec<(String, i64)> = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT a.overall_grade, COUNT(*) FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id \
         WHERE rc.round_id = $1 AND a.state IN ('completed', 'filed_to_record') GROUP BY a.overall_grade",
    )
    .bind(scaled.newest_round)
    .fetch_all(pool)
    .await)
    .unwrap();
    let grades = ["outstanding", "good", "requires_improvement", "inadequate"];
    for (grade, n) in &graded {
        let g = grades.iter().position(|x| x == grade).unwrap();
        assert_eq!(panels[3].rows[0].figures[g] as i64, *n, "{grade}");
    }
    assert_eq!(panels[2].rows.len(), 12, "each scaled auditor has audits");
    let count = |table: &'static str| {
        let store = app.store.clone();
        async move {
            app::on_pool!(store, |pool| sqlx::query_scalar::<_, i64>(&format!(
                "SELECT COUNT(*) FROM {table}"
            ))
            .fetch_one(pool)
            .await
            .unwrap())
        }
    };
    let (live, archived) = (count("alerts").await, count("alerts_archive").await);
    assert!(live > 0 && archived > 0, "old alerts arrive archived");
    assert!(live + archived >= 2_000);
}

/// `GET /api/dashboard_figures` as the browser sends it, with the tag it kept.
async fn figures(app: &TestApp, session: &str, kept: Option<&str>) -> Reply {
    let mut request = axum::http::Request::get("/api/dashboard_figures")
        .header(axum::http::header::ACCEPT, "application/json")
        .header(axum::http::header::COOKIE, format!("pa_session={session}"));
    if let Some(tag) = kept {
        request = request.header(axum::http::header::IF_NONE_MATCH, tag);
    }
    app.send(request.body(axum::body::Body::empty()).unwrap())
        .await
}

fn header<'a>(reply: &'a Reply, name: axum::http::header::HeaderName) -> &'a str {
    reply
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_default()
}

#[tokio::test]
async fn unchanged_figures_are_answered_not_modified_and_a_change_sends_them_again() {
    use axum::http::header::{CACHE_CONTROL, ETAG, VARY};
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let round = confirmed_round(&app, &qa).await;

    let first = figures(&app, &qa, None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let tag = header(&first, ETAG).to_string();
    assert!(tag.starts_with("W/\""), "a weak tag: {tag}");
    assert_eq!(header(&first, CACHE_CONTROL), "private, no-cache");
    assert_eq!(header(&first, VARY), "cookie");
    assert_eq!(first.json()["round_id"].to_string(), round);

    let again = figures(&app, &qa, Some(&tag)).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.bytes.is_empty(), "no body with a 304");
    assert_eq!(header(&again, ETAG), tag);
    assert_eq!(header(&again, CACHE_CONTROL), "private, no-cache");
    // Another tag, or none: the figures in full.
    let stale = figures(&app, &qa, Some("W/\"0000\"")).await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(header(&stale, ETAG), tag);

    // A Team Manager's figures are theirs: the QA Manager's tag does not match them.
    let team_manager: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT p.email FROM teams t JOIN people p ON p.id = t.team_manager_id \
         JOIN cases c ON c.team_id = t.id JOIN round_cases rc ON rc.case_id = c.id \
         WHERE rc.round_id = $1 LIMIT 1",
    )
    .bind(round.parse::<i64>().unwrap())
    .fetch_one(pool)
    .await)
    .unwrap();
    let tm = app.sign_in(&team_manager).await;
    let theirs = figures(&app, &tm, Some(&tag)).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_ne!(header(&theirs, ETAG), tag);
    assert_eq!(theirs.json()["scope"], "Your 1 team");

    // Signed out, nothing: not even a 304 for a tag someone kept.
    let nobody = app
        .send(
            axum::http::Request::get("/api/dashboard_figures")
                .header(axum::http::header::ACCEPT, "application/json")
                .header(axum::http::header::IF_NONE_MATCH, &tag)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    assert_eq!(header(&nobody, CACHE_CONTROL), "no-store");

    // Assigning auditors moves the figures on: the kept tag no longer matches.
    let contacts = app
        .store
        .selection_contacts(round.parse().unwrap())
        .await
        .unwrap();
    let auditor = app.person_id("auditor.1@anytown.example").await.to_string();
    let field = format!("auditor[{}]", contacts[0].round_case_id);
    let assigned = app
        .call(
            "assign_auditors",
            &[(field.as_str(), auditor.as_str()), ("round_id", &round)],
            Some(&qa),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    let mut moved = None;
    for _ in 0..100 {
        let reply = figures(&app, &qa, Some(&tag)).await;
        if reply.status == StatusCode::OK {
            moved = Some(reply);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let moved = moved.expect("the change was counted within 5 seconds");
    assert_ne!(header(&moved, ETAG), tag);
    let totals = &moved.json()["panels"][0]["rows"][0]["figures"];
    assert_eq!(totals[1], 1, "one assigned");

    // What names children is never kept: the personal list and the page.
    let mine = app.call("my_dashboard", &[], Some(&qa)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(header(&mine, CACHE_CONTROL), "no-store");
    assert!(mine.headers.get(ETAG).is_none());
    let page = app.page("/dashboard", Some(&qa)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(header(&page, CACHE_CONTROL), "no-store");
    assert!(page.headers.get(ETAG).is_none(), "the page keeps no tag");
}

#[tokio::test]
async fn kept_figures_are_the_counted_answer_and_end_with_the_session() {
    use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, VARY};
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let round = confirmed_round(&app, &qa).await;

    // The first answer is counted by the server function, the next sent as kept: the same
    // bytes under the same headers, with or without the round named.
    for query in [String::new(), format!("?round_id={round}")] {
        let ask = || {
            app.send(
                axum::http::Request::get(format!("/api/dashboard_figures{query}"))
                    .header(axum::http::header::ACCEPT, "application/json")
                    .header(axum::http::header::COOKIE, format!("pa_session={qa}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
        };
        let counted = ask().await;
        let kept = ask().await;
        assert_eq!(counted.status, StatusCode::OK, "{}", counted.body);
        assert_eq!(kept.status, StatusCode::OK);
        assert_eq!(kept.bytes, counted.bytes);
        for name in [CONTENT_TYPE, ETAG, CACHE_CONTROL, VARY] {
            assert_eq!(
                header(&kept, name.clone()),
                header(&counted, name.clone()),
                "{name}"
            );
        }
        assert_eq!(kept.json()["round_id"].to_string(), round);
    }

    // A round ID that is not a number is the request's fault, as from the server function.
    let wrong = app
        .send(
            axum::http::Request::get("/api/dashboard_figures?round_id=abc")
                .header(axum::http::header::ACCEPT, "application/json")
                .header(axum::http::header::COOKIE, format!("pa_session={qa}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        wrong.status.is_client_error(),
        "{} {}",
        wrong.status,
        wrong.body
    );
    assert_eq!(header(&wrong, CACHE_CONTROL), "no-store");

    // Kept figures are never an answer to a session that has ended.
    let signed_out = app.call("sign_out", &[], Some(&qa)).await;
    assert!(signed_out.status.is_success() || signed_out.status.is_redirection());
    let after = figures(&app, &qa, None).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.body);
}

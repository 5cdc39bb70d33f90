//! The demo council's past: five months of audit rounds taken all the way through the
//! cycle, and this month's round part-way, made through the app's own server functions
//! (the router, as a browser calls it) so every rule the app keeps was kept. Each step is
//! taken at the moment it would have happened: the server functions' clock is replayed
//! (`app::server::clock`), and the draws and every choice here follow one fixed seed, so
//! the same day always gives the same past. A step whose moment has not come yet is left
//! for the people signing in to take.

use crate::DemoError;
use app::domain::calendar::{london_date, london_midnight, AuditMonth, WorkingCalendar};
use app::server::{clock, SiteSettings};
use app::store::Store;
use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::Value;
use std::collections::HashMap;
use tower::ServiceExt;

/// The past is the same from the same seed (and the same day).
pub const SEED: u64 = 2026;
/// Rounds completed before this month's.
pub const PAST_ROUNDS: u32 = 5;

const QA: &str = "qa.manager@anytown.example";
const AUDITORS: [&str; 2] = ["auditor.1@anytown.example", "auditor.2@anytown.example"];
const PANEL: [&str; 3] = [
    "psw@anytown.example",
    "safeguarding.review@anytown.example",
    QA,
];
const DIRECTORS: [&str; 2] = ["ad.1@anytown.example", "ad.2@anytown.example"];
const DOMAINS: [&str; 7] = [
    "voice",
    "assessment",
    "planning",
    "oversight",
    "multi_agency",
    "recording",
    "impact",
];
const GRADES: [&str; 4] = ["outstanding", "good", "requires_improvement", "inadequate"];

/// What was made, for the log and the tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Past {
    pub rounds: usize,
    pub audits: usize,
    pub completed: usize,
    pub moderated: usize,
    pub published_summaries: usize,
    pub sessions: usize,
    pub reports: usize,
    pub newsletters: usize,
}

/// Makes the past on a database holding the demo council and nothing else yet, through
/// `router` (the app's own). `now` is the real time: nothing is made at or after it.
pub async fn make_past(
    store: &Store,
    router: &Router,
    site: &SiteSettings,
    now: DateTime<Utc>,
) -> Result<Past, DemoError> {
    let this_month = AuditMonth::of(london_date(now));
    let first = (0..PAST_ROUNDS).fold(this_month, |m, _| previous(m));
    let start = london_midnight(previous(first).first_day());
    let mut maker = Maker {
        store: store.clone(),
        router: router.clone(),
        origin: site.public_url.clone(),
        until: now - Duration::minutes(10),
        calendar: WorkingCalendar::shipped(),
        rng: ChaCha20Rng::seed_from_u64(SEED),
        sessions: HashMap::new(),
        past: Past::default(),
    };
    clock::replay(start, SEED, async {
        let mut rounds = Vec::new();
        let mut month = first;
        for _ in 0..=PAST_ROUNDS {
            if let Some(round) = maker.round(month, month == this_month).await? {
                rounds.push(round);
            }
            month = month.next();
        }
        maker.learning(&rounds).await?;
        // The emails of the past went at the time; nobody should get them again now.
        clock::set(maker.until);
        let (quiet, _) = app::server::Mailer::memory();
        app::server::mail::deliver_due(store, &quiet, &site.public_url).await?;
        Ok::<_, DemoError>(())
    })
    .await?;
    for token in maker.sessions.values() {
        store
            .delete_session(&app::server::password::token_hash(token))
            .await?;
    }
    Ok(maker.past)
}

fn previous(month: AuditMonth) -> AuditMonth {
    let first = month.first_day();
    AuditMonth::of(first - Duration::days(1))
}

/// One round as made: its month, due date and audits.
struct Round {
    id: i64,
    month: AuditMonth,
    due: NaiveDate,
    audits: Vec<Audit>,
}

struct Audit {
    id: i64,
    key_worker: i64,
    reviewer: Option<i64>,
    overall: Option<&'static str>,
    completed_on: Option<NaiveDate>,
}

struct Maker {
    store: Store,
    router: Router,
    origin: String,
    until: DateTime<Utc>,
    calendar: WorkingCalendar,
    rng: ChaCha20Rng,
    /// A session per person, made as signing in would (the password is not checked).
    sessions: HashMap<i64, String>,
    past: Past,
}

impl Maker {
    /// Moves the clock to `hour:minute` on `date` (London), or says the moment has not come.
    fn at(&self, date: NaiveDate, hour: i64, minute: i64) -> bool {
        let moment = london_midnight(date) + Duration::hours(hour) + Duration::minutes(minute);
        if moment >= self.until {
            return false;
        }
        clock::set(moment);
        true
    }

    /// The `n`th working day (from 1) of `month`.
    fn working_day(&self, month: AuditMonth, n: usize) -> NaiveDate {
        self.after(month.first_day() - Duration::days(1), n)
    }

    /// `n` working days after `date`.
    fn after(&self, date: NaiveDate, n: usize) -> NaiveDate {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            day += Duration::days(1);
            if self.calendar.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    async fn token(&mut self, person: i64) -> Result<String, DemoError> {
        if let Some(token) = self.sessions.get(&person) {
            return Ok(token.clone());
        }
        let token = app::server::password::new_session_token();
        self.store
            .create_session(
                &app::server::password::token_hash(&token),
                person,
                Utc::now(),
            )
            .await?;
        self.sessions.insert(person, token.clone());
        Ok(token)
    }

    async fn person(&self, email: &str) -> Result<i64, DemoError> {
        self.store
            .person_id_by_email(email)
            .await?
            .ok_or_else(|| DemoError::Step(format!("{email} is not in the demo council")))
    }

    /// Calls a server function as `person`, as the browser does; its JSON answer.
    async fn call(
        &mut self,
        person: i64,
        name: &str,
        form: &[(String, String)],
    ) -> Result<Value, DemoError> {
        let token = self.token(person).await?;
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let path = format!("/api/{name}");
        let get = leptos::server_fn::axum::server_fn_paths()
            .any(|(p, method)| p == path && method == axum::http::Method::GET);
        let request = if get {
            Request::get(format!("{path}?{body}")).body(Body::empty())
        } else {
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
        };
        let mut request = request.map_err(|e| DemoError::Step(e.to_string()))?;
        let headers = request.headers_mut();
        headers.insert(header::ACCEPT, "application/json".parse().expect("valid"));
        headers.insert(
            header::ORIGIN,
            self.origin
                .parse()
                .map_err(|_| DemoError::Step("PUBLIC_URL is not a valid origin".into()))?,
        );
        headers.insert(
            header::COOKIE,
            format!("{}={token}", app::server::SESSION_COOKIE)
                .parse()
                .expect("a token is a valid header"),
        );
        let reply = self
            .router
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| DemoError::Step(e.to_string()))?;
        let status = reply.status();
        let bytes = axum::body::to_bytes(reply.into_body(), 16 << 20)
            .await
            .map_err(|e| DemoError::Step(e.to_string()))?;
        if !status.is_success() {
            return Err(DemoError::Step(format!(
                "{name} answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            )));
        }
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn call_as<K: AsRef<str>>(
        &mut self,
        email: &str,
        name: &str,
        form: &[(K, String)],
    ) -> Result<Value, DemoError> {
        let person = self.person(email).await?;
        let form: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| (k.as_ref().to_string(), v.clone()))
            .collect();
        self.call(person, name, &form).await
    }

    /// Settles every flag the privacy check raised on a report, newsletter or summary
    /// (`what`: its server functions' prefix) once someone has checked it; its version
    /// afterwards.
    async fn settle_flags(&mut self, what: &str, id: i64, reason: &str) -> Result<i64, DemoError> {
        let detail_fn = format!("{what}_detail");
        let detail = self
            .call_as(QA, &detail_fn, &[("id", id.to_string())])
            .await?;
        for flag in detail["flags"].as_array().cloned().unwrap_or_default() {
            if let Some(key) = flag["key"].as_str() {
                self.call_as(
                    QA,
                    &format!("clear_{what}_flag"),
                    &[
                        ("id", id.to_string()),
                        ("key", key.to_string()),
                        ("reason", reason.to_string()),
                    ],
                )
                .await?;
            }
        }
        let detail = self
            .call_as(QA, &detail_fn, &[("id", id.to_string())])
            .await?;
        Ok(detail["version"].as_i64().unwrap_or(1))
    }

    /// One round, drawn the month before its audit month and taken as far as today allows.
    async fn round(
        &mut self,
        month: AuditMonth,
        current: bool,
    ) -> Result<Option<Round>, DemoError> {
        let drawing = previous(month);
        let due = self
            .calendar
            .last_working_day(month)
            .ok_or_else(|| DemoError::Step(format!("{} has no working days", month.label())))?;
        if !self.at(self.working_day(drawing, 8), 9, 30) {
            return Ok(None);
        }
        let id = self
            .call_as(
                QA,
                "create_round",
                &[("month", format!("{:04}-{:02}", month.year(), month.month()))],
            )
            .await?
            .as_i64()
            .ok_or_else(|| DemoError::Step("create_round gave no round".into()))?;
        self.call_as(
            QA,
            "draw_round",
            &[
                ("round_id", id.to_string()),
                ("quota_2", "1".into()),
                ("quota_6", "2".into()),
                ("quota_7", "2".into()),
                ("quota_8", "2".into()),
                ("quota_9", "1".into()),
            ],
        )
        .await?;
        self.past.rounds += 1;
        if !self.at(self.working_day(drawing, 10), 10, 0) {
            return Ok(None);
        }
        self.call_as(QA, "confirm_round", &[("round_id", id.to_string())])
            .await?;
        if !self.at(self.working_day(drawing, 12), 11, 0) {
            return Ok(None);
        }
        let contacts = self.store.selection_contacts(id).await?;
        let mut form = vec![("round_id".to_string(), id.to_string())];
        for (n, c) in contacts.iter().enumerate() {
            let auditor = self.person(AUDITORS[n % AUDITORS.len()]).await?;
            form.push((format!("auditor[{}]", c.round_case_id), auditor.to_string()));
        }
        let qa = self.person(QA).await?;
        self.call(qa, "assign_auditors", &form).await?;
        let contacts = self.store.selection_contacts(id).await?;
        let mut round = Round {
            id,
            month,
            due,
            audits: Vec::new(),
        };
        let count = contacts.len();
        for (n, c) in contacts.into_iter().enumerate() {
            let (Some(audit), Some(auditor), Some(key_worker)) =
                (c.audit_id, c.auditor_id, c.key_worker_id)
            else {
                continue;
            };
            self.past.audits += 1;
            // In the last past month, one audit is never finished (overdue); now and then
            // one is finished a few days late.
            let last_past = month.next() == AuditMonth::of(london_date(self.until));
            let stops = if current {
                Some(n % 4)
            } else if last_past && n + 1 == count {
                Some(3)
            } else {
                None
            };
            let late = !current && self.rng.random_ratio(1, 8);
            let made = self
                .audit(&round, n, audit, auditor, key_worker, c.iro_id, stops, late)
                .await?;
            round.audits.push(Audit {
                id: audit,
                key_worker,
                reviewer: c.team_manager_id.or(c.service_manager_id),
                overall: made.0,
                completed_on: made.1,
            });
        }
        if !current {
            self.action_reviews(&round).await?;
            self.moderation(&round).await?;
        }
        Ok(Some(round))
    }

    /// One audit, from proposing a discussion to filing, stopping after `stops` steps if
    /// given. Its overall grade and completion date, when it got that far.
    #[allow(clippy::too_many_arguments)]
    async fn audit(
        &mut self,
        round: &Round,
        n: usize,
        audit: i64,
        auditor: i64,
        key_worker: i64,
        iro: Option<i64>,
        stops: Option<usize>,
        late: bool,
    ) -> Result<(Option<&'static str>, Option<NaiveDate>), DemoError> {
        let month = round.month;
        let id = audit.to_string();
        let proposing = self.working_day(month, 1 + n % 3);
        let discussion = self.working_day(month, 5 + n % 8);
        // 1. The auditor proposes two times; the key worker agrees the first.
        if !self.at(proposing, 9, 15) {
            return Ok((None, None));
        }
        let first = format!("{}T10:00", discussion);
        let second = format!("{}T14:00", self.after(discussion, 1));
        self.call(
            auditor,
            "propose_times",
            &pairs(&[
                ("audit_id", &id),
                ("time_1", &first),
                ("time_2", &second),
                ("minutes", "60"),
            ]),
        )
        .await?;
        if stops == Some(0) || !self.at(self.after(proposing, 1), 10, 30) {
            return Ok((None, None));
        }
        let time: i64 = self.discussion_time(audit).await?;
        self.call(
            key_worker,
            "accept_time",
            &pairs(&[("audit_id", &id), ("time_id", &time.to_string())]),
        )
        .await?;
        // 2. After the discussion: feedback, the auditor's draft.
        if stops == Some(1) || !self.at(discussion, 16, 0) {
            return Ok((None, None));
        }
        let overall = self.grade();
        let grades = self.domain_grades(overall);
        let (who, how, said) = FEEDBACK[n % FEEDBACK.len()];
        self.call(
            auditor,
            "record_feedback",
            &pairs(&[
                ("audit_id", &id),
                ("from_whom", who),
                ("how", how),
                ("given_on", &discussion.to_string()),
                ("said", said),
            ]),
        )
        .await?;
        let form = self.form(audit, overall, &grades, discussion).await?;
        self.call(auditor, "save_draft", &form).await?;
        if let Some(iro) = iro {
            if self.at(self.after(discussion, 1), 9, 0) {
                self.call(
                    iro,
                    "record_feedback",
                    &pairs(&[
                        ("audit_id", &id),
                        ("how", "email"),
                        ("given_on", &self.after(discussion, 1).to_string()),
                        ("said", "The plan is reviewed on time and the child's wishes are recorded at each review. Contingency planning could be sharper."),
                    ]),
                )
                .await?;
            }
        }
        // 3. The key worker confirms the findings; the auditor completes and files.
        if stops == Some(2) || !self.at(self.after(discussion, 2), 11, 0) {
            return Ok((None, None));
        }
        self.call(
            key_worker,
            "confirm_findings",
            &pairs(&[
                ("audit_id", &id),
                (
                    "reflection",
                    "A fair picture of the work. I will take the actions to supervision.",
                ),
            ]),
        )
        .await?;
        let completing = if late {
            self.after(round.due, 3)
        } else {
            self.after(discussion, 3).min(round.due)
        };
        if stops == Some(3) || !self.at(completing, 15, 0) {
            return Ok((None, None));
        }
        // The findings as the key worker confirmed them (changing them now would send
        // them back to the key worker).
        let form = self.form(audit, overall, &grades, discussion).await?;
        self.call(auditor, "complete_audit", &form).await?;
        self.past.completed += 1;
        if self.at(self.after(completing, 1), 10, 0) {
            self.call(
                auditor,
                "mark_uploaded",
                &pairs(&[
                    ("audit_id", &id),
                    ("reference", &format!("CMS-{}", 40_000 + audit)),
                ]),
            )
            .await?;
        }
        Ok((Some(overall), Some(completing)))
    }

    async fn discussion_time(&self, audit: i64) -> Result<i64, DemoError> {
        self.store
            .discussion_times(audit)
            .await?
            .first()
            .map(|t| t.id)
            .ok_or_else(|| DemoError::Step(format!("audit {audit} has no proposed time")))
    }

    /// An overall grade, spread as a council's audits are: mostly good or requiring
    /// improvement, some outstanding, a few inadequate.
    fn grade(&mut self) -> &'static str {
        match self.rng.random_range(0..20) {
            0..=2 => "outstanding",
            3..=10 => "good",
            11..=17 => "requires_improvement",
            _ => "inadequate",
        }
    }

    /// Each domain's grade: the overall one, or now and then one either side.
    fn domain_grades(&mut self, overall: &str) -> Vec<&'static str> {
        let at = GRADES.iter().position(|g| *g == overall).expect("a grade") as i64;
        DOMAINS
            .iter()
            .map(|_| {
                let step = if self.rng.random_ratio(1, 3) {
                    self.rng.random_range(-1..=1)
                } else {
                    0
                };
                GRADES[(at + step).clamp(0, 3) as usize]
            })
            .collect()
    }

    /// The audit form as the auditor fills it, at the audit's current version; actions
    /// fall due some weeks after the discussion.
    async fn form(
        &self,
        audit: i64,
        overall: &str,
        grades: &[&str],
        discussed: NaiveDate,
    ) -> Result<Vec<(String, String)>, DemoError> {
        let version = self
            .store
            .audit(audit)
            .await?
            .ok_or_else(|| DemoError::Step(format!("audit {audit} is missing")))?
            .version;
        let mut form = vec![
            ("audit_id".to_string(), audit.to_string()),
            ("version".to_string(), version.to_string()),
            ("f[overall]".to_string(), overall.to_string()),
        ];
        for (key, grade) in DOMAINS.iter().zip(grades) {
            form.push((format!("f[grade-{key}]"), grade.to_string()));
            form.push((
                format!("f[narrative-{key}]"),
                narrative(key, grade).to_string(),
            ));
        }
        form.push((
            "f[strengths]".into(),
            STRENGTHS[(audit as usize) % STRENGTHS.len()].into(),
        ));
        let actions = if overall == "outstanding" { 1 } else { 2 };
        for a in 0..actions {
            let (action, owner) = ACTIONS[(audit as usize + a) % ACTIONS.len()];
            form.push((format!("f[action-{a}]"), action.into()));
            form.push((format!("f[owner-{a}]"), owner.into()));
            form.push((
                format!("f[due-{a}]"),
                self.after(discussed, 25 + 10 * a).to_string(),
            ));
        }
        Ok(form)
    }

    /// The Team Manager reviews the actions: every update after filing, finalised for all
    /// but the newest rounds.
    async fn action_reviews(&mut self, round: &Round) -> Result<(), DemoError> {
        let assigning = self.after(round.due, 4);
        if !self.at(assigning, 9, 0) || round.audits.iter().all(|a| a.completed_on.is_none()) {
            return Ok(());
        }
        self.call_as(
            QA,
            "assign_action_reviews",
            &[("round_id", round.id.to_string())],
        )
        .await?;
        for audit in round.audits.iter().filter(|a| a.completed_on.is_some()) {
            let Some(reviewer) = audit.reviewer else {
                continue;
            };
            let updating = self.after(assigning, 8 + (audit.id as usize % 5));
            if !self.at(updating, 14, 0) {
                continue;
            }
            let detail = self
                .call(
                    reviewer,
                    "action_review_detail",
                    &pairs(&[("audit_id", &audit.id.to_string())]),
                )
                .await?;
            let actions: Vec<i64> = detail["actions"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x["id"].as_i64()).collect())
                .unwrap_or_default();
            for (n, action) in actions.iter().enumerate() {
                let done = n == 0 || self.rng.random_ratio(1, 2);
                self.call(
                    reviewer,
                    "update_action",
                    &pairs(&[
                        ("audit_id", &audit.id.to_string()),
                        ("action_id", &action.to_string()),
                        (
                            "progress",
                            if done {
                                "Done and recorded on the child's file."
                            } else {
                                "Started; discussed in supervision, to finish by the due date."
                            },
                        ),
                        ("status", if done { "done" } else { "open" }),
                        ("on", &updating.to_string()),
                    ]),
                )
                .await?;
            }
            if self.at(self.after(updating, 5), 10, 0) {
                self.call(
                    reviewer,
                    "finalise_action_review",
                    &pairs(&[
                        ("audit_id", &audit.id.to_string()),
                        ("reference", &format!("CMS-{}", 50_000 + audit.id)),
                    ]),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Directors review every good or outstanding audit; the panel moderates a third of
    /// the round once its window opens; the QA Manager records each outcome.
    async fn moderation(&mut self, round: &Round) -> Result<(), DemoError> {
        // Directors first: asked at completion, they answer within a week or so.
        for audit in round.audits.iter() {
            let (Some(overall), Some(on)) = (audit.overall, audit.completed_on) else {
                continue;
            };
            if !matches!(overall, "good" | "outstanding") || !self.at(self.after(on, 4), 11, 0) {
                continue;
            }
            for director in DIRECTORS {
                let home = self
                    .call_as::<&str>(director, "moderation_home", &[])
                    .await?;
                let asked = home["asked"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .any(|a| {
                        a["audit_id"].as_i64() == Some(audit.id)
                            && a["recorded"].as_bool() == Some(false)
                    });
                if asked {
                    let form = self.view(audit.id, overall, 0);
                    self.call_as(director, "record_moderation", &form).await?;
                }
            }
        }
        let detail = self
            .call_as(
                QA,
                "moderation_round",
                &[("round_id", round.id.to_string())],
            )
            .await?;
        let opens = detail["round"]["opens_on"]
            .as_str()
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .ok_or_else(|| DemoError::Step("moderation_round gave no opening date".into()))?;
        let mut moderated: Vec<i64> = round
            .audits
            .iter()
            .filter(|a| matches!(a.overall, Some("good" | "outstanding")))
            .map(|a| a.id)
            .collect();
        if self.at(opens, 9, 30) && round.audits.iter().any(|a| a.completed_on.is_some()) {
            self.call_as(QA, "draw_moderation", &[("round_id", round.id.to_string())])
                .await?;
            let detail = self
                .call_as(
                    QA,
                    "moderation_round",
                    &[("round_id", round.id.to_string())],
                )
                .await?;
            let sampled: Vec<i64> = detail["sample"]
                .as_array()
                .map(|s| s.iter().filter_map(|x| x["audit_id"].as_i64()).collect())
                .unwrap_or_default();
            for (n, audit) in sampled.iter().enumerate() {
                let Some(overall) = round
                    .audits
                    .iter()
                    .find(|a| a.id == *audit)
                    .and_then(|a| a.overall)
                else {
                    continue;
                };
                for (p, member) in PANEL.iter().enumerate() {
                    if !self.at(self.after(opens, 2 + p + n % 3), 14, 0) {
                        continue;
                    }
                    // The panel sees one audit in three a grade lower.
                    let form = self.view(*audit, overall, (n + p) % 3);
                    // The audit's own auditor (never the case here) is not on its panel.
                    if self
                        .call_as(member, "record_moderation", &form)
                        .await
                        .is_err()
                    {
                        continue;
                    }
                }
                if !moderated.contains(audit) {
                    moderated.push(*audit);
                }
            }
        }
        // Outcomes, once every view asked for is in.
        let outcome_on = self.after(opens, 9);
        for audit in moderated {
            if !self.at(outcome_on, 15, 0) {
                break;
            }
            let view = self
                .call_as(QA, "audit_moderation", &[("audit_id", audit.to_string())])
                .await?;
            if !view["outcome"].is_null() || view["outcome_waits"].as_bool() == Some(true) {
                continue;
            }
            let differ = view["views_differ"].as_bool() == Some(true);
            let mut form = vec![
                ("audit_id", audit.to_string()),
                ("f[outcome]", "confirmed".to_string()),
            ];
            if differ {
                form.push(("f[reason]", "The panel discussed the difference and kept the auditor's grades: the evidence on file supports them.".into()));
            }
            if self
                .call_as(QA, "record_moderation_outcome", &form)
                .await
                .is_ok()
            {
                self.past.moderated += 1;
            }
        }
        Ok(())
    }

    /// A moderation view: agreeing with every grade, or (`lower == 1`) seeing the
    /// recording domain one grade lower.
    fn view(&self, audit: i64, overall: &str, lower: usize) -> Vec<(String, String)> {
        let mut form = vec![("audit_id".to_string(), audit.to_string())];
        for key in DOMAINS {
            let value = if lower == 1 && key == "recording" {
                let at = GRADES.iter().position(|g| *g == overall).unwrap_or(2);
                GRADES[(at + 1).min(3)].to_string()
            } else {
                "agree".to_string()
            };
            form.push((format!("f[domain-{key}]"), value));
        }
        form.push(("f[overall]".into(), "agree".into()));
        if lower == 1 {
            form.push((
                "f[comments]".into(),
                "Recording is thinner than the grade suggests: two visits have no case note."
                    .into(),
            ));
        } else {
            form.push((
                "f[comments]".into(),
                "Agree with the auditor's findings.".into(),
            ));
        }
        form
    }

    /// Feedback sessions for each round, a quarter's report presented, Make A Difference
    /// summaries published.
    async fn learning(&mut self, rounds: &[Round]) -> Result<(), DemoError> {
        for round in rounds
            .iter()
            .filter(|r| r.audits.iter().any(|a| a.completed_on.is_some()))
        {
            let arranging = self.after(round.due, 3);
            let starts = self.after(round.due, 12);
            if !self.at(arranging, 9, 0) || round.audits.iter().all(|a| a.completed_on.is_none()) {
                continue;
            }
            let id = self
                .call_as(
                    QA,
                    "arrange_session",
                    &[
                        ("kind", "feedback".into()),
                        ("round_id", round.id.to_string()),
                        (
                            "title",
                            format!("What {} audits found", round.month.label()),
                        ),
                        ("starts_at", format!("{starts}T10:00")),
                        ("minutes", "90".into()),
                        ("place", "Room 2.14, Civic Centre".into()),
                        (
                            "audience",
                            "Auditors, key workers and managers of the audited cases".into(),
                        ),
                    ],
                )
                .await?
                .as_i64()
                .ok_or_else(|| DemoError::Step("arrange_session gave no session".into()))?;
            self.past.sessions += 1;
            if !self.at(starts, 12, 0) {
                continue;
            }
            let mut came: Vec<i64> = round.audits.iter().map(|a| a.key_worker).collect();
            came.sort_unstable();
            came.dedup();
            came.truncate(5);
            let mut form = vec![("id".to_string(), id.to_string())];
            for person in &came {
                form.push((format!("attended[{person}]"), "on".into()));
            }
            let qa = self.person(QA).await?;
            self.call(qa, "record_attendance", &form).await?;
            for (n, person) in came.iter().enumerate().take(3) {
                if !self.at(self.after(starts, 1), 9 + n as i64, 0) {
                    break;
                }
                let useful = (3 + (n + round.id as usize) % 3).to_string();
                self.call(
                    *person,
                    "give_session_feedback",
                    &pairs(&[
                        ("id", &id.to_string()),
                        ("useful", &useful),
                        ("discussion", "4"),
                        (
                            "improve",
                            "More time on the actions that come up in every round.",
                        ),
                        (
                            "comments",
                            "Hearing how other teams record the child's voice helped.",
                        ),
                    ]),
                )
                .await?;
            }
        }
        // The first quarter's report, written, finalised and presented.
        let finished: Vec<&Round> = rounds
            .iter()
            .filter(|r| r.audits.iter().any(|a| a.completed_on.is_some()))
            .collect();
        if finished.len() >= 3 {
            let (first, last) = (finished[0], finished[2]);
            let writing = self.after(last.due, 10);
            if self.at(writing, 10, 0) {
                let month = |m: AuditMonth| format!("{:04}-{:02}", m.year(), m.month());
                let id = self
                    .call_as(
                        QA,
                        "start_report",
                        &[("first", month(first.month)), ("last", month(last.month))],
                    )
                    .await?
                    .as_i64()
                    .ok_or_else(|| DemoError::Step("start_report gave no report".into()))?;
                self.past.reports += 1;
                let detail = self
                    .call_as(QA, "report_detail", &[("id", id.to_string())])
                    .await?;
                let version = detail["version"].as_i64().unwrap_or(1);
                self.call_as(
                    QA,
                    "save_report",
                    &[
                        ("id", id.to_string()),
                        ("version", version.to_string()),
                        ("main_findings", "Most audited work requires improvement or is good. Children's views are gathered well; plans are less often updated when circumstances change.".into()),
                        ("key_strengths", "Relationships between key workers and children; timely visits; management oversight recorded in supervision.".into()),
                        ("improvement", "Contingency planning, and recording the reasons for decisions on the child's file.".into()),
                        ("recommendations", "Team Managers check contingency plans at each supervision; the next round's feedback session focuses on recording decisions.".into()),
                    ],
                )
                .await?;
                // Settle whatever the check flags, then finalise and present.
                let version = self
                    .settle_flags("report", id, "Checked: not personal data.")
                    .await?;
                if self.at(self.after(writing, 3), 16, 0) {
                    self.call_as(
                        QA,
                        "finalise_report",
                        &[("id", id.to_string()), ("version", version.to_string())],
                    )
                    .await?;
                    let presenting = self.after(writing, 8);
                    if self.at(presenting, 15, 0) {
                        self.call_as(
                            QA,
                            "report_presented",
                            &[
                                ("id", id.to_string()),
                                ("presented_on", presenting.to_string()),
                            ],
                        )
                        .await?;
                    }
                }
            }
        }
        // The newsletter's summary of the same quarter, as drafted from its figures.
        if finished.len() >= 3 && self.at(self.after(finished[2].due, 12), 11, 0) {
            let (first, last) = (finished[0], finished[2]);
            let id = self
                .call_as(
                    QA,
                    "start_newsletter",
                    &[
                        ("issue", last.month.next().next().label()),
                        ("period_from", first.month.first_day().to_string()),
                        ("period_to", last.month.last_day().to_string()),
                    ],
                )
                .await?
                .as_i64()
                .ok_or_else(|| DemoError::Step("start_newsletter gave no newsletter".into()))?;
            let version = self
                .settle_flags("newsletter", id, "Checked: not identifying.")
                .await?;
            self.call_as(
                QA,
                "finalise_newsletter",
                &[("id", id.to_string()), ("version", version.to_string())],
            )
            .await?;
            self.past.newsletters += 1;
        }
        // Make A Difference: the oldest drafts written up and published.
        let library = self.call_as::<&str>(QA, "difference_library", &[]).await?;
        let drafts: Vec<i64> = library["drafts"]
            .as_array()
            .map(|d| d.iter().filter_map(|x| x["id"].as_i64()).collect())
            .unwrap_or_default();
        for (n, id) in drafts.iter().rev().take(2).enumerate() {
            let detail = self
                .call_as(QA, "difference_detail", &[("id", id.to_string())])
                .await?;
            let version = detail["version"].as_i64().unwrap_or(1);
            let (title, body) = SUMMARIES[n % SUMMARIES.len()];
            self.call_as(
                QA,
                "save_difference",
                &[
                    ("id", id.to_string()),
                    ("version", version.to_string()),
                    ("title", title.into()),
                    ("body", body.into()),
                ],
            )
            .await?;
            let version = self
                .settle_flags("difference", *id, "Checked: not identifying.")
                .await?;
            self.call_as(
                QA,
                "publish_difference",
                &[("id", id.to_string()), ("version", version.to_string())],
            )
            .await?;
            self.past.published_summaries += 1;
        }
        Ok(())
    }
}

fn pairs(form: &[(&str, &str)]) -> Vec<(String, String)> {
    form.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn narrative(domain: &str, grade: &str) -> &'static str {
    match (domain, grade) {
        ("voice", "outstanding" | "good") => "The child's wishes and feelings are recorded in their own words at each visit and shape the plan.",
        ("voice", _) => "The child's views are recorded at some visits but do not visibly shape the plan.",
        ("assessment", "outstanding" | "good") => "The assessment is current, analytical and draws on the history and on partners' information.",
        ("assessment", _) => "The assessment describes the family well but its analysis of risk is thin and not updated after recent events.",
        ("planning", "outstanding" | "good") => "The plan is specific, owned by the family and reviewed on time.",
        ("planning", _) => "The plan's actions are broad and some have no timescales; the contingency plan is missing.",
        ("oversight", "outstanding" | "good") => "Supervision is regular and its decisions are recorded with reasons.",
        ("oversight", _) => "Supervision is recorded but its decisions are not followed through on the file.",
        ("multi_agency", "outstanding" | "good") => "School, health and police share information promptly and attend every meeting.",
        ("multi_agency", _) => "Partners attend meetings but information from health is late.",
        ("recording", "outstanding" | "good") => "Records are up to date, clear and written to the child.",
        ("recording", _) => "Some visits have no case note and chronology entries are behind.",
        (_, "outstanding" | "good") => "The child is safer and doing better at school since the plan began.",
        _ => "There is little evidence yet that the work has changed the child's day-to-day experience.",
    }
}

const FEEDBACK: [(&str, &str, &str); 4] = [
    (
        "child",
        "visit",
        "My worker listens to me and tells me what is happening.",
    ),
    (
        "parent",
        "phone",
        "We know who to call, but meetings are sometimes moved at short notice.",
    ),
    (
        "carer",
        "visit",
        "The social worker visits regularly and helped arrange contact.",
    ),
    ("child", "advocacy", "I want to see my brother more often."),
];

const STRENGTHS: [&str; 3] = [
    "A warm, consistent relationship with the child.",
    "Good joint working with the school.",
    "Decisions are explained to the family clearly.",
];

const ACTIONS: [(&str, &str); 4] = [
    ("Update the contingency plan", "Key worker"),
    (
        "Record the child's views from the last two visits",
        "Key worker",
    ),
    ("Review the plan in supervision", "Team Manager"),
    ("Request the health assessment", "Key worker"),
];

const SUMMARIES: [(&str, &str); 2] = [
    (
        "Keeping a child's voice at the centre of the plan",
        "The key worker met the young person at the places they chose, wrote each visit's note to them in plain words, and brought their wishes to every review. The plan changed twice because of what they said, and the young person now attends the meetings about them.",
    ),
    (
        "A contingency plan that worked when it was needed",
        "When a placement came under strain, the team already had a clear, agreed contingency plan. Partners knew their part, the child stayed at the same school, and the change was explained to them in advance by the worker they trust.",
    ),
];

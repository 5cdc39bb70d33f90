//! The audit page's forms, each an island of its own. The page around them (the summary,
//! the discussion, feedback, the draft as read, the history) is drawn on the server, so the
//! browser loads only the forms' code. A form that is saved draws the page afresh (it
//! reloads); one that is refused keeps what was typed and names its problems in the page's
//! error summary (the `AuditProblems` island) and beside its fields.

use super::{
    AcceptTime, CompleteAudit, ConfirmFindings, MarkUploaded, ProposeTimes, RecordDiscussionHeld,
    RecordFeedback, SaveDraft, FEEDBACK_FROM, FEEDBACK_HOW,
};
use crate::auth::Me;
use crate::domain::audit::{
    ActionStatus, AuditDraft, Grade, RequiredAction, TemplateDomain, MAX_ACTIONS,
};
use crate::ui::{
    enter_island, error_line, field_error, page_problems, saved_then_reload, ErrorSummary, Form,
    FormAction, Route,
};
use crate::{AppError, FieldError};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

/// The audit page's forms whose problems the page's summary shows, by their server
/// functions' paths. Not the draft's save: the form shows its own (it is saved as the
/// auditor types, and its summary keeps the focus in the field).
fn paths() -> [&'static str; 7] {
    [
        <ProposeTimes as ServerFn>::PATH,
        <AcceptTime as ServerFn>::PATH,
        <RecordDiscussionHeld as ServerFn>::PATH,
        <RecordFeedback as ServerFn>::PATH,
        <ConfirmFindings as ServerFn>::PATH,
        <CompleteAudit as ServerFn>::PATH,
        <MarkUploaded as ServerFn>::PATH,
    ]
}

/// The page's error summary: the problems of the form answered last (or, before any has
/// answered in the page, of the plain post that brought the page back).
pub(crate) fn audit_problems(route: Route, me: Option<Me>, _: ()) -> impl IntoView {
    enter_island(route, me);
    let problems = page_problems();
    let errors = move || {
        problems.with(|p| match p {
            Some(p) if paths().contains(&p.path.as_str()) => p.errors.clone(),
            _ => Vec::new(),
        })
    };
    move || view! { <ErrorSummary errors=errors()/> }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeProps {
    pub audit_id: i64,
    pub time_id: i64,
}

/// *Accept this time*, beside a time the other person proposed.
pub(crate) fn accept_time(route: Route, me: Option<Me>, props: TimeProps) -> impl IntoView {
    enter_island(route, me);
    let accept = FormAction::<AcceptTime>::new();
    let _ = saved_then_reload(accept);
    view! {
        <Form action=accept attr:class="inline-form">
            <input type="hidden" name="audit_id" value=props.audit_id.to_string()/>
            <input type="hidden" name="time_id" value=props.time_id.to_string()/>
            <button type="submit" class="button button--secondary">"Accept this time"</button>
        </Form>
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProposeProps {
    pub audit_id: i64,
    /// The auditor proposes the times (the form is open); the key worker another one.
    pub by_auditor: bool,
}

pub(crate) fn propose_times(route: Route, me: Option<Me>, props: ProposeProps) -> impl IntoView {
    enter_island(route, me);
    let propose = FormAction::<ProposeTimes>::new();
    let errors = saved_then_reload(propose);
    view! {
        <details class="details" open=props.by_auditor>
            <summary>{if props.by_auditor { "Propose times" } else { "Propose another time" }}</summary>
            <Form action=propose attr:data-testid="propose-form">
                <input type="hidden" name="audit_id" value=props.audit_id.to_string()/>
                {[1, 2, 3].into_iter().map(|n| {
                    let field: &'static str = ["time-1", "time-2", "time-3"][n - 1];
                    view! {
                        <div class="form-group">
                            <label class="label" for=field>{format!("Time {n}")}</label>
                            {error_line(errors, field)}
                            <input class="input input--date" id=field name=format!("time_{n}") type="datetime-local"/>
                        </div>
                    }
                }).collect_view()}
                <div class="form-group">
                    <label class="label" for="minutes">"Length (minutes)"</label>
                    {error_line(errors, "minutes")}
                    <input class="input input--narrow" id="minutes" name="minutes" inputmode="numeric" value="60"/>
                </div>
                <button type="submit" class="button">"Send the times"</button>
            </Form>
        </details>
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeldProps {
    pub audit_id: i64,
    /// A record exists: this corrects it (folded away unless refused).
    pub correction: bool,
}

/// The auditor's record of when the discussion took place, or its correction.
pub(crate) fn discussion_held(route: Route, me: Option<Me>, props: HeldProps) -> impl IntoView {
    enter_island(route, me);
    let held = FormAction::<RecordDiscussionHeld>::new();
    let errors = saved_then_reload(held);
    let id = props.audit_id;
    let form = move |button: &'static str| {
        view! {
            <Form action=held attr:data-testid="held-form">
                <input type="hidden" name="audit_id" value=id.to_string()/>
                <div class="form-group">
                    <label class="label" for="held-at">"When the discussion took place"</label>
                    <p class="hint" id="held-at-hint">"The date and time you discussed the findings with the key worker."</p>
                    {error_line(errors, "held-at")}
                    <input class="input input--date" id="held-at" name="held_at" type="datetime-local" aria-describedby="held-at-hint"/>
                </div>
                <button type="submit" class="button button--secondary">{button}</button>
            </Form>
        }
    };
    if props.correction {
        view! {
            <details class="details" open=move || field_error(&errors(), "held-at").is_some()>
                <summary>"Correct when the discussion took place"</summary>
                {form("Save the correction")}
            </details>
        }
        .into_any()
    } else {
        form("Record that the discussion took place").into_any()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedbackProps {
    pub audit_id: i64,
    /// The IRO / CP Chair gives their own; the auditor records anyone's.
    pub iro: bool,
}

pub(crate) fn feedback(route: Route, me: Option<Me>, props: FeedbackProps) -> impl IntoView {
    enter_island(route, me);
    let feedback = FormAction::<RecordFeedback>::new();
    let errors = saved_then_reload(feedback);
    view! {
        <details class="details">
            <summary>{if props.iro { "Give your feedback" } else { "Record feedback" }}</summary>
            <Form action=feedback attr:data-testid="feedback-form">
                <input type="hidden" name="audit_id" value=props.audit_id.to_string()/>
                {(!props.iro).then(|| view! {
                    <div class="form-group">
                        <label class="label" for="from-whom">"Who gave it"</label>
                        {error_line(errors, "from-whom")}
                        <select class="select" id="from-whom" name="from_whom">
                            {FEEDBACK_FROM.into_iter().map(|(c, l)| view! { <option value=c>{l}</option> }).collect_view()}
                        </select>
                    </div>
                })}
                <div class="form-group">
                    <label class="label" for="how">"How"</label>
                    {error_line(errors, "how")}
                    <select class="select" id="how" name="how">
                        {FEEDBACK_HOW.into_iter().map(|(c, l)| view! { <option value=c>{l}</option> }).collect_view()}
                    </select>
                </div>
                <div class="form-group">
                    <label class="label" for="given-on">"When"</label>
                    {error_line(errors, "given-on")}
                    <input class="input input--date" id="given-on" name="given_on" type="date"/>
                </div>
                <div class="form-group">
                    <label class="label" for="said">"What they said, in their words"</label>
                    {error_line(errors, "said")}
                    <textarea class="textarea" id="said" name="said" rows="4"></textarea>
                </div>
                <button type="submit" class="button button--secondary">"Save feedback"</button>
            </Form>
        </details>
    }
}

/// The key worker confirms the findings were discussed, with their reflection.
pub(crate) fn confirm_findings(route: Route, me: Option<Me>, audit_id: i64) -> impl IntoView {
    enter_island(route, me);
    let confirm = FormAction::<ConfirmFindings>::new();
    let errors = saved_then_reload(confirm);
    view! {
        <Form action=confirm attr:data-testid="confirm-findings">
            <input type="hidden" name="audit_id" value=audit_id.to_string()/>
            <div class="form-group">
                <label class="label" for="reflection">"Your reflection (optional)"</label>
                {error_line(errors, "reflection")}
                <textarea class="textarea" id="reflection" name="reflection" rows="4"></textarea>
            </div>
            <button type="submit" class="button">"Confirm the findings were discussed"</button>
        </Form>
    }
}

/// The auditor's note that the filed audit is on the child's record.
pub(crate) fn mark_uploaded(route: Route, me: Option<Me>, audit_id: i64) -> impl IntoView {
    enter_island(route, me);
    let upload = FormAction::<MarkUploaded>::new();
    let errors = saved_then_reload(upload);
    view! {
        <Form action=upload attr:data-testid="upload-form">
            <input type="hidden" name="audit_id" value=audit_id.to_string()/>
            <div class="form-group">
                <label class="label" for="reference">"Case-management system reference"</label>
                <p class="hint">"After uploading the audit and case note to the child's record there."</p>
                {error_line(errors, "reference")}
                <input class="input" id="reference" name="reference"/>
            </div>
            <button type="submit" class="button button--secondary">"Mark as uploaded"</button>
        </Form>
    }
}

/// *Who has seen this* on the audit (for the QA Manager and the Administrator).
pub(crate) fn seen_by(route: Route, me: Option<Me>, audit_id: i64) -> impl IntoView {
    enter_island(route, me);
    view! { <crate::access_log::WhoHasSeen kind="audit" id=audit_id/> }
}

/// The graded form as the auditor's island is given it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditFormProps {
    pub audit_id: i64,
    pub version: i64,
    pub template_version: i64,
    pub domains: Vec<TemplateDomain>,
    pub draft: AuditDraft,
    /// "Last saved by … at 14:05", as the server words it.
    pub saved: Option<String>,
    /// The findings are discussed: the form offers *Complete and file the audit*.
    pub can_complete: bool,
}

/// Where the draft stands, shown beside the form. (`Saving` is set by the browser only.)
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq)]
enum SaveState {
    Unchanged,
    Saving,
    Saved(String),
    /// No connection: kept on this device, sent when the connection is back.
    OnDevice,
    Stale(String),
    Problems(Vec<FieldError>),
    Failed(String),
}

/// The auditor's form. Works without WebAssembly as a plain form ("Save draft"); with it,
/// the draft is saved every few seconds, kept on the device while offline, and synced back.
pub(crate) fn audit_form(route: Route, me: Option<Me>, props: AuditFormProps) -> impl IntoView {
    enter_island(route, me);
    let save = FormAction::<SaveDraft>::new();
    let complete = FormAction::<CompleteAudit>::new();
    let id = props.audit_id;
    // Completed, the page is drawn afresh; refused, its problems are beside the fields it
    // names (and in the page's summary).
    let page_errors = saved_then_reload(complete);
    // Shared by the autosave and the complete button, so completing uses the version the
    // auditor last saved.
    let version = RwSignal::new(props.version);
    // An autosave on its way; Complete waits for it, so it never races its own save.
    let in_flight = RwSignal::new(false);
    // Complete was pressed (with WebAssembly): sent once no autosave is on its way.
    let want_complete = RwSignal::new(false);
    let dirty = RwSignal::new(false);
    // A plain post's refused save (before the WebAssembly loaded) is shown as the server
    // draws the form, beside its fields, not only once an effect runs in the browser.
    let status = RwSignal::new(match (untrack(|| save.value().get()), props.saved) {
        (Some(Err(refused)), _) => after_save(Err(refused), version, dirty),
        (_, Some(saved)) => SaveState::Saved(saved),
        (_, None) => SaveState::Unchanged,
    });
    let form_ref = NodeRef::<leptos::html::Div>::new();
    // A plain "Save draft" press, with or without WebAssembly.
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            status.set(after_save(result, version, dirty));
        }
    });
    #[cfg(feature = "hydrate")]
    {
        autosave::start(
            id,
            form_ref,
            version,
            dirty,
            status,
            in_flight,
            complete,
            want_complete,
        );
        autosave::complete_when_saved(
            id,
            form_ref,
            version,
            dirty,
            in_flight,
            want_complete,
            complete,
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (in_flight, want_complete);
    // Completing sends what is on the screen. Without WebAssembly the button posts the whole
    // form to `complete_audit` (its `formaction`); with it, it waits for any autosave on its
    // way, then sends the form's fields itself.
    let on_complete = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            want_complete.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    // Filed: what this device kept is done with.
    Effect::new(move |_| {
        if let Some(Ok(())) = complete.value().get() {
            #[cfg(feature = "hydrate")]
            {
                use gloo_storage::Storage;
                gloo_storage::LocalStorage::delete(autosave::key(id));
            }
        }
    });
    let draft = props.draft;
    let problems = move || match status.get() {
        SaveState::Problems(p) => p,
        _ => Vec::new(),
    };
    // Beside each field: the last save's problem with it, else completion's.
    let field_problems = move || {
        let mut all = problems();
        all.extend(page_errors());
        all
    };
    let grade_select = move |field: String, current: Option<Grade>| {
        let name = format!("f[{field}]");
        view! {
            {error_line(field_problems, field.clone())}
            <select class="select" id=field name=name>
                <option value="" selected=current.is_none()>"Not graded yet"</option>
                {Grade::ALL.into_iter().map(|g| view! { <option value=g.code() selected=current == Some(g)>{g.label()}</option> }).collect_view()}
            </select>
        }
    };
    let textarea = move |field: String, value: String, rows: u32| {
        let name = format!("f[{field}]");
        view! {
            {error_line(field_problems, field.clone())}
            <textarea class="textarea" id=field name=name rows=rows.to_string()>{value}</textarea>
        }
    };
    let mut actions = draft.actions.clone();
    actions.resize(
        (draft.actions.len() + 2).min(MAX_ACTIONS),
        RequiredAction {
            action: String::new(),
            owner: String::new(),
            due_on: String::new(),
            status: ActionStatus::Open,
        },
    );
    view! {
        <h2 class="heading-m">"The audit form"</h2>
        <p class="hint">{format!("Template version {}. Grades use Ofsted's four-point scale.", props.template_version)}</p>
        <p class="save-status" role="status" aria-live="polite" data-testid="save-status">
            {move || matches!(status.get(), SaveState::Stale(_)).then(|| view! {
                <button type="button" class="button button--secondary" on:click=move |_| load_newer(id)>"Load the newer version"</button>
            })}
            {move || match status.get() {
                SaveState::Unchanged => "Not changed yet".to_string(),
                SaveState::Saving => "Saving…".to_string(),
                SaveState::Saved(when) => when,
                SaveState::OnDevice => "Offline: your changes are kept on this device and will be saved when the connection is back".to_string(),
                SaveState::Stale(m) => m,
                SaveState::Problems(_) => "Not saved: check the problems marked below".to_string(),
                SaveState::Failed(m) => m,
            }}
        </p>
        {move || view! { <ErrorSummary errors=problems() keep_focus=true/> }}
        <div node_ref=form_ref on:input=move |_| dirty.set(true) on:change=move |_| dirty.set(true)>
        <Form action=save attr:data-testid="audit-form" attr:id="audit-form">
            <input type="hidden" name="audit_id" value=id.to_string()/>
            // The attribute for a post made before the WebAssembly loads (a property is not
            // rendered on the server); the property follows each autosave after it has.
            <input type="hidden" name="version" value=props.version.to_string() prop:value=move || version.get().to_string()/>
            {props.domains.into_iter().map(|d| {
                let entry = draft.domains.get(&d.key).cloned().unwrap_or_default();
                let (g, n) = (format!("grade-{}", d.key), format!("narrative-{}", d.key));
                view! {
                    <fieldset class="fieldset">
                        <legend class="fieldset__legend">{d.title}</legend>
                        <p class="hint">{d.prompt}</p>
                        <div class="form-group">
                            <label class="label" for=g.clone()>"Grade"</label>
                            {grade_select(g.clone(), entry.grade)}
                        </div>
                        <div class="form-group">
                            <label class="label" for=n.clone()>"Findings"</label>
                            {textarea(n.clone(), entry.narrative, 5)}
                        </div>
                    </fieldset>
                }
            }).collect_view()}
            <fieldset class="fieldset">
                <legend class="fieldset__legend">"Overall"</legend>
                <div class="form-group"><label class="label" for="overall">"Overall grade"</label>{grade_select("overall".into(), draft.overall)}</div>
                <div class="form-group"><label class="label" for="strengths">"Key strengths"</label>{textarea("strengths".into(), draft.strengths.clone(), 4)}</div>
                <div class="form-group"><label class="label" for="development">"Areas for development"</label>{textarea("development".into(), draft.development.clone(), 4)}</div>
            </fieldset>
            <fieldset class="fieldset">
                <legend class="fieldset__legend">"Required actions"</legend>
                <p class="hint">"Each action needs an owner and a due date. Leave a row empty if it is not needed."</p>
                {actions.into_iter().enumerate().map(|(n, a)| {
                    let (af, of, df, sf) = (format!("action-{n}"), format!("owner-{n}"), format!("due-{n}"), format!("status-{n}"));
                    view! {
                        <div class="action-row">
                            <div class="form-group">
                                <label class="label" for=af.clone()>{format!("Action {}", n + 1)}</label>
                                {error_line(field_problems, af.clone())}
                                <input class="input" id=af.clone() name=format!("f[{af}]") value=a.action/>
                            </div>
                            <div class="form-group">
                                <label class="label" for=of.clone()>"Owner"</label>
                                {error_line(field_problems, of.clone())}
                                <input class="input" id=of.clone() name=format!("f[{of}]") value=a.owner/>
                            </div>
                            <div class="form-group">
                                <label class="label" for=df.clone()>"Due"</label>
                                {error_line(field_problems, df.clone())}
                                <input class="input input--date" id=df.clone() name=format!("f[{df}]") type="date" value=a.due_on/>
                            </div>
                            <div class="form-group">
                                <label class="label" for=sf.clone()>"Status"</label>
                                <select class="select" id=sf.clone() name=format!("f[{sf}]")>
                                    <option value="open" selected=a.status == ActionStatus::Open>"Open"</option>
                                    <option value="done" selected=a.status == ActionStatus::Done>"Done"</option>
                                </select>
                            </div>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            // Kept in view at the foot of the screen while the long form scrolls.
            <div class="sticky-actions" data-testid="sticky-save">
                <button type="submit" class="button button--secondary">"Save draft"</button>
            </div>
            {props.can_complete.then(|| view! {
                <h2 class="heading-m">"Complete the audit"</h2>
                <p class="body">"Completing saves the form as it is on this screen, locks the audit, files it to the child's record with its case note, and tells the key worker, the Team Manager and the Service Manager. Later changes only through moderation. If you have changed a grade or finding since the key worker confirmed them, they are asked to confirm again first."</p>
                <div data-testid="complete-form">
                    <button type="submit" class="button" id="complete" name="complete" value="yes"
                        formaction="/api/complete_audit"
                        disabled=move || complete.pending().get()
                        on:click=on_complete>"Complete and file the audit"</button>
                </div>
            })}
        </Form>
        </div>
    }
}

/// Drops what this device kept for the audit and shows the saved version.
fn load_newer(id: i64) {
    #[cfg(feature = "hydrate")]
    {
        use gloo_storage::Storage;
        gloo_storage::LocalStorage::delete(autosave::key(id));
        let _ = window().location().reload();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

fn after_save(
    result: Result<i64, AppError>,
    version: RwSignal<i64>,
    dirty: RwSignal<bool>,
) -> SaveState {
    match result {
        Ok(v) => {
            version.set(v);
            SaveState::Saved("All changes saved".to_string())
        }
        Err(AppError::Network) => {
            dirty.set(true);
            SaveState::OnDevice
        }
        Err(AppError::Stale { by, version: newer }) => {
            // Saving again (on purpose) keeps this device's work over the newer version.
            version.set(newer);
            SaveState::Stale(format!(
            "Not saved: {by} saved a newer version since you opened this page. Your changes are kept on this device; load the newer version, or press Save draft to keep yours over it."
            ))
        }
        Err(AppError::Invalid(problems)) => SaveState::Problems(problems),
        Err(other) => SaveState::Failed(format!("Not saved: {other}")),
    }
}

#[cfg(feature = "hydrate")]
mod autosave {
    use super::*;
    use gloo_storage::{LocalStorage, Storage};
    use leptos::wasm_bindgen::JsCast;
    use serde::{Deserialize, Serialize};
    use std::collections::HashMap;

    /// How often the draft is saved while someone types.
    const EVERY_MS: u64 = 3_000;

    #[derive(Serialize, Deserialize)]
    struct Kept {
        version: i64,
        fields: HashMap<String, String>,
    }

    pub fn key(id: i64) -> String {
        crate::auth::browser_key(&format!("audit-{id}"))
    }

    fn controls(root: &web_sys::Element) -> Vec<web_sys::Element> {
        let Ok(list) = root.query_selector_all("[name^='f[']") else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok())
            .collect()
    }

    fn read(root: &web_sys::Element) -> HashMap<String, String> {
        controls(root)
            .into_iter()
            .filter_map(|el| {
                let name = el.get_attribute("name")?;
                let field = name.strip_prefix("f[")?.strip_suffix(']')?.to_string();
                let value = if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
                    i.value()
                } else if let Some(t) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
                    t.value()
                } else {
                    el.dyn_ref::<web_sys::HtmlSelectElement>()?.value()
                };
                Some((field, value))
            })
            .collect()
    }

    fn write(root: &web_sys::Element, fields: &HashMap<String, String>) {
        for el in controls(root) {
            let Some(value) = el.get_attribute("name").and_then(|n| {
                fields
                    .get(n.trim_start_matches("f[").trim_end_matches(']'))
                    .cloned()
            }) else {
                continue;
            };
            if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
                i.set_value(&value);
            } else if let Some(t) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
                t.set_value(&value);
            } else if let Some(s) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
                s.set_value(&value);
            }
        }
    }

    pub fn start(
        id: i64,
        root: NodeRef<leptos::html::Div>,
        version: RwSignal<i64>,
        dirty: RwSignal<bool>,
        status: RwSignal<SaveState>,
        in_flight: RwSignal<bool>,
        complete: FormAction<CompleteAudit>,
        want_complete: RwSignal<bool>,
    ) {
        // Typing kept on this device from an earlier visit goes back into the form.
        Effect::new(move |done: Option<bool>| {
            if done == Some(true) {
                return true;
            }
            let Some(el) = root.get() else { return false };
            if let Ok(kept) = LocalStorage::get::<Kept>(key(id)) {
                write(&el, &kept.fields);
                if kept.version == version.get_untracked() {
                    dirty.set(true);
                    status.set(SaveState::OnDevice);
                } else {
                    // Never save old work over newer work without being asked.
                    status.set(SaveState::Stale(
                        "Your unsaved changes from this device are shown, but a newer version was saved since. \
                         Press Save draft to keep yours over it, or load the newer version."
                            .into(),
                    ));
                }
            }
            true
        });
        let tick = move || {
            // After a stale save, wait for the person to choose; never overwrite silently.
            let held = matches!(status.get_untracked(), SaveState::Stale(_));
            let completing = complete.pending().get_untracked() || want_complete.get_untracked();
            if held || completing || !dirty.get_untracked() || in_flight.get_untracked() {
                return;
            }
            let Some(el) = root.get_untracked() else {
                return;
            };
            let fields = read(&el);
            dirty.set(false);
            in_flight.set(true);
            status.set(SaveState::Saving);
            let base = version.get_untracked();
            leptos::task::spawn_local(async move {
                let result = super::super::save_draft(id, base, Some(fields.clone())).await;
                match &result {
                    Ok(_) => LocalStorage::delete(key(id)),
                    Err(_) => {
                        let _ = LocalStorage::set(
                            key(id),
                            Kept {
                                version: base,
                                fields,
                            },
                        );
                    }
                }
                status.set(after_save(result, version, dirty));
                in_flight.set(false);
            });
        };
        let handle = set_interval_with_handle(tick, std::time::Duration::from_millis(EVERY_MS));
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    }

    /// Completes with what is on the screen once Complete is pressed and no autosave is on
    /// its way (so the version sent is the newest, and the two never race).
    pub fn complete_when_saved(
        id: i64,
        root: NodeRef<leptos::html::Div>,
        version: RwSignal<i64>,
        dirty: RwSignal<bool>,
        in_flight: RwSignal<bool>,
        asked: RwSignal<bool>,
        complete: FormAction<CompleteAudit>,
    ) {
        Effect::new(move |_| {
            if !asked.get() || in_flight.get() {
                return;
            }
            asked.set(false);
            let Some(el) = root.get_untracked() else {
                return;
            };
            let fields = read(&el);
            dirty.set(false);
            complete.call(CompleteAudit {
                audit_id: id,
                version: version.get_untracked(),
                f: Some(fields),
            });
        });
    }
}

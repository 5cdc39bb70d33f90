use super::{closure_days, AddClosureDay, LoadBankHolidays};
use crate::ui::{field_error, form_errors, ErrorSummary, ErrorView, SignedIn, Tag};
use crate::ui::{Form, FormAction};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CalendarPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Calendar.draw(route.clone(), Some(me))/> }
}

pub(crate) fn calendar_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let add = FormAction::<AddClosureDay>::new();
    let load = FormAction::<LoadBankHolidays>::new();
    let days = crate::codec::resource(
        move || (add.version().get(), load.version().get()),
        |_| closure_days(),
    );
    let errors = move || {
        let mut e = form_errors(add.value().get());
        e.extend(form_errors(load.value().get()));
        e
    };
    view! {
        <Title text="Working-day calendar"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l">"Working-day calendar"</h1>
            <p class="body">
                "Rounds are due on the last working day of their month. Weekends and England and Wales bank holidays "
                "(2025 to 2028 come with the app) are not working days; add council closure days and newer bank holidays here. "
                "Due dates of rounds not yet closed move to match."
            </p>
            {move || view! { <ErrorSummary errors=errors()/> }}
            {move || load.value().get().and_then(Result::ok).map(|n| view! {
                <p class="body" role="status" data-testid="loaded">{format!("{n} new bank holidays added.")}</p>
            })}
            <h2 class="heading-m">"Add a council closure day"</h2>
            <Form action=add attr:data-testid="add-closure">
                <div class="form-group" class:form-group--error=move || field_error(&errors(), "day").is_some()>
                    <label class="label" for="day">"Date"</label>
                    {move || field_error(&errors(), "day").map(|m| view! { <p class="error-message">{m}</p> })}
                    <input class="input input--date" id="day" name="day" type="date"/>
                </div>
                <div class="form-group" class:form-group--error=move || field_error(&errors(), "reason").is_some()>
                    <label class="label" for="reason">"Reason"</label>
                    {move || field_error(&errors(), "reason").map(|m| view! { <p class="error-message">{m}</p> })}
                    <input class="input" id="reason" name="reason"/>
                </div>
                <button type="submit" class="button">"Add closure day"</button>
            </Form>
            <h2 class="heading-m">"Load bank holidays"</h2>
            <Form action=load attr:data-testid="load-bank-holidays">
                <div class="form-group" class:form-group--error=move || field_error(&errors(), "json").is_some()>
                    <label class="label" for="json">"Contents of gov.uk's bank-holidays.json"</label>
                    {move || field_error(&errors(), "json").map(|m| view! { <p class="error-message">{m}</p> })}
                    <textarea class="textarea" id="json" name="json" rows="6"></textarea>
                </div>
                <button type="submit" class="button button--secondary">"Load bank holidays"</button>
            </Form>
            <h2 class="heading-m">"Days added"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match days.await {
                        Ok(list) if list.is_empty() => view! { <p class="body">"None yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <crate::ui::TableWrap><table class="table" data-testid="closure-days">
                                <thead><tr><th scope="col">"Date"</th><th scope="col">"Kind"</th><th scope="col">"Reason"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|d| view! {
                                        <tr>
                                            <td>{d.day.format("%A %-d %B %Y").to_string()}</td>
                                            <td>{if d.bank_holiday { view! { <Tag text="Bank holiday" colour="blue"/> } } else { view! { <Tag text="Council closure" colour="grey"/> } }}</td>
                                            <td>{d.reason}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table></crate::ui::TableWrap>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

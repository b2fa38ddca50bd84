//! `/m/leads/calls/:id`: the agent's call screen. Take the next contact, call them, record what
//! happened; the screen then offers the next one.

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use kith_domain::leads::call_lists::{CallContactView, CallListView, CallLog, CallOutcome, Disposition, NewCall};
use kith_domain::{CallListId, FieldError, LeadId, Problem};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use super::{disposition_label, list_stats, DISPOSITIONS};
use crate::api::{problem_of, use_client};
use crate::components::field::{invalid, Field, FormAlert};
use crate::components::table::{EmptyState, Loading};
use crate::components::toast::use_toaster;
use crate::format;
use crate::pages::leads::{lead_href, non_blank, LeadsGate};

/// Where the agent is with the queue.
#[derive(Clone, Debug, PartialEq)]
enum Held {
    /// Nothing asked yet.
    Idle,
    /// Asking for the next contact.
    Asking,
    /// Nothing is due.
    Empty,
    Contact(Box<CallContactView>),
    /// The hold on the contact ran out before the call was recorded.
    Expired,
}

/// A `datetime-local` value ("2026-03-01T14:30"), read in the browser's time zone, as UTC.
fn local_to_utc(value: &str) -> Option<DateTime<Utc>> {
    let local = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    let date = js_sys::Date::new_with_year_month_day_hr_min_sec(
        u32::try_from(local.year()).ok()?,
        i32::try_from(local.month0()).ok()?,
        i32::try_from(local.day()).ok()?,
        i32::try_from(local.hour()).ok()?,
        i32::try_from(local.minute()).ok()?,
        i32::try_from(local.second()).ok()?,
    );
    let millis = date.get_time();
    if millis.is_nan() {
        return None;
    }
    DateTime::from_timestamp_millis(millis as i64)
}

/// A phone number as a `tel:` address: digits and a leading plus only.
fn tel_href(phone: &str) -> String {
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
    format!("tel:{digits}")
}

#[component]
pub fn CallScreenPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<CallListId>().ok())));
    view! {
        <LeadsGate>
            {move || match id.get() {
                Some(id) => view! { <CallScreen id /> }.into_any(),
                None => not_found().into_any(),
            }}
        </LeadsGate>
    }
}

fn not_found() -> impl IntoView {
    view! {
        <div class="card">
            <EmptyState icon="?" title="This call list does not exist" text="It may have been deleted, or the address is mistyped." />
            <p class="empty-text center">
                <a href="/m/leads/calls">"Back to the call lists"</a>
            </p>
        </div>
    }
}

#[component]
fn CallScreen(id: CallListId) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let list = RwSignal::new(None::<CallListView>);
    let missing = RwSignal::new(false);
    let held = RwSignal::new(Held::Idle);
    // The lead the last call made, with the person's name.
    let last_lead = RwSignal::new(None::<(LeadId, String)>);

    let refresh = Callback::new({
        let client = client.clone();
        move |()| {
            let client = client.clone();
            spawn_local(async move {
                match client.get_call_list(id).await {
                    Ok(found) => {
                        list.try_set(Some(found));
                    }
                    Err(error) if error.status() == Some(404) => {
                        missing.try_set(true);
                    }
                    Err(error) => toaster.error(&error),
                }
            });
        }
    });
    refresh.run(());

    let next = Callback::new(move |()| {
        if held.get_untracked() == Held::Asking {
            return;
        }
        held.set(Held::Asking);
        let client = client.clone();
        spawn_local(async move {
            match client.next_call(id).await {
                Ok(Some(contact)) => {
                    held.try_set(Held::Contact(Box::new(contact)));
                }
                Ok(None) => {
                    held.try_set(Held::Empty);
                }
                Err(error) => {
                    held.try_set(Held::Idle);
                    toaster.error(&error);
                }
            }
        });
    });

    let on_logged = Callback::new(move |outcome: CallOutcome| {
        match outcome.lead_id {
            Some(lead) => {
                let c = &outcome.contact;
                let name = [c.first_name.trim(), c.last_name.trim()].join(" ").trim().to_owned();
                let name = if name.is_empty() { c.company_name.clone() } else { name };
                toaster.success_with_link(format!("Lead created: {name}"), format!("Open {name}"), lead_href(lead));
                last_lead.set(Some((lead, name)));
            }
            None => toaster.success("Saved"),
        }
        refresh.run(());
        held.set(Held::Idle);
        next.run(());
    });
    let on_expired = Callback::new(move |()| {
        toaster.failure(
            "Your hold on this contact expired",
            "Someone else may be calling them now. Take the next contact to go on.",
        );
        held.set(Held::Expired);
        refresh.run(());
    });

    let body = move || match held.get() {
        Held::Idle => view! {
            <section class="card" id="call-idle">
                <EmptyState icon="☎" title="Ready when you are" text="Take the next contact to start calling." />
            </section>
        }
        .into_any(),
        Held::Asking => view! {
            <section class="card">
                <Loading />
            </section>
        }
        .into_any(),
        Held::Empty => view! {
            <section class="card" id="call-empty">
                <EmptyState
                    icon="✓"
                    title="Nothing to call right now"
                    text="Nothing to call right now; callbacks come back at their time."
                />
            </section>
        }
        .into_any(),
        Held::Expired => view! {
            <section class="card" id="call-expired">
                <EmptyState
                    icon="!"
                    title="Your hold on this contact expired"
                    text="The call was not recorded. Take the next contact to go on."
                />
            </section>
        }
        .into_any(),
        Held::Contact(contact) => view! { <ContactCard contact=*contact on_logged on_expired /> }.into_any(),
    };

    let lead_notice = move || {
        last_lead.get().map(|(lead, name)| {
            view! {
                <div class="bulk-outcome" role="status" id="call-lead-created">
                    <div class="row">
                        <strong>"Lead created:"</strong>
                        <a id="call-lead-link" href=lead_href(lead)>
                            {name}
                        </a>
                        <span class="spacer"></span>
                        <button
                            type="button"
                            class="btn btn-ghost btn-sm"
                            aria-label="Dismiss"
                            on:click=move |_| last_lead.set(None)
                        >
                            "×"
                        </button>
                    </div>
                </div>
            }
        })
    };

    move || {
        if missing.get() {
            return not_found().into_any();
        }
        view! {
            <div class="page-header">
                <div>
                    <a class="back-link" href="/m/leads/calls">
                        "← Call lists"
                    </a>
                    <h1 id="call-list-name">{move || list.with(|l| l.as_ref().map(|l| l.name.clone()).unwrap_or_default())}</h1>
                    <p class="page-subtitle">"Take the next contact, call them, and record what happened."</p>
                </div>
                <div class="row header-actions">
                    <button
                        id="call-next"
                        type="button"
                        class="btn btn-primary"
                        disabled=move || held.with(|h| *h == Held::Asking)
                        on:click=move |_| next.run(())
                    >
                        "Next contact"
                    </button>
                </div>
            </div>
            <div class="stack">
                <section class="card">
                    <div class="card-body" id="call-counts">
                        {move || list.get().map(|l| list_stats(&l, "call"))}
                    </div>
                </section>
                {lead_notice}
                {body}
            </div>
        }
        .into_any()
    }
}

#[component]
fn ContactCard(
    contact: CallContactView,
    #[prop(into)] on_logged: Callback<CallOutcome>,
    #[prop(into)] on_expired: Callback<()>,
) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let note = RwSignal::new(String::new());
    let callback_at = RwSignal::new(String::new());
    let callback_open = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let contact_id = contact.id;

    let log = Callback::new(move |disposition: Disposition| {
        if busy.get_untracked() {
            return;
        }
        let mut when = None;
        if disposition == Disposition::Callback {
            let value = callback_at.get_untracked();
            if !callback_open.get_untracked() && value.is_empty() {
                // The first click asks when.
                callback_open.set(true);
                problem.set(None);
                return;
            }
            callback_open.set(true);
            let error = |message: &str| {
                problem.set(Some(Problem::validation(vec![FieldError::new("callback_at", "invalid", message)])));
            };
            if value.is_empty() {
                error("Choose when to call back.");
                return;
            }
            match local_to_utc(&value) {
                Some(at) if at > format::now() => when = Some(at),
                Some(_) => {
                    error("Choose a time in the future.");
                    return;
                }
                None => {
                    error("Enter a date and time.");
                    return;
                }
            }
        }
        problem.set(None);
        busy.set(true);
        let call = NewCall { disposition, note: non_blank(&note.get_untracked()), callback_at: when };
        let client = client.clone();
        spawn_local(async move {
            let result = client.log_call(contact_id, &call).await;
            busy.try_set(false);
            match result {
                Ok(outcome) => {
                    on_logged.try_run(outcome);
                }
                Err(error) if error.status() == Some(409) => {
                    on_expired.try_run(());
                }
                Err(error) => {
                    problem.try_set(Some(problem_of(&error)));
                    toaster.error(&error);
                }
            }
        });
    });

    let name = format!("{} {}", contact.first_name, contact.last_name).trim().to_owned();
    let name = if name.is_empty() { "(no name)".to_owned() } else { name };
    let subtitle = match (contact.title.trim(), contact.company_name.trim()) {
        ("", "") => String::new(),
        (title, "") => title.to_owned(),
        ("", company) => company.to_owned(),
        (title, company) => format!("{title} at {company}"),
    };
    let text = |value: &str, id: &'static str| {
        if value.trim().is_empty() {
            view! {
                <dd class="muted" id=id>
                    "—"
                </dd>
            }
            .into_any()
        } else {
            view! { <dd id=id>{value.to_owned()}</dd> }.into_any()
        }
    };
    let phone = match contact.phone.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(phone) => view! {
            <dd>
                <a id="call-phone" href=tel_href(phone)>
                    {phone.to_owned()}
                </a>
            </dd>
        }
        .into_any(),
        None => view! {
            <dd class="muted" id="call-phone">
                "No phone number"
            </dd>
        }
        .into_any(),
    };
    let history = if contact.calls.is_empty() {
        view! { <p class="muted small" id="call-history-empty">"Not called yet."</p> }.into_any()
    } else {
        let rows = contact.calls.iter().rev().map(call_row).collect_view();
        view! {
            <div class="table-wrap">
                <table class="table" id="call-history">
                    <thead>
                        <tr>
                            <th>"Outcome"</th>
                            <th>"Note"</th>
                            <th>"When"</th>
                            <th>"Call back at"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };

    let buttons = DISPOSITIONS
        .into_iter()
        .map(|d| {
            let class = if d == Disposition::Interested { "btn btn-primary" } else { "btn btn-secondary" };
            view! {
                <button
                    type="button"
                    class=class
                    data-testid=format!("disposition-{}", d.as_str())
                    aria-expanded=move || (d == Disposition::Callback).then(|| callback_open.get().to_string())
                    disabled=move || busy.get()
                    on:click=move |_| log.run(d)
                >
                    {disposition_label(d)}
                </button>
            }
        })
        .collect_view();

    view! {
        <section class="card" id="call-contact" data-call-contact-id=contact_id.to_string()>
            <div class="card-header">
                <div>
                    <h2 class="call-contact-name" id="call-contact-name">
                        {name}
                    </h2>
                    {(!subtitle.is_empty()).then(|| view! { <p class="card-text">{subtitle}</p> })}
                </div>
                <span class="badge" id="call-attempts-badge">
                    {format!("Attempt {}", contact.attempts + 1)}
                </span>
            </div>
            <div class="card-body stack">
                <dl class="facts">
                    <dt>"Title"</dt>
                    {text(&contact.title, "call-title")}
                    <dt>"Company"</dt>
                    {text(&contact.company_name, "call-company")}
                    <dt>"Phone"</dt>
                    {phone}
                    <dt>"Email"</dt>
                    {text(contact.email.as_deref().unwrap_or_default(), "call-email")}
                    <dt>"Country"</dt>
                    {text(contact.country.as_deref().unwrap_or_default(), "call-country")}
                    <dt>"Attempts so far"</dt>
                    <dd id="call-attempts">{contact.attempts}</dd>
                </dl>
                <div class="stack-sm">
                    <h3>"Previous calls"</h3>
                    {history}
                </div>
                <div class="form">
                    <FormAlert problem fields=&["callback_at", "note"] />
                    <Field label="Note" id="call-note" name="note" problem>
                        <textarea
                            id="call-note"
                            placeholder="What was said"
                            aria-invalid=invalid(problem, "note")
                            bind:value=note
                        ></textarea>
                    </Field>
                    {move || {
                        callback_open
                            .get()
                            .then(|| {
                                view! {
                                    <Field
                                        label="Call back at"
                                        id="call-callback-at"
                                        name="callback_at"
                                        problem
                                        hint="Your local time. Press “Callback” again to save."
                                    >
                                        <input
                                            id="call-callback-at"
                                            type="datetime-local"
                                            required
                                            aria-invalid=invalid(problem, "callback_at")
                                            bind:value=callback_at
                                        />
                                    </Field>
                                }
                            })
                    }}
                    <div class="dispositions" role="group" aria-label="What happened">
                        {buttons}
                    </div>
                </div>
            </div>
        </section>
    }
}

fn call_row(call: &CallLog) -> impl IntoView {
    view! {
        <tr data-testid="call-history-row">
            <td class="nowrap">{disposition_label(call.disposition)}</td>
            <td>{call.note.clone().unwrap_or_default()}</td>
            <td class="muted nowrap">{format::datetime(call.created_at)}</td>
            <td class="muted nowrap">{call.callback_at.map(format::datetime).unwrap_or_default()}</td>
        </tr>
    }
}

//! Activities on any record (the kernel's feature; a record page passes its kind and id): log a
//! call, add a note, a task or a meeting — each form checked by the domain's `Check` before it is
//! sent — and the record's activities (with its linked records') with done toggles for tasks.
//! Times are typed and shown in the browser's own time zone; the API gets UTC instants.

use chrono::{DateTime, Utc};
use kith_domain::core::activities::{
    ActivityKind, ActivityPatch, ActivityQuery, ActivityView, CallOutcome, Direction, NewActivity, Priority,
};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::components::field::{invalid, Field, FormAlert, TextField};
use crate::components::table::{LoadMore, Paged};
use crate::components::toast::use_toaster;
use crate::data::{Found, Save};

const PAGE_SIZE: u32 = 20;

/// The browser's IANA time zone (`Europe/Berlin`), or UTC.
pub fn browser_time_zone() -> String {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
    js_sys::Reflect::get(&options, &JsValue::from_str("timeZone"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "UTC".to_owned())
}

/// Minutes east of UTC in the browser now.
pub fn browser_utc_offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// A `datetime-local` input's value (the browser's local time) as an instant; `Err` when it is not one.
fn local_input(value: &str) -> Result<Option<DateTime<Utc>>, ()> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    let ms = js_sys::Date::new(&JsValue::from_str(value)).get_time();
    if ms.is_nan() {
        return Err(());
    }
    DateTime::from_timestamp_millis(ms as i64).map(Some).ok_or(())
}

/// An instant in the browser's local time: `Tue 12 Mar, 14:30`.
pub fn local_time(at: DateTime<Utc>) -> String {
    let d = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{} {} {}, {:02}:{:02}",
        days[d.get_day() as usize % 7],
        d.get_date(),
        months[d.get_month() as usize % 12],
        d.get_hours(),
        d.get_minutes()
    )
}

/// `14:30` in the browser's local time.
pub fn local_clock(at: DateTime<Utc>) -> String {
    let d = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// A task's done toggle: the change with the version it was read at; the answer replaces the row.
pub fn toggle_done(on_done: impl Fn(ActivityView) + 'static) -> Save<(ActivityView, bool)> {
    Save::new(
        |client, (activity, done): (ActivityView, bool)| async move {
            client
                .update_activity(
                    activity.id,
                    activity.version,
                    &ActivityPatch { done: Some(done), ..Default::default() },
                )
                .await
        },
        on_done,
    )
}

/// One activity as a list row: what it is, when, and a done box for tasks.
#[component]
pub fn ActivityRow(
    activity: ActivityView,
    /// Whether the done box may be used.
    editable: bool,
    toggle: Save<(ActivityView, bool)>,
    /// Show which record it is on (My day); a record's own page leaves it out.
    #[prop(optional)]
    show_record: bool,
) -> impl IntoView {
    let done = activity.done_at.is_some();
    let is_task = activity.kind == ActivityKind::Task;
    let when = match activity.kind {
        ActivityKind::Task => activity.due_at.map(|d| format!("Due {}", local_time(d))),
        k if k.is_scheduled() => {
            activity.starts_at.zip(activity.ends_at).map(|(s, e)| format!("{} – {}", local_time(s), local_clock(e)))
        }
        _ => Some(local_time(activity.starts_at.unwrap_or(activity.created_at))),
    }
    .unwrap_or_default();
    // The badge names the kind: tasks and meetings show their title, calls and emails their summary.
    let title = match activity.kind {
        ActivityKind::Note => activity.body.clone(),
        ActivityKind::Call | ActivityKind::Email => activity.summary(),
        _ => activity.subject.clone(),
    };
    let detail = match activity.kind {
        ActivityKind::Note => String::new(),
        _ => activity.body.clone(),
    };
    let place = activity.location.clone().filter(|l| !l.trim().is_empty());
    let record = show_record.then(|| {
        let name = activity.record_name.clone().unwrap_or_else(|| crate::format::entity_label(&activity.record_kind));
        match crate::registry::record_href(&activity.record_kind, &activity.record_id) {
            Some(href) => view! { <a href=href data-testid="activity-record">{name}</a> }.into_any(),
            None => view! { <span>{name}</span> }.into_any(),
        }
    });
    let for_toggle = activity.clone();
    let check = is_task.then(|| {
        view! {
            <input
                type="checkbox"
                data-testid="activity-done"
                aria-label="Done"
                prop:checked=done
                disabled=move || !editable || toggle.busy()
                on:change=move |_| toggle.dispatch((for_toggle.clone(), !done))
            />
        }
    });
    view! {
        <li class="activity-item" class:done=done data-testid="activity-row" data-kind=activity.kind.as_str()>
            <div class="activity-check">{check}</div>
            <div class="activity-main">
                <div class="activity-title">
                    <span class="badge">{activity.kind.label()}</span>
                    " "
                    <span data-testid="activity-title">{title}</span>
                </div>
                {(!detail.trim().is_empty()).then(|| view! { <p class="activity-body">{detail.clone()}</p> })}
                <div class="muted small">
                    {when}
                    {place.map(|p| format!(" · {p}"))}
                    {record.map(|r| view! { " · " {r} })}
                </div>
            </div>
        </li>
    }
}

/// The "Activities" card of a record's page.
#[component]
pub fn ActivitiesCard(
    record_kind: &'static str,
    record_id: String,
    /// Whether the caller may change the record (log activities, tick tasks).
    editable: bool,
    /// Called after a change (the record's timeline notes each).
    #[prop(into)]
    on_change: Callback<()>,
) -> impl IntoView {
    let toaster = use_toaster();
    let list = {
        let record_id = record_id.clone();
        Paged::<ActivityView>::of(move |client, cursor| {
            let q = ActivityQuery {
                record_kind: record_kind.to_owned(),
                record_id: record_id.clone(),
                kind: None,
                limit: Some(PAGE_SIZE),
                cursor,
            };
            async move { client.list_activities(&q).await }
        })
    };
    let toggle = toggle_done(move |view: ActivityView| {
        toaster.success(if view.done_at.is_some() { "Task done" } else { "Task open again" });
        let id = view.id;
        list.replace(|a| a.id == id, view);
        on_change.run(());
    })
    .reloading(move || list.refresh());
    let form = editable.then(|| {
        view! {
            <ActivityForm
                record_kind
                record_id=record_id.clone()
                on_saved=move |_| {
                    list.refresh();
                    on_change.run(());
                }
            />
        }
    });
    let rows = move || {
        list.items.get().into_iter().map(|activity| view! { <ActivityRow activity editable toggle /> }).collect_view()
    };
    let empty = move || {
        (list.loaded.get() && list.items.with(Vec::is_empty)).then(
            || view! { <p class="muted" data-testid="activities-empty">"No calls, notes, tasks or meetings yet."</p> },
        )
    };
    view! {
        <section class="card" id="activities" data-testid="activities-card">
            <div class="card-header">
                <div>
                    <h2>"Activities"</h2>
                    <p class="card-text">"Calls, notes, tasks and meetings with this record and the records linked to it."</p>
                </div>
            </div>
            {form}
            <ul class="activity-list">{rows}</ul>
            {empty}
            <LoadMore paged=list on_more=move |()| list.next() />
        </section>
    }
}

/// The entry form: one kind at a time (call, note, task, meeting), each with its own fields.
#[component]
fn ActivityForm(
    record_kind: &'static str,
    record_id: String,
    #[prop(into)] on_saved: Callback<ActivityView>,
) -> impl IntoView {
    let toaster = use_toaster();
    let kind = RwSignal::new(ActivityKind::Call);
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let direction = RwSignal::new("out".to_owned());
    let outcome = RwSignal::new(String::new());
    let minutes = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    let priority = RwSignal::new("normal".to_owned());
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let location = RwSignal::new(String::new());
    let clear = move || {
        for s in [subject, body, outcome, minutes, due, start, end, location] {
            s.set(String::new());
        }
    };
    let save = Save::new(
        |client, input: NewActivity| async move { client.create_activity(&input).await },
        move |view: ActivityView| {
            toaster.success(match view.kind {
                ActivityKind::Call => "Call logged",
                ActivityKind::Note => "Note added",
                ActivityKind::Task => "Task added",
                _ => "Meeting added",
            });
            clear();
            on_saved.run(view);
        },
    );
    let problem = save.problem;
    let record_id = StoredValue::new(record_id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut found = Found::new();
        let k = kind.get_untracked();
        let mut input = NewActivity {
            record_kind: record_kind.to_owned(),
            record_id: record_id.get_value(),
            kind: k,
            subject: subject.get_untracked().trim().to_owned(),
            body: body.get_untracked(),
            ..Default::default()
        };
        match k {
            ActivityKind::Call => {
                input.direction = Direction::parse(&direction.get_untracked());
                input.outcome = CallOutcome::parse(&outcome.get_untracked());
                let m = minutes.get_untracked();
                if !m.trim().is_empty() {
                    input.duration_seconds = found
                        .take(m.trim().parse::<i64>(), "duration_seconds", "invalid", "Give whole minutes.")
                        .map(|m| m * 60);
                }
            }
            ActivityKind::Task => {
                input.due_at = found
                    .take(local_input(&due.get_untracked()), "due_at", "invalid", "Give a date and time.")
                    .flatten();
                input.priority = Priority::parse(&priority.get_untracked());
            }
            ActivityKind::Meeting => {
                input.starts_at = found
                    .take(local_input(&start.get_untracked()), "starts_at", "invalid", "Give a date and time.")
                    .flatten();
                input.ends_at = found
                    .take(local_input(&end.get_untracked()), "ends_at", "invalid", "Give a date and time.")
                    .flatten();
                input.time_zone = Some(browser_time_zone());
                let place = location.get_untracked();
                input.location = (!place.trim().is_empty()).then(|| place.trim().to_owned());
            }
            _ => {}
        }
        save.submit(found, input);
    };
    let tab = move |k: ActivityKind, label: &'static str| {
        view! {
            <button
                type="button"
                class="btn btn-sm"
                class:btn-primary=move || kind.get() == k
                data-testid=format!("activity-kind-{}", k.as_str())
                on:click=move |_| {
                    kind.set(k);
                    problem.set(None);
                }
            >
                {label}
            </button>
        }
    };
    let fields = move || {
        match kind.get() {
        ActivityKind::Call => view! {
            <div class="form-row">
                <Field label="Direction" id="activity-direction" name="direction" problem>
                    <select id="activity-direction" prop:value=move || direction.get() on:change=move |ev| direction.set(event_target_value(&ev))>
                        <option value="out">"Outbound"</option>
                        <option value="in">"Inbound"</option>
                    </select>
                </Field>
                <Field label="Outcome" id="activity-outcome" name="outcome" problem>
                    <select
                        id="activity-outcome"
                        aria-invalid=invalid(problem, "outcome")
                        prop:value=move || outcome.get()
                        on:change=move |ev| outcome.set(event_target_value(&ev))
                    >
                        <option value="">"Choose…"</option>
                        {CallOutcome::ALL
                            .into_iter()
                            .map(|o| view! { <option value=o.as_str()>{o.label()}</option> })
                            .collect_view()}
                    </select>
                </Field>
                <TextField label="Minutes" id="activity-minutes" name="duration_seconds" kind="number" problem value=minutes />
            </div>
            <BodyField problem body label="Notes" />
        }
        .into_any(),
        ActivityKind::Note => view! { <BodyField problem body label="Note" /> }.into_any(),
        ActivityKind::Task => view! {
            <TextField label="Task" id="activity-subject" name="subject" problem value=subject placeholder="Send the quote" />
            <div class="form-row">
                <TextField label="Due" id="activity-due" name="due_at" kind="datetime-local" problem value=due />
                <Field label="Priority" id="activity-priority" name="priority" problem>
                    <select id="activity-priority" prop:value=move || priority.get() on:change=move |ev| priority.set(event_target_value(&ev))>
                        <option value="low">"Low"</option>
                        <option value="normal">"Normal"</option>
                        <option value="high">"High"</option>
                    </select>
                </Field>
            </div>
        }
        .into_any(),
        _ => view! {
            <TextField label="Title" id="activity-subject" name="subject" problem value=subject placeholder="Product demo" />
            <div class="form-row">
                <TextField label="Starts" id="activity-start" name="starts_at" kind="datetime-local" problem value=start />
                <TextField label="Ends" id="activity-end" name="ends_at" kind="datetime-local" problem value=end />
            </div>
            <TextField label="Where" id="activity-location" name="location" problem value=location placeholder="Zoom, their office …" />
        }
        .into_any(),
    }
    };
    view! {
        <form class="card-body activity-form" on:submit=submit novalidate data-testid="activity-form">
            <div class="button-row" role="group" aria-label="Kind of activity">
                {tab(ActivityKind::Call, "Log a call")}
                {tab(ActivityKind::Note, "Add a note")}
                {tab(ActivityKind::Task, "Add a task")}
                {tab(ActivityKind::Meeting, "Add a meeting")}
            </div>
            {fields}
            <FormAlert
                problem
                fields=&["direction", "outcome", "duration_seconds", "body", "subject", "due_at", "priority", "starts_at", "ends_at", "location"]
            />
            <div class="button-row">
                <button type="submit" class="btn btn-primary" data-testid="activity-save" disabled=move || save.busy()>
                    "Save"
                </button>
            </div>
        </form>
    }
}

#[component]
fn BodyField(
    problem: RwSignal<Option<kith_domain::Problem>>,
    body: RwSignal<String>,
    label: &'static str,
) -> impl IntoView {
    view! {
        <Field label id="activity-body" name="body" problem>
            <textarea
                id="activity-body"
                rows="3"
                aria-invalid=invalid(problem, "body")
                prop:value=move || body.get()
                on:input=move |ev| body.set(event_target_value(&ev))
            ></textarea>
        </Field>
    }
}

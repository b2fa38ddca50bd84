//! Home: "My day" — the signed-in person's overdue and today's tasks (tick them done in place),
//! today's meetings and events, and the sections contexts add on the server (due callbacks, …),
//! each linking to its record; then the way into each module the role may use.

use kith_domain::core::activities::{ActivityView, DaySection, MyDay};
use kith_domain::core::modules::Module;
use leptos::prelude::*;

use super::activities::{browser_utc_offset_minutes, local_time, toggle_done, ActivityRow};
use crate::auth::use_session;
use crate::components::nav::module_href;
use crate::components::toast::use_toaster;
use crate::data::{load, Loaded, Save};

#[component]
pub fn Dashboard() -> impl IntoView {
    let session = use_session();
    let first_name = move || {
        session.me.with(|me| me.as_ref().and_then(|me| me.user.name.split_whitespace().next().map(str::to_owned)))
    };
    let modules = move || {
        Module::ALL
            .into_iter()
            .filter(|m| session.can_read(*m))
            .map(|m| {
                view! {
                    <a class="module-card" href=module_href(m)>
                        <h3>{m.label()}</h3>
                        <p>{m.purpose()}</p>
                    </a>
                }
            })
            .collect_view()
    };
    view! {
        <div class="stack">
            <section class="welcome">
                <h1>{move || first_name().map(|n| format!("Good to see you, {n}")).unwrap_or_else(|| "My day".into())}</h1>
                <p class="page-subtitle">"Your tasks, meetings and callbacks for today."</p>
            </section>
            <MyDayView />
            <section>
                <div class="module-grid">{modules}</div>
            </section>
        </div>
    }
}

#[component]
fn MyDayView() -> impl IntoView {
    let toaster = use_toaster();
    let offset = browser_utc_offset_minutes();
    let day = load(move |client| async move { client.my_day(offset).await });
    // A task ticked done leaves the lists at once (and comes back if ticked open again elsewhere).
    let toggle = toggle_done(move |view: ActivityView| {
        if view.done_at.is_some() {
            toaster.success(format!("Done: {}", view.subject));
        }
        day.update(|d: &mut MyDay| {
            d.overdue_tasks.retain(|a| a.id != view.id || a.done_at.is_none() && view.done_at.is_none());
            d.today_tasks.retain(|a| a.id != view.id || view.done_at.is_none());
        });
    })
    .reloading(move || day.reload());
    view! {
        <Loaded data=day what="your day" let:day>
            <div class="my-day" data-testid="my-day">
                <TaskList title="Overdue" testid="my-day-overdue" items=day.overdue_tasks.clone() toggle empty="Nothing overdue." />
                <TaskList title="Due today" testid="my-day-today" items=day.today_tasks.clone() toggle empty="No more tasks due today." />
                <TaskList title="Meetings today" testid="my-day-meetings" items=day.meetings.clone() toggle empty="No meetings today." />
                {day.sections.clone().into_iter().map(|s| view! { <SectionCard section=s /> }).collect_view()}
            </div>
        </Loaded>
    }
}

#[component]
fn TaskList(
    title: &'static str,
    testid: &'static str,
    items: Vec<ActivityView>,
    toggle: Save<(ActivityView, bool)>,
    empty: &'static str,
) -> impl IntoView {
    let count = items.len();
    let rows = items
        .into_iter()
        .map(|activity| view! { <ActivityRow activity editable=true toggle show_record=true /> })
        .collect_view();
    view! {
        <section class="card" data-testid=testid>
            <div class="card-header">
                <h2>{title} {(count > 0).then(|| view! { <span class="badge">{count}</span> })}</h2>
            </div>
            {if count == 0 {
                view! { <p class="card-body muted">{empty}</p> }.into_any()
            } else {
                view! { <ul class="activity-list">{rows}</ul> }.into_any()
            }}
        </section>
    }
}

#[component]
fn SectionCard(section: DaySection) -> impl IntoView {
    let count = section.items.len();
    let rows = section
        .items
        .into_iter()
        .map(|item| {
            let href = item
                .record_kind
                .as_deref()
                .zip(item.record_id.as_deref())
                .and_then(|(k, id)| crate::registry::record_href(k, id));
            let title = match href {
                Some(href) => view! { <a href=href>{item.title.clone()}</a> }.into_any(),
                None => view! { <span>{item.title.clone()}</span> }.into_any(),
            };
            view! {
                <li class="activity-item" data-testid="my-day-item">
                    <div class="activity-main">
                        <div class="activity-title">{title}</div>
                        <div class="muted small">
                            {item.at.map(local_time)}
                            {(!item.detail.is_empty()).then(|| format!(" · {}", item.detail))}
                        </div>
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" data-testid=format!("my-day-{}", section.key)>
            <div class="card-header">
                <h2>{section.title.clone()} {(count > 0).then(|| view! { <span class="badge">{count}</span> })}</h2>
            </div>
            {if count == 0 {
                view! { <p class="card-body muted">"Nothing due."</p> }.into_any()
            } else {
                view! { <ul class="activity-list">{rows}</ul> }.into_any()
            }}
        </section>
    }
}

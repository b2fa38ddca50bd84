//! A lead's timeline: its status and owner history, captures, emails and engagement.

use kith_domain::leads::merge::LeadMergeUndone;
use kith_domain::leads::{LeadEvent, LeadEventKind, LeadSource, LeadStatus};
use leptos::prelude::*;

use super::duplicates::{forget_merge, remembered_merge};
use super::source_label;
use crate::components::table::{EmptyState, Loading};
use crate::components::toast::use_toaster;
use crate::data::Save;
use crate::format;
use crate::people::{use_people, People};

fn kind_label(kind: LeadEventKind) -> String {
    match kind {
        LeadEventKind::Created => "Created".to_owned(),
        LeadEventKind::StatusChanged => "Status changed".to_owned(),
        LeadEventKind::OwnerChanged => "Owner changed".to_owned(),
        LeadEventKind::Revisit => "Due for a revisit".to_owned(),
        other => format::humanize(other.as_str()),
    }
}

/// A `from` or `to` value for people: status labels, user names.
fn value_label(kind: LeadEventKind, value: Option<&str>, people: People) -> String {
    match (kind, value) {
        (LeadEventKind::OwnerChanged, None) => "Unassigned".to_owned(),
        (LeadEventKind::OwnerChanged, Some(id)) => people.name_of(id).unwrap_or_else(|| "Unknown user".to_owned()),
        (LeadEventKind::StatusChanged, Some(status)) => {
            LeadStatus::parse(status).map(|s| s.label().to_owned()).unwrap_or_else(|| status.to_owned())
        }
        (_, value) => value.unwrap_or("—").to_owned(),
    }
}

/// The timeline as loaded.
#[derive(Clone, Debug, PartialEq)]
pub enum Events {
    Loading,
    /// The request failed (and said so in a toast).
    Failed,
    Loaded(Vec<LeadEvent>),
}

#[component]
pub fn Timeline(
    events: RwSignal<Events>,
    /// Called after a merge was undone from its entry (the lead changed).
    #[prop(optional, into)]
    on_undone: Option<Callback<()>>,
) -> impl IntoView {
    let people = use_people();
    move || match events.get() {
        Events::Loading => view! { <Loading /> }.into_any(),
        Events::Failed => {
            view! { <EmptyState title="The timeline could not be loaded" text="Reload the page to try again." /> }
                .into_any()
        }
        Events::Loaded(events) if events.is_empty() => {
            view! { <EmptyState title="Nothing has happened yet" text="Changes, captures and emails show up here." /> }
                .into_any()
        }
        Events::Loaded(mut events) => {
            events.sort_by_key(|e| std::cmp::Reverse(e.occurred_at));
            view! {
                <ol class="timeline" id="lead-timeline">
                    {events.into_iter().map(|event| event_item(event, people, on_undone)).collect_view()}
                </ol>
            }
            .into_any()
        }
    }
}

fn event_item(event: LeadEvent, people: People, on_undone: Option<Callback<()>>) -> impl IntoView {
    let kind = event.kind;
    // An event of the contact, account or potential the lead became names that record and its own kind.
    let title = if kind == LeadEventKind::Other {
        format!("{}: {}", format::entity_label(&event.record_kind), format::humanize(&event.event).to_lowercase())
    } else {
        kind_label(kind)
    };
    let value_kind =
        if kind == LeadEventKind::Other && event.event == "owner_changed" { LeadEventKind::OwnerChanged } else { kind };
    let link = (kind == LeadEventKind::Other)
        .then(|| crate::registry::record_href(&event.record_kind, &event.record_id))
        .flatten()
        .map(|href| view! { <a class="small" href=href>"Open"</a> });
    // A merge this browser made can be undone from the kept lead's entry (its `from` is the merged lead).
    let undo = (kind == LeadEventKind::Merged)
        .then(|| event.from.clone())
        .flatten()
        .and_then(|merged| remembered_merge(&merged).map(|id| (merged, id)))
        .map(|(merged, id)| view! { <UndoMerge merged id on_undone /> });
    let change = match (event.from, event.to) {
        // A new lead's `to` is the channel it came from.
        (None, Some(source)) if kind == LeadEventKind::Created => {
            let source = LeadSource::parse(&source).map_or(source, |s| source_label(s).to_owned());
            Some(view! { <div class="timeline-change muted">"Source: " {source}</div> }.into_any())
        }
        (None, None) => None,
        // Both leads of a merge are named in the note.
        _ if kind == LeadEventKind::Merged => None,
        (from, to) => Some(
            view! {
                <div class="timeline-change">
                    <span class="change-old">{move || value_label(value_kind, from.as_deref(), people)}</span>
                    <span class="change-arrow">"→"</span>
                    <span>{move || value_label(value_kind, to.as_deref(), people)}</span>
                </div>
            }
            .into_any(),
        ),
    };
    let actor = event.actor_id.map(|id| {
        view! { <span class="muted">{move || people.name_of(&id).map(|n| format!(" · {n}")).unwrap_or_default()}</span> }
    });
    view! {
        <li class="timeline-item" data-testid="lead-event" data-kind=kind.as_str()>
            <div class="timeline-head">
                <strong>{title}</strong>
                <span class="muted small">{format::datetime(event.occurred_at)} {actor}</span>
                {link}
            </div>
            {change}
            {event.note.map(|note| view! { <div class="timeline-note">{note}</div> })}
            {undo}
        </li>
    }
}

#[component]
fn UndoMerge(merged: String, id: kith_domain::LeadMergeId, on_undone: Option<Callback<()>>) -> impl IntoView {
    let toaster = use_toaster();
    let undo = Save::new(
        move |client, merged: String| async move {
            let result = client.undo_lead_merge(id).await;
            // Undone elsewhere or too late: the button has no use any more.
            if result.as_ref().is_err_and(|error| matches!(error.status(), Some(404 | 422))) {
                forget_merge(&merged);
            }
            result.map(|undone| (merged, undone))
        },
        move |(merged, undone): (String, LeadMergeUndone)| {
            forget_merge(&merged);
            toaster.success(format!("Merge undone: {} is a separate lead again", undone.restored.display_name()));
            if let Some(on_undone) = on_undone {
                on_undone.run(());
            }
        },
    );
    view! {
        <div class="timeline-action">
            <button
                type="button"
                class="btn btn-secondary btn-sm"
                data-testid="timeline-undo-merge"
                disabled=move || undo.busy()
                on:click=move |_| undo.dispatch(merged.clone())
            >
                "Undo merge"
            </button>
        </div>
    }
}

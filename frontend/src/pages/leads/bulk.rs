//! The bar above the lead table while rows are selected: one change for all of them.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use kith_domain::leads::{BulkLeadUpdate, BulkResult, LeadStatus, LeadView};
use kith_domain::{FieldError, LeadId, Problem, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::filters::UNASSIGNED;
use super::{non_blank, owner_label, ownership_with, parse_tags, reach, readable, takes_revisit_date, HandOverDialog};
use crate::api::{problem_of, use_client};
use crate::auth::use_session;
use crate::components::field::{invalid, FieldError as FieldErrorView, FormAlert};
use crate::components::table::Paged;
use crate::components::toast::use_toaster;
use crate::data::Found;
use crate::format;
use crate::people::{use_people, user_options};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Owner,
    Status,
    AddTag,
    RemoveTag,
    /// Each lead gets the owner the assignment rules choose now.
    Rules,
}

impl Action {
    const ALL: [Action; 5] = [Action::Owner, Action::Rules, Action::Status, Action::AddTag, Action::RemoveTag];

    fn value(self) -> &'static str {
        match self {
            Action::Owner => "owner",
            Action::Status => "status",
            Action::AddTag => "add_tag",
            Action::RemoveTag => "remove_tag",
            Action::Rules => "assign_rules",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Action::Owner => "Assign owner",
            Action::Status => "Set status",
            Action::AddTag => "Add tag",
            Action::RemoveTag => "Remove tag",
            Action::Rules => "Assign by rules",
        }
    }
}

/// What the last bulk change did, with the refused leads by name.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkOutcome {
    pub updated: usize,
    pub refused: Vec<(String, String)>,
}

impl BulkOutcome {
    fn new(result: BulkResult, names: impl Fn(LeadId) -> String) -> BulkOutcome {
        let refused = result
            .failed
            .into_iter()
            .map(|failure| {
                let reasons: Vec<String> = failure.errors.into_iter().map(|e| e.message).collect();
                (names(failure.id), reasons.join(" "))
            })
            .collect();
        BulkOutcome { updated: result.updated.len(), refused }
    }
}

/// The change the form describes, or the field errors that keep it from being one.
fn build(
    ids: Vec<LeadId>,
    action: Action,
    owner: &str,
    status: &str,
    revisit: &str,
    reason: &str,
    tags: &str,
) -> Result<BulkLeadUpdate, Vec<FieldError>> {
    let mut update = BulkLeadUpdate { ids, ..Default::default() };
    match action {
        Action::Owner => {
            update.owner_id = match owner {
                "" => return Err(vec![FieldError::new("owner_id", "required", "Choose an owner.")]),
                UNASSIGNED => Some(None),
                id => Some(Some(
                    id.parse::<UserId>()
                        .map_err(|_| vec![FieldError::new("owner_id", "invalid", "Choose an owner from the list.")])?,
                )),
            };
        }
        Action::Status => {
            let Some(status) = LeadStatus::parse(status) else {
                return Err(vec![FieldError::new("status", "required", "Choose a status.")]);
            };
            update.status = Some(status);
            if takes_revisit_date(Some(status)) && !revisit.is_empty() {
                update.revisit_on = Some(
                    revisit
                        .parse::<NaiveDate>()
                        .map_err(|_| vec![FieldError::new("revisit_on", "date", "Enter a date.")])?,
                );
            }
            if status == LeadStatus::Disqualified {
                update.disqualify_reason = non_blank(reason);
            }
        }
        Action::Rules => update.apply_assignment_rules = true,
        Action::AddTag | Action::RemoveTag => {
            let tags = parse_tags(tags);
            if tags.is_empty() {
                return Err(vec![FieldError::new("tags", "required", "Enter a tag.")]);
            }
            if action == Action::AddTag {
                update.add_tags = tags;
            } else {
                update.remove_tags = tags;
            }
        }
    }
    Ok(update)
}

#[component]
pub fn BulkBar(
    selected: RwSignal<HashSet<LeadId>>,
    leads: Paged<LeadView>,
    outcome: RwSignal<Option<BulkOutcome>>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let people = use_people();
    let session = use_session();
    let action = RwSignal::new(Action::Owner);
    let owner = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let revisit = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let tags = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    // A hand-over that takes the leads out of the caller's records, until confirmed.
    let pending = RwSignal::new(None::<BulkLeadUpdate>);

    // `handed_to`: the new owner, when the change takes the leads out of the caller's records.
    let send = Callback::new(move |(update, handed_to): (BulkLeadUpdate, Option<String>)| {
        problem.set(None);
        busy.set(true);
        let client = client.clone();
        spawn_local(async move {
            let result = client.bulk_update_leads(&update).await;
            busy.try_set(false);
            match result {
                Ok(result) => {
                    let names: HashMap<LeadId, String> = leads
                        .items
                        .try_with_untracked(|items| items.iter().map(|l| (l.id, l.display_name())).collect())
                        .unwrap_or_default();
                    let done = BulkOutcome::new(result, |id| names.get(&id).cloned().unwrap_or_else(|| id.to_string()));
                    let summary = format!("{} updated, {} refused", done.updated, done.refused.len());
                    match handed_to {
                        Some(to) if done.updated > 0 && done.refused.is_empty() => toaster.success_with_detail(
                            format!("{} assigned to {to}", format::count(done.updated as i64, "lead", "leads")),
                            format!("They are no longer in your list: {}.", reach(session)),
                        ),
                        _ if done.refused.is_empty() => toaster.success(summary),
                        _ => toaster.failure(summary, "The reasons are listed above the table."),
                    }
                    outcome.set(Some(done));
                    tags.set(String::new());
                    on_done.try_run(());
                }
                Err(error) => {
                    problem.set(Some(problem_of(&error)));
                    toaster.error(&error);
                }
            }
        });
    });

    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let ids: Vec<LeadId> = selected.get_untracked().into_iter().collect();
        let update = match build(
            ids,
            action.get_untracked(),
            &owner.get_untracked(),
            &status.get_untracked(),
            &revisit.get_untracked(),
            &reason.get_untracked(),
            &tags.get_untracked(),
        ) {
            Ok(update) => update,
            Err(errors) => {
                problem.set(Some(Problem::validation(errors)));
                return;
            }
        };
        if let Some(refused) = Found::new().with_rules_of(&update) {
            problem.set(Some(refused));
            return;
        }
        // Every selected lead gets the same owner, so either all of them leave the caller's
        // records or none does.
        let owner = update.owner_id;
        match owner {
            Some(owner) if !readable(session, ownership_with(people, owner)) => pending.set(Some(update)),
            _ => send.run((update, None)),
        }
    };
    let confirm = move || {
        pending.get().map(|update| {
            let owner = update.owner_id.flatten();
            view! {
                <HandOverDialog
                    what=format::count(update.ids.len() as i64, "lead", "leads")
                    owner
                    several=true
                    on_confirm=move |_| {
                        pending.set(None);
                        send.run((update.clone(), Some(owner_label(people, owner))));
                    }
                    on_cancel=move |_| pending.set(None)
                />
            }
        })
    };

    let inputs = move || match action.get() {
        Action::Owner => view! {
            <select
                id="bulk-owner"
                aria-label="New owner"
                aria-invalid=invalid(problem, "owner_id")
                on:change=move |ev| owner.set(event_target_value(&ev))
            >
                <option value="" selected=move || owner.with(String::is_empty)>
                    "Choose an owner"
                </option>
                <option value=UNASSIGNED selected=move || owner.with(|o| o == UNASSIGNED)>
                    "Unassigned"
                </option>
                {user_options(people, move || owner.with(|o| o.parse().ok()))}
            </select>
            <FieldErrorView problem name="owner_id" />
        }
        .into_any(),
        Action::Status => {
            let chosen = move || LeadStatus::parse(&status.get());
            view! {
                <select
                    id="bulk-status"
                    aria-label="New status"
                    aria-invalid=invalid(problem, "status")
                    on:change=move |ev| status.set(event_target_value(&ev))
                >
                    <option value="" selected=move || status.with(String::is_empty)>
                        "Choose a status"
                    </option>
                    {LeadStatus::ALL
                        .into_iter()
                        .filter(|s| *s != LeadStatus::Converted)
                        .map(|s| {
                            view! {
                                <option value=s.as_str() selected=move || chosen() == Some(s)>
                                    {s.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                {move || {
                    takes_revisit_date(chosen())
                        .then(|| {
                            view! {
                                <input
                                    id="bulk-revisit"
                                    type="date"
                                    aria-label="Revisit on"
                                    title="Revisit on"
                                    aria-invalid=invalid(problem, "revisit_on")
                                    bind:value=revisit
                                />
                            }
                        })
                }}
                {move || {
                    (chosen() == Some(LeadStatus::Disqualified))
                        .then(|| {
                            view! {
                                <input
                                    id="bulk-reason"
                                    type="text"
                                    placeholder="Why they are disqualified"
                                    aria-label="Reason"
                                    aria-invalid=invalid(problem, "disqualify_reason")
                                    bind:value=reason
                                />
                            }
                        })
                }}
                <FieldErrorView problem name="status" />
                <FieldErrorView problem name="revisit_on" />
                <FieldErrorView problem name="disqualify_reason" />
            }
            .into_any()
        }
        Action::Rules => view! {
            <span class="muted small" id="bulk-rules-hint">
                "Each lead gets the owner the assignment rules choose now."
            </span>
        }
        .into_any(),
        Action::AddTag | Action::RemoveTag => view! {
            <input
                id="bulk-tag"
                type="text"
                placeholder="tag, another tag"
                aria-label="Tags"
                aria-invalid=invalid(problem, "tags")
                bind:value=tags
            />
            <FieldErrorView problem name="tags" />
        }
        .into_any(),
    };

    view! {
        <form class="bulk-bar" data-testid="bulk-bar" on:submit=apply novalidate>
            <strong class="nowrap">{move || format!("{} selected", selected.with(HashSet::len))}</strong>
            <select
                id="bulk-action"
                aria-label="Change"
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if let Some(chosen) = Action::ALL.into_iter().find(|a| a.value() == value) {
                        problem.set(None);
                        action.set(chosen);
                    }
                }
            >
                {Action::ALL
                    .into_iter()
                    .map(|a| {
                        view! {
                            <option value=a.value() selected=move || action.get() == a>
                                {a.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            {inputs}
            <button id="bulk-apply" type="submit" class="btn btn-primary btn-sm" disabled=move || busy.get()>
                "Apply"
            </button>
            <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| selected.set(HashSet::new())>
                "Clear selection"
            </button>
            {confirm}
            <div class="bulk-alert">
                <FormAlert
                    problem
                    fields=&["owner_id", "status", "revisit_on", "disqualify_reason", "tags", "add_tags", "remove_tags"]
                />
            </div>
        </form>
    }
}

/// "3 updated, 1 refused" and why, until dismissed.
#[component]
pub fn BulkOutcomeView(outcome: RwSignal<Option<BulkOutcome>>) -> impl IntoView {
    move || {
        outcome.get().map(|done| {
            let refused = done.refused.len();
            let reasons = done
                .refused
                .into_iter()
                .map(|(name, reason)| {
                    view! {
                        <li>
                            <strong>{name}</strong>
                            ": "
                            {reason}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="bulk-outcome" class:bulk-outcome-warn={refused > 0} role="status" data-testid="bulk-outcome">
                    <div class="row">
                        <strong>{format!("{} updated, {} refused", done.updated, refused)}</strong>
                        <span class="spacer"></span>
                        <button
                            type="button"
                            class="btn btn-ghost btn-sm"
                            aria-label="Dismiss"
                            on:click=move |_| outcome.set(None)
                        >
                            "×"
                        </button>
                    </div>
                    {(refused > 0).then(|| view! { <ul class="bulk-refusals">{reasons}</ul> })}
                </div>
            }
        })
    }
}

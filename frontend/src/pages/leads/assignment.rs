//! Lead assignment: ordered rules that pick a new lead's owner. The first active rule whose
//! conditions the lead meets and that finds someone with room wins; without one the lead stays
//! unassigned.

use kith_domain::leads::rules::{assignment_gaps, AssignTarget, AssignmentGaps, AssignmentRule, AssignmentRuleInput};
use kith_domain::{FieldError, TeamId, UserId};
use leptos::prelude::*;

use super::conditions::{condition_rows, conditions_of, optional_number, summaries, ConditionsEditor};
use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{invalid, Field, FormAlert, TextField};
use crate::components::table::ListTable;
use crate::components::toast::use_toaster;
use crate::data::{load, Found, Loaded, Save, StaleNotice, SubmitButton};
use crate::pages::core::settings::{use_directory, Directory};
use crate::people::{use_people, user_options, People};

#[derive(Clone, Debug, PartialEq)]
enum Editing {
    New,
    Rule(Box<AssignmentRule>),
}

/// "Ada Lovelace", "Round robin in Sales", "Least loaded in Sales"; tracks names.
fn target_summary(target: &AssignTarget, people: People, directory: Directory) -> String {
    match target {
        AssignTarget::User { user_id } => people.name(*user_id),
        AssignTarget::RoundRobin { team_id } => format!("Round robin in {}", directory.team_name(Some(*team_id))),
        AssignTarget::LeastLoaded { team_id } => {
            format!("Least loaded in {}", directory.team_name(Some(*team_id)))
        }
    }
}

/// The rule as input, at `position`.
fn input_of(rule: &AssignmentRule, position: i32) -> AssignmentRuleInput {
    AssignmentRuleInput {
        name: rule.name.clone(),
        conditions: rule.conditions.clone(),
        target: rule.target.clone(),
        capacity: rule.capacity,
        active: rule.active,
        position: Some(position),
    }
}

const COLUMNS: &[(&str, &str)] =
    &[("#", "num"), ("Name", ""), ("When", ""), ("Assign to", ""), ("Capacity", ""), ("Active", ""), ("", "actions")];

#[component]
pub fn LeadAssignmentPage() -> impl IntoView {
    let toaster = use_toaster();
    let session = use_session();
    let people = use_people();
    let directory = use_directory();
    people.ensure();
    let rules = load(|client| async move {
        let mut found = client.assignment_rules().await?;
        found.sort_by_key(|r| (r.position, r.id));
        Ok(found)
    });
    let editing = RwSignal::new(None::<Editing>);

    let delete = Save::new(
        |client, rule: AssignmentRule| async move { client.delete_assignment_rule(rule.id).await.map(|()| rule) },
        move |rule: AssignmentRule| {
            toaster.success(format!("Rule {} deleted", rule.name));
            rules.reload();
        },
    );

    // Renumber the rules 0, 1, 2… in their new order, so ties cannot linger.
    let renumber = Save::new(
        |client, changes: Vec<(AssignmentRule, AssignmentRuleInput)>| async move {
            for (rule, input) in changes {
                client.update_assignment_rule(rule.id, rule.version, &input).await?;
            }
            Ok(())
        },
        move |()| rules.reload(),
    )
    .reloading(move || rules.reload());
    // Swap a rule with its neighbour.
    let shift = move |index: usize, up: bool| {
        let Some(mut ordered) = rules.ok() else {
            return;
        };
        let other = if up { index.checked_sub(1) } else { Some(index + 1) };
        let Some(other) = other.filter(|o| *o < ordered.len()) else {
            return;
        };
        ordered.swap(index, other);
        let changes: Vec<(AssignmentRule, AssignmentRuleInput)> = ordered
            .iter()
            .enumerate()
            .filter_map(|(i, rule)| {
                let position = i32::try_from(i).ok()?;
                (rule.position != position).then(|| (rule.clone(), input_of(rule, position)))
            })
            .collect();
        renumber.dispatch(changes);
    };

    let rows = move |all: Vec<AssignmentRule>| {
        let admin = session.is_admin();
        let last = all.len().saturating_sub(1);
        all.into_iter()
            .enumerate()
            .map(|(index, rule)| {
                let actions = admin.then(|| {
                    let edit = rule.clone();
                    let doomed = rule.clone();
                    let message = format!("New leads will no longer be assigned by “{}”.", rule.name);
                    view! {
                        <button
                            type="button"
                            class="btn btn-ghost btn-sm"
                            aria-label="Move up"
                            title="Move up"
                            data-testid="rule-up"
                            disabled=move || index == 0 || renumber.busy()
                            on:click=move |_| shift(index, true)
                        >
                            "↑"
                        </button>
                        <button
                            type="button"
                            class="btn btn-ghost btn-sm"
                            aria-label="Move down"
                            title="Move down"
                            data-testid="rule-down"
                            disabled=move || index == last || renumber.busy()
                            on:click=move |_| shift(index, false)
                        >
                            "↓"
                        </button>
                        <button
                            type="button"
                            class="btn btn-secondary btn-sm"
                            on:click=move |_| editing.set(Some(Editing::Rule(Box::new(edit.clone()))))
                        >
                            "Edit"
                        </button>
                        <ConfirmButton
                            label="Delete"
                            title="Delete this assignment rule?"
                            message=message
                            confirm_label="Delete"
                            on_confirm=move |_| delete.dispatch(doomed.clone())
                        />
                    }
                });
                let conditions = summaries(&rule.conditions, "Every lead");
                let target = rule.target.clone();
                let capacity =
                    rule.capacity.map(|c| format!("{c} open leads")).unwrap_or_else(|| "No limit".to_owned());
                let active = if rule.active {
                    view! { <span class="badge badge-green">"Active"</span> }
                } else {
                    view! { <span class="badge">"Paused"</span> }
                };
                view! {
                    <tr data-testid="assignment-rule">
                        <td class="num muted">{index + 1}</td>
                        <td>{rule.name.clone()}</td>
                        <td>{conditions}</td>
                        <td>{move || target_summary(&target, people, directory)}</td>
                        <td class="muted">{capacity}</td>
                        <td>{active}</td>
                        <td class="actions">{actions}</td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <div class="stack">
            {move || {
                editing
                    .get()
                    .map(|target| {
                        let rule = match target {
                            Editing::New => None,
                            Editing::Rule(rule) => Some(*rule),
                        };
                        view! {
                            <AssignmentRuleEditor
                                rule
                                on_close=move |_| editing.set(None)
                                on_saved=move |_| {
                                    editing.set(None);
                                    rules.reload();
                                }
                            />
                        }
                    })
            }}
            <section class="card">
                <div class="card-header">
                    <div>
                        <h2>"Lead assignment"</h2>
                        <p class="card-text">
                            "Rules are tried from the top; the first that matches and finds someone with room assigns the lead. "
                            {move || (!session.is_admin()).then_some("Only administrators can change the rules.")}
                        </p>
                    </div>
                    {move || {
                        session
                            .is_admin()
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        id="assignment-new"
                                        class="btn btn-primary"
                                        on:click=move |_| editing.set(Some(Editing::New))
                                    >
                                        "New rule"
                                    </button>
                                }
                            })
                    }}
                </div>
                <Loaded data=rules what="the assignment rules" let:all>
                    <ListTable
                        columns=COLUMNS empty=all.is_empty()
                        empty_title="No assignment rules yet"
                        empty_text="New leads without an owner stay unassigned until a rule picks someone."
                    >
                        {rows(all)}
                    </ListTable>
                </Loaded>
            </section>
            {move || rules.ok().map(|all| view! { <GapsNotice rules=all people /> })}
        </div>
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TargetKind {
    User,
    RoundRobin,
    LeastLoaded,
}

impl TargetKind {
    const ALL: [TargetKind; 3] = [TargetKind::User, TargetKind::RoundRobin, TargetKind::LeastLoaded];

    fn of(target: &AssignTarget) -> TargetKind {
        match target {
            AssignTarget::User { .. } => TargetKind::User,
            AssignTarget::RoundRobin { .. } => TargetKind::RoundRobin,
            AssignTarget::LeastLoaded { .. } => TargetKind::LeastLoaded,
        }
    }

    fn value(self) -> &'static str {
        match self {
            TargetKind::User => "user",
            TargetKind::RoundRobin => "round_robin",
            TargetKind::LeastLoaded => "least_loaded",
        }
    }

    fn label(self) -> &'static str {
        match self {
            TargetKind::User => "One user",
            TargetKind::RoundRobin => "A team, in turn (round robin)",
            TargetKind::LeastLoaded => "A team, whoever has the fewest open leads",
        }
    }
}

#[component]
fn AssignmentRuleEditor(
    rule: Option<AssignmentRule>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_saved: Callback<()>,
) -> impl IntoView {
    let toaster = use_toaster();
    let people = use_people();
    let directory = use_directory();
    let is_new = rule.is_none();
    let title = match &rule {
        None => "New assignment rule".to_owned(),
        Some(rule) => format!("Edit {}", rule.name),
    };
    let name = RwSignal::new(rule.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let conditions = condition_rows(rule.as_ref().map(|r| r.conditions.as_slice()).unwrap_or_default());
    let target = rule.as_ref().map(|r| r.target.clone());
    let kind = RwSignal::new(target.as_ref().map_or(TargetKind::User, TargetKind::of));
    let user = RwSignal::new(match &target {
        Some(AssignTarget::User { user_id }) => Some(*user_id),
        _ => None,
    });
    let team = RwSignal::new(match &target {
        Some(AssignTarget::RoundRobin { team_id } | AssignTarget::LeastLoaded { team_id }) => Some(*team_id),
        _ => None,
    });
    let capacity = RwSignal::new(rule.as_ref().and_then(|r| r.capacity).map(|c| c.to_string()).unwrap_or_default());
    let active = RwSignal::new(rule.as_ref().is_none_or(|r| r.active));
    let existing = rule.map(|r| (r.id, r.version, r.position));
    let save = Save::new(
        move |client, input: AssignmentRuleInput| async move {
            match existing {
                None => client.create_assignment_rule(&input).await,
                Some((id, version, _)) => client.update_assignment_rule(id, version, &input).await,
            }
        },
        move |saved: AssignmentRule| {
            toaster.success(format!("Rule {} saved", saved.name));
            on_saved.run(());
        },
    );
    let problem = save.problem;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut errors = Vec::new();
        let conditions = match conditions_of(conditions, "conditions") {
            Ok(conditions) => conditions,
            Err(p) => {
                errors.extend(p.errors);
                Vec::new()
            }
        };
        let capacity = optional_number::<u32>(&capacity.get_untracked(), "capacity", &mut errors);
        let target = match kind.get_untracked() {
            TargetKind::User => user.get_untracked().map(|user_id| AssignTarget::User { user_id }),
            TargetKind::RoundRobin => team.get_untracked().map(|team_id| AssignTarget::RoundRobin { team_id }),
            TargetKind::LeastLoaded => team.get_untracked().map(|team_id| AssignTarget::LeastLoaded { team_id }),
        };
        if target.is_none() {
            let message = if kind.get_untracked() == TargetKind::User { "Choose a user." } else { "Choose a team." };
            errors.push(FieldError::new("target", "required", message));
        }
        let mut found = Found::new();
        found.extend(errors);
        // Refused above when no user or team is chosen: the placeholder is never sent.
        let target = target.unwrap_or(AssignTarget::User { user_id: UserId(Default::default()) });
        save.submit(
            found,
            AssignmentRuleInput {
                name: name.get_untracked(),
                conditions,
                target,
                capacity,
                active: active.get_untracked(),
                position: existing.map(|(_, _, position)| position),
            },
        );
    };

    let target_field = move || match kind.get() {
        TargetKind::User => view! {
            <Field label="User" id="assignment-user" name="target" problem>
                <select
                    id="assignment-user"
                    aria-invalid=invalid(problem, "target")
                    on:change=move |ev| user.set(event_target_value(&ev).parse::<UserId>().ok())
                >
                    <option value="" selected=move || user.get().is_none()>
                        "Choose a user"
                    </option>
                    {user_options(people, move || user.get())}
                </select>
            </Field>
        }
        .into_any(),
        TargetKind::RoundRobin | TargetKind::LeastLoaded => view! {
            <Field label="Team" id="assignment-team" name="target" problem>
                <select
                    id="assignment-team"
                    aria-invalid=invalid(problem, "target")
                    on:change=move |ev| team.set(event_target_value(&ev).parse::<TeamId>().ok())
                >
                    <option value="" selected=move || team.get().is_none()>
                        "Choose a team"
                    </option>
                    {move || {
                        directory
                            .teams
                            .get()
                            .into_iter()
                            .map(|t| {
                                let id = t.id;
                                view! {
                                    <option value=id.to_string() selected=move || team.get() == Some(id)>
                                        {t.name}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </Field>
        }
        .into_any(),
    };

    view! {
        <section class="card">
            <div class="card-header">
                <h2>{title}</h2>
            </div>
            <div class="card-body">
                <form class="form" on:submit=submit novalidate>
                    <StaleNotice stale=save.stale what="assignment rule" on_reload=on_saved />
                    <FormAlert
                        problem
                        fields=&["name", "conditions", "target", "capacity", "active", "position"]
                        prefixes=&["conditions[", "target."]
                    />
                    <div class="form-grid">
                        <TextField label="Name" id="assignment-name" name="name" problem value=name required=true />
                        <Field label="Assign to" id="assignment-kind" name="target.kind" problem>
                            <select
                                id="assignment-kind"
                                on:change=move |ev| {
                                    let value = event_target_value(&ev);
                                    if let Some(chosen) = TargetKind::ALL.into_iter().find(|k| k.value() == value) {
                                        kind.set(chosen);
                                    }
                                }
                            >
                                {TargetKind::ALL
                                    .into_iter()
                                    .map(|k| {
                                        view! {
                                            <option value=k.value() selected=move || kind.get() == k>
                                                {k.label()}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </Field>
                        {target_field}
                        <TextField
                            label="Capacity"
                            id="assignment-capacity"
                            name="capacity"
                            kind="number"
                            problem
                            value=capacity
                            hint="Skip people who already own this many open leads. Empty: no limit."
                        />
                    </div>
                    <div class="field">
                        <span class="label">"Conditions (all must hold)"</span>
                        <ConditionsEditor
                            rows=conditions
                            path="conditions"
                            problem
                            empty_text="No conditions: the rule takes every lead that reaches it."
                        />
                    </div>
                    <label class="checkbox">
                        <input id="assignment-active" type="checkbox" bind:checked=active />
                        "Active"
                    </label>
                    <div class="form-actions">
                        <SubmitButton save id="assignment-save" label=if is_new { "Create rule" } else { "Save rule" } />
                        <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>
                            "Cancel"
                        </button>
                    </div>
                </form>
            </div>
        </section>
    }
}

/// Well-known countries first, so the examples read naturally ("e.g. France, Spain").
const EXAMPLE_FIRST: &[&str] = &["FR", "ES", "IT", "GB", "US", "NL", "PL", "SE", "BR", "JP", "IN", "CA", "AU"];

fn country_examples(unnamed: &[&'static str]) -> String {
    let mut picked: Vec<&str> = EXAMPLE_FIRST.iter().copied().filter(|c| unnamed.contains(c)).take(3).collect();
    for c in unnamed {
        if picked.len() >= 3 {
            break;
        }
        if !picked.contains(c) {
            picked.push(c);
        }
    }
    let names: Vec<&str> =
        picked.iter().filter_map(|c| kith_domain::core::countries::by_code(c)).map(|c| c.name).collect();
    let more = unnamed.len().saturating_sub(names.len());
    match more {
        0 => names.join(", "),
        n => format!("{} and {n} more", names.join(", ")),
    }
}

/// What the rules leave to no one, said plainly (computed by `assignment_gaps`, the same rules the
/// server applies), and where those leads go: the fallback owner, or the Unassigned queue with a
/// notice to the lead managers.
#[component]
fn GapsNotice(rules: Vec<AssignmentRule>, people: People) -> impl IntoView {
    let settings = load(|client| async move { client.lead_settings().await });
    let gaps: AssignmentGaps = assignment_gaps(&rules);
    let fate = move || match settings.ok().and_then(|s| s.fallback_owner_id) {
        Some(owner) => view! {
            " go to the fallback owner, " <strong>{people.name(owner)}</strong> "."
        }
        .into_any(),
        None => view! {
            " stay unassigned: they wait in the " <a href="/m/leads?owner=unassigned">"Unassigned queue"</a>
            " and the lead managers get a notice (one per 5 minutes for a burst). Name a fallback owner in "
            <a href="/settings/leads">"Lead settings"</a> " to give them someone."
        }
        .into_any(),
    };
    let mut lines: Vec<AnyView> = Vec::new();
    if gaps.no_rules {
        lines.push(view! { <li data-testid="gap-no-rules">"No rule is active: every new lead" {fate}</li> }.into_any());
    } else if gaps.catch_all.is_none() {
        if !gaps.unnamed_countries.is_empty() {
            let examples = country_examples(&gaps.unnamed_countries);
            lines.push(
                view! {
                    <li data-testid="gap-countries">
                        "Leads from countries no rule names — e.g. " <strong>{examples}</strong> " —" {fate}
                    </li>
                }
                .into_any(),
            );
        }
        if gaps.without_country {
            lines.push(
                view! { <li data-testid="gap-no-country">"Leads without a country (every rule needs one)" {fate}</li> }
                    .into_any(),
            );
        }
        if !gaps.conditional.is_empty() {
            let names = gaps.conditional.iter().map(|n| format!("“{n}”")).collect::<Vec<_>>().join(", ");
            lines.push(
                view! {
                    <li data-testid="gap-conditions">
                        "Leads that do not meet the other conditions of " {names} " and match no later rule" {fate}
                    </li>
                }
                .into_any(),
            );
        }
    }
    if !gaps.capacity_limited.is_empty() {
        let names = gaps.capacity_limited.iter().map(|n| format!("“{n}”")).collect::<Vec<_>>().join(", ");
        lines.push(
            view! {
                <li data-testid="gap-capacity">
                    "When everyone in " {names} " is at capacity, leads go on to the next rule"
                    {if gaps.catch_all.is_some() { "." } else { ", and after the last one they are treated like the leads above." }}
                </li>
            }
            .into_any(),
        );
    }
    let covered = gaps.catch_all.clone().map(|name| {
        view! {
            <p class="card-text" data-testid="gaps-covered">
                "Every new lead finds a rule: " <strong>{format!("“{name}”")}</strong> " has no conditions and takes what the rules above it leave."
            </p>
        }
    });
    let open = !lines.is_empty() && gaps.catch_all.is_none();
    view! {
        <section class="card" id="assignment-gaps" data-testid="assignment-gaps" class:gaps-open=open>
            <div class="card-header">
                <div>
                    <h2>{if open { "Leads no rule takes" } else { "Coverage" }}</h2>
                    {covered}
                </div>
            </div>
            {(!lines.is_empty()).then(|| view! { <div class="card-body"><ul class="gap-list">{lines}</ul></div> })}
        </section>
    }
}

//! Lead scoring: rules that give (or take) points for what a lead is (attribute rules) or does
//! (behaviour rules, optionally fading over time). Administrators edit them; lead readers see them.

use kith_domain::leads::rules::{Behaviour, ScoreTrigger, ScoringRule, ScoringRuleInput};
use kith_domain::{FieldError, Problem};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::conditions::{condition_rows, conditions_of, optional_number, summaries, ConditionsEditor};
use crate::api::{is_stale, problem_of, use_client};
use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{invalid, Field, FormAlert};
use crate::components::table::{EmptyState, Loading};
use crate::components::toast::use_toaster;
use crate::format;

#[derive(Clone, Debug, PartialEq)]
enum Editing {
    New,
    Rule(Box<ScoringRule>),
}

fn behaviour_label(behaviour: Behaviour) -> String {
    format::humanize(behaviour.as_str())
}

fn trigger_summary(trigger: &ScoreTrigger) -> String {
    match trigger {
        ScoreTrigger::Attribute { conditions } => format!("When {}", summaries(conditions, "…")),
        ScoreTrigger::Behaviour { behaviour, max_times: None } => {
            format!("Each time: {}", behaviour_label(*behaviour).to_lowercase())
        }
        ScoreTrigger::Behaviour { behaviour, max_times: Some(max) } => {
            format!("Each time: {} (at most {max}×)", behaviour_label(*behaviour).to_lowercase())
        }
    }
}

/// Points with their sign: "+10", "−5".
fn signed(points: i32) -> String {
    if points > 0 {
        format!("+{points}")
    } else if points < 0 {
        format!("−{}", points.unsigned_abs())
    } else {
        "0".to_owned()
    }
}

#[component]
pub fn LeadScoringPage() -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let session = use_session();
    let rules = RwSignal::new(None::<Vec<ScoringRule>>);
    let failed = RwSignal::new(false);
    let editing = RwSignal::new(None::<Editing>);

    let reload = Callback::new({
        let client = client.clone();
        move |()| {
            let client = client.clone();
            spawn_local(async move {
                match client.scoring_rules().await {
                    Ok(found) => {
                        failed.try_set(false);
                        rules.try_set(Some(found));
                    }
                    Err(error) => {
                        failed.try_set(true);
                        toaster.error(&error);
                    }
                }
            });
        }
    });
    reload.run(());

    let delete = Callback::new(move |rule: ScoringRule| {
        let client = client.clone();
        spawn_local(async move {
            match client.delete_scoring_rule(rule.id).await {
                Ok(()) => {
                    toaster.success(format!("Rule {} deleted", rule.name));
                    reload.try_run(());
                }
                Err(error) => toaster.error(&error),
            }
        });
    });

    let rows = move || {
        let admin = session.is_admin();
        rules
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|rule| {
                let actions = admin.then(|| {
                    let edit = rule.clone();
                    let message = format!("Leads lose the points “{}” gave them.", rule.name);
                    let doomed = rule.clone();
                    view! {
                        <button
                            type="button"
                            class="btn btn-secondary btn-sm"
                            on:click=move |_| editing.set(Some(Editing::Rule(Box::new(edit.clone()))))
                        >
                            "Edit"
                        </button>
                        <ConfirmButton
                            label="Delete"
                            title="Delete this scoring rule?"
                            message=message
                            confirm_label="Delete"
                            on_confirm=move |_| delete.run(doomed.clone())
                        />
                    }
                });
                let decay = rule.decay_days.map(|d| format!("Fades over {d} days")).unwrap_or_else(|| "—".to_owned());
                let active = if rule.active {
                    view! { <span class="badge badge-green">"Active"</span> }
                } else {
                    view! { <span class="badge">"Paused"</span> }
                };
                view! {
                    <tr data-testid="scoring-rule">
                        <td>{rule.name.clone()}</td>
                        <td>{trigger_summary(&rule.trigger)}</td>
                        <td class="num">{signed(rule.points)}</td>
                        <td class="muted">{decay}</td>
                        <td>{active}</td>
                        <td class="actions">{actions}</td>
                    </tr>
                }
            })
            .collect_view()
    };

    let body = move || {
        if failed.get() && rules.with(Option::is_none) {
            return view! { <EmptyState title="The scoring rules could not be loaded" text="Reload the page to try again." /> }
                .into_any();
        }
        match rules.with(|r| r.as_ref().map(Vec::is_empty)) {
            None => view! { <Loading /> }.into_any(),
            Some(true) => view! {
                <EmptyState
                    title="No scoring rules yet"
                    text="Every lead scores 0 until a rule gives points, e.g. +20 when the title contains “CEO”."
                />
            }
            .into_any(),
            Some(false) => view! {
                <div class="table-wrap">
                    <table class="table">
                        <thead>
                            <tr>
                                <th>"Name"</th>
                                <th>"When"</th>
                                <th class="num">"Points"</th>
                                <th>"Decay"</th>
                                <th>"Active"</th>
                                <th class="actions"></th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any(),
        }
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
                            <ScoringRuleEditor
                                rule
                                on_close=move |_| editing.set(None)
                                on_saved=move |_| {
                                    editing.set(None);
                                    reload.run(());
                                }
                            />
                        }
                    })
            }}
            <section class="card">
                <div class="card-header">
                    <div>
                        <h2>"Lead scoring"</h2>
                        <p class="card-text">
                            "A lead's score is the sum of the points of every active rule it meets. "
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
                                        id="scoring-new"
                                        class="btn btn-primary"
                                        on:click=move |_| editing.set(Some(Editing::New))
                                    >
                                        "New rule"
                                    </button>
                                }
                            })
                    }}
                </div>
                {body}
            </section>
        </div>
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Attribute,
    Behaviour,
}

#[component]
fn ScoringRuleEditor(
    rule: Option<ScoringRule>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_saved: Callback<()>,
) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let is_new = rule.is_none();
    let title = match &rule {
        None => "New scoring rule".to_owned(),
        Some(rule) => format!("Edit {}", rule.name),
    };
    let trigger = rule.as_ref().map(|r| r.trigger.clone());
    let name = RwSignal::new(rule.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let kind = RwSignal::new(match trigger {
        Some(ScoreTrigger::Behaviour { .. }) => Kind::Behaviour,
        _ => Kind::Attribute,
    });
    let conditions = condition_rows(match &trigger {
        Some(ScoreTrigger::Attribute { conditions }) => conditions.as_slice(),
        _ => &[],
    });
    let (behaviour, max_times) = match &trigger {
        Some(ScoreTrigger::Behaviour { behaviour, max_times }) => (*behaviour, max_times.map(|n| n.to_string())),
        _ => (Behaviour::FormSubmitted, None),
    };
    let behaviour = RwSignal::new(behaviour);
    let max_times = RwSignal::new(max_times.unwrap_or_default());
    let points = RwSignal::new(rule.as_ref().map(|r| r.points.to_string()).unwrap_or_default());
    let decay = RwSignal::new(rule.as_ref().and_then(|r| r.decay_days).map(|d| d.to_string()).unwrap_or_default());
    let active = RwSignal::new(rule.as_ref().is_none_or(|r| r.active));
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let existing = rule.map(|r| (r.id, r.version));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut errors = Vec::new();
        let points_value = optional_number::<i32>(&points.get_untracked(), "points", &mut errors);
        if points_value.is_none() && errors.is_empty() {
            errors.push(FieldError::new("points", "required", "Give the points (negative to take some away)."));
        }
        let decay_days = optional_number::<u32>(&decay.get_untracked(), "decay_days", &mut errors);
        let trigger = match kind.get_untracked() {
            Kind::Attribute => match conditions_of(conditions, "trigger.conditions") {
                Ok(conditions) => Some(ScoreTrigger::Attribute { conditions }),
                Err(p) => {
                    errors.extend(p.errors);
                    None
                }
            },
            Kind::Behaviour => {
                let max_times = optional_number::<u32>(&max_times.get_untracked(), "trigger.max_times", &mut errors);
                Some(ScoreTrigger::Behaviour { behaviour: behaviour.get_untracked(), max_times })
            }
        };
        let (Some(trigger), Some(points), true) = (trigger, points_value, errors.is_empty()) else {
            problem.set(Some(Problem::validation(errors)));
            return;
        };
        let input = ScoringRuleInput {
            name: name.get_untracked(),
            trigger,
            points,
            decay_days,
            active: active.get_untracked(),
        };
        problem.set(None);
        busy.set(true);
        let client = client.clone();
        spawn_local(async move {
            let result = match existing {
                None => client.create_scoring_rule(&input).await,
                Some((id, version)) => client.update_scoring_rule(id, version, &input).await,
            };
            busy.try_set(false);
            match result {
                Ok(saved) => {
                    toaster.success(format!("Rule {} saved", saved.name));
                    on_saved.try_run(());
                }
                Err(error) if is_stale(&error) => {
                    toaster.stale("scoring rule");
                    on_saved.try_run(());
                }
                Err(error) => {
                    problem.set(Some(problem_of(&error)));
                    toaster.error(&error);
                }
            }
        });
    };

    let trigger_fields = move || match kind.get() {
        Kind::Attribute => view! {
            <div class="field">
                <span class="label">"Conditions (all must hold)"</span>
                <ConditionsEditor
                    rows=conditions
                    path="trigger.conditions"
                    problem
                    empty_text="Add at least one condition."
                />
            </div>
        }
        .into_any(),
        Kind::Behaviour => view! {
                   <div class="form-grid">
                       <Field label="Behaviour" id="scoring-behaviour" name="trigger.behaviour" problem>
                           <select
                               id="scoring-behaviour"
                               on:change=move |ev| {
                                   if let Some(chosen) = Behaviour::parse(&event_target_value(&ev)) {
                                       behaviour.set(chosen);
                                   }
                               }
                           >
                               {Behaviour::ALL
                                   .into_iter()
                                   .map(|b| {
                                       view! {
                                           <option value=b.as_str() selected=move || behaviour.get() == b>
                                               {behaviour_label(b)}
                                           </option>
                                       }
                                   })
                                   .collect_view()}
                           </select>
                       </Field>
                       <Field
                           label="At most (times)"
                           id="scoring-max-times"
                           name="trigger.max_times"
                           problem
                           hint="Empty: every time counts."
                       >
                           <input
                               id="scoring-max-times"
                               type="number"
                               min="1"
                               aria-invalid=invalid(problem, "trigger.max_times")
                               value=max_times.get_untracked()
        on:input=move |ev| max_times.set(event_target_value(&ev))
                           />
                       </Field>
                   </div>
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
                       <FormAlert
                           problem
                           fields=&[
                               "name",
                               "points",
                               "decay_days",
                               "active",
                               "trigger.conditions",
                               "trigger.behaviour",
                               "trigger.max_times",
                           ]
                           prefixes=&["trigger.conditions["]
                       />
                       <div class="form-grid">
                           <Field label="Name" id="scoring-name" name="name" problem>
                               <input
                                   id="scoring-name"
                                   type="text"
                                   required
                                   aria-invalid=invalid(problem, "name")
                                   bind:value=name
                               />
                           </Field>
                           <Field label="Rewards" id="scoring-kind" name="trigger" problem>
                               <select
                                   id="scoring-kind"
                                   on:change=move |ev| {
                                       kind.set(
                                           if event_target_value(&ev) == "behaviour" {
                                               Kind::Behaviour
                                           } else {
                                               Kind::Attribute
                                           },
                                       )
                                   }
                               >
                                   <option value="attribute" selected=move || kind.get() == Kind::Attribute>
                                       "Something the lead is (attributes)"
                                   </option>
                                   <option value="behaviour" selected=move || kind.get() == Kind::Behaviour>
                                       "Something the lead does (behaviour)"
                                   </option>
                               </select>
                           </Field>
                           <Field label="Points" id="scoring-points" name="points" problem hint="Negative points penalize.">
                               <input
                                   id="scoring-points"
                                   type="number"
                                   required
                                   aria-invalid=invalid(problem, "points")
                                   value=points.get_untracked()
    on:input=move |ev| points.set(event_target_value(&ev))
                               />
                           </Field>
                           <Field
                               label="Fade over (days)"
                               id="scoring-decay"
                               name="decay_days"
                               problem
                               hint="Behaviour points shrink to 0 over this time. Empty: they last."
                           >
                               <input
                                   id="scoring-decay"
                                   type="number"
                                   min="1"
                                   aria-invalid=invalid(problem, "decay_days")
                                   value=decay.get_untracked()
    on:input=move |ev| decay.set(event_target_value(&ev))
                               />
                           </Field>
                       </div>
                       {trigger_fields}
                       <label class="checkbox">
                           <input id="scoring-active" type="checkbox" bind:checked=active />
                           "Active"
                       </label>
                       <div class="form-actions">
                           <button id="scoring-save" type="submit" class="btn btn-primary" disabled=move || busy.get()>
                               {if is_new { "Create rule" } else { "Save rule" }}
                           </button>
                           <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>
                               "Cancel"
                           </button>
                       </div>
                   </form>
               </div>
           </section>
       }
}

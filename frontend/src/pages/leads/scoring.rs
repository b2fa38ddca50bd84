//! Lead scoring: rules that give (or take) points for what a lead is (attribute rules) or does
//! (behaviour rules, optionally fading over time). Administrators edit them; lead readers see them.

use kith_domain::leads::rules::{Behaviour, ScoreTrigger, ScoringRule, ScoringRuleInput};
use kith_domain::FieldError;
use leptos::prelude::*;

use super::conditions::{condition_rows, conditions_of, optional_number, summaries, ConditionsEditor};
use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{invalid, Field, FormAlert, TextField};
use crate::components::table::ListTable;
use crate::components::toast::use_toaster;
use crate::data::{load, Found, Loaded, Save, StaleNotice, SubmitButton};
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

const COLUMNS: &[(&str, &str)] =
    &[("Name", ""), ("When", ""), ("Points", "num"), ("Decay", ""), ("Active", ""), ("", "actions")];

#[component]
pub fn LeadScoringPage() -> impl IntoView {
    let toaster = use_toaster();
    let session = use_session();
    let rules = load(|client| async move { client.scoring_rules().await });
    let editing = RwSignal::new(None::<Editing>);
    let delete = Save::new(
        |client, rule: ScoringRule| async move { client.delete_scoring_rule(rule.id).await.map(|()| rule) },
        move |rule: ScoringRule| {
            toaster.success(format!("Rule {} deleted", rule.name));
            rules.reload();
        },
    );

    let rows = move |all: Vec<ScoringRule>| {
        let admin = session.is_admin();
        all.into_iter()
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
                            on_confirm=move |_| delete.dispatch(doomed.clone())
                        />
                    }
                });
                let decay = rule
                    .decay_days
                    .map(|d| format!("Fades over {}", crate::format::count(d, "day", "days")))
                    .unwrap_or_else(|| "—".to_owned());
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
                                    rules.reload();
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
                <Loaded data=rules what="the scoring rules" let:all>
                    <ListTable
                        columns=COLUMNS empty=all.is_empty()
                        empty_title="No scoring rules yet"
                        empty_text="Every lead scores 0 until a rule gives points, e.g. +20 when the title contains “CEO”."
                    >
                        {rows(all)}
                    </ListTable>
                </Loaded>
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
    let existing = rule.map(|r| (r.id, r.version));
    let save = Save::new(
        move |client, input: ScoringRuleInput| async move {
            match existing {
                None => client.create_scoring_rule(&input).await,
                Some((id, version)) => client.update_scoring_rule(id, version, &input).await,
            }
        },
        move |saved: ScoringRule| {
            toaster.success(format!("Rule {} saved", saved.name));
            on_saved.run(());
        },
    );
    let problem = save.problem;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
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
        let mut found = Found::new();
        found.extend(errors);
        // Refused above when the trigger or the points cannot be read: the placeholders are never sent.
        let trigger = trigger.unwrap_or(ScoreTrigger::Attribute { conditions: Vec::new() });
        save.submit(
            found,
            ScoringRuleInput {
                name: name.get_untracked(),
                trigger,
                points: points_value.unwrap_or_default(),
                decay_days,
                active: active.get_untracked(),
            },
        );
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
                    <StaleNotice stale=save.stale what="scoring rule" on_reload=on_saved />
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
                        <TextField label="Name" id="scoring-name" name="name" problem value=name required=true />
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
                        <TextField
                            label="Points"
                            id="scoring-points"
                            name="points"
                            kind="number"
                            problem
                            value=points
                            required=true
                            hint="Negative points penalize."
                        />
                        <TextField
                            label="Fade over (days)"
                            id="scoring-decay"
                            name="decay_days"
                            kind="number"
                            problem
                            value=decay
                            hint="Behaviour points shrink to 0 over this time. Empty: they last."
                        />
                    </div>
                    {trigger_fields}
                    <label class="checkbox">
                        <input id="scoring-active" type="checkbox" bind:checked=active />
                        "Active"
                    </label>
                    <div class="form-actions">
                        <SubmitButton save id="scoring-save" label=if is_new { "Create rule" } else { "Save rule" } />
                        <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>
                            "Cancel"
                        </button>
                    </div>
                </form>
            </div>
        </section>
    }
}

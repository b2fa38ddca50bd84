//! Sequences: autoresponders that send a new lead a series of emails on a day schedule, until the
//! lead replies, converts, unsubscribes or is disqualified. Marketing and lead readers see them;
//! marketing writers change them.

use kith_domain::core::modules::Module;
use kith_domain::core::permissions::Action;
use kith_domain::leads::webforms::WebFormView;
use kith_domain::leads::LeadSource;
use kith_domain::marketing::sequences::{
    empty_field_warnings, SequenceInput, SequenceStep, SequenceView, MERGE_FIELDS,
};
use kith_domain::{FieldError, Problem, WebFormId};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;

use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{invalid, Field, FieldError as FieldErrorView, FormAlert};
use crate::components::rows::{errors_under, invalid_at, move_row, next_key, RowControls};
use crate::components::table::ListTable;
use crate::components::toast::use_toaster;
use crate::data::{load, Found, Loaded, Save, StaleNotice, SubmitButton};
use crate::pages::leads::conditions::optional_number;
use crate::pages::leads::source_label;

#[derive(Clone, Debug, PartialEq)]
enum Editing {
    New,
    Sequence(Box<SequenceView>),
}

/// "Day 0, 2 and 5" for the list.
fn schedule(steps: &[SequenceStep]) -> String {
    let days: Vec<String> = steps.iter().map(|s| s.day_offset.to_string()).collect();
    match days.as_slice() {
        [] => "No emails".to_owned(),
        [one] => format!("1 email, day {one}"),
        [rest @ .., last] => format!("{} emails, days {} and {last}", days.len(), rest.join(", ")),
    }
}

fn enroll_summary(sequence: &SequenceView, forms: &[WebFormView]) -> String {
    let mut parts: Vec<String> = sequence.enroll_sources.iter().map(|s| source_label(*s).to_owned()).collect();
    for id in &sequence.enroll_form_ids {
        let name = forms.iter().find(|f| f.id == *id).map(|f| format!("form “{}”", f.name));
        parts.push(name.unwrap_or_else(|| "a web form".to_owned()));
    }
    if parts.is_empty() {
        "By hand only".to_owned()
    } else {
        format!("New leads from {}", parts.join(", "))
    }
}

const COLUMNS: &[(&str, &str)] = &[("Name", ""), ("Active", ""), ("Emails", ""), ("Enrolls", ""), ("", "actions")];

#[component]
pub fn SequencesPage() -> impl IntoView {
    let toaster = use_toaster();
    let session = use_session();
    let sequences = load(|client| async move { client.sequences().await });
    // Web forms are lead settings: only lead readers may list them.
    let lead_reader = session
        .me
        .with_untracked(|me| me.as_ref().is_some_and(|me| me.role.permissions.allows(Module::Leads, Action::Read)));
    let web_forms = load(move |client| async move {
        if lead_reader {
            client.web_forms().await
        } else {
            Ok(Vec::new())
        }
    });
    let forms = Signal::derive(move || web_forms.ok().unwrap_or_default());
    let editing = RwSignal::new(None::<Editing>);
    let writable = move || session.can_write(Module::Marketing);

    let delete = Save::new(
        |client, sequence: SequenceView| async move { client.delete_sequence(sequence.id).await.map(|()| sequence) },
        move |sequence: SequenceView| {
            toaster.success_with_link(
                format!("Sequence {} moved to the recycle bin", sequence.name),
                "Recycle bin",
                "/settings/recycle-bin",
            );
            editing.update(|e| {
                if matches!(e, Some(Editing::Sequence(s)) if s.id == sequence.id) {
                    *e = None;
                }
            });
            sequences.reload();
        },
    );

    let rows = move |all: Vec<SequenceView>| {
        let editable = writable();
        let all_forms = forms.get();
        all.into_iter()
            .map(|sequence| {
                let open = sequence.clone();
                let doomed = sequence.clone();
                let message = format!(
                    "“{}” goes to the recycle bin and sends no further emails; it can be restored for 30 days.",
                    sequence.name
                );
                let delete_button = editable.then(|| {
                    view! {
                        <ConfirmButton
                            label="Delete"
                            title="Delete this sequence?"
                            message=message
                            confirm_label="Delete"
                            on_confirm=move |_| delete.dispatch(doomed.clone())
                        />
                    }
                });
                let active = if sequence.active {
                    view! { <span class="badge badge-green">"Active"</span> }
                } else {
                    view! { <span class="badge">"Paused"</span> }
                };
                view! {
                    <tr data-testid="sequence-row">
                        <td>{sequence.name.clone()}</td>
                        <td>{active}</td>
                        <td class="muted">{schedule(&sequence.steps)}</td>
                        <td class="muted">{enroll_summary(&sequence, &all_forms)}</td>
                        <td class="actions">
                            <button
                                type="button"
                                class="btn btn-secondary btn-sm"
                                on:click=move |_| editing.set(Some(Editing::Sequence(Box::new(open.clone()))))
                            >
                                {if editable { "Edit" } else { "View" }}
                            </button>
                            {delete_button}
                        </td>
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
                        let sequence = match target {
                            Editing::New => None,
                            Editing::Sequence(s) => Some(*s),
                        };
                        view! {
                            <SequenceEditor
                                sequence
                                forms
                                editable=writable()
                                on_close=move |_| editing.set(None)
                                on_saved=move |_| {
                                    editing.set(None);
                                    sequences.reload();
                                }
                            />
                        }
                    })
            }}
            <section class="card">
                <div class="card-header">
                    <div>
                        <h2>"Sequences"</h2>
                        <p class="card-text">
                            "Emails sent to a lead on a schedule; they stop when the lead replies, converts, unsubscribes or is disqualified. "
                            {move || (!writable()).then_some("Only marketing editors can change them.")}
                        </p>
                    </div>
                    {move || {
                        writable()
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        id="sequence-new"
                                        class="btn btn-primary"
                                        on:click=move |_| editing.set(Some(Editing::New))
                                    >
                                        "New sequence"
                                    </button>
                                }
                            })
                    }}
                </div>
                <Loaded data=sequences what="the sequences" let:all>
                    <ListTable
                        id="sequence-table" columns=COLUMNS empty=all.is_empty()
                        empty_title="No sequences yet"
                        empty_text="A sequence sends new leads a few emails over days, e.g. a welcome right away and a follow-up two days later."
                    >
                        {rows(all)}
                    </ListTable>
                </Loaded>
            </section>
        </div>
    }
}

/// One email of the sequence, as typed.
#[derive(Clone, Copy)]
struct StepRow {
    key: u64,
    day: RwSignal<String>,
    subject: RwSignal<String>,
    body: RwSignal<String>,
}

impl StepRow {
    fn new(step: Option<&SequenceStep>, day: u32) -> StepRow {
        StepRow {
            key: next_key(),
            day: RwSignal::new(step.map_or(day, |s| s.day_offset).to_string()),
            subject: RwSignal::new(step.map(|s| s.subject.clone()).unwrap_or_default()),
            body: RwSignal::new(step.map(|s| s.body.clone()).unwrap_or_default()),
        }
    }
}

const FIELDS: &[&str] = &["name", "steps", "enroll_sources", "enroll_form_ids", "active"];

#[component]
fn SequenceEditor(
    sequence: Option<SequenceView>,
    forms: Signal<Vec<WebFormView>>,
    editable: bool,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_saved: Callback<()>,
) -> impl IntoView {
    let toaster = use_toaster();
    let is_new = sequence.is_none();
    let title = match (&sequence, editable) {
        (None, _) => "New sequence".to_owned(),
        (Some(s), true) => format!("Edit {}", s.name),
        (Some(s), false) => s.name.clone(),
    };
    let name = RwSignal::new(sequence.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let active = RwSignal::new(sequence.as_ref().is_none_or(|s| s.active));
    let sources = RwSignal::new(sequence.as_ref().map(|s| s.enroll_sources.clone()).unwrap_or_default());
    let form_ids = RwSignal::new(sequence.as_ref().map(|s| s.enroll_form_ids.clone()).unwrap_or_default());
    let steps = RwSignal::new(match &sequence {
        Some(s) => s.steps.iter().map(|step| StepRow::new(Some(step), 0)).collect(),
        None => vec![StepRow::new(None, 0)],
    });
    let existing = sequence.map(|s| (s.id, s.version));
    let save = Save::new(
        move |client, input: SequenceInput| async move {
            match existing {
                None => client.create_sequence(&input).await,
                Some((id, version)) => client.update_sequence(id, version, &input).await,
            }
        },
        move |saved: SequenceView| {
            toaster.success(format!("Sequence {} saved", saved.name));
            on_saved.run(());
        },
    );
    let problem = save.problem;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !editable {
            return;
        }
        let mut errors = Vec::new();
        let mut parsed = Vec::new();
        for (i, row) in steps.get_untracked().iter().enumerate() {
            let field = format!("steps[{i}].day_offset");
            let day = optional_number::<u32>(&row.day.get_untracked(), &field, &mut errors);
            if day.is_none() && !errors.iter().any(|e| e.field == field) {
                errors.push(FieldError::new(field, "required", "Give the day (0 = right away)."));
            }
            parsed.push(SequenceStep {
                day_offset: day.unwrap_or_default(),
                subject: row.subject.get_untracked().trim().to_owned(),
                body: row.body.get_untracked(),
            });
        }
        let mut found = Found::new();
        found.extend(errors);
        save.submit(
            found,
            SequenceInput {
                name: name.get_untracked().trim().to_owned(),
                steps: parsed,
                enroll_sources: sources.get_untracked(),
                enroll_form_ids: form_ids.get_untracked(),
                active: active.get_untracked(),
            },
        );
    };

    let source_boxes = LeadSource::ALL
        .into_iter()
        .map(|source| {
            let id = format!("sequence-source-{}", source.as_str());
            view! {
                <label class="checkbox">
                    <input
                        id=id
                        type="checkbox"
                        prop:checked=move || sources.with(|s| s.contains(&source))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            sources
                                .update(|s| {
                                    s.retain(|x| *x != source);
                                    if on {
                                        s.push(source);
                                    }
                                });
                        }
                    />
                    {source_label(source)}
                </label>
            }
        })
        .collect_view();

    let choose_forms = move |ev: leptos::ev::Event| {
        let Some(select) = ev.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()) else {
            return;
        };
        let options = select.selected_options();
        let chosen: Vec<WebFormId> = (0..options.length())
            .filter_map(|i| options.item(i))
            .filter_map(|option| option.get_attribute("value"))
            .filter_map(|value| value.parse().ok())
            .collect();
        form_ids.set(chosen);
    };
    let form_options = move || {
        let all = forms.get();
        // Chosen forms deleted since stay chosen until unselected.
        let missing: Vec<WebFormId> =
            form_ids.with(|ids| ids.iter().filter(|id| !all.iter().any(|f| f.id == **id)).copied().collect());
        let named = all.into_iter().map(|form| (form.id, form.name));
        let gone = missing.into_iter().map(|id| (id, "(deleted or unknown web form)".to_owned()));
        named
            .chain(gone)
            .map(|(id, name)| {
                view! {
                    <option value=id.to_string() selected=move || form_ids.with(|ids| ids.contains(&id))>
                        {name}
                    </option>
                }
            })
            .collect_view()
    };

    let merge_help = MERGE_FIELDS.iter().map(|f| format!("{{{{{f}}}}}")).collect::<Vec<_>>().join(" ");

    view! {
        <section class="card" id="sequence-editor">
            <div class="card-header">
                <h2>{title}</h2>
            </div>
            <div class="card-body">
                <form class="form" on:submit=submit novalidate>
                    <StaleNotice stale=save.stale what="sequence" on_reload=on_saved />
                    <FormAlert problem fields=FIELDS prefixes=&["steps["] />
                    <fieldset class="fieldset form" disabled=!editable>
                        <div class="form-grid">
                            <Field label="Name" id="sequence-name" name="name" problem>
                                <input
                                    id="sequence-name"
                                    type="text"
                                    required
                                    placeholder="Welcome series"
                                    aria-invalid=invalid(problem, "name")
                                    bind:value=name
                                />
                            </Field>
                        </div>
                        <label class="checkbox">
                            <input id="sequence-active" type="checkbox" bind:checked=active />
                            "Active: enrolls leads and sends emails"
                        </label>
                        <div class="field">
                            <span class="label">"Enroll new leads from these channels"</span>
                            <div class="checkbox-grid" id="sequence-sources">
                                {source_boxes}
                            </div>
                            <FieldErrorView problem name="enroll_sources" />
                        </div>
                        <div class="field">
                            <label for="sequence-forms">"…and from these web forms"</label>
                            {move || {
                                if forms.with(Vec::is_empty) && form_ids.with(Vec::is_empty) {
                                    view! { <p class="muted small">"No web forms to choose from."</p> }.into_any()
                                } else {
                                    view! {
                                        <select
                                            id="sequence-forms"
                                            multiple
                                            size="4"
                                            aria-invalid=invalid(problem, "enroll_form_ids")
                                            on:change=choose_forms
                                        >
                                            {form_options}
                                        </select>
                                        <p class="field-hint">"Hold Ctrl (⌘ on a Mac) to choose several."</p>
                                    }
                                        .into_any()
                                }
                            }}
                            <FieldErrorView problem name="enroll_form_ids" />
                        </div>
                        <StepsEditor steps problem merge_help />
                    </fieldset>
                    <div class="form-actions">
                        {editable
                            .then(|| {
                                view! {
                                    <SubmitButton save id="sequence-save" label=if is_new { "Create sequence" } else { "Save sequence" } />
                                }
                            })}
                        <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>
                            {if editable { "Cancel" } else { "Close" }}
                        </button>
                    </div>
                </form>
            </div>
        </section>
    }
}

#[component]
fn StepsEditor(steps: RwSignal<Vec<StepRow>>, problem: RwSignal<Option<Problem>>, merge_help: String) -> impl IntoView {
    let whole = move || {
        problem
            .with(|p| p.as_ref().and_then(|p| p.field_message("steps")).map(str::to_owned))
            .map(|message| view! { <p class="field-error" data-testid="field-error">{message}</p> })
    };
    let add = move |_| {
        let last =
            steps.with_untracked(|rows| rows.last().and_then(|r| r.day.get_untracked().trim().parse::<u32>().ok()));
        let day = last.map_or(0, |d| d + 2);
        steps.update(|rows| rows.push(StepRow::new(None, day)));
    };
    view! {
        <div class="field">
            <span class="label">"Emails"</span>
            <p class="field-hint" id="sequence-merge-help">
                "Subjects and texts may use the merge fields " <code>{merge_help}</code>
                ", with a fallback for leads without the value: " <code>"{{owner_name | default: \"our team\"}}"</code>
                ". An unsubscribe link is added to every email."
            </p>
            <div class="step-rows" id="sequence-steps">
                {move || steps.with(Vec::is_empty).then(|| view! { <p class="muted small">"Add at least one email."</p> })}
                <For
                    each=move || steps.get()
                    key=|row| row.key
                    children=move |row| view! { <StepEditor row steps problem /> }
                />
            </div>
            {whole}
            <div>
                <button id="sequence-step-add" type="button" class="btn btn-secondary btn-sm" on:click=add>
                    "Add email"
                </button>
            </div>
        </div>
    }
}

#[component]
fn StepEditor(row: StepRow, steps: RwSignal<Vec<StepRow>>, problem: RwSignal<Option<Problem>>) -> impl IntoView {
    let key = row.key;
    let index = Memo::new(move |_| steps.with(|r| r.iter().position(|x| x.key == key)));
    let path = move || index.get().map(|i| format!("steps[{i}]")).unwrap_or_default();
    let errors = move || errors_under(problem, &path());
    let first = Signal::derive(move || index.get() == Some(0));
    let last = Signal::derive(move || index.get().is_some_and(|i| i + 1 == steps.with(Vec::len)));
    view! {
        <div class="step-row" data-testid="sequence-step">
            <div class="step-head">
                <strong class="nowrap">{move || index.get().map(|i| format!("Email {}", i + 1)).unwrap_or_default()}</strong>
                <label class="step-day">
                    <span class="muted">"Day"</span>
                    <input
                        type="number"
                        min="0"
                        max="365"
                        aria-label="Day after enrollment"
                        aria-invalid=move || invalid_at(problem, &format!("{}.day_offset", path()))
                        value=row.day.get_untracked()
                        on:input=move |ev| row.day.set(event_target_value(&ev))
                    />
                </label>
                <input
                    type="text"
                    class="step-subject"
                    placeholder="Subject"
                    aria-label="Subject"
                    aria-invalid=move || invalid_at(problem, &format!("{}.subject", path()))
                    bind:value=row.subject
                />
                <RowControls
                    noun="email"
                    first
                    last
                    on_move=move |up| steps.update(|r| move_row(r, |x| x.key, key, up))
                    on_remove=move |_| steps.update(|r| r.retain(|x| x.key != key))
                />
            </div>
            <textarea
                class="step-body"
                rows="5"
                placeholder="Hi {{first_name}}, …"
                aria-label="Text"
                aria-invalid=move || invalid_at(problem, &format!("{}.body", path()))
                bind:value=row.body
            ></textarea>
            {move || {
                let errors = errors();
                (!errors.is_empty())
                    .then(|| view! { <p class="field-error" data-testid="field-error">{errors.join(" ")}</p> })
            }}
            {move || {
                let text = format!("{}\n{}", row.subject.get(), row.body.get());
                let empty = empty_field_warnings(&text);
                (!empty.is_empty())
                    .then(|| {
                        let fields = empty.iter().map(|f| format!("{{{{{f}}}}}")).collect::<Vec<_>>().join(", ");
                        let example = format!("{{{{{} | default: \"our team\"}}}}", empty[0]);
                        view! {
                            <p class="field-warning" data-testid="merge-warning">
                                {format!("{fields} may be empty for some leads (e.g. a lead nobody owns yet). Give a fallback: ")}
                                <code>{example}</code>
                            </p>
                        }
                    })
            }}
        </div>
    }
}

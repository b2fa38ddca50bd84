//! `/m/leads/import`: the CSV import wizard. Upload a file, map its columns to lead fields, check
//! it with a dry run, then import in the background while the page shows the progress.

use std::time::Duration;

use kith_client::Client;
use kith_domain::core::custom_fields::CustomFieldView;
use kith_domain::core::modules::Module;
use kith_domain::leads::imports::{
    CheckStatus, ColumnMapping, DryRunReport, DuplicatePolicy, ImportCheck, ImportMapping, ImportStatus, ImportTarget,
    ImportView, CUSTOM_PREFIX,
};
use kith_domain::{FieldError, ImportId, Problem, UserId};
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

use super::forms::{target_label, target_value, TARGETS};
use super::{lead_href, parse_tags, LeadsGate};
use crate::api::{problem_of, use_client};
use crate::auth::use_session;
use crate::browser;
use crate::components::field::{invalid, Field, FieldError as FieldErrorView, FormAlert};
use crate::components::rows::{errors_under, invalid_at};
use crate::components::table::EmptyState;
use crate::components::toast::{use_toaster, Toaster};
use crate::people::{use_people, user_options};

const POLICIES: [DuplicatePolicy; 3] = [DuplicatePolicy::Skip, DuplicatePolicy::Update, DuplicatePolicy::Create];

fn policy_label(policy: DuplicatePolicy) -> &'static str {
    match policy {
        DuplicatePolicy::Skip => "Skip the row: leave the existing lead as it is",
        DuplicatePolicy::Update => "Update the existing lead with the row's non-empty values",
        DuplicatePolicy::Create => "Create another lead anyway",
    }
}

/// Where the wizard is.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Choose,
    Map,
    Check(Box<DryRunReport>),
    Run,
}

impl Step {
    fn number(&self) -> usize {
        match self {
            Step::Choose => 1,
            Step::Map => 2,
            Step::Check(_) => 3,
            Step::Run => 4,
        }
    }
}

/// One CSV column and the lead field chosen for it (empty: not imported).
#[derive(Clone)]
struct MapRow {
    column: String,
    target: RwSignal<String>,
}

/// The mapping chosen in step 2, kept while going back and forth.
#[derive(Clone, Copy)]
struct Choices {
    rows: RwSignal<Vec<MapRow>>,
    policy: RwSignal<DuplicatePolicy>,
    tags: RwSignal<String>,
    owner: RwSignal<String>,
}

impl Choices {
    fn new() -> Choices {
        Choices {
            rows: RwSignal::new(Vec::new()),
            policy: RwSignal::new(DuplicatePolicy::Skip),
            tags: RwSignal::new(String::new()),
            owner: RwSignal::new(String::new()),
        }
    }

    /// Start from the import's mapping, or else the suggested one.
    fn fill(self, import: &ImportView) {
        let columns = match &import.mapping {
            Some(mapping) => {
                self.policy.set(mapping.duplicate_policy);
                self.tags.set(mapping.tags.join(", "));
                self.owner.set(mapping.owner_id.map(|id| id.to_string()).unwrap_or_default());
                mapping.columns.clone()
            }
            None => import.suggested.clone(),
        };
        let rows = import
            .headers
            .iter()
            .map(|header| {
                let target = columns.iter().find(|c| c.column == *header).and_then(|c| c.target.clone());
                MapRow {
                    column: header.clone(),
                    target: RwSignal::new(target.map(|t| t.to_string()).unwrap_or_default()),
                }
            })
            .collect();
        self.rows.set(rows);
    }

    fn mapping(self) -> ImportMapping {
        ImportMapping {
            columns: self
                .rows
                .get_untracked()
                .into_iter()
                .map(|row| ColumnMapping {
                    column: row.column,
                    target: ImportTarget::parse(&row.target.get_untracked()),
                })
                .collect(),
            duplicate_policy: self.policy.get_untracked(),
            tags: parse_tags(&self.tags.get_untracked()),
            owner_id: self.owner.get_untracked().parse::<UserId>().ok(),
        }
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let session = use_session();
    view! {
        <LeadsGate>
            <Show
                when=move || session.can_write(Module::Leads)
                fallback=|| {
                    view! {
                        <div class="card">
                            <EmptyState
                                icon="!"
                                title="Importing leads is not available to your role"
                                text="Ask an administrator for permission to change leads."
                            />
                        </div>
                    }
                }
            >
                <Wizard />
            </Show>
        </LeadsGate>
    }
}

#[component]
fn Wizard() -> impl IntoView {
    let step = RwSignal::new(Step::Choose);
    let import = RwSignal::new(None::<ImportView>);
    let choices = Choices::new();

    let steps = move || {
        let current = step.with(Step::number);
        ["Choose a file", "Map the columns", "Check", "Import"]
            .into_iter()
            .enumerate()
            .map(|(i, label)| {
                let n = i + 1;
                view! {
                    <li class="wizard-step" class:active=n == current class:done=n < current>
                        <span class="wizard-number">{n}</span>
                        {label}
                    </li>
                }
            })
            .collect_view()
    };

    let body = move || match step.get() {
        Step::Choose => view! {
            <ChooseFile on_uploaded=move |uploaded: ImportView| {
                choices.fill(&uploaded);
                import.set(Some(uploaded));
                step.set(Step::Map);
            } />
        }
        .into_any(),
        Step::Map => view! { <MapColumns import choices step /> }.into_any(),
        Step::Check(report) => view! { <CheckReport report=*report import choices step /> }.into_any(),
        Step::Run => view! { <Progress import choices /> }.into_any(),
    };

    view! {
        <div class="page-header">
            <div>
                <a class="back-link" href="/m/leads">
                    "← Leads"
                </a>
                <h1>"Import leads"</h1>
                <p class="page-subtitle">"Bring leads in from a CSV file, e.g. an export of a trade-fair list or another CRM."</p>
            </div>
        </div>
        <ol class="wizard-steps" aria-label="Steps">{steps}</ol>
        {body}
    }
}

/// Step 1: read the chosen file in the browser and upload its text.
#[component]
fn ChooseFile(#[prop(into)] on_uploaded: Callback<ImportView>) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let file_input = NodeRef::<Input>::new();
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);

    let upload = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let file = file_input.get_untracked().and_then(|input| input.files()).and_then(|files| files.get(0));
        let Some(file) = file else {
            problem.set(Some(Problem::validation(vec![FieldError::new("file", "required", "Choose a CSV file.")])));
            return;
        };
        problem.set(None);
        busy.set(true);
        let client = client.clone();
        spawn_local(async move {
            let name = file.name();
            let text = match JsFuture::from(file.text()).await.ok().and_then(|text| text.as_string()) {
                Some(text) => text,
                None => {
                    busy.try_set(false);
                    toaster.failure("The file could not be read", "Check that it is a text (CSV) file and try again.");
                    return;
                }
            };
            let result = client.upload_import(&name, text).await;
            busy.try_set(false);
            match result {
                Ok(uploaded) => {
                    toaster.success(format!(
                        "{} uploaded: {}",
                        uploaded.file_name,
                        crate::format::count(uploaded.total_rows, "row", "rows")
                    ));
                    on_uploaded.try_run(uploaded);
                }
                Err(error) => {
                    problem.set(Some(problem_of(&error)));
                    toaster.error(&error);
                }
            }
        });
    };

    view! {
        <section class="card">
            <div class="card-header">
                <div>
                    <h2>"Choose a file"</h2>
                    <p class="card-text">
                        "A CSV file whose first line names the columns, e.g. “First name, Last name, Email, Company”."
                    </p>
                </div>
            </div>
            <div class="card-body">
                <form class="form" on:submit=upload novalidate>
                    <FormAlert problem fields=&["file"] />
                    <div class="field">
                        <label for="import-file">"CSV file"</label>
                        <input
                            id="import-file"
                            type="file"
                            accept=".csv,text/csv,text/plain"
                            aria-invalid=invalid(problem, "file")
                            node_ref=file_input
                        />
                        <FieldErrorView problem name="file" />
                    </div>
                    <div class="form-actions">
                        <button id="import-upload" type="submit" class="btn btn-primary" disabled=move || busy.get()>
                            {move || if busy.get() { "Uploading…" } else { "Upload" }}
                        </button>
                        <a class="btn btn-ghost" href="/m/leads">
                            "Cancel"
                        </a>
                    </div>
                </form>
            </div>
        </section>
    }
}

/// Step 2: a lead field per column, what to do with duplicates, tags and owner.
#[component]
fn MapColumns(import: RwSignal<Option<ImportView>>, choices: Choices, step: RwSignal<Step>) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let people = use_people();
    people.ensure();
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    // The organization's custom fields, offered as `custom.<key>` targets (a failure offers none).
    let custom_fields = RwSignal::new(Vec::<CustomFieldView>::new());
    {
        let client = client.clone();
        spawn_local(async move {
            if let Ok(found) = client.custom_fields_of("lead").await {
                custom_fields.try_set(found);
            }
        });
    }

    // Rows checked so far while the dry run runs in the background.
    let checked = RwSignal::new(None::<i64>);
    let check = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = import.with_untracked(|i| i.as_ref().map(|i| i.id)) else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        let mapping = choices.mapping();
        problem.set(None);
        busy.set(true);
        let client = client.clone();
        spawn_local(async move {
            let mapped = client.map_import(id, &mapping).await;
            let result = match mapped {
                Ok(view) => {
                    import.try_set(Some(view));
                    check_in_background(&client, id, checked).await
                }
                Err(error) => Err(error),
            };
            busy.try_set(false);
            checked.try_set(None);
            match result {
                Ok(report) => {
                    step.try_set(Step::Check(Box::new(report)));
                }
                Err(error) => {
                    problem.set(Some(problem_of(&error)));
                    toaster.error(&error);
                }
            }
        });
    };

    let summary = move || {
        import.with(|i| {
            i.as_ref().map(|i| {
                format!(
                    "{}: {}, {}",
                    i.file_name,
                    crate::format::count(i.total_rows, "row", "rows"),
                    crate::format::count(i.headers.len() as i64, "column", "columns")
                )
            })
        })
    };
    let rows = move || {
        let custom: Vec<(String, String)> = custom_fields.with(|defs| {
            defs.iter().map(|d| (format!("{CUSTOM_PREFIX}{}", d.key), format!("Custom: {}", d.label))).collect()
        });
        choices
            .rows
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let target = row.target;
                let mut custom = custom.clone();
                // A suggested or saved custom target whose field is not (or not yet) listed stays chosen.
                let chosen = target.get_untracked();
                if chosen.starts_with(CUSTOM_PREFIX) && !custom.iter().any(|(v, _)| *v == chosen) {
                    let label = format!("Custom: {}", &chosen[CUSTOM_PREFIX.len()..]);
                    custom.push((chosen, label));
                }
                let custom_options = (!custom.is_empty()).then(|| {
                    let options = custom
                        .into_iter()
                        .map(|(value, label)| {
                            let this = value.clone();
                            view! {
                                <option value=value selected=move || target.with(|v| *v == this)>
                                    {label}
                                </option>
                            }
                        })
                        .collect_view();
                    view! { <optgroup label="Custom fields">{options}</optgroup> }
                });
                let path = format!("columns[{i}]");
                let error_path = path.clone();
                let invalid_path = format!("{path}.column");
                view! {
                    <tr data-testid="import-column">
                        <td class="mono">{row.column.clone()}</td>
                        <td>
                            <select
                                aria-label=format!("Lead field for {}", row.column)
                                aria-invalid=move || invalid_at(problem, &invalid_path)
                                on:change=move |ev| target.set(event_target_value(&ev))
                            >
                                <option value="" selected=move || target.with(String::is_empty)>
                                    "Don't import"
                                </option>
                                {TARGETS
                                    .into_iter()
                                    .map(|t| {
                                        view! {
                                            <option value=target_value(t) selected=move || target.with(|v| v == target_value(t))>
                                                {target_label(t)}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                                {custom_options}
                            </select>
                            {move || {
                                let errors = errors_under(problem, &error_path);
                                (!errors.is_empty())
                                    .then(|| view! { <p class="field-error" data-testid="field-error">{errors.join(" ")}</p> })
                            }}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <section class="card">
            <div class="card-header">
                <div>
                    <h2>"Map the columns"</h2>
                    <p class="card-text" id="import-summary">{summary}</p>
                </div>
            </div>
            <div class="card-body">
                <form class="form" on:submit=check novalidate>
                    <FormAlert problem fields=&["columns", "duplicate_policy", "tags", "owner_id"] prefixes=&["columns["] />
                    <div class="table-wrap">
                        <table class="table" id="import-mapping">
                            <thead>
                                <tr>
                                    <th>"Column in the file"</th>
                                    <th>"Fills the lead's"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <FieldErrorView problem name="columns" />
                    <fieldset class="fieldset field">
                        <legend class="label">"When a row is someone already in Kith"</legend>
                        {POLICIES
                            .into_iter()
                            .map(|p| {
                                let id = format!("import-policy-{}", p.as_str());
                                view! {
                                    <label class="checkbox">
                                        <input
                                            id=id
                                            type="radio"
                                            name="import-policy"
                                            value=p.as_str()
                                            prop:checked=move || choices.policy.get() == p
                                            on:change=move |_| choices.policy.set(p)
                                        />
                                        {policy_label(p)}
                                    </label>
                                }
                            })
                            .collect_view()}
                        <FieldErrorView problem name="duplicate_policy" />
                    </fieldset>
                    <div class="form-grid">
                        <Field label="Tags" id="import-tags" name="tags" problem hint="Every imported lead gets them, so you can find this import later. Separated by commas.">
                            <input
                                id="import-tags"
                                type="text"
                                placeholder="fair-2026"
                                aria-invalid=invalid(problem, "tags")
                                bind:value=choices.tags
                            />
                        </Field>
                        <Field label="Owner" id="import-owner" name="owner_id" problem hint="Without one, the assignment rules choose.">
                            <select
                                id="import-owner"
                                aria-invalid=invalid(problem, "owner_id")
                                on:change=move |ev| choices.owner.set(event_target_value(&ev))
                            >
                                <option value="" selected=move || choices.owner.with(String::is_empty)>
                                    "Assign by the rules"
                                </option>
                                {user_options(people, move || choices.owner.with(|o| o.parse().ok()))}
                            </select>
                        </Field>
                    </div>
                    <div class="form-actions">
                        <button id="import-check" type="submit" class="btn btn-primary" disabled=move || busy.get()>
                            {move || match (busy.get(), checked.get()) {
                                (true, Some(n)) => {
                                    let total = import.with(|i| i.as_ref().map(|i| i.total_rows).unwrap_or(0));
                                    format!("Checking… {n} of {total} rows")
                                }
                                (true, None) => "Checking…".to_owned(),
                                _ => "Check the file".to_owned(),
                            }}
                        </button>
                        <span class="muted small">"Nothing is imported yet: the check only reads the file."</span>
                    </div>
                </form>
            </div>
        </section>
    }
}

/// Step 3: what the dry run found, and the start.
#[component]
fn CheckReport(
    report: DryRunReport,
    import: RwSignal<Option<ImportView>>,
    choices: Choices,
    step: RwSignal<Step>,
) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let busy = RwSignal::new(false);

    let start = move |_| {
        let Some(id) = import.with_untracked(|i| i.as_ref().map(|i| i.id)) else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let client = client.clone();
        spawn_local(async move {
            let result = client.start_import(id).await;
            busy.try_set(false);
            match result {
                Ok(started) => {
                    import.try_set(Some(started));
                    step.try_set(Step::Run);
                }
                Err(error) => toaster.error(&error),
            }
        });
    };

    let duplicates = report.duplicates_existing + report.duplicates_in_file;
    let policy_note = match choices.policy.get_untracked() {
        DuplicatePolicy::Skip => "Rows of people already in Kith will be skipped.",
        DuplicatePolicy::Update => "Rows of people already in Kith will update those leads.",
        DuplicatePolicy::Create => "Rows of people already in Kith will become additional leads.",
    };
    let stat = |label: &'static str, value: i64, id: &'static str| {
        view! {
            <div class="stat">
                <div class="stat-value" id=id>
                    {value}
                </div>
                <div class="stat-label">{label}</div>
            </div>
        }
    };
    let errors = (!report.errors.is_empty()).then(|| {
        let rows = report
            .errors
            .iter()
            .map(|problem| {
                let messages: Vec<String> =
                    problem.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
                view! {
                    <tr data-testid="import-error">
                        <td class="num">{problem.row}</td>
                        <td>{messages.join(" ")}</td>
                    </tr>
                }
            })
            .collect_view();
        let more = (report.invalid > report.errors.len() as i64)
            .then(|| format!("The first {} of {} are shown.", report.errors.len(), report.invalid));
        view! {
            <div class="stack-sm">
                <h3>"Rows that will not be imported"</h3>
                <div class="table-wrap">
                    <table class="table" id="import-errors">
                        <thead>
                            <tr>
                                <th class="num">"Row"</th>
                                <th>"Problem"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                {more.map(|m| view! { <p class="muted small">{m}</p> })}
            </div>
        }
    });
    let duplicate_rows = (!report.duplicates.is_empty()).then(|| {
        let rows = report
            .duplicates
            .iter()
            .map(|duplicate| {
                let matches = match (duplicate.lead_id, duplicate.earlier_row) {
                    (Some(lead), _) => view! { <a href=lead_href(lead)>"A lead already in Kith"</a> }.into_any(),
                    (None, Some(row)) => view! { <span>{format!("Row {row} of this file")}</span> }.into_any(),
                    (None, None) => view! { <span class="muted">"—"</span> }.into_any(),
                };
                view! {
                    <tr data-testid="import-duplicate">
                        <td class="num">{duplicate.row}</td>
                        <td>{matches}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="stack-sm">
                <h3>"Duplicates"</h3>
                <p class="muted small">{policy_note}</p>
                <div class="table-wrap">
                    <table class="table" id="import-duplicates">
                        <thead>
                            <tr>
                                <th class="num">"Row"</th>
                                <th>"Same person as"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </div>
        }
    });
    let nothing = report.valid == 0;
    // Say what will happen, as the import will count it: "Import: 16 new leads, 3 duplicates skipped,
    // 1 row not imported".
    let expected = report.expected(choices.policy.get_untracked());
    let outcome = [
        (expected.created, "new lead", "new leads"),
        (expected.updated, "lead updated", "leads updated"),
        (expected.skipped, "duplicate skipped", "duplicates skipped"),
        (expected.failed, "row not imported", "rows not imported"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| crate::format::count(n, one, many))
    .collect::<Vec<_>>()
    .join(", ");

    view! {
        <section class="card">
            <div class="card-header">
                <div>
                    <h2>"Check"</h2>
                    <p class="card-text">"What importing this file will do. Nothing has been imported yet."</p>
                </div>
            </div>
            <div class="card-body stack">
                <div class="stats" id="import-report">
                    {stat("Rows", report.rows, "import-rows")} {stat("Valid", report.valid, "import-valid")}
                    {stat("Invalid", report.invalid, "import-invalid")}
                    {stat("Already in Kith", report.duplicates_existing, "import-dup-existing")}
                    {stat("Repeated in the file", report.duplicates_in_file, "import-dup-file")}
                </div>
                {(duplicates == 0 && report.invalid == 0).then(|| view! { <p class="muted">"Every row can be imported as a new lead."</p> })}
                {errors}
                {duplicate_rows}
                <div class="form-actions">
                    <button
                        id="import-start"
                        type="button"
                        class="btn btn-primary"
                        disabled=move || busy.get() || nothing
                        on:click=start
                    >
                        {format!("Import: {outcome}")}
                    </button>
                    <button id="import-back" type="button" class="btn btn-secondary" on:click=move |_| step.set(Step::Map)>
                        "Back to the mapping"
                    </button>
                    {nothing.then(|| view! { <span class="muted small">"No row can be imported; change the mapping or the file."</span> })}
                </div>
            </div>
        </section>
    }
}

/// Ask for the dry run, follow its progress while the rows are checked in the background, and
/// read what it found.
async fn check_in_background(
    client: &Client,
    id: ImportId,
    checked: RwSignal<Option<i64>>,
) -> Result<DryRunReport, kith_client::ClientError> {
    client.dry_run_import(id).await?;
    loop {
        let found = client.get_import(id).await?;
        match found.check {
            Some(ImportCheck { status: CheckStatus::Done | CheckStatus::Failed, .. }) | None => break,
            Some(progress) => {
                if checked.try_set(Some(progress.checked_rows)).is_some() {
                    // The page was left.
                    break;
                }
            }
        }
        crate::browser::pause(500).await;
    }
    client.import_check_report(id).await
}

fn finished(status: ImportStatus) -> bool {
    matches!(status, ImportStatus::Completed | ImportStatus::Failed)
}

/// Ask for the import's progress every second until it has finished, while the page is open.
fn poll(client: Client, id: ImportId, import: RwSignal<Option<ImportView>>, stalled: RwSignal<bool>, toaster: Toaster) {
    set_timeout(
        move || {
            // The page was left.
            if import.try_get_untracked().is_none() {
                return;
            }
            spawn_local(async move {
                match client.get_import(id).await {
                    Ok(found) => {
                        let done = finished(found.status);
                        if import.try_set(Some(found)).is_none() && !done {
                            poll(client, id, import, stalled, toaster);
                        }
                    }
                    Err(error) => {
                        stalled.try_set(true);
                        toaster.error(&error);
                    }
                }
            });
        },
        Duration::from_secs(1),
    );
}

/// Step 4: the running import, then its results.
#[component]
fn Progress(import: RwSignal<Option<ImportView>>, choices: Choices) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let stalled = RwSignal::new(false);
    let downloading = RwSignal::new(false);
    let id = import.with_untracked(|i| i.as_ref().map(|i| i.id));
    let watch = {
        let client = client.clone();
        move || {
            if let Some(id) = id {
                stalled.set(false);
                poll(client.clone(), id, import, stalled, toaster);
            }
        }
    };
    watch();

    let download = move |_| {
        let Some((id, file_name)) = import.with_untracked(|i| i.as_ref().map(|i| (i.id, i.file_name.clone()))) else {
            return;
        };
        if downloading.get_untracked() {
            return;
        }
        downloading.set(true);
        let client = client.clone();
        spawn_local(async move {
            let result = client.import_results_csv(id).await;
            downloading.try_set(false);
            match result {
                Ok(csv) => {
                    let stem = file_name.strip_suffix(".csv").unwrap_or(&file_name);
                    let name = format!("{stem}-results.csv");
                    if browser::download_text(&name, "text/csv;charset=utf-8", &csv).is_err() {
                        toaster.failure("The download could not start", "The browser refused to save the file.");
                    }
                }
                Err(error) => toaster.error(&error),
            }
        });
    };

    let tags = parse_tags(&choices.tags.get_untracked());
    let leads_link = match tags.first() {
        Some(tag) => format!("/m/leads?tag={}", js_sys::encode_uri_component(tag)),
        None => "/m/leads?source=import".to_owned(),
    };
    let leads_label = match tags.first() {
        Some(tag) => format!("See the leads tagged “{tag}”"),
        None => "See the imported leads".to_owned(),
    };

    move || {
        let Some(current) = import.get() else {
            return ().into_any();
        };
        let p = current.progress.clone();
        let total = current.total_rows.max(1);
        let status = match current.status {
            ImportStatus::Queued => "Waiting to start…",
            ImportStatus::Running => "Importing…",
            ImportStatus::Completed => "Done",
            ImportStatus::Failed => "Failed",
            ImportStatus::Uploaded | ImportStatus::Mapped => "Not started",
        };
        let done = current.status == ImportStatus::Completed;
        let refresh = {
            let watch = watch.clone();
            move || {
                stalled.get().then(|| {
                    let watch = watch.clone();
                    view! {
                        <div>
                            <button id="import-refresh" type="button" class="btn btn-secondary btn-sm" on:click=move |_| watch()>
                                "Check the progress again"
                            </button>
                        </div>
                    }
                })
            }
        };
        let count = |label: &'static str, value: i64, id: &'static str| {
            view! {
                <div class="stat">
                    <div class="stat-value" id=id>
                        {value}
                    </div>
                    <div class="stat-label">{label}</div>
                </div>
            }
        };
        view! {
            <section class="card">
                <div class="card-header">
                    <div>
                        <h2>"Import"</h2>
                        <p class="card-text">{current.file_name.clone()}</p>
                    </div>
                    <span class="badge" class:badge-green=done class:badge-red=current.status == ImportStatus::Failed id="import-status">
                        {status}
                    </span>
                </div>
                <div class="card-body stack">
                    <div class="stack-sm">
                        <progress
                            id="import-progress"
                            max=total.to_string()
                            value=p.processed.to_string()
                            aria-label="Import progress"
                        ></progress>
                        <span class="muted small">{format!("{} of {} rows processed", p.processed, current.total_rows)}</span>
                    </div>
                    <div class="stats">
                        {count("Created", p.created, "import-created")} {count("Updated", p.updated, "import-updated")}
                        {count("Skipped", p.skipped, "import-skipped")} {count("Failed", p.failed, "import-failed")}
                    </div>
                    {current.error.clone().map(|e| view! { <div class="form-alert" role="alert"><strong>"The import stopped"</strong><span>{e}</span></div> })}
                    {refresh}
                    {finished(current.status)
                        .then(|| {
                            view! {
                                <div class="form-actions">
                                    <button
                                        id="import-results"
                                        type="button"
                                        class="btn btn-primary"
                                        disabled=move || downloading.get()
                                        on:click=download.clone()
                                    >
                                        "Download results"
                                    </button>
                                    <a id="import-leads" class="btn btn-secondary" href=leads_link.clone()>
                                        {leads_label.clone()}
                                    </a>
                                    <span class="muted small">"The results file has one line per row: what happened and why."</span>
                                </div>
                            }
                        })}
                </div>
            </section>
        }
        .into_any()
    }
}

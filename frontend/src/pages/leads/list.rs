//! `/m/leads`: the lead list. Filters and sort live in the address; rows can be changed in bulk,
//! and the selection the filters make can be exported as CSV.

use std::collections::HashSet;
use std::time::Duration;

use kith_domain::core::custom_fields::{CustomFieldKind, CustomFieldView};
use kith_domain::core::modules::Module;
use kith_domain::leads::{LeadCount, LeadListQuery, LeadSource, LeadStatus, LeadView};
use kith_domain::LeadId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::bulk::{BulkBar, BulkOutcome, BulkOutcomeView};
use super::filters::{Filter, LeadFilters, OPEN, UNASSIGNED};
use super::new_lead::NewLeadForm;
use super::saved_views::SavedViews;
use super::{lead_href, source_label, status_badge, LeadsGate};
use crate::api::use_client;
use crate::auth::use_session;
use crate::browser;
use crate::components::table::{LoadMore, Paged, StatusRow};
use crate::components::toast::use_toaster;
use crate::format;
use crate::people::{use_people, user_options, People};

#[component]
pub fn LeadListPage() -> impl IntoView {
    view! {
        <LeadsGate>
            <LeadList />
        </LeadsGate>
    }
}

#[component]
fn LeadList() -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let session = use_session();
    let people = use_people();
    people.ensure();

    let query = use_query_map();
    let filters = Memo::new(move |_| query.with(LeadFilters::from_params));
    let navigate = StoredValue::new_local(use_navigate());
    // Filters replace the address rather than pile up history: Back leaves the list.
    let apply = Callback::new(move |next: LeadFilters| {
        let path = format!("/m/leads{}", next.query_string());
        let options = NavigateOptions { replace: true, scroll: false, ..Default::default() };
        navigate.with_value(|navigate| navigate(&path, options));
    });

    let leads = Paged::<LeadView>::new();
    let selected = RwSignal::new(HashSet::<LeadId>::new());
    let outcome = RwSignal::new(None::<BulkOutcome>);
    let creating = RwSignal::new(false);
    let exporting = RwSignal::new(false);
    // The organization's custom fields, for the custom field filter (a failure only hides it).
    let custom_fields = RwSignal::new(Vec::<CustomFieldView>::new());
    {
        let client = client.clone();
        spawn_local(async move {
            if let Ok(found) = client.custom_fields_of("lead").await {
                custom_fields.try_set(found);
            }
        });
    }

    // How many leads the filters select, counted again with every fresh first page.
    let total = RwSignal::new(None::<LeadCount>);
    let load = Callback::new({
        let client = client.clone();
        move |more: bool| {
            let client = client.clone();
            let base = filters.get_untracked().list_query();
            if !more {
                let client = client.clone();
                let query = base.clone();
                spawn_local(async move {
                    // A failed count only hides the count; the list reports its own failure.
                    total.try_set(client.count_leads(&query).await.ok());
                });
            }
            let fetch = move |cursor| async move { client.list_leads(&LeadListQuery { cursor, ..base }).await };
            if more {
                leads.more(fetch);
            } else {
                leads.reload(fetch);
            }
        }
    });
    // Runs at first and on every change of the address's filters.
    Effect::new(move |_| {
        filters.track();
        selected.set(HashSet::new());
        load.run(false);
    });

    let export = move |_| {
        if exporting.get_untracked() {
            return;
        }
        exporting.set(true);
        let query = filters.get_untracked().list_query();
        let client = client.clone();
        spawn_local(async move {
            let result = client.export_leads_csv(&query).await;
            exporting.try_set(false);
            match result {
                Ok(csv) => {
                    let name = format!("leads-{}.csv", format::date(format::now()));
                    if browser::download_text(&name, "text/csv;charset=utf-8", &csv).is_err() {
                        toaster.failure("The download could not start", "The browser refused to save the file.");
                    }
                }
                Err(error) => toaster.error(&error),
            }
        });
    };

    let writable = move || session.can_write(Module::Leads);
    // A memo, so the bulk bar (and what was chosen in it) stays while the selection changes.
    let has_selection = Memo::new(move |_| !selected.with(HashSet::is_empty));
    let rows = move || {
        let selectable = writable();
        leads.items.get().into_iter().map(|lead| lead_row(lead, selectable, selected, people)).collect_view()
    };
    let all_selected = move || {
        !selected.with(HashSet::is_empty)
            && leads.items.with(|items| selected.with(|s| items.iter().all(|l| s.contains(&l.id))))
    };
    let select_all = move |ev: leptos::ev::Event| {
        if event_target_checked(&ev) {
            selected.set(leads.items.with_untracked(|items| items.iter().map(|l| l.id).collect()));
        } else {
            selected.set(HashSet::new());
        }
    };
    let status_row = move || {
        let columns = if writable() { 9 } else { 8 };
        if filters.with(LeadFilters::narrows) {
            view! {
                <StatusRow
                    paged=leads
                    columns
                    empty_title="No leads match these filters"
                    empty_text="Loosen or clear the filters to see more."
                />
            }
        } else {
            view! {
                <StatusRow
                    paged=leads
                    columns
                    empty_title="No leads yet"
                    empty_text="Leads arrive from web forms, email, imports and the API, or add one with “New lead”."
                />
            }
        }
    };

    view! {
        <div class="page-header">
            <div>
                <h1>"Leads"</h1>
                <p class="page-subtitle">{Module::Leads.purpose()}</p>
            </div>
            <div class="row header-actions">
                <a class="btn btn-ghost" href="/settings/lead-scoring">
                    "Scoring & assignment"
                </a>
                <a id="lead-web-forms" class="btn btn-ghost" href="/m/leads/forms">
                    "Web forms"
                </a>
                <a id="lead-duplicates" class="btn btn-ghost" href="/m/leads/duplicates">
                    "Duplicates"
                </a>
                <a id="lead-call-lists" class="btn btn-ghost" href="/m/leads/calls">
                    "Call lists"
                </a>
                <button
                    id="lead-export"
                    type="button"
                    class="btn btn-secondary"
                    disabled=move || exporting.get()
                    on:click=export
                >
                    {move || if exporting.get() { "Exporting…" } else { "Export CSV" }}
                </button>
                {move || {
                    writable()
                        .then(|| {
                            view! {
                                <a id="lead-import" class="btn btn-secondary" href="/m/leads/import">
                                    "Import CSV"
                                </a>
                                <button
                                    id="lead-new"
                                    type="button"
                                    class="btn btn-primary"
                                    on:click=move |_| creating.set(true)
                                >
                                    "New lead"
                                </button>
                            }
                        })
                }}
            </div>
        </div>
        <div class="stack">
            {move || creating.get().then(|| view! { <NewLeadForm on_close=move |_| creating.set(false) /> })}
            <section class="card">
                <FilterBar filters apply people custom_fields />
                <p id="lead-count" class="list-count muted small" role="status">
                    {move || {
                        total
                            .get()
                            .map(|t| {
                                let n = format::count(t.count, "lead", "leads");
                                if t.more { n.replacen(' ', "+ ", 1) } else { n }
                            })
                    }}
                </p>
                <SavedViews filters />
                <BulkOutcomeView outcome />
                {move || {
                    (writable() && has_selection.get())
                        .then(|| {
                            view! {
                                <BulkBar
                                    selected
                                    leads
                                    outcome
                                    on_done=move |_| {
                                        selected.set(HashSet::new());
                                        load.run(false);
                                    }
                                />
                            }
                        })
                }}
                <div class="table-wrap">
                    <table class="table cards" id="lead-table">
                        <thead>
                            <tr>
                                {move || {
                                    writable()
                                        .then(|| {
                                            view! {
                                                <th class="check">
                                                    <input
                                                        type="checkbox"
                                                        aria-label="Select all shown leads"
                                                        prop:checked=all_selected
                                                        on:change=select_all
                                                    />
                                                </th>
                                            }
                                        })
                                }}
                                <SortHeader label="Name" field="name" filters apply />
                                <SortHeader label="Company" field="company" filters apply />
                                <th>"Email"</th>
                                <th>"Status"</th>
                                <th>"Owner"</th>
                                <SortHeader label="Score" field="score" filters apply numeric=true />
                                <th>"Source"</th>
                                <SortHeader label="Created" field="created_at" filters apply />
                            </tr>
                        </thead>
                        <tbody>{rows} {status_row}</tbody>
                    </table>
                </div>
                <LoadMore paged=leads on_more=move |_| load.run(true) />
            </section>
        </div>
    }
}

fn lead_row(lead: LeadView, selectable: bool, selected: RwSignal<HashSet<LeadId>>, people: People) -> impl IntoView {
    let id = lead.id;
    let name = lead.display_name();
    let checkbox = selectable.then(|| {
        let label = format!("Select {name}");
        view! {
            <td class="check">
                <input
                    type="checkbox"
                    aria-label=label
                    prop:checked=move || selected.with(|s| s.contains(&id))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        selected
                            .update(|s| {
                                if on {
                                    s.insert(id);
                                } else {
                                    s.remove(&id);
                                }
                            });
                    }
                />
            </td>
        }
    });
    let owner = match lead.owner_id {
        Some(owner) => view! { <span>{move || people.name(owner)}</span> }.into_any(),
        None => view! { <span class="muted">"Unassigned"</span> }.into_any(),
    };
    // The cells' classes place them on a phone, where each row is a card (style.css).
    view! {
        <tr data-testid="lead-row" data-lead-id=id.to_string()>
            {checkbox}
            <td class="cell-name">
                <a href=lead_href(id)>{name}</a>
            </td>
            <td class="cell-company">{lead.company_name}</td>
            <td class="cell-email muted">{lead.email}</td>
            <td class="cell-status">{status_badge(lead.status)}</td>
            <td class="cell-owner" data-testid="lead-owner">
                {owner}
            </td>
            <td class="cell-score num" data-testid="lead-score" data-label="Score">
                {lead.score}
            </td>
            <td class="cell-source muted nowrap">{source_label(lead.source)}</td>
            <td class="cell-created muted nowrap">{format::date(lead.created_at)}</td>
        </tr>
    }
}

/// A column header that sorts by `field`, the other way round on a second click.
#[component]
fn SortHeader(
    label: &'static str,
    field: &'static str,
    filters: Memo<LeadFilters>,
    apply: Callback<LeadFilters>,
    /// Right-aligned, like the numbers below it.
    #[prop(optional)]
    numeric: bool,
) -> impl IntoView {
    let order = move || {
        filters.with(|f| {
            let (current, descending) = f.sort_order();
            (current == field).then_some(descending)
        })
    };
    let aria_sort = move || match order() {
        Some(true) => "descending",
        Some(false) => "ascending",
        None => "none",
    };
    let arrow = move || match order() {
        Some(true) => "↓",
        Some(false) => "↑",
        None => "",
    };
    let sort = move |_| {
        let current = filters.get_untracked();
        let next = current.toggled_sort(field);
        apply.run(current.with(Filter::Sort, next));
    };
    view! {
        <th aria-sort=aria_sort class:num=numeric>
            <button type="button" class="sort" data-sort=field on:click=sort>
                {label}
                <span class="sort-arrow" aria-hidden="true">
                    {arrow}
                </span>
            </button>
        </th>
    }
}

/// A filter typed into a box: the box shows what is typed at once (and follows the address, e.g.
/// "Clear filters"), and the list follows 300 ms after the last keystroke — the same for every
/// typed filter, so none waits for Enter while another applies as you type.
fn typed_filter(
    filters: Memo<LeadFilters>,
    apply: Callback<LeadFilters>,
    filter: Filter,
) -> (RwSignal<String>, impl FnMut(String)) {
    let typed = RwSignal::new(filters.with_untracked(|f| f.get(filter).to_owned()));
    Effect::new(move |_| {
        let current = filters.with(|f| f.get(filter).to_owned());
        if typed.get_untracked().trim() != current {
            typed.set(current);
        }
    });
    let later = debounce(Duration::from_millis(300), move |text: String| {
        if let Some(current) = filters.try_get_untracked() {
            let text = if filter == Filter::Q { text } else { text.trim().to_owned() };
            if current.get(filter) != text {
                apply.try_run(current.with(filter, text));
            }
        }
    });
    (typed, later)
}

#[component]
fn FilterBar(
    filters: Memo<LeadFilters>,
    apply: Callback<LeadFilters>,
    people: People,
    custom_fields: RwSignal<Vec<CustomFieldView>>,
) -> impl IntoView {
    let set = move |filter: Filter, value: String| {
        let current = filters.get_untracked();
        let next = current.with(filter, value);
        if next != current {
            apply.run(next);
        }
    };

    // Search, tag and minimum score all apply as you type (after a pause), alike.
    let (search, mut search_later) = typed_filter(filters, apply, Filter::Q);
    let (tag, mut tag_later) = typed_filter(filters, apply, Filter::Tag);
    let (min_score, mut min_score_later) = typed_filter(filters, apply, Filter::MinScore);

    let status = move || filters.with(|f| LeadStatus::parse(&f.status));
    let open_only = move || filters.with(|f| f.status == OPEN);
    let source = move || filters.with(|f| LeadSource::parse(&f.source));
    let owner = move || filters.with(|f| f.owner.clone());
    // On a phone everything but the search folds behind one button that counts what is set.
    let unfolded = RwSignal::new(false);
    let toggle_label = move || match filters.with(LeadFilters::folded_count) {
        0 => "Filters".to_owned(),
        n => format!("Filters ({n})"),
    };

    view! {
        <div class="toolbar filter-bar" class:filters-open=unfolded>
            <input
                type="search"
                id="lead-search"
                placeholder="Search name, email or company"
                aria-label="Search leads"
                prop:value=move || search.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    search.set(text.clone());
                    search_later(text);
                }
            />
            <button
                id="lead-filters-toggle"
                type="button"
                class="btn btn-secondary btn-sm filter-toggle"
                aria-controls="lead-filters"
                aria-expanded=move || unfolded.get().to_string()
                on:click=move |_| unfolded.update(|open| *open = !*open)
            >
                {toggle_label}
            </button>
            <div class="filter-more" id="lead-filters">
            <PhoneSort filters apply />
            <select
                id="lead-filter-status"
                aria-label="Status"
                on:change=move |ev| set(Filter::Status, event_target_value(&ev))
            >
                <option value="" selected=move || status().is_none() && !open_only()>
                    "Any status"
                </option>
                <option value=OPEN selected=open_only>
                    "Open (not disqualified or converted)"
                </option>
                {LeadStatus::ALL
                    .into_iter()
                    .map(|s| {
                        view! {
                            <option value=s.as_str() selected=move || status() == Some(s)>
                                {s.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <select
                id="lead-filter-source"
                aria-label="Source"
                on:change=move |ev| set(Filter::Source, event_target_value(&ev))
            >
                <option value="" selected=move || source().is_none()>
                    "Any source"
                </option>
                {LeadSource::ALL
                    .into_iter()
                    .map(|s| {
                        view! {
                            <option value=s.as_str() selected=move || source() == Some(s)>
                                {source_label(s)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <select
                id="lead-filter-owner"
                aria-label="Owner"
                on:change=move |ev| set(Filter::Owner, event_target_value(&ev))
            >
                <option value="" selected=move || owner().is_empty()>
                    "Any owner"
                </option>
                <option value=UNASSIGNED selected=move || owner() == UNASSIGNED>
                    "Unassigned"
                </option>
                {user_options(people, move || filters.with(|f| f.owner.parse().ok()))}
            </select>
            <input
                type="text"
                id="lead-filter-tag"
                placeholder="Tag"
                aria-label="Tag"
                prop:value=move || tag.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    tag.set(text.clone());
                    tag_later(text);
                }
            />
            <input
                type="number"
                id="lead-filter-min-score"
                placeholder="Min. score"
                aria-label="Minimum score"
                // Not written back while typed: a half-typed number ("-") reads as "".
                prop:value=move || min_score.get()
                on:input=move |ev| min_score_later(event_target_value(&ev))
            />
            <CustomFieldFilter filters apply custom_fields />
            {move || {
                filters
                    .with(LeadFilters::narrows)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="btn btn-ghost btn-sm"
                                on:click=move |_| {
                                    let sort = filters.get_untracked().sort;
                                    apply.run(LeadFilters { sort, ..Default::default() });
                                }
                            >
                                "Clear filters"
                            </button>
                        }
                    })
            }}
            </div>
        </div>
    }
}

/// The sort as a choice, for a phone, where the rows are cards without column headers.
#[component]
fn PhoneSort(filters: Memo<LeadFilters>, apply: Callback<LeadFilters>) -> impl IntoView {
    const SORTS: [(&str, &str); 7] = [
        ("", "Newest first"),
        ("created_at", "Oldest first"),
        ("-score", "Highest score"),
        ("score", "Lowest score"),
        ("name", "Name A–Z"),
        ("-name", "Name Z–A"),
        ("company", "Company A–Z"),
    ];
    let current = move || filters.with(|f| f.sort.clone());
    view! {
        <select
            id="lead-sort"
            class="phone-only"
            aria-label="Sort"
            on:change=move |ev| {
                let now = filters.get_untracked();
                let next = now.with(Filter::Sort, event_target_value(&ev));
                if next != now {
                    apply.run(next);
                }
            }
        >
            {SORTS
                .into_iter()
                .map(|(value, label)| {
                    view! {
                        <option value=value selected=move || current() == value>
                            {label}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}

/// Narrow the list by a custom field: pick the field, then a value fitting its kind; no value means
/// "has any value".
#[component]
fn CustomFieldFilter(
    filters: Memo<LeadFilters>,
    apply: Callback<LeadFilters>,
    custom_fields: RwSignal<Vec<CustomFieldView>>,
) -> impl IntoView {
    let chosen = Memo::new(move |_| filters.with(|f| f.custom_field.clone()));
    let value = move || filters.with(|f| f.custom_value.clone());
    let set_value = move |text: String| {
        let current = filters.get_untracked();
        let next = current.with(Filter::CustomValue, text.trim());
        if next != current {
            apply.run(next);
        }
    };
    let pick_field = move |key: String| {
        let current = filters.get_untracked();
        // Another field's value means nothing for this one.
        let next = current.with(Filter::CustomField, key).with(Filter::CustomValue, "");
        if next != current {
            apply.run(next);
        }
    };

    let value_input = move || {
        let key = chosen.get();
        if key.is_empty() {
            return ().into_any();
        }
        let def = custom_fields.with(|defs| defs.iter().find(|d| d.key == key).cloned());
        let label = def.as_ref().map_or_else(|| key.clone(), |d| d.label.clone());
        let aria = format!("Value of {label}");
        let choices: Option<Vec<(String, String)>> = match def.as_ref().map(|d| d.kind) {
            Some(CustomFieldKind::Select) => {
                def.as_ref().map(|d| d.options.iter().map(|o| (o.clone(), o.clone())).collect())
            }
            Some(CustomFieldKind::Boolean) => {
                Some(vec![("true".to_owned(), "Yes".to_owned()), ("false".to_owned(), "No".to_owned())])
            }
            _ => None,
        };
        if let Some(choices) = choices {
            return view! {
                <select
                    id="lead-filter-custom-value"
                    aria-label=aria
                    on:change=move |ev| set_value(event_target_value(&ev))
                >
                    <option value="" selected=move || value().is_empty()>
                        "Any value"
                    </option>
                    {choices
                        .into_iter()
                        .map(|(option, text)| {
                            let this = option.clone();
                            view! {
                                <option value=option selected=move || value().eq_ignore_ascii_case(&this)>
                                    {text}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            }
            .into_any();
        }
        let input_type = match def.map(|d| d.kind) {
            Some(CustomFieldKind::Number) => "number",
            Some(CustomFieldKind::Date) => "date",
            _ => "text",
        };
        view! {
            <input
                type=input_type
                id="lead-filter-custom-value"
                placeholder="Any value"
                aria-label=aria
                prop:value=value
                on:change=move |ev| set_value(event_target_value(&ev))
            />
        }
        .into_any()
    };

    move || {
        // Shown once the fields are known, or when the address already names one.
        (!custom_fields.with(Vec::is_empty) || !chosen.with(String::is_empty)).then(|| {
            view! {
                <select
                    id="lead-filter-custom-field"
                    aria-label="Custom field"
                    on:change=move |ev| pick_field(event_target_value(&ev))
                >
                    <option value="" selected=move || chosen.with(String::is_empty)>
                        "Custom field"
                    </option>
                    {move || {
                        let key = chosen.get();
                        let mut options: Vec<(String, String)> =
                            custom_fields.with(|defs| defs.iter().map(|d| (d.key.clone(), d.label.clone())).collect());
                        // A key in the address that is not (or not yet) known still shows as chosen.
                        if !key.is_empty() && !options.iter().any(|(k, _)| *k == key) {
                            options.push((key.clone(), key.clone()));
                        }
                        options
                            .into_iter()
                            .map(|(k, label)| {
                                let this = k.clone();
                                view! {
                                    <option value=k selected=move || chosen.with(|c| *c == this)>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                {value_input}
            }
        })
    }
}

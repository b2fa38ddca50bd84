//! Call lists: `/m/leads/calls` lists them, creates one and adds contacts from a CSV file;
//! `/m/leads/calls/:id` is the agent's call screen for one list.

pub mod work;

use kith_domain::core::modules::Module;
use kith_domain::leads::call_lists::{CallListView, Disposition, NewCallList};
use kith_domain::leads::imports::RowProblem;
use kith_domain::CallListId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;

use super::{non_blank, LeadsGate};
use crate::api::use_client;
use crate::auth::use_session;
use crate::components::field::{FormAlert, TextField};
use crate::components::table::{EmptyState, Loading};
use crate::components::toast::use_toaster;
use crate::data::{Found, Save, SubmitButton};
use crate::format;

pub const DISPOSITIONS: [Disposition; 6] = [
    Disposition::NoAnswer,
    Disposition::Busy,
    Disposition::Callback,
    Disposition::NotInterested,
    Disposition::WrongNumber,
    Disposition::Interested,
];

pub fn disposition_label(disposition: Disposition) -> &'static str {
    match disposition {
        Disposition::NoAnswer => "No answer",
        Disposition::Busy => "Busy",
        Disposition::Callback => "Callback",
        Disposition::NotInterested => "Not interested",
        Disposition::WrongNumber => "Wrong number",
        Disposition::Interested => "Interested",
    }
}

pub fn call_list_href(id: CallListId) -> String {
    format!("/m/leads/calls/{id}")
}

/// A list's counts as stat tiles; `prefix` makes the tiles' ids (`call-list-total`).
pub fn list_stats(list: &CallListView, prefix: &'static str) -> impl IntoView {
    let stat = |label: &'static str, value: i64, id: String| {
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
        <div class="stats">
            {stat("Contacts", list.total, format!("{prefix}-total"))} {stat("Open", list.open, format!("{prefix}-open"))}
            {stat("Done", list.done, format!("{prefix}-done"))}
            {stat("Promoted to leads", list.promoted, format!("{prefix}-promoted"))}
        </div>
    }
}

#[component]
pub fn CallListsPage() -> impl IntoView {
    view! {
        <LeadsGate>
            <CallLists />
        </LeadsGate>
    }
}

/// What the last "Add contacts" did.
#[derive(Clone, Debug, PartialEq)]
struct Added {
    list: String,
    added: i64,
    refused: Vec<RowProblem>,
}

#[component]
fn CallLists() -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let session = use_session();
    let lists = RwSignal::new(None::<Vec<CallListView>>);
    let failed = RwSignal::new(false);
    let added = RwSignal::new(None::<Added>);
    let writable = move || session.can_write(Module::Leads);

    {
        let client = client.clone();
        spawn_local(async move {
            match client.call_lists().await {
                Ok(found) => {
                    lists.try_set(Some(found));
                }
                Err(error) => {
                    failed.try_set(true);
                    toaster.error(&error);
                }
            }
        });
    }

    // Read the chosen file in the browser and add its rows to the list.
    let add_contacts = Callback::new(move |(id, input): (CallListId, HtmlInputElement)| {
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        // Choosing the same file again should add it again.
        input.set_value("");
        let before = lists.with_untracked(|l| {
            l.as_ref().and_then(|l| l.iter().find(|x| x.id == id).map(|x| (x.name.clone(), x.total)))
        });
        let (name, total_before) = before.unwrap_or_default();
        let client = client.clone();
        spawn_local(async move {
            let Some(text) = JsFuture::from(file.text()).await.ok().and_then(|text| text.as_string()) else {
                toaster.failure("The file could not be read", "Check that it is a text (CSV) file and try again.");
                return;
            };
            match client.add_call_contacts(id, text).await {
                Ok(result) => {
                    let count = result.list.total - total_before;
                    let summary = format!(
                        "{} added, {} refused",
                        crate::format::count(count, "contact", "contacts"),
                        result.refused.len()
                    );
                    if result.refused.is_empty() {
                        toaster.success(summary);
                    } else {
                        toaster.failure(summary, "The refused rows are listed above the table.");
                    }
                    lists.try_update(|l| {
                        if let Some(l) = l {
                            for x in l.iter_mut().filter(|x| x.id == id) {
                                *x = result.list.clone();
                            }
                        }
                    });
                    added.try_set(Some(Added { list: name, added: count, refused: result.refused }));
                }
                Err(error) => toaster.error(&error),
            }
        });
    });

    let rows = move || {
        let can_add = writable();
        lists
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|list| {
                let id = list.id;
                let upload = can_add.then(|| {
                    view! {
                        <label class="file-button small">
                            "Add contacts (CSV) "
                            <input
                                id=format!("call-list-file-{id}")
                                type="file"
                                accept=".csv,text/csv,text/plain"
                                data-testid="call-list-file"
                                on:change=move |ev| {
                                    let input: HtmlInputElement = event_target(&ev);
                                    add_contacts.run((id, input));
                                }
                            />
                        </label>
                    }
                });
                view! {
                    <tr data-testid="call-list-row" data-call-list-id=id.to_string()>
                        <td>
                            <a href=call_list_href(id)>{list.name.clone()}</a>
                        </td>
                        <td class="num" data-testid="call-list-total">
                            {list.total}
                        </td>
                        <td class="num" data-testid="call-list-open">
                            {list.open}
                        </td>
                        <td class="num" data-testid="call-list-done">
                            {list.done}
                        </td>
                        <td class="num" data-testid="call-list-promoted">
                            {list.promoted}
                        </td>
                        <td class="muted nowrap">{format::date(list.created_at)}</td>
                        <td class="actions nowrap">
                            {upload}
                            <a class="btn btn-primary btn-sm" href=call_list_href(id) data-testid="call-list-work">
                                "Work this list"
                            </a>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    let body = move || {
        if failed.get() && lists.with(Option::is_none) {
            return view! { <EmptyState title="The call lists could not be loaded" text="Reload the page to try again." /> }
                .into_any();
        }
        match lists.with(|l| l.as_ref().map(Vec::is_empty)) {
            None => view! { <Loading /> }.into_any(),
            Some(true) => view! {
                <EmptyState
                    icon="☎"
                    title="No call lists yet"
                    text="A call list holds people to phone; the interested ones become leads."
                />
            }
            .into_any(),
            Some(false) => view! {
                <div class="table-wrap">
                    <table class="table" id="call-list-table">
                        <thead>
                            <tr>
                                <th>"Name"</th>
                                <th class="num">"Contacts"</th>
                                <th class="num">"Open"</th>
                                <th class="num">"Done"</th>
                                <th class="num">"Promoted"</th>
                                <th>"Created"</th>
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
        <div class="page-header">
            <div>
                <a class="back-link" href="/m/leads">
                    "← Leads"
                </a>
                <h1>"Call lists"</h1>
                <p class="page-subtitle">"People to phone. Interested contacts become leads, with their call history."</p>
            </div>
        </div>
        <div class="stack">
            {move || writable().then(|| view! { <NewCallList lists /> })}
            <AddedReport added />
            <section class="card">{body}</section>
        </div>
    }
}

#[component]
fn NewCallList(lists: RwSignal<Option<Vec<CallListView>>>) -> impl IntoView {
    let toaster = use_toaster();
    let name = RwSignal::new(String::new());
    let create = Save::new(
        |client, list: NewCallList| async move { client.create_call_list(&list.name).await },
        move |created: CallListView| {
            toaster.success(format!("Call list “{}” created", created.name));
            name.set(String::new());
            lists.update(|l| l.get_or_insert_with(Vec::new).insert(0, created));
        },
    );
    let problem = create.problem;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut found = Found::new();
        if non_blank(&name.get_untracked()).is_none() {
            found.add("name", "required", "Enter a name.");
        }
        create.submit(found, NewCallList { name: name.get_untracked().trim().to_owned() });
    };

    view! {
        <section class="card">
            <div class="card-header">
                <div>
                    <h2>"New call list"</h2>
                    <p class="card-text">"Then add contacts from a CSV file with a header line (name, company, phone, email…)."</p>
                </div>
            </div>
            <div class="card-body">
                <form class="form" id="call-list-new" on:submit=submit novalidate>
                    <FormAlert problem fields=&["name"] />
                    <TextField label="Name" id="call-list-name" name="name" problem value=name placeholder="Trade fair 2026" />
                    <div class="form-actions">
                        <SubmitButton save=create id="call-list-create" label="Create list" busy_label="Creating…" />
                    </div>
                </form>
            </div>
        </section>
    }
}

/// "12 contacts added to …" and the refused rows with their reasons, until dismissed.
#[component]
fn AddedReport(added: RwSignal<Option<Added>>) -> impl IntoView {
    move || {
        added.get().map(|done| {
            let refused = done.refused.len();
            let rows = done
                .refused
                .into_iter()
                .map(|problem| {
                    let messages: Vec<String> =
                        problem.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
                    view! {
                        <tr data-testid="call-refused-row">
                            <td class="num">{problem.row}</td>
                            <td>{messages.join(" ")}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <section class="card" id="call-added" role="status">
                    <div class="card-header">
                        <div>
                            <h2 id="call-added-summary">
                                {format!(
                                    "{} added to “{}”, {} refused",
                                    crate::format::count(done.added, "contact", "contacts"),
                                    done.list,
                                    crate::format::count(refused as i64, "row", "rows")
                                )}
                            </h2>
                        </div>
                        <button
                            type="button"
                            class="btn btn-ghost btn-sm"
                            aria-label="Dismiss"
                            on:click=move |_| added.set(None)
                        >
                            "×"
                        </button>
                    </div>
                    {(refused > 0)
                        .then(|| {
                            view! {
                                <div class="table-wrap">
                                    <table class="table" id="call-refused">
                                        <thead>
                                            <tr>
                                                <th class="num">"Row"</th>
                                                <th>"Why it was refused"</th>
                                            </tr>
                                        </thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            }
                        })}
                </section>
            }
        })
    }
}

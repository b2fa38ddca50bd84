//! Customers: the account and contact lists, and each one's page with the whole history of the
//! person or company (the lead it came from, its potentials) on one timeline.

use kith_domain::customers::*;
use kith_domain::{AccountId, ContactId};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::table::{LoadMore, Paged, StatusRow};
use crate::data::{load, Loaded};
use crate::pages::pipeline::{load_record, money, TimelineCard, ALL_EVENTS};
use crate::people::use_people;
use crate::registry::{RecordKind, SettingsPage};

pub const SETTINGS: &[SettingsPage] = &[];

pub const KINDS: &[RecordKind] = &[
    RecordKind { entity: "account", label: "Account", href: Some(|id| format!("/m/customers/accounts/{id}")) },
    RecordKind { entity: "contact", label: "Contact", href: Some(|id| format!("/m/customers/contacts/{id}")) },
];

fn lifecycle_badge(l: Lifecycle) -> impl IntoView {
    let class = match l {
        Lifecycle::Customer => "badge badge-green",
        Lifecycle::Prospect => "badge badge-blue",
        Lifecycle::FormerCustomer => "badge",
    };
    view! { <span class=class>{l.label()}</span> }
}

fn revenue(list: &[Revenue]) -> String {
    if list.is_empty() {
        "—".to_owned()
    } else {
        list.iter().map(|r| money(r.amount_minor, &r.currency)).collect::<Vec<_>>().join(" · ")
    }
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let people = use_people();
    people.ensure();
    let tab = RwSignal::new("accounts");
    let search = RwSignal::new(String::new());
    let query = move || CustomerListQuery {
        q: Some(search.get()).filter(|q| q.trim().chars().count() >= 3),
        ..Default::default()
    };
    let accounts = Paged::of(move |client, cursor| {
        let q = CustomerListQuery { cursor, ..query() };
        async move { client.list_accounts(&q).await }
    });
    let contacts = Paged::of(move |client, cursor| {
        let q = CustomerListQuery { cursor, ..query() };
        async move { client.list_contacts(&q).await }
    });
    view! {
        <div class="page">
            <div class="page-header">
                <div>
                    <h1>"Customers"</h1>
                    <p class="page-subtitle">"Accounts and the people at them, from the first lead to the won deal."</p>
                </div>
            </div>
            <div class="toolbar">
                <div class="tabs" role="tablist">
                    <button type="button" role="tab" id="tab-accounts" class=move || if tab.get() == "accounts" { "tab active" } else { "tab" } on:click=move |_| tab.set("accounts")>"Accounts"</button>
                    <button type="button" role="tab" id="tab-contacts" class=move || if tab.get() == "contacts" { "tab active" } else { "tab" } on:click=move |_| tab.set("contacts")>"Contacts"</button>
                </div>
                <input
                    type="search"
                    id="customer-search"
                    placeholder="Search names, emails, domains"
                    on:change=move |ev| {
                        search.set(event_target_value(&ev));
                        accounts.refresh();
                        contacts.refresh();
                    }
                />
            </div>
            <section class="card">
                {move || {
                    if tab.get() == "accounts" {
                        view! {
                            <div class="table-wrap">
                                <table class="table" id="account-table">
                                    <thead><tr><th>"Name"</th><th>"Stage"</th><th>"Country"</th><th>"Owner"</th><th class="num">"Won revenue"</th></tr></thead>
                                    <tbody>
                                        {move || accounts.items.get().into_iter().map(|a| {
                                            let owner = a.owner_id;
                                            view! {
                                                <tr>
                                                    <td><a href=format!("/m/customers/accounts/{}", a.id)>{a.name.clone()}</a>{a.domain.clone().map(|d| view! { <div class="muted">{d}</div> })}</td>
                                                    <td>{lifecycle_badge(a.lifecycle)}</td>
                                                    <td>{a.country.clone().unwrap_or_default()}</td>
                                                    <td>{move || owner.map(|o| people.name(o)).unwrap_or_else(|| "Unassigned".into())}</td>
                                                    <td class="num">{revenue(&a.revenue)}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                        <StatusRow paged=accounts columns=5 empty_title="No accounts yet" empty_text="Converting a lead makes its account; you can also add one." />
                                    </tbody>
                                </table>
                            </div>
                            <LoadMore paged=accounts />
                        }
                        .into_any()
                    } else {
                        view! {
                            <div class="table-wrap">
                                <table class="table" id="contact-table">
                                    <thead><tr><th>"Name"</th><th>"Title"</th><th>"Email"</th><th>"Phone"</th><th>"Owner"</th></tr></thead>
                                    <tbody>
                                        {move || contacts.items.get().into_iter().map(|c| {
                                            let owner = c.owner_id;
                                            view! {
                                                <tr>
                                                    <td><a href=format!("/m/customers/contacts/{}", c.id)>{c.display_name()}</a></td>
                                                    <td>{c.title.clone()}</td>
                                                    <td>{c.email.clone().unwrap_or_default()}</td>
                                                    <td>{c.phone.clone().unwrap_or_default()}</td>
                                                    <td>{move || owner.map(|o| people.name(o)).unwrap_or_else(|| "Unassigned".into())}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                        <StatusRow paged=contacts columns=5 empty_title="No contacts yet" empty_text="Converting a lead makes its contact." />
                                    </tbody>
                                </table>
                            </div>
                            <LoadMore paged=contacts />
                        }
                        .into_any()
                    }
                }}
            </section>
        </div>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let params = use_params_map();
    let people = use_people();
    people.ensure();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<AccountId>().ok()));
    let account = load_record(|client, id: AccountId| async move { client.get_account(id).await });
    let people_at = load(move |client| {
        let q = CustomerListQuery { account_id: id(), limit: Some(50), ..Default::default() };
        async move { client.list_contacts(&q).await.map(|p| p.items) }
    });
    // Potentials are the pipeline's: a role without it (support) is not shown them, nor asks.
    let sees_deals = crate::auth::use_session().can_read(kith_domain::core::modules::Module::Pipeline);
    let deals = load(move |client| {
        let q = kith_domain::pipeline::PotentialListQuery { account_id: id(), limit: Some(50), ..Default::default() };
        async move {
            if !sees_deals {
                return Ok(Vec::new());
            }
            client.list_potentials(&q).await.map(|p| p.items)
        }
    });
    let events = load_record(|client, id: AccountId| async move { client.account_events(id, &ALL_EVENTS).await });
    view! {
        <div class="page">
            <Loaded data=account what="the account" let:a>
                { {
                    let owner = a.owner_id;
                    view! {
                        <div class="page-header">
                            <div>
                                <a class="back-link" href="/m/customers">"← Customers"</a>
                                <h1 id="account-name">{a.name.clone()}</h1>
                                <div class="lead-facts">
                                    <span id="account-lifecycle">{lifecycle_badge(a.lifecycle)}</span>
                                    <span class="muted">"Owner"</span>
                                    <span>{move || owner.map(|o| people.name(o)).unwrap_or_else(|| "Unassigned".into())}</span>
                                    <span class="muted">"Won revenue"</span>
                                    <strong id="account-revenue">{revenue(&a.revenue)}</strong>
                                </div>
                            </div>
                        </div>
                        <div class="detail-grid">
                            <div class="stack">
                                <TimelineCard events />
                            </div>
                            <div class="stack">
                                <section class="card">
                                    <div class="card-header"><h2>"Company"</h2></div>
                                    <dl class="card-body facts">
                                        <dt>"Website"</dt><dd>{a.domain.clone().unwrap_or_else(|| "—".into())}</dd>
                                        <dt>"Industry"</dt><dd>{a.industry.clone().unwrap_or_else(|| "—".into())}</dd>
                                        <dt>"Country"</dt><dd>{a.country.clone().unwrap_or_else(|| "—".into())}</dd>
                                        <dt>"Phone"</dt><dd>{a.phone.clone().unwrap_or_else(|| "—".into())}</dd>
                                    </dl>
                                </section>
                                <section class="card">
                                    <div class="card-header"><h2>"People"</h2></div>
                                    <div class="card-body">
                                        <Loaded data=people_at what="the contacts" let:list>
                                            { view! {
                                                <ul class="plain-list">
                                                    {list.into_iter().map(|c| view! { <li><a href=format!("/m/customers/contacts/{}", c.id)>{c.display_name()}</a> <span class="muted">{format!(" · {}", c.title)}</span></li> }).collect_view()}
                                                </ul>
                                            }}
                                        </Loaded>
                                    </div>
                                </section>
                                {sees_deals.then(|| view! {
                                <section class="card">
                                    <div class="card-header"><h2>"Potentials"</h2></div>
                                    <div class="card-body">
                                        <Loaded data=deals what="the potentials" let:list>
                                            { view! {
                                                <ul class="plain-list" id="account-potentials">
                                                    {list.into_iter().map(|p| view! { <li><a href=format!("/m/pipeline/{}", p.id)>{p.name.clone()}</a> <span class="muted">{format!(" · {}", money(p.amount_minor, &p.currency))}</span></li> }).collect_view()}
                                                </ul>
                                            }}
                                        </Loaded>
                                    </div>
                                </section>
                                })}
                            </div>
                        </div>
                    }
                }}
            </Loaded>
        </div>
    }
}

#[component]
pub fn ContactPage() -> impl IntoView {
    let people = use_people();
    people.ensure();
    let contact = load_record(|client, id: ContactId| async move { client.get_contact(id).await });
    let events = load_record(|client, id: ContactId| async move { client.contact_events(id, &ALL_EVENTS).await });
    view! {
        <div class="page">
            <Loaded data=contact what="the contact" let:c>
                { {
                    let owner = c.owner_id;
                    view! {
                        <div class="page-header">
                            <div>
                                <a class="back-link" href="/m/customers">"← Customers"</a>
                                <h1 id="contact-name">{c.display_name()}</h1>
                                {(!c.title.is_empty()).then(|| view! { <p class="page-subtitle">{c.title.clone()}</p> })}
                            </div>
                        </div>
                        <div class="detail-grid">
                            <div class="stack">
                                <TimelineCard events />
                            </div>
                            <div class="stack">
                                <section class="card">
                                    <div class="card-header"><h2>"Contact"</h2></div>
                                    <dl class="card-body facts">
                                        <dt>"Email"</dt><dd>{c.email.clone().unwrap_or_else(|| "—".into())}</dd>
                                        <dt>"Phone"</dt><dd>{c.phone.clone().unwrap_or_else(|| "—".into())}</dd>
                                        <dt>"Owner"</dt><dd>{move || owner.map(|o| people.name(o)).unwrap_or_else(|| "Unassigned".into())}</dd>
                                        <dt>"Account"</dt><dd>{c.account_id.map(|a| view! { <a href=format!("/m/customers/accounts/{a}")>"Open the account"</a> })}</dd>
                                        <dt>"From lead"</dt><dd>{c.lead_id.map(|l| view! { <a href=format!("/m/leads/{l}")>"Open the lead"</a> })}</dd>
                                    </dl>
                                </section>
                            </div>
                        </div>
                    }
                }}
            </Loaded>
        </div>
    }
}

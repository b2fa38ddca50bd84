//! Tax categories under Settings: each with one rate, and whether the catalogue's prices in it
//! include the tax. Everyone who reads the catalogue sees them; admins change them.

use kith_domain::catalog::{TaxCategoryInput, TaxCategoryView};
use kith_domain::core::modules::Module;
use kith_domain::core::money::Percent;
use kith_domain::TaxCategoryId;
use leptos::prelude::*;

use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{FormAlert, TextField};
use crate::components::toast::use_toaster;
use crate::data::{load, Found, Loaded, Save, StaleNotice, SubmitButton};

#[component]
pub fn TaxCategoriesPage() -> impl IntoView {
    let session = use_session();
    let toaster = use_toaster();
    let taxes = load(|client| async move { client.tax_categories().await });
    let editing = RwSignal::new(None::<TaxCategoryId>);
    let delete = Save::new(
        |client, t: TaxCategoryView| async move { client.delete_tax_category(t.id).await.map(|()| t) },
        move |t: TaxCategoryView| {
            toaster.success_with_link(
                format!("{} moved to the recycle bin", t.name),
                "Recycle bin",
                "/settings/recycle-bin",
            );
            taxes.reload();
        },
    );
    let rows = move |all: Vec<TaxCategoryView>| {
        let admin = session.can_write(Module::Settings);
        if all.is_empty() {
            return view! { <tr><td colspan="4" class="muted">"No tax categories yet."</td></tr> }.into_any();
        }
        all.into_iter()
            .map(|t| {
                if admin && editing.get() == Some(t.id) {
                    return view! { <tr><td colspan="4"><TaxForm existing=Some(t) taxes editing /></td></tr> }.into_any();
                }
                let id = t.id;
                let gone = t.clone();
                let message = format!("{} goes to the recycle bin; its products keep it until it is purged.", t.name);
                let actions = admin.then(|| {
                    view! {
                        <button type="button" class="btn btn-secondary btn-sm" data-testid="tax-edit" on:click=move |_| editing.set(Some(id))>
                            "Edit"
                        </button>
                        <ConfirmButton
                            label="Delete"
                            title="Delete this tax category?"
                            message=message
                            confirm_label="Delete"
                            on_confirm=move |_| delete.dispatch(gone.clone())
                        />
                    }
                });
                view! {
                    <tr>
                        <td>{t.name.clone()}<div class="muted">{t.description.clone()}</div></td>
                        <td class="num">{t.percent().text()}</td>
                        <td>{if t.inclusive { "Included in prices" } else { "Added to prices" }}</td>
                        <td class="actions">
                            <a class="btn btn-ghost btn-sm" href=format!("/settings/history/tax_category/{id}")>"History"</a>
                            {actions}
                        </td>
                    </tr>
                }
                .into_any()
            })
            .collect_view()
            .into_any()
    };
    view! {
        <div class="stack">
            {move || session.can_write(Module::Settings).then(|| view! { <TaxForm existing=None taxes editing /> })}
            <section class="card">
                <div class="card-header">
                    <div>
                        <h2>"Tax categories"</h2>
                        <p class="card-text">"Each product names one; a quote with several categories shows a tax summary per rate."</p>
                    </div>
                </div>
                <Loaded data=taxes what="the tax categories" let:all>
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th>"Name"</th>
                                    <th class="num">"Rate"</th>
                                    <th>"Prices"</th>
                                    <th class="actions"></th>
                                </tr>
                            </thead>
                            <tbody>{rows(all)}</tbody>
                        </table>
                    </div>
                </Loaded>
            </section>
        </div>
    }
}

#[component]
fn TaxForm(
    existing: Option<TaxCategoryView>,
    taxes: crate::data::Load<Vec<TaxCategoryView>>,
    editing: RwSignal<Option<TaxCategoryId>>,
) -> impl IntoView {
    let toaster = use_toaster();
    let is_new = existing.is_none();
    let name = RwSignal::new(existing.as_ref().map(|t| t.name.clone()).unwrap_or_default());
    let description = RwSignal::new(existing.as_ref().map(|t| t.description.clone()).unwrap_or_default());
    let rate = RwSignal::new(
        existing.as_ref().map(|t| Percent(t.rate).text().trim_end_matches('%').to_owned()).unwrap_or_default(),
    );
    let inclusive = RwSignal::new(existing.as_ref().is_some_and(|t| t.inclusive));
    let save = Save::new(
        |client, (existing, input): (Option<TaxCategoryView>, TaxCategoryInput)| async move {
            match existing {
                Some(t) => client.update_tax_category(t.id, t.version, &input).await,
                None => client.create_tax_category(&input).await,
            }
        },
        move |t: TaxCategoryView| {
            toaster.success(format!("{} saved", t.name));
            if is_new {
                name.set(String::new());
                description.set(String::new());
                rate.set(String::new());
            }
            editing.set(None);
            taxes.reload();
        },
    );
    let problem = save.problem;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut found = Found::new();
        let parsed = found.take(
            Percent::parse(&rate.get_untracked()).ok_or(()),
            "rate",
            "number",
            "Enter a rate between 0 and 100, with at most three decimals (19, 7.7, 8.875).",
        );
        let input = TaxCategoryInput {
            name: name.get_untracked(),
            description: description.get_untracked(),
            rate: parsed.map_or(0, |p| p.0),
            inclusive: inclusive.get_untracked(),
        };
        save.submit_with(found, &input, (existing.clone(), input.clone()));
    };
    let prefix = if is_new { "tax" } else { "tax-edit" };
    view! {
        <section class="card">
            <div class="card-header">
                <h2>{if is_new { "New tax category" } else { "Edit tax category" }}</h2>
            </div>
            <div class="card-body">
                <form class="form" on:submit=submit novalidate>
                    <StaleNotice stale=save.stale what="tax category" on_reload=move |_| { editing.set(None); taxes.reload(); } />
                    <FormAlert problem fields=&["name", "description", "rate", "inclusive"] />
                    <div class="form-grid">
                        <TextField label="Name" id=if is_new { "tax-name" } else { "tax-edit-name" } name="name" problem value=name required=true />
                        <TextField label="Rate (%)" id=if is_new { "tax-rate" } else { "tax-edit-rate" } name="rate" problem value=rate required=true hint="19, 7.7 or 8.875" />
                        <TextField label="Description" id=if is_new { "tax-description" } else { "tax-edit-description" } name="description" problem value=description />
                    </div>
                    <label class="checkbox">
                        <input id=format!("{prefix}-inclusive") type="checkbox" bind:checked=inclusive />
                        "Catalogue prices in this category include the tax"
                    </label>
                    <div class="form-actions">
                        <SubmitButton save id=if is_new { "tax-save" } else { "tax-edit-save" } label="Save tax category" busy_label="Saving…" />
                        {(!is_new).then(|| view! {
                            <button type="button" class="btn btn-ghost" on:click=move |_| editing.set(None)>"Cancel"</button>
                        })}
                    </div>
                </form>
            </div>
        </section>
    }
}

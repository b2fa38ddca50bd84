//! Price books under Settings: named price lists whose entries override a product's own price in a
//! currency; one may be the default a new quote starts from.

use kith_domain::catalog::{PriceBookEntry, PriceBookInput, PriceBookView, ProductListQuery, ProductView};
use kith_domain::core::modules::Module;
use kith_domain::core::money::{Currency, Money, CURRENCIES};
use kith_domain::{PriceBookId, Problem};
use leptos::prelude::*;

use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{FormAlert, TextField};
use crate::components::toast::use_toaster;
use crate::data::{load, Found, Load, Loaded, Save, StaleNotice, SubmitButton};

#[component]
pub fn PriceBooksPage() -> impl IntoView {
    let session = use_session();
    let toaster = use_toaster();
    let books = load(|client| async move { client.price_books().await });
    // The first 200 products by name: what an entry may price.
    let products = load(|client| async move {
        client.products(&ProductListQuery { limit: Some(200), ..Default::default() }).await.map(|p| p.items)
    });
    let editing = RwSignal::new(None::<PriceBookId>);
    let delete = Save::new(
        |client, b: PriceBookView| async move { client.delete_price_book(b.id).await.map(|()| b) },
        move |b: PriceBookView| {
            toaster.success_with_link(
                format!("{} moved to the recycle bin", b.name),
                "Recycle bin",
                "/settings/recycle-bin",
            );
            books.reload();
        },
    );
    let product_name = move |entry: &PriceBookEntry| {
        products
            .with(|all| all.iter().find(|p| p.id == entry.product_id).map(|p| p.name.clone()))
            .flatten()
            .unwrap_or_else(|| "(product not in the first 200)".to_owned())
    };
    let list = move |all: Vec<PriceBookView>| {
        let admin = session.can_write(Module::Settings);
        if all.is_empty() {
            return view! { <p class="muted card-body">"No price books yet: quotes use the products' own prices."</p> }
                .into_any();
        }
        all.into_iter()
            .map(|b| {
                if admin && editing.get() == Some(b.id) {
                    return view! { <BookForm existing=Some(b) books products editing /> }.into_any();
                }
                let id = b.id;
                let gone = b.clone();
                let message = format!("{} goes to the recycle bin; you can restore it for 30 days.", b.name);
                let actions = admin.then(|| {
                    view! {
                        <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| editing.set(Some(id))>"Edit"</button>
                        <ConfirmButton label="Delete" title="Delete this price book?" message=message confirm_label="Delete" on_confirm=move |_| delete.dispatch(gone.clone()) />
                    }
                });
                let entries = b
                    .entries
                    .iter()
                    .map(|e| {
                        let price = Currency::parse(&e.currency).map(|c| Money::new(e.unit_price, c).to_string()).unwrap_or_default();
                        view! { <tr><td>{product_name(e)}</td><td class="num">{price}</td></tr> }
                    })
                    .collect_view();
                view! {
                    <section class="card" data-testid="price-book">
                        <div class="card-header">
                            <div>
                                <h2>{b.name.clone()}" "{b.is_default.then(|| view! { <span class="badge badge-accent">"Default"</span> })}</h2>
                                <p class="card-text">{b.description.clone()}</p>
                            </div>
                            <div class="actions">
                                <a class="btn btn-ghost btn-sm" href=format!("/settings/history/price_book/{id}")>"History"</a>
                                {actions}
                            </div>
                        </div>
                        <div class="table-wrap">
                            <table class="table">
                                <thead><tr><th>"Product"</th><th class="num">"Price"</th></tr></thead>
                                <tbody>{entries}</tbody>
                            </table>
                        </div>
                    </section>
                }
                .into_any()
            })
            .collect_view()
            .into_any()
    };
    view! {
        <div class="stack">
            {move || session.can_write(Module::Settings).then(|| view! { <BookForm existing=None books products editing /> })}
            <Loaded data=books what="the price books" let:all>
                <div class="stack">{list(all)}</div>
            </Loaded>
        </div>
    }
}

#[derive(Clone, Copy)]
struct EntryRow {
    key: u32,
    product: RwSignal<String>,
    currency: RwSignal<String>,
    amount: RwSignal<String>,
}

fn error_of(problem: RwSignal<Option<Problem>>, field: String) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || problem.with(|p| p.as_ref().and_then(|p| p.field_message(&field)).map(str::to_owned))
}

#[component]
fn BookForm(
    existing: Option<PriceBookView>,
    books: Load<Vec<PriceBookView>>,
    products: Load<Vec<ProductView>>,
    editing: RwSignal<Option<PriceBookId>>,
) -> impl IntoView {
    let toaster = use_toaster();
    let is_new = existing.is_none();
    let name = RwSignal::new(existing.as_ref().map(|b| b.name.clone()).unwrap_or_default());
    let description = RwSignal::new(existing.as_ref().map(|b| b.description.clone()).unwrap_or_default());
    let is_default = RwSignal::new(existing.as_ref().is_some_and(|b| b.is_default));
    let start: Vec<EntryRow> = existing
        .as_ref()
        .map(|b| b.entries.clone())
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, e)| EntryRow {
            key: i as u32,
            product: RwSignal::new(e.product_id.to_string()),
            amount: RwSignal::new(
                Currency::parse(&e.currency).map(|c| Money::new(e.unit_price, c).amount_text()).unwrap_or_default(),
            ),
            currency: RwSignal::new(e.currency),
        })
        .collect();
    let next_key = StoredValue::new(start.len() as u32);
    let rows = RwSignal::new(start);
    let save = Save::new(
        |client, (existing, input): (Option<PriceBookView>, PriceBookInput)| async move {
            match existing {
                Some(b) => client.update_price_book(b.id, b.version, &input).await,
                None => client.create_price_book(&input).await,
            }
        },
        move |b: PriceBookView| {
            toaster.success(format!("{} saved", b.name));
            if is_new {
                name.set(String::new());
                description.set(String::new());
                is_default.set(false);
                rows.set(Vec::new());
            }
            editing.set(None);
            books.reload();
        },
    );
    let problem = save.problem;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut found = Found::new();
        let mut entries = Vec::new();
        for (i, r) in rows.get_untracked().iter().enumerate() {
            let Ok(product_id) = r.product.get_untracked().parse() else {
                found.add(format!("entries[{i}].product_id"), "required", "Choose a product.");
                continue;
            };
            let code = r.currency.get_untracked();
            let mut unit_price = 0;
            if let Some(currency) = Currency::parse(&code) {
                match Money::parse(&r.amount.get_untracked(), currency) {
                    Ok(m) => unit_price = m.minor,
                    Err(e) => found.add(format!("entries[{i}].unit_price"), "number", e.to_string()),
                }
            }
            entries.push(PriceBookEntry { product_id, currency: code, unit_price });
        }
        let input = PriceBookInput {
            name: name.get_untracked(),
            description: description.get_untracked(),
            is_default: is_default.get_untracked(),
            entries,
        };
        save.submit_with(found, &input, (existing.clone(), input.clone()));
    };
    let entry_rows = move || {
        rows.get()
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let product_options = move || {
                    let chosen = row.product.get();
                    let none = view! { <option value="" selected=chosen.is_empty()>"Choose a product"</option> };
                    let all = products
                        .with(|all| {
                            all.iter()
                                .map(|p| {
                                    let id = p.id.to_string();
                                    let selected = id == chosen;
                                    view! { <option value=id selected=selected>{format!("{} ({})", p.name, p.sku)}</option> }
                                })
                                .collect_view()
                        });
                    view! { {none}{all} }
                };
                let currency_options = CURRENCIES
                    .iter()
                    .map(|c| {
                        let code = c.code();
                        view! { <option value=code selected=move || row.currency.get() == code>{code}</option> }
                    })
                    .collect_view();
                let formatted = move || {
                    Currency::parse(&row.currency.get())
                        .and_then(|c| Money::parse(&row.amount.get(), c).ok())
                        .map(|m| m.to_string())
                        .unwrap_or_default()
                };
                view! {
                    <div class="price-row">
                        <select aria-label="Product" on:change=move |ev| row.product.set(event_target_value(&ev))>{product_options}</select>
                        <select aria-label="Currency" bind:value=row.currency>{currency_options}</select>
                        <input type="text" inputmode="decimal" aria-label="Unit price" bind:value=row.amount />
                        <span class="price-formatted">{formatted}</span>
                        <button type="button" class="btn btn-ghost btn-sm" aria-label="Remove this entry" on:click=move |_| rows.update(|rs| rs.retain(|x| x.key != row.key))>"×"</button>
                        <p class="field-error">{error_of(problem, format!("entries[{i}].product_id"))}</p>
                        <p class="field-error">{error_of(problem, format!("entries[{i}].currency"))}</p>
                        <p class="field-error">{error_of(problem, format!("entries[{i}].unit_price"))}</p>
                    </div>
                }
            })
            .collect_view()
    };
    let add = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|rs| {
            rs.push(EntryRow {
                key,
                product: RwSignal::new(String::new()),
                currency: RwSignal::new("EUR".into()),
                amount: RwSignal::new(String::new()),
            })
        });
    };
    view! {
        <section class="card">
            <div class="card-header">
                <h2>{if is_new { "New price book" } else { "Edit price book" }}</h2>
            </div>
            <div class="card-body">
                <form class="form" on:submit=submit novalidate>
                    <StaleNotice stale=save.stale what="price book" on_reload=move |_| { editing.set(None); books.reload(); } />
                    <FormAlert problem fields=&["name", "description", "is_default"] prefixes=&["entries"] />
                    <div class="form-grid">
                        <TextField label="Name" id=if is_new { "book-name" } else { "book-edit-name" } name="name" problem value=name required=true />
                        <TextField label="Description" id=if is_new { "book-description" } else { "book-edit-description" } name="description" problem value=description />
                    </div>
                    <label class="checkbox">
                        <input type="checkbox" bind:checked=is_default />
                        "The default price book for new quotes"
                    </label>
                    <div class="field">
                        <span class="label">"Prices"</span>
                        <div class="price-rows">{entry_rows}</div>
                        <button type="button" class="btn btn-secondary btn-sm add-price" on:click=add>"Add a price"</button>
                    </div>
                    <div class="form-actions">
                        <SubmitButton save id=if is_new { "book-save" } else { "book-edit-save" } label="Save price book" busy_label="Saving…" />
                        {(!is_new).then(|| view! { <button type="button" class="btn btn-ghost" on:click=move |_| editing.set(None)>"Cancel"</button> })}
                    </div>
                </form>
            </div>
        </section>
    }
}

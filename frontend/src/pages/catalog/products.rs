//! The product catalogue: a searchable list, a form with a price per currency (each amount shown
//! formatted as it is typed), and a price preview — quantity, discount and the product's tax through
//! the domain's totals function — for everyone who reads the catalogue.

use kith_domain::catalog::{preview, Price, ProductInput, ProductKind, ProductListQuery, ProductView, TaxCategoryView};
use kith_domain::core::modules::Module;
use kith_domain::core::money::{Currency, Money, Percent, Quantity, CURRENCIES};
use kith_domain::core::totals::{Discount, Totals, TotalsError};
use kith_domain::{Problem, TaxCategoryId};
use leptos::prelude::*;

use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{Field, FormAlert, TextField};
use crate::components::table::{LoadMore, Paged, StatusRow};
use crate::components::toast::use_toaster;
use crate::components::totals::LiveTotals;
use crate::data::{load, Found, Save, StaleNotice, SubmitButton};

/// What the side panel shows: nothing, a new product's form, or one product.
#[derive(Clone, PartialEq)]
enum Panel {
    Closed,
    New,
    Open(Box<ProductView>),
}

fn prices_text(prices: &[Price]) -> String {
    prices
        .iter()
        .filter_map(|p| Currency::parse(&p.currency).map(|c| Money::new(p.unit_price, c).to_string()))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// `/catalog/products`, for those who read the catalogue.
#[component]
pub fn ProductsPage() -> impl IntoView {
    view! {
        <crate::pages::core::settings::Guard allowed=super::may_read>
            <Catalogue />
        </crate::pages::core::settings::Guard>
    }
}

#[component]
fn Catalogue() -> impl IntoView {
    let session = use_session();
    let toaster = use_toaster();
    let may_change = move || session.can_write(Module::Settings);
    let search = RwSignal::new(String::new());
    let products = Paged::of(move |client, cursor| {
        let q = search.get_untracked().trim().to_owned();
        async move {
            let query = ProductListQuery { cursor, q: (!q.is_empty()).then_some(q), ..Default::default() };
            client.products(&query).await
        }
    });
    // Again on every change of the search box (the first page is loaded already).
    Effect::new(move |first: Option<()>| {
        search.track();
        if first.is_some() {
            products.refresh();
        }
    });
    let taxes = load(|client| async move { client.tax_categories().await });
    let panel = RwSignal::new(Panel::Closed);
    let delete = Save::new(
        |client, p: ProductView| async move { client.delete_product(p.id).await.map(|()| p) },
        move |p: ProductView| {
            toaster.success_with_link(
                format!("{} moved to the recycle bin", p.name),
                "Recycle bin",
                "/settings/recycle-bin",
            );
            panel.set(Panel::Closed);
            products.refresh();
        },
    );

    let tax_name = move |id: Option<TaxCategoryId>| {
        id.and_then(|id| {
            taxes.with(|all| all.iter().find(|t| t.id == id).map(|t| format!("{} {}", t.name, t.percent().text())))
        })
        .flatten()
        .unwrap_or_default()
    };
    let rows = move || {
        products
            .items
            .get()
            .into_iter()
            .map(|p| {
                let open = p.clone();
                let kind = match p.kind {
                    ProductKind::Product => "Product",
                    ProductKind::Service => "Service",
                };
                let status = (!p.active).then(|| view! { <span class="badge">"Inactive"</span> });
                view! {
                    <tr>
                        <td>
                            <button
                                type="button"
                                class="link-button"
                                data-testid="product-open"
                                on:click=move |_| panel.set(Panel::Open(Box::new(open.clone())))
                            >
                                {p.name.clone()}
                            </button>
                            " "
                            {status}
                        </td>
                        <td class="muted">{p.sku.clone()}</td>
                        <td class="muted">{kind}" · "{p.unit.clone()}</td>
                        <td class="num">{prices_text(&p.prices)}</td>
                        <td class="muted">{move || tax_name(p.tax_category_id)}</td>
                    </tr>
                }
            })
            .collect_view()
    };

    let side = move || match panel.get() {
        Panel::Closed => None,
        Panel::New => Some(view! { <ProductForm product=None taxes panel products /> }.into_any()),
        Panel::Open(p) if may_change() => {
            let history = format!("/settings/history/product/{}", p.id);
            let gone = (*p).clone();
            let message = format!("{} goes to the recycle bin; you can restore it for 30 days.", p.name);
            Some(
                view! {
                    <div class="stack">
                        <ProductForm product=Some(*p) taxes panel products />
                        <div class="form-actions">
                            <a class="btn btn-ghost btn-sm" href=history>"History"</a>
                            <ConfirmButton
                                label="Delete"
                                title="Delete this product?"
                                message=message
                                confirm_label="Delete"
                                on_confirm=move |_| delete.dispatch(gone.clone())
                            />
                        </div>
                    </div>
                }
                .into_any(),
            )
        }
        Panel::Open(p) => {
            let prices: Vec<(String, i64)> = p.prices.iter().map(|x| (x.currency.clone(), x.unit_price)).collect();
            let tax_id = p.tax_category_id;
            let tax = Signal::derive(move || {
                tax_id.and_then(|id| taxes.with(|all| all.iter().find(|t| t.id == id).cloned()).flatten())
            });
            Some(
                view! {
                    <section class="card">
                        <div class="card-header">
                            <div>
                                <h2>{p.name.clone()}</h2>
                                <p class="card-text">{p.sku.clone()}" · "{p.description.clone()}</p>
                            </div>
                        </div>
                        <div class="card-body">
                            <PricePreview prices=Signal::derive(move || prices.clone()) tax />
                        </div>
                    </section>
                }
                .into_any(),
            )
        }
    };

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Products"</h1>
                    <p class="page-subtitle">"Products and services, their prices per currency and tax."</p>
                </div>
                {move || {
                    may_change()
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    id="product-new"
                                    class="btn btn-primary"
                                    on:click=move |_| panel.set(Panel::New)
                                >
                                    "New product"
                                </button>
                            }
                        })
                }}
            </header>
            <div class="catalog-layout">
                <section class="card">
                    <div class="toolbar">
                        <input
                            type="search"
                            id="product-search"
                            placeholder="Search by name or SKU"
                            aria-label="Search products"
                            bind:value=search
                        />
                    </div>
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th>"Name"</th>
                                    <th>"SKU"</th>
                                    <th>"Kind"</th>
                                    <th class="num">"Prices"</th>
                                    <th>"Tax"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows}
                                <StatusRow
                                    paged=products
                                    columns=5
                                    empty_title="No products"
                                    empty_text="Nothing matches, or the catalogue is empty."
                                />
                            </tbody>
                        </table>
                    </div>
                    <LoadMore paged=products />
                </section>
                {side}
            </div>
        </div>
    }
}

/// One price row of the form: its own signals, so typing in one row does not redraw the others.
#[derive(Clone, Copy)]
struct PriceRow {
    key: u32,
    currency: RwSignal<String>,
    amount: RwSignal<String>,
}

fn price_row(key: u32, currency: &str, amount: &str) -> PriceRow {
    PriceRow { key, currency: RwSignal::new(currency.to_owned()), amount: RwSignal::new(amount.to_owned()) }
}

/// The price rows that can be read, as (currency, minor units): what the preview prices.
fn readable(rows: &[PriceRow]) -> Vec<(String, i64)> {
    rows.iter()
        .filter_map(|r| {
            let code = r.currency.get();
            let currency = Currency::parse(&code)?;
            Money::parse(&r.amount.get(), currency).ok().map(|m| (code, m.minor))
        })
        .collect()
}

fn error_of(problem: RwSignal<Option<Problem>>, field: String) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || problem.with(|p| p.as_ref().and_then(|p| p.field_message(&field)).map(str::to_owned))
}

#[component]
fn ProductForm(
    product: Option<ProductView>,
    taxes: crate::data::Load<Vec<TaxCategoryView>>,
    panel: RwSignal<Panel>,
    products: Paged<ProductView>,
) -> impl IntoView {
    let toaster = use_toaster();
    let existing = product.clone();
    let is_new = product.is_none();
    let title = product.as_ref().map_or_else(|| "New product".to_owned(), |p| format!("Edit {}", p.name));
    let field = |f: fn(&ProductView) -> String, default: &str| product.as_ref().map_or_else(|| default.to_owned(), f);
    let sku = RwSignal::new(field(|p| p.sku.clone(), ""));
    let name = RwSignal::new(field(|p| p.name.clone(), ""));
    let description = RwSignal::new(field(|p| p.description.clone(), ""));
    let unit = RwSignal::new(field(|p| p.unit.clone(), "unit"));
    let kind = RwSignal::new(field(|p| p.kind.as_str().to_owned(), "product"));
    let tax = RwSignal::new(field(|p| p.tax_category_id.map(|t| t.to_string()).unwrap_or_default(), ""));
    let active = RwSignal::new(product.as_ref().is_none_or(|p| p.active));
    let prices =
        product.as_ref().map_or_else(|| vec![Price { currency: "EUR".into(), unit_price: 0 }], |p| p.prices.clone());
    let next_key = StoredValue::new(prices.len() as u32);
    let rows = RwSignal::new(
        prices
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let amount = if is_new {
                    String::new()
                } else {
                    Currency::parse(&x.currency).map(|c| Money::new(x.unit_price, c).amount_text()).unwrap_or_default()
                };
                price_row(i as u32, &x.currency, &amount)
            })
            .collect::<Vec<_>>(),
    );

    let save = Save::new(
        |client, (existing, input): (Option<ProductView>, ProductInput)| async move {
            match existing {
                Some(p) => client.update_product(p.id, p.version, &input).await,
                None => client.create_product(&input).await,
            }
        },
        move |saved: ProductView| {
            toaster.success(format!("{} saved", saved.name));
            if is_new {
                products.refresh();
            } else {
                let id = saved.id;
                products.replace(|x| x.id == id, saved.clone());
            }
            panel.set(Panel::Open(Box::new(saved)));
        },
    );
    let problem = save.problem;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut found = Found::new();
        let mut prices = Vec::new();
        for (i, r) in rows.get_untracked().iter().enumerate() {
            let code = r.currency.get_untracked();
            let mut unit_price = 0;
            if let Some(currency) = Currency::parse(&code) {
                match Money::parse(&r.amount.get_untracked(), currency) {
                    Ok(m) => unit_price = m.minor,
                    Err(e) => found.add(format!("prices[{i}].unit_price"), "number", e.to_string()),
                }
            }
            prices.push(Price { currency: code, unit_price });
        }
        let input = ProductInput {
            sku: sku.get_untracked().trim().to_owned(),
            name: name.get_untracked(),
            description: description.get_untracked(),
            unit: unit.get_untracked(),
            kind: ProductKind::parse(&kind.get_untracked()).unwrap_or_default(),
            prices,
            tax_category_id: tax.get_untracked().parse().ok(),
            active: active.get_untracked(),
        };
        save.submit_with(found, &input, (existing.clone(), input.clone()));
    };
    let reload = move |_| panel.set(Panel::Closed);

    let tax_options = move || {
        let chosen = tax.get();
        let none = view! { <option value="" selected=chosen.is_empty()>"No tax"</option> };
        let all = taxes
            .with(|all| {
                all.iter()
                    .map(|t| {
                        let id = t.id.to_string();
                        let selected = id == chosen;
                        view! { <option value=id selected=selected>{format!("{} ({})", t.name, t.percent().text())}</option> }
                    })
                    .collect_view()
            });
        view! { {none}{all} }
    };
    let chosen_tax = Signal::derive(move || {
        let id = tax.get();
        taxes.with(|all| all.iter().find(|t| t.id.to_string() == id).cloned()).flatten()
    });
    let price_rows = move || {
        rows.get()
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let currency_id = format!("product-price-currency-{i}");
                let amount_id = format!("product-price-amount-{i}");
                let formatted = move || {
                    Currency::parse(&row.currency.get())
                        .and_then(|c| Money::parse(&row.amount.get(), c).ok())
                        .map(|m| m.to_string())
                        .unwrap_or_default()
                };
                let currency_error = error_of(problem, format!("prices[{i}].currency"));
                let amount_error = error_of(problem, format!("prices[{i}].unit_price"));
                let options = CURRENCIES
                    .iter()
                    .map(|c| {
                        let code = c.code();
                        view! { <option value=code selected=move || row.currency.get() == code>{code}</option> }
                    })
                    .collect_view();
                view! {
                    <div class="price-row" data-testid="price-row">
                        <select id=currency_id aria-label="Currency" bind:value=row.currency>
                            {options}
                        </select>
                        <input id=amount_id type="text" inputmode="decimal" aria-label="Unit price" placeholder="0.00" bind:value=row.amount />
                        <span class="price-formatted" data-testid="price-formatted">{formatted}</span>
                        <button
                            type="button"
                            class="btn btn-ghost btn-sm"
                            aria-label="Remove this price"
                            on:click=move |_| rows.update(|rs| rs.retain(|x| x.key != row.key))
                        >
                            "×"
                        </button>
                        <p class="field-error">{currency_error}</p>
                        <p class="field-error">{amount_error}</p>
                    </div>
                }
            })
            .collect_view()
    };
    let add_price = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        let used: Vec<String> = rows.with_untracked(|rs| rs.iter().map(|r| r.currency.get_untracked()).collect());
        let code =
            ["EUR", "USD", "GBP", "CHF", "JPY"].into_iter().find(|c| !used.iter().any(|u| u == c)).unwrap_or("USD");
        rows.update(|rs| rs.push(price_row(key, code, "")));
    };
    let preview_prices = Signal::derive(move || rows.with(|rs| readable(rs)));

    view! {
        <section class="card" data-testid="product-form">
            <div class="card-header">
                <h2>{title}</h2>
            </div>
            <div class="card-body">
                <form class="form" on:submit=submit novalidate>
                    <StaleNotice stale=save.stale what="product" on_reload=reload />
                    <FormAlert problem fields=&["sku", "name", "description", "unit", "kind", "tax_category_id"] prefixes=&["prices"] />
                    <div class="form-grid">
                        <TextField label="SKU" id="product-sku" name="sku" problem value=sku required=true />
                        <TextField label="Name" id="product-name" name="name" problem value=name required=true />
                        <TextField label="Unit" id="product-unit" name="unit" problem value=unit hint="unit, hour, day, licence/month …" />
                        <Field label="Kind" id="product-kind" name="kind" problem>
                            <select id="product-kind" bind:value=kind>
                                <option value="product" selected=move || kind.get() == "product">"Product"</option>
                                <option value="service" selected=move || kind.get() == "service">"Service"</option>
                            </select>
                        </Field>
                        <Field label="Tax category" id="product-tax" name="tax_category_id" problem>
                            <select id="product-tax" on:change=move |ev| tax.set(event_target_value(&ev))>
                                {tax_options}
                            </select>
                        </Field>
                    </div>
                    <TextField label="Description" id="product-description" name="description" problem value=description />
                    <div class="field">
                        <span class="label">"Prices"</span>
                        <div class="price-rows">{price_rows}</div>
                        <button type="button" id="product-add-price" class="btn btn-secondary btn-sm add-price" on:click=add_price>
                            "Add a price"
                        </button>
                    </div>
                    <label class="checkbox">
                        <input id="product-active" type="checkbox" bind:checked=active />
                        "Active: offered on new quotes"
                    </label>
                    <div class="form-actions">
                        <SubmitButton save id="product-save" label="Save product" busy_label="Saving…" />
                        <button type="button" class="btn btn-ghost" on:click=move |_| panel.set(Panel::Closed)>
                            "Close"
                        </button>
                    </div>
                </form>
                <h3 class="preview-title">"Price preview"</h3>
                <PricePreview prices=preview_prices tax=chosen_tax />
            </div>
        </section>
    }
}

/// A quantity of the product at one of its prices, with a discount and its tax: the totals the
/// quote editor will show for such a line.
#[component]
pub fn PricePreview(
    /// The prices that can be read, as (currency code, minor units).
    #[prop(into)]
    prices: Signal<Vec<(String, i64)>>,
    #[prop(into)] tax: Signal<Option<TaxCategoryView>>,
) -> impl IntoView {
    let currency = RwSignal::new(String::new());
    let quantity = RwSignal::new("1".to_owned());
    let discount = RwSignal::new(String::new());
    let chosen = move || {
        let list = prices.get();
        let code = currency.get();
        list.iter().find(|(c, _)| *c == code).or(list.first()).cloned()
    };
    let totals = Signal::derive(move || -> Result<Totals, TotalsError> {
        let Some((_, unit_price)) = chosen() else { return Ok(Totals::default()) };
        let q = Quantity::parse(&quantity.get()).ok_or(TotalsError::Quantity { line: 1 })?;
        let text = discount.get();
        let d = if text.trim().is_empty() {
            None
        } else {
            Some(Discount::Percent(Percent::parse(&text).ok_or(TotalsError::LinePercent { line: 1 })?))
        };
        preview(unit_price, q, d, tax.get().as_ref())
    });
    let shown = Signal::derive(move || chosen().and_then(|(c, _)| Currency::parse(&c)));
    let options = move || {
        let selected = chosen().map(|(c, _)| c).unwrap_or_default();
        prices
            .get()
            .into_iter()
            .map(|(code, _)| {
                let is = code == selected;
                view! { <option value=code.clone() selected=is>{code.clone()}</option> }
            })
            .collect_view()
    };
    let mode = move || {
        tax.get()
            .map(|t| {
                format!(
                    "{} {}, prices {} tax",
                    t.name,
                    t.percent().text(),
                    if t.inclusive { "include" } else { "exclude" }
                )
            })
            .unwrap_or_else(|| "No tax".to_owned())
    };
    view! {
        <div class="price-preview" data-testid="price-preview">
            <div class="form-grid">
                <div class="field">
                    <label for="preview-currency">"Currency"</label>
                    <select id="preview-currency" on:change=move |ev| currency.set(event_target_value(&ev))>
                        {options}
                    </select>
                </div>
                <div class="field">
                    <label for="preview-quantity">"Quantity"</label>
                    <input id="preview-quantity" type="text" inputmode="decimal" bind:value=quantity />
                </div>
                <div class="field">
                    <label for="preview-discount">"Discount %"</label>
                    <input id="preview-discount" type="text" inputmode="decimal" placeholder="0" bind:value=discount />
                </div>
            </div>
            <p class="muted" data-testid="preview-tax">{mode}</p>
            <LiveTotals totals currency=shown />
        </div>
    }
}

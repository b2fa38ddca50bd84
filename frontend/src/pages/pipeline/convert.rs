//! Converting a lead: the dialog on the lead's page. It offers the accounts and contacts that look
//! like the lead's company and person (so a second "Acme" is not made by accident), the pipeline's
//! open phases, and runs the domain's checks before it sends.

use kith_domain::customers::{AccountView, ContactView, CustomerListQuery};
use kith_domain::leads::LeadView;
use kith_domain::pipeline::conversion::*;
use kith_domain::pipeline::{PhaseKind, PipelineView};
use leptos::prelude::*;

use crate::components::field::{Field, TextField};
use crate::data::{load, Found, Save};

/// Minor units from what a person types: `12500`, `12,500.50`, `12 500,5` → cents. `None` when it is
/// not an amount with at most two decimals.
pub fn parse_amount(text: &str) -> Option<i64> {
    let t: String = text.trim().chars().filter(|c| !c.is_whitespace() && *c != '\'').collect();
    if t.is_empty() {
        return Some(0);
    }
    // The last separator followed by one or two digits is the decimal one.
    let (whole, frac) = match t.rfind(['.', ',']) {
        Some(i) if t.len() - i - 1 <= 2 => (&t[..i], &t[i + 1..]),
        _ => (t.as_str(), ""),
    };
    let whole: String = whole.chars().filter(|c| *c != ',' && *c != '.').collect();
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let units: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    units.checked_mul(100)?.checked_add(cents)
}

#[component]
pub fn ConvertDialog(
    lead: LeadView,
    #[prop(into)] on_done: Callback<ConversionResult>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let lead_id = lead.id;
    let company = conversion_default_account(&lead);
    let email = lead.email.clone().unwrap_or_default();
    let company_q = company.clone();
    let similar_accounts = load(move |client| {
        let q = CustomerListQuery {
            q: Some(company_q.clone()).filter(|c| c.chars().count() >= 3),
            limit: Some(5),
            ..Default::default()
        };
        async move {
            if q.q.is_none() {
                return Ok(Vec::new());
            }
            client.list_accounts(&q).await.map(|p| p.items)
        }
    });
    let similar_contacts = load(move |client| {
        let q = CustomerListQuery {
            q: Some(email.clone()).filter(|e| e.contains('@')),
            limit: Some(5),
            ..Default::default()
        };
        async move {
            if q.q.is_none() {
                return Ok(Vec::new());
            }
            client.list_contacts(&q).await.map(|p| p.items)
        }
    });
    let pipelines = load(|client| async move { client.list_pipelines().await });

    let account_mode = RwSignal::new("new".to_owned());
    let account_name = RwSignal::new(company.clone());
    let contact_mode = RwSignal::new("new".to_owned());
    let with_potential = RwSignal::new(true);
    let potential_name = RwSignal::new(potential_name(&lead));
    let amount = RwSignal::new(String::new());
    let currency = RwSignal::new("EUR".to_owned());
    let phase = RwSignal::new(String::new());
    let close_on = RwSignal::new(String::new());

    let save = Save::new(
        move |client, input: LeadConversion| async move { client.convert_lead(lead_id, &input).await },
        move |result: ConversionResult| on_done.run(result),
    );
    let problem = save.problem;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut found = Found::new();
        let account = match account_mode.get().as_str() {
            "none" => AccountChoice::None,
            "new" => AccountChoice::New { name: Some(account_name.get().trim().to_owned()).filter(|n| !n.is_empty()) },
            id => match id.parse() {
                Ok(id) => AccountChoice::Existing { id },
                Err(_) => AccountChoice::None,
            },
        };
        let contact = match contact_mode.get().parse() {
            Ok(id) => ContactChoice::Existing { id },
            Err(_) => ContactChoice::New,
        };
        let potential = with_potential.get().then(|| {
            let amount_minor = found
                .take(
                    parse_amount(&amount.get()).ok_or(()),
                    "potential.amount_minor",
                    "amount",
                    "Enter an amount such as 12500 or 12,500.50.",
                )
                .unwrap_or_default();
            let expected_close_on = match close_on.get().trim() {
                "" => None,
                d => {
                    found.take(d.parse::<chrono::NaiveDate>(), "potential.expected_close_on", "date", "Choose a date.")
                }
            };
            ConversionPotential {
                name: Some(potential_name.get().trim().to_owned()).filter(|n| !n.is_empty()),
                pipeline_id: None,
                phase_id: phase.get().parse().ok(),
                amount_minor,
                currency: currency.get(),
                expected_close_on,
                owner_id: None,
            }
        });
        save.submit(found, LeadConversion { account, contact, potential });
    };

    view! {
        <div class="modal-backdrop" on:click=move |_| on_cancel.run(())>
            <div class="modal modal-wide" role="dialog" aria-modal="true" id="convert-dialog" on:click=|ev| ev.stop_propagation()>
                <h2>{format!("Convert {}", lead.display_name())}</h2>
                <form on:submit=submit novalidate>
                    <fieldset class="field">
                        <legend>"Account"</legend>
                        <label class="radio">
                            <input type="radio" name="account" value="new" checked=true on:change=move |_| account_mode.set("new".into()) />
                            "New account"
                        </label>
                        <TextField label="Account name" id="convert-account-name" name="account.name" problem value=account_name />
                        {move || {
                            similar_accounts
                                .ok()
                                .unwrap_or_default()
                                .into_iter()
                                .map(|a: AccountView| {
                                    let id = a.id.to_string();
                                    let value = id.clone();
                                    view! {
                                        <label class="radio suggestion" data-testid="similar-account">
                                            <input type="radio" name="account" value=id on:change=move |_| account_mode.set(value.clone()) />
                                            {format!("Existing: {}", a.name)}
                                            {a.domain.map(|d| view! { <span class="muted">{format!(" · {d}")}</span> })}
                                        </label>
                                    }
                                })
                                .collect_view()
                        }}
                        <label class="radio">
                            <input type="radio" name="account" value="none" on:change=move |_| account_mode.set("none".into()) />
                            "No account (a private person)"
                        </label>
                    </fieldset>
                    <fieldset class="field">
                        <legend>"Contact"</legend>
                        <label class="radio">
                            <input type="radio" name="contact" value="new" checked=true on:change=move |_| contact_mode.set("new".into()) />
                            "New contact from the lead"
                        </label>
                        {move || {
                            similar_contacts
                                .ok()
                                .unwrap_or_default()
                                .into_iter()
                                .map(|c: ContactView| {
                                    let id = c.id.to_string();
                                    let value = id.clone();
                                    view! {
                                        <label class="radio suggestion" data-testid="similar-contact">
                                            <input type="radio" name="contact" value=id on:change=move |_| contact_mode.set(value.clone()) />
                                            {format!("Existing: {}", c.display_name())}
                                            {c.email.map(|e| view! { <span class="muted">{format!(" · {e}")}</span> })}
                                        </label>
                                    }
                                })
                                .collect_view()
                        }}
                    </fieldset>
                    <label class="checkbox">
                        <input type="checkbox" id="convert-with-potential" prop:checked=with_potential on:change=move |ev| with_potential.set(event_target_checked(&ev)) />
                        "Open a potential"
                    </label>
                    {move || {
                        with_potential
                            .get()
                            .then(|| {
                                let phases = pipelines
                                    .with(|list: &Vec<PipelineView>| {
                                        list.iter()
                                            .find(|p| p.is_default)
                                            .map(|p| p.phases.iter().filter(|ph| ph.kind == PhaseKind::Open).cloned().collect::<Vec<_>>())
                                            .unwrap_or_default()
                                    })
                                    .unwrap_or_default();
                                view! {
                                    <TextField label="Potential name" id="convert-potential-name" name="potential.name" problem value=potential_name />
                                    <div class="form-row">
                                        <TextField label="Amount" id="convert-amount" name="potential.amount_minor" problem value=amount placeholder="12,500.00" />
                                        <Field label="Currency" id="convert-currency" name="potential.currency" problem>
                                            <select id="convert-currency" on:change=move |ev| currency.set(event_target_value(&ev))>
                                                <option value="EUR" selected=true>"EUR"</option>
                                                <option value="USD">"USD"</option>
                                                <option value="GBP">"GBP"</option>
                                            </select>
                                        </Field>
                                    </div>
                                    <div class="form-row">
                                        <Field label="Phase" id="convert-phase" name="potential.phase_id" problem>
                                            <select id="convert-phase" on:change=move |ev| phase.set(event_target_value(&ev))>
                                                {phases
                                                    .into_iter()
                                                    .map(|p| view! { <option value=p.id.to_string()>{format!("{} ({}%)", p.name, p.probability)}</option> })
                                                    .collect_view()}
                                            </select>
                                        </Field>
                                        <TextField label="Expected close" id="convert-close" name="potential.expected_close_on" problem value=close_on kind="date" />
                                    </div>
                                }
                            })
                    }}
                    <div class="modal-actions">
                        <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                        <button type="submit" class="btn btn-primary" id="convert-submit" disabled=move || save.busy()>
                            {move || if save.busy() { "Converting…" } else { "Convert" }}
                        </button>
                    </div>
                </form>
            </div>
        </div>
    }
}

fn conversion_default_account(lead: &LeadView) -> String {
    account_name(lead)
}

#[cfg(test)]
mod tests {
    use super::parse_amount;

    #[test]
    fn amounts_people_type_become_minor_units() {
        assert_eq!(parse_amount("12500"), Some(1_250_000));
        assert_eq!(parse_amount("12,500.50"), Some(1_250_050));
        assert_eq!(parse_amount("12.500,5"), Some(1_250_050));
        assert_eq!(parse_amount(""), Some(0));
        assert_eq!(parse_amount("ten"), None);
    }
}

//! Live totals: priced lines in, the domain's `totals` out (net, discount, tax per rate, gross),
//! formatted in the document's currency. The same function the server runs, so what a person sees
//! while typing is what is stored. The product page's price preview uses it; the quote editor will.

use kith_domain::core::money::{Currency, Money};
use kith_domain::core::totals::{Totals, TotalsError};
use leptos::prelude::*;

/// The totals of a document (or why they cannot be computed), in `currency`.
#[component]
pub fn LiveTotals(
    #[prop(into)] totals: Signal<Result<Totals, TotalsError>>,
    #[prop(into)] currency: Signal<Option<Currency>>,
) -> impl IntoView {
    move || {
        let Some(currency) = currency.get() else {
            return view! { <p class="muted" data-testid="totals-empty">"Give a price first."</p> }.into_any();
        };
        let money = move |minor: i64| Money::new(minor, currency).to_string();
        match totals.get() {
            Err(error) => {
                view! { <p class="field-error" data-testid="totals-error">{error.to_string()}</p> }.into_any()
            }
            Ok(t) => {
                let discount = (t.discount > 0 || t.lines.iter().any(|l| l.line_discount > 0)).then(|| {
                    let all: i64 = t.discount + t.lines.iter().map(|l| l.line_discount).sum::<i64>();
                    view! {
                        <tr>
                            <th scope="row">"Discount"</th>
                            <td class="num" data-testid="totals-discount">{format!("−{}", money(all))}</td>
                        </tr>
                    }
                });
                let taxes = t
                    .taxes
                    .iter()
                    .filter(|s| s.category.is_some())
                    .map(|s| {
                        let label =
                            format!("{} {} on {}", s.category.clone().unwrap_or_default(), s.rate.text(), money(s.net));
                        view! {
                            <tr>
                                <th scope="row" class="muted">{label}</th>
                                <td class="num">{money(s.tax)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <table class="table totals" data-testid="live-totals">
                        <tbody>
                            {discount}
                            <tr>
                                <th scope="row">"Net"</th>
                                <td class="num" data-testid="totals-net">{money(t.net)}</td>
                            </tr>
                            {taxes}
                            <tr>
                                <th scope="row">"Tax"</th>
                                <td class="num" data-testid="totals-tax">{money(t.tax)}</td>
                            </tr>
                            <tr class="total">
                                <th scope="row">"Total"</th>
                                <td class="num" data-testid="totals-gross">{money(t.gross)}</td>
                            </tr>
                        </tbody>
                    </table>
                }
                .into_any()
            }
        }
    }
}

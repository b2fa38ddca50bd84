//! The one totals function of every priced document (quotes now, invoices later): lines, line and
//! document discounts, taxes by category with several rates on one document, prices exclusive or
//! inclusive of tax, and a tax summary per rate. The browser and the server run this same code.
//!
//! # Rounding policy (also in `docs/MONEY.md`)
//! All amounts are integer minor units of the document's currency; quantities are thousandths of a
//! unit and percentages thousandths of a percent ([`crate::core::money`]). Intermediate products are
//! computed exactly in `i128`; an amount that does not fit in `i64` is [`TotalsError::Overflow`],
//! never a wrapped number.
//! 1. **Per line, half away from zero.** A line's amount is `quantity × unit price` rounded once to
//!    the minor unit, half away from zero (2.5 → 3, −2.5 → −3). A line discount in percent is
//!    `amount × percent` rounded the same way; a discount as an amount is taken as given. A discount
//!    larger than what it discounts is refused, so no line and no document goes below zero.
//! 2. **Document discount, spread by largest remainder.** A document discount (percent of the
//!    subtotal, rounded half away from zero, or an amount) is spread over the lines in proportion to
//!    their discounted amounts: each line gets the floor of its exact share, and the cents left over
//!    go one each to the lines with the largest remainders (the earlier line on a tie). The shares
//!    add up to the discount exactly: no cent is invented or lost, and every line's tax is computed
//!    on what the customer really pays for it.
//! 3. **Tax per line, then summed.** Exclusive prices: a line's tax is `net × rate` rounded half
//!    away from zero; gross = net + tax. Inclusive prices: the line's amount is its gross; the net is
//!    back-computed as `gross × 100% / (100% + rate)` rounded half away from zero and the tax is
//!    `gross − net`, so net + tax = gross exactly on every line.
//! 4. **Sums.** The document's net, tax and gross are the sums of its lines'; the tax summary groups
//!    lines by (category, rate) in order of first appearance and sums the same line amounts, so the
//!    summary adds up to the document's totals exactly.

use serde::{Deserialize, Serialize};

use crate::core::money::{Percent, Quantity};

/// A discount: a percentage of what it applies to, or an amount in minor units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Discount {
    Percent(Percent),
    Amount(i64),
}

/// The tax of one line: its category's name and rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTax {
    pub category: String,
    pub rate: Percent,
}

/// One priced line: a quantity of something at a unit price (minor units, ≥ 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub quantity: Quantity,
    pub unit_price: i64,
    pub discount: Option<Discount>,
    /// `None`: not taxed.
    pub tax: Option<LineTax>,
}

/// What the totals are computed from: a quote, an invoice — any document with priced lines. All
/// amounts are minor units of the document's one currency, which the caller keeps (the arithmetic
/// does not depend on it: a JPY line of 1,980 and a EUR line of 19.80 are both 1980 minor units).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Unit prices include tax (gross) instead of excluding it (net).
    pub prices_include_tax: bool,
    pub lines: Vec<Line>,
    pub discount: Option<Discount>,
}

/// One line's amounts, in minor units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTotals {
    /// Quantity × unit price (gross when prices include tax).
    pub amount: i64,
    pub line_discount: i64,
    /// The line's share of the document discount.
    pub document_discount: i64,
    pub net: i64,
    pub tax: i64,
    pub gross: i64,
}

/// The tax summary's row for one (category, rate).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxSummary {
    /// `None` for untaxed lines.
    pub category: Option<String>,
    pub rate: Percent,
    pub net: i64,
    pub tax: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// The lines' amounts after their own discounts, before the document discount (in the prices'
    /// terms: gross when prices include tax).
    pub subtotal: i64,
    /// The document discount.
    pub discount: i64,
    pub net: i64,
    pub tax: i64,
    pub gross: i64,
    pub lines: Vec<LineTotals>,
    pub taxes: Vec<TaxSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TotalsError {
    #[error("The amounts are too large to add up.")]
    Overflow,
    #[error("Line {line}: the quantity must be between 0.001 and 1,000,000.")]
    Quantity { line: usize },
    #[error("Line {line}: the unit price cannot be negative.")]
    UnitPrice { line: usize },
    #[error("Line {line}: a percentage must be between 0% and 100%.")]
    LinePercent { line: usize },
    #[error("Line {line}: the discount cannot be negative or more than the line's amount.")]
    LineDiscount { line: usize },
    #[error("The document discount must be between 0% and 100%.")]
    DocumentPercent,
    #[error("The document discount cannot be negative or more than the subtotal.")]
    DocumentDiscount,
}

/// `n / d` rounded half away from zero; `d > 0`.
pub fn div_round(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

fn fit(v: i128) -> Result<i64, TotalsError> {
    i64::try_from(v).map_err(|_| TotalsError::Overflow)
}

fn sum(mut values: impl Iterator<Item = i64>) -> Result<i64, TotalsError> {
    values.try_fold(0_i64, |a, b| a.checked_add(b).ok_or(TotalsError::Overflow))
}

/// `total` spread over `weights` in proportion, by largest remainder: the parts add up to `total`
/// exactly and none exceeds its weight when `0 ≤ total ≤ Σ weights`. Weights are ≥ 0; with all
/// weights zero, every part is zero (and `total` must then be zero).
pub fn spread(total: i64, weights: &[i64]) -> Vec<i64> {
    let whole: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if whole == 0 {
        return vec![0; weights.len()];
    }
    let total = i128::from(total);
    let mut parts: Vec<i128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = total * i128::from(*w);
        parts.push(exact / whole);
        remainders.push((exact % whole, i));
    }
    let mut left = total - parts.iter().sum::<i128>();
    // Largest remainder first; the earlier line on a tie.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left <= 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    // Each part is at most its weight, which is an i64.
    parts.into_iter().map(|p| i64::try_from(p).unwrap_or(i64::MAX)).collect()
}

/// The totals of a document, under the rounding policy of this module's documentation.
pub fn totals(doc: &Document) -> Result<Totals, TotalsError> {
    let mut amounts = Vec::with_capacity(doc.lines.len());
    let mut line_discounts = Vec::with_capacity(doc.lines.len());
    for (i, line) in doc.lines.iter().enumerate() {
        let n = i + 1;
        if !line.quantity.is_valid() {
            return Err(TotalsError::Quantity { line: n });
        }
        if line.unit_price < 0 {
            return Err(TotalsError::UnitPrice { line: n });
        }
        if line.tax.as_ref().is_some_and(|t| !t.rate.is_valid()) {
            return Err(TotalsError::LinePercent { line: n });
        }
        let amount =
            fit(div_round(i128::from(line.quantity.0) * i128::from(line.unit_price), i128::from(Quantity::SCALE)))?;
        let discount = match line.discount {
            None => 0,
            Some(Discount::Percent(p)) if !p.is_valid() => return Err(TotalsError::LinePercent { line: n }),
            Some(Discount::Percent(p)) => {
                fit(div_round(i128::from(amount) * i128::from(p.0), i128::from(Percent::FULL)))?
            }
            Some(Discount::Amount(a)) => a,
        };
        if discount < 0 || discount > amount {
            return Err(TotalsError::LineDiscount { line: n });
        }
        amounts.push(amount);
        line_discounts.push(discount);
    }
    let after_line: Vec<i64> = amounts.iter().zip(&line_discounts).map(|(a, d)| a - d).collect();
    let subtotal = sum(after_line.iter().copied())?;
    let discount = match doc.discount {
        None => 0,
        Some(Discount::Percent(p)) if !p.is_valid() => return Err(TotalsError::DocumentPercent),
        Some(Discount::Percent(p)) => {
            fit(div_round(i128::from(subtotal) * i128::from(p.0), i128::from(Percent::FULL)))?
        }
        Some(Discount::Amount(a)) => a,
    };
    if discount < 0 || discount > subtotal {
        return Err(TotalsError::DocumentDiscount);
    }
    let shares = spread(discount, &after_line);

    let mut lines = Vec::with_capacity(doc.lines.len());
    let mut taxes: Vec<TaxSummary> = Vec::new();
    for (i, line) in doc.lines.iter().enumerate() {
        let base = after_line[i] - shares[i];
        let rate = line.tax.as_ref().map_or(0, |t| t.rate.0);
        let (net, tax) = if doc.prices_include_tax {
            let net = fit(div_round(i128::from(base) * i128::from(Percent::FULL), i128::from(Percent::FULL + rate)))?;
            (net, base - net)
        } else {
            let tax = fit(div_round(i128::from(base) * i128::from(rate), i128::from(Percent::FULL)))?;
            (base, tax)
        };
        let gross = net.checked_add(tax).ok_or(TotalsError::Overflow)?;
        let category = line.tax.as_ref().map(|t| t.category.clone());
        match taxes.iter_mut().find(|s| s.category == category && s.rate.0 == rate) {
            Some(s) => {
                s.net = s.net.checked_add(net).ok_or(TotalsError::Overflow)?;
                s.tax = s.tax.checked_add(tax).ok_or(TotalsError::Overflow)?;
            }
            None => taxes.push(TaxSummary { category, rate: Percent(rate), net, tax }),
        }
        lines.push(LineTotals {
            amount: amounts[i],
            line_discount: line_discounts[i],
            document_discount: shares[i],
            net,
            tax,
            gross,
        });
    }
    let net = sum(lines.iter().map(|l| l.net))?;
    let tax = sum(lines.iter().map(|l| l.tax))?;
    let gross = net.checked_add(tax).ok_or(TotalsError::Overflow)?;
    Ok(Totals { subtotal, discount, net, tax, gross, lines, taxes })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn taxed(category: &str, rate: i64) -> Option<LineTax> {
        Some(LineTax { category: category.into(), rate: Percent(rate) })
    }

    fn line(qty: i64, price: i64, discount: Option<Discount>, tax: Option<LineTax>) -> Line {
        Line { quantity: Quantity(qty), unit_price: price, discount, tax }
    }

    fn doc(inclusive: bool, lines: Vec<Line>, discount: Option<Discount>) -> Document {
        Document { prices_include_tax: inclusive, lines, discount }
    }

    #[test]
    fn half_away_from_zero() {
        assert_eq!(div_round(25, 10), 3);
        assert_eq!(div_round(-25, 10), -3);
        assert_eq!(div_round(24, 10), 2);
        assert_eq!(div_round(-24, 10), -2);
        assert_eq!(div_round(0, 7), 0);
    }

    /// EUR, exclusive prices, two rates (19% standard, 7% reduced), a line discount and a 10%
    /// document discount — computed by hand:
    /// line 1: 3 × 19.99 = 59.97, −10% = 5.997 → 6.00 → 53.97
    /// line 2: 2.5 kg × 4.49 = 11.225 → 11.23 (half away), no discount
    /// line 3: 1 × 100.00 − 5.00 = 95.00
    /// subtotal 160.20; 10% = 16.02, spread 53.97/11.23/95.00 of 160.20:
    ///   exact 5.397, 1.123, 9.500 → floors 5.39, 1.12, 9.50 (= 16.01) + 1 cent to the largest
    ///   remainder (line 1, .7) → 5.40, 1.12, 9.50
    /// nets 48.57, 10.11, 85.50; tax 19% 9.2283 → 9.23, 7% 0.7077 → 0.71, 19% 16.245 → 16.25
    #[test]
    fn a_hand_computed_euro_quote() {
        let d = doc(
            false,
            vec![
                line(3_000, 1_999, Some(Discount::Percent(Percent(10_000))), taxed("Standard", 19_000)),
                line(2_500, 449, None, taxed("Reduced", 7_000)),
                line(1_000, 10_000, Some(Discount::Amount(500)), taxed("Standard", 19_000)),
            ],
            Some(Discount::Percent(Percent(10_000))),
        );
        let t = totals(&d).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.lines.iter().map(|l| l.amount).collect::<Vec<_>>(), vec![5_997, 1_123, 10_000]);
        assert_eq!(t.lines.iter().map(|l| l.line_discount).collect::<Vec<_>>(), vec![600, 0, 500]);
        assert_eq!(t.subtotal, 16_020);
        assert_eq!(t.discount, 1_602);
        assert_eq!(t.lines.iter().map(|l| l.document_discount).collect::<Vec<_>>(), vec![540, 112, 950]);
        assert_eq!(t.lines.iter().map(|l| l.net).collect::<Vec<_>>(), vec![4_857, 1_011, 8_550]);
        assert_eq!(t.lines.iter().map(|l| l.tax).collect::<Vec<_>>(), vec![923, 71, 1_625]);
        assert_eq!((t.net, t.tax, t.gross), (14_418, 2_619, 17_037));
        assert_eq!(
            t.taxes,
            vec![
                TaxSummary { category: Some("Standard".into()), rate: Percent(19_000), net: 13_407, tax: 2_548 },
                TaxSummary { category: Some("Reduced".into()), rate: Percent(7_000), net: 1_011, tax: 71 },
            ]
        );
    }

    /// JPY has no minor unit: 3 × ¥1,980 = ¥5,940 at 10% inclusive → net 5,940 / 1.1 = 5,400, tax 540;
    /// 1 × ¥333 at 8% (reduced, food) inclusive → 333 / 1.08 = 308.33 → 308, tax 25.
    #[test]
    fn yen_with_inclusive_prices() {
        let d = doc(
            true,
            vec![line(3_000, 1_980, None, taxed("Standard", 10_000)), line(1_000, 333, None, taxed("Food", 8_000))],
            None,
        );
        let t = totals(&d).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            t.lines.iter().map(|l| (l.net, l.tax, l.gross)).collect::<Vec<_>>(),
            vec![(5_400, 540, 5_940), (308, 25, 333)]
        );
        assert_eq!((t.net, t.tax, t.gross), (5_708, 565, 6_273));
    }

    /// KWD has three decimals: 1.5 × 12.345 = 18.5175 → 18.518 (half away); an amount discount of
    /// 0.018 → 18.500; no VAT in Kuwait (untaxed line): net = gross = 18.500.
    #[test]
    fn kuwaiti_dinar_with_three_decimals() {
        let d = doc(false, vec![line(1_500, 12_345, Some(Discount::Amount(18)), None)], None);
        let t = totals(&d).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.lines[0].amount, 18_518);
        assert_eq!((t.net, t.tax, t.gross), (18_500, 0, 18_500));
        assert_eq!(t.taxes, vec![TaxSummary { category: None, rate: Percent(0), net: 18_500, tax: 0 }]);
    }

    #[test]
    fn refusals_instead_of_negative_or_wrapped_totals() {
        let one = |discount| doc(false, vec![line(1_000, 100, discount, None)], None);
        assert_eq!(totals(&one(Some(Discount::Amount(101)))), Err(TotalsError::LineDiscount { line: 1 }));
        assert_eq!(totals(&one(Some(Discount::Amount(-1)))), Err(TotalsError::LineDiscount { line: 1 }));
        assert_eq!(totals(&one(Some(Discount::Percent(Percent(100_001))))), Err(TotalsError::LinePercent { line: 1 }));
        let mut d = one(None);
        d.discount = Some(Discount::Amount(101));
        assert_eq!(totals(&d), Err(TotalsError::DocumentDiscount));
        let big = doc(false, vec![line(Quantity::MAX.0, i64::MAX, None, None)], None);
        assert_eq!(totals(&big), Err(TotalsError::Overflow));
        let two = doc(false, vec![line(1_000, i64::MAX, None, None), line(1_000, 1, None, None)], None);
        assert_eq!(totals(&two), Err(TotalsError::Overflow));
        assert_eq!(totals(&doc(false, vec![line(0, 1, None, None)], None)), Err(TotalsError::Quantity { line: 1 }));
        assert_eq!(totals(&doc(false, vec![line(1, -1, None, None)], None)), Err(TotalsError::UnitPrice { line: 1 }));
        assert_eq!(totals(&doc(false, vec![], None)).map(|t| t.gross), Ok(0));
    }

    fn arb_discount(max_amount: i64) -> impl Strategy<Value = Option<Discount>> {
        prop_oneof![
            Just(None),
            (0..=Percent::FULL).prop_map(|p| Some(Discount::Percent(Percent(p)))),
            (0..=max_amount).prop_map(|a| Some(Discount::Amount(a))),
        ]
    }

    fn arb_line() -> impl Strategy<Value = Line> {
        let rate =
            prop_oneof![Just(None), (0..=3usize, 0..=30_000i64).prop_map(|(c, r)| taxed(["A", "B", "C", "D"][c], r))];
        (1..=100_000i64, 0..=10_000_000i64, rate).prop_flat_map(|(q, p, tax)| {
            let amount = q * p / 1000;
            arb_discount(amount).prop_map(move |discount| Line {
                quantity: Quantity(q),
                unit_price: p,
                discount,
                tax: tax.clone(),
            })
        })
    }

    fn arb_doc() -> impl Strategy<Value = Document> {
        (
            proptest::collection::vec(arb_line(), 0..12),
            any::<bool>(),
            prop_oneof![
                Just(None),
                (0..=Percent::FULL).prop_map(|p| Some(Discount::Percent(Percent(p)))),
                (0..=1_000_000i64).prop_map(|a| Some(Discount::Amount(a))),
            ],
        )
            .prop_map(|(lines, inclusive, discount)| doc(inclusive, lines, discount))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Totals are the sums of the lines; net + tax = gross per line and per document; the tax
        /// summary adds up to the totals; no total is negative.
        #[test]
        fn totals_are_the_sum_of_their_lines(d in arb_doc()) {
            let Ok(t) = totals(&d) else {
                // Only a document discount larger than the subtotal may be refused here.
                prop_assert!(matches!(d.discount, Some(Discount::Amount(_))));
                return Ok(());
            };
            prop_assert_eq!(t.net, t.lines.iter().map(|l| l.net).sum::<i64>());
            prop_assert_eq!(t.tax, t.lines.iter().map(|l| l.tax).sum::<i64>());
            prop_assert_eq!(t.net + t.tax, t.gross);
            for l in &t.lines {
                prop_assert_eq!(l.net + l.tax, l.gross);
                prop_assert!(l.net >= 0 && l.tax >= 0 && l.gross >= 0);
                let base = l.amount - l.line_discount - l.document_discount;
                prop_assert_eq!(if d.prices_include_tax { l.gross } else { l.net }, base);
            }
            prop_assert_eq!(t.taxes.iter().map(|s| s.net).sum::<i64>(), t.net);
            prop_assert_eq!(t.taxes.iter().map(|s| s.tax).sum::<i64>(), t.tax);
            prop_assert_eq!(t.subtotal - t.discount, if d.prices_include_tax { t.gross } else { t.net });
        }

        /// The document discount's shares add up to it exactly and none exceeds its line.
        #[test]
        fn no_cent_is_invented_or_lost_in_the_spread(
            (weights, total) in proptest::collection::vec(0..=1_000_000i64, 1..20)
                .prop_flat_map(|w| { let whole: i64 = w.iter().sum(); (Just(w), 0..=whole) })
        ) {
            let parts = spread(total, &weights);
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            for (p, w) in parts.iter().zip(&weights) {
                prop_assert!(*p >= 0 && p <= w);
            }
        }

        /// Inclusive and exclusive agree: pricing a line at the gross that the exclusive computation
        /// produced gives back the same net and tax, to the cent.
        #[test]
        fn exclusive_and_inclusive_agree(net in 0..=100_000_000i64, rate in 0..=30_000i64) {
            let exclusive = doc(false, vec![line(1_000, net, None, taxed("A", rate))], None);
            let ex = totals(&exclusive).unwrap_or_default();
            let inclusive = doc(true, vec![line(1_000, ex.gross, None, taxed("A", rate))], None);
            let inc = totals(&inclusive).unwrap_or_default();
            prop_assert_eq!((inc.net, inc.tax, inc.gross), (ex.net, ex.tax, ex.gross));
        }

        /// Percent and amount discounts of the same value give the same totals.
        #[test]
        fn a_percent_discount_is_the_rounded_amount(q in 1..=10_000i64, p in 0..=1_000_000i64, pct in 0..=Percent::FULL) {
            let amount = div_round(i128::from(q) * i128::from(p), 1000);
            let cut = i64::try_from(div_round(amount * i128::from(pct), i128::from(Percent::FULL))).unwrap_or(0);
            let a = totals(&doc(false, vec![line(q, p, Some(Discount::Percent(Percent(pct))), taxed("A", 19_000))], None));
            let b = totals(&doc(false, vec![line(q, p, Some(Discount::Amount(cut)), taxed("A", 19_000))], None));
            prop_assert_eq!(a, b);
        }
    }
}

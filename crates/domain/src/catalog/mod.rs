//! The catalogue: products and services with a price per currency, tax categories (one rate each)
//! and price books that override a product's price per currency. Quotes (and later invoices) price
//! their lines from here and compute their totals with [`crate::core::totals`].
//!
//! Money on the wire is integer minor units beside an ISO 4217 code (`{"currency": "EUR",
//! "unit_price": 1999}` is €19.99); rates are thousandths of a percent (`19000` is 19%).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::core::money::{Currency, Percent};
use crate::core::problem::FieldError;
use crate::core::totals::{Discount, Document, Line, LineTax, Totals, TotalsError};
use crate::core::validation::Check;
use crate::{PriceBookId, ProductId, TaxCategoryId};

/// The largest unit price: 10^12 minor units (ten billion euros).
pub const MAX_UNIT_PRICE: i64 = 1_000_000_000_000;
/// Currencies one product or one price book entry list may name.
pub const MAX_PRICES: usize = 30;

/// A product is delivered, a service is performed (shown in lists and on quotes; priced the same).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    #[default]
    Product,
    Service,
}

impl ProductKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProductKind::Product => "product",
            ProductKind::Service => "service",
        }
    }
    pub fn parse(s: &str) -> Option<ProductKind> {
        [ProductKind::Product, ProductKind::Service].into_iter().find(|k| k.as_str() == s)
    }
}

/// A unit price in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// ISO 4217 code, upper case (`EUR`, `USD`, `JPY`, `KWD` …).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Z]{3}$", example = "EUR"))]
    pub currency: String,
    /// Minor units of the currency (cents for EUR, yen for JPY, fils for KWD): 0 to 10^12.
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000_000_i64, example = 1999))]
    pub unit_price: i64,
}

/// A product or service as created or replaced (PATCH sends the whole record).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    /// Stock-keeping unit: letters, digits and `- _ . /`; unique in the organization ignoring case.
    #[validate(length(min = 1, max = 64))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9._/-]+$"))]
    pub sku: String,
    #[validate(length(max = 200), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub name: String,
    #[serde(default)]
    #[validate(length(max = 5000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub description: String,
    /// What one quantity is: `unit`, `hour`, `licence/month`, `kg` …
    #[serde(default = "unit")]
    #[validate(length(max = 32), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 32, pattern = r"\S"))]
    pub unit: String,
    #[serde(default)]
    pub kind: ProductKind,
    /// One price per currency (at most 30).
    #[serde(default)]
    #[validate(length(max = 30), nested)]
    #[cfg_attr(feature = "openapi", schema(max_items = 30))]
    pub prices: Vec<Price>,
    pub tax_category_id: Option<TaxCategoryId>,
    /// Inactive products stay readable (and on the quotes that name them) but are not offered.
    #[serde(default = "yes")]
    pub active: bool,
}

fn unit() -> String {
    "unit".to_owned()
}

fn yes() -> bool {
    true
}

fn sku_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')
}

/// The price list's rules: known currencies, each at most once.
fn price_problems(field: &str, prices: &[(String, Option<String>)]) -> Vec<FieldError> {
    let mut out = Vec::new();
    for (i, (currency, key)) in prices.iter().enumerate() {
        let at = format!("{field}[{i}].currency");
        if Currency::parse(currency).is_none() {
            out.push(FieldError::new(at, "currency", "Use an ISO 4217 currency code such as EUR or USD."));
        } else if prices[..i].iter().any(|(c, k)| c == currency && k == key) {
            out.push(FieldError::new(at, "repeated", "This currency has a price already."));
        }
    }
    out
}

impl Check for ProductInput {
    fn rules(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if !self.sku.is_empty() && !self.sku.chars().all(sku_char) {
            out.push(FieldError::new("sku", "pattern", "Use letters, digits and - _ . / only."));
        }
        let prices: Vec<_> = self.prices.iter().map(|p| (p.currency.clone(), None)).collect();
        out.extend(price_problems("prices", &prices));
        out
    }
}

impl ProductInput {
    /// The SKU as uniqueness compares it.
    pub fn sku_key(sku: &str) -> String {
        sku.trim().to_lowercase()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductView {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub kind: ProductKind,
    /// Sorted by currency code.
    pub prices: Vec<Price>,
    pub tax_category_id: Option<TaxCategoryId>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl ProductView {
    /// The product's own unit price in a currency.
    pub fn price_in(&self, currency: &str) -> Option<i64> {
        self.prices.iter().find(|p| p.currency == currency).map(|p| p.unit_price)
    }

    /// The price a quote in `currency` starts from: the price book's entry if it has one, else the
    /// product's own price.
    pub fn price_for(&self, book: Option<&PriceBookView>, currency: &str) -> Option<i64> {
        book.and_then(|b| b.entry(self.id, currency)).or_else(|| self.price_in(currency))
    }
}

/// Filters and sort for the product list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ProductListQuery {
    /// Page size: 1–200 (default 50); other values are clamped into that range, not refused.
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    /// `name`, `-name`, `sku` or `-sku` (default `name`).
    #[cfg_attr(feature = "openapi", param(pattern = r"^-?(name|sku)$"))]
    pub sort: Option<String>,
    /// Matches the name or the SKU (case-insensitive substring).
    pub q: Option<String>,
    /// Only active (`true`) or only inactive (`false`) products; both when absent.
    pub active: Option<bool>,
}

/// A tax category with its rate: "Standard 19%", "Reduced 7%", "Exempt 0%". A document may mix
/// categories; its tax summary has one row per category and rate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TaxCategoryInput {
    #[validate(length(max = 100), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100, pattern = r"\S"))]
    pub name: String,
    #[serde(default)]
    #[validate(length(max = 2000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub description: String,
    /// Thousandths of a percent: 19000 is 19%, 8875 is 8.875%; 0 to 100000 (100%).
    #[validate(range(min = 0, max = 100_000))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100_000, example = 19000))]
    pub rate: i64,
    /// The catalogue's prices in this category include the tax (consumer prices); otherwise they
    /// are net and the tax is added.
    #[serde(default)]
    pub inclusive: bool,
}

crate::checked_by_attributes!(TaxCategoryInput);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaxCategoryView {
    pub id: TaxCategoryId,
    pub name: String,
    pub description: String,
    /// Thousandths of a percent.
    pub rate: i64,
    pub inclusive: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl TaxCategoryView {
    pub fn percent(&self) -> Percent {
        Percent(self.rate)
    }
}

/// One price book entry: a product's price in one currency, overriding the product's own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PriceBookEntry {
    pub product_id: ProductId,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Z]{3}$", example = "USD"))]
    pub currency: String,
    /// Minor units of the currency: 0 to 10^12.
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000_000_i64))]
    pub unit_price: i64,
}

/// A named price list ("Partners 2027", "Public sector"); at most one is the default a new quote
/// starts from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PriceBookInput {
    #[validate(length(max = 100), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100, pattern = r"\S"))]
    pub name: String,
    #[serde(default)]
    #[validate(length(max = 2000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub description: String,
    /// Making this book the default takes the mark from the previous default.
    #[serde(default)]
    pub is_default: bool,
    /// At most 1000 entries, one per product and currency.
    #[serde(default)]
    #[validate(length(max = 1000), nested)]
    #[cfg_attr(feature = "openapi", schema(max_items = 1000))]
    pub entries: Vec<PriceBookEntry>,
}

impl Check for PriceBookInput {
    fn rules(&self) -> Vec<FieldError> {
        let prices: Vec<_> =
            self.entries.iter().map(|e| (e.currency.clone(), Some(e.product_id.to_string()))).collect();
        price_problems("entries", &prices)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceBookView {
    pub id: PriceBookId,
    pub name: String,
    pub description: String,
    pub is_default: bool,
    pub entries: Vec<PriceBookEntry>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl PriceBookView {
    pub fn entry(&self, product: ProductId, currency: &str) -> Option<i64> {
        self.entries.iter().find(|e| e.product_id == product && e.currency == currency).map(|e| e.unit_price)
    }
}

/// The price preview of a product page (and the first line of a quote): a quantity of the product
/// at a unit price with a discount and its category's tax, through the one totals function.
pub fn preview(
    unit_price: i64,
    quantity: crate::core::money::Quantity,
    discount: Option<Discount>,
    tax: Option<&TaxCategoryView>,
) -> Result<Totals, TotalsError> {
    crate::core::totals::totals(&Document {
        prices_include_tax: tax.is_some_and(|t| t.inclusive),
        lines: vec![Line {
            quantity,
            unit_price,
            discount,
            tax: tax.map(|t| LineTax { category: t.name.clone(), rate: t.percent() }),
        }],
        discount: None,
    })
}

crate::versioned!(ProductView, TaxCategoryView, PriceBookView);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::money::Quantity;

    fn product(prices: &[(&str, i64)]) -> ProductInput {
        ProductInput {
            sku: "SKU-1".into(),
            name: "Widget".into(),
            unit: "unit".into(),
            prices: prices.iter().map(|(c, p)| Price { currency: (*c).into(), unit_price: *p }).collect(),
            active: true,
            ..ProductInput::default()
        }
    }

    #[test]
    fn every_product_error_at_once() {
        assert!(product(&[("EUR", 100), ("USD", 120)]).problems().is_empty());
        let mut bad = product(&[("EUR", 100), ("EUR", 90), ("XYZ", 1), ("USD", -5)]);
        bad.sku = "has space".into();
        bad.name = " ".into();
        let fields: Vec<_> = bad.problems().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["name", "prices[1].currency", "prices[2].currency", "prices[3].unit_price", "sku"],);
    }

    #[test]
    fn price_books_may_price_one_product_in_several_currencies_once_each() {
        let p = ProductId(uuid::Uuid::nil());
        let q = ProductId(uuid::Uuid::max());
        let entry = |id, c: &str| PriceBookEntry { product_id: id, currency: c.into(), unit_price: 1 };
        let book = PriceBookInput {
            name: "Partners".into(),
            entries: vec![entry(p, "EUR"), entry(p, "USD"), entry(q, "EUR"), entry(p, "EUR")],
            ..PriceBookInput::default()
        };
        let fields: Vec<_> = book.problems().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["entries[3].currency"]);
    }

    #[test]
    fn the_preview_uses_the_categorys_rate_and_mode() {
        let tax = |inclusive| TaxCategoryView {
            id: TaxCategoryId(uuid::Uuid::nil()),
            name: "Standard".into(),
            description: String::new(),
            rate: 19_000,
            inclusive,
            created_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MIN_UTC,
            version: 1,
        };
        let t = preview(10_000, Quantity::units(2), Some(Discount::Percent(Percent(10_000))), Some(&tax(false)));
        assert_eq!(t.map(|t| (t.net, t.tax, t.gross)), Ok((18_000, 3_420, 21_420)));
        let t = preview(11_900, Quantity::units(1), None, Some(&tax(true)));
        assert_eq!(t.map(|t| (t.net, t.tax, t.gross)), Ok((10_000, 1_900, 11_900)));
    }
}

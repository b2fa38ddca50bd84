//! Money: an amount in integer minor units (cents, fils, yen) with its ISO 4217 currency. Never a
//! float. The currency table gives each code its minor-unit exponent (JPY 0, EUR 2, KWD 3); unknown
//! codes are refused. Quantities (thousandths of a unit) and percentages (thousandths of a percent)
//! are fixed-point integers too; `docs/MONEY.md` writes the whole policy down.
//!
//! Formatting is a pure function so the SPA and the server (PDFs, emails) print the same text:
//! `€1,234.56`, `¥1,235`, `KWD 1,234.567` — the symbol where the table has an unambiguous one, else
//! the code; a comma between thousands and a dot before the minor units (one style for every
//! organization until locales come).

use std::fmt;

/// One row of the currency table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
    symbol: Option<&'static str>,
}

const fn c(code: &'static str, exponent: u8, symbol: Option<&'static str>) -> Currency {
    Currency { code, exponent, symbol }
}

/// The currencies Kith knows (ISO 4217 active codes in common business use, with their minor-unit
/// exponent from the standard).
pub const CURRENCIES: &[Currency] = &[
    c("AED", 2, None),
    c("ARS", 2, None),
    c("AUD", 2, Some("A$")),
    c("BHD", 3, None),
    c("BRL", 2, Some("R$")),
    c("CAD", 2, Some("CA$")),
    c("CHF", 2, None),
    c("CLP", 0, None),
    c("CNY", 2, Some("CN¥")),
    c("COP", 2, None),
    c("CZK", 2, None),
    c("DKK", 2, None),
    c("EGP", 2, None),
    c("EUR", 2, Some("€")),
    c("GBP", 2, Some("£")),
    c("HKD", 2, Some("HK$")),
    c("HUF", 2, None),
    c("IDR", 2, None),
    c("ILS", 2, Some("₪")),
    c("INR", 2, Some("₹")),
    c("ISK", 0, None),
    c("JOD", 3, None),
    c("JPY", 0, Some("¥")),
    c("KRW", 0, Some("₩")),
    c("KWD", 3, None),
    c("MAD", 2, None),
    c("MXN", 2, Some("MX$")),
    c("MYR", 2, None),
    c("NGN", 2, None),
    c("NOK", 2, None),
    c("NZD", 2, Some("NZ$")),
    c("OMR", 3, None),
    c("PHP", 2, None),
    c("PLN", 2, None),
    c("QAR", 2, None),
    c("RON", 2, None),
    c("SAR", 2, None),
    c("SEK", 2, None),
    c("SGD", 2, None),
    c("THB", 2, None),
    c("TND", 3, None),
    c("TRY", 2, None),
    c("TWD", 2, None),
    c("UAH", 2, None),
    c("USD", 2, Some("$")),
    c("VND", 0, None),
    c("ZAR", 2, None),
];

impl Currency {
    /// The currency with this ISO 4217 code (upper case, as the standard writes it); `None` for a
    /// code Kith does not know.
    pub fn parse(code: &str) -> Option<Currency> {
        CURRENCIES.iter().copied().find(|c| c.code == code)
    }
    pub fn code(self) -> &'static str {
        self.code
    }
    /// How many digits the minor unit has: 2 for EUR (cents), 0 for JPY, 3 for KWD.
    pub fn exponent(self) -> u8 {
        self.exponent
    }
    /// Minor units in one major unit: 100 for EUR, 1 for JPY, 1000 for KWD.
    pub fn minor_per_major(self) -> i64 {
        10_i64.pow(u32::from(self.exponent))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// An amount in integer minor units of one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("Kith does not know the currency {0:?}; use an ISO 4217 code such as EUR or USD.")]
    UnknownCurrency(String),
    #[error("Enter an amount such as 1,234.56.")]
    NotANumber,
    #[error("{0} takes at most {1} decimals.")]
    TooManyDecimals(&'static str, u8),
    #[error("The amount is too large.")]
    Overflow,
    #[error("The amounts are in different currencies.")]
    CurrencyMismatch,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch);
        }
        let minor = self.minor.checked_add(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money { minor, currency: self.currency })
    }

    /// Read what a person typed (`1,234.56`, `1234.5`, `-3`) in this currency; thousands commas
    /// and spaces are ignored, more decimals than the currency has are refused (never rounded).
    pub fn parse(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        Ok(Money {
            minor: parse_fixed(text, u32::from(currency.exponent)).map_err(|e| match e {
                FixedError::Decimals => MoneyError::TooManyDecimals(currency.code, currency.exponent),
                FixedError::Overflow => MoneyError::Overflow,
                FixedError::NotANumber => MoneyError::NotANumber,
            })?,
            currency,
        })
    }

    /// The amount without a currency sign: `1,234.56`, `-0.50`, `1,235` (JPY), `1.250` (KWD).
    pub fn amount_text(self) -> String {
        format_fixed(self.minor, u32::from(self.currency.exponent))
    }
}

impl fmt::Display for Money {
    /// `€1,234.56`, `-$0.50`, `¥1,235`, `KWD 1.250`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format_fixed(i128::from(self.minor).abs(), u32::from(self.currency.exponent));
        let sign = if self.minor < 0 { "-" } else { "" };
        match self.currency.symbol {
            Some(symbol) => write!(f, "{sign}{symbol}{text}"),
            None => write!(f, "{sign}{} {text}", self.currency.code),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FixedError {
    NotANumber,
    Decimals,
    Overflow,
}

/// `value` with `decimals` implied decimals, with thousands commas: (123456, 2) → `1,234.56`.
pub fn format_fixed(value: impl Into<i128>, decimals: u32) -> String {
    let value: i128 = value.into();
    let scale = 10_i128.pow(decimals);
    let (whole, frac) = (value.abs() / scale, value.abs() % scale);
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 6);
    if value < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if decimals > 0 {
        out.push('.');
        out.push_str(&format!("{frac:0width$}", width = decimals as usize));
    }
    out
}

/// Read a decimal number into an integer with `decimals` implied decimals. Commas and spaces
/// between digits are ignored; more decimals than `decimals` are refused.
pub(crate) fn parse_fixed(text: &str, decimals: u32) -> Result<i64, FixedError> {
    let text = text.trim();
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let cleaned: String = rest.chars().filter(|c| *c != ',' && *c != ' ' && *c != '\u{a0}').collect();
    let (whole, frac) = match cleaned.split_once('.') {
        Some((w, f)) => (w, f),
        None => (cleaned.as_str(), ""),
    };
    if (whole.is_empty() && frac.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(FixedError::NotANumber);
    }
    if frac.len() > decimals as usize {
        return Err(FixedError::Decimals);
    }
    let mut value: i128 = 0;
    for ch in whole.chars().chain(frac.chars()) {
        value = value * 10 + i128::from(ch as u8 - b'0');
        if value > i128::from(i64::MAX) {
            return Err(FixedError::Overflow);
        }
    }
    value *= 10_i128.pow(decimals - frac.len() as u32);
    if negative {
        value = -value;
    }
    i64::try_from(value).map_err(|_| FixedError::Overflow)
}

/// A quantity in thousandths of a unit: 1.5 hours is `Quantity(1500)`. Lines take 0.001 to
/// 1,000,000 units ([`Quantity::MAX`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Quantity(pub i64);

impl Quantity {
    pub const SCALE: i64 = 1000;
    pub const MAX: Quantity = Quantity(1_000_000 * Self::SCALE);
    pub fn units(units: i64) -> Quantity {
        Quantity(units * Self::SCALE)
    }
    pub fn is_valid(self) -> bool {
        self.0 > 0 && self <= Self::MAX
    }
    /// Read `1.5` or `2`; at most three decimals.
    pub fn parse(text: &str) -> Option<Quantity> {
        parse_fixed(text, 3).ok().map(Quantity).filter(|q| q.is_valid())
    }
    /// `1.5`, `2`, `0.125`: no trailing zeros.
    pub fn text(self) -> String {
        trim_zeros(format_fixed(self.0, 3))
    }
}

/// A percentage in thousandths of a percent: 19% is `Percent(19_000)`, 8.875% is `Percent(8_875)`.
/// Tax rates and discounts take 0% to 100% ([`Percent::MAX`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Percent(pub i64);

impl Percent {
    pub const SCALE: i64 = 1000;
    /// 100%: the whole of the base.
    pub const FULL: i64 = 100 * Self::SCALE;
    pub const MAX: Percent = Percent(Self::FULL);
    pub fn is_valid(self) -> bool {
        (0..=Self::FULL).contains(&self.0)
    }
    /// Read `19`, `7.7` or `8.875`; at most three decimals.
    pub fn parse(text: &str) -> Option<Percent> {
        parse_fixed(text.trim().trim_end_matches('%'), 3).ok().map(Percent).filter(|p| p.is_valid())
    }
    /// `19%`, `7.7%`, `8.875%`.
    pub fn text(self) -> String {
        format!("{}%", trim_zeros(format_fixed(self.0, 3)))
    }
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap_or_else(|| panic!("{code}"))
    }

    #[test]
    fn the_table_knows_exponents_and_refuses_unknown_codes() {
        assert_eq!(cur("JPY").exponent(), 0);
        assert_eq!(cur("EUR").exponent(), 2);
        assert_eq!(cur("KWD").exponent(), 3);
        assert_eq!(cur("KWD").minor_per_major(), 1000);
        assert_eq!(Currency::parse("XXX"), None);
        assert_eq!(Currency::parse("eur"), None, "codes are upper case");
        let mut codes: Vec<_> = CURRENCIES.iter().map(|c| c.code()).collect();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n, "sorted and unique");
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn money_prints_per_currency_with_thousands() {
        assert_eq!(Money::new(123_456, cur("EUR")).to_string(), "€1,234.56");
        assert_eq!(Money::new(-50, cur("USD")).to_string(), "-$0.50");
        assert_eq!(Money::new(1_235, cur("JPY")).to_string(), "¥1,235");
        assert_eq!(Money::new(1_250, cur("KWD")).to_string(), "KWD 1.250");
        assert_eq!(Money::new(100_000_000, cur("CHF")).to_string(), "CHF 1,000,000.00");
        assert_eq!(Money::new(i64::MIN, cur("EUR")).to_string(), "-€92,233,720,368,547,758.08");
        assert_eq!(Money::new(5, cur("EUR")).amount_text(), "0.05");
    }

    #[test]
    fn typed_amounts_are_read_exactly() {
        let eur = cur("EUR");
        assert_eq!(Money::parse("1,234.56", eur).map(|m| m.minor), Ok(123_456));
        assert_eq!(Money::parse(" 12.5 ", eur).map(|m| m.minor), Ok(1_250));
        assert_eq!(Money::parse("-3", eur).map(|m| m.minor), Ok(-300));
        assert_eq!(Money::parse("1.005", eur), Err(MoneyError::TooManyDecimals("EUR", 2)));
        assert_eq!(Money::parse("12.5", cur("JPY")), Err(MoneyError::TooManyDecimals("JPY", 0)));
        assert_eq!(Money::parse("1.005", cur("KWD")).map(|m| m.minor), Ok(1_005));
        assert_eq!(Money::parse("abc", eur), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("", eur), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("99999999999999999999", eur), Err(MoneyError::Overflow));
        for m in [0, 1, -1, 99, 100_000, i64::MAX / 1000] {
            let money = Money::new(m, eur);
            assert_eq!(Money::parse(&money.amount_text(), eur), Ok(money), "round trip {m}");
        }
    }

    #[test]
    fn quantities_and_percents_are_fixed_point() {
        assert_eq!(Quantity::parse("1.5"), Some(Quantity(1_500)));
        assert_eq!(Quantity::parse("0.0001"), None, "at most three decimals");
        assert_eq!(Quantity::parse("0"), None, "a line has a quantity");
        assert_eq!(Quantity::parse("1000001"), None);
        assert_eq!(Quantity(1_500).text(), "1.5");
        assert_eq!(Quantity::units(2).text(), "2");
        assert_eq!(Percent::parse("8.875%"), Some(Percent(8_875)));
        assert_eq!(Percent::parse("19"), Some(Percent(19_000)));
        assert_eq!(Percent::parse("100.001"), None);
        assert_eq!(Percent(7_700).text(), "7.7%");
    }
}

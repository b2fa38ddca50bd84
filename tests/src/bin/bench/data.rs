//! The benchmark's organization and its people, generated from an index alone: the same index always
//! gives the same lead, so every figure can be checked against what the program knows it sent.

use std::collections::BTreeMap;

/// Which channel a lead came in by; part of its email address, so an exported row says where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Api,
    Form,
    Import,
}

impl Channel {
    fn letter(self) -> char {
        match self {
            Channel::Api => 'a',
            Channel::Form => 'f',
            Channel::Import => 'i',
        }
    }
    fn from_letter(c: char) -> Option<Channel> {
        match c {
            'a' => Some(Channel::Api),
            'f' => Some(Channel::Form),
            'i' => Some(Channel::Import),
            _ => None,
        }
    }
}

const FIRST: &[&str] = &[
    "Olivia", "Ethan", "Chloe", "Lukas", "Amelia", "Noah", "Sofia", "Jonas", "Grace", "Matteo", "Ava", "Finn", "Maya",
    "Liam", "Ines", "Hannah", "Oscar", "Elena", "Felix", "Clara", "Jakob", "Lea", "Tomas", "Nora", "Ravi", "Yuki",
    "Amara", "Diego", "Freya", "Hugo", "Ingrid", "Jamal",
];
const SYL1: &[&str] = &["Ka", "Lo", "Mi", "Ne", "Ro", "Su", "Ta", "Vi", "Wo", "Ze"];
const SYL2: &[&str] = &["bar", "den", "fil", "gor", "hul", "kes", "lin", "mor", "nak", "pet"];
const SYL3: &[&str] = &["a", "berg", "cott", "dotti", "ek", "ford", "gaard", "holm", "ini", "ova"];
/// Decision makers first: the "Decision maker" rule matches the first six.
const TITLES: &[&str] = &[
    "CEO",
    "Founder",
    "Head of Sales",
    "Director of Operations",
    "VP Marketing",
    "Owner",
    "Purchasing manager",
    "Marketing lead",
    "Office manager",
    "Engineer",
    "Analyst",
    "Consultant",
    "Sales representative",
    "Account executive",
];
const DECISION_MAKERS: usize = 6;
const COMPANY_A: &[&str] = &[
    "Northwind",
    "Summit",
    "Alpine",
    "Harbor",
    "Granite",
    "Cedar",
    "Aurora",
    "Meridian",
    "Bluefin",
    "Redwood",
    "Lakeside",
    "Ironbark",
    "Silverline",
    "Brightwater",
    "Foxglove",
    "Juniper",
];
const COMPANY_B: &[&str] =
    &["Outfitters", "Logistics", "Foods", "Labs", "Tours", "Retail", "Systems", "Studios", "Partners", "Works"];
const SIZES: &[i32] = &[5, 12, 35, 60, 120, 450, 900, 2500, 8000];
const INDUSTRIES: &[&str] = &["Retail", "Travel", "Software", "Manufacturing", "Food & drink", "Events", "Logistics"];
pub const NORTH_AMERICA: &[&str] = &["US", "CA"];
pub const EUROPE: &[&str] = &["DE", "FR", "GB", "ES", "IT", "NL", "SE"];
pub const CORE_MARKETS: &[&str] = &["US", "CA", "DE", "GB", "FR"];
/// Countries no assignment rule covers: those leads stay unassigned.
const ELSEWHERE: &[&str] = &["BR", "JP", "IN", "AU"];
const BUDGETS: &[i64] = &[500, 2_000, 5_000, 12_000, 25_000, 80_000];
pub const PLANS: &[&str] = &["starter", "team", "enterprise"];

/// Points of the scoring rules `setup` creates (kept here so the expected score is computed from the same numbers).
pub const DECISION_MAKER_POINTS: i32 = 25;
pub const COMPANY_SIZE_POINTS: i32 = 15;
pub const CORE_MARKET_POINTS: i32 = 10;
pub const BIG_BUDGET_POINTS: i32 = 20;
pub const BIG_BUDGET_MIN: i64 = 10_000;
pub const ENTERPRISE_POINTS: i32 = 15;
pub const FORM_POINTS: i32 = 10;
/// The min_score filter's threshold (also the organization's qualify threshold, as in the demo).
pub const HOT: i32 = 60;

/// Tags each channel gives.
pub const TAG_TRADE_FAIR: &str = "trade-fair";
pub const TAG_WEBSITE: &str = "website";
pub const TAG_IMPORTED: &str = "imported";

fn mix(mut x: u64) -> u64 {
    // splitmix64
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// One person as the program sends them.
#[derive(Clone, Debug)]
pub struct Person {
    pub channel: Channel,
    pub index: usize,
    pub first: &'static str,
    pub last: String,
    pub title: &'static str,
    pub email: String,
    /// Only import rows carry a phone (unique per row).
    pub phone: Option<String>,
    pub company: String,
    pub size: i32,
    pub industry: &'static str,
    pub country: &'static str,
    /// Custom fields (forms do not send them).
    pub budget: Option<i64>,
    pub plan: Option<&'static str>,
    pub renewal_on: Option<String>,
    pub newsletter: Option<bool>,
}

pub fn surname(k: usize) -> String {
    format!("{}{}{}", SYL1[k % 10], SYL2[(k / 10) % 10], SYL3[(k / 100) % 10])
}

pub const SURNAMES: usize = 1000;

pub fn person(channel: Channel, index: usize) -> Person {
    let seed = ((channel.letter() as u64) << 40) | index as u64;
    let h = |n: u64| mix(seed.wrapping_mul(31).wrapping_add(n));
    let pick = |n: u64, len: usize| (h(n) % len as u64) as usize;
    let first = FIRST[pick(1, FIRST.len())];
    let last = surname(pick(2, SURNAMES));
    let (a, b) = (COMPANY_A[pick(3, COMPANY_A.len())], COMPANY_B[pick(4, COMPANY_B.len())]);
    let company = format!("{a} {b}");
    let domain = format!("{}-{}.example", a.to_lowercase(), b.to_lowercase());
    let email = format!("{}.{}.{}{}@{domain}", first.to_lowercase(), last.to_lowercase(), channel.letter(), index);
    let countries = NORTH_AMERICA.len() + EUROPE.len() + ELSEWHERE.len();
    let c = pick(5, countries);
    let country = NORTH_AMERICA.iter().chain(EUROPE).chain(ELSEWHERE).nth(c).copied().unwrap_or("US");
    let custom = channel != Channel::Form;
    Person {
        channel,
        index,
        first,
        last,
        title: TITLES[pick(6, TITLES.len())],
        email,
        phone: (channel == Channel::Import && index.is_multiple_of(2))
            .then(|| format!("+49 30 {:08}", 30_000_000 + index)),
        company,
        size: SIZES[pick(7, SIZES.len())],
        industry: INDUSTRIES[pick(8, INDUSTRIES.len())],
        country,
        budget: (custom && pick(9, 10) < 7).then(|| BUDGETS[pick(10, BUDGETS.len())]),
        plan: (custom && pick(11, 10) < 6).then(|| PLANS[pick(12, PLANS.len())]),
        renewal_on: (custom && pick(13, 2) == 0)
            .then(|| format!("2027-{:02}-{:02}", 1 + pick(14, 12), 1 + pick(15, 28))),
        newsletter: custom.then(|| pick(16, 2) == 0),
    }
}

/// Which team's rule assigns the lead: 0 North America (round-robin), 1 Europe (least-loaded), None nobody.
pub fn team_of(p: &Person) -> Option<usize> {
    if NORTH_AMERICA.contains(&p.country) {
        Some(0)
    } else if EUROPE.contains(&p.country) {
        Some(1)
    } else {
        None
    }
}

/// The score the organization's rules give this person (no decay happens during a run).
pub fn expected_score(p: &Person) -> i32 {
    let mut s = 0;
    if TITLES.iter().position(|t| *t == p.title).is_some_and(|i| i < DECISION_MAKERS) {
        s += DECISION_MAKER_POINTS;
    }
    if (50..=1000).contains(&p.size) {
        s += COMPANY_SIZE_POINTS;
    }
    if CORE_MARKETS.contains(&p.country) {
        s += CORE_MARKET_POINTS;
    }
    if p.budget.is_some_and(|b| b >= BIG_BUDGET_MIN) {
        s += BIG_BUDGET_POINTS;
    }
    if p.plan == Some("enterprise") {
        s += ENTERPRISE_POINTS;
    }
    if p.channel == Channel::Form {
        s += FORM_POINTS;
    }
    s
}

/// What the list search reads: name, email, company and phone, lower-cased.
pub fn search_text(p: &Person) -> String {
    [p.first, p.last.as_str(), p.email.as_str(), p.company.as_str(), p.phone.as_deref().unwrap_or("")]
        .join(" ")
        .to_lowercase()
}

/// The channel and index an address was generated from.
pub fn origin_of(email: &str) -> Option<(Channel, usize)> {
    let local = email.split('@').next()?;
    let tail = local.rsplit('.').next()?;
    let mut chars = tail.chars();
    let channel = Channel::from_letter(chars.next()?)?;
    Some((channel, chars.as_str().parse().ok()?))
}

/// The import file: every row's kind, decided by its index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    /// A new person.
    New,
    /// The same person as an earlier row of the file.
    RepeatOfLine(usize),
    /// A person already created through the API.
    RepeatOfApiLead(usize),
    /// An address no mail server would take: the row fails.
    Invalid,
}

pub fn row_kind(i: usize, api_leads: usize) -> Row {
    if i % 1000 == 999 {
        Row::Invalid
    } else if i % 200 == 150 {
        Row::RepeatOfLine(i - 100)
    } else if i % 200 == 73 && i / 200 < api_leads {
        Row::RepeatOfApiLead(i / 200)
    } else {
        Row::New
    }
}

pub const CSV_HEADER: &str =
    "First name,Last name,Email,Phone,Company,Job title,Country,Employees,Industry,Budget,Plan,Renewal date,Newsletter,Notes";

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// One line of the import file for row `i`.
pub fn csv_line(i: usize, api_leads: usize, out: &mut String) {
    let p = match row_kind(i, api_leads) {
        Row::New | Row::Invalid => person(Channel::Import, i),
        Row::RepeatOfLine(j) => person(Channel::Import, j),
        Row::RepeatOfApiLead(k) => person(Channel::Api, k),
    };
    let email = if row_kind(i, api_leads) == Row::Invalid { format!("not an address {i}") } else { p.email.clone() };
    let cells = [
        p.first.to_owned(),
        p.last.clone(),
        email,
        p.phone.clone().unwrap_or_default(),
        p.company.clone(),
        p.title.to_owned(),
        p.country.to_owned(),
        p.size.to_string(),
        p.industry.to_owned(),
        p.budget.map(|b| b.to_string()).unwrap_or_default(),
        p.plan.unwrap_or("").to_owned(),
        p.renewal_on.clone().unwrap_or_default(),
        p.newsletter.map(|b| if b { "yes" } else { "no" }).unwrap_or("").to_owned(),
        format!("Met at booth {}, asked about pricing", i % 40),
    ];
    let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
    out.push_str(&line.join(","));
    out.push('\n');
}

/// What the file holds, counted from the same rules that wrote it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileCounts {
    pub rows: usize,
    pub new: usize,
    pub repeats_in_file: usize,
    pub repeats_of_existing: usize,
    pub invalid: usize,
}

pub fn file_counts(rows: usize, api_leads: usize) -> FileCounts {
    let mut c = FileCounts { rows, ..Default::default() };
    for i in 0..rows {
        match row_kind(i, api_leads) {
            Row::New => c.new += 1,
            Row::RepeatOfLine(_) => c.repeats_in_file += 1,
            Row::RepeatOfApiLead(_) => c.repeats_of_existing += 1,
            Row::Invalid => c.invalid += 1,
        }
    }
    c
}

/// The API leads an import row repeats (they get the import's tag).
pub fn api_leads_repeated(rows: usize, api_leads: usize) -> std::collections::HashSet<usize> {
    (0..rows)
        .filter_map(|i| match row_kind(i, api_leads) {
            Row::RepeatOfApiLead(k) => Some(k),
            _ => None,
        })
        .collect()
}

/// Every lead the organization should hold at the end, one at a time (no list kept in memory).
pub fn each_lead(api: usize, forms: usize, rows: usize, mut f: impl FnMut(&Person)) {
    for i in 0..api {
        f(&person(Channel::Api, i));
    }
    for i in 0..forms {
        f(&person(Channel::Form, i));
    }
    for i in 0..rows {
        if row_kind(i, api) == Row::New {
            f(&person(Channel::Import, i));
        }
    }
}

/// The tags a lead should carry.
pub fn expected_tags(p: &Person, repeated_api: &std::collections::HashSet<usize>) -> Vec<String> {
    let mut tags = Vec::new();
    match p.channel {
        Channel::Api => {
            if p.index.is_multiple_of(3) {
                tags.push(TAG_TRADE_FAIR.to_owned());
            }
            if repeated_api.contains(&p.index) {
                tags.push(TAG_IMPORTED.to_owned());
            }
        }
        Channel::Form => tags.push(TAG_WEBSITE.to_owned()),
        Channel::Import => tags.push(TAG_IMPORTED.to_owned()),
    }
    tags.sort();
    tags
}

/// The custom values an API create sends.
pub fn custom_values(p: &Person) -> BTreeMap<String, serde_json::Value> {
    let mut m = BTreeMap::new();
    if let Some(b) = p.budget {
        m.insert("budget".into(), serde_json::json!(b));
    }
    if let Some(plan) = p.plan {
        m.insert("plan".into(), serde_json::json!(plan));
    }
    if let Some(d) = &p.renewal_on {
        m.insert("renewal_on".into(), serde_json::json!(d));
    }
    if let Some(n) = p.newsletter {
        m.insert("newsletter".into(), serde_json::json!(n));
    }
    m
}

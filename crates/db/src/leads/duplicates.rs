//! Likely duplicate leads among those the caller can see: exact matches (email, phone, or full name
//! at the same company domain) and similar names (Jaro-Winkler) at the same company.
//!
//! Bounded work, no N+1: one query loads the candidates — the caller's live, unconverted leads
//! updated in the last two years, at most 20,000 of them, most recently updated first — as a few
//! narrow columns; they are grouped in memory; then one query (and one for tags) loads the leads of
//! the pairs returned. Similar names are compared only within a company block and for at most
//! two million name pairs per call.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Duration;
use diesel::prelude::*;
use kith_domain::core::modules::Module;
use kith_domain::core::page::clamp_limit;
use kith_domain::core::permissions::Action;
use kith_domain::leads::merge::{DuplicatePair, DuplicateQuery, DuplicateReason, DuplicateReport};
use kith_domain::leads::LeadStatus;

use super::{views, visible, LeadRow};
use crate::core::util::now;
use crate::schema::leads;
use crate::{DbConnection, Error, Result, Scope};

/// Leads compared per call, the most recently updated first.
pub const SCAN_MAX: i64 = 20_000;
/// Only leads changed within this many days are compared.
pub const SCAN_DAYS: i64 = 730;
/// Names at least this similar (Jaro-Winkler) at the same company are a likely pair.
pub const SIMILAR_NAME: f64 = 0.92;
/// Name comparisons per call, at most.
const COMPARISON_BUDGET: usize = 2_000_000;

/// One candidate, reduced to what matching looks at.
#[derive(Clone, Debug, Default)]
struct Candidate {
    id: String,
    /// Lower-case full name with single spaces; empty when the lead has no name.
    name: String,
    email: Option<String>,
    phone: Option<String>,
    domain: Option<String>,
    /// Lower-case, trimmed company name; empty when unknown.
    company: String,
}

type CandidateRow = (String, String, String, Option<String>, Option<String>, String, Option<String>);

impl Candidate {
    fn from_row((id, first, last, email, phone, company, domain): CandidateRow) -> Candidate {
        let name = format!("{first} {last}").to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
        let nonempty = |o: Option<String>| o.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
        Candidate {
            id,
            name,
            email: nonempty(email),
            phone: nonempty(phone),
            domain: nonempty(domain),
            company: company.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join(" "),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Found {
    /// Indexes into the candidates; `a` has the smaller (older) id.
    a: usize,
    b: usize,
    reason: DuplicateReason,
    confidence: u8,
}

fn confidence_of(reason: DuplicateReason, similarity: f64) -> u8 {
    match reason {
        DuplicateReason::SameEmail => 100,
        DuplicateReason::SamePhone => 95,
        DuplicateReason::SameNameAndCompany => 90,
        // 0.92 → 78, 1.0 → 85: never above an exact match.
        DuplicateReason::SimilarName => (similarity.clamp(0.0, 1.0) * 85.0).round() as u8,
    }
}

/// Collects pairs once each, up to `limit`; notes when more were left out.
struct Collector<'a> {
    cands: &'a [Candidate],
    seen: HashSet<(usize, usize)>,
    found: Vec<Found>,
    limit: usize,
    truncated: bool,
}

impl Collector<'_> {
    fn key(&self, i: usize, j: usize) -> (usize, usize) {
        if self.cands[i].id <= self.cands[j].id {
            (i, j)
        } else {
            (j, i)
        }
    }
    fn full(&self) -> bool {
        self.found.len() >= self.limit
    }
    /// Add a pair unless already found; false when the collection is full.
    fn add(&mut self, i: usize, j: usize, reason: DuplicateReason, confidence: u8) -> bool {
        let (a, b) = self.key(i, j);
        if self.seen.contains(&(a, b)) {
            return true;
        }
        if self.full() {
            self.truncated = true;
            return false;
        }
        self.seen.insert((a, b));
        self.found.push(Found { a, b, reason, confidence });
        true
    }
}

/// Every pair within groups of equal keys, in key order.
fn exact(c: &mut Collector<'_>, reason: DuplicateReason, key: impl Fn(&Candidate) -> Option<String>) {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, cand) in c.cands.iter().enumerate() {
        if let Some(k) = key(cand) {
            groups.entry(k).or_default().push(i);
        }
    }
    let confidence = confidence_of(reason, 1.0);
    for members in groups.values().filter(|m| m.len() > 1) {
        for (n, &i) in members.iter().enumerate() {
            for &j in &members[n + 1..] {
                if !c.add(i, j, reason, confidence) {
                    return;
                }
            }
        }
    }
}

/// Similar names within each company block (same domain, or same company name).
fn similar(c: &mut Collector<'_>) {
    let mut blocks: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, cand) in c.cands.iter().enumerate() {
        if cand.name.is_empty() {
            continue;
        }
        if let Some(d) = &cand.domain {
            blocks.entry(format!("d:{d}")).or_default().push(i);
        }
        if !cand.company.is_empty() {
            blocks.entry(format!("n:{}", cand.company)).or_default().push(i);
        }
    }
    let mut budget = COMPARISON_BUDGET;
    let mut hits: Vec<Found> = Vec::new();
    let mut hit_keys: HashSet<(usize, usize)> = HashSet::new();
    'blocks: for members in blocks.values().filter(|m| m.len() > 1) {
        for (n, &i) in members.iter().enumerate() {
            for &j in &members[n + 1..] {
                if budget == 0 {
                    c.truncated = true;
                    break 'blocks;
                }
                budget -= 1;
                let (a, b) = c.key(i, j);
                if c.seen.contains(&(a, b)) || hit_keys.contains(&(a, b)) {
                    continue;
                }
                let similarity = strsim::jaro_winkler(&c.cands[a].name, &c.cands[b].name);
                if similarity >= SIMILAR_NAME {
                    hit_keys.insert((a, b));
                    let reason = DuplicateReason::SimilarName;
                    hits.push(Found { a, b, reason, confidence: confidence_of(reason, similarity) });
                }
            }
        }
    }
    hits.sort_by(|x, y| {
        y.confidence
            .cmp(&x.confidence)
            .then_with(|| (&c.cands[x.a].id, &c.cands[x.b].id).cmp(&(&c.cands[y.a].id, &c.cands[y.b].id)))
    });
    for h in hits {
        if !c.add(h.a, h.b, h.reason, h.confidence) {
            return;
        }
    }
}

/// The likely pairs among `cands`, strongest reasons first, at most `limit`; and whether more exist.
fn find_pairs(cands: &[Candidate], limit: usize) -> (Vec<Found>, bool) {
    let mut c = Collector { cands, seen: HashSet::new(), found: Vec::new(), limit, truncated: false };
    exact(&mut c, DuplicateReason::SameEmail, |x| x.email.clone());
    exact(&mut c, DuplicateReason::SamePhone, |x| x.phone.clone());
    exact(&mut c, DuplicateReason::SameNameAndCompany, |x| match (&x.domain, x.name.is_empty()) {
        (Some(d), false) => Some(format!("{d}\u{0}{}", x.name)),
        _ => None,
    });
    if !c.full() {
        similar(&mut c);
    }
    let mut found = c.found;
    found.sort_by(|x, y| {
        y.confidence
            .cmp(&x.confidence)
            .then_with(|| x.reason.cmp(&y.reason))
            .then_with(|| (&cands[x.a].id, &cands[x.b].id).cmp(&(&cands[y.a].id, &cands[y.b].id)))
    });
    (found, c.truncated)
}

/// Likely duplicate pairs among the caller's visible, live, unconverted leads (`limit` pairs, at most 200).
pub fn duplicates(conn: &mut DbConnection, scope: &Scope, q: &DuplicateQuery) -> Result<DuplicateReport> {
    scope.require(Module::Leads, Action::Read)?;
    let limit = clamp_limit(q.limit) as usize;
    let since = now() - Duration::days(SCAN_DAYS);
    let rows: Vec<CandidateRow> = visible(scope)?
        .filter(leads::status.ne(LeadStatus::Converted.as_str()))
        .filter(leads::updated_at.ge(since))
        .order((leads::updated_at.desc(), leads::id.desc()))
        .limit(SCAN_MAX)
        .select((
            leads::id,
            leads::first_name,
            leads::last_name,
            leads::email_normalized,
            leads::phone_e164,
            leads::company_name,
            leads::company_domain,
        ))
        .load(conn)?;
    let scanned = rows.len();
    let cands: Vec<Candidate> = rows.into_iter().map(Candidate::from_row).collect();
    let (found, truncated) = find_pairs(&cands, limit);

    let ids: Vec<String> = {
        let mut ids: Vec<String> = found.iter().flat_map(|f| [cands[f.a].id.clone(), cands[f.b].id.clone()]).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let rows: Vec<LeadRow> = if ids.is_empty() {
        Vec::new()
    } else {
        leads::table
            .filter(leads::org_id.eq(scope.org_id().to_string()))
            .filter(leads::id.eq_any(&ids))
            .select(LeadRow::as_select())
            .load(conn)?
    };
    let by_id: HashMap<String, _> = views(conn, rows)?.into_iter().map(|l| (l.id.to_string(), l)).collect();
    let pairs = found
        .iter()
        .map(|f| {
            let get = |i: usize| {
                by_id.get(&cands[i].id).cloned().ok_or_else(|| Error::Internal("a candidate lead vanished".into()))
            };
            Ok(DuplicatePair { a: get(f.a)?, b: get(f.b)?, reason: f.reason, confidence: f.confidence })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(DuplicateReport {
        pairs,
        truncated: truncated || scanned as i64 >= SCAN_MAX,
        leads_scanned: u32::try_from(scanned).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(
        id: &str,
        name: &str,
        email: Option<&str>,
        phone: Option<&str>,
        domain: Option<&str>,
        company: &str,
    ) -> Candidate {
        let (first, last) = name.split_once(' ').unwrap_or((name, ""));
        Candidate::from_row((
            id.into(),
            first.into(),
            last.into(),
            email.map(Into::into),
            phone.map(Into::into),
            company.into(),
            domain.map(Into::into),
        ))
    }

    fn reasons(cands: &[Candidate], limit: usize) -> (Vec<(String, String, DuplicateReason)>, bool) {
        let (found, truncated) = find_pairs(cands, limit);
        (found.iter().map(|f| (cands[f.a].id.clone(), cands[f.b].id.clone(), f.reason)).collect(), truncated)
    }

    #[test]
    fn exact_and_similar_pairs_are_found_and_strangers_are_not() {
        let cands = vec![
            cand("1", "Ann Example", Some("ann@acme.test"), None, Some("acme.test"), "Acme"),
            cand("2", "Ann Example", Some("ann@acme.test"), None, Some("acme.test"), "Acme"),
            cand("3", "Bob Builder", None, Some("+49301234567"), None, ""),
            cand("4", "Robert Builder", None, Some("+49301234567"), None, ""),
            cand("5", "Catherine Smith", None, None, None, "Globex"),
            cand("6", "Catherina Smith", None, None, None, "globex "),
            cand("7", "Catherine Smith", None, None, None, "Initech"),
            cand("8", "Dan Other", Some("dan@acme.test"), None, Some("acme.test"), "Acme"),
        ];
        let (pairs, truncated) = reasons(&cands, 50);
        assert!(!truncated);
        assert_eq!(
            pairs,
            vec![
                ("1".into(), "2".into(), DuplicateReason::SameEmail),
                ("3".into(), "4".into(), DuplicateReason::SamePhone),
                ("5".into(), "6".into(), DuplicateReason::SimilarName),
            ]
        );
    }

    #[test]
    fn the_same_name_at_the_same_domain_is_exact_and_ranks_above_similar_names() {
        let cands = vec![
            cand("1", "Ann Example", Some("ann@acme.test"), None, Some("acme.test"), "Acme"),
            cand("2", "ann  example", Some("a.example@acme.test"), None, Some("acme.test"), "Acme Inc"),
            cand("3", "Ann Exmaple", None, None, Some("acme.test"), ""),
        ];
        let (found, _) = find_pairs(&cands, 50);
        assert_eq!(
            (found[0].a, found[0].b, found[0].reason, found[0].confidence),
            (0, 1, DuplicateReason::SameNameAndCompany, 90)
        );
        assert!(found[1..].iter().all(|f| f.reason == DuplicateReason::SimilarName && f.confidence <= 85));
        assert_eq!(found.len(), 3);
    }

    #[test]
    fn the_pair_count_is_capped_and_the_cap_reported() {
        let cands: Vec<Candidate> =
            (0..30).map(|i| cand(&format!("{i:02}"), &format!("P{i}"), Some("same@x.test"), None, None, "")).collect();
        let (pairs, truncated) = reasons(&cands, 200);
        assert_eq!((pairs.len(), truncated), (200, true));
        let (pairs, truncated) = reasons(&cands[..5], 200);
        assert_eq!((pairs.len(), truncated), (10, false));
    }
}

//! Search across record kinds: how a search box's text becomes terms, and what a hit shows. Every
//! record kind keeps one search document (its name, email, company, phone … as the kind chooses); a
//! record matches when its document contains every term.

use serde::{Deserialize, Serialize};

/// How many words of a search are used; the rest of a pasted paragraph is ignored.
pub const MAX_SEARCH_TERMS: usize = 8;

/// Words are cut to this many characters (a search document is made of names, addresses and numbers).
pub const MAX_TERM_CHARS: usize = 64;

/// The shortest term the trigram index serves; a shorter one only narrows what longer terms found,
/// and a search of short terms alone is refused (it would read every record).
pub const MIN_INDEXED_TERM_CHARS: usize = 3;

/// The longest search text accepted (words past the eighth are ignored anyway).
pub const MAX_QUERY_CHARS: usize = 1_000;

/// The most hits one search across kinds answers with.
pub const MAX_HITS: u32 = 50;

/// The words of a search: lower-case, without duplicates, at most [`MAX_SEARCH_TERMS`]. A record matches
/// when its search document contains every word (so "jane acme" finds Jane Doe of Acme Ltd). Phone
/// numbers are searched as typed: "+44 20" is two words.
pub fn terms(q: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in q.split_whitespace().map(str::to_lowercase) {
        let word: String = word.chars().take(MAX_TERM_CHARS).collect();
        if !terms.contains(&word) {
            terms.push(word);
        }
        if terms.len() == MAX_SEARCH_TERMS {
            break;
        }
    }
    terms
}

/// Whether a search has a term the index can serve (three characters or more).
pub fn has_indexed_term(terms: &[String]) -> bool {
    terms.iter().any(|t| t.chars().count() >= MIN_INDEXED_TERM_CHARS)
}

/// One record a search found, as the registry of record kinds names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    /// The record kind (`lead`, …): the same name the audit trail and the recycle bin use.
    pub kind: String,
    pub id: String,
    /// What the record is called (a lead: the person's name, else their email or company).
    pub title: String,
    /// A second line that tells records of the same name apart (a lead: company and email).
    pub subtitle: String,
}

/// The answer to a search across record kinds: the hits the caller may read, best first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// True when more records matched than were returned (refine the search).
    pub more: bool,
}

/// A search across record kinds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words a record's name, email, company or phone must all contain (case-insensitive); at least
    /// one of three characters or more. At most 8 words are used, each cut to 64 characters.
    #[cfg_attr(feature = "openapi", param(example = "jane acme", min_length = 3, max_length = 1000))]
    pub q: String,
    /// Most hits to return: 1–50 (default 20); other values are clamped into that range.
    pub limit: Option<u32>,
}

/// Hits a search answers with when the caller does not say.
pub const DEFAULT_HITS: u32 = 20;

crate::unversioned!(SearchResults);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_split_into_distinct_lower_case_words() {
        assert_eq!(terms("  Jane   ACME jane "), vec!["jane".to_owned(), "acme".to_owned()]);
        assert!(terms(" \t ").is_empty());
        assert_eq!(terms("a b c d e f g h i j").len(), MAX_SEARCH_TERMS);
        assert_eq!(terms(&"x".repeat(500))[0].len(), MAX_TERM_CHARS);
    }

    #[test]
    fn only_terms_of_three_characters_or_more_are_indexed() {
        assert!(!has_indexed_term(&terms("a bc")));
        assert!(has_indexed_term(&terms("a bcd")));
        assert!(has_indexed_term(&terms("müh")), "characters, not bytes");
    }
}

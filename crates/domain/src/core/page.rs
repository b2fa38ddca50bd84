//! Cursor pagination: every list answers `{ items, next_cursor }`; `next_cursor` is opaque and
//! encodes the sort key and id of the last item, so pages stay stable while rows are inserted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// A page of results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Clamp a requested page size into 1..=MAX_LIMIT.
pub fn clamp_limit(limit: Option<u32>) -> u32 {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// The position after which the next page starts: the last row's sort key and id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort column's value of the last row, as text (`None` when sorting by id alone).
    pub key: Option<String>,
    pub id: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the cursor is not one this list handed out")]
pub struct BadCursor;

impl Cursor {
    pub fn encode(&self) -> String {
        // Serializing two strings cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(s: &str) -> Result<Cursor, BadCursor> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| BadCursor)?;
        serde_json::from_slice(&bytes).map_err(|_| BadCursor)
    }
}

/// Sort direction parsed from `sort=field` (ascending) or `sort=-field` (descending).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

/// Split `-name` into (`name`, Desc) and `name` into (`name`, Asc).
pub fn parse_sort(raw: &str) -> (&str, Direction) {
    match raw.strip_prefix('-') {
        Some(field) => (field, Direction::Desc),
        None => (raw, Direction::Asc),
    }
}

/// Build a page from `limit + 1` fetched rows: the extra row only tells that there is more.
pub fn page_from_rows<T>(mut rows: Vec<T>, limit: u32, cursor_of: impl Fn(&T) -> Cursor) -> Page<T> {
    let limit = limit as usize;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|last| cursor_of(last).encode())
    } else {
        None
    };
    Page { items: rows, next_cursor }
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_cursor: self.next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn cursors_round_trip(key in proptest::option::of(".*"), id in ".*") {
            let c = Cursor { key, id };
            prop_assert_eq!(Cursor::decode(&c.encode()), Ok(c));
        }

        #[test]
        fn garbage_is_never_a_cursor_that_panics(s in ".*") {
            let _ = Cursor::decode(&s);
        }
    }

    #[test]
    fn limit_is_clamped() {
        assert_eq!(clamp_limit(None), DEFAULT_LIMIT);
        assert_eq!(clamp_limit(Some(0)), 1);
        assert_eq!(clamp_limit(Some(100_000)), MAX_LIMIT);
    }

    #[test]
    fn an_extra_row_makes_a_next_cursor() {
        let page = page_from_rows(vec![1, 2, 3], 2, |n| Cursor { key: None, id: n.to_string() });
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(Cursor::decode(page.next_cursor.as_deref().unwrap_or("")).map(|c| c.id), Ok("2".into()));
        let last = page_from_rows(vec![1, 2], 2, |n| Cursor { key: None, id: n.to_string() });
        assert_eq!(last.next_cursor, None);
    }
}

/// `limit` and `cursor`, accepted by every list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Page size: 1–200 (default 50); other values are clamped into that range, not refused.
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

//! The lead list's filters and sort, kept in the address bar so a reload or a shared link shows
//! the same leads: `/m/leads?status=working&owner=unassigned&sort=-score`.

use kith_domain::leads::{LeadListQuery, LeadSource, LeadStatus};
use kith_domain::UserId;
use leptos_router::params::ParamsMap;

/// `owner=` value for leads without an owner.
pub const UNASSIGNED: &str = "unassigned";
/// `status=` value for every open status (not disqualified or converted).
pub const OPEN: &str = "open";

/// The built-in "Unassigned" queue: open leads without an owner, oldest first (they have waited
/// longest).
pub fn unassigned_queue() -> LeadFilters {
    LeadFilters { status: OPEN.into(), owner: UNASSIGNED.into(), sort: "created_at".into(), ..Default::default() }
}

/// The queue's address.
pub fn unassigned_href() -> String {
    format!("/m/leads{}", unassigned_queue().query_string())
}

/// Every filter as typed (text), in the order they appear in the address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeadFilters {
    pub q: String,
    pub status: String,
    pub source: String,
    /// A user id, [`UNASSIGNED`], or empty for anyone.
    pub owner: String,
    pub tag: String,
    pub min_score: String,
    /// A custom field's key; with an empty `custom_value`, leads that have any value in it.
    pub custom_field: String,
    pub custom_value: String,
    /// `field` or `-field`; empty for the default (newest first).
    pub sort: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    Q,
    Status,
    Source,
    Owner,
    Tag,
    MinScore,
    CustomField,
    CustomValue,
    Sort,
}

impl Filter {
    const ALL: [Filter; 9] = [
        Filter::Q,
        Filter::Status,
        Filter::Source,
        Filter::Owner,
        Filter::Tag,
        Filter::MinScore,
        Filter::CustomField,
        Filter::CustomValue,
        Filter::Sort,
    ];

    fn key(self) -> &'static str {
        match self {
            Filter::Q => "q",
            Filter::Status => "status",
            Filter::Source => "source",
            Filter::Owner => "owner",
            Filter::Tag => "tag",
            Filter::MinScore => "min_score",
            Filter::CustomField => "custom_field",
            Filter::CustomValue => "custom_value",
            Filter::Sort => "sort",
        }
    }
}

impl LeadFilters {
    pub fn from_params(params: &ParamsMap) -> LeadFilters {
        let mut filters = LeadFilters::default();
        for filter in Filter::ALL {
            if let Some(value) = params.get_str(filter.key()) {
                *filters.slot(filter) = value.to_owned();
            }
        }
        filters
    }

    /// The filters of an address's query string (`?status=working&tag=vip`), as links and the
    /// views once kept in this browser wrote them.
    pub fn from_query_string(query: &str) -> LeadFilters {
        let mut filters = LeadFilters::default();
        for pair in query.trim_start_matches('?').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if let Some(filter) = Filter::ALL.into_iter().find(|f| f.key() == key) {
                *filters.slot(filter) = decode(value);
            }
        }
        filters
    }

    fn slot(&mut self, filter: Filter) -> &mut String {
        match filter {
            Filter::Q => &mut self.q,
            Filter::Status => &mut self.status,
            Filter::Source => &mut self.source,
            Filter::Owner => &mut self.owner,
            Filter::Tag => &mut self.tag,
            Filter::MinScore => &mut self.min_score,
            Filter::CustomField => &mut self.custom_field,
            Filter::CustomValue => &mut self.custom_value,
            Filter::Sort => &mut self.sort,
        }
    }

    /// What a filter is set to ("" when not set).
    pub fn get(&self, filter: Filter) -> &str {
        self.value(filter)
    }

    fn value(&self, filter: Filter) -> &str {
        match filter {
            Filter::Q => &self.q,
            Filter::Status => &self.status,
            Filter::Source => &self.source,
            Filter::Owner => &self.owner,
            Filter::Tag => &self.tag,
            Filter::MinScore => &self.min_score,
            Filter::CustomField => &self.custom_field,
            Filter::CustomValue => &self.custom_value,
            Filter::Sort => &self.sort,
        }
    }

    /// A copy with one filter changed.
    pub fn with(&self, filter: Filter, value: impl Into<String>) -> LeadFilters {
        let mut filters = self.clone();
        *filters.slot(filter) = value.into();
        filters
    }

    /// Does anything but the sort narrow the list?
    pub fn narrows(&self) -> bool {
        Filter::ALL.into_iter().any(|f| f != Filter::Sort && !self.value(f).trim().is_empty())
    }

    /// How many filters besides the search narrow the list (a custom field and its value count
    /// once): what the folded filter bar's toggle shows.
    pub fn folded_count(&self) -> usize {
        Filter::ALL
            .into_iter()
            .filter(|f| !matches!(f, Filter::Sort | Filter::Q | Filter::CustomValue))
            .filter(|f| !self.value(*f).trim().is_empty())
            .count()
    }

    /// `?q=acme&status=working`, or "" when nothing is set.
    pub fn query_string(&self) -> String {
        let pairs: Vec<String> = Filter::ALL
            .into_iter()
            .filter(|f| !self.value(*f).is_empty())
            .map(|f| format!("{}={}", f.key(), encode(self.value(f))))
            .collect();
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }

    /// The API query these filters stand for. Values that do not parse are left out.
    pub fn list_query(&self) -> LeadListQuery {
        let text = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_owned())
        };
        let (owner_id, unassigned) = match self.owner.as_str() {
            UNASSIGNED => (None, Some(true)),
            other => (other.parse::<UserId>().ok(), None),
        };
        LeadListQuery {
            sort: text(&self.sort),
            status: LeadStatus::parse(&self.status),
            open: (self.status == OPEN).then_some(true),
            source: LeadSource::parse(&self.source),
            owner_id,
            unassigned,
            tag: text(&self.tag),
            min_score: self.min_score.trim().parse().ok(),
            q: text(&self.q),
            custom_field: text(&self.custom_field),
            // A value means nothing without its field.
            custom_value: text(&self.custom_value).filter(|_| !self.custom_field.trim().is_empty()),
            ..Default::default()
        }
    }

    /// The filters a stored query stands for (a saved view), the inverse of [`Self::list_query`].
    pub fn from_query(query: &LeadListQuery) -> LeadFilters {
        let owner = match (query.unassigned, query.owner_id) {
            (Some(true), _) => UNASSIGNED.to_owned(),
            (_, Some(id)) => id.to_string(),
            _ => String::new(),
        };
        let status = match (query.status, query.open) {
            (Some(s), _) => s.as_str().to_owned(),
            (None, Some(true)) => OPEN.to_owned(),
            (None, _) => String::new(),
        };
        LeadFilters {
            q: query.q.clone().unwrap_or_default(),
            status,
            source: query.source.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            owner,
            tag: query.tag.clone().unwrap_or_default(),
            min_score: query.min_score.map(|n| n.to_string()).unwrap_or_default(),
            custom_field: query.custom_field.clone().unwrap_or_default(),
            custom_value: query.custom_value.clone().filter(|_| query.custom_field.is_some()).unwrap_or_default(),
            sort: query.sort.clone().unwrap_or_default(),
        }
    }

    /// The filters as they are kept in a saved view: the query without its page (`limit`, `cursor`).
    pub fn saved_query(&self) -> LeadListQuery {
        LeadListQuery { limit: None, cursor: None, ..self.list_query() }
    }

    /// The sort as (field, descending); the API's default is newest first.
    pub fn sort_order(&self) -> (&str, bool) {
        match self.sort.as_str() {
            "" => ("created_at", true),
            sort => match sort.strip_prefix('-') {
                Some(field) => (field, true),
                None => (sort, false),
            },
        }
    }

    /// The sort after a click on `field`'s header: the other direction, or the field's natural one.
    pub fn toggled_sort(&self, field: &str) -> String {
        match self.sort_order() {
            (current, true) if current == field => field.to_owned(),
            (current, false) if current == field => format!("-{field}"),
            // Text reads A→Z first; numbers and dates biggest and newest first.
            _ if matches!(field, "name" | "company") => field.to_owned(),
            _ => format!("-{field}"),
        }
    }
}

fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).as_string().unwrap_or_default()
}

fn decode(value: &str) -> String {
    let value = value.replace('+', " ");
    js_sys::decode_uri_component(&value).ok().and_then(|v| v.as_string()).unwrap_or(value)
}

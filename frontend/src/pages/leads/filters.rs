//! The lead list's filters and sort, kept in the address bar so a reload or a shared link shows
//! the same leads: `/m/leads?status=working&owner=unassigned&sort=-score`.

use kith_domain::leads::{LeadListQuery, LeadSource, LeadStatus};
use kith_domain::UserId;
use leptos_router::params::ParamsMap;

/// `owner=` value for leads without an owner.
pub const UNASSIGNED: &str = "unassigned";

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
    Sort,
}

impl Filter {
    const ALL: [Filter; 7] =
        [Filter::Q, Filter::Status, Filter::Source, Filter::Owner, Filter::Tag, Filter::MinScore, Filter::Sort];

    fn key(self) -> &'static str {
        match self {
            Filter::Q => "q",
            Filter::Status => "status",
            Filter::Source => "source",
            Filter::Owner => "owner",
            Filter::Tag => "tag",
            Filter::MinScore => "min_score",
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

    fn slot(&mut self, filter: Filter) -> &mut String {
        match filter {
            Filter::Q => &mut self.q,
            Filter::Status => &mut self.status,
            Filter::Source => &mut self.source,
            Filter::Owner => &mut self.owner,
            Filter::Tag => &mut self.tag,
            Filter::MinScore => &mut self.min_score,
            Filter::Sort => &mut self.sort,
        }
    }

    fn value(&self, filter: Filter) -> &str {
        match filter {
            Filter::Q => &self.q,
            Filter::Status => &self.status,
            Filter::Source => &self.source,
            Filter::Owner => &self.owner,
            Filter::Tag => &self.tag,
            Filter::MinScore => &self.min_score,
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
            source: LeadSource::parse(&self.source),
            owner_id,
            unassigned,
            tag: text(&self.tag),
            min_score: self.min_score.trim().parse().ok(),
            q: text(&self.q),
            ..Default::default()
        }
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

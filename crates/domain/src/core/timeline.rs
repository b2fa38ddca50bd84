//! A record's timeline as the API answers it for every kind but the lead (whose events have a kind
//! of their own): what happened, to which record (the record itself or one linked to it — the lead,
//! contact, potential and account that are one person or deal), when and by whom.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordEvent {
    pub id: String,
    /// The record it happened to: this one or a linked one (`lead`, `contact`, `account`, `potential`).
    pub record_kind: String,
    pub record_id: String,
    pub occurred_at: DateTime<Utc>,
    /// `created`, `phase_changed`, `owner_changed`, `lifecycle_changed`, `converted`, `attachment_added` …
    pub kind: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub note: Option<String>,
    pub actor_id: Option<String>,
}

//! The recycle bin: deleted records stay restorable for 30 days, then are purged.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub const RETENTION_DAYS: i64 = 30;

/// When a record deleted at `deleted_at` is purged for good.
pub fn purge_at(deleted_at: DateTime<Utc>) -> DateTime<Utc> {
    deleted_at + Duration::days(RETENTION_DAYS)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecycleBinItem {
    /// Entity type, e.g. `team`.
    pub entity: String,
    pub entity_id: String,
    /// A human label (the record's name) for the list.
    pub label: String,
    pub deleted_at: DateTime<Utc>,
    pub deleted_by: Option<String>,
    pub purge_at: DateTime<Utc>,
}

//! Duplicate leads: the pairs that look like the same person, merging one lead into another with
//! a choice per field, and undoing a merge within the recycle bin's 30 days.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::core::ids::{LeadId, LeadMergeId};
use crate::leads::LeadView;

/// How long a merge can be undone: as long as the merged lead stays in the recycle bin.
pub const UNDO_DAYS: i64 = crate::core::recycle::RETENTION_DAYS;

/// Why two leads look like the same person, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// The same email address (normalized).
    SameEmail,
    /// The same phone number (E.164).
    SamePhone,
    /// The same full name (case-insensitive) at the same company domain.
    SameNameAndCompany,
    /// Similar full names (Jaro-Winkler ≥ 0.92) at the same company domain or company name.
    SimilarName,
}

/// Two live leads that are likely the same person. `a` is the older one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicatePair {
    pub a: LeadView,
    pub b: LeadView,
    /// The strongest reason that matched.
    pub reason: DuplicateReason,
    /// 0–100: 100 for the same email, 95 the same phone, 90 the same name at the same company domain,
    /// at most 85 for similar names.
    pub confidence: u8,
}

/// The likely duplicates among the caller's leads, most certain first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateReport {
    pub pairs: Vec<DuplicatePair>,
    /// More pairs exist than were returned (or the work bound was reached): merge some and ask again.
    pub truncated: bool,
    /// How many leads were compared (the most recently updated ones, see the operation).
    pub leads_scanned: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct DuplicateQuery {
    /// Page size: 1–200 (default 50); other values are clamped into that range, not refused.
    pub limit: Option<u32>,
}

/// Which lead's value the kept lead gets for a field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MergeSide {
    /// The kept lead's own value.
    #[default]
    Keep,
    /// The merged lead's value.
    Merge,
}

/// Per editable field, whose value survives. Absent fields keep the kept lead's value; absent custom
/// fields keep the kept lead's value where it has one and take the merged lead's otherwise.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeFieldChoices {
    #[serde(default)]
    pub first_name: MergeSide,
    #[serde(default)]
    pub last_name: MergeSide,
    #[serde(default)]
    pub title: MergeSide,
    #[serde(default)]
    pub email: MergeSide,
    #[serde(default)]
    pub phone: MergeSide,
    #[serde(default)]
    pub company_name: MergeSide,
    /// The company website (stored as its domain).
    #[serde(default)]
    pub company_website: MergeSide,
    #[serde(default)]
    pub company_size: MergeSide,
    #[serde(default)]
    pub industry: MergeSide,
    #[serde(default)]
    pub country: MergeSide,
    #[serde(default)]
    pub owner_id: MergeSide,
    /// Custom fields by key: `keep` the kept lead's value (even none), `merge` the merged lead's
    /// (even none).
    #[serde(default)]
    pub custom: BTreeMap<String, MergeSide>,
}

impl MergeFieldChoices {
    /// The custom values the kept lead ends with: by the choice per key, else its own value, else
    /// the merged lead's.
    pub fn custom_values(
        &self,
        kept: &BTreeMap<String, serde_json::Value>,
        merged: &BTreeMap<String, serde_json::Value>,
    ) -> BTreeMap<String, serde_json::Value> {
        let present = |v: Option<&serde_json::Value>| v.filter(|v| !v.is_null()).cloned();
        kept.keys()
            .chain(merged.keys())
            .filter_map(|key| {
                let value = match self.custom.get(key) {
                    Some(MergeSide::Keep) => present(kept.get(key)),
                    Some(MergeSide::Merge) => present(merged.get(key)),
                    None => present(kept.get(key)).or_else(|| present(merged.get(key))),
                };
                Some((key.clone(), value?))
            })
            .collect()
    }
}

/// Merge `merge_id` into `keep_id`: the chosen field values go to the kept lead, tags are united,
/// the merged lead's timeline moves over, and the merged lead goes to the recycle bin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LeadMerge {
    pub keep_id: LeadId,
    pub merge_id: LeadId,
    #[serde(default)]
    pub fields: MergeFieldChoices,
}

/// A merge as recorded, with the deadline for undoing it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadMergeView {
    pub id: LeadMergeId,
    pub kept_id: LeadId,
    pub merged_id: LeadId,
    pub merged_at: DateTime<Utc>,
    pub undo_until: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
}

/// The merge and the kept lead as it is now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadMergeResult {
    pub merge: LeadMergeView,
    pub lead: LeadView,
}

/// An undone merge: the kept lead as it was before, and the merged lead back from the bin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadMergeUndone {
    pub merge: LeadMergeView,
    pub kept: LeadView,
    pub restored: LeadView,
}

crate::unversioned!(DuplicateReport, LeadMergeResult, LeadMergeUndone);

crate::checked_by_attributes!(LeadMerge);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_request_names_only_known_fields() {
        let ok: Result<LeadMerge, _> = serde_json::from_value(serde_json::json!({
            "keep_id": uuid::Uuid::nil(), "merge_id": uuid::Uuid::nil(), "fields": {"email": "merge"}
        }));
        let ok = ok.map_err(|e| e.to_string());
        assert_eq!(ok.as_ref().map(|m| m.fields.email), Ok(MergeSide::Merge));
        assert_eq!(ok.as_ref().map(|m| m.fields.phone), Ok(MergeSide::Keep));
        let unknown: Result<LeadMerge, _> = serde_json::from_value(serde_json::json!({
            "keep_id": uuid::Uuid::nil(), "merge_id": uuid::Uuid::nil(), "fields": {"score": "merge"}
        }));
        assert!(unknown.is_err());
        let extra: Result<LeadMerge, _> = serde_json::from_value(serde_json::json!({
            "keep_id": uuid::Uuid::nil(), "merge_id": uuid::Uuid::nil(), "org_id": uuid::Uuid::nil()
        }));
        assert!(extra.is_err());
    }

    #[test]
    fn custom_values_fill_gaps_unless_chosen() {
        let map = |v: serde_json::Value| -> BTreeMap<String, serde_json::Value> {
            serde_json::from_value(v).unwrap_or_default()
        };
        let kept = map(serde_json::json!({"budget": "Over 50k", "seats": 10}));
        let merged = map(serde_json::json!({"budget": "Under 10k", "region": "EMEA", "partner": true}));
        let default = MergeFieldChoices::default();
        assert_eq!(
            default.custom_values(&kept, &merged),
            map(serde_json::json!({"budget": "Over 50k", "seats": 10, "region": "EMEA", "partner": true}))
        );
        let chosen: MergeFieldChoices = serde_json::from_value(
            serde_json::json!({"custom": {"budget": "merge", "seats": "merge", "region": "keep"}}),
        )
        .unwrap_or_default();
        assert_eq!(
            chosen.custom_values(&kept, &merged),
            map(serde_json::json!({"budget": "Under 10k", "partner": true}))
        );
    }
}

//! The audit trail: one append-only row per change, with field-level old → new values.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::core::ids::AuditId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    User,
    ApiKey,
    /// A background job or the system itself (purges, migrations).
    System,
    /// Someone not signed in: a sign-up, an accepted invitation, a failed login.
    Anonymous,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::ApiKey => "api_key",
            ActorKind::System => "system",
            ActorKind::Anonymous => "anonymous",
        }
    }
    pub fn parse(s: &str) -> ActorKind {
        match s {
            "user" => ActorKind::User,
            "api_key" => ActorKind::ApiKey,
            "system" => ActorKind::System,
            _ => ActorKind::Anonymous,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Create,
    Update,
    Delete,
    Restore,
    Purge,
    Revoke,
    Login,
    LoginFailed,
    Logout,
    PasswordChange,
    Export,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
            AuditAction::Restore => "restore",
            AuditAction::Purge => "purge",
            AuditAction::Revoke => "revoke",
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Logout => "logout",
            AuditAction::PasswordChange => "password_change",
            AuditAction::Export => "export",
        }
    }
    pub fn parse(s: &str) -> Option<AuditAction> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

/// One field's value before and after a change (`null` when absent). Secrets are never recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    /// Any JSON value: text, number, boolean, list, object or `null`.
    #[cfg_attr(feature = "openapi", schema(value_type = Value))]
    pub old: serde_json::Value,
    /// Any JSON value: text, number, boolean, list, object or `null`.
    #[cfg_attr(feature = "openapi", schema(value_type = Value))]
    pub new: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: AuditId,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    /// The user or API key id; absent for system and anonymous actors.
    pub actor_id: Option<String>,
    /// Entity type, e.g. `user`, `team`, `role`, `api_key`, `organization`.
    pub entity: String,
    pub entity_id: String,
    /// What the record is called (a lead's name, a team's name …), when its kind has names and the
    /// caller may read it; a deleted record still in the recycle bin is named as it was deleted.
    pub record_name: Option<String>,
    /// Who acted, by name (a user's or an API key's), when known.
    pub actor_name: Option<String>,
    pub action: AuditAction,
    pub changes: Vec<FieldChange>,
    pub request_id: Option<String>,
}

/// Diff two JSON objects field by field: the changes an update made.
pub fn diff(old: &serde_json::Value, new: &serde_json::Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let old = old.as_object().unwrap_or(&empty);
    let new = new.as_object().unwrap_or(&empty);
    let mut fields: Vec<&String> = old.keys().chain(new.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| !matches!(f.as_str(), "version" | "updated_at"))
        .filter_map(|f| {
            let o = old.get(f).cloned().unwrap_or(serde_json::Value::Null);
            let n = new.get(f).cloned().unwrap_or(serde_json::Value::Null);
            (o != n).then(|| FieldChange { field: f.clone(), old: o, new: n })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_only_changed_fields() {
        let changes = diff(
            &json!({"name": "A", "team_id": null, "version": 1}),
            &json!({"name": "B", "team_id": null, "version": 2}),
        );
        assert_eq!(changes, vec![FieldChange { field: "name".into(), old: json!("A"), new: json!("B") }]);
    }

    #[test]
    fn creation_diffs_against_nothing() {
        let changes = diff(&serde_json::Value::Null, &json!({"name": "A"}));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].old, serde_json::Value::Null);
    }
}

/// Which audit entries to list: one record's history, or the organization's trail (admins).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Page size: 1–200 (default 50); other values are clamped into that range, not refused.
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    /// Entity type, e.g. `team`; with `entity_id`, the history of one record (newest first).
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Only what this user or API key did (its id).
    pub actor_id: Option<String>,
    /// Only entries on or after this day (UTC).
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, format = Date))]
    pub from: Option<NaiveDate>,
    /// Only entries on or before this day (UTC).
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, format = Date))]
    pub to: Option<NaiveDate>,
}

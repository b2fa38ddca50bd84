//! In-app notifications: what a user should look at (a lead assigned to them, a lead to revisit).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::NotificationId;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationView {
    pub id: NotificationId,
    /// `lead_assigned`, `lead_qualified`, `lead_revisit`, …
    pub kind: String,
    pub title: String,
    pub body: String,
    /// The record it is about, e.g. (`lead`, id), for a link.
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Filters for the caller's notifications.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    /// `true`: only unread ones.
    pub unread: Option<bool>,
}

/// How the organization's email presents itself. The transport (SMTP server) is the installation's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, validator::Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// Shown as the sender's name (default: the organization's name).
    #[validate(length(max = 100))]
    pub from_name: String,
    /// Sender address; must be allowed by the installation's mail server (default: the
    /// installation's address).
    #[serde(default)]
    #[validate(email)]
    pub from_address: Option<String>,
    /// Where replies go, e.g. the sales team's shared inbox.
    #[serde(default)]
    #[validate(email)]
    pub reply_to: Option<String>,
}

//! Inbound channels: email inquiries that a mail provider's inbound webhook posts to Kith, and what
//! became of each message.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::core::ids::{LeadId, OrgId};

/// Why a message was ignored: it was sent by a machine or to many people, not by a prospect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IgnoredReason {
    /// `Auto-Submitted` other than `no` (RFC 3834).
    AutoSubmitted,
    /// `Precedence: bulk`, `junk`, `list` or `auto_reply`.
    Precedence,
    /// `X-Autoreply` or `X-Autorespond`.
    Autoreply,
    /// `List-Id` or `List-Unsubscribe`: mailing-list or newsletter traffic.
    MailingList,
}

impl IgnoredReason {
    pub fn as_str(self) -> &'static str {
        match self {
            IgnoredReason::AutoSubmitted => "auto_submitted",
            IgnoredReason::Precedence => "precedence",
            IgnoredReason::Autoreply => "autoreply",
            IgnoredReason::MailingList => "mailing_list",
        }
    }
}

/// What the inbound email endpoint did with one message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum InboundOutcome {
    /// A new lead was made from the message (HTTP 201).
    Created { lead_id: LeadId },
    /// The duplicate rule found an existing lead; the message was added to its timeline (HTTP 200).
    Attached { lead_id: LeadId },
    /// A message with this Message-ID was received before; nothing was done again (HTTP 200).
    Duplicate,
    /// An auto-reply or bulk mail; nothing was stored (HTTP 202).
    Ignored { reason: IgnoredReason },
}

/// The path a mail provider posts raw messages to, for one organization.
pub fn ingest_path(org_id: OrgId) -> String {
    format!("/api/v1/inbound/email/{org_id}")
}

/// How the organization's inbound email channel is set up. The secret itself is never shown again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboundEmailSettings {
    /// Where the mail provider posts raw messages (`message/rfc822`), below the server's address.
    pub ingest_path: String,
    /// Whether a secret is set; without one every delivery is refused.
    pub secret_set: bool,
    pub secret_rotated_at: Option<DateTime<Utc>>,
}

/// A newly made inbound secret, shown this once. The provider sends it as `Authorization: Bearer …`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboundEmailSecret {
    pub ingest_path: String,
    pub secret: String,
    pub secret_rotated_at: DateTime<Utc>,
}

crate::unversioned!(InboundEmailSecret, InboundEmailSettings, InboundOutcome);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_have_the_documented_wire_form() {
        let id = LeadId(uuid::Uuid::nil());
        let created = serde_json::to_value(InboundOutcome::Created { lead_id: id }).unwrap_or_default();
        assert_eq!(created, serde_json::json!({"outcome": "created", "lead_id": id.to_string()}));
        let dup = serde_json::to_value(InboundOutcome::Duplicate).unwrap_or_default();
        assert_eq!(dup, serde_json::json!({"outcome": "duplicate"}));
        let ignored =
            serde_json::to_value(InboundOutcome::Ignored { reason: IgnoredReason::MailingList }).unwrap_or_default();
        assert_eq!(ignored, serde_json::json!({"outcome": "ignored", "reason": "mailing_list"}));
    }
}

//! Typed identifiers. Every id is a UUIDv7 (time-ordered, so sorting by id is sorting by creation),
//! stored as text in both databases.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }
    )*};
}

id_type!(
    OrgId,
    UserId,
    TeamId,
    RoleId,
    ApiKeyId,
    InviteId,
    SessionId,
    AuditId,
    LeadId,
    WebFormId,
    ScoringRuleId,
    AssignmentRuleId,
    NotificationId,
    JobId,
    LeadMergeId,
    SequenceId,
    EnrollmentId,
    ImportId,
    CallListId,
    CallContactId,
    CustomFieldId,
    LeadViewId,
    AttachmentId,
    AccountId,
    ContactId,
    PipelineId,
    PhaseId,
    PotentialId,
    LostReasonId,
    ProductId,
    TaxCategoryId,
    PriceBookId,
    ActivityId
);

//! Call lists: bulk pre-lead contacts worked by a call centre. Agents take the next contact from a
//! queue, record what happened, and promote interested contacts to leads with their call history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::core::ids::*;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCallList {
    #[validate(length(max = 100), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100, pattern = r"\S"))]
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallListView {
    pub id: CallListId,
    pub name: String,
    pub total: i64,
    /// Waiting to be called (including callbacks not yet due).
    pub open: i64,
    pub done: i64,
    pub promoted: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    NoAnswer,
    Busy,
    /// Call again at `callback_at`.
    Callback,
    NotInterested,
    WrongNumber,
    /// Promote to a lead, with the call history.
    Interested,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::NoAnswer => "no_answer",
            Disposition::Busy => "busy",
            Disposition::Callback => "callback",
            Disposition::NotInterested => "not_interested",
            Disposition::WrongNumber => "wrong_number",
            Disposition::Interested => "interested",
        }
    }
    pub fn parse(s: &str) -> Option<Disposition> {
        use Disposition::*;
        [NoAnswer, Busy, Callback, NotInterested, WrongNumber, Interested].into_iter().find(|d| d.as_str() == s)
    }
}

/// Attempts after which an unreachable contact leaves the queue.
pub const MAX_ATTEMPTS: i32 = 5;
/// How long an unanswered contact waits before it is offered again.
pub const RETRY_MINUTES: i64 = 120;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    Queued,
    Callback,
    Done,
}

impl ContactStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactStatus::Queued => "queued",
            ContactStatus::Callback => "callback",
            ContactStatus::Done => "done",
        }
    }
    pub fn parse(s: &str) -> Option<ContactStatus> {
        [ContactStatus::Queued, ContactStatus::Callback, ContactStatus::Done].into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallLog {
    pub disposition: Disposition,
    pub note: Option<String>,
    pub callback_at: Option<DateTime<Utc>>,
    pub agent_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallContactView {
    pub id: CallContactId,
    pub call_list_id: CallListId,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub company_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub status: ContactStatus,
    pub next_call_at: Option<DateTime<Utc>>,
    pub attempts: i32,
    pub lead_id: Option<LeadId>,
    /// The agent working the contact now (until the lease ends).
    pub assigned_to: Option<UserId>,
    pub calls: Vec<CallLog>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCall {
    pub disposition: Disposition,
    #[serde(default)]
    #[validate(length(max = 5000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub note: Option<String>,
    /// Required for `callback`: when to call again.
    #[serde(default)]
    pub callback_at: Option<DateTime<Utc>>,
}

/// What recording a call did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallOutcome {
    pub contact: CallContactView,
    /// The lead an interested contact became.
    pub lead_id: Option<LeadId>,
}

/// Where a contact goes after a call: its next status and when it is due again.
pub fn after_call(
    d: Disposition,
    attempts_after: i32,
    callback_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> (ContactStatus, Option<DateTime<Utc>>) {
    match d {
        Disposition::NoAnswer | Disposition::Busy if attempts_after >= MAX_ATTEMPTS => (ContactStatus::Done, None),
        Disposition::NoAnswer | Disposition::Busy => {
            (ContactStatus::Queued, Some(now + chrono::Duration::minutes(RETRY_MINUTES)))
        }
        Disposition::Callback => (ContactStatus::Callback, callback_at),
        Disposition::NotInterested | Disposition::WrongNumber | Disposition::Interested => (ContactStatus::Done, None),
    }
}

crate::unversioned!(CallContactView, CallListView, CallOutcome, ContactsAdded);

crate::checked_by_attributes!(NewCall, NewCallList);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_contacts_come_back_until_the_last_attempt() {
        let now = Utc::now();
        assert_eq!(after_call(Disposition::NoAnswer, 1, None, now).0, ContactStatus::Queued);
        assert_eq!(after_call(Disposition::Busy, MAX_ATTEMPTS, None, now), (ContactStatus::Done, None));
        let at = now + chrono::Duration::hours(3);
        assert_eq!(after_call(Disposition::Callback, 1, Some(at), now), (ContactStatus::Callback, Some(at)));
        assert_eq!(after_call(Disposition::Interested, 1, None, now).0, ContactStatus::Done);
    }
}

/// What adding contacts did: the list's new counts and the rows refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactsAdded {
    pub list: CallListView,
    pub refused: Vec<crate::leads::imports::RowProblem>,
}

//! Activities: calls, meetings, events, tasks, notes and logged emails on a record of any kind (a
//! kernel feature: the record is named by its kind and id, and access is the record's). The rules of
//! each kind are one `Check` the SPA runs before sending and the server runs again; a change is
//! checked as the whole activity it makes (`ActivityPatch::apply`), so a patch cannot move a
//! meeting's end before its start.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::core::validation::Check;
use crate::identity::double_option;
use crate::{ActivityId, FieldError, UserId};

pub mod ics;

/// The most attendees one meeting takes (users and records together).
pub const MAX_ATTENDEES: usize = 100;
/// The longest call that can be logged: one day.
pub const MAX_DURATION_SECONDS: i64 = 86_400;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Call,
    Meeting,
    Event,
    Task,
    Note,
    /// An email sent or received outside Kith, logged by hand.
    Email,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 6] = [
        ActivityKind::Call,
        ActivityKind::Meeting,
        ActivityKind::Event,
        ActivityKind::Task,
        ActivityKind::Note,
        ActivityKind::Email,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Call => "call",
            ActivityKind::Meeting => "meeting",
            ActivityKind::Event => "event",
            ActivityKind::Task => "task",
            ActivityKind::Note => "note",
            ActivityKind::Email => "email",
        }
    }
    pub fn parse(s: &str) -> Option<ActivityKind> {
        ActivityKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::Call => "Call",
            ActivityKind::Meeting => "Meeting",
            ActivityKind::Event => "Event",
            ActivityKind::Task => "Task",
            ActivityKind::Note => "Note",
            ActivityKind::Email => "Email",
        }
    }
    /// Meetings and events have a start, an end, a time zone, attendees and a place.
    pub fn is_scheduled(self) -> bool {
        matches!(self, ActivityKind::Meeting | ActivityKind::Event)
    }
}

/// Which way a call or an email went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Direction {
    #[serde(rename = "in")]
    Inbound,
    #[serde(rename = "out")]
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "in",
            Direction::Outbound => "out",
        }
    }
    pub fn parse(s: &str) -> Option<Direction> {
        [Direction::Inbound, Direction::Outbound].into_iter().find(|d| d.as_str() == s)
    }
}

/// How a call went. (Named `ActivityCallOutcome` in the spec: the call lists' `CallOutcome` is
/// what recording a call on a list did.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ActivityCallOutcome))]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    Connected,
    NoAnswer,
    Busy,
    LeftVoicemail,
    WrongNumber,
}

impl CallOutcome {
    pub const ALL: [CallOutcome; 5] = [
        CallOutcome::Connected,
        CallOutcome::NoAnswer,
        CallOutcome::Busy,
        CallOutcome::LeftVoicemail,
        CallOutcome::WrongNumber,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Connected => "connected",
            CallOutcome::NoAnswer => "no_answer",
            CallOutcome::Busy => "busy",
            CallOutcome::LeftVoicemail => "left_voicemail",
            CallOutcome::WrongNumber => "wrong_number",
        }
    }
    pub fn parse(s: &str) -> Option<CallOutcome> {
        CallOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            CallOutcome::Connected => "Connected",
            CallOutcome::NoAnswer => "No answer",
            CallOutcome::Busy => "Busy",
            CallOutcome::LeftVoicemail => "Left voicemail",
            CallOutcome::WrongNumber => "Wrong number",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::Low, Priority::Normal, Priority::High];
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
        }
    }
    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A record of any kind, by kind (`lead`, `contact`, …) and id: what an activity hangs on, and a
/// meeting's attendees other than users.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkedRecord {
    /// The record kind (`lead`, …).
    #[cfg_attr(feature = "openapi", schema(max_length = 40, example = "lead"))]
    pub kind: String,
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub id: String,
}

/// A new activity on a record. Which fields a kind takes (and requires) is its `Check`:
/// calls need a direction and an outcome (a duration ≥ 0 if given); meetings and events a start, an
/// end after it and an IANA time zone; tasks a subject and a due time; notes a body; logged emails
/// a subject and a direction. Fields of other kinds are refused, not ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewActivity {
    /// The kind of record it is on (`lead`, …).
    #[validate(length(min = 1, max = 40))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 40, example = "lead"))]
    pub record_kind: String,
    #[validate(length(min = 1, max = 64))]
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub record_id: String,
    pub kind: ActivityKind,
    #[serde(default)]
    #[validate(length(max = 300))]
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub subject: String,
    #[serde(default)]
    #[validate(length(max = 20000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub body: String,
    /// Calls and emails.
    #[serde(default)]
    pub direction: Option<Direction>,
    /// Calls.
    #[serde(default)]
    pub outcome: Option<CallOutcome>,
    /// Calls: how long it took, in whole seconds (0 – 86400).
    #[serde(default)]
    #[validate(range(min = 0, max = 86400))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 86400))]
    pub duration_seconds: Option<i64>,
    /// Meetings and events: the start; calls, notes and emails: when it happened (default: now).
    #[serde(default)]
    pub starts_at: Option<DateTime<Utc>>,
    /// Meetings and events: the end, after the start.
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    /// Meetings and events: the IANA time zone they are planned in (`Europe/Berlin`).
    #[serde(default)]
    #[validate(length(max = 64))]
    #[cfg_attr(feature = "openapi", schema(max_length = 64, example = "Europe/Berlin"))]
    pub time_zone: Option<String>,
    /// Meetings and events.
    #[serde(default)]
    #[validate(length(max = 300))]
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub location: Option<String>,
    /// Meetings and events: the users attending, each once.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub attendee_users: Vec<UserId>,
    /// Meetings and events: records attending (a contact …), each once; the caller must be able to
    /// read each.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub attendee_records: Vec<LinkedRecord>,
    /// Tasks: when it is due.
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    /// Tasks (default normal).
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Who it is for (a task's assignee, a meeting's organizer); default: whoever records it.
    #[serde(default)]
    pub assignee_id: Option<UserId>,
    /// Tasks: done already.
    #[serde(default)]
    pub done: bool,
    /// When to remind the assignee (once: in the app and by email).
    #[serde(default)]
    pub remind_at: Option<DateTime<Utc>>,
}

impl Default for NewActivity {
    fn default() -> Self {
        NewActivity {
            record_kind: String::new(),
            record_id: String::new(),
            kind: ActivityKind::Note,
            subject: String::new(),
            body: String::new(),
            direction: None,
            outcome: None,
            duration_seconds: None,
            starts_at: None,
            ends_at: None,
            time_zone: None,
            location: None,
            attendee_users: Vec::new(),
            attendee_records: Vec::new(),
            due_at: None,
            priority: None,
            assignee_id: None,
            done: false,
            remind_at: None,
        }
    }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// A plausible IANA time zone name (`UTC`, `Europe/Berlin`, `America/Argentina/Buenos_Aires`,
/// `Etc/GMT+5`): the server has no zone database, so the name's shape is checked.
pub fn plausible_time_zone(name: &str) -> bool {
    if name == "UTC" {
        return true;
    }
    let parts: Vec<&str> = name.split('/').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        })
}

impl NewActivity {
    /// The rules across fields for this kind.
    pub fn kind_rules(&self) -> Vec<FieldError> {
        use ActivityKind::*;
        let k = self.kind;
        let mut out = Vec::new();
        let mut refuse = |field: &str, present: bool, who: &str| {
            if present {
                out.push(FieldError::new(field, "not_allowed", format!("Only {who} have this.")));
            }
        };
        refuse("direction", self.direction.is_some() && !matches!(k, Call | Email), "calls and emails");
        refuse("outcome", self.outcome.is_some() && k != Call, "calls");
        refuse("duration_seconds", self.duration_seconds.is_some() && k != Call, "calls");
        refuse("ends_at", self.ends_at.is_some() && !k.is_scheduled(), "meetings and events");
        refuse("time_zone", self.time_zone.is_some() && !k.is_scheduled(), "meetings and events");
        refuse("location", self.location.is_some() && !k.is_scheduled(), "meetings and events");
        refuse("attendee_users", !self.attendee_users.is_empty() && !k.is_scheduled(), "meetings and events");
        refuse("attendee_records", !self.attendee_records.is_empty() && !k.is_scheduled(), "meetings and events");
        refuse("due_at", self.due_at.is_some() && k != Task, "tasks");
        refuse("priority", self.priority.is_some() && k != Task, "tasks");
        refuse("done", self.done && k != Task, "tasks");
        match k {
            Call => {
                if self.direction.is_none() {
                    out.push(FieldError::new("direction", "required", "Say whether the call was in or out."));
                }
                if self.outcome.is_none() {
                    out.push(FieldError::new("outcome", "required", "Say how the call went."));
                }
            }
            Meeting | Event => {
                match (self.starts_at, self.ends_at) {
                    (None, _) => out.push(FieldError::new("starts_at", "required", "Say when it starts.")),
                    (_, None) => out.push(FieldError::new("ends_at", "required", "Say when it ends.")),
                    (Some(s), Some(e)) if e <= s => {
                        out.push(FieldError::new("ends_at", "before_start", "It must end after it starts."))
                    }
                    _ => {}
                }
                match self.time_zone.as_deref() {
                    None => out.push(FieldError::new("time_zone", "required", "Choose a time zone.")),
                    Some(z) if !plausible_time_zone(z) => {
                        out.push(FieldError::new("time_zone", "invalid", "Give an IANA time zone, e.g. Europe/Berlin."))
                    }
                    _ => {}
                }
                if blank(&self.subject) {
                    out.push(FieldError::new("subject", "required", "Give it a title."));
                }
                if self.attendee_users.len() + self.attendee_records.len() > MAX_ATTENDEES {
                    out.push(FieldError::new(
                        "attendee_users",
                        "too_many",
                        format!("At most {MAX_ATTENDEES} attendees."),
                    ));
                }
                let mut users = self.attendee_users.clone();
                users.sort();
                if users.windows(2).any(|w| w[0] == w[1]) {
                    out.push(FieldError::new("attendee_users", "duplicate", "Each attendee once."));
                }
                let mut records = self.attendee_records.clone();
                records.sort();
                if records.windows(2).any(|w| w[0] == w[1]) {
                    out.push(FieldError::new("attendee_records", "duplicate", "Each attendee once."));
                }
            }
            Task => {
                if blank(&self.subject) {
                    out.push(FieldError::new("subject", "required", "Say what is to be done."));
                }
                if self.due_at.is_none() {
                    out.push(FieldError::new("due_at", "required", "Say when it is due."));
                }
            }
            Note => {
                if blank(&self.body) {
                    out.push(FieldError::new("body", "required", "Write the note."));
                }
            }
            Email => {
                if blank(&self.subject) {
                    out.push(FieldError::new("subject", "required", "Give the email's subject."));
                }
                if self.direction.is_none() {
                    out.push(FieldError::new("direction", "required", "Say whether it was sent or received."));
                }
            }
        }
        out
    }
}

impl Check for NewActivity {
    fn rules(&self) -> Vec<FieldError> {
        self.kind_rules()
    }
}

/// A change to an activity. Absent fields stay as they are; `null` clears a nullable one. The kind
/// and the record never change. The server checks the activity the change makes (`apply`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    #[validate(length(max = 300))]
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub subject: Option<String>,
    #[validate(length(max = 20000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub body: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Direction>))]
    pub direction: Option<Option<Direction>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<CallOutcome>))]
    pub outcome: Option<Option<CallOutcome>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>, minimum = 0, maximum = 86400))]
    pub duration_seconds: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub starts_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub ends_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 64))]
    pub time_zone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 300))]
    pub location: Option<Option<String>>,
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub attendee_users: Option<Vec<UserId>>,
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub attendee_records: Option<Vec<LinkedRecord>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub due_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Priority>))]
    pub priority: Option<Option<Priority>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub assignee_id: Option<Option<UserId>>,
    /// Tasks: mark done (`true`) or not done (`false`).
    pub done: Option<bool>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub remind_at: Option<Option<DateTime<Utc>>>,
}

crate::checked_by_attributes!(ActivityPatch);

impl ActivityPatch {
    /// The activity this change makes of `before`.
    pub fn apply(&self, before: &NewActivity) -> NewActivity {
        fn set<T: Clone>(slot: &mut T, value: &Option<T>) {
            if let Some(v) = value {
                *slot = v.clone();
            }
        }
        let mut f = before.clone();
        set(&mut f.subject, &self.subject);
        set(&mut f.body, &self.body);
        set(&mut f.direction, &self.direction);
        set(&mut f.outcome, &self.outcome);
        set(&mut f.duration_seconds, &self.duration_seconds);
        set(&mut f.starts_at, &self.starts_at);
        set(&mut f.ends_at, &self.ends_at);
        set(&mut f.time_zone, &self.time_zone);
        set(&mut f.location, &self.location);
        set(&mut f.attendee_users, &self.attendee_users);
        set(&mut f.attendee_records, &self.attendee_records);
        set(&mut f.due_at, &self.due_at);
        set(&mut f.priority, &self.priority);
        set(&mut f.assignee_id, &self.assignee_id);
        set(&mut f.done, &self.done);
        set(&mut f.remind_at, &self.remind_at);
        f
    }
}

/// An activity as the API answers with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityView {
    pub id: ActivityId,
    pub record_kind: String,
    pub record_id: String,
    /// What the record is called, when the caller may read it.
    pub record_name: Option<String>,
    pub kind: ActivityKind,
    pub subject: String,
    pub body: String,
    pub direction: Option<Direction>,
    pub outcome: Option<CallOutcome>,
    pub duration_seconds: Option<i64>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub time_zone: Option<String>,
    pub location: Option<String>,
    pub attendee_users: Vec<UserId>,
    pub attendee_records: Vec<LinkedRecord>,
    pub due_at: Option<DateTime<Utc>>,
    pub priority: Option<Priority>,
    pub assignee_id: Option<UserId>,
    /// Tasks: when it was marked done.
    pub done_at: Option<DateTime<Utc>>,
    pub remind_at: Option<DateTime<Utc>>,
    /// When the reminder went out (once).
    pub reminded_at: Option<DateTime<Utc>>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}
crate::versioned!(ActivityView);

impl ActivityView {
    /// The fields a change starts from.
    pub fn fields(&self) -> NewActivity {
        NewActivity {
            record_kind: self.record_kind.clone(),
            record_id: self.record_id.clone(),
            kind: self.kind,
            subject: self.subject.clone(),
            body: self.body.clone(),
            direction: self.direction,
            outcome: self.outcome,
            duration_seconds: self.duration_seconds,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: self.time_zone.clone(),
            location: self.location.clone(),
            attendee_users: self.attendee_users.clone(),
            attendee_records: self.attendee_records.clone(),
            due_at: self.due_at,
            priority: self.priority,
            assignee_id: self.assignee_id,
            done: self.done_at.is_some(),
            remind_at: self.remind_at,
        }
    }

    /// When it happens or happened: a meeting's start, a task's due time, else when it was logged.
    pub fn when(&self) -> DateTime<Utc> {
        self.starts_at.or(self.due_at).unwrap_or(self.created_at)
    }

    /// A task not done whose due time has passed.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.kind == ActivityKind::Task && self.done_at.is_none() && self.due_at.is_some_and(|d| d < now)
    }

    pub fn summary(&self) -> String {
        summary(&self.fields())
    }
}

/// A whole-minute (rounded up) reading of a duration: "3 min", "1 h 5 min", "under a minute".
pub fn duration_label(seconds: i64) -> String {
    if seconds <= 0 {
        return "0 min".into();
    }
    let minutes = (seconds + 59) / 60;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// What a timeline says about an activity: "Call logged — No answer, 3 min", "Task — Send the quote".
pub fn summary(f: &NewActivity) -> String {
    let subject = f.subject.trim();
    match f.kind {
        ActivityKind::Call => {
            let mut parts = Vec::new();
            if let Some(o) = f.outcome {
                parts.push(o.label().to_owned());
            }
            if let Some(d) = f.duration_seconds {
                parts.push(duration_label(d));
            }
            let way = if f.direction == Some(Direction::Inbound) { "Inbound call" } else { "Call" };
            let mut s = format!("{way} logged");
            if !parts.is_empty() {
                s.push_str(" — ");
                s.push_str(&parts.join(", "));
            }
            if !subject.is_empty() {
                s.push_str(&format!(" ({subject})"));
            }
            s
        }
        ActivityKind::Note => {
            let text: String = f.body.split_whitespace().collect::<Vec<_>>().join(" ");
            let short: String = text.chars().take(80).collect();
            let more = if text.chars().count() > 80 { "…" } else { "" };
            format!("Note — {short}{more}")
        }
        ActivityKind::Email => {
            let way = if f.direction == Some(Direction::Inbound) { "received" } else { "sent" };
            format!("Email {way} — {subject}")
        }
        kind => format!("{} — {subject}", kind.label()),
    }
}

/// Which activities of a record to list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ActivityQuery {
    /// The record's kind (`lead`, …).
    #[validate(length(min = 1, max = 40))]
    #[cfg_attr(feature = "openapi", param(example = "lead"))]
    pub record_kind: String,
    /// The record's id. The list also holds the activities of the records linked to it (the contact,
    /// potential and account a lead became), each only when the caller may read that record.
    #[validate(length(min = 1, max = 64))]
    #[cfg_attr(feature = "openapi", param(format = Uuid))]
    pub record_id: String,
    /// Only this kind of activity.
    pub kind: Option<ActivityKind>,
    /// Page size: 1–200 (default 50).
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}
crate::checked_by_attributes!(ActivityQuery);

/// Whose day to show, in which time zone: the offset from UTC the caller's day is in, in minutes
/// east (`120` for CEST).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct MyDayQuery {
    /// Minutes east of UTC (−840 … 840; default 0).
    #[validate(range(min = -840, max = 840))]
    #[cfg_attr(feature = "openapi", param(minimum = -840, maximum = 840))]
    pub utc_offset_minutes: Option<i32>,
}
crate::checked_by_attributes!(MyDayQuery);

/// One line of a "My day" section a context adds (a due callback, a rotting potential …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayItem {
    pub title: String,
    pub detail: String,
    pub at: Option<DateTime<Utc>>,
    /// The record it is about, for the link.
    pub record_kind: Option<String>,
    pub record_id: Option<String>,
}

/// A section of "My day" that a context registers with the kernel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DaySection {
    /// Stable key (`callbacks`).
    pub key: String,
    pub title: String,
    pub items: Vec<DayItem>,
}

/// The signed-in user's day: their tasks overdue and due today, today's meetings and events, and
/// the sections contexts add. Everything is theirs (assigned to them, or attending) and on records
/// they may read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyDay {
    /// The day shown, in the caller's offset.
    pub date: NaiveDate,
    pub overdue_tasks: Vec<ActivityView>,
    pub today_tasks: Vec<ActivityView>,
    pub meetings: Vec<ActivityView>,
    pub sections: Vec<DaySection>,
}
crate::unversioned!(MyDay);

/// Whether the caller's calendar feed exists (its address is shown only when made).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarFeedStatus {
    pub active: bool,
    pub created_at: Option<DateTime<Utc>>,
}
crate::unversioned!(CalendarFeedStatus);

/// A new private calendar feed: subscribe to `url` in Google Calendar or Outlook. Shown once;
/// making a new one revokes the old address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarFeed {
    pub url: String,
    pub created_at: DateTime<Utc>,
}
crate::unversioned!(CalendarFeed);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 15, h, 0, 0).unwrap()
    }

    fn base() -> NewActivity {
        NewActivity { record_kind: "lead".into(), record_id: "x".into(), ..Default::default() }
    }

    fn fields_of(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn each_kind_says_what_it_needs_all_at_once() {
        let call = NewActivity { kind: ActivityKind::Call, duration_seconds: Some(-1), ..base() };
        assert_eq!(fields_of(&call.problems()), ["direction", "duration_seconds", "outcome"]);
        let meeting = NewActivity {
            kind: ActivityKind::Meeting,
            starts_at: Some(at(10)),
            ends_at: Some(at(9)),
            time_zone: Some("Berlin".into()),
            attendee_users: vec![UserId(uuid::Uuid::nil()), UserId(uuid::Uuid::nil())],
            ..base()
        };
        assert_eq!(fields_of(&meeting.problems()), ["attendee_users", "ends_at", "subject", "time_zone"]);
        let task = NewActivity { kind: ActivityKind::Task, outcome: Some(CallOutcome::Busy), ..base() };
        assert_eq!(fields_of(&task.problems()), ["due_at", "outcome", "subject"]);
        let note = NewActivity { kind: ActivityKind::Note, body: "  ".into(), ..base() };
        assert_eq!(fields_of(&note.problems()), ["body"]);
        let ok = NewActivity {
            kind: ActivityKind::Meeting,
            subject: "Demo".into(),
            starts_at: Some(at(10)),
            ends_at: Some(at(11)),
            time_zone: Some("America/Argentina/Buenos_Aires".into()),
            ..base()
        };
        assert!(ok.problems().is_empty());
    }

    #[test]
    fn a_patch_is_checked_as_the_activity_it_makes() {
        let meeting = NewActivity {
            kind: ActivityKind::Meeting,
            subject: "Demo".into(),
            starts_at: Some(at(10)),
            ends_at: Some(at(11)),
            time_zone: Some("UTC".into()),
            ..base()
        };
        let patch = ActivityPatch { starts_at: Some(Some(at(12))), ..Default::default() };
        assert_eq!(fields_of(&patch.apply(&meeting).problems()), ["ends_at"]);
        let clear = ActivityPatch { time_zone: Some(None), ..Default::default() };
        assert_eq!(fields_of(&clear.apply(&meeting).problems()), ["time_zone"]);
    }

    #[test]
    fn summaries_read_like_a_timeline() {
        let call = NewActivity {
            kind: ActivityKind::Call,
            direction: Some(Direction::Outbound),
            outcome: Some(CallOutcome::NoAnswer),
            duration_seconds: Some(170),
            ..base()
        };
        assert_eq!(summary(&call), "Call logged — No answer, 3 min");
        assert_eq!(duration_label(3660), "1 h 1 min");
        assert_eq!(duration_label(3600), "1 h");
        let note = NewActivity { kind: ActivityKind::Note, body: "Wants  a\ndemo".into(), ..base() };
        assert_eq!(summary(&note), "Note — Wants a demo");
    }

    #[test]
    fn time_zone_names_are_checked_by_shape() {
        for ok in ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "America/Port-au-Prince"] {
            assert!(plausible_time_zone(ok), "{ok}");
        }
        for bad in ["", "Berlin", "europe/berlin", "Europe/", "Europe/Ber lin", "/Berlin"] {
            assert!(!plausible_time_zone(bad), "{bad}");
        }
    }
}

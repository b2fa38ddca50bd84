//! The email inquiries channel: a mail provider posts each message addressed to the organization's
//! inquiry address to Kith, authenticated by a per-organization secret (stored only as SHA-256), and
//! the message becomes a lead, or a note on the lead the duplicate rule finds. A Message-ID is acted
//! on once per organization, so a provider's redelivery never captures twice.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::core::audit::{AuditAction, FieldChange};
use kith_domain::core::modules::Module;
use kith_domain::core::permissions::Action;
use kith_domain::leads::inbound::{ingest_path, InboundEmailSecret, InboundEmailSettings, InboundOutcome};
use kith_domain::leads::{LeadEventKind, LeadSource, NewLead};
use kith_domain::OrgId;
use subtle::ConstantTimeEq;

use crate::core::tokens::{generate_secret, hash_secret};
use crate::core::util::{new_id, now, to_utc, transaction};
use crate::leads::{Capture, Captured};
use crate::schema::{inbound_email_settings, inbound_messages};
use crate::{core::audit, DbConnection, Error, Result, Scope};

/// The audit entity of the channel's settings (its id is the organization's).
pub const ENTITY: &str = "inbound_email";
/// Inbound secrets start with this, so secret scanners can recognise a leaked one.
pub const SECRET_PREFIX: &str = "kith_inbound_";
/// The longest message text kept on the timeline, in characters.
pub const TEXT_MAX_CHARS: usize = 10_000;
const SUBJECT_MAX_CHARS: usize = 500;
const NAME_MAX_CHARS: usize = 100;

/// What a lead is made from, read by the API from the raw message. Every string is plain text
/// (decoded, without markup or control characters); it is stored and shown as text, never as HTML.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InboundEmail {
    /// `id:<Message-ID>`, or for a message without one a digest of its bytes: what makes a
    /// redelivery of the same message a no-op.
    pub message_key: String,
    /// The display name of From, possibly empty.
    pub from_name: String,
    pub from_email: String,
    pub subject: String,
    /// The text body (for HTML-only mail, its text content).
    pub text: String,
}

/// The scope an inbound delivery acts with: a channel that may capture leads and nothing else.
/// Leads it captures are assigned by the organization's assignment rules.
fn inbound_scope(org_id: OrgId) -> Scope {
    Scope::channel(org_id, crate::core::scope::Channel::InboundEmail, None)
}

/// Authenticate a delivery to `org_id` with the secret the provider sent. The digests are compared
/// in constant time; an organization without a secret accepts nothing.
pub fn authenticate_inbound(conn: &mut DbConnection, org_id: OrgId, secret: &str) -> Result<Scope> {
    let stored: Option<String> = inbound_email_settings::table
        .find(org_id.to_string())
        .select(inbound_email_settings::secret_hash)
        .first(conn)
        .optional()?;
    let presented = hash_secret(secret);
    let matches = match &stored {
        Some(expected) => bool::from(presented.as_bytes().ct_eq(expected.as_bytes())),
        None => false,
    };
    if matches {
        Ok(inbound_scope(org_id))
    } else {
        Err(Error::Unauthorized)
    }
}

fn rotated_at(conn: &mut DbConnection, org_id: OrgId) -> Result<Option<NaiveDateTime>> {
    Ok(inbound_email_settings::table
        .find(org_id.to_string())
        .select(inbound_email_settings::rotated_at)
        .first(conn)
        .optional()?)
}

/// Where to post and whether a secret is set (never the secret). Administrators only.
pub fn settings(conn: &mut DbConnection, scope: &Scope) -> Result<InboundEmailSettings> {
    scope.require(Module::Settings, Action::Write)?;
    let at = rotated_at(conn, scope.org_id())?;
    Ok(InboundEmailSettings {
        ingest_path: ingest_path(scope.org_id()),
        secret_set: at.is_some(),
        secret_rotated_at: at.map(to_utc),
    })
}

/// Make a new secret (the old one stops working at once) and show it this once.
pub fn rotate_secret(conn: &mut DbConnection, scope: &Scope) -> Result<InboundEmailSecret> {
    scope.require(Module::Settings, Action::Write)?;
    let secret = format!("{SECRET_PREFIX}{}", generate_secret());
    let hash = hash_secret(&secret);
    transaction(conn, |c| {
        let before = rotated_at(c, scope.org_id())?;
        let at = now();
        let org = scope.org_id().to_string();
        let updated = diesel::update(inbound_email_settings::table.find(&org))
            .set((
                inbound_email_settings::secret_hash.eq(&hash),
                inbound_email_settings::rotated_at.eq(at),
                inbound_email_settings::rotated_by.eq(scope.actor_id()),
            ))
            .execute(c)?;
        if updated == 0 {
            diesel::insert_into(inbound_email_settings::table)
                .values((
                    inbound_email_settings::org_id.eq(&org),
                    inbound_email_settings::secret_hash.eq(&hash),
                    inbound_email_settings::rotated_at.eq(at),
                    inbound_email_settings::rotated_by.eq(scope.actor_id()),
                ))
                .execute(c)?;
        }
        // The secret is never recorded; the time it changed is.
        let change = FieldChange {
            field: "secret_rotated_at".into(),
            old: serde_json::to_value(before.map(to_utc)).unwrap_or_default(),
            new: serde_json::to_value(to_utc(at)).unwrap_or_default(),
        };
        let action = if before.is_some() { AuditAction::Update } else { AuditAction::Create };
        audit::record(c, scope, ENTITY, &org, action, &[change])?;
        Ok(InboundEmailSecret {
            ingest_path: ingest_path(scope.org_id()),
            secret: secret.clone(),
            secret_rotated_at: to_utc(at),
        })
    })
}

/// At most `max` characters of `s`.
fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// "Ann Example" → ("Ann", "Example"); "Example, Ann" → ("Ann", "Example"); one word is a first name.
fn split_name(display: &str) -> (String, String) {
    let display = display.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    let (first, last) = match display.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() && !last.trim().is_empty() => {
            (first.trim().to_owned(), last.trim().to_owned())
        }
        _ => match display.split_once(' ') {
            Some((first, last)) => (first.trim().to_owned(), last.trim().to_owned()),
            None => (display.to_owned(), String::new()),
        },
    };
    (truncate_chars(&first, NAME_MAX_CHARS).to_owned(), truncate_chars(&last, NAME_MAX_CHARS).to_owned())
}

fn lead_of(email: &InboundEmail) -> Result<NewLead> {
    let address = email.from_email.trim();
    if address.len() > 254 || !validator::ValidateEmail::validate_email(&address) {
        return Err(Error::field("from", "email", "The sender's address (From) is not a valid email address."));
    }
    let (first_name, last_name) = split_name(&email.from_name);
    Ok(NewLead { first_name, last_name, email: Some(address.to_owned()), ..Default::default() })
}

/// The timeline note: the subject, then the text (cut at 10,000 characters).
fn note_of(email: &InboundEmail) -> String {
    let subject = truncate_chars(email.subject.trim(), SUBJECT_MAX_CHARS);
    let subject = if subject.is_empty() { "(no subject)" } else { subject };
    let text = email.text.trim();
    if text.is_empty() {
        subject.to_owned()
    } else {
        format!("{subject}\n\n{}", truncate_chars(text, TEXT_MAX_CHARS))
    }
}

fn seen(conn: &mut DbConnection, org_id: OrgId, key: &str) -> Result<bool> {
    let n: i64 = inbound_messages::table
        .filter(inbound_messages::org_id.eq(org_id.to_string()))
        .filter(inbound_messages::message_key.eq(key))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Turn one email into a lead (or a note on the lead the duplicate rule finds), once per Message-ID.
pub fn receive(conn: &mut DbConnection, scope: &Scope, email: &InboundEmail) -> Result<InboundOutcome> {
    scope.require(Module::Leads, Action::Write)?;
    let new = lead_of(email)?;
    let note = note_of(email);
    let key = hash_secret(&email.message_key);
    let result = transaction(conn, |c| {
        if seen(c, scope.org_id(), &key)? {
            return Ok(InboundOutcome::Duplicate);
        }
        // Claim the message first: a concurrent delivery of the same message fails on the unique
        // index and answers "duplicate" instead of capturing a second time.
        let id = new_id().to_string();
        diesel::insert_into(inbound_messages::table)
            .values((
                inbound_messages::id.eq(&id),
                inbound_messages::org_id.eq(scope.org_id().to_string()),
                inbound_messages::message_key.eq(&key),
                inbound_messages::outcome.eq("received"),
                inbound_messages::received_at.eq(now()),
            ))
            .execute(c)?;
        let how = Capture { source: LeadSource::Email, event: LeadEventKind::EmailReceived, note: Some(&note) };
        let outcome = match crate::leads::capture(c, scope, &new, &how)? {
            Captured::New(lead) => InboundOutcome::Created { lead_id: lead.id },
            Captured::Attached(lead) => InboundOutcome::Attached { lead_id: lead.id },
        };
        let (lead_id, label) = match &outcome {
            InboundOutcome::Created { lead_id } => (lead_id.to_string(), "created"),
            InboundOutcome::Attached { lead_id } => (lead_id.to_string(), "attached"),
            _ => return Err(Error::Internal("capture without a lead".into())),
        };
        diesel::update(inbound_messages::table.find(&id))
            .set((inbound_messages::lead_id.eq(Some(lead_id)), inbound_messages::outcome.eq(label)))
            .execute(c)?;
        Ok(outcome)
    });
    match result {
        Err(Error::Conflict(_)) if seen(conn, scope.org_id(), &key)? => Ok(InboundOutcome::Duplicate),
        other => other,
    }
}

/// Before a lead is purged for good: its received messages stay known (so a late redelivery is
/// still a duplicate) but no longer point at it.
pub(crate) fn forget_lead(conn: &mut DbConnection, scope: &Scope, lead_id: &str) -> Result<()> {
    diesel::update(
        inbound_messages::table
            .filter(inbound_messages::org_id.eq(scope.org_id().to_string()))
            .filter(inbound_messages::lead_id.eq(lead_id)),
    )
    .set(inbound_messages::lead_id.eq(None::<String>))
    .execute(conn)?;
    Ok(())
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new(ENTITY, kith_domain::core::modules::Module::Settings)
            .display(crate::core::kernel::display_organization),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_become_first_and_last_names() {
        assert_eq!(split_name("Ann Example"), ("Ann".into(), "Example".into()));
        assert_eq!(split_name("\"Example, Ann\""), ("Ann".into(), "Example".into()));
        assert_eq!(split_name("Ann van der Berg"), ("Ann".into(), "van der Berg".into()));
        assert_eq!(split_name("Ann"), ("Ann".into(), String::new()));
        assert_eq!(split_name(""), (String::new(), String::new()));
        let long = "x".repeat(300);
        assert_eq!(split_name(&long).0.chars().count(), NAME_MAX_CHARS);
    }

    #[test]
    fn the_note_is_the_subject_and_at_most_ten_thousand_characters_of_text() {
        let mut email = InboundEmail { subject: "Pricing".into(), text: "é".repeat(20_000), ..Default::default() };
        let note = note_of(&email);
        assert!(note.starts_with("Pricing\n\n"));
        assert_eq!(note.chars().count(), "Pricing\n\n".len() + TEXT_MAX_CHARS);
        email.text.clear();
        email.subject.clear();
        assert_eq!(note_of(&email), "(no subject)");
    }
}

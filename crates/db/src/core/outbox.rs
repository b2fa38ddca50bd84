//! The email outbox: a message is written in the same transaction as the change that causes it, so
//! nothing is lost if the process dies before sending. The sender (SMTP or a folder in development)
//! drains it.

use diesel::prelude::*;

use crate::core::util::{new_id, now};
use crate::schema::outbox_emails;
use crate::{DbConnection, Result, Scope};

pub struct NewEmail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    /// The record the message concerns, e.g. (`invite`, id).
    pub related: Option<(&'a str, String)>,
    /// The HTML twin of the text (with tracking), for messages to leads.
    pub body_html: Option<String>,
    /// The one-click unsubscribe URL (RFC 8058), for marketing messages.
    pub list_unsubscribe: Option<String>,
    /// The message id, when links in the body must know it before it is queued.
    pub id: Option<String>,
}

impl<'a> NewEmail<'a> {
    /// A plain-text message without tracking or unsubscribe header (invitations, notifications).
    pub fn plain(to: &'a str, subject: &'a str, body_text: &'a str, related: Option<(&'a str, String)>) -> Self {
        NewEmail { to, subject, body_text, related, body_html: None, list_unsubscribe: None, id: None }
    }
}

/// Queue a message. Subject and recipient are stored as given; the sender refuses CR/LF in headers.
pub fn enqueue(conn: &mut DbConnection, scope: &Scope, email: &NewEmail<'_>) -> Result<()> {
    diesel::insert_into(outbox_emails::table)
        .values((
            outbox_emails::id.eq(email.id.clone().unwrap_or_else(|| new_id().to_string())),
            outbox_emails::org_id.eq(scope.org_id().to_string()),
            outbox_emails::to_address.eq(email.to),
            outbox_emails::subject.eq(email.subject),
            outbox_emails::body_text.eq(email.body_text),
            outbox_emails::related_entity.eq(email.related.as_ref().map(|(e, _)| *e)),
            outbox_emails::related_id.eq(email.related.as_ref().map(|(_, id)| id.clone())),
            outbox_emails::body_html.eq(email.body_html.as_deref()),
            outbox_emails::list_unsubscribe.eq(email.list_unsubscribe.as_deref()),
            outbox_emails::created_at.eq(now()),
            outbox_emails::attempts.eq(0),
        ))
        .execute(conn)?;
    Ok(())
}

/// Messages queued for the caller's organization that are not sent yet (newest first), for checks.
pub fn pending_for(conn: &mut DbConnection, scope: &Scope, to: &str) -> Result<Vec<(String, String)>> {
    Ok(outbox_emails::table
        .filter(outbox_emails::org_id.eq(scope.org_id().to_string()))
        .filter(outbox_emails::to_address.eq(to))
        .filter(outbox_emails::sent_at.is_null())
        .order(outbox_emails::id.desc())
        .select((outbox_emails::subject, outbox_emails::body_text))
        .load(conn)?)
}

type OutboxRow = (String, String, String, String, Option<String>, Option<String>, i32);

/// A message leased for sending.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    pub id: String,
    pub org_id: String,
    pub to: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub list_unsubscribe: Option<String>,
    pub attempts: i32,
    /// The organization's sender settings (None: the installation's defaults).
    pub sender: Option<kith_domain::core::notifications::MailSettings>,
    /// The organization's own SMTP server (None: the installation's transport).
    pub server: Option<crate::core::mail_servers::StoredMailServer>,
}

/// Lease up to `n` unsent messages for `lease` (so two senders never send the same one while both
/// live; a sender that dies releases them when the lease runs out).
pub fn lease_unsent(conn: &mut DbConnection, n: i64, lease: chrono::Duration) -> Result<Vec<OutgoingEmail>> {
    let at = now();
    let due: Vec<String> = outbox_emails::table
        .filter(outbox_emails::sent_at.is_null())
        .filter(outbox_emails::attempts.lt(MAX_ATTEMPTS))
        .filter(outbox_emails::locked_until.is_null().or(outbox_emails::locked_until.lt(at)))
        .filter(outbox_emails::next_attempt_at.is_null().or(outbox_emails::next_attempt_at.le(at)))
        .order(outbox_emails::id.asc())
        .select(outbox_emails::id)
        .limit(n)
        .load(conn)?;
    let mut leased = Vec::new();
    type OrgMail =
        (Option<kith_domain::core::notifications::MailSettings>, Option<crate::core::mail_servers::StoredMailServer>);
    let mut orgs: std::collections::HashMap<String, OrgMail> = std::collections::HashMap::new();
    for id in due {
        let claimed = diesel::update(
            outbox_emails::table
                .filter(outbox_emails::id.eq(&id))
                .filter(outbox_emails::sent_at.is_null())
                .filter(outbox_emails::locked_until.is_null().or(outbox_emails::locked_until.lt(at))),
        )
        .set(outbox_emails::locked_until.eq(Some(at + lease)))
        .execute(conn)?;
        if claimed == 1 {
            let (org_id, to, subject, body_text, body_html, list_unsubscribe, attempts): OutboxRow =
                outbox_emails::table
                    .find(&id)
                    .select((
                        outbox_emails::org_id,
                        outbox_emails::to_address,
                        outbox_emails::subject,
                        outbox_emails::body_text,
                        outbox_emails::body_html,
                        outbox_emails::list_unsubscribe,
                        outbox_emails::attempts,
                    ))
                    .first(conn)?;
            if !orgs.contains_key(&org_id) {
                // Every email of an organization (sequences, notifications, invitations) carries its
                // sender, the defaults included: the organization's name, not the installation's.
                let settings = match crate::core::mail_settings::effective(conn, &org_id) {
                    Ok(settings) => Some(settings),
                    Err(crate::Error::NotFound) => None,
                    Err(e) => return Err(e),
                };
                let server = crate::core::mail_servers::for_org(conn, &org_id)?;
                orgs.insert(org_id.clone(), (settings, server));
            }
            let (sender, server) = orgs.get(&org_id).cloned().unwrap_or_default();
            leased.push(OutgoingEmail {
                id,
                org_id,
                to,
                subject,
                body_text,
                body_html,
                list_unsubscribe,
                attempts,
                sender,
                server,
            });
        }
    }
    Ok(leased)
}

/// Give up on a message after this many failed attempts.
pub const MAX_ATTEMPTS: i32 = 10;

pub fn mark_sent(conn: &mut DbConnection, id: &str) -> Result<()> {
    diesel::update(outbox_emails::table.filter(outbox_emails::id.eq(id)))
        .set((outbox_emails::sent_at.eq(Some(now())), outbox_emails::locked_until.eq(None::<chrono::NaiveDateTime>)))
        .execute(conn)?;
    Ok(())
}

pub fn mark_failed(conn: &mut DbConnection, id: &str, attempts_before: i32, error: &str) -> Result<()> {
    let attempt = attempts_before + 1;
    diesel::update(outbox_emails::table.filter(outbox_emails::id.eq(id)))
        .set((
            outbox_emails::attempts.eq(attempt),
            outbox_emails::last_error.eq(Some(error.chars().take(2000).collect::<String>())),
            outbox_emails::locked_until.eq(None::<chrono::NaiveDateTime>),
            outbox_emails::next_attempt_at.eq(Some(now() + crate::core::jobs::backoff(attempt))),
        ))
        .execute(conn)?;
    Ok(())
}

/// Queue a message at most once for `unique_key` (e.g. one email per sequence step per lead, ever).
/// Returns false when it was queued before.
pub fn enqueue_once(conn: &mut DbConnection, scope: &Scope, email: &NewEmail<'_>, unique_key: &str) -> Result<bool> {
    // In a savepoint: on PostgreSQL a failed insert would otherwise abort the caller's transaction.
    let inserted = conn.transaction(|c| {
        diesel::insert_into(outbox_emails::table)
            .values((
                outbox_emails::id.eq(email.id.clone().unwrap_or_else(|| new_id().to_string())),
                outbox_emails::org_id.eq(scope.org_id().to_string()),
                outbox_emails::to_address.eq(email.to),
                outbox_emails::subject.eq(email.subject),
                outbox_emails::body_text.eq(email.body_text),
                outbox_emails::related_entity.eq(email.related.as_ref().map(|(e, _)| *e)),
                outbox_emails::related_id.eq(email.related.as_ref().map(|(_, id)| id.clone())),
                outbox_emails::body_html.eq(email.body_html.as_deref()),
                outbox_emails::list_unsubscribe.eq(email.list_unsubscribe.as_deref()),
                outbox_emails::created_at.eq(now()),
                outbox_emails::attempts.eq(0),
                outbox_emails::unique_key.eq(Some(unique_key)),
            ))
            .execute(c)
    });
    match inserted.map_err(crate::Error::from) {
        Ok(_) => Ok(true),
        Err(crate::Error::Conflict(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

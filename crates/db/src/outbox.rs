//! The email outbox: a message is written in the same transaction as the change that causes it, so
//! nothing is lost if the process dies before sending. The sender (SMTP or a folder in development)
//! drains it.

use diesel::prelude::*;

use crate::schema::outbox_emails;
use crate::util::{new_id, now};
use crate::{DbConnection, Result, Scope};

pub struct NewEmail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    /// The record the message concerns, e.g. (`invite`, id).
    pub related: Option<(&'a str, String)>,
}

/// Queue a message. Subject and recipient are stored as given; the sender refuses CR/LF in headers.
pub fn enqueue(conn: &mut DbConnection, scope: &Scope, email: &NewEmail<'_>) -> Result<()> {
    diesel::insert_into(outbox_emails::table)
        .values((
            outbox_emails::id.eq(new_id().to_string()),
            outbox_emails::org_id.eq(scope.org_id.to_string()),
            outbox_emails::to_address.eq(email.to),
            outbox_emails::subject.eq(email.subject),
            outbox_emails::body_text.eq(email.body_text),
            outbox_emails::related_entity.eq(email.related.as_ref().map(|(e, _)| *e)),
            outbox_emails::related_id.eq(email.related.as_ref().map(|(_, id)| id.clone())),
            outbox_emails::created_at.eq(now()),
            outbox_emails::attempts.eq(0),
        ))
        .execute(conn)?;
    Ok(())
}

/// Messages queued for the caller's organization that are not sent yet (newest first), for checks.
pub fn pending_for(conn: &mut DbConnection, scope: &Scope, to: &str) -> Result<Vec<(String, String)>> {
    Ok(outbox_emails::table
        .filter(outbox_emails::org_id.eq(scope.org_id.to_string()))
        .filter(outbox_emails::to_address.eq(to))
        .filter(outbox_emails::sent_at.is_null())
        .order(outbox_emails::id.desc())
        .select((outbox_emails::subject, outbox_emails::body_text))
        .load(conn)?)
}

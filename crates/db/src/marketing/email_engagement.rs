//! Opens and clicks of the email Kith sends to leads. A tracked message carries an HTML part whose links go
//! through a signed redirect and whose one-pixel image reports the open (see kith_domain::marketing::email_html). The
//! first open and the first click of each message become behaviour events on the lead, so scoring rules
//! on "email opened / clicked" apply; repeats (mail clients and privacy proxies fetch images again) are
//! only counted.

use diesel::prelude::*;
use kith_domain::leads::LeadEventKind;
use kith_domain::marketing::email_html::{find_links, html_from_text, LinkAs, Tracking};
use kith_domain::LeadId;

use crate::core::util::{now, parse_id, transaction};
use crate::schema::{email_engagements, outbox_emails};
use crate::{DbConnection, Error, Result, Scope};

/// What a recipient did with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engagement {
    Opened,
    Clicked,
}

impl Engagement {
    fn as_str(self) -> &'static str {
        match self {
            Engagement::Opened => "opened",
            Engagement::Clicked => "clicked",
        }
    }
}

/// Repeats of an open or click closer together than this are not counted.
pub const REPEAT_QUIET_SECONDS: i64 = 60;

fn base(public_url: &str) -> &str {
    public_url.trim_end_matches('/')
}

/// The tracking pixel's address for a message.
pub fn open_url(public_url: &str, secret: &str, message_id: &str) -> String {
    let sig = crate::core::tokens::sign(secret, &format!("open|{message_id}"));
    format!("{}/api/v1/public/email/{message_id}/open.gif?s={sig}", base(public_url))
}

/// The redirect a link of a message goes through. The signature covers the target, so the redirect
/// cannot be re-pointed elsewhere (no open redirect).
pub fn click_url(public_url: &str, secret: &str, message_id: &str, target: &str) -> String {
    let sig = crate::core::tokens::sign(secret, &format!("click|{message_id}|{target}"));
    let target: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
    format!("{}/api/v1/public/email/{message_id}/click?u={target}&s={sig}", base(public_url))
}

pub fn verify_open(secret: &str, message_id: &str, sig: &str) -> bool {
    crate::core::tokens::verify(secret, &format!("open|{message_id}"), sig)
}

pub fn verify_click(secret: &str, message_id: &str, target: &str, sig: &str) -> bool {
    crate::core::tokens::verify(secret, &format!("click|{message_id}|{target}"), sig)
}

/// The HTML part of a tracked message. Only links written in the template (`template_body`) are links, and
/// go through the redirect; Kith's own public links (unsubscribe) stay direct, since leaving is not
/// engagement; anything else that looks like an address came from the lead's data (a "name" like
/// `https://evil.test`) and stays text, so nobody can make Kith sign a redirect to their site.
pub fn tracked_html(public_url: &str, secret: &str, message_id: &str, template_body: &str, body_text: &str) -> String {
    let own_public = format!("{}/api/v1/public/", base(public_url));
    let written: std::collections::HashSet<&str> =
        find_links(template_body).into_iter().map(|(s, e)| &template_body[s..e]).collect();
    let link = |url: &str| {
        if url.starts_with(&own_public) {
            LinkAs::Direct
        } else if written.contains(url) {
            LinkAs::Tracked(click_url(public_url, secret, message_id, url))
        } else {
            LinkAs::Text
        }
    };
    let pixel = open_url(public_url, secret, message_id);
    html_from_text(body_text, Some(&Tracking { open_pixel_url: &pixel, link: &link }))
}

/// Record an open or a click of a message (the caller checked the signature). Returns whether it was the
/// first of its kind. Unknown messages are ignored: the link may outlive a purged message.
pub fn record(conn: &mut DbConnection, message_id: &str, what: Engagement, detail: Option<&str>) -> Result<bool> {
    // Repeats within a minute (a client loading the image twice, a link scanner, someone reloading the
    // public URL in a loop) change nothing: answered from a read, no write for the public to drive.
    let last: Option<chrono::NaiveDateTime> = email_engagements::table
        .filter(email_engagements::outbox_id.eq(message_id))
        .filter(email_engagements::kind.eq(what.as_str()))
        .select(email_engagements::last_at)
        .first(conn)
        .optional()?;
    if last.is_some_and(|at| at > now() - chrono::Duration::seconds(REPEAT_QUIET_SECONDS)) {
        return Ok(false);
    }
    transaction(conn, |c| {
        let Some((org_id, related_entity, related_id, subject)) = outbox_emails::table
            .find(message_id)
            .select((
                outbox_emails::org_id,
                outbox_emails::related_entity,
                outbox_emails::related_id,
                outbox_emails::subject,
            ))
            .first::<(String, Option<String>, Option<String>, String)>(c)
            .optional()?
        else {
            return Ok(false);
        };
        // Tracking turned off (consent withdrawn): links sent earlier still work but record nothing.
        if !crate::core::mail_settings::for_org(c, &org_id)?.is_none_or(|s| s.track_engagement) {
            return Ok(false);
        }
        let at = now();
        let seen = diesel::update(
            email_engagements::table
                .filter(email_engagements::outbox_id.eq(message_id))
                .filter(email_engagements::kind.eq(what.as_str())),
        )
        .set((email_engagements::last_at.eq(at), email_engagements::times.eq(email_engagements::times + 1)))
        .execute(c)?;
        if seen > 0 {
            return Ok(false);
        }
        // Two nodes may see the first open at once: the primary key lets one insert win; the other counts.
        let inserted = c.transaction(|c| {
            diesel::insert_into(email_engagements::table)
                .values((
                    email_engagements::outbox_id.eq(message_id),
                    email_engagements::kind.eq(what.as_str()),
                    email_engagements::org_id.eq(&org_id),
                    email_engagements::first_at.eq(at),
                    email_engagements::last_at.eq(at),
                    email_engagements::times.eq(1),
                ))
                .execute(c)
        });
        match inserted.map_err(Error::from) {
            Ok(_) => {}
            Err(Error::Conflict(_)) => return Ok(false),
            Err(e) => return Err(e),
        }
        if related_entity.as_deref() == Some("lead") {
            if let Some(lead) = related_id.as_deref().map(parse_id::<LeadId>).transpose()? {
                let kind = match what {
                    Engagement::Opened => LeadEventKind::EmailOpened,
                    Engagement::Clicked => LeadEventKind::EmailClicked,
                };
                let note = match detail {
                    Some(d) => format!("{subject} — {d}"),
                    None => subject,
                };
                let scope = Scope::system(parse_id(&org_id)?, crate::core::scope::SystemTask::Leads);
                match crate::leads::record_behaviour(c, &scope, lead, kind, &note, at) {
                    Ok(()) | Err(Error::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(true)
    })
}

/// How often each kind of engagement happened, per message, for the lead's email list.
fn counts(conn: &mut DbConnection, org_id: &str, message_ids: &[String]) -> Result<Vec<(String, String, i32)>> {
    Ok(email_engagements::table
        .filter(email_engagements::org_id.eq(org_id))
        .filter(email_engagements::outbox_id.eq_any(message_ids))
        .select((email_engagements::outbox_id, email_engagements::kind, email_engagements::times))
        .load(conn)?)
}

/// The emails of a lead, newest first, with their delivery state and engagement.
pub fn lead_emails(
    conn: &mut DbConnection,
    scope: &Scope,
    lead: LeadId,
    q: &kith_domain::core::page::PageQuery,
) -> Result<kith_domain::core::page::Page<kith_domain::leads::LeadEmailView>> {
    use kith_domain::core::page::{clamp_limit, page_from_rows, Cursor};
    use kith_domain::leads::{EmailDelivery, LeadEmailView};
    crate::leads::readable(conn, scope, lead)?;
    let limit = clamp_limit(q.limit);
    let org = scope.org_id().to_string();
    let mut query = outbox_emails::table
        .filter(outbox_emails::org_id.eq(&org))
        .filter(outbox_emails::related_entity.eq("lead"))
        .filter(outbox_emails::related_id.eq(lead.to_string()))
        .order(outbox_emails::id.desc())
        .limit(i64::from(limit) + 1)
        .select((
            outbox_emails::id,
            outbox_emails::to_address,
            outbox_emails::subject,
            outbox_emails::created_at,
            outbox_emails::sent_at,
            outbox_emails::attempts,
            outbox_emails::last_error,
        ))
        .into_boxed();
    if let Some(cursor) = &q.cursor {
        let c = Cursor::decode(cursor).map_err(|_| crate::core::util::bad_cursor())?;
        query = query.filter(outbox_emails::id.lt(c.id));
    }
    type Row = (String, String, String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>, i32, Option<String>);
    let rows: Vec<Row> = query.load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let engaged = counts(conn, &org, &ids)?;
    let times = |id: &str, kind: Engagement| {
        engaged.iter().find(|(m, k, _)| m == id && k == kind.as_str()).map(|(_, _, n)| *n).unwrap_or(0)
    };
    let items: Vec<LeadEmailView> = rows
        .into_iter()
        .map(|(id, to, subject, queued_at, sent_at, attempts, last_error)| LeadEmailView {
            opens: times(&id, Engagement::Opened),
            clicks: times(&id, Engagement::Clicked),
            delivery: match sent_at {
                Some(_) => EmailDelivery::Sent,
                None if attempts >= crate::core::outbox::MAX_ATTEMPTS => EmailDelivery::Failed,
                None => EmailDelivery::Queued,
            },
            id,
            to,
            subject,
            queued_at: crate::core::util::to_utc(queued_at),
            sent_at: sent_at.map(crate::core::util::to_utc),
            attempts,
            last_error,
        })
        .collect();
    Ok(page_from_rows(items, limit, |e| Cursor { key: None, id: e.id.clone() }))
}

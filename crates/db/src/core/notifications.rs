//! In-app notifications, each optionally mirrored by an email through the outbox.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::core::notifications::{NotificationQuery, NotificationView};
use kith_domain::core::page::{clamp_limit, page_from_rows, Cursor, Page};
use kith_domain::{NotificationId, UserId};

use crate::core::outbox::{self, NewEmail};
use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::schema::{notifications, users};
use crate::{DbConnection, Error, Result, Scope};

pub struct Notice<'a> {
    pub kind: &'a str,
    pub title: String,
    pub body: String,
    pub entity: Option<(&'a str, String)>,
    /// Also send it by email to the user's address.
    pub email: bool,
    /// The web app's page about it (`/m/leads/<id>`); the email carries it as a full address.
    pub link: Option<String>,
}

/// Tell a user of the scope's organization about something, inside the caller's transaction.
pub fn notify(conn: &mut DbConnection, scope: &Scope, user_id: UserId, notice: &Notice<'_>) -> Result<()> {
    let email: Option<String> = users::table
        .filter(users::org_id.eq(scope.org_id().to_string()))
        .filter(users::id.eq(user_id.to_string()))
        .select(users::email)
        .first(conn)
        .optional()?;
    let Some(address) = email else {
        return Ok(()); // not a user of this organization: nobody to tell
    };
    let id = new_id().to_string();
    diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(&id),
            notifications::org_id.eq(scope.org_id().to_string()),
            notifications::user_id.eq(user_id.to_string()),
            notifications::kind.eq(notice.kind),
            notifications::title.eq(&notice.title),
            notifications::body.eq(&notice.body),
            notifications::entity.eq(notice.entity.as_ref().map(|(e, _)| *e)),
            notifications::entity_id.eq(notice.entity.as_ref().map(|(_, id)| id.clone())),
            notifications::created_at.eq(now()),
        ))
        .execute(conn)?;
    if notice.email {
        let link = match &notice.link {
            Some(path) => crate::core::instance::absolute_url(conn, path)?,
            None => None,
        };
        let body = match link {
            Some(url) => format!("{}\n\nOpen it in Kith: {url}\n", notice.body),
            None => notice.body.clone(),
        };
        // Recorded against the notification (which names the lead): it went to a colleague, so it is not
        // one of the lead's emails.
        outbox::enqueue(conn, scope, &NewEmail::plain(&address, &notice.title, &body, Some(("notification", id))))?;
    }
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = notifications)]
struct Row {
    id: String,
    kind: String,
    title: String,
    body: String,
    entity: Option<String>,
    entity_id: Option<String>,
    created_at: NaiveDateTime,
    read_at: Option<NaiveDateTime>,
}

/// The caller's notifications, newest first.
pub fn list(conn: &mut DbConnection, scope: &Scope, q: &NotificationQuery) -> Result<Page<NotificationView>> {
    let Some(user) = scope.user_id() else {
        return Err(Error::Forbidden("notifications belong to signed-in users".into()));
    };
    let limit = clamp_limit(q.limit);
    let mut query = notifications::table
        .filter(notifications::org_id.eq(scope.org_id().to_string()))
        .filter(notifications::user_id.eq(user.to_string()))
        .select(Row::as_select())
        .order(notifications::id.desc())
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if q.unread == Some(true) {
        query = query.filter(notifications::read_at.is_null());
    }
    if let Some(cursor) = &q.cursor {
        let c = Cursor::decode(cursor).map_err(|_| crate::core::util::bad_cursor())?;
        query = query.filter(notifications::id.lt(c.id));
    }
    let items = query
        .load(conn)?
        .into_iter()
        .map(|r| {
            Ok(NotificationView {
                id: parse_id(&r.id)?,
                kind: r.kind,
                title: r.title,
                body: r.body,
                entity: r.entity,
                entity_id: r.entity_id,
                created_at: to_utc(r.created_at),
                read_at: r.read_at.map(to_utc),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(page_from_rows(items, limit, |n| Cursor { key: None, id: n.id.to_string() }))
}

/// Mark one of the caller's notifications read.
pub fn mark_read(conn: &mut DbConnection, scope: &Scope, id: NotificationId) -> Result<()> {
    let Some(user) = scope.user_id() else {
        return Err(Error::Forbidden("notifications belong to signed-in users".into()));
    };
    transaction(conn, |c| {
        let n = diesel::update(
            notifications::table
                .filter(notifications::org_id.eq(scope.org_id().to_string()))
                .filter(notifications::user_id.eq(user.to_string()))
                .filter(notifications::id.eq(id.to_string())),
        )
        .set(notifications::read_at.eq(Some(now())))
        .execute(c)?;
        if n == 0 {
            Err(Error::NotFound)
        } else {
            Ok(())
        }
    })
}

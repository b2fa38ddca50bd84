//! An organization's own SMTP server. The password is stored sealed by the API layer (which holds the
//! key) and is never read back out through the API: only the sender opens it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::core::modules::Module;
use kith_domain::core::notifications::{MailServerInput, MailServerView, SmtpSecurity};
use kith_domain::core::permissions::Action;
use serde::Serialize;

use crate::core::util::{now, to_utc, transaction};
use crate::schema::mail_servers;
use crate::{core::audit, DbConnection, Error, Result, Scope};

const ENTITY: &str = "mail_server";

/// What the sender needs to connect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMailServer {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password_sealed: Option<String>,
    pub updated_at: NaiveDateTime,
}

impl StoredMailServer {
    pub fn view(&self) -> MailServerView {
        MailServerView {
            host: self.host.clone(),
            port: i32::from(self.port),
            security: self.security,
            username: self.username.clone(),
            password_set: self.password_sealed.is_some(),
            updated_at: to_utc(self.updated_at),
        }
    }
}

/// What happens to the stored password on a save.
pub enum PasswordChange {
    Keep,
    Remove,
    /// The new password, already sealed.
    Set(String),
}

type Row = (String, i32, String, Option<String>, Option<String>, NaiveDateTime);

fn from_row((host, port, security, username, password_sealed, updated_at): Row) -> Result<StoredMailServer> {
    Ok(StoredMailServer {
        host,
        port: u16::try_from(port).map_err(|_| Error::Internal("stored SMTP port out of range".into()))?,
        security: SmtpSecurity::parse(&security)
            .ok_or_else(|| Error::Internal(format!("stored SMTP security {security:?}")))?,
        username,
        password_sealed,
        updated_at,
    })
}

/// The server of an organization, for the sender (no permission check: the sender acts for the system).
pub(crate) fn for_org(conn: &mut DbConnection, org_id: &str) -> Result<Option<StoredMailServer>> {
    mail_servers::table
        .find(org_id)
        .select((
            mail_servers::host,
            mail_servers::port,
            mail_servers::security,
            mail_servers::username,
            mail_servers::password_sealed,
            mail_servers::updated_at,
        ))
        .first::<Row>(conn)
        .optional()?
        .map(from_row)
        .transpose()
}

/// The caller's organization's server as the API shows it.
pub fn get(conn: &mut DbConnection, scope: &Scope) -> Result<Option<MailServerView>> {
    scope.require(Module::Settings, Action::Read)?;
    Ok(for_org(conn, &scope.org_id().to_string())?.map(|s| s.view()))
}

/// The caller's organization's server with its sealed password, for a test message (administrators).
pub fn for_sending(conn: &mut DbConnection, scope: &Scope) -> Result<Option<StoredMailServer>> {
    scope.require(Module::Settings, Action::Write)?;
    for_org(conn, &scope.org_id().to_string())
}

/// The audited shape: never the password, only whether one is set.
#[derive(Serialize)]
struct Audited<'a> {
    host: &'a str,
    port: u16,
    security: &'a str,
    username: Option<&'a str>,
    password_set: bool,
}

fn audited(s: &StoredMailServer) -> Audited<'_> {
    Audited {
        host: &s.host,
        port: s.port,
        security: s.security.as_str(),
        username: s.username.as_deref(),
        password_set: s.password_sealed.is_some(),
    }
}

pub fn put(
    conn: &mut DbConnection,
    scope: &Scope,
    input: &MailServerInput,
    password: PasswordChange,
) -> Result<MailServerView> {
    scope.require(Module::Settings, Action::Write)?;
    let org = scope.org_id().to_string();
    let port = u16::try_from(input.port)
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| Error::field("port", "range", "Give a port between 1 and 65535."))?;
    let username = input.username.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
    transaction(conn, |c| {
        let before = for_org(c, &org)?;
        let host = input.host.trim().to_lowercase();
        // A stored password goes only where it was entered for: changing the server, port, protection or
        // user name needs it again (or anyone allowed to edit settings could send it to their own server).
        if let (PasswordChange::Keep, Some(b)) = (&password, &before) {
            let same_place = b.host == host && b.port == port && b.security == input.security && b.username == username;
            if b.password_sealed.is_some() && !same_place {
                return Err(Error::field(
                    "password",
                    "required",
                    "Enter the password again when the server, port, security or user name changes.",
                ));
            }
        }
        let password_sealed = match &password {
            PasswordChange::Keep => before.as_ref().and_then(|b| b.password_sealed.clone()),
            PasswordChange::Remove => None,
            PasswordChange::Set(sealed) => Some(sealed.clone()),
        };
        let stored = StoredMailServer {
            host,
            port,
            security: input.security,
            username: username.clone(),
            password_sealed,
            updated_at: now(),
        };
        let values = (
            mail_servers::host.eq(&stored.host),
            mail_servers::port.eq(i32::from(stored.port)),
            mail_servers::security.eq(stored.security.as_str()),
            mail_servers::username.eq(&stored.username),
            mail_servers::password_sealed.eq(&stored.password_sealed),
            mail_servers::updated_at.eq(stored.updated_at),
        );
        match &before {
            Some(b) => {
                diesel::update(mail_servers::table.find(&org))
                    .set((values, mail_servers::version.eq(mail_servers::version + 1)))
                    .execute(c)?;
                audit::record_updated(c, scope, ENTITY, &org, &audited(b), &audited(&stored))?;
            }
            None => {
                diesel::insert_into(mail_servers::table)
                    .values((mail_servers::org_id.eq(&org), values, mail_servers::version.eq(1i64)))
                    .execute(c)?;
                audit::record_created(c, scope, ENTITY, &org, &audited(&stored))?;
            }
        }
        Ok(stored.view())
    })
}

/// Go back to the installation's server.
pub fn delete(conn: &mut DbConnection, scope: &Scope) -> Result<()> {
    scope.require(Module::Settings, Action::Write)?;
    let org = scope.org_id().to_string();
    transaction(conn, |c| {
        let before = for_org(c, &org)?.ok_or(Error::NotFound)?;
        diesel::delete(mail_servers::table.find(&org)).execute(c)?;
        let old = serde_json::to_value(audited(&before)).map_err(|e| Error::Internal(e.to_string()))?;
        let changes = kith_domain::core::audit::diff(&old, &serde_json::Value::Null);
        audit::record(c, scope, ENTITY, &org, kith_domain::core::audit::AuditAction::Delete, &changes)
    })
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new(ENTITY, kith_domain::core::modules::Module::Settings)
            .display(crate::core::kernel::display_organization),
    );
}

//! An organization's email identity: the sender name and address, where replies go, and whether opens and
//! clicks are measured.

use diesel::prelude::*;
use kith_domain::core::modules::Module;
use kith_domain::core::notifications::MailSettings;
use kith_domain::core::permissions::Action;

use crate::core::util::{now, transaction};
use crate::schema::{mail_settings, organizations};
use crate::{core::audit, DbConnection, Result, Scope};

/// The stored settings of an organization, if it set any.
pub(crate) fn for_org(conn: &mut DbConnection, org_id: &str) -> Result<Option<MailSettings>> {
    Ok(mail_settings::table
        .find(org_id)
        .select((
            mail_settings::from_name,
            mail_settings::from_address,
            mail_settings::reply_to,
            mail_settings::track_engagement,
        ))
        .first::<(String, Option<String>, Option<String>, bool)>(conn)
        .optional()?
        .map(|(from_name, from_address, reply_to, track_engagement)| MailSettings {
            from_name,
            from_address,
            reply_to,
            track_engagement,
        }))
}

/// The settings in force: stored ones, or the organization's name as sender with the defaults.
pub fn get(conn: &mut DbConnection, scope: &Scope) -> Result<MailSettings> {
    scope.require(Module::Settings, Action::Read)?;
    effective(conn, &scope.org_id().to_string())
}

/// The sender every email of the organization goes out with: its stored settings, or the defaults the
/// settings page shows (the organization's name, the installation's address).
pub fn effective(conn: &mut DbConnection, org: &str) -> Result<MailSettings> {
    match for_org(conn, org)? {
        Some(s) => Ok(s),
        None => {
            let name: String = organizations::table.find(org).select(organizations::name).first(conn)?;
            Ok(MailSettings { from_name: name, from_address: None, reply_to: None, track_engagement: true })
        }
    }
}

pub fn put(conn: &mut DbConnection, scope: &Scope, new: &MailSettings) -> Result<MailSettings> {
    scope.require(Module::Settings, Action::Write)?;
    let org = scope.org_id().to_string();
    // Names are one line: a line break must never reach an email header.
    let clean = |s: &str| s.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_owned();
    let stored = MailSettings {
        from_name: clean(&new.from_name),
        from_address: new.from_address.as_deref().map(clean).filter(|s| !s.is_empty()),
        reply_to: new.reply_to.as_deref().map(clean).filter(|s| !s.is_empty()),
        track_engagement: new.track_engagement,
    };
    transaction(conn, |c| {
        let before = get(c, scope)?;
        let updated = diesel::update(mail_settings::table.find(&org))
            .set((
                mail_settings::from_name.eq(&stored.from_name),
                mail_settings::from_address.eq(&stored.from_address),
                mail_settings::reply_to.eq(&stored.reply_to),
                mail_settings::track_engagement.eq(stored.track_engagement),
                mail_settings::updated_at.eq(now()),
                mail_settings::version.eq(mail_settings::version + 1),
            ))
            .execute(c)?;
        if updated == 0 {
            diesel::insert_into(mail_settings::table)
                .values((
                    mail_settings::org_id.eq(&org),
                    mail_settings::from_name.eq(&stored.from_name),
                    mail_settings::from_address.eq(&stored.from_address),
                    mail_settings::reply_to.eq(&stored.reply_to),
                    mail_settings::track_engagement.eq(stored.track_engagement),
                    mail_settings::updated_at.eq(now()),
                    mail_settings::version.eq(1i64),
                ))
                .execute(c)?;
        }
        audit::record_updated(c, scope, "mail_settings", &org, &before, &stored)?;
        Ok(stored.clone())
    })
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new("mail_settings", kith_domain::core::modules::Module::Settings)
            .display(crate::core::kernel::display_organization),
    );
}

//! The recycle bin: delete, restore and the purge after 30 days.

use super::*;

pub fn delete(conn: &mut DbConnection, scope: &Scope, id: LeadId) -> Result<()> {
    transaction(conn, |c| {
        let lead = writable(c, scope, id)?;
        let at = now();
        diesel::update(leads::table.filter(leads::id.eq(id.to_string())))
            .set((leads::deleted_at.eq(Some(at)), leads::version.eq(leads::version + 1)))
            .execute(c)?;
        recycle::put(c, scope, ENTITY, &id.to_string(), &lead.display_name(), at)?;
        audit::record(c, scope, ENTITY, &id.to_string(), AuditAction::Delete, &[])
    })
}

pub fn restore(conn: &mut DbConnection, scope: &Scope, id: LeadId) -> Result<LeadView> {
    scope.require(Module::Leads, Action::Write)?;
    transaction(conn, |c| {
        let lead = find(c, scope.org_id(), id, true)?;
        scope.require_record(Module::Leads, Action::Write, lead.ownership()).map_err(|_| Error::NotFound)?;
        diesel::update(leads::table.filter(leads::id.eq(id.to_string())))
            .set((leads::deleted_at.eq(None::<NaiveDateTime>), leads::version.eq(leads::version + 1)))
            .execute(c)?;
        recycle::take(c, scope, ENTITY, &id.to_string())?;
        audit::record(c, scope, ENTITY, &id.to_string(), AuditAction::Restore, &[])?;
        find(c, scope.org_id(), id, false)
    })
}

pub(crate) fn purge(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let org = scope.org_id().to_string();
    // Records of other modules that point at the lead: submissions stay (without their lead),
    // enrollments go with it.
    {
        use crate::schema::{sequence_enrollments, web_form_submissions};
        diesel::update(
            web_form_submissions::table
                .filter(web_form_submissions::org_id.eq(&org))
                .filter(web_form_submissions::lead_id.eq(id)),
        )
        .set(web_form_submissions::lead_id.eq(None::<String>))
        .execute(conn)?;
        diesel::delete(
            sequence_enrollments::table
                .filter(sequence_enrollments::org_id.eq(&org))
                .filter(sequence_enrollments::lead_id.eq(id)),
        )
        .execute(conn)?;
        // The emails to the lead (address, text with the name) and what they did with them go too.
        use crate::schema::{email_engagements, outbox_emails};
        let emails = outbox_emails::table
            .filter(outbox_emails::org_id.eq(&org))
            .filter(outbox_emails::related_entity.eq("lead"))
            .filter(outbox_emails::related_id.eq(id))
            .select(outbox_emails::id);
        diesel::delete(email_engagements::table.filter(email_engagements::outbox_id.eq_any(emails))).execute(conn)?;
        diesel::delete(
            outbox_emails::table
                .filter(outbox_emails::org_id.eq(&org))
                .filter(outbox_emails::related_entity.eq("lead"))
                .filter(outbox_emails::related_id.eq(id)),
        )
        .execute(conn)?;
    }
    diesel::delete(
        leads::table.filter(leads::org_id.eq(&org)).filter(leads::id.eq(id)).filter(leads::deleted_at.is_not_null()),
    )
    .execute(conn)?;
    audit::record(conn, scope, ENTITY, id, AuditAction::Purge, &[])
}

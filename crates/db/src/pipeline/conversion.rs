//! Converting a lead into a contact, an account and a potential, in one transaction. Nothing moves:
//! the lead's history (timeline, activities, emails, form submissions, calls, score history,
//! attachments, custom values) stays keyed to the lead, which stays as a read-only converted record
//! pointing forward, and `record_links` join the lead, contact, account and potential so each one's
//! timeline shows the others' events (for those who may read them). Tags are copied to the contact
//! and the potential; the lead's sequence enrolments stop.

use kith_domain::customers::Lifecycle;
use kith_domain::leads::{LeadEventKind, LeadStatus, LeadView};
use kith_domain::pipeline::conversion::*;

use super::*;
use crate::customers::{self, AccountFields, ContactFields, ACCOUNT, CONTACT};

pub fn convert(conn: &mut DbConnection, scope: &Scope, id: LeadId, input: &LeadConversion) -> Result<ConversionResult> {
    scope.require(Module::Leads, Action::Write)?;
    scope.require(Module::Customers, Action::Write)?;
    if input.potential.is_some() {
        scope.require(Module::Pipeline, Action::Write)?;
    }
    transaction(conn, |c| {
        let org = scope.org_id();
        let lead = crate::leads::readable(c, scope, id)?;
        scope.require_record(Module::Leads, Action::Write, lead.ownership())?;
        convertible(&lead).map_err(|e| Error::Validation(vec![e]))?;
        let lead_ref = RecordRef::new(crate::leads::ENTITY, id);

        let account = match &input.account {
            AccountChoice::New { name } => {
                let name = name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
                let fields = account_fields(&lead, name.unwrap_or_else(|| account_name(&lead)));
                Some(customers::insert_account(c, scope, fields, Lifecycle::Prospect)?)
            }
            AccountChoice::Existing { id: account } => {
                customers::get_account(c, scope, *account)
                    .map_err(|_| Error::field("account.id", "unknown", "No such account."))?;
                customers::writable_account(c, scope, *account)?;
                Some(customers::fill_account(c, scope, *account, &account_fields(&lead, String::new()))?)
            }
            AccountChoice::None => None,
        };
        let account_id = account.as_ref().map(|a| a.id);
        let owner = lead.owner_id.or(scope.user_id());
        let fields = ContactFields {
            first_name: lead.first_name.clone(),
            last_name: lead.last_name.clone(),
            title: lead.title.clone(),
            email: lead.email.clone(),
            phone: lead.phone.clone(),
            country: lead.country.clone(),
            account_id,
            owner_id: owner,
            lead_id: Some(id),
        };
        let contact = match &input.contact {
            ContactChoice::New => customers::insert_contact(c, scope, fields)?,
            ContactChoice::Existing { id: contact } => {
                customers::get_contact(c, scope, *contact)
                    .map_err(|_| Error::field("contact.id", "unknown", "No such contact."))?;
                customers::writable_contact(c, scope, *contact)?;
                customers::fill_contact(c, scope, *contact, &fields)?
            }
        };
        let potential = match &input.potential {
            Some(p) => Some(
                insert(
                    c,
                    scope,
                    PotentialFields {
                        name: p
                            .name
                            .as_deref()
                            .map(str::trim)
                            .filter(|n| !n.is_empty())
                            .map(str::to_owned)
                            .unwrap_or_else(|| potential_name(&lead)),
                        account_id,
                        contact_id: Some(contact.id),
                        pipeline_id: p.pipeline_id,
                        phase_id: p.phase_id,
                        amount_minor: p.amount_minor,
                        currency: p.currency.clone(),
                        probability: None,
                        expected_close_on: p.expected_close_on,
                        owner_id: p.owner_id.or(owner),
                        lead_id: Some(id),
                    },
                )
                .map_err(|e| prefixed(e, "potential."))?,
            ),
            None => None,
        };

        // One history: every record of this person or deal links to every other.
        let mut records = vec![lead_ref.clone(), RecordRef::new(CONTACT, contact.id)];
        records.extend(account_id.map(|a| RecordRef::new(ACCOUNT, a)));
        records.extend(potential.as_ref().map(|p| RecordRef::new(POTENTIAL, p.id)));
        for (i, a) in records.iter().enumerate() {
            for b in &records[i + 1..] {
                timeline::link(c, org, a, b)?;
            }
        }
        let tags = crate::core::tags::of(c, crate::leads::ENTITY, &[id.to_string()])?
            .remove(&id.to_string())
            .unwrap_or_default();
        if !tags.is_empty() {
            for r in &records[1..] {
                if r.kind != ACCOUNT {
                    let mut all = crate::core::tags::of(c, r.kind, std::slice::from_ref(&r.id))?
                        .remove(&r.id)
                        .unwrap_or_default();
                    all.extend(tags.iter().cloned());
                    all.sort();
                    all.dedup();
                    crate::core::tags::replace(c, org, r, &all)?;
                }
            }
        }
        crate::marketing::sequences::stop_for_lead(c, org, id, "converted")?;

        diesel::update(crate::schema::leads::table)
            .filter(crate::schema::leads::org_id.eq(org.to_string()))
            .filter(crate::schema::leads::id.eq(id.to_string()))
            .set((
                crate::schema::leads::status.eq(LeadStatus::Converted.as_str()),
                crate::schema::leads::revisit_on.eq(None::<NaiveDate>),
                crate::schema::leads::updated_at.eq(now()),
                crate::schema::leads::version.eq(crate::schema::leads::version + 1),
            ))
            .execute(c)?;
        let note = match &potential {
            Some(p) => format!("Converted to {} (potential {})", contact.display_name(), p.name),
            None => format!("Converted to {}", contact.display_name()),
        };
        timeline::add(
            c,
            scope,
            &lead_ref,
            &timeline::NewEvent {
                kind: LeadEventKind::Converted.as_str(),
                from: Some(lead.status.as_str()),
                to: Some(LeadStatus::Converted.as_str()),
                note: Some(&note),
                at: None,
            },
        )?;
        let after = crate::leads::readable(c, scope, id)?;
        audit::record_updated(c, scope, crate::leads::ENTITY, &id.to_string(), &lead, &after)?;
        Ok(ConversionResult { lead_id: id, contact, account, potential })
    })
}

fn account_fields(lead: &LeadView, name: String) -> AccountFields {
    AccountFields {
        name,
        domain: lead.company_domain.clone(),
        industry: lead.industry.clone(),
        phone: None,
        country: lead.country.clone(),
        parent_id: None,
        owner_id: lead.owner_id,
    }
}

/// Field errors of a nested part name their place in the request (`potential.phase_id`).
fn prefixed(e: Error, prefix: &str) -> Error {
    match e {
        Error::Validation(errors) => Error::Validation(
            errors.into_iter().map(|f| FieldError::new(format!("{prefix}{}", f.field), f.code, f.message)).collect(),
        ),
        other => other,
    }
}

//! Leads from CSV rows, a batch at a time: the same normalization, duplicate matching, assignment and
//! scoring as every other channel, with the rules loaded once per batch instead of once per lead,
//! and without a notification per lead (an import of 10,000 leads must not send 10,000 emails).

use std::collections::BTreeMap;

use diesel::prelude::*;
use kith_domain::core::custom_fields::{validate_values, CustomFieldView};
use kith_domain::core::modules::Module;
use kith_domain::core::permissions::RecordScope;
use kith_domain::leads::imports::DuplicatePolicy;
use kith_domain::leads::rules::{self as domain_rules, AssignmentRule, Candidate, ScoringRule};
use kith_domain::leads::*;
use kith_domain::{FieldError, LeadId, OrgId, UserId};

use crate::core::kernel::RecordRef;
use crate::core::notifications::{notify, Notice};
use crate::core::util::{new_id, now};
use crate::leads::rules;
use crate::leads::{
    event, fields_of_new, fields_of_view, find, find_duplicate, replace_tags, team_of, write_fields, Match, ENTITY,
};
use crate::schema::leads;
use crate::{core::audit, core::custom_fields, core::search, DbConnection, Result, Scope};

/// Rules, custom fields and loads read once per batch.
pub struct BatchContext {
    settings: LeadSettings,
    custom_fields: Vec<CustomFieldView>,
    scoring: Vec<ScoringRule>,
    assignment: Vec<AssignmentRule>,
    candidates: Vec<Candidate>,
    /// Owners of leads outside the importer's scope that rows matched, with how many rows did:
    /// told once per batch, not once per row.
    hidden_matches: BTreeMap<UserId, u32>,
    /// Who gets rows no rule takes (checked once per batch), and how many stayed unassigned.
    fallback: Option<UserId>,
    unassigned: u32,
}

impl BatchContext {
    pub fn load(c: &mut DbConnection, org_id: OrgId) -> Result<BatchContext> {
        let assignment = rules::assignment_rules(c, org_id)?;
        let candidates =
            if assignment.iter().any(|r| r.active) { crate::leads::candidates(c, org_id)? } else { Vec::new() };
        let settings = rules::settings(c, org_id)?;
        let fallback = match settings.fallback_owner_id {
            Some(owner) => crate::leads::candidates(c, org_id)?.into_iter().find(|p| p.user_id == owner && p.active),
            None => None,
        }
        .map(|p| p.user_id);
        Ok(BatchContext {
            settings,
            fallback,
            unassigned: 0,
            custom_fields: custom_fields::defs(c, org_id, ENTITY)?,
            scoring: rules::scoring_rules(c, org_id)?,
            assignment,
            candidates,
            hidden_matches: BTreeMap::new(),
        })
    }

    /// The organization's live custom fields of leads.
    pub fn custom_fields(&self) -> &[CustomFieldView] {
        &self.custom_fields
    }

    /// Tell the lead managers, once per batch, how many rows no rule took (when there is no fallback owner).
    pub fn tell_unassigned(&mut self, c: &mut DbConnection, scope: &Scope) -> Result<()> {
        let n = std::mem::take(&mut self.unassigned);
        if n > 0 {
            crate::leads::tell_unassigned(c, scope, None, n)?;
        }
        Ok(())
    }

    /// Tell each owner whose leads rows of this batch matched without the importer seeing them.
    pub fn tell_hidden_matches(&mut self, c: &mut DbConnection, scope: &Scope) -> Result<()> {
        for (owner, n) in std::mem::take(&mut self.hidden_matches) {
            notify(
                c,
                scope,
                owner,
                &Notice {
                    kind: "lead_possible_duplicate",
                    title: format!("An import may duplicate {n} of your leads"),
                    body: format!(
                        "A colleague who cannot see your leads imported {n} {} with the same email or phone as \
                         yours. They are listed under Leads → Duplicates for whoever may see both.",
                        if n == 1 { "lead" } else { "leads" }
                    ),
                    entity: None,
                    email: false,
                    link: None,
                },
            )?;
        }
        Ok(())
    }
}

#[derive(Debug)]
pub enum RowOutcome {
    Created(LeadId),
    Updated(LeadId),
    Skipped(LeadId),
    Failed(Vec<FieldError>),
}

/// Import one row's lead under the duplicate policy.
pub fn import_one(
    c: &mut DbConnection,
    scope: &Scope,
    ctx: &mut BatchContext,
    new: &NewLead,
    note: Option<&str>,
    policy: DuplicatePolicy,
) -> Result<RowOutcome> {
    let mut errors = match validator::Validate::validate(new) {
        Ok(()) => vec![],
        Err(e) => kith_domain::core::validation::field_errors(&e),
    };
    let fields = fields_of_new(new);
    errors.extend(fields.check());
    errors.extend(new.check_identifiable());
    // Required custom fields do not bind imports: intake never fails for a value nobody had.
    let custom = match validate_values(&ctx.custom_fields, &new.custom, false) {
        Ok(values) => values.into_iter().filter(|(_, v)| !v.is_null()).collect::<BTreeMap<_, _>>(),
        Err(e) => {
            errors.extend(e);
            BTreeMap::new()
        }
    };
    if !errors.is_empty() {
        return Ok(RowOutcome::Failed(errors));
    }
    let rule = if policy == DuplicatePolicy::Create { DuplicateRule::Off } else { ctx.settings.duplicate_rule };
    let existing = match find_duplicate(c, scope, &fields, rule)? {
        Match::None => None,
        Match::Writable(lead) => Some(lead),
        Match::Hidden(lead) => {
            if let Some(owner) = lead.owner_id {
                *ctx.hidden_matches.entry(owner).or_default() += 1;
            }
            None
        }
    };
    if let Some(existing) = existing {
        if policy == DuplicatePolicy::Skip {
            return Ok(RowOutcome::Skipped(existing.id));
        }
        // Update: the row's non-empty values win.
        let mut merged = fields_of_view(&existing);
        let take = |target: &mut String, value: &String| {
            if !value.is_empty() {
                target.clone_from(value);
            }
        };
        take(&mut merged.first_name, &fields.first_name);
        take(&mut merged.last_name, &fields.last_name);
        take(&mut merged.title, &fields.title);
        take(&mut merged.company_name, &fields.company_name);
        merged.email = fields.email.clone().or(merged.email);
        merged.phone = fields.phone.clone().or(merged.phone);
        merged.company_website = fields.company_website.clone().or(merged.company_website);
        merged.company_size = fields.company_size.or(merged.company_size);
        merged.industry = fields.industry.clone().or(merged.industry);
        merged.country = fields.country.clone().or(merged.country);
        write_fields(c, scope, existing.id, &merged, None)?;
        if !new.tags.is_empty() {
            let mut tags = existing.tags.clone();
            tags.extend(new.tags.iter().cloned());
            replace_tags(c, scope.org_id(), existing.id, &tags)?;
        }
        // The row's custom values win too; fields the row leaves empty keep their value.
        custom_fields::write_values(c, scope.org_id(), &RecordRef::new(ENTITY, existing.id), &custom)?;
        event(
            c,
            scope,
            existing.id,
            LeadEventKind::Created,
            None,
            Some("import"),
            Some(note.unwrap_or("updated by import")),
        )?;
        // The row may change what the rules score (a title, a country, tags): the stored score
        // follows, as when the lead is edited.
        crate::leads::rescore(c, scope, existing.id)?;
        let after = find(c, scope.org_id(), existing.id, false)?;
        audit::record_updated(c, scope, ENTITY, &existing.id.to_string(), &existing, &after)?;
        return Ok(RowOutcome::Updated(existing.id));
    }

    let id = LeadId(new_id());
    let at = now();
    let detail = new.source_detail.clone().unwrap_or_default();
    let mut view = LeadView {
        id,
        first_name: fields.first_name.clone(),
        last_name: fields.last_name.clone(),
        title: fields.title.clone(),
        email: fields.email.clone(),
        phone: fields.phone.clone(),
        phone_e164: fields.phone_e164(),
        company_name: fields.company_name.clone(),
        company_domain: fields.company_domain(),
        company_size: fields.company_size,
        industry: fields.industry.clone(),
        country: fields.country.clone(),
        source: LeadSource::Import,
        source_detail: detail.clone(),
        status: LeadStatus::New,
        disqualify_reason: None,
        revisit_on: None,
        owner_id: None,
        team_id: None,
        score: 0,
        tags: normalize_tags(&new.tags),
        // Before assignment and scoring, so rules on custom fields see them.
        custom,
        created_at: at.and_utc(),
        updated_at: at.and_utc(),
        version: 1,
    };
    view.owner_id = match new.owner_id {
        Some(o) => Some(o),
        // An importer limited to own/team leads owns what they import, as when creating one lead.
        None if scope.permissions().get(Module::Leads).scope != RecordScope::All => {
            scope.acting_user().map(|a| a.user_id)
        }
        None => match domain_rules::choose_owner(&ctx.assignment, &view, &ctx.candidates) {
            Some((rule, user)) => {
                rules::set_last_assigned(c, rule, user)?;
                if let Some(r) = ctx.assignment.iter_mut().find(|r| r.id == rule) {
                    r.last_assigned = Some(user);
                }
                if let Some(cand) = ctx.candidates.iter_mut().find(|x| x.user_id == user) {
                    cand.open_leads += 1;
                }
                Some(user)
            }
            None => {
                if ctx.fallback.is_none() {
                    ctx.unassigned += 1;
                }
                ctx.fallback
            }
        },
    };
    view.team_id = match view.owner_id {
        Some(o) => {
            ctx.candidates.iter().find(|x| x.user_id == o).and_then(|x| x.team_id).or(team_of(c, scope.org_id(), o)?)
        }
        None => None,
    };
    view.score = domain_rules::score(&view, &[], &ctx.scoring, crate::core::util::now_utc()).total;
    diesel::insert_into(leads::table)
        .values((
            leads::id.eq(id.to_string()),
            leads::org_id.eq(scope.org_id().to_string()),
            leads::first_name.eq(&fields.first_name),
            leads::last_name.eq(&fields.last_name),
            leads::title.eq(&fields.title),
            leads::email.eq(&fields.email),
            leads::email_normalized.eq(fields.email_normalized()),
            leads::phone.eq(&fields.phone),
            leads::phone_e164.eq(&view.phone_e164),
            leads::company_name.eq(&fields.company_name),
            leads::company_domain.eq(&view.company_domain),
            leads::company_size.eq(fields.company_size),
            leads::industry.eq(&fields.industry),
            leads::country.eq(&fields.country),
            leads::source.eq(LeadSource::Import.as_str()),
            leads::source_detail.eq(serde_json::to_string(&detail).unwrap_or_else(|_| "{}".into())),
            leads::status.eq(LeadStatus::New.as_str()),
            leads::owner_id.eq(view.owner_id.map(|o| o.to_string())),
            leads::team_id.eq(view.team_id.map(|t| t.to_string())),
            leads::score.eq(view.score),
            leads::sort_name.eq(fields.sort_name()),
            leads::created_at.eq(at),
            leads::updated_at.eq(at),
            leads::version.eq(1i64),
        ))
        .execute(c)?;
    search::index(c, scope.org_id(), &RecordRef::new(ENTITY, id), &fields.search_text())?;
    if !view.tags.is_empty() {
        replace_tags(c, scope.org_id(), id, &view.tags)?;
    }
    custom_fields::write_values(c, scope.org_id(), &RecordRef::new(ENTITY, id), &view.custom)?;
    event(c, scope, id, LeadEventKind::Created, None, Some("import"), note)?;
    if let Some(owner) = view.owner_id {
        event(c, scope, id, LeadEventKind::OwnerChanged, None, Some(&owner.to_string()), None)?;
    }
    audit::record_created(c, scope, ENTITY, &id.to_string(), &view)?;
    // At the qualify threshold an imported lead is qualified (and its owner told) as when it is
    // created any other way; rescoring only those keeps a big import's rows cheap.
    if ctx.settings.qualify_threshold.is_some_and(|t| view.score >= t) {
        crate::leads::rescore(c, scope, id)?;
    }
    Ok(RowOutcome::Created(id))
}

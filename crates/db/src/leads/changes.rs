//! Changes: field updates through the status machine, bulk updates, activities and behaviours.

use super::*;

/// The status and owner part of a change, shared by single and bulk updates.
pub(super) struct Move {
    pub(super) status: Option<LeadStatus>,
    pub(super) revisit_on: Option<NaiveDate>,
    pub(super) disqualify_reason: Option<String>,
    pub(super) owner: Option<Option<UserId>>,
}

pub(super) fn apply_move(c: &mut DbConnection, scope: &Scope, lead: &LeadView, m: &Move) -> Result<()> {
    let today = crate::core::util::now_utc().date_naive();
    let id = lead.id.to_string();
    if let Some(to) = m.status {
        if to != lead.status {
            kith_domain::leads::check_transition(lead.status, to, m.revisit_on, m.disqualify_reason.as_deref(), today)
                .map_err(|e| Error::Validation(vec![e]))?;
            let revisit = if matches!(to, LeadStatus::Nurture | LeadStatus::NotReady) { m.revisit_on } else { None };
            let reason = if to == LeadStatus::Disqualified {
                m.disqualify_reason.clone().map(|r| r.trim().to_owned())
            } else {
                None
            };
            diesel::update(leads::table.filter(leads::id.eq(&id)))
                .set((
                    leads::status.eq(to.as_str()),
                    leads::revisit_on.eq(revisit),
                    leads::disqualify_reason.eq(reason.clone()),
                    leads::updated_at.eq(now()),
                ))
                .execute(c)?;
            event(
                c,
                scope,
                lead.id,
                LeadEventKind::StatusChanged,
                Some(lead.status.as_str()),
                Some(to.as_str()),
                reason.as_deref(),
            )?;
        } else if m.revisit_on.is_some() && matches!(to, LeadStatus::Nurture | LeadStatus::NotReady) {
            diesel::update(leads::table.filter(leads::id.eq(&id)))
                .set(leads::revisit_on.eq(m.revisit_on))
                .execute(c)?;
        }
    }
    if let Some(owner) = m.owner {
        if owner != lead.owner_id {
            if let Some(o) = owner {
                check_owner(c, scope, o, "owner_id")?;
            }
            let team = match owner {
                Some(o) => team_of(c, scope.org_id(), o)?,
                None => None,
            };
            diesel::update(leads::table.filter(leads::id.eq(&id)))
                .set((
                    leads::owner_id.eq(owner.map(|o| o.to_string())),
                    leads::team_id.eq(team.map(|t| t.to_string())),
                    leads::updated_at.eq(now()),
                ))
                .execute(c)?;
            let from = lead.owner_id.map(|o| o.to_string());
            let to = owner.map(|o| o.to_string());
            event(c, scope, lead.id, LeadEventKind::OwnerChanged, from.as_deref(), to.as_deref(), None)?;
            if let Some(o) = owner {
                tell_new_owner(c, scope, lead, o)?;
            }
        }
    }
    Ok(())
}

/// Change a lead (If-Match `version`): fields, status through the status machine, owner, tags.
pub fn update(conn: &mut DbConnection, scope: &Scope, id: LeadId, version: i64, patch: &LeadPatch) -> Result<LeadView> {
    transaction(conn, |c| {
        let before = writable(c, scope, id)?;
        if before.version != version {
            return Err(Error::Stale(version));
        }
        if before.status == LeadStatus::Converted {
            return Err(Error::field(
                "status",
                "converted",
                "A converted lead lives on as a customer; it cannot be changed.",
            ));
        }
        let mut f = fields_of_view(&before);
        if let Some(v) = &patch.first_name {
            f.first_name = clean(v);
        }
        if let Some(v) = &patch.last_name {
            f.last_name = clean(v);
        }
        if let Some(v) = &patch.title {
            f.title = clean(v);
        }
        if let Some(v) = &patch.email {
            f.email = clean_opt(v.as_deref()).map(|e| normalize_email(&e));
        }
        if let Some(v) = &patch.phone {
            f.phone = clean_opt(v.as_deref());
        }
        if let Some(v) = &patch.company_name {
            f.company_name = clean(v);
        }
        if let Some(v) = &patch.company_website {
            f.company_website = clean_opt(v.as_deref());
        }
        if let Some(v) = patch.company_size {
            f.company_size = v;
        }
        if let Some(v) = &patch.industry {
            f.industry = clean_opt(v.as_deref());
        }
        if let Some(v) = &patch.country {
            f.country = clean_opt(v.as_deref()).map(|c| c.to_uppercase());
        }
        let mut errors = f.check();
        if let Some(email) = &f.email {
            if !validator::ValidateEmail::validate_email(email) {
                errors.push(FieldError::new("email", "email", "Enter a valid email address."));
            }
        }
        // Checked when the patch sets it, so a lead stored before codes were checked stays editable.
        if let (Some(_), Some(country)) = (&patch.country, &f.country) {
            if let Err(e) = kith_domain::leads::valid_country(country) {
                errors.push(FieldError::new("country", "country", e.message.unwrap_or_default()));
            }
        }
        let mut custom = BTreeMap::new();
        if !patch.custom.is_empty() {
            let defs = custom_fields::defs(c, scope.org_id(), ENTITY)?;
            match kith_domain::core::custom_fields::validate_values(&defs, &patch.custom, false) {
                Ok(values) => custom = values,
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        write_fields(c, scope, id, &f, Some(version))?;
        custom_fields::write_values(c, scope.org_id(), &RecordRef::new(ENTITY, id), &custom)?;
        apply_move(
            c,
            scope,
            &before,
            &Move {
                status: patch.status,
                revisit_on: patch.revisit_on,
                disqualify_reason: patch.disqualify_reason.clone(),
                owner: patch.owner_id,
            },
        )?;
        if let Some(tags) = &patch.tags {
            replace_tags(c, scope.org_id(), id, tags)?;
        }
        rescore(c, scope, id)?;
        let after = find(c, scope.org_id(), id, false)?;
        audit::record_updated(c, scope, ENTITY, &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

/// Apply one change to many leads. Each lead changes completely or not at all; refusals are listed.
pub fn bulk_update(conn: &mut DbConnection, scope: &Scope, bulk: &BulkLeadUpdate) -> Result<BulkResult> {
    scope.require(Module::Leads, Action::Write)?;
    if bulk.ids.len() > BULK_MAX {
        return Err(Error::field("ids", "length", "At most 500 leads at once."));
    }
    if bulk.apply_assignment_rules && bulk.owner_id.is_some() {
        return Err(Error::field(
            "apply_assignment_rules",
            "conflict",
            "Choose an owner or the assignment rules, not both.",
        ));
    }
    transaction(conn, |c| {
        let mut updated = Vec::new();
        let mut failed = Vec::new();
        let (mut rules, mut people) = if bulk.apply_assignment_rules {
            (rules::assignment_rules(c, scope.org_id())?, candidates(c, scope.org_id())?)
        } else {
            (Vec::new(), Vec::new())
        };
        for &id in &bulk.ids {
            // A savepoint per lead: a refusal undoes that lead's partial change only.
            let one = c.transaction(|c| -> Result<()> {
                let before = writable(c, scope, id)?;
                if before.status == LeadStatus::Converted {
                    return Err(Error::field("status", "converted", "Converted leads cannot be changed."));
                }
                let owner = if bulk.apply_assignment_rules {
                    let Some((rule, user)) = domain_rules::choose_owner(&rules, &before, &people) else {
                        return Err(Error::field(
                            "apply_assignment_rules",
                            "no_rule",
                            "No assignment rule applies to this lead.",
                        ));
                    };
                    rules::set_last_assigned(c, rule, user)?;
                    if let Some(r) = rules.iter_mut().find(|r| r.id == rule) {
                        r.last_assigned = Some(user);
                    }
                    if let Some(p) = people.iter_mut().find(|p| p.user_id == user) {
                        p.open_leads += 1;
                    }
                    Some(Some(user))
                } else {
                    bulk.owner_id
                };
                apply_move(
                    c,
                    scope,
                    &before,
                    &Move {
                        status: bulk.status,
                        revisit_on: bulk.revisit_on,
                        disqualify_reason: bulk.disqualify_reason.clone(),
                        owner,
                    },
                )?;
                if !bulk.add_tags.is_empty() || !bulk.remove_tags.is_empty() {
                    let remove = normalize_tags(&bulk.remove_tags);
                    let mut tags: Vec<String> = before.tags.iter().filter(|t| !remove.contains(t)).cloned().collect();
                    tags.extend(bulk.add_tags.iter().cloned());
                    replace_tags(c, scope.org_id(), id, &tags)?;
                }
                diesel::update(leads::table.filter(leads::id.eq(id.to_string())))
                    .set((leads::version.eq(leads::version + 1), leads::updated_at.eq(now())))
                    .execute(c)?;
                rescore(c, scope, id)?;
                let after = find(c, scope.org_id(), id, false)?;
                audit::record_updated(c, scope, ENTITY, &id.to_string(), &before, &after)
            });
            match one {
                Ok(()) => updated.push(id),
                Err(Error::Validation(errors)) => failed.push(BulkFailure { id, errors }),
                Err(Error::NotFound) => {
                    failed.push(BulkFailure { id, errors: vec![FieldError::new("id", "not_found", "No such lead.")] })
                }
                Err(Error::Forbidden(m)) => {
                    failed.push(BulkFailure { id, errors: vec![FieldError::new("id", "forbidden", m)] })
                }
                Err(e) => return Err(e),
            }
        }
        Ok(BulkResult { updated, failed })
    })
}

/// Record something the lead did and rescore.
pub fn add_activity(
    conn: &mut DbConnection,
    scope: &Scope,
    id: LeadId,
    activity: &NewLeadActivity,
) -> Result<LeadDetail> {
    let at = activity.occurred_at.map(crate::core::util::from_utc).unwrap_or_else(now);
    if at > now() + chrono::Duration::days(1) {
        return Err(Error::field("occurred_at", "future", "That is more than a day in the future."));
    }
    transaction(conn, |c| {
        let lead = writable(c, scope, id)?;
        let kind = LeadEventKind::parse(activity.behaviour.as_str())
            .ok_or_else(|| Error::Internal("behaviour without event kind".into()))?;
        event_at(c, scope, lead.id, kind, None, None, activity.note.as_deref(), at)?;
        let score = rescore(c, scope, id)?;
        Ok(LeadDetail { lead: find(c, scope.org_id(), id, false)?, score })
    })
}

/// A behaviour the system observed (an email opened or clicked), inside the caller's transaction: kept on
/// the timeline and scored. NotFound when the lead is gone (deleted leads do not collect behaviour).
pub(crate) fn record_behaviour(
    conn: &mut DbConnection,
    scope: &Scope,
    id: LeadId,
    kind: LeadEventKind,
    note: &str,
    at: NaiveDateTime,
) -> Result<()> {
    let lead = writable(conn, scope, id)?;
    event_at(conn, scope, lead.id, kind, None, None, Some(note), at)?;
    rescore(conn, scope, id)?;
    Ok(())
}

//! Capture from any channel: normalize, match a duplicate under the organization's rule, then create a
//! lead (scored and assigned) or attach the submission to the one found, in one transaction.

use super::*;

/// The outcome of capturing a lead: a new record, or an existing one it was attached to.
#[derive(Debug)]
pub enum Captured {
    New(LeadView),
    Attached(LeadView),
}

impl Captured {
    pub fn lead(&self) -> &LeadView {
        match self {
            Captured::New(l) | Captured::Attached(l) => l,
        }
    }
}

/// How a capture is recorded on the timeline (a form submission, an email, an API call…).
pub struct Capture<'a> {
    pub source: LeadSource,
    pub event: LeadEventKind,
    pub note: Option<&'a str>,
}

/// What the duplicate rule found for a capture, as the caller may know it.
pub(super) enum Match {
    None,
    /// An existing lead the caller may change: the capture attaches to it.
    Writable(LeadView),
    /// Only leads outside the caller's record scope match. The caller learns nothing of them and
    /// they are not changed: the capture becomes a lead of its own, and the owner is told.
    Hidden(LeadView),
}

/// Leads matched per capture, at most: an email or phone is shared by a handful of leads at most.
pub(super) const MATCH_MAX: i64 = 20;

/// The lead a capture is a duplicate of under the rule, preferring one the caller may change.
pub(super) fn find_duplicate(
    conn: &mut DbConnection,
    scope: &Scope,
    fields: &Fields,
    rule: DuplicateRule,
) -> Result<Match> {
    let email = fields.email_normalized();
    let phone = fields.phone_e164();
    let mut q = leads::table
        .filter(leads::org_id.eq(scope.org_id().to_string()))
        .filter(leads::deleted_at.is_null())
        .select(LeadRow::as_select())
        // No ORDER BY: it would tempt the planner to walk the (org, id) index instead of the email
        // and phone indexes, turning every lookup into a scan of the organization's leads.
        .limit(MATCH_MAX)
        .into_boxed();
    q = match (rule, email, phone) {
        (DuplicateRule::Off, _, _) | (_, None, None) => return Ok(Match::None),
        (DuplicateRule::Email, None, _) => return Ok(Match::None),
        (DuplicateRule::Email, Some(e), _) | (DuplicateRule::EmailOrPhone, Some(e), None) => {
            q.filter(leads::email_normalized.eq(e))
        }
        (DuplicateRule::EmailOrPhone, None, Some(p)) => q.filter(leads::phone_e164.eq(p)),
        (DuplicateRule::EmailOrPhone, Some(e), Some(p)) => {
            q.filter(leads::email_normalized.eq(e).or(leads::phone_e164.eq(p)))
        }
    };
    let rows: Vec<LeadRow> = q.load(conn)?;
    let may_change = |row: &LeadRow| -> Result<bool> {
        let record = RecordOwnership {
            owner_id: row.owner_id.as_deref().map(parse_id).transpose()?,
            team_id: row.team_id.as_deref().map(parse_id).transpose()?,
        };
        Ok(scope.require_record(Module::Leads, Action::Write, record).is_ok())
    };
    let mut hidden = None;
    for row in rows {
        if may_change(&row)? {
            return Ok(views(conn, vec![row])?.pop().map_or(Match::None, Match::Writable));
        }
        hidden.get_or_insert(row);
    }
    Ok(match hidden {
        Some(row) => views(conn, vec![row])?.pop().map_or(Match::None, Match::Hidden),
        None => Match::None,
    })
}

/// Tell the owner of a lead that someone who may not see it captured a possible duplicate of it.
pub(super) fn tell_owner_of_hidden_match(
    c: &mut DbConnection,
    scope: &Scope,
    hidden: &LeadView,
    new: &LeadView,
) -> Result<()> {
    let Some(owner) = hidden.owner_id else {
        return Ok(()); // unassigned: it shows in the duplicates list of whoever may see both
    };
    notify(
        c,
        scope,
        owner,
        &Notice {
            kind: "lead_possible_duplicate",
            title: format!("Possible duplicate of your lead {}", hidden.display_name()),
            body: format!(
                "A colleague who cannot see {} captured {} with the same email or phone. \
                 Both leads are listed under Leads → Duplicates for whoever may see both.",
                hidden.display_name(),
                new.display_name()
            ),
            entity: Some((ENTITY, hidden.id.to_string())),
            email: false,
            link: None,
        },
    )
}

/// What is wrong with a lead's custom values by the organization's definitions (nothing is
/// written): lets a refusal for other fields name these too, so the form shows every error at once.
pub fn custom_value_problems(
    conn: &mut DbConnection,
    scope: &Scope,
    values: &BTreeMap<String, serde_json::Value>,
    check_required: bool,
) -> Result<Vec<FieldError>> {
    scope.require(Module::Leads, Action::Read)?;
    if values.is_empty() && !check_required {
        return Ok(Vec::new());
    }
    let defs = custom_fields::defs(conn, scope.org_id(), ENTITY)?;
    Ok(kith_domain::core::custom_fields::validate_values(&defs, values, check_required).err().unwrap_or_default())
}

/// Create a lead, or attach the capture to the existing lead the duplicate rule finds.
pub fn capture(conn: &mut DbConnection, scope: &Scope, new: &NewLead, how: &Capture<'_>) -> Result<Captured> {
    scope.require(Module::Leads, Action::Write)?;
    let fields = fields_of_new(new);
    let mut errors = fields.check();
    if let Some(e) = new.check_identifiable() {
        errors.push(e);
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let leads_scope = scope.permissions().get(Module::Leads).scope;
    transaction(conn, |c| {
        if let Some(owner) = new.owner_id {
            check_owner(c, scope, owner, "owner_id")?;
            if leads_scope != RecordScope::All && Some(owner) != scope.acting_user().map(|a| a.user_id) {
                return Err(Error::Forbidden("your role only lets you create leads you own".into()));
            }
        }
        let settings = rules::settings(c, scope.org_id())?;
        let (existing, hidden) = match find_duplicate(c, scope, &fields, settings.duplicate_rule)? {
            Match::None => (None, None),
            Match::Writable(lead) => (Some(lead), None),
            Match::Hidden(lead) => (None, Some(lead)),
        };
        // Required custom fields bind people and API keys creating a lead; other channels (forms,
        // email, call lists) capture what they get.
        let check_required = existing.is_none() && matches!(how.source, LeadSource::Manual | LeadSource::Api);
        let custom = if new.custom.is_empty() && !check_required {
            BTreeMap::new()
        } else {
            let defs = custom_fields::defs(c, scope.org_id(), ENTITY)?;
            kith_domain::core::custom_fields::validate_values(&defs, &new.custom, check_required)
                .map_err(Error::Validation)?
        };
        if let Some(existing) = existing {
            // A concurrent delete or merge can take the match away between finding it and attaching
            // (PostgreSQL reads committed rows): then the capture is a lead of its own, and what the
            // attach wrote rolls back to its savepoint.
            match c.transaction(|c| attach(c, scope, existing, &fields, new, &custom, how)) {
                Err(Error::NotFound) => {}
                other => return other.map(Captured::Attached),
            }
        }
        let lead = create_new(c, scope, &fields, new, &custom, how, &settings)?;
        if let Some(hidden) = hidden {
            tell_owner_of_hidden_match(c, scope, &hidden, &lead)?;
        }
        Ok(Captured::New(lead))
    })
}

pub(super) fn create_new(
    c: &mut DbConnection,
    scope: &Scope,
    fields: &Fields,
    new: &NewLead,
    custom: &BTreeMap<String, serde_json::Value>,
    how: &Capture<'_>,
    settings: &LeadSettings,
) -> Result<LeadView> {
    let leads_scope = scope.permissions().get(Module::Leads).scope;
    let id = LeadId(new_id());
    let at = now();
    let source = new.source.unwrap_or(how.source);
    let detail = new.source_detail.clone().unwrap_or_default();
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
            leads::phone_e164.eq(fields.phone_e164()),
            leads::company_name.eq(&fields.company_name),
            leads::company_domain.eq(fields.company_domain()),
            leads::company_size.eq(fields.company_size),
            leads::industry.eq(&fields.industry),
            leads::country.eq(&fields.country),
            leads::source.eq(source.as_str()),
            leads::source_detail.eq(serde_json::to_string(&detail).unwrap_or_else(|_| "{}".into())),
            leads::status.eq(LeadStatus::New.as_str()),
            leads::score.eq(0),
            leads::sort_name.eq(fields.sort_name()),
            leads::created_at.eq(at),
            leads::updated_at.eq(at),
            leads::version.eq(1i64),
        ))
        .execute(c)?;
    search::index(c, scope.org_id(), &RecordRef::new(ENTITY, id), &fields.search_text())?;
    replace_tags(c, scope.org_id(), id, &new.tags)?;
    custom_fields::write_values(c, scope.org_id(), &RecordRef::new(ENTITY, id), custom)?;
    event(c, scope, id, LeadEventKind::Created, None, Some(source.as_str()), how.note)?;
    if how.event != LeadEventKind::Created {
        event(c, scope, id, how.event, None, None, how.note)?;
    }

    // Owner: as asked; else the creating rep (whose role only sees own/team leads); else the rules.
    let lead = find(c, scope.org_id(), id, false)?;
    let owner = match new.owner_id {
        Some(o) => Some(o),
        // A person or key limited to own/team records owns what they capture (an API key: its creator).
        None if leads_scope != RecordScope::All => scope.acting_user().map(|a| a.user_id),
        None => {
            let rules = rules::assignment_rules(c, scope.org_id())?;
            // Counting everyone's open leads is only worth it when a rule may use the counts.
            let people = if rules.iter().any(|r| r.active) { candidates(c, scope.org_id())? } else { Vec::new() };
            match domain_rules::choose_owner(&rules, &lead, &people) {
                Some((rule, user)) => {
                    rules::set_last_assigned(c, rule, user)?;
                    Some(user)
                }
                // No rule takes it: the fallback owner, else it stays unassigned and managers hear of it.
                None => {
                    let fallback = fallback_owner(c, scope, settings)?;
                    if fallback.is_none() {
                        // The managers hear of it in the window's digest (one notice for a burst).
                        super::unassigned::note(c, scope.org_id())?;
                    }
                    fallback
                }
            }
        }
    };
    if let Some(owner) = owner {
        let team = team_of(c, scope.org_id(), owner)?;
        diesel::update(leads::table.filter(leads::id.eq(id.to_string())))
            .set((leads::owner_id.eq(owner.to_string()), leads::team_id.eq(team.map(|t| t.to_string()))))
            .execute(c)?;
        event(c, scope, id, LeadEventKind::OwnerChanged, None, Some(&owner.to_string()), None)?;
        tell_new_owner(c, scope, &lead, owner)?;
    }
    rescore(c, scope, id)?;
    let lead = find(c, scope.org_id(), id, false)?;
    crate::marketing::sequences::auto_enroll(c, scope.org_id(), &lead)?;
    audit::record_created(c, scope, ENTITY, &id.to_string(), &lead)?;
    Ok(lead)
}

/// Attach a capture to an existing lead: fill fields it lacks, add tags, note it on the timeline.
pub(super) fn attach(
    c: &mut DbConnection,
    scope: &Scope,
    existing: LeadView,
    fields: &Fields,
    new: &NewLead,
    custom: &BTreeMap<String, serde_json::Value>,
    how: &Capture<'_>,
) -> Result<LeadView> {
    let mut merged = fields_of_view(&existing);
    let fill = |target: &mut String, value: &String| {
        if target.trim().is_empty() {
            target.clone_from(value);
        }
    };
    fill(&mut merged.first_name, &fields.first_name);
    fill(&mut merged.last_name, &fields.last_name);
    fill(&mut merged.title, &fields.title);
    fill(&mut merged.company_name, &fields.company_name);
    merged.email = merged.email.or_else(|| fields.email.clone());
    merged.phone = merged.phone.or_else(|| fields.phone.clone());
    merged.company_website = merged.company_website.or_else(|| fields.company_website.clone());
    merged.company_size = merged.company_size.or(fields.company_size);
    merged.industry = merged.industry.or_else(|| fields.industry.clone());
    merged.country = merged.country.or_else(|| fields.country.clone());
    write_fields(c, scope, existing.id, &merged, None)?;
    if !new.tags.is_empty() {
        let mut tags = existing.tags.clone();
        tags.extend(new.tags.iter().cloned());
        replace_tags(c, scope.org_id(), existing.id, &tags)?;
    }
    // Like the fields above: custom values fill what the lead lacks.
    let missing: BTreeMap<String, serde_json::Value> = custom
        .iter()
        .filter(|(k, v)| !v.is_null() && !existing.custom.contains_key(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    custom_fields::write_values(c, scope.org_id(), &RecordRef::new(ENTITY, existing.id), &missing)?;
    let note =
        format!("captured again via {}{}", how.source.as_str(), how.note.map(|n| format!(": {n}")).unwrap_or_default());
    event(c, scope, existing.id, how.event, None, None, Some(&note))?;
    rescore(c, scope, existing.id)?;
    let after = find(c, scope.org_id(), existing.id, false)?;
    audit::record_updated(c, scope, ENTITY, &existing.id.to_string(), &existing, &after)?;
    Ok(after)
}

/// Write the editable fields; with `version`, only if it is still current.
pub(super) fn write_fields(
    c: &mut DbConnection,
    scope: &Scope,
    id: LeadId,
    f: &Fields,
    version: Option<i64>,
) -> Result<()> {
    let mut q = diesel::update(leads::table)
        .filter(leads::org_id.eq(scope.org_id().to_string()))
        .filter(leads::id.eq(id.to_string()))
        .into_boxed();
    if let Some(v) = version {
        q = q.filter(leads::version.eq(v));
    }
    let n = q
        .set((
            leads::first_name.eq(&f.first_name),
            leads::last_name.eq(&f.last_name),
            leads::title.eq(&f.title),
            leads::email.eq(&f.email),
            leads::email_normalized.eq(f.email_normalized()),
            leads::phone.eq(&f.phone),
            leads::phone_e164.eq(f.phone_e164()),
            leads::company_name.eq(&f.company_name),
            leads::company_domain.eq(f.company_domain()),
            leads::company_size.eq(f.company_size),
            leads::industry.eq(&f.industry),
            leads::country.eq(&f.country),
            leads::sort_name.eq(f.sort_name()),
            leads::updated_at.eq(now()),
            leads::version.eq(leads::version + 1),
        ))
        .execute(c)?;
    if n == 0 {
        return Err(version.map_or(Error::NotFound, Error::Stale));
    }
    search::index(c, scope.org_id(), &RecordRef::new(ENTITY, id), &f.search_text())
}

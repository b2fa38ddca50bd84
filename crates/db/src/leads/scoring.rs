//! Scoring and assignment: the behaviour history a score is computed from, rescoring (also when decay
//! steps pass), the owner candidates, timeline events and tags.

use super::*;

pub(super) fn behaviours(conn: &mut DbConnection, lead_id: &str) -> Result<Vec<BehaviourRecord>> {
    let kinds: Vec<&str> = Behaviour::ALL.iter().map(|b| b.as_str()).collect();
    let rows = timeline::kinds_of(conn, &RecordRef::new(ENTITY, lead_id), &kinds)?;
    Ok(rows
        .into_iter()
        .filter_map(|(k, at)| {
            Behaviour::parse(&k).map(|behaviour| BehaviourRecord { behaviour, occurred_at: to_utc(at) })
        })
        .collect())
}

/// A lead's score now, and the instant it next changes by decay alone.
pub(super) fn breakdown(
    conn: &mut DbConnection,
    org_id: OrgId,
    lead: &LeadView,
) -> Result<(ScoreBreakdown, Option<NaiveDateTime>)> {
    let rules = rules::scoring_rules(conn, org_id)?;
    let done = behaviours(conn, &lead.id.to_string())?;
    let at = crate::core::util::now_utc();
    Ok((domain_rules::score(lead, &done, &rules, at), domain_rules::next_change(&done, &rules, at).map(from_utc)))
}

/// Recompute a lead's score and when it next decays; at the qualify threshold an open lead becomes
/// qualified and its owner is told. Returns the new breakdown.
pub(crate) fn rescore(conn: &mut DbConnection, scope: &Scope, id: LeadId) -> Result<ScoreBreakdown> {
    let lead = find(conn, scope.org_id(), id, false)?;
    let (score, due) = breakdown(conn, scope.org_id(), &lead)?;
    diesel::update(leads::table.filter(leads::id.eq(id.to_string())))
        .set((leads::score.eq(score.total), leads::score_due_at.eq(due)))
        .execute(conn)?;
    let settings = rules::settings(conn, scope.org_id())?;
    let qualifies = settings.qualify_threshold.is_some_and(|t| score.total >= t)
        && matches!(
            lead.status,
            LeadStatus::New | LeadStatus::Contacted | LeadStatus::Working | LeadStatus::NotReady | LeadStatus::Nurture
        );
    if qualifies {
        diesel::update(leads::table.filter(leads::id.eq(id.to_string())))
            .set((
                leads::status.eq(LeadStatus::Qualified.as_str()),
                leads::revisit_on.eq(None::<NaiveDate>),
                leads::version.eq(leads::version + 1),
            ))
            .execute(conn)?;
        event(
            conn,
            scope,
            id,
            LeadEventKind::StatusChanged,
            Some(lead.status.as_str()),
            Some("qualified"),
            Some(&format!("score reached {}", score.total)),
        )?;
        if let Some(owner) = lead.owner_id {
            notify(
                conn,
                scope,
                owner,
                &Notice {
                    kind: "lead_qualified",
                    title: format!("{} is qualified", lead.display_name()),
                    body: format!("{} reached a score of {} and is now qualified.", lead.display_name(), score.total),
                    entity: Some((ENTITY, id.to_string())),
                    email: true,
                    link: Some(lead_path(&id.to_string())),
                },
            )?;
        }
    }
    Ok(score)
}

/// Leads at most this many are rescored by one `rescore_due` call.
pub const RESCORE_BATCH: i64 = 500;

/// Rescore the leads whose score is due — a decay step passed, or a scoring rule changed — up to
/// `RESCORE_BATCH`, as the system; returns how many were rescored. Any number of workers may run it
/// at once: each lead is claimed by a conditional update in its own transaction, so its rescore and
/// what the threshold does happen once.
pub fn rescore_due(conn: &mut DbConnection) -> Result<usize> {
    rescore_due_in(conn, None, RESCORE_BATCH)
}

/// Leads at most this many are rescored before a list is read. Decay steps fall at their leads' own
/// instants, so a read rarely finds more than a few due; after a scoring rule changes every lead is
/// due at once, and a read must not rescore thousands: past this the worker's batches catch up.
pub const CATCH_UP_BATCH: i64 = 100;

/// [`rescore_due`] for one organization's leads, run before its lead list is read: a decay step that
/// passed a moment ago is in the stored score the list sorts, filters and shows, whether or not the
/// worker has polled since. Costs one indexed read when nothing is due.
pub(crate) fn catch_up(conn: &mut DbConnection, org_id: OrgId) -> Result<usize> {
    rescore_due_in(conn, Some(org_id), CATCH_UP_BATCH)
}

fn rescore_due_in(conn: &mut DbConnection, org_id: Option<OrgId>, batch: i64) -> Result<usize> {
    let at = now();
    let mut query = leads::table
        .filter(leads::score_due_at.le(at))
        .filter(leads::deleted_at.is_null())
        .order(leads::score_due_at.asc())
        .select((leads::id, leads::org_id))
        .limit(batch)
        .into_boxed();
    if let Some(org) = org_id {
        query = query.filter(leads::org_id.eq(org.to_string()));
    }
    let due: Vec<(String, String)> = query.load(conn)?;
    let mut rescored = 0;
    for (id, org) in due {
        rescored += usize::from(rescore_claimed(conn, parse_id(&org)?, parse_id(&id)?, at)?.is_some());
    }
    Ok(rescored)
}

/// Claim a lead whose score is due at `at` and rescore it as the system, in one transaction; the
/// new breakdown, or `None` when it was not due (or another worker or reader claimed it first).
fn rescore_claimed(
    conn: &mut DbConnection,
    org_id: OrgId,
    id: LeadId,
    at: NaiveDateTime,
) -> Result<Option<ScoreBreakdown>> {
    let scope = Scope::system(org_id, crate::core::scope::SystemTask::Leads);
    transaction(conn, |c| {
        let claimed =
            diesel::update(leads::table.filter(leads::id.eq(id.to_string())).filter(leads::score_due_at.le(at)))
                .set(leads::score_due_at.eq(None::<NaiveDateTime>))
                .execute(c)?;
        if claimed == 1 {
            rescore(c, &scope, id).map(Some)
        } else {
            Ok(None)
        }
    })
}

/// A lead's breakdown now, equal to its stored score: when a decay step passed (or a rule changed)
/// and the worker has not rescored it yet, it is rescored first, so the page never shows a total the
/// list, the filters and the threshold do not see. Until its `score_due_at` the stored score is the
/// breakdown's total by construction (`next_change` is the first instant the breakdown differs).
/// Returns the breakdown and whether the lead was rescored (then read it again: the threshold may
/// have changed its status).
pub(super) fn current_breakdown(
    conn: &mut DbConnection,
    org_id: OrgId,
    lead: &LeadView,
) -> Result<(ScoreBreakdown, bool)> {
    let at = now();
    let due: Option<NaiveDateTime> =
        leads::table.filter(leads::id.eq(lead.id.to_string())).select(leads::score_due_at).first(conn)?;
    if due.is_some_and(|d| d <= at) {
        if let Some(score) = rescore_claimed(conn, org_id, lead.id, at)? {
            return Ok((score, true));
        }
    }
    Ok((breakdown(conn, org_id, lead)?.0, false))
}

/// After a scoring rule changed: every lead of the organization is rescored by the worker.
pub(crate) fn rescore_all_later(c: &mut DbConnection, org_id: OrgId) -> Result<()> {
    diesel::update(leads::table.filter(leads::org_id.eq(org_id.to_string())).filter(leads::deleted_at.is_null()))
        .set(leads::score_due_at.eq(Some(now())))
        .execute(c)?;
    Ok(())
}

/// Active users of the organization with their open-lead counts (two queries, for any number of users).
pub(super) fn candidates(conn: &mut DbConnection, org_id: OrgId) -> Result<Vec<Candidate>> {
    let people: Vec<(String, Option<String>, String, String)> = users::table
        .inner_join(roles::table)
        .filter(users::org_id.eq(org_id.to_string()))
        .select((users::id, users::team_id, users::status, roles::permissions))
        .load(conn)?;
    let open: Vec<&str> = LeadStatus::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str()).collect();
    let loads: Vec<(Option<String>, i64)> = leads::table
        .filter(leads::org_id.eq(org_id.to_string()))
        .filter(leads::deleted_at.is_null())
        .filter(leads::status.eq_any(open))
        .filter(leads::owner_id.is_not_null())
        .group_by(leads::owner_id)
        .select((leads::owner_id, diesel::dsl::count_star()))
        .load(conn)?;
    let loads: HashMap<String, i64> = loads.into_iter().filter_map(|(o, n)| o.map(|o| (o, n))).collect();
    people
        .into_iter()
        .map(|(id, team, status, permissions)| {
            Ok(Candidate {
                open_leads: loads.get(&id).copied().unwrap_or(0).max(0) as u32,
                user_id: parse_id(&id)?,
                team_id: team.as_deref().map(parse_id).transpose()?,
                // A rule never hands a lead to someone whose role cannot work with leads.
                active: status == "active" && may_own_leads(&permissions),
            })
        })
        .collect()
}

pub(super) fn team_of(conn: &mut DbConnection, org_id: OrgId, user: UserId) -> Result<Option<TeamId>> {
    let team: Option<Option<String>> = users::table
        .filter(users::org_id.eq(org_id.to_string()))
        .filter(users::id.eq(user.to_string()))
        .select(users::team_id)
        .first(conn)
        .optional()?;
    team.flatten().as_deref().map(parse_id).transpose()
}

/// An owner named in a request must be an active user of the organization whose role may read leads
/// (an owner who cannot open the lead would only get notifications naming it).
pub(crate) fn check_owner(conn: &mut DbConnection, scope: &Scope, owner: UserId, field: &str) -> Result<()> {
    let found: Option<(String, String)> = users::table
        .inner_join(roles::table)
        .filter(users::org_id.eq(scope.org_id().to_string()))
        .filter(users::id.eq(owner.to_string()))
        .select((users::status, roles::permissions))
        .first(conn)
        .optional()?;
    match found {
        Some((status, _)) if status != "active" => Err(Error::field(field, "inactive", "This user is disabled.")),
        Some((_, permissions)) if !may_own_leads(&permissions) => {
            Err(Error::field(field, "cannot_own", "This user's role cannot work with leads."))
        }
        Some(_) => Ok(()),
        None => Err(Error::field(field, "unknown", "No such user in this organization.")),
    }
}

/// The organization's fallback owner (who gets leads no assignment rule takes), when one is set and may
/// still own leads (a fallback owner disabled since, or moved to a role without leads, is no owner).
pub(crate) fn fallback_owner(
    conn: &mut DbConnection,
    scope: &Scope,
    settings: &LeadSettings,
) -> Result<Option<UserId>> {
    let Some(owner) = settings.fallback_owner_id else { return Ok(None) };
    match check_owner(conn, scope, owner, "fallback_owner_id") {
        Ok(()) => Ok(Some(owner)),
        Err(Error::Validation(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Everyone who may change every lead (the lead managers: admins and sales managers by default),
/// active, but not the person acting.
pub(super) fn lead_managers(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<UserId>> {
    let people: Vec<(String, String)> = users::table
        .inner_join(roles::table)
        .filter(users::org_id.eq(scope.org_id().to_string()))
        .filter(users::status.eq("active"))
        .select((users::id, roles::permissions))
        .load(conn)?;
    let me = scope.user_id();
    Ok(people
        .into_iter()
        .filter(|(_, permissions)| {
            serde_json::from_str::<kith_domain::core::permissions::Permissions>(permissions)
                .is_ok_and(|p| p.allows(Module::Leads, Action::Write) && p.get(Module::Leads).scope == RecordScope::All)
        })
        .filter_map(|(id, _)| parse_id(&id).ok())
        .filter(|id| Some(*id) != me)
        .collect())
}

/// No rule took a lead and there is no fallback owner: the lead managers are told, so it does not sit
/// unseen. `many` leads of one import are told in one notice.
pub(crate) fn tell_unassigned(
    conn: &mut DbConnection,
    scope: &Scope,
    lead: Option<&LeadView>,
    many: u32,
) -> Result<()> {
    let (title, body, entity) = match lead {
        Some(lead) => (
            format!("Unassigned lead: {}", lead.display_name()),
            format!(
                "No assignment rule takes {}{}. Give it an owner, or name a fallback owner in Settings → Lead settings.",
                lead.display_name(),
                if lead.company_name.is_empty() { String::new() } else { format!(" ({})", lead.company_name) }
            ),
            Some((ENTITY, lead.id.to_string())),
        ),
        None => (
            format!("{many} imported leads are unassigned"),
            format!(
                "No assignment rule takes {many} leads of an import. Find them with the list's \"Unassigned\" filter, \
                 or name a fallback owner in Settings → Lead settings."
            ),
            None,
        ),
    };
    for manager in lead_managers(conn, scope)? {
        let notice = Notice {
            kind: "lead_unassigned",
            title: title.clone(),
            body: body.clone(),
            entity: entity.clone(),
            email: false,
            link: None,
        };
        notify(conn, scope, manager, &notice)?;
    }
    Ok(())
}

/// May a user with these stored role grants own leads (read them at least)?
pub(crate) fn may_own_leads(permissions: &str) -> bool {
    serde_json::from_str::<kith_domain::core::permissions::Permissions>(permissions)
        .is_ok_and(|p| p.allows(Module::Leads, Action::Read))
}

pub(super) fn event(
    conn: &mut DbConnection,
    scope: &Scope,
    lead_id: LeadId,
    kind: LeadEventKind,
    from: Option<&str>,
    to: Option<&str>,
    note: Option<&str>,
) -> Result<()> {
    event_at(conn, scope, lead_id, kind, from, to, note, now())
}

#[allow(clippy::too_many_arguments)]
pub(super) fn event_at(
    conn: &mut DbConnection,
    scope: &Scope,
    lead_id: LeadId,
    kind: LeadEventKind,
    from: Option<&str>,
    to: Option<&str>,
    note: Option<&str>,
    at: NaiveDateTime,
) -> Result<()> {
    let record = RecordRef::new(ENTITY, lead_id);
    timeline::add(conn, scope, &record, &timeline::NewEvent { kind: kind.as_str(), from, to, note, at: Some(at) })
}

pub(super) fn tell_new_owner(conn: &mut DbConnection, scope: &Scope, lead: &LeadView, owner: UserId) -> Result<()> {
    if scope.user_id() == Some(owner) {
        return Ok(()); // you do not need telling about what you just did
    }
    notify(
        conn,
        scope,
        owner,
        &Notice {
            kind: "lead_assigned",
            title: format!("New lead for you: {}", lead.display_name()),
            body: format!(
                "{}{} was assigned to you.",
                lead.display_name(),
                if lead.company_name.is_empty() { String::new() } else { format!(" ({})", lead.company_name) }
            ),
            entity: Some((ENTITY, lead.id.to_string())),
            email: true,
            link: Some(lead_path(&lead.id.to_string())),
        },
    )
}

pub(super) fn replace_tags(conn: &mut DbConnection, org_id: OrgId, lead_id: LeadId, tags: &[String]) -> Result<()> {
    tags::replace(conn, org_id, &RecordRef::new(ENTITY, lead_id), &normalize_tags(tags))
}

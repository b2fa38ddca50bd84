//! Leads: capture from any channel (with duplicate matching, scoring and assignment in the same
//! transaction), reading with the caller's record scope, changes through the status machine, the
//! timeline, bulk updates, export, the recycle bin and revisits.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kith_domain::audit::AuditAction;
use kith_domain::leads::*;
use kith_domain::modules::Module;
use kith_domain::page::{clamp_limit, page_from_rows, parse_sort, Cursor, Direction, Page};
use kith_domain::permissions::{Action, RecordOwnership, RecordScope};
use kith_domain::rules::{self, Behaviour, BehaviourRecord, Candidate, ScoreBreakdown};
use kith_domain::validation::normalize_email;
use kith_domain::{FieldError, LeadId, OrgId, TeamId, UserId};

use crate::notifications::{notify, Notice};
use crate::schema::{fts_lead_rows, lead_custom_values, lead_events, lead_tags, leads, roles, users};
use crate::util::{from_utc, like_pattern, new_id, now, parse_id, to_utc, transaction};
use crate::{audit, custom_fields, lead_rules, recycle, DbConnection, Error, Result, Scope};

pub mod duplicates;
pub mod import;
pub mod merge;

pub const ENTITY: &str = "lead";
const BULK_MAX: usize = 500;

#[derive(Queryable, Selectable)]
#[diesel(table_name = leads)]
struct LeadRow {
    id: String,
    first_name: String,
    last_name: String,
    title: String,
    email: Option<String>,
    phone: Option<String>,
    phone_e164: Option<String>,
    company_name: String,
    company_domain: Option<String>,
    company_size: Option<i32>,
    industry: Option<String>,
    country: Option<String>,
    source: String,
    source_detail: String,
    status: String,
    disqualify_reason: Option<String>,
    revisit_on: Option<NaiveDate>,
    owner_id: Option<String>,
    team_id: Option<String>,
    score: i32,
    sort_name: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

impl LeadRow {
    fn into_view(self, tags: Vec<String>, custom: BTreeMap<String, serde_json::Value>) -> Result<LeadView> {
        Ok(LeadView {
            id: parse_id(&self.id)?,
            first_name: self.first_name,
            last_name: self.last_name,
            title: self.title,
            email: self.email,
            phone: self.phone,
            phone_e164: self.phone_e164,
            company_name: self.company_name,
            company_domain: self.company_domain,
            company_size: self.company_size,
            industry: self.industry,
            country: self.country,
            source: LeadSource::parse(&self.source)
                .ok_or_else(|| Error::Internal(format!("bad source {:?}", self.source)))?,
            source_detail: serde_json::from_str(&self.source_detail).unwrap_or_default(),
            status: LeadStatus::parse(&self.status)
                .ok_or_else(|| Error::Internal(format!("bad status {:?}", self.status)))?,
            disqualify_reason: self.disqualify_reason,
            revisit_on: self.revisit_on,
            owner_id: self.owner_id.as_deref().map(parse_id).transpose()?,
            team_id: self.team_id.as_deref().map(parse_id).transpose()?,
            score: self.score,
            tags,
            custom,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            version: self.version,
        })
    }
}

/// Tags of many leads in one query.
fn tags_of(conn: &mut DbConnection, ids: &[String]) -> Result<HashMap<String, Vec<String>>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let rows: Vec<(String, String)> = lead_tags::table
        .filter(lead_tags::lead_id.eq_any(ids))
        .order((lead_tags::lead_id, lead_tags::tag))
        .select((lead_tags::lead_id, lead_tags::tag))
        .load(conn)?;
    for (lead, tag) in rows {
        map.entry(lead).or_default().push(tag);
    }
    Ok(map)
}

fn views(conn: &mut DbConnection, rows: Vec<LeadRow>) -> Result<Vec<LeadView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut tags = tags_of(conn, &ids)?;
    let mut custom = custom_fields::values_of(conn, &ids)?;
    rows.into_iter()
        .map(|r| {
            let t = tags.remove(&r.id).unwrap_or_default();
            let v = custom.remove(&r.id).unwrap_or_default();
            r.into_view(t, v)
        })
        .collect()
}

fn find(conn: &mut DbConnection, org_id: OrgId, id: LeadId, deleted: bool) -> Result<LeadView> {
    let mut q = leads::table
        .filter(leads::org_id.eq(org_id.to_string()))
        .filter(leads::id.eq(id.to_string()))
        .select(LeadRow::as_select())
        .into_boxed();
    q = if deleted { q.filter(leads::deleted_at.is_not_null()) } else { q.filter(leads::deleted_at.is_null()) };
    let row = q.first(conn).optional()?.ok_or(Error::NotFound)?;
    views(conn, vec![row])?.pop().ok_or(Error::NotFound)
}

fn ownership(lead: &LeadView) -> RecordOwnership {
    RecordOwnership { owner_id: lead.owner_id, team_id: lead.team_id }
}

/// A lead the caller may read, or NotFound (never "forbidden": that would confirm it exists).
pub(crate) fn readable(conn: &mut DbConnection, scope: &Scope, id: LeadId) -> Result<LeadView> {
    scope.require(Module::Leads, Action::Read)?;
    let lead = find(conn, scope.org_id(), id, false)?;
    scope.require_record(Module::Leads, Action::Read, ownership(&lead)).map_err(|_| Error::NotFound)?;
    Ok(lead)
}

fn writable(conn: &mut DbConnection, scope: &Scope, id: LeadId) -> Result<LeadView> {
    let lead = readable(conn, scope, id)?;
    scope.require_record(Module::Leads, Action::Write, ownership(&lead))?;
    Ok(lead)
}

pub fn get(conn: &mut DbConnection, scope: &Scope, id: LeadId) -> Result<LeadDetail> {
    let mut lead = readable(conn, scope, id)?;
    let (score, _) = breakdown(conn, scope.org_id(), &lead)?;
    // The page shows the score of this instant; the stored one (lists, filters) catches up when the
    // worker next runs `rescore_due`, within a poll interval of a decay step.
    lead.score = score.total;
    Ok(LeadDetail { lead, score })
}

// ---- normalization ----

/// E.164 form of a phone number, reading national numbers with the lead's country.
pub fn normalize_phone(raw: &str, country: Option<&str>) -> Option<String> {
    let region = country.and_then(|c| c.to_uppercase().parse::<phonenumber::country::Id>().ok());
    let number = phonenumber::parse(region, raw.trim()).ok()?;
    phonenumber::is_valid(&number).then(|| number.format().mode(phonenumber::Mode::E164).to_string())
}

fn clean(s: &str) -> String {
    s.trim().to_owned()
}

fn clean_opt(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The values stored for a lead, normalized; shared by create, update and attach.
#[derive(Clone, Debug)]
struct Fields {
    first_name: String,
    last_name: String,
    title: String,
    email: Option<String>,
    phone: Option<String>,
    company_name: String,
    company_website: Option<String>,
    company_size: Option<i32>,
    industry: Option<String>,
    country: Option<String>,
}

impl Fields {
    fn email_normalized(&self) -> Option<String> {
        self.email.as_deref().map(normalize_email)
    }
    fn phone_e164(&self) -> Option<String> {
        self.phone.as_deref().and_then(|p| normalize_phone(p, self.country.as_deref()))
    }
    fn company_domain(&self) -> Option<String> {
        self.company_website
            .as_deref()
            .and_then(normalize_domain)
            .or_else(|| self.email.as_deref().and_then(company_domain_of_email))
    }
    fn sort_name(&self) -> String {
        let name = format!("{} {}", self.first_name, self.last_name).trim().to_lowercase();
        if !name.is_empty() {
            name
        } else {
            self.email.clone().unwrap_or_else(|| self.company_name.to_lowercase())
        }
    }
    fn search_text(&self) -> String {
        [
            self.first_name.as_str(),
            self.last_name.as_str(),
            self.email.as_deref().unwrap_or(""),
            self.company_name.as_str(),
            self.phone.as_deref().unwrap_or(""),
        ]
        .join(" ")
        .to_lowercase()
    }
    fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Some(w) = &self.company_website {
            if normalize_domain(w).is_none() {
                errors.push(FieldError::new("company_website", "invalid", "Give a website like acme.com."));
            }
        }
        errors
    }
}

fn fields_of_new(new: &NewLead) -> Fields {
    Fields {
        first_name: clean(&new.first_name),
        last_name: clean(&new.last_name),
        title: clean(&new.title),
        email: clean_opt(new.email.as_deref()).map(|e| normalize_email(&e)),
        phone: clean_opt(new.phone.as_deref()),
        company_name: clean(&new.company_name),
        company_website: clean_opt(new.company_website.as_deref()),
        company_size: new.company_size,
        industry: clean_opt(new.industry.as_deref()),
        country: clean_opt(new.country.as_deref()).map(|c| c.to_uppercase()),
    }
}

fn fields_of_view(v: &LeadView) -> Fields {
    Fields {
        first_name: v.first_name.clone(),
        last_name: v.last_name.clone(),
        title: v.title.clone(),
        email: v.email.clone(),
        phone: v.phone.clone(),
        company_name: v.company_name.clone(),
        company_website: v.company_domain.clone(),
        company_size: v.company_size,
        industry: v.industry.clone(),
        country: v.country.clone(),
    }
}

// ---- scoring and assignment ----

fn behaviours(conn: &mut DbConnection, lead_id: &str) -> Result<Vec<BehaviourRecord>> {
    let kinds: Vec<&str> = Behaviour::ALL.iter().map(|b| b.as_str()).collect();
    let rows: Vec<(String, NaiveDateTime)> = lead_events::table
        .filter(lead_events::lead_id.eq(lead_id))
        .filter(lead_events::kind.eq_any(kinds))
        .select((lead_events::kind, lead_events::occurred_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(k, at)| {
            Behaviour::parse(&k).map(|behaviour| BehaviourRecord { behaviour, occurred_at: to_utc(at) })
        })
        .collect())
}

/// A lead's score now, and the instant it next changes by decay alone.
fn breakdown(
    conn: &mut DbConnection,
    org_id: OrgId,
    lead: &LeadView,
) -> Result<(ScoreBreakdown, Option<NaiveDateTime>)> {
    let rules = lead_rules::scoring_rules(conn, org_id)?;
    let done = behaviours(conn, &lead.id.to_string())?;
    let at = crate::util::now_utc();
    Ok((rules::score(lead, &done, &rules, at), rules::next_change(&done, &rules, at).map(from_utc)))
}

/// Recompute a lead's score and when it next decays; at the qualify threshold an open lead becomes
/// qualified and its owner is told. Returns the new breakdown.
pub(crate) fn rescore(conn: &mut DbConnection, scope: &Scope, id: LeadId) -> Result<ScoreBreakdown> {
    let lead = find(conn, scope.org_id(), id, false)?;
    let (score, due) = breakdown(conn, scope.org_id(), &lead)?;
    diesel::update(leads::table.filter(leads::id.eq(id.to_string())))
        .set((leads::score.eq(score.total), leads::score_due_at.eq(due)))
        .execute(conn)?;
    let settings = lead_rules::settings(conn, scope.org_id())?;
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
    let at = now();
    let due: Vec<(String, String)> = leads::table
        .filter(leads::score_due_at.le(at))
        .filter(leads::deleted_at.is_null())
        .order(leads::score_due_at.asc())
        .select((leads::id, leads::org_id))
        .limit(RESCORE_BATCH)
        .load(conn)?;
    let mut rescored = 0;
    for (id, org) in due {
        let scope = Scope::system(parse_id(&org)?, crate::scope::SystemTask::Leads);
        let lead_id: LeadId = parse_id(&id)?;
        let claimed = transaction(conn, |c| {
            let claimed = diesel::update(leads::table.filter(leads::id.eq(&id)).filter(leads::score_due_at.le(at)))
                .set(leads::score_due_at.eq(None::<NaiveDateTime>))
                .execute(c)?;
            if claimed == 1 {
                rescore(c, &scope, lead_id)?;
            }
            Ok(claimed == 1)
        })?;
        rescored += usize::from(claimed);
    }
    Ok(rescored)
}

/// After a scoring rule changed: every lead of the organization is rescored by the worker.
pub(crate) fn rescore_all_later(c: &mut DbConnection, org_id: OrgId) -> Result<()> {
    diesel::update(leads::table.filter(leads::org_id.eq(org_id.to_string())).filter(leads::deleted_at.is_null()))
        .set(leads::score_due_at.eq(Some(now())))
        .execute(c)?;
    Ok(())
}

/// Active users of the organization with their open-lead counts (two queries, for any number of users).
fn candidates(conn: &mut DbConnection, org_id: OrgId) -> Result<Vec<Candidate>> {
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

fn team_of(conn: &mut DbConnection, org_id: OrgId, user: UserId) -> Result<Option<TeamId>> {
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

/// May a user with these stored role grants own leads (read them at least)?
pub(crate) fn may_own_leads(permissions: &str) -> bool {
    serde_json::from_str::<kith_domain::permissions::Permissions>(permissions)
        .is_ok_and(|p| p.allows(Module::Leads, Action::Read))
}

fn event(
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
fn event_at(
    conn: &mut DbConnection,
    scope: &Scope,
    lead_id: LeadId,
    kind: LeadEventKind,
    from: Option<&str>,
    to: Option<&str>,
    note: Option<&str>,
    at: NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(lead_events::table)
        .values((
            lead_events::id.eq(new_id().to_string()),
            lead_events::org_id.eq(scope.org_id().to_string()),
            lead_events::lead_id.eq(lead_id.to_string()),
            lead_events::occurred_at.eq(at),
            lead_events::kind.eq(kind.as_str()),
            lead_events::from_value.eq(from),
            lead_events::to_value.eq(to),
            lead_events::note.eq(note),
            lead_events::actor_kind.eq(scope.actor_kind().as_str()),
            lead_events::actor_id.eq(scope.actor_id()),
        ))
        .execute(conn)?;
    Ok(())
}

fn tell_new_owner(conn: &mut DbConnection, scope: &Scope, lead: &LeadView, owner: UserId) -> Result<()> {
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
        },
    )
}

fn replace_tags(conn: &mut DbConnection, org_id: OrgId, lead_id: LeadId, tags: &[String]) -> Result<()> {
    diesel::delete(lead_tags::table.filter(lead_tags::lead_id.eq(lead_id.to_string()))).execute(conn)?;
    for tag in normalize_tags(tags) {
        diesel::insert_into(lead_tags::table)
            .values((
                lead_tags::org_id.eq(org_id.to_string()),
                lead_tags::lead_id.eq(lead_id.to_string()),
                lead_tags::tag.eq(tag),
            ))
            .execute(conn)?;
    }
    Ok(())
}

// ---- capture ----

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
enum Match {
    None,
    /// An existing lead the caller may change: the capture attaches to it.
    Writable(LeadView),
    /// Only leads outside the caller's record scope match. The caller learns nothing of them and
    /// they are not changed: the capture becomes a lead of its own, and the owner is told.
    Hidden(LeadView),
}

/// Leads matched per capture, at most: an email or phone is shared by a handful of leads at most.
const MATCH_MAX: i64 = 20;

/// The lead a capture is a duplicate of under the rule, preferring one the caller may change.
fn find_duplicate(conn: &mut DbConnection, scope: &Scope, fields: &Fields, rule: DuplicateRule) -> Result<Match> {
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
fn tell_owner_of_hidden_match(c: &mut DbConnection, scope: &Scope, hidden: &LeadView, new: &LeadView) -> Result<()> {
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
        },
    )
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
        let settings = lead_rules::settings(c, scope.org_id())?;
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
            let defs = custom_fields::defs(c, scope.org_id())?;
            kith_domain::custom_fields::validate_values(&defs, &new.custom, check_required)
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
        let lead = create_new(c, scope, &fields, new, &custom, how, leads_scope)?;
        if let Some(hidden) = hidden {
            tell_owner_of_hidden_match(c, scope, &hidden, &lead)?;
        }
        Ok(Captured::New(lead))
    })
}

fn create_new(
    c: &mut DbConnection,
    scope: &Scope,
    fields: &Fields,
    new: &NewLead,
    custom: &BTreeMap<String, serde_json::Value>,
    how: &Capture<'_>,
    leads_scope: RecordScope,
) -> Result<LeadView> {
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
            leads::search_text.eq(fields.search_text()),
            leads::created_at.eq(at),
            leads::updated_at.eq(at),
            leads::version.eq(1i64),
        ))
        .execute(c)?;
    replace_tags(c, scope.org_id(), id, &new.tags)?;
    custom_fields::write_values(c, scope.org_id(), id, custom)?;
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
            let rules = lead_rules::assignment_rules(c, scope.org_id())?;
            // Counting everyone's open leads is only worth it when a rule may use the counts.
            let people = if rules.iter().any(|r| r.active) { candidates(c, scope.org_id())? } else { Vec::new() };
            match rules::choose_owner(&rules, &lead, &people) {
                Some((rule, user)) => {
                    lead_rules::set_last_assigned(c, rule, user)?;
                    Some(user)
                }
                None => None,
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
    crate::sequences::auto_enroll(c, scope.org_id(), &lead)?;
    audit::record_created(c, scope, ENTITY, &id.to_string(), &lead)?;
    Ok(lead)
}

/// Attach a capture to an existing lead: fill fields it lacks, add tags, note it on the timeline.
fn attach(
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
    custom_fields::write_values(c, scope.org_id(), existing.id, &missing)?;
    let note =
        format!("captured again via {}{}", how.source.as_str(), how.note.map(|n| format!(": {n}")).unwrap_or_default());
    event(c, scope, existing.id, how.event, None, None, Some(&note))?;
    rescore(c, scope, existing.id)?;
    let after = find(c, scope.org_id(), existing.id, false)?;
    audit::record_updated(c, scope, ENTITY, &existing.id.to_string(), &existing, &after)?;
    Ok(after)
}

/// Write the editable fields; with `version`, only if it is still current.
fn write_fields(c: &mut DbConnection, scope: &Scope, id: LeadId, f: &Fields, version: Option<i64>) -> Result<()> {
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
            leads::search_text.eq(f.search_text()),
            leads::updated_at.eq(now()),
            leads::version.eq(leads::version + 1),
        ))
        .execute(c)?;
    if n == 0 {
        return Err(version.map_or(Error::NotFound, Error::Stale));
    }
    Ok(())
}

// ---- changes ----

/// The status and owner part of a change, shared by single and bulk updates.
struct Move {
    status: Option<LeadStatus>,
    revisit_on: Option<NaiveDate>,
    disqualify_reason: Option<String>,
    owner: Option<Option<UserId>>,
}

fn apply_move(c: &mut DbConnection, scope: &Scope, lead: &LeadView, m: &Move) -> Result<()> {
    let today = crate::util::now_utc().date_naive();
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
        if let Some(country) = &f.country {
            if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
                errors.push(FieldError::new(
                    "country",
                    "country",
                    "Use a two-letter country code (ISO 3166-1), e.g. DE.",
                ));
            }
        }
        let mut custom = BTreeMap::new();
        if !patch.custom.is_empty() {
            let defs = custom_fields::defs(c, scope.org_id())?;
            match kith_domain::custom_fields::validate_values(&defs, &patch.custom, false) {
                Ok(values) => custom = values,
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        write_fields(c, scope, id, &f, Some(version))?;
        custom_fields::write_values(c, scope.org_id(), id, &custom)?;
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
            (lead_rules::assignment_rules(c, scope.org_id())?, candidates(c, scope.org_id())?)
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
                    let Some((rule, user)) = rules::choose_owner(&rules, &before, &people) else {
                        return Err(Error::field(
                            "apply_assignment_rules",
                            "no_rule",
                            "No assignment rule applies to this lead.",
                        ));
                    };
                    lead_rules::set_last_assigned(c, rule, user)?;
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
    let at = activity.occurred_at.map(crate::util::from_utc).unwrap_or_else(now);
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

// ---- reading ----

#[derive(Clone, Copy, PartialEq, Eq)]
enum SortField {
    Created,
    Updated,
    Name,
    Company,
    Score,
}

macro_rules! order_by {
    ($q:expr, $col:expr, $dir:expr) => {
        match $dir {
            Direction::Asc => $q.order(($col.asc(), leads::id.asc())),
            Direction::Desc => $q.order(($col.desc(), leads::id.desc())),
        }
    };
}

macro_rules! after {
    ($q:expr, $col:expr, $key:expr, $id:expr, $dir:expr) => {
        match $dir {
            Direction::Asc => $q.filter($col.gt($key.clone()).or($col.eq($key).and(leads::id.gt($id)))),
            Direction::Desc => $q.filter($col.lt($key.clone()).or($col.eq($key).and(leads::id.lt($id)))),
        }
    };
}

/// The caller's leads, filtered and sorted, one keyset page at a time.
pub fn list(conn: &mut DbConnection, scope: &Scope, q: &LeadListQuery) -> Result<Page<LeadView>> {
    scope.require(Module::Leads, Action::Read)?;
    let limit = clamp_limit(q.limit);
    let (field, dir) = parse_sort(q.sort.as_deref().unwrap_or("-created_at"));
    let field = match field {
        "created_at" => SortField::Created,
        "updated_at" => SortField::Updated,
        "name" => SortField::Name,
        "company" => SortField::Company,
        "score" => SortField::Score,
        _ => return Err(Error::field("sort", "unknown", "Sort by created_at, updated_at, name, company or score.")),
    };
    let cursor = q.cursor.as_deref().map(Cursor::decode).transpose().map_err(|_| crate::util::bad_cursor())?;
    let mut matching = visible(scope)?;
    if let Some(text) = q.q.as_deref() {
        matching = matching_search(conn, matching, &kith_domain::leads::search_terms(text))?;
    }
    let mut query = matching.select(LeadRow::as_select()).limit(i64::from(limit) + 1);
    if let Some(s) = q.status {
        query = query.filter(leads::status.eq(s.as_str()));
    }
    if let Some(s) = q.source {
        query = query.filter(leads::source.eq(s.as_str()));
    }
    if let Some(o) = q.owner_id {
        query = query.filter(leads::owner_id.eq(o.to_string()));
    }
    if q.unassigned == Some(true) {
        query = query.filter(leads::owner_id.is_null());
    }
    if let Some(t) = q.team_id {
        query = query.filter(leads::team_id.eq(t.to_string()));
    }
    if let Some(c) = q.country.as_deref().filter(|c| !c.is_empty()) {
        query = query.filter(leads::country.eq(c.to_uppercase()));
    }
    if let Some(min) = q.min_score {
        query = query.filter(leads::score.ge(min));
    }
    if let Some(tag) = q.tag.as_deref().filter(|t| !t.trim().is_empty()) {
        let tagged = lead_tags::table
            .filter(lead_tags::org_id.eq(scope.org_id().to_string()))
            .filter(lead_tags::tag.eq(tag.trim().to_lowercase()))
            .select(lead_tags::lead_id);
        query = query.filter(leads::id.eq_any(tagged));
    }
    if let Some(key) = q.custom_field.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        let def = custom_fields::def_by_key(conn, scope.org_id(), key)?
            .ok_or_else(|| Error::field("custom_field", "unknown", "No such custom field."))?;
        let wanted = match q.custom_value.as_deref().filter(|v| !v.trim().is_empty()) {
            Some(raw) => kith_domain::custom_fields::filter_value(&def, raw).map_err(|e| Error::Validation(vec![e]))?,
            None => (None, None),
        };
        let values = lead_custom_values::table
            .filter(lead_custom_values::org_id.eq(scope.org_id().to_string()))
            .filter(lead_custom_values::field_key.eq(def.key.clone()));
        query = match wanted {
            (_, Some(n)) => query.filter(
                leads::id
                    .eq_any(values.filter(lead_custom_values::value_number.eq(n)).select(lead_custom_values::lead_id)),
            ),
            // Text, select, date and yes/no values compare in lower case: "acme" finds "ACME".
            (Some(t), None) => query.filter(
                leads::id.eq_any(
                    values
                        .filter(lead_custom_values::value_folded.eq(kith_domain::custom_fields::fold(&t)))
                        .select(lead_custom_values::lead_id),
                ),
            ),
            // No value asked for: every lead that has one.
            (None, None) => query.filter(leads::id.eq_any(values.select(lead_custom_values::lead_id))),
        };
    }
    query = match field {
        SortField::Created => match dir {
            Direction::Asc => query.order(leads::id.asc()),
            Direction::Desc => query.order(leads::id.desc()),
        },
        SortField::Updated => order_by!(query, leads::updated_at, dir),
        SortField::Name => order_by!(query, leads::sort_name, dir),
        SortField::Company => order_by!(query, leads::company_name, dir),
        SortField::Score => order_by!(query, leads::score, dir),
    };
    if let Some(c) = cursor {
        let key = c.key.clone().unwrap_or_default();
        let id = c.id;
        query = match field {
            SortField::Created => match dir {
                Direction::Asc => query.filter(leads::id.gt(id)),
                Direction::Desc => query.filter(leads::id.lt(id)),
            },
            SortField::Updated => {
                let at: NaiveDateTime = key.parse().map_err(|_| crate::util::bad_cursor())?;
                after!(query, leads::updated_at, at, id, dir)
            }
            SortField::Name => after!(query, leads::sort_name, key, id, dir),
            SortField::Company => after!(query, leads::company_name, key, id, dir),
            SortField::Score => {
                let s: i32 = key.parse().map_err(|_| crate::util::bad_cursor())?;
                after!(query, leads::score, s, id, dir)
            }
        };
    }
    let rows = query.load(conn)?;
    let sort_keys: HashMap<String, String> = rows
        .iter()
        .map(|r| {
            let key = match field {
                SortField::Created => String::new(),
                SortField::Updated => r.updated_at.to_string(),
                SortField::Name => r.sort_name.clone(),
                SortField::Company => r.company_name.clone(),
                SortField::Score => r.score.to_string(),
            };
            (r.id.clone(), key)
        })
        .collect();
    let items = views(conn, rows)?;
    Ok(page_from_rows(items, limit, |l| Cursor {
        key: (field != SortField::Created).then(|| sort_keys.get(&l.id.to_string()).cloned().unwrap_or_default()),
        id: l.id.to_string(),
    }))
}

/// SQLite: bring the search index up to date with the leads this transaction wrote (triggers list them
/// in `fts_lead_dirty`), once, at the end of the transaction. One FTS5 write per transaction instead of
/// one per savepoint. PostgreSQL maintains its index itself.
pub(crate) fn flush_search_index(conn: &mut DbConnection) -> Result<()> {
    if !matches!(conn, DbConnection::Sqlite(_)) {
        return Ok(());
    }
    #[derive(QueryableByName)]
    struct Dirty {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let dirty: Dirty = diesel::sql_query("SELECT count(*) AS n FROM fts_lead_dirty").get_result(conn)?;
    if dirty.n == 0 {
        return Ok(());
    }
    // Leads already in the index (updated or deleted ones) leave it first, one by one: FTS5 finds a rowid
    // by equality, while `rowid IN (…)` would read the whole index.
    #[derive(QueryableByName)]
    struct Indexed {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let indexed: Vec<Indexed> =
        diesel::sql_query("SELECT r.id AS id FROM fts_lead_dirty d JOIN fts_lead_rows r ON r.lead_id = d.lead_id")
            .load(conn)?;
    for row in indexed {
        diesel::sql_query("DELETE FROM fts_leads WHERE rowid = ?")
            .bind::<diesel::sql_types::BigInt, _>(row.id)
            .execute(conn)?;
    }
    for statement in [
        "INSERT OR IGNORE INTO fts_lead_rows (lead_id) \
         SELECT d.lead_id FROM fts_lead_dirty d WHERE EXISTS (SELECT 1 FROM leads l WHERE l.id = d.lead_id)",
        "INSERT INTO fts_leads (rowid, search_text) SELECT r.id, l.search_text FROM fts_lead_dirty d \
         JOIN fts_lead_rows r ON r.lead_id = d.lead_id JOIN leads l ON l.id = d.lead_id",
        "DELETE FROM fts_lead_rows WHERE lead_id IN (SELECT d.lead_id FROM fts_lead_dirty d \
         WHERE NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = d.lead_id))",
        "DELETE FROM fts_lead_dirty",
    ] {
        diesel::sql_query(statement).execute(conn)?;
    }
    Ok(())
}

/// Above this many index hits a search is "common" on SQLite: scanning the list in its sort order finds a
/// page of matches sooner than sorting every hit (with 2,000 hits in a million leads, a page of 50 is
/// found within about 25,000 rows).
const SEARCH_HITS_TO_SORT: i64 = 2_000;

#[derive(QueryableByName)]
struct SearchHit {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// Narrows a lead query to leads whose search text contains every term. Terms of three or more characters go
/// through the trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL: see migration 2026-11-23-000010); a term
/// shorter than a trigram cannot use an index and is checked against the rows the other terms leave.
fn matching_search<'a>(
    conn: &mut DbConnection,
    mut query: leads::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend>,
    terms: &[String],
) -> Result<leads::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend>> {
    let indexed = |t: &String| t.chars().count() >= 3;
    let like_each = |mut q: leads::BoxedQuery<'a, _>, terms: &mut dyn Iterator<Item = &String>| {
        for term in terms {
            q = q.filter(leads::search_text.like(like_pattern(term)).escape('\\'));
        }
        q
    };
    if matches!(conn, DbConnection::Postgresql(_)) {
        // pg_trgm serves LIKE '%term%' from its GIN index, and the planner weighs it against walking the
        // sort order with its statistics.
        return Ok(like_each(query, &mut terms.iter()));
    }
    // SQLite: an FTS5 trigram table answers a quoted phrase as "contains this substring"; AND joins the
    // terms. Rare terms: the hits are few, so the list sorts just them. Common terms: the hits are many, so
    // the list walks its sort order and checks each row (it fills a page quickly because matches are dense).
    let phrases: Vec<String> =
        terms.iter().filter(|t| indexed(t)).map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect();
    if !phrases.is_empty() {
        let hits: Vec<SearchHit> =
            diesel::sql_query("SELECT rowid AS id FROM fts_leads WHERE fts_leads MATCH ? LIMIT ?")
                .bind::<diesel::sql_types::Text, _>(phrases.join(" AND "))
                .bind::<diesel::sql_types::BigInt, _>(SEARCH_HITS_TO_SORT + 1)
                .load(conn)?;
        if hits.len() as i64 <= SEARCH_HITS_TO_SORT {
            let rows: Vec<i64> = hits.into_iter().map(|h| h.id).collect();
            let ids = fts_lead_rows::table.filter(fts_lead_rows::id.eq_any(rows)).select(fts_lead_rows::lead_id);
            query = query.filter(leads::id.eq_any(ids));
        } else {
            query = like_each(query, &mut terms.iter().filter(|t| indexed(t)));
        }
    }
    Ok(like_each(query, &mut terms.iter().filter(|t| !indexed(t))))
}

/// Live leads the caller may change: the rows they see, when their role may write leads at all
/// (a role has one record scope per module, for reading and writing alike).
pub(crate) fn writable_leads<'a>(
    scope: &Scope,
) -> Result<leads::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend>> {
    scope.require(Module::Leads, Action::Write)?;
    visible(scope)
}

/// Live leads of the organization that the caller's record scope lets them see.
fn visible<'a>(scope: &Scope) -> Result<leads::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend>> {
    let mut q = leads::table
        .filter(leads::org_id.eq(scope.org_id().to_string()))
        .filter(leads::deleted_at.is_null())
        .into_boxed();
    let actor = scope.acting_user();
    match scope.permissions().get(Module::Leads).scope {
        RecordScope::All => {}
        RecordScope::Team => {
            let me = actor.map(|a| a.user_id.to_string()).unwrap_or_default();
            q = match actor.and_then(|a| a.team_id) {
                Some(team) => q.filter(leads::owner_id.eq(me).or(leads::team_id.eq(team.to_string()))),
                None => q.filter(leads::owner_id.eq(me)),
            };
        }
        RecordScope::Own => {
            let me = actor.map(|a| a.user_id.to_string()).unwrap_or_default();
            q = q.filter(leads::owner_id.eq(me));
        }
    }
    Ok(q)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = lead_events)]
struct EventRow {
    id: String,
    occurred_at: NaiveDateTime,
    kind: String,
    from_value: Option<String>,
    to_value: Option<String>,
    note: Option<String>,
    actor_id: Option<String>,
}

/// The lead's timeline, oldest first.
pub fn events(conn: &mut DbConnection, scope: &Scope, id: LeadId) -> Result<Vec<LeadEvent>> {
    readable(conn, scope, id)?;
    let rows: Vec<EventRow> = lead_events::table
        .filter(lead_events::org_id.eq(scope.org_id().to_string()))
        .filter(lead_events::lead_id.eq(id.to_string()))
        .order((lead_events::occurred_at.asc(), lead_events::id.asc()))
        .select(EventRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(LeadEvent {
                kind: LeadEventKind::parse(&r.kind)
                    .ok_or_else(|| Error::Internal(format!("bad event kind {:?}", r.kind)))?,
                id: r.id,
                occurred_at: to_utc(r.occurred_at),
                from: r.from_value,
                to: r.to_value,
                note: r.note,
                actor_id: r.actor_id,
            })
        })
        .collect()
}

// ---- export ----

/// Would a spreadsheet read this cell as a formula, or is it already one made safe (`'` before one)?
fn formula_like(cell: &str) -> bool {
    matches!(cell.trim_start_matches('\'').chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'))
}

/// A cell that a spreadsheet will show as text, never run as a formula (RELIABILITY C4): an
/// apostrophe goes before it. `from_spreadsheet` takes it off again, so an export imports back as it
/// was (a cell that began with `'=` gets a second apostrophe, so that reading stays exact).
pub fn spreadsheet_safe(cell: &str) -> String {
    if formula_like(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// A cell as it was before `spreadsheet_safe` (imports read exported files with it).
pub fn from_spreadsheet(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => cell,
    }
}

/// The columns of a lead export: fixed ones, then one per custom field, named as the import maps it back.
pub struct ExportColumns {
    defs: Vec<kith_domain::custom_fields::CustomFieldView>,
}

const EXPORT_HEADER: [&str; 17] = [
    "id",
    "first_name",
    "last_name",
    "title",
    "email",
    "phone",
    "company_name",
    "company_domain",
    "company_size",
    "industry",
    "country",
    "source",
    "status",
    "owner_id",
    "score",
    "tags",
    "created_at",
];

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().quote_style(csv::QuoteStyle::Always).from_writer(Vec::new())
}

/// Begin an export of what `q` selects: checks the query and permissions, records the export in the audit
/// trail, and returns the header line. The rows follow page by page ([`export_page`]), so an export of a
/// million leads streams without being held in memory.
pub fn export_start(conn: &mut DbConnection, scope: &Scope, q: &LeadListQuery) -> Result<(ExportColumns, Vec<u8>)> {
    // The same checks as a list (permissions, filters, sort): a bad query fails before anything is sent.
    list(conn, scope, &LeadListQuery { limit: Some(1), cursor: None, ..q.clone() })?;
    let defs = custom_fields::defs(conn, scope.org_id())?;
    let mut wtr = csv_writer();
    let custom_header = defs.iter().map(|d| format!("{}{}", kith_domain::imports::CUSTOM_PREFIX, d.key));
    let header: Vec<String> = EXPORT_HEADER.iter().map(|h| (*h).to_owned()).chain(custom_header).collect();
    wtr.write_record(&header).map_err(|e| Error::Internal(e.to_string()))?;
    transaction(conn, |c| audit::record(c, scope, ENTITY, "*", AuditAction::Export, &[]))?;
    Ok((ExportColumns { defs }, wtr.into_inner().map_err(|e| Error::Internal(e.to_string()))?))
}

/// One page of export rows (formula-safe cells) after `cursor`, and the cursor of the next page.
pub fn export_page(
    conn: &mut DbConnection,
    scope: &Scope,
    q: &LeadListQuery,
    columns: &ExportColumns,
    cursor: Option<String>,
) -> Result<(Vec<u8>, Option<String>)> {
    // Pages follow the lead id (creation order, newest first) whatever sort the list had: ids never
    // change, so a lead rescored or edited while the download runs is neither skipped nor repeated.
    let page = list(
        conn,
        scope,
        &LeadListQuery { limit: Some(kith_domain::page::MAX_LIMIT), cursor, sort: None, ..q.clone() },
    )?;
    let mut wtr = csv_writer();
    for l in &page.items {
        let row = [
            l.id.to_string(),
            l.first_name.clone(),
            l.last_name.clone(),
            l.title.clone(),
            l.email.clone().unwrap_or_default(),
            l.phone.clone().unwrap_or_default(),
            l.company_name.clone(),
            l.company_domain.clone().unwrap_or_default(),
            l.company_size.map(|n| n.to_string()).unwrap_or_default(),
            l.industry.clone().unwrap_or_default(),
            l.country.clone().unwrap_or_default(),
            l.source.as_str().to_owned(),
            l.status.as_str().to_owned(),
            l.owner_id.map(|o| o.to_string()).unwrap_or_default(),
            l.score.to_string(),
            l.tags.join(";"),
            l.created_at.to_rfc3339(),
        ];
        let custom = columns
            .defs
            .iter()
            .map(|d| l.custom.get(&d.key).and_then(kith_domain::custom_fields::as_text).unwrap_or_default());
        let cells: Vec<String> = row.into_iter().chain(custom).map(|c| spreadsheet_safe(&c)).collect();
        wtr.write_record(&cells).map_err(|e| Error::Internal(e.to_string()))?;
    }
    Ok((wtr.into_inner().map_err(|e| Error::Internal(e.to_string()))?, page.next_cursor))
}

// ---- recycle bin ----

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
        scope.require_record(Module::Leads, Action::Write, ownership(&lead)).map_err(|_| Error::NotFound)?;
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
    diesel::delete(lead_tags::table.filter(lead_tags::org_id.eq(&org)).filter(lead_tags::lead_id.eq(id)))
        .execute(conn)?;
    custom_fields::forget_lead(conn, scope.org_id(), id)?;
    diesel::delete(lead_events::table.filter(lead_events::org_id.eq(&org)).filter(lead_events::lead_id.eq(id)))
        .execute(conn)?;
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

// ---- revisits ----

/// Nurture and not-ready leads whose revisit date has come go back to working, and their owners are
/// told. Safe on several nodes at once: each lead moves in a conditional update that one node wins.
pub fn due_revisits(conn: &mut DbConnection, today: NaiveDate) -> Result<usize> {
    let due: Vec<(String, String)> = leads::table
        .filter(leads::status.eq_any([LeadStatus::Nurture.as_str(), LeadStatus::NotReady.as_str()]))
        .filter(leads::revisit_on.le(today))
        .filter(leads::deleted_at.is_null())
        .select((leads::id, leads::org_id))
        .limit(500)
        .load(conn)?;
    let mut moved = 0;
    for (id, org) in due {
        let scope = Scope::system(parse_id(&org)?, crate::scope::SystemTask::Leads);
        let lead_id: LeadId = parse_id(&id)?;
        let did = transaction(conn, |c| {
            let before = find(c, scope.org_id(), lead_id, false)?;
            let n = diesel::update(
                leads::table
                    .filter(leads::id.eq(&id))
                    .filter(leads::status.eq(before.status.as_str()))
                    .filter(leads::revisit_on.le(today)),
            )
            .set((
                leads::status.eq(LeadStatus::Working.as_str()),
                leads::revisit_on.eq(None::<NaiveDate>),
                leads::updated_at.eq(now()),
                leads::version.eq(leads::version + 1),
            ))
            .execute(c)?;
            if n == 0 {
                return Ok(false);
            }
            event(
                c,
                &scope,
                lead_id,
                LeadEventKind::Revisit,
                Some(before.status.as_str()),
                Some("working"),
                Some("revisit date reached"),
            )?;
            if let Some(owner) = before.owner_id {
                notify(
                    c,
                    &scope,
                    owner,
                    &Notice {
                        kind: "lead_revisit",
                        title: format!("Time to revisit {}", before.display_name()),
                        body: format!("{} was set aside until today and is back in your list.", before.display_name()),
                        entity: Some((ENTITY, id.clone())),
                        email: true,
                    },
                )?;
            }
            Ok(true)
        })?;
        if did {
            moved += 1;
        }
    }
    Ok(moved)
}

/// Add a past entry to a lead's timeline (history carried over from another record, e.g. calls
/// made while the person was on a call list).
pub(crate) fn add_history(
    conn: &mut DbConnection,
    scope: &Scope,
    lead_id: LeadId,
    kind: LeadEventKind,
    note: Option<&str>,
    at: NaiveDateTime,
) -> Result<()> {
    event_at(conn, scope, lead_id, kind, None, None, note, at)
}

/// A lead's history is readable by whoever may read the lead (own/team scope included).
fn read_one(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let lead = id.parse().map_err(|_| Error::NotFound)?;
    get(conn, scope, lead).map(|_| ())
}

/// Attaching files (and other changes the kernel makes for a lead) needs the right to change it.
fn write_one(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let lead = id.parse().map_err(|_| Error::NotFound)?;
    writable(conn, scope, lead).map(|_| ())
}

/// What the kernel's shared features did to a lead, on its timeline.
fn timeline(conn: &mut DbConnection, scope: &Scope, id: &str, entry: crate::kernel::TimelineEntry<'_>) -> Result<()> {
    use crate::kernel::TimelineEntry;
    let lead = id.parse().map_err(|_| Error::NotFound)?;
    let (kind, note) = match entry {
        TimelineEntry::AttachmentAdded { file_name } => (LeadEventKind::AttachmentAdded, file_name),
        TimelineEntry::AttachmentRemoved { file_name } => (LeadEventKind::AttachmentRemoved, file_name),
    };
    event(conn, scope, lead, kind, None, None, Some(note))
}

/// A purged lead takes the merge records and inbound-message links that point at it along.
fn purge_with_traces(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    merge::forget_lead(conn, scope, id)?;
    crate::inbound::forget_lead(conn, scope, id)?;
    purge(conn, scope, id)
}

/// Leads keep their search index current before each commit, rescore decayed scores on every poll
/// and bring nurtured leads back on their revisit date.
pub(crate) fn register(k: &mut crate::kernel::Kernel) {
    k.record_kind(
        crate::kernel::RecordKind::new(ENTITY, kith_domain::modules::Module::Leads)
            .read_one(read_one)
            .write_one(write_one)
            .timeline(timeline)
            .purged_by(purge_with_traces),
    );
    k.record_kind(crate::kernel::RecordKind::new("lead_merge", kith_domain::modules::Module::Leads));
    k.before_commit(flush_search_index);
    k.every_poll("rescored leads", rescore_due);
    k.maintenance("revisits", |c| due_revisits(c, now().date()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_cells_are_formula_safe_and_read_back_exactly() {
        for cell in ["=SUM(A1)", "-42", "+49 30 1234", "@x", "'=a", "''-1", "'quoted", "plain", "", "'", "a=b"] {
            let safe = spreadsheet_safe(cell);
            assert!(!matches!(safe.chars().next(), Some('=' | '+' | '-' | '@')), "{cell:?} → {safe:?}");
            assert_eq!(from_spreadsheet(&safe), cell, "{cell:?} → {safe:?}");
        }
        assert_eq!(spreadsheet_safe("-42"), "'-42");
        assert_eq!(from_spreadsheet("'plain"), "'plain", "an apostrophe of the file's own stays");
    }
}

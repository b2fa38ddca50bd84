//! Scoring rules, assignment rules and lead settings: what admins configure for the lead engine.

use diesel::prelude::*;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::modules::Module;
use kith_domain::core::permissions::Action;
use kith_domain::core::validation::Check;
use kith_domain::leads::rules::*;
use kith_domain::leads::{DuplicateRule, LeadSettings};
use kith_domain::{AssignmentRuleId, OrgId, ScoringRuleId, UserId};

use crate::core::util::{new_id, now, parse_id, transaction};
use crate::schema::{assignment_rules, lead_settings, scoring_rules};
use crate::{core::audit, DbConnection, Error, Result, Scope};

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

fn parse_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::Internal(format!("stored rule is unreadable: {e}")))
}

// ---- settings ----

pub fn settings(conn: &mut DbConnection, org_id: OrgId) -> Result<LeadSettings> {
    let row: Option<(String, Option<i32>, Option<String>)> = lead_settings::table
        .find(org_id.to_string())
        .select((lead_settings::duplicate_rule, lead_settings::qualify_threshold, lead_settings::fallback_owner_id))
        .first(conn)
        .optional()?;
    Ok(match row {
        None => LeadSettings::default(),
        Some((rule, qualify_threshold, fallback)) => LeadSettings {
            duplicate_rule: parse_json(&format!("\"{rule}\""))?,
            qualify_threshold,
            fallback_owner_id: fallback.as_deref().map(parse_id).transpose()?,
        },
    })
}

pub fn get_settings(conn: &mut DbConnection, scope: &Scope) -> Result<LeadSettings> {
    scope.require(Module::Leads, Action::Read)?;
    settings(conn, scope.org_id())
}

pub fn put_settings(conn: &mut DbConnection, scope: &Scope, new: &LeadSettings) -> Result<LeadSettings> {
    scope.require(Module::Settings, Action::Write)?;
    let rule = match new.duplicate_rule {
        DuplicateRule::Email => "email",
        DuplicateRule::EmailOrPhone => "email_or_phone",
        DuplicateRule::Off => "off",
    };
    transaction(conn, |c| {
        let before = settings(c, scope.org_id())?;
        if let Some(owner) = new.fallback_owner_id {
            crate::leads::check_owner(c, scope, owner, "fallback_owner_id")?;
        }
        let fallback = new.fallback_owner_id.map(|u| u.to_string());
        let updated = diesel::update(lead_settings::table.find(scope.org_id().to_string()))
            .set((
                lead_settings::duplicate_rule.eq(rule),
                lead_settings::qualify_threshold.eq(new.qualify_threshold),
                lead_settings::fallback_owner_id.eq(&fallback),
                lead_settings::updated_at.eq(now()),
                lead_settings::version.eq(lead_settings::version + 1),
            ))
            .execute(c)?;
        if updated == 0 {
            diesel::insert_into(lead_settings::table)
                .values((
                    lead_settings::org_id.eq(scope.org_id().to_string()),
                    lead_settings::duplicate_rule.eq(rule),
                    lead_settings::qualify_threshold.eq(new.qualify_threshold),
                    lead_settings::fallback_owner_id.eq(&fallback),
                    lead_settings::updated_at.eq(now()),
                    lead_settings::version.eq(1i64),
                ))
                .execute(c)?;
        }
        audit::record_updated(c, scope, "lead_settings", &scope.org_id().to_string(), &before, new)?;
        settings(c, scope.org_id())
    })
}

// ---- scoring rules ----

#[derive(Queryable, Selectable)]
#[diesel(table_name = scoring_rules)]
struct ScoringRow {
    id: String,
    name: String,
    trigger: String,
    points: i32,
    decay_days: Option<i32>,
    active: bool,
    version: i64,
}

impl ScoringRow {
    fn into_rule(self) -> Result<ScoringRule> {
        Ok(ScoringRule {
            id: parse_id(&self.id)?,
            name: self.name,
            trigger: parse_json(&self.trigger)?,
            points: self.points,
            decay_days: self.decay_days.map(|d| d.max(1) as u32),
            active: self.active,
            version: self.version,
        })
    }
}

/// Every live scoring rule of the organization (active or not), oldest first.
pub fn scoring_rules(conn: &mut DbConnection, org_id: OrgId) -> Result<Vec<ScoringRule>> {
    scoring_rules::table
        .filter(scoring_rules::org_id.eq(org_id.to_string()))
        .filter(scoring_rules::deleted_at.is_null())
        .order(scoring_rules::id.asc())
        .select(ScoringRow::as_select())
        .load(conn)?
        .into_iter()
        .map(ScoringRow::into_rule)
        .collect()
}

pub fn list_scoring_rules(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<ScoringRule>> {
    scope.require(Module::Leads, Action::Read)?;
    scoring_rules(conn, scope.org_id())
}

fn find_scoring(conn: &mut DbConnection, scope: &Scope, id: ScoringRuleId) -> Result<ScoringRule> {
    scoring_rules::table
        .filter(scoring_rules::org_id.eq(scope.org_id().to_string()))
        .filter(scoring_rules::id.eq(id.to_string()))
        .filter(scoring_rules::deleted_at.is_null())
        .select(ScoringRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?
        .into_rule()
}

fn check_scoring(input: &ScoringRuleInput) -> Result<()> {
    let problems = input.problems();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(problems))
    }
}

pub fn create_scoring_rule(conn: &mut DbConnection, scope: &Scope, input: &ScoringRuleInput) -> Result<ScoringRule> {
    scope.require(Module::Settings, Action::Write)?;
    check_scoring(input)?;
    transaction(conn, |c| {
        let id = ScoringRuleId(new_id());
        let at = now();
        diesel::insert_into(scoring_rules::table)
            .values((
                scoring_rules::id.eq(id.to_string()),
                scoring_rules::org_id.eq(scope.org_id().to_string()),
                scoring_rules::name.eq(input.name.trim()),
                scoring_rules::trigger.eq(json(&input.trigger)?),
                scoring_rules::points.eq(input.points),
                scoring_rules::decay_days.eq(input.decay_days.map(|d| d as i32)),
                scoring_rules::active.eq(input.active),
                scoring_rules::created_at.eq(at),
                scoring_rules::updated_at.eq(at),
                scoring_rules::version.eq(1i64),
            ))
            .execute(c)?;
        let rule = find_scoring(c, scope, id)?;
        audit::record_created(c, scope, "scoring_rule", &id.to_string(), &rule)?;
        crate::leads::rescore_all_later(c, scope.org_id())?;
        Ok(rule)
    })
}

pub fn update_scoring_rule(
    conn: &mut DbConnection,
    scope: &Scope,
    id: ScoringRuleId,
    version: i64,
    input: &ScoringRuleInput,
) -> Result<ScoringRule> {
    scope.require(Module::Settings, Action::Write)?;
    check_scoring(input)?;
    transaction(conn, |c| {
        let before = find_scoring(c, scope, id)?;
        let n = diesel::update(
            scoring_rules::table
                .filter(scoring_rules::org_id.eq(scope.org_id().to_string()))
                .filter(scoring_rules::id.eq(id.to_string()))
                .filter(scoring_rules::version.eq(version)),
        )
        .set((
            scoring_rules::name.eq(input.name.trim()),
            scoring_rules::trigger.eq(json(&input.trigger)?),
            scoring_rules::points.eq(input.points),
            scoring_rules::decay_days.eq(input.decay_days.map(|d| d as i32)),
            scoring_rules::active.eq(input.active),
            scoring_rules::updated_at.eq(now()),
            scoring_rules::version.eq(version + 1),
        ))
        .execute(c)?;
        if n == 0 {
            return Err(Error::Stale(version));
        }
        let after = find_scoring(c, scope, id)?;
        audit::record_updated(c, scope, "scoring_rule", &id.to_string(), &before, &after)?;
        crate::leads::rescore_all_later(c, scope.org_id())?;
        Ok(after)
    })
}

pub fn delete_scoring_rule(conn: &mut DbConnection, scope: &Scope, id: ScoringRuleId) -> Result<()> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        find_scoring(c, scope, id)?;
        diesel::update(
            scoring_rules::table
                .filter(scoring_rules::org_id.eq(scope.org_id().to_string()))
                .filter(scoring_rules::id.eq(id.to_string())),
        )
        .set(scoring_rules::deleted_at.eq(Some(now())))
        .execute(c)?;
        crate::leads::rescore_all_later(c, scope.org_id())?;
        audit::record(c, scope, "scoring_rule", &id.to_string(), AuditAction::Delete, &[])
    })
}

// ---- assignment rules ----

#[derive(Queryable, Selectable)]
#[diesel(table_name = assignment_rules)]
struct AssignRow {
    id: String,
    position: i32,
    name: String,
    conditions: String,
    target: String,
    capacity: Option<i32>,
    active: bool,
    last_assigned: Option<String>,
    version: i64,
}

impl AssignRow {
    fn into_rule(self) -> Result<AssignmentRule> {
        Ok(AssignmentRule {
            id: parse_id(&self.id)?,
            position: self.position,
            name: self.name,
            conditions: parse_json(&self.conditions)?,
            target: parse_json(&self.target)?,
            capacity: self.capacity.map(|c| c.max(0) as u32),
            active: self.active,
            last_assigned: self.last_assigned.as_deref().map(parse_id).transpose()?,
            version: self.version,
        })
    }
}

/// Every live assignment rule, in the order they are tried.
pub fn assignment_rules(conn: &mut DbConnection, org_id: OrgId) -> Result<Vec<AssignmentRule>> {
    assignment_rules::table
        .filter(assignment_rules::org_id.eq(org_id.to_string()))
        .filter(assignment_rules::deleted_at.is_null())
        .order((assignment_rules::position.asc(), assignment_rules::id.asc()))
        .select(AssignRow::as_select())
        .load(conn)?
        .into_iter()
        .map(AssignRow::into_rule)
        .collect()
}

pub fn list_assignment_rules(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<AssignmentRule>> {
    scope.require(Module::Leads, Action::Read)?;
    assignment_rules(conn, scope.org_id())
}

fn find_assignment(conn: &mut DbConnection, scope: &Scope, id: AssignmentRuleId) -> Result<AssignmentRule> {
    assignment_rules::table
        .filter(assignment_rules::org_id.eq(scope.org_id().to_string()))
        .filter(assignment_rules::id.eq(id.to_string()))
        .filter(assignment_rules::deleted_at.is_null())
        .select(AssignRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?
        .into_rule()
}

/// Targets must be users and teams of the caller's organization.
fn check_assignment(conn: &mut DbConnection, scope: &Scope, input: &AssignmentRuleInput) -> Result<()> {
    let mut problems = input.problems();
    match &input.target {
        AssignTarget::User { user_id } => {
            if crate::identity::users::find_row(conn, scope.org_id(), *user_id).is_err() {
                problems.push(kith_domain::FieldError::new(
                    "target.user_id",
                    "unknown",
                    "No such user in this organization.",
                ));
            }
        }
        AssignTarget::RoundRobin { team_id } | AssignTarget::LeastLoaded { team_id } => {
            if crate::identity::teams::ensure_exists(conn, scope.org_id(), *team_id, "target.team_id").is_err() {
                problems.push(kith_domain::FieldError::new(
                    "target.team_id",
                    "unknown",
                    "No such team in this organization.",
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(problems))
    }
}

pub fn create_assignment_rule(
    conn: &mut DbConnection,
    scope: &Scope,
    input: &AssignmentRuleInput,
) -> Result<AssignmentRule> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        check_assignment(c, scope, input)?;
        let position: Option<i32> = assignment_rules::table
            .filter(assignment_rules::org_id.eq(scope.org_id().to_string()))
            .filter(assignment_rules::deleted_at.is_null())
            .select(diesel::dsl::max(assignment_rules::position))
            .first(c)?;
        let id = AssignmentRuleId(new_id());
        let at = now();
        diesel::insert_into(assignment_rules::table)
            .values((
                assignment_rules::id.eq(id.to_string()),
                assignment_rules::org_id.eq(scope.org_id().to_string()),
                assignment_rules::position.eq(input.position.unwrap_or(position.map_or(0, |p| p + 1))),
                assignment_rules::name.eq(input.name.trim()),
                assignment_rules::conditions.eq(json(&input.conditions)?),
                assignment_rules::target.eq(json(&input.target)?),
                assignment_rules::capacity.eq(input.capacity.map(|c| c as i32)),
                assignment_rules::active.eq(input.active),
                assignment_rules::created_at.eq(at),
                assignment_rules::updated_at.eq(at),
                assignment_rules::version.eq(1i64),
            ))
            .execute(c)?;
        let rule = find_assignment(c, scope, id)?;
        audit::record_created(c, scope, "assignment_rule", &id.to_string(), &rule)?;
        Ok(rule)
    })
}

pub fn update_assignment_rule(
    conn: &mut DbConnection,
    scope: &Scope,
    id: AssignmentRuleId,
    version: i64,
    input: &AssignmentRuleInput,
) -> Result<AssignmentRule> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        check_assignment(c, scope, input)?;
        let before = find_assignment(c, scope, id)?;
        let n = diesel::update(
            assignment_rules::table
                .filter(assignment_rules::org_id.eq(scope.org_id().to_string()))
                .filter(assignment_rules::id.eq(id.to_string()))
                .filter(assignment_rules::version.eq(version)),
        )
        .set((
            assignment_rules::position.eq(input.position.unwrap_or(before.position)),
            assignment_rules::name.eq(input.name.trim()),
            assignment_rules::conditions.eq(json(&input.conditions)?),
            assignment_rules::target.eq(json(&input.target)?),
            assignment_rules::capacity.eq(input.capacity.map(|c| c as i32)),
            assignment_rules::active.eq(input.active),
            assignment_rules::updated_at.eq(now()),
            assignment_rules::version.eq(version + 1),
        ))
        .execute(c)?;
        if n == 0 {
            return Err(Error::Stale(version));
        }
        let after = find_assignment(c, scope, id)?;
        audit::record_updated(c, scope, "assignment_rule", &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

pub fn delete_assignment_rule(conn: &mut DbConnection, scope: &Scope, id: AssignmentRuleId) -> Result<()> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        find_assignment(c, scope, id)?;
        diesel::update(
            assignment_rules::table
                .filter(assignment_rules::org_id.eq(scope.org_id().to_string()))
                .filter(assignment_rules::id.eq(id.to_string())),
        )
        .set(assignment_rules::deleted_at.eq(Some(now())))
        .execute(c)?;
        audit::record(c, scope, "assignment_rule", &id.to_string(), AuditAction::Delete, &[])
    })
}

/// Remember who got the last lead of a round-robin rule.
pub(crate) fn set_last_assigned(conn: &mut DbConnection, id: AssignmentRuleId, user: UserId) -> Result<()> {
    diesel::update(assignment_rules::table.filter(assignment_rules::id.eq(id.to_string())))
        .set(assignment_rules::last_assigned.eq(Some(user.to_string())))
        .execute(conn)?;
    Ok(())
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(crate::core::kernel::RecordKind::new("scoring_rule", kith_domain::core::modules::Module::Settings));
    k.record_kind(crate::core::kernel::RecordKind::new(
        "assignment_rule",
        kith_domain::core::modules::Module::Settings,
    ));
    k.record_kind(
        crate::core::kernel::RecordKind::new("lead_settings", kith_domain::core::modules::Module::Settings)
            .display(crate::core::kernel::display_organization),
    );
}

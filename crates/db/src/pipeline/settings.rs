//! Pipelines with their phases, and lost reasons: the organization's pipeline settings. Every
//! organization starts with a "Sales" pipeline and six lost reasons (`ensure_defaults`, run at sign-up
//! and for organizations that existed before the pipeline did).

use super::*;

#[derive(Queryable, Selectable)]
#[diesel(table_name = pipeline_phases)]
struct PhaseRow {
    id: String,
    pipeline_id: String,
    name: String,
    probability: i32,
    kind: String,
    forecast: String,
    rot_days: Option<i32>,
}

impl PhaseRow {
    fn into_view(self) -> Result<PhaseView> {
        Ok(PhaseView {
            id: parse_id(&self.id)?,
            name: self.name,
            probability: self.probability,
            kind: PhaseKind::parse(&self.kind)
                .ok_or_else(|| Error::Internal(format!("bad phase kind {:?}", self.kind)))?,
            forecast: ForecastCategory::parse(&self.forecast)
                .ok_or_else(|| Error::Internal(format!("bad forecast {:?}", self.forecast)))?,
            rot_days: self.rot_days,
        })
    }
}

fn views(conn: &mut DbConnection, org: OrgId, rows: Vec<(String, String, bool, i64)>) -> Result<Vec<PipelineView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let phases: Vec<PhaseRow> = pipeline_phases::table
        .filter(pipeline_phases::org_id.eq(org.to_string()))
        .filter(pipeline_phases::pipeline_id.eq_any(&ids))
        .filter(pipeline_phases::retired.eq(false))
        .order((pipeline_phases::pipeline_id.asc(), pipeline_phases::position.asc()))
        .select(PhaseRow::as_select())
        .load(conn)?;
    let mut by_pipeline: HashMap<String, Vec<PhaseView>> = HashMap::new();
    for p in phases {
        let pipeline = p.pipeline_id.clone();
        by_pipeline.entry(pipeline).or_default().push(p.into_view()?);
    }
    rows.into_iter()
        .map(|(id, name, is_default, version)| {
            Ok(PipelineView {
                phases: by_pipeline.remove(&id).unwrap_or_default(),
                id: parse_id(&id)?,
                name,
                is_default,
                version,
            })
        })
        .collect()
}

fn pipeline_rows<'a>(org: OrgId) -> pipelines::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend> {
    pipelines::table.filter(pipelines::org_id.eq(org.to_string())).into_boxed()
}

pub(crate) fn find_pipeline(conn: &mut DbConnection, org: OrgId, id: PipelineId) -> Result<PipelineView> {
    let rows = pipeline_rows(org)
        .filter(pipelines::id.eq(id.to_string()))
        .select((pipelines::id, pipelines::name, pipelines::is_default, pipelines::version))
        .load(conn)?;
    views(conn, org, rows)?.pop().ok_or(Error::NotFound)
}

pub(crate) fn default_pipeline(conn: &mut DbConnection, org: OrgId) -> Result<PipelineView> {
    let rows = pipeline_rows(org)
        .order((pipelines::is_default.desc(), pipelines::created_at.asc()))
        .limit(1)
        .select((pipelines::id, pipelines::name, pipelines::is_default, pipelines::version))
        .load(conn)?;
    views(conn, org, rows)?.pop().ok_or_else(|| Error::Internal("an organization without a pipeline".into()))
}

pub(super) fn retired_phase(conn: &mut DbConnection, org: OrgId, id: PhaseId) -> Result<PhaseView> {
    pipeline_phases::table
        .filter(pipeline_phases::org_id.eq(org.to_string()))
        .filter(pipeline_phases::id.eq(id.to_string()))
        .select(PhaseRow::as_select())
        .first(conn)?
        .into_view()
}

/// Every pipeline of the organization with its phases in board order, the default first.
pub fn list_pipelines(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<PipelineView>> {
    scope.require(Module::Pipeline, Action::Read)?;
    let rows = pipeline_rows(scope.org_id())
        .order((pipelines::is_default.desc(), pipelines::name.asc()))
        .select((pipelines::id, pipelines::name, pipelines::is_default, pipelines::version))
        .load(conn)?;
    views(conn, scope.org_id(), rows)
}

pub fn get_pipeline(conn: &mut DbConnection, scope: &Scope, id: PipelineId) -> Result<PipelineView> {
    scope.require(Module::Pipeline, Action::Read)?;
    find_pipeline(conn, scope.org_id(), id)
}

fn write_phases(c: &mut DbConnection, org: OrgId, pipeline: PipelineId, phases: &[PhaseInput]) -> Result<()> {
    for (position, p) in phases.iter().enumerate() {
        let values = (
            pipeline_phases::name.eq(p.name.trim()),
            pipeline_phases::position.eq(position as i32),
            pipeline_phases::probability.eq(p.probability),
            pipeline_phases::kind.eq(p.kind.as_str()),
            pipeline_phases::forecast.eq(p.forecast.as_str()),
            pipeline_phases::rot_days.eq(p.rot_days),
            pipeline_phases::retired.eq(false),
        );
        match p.id {
            Some(id) => {
                diesel::update(pipeline_phases::table)
                    .filter(pipeline_phases::org_id.eq(org.to_string()))
                    .filter(pipeline_phases::id.eq(id.to_string()))
                    .set(values)
                    .execute(c)?;
            }
            None => {
                diesel::insert_into(pipeline_phases::table)
                    .values((
                        pipeline_phases::id.eq(new_id().to_string()),
                        pipeline_phases::org_id.eq(org.to_string()),
                        pipeline_phases::pipeline_id.eq(pipeline.to_string()),
                        values,
                    ))
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

fn insert_pipeline(c: &mut DbConnection, org: OrgId, input: &PipelineInput) -> Result<PipelineId> {
    let id = PipelineId(new_id());
    let at = now();
    if input.is_default {
        diesel::update(pipelines::table.filter(pipelines::org_id.eq(org.to_string())))
            .set(pipelines::is_default.eq(false))
            .execute(c)?;
    }
    diesel::insert_into(pipelines::table)
        .values((
            pipelines::id.eq(id.to_string()),
            pipelines::org_id.eq(org.to_string()),
            pipelines::name.eq(input.name.trim()),
            pipelines::is_default.eq(input.is_default),
            pipelines::created_at.eq(at),
            pipelines::updated_at.eq(at),
            pipelines::version.eq(1i64),
        ))
        .execute(c)
        .map_err(|e| match Error::from(e) {
            Error::Conflict(_) => Error::field("name", "taken", "A pipeline with this name exists already."),
            other => other,
        })?;
    write_phases(c, org, id, &input.phases)?;
    Ok(id)
}

pub fn create_pipeline(conn: &mut DbConnection, scope: &Scope, input: &PipelineInput) -> Result<PipelineView> {
    scope.require(Module::Settings, Action::Write)?;
    if input.phases.iter().any(|p| p.id.is_some()) {
        return Err(Error::field("phases", "id", "A new pipeline's phases are new: leave out their ids."));
    }
    transaction(conn, |c| {
        let id = insert_pipeline(c, scope.org_id(), input)?;
        let view = find_pipeline(c, scope.org_id(), id)?;
        audit::record_created(c, scope, PIPELINE, &id.to_string(), &view)?;
        Ok(view)
    })
}

/// Rename a pipeline and replace its phases (in the new order). A phase left out is retired when
/// potentials were ever in it (their history keeps naming it) and refused while live potentials are
/// still in it.
pub fn update_pipeline(
    conn: &mut DbConnection,
    scope: &Scope,
    id: PipelineId,
    version: i64,
    input: &PipelineInput,
) -> Result<PipelineView> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let org = scope.org_id();
        let before = find_pipeline(c, org, id)?;
        if before.version != version {
            return Err(Error::Stale(version));
        }
        let mut errors = Vec::new();
        for (i, p) in input.phases.iter().enumerate() {
            if p.id.is_some_and(|pid| before.phase(pid).is_none()) {
                errors.push(FieldError::new(format!("phases[{i}].id"), "unknown", "Not a phase of this pipeline."));
            }
        }
        let dropped: Vec<&PhaseView> =
            before.phases.iter().filter(|p| !input.phases.iter().any(|i| i.id == Some(p.id))).collect();
        for p in &dropped {
            let live: i64 = potentials::table
                .filter(potentials::org_id.eq(org.to_string()))
                .filter(potentials::phase_id.eq(p.id.to_string()))
                .filter(potentials::deleted_at.is_null())
                .count()
                .get_result(c)?;
            if live > 0 {
                errors.push(FieldError::new(
                    "phases",
                    "in_use",
                    format!("{live} potential(s) are in {}: move them to another phase first.", p.name),
                ));
            }
        }
        if before.is_default && !input.is_default {
            errors.push(FieldError::new("is_default", "required", "Make another pipeline the default instead."));
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        for p in dropped {
            let used: i64 = potential_phase_history::table
                .filter(potential_phase_history::phase_id.eq(p.id.to_string()))
                .count()
                .get_result(c)?;
            let rows = pipeline_phases::table
                .filter(pipeline_phases::org_id.eq(org.to_string()))
                .filter(pipeline_phases::id.eq(p.id.to_string()));
            if used > 0 {
                diesel::update(rows).set(pipeline_phases::retired.eq(true)).execute(c)?;
            } else {
                diesel::delete(rows).execute(c)?;
            }
        }
        write_phases(c, org, id, &input.phases)?;
        // Potentials keep their own probability when they set one; the others follow their phase's.
        for p in &input.phases {
            if let Some(pid) = p.id {
                diesel::update(potentials::table)
                    .filter(potentials::org_id.eq(org.to_string()))
                    .filter(potentials::phase_id.eq(pid.to_string()))
                    .filter(potentials::probability_overridden.eq(false))
                    .set(potentials::probability.eq(p.probability))
                    .execute(c)?;
            }
        }
        if input.is_default && !before.is_default {
            diesel::update(pipelines::table.filter(pipelines::org_id.eq(org.to_string())))
                .set(pipelines::is_default.eq(false))
                .execute(c)?;
        }
        let updated = diesel::update(pipelines::table)
            .filter(pipelines::org_id.eq(org.to_string()))
            .filter(pipelines::id.eq(id.to_string()))
            .filter(pipelines::version.eq(version))
            .set((
                pipelines::name.eq(input.name.trim()),
                pipelines::is_default.eq(input.is_default),
                pipelines::updated_at.eq(now()),
                pipelines::version.eq(version + 1),
            ))
            .execute(c)
            .map_err(|e| match Error::from(e) {
                Error::Conflict(_) => Error::field("name", "taken", "A pipeline with this name exists already."),
                other => other,
            })?;
        if updated == 0 {
            return Err(Error::Stale(version));
        }
        let after = find_pipeline(c, org, id)?;
        audit::record_updated(c, scope, PIPELINE, &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

/// The organization's default pipeline and lost reasons, when it has none (idempotent: two nodes
/// starting at once insert one, the unique names refusing the second).
pub(crate) fn ensure_defaults(conn: &mut DbConnection, org: OrgId) -> Result<()> {
    transaction(conn, |c| {
        let has: i64 = pipelines::table.filter(pipelines::org_id.eq(org.to_string())).count().get_result(c)?;
        if has == 0 {
            insert_pipeline(
                c,
                org,
                &PipelineInput { name: "Sales".into(), phases: default_phases(), is_default: true },
            )?;
        }
        let reasons: i64 =
            lost_reasons::table.filter(lost_reasons::org_id.eq(org.to_string())).count().get_result(c)?;
        if reasons == 0 {
            for name in default_lost_reasons() {
                insert_reason(c, org, &LostReasonInput { name: name.into(), active: true })?;
            }
        }
        Ok(())
    })
}

fn insert_reason(c: &mut DbConnection, org: OrgId, input: &LostReasonInput) -> Result<LostReasonId> {
    let id = LostReasonId(new_id());
    diesel::insert_into(lost_reasons::table)
        .values((
            lost_reasons::id.eq(id.to_string()),
            lost_reasons::org_id.eq(org.to_string()),
            lost_reasons::name.eq(input.name.trim()),
            lost_reasons::active.eq(input.active),
            lost_reasons::created_at.eq(now()),
        ))
        .execute(c)
        .map_err(|e| match Error::from(e) {
            Error::Conflict(_) => Error::field("name", "taken", "This lost reason exists already."),
            other => other,
        })?;
    Ok(id)
}

fn find_reason(c: &mut DbConnection, org: OrgId, id: LostReasonId) -> Result<LostReasonView> {
    let (rid, name, active): (String, String, bool) = lost_reasons::table
        .filter(lost_reasons::org_id.eq(org.to_string()))
        .filter(lost_reasons::id.eq(id.to_string()))
        .select((lost_reasons::id, lost_reasons::name, lost_reasons::active))
        .first(c)
        .optional()?
        .ok_or(Error::NotFound)?;
    Ok(LostReasonView { id: parse_id(&rid)?, name, active })
}

/// The organization's lost reasons (active and retired), by name.
pub fn list_lost_reasons(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<LostReasonView>> {
    scope.require(Module::Pipeline, Action::Read)?;
    let rows: Vec<(String, String, bool)> = lost_reasons::table
        .filter(lost_reasons::org_id.eq(scope.org_id().to_string()))
        .order(lost_reasons::name.asc())
        .select((lost_reasons::id, lost_reasons::name, lost_reasons::active))
        .load(conn)?;
    rows.into_iter().map(|(id, name, active)| Ok(LostReasonView { id: parse_id(&id)?, name, active })).collect()
}

pub fn create_lost_reason(conn: &mut DbConnection, scope: &Scope, input: &LostReasonInput) -> Result<LostReasonView> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let id = insert_reason(c, scope.org_id(), input)?;
        let view = find_reason(c, scope.org_id(), id)?;
        audit::record_created(c, scope, "lost_reason", &id.to_string(), &view)?;
        Ok(view)
    })
}

/// Rename a lost reason or retire it (potentials lost for it keep it).
pub fn update_lost_reason(
    conn: &mut DbConnection,
    scope: &Scope,
    id: LostReasonId,
    input: &LostReasonInput,
) -> Result<LostReasonView> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let before = find_reason(c, scope.org_id(), id)?;
        diesel::update(lost_reasons::table)
            .filter(lost_reasons::org_id.eq(scope.org_id().to_string()))
            .filter(lost_reasons::id.eq(id.to_string()))
            .set((lost_reasons::name.eq(input.name.trim()), lost_reasons::active.eq(input.active)))
            .execute(c)
            .map_err(|e| match Error::from(e) {
                Error::Conflict(_) => Error::field("name", "taken", "This lost reason exists already."),
                other => other,
            })?;
        let after = find_reason(c, scope.org_id(), id)?;
        audit::record_updated(c, scope, "lost_reason", &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

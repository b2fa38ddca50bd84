//! CSV imports: rows are streamed into the database as they are uploaded (so memory stays flat and
//! any node can process them), mapped, checked in a dry run, and imported by a background job in
//! batches. Each batch commits its leads together with the rows' results and the progress counters,
//! so a crashed import resumes where it stopped without importing a row twice. `batch` turns one row
//! into a lead with the rules loaded once per batch.

pub mod batch;

use std::collections::HashMap;
use std::io::Read;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::core::custom_fields::{parse_text, CustomFieldView};
use kith_domain::core::modules::Module;
use kith_domain::core::permissions::{Action, RecordScope};
use kith_domain::leads::imports::*;
use kith_domain::leads::webforms::lead_from_submission;
use kith_domain::leads::{DuplicateRule, LeadSource, NewLead};
use kith_domain::{FieldError, ImportId, LeadId, OrgId};

use crate::core::jobs::{self, NewJob};
use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::leads::imports::batch::{import_one, BatchContext, RowOutcome};
use crate::schema::{import_check_keys, import_check_rows, import_rows, imports, leads};
use crate::{core::custom_fields, DbConnection, Error, Result, Scope};

pub const JOB: &str = "import";
/// The job that checks an import's rows (the dry run).
pub const CHECK_JOB: &str = "import_check";
const UPLOAD_BATCH: usize = 1000;
pub const PROCESS_BATCH: i64 = 500;
/// Cells longer than this are cut: no CSV cell is a lead field that long.
const MAX_CELL: usize = 10_000;
const MAX_COLUMNS: usize = 200;

#[derive(Queryable, Selectable)]
#[diesel(table_name = imports)]
struct ImportRow {
    id: String,
    file_name: String,
    status: String,
    headers: String,
    total_rows: i64,
    mapping: Option<String>,
    processed: i64,
    created: i64,
    updated: i64,
    skipped: i64,
    failed: i64,
    error: Option<String>,
    created_at: NaiveDateTime,
    started_at: Option<NaiveDateTime>,
    finished_at: Option<NaiveDateTime>,
    version: i64,
    check_status: Option<String>,
    check_rows: i64,
    check_valid: i64,
    check_invalid: i64,
    check_dup_existing: i64,
    check_dup_in_file: i64,
}

impl ImportRow {
    /// The view, with a mapping suggested from the headers and the organization's custom fields.
    fn into_view(self, defs: &[CustomFieldView]) -> Result<ImportView> {
        let headers: Vec<String> = serde_json::from_str(&self.headers).unwrap_or_default();
        let mapping: Option<ImportMapping> = self.mapping.as_deref().and_then(|m| serde_json::from_str(m).ok());
        Ok(ImportView {
            id: parse_id(&self.id)?,
            file_name: self.file_name,
            status: ImportStatus::parse(&self.status).ok_or_else(|| Error::Internal("bad import status".into()))?,
            suggested: suggest_mapping(&headers, defs),
            headers,
            total_rows: self.total_rows,
            mapping,
            progress: ImportProgress {
                processed: self.processed,
                created: self.created,
                updated: self.updated,
                skipped: self.skipped,
                failed: self.failed,
            },
            check: self
                .check_status
                .as_deref()
                .and_then(CheckStatus::parse)
                .map(|status| ImportCheck { status, checked_rows: self.check_rows }),
            error: self.error,
            created_at: to_utc(self.created_at),
            started_at: self.started_at.map(to_utc),
            finished_at: self.finished_at.map(to_utc),
            version: self.version,
        })
    }
}

fn find_row(conn: &mut DbConnection, org_id: OrgId, id: ImportId) -> Result<ImportRow> {
    imports::table
        .filter(imports::org_id.eq(org_id.to_string()))
        .filter(imports::id.eq(id.to_string()))
        .select(ImportRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// An import the caller may work with: their own, or any with access to all leads. Another
/// person's import is not found (it would show their file and its results).
fn own_row(conn: &mut DbConnection, scope: &Scope, id: ImportId) -> Result<ImportRow> {
    scope.require(Module::Leads, Action::Write)?;
    let mut q = imports::table
        .filter(imports::org_id.eq(scope.org_id().to_string()))
        .filter(imports::id.eq(id.to_string()))
        .select(ImportRow::as_select())
        .into_boxed();
    if scope.permissions().get(Module::Leads).scope != RecordScope::All {
        q = q.filter(imports::created_by.eq(scope.actor_id().unwrap_or_default().to_owned()));
    }
    q.first(conn).optional()?.ok_or(Error::NotFound)
}

fn view(conn: &mut DbConnection, org_id: OrgId, id: ImportId) -> Result<ImportView> {
    let row = find_row(conn, org_id, id)?;
    row.into_view(&custom_fields::defs(conn, org_id, crate::leads::ENTITY)?)
}

pub fn get(conn: &mut DbConnection, scope: &Scope, id: ImportId) -> Result<ImportView> {
    own_row(conn, scope, id)?.into_view(&custom_fields::defs(conn, scope.org_id(), crate::leads::ENTITY)?)
}

/// Store a CSV file's rows as an import, reading it as a stream. The first row names the columns.
pub fn upload(conn: &mut DbConnection, scope: &Scope, file_name: &str, reader: impl Read) -> Result<ImportView> {
    scope.require(Module::Leads, Action::Write)?;
    let mut csv = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(reader);
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| Error::field("file", "csv", &format!("The first line is not CSV column names: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    if headers.is_empty() || headers.iter().all(String::is_empty) {
        return Err(Error::field("file", "empty", "The file has no column names."));
    }
    if headers.len() > MAX_COLUMNS {
        return Err(Error::field("file", "columns", "At most 200 columns."));
    }
    let id = ImportId(new_id());
    let at = now();
    transaction(conn, |c| {
        diesel::insert_into(imports::table)
            .values((
                imports::id.eq(id.to_string()),
                imports::org_id.eq(scope.org_id().to_string()),
                imports::created_by.eq(scope.actor_id()),
                imports::file_name.eq(file_name.chars().take(255).collect::<String>()),
                imports::status.eq(ImportStatus::Uploaded.as_str()),
                imports::headers.eq(serde_json::to_string(&headers).unwrap_or_default()),
                imports::total_rows.eq(0i64),
                imports::processed.eq(0i64),
                imports::created.eq(0i64),
                imports::updated.eq(0i64),
                imports::skipped.eq(0i64),
                imports::failed.eq(0i64),
                imports::created_at.eq(at),
                imports::version.eq(1i64),
            ))
            .execute(c)?;
        Ok(())
    })?;
    let stored = store_rows(conn, id, &mut csv);
    if let Err(e) = stored {
        // Nothing half-written: a failed upload leaves no import behind.
        let _ = transaction(conn, |c| {
            diesel::delete(import_rows::table.filter(import_rows::import_id.eq(id.to_string()))).execute(c)?;
            diesel::delete(imports::table.filter(imports::id.eq(id.to_string()))).execute(c)?;
            Ok(())
        });
        return Err(e);
    }
    view(conn, scope.org_id(), id)
}

fn store_rows(conn: &mut DbConnection, id: ImportId, csv: &mut csv::Reader<impl Read>) -> Result<()> {
    let mut batch: Vec<(i64, String)> = Vec::with_capacity(UPLOAD_BATCH);
    let mut row_number = 0i64;
    let flush = |conn: &mut DbConnection, batch: &mut Vec<(i64, String)>| -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let rows: Vec<(i64, String)> = std::mem::take(batch);
        // One statement per row inside one transaction: multi-row VALUES does not go through the
        // shared connection type, and in a transaction single inserts are cheap on both databases.
        transaction(conn, |c| {
            for (n, cells) in &rows {
                diesel::insert_into(import_rows::table)
                    .values((
                        import_rows::import_id.eq(id.to_string()),
                        import_rows::row_number.eq(n),
                        import_rows::cells.eq(cells),
                    ))
                    .execute(c)?;
            }
            Ok(())
        })
    };
    for record in csv.records() {
        let record = record
            .map_err(|e| Error::field("file", "csv", &format!("Row {} is not valid CSV: {e}", row_number + 1)))?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        row_number += 1;
        let cells: Vec<String> = record.iter().map(|cell| cell.chars().take(MAX_CELL).collect()).collect();
        batch.push((row_number, serde_json::to_string(&cells).unwrap_or_default()));
        if batch.len() >= UPLOAD_BATCH {
            flush(conn, &mut batch)?;
        }
    }
    flush(conn, &mut batch)?;
    diesel::update(imports::table.filter(imports::id.eq(id.to_string())))
        .set(imports::total_rows.eq(row_number))
        .execute(conn)?;
    Ok(())
}

/// Set how columns map to lead fields and what to do with duplicates.
pub fn set_mapping(
    conn: &mut DbConnection,
    scope: &Scope,
    id: ImportId,
    mapping: &ImportMapping,
) -> Result<ImportView> {
    transaction(conn, |c| {
        let row = own_row(c, scope, id)?;
        if !matches!(row.status.as_str(), "uploaded" | "mapped") {
            return Err(Error::field("status", "started", "This import has started; its mapping is fixed."));
        }
        let headers: Vec<String> = serde_json::from_str(&row.headers).unwrap_or_default();
        let mut problems = mapping.problems(&headers, &custom_fields::defs(c, scope.org_id(), crate::leads::ENTITY)?);
        if let Some(owner) = mapping.owner_id {
            match crate::leads::check_owner(c, scope, owner, "owner_id") {
                Ok(()) => {}
                Err(Error::Validation(errors)) => problems.extend(errors),
                Err(e) => return Err(e),
            }
            // The same rule as creating one lead: a role limited to its own or its team's leads
            // imports leads it owns.
            if scope.permissions().get(Module::Leads).scope != RecordScope::All
                && Some(owner) != scope.acting_user().map(|a| a.user_id)
            {
                problems.push(FieldError::new(
                    "owner_id",
                    "not_yours",
                    "Your role only lets you import leads you own: leave the owner empty or choose yourself.",
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::Validation(problems));
        }
        diesel::update(imports::table.filter(imports::id.eq(id.to_string())))
            .set((
                imports::mapping.eq(Some(serde_json::to_string(mapping).unwrap_or_default())),
                imports::status.eq(ImportStatus::Mapped.as_str()),
                imports::version.eq(imports::version + 1),
            ))
            .execute(c)?;
        // A new mapping makes an earlier check's findings stale.
        reset_check(c, id, None)?;
        view(c, scope.org_id(), id)
    })
}

/// A row's cells as a lead, read through the mapping exactly like a form submission, with the custom
/// columns read as their fields' kinds. A cell made formula-safe by an export (`'=…`, `'-42`) is
/// read as it was.
fn lead_of(
    headers: &[String],
    mapping: &ImportMapping,
    defs: &[CustomFieldView],
    cells: &[String],
) -> std::result::Result<(NewLead, Option<String>), Vec<FieldError>> {
    let by_name: HashMap<&str, &str> =
        headers.iter().map(String::as_str).zip(cells.iter().map(|c| crate::leads::from_spreadsheet(c))).collect();
    let submitted =
        lead_from_submission(&mapping.fields(), &[], None, &|name| by_name.get(name).map(|v| (*v).to_owned()));
    let mut errors = Vec::new();
    let mut custom = std::collections::BTreeMap::new();
    for (column, key) in mapping.custom_columns() {
        let Some(def) = defs.iter().find(|d| d.key == key) else {
            errors.push(FieldError::new(format!("custom.{key}"), "unknown", "No such custom field."));
            continue;
        };
        match parse_text(def, by_name.get(column).copied().unwrap_or_default()) {
            Ok(serde_json::Value::Null) => {}
            Ok(value) => {
                custom.insert(key.to_owned(), value);
            }
            Err(e) => errors.push(e),
        }
    }
    let (mut lead, note) = match submitted {
        Ok(ok) if errors.is_empty() => ok,
        Ok(_) => return Err(errors),
        Err(mut e) => {
            e.extend(errors);
            return Err(e);
        }
    };
    lead.source = Some(LeadSource::Import);
    lead.owner_id = mapping.owner_id;
    lead.tags = mapping.tags.clone();
    lead.custom = custom;
    Ok((lead.tidy(), note))
}

fn mapping_of(row: &ImportRow) -> Result<(Vec<String>, ImportMapping)> {
    let headers: Vec<String> = serde_json::from_str(&row.headers).unwrap_or_default();
    let mapping: ImportMapping = row
        .mapping
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
        .ok_or_else(|| Error::field("mapping", "required", "Map the columns first."))?;
    Ok((headers, mapping))
}

/// Forget a check's findings; with a status, start a new check from the first row.
fn reset_check(c: &mut DbConnection, id: ImportId, status: Option<CheckStatus>) -> Result<()> {
    diesel::delete(import_check_rows::table.filter(import_check_rows::import_id.eq(id.to_string()))).execute(c)?;
    diesel::delete(import_check_keys::table.filter(import_check_keys::import_id.eq(id.to_string()))).execute(c)?;
    diesel::update(imports::table.filter(imports::id.eq(id.to_string())))
        .set((
            imports::check_status.eq(status.map(CheckStatus::as_str)),
            imports::check_rows.eq(0i64),
            imports::check_valid.eq(0i64),
            imports::check_invalid.eq(0i64),
            imports::check_dup_existing.eq(0i64),
            imports::check_dup_in_file.eq(0i64),
        ))
        .execute(c)?;
    Ok(())
}

/// Check every row without importing anything — invalid rows, duplicates of leads the importer may
/// change, duplicates of earlier rows — in the background, a batch at a time (a file of 700,000
/// rows takes minutes: no request waits for it). Follow it on the import (`check`) and read the
/// findings with [`check_report`].
pub fn dry_run(conn: &mut DbConnection, scope: &Scope, id: ImportId) -> Result<ImportView> {
    transaction(conn, |c| {
        let row = own_row(c, scope, id)?;
        mapping_of(&row)?;
        if !matches!(row.status.as_str(), "uploaded" | "mapped") {
            return Err(Error::field("status", "started", "This import has started; there is nothing left to check."));
        }
        reset_check(c, id, Some(CheckStatus::Queued))?;
        diesel::update(imports::table.filter(imports::id.eq(id.to_string())))
            .set(imports::version.eq(imports::version + 1))
            .execute(c)?;
        jobs::enqueue(
            c,
            &NewJob {
                org_id: Some(scope.org_id()),
                // One job per request: asking again starts over.
                unique_key: Some(format!("{CHECK_JOB}:{id}:{}", row.version + 1)),
                max_attempts: 20,
                ..NewJob::now(CHECK_JOB, serde_json::json!({ "import_id": id.to_string(), "version": row.version + 1 }))
            },
        )?;
        view(c, scope.org_id(), id)
    })
}

/// Check the next batch of rows of a queued or running check. Returns whether rows remain.
pub fn check_batch(conn: &mut DbConnection, id: ImportId) -> Result<bool> {
    let (org, created_by, status): (String, Option<String>, Option<String>) = imports::table
        .find(id.to_string())
        .select((imports::org_id, imports::created_by, imports::check_status))
        .first(conn)?;
    if !matches!(status.as_deref(), Some("queued" | "running")) {
        return Ok(false);
    }
    let org_id: OrgId = parse_id(&org)?;
    let Some(scope) = importer(conn, org_id, created_by.as_deref())? else {
        diesel::update(imports::table.filter(imports::id.eq(id.to_string())))
            .set(imports::check_status.eq(Some(CheckStatus::Failed.as_str())))
            .execute(conn)?;
        return Ok(false);
    };
    transaction(conn, |c| {
        let row = find_row(c, org_id, id)?;
        let (headers, mapping) = mapping_of(&row)?;
        let rule = if mapping.duplicate_policy == DuplicatePolicy::Create {
            DuplicateRule::Off
        } else {
            crate::leads::rules::settings(c, org_id)?.duplicate_rule
        };
        let defs = custom_fields::defs(c, org_id, crate::leads::ENTITY)?;
        // Rows are numbered 1.. without gaps and checked in order: the next batch starts after
        // `check_rows`.
        let batch: Vec<(i64, String)> = import_rows::table
            .filter(import_rows::import_id.eq(id.to_string()))
            .filter(import_rows::row_number.gt(row.check_rows))
            .order(import_rows::row_number.asc())
            .select((import_rows::row_number, import_rows::cells))
            .limit(PROCESS_BATCH)
            .load(c)?;
        let mut n = CheckCounts::default();
        for (number, cells) in &batch {
            let cells: Vec<String> = serde_json::from_str(cells).unwrap_or_default();
            let finding = check_row(c, &scope, id, rule, (&headers, &mapping, &defs), *number, &cells)?;
            n.rows += 1;
            match &finding {
                Finding::Invalid(_) => n.invalid += 1,
                Finding::Valid => n.valid += 1,
                Finding::InFile(_) => {
                    n.valid += 1;
                    n.in_file += 1;
                }
                Finding::Existing(_) => {
                    n.valid += 1;
                    n.existing += 1;
                }
            }
            let (kind, errors, lead, earlier) = match finding {
                Finding::Valid => continue,
                Finding::Invalid(e) => ("invalid", Some(serde_json::to_string(&e).unwrap_or_default()), None, None),
                Finding::InFile(earlier) => ("duplicate", None, None, Some(earlier)),
                Finding::Existing(lead) => ("duplicate", None, Some(lead.to_string()), None),
            };
            diesel::insert_into(import_check_rows::table)
                .values((
                    import_check_rows::import_id.eq(id.to_string()),
                    import_check_rows::row_number.eq(number),
                    import_check_rows::kind.eq(kind),
                    import_check_rows::errors.eq(errors),
                    import_check_rows::lead_id.eq(lead),
                    import_check_rows::earlier_row.eq(earlier),
                ))
                .execute(c)?;
        }
        let done = (batch.len() as i64) < PROCESS_BATCH || row.check_rows + n.rows >= row.total_rows;
        // Only from where this batch began: if another worker got here first, this batch rolls back.
        let claimed = diesel::update(
            imports::table.filter(imports::id.eq(id.to_string())).filter(imports::check_rows.eq(row.check_rows)),
        )
        .set((
            imports::check_rows.eq(imports::check_rows + n.rows),
            imports::check_valid.eq(imports::check_valid + n.valid),
            imports::check_invalid.eq(imports::check_invalid + n.invalid),
            imports::check_dup_existing.eq(imports::check_dup_existing + n.existing),
            imports::check_dup_in_file.eq(imports::check_dup_in_file + n.in_file),
            imports::check_status.eq(Some(if done { CheckStatus::Done } else { CheckStatus::Running }.as_str())),
        ))
        .execute(c)?;
        if claimed != 1 {
            return Err(Error::Conflict(format!("the check of import {id} was taken by another worker")));
        }
        Ok(!done)
    })
}

#[derive(Default)]
struct CheckCounts {
    rows: i64,
    valid: i64,
    invalid: i64,
    existing: i64,
    in_file: i64,
}

enum Finding {
    Valid,
    Invalid(Vec<FieldError>),
    /// The same email or phone as this earlier row.
    InFile(i64),
    /// The same as a lead the importer may change.
    Existing(LeadId),
}

type Mapped<'a> = (&'a [String], &'a ImportMapping, &'a [CustomFieldView]);

/// One row's finding. Keys (email, phone) of a row that is not a duplicate are kept, so later rows
/// of the file — in this batch or a later one — find it.
fn check_row(
    c: &mut DbConnection,
    scope: &Scope,
    id: ImportId,
    rule: DuplicateRule,
    (headers, mapping, defs): Mapped<'_>,
    number: i64,
    cells: &[String],
) -> Result<Finding> {
    let lead = match lead_of(headers, mapping, defs, cells) {
        Ok((lead, _)) => lead,
        Err(errors) => return Ok(Finding::Invalid(errors)),
    };
    let mut errors = match validator::Validate::validate(&lead) {
        Ok(()) => vec![],
        Err(e) => kith_domain::core::validation::field_errors(&e),
    };
    errors.extend(lead.check_identifiable());
    if !errors.is_empty() {
        return Ok(Finding::Invalid(errors));
    }
    if rule == DuplicateRule::Off {
        return Ok(Finding::Valid);
    }
    let email = lead.email.as_deref().map(kith_domain::core::validation::normalize_email);
    let phone = lead.phone.as_deref().and_then(|p| crate::leads::normalize_phone(p, lead.country.as_deref()));
    let keys: Vec<String> = email
        .iter()
        .map(|e| format!("e:{e}"))
        .chain(phone.iter().filter(|_| rule == DuplicateRule::EmailOrPhone).map(|p| format!("p:{p}")))
        .collect();
    let earlier: Option<i64> = import_check_keys::table
        .filter(import_check_keys::import_id.eq(id.to_string()))
        .filter(import_check_keys::key.eq_any(&keys))
        .select(diesel::dsl::min(import_check_keys::row_number))
        .first(c)?;
    if let Some(earlier) = earlier {
        return Ok(Finding::InFile(earlier));
    }
    for key in &keys {
        diesel::insert_into(import_check_keys::table)
            .values((
                import_check_keys::import_id.eq(id.to_string()),
                import_check_keys::key.eq(key),
                import_check_keys::row_number.eq(number),
            ))
            .execute(c)?;
    }
    // Only leads the importer may see and change count: a row matching someone else's lead
    // becomes a lead of its own (see `leads::capture`), and nothing of the other is shown.
    let mut q = crate::leads::writable_leads(scope)?.select(leads::id);
    q = match (&email, &phone, rule) {
        (Some(e), Some(p), DuplicateRule::EmailOrPhone) => {
            q.filter(leads::email_normalized.eq(e.clone()).or(leads::phone_e164.eq(p.clone())))
        }
        (Some(e), _, _) => q.filter(leads::email_normalized.eq(e.clone())),
        (None, Some(p), DuplicateRule::EmailOrPhone) => q.filter(leads::phone_e164.eq(p.clone())),
        _ => return Ok(Finding::Valid),
    };
    Ok(match q.first::<String>(c).optional()? {
        Some(existing) => Finding::Existing(parse_id(&existing)?),
        None => Finding::Valid,
    })
}

/// (row, errors as JSON, lead id, earlier row) of a row the check lists.
type CheckRow = (i64, Option<String>, Option<String>, Option<i64>);

/// What the dry run found so far: the counts, the first 100 invalid rows and the first 100
/// duplicates.
pub fn check_report(conn: &mut DbConnection, scope: &Scope, id: ImportId) -> Result<DryRunReport> {
    let row = own_row(conn, scope, id)?;
    let Some(status) = row.check_status.as_deref().and_then(CheckStatus::parse) else {
        return Err(Error::field("check", "not_started", "Check the rows first (POST …/dry-run)."));
    };
    let listed = |conn: &mut DbConnection, kind: &str| -> Result<Vec<CheckRow>> {
        Ok(import_check_rows::table
            .filter(import_check_rows::import_id.eq(id.to_string()))
            .filter(import_check_rows::kind.eq(kind.to_owned()))
            .order(import_check_rows::row_number.asc())
            .select((
                import_check_rows::row_number,
                import_check_rows::errors,
                import_check_rows::lead_id,
                import_check_rows::earlier_row,
            ))
            .limit(100)
            .load(conn)?)
    };
    let errors = listed(conn, "invalid")?
        .into_iter()
        .map(|(row, errors, _, _)| RowProblem {
            row,
            errors: errors.as_deref().and_then(|e| serde_json::from_str(e).ok()).unwrap_or_default(),
        })
        .collect();
    let duplicates = listed(conn, "duplicate")?
        .into_iter()
        .map(|(row, _, lead, earlier_row)| {
            Ok(RowDuplicate { row, lead_id: lead.as_deref().map(parse_id).transpose()?, earlier_row })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(DryRunReport {
        status,
        rows: row.check_rows,
        valid: row.check_valid,
        invalid: row.check_invalid,
        duplicates_existing: row.check_dup_existing,
        duplicates_in_file: row.check_dup_in_file,
        errors,
        duplicates,
    })
}

/// The whole check at once, for the `kith import` command (which waits for it anyway).
pub fn check_now(conn: &mut DbConnection, scope: &Scope, id: ImportId) -> Result<DryRunReport> {
    dry_run(conn, scope, id)?;
    while check_batch(conn, id)? {}
    check_report(conn, scope, id)
}

/// Queue the import to run in the background.
pub fn start(conn: &mut DbConnection, scope: &Scope, id: ImportId) -> Result<ImportView> {
    transaction(conn, |c| {
        let row = own_row(c, scope, id)?;
        mapping_of(&row)?;
        if row.status != "mapped" {
            return Err(Error::field("status", "started", "This import has started already."));
        }
        diesel::update(imports::table.filter(imports::id.eq(id.to_string())))
            .set((imports::status.eq(ImportStatus::Queued.as_str()), imports::version.eq(imports::version + 1)))
            .execute(c)?;
        jobs::enqueue(
            c,
            &NewJob {
                org_id: Some(scope.org_id()),
                unique_key: Some(format!("import:{id}")),
                max_attempts: 20,
                ..NewJob::now(JOB, serde_json::json!({ "import_id": id.to_string() }))
            },
        )?;
        view(c, scope.org_id(), id)
    })
}

/// The importer's rights as they are now, for the check and every imported row: a rep limited to
/// their own leads cannot update a colleague's lead through a file, and an importer who was
/// disabled or lost lead access imports (and checks) nothing.
fn importer(conn: &mut DbConnection, org_id: OrgId, created_by: Option<&str>) -> Result<Option<Scope>> {
    let scope = match created_by {
        Some(actor) => Scope::of_recorded_actor(conn, org_id, actor)?,
        // Only the operator's `kith import` (a system scope, no actor) uploads without a principal;
        // every API upload records its user or API key.
        None => Some(Scope::system(org_id, crate::core::scope::SystemTask::Operator)),
    };
    Ok(scope.filter(|s| s.require(Module::Leads, Action::Write).is_ok()))
}

/// Import the next batch of rows. Returns the progress and whether rows remain.
pub fn process_batch(conn: &mut DbConnection, id: ImportId) -> Result<(ImportProgress, bool)> {
    let (org, created_by, status): (String, Option<String>, String) = imports::table
        .find(id.to_string())
        .select((imports::org_id, imports::created_by, imports::status))
        .first(conn)?;
    let org_id: OrgId = parse_id(&org)?;
    if matches!(status.as_str(), "completed" | "failed") {
        return Ok((view(conn, org_id, id)?.progress, false));
    }
    let Some(scope) = importer(conn, org_id, created_by.as_deref())? else {
        return transaction(conn, |c| {
            diesel::update(imports::table.filter(imports::id.eq(id.to_string())))
                .set((
                    imports::status.eq(ImportStatus::Failed.as_str()),
                    imports::error.eq(Some("The person who started this import can no longer import leads.")),
                    imports::finished_at.eq(Some(now())),
                    imports::version.eq(imports::version + 1),
                ))
                .execute(c)?;
            Ok((view(c, org_id, id)?.progress, false))
        });
    };
    transaction(conn, |c| {
        let row = find_row(c, org_id, id)?;
        let (headers, mapping) = mapping_of(&row)?;
        if row.started_at.is_none() {
            diesel::update(imports::table.filter(imports::id.eq(id.to_string())))
                .set((imports::status.eq(ImportStatus::Running.as_str()), imports::started_at.eq(Some(now()))))
                .execute(c)?;
        }
        // Rows are numbered 1.. without gaps and imported in order, whole batches at a time, so the
        // next batch starts after `processed`: a range read on the primary key, however far along.
        let batch: Vec<(i64, String)> = import_rows::table
            .filter(import_rows::import_id.eq(id.to_string()))
            .filter(import_rows::row_number.gt(row.processed))
            .filter(import_rows::status.is_null())
            .order(import_rows::row_number.asc())
            .select((import_rows::row_number, import_rows::cells))
            .limit(PROCESS_BATCH)
            .load(c)?;
        let mut ctx = BatchContext::load(c, org_id)?;
        let mut p = ImportProgress::default();
        for (n, cells) in &batch {
            let cells: Vec<String> = serde_json::from_str(cells).unwrap_or_default();
            let outcome = match lead_of(&headers, &mapping, ctx.custom_fields(), &cells) {
                Ok((lead, note)) => import_one(c, &scope, &mut ctx, &lead, note.as_deref(), mapping.duplicate_policy)?,
                Err(errors) => RowOutcome::Failed(errors),
            };
            let (status, lead, message): (&str, Option<LeadId>, Option<String>) = match outcome {
                RowOutcome::Created(l) => {
                    p.created += 1;
                    ("created", Some(l), None)
                }
                RowOutcome::Updated(l) => {
                    p.updated += 1;
                    ("updated", Some(l), None)
                }
                RowOutcome::Skipped(l) => {
                    p.skipped += 1;
                    ("skipped", Some(l), Some("duplicate of an existing lead".into()))
                }
                RowOutcome::Failed(errors) => {
                    p.failed += 1;
                    let text =
                        errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
                    ("failed", None, Some(text))
                }
            };
            p.processed += 1;
            // Only a row no one has imported yet: if another worker got here first, this whole
            // batch rolls back instead of importing its rows twice.
            let claimed = diesel::update(
                import_rows::table
                    .filter(import_rows::import_id.eq(id.to_string()))
                    .filter(import_rows::row_number.eq(n))
                    .filter(import_rows::status.is_null()),
            )
            .set((
                import_rows::status.eq(Some(status)),
                import_rows::lead_id.eq(lead.map(|l| l.to_string())),
                import_rows::message.eq(message),
            ))
            .execute(c)?;
            if claimed != 1 {
                return Err(Error::Conflict(format!("import row {n} was taken by another worker")));
            }
        }
        ctx.tell_hidden_matches(c, &scope)?;
        ctx.tell_unassigned(c, &scope)?;
        let remaining = batch.len() as i64 == PROCESS_BATCH;
        let done = !remaining || row.processed + p.processed >= row.total_rows;
        diesel::update(imports::table.filter(imports::id.eq(id.to_string())))
            .set((
                imports::processed.eq(imports::processed + p.processed),
                imports::created.eq(imports::created + p.created),
                imports::updated.eq(imports::updated + p.updated),
                imports::skipped.eq(imports::skipped + p.skipped),
                imports::failed.eq(imports::failed + p.failed),
                imports::status.eq(if done {
                    ImportStatus::Completed.as_str()
                } else {
                    ImportStatus::Running.as_str()
                }),
                imports::finished_at.eq(if done { Some(now()) } else { None }),
                imports::version.eq(imports::version + 1),
            ))
            .execute(c)?;
        let current = find_row(c, org_id, id)?.into_view(ctx.custom_fields())?;
        // Both planners choose indexes from table statistics, and a bulk load makes them stale
        // within minutes (a lookup planned for an empty table then scans a big one; without any,
        // SQLite answers `email = ? OR phone = ?` by scanning the organization's leads). Refresh
        // them as the import grows and when it ends.
        let before = row.processed / 5_000;
        let after = (row.processed + p.processed) / 5_000;
        if done || after > before || row.processed == 0 {
            crate::connection::refresh_statistics(c)?;
        }
        Ok((current.progress, !done))
    })
}

/// (row, status, lead id, message) of one imported row.
type RowResult = (i64, Option<String>, Option<String>, Option<String>);

/// The per-row results as CSV: row, status, lead id, message (formula-safe).
pub fn results_csv(conn: &mut DbConnection, scope: &Scope, id: ImportId) -> Result<Vec<u8>> {
    own_row(conn, scope, id)?;
    let mut wtr = csv::WriterBuilder::new().quote_style(csv::QuoteStyle::Always).from_writer(Vec::new());
    wtr.write_record(["row", "status", "lead_id", "message"]).map_err(|e| Error::Internal(e.to_string()))?;
    let mut after = 0i64;
    loop {
        let batch: Vec<RowResult> = import_rows::table
            .filter(import_rows::import_id.eq(id.to_string()))
            .filter(import_rows::row_number.gt(after))
            .order(import_rows::row_number.asc())
            .select((import_rows::row_number, import_rows::status, import_rows::lead_id, import_rows::message))
            .limit(5000)
            .load(conn)?;
        let Some(last) = batch.last().map(|b| b.0) else { break };
        after = last;
        for (n, status, lead, message) in batch {
            let cells = [
                n.to_string(),
                status.unwrap_or_else(|| "pending".into()),
                lead.unwrap_or_default(),
                message.unwrap_or_default(),
            ];
            wtr.write_record(cells.iter().map(|c| crate::leads::spreadsheet_safe(c)))
                .map_err(|e| Error::Internal(e.to_string()))?;
        }
    }
    wtr.into_inner().map_err(|e| Error::Internal(e.to_string()))
}

/// Imports run and are checked as background jobs, a slice at a time, so the lease never runs out
/// under a long file; the job comes back at once for the next slice.
pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new("import", kith_domain::core::modules::Module::Leads)
            .display(crate::display_by!("import", imports, file_name)),
    );
    k.job(JOB, |_, conn, job| {
        let id = import_of(job)?;
        let started = std::time::Instant::now();
        loop {
            let (_, more) = process_batch(conn, id).map_err(|e| e.to_string())?;
            if !more {
                return Ok(crate::core::kernel::JobDone::Finished);
            }
            if started.elapsed() > std::time::Duration::from_secs(60) {
                return Ok(crate::core::kernel::JobDone::Later(now()));
            }
        }
    });
    k.job(CHECK_JOB, |_, conn, job| {
        let id = import_of(job)?;
        let started = std::time::Instant::now();
        while check_batch(conn, id).map_err(|e| e.to_string())? {
            if started.elapsed() > std::time::Duration::from_secs(60) {
                return Ok(crate::core::kernel::JobDone::Later(now()));
            }
        }
        Ok(crate::core::kernel::JobDone::Finished)
    });
}

fn import_of(job: &crate::core::jobs::LeasedJob) -> std::result::Result<ImportId, String> {
    job.payload["import_id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{} job without import id", job.kind))
}

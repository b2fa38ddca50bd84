//! CSV export, safe to open in a spreadsheet (no formula injection), streamed page by page.

use super::*;

/// Would a spreadsheet read this cell as a formula, or is it already one made safe (`'` before one)?
pub(super) fn formula_like(cell: &str) -> bool {
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
    defs: Vec<kith_domain::core::custom_fields::CustomFieldView>,
}

pub(super) const EXPORT_HEADER: [&str; 17] = [
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

pub(super) fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().quote_style(csv::QuoteStyle::Always).from_writer(Vec::new())
}

/// Begin an export of what `q` selects: checks the query and permissions, records the export in the audit
/// trail, and returns the header line. The rows follow page by page ([`export_page`]), so an export of a
/// million leads streams without being held in memory.
pub fn export_start(conn: &mut DbConnection, scope: &Scope, q: &LeadListQuery) -> Result<(ExportColumns, Vec<u8>)> {
    // The same checks as a list (permissions, filters, sort): a bad query fails before anything is sent.
    list(conn, scope, &LeadListQuery { limit: Some(1), cursor: None, ..q.clone() })?;
    let defs = custom_fields::defs(conn, scope.org_id(), ENTITY)?;
    let mut wtr = csv_writer();
    let custom_header = defs.iter().map(|d| format!("{}{}", kith_domain::leads::imports::CUSTOM_PREFIX, d.key));
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
        &LeadListQuery { limit: Some(kith_domain::core::page::MAX_LIMIT), cursor, sort: None, ..q.clone() },
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
            .map(|d| l.custom.get(&d.key).and_then(kith_domain::core::custom_fields::as_text).unwrap_or_default());
        let cells: Vec<String> = row.into_iter().chain(custom).map(|c| spreadsheet_safe(&c)).collect();
        wtr.write_record(&cells).map_err(|e| Error::Internal(e.to_string()))?;
    }
    Ok((wtr.into_inner().map_err(|e| Error::Internal(e.to_string()))?, page.next_cursor))
}

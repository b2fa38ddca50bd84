//! Search for every record kind. A kind keeps one search document per record (`index` when the
//! record is written; the recycle bin's purge forgets it), and registers how its records are named
//! (`RecordKind::display`). A list of one kind narrows itself with `few_hits` and a per-row check of
//! its own; `across_kinds` answers the search box that looks through everything the caller may read.
//!
//! The index: an FTS5 trigram table on SQLite, brought up to date once per write transaction by
//! `flush` (a before-commit hook; triggers list the written documents in `fts_search_dirty`); a pg_trgm
//! GIN index on PostgreSQL, which maintains itself. See migration 2026-11-29-220000.

use diesel::prelude::*;
use kith_domain::core::permissions::Action;
use kith_domain::core::search::{has_indexed_term, terms, SearchHit, SearchResults, MIN_INDEXED_TERM_CHARS};
use kith_domain::OrgId;

use crate::core::kernel::{kernel, RecordRef};
use crate::core::util::like_pattern;
use crate::schema::search_documents;
use crate::{DbConnection, Error, Result, Scope};

/// Above this many index hits a search is "common" on SQLite: walking a list in its sort order and
/// checking each row finds a page of matches sooner than sorting every hit (with 2,000 hits in a
/// million records, a page of 50 is found within about 25,000 rows).
pub const FEW_HITS: i64 = 2_000;

/// How many candidate documents a search across kinds reads before it checks who may see them.
const CANDIDATES: i64 = 500;

/// Write (or replace) a record's search document: the text a search matches, lower-cased.
pub fn index(conn: &mut DbConnection, org_id: OrgId, record: &RecordRef, body: &str) -> Result<()> {
    let body = body.to_lowercase();
    let values = (
        search_documents::org_id.eq(org_id.to_string()),
        search_documents::record_kind.eq(record.kind),
        search_documents::record_id.eq(&record.id),
        search_documents::body.eq(&body),
    );
    let target = (search_documents::record_kind, search_documents::record_id);
    match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(search_documents::table)
            .values(values)
            .on_conflict(target)
            .do_update()
            .set(search_documents::body.eq(&body))
            .execute(c)?,
        DbConnection::Postgresql(c) => diesel::insert_into(search_documents::table)
            .values(values)
            .on_conflict(target)
            .do_update()
            .set(search_documents::body.eq(&body))
            .execute(c)?,
    };
    Ok(())
}

/// A purged record's search document goes with it.
pub(crate) fn forget(conn: &mut DbConnection, org_id: OrgId, record: &RecordRef) -> Result<()> {
    diesel::delete(
        search_documents::table
            .filter(search_documents::org_id.eq(org_id.to_string()))
            .filter(search_documents::record_kind.eq(record.kind))
            .filter(search_documents::record_id.eq(&record.id)),
    )
    .execute(conn)?;
    Ok(())
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// SQLite: bring the FTS5 index up to date with the documents this transaction wrote, once, just
/// before it commits. PostgreSQL maintains its index itself.
pub(crate) fn flush(conn: &mut DbConnection) -> Result<()> {
    if !matches!(conn, DbConnection::Sqlite(_)) {
        return Ok(());
    }
    #[derive(QueryableByName)]
    struct Dirty {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let dirty: Dirty = diesel::sql_query("SELECT count(*) AS n FROM fts_search_dirty").get_result(conn)?;
    if dirty.n == 0 {
        return Ok(());
    }
    // Documents that may be in the index (changed or deleted ones) leave it first, one by one: FTS5
    // finds a rowid by equality, while `rowid IN (…)` would read the whole index.
    let indexed: Vec<Row> =
        diesel::sql_query("SELECT doc_id AS id FROM fts_search_dirty WHERE indexed = 1").load(conn)?;
    for row in indexed {
        diesel::sql_query("DELETE FROM fts_search WHERE rowid = ?")
            .bind::<diesel::sql_types::BigInt, _>(row.id)
            .execute(conn)?;
    }
    diesel::sql_query(
        "INSERT INTO fts_search (rowid, body) SELECT d.id, d.body FROM fts_search_dirty x \
         JOIN search_documents d ON d.id = x.doc_id",
    )
    .execute(conn)?;
    diesel::sql_query("DELETE FROM fts_search_dirty").execute(conn)?;
    Ok(())
}

/// The FTS5 query for the indexed terms: each a quoted phrase ("contains this substring"), all of them.
fn fts_phrases(terms: &[String]) -> Option<String> {
    let phrases: Vec<String> = terms
        .iter()
        .filter(|t| t.chars().count() >= MIN_INDEXED_TERM_CHARS)
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect();
    (!phrases.is_empty()).then(|| phrases.join(" AND "))
}

/// For a list of one kind: the ids of the organization's records whose documents hold every indexed
/// term (three characters or more), when they are few. `None` when the index cannot narrow the list
/// cheaply — on PostgreSQL always (its planner weighs the trigram index against the list's sort order
/// itself), on SQLite when the terms are common or all short — and the list checks each row it walks
/// with a `search_documents` condition of its own instead.
pub fn few_hits(conn: &mut DbConnection, org_id: OrgId, kind: &str, terms: &[String]) -> Result<Option<Vec<String>>> {
    if !matches!(conn, DbConnection::Sqlite(_)) {
        return Ok(None);
    }
    let Some(query) = fts_phrases(terms) else { return Ok(None) };
    let hits: Vec<Row> = diesel::sql_query("SELECT rowid AS id FROM fts_search WHERE fts_search MATCH ? LIMIT ?")
        .bind::<diesel::sql_types::Text, _>(query)
        .bind::<diesel::sql_types::BigInt, _>(FEW_HITS + 1)
        .load(conn)?;
    if hits.len() as i64 > FEW_HITS {
        return Ok(None);
    }
    let ids: Vec<i64> = hits.into_iter().map(|h| h.id).collect();
    Ok(Some(
        search_documents::table
            .filter(search_documents::id.eq_any(ids))
            .filter(search_documents::org_id.eq(org_id.to_string()))
            .filter(search_documents::record_kind.eq(kind))
            .select(search_documents::record_id)
            .load(conn)?,
    ))
}

/// Everything the caller may read whose search document holds every term, newest first: each kind's
/// module read grant and record scope (own/team) apply, through the registry. Needs a term of three
/// characters or more (a search of short terms alone would read every record).
pub fn across_kinds(conn: &mut DbConnection, scope: &Scope, q: &str, limit: u32) -> Result<SearchResults> {
    if q.chars().count() > kith_domain::core::search::MAX_QUERY_CHARS {
        return Err(Error::field("q", "length", "Search with at most 1,000 characters."));
    }
    let terms = terms(q);
    if !has_indexed_term(&terms) {
        return Err(Error::field(
            "q",
            "too_short",
            "Type at least three characters of a name, email, company or phone.",
        ));
    }
    let kinds: Vec<&'static str> = kernel()
        .kinds()
        .iter()
        .filter(|k| k.display.is_some() && scope.require(k.module, Action::Read).is_ok())
        .map(|k| k.entity)
        .collect();
    if kinds.is_empty() {
        return Ok(SearchResults { hits: Vec::new(), more: false });
    }
    let mut docs = search_documents::table
        .filter(search_documents::org_id.eq(scope.org_id().to_string()))
        .filter(search_documents::record_kind.eq_any(&kinds))
        .into_boxed();
    let short: Vec<&String> = terms.iter().filter(|t| t.chars().count() < MIN_INDEXED_TERM_CHARS).collect();
    if let (DbConnection::Sqlite(_), Some(query)) = (&*conn, fts_phrases(&terms)) {
        // Every index hit, narrowed to this organization's documents as they are walked newest first
        // (SQLite reads the hits into a temporary index once): another organization's many hits can
        // never crowd this one's out.
        docs = docs.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "search_documents.id IN (SELECT rowid FROM fts_search WHERE fts_search MATCH ",
            )
            .bind::<diesel::sql_types::Text, _>(query)
            .sql(")"),
        );
        for term in short {
            docs = docs.filter(search_documents::body.like(like_pattern(term)).escape('\\'));
        }
    } else {
        for term in &terms {
            docs = docs.filter(search_documents::body.like(like_pattern(term)).escape('\\'));
        }
    }
    let found: Vec<(String, String)> = docs
        .order(search_documents::id.desc())
        .select((search_documents::record_kind, search_documents::record_id))
        .limit(CANDIDATES + 1)
        .load(conn)?;
    let mut more = found.len() as i64 > CANDIDATES;
    let found = &found[..found.len().min(CANDIDATES as usize)];

    // Each kind names the records the caller may read, in one query per kind; hits keep the
    // documents' order.
    let mut named: std::collections::HashMap<(String, String), SearchHit> = std::collections::HashMap::new();
    for kind in kernel().kinds().iter().filter(|k| kinds.contains(&k.entity)) {
        let ids: Vec<String> = found.iter().filter(|(k, _)| k == kind.entity).map(|(_, id)| id.clone()).collect();
        if ids.is_empty() {
            continue;
        }
        if let Some(display) = kind.display {
            for hit in display(conn, scope, &ids)? {
                named.insert((hit.kind.clone(), hit.id.clone()), hit);
            }
        }
    }
    let mut hits: Vec<SearchHit> = found.iter().filter_map(|key| named.remove(key)).collect();
    let limit = limit.clamp(1, kith_domain::core::search::MAX_HITS) as usize;
    if hits.len() > limit {
        hits.truncate(limit);
        more = true;
    }
    Ok(SearchResults { hits, more })
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.before_commit(flush);
}

/// Narrows a boxed query of `$table` (records of kind `$kind`) to those whose search document holds
/// every term: on SQLite the index's few hits when it has them, else (and for short terms) one
/// `EXISTS` per term on the record's document. See [`few_hits`].
#[macro_export]
macro_rules! matching_terms {
    ($conn:expr, $org:expr, $query:expr, $table:ident, $kind:expr, $terms:expr) => {{
        let terms: &[String] = $terms;
        let mut query = $query;
        let few = $crate::core::search::few_hits($conn, $org, $kind, terms)?;
        let indexed = |t: &&String| t.chars().count() >= kith_domain::core::search::MIN_INDEXED_TERM_CHARS;
        let checked: Vec<&String> = match few {
            Some(ids) => {
                query = query.filter($crate::schema::$table::id.eq_any(ids));
                terms.iter().filter(|t| !indexed(t)).collect()
            }
            None => terms.iter().collect(),
        };
        for term in checked {
            query = query.filter(diesel::dsl::exists(
                $crate::schema::search_documents::table
                    .select($crate::schema::search_documents::id)
                    .filter($crate::schema::search_documents::record_kind.eq($kind))
                    .filter($crate::schema::search_documents::record_id.eq($crate::schema::$table::id))
                    .filter(
                        $crate::schema::search_documents::body
                            .like($crate::core::util::like_pattern(term))
                            .escape('\\'),
                    ),
            ));
        }
        query
    }};
}

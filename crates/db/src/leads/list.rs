//! Reading: the list with its filters, sort and search (and the search index kept current before each
//! commit), the record scope as a query, and the timeline.

use super::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum SortField {
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

/// The list's sort field and direction (`-created_at` by default); an unknown one is refused.
fn sort_of(q: &LeadListQuery) -> Result<(SortField, Direction)> {
    let (field, dir) = parse_sort(q.sort.as_deref().unwrap_or("-created_at"));
    let field = match field {
        "created_at" => SortField::Created,
        "updated_at" => SortField::Updated,
        "name" => SortField::Name,
        "company" => SortField::Company,
        "score" => SortField::Score,
        _ => return Err(Error::field("sort", "unknown", "Sort by created_at, updated_at, name, company or score.")),
    };
    Ok((field, dir))
}

/// The caller's leads, filtered and sorted, one keyset page at a time.
pub fn list(conn: &mut DbConnection, scope: &Scope, q: &LeadListQuery) -> Result<Page<LeadView>> {
    scope.require(Module::Leads, Action::Read)?;
    // Scores whose decay step just passed are brought current first: the list sorts, filters and
    // shows the same score the lead's page explains.
    catch_up(conn, scope.org_id())?;
    let limit = clamp_limit(q.limit);
    let (field, dir) = sort_of(q)?;
    let cursor = q.cursor.as_deref().map(Cursor::decode).transpose().map_err(|_| crate::core::util::bad_cursor())?;
    let mut query = selected(conn, scope, q)?.select(LeadRow::as_select()).limit(i64::from(limit) + 1);
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
                let at: NaiveDateTime = key.parse().map_err(|_| crate::core::util::bad_cursor())?;
                after!(query, leads::updated_at, at, id, dir)
            }
            SortField::Name => after!(query, leads::sort_name, key, id, dir),
            SortField::Company => after!(query, leads::company_name, key, id, dir),
            SortField::Score => {
                let s: i32 = key.parse().map_err(|_| crate::core::util::bad_cursor())?;
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

/// How many leads a list with these filters would show, counted up to [`LEAD_COUNT_CAP`]: past it
/// the answer is "more than that", so a count costs at most that many index entries whatever the
/// number of leads (a full `COUNT(*)` over a million leads would cost more than the page it labels).
pub fn count(conn: &mut DbConnection, scope: &Scope, q: &LeadListQuery) -> Result<LeadCount> {
    scope.require(Module::Leads, Action::Read)?;
    // The count takes the list's query as it is: a sort the list would refuse is refused here too.
    sort_of(q)?;
    catch_up(conn, scope.org_id())?;
    let found: Vec<String> = selected(conn, scope, q)?.select(leads::id).limit(LEAD_COUNT_CAP + 1).load(conn)?;
    let found = found.len() as i64;
    Ok(LeadCount { count: found.min(LEAD_COUNT_CAP), more: found > LEAD_COUNT_CAP })
}

/// The caller's leads that `q`'s search and filters select, in no order: the list and its count.
fn selected<'a>(
    conn: &mut DbConnection,
    scope: &Scope,
    q: &'a LeadListQuery,
) -> Result<leads::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend>> {
    let mut matching = visible(scope)?;
    if let Some(text) = q.q.as_deref() {
        matching = matching_search(conn, scope, matching, &kith_domain::leads::search_terms(text))?;
    }
    let mut query = matching;
    if let Some(s) = q.status {
        query = query.filter(leads::status.eq(s.as_str()));
    }
    if q.open == Some(true) {
        let open: Vec<&str> = LeadStatus::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str()).collect();
        query = query.filter(leads::status.eq_any(open));
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
    // A country filter names a country (a code or an English name); one that names none is an error,
    // not a list that is silently empty.
    if let Some(c) = q.country.as_deref().filter(|c| !c.trim().is_empty()) {
        let country = kith_domain::core::countries::resolve(c)
            .ok_or_else(|| Error::field("country", "country", &kith_domain::core::countries::not_a_code(c)))?;
        query = query.filter(leads::country.eq(country.code));
    }
    if let Some(min) = q.min_score {
        query = query.filter(leads::score.ge(min));
    }
    if let Some(tag) = q.tag.as_deref().filter(|t| !t.trim().is_empty()) {
        let tagged = record_tags::table
            .filter(record_tags::org_id.eq(scope.org_id().to_string()))
            .filter(record_tags::record_kind.eq(ENTITY))
            .filter(record_tags::tag.eq(tag.trim().to_lowercase()))
            .select(record_tags::record_id);
        query = query.filter(leads::id.eq_any(tagged));
    }
    if let Some(key) = q.custom_field.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        let def = custom_fields::def_by_key(conn, scope.org_id(), ENTITY, key)?
            .ok_or_else(|| Error::field("custom_field", "unknown", "No such custom field."))?;
        let wanted = match q.custom_value.as_deref().filter(|v| !v.trim().is_empty()) {
            Some(raw) => {
                kith_domain::core::custom_fields::filter_value(&def, raw).map_err(|e| Error::Validation(vec![e]))?
            }
            None => (None, None),
        };
        let values = custom_values::table
            .filter(custom_values::org_id.eq(scope.org_id().to_string()))
            .filter(custom_values::record_kind.eq(ENTITY))
            .filter(custom_values::field_key.eq(def.key.clone()));
        query = match wanted {
            (_, Some(n)) => query.filter(
                leads::id.eq_any(values.filter(custom_values::value_number.eq(n)).select(custom_values::record_id)),
            ),
            // Text, select, date and yes/no values compare in lower case: "acme" finds "ACME".
            (Some(t), None) => query.filter(
                leads::id.eq_any(
                    values
                        .filter(custom_values::value_folded.eq(kith_domain::core::custom_fields::fold(&t)))
                        .select(custom_values::record_id),
                ),
            ),
            // No value asked for: every lead that has one.
            (None, None) => query.filter(leads::id.eq_any(values.select(custom_values::record_id))),
        };
    }
    Ok(query)
}

/// Narrows a lead query to leads whose search document (name, email, company, phone) contains every
/// term. On SQLite, when the index finds few leads for the terms of three or more characters, the list
/// sorts just those; otherwise (common terms, short terms, PostgreSQL) each term is a condition on the
/// lead's document that the database checks as it walks the list (PostgreSQL's planner may serve it from
/// the trigram index instead). See `core::search`.
pub(super) fn matching_search<'a>(
    conn: &mut DbConnection,
    scope: &Scope,
    query: leads::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend>,
    terms: &[String],
) -> Result<leads::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend>> {
    Ok(crate::matching_terms!(conn, scope.org_id(), query, leads, ENTITY, terms))
}

/// Leads named for a search hit, an audit entry or a notification: those among `ids` the caller may read.
pub(super) fn display(
    conn: &mut DbConnection,
    scope: &Scope,
    ids: &[String],
) -> Result<Vec<kith_domain::core::search::SearchHit>> {
    let rows: Vec<(String, String, String, Option<String>, String)> = visible(scope)?
        .filter(leads::id.eq_any(ids))
        .select((leads::id, leads::first_name, leads::last_name, leads::email, leads::company_name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, first, last, email, company)| {
            let title = kith_domain::leads::display_name(&first, &last, email.as_deref(), &company);
            let email = email.unwrap_or_default();
            let subtitle =
                [&company, &email].into_iter().filter(|s| !s.is_empty() && **s != title).cloned().collect::<Vec<_>>();
            kith_domain::core::search::SearchHit { kind: ENTITY.to_owned(), id, title, subtitle: subtitle.join(" · ") }
        })
        .collect())
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
pub(super) fn visible<'a>(
    scope: &Scope,
) -> Result<leads::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend>> {
    let q = leads::table
        .filter(leads::org_id.eq(scope.org_id().to_string()))
        .filter(leads::deleted_at.is_null())
        .into_boxed();
    let q = crate::within_record_scope!(q, leads, scope, Module::Leads);
    Ok(q)
}

/// A page of the lead's timeline (with the events of records linked to it that the caller may read),
/// oldest first, keyset-paged.
pub fn events(conn: &mut DbConnection, scope: &Scope, id: LeadId, q: &PageQuery) -> Result<Page<LeadEvent>> {
    readable(conn, scope, id)?;
    let page = timeline::page(conn, scope, &RecordRef::new(ENTITY, id), q)?;
    let items = page
        .items
        .into_iter()
        .map(|r| {
            Ok(LeadEvent {
                // A linked record's events are its own kinds, not the lead's.
                kind: if r.record_kind == ENTITY {
                    LeadEventKind::parse(&r.kind)
                        .ok_or_else(|| Error::Internal(format!("bad event kind {:?}", r.kind)))?
                } else {
                    LeadEventKind::Other
                },
                event: r.kind,
                record_kind: r.record_kind,
                record_id: r.record_id,
                id: r.id,
                occurred_at: to_utc(r.occurred_at),
                from: r.from_value,
                to: r.to_value,
                note: r.note,
                actor_id: r.actor_id,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Page { items, next_cursor: page.next_cursor })
}

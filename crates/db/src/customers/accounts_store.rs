//! Accounts: the companies the organization sells to.

use super::*;

#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = accounts)]
pub(crate) struct AccountRow {
    id: String,
    name: String,
    domain: Option<String>,
    industry: Option<String>,
    phone: Option<String>,
    country: Option<String>,
    lifecycle: String,
    parent_id: Option<String>,
    owner_id: Option<String>,
    team_id: Option<String>,
    sort_name: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

/// Won revenue per account and currency, for the accounts among `ids`.
fn revenue_of(conn: &mut DbConnection, org: OrgId, ids: &[String]) -> Result<HashMap<String, Vec<Revenue>>> {
    let rows: Vec<(Option<String>, String, i64)> = potentials::table
        .filter(potentials::org_id.eq(org.to_string()))
        .filter(potentials::account_id.eq_any(ids))
        .filter(potentials::phase_kind.eq(kith_domain::pipeline::PhaseKind::Won.as_str()))
        .filter(potentials::deleted_at.is_null())
        .select((potentials::account_id, potentials::currency, potentials::amount_minor))
        .load(conn)?;
    let mut out: HashMap<String, Vec<Revenue>> = HashMap::new();
    for (account, currency, amount) in rows {
        let Some(account) = account else { continue };
        let list = out.entry(account).or_default();
        match list.iter_mut().find(|r| r.currency == currency) {
            Some(r) => r.amount_minor = r.amount_minor.saturating_add(amount),
            None => list.push(Revenue { currency, amount_minor: amount }),
        }
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| a.currency.cmp(&b.currency));
    }
    Ok(out)
}

fn account_views(conn: &mut DbConnection, org: OrgId, rows: Vec<AccountRow>) -> Result<Vec<AccountView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut revenue = revenue_of(conn, org, &ids)?;
    rows.into_iter()
        .map(|r| {
            Ok(AccountView {
                revenue: revenue.remove(&r.id).unwrap_or_default(),
                id: parse_id(&r.id)?,
                name: r.name,
                domain: r.domain,
                industry: r.industry,
                phone: r.phone,
                country: r.country,
                lifecycle: Lifecycle::parse(&r.lifecycle)
                    .ok_or_else(|| Error::Internal(format!("bad lifecycle {:?}", r.lifecycle)))?,
                parent_id: r.parent_id.as_deref().map(parse_id).transpose()?,
                owner_id: r.owner_id.as_deref().map(parse_id).transpose()?,
                team_id: r.team_id.as_deref().map(parse_id).transpose()?,
                created_at: to_utc(r.created_at),
                updated_at: to_utc(r.updated_at),
                version: r.version,
            })
        })
        .collect()
}

pub(crate) fn find_account(conn: &mut DbConnection, org: OrgId, id: AccountId, deleted: bool) -> Result<AccountView> {
    let row: AccountRow = accounts::table
        .filter(accounts::org_id.eq(org.to_string()))
        .filter(accounts::id.eq(id.to_string()))
        .filter(accounts::deleted_at.is_not_null().eq(deleted))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?;
    account_views(conn, org, vec![row])?.pop().ok_or(Error::NotFound)
}

/// One account the caller may read (another's outside their record scope is not found).
pub fn get_account(conn: &mut DbConnection, scope: &Scope, id: AccountId) -> Result<AccountView> {
    scope.require(Module::Customers, Action::Read)?;
    let account = find_account(conn, scope.org_id(), id, false)?;
    scope.require_record(Module::Customers, Action::Read, account.ownership()).map_err(|_| Error::NotFound)?;
    Ok(account)
}

pub(crate) fn writable_account(conn: &mut DbConnection, scope: &Scope, id: AccountId) -> Result<AccountView> {
    let account = get_account(conn, scope, id)?;
    scope.require_record(Module::Customers, Action::Write, account.ownership())?;
    Ok(account)
}

fn visible_accounts<'a>(scope: &Scope) -> accounts::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend> {
    let q = accounts::table
        .filter(accounts::org_id.eq(scope.org_id().to_string()))
        .filter(accounts::deleted_at.is_null())
        .into_boxed();
    crate::within_record_scope!(q, accounts, scope, Module::Customers)
}

fn account_search_text(name: &str, domain: Option<&str>, phone: Option<&str>) -> String {
    [Some(name), domain, phone].into_iter().flatten().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// What a new account holds, checked against the organization's data (parent, owner).
pub(crate) struct AccountFields {
    pub name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub parent_id: Option<AccountId>,
    pub owner_id: Option<UserId>,
}

impl AccountFields {
    pub(crate) fn from_input(new: &NewAccount) -> AccountFields {
        AccountFields {
            name: new.name.trim().to_owned(),
            domain: trimmed(new.website.clone()).and_then(|w| kith_domain::leads::normalize_domain(&w)),
            industry: trimmed(new.industry.clone()),
            phone: trimmed(new.phone.clone()),
            country: country_code(new.country.clone()),
            parent_id: new.parent_id,
            owner_id: new.owner_id,
        }
    }
}

/// Insert an account inside the caller's transaction (creation and conversion).
pub(crate) fn insert_account(
    c: &mut DbConnection,
    scope: &Scope,
    f: AccountFields,
    lifecycle: Lifecycle,
) -> Result<AccountView> {
    let org = scope.org_id();
    if let Some(parent) = f.parent_id {
        get_account(c, scope, parent).map_err(|_| Error::field("parent_id", "unknown", "No such account."))?;
    }
    let owner = f.owner_id.or(scope.user_id());
    if let Some(o) = f.owner_id {
        check_owner(c, scope, o, Module::Customers)?;
    }
    let team = team_of(c, org, owner)?;
    let id = AccountId(new_id());
    let at = now();
    diesel::insert_into(accounts::table)
        .values((
            accounts::id.eq(id.to_string()),
            accounts::org_id.eq(org.to_string()),
            accounts::name.eq(&f.name),
            accounts::domain.eq(&f.domain),
            accounts::industry.eq(&f.industry),
            accounts::phone.eq(&f.phone),
            accounts::country.eq(&f.country),
            accounts::lifecycle.eq(lifecycle.as_str()),
            accounts::parent_id.eq(f.parent_id.map(|p| p.to_string())),
            accounts::owner_id.eq(owner.map(|o| o.to_string())),
            accounts::team_id.eq(&team),
            accounts::sort_name.eq(f.name.to_lowercase()),
            accounts::created_at.eq(at),
            accounts::updated_at.eq(at),
            accounts::version.eq(1i64),
        ))
        .execute(c)?;
    let record = RecordRef::new(ACCOUNT, id);
    search::index(c, org, &record, &account_search_text(&f.name, f.domain.as_deref(), f.phone.as_deref()))?;
    timeline::add(
        c,
        scope,
        &record,
        &timeline::NewEvent { kind: "created", from: None, to: None, note: None, at: None },
    )?;
    let view = find_account(c, org, id, false)?;
    audit::record_created(c, scope, ACCOUNT, &id.to_string(), &view)?;
    Ok(view)
}

pub fn create_account(conn: &mut DbConnection, scope: &Scope, new: &NewAccount) -> Result<AccountView> {
    scope.require(Module::Customers, Action::Write)?;
    transaction(conn, |c| insert_account(c, scope, AccountFields::from_input(new), Lifecycle::Prospect))
}

/// The caller's accounts, by name, one keyset page at a time.
pub fn list_accounts(conn: &mut DbConnection, scope: &Scope, q: &CustomerListQuery) -> Result<Page<AccountView>> {
    scope.require(Module::Customers, Action::Read)?;
    let limit = clamp_limit(q.limit);
    let mut query = visible_accounts(scope);
    if let Some(text) = q.q.as_deref() {
        let terms = kith_domain::leads::search_terms(text);
        query = crate::matching_terms!(conn, scope.org_id(), query, accounts, ACCOUNT, &terms);
    }
    if let Some(o) = q.owner_id {
        query = query.filter(accounts::owner_id.eq(o.to_string()));
    }
    if let Some(l) = q.lifecycle {
        query = query.filter(accounts::lifecycle.eq(l.as_str()));
    }
    if let Some(raw) = q.cursor.as_deref() {
        let c = Cursor::decode(raw).map_err(|_| crate::core::util::bad_cursor())?;
        let key = c.key.unwrap_or_default();
        query = query
            .filter(accounts::sort_name.gt(key.clone()).or(accounts::sort_name.eq(key).and(accounts::id.gt(c.id))));
    }
    let rows: Vec<AccountRow> = query
        .order((accounts::sort_name.asc(), accounts::id.asc()))
        .limit(i64::from(limit) + 1)
        .select(AccountRow::as_select())
        .load(conn)?;
    let keys: HashMap<String, String> = rows.iter().map(|r| (r.id.clone(), r.sort_name.clone())).collect();
    let items = account_views(conn, scope.org_id(), rows)?;
    Ok(name_page(items, limit, |a| (keys.get(&a.id.to_string()).cloned().unwrap_or_default(), a.id.to_string())))
}

pub fn update_account(
    conn: &mut DbConnection,
    scope: &Scope,
    id: AccountId,
    version: i64,
    patch: &AccountPatch,
) -> Result<AccountView> {
    transaction(conn, |c| {
        let before = writable_account(c, scope, id)?;
        if before.version != version {
            return Err(Error::Stale(version));
        }
        let org = scope.org_id();
        if let Some(Some(parent)) = patch.parent_id {
            if parent == id || ancestors(c, org, parent)?.contains(&id) {
                return Err(Error::field("parent_id", "cycle", "An account cannot be its own parent or ancestor."));
            }
            get_account(c, scope, parent).map_err(|_| Error::field("parent_id", "unknown", "No such account."))?;
        }
        if let Some(Some(o)) = patch.owner_id {
            check_owner(c, scope, o, Module::Customers)?;
        }
        if patch.lifecycle == Some(Lifecycle::Customer) && before.lifecycle != Lifecycle::Customer {
            return Err(Error::field(
                "lifecycle",
                "won",
                "An account becomes a customer when one of its potentials is won.",
            ));
        }
        let name = patch.name.as_deref().map(str::trim).unwrap_or(&before.name).to_owned();
        let domain = match &patch.website {
            Some(w) => trimmed(w.clone()).and_then(|w| kith_domain::leads::normalize_domain(&w)),
            None => before.domain.clone(),
        };
        let industry = patch.industry.clone().map(trimmed).unwrap_or(before.industry.clone());
        let phone = patch.phone.clone().map(trimmed).unwrap_or(before.phone.clone());
        let country = patch.country.clone().map(country_code).unwrap_or(before.country.clone());
        let parent = patch.parent_id.unwrap_or(before.parent_id);
        let owner = patch.owner_id.unwrap_or(before.owner_id);
        let team =
            if owner == before.owner_id { before.team_id.map(|t| t.to_string()) } else { team_of(c, org, owner)? };
        let lifecycle = patch.lifecycle.unwrap_or(before.lifecycle);
        let updated = diesel::update(accounts::table)
            .filter(accounts::org_id.eq(org.to_string()))
            .filter(accounts::id.eq(id.to_string()))
            .filter(accounts::version.eq(version))
            .set((
                accounts::name.eq(&name),
                accounts::sort_name.eq(name.to_lowercase()),
                accounts::domain.eq(&domain),
                accounts::industry.eq(&industry),
                accounts::phone.eq(&phone),
                accounts::country.eq(&country),
                accounts::lifecycle.eq(lifecycle.as_str()),
                accounts::parent_id.eq(parent.map(|p| p.to_string())),
                accounts::owner_id.eq(owner.map(|o| o.to_string())),
                accounts::team_id.eq(team),
                accounts::updated_at.eq(now()),
                accounts::version.eq(version + 1),
            ))
            .execute(c)?;
        if updated == 0 {
            return Err(Error::Stale(version));
        }
        let record = RecordRef::new(ACCOUNT, id);
        search::index(c, org, &record, &account_search_text(&name, domain.as_deref(), phone.as_deref()))?;
        if lifecycle != before.lifecycle {
            timeline::add(
                c,
                scope,
                &record,
                &timeline::NewEvent {
                    kind: "lifecycle_changed",
                    from: Some(before.lifecycle.as_str()),
                    to: Some(lifecycle.as_str()),
                    note: None,
                    at: None,
                },
            )?;
        }
        let after = find_account(c, org, id, false)?;
        audit::record_updated(c, scope, ACCOUNT, &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

/// The account's parents up the tree (bounded: a tree deeper than 50 is refused as a cycle would be).
fn ancestors(conn: &mut DbConnection, org: OrgId, from: AccountId) -> Result<Vec<AccountId>> {
    let mut out = Vec::new();
    let mut next = Some(from.to_string());
    while let Some(id) = next.take() {
        if out.len() > 50 {
            break;
        }
        let parent: Option<Option<String>> = accounts::table
            .filter(accounts::org_id.eq(org.to_string()))
            .filter(accounts::id.eq(&id))
            .select(accounts::parent_id)
            .first(conn)
            .optional()?;
        if let Some(p) = parent.flatten() {
            out.push(parse_id(&p)?);
            next = Some(p);
        }
    }
    Ok(out)
}

/// Sets an account's lifecycle as the pipeline decides it (a won potential makes it a customer).
pub(crate) fn set_lifecycle(c: &mut DbConnection, scope: &Scope, id: AccountId, to: Lifecycle) -> Result<()> {
    let org = scope.org_id();
    let before = find_account(c, org, id, false)?;
    if before.lifecycle == to {
        return Ok(());
    }
    diesel::update(accounts::table)
        .filter(accounts::org_id.eq(org.to_string()))
        .filter(accounts::id.eq(id.to_string()))
        .set((
            accounts::lifecycle.eq(to.as_str()),
            accounts::updated_at.eq(now()),
            accounts::version.eq(accounts::version + 1),
        ))
        .execute(c)?;
    timeline::add(
        c,
        scope,
        &RecordRef::new(ACCOUNT, id),
        &timeline::NewEvent {
            kind: "lifecycle_changed",
            from: Some(before.lifecycle.as_str()),
            to: Some(to.as_str()),
            note: None,
            at: None,
        },
    )?;
    let after = find_account(c, org, id, false)?;
    audit::record_updated(c, scope, ACCOUNT, &id.to_string(), &before, &after)
}

/// Fills the account's empty fields from a converted lead's (a conversion never overwrites).
pub(crate) fn fill_account(
    c: &mut DbConnection,
    scope: &Scope,
    id: AccountId,
    f: &AccountFields,
) -> Result<AccountView> {
    let org = scope.org_id();
    let before = find_account(c, org, id, false)?;
    let pick = |old: &Option<String>, new: &Option<String>| old.clone().or(new.clone());
    let (domain, industry, phone, country) = (
        pick(&before.domain, &f.domain),
        pick(&before.industry, &f.industry),
        pick(&before.phone, &f.phone),
        pick(&before.country, &f.country),
    );
    if (&domain, &industry, &phone, &country) == (&before.domain, &before.industry, &before.phone, &before.country) {
        return Ok(before);
    }
    diesel::update(accounts::table)
        .filter(accounts::org_id.eq(org.to_string()))
        .filter(accounts::id.eq(id.to_string()))
        .set((
            accounts::domain.eq(&domain),
            accounts::industry.eq(&industry),
            accounts::phone.eq(&phone),
            accounts::country.eq(&country),
            accounts::updated_at.eq(now()),
            accounts::version.eq(accounts::version + 1),
        ))
        .execute(c)?;
    search::index(
        c,
        org,
        &RecordRef::new(ACCOUNT, id),
        &account_search_text(&before.name, domain.as_deref(), phone.as_deref()),
    )?;
    let after = find_account(c, org, id, false)?;
    audit::record_updated(c, scope, ACCOUNT, &id.to_string(), &before, &after)?;
    Ok(after)
}

pub fn delete_account(conn: &mut DbConnection, scope: &Scope, id: AccountId) -> Result<()> {
    transaction(conn, |c| {
        let account = writable_account(c, scope, id)?;
        let at = now();
        diesel::update(accounts::table.filter(accounts::id.eq(id.to_string())))
            .set((accounts::deleted_at.eq(Some(at)), accounts::version.eq(accounts::version + 1)))
            .execute(c)?;
        recycle::put(c, scope, ACCOUNT, &id.to_string(), &account.name, at)?;
        audit::record(c, scope, ACCOUNT, &id.to_string(), AuditAction::Delete, &[])
    })
}

pub fn restore_account(conn: &mut DbConnection, scope: &Scope, id: AccountId) -> Result<AccountView> {
    scope.require(Module::Customers, Action::Write)?;
    transaction(conn, |c| {
        let account = find_account(c, scope.org_id(), id, true)?;
        scope.require_record(Module::Customers, Action::Write, account.ownership()).map_err(|_| Error::NotFound)?;
        diesel::update(accounts::table.filter(accounts::id.eq(id.to_string())))
            .set((accounts::deleted_at.eq(None::<NaiveDateTime>), accounts::version.eq(accounts::version + 1)))
            .execute(c)?;
        recycle::take(c, scope, ACCOUNT, &id.to_string())?;
        audit::record(c, scope, ACCOUNT, &id.to_string(), AuditAction::Restore, &[])?;
        find_account(c, scope.org_id(), id, false)
    })
}

/// Removes a deleted account for good: what points at it forgets it (contacts, potentials, child
/// accounts keep living without it).
pub(super) fn purge_account(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let org = scope.org_id().to_string();
    diesel::update(contacts::table.filter(contacts::org_id.eq(&org)).filter(contacts::account_id.eq(id)))
        .set(contacts::account_id.eq(None::<String>))
        .execute(conn)?;
    diesel::delete(
        contact_accounts::table.filter(contact_accounts::org_id.eq(&org)).filter(contact_accounts::account_id.eq(id)),
    )
    .execute(conn)?;
    diesel::update(potentials::table.filter(potentials::org_id.eq(&org)).filter(potentials::account_id.eq(id)))
        .set(potentials::account_id.eq(None::<String>))
        .execute(conn)?;
    diesel::update(accounts::table.filter(accounts::org_id.eq(&org)).filter(accounts::parent_id.eq(id)))
        .set(accounts::parent_id.eq(None::<String>))
        .execute(conn)?;
    diesel::delete(accounts::table.filter(accounts::org_id.eq(&org)).filter(accounts::id.eq(id))).execute(conn)?;
    Ok(())
}

pub(super) fn display_accounts(
    conn: &mut DbConnection,
    scope: &Scope,
    ids: &[String],
) -> Result<Vec<kith_domain::core::search::SearchHit>> {
    let rows: Vec<(String, String, Option<String>)> = visible_accounts(scope)
        .filter(accounts::id.eq_any(ids))
        .select((accounts::id, accounts::name, accounts::domain))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, domain)| kith_domain::core::search::SearchHit {
            kind: ACCOUNT.to_owned(),
            id,
            title,
            subtitle: domain.unwrap_or_default(),
        })
        .collect())
}

/// A page of the account's timeline, with its linked records' events the caller may read.
pub fn account_events(
    conn: &mut DbConnection,
    scope: &Scope,
    id: AccountId,
    q: &kith_domain::core::page::PageQuery,
) -> Result<Page<kith_domain::core::timeline::RecordEvent>> {
    get_account(conn, scope, id)?;
    crate::core::timeline::record_events(conn, scope, &RecordRef::new(ACCOUNT, id), q)
}

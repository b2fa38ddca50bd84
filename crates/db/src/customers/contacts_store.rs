//! Contacts: the people at accounts.

use super::*;

#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = contacts)]
pub(crate) struct ContactRow {
    id: String,
    first_name: String,
    last_name: String,
    title: String,
    email: Option<String>,
    phone: Option<String>,
    country: Option<String>,
    account_id: Option<String>,
    owner_id: Option<String>,
    team_id: Option<String>,
    lead_id: Option<String>,
    sort_name: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

fn contact_views(conn: &mut DbConnection, org: OrgId, rows: Vec<ContactRow>) -> Result<Vec<ContactView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let links: Vec<(String, String)> = contact_accounts::table
        .filter(contact_accounts::org_id.eq(org.to_string()))
        .filter(contact_accounts::contact_id.eq_any(&ids))
        .order((contact_accounts::created_at.asc(), contact_accounts::account_id.asc()))
        .select((contact_accounts::contact_id, contact_accounts::account_id))
        .load(conn)?;
    let mut by_contact: HashMap<String, Vec<String>> = HashMap::new();
    for (contact, account) in links {
        by_contact.entry(contact).or_default().push(account);
    }
    rows.into_iter()
        .map(|r| {
            let mut account_ids: Vec<String> = r.account_id.iter().cloned().collect();
            for a in by_contact.remove(&r.id).unwrap_or_default() {
                if !account_ids.contains(&a) {
                    account_ids.push(a);
                }
            }
            Ok(ContactView {
                id: parse_id(&r.id)?,
                first_name: r.first_name,
                last_name: r.last_name,
                title: r.title,
                email: r.email,
                phone: r.phone,
                country: r.country,
                account_id: r.account_id.as_deref().map(parse_id).transpose()?,
                account_ids: account_ids.iter().map(|a| parse_id(a)).collect::<Result<_>>()?,
                owner_id: r.owner_id.as_deref().map(parse_id).transpose()?,
                team_id: r.team_id.as_deref().map(parse_id).transpose()?,
                lead_id: r.lead_id.as_deref().map(parse_id).transpose()?,
                created_at: to_utc(r.created_at),
                updated_at: to_utc(r.updated_at),
                version: r.version,
            })
        })
        .collect()
}

pub(crate) fn find_contact(conn: &mut DbConnection, org: OrgId, id: ContactId, deleted: bool) -> Result<ContactView> {
    let row: ContactRow = contacts::table
        .filter(contacts::org_id.eq(org.to_string()))
        .filter(contacts::id.eq(id.to_string()))
        .filter(contacts::deleted_at.is_not_null().eq(deleted))
        .select(ContactRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?;
    contact_views(conn, org, vec![row])?.pop().ok_or(Error::NotFound)
}

pub fn get_contact(conn: &mut DbConnection, scope: &Scope, id: ContactId) -> Result<ContactView> {
    scope.require(Module::Customers, Action::Read)?;
    let contact = find_contact(conn, scope.org_id(), id, false)?;
    scope.require_record(Module::Customers, Action::Read, contact.ownership()).map_err(|_| Error::NotFound)?;
    Ok(contact)
}

pub(crate) fn writable_contact(conn: &mut DbConnection, scope: &Scope, id: ContactId) -> Result<ContactView> {
    let contact = get_contact(conn, scope, id)?;
    scope.require_record(Module::Customers, Action::Write, contact.ownership())?;
    Ok(contact)
}

fn visible_contacts<'a>(scope: &Scope) -> contacts::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend> {
    let q = contacts::table
        .filter(contacts::org_id.eq(scope.org_id().to_string()))
        .filter(contacts::deleted_at.is_null())
        .into_boxed();
    crate::within_record_scope!(q, contacts, scope, Module::Customers)
}

fn sort_name(first: &str, last: &str, email: Option<&str>) -> String {
    kith_domain::leads::display_name(first, last, email, "").to_lowercase()
}

fn contact_search_text(first: &str, last: &str, email: Option<&str>, phone: Option<&str>) -> String {
    [Some(first), Some(last), email, phone]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// What a new contact holds.
pub(crate) struct ContactFields {
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub account_id: Option<AccountId>,
    pub owner_id: Option<UserId>,
    pub lead_id: Option<LeadId>,
}

impl ContactFields {
    pub(crate) fn from_input(new: &NewContact) -> ContactFields {
        ContactFields {
            first_name: new.first_name.trim().to_owned(),
            last_name: new.last_name.trim().to_owned(),
            title: new.title.trim().to_owned(),
            email: trimmed(new.email.clone()).map(|e| kith_domain::core::validation::normalize_email(&e)),
            phone: trimmed(new.phone.clone()),
            country: country_code(new.country.clone()),
            account_id: new.account_id,
            owner_id: new.owner_id,
            lead_id: None,
        }
    }
}

fn link_account(c: &mut DbConnection, org: OrgId, contact: ContactId, account: AccountId) -> Result<()> {
    let values = (
        contact_accounts::org_id.eq(org.to_string()),
        contact_accounts::contact_id.eq(contact.to_string()),
        contact_accounts::account_id.eq(account.to_string()),
        contact_accounts::created_at.eq(now()),
    );
    match c {
        DbConnection::Postgresql(pg) => {
            diesel::insert_into(contact_accounts::table).values(values).on_conflict_do_nothing().execute(pg)?
        }
        DbConnection::Sqlite(lite) => {
            diesel::insert_into(contact_accounts::table).values(values).on_conflict_do_nothing().execute(lite)?
        }
    };
    crate::core::timeline::link(c, org, &RecordRef::new(CONTACT, contact), &RecordRef::new(ACCOUNT, account))
}

pub(crate) fn insert_contact(c: &mut DbConnection, scope: &Scope, f: ContactFields) -> Result<ContactView> {
    let org = scope.org_id();
    if let Some(a) = f.account_id {
        get_account(c, scope, a).map_err(|_| Error::field("account_id", "unknown", "No such account."))?;
    }
    if let Some(o) = f.owner_id {
        check_owner(c, scope, o, Module::Customers)?;
    }
    let owner = f.owner_id.or(scope.user_id());
    let team = team_of(c, org, owner)?;
    let id = ContactId(new_id());
    let at = now();
    diesel::insert_into(contacts::table)
        .values((
            contacts::id.eq(id.to_string()),
            contacts::org_id.eq(org.to_string()),
            contacts::first_name.eq(&f.first_name),
            contacts::last_name.eq(&f.last_name),
            contacts::title.eq(&f.title),
            contacts::email.eq(&f.email),
            contacts::phone.eq(&f.phone),
            contacts::country.eq(&f.country),
            contacts::account_id.eq(f.account_id.map(|a| a.to_string())),
            contacts::owner_id.eq(owner.map(|o| o.to_string())),
            contacts::team_id.eq(&team),
            contacts::lead_id.eq(f.lead_id.map(|l| l.to_string())),
            contacts::sort_name.eq(sort_name(&f.first_name, &f.last_name, f.email.as_deref())),
            contacts::created_at.eq(at),
            contacts::updated_at.eq(at),
            contacts::version.eq(1i64),
        ))
        .execute(c)?;
    if let Some(a) = f.account_id {
        link_account(c, org, id, a)?;
    }
    let record = RecordRef::new(CONTACT, id);
    search::index(
        c,
        org,
        &record,
        &contact_search_text(&f.first_name, &f.last_name, f.email.as_deref(), f.phone.as_deref()),
    )?;
    timeline::add(
        c,
        scope,
        &record,
        &timeline::NewEvent { kind: "created", from: None, to: None, note: None, at: None },
    )?;
    let view = find_contact(c, org, id, false)?;
    audit::record_created(c, scope, CONTACT, &id.to_string(), &view)?;
    Ok(view)
}

pub fn create_contact(conn: &mut DbConnection, scope: &Scope, new: &NewContact) -> Result<ContactView> {
    scope.require(Module::Customers, Action::Write)?;
    transaction(conn, |c| insert_contact(c, scope, ContactFields::from_input(new)))
}

/// The caller's contacts, by name, one keyset page at a time.
pub fn list_contacts(conn: &mut DbConnection, scope: &Scope, q: &CustomerListQuery) -> Result<Page<ContactView>> {
    scope.require(Module::Customers, Action::Read)?;
    let limit = clamp_limit(q.limit);
    let mut query = visible_contacts(scope);
    if let Some(text) = q.q.as_deref() {
        let terms = kith_domain::leads::search_terms(text);
        query = crate::matching_terms!(conn, scope.org_id(), query, contacts, CONTACT, &terms);
    }
    if let Some(o) = q.owner_id {
        query = query.filter(contacts::owner_id.eq(o.to_string()));
    }
    if let Some(a) = q.account_id {
        let at_account = contact_accounts::table
            .filter(contact_accounts::account_id.eq(a.to_string()))
            .select(contact_accounts::contact_id);
        query = query.filter(contacts::id.eq_any(at_account));
    }
    if let Some(raw) = q.cursor.as_deref() {
        let c = Cursor::decode(raw).map_err(|_| crate::core::util::bad_cursor())?;
        let key = c.key.unwrap_or_default();
        query = query
            .filter(contacts::sort_name.gt(key.clone()).or(contacts::sort_name.eq(key).and(contacts::id.gt(c.id))));
    }
    let rows: Vec<ContactRow> = query
        .order((contacts::sort_name.asc(), contacts::id.asc()))
        .limit(i64::from(limit) + 1)
        .select(ContactRow::as_select())
        .load(conn)?;
    let keys: HashMap<String, String> = rows.iter().map(|r| (r.id.clone(), r.sort_name.clone())).collect();
    let items = contact_views(conn, scope.org_id(), rows)?;
    Ok(name_page(items, limit, |x| (keys.get(&x.id.to_string()).cloned().unwrap_or_default(), x.id.to_string())))
}

pub fn update_contact(
    conn: &mut DbConnection,
    scope: &Scope,
    id: ContactId,
    version: i64,
    patch: &ContactPatch,
) -> Result<ContactView> {
    transaction(conn, |c| {
        let before = writable_contact(c, scope, id)?;
        if before.version != version {
            return Err(Error::Stale(version));
        }
        let org = scope.org_id();
        if let Some(Some(a)) = patch.account_id {
            get_account(c, scope, a).map_err(|_| Error::field("account_id", "unknown", "No such account."))?;
        }
        if let Some(Some(o)) = patch.owner_id {
            check_owner(c, scope, o, Module::Customers)?;
        }
        let text = |p: &Option<String>, old: &str| p.as_deref().map(str::trim).unwrap_or(old).to_owned();
        let first = text(&patch.first_name, &before.first_name);
        let last = text(&patch.last_name, &before.last_name);
        let title = text(&patch.title, &before.title);
        let email = match &patch.email {
            Some(e) => trimmed(e.clone()).map(|e| kith_domain::core::validation::normalize_email(&e)),
            None => before.email.clone(),
        };
        if first.is_empty() && last.is_empty() && email.is_none() {
            return Err(Error::field("first_name", "required", "Give a name or an email."));
        }
        let phone = patch.phone.clone().map(trimmed).unwrap_or(before.phone.clone());
        let country = patch.country.clone().map(country_code).unwrap_or(before.country.clone());
        let account = patch.account_id.unwrap_or(before.account_id);
        let owner = patch.owner_id.unwrap_or(before.owner_id);
        let team =
            if owner == before.owner_id { before.team_id.map(|t| t.to_string()) } else { team_of(c, org, owner)? };
        let updated = diesel::update(contacts::table)
            .filter(contacts::org_id.eq(org.to_string()))
            .filter(contacts::id.eq(id.to_string()))
            .filter(contacts::version.eq(version))
            .set((
                contacts::first_name.eq(&first),
                contacts::last_name.eq(&last),
                contacts::title.eq(&title),
                contacts::email.eq(&email),
                contacts::phone.eq(&phone),
                contacts::country.eq(&country),
                contacts::account_id.eq(account.map(|a| a.to_string())),
                contacts::owner_id.eq(owner.map(|o| o.to_string())),
                contacts::team_id.eq(team),
                contacts::sort_name.eq(sort_name(&first, &last, email.as_deref())),
                contacts::updated_at.eq(now()),
                contacts::version.eq(version + 1),
            ))
            .execute(c)?;
        if updated == 0 {
            return Err(Error::Stale(version));
        }
        if let Some(a) = account {
            link_account(c, org, id, a)?;
        }
        search::index(
            c,
            org,
            &RecordRef::new(CONTACT, id),
            &contact_search_text(&first, &last, email.as_deref(), phone.as_deref()),
        )?;
        let after = find_contact(c, org, id, false)?;
        audit::record_updated(c, scope, CONTACT, &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

/// Fills the contact's empty fields from a converted lead's and adds the account (a conversion
/// never overwrites what the contact has).
pub(crate) fn fill_contact(
    c: &mut DbConnection,
    scope: &Scope,
    id: ContactId,
    f: &ContactFields,
) -> Result<ContactView> {
    let org = scope.org_id();
    let before = find_contact(c, org, id, false)?;
    let blank_or = |old: &str, new: &str| if old.is_empty() { new.to_owned() } else { old.to_owned() };
    let first = blank_or(&before.first_name, &f.first_name);
    let last = blank_or(&before.last_name, &f.last_name);
    let title = blank_or(&before.title, &f.title);
    let email = before.email.clone().or(f.email.clone());
    let phone = before.phone.clone().or(f.phone.clone());
    let country = before.country.clone().or(f.country.clone());
    let account = before.account_id.or(f.account_id);
    diesel::update(contacts::table)
        .filter(contacts::org_id.eq(org.to_string()))
        .filter(contacts::id.eq(id.to_string()))
        .set((
            contacts::first_name.eq(&first),
            contacts::last_name.eq(&last),
            contacts::title.eq(&title),
            contacts::email.eq(&email),
            contacts::phone.eq(&phone),
            contacts::country.eq(&country),
            contacts::account_id.eq(account.map(|a| a.to_string())),
            contacts::sort_name.eq(sort_name(&first, &last, email.as_deref())),
            contacts::updated_at.eq(now()),
            contacts::version.eq(contacts::version + 1),
        ))
        .execute(c)?;
    if let Some(a) = f.account_id {
        link_account(c, org, id, a)?;
    }
    search::index(
        c,
        org,
        &RecordRef::new(CONTACT, id),
        &contact_search_text(&first, &last, email.as_deref(), phone.as_deref()),
    )?;
    let after = find_contact(c, org, id, false)?;
    audit::record_updated(c, scope, CONTACT, &id.to_string(), &before, &after)?;
    Ok(after)
}

pub fn delete_contact(conn: &mut DbConnection, scope: &Scope, id: ContactId) -> Result<()> {
    transaction(conn, |c| {
        let contact = writable_contact(c, scope, id)?;
        let at = now();
        diesel::update(contacts::table.filter(contacts::id.eq(id.to_string())))
            .set((contacts::deleted_at.eq(Some(at)), contacts::version.eq(contacts::version + 1)))
            .execute(c)?;
        recycle::put(c, scope, CONTACT, &id.to_string(), &contact.display_name(), at)?;
        audit::record(c, scope, CONTACT, &id.to_string(), AuditAction::Delete, &[])
    })
}

pub fn restore_contact(conn: &mut DbConnection, scope: &Scope, id: ContactId) -> Result<ContactView> {
    scope.require(Module::Customers, Action::Write)?;
    transaction(conn, |c| {
        let contact = find_contact(c, scope.org_id(), id, true)?;
        scope.require_record(Module::Customers, Action::Write, contact.ownership()).map_err(|_| Error::NotFound)?;
        diesel::update(contacts::table.filter(contacts::id.eq(id.to_string())))
            .set((contacts::deleted_at.eq(None::<NaiveDateTime>), contacts::version.eq(contacts::version + 1)))
            .execute(c)?;
        recycle::take(c, scope, CONTACT, &id.to_string())?;
        audit::record(c, scope, CONTACT, &id.to_string(), AuditAction::Restore, &[])?;
        find_contact(c, scope.org_id(), id, false)
    })
}

pub(super) fn purge_contact(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let org = scope.org_id().to_string();
    diesel::delete(
        contact_accounts::table.filter(contact_accounts::org_id.eq(&org)).filter(contact_accounts::contact_id.eq(id)),
    )
    .execute(conn)?;
    diesel::update(potentials::table.filter(potentials::org_id.eq(&org)).filter(potentials::contact_id.eq(id)))
        .set(potentials::contact_id.eq(None::<String>))
        .execute(conn)?;
    diesel::delete(contacts::table.filter(contacts::org_id.eq(&org)).filter(contacts::id.eq(id))).execute(conn)?;
    Ok(())
}

pub(super) fn display_contacts(
    conn: &mut DbConnection,
    scope: &Scope,
    ids: &[String],
) -> Result<Vec<kith_domain::core::search::SearchHit>> {
    let rows: Vec<(String, String, String, Option<String>)> = visible_contacts(scope)
        .filter(contacts::id.eq_any(ids))
        .select((contacts::id, contacts::first_name, contacts::last_name, contacts::email))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, first, last, email)| {
            let title = kith_domain::leads::display_name(&first, &last, email.as_deref(), "");
            let subtitle = email.filter(|e| *e != title).unwrap_or_default();
            kith_domain::core::search::SearchHit { kind: CONTACT.to_owned(), id, title, subtitle }
        })
        .collect())
}

pub fn contact_events(
    conn: &mut DbConnection,
    scope: &Scope,
    id: ContactId,
    q: &kith_domain::core::page::PageQuery,
) -> Result<Page<kith_domain::core::timeline::RecordEvent>> {
    get_contact(conn, scope, id)?;
    crate::core::timeline::record_events(conn, scope, &RecordRef::new(CONTACT, id), q)
}

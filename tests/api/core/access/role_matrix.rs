//! The role matrix, generated from the spec and checked against a table kept as data
//! (`roles.txt`): for every operation and every built-in role (plus a custom role whose lead grant
//! is team-wide), whether the call is let through or refused — and, for operations on one lead, for
//! which records: the caller's own, a teammate's, another team's, an unassigned one. An operation
//! without a row fails the test, so a new operation gets its row the day it exists.
//!
//! "Refused" is 401/403/404; anything else (including 409/422 for a state the call does not fit)
//! got past the access checks. Roles run from the least to the most privileged, so an operation
//! that deletes a shared fixture record runs for the refused roles first.

use std::collections::BTreeMap;

use diesel::RunQueryDsl;
use kith_client::Client;
use kith_domain::core::permissions::{BuiltinRole, ModuleAccess, RecordScope};
use kith_domain::identity::*;
use kith_domain::leads::*;
use kith_domain::{LeadId, UserId};
use kith_tests::TestApp;

use super::cross_tenant::organization;
use super::spec::{operations, send, Ids, Operation};

/// Columns of roles.txt, in the order they run.
const ROLES: [&str; 6] = ["support", "finance", "sales", "team_sales", "manager", "admin"];
/// The record classes of an owned record (a lead, potential, account or contact), relative to the caller.
const CLASSES: [&str; 4] = ["own", "teammate", "other_team", "unassigned"];
/// The id kinds of records with an owner, whose operations the table checks per record class.
const OWNED: [&str; 4] = ["LeadId", "PotentialId", "AccountId", "ContactId"];

const NOT_CHECKED: &[(&str, &str)] = &[("/api/v1/auth/logout", "ends the caller's own session")];

struct Principal {
    role: &'static str,
    client: Client,
    user_id: UserId,
}

impl Principal {
    /// May this principal own a record of the kind (its role reads the kind's module)?
    fn may_own(&self, kind: &str) -> bool {
        match kind {
            "LeadId" => !matches!(self.role, "support" | "finance"),
            "PotentialId" => self.role != "support",
            _ => true,
        }
    }
}

fn table() -> BTreeMap<String, Vec<String>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/api/core/access/roles.txt");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(cells.len(), 2 + ROLES.len(), "roles.txt: {l}");
            (format!("{} {}", cells[0], cells[1]), cells[2..].iter().map(|c| (*c).to_owned()).collect())
        })
        .collect()
}

/// What a cell says about one call: `all` lets every record through, `team` the caller's and their
/// team's leads, `own` the caller's leads, `yes` an operation on no lead, `-` nothing.
fn expected(cell: &str, class: Option<&str>) -> bool {
    match (cell, class) {
        ("-", _) => false,
        ("yes" | "all", _) => true,
        ("team", Some(c)) => c == "own" || c == "teammate",
        ("own", Some(c)) => c == "own",
        (other, _) => panic!("roles.txt: unknown cell {other:?}"),
    }
}

fn observed_cell(results: &BTreeMap<&str, bool>, lead_op: bool) -> String {
    if !lead_op {
        return if results.values().all(|a| *a) { "yes".into() } else { "-".into() };
    }
    let get = |c: &str| results.get(c).copied().unwrap_or(false);
    match (get("own"), get("teammate"), get("other_team"), get("unassigned")) {
        (_, true, true, true) => "all".into(),
        (_, true, false, false) => "team".into(),
        (true, false, false, false) => "own".into(),
        (false, false, false, false) => "-".into(),
        other => format!("odd{other:?}").replace(' ', ""),
    }
}

/// A record of an owned kind made by the admin for `owner` (in the recycle bin when `deleted`).
async fn owned_record(admin: &Client, kind: &str, owner: Option<UserId>, deleted: bool) -> String {
    let unique = uuid::Uuid::now_v7().simple().to_string();
    match kind {
        "LeadId" => lead_of(admin, owner, deleted).await.to_string(),
        "PotentialId" => {
            let p = admin
                .create_potential(&kith_domain::pipeline::NewPotential {
                    name: format!("Matrix {unique}"),
                    currency: "EUR".into(),
                    owner_id: owner,
                    ..Default::default()
                })
                .await
                .expect("potential");
            // A new potential is its creator's: an unassigned one is made so by taking the owner off.
            let p = match owner {
                Some(_) => p,
                None => admin
                    .update_potential(
                        p.id,
                        p.version,
                        &kith_domain::pipeline::PotentialPatch { owner_id: Some(None), ..Default::default() },
                    )
                    .await
                    .expect("unassign"),
            };
            if deleted {
                admin.delete_potential(p.id).await.expect("delete");
            }
            p.id.to_string()
        }
        "AccountId" => {
            let a = admin
                .create_account(&kith_domain::customers::NewAccount {
                    name: format!("Matrix {unique}"),
                    owner_id: owner,
                    ..Default::default()
                })
                .await
                .expect("account");
            let a = match owner {
                Some(_) => a,
                None => admin
                    .update_account(
                        a.id,
                        a.version,
                        &kith_domain::customers::AccountPatch { owner_id: Some(None), ..Default::default() },
                    )
                    .await
                    .expect("unassign"),
            };
            if deleted {
                admin.delete_account(a.id).await.expect("delete");
            }
            a.id.to_string()
        }
        "ContactId" => {
            let c = admin
                .create_contact(&kith_domain::customers::NewContact {
                    first_name: format!("Matrix {unique}"),
                    owner_id: owner,
                    ..Default::default()
                })
                .await
                .expect("contact");
            let c = match owner {
                Some(_) => c,
                None => admin
                    .update_contact(
                        c.id,
                        c.version,
                        &kith_domain::customers::ContactPatch { owner_id: Some(None), ..Default::default() },
                    )
                    .await
                    .expect("unassign"),
            };
            if deleted {
                admin.delete_contact(c.id).await.expect("delete");
            }
            c.id.to_string()
        }
        other => panic!("{other} has no owner"),
    }
}

async fn lead_of(admin: &Client, owner: Option<UserId>, deleted: bool) -> LeadId {
    let lead = admin
        .create_lead(&NewLead {
            first_name: "Matrix".into(),
            email: Some(format!("m.{}@matrix.test", uuid::Uuid::now_v7().simple())),
            owner_id: owner,
            ..Default::default()
        })
        .await
        .expect("lead");
    if deleted {
        admin.delete_lead(lead.id).await.expect("delete");
    }
    lead.id
}

fn notify(app: &TestApp, org: &str, user: UserId) -> String {
    use kith_db::schema::notifications as n;
    let id = uuid::Uuid::now_v7().to_string();
    let mut conn = app.pool.get().expect("conn");
    diesel::insert_into(n::table)
        .values((
            diesel::ExpressionMethods::eq(n::id, &id),
            diesel::ExpressionMethods::eq(n::org_id, org),
            diesel::ExpressionMethods::eq(n::user_id, user.to_string()),
            diesel::ExpressionMethods::eq(n::kind, "matrix"),
            diesel::ExpressionMethods::eq(n::title, "Matrix"),
            diesel::ExpressionMethods::eq(n::body, "Matrix"),
            diesel::ExpressionMethods::eq(n::created_at, chrono::Utc::now().naive_utc()),
        ))
        .execute(&mut *conn)
        .expect("notification");
    id
}

/// The operation that creates records of an id kind, with the collection its records live in:
/// `POST /x` beside `/x/{id}`, or — for records that hang on a lead, such as attachments —
/// `POST /leads/{id}/x`.
fn creator<'a>(ops: &'a [Operation], kind: &str) -> Option<(&'a Operation, String)> {
    let collection = ops
        .iter()
        .find(|op| op.path.ends_with("/{id}") && op.path_kinds().first().map(String::as_str) == Some(kind))?
        .path
        .trim_end_matches("/{id}")
        .to_owned();
    let post = |path: &str| ops.iter().find(|op| op.method == reqwest::Method::POST && op.path == path);
    let on_a_lead = collection.rsplit('/').next().map(|x| format!("/api/v1/leads/{{id}}/{x}"));
    post(&collection).or_else(|| post(on_a_lead.as_deref()?)).map(|op| (op, collection))
}

/// Does an id kind name records that hang on a lead (made by `POST /leads/{id}/…`, or by a
/// `POST /x` whose body names the lead, like an activity's `record_id`)? Operations on them are
/// operations on that lead, checked per record class like the lead's own.
fn on_a_lead(ops: &[Operation], kind: &str) -> bool {
    kind != "LeadId"
        && creator(ops, kind).is_some_and(|(op, _)| {
            op.path_kinds().first().map(String::as_str) == Some("LeadId") || names_a_lead_in_body(op)
        })
}

/// Does the operation's body sample name a lead (`$LeadId`)?
fn names_a_lead_in_body(op: &Operation) -> bool {
    op.body_schema_name()
        .and_then(|n| super::samples::SAMPLES.iter().find(|(s, _)| *s == n))
        .is_some_and(|(_, b)| b.contains("$LeadId"))
}

/// The id in a created record's answer (`{"id"}`, or one level down: `{"api_key": {"id"}}`).
fn id_in(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v["id"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| v.as_object()?.values().find_map(|inner| inner["id"].as_str().map(str::to_owned)))
}

/// A record of its own for one call, made by the caller when they may (their own saved view, their
/// own import), else by the admin; in the recycle bin when the call restores.
async fn fresh(
    app: &TestApp,
    ops: &[Operation],
    kind: &str,
    ids: &Ids,
    tokens: (&str, &str),
    deleted: bool,
) -> Option<String> {
    let (make, collection) = creator(ops, kind)?;
    let http = app.http();
    let req = make.requests(ids).into_iter().next()?;
    let mut made = None;
    for token in [tokens.0, tokens.1] {
        let (status, body) = send(&http, &app.address, token, &req).await;
        if (200..300).contains(&status) {
            made = id_in(&body);
            break;
        }
    }
    let id = made.unwrap_or_else(|| panic!("cannot make a {kind} with {}", req.describe()));
    if deleted {
        let r = http
            .delete(format!("{}{collection}/{id}", app.address))
            .bearer_auth(tokens.1)
            .send()
            .await
            .expect("delete");
        assert!(r.status().is_success(), "delete the fresh {kind}: {}", r.status());
    }
    Some(id)
}

#[tokio::test]
async fn every_operation_is_allowed_or_refused_per_role_and_record_as_the_table_says() {
    let app = TestApp::spawn().await;
    let org = organization(&app, "Matrix").await;
    let admin = &org.admin;
    let admin_me = admin.me().await.expect("me");
    let org_id = admin_me.organization.id.to_string();
    let team_a = org.ids["TeamId"][0].parse().expect("team");
    let team_b = admin.create_team(&NewTeam { name: "Team B".into(), description: String::new() }).await.expect("team");
    let roles = admin.list_roles(&Default::default()).await.expect("roles").items;
    let team_sales = admin
        .create_role(&NewRole {
            name: "Team sales".into(),
            permissions: kith_domain::core::permissions::Permissions {
                leads: ModuleAccess::write(RecordScope::Team),
                ..BuiltinRole::Sales.permissions()
            },
        })
        .await
        .expect("team role");
    let mut principals = Vec::new();
    let (tia, tia_me) = app.add_user(admin, "sales", "Tia Teammate").await;
    let (_, otto_me) = app.add_user(admin, "sales", "Otto Other").await;
    for role in ROLES {
        let key = if role == "team_sales" { "sales" } else { role };
        let (client, me) =
            if role == "admin" { (admin.clone(), admin_me.clone()) } else { app.add_user(admin, key, role).await };
        let role_id = if role == "team_sales" {
            team_sales.id
        } else {
            roles.iter().find(|r| r.key.as_deref() == Some(key)).expect("role").id
        };
        let user = admin.get_user(me.user.id).await.expect("user");
        admin
            .update_user(
                user.id,
                user.version,
                &UserPatch { role_id: Some(role_id), team_id: Some(Some(team_a)), ..Default::default() },
            )
            .await
            .expect("team A");
        principals.push(Principal { role, client, user_id: me.user.id });
    }
    for (user, team) in [(tia_me.user.id, team_a), (otto_me.user.id, team_b.id)] {
        let u = admin.get_user(user).await.expect("user");
        admin
            .update_user(u.id, u.version, &UserPatch { team_id: Some(Some(team)), ..Default::default() })
            .await
            .expect("team");
    }
    let _ = tia;

    // A configured mail server, so reading it is an answer and not "none configured".
    admin
        .request(reqwest::Method::PUT, "/api/v1/mail-settings/server")
        .json(&serde_json::json!({"host": "smtp.matrix.test", "port": 587, "security": "starttls"}))
        .send()
        .await
        .expect("mail server")
        .error_for_status()
        .expect("mail server stored");
    let expected_table = table();
    let admin_token = admin.access_token().expect("token");
    let http = app.http();
    let mut observed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut mismatches = Vec::new();
    let mut cells = 0usize;
    let mut calls = 0usize;
    let ops: Vec<Operation> = operations()
        .into_iter()
        .filter(|op| {
            !op.is_public() && op.security.contains("bearer") && !NOT_CHECKED.iter().any(|(p, _)| *p == op.path)
        })
        .collect();
    for op in &ops {
        let key = format!("{} {}", op.method, op.path);
        let row = expected_table.get(&key);
        if row.is_none() {
            mismatches.push(format!("{key}: no row in roles.txt"));
        }
        // An operation on one owned record: the path names it (a lead, potential, account or contact,
        // or a record that hangs on a lead), or — for leads — the query (a lead's history) or the body
        // does (a merge, a bulk change).
        let owned_kind: Option<&'static str> =
            op.path_kinds().first().and_then(|k| OWNED.iter().copied().find(|o| *o == k.as_str())).or_else(|| {
                let on_lead =
                    op.path_kinds().iter().chain(&op.query_kinds()).any(|k| k == "LeadId" || on_a_lead(&ops, k))
                        || names_a_lead_in_body(op);
                on_lead.then_some("LeadId")
            });
        let lead_op = owned_kind.is_some();
        let restore = op.path.ends_with("/restore");
        // Restoring a record that hangs on a lead restores it onto a live lead; restoring an owned
        // record restores one from the recycle bin.
        let restores_owned = restore && owned_kind.is_some_and(|k| op.path_kinds().iter().any(|p| p == k));
        let mut observed_row = Vec::new();
        for (col, p) in principals.iter().enumerate() {
            let mut results: BTreeMap<&str, bool> = BTreeMap::new();
            let classes: Vec<Option<&str>> =
                if lead_op { CLASSES.iter().map(|c| Some(*c)).collect() } else { vec![None] };
            for class in classes {
                let mut ids: Ids = org.ids.clone();
                ids.insert("UserId", vec![p.user_id.to_string()]);
                ids.insert("NotificationId", vec![notify(&app, &org_id, p.user_id)]);
                if let (Some(class), Some(kind)) = (class, owned_kind) {
                    let owner = match class {
                        "own" if !p.may_own(kind) => continue,
                        "own" => Some(p.user_id),
                        "teammate" => Some(tia_me.user.id),
                        "other_team" => Some(otto_me.user.id),
                        _ => None,
                    };
                    ids.insert(
                        kind,
                        vec![
                            owned_record(admin, kind, owner, restores_owned).await,
                            owned_record(admin, kind, owner, false).await,
                        ],
                    );
                }
                let token = p.client.access_token().expect("token");
                // Every other record the path names is made for this call alone, so what one call
                // deletes or changes never decides the next one's answer.
                for kind in op.path_kinds().iter().filter(|k| Some(k.as_str()) != owned_kind) {
                    let kind: &'static str = ids.keys().find(|k| **k == kind.as_str()).copied().unwrap_or("");
                    if let Some(id) = fresh(&app, &ops, kind, &ids, (&token, &admin_token), restore).await {
                        ids.insert(kind, vec![id]);
                    }
                }
                let req = op.requests(&ids).into_iter().next().expect("a request");
                let (status, body) = send(&http, &app.address, &token, &req).await;
                calls += 1;
                // Another server failing is documented (the test installation sends no email); ours never.
                let upstream = matches!(status, 502 | 503) && op.responses.contains(&status);
                assert!(status < 500 || upstream, "{} as {}: {} → {status} {body}", key, p.role, req.describe());
                // A change of many records answers 200 with the refused ones listed under `failed`.
                let failed_items = serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v["failed"].as_array().map(|f| !f.is_empty()))
                    .unwrap_or(false);
                let allowed = !matches!(status, 401 | 403 | 404) && !failed_items;
                results.insert(class.unwrap_or("any"), allowed);
                if let Some(row) = row {
                    cells += 1;
                    if expected(&row[col], class) != allowed {
                        mismatches.push(format!(
                            "{key} as {} on {} record: expected {}, got {status} {}",
                            p.role,
                            class.unwrap_or("no"),
                            if expected(&row[col], class) { "allowed" } else { "refused" },
                            body.chars().take(200).collect::<String>()
                        ));
                    }
                }
            }
            observed_row.push(observed_cell(&results, lead_op));
        }
        observed.insert(key, observed_row);
    }
    let stale: Vec<&String> = expected_table.keys().filter(|k| !observed.contains_key(*k)).collect();
    println!("role matrix: {} operations × {} roles, {cells} cells checked in {calls} calls", ops.len(), ROLES.len());
    if !mismatches.is_empty() || !stale.is_empty() {
        let mut text = format!("# method path {}\n", ROLES.join(" "));
        for (k, v) in &observed {
            text.push_str(&format!("{k} {}\n", v.join(" ")));
        }
        panic!(
            "{} mismatches, rows for operations that no longer exist: {stale:?}\n{}\n\nobserved table:\n{text}",
            mismatches.len(),
            mismatches.join("\n")
        );
    }
}

//! A1/A5, generated: every operation of the published spec, called by each principal of another
//! organization (an admin, a sales rep, an admin's API key) with the ids of the victim's records
//! wherever the path, the query or the body takes an id. No call may answer 5xx, a call naming a
//! victim's record in its path is refused (4xx), no answer carries anything of the victim's, and the
//! victim's data is the same afterwards. An operation added later is attacked the day it exists;
//! one whose path takes an id kind the victim has no record of fails the test until one is added.

use std::collections::BTreeMap;

use kith_client::Client;
use kith_domain::core::custom_fields::{CustomFieldInput, CustomFieldKind};
use kith_domain::core::notifications::NotificationQuery;
use kith_domain::identity::*;
use kith_domain::leads::merge::LeadMerge;
use kith_domain::leads::rules::*;
use kith_domain::leads::*;
use kith_tests::TestApp;
use serde_json::Value;

use super::spec::{operations, send, Ids};

/// What marks the victim's content: any answer that contains it leaked.
const MARK: &str = "victimsecret";

/// Operations not attacked, with the reason. Only calls that name no record belong here.
const NOT_ATTACKED: &[(&str, &str)] = &[("/api/v1/auth/logout", "ends the caller's own session; names no record")];

/// Operations that answer 200 for a list of ids with a result per id (refused ones as failures):
/// foreign ids are reported as not found there, and nothing changes.
const PER_ITEM_RESULTS: &[&str] = &["/api/v1/leads/bulk"];

pub struct Victim {
    pub admin: Client,
    pub rep: Client,
    pub ids: Ids,
}

fn push(ids: &mut Ids, kind: &'static str, id: impl ToString) {
    ids.entry(kind).or_default().push(id.to_string());
}

/// An organization with a record of every kind the API names by id, live and (where a kind has a
/// recycle bin) deleted, every name carrying `mark`.
pub async fn organization(app: &TestApp, mark: &str) -> Victim {
    let mark_lc = mark.to_lowercase();
    let (admin, me) = app.signup(&format!("{mark} Corp")).await;
    let (rep, rep_me) = app.add_user(&admin, "sales", &format!("{mark} Rep")).await;
    let mut ids = Ids::new();
    push(&mut ids, "OrgId", me.organization.id);
    push(&mut ids, "UserId", rep_me.user.id);
    push(&mut ids, "UserId", me.user.id);

    let new_lead = |n: &str| NewLead {
        first_name: format!("{mark}{n}"),
        last_name: "Person".into(),
        email: Some(format!("{mark_lc}.{n}@victim.test")),
        company_name: format!("{mark} GmbH"),
        owner_id: Some(rep_me.user.id),
        tags: vec![mark_lc.clone()],
        ..Default::default()
    };
    let lead = admin.create_lead(&new_lead("live")).await.expect("lead");
    push(&mut ids, "LeadId", lead.id);
    let gone = admin.create_lead(&new_lead("deleted")).await.expect("lead");
    admin.delete_lead(gone.id).await.expect("delete lead");
    push(&mut ids, "LeadId", gone.id);
    admin
        .put_lead_settings(&LeadSettings {
            duplicate_rule: DuplicateRule::Off,
            qualify_threshold: None,
            fallback_owner_id: None,
        })
        .await
        .expect("settings");
    let twin_a = admin.create_lead(&new_lead("twin")).await.expect("lead");
    let twin_b = admin.create_lead(&new_lead("twin")).await.expect("lead");
    let merge = admin
        .merge_leads(&LeadMerge { keep_id: twin_a.id, merge_id: twin_b.id, fields: Default::default() })
        .await
        .expect("merge");
    push(&mut ids, "LeadMergeId", merge.merge.id);

    let team =
        admin.create_team(&NewTeam { name: format!("{mark} team"), description: mark_lc.clone() }).await.expect("team");
    push(&mut ids, "TeamId", team.id);
    let old_team =
        admin.create_team(&NewTeam { name: format!("{mark} old"), description: String::new() }).await.expect("team");
    admin.delete_team(old_team.id).await.expect("delete team");
    push(&mut ids, "TeamId", old_team.id);
    let role = admin
        .create_role(&NewRole { name: format!("{mark} role"), permissions: me.role.permissions })
        .await
        .expect("role");
    push(&mut ids, "RoleId", role.id);
    push(&mut ids, "RoleId", me.role.id);
    let key = admin
        .create_api_key(&NewApiKey { name: format!("{mark} key"), role_id: me.role.id, expires_at: None })
        .await
        .expect("key");
    push(&mut ids, "ApiKeyId", key.api_key.id);
    let invite = admin
        .create_invite(&NewInvite {
            email: format!("{mark_lc}@victim.test"),
            role_id: me.role.id,
            team_id: Some(team.id),
        })
        .await
        .expect("invite");
    push(&mut ids, "InviteId", invite.invite.id);

    let form_input = kith_domain::leads::webforms::WebFormInput {
        name: format!("{mark} form"),
        ..crate::leads::webforms::contact_form()
    };
    let form = admin.create_web_form(&form_input).await.expect("form");
    push(&mut ids, "WebFormId", form.id);
    let old_form = admin.create_web_form(&form_input).await.expect("form");
    admin.delete_web_form(old_form.id).await.expect("delete form");
    push(&mut ids, "WebFormId", old_form.id);
    let sequence = admin
        .create_sequence(&kith_domain::marketing::sequences::SequenceInput {
            name: format!("{mark} sequence"),
            ..crate::marketing::sequences::welcome()
        })
        .await
        .expect("sequence");
    push(&mut ids, "SequenceId", sequence.id);
    let enrollment = admin.enroll_lead(lead.id, sequence.id).await.expect("enroll");
    push(&mut ids, "EnrollmentId", enrollment.id);
    let field = admin
        .create_custom_field(&CustomFieldInput {
            record_kind: "lead".into(),
            key: mark_lc.clone(),
            label: mark.to_owned(),
            help_text: None,
            kind: CustomFieldKind::Text,
            options: vec![],
            required: false,
            position: None,
        })
        .await
        .expect("custom field");
    push(&mut ids, "CustomFieldId", field.id);
    let scoring = admin
        .create_scoring_rule(&ScoringRuleInput {
            name: format!("{mark} scoring"),
            trigger: ScoreTrigger::Attribute {
                conditions: vec![Condition {
                    field: "title".into(),
                    op: Operator::Contains,
                    values: vec!["ceo".into()],
                    min: None,
                    max: None,
                }],
            },
            points: 5,
            decay_days: None,
            active: true,
        })
        .await
        .expect("scoring rule");
    push(&mut ids, "ScoringRuleId", scoring.id);
    let assignment = admin
        .create_assignment_rule(&AssignmentRuleInput {
            name: format!("{mark} assignment"),
            conditions: vec![],
            target: AssignTarget::User { user_id: rep_me.user.id },
            capacity: None,
            active: false,
            position: None,
        })
        .await
        .expect("assignment rule");
    push(&mut ids, "AssignmentRuleId", assignment.id);
    let view = rep
        .create_lead_view(&LeadViewInput {
            name: format!("{mark} view"),
            filters: LeadListQuery { tag: Some(mark_lc.clone()), ..Default::default() },
            shared: true,
        })
        .await
        .expect("lead view");
    push(&mut ids, "LeadViewId", view.id);
    let list = admin.create_call_list(&format!("{mark} calls")).await.expect("call list");
    push(&mut ids, "CallListId", list.id);
    admin
        .add_call_contacts(list.id, format!("name,phone,company\n{mark} Caller,+49 30 7654321,{mark} AG\n"))
        .await
        .expect("contacts");
    let contact = rep.next_call(list.id).await.expect("next").expect("a contact");
    push(&mut ids, "CallContactId", contact.id);
    let import = admin
        .upload_import(&format!("{mark_lc}.csv"), format!("first_name,email\n{mark},{mark_lc}.import@victim.test\n"))
        .await
        .expect("import");
    push(&mut ids, "ImportId", import.id);
    let file = admin
        .upload_lead_attachment(lead.id, &format!("{mark_lc}.txt"), format!("{mark} notes\n").into_bytes())
        .await
        .expect("attachment");
    push(&mut ids, "AttachmentId", file.id);
    let old_file = admin
        .upload_lead_attachment(lead.id, &format!("{mark_lc}-old.txt"), format!("{mark} old\n").into_bytes())
        .await
        .expect("attachment");
    admin.delete_attachment(old_file.id).await.expect("delete attachment");
    push(&mut ids, "AttachmentId", old_file.id);
    let account = admin
        .create_account(&kith_domain::customers::NewAccount {
            name: format!("{mark} Account"),
            owner_id: Some(rep_me.user.id),
            ..Default::default()
        })
        .await
        .expect("account");
    push(&mut ids, "AccountId", account.id);
    let old_account = admin
        .create_account(&kith_domain::customers::NewAccount { name: format!("{mark} Old"), ..Default::default() })
        .await
        .expect("account");
    admin.delete_account(old_account.id).await.expect("delete account");
    push(&mut ids, "AccountId", old_account.id);
    let person = admin
        .create_contact(&kith_domain::customers::NewContact {
            first_name: format!("{mark}Contact"),
            email: Some(format!("{mark_lc}.contact@victim.test")),
            account_id: Some(account.id),
            owner_id: Some(rep_me.user.id),
            ..Default::default()
        })
        .await
        .expect("contact");
    push(&mut ids, "ContactId", person.id);
    let old_person = admin
        .create_contact(&kith_domain::customers::NewContact { first_name: format!("{mark}Gone"), ..Default::default() })
        .await
        .expect("contact");
    admin.delete_contact(old_person.id).await.expect("delete contact");
    push(&mut ids, "ContactId", old_person.id);
    let pipelines = admin.list_pipelines().await.expect("pipelines");
    push(&mut ids, "PipelineId", pipelines[0].id);
    let reasons = admin.list_lost_reasons().await.expect("lost reasons");
    push(&mut ids, "LostReasonId", reasons[0].id);
    let deal = admin
        .create_potential(&kith_domain::pipeline::NewPotential {
            name: format!("{mark} deal"),
            account_id: Some(account.id),
            contact_id: Some(person.id),
            amount_minor: 100_000,
            currency: "EUR".into(),
            owner_id: Some(rep_me.user.id),
            ..Default::default()
        })
        .await
        .expect("potential");
    push(&mut ids, "PotentialId", deal.id);
    let old_deal = admin
        .create_potential(&kith_domain::pipeline::NewPotential {
            name: format!("{mark} old deal"),
            currency: "EUR".into(),
            ..Default::default()
        })
        .await
        .expect("potential");
    admin.delete_potential(old_deal.id).await.expect("delete potential");
    push(&mut ids, "PotentialId", old_deal.id);
    let tax = admin
        .create_tax_category(&kith_domain::catalog::TaxCategoryInput {
            name: format!("{mark} tax"),
            rate: 19_000,
            ..Default::default()
        })
        .await
        .expect("tax category");
    push(&mut ids, "TaxCategoryId", tax.id);
    let old_tax = admin
        .create_tax_category(&kith_domain::catalog::TaxCategoryInput {
            name: format!("{mark} old tax"),
            ..Default::default()
        })
        .await
        .expect("tax category");
    admin.delete_tax_category(old_tax.id).await.expect("delete tax category");
    push(&mut ids, "TaxCategoryId", old_tax.id);
    let product_input = |sku: &str| kith_domain::catalog::ProductInput {
        sku: format!("{mark_lc}-{sku}"),
        name: format!("{mark} product"),
        unit: "unit".into(),
        prices: vec![kith_domain::catalog::Price { currency: "EUR".into(), unit_price: 4_200 }],
        tax_category_id: Some(tax.id),
        active: true,
        ..Default::default()
    };
    let product = admin.create_product(&product_input("live")).await.expect("product");
    push(&mut ids, "ProductId", product.id);
    let old_product = admin.create_product(&product_input("old")).await.expect("product");
    admin.delete_product(old_product.id).await.expect("delete product");
    push(&mut ids, "ProductId", old_product.id);
    let book = admin
        .create_price_book(&kith_domain::catalog::PriceBookInput {
            name: format!("{mark} book"),
            entries: vec![kith_domain::catalog::PriceBookEntry {
                product_id: product.id,
                currency: "USD".into(),
                unit_price: 4_500,
            }],
            ..Default::default()
        })
        .await
        .expect("price book");
    push(&mut ids, "PriceBookId", book.id);
    let start = chrono::Utc::now() + chrono::Duration::days(1);
    let activity = |subject: String| kith_domain::core::activities::NewActivity {
        record_kind: "lead".into(),
        record_id: lead.id.to_string(),
        kind: kith_domain::core::activities::ActivityKind::Meeting,
        subject,
        starts_at: Some(start),
        ends_at: Some(start + chrono::Duration::hours(1)),
        time_zone: Some("Europe/Berlin".into()),
        ..Default::default()
    };
    let meeting = admin.create_activity(&activity(format!("{mark} meeting"))).await.expect("activity");
    push(&mut ids, "ActivityId", meeting.id);
    let old_meeting = admin.create_activity(&activity(format!("{mark} old meeting"))).await.expect("activity");
    admin.delete_activity(old_meeting.id).await.expect("delete activity");
    push(&mut ids, "ActivityId", old_meeting.id);
    let notes = rep.notifications(&NotificationQuery::default()).await.expect("notifications");
    push(&mut ids, "NotificationId", notes.items.first().expect("the rep was told of the lead").id);
    Victim { admin, rep, ids }
}

/// Everything the victim's admin and rep can read, as JSON.
pub async fn snapshot(v: &Victim) -> BTreeMap<String, Value> {
    let mut paths: Vec<String> = [
        "/api/v1/leads?limit=200",
        "/api/v1/teams?limit=200",
        "/api/v1/roles?limit=200",
        "/api/v1/users?limit=200",
        "/api/v1/api-keys?limit=200",
        "/api/v1/invites?limit=200",
        "/api/v1/web-forms",
        "/api/v1/sequences",
        "/api/v1/products?limit=200",
        "/api/v1/tax-categories",
        "/api/v1/price-books",
        "/api/v1/custom-fields",
        "/api/v1/scoring-rules",
        "/api/v1/assignment-rules",
        "/api/v1/lead-views",
        "/api/v1/call-lists",
        "/api/v1/lead-settings",
        "/api/v1/mail-settings",
        "/api/v1/inbound/email/settings",
        "/api/v1/recycle-bin?limit=200",
        "/api/v1/audit?limit=200",
        "/api/v1/accounts?limit=200",
        "/api/v1/contacts?limit=200",
        "/api/v1/potentials?limit=200",
        "/api/v1/pipelines",
        "/api/v1/lost-reasons",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    for id in &v.ids["LeadId"][..1] {
        paths.push(format!("/api/v1/leads/{id}"));
        paths.push(format!("/api/v1/leads/{id}/events"));
        paths.push(format!("/api/v1/leads/{id}/enrollments"));
        paths.push(format!("/api/v1/leads/{id}/attachments"));
        paths.push(format!("/api/v1/activities?record_kind=lead&record_id={id}"));
    }
    paths.push(format!("/api/v1/potentials/{}/events", v.ids["PotentialId"][0]));
    paths.push(format!("/api/v1/potentials/{}/phases", v.ids["PotentialId"][0]));
    paths.push(format!("/api/v1/accounts/{}/events", v.ids["AccountId"][0]));
    paths.push(format!("/api/v1/contacts/{}/events", v.ids["ContactId"][0]));
    paths.push(format!("/api/v1/pipelines/{}/board", v.ids["PipelineId"][0]));
    paths.push(format!("/api/v1/imports/{}", v.ids["ImportId"][0]));
    paths.push(format!("/api/v1/call-lists/{}", v.ids["CallListId"][0]));
    let mut out = BTreeMap::new();
    for path in paths {
        let r = v.admin.request(reqwest::Method::GET, &path).send().await.expect("snapshot");
        assert_eq!(r.status().as_u16(), 200, "victim reads {path}");
        out.insert(path, r.json::<Value>().await.expect("json"));
    }
    let notes = v.rep.request(reqwest::Method::GET, "/api/v1/notifications?limit=200").send().await.expect("send");
    out.insert("rep: notifications".into(), notes.json::<Value>().await.expect("json"));
    out
}

#[tokio::test]
async fn every_operation_refuses_another_organizations_records_for_every_principal() {
    let app = TestApp::spawn().await;
    let v = organization(&app, "Victimsecret").await;
    let before = snapshot(&v).await;

    // The attacker's organization has the same kinds of records, to tell "refused because the role
    // may not do this at all" (the same answer with its own ids) from a refusal that gives away that
    // the foreign record exists.
    let own = organization(&app, "Attackerown").await;
    let me = own.admin.me().await.expect("me");
    let key = own
        .admin
        .create_api_key(&NewApiKey { name: "k".into(), role_id: me.role.id, expires_at: None })
        .await
        .expect("key");
    let inbound = own.admin.rotate_inbound_email_secret().await.expect("inbound secret").secret;
    let principals = [
        ("admin", own.admin.access_token().expect("token")),
        ("sales rep", own.rep.access_token().expect("token")),
        ("API key", key.secret.clone()),
    ];

    let http = app.http();
    let mut tried = 0usize;
    let mut operations_tried = 0usize;
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let victim_ids: Vec<&String> = v.ids.values().flatten().collect();
    for op in operations() {
        if op.is_public() || NOT_ATTACKED.iter().any(|(p, _)| *p == op.path) {
            continue;
        }
        operations_tried += 1;
        let own_requests = op.requests(&own.ids);
        for (i, req) in op.requests(&v.ids).iter().enumerate() {
            for (who, token) in &principals {
                let token = if op.security.contains("bearer") { token.clone() } else { inbound.clone() };
                let (status, body) = send(&http, &app.address, &token, req).await;
                tried += 1;
                *statuses.entry(status).or_default() += 1;
                let asked = req.describe();
                let leaked = body.to_lowercase().contains(MARK)
                    || victim_ids.iter().any(|id| body.contains(id.as_str()) && !asked.contains(id.as_str()));
                let body_has_ids = req
                    .body
                    .as_ref()
                    .is_some_and(|(_, b)| victim_ids.iter().any(|id| String::from_utf8_lossy(b).contains(id.as_str())));
                let verdict = match status {
                    _ if leaked => Err("answered with the victim's data"),
                    // Another server failing (the test installation sends no email) is documented, not ours.
                    502 | 503 if op.responses.contains(&status) => Ok(()),
                    500.. => Err("server error"),
                    404 => Ok(()),
                    // A refusal that does not depend on the record: the same with the attacker's own ids.
                    403 => {
                        let (own_status, _) = send(&http, &app.address, &token, &own_requests[i]).await;
                        if own_status == 403 {
                            Ok(())
                        } else {
                            Err("403 for the foreign record, but not for one of its own: tells that it exists")
                        }
                    }
                    // A foreign id in the body refused as unknown.
                    422 if body_has_ids => Ok(()),
                    401 if !op.security.contains("bearer") => Ok(()),
                    200..=299 if !req.path_kinds.is_empty() => Err("accepted a foreign record in the path"),
                    200..=299 if body_has_ids && !PER_ITEM_RESULTS.contains(&op.path.as_str()) => {
                        Err("accepted a foreign id in the body")
                    }
                    200..=299 => Ok(()),
                    _ if req.path_kinds.is_empty() && !body_has_ids => Ok(()),
                    _ => Err("refused for another reason than the foreign record: fix the request (samples.rs)"),
                };
                if let Err(why) = verdict {
                    failures.push(format!(
                        "{who}: {asked} → {status}: {why}: {}",
                        body.chars().take(300).collect::<String>()
                    ));
                }
            }
        }
    }
    println!("cross-tenant: {operations_tried} operations, {tried} requests; statuses {statuses:?}");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    let after = snapshot(&v).await;
    for (path, value) in &before {
        assert_eq!(Some(value), after.get(path), "the victim's {path} changed");
    }
}

/// Every kind of record the audit trail or the recycle bin names is registered with the kernel, so
/// its history is governed by its module (and per-record access where the kind has it) and the purge
/// knows how to remove it. The fixture makes a record of every kind, live and deleted.
#[tokio::test]
async fn every_audited_or_recycled_kind_is_a_registered_record_kind() {
    use diesel::{QueryDsl, RunQueryDsl};
    use kith_db::schema::{audit_log, recycle_bin};
    let app = TestApp::spawn().await;
    organization(&app, "Kinds").await;
    let mut conn = app.pool.get().unwrap_or_else(|e| panic!("conn: {e}"));
    let audited: Vec<String> =
        audit_log::table.select(audit_log::entity).distinct().load(&mut *conn).unwrap_or_else(|e| panic!("{e}"));
    let recycled: Vec<String> =
        recycle_bin::table.select(recycle_bin::entity).distinct().load(&mut *conn).unwrap_or_else(|e| panic!("{e}"));
    assert!(audited.len() >= 10 && !recycled.is_empty(), "the fixture touched too little: {audited:?} {recycled:?}");
    let kernel = kith_db::core::kernel::kernel();
    for entity in &audited {
        assert!(kernel.kind(entity).is_some(), "audited kind {entity} is not registered");
    }
    // What goes to the bin can come back: each recycled kind has its restore operation.
    let ops = super::spec::operations();
    for entity in &recycled {
        assert!(kernel.kind(entity).is_some_and(|k| k.purge.is_some()), "recycled kind {entity} has no purge");
        let restore = format!("/api/v1/{}/{{id}}/restore", kith_client::plural(&entity.replace('_', "-")));
        assert!(
            ops.iter().any(|op| op.method == reqwest::Method::POST && op.path == restore),
            "recycled kind {entity} cannot be restored ({restore})"
        );
    }
}

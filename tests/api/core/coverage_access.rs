//! What each kind of person sees of the leads and may change, told as stories with exact answers:
//! team-scoped roles, the manager and finance, a rep limited to their own leads on every lead
//! operation (timeline, activities, emails, enrolments, delete, bulk), and an API key acting as its
//! creator. Every refused write is followed by reading the lead back to prove nothing changed.
//! (`access::role_matrix` checks allowed/refused per operation; this file checks which answer, which
//! leads a list holds, and that a refusal changed nothing.)

use std::collections::BTreeSet;

use kith_client::{Client, ClientError};
use kith_domain::core::permissions::{BuiltinRole, ModuleAccess, Permissions, RecordScope};
use kith_domain::identity::*;
use kith_domain::leads::*;
use kith_domain::{ErrorCode, LeadId, TeamId, UserId};
use kith_tests::TestApp;

/// Status and problem code of a refusal: both must be what the test expects.
fn refusal(e: &ClientError) -> (Option<u16>, Option<ErrorCode>) {
    (e.status(), e.problem().map(|p| p.code))
}

const HIDDEN: (Option<u16>, Option<ErrorCode>) = (Some(404), Some(ErrorCode::NotFound));
const FORBIDDEN: (Option<u16>, Option<ErrorCode>) = (Some(403), Some(ErrorCode::Forbidden));
const INVALID: (Option<u16>, Option<ErrorCode>) = (Some(422), Some(ErrorCode::ValidationFailed));

async fn role_id(admin: &Client, key: &str) -> kith_domain::RoleId {
    let roles = admin.list_roles(&Default::default()).await.expect("roles").items;
    roles.iter().find(|r| r.key.as_deref() == Some(key)).unwrap_or_else(|| panic!("no role {key}")).id
}

async fn place(admin: &Client, user: UserId, role: kith_domain::RoleId, team: Option<TeamId>) {
    let u = admin.get_user(user).await.expect("user");
    admin
        .update_user(u.id, u.version, &UserPatch { role_id: Some(role), team_id: Some(team), ..Default::default() })
        .await
        .expect("role and team");
}

async fn lead_for(admin: &Client, owner: Option<UserId>, name: &str) -> LeadView {
    admin
        .create_lead(&NewLead {
            first_name: name.into(),
            last_name: "Lead".into(),
            email: Some(format!("{}.{}@leads.test", name.to_lowercase(), uuid::Uuid::now_v7().simple())),
            title: "Original".into(),
            owner_id: owner,
            ..Default::default()
        })
        .await
        .unwrap_or_else(|e| panic!("lead {name}: {e}"))
}

/// What a principal may do with one lead, written out per role and record class (not derived from
/// the permission code): W read and change, R read only, H hidden (404, as if it did not exist),
/// F the whole module is forbidden (403), `-` the class does not exist for this principal.
const EXPECTED: &[(&str, [char; 4])] = &[
    //               own  teammate other_team unassigned
    ("team_sales", ['W', 'W', 'H', 'H']),
    ("team_viewer", ['-', 'R', 'H', 'H']),
    ("sales", ['W', 'H', 'H', 'H']),
    ("manager", ['W', 'W', 'W', 'W']),
    ("finance", ['-', 'F', 'F', 'F']),
];
const CLASSES: [&str; 4] = ["own", "teammate", "other_team", "unassigned"];

#[tokio::test]
async fn team_scope_manager_and_finance_see_and_change_exactly_the_leads_their_role_gives_them() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let team_a = admin.create_team(&NewTeam { name: "Team A".into(), description: String::new() }).await.expect("A");
    let team_b = admin.create_team(&NewTeam { name: "Team B".into(), description: String::new() }).await.expect("B");
    let sales = BuiltinRole::Sales.permissions();
    let team_sales = admin
        .create_role(&NewRole {
            name: "Team sales".into(),
            permissions: Permissions { leads: ModuleAccess::write(RecordScope::Team), ..sales },
        })
        .await
        .expect("team sales role");
    let team_viewer = admin
        .create_role(&NewRole {
            name: "Team viewer".into(),
            permissions: Permissions { leads: ModuleAccess::read(RecordScope::Team), ..sales },
        })
        .await
        .expect("team viewer role");

    // Team A: Tess (team sales), Tia (sales), Vic (team viewer), Fay (finance). Team B: Otto (sales),
    // Mona (manager).
    let mut people: Vec<(&str, Client, UserId)> = Vec::new();
    for (name, builtin, custom, team) in [
        ("tess", "sales", Some(team_sales.id), team_a.id),
        ("tia", "sales", None, team_a.id),
        ("vic", "sales", Some(team_viewer.id), team_a.id),
        ("fay", "finance", None, team_a.id),
        ("otto", "sales", None, team_b.id),
        ("mona", "manager", None, team_b.id),
    ] {
        let (client, me) = app.add_user(&admin, builtin, name).await;
        let role = match custom {
            Some(r) => r,
            None => role_id(&admin, builtin).await,
        };
        place(&admin, me.user.id, role, Some(team)).await;
        people.push((name, client, me.user.id));
    }
    let id_of = |n: &str| people.iter().find(|p| p.0 == n).map(|p| p.2).expect("person");

    for (principal, cells) in EXPECTED {
        let (who, teammate, other) = match *principal {
            "team_sales" => ("tess", "tia", "otto"),
            "team_viewer" => ("vic", "tia", "otto"),
            "sales" => ("tia", "tess", "otto"),
            "manager" => ("mona", "otto", "tia"),
            _ => ("fay", "tia", "otto"),
        };
        let client = &people.iter().find(|p| p.0 == who).expect("principal").1;
        // Fresh leads for this principal, made by the admin.
        let mut leads: Vec<(usize, LeadView)> = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            if *cell == '-' {
                continue;
            }
            let owner = match CLASSES[i] {
                "own" => Some(id_of(who)),
                "teammate" => Some(id_of(teammate)),
                "other_team" => Some(id_of(other)),
                _ => None,
            };
            leads.push((i, lead_for(&admin, owner, &format!("{principal}{i}")).await));
        }

        // The list holds exactly the leads the role lets them read (of all the organization's leads).
        let expected_list: BTreeSet<LeadId> =
            leads.iter().filter(|(i, _)| matches!(cells[*i], 'W' | 'R')).map(|(_, l)| l.id).collect();
        let list = client.list_leads(&LeadListQuery::default()).await;
        let all_mine_before: BTreeSet<LeadId> = if cells.contains(&'F') {
            // No access to leads at all: the list itself is refused, not merely empty.
            assert_eq!(refusal(&list.expect_err("list refused")), FORBIDDEN, "{principal}: list");
            BTreeSet::new()
        } else {
            list.unwrap_or_else(|e| panic!("{principal}: list: {e:?}")).items.iter().map(|l| l.id).collect()
        };
        let made: BTreeSet<LeadId> = leads.iter().map(|(_, l)| l.id).collect();
        let listed_of_made: BTreeSet<LeadId> = all_mine_before.intersection(&made).copied().collect();
        assert_eq!(listed_of_made, expected_list, "{principal}: the list");
        if *principal == "manager" {
            let everyone = admin.list_leads(&LeadListQuery { limit: Some(200), ..Default::default() }).await;
            let everyone: BTreeSet<LeadId> = everyone.expect("admin list").items.iter().map(|l| l.id).collect();
            assert_eq!(all_mine_before, everyone, "the manager's list is the whole organization's");
        }

        for (i, lead) in &leads {
            let cell = cells[*i];
            let what = format!("{principal} on {} lead", CLASSES[*i]);
            // Read.
            match (cell, client.get_lead(lead.id).await) {
                ('W' | 'R', Ok(d)) => assert_eq!(d.lead.id, lead.id, "{what}"),
                ('H', Err(e)) => assert_eq!(refusal(&e), HIDDEN, "{what}: get"),
                ('F', Err(e)) => assert_eq!(refusal(&e), FORBIDDEN, "{what}: get"),
                (c, r) => panic!("{what}: get with cell {c}: {r:?}"),
            }
            // Change.
            let patch = LeadPatch { title: Some(format!("Changed by {principal}")), ..Default::default() };
            match (cell, client.update_lead(lead.id, lead.version, &patch).await) {
                ('W', Ok(v)) => assert_eq!(v.title, format!("Changed by {principal}"), "{what}"),
                ('R' | 'F', Err(e)) => assert_eq!(refusal(&e), FORBIDDEN, "{what}: update"),
                ('H', Err(e)) => assert_eq!(refusal(&e), HIDDEN, "{what}: update"),
                (c, r) => panic!("{what}: update with cell {c}: {r:?}"),
            }
            let after = admin.get_lead(lead.id).await.expect("admin reads").lead;
            if cell == 'W' {
                assert_eq!(
                    (after.title.as_str(), after.version),
                    (patch.title.as_deref().unwrap_or(""), lead.version + 1)
                );
            } else {
                assert_eq!(after, *lead, "{what}: a refused change changed nothing");
            }
            // Delete.
            match (cell, client.delete_lead(lead.id).await) {
                ('W', Ok(())) => {
                    assert_eq!(refusal(&admin.get_lead(lead.id).await.expect_err("deleted")), HIDDEN, "{what}");
                    let bin = admin.recycle_bin(&Default::default()).await.expect("bin").items;
                    assert!(bin.iter().any(|b| b.entity_id == lead.id.to_string()), "{what}: in the recycle bin");
                }
                ('R' | 'F', Err(e)) => assert_eq!(refusal(&e), FORBIDDEN, "{what}: delete"),
                ('H', Err(e)) => assert_eq!(refusal(&e), HIDDEN, "{what}: delete"),
                (c, r) => panic!("{what}: delete with cell {c}: {r:?}"),
            }
            if cell != 'W' {
                assert_eq!(admin.get_lead(lead.id).await.expect("still there").lead, after, "{what}: not deleted");
            }
        }
    }
}

struct Reps {
    admin: Client,
    rita: Client,
    rita_id: UserId,
    sam: Client,
    /// Sam's lead, which Rita may not see.
    sams: LeadView,
    /// Rita's own lead.
    ritas: LeadView,
}

async fn reps(app: &TestApp) -> Reps {
    let (admin, _) = app.signup("Acme").await;
    let (rita, rita_me) = app.add_user(&admin, "sales", "Rita Rep").await;
    let (sam, _) = app.add_user(&admin, "sales", "Sam Rep").await;
    let sams = sam
        .create_lead(&NewLead {
            first_name: "Carla".into(),
            email: Some("carla@client.test".into()),
            tags: vec!["sams".into()],
            ..Default::default()
        })
        .await
        .expect("sam's lead");
    let ritas = rita
        .create_lead(&NewLead { first_name: "Rolf".into(), email: Some("rolf@own.test".into()), ..Default::default() })
        .await
        .expect("rita's lead");
    Reps { admin, rita, rita_id: rita_me.user.id, sam, sams, ritas }
}

/// Everything the owner sees of a lead: the lead, its timeline, its emails and enrolments.
async fn everything(owner: &Client, id: LeadId) -> String {
    let lead = owner.get_lead(id).await.expect("lead");
    let events: Vec<_> = owner.lead_events(id).await.expect("events").into_iter().map(|e| (e.kind, e.note)).collect();
    let emails = owner.lead_emails(id, &Default::default()).await.expect("emails").items;
    let enrolments = owner.lead_enrollments(id).await.expect("enrolments");
    format!("{lead:?}\n{events:?}\n{emails:?}\n{enrolments:?}")
}

#[tokio::test]
async fn a_rep_limited_to_own_leads_reaches_no_colleagues_lead_through_any_lead_operation() {
    let app = TestApp::spawn().await;
    let r = reps(&app).await;
    let sequence = r
        .admin
        .create_sequence(&kith_domain::marketing::sequences::SequenceInput {
            name: "Welcome".into(),
            steps: vec![kith_domain::marketing::sequences::SequenceStep {
                day_offset: 3,
                subject: "Hi".into(),
                body: "Hello".into(),
            }],
            enroll_sources: vec![],
            enroll_form_ids: vec![],
            active: true,
        })
        .await
        .expect("sequence");
    let before = everything(&r.sam, r.sams.id).await;
    let activity = NewLeadActivity {
        behaviour: kith_domain::leads::rules::Behaviour::MeetingHeld,
        occurred_at: None,
        note: Some("met".into()),
    };

    // Every operation on Sam's lead answers 404, exactly as for a lead that does not exist.
    let nowhere = LeadId(uuid::Uuid::now_v7());
    for id in [r.sams.id, nowhere] {
        let what = if id == nowhere { "no lead" } else { "sam's lead" };
        assert_eq!(refusal(&r.rita.get_lead(id).await.expect_err("get")), HIDDEN, "{what}");
        assert_eq!(refusal(&r.rita.lead_events(id).await.expect_err("events")), HIDDEN, "{what}");
        assert_eq!(refusal(&r.rita.add_lead_activity(id, &activity).await.expect_err("activity")), HIDDEN, "{what}");
        assert_eq!(refusal(&r.rita.lead_emails(id, &Default::default()).await.expect_err("emails")), HIDDEN, "{what}");
        assert_eq!(refusal(&r.rita.lead_enrollments(id).await.expect_err("enrolments")), HIDDEN, "{what}");
        assert_eq!(refusal(&r.rita.enroll_lead(id, sequence.id).await.expect_err("enrol")), HIDDEN, "{what}");
        assert_eq!(refusal(&r.rita.delete_lead(id).await.expect_err("delete")), HIDDEN, "{what}");
        assert_eq!(refusal(&r.rita.restore_lead(id).await.expect_err("restore")), HIDDEN, "{what}");
    }
    assert_eq!(everything(&r.sam, r.sams.id).await, before, "nothing of Sam's lead changed");
    // Filtering by Sam as owner finds nothing.
    let by_sam = LeadListQuery { owner_id: Some(r.sams.owner_id.expect("owner")), ..Default::default() };
    assert!(r.rita.list_leads(&by_sam).await.expect("list").items.is_empty());

    // The same operations on her own lead work.
    r.rita.add_lead_activity(r.ritas.id, &activity).await.expect("her activity");
    let kinds: Vec<LeadEventKind> =
        r.rita.lead_events(r.ritas.id).await.expect("events").iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&LeadEventKind::MeetingHeld), "{kinds:?}");
    let enrolment = r.rita.enroll_lead(r.ritas.id, sequence.id).await.expect("her enrolment");
    assert_eq!(r.rita.lead_enrollments(r.ritas.id).await.expect("enrolments")[0].id, enrolment.id);
    assert!(r.rita.lead_emails(r.ritas.id, &Default::default()).await.expect("emails").items.is_empty());
    r.rita.delete_lead(r.ritas.id).await.expect("delete her own");
    assert_eq!(refusal(&r.rita.get_lead(r.ritas.id).await.expect_err("deleted")), HIDDEN);
    assert_eq!(r.rita.restore_lead(r.ritas.id).await.expect("restore her own").id, r.ritas.id);
    assert_eq!(everything(&r.sam, r.sams.id).await, before, "still nothing of Sam's lead changed");
}

#[tokio::test]
async fn a_bulk_change_takes_500_leads_refuses_501_and_changes_only_the_reps_own() {
    let app = TestApp::spawn().await;
    let r = reps(&app).await;
    let sams_before = r.sam.get_lead(r.sams.id).await.expect("lead").lead;
    let ritas_before = r.rita.get_lead(r.ritas.id).await.expect("lead").lead;
    // 500 ids: her lead, Sam's, and 498 that exist nowhere.
    let mut ids = vec![r.ritas.id, r.sams.id];
    ids.extend((0..498).map(|_| LeadId(uuid::Uuid::now_v7())));
    let change = |ids: Vec<LeadId>| BulkLeadUpdate { ids, add_tags: vec!["bulk".into()], ..Default::default() };

    // 501 is refused as a whole, naming `ids`, and changes nothing.
    let mut too_many = ids.clone();
    too_many.push(LeadId(uuid::Uuid::now_v7()));
    let e = r.rita.bulk_update_leads(&change(too_many)).await.expect_err("501");
    assert_eq!(refusal(&e), INVALID);
    assert!(e.problem().and_then(|p| p.field_message("ids")).is_some(), "{e:?}");
    assert_eq!(r.rita.get_lead(r.ritas.id).await.expect("lead").lead, ritas_before, "501: her lead unchanged");

    let done = r.rita.bulk_update_leads(&change(ids.clone())).await.expect("500");
    assert_eq!(done.updated, vec![r.ritas.id]);
    assert_eq!(done.failed.len(), 499);
    // Sam's lead is refused exactly like a lead that does not exist: nothing tells them apart.
    let sams_failure = done.failed.iter().find(|f| f.id == r.sams.id).expect("sam's lead refused");
    let codes: BTreeSet<Vec<(String, String)>> =
        done.failed.iter().map(|f| f.errors.iter().map(|e| (e.field.clone(), e.code.clone())).collect()).collect();
    assert_eq!(codes.len(), 1, "one refusal for all: {codes:?}");
    assert_eq!(
        sams_failure.errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect::<Vec<_>>(),
        vec![("id", "not_found")]
    );
    assert_eq!(r.sam.get_lead(r.sams.id).await.expect("lead").lead, sams_before, "Sam's lead unchanged");
    let mine = r.rita.get_lead(r.ritas.id).await.expect("lead").lead;
    assert_eq!((mine.tags.clone(), mine.version), (vec!["bulk".to_owned()], ritas_before.version + 1));
    let _ = r.rita_id;
}

#[tokio::test]
async fn an_api_key_acts_as_its_creator_with_the_keys_narrower_role() {
    let app = TestApp::spawn().await;
    let r = reps(&app).await;
    let admin_me = r.admin.me().await.expect("me");
    let admins = lead_for(&r.admin, Some(admin_me.user.id), "Adele").await;
    let unassigned = lead_for(&r.admin, None, "Nobody").await;
    let key = r
        .admin
        .create_api_key(&NewApiKey {
            name: "own-scope key".into(),
            role_id: role_id(&r.admin, "sales").await,
            expires_at: None,
        })
        .await
        .expect("key");
    let api = Client::with_api_key(&app.address, &key.secret);

    // What it creates belongs to its creator, and the audit names the key as the actor.
    let made = api.create_lead(&NewLead { first_name: "Kay".into(), ..Default::default() }).await.expect("create");
    assert_eq!(made.owner_id, Some(admin_me.user.id));
    let history = r
        .admin
        .audit(&kith_domain::core::audit::AuditQuery {
            entity: Some("lead".into()),
            entity_id: Some(made.id.to_string()),
            ..Default::default()
        })
        .await
        .expect("history")
        .items;
    let created: Vec<_> = history.iter().map(|e| (e.action, e.actor_kind, e.actor_id.clone())).collect();
    assert_eq!(
        created,
        vec![(
            kith_domain::core::audit::AuditAction::Create,
            kith_domain::core::audit::ActorKind::ApiKey,
            Some(key.api_key.id.to_string())
        )]
    );

    // It sees its creator's leads only (own scope), never a rep's or an unassigned one.
    let listed: BTreeSet<LeadId> =
        api.list_leads(&LeadListQuery::default()).await.expect("list").items.iter().map(|l| l.id).collect();
    assert_eq!(listed, BTreeSet::from([made.id, admins.id]));
    for hidden in [&r.sams, &r.ritas, &unassigned] {
        assert_eq!(refusal(&api.get_lead(hidden.id).await.expect_err("hidden")), HIDDEN);
        let patch = LeadPatch { title: Some("By key".into()), ..Default::default() };
        assert_eq!(refusal(&api.update_lead(hidden.id, hidden.version, &patch).await.expect_err("hidden")), HIDDEN);
        assert_eq!(refusal(&api.delete_lead(hidden.id).await.expect_err("hidden")), HIDDEN);
        assert_eq!(r.admin.get_lead(hidden.id).await.expect("unchanged").lead, *hidden);
    }
    // It changes its creator's lead.
    let patch = LeadPatch { title: Some("By key".into()), ..Default::default() };
    assert_eq!(api.update_lead(admins.id, admins.version, &patch).await.expect("own").title, "By key");
    // Nor does it reach what the sales role lacks (settings), although its creator is an admin.
    assert_eq!(refusal(&api.list_users(&Default::default()).await.expect_err("settings")), FORBIDDEN);
}

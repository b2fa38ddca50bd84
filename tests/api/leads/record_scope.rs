//! Own-records limits hold on every side door to a lead: capturing a duplicate, importing a file,
//! naming an owner. A rep limited to their own leads never reads or changes a colleague's lead
//! through them, and never learns that it exists.

use kith_client::Client;
use kith_domain::core::notifications::NotificationQuery;
use kith_domain::identity::{NewApiKey, UserPatch, UserStatus};
use kith_domain::leads::imports::*;
use kith_domain::leads::merge::DuplicateQuery;
use kith_domain::leads::*;
use kith_domain::LeadId;
use kith_tests::TestApp;

use crate::leads::imports::run_until_done;

struct Team {
    admin: Client,
    rita: Client,
    rita_id: kith_domain::UserId,
    sam: Client,
    sam_id: kith_domain::UserId,
    /// Sam's lead, which Rita may not see.
    sams: LeadView,
}

async fn team(app: &TestApp) -> Team {
    let (admin, _) = app.signup("Acme").await;
    let (rita, rita_me) = app.add_user(&admin, "sales", "Rita Rep").await;
    let (sam, sam_me) = app.add_user(&admin, "sales", "Sam Rep").await;
    let sams = sam
        .create_lead(&NewLead {
            first_name: "Carla".into(),
            last_name: "Client".into(),
            email: Some("carla@client.test".into()),
            phone: Some("+49 30 1234567".into()),
            company_name: "Client GmbH".into(),
            country: Some("DE".into()),
            ..Default::default()
        })
        .await
        .expect("sam's lead");
    assert_eq!(sams.owner_id, Some(sam_me.user.id));
    Team { admin, rita, rita_id: rita_me.user.id, sam, sam_id: sam_me.user.id, sams }
}

/// Everything the owner sees of a lead: its fields, tags, custom values, score and timeline.
async fn snapshot(owner: &Client, id: LeadId) -> (LeadView, Vec<(LeadEventKind, Option<String>)>) {
    let lead = owner.get_lead(id).await.expect("lead").lead;
    let events = owner.lead_events(id).await.expect("events").into_iter().map(|e| (e.kind, e.note)).collect();
    (lead, events)
}

#[tokio::test]
async fn a_rep_capturing_a_colleagues_lead_gets_a_lead_of_their_own_and_learns_nothing_of_the_other() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let before = snapshot(&t.sam, t.sams.id).await;

    // The same email, then the same phone (with the organization's default rule: email or phone).
    for (n, new) in [
        NewLead {
            first_name: "x".into(),
            email: Some("CARLA@client.test".into()),
            tags: vec!["mine".into()],
            title: "Buyer".into(),
            ..Default::default()
        },
        NewLead {
            first_name: "y".into(),
            phone: Some("+49 30 1234567".into()),
            tags: vec!["mine".into()],
            industry: Some("Retail".into()),
            ..Default::default()
        },
    ]
    .into_iter()
    .enumerate()
    {
        let r = t.rita.request(reqwest::Method::POST, "/api/v1/leads").json(&new).send().await.expect("send");
        assert_eq!(r.status().as_u16(), 201, "case {n}: a lead of her own is created");
        let body = r.text().await.expect("body");
        assert!(!body.contains(&t.sams.id.to_string()), "case {n}: the hidden lead's id is not disclosed: {body}");
        assert!(!body.contains("Client GmbH"), "case {n}: nothing of the hidden lead is disclosed: {body}");
        let mine: LeadView = serde_json::from_str(&body).expect("lead");
        assert_ne!(mine.id, t.sams.id);
        assert_eq!(mine.owner_id, Some(t.rita_id));
        assert_eq!(mine.tags, vec!["mine".to_owned()]);
    }
    assert_eq!(snapshot(&t.sam, t.sams.id).await, before, "the colleague's lead is untouched");
    assert_eq!(t.rita.get_lead(t.sams.id).await.expect_err("still hidden").status(), Some(404));
    assert_eq!(t.rita.list_leads(&LeadListQuery::default()).await.expect("list").items.len(), 2);

    // The owner is told, and whoever may see both finds the pairs among the duplicates.
    let notes = t.sam.notifications(&NotificationQuery::default()).await.expect("notifications");
    let told: Vec<_> = notes.items.iter().filter(|n| n.kind == "lead_possible_duplicate").collect();
    assert_eq!(told.len(), 2, "{:?}", notes.items);
    assert_eq!(told[0].entity_id.as_deref(), Some(t.sams.id.to_string().as_str()));
    let pairs = t.admin.lead_duplicates(&DuplicateQuery::default()).await.expect("duplicates");
    assert!(pairs.pairs.iter().filter(|p| p.a.id == t.sams.id || p.b.id == t.sams.id).count() >= 2, "{pairs:?}");
    // Rita sees no pair: she sees only one side of each.
    let hers = t.rita.lead_duplicates(&DuplicateQuery::default()).await.expect("duplicates");
    assert!(hers.pairs.iter().all(|p| p.a.id != t.sams.id && p.b.id != t.sams.id));

    // A lead she may change is still attached to, as before.
    let own = t.rita.list_leads(&LeadListQuery::default()).await.expect("list").items;
    let again = t
        .rita
        .create_lead(&NewLead { first_name: "x".into(), email: Some("carla@client.test".into()), ..Default::default() })
        .await
        .expect("attach");
    assert!(own.iter().any(|l| l.id == again.id), "attached to her own matching lead");
    // The admin (all leads) attaches to an existing lead with that phone, as the rule says.
    let before = t.admin.list_leads(&LeadListQuery::default()).await.expect("list").items.len();
    let r = t
        .admin
        .request(reqwest::Method::POST, "/api/v1/leads")
        .json(&NewLead {
            first_name: "z".into(),
            phone: Some("+49 30 1234567".into()),
            email: Some("other@client.test".into()),
            ..Default::default()
        })
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 200, "attached");
    assert_eq!(t.admin.list_leads(&LeadListQuery::default()).await.expect("list").items.len(), before);
}

#[tokio::test]
async fn an_api_key_limited_to_own_leads_cannot_hand_a_lead_to_someone_else() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let roles = t.admin.list_roles(&Default::default()).await.expect("roles");
    let sales = roles.items.iter().find(|r| r.key.as_deref() == Some("sales")).expect("sales role");
    let key = t
        .admin
        .create_api_key(&NewApiKey { name: "sales key".into(), role_id: sales.id, expires_at: None })
        .await
        .expect("key");
    let api = Client::with_api_key(&app.address, &key.secret);
    let err = api
        .create_lead(&NewLead { first_name: "Kay".into(), owner_id: Some(t.sam_id), ..Default::default() })
        .await
        .expect_err("someone else's");
    assert_eq!(err.status(), Some(403));
    // Without an owner the key's creator owns it, so the key can read back what it made.
    let made = api.create_lead(&NewLead { first_name: "Kay".into(), ..Default::default() }).await.expect("create");
    assert!(made.owner_id.is_some());
    api.get_lead(made.id).await.expect("the key reads its own lead");
    // And a duplicate of Sam's lead through the key is a lead of its own too.
    let dup = api
        .create_lead(&NewLead {
            first_name: "Kay".into(),
            email: Some("carla@client.test".into()),
            ..Default::default()
        })
        .await
        .expect("create");
    assert_ne!(dup.id, t.sams.id);
}

#[tokio::test]
async fn a_lead_cannot_be_given_to_someone_whose_role_cannot_work_with_leads() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let (_, support) = app.add_user(&t.admin, "support", "Sue Support").await;
    let err = t
        .admin
        .create_lead(&NewLead { first_name: "Ola".into(), owner_id: Some(support.user.id), ..Default::default() })
        .await
        .expect_err("support cannot own leads");
    assert_eq!(err.status(), Some(422));
    assert!(err.problem().and_then(|p| p.field_message("owner_id")).is_some(), "{err:?}");
    let patch = LeadPatch { owner_id: Some(Some(support.user.id)), ..Default::default() };
    let err = t.admin.update_lead(t.sams.id, t.sams.version, &patch).await.expect_err("nor by a change");
    assert_eq!(err.status(), Some(422));
}

const FILE: &str = "first_name,last_name,email,company,title\n\
Carla,Client,carla@client.test,Overwritten AG,Overwritten\n\
Nina,New,nina@new.test,Newco,Buyer\n";

async fn mapped(client: &Client, policy: DuplicatePolicy) -> ImportView {
    let upload = client.upload_import("leads.csv", FILE.into()).await.expect("upload");
    let mapping =
        ImportMapping { columns: upload.suggested.clone(), duplicate_policy: policy, tags: vec![], owner_id: None };
    client.map_import(upload.id, &mapping).await.expect("map")
}

#[tokio::test]
async fn an_import_runs_with_the_importers_rights_for_every_row() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let before = snapshot(&t.sam, t.sams.id).await;
    let import = mapped(&t.rita, DuplicatePolicy::Update).await;

    // The dry run counts no duplicate the importer may not see, and names none.
    let report = crate::leads::imports::checked(&app, &t.rita, import.id).await;
    assert_eq!((report.rows, report.valid, report.duplicates_existing), (2, 2, 0), "{report:?}");
    assert!(report.duplicates.iter().all(|d| d.lead_id != Some(t.sams.id)));

    t.rita.start_import(import.id).await.expect("start");
    run_until_done(&app);
    let done = t.rita.get_import(import.id).await.expect("get");
    assert_eq!(done.status, ImportStatus::Completed);
    assert_eq!(done.progress, ImportProgress { processed: 2, created: 2, updated: 0, skipped: 0, failed: 0 });
    assert_eq!(snapshot(&t.sam, t.sams.id).await, before, "the colleague's lead is untouched");
    let results = t.rita.import_results_csv(import.id).await.expect("results");
    assert!(!results.contains(&t.sams.id.to_string()), "{results}");
    // Both rows are her leads now.
    let hers = t.rita.list_leads(&LeadListQuery::default()).await.expect("list").items;
    assert_eq!(hers.len(), 2);
    assert!(hers.iter().all(|l| l.owner_id == Some(t.rita_id)));
    // Sam is told once for the batch.
    let notes = t.sam.notifications(&NotificationQuery::default()).await.expect("notifications");
    assert_eq!(notes.items.iter().filter(|n| n.kind == "lead_possible_duplicate").count(), 1);

    // The same file by the manager updates Sam's lead, as the policy says.
    let import = mapped(&t.admin, DuplicatePolicy::Update).await;
    let report = crate::leads::imports::checked(&app, &t.admin, import.id).await;
    assert!(report.duplicates_existing >= 1);
    t.admin.start_import(import.id).await.expect("start");
    run_until_done(&app);
    assert_eq!(t.sam.get_lead(t.sams.id).await.expect("lead").lead.title, "Overwritten");
}

#[tokio::test]
async fn another_persons_import_is_not_found_and_owners_follow_the_create_rule() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let import = mapped(&t.rita, DuplicatePolicy::Skip).await;
    // Sam cannot read, map, dry-run, start or download Rita's import.
    assert_eq!(t.sam.get_import(import.id).await.expect_err("get").status(), Some(404));
    let mapping = ImportMapping {
        columns: import.suggested.clone(),
        duplicate_policy: DuplicatePolicy::Create,
        tags: vec![],
        owner_id: None,
    };
    assert_eq!(t.sam.map_import(import.id, &mapping).await.expect_err("map").status(), Some(404));
    assert_eq!(t.sam.dry_run_import(import.id).await.expect_err("dry run").status(), Some(404));
    assert_eq!(t.sam.start_import(import.id).await.expect_err("start").status(), Some(404));
    assert_eq!(t.sam.import_results_csv(import.id).await.expect_err("results").status(), Some(404));
    // The manager, who sees all leads, may follow it.
    assert_eq!(t.admin.get_import(import.id).await.expect("manager").id, import.id);

    // Rita cannot map leads to Sam: the same rule as creating one lead.
    let to_sam = ImportMapping { owner_id: Some(t.sam_id), ..mapping.clone() };
    let err = t.rita.map_import(import.id, &to_sam).await.expect_err("someone else's");
    assert_eq!(err.status(), Some(422));
    assert!(err.problem().and_then(|p| p.field_message("owner_id")).is_some(), "{err:?}");
    let to_self = ImportMapping { owner_id: Some(t.rita_id), ..mapping };
    t.rita.map_import(import.id, &to_self).await.expect("herself");
}

#[tokio::test]
async fn an_import_whose_importer_was_disabled_imports_nothing() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let import = mapped(&t.rita, DuplicatePolicy::Create).await;
    t.rita.start_import(import.id).await.expect("start");
    let rita = t.admin.get_user(t.rita_id).await.expect("user");
    t.admin
        .update_user(rita.id, rita.version, &UserPatch { status: Some(UserStatus::Disabled), ..Default::default() })
        .await
        .expect("disable");
    run_until_done(&app);
    let done = t.admin.get_import(import.id).await.expect("get");
    assert_eq!(done.status, ImportStatus::Failed);
    assert_eq!(done.progress.created, 0);
    assert!(done.error.as_deref().is_some_and(|e| e.contains("can no longer import")), "{done:?}");
    assert_eq!(t.admin.list_leads(&LeadListQuery::default()).await.expect("list").items.len(), 1);
}

#[tokio::test]
async fn search_export_and_history_show_a_rep_only_the_leads_they_may_see() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let mine = t
        .rita
        .create_lead(&NewLead {
            first_name: "Carla".into(),
            email: Some("carla@rita.test".into()),
            ..Default::default()
        })
        .await
        .expect("her own Carla");
    // Search by a word both leads share finds only hers.
    let found = t.rita.list_leads(&LeadListQuery { q: Some("carla".into()), ..Default::default() }).await.expect("q");
    assert_eq!(found.items.iter().map(|l| l.id).collect::<Vec<_>>(), vec![mine.id]);
    let by_company =
        t.rita.list_leads(&LeadListQuery { q: Some("Client GmbH".into()), ..Default::default() }).await.expect("q");
    assert!(by_company.items.is_empty());
    // The export carries only her lead.
    let csv = t.rita.export_leads_csv(&LeadListQuery::default()).await.expect("export");
    assert!(csv.contains("carla@rita.test") && !csv.contains("carla@client.test"), "{csv}");
    assert!(!csv.contains(&t.sams.id.to_string()));
    // A colleague's lead's history is not found; her own lead's is there.
    let history = |id: LeadId| kith_domain::core::audit::AuditQuery {
        entity: Some("lead".into()),
        entity_id: Some(id.to_string()),
        ..Default::default()
    };
    assert_eq!(t.rita.audit(&history(t.sams.id)).await.expect_err("hidden").status(), Some(404));
    assert!(!t.rita.audit(&history(mine.id)).await.expect("her own").items.is_empty());
    // And the owner's view is unaffected by any of it.
    assert_eq!(
        t.sam
            .list_leads(&LeadListQuery { q: Some("carla".into()), ..Default::default() })
            .await
            .expect("q")
            .items
            .len(),
        1
    );
}

//! What a team meets first on the lead list and the channels around it: a count of what the filters
//! select, shared views that show only open leads, an import that does what its check said, and a
//! call that turns someone into a contacted lead with the call before "Created" on its timeline.

use kith_domain::leads::call_lists::{Disposition, NewCall};
use kith_domain::leads::imports::{DuplicatePolicy, ImportProgress};
use kith_domain::leads::*;
use kith_tests::TestApp;

use super::imports::{checked, mapped, run_until_done};

fn named(first: &str) -> NewLead {
    NewLead {
        first_name: first.into(),
        email: Some(format!("{}@example.test", first.to_lowercase())),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_count_follows_the_filters_and_stops_at_a_thousand() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (rep, _) = app.add_user(&admin, "sales", "Rita").await;
    for name in ["Ann", "Bo", "Cy"] {
        admin.create_lead(&NewLead { tags: vec!["fair".into()], ..named(name) }).await.expect("lead");
    }
    rep.create_lead(&named("Di")).await.expect("the rep's own lead");
    let count = |q: LeadListQuery| {
        let admin = admin.clone();
        async move { admin.count_leads(&q).await.expect("count") }
    };
    assert_eq!(count(LeadListQuery::default()).await, LeadCount { count: 4, more: false });
    assert_eq!(count(LeadListQuery { tag: Some("fair".into()), ..Default::default() }).await.count, 3);
    assert_eq!(
        count(LeadListQuery { q: Some("b".into()), ..Default::default() }).await.count,
        1,
        "one letter searches"
    );
    // The count is of what the caller's list shows: a rep limited to their own leads counts those.
    assert_eq!(rep.count_leads(&LeadListQuery::default()).await.expect("count").count, 1);
    // Limit, cursor and sort do not change it; a bad filter is refused as the list refuses it.
    let paged = LeadListQuery { limit: Some(1), sort: Some("-score".into()), ..Default::default() };
    assert_eq!(count(paged).await.count, 4);
    let bad = admin
        .count_leads(&LeadListQuery { custom_field: Some("nope".into()), ..Default::default() })
        .await
        .expect_err("unknown field");
    assert_eq!(bad.status(), Some(422));

    // Past a thousand the count says "more" instead of counting on.
    let csv: String = std::iter::once("email".to_owned())
        .chain((0..1000).map(|i| format!("bulk{i}@example.test")))
        .collect::<Vec<_>>()
        .join("\n");
    let upload = mapped(&admin, "bulk.csv", csv, DuplicatePolicy::Create).await;
    admin.start_import(upload.id).await.expect("start");
    run_until_done(&app);
    assert_eq!(count(LeadListQuery::default()).await, LeadCount { count: 1000, more: true });
    assert_eq!(
        count(LeadListQuery { tag: Some("fair".into()), ..Default::default() }).await,
        LeadCount { count: 3, more: false }
    );
}

#[tokio::test]
async fn the_demo_shared_views_show_only_open_leads() {
    let app = TestApp::spawn().await;
    kith_api::seed::seed_demo(&app.pool, app.state.attachments.as_ref()).expect("seed");
    let admin = app.client();
    admin.login(kith_api::seed::DEMO_EMAIL, kith_api::seed::DEMO_PASSWORD).await.expect("demo login");
    let all = admin.list_leads(&LeadListQuery { limit: Some(200), ..Default::default() }).await.expect("leads").items;
    assert!(all.iter().any(|l| !l.status.is_open()), "the demo has closed leads for the views to leave out");
    for view in admin.lead_views().await.expect("views") {
        assert_eq!(view.filters.open, Some(true), "{}", view.name);
        let shown =
            admin.list_leads(&LeadListQuery { limit: Some(200), ..view.filters.clone() }).await.expect("view").items;
        assert!(shown.iter().all(|l| l.status.is_open()), "{} shows only open leads: {shown:?}", view.name);
    }
    // A disqualified lead with a high score is not "hot".
    let hot = LeadListQuery { min_score: Some(0), open: Some(true), limit: Some(200), ..Default::default() };
    let open = admin.list_leads(&hot).await.expect("open").items;
    assert_eq!(open.len(), all.iter().filter(|l| l.status.is_open()).count());
}

#[tokio::test]
async fn an_import_does_what_its_check_said_it_would() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    for name in ["Old", "Older"] {
        admin.create_lead(&named(name)).await.expect("existing");
    }
    // 6 rows: 1 invalid, 2 of people already in Kith, 1 repeating an earlier row, 2 new.
    let csv = "email,first name\nnew1@example.test,New\nold@example.test,Old\nbroken,Bad\nolder@example.test,Older\nnew2@example.test,Two\nNEW1@example.test,Again\n";
    for (policy, want) in [
        (DuplicatePolicy::Skip, ImportProgress { processed: 6, created: 2, updated: 0, skipped: 3, failed: 1 }),
        (DuplicatePolicy::Update, ImportProgress { processed: 6, created: 0, updated: 5, skipped: 0, failed: 1 }),
    ] {
        let upload = mapped(&admin, "people.csv", csv.into(), policy).await;
        let report = checked(&app, &admin, upload.id).await;
        assert_eq!(report.expected(policy), want, "{policy:?}: what the check says");
        admin.start_import(upload.id).await.expect("start");
        run_until_done(&app);
        assert_eq!(
            admin.get_import(upload.id).await.expect("import").progress,
            want,
            "{policy:?}: what the import did"
        );
    }
}

#[tokio::test]
async fn a_call_that_makes_a_lead_leaves_it_contacted_with_the_call_before_created() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (agent, _) = app.add_user(&admin, "sales", "Agent").await;
    let list = admin.create_call_list("Cold list").await.expect("list");
    admin.add_call_contacts(list.id, "name,phone\nDi Dunn,+1 212 555 0100\n".into()).await.expect("contacts");
    let c = agent.next_call(list.id).await.expect("next").expect("contact");
    let call = NewCall { disposition: Disposition::Interested, note: Some("wants a demo".into()), callback_at: None };
    let lead_id = agent.log_call(c.id, &call).await.expect("interested").lead_id.expect("a lead");
    let lead = agent.get_lead(lead_id).await.expect("lead").lead;
    assert_eq!(lead.status, LeadStatus::Contacted, "someone spoke with them");
    let events: Vec<LeadEventKind> =
        agent.lead_events(lead_id).await.expect("events").into_iter().map(|e| e.kind).collect();
    let at = |kind: LeadEventKind| events.iter().position(|k| *k == kind).unwrap_or(usize::MAX);
    assert!(at(LeadEventKind::Call) < at(LeadEventKind::Created), "the call came first: {events:?}");
    assert!(at(LeadEventKind::Created) < at(LeadEventKind::StatusChanged), "{events:?}");
}

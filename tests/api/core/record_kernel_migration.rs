//! A database from before the record kernel (tags, timeline and custom values in `lead_tags`,
//! `lead_events` and `lead_custom_values`) migrates and keeps every lead, tag, event, custom value and
//! search hit. The demo organization is loaded; the database is put back into the old schema (the
//! kernel migration's down step moves the rows into the lead tables — counted), then a new server
//! migrates it forward again, and every lead is read back through the API exactly as before.

use std::collections::BTreeSet;

use diesel::{QueryableByName, RunQueryDsl};
use kith_client::Client;
use kith_domain::leads::{LeadDetail, LeadEvent, LeadListQuery};
use kith_domain::LeadId;
use kith_tests::TestApp;

const KERNEL_MIGRATION: &str = "2026-11-29-000003";

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.pool.get().expect("connection");
    diesel::sql_query(sql).get_result::<Count>(&mut *conn).unwrap_or_else(|e| panic!("{sql}: {e}")).n
}

#[derive(Debug, PartialEq)]
struct Snapshot {
    leads: Vec<(LeadDetail, Vec<LeadEvent>)>,
    /// Search term → the leads found, for a fragment of every lead's name and company.
    searches: Vec<(String, BTreeSet<LeadId>)>,
    /// Tag → the leads listed with it.
    tagged: Vec<(String, BTreeSet<LeadId>)>,
    /// Custom field key → the leads that have a value for it.
    custom: Vec<(String, BTreeSet<LeadId>)>,
}

async fn list(c: &Client, mut q: LeadListQuery) -> Vec<LeadId> {
    q.limit = Some(200);
    let mut ids = Vec::new();
    loop {
        let page = c.list_leads(&q).await.expect("list");
        ids.extend(page.items.iter().map(|l| l.id));
        match page.next_cursor {
            Some(next) => q.cursor = Some(next),
            None => return ids,
        }
    }
}

async fn snapshot(c: &Client) -> Snapshot {
    let ids = list(c, LeadListQuery { sort: Some("created_at".into()), ..Default::default() }).await;
    assert!(ids.len() >= 10, "the demo organization has its leads ({})", ids.len());
    let mut leads = Vec::new();
    let mut terms = BTreeSet::new();
    let mut tags = BTreeSet::new();
    for id in &ids {
        let detail = c.get_lead(*id).await.expect("lead");
        // The lead's own events: the records a conversion linked to it (its contact, account and
        // potential) belong to later migrations, which the revert drops with their tables.
        let events: Vec<LeadEvent> =
            c.lead_events(*id).await.expect("events").into_iter().filter(|e| e.record_kind == "lead").collect();
        for word in [&detail.lead.last_name, &detail.lead.company_name] {
            let fragment: String = word.to_lowercase().chars().take(4).collect();
            if fragment.chars().count() >= 3 {
                terms.insert(fragment);
            }
        }
        tags.extend(detail.lead.tags.iter().cloned());
        leads.push((detail, events));
    }
    let mut searches = Vec::new();
    for term in terms {
        let found = list(c, LeadListQuery { q: Some(term.clone()), ..Default::default() }).await;
        searches.push((term, found.into_iter().collect()));
    }
    let mut tagged = Vec::new();
    for tag in tags {
        let found = list(c, LeadListQuery { tag: Some(tag.clone()), ..Default::default() }).await;
        tagged.push((tag, found.into_iter().collect()));
    }
    let mut custom = Vec::new();
    for def in c.custom_fields().await.expect("custom fields") {
        let found = list(c, LeadListQuery { custom_field: Some(def.key.clone()), ..Default::default() }).await;
        custom.push((def.key, found.into_iter().collect()));
    }
    Snapshot { leads, searches, tagged, custom }
}

async fn demo_admin(app: &TestApp) -> Client {
    let c = app.client();
    c.login("admin@demo.kith.test", "kith-demo-2026").await.expect("demo admin signs in");
    c
}

#[tokio::test]
async fn a_database_from_before_the_record_kernel_keeps_every_tag_event_custom_value_and_search_hit() {
    let app = TestApp::spawn().await;
    kith_api::seed::seed_demo(&app.pool, app.state.attachments.as_ref()).expect("demo data");
    let at = app.clock().now();
    let before = snapshot(&demo_admin(&app).await).await;
    assert!(before.leads.iter().any(|(d, _)| !d.lead.tags.is_empty()), "demo leads have tags");
    assert!(before.leads.iter().any(|(d, _)| !d.lead.custom.is_empty()), "demo leads have custom values");
    assert!(before.leads.iter().all(|(_, e)| !e.is_empty()), "every demo lead has a timeline");
    assert!(before.searches.iter().all(|(_, found)| !found.is_empty()), "every search finds its lead");

    let tags = count(&app, "SELECT COUNT(*) AS n FROM record_tags WHERE record_kind = 'lead'");
    let events = count(&app, "SELECT COUNT(*) AS n FROM timeline_events WHERE record_kind = 'lead'");
    let values = count(&app, "SELECT COUNT(*) AS n FROM custom_values WHERE record_kind = 'lead'");
    assert!(tags > 0 && events > 0 && values > 0);

    // Back to the schema before the kernel: every row is in the lead tables again.
    {
        let mut conn = app.pool.get().expect("connection");
        let reverted = kith_db::connection::revert_migrations_to(&mut conn, KERNEL_MIGRATION).expect("revert");
        // Newer migrations go first; the kernel's is the last one reverted.
        assert_eq!(reverted.last(), Some(&KERNEL_MIGRATION.replace('-', "")), "reverted {reverted:?}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM lead_tags"), tags);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM lead_events"), events);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM lead_custom_values"), values);
    let (url, guard) = app.stop().await;

    // A server of this version starts on it: it migrates, and everything reads as before.
    let app = TestApp::spawn_on(url, guard, |_| {}).await;
    app.set_clock(at);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM record_tags WHERE record_kind = 'lead'"), tags);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM timeline_events WHERE record_kind = 'lead'"), events);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM custom_values WHERE record_kind = 'lead'"), values);
    let after = snapshot(&demo_admin(&app).await).await;
    assert_eq!(after.leads.len(), before.leads.len());
    for ((b, be), (a, ae)) in before.leads.iter().zip(&after.leads) {
        assert_eq!(a, b, "lead {} reads as before", b.lead.id);
        assert_eq!(ae, be, "lead {}'s timeline reads as before", b.lead.id);
    }
    assert_eq!(after, before);
}

//! The record kernel's timeline: keyset pages that add up to the whole history, and the events of
//! linked records shown only to those who may read those records.

use std::collections::BTreeSet;

use kith_db::core::kernel::RecordRef;
use kith_domain::core::page::PageQuery;
use kith_domain::leads::rules::Behaviour;
use kith_domain::leads::{NewLead, NewLeadActivity};
use kith_tests::TestApp;

fn person(first: &str) -> NewLead {
    NewLead {
        first_name: first.into(),
        last_name: "Timeline".into(),
        email: Some(format!("{}@timeline.test", first.to_lowercase())),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_timeline_pages_by_keyset_and_shows_linked_records_only_to_whoever_may_read_them() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let (rita, _) = app.add_user(&admin, "sales", "Rita Rep").await;
    let (sam, _) = app.add_user(&admin, "sales", "Sam Rep").await;
    let ritas = rita.create_lead(&person("Ann")).await.expect("rita's lead");
    for page in 0..6 {
        let visit =
            NewLeadActivity { behaviour: Behaviour::PageVisit, occurred_at: None, note: Some(format!("/page-{page}")) };
        rita.add_lead_activity(ritas.id, &visit).await.expect("activity");
    }
    let whole = rita.lead_events(ritas.id).await.expect("whole timeline");
    assert!(whole.len() >= 7, "created and six visits: {}", whole.len());

    // Pages of two, each after the last one's cursor, add up to the whole history in order.
    let mut paged = Vec::new();
    let mut q = PageQuery { limit: Some(2), cursor: None };
    let mut pages = 0;
    loop {
        let page = rita.lead_events_page(ritas.id, &q).await.expect("page");
        assert!(page.items.len() <= 2);
        pages += 1;
        paged.extend(page.items);
        match page.next_cursor {
            Some(next) => q.cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, whole);
    assert_eq!(pages, whole.len().div_ceil(2));
    let bad = PageQuery { limit: Some(2), cursor: Some("not-a-cursor".into()) };
    assert_eq!(rita.lead_events_page(ritas.id, &bad).await.expect_err("bad cursor").status(), Some(422));

    // Sam's lead is linked to Rita's (as a converted lead will be to its contact and potential).
    let sams = sam.create_lead(&NewLead { tags: vec!["linked".into()], ..person("Bob") }).await.expect("sam's lead");
    let sams_events: BTreeSet<String> =
        sam.lead_events(sams.id).await.expect("sam's timeline").into_iter().map(|e| e.id).collect();
    {
        let mut conn = app.pool.get().expect("connection");
        kith_db::core::timeline::link(
            &mut conn,
            me.organization.id,
            &RecordRef::new("lead", ritas.id),
            &RecordRef::new("lead", sams.id),
        )
        .expect("link");
    }
    let ids = |events: Vec<kith_domain::leads::LeadEvent>| events.into_iter().map(|e| e.id).collect::<BTreeSet<_>>();
    // The admin reads both records: Rita's timeline shows Sam's lead's events too, and the other way round.
    let admin_view = ids(admin.lead_events(ritas.id).await.expect("admin"));
    assert!(sams_events.is_subset(&admin_view), "linked events shown to whoever may read them");
    assert_eq!(admin_view.len(), whole.len() + sams_events.len());
    assert!(ids(admin.lead_events(sams.id).await.expect("admin")).is_superset(&ids(whole.clone())));
    // Rita may not read Sam's lead: her timeline is her lead's alone, and Sam's lead stays hidden.
    let whole_len = whole.len();
    assert_eq!(ids(rita.lead_events(ritas.id).await.expect("rita")), ids(whole));
    assert_eq!(rita.lead_events(sams.id).await.expect_err("hidden").status(), Some(404));

    // Purged 30 days after deletion, Sam's lead takes its kernel rows along: events, tags, custom values, links.
    admin.delete_lead(sams.id).await.expect("delete");
    app.advance(chrono::Duration::days(30) + chrono::Duration::minutes(1));
    {
        let mut conn = app.pool.get().expect("connection");
        assert_eq!(kith_db::core::recycle::purge_expired(&mut conn).expect("purge"), 1);
        for table in ["timeline_events", "record_tags", "custom_values"] {
            let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE record_id = '{}'", sams.id);
            assert_eq!(count(&mut conn, &sql), 0, "{table} keeps nothing of the purged lead");
        }
        let links = format!("SELECT COUNT(*) AS n FROM record_links WHERE from_id = '{0}' OR to_id = '{0}'", sams.id);
        assert_eq!(count(&mut conn, &links), 0, "no link points at the purged lead");
        // (30 days on, the sessions have expired: Rita's history is counted in the database.)
        let ritas_events = format!("SELECT COUNT(*) AS n FROM timeline_events WHERE record_id = '{}'", ritas.id);
        assert_eq!(count(&mut conn, &ritas_events), whole_len as i64, "Rita's timeline stays whole");
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(conn: &mut kith_db::DbConnection, sql: &str) -> i64 {
    use diesel::RunQueryDsl;
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap_or_else(|e| panic!("{sql}: {e}")).n
}

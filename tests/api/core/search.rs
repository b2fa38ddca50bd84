//! Search across record kinds (`GET /search`): what the search box finds, for whom. The kernel keeps
//! one search document per record; each kind names its hits and applies its record scope.

use diesel::RunQueryDsl;
use kith_domain::core::search::SearchHit;
use kith_domain::leads::*;
use kith_tests::TestApp;

fn person(first: &str, last: &str, email: &str, company: &str) -> NewLead {
    NewLead {
        first_name: first.into(),
        last_name: last.into(),
        email: Some(email.into()),
        company_name: company.into(),
        ..Default::default()
    }
}

fn titles(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|h| h.title.as_str()).collect()
}

#[tokio::test]
async fn the_search_box_finds_what_the_caller_may_read_and_nothing_else() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (rita, _) = app.add_user(&admin, "sales", "Rita Rep").await;
    let (sam, _) = app.add_user(&admin, "sales", "Sam Rep").await;
    let (sue, _) = app.add_user(&admin, "support", "Sue Support").await;
    let (other, _) = app.signup("Globex").await;

    let ritas =
        rita.create_lead(&person("Jane", "Holloway", "jane@initech.test", "Initech")).await.expect("rita's lead");
    let sams =
        sam.create_lead(&person("John", "Holloway", "john@umbrella.test", "Umbrella")).await.expect("sam's lead");
    other.create_lead(&person("Jim", "Holloway", "jim@globex.test", "Globex")).await.expect("another org's lead");

    // The admin sees both of the organization's Holloways (newest first), named with company and email.
    let found = admin.search("holloway", None).await.expect("search");
    assert_eq!(titles(&found.hits), vec!["John Holloway", "Jane Holloway"]);
    assert!(!found.more);
    assert_eq!(found.hits[1].kind, "lead");
    assert_eq!(found.hits[1].id, ritas.id.to_string());
    assert_eq!(found.hits[1].subtitle, "Initech · jane@initech.test");

    // A rep limited to their own leads finds only theirs; every word must match, in any field.
    assert_eq!(titles(&rita.search("Holloway", None).await.expect("rita").hits), vec!["Jane Holloway"]);
    assert_eq!(titles(&sam.search("HOLLO umbrel", None).await.expect("sam").hits), vec!["John Holloway"]);
    assert!(rita.search("umbrella", None).await.expect("rita").hits.is_empty(), "Sam's lead stays hidden");
    // A role without access to leads finds no lead at all; another organization never.
    assert!(sue.search("holloway", None).await.expect("support").hits.is_empty());
    assert_eq!(titles(&other.search("holloway", None).await.expect("other org").hits), vec!["Jim Holloway"]);

    // A short word alone cannot be searched (it would read every record); with a longer one it narrows.
    let short = admin.request(reqwest::Method::GET, "/api/v1/search?q=ho").send().await.expect("send");
    assert_eq!(short.status().as_u16(), 422);
    let problem: serde_json::Value = short.json().await.expect("problem");
    assert_eq!(problem["errors"][0]["field"], "q", "{problem}");
    assert_eq!(titles(&admin.search("holloway ja", None).await.expect("narrowed").hits), vec!["Jane Holloway"]);
    let long = admin.request(reqwest::Method::GET, &format!("/api/v1/search?q={}", "holloway".repeat(126))).send();
    assert_eq!(long.await.expect("send").status().as_u16(), 422, "over 1,000 characters");
    let count = admin.request(reqwest::Method::GET, "/api/v1/leads/count?sort=").send().await.expect("send");
    assert_eq!(count.status().as_u16(), 422, "the count refuses a sort the list refuses");

    // The limit, and `more` when there is more.
    let one = admin.search("holloway", Some(1)).await.expect("one");
    assert_eq!((one.hits.len(), one.more), (1, true));

    // Renamed, deleted and restored records are found as they are now.
    let renamed = admin
        .update_lead(sams.id, sams.version, &LeadPatch { last_name: Some("Hollins".into()), ..Default::default() })
        .await
        .expect("rename");
    assert_eq!(titles(&admin.search("holloway", None).await.expect("after rename").hits), vec!["Jane Holloway"]);
    assert_eq!(titles(&admin.search("hollins", None).await.expect("new name").hits), vec!["John Hollins"]);
    admin.delete_lead(renamed.id).await.expect("delete");
    assert!(admin.search("hollins", None).await.expect("deleted").hits.is_empty());
    admin.restore_lead(renamed.id).await.expect("restore");
    assert_eq!(titles(&admin.search("hollins", None).await.expect("restored").hits), vec!["John Hollins"]);
}

#[tokio::test]
async fn a_purged_record_leaves_no_search_document_behind() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let lead = admin.create_lead(&person("Pia", "Purge", "pia@purge.test", "Purgatory")).await.expect("lead");
    admin.delete_lead(lead.id).await.expect("delete");
    app.advance(chrono::Duration::days(kith_domain::core::recycle::RETENTION_DAYS + 1));
    let mut conn = app.pool.get().expect("conn");
    assert_eq!(kith_db::core::recycle::purge_expired(&mut conn).expect("purge"), 1);
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let docs: Count =
        diesel::sql_query(format!("SELECT count(*) AS n FROM search_documents WHERE record_id = '{}'", lead.id))
            .get_result(&mut *conn)
            .expect("documents");
    assert_eq!(docs.n, 0);
    if matches!(*conn, kith_db::DbConnection::Sqlite(_)) {
        let left: Count = diesel::sql_query(
            "SELECT (SELECT count(*) FROM fts_search WHERE fts_search MATCH '\"purgatory\"') \
             + (SELECT count(*) FROM fts_search_dirty) AS n",
        )
        .get_result(&mut *conn)
        .expect("index rows");
        assert_eq!(left.n, 0, "the purged lead is gone from the full-text index");
    }
}

#[tokio::test]
async fn another_organizations_many_matches_never_crowd_out_this_ones() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (other, _) = app.signup("Globex").await;
    admin.create_lead(&person("Hana", "Holloway", "hana@acme.test", "Acme")).await.expect("ours");
    // Globex imports 2,100 Holloways (more hits than the index answers in one read), all newer than ours.
    let mut csv = String::from(
        "First name,Last name,Email,Company
",
    );
    for i in 0..2_100 {
        csv.push_str(&format!(
            "Holly,Holloway{i},h{i}@globex.test,Globex
"
        ));
    }
    let import =
        crate::leads::imports::mapped(&other, "globex.csv", csv, kith_domain::leads::imports::DuplicatePolicy::Skip)
            .await;
    other.start_import(import.id).await.expect("start");
    crate::leads::imports::run_until_done(&app);
    assert!(other.search("holloway", Some(1)).await.expect("theirs").more);
    assert_eq!(titles(&admin.search("holloway", None).await.expect("search").hits), vec!["Hana Holloway"]);
}

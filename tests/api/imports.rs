//! A sales manager imports a CSV of leads: map, dry run, import in the background, results per row.

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use kith_domain::imports::*;
use kith_domain::leads::{LeadListQuery, LeadSource, NewLead};
use kith_domain::webforms::FormTarget;
use kith_tests::TestApp;

const CSV: &str = "Name,E-mail,Company,Country,Employees,Notes\n\
Ann Lee,ann@example.test,Acme,DE,120,met at fair\n\
Bad Email,not-an-email,Nope,US,5,\n\
Existing Person,old@example.test,Newco,FR,40,\n\
Ann Again,ANN@example.test,Acme,DE,120,\n\
\"Cy, Jr.\",cy@example.test,\"=HYPERLINK(\"\"x\"\")\",GB,,\n";

fn run_until_done(app: &TestApp) {
    for _ in 0..50 {
        kith_api::worker::run_due_jobs(&app.state, "importer").expect("worker");
        let mut conn = app.pool.get().expect("conn");
        let pending: i64 = kith_db::schema::jobs::table
            .filter(kith_db::schema::jobs::kind.eq("import"))
            .filter(kith_db::schema::jobs::status.ne("done"))
            .count()
            .get_result(&mut *conn)
            .expect("jobs");
        if pending == 0 {
            return;
        }
    }
    panic!("import did not finish");
}

#[tokio::test]
async fn a_csv_is_mapped_checked_and_imported_with_a_result_per_row() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    admin
        .create_lead(&NewLead {
            first_name: "Old".into(),
            email: Some("old@example.test".into()),
            ..Default::default()
        })
        .await
        .expect("existing");
    let upload = admin.upload_import("fair.csv", CSV.into()).await.expect("upload");
    assert_eq!((upload.total_rows, upload.status), (5, ImportStatus::Uploaded));
    let suggested: Vec<Option<FormTarget>> = upload.suggested.iter().map(|c| c.target).collect();
    assert_eq!(
        suggested,
        vec![
            Some(FormTarget::FullName),
            Some(FormTarget::Email),
            Some(FormTarget::Company),
            Some(FormTarget::Country),
            Some(FormTarget::CompanySize),
            Some(FormTarget::Message)
        ]
    );
    let mapping = ImportMapping {
        columns: upload.suggested.clone(),
        duplicate_policy: DuplicatePolicy::Skip,
        tags: vec!["fair-2026".into()],
        owner_id: None,
    };
    admin.map_import(upload.id, &mapping).await.expect("map");
    let report = admin.dry_run_import(upload.id).await.expect("dry run");
    assert_eq!((report.rows, report.valid, report.invalid), (5, 4, 1));
    assert_eq!((report.duplicates_existing, report.duplicates_in_file), (1, 1));
    assert_eq!(report.errors[0].row, 2);
    assert_eq!(
        report.duplicates.iter().find(|d| d.earlier_row.is_some()).map(|d| (d.row, d.earlier_row)),
        Some((4, Some(1)))
    );
    assert_eq!(
        admin.list_leads(&LeadListQuery::default()).await.expect("leads").items.len(),
        1,
        "a dry run imports nothing"
    );

    let started = admin.start_import(upload.id).await.expect("start");
    assert_eq!(started.status, ImportStatus::Queued);
    run_until_done(&app);
    let done = admin.get_import(upload.id).await.expect("get");
    assert_eq!(done.status, ImportStatus::Completed);
    assert_eq!(done.progress, ImportProgress { processed: 5, created: 2, updated: 0, skipped: 2, failed: 1 });
    let leads =
        admin.list_leads(&LeadListQuery { tag: Some("fair-2026".into()), ..Default::default() }).await.expect("leads");
    assert_eq!(leads.items.len(), 2);
    assert!(leads.items.iter().all(|l| l.source == LeadSource::Import));
    let ann = leads.items.iter().find(|l| l.email.as_deref() == Some("ann@example.test")).expect("ann");
    assert_eq!((ann.first_name.as_str(), ann.company_size, ann.country.as_deref()), ("Ann", Some(120), Some("DE")));

    let results = admin.import_results_csv(upload.id).await.expect("results");
    let lines: Vec<&str> = results.lines().collect();
    assert_eq!(lines[0], "\"row\",\"status\",\"lead_id\",\"message\"");
    assert!(lines[1].starts_with("\"1\",\"created\""));
    assert!(lines[2].starts_with("\"2\",\"failed\"") && lines[2].contains("Enter a valid email address."));
    assert!(lines[3].starts_with("\"3\",\"skipped\""));
    assert!(admin.start_import(upload.id).await.is_err(), "an import runs once");
}

#[tokio::test]
async fn the_update_policy_refreshes_existing_leads() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let old = admin
        .create_lead(&NewLead {
            first_name: "Old".into(),
            email: Some("old@example.test".into()),
            company_name: "Oldco".into(),
            ..Default::default()
        })
        .await
        .expect("existing");
    let upload =
        admin.upload_import("update.csv", "email,company\nold@example.test,Newco\n".into()).await.expect("upload");
    admin
        .map_import(
            upload.id,
            &ImportMapping {
                columns: upload.suggested.clone(),
                duplicate_policy: DuplicatePolicy::Update,
                tags: vec![],
                owner_id: None,
            },
        )
        .await
        .expect("map");
    admin.start_import(upload.id).await.expect("start");
    run_until_done(&app);
    let after = admin.get_lead(old.id).await.expect("lead").lead;
    assert_eq!((after.company_name.as_str(), after.first_name.as_str()), ("Newco", "Old"));
    assert_eq!(admin.get_import(upload.id).await.expect("get").progress.updated, 1);
}

#[tokio::test]
async fn a_broken_file_leaves_nothing_behind_and_imports_are_private() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let broken = admin
        .request(reqwest::Method::POST, "/api/v1/imports?file_name=x.csv")
        .header("content-type", "text/csv")
        .body(vec![b'a', b',', b'b', b'\n', 0xff, 0xfe, b',', b'x', b'\n'])
        .send()
        .await
        .expect("send");
    assert_eq!(broken.status().as_u16(), 422);
    let mut conn = app.pool.get().expect("conn");
    let left: i64 = kith_db::schema::imports::table.count().get_result(&mut *conn).expect("count");
    assert_eq!(left, 0);
    let upload = admin.upload_import("ok.csv", "email\na@example.test\n".into()).await.expect("upload");
    let (other, _) = app.signup("Other").await;
    assert_eq!(other.get_import(upload.id).await.expect_err("foreign").status(), Some(404));
    assert_eq!(other.dry_run_import(upload.id).await.expect_err("foreign").status(), Some(404));
    let bad_map = ImportMapping {
        columns: vec![ColumnMapping { column: "nope".into(), target: Some(FormTarget::Email) }],
        duplicate_policy: DuplicatePolicy::Skip,
        tags: vec![],
        owner_id: None,
    };
    assert!(admin
        .map_import(upload.id, &bad_map)
        .await
        .expect_err("unknown column")
        .problem()
        .and_then(|p| p.field_message("columns[0].column"))
        .is_some());
}

#[tokio::test]
async fn an_import_interrupted_after_a_batch_resumes_without_duplicates() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let mut csv = String::from("email,first_name\n");
    for i in 0..1200 {
        csv.push_str(&format!("person{i}@example.test,P{i}\n"));
    }
    let upload = admin.upload_import("big.csv", csv).await.expect("upload");
    admin
        .map_import(
            upload.id,
            &ImportMapping {
                columns: upload.suggested.clone(),
                duplicate_policy: DuplicatePolicy::Skip,
                tags: vec![],
                owner_id: None,
            },
        )
        .await
        .expect("map");
    admin.start_import(upload.id).await.expect("start");
    {
        // A worker imports one batch and dies before finishing the job.
        let mut conn = app.pool.get().expect("conn");
        let (progress, more) = kith_db::imports::process_batch(&mut conn, upload.id).expect("batch");
        assert_eq!((progress.processed, more), (500, true));
    }
    run_until_done(&app);
    let done = admin.get_import(upload.id).await.expect("get");
    assert_eq!(done.progress.created, 1200);
    let mut conn = app.pool.get().expect("conn");
    let leads: i64 = kith_db::schema::leads::table.count().get_result(&mut *conn).expect("count");
    assert_eq!(leads, 1200);
}

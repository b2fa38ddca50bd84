//! A sales manager imports a CSV of leads: map, dry run, import in the background, results per row.

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use kith_domain::core::custom_fields::{CustomFieldInput, CustomFieldKind, CustomFieldPatch};
use kith_domain::leads::imports::*;
use kith_domain::leads::webforms::FormTarget;
use kith_domain::leads::{LeadListQuery, LeadSource, LeadView, NewLead};
use kith_tests::TestApp;

const CSV: &str = "Name,E-mail,Company,Country,Employees,Notes\n\
Ann Lee,ann@example.test,Acme,DE,120,met at fair\n\
Bad Email,not-an-email,Nope,US,5,\n\
Existing Person,old@example.test,Newco,FR,40,\n\
Ann Again,ANN@example.test,Acme,DE,120,\n\
\"Cy, Jr.\",cy@example.test,\"=HYPERLINK(\"\"x\"\")\",GB,,\n";

pub(crate) fn run_until_done(app: &TestApp) {
    for _ in 0..50 {
        kith_api::worker::run_due_jobs(&app.state, "importer").expect("worker");
        let mut conn = app.pool.get().expect("conn");
        let pending: i64 = kith_db::schema::jobs::table
            .filter(kith_db::schema::jobs::kind.eq_any(["import", "import_check"]))
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

/// Upload a CSV and map it as suggested, with `policy` for rows of people already in Kith.
pub(crate) async fn mapped(
    client: &kith_client::Client,
    name: &str,
    csv: String,
    policy: DuplicatePolicy,
) -> ImportView {
    let upload = client.upload_import(name, csv).await.expect("upload");
    let mapping =
        ImportMapping { columns: upload.suggested.clone(), duplicate_policy: policy, tags: vec![], owner_id: None };
    client.map_import(upload.id, &mapping).await.expect("map");
    upload
}

/// Run the dry run as the SPA does: ask for it, let the worker check the rows, read the findings.
pub(crate) async fn checked(app: &TestApp, client: &kith_client::Client, id: kith_domain::ImportId) -> DryRunReport {
    let asked = client.dry_run_import(id).await.expect("dry run");
    assert_eq!(asked.check.map(|c| c.status), Some(CheckStatus::Queued));
    run_until_done(app);
    let report = client.import_check_report(id).await.expect("report");
    assert_eq!(report.status, CheckStatus::Done);
    report
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
    let suggested: Vec<Option<FormTarget>> = upload.suggested.iter().map(|c| c.target.as_ref()?.field()).collect();
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
    let report = checked(&app, &admin, upload.id).await;
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
    let again = admin.start_import(upload.id).await.expect_err("an import runs once");
    assert_eq!(again.status(), Some(422));
    assert!(again.problem().and_then(|p| p.field_message("status")).is_some(), "{again:?}");
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
        columns: vec![ColumnMapping { column: "nope".into(), target: Some(FormTarget::Email.into()) }],
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
        let (progress, more) = kith_db::leads::imports::process_batch(&mut conn, upload.id).expect("batch");
        assert_eq!((progress.processed, more), (500, true));
    }
    run_until_done(&app);
    let done = admin.get_import(upload.id).await.expect("get");
    assert_eq!(done.progress.created, 1200);
    let mut conn = app.pool.get().expect("conn");
    let leads: i64 = kith_db::schema::leads::table.count().get_result(&mut *conn).expect("count");
    assert_eq!(leads, 1200);
}

/// An organization's lead fields: Budget (a choice), Seats (a number), Renewal (a date), Partner
/// (yes/no) and Region (text, required in the app — which must not stop an import).
async fn custom_fields(admin: &kith_client::Client) {
    let field = |key: &str, label: &str, kind, options: &[&str]| CustomFieldInput {
        record_kind: "lead".into(),
        key: key.into(),
        label: label.into(),
        help_text: None,
        kind,
        options: options.iter().map(|s| s.to_string()).collect(),
        required: false,
        position: None,
    };
    for input in [
        field("budget", "Budget", CustomFieldKind::Select, &["Under 10k", "10k-50k", "Over 50k"]),
        field("seats", "Seats", CustomFieldKind::Number, &[]),
        field("renewal", "Renewal date", CustomFieldKind::Date, &[]),
        field("partner", "Partner", CustomFieldKind::Boolean, &[]),
        field("region", "Region", CustomFieldKind::Text, &[]),
    ] {
        let created = admin.create_custom_field(&input).await.expect("field");
        if created.key == "region" {
            let required = CustomFieldPatch { required: Some(true), ..Default::default() };
            admin.update_custom_field(created.id, created.version, &required).await.expect("required");
        }
    }
}

fn custom_of(lead: &LeadView) -> serde_json::Value {
    serde_json::to_value(&lead.custom).expect("json")
}

async fn lead_by_email(admin: &kith_client::Client, email: &str) -> LeadView {
    let page = admin.list_leads(&LeadListQuery::default()).await.expect("list");
    page.items.into_iter().find(|l| l.email.as_deref() == Some(email)).unwrap_or_else(|| panic!("no lead {email}"))
}

#[tokio::test]
async fn custom_columns_are_suggested_checked_per_row_and_imported_with_their_values() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    custom_fields(&admin).await;
    let old = admin
        .create_lead(&NewLead {
            first_name: "Old".into(),
            email: Some("old@example.test".into()),
            custom: serde_json::from_value(serde_json::json!({"region": "APAC", "budget": "Under 10k", "seats": 5}))
                .expect("values"),
            ..Default::default()
        })
        .await
        .expect("existing");
    let csv = "Name,Email,BUDGET,seats,Renewal date,custom.partner,Colour\n\
        Ann Lee,ann@example.test,over 50k,40,2027-01-31,yes,red\n\
        Bob Bad,bob@example.test,Huge,ten,31.01.2027,maybe,blue\n\
        Old Again,old@example.test,,12,,false,green\n";
    let upload = admin.upload_import("custom.csv", csv.into()).await.expect("upload");
    let suggested: Vec<Option<String>> =
        upload.suggested.iter().map(|c| c.target.as_ref().map(ToString::to_string)).collect();
    assert_eq!(
        suggested,
        [Some("full_name"), Some("email"), Some("custom.budget"), Some("custom.seats"), Some("custom.renewal"),]
            .into_iter()
            .chain([Some("custom.partner"), None])
            .map(|t| t.map(str::to_owned))
            .collect::<Vec<_>>(),
        "custom fields are suggested by key, label (any case) and export header"
    );
    let mapping = ImportMapping {
        columns: upload.suggested.clone(),
        duplicate_policy: DuplicatePolicy::Update,
        tags: vec![],
        owner_id: None,
    };
    admin.map_import(upload.id, &mapping).await.expect("map");

    // The dry run names every bad custom value of the bad row, and nothing crashes.
    let report = checked(&app, &admin, upload.id).await;
    assert_eq!((report.rows, report.valid, report.invalid, report.duplicates_existing), (3, 2, 1, 1));
    assert_eq!(report.errors[0].row, 2);
    let mut fields: Vec<(&str, &str)> =
        report.errors[0].errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            ("custom.budget", "option"),
            ("custom.partner", "type"),
            ("custom.renewal", "date"),
            ("custom.seats", "type")
        ]
    );

    admin.start_import(upload.id).await.expect("start");
    run_until_done(&app);
    let done = admin.get_import(upload.id).await.expect("get");
    assert_eq!(done.progress, ImportProgress { processed: 3, created: 1, updated: 1, skipped: 0, failed: 1 });
    // A required field (Region) without a column does not stop the import.
    let ann = lead_by_email(&admin, "ann@example.test").await;
    assert_eq!(
        custom_of(&ann),
        serde_json::json!({"budget": "Over 50k", "seats": 40, "renewal": "2027-01-31", "partner": true})
    );
    // The update policy: the row's values win, its empty cells leave the lead's values alone.
    let old_after = admin.get_lead(old.id).await.expect("old").lead;
    assert_eq!(
        custom_of(&old_after),
        serde_json::json!({"region": "APAC", "budget": "Under 10k", "seats": 12, "partner": false})
    );
    let results = admin.import_results_csv(upload.id).await.expect("results");
    let failed = results.lines().find(|l| l.starts_with("\"2\",")).expect("row 2");
    assert!(failed.contains("\"failed\"") && failed.contains("custom.seats"), "{failed}");

    // A mapping to a field that does not exist is refused.
    let bad = ImportMapping {
        columns: vec![
            ColumnMapping { column: "Email".into(), target: Some(FormTarget::Email.into()) },
            ColumnMapping { column: "Colour".into(), target: Some(ImportTarget::Custom("colour".into())) },
        ],
        ..mapping
    };
    let upload = admin.upload_import("again.csv", csv.into()).await.expect("upload");
    let err = admin.map_import(upload.id, &bad).await.expect_err("unknown field");
    assert!(err.problem().and_then(|p| p.field_message("columns[1].target")).is_some(), "{err:?}");
}

#[tokio::test]
async fn an_export_with_custom_fields_imports_back_unchanged() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    custom_fields(&admin).await;
    let values = serde_json::json!({
        "budget": "10k-50k", "seats": -3, "renewal": "2027-02-28", "partner": false,
        "region": "=HYPERLINK(\"x\"), \"quoted\"\nsecond line"
    });
    admin
        .create_lead(&NewLead {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            email: Some("ann@example.test".into()),
            phone: Some("+49 30 1234567".into()),
            company_name: "Acme".into(),
            custom: serde_json::from_value(values.clone()).expect("values"),
            ..Default::default()
        })
        .await
        .expect("ann");
    admin
        .create_lead(&NewLead {
            first_name: "Bob".into(),
            email: Some("bob@example.test".into()),
            custom: serde_json::from_value(serde_json::json!({"region": "EMEA"})).expect("values"),
            ..Default::default()
        })
        .await
        .expect("bob");

    let csv = admin.export_leads_csv(&LeadListQuery::default()).await.expect("export");
    let header = csv.lines().next().expect("header");
    assert!(
        header.ends_with(
            "\"created_at\",\"custom.budget\",\"custom.seats\",\"custom.renewal\",\"custom.partner\",\"custom.region\""
        ),
        "{header}"
    );
    assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\"), \"\"quoted\"\"\nsecond line\""), "formula-safe: {csv}");
    assert!(csv.contains("\"'-3\""), "a negative number is formula-safe too: {csv}");

    // Another organization with the same fields imports the file as it is.
    let (other, _) = app.signup("Other").await;
    custom_fields(&other).await;
    let upload = other.upload_import("export.csv", csv).await.expect("upload");
    let mapping = ImportMapping {
        columns: upload.suggested.clone(),
        duplicate_policy: DuplicatePolicy::Skip,
        tags: vec![],
        owner_id: None,
    };
    other.map_import(upload.id, &mapping).await.expect("map");
    let report = checked(&app, &other, upload.id).await;
    assert_eq!((report.rows, report.valid, report.invalid), (2, 2, 0), "{:?}", report.errors);
    other.start_import(upload.id).await.expect("start");
    run_until_done(&app);
    let ann = lead_by_email(&other, "ann@example.test").await;
    assert_eq!(custom_of(&ann), values);
    assert_eq!(ann.phone_e164.as_deref(), Some("+49301234567"), "the formula-safe phone reads back too");
    assert_eq!(custom_of(&lead_by_email(&other, "bob@example.test").await), serde_json::json!({"region": "EMEA"}));
}

#[tokio::test]
async fn imported_leads_are_found_by_search_whether_a_word_is_rare_or_everywhere() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    // More leads share "bulkco" than the search sorts directly, so the list walks its order instead.
    let mut csv = String::from("first_name,last_name,email,company\n");
    for i in 0..2_100 {
        csv.push_str(&format!("Person{i},Common,p{i}@bulkco.test,Bulkco {}\n", i % 7));
    }
    csv.push_str("Rare,Bird,rare.bird@bulkco.test,Bulkco Aviaries\n");
    let upload = admin.upload_import("many.csv", csv).await.expect("upload");
    let mapping = ImportMapping {
        columns: upload.suggested.clone(),
        duplicate_policy: DuplicatePolicy::Create,
        tags: vec![],
        owner_id: None,
    };
    admin.map_import(upload.id, &mapping).await.expect("map");
    admin.start_import(upload.id).await.expect("start");
    run_until_done(&app);

    let all = |q: &str| {
        let (admin, q) = (admin.clone(), q.to_owned());
        async move {
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let page = admin
                    .list_leads(&LeadListQuery {
                        q: Some(q.clone()),
                        limit: Some(200),
                        cursor: cursor.clone(),
                        sort: Some("name".into()),
                        ..Default::default()
                    })
                    .await
                    .expect("search");
                seen.extend(page.items.into_iter().map(|l| l.email.unwrap_or_default()));
                match page.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            seen
        }
    };
    let everyone = all("BULKCO").await;
    assert_eq!(everyone.len(), 2_101, "a word everywhere: every lead, each once");
    let mut unique = everyone.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 2_101);
    assert_eq!(all("bulkco bird").await, vec!["rare.bird@bulkco.test"], "a rare word narrows a common one");
    // 780: the leads of "Bulkco 6" and those with a 6 in their number.
    assert_eq!(all("bulkco 6").await.len(), 780, "a short word narrows a common one");
    assert_eq!(all("aviaries").await, vec!["rare.bird@bulkco.test"]);
}

#[tokio::test]
async fn a_big_file_is_checked_in_the_background_a_batch_at_a_time() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    // 1,200 rows: three batches; row 1,150 repeats row 3's email across batches, row 10 is invalid.
    let mut csv = String::from("name,email\n");
    for i in 1..=1200 {
        let email = match i {
            10 => "not-an-email".to_owned(),
            1150 => "person3@big.test".to_owned(),
            _ => format!("person{i}@big.test"),
        };
        csv.push_str(&format!("Person {i},{email}\n"));
    }
    let upload = admin.upload_import("big.csv", csv).await.expect("upload");
    let mapping = ImportMapping {
        columns: upload.suggested.clone(),
        duplicate_policy: DuplicatePolicy::Skip,
        tags: vec![],
        owner_id: None,
    };
    admin.map_import(upload.id, &mapping).await.expect("map");
    let asked = admin.dry_run_import(upload.id).await.expect("dry run");
    assert_eq!(asked.check, Some(ImportCheck { status: CheckStatus::Queued, checked_rows: 0 }));
    // One batch: the findings so far, and the progress on the import.
    {
        let mut conn = app.pool.get().expect("conn");
        assert!(kith_db::leads::imports::check_batch(&mut conn, upload.id).expect("batch"), "rows remain");
    }
    let partial = admin.import_check_report(upload.id).await.expect("partial");
    assert_eq!((partial.status, partial.rows, partial.invalid), (CheckStatus::Running, 500, 1));
    assert_eq!(admin.get_import(upload.id).await.expect("get").check.map(|c| c.checked_rows), Some(500));
    run_until_done(&app);
    let report = admin.import_check_report(upload.id).await.expect("report");
    assert_eq!(report.status, CheckStatus::Done);
    assert_eq!((report.rows, report.valid, report.invalid), (1200, 1199, 1));
    assert_eq!((report.duplicates_in_file, report.duplicates_existing), (1, 0));
    assert_eq!(report.errors.iter().map(|e| e.row).collect::<Vec<_>>(), vec![10]);
    assert_eq!(report.duplicates.iter().map(|d| (d.row, d.earlier_row)).collect::<Vec<_>>(), vec![(1150, Some(3))]);
    assert_eq!(admin.list_leads(&LeadListQuery::default()).await.expect("leads").items.len(), 0, "nothing imported");

    // A new mapping makes the findings stale: the check is gone until asked again.
    admin
        .map_import(upload.id, &ImportMapping { duplicate_policy: DuplicatePolicy::Create, ..mapping })
        .await
        .expect("map again");
    assert_eq!(admin.get_import(upload.id).await.expect("get").check, None);
    let err = admin.import_check_report(upload.id).await.expect_err("no check");
    assert_eq!(err.status(), Some(422));
    let again = checked(&app, &admin, upload.id).await;
    assert_eq!((again.duplicates_in_file, again.rows), (0, 1200), "create: duplicates are not looked for");
}

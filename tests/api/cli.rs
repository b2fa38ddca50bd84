//! `kith import`: an operator imports a CSV file into one organization from the command line. The
//! real binary runs against the test's database; what it reports is what the API then shows.

use std::process::Command;

use kith_domain::leads::{LeadListQuery, NewLead};
use kith_tests::TestApp;

/// The `kith` binary next to this test binary (`make test` builds it first).
fn kith_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join("kith");
    assert!(bin.is_file(), "{} is missing: build it with `cargo build -p kith-api --bin kith`", bin.display());
    bin
}

/// Run `kith import …`; returns (success, stdout, stderr).
fn kith_import(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(kith_binary())
        .arg("import")
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env("KITH_MAIL_TRANSPORT", "off")
        .env("RUST_LOG", "error")
        .output()
        .expect("run kith import");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const CSV: &str = "First name,Last name,E-mail,Company\n\
Ann,Lee,ann@example.test,Acme Bikes\n\
Bo,Berg,known@example.test,Changed Name AG\n\
,,not an email,\n";

#[tokio::test]
async fn kith_import_checks_then_imports_a_csv_file_into_one_organization() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let (other, _) = app.signup("Globex").await;
    let known = admin
        .create_lead(&NewLead {
            first_name: "Known".into(),
            email: Some("known@example.test".into()),
            company_name: "Known GmbH".into(),
            ..Default::default()
        })
        .await
        .expect("existing lead");
    let dir = std::env::temp_dir().join(format!("kith-cli-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("leads.csv");
    std::fs::write(&file, CSV).expect("csv");
    let org = me.organization.id.to_string();
    let path = file.to_str().expect("utf-8 path");

    // A dry run reports the rows and imports nothing.
    let (ok, out, err) = kith_import(&app, &["--org", &org, "--file", path, "--dry-run"]);
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("3 rows: 2 valid, 1 invalid, 1 already in Kith, 0 repeated in the file"), "{out}");
    assert!(out.contains("row 3: email"), "the bad row is named: {out}");
    assert_eq!(admin.list_leads(&LeadListQuery::default()).await.expect("list").items.len(), 1);
    assert!(!dir.join("leads.results.csv").exists());

    // The import: the new person becomes a tagged lead, the known one is skipped (the default), the
    // bad row fails; row-by-row results are written next to the file.
    let (ok, out, err) = kith_import(&app, &["--org", &org, "--file", path, "--tag", "from-cli"]);
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("Done: 1 created, 0 updated, 1 skipped, 1 failed."), "{out}");
    let leads = admin.list_leads(&LeadListQuery::default()).await.expect("list").items;
    assert_eq!(leads.len(), 2);
    let ann = leads.iter().find(|l| l.email.as_deref() == Some("ann@example.test")).expect("Ann imported");
    assert_eq!(
        (ann.first_name.as_str(), ann.last_name.as_str(), ann.company_name.as_str()),
        ("Ann", "Lee", "Acme Bikes")
    );
    assert_eq!(ann.tags, vec!["from-cli".to_owned()]);
    assert_eq!(admin.get_lead(known.id).await.expect("known").lead, known, "skipped: unchanged");
    let results = std::fs::read_to_string(dir.join("leads.results.csv")).expect("results file");
    assert_eq!(results.lines().count(), 4, "a header and one line per row: {results}");
    // Nothing reached the other organization.
    assert!(other.list_leads(&LeadListQuery::default()).await.expect("list").items.is_empty());

    // Mistakes are reported and import nothing.
    for (args, message) in [
        (vec!["--org", "not-an-id", "--file", path], "--org is not an organization id"),
        (vec!["--org", "0190a0a0-0000-7000-8000-000000000000", "--file", path], "no such organization"),
        (vec!["--org", &org, "--file", "/nonexistent/leads.csv"], "cannot open /nonexistent/leads.csv"),
        (vec!["--org", &org, "--file", path, "--duplicates", "merge"], "--duplicates must be skip, update or create"),
        (vec!["--org", &org, "--file", path, "--map", "E-mail"], "is not Column=target"),
    ] {
        let (ok, out, err) = kith_import(&app, &args);
        assert!(!ok, "{args:?} must fail: {out}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
    assert_eq!(admin.list_leads(&LeadListQuery::default()).await.expect("list").items.len(), 2);
    let _ = std::fs::remove_dir_all(dir);
}

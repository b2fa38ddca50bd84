//! Screens of the lead pages as a team meets them: a country is picked, never cut short; the list
//! counts what its filters select and every typed filter applies as you type; counts read in the
//! right number; a merge says which record is which; a success clears the error before it; a call
//! that makes a lead names it.

use kith_domain::leads::{LeadListQuery, LeadStatus, NewLead};
use kith_tests::TestApp;
use thirtyfour::prelude::*;

use crate::browser::{click, eventually, fill, in_browser, log_in, skip_without_browser, wait_for, wait_for_text};

/// The value of an input, as the person sees it.
async fn value_of(driver: &WebDriver, css: &str) -> String {
    wait_for(driver, css).await.prop("value").await.ok().flatten().unwrap_or_default()
}

/// A rep types "Germany" into the country of a new lead: the lead is in Germany (DE), not Georgia
/// (GE) — the picker offers the list, the name shows on the lead's page, and a country that is none
/// is refused beside the field with nothing cut or saved.
#[tokio::test]
async fn a_country_typed_by_name_is_that_country_and_one_that_is_none_is_refused_beside_the_field() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Northwind").await;
    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &me.user.email).await;
        driver.goto(app.url("/m/leads")).await.expect("open leads");
        click(driver, "#lead-new").await;
        fill(driver, "#lead-first-name", "Greta").await;
        let options = driver
            .execute("return document.querySelectorAll('#lead-country-countries option').length;", vec![])
            .await
            .expect("script")
            .json()
            .as_i64();
        assert_eq!(options, Some(249), "the picker offers every ISO 3166-1 country");
        fill(driver, "#lead-country", "Germany").await;
        click(driver, "#lead-create").await;
        wait_for(driver, "#lead-name").await;
        let leads = || async { admin.list_leads(&LeadListQuery::default()).await.expect("list").items };
        eventually("the lead is saved in Germany", || async {
            leads().await.first().and_then(|l| l.country.clone()).as_deref() == Some("DE")
        })
        .await;
        assert_eq!(value_of(driver, "#lead-country").await, "Germany");

        fill(driver, "#lead-country", "Germania").await;
        click(driver, "#lead-save").await;
        wait_for(driver, "#lead-country[aria-invalid=true]").await;
        wait_for_text(driver, &["Choose a country from the list"], "the error beside the country").await;
        assert_eq!(value_of(driver, "#lead-country").await, "Germania", "what was typed stays, uncut");
        assert_eq!(leads().await[0].country.as_deref(), Some("DE"), "nothing was saved");

        fill(driver, "#lead-country", "se").await;
        click(driver, "#lead-save").await;
        eventually("a code in any case is saved", || async { leads().await[0].country.as_deref() == Some("SE") }).await;
        // The save that worked clears the red notice of the one that did not.
        wait_for(driver, ".toast-success").await;
        assert_eq!(count_of(driver, ".toast-error").await, 0, "no error notice is left beside the success");
    })
    .await;
}

/// How many elements match `css` now.
async fn count_of(driver: &WebDriver, css: &str) -> usize {
    driver.find_all(By::Css(css)).await.map(|found| found.len()).unwrap_or(0)
}

/// The texts of the elements `css` matches.
async fn texts_of(driver: &WebDriver, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in driver.find_all(By::Css(css)).await.unwrap_or_default() {
        out.push(e.text().await.unwrap_or_default());
    }
    out
}

/// The names of the lead rows shown, once they settle on `want`.
async fn rows_become(driver: &WebDriver, want: &[&str], what: &str) {
    for _ in 0..100 {
        let names: Vec<String> = texts_of(driver, "#lead-table tbody tr td a").await;
        if names.len() == want.len() && want.iter().all(|w| names.iter().any(|n| n.contains(w))) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let shown = texts_of(driver, "#lead-table tbody tr").await;
    panic!("{what}: the list never showed just {want:?}; it shows {shown:?}");
}

/// A manager's list says how many leads the filters select; one letter searches; the tag and the
/// minimum score apply as typed, like the search; the owner filter offers only people who can own
/// leads (not support or accounting).
#[tokio::test]
async fn the_list_counts_its_leads_and_every_typed_filter_applies_as_you_type() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Northwind").await;
    app.add_user(&admin, "support", "Sam Support").await;
    app.add_user(&admin, "finance", "Fay Finance").await;
    let (_, rita) = app.add_user(&admin, "sales", "Rita Rep").await;
    for (first, tags) in [("Bodo", vec!["vip".to_owned()]), ("Ann", vec![]), ("Cyd", vec![])] {
        admin
            .create_lead(&NewLead { first_name: first.into(), last_name: "Lee".into(), tags, ..Default::default() })
            .await
            .expect("lead");
    }
    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &me.user.email).await;
        driver.goto(app.url("/m/leads")).await.expect("open leads");
        wait_for_text(driver, &["3 leads"], "the count of every lead").await;

        fill(driver, "#lead-search", "b").await;
        rows_become(driver, &["Bodo"], "a one-letter search").await;
        wait_for_text(driver, &["1 lead"], "the count follows the search").await;
        // Deleted as a person does (a driver's "clear" sends no input event).
        wait_for(driver, "#lead-search").await.send_keys(Key::Backspace).await.expect("delete the letter");
        rows_become(driver, &["Bodo", "Ann", "Cyd"], "the search cleared").await;

        // No Enter: the tag applies as it is typed.
        wait_for(driver, "#lead-filter-tag").await.send_keys("vip").await.expect("type the tag");
        rows_become(driver, &["Bodo"], "the tag as typed").await;
        wait_for_text(driver, &["1 lead"], "the count follows the tag").await;

        let owners = texts_of(driver, "#lead-filter-owner option").await;
        assert!(owners.iter().any(|o| o.contains(&rita.user.name)), "{owners:?}");
        assert!(owners.iter().all(|o| !o.contains("Sam Support") && !o.contains("Fay Finance")), "{owners:?}");
    })
    .await;
}

/// Two leads of the same name: the duplicates page says "1 pair", and the merge says which record
/// goes into which by their email and creation date.
#[tokio::test]
async fn a_merge_of_two_namesakes_says_which_record_is_which() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Northwind").await;
    admin
        .put_lead_settings(&kith_domain::leads::LeadSettings {
            duplicate_rule: kith_domain::leads::DuplicateRule::Off,
            qualify_threshold: None,
            fallback_owner_id: None,
        })
        .await
        .expect("settings");
    for email in ["olivia@northwind.test", "o.martin@example.test"] {
        admin
            .create_lead(&NewLead {
                first_name: "Olivia".into(),
                last_name: "Martin".into(),
                email: Some(email.into()),
                phone: Some("+1 212 555 0142".into()),
                ..Default::default()
            })
            .await
            .expect("lead");
    }
    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &me.user.email).await;
        driver.goto(app.url("/m/leads/duplicates")).await.expect("open duplicates");
        wait_for_text(driver, &["1 pair among 2 leads"], "one pair, in the singular").await;
        click(driver, "[data-testid=pair-merge]").await;
        let explanation = wait_for(driver, "#merge-explanation").await.text().await.unwrap_or_default();
        assert!(
            explanation.contains("olivia@northwind.test") && explanation.contains("o.martin@example.test"),
            "the merge tells the two Olivia Martins apart: {explanation}"
        );
    })
    .await;
}

/// An agent marks a contact interested: the notice names the new lead, which is "Contacted".
#[tokio::test]
async fn a_call_that_makes_a_lead_names_it() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Call Centre").await;
    let list = admin.create_call_list("Fair contacts").await.expect("list");
    admin
        .add_call_contacts(list.id, "name,phone,company\nDora Dial,+49 30 1234567,Dialco\n".into())
        .await
        .expect("contacts");
    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &me.user.email).await;
        driver.goto(app.url(&format!("/m/leads/calls/{}", list.id))).await.expect("open queue");
        click(driver, "#call-next").await;
        wait_for_text(driver, &["Dora Dial"], "the next contact").await;
        click(driver, "[data-testid=disposition-interested]").await;
        let banner = wait_for(driver, "#call-lead-link").await.text().await.unwrap_or_default();
        assert_eq!(banner, "Dora Dial", "the notice names the lead");
        let leads = admin.list_leads(&LeadListQuery::default()).await.expect("leads").items;
        assert_eq!(leads.iter().map(|l| l.status).collect::<Vec<_>>(), [LeadStatus::Contacted]);
        let contacts = admin.get_call_list(list.id).await.expect("list");
        assert_eq!(contacts.promoted, 1);
    })
    .await;
}

/// A manager checks a CSV before importing it: the button says exactly what starting it will do,
/// and the import then does that.
#[tokio::test]
async fn the_import_button_says_what_the_import_will_do() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Northwind").await;
    for email in ["old@example.test", "older@example.test"] {
        admin.create_lead(&NewLead { email: Some(email.into()), ..Default::default() }).await.expect("existing");
    }
    // 6 rows: 2 new people, 2 already in Kith, 1 repeating the first row, 1 with a broken email.
    let csv = "email,first name\nnew1@example.test,New\nold@example.test,Old\nbroken,Bad\nolder@example.test,Older\nnew2@example.test,Two\nNEW1@example.test,Again\n";
    let file = std::env::temp_dir().join(format!("kith-import-{}.csv", uuid::Uuid::now_v7()));
    std::fs::write(&file, csv).expect("write the file");
    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &me.user.email).await;
        driver.goto(app.url("/m/leads/import")).await.expect("open import");
        wait_for(driver, "#import-file").await.send_keys(file.display().to_string()).await.expect("choose the file");
        click(driver, "#import-upload").await;
        click(driver, "#import-check").await;
        // The rows are checked in the background: work the queue until the report shows.
        let mut start = None;
        for _ in 0..100 {
            super::imports::run_until_done(&app);
            if let Ok(button) = driver.find(By::Id("import-start")).await {
                start = Some(button);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let start = start.expect("the check's report");
        let label = start.text().await.unwrap_or_default();
        assert_eq!(label, "Import: 2 new leads, 3 duplicates skipped, 1 row not imported");
        start.click().await.expect("start");
        wait_for(driver, "#import-status").await;
        super::imports::run_until_done(&app);
        let imports = admin.list_leads(&LeadListQuery::default()).await.expect("leads").items.len();
        assert_eq!(imports, 4, "2 existing + 2 created");
    })
    .await;
    let _ = std::fs::remove_file(file);
}

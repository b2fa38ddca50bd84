//! The lead screens as a rep and on a phone: a rep who hands a lead to someone else confirms it
//! first, is told where it went and lands on their list (no "not found", no failed request); a
//! manager who reassigns stays on the lead; at 390×844 the list shows leads in the first screen,
//! the menu and the filters fold behind buttons, and neither the list nor the lead page scrolls
//! sideways.

use kith_domain::leads::{LeadListQuery, NewLead};
use kith_tests::TestApp;
use thirtyfour::prelude::*;

use crate::browser::{
    assert_quiet_console, choose, click, eventually, in_browser, log_in, skip_without_browser, wait_for, wait_for_text,
};

/// The path of the page the browser shows.
async fn path(driver: &WebDriver) -> String {
    driver.current_url().await.map(|u| u.path().to_owned()).unwrap_or_default()
}

/// The text of the confirmation dialog, once it is shown.
async fn dialog_text(driver: &WebDriver) -> String {
    wait_for(driver, "[role=alertdialog]").await.text().await.unwrap_or_default()
}

async fn dialogs(driver: &WebDriver) -> usize {
    driver.find_all(By::Css("[role=alertdialog]")).await.map(|d| d.len()).unwrap_or(0)
}

/// Liam (a rep who sees only his own leads) hands one lead to Maya from its page: he is asked first
/// (Cancel keeps it), then told where it went and shown his list; no request for the lead he can no
/// longer open is made. Two more leads handed over in bulk are confirmed and reported alike.
#[tokio::test]
async fn a_rep_who_hands_a_lead_away_confirms_it_and_is_told_so_on_his_list() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Northwind").await;
    let (maya, maya_me) = app.add_user(&admin, "manager", "Maya Manager").await;
    let (liam, liam_me) = app.add_user(&admin, "sales", "Liam Rep").await;
    let mut leads = Vec::new();
    for first in ["Ada", "Bea", "Cal"] {
        let lead = liam
            .create_lead(&NewLead { first_name: first.into(), last_name: "Lead".into(), ..Default::default() })
            .await
            .expect("lead");
        assert_eq!(lead.owner_id, Some(liam_me.user.id), "a rep owns what he creates");
        leads.push(lead);
    }
    let owner_of = |i: usize| {
        let maya = maya.clone();
        let id = leads[i].id;
        async move { maya.get_lead(id).await.expect("lead").lead.owner_id }
    };

    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &liam_me.user.email).await;
        driver.goto(app.url(&format!("/m/leads/{}", leads[0].id))).await.expect("open the lead");
        wait_for_text(driver, &["Ada Lead", "Owner and tags"], "the lead page").await;

        // Asked first; Cancel keeps the lead and the picker shows him again.
        choose(driver, "#lead-owner-select", "Maya Manager").await;
        let asked = dialog_text(driver).await;
        assert!(asked.contains("Hand Ada Lead to Maya Manager?"), "the dialog names the new owner: {asked}");
        assert!(asked.contains("no longer be able to open it"), "and says what follows: {asked}");
        click(driver, "[data-testid=confirm-cancel]").await;
        eventually("the dialog closes", || async { dialogs(driver).await == 0 }).await;
        let shown = wait_for(driver, "#lead-owner-select").await.prop("value").await.ok().flatten();
        assert_eq!(shown, Some(liam_me.user.id.to_string()), "the picker shows the owner again");
        assert_eq!(owner_of(0).await, Some(liam_me.user.id), "nothing changed");

        // Confirmed: told where it went, on his list, which no longer has it.
        choose(driver, "#lead-owner-select", "Maya Manager").await;
        dialog_text(driver).await;
        click(driver, "[data-testid=confirm-ok]").await;
        wait_for_text(driver, &["Ada Lead assigned to Maya Manager", "It is no longer in your list"], "the notice")
            .await;
        eventually("the list shows", || async { path(driver).await == "/m/leads" }).await;
        wait_for_text(driver, &["Bea Lead", "Cal Lead", "2 leads"], "his list without Ada").await;
        assert!(!crate::browser::visible_text(driver).await.contains("does not exist"), "no \"not found\"");
        assert_eq!(owner_of(0).await, Some(maya_me.user.id), "the change was made");
        assert_quiet_console(driver, "handing a lead away from its page").await;

        // In bulk: both remaining leads, confirmed, reported, gone from his list.
        click(driver, "input[aria-label='Select all shown leads']").await;
        choose(driver, "#bulk-owner", "Maya Manager").await;
        click(driver, "#bulk-apply").await;
        let asked = dialog_text(driver).await;
        assert!(asked.contains("Hand 2 leads to Maya Manager?"), "the bulk dialog names the owner: {asked}");
        click(driver, "[data-testid=confirm-ok]").await;
        wait_for_text(driver, &["2 leads assigned to Maya Manager", "They are no longer in your list"], "the notice")
            .await;
        wait_for_text(driver, &["No leads yet"], "his emptied list").await;
        assert_eq!((owner_of(1).await, owner_of(2).await), (Some(maya_me.user.id), Some(maya_me.user.id)));
        assert_quiet_console(driver, "handing leads away in bulk").await;
    })
    .await;
}

/// Maya (a manager who sees every lead) reassigns a lead to Liam: nothing to confirm, she stays on
/// the lead's page, which shows its new owner.
#[tokio::test]
async fn a_manager_who_reassigns_a_lead_stays_on_its_page() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Northwind").await;
    let (maya, maya_me) = app.add_user(&admin, "manager", "Maya Manager").await;
    let (_, liam_me) = app.add_user(&admin, "sales", "Liam Rep").await;
    let lead = maya
        .create_lead(&NewLead { first_name: "Dora".into(), last_name: "Lead".into(), ..Default::default() })
        .await
        .expect("lead");
    let page = format!("/m/leads/{}", lead.id);

    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &maya_me.user.email).await;
        driver.goto(app.url(&page)).await.expect("open the lead");
        wait_for_text(driver, &["Dora Lead", "Owner and tags"], "the lead page").await;
        choose(driver, "#lead-owner-select", "Liam Rep").await;
        wait_for_text(driver, &["Dora Lead saved"], "the notice").await;
        assert_eq!(dialogs(driver).await, 0, "nothing to confirm");
        eventually("the page shows the new owner", || async {
            wait_for(driver, "#lead-owner-name").await.text().await.unwrap_or_default() == "Liam Rep"
        })
        .await;
        assert_eq!(path(driver).await, page, "she stays on the lead");
        let owner = maya.get_lead(lead.id).await.expect("lead").lead.owner_id;
        assert_eq!(owner, Some(liam_me.user.id));
        assert_quiet_console(driver, "a manager reassigning").await;
    })
    .await;
}

/// The viewport of a phone (390×844 CSS pixels, touch), or back to the desktop window.
async fn phone(driver: &WebDriver, on: bool) {
    let cdp = driver.cdp();
    if on {
        let metrics = serde_json::json!({ "width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true });
        cdp.send_raw("Emulation.setDeviceMetricsOverride", metrics).await.expect("phone size");
    } else {
        cdp.send_raw("Emulation.clearDeviceMetricsOverride", serde_json::json!({})).await.expect("desktop size");
    }
}

async fn script_i64(driver: &WebDriver, script: &str) -> i64 {
    driver.execute(script, vec![]).await.expect("script").json().as_i64().unwrap_or(-1)
}

async fn script_bool(driver: &WebDriver, script: &str) -> bool {
    driver.execute(script, vec![]).await.expect("script").json().as_bool().unwrap_or(false)
}

/// Fail when the page is wider than the screen (it would scroll sideways). A phone's browser widens
/// the layout to fit what is too wide (and zooms out), so the window's width counts as well.
async fn assert_no_sideways_scroll(driver: &WebDriver, what: &str) {
    let (wide, screen) = (
        script_i64(driver, "return Math.max(document.documentElement.scrollWidth, window.innerWidth);").await,
        script_i64(driver, "return screen.width;").await,
    );
    assert!(wide <= screen, "{what}: the page is {wide}px wide on a {screen}px screen");
}

async fn shown(driver: &WebDriver, css: &str) -> bool {
    match driver.find(By::Css(css)).await {
        Ok(element) => element.is_displayed().await.unwrap_or(false),
        Err(_) => false,
    }
}

/// A sales manager on a phone: the first screen shows leads, the menu and the filters open and close
/// from their buttons (the filter button counts what is set), nothing scrolls sideways on the list
/// or the lead page, whose cards stack in one column; on a desktop window the menu and the filters
/// are simply there.
#[tokio::test]
async fn the_lead_list_and_a_lead_fit_a_phone() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Northwind Trading International").await;
    let (maya, maya_me) = app.add_user(&admin, "manager", "Maya Manager").await;
    let mut last = None;
    for (first, company) in [
        ("Olivia", "Contoso Pharmaceuticals International"),
        ("Noah", "Fabrikam"),
        ("Emma", "Tailspin Toys"),
        ("Liam", "Wide World Importers"),
    ] {
        let lead = maya
            .create_lead(&NewLead {
                first_name: first.into(),
                last_name: "Abernathy-Wolfeschlegel".into(),
                email: Some(format!("{}.abernathy-wolfeschlegel@{}.example.test", first.to_lowercase(), "contoso")),
                company_name: company.into(),
                title: "Vice President of Procurement and Strategic Sourcing".into(),
                tags: vec!["trade fair 2026".into(), "vip".into()],
                ..Default::default()
            })
            .await
            .expect("lead");
        last = Some(lead);
    }
    let lead = last.expect("a lead");

    in_browser(async |driver: &WebDriver| {
        phone(driver, true).await;
        log_in(driver, &app, &maya_me.user.email).await;
        driver.goto(app.url("/m/leads")).await.expect("open leads");
        wait_for_text(driver, &["4 leads"], "the list").await;
        assert_eq!(script_i64(driver, "return window.innerWidth;").await, 390, "a phone's width");

        // Leads in the first screen.
        let first_bottom = script_i64(
            driver,
            "return Math.ceil(document.querySelector('[data-testid=lead-row]').getBoundingClientRect().bottom);",
        )
        .await;
        let screen = script_i64(driver, "return window.innerHeight;").await;
        assert!(first_bottom > 0 && first_bottom <= screen, "the first lead ends at {first_bottom}px of {screen}px");
        assert_no_sideways_scroll(driver, "the lead list").await;

        // The menu: folded, opens, closes.
        assert!(!shown(driver, "#sidebar").await, "the navigation is folded away");
        click(driver, "#nav-toggle").await;
        eventually("the menu opens", || async { shown(driver, "#sidebar").await }).await;
        assert!(shown(driver, "#sidebar a[href='/m/leads']").await, "the menu lists the modules");
        click(driver, "#nav-toggle").await;
        eventually("the menu closes", || async { !shown(driver, "#sidebar").await }).await;

        // The filters: folded behind a button that counts them, open, close.
        assert!(shown(driver, "#lead-search").await, "the search stays at hand");
        assert!(!shown(driver, "#lead-filter-status").await, "the filters are folded away");
        let toggle = wait_for(driver, "#lead-filters-toggle").await;
        assert_eq!(toggle.text().await.unwrap_or_default(), "Filters");
        toggle.click().await.expect("open the filters");
        eventually("the filters open", || async { shown(driver, "#lead-filter-status").await }).await;
        choose(driver, "#lead-filter-status", "New").await;
        eventually("the button counts the filter", || async {
            wait_for(driver, "#lead-filters-toggle").await.text().await.unwrap_or_default() == "Filters (1)"
        })
        .await;
        assert_no_sideways_scroll(driver, "the list with its filters open").await;
        click(driver, "#lead-filters-toggle").await;
        eventually("the filters close", || async { !shown(driver, "#lead-filter-status").await }).await;
        wait_for_text(driver, &["4 leads"], "the filtered list").await;

        // The lead's page: one column, nothing sideways, the header's actions within the screen.
        driver.goto(app.url(&format!("/m/leads/{}", lead.id))).await.expect("open the lead");
        wait_for_text(driver, &["Owner and tags", "Timeline"], "the lead page").await;
        assert_no_sideways_scroll(driver, "the lead page").await;
        let one_column = script_bool(
            driver,
            "const s = [...document.querySelectorAll('.detail-grid > .stack')].map(e => e.getBoundingClientRect().left); \
             return s.length === 2 && Math.abs(s[0] - s[1]) < 1;",
        )
        .await;
        assert!(one_column, "the lead's cards stack in one column");
        let actions_inside = script_bool(
            driver,
            "return [...document.querySelectorAll('.page-header button')].every(b => b.getBoundingClientRect().right <= window.innerWidth);",
        )
        .await;
        assert!(actions_inside, "the header's actions are on screen");

        // The pages around the leads fit too: settings (its tabs one strip), import, duplicates.
        for (page, shows) in [
            ("/settings/users", "Everyone who can sign in"),
            ("/settings/lead-scoring", "Lead scoring"),
            ("/m/leads/import", "Choose a file"),
            ("/m/leads/duplicates", "Duplicates"),
        ] {
            driver.goto(app.url(page)).await.expect("open the page");
            wait_for_text(driver, &[shows], page).await;
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            assert_no_sideways_scroll(driver, page).await;
        }
        assert_quiet_console(driver, "the lead screens on a phone").await;

        // On a desktop window nothing is folded.
        phone(driver, false).await;
        driver.goto(app.url("/m/leads")).await.expect("open leads");
        wait_for_text(driver, &["4 leads"], "the list on a desktop").await;
        assert!(shown(driver, "#sidebar").await, "the sidebar is shown");
        assert!(!shown(driver, "#nav-toggle").await, "no menu button");
        assert!(!shown(driver, "#lead-filters-toggle").await, "no filter button");
        assert!(shown(driver, "#lead-filter-status").await, "the filters are shown");
        assert!(shown(driver, "#lead-table thead").await, "the table has its column headers");
    })
    .await;
    let count = admin.list_leads(&LeadListQuery::default()).await.expect("leads").items.len();
    assert_eq!(count, 4);
}

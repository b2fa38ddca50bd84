//! Signing in and out, invitations, API keys and a forgotten password, in headless Chromium. The
//! browser's console is read back: a normal path logs no failed request (a signed-out page load does
//! not ask for a session it cannot have; Settings → Email without a server of its own is no 404).

use std::time::Duration;

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use kith_db::schema::outbox_emails;
use kith_domain::identity::NewInvite;
use kith_tests::{TestApp, PASSWORD};
use thirtyfour::prelude::*;

use crate::browser::{
    assert_no_failed_request, click, eventually, failed_requests, fill, in_browser, log_in, skip_without_browser,
    wait_for, wait_for_text,
};

/// The URLs the page has requested so far.
async fn requested(driver: &WebDriver) -> Vec<String> {
    let urls = driver
        .execute("return performance.getEntriesByType('resource').map(e => e.name);", vec![])
        .await
        .expect("script");
    serde_json::from_value(urls.json().clone()).unwrap_or_default()
}

#[tokio::test]
async fn a_signed_out_visitor_loads_pages_without_a_failed_request_and_a_session_survives_a_reload() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (_, me) = app.signup("Quiet Console").await;

    in_browser(async |driver: &WebDriver| {
        for page in ["/login", "/signup", "/forgot-password", "/"] {
            driver.goto(app.url(page)).await.expect("open");
            wait_for(driver, "form").await;
            assert_no_failed_request(driver, page).await;
            let asked: Vec<String> = requested(driver).await.into_iter().filter(|u| u.contains("/api/")).collect();
            assert!(asked.is_empty(), "{page}: a signed-out page load asks the API nothing: {asked:?}");
        }

        // Signed in, a reload restores the session (the hint cookie says there is one to restore).
        log_in(driver, &app, &me.user.email).await;
        driver.refresh().await.expect("reload");
        wait_for(driver, "#user-menu").await;
        assert_no_failed_request(driver, "a reload while signed in").await;

        // Signed out again: the next load asks nothing and fails nothing.
        click(driver, "#logout").await;
        wait_for(driver, "#login-email").await;
        driver.refresh().await.expect("reload");
        wait_for(driver, "#login-email").await;
        assert_no_failed_request(driver, "a reload after logging out").await;
    })
    .await;
}

#[tokio::test]
async fn settings_email_without_a_server_of_its_own_says_so_without_an_error() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (_, me) = app.signup("Plain Mail").await;

    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &me.user.email).await;
        driver.goto(app.url("/settings/email")).await.expect("open email settings");
        let none = wait_for(driver, "#mail-server-none").await;
        let text = none.text().await.expect("text");
        assert!(text.contains("Not set up") && text.contains("installation's server"), "{text}");
        assert_no_failed_request(driver, "Settings → Email").await;
    })
    .await;
}

#[tokio::test]
async fn the_invitation_page_says_which_organization_and_address_before_joining() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Northwind Outfitters").await;
    let invite = admin
        .create_invite(&NewInvite { email: "Rita@Example.test".into(), role_id: me.role.id, team_id: None })
        .await
        .expect("invite");
    let withdrawn = admin
        .create_invite(&NewInvite { email: "gone@example.test".into(), role_id: me.role.id, team_id: None })
        .await
        .expect("invite");
    admin.revoke_invite(withdrawn.invite.id).await.expect("revoke");

    in_browser(async |driver: &WebDriver| {
        driver.goto(app.url(&invite.accept_path)).await.expect("open the link");
        let organization = wait_for(driver, "#invite-organization").await.text().await.expect("text");
        let email = wait_for(driver, "#invite-email").await.text().await.expect("text");
        assert_eq!((organization.as_str(), email.as_str()), ("Northwind Outfitters", "rita@example.test"));
        assert_no_failed_request(driver, "a valid invitation").await;
        fill(driver, "#invite-name", "Rita Rep").await;
        fill(driver, "#invite-password", PASSWORD).await;
        click(driver, "#invite-submit").await;
        wait_for_text(driver, &["Rita Rep"], "signed in after joining").await;
        click(driver, "#logout").await;
        wait_for(driver, "#login-email").await;

        // A withdrawn invitation says so, and offers no form.
        driver.goto(app.url(&withdrawn.accept_path)).await.expect("open the old link");
        wait_for_text(driver, &["This invitation is not valid any more"], "a withdrawn invitation").await;
        assert!(driver.find_all(By::Css("#invite-name")).await.expect("find").is_empty(), "no form to fill in");
        let page = crate::browser::visible_text(driver).await;
        assert!(!page.contains("gone@example.test") && !page.contains("Northwind"), "{page}");
        // Here the 404 is the answer, and the console shows it: the check above would see one.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let failed = failed_requests(driver).await;
        assert!(failed.iter().any(|m| m.contains("invite-preview") && m.contains("404")), "{failed:#?}");
    })
    .await;
}

#[tokio::test]
async fn an_api_key_gets_the_role_chosen_for_it_and_an_expiry_date() {
    use kith_domain::core::page::PageQuery;
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Key Makers").await;

    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &me.user.email).await;
        driver.goto(app.url("/settings/api-keys")).await.expect("open api keys");
        driver
            .query(By::Css("#api-key-role option[value]:not([value=''])"))
            .wait(Duration::from_secs(20), Duration::from_millis(100))
            .first()
            .await
            .expect("the roles loaded");
        // Nothing chosen: the form says what is missing, every field at once, and creates nothing.
        click(driver, "#api-key-create").await;
        wait_for_text(driver, &["Name the key after what uses it.", "Choose the role the key acts with."], "errors")
            .await;
        assert!(admin.list_api_keys(&PageQuery::default()).await.expect("keys").items.is_empty());

        fill(driver, "#api-key-name", "Website sync").await;
        let role = wait_for(driver, "#api-key-role").await;
        thirtyfour::components::SelectElement::new(&role)
            .await
            .expect("select")
            .select_by_visible_text("Sales representative")
            .await
            .expect("choose a role");
        driver
            .execute(
                "const e = document.getElementById('api-key-expires'); e.value = '2099-01-31'; e.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![],
            )
            .await
            .expect("type the date");
        click(driver, "#api-key-create").await;
        wait_for(driver, "#api-key-secret").await;
        wait_for_text(driver, &["Website sync", "Sales representative", "2099-01-31"], "the new key's row").await;
        assert_no_failed_request(driver, "creating an API key").await;
    })
    .await;

    let keys = admin.list_api_keys(&PageQuery::default()).await.expect("keys").items;
    let sales = admin.list_roles(&PageQuery::default()).await.expect("roles").items;
    let sales = sales.iter().find(|r| r.key.as_deref() == Some("sales")).expect("sales");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].role_id, sales.id, "the role chosen, not the administrator's");
    assert_eq!(keys[0].expires_at.map(|t| t.to_rfc3339()).as_deref(), Some("2099-01-31T23:59:59+00:00"));
}

#[tokio::test]
async fn a_person_who_forgot_their_password_sets_a_new_one_from_the_email() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (other_device, me) = app.signup("Forgetful Co").await;
    let new_password = "a brand new passphrase for Kith";

    in_browser(async |driver: &WebDriver| {
        driver.goto(app.url("/login")).await.expect("open login");
        click(driver, "#login-forgot").await;
        fill(driver, "#reset-email", &me.user.email).await;
        click(driver, "#reset-request").await;
        let sent = wait_for(driver, "#reset-requested").await.text().await.expect("text");
        assert!(sent.contains(&me.user.email) && sent.contains("30 minutes"), "{sent}");
        assert_no_failed_request(driver, "asking for a link").await;

        // The email waits in the outbox; its link opens the page that sets the password.
        let body: String = {
            let mut conn = app.pool.get().expect("conn");
            outbox_emails::table
                .filter(outbox_emails::to_address.eq(&me.user.email))
                .order(outbox_emails::id.desc())
                .select(outbox_emails::body_text)
                .first(&mut *conn)
                .expect("the reset email")
        };
        let link = body.lines().find(|l| l.contains("/reset-password?token=")).expect("the link").trim().to_owned();
        driver.goto(&link).await.expect("open the link");
        fill(driver, "#reset-password", "password123").await;
        click(driver, "#reset-submit").await;
        wait_for(driver, "#reset-password[aria-invalid=true]").await;
        fill(driver, "#reset-password", new_password).await;
        click(driver, "#reset-submit").await;
        wait_for(driver, "#login-email").await;
        wait_for_text(driver, &["Password changed"], "the toast").await;

        fill(driver, "#login-email", &me.user.email).await;
        fill(driver, "#login-password", new_password).await;
        click(driver, "#login-submit").await;
        wait_for(driver, "#user-menu").await;

        // The link was spent: opening it again says so and offers a new one.
        driver.goto(&link).await.expect("open the link again");
        fill(driver, "#reset-password", "yet another long passphrase").await;
        click(driver, "#reset-submit").await;
        wait_for(driver, "#reset-link-invalid").await;
        wait_for_text(driver, &["Ask for a new link"], "the spent link").await;
    })
    .await;

    eventually("the other device was signed out", || async { other_device.me().await.is_err() }).await;
    app.client().login(&me.user.email, PASSWORD).await.expect_err("the old password is gone");
}

/// A sales manager may read settings but not the organization's API keys: the keys tab is not
/// offered, and its address says the page is not for their role (it used to spin for ever behind
/// a 403 toast).
#[tokio::test]
async fn a_manager_is_not_offered_the_api_keys_page_they_may_not_read() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (_, manager) = app.add_user(&admin, "manager", "Maya Okafor").await;
    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &manager.user.email).await;
        driver.goto(app.url("/settings/users")).await.expect("open settings");
        wait_for(driver, ".subnav-link").await;
        let mut tabs = Vec::new();
        for link in driver.find_all(By::Css(".subnav-link")).await.expect("tabs") {
            tabs.push(link.text().await.expect("tab"));
        }
        assert!(tabs.iter().any(|t| t == "Teams") && !tabs.iter().any(|t| t == "API keys"), "{tabs:?}");
        driver.goto(app.url("/settings/api-keys")).await.expect("open api keys");
        wait_for_text(driver, &["This page is not available to your role"], "the guard").await;
        assert_no_failed_request(driver, "a manager in settings").await;
    })
    .await;
}

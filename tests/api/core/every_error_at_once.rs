//! Validation comes in one round: a body with several mistakes is refused with every one of them,
//! whether the field's own rule, a rule across fields or the organization's custom field
//! definitions finds it — and the SPA runs the same rules before it sends (`Check`).

use std::collections::BTreeMap;

use kith_domain::core::custom_fields::{CustomFieldInput, CustomFieldKind};
use kith_domain::core::validation::Check;
use kith_domain::identity::NewInvite;
use kith_domain::leads::{LeadPatch, NewLead};
use kith_domain::RoleId;
use kith_tests::TestApp;
use serde_json::json;

fn fields_of(err: &kith_client::ClientError) -> Vec<String> {
    let problem = err.problem().expect("a problem body");
    assert_eq!(problem.status, 422, "{problem:?}");
    let mut fields: Vec<String> = problem.errors.iter().map(|e| e.field.clone()).collect();
    fields.sort();
    fields
}

#[tokio::test]
async fn a_lead_with_three_mistakes_hears_of_all_three_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    admin
        .create_custom_field(&CustomFieldInput {
            record_kind: "lead".into(),
            key: "budget".into(),
            label: "Budget".into(),
            kind: CustomFieldKind::Select,
            options: vec!["Small".into(), "Large".into()],
            help_text: None,
            required: false,
            position: None,
        })
        .await
        .expect("field");
    let bad = NewLead {
        first_name: "Ann".into(),
        email: Some("ann@".into()),
        company_website: Some("not a website".into()),
        custom: BTreeMap::from([("budget".to_owned(), json!("Enormous"))]),
        ..Default::default()
    };
    // The browser finds the two it can judge alone, the server all three.
    let in_browser: Vec<String> = bad.problems().into_iter().map(|e| e.field).collect();
    assert_eq!(in_browser, vec!["company_website", "email"]);
    let err = admin.create_lead(&bad).await.expect_err("refused");
    assert_eq!(fields_of(&err), vec!["company_website", "custom.budget", "email"]);
    assert_eq!(admin.count_leads(&Default::default()).await.expect("count").count, 0, "nothing written");

    let lead = admin
        .create_lead(&NewLead { first_name: "Ann".into(), email: Some("ann@acme.test".into()), ..Default::default() })
        .await
        .expect("lead");
    let patch = LeadPatch {
        email: Some(Some("ann@".into())),
        company_website: Some(Some("nope".into())),
        custom: BTreeMap::from([("budget".to_owned(), json!("Enormous"))]),
        ..Default::default()
    };
    let err = admin.update_lead(lead.id, lead.version, &patch).await.expect_err("refused");
    assert_eq!(fields_of(&err), vec!["company_website", "custom.budget", "email"]);
    let unchanged = admin.get_lead(lead.id).await.expect("read").lead;
    assert_eq!((unchanged.email.as_deref(), unchanged.version), (Some("ann@acme.test"), lead.version));
}

#[tokio::test]
async fn an_invitation_to_a_bad_address_is_refused_by_the_same_rule_in_the_browser_and_on_the_server() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let invite = NewInvite { email: "bob@".into(), role_id: RoleId(Default::default()), team_id: None };
    assert_eq!(invite.problems().into_iter().map(|e| e.field).collect::<Vec<_>>(), vec!["email"]);
    let err = admin.create_invite(&invite).await.expect_err("refused");
    assert!(fields_of(&err).contains(&"email".to_owned()));
}

/// In the browser: a new lead with a bad email, a bad website and a country that is none shows
/// the three errors at once, each beside its field, before anything is sent; the invitation form
/// names the bad address and the missing role together.
#[tokio::test]
async fn forms_show_every_error_at_once_beside_its_field() {
    use thirtyfour::prelude::*;

    use crate::browser::{click, fill, in_browser, log_in, skip_without_browser, wait_for};

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
        fill(driver, "#lead-email", "greta@").await;
        fill(driver, "#lead-website", "not a website").await;
        fill(driver, "#lead-country", "Narnia").await;
        click(driver, "#lead-create").await;
        for id in ["lead-email", "lead-website", "lead-country"] {
            wait_for(driver, &format!("#{id}[aria-invalid=true]")).await;
            wait_for(driver, &format!("#{id}-error")).await;
        }
        assert_eq!(admin.count_leads(&Default::default()).await.expect("count").count, 0, "nothing was sent");

        driver.goto(app.url("/settings/users")).await.expect("open users");
        fill(driver, "#invite-email", "bob@").await;
        click(driver, "#invite-create").await;
        wait_for(driver, "#invite-email[aria-invalid=true]").await;
        wait_for(driver, "#invite-role[aria-invalid=true]").await;
        assert!(admin.list_invites(&Default::default()).await.expect("invites").items.is_empty(), "nothing was sent");
    })
    .await;
}

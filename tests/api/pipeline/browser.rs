//! The pipeline in the browser, as a rep works it: convert a lead from its page (the dialog offers
//! the account that already exists), land on the new potential, then on the board move one potential
//! to Closed Lost (the reason is asked first and required) and another to Closed Won (its account
//! becomes a customer).

use kith_domain::customers::{Lifecycle, NewAccount};
use kith_domain::pipeline::{NewPotential, PhaseKind};
use kith_tests::TestApp;
use thirtyfour::prelude::*;

use super::a_lead;
use crate::browser::{
    assert_quiet_console, choose, click, eventually, in_browser, log_in, skip_without_browser, wait_for, wait_for_text,
};

#[tokio::test]
async fn a_rep_converts_a_lead_and_works_the_board_to_lost_and_won() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Boardroom").await;
    let (liam, liam_me) = app.add_user(&admin, "sales", "Liam Rep").await;
    // An account for the lead's company exists already: the dialog offers it.
    liam.create_account(&NewAccount {
        name: "Freightly".into(),
        website: Some("freightly.test".into()),
        ..Default::default()
    })
    .await
    .expect("account");
    let lead = a_lead(&liam, "Hana", "Freightly").await;
    let other =
        liam.create_account(&NewAccount { name: "Northwind".into(), ..Default::default() }).await.expect("account");
    let winner = liam
        .create_potential(&NewPotential {
            name: "Northwind renewal".into(),
            account_id: Some(other.id),
            amount_minor: 800_000,
            currency: "EUR".into(),
            ..Default::default()
        })
        .await
        .expect("potential");

    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &liam_me.user.email).await;
        driver.goto(app.url(&format!("/m/leads/{}", lead.id))).await.expect("open the lead");
        wait_for_text(driver, &["Hana Example"], "the lead page").await;
        click(driver, "#convert-lead").await;
        wait_for(driver, "#convert-dialog").await;
        wait_for_text(driver, &["Existing: Freightly"], "the account that exists already").await;
        // A bad amount is refused beside its field before anything is sent.
        let amount = wait_for(driver, "#convert-amount").await;
        amount.send_keys("twelve").await.expect("type");
        click(driver, "#convert-submit").await;
        wait_for_text(driver, &["Enter an amount"], "the amount's error").await;
        amount.clear().await.expect("clear");
        amount.send_keys("12,500").await.expect("type");
        click(driver, "[data-testid=similar-account] input").await;
        click(driver, "#convert-submit").await;
        wait_for_text(driver, &["Converted: potential Freightly deal opened"], "the notice").await;
        eventually("the potential's page", || async {
            driver.current_url().await.map(|u| u.path().starts_with("/m/pipeline/")).unwrap_or(false)
        })
        .await;
        wait_for_text(driver, &["Freightly deal", "€12,500.00", "Time in phases"], "the potential").await;
        assert_quiet_console(driver, "converting a lead").await;

        // The board: lost asks why first, and will not go without a reason.
        driver.goto(app.url("/m/pipeline")).await.expect("the board");
        wait_for_text(driver, &["Prospecting", "Freightly deal", "Northwind renewal"], "the board").await;
        choose(driver, "[aria-label='Move Freightly deal to']", "Closed Lost").await;
        wait_for(driver, "#lost-dialog").await;
        click(driver, "#lost-confirm").await;
        wait_for_text(driver, &["Choose why this potential was lost."], "the reason is required").await;
        choose(driver, "#lost-reason", "Price too high").await;
        click(driver, "#lost-confirm").await;
        wait_for_text(driver, &["Freightly deal moved to Closed Lost"], "the notice").await;
        choose(driver, "[aria-label='Move Northwind renewal to']", "Closed Won").await;
        wait_for_text(driver, &["Northwind renewal moved to Closed Won"], "the notice").await;
        assert_quiet_console(driver, "moving potentials on the board").await;
    })
    .await;

    let potentials = liam.list_potentials(&Default::default()).await.expect("potentials").items;
    let lost = potentials.iter().find(|p| p.name == "Freightly deal").expect("converted");
    assert_eq!(lost.phase_kind, PhaseKind::Lost);
    assert_eq!(lost.amount_minor, 1_250_000);
    assert!(lost.lost_reason_id.is_some());
    let won = liam.get_potential(winner.id).await.expect("won");
    assert_eq!(won.phase_kind, PhaseKind::Won);
    assert_eq!(liam.get_account(other.id).await.expect("account").lifecycle, Lifecycle::Customer);
    let converted = liam.get_lead(lead.id).await.expect("lead").lead;
    assert_eq!(converted.status, kith_domain::leads::LeadStatus::Converted);
    assert_eq!(
        lost.account_id.map(|a| a.to_string()),
        liam.list_accounts(&Default::default())
            .await
            .expect("accounts")
            .items
            .iter()
            .find(|a| a.name == "Freightly")
            .map(|a| a.id.to_string()),
        "into the existing account"
    );
}

//! Activities in the browser, as a rep who sees only his own leads: on his lead's page he logs a
//! call and adds a note (a call without an outcome is refused beside the field before anything is
//! sent), sees both in the list and on the timeline; on his home page ("My day") an overdue task
//! ticked done leaves the list.

use chrono::{Duration, Utc};
use kith_domain::core::activities::{ActivityKind, NewActivity};
use kith_domain::leads::NewLead;
use kith_tests::TestApp;
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

use crate::browser::{
    assert_quiet_console, click, eventually, fill, in_browser, log_in, skip_without_browser, visible_text, wait_for,
    wait_for_text,
};

#[tokio::test]
async fn a_rep_logs_a_call_and_a_note_on_his_lead_and_ticks_an_overdue_task_done_on_my_day() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Northwind").await;
    let (liam, liam_me) = app.add_user(&admin, "sales", "Liam Rep").await;
    let lead = liam
        .create_lead(&NewLead { first_name: "Ada".into(), last_name: "Lead".into(), ..Default::default() })
        .await
        .expect("lead");
    liam.create_activity(&NewActivity {
        record_kind: "lead".into(),
        record_id: lead.id.to_string(),
        kind: ActivityKind::Task,
        subject: "Send the quote".into(),
        due_at: Some(Utc::now() - Duration::days(1)),
        ..Default::default()
    })
    .await
    .expect("overdue task");

    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &liam_me.user.email).await;

        // My day: the overdue task, ticked done, leaves the list.
        driver.goto(app.url("/")).await.expect("home");
        wait_for_text(driver, &["Overdue", "Send the quote", "Ada Lead"], "my day").await;
        click(driver, "[data-testid=my-day-overdue] [data-testid=activity-done]").await;
        wait_for_text(driver, &["Nothing overdue."], "the emptied overdue list").await;
        let overdue = wait_for(driver, "[data-testid=my-day-overdue]").await.text().await.unwrap_or_default();
        assert!(!overdue.contains("Send the quote"), "the done task is gone from my day: {overdue}");
        assert_quiet_console(driver, "ticking a task done on my day").await;

        // The lead page: a call without an outcome is refused beside the field; with one, it is logged.
        driver.goto(app.url(&format!("/m/leads/{}", lead.id))).await.expect("the lead");
        wait_for_text(driver, &["Ada Lead", "Activities", "Log a call"], "the lead page").await;
        fill(driver, "#activity-minutes", "3").await;
        click(driver, "[data-testid=activity-save]").await;
        wait_for_text(driver, &["Say how the call went."], "the outcome's error").await;
        let select = wait_for(driver, "#activity-outcome").await;
        SelectElement::new(&select).await.expect("select").select_by_visible_text("No answer").await.expect("choose");
        click(driver, "[data-testid=activity-save]").await;
        wait_for_text(driver, &["Call logged — No answer, 3 min"], "the logged call").await;

        click(driver, "[data-testid=activity-kind-note]").await;
        fill(driver, "#activity-body", "Wants a demo next week").await;
        click(driver, "[data-testid=activity-save]").await;
        wait_for_text(driver, &["Wants a demo next week"], "the note").await;
        // Both on the list and on the timeline ("Activity logged" entries with the same words).
        eventually("the timeline shows both", || async {
            let text = visible_text(driver).await;
            text.matches("Call logged — No answer, 3 min").count() >= 2
                && text.matches("Wants a demo next week").count() >= 2
        })
        .await;
        let rows =
            driver.find_all(By::Css("[data-testid=activities-card] [data-testid=activity-row]")).await.expect("rows");
        assert_eq!(rows.len(), 3, "the call, the note and the done task");
        assert_quiet_console(driver, "logging a call and a note").await;
    })
    .await;
}

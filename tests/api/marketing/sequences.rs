//! Autoresponder sequences: a new web lead gets its emails on schedule, each step once, and the
//! sequence stops on reply, unsubscribe or disqualification.

use chrono::Duration;
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl, TextExpressionMethods};
use kith_client::Client;
use kith_db::schema::outbox_emails;
use kith_domain::leads::rules::Behaviour;
use kith_domain::leads::*;
use kith_domain::marketing::sequences::*;
use kith_tests::TestApp;

pub(crate) fn welcome() -> SequenceInput {
    SequenceInput {
        name: "Welcome".into(),
        steps: vec![
            SequenceStep {
                day_offset: 0,
                subject: "Hi {{first_name}}".into(),
                body: "Thanks for asking about {{company}}.".into(),
            },
            SequenceStep {
                day_offset: 2,
                subject: "Any questions, {{first_name}}?".into(),
                body: "Just checking in.".into(),
            },
            SequenceStep { day_offset: 5, subject: "Last note".into(), body: "Bye for now.".into() },
        ],
        enroll_sources: vec![LeadSource::Api],
        enroll_form_ids: vec![],
        active: true,
    }
}

/// Emails queued to an address: (subject, body, queued at), oldest first.
fn mails_to(app: &TestApp, to: &str) -> Vec<(String, String, chrono::NaiveDateTime)> {
    let mut conn = app.pool.get().expect("conn");
    outbox_emails::table
        .filter(outbox_emails::to_address.eq(to))
        .filter(outbox_emails::unique_key.like("seq:%"))
        .order(outbox_emails::created_at.asc())
        .select((outbox_emails::subject, outbox_emails::body_text, outbox_emails::created_at))
        .load(&mut *conn)
        .expect("outbox")
}

fn subjects(app: &TestApp, to: &str) -> Vec<String> {
    mails_to(app, to).into_iter().map(|m| m.0).collect()
}

/// Let the days pass: every step of a 0/2/5-day sequence is due.
fn days_pass(app: &TestApp) {
    app.advance(Duration::days(6));
}

fn run_worker(app: &TestApp) -> usize {
    app.run_worker()
}

async fn integrator(app: &TestApp) -> (Client, Client) {
    let (admin, me) = app.signup("Acme").await;
    let key = admin
        .create_api_key(&kith_domain::identity::NewApiKey {
            name: "site".into(),
            role_id: me.role.id,
            expires_at: None,
        })
        .await
        .expect("key");
    (admin, Client::with_api_key(&app.address, &key.secret))
}

#[tokio::test]
async fn a_new_lead_gets_each_step_on_schedule_exactly_once() {
    let app = TestApp::spawn().await;
    let (admin, api) = integrator(&app).await;
    admin.create_sequence(&welcome()).await.expect("sequence");
    let lead = api
        .create_lead(&NewLead {
            first_name: "Ann".into(),
            email: Some("ann@example.test".into()),
            company_name: "Acme Bikes".into(),
            ..Default::default()
        })
        .await
        .expect("lead");
    run_worker(&app);
    let mails = mails_to(&app, "ann@example.test");
    assert_eq!(mails.len(), 1, "only the day-0 step is due");
    assert_eq!(mails[0].0, "Hi Ann");
    assert!(mails[0].1.starts_with("Thanks for asking about Acme Bikes."));
    assert!(mails[0].1.contains("/api/v1/public/unsubscribe?token="));
    run_worker(&app);
    assert_eq!(mails_to(&app, "ann@example.test").len(), 1, "nothing twice");

    // Day 2, a minute early: nothing; a minute late: the second step.
    app.advance(Duration::days(2) - Duration::minutes(1));
    run_worker(&app);
    assert_eq!(subjects(&app, "ann@example.test"), ["Hi Ann"]);
    app.advance(Duration::minutes(2));
    run_worker(&app);
    assert_eq!(subjects(&app, "ann@example.test"), ["Hi Ann", "Any questions, Ann?"]);

    // Day 5: two workers at once still send the last step once.
    app.advance(Duration::days(3) - Duration::minutes(2));
    run_worker(&app);
    assert_eq!(mails_to(&app, "ann@example.test").len(), 2, "day 5 has not come");
    app.advance(Duration::minutes(2));
    let a = {
        let state = app.state.clone();
        std::thread::spawn(move || kith_api::worker::run_due_jobs(&state, "a").expect("a"))
    };
    let b = {
        let state = app.state.clone();
        std::thread::spawn(move || kith_api::worker::run_due_jobs(&state, "b").expect("b"))
    };
    a.join().expect("a");
    b.join().expect("b");
    let mails = mails_to(&app, "ann@example.test");
    assert_eq!(mails.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(), ["Hi Ann", "Any questions, Ann?", "Last note"]);
    // Each was queued on its day (the clock the server read, not the test's wall time).
    let day = |i: usize| (mails[i].2 - mails[0].2).num_hours() / 24;
    assert_eq!((day(1), day(2)), (2, 5));
    let enrollments = admin.lead_enrollments(lead.id).await.expect("enrollments");
    assert_eq!((enrollments[0].status, enrollments[0].steps_sent), (EnrollmentStatus::Completed, 3));
    let sent = admin
        .lead_events(lead.id)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.kind == LeadEventKind::EmailSent)
        .count();
    assert_eq!(sent, 3);
}

#[tokio::test]
async fn a_reply_stops_the_sequence() {
    let app = TestApp::spawn().await;
    let (admin, api) = integrator(&app).await;
    admin.create_sequence(&welcome()).await.expect("sequence");
    let lead = api
        .create_lead(&NewLead { first_name: "Bo".into(), email: Some("bo@example.test".into()), ..Default::default() })
        .await
        .expect("lead");
    run_worker(&app);
    admin
        .add_lead_activity(
            lead.id,
            &NewLeadActivity { behaviour: Behaviour::EmailReplied, occurred_at: None, note: Some("Re: Hi Bo".into()) },
        )
        .await
        .expect("reply");
    days_pass(&app);
    run_worker(&app);
    assert_eq!(mails_to(&app, "bo@example.test").len(), 1);
    let e = admin.lead_enrollments(lead.id).await.expect("enrollments").remove(0);
    assert_eq!((e.status, e.stop_reason.as_deref()), (EnrollmentStatus::Stopped, Some("replied")));
}

#[tokio::test]
async fn the_unsubscribe_link_stops_every_sequence_for_that_address() {
    let app = TestApp::spawn().await;
    let (admin, api) = integrator(&app).await;
    admin.create_sequence(&welcome()).await.expect("sequence");
    let lead = api
        .create_lead(&NewLead { first_name: "Cy".into(), email: Some("cy@example.test".into()), ..Default::default() })
        .await
        .expect("lead");
    run_worker(&app);
    let body = mails_to(&app, "cy@example.test").remove(0).1;
    let link = body.lines().find(|l| l.contains("/api/v1/public/unsubscribe?token=")).expect("link");
    let path = &link[link.find("/api/").expect("path")..];
    let confirm = app.http().get(app.url(path)).send().await.expect("get");
    assert_eq!(confirm.status().as_u16(), 200);
    assert!(confirm.text().await.expect("html").contains("cy@example.test"));
    assert_eq!(mails_to(&app, "cy@example.test").len(), 1, "opening the page unsubscribes nobody");
    let done = app.http().post(app.url(path)).send().await.expect("post");
    assert_eq!(done.status().as_u16(), 200);
    days_pass(&app);
    run_worker(&app);
    assert_eq!(mails_to(&app, "cy@example.test").len(), 1);
    let e = admin.lead_enrollments(lead.id).await.expect("enrollments").remove(0);
    assert_eq!(e.stop_reason.as_deref(), Some("unsubscribed"));
    let forged =
        app.http().post(app.url("/api/v1/public/unsubscribe?token=eyJ4Ijoi.bogus")).send().await.expect("post");
    assert_eq!(forged.status().as_u16(), 404);
}

#[tokio::test]
async fn a_disqualified_lead_gets_no_more_email_and_manual_enrollment_happens_once() {
    let app = TestApp::spawn().await;
    let (admin, _) = integrator(&app).await;
    let seq = admin.create_sequence(&SequenceInput { enroll_sources: vec![], ..welcome() }).await.expect("sequence");
    let lead = admin
        .create_lead(&NewLead { first_name: "Di".into(), email: Some("di@example.test".into()), ..Default::default() })
        .await
        .expect("lead");
    run_worker(&app);
    assert!(mails_to(&app, "di@example.test").is_empty(), "manual leads are not enrolled automatically");
    let first = admin.enroll_lead(lead.id, seq.id).await.expect("enroll");
    let again = admin.enroll_lead(lead.id, seq.id).await.expect("enroll again");
    assert_eq!(first.id, again.id);
    run_worker(&app);
    assert_eq!(mails_to(&app, "di@example.test").len(), 1);
    admin
        .update_lead(
            lead.id,
            lead.version,
            &LeadPatch {
                status: Some(LeadStatus::Disqualified),
                disqualify_reason: Some("Student".into()),
                ..Default::default()
            },
        )
        .await
        .expect("disqualify");
    days_pass(&app);
    run_worker(&app);
    assert_eq!(mails_to(&app, "di@example.test").len(), 1);
    let bad = SequenceInput {
        steps: vec![SequenceStep { day_offset: 0, subject: "{{password}}".into(), body: "x".into() }],
        ..welcome()
    };
    assert!(admin
        .create_sequence(&bad)
        .await
        .expect_err("merge field")
        .problem()
        .and_then(|p| p.field_message("steps[0]"))
        .is_some());
}

#[tokio::test]
async fn no_address_gets_more_than_three_sequence_emails_a_day() {
    let app = TestApp::spawn().await;
    let (admin, api) = integrator(&app).await;
    for i in 0..4 {
        admin.create_sequence(&SequenceInput { name: format!("Seq {i}"), ..welcome() }).await.expect("sequence");
    }
    api.create_lead(&NewLead { first_name: "Ed".into(), email: Some("ed@example.test".into()), ..Default::default() })
        .await
        .expect("lead");
    run_worker(&app);
    run_worker(&app);
    assert_eq!(mails_to(&app, "ed@example.test").len(), 3, "the fourth waits for tomorrow");
    // It is tried again every 6 hours and stays held while the day's three are under 24 hours old.
    for _ in 0..3 {
        app.advance(Duration::hours(6) + Duration::minutes(1));
        run_worker(&app);
        assert_eq!(mails_to(&app, "ed@example.test").len(), 3, "still the same day");
    }
    // A day after the first three, the held one goes out.
    app.advance(Duration::hours(6));
    run_worker(&app);
    let mails = mails_to(&app, "ed@example.test");
    assert_eq!(mails.len(), 4, "released after 24 hours");
    assert!(mails[3].2 - mails[0].2 >= Duration::hours(24));
    assert_eq!(mails[3].0, "Hi Ed");
}

#[tokio::test]
async fn a_deleted_sequence_comes_back_from_the_recycle_bin() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let seq = admin.create_sequence(&welcome()).await.expect("sequence");
    admin.delete_sequence(seq.id).await.expect("delete");
    assert!(admin.sequences().await.expect("list").is_empty());
    let bin = admin.recycle_bin(&Default::default()).await.expect("bin");
    assert_eq!(
        (bin.items.len(), bin.items[0].entity.as_str(), bin.items[0].label.as_str()),
        (1, "sequence", "Welcome")
    );
    let back = admin.restore_sequence(seq.id).await.expect("restore");
    assert_eq!((back.id, back.name.as_str(), back.steps.len()), (seq.id, "Welcome", 3));
    assert!(admin.recycle_bin(&Default::default()).await.expect("bin").items.is_empty());
    assert_eq!(admin.sequences().await.expect("list").len(), 1);
    let again = admin.restore_sequence(seq.id).await.expect_err("nothing to restore");
    assert_eq!((again.status(), again.problem().map(|p| p.code)), (Some(404), Some(kith_domain::ErrorCode::NotFound)));
    // Another organization cannot restore it.
    let (other, _) = app.signup("Other").await;
    admin.delete_sequence(seq.id).await.expect("delete again");
    assert_eq!(other.restore_sequence(seq.id).await.expect_err("foreign").status(), Some(404));
    assert_eq!(admin.recycle_bin(&Default::default()).await.expect("bin").items.len(), 1, "still in our bin");
}

#[tokio::test]
async fn a_lead_nobody_owns_yet_reads_the_fallback_not_a_gap_and_a_broken_field_is_refused() {
    let app = TestApp::spawn().await;
    let (admin, api) = integrator(&app).await;
    let mut sequence = welcome();
    sequence.steps[0].body =
        "{{ owner_name | default: \"Our team\" }} will get back to you about {{company | default: 'your team'}}."
            .into();
    admin.create_sequence(&sequence).await.expect("sequence");
    api.create_lead(&NewLead {
        first_name: "Ann".into(),
        email: Some("ann@example.test".into()),
        ..Default::default()
    })
    .await
    .expect("an unassigned lead without a company");
    run_worker(&app);
    let mails = mails_to(&app, "ann@example.test");
    assert!(mails[0].1.starts_with("Our team will get back to you about your team."), "{}", mails[0].1);

    // A fallback written without quotes, or an unknown field, is refused naming the step.
    for body in ["{{owner_name | default: our team}}", "{{owner}}", "Hi {{first_name"] {
        let mut bad = welcome();
        bad.steps[1].body = body.into();
        let err = admin.create_sequence(&bad).await.expect_err("refused");
        assert_eq!(err.status(), Some(422), "{body}");
        assert!(err.problem().and_then(|p| p.field_message("steps[1]")).is_some(), "{body}");
    }
}

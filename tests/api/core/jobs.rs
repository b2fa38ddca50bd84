//! The job queue and the email outbox keep their promises: every job runs, none twice at once, a
//! crashed worker's job is taken over, failures back off, each email is sent once.

use std::collections::HashSet;

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use kith_db::core::jobs::{self, NewJob};
use kith_db::core::outbox::OutgoingEmail;
use kith_domain::identity::NewInvite;
use kith_tests::TestApp;

fn job(key: &str) -> NewJob {
    NewJob { unique_key: Some(key.into()), ..NewJob::now("test", serde_json::json!({"key": key})) }
}

#[tokio::test]
async fn a_job_with_a_unique_key_exists_once() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().expect("conn");
    assert!(jobs::enqueue(&mut conn, &job("once")).expect("first"));
    assert!(!jobs::enqueue(&mut conn, &job("once")).expect("second"));
    let leased = jobs::lease(&mut conn, "w1", 10, chrono::Duration::minutes(1)).expect("lease");
    assert_eq!(leased.len(), 1);
}

#[tokio::test]
async fn two_workers_share_the_queue_without_running_a_job_twice() {
    let app = TestApp::spawn().await;
    {
        let mut conn = app.pool.get().expect("conn");
        for i in 0..60 {
            jobs::enqueue(&mut conn, &job(&format!("j{i}"))).expect("enqueue");
        }
    }
    let mut workers = Vec::new();
    for w in ["alpha", "beta"] {
        let pool = app.pool.clone();
        workers.push(std::thread::spawn(move || {
            let mut conn = pool.get().expect("conn");
            let mut ran = Vec::new();
            loop {
                let batch = jobs::lease(&mut conn, w, 4, chrono::Duration::minutes(1)).expect("lease");
                if batch.is_empty() {
                    break;
                }
                for j in batch {
                    assert!(jobs::complete(&mut conn, &j, w).expect("complete"));
                    ran.push(j.id);
                }
            }
            ran
        }));
    }
    let results: Vec<Vec<_>> = workers.into_iter().map(|h| h.join().expect("worker")).collect();
    let all: Vec<_> = results.iter().flatten().copied().collect();
    let unique: HashSet<_> = all.iter().copied().collect();
    assert_eq!(all.len(), 60, "every job ran exactly once");
    assert_eq!(unique.len(), 60);
}

#[tokio::test]
async fn a_crashed_workers_job_is_taken_over_when_its_lease_runs_out() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().expect("conn");
    jobs::enqueue(&mut conn, &job("crash")).expect("enqueue");
    let held = jobs::lease(&mut conn, "dead", 1, chrono::Duration::minutes(5)).expect("lease").remove(0);
    assert!(
        jobs::lease(&mut conn, "alive", 1, chrono::Duration::minutes(5)).expect("lease").is_empty(),
        "still leased"
    );
    // The dead worker's lease runs out.
    app.advance(chrono::Duration::minutes(5) - chrono::Duration::seconds(2));
    assert!(jobs::lease(&mut conn, "alive", 1, chrono::Duration::minutes(5)).expect("lease").is_empty(), "not yet");
    app.advance(chrono::Duration::seconds(3));
    let taken = jobs::lease(&mut conn, "alive", 1, chrono::Duration::minutes(5)).expect("lease");
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].attempts, 2);
    assert!(!jobs::complete(&mut conn, &held, "dead").expect("late"), "the dead worker lost its lease");
    assert!(jobs::complete(&mut conn, &taken[0], "alive").expect("complete"));
    assert_eq!(jobs::status(&mut conn, "crash").expect("status").map(|s| s.0), Some("done".into()));
}

#[tokio::test]
async fn a_failing_job_backs_off_and_gives_up_after_its_last_attempt() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().expect("conn");
    jobs::enqueue(&mut conn, &NewJob { max_attempts: 2, ..job("flaky") }).expect("enqueue");
    let first = jobs::lease(&mut conn, "w", 1, chrono::Duration::minutes(1)).expect("lease").remove(0);
    jobs::fail(&mut conn, &first, "w", "boom").expect("fail");
    assert!(jobs::lease(&mut conn, "w", 1, chrono::Duration::minutes(1)).expect("lease").is_empty(), "backing off");
    assert_eq!(jobs::status(&mut conn, "flaky").expect("status"), Some(("queued".into(), 1, Some("boom".into()))));
    app.advance(jobs::backoff(1) - chrono::Duration::seconds(1));
    assert!(jobs::lease(&mut conn, "w", 1, chrono::Duration::minutes(1)).expect("lease").is_empty(), "a second early");
    app.advance(chrono::Duration::seconds(2));
    let second = jobs::lease(&mut conn, "w", 1, chrono::Duration::minutes(1)).expect("lease").remove(0);
    jobs::fail(&mut conn, &second, "w", "boom again").expect("fail");
    assert_eq!(jobs::status(&mut conn, "flaky").expect("status").map(|s| (s.0, s.1)), Some(("failed".into(), 2)));
    assert_eq!(jobs::backoff(1), chrono::Duration::seconds(10));
    assert_eq!(jobs::backoff(30), chrono::Duration::seconds(3600));
}

#[tokio::test]
async fn maintenance_runs_once_an_hour_however_many_workers_ask() {
    let app = TestApp::spawn().await;
    // Half past an hour, so the test never straddles an hour boundary.
    let now = app.clock().now();
    app.set_clock(now.date_naive().and_hms_opt(10, 30, 0).expect("10:30").and_utc() + chrono::Duration::days(1));
    let first = kith_api::worker::run_due_jobs(&app.state, "a").expect("run");
    let second = kith_api::worker::run_due_jobs(&app.state, "b").expect("run");
    assert_eq!((first, second), (1, 0));
    app.advance(chrono::Duration::minutes(20));
    assert_eq!(app.run_worker(), 0, "10:50: still the same hour");
    app.advance(chrono::Duration::minutes(20));
    assert_eq!(app.run_worker(), 1, "11:10: the next hour's maintenance");
    assert_eq!(app.run_worker(), 0);
}

#[tokio::test]
async fn each_queued_email_is_sent_once_into_the_development_folder() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    admin
        .create_invite(&NewInvite { email: "new@example.test".into(), role_id: me.role.id, team_id: None })
        .await
        .expect("invite");
    let folder = std::env::temp_dir().join(format!("kith-mail-{}", uuid::Uuid::now_v7()));
    let mailer = std::sync::Arc::new(
        kith_api::mailer::Mailer::from_config(&format!("file:{}", folder.display()), "Acme CRM <crm@acme.test>")
            .expect("mailer"),
    );
    let senders: Vec<_> = (0..2)
        .map(|_| {
            let (m, pool) = (mailer.clone(), app.pool.clone());
            std::thread::spawn(move || m.drain_once(&pool).expect("drain"))
        })
        .collect();
    let sent: usize = senders.into_iter().map(|h| h.join().expect("sender").0).sum();
    assert_eq!(sent, 1);
    assert_eq!(mailer.drain_once(&app.pool).expect("again"), (0, 0));
    let files: Vec<_> = std::fs::read_dir(&folder).expect("folder").flatten().collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(files[0].path()).expect("eml");
    assert!(eml.contains("To: new@example.test"), "{eml}");
    assert!(eml.contains("/accept-invite?token="));
    let mut conn = app.pool.get().expect("conn");
    let unsent: i64 = kith_db::schema::outbox_emails::table
        .filter(kith_db::schema::outbox_emails::sent_at.is_null())
        .count()
        .get_result(&mut *conn)
        .expect("count");
    assert_eq!(unsent, 0);
    let _ = std::fs::remove_dir_all(folder);
}

#[tokio::test]
async fn a_subject_with_line_breaks_cannot_add_headers() {
    let mailer = kith_api::mailer::Mailer::from_config("off", "Kith <kith@localhost>").expect("mailer");
    let hostile = OutgoingEmail {
        id: "x1".into(),
        org_id: "o1".into(),
        to: "victim@example.test".into(),
        subject: "Hello\r\nBcc: everyone@example.test\r\nX-Evil: 1".into(),
        body_text: "hi".into(),
        body_html: None,
        list_unsubscribe: Some("https://kith.test/u?t=1\r\nBcc: x@y.z".into()),
        attempts: 0,
        sender: Some(kith_domain::core::notifications::MailSettings {
            from_name: "Evil\r\nBcc: x@y.z".into(),
            from_address: None,
            reply_to: None,
            track_engagement: true,
        }),
        server: None,
    };
    let raw = String::from_utf8(mailer.build(&hostile).expect("message").formatted()).expect("utf8");
    for line in raw.lines() {
        assert!(!line.starts_with("Bcc:") && !line.starts_with("X-Evil:"), "injected header: {line}");
    }
    let bad_recipient = OutgoingEmail { to: "victim@example.test\r\nBcc: x@y.z".into(), ..hostile };
    assert!(mailer.build(&bad_recipient).is_err());
}

#[tokio::test]
async fn email_goes_out_under_the_organizations_name_with_its_reply_to() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    assert_eq!(admin.mail_settings().await.expect("defaults").from_name, "Acme");
    admin
        .put_mail_settings(&kith_domain::core::notifications::MailSettings {
            from_name: "Acme Sales".into(),
            from_address: None,
            reply_to: Some("sales@acme.test".into()),
            track_engagement: true,
        })
        .await
        .expect("settings");
    let bad = admin
        .put_mail_settings(&kith_domain::core::notifications::MailSettings {
            from_name: "x".into(),
            from_address: Some("nope".into()),
            reply_to: None,
            track_engagement: true,
        })
        .await
        .expect_err("invalid address");
    assert!(bad.problem().and_then(|p| p.field_message("from_address")).is_some());
    admin
        .create_invite(&NewInvite { email: "new@example.test".into(), role_id: me.role.id, team_id: None })
        .await
        .expect("invite");
    let folder = std::env::temp_dir().join(format!("kith-mail-{}", uuid::Uuid::now_v7()));
    let mailer = kith_api::mailer::Mailer::from_config(&format!("file:{}", folder.display()), "Kith <kith@localhost>")
        .expect("mailer");
    assert_eq!(mailer.drain_once(&app.pool).expect("drain").0, 1);
    let file = std::fs::read_dir(&folder).expect("folder").flatten().next().expect("one message");
    let eml = std::fs::read_to_string(file.path()).expect("eml");
    assert!(
        eml.contains("From: \"Acme Sales\" <kith@localhost>") || eml.contains("From: Acme Sales <kith@localhost>"),
        "{eml}"
    );
    assert!(eml.contains("Reply-To: sales@acme.test"), "{eml}");
    let _ = std::fs::remove_dir_all(folder);
}

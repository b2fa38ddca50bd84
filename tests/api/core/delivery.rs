//! Email delivery when things go wrong: a password is never sent unencrypted to a public server, and a
//! server that cannot be reached gets the message again later, after a growing pause, until it takes it
//! (or ten tries have failed). Time moves on the server's clock, never by sleeping.

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use kith_api::mailer::Mailer;
use kith_db::schema::outbox_emails;
use kith_domain::core::notifications::{MailServerInput, SmtpSecurity};
use kith_domain::identity::NewInvite;
use kith_domain::ErrorCode;
use kith_tests::fake_smtp::FakeSmtp;
use kith_tests::TestApp;

/// The state of the one message to `to`: (attempts, last error, seconds until its next attempt, sent).
fn message(app: &TestApp, to: &str) -> (i32, Option<String>, Option<i64>, bool) {
    let mut conn = app.pool.get().expect("conn");
    let (attempts, error, next, sent): (
        i32,
        Option<String>,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
    ) = outbox_emails::table
        .filter(outbox_emails::to_address.eq(to))
        .select((
            outbox_emails::attempts,
            outbox_emails::last_error,
            outbox_emails::next_attempt_at,
            outbox_emails::sent_at,
        ))
        .first(&mut *conn)
        .expect("the message");
    let now = app.clock().now().naive_utc();
    (attempts, error, next.map(|n| (n - now).num_milliseconds()), sent.is_some())
}

/// A mailer like the worker's (the installation's transport is a folder, so it is not off) that sends
/// through organizations' own servers.
fn mailer(app: &TestApp, allow_private: bool) -> (Mailer, std::path::PathBuf) {
    let folder = std::env::temp_dir().join(format!("kith-mail-{}", uuid::Uuid::now_v7()));
    let m = Mailer::from_config(&format!("file:{}", folder.display()), "Kith <kith@localhost>")
        .expect("mailer")
        .with_org_servers(app.state.sealer.clone(), allow_private);
    (m, folder)
}

async fn invite(admin: &kith_client::Client, to: &str) {
    let me = admin.me().await.expect("me");
    admin.create_invite(&NewInvite { email: to.into(), role_id: me.role.id, team_id: None }).await.expect("invite");
}

/// A local port nothing listens on.
fn dead_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

#[tokio::test]
async fn a_password_is_never_sent_unencrypted_to_a_public_server() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    // A public address (an IP literal: nothing is resolved), no encryption, a login.
    admin
        .put_mail_server(&MailServerInput {
            host: "8.8.8.8".into(),
            port: 25,
            security: SmtpSecurity::Plain,
            username: Some("crm@acme.test".into()),
            password: Some("s3cret-smtp-pass".into()),
        })
        .await
        .expect("saved");
    let refused = admin.send_test_email("boss@acme.test").await.expect_err("refused before connecting");
    let problem = refused.problem().expect("problem");
    assert_eq!((problem.status, problem.code), (502, ErrorCode::UpstreamFailed));
    assert_eq!(
        problem.detail.as_deref(),
        Some("8.8.8.8: refusing to send a password without encryption; choose STARTTLS or TLS")
    );

    // The outbox: the message is not sent, and the reason is kept for the next try.
    invite(&admin, "new@example.test").await;
    let (m, folder) = mailer(&app, false);
    assert_eq!(m.drain_once(&app.pool).expect("drain"), (0, 1));
    let (attempts, error, _, sent) = message(&app, "new@example.test");
    assert_eq!((attempts, sent), (1, false));
    assert!(
        error.as_deref().is_some_and(|e| e.contains("refusing to send a password without encryption")),
        "{error:?}"
    );
    assert!(!folder.exists() || std::fs::read_dir(&folder).expect("folder").next().is_none(), "nothing went elsewhere");
    let _ = std::fs::remove_dir_all(folder);
}

#[tokio::test]
async fn an_unreachable_server_gets_the_message_again_after_a_growing_pause() {
    let app = TestApp::spawn_with(|c| c.smtp_allow_private = true).await;
    let (admin, _) = app.signup("Acme").await;
    let smtp = FakeSmtp::start();
    let server = |port: u16| MailServerInput {
        host: "127.0.0.1".into(),
        port: i32::from(port),
        security: SmtpSecurity::Plain,
        username: None,
        password: None,
    };
    admin.put_mail_server(&server(dead_port())).await.expect("saved");
    invite(&admin, "new@example.test").await;
    let (m, folder) = mailer(&app, true);

    // First try fails; the next one is due 10 s later (jobs::backoff), not before.
    assert_eq!(m.drain_once(&app.pool).expect("drain"), (0, 1));
    let (attempts, error, next, sent) = message(&app, "new@example.test");
    assert_eq!((attempts, sent), (1, false));
    assert!(error.as_deref().is_some_and(|e| e.starts_with("127.0.0.1:")), "{error:?}");
    let next = next.expect("a next attempt");
    assert!((8_000..=10_000).contains(&next), "due in 10 s: {next} ms");
    assert_eq!(m.drain_once(&app.pool).expect("drain"), (0, 0), "not retried at once");
    app.advance(chrono::Duration::seconds(7));
    assert_eq!(m.drain_once(&app.pool).expect("drain"), (0, 0), "not retried within the pause");

    // The second try fails too; the pause doubles.
    app.advance(chrono::Duration::seconds(4));
    assert_eq!(m.drain_once(&app.pool).expect("drain"), (0, 1));
    let (attempts, _, next, _) = message(&app, "new@example.test");
    assert_eq!(attempts, 2);
    assert!((18_000..=20_000).contains(&next.expect("next")), "due in 20 s: {next:?} ms");

    // The server is back (here: the organization points Kith at one that answers). Not before the pause…
    admin.put_mail_server(&server(smtp.addr.port())).await.expect("saved");
    app.advance(chrono::Duration::seconds(15));
    assert_eq!(m.drain_once(&app.pool).expect("drain"), (0, 0));
    assert_eq!(smtp.connections(), 0);
    // …and then exactly once.
    app.advance(chrono::Duration::seconds(6));
    assert_eq!(m.drain_once(&app.pool).expect("drain"), (1, 0));
    let (attempts, _, _, sent) = message(&app, "new@example.test");
    assert_eq!((attempts, sent), (2, true));
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["new@example.test".to_owned()]);
    app.advance(chrono::Duration::hours(1));
    assert_eq!(m.drain_once(&app.pool).expect("drain"), (0, 0));
    assert_eq!(smtp.received().len(), 1, "sent once");
    let _ = std::fs::remove_dir_all(folder);
}

#[tokio::test]
async fn a_message_that_never_goes_through_is_given_up_after_ten_tries_with_the_pause_capped_at_an_hour() {
    let app = TestApp::spawn_with(|c| c.smtp_allow_private = true).await;
    let (admin, _) = app.signup("Acme").await;
    admin
        .put_mail_server(&MailServerInput {
            host: "127.0.0.1".into(),
            port: i32::from(dead_port()),
            security: SmtpSecurity::Plain,
            username: None,
            password: None,
        })
        .await
        .expect("saved");
    invite(&admin, "new@example.test").await;
    let (m, folder) = mailer(&app, true);
    // The pause after each failed try, in seconds: doubling from 10 s, at most an hour.
    let pauses = [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600];
    for (i, pause) in pauses.iter().enumerate() {
        assert_eq!(m.drain_once(&app.pool).expect("drain"), (0, 1), "try {}", i + 1);
        let (attempts, _, next, _) = message(&app, "new@example.test");
        assert_eq!(attempts, i as i32 + 1);
        let next = next.expect("next");
        assert!((pause * 1000 - 2_000..=pause * 1000).contains(&next), "after try {}: {next} ms, not {pause} s", i + 1);
        app.advance(chrono::Duration::seconds(*pause + 1));
    }
    // Ten tries: given up, whatever the time.
    app.advance(chrono::Duration::days(1));
    assert_eq!(m.drain_once(&app.pool).expect("drain"), (0, 0));
    let (attempts, error, _, sent) = message(&app, "new@example.test");
    assert_eq!((attempts, sent), (10, false));
    assert!(error.is_some());
    let _ = std::fs::remove_dir_all(folder);
}

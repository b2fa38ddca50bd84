//! Email as an organization runs it: its own SMTP server (password sealed, never shown), a test message
//! that says what the server answered, Kith refusing to connect into its own network, and opens and
//! clicks of sequence emails scoring the lead.

use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, RunQueryDsl};
use kith_client::{Client, ClientError};
use kith_db::schema::{email_engagements, mail_servers, outbox_emails};
use kith_domain::core::notifications::{MailServerInput, MailSettings, SmtpSecurity};
use kith_domain::core::page::PageQuery;
use kith_domain::leads::rules::{Behaviour, ScoreTrigger, ScoringRuleInput};
use kith_domain::leads::*;
use kith_domain::marketing::sequences::{SequenceInput, SequenceStep};
use kith_tests::fake_smtp::FakeSmtp;
use kith_tests::TestApp;

fn server(smtp: &FakeSmtp, password: Option<&str>) -> MailServerInput {
    MailServerInput {
        host: "127.0.0.1".into(),
        port: i32::from(smtp.addr.port()),
        security: SmtpSecurity::Plain,
        username: Some("crm@acme.test".into()),
        password: password.map(Into::into),
    }
}

fn status(e: &ClientError) -> u16 {
    e.problem().map(|p| p.status).unwrap_or(0)
}

async fn raw_get(client: &Client, path: &str) -> String {
    client.request(reqwest::Method::GET, path).send().await.expect("get").text().await.expect("body")
}

#[tokio::test]
async fn an_organization_sends_its_email_through_its_own_smtp_server() {
    let app = TestApp::spawn_with(|c| c.smtp_allow_private = true).await;
    let smtp = FakeSmtp::start();
    let (admin, me) = app.signup("Acme").await;
    // None configured is an answer, not an error (the settings page asks on every visit).
    assert_eq!(admin.mail_server().await.expect("none yet"), None);
    let none = admin.request(reqwest::Method::GET, "/api/v1/mail-settings/server").send().await.expect("get");
    assert_eq!(none.status(), 200);
    assert_eq!(none.json::<serde_json::Value>().await.expect("json"), serde_json::json!({ "server": null }));

    let saved = admin.put_mail_server(&server(&smtp, Some("s3cret-smtp-pass"))).await.expect("save");
    assert!(saved.password_set);
    assert_eq!((saved.host.as_str(), saved.security), ("127.0.0.1", SmtpSecurity::Plain));
    // The password is in no response, no audit entry and not in clear in the database.
    let shown = raw_get(&admin, "/api/v1/mail-settings/server").await;
    let audit = raw_get(&admin, "/api/v1/audit?entity=mail_server").await;
    assert!(shown.contains("\"password_set\":true") && !shown.contains("s3cret"), "{shown}");
    assert!(audit.contains("mail_server") && !audit.contains("s3cret"), "{audit}");
    let sealed: Option<String> = {
        let mut conn = app.pool.get().expect("conn");
        mail_servers::table.select(mail_servers::password_sealed).first(&mut *conn).expect("row")
    };
    assert!(sealed.is_some_and(|s| !s.contains("s3cret")));

    // The test message goes through the organization's server with its login.
    let result = admin.send_test_email("boss@acme.test").await.expect("test email");
    assert_eq!((result.via.as_str(), result.host.as_deref()), ("organization", Some("127.0.0.1")));
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].login.as_deref(), Some("crm@acme.test:s3cret-smtp-pass"));
    assert_eq!(got[0].to, vec!["boss@acme.test".to_owned()]);
    assert!(got[0].data.contains("Subject: Kith test email"));

    // Saving without a password keeps the stored one, for the same server only: pointing it elsewhere
    // needs the password again (or an editor of settings could send it to their own server).
    admin.put_mail_server(&server(&smtp, None)).await.expect("save again");
    admin.send_test_email("boss@acme.test").await.expect("test email again");
    assert_eq!(smtp.received()[1].login.as_deref(), Some("crm@acme.test:s3cret-smtp-pass"));
    let elsewhere = admin
        .put_mail_server(&MailServerInput { host: "smtp.attacker.test".into(), ..server(&smtp, None) })
        .await
        .expect_err("new host, no password");
    assert!(elsewhere.problem().and_then(|p| p.field_message("password")).is_some(), "{elsewhere:?}");
    assert_eq!(admin.mail_server().await.expect("unchanged").map(|s| s.host).as_deref(), Some("127.0.0.1"));

    // The outbox: Acme's invitation leaves through Acme's server, Globex's through the installation's.
    let (globex, globex_me) = app.signup("Globex").await;
    for (client, role) in [(&admin, me.role.id), (&globex, globex_me.role.id)] {
        client
            .create_invite(&kith_domain::identity::NewInvite {
                email: "new@example.test".into(),
                role_id: role,
                team_id: None,
            })
            .await
            .expect("invite");
    }
    let folder = std::env::temp_dir().join(format!("kith-mail-{}", uuid::Uuid::now_v7()));
    let mailer = kith_api::mailer::Mailer::from_config(&format!("file:{}", folder.display()), "Kith <kith@localhost>")
        .expect("mailer")
        .with_org_servers(app.state.sealer.clone(), true);
    assert_eq!(mailer.drain_once(&app.pool).expect("drain"), (2, 0));
    let through_acme = smtp.received();
    assert_eq!(through_acme.len(), 3);
    assert!(through_acme[2].data.contains("Acme"), "{}", through_acme[2].data);
    let files: Vec<_> = std::fs::read_dir(&folder).expect("folder").flatten().collect();
    assert_eq!(files.len(), 1);
    assert!(std::fs::read_to_string(files[0].path()).expect("eml").contains("Globex"));
    let _ = std::fs::remove_dir_all(folder);

    // Back to the installation's server.
    admin.delete_mail_server().await.expect("delete");
    assert_eq!(admin.mail_server().await.expect("gone"), None);
}

#[tokio::test]
async fn an_organization_cannot_make_kith_connect_into_its_own_network() {
    let app = TestApp::spawn().await;
    let smtp = FakeSmtp::start();
    let (admin, _) = app.signup("Acme").await;
    admin.put_mail_server(&server(&smtp, Some("pw"))).await.expect("save");
    let refused = admin.send_test_email("boss@acme.test").await.expect_err("private address");
    let problem = refused.problem().expect("problem");
    assert_eq!(problem.status, 502);
    assert!(problem.detail.as_deref().unwrap_or("").contains("not a public address"), "{problem:?}");
    admin
        .put_mail_server(&MailServerInput { host: "localhost".into(), ..server(&smtp, Some("pw")) })
        .await
        .expect("save localhost");
    assert_eq!(status(&admin.send_test_email("boss@acme.test").await.expect_err("loopback by name")), 502);
    assert_eq!(smtp.connections(), 0, "Kith never connected");

    let bad = admin
        .put_mail_server(&MailServerInput { host: "smtp.acme.test:25\r\nRCPT".into(), port: 0, ..server(&smtp, None) })
        .await
        .expect_err("bad host and port");
    let problem = bad.problem().expect("problem");
    assert!(problem.field_message("host").is_some() && problem.field_message("port").is_some(), "{problem:?}");
    let (rep, _) = app.add_user(&admin, "sales", "Rep").await;
    assert_eq!(status(&rep.put_mail_server(&server(&smtp, None)).await.expect_err("not an admin")), 403);
    assert_eq!(status(&rep.send_test_email("x@acme.test").await.expect_err("not an admin")), 403);
}

/// The HTML of the newest message to `to`, with entities of attribute values undone.
fn html_to(app: &TestApp, to: &str) -> Option<String> {
    let mut conn = app.pool.get().expect("conn");
    outbox_emails::table
        .filter(outbox_emails::to_address.eq(to))
        .order(outbox_emails::id.desc())
        .select(outbox_emails::body_html)
        .first::<Option<String>>(&mut *conn)
        .optional()
        .expect("outbox")
        .flatten()
        .map(|h| h.replace("&amp;", "&"))
}

/// The path of the first attribute value after `marker` that contains `needle`.
fn link_path(html: &str, marker: &str, needle: &str) -> String {
    let url = html
        .split(marker)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or(""))
        .find(|u| u.contains(needle))
        .unwrap_or_else(|| panic!("no {needle} in {html}"));
    url[url.find("/api/").expect("path")..].to_owned()
}

#[tokio::test]
async fn opens_and_clicks_of_a_sequence_email_score_the_lead_once_each() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    for (name, behaviour, points) in [("Opened", Behaviour::EmailOpened, 5), ("Clicked", Behaviour::EmailClicked, 10)] {
        admin
            .create_scoring_rule(&ScoringRuleInput {
                name: name.into(),
                trigger: ScoreTrigger::Behaviour { behaviour, max_times: None },
                points,
                decay_days: None,
                active: true,
            })
            .await
            .expect("rule");
    }
    admin
        .create_sequence(&SequenceInput {
            name: "Welcome".into(),
            steps: vec![SequenceStep {
                day_offset: 0,
                subject: "Hi {{first_name}}".into(),
                body: "Dear {{first_name}} {{last_name}},\nour prices: https://acme.test/prices?plan=pro&seats=5.\nSee you!"
                    .into(),
            }],
            enroll_sources: vec![LeadSource::Manual],
            enroll_form_ids: vec![],
            active: true,
        })
        .await
        .expect("sequence");
    let lead = admin
        .create_lead(&NewLead {
            first_name: "Ann".into(),
            last_name: "https://evil.test/login".into(),
            email: Some("ann@example.test".into()),
            ..Default::default()
        })
        .await
        .expect("lead");
    kith_api::worker::run_due_jobs(&app.state, "w").expect("worker");

    // The message: text as written, an HTML twin with tracked links, and one-click unsubscribe headers.
    // Only links the template wrote are links: an address in the lead's own data stays text.
    let html = html_to(&app, "ann@example.test").expect("tracked html");
    assert!(html.contains("https://evil.test/login") && !html.contains("href=\"https://evil"), "{html}");
    assert!(!html.contains("evil.test%2Flogin"), "never behind a signed redirect: {html}");
    let pixel = link_path(&html, "<img src=\"", "/open.gif");
    let click = link_path(&html, "<a href=\"", "/click?");
    assert!(html.contains("/api/v1/public/unsubscribe?token="), "unsubscribe stays a direct link");
    let folder = std::env::temp_dir().join(format!("kith-mail-{}", uuid::Uuid::now_v7()));
    let mailer = kith_api::mailer::Mailer::from_config(&format!("file:{}", folder.display()), "Kith <kith@localhost>")
        .expect("mailer");
    assert_eq!(mailer.drain_once(&app.pool).expect("drain").0, 1);
    let eml = std::fs::read_dir(&folder)
        .expect("folder")
        .flatten()
        .map(|f| std::fs::read_to_string(f.path()).expect("eml"))
        .find(|m| m.contains("ann@example.test"))
        .expect("sent");
    assert!(eml.contains("multipart/alternative") && eml.contains("text/html"), "{eml}");
    assert!(eml.contains("List-Unsubscribe: <http://127.0.0.1:"), "{eml}");
    assert!(eml.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{eml}");
    let _ = std::fs::remove_dir_all(folder);

    // A HEAD (a link checker, a proxy) answers like GET but is no open.
    let unopened = admin.get_lead(lead.id).await.expect("lead").score.total;
    let r = app.http().head(app.url(&pixel)).send().await.expect("head");
    assert_eq!((r.status().as_u16(), r.headers()["content-type"].to_str().ok()), (200, Some("image/gif")));
    assert_eq!(admin.get_lead(lead.id).await.expect("lead").score.total, unopened, "HEAD records no open");

    // Opened again and again: a reload within a minute changes nothing; a later open is counted; the
    // lead is scored once.
    for _ in 0..3 {
        let r = app.http().get(app.url(&pixel)).send().await.expect("pixel");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "image/gif");
    }
    age_engagements(&app);
    app.http().get(app.url(&pixel)).send().await.expect("pixel later");
    assert_eq!(admin.get_lead(lead.id).await.expect("lead").score.total, 5);

    // The click is recorded and lands on the link's target; a tampered target or signature goes nowhere.
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("http");
    let r = no_redirects.get(app.url(&click)).send().await.expect("click");
    assert_eq!(r.status().as_u16(), 302);
    assert_eq!(r.headers()["location"], "https://acme.test/prices?plan=pro&seats=5");
    let elsewhere = click.replace("acme.test", "evil.test");
    assert_eq!(no_redirects.get(app.url(&elsewhere)).send().await.expect("tampered").status().as_u16(), 404);
    let forged = format!("{}x", pixel);
    assert_eq!(app.http().get(app.url(&forged)).send().await.expect("forged").status().as_u16(), 404);

    let detail = admin.get_lead(lead.id).await.expect("lead");
    assert_eq!(detail.score.total, 15);
    let kinds: Vec<LeadEventKind> =
        admin.lead_events(lead.id).await.expect("events").into_iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&LeadEventKind::EmailOpened) && kinds.contains(&LeadEventKind::EmailClicked));
    let emails = admin.lead_emails(lead.id, &PageQuery::default()).await.expect("emails");
    assert_eq!(emails.items.len(), 1, "the owner's notification about the lead is not one of its emails");
    let e = &emails.items[0];
    assert_eq!((e.subject.as_str(), e.delivery, e.opens, e.clicks), ("Hi Ann", EmailDelivery::Sent, 2, 1));

    // Where consent requires it, tracking is off: no HTML twin, nothing to follow.
    admin
        .put_mail_settings(&MailSettings {
            from_name: "Acme".into(),
            from_address: None,
            reply_to: None,
            track_engagement: false,
        })
        .await
        .expect("tracking off");
    admin
        .create_lead(&NewLead { first_name: "Bo".into(), email: Some("bo@example.test".into()), ..Default::default() })
        .await
        .expect("lead");
    kith_api::worker::run_due_jobs(&app.state, "w").expect("worker");
    assert_eq!(html_to(&app, "bo@example.test"), None);
    age_engagements(&app);
    app.http().get(app.url(&pixel)).send().await.expect("pixel after opt-out");
    let e = admin.lead_emails(lead.id, &PageQuery::default()).await.expect("emails").items.remove(0);
    assert_eq!(e.opens, 2, "links sent before record nothing once tracking is off");

    // Erasing the lead erases its emails and what was recorded of them.
    admin.delete_lead(lead.id).await.expect("delete");
    {
        let mut conn = app.pool.get().expect("conn");
        app.advance(chrono::Duration::days(31));
        assert_eq!(kith_db::core::recycle::purge_expired(&mut conn).expect("purge"), 1);
        let left: i64 = outbox_emails::table
            .filter(outbox_emails::to_address.eq("ann@example.test"))
            .count()
            .get_result(&mut *conn)
            .expect("count");
        let engagements: i64 = email_engagements::table.count().get_result(&mut *conn).expect("count");
        assert_eq!((left, engagements), (0, 0));
    }
}

/// Minutes pass since the last open or click.
fn age_engagements(app: &TestApp) {
    app.advance(chrono::Duration::minutes(5));
}

#[tokio::test]
async fn an_organization_that_never_opened_its_email_settings_still_sends_under_its_own_name() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Northwind Outfitters").await;
    // The settings page shows the organization's name as the sender before anything is saved ...
    assert_eq!(admin.mail_settings().await.expect("settings").from_name, "Northwind Outfitters");
    // ... and that is the name on the emails (an invitation, an autoresponder), not the installation's.
    admin
        .create_invite(&kith_domain::identity::NewInvite {
            email: "new@example.test".into(),
            role_id: me.role.id,
            team_id: None,
        })
        .await
        .expect("invite");
    let folder = std::env::temp_dir().join(format!("kith-mail-{}", uuid::Uuid::now_v7()));
    let mailer = kith_api::mailer::Mailer::from_config(&format!("file:{}", folder.display()), "Kith <kith@localhost>")
        .expect("mailer");
    assert_eq!(mailer.drain_once(&app.pool).expect("drain"), (1, 0));
    let files: Vec<_> = std::fs::read_dir(&folder).expect("folder").flatten().collect();
    let eml = std::fs::read_to_string(files[0].path()).expect("eml");
    assert!(
        eml.contains("From: \"Northwind Outfitters\" <kith@localhost>")
            || eml.contains("From: Northwind Outfitters <kith@localhost>"),
        "{eml}"
    );
    let _ = std::fs::remove_dir_all(folder);
}

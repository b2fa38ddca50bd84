//! Email inquiries as a sales team gets them: the mail provider posts every message sent to the
//! inquiry address to Kith; a person's message becomes a lead (or a note on the lead it duplicates),
//! auto-replies and list mail are dropped, and only the organization's secret gets anything in.

use kith_client::Client;
use kith_domain::leads::inbound::*;
use kith_domain::leads::rules::*;
use kith_domain::leads::*;
use kith_domain::OrgId;
use kith_tests::TestApp;

/// A raw message as a mail provider delivers it.
fn email(from: &str, subject: &str, message_id: &str, body: &str) -> Vec<u8> {
    format!(
        "Return-Path: <bounce@mx.test>\r\nFrom: {from}\r\nTo: sales@acme.test\r\nSubject: {subject}\r\n\
         Message-ID: <{message_id}>\r\nDate: Mon, 23 Nov 2026 09:30:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

async fn deliver_as(
    app: &TestApp,
    org: OrgId,
    secret: Option<&str>,
    content_type: &str,
    raw: Vec<u8>,
) -> (u16, serde_json::Value) {
    let mut req = app.http().post(app.url(&ingest_path(org))).header("Content-Type", content_type).body(raw);
    if let Some(s) = secret {
        req = req.bearer_auth(s);
    }
    let r = req.send().await.expect("send");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status} {text}: {e}")))
}

async fn deliver(app: &TestApp, org: OrgId, secret: &str, raw: Vec<u8>) -> (u16, serde_json::Value) {
    deliver_as(app, org, Some(secret), "message/rfc822", raw).await
}

/// Sign up an organization and give it an inbound secret.
async fn org_with_inbox(app: &TestApp, name: &str) -> (Client, OrgId, String) {
    let (admin, me) = app.signup(name).await;
    let secret = admin.rotate_inbound_email_secret().await.expect("rotate").secret;
    (admin, me.organization.id, secret)
}

async fn lead_count(client: &Client) -> usize {
    client.list_leads(&LeadListQuery::default()).await.expect("list").items.len()
}

#[tokio::test]
async fn an_inquiry_becomes_a_lead_for_the_rep_the_rules_choose_and_a_follow_up_attaches_to_it() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let org = me.organization.id;
    let (rita, rita_me) = app.add_user(&admin, "sales", "Rita Rep").await;
    admin
        .create_assignment_rule(&AssignmentRuleInput {
            name: "Email inquiries to Rita".into(),
            conditions: vec![Condition {
                field: "source".into(),
                op: Operator::In,
                values: vec!["email".into()],
                min: None,
                max: None,
            }],
            target: AssignTarget::User { user_id: rita_me.user.id },
            capacity: None,
            active: true,
            position: None,
        })
        .await
        .expect("rule");

    // The admin sets up the channel: the address to give the mail provider, and a secret shown once.
    let before = admin.inbound_email_settings().await.expect("settings");
    assert_eq!((before.ingest_path.clone(), before.secret_set), (format!("/api/v1/inbound/email/{org}"), false));
    let secret = admin.rotate_inbound_email_secret().await.expect("rotate");
    assert!(secret.secret.starts_with("kith_inbound_") && secret.secret.len() > 40);
    let after = admin.inbound_email_settings().await.expect("settings");
    assert!(after.secret_set);
    assert!(!serde_json::to_string(&after).expect("json").contains(&secret.secret), "the secret is never shown again");

    let (status, body) = deliver(
        &app,
        org,
        &secret.secret,
        email(
            "\"Ann Example\" <Ann@Example-Corp.test>",
            "Pricing for 20 seats",
            "first@mail.example-corp.test",
            "Hello,\r\nwhat would 20 seats cost per year?\r\n\r\nAnn",
        ),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let outcome: InboundOutcome = serde_json::from_value(body).expect("outcome");
    let InboundOutcome::Created { lead_id } = outcome else { panic!("not created: {outcome:?}") };

    // Rita finds it in her list, from the email channel, with the message on the timeline.
    let lead = rita.get_lead(lead_id).await.expect("rita sees her new lead").lead;
    assert_eq!(lead.source, LeadSource::Email);
    assert_eq!(lead.owner_id, Some(rita_me.user.id), "the assignment rule chose the owner");
    assert_eq!((lead.first_name.as_str(), lead.last_name.as_str()), ("Ann", "Example"));
    assert_eq!(lead.email.as_deref(), Some("ann@example-corp.test"));
    let events = rita.lead_events(lead_id).await.expect("events");
    let received: Vec<&LeadEvent> = events.iter().filter(|e| e.kind == LeadEventKind::EmailReceived).collect();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].note.as_deref(),
        Some("Pricing for 20 seats\n\nHello,\nwhat would 20 seats cost per year?\n\nAnn")
    );
    let inbox = rita.notifications(&Default::default()).await.expect("inbox");
    assert!(inbox.items.iter().any(|n| n.kind == "lead_assigned"), "Rita was told: {inbox:?}");

    // Ann writes again from the same address: the message joins her lead.
    let (status, body) = deliver(
        &app,
        org,
        &secret.secret,
        email("Ann Example <ann@example-corp.test>", "Re: Pricing", "second@mail.example-corp.test", "Any news?"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_value::<InboundOutcome>(body).expect("outcome"), InboundOutcome::Attached { lead_id });
    let events = rita.lead_events(lead_id).await.expect("events");
    let notes: Vec<&str> =
        events.iter().filter(|e| e.kind == LeadEventKind::EmailReceived).filter_map(|e| e.note.as_deref()).collect();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[1], "captured again via email: Re: Pricing\n\nAny news?");
    assert_eq!(lead_count(&admin).await, 1);
}

#[tokio::test]
async fn auto_replies_and_mailing_list_messages_store_nothing() {
    let app = TestApp::spawn().await;
    let (admin, org, secret) = org_with_inbox(&app, "Acme").await;
    let machine_headers = [
        ("Auto-Submitted: auto-replied", "auto_submitted"),
        ("Auto-Submitted: auto-generated; owner-email=\"x@y.test\"", "auto_submitted"),
        ("Precedence: bulk", "precedence"),
        ("Precedence: junk", "precedence"),
        ("Precedence: list", "precedence"),
        ("X-Autoreply: yes", "autoreply"),
        ("X-Autorespond: Out of office", "autoreply"),
        ("List-Id: Acme customers <customers.lists.acme.test>", "mailing_list"),
        ("List-Unsubscribe: <https://news.example.test/unsubscribe?u=1>", "mailing_list"),
    ];
    for (i, (header, reason)) in machine_headers.iter().enumerate() {
        let raw = format!(
            "From: Out Of Office <ooo-{i}@vendor.test>\r\n{header}\r\nSubject: Automatic reply\r\n\
             Message-ID: <auto-{i}@vendor.test>\r\n\r\nI am away until Monday.\r\n"
        );
        let (status, body) = deliver(&app, org, &secret, raw.into_bytes()).await;
        assert_eq!(status, 202, "{header}: {body}");
        assert_eq!(body, serde_json::json!({"outcome": "ignored", "reason": reason}), "{header}");
    }
    assert_eq!(lead_count(&admin).await, 0, "nothing was stored");
    // A person's reply that says Auto-Submitted: no is a real message.
    let raw = "From: bob@vendor.test\r\nAuto-Submitted: no\r\nSubject: Question\r\nMessage-ID: <human@vendor.test>\r\n\r\nHi\r\n";
    let (status, _) = deliver(&app, org, &secret, raw.as_bytes().to_vec()).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn only_the_organizations_current_secret_gets_a_message_in() {
    let app = TestApp::spawn().await;
    let (admin, org, secret) = org_with_inbox(&app, "Acme").await;
    let (other, other_org, other_secret) = org_with_inbox(&app, "Other").await;
    let (_, no_inbox) = app.signup("Quiet").await;
    let raw = || email("Mallory <m@evil.test>", "Let me in", "m1@evil.test", "hi");

    for (who, org, secret) in [
        ("no credentials", org, None),
        ("a wrong secret", org, Some("kith_inbound_wrong")),
        ("another organization's secret", org, Some(other_secret.as_str())),
        ("our secret at another organization's address", other_org, Some(secret.as_str())),
        ("any secret where none is set", no_inbox.organization.id, Some(secret.as_str())),
    ] {
        let (status, body) = deliver_as(&app, org, secret, "message/rfc822", raw()).await;
        assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")), "{who}: {body}");
    }
    // Rotating the secret retires the old one at once.
    let new_secret = admin.rotate_inbound_email_secret().await.expect("rotate").secret;
    let (status, _) = deliver(&app, org, &secret, raw()).await;
    assert_eq!(status, 401, "the old secret");
    assert_eq!((lead_count(&admin).await, lead_count(&other).await), (0, 0), "nothing was stored anywhere");

    // The right secret, but not a raw message.
    let (status, body) = deliver_as(&app, org, Some(&new_secret), "application/json", b"{}".to_vec()).await;
    assert_eq!((status, body["code"].as_str()), (415, Some("unsupported_media_type")));
    let (status, body) = deliver(&app, org, &new_secret, b"Subject: no sender\r\n\r\nhi".to_vec()).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("from")), "{body}");
    // Messages larger than JSON bodies are fine (attachments), up to 10 MiB.
    let big = format!(
        "From: ann@big.test\r\nSubject: Our RFP\r\nMessage-ID: <big@big.test>\r\nContent-Type: text/plain\r\n\r\n{}\r\n",
        "RFP line of text\r\n".repeat(120_000)
    );
    assert!(big.len() > 2 * 1024 * 1024);
    let (status, body) = deliver_as(&app, org, Some(&new_secret), "application/octet-stream", big.into_bytes()).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = deliver(&app, org, &new_secret, vec![b'x'; 10 * 1024 * 1024 + 1]).await;
    assert_eq!((status, body["code"].as_str()), (413, Some("payload_too_large")));

    // Only administrators see or change the channel's settings.
    let (rep, _) = app.add_user(&admin, "sales", "Rita").await;
    assert_eq!(rep.inbound_email_settings().await.expect_err("not admin").status(), Some(403));
    assert_eq!(rep.rotate_inbound_email_secret().await.expect_err("not admin").status(), Some(403));
}

#[tokio::test]
async fn the_same_message_delivered_twice_is_captured_once() {
    let app = TestApp::spawn().await;
    let (admin, org, secret) = org_with_inbox(&app, "Acme").await;
    let raw = email("Ann <ann@acme-buyer.test>", "Demo?", "once@acme-buyer.test", "Can we see a demo?");
    let (first, body) = deliver(&app, org, &secret, raw.clone()).await;
    assert_eq!(first, 201, "{body}");
    let lead_id = body["lead_id"].as_str().expect("lead id").parse().expect("uuid");
    let (again, body) = deliver(&app, org, &secret, raw).await;
    assert_eq!((again, body), (200, serde_json::json!({"outcome": "duplicate"})));
    let events = admin.lead_events(lead_id).await.expect("events");
    assert_eq!(events.iter().filter(|e| e.kind == LeadEventKind::EmailReceived).count(), 1);

    // A provider retrying while the first delivery is still being handled: one wins, one is a duplicate.
    let raw = email("Ann <ann@acme-buyer.test>", "Also", "racing@acme-buyer.test", "And the price?");
    let (a, b) = tokio::join!(deliver(&app, org, &secret, raw.clone()), deliver(&app, org, &secret, raw));
    let mut outcomes =
        vec![a.1["outcome"].as_str().unwrap_or("?").to_owned(), b.1["outcome"].as_str().unwrap_or("?").to_owned()];
    outcomes.sort();
    assert_eq!(outcomes, vec!["attached".to_string(), "duplicate".to_string()], "{a:?} {b:?}");
    let events = admin.lead_events(lead_id).await.expect("events");
    assert_eq!(events.iter().filter(|e| e.kind == LeadEventKind::EmailReceived).count(), 2);

    // The same Message-ID in another organization is that organization's own first delivery.
    let (_, other_org, other_secret) = org_with_inbox(&app, "Other").await;
    let raw = email("Ann <ann@acme-buyer.test>", "Demo?", "once@acme-buyer.test", "Can we see a demo?");
    assert_eq!(deliver(&app, other_org, &other_secret, raw).await.0, 201);
}

#[tokio::test]
async fn hostile_names_subjects_and_html_mail_are_kept_as_plain_text() {
    let app = TestApp::spawn().await;
    let (admin, org, secret) = org_with_inbox(&app, "Acme").await;
    // The display name decodes to "<script>alert(1)</script>\r\nBcc: all@acme.test"; the subject
    // carries markup and an encoded line break; the body is HTML only.
    let raw = "From: =?utf-8?B?PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg0KQmNjOiBhbGxAYWNtZS50ZXN0?= <x@evil.test>\r\n\
               Subject: <img src=x onerror=alert(1)> =?utf-8?Q?=0D=0AX-Injected:_yes?=\r\n\
               Message-ID: <hostile@evil.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
               <html><head><style>body{color:red}</style><script>steal()</script></head>\
               <body><p>Hello <b>sales</b>,</p><p>we need <i>50</i> seats.</p>\
               <img src=x onerror=alert(2)><a href=\"javascript:alert(3)\">click</a></body></html>\r\n";
    let (status, body) = deliver(&app, org, &secret, raw.as_bytes().to_vec()).await;
    assert_eq!(status, 201, "{body}");
    let lead_id = body["lead_id"].as_str().expect("lead id").parse().expect("uuid");
    let lead = admin.get_lead(lead_id).await.expect("lead").lead;
    let name = format!("{} {}", lead.first_name, lead.last_name);
    assert_eq!(name, "<script>alert(1)</script> Bcc: all@acme.test", "kept as the literal text it is");
    assert!(!name.contains(['\r', '\n']));
    let events = admin.lead_events(lead_id).await.expect("events");
    let note =
        events.iter().find(|e| e.kind == LeadEventKind::EmailReceived).and_then(|e| e.note.clone()).expect("note");
    let (subject, text) = note.split_once("\n\n").expect("subject and text");
    assert_eq!(subject, "<img src=x onerror=alert(1)> X-Injected: yes");
    assert!(text.contains("Hello sales") && text.contains("we need 50 seats"), "{text:?}");
    for markup in ["<", "steal()", "color:red", "onerror", "javascript:"] {
        assert!(!text.contains(markup), "{markup} in {text:?}");
    }
}

//! What a person who is not signed in can do: get a new password by email (once, for 30 minutes,
//! ending every session; the same answer for any address), see what an invitation is for, and load
//! the app without the browser asking for a session it cannot have.

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use kith_db::schema::outbox_emails;
use kith_domain::identity::auth::AcceptInviteRequest;
use kith_domain::identity::{NewInvite, UserPatch, UserStatus};
use kith_tests::{TestApp, PASSWORD};
use serde_json::json;

const NEW_PASSWORD: &str = "a fresh and long passphrase";

/// The messages queued to `to`, oldest first: (subject, body).
fn emails_to(app: &TestApp, to: &str) -> Vec<(String, String)> {
    let mut conn = app.pool.get().expect("conn");
    outbox_emails::table
        .filter(outbox_emails::to_address.eq(to))
        .order(outbox_emails::id.asc())
        .select((outbox_emails::subject, outbox_emails::body_text))
        .load(&mut *conn)
        .expect("outbox")
}

/// The token of the reset link in the newest email to `to`.
fn reset_token(app: &TestApp, to: &str) -> String {
    let (_, body) = emails_to(app, to).pop().expect("a reset email");
    let link = body.lines().find(|l| l.contains("/reset-password?token=")).expect("a link in the email");
    assert!(link.starts_with(&app.address), "the link opens this server: {link}");
    link.split("token=").nth(1).expect("token").trim().to_owned()
}

/// The raw answer to a reset request: (status, Retry-After, body).
async fn ask_reset(app: &TestApp, email: &str) -> (u16, Option<String>, String) {
    let r = app.http().post(app.url("/api/v1/auth/password-reset")).json(&json!({ "email": email })).send().await;
    let r = r.expect("send");
    let retry = r.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (r.status().as_u16(), retry, r.text().await.expect("body"))
}

async fn status_of(app: &TestApp, token: &str) -> u16 {
    app.http().get(app.url("/api/v1/me")).bearer_auth(token).send().await.map(|r| r.status().as_u16()).unwrap_or(0)
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_email_and_every_session_ends() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme Outfitters").await;
    let laptop = app.client();
    laptop.login(&me.user.email, PASSWORD).await.expect("a second device");
    let laptop_refresh = laptop.refresh_token().expect("refresh token");

    // Any case of the address works, and the answer says nothing about the account.
    let (status, _, body) = ask_reset(&app, &me.user.email.to_uppercase()).await;
    assert_eq!((status, body.as_str()), (202, ""));
    let emails = emails_to(&app, &me.user.email);
    assert_eq!(emails.len(), 1);
    assert!(emails[0].0.contains("Reset your Kith password") && emails[0].0.contains("Acme Outfitters"), "{emails:?}");
    assert!(emails[0].1.contains("30 minutes"), "{}", emails[0].1);
    let token = reset_token(&app, &me.user.email);

    // The password rules of sign-up apply; a refused password leaves the link usable.
    let weak = app.client().confirm_password_reset(&token, "password123").await.expect_err("a common password");
    assert_eq!(weak.problem().and_then(|p| p.errors.first()).map(|e| e.field.as_str()), Some("password"));
    app.client().confirm_password_reset(&token, NEW_PASSWORD).await.expect("reset");

    // Every session ended: access tokens and refresh tokens of every device.
    for client in [&admin, &laptop] {
        assert_eq!(status_of(&app, &client.access_token().expect("token")).await, 401);
    }
    let refresh = app
        .http()
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({ "refresh_token": laptop_refresh }))
        .send()
        .await
        .expect("send");
    assert_eq!(refresh.status().as_u16(), 401, "the refresh token died with its session");
    assert_eq!(app.client().login(&me.user.email, PASSWORD).await.expect_err("old password").status(), Some(401));
    let fresh = app.client();
    fresh.login(&me.user.email, NEW_PASSWORD).await.expect("the new password works");

    // The link works once.
    let again = app.client().confirm_password_reset(&token, "yet another passphrase").await.expect_err("used");
    assert_eq!(again.status(), Some(422));
    assert!(again.problem().and_then(|p| p.field_message("token")).is_some_and(|m| m.contains("not valid")));
    fresh.me().await.expect("the new session was not touched by the refused second use");

    // The trail says the password changed by a reset link, and holds no token.
    let trail = serde_json::to_string(
        &fresh
            .audit(&kith_domain::core::audit::AuditQuery { limit: Some(200), ..Default::default() })
            .await
            .expect("audit"),
    )
    .expect("json");
    assert!(trail.contains("password_change") && trail.contains("reset_link"), "{trail}");
    assert!(!trail.contains(&token) && !trail.contains(NEW_PASSWORD));
}

#[tokio::test]
async fn a_reset_link_works_for_thirty_minutes_and_a_newer_reset_ends_older_links() {
    let app = TestApp::spawn().await;
    let (_, me) = app.signup("Acme").await;
    assert_eq!(ask_reset(&app, &me.user.email).await.0, 202);
    let first = reset_token(&app, &me.user.email);
    app.advance(
        chrono::Duration::minutes(kith_db::identity::password_resets::RESET_MINUTES) + chrono::Duration::seconds(1),
    );
    let expired = app.client().confirm_password_reset(&first, NEW_PASSWORD).await.expect_err("31 minutes later");
    assert_eq!(expired.status(), Some(422));
    assert!(expired.problem().and_then(|p| p.field_message("token")).is_some());
    app.client().login(&me.user.email, PASSWORD).await.expect("the password did not change");

    // Two links asked for; the one used ends the other.
    assert_eq!(ask_reset(&app, &me.user.email).await.0, 202);
    let second = reset_token(&app, &me.user.email);
    app.advance(chrono::Duration::minutes(29));
    assert_eq!(ask_reset(&app, &me.user.email).await.0, 202);
    let third = reset_token(&app, &me.user.email);
    app.client().confirm_password_reset(&second, NEW_PASSWORD).await.expect("29 minutes later: still valid");
    let other = app.client().confirm_password_reset(&third, "yet another passphrase").await.expect_err("ended");
    assert!(other.problem().and_then(|p| p.field_message("token")).is_some());
    app.client().login(&me.user.email, NEW_PASSWORD).await.expect("the first reset stands");
    let junk = app.client().confirm_password_reset("not-a-token", NEW_PASSWORD).await.expect_err("unknown token");
    assert!(junk.problem().and_then(|p| p.field_message("token")).is_some());
}

#[tokio::test]
async fn asking_for_a_reset_says_nothing_about_which_addresses_have_accounts() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let (_, rep) = app.add_user(&admin, "sales", "Dora Disabled").await;
    let user = admin.get_user(rep.user.id).await.expect("user");
    admin
        .update_user(user.id, user.version, &UserPatch { status: Some(UserStatus::Disabled), ..Default::default() })
        .await
        .expect("disable");

    let known = ask_reset(&app, &me.user.email).await;
    let unknown = ask_reset(&app, "nobody@nowhere.test").await;
    let disabled = ask_reset(&app, &rep.user.email).await;
    assert_eq!(known, unknown, "the same answer for an address without an account");
    assert_eq!(known, disabled, "and for a disabled account");
    assert_eq!(emails_to(&app, "nobody@nowhere.test").len(), 0);
    assert_eq!(emails_to(&app, &rep.user.email).iter().filter(|(s, _)| s.contains("Reset")).count(), 0);

    // The limit counts requests, for any address alike: the fourth within the window waits, known
    // address or not, and says how long.
    for email in [me.user.email.as_str(), "nobody@nowhere.test"] {
        for _ in 1..kith_db::identity::password_resets::PER_EMAIL {
            assert_eq!(ask_reset(&app, email).await.0, 202, "{email}");
        }
        let (status, retry, _) = ask_reset(&app, email).await;
        assert_eq!(status, 429, "{email}");
        assert!(retry.and_then(|r| r.parse::<u64>().ok()).is_some_and(|s| s > 0 && s <= 900), "{email}");
    }
    assert_eq!(emails_to(&app, &me.user.email).len(), 3, "no email for the refused request");
    app.advance(chrono::Duration::minutes(16));
    assert_eq!(ask_reset(&app, &me.user.email).await.0, 202, "the window passed");

    // A malformed address is a plain validation error, as anywhere else.
    assert_eq!(ask_reset(&app, "not an address").await.0, 422);
}

#[tokio::test]
async fn asking_for_resets_for_many_addresses_from_one_client_is_slowed_down() {
    let app = TestApp::spawn_with(|c| c.login_max_failures = 4).await;
    for i in 0..4 {
        assert_eq!(ask_reset(&app, &format!("guess{i}@example.test")).await.0, 202);
    }
    let (status, retry, _) = ask_reset(&app, "guess-more@example.test").await;
    assert_eq!(status, 429);
    assert!(retry.is_some());
}

#[tokio::test]
async fn the_holder_of_an_invitation_link_sees_the_organization_and_address_and_nothing_else() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Northwind Outfitters").await;
    let invite = |email: &str| NewInvite { email: email.into(), role_id: me.role.id, team_id: None };
    let created = admin.create_invite(&invite("Rita@Example.test")).await.expect("invite");
    let visitor = app.client();
    let preview = visitor.invite_preview(&created.token).await.expect("preview");
    assert_eq!(
        (preview.organization_name.as_str(), preview.email.as_str()),
        ("Northwind Outfitters", "rita@example.test")
    );
    assert_eq!(preview.expires_at, created.invite.expires_at);

    // Unknown, revoked, accepted and expired invitations are all the same 404.
    let revoked = admin.create_invite(&invite("revoked@example.test")).await.expect("invite");
    admin.revoke_invite(revoked.invite.id).await.expect("revoke");
    let accepted = admin.create_invite(&invite("accepted@example.test")).await.expect("invite");
    app.client()
        .accept_invite(&AcceptInviteRequest {
            token: accepted.token.clone(),
            name: "Accepted".into(),
            password: PASSWORD.into(),
        })
        .await
        .expect("accept");
    let expiring = admin.create_invite(&invite("late@example.test")).await.expect("invite");
    app.advance(chrono::Duration::days(kith_db::identity::invites::INVITE_DAYS) + chrono::Duration::minutes(1));
    for (what, token) in [
        ("unknown", "no-such-token"),
        ("revoked", &revoked.token),
        ("accepted", &accepted.token),
        ("expired", &expiring.token),
    ] {
        let r = app
            .http()
            .post(app.url("/api/v1/auth/invite-preview"))
            .json(&json!({ "token": token }))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), 404, "{what}");
        let body = r.text().await.expect("body");
        assert!(!body.contains("Northwind") && !body.contains("@example.test"), "{what}: {body}");
    }
}

/// The cookies a response sets, by name: (value, attributes as written).
fn cookies(response: &reqwest::Response) -> Vec<(String, String, String)> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|c| {
            let (pair, attributes) = c.split_once(';').unwrap_or((c, ""));
            let (name, value) = pair.split_once('=')?;
            Some((name.trim().to_owned(), value.trim().to_owned(), attributes.to_lowercase()))
        })
        .collect()
}

#[tokio::test]
async fn the_browser_is_told_when_it_may_have_a_session_to_restore() {
    let app = TestApp::spawn().await;
    let (_, me) = app.signup("Acme").await;
    let login = app
        .http()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": me.user.email, "password": PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status().as_u16(), 200);
    let set = cookies(&login);
    let refresh = set.iter().find(|(n, _, _)| n == "kith_refresh").expect("the refresh cookie");
    assert!(refresh.2.contains("httponly") && refresh.2.contains("path=/api/v1/auth"), "{refresh:?}");
    let hint = set.iter().find(|(n, _, _)| n == "kith_signed_in").expect("the hint cookie");
    assert_eq!(hint.1, "1");
    assert!(
        !hint.2.contains("httponly") && hint.2.contains("path=/") && hint.2.contains("samesite=strict"),
        "{hint:?}"
    );
    assert!(!hint.1.contains(&refresh.1), "the hint holds no secret");

    // A refresh that cannot work removes both, so the browser stops asking.
    let refused = app.http().post(app.url("/api/v1/auth/refresh")).json(&json!({})).send().await.expect("refresh");
    assert_eq!(refused.status().as_u16(), 401);
    let cleared = cookies(&refused);
    for name in ["kith_refresh", "kith_signed_in"] {
        let c = cleared.iter().find(|(n, _, _)| n == name).unwrap_or_else(|| panic!("{name} removed"));
        assert!(c.1.is_empty() && c.2.contains("max-age=0"), "{c:?}");
    }
    // Logging out removes them too.
    let client = app.client();
    client.login(&me.user.email, PASSWORD).await.expect("login");
    let out = client
        .request(reqwest::Method::POST, "/api/v1/auth/logout")
        .json(&json!({ "refresh_token": client.refresh_token() }))
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status().as_u16(), 204);
    assert!(cookies(&out).iter().any(|(n, v, a)| n == "kith_signed_in" && v.is_empty() && a.contains("max-age=0")));
}

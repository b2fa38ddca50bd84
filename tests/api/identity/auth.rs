//! Authentication: sessions, token rotation, the JWT negative suite, throttling and API keys.

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use kith_client::Client;
use kith_domain::identity::{NewApiKey, UserPatch, UserStatus};
use kith_domain::ErrorCode;
use kith_tests::{TestApp, PASSWORD};
use serde_json::json;

async fn status_with_token(app: &TestApp, token: &str) -> u16 {
    app.http().get(app.url("/api/v1/me")).bearer_auth(token).send().await.map(|r| r.status().as_u16()).unwrap_or(0)
}

#[tokio::test]
async fn a_new_organization_signs_up_and_its_admin_can_log_in_again() {
    let app = TestApp::spawn().await;
    let (_, me) = app.signup("Acme").await;
    assert_eq!(me.organization.name, "Acme");
    assert_eq!(me.role.key.as_deref(), Some("admin"));

    let again = app.client();
    again.login(&me.user.email.to_uppercase(), PASSWORD).await.expect("login with any email case");
    assert_eq!(again.me().await.expect("me").user.id, me.user.id);
}

#[tokio::test]
async fn unknown_accounts_and_wrong_passwords_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let (_, me) = app.signup("Acme").await;
    let wrong = app.client().login(&me.user.email, "not the password").await.expect_err("wrong password");
    let unknown = app.client().login("nobody@nowhere.test", "not the password").await.expect_err("unknown");
    let (wrong, unknown) = (wrong.problem().cloned().expect("problem"), unknown.problem().cloned().expect("problem"));
    assert_eq!(wrong.status, 401);
    assert_eq!((wrong.code, wrong.title, wrong.detail), (unknown.code, unknown.title, unknown.detail));
}

#[tokio::test]
async fn weak_passwords_and_taken_emails_are_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let (_, me) = app.signup("Acme").await;
    let err = app
        .client()
        .signup(&kith_domain::identity::auth::SignupRequest {
            organization_name: "Other".into(),
            name: "Someone".into(),
            email: me.user.email.clone(),
            password: "password123".into(),
        })
        .await
        .expect_err("weak password");
    let problem = err.problem().expect("problem");
    assert_eq!(problem.status, 422);
    assert_eq!(problem.errors.iter().find(|e| e.field == "password").map(|e| e.code.as_str()), Some("too_common"));

    let err = app
        .client()
        .signup(&kith_domain::identity::auth::SignupRequest {
            organization_name: "Other".into(),
            name: "Someone".into(),
            email: me.user.email.clone(),
            password: PASSWORD.into(),
        })
        .await
        .expect_err("taken email");
    assert!(err.problem().and_then(|p| p.field_message("email")).is_some());
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replayed_one_ends_the_session() {
    let app = TestApp::spawn().await;
    let (client, _) = app.signup("Acme").await;
    let first = client.refresh_token().expect("refresh token");
    let rotated = client.refresh().await.expect("refresh");
    assert_ne!(rotated.refresh_token, first);
    assert_eq!(status_with_token(&app, &rotated.access_token).await, 200);

    // A thief replays the first token: refused, and the whole session ends for everyone.
    let thief = app
        .http()
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": first}))
        .send()
        .await
        .expect("send");
    assert_eq!(thief.status().as_u16(), 401);
    assert_eq!(status_with_token(&app, &rotated.access_token).await, 401);
    let owner = app
        .http()
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": rotated.refresh_token}))
        .send()
        .await
        .expect("send");
    assert_eq!(owner.status().as_u16(), 401);
}

#[tokio::test]
async fn logout_ends_the_access_token_at_once() {
    let app = TestApp::spawn().await;
    let (client, _) = app.signup("Acme").await;
    let token = client.access_token().expect("token");
    let refresh = client.refresh_token().expect("refresh");
    client.logout().await.expect("logout");
    assert_eq!(status_with_token(&app, &token).await, 401);
    let r = app
        .http()
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn changing_the_password_ends_every_session() {
    let app = TestApp::spawn().await;
    let (client, me) = app.signup("Acme").await;
    let other_device = app.client();
    other_device.login(&me.user.email, PASSWORD).await.expect("login");
    let other_token = other_device.access_token().expect("token");

    let wrong = client.change_password("not it", "a brand new passphrase").await.expect_err("wrong current");
    assert!(wrong.problem().and_then(|p| p.field_message("current_password")).is_some());
    client.change_password(PASSWORD, "a brand new passphrase").await.expect("change");
    assert_eq!(status_with_token(&app, &other_token).await, 401);
    let old = app.client().login(&me.user.email, PASSWORD).await.expect_err("the old password");
    assert_eq!((old.status(), old.problem().map(|p| p.code)), (Some(401), Some(ErrorCode::Unauthorized)));
    app.client().login(&me.user.email, "a brand new passphrase").await.expect("new password works");
}

#[tokio::test]
async fn a_disabled_user_is_locked_out_immediately() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (rep, rep_me) = app.add_user(&admin, "sales", "Rita Rep").await;
    let token = rep.access_token().expect("token");
    assert_eq!(status_with_token(&app, &token).await, 200);
    admin
        .update_user(
            rep_me.user.id,
            rep_me.user.version,
            &UserPatch { status: Some(UserStatus::Disabled), ..Default::default() },
        )
        .await
        .expect("disable");
    assert_eq!(status_with_token(&app, &token).await, 401);
    let refresh = rep.refresh().await.expect_err("refresh of a disabled user");
    assert_eq!(refresh.status(), Some(401));
    let login = app.client().login(&rep_me.user.email, PASSWORD).await.expect_err("login of a disabled user");
    assert_eq!((login.status(), login.problem().map(|p| p.code)), (Some(401), Some(ErrorCode::Unauthorized)));
}

/// B1: every malformed, forged or stale token is refused.
#[tokio::test]
async fn forged_expired_and_misdirected_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let (client, me) = app.signup("Acme").await;
    let secret = {
        let mut conn = app.pool.get().expect("conn");
        kith_db::core::instance::jwt_secret(&mut conn).expect("secret")
    };
    let now = chrono::Utc::now().timestamp();
    let good_access = client.access_token().expect("token");
    // The session id of the live session, read from the real token.
    let payload: serde_json::Value = {
        use base64::Engine;
        let part = good_access.split('.').nth(1).expect("payload");
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).expect("b64"))
            .expect("json")
    };
    let claims = |overrides: serde_json::Value| {
        let mut c = json!({
            "sub": me.user.id.to_string(), "org": me.organization.id.to_string(), "sid": payload["sid"],
            "typ": "access", "iss": "kith", "aud": "kith-api", "iat": now, "nbf": now, "exp": now + 600, "jti": "x"
        });
        for (k, v) in overrides.as_object().expect("object") {
            if v.is_null() {
                c.as_object_mut().expect("object").remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    let sign = |c: &serde_json::Value, key: &str| {
        encode(&Header::new(Algorithm::HS256), c, &EncodingKey::from_secret(key.as_bytes())).expect("encode")
    };

    // The control: a token we forge with the right key and claims is accepted, so the refusals
    // below are about the one thing each case changes.
    assert_eq!(status_with_token(&app, &sign(&claims(json!({})), &secret)).await, 200);

    let unsigned = {
        use base64::Engine;
        let e = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.", e(&json!({"alg": "none", "typ": "JWT"})), e(&claims(json!({}))))
    };
    let edited = {
        let mut parts: Vec<String> = good_access.split('.').map(str::to_owned).collect();
        use base64::Engine;
        let mut p = payload.clone();
        p["sub"] = json!(uuid::Uuid::now_v7().to_string());
        parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(p.to_string());
        parts.join(".")
    };
    let cases = vec![
        ("alg none", unsigned),
        ("wrong key", sign(&claims(json!({})), "another secret that is long enough to be real")),
        ("edited payload", edited),
        ("expired", sign(&claims(json!({"exp": now - 120, "iat": now - 1000, "nbf": now - 1000})), &secret)),
        ("nbf in the future", sign(&claims(json!({"nbf": now + 600})), &secret)),
        ("missing exp", sign(&claims(json!({"exp": null})), &secret)),
        ("wrong audience", sign(&claims(json!({"aud": "someone-else"})), &secret)),
        ("wrong issuer", sign(&claims(json!({"iss": "evil"})), &secret)),
        ("not an access token", sign(&claims(json!({"typ": "refresh"})), &secret)),
        ("refresh token as access token", client.refresh_token().expect("refresh")),
        ("garbage", "not.a.token".into()),
    ];
    for (case, token) in cases {
        assert_eq!(status_with_token(&app, &token).await, 401, "{case}");
    }
}

#[tokio::test]
async fn repeated_failed_logins_are_throttled_and_the_right_password_works_after_the_cool_down() {
    let app = TestApp::spawn_with(|c| {
        c.login_max_failures = 3;
        c.login_window_seconds = 2;
    })
    .await;
    let (_, me) = app.signup("Acme").await;
    for _ in 0..3 {
        let e = app.client().login(&me.user.email, "wrong password").await.expect_err("wrong");
        assert_eq!(e.status(), Some(401));
    }
    let limited = app
        .http()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": me.user.email, "password": PASSWORD}))
        .send()
        .await
        .expect("send");
    assert_eq!(limited.status().as_u16(), 429);
    let retry_after: u64 = limited.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert_eq!(retry_after, 1, "past the free failures the first delay is a second");
    // Shortly before the second has passed it still waits; after it, the right password works.
    app.advance(chrono::Duration::milliseconds(700));
    assert_eq!(login_status(&app, &me.user.email, PASSWORD).await.0, 429);
    app.advance(chrono::Duration::milliseconds(400));
    app.client().login(&me.user.email, PASSWORD).await.expect("works again after the window");
}

#[tokio::test]
async fn an_api_key_works_until_it_is_revoked_and_is_shown_only_once() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let created = admin
        .create_api_key(&NewApiKey { name: "Zapier".into(), role_id: me.role.id, expires_at: None })
        .await
        .expect("create key");
    assert!(created.secret.starts_with("kith_"));
    assert!(created.secret.starts_with(&created.api_key.prefix));

    let integrator = Client::with_api_key(&app.address, &created.secret);
    integrator.list_users(&Default::default()).await.expect("key works");
    let listed = admin.list_api_keys(&Default::default()).await.expect("list");
    let raw = serde_json::to_string(&listed).expect("json");
    assert!(!raw.contains(&created.secret[12..]), "the secret must never be listed");

    admin.revoke_api_key(created.api_key.id).await.expect("revoke");
    let err = integrator.list_users(&Default::default()).await.expect_err("revoked");
    assert_eq!(err.problem().map(|p| p.code), Some(ErrorCode::Unauthorized));
}

#[tokio::test]
async fn an_api_key_never_does_more_than_its_role() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let roles = admin.list_roles(&Default::default()).await.expect("roles").items;
    let sales = roles.iter().find(|r| r.key.as_deref() == Some("sales")).expect("sales role");
    let created = admin
        .create_api_key(&NewApiKey { name: "Read-only sync".into(), role_id: sales.id, expires_at: None })
        .await
        .expect("create");
    let integrator = Client::with_api_key(&app.address, &created.secret);
    let err = integrator
        .create_team(&kith_domain::identity::NewTeam { name: "Not allowed".into(), description: String::new() })
        .await
        .expect_err("sales may not write settings");
    assert_eq!(err.status(), Some(403));
}

#[tokio::test]
async fn an_expired_api_key_is_refused() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let past = admin
        .create_api_key(&NewApiKey {
            name: "Old".into(),
            role_id: me.role.id,
            expires_at: Some(app.clock().now() - chrono::Duration::hours(1)),
        })
        .await
        .expect_err("expiry in the past");
    assert!(past.problem().and_then(|p| p.field_message("expires_at")).is_some());
    let soon = admin
        .create_api_key(&NewApiKey {
            name: "Soon".into(),
            role_id: me.role.id,
            expires_at: Some(app.clock().now() + chrono::Duration::hours(1)),
        })
        .await
        .expect("create");
    let integrator = Client::with_api_key(&app.address, &soon.secret);
    integrator.me().await.expect_err("an API key is not a user");
    integrator.list_users(&Default::default()).await.expect("valid for now");
    app.advance(chrono::Duration::minutes(59));
    integrator.list_users(&Default::default()).await.expect("a minute before its expiry");
    app.advance(chrono::Duration::minutes(2));
    assert_eq!(integrator.list_users(&Default::default()).await.expect_err("expired").status(), Some(401));
}

#[tokio::test]
async fn an_api_key_that_floods_the_api_is_slowed_down() {
    let app = TestApp::spawn_with(|c| c.api_key_per_minute = 5).await;
    let (admin, me) = app.signup("Acme").await;
    let created = admin
        .create_api_key(&NewApiKey { name: "loop".into(), role_id: me.role.id, expires_at: None })
        .await
        .expect("key");
    let integrator = Client::with_api_key(&app.address, &created.secret);
    for _ in 0..5 {
        integrator.list_users(&Default::default()).await.expect("within the limit");
    }
    let err = integrator.list_users(&Default::default()).await.expect_err("over the limit");
    assert_eq!(err.status(), Some(429));
    // People signed in are not limited by the key's budget.
    admin.list_users(&Default::default()).await.expect("the admin is not affected");
}

async fn login_from(app: &TestApp, email: &str, forwarded_for: &str) -> u16 {
    app.http()
        .post(app.url("/api/v1/auth/login"))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({"email": email, "password": "wrong password"}))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::test]
async fn behind_a_trusted_proxy_failures_count_per_client_not_per_proxy() {
    let app = TestApp::spawn_with(|c| {
        c.login_max_failures = 3;
        c.trust_proxy = true;
    })
    .await;
    for i in 0..3 {
        assert_eq!(login_from(&app, &format!("guess{i}@example.test"), "203.0.113.9").await, 401);
    }
    assert_eq!(login_from(&app, "guess9@example.test", "203.0.113.9").await, 429, "that client is throttled");
    assert_eq!(login_from(&app, "someone@example.test", "198.51.100.7").await, 401, "other clients are not");

    // Without trusting a proxy, the header is ignored: a client cannot pick its own address.
    let direct = TestApp::spawn_with(|c| c.login_max_failures = 3).await;
    for i in 0..3 {
        assert_eq!(login_from(&direct, &format!("guess{i}@example.test"), &format!("192.0.2.{i}")).await, 401);
    }
    assert_eq!(login_from(&direct, "guess9@example.test", "192.0.2.99").await, 429);
}

async fn login_status(app: &TestApp, email: &str, password: &str) -> (u16, Option<u64>) {
    let r = app
        .http()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("send");
    let retry_after = r.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    (r.status().as_u16(), retry_after)
}

#[tokio::test]
async fn wrong_passwords_slow_down_their_own_account_only_and_never_lock_it_out() {
    // A long window, as in production: before, ten failures locked the whole address for 15 minutes.
    let app = TestApp::spawn_with(|c| {
        c.login_max_failures = 3;
        c.login_window_seconds = 900;
    })
    .await;
    let (admin, me) = app.signup("Acme").await;
    let (_, colleague) = app.add_user(&admin, "sales", "Colleague").await;
    for _ in 0..3 {
        assert_eq!(login_status(&app, &me.user.email, "wrong password").await.0, 401);
    }
    // Same address (everyone behind one proxy looks like this): the colleague is not held back.
    assert_eq!(login_status(&app, &colleague.user.email, PASSWORD).await.0, 200, "a colleague signs in");
    // The account itself waits a moment, then the right password works: no 15-minute lock.
    let (status, retry_after) = login_status(&app, &me.user.email, PASSWORD).await;
    assert_eq!(status, 429);
    let wait = retry_after.expect("Retry-After");
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    app.advance(chrono::Duration::milliseconds(wait as i64 * 1000 + 200));
    assert_eq!(login_status(&app, &me.user.email, PASSWORD).await.0, 200, "the right password after the delay");
    // A success forgives the failures before it. Past the free ones, each failure doubles the
    // delay (a guesser gets ever fewer tries), up to a minute.
    for _ in 0..3 {
        assert_eq!(login_status(&app, &me.user.email, "wrong password").await.0, 401);
    }
    let (status, wait) = login_status(&app, &me.user.email, "wrong password").await;
    assert_eq!((status, wait), (429, Some(1)), "inside the delay nothing is tried");
    app.advance(chrono::Duration::milliseconds(1_200));
    assert_eq!(login_status(&app, &me.user.email, "wrong password").await.0, 401);
    let (status, wait) = login_status(&app, &me.user.email, "wrong password").await;
    assert_eq!(status, 429);
    assert!(wait.is_some_and(|w| (1..=2).contains(&w)), "the next delay is 2 s: {wait:?}");
}

#[tokio::test]
async fn guessing_from_an_address_holds_back_only_newcomers_there_and_only_briefly() {
    let app = TestApp::spawn_with(|c| {
        c.login_max_failures = 3;
        c.login_window_seconds = 900;
    })
    .await;
    let (admin, me) = app.signup("Acme").await;
    let (_, colleague) = app.add_user(&admin, "sales", "Colleague").await;
    // The admin has signed in from this address before.
    assert_eq!(login_status(&app, &me.user.email, PASSWORD).await.0, 200);
    // Someone at the same address guesses accounts that do not exist.
    for i in 0..3 {
        assert_eq!(login_status(&app, &format!("guess{i}@example.test"), "password1").await.0, 401);
    }
    assert_eq!(login_status(&app, "guess9@example.test", "password1").await.0, 429, "the guessing is slowed");
    assert_eq!(login_status(&app, &me.user.email, PASSWORD).await.0, 200, "who signed in here before is not");
    // Someone new at that address waits a moment (never long), then signs in.
    let (status, retry_after) = login_status(&app, &colleague.user.email, PASSWORD).await;
    assert_eq!(status, 429);
    let wait = retry_after.expect("Retry-After");
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    app.advance(chrono::Duration::milliseconds(wait as i64 * 1000 + 200));
    assert_eq!(login_status(&app, &colleague.user.email, PASSWORD).await.0, 200);

    // Wrong passwords spread over many real accounts count for the address as well.
    let app = TestApp::spawn_with(|c| c.login_max_failures = 3).await;
    let (admin, _) = app.signup("Spread").await;
    let mut emails = Vec::new();
    for name in ["Ann", "Bob", "Cid", "Dee"] {
        emails.push(app.add_user(&admin, "sales", name).await.1.user.email);
    }
    for email in &emails[..3] {
        assert_eq!(login_status(&app, email, "password1").await.0, 401);
    }
    assert_eq!(login_status(&app, &emails[3], "password1").await.0, 429, "a fourth account is not tried at once");
}

#[tokio::test]
async fn an_access_token_lasts_fifteen_minutes_and_a_session_thirty_days() {
    let app = TestApp::spawn().await;
    let (client, _) = app.signup("Acme").await;
    let access = client.access_token().expect("access token");
    app.advance(chrono::Duration::minutes(15));
    assert_eq!(status_with_token(&app, &access).await, 200, "within its lifetime and the 30 s leeway");
    app.advance(chrono::Duration::seconds(31));
    assert_eq!(status_with_token(&app, &access).await, 401, "expired on the server's clock");
    // The refresh token trades for a new pair (the client does it on the 401).
    client.me().await.expect("refreshed");
    assert_ne!(client.access_token().expect("new token"), access);
    // A session ends 30 days after sign-in, however often it was refreshed.
    app.advance(chrono::Duration::days(kith_db::identity::sessions::SESSION_DAYS) - chrono::Duration::hours(1));
    client.refresh().await.expect("on its last day");
    app.advance(chrono::Duration::hours(2));
    let ended = client.refresh().await.expect_err("the session is over");
    assert_eq!((ended.status(), ended.problem().map(|p| p.code)), (Some(401), Some(ErrorCode::Unauthorized)));
}

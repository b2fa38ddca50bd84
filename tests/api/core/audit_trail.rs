//! The audit trail is complete: a delete, a restore, a login, a logout, a password change and an API key
//! revocation each leave exactly one entry naming the actor, the action and the request that did it;
//! a refused attempt leaves none, and no entry carries a secret.

use kith_client::Client;
use kith_domain::core::audit::{ActorKind, AuditAction, AuditEntry, AuditQuery};
use kith_domain::identity::auth::TokenResponse;
use kith_domain::identity::NewApiKey;
use kith_domain::leads::NewLead;
use kith_tests::{TestApp, PASSWORD};
use serde_json::json;

/// A request with our own request id, so the entry it leaves can be told apart exactly.
async fn send(client: &Client, method: reqwest::Method, path: &str, id: &str, body: Option<serde_json::Value>) -> u16 {
    let mut req = client.request(method, path).header("x-request-id", id);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("send");
    assert_eq!(r.headers()["x-request-id"], id, "our request id is echoed");
    r.status().as_u16()
}

async fn history(admin: &Client, entity: &str, id: &str) -> Vec<AuditEntry> {
    admin
        .audit(&AuditQuery { entity: Some(entity.into()), entity_id: Some(id.into()), ..Default::default() })
        .await
        .expect("history")
        .items
}

/// The entries a request left: (entity, entity id, action, actor kind, actor id).
async fn left_by(admin: &Client, request_id: &str) -> Vec<(String, String, AuditAction, ActorKind, Option<String>)> {
    let all = admin.audit(&AuditQuery { limit: Some(200), ..Default::default() }).await.expect("trail").items;
    all.into_iter()
        .filter(|e| e.request_id.as_deref() == Some(request_id))
        .map(|e| (e.entity, e.entity_id, e.action, e.actor_kind, e.actor_id))
        .collect()
}

#[tokio::test]
async fn deletes_restores_sign_ins_sign_outs_password_changes_and_revocations_are_each_recorded_once() {
    let app = TestApp::spawn().await;
    let (admin, admin_me) = app.signup("Acme").await;
    let (rita, rita_me) = app.add_user(&admin, "sales", "Rita Rep").await;
    let admin_id = Some(admin_me.user.id.to_string());
    let rita_id = rita_me.user.id.to_string();
    let user = |id: &str| (ActorKind::User, Some(id.to_owned()));
    let entry = |entity: &str, id: &str, action: AuditAction, actor: (ActorKind, Option<String>)| {
        (entity.to_owned(), id.to_owned(), action, actor.0, actor.1)
    };

    // Delete and restore of a lead, by its owner.
    let lead = rita.create_lead(&NewLead { first_name: "Lea".into(), ..Default::default() }).await.expect("lead");
    let lid = lead.id.to_string();
    let path = format!("/api/v1/leads/{lid}");
    assert_eq!(send(&rita, reqwest::Method::DELETE, &path, "audit-delete", None).await, 204);
    assert_eq!(left_by(&admin, "audit-delete").await, vec![entry("lead", &lid, AuditAction::Delete, user(&rita_id))]);
    let restore = format!("/api/v1/leads/{lid}/restore");
    assert_eq!(send(&rita, reqwest::Method::POST, &restore, "audit-restore", None).await, 200);
    assert_eq!(left_by(&admin, "audit-restore").await, vec![entry("lead", &lid, AuditAction::Restore, user(&rita_id))]);
    let actions: Vec<AuditAction> = history(&admin, "lead", &lid).await.iter().map(|e| e.action).collect();
    assert_eq!(actions, vec![AuditAction::Restore, AuditAction::Delete, AuditAction::Create], "newest first");

    // A team deleted and restored by the admin.
    let team = admin
        .create_team(&kith_domain::identity::NewTeam { name: "Sales".into(), description: String::new() })
        .await
        .expect("team");
    let tid = team.id.to_string();
    assert_eq!(send(&admin, reqwest::Method::DELETE, &format!("/api/v1/teams/{tid}"), "team-del", None).await, 204);
    let restore = format!("/api/v1/teams/{tid}/restore");
    assert_eq!(send(&admin, reqwest::Method::POST, &restore, "team-res", None).await, 200);
    let admin_actor = (ActorKind::User, admin_id.clone());
    assert_eq!(left_by(&admin, "team-del").await, vec![entry("team", &tid, AuditAction::Delete, admin_actor.clone())]);
    assert_eq!(left_by(&admin, "team-res").await, vec![entry("team", &tid, AuditAction::Restore, admin_actor.clone())]);

    // A sign-in: the user is the actor of their own login. A failed one records no login.
    let http = app.http();
    let login = |password: &'static str, id: &'static str| {
        http.post(app.url("/api/v1/auth/login"))
            .header("x-request-id", id)
            .json(&json!({"email": rita_me.user.email, "password": password}))
            .send()
    };
    assert_eq!(login("not the password", "login-bad").await.expect("send").status().as_u16(), 401);
    assert!(
        left_by(&admin, "login-bad").await.iter().all(|e| e.2 != AuditAction::Login),
        "a failed sign-in is no login"
    );
    let r = login(PASSWORD, "login-ok").await.expect("send");
    assert_eq!(r.status().as_u16(), 200);
    let tokens: TokenResponse = r.json().await.expect("tokens");
    assert_eq!(left_by(&admin, "login-ok").await, vec![entry("user", &rita_id, AuditAction::Login, user(&rita_id))]);
    let session = app.client();
    session.set_access_token(Some(tokens.access_token.clone()));

    // A refused password change (wrong current password) is not recorded; an accepted one is, with no
    // password in it.
    let change = |current: &str| json!({"current_password": current, "new_password": "another fine passphrase"});
    let status = send(&session, reqwest::Method::POST, "/api/v1/me/password", "pw-bad", Some(change("wrong"))).await;
    assert_eq!(status, 422);
    assert!(left_by(&admin, "pw-bad").await.is_empty());
    let status = send(&session, reqwest::Method::POST, "/api/v1/me/password", "pw-ok", Some(change(PASSWORD))).await;
    assert!((200..300).contains(&status), "{status}");
    assert_eq!(
        left_by(&admin, "pw-ok").await,
        vec![entry("user", &rita_id, AuditAction::PasswordChange, user(&rita_id))]
    );
    let trail = admin
        .request(reqwest::Method::GET, &format!("/api/v1/audit?entity=user&entity_id={rita_id}"))
        .send()
        .await
        .expect("trail")
        .text()
        .await
        .expect("text");
    assert!(!trail.contains("another fine passphrase") && !trail.contains(PASSWORD), "{trail}");
    assert!(history(&admin, "user", &rita_id)
        .await
        .iter()
        .all(|e| e.changes.is_empty() || e.action != AuditAction::PasswordChange));

    // A sign-out with the new password's session.
    let fresh = app.client();
    fresh.login(&rita_me.user.email, "another fine passphrase").await.expect("login with the new password");
    assert_eq!(send(&fresh, reqwest::Method::POST, "/api/v1/auth/logout", "logout", Some(json!({}))).await, 204);
    assert_eq!(left_by(&admin, "logout").await, vec![entry("user", &rita_id, AuditAction::Logout, user(&rita_id))]);

    // An API key revoked by the admin; the key itself is the actor of what it did before.
    let roles = admin.list_roles(&Default::default()).await.expect("roles").items;
    let sales = roles.iter().find(|r| r.key.as_deref() == Some("sales")).expect("sales").id;
    let key =
        admin.create_api_key(&NewApiKey { name: "k".into(), role_id: sales, expires_at: None }).await.expect("key");
    let kid = key.api_key.id.to_string();
    let api = Client::with_api_key(&app.address, &key.secret);
    let by_key = api.create_lead(&NewLead { first_name: "Kay".into(), ..Default::default() }).await.expect("lead");
    let made = history(&admin, "lead", &by_key.id.to_string()).await;
    assert_eq!(
        made.iter().map(|e| (e.action, e.actor_kind, e.actor_id.clone())).collect::<Vec<_>>(),
        vec![(AuditAction::Create, ActorKind::ApiKey, Some(kid.clone()))]
    );
    assert_eq!(send(&admin, reqwest::Method::DELETE, &format!("/api/v1/api-keys/{kid}"), "revoke", None).await, 204);
    assert_eq!(left_by(&admin, "revoke").await, vec![entry("api_key", &kid, AuditAction::Revoke, admin_actor)]);
    let revoked = api.me().await.expect_err("revoked");
    assert_eq!(revoked.status(), Some(401));
    assert!(!serde_json::to_string(&history(&admin, "api_key", &kid).await).expect("json").contains(&key.secret));
}

#[tokio::test]
async fn the_trail_names_records_and_people_and_filters_by_person_kind_and_day() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let (rita, rita_me) = app.add_user(&admin, "sales", "Rita Rep").await;
    let jane = rita
        .create_lead(&NewLead { first_name: "Jane".into(), last_name: "Doe".into(), ..Default::default() })
        .await
        .expect("lead");
    let team = admin
        .create_team(&kith_domain::identity::NewTeam { name: "North".into(), description: String::new() })
        .await
        .expect("team");

    let trail = admin.audit(&AuditQuery::default()).await.expect("trail").items;
    let created = |entity: &str| {
        trail.iter().find(|e| e.entity == entity && e.action == AuditAction::Create).cloned().expect("created")
    };
    let lead_entry = created("lead");
    assert_eq!(lead_entry.record_name.as_deref(), Some("Jane Doe"), "a lead is named, not an id");
    assert_eq!(lead_entry.actor_name.as_deref(), Some("Rita Rep"), "so is who acted");
    assert_eq!(created("team").record_name.as_deref(), Some("North"));
    // The organization's own records (it, its lead and email settings) are named by the organization.
    assert_eq!(created("organization").record_name.as_deref(), Some("Acme"));
    assert_eq!(created("team").actor_name.as_deref(), Some(me.user.name.as_str()));

    // By person, by kind of record, by day.
    let only = |q: AuditQuery| {
        let admin = admin.clone();
        async move { admin.audit(&q).await.expect("filtered").items }
    };
    let ritas = only(AuditQuery { actor_id: Some(rita_me.user.id.to_string()), ..Default::default() }).await;
    assert!(!ritas.is_empty() && ritas.iter().all(|e| e.actor_id.as_deref() == Some(&*rita_me.user.id.to_string())));
    let teams = only(AuditQuery { entity: Some("team".into()), ..Default::default() }).await;
    assert_eq!(teams.iter().map(|e| e.entity_id.clone()).collect::<Vec<_>>(), vec![team.id.to_string()]);
    let today = app.clock().now().date_naive();
    let yesterday = today.pred_opt().expect("a day before");
    assert_eq!(only(AuditQuery { from: Some(today), to: Some(today), ..Default::default() }).await.len(), trail.len());
    assert!(only(AuditQuery { to: Some(yesterday), ..Default::default() }).await.is_empty());
    let backwards = admin
        .request(reqwest::Method::GET, &format!("/api/v1/audit?from={today}&to={yesterday}"))
        .send()
        .await
        .expect("send");
    assert_eq!(backwards.status().as_u16(), 422);

    // A deleted lead is still named in the trail (as it was when deleted), for those who read all leads.
    admin.delete_lead(jane.id).await.expect("delete");
    let leads = only(AuditQuery { entity: Some("lead".into()), ..Default::default() }).await;
    assert_eq!(leads.len(), 2, "created, deleted");
    assert!(leads.iter().all(|e| e.record_name.as_deref() == Some("Jane Doe")), "{leads:?}");
}

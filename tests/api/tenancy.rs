//! A1/A5: one organization can neither read nor change another's data, through any endpoint, with
//! any principal; foreign ids answer 404; the tenant comes only from the credential.

use kith_client::Client;
use kith_domain::identity::*;
use kith_domain::page::PageQuery;
use kith_tests::TestApp;
use serde_json::json;

struct Victim {
    user: UserView,
    team: TeamView,
    role: RoleView,
    key: ApiKeyView,
    invite: InviteView,
}

async fn victim(app: &TestApp) -> Victim {
    let (admin, me) = app.signup("Victim Corp").await;
    let team = admin
        .create_team(&NewTeam { name: "Secret team".into(), description: "top secret".into() })
        .await
        .expect("team");
    let role = admin
        .create_role(&NewRole { name: "Secret role".into(), permissions: me.role.permissions })
        .await
        .expect("role");
    let key = admin
        .create_api_key(&NewApiKey { name: "Secret key".into(), role_id: me.role.id, expires_at: None })
        .await
        .expect("key")
        .api_key;
    let invite = admin
        .create_invite(&NewInvite { email: "someone@victim.test".into(), role_id: me.role.id, team_id: Some(team.id) })
        .await
        .expect("invite")
        .invite;
    Victim { user: me.user, team, role, key, invite }
}

/// Every operation against the victim's ids, as one principal of the attacker's organization.
async fn attack(app: &TestApp, attacker: &Client, v: &Victim) {
    let http = app.http();
    let token = attacker.access_token().expect("token");
    let send = |method: reqwest::Method, path: String, body: Option<serde_json::Value>| {
        let mut req = http.request(method, app.url(&path)).bearer_auth(&token).header("If-Match", "\"1\"");
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send()
    };
    use reqwest::Method as M;
    let cases = vec![
        (M::GET, format!("/api/v1/users/{}", v.user.id), None),
        (M::PATCH, format!("/api/v1/users/{}", v.user.id), Some(json!({"name": "pwned"}))),
        (M::GET, format!("/api/v1/teams/{}", v.team.id), None),
        (M::PATCH, format!("/api/v1/teams/{}", v.team.id), Some(json!({"name": "pwned"}))),
        (M::DELETE, format!("/api/v1/teams/{}", v.team.id), None),
        (M::POST, format!("/api/v1/teams/{}/restore", v.team.id), None),
        (M::GET, format!("/api/v1/roles/{}", v.role.id), None),
        (M::PATCH, format!("/api/v1/roles/{}", v.role.id), Some(json!({"name": "pwned"}))),
        (M::DELETE, format!("/api/v1/api-keys/{}", v.key.id), None),
        (M::DELETE, format!("/api/v1/invites/{}", v.invite.id), None),
    ];
    for (method, path, body) in cases {
        let status = send(method.clone(), path.clone(), body).await.expect("send").status().as_u16();
        assert!(status == 404 || status == 403, "{method} {path} answered {status}");
    }

    // Lists and filters never show the victim's rows.
    let users =
        attacker.list_users(&UserListQuery { q: Some("victim".into()), ..Default::default() }).await.expect("users");
    assert!(users.items.iter().all(|u| u.id != v.user.id));
    if let Ok(page) = attacker.list_teams(&TeamListQuery::default()).await {
        assert!(page.items.iter().all(|t| t.id != v.team.id));
    }
    let roles = attacker.list_roles(&PageQuery::default()).await.expect("roles");
    assert!(roles.items.iter().all(|r| r.id != v.role.id));
    if let Ok(keys) = attacker.list_api_keys(&PageQuery::default()).await {
        assert!(keys.items.iter().all(|k| k.id != v.key.id));
    }
    if let Ok(history) = attacker
        .audit(&kith_domain::audit::AuditQuery {
            entity: Some("team".into()),
            entity_id: Some(v.team.id.to_string()),
            ..Default::default()
        })
        .await
    {
        assert!(history.items.is_empty(), "foreign audit history leaked");
    }
    if let Ok(bin) = attacker.recycle_bin(&PageQuery::default()).await {
        assert!(bin.items.iter().all(|i| i.entity_id != v.team.id.to_string()));
    }
}

#[tokio::test]
async fn another_organization_can_neither_read_nor_change_our_records() {
    let app = TestApp::spawn().await;
    let v = victim(&app).await;
    let (attacker_admin, attacker_me) = app.signup("Attacker Inc").await;
    let (attacker_rep, _) = app.add_user(&attacker_admin, "sales", "Eve Rep").await;
    let key = attacker_admin
        .create_api_key(&NewApiKey { name: "k".into(), role_id: attacker_me.role.id, expires_at: None })
        .await
        .expect("key");
    let attacker_key = Client::with_api_key(&app.address, &key.secret);

    for attacker in [&attacker_admin, &attacker_rep, &attacker_key] {
        attack(&app, attacker, &v).await;
    }

    // Foreign ids inside bodies are refused as unknown, never linked.
    let err = attacker_admin
        .update_user(
            attacker_me.user.id,
            attacker_me.user.version,
            &UserPatch { role_id: Some(v.role.id), ..Default::default() },
        )
        .await
        .expect_err("foreign role");
    assert!(err.problem().and_then(|p| p.field_message("role_id")).is_some());
    let err = attacker_admin
        .create_invite(&NewInvite {
            email: "x@attacker.test".into(),
            role_id: attacker_me.role.id,
            team_id: Some(v.team.id),
        })
        .await
        .expect_err("foreign team");
    assert!(err.problem().and_then(|p| p.field_message("team_id")).is_some());
}

#[tokio::test]
async fn the_organization_comes_from_the_credential_never_from_the_body() {
    let app = TestApp::spawn().await;
    let v = victim(&app).await;
    let (attacker, _) = app.signup("Attacker Inc").await;
    let response = attacker
        .request(reqwest::Method::POST, "/api/v1/teams")
        .json(&json!({"name": "Planted", "org_id": v.user.id.to_string()}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 400);
    for field in ["id", "owner_id", "created_at", "version", "role"] {
        let r = attacker
            .request(reqwest::Method::POST, "/api/v1/teams")
            .json(&json!({"name": "Planted", field: "x"}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), 400, "{field}");
    }
    let teams = attacker.list_teams(&TeamListQuery::default()).await.expect("teams");
    assert!(teams.items.is_empty(), "nothing half-written");
}

#[tokio::test]
async fn a_sequence_cannot_name_a_web_form_of_another_organization_or_none_at_all() {
    let app = TestApp::spawn().await;
    let (victim, _) = app.signup("Victim Corp").await;
    let theirs = victim.create_web_form(&crate::webforms::contact_form()).await.expect("form");
    let (admin, _) = app.signup("Attacker Inc").await;
    let ours = admin.create_web_form(&crate::webforms::contact_form()).await.expect("form");
    let missing = kith_domain::WebFormId(uuid::Uuid::now_v7());
    let input = kith_domain::sequences::SequenceInput {
        enroll_form_ids: vec![ours.id, theirs.id, missing],
        ..crate::sequences::welcome()
    };
    let err = admin.create_sequence(&input).await.expect_err("foreign and unknown forms");
    assert_eq!(err.status(), Some(422));
    let problem = err.problem().expect("problem");
    assert!(problem.field_message("enroll_form_ids[0]").is_none(), "our own form is fine");
    assert!(problem.field_message("enroll_form_ids[1]").is_some(), "{problem:?}");
    assert!(problem.field_message("enroll_form_ids[2]").is_some(), "{problem:?}");
    let seq = admin
        .create_sequence(&kith_domain::sequences::SequenceInput {
            enroll_form_ids: vec![ours.id],
            ..crate::sequences::welcome()
        })
        .await
        .expect("own form");
    let err = admin.update_sequence(seq.id, seq.version, &input).await.expect_err("nor on a change");
    assert_eq!(err.status(), Some(422));
}

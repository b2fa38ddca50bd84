//! A1/A5: one organization can neither read nor change another's data, through any endpoint, with
//! any principal; foreign ids answer 404; the tenant comes only from the credential.

use kith_domain::identity::*;
use kith_tests::TestApp;
use serde_json::json;

/// Every operation against every kind of record is generated from the spec in
/// `access::cross_tenant`; these check the field a foreign id in a body is reported on.
#[tokio::test]
async fn foreign_ids_in_bodies_are_refused_as_unknown_on_their_field() {
    let app = TestApp::spawn().await;
    let (victim, victim_me) = app.signup("Victim Corp").await;
    let team = victim
        .create_team(&NewTeam { name: "Secret team".into(), description: "top secret".into() })
        .await
        .expect("team");
    let role = victim
        .create_role(&NewRole { name: "Secret role".into(), permissions: victim_me.role.permissions })
        .await
        .expect("role");
    let (attacker_admin, attacker_me) = app.signup("Attacker Inc").await;
    let v = (role, team);
    // Foreign ids inside bodies are refused as unknown, never linked.
    let err = attacker_admin
        .update_user(
            attacker_me.user.id,
            attacker_me.user.version,
            &UserPatch { role_id: Some(v.0.id), ..Default::default() },
        )
        .await
        .expect_err("foreign role");
    assert!(err.problem().and_then(|p| p.field_message("role_id")).is_some());
    let err = attacker_admin
        .create_invite(&NewInvite {
            email: "x@attacker.test".into(),
            role_id: attacker_me.role.id,
            team_id: Some(v.1.id),
        })
        .await
        .expect_err("foreign team");
    assert!(err.problem().and_then(|p| p.field_message("team_id")).is_some());
}

#[tokio::test]
async fn the_organization_comes_from_the_credential_never_from_the_body() {
    let app = TestApp::spawn().await;
    let (_, victim_me) = app.signup("Victim Corp").await;
    let (attacker, _) = app.signup("Attacker Inc").await;
    let response = attacker
        .request(reqwest::Method::POST, "/api/v1/teams")
        .json(&json!({"name": "Planted", "org_id": victim_me.organization.id.to_string()}))
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
    let theirs = victim.create_web_form(&crate::leads::webforms::contact_form()).await.expect("form");
    let (admin, _) = app.signup("Attacker Inc").await;
    let ours = admin.create_web_form(&crate::leads::webforms::contact_form()).await.expect("form");
    let missing = kith_domain::WebFormId(uuid::Uuid::now_v7());
    let input = kith_domain::marketing::sequences::SequenceInput {
        enroll_form_ids: vec![ours.id, theirs.id, missing],
        ..crate::marketing::sequences::welcome()
    };
    let err = admin.create_sequence(&input).await.expect_err("foreign and unknown forms");
    assert_eq!(err.status(), Some(422));
    let problem = err.problem().expect("problem");
    assert!(problem.field_message("enroll_form_ids[0]").is_none(), "our own form is fine");
    assert!(problem.field_message("enroll_form_ids[1]").is_some(), "{problem:?}");
    assert!(problem.field_message("enroll_form_ids[2]").is_some(), "{problem:?}");
    let seq = admin
        .create_sequence(&kith_domain::marketing::sequences::SequenceInput {
            enroll_form_ids: vec![ours.id],
            ..crate::marketing::sequences::welcome()
        })
        .await
        .expect("own form");
    let err = admin.update_sequence(seq.id, seq.version, &input).await.expect_err("nor on a change");
    assert_eq!(err.status(), Some(422));
}

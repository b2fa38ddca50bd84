//! Users, teams, roles, invitations, the audit trail and the recycle bin, as admins and reps use them.

mod auth;
mod browser_identity;
mod signed_out;
mod tenancy;

use kith_domain::core::audit::{AuditAction, AuditQuery};
use kith_domain::core::page::PageQuery;
use kith_domain::core::permissions::{AccessLevel, ModuleAccess, Permissions, RecordScope};
use kith_domain::identity::*;
use kith_tests::TestApp;

#[tokio::test]
async fn an_invited_colleague_joins_with_the_role_and_team_chosen_for_them() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let team =
        admin.create_team(&NewTeam { name: "Sales East".into(), description: String::new() }).await.expect("team");
    let roles = admin.list_roles(&PageQuery::default()).await.expect("roles").items;
    assert_eq!(roles.iter().filter_map(|r| r.key.as_deref()).collect::<Vec<_>>().len(), 5);
    let sales = roles.iter().find(|r| r.key.as_deref() == Some("sales")).expect("sales");
    let invite = admin
        .create_invite(&NewInvite { email: "Rita@Example.test".into(), role_id: sales.id, team_id: Some(team.id) })
        .await
        .expect("invite");
    assert!(invite.accept_path.contains(&invite.token));
    let rita = app.client();
    rita.accept_invite(&kith_domain::identity::auth::AcceptInviteRequest {
        token: invite.token.clone(),
        name: "Rita".into(),
        password: kith_tests::PASSWORD.into(),
    })
    .await
    .expect("accept");
    let me = rita.me().await.expect("me");
    assert_eq!((me.user.email.as_str(), me.user.team_id, me.role.id), ("rita@example.test", Some(team.id), sales.id));
    // A token works once.
    let again = app
        .client()
        .accept_invite(&kith_domain::identity::auth::AcceptInviteRequest {
            token: invite.token,
            name: "Mallory".into(),
            password: kith_tests::PASSWORD.into(),
        })
        .await
        .expect_err("used token");
    assert!(again.problem().and_then(|p| p.field_message("token")).is_some());
}

#[tokio::test]
async fn an_invitation_email_waits_in_the_outbox() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let created = admin
        .create_invite(&NewInvite { email: "new@example.test".into(), role_id: me.role.id, team_id: None })
        .await
        .expect("invite");
    let mut conn = app.pool.get().expect("conn");
    let scope =
        kith_db::identity::sessions::authenticate(&mut conn, session_of(&admin), me.user.id, me.organization.id)
            .expect("scope");
    let pending = kith_db::core::outbox::pending_for(&mut conn, &scope, "new@example.test").expect("outbox");
    assert_eq!(pending.len(), 1);
    assert!(pending[0].0.contains("Acme"));
    assert!(pending[0].1.contains(&created.accept_path));
}

/// Every link in an email is a full address on the server's public base URL: a mail client cannot
/// follow `/accept-invite?token=…`. Looks at every word that is a path or an address.
fn assert_links_are_absolute(app: &TestApp, body: &str) -> usize {
    let mut links = 0;
    for word in body.split_whitespace() {
        if word.starts_with('/') || word.contains("://") || word.contains("?token=") {
            assert!(word.starts_with(&app.address), "a link not on {}: {word:?} in {body:?}", app.address);
            links += 1;
        }
    }
    links
}

#[tokio::test]
async fn every_email_the_system_sends_links_with_full_addresses() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let (_, rita) = app.add_user(&admin, "sales", "Rita Rep").await;
    let mut conn = app.pool.get().expect("conn");
    let scope =
        kith_db::identity::sessions::authenticate(&mut conn, session_of(&admin), me.user.id, me.organization.id)
            .expect("scope");
    let mut outbox = |to: &str| kith_db::core::outbox::pending_for(&mut conn, &scope, to).expect("outbox");

    // An invitation: the accept page, in full, and the same address in the answer.
    let created = admin
        .create_invite(&NewInvite { email: "new@example.test".into(), role_id: me.role.id, team_id: None })
        .await
        .expect("invite");
    assert_eq!(created.accept_url, app.url(&created.accept_path));
    let invitation = outbox("new@example.test");
    assert!(invitation[0].1.contains(&created.accept_url), "{invitation:?}");
    assert_eq!(assert_links_are_absolute(&app, &invitation[0].1), 1);

    // A password reset.
    app.client().request_password_reset(&rita.user.email).await.expect("reset");
    let reset = outbox(&rita.user.email);
    assert!(reset.iter().any(|(_, body)| body.contains(&app.url("/reset-password?token="))), "{reset:?}");

    // A notification by email: a lead given to Rita links to it.
    let lead = admin
        .create_lead(&kith_domain::leads::NewLead {
            first_name: "Ann".into(),
            owner_id: Some(rita.user.id),
            ..Default::default()
        })
        .await
        .expect("lead");
    let notices = outbox(&rita.user.email);
    let assigned = notices.iter().find(|(subject, _)| subject.contains("New lead for you")).expect("assigned");
    assert!(assigned.1.contains(&app.url(&format!("/m/leads/{}", lead.id))), "{assigned:?}");
    for (_, body) in notices.iter().chain(&invitation) {
        assert_links_are_absolute(&app, body);
    }
}

fn session_of(client: &kith_client::Client) -> kith_domain::SessionId {
    use base64::Engine;
    let token = client.access_token().expect("token");
    let part = token.split('.').nth(1).expect("payload");
    let payload: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).expect("b64"))
            .expect("json");
    payload["sid"].as_str().expect("sid").parse().expect("uuid")
}

#[tokio::test]
async fn a_sales_rep_sees_colleagues_but_cannot_administer() {
    let app = TestApp::spawn().await;
    let (admin, admin_me) = app.signup("Acme").await;
    let (rep, rep_me) = app.add_user(&admin, "sales", "Rita Rep").await;
    // A rep sees colleagues by name, to show and pick owners — not their emails or roles.
    let people = rep.list_people(&PageQuery::default()).await.expect("reps see colleagues");
    assert_eq!(people.items.len(), 2);
    assert!(people.items.iter().all(|p| p.active && p.can_own_leads));
    let raw =
        rep.request(reqwest::Method::GET, "/api/v1/people").send().await.expect("send").text().await.expect("body");
    assert!(!raw.contains(&admin_me.user.email), "no email addresses in the directory: {raw}");
    assert_eq!(rep.list_users(&UserListQuery::default()).await.expect_err("people management").status(), Some(403));
    assert_eq!(rep.get_user(admin_me.user.id).await.expect_err("people management").status(), Some(403));
    let (_, support) = app.add_user(&admin, "support", "Sue Support").await;
    let people = rep.list_people(&PageQuery::default()).await.expect("people");
    let sue = people.items.iter().find(|p| p.id == support.user.id).expect("sue");
    assert!(!sue.can_own_leads, "support cannot own leads, and owner pickers leave her out");
    let forbidden = [
        rep.create_team(&NewTeam { name: "x".into(), description: String::new() }).await.err(),
        rep.list_api_keys(&PageQuery::default()).await.err(),
        rep.list_invites(&PageQuery::default()).await.err(),
        rep.update_user(
            rep_me.user.id,
            rep_me.user.version,
            &UserPatch { role_id: Some(admin_me.role.id), ..Default::default() },
        )
        .await
        .err(),
        rep.audit(&AuditQuery::default()).await.err(),
    ];
    for (i, err) in forbidden.into_iter().enumerate() {
        assert_eq!(err.and_then(|e| e.status()), Some(403), "case {i}");
    }
    // The rep's role stayed.
    assert_eq!(rep.me().await.expect("me").role.key.as_deref(), Some("sales"));
}

#[tokio::test]
async fn the_last_administrator_cannot_be_demoted_or_disabled() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let roles = admin.list_roles(&PageQuery::default()).await.expect("roles").items;
    let sales = roles.iter().find(|r| r.key.as_deref() == Some("sales")).expect("sales");
    let err = admin
        .update_user(me.user.id, me.user.version, &UserPatch { role_id: Some(sales.id), ..Default::default() })
        .await
        .expect_err("demote");
    assert_eq!(err.problem().and_then(|p| p.errors.first()).map(|e| e.code.as_str()), Some("last_admin"));
    let err = admin
        .update_user(
            me.user.id,
            me.user.version,
            &UserPatch { status: Some(UserStatus::Disabled), ..Default::default() },
        )
        .await
        .expect_err("disable");
    assert_eq!(err.problem().and_then(|p| p.errors.first()).map(|e| e.code.as_str()), Some("last_admin"));
}

#[tokio::test]
async fn users_can_be_found_by_name_or_email_and_filtered_by_team() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let team = admin.create_team(&NewTeam { name: "Support".into(), description: String::new() }).await.expect("team");
    let (_, noah) = app.add_user(&admin, "support", "Noah Schmidt").await;
    app.add_user(&admin, "sales", "Liam Chen").await;
    let noah = admin
        .update_user(noah.user.id, noah.user.version, &UserPatch { team_id: Some(Some(team.id)), ..Default::default() })
        .await
        .expect("assign team");
    let found = admin.list_users(&UserListQuery { q: Some("SCHMIDT".into()), ..Default::default() }).await.expect("q");
    assert_eq!(found.items.iter().map(|u| u.id).collect::<Vec<_>>(), vec![noah.id]);
    let found = admin
        .list_users(&UserListQuery { q: Some("100%_".into()), ..Default::default() })
        .await
        .expect("wildcards are literal");
    assert!(found.items.is_empty());
    let in_team =
        admin.list_users(&UserListQuery { team_id: Some(team.id), ..Default::default() }).await.expect("team");
    assert_eq!(in_team.items.len(), 1);
    let by_email =
        admin.list_users(&UserListQuery { sort: Some("-email".into()), ..Default::default() }).await.expect("sort");
    let emails: Vec<_> = by_email.items.iter().map(|u| u.email.clone()).collect();
    let mut sorted = emails.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(emails, sorted);
    // Removing from the team with an explicit null.
    let noah = admin
        .update_user(noah.id, noah.version, &UserPatch { team_id: Some(None), ..Default::default() })
        .await
        .expect("clear");
    assert_eq!(noah.team_id, None);
}

#[tokio::test]
async fn every_change_to_a_team_is_in_its_history_with_old_and_new_values() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let t = admin.create_team(&NewTeam { name: "Sales".into(), description: String::new() }).await.expect("team");
    admin
        .update_team(t.id, t.version, &TeamPatch { name: Some("Sales EMEA".into()), ..Default::default() })
        .await
        .expect("rename");
    let history = admin
        .audit(&AuditQuery { entity: Some("team".into()), entity_id: Some(t.id.to_string()), ..Default::default() })
        .await
        .expect("history");
    let actions: Vec<_> = history.items.iter().map(|e| e.action).collect();
    assert_eq!(actions, vec![AuditAction::Update, AuditAction::Create]);
    let rename = &history.items[0];
    assert_eq!(rename.actor_id.as_deref(), Some(me.user.id.to_string().as_str()));
    assert!(rename.request_id.is_some());
    let change = rename.changes.iter().find(|c| c.field == "name").expect("name change");
    assert_eq!((change.old.as_str(), change.new.as_str()), (Some("Sales"), Some("Sales EMEA")));
}

#[tokio::test]
async fn no_secret_is_ever_in_the_audit_trail() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let key = admin
        .create_api_key(&NewApiKey { name: "k".into(), role_id: me.role.id, expires_at: None })
        .await
        .expect("key");
    let invite = admin
        .create_invite(&NewInvite { email: "x@example.test".into(), role_id: me.role.id, team_id: None })
        .await
        .expect("invite");
    admin.change_password(kith_tests::PASSWORD, "another long passphrase").await.expect("change");
    admin.login(&me.user.email, "another long passphrase").await.expect("login");
    let trail = serde_json::to_string(
        &admin.audit(&AuditQuery { limit: Some(200), ..Default::default() }).await.expect("trail"),
    )
    .expect("json");
    for secret in [&key.secret, &invite.token, "argon2", "another long passphrase", kith_tests::PASSWORD] {
        assert!(!trail.contains(secret), "audit trail contains {secret}");
    }
}

#[tokio::test]
async fn a_deleted_team_waits_in_the_recycle_bin_and_can_be_restored() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let t = admin.create_team(&NewTeam { name: "Temporary".into(), description: String::new() }).await.expect("team");
    admin.delete_team(t.id).await.expect("delete");
    assert_eq!(admin.get_team(t.id).await.expect_err("gone").status(), Some(404));
    assert!(admin.list_teams(&TeamListQuery::default()).await.expect("list").items.is_empty());
    let bin = admin.recycle_bin(&PageQuery::default()).await.expect("bin");
    assert_eq!(bin.items.len(), 1);
    assert_eq!((bin.items[0].entity.as_str(), bin.items[0].label.as_str()), ("team", "Temporary"));
    assert_eq!(bin.items[0].purge_at - bin.items[0].deleted_at, chrono::Duration::days(30));
    let restored = admin.restore_team(t.id).await.expect("restore");
    assert_eq!(restored.name, "Temporary");
    assert!(admin.recycle_bin(&PageQuery::default()).await.expect("bin").items.is_empty());
    assert_eq!(admin.restore_team(t.id).await.expect_err("nothing to restore").status(), Some(404));
}

#[tokio::test]
async fn the_bin_is_purged_after_thirty_days_and_members_lose_the_team() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let old = admin.create_team(&NewTeam { name: "Old".into(), description: String::new() }).await.expect("team");
    let recent = admin.create_team(&NewTeam { name: "Recent".into(), description: String::new() }).await.expect("team");
    let (_, member) = app.add_user(&admin, "sales", "Member").await;
    admin
        .update_user(
            member.user.id,
            member.user.version,
            &UserPatch { team_id: Some(Some(old.id)), ..Default::default() },
        )
        .await
        .expect("join");
    admin.delete_team(old.id).await.expect("delete");
    app.advance(chrono::Duration::days(20));
    admin.delete_team(recent.id).await.expect("delete");
    app.advance(chrono::Duration::days(10) - chrono::Duration::minutes(1));
    let mut conn = app.pool.get().expect("conn");
    assert_eq!(kith_db::core::recycle::purge_expired(&mut conn).expect("purge"), 0, "a minute before 30 days");
    app.advance(chrono::Duration::minutes(2));
    assert_eq!(kith_db::core::recycle::purge_expired(&mut conn).expect("purge"), 1);
    // A month on, the admin signs in again.
    admin.login(&me.user.email, kith_tests::PASSWORD).await.expect("login");
    let bin = admin.recycle_bin(&PageQuery::default()).await.expect("bin");
    assert_eq!(bin.items.iter().map(|i| i.label.as_str()).collect::<Vec<_>>(), vec!["Recent"]);
    assert_eq!(admin.get_user(member.user.id).await.expect("member").team_id, None);
    assert_eq!(admin.restore_team(old.id).await.expect_err("purged").status(), Some(404));
}

#[tokio::test]
async fn an_admin_defines_a_custom_role_but_cannot_weaken_the_admin_role() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let mut grants = Permissions::uniform(ModuleAccess::NONE);
    grants.support = ModuleAccess { level: AccessLevel::Write, scope: RecordScope::Team };
    let role = admin.create_role(&NewRole { name: "Support lead".into(), permissions: grants }).await.expect("create");
    assert_eq!(role.key, None);
    let dup =
        admin.create_role(&NewRole { name: "Support lead".into(), permissions: grants }).await.expect_err("duplicate");
    assert!(dup.problem().and_then(|p| p.field_message("name")).is_some());
    let err = admin
        .update_role(me.role.id, me.role.version, &RolePatch { permissions: Some(grants), ..Default::default() })
        .await
        .expect_err("admin grants are fixed");
    assert_eq!(err.status(), Some(422));
    let renamed = admin
        .update_role(role.id, role.version, &RolePatch { name: Some("Support leads".into()), ..Default::default() })
        .await
        .expect("rename");
    assert_eq!(renamed.version, 2);
}

#[tokio::test]
async fn the_demo_organization_loads_once_with_people_and_leads() {
    let app = TestApp::spawn().await;
    assert!(matches!(
        kith_api::seed::seed_demo(&app.pool, app.state.attachments.as_ref()).expect("seed"),
        kith_api::seed::Outcome::Created
    ));
    assert!(matches!(
        kith_api::seed::seed_demo(&app.pool, app.state.attachments.as_ref()).expect("again"),
        kith_api::seed::Outcome::AlreadyThere
    ));
    let admin = app.client();
    admin.login(kith_api::seed::DEMO_EMAIL, kith_api::seed::DEMO_PASSWORD).await.expect("demo login");
    assert_eq!(admin.list_users(&UserListQuery::default()).await.expect("users").items.len(), 6);
    let leads = admin.list_leads(&kith_domain::leads::LeadListQuery::default()).await.expect("leads").items;
    assert_eq!(leads.len(), 14);
    let queue = kith_domain::leads::LeadListQuery { unassigned: Some(true), open: Some(true), ..Default::default() };
    assert_eq!(admin.count_leads(&queue).await.expect("queue").count, 2, "two wait in the Unassigned queue");
    assert!(leads.iter().any(|l| l.owner_id.is_some()), "the assignment rules gave leads owners");
    assert!(leads.iter().any(|l| l.score > 0), "the scoring rules scored them");
    assert_eq!(admin.web_forms().await.expect("forms").len(), 1);
    assert_eq!(admin.call_lists().await.expect("call lists")[0].total, 5);
    let views: Vec<String> = admin.lead_views().await.expect("views").into_iter().map(|v| v.name).collect();
    // The Unassigned queue is built into the list; the demo keeps no saved view for it.
    assert_eq!(views, vec!["Hot leads"]);
    // Custom fields with help texts, one option retired that leads still hold, all on the web form.
    let fields = admin.custom_fields_of("lead").await.expect("fields");
    let budget = fields.iter().find(|f| f.key == "budget").expect("budget");
    assert_eq!(budget.retired_options, ["Not sure yet"]);
    assert!(fields.iter().all(|f| f.help_text.is_some()), "{fields:?}");
    let form = &admin.web_forms().await.expect("forms")[0];
    let on_form: Vec<&str> = form.fields.iter().filter_map(|f| f.custom_key.as_deref()).collect();
    assert_eq!(on_form, ["team_size", "budget", "embroidery"]);
    // The good configuration: rules by region, and a fallback owner for the rest.
    let rules = admin.assignment_rules().await.expect("rules");
    let gaps = kith_domain::leads::rules::assignment_gaps(&rules);
    assert!(!gaps.unnamed_countries.is_empty(), "the demo's rules name some countries only");
    assert!(admin.lead_settings().await.expect("settings").fallback_owner_id.is_some(), "and the rest go to someone");
}

#[tokio::test]
async fn an_invitation_can_be_accepted_for_seven_days_and_then_not() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let invite = |email: &str| NewInvite { email: email.into(), role_id: me.role.id, team_id: None };
    let early = admin.create_invite(&invite("early@example.test")).await.expect("invite");
    let late = admin.create_invite(&invite("late@example.test")).await.expect("invite");
    let accept = |token: String| kith_domain::identity::auth::AcceptInviteRequest {
        token,
        name: "New colleague".into(),
        password: kith_tests::PASSWORD.into(),
    };
    app.advance(chrono::Duration::days(kith_db::identity::invites::INVITE_DAYS) - chrono::Duration::minutes(1));
    app.client().accept_invite(&accept(early.token)).await.expect("on its last day");
    app.advance(chrono::Duration::minutes(2));
    let expired = app.client().accept_invite(&accept(late.token)).await.expect_err("a week and a minute later");
    assert_eq!(expired.status(), Some(422));
    assert_eq!(
        expired.problem().and_then(|p| p.field_message("token")),
        Some("This invitation is not valid any more.")
    );
    let users = admin.list_users(&Default::default()).await.expect("users").items;
    assert!(users.iter().any(|u| u.email == "early@example.test"));
    assert!(!users.iter().any(|u| u.email == "late@example.test"), "nobody joined with the expired invitation");
}

#[tokio::test]
async fn every_kind_in_the_recycle_bin_comes_back_through_one_client_call() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let team = admin.create_team(&NewTeam { name: "Old".into(), description: String::new() }).await.expect("team");
    let lead = admin
        .create_lead(&kith_domain::leads::NewLead { first_name: "Ann".into(), ..Default::default() })
        .await
        .expect("lead");
    let seq = admin.create_sequence(&crate::marketing::sequences::welcome()).await.expect("sequence");
    admin.delete_team(team.id).await.expect("delete");
    admin.delete_lead(lead.id).await.expect("delete");
    admin.delete_sequence(seq.id).await.expect("delete");
    let bin = admin.recycle_bin(&PageQuery::default()).await.expect("bin").items;
    let mut kinds: Vec<&str> = bin.iter().map(|i| i.entity.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["lead", "sequence", "team"]);
    for item in &bin {
        admin.restore_from_bin(item).await.unwrap_or_else(|e| panic!("{}: {e}", item.entity));
    }
    assert!(admin.recycle_bin(&PageQuery::default()).await.expect("bin").items.is_empty());
    admin.get_team(team.id).await.expect("team is back");
    admin.get_lead(lead.id).await.expect("lead is back");
    assert_eq!(admin.sequences().await.expect("sequences").len(), 1);
}

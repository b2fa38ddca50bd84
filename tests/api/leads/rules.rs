//! Changing and deleting scoring and assignment rules through the API: a change needs the current
//! version (`If-Match`; stale → 412, missing or `*` → 428, not a version → 400) and then acts on the
//! next leads and scores; a delete takes the rule out of play; only administrators may do either, and
//! every refusal leaves the rule as it was.

use kith_client::{Client, ClientError};
use kith_domain::leads::rules::*;
use kith_domain::leads::*;
use kith_domain::{ErrorCode, LeadId};
use kith_tests::TestApp;

fn refusal(e: &ClientError) -> (Option<u16>, Option<ErrorCode>) {
    (e.status(), e.problem().map(|p| p.code))
}

/// A PATCH with the given `If-Match` (or none): the status and problem code.
async fn patch_with(
    client: &Client,
    path: &str,
    if_match: Option<&str>,
    body: &impl serde::Serialize,
) -> (u16, ErrorCode) {
    let mut req = client.request(reqwest::Method::PATCH, path).json(body);
    if let Some(v) = if_match {
        req = req.header("If-Match", v);
    }
    let r = req.send().await.expect("send");
    let status = r.status().as_u16();
    let problem: kith_domain::Problem = r.json().await.expect("a problem");
    (status, problem.code)
}

fn title_rule(points: i32) -> ScoringRuleInput {
    ScoringRuleInput {
        name: "Decision maker".into(),
        trigger: ScoreTrigger::Attribute {
            conditions: vec![Condition {
                field: "title".into(),
                op: Operator::Contains,
                values: vec!["ceo".into()],
                min: None,
                max: None,
            }],
        },
        points,
        decay_days: None,
        active: true,
    }
}

async fn score(client: &Client, id: LeadId) -> i32 {
    client.get_lead(id).await.expect("lead").lead.score
}

#[tokio::test]
async fn a_scoring_rule_is_changed_only_at_its_current_version_and_deleted_only_by_an_admin() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (manager, _) = app.add_user(&admin, "manager", "Mia Manager").await;
    let rule = admin.create_scoring_rule(&title_rule(10)).await.expect("rule");
    let lead = admin
        .create_lead(&NewLead { first_name: "Cy".into(), title: "CEO".into(), ..Default::default() })
        .await
        .expect("lead");
    assert_eq!(score(&admin, lead.id).await, 10);
    let path = format!("/api/v1/scoring-rules/{}", rule.id);

    // Without a version, with `*`, with something that is not a version: refused, nothing written.
    assert_eq!(patch_with(&admin, &path, None, &title_rule(99)).await, (428, ErrorCode::PreconditionRequired));
    assert_eq!(patch_with(&admin, &path, Some("*"), &title_rule(99)).await, (428, ErrorCode::PreconditionRequired));
    assert_eq!(patch_with(&admin, &path, Some("\"abc\""), &title_rule(99)).await, (400, ErrorCode::BadRequest));
    assert_eq!(admin.scoring_rules().await.expect("rules"), vec![rule.clone()]);

    // At the current version: changed, and the lead is rescored.
    let changed = admin.update_scoring_rule(rule.id, rule.version, &title_rule(25)).await.expect("change");
    assert_eq!((changed.points, changed.version), (25, rule.version + 1));
    app.run_worker();
    assert_eq!(score(&admin, lead.id).await, 25);

    // At the old version: 412, and neither the rule nor the score moves.
    let stale = admin.update_scoring_rule(rule.id, rule.version, &title_rule(50)).await.expect_err("stale");
    assert_eq!(refusal(&stale), (Some(412), Some(ErrorCode::PreconditionFailed)));
    assert_eq!(admin.scoring_rules().await.expect("rules"), vec![changed.clone()]);

    // A manager reads rules but may not change or delete them.
    let e = manager.update_scoring_rule(rule.id, changed.version, &title_rule(1)).await.expect_err("manager");
    assert_eq!(refusal(&e), (Some(403), Some(ErrorCode::Forbidden)));
    assert_eq!(
        refusal(&manager.delete_scoring_rule(rule.id).await.expect_err("manager")),
        (Some(403), Some(ErrorCode::Forbidden))
    );
    assert_eq!(admin.scoring_rules().await.expect("rules"), vec![changed.clone()]);
    app.run_worker();
    assert_eq!(score(&admin, lead.id).await, 25);

    // Deleted: gone from the list, no longer scoring, and a second delete or a change finds nothing.
    admin.delete_scoring_rule(rule.id).await.expect("delete");
    assert!(admin.scoring_rules().await.expect("rules").is_empty());
    app.run_worker();
    assert_eq!(score(&admin, lead.id).await, 0);
    let hidden = (Some(404), Some(ErrorCode::NotFound));
    assert_eq!(refusal(&admin.delete_scoring_rule(rule.id).await.expect_err("again")), hidden);
    let e = admin.update_scoring_rule(rule.id, changed.version, &title_rule(5)).await.expect_err("deleted");
    assert_eq!(refusal(&e), hidden);
    let other = admin
        .create_lead(&NewLead { first_name: "Di".into(), title: "CEO".into(), ..Default::default() })
        .await
        .expect("lead");
    assert_eq!(score(&admin, other.id).await, 0, "a new lead is not scored by a deleted rule");
}

fn to_user(name: &str, user: kith_domain::UserId) -> AssignmentRuleInput {
    AssignmentRuleInput {
        name: name.into(),
        conditions: vec![],
        target: AssignTarget::User { user_id: user },
        capacity: None,
        active: true,
        position: None,
    }
}

#[tokio::test]
async fn an_assignment_rule_is_changed_only_at_its_current_version_and_deleted_only_by_an_admin() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (manager, _) = app.add_user(&admin, "manager", "Mia Manager").await;
    let (_, tia) = app.add_user(&admin, "sales", "Tia").await;
    let (_, otto) = app.add_user(&admin, "sales", "Otto").await;
    let new_lead = |name: &'static str| {
        let admin = admin.clone();
        async move { admin.create_lead(&NewLead { first_name: name.into(), ..Default::default() }).await.expect("lead") }
    };
    // Without rules, a lead the admin creates is the admin's.
    let baseline = new_lead("Base").await.owner_id;

    let rule = admin.create_assignment_rule(&to_user("All to Tia", tia.user.id)).await.expect("rule");
    assert_eq!(new_lead("One").await.owner_id, Some(tia.user.id));
    let path = format!("/api/v1/assignment-rules/{}", rule.id);
    let to_otto = to_user("All to Otto", otto.user.id);
    assert_eq!(patch_with(&admin, &path, None, &to_otto).await, (428, ErrorCode::PreconditionRequired));
    assert_eq!(patch_with(&admin, &path, Some("*"), &to_otto).await, (428, ErrorCode::PreconditionRequired));
    assert_eq!(patch_with(&admin, &path, Some("W/\"x\""), &to_otto).await, (400, ErrorCode::BadRequest));
    assert_eq!(admin.assignment_rules().await.expect("rules")[0].target, rule.target);

    let changed = admin.update_assignment_rule(rule.id, rule.version, &to_otto).await.expect("change");
    assert_eq!((changed.name.as_str(), changed.version), ("All to Otto", rule.version + 1));
    assert_eq!(new_lead("Two").await.owner_id, Some(otto.user.id));

    let stale = admin.update_assignment_rule(rule.id, rule.version, &to_user("Back", tia.user.id)).await;
    assert_eq!(refusal(&stale.expect_err("stale")), (Some(412), Some(ErrorCode::PreconditionFailed)));
    let e = manager.update_assignment_rule(rule.id, changed.version, &to_user("Mine", tia.user.id)).await;
    assert_eq!(refusal(&e.expect_err("manager")), (Some(403), Some(ErrorCode::Forbidden)));
    let e = manager.delete_assignment_rule(rule.id).await.expect_err("manager");
    assert_eq!(refusal(&e), (Some(403), Some(ErrorCode::Forbidden)));
    let now: Vec<AssignmentRule> = admin.assignment_rules().await.expect("rules");
    assert_eq!(now.len(), 1);
    assert_eq!((now[0].version, &now[0].target), (changed.version, &changed.target), "refusals changed nothing");
    assert_eq!(new_lead("Three").await.owner_id, Some(otto.user.id));

    admin.delete_assignment_rule(rule.id).await.expect("delete");
    assert!(admin.assignment_rules().await.expect("rules").is_empty());
    assert_eq!(new_lead("Four").await.owner_id, baseline, "back to no rule");
    let hidden = (Some(404), Some(ErrorCode::NotFound));
    assert_eq!(refusal(&admin.delete_assignment_rule(rule.id).await.expect_err("again")), hidden);
    let e = admin.update_assignment_rule(rule.id, changed.version, &to_otto).await.expect_err("deleted");
    assert_eq!(refusal(&e), hidden);
}

#[tokio::test]
async fn a_lead_no_rule_takes_goes_to_the_fallback_owner_or_the_managers_hear_of_it() {
    use kith_domain::core::notifications::NotificationQuery;
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (_, rita) = app.add_user(&admin, "sales", "Rita Rep").await;
    let (_, sam) = app.add_user(&admin, "sales", "Sam Rep").await;
    let (maya, _) = app.add_user(&admin, "manager", "Maya Manager").await;
    let (_, sue) = app.add_user(&admin, "support", "Sue Support").await;
    let germany =
        Condition { field: "country".into(), op: Operator::In, values: vec!["DE".into()], min: None, max: None };
    admin
        .create_assignment_rule(&AssignmentRuleInput { conditions: vec![germany], ..to_user("Germany", rita.user.id) })
        .await
        .expect("rule");
    let lead_from = |first: &str, country: &str| NewLead {
        first_name: first.into(),
        email: Some(format!("{}@example.test", first.to_lowercase())),
        country: Some(country.into()),
        ..Default::default()
    };

    // No rule takes a French lead and no fallback owner is named: it stays unassigned, and the manager
    // (who may change every lead) is told — the admin who created it needs no telling.
    let pierre = admin.create_lead(&lead_from("Pierre", "FR")).await.expect("pierre");
    assert_eq!(pierre.owner_id, None);
    // (Told in the digest when the few minutes a burst is gathered in are over.)
    app.advance(chrono::Duration::seconds(kith_db::leads::unassigned::WINDOW_SECONDS));
    app.run_worker();
    let notices = maya.notifications(&NotificationQuery::default()).await.expect("notifications").items;
    assert!(notices.iter().any(|n| n.title == "Unassigned lead: Pierre"), "{notices:?}");
    let covered = admin.create_lead(&lead_from("Hans", "DE")).await.expect("hans");
    assert_eq!(covered.owner_id, Some(rita.user.id), "the rule still comes first");

    // A fallback owner must be someone who may own leads.
    let mut settings = admin.lead_settings().await.expect("settings");
    settings.fallback_owner_id = Some(sue.user.id);
    let err = admin.put_lead_settings(&settings).await.expect_err("support cannot own leads");
    assert!(err.problem().and_then(|p| p.field_message("fallback_owner_id")).is_some(), "{err:?}");
    settings.fallback_owner_id = Some(sam.user.id);
    assert_eq!(admin.put_lead_settings(&settings).await.expect("saved").fallback_owner_id, Some(sam.user.id));

    // With one, the leads no rule takes are Sam's, and nobody needs telling.
    let before = maya.notifications(&NotificationQuery::default()).await.expect("notifications").items.len();
    let marie = admin.create_lead(&lead_from("Marie", "FR")).await.expect("marie");
    assert_eq!(marie.owner_id, Some(sam.user.id));
    app.advance(chrono::Duration::seconds(kith_db::leads::unassigned::WINDOW_SECONDS));
    app.run_worker();
    let after = maya.notifications(&NotificationQuery::default()).await.expect("notifications").items;
    assert!(!after.iter().any(|n| n.title.contains("nassigned") && n.title.contains("Marie")), "{after:?}");
    assert_eq!(after.len(), before, "only Sam hears of Marie: {after:?}");
}

/// A burst of form posts that no rule takes: the lead managers get one digest when the window closes
/// ("7 new leads are unassigned"), not seven notices; the leads wait in the Unassigned queue (which
/// counts them); a lead given an owner before then is left out; and the digest is sent once however
/// many workers run it, or run it again.
#[tokio::test]
async fn a_burst_of_unassigned_leads_is_one_digest_for_the_managers_sent_once() {
    use kith_domain::core::notifications::NotificationQuery;
    let app = TestApp::spawn().await;
    let (admin, admin_me) = app.signup("Acme").await;
    let (maya, _) = app.add_user(&admin, "manager", "Maya Manager").await;
    let (rita, _) = app.add_user(&admin, "sales", "Rita Rep").await;
    // Start the burst at the beginning of a window, so all of it falls in one.
    let window = kith_db::leads::unassigned::WINDOW_SECONDS;
    let now = app.clock().now().timestamp();
    app.set_clock(chrono::DateTime::from_timestamp((now / window + 1) * window + 1, 0).expect("instant"));
    let form = admin.create_web_form(&super::webforms::contact_form()).await.expect("form");
    let path = format!("/api/v1/public/forms/{}/submissions", form.id);
    for i in 0..7 {
        let response = app
            .http()
            .post(app.url(&path))
            .header("Origin", "https://shop.example")
            .json(&serde_json::json!({
                "name": format!("Visitor {i}"),
                "email": format!("v{i}@example.test"),
                "kith_ts": (app.clock().now().timestamp_millis() - 60_000).to_string(),
            }))
            .send()
            .await
            .expect("post");
        assert_eq!(response.status().as_u16(), 200);
    }
    let queue = LeadListQuery { unassigned: Some(true), open: Some(true), ..Default::default() };
    assert_eq!(admin.count_leads(&queue).await.expect("count").count, 7, "they wait in the queue");
    let unread = |c: &kith_client::Client| {
        let c = c.clone();
        async move { c.notifications(&NotificationQuery::default()).await.expect("notifications").items }
    };
    assert!(unread(&maya).await.is_empty(), "nobody is told lead by lead");
    // One of them gets an owner before the window closes: the digest leaves it out.
    let first = admin.list_leads(&queue).await.expect("queue").items.pop().expect("a lead");
    let rita_id = rita.me().await.expect("me").user.id;
    admin
        .update_lead(first.id, first.version, &LeadPatch { owner_id: Some(Some(rita_id)), ..Default::default() })
        .await
        .expect("assign one");

    app.advance(chrono::Duration::seconds(window));
    // Two workers (two nodes) at once, then one again: one digest.
    let (a, b) = std::thread::scope(|s| {
        let one = s.spawn(|| app.run_worker());
        let two = s.spawn(|| app.run_worker());
        (one.join().expect("worker"), two.join().expect("worker"))
    });
    assert!(a + b >= 1, "the digest job ran");
    app.run_worker();
    let told = unread(&maya).await;
    let digests: Vec<_> = told.iter().filter(|n| n.kind == "lead_unassigned").collect();
    assert_eq!(digests.len(), 1, "{told:?}");
    assert_eq!(digests[0].title, "6 new leads are unassigned");
    assert!(digests[0].body.contains("Visitor") && digests[0].body.contains("and 3 more"), "{}", digests[0].body);
    assert_eq!(digests[0].entity.as_deref(), Some("unassigned_leads"), "it opens the queue");
    let admin_told = unread(&admin).await;
    assert_eq!(admin_told.iter().filter(|n| n.kind == "lead_unassigned").count(), 1, "admins manage leads too");
    assert!(unread(&rita).await.iter().all(|n| n.kind != "lead_unassigned"), "a rep does not assign");

    // The job run again (a worker that died after telling, its lease run out): nobody is told twice.
    let n = app.clock().now().timestamp() / window - 1;
    let from = chrono::DateTime::from_timestamp(n * window, 0).expect("from");
    let job = kith_db::core::jobs::LeasedJob {
        id: kith_domain::JobId(uuid::Uuid::now_v7()),
        org_id: Some(admin_me.organization.id),
        kind: kith_db::leads::unassigned::DIGEST_JOB.into(),
        payload: serde_json::json!({
            "window": n,
            "from": from.to_rfc3339(),
            "to": (from + chrono::Duration::seconds(window)).to_rfc3339(),
        }),
        attempts: 2,
        max_attempts: 8,
    };
    let mut conn = app.pool.get().expect("conn");
    kith_db::leads::unassigned::run_digest(&mut conn, &job).expect("rerun");
    drop(conn);
    assert_eq!(unread(&maya).await.iter().filter(|n| n.kind == "lead_unassigned").count(), 1);
}

//! One score per lead at every instant: the list (its sort and `min_score` filter), the lead's page
//! and its breakdown, and the qualify threshold all see the same number — also in the moment after
//! a decay step passes and before the worker has polled (these tests never run the worker).

use chrono::Duration;
use kith_client::Client;
use kith_domain::leads::rules::*;
use kith_domain::leads::*;
use kith_domain::LeadId;
use kith_tests::TestApp;

fn rule(name: &str, trigger: ScoreTrigger, points: i32, decay_days: Option<u32>) -> ScoringRuleInput {
    ScoringRuleInput { name: name.into(), trigger, points, decay_days, active: true }
}

fn title_has_ceo() -> ScoreTrigger {
    let ceo =
        Condition { field: "title".into(), op: Operator::Contains, values: vec!["ceo".into()], min: None, max: None };
    ScoreTrigger::Attribute { conditions: vec![ceo] }
}

fn did(behaviour: Behaviour) -> ScoreTrigger {
    ScoreTrigger::Behaviour { behaviour, max_times: None }
}

/// (name, stored score) of the leads a list with `min_score` shows, highest first.
async fn listed(client: &Client, min_score: Option<i32>) -> Vec<(String, i32)> {
    let q = LeadListQuery { sort: Some("-score".into()), min_score, ..Default::default() };
    client.list_leads(&q).await.expect("list").items.into_iter().map(|l| (l.first_name, l.score)).collect()
}

/// The lead page's score, its breakdown's total and the sum of the breakdown's lines.
async fn page(client: &Client, id: LeadId) -> (i32, i32, i32, LeadStatus) {
    let d = client.get_lead(id).await.expect("lead");
    (d.lead.score, d.score.total, d.score.lines.iter().map(|l| l.points).sum(), d.lead.status)
}

#[tokio::test]
async fn list_page_breakdown_and_threshold_agree_right_after_a_decay_step_without_the_worker() {
    let app = TestApp::spawn().await;
    let today = app.clock().now().date_naive();
    app.set_clock(today.and_hms_opt(10, 30, 0).expect("10:30").and_utc() + Duration::days(1));
    let (admin, _) = app.signup("Acme").await;
    // 10 points fading over 2 days: one point every 4.8 hours.
    admin.create_scoring_rule(&rule("Opened the offer", did(Behaviour::EmailOpened), 10, Some(2))).await.expect("rule");
    let ceo = title_has_ceo();
    admin.create_scoring_rule(&rule("Decision maker", ceo, 7, None)).await.expect("rule");
    admin.create_scoring_rule(&rule("Replied", did(Behaviour::EmailReplied), 4, None)).await.expect("rule");
    // A penalty fading over a day (a point every 12 hours): the score rises to the threshold.
    admin.create_scoring_rule(&rule("Bounced off", did(Behaviour::PageVisit), -2, Some(1))).await.expect("rule");
    admin
        .put_lead_settings(&LeadSettings {
            duplicate_rule: DuplicateRule::EmailOrPhone,
            qualify_threshold: Some(11),
            fallback_owner_id: None,
        })
        .await
        .expect("settings");
    let act = |b: Behaviour| NewLeadActivity { behaviour: b, occurred_at: None, note: None };
    let ann = admin
        .create_lead(&NewLead {
            first_name: "Ann".into(),
            email: Some("ann@example.test".into()),
            ..Default::default()
        })
        .await
        .expect("Ann");
    admin.add_lead_activity(ann.id, &act(Behaviour::EmailOpened)).await.expect("open");
    let cy = admin
        .create_lead(&NewLead {
            first_name: "Cy".into(),
            title: "CEO".into(),
            email: Some("cy@example.test".into()),
            ..Default::default()
        })
        .await
        .expect("Cy");
    admin.add_lead_activity(cy.id, &act(Behaviour::EmailReplied)).await.expect("reply");
    admin.add_lead_activity(cy.id, &act(Behaviour::PageVisit)).await.expect("visit");
    assert_eq!(listed(&admin, None).await, [("Ann".into(), 10), ("Cy".into(), 9)]);

    // Five hours on, Ann's first step (4.8 h) has passed and no worker ran: the list already sorts
    // and filters by 9, and her page says 9 and explains 9.
    app.advance(Duration::hours(5));
    assert_eq!(listed(&admin, None).await, [("Cy".into(), 9), ("Ann".into(), 9)]);
    assert_eq!(listed(&admin, Some(10)).await, [] as [(String, i32); 0], "nobody has 10 any more");
    assert_eq!(page(&admin, ann.id).await, (9, 9, 9, LeadStatus::New));

    // A day on, Cy's penalty has faded: read first on his page, which answers 11 — stored, so the
    // threshold qualified him — and the list agrees.
    app.advance(Duration::hours(19) + Duration::minutes(1));
    assert_eq!(page(&admin, cy.id).await, (11, 11, 11, LeadStatus::Qualified));
    assert_eq!(listed(&admin, Some(5)).await, [("Cy".into(), 11), ("Ann".into(), 5)]);
    assert_eq!(page(&admin, ann.id).await, (5, 5, 5, LeadStatus::New));
    let qualified = admin
        .lead_events(cy.id)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.kind == LeadEventKind::StatusChanged && e.to.as_deref() == Some("qualified"))
        .count();
    assert_eq!(qualified, 1, "the threshold acted once");
}

#[tokio::test]
async fn an_import_scores_and_qualifies_its_leads_like_any_other_write() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let ceo = title_has_ceo();
    admin.create_scoring_rule(&rule("Decision maker", ceo, 7, None)).await.expect("rule");
    admin
        .put_lead_settings(&LeadSettings {
            duplicate_rule: DuplicateRule::EmailOrPhone,
            qualify_threshold: Some(7),
            fallback_owner_id: None,
        })
        .await
        .expect("settings");
    let old = admin
        .create_lead(&NewLead {
            first_name: "Old".into(),
            email: Some("old@example.test".into()),
            ..Default::default()
        })
        .await
        .expect("lead");
    assert_eq!(old.score, 0);
    // One row updates Old (now a CEO), one creates a new CEO: both reach the threshold.
    let csv = "email,title\nold@example.test,CEO\nnew@example.test,CEO\n".to_owned();
    let upload =
        super::imports::mapped(&admin, "titles.csv", csv, kith_domain::leads::imports::DuplicatePolicy::Update).await;
    admin.start_import(upload.id).await.expect("start");
    super::imports::run_until_done(&app);
    let mut scored = listed(&admin, Some(7)).await;
    scored.sort();
    assert_eq!(scored, [("".into(), 7), ("Old".into(), 7)], "the list sees the title's points");
    assert_eq!(page(&admin, old.id).await, (7, 7, 7, LeadStatus::Qualified));
    let statuses: Vec<LeadStatus> =
        admin.list_leads(&LeadListQuery::default()).await.expect("list").items.into_iter().map(|l| l.status).collect();
    assert_eq!(statuses, [LeadStatus::Qualified, LeadStatus::Qualified], "the threshold acted on both");
}

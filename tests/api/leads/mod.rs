//! Leads as a sales team uses them: capture, duplicates, scoring, assignment, status machine,
//! timeline, bulk changes, export, visibility by role, revisits.

mod browser_fixes;
mod browser_phone;
mod call_lists;
mod countries;
mod first_use;
pub(crate) mod imports;
mod inbound;
mod merge;
mod record_scope;
mod rules;
mod score_agreement;
pub(crate) mod webforms;

use chrono::Duration;
use kith_client::Client;
use kith_domain::core::notifications::NotificationQuery;
use kith_domain::leads::rules::*;
use kith_domain::leads::*;
use kith_domain::UserId;
use kith_tests::TestApp;

fn lead(first: &str, email: &str) -> NewLead {
    NewLead {
        first_name: first.into(),
        last_name: "Example".into(),
        email: Some(email.into()),
        company_name: "Acme".into(),
        ..Default::default()
    }
}

fn cond(field: &str, op: Operator, values: &[&str]) -> Condition {
    Condition { field: field.into(), op, values: values.iter().map(|s| s.to_string()).collect(), min: None, max: None }
}

async fn create_status(client: &Client, new: &NewLead) -> (u16, LeadView) {
    let r = client.request(reqwest::Method::POST, "/api/v1/leads").json(new).send().await.expect("send");
    let status = r.status().as_u16();
    let body = r.text().await.expect("body");
    (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{status} {body}: {e}")))
}

#[tokio::test]
async fn a_rep_creates_a_lead_owns_it_and_another_rep_cannot_see_it() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (rita, rita_me) = app.add_user(&admin, "sales", "Rita Rep").await;
    let (sam, _) = app.add_user(&admin, "sales", "Sam Rep").await;
    let created = rita.create_lead(&lead("Ann", "Ann@Example.test")).await.expect("create");
    assert_eq!(created.owner_id, Some(rita_me.user.id));
    assert_eq!(created.email.as_deref(), Some("ann@example.test"));
    assert_eq!(created.source, LeadSource::Manual);
    assert_eq!(rita.list_leads(&LeadListQuery::default()).await.expect("list").items.len(), 1);
    assert!(sam.list_leads(&LeadListQuery::default()).await.expect("list").items.is_empty());
    assert_eq!(sam.get_lead(created.id).await.expect_err("hidden").status(), Some(404));
    let patch = LeadPatch { title: Some("stolen".into()), ..Default::default() };
    assert_eq!(sam.update_lead(created.id, created.version, &patch).await.expect_err("hidden").status(), Some(404));
    // The admin sees everything.
    assert_eq!(admin.list_leads(&LeadListQuery::default()).await.expect("list").items.len(), 1);
    // A support agent has no access to leads at all.
    let (agent, _) = app.add_user(&admin, "support", "Sue Support").await;
    assert_eq!(agent.list_leads(&LeadListQuery::default()).await.expect_err("no module").status(), Some(403));
}

#[tokio::test]
async fn a_lead_must_name_someone_and_bad_fields_are_reported_together() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let err = admin.create_lead(&NewLead::default()).await.expect_err("empty");
    assert_eq!(err.status(), Some(422));
    let err = admin
        .create_lead(&NewLead {
            email: Some("not-an-email".into()),
            country: Some("Germany".into()),
            company_size: Some(0),
            ..Default::default()
        })
        .await
        .expect_err("invalid");
    let p = err.problem().expect("problem");
    for field in ["email", "country", "company_size"] {
        assert!(p.field_message(field).is_some(), "{field}: {p:?}");
    }
}

#[tokio::test]
async fn the_same_person_captured_twice_is_attached_not_duplicated() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (first_status, first) = create_status(
        &admin,
        &NewLead { email: Some("ann@example.test".into()), tags: vec!["Webinar".into()], ..Default::default() },
    )
    .await;
    assert_eq!(first_status, 201);
    let (status, again) = create_status(
        &admin,
        &NewLead {
            first_name: "Ann".into(),
            email: Some(" ANN@example.test ".into()),
            phone: Some("030 1234567".into()),
            country: Some("de".into()),
            tags: vec!["pricing".into()],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(status, 200, "attached");
    assert_eq!(again.id, first.id);
    assert_eq!(again.first_name, "Ann", "blank fields are filled");
    assert_eq!(again.phone_e164.as_deref(), Some("+49301234567"));
    assert_eq!(again.tags, vec!["pricing".to_string(), "webinar".to_string()]);
    // The phone number alone also finds the lead, written any way.
    let (status, by_phone) =
        create_status(&admin, &NewLead { phone: Some("+49 (30) 123-4567".into()), ..Default::default() }).await;
    assert_eq!((status, by_phone.id), (200, first.id));
    let events = admin.lead_events(first.id).await.expect("events");
    assert_eq!(events.iter().filter(|e| e.note.as_deref().is_some_and(|n| n.starts_with("captured again"))).count(), 2);
    assert_eq!(admin.list_leads(&LeadListQuery::default()).await.expect("list").items.len(), 1);

    // With the rule off, every capture is a new lead.
    admin
        .put_lead_settings(&LeadSettings {
            duplicate_rule: DuplicateRule::Off,
            qualify_threshold: None,
            fallback_owner_id: None,
        })
        .await
        .expect("settings");
    let (status, _) =
        create_status(&admin, &NewLead { email: Some("ann@example.test".into()), ..Default::default() }).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn status_changes_follow_the_machine_and_are_kept_as_history() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let (rita, rita_me) = app.add_user(&admin, "sales", "Rita").await;
    let l = admin
        .create_lead(&NewLead { owner_id: Some(me.user.id), ..lead("Ann", "ann@example.test") })
        .await
        .expect("create");
    let nurture = LeadPatch { status: Some(LeadStatus::Nurture), ..Default::default() };
    let err = admin.update_lead(l.id, l.version, &nurture).await.expect_err("needs a date");
    assert!(err.problem().and_then(|p| p.field_message("revisit_on")).is_some());
    let revisit = app.clock().now().date_naive() + Duration::days(30);
    let l = admin
        .update_lead(l.id, l.version, &LeadPatch { revisit_on: Some(revisit), ..nurture.clone() })
        .await
        .expect("nurture");
    assert_eq!((l.status, l.revisit_on), (LeadStatus::Nurture, Some(revisit)));
    let err = admin
        .update_lead(l.id, l.version, &LeadPatch { status: Some(LeadStatus::Converted), ..Default::default() })
        .await
        .expect_err("conversion is not a status change");
    assert!(err.problem().and_then(|p| p.field_message("status")).is_some());
    let l = admin
        .update_lead(l.id, l.version, &LeadPatch { owner_id: Some(Some(rita_me.user.id)), ..Default::default() })
        .await
        .expect("reassign");
    assert_eq!(l.owner_id, Some(rita_me.user.id));
    let kinds: Vec<(LeadEventKind, Option<String>, Option<String>)> =
        admin.lead_events(l.id).await.expect("events").into_iter().map(|e| (e.kind, e.from, e.to)).collect();
    assert!(kinds.contains(&(LeadEventKind::StatusChanged, Some("new".into()), Some("nurture".into()))));
    assert!(kinds.contains(&(
        LeadEventKind::OwnerChanged,
        Some(me.user.id.to_string()),
        Some(rita_me.user.id.to_string())
    )));
    // Rita was told, in the app.
    let inbox =
        rita.notifications(&NotificationQuery { unread: Some(true), ..Default::default() }).await.expect("inbox");
    assert_eq!(inbox.items.len(), 1);
    assert_eq!(inbox.items[0].entity_id.as_deref(), Some(l.id.to_string().as_str()));
    rita.mark_notification_read(inbox.items[0].id).await.expect("read");
    assert!(rita
        .notifications(&NotificationQuery { unread: Some(true), ..Default::default() })
        .await
        .expect("inbox")
        .items
        .is_empty());
}

#[tokio::test]
async fn a_score_is_explained_and_reaching_the_threshold_qualifies_the_lead() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (rita, rita_me) = app.add_user(&admin, "sales", "Rita").await;
    admin
        .create_scoring_rule(&ScoringRuleInput {
            name: "Decision maker".into(),
            trigger: ScoreTrigger::Attribute {
                conditions: vec![cond("title", Operator::Contains, &["ceo", "founder"])],
            },
            points: 20,
            decay_days: None,
            active: true,
        })
        .await
        .expect("rule");
    admin
        .create_scoring_rule(&ScoringRuleInput {
            name: "Visits pricing".into(),
            trigger: ScoreTrigger::Behaviour { behaviour: Behaviour::PageVisit, max_times: Some(3) },
            points: 5,
            decay_days: Some(30),
            active: true,
        })
        .await
        .expect("rule");
    admin
        .put_lead_settings(&LeadSettings {
            duplicate_rule: DuplicateRule::EmailOrPhone,
            qualify_threshold: Some(35),
            fallback_owner_id: None,
        })
        .await
        .expect("settings");
    let l =
        rita.create_lead(&NewLead { title: "CEO".into(), ..lead("Ann", "ann@example.test") }).await.expect("create");
    assert_eq!(l.score, 20);
    let mut detail = None;
    for _ in 0..4 {
        detail = Some(
            admin
                .add_lead_activity(
                    l.id,
                    &NewLeadActivity {
                        behaviour: Behaviour::PageVisit,
                        occurred_at: None,
                        note: Some("/pricing".into()),
                    },
                )
                .await
                .expect("visit"),
        );
    }
    let detail = detail.expect("detail");
    let lines: Vec<(String, i32, u32)> =
        detail.score.lines.iter().map(|l| (l.rule_name.clone(), l.points, l.times)).collect();
    assert_eq!(lines, vec![("Decision maker".into(), 20, 1), ("Visits pricing".into(), 15, 3)]);
    assert_eq!((detail.score.total, detail.lead.score), (35, 35));
    assert_eq!(detail.lead.status, LeadStatus::Qualified);
    let inbox = rita.notifications(&NotificationQuery::default()).await.expect("inbox");
    assert!(inbox.items.iter().any(|n| n.kind == "lead_qualified"), "{inbox:?}");
    assert_eq!(detail.lead.owner_id, Some(rita_me.user.id));
}

/// Name and stored score of the leads a list query returns, in its order.
async fn scores(client: &Client, q: LeadListQuery) -> Vec<(String, i32)> {
    let page = client.list_leads(&LeadListQuery { sort: Some("-score".into()), ..q }).await.expect("list");
    page.items.into_iter().map(|l| (l.first_name, l.score)).collect()
}

#[tokio::test]
async fn the_stored_score_follows_decay_so_lists_filters_and_the_threshold_agree_with_the_breakdown() {
    let app = TestApp::spawn().await;
    // Half past ten, so no step of this test crosses an hour (the worker's maintenance would count).
    let today = app.clock().now().date_naive();
    app.set_clock(today.and_hms_opt(10, 30, 0).expect("10:30").and_utc() + Duration::days(1));
    let (admin, _) = app.signup("Acme").await;
    let rule = |name: &str, trigger: ScoreTrigger, points: i32, decay_days: Option<u32>| ScoringRuleInput {
        name: name.into(),
        trigger,
        points,
        decay_days,
        active: true,
    };
    let behaviour = |b: Behaviour| ScoreTrigger::Behaviour { behaviour: b, max_times: None };
    // 10 points fading over 2 days: one point every 4.8 hours.
    admin
        .create_scoring_rule(&rule("Opened the offer", behaviour(Behaviour::EmailOpened), 10, Some(2)))
        .await
        .expect("rule");
    let ceo = admin
        .create_scoring_rule(&rule(
            "Decision maker",
            ScoreTrigger::Attribute { conditions: vec![cond("title", Operator::Contains, &["ceo"])] },
            7,
            None,
        ))
        .await
        .expect("rule");
    admin.create_scoring_rule(&rule("Replied", behaviour(Behaviour::EmailReplied), 4, None)).await.expect("rule");
    // A penalty that fades over a day: the score rises as it does.
    admin.create_scoring_rule(&rule("Bounced off", behaviour(Behaviour::PageVisit), -2, Some(1))).await.expect("rule");
    admin
        .put_lead_settings(&LeadSettings {
            duplicate_rule: DuplicateRule::EmailOrPhone,
            qualify_threshold: Some(11),
            fallback_owner_id: None,
        })
        .await
        .expect("settings");
    let act = |b: Behaviour| NewLeadActivity { behaviour: b, occurred_at: None, note: None };
    let ann = admin.create_lead(&lead("Ann", "ann@example.test")).await.expect("Ann");
    admin.add_lead_activity(ann.id, &act(Behaviour::EmailOpened)).await.expect("open");
    admin.create_lead(&NewLead { title: "CEO".into(), ..lead("Bo", "bo@example.test") }).await.expect("Bo");
    let cy = admin.create_lead(&NewLead { title: "CEO".into(), ..lead("Cy", "cy@example.test") }).await.expect("Cy");
    admin.add_lead_activity(cy.id, &act(Behaviour::EmailReplied)).await.expect("reply");
    admin.add_lead_activity(cy.id, &act(Behaviour::PageVisit)).await.expect("visit");
    app.run_worker();
    let all = LeadListQuery::default;
    assert_eq!(scores(&admin, all()).await, [("Ann".into(), 10), ("Cy".into(), 9), ("Bo".into(), 7)]);

    // A minute before Ann's fifth step (24 h: 5 × 4.8 h) she has 6; a minute after, 5.
    app.advance(Duration::days(1) - Duration::minutes(1));
    app.run_worker();
    // Cy's penalty is down to its last point (one step every 12 hours).
    assert_eq!(
        scores(&admin, LeadListQuery { min_score: Some(6), ..all() }).await,
        [("Cy".into(), 10), ("Bo".into(), 7), ("Ann".into(), 6)]
    );
    app.advance(Duration::minutes(2));
    app.run_worker();
    // Cy's penalty has faded: 7 + 4 = 11 reaches the threshold, and the worker qualified him.
    assert_eq!(
        scores(&admin, LeadListQuery { min_score: Some(6), ..all() }).await,
        [("Cy".into(), 11), ("Bo".into(), 7)]
    );
    let ann_now = admin.get_lead(ann.id).await.expect("Ann");
    assert_eq!((ann_now.lead.score, ann_now.score.total), (5, 5));
    assert_eq!(ann_now.score.lines.iter().map(|l| l.points).sum::<i32>(), 5);
    let cy_now = admin.get_lead(cy.id).await.expect("Cy");
    assert_eq!((cy_now.lead.score, cy_now.lead.status), (11, LeadStatus::Qualified));
    let qualified = admin
        .lead_events(cy.id)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.kind == LeadEventKind::StatusChanged && e.to.as_deref() == Some("qualified"))
        .count();
    assert_eq!(qualified, 1, "the threshold acted once");

    // Two days on, the offer has faded out: nothing more will change by itself.
    app.advance(Duration::days(2));
    app.run_worker();
    assert_eq!(scores(&admin, all()).await, [("Cy".into(), 11), ("Bo".into(), 7), ("Ann".into(), 0)]);
    assert!(admin.get_lead(ann.id).await.expect("Ann").score.lines.is_empty());
    assert_eq!(app.run_worker(), 0, "no lead is due again");

    // A changed rule rescores every lead.
    admin
        .update_scoring_rule(
            ceo.id,
            ceo.version,
            &rule(
                "Decision maker",
                ScoreTrigger::Attribute { conditions: vec![cond("title", Operator::Contains, &["ceo"])] },
                9,
                None,
            ),
        )
        .await
        .expect("rule");
    assert_eq!(app.run_worker(), 3, "all three leads rescored");
    assert_eq!(scores(&admin, all()).await, [("Cy".into(), 13), ("Bo".into(), 9), ("Ann".into(), 0)]);
}

#[tokio::test]
async fn new_leads_are_assigned_round_robin_and_owners_are_told() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let team = admin
        .create_team(&kith_domain::identity::NewTeam { name: "DACH".into(), description: String::new() })
        .await
        .expect("team");
    let mut reps: Vec<UserId> = Vec::new();
    for name in ["Rita", "Sam"] {
        let (_, me) = app.add_user(&admin, "sales", name).await;
        admin
            .update_user(
                me.user.id,
                me.user.version,
                &kith_domain::identity::UserPatch { team_id: Some(Some(team.id)), ..Default::default() },
            )
            .await
            .expect("join team");
        reps.push(me.user.id);
    }
    reps.sort();
    admin
        .create_assignment_rule(&AssignmentRuleInput {
            name: "DACH by turns".into(),
            conditions: vec![cond("country", Operator::In, &["de", "at", "ch"])],
            target: AssignTarget::RoundRobin { team_id: team.id },
            capacity: None,
            active: true,
            position: None,
        })
        .await
        .expect("rule");
    let mut owners = Vec::new();
    for i in 0..4 {
        let l = admin
            .create_lead(&NewLead {
                country: Some("DE".into()),
                ..lead(&format!("L{i}"), &format!("l{i}@example.test"))
            })
            .await
            .expect("create");
        owners.push(l.owner_id.expect("assigned"));
        assert_eq!(l.team_id, Some(team.id));
    }
    assert_eq!(owners, vec![reps[0], reps[1], reps[0], reps[1]]);
    let outside = admin
        .create_lead(&NewLead { country: Some("FR".into()), ..lead("Zoe", "zoe@example.test") })
        .await
        .expect("create");
    assert_eq!(outside.owner_id, None, "no rule matches France");
    let unassigned =
        admin.list_leads(&LeadListQuery { unassigned: Some(true), ..Default::default() }).await.expect("list");
    assert_eq!(unassigned.items.iter().map(|l| l.id).collect::<Vec<_>>(), vec![outside.id]);
}

#[tokio::test]
async fn bulk_changes_apply_to_each_lead_wholly_or_not_at_all() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (_, rita) = app.add_user(&admin, "sales", "Rita").await;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(admin.create_lead(&lead(&format!("L{i}"), &format!("l{i}@example.test"))).await.expect("create").id);
    }
    let lost = admin.get_lead(ids[2]).await.expect("get").lead;
    admin
        .update_lead(
            lost.id,
            lost.version,
            &LeadPatch {
                status: Some(LeadStatus::Disqualified),
                disqualify_reason: Some("No budget".into()),
                ..Default::default()
            },
        )
        .await
        .expect("disqualify");
    let result = admin
        .bulk_update_leads(&BulkLeadUpdate {
            ids: ids.clone(),
            owner_id: Some(Some(rita.user.id)),
            status: Some(LeadStatus::Contacted),
            add_tags: vec!["Q4".into()],
            ..Default::default()
        })
        .await
        .expect("bulk");
    assert_eq!(result.updated, ids[..2].to_vec());
    assert_eq!(result.failed.len(), 1);
    assert_eq!(result.failed[0].id, ids[2]);
    assert_eq!(result.failed[0].errors[0].field, "status");
    let untouched = admin.get_lead(ids[2]).await.expect("get").lead;
    assert_eq!((untouched.owner_id, untouched.tags.len()), (lost.owner_id, 0), "the refused lead did not half-change");
    let changed = admin.get_lead(ids[0]).await.expect("get").lead;
    assert_eq!(
        (changed.owner_id, changed.status, changed.tags.clone()),
        (Some(rita.user.id), LeadStatus::Contacted, vec!["q4".to_string()])
    );
}

#[tokio::test]
async fn leads_are_searched_filtered_and_paged_by_score() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    admin
        .create_scoring_rule(&ScoringRuleInput {
            name: "Big".into(),
            trigger: ScoreTrigger::Attribute {
                conditions: vec![Condition {
                    field: "company_size".into(),
                    op: Operator::Between,
                    values: vec![],
                    min: Some(100),
                    max: None,
                }],
            },
            points: 10,
            decay_days: None,
            active: true,
        })
        .await
        .expect("rule");
    for i in 0..12 {
        admin
            .create_lead(&NewLead {
                company_name: format!("Company {i}"),
                company_size: Some(if i % 2 == 0 { 500 } else { 5 }),
                tags: if i % 3 == 0 { vec!["event".into()] } else { vec![] },
                ..lead(&format!("Person{i}"), &format!("p{i}@example.test"))
            })
            .await
            .expect("create");
    }
    let found =
        admin.list_leads(&LeadListQuery { q: Some("person1".into()), ..Default::default() }).await.expect("search");
    assert_eq!(found.items.len(), 3, "Person1, Person10, Person11");
    let found =
        admin.list_leads(&LeadListQuery { q: Some("COMPANY 7".into()), ..Default::default() }).await.expect("search");
    assert_eq!(found.items.len(), 1);
    let tagged =
        admin.list_leads(&LeadListQuery { tag: Some("Event".into()), ..Default::default() }).await.expect("tag");
    assert_eq!(tagged.items.len(), 4);
    let scored = admin.list_leads(&LeadListQuery { min_score: Some(10), ..Default::default() }).await.expect("score");
    assert_eq!(scored.items.len(), 6);
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = admin
            .list_leads(&LeadListQuery {
                sort: Some("-score".into()),
                limit: Some(5),
                cursor: cursor.clone(),
                ..Default::default()
            })
            .await
            .expect("page");
        seen.extend(page.items.iter().map(|l| (l.score, l.id)));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 12);
    assert!(seen.windows(2).all(|w| w[0].0 >= w[1].0), "sorted by score, descending");
}

#[tokio::test]
async fn a_search_finds_every_word_anywhere_and_follows_edits_deletes_and_purges() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let search = |q: &str| {
        let (admin, q) = (admin.clone(), q.to_owned());
        async move {
            let page = admin.list_leads(&LeadListQuery { q: Some(q), ..Default::default() }).await.expect("search");
            let mut names: Vec<String> = page.items.into_iter().map(|l| l.first_name).collect();
            names.sort();
            names
        }
    };
    let jane = admin
        .create_lead(&NewLead {
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            email: Some("jane.doe@initech.test".into()),
            phone: Some("+44 20 7946 0958".into()),
            company_name: "Initech Ltd".into(),
            ..Default::default()
        })
        .await
        .expect("jane");
    admin
        .create_lead(&NewLead {
            first_name: "Janet".into(),
            last_name: "Smith".into(),
            email: Some("janet@globex.test".into()),
            company_name: "Globex".into(),
            ..Default::default()
        })
        .await
        .expect("janet");

    // Fragments of a name, an email and a company, in any order and any case; every word must match.
    assert_eq!(search("jan").await, vec!["Jane", "Janet"]);
    assert_eq!(search("JANE initech").await, vec!["Jane"]);
    assert_eq!(search("e.doe@init").await, vec!["Jane"]);
    assert_eq!(search("globex doe").await, Vec::<String>::new(), "no lead has both words");
    assert_eq!(search("7946").await, vec!["Jane"], "phone digits as typed");
    assert_eq!(search("sm t").await, vec!["Janet"], "words shorter than three characters still count");
    // Wildcards and quotes are plain characters: "100%" is not "100 anything", "a_c" is not "abc".
    for (first, company) in [("Percy", "100% Organic"), ("Thousand", "1000 Oaks"), ("Abe", "Abc Corp")] {
        admin
            .create_lead(&NewLead { first_name: first.into(), company_name: company.into(), ..Default::default() })
            .await
            .expect("lead");
    }
    assert_eq!(search("100%").await, vec!["Percy"]);
    assert_eq!(search("a_c").await, Vec::<String>::new());
    assert_eq!(search("\"abc").await, Vec::<String>::new());
    assert_eq!(search("abc").await, vec!["Abe"]);

    // The index follows an edit: the old company no longer finds her, the new one does.
    let jane = admin
        .update_lead(jane.id, jane.version, &LeadPatch { company_name: Some("Umbrella".into()), ..Default::default() })
        .await
        .expect("rename");
    assert_eq!(search("initech ltd").await, Vec::<String>::new());
    assert_eq!(search("umbrel").await, vec!["Jane"]);

    // Deleted leads are not found; restored ones are; purged ones leave nothing behind in the index.
    admin.delete_lead(jane.id).await.expect("delete");
    assert_eq!(search("umbrella").await, Vec::<String>::new());
    admin.restore_lead(jane.id).await.expect("restore");
    assert_eq!(search("umbrella").await, vec!["Jane"]);
    admin.delete_lead(jane.id).await.expect("delete again");
    {
        use diesel::RunQueryDsl;
        let mut conn = app.pool.get().expect("conn");
        app.advance(Duration::days(kith_domain::core::recycle::RETENTION_DAYS) - Duration::minutes(1));
        assert_eq!(kith_db::core::recycle::purge_expired(&mut conn).expect("purge"), 0, "a minute early");
        app.advance(Duration::minutes(2));
        assert_eq!(kith_db::core::recycle::purge_expired(&mut conn).expect("purge"), 1);
        if matches!(*conn, kith_db::DbConnection::Sqlite(_)) {
            #[derive(diesel::QueryableByName)]
            struct Count {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let left: Count = diesel::sql_query(
                "SELECT (SELECT count(*) FROM fts_search WHERE fts_search MATCH '\"umbrella\"') \
                 + (SELECT count(*) FROM search_documents d LEFT JOIN leads l ON l.id = d.record_id \
                    WHERE d.record_kind = 'lead' AND l.id IS NULL) \
                 + (SELECT count(*) FROM fts_search_dirty) AS n",
            )
            .get_result(&mut *conn)
            .expect("index rows");
            assert_eq!(left.n, 0, "the purged lead is gone from the search index");
        }
    }
    // A month has passed: the admin signs in again.
    admin.login(&me.user.email, kith_tests::PASSWORD).await.expect("login");
    assert_eq!(search("jan").await, vec!["Janet"]);
}

#[tokio::test]
async fn the_csv_export_never_hands_a_spreadsheet_a_formula() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    admin
        .create_lead(&NewLead {
            first_name: "=HYPERLINK(\"http://evil\")".into(),
            last_name: "+1".into(),
            company_name: "@SUM(A1)".into(),
            title: "-2".into(),
            ..lead("x", "evil@example.test")
        })
        .await
        .expect("create");
    let csv = admin.export_leads_csv(&LeadListQuery::default()).await.expect("export");
    let mut lines = csv.lines();
    assert!(lines.next().expect("header").starts_with("\"id\",\"first_name\""));
    let row = lines.next().expect("row");
    assert!(row.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "{row}");
    assert!(row.contains("\"'+1\"") && row.contains("\"'@SUM(A1)\"") && row.contains("\"'-2\""), "{row}");
    let (rep, _) = app.add_user(&admin, "support", "Sue").await;
    assert_eq!(rep.export_leads_csv(&LeadListQuery::default()).await.expect_err("no access").status(), Some(403));
}

#[tokio::test]
async fn another_organization_cannot_touch_our_leads() {
    let app = TestApp::spawn().await;
    let (victim, _) = app.signup("Victim").await;
    let l = victim.create_lead(&lead("Ann", "ann@victim.test")).await.expect("create");
    let (attacker, _) = app.signup("Attacker").await;
    assert_eq!(attacker.get_lead(l.id).await.expect_err("foreign").status(), Some(404));
    assert_eq!(attacker.lead_events(l.id).await.expect_err("foreign").status(), Some(404));
    assert_eq!(attacker.delete_lead(l.id).await.expect_err("foreign").status(), Some(404));
    assert_eq!(
        attacker
            .update_lead(l.id, l.version, &LeadPatch { title: Some("x".into()), ..Default::default() })
            .await
            .expect_err("foreign")
            .status(),
        Some(404)
    );
    let bulk = attacker
        .bulk_update_leads(&BulkLeadUpdate { ids: vec![l.id], add_tags: vec!["pwned".into()], ..Default::default() })
        .await
        .expect("bulk");
    assert_eq!((bulk.updated.len(), bulk.failed.len()), (0, 1));
    // Capturing the same email in the attacker's organization makes their own lead, never attaches to ours.
    let (status, theirs) = create_status(&attacker, &lead("Ann", "ann@victim.test")).await;
    assert_eq!(status, 201);
    assert_ne!(theirs.id, l.id);
    assert!(attacker.list_leads(&LeadListQuery::default()).await.expect("list").items.iter().all(|x| x.id != l.id));
    assert_eq!(victim.get_lead(l.id).await.expect("still ours").lead.tags.len(), 0);
}

#[tokio::test]
async fn a_nurtured_lead_comes_back_to_its_owner_on_the_revisit_date() {
    let app = TestApp::spawn().await;
    // Half past ten: the days below never start a minute early or late.
    let today = app.clock().now().date_naive() + Duration::days(1);
    app.set_clock(today.and_hms_opt(10, 30, 0).expect("10:30").and_utc());
    let (admin, _) = app.signup("Acme").await;
    let (rita, _) = app.add_user(&admin, "sales", "Rita").await;
    let l = rita.create_lead(&lead("Ann", "ann@example.test")).await.expect("create");
    let revisit = today + Duration::days(10);
    rita.update_lead(
        l.id,
        l.version,
        &LeadPatch { status: Some(LeadStatus::Nurture), revisit_on: Some(revisit), ..Default::default() },
    )
    .await
    .expect("nurture");
    // The hourly maintenance brings it back on the revisit date, not the day before, and once.
    app.advance(Duration::days(9) + Duration::hours(13));
    app.run_worker();
    assert_eq!(rita.get_lead(l.id).await.expect("get").lead.status, LeadStatus::Nurture, "the evening before");
    app.advance(Duration::hours(2));
    app.run_worker();
    app.advance(Duration::hours(1));
    app.run_worker();
    let back = rita.get_lead(l.id).await.expect("get").lead;
    assert_eq!((back.status, back.revisit_on), (LeadStatus::Working, None));
    let inbox = rita.notifications(&NotificationQuery::default()).await.expect("inbox");
    assert_eq!(inbox.items.iter().filter(|n| n.kind == "lead_revisit").count(), 1);
}

#[tokio::test]
async fn a_deleted_lead_can_be_restored_from_the_bin() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let l = admin.create_lead(&lead("Ann", "ann@example.test")).await.expect("create");
    admin.delete_lead(l.id).await.expect("delete");
    assert_eq!(admin.get_lead(l.id).await.expect_err("gone").status(), Some(404));
    let bin = admin.recycle_bin(&Default::default()).await.expect("bin");
    assert_eq!(bin.items[0].label, "Ann Example");
    let back = admin.restore_lead(l.id).await.expect("restore");
    assert_eq!(back.email.as_deref(), Some("ann@example.test"));
}

#[tokio::test]
async fn many_people_creating_leads_at_once_all_succeed() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let mut tasks = Vec::new();
    for w in 0..8 {
        let client = admin.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..15 {
                client
                    .create_lead(&lead(&format!("W{w}N{i}"), &format!("w{w}n{i}@example.test")))
                    .await
                    .expect("no request fails under contention");
            }
        }));
    }
    for t in tasks {
        t.await.expect("writer");
    }
    let mut seen = 0;
    let mut cursor = None;
    loop {
        let page =
            admin.list_leads(&LeadListQuery { limit: Some(200), cursor, ..Default::default() }).await.expect("list");
        seen += page.items.len();
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, 120);
}

#[tokio::test]
async fn the_assignment_rules_can_be_applied_again_to_a_selection() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(admin.create_lead(&lead(&format!("L{i}"), &format!("l{i}@example.test"))).await.expect("create").id);
    }
    let (_, rita) = app.add_user(&admin, "sales", "Rita").await;
    admin
        .create_assignment_rule(&AssignmentRuleInput {
            name: "All to Rita".into(),
            conditions: vec![],
            target: AssignTarget::User { user_id: rita.user.id },
            capacity: Some(2),
            active: true,
            position: None,
        })
        .await
        .expect("rule");
    let result = admin
        .bulk_update_leads(&BulkLeadUpdate { ids: ids.clone(), apply_assignment_rules: true, ..Default::default() })
        .await
        .expect("bulk");
    assert_eq!(result.updated, ids[..2].to_vec(), "Rita's capacity is two");
    assert_eq!(result.failed[0].errors[0].code, "no_rule");
    assert_eq!(admin.get_lead(ids[0]).await.expect("lead").lead.owner_id, Some(rita.user.id));
}

#[tokio::test]
async fn saved_views_are_personal_unless_shared_and_only_their_owner_or_an_admin_changes_them() {
    let app = TestApp::spawn().await;
    let (admin, admin_me) = app.signup("Acme").await;
    let (rita, rita_me) = app.add_user(&admin, "sales", "Rita Rep").await;
    let (sam, _) = app.add_user(&admin, "sales", "Sam Rep").await;
    let hot = LeadListQuery {
        status: Some(LeadStatus::Working),
        min_score: Some(50),
        sort: Some("-score".into()),
        cursor: Some("not kept".into()),
        limit: Some(10),
        ..Default::default()
    };
    let mine = rita
        .create_lead_view(&LeadViewInput { name: "My hot leads".into(), filters: hot.clone(), shared: false })
        .await
        .expect("save");
    assert_eq!((mine.owner_id, mine.editable), (rita_me.user.id, true));
    assert_eq!(mine.filters, LeadListQuery { cursor: None, limit: None, ..hot.clone() }, "a view never keeps a page");
    let team = rita
        .create_lead_view(&LeadViewInput {
            name: "Germany".into(),
            filters: LeadListQuery { country: Some("DE".into()), ..Default::default() },
            shared: true,
        })
        .await
        .expect("share");
    let dup = rita
        .create_lead_view(&LeadViewInput { name: "Germany".into(), filters: hot.clone(), shared: false })
        .await
        .expect_err("same name twice");
    assert_eq!(dup.problem().and_then(|p| p.errors.first().map(|e| e.code.clone())).as_deref(), Some("taken"));

    // Sam sees the shared view only, and cannot change it; the admin can.
    let seen: Vec<(String, bool)> =
        sam.lead_views().await.expect("views").into_iter().map(|v| (v.name, v.editable)).collect();
    assert_eq!(seen, vec![("Germany".to_owned(), false)]);
    let refused = sam
        .update_lead_view(team.id, team.version, &LeadViewInput { name: "Mine now".into(), ..Default::default() })
        .await
        .expect_err("not his");
    assert_eq!(refused.problem().map(|p| p.status), Some(403));
    assert_eq!(sam.delete_lead_view(mine.id).await.expect_err("private").problem().map(|p| p.status), Some(404));
    let renamed = admin
        .update_lead_view(
            team.id,
            team.version,
            &LeadViewInput {
                name: "DACH".into(),
                filters: LeadListQuery { country: Some("AT".into()), ..Default::default() },
                shared: true,
            },
        )
        .await
        .expect("admin renames");
    assert_eq!((renamed.name.as_str(), renamed.owner_id), ("DACH", rita_me.user.id));
    let stale = rita
        .update_lead_view(team.id, team.version, &LeadViewInput { name: "Old".into(), ..Default::default() })
        .await
        .expect_err("stale version");
    assert_eq!(stale.problem().map(|p| p.status), Some(412));
    let names: Vec<String> = rita.lead_views().await.expect("views").into_iter().map(|v| v.name).collect();
    assert_eq!(names, vec!["DACH", "My hot leads"]);
    // An administrator may take a view out of sharing; then it is Rita's alone again.
    let private = admin
        .update_lead_view(
            team.id,
            renamed.version,
            &LeadViewInput { name: "DACH".into(), filters: renamed.filters.clone(), shared: false },
        )
        .await
        .expect("admin unshares");
    assert!(!private.shared);
    assert!(sam.lead_views().await.expect("views").is_empty());
    let unusable = rita
        .create_lead_view(&LeadViewInput {
            name: "Shoe size".into(),
            filters: LeadListQuery { sort: Some("shoe_size".into()), ..Default::default() },
            shared: false,
        })
        .await
        .expect_err("a view must open");
    assert!(unusable.problem().and_then(|p| p.field_message("filters.sort")).is_some(), "{unusable:?}");
    assert!(admin.lead_views().await.expect("views").iter().all(|v| v.owner_id != admin_me.user.id));

    // Another organization sees none of it; API keys have no views.
    let (other, _) = app.signup("Globex").await;
    assert!(other.lead_views().await.expect("views").is_empty());
    assert_eq!(other.delete_lead_view(team.id).await.expect_err("foreign").problem().map(|p| p.status), Some(404));
    let key = admin
        .create_api_key(&kith_domain::identity::NewApiKey {
            name: "integration".into(),
            role_id: admin_me.role.id,
            expires_at: None,
        })
        .await
        .expect("key");
    let api = Client::with_api_key(&app.address, &key.secret);
    assert_eq!(api.lead_views().await.expect_err("no person").problem().map(|p| p.status), Some(403));
    rita.delete_lead_view(mine.id).await.expect("delete own");
    assert_eq!(rita.lead_views().await.expect("views").len(), 1);
    let _ = private;
}

#[tokio::test]
async fn an_export_streams_every_lead_once_across_pages() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    admin
        .put_lead_settings(&LeadSettings {
            duplicate_rule: DuplicateRule::Off,
            qualify_threshold: None,
            fallback_owner_id: None,
        })
        .await
        .expect("settings");
    let n = kith_domain::core::page::MAX_LIMIT as usize + 37;
    for i in 0..n {
        admin.create_lead(&lead(&format!("P{i}"), &format!("p{i}@export.test"))).await.expect("create");
    }
    let csv = admin.export_leads_csv(&LeadListQuery::default()).await.expect("export");
    let mut emails: Vec<&str> = csv.lines().skip(1).filter_map(|l| l.split("\",\"").nth(4)).collect();
    assert_eq!(emails.len(), n, "one row per lead, header apart");
    emails.sort();
    emails.dedup();
    assert_eq!(emails.len(), n, "no lead twice where pages meet");
    let bad = admin
        .export_leads_csv(&LeadListQuery { sort: Some("shoe_size".into()), ..Default::default() })
        .await
        .expect_err("bad sort");
    assert_eq!(bad.problem().map(|p| p.status), Some(422), "a bad query fails before the download starts");
}

//! Custom lead fields as an admin and a sales team use them: typed definitions, validated values,
//! filtering, rules on them, and tenancy.

use std::collections::BTreeMap;

use kith_client::Client;
use kith_domain::core::custom_fields::*;
use kith_domain::leads::rules::*;
use kith_domain::leads::*;
use kith_tests::TestApp;
use serde_json::{json, Value};

fn custom(v: Value) -> BTreeMap<String, Value> {
    serde_json::from_value(v).expect("map")
}

fn field(key: &str, label: &str, kind: CustomFieldKind, options: &[&str]) -> CustomFieldInput {
    CustomFieldInput {
        record_kind: "lead".into(),
        key: key.into(),
        label: label.into(),
        help_text: None,
        kind,
        options: options.iter().map(|s| s.to_string()).collect(),
        required: false,
        position: None,
    }
}

/// An admin's organization with a select field "Budget" and a number field "Seats".
async fn budget_and_seats(admin: &Client) -> (CustomFieldView, CustomFieldView) {
    let budget = admin
        .create_custom_field(&field("budget", "Budget", CustomFieldKind::Select, &["Under 10k", "10k-50k", "Over 50k"]))
        .await
        .expect("budget");
    let seats = admin.create_custom_field(&field("seats", "Seats", CustomFieldKind::Number, &[])).await.expect("seats");
    (budget, seats)
}

fn person(first: &str, custom_values: Value) -> NewLead {
    NewLead {
        first_name: first.into(),
        email: Some(format!("{}@example.test", first.to_lowercase())),
        custom: custom(custom_values),
        ..Default::default()
    }
}

#[tokio::test]
async fn an_admin_defines_fields_and_leads_carry_and_filter_by_them() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (budget, seats) = budget_and_seats(&admin).await;
    assert_eq!((budget.position, seats.position), (0, 1));
    let listed = admin.custom_fields().await.expect("list");
    assert_eq!(listed.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(), vec!["budget", "seats"]);

    let ann = admin.create_lead(&person("Ann", json!({"budget": "over 50K", "seats": 40}))).await.expect("ann");
    assert_eq!(
        ann.custom,
        custom(json!({"budget": "Over 50k", "seats": 40})),
        "options are matched and kept canonical"
    );
    let bob = admin.create_lead(&person("Bob", json!({"budget": "Under 10k", "seats": 4}))).await.expect("bob");
    admin.create_lead(&person("Cy", json!({}))).await.expect("cy");
    assert_eq!(admin.get_lead(ann.id).await.expect("get").lead.custom, ann.custom);

    let filter = |field: &str, value: Option<&str>| LeadListQuery {
        custom_field: Some(field.into()),
        custom_value: value.map(str::to_owned),
        ..Default::default()
    };
    let ids = |page: kith_domain::core::page::Page<LeadView>| page.items.into_iter().map(|l| l.id).collect::<Vec<_>>();
    assert_eq!(ids(admin.list_leads(&filter("seats", Some("40"))).await.expect("seats")), vec![ann.id]);
    assert_eq!(ids(admin.list_leads(&filter("budget", Some("under 10k"))).await.expect("budget")), vec![bob.id]);
    assert_eq!(admin.list_leads(&filter("seats", None)).await.expect("any").items.len(), 2);
    let err = admin.list_leads(&filter("seats", Some("many"))).await.expect_err("not a number");
    assert_eq!(err.status(), Some(422));
    assert!(err.problem().and_then(|p| p.field_message("custom_value")).is_some());
    let err = admin.list_leads(&filter("colour", Some("red"))).await.expect_err("unknown field");
    assert!(err.problem().and_then(|p| p.field_message("custom_field")).is_some());

    // A change sets one value and clears another; keys left out stay.
    let patch = LeadPatch { custom: custom(json!({"seats": 12, "budget": null})), ..Default::default() };
    let changed = admin.update_lead(ann.id, ann.version, &patch).await.expect("update");
    assert_eq!(changed.custom, custom(json!({"seats": 12})));
    assert!(admin.list_leads(&filter("seats", Some("40"))).await.expect("old value").items.is_empty());

    // Definitions change label and options; the key is fixed and cannot be taken twice.
    let renamed = admin
        .update_custom_field(
            budget.id,
            budget.version,
            &CustomFieldPatch { label: Some("Budget band".into()), ..Default::default() },
        )
        .await
        .expect("rename");
    assert_eq!((renamed.label.as_str(), renamed.version), ("Budget band", budget.version + 1));
    let err =
        admin.update_custom_field(budget.id, budget.version, &CustomFieldPatch::default()).await.expect_err("stale");
    assert_eq!(err.status(), Some(412));
    let err = admin.create_custom_field(&field("seats", "Seats", CustomFieldKind::Text, &[])).await.expect_err("taken");
    assert_eq!(err.problem().and_then(|p| p.errors.first()).map(|e| e.code.as_str()), Some("taken"));

    // Deleting a field hides its values.
    admin.delete_custom_field(seats.id).await.expect("delete");
    assert_eq!(admin.get_lead(bob.id).await.expect("get").lead.custom, custom(json!({"budget": "Under 10k"})));
    assert_eq!(admin.custom_fields().await.expect("list").len(), 1);
}

#[tokio::test]
async fn wrong_types_and_unknown_keys_are_field_errors() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (_, seats) = budget_and_seats(&admin).await;
    let err = admin
        .create_lead(&person("Ann", json!({"seats": "ten", "budget": "Huge", "colour": "red"})))
        .await
        .expect_err("invalid");
    assert_eq!(err.status(), Some(422));
    let p = err.problem().expect("problem");
    for f in ["custom.seats", "custom.budget", "custom.colour"] {
        assert!(p.field_message(f).is_some(), "{f}: {p:?}");
    }
    let err = admin.create_lead(&person("Ann", json!({"seats": 2.5}))).await.expect_err("decimal");
    assert_eq!(err.problem().and_then(|p| p.errors.first()).map(|e| e.code.as_str()), Some("integer"));

    // Bad definitions are refused too.
    let err = admin.create_custom_field(&field("Bad Key", "Bad", CustomFieldKind::Text, &[])).await.expect_err("key");
    assert!(err.problem().and_then(|p| p.field_message("key")).is_some());
    let err = admin.create_custom_field(&field("tier", "Tier", CustomFieldKind::Select, &[])).await.expect_err("opts");
    assert!(err.problem().and_then(|p| p.field_message("options")).is_some());

    // A required field binds leads created in the app, but not changes that leave it alone.
    admin
        .update_custom_field(seats.id, seats.version, &CustomFieldPatch { required: Some(true), ..Default::default() })
        .await
        .expect("required");
    let err = admin.create_lead(&person("Bo", json!({}))).await.expect_err("required");
    assert!(err.problem().and_then(|p| p.field_message("custom.seats")).is_some());
    let bo = admin.create_lead(&person("Bo", json!({"seats": 3}))).await.expect("with seats");
    let patch = LeadPatch { title: Some("CTO".into()), ..Default::default() };
    let bo = admin.update_lead(bo.id, bo.version, &patch).await.expect("other change");
    let patch = LeadPatch { custom: custom(json!({"seats": "x"})), ..Default::default() };
    let err = admin.update_lead(bo.id, bo.version, &patch).await.expect_err("wrong type");
    assert!(err.problem().and_then(|p| p.field_message("custom.seats")).is_some());
}

#[tokio::test]
async fn a_scoring_rule_on_a_custom_number_scores() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    budget_and_seats(&admin).await;
    admin
        .create_scoring_rule(&ScoringRuleInput {
            name: "Mid-size team".into(),
            trigger: ScoreTrigger::Attribute {
                conditions: vec![Condition {
                    field: "custom.seats".into(),
                    op: Operator::Between,
                    values: vec![],
                    min: Some(10),
                    max: Some(100),
                }],
            },
            points: 25,
            decay_days: None,
            active: true,
        })
        .await
        .expect("rule");
    let fits = admin.create_lead(&person("Ann", json!({"seats": 50}))).await.expect("ann");
    assert_eq!(fits.score, 25);
    let small = admin.create_lead(&person("Bob", json!({"seats": 5}))).await.expect("bob");
    assert_eq!(small.score, 0);
    // Growing into the range scores on the change.
    let grown = admin
        .update_lead(small.id, small.version, &LeadPatch { custom: custom(json!({"seats": 10})), ..Default::default() })
        .await
        .expect("grow");
    assert_eq!(grown.score, 25);
    let detail = admin.get_lead(grown.id).await.expect("detail");
    assert_eq!(detail.score.lines.first().map(|l| l.rule_name.as_str()), Some("Mid-size team"));
    // An unknown field name in a rule is refused; any snake_case custom key is accepted.
    let bad = admin
        .create_scoring_rule(&ScoringRuleInput {
            name: "Bad".into(),
            trigger: ScoreTrigger::Attribute {
                conditions: vec![Condition {
                    field: "custom.Not Valid".into(),
                    op: Operator::IsSet,
                    values: vec![],
                    min: None,
                    max: None,
                }],
            },
            points: 1,
            decay_days: None,
            active: true,
        })
        .await
        .expect_err("bad field");
    assert_eq!(bad.status(), Some(422));
}

#[tokio::test]
async fn another_organization_cannot_see_or_use_the_definitions() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (budget, _) = budget_and_seats(&admin).await;
    let (other, _) = app.signup("Other Inc").await;
    assert!(other.custom_fields().await.expect("list").is_empty());
    let patch = CustomFieldPatch { label: Some("Mine".into()), ..Default::default() };
    assert_eq!(
        other.update_custom_field(budget.id, budget.version, &patch).await.expect_err("hidden").status(),
        Some(404)
    );
    assert_eq!(other.delete_custom_field(budget.id).await.expect_err("hidden").status(), Some(404));
    let err = other.create_lead(&person("Eve", json!({"budget": "Over 50k"}))).await.expect_err("unknown here");
    assert!(err.problem().and_then(|p| p.field_message("custom.budget")).is_some());
    // The same key is free in another organization.
    other.create_custom_field(&field("budget", "Budget", CustomFieldKind::Text, &[])).await.expect("own budget");

    // Sales reps read the definitions but cannot change them.
    let (rita, _) = app.add_user(&admin, "sales", "Rita Rep").await;
    assert_eq!(rita.custom_fields().await.expect("read").len(), 2);
    let err =
        rita.create_custom_field(&field("tier", "Tier", CustomFieldKind::Text, &[])).await.expect_err("admin only");
    assert_eq!(err.status(), Some(403));
}

#[tokio::test]
async fn filtering_by_a_text_value_ignores_case_in_any_language() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    budget_and_seats(&admin).await;
    admin.create_custom_field(&field("region", "Region", CustomFieldKind::Text, &[])).await.expect("region");
    let emea = admin.create_lead(&person("Ann", json!({"region": "EMEA"}))).await.expect("ann");
    let munich = admin.create_lead(&person("Bob", json!({"region": "ÄRGER-Süd Straße"}))).await.expect("bob");
    admin.create_lead(&person("Cy", json!({"region": "EMEA North"}))).await.expect("cy");
    let dee = admin.create_lead(&person("Dee", json!({"budget": "Over 50k"}))).await.expect("dee");

    let find = |field: &str, value: &str| LeadListQuery {
        custom_field: Some(field.into()),
        custom_value: Some(value.into()),
        ..Default::default()
    };
    let ids = |page: kith_domain::core::page::Page<LeadView>| page.items.into_iter().map(|l| l.id).collect::<Vec<_>>();
    assert_eq!(ids(admin.list_leads(&find("region", "emea")).await.expect("emea")), vec![emea.id]);
    assert_eq!(ids(admin.list_leads(&find("region", " Emea ")).await.expect("Emea")), vec![emea.id]);
    assert_eq!(ids(admin.list_leads(&find("region", "ärger-süd straße")).await.expect("umlauts")), vec![munich.id]);
    assert_eq!(ids(admin.list_leads(&find("budget", "OVER 50K")).await.expect("select")), vec![dee.id]);
    assert!(admin.list_leads(&find("region", "emea nor")).await.expect("partial").items.is_empty(), "whole values");
}

#[tokio::test]
async fn text_values_stored_before_the_upgrade_are_found_in_any_case_after_it() {
    use diesel::{ExpressionMethods, RunQueryDsl};
    use kith_db::schema::custom_values as v;
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    admin.create_custom_field(&field("region", "Region", CustomFieldKind::Text, &[])).await.expect("region");
    let ann = admin.create_lead(&person("Ann", json!({"region": "ÖSTERREICH"}))).await.expect("ann");
    {
        // As an upgrade left them (or an older node wrote them): no folded copy. The hourly maintenance
        // (and the start after a migration) folds them.
        let mut conn = app.pool.get().expect("conn");
        diesel::update(v::table).set(v::value_folded.eq(None::<String>)).execute(&mut *conn).expect("unfold");
        let task = kith_db::core::kernel::kernel()
            .maintenance_tasks()
            .iter()
            .find(|(name, _)| *name == "folded custom values")
            .map(|(_, task)| *task)
            .expect("registered as maintenance");
        assert_eq!(task(&mut conn).expect("fold"), 1, "the unfolded value is folded");
        assert_eq!(kith_db::core::custom_fields::fold_missing(&mut conn).expect("again"), 0, "nothing left to fold");
    }
    let q = LeadListQuery {
        custom_field: Some("region".into()),
        custom_value: Some("österreich".into()),
        ..Default::default()
    };
    assert_eq!(
        admin.list_leads(&q).await.expect("list").items.into_iter().map(|l| l.id).collect::<Vec<_>>(),
        vec![ann.id]
    );
}

#[tokio::test]
async fn fields_belong_to_a_kind_of_record_the_kernel_knows_and_are_listed_for_those_who_read_it() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (budget, seats) = budget_and_seats(&admin).await;
    assert_eq!((budget.record_kind.as_str(), seats.record_kind.as_str()), ("lead", "lead"));

    // Without a kind, a field is a lead field (what clients sent before kinds existed).
    let untyped = admin
        .request(reqwest::Method::POST, "/api/v1/custom-fields")
        .json(&json!({"key": "region", "label": "Region", "kind": "text"}))
        .send()
        .await
        .expect("send");
    assert_eq!(untyped.status().as_u16(), 201);
    assert_eq!(untyped.json::<CustomFieldView>().await.expect("field").record_kind, "lead");

    // A kind the kernel does not know (or one without custom fields) is refused, naming the field.
    for kind in ["spaceship", "lead_merge"] {
        let mut input = field("x", "X", CustomFieldKind::Text, &[]);
        input.record_kind = kind.into();
        let err = admin.create_custom_field(&input).await.expect_err("unknown kind");
        assert_eq!(err.status(), Some(422), "{kind}");
        assert!(err.problem().and_then(|p| p.field_message("record_kind")).is_some(), "{kind}");
        let listed = admin.request(reqwest::Method::GET, &format!("/api/v1/custom-fields?record_kind={kind}")).send();
        assert_eq!(listed.await.expect("send").status().as_u16(), 422, "{kind}");
    }

    let keys = |fields: Vec<CustomFieldView>| fields.into_iter().map(|f| f.key).collect::<Vec<_>>();
    assert_eq!(keys(admin.custom_fields_of("lead").await.expect("lead fields")), vec!["budget", "seats", "region"]);
    assert_eq!(keys(admin.custom_fields().await.expect("all")), vec!["budget", "seats", "region"]);

    // A support agent, who may not read leads (the only kind with fields so far), may not list them.
    let (sue, _) = app.add_user(&admin, "support", "Sue Support").await;
    assert_eq!(sue.custom_fields().await.expect_err("no kind readable").status(), Some(403));
    assert_eq!(sue.custom_fields_of("lead").await.expect_err("no leads").status(), Some(403));
}

fn rename(from: &str, to: &str) -> OptionRename {
    OptionRename { from: from.into(), to: to.into() }
}

fn options(list: &[&str]) -> Option<Vec<String>> {
    Some(list.iter().map(|s| s.to_string()).collect())
}

#[tokio::test]
async fn an_admin_edits_a_field_and_renamed_options_carry_the_values_while_retired_ones_are_kept() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (manager, _) = app.add_user(&admin, "manager", "Maya Manager").await;
    let (budget, _) = budget_and_seats(&admin).await;
    let ann = admin.create_lead(&person("Ann", json!({"budget": "Over 50k", "seats": 3}))).await.expect("ann");
    let bob = admin.create_lead(&person("Bob", json!({"budget": "10k-50k"}))).await.expect("bob");
    let cy = admin.create_lead(&person("Cy", json!({"budget": "Under 10k"}))).await.expect("cy");

    // Relabel, explain, reorder, rename one option, retire another and add a third, in one change.
    let patch = CustomFieldPatch {
        label: Some("Budget band".into()),
        help_text: Some("What they expect to spend this year.".into()),
        options: options(&["Over 100k", "10k-100k", "Under 10k"]),
        renamed_options: vec![rename("10k-50k", "10k-100k")],
        required: Some(true),
        ..Default::default()
    };
    let changed = admin.update_custom_field(budget.id, budget.version, &patch).await.expect("change");
    assert_eq!(changed.label, "Budget band");
    assert_eq!(changed.help_text.as_deref(), Some("What they expect to spend this year."));
    assert_eq!(changed.options, ["Over 100k", "10k-100k", "Under 10k"]);
    assert_eq!(changed.retired_options, ["Over 50k"], "Ann still holds it");
    assert!(changed.required);
    assert_eq!((changed.key.as_str(), changed.kind), ("budget", CustomFieldKind::Select), "fixed");
    let value = |lead: &LeadView| lead.custom.get("budget").cloned();
    assert_eq!(value(&admin.get_lead(bob.id).await.expect("bob").lead), Some(json!("10k-100k")), "renamed with it");
    assert_eq!(value(&admin.get_lead(cy.id).await.expect("cy").lead), Some(json!("Under 10k")));
    let ann_now = admin.get_lead(ann.id).await.expect("ann").lead;
    assert_eq!(value(&ann_now), Some(json!("Over 50k")), "a retired option's value is never lost");
    let by_budget = |v: &str| LeadListQuery {
        custom_field: Some("budget".into()),
        custom_value: Some(v.into()),
        ..Default::default()
    };
    let found = admin.list_leads(&by_budget("10k-100k")).await.expect("filter").items;
    assert_eq!(found.iter().map(|l| l.id).collect::<Vec<_>>(), [bob.id]);
    let err = admin.list_leads(&by_budget("10k-50k")).await.expect_err("the old name is no option any more");
    assert_eq!(err.status(), Some(422));
    let found = admin.list_leads(&by_budget("over 50k")).await.expect("retired").items;
    assert_eq!(found.iter().map(|l| l.id).collect::<Vec<_>>(), [ann.id], "filters still find a retired option");
    // Ann's other changes keep her retired value; a new lead cannot choose it.
    let edited = admin
        .update_lead(ann.id, ann_now.version, &LeadPatch { custom: custom(json!({"seats": 4})), ..Default::default() })
        .await
        .expect("edit ann");
    assert_eq!(value(&edited), Some(json!("Over 50k")));
    let refused = admin.create_lead(&person("Dee", json!({"budget": "Over 50k"}))).await.expect_err("retired");
    assert_eq!(refused.problem().and_then(|p| p.errors.first()).map(|e| e.code.as_str()), Some("option"));
    // The change is in the field's history.
    let history = admin
        .audit(&kith_domain::core::audit::AuditQuery {
            entity: Some("custom_field".into()),
            entity_id: Some(budget.id.to_string()),
            ..Default::default()
        })
        .await
        .expect("audit")
        .items;
    assert!(history.iter().any(|e| e.action == kith_domain::core::audit::AuditAction::Update), "{history:?}");

    // Bad input: every problem at once, nothing changed.
    let bad = CustomFieldPatch {
        label: Some("  ".into()),
        help_text: Some("x".repeat(301)),
        options: options(&["A", "a"]),
        renamed_options: vec![rename("Huge", "Gigantic")],
        ..Default::default()
    };
    let err = admin.update_custom_field(budget.id, changed.version, &bad).await.expect_err("bad");
    assert_eq!(err.status(), Some(422));
    let mut fields: Vec<String> =
        err.problem().map(|p| p.errors.iter().map(|e| e.field.clone()).collect()).unwrap_or_default();
    fields.sort();
    assert_eq!(
        fields,
        ["help_text", "label", "options[1]", "renamed_options[0].from", "renamed_options[0].to"],
        "{err:?}"
    );
    assert_eq!(admin.custom_fields_of("lead").await.expect("list")[0], changed, "nothing was written");
    // The key and kind cannot be sent at all; only administrators change fields.
    let response = app
        .http()
        .patch(app.url(&format!("/api/v1/custom-fields/{}", budget.id)))
        .bearer_auth(admin.access_token().expect("token"))
        .header("If-Match", format!("\"{}\"", changed.version))
        .json(&json!({"key": "money", "kind": "text"}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 400);
    let err = manager.update_custom_field(budget.id, changed.version, &patch).await.expect_err("manager");
    assert_eq!(err.status(), Some(403));

    // Offering the retired option again brings it back; once nobody holds a retired option it goes.
    let back = admin
        .update_custom_field(
            budget.id,
            changed.version,
            &CustomFieldPatch {
                options: options(&["Over 100k", "10k-100k", "Under 10k", "Over 50k"]),
                ..Default::default()
            },
        )
        .await
        .expect("offer again");
    assert!(back.retired_options.is_empty());
    let again = admin
        .update_custom_field(
            back.id,
            back.version,
            &CustomFieldPatch { options: options(&["Over 100k", "10k-100k", "Under 10k"]), ..Default::default() },
        )
        .await
        .expect("retire again");
    assert_eq!(again.retired_options, ["Over 50k"]);
    let ann_now = admin.get_lead(ann.id).await.expect("ann").lead;
    admin
        .update_lead(
            ann.id,
            ann_now.version,
            &LeadPatch { custom: custom(json!({"budget": "Over 100k"})), ..Default::default() },
        )
        .await
        .expect("ann moves on");
    let pruned = admin
        .update_custom_field(
            again.id,
            again.version,
            &CustomFieldPatch { label: Some("Budget".into()), ..Default::default() },
        )
        .await
        .expect("any change");
    assert!(pruned.retired_options.is_empty(), "nobody holds it any more");
}

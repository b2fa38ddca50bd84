//! A lead's country is a real ISO 3166-1 code on every path that writes one: typing "Germany" is
//! never cut to "GE" (Georgia); people and files may name a country, the API takes codes.

use kith_domain::leads::imports::DuplicatePolicy;
use kith_domain::leads::rules::*;
use kith_domain::leads::webforms::{FormField, FormTarget};
use kith_domain::leads::{LeadListQuery, LeadPatch, NewLead};
use kith_tests::TestApp;
use serde_json::json;

use super::imports::{checked, mapped, run_until_done};
use super::webforms::contact_form;

fn named(first: &str, country: &str) -> NewLead {
    NewLead { first_name: first.into(), country: Some(country.into()), ..Default::default() }
}

#[tokio::test]
async fn the_api_takes_real_country_codes_in_any_case_and_refuses_names_and_made_up_codes() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let ann = admin.create_lead(&named("Ann", " gb ")).await.expect("lower case code");
    assert_eq!(ann.country.as_deref(), Some("GB"));

    for (input, says) in
        [("Germany", "Use the two-letter code DE for Germany."), ("XX", "Choose a country from the list")]
    {
        let err = admin.create_lead(&named("Bo", input)).await.expect_err(input);
        assert_eq!(err.status(), Some(422), "{input}");
        let message = err.problem().and_then(|p| p.field_message("country").map(str::to_owned)).expect("country error");
        assert!(message.contains(says), "{input}: {message}");
    }
    let patch = |country: &str| LeadPatch { country: Some(Some(country.into())), ..Default::default() };
    let err = admin.update_lead(ann.id, ann.version, &patch("Germany")).await.expect_err("a name");
    assert_eq!(err.problem().and_then(|p| p.field_message("country")), Some("Use the two-letter code DE for Germany."));
    let changed = admin.update_lead(ann.id, ann.version, &patch("de")).await.expect("a code");
    assert_eq!(changed.country.as_deref(), Some("DE"));
    // The list's country filter reads a code or a name, and says so when it names no country.
    let in_country = |c: &str| LeadListQuery { country: Some(c.into()), ..Default::default() };
    assert_eq!(admin.list_leads(&in_country("Germany")).await.expect("by name").items.len(), 1);
    assert_eq!(admin.list_leads(&in_country("de")).await.expect("by code").items.len(), 1);
    let err = admin.list_leads(&in_country("Germania")).await.expect_err("no country");
    assert!(err.problem().and_then(|p| p.field_message("country")).is_some(), "{err:?}");
    let all = admin.list_leads(&LeadListQuery::default()).await.expect("list");
    assert_eq!(
        all.items.iter().map(|l| l.country.as_deref()).collect::<Vec<_>>(),
        [Some("DE")],
        "nothing else was stored"
    );

    // A rule on the country compares codes: a name would never match, so it is refused.
    let rule = ScoringRuleInput {
        name: "Core markets".into(),
        trigger: ScoreTrigger::Attribute {
            conditions: vec![Condition {
                field: "country".into(),
                op: Operator::In,
                values: vec!["de".into(), "Germany".into()],
                min: None,
                max: None,
            }],
        },
        points: 10,
        decay_days: None,
        active: true,
    };
    let err = admin.create_scoring_rule(&rule).await.expect_err("a name in a rule");
    assert_eq!(
        err.problem().and_then(|p| p.field_message("trigger.conditions[0].values[1]")),
        Some("Use the two-letter code DE for Germany.")
    );
    let assign = AssignmentRuleInput {
        name: "Europe".into(),
        conditions: vec![Condition {
            field: "country".into(),
            op: Operator::In,
            values: vec!["Europe".into()],
            min: None,
            max: None,
        }],
        target: AssignTarget::User { user_id: me.user.id },
        capacity: None,
        active: true,
        position: None,
    };
    let err = admin.create_assignment_rule(&assign).await.expect_err("not a country");
    assert!(err.problem().and_then(|p| p.field_message("conditions[0].values[0]")).is_some(), "{err:?}");
}

#[tokio::test]
async fn a_web_form_reads_a_country_by_name_or_code_and_says_when_it_names_none() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let mut input = contact_form();
    input.fields.push(FormField {
        name: "country".into(),
        label: "Country".into(),
        target: FormTarget::Country,
        required: false,
        custom_key: None,
    });
    let form = admin.create_web_form(&input).await.expect("form");
    let path = app.url(&format!("/api/v1/public/forms/{}/submissions", form.id));
    let ts = (chrono::Utc::now().timestamp_millis() - 60_000).to_string();
    let send = |name: &str, email: &str, country: &str| {
        reqwest::Client::new()
            .post(&path)
            .header("Origin", "https://shop.example")
            .json(&json!({"name": name, "email": email, "country": country, "kith_ts": ts}))
            .send()
    };
    assert_eq!(send("Ann Lee", "ann@example.test", "Germany").await.expect("post").status().as_u16(), 200);
    let refused = send("Bo Berg", "bo@example.test", "Germania").await.expect("post");
    assert_eq!(refused.status().as_u16(), 422);
    let problem: kith_domain::Problem = refused.json().await.expect("problem");
    let message = problem.field_message("country").expect("country error");
    assert!(message.contains("“Germania” is not a country"), "{message}");
    let leads = admin.list_leads(&LeadListQuery::default()).await.expect("list");
    assert_eq!(
        leads.items.iter().map(|l| (l.first_name.as_str(), l.country.as_deref())).collect::<Vec<_>>(),
        [("Ann", Some("DE"))]
    );
    let embed = admin.web_form_embed(form.id).await.expect("embed");
    assert!(embed.html.contains("<option value=\"DE\">Germany</option>"), "the plain form offers the countries");
}

#[tokio::test]
async fn an_import_row_with_a_country_that_is_none_is_a_row_error_and_names_become_codes() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let csv = "Name,Email,Country\nAnn Lee,ann@example.test,Germany\nBo Berg,bo@example.test,Germania\nCy Chan,cy@example.test,se\n";
    let upload = mapped(&admin, "countries.csv", csv.into(), DuplicatePolicy::Skip).await;
    let report = checked(&app, &admin, upload.id).await;
    assert_eq!((report.rows, report.valid, report.invalid), (3, 2, 1));
    assert_eq!(report.errors[0].row, 2);
    assert!(
        report.errors[0].errors.iter().any(|e| e.field == "Country" && e.message.contains("“Germania”")),
        "{report:?}"
    );
    admin.start_import(upload.id).await.expect("start");
    run_until_done(&app);
    let done = admin.get_import(upload.id).await.expect("import");
    assert_eq!((done.progress.created, done.progress.failed), (2, 1));
    let mut countries: Vec<(String, Option<String>)> = admin
        .list_leads(&LeadListQuery::default())
        .await
        .expect("list")
        .items
        .into_iter()
        .map(|l| (l.first_name, l.country))
        .collect();
    countries.sort();
    assert_eq!(countries, [("Ann".into(), Some("DE".into())), ("Cy".into(), Some("SE".into()))]);
}

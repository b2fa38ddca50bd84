//! A web designer pastes a Kith form into a website; visitors (and bots) submit it.

use kith_client::Client;
use kith_domain::leads::webforms::*;
use kith_domain::leads::{LeadEventKind, LeadListQuery, LeadSource};
use kith_tests::TestApp;
use serde_json::json;

const SHOP: &str = "https://shop.example";

pub(crate) fn contact_form() -> WebFormInput {
    WebFormInput {
        name: "Contact us".into(),
        fields: vec![
            FormField {
                name: "name".into(),
                label: "Your name".into(),
                target: FormTarget::FullName,
                required: true,
                custom_key: None,
            },
            FormField {
                name: "email".into(),
                label: "Email".into(),
                target: FormTarget::Email,
                required: true,
                custom_key: None,
            },
            FormField {
                name: "company".into(),
                label: "Company".into(),
                target: FormTarget::Company,
                required: false,
                custom_key: None,
            },
            FormField {
                name: "message".into(),
                label: "Message".into(),
                target: FormTarget::Message,
                required: false,
                custom_key: None,
            },
        ],
        consent_text: None,
        thank_you_message: "Thanks, we'll call you.".into(),
        redirect_url: None,
        allowed_origins: vec![SHOP.into()],
        tags: vec!["website".into()],
        owner_id: None,
        campaign: Some("spring-sale".into()),
        min_fill_seconds: 3,
        active: true,
    }
}

async fn setup(app: &TestApp) -> (Client, WebFormView, String) {
    let (admin, _) = app.signup("Acme").await;
    let form = admin.create_web_form(&contact_form()).await.expect("form");
    let path = format!("/api/v1/public/forms/{}/submissions", form.id);
    (admin, form, path)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

fn long_ago() -> String {
    (chrono::Utc::now().timestamp_millis() - 60_000).to_string()
}

#[tokio::test]
async fn a_plain_html_form_post_becomes_a_scored_lead_and_redirects_to_thanks() {
    let app = TestApp::spawn().await;
    let (admin, form, path) = setup(&app).await;
    let embed = admin.web_form_embed(form.id).await.expect("embed");
    assert!(embed.html.contains(&format!("action=\"{}/api/v1/public/forms/{}/submissions", app.address, form.id)));
    assert!(embed.html.contains("name=\"kith_hp\""));
    assert!(embed.script.contains(&format!("kith-form-{}", form.id)));

    let response = no_redirects()
        .post(app.url(&path))
        .header("Origin", SHOP)
        .header("Referer", "https://shop.example/contact?utm_source=newsletter&utm_medium=email")
        .form(&[
            ("name", "Ann van Lee"),
            ("email", "Ann@Example.test"),
            ("company", "Acme Bikes"),
            ("message", "Please call me about 40 bikes"),
            ("owner_id", "00000000-0000-0000-0000-000000000000"),
            ("tags", "vip"),
            ("kith_hp", ""),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()["location"].to_str().expect("ascii").to_owned();
    assert_eq!(location, format!("/api/v1/public/forms/{}/thanks", form.id));
    let thanks = app.http().get(app.url(&location)).send().await.expect("thanks").text().await.expect("html");
    assert!(thanks.contains("Thanks, we&#39;ll call you."));

    let leads = admin.list_leads(&LeadListQuery::default()).await.expect("leads");
    assert_eq!(leads.items.len(), 1);
    let lead = &leads.items[0];
    assert_eq!(
        (lead.first_name.as_str(), lead.last_name.as_str(), lead.company_name.as_str()),
        ("Ann van", "Lee", "Acme Bikes")
    );
    assert_eq!(lead.source, LeadSource::WebForm);
    assert_eq!(lead.tags, vec!["website".to_string()], "tags come from the form, not the browser");
    assert_eq!(lead.source_detail.form_id.as_deref(), Some(form.id.to_string().as_str()));
    assert_eq!(lead.source_detail.utm_source.as_deref(), Some("newsletter"));
    assert_eq!(lead.source_detail.utm_campaign.as_deref(), Some("spring-sale"));
    let events = admin.lead_events(lead.id).await.expect("events");
    let submitted = events.iter().find(|e| e.kind == LeadEventKind::FormSubmitted).expect("form event");
    assert!(submitted.note.as_deref().unwrap_or("").contains("40 bikes"));
    assert_eq!(admin.get_web_form(form.id).await.expect("form").submissions, 1);
}

#[tokio::test]
async fn the_script_embed_posts_json_over_cors_only_from_allowed_sites() {
    let app = TestApp::spawn().await;
    let (admin, _form, path) = setup(&app).await;
    let http = app.http();
    let preflight = http
        .request(reqwest::Method::OPTIONS, app.url(&path))
        .header("Origin", SHOP)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .expect("preflight");
    assert_eq!(preflight.status().as_u16(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], SHOP);

    let ok = http
        .post(app.url(&path))
        .header("Origin", SHOP)
        .json(&json!({"name": "Bo", "email": "bo@example.test", "kith_ts": long_ago()}))
        .send()
        .await
        .expect("post");
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(ok.headers()["access-control-allow-origin"], SHOP);
    let accepted: SubmissionAccepted = ok.json().await.expect("json");
    assert_eq!(accepted.message, "Thanks, we'll call you.");

    let evil = http
        .post(app.url(&path))
        .header("Origin", "https://evil.example")
        .json(&json!({"name": "Eve", "email": "eve@example.test", "kith_ts": long_ago()}))
        .send()
        .await
        .expect("post");
    assert_eq!(evil.status().as_u16(), 403);
    assert!(!evil.headers().contains_key("access-control-allow-origin"));
    let preflight = http
        .request(reqwest::Method::OPTIONS, app.url(&path))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .expect("preflight");
    assert_eq!(preflight.status().as_u16(), 403);

    let invalid = http
        .post(app.url(&path))
        .header("Origin", SHOP)
        .json(&json!({"name": "Cy", "kith_ts": long_ago()}))
        .send()
        .await
        .expect("post");
    assert_eq!(invalid.status().as_u16(), 422);
    assert_eq!(invalid.headers()["access-control-allow-origin"], SHOP, "the script can read the field errors");
    let problem: kith_domain::Problem = invalid.json().await.expect("problem");
    assert!(problem.field_message("email").is_some());
    assert_eq!(admin.list_leads(&LeadListQuery::default()).await.expect("leads").items.len(), 1);
}

#[tokio::test]
async fn bots_are_answered_politely_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let (admin, _, path) = setup(&app).await;
    let honeypot = no_redirects()
        .post(app.url(&path))
        .form(&[("name", "Bot"), ("email", "bot@spam.test"), ("kith_hp", "http://spam")])
        .send()
        .await
        .expect("post");
    assert_eq!(honeypot.status().as_u16(), 303, "looks accepted");
    // Exactly the answer a person gets: the same thank-you page, the same JSON, the same CORS header.
    let thanks = path.replace("/submissions", "/thanks");
    assert_eq!(honeypot.headers()["location"].to_str().ok(), Some(thanks.as_str()));
    let too_fast = app
        .http()
        .post(app.url(&path))
        .header("Origin", SHOP)
        .json(&json!({"name": "Bot", "email": "bot2@spam.test", "kith_ts": chrono::Utc::now().timestamp_millis().to_string()}))
        .send()
        .await
        .expect("post");
    assert_eq!(too_fast.status().as_u16(), 200, "looks accepted");
    assert_eq!(too_fast.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some(SHOP));
    let bot_body: serde_json::Value = too_fast.json().await.expect("json");
    assert!(admin.list_leads(&LeadListQuery::default()).await.expect("leads").items.is_empty());
    let person = app
        .http()
        .post(app.url(&path))
        .header("Origin", SHOP)
        .json(&json!({"name": "Pat Person", "email": "pat@example.test"}))
        .send()
        .await
        .expect("post");
    assert_eq!(person.status().as_u16(), 200);
    assert_eq!(bot_body, person.json::<serde_json::Value>().await.expect("json"), "a bot cannot tell it was caught");
    assert_eq!(admin.list_leads(&LeadListQuery::default()).await.expect("leads").items.len(), 1, "the person's lead");
}

#[tokio::test]
async fn a_retried_submission_is_recorded_once() {
    let app = TestApp::spawn().await;
    let (admin, form, path) = setup(&app).await;
    for _ in 0..3 {
        let r = app
            .http()
            .post(app.url(&path))
            .header("Origin", SHOP)
            .json(&json!({"name": "Di", "email": "di@example.test", "kith_ts": long_ago(), "kith_submission_id": "abc-123"}))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status().as_u16(), 200);
    }
    let leads = admin.list_leads(&LeadListQuery::default()).await.expect("leads");
    assert_eq!(leads.items.len(), 1);
    let events = admin.lead_events(leads.items[0].id).await.expect("events");
    assert_eq!(events.iter().filter(|e| e.kind == LeadEventKind::FormSubmitted).count(), 1);
    assert_eq!(admin.get_web_form(form.id).await.expect("form").submissions, 1);
}

#[tokio::test]
async fn floods_are_rate_limited_and_big_bodies_refused() {
    let app = TestApp::spawn_with(|c| c.webform_ip_per_minute = 3).await;
    let (_, _, path) = setup(&app).await;
    let mut statuses = Vec::new();
    for i in 0..4 {
        let r = app
            .http()
            .post(app.url(&path))
            .header("Origin", SHOP)
            .json(&json!({"name": "Flo", "email": format!("f{i}@example.test"), "kith_ts": long_ago()}))
            .send()
            .await
            .expect("post");
        if r.status().as_u16() == 429 {
            assert_eq!(r.headers()["retry-after"], "60");
        }
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, vec![200, 200, 200, 429]);
    let app = TestApp::spawn().await;
    let (_, _, path) = setup(&app).await;
    let big = app
        .http()
        .post(app.url(&path))
        .header("Origin", SHOP)
        .json(&json!({"name": "x".repeat(70 * 1024), "email": "big@example.test"}))
        .send()
        .await
        .expect("post");
    assert_eq!(big.status().as_u16(), 413);
}

#[tokio::test]
async fn a_plain_form_with_missing_fields_shows_a_page_not_json() {
    let app = TestApp::spawn().await;
    let (_, _, path) = setup(&app).await;
    let r = no_redirects().post(app.url(&path)).form(&[("name", "No Email")]).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.headers()["content-type"].to_str().expect("ascii").starts_with("text/html"));
    let html = r.text().await.expect("html");
    assert!(html.contains("Email is required."), "{html}");
}

#[tokio::test]
async fn forms_are_private_to_their_organization_and_inactive_forms_take_nothing() {
    let app = TestApp::spawn().await;
    let (admin, form, path) = setup(&app).await;
    let (other, _) = app.signup("Other").await;
    assert_eq!(other.get_web_form(form.id).await.expect_err("foreign").status(), Some(404));
    assert_eq!(
        other.update_web_form(form.id, form.version, &contact_form()).await.expect_err("foreign").status(),
        Some(404)
    );
    assert_eq!(other.delete_web_form(form.id).await.expect_err("foreign").status(), Some(404));
    let bad = WebFormInput {
        fields: vec![FormField {
            name: "kith_hp".into(),
            label: "x".into(),
            target: FormTarget::Email,
            required: true,
            custom_key: None,
        }],
        ..contact_form()
    };
    assert!(admin
        .create_web_form(&bad)
        .await
        .expect_err("reserved")
        .problem()
        .and_then(|p| p.field_message("fields[0].name"))
        .is_some());
    admin
        .update_web_form(form.id, form.version, &WebFormInput { active: false, ..contact_form() })
        .await
        .expect("deactivate");
    let r = no_redirects()
        .post(app.url(&path))
        .form(&[("name", "Late"), ("email", "late@example.test")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn a_form_asks_for_custom_fields_with_the_input_of_their_kind_and_stores_them_checked() {
    use kith_domain::core::custom_fields::{CustomFieldInput, CustomFieldKind};
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let define = |key: &str, kind, options: &[&str]| CustomFieldInput {
        record_kind: "lead".into(),
        key: key.into(),
        label: key.replace('_', " "),
        help_text: Some(format!("About {key}")),
        kind,
        options: options.iter().map(|o| o.to_string()).collect(),
        required: false,
        position: None,
    };
    for (key, kind, options) in [
        ("budget", CustomFieldKind::Select, &["Under 10k", "Over 10k"][..]),
        ("seats", CustomFieldKind::Number, &[][..]),
        ("go_live", CustomFieldKind::Date, &[][..]),
        ("partner", CustomFieldKind::Boolean, &[][..]),
    ] {
        admin.create_custom_field(&define(key, kind, options)).await.expect("field");
    }
    let on = |name: &str, key: &str, required: bool| FormField {
        name: name.into(),
        label: format!("Your {name}"),
        target: FormTarget::Custom,
        required,
        custom_key: Some(key.into()),
    };
    let mut input = contact_form();
    input.fields.extend([
        on("budget", "budget", true),
        on("seats", "seats", false),
        on("go_live", "go_live", false),
        on("partner", "partner", false),
    ]);

    // A form cannot name a field that does not exist, nor one twice; every such problem at once.
    let mut wrong = input.clone();
    wrong.fields.push(on("colour", "colour", false));
    wrong.fields.push(on("budget_again", "budget", false));
    let err = admin.create_web_form(&wrong).await.expect_err("unknown field");
    let mut fields: Vec<String> =
        err.problem().map(|p| p.errors.iter().map(|e| e.field.clone()).collect()).unwrap_or_default();
    fields.sort();
    assert_eq!(fields, ["fields[8].custom_key", "fields[9].custom_key"], "{err:?}");

    let form = admin.create_web_form(&input).await.expect("form");
    // Visitors get the right input per kind, with the field's options and help text.
    let public: PublicForm = app
        .http()
        .get(app.url(&format!("/api/v1/public/forms/{}", form.id)))
        .send()
        .await
        .expect("describe")
        .json()
        .await
        .expect("json");
    let inputs: Vec<(&str, InputKind)> = public.fields.iter().map(|f| (f.name.as_str(), f.input)).collect();
    assert_eq!(
        &inputs[4..],
        [
            ("budget", InputKind::Select),
            ("seats", InputKind::Number),
            ("go_live", InputKind::Date),
            ("partner", InputKind::Checkbox)
        ]
    );
    assert_eq!(public.fields[4].options, ["Under 10k", "Over 10k"]);
    assert_eq!(public.fields[4].help_text.as_deref(), Some("About budget"));
    let embed = admin.web_form_embed(form.id).await.expect("embed");
    assert!(embed.html.contains("<select id=\"kith-budget\" name=\"budget\" required>"), "{}", embed.html);
    assert!(embed.html.contains("type=\"checkbox\" name=\"partner\" value=\"on\""));

    // Bad values: a 422 naming each input (the embed shows each beside its input); nothing stored.
    let path = format!("/api/v1/public/forms/{}/submissions", form.id);
    let post = |body: serde_json::Value| app.http().post(app.url(&path)).header("Origin", SHOP).json(&body).send();
    let refused = post(json!({
        "name": "Ann Lee", "email": "ann@example.test", "budget": "Huge", "seats": "many", "go_live": "soon",
        "kith_ts": long_ago()
    }))
    .await
    .expect("post");
    assert_eq!(refused.status().as_u16(), 422);
    let problem: kith_domain::Problem = refused.json().await.expect("problem");
    let mut named: Vec<(String, String)> = problem.errors.iter().map(|e| (e.field.clone(), e.code.clone())).collect();
    named.sort();
    assert_eq!(
        named,
        [("budget".into(), "option".into()), ("go_live".into(), "date".into()), ("seats".into(), "type".into())]
    );
    assert!(problem.errors.iter().any(|e| e.message.starts_with("Your seats")), "{problem:?}");
    assert!(admin.list_leads(&LeadListQuery::default()).await.expect("leads").items.is_empty());

    let accepted = post(json!({
        "name": "Ann Lee", "email": "ann@example.test", "budget": "over 10k", "seats": "12", "go_live": "2027-03-01",
        "partner": "on", "kith_ts": long_ago()
    }))
    .await
    .expect("post");
    assert_eq!(accepted.status().as_u16(), 200);
    let lead = &admin.list_leads(&LeadListQuery::default()).await.expect("leads").items[0];
    assert_eq!(
        serde_json::to_value(&lead.custom).expect("json"),
        json!({"budget": "Over 10k", "seats": 12, "go_live": "2027-03-01", "partner": true})
    );
}

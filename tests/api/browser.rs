//! A person in a real browser: headless Chromium drives the SPA through sign-up, login, creating an
//! API key in settings, and logout. Skipped (loudly) when Chromium, chromedriver or the built SPA is
//! missing, unless `REQUIRE_BROWSER=1`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use kith_tests::TestApp;
use thirtyfour::prelude::*;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| std::path::Path::new(d).join(name)).find(|p| p.is_file())
}

/// Why the browser test cannot run here, if it cannot.
fn missing() -> Option<String> {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/dist/index.html");
    if !dist.is_file() {
        return Some("the SPA is not built (make frontend)".into());
    }
    for bin in ["chromium", "chromedriver"] {
        if which(bin).is_none() {
            return Some(format!("{bin} is not installed (apt-get install chromium chromium-driver)"));
        }
    }
    None
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(9515)
}

pub(crate) async fn wait_for(driver: &WebDriver, css: &str) -> WebElement {
    match driver.query(By::Css(css)).wait(Duration::from_secs(20), Duration::from_millis(100)).first().await {
        Ok(found) => found,
        Err(e) => {
            let at = driver.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            panic!("waiting for {css} on {at}: {e}\nthe page shows:\n{}", visible_text(driver).await)
        }
    }
}

/// The page's visible text (what a person reads).
pub(crate) async fn visible_text(driver: &WebDriver) -> String {
    driver
        .execute("return document.body ? document.body.innerText : '';", vec![])
        .await
        .map(|r| r.json().as_str().unwrap_or("").to_owned())
        .unwrap_or_default()
}

/// Wait until the page shows every one of `needles` as text; fail if it never does.
pub(crate) async fn wait_for_text(driver: &WebDriver, needles: &[&str], what: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let text = visible_text(driver).await;
        if needles.iter().all(|n| text.contains(n)) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{what}: never showed {needles:?}; it shows:\n{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn fill(driver: &WebDriver, css: &str, text: &str) {
    let field = wait_for(driver, css).await;
    field.clear().await.unwrap_or_else(|e| panic!("clear {css}: {e}"));
    field.send_keys(text).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

pub(crate) async fn click(driver: &WebDriver, css: &str) {
    wait_for(driver, css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Start chromedriver and a headless Chromium with a fresh profile.
async fn start_browser() -> (WebDriver, Driver, std::path::PathBuf) {
    let port = free_port();
    let chromedriver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = std::env::temp_dir().join(format!("kith-chrome-{}", uuid::Uuid::now_v7()));
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary("/usr/bin/chromium").expect("binary");
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
    ] {
        caps.add_arg(arg).expect("arg");
    }
    caps.add_arg(&format!("--user-data-dir={}", profile.display())).expect("arg");
    // The console (failed requests included) is read back by `failed_requests`.
    caps.set_browser_log_level(thirtyfour::LoggingPrefsLogLevel::All).expect("logging prefs");
    for _ in 0..50 {
        if let Ok(d) = WebDriver::new(format!("http://127.0.0.1:{port}"), caps.clone()).await {
            return (d, chromedriver, profile);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not start");
}

pub(crate) fn skip_without_browser() -> bool {
    if let Some(why) = missing() {
        assert!(std::env::var("REQUIRE_BROWSER").as_deref() != Ok("1"), "browser test required but {why}");
        eprintln!("!!! SKIPPED browser test: {why}");
        return true;
    }
    false
}

#[tokio::test]
async fn a_new_customer_signs_up_creates_an_api_key_and_logs_out_in_the_browser() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (driver, _chromedriver, profile) = start_browser().await;

    let result = async {
        driver.goto(app.url("/signup")).await.expect("open signup");
        fill(&driver, "#signup-org", "Browser Bikes").await;
        fill(&driver, "#signup-name", "Bea Browser").await;
        fill(&driver, "#signup-email", "bea@browser.test").await;
        fill(&driver, "#signup-password", kith_tests::PASSWORD).await;
        click(&driver, "#signup-submit").await;
        let menu = wait_for(&driver, "#user-menu").await;
        assert!(menu.text().await.expect("text").contains("Bea Browser"));

        // Log out and back in through the login page.
        click(&driver, "#logout").await;
        fill(&driver, "#login-email", "bea@browser.test").await;
        fill(&driver, "#login-password", kith_tests::PASSWORD).await;
        click(&driver, "#login-submit").await;
        wait_for(&driver, "#user-menu").await;

        driver.goto(app.url("/settings/api-keys")).await.expect("open api keys");
        fill(&driver, "#api-key-name", "Website sync").await;
        let role = wait_for(&driver, "#api-key-role").await;
        // Wait until the roles have loaded into the select.
        driver
            .query(By::Css("#api-key-role option"))
            .wait(Duration::from_secs(20), Duration::from_millis(100))
            .first()
            .await
            .expect("role options");
        // A key's role is chosen on purpose: the form preselects none.
        thirtyfour::components::SelectElement::new(&role)
            .await
            .expect("select")
            .select_by_visible_text("Sales representative")
            .await
            .expect("choose a role");
        click(&driver, "#api-key-create").await;
        let secret = wait_for(&driver, "#api-key-secret").await.text().await.expect("secret");
        assert!(secret.contains("kith_"), "secret shown once: {secret}");
        let rows = driver
            .query(By::Css("[data-testid=api-key-row]"))
            .wait(Duration::from_secs(20), Duration::from_millis(100))
            .all_from_selector_required()
            .await
            .expect("rows");
        assert_eq!(rows.len(), 1);
        assert!(rows[0].text().await.expect("row").contains("Website sync"));

        click(&driver, "#logout").await;
        wait_for(&driver, "#login-email").await;
    }
    .await;
    let _ = driver.quit().await;
    let _ = std::fs::remove_dir_all(profile);
    result
}

/// A visitor on the shop's own site (another origin) fills in the embedded Kith form; the sales
/// team then sees the lead, its score and its owner in Kith.
#[tokio::test]
async fn a_form_embedded_on_another_site_brings_in_a_scored_and_assigned_lead() {
    use kith_domain::leads::rules::*;
    use kith_domain::leads::webforms::*;
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, admin_me) = app.signup("Shop Owner").await;
    let (_, rep) = app.add_user(&admin, "sales", "Rita Rep").await;
    admin
        .create_scoring_rule(&ScoringRuleInput {
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
            points: 25,
            decay_days: None,
            active: true,
        })
        .await
        .expect("scoring rule");
    admin
        .create_assignment_rule(&AssignmentRuleInput {
            name: "Everything to Rita".into(),
            conditions: vec![],
            target: AssignTarget::User { user_id: rep.user.id },
            capacity: None,
            active: true,
            position: None,
        })
        .await
        .expect("assignment rule");

    use kith_domain::core::custom_fields::{CustomFieldInput, CustomFieldKind};
    admin
        .create_custom_field(&CustomFieldInput {
            record_kind: "lead".into(),
            key: "budget".into(),
            label: "Budget".into(),
            help_text: Some("What you plan to spend this year.".into()),
            kind: CustomFieldKind::Select,
            options: vec!["Under 10k".into(), "Over 10k".into()],
            required: false,
            position: None,
        })
        .await
        .expect("budget field");
    admin
        .create_custom_field(&CustomFieldInput {
            record_kind: "lead".into(),
            key: "seats".into(),
            label: "Seats".into(),
            help_text: None,
            kind: CustomFieldKind::Number,
            options: vec![],
            required: false,
            position: None,
        })
        .await
        .expect("seats field");

    // The shop's site, on its own origin, with styles of its own that must not reach the form.
    let shop_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let shop_origin = format!("http://127.0.0.1:{}", shop_listener.local_addr().expect("addr").port());
    let field = |name: &str, label: &str, target, required| FormField {
        name: name.into(),
        label: label.into(),
        target,
        required,
        custom_key: None,
    };
    let custom = |name: &str, label: &str, key: &str, required| FormField {
        custom_key: Some(key.into()),
        ..field(name, label, FormTarget::Custom, required)
    };
    let form = admin
        .create_web_form(&WebFormInput {
            name: "Shop contact".into(),
            fields: vec![
                field("name", "Name", FormTarget::FullName, true),
                field("email", "Email", FormTarget::Email, true),
                field("title", "Job title", FormTarget::Title, false),
                field("country", "Country", FormTarget::Country, false),
                custom("budget", "Budget", "budget", true),
                custom("seats", "Seats", "seats", false),
            ],
            consent_text: Some("You may contact me.".into()),
            thank_you_message: "Thanks, Rita will call you.".into(),
            redirect_url: None,
            allowed_origins: vec![shop_origin.clone()],
            tags: vec!["shop".into()],
            owner_id: None,
            campaign: None,
            min_fill_seconds: 1,
            active: true,
        })
        .await
        .expect("form");
    let embed = admin.web_form_embed(form.id).await.expect("embed");
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Shop</title>\
         <style>body{{font-family:Georgia,serif;font-size:22px;background:#fef3c7}} input,select{{border:4px dashed red;padding:0}}\
         label{{font-size:30px;text-transform:uppercase}} button{{background:green;border-radius:0}} .kith-form{{border:6px solid lime}}</style>\
         </head><body><h1>Contact us</h1>{}</body></html>",
        embed.script
    );
    let shop = actix_web::HttpServer::new(move || {
        let page = page.clone();
        actix_web::App::new().route(
            "/contact",
            actix_web::web::get().to(move || {
                let page = page.clone();
                async move { actix_web::HttpResponse::Ok().content_type("text/html; charset=utf-8").body(page) }
            }),
        )
    })
    .workers(1)
    .listen(shop_listener)
    .expect("listen")
    .run();
    let shop_handle = shop.handle();
    tokio::spawn(shop);

    // What the embedded form and the builder's preview look like, read the same way in each.
    const LOOK: &str = "const root = arguments[0] ? document.querySelector(arguments[0]).shadowRoot : document; \
        const at = (sel) => getComputedStyle(root.querySelector(sel)); \
        const pick = (sel, props) => props.map((p) => sel + ' ' + p + ': ' + at(sel)[p]); \
        const prefix = arguments[1]; \
        return [].concat( \
          pick(prefix + 'input[name=email]', ['borderTopColor', 'borderTopWidth', 'borderTopLeftRadius', 'paddingTop', 'paddingLeft', 'fontSize', 'backgroundColor']), \
          pick(prefix + 'select[name=country]', ['borderTopColor', 'borderTopLeftRadius', 'paddingLeft']), \
          pick(prefix + 'button[type=submit]', ['backgroundColor', 'color', 'borderTopLeftRadius', 'paddingTop', 'paddingLeft', 'fontWeight']) \
        ).map((l) => l.replace(prefix, ''));";
    let screenshots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    let _ = std::fs::create_dir_all(&screenshots);

    let (driver, _chromedriver, profile) = start_browser().await;
    let result = async {
        driver.goto(format!("{shop_origin}/contact")).await.expect("open shop");
        let host_css = format!("#kith-form-{}", form.id);
        let host = wait_for(&driver, &host_css).await;
        // The form draws itself in the host element's shadow root.
        let mut root = None;
        for _ in 0..100 {
            if let Ok(r) = host.get_shadow_root().await {
                if r.find(By::Css("button[type=submit]")).await.is_ok() {
                    root = Some(r);
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let root = root.expect("the form renders in a shadow root");
        let inside = |css: &'static str| {
            let root = root.clone();
            async move { root.find(By::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")) }
        };
        // The country is a choice of ISO countries, like the HTML embed's; custom fields by their kind.
        let countries = inside("select[name=country]").await.find_all(By::Css("option")).await.expect("options");
        assert!(countries.len() > 200, "every country: {}", countries.len());
        let budget_options = inside("select[name=budget]").await.find_all(By::Css("option")).await.expect("options");
        assert_eq!(budget_options.len(), 3, "a blank and the two budgets");
        assert_eq!(inside("input[name=seats]").await.attr("type").await.expect("type").as_deref(), Some("number"));
        assert!(root
            .find(By::Css(".kith-help"))
            .await
            .expect("help")
            .text()
            .await
            .expect("text")
            .contains("plan to spend"));
        host.screenshot(&screenshots.join("embed-script.png")).await.expect("screenshot");
        let embedded: Vec<String> = driver
            .execute(LOOK, vec![serde_json::json!(host_css), serde_json::json!("")])
            .await
            .expect("look")
            .convert()
            .expect("lines");

        inside("#kith-name").await.send_keys("Carla Ceo").await.expect("name");
        inside("#kith-email").await.send_keys("carla@customer.test").await.expect("email");
        inside("#kith-title").await.send_keys("CEO").await.expect("title");
        inside("select[name=country] option[value=DE]").await.click().await.expect("Germany");
        inside("#kith-seats").await.send_keys("12").await.expect("seats");
        inside("input[name=kith_consent]").await.click().await.expect("consent");
        // A person takes longer than the minimum fill time: the server's clock moves on (its form timer
        // reads that clock), no sleeping.
        app.advance(chrono::Duration::seconds(5));
        // The budget is required: the server's error shows beside it.
        inside("button[type=submit]").await.click().await.expect("send");
        let slot = inside(".kith-error[data-for=budget]").await;
        let mut explained = String::new();
        for _ in 0..100 {
            explained = slot.text().await.unwrap_or_default();
            if !explained.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(explained, "Budget is required.");
        inside("select[name=budget] option[value='Over 10k']").await.click().await.expect("budget");
        inside("button[type=submit]").await.click().await.expect("send again");
        let mut thanked = false;
        for _ in 0..100 {
            let text: String = driver
                .execute(&format!("return document.querySelector('{host_css}').shadowRoot.textContent;"), vec![])
                .await
                .ok()
                .and_then(|r| r.json().as_str().map(str::to_owned))
                .unwrap_or_default();
            if text.contains("Thanks, Rita will call you.") {
                thanked = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(thanked, "the visitor sees the thank-you message");

        // The sales manager looks in Kith.
        driver.goto(app.url("/login")).await.expect("open login");
        fill(&driver, "#login-email", &admin_me.user.email).await;
        fill(&driver, "#login-password", kith_tests::PASSWORD).await;
        click(&driver, "#login-submit").await;
        wait_for(&driver, "#user-menu").await;
        driver.goto(app.url("/m/leads")).await.expect("open leads");
        let row = wait_for(&driver, "[data-testid=lead-row]").await;
        assert!(row.text().await.expect("row").contains("Carla Ceo"));
        let score =
            row.find(By::Css("[data-testid=lead-score]")).await.expect("score cell").text().await.expect("score");
        assert_eq!(score.trim(), "25");
        let owner =
            row.find(By::Css("[data-testid=lead-owner]")).await.expect("owner cell").text().await.expect("owner");
        assert!(owner.contains("Rita Rep"), "owner shown: {owner}");
        let lead = &admin.list_leads(&Default::default()).await.expect("leads").items[0];
        assert_eq!(lead.country.as_deref(), Some("DE"));
        assert_eq!(
            serde_json::to_value(&lead.custom).expect("json"),
            serde_json::json!({"budget": "Over 10k", "seats": 12})
        );

        // The builder's preview looks the same as the form on the shop's page, whose own styles
        // (dashed red inputs, a green square button, huge labels) did not reach it.
        driver.goto(app.url(&format!("/m/leads/forms/{}", form.id))).await.expect("open builder");
        let preview = wait_for(&driver, "#form-preview").await;
        wait_for(&driver, "#form-preview select[name=country]").await;
        preview.screenshot(&screenshots.join("embed-preview.png")).await.expect("screenshot");
        let previewed: Vec<String> = driver
            .execute(LOOK, vec![serde_json::Value::Null, serde_json::json!("#form-preview ")])
            .await
            .expect("look")
            .convert()
            .expect("lines");
        assert_eq!(embedded, previewed, "the embedded form looks like the preview");
        assert!(embedded.iter().any(|l| l == "button[type=submit] backgroundColor: rgb(79, 70, 229)"), "{embedded:?}");
    }
    .await;
    let _ = driver.quit().await;
    let _ = std::fs::remove_dir_all(profile);
    drop(shop_handle.stop(false));
    result
}

#[tokio::test]
async fn an_agent_works_the_call_queue_in_the_browser() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, admin_me) = app.signup("Call Centre").await;
    let list = admin.create_call_list("Fair contacts").await.expect("list");
    admin
        .add_call_contacts(list.id, "name,phone,company\nDora Dial,+49 30 1234567,Dialco\n".into())
        .await
        .expect("contacts");

    let (driver, _chromedriver, profile) = start_browser().await;
    let result = async {
        driver.goto(app.url("/login")).await.expect("open login");
        fill(&driver, "#login-email", &admin_me.user.email).await;
        fill(&driver, "#login-password", kith_tests::PASSWORD).await;
        click(&driver, "#login-submit").await;
        wait_for(&driver, "#user-menu").await;
        driver.goto(app.url(&format!("/m/leads/calls/{}", list.id))).await.expect("open queue");
        click(&driver, "#call-next").await;
        let mut shown = false;
        for _ in 0..100 {
            if driver.source().await.unwrap_or_default().contains("Dora Dial") {
                shown = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(shown, "the next contact is shown");
        fill(&driver, "#call-note", "wants a demo").await;
        click(&driver, "[data-testid=disposition-interested]").await;
        let mut promoted = false;
        for _ in 0..100 {
            if admin.get_call_list(list.id).await.map(|l| l.promoted).unwrap_or(0) == 1 {
                promoted = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(promoted, "the interested contact became a lead");
    }
    .await;
    let _ = driver.quit().await;
    let _ = std::fs::remove_dir_all(profile);
    result
}

/// Hostile text in lead fields is shown as text, never run (RELIABILITY C3, for the lead screens).
#[tokio::test]
async fn hostile_text_in_leads_is_shown_as_text_and_never_runs() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Xss Check").await;
    const HOSTILE: &[&str] = &[
        "<img src=x onerror=\"document.title='pwned'\">",
        "<script>document.title='pwned'</script>",
        "\"><svg onload=\"document.title='pwned'\">",
        "javascript:document.title='pwned'",
    ];
    let mut ids = Vec::new();
    for (i, text) in HOSTILE.iter().enumerate() {
        let lead = admin
            .create_lead(&kith_domain::leads::NewLead {
                first_name: (*text).into(),
                company_name: (*text).into(),
                title: (*text).into(),
                email: Some(format!("x{i}@example.test")),
                tags: vec![format!("<b>{i}</b>")],
                ..Default::default()
            })
            .await
            .expect("create");
        ids.push(lead.id);
    }
    let (driver, _chromedriver, profile) = start_browser().await;
    let result = async {
        driver.goto(app.url("/login")).await.expect("open login");
        fill(&driver, "#login-email", &me.user.email).await;
        fill(&driver, "#login-password", kith_tests::PASSWORD).await;
        click(&driver, "#login-submit").await;
        wait_for(&driver, "#user-menu").await;
        // Each page, and the hostile texts it must show: the checks run once they are on screen (a check
        // before the SPA rendered them would pass without testing anything).
        let mut pages = vec![(app.url("/m/leads"), HOSTILE.to_vec(), String::new())];
        pages.extend(
            ids.iter()
                .enumerate()
                .map(|(i, id)| (app.url(&format!("/m/leads/{id}")), vec![HOSTILE[i]], format!("<b>{i}</b>"))),
        );
        for (page, shown, tag) in pages {
            driver.goto(&page).await.expect("open page");
            wait_for(&driver, "#user-menu").await;
            let mut needles = shown.clone();
            if !tag.is_empty() {
                needles.push(&tag);
            }
            wait_for_text(&driver, &needles, &page).await;
            assert_ne!(driver.title().await.expect("title"), "pwned", "script ran on {page}");
            for injected in ["img[src=x]", "svg[onload]", "main script", "main b"] {
                let count = driver
                    .execute(
                        "return document.querySelectorAll(arguments[0]).length;",
                        vec![serde_json::json!(injected)],
                    )
                    .await
                    .expect("query")
                    .json()
                    .as_i64()
                    .unwrap_or(-1);
                assert_eq!(count, 0, "{injected} was injected into {page}");
            }
        }
        driver.goto(app.url("/m/leads")).await.expect("open list");
        wait_for(&driver, "[data-testid=lead-row]").await;
        let text = driver
            .execute("return document.body.innerText;", vec![])
            .await
            .expect("text")
            .json()
            .as_str()
            .unwrap_or("")
            .to_owned();
        assert!(text.contains("<script>document.title='pwned'</script>"), "the hostile text is shown as text");
    }
    .await;
    let _ = driver.quit().await;
    let _ = std::fs::remove_dir_all(profile);
    result
}

/// An admin adds a custom field in settings, and a value is edited on the lead's page.
#[tokio::test]
async fn an_admin_adds_a_custom_field_and_fills_it_in_on_a_lead() {
    if skip_without_browser() {
        return;
    }
    use kith_domain::core::custom_fields::{CustomFieldInput, CustomFieldKind};
    let app = TestApp::spawn().await;
    let (admin, admin_me) = app.signup("Field Works").await;
    admin
        .create_custom_field(&CustomFieldInput {
            record_kind: "lead".into(),
            key: "seats".into(),
            label: "Seats".into(),
            help_text: None,
            kind: CustomFieldKind::Number,
            options: vec![],
            required: false,
            position: None,
        })
        .await
        .expect("seats");
    let lead = admin
        .create_lead(&kith_domain::leads::NewLead { first_name: "Fay".into(), ..Default::default() })
        .await
        .expect("lead");

    let (driver, _chromedriver, profile) = start_browser().await;
    let result = async {
        driver.goto(app.url("/login")).await.expect("open login");
        fill(&driver, "#login-email", &admin_me.user.email).await;
        fill(&driver, "#login-password", kith_tests::PASSWORD).await;
        click(&driver, "#login-submit").await;
        wait_for(&driver, "#user-menu").await;

        driver.goto(app.url("/settings/custom-fields")).await.expect("open custom fields");
        wait_for(&driver, "[data-testid=custom-field]").await;
        fill(&driver, "#custom-field-label", "Renewal notes").await;
        click(&driver, "#custom-field-save").await;
        let rows = driver
            .query(By::Css("[data-testid=custom-field]"))
            .wait(Duration::from_secs(20), Duration::from_millis(100))
            .all_from_selector_required()
            .await
            .expect("rows");
        assert!(!rows.is_empty());
        let mut added = false;
        for _ in 0..100 {
            if admin.custom_fields().await.expect("fields").iter().any(|f| f.key == "renewal_notes") {
                added = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(added, "the key follows the label");

        driver.goto(app.url(&format!("/m/leads/{}", lead.id))).await.expect("open lead");
        fill(&driver, "#lead-custom-seats", "42").await;
        click(&driver, "#lead-custom-save").await;
        let mut saved = false;
        for _ in 0..100 {
            let l = admin.get_lead(lead.id).await.expect("lead").lead;
            if l.custom.get("seats") == Some(&serde_json::json!(42)) {
                saved = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(saved, "the value is saved");

        // The new-lead form asks for the custom fields too.
        driver.goto(app.url("/m/leads")).await.expect("open leads");
        click(&driver, "#lead-new").await;
        fill(&driver, "#lead-first-name", "Gus").await;
        fill(&driver, "#lead-custom-seats", "7").await;
        click(&driver, "#lead-create").await;
        let query = kith_domain::leads::LeadListQuery {
            custom_field: Some("seats".into()),
            custom_value: Some("7".into()),
            ..Default::default()
        };
        let mut created = false;
        for _ in 0..100 {
            if admin.list_leads(&query).await.expect("list").items.iter().any(|l| l.first_name == "Gus") {
                created = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(created, "the lead is created with its custom value");
    }
    .await;
    let _ = driver.quit().await;
    let _ = std::fs::remove_dir_all(profile);
    result
}

/// An administrator edits a select field in Settings → Custom fields: renames an option (the lead
/// holding it follows), removes one a lead still holds (retired, kept on the lead and shown as such),
/// adds one and explains the field; a duplicate option is refused beside its row. The key and kind
/// are shown as fixed.
#[tokio::test]
async fn an_admin_edits_a_custom_fields_options_and_leads_keep_their_values() {
    if skip_without_browser() {
        return;
    }
    use kith_domain::core::custom_fields::{CustomFieldInput, CustomFieldKind};
    let app = TestApp::spawn().await;
    let (admin, admin_me) = app.signup("Field Works").await;
    admin
        .create_custom_field(&CustomFieldInput {
            record_kind: "lead".into(),
            key: "budget".into(),
            label: "Budget".into(),
            help_text: None,
            kind: CustomFieldKind::Select,
            options: vec!["Small".into(), "Medium".into(), "Large".into()],
            required: false,
            position: None,
        })
        .await
        .expect("budget");
    let lead = |first: &str, budget: &str| kith_domain::leads::NewLead {
        first_name: first.into(),
        custom: [("budget".to_owned(), serde_json::json!(budget))].into_iter().collect(),
        ..Default::default()
    };
    let mia = admin.create_lead(&lead("Mia", "Medium")).await.expect("mia");
    let sam = admin.create_lead(&lead("Sam", "Small")).await.expect("sam");

    let (driver, _chromedriver, profile) = start_browser().await;
    let result = async {
        driver.goto(app.url("/login")).await.expect("open login");
        fill(&driver, "#login-email", &admin_me.user.email).await;
        fill(&driver, "#login-password", kith_tests::PASSWORD).await;
        click(&driver, "#login-submit").await;
        wait_for(&driver, "#user-menu").await;

        driver.goto(app.url("/settings/custom-fields")).await.expect("open custom fields");
        click(&driver, "[data-testid=custom-field-edit]").await;
        wait_for_text(&driver, &["custom.budget", "are fixed"], "the key and kind are fixed").await;
        let rows = driver.find_all(By::Css("[data-testid=option-row] input")).await.expect("rows");
        assert_eq!(rows.len(), 3);
        // Rename "Medium", remove "Small", add "Huge" twice (a mistake the server explains).
        rows[1].clear().await.expect("clear");
        rows[1].send_keys("Mid-size").await.expect("rename");
        driver.find_all(By::Css("[data-testid=option-retire]")).await.expect("remove")[0]
            .click()
            .await
            .expect("remove");
        for _ in 0..2 {
            fill(&driver, "#custom-field-option-new", "Huge").await;
            click(&driver, "#custom-field-option-add").await;
        }
        fill(&driver, "#custom-field-edit-help", "What they expect to spend.").await;
        click(&driver, "#custom-field-edit-save").await;
        let error = wait_for(&driver, "[data-testid=option-row] .field-error").await;
        assert!(error.text().await.expect("text").contains("already in the list"));
        driver.find_all(By::Css("[data-testid=option-retire]")).await.expect("remove")[3].click().await.expect("drop");
        driver
            .screenshot(
                &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots/custom-field-edit.png"),
            )
            .await
            .ok();
        click(&driver, "#custom-field-edit-save").await;
        wait_for_text(&driver, &["Retired, still on leads: Small", "What they expect to spend."], "saved").await;

        let field = &admin.custom_fields_of("lead").await.expect("fields")[0];
        assert_eq!(field.options, ["Mid-size", "Large", "Huge"]);
        assert_eq!(field.retired_options, ["Small"]);
        assert_eq!(admin.get_lead(mia.id).await.expect("mia").lead.custom["budget"], serde_json::json!("Mid-size"));
        assert_eq!(admin.get_lead(sam.id).await.expect("sam").lead.custom["budget"], serde_json::json!("Small"));

        // Sam's page shows his retired value as such, and saving something else keeps it.
        driver.goto(app.url(&format!("/m/leads/{}", sam.id))).await.expect("open sam");
        wait_for_text(&driver, &["Small (retired)", "What they expect to spend."], "the retired value").await;
    }
    .await;
    let _ = driver.quit().await;
    let _ = std::fs::remove_dir_all(profile);
    result
}

/// An administrator names the organization's email sender in Settings → Email; after a reload the
/// page shows the saved name, and email still goes out through the installation's server.
#[tokio::test]
async fn an_admin_names_the_email_sender_and_sees_it_after_a_reload() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, admin_me) = app.signup("Mail Works").await;

    let (driver, _chromedriver, profile) = start_browser().await;
    let result = async {
        driver.goto(app.url("/login")).await.expect("open login");
        fill(&driver, "#login-email", &admin_me.user.email).await;
        fill(&driver, "#login-password", kith_tests::PASSWORD).await;
        click(&driver, "#login-submit").await;
        wait_for(&driver, "#user-menu").await;

        driver.goto(app.url("/settings/email")).await.expect("open email settings");
        wait_for(&driver, "#mail-server-none").await;
        fill(&driver, "#mail-from-name", "Mail Works Sales").await;
        click(&driver, "#mail-sender-save").await;
        let mut saved = false;
        for _ in 0..100 {
            if admin.mail_settings().await.expect("mail settings").from_name == "Mail Works Sales" {
                saved = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(saved, "the sender name is saved");

        driver.refresh().await.expect("reload");
        let mut shown = String::new();
        for _ in 0..100 {
            if let Ok(input) = driver.find(By::Css("#mail-from-name")).await {
                shown = input.prop("value").await.expect("value").unwrap_or_default();
                if shown == "Mail Works Sales" {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(shown, "Mail Works Sales", "the saved name is shown after a reload");
        wait_for(&driver, "#mail-server-none").await;
    }
    .await;
    let _ = driver.quit().await;
    let _ = std::fs::remove_dir_all(profile);
    result
}

#[tokio::test]
async fn a_rep_attaches_a_file_to_a_lead_and_sees_it_listed_and_a_refused_file_explained() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Attach Outfitters").await;
    let (rep, rep_me) = app.add_user(&admin, "sales", "Rhea Rep").await;
    let lead = rep
        .create_lead(&kith_domain::leads::NewLead {
            first_name: "Fiona".into(),
            last_name: "Files".into(),
            email: Some("fiona@files.test".into()),
            owner_id: Some(rep_me.user.id),
            ..Default::default()
        })
        .await
        .expect("lead");
    let folder = std::env::temp_dir().join(format!("kith-upload-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).expect("folder");
    let pdf = folder.join("proposal-2027.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n").expect("pdf");
    let html = folder.join("page.html");
    std::fs::write(&html, b"<script>alert(1)</script>").expect("html");

    let (driver, _chromedriver, profile) = start_browser().await;
    let result = async {
        driver.goto(app.url("/login")).await.expect("open login");
        fill(&driver, "#login-email", &rep_me.user.email).await;
        fill(&driver, "#login-password", kith_tests::PASSWORD).await;
        click(&driver, "#login-submit").await;
        wait_for(&driver, "#user-menu").await;
        driver.goto(app.url(&format!("/m/leads/{}", lead.id))).await.expect("open the lead");
        wait_for_text(&driver, &["Attachments", "No files attached yet."], "the empty attachments card").await;

        let input = wait_for(&driver, "#attachment-file").await;
        input.send_keys(pdf.display().to_string()).await.expect("choose the pdf");
        click(&driver, "#attachment-upload").await;
        wait_for(&driver, "[data-testid=attachment-row]").await;
        wait_for_text(&driver, &["proposal-2027.pdf", "Rhea Rep"], "the uploaded file in the list").await;
        let listed = rep.lead_attachments(lead.id, &Default::default()).await.expect("list").items;
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (listed[0].file_name.as_str(), listed[0].content_type.as_str()),
            ("proposal-2027.pdf", "application/pdf")
        );

        // A refused file is explained next to the upload, and nothing is added.
        let input = wait_for(&driver, "#attachment-file").await;
        input.send_keys(html.display().to_string()).await.expect("choose the html");
        click(&driver, "#attachment-upload").await;
        wait_for_text(&driver, &["HTML and SVG files are not accepted"], "the refusal").await;
        assert_eq!(rep.lead_attachments(lead.id, &Default::default()).await.expect("list").items.len(), 1);
    }
    .await;
    let _ = driver.quit().await;
    let _ = std::fs::remove_dir_all(profile);
    let _ = std::fs::remove_dir_all(folder);
    result
}

/// Does a console message report a failed request (4xx/5xx)?
fn is_failed_request(message: &str) -> bool {
    ["Failed to load resource", "status of 4", "status of 5"].iter().any(|m| message.contains(m))
}

/// Requests the console reports as failed (4xx/5xx) since the last call (reading drains the log).
pub(crate) async fn failed_requests(driver: &WebDriver) -> Vec<String> {
    let log = driver.browser_log().await.expect("the browser's console");
    log.into_iter().map(|entry| entry.message).filter(|m| is_failed_request(m)).collect()
}

/// Let requests the page started finish, then check that none failed.
pub(crate) async fn assert_no_failed_request(driver: &WebDriver, what: &str) {
    tokio::time::sleep(Duration::from_millis(700)).await;
    let failed = failed_requests(driver).await;
    assert!(failed.is_empty(), "{what}: the console shows failed requests: {failed:#?}");
}

/// Let requests the page started finish, then check the console holds no error at all: no failed
/// request and nothing the app logged as an error (reading drains the log).
pub(crate) async fn assert_quiet_console(driver: &WebDriver, what: &str) {
    tokio::time::sleep(Duration::from_millis(700)).await;
    let errors: Vec<String> = driver
        .browser_log()
        .await
        .expect("the browser's console")
        .into_iter()
        .filter(|entry| entry.level == "SEVERE" || is_failed_request(&entry.message))
        .map(|entry| format!("{}: {}", entry.level, entry.message))
        .collect();
    assert!(errors.is_empty(), "{what}: the console shows errors: {errors:#?}");
}

/// Sign in through the login page and wait for the signed-in shell.
pub(crate) async fn log_in(driver: &WebDriver, app: &TestApp, email: &str) {
    driver.goto(app.url("/login")).await.expect("open login");
    fill(driver, "#login-email", email).await;
    fill(driver, "#login-password", kith_tests::PASSWORD).await;
    click(driver, "#login-submit").await;
    wait_for(driver, "#user-menu").await;
}

/// Run `story` in a fresh headless browser, then close it.
pub(crate) async fn in_browser(story: impl AsyncFnOnce(&WebDriver)) {
    let (driver, _chromedriver, profile) = start_browser().await;
    story(&driver).await;
    let _ = driver.quit().await;
    let _ = std::fs::remove_dir_all(profile);
}

/// Poll `check` until it holds (the browser saves asynchronously); fail with `what` if it never does.
pub(crate) async fn eventually<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}");
}

/// Someone renames a team while an administrator has it open for editing: the administrator's save
/// does not overwrite it; the page says the team changed elsewhere, reloads it on request, and the
/// next save goes through.
#[tokio::test]
async fn a_team_changed_elsewhere_while_edited_is_not_overwritten_and_can_be_reloaded() {
    use kith_domain::identity::{NewTeam, TeamPatch};
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Stale Works").await;
    let team = admin.create_team(&NewTeam { name: "Alpha".into(), description: String::new() }).await.expect("team");

    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &me.user.email).await;
        driver.goto(app.url("/settings/teams")).await.expect("open teams");
        wait_for_text(driver, &["Alpha"], "the team list").await;
        click(driver, "[data-testid=team-edit]").await;
        wait_for(driver, "#team-edit-name").await;

        // Meanwhile, someone else renames it.
        let patch = TeamPatch { name: Some("Alpha (renamed elsewhere)".into()), description: None };
        admin.update_team(team.id, team.version, &patch).await.expect("rename elsewhere");

        fill(driver, "#team-edit-name", "Alpha Browser").await;
        click(driver, "#team-edit-save").await;
        let notice = wait_for(driver, "[data-testid=stale-notice]").await;
        assert!(notice.text().await.expect("text").contains("changed elsewhere"), "the page says why");
        assert_eq!(
            admin.get_team(team.id).await.expect("team").name,
            "Alpha (renamed elsewhere)",
            "the other change is not overwritten"
        );

        click(driver, "[data-testid=stale-reload]").await;
        wait_for_text(driver, &["Alpha (renamed elsewhere)"], "the reloaded team").await;
        click(driver, "[data-testid=team-edit]").await;
        fill(driver, "#team-edit-name", "Alpha Browser").await;
        click(driver, "#team-edit-save").await;
        eventually("the save after the reload goes through", || async {
            admin.get_team(team.id).await.map(|t| t.name == "Alpha Browser").unwrap_or(false)
        })
        .await;
    })
    .await;
}

/// The recycle bin page lists every kind of deleted record and restores each through its own kind:
/// here a lead and a web form.
#[tokio::test]
async fn the_recycle_bin_page_restores_a_deleted_lead_and_a_web_form() {
    use kith_domain::leads::webforms::*;
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Bin Works").await;
    let lead = admin
        .create_lead(&kith_domain::leads::NewLead { first_name: "Rhea Restored".into(), ..Default::default() })
        .await
        .expect("lead");
    admin.delete_lead(lead.id).await.expect("delete lead");
    let form = admin
        .create_web_form(&WebFormInput {
            name: "Spring fair form".into(),
            fields: vec![FormField {
                name: "email".into(),
                label: "Email".into(),
                target: FormTarget::Email,
                required: true,
                custom_key: None,
            }],
            consent_text: None,
            thank_you_message: "Thanks".into(),
            redirect_url: None,
            allowed_origins: vec![],
            tags: vec![],
            owner_id: None,
            campaign: None,
            min_fill_seconds: 1,
            active: true,
        })
        .await
        .expect("form");
    admin.delete_web_form(form.id).await.expect("delete form");

    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &me.user.email).await;
        driver.goto(app.url("/settings/recycle-bin")).await.expect("open bin");
        wait_for_text(driver, &["Rhea Restored", "Spring fair form", "Lead", "Web form"], "the bin").await;
        for (label, restored) in [
            ("Rhea Restored", "Lead Rhea Restored restored"),
            ("Spring fair form", "Web form Spring fair form restored"),
        ] {
            let rows = driver.find_all(By::Css("[data-testid=bin-item]")).await.expect("rows");
            let mut clicked = false;
            for row in rows {
                if row.text().await.unwrap_or_default().contains(label) {
                    row.find(By::Css("[data-testid=bin-restore]"))
                        .await
                        .expect("restore")
                        .click()
                        .await
                        .expect("click");
                    clicked = true;
                    break;
                }
            }
            assert!(clicked, "{label} has a Restore button");
            wait_for_text(driver, &[restored], "the restore toast").await;
        }
        eventually("both are back", || async {
            admin.get_lead(lead.id).await.is_ok() && admin.get_web_form(form.id).await.is_ok()
        })
        .await;
        wait_for_text(driver, &["The recycle bin is empty"], "the emptied bin").await;
    })
    .await;
}

/// A rule only the server knows (a deleted field's key stays reserved) comes back as a problem
/// document; the form shows its message beside the field it names.
#[tokio::test]
async fn a_field_error_from_the_server_is_shown_beside_its_field() {
    use kith_domain::core::custom_fields::{CustomFieldInput, CustomFieldKind};
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Key Works").await;
    let seats = admin
        .create_custom_field(&CustomFieldInput {
            record_kind: "lead".into(),
            key: "seats".into(),
            label: "Seats".into(),
            help_text: None,
            kind: CustomFieldKind::Number,
            options: vec![],
            required: false,
            position: None,
        })
        .await
        .expect("seats");
    admin.delete_custom_field(seats.id).await.expect("delete seats");

    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &me.user.email).await;
        driver.goto(app.url("/settings/custom-fields")).await.expect("open custom fields");
        wait_for_text(driver, &["No custom fields yet"], "the empty list").await;
        fill(driver, "#custom-field-label", "Seats").await;
        click(driver, "#custom-field-save").await;
        wait_for(driver, "#custom-field-key[aria-invalid=true]").await;
        let beside = driver
            .execute(
                "const e = document.getElementById('custom-field-key').closest('.field').querySelector('[data-testid=field-error]'); return e ? e.innerText : '';",
                vec![],
            )
            .await
            .expect("script")
            .json()
            .as_str()
            .unwrap_or("")
            .to_owned();
        assert!(beside.contains("already uses this key"), "the key's error is beside the key: {beside:?}");
        let label_error = driver
            .execute(
                "return document.getElementById('custom-field-label').closest('.field').querySelectorAll('[data-testid=field-error]').length;",
                vec![],
            )
            .await
            .expect("script")
            .json()
            .as_i64();
        assert_eq!(label_error, Some(0), "no error beside the label");
    })
    .await;
}

/// Choose the option showing `text` in the select `css`, as a person does.
pub(crate) async fn choose(driver: &WebDriver, css: &str, text: &str) {
    // The select is looked up afresh on each try: a list that reloads (a board after a move) draws
    // it again, and the owner pickers fill in once the organization's people are loaded.
    let mut last = String::new();
    for _ in 0..100 {
        let select = wait_for(driver, css).await;
        let mut found = false;
        for option in select.find_all(By::Css("option")).await.unwrap_or_default() {
            if option.text().await.unwrap_or_default() == text {
                found = true;
            }
        }
        if found {
            let chosen = match thirtyfour::components::SelectElement::new(&select).await {
                Ok(s) => s.select_by_visible_text(text).await,
                Err(e) => Err(e),
            };
            match chosen {
                Ok(()) => return,
                Err(e) => last = e.to_string(),
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("choose {text} in {css}: {last}");
}

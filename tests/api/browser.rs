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

async fn wait_for(driver: &WebDriver, css: &str) -> WebElement {
    driver
        .query(By::Css(css))
        .wait(Duration::from_secs(20), Duration::from_millis(100))
        .first()
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

async fn fill(driver: &WebDriver, css: &str, text: &str) {
    let field = wait_for(driver, css).await;
    field.clear().await.unwrap_or_else(|e| panic!("clear {css}: {e}"));
    field.send_keys(text).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

async fn click(driver: &WebDriver, css: &str) {
    wait_for(driver, css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
}

#[tokio::test]
async fn a_new_customer_signs_up_creates_an_api_key_and_logs_out_in_the_browser() {
    if let Some(why) = missing() {
        assert!(std::env::var("REQUIRE_BROWSER").as_deref() != Ok("1"), "browser test required but {why}");
        eprintln!("!!! SKIPPED browser test: {why}");
        return;
    }
    let app = TestApp::spawn().await;
    let port = free_port();
    let _chromedriver = Driver(
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
    let mut driver = None;
    for _ in 0..50 {
        match WebDriver::new(format!("http://127.0.0.1:{port}"), caps.clone()).await {
            Ok(d) => {
                driver = Some(d);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let driver = driver.expect("chromedriver did not start");

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
        role.click().await.expect("open select");
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

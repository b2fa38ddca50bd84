//! Headers on every answer, whatever its status (success, client error, refusal, rate limit), the
//! per-form submission limit, and the slow-client timeout (docs/API.md "Limits and headers").

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use kith_domain::leads::webforms::WebFormInput;
use kith_domain::leads::LeadListQuery;
use kith_domain::{ErrorCode, Problem};
use kith_tests::TestApp;
use serde_json::json;

fn check(what: &str, r: &reqwest::Response) {
    let h = r.headers();
    let path = r.url().path().to_owned();
    assert_eq!(h.get("x-frame-options").map(|v| v.as_bytes()), Some(&b"DENY"[..]), "{what}");
    assert_eq!(h.get("x-content-type-options").map(|v| v.as_bytes()), Some(&b"nosniff"[..]), "{what}");
    assert_eq!(h.get("referrer-policy").map(|v| v.as_bytes()), Some(&b"no-referrer"[..]), "{what}");
    let csp = h.get("content-security-policy").map(|v| v.to_str().expect("ascii").to_owned()).unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    if path.starts_with("/api/") {
        assert_eq!(h.get("cache-control").map(|v| v.as_bytes()), Some(&b"no-store"[..]), "{what}: API answers");
    }
    assert!(h.contains_key("x-request-id"), "{what}");
}

#[tokio::test]
async fn every_api_answer_whatever_its_status_carries_no_store_and_the_frame_and_sniffing_headers() {
    let app = TestApp::spawn_with(|c| c.webform_ip_per_minute = 1).await;
    let (admin, _) = app.signup("Acme").await;
    let http = app.http();
    let team = admin
        .request(reqwest::Method::POST, "/api/v1/teams")
        .json(&json!({"name": "Sales"}))
        .send()
        .await
        .expect("201");
    assert_eq!(team.status().as_u16(), 201);
    check("201 created", &team);
    let team: serde_json::Value = team.json().await.expect("team");
    let team_path = format!("/api/v1/teams/{}", team["id"].as_str().expect("id"));

    let mut cases: Vec<(u16, reqwest::Response)> = vec![
        (200, admin.request(reqwest::Method::GET, "/api/v1/me").send().await.expect("send")),
        (200, admin.request(reqwest::Method::GET, &team_path).send().await.expect("send")),
        (200, admin.request(reqwest::Method::HEAD, "/api/v1/me").send().await.expect("send")),
        (401, http.get(app.url("/api/v1/me")).send().await.expect("send")),
        (404, http.get(app.url("/api/v1/nothing-here")).send().await.expect("send")),
        (405, http.delete(app.url("/api/v1/auth/login")).send().await.expect("send")),
        (
            400,
            admin
                .request(reqwest::Method::POST, "/api/v1/teams")
                .header("content-type", "application/json")
                .body("{not json")
                .send()
                .await
                .expect("send"),
        ),
        (
            415,
            admin
                .request(reqwest::Method::POST, "/api/v1/teams")
                .header("content-type", "text/plain")
                .body("x")
                .send()
                .await
                .expect("send"),
        ),
        (
            422,
            admin
                .request(reqwest::Method::POST, "/api/v1/teams")
                .json(&json!({"name": " "}))
                .send()
                .await
                .expect("send"),
        ),
        (
            428,
            admin.request(reqwest::Method::PATCH, &team_path).json(&json!({"name": "x"})).send().await.expect("send"),
        ),
        (
            412,
            admin
                .request(reqwest::Method::PATCH, &team_path)
                .header("If-Match", "\"999\"")
                .json(&json!({"name": "x"}))
                .send()
                .await
                .expect("send"),
        ),
        (
            413,
            admin
                .request(reqwest::Method::POST, "/api/v1/teams")
                .header("content-type", "application/json")
                .body(format!("{{\"name\":\"{}\"}}", "x".repeat(2 * 1024 * 1024)))
                .send()
                .await
                .expect("send"),
        ),
        (204, admin.request(reqwest::Method::DELETE, &team_path).send().await.expect("send")),
    ];
    // A rate-limited public submission (one per minute per address here).
    let form = admin.create_web_form(&crate::leads::webforms::contact_form()).await.expect("form");
    let path = format!("/api/v1/public/forms/{}/submissions", form.id);
    let ts = (app.clock().now().timestamp_millis() - 60_000).to_string();
    for i in 0..2 {
        let r = http
            .post(app.url(&path))
            .header("Origin", "https://shop.example")
            .json(&json!({"name": "Flo", "email": format!("f{i}@example.test"), "kith_ts": ts}))
            .send()
            .await
            .expect("send");
        cases.push((if i == 0 { 200 } else { 429 }, r));
    }
    for (status, r) in &cases {
        let what = format!("{} {} → {status}", r.url().path(), r.status());
        assert_eq!(r.status().as_u16(), *status, "{what}");
        check(&what, r);
    }
    // Outside the API: the health probe and the web app's pages.
    for path in ["/healthz", "/", "/leads"] {
        let r = http.get(app.url(path)).send().await.expect("send");
        check(path, &r);
    }
}

fn form_input(name: &str) -> WebFormInput {
    WebFormInput { name: name.into(), ..crate::leads::webforms::contact_form() }
}

#[tokio::test]
async fn one_form_takes_at_most_its_per_minute_limit_from_all_addresses_together() {
    // Behind a proxy, each submission from another address: only the per-form limit can stop them.
    let app = TestApp::spawn_with(|c| {
        c.webform_form_per_minute = 3;
        c.webform_ip_per_minute = 100;
        c.trust_proxy = true;
    })
    .await;
    let (admin, _) = app.signup("Acme").await;
    let busy = admin.create_web_form(&form_input("Busy")).await.expect("form");
    let quiet = admin.create_web_form(&form_input("Quiet")).await.expect("form");
    let ts = (app.clock().now().timestamp_millis() - 60_000).to_string();
    let submit = |form: kith_domain::WebFormId, i: u32| {
        let (http, url, ts) = (app.http(), app.url(&format!("/api/v1/public/forms/{form}/submissions")), ts.clone());
        async move {
            http.post(url)
                .header("Origin", "https://shop.example")
                .header("X-Forwarded-For", format!("203.0.113.{i}"))
                .json(&json!({"name": "Flo", "email": format!("f{i}@example.test"), "kith_ts": ts}))
                .send()
                .await
                .expect("send")
        }
    };
    let mut statuses = Vec::new();
    for i in 0..5 {
        let r = submit(busy.id, i).await;
        statuses.push(r.status().as_u16());
        if r.status().as_u16() == 429 {
            assert_eq!(r.headers()["retry-after"], "60");
            assert_eq!(r.headers()["access-control-allow-origin"], "https://shop.example", "the script can read it");
            let problem: Problem = r.json().await.expect("problem");
            assert_eq!(problem.code, ErrorCode::RateLimited);
        }
    }
    assert_eq!(statuses, vec![200, 200, 200, 429, 429]);
    // Only the accepted submissions were stored.
    let leads = admin.list_leads(&LeadListQuery::default()).await.expect("leads").items;
    assert_eq!(leads.len(), 3);
    assert_eq!(admin.get_web_form(busy.id).await.expect("form").submissions, 3);
    // Another form of the same organization has its own allowance.
    assert_eq!(submit(quiet.id, 50).await.status().as_u16(), 200);
    assert_eq!(admin.list_leads(&LeadListQuery::default()).await.expect("leads").items.len(), 4);
}

#[tokio::test]
async fn a_client_that_never_finishes_its_request_head_is_cut_off_after_about_ten_seconds() {
    let app = TestApp::spawn().await;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    let outcome = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
        // Half a request head, then nothing.
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: kith\r\nX-Slow: ").expect("write");
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        answer
    })
    .await
    .expect("slow client");
    let waited = started.elapsed();
    let answer = String::from_utf8_lossy(&outcome);
    assert!(
        waited >= Duration::from_secs(9) && waited < Duration::from_secs(15),
        "cut off after {waited:?} (10 s promised): {answer}"
    );
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
    // The server still serves everyone else.
    assert_eq!(app.http().get(app.url("/healthz")).send().await.expect("send").status().as_u16(), 200);
}

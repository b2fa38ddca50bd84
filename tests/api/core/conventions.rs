//! The REST conventions: pagination, concurrency, idempotency, limits, problems and headers.

use std::collections::HashSet;

use kith_domain::identity::{NewTeam, TeamListQuery, TeamPatch};
use kith_domain::ErrorCode;
use kith_tests::TestApp;
use serde_json::json;

fn team(name: &str) -> NewTeam {
    NewTeam { name: name.into(), description: String::new() }
}

#[tokio::test]
async fn paging_through_a_list_sees_every_row_once_while_rows_are_added() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let mut originals = HashSet::new();
    for i in 0..25 {
        originals.insert(admin.create_team(&team(&format!("Team {i:02}"))).await.expect("create").id);
    }
    for sort in ["name", "-name", "created_at", "-created_at"] {
        let mut seen = Vec::new();
        let mut cursor = None;
        let mut round = 0;
        loop {
            let page = admin
                .list_teams(&TeamListQuery {
                    limit: Some(10),
                    cursor: cursor.clone(),
                    sort: Some(sort.into()),
                    q: None,
                })
                .await
                .expect("page");
            seen.extend(page.items.iter().map(|t| t.id));
            // Rows added between pages, sorting before and after the cursor.
            admin.create_team(&team(&format!("A inserted {sort} {round}"))).await.expect("insert");
            admin.create_team(&team(&format!("Z inserted {sort} {round}"))).await.expect("insert");
            round += 1;
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let unique: HashSet<_> = seen.iter().copied().collect();
        assert_eq!(unique.len(), seen.len(), "{sort}: a row appeared twice");
        assert!(originals.is_subset(&unique), "{sort}: a row was skipped");
    }
}

#[tokio::test]
async fn list_limits_are_clamped_and_bad_cursors_and_sorts_are_refused() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    // More rows than the largest page, so a missing clamp would show.
    for i in 0..205 {
        admin.create_team(&team(&format!("T{i:03}"))).await.expect("create");
    }
    let page = admin.list_teams(&TeamListQuery { limit: Some(0), ..Default::default() }).await.expect("limit 0");
    assert_eq!(page.items.len(), 1);
    let page = admin.list_teams(&TeamListQuery::default()).await.expect("default limit");
    assert_eq!(page.items.len(), 50);
    let page =
        admin.list_teams(&TeamListQuery { limit: Some(100_000), ..Default::default() }).await.expect("huge limit");
    assert_eq!(page.items.len(), 200, "clamped to 200");
    assert!(page.next_cursor.is_some(), "and the rest is on the next page");
    let err = admin
        .list_teams(&TeamListQuery { cursor: Some("garbage".into()), ..Default::default() })
        .await
        .expect_err("cursor");
    assert!(err.problem().and_then(|p| p.field_message("cursor")).is_some());
    let err = admin
        .list_teams(&TeamListQuery { sort: Some("password_hash".into()), ..Default::default() })
        .await
        .expect_err("sort");
    assert!(err.problem().and_then(|p| p.field_message("sort")).is_some());
}

#[tokio::test]
async fn a_stale_if_match_is_refused_and_nothing_is_lost() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let t = admin.create_team(&team("Sales")).await.expect("create");
    let alice = admin
        .update_team(t.id, t.version, &TeamPatch { name: Some("Sales EMEA".into()), ..Default::default() })
        .await
        .expect("first");
    let bob = admin
        .update_team(t.id, t.version, &TeamPatch { description: Some("overwrites?".into()), ..Default::default() })
        .await
        .expect_err("stale");
    assert_eq!(bob.problem().map(|p| p.code), Some(ErrorCode::PreconditionFailed));
    let now = admin.get_team(t.id).await.expect("get");
    assert_eq!((now.name.as_str(), now.description.as_str(), now.version), ("Sales EMEA", "", alice.version));

    let missing = admin
        .request(reqwest::Method::PATCH, &format!("/api/v1/teams/{}", t.id))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .expect("send");
    assert_eq!(missing.status().as_u16(), 428);
    let etag = admin.request(reqwest::Method::GET, &format!("/api/v1/teams/{}", t.id)).send().await.expect("get");
    assert_eq!(etag.headers()["etag"], format!("\"{}\"", alice.version).as_str());
}

#[tokio::test]
async fn concurrent_read_modify_write_loses_no_update() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let t = admin.create_team(&team("Counter")).await.expect("create");
    // 16 writers each append their mark, retrying on 412 as a correct client does.
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = admin.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let current = client.get_team(t.id).await.expect("get");
                let patch =
                    TeamPatch { description: Some(format!("{}[{i}]", current.description)), ..Default::default() };
                match client.update_team(t.id, current.version, &patch).await {
                    Ok(_) => break,
                    Err(e) if e.status() == Some(412) => continue,
                    Err(e) => panic!("writer {i}: {e}"),
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer");
    }
    let done = admin.get_team(t.id).await.expect("get");
    for i in 0..16 {
        assert!(done.description.contains(&format!("[{i}]")), "update {i} lost: {}", done.description);
    }
    assert_eq!(done.version, 17);
}

#[tokio::test]
async fn a_replayed_post_returns_the_first_response_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let post = |body: serde_json::Value| {
        admin
            .request(reqwest::Method::POST, "/api/v1/teams")
            .header("Idempotency-Key", "create-sales-1")
            .json(&body)
            .send()
    };
    let first = post(json!({"name": "Sales"})).await.expect("first");
    assert_eq!(first.status().as_u16(), 201);
    let first: serde_json::Value = first.json().await.expect("json");
    let replay = post(json!({"name": "Sales"})).await.expect("replay");
    assert_eq!(replay.status().as_u16(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<serde_json::Value>().await.expect("json"), first);
    let teams = admin.list_teams(&TeamListQuery::default()).await.expect("list");
    assert_eq!(teams.items.len(), 1);

    let other = post(json!({"name": "Marketing"})).await.expect("other body");
    assert_eq!(other.status().as_u16(), 422);
    let problem: kith_domain::Problem = other.json().await.expect("problem");
    assert_eq!(problem.code, ErrorCode::IdempotencyKeyReused);
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let r = admin
        .request(reqwest::Method::POST, "/api/v1/teams")
        .header("content-type", "application/json")
        .body(format!("{{\"name\":\"{huge}\"}}"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 413);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

async fn assert_problem(response: reqwest::Response, status: u16) {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let request_id = response.headers()["x-request-id"].to_str().expect("ascii").to_owned();
    let problem: kith_domain::Problem = response.json().await.expect("problem body");
    assert_eq!(problem.status, status);
    assert_eq!(problem.request_id.as_deref(), Some(request_id.as_str()));
}

#[tokio::test]
async fn every_error_is_a_problem_document_with_the_request_id() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let http = app.http();
    assert_problem(http.get(app.url("/api/v1/nothing-here")).send().await.expect("send"), 404).await;
    assert_problem(http.get(app.url("/api/unknown")).send().await.expect("send"), 404).await;
    assert_problem(http.get(app.url("/api/v1/me")).send().await.expect("send"), 401).await;
    // A known path with another method is 405 (it was 404 before: docs/API.md promises 405).
    let wrong_method = http.delete(app.url("/api/v1/auth/login")).send().await.expect("send");
    assert_eq!(wrong_method.headers()["allow"], "POST");
    assert_problem(wrong_method, 405).await;
    assert_problem(
        http.post(app.url("/api/v1/auth/login"))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .expect("send"),
        400,
    )
    .await;
    assert_problem(
        http.post(app.url("/api/v1/auth/login"))
            .header("content-type", "text/plain")
            .body("hi")
            .send()
            .await
            .expect("send"),
        415,
    )
    .await;
    assert_problem(
        admin.request(reqwest::Method::POST, "/api/v1/teams").json(&json!({"name": " "})).send().await.expect("send"),
        422,
    )
    .await;
    assert_problem(admin.request(reqwest::Method::GET, "/api/v1/teams/not-a-uuid").send().await.expect("send"), 404)
        .await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let http = app.http();
    for path in
        ["/healthz", "/readyz", "/api/v1/me", "/api/nope", "/", "/settings/users", "/api/openapi.json", "/metrics"]
    {
        let r = http.get(app.url(path)).send().await.expect("send");
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert!(h["content-security-policy"].to_str().expect("ascii").contains("frame-ancestors 'none'"), "{path}");
        assert!(h.contains_key("x-request-id"), "{path}");
        assert!(!h.contains_key("access-control-allow-origin"), "{path}: no CORS outside webforms");
    }
}

#[tokio::test]
async fn operators_can_probe_health_readiness_and_metrics() {
    let app = TestApp::spawn().await;
    let http = app.http();
    assert_eq!(http.get(app.url("/healthz")).send().await.expect("send").status().as_u16(), 200);
    assert_eq!(http.get(app.url("/readyz")).send().await.expect("send").status().as_u16(), 200);
    let metrics = http.get(app.url("/metrics")).send().await.expect("send").text().await.expect("text");
    assert!(metrics.contains("kith_http_requests_total"), "{metrics}");
    assert!(metrics.contains("route=\"/readyz\""), "{metrics}");
}

#[tokio::test]
async fn a_caller_supplied_request_id_is_echoed_only_when_it_is_plain() {
    let app = TestApp::spawn().await;
    let http = app.http();
    let r = http.get(app.url("/healthz")).header("x-request-id", "trace-abc_123").send().await.expect("send");
    assert_eq!(r.headers()["x-request-id"], "trace-abc_123");
    let r = http.get(app.url("/healthz")).header("x-request-id", "bad id\twith tab").send().await.expect("send");
    assert_ne!(r.headers()["x-request-id"], "bad id\twith tab");
}

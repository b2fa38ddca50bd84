//! The HTTP contract around the handlers: compression, methods, media types, text input, and what the
//! OpenAPI document says about all of it.

use std::io::Read;

use kith_domain::identity::NewApiKey;
use kith_domain::{ErrorCode, Problem};
use kith_tests::TestApp;
use reqwest::Method;
use serde_json::json;

/// The body as the client must read it: decoded as its Content-Encoding says.
async fn decoded(response: reqwest::Response) -> (reqwest::StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let status = response.status();
    let headers = response.headers().clone();
    let raw = response.bytes().await.expect("body").to_vec();
    let encoding = headers.get("content-encoding").map(|v| v.to_str().expect("ascii").to_owned());
    let body = match encoding.as_deref() {
        None | Some("identity") => raw,
        Some("gzip") => {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out).expect("Content-Encoding gzip, body is not");
            out
        }
        Some("br") => {
            let mut out = Vec::new();
            brotli::Decompressor::new(&raw[..], 4096).read_to_end(&mut out).expect("Content-Encoding br, body is not");
            out
        }
        Some(other) => panic!("unexpected Content-Encoding {other}"),
    };
    (status, headers, body)
}

async fn assert_problem(response: reqwest::Response, status: u16, what: &str) -> Problem {
    let (got, headers, body) = decoded(response).await;
    assert_eq!(got.as_u16(), status, "{what}");
    assert_eq!(headers["content-type"], "application/problem+json", "{what}");
    let problem: Problem = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{what}: not a problem: {e}"));
    assert_eq!(problem.status, status, "{what}");
    let request_id = headers["x-request-id"].to_str().expect("ascii");
    assert_eq!(problem.request_id.as_deref(), Some(request_id), "{what}: request id");
    problem
}

#[tokio::test]
async fn compressed_or_not_every_error_is_a_readable_problem_with_its_request_id() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let http = app.http();
    for encoding in ["gzip", "br", "identity"] {
        let r = http.post(app.url("/healthz")).header("accept-encoding", encoding).send().await.expect("send");
        assert_problem(r, 405, &format!("{encoding}: POST /healthz")).await;
        let r = http.get(app.url("/api/v1/nothing-here")).header("accept-encoding", encoding).send().await.expect("s");
        assert_problem(r, 404, &format!("{encoding}: unknown path")).await;
        let r = http.get(app.url("/api/v1/me")).header("accept-encoding", encoding).send().await.expect("send");
        assert_problem(r, 401, &format!("{encoding}: no credentials")).await;
        let r = admin
            .request(Method::POST, "/api/v1/teams")
            .header("accept-encoding", encoding)
            .json(&json!({"name": " "}))
            .send()
            .await
            .expect("send");
        assert_problem(r, 422, &format!("{encoding}: invalid team")).await;
        let r = admin
            .request(Method::POST, "/api/v1/teams")
            .header("accept-encoding", encoding)
            .header("content-type", "application/json")
            .body(format!("{{\"name\":\"{}\"}}", "x".repeat(2 * 1024 * 1024)))
            .send()
            .await
            .expect("send");
        assert_problem(r, 413, &format!("{encoding}: oversized body")).await;
    }
}

#[tokio::test]
async fn brotli_and_gzip_are_negotiated_and_decode_to_the_same_document() {
    let app = TestApp::spawn().await;
    let http = app.http();
    let mut documents = Vec::new();
    for encoding in ["br", "gzip", "identity"] {
        let r = http.get(app.url("/api/openapi.json")).header("accept-encoding", encoding).send().await.expect("send");
        let (status, headers, body) = decoded(r).await;
        assert_eq!(status.as_u16(), 200);
        let sent = headers.get("content-encoding").map(|v| v.to_str().expect("ascii").to_owned());
        if encoding == "identity" {
            assert_eq!(sent, None);
        } else {
            assert_eq!(sent.as_deref(), Some(encoding), "a client asking for {encoding} gets it");
        }
        documents.push(serde_json::from_slice::<serde_json::Value>(&body).expect("json"));
    }
    assert!(documents.windows(2).all(|w| w[0] == w[1]));
}

#[tokio::test]
async fn a_wrong_method_on_a_known_path_is_405_with_allow_and_head_answers_like_get() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let r = admin.request(Method::PUT, "/api/v1/teams").send().await.expect("send");
    assert_eq!(r.headers()["allow"], "GET, HEAD, POST");
    let problem = assert_problem(r, 405, "PUT /teams").await;
    assert_eq!(problem.code, ErrorCode::MethodNotAllowed);
    let r = app.http().get(app.url("/api/v1/auth/login")).send().await.expect("send");
    assert_eq!(r.headers()["allow"], "POST");
    assert_problem(r, 405, "GET /auth/login").await;
    // Unknown paths stay 404.
    assert_problem(admin.request(Method::PUT, "/api/v1/no-such").send().await.expect("send"), 404, "unknown").await;

    let get = admin.request(Method::GET, "/api/v1/teams").send().await.expect("get");
    let head = admin.request(Method::HEAD, "/api/v1/teams").send().await.expect("head");
    assert_eq!(head.status().as_u16(), 200);
    assert_eq!(head.headers()["content-type"], get.headers()["content-type"]);
    assert!(head.bytes().await.expect("body").is_empty(), "HEAD sends no body");
    assert_eq!(app.http().head(app.url("/healthz")).send().await.expect("head").status().as_u16(), 200);
    // HEAD where GET is not an operation is a 405 as well.
    let r = app.http().head(app.url("/api/v1/auth/login")).send().await.expect("head");
    assert_eq!((r.status().as_u16(), r.headers()["allow"].to_str().expect("ascii")), (405, "POST"));
}

#[tokio::test]
async fn api_keys_get_a_reasoned_403_where_only_people_can_act() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let key = admin
        .create_api_key(&NewApiKey { name: "integration".into(), role_id: me.role.id, expires_at: None })
        .await
        .expect("key");
    let integrator = kith_client::Client::with_api_key(&app.address, key.secret);
    let problem =
        assert_problem(integrator.request(Method::GET, "/api/v1/me").send().await.expect("send"), 403, "me").await;
    assert_eq!(problem.code, ErrorCode::Forbidden);
    assert!(problem.detail.is_some_and(|d| d.contains("API key")));
    let r = integrator
        .request(Method::POST, "/api/v1/invites")
        .json(&json!({"email": "new@example.test", "role_id": me.role.id}))
        .send()
        .await
        .expect("send");
    let problem = assert_problem(r, 403, "invite").await;
    assert!(problem.detail.is_some_and(|d| d.contains("API key")));
}

#[tokio::test]
async fn csv_uploads_refuse_bodies_that_are_not_csv() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let r = admin
        .request(Method::POST, "/api/v1/imports?file_name=x.csv")
        .json(&json!({"email": "a@example.test"}))
        .send()
        .await
        .expect("send");
    let problem = assert_problem(r, 415, "JSON import").await;
    assert_eq!(problem.code, ErrorCode::UnsupportedMediaType);
    let r = admin.request(Method::POST, "/api/v1/imports").body("email\na@example.test\n").send().await.expect("send");
    assert_problem(r, 415, "no content type").await;
    let mut conn = app.pool.get().expect("conn");
    use diesel::prelude::*;
    let stored: i64 = kith_db::schema::imports::table.count().get_result(&mut *conn).expect("count");
    assert_eq!(stored, 0);
    for media in ["text/csv; charset=utf-8", "application/csv", "text/plain"] {
        let r = admin
            .request(Method::POST, "/api/v1/imports?file_name=x.csv")
            .header("content-type", media)
            .body("email\na@example.test\n")
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), 201, "{media}");
    }
    let list = admin.create_call_list("Fair").await.expect("list");
    let r = admin
        .request(Method::POST, &format!("/api/v1/call-lists/{}/contacts", list.id))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .expect("send");
    assert_problem(r, 415, "JSON contacts").await;
}

#[tokio::test]
async fn list_length_errors_count_items_not_characters() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let r = admin
        .request(Method::POST, "/api/v1/sequences")
        .json(&json!({"name": "Welcome", "steps": []}))
        .send()
        .await
        .expect("send");
    let problem = assert_problem(r, 422, "no steps").await;
    assert_eq!(problem.field_message("steps"), Some("Required, at most 20 items."));
    let r =
        admin.request(Method::POST, "/api/v1/teams").json(&json!({"name": "x".repeat(201)})).send().await.expect("s");
    let problem = assert_problem(r, 422, "long name").await;
    assert_eq!(problem.field_message("name"), Some("Use at most 200 characters."));
}

#[tokio::test]
async fn nul_characters_are_refused_in_every_json_and_query_input() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let cases = [
        (Method::POST, "/api/v1/teams".to_owned(), json!({"name": "Sales\u{0}"}), "name"),
        (Method::POST, "/api/v1/leads".to_owned(), json!({"email": "a@example.test", "company": "\u{0}"}), "company"),
        (
            Method::POST,
            "/api/v1/sequences".to_owned(),
            json!({"name": "S", "steps": [{"day_offset": 0, "subject": "hi", "body": "a\u{0}b"}]}),
            "steps[0].body",
        ),
    ];
    for (method, path, body, field) in cases {
        let r = admin.request(method.clone(), &path).json(&body).send().await.expect("send");
        let problem = assert_problem(r, 422, &format!("{method} {path}")).await;
        assert_eq!(problem.code, ErrorCode::ValidationFailed);
        assert!(problem.field_message(field).is_some(), "{path}: {problem:?}");
    }
    for query in ["q=a%00b", "sort=name%00", "cursor=%00"] {
        let r = admin.request(Method::GET, &format!("/api/v1/leads?{query}")).send().await.expect("send");
        let problem = assert_problem(r, 422, query).await;
        let field = query.split('=').next().expect("field");
        assert!(problem.field_message(field).is_some(), "{query}: {problem:?}");
    }
    // Nothing was stored, and the escaped text `\u0000` (a backslash, not NUL) is ordinary text.
    let teams = admin.list_teams(&Default::default()).await.expect("teams");
    assert!(teams.items.is_empty());
    let team = admin
        .create_team(&kith_domain::identity::NewTeam { name: "back\\u0000slash".into(), description: String::new() })
        .await
        .expect("plain text");
    assert_eq!(team.name, "back\\u0000slash");
}

#[tokio::test]
async fn if_match_says_which_version_or_the_change_is_refused_for_what_it_lacks() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let team = admin
        .create_team(&kith_domain::identity::NewTeam { name: "Sales".into(), description: String::new() })
        .await
        .expect("team");
    let path = format!("/api/v1/teams/{}", team.id);
    let patch = |if_match: Option<&'static str>| {
        let mut r = admin.request(Method::PATCH, &path).json(&json!({"description": "x"}));
        if let Some(v) = if_match {
            r = r.header("if-match", v);
        }
        r.send()
    };
    for (if_match, status) in
        [(None, 428), (Some(""), 428), (Some("*"), 428), (Some("\"abc\""), 400), (Some("\"7\""), 412)]
    {
        assert_problem(patch(if_match).await.expect("send"), status, &format!("If-Match {if_match:?}")).await;
    }
    let r = patch(Some("\"1\"")).await.expect("send");
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn bodies_have_the_documented_shape_and_whole_numbers_are_integers_however_written() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    // serde would read these lists as structs (an empty patch, an empty source detail).
    let team = admin
        .create_team(&kith_domain::identity::NewTeam { name: "Sales".into(), description: String::new() })
        .await
        .expect("team");
    let r = admin
        .request(Method::PATCH, &format!("/api/v1/teams/{}", team.id))
        .header("if-match", "\"1\"")
        .json(&json!([null, null]))
        .send()
        .await
        .expect("send");
    let problem = assert_problem(r, 400, "list for a patch").await;
    assert_eq!(problem.errors.first().map(|e| e.field.as_str()), Some("body"));
    let r = admin
        .request(Method::POST, "/api/v1/leads")
        .json(&json!({"email": "a@example.test", "source_detail": [null, null]}))
        .send()
        .await
        .expect("send");
    let problem = assert_problem(r, 400, "list for source_detail").await;
    assert_eq!(problem.errors.first().map(|e| e.field.as_str()), Some("source_detail"));
    // 3.0 is the integer 3 in JSON (and in the document's schemas).
    let r = admin
        .request(Method::POST, "/api/v1/sequences")
        .json(&json!({"name": "Welcome", "steps": [{"day_offset": 3.0, "subject": "Hi", "body": "Hello"}]}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 201);
    let created: serde_json::Value = r.json().await.expect("json");
    assert_eq!(created["steps"][0]["day_offset"], 3);
    let r = admin
        .request(Method::POST, "/api/v1/sequences")
        .json(&json!({"name": "Half", "steps": [{"day_offset": 1.5, "subject": "Hi", "body": "Hello"}]}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 400, "a fraction stays a fraction");
}

#[tokio::test]
async fn a_fixed_path_is_not_an_id_of_the_pattern_beside_it() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    for (method, path, allow) in [
        (Method::PATCH, "/api/v1/leads/bulk", "POST"),
        (Method::DELETE, "/api/v1/leads/duplicates", "GET, HEAD"),
        (Method::POST, "/api/v1/inbound/email/settings", "GET, HEAD"),
    ] {
        let r = admin.request(method.clone(), path).send().await.expect("send");
        assert_eq!(r.headers().get("allow").and_then(|v| v.to_str().ok()), Some(allow), "{method} {path}");
        assert_problem(r, 405, &format!("{method} {path}")).await;
    }
}

#[tokio::test]
async fn an_oversized_inbound_email_is_a_readable_413_compressed_or_not() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let secret = admin.rotate_inbound_email_secret().await.expect("rotate").secret;
    let huge = vec![b'x'; 11 * 1024 * 1024];
    for encoding in ["gzip", "br", "identity"] {
        let r = app
            .http()
            .post(app.url(&format!("/api/v1/inbound/email/{}", me.organization.id)))
            .bearer_auth(&secret)
            .header("content-type", "message/rfc822")
            .header("accept-encoding", encoding)
            .body(huge.clone())
            .send()
            .await
            .expect("send");
        assert_problem(r, 413, &format!("{encoding}: oversized message")).await;
    }
}

/// Races the fuzzer found on PostgreSQL: two deletes of one record (the second was a 409 from the
/// recycle bin's unique key), and a capture attaching to a lead deleted at that moment (a 404 from
/// POST /leads). Each round either wins or loses the race; no round may give another status.
#[tokio::test]
async fn concurrent_deletes_and_captures_answer_as_documented() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    for round in 0..15 {
        let team = admin
            .create_team(&kith_domain::identity::NewTeam { name: format!("T{round}"), description: String::new() })
            .await
            .expect("team");
        let path = format!("/api/v1/teams/{}", team.id);
        let deletes: Vec<_> = (0..3).map(|_| tokio::spawn(admin.request(Method::DELETE, &path).send())).collect();
        let mut statuses = Vec::new();
        for delete in deletes {
            statuses.push(delete.await.expect("task").expect("send").status().as_u16());
        }
        statuses.sort_unstable();
        assert_eq!(statuses, [204, 404, 404], "round {round}");

        let email = format!("race{round}@example.test");
        let lead: serde_json::Value = admin
            .request(Method::POST, "/api/v1/leads")
            .json(&json!({"email": email}))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("lead");
        let id = lead["id"].as_str().expect("id").to_owned();
        let capture = tokio::spawn(admin.request(Method::POST, "/api/v1/leads").json(&json!({"email": email})).send());
        let delete = tokio::spawn(admin.request(Method::DELETE, &format!("/api/v1/leads/{id}")).send());
        let captured = capture.await.expect("task").expect("send").status().as_u16();
        assert!(captured == 200 || captured == 201, "round {round}: capture {captured}");
        assert_eq!(delete.await.expect("task").expect("send").status().as_u16(), 204, "round {round}");
    }
}

/// Another race from the fuzzer: a request saw its Idempotency-Key taken, and the first request with
/// that key failed and released it before this one read it back (a 404 from any create).
#[tokio::test]
async fn a_key_released_by_a_failed_first_request_is_never_a_404() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let body = json!({"name": "Mine", "filters": {}});
    let first = admin.request(Method::POST, "/api/v1/lead-views").json(&body).send().await.expect("send");
    assert_eq!(first.status().as_u16(), 201);
    for round in 0..20 {
        // Each fails (the name is taken) and releases the key while the others look it up.
        let tries: Vec<_> = (0..4)
            .map(|_| {
                tokio::spawn(
                    admin
                        .request(Method::POST, "/api/v1/lead-views")
                        .header("idempotency-key", format!("key-{round}"))
                        .json(&body)
                        .send(),
                )
            })
            .collect();
        for t in tries {
            let status = t.await.expect("task").expect("send").status().as_u16();
            assert_eq!(status, 422, "round {round}: the name is taken, every time");
        }
    }
}

/// The same key sent by several requests at once: one creates, the others wait for it and replay
/// its response — never a second record, never an "in progress" refusal.
#[tokio::test]
async fn concurrent_requests_with_one_key_create_once_and_all_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    for round in 0..5 {
        let body = json!({"name": format!("Region {round}"), "description": ""});
        let tries: Vec<_> = (0..6)
            .map(|_| {
                tokio::spawn(
                    admin
                        .request(Method::POST, "/api/v1/teams")
                        .header("idempotency-key", format!("team-{round}"))
                        .json(&body)
                        .send(),
                )
            })
            .collect();
        let mut ids = std::collections::HashSet::new();
        let mut replayed = 0;
        for t in tries {
            let r = t.await.expect("task").expect("send");
            assert_eq!(r.status().as_u16(), 201, "round {round}");
            replayed += usize::from(r.headers().contains_key("idempotent-replayed"));
            let team: serde_json::Value = r.json().await.expect("json");
            ids.insert(team["id"].as_str().expect("id").to_owned());
        }
        assert_eq!((ids.len(), replayed), (1, 5), "round {round}: one team, five replays");
    }
    let teams = admin.list_teams(&Default::default()).await.expect("teams").items;
    assert_eq!(teams.len(), 5);
}

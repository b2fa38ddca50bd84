//! `Idempotency-Key` beyond the plain replay (which conventions.rs checks): a failed request frees its
//! key, keys belong to one principal, they are forgotten after 24 hours, and a key names one request
//! (route and body). A retry sent while the first request runs waits for it and replays its answer
//! (contract.rs: concurrent requests with one key).

use diesel::{QueryDsl, RunQueryDsl};
use kith_client::Client;
use kith_db::schema::idempotency_keys;
use kith_domain::leads::{LeadListQuery, LeadView};
use kith_domain::{ErrorCode, Problem};
use kith_tests::TestApp;
use serde_json::json;

async fn post(client: &Client, path: &str, key: &str, body: &serde_json::Value) -> (u16, Option<String>, String) {
    let r = client
        .request(reqwest::Method::POST, path)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("send");
    let status = r.status().as_u16();
    let replayed = r.headers().get("idempotent-replayed").map(|v| v.to_str().expect("ascii").to_owned());
    (status, replayed, r.text().await.expect("body"))
}

fn code(body: &str) -> ErrorCode {
    serde_json::from_str::<Problem>(body).unwrap_or_else(|e| panic!("not a problem ({e}): {body}")).code
}

async fn lead_names(client: &Client) -> Vec<String> {
    let mut names: Vec<String> = client
        .list_leads(&LeadListQuery::default())
        .await
        .expect("list")
        .items
        .into_iter()
        .map(|l| l.first_name)
        .collect();
    names.sort();
    names
}

fn stored_keys(app: &TestApp) -> i64 {
    let mut conn = app.pool.get().expect("conn");
    idempotency_keys::table.count().get_result(&mut *conn).expect("count")
}

#[tokio::test]
async fn a_request_that_failed_releases_its_key_for_the_corrected_retry() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (_, support) = app.add_user(&admin, "support", "Sue Support").await;
    // Refused inside the write (a support user cannot own leads): a 422 after the key was claimed.
    let wrong = json!({"first_name": "Ida", "owner_id": support.user.id});
    let (status, _, body) = post(&admin, "/api/v1/leads", "retry-1", &wrong).await;
    assert_eq!((status, code(&body)), (422, ErrorCode::ValidationFailed), "{body}");
    assert_eq!(stored_keys(&app), 0, "the failed request left no key behind");
    // The same request again is run again (not "in progress", not a replay of the failure).
    let (status, replayed, body) = post(&admin, "/api/v1/leads", "retry-1", &wrong).await;
    assert_eq!((status, replayed, code(&body)), (422, None, ErrorCode::ValidationFailed), "{body}");
    // The corrected request with the same key is a new request (not "key reused with another body").
    let right = json!({"first_name": "Ida"});
    let (status, replayed, body) = post(&admin, "/api/v1/leads", "retry-1", &right).await;
    assert_eq!((status, replayed), (201, None), "{body}");
    let first: LeadView = serde_json::from_str(&body).expect("lead");
    // And from then on the key is taken by it.
    let (status, replayed, again) = post(&admin, "/api/v1/leads", "retry-1", &right).await;
    assert_eq!((status, replayed.as_deref()), (201, Some("true")));
    assert_eq!(serde_json::from_str::<LeadView>(&again).expect("lead").id, first.id);
    let (status, _, body) = post(&admin, "/api/v1/leads", "retry-1", &wrong).await;
    assert_eq!((status, code(&body)), (422, ErrorCode::IdempotencyKeyReused), "{body}");
    assert_eq!(lead_names(&admin).await, vec!["Ida"]);
}

#[tokio::test]
async fn keys_belong_to_one_principal_so_two_callers_with_one_key_get_two_effects() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (manager, _) = app.add_user(&admin, "manager", "Mia Manager").await;
    let roles = admin.list_roles(&Default::default()).await.expect("roles").items;
    let sales = roles.iter().find(|r| r.key.as_deref() == Some("sales")).expect("sales").id;
    let key = admin
        .create_api_key(&kith_domain::identity::NewApiKey { name: "k".into(), role_id: sales, expires_at: None })
        .await
        .expect("key");
    let api = Client::with_api_key(&app.address, &key.secret);
    let body = json!({"first_name": "Ida"});
    let mut ids = Vec::new();
    for (who, client) in [("admin", &admin), ("manager", &manager), ("api key", &api)] {
        let (status, replayed, text) = post(client, "/api/v1/leads", "shared-key", &body).await;
        assert_eq!((status, replayed), (201, None), "{who}: a first request of its own: {text}");
        ids.push(serde_json::from_str::<LeadView>(&text).expect("lead").id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "three leads");
    // Each one's retry is that one's replay.
    let (status, replayed, text) = post(&manager, "/api/v1/leads", "shared-key", &body).await;
    assert_eq!((status, replayed.as_deref()), (201, Some("true")));
    assert!(ids.contains(&serde_json::from_str::<LeadView>(&text).expect("lead").id));
    assert_eq!(lead_names(&admin).await, vec!["Ida", "Ida", "Ida"]);
    assert_eq!(stored_keys(&app), 3);
}

#[tokio::test]
async fn a_key_names_one_request_route_and_body_and_must_be_visible_ascii() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (status, _, _) = post(&admin, "/api/v1/teams", "one-key", &json!({"name": "Sales"})).await;
    assert_eq!(status, 201);
    // The same key on another route is another request: refused, nothing created.
    let (status, _, body) = post(&admin, "/api/v1/leads", "one-key", &json!({"name": "Sales"})).await;
    assert_eq!((status, code(&body)), (400, ErrorCode::BadRequest), "a lead has no `name`: {body}");
    let (status, _, body) = post(&admin, "/api/v1/leads", "one-key", &json!({"first_name": "Sales"})).await;
    assert_eq!((status, code(&body)), (422, ErrorCode::IdempotencyKeyReused), "{body}");
    assert!(lead_names(&admin).await.is_empty());
    // Keys are 1–255 visible ASCII characters.
    for bad in ["x".repeat(256), "with space".into(), "tab\there".into()] {
        let r = admin
            .request(reqwest::Method::POST, "/api/v1/leads")
            .header("Idempotency-Key", bad.as_str())
            .json(&json!({"first_name": "Bad"}))
            .send()
            .await
            .expect("send");
        let status = r.status().as_u16();
        assert_eq!((status, code(&r.text().await.expect("body"))), (400, ErrorCode::BadRequest), "{bad:?}");
    }
    let longest = "k".repeat(255);
    assert_eq!(post(&admin, "/api/v1/leads", &longest, &json!({"first_name": "Long"})).await.0, 201);
    assert_eq!(lead_names(&admin).await, vec!["Long"]);
}

#[tokio::test]
async fn a_key_is_remembered_for_24_hours_and_forgotten_by_the_next_maintenance() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let roles = admin.list_roles(&Default::default()).await.expect("roles").items;
    let sales = roles.iter().find(|r| r.key.as_deref() == Some("sales")).expect("sales").id;
    // An API key (it does not expire like a session's access token while the day passes).
    let key = admin
        .create_api_key(&kith_domain::identity::NewApiKey { name: "k".into(), role_id: sales, expires_at: None })
        .await
        .expect("key");
    let api = Client::with_api_key(&app.address, &key.secret);
    let body = json!({"first_name": "Ida"});
    let (status, _, first) = post(&api, "/api/v1/leads", "daily", &body).await;
    assert_eq!(status, 201);
    let first: LeadView = serde_json::from_str(&first).expect("lead");
    app.run_worker();
    assert_eq!(stored_keys(&app), 1);

    // 23 hours later, after that hour's maintenance, the retry is still a replay.
    app.advance(chrono::Duration::hours(23));
    app.run_worker();
    assert_eq!(stored_keys(&app), 1, "kept within the day");
    let (status, replayed, again) = post(&api, "/api/v1/leads", "daily", &body).await;
    assert_eq!((status, replayed.as_deref()), (201, Some("true")));
    assert_eq!(serde_json::from_str::<LeadView>(&again).expect("lead").id, first.id);

    // A day and an hour after the first request, the maintenance has forgotten the key: the same
    // request is a new one.
    app.advance(chrono::Duration::hours(2));
    app.run_worker();
    assert_eq!(stored_keys(&app), 0, "pruned after 24 hours");
    let (status, replayed, later) = post(&api, "/api/v1/leads", "daily", &body).await;
    assert_eq!((status, replayed), (201, None));
    assert_ne!(serde_json::from_str::<LeadView>(&later).expect("lead").id, first.id);
    assert_eq!(lead_names(&api).await, vec!["Ida", "Ida"]);
}

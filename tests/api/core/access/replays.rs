//! Idempotency, generated from the spec: every operation that declares `Idempotency-Key` is sent
//! twice with one key by the organization's admin. An accepted first call is replayed exactly (same
//! status and body, `Idempotent-Replayed: true`) and its effect happens once; a refused one leaves
//! no key behind, so the second call is answered afresh. A new operation is covered the day its
//! spec declares the header.

use kith_tests::TestApp;
use serde_json::Value;

use super::cross_tenant::organization;
use super::spec::{operations, send_with_headers, Request};

async fn send(http: &reqwest::Client, base: &str, token: &str, req: &Request) -> (u16, bool, String) {
    let (status, headers, body) = send_with_headers(http, base, token, req).await;
    (status, headers.contains_key("idempotent-replayed"), body)
}

/// How many records the organization's lists hold, by list — to see that a replay created nothing.
async fn counts(http: &reqwest::Client, base: &str, token: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for path in [
        "/api/v1/leads",
        "/api/v1/teams",
        "/api/v1/roles",
        "/api/v1/lead-views",
        "/api/v1/custom-fields",
        "/api/v1/scoring-rules",
        "/api/v1/assignment-rules",
        "/api/v1/sequences",
        "/api/v1/web-forms",
        "/api/v1/call-lists",
    ] {
        let body: Value = http
            .get(format!("{base}{path}?limit=200"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let n = body["items"].as_array().or(body.as_array()).map_or(0, Vec::len);
        out.push((path.to_owned(), n));
    }
    out
}

#[tokio::test]
async fn every_operation_with_an_idempotency_key_replays_its_first_answer_and_acts_once() {
    let app = TestApp::spawn().await;
    let org = organization(&app, "Replay").await;
    let token = org.admin.access_token().unwrap_or_else(|| panic!("no token"));
    let http = app.http();
    let (mut replayed, mut refused) = (Vec::new(), Vec::new());
    for op in operations() {
        let takes_key =
            op.params.iter().any(|p| p.location == "header" && p.name.eq_ignore_ascii_case("idempotency-key"));
        if !takes_key || op.is_public() {
            continue; // the public form's submission id has its own tests (webforms.rs)
        }
        let req = op.requests(&org.ids).remove(0);
        let first = send(&http, &app.address, &token, &req).await;
        let after_first = counts(&http, &app.address, &token).await;
        let second = send(&http, &app.address, &token, &req).await;
        let after_second = counts(&http, &app.address, &token).await;
        assert!(!first.1, "{}: the first call is no replay", op.id);
        if (200..300).contains(&first.0) {
            assert_eq!((second.0, second.1), (first.0, true), "{}: {}", op.id, req.describe());
            let (a, b): (Value, Value) = (
                serde_json::from_str(&first.2).unwrap_or(Value::Null),
                serde_json::from_str(&second.2).unwrap_or(Value::Null),
            );
            assert_eq!(a, b, "{}: the replay is the first answer", op.id);
            assert_eq!(after_second, after_first, "{}: the replay created nothing", op.id);
            replayed.push(op.id.clone());
        } else {
            assert!(!second.1, "{}: a refused call ({}) leaves no key to replay", op.id, first.0);
            refused.push(format!("{} {}", op.id, first.0));
        }
    }
    eprintln!("replayed: {replayed:?}\nrefused as generated: {refused:?}");
    // Every creating operation of the kinds docs/API.md names is among those replayed. (Merging and
    // logging a call need a state the generated call does not set up — two live leads, a held
    // contact — and their refusal is checked above; merge.rs and call_lists.rs replay them.)
    for id in [
        "create_lead",
        "create_team",
        "create_role",
        "create_lead_view",
        "create_custom_field",
        "create_scoring_rule",
        "create_assignment_rule",
        "create_sequence",
        "create_web_form",
        "create_call_list",
        "add_activity",
    ] {
        assert!(replayed.iter().any(|r| r == id), "{id} was not replayed (refused: {refused:?})");
    }
}

//! The published OpenAPI document is the one the server serves.

use kith_tests::TestApp;

#[tokio::test]
async fn the_committed_openapi_document_matches_the_served_one() {
    let app = TestApp::spawn().await;
    let served: serde_json::Value =
        app.http().get(app.url("/api/openapi.json")).send().await.expect("send").json().await.expect("json");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default()).unwrap_or_default();
    assert!(served == committed, "openapi/openapi.json is out of date: run `make openapi` and commit the result");
    assert_eq!(served["openapi"], "3.1.0");
}

#[tokio::test]
async fn the_api_docs_page_is_served_without_any_cdn() {
    let app = TestApp::spawn().await;
    let page = app.http().get(app.url("/api/docs/")).send().await.expect("send");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    assert!(!html.contains("https://"), "the docs page must not load anything from elsewhere");
    let init = app.http().get(app.url("/api/docs/swagger-initializer.js")).send().await.expect("send");
    assert_eq!(init.status().as_u16(), 200);
    assert!(init.text().await.expect("js").contains("/api/openapi.json"));
}

fn operations(doc: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if ["get", "put", "post", "delete", "options", "head", "patch"].contains(&method.as_str()) {
                out.push((method.clone(), path.clone(), op.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_document_names_every_operation_once_and_types_errors_as_problems() {
    let doc: serde_json::Value = serde_json::from_str(&kith_api::openapi::document_json()).expect("json");
    let mut ids = std::collections::HashSet::new();
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: no operationId"));
        assert!(ids.insert(id.to_owned()), "operationId {id} is used twice");
        assert!(
            id.contains('_')
                || ["login", "logout", "refresh", "signup", "healthz", "readyz", "metrics", "unsubscribe"]
                    .contains(&id),
            "{method} {path}: operationId {id} does not say what it acts on"
        );
        for (status, response) in op["responses"].as_object().expect("responses") {
            let content = response["content"].as_object();
            if status.starts_with('4') || status.starts_with('5') {
                for media in content.map(|c| c.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
                    assert!(
                        media == "application/problem+json" || media == "text/html",
                        "{method} {path} {status}: {media}"
                    );
                }
            }
        }
        let authenticated = op["security"].to_string().contains("\"bearer\"");
        if authenticated {
            for status in ["401", "403", "429"] {
                assert!(op["responses"].get(status).is_some(), "{method} {path}: {status} undocumented");
            }
        }
        if op["requestBody"]["content"].get("application/json").is_some() {
            for status in ["400", "413", "415", "422"] {
                assert!(op["responses"].get(status).is_some(), "{method} {path}: {status} undocumented");
            }
        }
    }
    // Limits the server checks are in the schemas, so clients can check them first.
    let team = &doc["components"]["schemas"]["NewTeam"]["properties"]["name"];
    assert_eq!(team["maxLength"], 200);
    let signup = &doc["components"]["schemas"]["SignupRequest"]["properties"]["email"];
    assert_eq!((signup["format"].as_str(), signup["maxLength"].as_u64()), (Some("email"), Some(254)));
    let steps = &doc["components"]["schemas"]["SequenceInput"]["properties"]["steps"];
    assert_eq!((steps["minItems"].as_u64(), steps["maxItems"].as_u64()), (Some(1), Some(20)));
    // An audit change holds any JSON value, not only objects.
    let change = &doc["components"]["schemas"]["FieldChange"]["properties"]["old"];
    assert!(change.get("type").is_none(), "{change}");
    let teams = operations(&doc).into_iter().find(|(m, p, _)| m == "get" && p == "/api/v1/teams").expect("teams");
    let sort = teams.2["parameters"].as_array().expect("params").iter().find(|p| p["name"] == "sort").cloned();
    assert_eq!(sort.map(|s| s["schema"]["pattern"].clone()), Some(serde_json::json!("^-?(name|created_at)$")));
    // limit takes any u32 (and clamps it), not only what fits in an int32.
    let limit = teams.2["parameters"].as_array().expect("params").iter().find(|p| p["name"] == "limit").cloned();
    assert_eq!(limit.map(|l| l["schema"]["maximum"].clone()), Some(serde_json::json!(4294967295u32)));
    let patch = operations(&doc).into_iter().find(|(m, p, _)| m == "patch" && p == "/api/v1/teams/{id}").expect("p");
    for status in ["400", "412", "428"] {
        assert!(patch.2["responses"].get(status).is_some(), "PATCH /teams/{{id}}: {status}");
    }
}

/// Two wire types may not share a schema name: utoipa keeps one of them and the spec describes the
/// other wrongly (an activity's call outcome was once the call list's `CallOutcome` object, and
/// schemathesis sent objects where the server wanted a word). A type that shares its Rust name says
/// `schema(as = …)`.
#[test]
fn no_two_wire_types_share_a_schema_name() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/domain/src");
    let mut names: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for file in kith_tests::walk(&root).into_iter().filter(|f| f.extension().is_some_and(|e| e == "rs")) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !line.contains("utoipa::ToSchema") {
                continue;
            }
            // The item the derive is on, and a rename among its attributes.
            let rest = &lines[i..lines.len().min(i + 12)];
            let renamed = rest
                .iter()
                .take_while(|l| l.trim_start().starts_with("#["))
                .find_map(|l| l.split("schema(as = ").nth(1).map(|s| s.trim_end_matches([')', ']']).to_owned()));
            let item = rest.iter().find_map(|l| {
                let l = l.trim_start();
                ["pub struct ", "pub enum "]
                    .iter()
                    .find_map(|k| l.strip_prefix(k))
                    .map(|s| s.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or_default().to_owned())
            });
            if let Some(item) = item {
                names.entry(renamed.unwrap_or(item)).or_default().push(file.display().to_string());
            }
        }
    }
    let shared: Vec<(&String, &Vec<String>)> = names.iter().filter(|(_, files)| files.len() > 1).collect();
    assert!(names.len() > 100, "{} schema types found", names.len());
    assert!(shared.is_empty(), "schema names used twice: {shared:?}");
}

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

//! The web app's files as a browser asks for them: the icon is an icon, a missing file is a 404, and
//! only the app's own routes answer with its HTML. The folder is made the way `make frontend` makes
//! `frontend/dist` (the Makefile's copy line), so a file left out of the build fails here too.

use kith_tests::TestApp;

/// The files `make frontend` copies next to the compiled app, read from the Makefile's `cp` line.
fn files_the_build_copies() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let makefile = std::fs::read_to_string(root.join("Makefile")).expect("Makefile");
    let line = makefile
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("cp frontend/") && l.ends_with("frontend/dist.tmp/"))
        .expect("the frontend target copies its static files");
    line.split_whitespace().skip(1).filter(|w| !w.starts_with("frontend/dist")).map(|f| root.join(f)).collect()
}

/// A server whose static folder holds what the build copies (the compiled app is not needed here).
async fn serving_the_built_files() -> (TestApp, std::path::PathBuf) {
    let dist = std::env::temp_dir().join(format!("kith-dist-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dist).expect("dist");
    for file in files_the_build_copies() {
        let name = file.file_name().expect("name");
        std::fs::copy(&file, dist.join(name)).unwrap_or_else(|e| panic!("copy {}: {e}", file.display()));
    }
    let folder = dist.clone();
    (TestApp::spawn_with(move |c| c.static_dir = folder).await, dist)
}

async fn get(app: &TestApp, path: &str) -> (u16, String, Vec<u8>) {
    let response = app.http().get(app.url(path)).send().await.expect("get");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, response.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn the_browser_gets_a_real_icon_and_a_404_for_a_missing_file() {
    let (app, dist) = serving_the_built_files().await;

    let (status, content_type, body) = get(&app, "/favicon.ico").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("image/"), "an image, not the app's HTML: {content_type}");
    assert_eq!(&body[..4], &[0, 0, 1, 0], "an ICO file");
    let (status, content_type, body) = get(&app, "/favicon.svg").await;
    assert_eq!((status, content_type.as_str()), (200, "image/svg+xml"));
    assert!(String::from_utf8_lossy(&body).starts_with("<svg"), "an SVG");

    // The page names both, so browsers take the icon from the app.
    let (status, content_type, body) = get(&app, "/").await;
    let page = String::from_utf8_lossy(&body);
    assert!(status == 200 && content_type.starts_with("text/html"), "{status} {content_type}");
    assert!(page.contains(r#"rel="icon" href="/favicon.svg""#) && page.contains(r#"href="/favicon.ico""#), "{page}");

    // A file that is not there is not the app's page with a 200.
    for missing in ["/apple-touch-icon.png", "/robots.txt", "/pkg/gone.wasm"] {
        let (status, content_type, _) = get(&app, missing).await;
        assert_eq!(status, 404, "{missing}");
        assert!(!content_type.starts_with("text/html"), "{missing}: {content_type}");
    }
    // The app's own routes still open the app, whatever page a link points at.
    for route in ["/m/leads", "/settings/api-keys", "/reset-password?token=abc"] {
        let (status, content_type, _) = get(&app, route).await;
        assert!(status == 200 && content_type.starts_with("text/html"), "{route}: {status} {content_type}");
    }
    drop(app);
    let _ = std::fs::remove_dir_all(dist);
}

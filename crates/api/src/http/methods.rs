//! Which methods a path answers, read from the OpenAPI document (built from the same route list as
//! the server). A known path asked with another method is a 405 with `Allow`, not a 404; HEAD is
//! answered like GET without the body.

use std::sync::OnceLock;

use actix_web::dev::ResourceDef;
use actix_web::http::Method;

struct Entry {
    pattern: ResourceDef,
    methods: Vec<Method>,
}

fn table() -> &'static [Entry] {
    static TABLE: OnceLock<Vec<Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let doc = crate::openapi::document();
        doc.paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                for (method, op) in [
                    (Method::GET, &item.get),
                    (Method::POST, &item.post),
                    (Method::PUT, &item.put),
                    (Method::PATCH, &item.patch),
                    (Method::DELETE, &item.delete),
                    (Method::OPTIONS, &item.options),
                ] {
                    if op.is_some() {
                        methods.push(method);
                    }
                }
                Entry { pattern: ResourceDef::new(path.as_str()), methods }
            })
            .collect()
    })
}

/// The methods some documented operation answers on `path`, or `None` when no operation has this
/// path. Several patterns may match one path (`/leads/export.csv` and `/leads/{id}`): their methods
/// are pooled, as the router tries each in turn.
pub fn allowed(path: &str) -> Option<Vec<Method>> {
    let mut found: Option<Vec<Method>> = None;
    for entry in table() {
        if entry.pattern.is_match(path) {
            let all = found.get_or_insert_with(Vec::new);
            for m in &entry.methods {
                if !all.contains(m) {
                    all.push(m.clone());
                }
            }
        }
    }
    found
}

/// The `Allow` header for a path's methods (HEAD wherever GET is).
pub fn allow_header(methods: &[Method]) -> String {
    let mut names: Vec<&str> = methods.iter().map(Method::as_str).collect();
    if methods.contains(&Method::GET) {
        names.push("HEAD");
    }
    let order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    names.sort_by_key(|n| order.iter().position(|o| o == n).unwrap_or(order.len()));
    names.join(", ")
}

//! Which methods a path answers, read from the OpenAPI document (built from the same route list as
//! the server). A known path asked with another method is a 405 with `Allow`, not a 404; HEAD is
//! answered like GET without the body.

use std::sync::OnceLock;

use actix_web::dev::ResourceDef;
use actix_web::http::Method;

struct Entry {
    pattern: ResourceDef,
    /// No `{param}` segment.
    fixed: bool,
    methods: Vec<Method>,
    /// The JSON request body's schema per method.
    bodies: Vec<(Method, serde_json::Value)>,
}

struct Table {
    entries: Vec<Entry>,
    /// `components.schemas`, for `$ref`s.
    schemas: serde_json::Value,
}

fn spec() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let doc = crate::openapi::document();
        let json = serde_json::to_value(&doc).unwrap_or_default();
        let entries = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                let mut bodies = Vec::new();
                for (method, op) in [
                    (Method::GET, &item.get),
                    (Method::POST, &item.post),
                    (Method::PUT, &item.put),
                    (Method::PATCH, &item.patch),
                    (Method::DELETE, &item.delete),
                    (Method::OPTIONS, &item.options),
                ] {
                    if op.is_some() {
                        let name = method.as_str().to_ascii_lowercase();
                        let body = &json["paths"][path][&name]["requestBody"]["content"]["application/json"]["schema"];
                        if !body.is_null() {
                            bodies.push((method.clone(), body.clone()));
                        }
                        methods.push(method);
                    }
                }
                Entry { pattern: ResourceDef::new(path.as_str()), fixed: !path.contains('{'), methods, bodies }
            })
            .collect();
        Table { entries, schemas: json["components"]["schemas"].clone() }
    })
}

fn table() -> &'static [Entry] {
    &spec().entries
}

/// serde reads a struct from a JSON array as readily as from an object (`[null, null]` is an empty
/// patch), so a list where the document says object would be taken. The first such place in a
/// JSON body, named like field errors (`source_detail`, `steps[0]`); `None` when there is none or
/// the operation takes no JSON body.
pub fn list_for_object(path: &str, method: &Method, body: &serde_json::Value) -> Option<String> {
    let table = spec();
    let fixed = table.entries.iter().find(|e| e.fixed && e.pattern.is_match(path));
    let entry = fixed.or_else(|| {
        table.entries.iter().find(|e| e.pattern.is_match(path) && e.bodies.iter().any(|(m, _)| m == method))
    })?;
    let (_, schema) = entry.bodies.iter().find(|(m, _)| m == method)?;
    walk(body, schema, "", &table.schemas, 0)
}

fn resolve<'a>(schema: &'a serde_json::Value, schemas: &'a serde_json::Value) -> &'a serde_json::Value {
    match schema.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => &schemas[r.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

fn types(schema: &serde_json::Value) -> Vec<&str> {
    match schema.get("type") {
        Some(serde_json::Value::String(t)) => vec![t.as_str()],
        Some(serde_json::Value::Array(ts)) => ts.iter().filter_map(|t| t.as_str()).collect(),
        _ => Vec::new(),
    }
}

fn variants(schema: &serde_json::Value) -> Option<&Vec<serde_json::Value>> {
    schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(|v| v.as_array())
}

/// Only objects (or null) are valid here.
fn object_only(schema: &serde_json::Value, schemas: &serde_json::Value, depth: usize) -> bool {
    let schema = resolve(schema, schemas);
    if depth > 16 {
        return false;
    }
    if let Some(vs) = variants(schema) {
        let real: Vec<_> = vs.iter().filter(|v| types(resolve(v, schemas)) != ["null"]).collect();
        return !real.is_empty() && real.iter().all(|v| object_only(v, schemas, depth + 1));
    }
    let ts = types(schema);
    if ts.is_empty() {
        return schema.get("properties").is_some();
    }
    ts.iter().all(|t| *t == "object" || *t == "null")
}

fn walk(
    value: &serde_json::Value,
    schema: &serde_json::Value,
    path: &str,
    schemas: &serde_json::Value,
    depth: usize,
) -> Option<String> {
    let schema = resolve(schema, schemas);
    if depth > 32 {
        return None;
    }
    let name = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    match value {
        serde_json::Value::Array(items) => {
            if object_only(schema, schemas, 0) {
                return Some(if path.is_empty() { "body".into() } else { path.into() });
            }
            let item_schema = schema.get("items").or_else(|| {
                variants(schema)?
                    .iter()
                    .map(|v| resolve(v, schemas))
                    .find(|v| types(v).contains(&"array"))?
                    .get("items")
            })?;
            items
                .iter()
                .enumerate()
                .find_map(|(i, v)| walk(v, item_schema, &format!("{path}[{i}]"), schemas, depth + 1))
        }
        serde_json::Value::Object(map) => {
            if let Some(vs) = variants(schema) {
                // Only an unambiguous variant (T or null) is followed.
                let real: Vec<_> = vs.iter().filter(|v| types(resolve(v, schemas)) != ["null"]).collect();
                return match real.as_slice() {
                    [only] => walk(value, only, path, schemas, depth + 1),
                    _ => None,
                };
            }
            let properties = schema.get("properties")?;
            map.iter().find_map(|(k, v)| walk(v, properties.get(k)?, &name(k), schemas, depth + 1))
        }
        _ => None,
    }
}

/// The methods some documented operation answers on `path`, or `None` when no operation has this
/// path. A fixed path answers its own methods only; otherwise the methods of every matching pattern
/// are pooled.
pub fn allowed(path: &str) -> Option<Vec<Method>> {
    // A fixed path (`/leads/bulk`) is never an id of the pattern beside it (`/leads/{id}`).
    if let Some(fixed) = table().iter().find(|e| e.fixed && e.pattern.is_match(path)) {
        return Some(fixed.methods.clone());
    }
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

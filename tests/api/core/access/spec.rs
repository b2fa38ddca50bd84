//! The published OpenAPI document as a list of operations, and requests made from it: path, query
//! and body filled from the schemas, with record ids of a given organization wherever the schema
//! says a field is an id. The access tests walk this list, so an operation added to the API is
//! attacked and checked the day it exists, without anyone remembering to list it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

/// Every operation of the spec, in its order.
pub fn operations() -> Vec<Operation> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let spec: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let schemas = spec["components"]["schemas"].as_object().cloned().unwrap_or_default();
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap_or_else(|| panic!("no paths")) {
        for (method, op) in item.as_object().unwrap_or_else(|| panic!("{path}")) {
            let Ok(method) = method.to_uppercase().parse::<reqwest::Method>() else { continue };
            if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
                continue;
            }
            let security: BTreeSet<String> = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_object())
                .flat_map(|s| s.keys().cloned())
                .collect();
            let params = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| Param {
                    name: p["name"].as_str().unwrap_or_default().to_owned(),
                    location: p["in"].as_str().unwrap_or_default().to_owned(),
                    required: p["required"].as_bool().unwrap_or(false),
                    schema: p["schema"].clone(),
                    example: p["example"].as_str().map(str::to_owned),
                })
                .collect();
            let body = op["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.iter().next())
                .map(|(content_type, media)| (content_type.clone(), media["schema"].clone()));
            let responses = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(status, _)| status.parse().ok())
                .collect();
            ops.push(Operation {
                responses,
                method: method.clone(),
                path: path.clone(),
                id: op["operationId"].as_str().unwrap_or_default().to_owned(),
                security,
                params,
                body,
                schemas: schemas.clone(),
            });
        }
    }
    assert!(ops.len() > 50, "the spec lists {} operations only", ops.len());
    ops
}

pub struct Param {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub schema: Value,
    /// The documented example (a file's name, whose extension matters).
    pub example: Option<String>,
}

pub struct Operation {
    pub method: reqwest::Method,
    pub path: String,
    pub id: String,
    /// The security schemes that admit a caller (`bearer`, `inbound_secret`); empty: public.
    pub security: BTreeSet<String>,
    pub params: Vec<Param>,
    /// The first documented content type and its schema.
    pub body: Option<(String, Value)>,
    /// The documented statuses.
    pub responses: BTreeSet<u16>,
    schemas: Map<String, Value>,
}

/// Record ids by id kind (`LeadId`, `TeamId` … the spec's schema names), each kind with one or
/// more ids (a live record, one in the recycle bin).
pub type Ids = BTreeMap<&'static str, Vec<String>>;

/// A request ready to send.
pub struct Request {
    pub method: reqwest::Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<(String, Vec<u8>)>,
    /// The id kinds the path names.
    pub path_kinds: Vec<String>,
}

impl Request {
    pub fn describe(&self) -> String {
        let q: Vec<String> = self.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let body = self.body.as_ref().map(|(_, b)| String::from_utf8_lossy(b).chars().take(300).collect::<String>());
        format!("{} {}?{} body={body:?}", self.method, self.path, q.join("&"))
    }
}

/// The id kind a schema names: `{"$ref": ".../LeadId"}` → `LeadId`; a bare uuid field is read by
/// its name (`owner_id` → `UserId`).
fn id_kind(schema: &Value, field: &str) -> Option<String> {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or_default();
        return name.ends_with("Id").then(|| name.to_owned());
    }
    for variant in schema["oneOf"].as_array().into_iter().flatten() {
        if let Some(kind) = id_kind(variant, field) {
            return Some(kind);
        }
    }
    let uuid = schema["format"].as_str() == Some("uuid")
        || schema["items"]["format"].as_str() == Some("uuid")
        || field.ends_with("_id");
    if !uuid {
        return None;
    }
    Some(
        match field {
            "owner_id" | "user_id" | "assignee_id" => "UserId",
            "team_id" => "TeamId",
            "role_id" => "RoleId",
            // A record named by kind and id (a history, a record's activities) is a lead in these tests.
            "entity_id" | "record_id" | "lead_id" | "keep_id" | "merge_id" | "ids" => "LeadId",
            "web_form_id" | "form_id" | "enroll_form_ids" => "WebFormId",
            "sequence_id" => "SequenceId",
            "product_id" => "ProductId",
            "tax_category_id" => "TaxCategoryId",
            _ => return None,
        }
        .to_owned(),
    )
}

impl Operation {
    pub fn name(&self) -> String {
        format!("{} {} ({})", self.method, self.path, self.id)
    }

    pub fn is_public(&self) -> bool {
        self.security.is_empty()
    }

    /// The id kinds in the path, in order.
    pub fn path_kinds(&self) -> Vec<String> {
        self.params
            .iter()
            .filter(|p| p.location == "path")
            .map(|p| id_kind(&p.schema, &p.name).unwrap_or_else(|| format!("<{} is not an id>", p.name)))
            .collect()
    }

    /// The id kinds the query takes (`entity_id` of a record's history: `LeadId`).
    pub fn query_kinds(&self) -> Vec<String> {
        self.params.iter().filter(|p| p.location == "query").filter_map(|p| id_kind(&p.schema, &p.name)).collect()
    }

    /// Every request this operation makes with these ids: one per id of the path's kind (so a live
    /// record and one in the recycle bin are both tried), ids of the same organization in the
    /// query and the body wherever the schema has an id.
    pub fn requests(&self, ids: &Ids) -> Vec<Request> {
        let kinds = self.path_kinds();
        let choices: Vec<Vec<String>> = kinds
            .iter()
            .map(|k| ids.get(k.as_str()).cloned().unwrap_or_else(|| panic!("{}: no record of kind {k}", self.name())))
            .collect();
        let mut paths = vec![self.path.clone()];
        for (param, values) in self.params.iter().filter(|p| p.location == "path").zip(&choices) {
            paths = paths
                .iter()
                .flat_map(|p| values.iter().map(move |v| p.replace(&format!("{{{}}}", param.name), v)))
                .collect();
        }
        paths
            .into_iter()
            .map(|path| Request {
                method: self.method.clone(),
                path,
                query: self.query(ids),
                headers: self.headers(),
                body: self.body(ids),
                path_kinds: kinds.clone(),
            })
            .collect()
    }

    fn query(&self, ids: &Ids) -> Vec<(String, String)> {
        let names: BTreeSet<&str> = self.params.iter().map(|p| p.name.as_str()).collect();
        let mut query = Vec::new();
        for p in self.params.iter().filter(|p| p.location == "query") {
            let value = match id_kind(&p.schema, &p.name) {
                Some(kind) => ids.get(kind.as_str()).and_then(|v| v.first()).cloned(),
                // A record's history needs its kind along with its id.
                None if p.name == "entity" && names.contains("entity_id") => Some("lead".to_owned()),
                None if p.name == "record_kind" && names.contains("record_id") => Some("lead".to_owned()),
                None if p.required && p.example.is_some() => p.example.clone(),
                None if p.required => match self.instance(&p.schema, &p.name, ids, 0) {
                    Value::String(s) => Some(s),
                    other => Some(other.to_string()),
                },
                None => None,
            };
            if let Some(v) = value {
                query.push((p.name.clone(), v));
            }
        }
        query
    }

    fn headers(&self) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        for p in self.params.iter().filter(|p| p.location == "header") {
            match p.name.to_ascii_lowercase().as_str() {
                "if-match" => headers.push((p.name.clone(), "\"1\"".to_owned())),
                "idempotency-key" => headers.push((p.name.clone(), uuid::Uuid::now_v7().to_string())),
                _ if p.required => headers.push((p.name.clone(), "x".to_owned())),
                _ => {}
            }
        }
        if self.method == reqwest::Method::PATCH && !headers.iter().any(|(h, _)| h.eq_ignore_ascii_case("if-match")) {
            headers.push(("If-Match".into(), "\"1\"".into()));
        }
        headers
    }

    fn body(&self, ids: &Ids) -> Option<(String, Vec<u8>)> {
        let (content_type, schema) = self.body.as_ref()?;
        Some(match content_type.as_str() {
            "application/json" => {
                let value = match self.body_schema_name() {
                    Some(name) => super::samples::sample(&name, ids)
                        .unwrap_or_else(|| panic!("{}: no sample body for {name} in access/samples.rs", self.name())),
                    None => self.instance(schema, "", ids, 0),
                };
                (content_type.clone(), serde_json::to_vec(&value).unwrap_or_default())
            }
            "text/csv" => {
                (content_type.clone(), b"first_name,email,phone\nProbe,probe@probe.test,+1 212 555 0100\n".to_vec())
            }
            "application/x-www-form-urlencoded" => (content_type.clone(), b"email=probe%40probe.test".to_vec()),
            // A file (an attachment), named by the operation's documented example (`notes.txt`).
            "application/octet-stream" => (content_type.clone(), b"Probe notes\n".to_vec()),
            _ => (
                content_type.clone(),
                b"From: Probe <probe@probe.test>\r\nTo: in@probe.test\r\nSubject: probe\r\n\r\nHello\r\n".to_vec(),
            ),
        })
    }

    /// The schema name of a JSON body (`NewLead`), when it is a named schema.
    pub fn body_schema_name(&self) -> Option<String> {
        let (content_type, schema) = self.body.as_ref()?;
        if content_type != "application/json" {
            return None;
        }
        schema["$ref"].as_str().map(|r| r.rsplit('/').next().unwrap_or_default().to_owned())
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema["$ref"].as_str() {
            Some(r) => self.schemas.get(r.rsplit('/').next().unwrap_or_default()).unwrap_or(schema),
            None => schema,
        }
    }

    /// A value the schema accepts, as small as it allows, with ids from `ids` wherever the schema
    /// (or the field's name) says "id". Optional fields are left out unless they are ids.
    pub fn instance(&self, schema: &Value, field: &str, ids: &Ids, depth: usize) -> Value {
        if depth > 8 {
            return Value::Null;
        }
        if let Some(kind) = id_kind(schema, field) {
            let id = ids.get(kind.as_str()).and_then(|v| v.first()).cloned().unwrap_or_default();
            let is_array = self.resolve(schema)["type"] == "array" || schema["type"] == "array";
            return if is_array { json!([id]) } else { json!(id) };
        }
        let schema = self.resolve(schema);
        if let Some(variants) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
            let chosen = variants.iter().find(|v| v["type"] != "null").unwrap_or(&Value::Null);
            return self.instance(chosen, field, ids, depth + 1);
        }
        if let Some(parts) = schema["allOf"].as_array() {
            let mut merged = Map::new();
            for part in parts {
                if let Value::Object(o) = self.instance(part, field, ids, depth + 1) {
                    merged.extend(o);
                }
            }
            return Value::Object(merged);
        }
        if let Some(values) = schema["enum"].as_array() {
            return values.first().cloned().unwrap_or(Value::Null);
        }
        let ty = match &schema["type"] {
            Value::String(t) => t.clone(),
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null").to_owned(),
            _ if schema["properties"].is_object() => "object".to_owned(),
            _ => "null".to_owned(),
        };
        match ty.as_str() {
            "object" => {
                let required: BTreeSet<&str> =
                    schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                let mut out = Map::new();
                for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
                    if required.contains(name.as_str()) || id_kind(prop, name).is_some() {
                        out.insert(name.clone(), self.instance(prop, name, ids, depth + 1));
                    }
                }
                Value::Object(out)
            }
            "array" => {
                let min = schema["minItems"].as_u64().unwrap_or(0);
                Value::Array((0..min).map(|_| self.instance(&schema["items"], field, ids, depth + 1)).collect())
            }
            "string" => json!(match schema["format"].as_str() {
                Some("email") => "probe@probe.test".to_owned(),
                Some("date") => "2030-01-15".to_owned(),
                Some("date-time") => "2030-01-15T10:00:00Z".to_owned(),
                Some("uuid") => uuid::Uuid::now_v7().to_string(),
                Some("uri") => "https://probe.test/".to_owned(),
                _ if field.contains("email") => "probe@probe.test".to_owned(),
                _ => {
                    let min = schema["minLength"].as_u64().unwrap_or(1).max(1) as usize;
                    format!("probe{}", "x".repeat(min.saturating_sub(5)))
                }
            }),
            "integer" | "number" => {
                json!(schema["minimum"]
                    .as_i64()
                    .unwrap_or(1)
                    .max(schema["exclusiveMinimum"].as_i64().map_or(0, |m| m + 1)))
            }
            "boolean" => json!(false),
            _ => Value::Null,
        }
    }
}

/// Send a request as a principal (a bearer token or API key).
pub async fn send(http: &reqwest::Client, base: &str, token: &str, req: &Request) -> (u16, String) {
    let (status, _, body) = send_with_headers(http, base, token, req).await;
    (status, body)
}

/// `send`, with the response's headers.
pub async fn send_with_headers(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    req: &Request,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut r = http.request(req.method.clone(), format!("{base}{}", req.path)).bearer_auth(token).query(&req.query);
    for (k, v) in &req.headers {
        r = r.header(k, v);
    }
    if let Some((content_type, body)) = &req.body {
        r = r.header("content-type", content_type).body(body.clone());
    }
    let response = r.send().await.unwrap_or_else(|e| panic!("{}: {e}", req.describe()));
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.text().await.unwrap_or_default())
}

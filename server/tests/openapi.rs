//! The OpenAPI document parses, documents every route the router serves, and every route
//! it documents exists; the server's real answers match the schemas it documents for them
//! (every field declared, nullable where it can be null, within its range). schemathesis
//! (`tests/run api`) checks the rest against generated requests.

mod support;

use chibo_domain::sync::OPENAPI_PATH;
use chibo_server::web::api::{api_routes, OPENAPI_JSON, UPLOAD_ROUTES};
use reqwest::{Method, StatusCode};
use support::*;

fn document() -> serde_json::Value {
    serde_json::from_str(OPENAPI_JSON).expect("openapi.json parses")
}

#[test]
fn every_route_is_documented() {
    let doc = document();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let mut routes: Vec<(String, String)> = api_routes()
        .into_iter()
        .map(|(method, path, _)| (method.as_str().to_lowercase(), path.to_string()))
        .collect();
    routes.extend(
        UPLOAD_ROUTES
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string())),
    );
    for (method, path) in &routes {
        let operation = &paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is not documented"))[method.as_str()];
        assert!(operation.is_object(), "{method} {path} is not documented");
        assert!(
            operation["responses"].is_object(),
            "{method} {path} has no responses"
        );
    }
    // Every $ref resolves.
    let text = OPENAPI_JSON;
    for piece in text.split("\"$ref\": \"#/components/schemas/").skip(1) {
        let name = &piece[..piece.find('"').unwrap()];
        assert!(doc["components"]["schemas"][name].is_object(), "{name}");
    }
    // And nothing is documented that is not served.
    let documented: usize = paths
        .values()
        .map(|item| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| *k != "parameters")
                .count()
        })
        .sum();
    assert_eq!(documented, routes.len());
}

#[tokio::test]
async fn the_document_is_served_and_every_documented_route_answers() {
    let srv = TestServer::start().await;
    let reply = srv.get(OPENAPI_PATH, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, document());

    let doc = document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{person_id}", &chibo_domain::model::new_id())
            .replace("{device_id}", &chibo_domain::model::new_id())
            .replace("{commune_id}", &chibo_domain::model::new_id())
            .replace("{upload_id}", "0123456789abcdef")
            .replace("{sha256}", &photo(1));
        for method in item
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| *k != "parameters")
        {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = srv
                .http
                .request(method.clone(), srv.url(&concrete))
                .send()
                .await
                .unwrap();
            // Unauthenticated probes: refused or answered, but the route exists.
            assert_ne!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
            assert_ne!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
        }
    }
}

/// Checks `value` against `schema` (the subset of OpenAPI 3.0 the document uses: `$ref`,
/// `allOf`, `oneOf`, `type`, `nullable`, `enum`, `required`, `properties`, `items`,
/// `minimum`, `maximum`); returns what does not match, with its JSON path.
/// A field no part of the schema declares is reported too.
fn mismatches(
    doc: &serde_json::Value,
    schema: &serde_json::Value,
    value: &serde_json::Value,
    at: &str,
) -> Vec<String> {
    check_value(doc, schema, value, at, true)
}

fn resolve<'a>(doc: &'a serde_json::Value, schema: &'a serde_json::Value) -> &'a serde_json::Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            &doc["components"]["schemas"][reference.trim_start_matches("#/components/schemas/")]
        }
        None => schema,
    }
}

/// Every field name the schema declares, in itself and its `allOf` and `oneOf` parts.
fn declared(doc: &serde_json::Value, schema: &serde_json::Value, names: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(properties) = schema["properties"].as_object() {
        names.extend(properties.keys().cloned());
    }
    for key in ["allOf", "oneOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            declared(doc, part, names);
        }
    }
}

fn check_value(
    doc: &serde_json::Value,
    schema: &serde_json::Value,
    value: &serde_json::Value,
    at: &str,
    strict: bool,
) -> Vec<String> {
    use serde_json::Value;
    let schema = resolve(doc, schema);
    if value.is_null() && schema["nullable"] == Value::Bool(true) {
        return vec![];
    }
    let mut out = Vec::new();
    if let Some(all) = schema["allOf"].as_array() {
        for part in all {
            out.extend(check_value(doc, part, value, at, false));
        }
    }
    if let Some(any) = schema["oneOf"].as_array() {
        let matching = any
            .iter()
            .filter(|part| check_value(doc, part, value, at, false).is_empty())
            .count();
        if matching != 1 {
            out.push(format!("{at}: matches {matching} of oneOf: {value}"));
        }
    }
    let type_ok = match schema["type"].as_str() {
        None => true,
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some(other) => panic!("type {other} not handled"),
    };
    if !type_ok {
        out.push(format!("{at}: {value} is not {}", schema["type"]));
        return out;
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            out.push(format!("{at}: {value} not in {allowed:?}"));
        }
    }
    if let Some(n) = value.as_f64() {
        if schema["minimum"].as_f64().is_some_and(|min| n < min) {
            out.push(format!("{at}: {value} under the minimum"));
        }
        if schema["maximum"].as_f64().is_some_and(|max| n > max) {
            out.push(format!("{at}: {value} over the maximum"));
        }
    }
    if let Some(object) = value.as_object() {
        for name in schema["required"].as_array().into_iter().flatten() {
            if !object.contains_key(name.as_str().unwrap()) {
                out.push(format!("{at}: {name} is missing"));
            }
        }
        let properties = schema["properties"].as_object();
        for (name, field) in object {
            if let Some(declared) = properties.and_then(|p| p.get(name)) {
                out.extend(mismatches(doc, declared, field, &format!("{at}.{name}")));
            }
        }
        // `additionalProperties: true`: the document says it does not list them all.
        if strict && schema["additionalProperties"] != Value::Bool(true) {
            let mut names = Vec::new();
            declared(doc, schema, &mut names);
            for name in object.keys().filter(|name| !names.contains(name)) {
                out.push(format!("{at}.{name} is not documented"));
            }
        }
    }
    if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
        for (i, item) in values.iter().enumerate() {
            out.extend(mismatches(doc, items, item, &format!("{at}[{i}]")));
        }
    }
    out
}

/// The schema of the document's `status` answer of `method path`.
fn response_schema(
    doc: &serde_json::Value,
    method: &str,
    path: &str,
    status: u16,
) -> serde_json::Value {
    doc["paths"][path][method]["responses"][status.to_string()]["content"]["application/json"]
        ["schema"]
        .clone()
}

#[tokio::test]
async fn real_answers_match_the_document() {
    use chibo_domain::sync::SYNC_PATH;
    use chibo_server::web::api::{ADMIN_DEVICES_PATH, ADMIN_PERSONS_PATH};

    let doc = document();
    let mut world = World::new().await;
    world.record_meeting_a(meeting_start()).await;
    let srv = &world.srv;
    let office = &world.commune.office;
    let mut checked = Vec::new();
    let mut check = |method: &str, path: &str, reply: &Reply| {
        let schema = response_schema(&doc, method, path, reply.status.as_u16());
        assert!(
            schema.is_object(),
            "{method} {path}: {} is not documented",
            reply.status
        );
        let problems = mismatches(&doc, &schema, &reply.body, "$");
        assert!(problems.is_empty(), "{method} {path}: {problems:#?}");
        checked.push(format!("{method} {path} {}", reply.status));
    };

    // Devices (never synced, never revoked: the nullable fields are null).
    let reply = srv.get(ADMIN_DEVICES_PATH, Some(&office.credential)).await;
    check("get", ADMIN_DEVICES_PATH, &reply);
    let reply = srv.get(ADMIN_PERSONS_PATH, Some(&office.credential)).await;
    check("get", ADMIN_PERSONS_PATH, &reply);
    let reply = srv
        .post(
            ADMIN_PERSONS_PATH,
            Some(&office.credential),
            &serde_json::json!({"full_name": "Vàng A Dế", "role": "office"}),
        )
        .await;
    check("post", ADMIN_PERSONS_PATH, &reply);
    // A well-formed person naming a cell or cadre the commune does not have.
    for role in [
        serde_json::json!({"role": "secretary", "cell_id": chibo_domain::model::new_id()}),
        serde_json::json!({"role": "cadre", "cadre_id": chibo_domain::model::new_id()}),
    ] {
        let mut body = role;
        body["full_name"] = "Vàng A Dế".into();
        let reply = srv
            .post(ADMIN_PERSONS_PATH, Some(&office.credential), &body)
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
        check("post", ADMIN_PERSONS_PATH, &reply);
    }
    // An id that is no UUID is bad input, even one the role does not use.
    let reply = srv
        .post(
            ADMIN_PERSONS_PATH,
            Some(&office.credential),
            &serde_json::json!({"full_name": "Vàng A Dế", "role": "office", "cell_id": ""}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    check("post", ADMIN_PERSONS_PATH, &reply);

    // A sync that pulls the meeting, and the commune's reports.
    let request = office.request(srv, vec![]);
    let reply = office.sync_reply(srv, &request).await;
    check("post", SYNC_PATH, &reply);
    for path in [
        "/api/v1/communes/{commune_id}/summary",
        "/api/v1/communes/{commune_id}/cells",
        "/api/v1/communes/{commune_id}/meetings",
        "/api/v1/communes/{commune_id}/check-ins",
        "/api/v1/communes/{commune_id}/petitions",
    ] {
        let concrete = path.replace("{commune_id}", &world.commune.id);
        let reply = srv.get(&concrete, Some(&office.credential)).await;
        check("get", path, &reply);
        // And refused without a credential, as documented.
        let reply = srv.get(&concrete, None).await;
        check("get", path, &reply);
    }
    assert_eq!(checked.len(), 17, "{checked:#?}");
}

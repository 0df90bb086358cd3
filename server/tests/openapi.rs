//! The OpenAPI document parses, documents every route the router serves, and every route
//! it documents exists.

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

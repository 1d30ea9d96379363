//! The OpenAPI document against the routes the application registers, and
//! the docs page.

use crate::api::helpers::TestApp;
use letao_api::registered_routes;
use letao_domain::Role;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// `(METHOD, path)` with the path lowered (the server routes paths in
/// lower case) and actix's `{name:regex}` written `{name}`.
fn key(method: &str, path: &str) -> (String, String) {
    let mut out = String::new();
    let mut in_param = false;
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push(c);
            }
            '}' => {
                in_param = false;
                skipping = false;
                out.push(c);
            }
            ':' if in_param => skipping = true,
            _ if skipping => {}
            _ => out.push(c),
        }
    }
    (method.to_ascii_uppercase(), out.to_ascii_lowercase())
}

/// Every `(METHOD, path)` of the document.
fn documented(doc: &serde_json::Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in [
            "get", "put", "post", "delete", "patch", "head", "options", "trace",
        ] {
            if item.get(method).is_some() {
                out.insert(key(method, path));
            }
        }
    }
    out
}

each_backend! {
    async fn every_route_the_app_serves_is_in_the_document_and_no_other(app: TestApp) {
        let served: BTreeSet<_> = registered_routes(app.state.clone())
            .iter()
            .map(|r| key(r.method, &r.path))
            .collect();
        assert!(served.len() > 50, "the registration helpers record every route: {served:?}");
        let doc = app.get("/openapi.json").await.json();
        let documented = documented(&doc);
        let undocumented: Vec<_> = served.difference(&documented).collect();
        let not_served: Vec<_> = documented.difference(&served).collect();
        assert!(undocumented.is_empty(), "served but not in /openapi.json: {undocumented:?}");
        assert!(not_served.is_empty(), "in /openapi.json but not served: {not_served:?}");
        // The SPEC's spelling is documented; the server routes any case.
        assert!(doc["paths"]["/oneCategory"]["get"].is_object());
        assert!(doc["paths"]["/queryOrder"]["post"].is_object());
    }

    async fn the_document_is_openapi_3_1_with_unique_operations_and_bearer_on_protected_routes(app: TestApp) {
        let res = app.get("/openapi.json").await;
        assert_eq!(res.status, 200);
        assert!(res.header("content-type").is_some_and(|c| c.starts_with("application/json")));
        let doc = res.json();
        assert_eq!(doc, letao_api::openapi::document_json().unwrap());
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
        let mut ids = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: no operationId"));
                assert!(ids.insert(id.to_owned()), "{method} {path}: operationId {id} used twice");
                let protected = ["/user/", "/order", "/queryorder", "/closeorder", "/addresses", "/cart", "/admin/", "/wechat/oauth/start"]
                    .iter()
                    .any(|p| path.to_ascii_lowercase().starts_with(p));
                let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
                assert_eq!(secured, protected && path != "/admin/", "{method} {path}: bearer scheme");
                if secured {
                    assert!(op["responses"]["401"].is_object(), "{method} {path}: 401 declared");
                }
                let responses = op["responses"].as_object().unwrap();
                // A redirect is the OAuth callback's success.
                assert!(responses.keys().any(|s| s.starts_with('2') || s.starts_with('3')), "{method} {path}: a success reply");
            }
        }
        // Money: yuan numbers for prices, integer fen for fees.
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["ProductView"]["properties"]["price"]["type"], "number");
        assert_eq!(schemas["ProductView"]["properties"]["price"]["format"], "yuan");
        assert_eq!(schemas["PlacedData"]["properties"]["total_fee"]["type"], "integer");
        assert_eq!(schemas["LineView"]["properties"]["unit_fee"]["type"], "integer");
        // State names come from the domain's tables.
        let states = &schemas["OrderData"]["properties"]["trade_state"]["enum"];
        for s in ["NOTPAY", "SUCCESS", "CLOSED", "REFUND"] {
            assert!(states.as_array().unwrap().iter().any(|v| v == s), "{s} in {states}");
        }
        assert!(!states.as_array().unwrap().iter().any(|v| v == "CLOSING"), "never shown");
        // Error replies: the one shape with their codes, 429 with Retry-After.
        let too_many = &doc["components"]["responses"]["TooMany"];
        assert!(too_many["headers"]["Retry-After"].is_object());
        assert_eq!(
            too_many["content"]["application/json"]["schema"]["properties"]["status"]["enum"],
            serde_json::json!([1030])
        );
        // Prometheus text, or 404 where metrics are not public.
        let metrics = &doc["paths"]["/metrics"]["get"]["responses"];
        assert!(
            metrics["200"]["content"]
                .as_object()
                .is_some_and(|c| c.keys().any(|k| k.starts_with("text/plain"))),
            "{metrics}"
        );
        assert!(metrics["404"].is_object(), "{metrics}");
        // Links name their target in the specification's spelling.
        let links = &doc["paths"]["/addresses"]["post"]["responses"]["200"]["links"];
        assert_eq!(links["UpdateAddress"]["operationId"], "update_address", "{links}");
        assert!(links["UpdateAddress"].get("operation_id").is_none(), "{links}");
        // Aliases are documented as the routes they stand for.
        assert_eq!(
            doc["paths"]["/users/login"]["post"]["requestBody"],
            doc["paths"]["/login"]["post"]["requestBody"]
        );
    }

    async fn the_owners_list_takes_exactly_the_filter_values_the_document_publishes(app: TestApp) {
        let owner = app.user_with("filters_owner", 90, Some(Role::Staff)).await;
        let buyer = app.user_with("filters_buyer", 91, None).await;
        let line = json!({"items": [{"productId": 6, "size": "40", "quantity": 1}]});
        app.paid_order(&buyer, line.clone()).await;
        app.post_auth("/order", &buyer, line.clone()).await;
        let closed = app.post_auth("/order", &buyer, line).await.json()["data"]["out_trade_no"].clone();
        let res = app.post_auth("/closeOrder", &buyer, json!({"out_trade_no": closed})).await;
        assert_eq!(res.status, 200, "{}", res.text());

        let doc = app.get("/openapi.json").await.json();
        // Values a client might guess: WeChat's other words, the internal
        // claim state, another case, a state no order has.
        let guesses = [
            ("trade_state", &["CLOSING", "REVOKED", "USERPAYING", "PAYERROR", "notpay", "PAID"][..]),
            ("fulfilment", &["unshipped", "RETURNED", "REFUND"][..]),
        ];
        for (param, guesses) in guesses {
            let published = query_enum(&doc, "/admin/orders", param);
            assert!(published.len() >= 4, "{param}: {published:?}");
            // Every reply schema carrying the state publishes the same values.
            let carriers = reply_enums(&doc, param);
            assert!(carriers.len() >= 3, "{param} in replies: {carriers:?}");
            for (schema, values) in &carriers {
                assert_eq!(values, &published, "{schema}.{param}");
            }
            for value in &published {
                let res = app.send("GET", &format!("/admin/orders?{param}={value}&pageSize=100"), &owner, None).await;
                assert_eq!(res.status, 200, "{param}={value}: {}", res.text());
                for order in res.json()["orders"].as_array().unwrap() {
                    assert_eq!(order[param], value.as_str(), "{param}={value}: {order}");
                }
            }
            for value in guesses {
                assert!(!published.iter().any(|p| p == value), "{param}: {value} is published");
                let uri = format!("/admin/orders?{param}={value}");
                let msg = app.send("GET", &uri, &owner, None).await.assert_error(400, 1010);
                assert!(msg.contains(param), "{uri}: {msg}");
                // The refusal names exactly the published values.
                for p in &published {
                    assert!(msg.contains(p.as_str()), "{uri}: {msg} lacks {p}");
                }
                assert!(!msg.contains("CLOSING"), "{uri}: {msg}");
            }
        }
        // Every state an order of this test reached is published and was found.
        let states = query_enum(&doc, "/admin/orders", "trade_state");
        for reached in ["NOTPAY", "SUCCESS", "CLOSED"] {
            assert!(states.iter().any(|s| s == reached), "{reached} in {states:?}");
            let found = app.send("GET", &format!("/admin/orders?trade_state={reached}"), &owner, None).await.json();
            assert_eq!(found["total"], 1, "{reached}: {found}");
        }
    }

    async fn the_docs_page_loads_nothing_from_other_hosts(app: TestApp) {
        for uri in ["/docs", "/Docs", "/docs/"] {
            let res = app.get(uri).await;
            assert_eq!(res.status, 200, "{uri}");
            assert!(res.header("content-type").is_some_and(|c| c.starts_with("text/html")), "{uri}");
            let html = res.text();
            assert!(html.contains("swagger-ui"), "{uri}: {html}");
            let refs = attribute_values(&html);
            assert!(refs.len() >= 3, "{uri} loads its scripts and styles: {refs:?}");
            for r in refs {
                assert!(!r.contains("//") && !r.contains(':'), "{uri} loads {r} from elsewhere");
                let asset = if r.starts_with('/') { r.clone() } else { format!("/docs/{}", r.trim_start_matches("./")) };
                assert_eq!(app.get(&asset).await.status, 200, "{uri} references {asset}");
            }
        }
        let init = app.get("/docs/swagger-initializer.js").await.text();
        assert!(init.contains("\"/openapi.json\""), "{init}");
        assert!(init.contains("\"validatorUrl\": \"none\""), "no online validator badge: {init}");
        assert!(!init.contains("http://") && !init.contains("https://"), "{init}");
        app.get("/docs/nope.js").await.assert_error(404, 404);
    }
}

/// The schema a `$ref` names, or the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        Some(name) => &doc["components"]["schemas"][name],
        None => schema,
    }
}

/// The string values of a schema's `enum`, looking through `$ref` and
/// through `oneOf`/`anyOf` (an optional value is one of it or null).
fn enum_values(doc: &Value, schema: &Value) -> Vec<String> {
    let schema = resolve(doc, schema);
    if let Some(values) = schema["enum"].as_array() {
        return values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
    }
    ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| schema[k].as_array())
        .flatten()
        .flat_map(|s| enum_values(doc, s))
        .collect()
}

/// The published values of a query parameter of `GET path`.
fn query_enum(doc: &Value, path: &str, name: &str) -> Vec<String> {
    let params = doc["paths"][path]["get"]["parameters"]
        .as_array()
        .expect("parameters");
    let param = params
        .iter()
        .find(|p| p["in"] == "query" && p["name"] == name)
        .unwrap_or_else(|| panic!("GET {path} has no query parameter {name}"));
    enum_values(doc, &param["schema"])
}

/// `(schema, values)` of every component schema with a property `name`.
fn reply_enums(doc: &Value, name: &str) -> Vec<(String, Vec<String>)> {
    doc["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .iter()
        .filter_map(|(schema, s)| {
            let property = resolve(doc, s)["properties"].get(name)?;
            Some((schema.clone(), enum_values(doc, property)))
        })
        .collect()
}

/// The values of `src=` and `href=` attributes.
fn attribute_values(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_owned());
                rest = &rest[end..];
            }
        }
    }
    out
}

//! `GET /search` and `/search/suggest` over the demo catalogue, on every
//! backend: the relevance set (what a shopper types, and the products that
//! must come first), filters, sorts, paging, bad input, and the index kept
//! with the owner's writes.

use crate::api::helpers::TestApp;
use letao_domain::Role;
use serde_json::{Value, json};

/// `s` percent-encoded for a query string.
fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn ids(body: &Value) -> Vec<i64> {
    body["products"]
        .as_array()
        .unwrap_or_else(|| panic!("products in {body}"))
        .iter()
        .map(|p| p["id"].as_i64().expect("id"))
        .collect()
}

impl TestApp {
    async fn search(&self, query: &str) -> Value {
        let res = self.get(&format!("/search?{query}")).await;
        assert_eq!(res.status, 200, "{query}: {}", res.text());
        res.json()
    }

    async fn search_ids(&self, q: &str) -> Vec<i64> {
        ids(&self.search(&format!("q={}&pageSize=100", enc(q))).await)
    }
}

/// The relevance set: a query and the products it must list, in order
/// (the demo catalogue: bin/letao-server's seed, docs/search.md).
const RELEVANCE: &[(&str, &[i64])] = &[
    // Chinese: words, words split, brands (name first, then brand), categories.
    ("耐克", &[3, 5, 6]),
    ("耐克 跑步鞋", &[3, 5]),
    ("耐克跑步鞋", &[3, 5]),
    ("跑步鞋", &[3, 5]),
    ("跑步 鞋", &[3, 5]),
    ("跑鞋", &[7, 8]),
    ("板鞋", &[6, 14]),
    ("帆布鞋", &[13, 21]),
    ("哥伦比亚", &[10, 11, 12]),
    ("休闲鞋", &[4, 9, 16]),
    ("女士", &[16, 17, 18, 19, 20, 21]),
    ("复古", &[4, 19]),
    ("缓震", &[11, 20]),
    ("厚底", &[15, 17]),
    ("阿迪", &[1, 2, 7]),
    ("新百伦 跑鞋", &[8]),
    ("登山鞋", &[11]),
    ("乐福鞋", &[18]),
    ("运动馆 板鞋", &[6, 14]),
    // Latin letters, any case and spacing.
    ("nike", &[3, 5, 6]),
    ("NIKE AIR", &[3]),
    ("nike air zoom", &[3]),
    ("new balance", &[4, 8, 9]),
    ("converse", &[13, 14, 15]),
    ("adidas", &[1, 7]),
    ("forum 84", &[2]),
    ("574", &[4]),
    ("S83700", &[1]),
    ("columbia", &[10, 11, 12]),
    ("run star", &[15]),
    ("Star", &[14, 15]),
    ("newbalance", &[4, 8, 9]),
    ("  Nike   Revolution  ", &[5]),
    ("UltraBoost", &[7]),
    ("NiKe", &[3, 5, 6]),
    ("ＮＩＫＥ", &[3, 5, 6]),
    // Pinyin, whole and by initials.
    ("naike", &[3, 5, 6]),
    ("nk", &[3, 5, 6]),
    ("paobuxie", &[3, 5]),
    ("nk paobuxie", &[3, 5]),
    ("fanbuxie", &[13, 21]),
    ("xinbailun", &[4, 8, 9]),
    ("gelunbiya", &[10, 11, 12]),
    // Mixed.
    ("nike 跑步鞋", &[3, 5]),
    ("耐克 air", &[3]),
    ("columbia 登山", &[11]),
    ("converse 帆布鞋", &[13]),
    // No match, and metacharacters taken literally.
    ("李宁", &[]),
    ("air max", &[]),
    ("%", &[]),
    ("_", &[]),
    ("'", &[]),
    (".*", &[]),
    ("n%e", &[]),
    ("' OR 1=1 --", &[]),
];

each_backend! {
    async fn the_relevance_set_finds_what_shoppers_mean(app: TestApp) {
        let mut wrong = Vec::new();
        for (q, want) in RELEVANCE {
            let got = app.search_ids(q).await;
            if got != *want {
                wrong.push(format!("{q:?}: got {got:?}, want {want:?}"));
            }
        }
        assert!(RELEVANCE.len() >= 40);
        assert!(wrong.is_empty(), "{} of {} queries:\n{}", wrong.len(), RELEVANCE.len(), wrong.join("\n"));
    }

    async fn filters_narrow_the_matches(app: TestApp) {
        let nike = enc("nike");
        assert_eq!(ids(&app.search(&format!("q={nike}&brandId=1")).await), [3, 5, 6]);
        assert_eq!(ids(&app.search(&format!("q={nike}&brandId=2")).await), Vec::<i64>::new());
        let shoe = enc("鞋");
        assert_eq!(ids(&app.search(&format!("q={shoe}&categoryId=2&pageSize=100")).await), [16, 17, 18, 19, 20, 21]);
        assert_eq!(
            ids(&app.search(&format!("q={shoe}&minPrice=400&maxPrice=599&pageSize=100")).await),
            [6, 9, 12, 13, 14]
        );
        assert_eq!(ids(&app.search("minPrice=1599").await), [8], "filters alone, no words");
        assert_eq!(ids(&app.search("maxPrice=1.00&sort=price_asc").await), [1, 2, 3, 4]);
        // Every demo product has size 42 in stock.
        assert_eq!(ids(&app.search(&format!("q={nike}&size=42")).await), [3, 5, 6]);
        assert_eq!(ids(&app.search(&format!("q={nike}&size=46")).await), Vec::<i64>::new());
    }

    async fn the_size_filter_keeps_sizes_in_stock(app: TestApp) {
        let owner = app.user_with("search_owner", 1, Some(Role::Admin)).await;
        let res = app
            .send("POST", "/admin/products", &owner, Some(json!({
                "brandId": 1, "name": "Nike Pegasus Trail 越野跑鞋", "img": "/images/product1.svg",
                "price": "699.00", "oldPrice": "799.00",
                "skus": [{"size": "45", "stock": 2}, {"size": "46", "stock": 0}],
            })))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let id = res.json()["product"]["id"].as_i64().expect("id");
        assert_eq!(ids(&app.search("size=45").await), [id], "found at once on this instance");
        assert_eq!(ids(&app.search("size=46").await), Vec::<i64>::new(), "sold out in 46");
        let nk = enc("nk");
        assert_eq!(ids(&app.search(&format!("q={nk}&size=45")).await), [id]);
        assert_eq!(ids(&app.search(&format!("q={}", enc("越野"))).await), [id]);
    }

    async fn sorts_and_keyset_pages_cover_every_match_once(app: TestApp) {
        let shoe = enc("鞋");
        for sort in ["relevance", "newest", "price_asc", "price_desc", "sales"] {
            let mut seen = Vec::new();
            let mut after = String::new();
            for _ in 0..10 {
                let body = app.search(&format!("q={shoe}&sort={sort}&pageSize=4{after}")).await;
                assert!(body.get("total").is_none(), "no total");
                seen.extend(ids(&body));
                match body["next"].as_str() {
                    Some(n) => after = format!("&after={n}"),
                    None => break,
                }
            }
            let mut sorted = seen.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted, (1..=21).collect::<Vec<_>>(), "{sort}: {seen:?}");
            assert_eq!(seen.len(), 21, "{sort}: no product twice");
            if sort == "newest" {
                assert_eq!(seen[..3], [21, 20, 19]);
            }
            if sort == "price_desc" {
                assert_eq!(seen[..2], [8, 7]);
            }
            if sort == "price_asc" {
                assert_eq!(seen[..5], [1, 2, 3, 4, 21]);
            }
        }
    }

    async fn bad_input_is_refused_naming_the_field(app: TestApp) {
        for (query, field) in [
            ("", "q"),
            ("q=", "q"),
            ("q=%20%20", "q"),
            (&format!("q={}", "a".repeat(51)) as &str, "q"),
            ("q=nike%01", "q"),
            ("q=a%0Ab", "q"),
            ("q=nike&minPrice=500&maxPrice=100", "minPrice"),
            ("q=nike&sort=cheapest", "sort"),
            ("q=nike&minPrice=abc", "minPrice"),
            ("q=nike&maxPrice=-1", "maxPrice"),
            ("q=nike&brandId=x", "brandId"),
            ("q=nike&after=12", "after"),
        ] {
            let msg = app.get(&format!("/search?{query}")).await.assert_error(400, 1010);
            assert!(msg.contains(field), "{query}: {msg}");
        }
        // Fifty characters are allowed; spaces around do not count.
        let fifty = format!("q=%20{}%20", "a".repeat(50));
        assert_eq!(app.get(&format!("/search?{fifty}")).await.status, 200);
        for query in ["", "q=", "q=%07", &format!("q={}", "b".repeat(51))] {
            let msg = app.get(&format!("/search/suggest?{query}")).await.assert_error(400, 1010);
            assert!(msg.contains('q'), "{query}: {msg}");
        }
    }

    async fn suggestions_complete_chinese_pinyin_and_latin(app: TestApp) {
        let suggest = |q: &'static str| {
            let app = &app;
            async move {
                let res = app.get(&format!("/search/suggest?q={}", enc(q))).await;
                assert_eq!(res.status, 200, "{q}");
                let body = res.json();
                body["suggestions"]
                    .as_array()
                    .expect("suggestions")
                    .iter()
                    .map(|s| (s["text"].as_str().unwrap_or_default().to_owned(), s["kind"].as_str().unwrap_or_default().to_owned()))
                    .collect::<Vec<_>>()
            }
        };
        let nai = suggest("nai").await;
        assert_eq!(nai.first(), Some(&("耐克".to_owned(), "brand".to_owned())), "{nai:?}");
        assert!(nai.len() <= 10);
        let ni = suggest("Nik").await;
        assert!(ni.iter().any(|(t, k)| t.starts_with("Nike") && k == "product"), "{ni:?}");
        let nv = suggest("女").await;
        assert!(nv.iter().any(|(t, k)| t == "女士馆" && k == "category"), "{nv:?}");
        assert!(nv.iter().any(|(t, k)| t.starts_with("女士") && k == "product"), "{nv:?}");
        assert!(suggest("%").await.is_empty());
        assert!(suggest("zzzz").await.is_empty());
        let many = suggest("x").await;
        assert!(many.len() <= 10, "{many:?}");
    }

    async fn owner_edits_are_searchable_at_once_and_everywhere(app: TestApp) {
        let owner = app.user_with("search_editor", 2, Some(Role::Admin)).await;
        // Keywords: words the name lacks.
        let res = app.send("PUT", "/admin/products/6", &owner, Some(json!({"keywords": ["滑板鞋", "百搭"]}))).await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(res.json()["product"]["keywords"], json!(["滑板鞋", "百搭"]));
        assert_eq!(app.search_ids("滑板鞋").await, [6]);
        // A name match ranks above a keyword match.
        assert_eq!(app.search_ids("百搭").await, [21, 6]);
        // A new name is found, the old one no longer, on both instances.
        let res = app.send("PUT", "/admin/products/6", &owner, Some(json!({"name": "Nike Blazer 开拓者"}))).await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(app.search_ids("blazer").await, [6]);
        // 14 by its name, 6 by its keyword 滑板鞋 now that its name lost 板鞋.
        assert_eq!(app.search_ids("板鞋").await, [14, 6]);
        let second = actix_web::test::init_service(letao_api::app(app.second.clone())).await;
        let req = actix_web::test::TestRequest::get().uri("/search?q=kaituozhe").to_request();
        let body: Value = actix_web::test::call_and_read_body_json(&second, req).await;
        assert_eq!(ids(&body), [6], "the second instance reads the same index");
        // A renamed brand is found by its new name.
        let res = app.send("PUT", "/admin/brands/1", &owner, Some(json!({"brandName": "耐克体育", "categoryId": 1}))).await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(app.search_ids("体育").await, [3, 5, 6]);
        // A renamed category too.
        let res = app.send("PUT", "/admin/categories/2", &owner, Some(json!({"categoryName": "女鞋馆"}))).await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(app.search_ids("女鞋馆").await, [16, 17, 18, 19, 20, 21]);
        // A hidden product is never found; shown again, it is.
        let res = app.send("DELETE", "/admin/products/3", &owner, None).await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(app.search_ids("nike").await, [5, 6]);
        let res = app.send("PUT", "/admin/products/3", &owner, Some(json!({"hidden": false}))).await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(app.search_ids("nike").await, [3, 5, 6]);
        // Bad keywords name the field.
        for bad in [json!(["a,b"]), json!([""]), json!(["x", "x"]), json!(["一二三四五六七八九十一二三四五六七八九十一"])] {
            let msg = app.send("PUT", "/admin/products/6", &owner, Some(json!({"keywords": bad}))).await.assert_error(400, 1010);
            assert!(msg.contains("keywords"), "{msg}");
        }
    }

    async fn the_console_finds_products_by_name_pinyin_or_code(app: TestApp) {
        let owner = app.user_with("search_console", 3, Some(Role::Admin)).await;
        let list = |q: String| {
            let (app, owner) = (&app, &owner);
            async move {
                let res = app.send("GET", &format!("/admin/products?{q}"), owner, None).await;
                assert_eq!(res.status, 200, "{q}: {}", res.text());
                ids(&res.json())
            }
        };
        assert_eq!(list(format!("q={}", enc("帆布鞋"))).await, [13, 21]);
        assert_eq!(list("q=fanbuxie".into()).await, [13, 21]);
        assert_eq!(list("q=P14-42".into()).await, [14], "a SKU's code");
        assert_eq!(list("q=P14-4".into()).await, Vec::<i64>::new(), "codes match whole");
        assert_eq!(list(format!("q={}&brandId=5", enc("帆布鞋"))).await, [13]);
        let res = app.send("DELETE", "/admin/products/14", &owner, None).await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(list("q=P14-42".into()).await, [14], "hidden, found by its code");
        assert_eq!(list("q=P14-42&hidden=false".into()).await, Vec::<i64>::new());
        let msg = app.send("GET", &format!("/admin/products?q={}", "a".repeat(51)), &owner, None).await.assert_error(400, 1010);
        assert!(msg.contains('q'), "{msg}");
        let shopper = app.user_with("search_shopper", 4, None).await;
        assert_eq!(app.send("GET", "/admin/products?q=nike", &shopper, None).await.status, 403);
    }

    async fn a_rebuild_restores_an_index_lost_in_the_database(app: TestApp) {
        assert_eq!(app.db.rebuild_search_index(false).await.unwrap(), None, "current at start");
        assert_eq!(app.db.rebuild_search_index(true).await.unwrap(), Some(21));
        assert_eq!(app.search_ids("nike").await, [3, 5, 6]);
    }
}

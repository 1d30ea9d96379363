//! `GET /`: a plain HTML page that shows the catalogue.

use crate::{ApiError, AppState};
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use letao_domain::{Brand, Category, Product};
use std::fmt::Write;

/// Renders categories with their brands, and the featured products.
pub async fn index(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let categories = state.db.categories().await?;
    let brands = state.db.brands().await?;
    let featured = state.db.featured_products().await?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header(("cache-control", "no-cache"))
        .body(render(&categories, &brands, &featured)))
}

fn render(categories: &[Category], brands: &[Brand], featured: &[Product]) -> String {
    let mut html = String::from(concat!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
        "<title>乐淘 Letao</title><style>",
        "body{font-family:sans-serif;margin:1rem auto;max-width:48rem;padding:0 1rem;color:#222}",
        "ul.products{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));",
        "gap:1rem;list-style:none;padding:0}ul.products img{width:100%}",
        "s{color:#999}.price{color:#e4393c;font-weight:bold}",
        ".brands img{height:1.5rem;vertical-align:middle;margin-right:.3rem}",
        "</style></head><body><h1>乐淘 Letao</h1><h2>精选 Featured</h2><ul class=\"products\">",
    ));
    for p in featured {
        let _ = write!(
            html,
            "<li><a href=\"/products/{id}\"><img src=\"{img}\" alt=\"\"></a><div>{name}</div>\
             <span class=\"price\">¥{price}</span> <s>¥{old}</s></li>",
            id = p.id,
            img = attr(&p.img),
            name = text(&p.name),
            price = p.price.yuan_string(),
            old = p.old_price.yuan_string(),
        );
    }
    html.push_str("</ul><h2>分类 Categories</h2>");
    for c in categories {
        let _ = write!(
            html,
            "<h3>{}</h3><ul class=\"brands\">",
            text(c.name.as_deref().unwrap_or("—"))
        );
        for b in brands.iter().filter(|b| b.category_id == Some(c.id.get())) {
            let _ = write!(
                html,
                "<li><a href=\"/products?brandId={id}\"><img src=\"{logo}\" alt=\"\">{name}</a></li>",
                id = b.id,
                logo = attr(b.logo.as_deref().unwrap_or("")),
                name = text(b.name.as_deref().unwrap_or("—")),
            );
        }
        html.push_str("</ul>");
    }
    html.push_str("</body></html>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use letao_domain::{Fen, Id};

    #[test]
    fn page_escapes_catalogue_text() {
        let categories = [Category {
            id: Id::from_db(1),
            name: Some("<script>alert(1)</script>".into()),
        }];
        let brands = [Brand {
            id: Id::from_db(2),
            name: Some("A&B".into()),
            category_id: Some(1),
            logo: Some("\" onerror=\"x".into()),
            hot: Some(1),
        }];
        let featured = [Product {
            id: Id::from_db(3),
            brand_id: Id::from_db(2),
            name: "鞋 <b>".into(),
            img: "/images/p.svg".into(),
            price: Fen::new(100),
            old_price: Fen::new(88_800),
            sizes: vec![],
            stock: 1,
            featured: true,
        }];
        let html = render(&categories, &brands, &featured);
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("A&amp;B"));
        assert!(!html.contains("\" onerror=\"x"));
        assert!(html.contains("鞋 &lt;b&gt;"));
        assert!(html.contains("¥1.00") && html.contains("¥888.00"));
    }
}

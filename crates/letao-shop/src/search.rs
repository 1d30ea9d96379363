//! Finding a shoe: `GET /search` and the search box's suggestions
//! (SPEC §4.3, docs/search.md).
//!
//! Every term of the query must be a token of the product (its name, the
//! owner's keywords, its brand's or category's name). `relevance` ranks
//! the newest [`RANKED_MATCHES`] matches: more terms found in the name
//! first, then more in the keywords, then more in the brand or category,
//! then by id, so pages never overlap. `sales` ranks the same matches by
//! units sold. The other sorts page through every match in the database.

use crate::ShopError;
use crate::freshness::CatalogueVersion;
use crate::store::{CatalogueStore, SearchFilter, SearchMatch, SearchStore, SortKey, StoredSort};
use letao_domain::Product;
use letao_domain::search::{Field, last_word, prefix_end, query_terms, tokens};
use std::sync::{Arc, RwLock};

/// How many matches `relevance` and `sales` rank (the newest ones).
pub const RANKED_MATCHES: i64 = 1_000;

/// How many suggestions the search box gets at most.
pub const MAX_SUGGESTIONS: usize = 10;

/// The order of the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchSort {
    /// Best match first (default with a query).
    Relevance,
    /// Newest first (default without).
    Newest,
    /// Cheapest first.
    PriceAsc,
    /// Dearest first.
    PriceDesc,
    /// Most units sold first.
    Sales,
}

impl SearchSort {
    /// The sort named `s` (`relevance`, `newest`, `price_asc`,
    /// `price_desc`, `sales`).
    pub fn parse(s: &str) -> Option<SearchSort> {
        Some(match s {
            "relevance" => SearchSort::Relevance,
            "newest" => SearchSort::Newest,
            "price_asc" => SearchSort::PriceAsc,
            "price_desc" => SearchSort::PriceDesc,
            "sales" => SearchSort::Sales,
            _ => return None,
        })
    }
}

/// A search as asked.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The words (trimmed, validated by the caller); `None`: filters only.
    pub q: Option<String>,
    /// Brand, category, size, price.
    pub filter: SearchFilter,
    /// The order; `None`: relevance with words, newest without.
    pub sort: Option<SearchSort>,
    /// Rows per page.
    pub page_size: u32,
    /// The previous page's `next`.
    pub after: Option<SortKey>,
}

/// One page of results.
#[derive(Debug, Clone, Default)]
pub struct SearchPage {
    /// The products, in order.
    pub products: Vec<Product>,
    /// Where the next page starts, when there may be one.
    pub next: Option<SortKey>,
}

/// What a suggestion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionKind {
    /// A product's name.
    Product,
    /// A brand's name.
    Brand,
    /// A category's name.
    Category,
}

/// One suggestion for the search box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The text to search for.
    pub text: String,
    /// Where it comes from.
    pub kind: SuggestionKind,
}

/// Brand and category names with their tokens, for suggestions.
struct Labels {
    generation: u64,
    items: Vec<(String, SuggestionKind, Vec<String>)>,
}

/// The search use cases.
pub struct Search {
    store: Arc<dyn SearchStore>,
    catalogue: Arc<dyn CatalogueStore>,
    version: Arc<CatalogueVersion>,
    labels: RwLock<Option<Arc<Labels>>>,
}

/// A ranked match's score: terms found in the name, then in the keywords,
/// then in the brand or category, as one number that sorts the same.
fn score(m: &SearchMatch) -> i64 {
    let count = |f: Field| {
        i64::try_from(m.weights.iter().filter(|w| **w == f.weight()).count()).unwrap_or(0)
    };
    count(Field::Name) * 10_000 + count(Field::Keyword) * 100 + count(Field::Label)
}

/// The rows after `after` in (value desc, id asc) order, one page of them,
/// and the key of the last one when more remain.
fn page_of(
    mut keyed: Vec<SortKey>,
    after: Option<SortKey>,
    size: usize,
) -> (Vec<i32>, Option<SortKey>) {
    keyed.sort_by(|a, b| b.value.cmp(&a.value).then(a.id.cmp(&b.id)));
    let rest = keyed.into_iter().filter(|k| match after {
        None => true,
        Some(a) => k.value < a.value || (k.value == a.value && k.id > a.id),
    });
    let mut page: Vec<SortKey> = rest.take(size + 1).collect();
    let more = page.len() > size;
    page.truncate(size);
    let next = if more { page.last().copied() } else { None };
    (page.into_iter().map(|k| k.id).collect(), next)
}

impl Search {
    /// The use cases over `store`, with brand and category names from
    /// `catalogue` kept while `version` is unchanged.
    pub fn new(
        store: Arc<dyn SearchStore>,
        catalogue: Arc<dyn CatalogueStore>,
        version: Arc<CatalogueVersion>,
    ) -> Self {
        Search {
            store,
            catalogue,
            version,
            labels: RwLock::new(None),
        }
    }

    /// One page of the products that match `req`.
    pub async fn search(&self, req: &SearchRequest) -> Result<SearchPage, ShopError> {
        let terms = match &req.q {
            Some(q) => {
                let terms = query_terms(q);
                if terms.is_empty() {
                    // Nothing but punctuation: no token can hold it.
                    return Ok(SearchPage::default());
                }
                terms
            }
            None => Vec::new(),
        };
        let sort = req.sort.unwrap_or(if terms.is_empty() {
            SearchSort::Newest
        } else {
            SearchSort::Relevance
        });
        let size = req.page_size.max(1);
        let stored = match sort {
            SearchSort::Relevance if terms.is_empty() => Some(StoredSort::Newest),
            SearchSort::Relevance | SearchSort::Sales => None,
            SearchSort::Newest => Some(StoredSort::Newest),
            SearchSort::PriceAsc => Some(StoredSort::PriceAsc),
            SearchSort::PriceDesc => Some(StoredSort::PriceDesc),
        };
        if let Some(stored) = stored {
            let limit = i64::from(size);
            let products = self
                .store
                .search_page(&terms, &req.filter, stored, req.after, limit)
                .await?;
            let next = if products.len() >= size as usize {
                products.last().map(|p| SortKey {
                    value: match stored {
                        StoredSort::Newest => i64::from(p.id.get()),
                        StoredSort::PriceAsc | StoredSort::PriceDesc => p.price.get(),
                    },
                    id: p.id.get(),
                })
            } else {
                None
            };
            return Ok(SearchPage { products, next });
        }
        let matches = self
            .store
            .search_matches(&terms, &req.filter, RANKED_MATCHES)
            .await?;
        let keyed: Vec<SortKey> = if sort == SearchSort::Sales {
            let ids: Vec<i32> = matches.iter().map(|m| m.product_id).collect();
            let sold = self.store.units_sold(&ids).await?;
            ids.into_iter()
                .map(|id| SortKey {
                    value: sold.get(&id).copied().unwrap_or(0),
                    id,
                })
                .collect()
        } else {
            matches
                .iter()
                .map(|m| SortKey {
                    value: score(m),
                    id: m.product_id,
                })
                .collect()
        };
        let (ids, next) = page_of(keyed, req.after, size as usize);
        let products = self.store.products_by_ids(&ids).await?;
        Ok(SearchPage { products, next })
    }

    /// Up to [`MAX_SUGGESTIONS`] completions of the last word of `q`:
    /// brands, then categories, then product names that hold a token
    /// starting with it.
    pub async fn suggest(&self, q: &str) -> Result<Vec<Suggestion>, ShopError> {
        let Some(prefix) = last_word(q) else {
            return Ok(Vec::new());
        };
        let mut out: Vec<Suggestion> = Vec::new();
        let labels = self.labels().await?;
        for (text, kind, toks) in &labels.items {
            if toks.iter().any(|t| t.starts_with(&prefix)) && out.len() < MAX_SUGGESTIONS {
                out.push(Suggestion {
                    text: text.clone(),
                    kind: *kind,
                });
            }
        }
        let end = prefix_end(&prefix);
        let names = self
            .store
            .suggest_names(&prefix, end.as_deref(), 4 * MAX_SUGGESTIONS as i64)
            .await?;
        for name in names {
            if out.len() >= MAX_SUGGESTIONS {
                break;
            }
            if !out.iter().any(|s| s.text == name) {
                out.push(Suggestion {
                    text: name,
                    kind: SuggestionKind::Product,
                });
            }
        }
        Ok(out)
    }

    /// The products the owner's console search finds for `q`, best first,
    /// at most `limit`: the product of the SKU whose code is `q`, then
    /// the products on sale that match `q` as `relevance` ranks them.
    pub async fn owner_matches(&self, q: &str, limit: usize) -> Result<Vec<i32>, ShopError> {
        let mut ids = Vec::new();
        if let Some(id) = self.store.product_id_by_code(q.trim()).await? {
            ids.push(id);
        }
        let terms = query_terms(q);
        if !terms.is_empty() {
            let matches = self
                .store
                .search_matches(&terms, &SearchFilter::default(), RANKED_MATCHES)
                .await?;
            let keyed = matches
                .iter()
                .map(|m| SortKey {
                    value: score(m),
                    id: m.product_id,
                })
                .collect();
            let (ranked, _) = page_of(keyed, None, limit);
            ids.extend(
                ranked
                    .into_iter()
                    .filter(|id| !ids.contains(id))
                    .collect::<Vec<_>>(),
            );
        }
        ids.truncate(limit);
        Ok(ids)
    }

    /// Brand and category names with their tokens, loaded again when the
    /// catalogue's version moves.
    async fn labels(&self) -> Result<Arc<Labels>, ShopError> {
        let generation = self.version.generation().await;
        if let Ok(guard) = self.labels.read()
            && let Some(l) = guard.as_ref()
            && l.generation == generation
        {
            return Ok(l.clone());
        }
        let mut items = Vec::new();
        for b in self.catalogue.brands().await? {
            if let Some(name) = b.name {
                let t = tokens(&name);
                items.push((name, SuggestionKind::Brand, t));
            }
        }
        for c in self.catalogue.categories().await? {
            if let Some(name) = c.name {
                let t = tokens(&name);
                items.push((name, SuggestionKind::Category, t));
            }
        }
        let labels = Arc::new(Labels { generation, items });
        if let Ok(mut guard) = self.labels.write() {
            *guard = Some(labels.clone());
        }
        Ok(labels)
    }

    /// Rebuilds the index of every product (`force`), or only when another
    /// tokenizer version wrote it; the products indexed.
    pub async fn rebuild(&self, force: bool) -> Result<Option<u64>, ShopError> {
        Ok(self.store.rebuild_search_index(force).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(value: i64, id: i32) -> SortKey {
        SortKey { value, id }
    }

    #[test]
    fn pages_follow_score_then_id_without_overlap() {
        let all = vec![k(1, 5), k(3, 9), k(3, 2), k(2, 1), k(1, 4)];
        let (first, next) = page_of(all.clone(), None, 2);
        assert_eq!(first, [2, 9]);
        assert_eq!(next, Some(k(3, 9)));
        let (second, next) = page_of(all.clone(), next, 2);
        assert_eq!(second, [1, 4]);
        let (third, next) = page_of(all, next, 2);
        assert_eq!(third, [5]);
        assert_eq!(next, None);
    }

    #[test]
    fn a_name_match_outranks_keywords_and_labels() {
        let name = SearchMatch {
            product_id: 2,
            weights: vec![3, 1],
        };
        let keywords = SearchMatch {
            product_id: 1,
            weights: vec![2, 2],
        };
        let labels = SearchMatch {
            product_id: 3,
            weights: vec![1, 1],
        };
        assert!(score(&name) > score(&keywords));
        assert!(score(&keywords) > score(&labels));
    }
}

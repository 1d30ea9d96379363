//! Search tokens: how a product's texts and a shopper's query become the
//! words that are matched (docs/search.md).
//!
//! A text is cut into runs of Chinese characters and runs of letters and
//! digits. A Latin run gives its lower-cased word (and, joined with the
//! next word, `air`+`max` = `airmax`, so spacing typos still match). A
//! Chinese run gives every single character and every pair of adjacent
//! characters (so 耐克, 跑步 and 鞋 all match 耐克跑步鞋), jieba's words of
//! three characters or more, and pinyin: each character's syllable, and
//! the spelling and initials (`naike`, `nk`) of each of jieba's words, of
//! every stretch of two to four characters, and of the whole run.
//!
//! A query is cut the same way, but a Chinese run becomes jieba's words,
//! each word of three characters or more as its pairs, and a character
//! jieba leaves alone inside a longer run with its neighbour: every one of
//! those terms must be a token of the product. Matching is exact on tokens, so
//! SQL and regex metacharacters are plain characters here.

use jieba_rs::Jieba;
use pinyin::ToPinyin;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Tokens are cut to this many characters (the token column's width is 64).
pub const MAX_TOKEN_CHARS: usize = 32;

/// The version of the tokenizer: an index written by another version is
/// rebuilt at start.
pub const TOKENIZER_VERSION: i32 = 1;

/// Where a token was found, as a weight: a match in the name ranks above
/// one in the owner's keywords, above one in the brand or category name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// The brand's or the category's name.
    Label = 1,
    /// The owner's keywords.
    Keyword = 2,
    /// The product's name.
    Name = 3,
}

impl Field {
    /// The weight stored with a token.
    pub fn weight(self) -> i16 {
        self as i16
    }

    /// The field of a stored weight (unknown weights count as the lowest).
    pub fn from_weight(w: i16) -> Field {
        match w {
            3 => Field::Name,
            2 => Field::Keyword,
            _ => Field::Label,
        }
    }
}

// The dictionary is immutable and costs a few megabytes and ~100 ms to
// load: loaded once per process on first use, like a constant table.
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Full-width ASCII (ＮＩＫＥ, ４２) as ASCII, then lower case.
fn normalise(c: char) -> impl Iterator<Item = char> {
    let c = match u32::from(c) {
        0xFF01..=0xFF5E => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    c.to_lowercase()
}

fn is_han(c: char) -> bool {
    matches!(u32::from(c), 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

#[derive(Debug, PartialEq, Eq)]
enum Run {
    Han(String),
    Word(String),
}

/// The runs of Chinese characters and of letters and digits in `text`.
fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut current: Option<Run> = None;
    for c in text.chars().flat_map(normalise) {
        let next_kind = if is_han(c) {
            Some(true)
        } else if c.is_alphanumeric() {
            Some(false)
        } else {
            None
        };
        match (&mut current, next_kind) {
            (Some(Run::Han(s)), Some(true)) | (Some(Run::Word(s)), Some(false)) => s.push(c),
            (_, kind) => {
                out.extend(current.take());
                current = kind.map(|han| {
                    if han {
                        Run::Han(c.to_string())
                    } else {
                        Run::Word(c.to_string())
                    }
                });
            }
        }
    }
    out.extend(current);
    out
}

fn cut(s: &str) -> String {
    s.chars().take(MAX_TOKEN_CHARS).collect()
}

/// Each character's syllable (a character without one is skipped).
fn syllables(han: &str) -> Vec<&'static str> {
    han.to_pinyin().flatten().map(|p| p.plain()).collect()
}

/// The spelling and the initials of `han`, when every character has pinyin.
fn spellings(han: &str) -> Option<(String, String)> {
    let mut whole = String::new();
    let mut initials = String::new();
    for p in han.to_pinyin() {
        let p = p?;
        whole.push_str(p.plain());
        initials.push_str(p.first_letter());
    }
    Some((whole, initials))
}

/// Every token of `text`.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let runs = runs(text);
    let mut previous_word: Option<&str> = None;
    for run in &runs {
        match run {
            Run::Word(w) => {
                out.push(cut(w));
                if let Some(p) = previous_word {
                    out.push(cut(&format!("{p}{w}")));
                }
                previous_word = Some(w);
            }
            Run::Han(h) => {
                previous_word = None;
                let chars: Vec<char> = h.chars().collect();
                out.extend(chars.iter().map(char::to_string));
                out.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
                out.extend(syllables(h).into_iter().map(str::to_owned));
                for word in JIEBA.cut(h, false) {
                    let word = word.word;
                    if word.chars().count() >= 3 {
                        out.push(cut(word));
                    }
                    if word.chars().count() >= 2
                        && let Some((whole, initials)) = spellings(word)
                    {
                        out.push(cut(&whole));
                        out.push(cut(&initials));
                    }
                }
                // Pinyin of every stretch of 2 to 4 characters, so a word
                // jieba joined to its neighbours (公路跑步鞋) is still
                // found by its own spelling (paobuxie, pbx); and of the run.
                for n in 2..=4 {
                    for w in chars.windows(n) {
                        let w: String = w.iter().collect();
                        if let Some((whole, initials)) = spellings(&w) {
                            out.push(whole);
                            out.push(initials);
                        }
                    }
                }
                if chars.len() > 4
                    && let Some((whole, initials)) = spellings(h)
                {
                    out.push(cut(&whole));
                    out.push(cut(&initials));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A product's tokens with the weight of the best field each is found in.
pub fn product_tokens(name: &str, keywords: &[String], labels: &[&str]) -> BTreeMap<String, i16> {
    let mut out = BTreeMap::new();
    let mut add = |text: &str, field: Field| {
        for t in tokens(text) {
            let w = out.entry(t).or_insert(0);
            *w = (*w).max(field.weight());
        }
    };
    add(name, Field::Name);
    for k in keywords {
        add(k, Field::Keyword);
    }
    for l in labels {
        add(l, Field::Label);
    }
    out
}

/// The terms a query requires, each of which must be a token of a product
/// that matches; empty when the query holds no letter, digit or
/// Chinese character.
pub fn query_terms(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    for run in runs(q) {
        match run {
            Run::Word(w) => out.push(cut(&w)),
            Run::Han(h) => {
                let run: Vec<char> = h.chars().collect();
                let mut at = 0usize;
                for word in JIEBA.cut(&h, false) {
                    let chars: Vec<char> = word.word.chars().collect();
                    match chars.len() {
                        // A character typed next to others (鞋 of 跑步鞋) is
                        // matched with its neighbour (步鞋): as selective as
                        // the text typed, where 鞋 alone is in every product.
                        1 if run.len() > 1 => {
                            // The one before it, or after it at the start.
                            let from = at.saturating_sub(1);
                            out.extend(
                                run.get(from..from + 2)
                                    .map(|p| p.iter().collect::<String>()),
                            );
                        }
                        1 | 2 => out.push(word.word.to_owned()),
                        _ => out.extend(chars.windows(2).map(|w| w.iter().collect::<String>())),
                    }
                    at += chars.len();
                }
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|t| seen.insert(t.clone()));
    out
}

/// The last word of a query as typed so far, for suggestions: matched as a
/// prefix of tokens. `None` when the query has no word.
pub fn last_word(q: &str) -> Option<String> {
    runs(q).pop().map(|r| match r {
        Run::Han(h) | Run::Word(h) => cut(&h),
    })
}

/// The smallest string above every string that starts with `prefix`, for a
/// range scan `token >= prefix AND token < next` (no `LIKE`, so no
/// metacharacters and the same on every database). `None`: no bound above.
pub fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut n = u32::from(last) + 1;
        // Skip the surrogate gap, which holds no chars.
        if (0xD800..=0xDFFF).contains(&n) {
            n = 0xE000;
        }
        if let Some(c) = char::from_u32(n) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(tokens: &[String], t: &str) -> bool {
        tokens.iter().any(|x| x == t)
    }

    #[test]
    fn chinese_gives_characters_pairs_and_pinyin() {
        let t = tokens("耐克跑步鞋");
        for want in [
            "耐", "克", "耐克", "跑步", "步鞋", "鞋", "naike", "nk", "nai", "pao",
        ] {
            assert!(has(&t, want), "{want} in {t:?}");
        }
    }

    #[test]
    fn latin_words_are_lower_cased_and_joined_pairwise() {
        let t = tokens("Nike AIR Zoom ＰＥＧＡＳＵＳ");
        for want in ["nike", "air", "zoom", "pegasus", "nikeair", "airzoom"] {
            assert!(has(&t, want), "{want} in {t:?}");
        }
        assert!(!has(&t, "Nike"));
    }

    #[test]
    fn mixed_text_splits_at_the_script() {
        let t = tokens("adidas阿迪达斯 S83700");
        assert!(
            has(&t, "adidas") && has(&t, "阿迪") && has(&t, "s83700"),
            "{t:?}"
        );
    }

    #[test]
    fn queries_need_every_word_and_long_chinese_words_as_pairs() {
        assert_eq!(query_terms("  Nike   AIR "), ["nike", "air"]);
        let q = query_terms("耐克跑步鞋");
        assert!(q.contains(&"耐克".to_owned()), "{q:?}");
        assert!(q.iter().all(|t| t.chars().count() <= 2), "{q:?}");
        // jieba cuts 跑步 / 鞋: the lone 鞋 goes with its neighbour.
        assert_eq!(query_terms("跑步鞋"), ["跑步", "步鞋"]);
        assert_eq!(query_terms("跑步 鞋"), ["跑步", "鞋"]);
        assert!(query_terms("%_'.*").is_empty());
        assert_eq!(query_terms("100%"), ["100"]);
    }

    #[test]
    fn product_tokens_keep_the_best_field() {
        let t = product_tokens("耐克 跑鞋", &["跑步".to_owned()], &["耐克"]);
        assert_eq!(t.get("耐克"), Some(&Field::Name.weight()));
        assert_eq!(t.get("跑步"), Some(&Field::Keyword.weight()));
    }

    #[test]
    fn prefix_end_is_above_every_extension() {
        assert_eq!(prefix_end("nai").as_deref(), Some("naj"));
        let end = prefix_end("耐").unwrap_or_default();
        assert!("耐克" < end.as_str() && "耐" < end.as_str());
        assert_eq!(prefix_end(""), None);
    }

    #[test]
    fn long_tokens_are_cut() {
        let long = "a".repeat(100);
        assert!(
            tokens(&long)
                .iter()
                .all(|t| t.chars().count() <= MAX_TOKEN_CHARS)
        );
    }
}

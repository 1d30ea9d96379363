//! The flat XML documents of API v2: `<xml><key>value</key>...</xml>`.

use std::collections::BTreeMap;

/// Every field of a message as received, by name. Signatures are verified
/// over this map, so fields unknown to this crate are kept.
pub type RawMap = BTreeMap<String, String>;

/// Bodies larger than this are refused before parsing.
pub const MAX_XML_BYTES: usize = 64 * 1024;

/// Why a body is not an acceptable API v2 document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// Larger than [`MAX_XML_BYTES`].
    #[error("XML body larger than {MAX_XML_BYTES} bytes")]
    TooLarge,
    /// Not UTF-8.
    #[error("XML body is not UTF-8")]
    NotUtf8,
    /// Contains a document type declaration (and so possibly entities).
    #[error("XML with a DTD is refused")]
    Dtd,
    /// Not well-formed, or an unknown entity.
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// The root element is not `<xml>`.
    #[error("the root element must be <xml>")]
    NotXmlRoot,
    /// A field holds elements instead of text.
    #[error("field <{0}> holds nested elements")]
    Nested(String),
    /// A field appears twice.
    #[error("field <{0}> appears more than once")]
    Repeated(String),
    /// Text directly inside `<xml>`.
    #[error("text outside any field")]
    StrayText,
}

/// Parses a flat document into its fields.
pub fn parse(body: &[u8]) -> Result<RawMap, XmlError> {
    if body.len() > MAX_XML_BYTES {
        return Err(XmlError::TooLarge);
    }
    let text = std::str::from_utf8(body).map_err(|_| XmlError::NotUtf8)?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 4096,
    };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => XmlError::Dtd,
        other => XmlError::Malformed(other.to_string()),
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "xml" {
        return Err(XmlError::NotXmlRoot);
    }
    let mut fields = RawMap::new();
    for node in root.children() {
        if node.is_text() {
            if node.text().is_some_and(|t| !t.trim().is_empty()) {
                return Err(XmlError::StrayText);
            }
            continue;
        }
        if !node.is_element() {
            continue; // comments, processing instructions
        }
        let name = node.tag_name().name().to_owned();
        let mut value = String::new();
        for part in node.children() {
            if part.is_element() {
                return Err(XmlError::Nested(name));
            }
            if let Some(t) = part.text().filter(|_| part.is_text()) {
                value.push_str(t);
            }
        }
        if fields.insert(name.clone(), value).is_some() {
            return Err(XmlError::Repeated(name));
        }
    }
    Ok(fields)
}

/// Builds a document; every value goes in CDATA (a `]]>` inside a value is
/// split across two CDATA sections). Keys are field names chosen by code,
/// never by input, and must be plain identifiers.
pub fn build<'a, I>(fields: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut out = String::from("<xml>");
    for (key, value) in fields {
        debug_assert!(
            !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "field name {key:?}"
        );
        out.push('<');
        out.push_str(key);
        out.push_str("><![CDATA[");
        out.push_str(&value.replace("]]>", "]]]]><![CDATA[>"));
        out.push_str("]]></");
        out.push_str(key);
        out.push('>');
    }
    out.push_str("</xml>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_values_with_cdata_terminators_and_markup() {
        let tricky = "a]]>b<c>&amp;d ]]]]> 中文";
        let doc = build([("body", tricky), ("total_fee", "1")]);
        let map = parse(doc.as_bytes()).unwrap_or_default();
        assert_eq!(map.get("body").map(String::as_str), Some(tricky));
        assert_eq!(map.get("total_fee").map(String::as_str), Some("1"));
    }

    #[test]
    fn reads_plain_text_and_cdata_alike() {
        let doc = "<xml>\n <a>1</a>\n <b><![CDATA[two]]></b><!-- c --><c></c></xml>";
        let map = parse(doc.as_bytes()).unwrap_or_default();
        assert_eq!(map.len(), 3);
        assert_eq!(map["a"], "1");
        assert_eq!(map["b"], "two");
        assert_eq!(map["c"], "");
    }

    #[test]
    fn refuses_what_is_not_a_flat_document() {
        let cases: [(&[u8], XmlError); 8] = [
            (
                b"<!DOCTYPE xml [<!ENTITY x \"y\">]><xml><a>&x;</a></xml>",
                XmlError::Dtd,
            ),
            (
                b"<xml><a>&unknown;</a></xml>",
                XmlError::Malformed(String::new()),
            ),
            (b"<xml><a>1</a>", XmlError::Malformed(String::new())),
            (b"<root><a>1</a></root>", XmlError::NotXmlRoot),
            (b"<xml><a><b>1</b></a></xml>", XmlError::Nested("a".into())),
            (
                b"<xml><a>1</a><a>2</a></xml>",
                XmlError::Repeated("a".into()),
            ),
            (b"<xml>stray<a>1</a></xml>", XmlError::StrayText),
            (b"<xml><a>\xff\xfe</a></xml>", XmlError::NotUtf8),
        ];
        for (body, want) in cases {
            let got = parse(body);
            match (&got, &want) {
                (Err(XmlError::Malformed(_)), XmlError::Malformed(_)) => {}
                _ => assert_eq!(got, Err(want), "{}", String::from_utf8_lossy(body)),
            }
        }
        let huge = format!("<xml><a>{}</a></xml>", "x".repeat(MAX_XML_BYTES));
        assert_eq!(parse(huge.as_bytes()), Err(XmlError::TooLarge));
    }

    #[test]
    fn an_entity_expansion_bomb_is_refused() {
        let bomb = concat!(
            "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">",
            "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>",
            "<xml><a>&lol2;</a></xml>"
        );
        assert_eq!(parse(bomb.as_bytes()), Err(XmlError::Dtd));
    }
}

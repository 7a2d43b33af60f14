//! Parsers of single values as the contract writes them: dates typed by their
//! precision, language tags, confidences, and IRIs or prefixed names ([`Prefixes`]).

use std::collections::BTreeMap;
use std::str::FromStr;

use oxigraph::model::{Literal, NamedNode};

use super::records::Date;
use crate::terms::{check_iri, suggestion};
use crate::vocab;

/// Prefix → namespace, for expanding prefixed names: the built-in ones plus a document's.
#[derive(Debug, Clone)]
pub struct Prefixes(BTreeMap<String, String>);

impl Default for Prefixes {
    fn default() -> Self {
        Self(
            vocab::PREFIXES
                .iter()
                .map(|(p, ns)| ((*p).to_owned(), (*ns).to_owned()))
                .collect(),
        )
    }
}

impl Prefixes {
    /// Adds or rebinds a prefix, after checking both halves.
    pub fn bind(&mut self, prefix: &str, namespace: &str) -> Result<(), String> {
        if prefix.is_empty()
            || !prefix.chars().next().is_some_and(char::is_alphabetic)
            || !prefix
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(format!("{prefix:?} is not a valid prefix name"));
        }
        check_iri(namespace)?;
        self.0.insert(prefix.to_owned(), namespace.to_owned());
        Ok(())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(p, n)| (p.as_str(), n.as_str()))
    }

    /// A full IRI (optionally in `<…>`) or a prefixed name, as an IRI.
    pub fn expand(&self, text: &str) -> Result<NamedNode, String> {
        if let Some(inner) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
            return check_iri(inner);
        }
        if let Some((prefix, local)) = text.split_once(':')
            && let Some(namespace) = self.0.get(prefix)
        {
            return check_iri(&format!("{namespace}{local}"));
        }
        // Not a declared prefix: a full IRI, unless it looks like a prefixed name with a
        // typo (`wdd:Q1` is a syntactically valid IRI, but no user means it).
        let (scheme, rest) = text.split_once(':').unwrap_or(("", text));
        let looks_prefixed =
            !rest.starts_with("//") && !NON_HIERARCHICAL_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str());
        if looks_prefixed && !scheme.is_empty() {
            let known: Vec<&str> = self.0.keys().map(String::as_str).collect();
            return Err(format!(
                "unknown prefix `{scheme}:`{}; declare it in `prefixes` or give a full IRI",
                suggestion(scheme, known)
            ));
        }
        check_iri(text)
    }
}

/// IRI schemes written without `//` that are taken as full IRIs rather than prefixes.
const NON_HIERARCHICAL_SCHEMES: [&str; 9] = ["urn", "mailto", "tag", "info", "data", "doi", "did", "tel", "geo"];

/// Parses a date as the contract allows it: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an
/// RFC 3339 date-time (the offset may be left out), typed by its precision.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let expected = "expected YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 date-time such as 2024-06-20T10:30:00Z";
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes.get(range).is_some_and(|b| b.iter().all(u8::is_ascii_digit));
    let shape_ok = |len: usize| {
        digits(0..4)
            && (len < 7 || (bytes[4] == b'-' && digits(5..7)))
            && (len < 10 || (bytes[7] == b'-' && digits(8..10)))
    };
    let invalid = |why: &str| Err(format!("invalid date {text:?}: {why}; {expected}"));
    match bytes.len() {
        4 | 7 | 10 if shape_ok(bytes.len()) => {}
        n if n > 10 && shape_ok(10) && matches!(bytes[10], b'T' | b't' | b' ') => {
            let normal: String = text
                .chars()
                .enumerate()
                .map(|(i, c)| match c {
                    't' | ' ' if i == 10 => 'T',
                    'z' => 'Z',
                    c => c,
                })
                .collect();
            return match oxsdatatypes::DateTime::from_str(&normal) {
                Ok(_) => Ok(Date {
                    lexical: normal,
                    datatype: oxigraph::model::vocab::xsd::DATE_TIME,
                }),
                Err(e) => invalid(&e.to_string()),
            };
        }
        _ => return invalid("not a date"),
    }
    let month_ok = bytes.len() < 7 || (1..=12).contains(&text[5..7].parse::<u8>().unwrap_or(0));
    if !month_ok {
        return invalid("the month must be 01 to 12");
    }
    let (parsed, datatype) = match bytes.len() {
        4 => (
            oxsdatatypes::GYear::from_str(text).map(drop),
            oxigraph::model::vocab::xsd::G_YEAR,
        ),
        7 => (
            oxsdatatypes::GYearMonth::from_str(text).map(drop),
            oxigraph::model::vocab::xsd::G_YEAR_MONTH,
        ),
        _ => (
            oxsdatatypes::Date::from_str(text).map(drop),
            oxigraph::model::vocab::xsd::DATE,
        ),
    };
    match parsed {
        Ok(()) => Ok(Date {
            lexical: text.to_owned(),
            datatype,
        }),
        Err(_) => invalid("no such day in that month"),
    }
}

/// Checks a language tag (BCP 47) and gives its lower-case form.
pub fn parse_language(text: &str) -> Result<String, String> {
    Literal::new_language_tagged_literal("", text)
        .map(|l| l.language().unwrap_or_default().to_owned())
        .map_err(|e| format!("invalid language tag {text:?}: {e}; expected a BCP 47 tag such as en, ko or pt-BR"))
}

/// Validates a confidence: a number from 0 to 1, as a canonical `xsd:decimal`.
pub fn parse_confidence(text: &str) -> Result<String, String> {
    let decimal = oxsdatatypes::Decimal::from_str(text).ok().or_else(|| {
        text.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .and_then(|f| oxsdatatypes::Decimal::from_str(&f.to_string()).ok())
    });
    match decimal {
        Some(d) if d >= oxsdatatypes::Decimal::from(0) && d <= oxsdatatypes::Decimal::from(1) => Ok(d.to_string()),
        Some(_) => Err(format!("{text} is out of range; a confidence is a number from 0 to 1")),
        None => Err(format!(
            "{text:?} is not a number; a confidence is a number from 0 to 1"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_typed_by_precision() -> Result<(), String> {
        assert_eq!(parse_date("2024")?.datatype, oxigraph::model::vocab::xsd::G_YEAR);
        assert_eq!(
            parse_date("2024-03")?.datatype,
            oxigraph::model::vocab::xsd::G_YEAR_MONTH
        );
        assert_eq!(parse_date("2024-02-29")?.datatype, oxigraph::model::vocab::xsd::DATE);
        let date_time = parse_date("2024-06-20t10:30:00z")?;
        assert_eq!(date_time.lexical, "2024-06-20T10:30:00Z");
        assert_eq!(date_time.datatype, oxigraph::model::vocab::xsd::DATE_TIME);
        assert_eq!(
            parse_date("2024-06-20T10:30:00+09:00")?.lexical,
            "2024-06-20T10:30:00+09:00"
        );
        Ok(())
    }

    #[test]
    fn bad_dates_say_why() {
        for (text, why) in [
            ("2023-02-29", "no such day"),
            ("2024-13", "month must be 01 to 12"),
            ("2024-00-10", "month must be 01 to 12"),
            ("24", "not a date"),
            ("June 2024", "not a date"),
            ("2024-06-20T25:00:00Z", "invalid date"),
            ("2024/06/20", "not a date"),
            ("", "not a date"),
            ("２０２４", "not a date"),
        ] {
            let error = parse_date(text).expect_err(text);
            assert!(error.contains(why), "{text}: {error}");
        }
    }

    #[test]
    fn confidences_are_decimals_from_zero_to_one() {
        assert_eq!(parse_confidence("0.90"), Ok("0.9".to_owned()));
        assert_eq!(parse_confidence("1"), Ok("1".to_owned()));
        assert_eq!(parse_confidence("5e-1"), Ok("0.5".to_owned()));
        assert!(parse_confidence("1.5").is_err());
        assert!(parse_confidence("-0.1").is_err());
        assert!(parse_confidence("high").is_err());
        assert!(parse_confidence("NaN").is_err());
    }

    #[test]
    fn prefixed_names_expand_and_unknown_prefixes_are_caught() -> Result<(), String> {
        let prefixes = Prefixes::default();
        assert_eq!(
            prefixes.expand("wd:Q7747")?.as_str(),
            "http://www.wikidata.org/entity/Q7747"
        );
        assert_eq!(prefixes.expand("<urn:x:y>")?.as_str(), "urn:x:y");
        assert_eq!(
            prefixes.expand("https://example.org/a")?.as_str(),
            "https://example.org/a"
        );
        let error = prefixes.expand("wdd:Q1").expect_err("unknown prefix");
        assert!(error.contains("unknown prefix `wdd:` (did you mean `wd`?)"), "{error}");
        assert!(prefixes.expand("not an iri").is_err());
        assert!(prefixes.expand("https://exa mple.org/").is_err());
        Ok(())
    }

    #[test]
    fn language_tags_are_checked_and_lowercased() {
        assert_eq!(parse_language("pt-BR"), Ok("pt-br".to_owned()));
        assert!(parse_language("english language").is_err());
    }
}

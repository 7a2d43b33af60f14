//! GDELT event files: the 2.0 export (61 tab-separated columns, no header) and 1.0 files
//! (58 columns, and 57 in rows from the pre-2013 backfile; one file may mix them).
//!
//! Each event becomes a statement: Actor1 speaks, Actor2 is addressed, the CAMEO event code
//! is the act (the named act that has the code, else the code's own concept), SQLDATE the
//! date, SOURCEURL the source, GLOBALEVENTID the id; QuadClass, GoldsteinScale, the mention
//! counts and AvgTone are kept as `sg:` properties, the action place as `sg:place`. Actors
//! become entities with a stable id from code and name (`USAGOV:BARACK OBAMA`); a country
//! actor is linked to its Wikidata item through `data/countries.tsv`.
//!
//! An event code the act scheme lacks takes its nearest broader code's concept; the
//! statement's summary keeps the code as GDELT wrote it, with the source URL
//! ("GDELT event 046 (Engage in negotiation) reported in https://…"), so that
//! who-said-what-to-whom shows where each event was reported.
//!
//! The action place becomes an entity whose id is made from its GDELT geography type and
//! its FeatureID (`geo:4:-1456928` for Paris), or, where the FeatureID is blank or `0` as
//! in the backfile, from the country code for a country (`geo:1:US`) and else from the
//! name: a FeatureID alone is ambiguous, as `CA` is both Canada and California.
//!
//! By default only verbal events are read (QuadClass 1 and 3: statements, appeals,
//! demands, criticism, threats…); `--all-events` reads every event. A row without Actor1
//! has no speaker and is skipped, counted; a row without Actor2 is a statement to nobody
//! in particular.

use std::collections::HashSet;
use std::io::BufRead;
use std::path::Path;
use std::str::FromStr;

use oxigraph::model::{Literal, NamedNode, Term};

use super::{Document, ImportOptions, Limits, Line, Pos, RawField, RawRecord, RawValue, Sink, read_line, too_long};
use crate::error::{Diagnostics, Error, Result};
use crate::terms::{self, RecordKind};
use crate::vocab::{self, Act};

/// Column positions of the fields read, by file version.
struct Columns {
    action_type: usize,
    action_name: usize,
    action_country: usize,
    action_feature: usize,
    source_url: Option<usize>,
}

const GDELT2: Columns = Columns {
    action_type: 51,
    action_name: 52,
    action_country: 53,
    action_feature: 58,
    source_url: Some(60),
};
const GDELT1: Columns = Columns {
    action_type: 49,
    action_name: 50,
    action_country: 51,
    action_feature: 55,
    source_url: Some(57),
};
const GDELT1_BACKFILE: Columns = Columns {
    source_url: None,
    ..GDELT1
};

const EVENT_ID: usize = 0;
const SQLDATE: usize = 1;
const ACTOR1: usize = 5;
const ACTOR2: usize = 15;
const EVENT_CODE: usize = 26;
const QUAD_CLASS: usize = 29;
const GOLDSTEIN: usize = 30;
const NUM_MENTIONS: usize = 31;
const NUM_SOURCES: usize = 32;
const NUM_ARTICLES: usize = 33;
const AVG_TONE: usize = 34;

/// The ISO 3166-1 alpha-3 codes of countries and their Wikidata items.
fn countries() -> &'static [(&'static str, &'static str)] {
    static TABLE: std::sync::OnceLock<Vec<(&'static str, &'static str)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        include_str!("../../data/countries.tsv")
            .lines()
            .filter(|line| !line.starts_with('#') && !line.starts_with("code\t"))
            .filter_map(|line| {
                let mut cells = line.split('\t');
                Some((cells.next()?, cells.next()?))
            })
            .collect()
    })
}

/// The Wikidata item of a country code, if it is one.
pub fn country_item(code: &str) -> Option<&'static str> {
    countries().iter().find(|(c, _)| *c == code).map(|(_, item)| *item)
}

/// Whether a first line looks like a GDELT event row.
pub(super) fn looks_like(line: &[u8]) -> bool {
    let line = super::strip_bom(line);
    let tabs = line.iter().filter(|&&b| b == b'\t').count();
    matches!(tabs, 56 | 57 | 60) && line.iter().take_while(|&&b| b != b'\t').all(u8::is_ascii_digit)
}

pub(super) fn read(
    mut reader: impl BufRead,
    path: &Path,
    name: String,
    options: ImportOptions,
    limits: Limits,
    diagnostics: &mut Diagnostics,
    sink: &mut dyn Sink,
) -> Result<()> {
    let document = Document {
        name,
        ..Document::default()
    };
    sink.begin(&document, diagnostics);
    let mut importer = Importer {
        options,
        seen: HashSet::new(),
    };
    let mut buffer = Vec::new();
    let mut line = 0u64;
    loop {
        let read = read_line(&mut reader, &mut buffer, limits.max_line).map_err(|e| Error::io(path, e))?;
        line += 1;
        match read {
            Line::End => break,
            Line::Read => {}
            Line::TooLong(length) => {
                diagnostics.error(
                    document.location(Pos::new(line, 1)),
                    "",
                    too_long("a line", length, limits.max_line),
                );
                continue;
            }
        }
        let bytes = buffer.strip_suffix(b"\n").unwrap_or(&buffer);
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let bytes = if line == 1 { super::strip_bom(bytes) } else { bytes };
        if bytes.is_empty() {
            continue;
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            diagnostics.error(
                document.location(Pos::new(line, 1)),
                "",
                "invalid UTF-8; GDELT files are UTF-8",
            );
            continue;
        };
        let cells: Vec<&str> = text.split('\t').collect();
        let columns = match cells.len() {
            61 => &GDELT2,
            58 => &GDELT1,
            57 => &GDELT1_BACKFILE,
            n => {
                diagnostics.error(
                    document.location(Pos::new(line, 1)),
                    "",
                    format!("a GDELT event row has 57, 58 or 61 tab-separated columns; this one has {n}"),
                );
                continue;
            }
        };
        importer.row(&cells, columns, line, &document, diagnostics, sink);
    }
    Ok(())
}

struct Importer {
    options: ImportOptions,
    /// Ids of the actors, places and sources already given, so each is given once.
    seen: HashSet<(RecordKind, String)>,
}

/// Builds a record's fields with their positions (the cell's column number).
struct Fields {
    line: u64,
    fields: Vec<RawField>,
}

impl Fields {
    fn new(line: u64) -> Self {
        Self {
            line,
            fields: Vec::new(),
        }
    }

    fn text(&mut self, name: &str, column: usize, value: impl Into<String>) {
        let pos = Pos::new(self.line, column as u64 + 1);
        self.fields.push(RawField {
            name: name.to_owned(),
            pos,
            value: RawValue::String(value.into()),
            value_pos: pos,
        });
    }

    fn list(&mut self, name: &str, column: usize, values: Vec<String>) {
        let pos = Pos::new(self.line, column as u64 + 1);
        self.fields.push(RawField {
            name: name.to_owned(),
            pos,
            value: RawValue::List(values.into_iter().map(|v| (RawValue::String(v), pos)).collect()),
            value_pos: pos,
        });
    }

    fn record(self, kind: RecordKind, repeatable: bool, extra: Vec<(NamedNode, Term)>) -> RawRecord {
        RawRecord {
            kind,
            pos: Pos::new(self.line, 1),
            fields: self.fields,
            from_csv: true,
            extra,
            repeatable,
        }
    }
}

impl Importer {
    fn row(
        &mut self,
        cells: &[&str],
        columns: &Columns,
        line: u64,
        document: &Document,
        diagnostics: &mut Diagnostics,
        sink: &mut dyn Sink,
    ) {
        let quad_class = cells[QUAD_CLASS];
        if !self.options.all_events && !matches!(quad_class, "1" | "3") {
            sink.skipped("not a verbal event (QuadClass 2 or 4; --all-events keeps them)");
            return;
        }
        let Some(speaker) = self.actor(cells, ACTOR1, line, diagnostics, sink) else {
            sink.skipped("no Actor1, so no speaker");
            return;
        };
        let addressee = self.actor(cells, ACTOR2, line, diagnostics, sink);
        let code = cells[EVENT_CODE];
        // A code the lookup lacks (GDELT writes 129, "veto") takes its nearest broader code.
        let act = [code.len(), 3, 2]
            .into_iter()
            .filter(|&n| n <= code.len())
            .find_map(|n| code.get(..n).and_then(Act::by_cameo));
        let Some(act) = act else {
            diagnostics.error(
                document.location(Pos::new(line, EVENT_CODE as u64 + 1)),
                "EventCode",
                format!("{code:?} is not a CAMEO event code"),
            );
            return;
        };
        let mut fields = Fields::new(line);
        fields.text("id", EVENT_ID, cells[EVENT_ID]);
        fields.text("speaker", ACTOR1, speaker);
        if let Some(addressee) = addressee {
            fields.list("addressees", ACTOR2, vec![addressee]);
        }
        fields.text("act", EVENT_CODE, act.name);
        let url = columns.source_url.map(|c| cells[c]).filter(|u| !u.is_empty());
        let label = act.label().map_or_else(String::new, |label| format!(" ({label})"));
        let summary = match url {
            Some(url) => format!("GDELT event {code}{label} reported in {url}"),
            None => format!("GDELT event {code}{label}; the GDELT backfile names no source"),
        };
        fields.text("summary", EVENT_CODE, summary);
        let date = cells[SQLDATE];
        if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
            fields.text(
                "date",
                SQLDATE,
                format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..]),
            );
        } else {
            fields.text("date", SQLDATE, date);
        }
        if let Some(place) = self.place(cells, columns, line, diagnostics, sink) {
            fields.text("place", columns.action_name, place);
        }
        if let (Some(url), Some(column)) = (url, columns.source_url) {
            self.source(url, column, line, diagnostics, sink);
            fields.text("source", column, url);
        }
        let mut extra = Vec::new();
        let integer = |text: &str| text.parse::<i64>().ok().map(Literal::from);
        let decimal = |text: &str| {
            oxsdatatypes::Decimal::from_str(text)
                .ok()
                .or_else(|| {
                    let double = oxsdatatypes::Double::from_str(text).ok()?;
                    oxsdatatypes::Decimal::try_from(double).ok()
                })
                .map(|d| {
                    // Canonical, with a decimal point so that Turtle writes `3.0`, not `"3"^^xsd:decimal`.
                    let mut text = d.to_string();
                    if !text.contains('.') {
                        text.push_str(".0");
                    }
                    Literal::new_typed_literal(text, oxigraph::model::vocab::xsd::DECIMAL)
                })
        };
        for (column, predicate, value) in [
            (QUAD_CLASS, vocab::sg::QUAD_CLASS, integer(quad_class)),
            (GOLDSTEIN, vocab::sg::GOLDSTEIN_SCALE, decimal(cells[GOLDSTEIN])),
            (NUM_MENTIONS, vocab::sg::NUM_MENTIONS, integer(cells[NUM_MENTIONS])),
            (NUM_SOURCES, vocab::sg::NUM_SOURCES, integer(cells[NUM_SOURCES])),
            (NUM_ARTICLES, vocab::sg::NUM_ARTICLES, integer(cells[NUM_ARTICLES])),
            (AVG_TONE, vocab::sg::AVG_TONE, decimal(cells[AVG_TONE])),
        ] {
            match value {
                Some(value) => extra.push((predicate.into_owned(), value.into())),
                None if cells[column].is_empty() => {}
                None => diagnostics.error(
                    document.location(Pos::new(line, column as u64 + 1)),
                    predicate.as_str().trim_start_matches(vocab::SG),
                    format!("{:?} is not a number", cells[column]),
                ),
            }
        }
        sink.record(fields.record(RecordKind::Statement, false, extra), diagnostics);
    }

    /// The entity of an actor (Actor1 at `at`, or Actor2), given once; its id.
    fn actor(
        &mut self,
        cells: &[&str],
        at: usize,
        line: u64,
        diagnostics: &mut Diagnostics,
        sink: &mut dyn Sink,
    ) -> Option<String> {
        let (code, name, country, group, type1) =
            (cells[at], cells[at + 1], cells[at + 2], cells[at + 3], cells[at + 7]);
        if code.is_empty() && name.is_empty() {
            return None;
        }
        let id = format!("{code}:{name}");
        if !self.seen.insert((RecordKind::Entity, id.clone())) {
            return Some(id);
        }
        let mut fields = Fields::new(line);
        fields.text("id", at, id.as_str());
        let item = (code == country && type1.is_empty() && group.is_empty())
            .then(|| country_item(code))
            .flatten();
        let kind = if item.is_some() {
            "country"
        } else if type1 == "MED" {
            "outlet"
        } else if !group.is_empty() {
            "group"
        } else {
            "other"
        };
        fields.text("type", at, kind);
        fields.text("name", at + 1, if name.is_empty() { code } else { name });
        let mut description = format!("GDELT actor {code}");
        for (what, value) in [("country", country), ("known group", group), ("type", type1)] {
            if !value.is_empty() {
                description.push_str(&format!(", {what} {value}"));
            }
        }
        fields.text("description", at, description);
        if let Some(item) = item {
            fields.list("same_as", at + 2, vec![format!("wd:{item}")]);
        }
        sink.record(fields.record(RecordKind::Entity, true, Vec::new()), diagnostics);
        Some(id)
    }

    /// The entity of the action's place, when GDELT geocoded it; its id.
    fn place(
        &mut self,
        cells: &[&str],
        columns: &Columns,
        line: u64,
        diagnostics: &mut Diagnostics,
        sink: &mut dyn Sink,
    ) -> Option<String> {
        let (geo_type, name) = (cells[columns.action_type], cells[columns.action_name]);
        if matches!(geo_type, "" | "0") || name.trim().is_empty() {
            return None;
        }
        let (feature, country) = (cells[columns.action_feature], cells[columns.action_country]);
        let key = match feature {
            "" | "0" if geo_type == "1" && !country.is_empty() => country,
            "" | "0" => name,
            feature => feature,
        };
        let id = format!("geo:{geo_type}:{key}");
        if self.seen.insert((RecordKind::Entity, id.clone())) {
            let mut fields = Fields::new(line);
            fields.text("id", columns.action_feature, id.as_str());
            fields.text("type", columns.action_type, "place");
            fields.text("name", columns.action_name, name);
            if !country.is_empty() {
                fields.text(
                    "description",
                    columns.action_country,
                    format!("GDELT place in FIPS country {country}"),
                );
            }
            sink.record(fields.record(RecordKind::Entity, true, Vec::new()), diagnostics);
        }
        Some(id)
    }

    /// The source of a URL, given once. A URL that is not a valid IRI keeps its text as
    /// the title instead.
    fn source(&mut self, url: &str, column: usize, line: u64, diagnostics: &mut Diagnostics, sink: &mut dyn Sink) {
        if !self.seen.insert((RecordKind::Source, url.to_owned())) {
            return;
        }
        let mut fields = Fields::new(line);
        fields.text("id", column, url);
        if terms::check_iri(url).is_ok() {
            fields.text("url", column, url);
        } else {
            fields.text("title", column, url);
        }
        sink.record(fields.record(RecordKind::Source, true, Vec::new()), diagnostics);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_find_their_wikidata_items() {
        assert_eq!(country_item("RUS"), Some("Q159"));
        assert_eq!(country_item("PRK"), Some("Q423"));
        assert_eq!(country_item("USAGOV"), None);
        assert!(countries().len() > 240);
    }

    /// Codes GDELT writes that gdeltPyR's CAMEO lookup lacks have concepts of their own,
    /// named as GDELT names them.
    #[test]
    fn every_code_in_the_samples_has_its_own_concept() {
        for (code, label) in [
            ("129", "Veto"),
            ("128", "Defy norms, law"),
            ("1243", "Refuse to release persons or property"),
            ("0256", "Appeal for de-escalation of military engagement"),
            ("046", "Engage in negotiation"),
            ("130", "threaten"),
        ] {
            let act = Act::by_cameo(code).unwrap_or_else(|| panic!("no concept for {code}"));
            assert_eq!((act.cameo, act.label()), (Some(code), Some(label)));
        }
    }

    #[test]
    fn rows_are_recognised_by_shape() {
        let row2 = format!("588604779\t20151014{}", "\tx".repeat(59));
        assert!(looks_like(row2.as_bytes()));
        assert!(!looks_like(b"id,type,name"));
        assert!(!looks_like(format!("abc{}", "\tx".repeat(60)).as_bytes()));
    }
}

//! The named-query library: the queries of `queries/`, compiled in, with what their
//! header comments say (a summary and the parameters); and [`QueryText`], which query a
//! run asks for (by name, from a file, inline) and how its text is read.

use crate::error::{Error, Result};
use crate::terms;

use super::guards::MAX_QUERY_BYTES;

/// A query of the library in `queries/`, compiled in.
#[derive(Debug, Clone, Copy)]
pub struct NamedQuery {
    pub name: &'static str,
    pub text: &'static str,
}

macro_rules! named_queries {
    ($($name:literal),* $(,)?) => {
        /// Every query of `queries/`, by name.
        pub const NAMED_QUERIES: &[NamedQuery] = &[
            $(NamedQuery { name: $name, text: include_str!(concat!("../../queries/", $name, ".rq")) }),*
        ];
    };
}

named_queries!(
    "who-said-what-to-whom",
    "statements-by",
    "statements-about",
    "statements-by-party",
    "replies",
    "timeline",
    "stance-on",
    "interaction-matrix",
    "linked-entities",
    "quotes",
    "acts",
    "entity",
    "datasets",
    "relations",
);

impl NamedQuery {
    pub fn find(name: &str) -> Result<&'static Self> {
        let name = name.strip_suffix(".rq").unwrap_or(name);
        NAMED_QUERIES
            .iter()
            .find(|q| q.name == name)
            .ok_or_else(|| Error::UnknownQuery {
                name: name.to_owned(),
                hint: terms::suggestion(name, NAMED_QUERIES.iter().map(|q| q.name)),
            })
    }

    /// The header comment's first sentence: what the query answers.
    pub fn summary(&self) -> &'static str {
        self.header().next().unwrap_or_default()
    }

    /// The parameters the header declares: name and description.
    pub fn parameters(&self) -> Vec<(&'static str, &'static str)> {
        let mut in_parameters = false;
        let mut parameters = Vec::new();
        for line in self.header() {
            if let Some(rest) = line.strip_prefix("Parameters:") {
                in_parameters = rest.trim() != "none";
                continue;
            }
            if in_parameters && !line.is_empty() {
                let (name, description) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                parameters.push((name, description.trim()));
            }
        }
        parameters
    }

    /// The lines of the opening comment block, without `#` and surrounding spaces.
    fn header(&self) -> impl Iterator<Item = &'static str> {
        self.text
            .lines()
            .map_while(|line| line.strip_prefix('#'))
            .map(str::trim)
    }
}

/// Which query to run.
#[derive(Debug, Clone)]
pub enum QueryText {
    Named(String),
    File(std::path::PathBuf),
    Inline(String),
}

impl QueryText {
    /// The query's text and a name for messages.
    pub fn load(&self) -> Result<(String, String)> {
        match self {
            Self::Named(name) => {
                let query = NamedQuery::find(name)?;
                Ok((query.text.to_owned(), format!("queries/{}.rq", query.name)))
            }
            Self::File(path) => {
                use std::io::Read;
                let mut bytes = Vec::new();
                std::fs::File::open(path)
                    .and_then(|file| file.take(MAX_QUERY_BYTES + 1).read_to_end(&mut bytes))
                    .map_err(|e| Error::io(path, e))?;
                if bytes.len() as u64 > MAX_QUERY_BYTES {
                    return Err(Error::io(
                        path,
                        std::io::Error::new(
                            std::io::ErrorKind::FileTooLarge,
                            format!("a query longer than {MAX_QUERY_BYTES} bytes; is this a query file?"),
                        ),
                    ));
                }
                let text = String::from_utf8(bytes).map_err(|e| {
                    Error::io(
                        path,
                        std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            format!(
                                "invalid UTF-8 at byte {}; a query is UTF-8 text",
                                e.utf8_error().valid_up_to()
                            ),
                        ),
                    )
                })?;
                Ok((text, path.display().to_string()))
            }
            Self::Inline(text) => Ok((text.clone(), "query".to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_named_queries_suggest_close_names() {
        let error = NamedQuery::find("statements-bye")
            .expect_err("no such query")
            .to_string();
        assert!(error.contains("did you mean `statements-by`"), "{error}");
    }
}

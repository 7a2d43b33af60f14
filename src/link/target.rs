//! Where candidates come from ([`Target`]) and reading it into a [`TargetIndex`]: RDF
//! files through [`crate::store::read_quads`], SPARQL endpoints through the polite client
//! of [`super::polite`], asking only what [`super::endpoint`] says linking needs. All of
//! linking's I/O is here and there: the names, types and classes before matching, and
//! later, for the candidates context must decide between, what they point to.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::endpoint::{Profile, RESOURCES_PER_QUERY, context_query};
use super::index::TargetIndex;
use super::polite::{FetchOptions, Polite};
use crate::error::Result;

/// Where candidates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An RDF file, plain or compressed.
    File(PathBuf),
    /// A SPARQL endpoint, with the predicates it uses.
    Endpoint(Profile),
}

impl Target {
    /// `http://` and `https://` are endpoints; `wikidata` and `dbpedia` the presets (at
    /// their public endpoints, or `wikidata=URL` at another); anything else a file.
    pub fn parse(text: &str) -> Self {
        let lower = text.to_ascii_lowercase();
        let (name, url) = match text.split_once('=') {
            Some((name, url)) => (name, Some(url)),
            None => (text, None),
        };
        if let Some(profile) = Profile::preset(name, url) {
            Self::Endpoint(profile)
        } else if lower.starts_with("http://") || lower.starts_with("https://") {
            Self::Endpoint(Profile::generic(text))
        } else {
            Self::File(PathBuf::from(text))
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Endpoint(profile) => f.write_str(&profile.url),
        }
    }
}

/// What reading the target took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexStats {
    pub triples: usize,
    pub labels: usize,
    pub resources: usize,
    pub elapsed: Duration,
}

impl TargetIndex {
    /// Reads every file target into one index, and readies the endpoints, which are
    /// asked later, for the entities at hand ([`Self::fetch_for`]). Labels in other
    /// languages than `fetch.languages` are left out; `endpoint_languages` are those
    /// asked of endpoints when `fetch.languages` is `None`.
    pub fn build(
        targets: &[Target],
        fetch: &FetchOptions,
        endpoint_languages: Vec<String>,
    ) -> Result<(Self, IndexStats)> {
        let start = Instant::now();
        let mut index = Self {
            languages: fetch
                .languages
                .as_ref()
                .map(|l| l.iter().map(|l| l.to_ascii_lowercase()).collect()),
            ..Self::default()
        };
        for target in targets {
            match target {
                Target::File(path) => {
                    crate::store::read_quads(path, |quad| {
                        index.add(quad.subject.as_ref(), quad.predicate.as_ref(), quad.object.as_ref());
                        Ok(())
                    })?;
                }
                Target::Endpoint(profile) => index.endpoints.push(profile.clone()),
            }
        }
        if !index.endpoints.is_empty() {
            let mut fetch = fetch.clone();
            fetch.languages = Some(index.languages.clone().unwrap_or(endpoint_languages));
            index.client = Some(Polite::new(fetch)?);
        }
        index.finish();
        let stats = IndexStats {
            triples: index.triples,
            labels: index.labels.len(),
            resources: index.resources.len(),
            elapsed: start.elapsed(),
        };
        Ok((index, stats))
    }

    /// Fetches, from the endpoints, what the given resources point to, once each.
    pub(super) fn fetch_context(&mut self, resources: &BTreeSet<u32>) -> Result<()> {
        let Some(client) = self.client.take() else {
            return Ok(());
        };
        let wanted: Vec<String> = resources
            .iter()
            .filter(|r| !self.fetched.contains(r))
            .map(|&r| self.iris.iri(r).to_owned())
            .collect();
        let queries: Vec<String> = wanted.chunks(RESOURCES_PER_QUERY).map(context_query).collect();
        let mut result = Ok(());
        for profile in self.endpoints.clone() {
            match client.select_all(&profile.url, &queries) {
                Ok(answers) => self.add_rows(answers),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.client = Some(client);
        result?;
        for iri in &wanted {
            if let Some(id) = self.iris.get(iri) {
                self.fetched.insert(id);
            }
        }
        self.context.sort_unstable();
        self.context.dedup();
        Ok(())
    }
}

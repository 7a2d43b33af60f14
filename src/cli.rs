//! The command line, as clap derives it. No logic here: `main.rs` turns these flags into
//! the library's options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use oxigraph::io::RdfFormat;
use saidgraph::ResultsFormat;

/// Turn a knowledge base of who said what to whom into linked data: validate it, map it to
/// RDF, export it, query it with SPARQL.
#[derive(Debug, Parser)]
#[command(name = "saidgraph", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Convert inputs to RDF in one step.
    Convert {
        /// Input files: .json, .jsonl, a folder of CSV tables, GDELT event files, Quotebank
        /// quotations (recognised by shape), or - for standard input.
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
        #[command(flatten)]
        read: ReadArgs,
        #[command(flatten)]
        rdf: RdfOutputArgs,
        /// Triple order: `sorted` (the whole graph in memory), `input` (streamed, one block
        /// per record; JSON Lines, CSV, GDELT and Quotebank to nt, nq or ttl), or `auto`:
        /// sorted up to 8 MiB of input, streamed above.
        #[arg(long, value_enum, default_value = "auto", value_name = "ORDER")]
        order: OrderArg,
    },
    /// Validate inputs and add them to an on-disk store (created if absent), all or nothing.
    Load {
        /// Input files: .json, .jsonl, a folder of CSV tables, GDELT event files, Quotebank
        /// quotations (recognised by shape), or - for standard input.
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
        /// The store's folder.
        #[arg(long, value_name = "DIR")]
        store: PathBuf,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Write the whole graph of a store or of inputs.
    Export {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        read: ReadArgs,
        /// Merge another graph into the output: an RDF file in any format, plain or .gz/.bz2/.zst;
        /// repeat for several.
        #[arg(long = "with", value_name = "FILE")]
        with: Vec<PathBuf>,
        #[command(flatten)]
        rdf: RdfOutputArgs,
    },
    /// Run a SPARQL query: a named one, a file, or inline text. SERVICE clauses reach remote
    /// SPARQL endpoints.
    Query {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        read: ReadArgs,
        /// Load another graph beside the data (in a named graph of its own) so that queries
        /// can join through owl:sameAs: an RDF file in any format, plain or .gz/.bz2/.zst; repeat
        /// for several.
        #[arg(long = "with", value_name = "FILE")]
        with: Vec<PathBuf>,
        /// A named query from the library (`saidgraph queries` lists them).
        #[arg(value_name = "NAME", required_unless_present_any = ["file", "expression"], conflicts_with_all = ["file", "expression"])]
        name: Option<String>,
        /// Read the query from a file.
        #[arg(
            short = 'q',
            long = "query-file",
            value_name = "FILE.rq",
            conflicts_with = "expression"
        )]
        file: Option<PathBuf>,
        /// The query's text.
        #[arg(short = 'e', long = "expression", value_name = "SPARQL")]
        expression: Option<String>,
        /// Return at most N results (the first page), as a LIMIT around the whole query.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Bind ?NAME to VALUE: <IRI>, prefix:local, an id the graph knows, or else a string.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// Results format: table (default on a terminal), csv (default otherwise), tsv, json,
        /// xml; for CONSTRUCT and DESCRIBE, an RDF format.
        #[arg(short = 'r', long = "results-format", value_name = "FORMAT", value_parser = crate::options::results_format_named)]
        results_format: Option<ResultsFormat>,
        /// Write results to this file instead of standard output.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Link entities to another knowledge graph with owl:sameAs, by name, type and context;
    /// ambiguous and weak matches go to a review report instead.
    Link {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        read: ReadArgs,
        /// The graph to find candidates in: an RDF file in any format, plain or .gz/.bz2/.zst, a
        /// SPARQL endpoint's http(s) URL, or a preset: wikidata (query.wikidata.org, rdfs:label,
        /// skos:altLabel, wdt:P31) or dbpedia (dbpedia.org, rdfs:label, rdf:type), also as
        /// wikidata=URL for a mirror; repeat for several. Endpoints are asked only about the
        /// entities' names and candidates, in small batches.
        #[arg(long = "target", required = true, value_name = "FILE_OR_URL")]
        targets: Vec<String>,
        /// Match only labels in these languages (exact tags, comma-separated; labels without
        /// a language always match) [default: every language in files; for endpoints en,
        /// mul and the languages of the knowledge base's quotations].
        #[arg(long, value_name = "LANGS", value_delimiter = ',')]
        lang: Option<Vec<String>>,
        /// At most this many requests to endpoints at once.
        #[arg(long, value_name = "N", default_value_t = 2)]
        max_requests_in_flight: usize,
        /// How long one request to an endpoint may take, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 60)]
        request_timeout: u64,
        /// Keep the endpoints' answers in this folder, so that a rerun asks nothing again.
        #[arg(long, value_name = "DIR")]
        cache: Option<PathBuf>,
        /// The lowest name score a link may have: 1 the same name, 0.95 up to case and
        /// accents, 0.9 without titles and suffixes, 0.85 first and last name, 0.8 with a
        /// nickname expanded; 0.05 less for an alias.
        #[arg(long, value_name = "S", default_value_t = 0.8)]
        min_score: f64,
        /// How far the best candidate must lead the next one; closer candidates are
        /// ambiguous.
        #[arg(long, value_name = "M", default_value_t = 0.1)]
        margin: f64,
        /// Format of the links: turtle (ttl), ntriples (nt), nquads (nq), trig, rdfxml (rdf),
        /// jsonld [default: from the -o extension, else turtle].
        #[arg(short = 'f', long, value_name = "FORMAT", value_parser = crate::options::rdf_format_named)]
        format: Option<RdfFormat>,
        /// Write the links to this file (atomically) instead of standard output.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Write the entities left for a person to decide (ambiguous, weak, untyped), with
        /// their candidates and scores, to this CSV file.
        #[arg(long, value_name = "FILE.csv")]
        report: Option<PathBuf>,
        /// Add the accepted links to the store (needs --store) instead of printing them; -o
        /// still writes them to a file.
        #[arg(long, requires = "store")]
        apply: bool,
    },
    /// Send datasets to another triple store, each replaced whole in its own named graph (the
    /// same IRI as here), atomically where the server allows, and checked there by COUNT.
    Push {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        read: ReadArgs,
        #[command(flatten)]
        push: PushArgs,
    },
    /// List the named queries, with what each answers and its parameters.
    Queries,
    /// Check inputs and report every problem; writes nothing.
    Validate {
        /// Input files: .json, .jsonl, a folder of CSV tables, GDELT event files, Quotebank
        /// quotations (recognised by shape), or - for standard input.
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
        #[command(flatten)]
        read: ReadArgs,
    },
}

/// Where and how `push` sends.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// The server: for virtuoso http://HOST:8890, oxigraph http://HOST:7878, fuseki
    /// http://HOST:3030/DATASET, graphdb http://HOST:7200/repositories/ID, generic its SPARQL
    /// endpoint (queries and updates).
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Only these datasets of the store; for inputs, the dataset they go in (once for all,
    /// or once per input) [default: each input's file stem].
    #[arg(long = "graph", value_name = "NAME")]
    pub graphs: Vec<String>,
    /// The server's endpoint layout: virtuoso (/sparql-graph-crud-auth, /sparql-auth, Digest
    /// auth; tested), oxigraph (/store, /update, /query; tested), fuseki (/data, /update,
    /// /query; not tested here), graphdb (/rdf-graphs/service, /statements; not tested
    /// here), generic (SPARQL Update to --to).
    #[arg(long, value_name = "NAME", default_value = "generic", value_parser = crate::options::preset_named)]
    pub preset: saidgraph::Preset,
    /// How the data goes: gsp (Graph Store protocol POSTs; the default where the preset
    /// has it) or update (INSERT DATA).
    #[arg(long, value_enum, value_name = "PROTOCOL")]
    pub protocol: Option<ProtocolArg>,
    /// The user name, for a password.
    #[arg(long, value_name = "USER", requires = "password_env")]
    pub user: Option<String>,
    /// The environment variable holding the password (never the password itself).
    #[arg(long, value_name = "VAR", requires = "user", conflicts_with = "token_env")]
    pub password_env: Option<String>,
    /// The environment variable holding a Bearer token.
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// Triples per request [default: 50000 by gsp, 1000 by update].
    #[arg(long, value_name = "TRIPLES")]
    pub chunk: Option<usize>,
    /// Skip datasets the server already holds: the same content hash recorded there and
    /// the same COUNT.
    #[arg(long)]
    pub if_changed: bool,
    /// Say what would be sent where; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// How long one request may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub request_timeout: u64,
}

/// How to read inputs.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Base IRI for minted IRIs, overriding the inputs' `base` [default: https://kb.example.org/].
    #[arg(long, value_name = "IRI")]
    pub base: Option<String>,
    /// Input format, instead of guessing from the name and first line (needed for
    /// standard input).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormatArg>,
    /// GDELT: import every event, not only the verbal ones (QuadClass 1 and 3).
    #[arg(long)]
    pub all_events: bool,
    /// Quotebank: keep quotations whose speaker is "None", as said by `unattributed`.
    #[arg(long)]
    pub keep_unattributed: bool,
    /// The longest line of JSON Lines, GDELT and Quotebank inputs, and the longest CSV
    /// row, in bytes (K, M, G allowed); a longer one is an error.
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = saidgraph::parse_size)]
    pub max_line: u64,
    /// The largest JSON document, in bytes (K, M, G allowed); larger knowledge bases
    /// belong in JSON Lines, which are streamed.
    #[arg(long, value_name = "SIZE", default_value = "256M", value_parser = saidgraph::parse_size)]
    pub max_document: u64,
}

/// A store or inputs: where a command's graph comes from.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct DataArgs {
    /// An on-disk store made by `saidgraph load`.
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// An input to read instead of a store, in memory for this run; repeat for several.
    #[arg(short = 'i', long = "input", value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
}

/// Where and how to write RDF.
#[derive(Debug, Args)]
pub struct RdfOutputArgs {
    /// RDF format: turtle (ttl), ntriples (nt), nquads (nq), trig, rdfxml (rdf), jsonld
    /// [default: from the -o extension, else turtle].
    #[arg(short = 'f', long, value_name = "FORMAT", value_parser = crate::options::rdf_format_named)]
    pub format: Option<RdfFormat>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Add the ontology (classes, properties, the act scheme) to the data.
    #[arg(long)]
    pub with_ontology: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProtocolArg {
    Gsp,
    Update,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OrderArg {
    Auto,
    Sorted,
    Input,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum InputFormatArg {
    Json,
    Jsonl,
    Csv,
    Gdelt,
    Quotebank,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}

//! The command line, as clap derives it. No logic here: `main.rs` turns these flags into
//! the library's options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use oxigraph::io::RdfFormat;
use saidgraph::{NetworkFormat, RdfVersion, ResultsFormat};

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
        /// For TriG and N-Quads: put every input in the graph of one dataset of this name
        /// (BASE graph/NAME) instead of each in its own, as `load --graph NAME` would.
        #[arg(long, value_name = "NAME")]
        graph: Option<String>,
        /// Triple order: `sorted` (the whole graph in memory), `input` (streamed, one block
        /// per record; JSON Lines, CSV, GDELT and Quotebank to nt, nq or ttl), or `auto`:
        /// sorted up to 8 MiB of input, streamed above.
        #[arg(long, value_enum, default_value = "auto", value_name = "ORDER")]
        order: OrderArg,
    },
    /// Validate inputs and load them into an on-disk store (created if absent), all or
    /// nothing: each input is a dataset, in a named graph of its own, named after its file
    /// (a folder by its name, standard input `stdin`); a dataset the store holds is replaced.
    Load {
        /// Input files: .json, .jsonl, a folder of CSV tables, GDELT event files, Quotebank
        /// quotations (recognised by shape), or - for standard input.
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
        /// The store's folder.
        #[arg(long, value_name = "DIR")]
        store: PathBuf,
        /// Load every input into one dataset of this name (graph BASE graph/NAME), replacing
        /// the store's dataset of that name.
        #[arg(long, value_name = "NAME")]
        graph: Option<String>,
        /// Leave a dataset as it is when its inputs' bytes (SHA-256) are those the store
        /// recorded, and say so.
        #[arg(long)]
        if_changed: bool,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// List the datasets of a store: name, graph, when and by which saidgraph each was
    /// loaded, its records and triples, and its inputs with their sizes and SHA-256.
    Graphs {
        /// The store's folder.
        #[arg(long, value_name = "DIR")]
        store: PathBuf,
        /// Results format: table (default on a terminal), csv (default otherwise), tsv, json,
        /// xml.
        #[arg(short = 'r', long = "results-format", value_name = "FORMAT", value_parser = crate::options::results_format_named)]
        results_format: Option<ResultsFormat>,
    },
    /// Remove datasets from a store, all or none. Refused when records of other datasets
    /// refer to theirs (the first few are listed), unless --force.
    Drop {
        /// The store's folder.
        #[arg(long, value_name = "DIR")]
        store: PathBuf,
        /// The datasets to remove, by name (`saidgraph graphs` lists them).
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
        /// Drop even when other datasets refer to the records, leaving their references
        /// dangling.
        #[arg(long)]
        force: bool,
    },
    /// Write the whole graph of a store or of inputs. TriG and N-Quads keep each dataset in
    /// its graph (a store's metadata graph too); other formats write the union.
    Export {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        read: ReadArgs,
        /// Export this dataset alone.
        #[arg(long = "graph", value_name = "NAME")]
        dataset: Option<String>,
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
        /// Query the data as RDF 1.2: each relation's node also reifies the triple it asserts,
        /// for SPARQL 1.2's `<< ?s ?p ?o ~ ?relation >>` (the `relations` query needs it). A
        /// store is then copied into memory.
        #[arg(long = "rdf", value_name = "VERSION", default_value = "1.1", value_parser = crate::options::rdf_version_named)]
        rdf: RdfVersion,
        /// Also write the plan Oxigraph evaluated, with the number of rows each step
        /// produced, to this file as JSON: where a slow query spends its reads. The query is
        /// then evaluated whole, even a first page that would otherwise read only its first
        /// dates or labels (`# First page:` in its header).
        #[arg(long, value_name = "FILE.json")]
        explain: Option<PathBuf>,
    },
    /// Draw who talks to whom: speakers and addressees as nodes, one edge per speaker,
    /// addressee and act, weighted by statements, coloured by CAMEO family. HTML (a page
    /// that works offline), SVG, GEXF (Gephi), GraphML, CSV (Kumu, Flourish) or DOT
    /// (Graphviz); the layout is saidgraph's own, so the same data gives the same bytes.
    Network {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        read: ReadArgs,
        /// Load another graph beside the data (in a named graph of its own): an RDF file in
        /// any format, plain or .gz/.bz2/.zst; repeat for several.
        #[arg(long = "with", value_name = "FILE")]
        with: Vec<PathBuf>,
        /// html, svg, gexf, graphml, csv or dot [default: from the -o extension].
        #[arg(short = 'f', long, value_name = "FORMAT", value_parser = crate::options::network_format_named)]
        format: Option<NetworkFormat>,
        /// Write to this file (atomically) instead of standard output. For CSV, net.csv writes
        /// net-nodes.csv and net-edges.csv; CSV on standard output is the edge list alone.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        filters: NetworkFilterArgs,
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
    /// Serve a store (or inputs) read-only: the SPARQL 1.1 Protocol at /sparql, the Graph
    /// Store Protocol for reading at /store, the named queries at /queries, a page for
    /// people at /, and the network (who talks to whom) at /network and /network.json,
    /// with the filters of `network` as parameters. Stops on Ctrl-C (SIGINT) or SIGTERM.
    Serve {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        read: ReadArgs,
        /// The address to listen on; one beyond loopback is warned about (the endpoint has no
        /// authentication). Port 0 lets the system choose.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7878")]
        bind: std::net::SocketAddr,
        /// How long a query may run (30s, 500ms, 2m); one out of time is stopped and answered
        /// 504.
        #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::options::duration_named)]
        timeout: std::time::Duration,
        /// The most solutions or triples in one response; a longer answer is cut, and the
        /// response says so in its Saidgraph-Truncated header.
        #[arg(long, value_name = "N", default_value_t = 10_000)]
        max_results: usize,
        /// The most queries evaluated at once; more wait in line (first come, first served)
        /// for up to --queue-wait.
        #[arg(long, value_name = "N", default_value_t = 8)]
        max_concurrent: usize,
        /// How long a query waits for a free slot before it is answered 503 with Retry-After;
        /// the wait comes before, not out of, its --timeout.
        #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = crate::options::duration_named)]
        queue_wait: std::time::Duration,
        /// The largest request body accepted (K, M allowed); larger ones are answered 413.
        #[arg(long, value_name = "SIZE", default_value = "1M", value_parser = saidgraph::parse_size)]
        max_body: u64,
        /// Let pages from this origin (or * for any) read the responses (CORS).
        #[arg(long, value_name = "ORIGIN")]
        cors: Option<String>,
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
    /// Triples per request [default: 50000 by gsp, 1000 by update; on Oxigraph by gsp,
    /// the whole dataset in one atomic PUT].
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

/// Which statements `network` draws, and how many edges it keeps.
#[derive(Debug, Args)]
pub struct NetworkFilterArgs {
    /// Only statements dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only statements dated on or before DATE, at its precision (2024-06 keeps June).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only statements about this entity (an id, prefixed name or <IRI>); repeat for any
    /// of several.
    #[arg(long = "topic", value_name = "ID")]
    pub topics: Vec<String>,
    /// Only statements with this act: a name (warn), a CAMEO code (046) or a family
    /// (verbal-cooperation, material-cooperation, verbal-conflict, material-conflict,
    /// other); repeat for any of several.
    #[arg(long = "act", value_name = "ACT")]
    pub acts: Vec<String>,
    /// Only statements by this speaker (an id, prefixed name or <IRI>); repeat for any of
    /// several.
    #[arg(long = "speaker", value_name = "ID")]
    pub speakers: Vec<String>,
    /// Only statements in this dataset (the named graph BASE graph/NAME); repeat for any
    /// of several.
    #[arg(long = "dataset", value_name = "NAME")]
    pub datasets: Vec<String>,
    /// Leave out edges with fewer statements than N.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_weight: u64,
    /// Keep only the N heaviest edges [default: 300 for html and svg, all for the others;
    /// 0 keeps all].
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
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
    /// RDF version: 1.1, or 1.2, which adds to each relation's node the triple it asserts as
    /// a triple term (`relation:r1 rdf:reifies <<( entity:a sg:memberOf entity:b )>>`); not
    /// for jsonld.
    #[arg(long = "rdf", value_name = "VERSION", default_value = "1.1", value_parser = crate::options::rdf_version_named)]
    pub rdf: RdfVersion,
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

//! The second stage of the command line: raw clap flags turned into the library's
//! options, checked before any work starts.

use std::io::IsTerminal;
use std::path::PathBuf;

use oxigraph::io::RdfFormat;
use oxigraph::sparql::results::QueryResultsFormat;
use saidgraph::commands::DataSource;
use saidgraph::{
    ImportOptions, InputFormat, InputSpec, Limits, NetworkFormat, NetworkOptions, Order, Output, QueryText, RdfVersion,
    ReadOptions, ResultsFormat, choose_format, parse_format,
};

use saidgraph::{Credentials, Error, Preset, Protocol, PushOptions, Secret};

use crate::cli::{
    DataArgs, InputFormatArg, NetworkFilterArgs, OrderArg, ProtocolArg, PushArgs, RdfOutputArgs, ReadArgs,
};

pub fn order(arg: OrderArg) -> Order {
    match arg {
        OrderArg::Auto => Order::Auto,
        OrderArg::Sorted => Order::Sorted,
        OrderArg::Input => Order::Input,
    }
}

/// The query named, read from a file, or given inline (clap requires exactly one).
pub fn query_text(name: Option<String>, file: Option<PathBuf>, expression: Option<String>) -> QueryText {
    match (name, file, expression) {
        (Some(name), _, _) => QueryText::Named(name),
        (_, Some(file), _) => QueryText::File(file),
        (_, _, Some(text)) => QueryText::Inline(text),
        _ => unreachable!("clap requires one of NAME, -q, -e"),
    }
}

/// `-r`: a results format by name (`table`, `csv`, `tsv`, `json`, `xml`, or an RDF format
/// for CONSTRUCT and DESCRIBE), any case.
pub fn results_format_named(name: &str) -> Result<ResultsFormat, String> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "table" => ResultsFormat::Table,
        "csv" => ResultsFormat::W3c(QueryResultsFormat::Csv),
        "tsv" => ResultsFormat::W3c(QueryResultsFormat::Tsv),
        "json" => ResultsFormat::W3c(QueryResultsFormat::Json),
        "xml" => ResultsFormat::W3c(QueryResultsFormat::Xml),
        other => match parse_format(other) {
            Some(format) => ResultsFormat::Rdf(format),
            None => {
                return Err(format!(
                    "unknown results format {name:?}; expected table, csv, tsv, json or xml"
                ));
            }
        },
    })
}

/// `-f`: an RDF format by the contract's names (`turtle`/`ttl`, `ntriples`/`nt`, …).
pub fn rdf_format_named(name: &str) -> Result<RdfFormat, String> {
    parse_format(name).ok_or_else(|| {
        format!("unknown RDF format {name:?}; expected turtle, ntriples, nquads, trig, rdfxml or jsonld")
    })
}

/// `--rdf`: `1.1` or `1.2`.
pub fn rdf_version_named(name: &str) -> Result<RdfVersion, String> {
    RdfVersion::parse(name).ok_or_else(|| format!("unknown RDF version {name:?}; expected 1.1 or 1.2"))
}

/// `network -f`: a network format by name, any case.
pub fn network_format_named(name: &str) -> Result<NetworkFormat, String> {
    NetworkFormat::parse(name)
        .ok_or_else(|| format!("unknown network format {name:?}; expected html, svg, gexf, graphml, csv or dot"))
}

/// `network`'s filter flags as the library's options.
pub fn network_options(filters: NetworkFilterArgs) -> NetworkOptions {
    NetworkOptions {
        from: filters.from,
        to: filters.to,
        topics: filters.topics,
        acts: filters.acts,
        speakers: filters.speakers,
        datasets: filters.datasets,
        min_weight: filters.min_weight,
        top: filters.top,
    }
}

/// The results format asked for, else a table on a terminal and CSV otherwise.
pub fn results_format(asked: Option<ResultsFormat>, output: &Output) -> ResultsFormat {
    match asked {
        Some(format) => format,
        None if *output == Output::Stdout && std::io::stdout().is_terminal() => ResultsFormat::Table,
        None => ResultsFormat::W3c(QueryResultsFormat::Csv),
    }
}

fn input_format(arg: Option<InputFormatArg>) -> Option<InputFormat> {
    arg.map(|f| match f {
        InputFormatArg::Json => InputFormat::Json,
        InputFormatArg::Jsonl => InputFormat::Jsonl,
        InputFormatArg::Csv => InputFormat::Csv,
        InputFormatArg::Gdelt => InputFormat::Gdelt,
        InputFormatArg::Quotebank => InputFormat::Quotebank,
    })
}

fn specs(paths: Vec<PathBuf>, read: &ReadArgs) -> Vec<InputSpec> {
    let format = input_format(read.input_format);
    let import = ImportOptions {
        all_events: read.all_events,
        keep_unattributed: read.keep_unattributed,
    };
    let limits = Limits {
        max_line: read.max_line,
        max_document: read.max_document,
    };
    paths
        .into_iter()
        .map(|path| InputSpec {
            format,
            import,
            limits,
            ..InputSpec::new(path)
        })
        .collect()
}

pub fn read_options(paths: Vec<PathBuf>, read: &ReadArgs) -> (Vec<InputSpec>, ReadOptions) {
    (
        specs(paths, read),
        ReadOptions {
            base: read.base.clone(),
            graph: None,
        },
    )
}

pub fn data_source(data: DataArgs, read: &ReadArgs) -> DataSource {
    match data.store {
        Some(store) => DataSource::Store(store),
        None => {
            let (inputs, options) = read_options(data.inputs, read);
            DataSource::Inputs(inputs, options)
        }
    }
}

/// `--timeout`: a duration such as `30s`, `500ms`, `2m`, or a number of seconds.
pub fn duration_named(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let scale = match unit.trim() {
        "ms" => 0.001,
        "s" | "" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {text:?}; expected ms, s, m or h (30s, 500ms, 2m)"
            ));
        }
    };
    number
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n > 0.0)
        .map(|n| std::time::Duration::from_secs_f64(n * scale))
        .ok_or_else(|| format!("{text:?} is not a duration; expected a positive number and a unit (30s, 500ms, 2m)"))
}

pub fn rdf_output(rdf: &RdfOutputArgs) -> (RdfFormat, Output) {
    let output = Output::from_option(rdf.output.as_deref());
    (choose_format(rdf.format, output.path()), output)
}

/// `--preset`: a push target's kind by name.
pub fn preset_named(name: &str) -> Result<Preset, String> {
    Preset::named(name)
        .ok_or_else(|| format!("unknown preset {name:?}; expected virtuoso, oxigraph, fuseki, graphdb or generic"))
}

/// A secret from the environment variable `variable`, which must be set.
fn secret(variable: &str) -> Result<Secret, Error> {
    match std::env::var(variable) {
        Ok(value) if !value.is_empty() => Ok(Secret::new(value)),
        _ => Err(Error::Usage(format!(
            "the environment variable {variable} is not set (or empty); it should hold the secret"
        ))),
    }
}

/// The flags of `push` as options, with the secret read from its environment variable.
pub fn push_options(flags: PushArgs) -> Result<PushOptions, Error> {
    let credentials = match (flags.user, flags.password_env, flags.token_env) {
        (Some(user), Some(variable), _) => Credentials::Password {
            secret: secret(&variable)?,
            user,
            variable,
        },
        (_, _, Some(variable)) => Credentials::Token {
            secret: secret(&variable)?,
            variable,
        },
        _ => Credentials::None,
    };
    Ok(PushOptions {
        to: flags.to,
        preset: flags.preset,
        protocol: flags.protocol.map(|p| match p {
            ProtocolArg::Gsp => Protocol::Gsp,
            ProtocolArg::Update => Protocol::Update,
        }),
        graphs: flags.graphs,
        credentials,
        chunk: flags.chunk,
        if_changed: flags.if_changed,
        dry_run: flags.dry_run,
        timeout: std::time::Duration::from_secs(flags.request_timeout.max(1)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name_any_case_and_unknown_ones_named() {
        assert_eq!(rdf_format_named("TTL"), Ok(RdfFormat::Turtle));
        assert_eq!(rdf_format_named("n-quads"), Ok(RdfFormat::NQuads));
        assert_eq!(results_format_named("Table"), Ok(ResultsFormat::Table));
        assert_eq!(
            results_format_named("tsv"),
            Ok(ResultsFormat::W3c(QueryResultsFormat::Tsv))
        );
        assert_eq!(results_format_named("nt"), Ok(ResultsFormat::Rdf(RdfFormat::NTriples)));
        assert_eq!(
            results_format_named("yaml"),
            Err("unknown results format \"yaml\"; expected table, csv, tsv, json or xml".to_owned())
        );
        assert_eq!(duration_named("500ms"), Ok(std::time::Duration::from_millis(500)));
        assert_eq!(duration_named("2m"), Ok(std::time::Duration::from_secs(120)));
        assert_eq!(duration_named("3"), Ok(std::time::Duration::from_secs(3)));
        assert!(duration_named("0s").is_err() && duration_named("5 days").is_err());
        assert!(rdf_format_named("yaml").is_err_and(|e| e.starts_with("unknown RDF format \"yaml\"")));
        assert_eq!(rdf_version_named("1.2"), Ok(RdfVersion::Rdf12));
        assert_eq!(
            rdf_version_named("1.3"),
            Err("unknown RDF version \"1.3\"; expected 1.1 or 1.2".to_owned())
        );
    }
}

//! The second stage of the command line: raw clap flags turned into the library's
//! options, checked before any work starts.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use saidgraph::commands::DataSource;
use saidgraph::{
    Error, ImportOptions, InputFormat, InputSpec, Limits, Order, Output, QueryText, ReadOptions, ResultsFormat,
    choose_format, parse_format,
};

use crate::cli::{DataArgs, InputFormatArg, OrderArg, RdfOutputArgs, ReadArgs};

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

/// The results format asked for, else a table on a terminal and CSV otherwise.
pub fn results_format(asked: Option<&str>, output: &Output) -> anyhow::Result<ResultsFormat> {
    match asked {
        Some(name) => ResultsFormat::parse(name).ok_or_else(|| {
            usage(format!(
                "unknown results format {name:?}; expected table, csv, tsv, json or xml"
            ))
        }),
        None if *output == Output::Stdout && std::io::stdout().is_terminal() => Ok(ResultsFormat::Table),
        None => ResultsFormat::parse("csv").context("csv is a results format"),
    }
}

pub fn usage(message: String) -> anyhow::Error {
    Error::Usage(message).into()
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

pub fn rdf_output(rdf: &RdfOutputArgs) -> anyhow::Result<(oxigraph::io::RdfFormat, Output)> {
    let asked = match &rdf.format {
        Some(name) => Some(parse_format(name).ok_or_else(|| {
            usage(format!(
                "unknown RDF format {name:?}; expected turtle, ntriples, nquads, trig, rdfxml or jsonld"
            ))
        })?),
        None => None,
    };
    let output = Output::from_option(rdf.output.as_deref());
    Ok((choose_format(asked, output.path()), output))
}

//! The `saidgraph` binary: parse the command line, call the library, map the outcome to
//! an exit status (0 success, 1 bad data or query, 2 bad usage).

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use saidgraph::commands::{self, DataSource, LinkRequest, QueryRequest};
use saidgraph::export;
use saidgraph::input::{ImportOptions, Limits};
use saidgraph::link::{LinkOptions, Target};
use saidgraph::output::Output;
use saidgraph::query::{NAMED_QUERIES, QueryText, ResultsFormat};
use saidgraph::stream::Order;
use saidgraph::{Error, InputFormat, InputSpec, ReadOptions};

/// mimalloc: the streaming path allocates and frees many small strings on two threads,
/// where glibc's allocator spent a third of the time.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cli::{Cli, Command, DataArgs, InputFormatArg, OrderArg, RdfOutputArgs, ReadArgs};

/// The stack of the thread commands run on. Oxigraph parses and evaluates SPARQL
/// recursively (a debug build spends tens of kilobytes a level), and a query may nest up
/// to `query::MAX_QUERY_NESTING` levels; the main thread's 8 MiB are not enough for that.
/// Only what is used is ever committed.
const STACK_SIZE: usize = 512 << 20;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = std::thread::Builder::new()
        .name("saidgraph".to_owned())
        .stack_size(STACK_SIZE)
        .spawn(move || run(cli))
        .map_err(anyhow::Error::from)
        .and_then(|thread| {
            thread
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("internal error: the command panicked")))
        });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if let Some(io) = error.chain().find_map(|e| e.downcast_ref::<std::io::Error>())
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            match error.downcast_ref::<Error>() {
                // Diagnostics name their own files; a prefix would only break the first line.
                Some(invalid @ Error::Invalid(_)) => eprintln!("{invalid}"),
                // Library errors already end with their causes.
                _ => eprintln!("saidgraph: {error}"),
            }
            let usage = error.downcast_ref::<Error>().is_some_and(Error::is_usage);
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Convert {
            inputs,
            read,
            rdf,
            order,
        } => {
            let (inputs, options) = read_options(inputs, &read);
            let (format, output) = rdf_output(&rdf)?;
            let order = match order {
                OrderArg::Auto => Order::Auto,
                OrderArg::Sorted => Order::Sorted,
                OrderArg::Input => Order::Input,
            };
            let summary = commands::convert(&inputs, &options, format, rdf.with_ontology, order, &output)?;
            note_skipped(&summary);
        }
        Command::Load { inputs, store, read } => {
            let (inputs, options) = read_options(inputs, &read);
            let summary = commands::load(&inputs, &options, &store)?;
            println!("loaded {summary} into {}", store.display());
            note_skipped(&summary);
        }
        Command::Export { data, read, with, rdf } => {
            let (format, output) = rdf_output(&rdf)?;
            commands::export(&data_source(data, &read), &with, format, rdf.with_ontology, &output)?;
        }
        Command::Query {
            data,
            read,
            with,
            limit,
            name,
            file,
            expression,
            params,
            results_format,
            output,
        } => {
            let text = match (name, file, expression) {
                (Some(name), _, _) => QueryText::Named(name),
                (_, Some(file), _) => QueryText::File(file),
                (_, _, Some(text)) => QueryText::Inline(text),
                _ => unreachable!("clap requires one of NAME, -q, -e"),
            };
            let output = Output::from_option(output.as_deref());
            let format = match results_format {
                Some(name) => ResultsFormat::parse(&name).ok_or_else(|| {
                    usage(format!(
                        "unknown results format {name:?}; expected table, csv, tsv, json or xml"
                    ))
                })?,
                None if output == Output::Stdout && std::io::stdout().is_terminal() => ResultsFormat::Table,
                None => ResultsFormat::parse("csv").context("csv is a results format")?,
            };
            commands::query(
                &data_source(data, &read),
                &with,
                &QueryRequest {
                    text,
                    params,
                    limit,
                    format,
                },
                &output,
            )?;
        }
        Command::Link {
            data,
            read,
            targets,
            min_score,
            margin,
            format,
            output,
            report,
            apply,
        } => {
            let (format, output) = rdf_output(&RdfOutputArgs {
                format,
                output,
                with_ontology: false,
            })?;
            let request = LinkRequest {
                targets: targets.iter().map(|t| Target::parse(t)).collect(),
                options: LinkOptions { min_score, margin },
                format,
                output,
                report,
                apply,
            };
            eprintln!("{}", commands::link(&data_source(data, &read), &request)?);
        }
        Command::Queries => {
            for query in NAMED_QUERIES {
                println!("{}\n    {}", query.name, query.summary());
                for (name, description) in query.parameters() {
                    println!("    --param {name}=…  {description}");
                }
            }
        }
        Command::Validate { inputs, read } => {
            let (inputs, options) = read_options(inputs, &read);
            let summary = commands::validate(&inputs, &options)?;
            println!("valid: {summary}");
            note_skipped(&summary);
        }
    }
    Ok(())
}

/// Tells on standard error what importers left out, and why.
fn note_skipped(summary: &commands::Summary) {
    if let Some(note) = summary.skipped_note() {
        eprintln!("saidgraph: {note}");
    }
}

fn usage(message: String) -> anyhow::Error {
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

fn specs(paths: Vec<std::path::PathBuf>, read: &ReadArgs) -> Vec<InputSpec> {
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

fn read_options(paths: Vec<std::path::PathBuf>, read: &ReadArgs) -> (Vec<InputSpec>, ReadOptions) {
    (
        specs(paths, read),
        ReadOptions {
            base: read.base.clone(),
        },
    )
}

fn data_source(data: DataArgs, read: &ReadArgs) -> DataSource {
    match data.store {
        Some(store) => DataSource::Store(store),
        None => {
            let (inputs, options) = read_options(data.inputs, read);
            DataSource::Inputs(inputs, options)
        }
    }
}

fn rdf_output(rdf: &RdfOutputArgs) -> anyhow::Result<(oxigraph::io::RdfFormat, Output)> {
    let asked = match &rdf.format {
        Some(name) => Some(export::parse_format(name).ok_or_else(|| {
            usage(format!(
                "unknown RDF format {name:?}; expected turtle, ntriples, nquads, trig, rdfxml or jsonld"
            ))
        })?),
        None => None,
    };
    let output = Output::from_option(rdf.output.as_deref());
    Ok((export::choose_format(asked, output.path()), output))
}

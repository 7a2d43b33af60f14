//! The `saidgraph` binary: parse the command line, call the library, map the outcome to
//! an exit status (0 success, 1 bad data or query, 2 bad usage).

mod cli;
mod options;

use std::process::ExitCode;

use clap::Parser;
use saidgraph::Error;
use saidgraph::commands::{self, LinkRequest, QueryRequest};
use saidgraph::{FetchOptions, LinkOptions, NAMED_QUERIES, Output, Target};

/// mimalloc: the streaming path allocates and frees many small strings on two threads,
/// where glibc's allocator spent a third of the time.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cli::{Cli, Command, RdfOutputArgs};
use options::{data_source, rdf_output, read_options};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = std::thread::Builder::new()
        .name("saidgraph".to_owned())
        .stack_size(saidgraph::STACK_SIZE)
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
            let order = options::order(order);
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
            let text = options::query_text(name, file, expression);
            let output = Output::from_option(output.as_deref());
            let format = options::results_format(results_format.as_deref(), &output)?;
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
            lang,
            max_requests_in_flight,
            request_timeout,
            cache,
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
                fetch: FetchOptions {
                    max_in_flight: max_requests_in_flight.max(1),
                    timeout: std::time::Duration::from_secs(request_timeout.max(1)),
                    cache,
                    languages: lang,
                },
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

//! The `saidgraph` binary: parse the command line, call the library, map the outcome to
//! an exit status (0 success, 1 bad data or query, 2 bad usage).

mod cli;
mod options;

use std::process::ExitCode;

use clap::Parser;
use saidgraph::Error;
use saidgraph::commands::{self, LinkRequest, NetworkRequest, QueryRequest};
use saidgraph::{Fate, FetchOptions, LinkOptions, LoadOptions, NAMED_QUERIES, NetworkFormat, Output, Target};

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
                .unwrap_or_else(|_| Err(Error::Internal("the command panicked".to_owned()).into()))
        });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let status = exit_status(&error);
            if status != 0 {
                match error.downcast_ref::<Error>() {
                    // Diagnostics name their own files; a prefix would only break the first line.
                    Some(invalid @ Error::Invalid(_)) => eprintln!("{invalid}"),
                    // Library errors already end with their causes.
                    _ => eprintln!("saidgraph: {error}"),
                }
            }
            ExitCode::from(status)
        }
    }
}

/// The exit status of a failed run: 0 for a broken pipe (whoever read the output has all
/// they wanted), 2 for a bad command line, 1 for everything else: bad data or query, the
/// system failing, and saidgraph's own faults.
fn exit_status(error: &anyhow::Error) -> u8 {
    if let Some(io) = error.chain().find_map(|e| e.downcast_ref::<std::io::Error>())
        && io.kind() == std::io::ErrorKind::BrokenPipe
    {
        return 0;
    }
    if error.downcast_ref::<Error>().is_some_and(Error::is_usage) {
        2
    } else {
        1
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Convert {
            inputs,
            read,
            rdf,
            graph,
            order,
        } => {
            let (inputs, mut options) = read_options(inputs, &read);
            options.graph = graph;
            let (format, output) = rdf_output(&rdf);
            let order = options::order(order);
            let summary = commands::convert(&inputs, &options, format, rdf.rdf, rdf.with_ontology, order, &output)?;
            note_skipped(&summary);
        }
        Command::Load {
            inputs,
            store,
            graph,
            if_changed,
            read,
        } => {
            let (inputs, mut options) = read_options(inputs, &read);
            options.graph = graph;
            let (summary, datasets) = commands::load(&inputs, &options, &LoadOptions { if_changed }, &store)?;
            println!("loaded {summary} into {}", store.display());
            for (name, fate) in datasets {
                match fate {
                    Fate::Unchanged => eprintln!(
                        "saidgraph: dataset {name:?} unchanged (its inputs' SHA-256 match the store's), left as it was"
                    ),
                    Fate::Replaced => eprintln!("saidgraph: dataset {name:?} replaced"),
                    _ => eprintln!("saidgraph: dataset {name:?} added"),
                }
            }
            note_skipped(&summary);
        }
        Command::Graphs { store, results_format } => {
            let output = Output::Stdout;
            commands::graphs(&store, options::results_format(results_format, &output), &output)?;
        }
        Command::Drop { store, names, force } => {
            for graph in commands::drop(&store, &names, force)? {
                println!("dropped {graph}");
            }
        }
        Command::Export {
            data,
            read,
            dataset,
            with,
            rdf,
        } => {
            let (format, output) = rdf_output(&rdf);
            let source = data_source(data, &read);
            commands::export(
                &source,
                dataset.as_deref(),
                &with,
                format,
                rdf.rdf,
                rdf.with_ontology,
                &output,
            )?;
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
            rdf,
            explain,
        } => {
            let text = options::query_text(name, file, expression);
            let output = Output::from_option(output.as_deref());
            let format = options::results_format(results_format, &output);
            commands::query(
                &data_source(data, &read),
                &with,
                &QueryRequest {
                    text,
                    params,
                    limit,
                    format,
                    rdf,
                    explain,
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
                rdf: saidgraph::RdfVersion::Rdf11,
            });
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
        Command::Network {
            data,
            read,
            with,
            format,
            output,
            filters,
        } => {
            let output = Output::from_option(output.as_deref());
            let request = NetworkRequest {
                format: NetworkFormat::choose(format, output.path())?,
                output,
                options: options::network_options(filters),
            };
            eprintln!(
                "saidgraph: {}",
                commands::network(&data_source(data, &read), &with, &request)?
            );
        }
        Command::Serve {
            data,
            read,
            bind,
            timeout,
            max_results,
            max_concurrent,
            queue_wait,
            max_body,
            cors,
        } => {
            let options = saidgraph::ServeOptions {
                bind,
                timeout,
                max_results: max_results.max(1),
                max_concurrent: max_concurrent.max(1),
                queue_wait,
                max_body: usize::try_from(max_body).unwrap_or(usize::MAX),
                cors,
            };
            commands::serve(&data_source(data, &read), options)?;
        }
        Command::Push { data, read, push } => {
            let push = options::push_options(push)?;
            commands::push(&data_source(data, &read), &push, |report| println!("{report}"))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_tells_usage_from_faults() {
        let status = |error: Error| exit_status(&error.into());
        assert_eq!(status(Error::Usage("bad --base".to_owned())), 2);
        assert_eq!(status(Error::Internal("the mapping thread panicked".to_owned())), 1);
        assert_eq!(status(Error::Invalid(saidgraph::Diagnostics::new())), 1);
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert_eq!(
            status(Error::Io {
                place: saidgraph::Place::Stdout,
                source: pipe
            }),
            0
        );
    }
}

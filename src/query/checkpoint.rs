//! Checkpoints: where an evaluation that Oxigraph would compute on checks that it may.
//!
//! Oxigraph checks its cancellation token only as it reads the store. A query can compute
//! for minutes without a read: sorting a million rows (spareval's `ORDER BY` evaluates its
//! keys inside the comparator), grouping rows it has already read, or joining `VALUES`
//! with each other. [`add_checkpoints`] rewrites the parsed algebra so that such work
//! calls a function of ours, [`CHECKPOINT`], as it goes:
//!
//! - an `ORDER BY` gets it as its first key (the same value for every row, so the order
//!   is unchanged), called at every comparison;
//! - a `GROUP BY` gets it as one more aggregate, called for every row it groups;
//! - every projection (each `SELECT`, subqueries too) binds it for every row it reads.
//!
//! The function answers `true` while the token lives. Once it is cancelled, on a thread
//! inside [`catch_stopped`], it unwinds the evaluation (a panic with a payload of its own,
//! [`Stopped`], kept out of the log by a panic hook); `catch_stopped` turns that into
//! Oxigraph's own `Cancelled` error. Unwinding is the only way out of a sort that is
//! already running. Elsewhere (no `catch_stopped` around it) the function only fails, as
//! any SPARQL function may, which leaves a key or an aggregate unbound.
//!
//! What still computes on after a cancellation is work whose rows reach none of these: a
//! `FILTER` that drops every row of a join of `VALUES`, say. The server's cap on orphans
//! bounds those.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Once;

use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, Variable};
use spargebra::algebra::{AggregateExpression, AggregateFunction, Expression, Function, GraphPattern, OrderExpression};

use crate::error::{Error, Result};

/// The IRI of the checkpoint function the rewrite calls.
pub const CHECKPOINT: &str = "https://w3id.org/saidgraph/internal#checkpoint";

/// The payload of the unwinding that stops a cancelled evaluation.
#[derive(Debug)]
pub struct Stopped;

thread_local! {
    /// Whether this thread runs inside [`catch_stopped`], where a checkpoint may unwind.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
}

/// The checkpoint function for an evaluation cancelled by `token`.
pub fn function(token: CancellationToken) -> impl Fn(&[Term]) -> Option<Term> + Send + Sync + 'static {
    quiet_hook();
    move |_| {
        if !token.is_cancelled() {
            return Some(Literal::from(true).into());
        }
        if CATCHING.with(Cell::get) {
            std::panic::panic_any(Stopped);
        }
        None
    }
}

/// The checkpoint function's name, as a node.
pub fn name() -> NamedNode {
    NamedNode::new_unchecked(CHECKPOINT)
}

/// Runs `work`, in which checkpoints of a cancelled evaluation stop it: their unwinding
/// comes back as Oxigraph's `Cancelled` error. Any other panic goes on unwinding.
pub fn catch_stopped<T>(work: impl FnOnce() -> Result<T>) -> Result<T> {
    let outer = CATCHING.with(|c| c.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(work));
    CATCHING.with(|c| c.set(outer));
    match outcome {
        Ok(result) => result,
        Err(payload) if payload.is::<Stopped>() => Err(Error::QueryEvaluation(QueryEvaluationError::Cancelled)),
        Err(payload) => resume_unwind(payload),
    }
}

/// Keeps the checkpoints' unwinding out of the log: the hook before it sees every other
/// panic.
fn quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<Stopped>() {
                previous(info);
            }
        }));
    });
}

/// Adds checkpoints to a query, as the module describes.
pub fn add_checkpoints(query: &mut spargebra::Query) {
    let pattern = super::root_pattern(query);
    let owned = std::mem::replace(pattern, GraphPattern::Bgp { patterns: Vec::new() });
    *pattern = rewrite(owned);
}

fn call() -> Expression {
    Expression::FunctionCall(Function::Custom(name()), Vec::new())
}

/// The variable a projection binds the checkpoint to, and the one a group counts it in.
/// Neither is projected, so neither is seen.
fn hidden(role: &str) -> Variable {
    Variable::new_unchecked(format!("__saidgraph_checkpoint_{role}"))
}

fn rewrite(pattern: GraphPattern) -> GraphPattern {
    use GraphPattern as P;
    let go = |p: Box<P>| Box::new(rewrite(*p));
    match pattern {
        P::Join { left, right } => P::Join {
            left: go(left),
            right: go(right),
        },
        P::LeftJoin {
            left,
            right,
            expression,
        } => P::LeftJoin {
            left: go(left),
            right: go(right),
            expression,
        },
        P::Lateral { left, right } => P::Lateral {
            left: go(left),
            right: go(right),
        },
        P::Filter { expr, inner } => P::Filter { expr, inner: go(inner) },
        P::Union { left, right } => P::Union {
            left: go(left),
            right: go(right),
        },
        P::Graph { name, inner } => P::Graph { name, inner: go(inner) },
        P::Extend {
            inner,
            variable,
            expression,
        } => P::Extend {
            inner: go(inner),
            variable,
            expression,
        },
        P::Minus { left, right } => P::Minus {
            left: go(left),
            right: go(right),
        },
        P::OrderBy { inner, expression } => P::OrderBy {
            inner: go(inner),
            expression: std::iter::once(OrderExpression::Asc(call()))
                .chain(expression)
                .collect(),
        },
        P::Project { inner, variables } => P::Project {
            inner: Box::new(P::Extend {
                inner: go(inner),
                variable: hidden("row"),
                expression: call(),
            }),
            variables,
        },
        P::Distinct { inner } => P::Distinct { inner: go(inner) },
        P::Reduced { inner } => P::Reduced { inner: go(inner) },
        P::Slice { inner, start, length } => P::Slice {
            inner: go(inner),
            start,
            length,
        },
        P::Group {
            inner,
            variables,
            mut aggregates,
        } => {
            aggregates.push((
                hidden("group"),
                AggregateExpression::FunctionCall {
                    name: AggregateFunction::Count,
                    expr: call(),
                    distinct: false,
                },
            ));
            P::Group {
                inner: go(inner),
                variables,
                aggregates,
            }
        }
        // `SERVICE` is refused by the server; patterns that read the store check the
        // token themselves.
        other @ (P::Bgp { .. } | P::Path { .. } | P::Values { .. } | P::Service { .. }) => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(text: &str) -> Result<String> {
        let mut query = super::super::parse(text, "test", &[])?;
        add_checkpoints(&mut query);
        Ok(query.to_string())
    }

    #[test]
    fn sorts_groups_and_projections_get_checkpoints() -> Result<()> {
        let text = rewritten("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY DESC(?n)")?;
        assert_eq!(text.matches(CHECKPOINT).count(), 3, "{text}");
        assert!(text.contains(&format!("ORDER BY ASC(<{CHECKPOINT}>())")), "{text}");
        assert!(text.contains("COUNT(<"), "{text}");
        Ok(())
    }

    #[test]
    fn a_checkpoint_outside_catch_stopped_only_fails() {
        let token = CancellationToken::new();
        let checkpoint = function(token.clone());
        assert_eq!(checkpoint(&[]), Some(Literal::from(true).into()));
        token.cancel();
        assert_eq!(checkpoint(&[]), None);
        let stopped: Result<()> = catch_stopped(|| {
            checkpoint(&[]);
            Ok(())
        });
        assert!(matches!(
            stopped,
            Err(Error::QueryEvaluation(QueryEvaluationError::Cancelled))
        ));
        // And the thread is back outside: the checkpoint fails again rather than unwinds.
        assert_eq!(checkpoint(&[]), None);
    }
}

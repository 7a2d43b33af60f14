//! The bounds every query runs within ([`bounded`]): a slot (`slots`: a fair line of at
//! most `--queue-wait`, then `503` with `Retry-After`), a thread of its own, and a
//! watchdog that cancels the evaluation when `--timeout` passes (`504`) or the client
//! hangs up (`499`), and that lowers the thread's scheduling priority as it runs long, so
//! that fresh short queries win the cores from long ones.
//!
//! Priority (Linux, where `nice` is per thread): a query still running after
//! [`LONG_RUN`] gets nice [`NICE_LONG`], and one still running after [`LONGEST_RUN`], past
//! its time or abandoned by its client nice [`NICE_LATE`], the lowest. A lowered thread still runs as fast as ever on a core
//! nobody else wants; against a thread at nice 0 it gets about a tenth of a core at 10 and
//! a seventieth at 19 (the kernel's weights). Nice is no bound: it neither stops a thread
//! nor limits its memory or its reads of the disk, and it orders threads only within the
//! server (the kernel's autogroups share a machine between sessions first). What stops a
//! query is the cancellation, which Oxigraph checks as it reads the store and saidgraph's
//! checkpoints as rows are sorted, grouped and projected (`query::checkpoint`; the query
//! thread runs inside `query::catch_stopped`, where they unwind the evaluation); a thread
//! that computes on without either is an orphan (see `slots`), bounded by the orphans' cap.

use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use oxigraph::sparql::{CancellationToken, QueryEvaluationError};

use crate::error::Error;
use crate::query;

use super::Context;
use super::http::Response;
use super::slots::Refusal;
use super::source::Snapshot;
use super::sparql::error_response;

/// How long a query runs at full priority.
pub const LONG_RUN: Duration = Duration::from_millis(500);
/// The nice of a query thread that has run longer than [`LONG_RUN`].
pub const NICE_LONG: i32 = 10;
/// How long a query runs before it is lowered to [`NICE_LATE`]: one that takes seconds
/// on a busy server is the one that would take the cores from the short ones.
pub const LONGEST_RUN: Duration = Duration::from_secs(2);
/// The nice of a query thread past [`LONGEST_RUN`], its time, or abandoned by its client.
pub const NICE_LATE: i32 = 19;

/// Runs `work` within the server's bounds, as every query does: a slot (waiting in line
/// for up to `--queue-wait`, else `503` with `Retry-After`), and a watchdog that cancels
/// the token `work` is given when `--timeout` passes (`504`) or the client hangs up
/// (`499`). The work runs on a thread of its own, which holds the slot until it ends: the
/// answer goes at the deadline even if the work has not yet seen the cancellation, and the
/// thread then runs on as an orphan, at the lowest priority. Errors become their status
/// ([`error_response`]); the snapshot the work read comes back with its value.
pub fn bounded<T: Send + 'static>(
    context: &Context,
    connection: &TcpStream,
    work: impl FnOnce(&Snapshot, CancellationToken) -> Result<T, Error> + Send + 'static,
) -> Result<(T, Arc<Snapshot>), Response> {
    let options = &context.options;
    let (slot, claim) = match context.slots.acquire(options.queue_wait) {
        Ok(taken) => taken,
        Err(refusal) => {
            let why = match refusal {
                Refusal::Busy => format!(
                    "all {} query slots stayed busy for {:.1} s (--max-concurrent, --queue-wait)",
                    options.max_concurrent,
                    options.queue_wait.as_secs_f64()
                ),
                Refusal::LineFull => "too many queries are waiting for a slot".to_owned(),
            };
            return Err(Response::text(503, format!("{why}; try again in a second")).with_header("Retry-After", "1"));
        }
    };
    let snapshot = context.source.snapshot();
    let token = CancellationToken::new();
    let thread = QueryThread::default();
    let watchdog = Watchdog::start(token.clone(), options.timeout, connection, thread.clone());
    let started = Instant::now();
    let (sender, receiver) = std::sync::mpsc::channel();
    let worker = Arc::clone(&snapshot);
    let spawned = std::thread::Builder::new()
        .name("saidgraph query".to_owned())
        .stack_size(query::STACK_SIZE)
        .spawn(move || {
            let _running = thread.enter();
            let _slot = slot;
            let _ = sender.send(query::catch_stopped(|| work(&worker, token)));
        });
    if let Err(e) = spawned {
        return Err(Response::text(503, format!("cannot start the query: {e}")).with_header("Retry-After", "1"));
    }
    let grace = options.timeout + Duration::from_millis(250);
    let outcome = loop {
        match receiver.recv_timeout(Duration::from_millis(50)) {
            Ok(outcome) => break Some(outcome),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                break Some(Err(Error::Internal(
                    "the query thread ended without an answer".to_owned(),
                )));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) if watchdog.gone() || started.elapsed() > grace => {
                break None;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
    };
    let (timed_out, gone) = watchdog.stop();
    if outcome.is_none() {
        // Answered without its results while its thread computes on: an orphan.
        claim.orphan();
    }
    let out_of_time = || {
        Response::text(
            504,
            format!(
                "the query ran out of time after {:.1} s (the server's --timeout is {} s) and was stopped; \
                 no results were sent. Narrow it (a parameter, a LIMIT) or ask the server's owner for more time.",
                started.elapsed().as_secs_f64(),
                options.timeout.as_secs_f64()
            ),
        )
    };
    let gone_response = || Response::text(499, "the client closed the connection; the query was stopped");
    match outcome {
        None if gone => Err(gone_response()),
        None => Err(out_of_time()),
        Some(Ok(value)) => Ok((value, snapshot)),
        Some(Err(Error::QueryEvaluation(QueryEvaluationError::Cancelled))) if gone => Err(gone_response()),
        Some(Err(Error::QueryEvaluation(QueryEvaluationError::Cancelled))) if timed_out => Err(out_of_time()),
        Some(Err(error)) => Err(error_response(&error)),
    }
}

/// The thread evaluating a query, as the watchdog sees it: its id while it runs. The id
/// is read and cleared under one lock, so it is never used once the thread has ended
/// (when the system may give it to another thread).
#[derive(Debug, Clone, Default)]
struct QueryThread(Arc<std::sync::Mutex<Option<Tid>>>);

#[cfg(target_os = "linux")]
type Tid = rustix::process::Pid;
#[cfg(not(target_os = "linux"))]
type Tid = ();

/// Clears the thread's id as the thread ends.
struct Running(QueryThread);

impl Drop for Running {
    fn drop(&mut self) {
        *self.0.lock() = None;
    }
}

impl QueryThread {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Tid>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Called on the query's thread: records its id until the guard drops.
    fn enter(&self) -> Running {
        #[cfg(target_os = "linux")]
        {
            *self.lock() = Some(rustix::thread::gettid());
        }
        #[cfg(not(target_os = "linux"))]
        {
            *self.lock() = Some(());
        }
        Running(self.clone())
    }

    /// Lowers the thread's priority to `nice`, if it still runs (only lowers: an
    /// unprivileged process cannot raise it back, and need not, as the thread ends with
    /// its query).
    fn renice(&self, nice: i32) {
        let tid = self.lock();
        #[cfg(target_os = "linux")]
        if let Some(tid) = *tid {
            let _ = rustix::process::setpriority_process(Some(tid), nice);
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (tid, nice);
    }
}

/// Cancels a query when its time is up or its client hangs up, and lowers its thread's
/// priority as it runs long; checks every 20 ms.
struct Watchdog {
    done: Arc<AtomicBool>,
    flags: Arc<(AtomicBool, AtomicBool)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    fn start(token: CancellationToken, timeout: Duration, connection: &TcpStream, query: QueryThread) -> Self {
        let done = Arc::new(AtomicBool::new(false));
        let flags = Arc::new((AtomicBool::new(false), AtomicBool::new(false)));
        let started = Instant::now();
        let deadline = started + timeout;
        let peer = connection.try_clone().ok();
        let (thread_done, thread_flags) = (Arc::clone(&done), Arc::clone(&flags));
        let thread = std::thread::Builder::new()
            .name("saidgraph watchdog".to_owned())
            .stack_size(64 << 10)
            .spawn(move || {
                // The connection is idle while its query runs: non-blocking peeks tell a
                // closed one (0 bytes) from a quiet one, and blocking comes back at the end.
                let peer = peer.filter(|p| p.set_nonblocking(true).is_ok());
                let mut lowered = 0;
                while !thread_done.load(Ordering::Acquire) {
                    if Instant::now() >= deadline {
                        thread_flags.0.store(true, Ordering::Release);
                        query.renice(NICE_LATE);
                        token.cancel();
                        break;
                    }
                    if let Some(peer) = &peer {
                        let closed = match peer.peek(&mut [0; 1]) {
                            Ok(0) => true,
                            Ok(_) => false,
                            Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
                        };
                        if closed {
                            thread_flags.1.store(true, Ordering::Release);
                            query.renice(NICE_LATE);
                            token.cancel();
                            break;
                        }
                    }
                    if lowered == 0 && started.elapsed() >= LONG_RUN {
                        query.renice(NICE_LONG);
                        lowered = 1;
                    }
                    if lowered == 1 && started.elapsed() >= LONGEST_RUN {
                        query.renice(NICE_LATE);
                        lowered = 2;
                    }
                    std::thread::park_timeout(Duration::from_millis(20));
                }
                if let Some(peer) = peer {
                    let _ = peer.set_nonblocking(false);
                }
            })
            .ok();
        Self { done, flags, thread }
    }

    /// Whether the client hung up.
    fn gone(&self) -> bool {
        self.flags.1.load(Ordering::Acquire)
    }

    /// Stops watching; says whether the time ran out and whether the client is gone.
    fn stop(mut self) -> (bool, bool) {
        self.done.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
        (
            self.flags.0.load(Ordering::Acquire),
            self.flags.1.load(Ordering::Acquire),
        )
    }
}

//! A progress bar on standard error for long reads, shown only when standard error is a
//! terminal (so pipes, logs and tests stay quiet).

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::input;

/// Shows how many bytes of input have been read out of `total`, until dropped.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl Progress {
    /// A bar for reading `total` bytes (every pass counted), or `None` when standard error
    /// is not a terminal or the size is unknown.
    pub fn bytes(message: &'static str, total: Option<u64>) -> Option<Self> {
        let total = total?;
        if !std::io::stderr().is_terminal() || total == 0 {
            return None;
        }
        let bar = ProgressBar::new(total).with_message(message);
        bar.set_style(
            ProgressStyle::with_template("{msg:>9} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        let stop = Arc::new(AtomicBool::new(false));
        let start = input::bytes_read();
        let ticker = {
            let (bar, stop) = (bar.clone(), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    bar.set_position(input::bytes_read().saturating_sub(start));
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        };
        Some(Self {
            bar,
            stop,
            ticker: Some(ticker),
        })
    }

    /// Changes the message, for the next stage of the same work.
    pub fn stage(&self, message: &'static str) {
        self.bar.set_message(message);
    }
}

/// Counts triples sent out of a total, with the bytes and the rate, until dropped; shown
/// only on a terminal.
#[derive(Debug)]
pub struct Counter {
    bar: ProgressBar,
    bytes: std::sync::atomic::AtomicU64,
}

impl Counter {
    /// A bar for `total` triples, or `None` when standard error is not a terminal.
    pub fn new(message: &'static str, total: u64) -> Option<Self> {
        if !std::io::stderr().is_terminal() || total == 0 {
            return None;
        }
        let bar = ProgressBar::new(total).with_message(message);
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:>9} [{bar:40}] {human_pos}/{human_len} triples {per_sec} {prefix} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Some(Self {
            bar,
            bytes: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// `triples` more sent, in `bytes`.
    pub fn add(&self, triples: u64, bytes: u64) {
        let sent = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.bar.set_prefix(indicatif::HumanBytes(sent).to_string());
        self.bar.inc(triples);
    }
}

impl Drop for Counter {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
        self.bar.finish_and_clear();
    }
}

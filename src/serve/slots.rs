//! The query slots: at most `--max-concurrent` evaluations at once, handed out first come,
//! first served. A query that finds them all taken waits in line for up to `--queue-wait`
//! (a fair FIFO: a slot that frees goes to the longest waiting, never to a newcomer that
//! jumps the line), and is refused (`503`) when the wait passes. The line is bounded by
//! the connections a server holds ([`super::MAX_CONNECTIONS`]): each waiter is one.
//!
//! A query past its time (or whose client hung up) is answered at once, but its thread
//! may compute on until the evaluation next checks the cancellation (Oxigraph does so as
//! it reads the store; saidgraph's checkpoints, as it sorts, groups and projects rows: see
//! `query::checkpoint`). Such an orphan gives its slot back to the living and counts among the orphans
//! instead, of which there are at most half as many as slots (at least one); past that,
//! a timed-out query keeps its slot until its thread ends. So the threads evaluating
//! queries never number more than slots + orphans, and a server whose slots are all held
//! by such queries answers `503` after the wait.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The slots of one server.
#[derive(Debug)]
pub struct Slots {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    freed: Condvar,
    max: usize,
    max_orphans: usize,
    max_waiting: usize,
}

#[derive(Debug, Default)]
struct State {
    /// Slots held by queries still within their time.
    used: usize,
    /// Queries past their time whose threads still run.
    orphans: usize,
    /// The tickets of the queries waiting, in arrival order.
    line: VecDeque<u64>,
    next_ticket: u64,
}

/// Why no slot was given.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The wait passed with every slot still taken.
    Busy,
    /// The line itself is full.
    LineFull,
}

/// A slot, held by the thread evaluating a query until the evaluation ends (dropping it
/// frees the slot, or the orphan's place).
#[derive(Debug)]
pub struct Slot {
    shared: Arc<Shared>,
    /// Set and read under the state's lock: whether this slot became an orphan's.
    orphaned: Arc<AtomicBool>,
    /// Set under the lock when the slot is dropped.
    ended: Arc<AtomicBool>,
}

/// The handle the query's caller keeps, to make the slot an orphan's when it gives up.
#[derive(Debug)]
pub struct Claim {
    shared: Arc<Shared>,
    orphaned: Arc<AtomicBool>,
    ended: Arc<AtomicBool>,
}

impl Slots {
    /// `max` slots (at least one); the line holds at most `max_waiting`.
    pub fn new(max: usize, max_waiting: usize) -> Self {
        let max = max.max(1);
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                freed: Condvar::new(),
                max,
                max_orphans: max.div_ceil(2),
                max_waiting,
            }),
        }
    }

    /// The most orphans: queries past their time still computing, beyond the slots.
    #[cfg(test)]
    fn max_orphans(&self) -> usize {
        self.shared.max_orphans
    }

    /// A slot, at once when one is free and nobody waits, else after waiting in line for
    /// at most `wait`.
    pub fn acquire(&self, wait: Duration) -> Result<(Slot, Claim), Refusal> {
        let shared = &self.shared;
        let mut state = shared.lock();
        if state.line.is_empty() && state.used < shared.max {
            state.used += 1;
            return Ok(self.slot());
        }
        if state.line.len() >= shared.max_waiting || wait.is_zero() {
            return Err(if wait.is_zero() {
                Refusal::Busy
            } else {
                Refusal::LineFull
            });
        }
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.line.push_back(ticket);
        let deadline = Instant::now() + wait;
        loop {
            if state.line.front() == Some(&ticket) && state.used < shared.max {
                state.line.pop_front();
                state.used += 1;
                // The next in line may find a slot free too.
                shared.freed.notify_all();
                return Ok(self.slot());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                state.line.retain(|t| *t != ticket);
                // Whoever was behind this ticket may now be first.
                shared.freed.notify_all();
                return Err(Refusal::Busy);
            }
            state = match shared.freed.wait_timeout(state, left) {
                Ok((state, _)) => state,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    fn slot(&self) -> (Slot, Claim) {
        let (orphaned, ended) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let claim = Claim {
            shared: Arc::clone(&self.shared),
            orphaned: Arc::clone(&orphaned),
            ended: Arc::clone(&ended),
        };
        let slot = Slot {
            shared: Arc::clone(&self.shared),
            orphaned,
            ended,
        };
        (slot, claim)
    }

    /// Query threads still running: slots in use and orphans.
    pub fn running(&self) -> usize {
        let state = self.shared.lock();
        state.used + state.orphans
    }

    /// Slots in use, orphans, and queries waiting (for tests and the log).
    #[cfg(test)]
    fn counts(&self) -> (usize, usize, usize) {
        let state = self.shared.lock();
        (state.used, state.orphans, state.line.len())
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Claim {
    /// The query was answered without its results (out of time, or its client gone) while
    /// its thread still runs: its slot goes back to the living if the orphans have room.
    /// Says whether it did.
    pub fn orphan(&self) -> bool {
        let mut state = self.shared.lock();
        if self.ended.load(Ordering::Relaxed) || self.orphaned.load(Ordering::Relaxed) {
            return false;
        }
        if state.orphans >= self.shared.max_orphans {
            return false;
        }
        self.orphaned.store(true, Ordering::Relaxed);
        state.orphans += 1;
        state.used -= 1;
        self.shared.freed.notify_all();
        true
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        self.ended.store(true, Ordering::Relaxed);
        if self.orphaned.load(Ordering::Relaxed) {
            state.orphans -= 1;
        } else {
            state.used -= 1;
        }
        self.shared.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiter_gets_the_slot_that_frees_and_the_line_is_first_come_first_served() {
        let slots = Arc::new(Slots::new(1, 10));
        let (held, _) = slots.acquire(Duration::ZERO).expect("free");
        assert_eq!(slots.acquire(Duration::ZERO).unwrap_err(), Refusal::Busy);
        assert_eq!(
            slots.acquire(Duration::from_millis(50)).unwrap_err(),
            Refusal::Busy,
            "nothing freed within the wait"
        );
        let order = Arc::new(Mutex::new(Vec::new()));
        let waiters: Vec<_> = (0..3)
            .map(|i| {
                let (slots, order) = (Arc::clone(&slots), Arc::clone(&order));
                std::thread::sleep(Duration::from_millis(30));
                std::thread::spawn(move || {
                    let (slot, _) = slots.acquire(Duration::from_secs(10)).expect("a slot within the wait");
                    order.lock().expect("order").push(i);
                    std::thread::sleep(Duration::from_millis(10));
                    drop(slot);
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(slots.counts(), (1, 0, 3));
        drop(held);
        for waiter in waiters {
            waiter.join().expect("waiter");
        }
        assert_eq!(*order.lock().expect("order"), [0, 1, 2]);
        assert_eq!(slots.counts(), (0, 0, 0));
    }

    #[test]
    fn orphans_free_their_slots_up_to_their_own_cap() {
        let slots = Slots::new(2, 10);
        assert_eq!(slots.max_orphans(), 1);
        let (first, first_claim) = slots.acquire(Duration::ZERO).expect("free");
        let (second, second_claim) = slots.acquire(Duration::ZERO).expect("free");
        assert!(first_claim.orphan());
        assert!(!first_claim.orphan(), "once");
        assert_eq!(slots.counts(), (1, 1, 0));
        let (third, _) = slots.acquire(Duration::ZERO).expect("the orphan's slot is free");
        assert!(!second_claim.orphan(), "the orphans are full: the slot stays held");
        assert_eq!(slots.acquire(Duration::ZERO).unwrap_err(), Refusal::Busy);
        drop(first);
        assert_eq!(slots.counts(), (2, 0, 0));
        drop((second, third));
        assert_eq!(slots.counts(), (0, 0, 0));
        let (ended, claim) = slots.acquire(Duration::ZERO).expect("free");
        drop(ended);
        assert!(!claim.orphan(), "an ended query is no orphan");
        assert_eq!(slots.counts(), (0, 0, 0));
    }

    #[test]
    fn the_line_is_bounded() {
        let slots = Arc::new(Slots::new(1, 1));
        let (_held, _) = slots.acquire(Duration::ZERO).expect("free");
        let waiter = {
            let slots = Arc::clone(&slots);
            std::thread::spawn(move || slots.acquire(Duration::from_millis(300)).map(drop))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(slots.acquire(Duration::from_secs(1)).unwrap_err(), Refusal::LineFull);
        assert_eq!(waiter.join().expect("waiter"), Err(Refusal::Busy));
        assert_eq!(slots.counts(), (1, 0, 0));
    }
}

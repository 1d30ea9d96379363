//! Where a [`crate::Db`] keeps its connections, and the cap on them.
//!
//! SQLite's calls run on blocking threads, and any thread may use any of
//! its connections: one pool. A MySQL or PostgreSQL connection is
//! registered with the I/O driver of the runtime that opened it, and each
//! actix worker is a runtime of its own: a worker using a connection that
//! another one opened hears of every reply through that other worker's
//! event loop, a thread switch each way (`bench/README.md`). So on these
//! two, `pool_size` is cut into one slot per worker and one for the runtime
//! that starts the server (its migrations, demo data and background jobs),
//! and a thread that queries takes a free slot for a pool of its own,
//! opened on first use, until it ends. A thread that finds every slot taken
//! (an embedder's extra threads) borrows the pools of the others, one call
//! at a time. The
//! slots' sizes add up to `pool_size`, and a slot is taken again only once
//! the pool of the thread that held it has closed, so all threads together
//! never hold more than `pool_size` connections.

use super::Pools;
use crate::{DbError, Fault};
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

/// One slot's share of the connections and who holds it.
struct Slot {
    size: usize,
    state: SlotState,
}

enum SlotState {
    Free,
    /// A live thread's pool.
    Held(Arc<Pools>),
    /// Its thread ended; the pool closes when its last borrower lets go.
    Closing(Weak<Pools>),
}

impl Slot {
    fn is_free(&self) -> bool {
        match &self.state {
            SlotState::Free => true,
            SlotState::Held(_) => false,
            SlotState::Closing(pools) => pools.strong_count() == 0,
        }
    }

    fn held(&self) -> Option<&Arc<Pools>> {
        match &self.state {
            SlotState::Held(pools) => Some(pools),
            _ => None,
        }
    }
}

/// The slots of one [`crate::Db`] (and its clones).
pub(super) struct Slots {
    slots: Mutex<Vec<Slot>>,
    /// Which held pool the next borrower gets.
    turn: AtomicUsize,
}

/// The slots a thread holds, one per [`Slots`] it has queried; when the
/// thread ends, each is marked closing.
#[derive(Default)]
struct Held(Vec<(Weak<Slots>, usize, Weak<Pools>)>);

impl Drop for Held {
    fn drop(&mut self) {
        for (slots, index, _) in self.0.drain(..) {
            if let Some(slots) = slots.upgrade() {
                slots.release(index);
            }
        }
    }
}

thread_local! {
    static HELD: RefCell<Held> = RefCell::default();
}

impl Slots {
    /// `total` connections in `count` slots (at least one connection each).
    pub(super) fn new(total: usize, count: usize) -> Slots {
        let count = count.clamp(1, total.max(1));
        let slots = (0..count)
            .map(|i| Slot {
                size: total / count + usize::from(i < total % count),
                state: SlotState::Free,
            })
            .collect();
        Slots {
            slots: Mutex::new(slots),
            turn: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Slot>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn release(&self, index: usize) {
        if let Some(slot) = self.lock().get_mut(index)
            && let SlotState::Held(pools) = &slot.state
        {
            slot.state = SlotState::Closing(Arc::downgrade(pools));
        }
    }

    /// The calling thread's pool: its own, a free slot's (opened by
    /// `build` with the slot's size), or another thread's to borrow.
    pub(super) fn pools(
        self: &Arc<Self>,
        build: impl FnOnce(usize) -> Result<Pools, DbError>,
    ) -> Result<Arc<Pools>, DbError> {
        let this = Arc::as_ptr(self);
        let mine = HELD.try_with(|held| {
            held.borrow()
                .0
                .iter()
                .find(|(slots, _, _)| std::ptr::eq(slots.as_ptr(), this))
                .and_then(|(_, _, pools)| pools.upgrade())
        });
        if let Ok(Some(pools)) = mine {
            return Ok(pools);
        }
        let mut slots = self.lock();
        // A thread being torn down cannot hold a slot: it borrows.
        if mine.is_ok()
            && let Some(index) = slots.iter().position(Slot::is_free)
        {
            let pools = Arc::new(build(slots[index].size)?);
            slots[index].state = SlotState::Held(pools.clone());
            let kept = HELD.try_with(|held| {
                let mut held = held.borrow_mut();
                held.0.retain(|(slots, _, _)| slots.strong_count() > 0);
                held.0
                    .push((Arc::downgrade(self), index, Arc::downgrade(&pools)));
            });
            if kept.is_err() {
                slots[index].state = SlotState::Closing(Arc::downgrade(&pools));
            }
            return Ok(pools);
        }
        let held: Vec<&Arc<Pools>> = slots.iter().filter_map(Slot::held).collect();
        if held.is_empty() {
            return Err(DbError::fault_error(
                Fault::NoConnection,
                "every connection slot is closing",
            ));
        }
        let turn = self.turn.fetch_add(1, Ordering::Relaxed);
        Ok(held[turn % held.len()].clone())
    }

    /// Every open pool (held or closing).
    pub(super) fn all(&self) -> Vec<Arc<Pools>> {
        self.lock()
            .iter()
            .filter_map(|slot| match &slot.state {
                SlotState::Free => None,
                SlotState::Held(pools) => Some(pools.clone()),
                SlotState::Closing(pools) => pools.upgrade(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Slots;

    fn sizes(s: &Slots) -> Vec<usize> {
        s.lock().iter().map(|slot| slot.size).collect()
    }

    #[test]
    fn slots_share_the_total_and_never_exceed_it() {
        assert_eq!(sizes(&Slots::new(10, 4)), [3, 3, 2, 2]);
        assert_eq!(sizes(&Slots::new(4, 2)), [2, 2]);
        assert_eq!(sizes(&Slots::new(2, 8)), [1, 1], "a slot has one at least");
        assert_eq!(sizes(&Slots::new(5, 0)), [5]);
        for (total, count) in [(1, 1), (7, 3), (10, 512), (100, 7)] {
            assert_eq!(
                sizes(&Slots::new(total, count)).iter().sum::<usize>(),
                total
            );
        }
    }
}

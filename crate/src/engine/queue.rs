//! The event queue, ordered by (time, insertion sequence), so two events at the
//! same microsecond always run in the order they were scheduled. A 4-ary heap
//! (the `dary_heap` crate): half as deep as a binary heap, so fewer moves per pop.
//!
//! The heap holds only 16-byte keys; the events themselves sit still in a slab.
//! Popping moves keys up and down the heap, so small keys are what make it fast
//! (events carry a whole message and would be four times larger).

use std::cmp::Reverse;
use dary_heap::QuaternaryHeap;

use super::time::SimTime;

/// Bits of the key that hold the slab slot; the sequence number sits above them.
const SLOT_BITS: u32 = 24;
const SLOT_MASK: u128 = (1 << SLOT_BITS) - 1;
/// At most this many events may be pending at once (1,048,576: with the
/// slab, the heap and their growth, about 100 MB). The event budget counts events
/// processed; a model can still schedule far ahead faster than it consumes
/// (a high request rate over a link with a huge latency), so this is a budget too.
pub const PENDING_MAX: usize = 1 << 20;
const _: () = assert!(PENDING_MAX <= 1 << SLOT_BITS);

pub struct EventQueue<E> {
    /// `time << 64 | seq << 24 | slot`: one integer compare orders by time, then sequence.
    heap: QuaternaryHeap<Reverse<u128>>,
    slab: Vec<Option<E>>,
    free: Vec<u32>,
    next_seq: u64,
    /// Set when a push found `PENDING_MAX` events already waiting; the run loop
    /// stops with `RunError::PendingBudget` (the event was not kept).
    overflowed: bool,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue { heap: QuaternaryHeap::new(), slab: vec![], free: vec![], next_seq: 0, overflowed: false }
    }
}

impl<E> EventQueue<E> {
    /// Schedule `event` at `at_us`. Past `PENDING_MAX` pending events the event is
    /// dropped and `overflowed()` turns true: the run must stop, never panic.
    pub fn push(&mut self, at_us: SimTime, event: E) {
        let slot = match self.free.pop() {
            Some(s) => {
                self.slab[s as usize] = Some(event);
                s
            }
            None => {
                if self.slab.len() >= PENDING_MAX {
                    self.overflowed = true;
                    return;
                }
                self.slab.push(Some(event));
                (self.slab.len() - 1) as u32
            }
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        let key = (u128::from(at_us) << 64) | (u128::from(seq) << SLOT_BITS) | u128::from(slot);
        self.heap.push(Reverse(key));
    }

    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let Reverse(key) = self.heap.pop()?;
        let slot = (key & SLOT_MASK) as u32;
        let event = self.slab[slot as usize].take().expect("a queued slot holds its event");
        self.free.push(slot);
        Some(((key >> 64) as SimTime, event))
    }

    /// True once a push was refused for lack of room (see `push`).
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|Reverse(key)| (key >> 64) as SimTime)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order() {
        let mut q = EventQueue::default();
        q.push(30, "c");
        q.push(10, "a");
        q.push(20, "b");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![(10, "a"), (20, "b"), (30, "c")]);
    }

    #[test]
    fn ties_pop_in_insertion_order() {
        let mut q = EventQueue::default();
        for i in 0..100 {
            q.push(5, i);
        }
        q.push(4, -1);
        assert_eq!(q.pop(), Some((4, -1)));
        for i in 0..100 {
            assert_eq!(q.pop(), Some((5, i)));
        }
        assert!(q.is_empty());
    }

    #[test]
    fn a_full_queue_refuses_instead_of_panicking() {
        let mut q = EventQueue::default();
        for i in 0..PENDING_MAX {
            q.push(i as u64, ());
        }
        assert!(!q.overflowed());
        q.push(0, ());
        assert!(q.overflowed());
        assert_eq!(q.len(), PENDING_MAX);
        // Popping frees a slot that the next push reuses.
        q.pop();
        q.push(1, ());
        assert_eq!(q.len(), PENDING_MAX);
    }

    #[test]
    fn interleaved_pushes_keep_tie_order() {
        let mut q = EventQueue::default();
        q.push(1, 0);
        q.push(2, 1);
        assert_eq!(q.pop(), Some((1, 0)));
        q.push(2, 2);
        q.push(2, 3);
        assert_eq!(q.peek_time(), Some(2));
        assert_eq!(q.pop(), Some((2, 1)));
        assert_eq!(q.pop(), Some((2, 2)));
        assert_eq!(q.pop(), Some((2, 3)));
    }
}

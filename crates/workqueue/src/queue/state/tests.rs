//! Unit tests of the state machine, and a property test against client-go's structure
//! (a FIFO plus "dirty" and "processing" sets) as the reference model.

use std::collections::HashSet;

use proptest::prelude::*;

use super::*;

fn pop(state: &mut State<u8>) -> Option<u8> {
    match state.pop(None) {
        Pop::Item(item, _) => Some(item),
        Pop::Empty | Pop::Closed => None,
    }
}

#[test]
fn dirty_item_requeues_at_the_back() {
    let mut state = State::new();
    state.add(1, None);
    state.add(2, None);
    assert_eq!(pop(&mut state), Some(1));
    assert_eq!(state.add(1, None), Added::Deferred);
    let done = state.done(1, None);
    assert!(done.requeued && !done.idle && !done.wake_all_getters);
    assert_eq!((pop(&mut state), pop(&mut state)), (Some(2), Some(1)));
    state.check_invariants();
}

#[test]
fn idle_only_after_shutdown_with_nothing_left() {
    let mut state = State::new();
    state.add(1, None);
    assert_eq!(pop(&mut state), Some(1));
    assert!(!state.done(1, None).idle);
    state.add(2, None);
    state.shutdown(false, false);
    assert!(!state.is_idle());
    assert_eq!(pop(&mut state), Some(2));
    assert!(state.done(2, None).idle);
}

#[test]
fn discard_turns_dirty_items_back_into_plain_in_flight_ones() {
    let mut state = State::new();
    state.add(1, None);
    state.add(2, None);
    assert_eq!(pop(&mut state), Some(1));
    state.add(1, None);
    assert_eq!(state.shutdown(false, true), 1);
    assert_eq!(state.shutdown(false, true), 0);
    state.check_invariants();
    assert!(matches!(state.pop(None), Pop::Closed));
    let done = state.done(1, None);
    assert!(!done.requeued && done.idle);
}

#[test]
fn drain_waits_for_dirty_items() {
    let mut state = State::new();
    state.add(1, None);
    assert_eq!(pop(&mut state), Some(1));
    state.add(1, None);
    state.shutdown(true, false);
    assert!(matches!(state.pop(None), Pop::Empty));
    let done = state.done(1, None);
    assert!(done.requeued && done.wake_all_getters);
    assert_eq!(pop(&mut state), Some(1));
    assert!(matches!(state.pop(None), Pop::Closed));
}

#[test]
fn timestamps_give_latency_work_and_unfinished() {
    let t0 = Instant::now();
    let ms = Duration::from_millis;
    let mut state = State::new();
    state.add(1, Some(t0));
    let Pop::Item(1, latency) = state.pop(Some(t0 + ms(3))) else {
        panic!("item expected");
    };
    assert_eq!(latency, Some(ms(3)));
    assert_eq!(state.unfinished(t0 + ms(10)), (ms(7), ms(7)));
    assert_eq!(state.done(1, Some(t0 + ms(10))).work, Some(ms(7)));
    assert_eq!(state.unfinished(t0 + ms(10)), (ms(0), ms(0)));
}

/// client-go's structure, written as plainly as possible.
#[derive(Debug, Default)]
struct Model {
    queue: Vec<u8>,
    dirty: HashSet<u8>,
    processing: HashSet<u8>,
    shut_down: bool,
    drain: bool,
    discard: bool,
}

impl Model {
    fn add(&mut self, item: u8) -> Added {
        if self.shut_down {
            return Added::ShutDown;
        }
        if !self.dirty.insert(item) {
            return Added::Duplicate;
        }
        if self.processing.contains(&item) {
            return Added::Deferred;
        }
        self.queue.push(item);
        Added::Queued
    }

    fn pop(&mut self) -> Option<Option<u8>> {
        if self.queue.is_empty() {
            let more = self.drain && self.dirty.iter().any(|i| self.processing.contains(i));
            return (self.shut_down && !more).then_some(None);
        }
        let item = self.queue.remove(0);
        self.dirty.remove(&item);
        self.processing.insert(item);
        Some(Some(item))
    }

    fn done(&mut self, item: u8) {
        self.processing.remove(&item);
        if self.dirty.contains(&item) {
            if self.discard {
                self.dirty.remove(&item);
            } else {
                self.queue.push(item);
            }
        }
    }

    fn shutdown(&mut self, drain: bool, discard: bool) {
        self.shut_down = true;
        self.drain |= drain;
        if discard {
            self.discard = true;
            self.queue.clear();
            self.dirty.clear();
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Add(u8),
    Pop,
    Done(usize),
    Shutdown { drain: bool, discard: bool },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..6).prop_map(Op::Add),
        4 => Just(Op::Pop),
        4 => any::<usize>().prop_map(Op::Done),
        1 => (any::<bool>(), any::<bool>())
            .prop_map(|(drain, discard)| Op::Shutdown { drain, discard }),
    ]
}

proptest! {
    #[test]
    fn behaves_like_client_go(ops in proptest::collection::vec(op(), 1..200)) {
        let mut state = State::new();
        let mut model = Model::default();
        let mut in_flight: Vec<u8> = Vec::new();
        for op in ops {
            match op {
                Op::Add(item) => prop_assert_eq!(state.add(item, None), model.add(item)),
                Op::Pop => {
                    let got = match state.pop(None) {
                        Pop::Item(item, _) => Some(Some(item)),
                        Pop::Closed => Some(None),
                        Pop::Empty => None,
                    };
                    prop_assert_eq!(got, model.pop());
                    if let Some(Some(item)) = got {
                        in_flight.push(item);
                    }
                }
                Op::Done(index) if !in_flight.is_empty() => {
                    let item = in_flight.swap_remove(index % in_flight.len());
                    state.done(item, None);
                    model.done(item);
                }
                Op::Done(_) => {}
                Op::Shutdown { drain, discard } => {
                    state.shutdown(drain, discard);
                    model.shutdown(drain, discard);
                }
            }
            state.check_invariants();
            prop_assert_eq!(state.len(), model.queue.len());
            prop_assert_eq!(state.in_flight(), in_flight.len());
            prop_assert_eq!(state.queue.iter().copied().collect::<Vec<_>>(), model.queue.clone());
        }
    }
}

//! Nonstationary bit-history states.
//!
//! A context slot remembers what followed its context as one byte: a state standing for a pair of
//! counts `(n0, n1)` of zeros and ones seen. The update favours recent history: observing a bit
//! increments its count, and when the opposite count exceeds 2 its excess over 2 is halved
//! (`n = 2 + (n - 2) / 2`), so a context that changes its mind is believed quickly.
//!
//! Counts are bounded so that every pair fits in a byte: with `small = min(n0, n1)` and
//! `large = max(n0, n1)`, a pair is kept only if `large <= LARGEST[small]`; a pair beyond the bound
//! is pulled back by lowering the larger count. Short histories that have seen both bits (at most
//! `LAST_BIT_UP_TO` observations) also remember which bit came last, since "0 then 1" and "1
//! then 0" predict differently. The table is the closure of the update from
//! `(0, 0)` under this rule, numbered in breadth-first order, so state 0 is "never seen".
//! A [`crate::StateMap`] learns the actual probability of a 1 for each state, so the counts only
//! need to separate histories, not to estimate probabilities themselves.

use std::collections::{HashMap, VecDeque};
use std::sync::OnceLock;

/// The largest allowed larger count, indexed by the smaller count.
const LARGEST: [u16; 6] = [60, 30, 16, 10, 7, 5];

fn clamp_pair(mut n0: u16, mut n1: u16) -> (u16, u16) {
    loop {
        let small = n0.min(n1) as usize;
        if small < LARGEST.len() && n0.max(n1) <= LARGEST[small] {
            return (n0, n1);
        }
        if n0 >= n1 {
            n0 -= 1;
        } else {
            n1 -= 1;
        }
    }
}

/// Histories with both bits seen and at most this many observations also remember the last bit.
const LAST_BIT_UP_TO: u16 = 8;

/// A state's identity: the counts and, for short mixed histories, the last bit (else 0).
type Key = (u16, u16, u8);

fn observe((n0, n1, _): Key, bit: u32) -> Key {
    let discount = |n: u16| if n > 2 { 2 + (n - 2) / 2 } else { n };
    let (n0, n1) = if bit == 1 {
        clamp_pair(discount(n0), n1 + 1)
    } else {
        clamp_pair(n0 + 1, discount(n1))
    };
    let last = if n0 > 0 && n1 > 0 && n0 + n1 <= LAST_BIT_UP_TO {
        bit as u8
    } else {
        0
    };
    (n0, n1, last)
}

/// The generated state machine.
pub struct StateTable {
    next: Box<[[u8; 2]; 256]>,
    counts: Vec<(u16, u16)>,
}

impl StateTable {
    fn build() -> StateTable {
        let mut index: HashMap<Key, usize> = HashMap::new();
        let mut keys: Vec<Key> = vec![(0, 0, 0)];
        index.insert((0, 0, 0), 0);
        let mut queue = VecDeque::from([0usize]);
        let mut next = vec![[0u8; 2]];
        while let Some(s) = queue.pop_front() {
            for bit in 0..2u32 {
                let key = observe(keys[s], bit);
                let t = *index.entry(key).or_insert_with(|| {
                    keys.push(key);
                    next.push([0; 2]);
                    queue.push_back(keys.len() - 1);
                    keys.len() - 1
                });
                next[s][bit as usize] = u8::try_from(t).expect("state table exceeds 256 states");
            }
        }
        let mut table = Box::new([[0u8; 2]; 256]);
        table[..next.len()].copy_from_slice(&next);
        StateTable {
            next: table,
            counts: keys.iter().map(|&(n0, n1, _)| (n0, n1)).collect(),
        }
    }

    /// The shared table.
    pub fn get() -> &'static StateTable {
        static TABLE: OnceLock<StateTable> = OnceLock::new();
        TABLE.get_or_init(StateTable::build)
    }

    /// The state after observing `bit` in `state`.
    #[inline]
    pub fn next(&self, state: u8, bit: u32) -> u8 {
        self.next[state as usize][bit as usize]
    }

    /// `(n0, n1)` of a state.
    pub fn counts(&self, state: u8) -> (u16, u16) {
        self.counts[state as usize]
    }

    /// Number of states in use (at most 256).
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Always false: state 0 exists.
    pub fn is_empty(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_a_byte_and_starts_empty() {
        let t = StateTable::get();
        assert!(t.len() <= 256, "{} states", t.len());
        assert!(t.len() > 100);
        assert_eq!(t.counts(0), (0, 0));
    }

    #[test]
    fn runs_saturate_and_reversals_discount() {
        let t = StateTable::get();
        let mut s = 0u8;
        for _ in 0..100 {
            s = t.next(s, 1);
        }
        assert_eq!(t.counts(s), (0, LARGEST[0]));
        let s = t.next(s, 0);
        let (n0, n1) = t.counts(s);
        assert_eq!(n0, 1);
        assert!(n1 < LARGEST[0] / 2 + 2);
    }
}

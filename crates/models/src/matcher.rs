//! Match model: find the last time the recent bytes occurred and predict what followed.
//!
//! At each byte boundary the hash of the last [`MIN_MATCH`] bytes indexes a table of positions.
//! While a match is followed, each new byte that agrees with the byte after the match extends it;
//! a disagreement ends it, and a new candidate is looked up and verified backwards. During a byte
//! the model predicts the next bit of the expected byte, as long as the bits so far agree.
//!
//! The strength of the prediction is learnt by a [`StateMap`] indexed by the (bucketed) match length
//! and the expected bit: long matches are nearly always right on text, short ones much less.
//!
//! With a context table ([`MatchModel::with_context`], the strong levels) the model also names one
//! hashed context per byte: the expected byte, the length bucket and the last byte. Its bit
//! histories learn how the text actually continues where the match predicts a given byte — which
//! bytes it tends to be confused with — beyond the single expected bit.

use crate::context_map::finalize;
use crate::logistic::stretch;
use crate::model::{BitContext, History, Inputs, Model};
use crate::statemap::StateMap;
use crate::table::prefetch;

/// Bytes hashed to find a match candidate.
pub const MIN_MATCH: u64 = 6;
const MAX_VERIFY: u64 = 64;
const MAX_LENGTH: u32 = 65535;
/// The position table is read at this bit of each byte rather than at the byte boundary, so that
/// the load started (prefetched) at the boundary has arrived: a new match is predicted from the
/// second bit of its first byte on.
const LOOKUP_BIT: u32 = 1;

/// Compresses a match length into 16 buckets: exact up to 11, then coarser.
#[inline]
pub fn length_bucket(length: u32) -> u32 {
    match length {
        0..=11 => length,
        12..=15 => 12,
        16..=23 => 13,
        24..=31 => 14,
        _ => 15,
    }
}

pub struct MatchModel {
    positions: Vec<u32>,
    mask: usize,
    /// Absolute position of the byte expected next.
    pointer: u64,
    length: u32,
    missed: bool,
    active: bool,
    /// Table slot of the current context, looked up once its cache line has had time to arrive.
    pending_slot: Option<usize>,
    map: StateMap<32>,
    /// Bytes of the expected-byte context table (0: no such context).
    context_bytes: usize,
}

impl MatchModel {
    /// A model whose position table has `2^table_bits` entries.
    pub fn new(table_bits: u32) -> Self {
        MatchModel {
            positions: vec![0; 1 << table_bits],
            mask: (1 << table_bits) - 1,
            pointer: 0,
            length: 0,
            missed: false,
            active: false,
            pending_slot: None,
            map: StateMap::new(1023),
            context_bytes: 0,
        }
    }

    /// A model that also names the expected-byte context, with a table of `context_bytes`.
    pub fn with_context(table_bits: u32, context_bytes: usize) -> Self {
        MatchModel {
            context_bytes,
            ..MatchModel::new(table_bits)
        }
    }
}

impl MatchModel {
    /// Starts following the candidate in `slot` if no match is followed and the candidate's
    /// preceding bytes agree with the current ones; records the current position in `slot`.
    fn look_up(&mut self, slot: usize, history: &History) {
        let len = history.len();
        if self.length == 0 {
            let candidate = self.positions[slot] as u64;
            if candidate > 0 && len - candidate < history.capacity() - MAX_VERIFY {
                let mut n = 0;
                while n < MAX_VERIFY
                    && n < candidate
                    && history.at(candidate - 1 - n) == history.at(len - 1 - n)
                {
                    n += 1;
                }
                if n >= MIN_MATCH {
                    self.length = n as u32;
                    self.pointer = candidate;
                }
            }
        }
        self.positions[slot] = len as u32;
    }
}

impl Model for MatchModel {
    fn name(&self) -> String {
        "match".into()
    }

    fn input_count(&self) -> usize {
        2
    }

    fn own_bytes(&self) -> usize {
        self.positions.len() * 4
    }

    fn context_tables(&self) -> Vec<usize> {
        if self.context_bytes > 0 {
            vec![self.context_bytes]
        } else {
            Vec::new()
        }
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        let len = history.len();
        if self.length > 0 && !self.missed && history.at(self.pointer) == history.back(1) {
            self.length = (self.length + 1).min(MAX_LENGTH);
            self.pointer += 1;
        } else {
            self.length = 0;
        }
        self.missed = false;
        if let Some(context) = contexts.first_mut() {
            let expected = if self.length > 0 {
                history.at(self.pointer) as u64 | (length_bucket(self.length) as u64) << 8
            } else {
                0
            };
            *context = finalize(0x3A7C_0000_0000 ^ expected << 8 ^ history.back(1) as u64);
        }
        if len >= MIN_MATCH {
            let slot = finalize(history.last8() & 0xFFFF_FFFF_FFFF) as usize & self.mask;
            prefetch(&self.positions[slot]);
            self.pending_slot = Some(slot);
        }
    }

    fn predict(&mut self, bit: &mut BitContext, history: &History, inputs: &mut Inputs) {
        if bit.bit_pos == LOOKUP_BIT {
            if let Some(slot) = self.pending_slot.take() {
                self.look_up(slot, history);
            }
        }
        self.active = false;
        if self.length > 0 && !self.missed {
            let expected = history.at(self.pointer) as u32 | 0x100;
            if expected >> (8 - bit.bit_pos) == bit.c0 {
                let expected_bit = (expected >> (7 - bit.bit_pos)) & 1;
                let p = self
                    .map
                    .p((length_bucket(self.length) * 2 + expected_bit) as usize);
                let sign = expected_bit as i32 * 2 - 1;
                inputs.push(stretch(p));
                inputs.push(sign * (self.length.min(32) as i32) * 32);
                bit.match_length = self.length;
                bit.match_bit = expected_bit;
                self.active = true;
                return;
            }
            self.missed = true;
        }
        bit.match_length = 0;
        inputs.push(0);
        inputs.push(0);
    }

    fn update(&mut self, bit: u32) {
        if self.active {
            self.map.update(bit);
        }
    }
}

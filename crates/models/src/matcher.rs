//! Match model: find the last time the recent bytes occurred and predict what followed.
//!
//! At each byte boundary the hash of the last [`MIN_MATCH`] bytes (or [`MIN_MATCH_TRANSFORMED`],
//! see [`MatchModel::with_min_match`]) indexes a table of positions.
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
//!
//! [`MatchModel::long`] is a second instance that hashes a longer window (a rolling hash of the
//! last `min_match` bytes): the latest 6-byte repeat is often a short one while a long repeat
//! (a template, a boilerplate sentence) lies further back. It predicts the same way but leaves
//! the match state that selects weight sets and APM contexts to the primary model.

use crate::context_map::finalize;
use crate::logistic::stretch;
use crate::model::{BitContext, History, Inputs, Model};
use crate::statemap::StateMap;
use crate::table::{prefetch, ZeroedTable};

/// Bytes hashed to find a match candidate (by default: see [`MatchModel::with_min_match`]).
pub const MIN_MATCH: u64 = 6;
/// The same in text the dictionary transform has coded, where a byte often stands for a word:
/// 4 bytes find more repeats worth following (level 6: wiki4m -0.16%, w1m, alice29, enwik8-head
/// and book1 together -0.18%, wiki-dev -0.04%; 5 gained about half as much, 3 no more). The
/// engine uses it below the rich levels only (see `ModelParams::match_min` in `aizip`). Binary
/// data, never transformed, keeps 6: 4 cost kennedy.xls 1.9% at level 6.
pub const MIN_MATCH_TRANSFORMED: u64 = 4;
const MAX_VERIFY: u64 = 64;
const MAX_LENGTH: u32 = 65535;
/// The position table is read at this bit of each byte rather than at the byte boundary, so that
/// the load started (prefetched) at the boundary has arrived: a new match is predicted from the
/// second bit of its first byte on.
const LOOKUP_BIT: u32 = 1;

/// Values of [`length_bucket`].
pub const LENGTH_BUCKETS: usize = 16;

/// Compresses a match length into [`LENGTH_BUCKETS`] buckets: exact up to 11, then coarser.
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
    positions: ZeroedTable<u32>,
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
    /// Bytes a candidate must share with the current text (hashed to find it).
    min_match: u64,
    /// How those bytes are hashed.
    key: MatchKey,
    /// Whether this model's match state goes into the [`BitContext`] (the primary model).
    publishes: bool,
}

/// How the last `min_match` bytes become the key of the position table.
enum MatchKey {
    /// Up to 8 bytes: taken straight from the history's last eight.
    LastBytes,
    /// More: a rolling hash, updated by each byte entering and the one leaving the window.
    Rolling {
        window: u64,
        /// `WINDOW_MULTIPLIER^min_match`: the weight of the byte leaving the window.
        leaving_weight: u64,
    },
}

/// Multiplier of the rolling window hash.
const WINDOW_MULTIPLIER: u64 = 0x2F0F_3C1D_4A5B_6E79 | 1;

impl MatchModel {
    /// A model whose position table has `2^table_bits` entries.
    pub fn new(table_bits: u32) -> Self {
        MatchModel {
            positions: ZeroedTable::prefaulted(1 << table_bits),
            mask: (1 << table_bits) - 1,
            pointer: 0,
            length: 0,
            missed: false,
            active: false,
            pending_slot: None,
            map: StateMap::new(1023),
            context_bytes: 0,
            min_match: MIN_MATCH,
            key: MatchKey::LastBytes,
            publishes: true,
        }
    }

    /// A second model that follows only matches of at least `min_match` bytes (more than 8):
    /// where the primary model follows the latest short repeat, this one finds the latest long
    /// one. It leaves the [`BitContext`] to the primary model.
    pub fn long(table_bits: u32, min_match: u64) -> Self {
        assert!((9..=MAX_VERIFY).contains(&min_match));
        MatchModel {
            min_match,
            key: MatchKey::Rolling {
                window: 0,
                leaving_weight: (0..min_match).fold(1, |p, _| p.wrapping_mul(WINDOW_MULTIPLIER)),
            },
            publishes: false,
            ..MatchModel::new(table_bits)
        }
    }

    /// A model that also names the expected-byte context, with a table of `context_bytes`.
    pub fn with_context(table_bits: u32, context_bytes: usize) -> Self {
        MatchModel {
            context_bytes,
            ..MatchModel::new(table_bits)
        }
    }

    /// The model hashing the last `min_match` bytes (1 to 8) in place of [`MIN_MATCH`].
    pub fn with_min_match(self, min_match: u64) -> Self {
        assert!(
            matches!(self.key, MatchKey::LastBytes) && (1..=8).contains(&min_match),
            "a match key of up to 8 bytes"
        );
        MatchModel { min_match, ..self }
    }
}

impl MatchModel {
    /// Starts following the candidate in `slot` if no match is followed and the candidate's
    /// preceding bytes agree with the current ones; records the current position in `slot`.
    fn look_up(&mut self, slot: usize, history: &History) {
        let len = history.len();
        if self.length == 0 {
            let candidate = self.positions.as_slice()[slot] as u64;
            if candidate > 0 && len - candidate < history.capacity() - MAX_VERIFY {
                let mut n = 0;
                while n < MAX_VERIFY
                    && n < candidate
                    && history.at(candidate - 1 - n) == history.at(len - 1 - n)
                {
                    n += 1;
                }
                if n >= self.min_match {
                    self.length = n as u32;
                    self.pointer = candidate;
                }
            }
        }
        self.positions.as_mut_slice()[slot] = len as u32;
    }
}

impl Model for MatchModel {
    fn name(&self) -> String {
        if self.publishes {
            "match".into()
        } else {
            "match-long".into()
        }
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
        let key = match &mut self.key {
            MatchKey::LastBytes => history.last8() & (u64::MAX >> (64 - 8 * self.min_match)),
            MatchKey::Rolling {
                window,
                leaving_weight,
            } => {
                let leaving = if len > self.min_match {
                    history.back(self.min_match + 1) as u64
                } else {
                    0
                };
                *window = window
                    .wrapping_mul(WINDOW_MULTIPLIER)
                    .wrapping_add(history.back(1) as u64)
                    .wrapping_sub(leaving.wrapping_mul(*leaving_weight));
                *window
            }
        };
        if len >= self.min_match {
            let slot = finalize(key) as usize & self.mask;
            prefetch(&self.positions.as_slice()[slot]);
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
                if self.publishes {
                    bit.match_length = self.length;
                    bit.match_bit = expected_bit;
                }
                self.active = true;
                return;
            }
            self.missed = true;
        }
        if self.publishes {
            bit.match_length = 0;
        }
        inputs.push(0);
        inputs.push(0);
    }

    fn update(&mut self, bit: u32) {
        if self.active {
            self.map.update(bit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{code_bits, pseudo_random_bytes};

    /// Runs `model` over `text`; for each byte, whether the model predicted every one of its bits
    /// (a non-zero input of the right sign) and whether it published a match.
    fn run(model: &mut MatchModel, text: &[u8]) -> Vec<(bool, bool)> {
        let mut seen = Vec::new();
        let (mut predicted, mut published) = (true, false);
        code_bits(model, text, |bit, inputs, y| {
            predicted &= inputs[1].signum() == y as i32 * 2 - 1;
            published |= bit.match_length > 0;
            if bit.bit_pos == 7 {
                seen.push((predicted, published));
                (predicted, published) = (true, false);
            }
        });
        seen
    }

    fn repeated_text() -> Vec<u8> {
        let mut text = pseudo_random_bytes(300);
        text.extend_from_within(100..200);
        text
    }

    #[test]
    fn follows_a_repeat() {
        let seen = run(&mut MatchModel::new(12), &repeated_text());
        // Found after MIN_MATCH bytes of the repeat (and the lookup bit), then always right.
        assert!(seen[300 + MIN_MATCH as usize + 1..]
            .iter()
            .all(|&s| s == (true, true)));
        assert!(seen[..300].iter().all(|&(predicted, _)| !predicted));
    }

    #[test]
    fn a_shorter_key_finds_the_repeat_sooner() {
        let mut model = MatchModel::new(12).with_min_match(MIN_MATCH_TRANSFORMED);
        let seen = run(&mut model, &repeated_text());
        let found = 300 + MIN_MATCH_TRANSFORMED as usize + 1;
        assert!(seen[found..].iter().all(|&s| s == (true, true)));
        // Where the shorter key predicts, the default one has not found the repeat yet.
        let default = run(&mut MatchModel::new(12), &repeated_text());
        assert!(default[found] != (true, true));
    }

    #[test]
    fn the_long_model_waits_for_a_long_repeat_and_publishes_nothing() {
        let seen = run(&mut MatchModel::long(12, 12), &repeated_text());
        assert!(seen[300..312].iter().all(|&(predicted, _)| !predicted));
        assert!(seen[313..].iter().all(|&s| s == (true, false)));
    }
}

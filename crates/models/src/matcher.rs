//! Match model: find the last time the recent bytes occurred and predict what followed.
//!
//! At each byte boundary the hash of the last [`MIN_MATCH`] bytes (or [`MIN_MATCH_TRANSFORMED`],
//! see [`MatchModel::with_min_match`]) indexes a table of positions, one per slot. (Buckets of
//! the last four positions, newest first, following the one that shares the most bytes with the
//! text, took wiki4m 0.073% smaller at level 6 but only 0.004% at level 9, and wiki-dev 0.17% and
//! 0.21% larger at levels 3 and 4: a bucket keeps a quarter as many keys, which costs where the
//! input overfills the table, as level 9's on a gigabyte would be.)
//! While a match is followed, each new byte that agrees with the byte after the match extends it;
//! a disagreement ends it, and a new candidate is looked up and verified backwards. During a byte
//! the model predicts the next bit of the expected byte, as long as the bits so far agree.
//!
//! The strength of the prediction is learnt by a [`StateMap`] indexed by the (bucketed) match
//! length and the expected bit: long matches are nearly always right on text, short ones much
//! less (with the bit position as well, wiki4m lost 0.004% at level 8; a third input, the linear
//! probability or the length's logarithm, gained 10 bytes there).
//!
//! With a context table ([`MatchModel::with_context`], the strong levels) the model also names one
//! hashed context per byte: the expected byte, the length bucket and the last byte. Its bit
//! histories learn how the text actually continues where the match predicts a given byte — which
//! bytes it tends to be confused with — beyond the single expected bit. A second context, in a
//! table of its own, is the expected byte with whether the match is at least
//! [`LONG_EXPECTED_MATCH`] bytes long (a single value where no match is followed, a recovery
//! included) and the last two bytes. Measured on wiki4m at level 8: -0.040% (-0.033% without
//! the length flag, -0.017% with the byte a recovery expects; with the last byte -0.009%, three
//! bytes -0.034%, four -0.035%, six -0.007%); in place of the last byte in the first context, two
//! bytes lost 0.014% and three 0.053%. At level 9: -0.027%.
//!
//! A mismatch ends the match but not its position: the model goes on *recovering*, comparing
//! each new byte with the byte the old match points at, one further on each time, and meanwhile
//! predicts that byte's bits as it does a match's, but with StateMap contexts of its own: how
//! many more disagreements the recovery may pass over. The first agreement resumes the match
//! there, at length 1 (so the length buckets under the key's length, which every verified match
//! reaches, learn how far to trust a resumed one); up to [`RECOVERY_MISSES`] further
//! disagreements are passed over first; a new candidate found meanwhile ends the recovery. A
//! repeat with a few bytes changed (a number in a template, a field of a binary record) is thus
//! followed on past each change, where a new lookup would wait for `MIN_MATCH` more bytes.
//! Measured at level 6 in trial builds, one step on another: resuming without predicting while
//! recovering, kennedy.xls -4.5%, obj2 -2.1%, wiki4m -0.05%, enwik8-head -0.09% (ptt5 -0.5% and
//! geo -0.2% passing over no further disagreement); the predictions then a further kennedy.xls
//! -1.6% (-6.0% in all), obj2 -1.3%, wiki4m -0.036% and enwik8-head -0.04% (at level 8, wiki4m
//! -0.013%). Resuming only after two agreeing bytes lost wiki4m 0.01% at level 8. Nor does a
//! followed match give way to a longer candidate: looking up while the match is under 16 bytes
//! and following a candidate that shares more bytes with the text lost wiki4m 0.015% there.
//!
//! With [`MatchModel::with_expected_context`] (the rich levels) the model names one more,
//! small context: the expected byte alone, with whether the match is at least
//! [`LONG_EXPECTED_MATCH`] bytes long; or the byte a recovery expects; or one value where
//! neither is followed. It learns which bytes come in place of each expected byte whatever
//! precedes it, where the context above splits that by the last byte. Measured on wiki4m at
//! level 8, before the recovery: -0.077% (-0.043% with the last byte as well, -0.065% without
//! the length flag, -0.074% with a flag at 32 bytes). The recovering byte took 0.012% more off
//! wiki4m (0.025% at level 7), kennedy.xls 0.2% and obj2 0.5%; in the other context as well, it
//! lost wiki4m 0.023% (and gained kennedy.xls 0.3%, obj2 0.2%).
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

/// Bytes hashed to find a match candidate (by default: see [`MatchModel::with_min_match`]). At
/// level 8 on wiki4m, 5 took 10 bytes more and 7 138 more.
pub const MIN_MATCH: u64 = 6;
/// The same in text the dictionary transform has coded, where a byte often stands for a word:
/// 4 bytes find more repeats worth following (level 6: wiki4m -0.16%, w1m, alice29, enwik8-head
/// and book1 together -0.18%, wiki-dev -0.04%; 5 gained about half as much, 3 no more). The
/// engine uses it below the rich levels only (see `ModelParams::match_min` in `aizip`). Binary
/// data, never transformed, keeps 6: 4 cost kennedy.xls 1.9% at level 6.
pub const MIN_MATCH_TRANSFORMED: u64 = 4;
const MAX_VERIFY: u64 = 64;
/// The disagreements a recovering match passes over after the one that ended it (see the module
/// documentation). Measured at level 6 against none: kennedy.xls -0.4%, obj2 -0.7%, wiki4m
/// -0.011%; 1 gained about as much; 8 and 32 took wiki4m 0.001% and 0.006% further but gave
/// kennedy.xls and obj2 back 0.05-0.07%.
const RECOVERY_MISSES: u32 = 3;
/// The StateMap's contexts: (length bucket, expected bit) while a match is followed, then
/// (disagreements a recovery may still pass over, expected bit), rounded up to the power of two
/// a [`StateMap`] has.
const MAP_CONTEXTS: usize =
    (2 * LENGTH_BUCKETS + 2 * (RECOVERY_MISSES as usize + 1)).next_power_of_two();
/// The first StateMap context of a recovery.
const RECOVERING_CONTEXT: usize = 2 * LENGTH_BUCKETS;
/// Values of [`BitContext::recovery`] besides 0: (disagreements a recovery may still pass over,
/// expected bit).
pub const RECOVERY_STATES: usize = 2 * (RECOVERY_MISSES as usize + 1);
/// The match length from which the expected-byte context sets its flag.
const LONG_EXPECTED_MATCH: u32 = 16;
/// Bytes of the expected-byte context's table: it has 769 values (the expected byte with and
/// without the flag, a recovery's byte, none), each taking 17 nibble slots of 16 bytes (see
/// `context_map`), so this has about five times the slots they can fill.
const EXPECTED_CONTEXT_BYTES: usize = 1 << 20;
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
    /// After a mismatch: the position of the byte the ended match expects next, and how many
    /// more disagreements it may pass over (see the module documentation).
    recovering: Option<(u64, u32)>,
    active: bool,
    /// Table slot of the current context, looked up once its cache line has had time to arrive.
    pending_slot: Option<usize>,
    map: StateMap<MAP_CONTEXTS>,
    /// Bytes of the table of the context of the expected byte, its length bucket and the last
    /// byte (0: no such context).
    context_bytes: usize,
    /// Bytes of the table of the context of the expected byte (with its long-match flag) and the
    /// last two bytes, named with the first context.
    pair_bytes: usize,
    /// Whether the model names the context of the expected byte alone.
    expected_context: bool,
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
            recovering: None,
            active: false,
            pending_slot: None,
            // 127 and 255 took 24 and 17 bytes off wiki4m at level 8: too little to tell.
            map: StateMap::new(1023),
            context_bytes: 0,
            pair_bytes: 0,
            expected_context: false,
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

    /// A model that also names the context of the expected byte, its length bucket and the last
    /// byte, with a table of `context_bytes`, and that of the expected byte, its long-match flag
    /// and the last two bytes, with a table of `pair_bytes`.
    pub fn with_context(table_bits: u32, context_bytes: usize, pair_bytes: usize) -> Self {
        assert!(context_bytes > 0 && pair_bytes > 0, "two context tables");
        MatchModel {
            context_bytes,
            pair_bytes,
            ..MatchModel::new(table_bits)
        }
    }

    /// The model naming also the context of the expected byte alone (see the module
    /// documentation), after any other.
    pub fn with_expected_context(self) -> Self {
        MatchModel {
            expected_context: true,
            ..self
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

/// The bit that `expected`, the byte a match expects, gives the coming bit, if the bits of the
/// byte so far (in `bit`) agree with it.
#[inline]
fn expected_bit(expected: u8, bit: &BitContext) -> Option<u32> {
    let expected = expected as u32 | 0x100;
    (expected >> (8 - bit.bit_pos) == bit.c0).then_some((expected >> (7 - bit.bit_pos)) & 1)
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
                    self.recovering = None;
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
        let mut tables = Vec::new();
        if self.context_bytes > 0 {
            tables.push(self.context_bytes);
            tables.push(self.pair_bytes);
        }
        if self.expected_context {
            tables.push(EXPECTED_CONTEXT_BYTES);
        }
        tables
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        let len = history.len();
        let byte = history.back(1);
        if self.length > 0 {
            if history.at(self.pointer) == byte {
                self.length = (self.length + 1).min(MAX_LENGTH);
            } else {
                self.length = 0;
                self.recovering = Some((self.pointer + 1, RECOVERY_MISSES));
            }
            self.pointer += 1;
        } else if let Some((pointer, misses_left)) = self.recovering {
            self.recovering = None;
            if history.at(pointer) == byte {
                self.length = 1;
                self.pointer = pointer + 1;
            } else if misses_left > 0 {
                self.recovering = Some((pointer + 1, misses_left - 1));
            }
        }
        let mut named = contexts.iter_mut();
        let followed = (self.length > 0).then(|| history.at(self.pointer) as u64);
        // The expected byte with whether the match is long; 0x100 keeps it apart from no match.
        let flagged = followed
            .map(|expected| 0x100 | expected | u64::from(self.length >= LONG_EXPECTED_MATCH) << 9);
        if self.context_bytes > 0 {
            let expected = followed.map_or(0, |expected| {
                expected | (length_bucket(self.length) as u64) << 8
            });
            *named.next().expect("a slot per context") =
                finalize(0x3A7C_0000_0000 ^ expected << 8 ^ byte as u64);
            *named.next().expect("a slot per context") =
                finalize(0x4D2E_0000_0000 ^ flagged.unwrap_or(0) << 16 ^ history.last8() & 0xFFFF);
        }
        if self.expected_context {
            let recovering = self
                .recovering
                .map(|(pointer, _)| 0x400 | history.at(pointer) as u64);
            let expected = flagged.or(recovering).unwrap_or(0);
            *named.next().expect("a slot per context") = finalize(0x5B1D_0000_0000 ^ expected);
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
        if self.publishes {
            bit.match_length = 0;
            bit.recovery = 0;
        }
        // The StateMap's first context for the expected byte, that byte's position, and the
        // strength the second input gives it. A match (one found at the lookup bit too) takes
        // the place of a recovery, which `look_up` then ends.
        let expectation = if self.length > 0 {
            let context = length_bucket(self.length) as usize * 2;
            Some((context, self.pointer, self.length.min(32) as i32 * 32))
        } else {
            self.recovering.map(|(pointer, misses_left)| {
                (RECOVERING_CONTEXT + 2 * misses_left as usize, pointer, 0)
            })
        };
        let prediction = expectation.and_then(|(context, pointer, strength)| {
            expected_bit(history.at(pointer), bit).map(|expected| (context, expected, strength))
        });
        self.active = prediction.is_some();
        let Some((context, expected_bit, strength)) = prediction else {
            inputs.push(0);
            inputs.push(0);
            return;
        };
        let p = self.map.p(context + expected_bit as usize);
        inputs.push(stretch(p));
        inputs.push((expected_bit as i32 * 2 - 1) * strength);
        if self.publishes {
            if self.length > 0 {
                bit.match_length = self.length;
                bit.match_bit = expected_bit;
            } else {
                bit.recovery = 1 + (context - RECOVERING_CONTEXT) as u32 + expected_bit;
            }
        }
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
    use crate::model::{code_bits, code_bits_naming, pseudo_random_bytes};
    use std::collections::{HashMap, HashSet};

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

    /// [`repeated_text`] with the repeat's bytes at the offsets `changed` altered.
    fn repeat_with_changes(changed: std::ops::Range<usize>) -> Vec<u8> {
        let mut text = repeated_text();
        for offset in changed {
            text[300 + offset] ^= 0x55;
        }
        text
    }

    #[test]
    fn a_match_recovers_past_changed_bytes() {
        // The change at offset 40 ends the match, the next three are passed over, and the
        // unchanged byte at 44 resumes it: every later byte is predicted.
        let seen = run(&mut MatchModel::new(12), &repeat_with_changes(40..44));
        assert!(seen[300 + 45..].iter().all(|&s| s == (true, true)));
        // A fifth change ends the recovery: only a lookup finds the repeat again, once the key's
        // MIN_MATCH bytes are past the changes (and at the lookup bit).
        let seen = run(&mut MatchModel::new(12), &repeat_with_changes(40..45));
        let found = 300 + 45 + MIN_MATCH as usize;
        assert!(seen[300 + 45..found]
            .iter()
            .all(|&(_, published)| !published));
        assert!(seen[found + 1..].iter().all(|&s| s == (true, true)));
    }

    #[test]
    fn a_recovery_predicts_the_byte_it_expects() {
        // Every tenth byte of the repeat changed: each change ends the match, and the recovery
        // predicts the next byte (with its own StateMap contexts, which learn from the first
        // few), then resumes the match.
        let mut text = repeated_text();
        for offset in (10..100).step_by(10) {
            text[300 + offset] ^= 0x55;
        }
        let mut recovered = Vec::new();
        code_bits(&mut MatchModel::new(12), &text, |bit, inputs, y| {
            let after_change = (310..400).contains(&recovered.len()) && recovered.len() % 10 == 1;
            if bit.bit_pos == 0 {
                recovered.push(after_change.then_some(true));
            }
            if let Some(Some(right)) = recovered.last_mut() {
                *right &= inputs[0].signum() == y as i32 * 2 - 1
                    && inputs[1] == 0
                    && bit.match_length == 0;
            }
        });
        let recovered: Vec<bool> = recovered.into_iter().flatten().collect();
        assert_eq!(recovered.len(), 9);
        assert!(recovered[3..].iter().all(|&right| right), "{recovered:?}");
    }

    #[test]
    fn the_expected_context_names_the_expected_byte_and_whether_the_match_is_long() {
        let text = repeated_text();
        let mut model = MatchModel::new(12).with_expected_context();
        assert_eq!(model.context_tables(), [EXPECTED_CONTEXT_BYTES]);
        // The context named for each byte (at its first bit).
        let mut named = Vec::new();
        code_bits_naming(&mut model, &text, |bit, _, _, contexts| {
            if bit.bit_pos == 0 {
                named.push(contexts[0]);
            }
        });
        // The repeat is followed from byte 307 on, with `i - 300` bytes matched before byte i.
        let none = named[0];
        assert!(named[..307].iter().all(|&c| c == none));
        let mut by_expectation = HashMap::new();
        for (i, &context) in named.iter().enumerate().skip(307) {
            let long = i - 300 >= LONG_EXPECTED_MATCH as usize;
            assert_ne!(context, none);
            assert_eq!(
                *by_expectation.entry((text[i], long)).or_insert(context),
                context
            );
        }
        let distinct: HashSet<_> = by_expectation.values().collect();
        assert_eq!(distinct.len(), by_expectation.len());
        // After a change at offset 40 ends the match, the context names the byte the recovery
        // expects, apart from the bytes a match expects; the byte after resumes the match.
        let text = repeat_with_changes(40..41);
        let mut model = MatchModel::new(12).with_expected_context();
        let mut recovering = Vec::new();
        code_bits_naming(&mut model, &text, |bit, _, _, contexts| {
            if bit.bit_pos == 0 {
                recovering.push(contexts[0]);
            }
        });
        let recovery = recovering[341];
        assert!(recovery != none && !distinct.contains(&recovery));
        assert_eq!(recovering[..341], named[..341]);
        // Resumed at length 1 before byte 342, the match is long again before byte 357.
        let resumed = 342 + LONG_EXPECTED_MATCH as usize - 1;
        assert!((342..resumed).all(|i| recovering[i] != named[i]));
        assert_eq!(recovering[resumed..], named[resumed..]);
        // The same model with the other context names that one first.
        let model = MatchModel::with_context(12, 1 << 16, 1 << 15).with_expected_context();
        assert_eq!(
            model.context_tables(),
            [1 << 16, 1 << 15, EXPECTED_CONTEXT_BYTES]
        );
    }

    #[test]
    fn the_second_context_names_the_expected_byte_and_the_last_two_bytes() {
        // The repeated stretch has the pair "ab" before three different bytes, and "abc" both
        // under and over LONG_EXPECTED_MATCH bytes into a match; the byte at offset 40 of the
        // repeat is changed, so that byte 341 is coded while the match recovers.
        let mut text = repeated_text();
        for (offset, bytes) in [(8, b"abc"), (28, b"abc"), (50, b"abd"), (60, b"abe")] {
            text[100 + offset..103 + offset].copy_from_slice(bytes);
            text[300 + offset..303 + offset].copy_from_slice(bytes);
        }
        text[340] ^= 0x55;
        let mut model = MatchModel::with_context(12, 1 << 16, 1 << 15);
        let mut named = Vec::new();
        code_bits_naming(&mut model, &text, |bit, _, _, contexts| {
            if bit.bit_pos == 0 {
                named.push(contexts[1]);
            }
        });
        // The repeat is followed from byte 307 on, and again from 342 on (resumed at length 1
        // after the recovering byte); the byte expected before byte i is text[i - 200].
        let expectation = |i: usize| {
            let matched = match i {
                307..=340 => i - 300,
                342.. => i - 341,
                _ => return None,
            };
            Some((text[i - 200], matched >= LONG_EXPECTED_MATCH as usize))
        };
        // Each context stands for one (expected byte and length flag, or none; last two bytes),
        // and each such value has its own context.
        let mut by_value = HashMap::new();
        for (i, &context) in named.iter().enumerate().skip(2) {
            let value = (expectation(i), text[i - 2], text[i - 1]);
            assert_eq!(
                *by_value.entry(value).or_insert(context),
                context,
                "byte {i}"
            );
        }
        let distinct: HashSet<_> = by_value.values().collect();
        assert_eq!(distinct.len(), by_value.len());
        // After "ab": c in a short and in a long match, d and e.
        let after_ab = by_value
            .keys()
            .filter(|(expected, a, b)| expected.is_some() && (*a, *b) == (b'a', b'b'))
            .count();
        assert_eq!(after_ab, 4);
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

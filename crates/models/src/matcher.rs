//! Match model: find the last time the recent bytes occurred and predict what followed.
//!
//! At each byte boundary the hash of the last [`MIN_MATCH`] bytes (or [`MIN_MATCH_TRANSFORMED`],
//! see [`MatchModel::with_min_match`]) indexes a table of positions, in buckets of the last
//! [`CANDIDATES`] positions whose keys fell there, newest first: where no match is followed,
//! each candidate is verified backwards, and the one that shares the most bytes with the text
//! (the newest of equals) is followed.
//! While a match is followed, each new byte that agrees with the byte after the match extends it;
//! a disagreement ends it, and a new candidate is looked up and verified backwards. During a byte
//! the model predicts the next bit of the expected byte, as long as the bits so far agree.
//!
//! The strength of the prediction is learnt by a [`StateMap`] indexed by the (bucketed) match length
//! and the expected bit: long matches are nearly always right on text, short ones much less
//! (with the bit position as well, wiki4m lost 0.004% at level 8; a third input, the linear
//! probability or the length's logarithm, gained 10 bytes there).
//!
//! With a context table ([`MatchModel::with_context`], the strong levels) the model also names one
//! hashed context per byte: the expected byte, the length bucket and the last byte. Its bit
//! histories learn how the text actually continues where the match predicts a given byte — which
//! bytes it tends to be confused with — beyond the single expected bit.
//!
//! A mismatch ends the match but not its position: the model goes on *recovering*, comparing
//! each new byte with the byte the old match points at, one further on each time, and meanwhile
//! predicts that byte's bits as it does a match's, but with StateMap contexts of its own: how
//! many more disagreements the recovery may pass over. The first agreement resumes the match
//! there, at length 1 (so the length buckets below a verified match's [`MIN_MATCH`] mostly
//! learn how far to trust a resumed one); up to [`RECOVERY_MISSES`] further disagreements are
//! passed over first; a new candidate found meanwhile ends the recovery. A repeat with a few
//! bytes changed (a number in a template, a field of a binary record) is thus followed on past
//! each change, where a new lookup would wait for `MIN_MATCH` more bytes. Measured at level 6,
//! resuming without predicting while recovering: kennedy.xls -4.5%, obj2 -2.1%, ptt5 -0.5%, geo
//! -0.2%, wiki4m -0.05%, enwik8-head -0.09%; the predictions then took kennedy.xls 1.6% further,
//! obj2 1.3%, wiki4m 0.036% and enwik8-head 0.04% (at level 8, wiki4m 0.013%). Resuming only
//! after two agreeing bytes lost wiki4m 0.01% at level 8.
//!
//! With [`MatchModel::with_expected_context`] (the rich levels) the model names one more,
//! small context: the expected byte alone, with whether the match is at least
//! [`LONG_EXPECTED_MATCH`] bytes long; or the byte a recovery expects; or one value where
//! neither is followed. It learns which bytes come in place of each expected byte whatever
//! precedes it, where the context above splits that by the last byte. Measured on wiki4m at
//! level 8, before the recovery: -0.077% (-0.043% with the last byte as well, -0.065% without
//! the length flag, -0.074% with a flag at 32 bytes). The recovering byte took 0.012% more off
//! wiki4m (0.025% at level 7), kennedy.xls 0.2% and obj2 0.5%; in the other context as well, it
//! lost wiki4m 0.023% (and gained binary files 0.2-0.6%).
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
/// Positions per bucket of the position table (see the module documentation). Measured against
/// one, with the recovery: wiki4m at level 6 -0.073%, level 8 -0.019%, level 9 -0.004%;
/// enwik8-head -0.02%, book1 -0.025%, at level 8 ptt5 -0.45%, geo -0.04%, but kennedy.xls +0.7%.
/// Two gained about half as much; following the newest candidate that shares at least 16 or 32
/// bytes instead of the longest gave the same bytes.
const CANDIDATES: usize = 4;
/// The disagreements a recovering match passes over after the one that ended it (see the module
/// documentation). Measured at level 6 against none: kennedy.xls -0.4%, obj2 -0.7%, wiki4m
/// -0.011%; 1 gained about as much, 8 and 32 no more (binary data lost a little).
const RECOVERY_MISSES: u32 = 3;
/// The StateMap's contexts: (length bucket, expected bit) while a match is followed, then
/// (disagreements a recovery may still pass over, expected bit).
const MAP_CONTEXTS: usize =
    (2 * LENGTH_BUCKETS + 2 * (RECOVERY_MISSES as usize + 1)).next_power_of_two();
/// The first StateMap context of a recovery.
const RECOVERING_CONTEXT: usize = 2 * LENGTH_BUCKETS;
/// Values of [`BitContext::recovery`] besides 0: (disagreements a recovery may still pass over,
/// expected bit).
pub const RECOVERY_STATES: usize = 2 * (RECOVERY_MISSES as usize + 1);
/// The match length from which the expected-byte context sets its flag.
pub const LONG_EXPECTED_MATCH: u32 = 16;
/// Bytes of the expected-byte context's table: it has 769 values, each taking 17 nibble slots
/// of 16 bytes (see `context_map`), so this has about four times the slots they can fill.
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
    /// Whether the current byte's bits have left the followed match's expected byte.
    missed: bool,
    /// After a mismatch: the position of the byte the ended match expects next, and how many
    /// more disagreements it may pass over (see the module documentation).
    recovering: Option<(u64, u32)>,
    /// Whether the current byte's bits have left the byte the recovery expects.
    recovery_missed: bool,
    active: bool,
    /// Table bucket of the current context, looked up once its cache line has had time to
    /// arrive.
    pending_bucket: Option<usize>,
    map: StateMap<MAP_CONTEXTS>,
    /// Bytes of the table of the context of the expected byte, its length bucket and the last
    /// byte (0: no such context).
    context_bytes: usize,
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
            missed: false,
            recovering: None,
            recovery_missed: false,
            active: false,
            pending_bucket: None,
            map: StateMap::new(1023),
            context_bytes: 0,
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
    /// byte, with a table of `context_bytes`.
    pub fn with_context(table_bits: u32, context_bytes: usize) -> Self {
        MatchModel {
            context_bytes,
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
    /// Starts following the longest of the candidates in the position table's `bucket` if no
    /// match is followed and it shares at least `min_match` bytes with the text; records the
    /// current position in the bucket, the oldest candidate giving way.
    fn look_up(&mut self, bucket: usize, history: &History) {
        let len = history.len();
        let candidates = &mut self.positions.as_mut_slice()[bucket..bucket + CANDIDATES];
        if self.length == 0 {
            let mut longest = self.min_match - 1;
            for &candidate in candidates.iter() {
                let candidate = candidate as u64;
                if candidate > 0 && len - candidate < history.capacity() - MAX_VERIFY {
                    let mut n = 0;
                    while n < MAX_VERIFY
                        && n < candidate
                        && history.at(candidate - 1 - n) == history.at(len - 1 - n)
                    {
                        n += 1;
                    }
                    if n > longest {
                        longest = n;
                        self.length = n as u32;
                        self.pointer = candidate;
                        self.recovering = None;
                    }
                }
            }
        }
        candidates.copy_within(..CANDIDATES - 1, 1);
        candidates[0] = len as u32;
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
            if !self.missed && history.at(self.pointer) == byte {
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
        self.missed = false;
        self.recovery_missed = false;
        let mut named = contexts.iter_mut();
        if self.context_bytes > 0 {
            let expected = if self.length > 0 {
                history.at(self.pointer) as u64 | (length_bucket(self.length) as u64) << 8
            } else {
                0
            };
            *named.next().expect("a slot per context") =
                finalize(0x3A7C_0000_0000 ^ expected << 8 ^ byte as u64);
        }
        if self.expected_context {
            let expected = match self.recovering {
                _ if self.length > 0 => {
                    0x100
                        | history.at(self.pointer) as u64
                        | u64::from(self.length >= LONG_EXPECTED_MATCH) << 9
                }
                Some((pointer, _)) => 0x400 | history.at(pointer) as u64,
                None => 0,
            };
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
            let bucket = finalize(key) as usize & self.mask & !(CANDIDATES - 1);
            prefetch(&self.positions.as_slice()[bucket]);
            self.pending_bucket = Some(bucket);
        }
    }

    fn predict(&mut self, bit: &mut BitContext, history: &History, inputs: &mut Inputs) {
        if bit.bit_pos == LOOKUP_BIT {
            if let Some(bucket) = self.pending_bucket.take() {
                self.look_up(bucket, history);
            }
        }
        self.active = false;
        if self.publishes {
            bit.match_length = 0;
            bit.recovery = 0;
        }
        if self.length > 0 && !self.missed {
            match expected_bit(history.at(self.pointer), bit) {
                Some(expected_bit) => {
                    let context = length_bucket(self.length) * 2 + expected_bit;
                    let p = self.map.p(context as usize);
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
                None => self.missed = true,
            }
        }
        // A candidate found at the lookup bit ends the recovery (`look_up`): a recovery and a
        // match never predict the same bit.
        if let Some((pointer, misses_left)) = self.recovering.filter(|_| !self.recovery_missed) {
            match expected_bit(history.at(pointer), bit) {
                Some(expected_bit) => {
                    let context = RECOVERING_CONTEXT + 2 * misses_left as usize;
                    let p = self.map.p(context + expected_bit as usize);
                    inputs.push(stretch(p));
                    inputs.push(0);
                    if self.publishes {
                        bit.recovery = 1 + 2 * misses_left + expected_bit;
                    }
                    self.active = true;
                    return;
                }
                None => self.recovery_missed = true,
            }
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
        // The same model with the other context names that one first.
        let model = MatchModel::with_context(12, 1 << 16).with_expected_context();
        assert_eq!(model.context_tables(), [1 << 16, EXPECTED_CONTEXT_BYTES]);
    }

    #[test]
    fn the_candidate_sharing_most_with_the_text_is_followed() {
        // The text's last 6 bytes occurred twice before: first after the same 4 bytes as now,
        // then after others. The bucket holds both; the older shares 10 bytes with the text.
        let text = b"#1abcdefghijX##zzzzefghijY#2abcdefghij";
        let (older, newer) = (12, 25);
        let mut history = History::new(4096);
        for &byte in text {
            history.push(byte);
        }
        let mut model = MatchModel::new(12);
        model.positions.as_mut_slice()[..2].copy_from_slice(&[newer, older]);
        model.look_up(0, &history);
        assert_eq!((model.pointer, model.length), (u64::from(older), 10));
        // The current position goes in first; the oldest of the bucket's four gives way.
        let len = text.len() as u32;
        assert_eq!(
            model.positions.as_slice()[..CANDIDATES],
            [len, newer, older, 0]
        );
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

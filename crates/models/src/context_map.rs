//! Hashed context map: context hash → bit histories; and [`ContextStateMaps`]: bit histories →
//! probabilities.
//!
//! ## Memory layout
//! The table is an array of 64-byte buckets (one cache line). A bucket holds four 16-byte slots:
//!
//! ```text
//! slot = [check: u8][state: u8; 15]
//! ```
//!
//! A slot serves one context for one nibble: its 15 states are the bit histories of the 15 nodes of
//! the binary tree of a nibble (node 1 = first bit, nodes 2–3 = second bit, …). At bit 0 and at bit 4
//! of each byte the map hashes the byte context (with the first nibble, at bit 4) into a bucket and
//! looks for the slot whose `check` byte matches another part of the hash. If none matches, the slot
//! with the lowest priority — the total count of its first node's history, i.e. how often that
//! context was seen — is cleared and taken. So a context costs one cache miss per nibble, and the
//! miss is started early: [`ContextMap::set_context`] prefetches the first bucket.
//!
//! A check byte takes a new context for a seen one about once in 64 lookups that find none (four
//! slots, 256 values). What that costs was measured with each slot's full 64-bit hash kept
//! beside the table and compared too: wiki4m at level 8 lost 0.015% to it (693,199 bytes against
//! 693,097), too little for a wider check, which would take a slot's room.
//!
//! ## Prediction
//! Each bit the current node's state is mapped to a probability `p` by an adaptive state map
//! (the arithmetic of [`StateMap`]), and a [`Detail::Plain`] map contributes one mixer input,
//! `stretch(p)`. The map itself only finds the state, and writes it where that input goes;
//! [`ContextStateMaps`], which holds the state maps of every map, turns it into the input. On one
//! thread [`crate::ContextSet`] runs the two in one loop. They keep no state in common, so a
//! compressor may run them on two threads: the lookups, with their cache misses, with the models,
//! and the state maps (of all the maps, or of some, whichever balances the threads: see
//! `modelling_state_maps` in the `aizip` crate) with the mixer. Level 9 on 2 MB of wiki text,
//! CPU seconds of the modelling and the mixing thread: 17.6-18.0 and 12.4-12.9 with the state
//! maps on the modelling thread, 14.6-15.6 and 15.3 with them on the mixing thread.
//!
//! A [`Detail::Rich`] map (the strong levels) contributes three more, as paq8's context maps do:
//! `(p − ½)` in the linear domain (`(p − 32768) / 128`), which lets the mixer trust confident
//! predictions differently from their logits; a *deterministic* input, ±128 × n (n ≤ 15) when
//! the node's history has seen n bits all of one value and 0 otherwise; and a *run* input. The
//! run input comes from a second, direct-mapped table of 4-byte entries, one per byte context:
//! `[check][run count][last byte][stamp]`, the byte that followed the context last time and how
//! many times in a row it did. While the bits coded so far agree with that byte, its next bit is
//! predicted with a probability learnt per (run count, age, bit, bit position) by another
//! StateMap; otherwise the input is 0. A context that was always followed by the same byte (a
//! *deterministic* context) is thus recognised after one occurrence, where the bit-history
//! states need several.
//!
//! The stamp (12 bits) says when the context was last seen, `(position >> 8) mod 4096`, and the
//! StateMap sees the run's *age*, the bit length of the stamps' difference (13 values, 16 buckets
//! reserved): a run seen a moment ago says more about the next byte than one seen a megabyte ago,
//! and on binary data the gain is larger still. Level 9 against the same table without ages:
//! kennedy.xls -0.39%, ptt5 -0.44%, obj2 -0.07%, bible -0.05%, wiki4m -0.12%, wiki-dev -0.14%
//! (level 7: kennedy.xls -1.25%). Ages beyond the stamp's 1 MiB wrap around and read as younger
//! (a 4 MiB span measured the same).

use crate::logistic::stretch;
use crate::model::Inputs;
use crate::state::StateTable;
use crate::statemap::{fresh_entry, learn, probability, reciprocals, StateMap};
use crate::table::{prefetch, ZeroedTable};

const BUCKET_BYTES: usize = 64;
const SLOT_BYTES: usize = 16;
const SLOTS_PER_BUCKET: usize = BUCKET_BYTES / SLOT_BYTES;

/// Table bytes a context over `bytes` exact bytes can ever fill: each of its 256^bytes values
/// takes 17 nibble slots (one for the first nibble, 16 for the second) of 16 bytes. Unbounded
/// (`usize::MAX`) from 3 bytes on.
pub const fn exact_context_bytes(bytes: u32) -> usize {
    if bytes >= 3 {
        usize::MAX
    } else {
        (1usize << (8 * bytes)) * 17 * SLOT_BYTES
    }
}

/// Final mixing of a 64-bit hash (a multiply–xorshift finaliser).
#[inline]
pub fn finalize(mut h: u64) -> u64 {
    h ^= h >> 31;
    h = h.wrapping_mul(0x7FB5_D329_728E_A185);
    h ^= h >> 27;
    h = h.wrapping_mul(0x81DA_DEF4_BC2D_D44D);
    h ^ (h >> 33)
}

/// Combines a hash with one more value. It is symmetric (`combine(a, b) == combine(b, a)`): to
/// hash values whose order matters, start from a constant, `combine(combine(SALT, a), b)`.
#[inline]
pub fn combine(h: u64, v: u64) -> u64 {
    finalize(h.wrapping_add(v).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Combines `salt` with each of `values` in turn: the hash of an ordered tuple of values.
#[inline]
pub fn combine_all(salt: u64, values: &[u64]) -> u64 {
    values.iter().fold(salt, |h, &v| combine(h, v))
}

/// The hash locating the slot of the second nibble, given the first (`c0 = 1xxxx`). Its bucket is
/// one of the 15 others in the first nibble's aligned group of 16 buckets (1 KiB), so both lookups
/// of a byte hit the same DRAM page and often lines the hardware already fetched; the check byte
/// changes too, so the two slots of one context never match each other.
#[inline]
fn second_nibble(context: u64, c0: u32) -> u64 {
    let nibble = (c0 as u64 & 15) + 1;
    context ^ nibble ^ (nibble << 56)
}

/// How many inputs a map gives the mixer per bit (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// `stretch(p)` of the bit history.
    Plain,
    /// `stretch(p)`, the linear `p`, the deterministic input and the run input.
    Rich,
}

impl Detail {
    pub const fn inputs(self) -> usize {
        match self {
            Detail::Plain => 1,
            Detail::Rich => 4,
        }
    }
}

/// Bit-history table bytes per run-table byte.
const RUN_TABLE_SHARE: usize = 8;
/// Runs are counted up to this (`COUNT_BITS` of an entry).
const RUN_COUNT_LIMIT: u32 = 15;
/// Bits of a run entry's stamp, and the bytes per stamp unit (log2).
const STAMP_BITS: u32 = 12;
const STAMP_SHIFT: u32 = 8;
const STAMP_MASK: u32 = (1 << STAMP_BITS) - 1;
/// Where the fields of a run entry start: `[check: 8][count: 4][byte: 8][stamp]`.
const COUNT_BITS: u32 = 4;
const BYTE_SHIFT: u32 = STAMP_BITS;
const COUNT_SHIFT: u32 = BYTE_SHIFT + 8;
const CHECK_SHIFT: u32 = COUNT_SHIFT + COUNT_BITS;
const _: () = assert!(CHECK_SHIFT + 8 == u32::BITS && RUN_COUNT_LIMIT < 1 << COUNT_BITS);
/// Age buckets the run StateMap reserves: an age of up to `STAMP_BITS` bits has
/// `STAMP_BITS + 1` bit lengths, rounded up to a power of two.
const AGE_BUCKETS: u32 = 16;
const _: () = assert!(STAMP_BITS < AGE_BUCKETS);
/// (run count, expected bit, age, bit position).
const RUN_CONTEXTS: usize = (RUN_COUNT_LIMIT as usize + 1) * 2 * AGE_BUCKETS as usize * 8;

/// The byte that last followed each context, how many times in a row, and when the context was
/// last seen (see the module docs). An entry is `[check: 8][count: 4][byte: 8][stamp: 12]`.
struct RunTable {
    entries: ZeroedTable<u32>,
    mask: usize,
    /// Entry of the current byte context.
    at: usize,
    check: u32,
    /// Count, byte and age bucket of the current context's run (count 0: none).
    count: u32,
    byte: u32,
    age: u32,
    /// Bytes coded so far (wrapping: only the stamp's bits matter).
    position: u32,
    /// Whether this bit's run input came from `map` (so `map` learns the bit).
    active: bool,
    map: StateMap<RUN_CONTEXTS>,
}

impl RunTable {
    fn entries(bytes: usize) -> usize {
        (bytes / 4).max(16).next_power_of_two()
    }

    fn new(bytes: usize) -> Self {
        let entries = RunTable::entries(bytes);
        RunTable {
            entries: ZeroedTable::prefaulted(entries),
            mask: entries - 1,
            at: 0,
            check: 0,
            count: 0,
            byte: 0,
            age: 0,
            position: 0,
            active: false,
            map: StateMap::new(1023),
        }
    }

    #[inline]
    fn index(&self, hash: u64) -> usize {
        (hash >> 20) as usize & self.mask
    }

    #[inline]
    fn prefetch(&self, hash: u64) {
        prefetch(&self.entries.as_slice()[self.index(hash)]);
    }

    /// The stamp of the current position.
    #[inline]
    fn stamp(&self) -> u32 {
        (self.position >> STAMP_SHIFT) & STAMP_MASK
    }

    /// Looks the byte context up (at bit 0).
    #[inline]
    fn find(&mut self, hash: u64) {
        self.at = self.index(hash);
        self.check = (hash >> 48) as u32 & 0xFF;
        let entry = self.entries.as_slice()[self.at];
        if entry >> CHECK_SHIFT == self.check {
            self.count = (entry >> COUNT_SHIFT) & ((1 << COUNT_BITS) - 1);
            self.byte = (entry >> BYTE_SHIFT) & 0xFF;
            // The stamp is the entry's lowest field: masking the difference drops the others.
            let age = self.stamp().wrapping_sub(entry) & STAMP_MASK;
            self.age = u32::BITS - age.leading_zeros();
        } else {
            self.count = 0;
        }
    }

    #[inline]
    fn predict(&mut self, c0: u32, bit_pos: u32) -> i32 {
        self.active = self.count > 0 && (self.byte | 256) >> (8 - bit_pos) == c0;
        if !self.active {
            return 0;
        }
        let expected = (self.byte >> (7 - bit_pos)) & 1;
        let cx = ((self.count * 2 + expected) * AGE_BUCKETS + self.age) << 3 | bit_pos;
        debug_assert!((cx as usize) < RUN_CONTEXTS);
        stretch(self.map.p(cx as usize))
    }

    #[inline]
    fn update(&mut self, bit: u32, c0: u32, bit_pos: u32) {
        if self.active {
            self.map.update(bit);
        }
        if bit_pos == 7 {
            let byte = ((c0 << 1) | bit) & 0xFF;
            let count = if self.count > 0 && self.byte == byte {
                (self.count + 1).min(RUN_COUNT_LIMIT)
            } else {
                1
            };
            self.entries.as_mut_slice()[self.at] = self.check << CHECK_SHIFT
                | count << COUNT_SHIFT
                | byte << BYTE_SHIFT
                | self.stamp();
            self.position = self.position.wrapping_add(1);
        }
    }
}

pub struct ContextMap {
    table: ZeroedTable<u8>,
    bucket_mask: usize,
    context: u64,
    slot: usize,
    state_at: usize,
    states: &'static StateTable,
    priority: [u8; 256],
    /// Rich maps only.
    run: Option<Box<RunTable>>,
    c0: u32,
    bit_pos: u32,
}

impl ContextMap {
    /// A map using `bytes` of table (rounded down to a power of two, at least one bucket), plus
    /// an eighth of that for the run table of a rich map.
    pub fn new(bytes: usize, detail: Detail) -> Self {
        let buckets = ContextMap::buckets(bytes);
        let states = StateTable::get();
        let mut priority = [0u8; 256];
        for (s, priority) in priority.iter_mut().enumerate().take(states.len()) {
            let (n0, n1) = states.counts(s as u8);
            *priority = (n0 + n1).min(255) as u8;
        }
        ContextMap {
            table: ZeroedTable::prefaulted(buckets * BUCKET_BYTES),
            bucket_mask: buckets - 1,
            context: 0,
            slot: 0,
            state_at: 1,
            states,
            priority,
            run: (detail == Detail::Rich)
                .then(|| Box::new(RunTable::new(buckets * BUCKET_BYTES / RUN_TABLE_SHARE))),
            c0: 1,
            bit_pos: 0,
        }
    }

    fn buckets(bytes: usize) -> usize {
        let buckets = (bytes / BUCKET_BYTES).max(1);
        1usize << (usize::BITS - 1 - buckets.leading_zeros())
    }

    /// The table bytes `ContextMap::new(bytes, detail)` allocates (resident once touched, or at
    /// once in huge pages: see `ZeroedTable::prefaulted`).
    pub fn allocated_bytes(bytes: usize, detail: Detail) -> usize {
        let run = match detail {
            Detail::Plain => 0,
            Detail::Rich => {
                RunTable::entries(ContextMap::buckets(bytes) * BUCKET_BYTES / RUN_TABLE_SHARE) * 4
            }
        };
        ContextMap::buckets(bytes) * BUCKET_BYTES + run
    }

    /// Sets the context for the coming byte (call at a byte boundary).
    #[inline]
    pub fn set_context(&mut self, hash: u64) {
        self.context = hash;
        self.prefetch(hash);
        if let Some(run) = &self.run {
            run.prefetch(hash);
        }
    }

    #[inline]
    fn prefetch(&self, hash: u64) {
        prefetch(&self.table.as_slice()[(hash as usize & self.bucket_mask) * BUCKET_BYTES]);
    }

    /// Starts loading the bucket of the second nibble of `byte`, the byte about to be coded (for
    /// a caller that knows it: a compressor), four bits before `ContextMap::find_nibble`
    /// needs it.
    #[inline]
    pub fn prefetch_byte(&self, byte: u8) {
        self.prefetch(second_nibble(self.context, 16 | u32::from(byte >> 4)));
    }

    fn find_slot(&mut self, hash: u64) {
        let bucket = (hash as usize & self.bucket_mask) * BUCKET_BYTES;
        let check = (hash >> 56) as u8;
        let table = self.table.as_mut_slice();
        let slots = &mut table[bucket..bucket + BUCKET_BYTES];
        let mut victim = 0;
        let mut lowest = u8::MAX;
        for k in 0..SLOTS_PER_BUCKET {
            let slot = &slots[k * SLOT_BYTES..(k + 1) * SLOT_BYTES];
            if slot[0] == check {
                self.slot = bucket + k * SLOT_BYTES;
                return;
            }
            let priority = self.priority[slot[1] as usize];
            if priority < lowest {
                lowest = priority;
                victim = k;
            }
        }
        let slot = &mut slots[victim * SLOT_BYTES..(victim + 1) * SLOT_BYTES];
        slot.fill(0);
        slot[0] = check;
        self.slot = bucket + victim * SLOT_BYTES;
    }

    /// Pushes this map's inputs for the next bit, with the node's bit-history state where
    /// [`ContextStateMaps::predict`] puts `stretch(p)`. `c0` is the partial byte with a leading 1,
    /// `bit_pos` the number of its bits already known.
    #[inline]
    pub fn predict(&mut self, c0: u32, bit_pos: u32, inputs: &mut Inputs) {
        self.find_nibble(c0, bit_pos);
        if self.run.is_some() {
            self.predict_node::<true>(c0, bit_pos, inputs.push_slots(Detail::Rich.inputs()));
        } else {
            self.predict_node::<false>(c0, bit_pos, inputs.push_slots(Detail::Plain.inputs()));
        }
    }

    /// Whether [`ContextMap::find_nibble`] has work at `bit_pos`: the positions its arms list.
    #[inline(always)]
    pub(crate) const fn finds_nibble_at(bit_pos: u32) -> bool {
        matches!(bit_pos, 0 | 3 | 4)
    }

    /// The first step of [`ContextMap::predict`], with work only where
    /// [`ContextMap::finds_nibble_at`]: finds the slot of the nibble about to be coded (and the
    /// run table's entry), or starts loading the buckets the next nibble may need.
    #[inline(always)]
    pub(crate) fn find_nibble(&mut self, c0: u32, bit_pos: u32) {
        match bit_pos {
            0 => {
                self.find_slot(self.context);
                if let Some(run) = &mut self.run {
                    run.find(self.context);
                }
            }
            3 => {
                // Start loading both buckets the second nibble may need.
                self.prefetch(second_nibble(self.context, c0 * 2));
                self.prefetch(second_nibble(self.context, c0 * 2 + 1));
            }
            4 => self.find_slot(second_nibble(self.context, c0)),
            _ => {}
        }
    }

    /// The second step of [`ContextMap::predict`], for a map known to be rich (`RICH`) or
    /// plain: a [`ContextSet`] of plain maps then tests nothing about the run table per bit.
    /// Writes the node's bit-history state into `slots[0]` (for [`ContextStateMaps`] to turn
    /// into the map's inputs) and, if rich, the run input into `slots[3]`.
    ///
    /// [`ContextSet`]: crate::ContextSet
    #[inline(always)]
    pub(crate) fn predict_node<const RICH: bool>(
        &mut self,
        c0: u32,
        bit_pos: u32,
        slots: &mut [i32],
    ) {
        debug_assert_eq!(RICH, self.run.is_some());
        let within = bit_pos & 3;
        let node = (1 << within) | (c0 & ((1 << within) - 1));
        self.state_at = self.slot + node as usize;
        slots[0] = i32::from(self.table.as_slice()[self.state_at]);
        if !RICH {
            return;
        }
        if let Some(run) = &mut self.run {
            slots[3] = run.predict(c0, bit_pos);
            self.c0 = c0;
            self.bit_pos = bit_pos;
        }
    }

    /// The bit-history state of the node predicted last (after [`ContextMap::predict`]).
    #[inline]
    pub fn state(&self) -> u8 {
        self.table.as_slice()[self.state_at]
    }

    /// Learns the bit just coded.
    #[inline]
    pub fn update(&mut self, bit: u32) {
        if self.run.is_some() {
            self.update_with::<true>(bit);
        } else {
            self.update_with::<false>(bit);
        }
    }

    /// [`ContextMap::update`] for a map known to be rich or plain (see
    /// [`ContextMap::predict_node`]).
    #[inline(always)]
    pub(crate) fn update_with<const RICH: bool>(&mut self, bit: u32) {
        let state = &mut self.table.as_mut_slice()[self.state_at];
        *state = self.states.next(*state, bit);
        if !RICH {
            return;
        }
        if let Some(run) = &mut self.run {
            run.update(bit, self.c0, self.bit_pos);
        }
    }
}

/// The probability half of a set of context maps (see the module documentation): for each map an
/// adaptive state map over its 256 bit-history states. Where the map wrote its state, in its
/// first input, the state map writes `stretch(p)`; for a rich map it also writes the linear and
/// deterministic inputs.
pub struct ContextStateMaps {
    maps: Vec<MapProbabilities>,
    detail: Detail,
    /// Rich maps: for each state, the deterministic input (see the module documentation).
    deterministic: [i32; STATES],
    reciprocals: &'static [u32; 1024],
}

/// One map's state map: [`StateMap`]'s entries, inline, so that the per-bit loops over all maps
/// follow no pointers and check no bounds. A state stands for the same history at every bit
/// position: state maps indexed by the state and the bit position (or the node's depth in the
/// nibble) lost wiki4m 0.12% (0.09%) at level 8, each entry learning from fewer bits.
#[derive(Clone)]
struct MapProbabilities {
    entries: [u32; STATES],
    /// The state predicted from last.
    last: u8,
}

/// Bit-history states: entries of each map's state map.
const STATES: usize = 256;
/// The cap on each entry's hit count: the slowest rate is about 1/1023.
const STATE_MAP_LIMIT: u32 = 1023;

impl MapProbabilities {
    /// Replaces the map's state in `slots[0]` by its input(s): see [`ContextStateMaps::predict`].
    #[inline(always)]
    fn predict<const RICH: bool>(&mut self, slots: &mut [i32], deterministic: &[i32; STATES]) {
        debug_assert!((0..STATES as i32).contains(&slots[0]), "not a state");
        self.last = slots[0] as u8;
        let p = probability(self.entries[self.last as usize]);
        slots[0] = stretch(p);
        if RICH {
            slots[1] = (p as i32 - 32768) >> 7;
            slots[2] = deterministic[self.last as usize];
        }
    }

    #[inline(always)]
    fn update(&mut self, bit: u32, reciprocals: &[u32; 1024]) {
        let entry = &mut self.entries[self.last as usize];
        learn(entry, bit, STATE_MAP_LIMIT, reciprocals);
    }
}

impl ContextStateMaps {
    /// The state maps of `maps` context maps of `detail`. Each state starts at the probability
    /// its counts give, `(n1 + ½) / (n + 1)`.
    pub fn new(maps: usize, detail: Detail) -> Self {
        let states = StateTable::get();
        let mut deterministic = [0i32; STATES];
        let mut initial = [fresh_entry(32768); STATES];
        for (s, (deterministic, initial)) in deterministic
            .iter_mut()
            .zip(&mut initial)
            .enumerate()
            .take(states.len())
        {
            let (n0, n1) = states.counts(s as u8);
            *deterministic = match (n0, n1) {
                (0, 0) => 0,
                (0, n) => 128 * (n as i32).min(15),
                (n, 0) => -128 * (n as i32).min(15),
                _ => 0,
            };
            *initial =
                fresh_entry(((n1 as u32 * 2 + 1) << 16) / (n0 as u32 * 2 + n1 as u32 * 2 + 2));
        }
        let map = MapProbabilities {
            entries: initial,
            last: 0,
        };
        ContextStateMaps {
            maps: vec![map; maps],
            detail,
            deterministic,
            reciprocals: reciprocals(),
        }
    }

    /// Number of maps whose state maps these are.
    pub(crate) fn len(&self) -> usize {
        self.maps.len()
    }

    /// The state maps of maps `at..`, taken out of these (which keep those of `..at`). Panics if
    /// these hold fewer than `at`.
    pub fn split_off(&mut self, at: usize) -> ContextStateMaps {
        ContextStateMaps {
            maps: self.maps.split_off(at),
            ..*self
        }
    }

    /// Appends `later`, the state maps of the maps after these (as [`ContextStateMaps::split_off`]
    /// took them): the inverse of that split.
    pub fn append(&mut self, later: ContextStateMaps) {
        self.maps.extend(later.maps);
    }

    /// Replaces each map's state by its inputs in `inputs`, the mixer inputs from the first
    /// map's on. Call it once after each [`ContextMap::predict`] (or [`ContextSet::predict`]) of
    /// every map: a second call would read inputs as states.
    ///
    /// [`ContextSet::predict`]: crate::ContextSet::predict
    #[inline(always)]
    pub fn predict(&mut self, inputs: &mut [i32]) {
        debug_assert!(inputs.len() >= self.maps.len() * self.detail.inputs());
        let each_map = self
            .maps
            .iter_mut()
            .zip(inputs.chunks_exact_mut(self.detail.inputs()));
        match self.detail {
            Detail::Plain => {
                for (map, slots) in each_map {
                    map.predict::<false>(slots, &self.deterministic);
                }
            }
            Detail::Rich => {
                for (map, slots) in each_map {
                    map.predict::<true>(slots, &self.deterministic);
                }
            }
        }
    }

    /// Learns the bit just coded.
    #[inline(always)]
    pub fn update(&mut self, bit: u32) {
        for map in &mut self.maps {
            map.update(bit, self.reciprocals);
        }
    }

    /// [`ContextMap::predict_node`] of each of `maps` into its `slots`, each followed at once by
    /// [`ContextStateMaps::predict`]'s step for it: one loop, not two.
    #[inline(always)]
    pub(crate) fn predict_fused<const RICH: bool>(
        &mut self,
        maps: &mut [ContextMap],
        c0: u32,
        bit_pos: u32,
        slots: &mut [i32],
    ) {
        debug_assert_eq!(RICH, self.detail == Detail::Rich);
        let each_map = maps.iter_mut().zip(&mut self.maps);
        for ((map, state_map), slots) in each_map.zip(slots.chunks_exact_mut(self.detail.inputs()))
        {
            map.predict_node::<RICH>(c0, bit_pos, slots);
            state_map.predict::<RICH>(slots, &self.deterministic);
        }
    }

    /// [`ContextMap::update_with`] of each of `maps`, each followed at once by
    /// [`ContextStateMaps::update`]'s step for it.
    #[inline(always)]
    pub(crate) fn update_fused<const RICH: bool>(&mut self, maps: &mut [ContextMap], bit: u32) {
        for (map, state_map) in maps.iter_mut().zip(&mut self.maps) {
            map.update_with::<RICH>(bit);
            state_map.update(bit, self.reciprocals);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logistic::squash;

    fn code_byte(
        map: &mut ContextMap,
        state_maps: &mut ContextStateMaps,
        byte: u8,
        inputs: &mut Inputs,
    ) -> f64 {
        let mut c0 = 1u32;
        let mut bits = 0.0;
        for bit_pos in 0..8 {
            inputs.clear();
            map.predict(c0, bit_pos, inputs);
            state_maps.predict(inputs.as_mut_slice());
            let p1 = squash(inputs.as_slice()[0]) as f64 / 65536.0;
            let bit = ((byte >> (7 - bit_pos)) & 1) as u32;
            bits -= if bit == 1 { p1 } else { 1.0 - p1 }.log2();
            map.update(bit);
            state_maps.update(bit);
            c0 = (c0 << 1) | bit;
        }
        bits
    }

    /// Codes `byte` through the run table in `context`, as a rich map does.
    fn run_byte(run: &mut RunTable, context: u64, byte: u8) {
        run.find(context);
        let mut c0 = 1;
        for bit_pos in 0..8 {
            run.predict(c0, bit_pos);
            let bit = u32::from(byte >> (7 - bit_pos) & 1);
            run.update(bit, c0, bit_pos);
            c0 = c0 << 1 | bit;
        }
    }

    #[test]
    fn runs_know_their_length_and_age() {
        let mut run = RunTable::new(1 << 12);
        let context = finalize(42);
        run_byte(&mut run, context, 0xFF);
        run_byte(&mut run, context, 0xFF);
        run.find(context);
        assert_eq!((run.count, run.byte, run.age), (2, 0xFF, 0));
        // 4 KiB later the run is 16 stamp units old: an age of bit length 5.
        run.position += 4096;
        run.find(context);
        assert_eq!((run.count, run.age), (2, 5));
        for _ in 0..20 {
            run_byte(&mut run, context, 0xFF);
        }
        run.find(context);
        assert_eq!((run.count, run.age), (RUN_COUNT_LIMIT, 0));
        // The largest context the StateMap can be asked for (the longest run, the oldest age,
        // the last bit of 0xFF) is within it: `predict` asserts it in debug builds.
        run.age = STAMP_BITS;
        run.predict(0xFF, 7);
        assert!(run.active);
        // A new byte restarts the run, and the stamp is refreshed.
        run_byte(&mut run, context, 0x80);
        run.position += 256;
        run.find(context);
        assert_eq!((run.count, run.byte, run.age), (1, 0x80, 1));
    }

    #[test]
    fn stamps_wrap_around() {
        let mut run = RunTable::new(1 << 12);
        let context = finalize(7);
        run.position = ((1 << STAMP_BITS) - 1) << STAMP_SHIFT;
        run_byte(&mut run, context, b'a');
        run.position = (1 << STAMP_BITS) << STAMP_SHIFT;
        run.find(context);
        assert_eq!((run.count, run.age), (1, 1));
    }

    #[test]
    fn learns_what_follows_a_context() {
        let mut map = ContextMap::new(1 << 16, Detail::Plain);
        let mut state_maps = ContextStateMaps::new(1, Detail::Plain);
        let mut inputs = Inputs::with_capacity(1);
        let mut last = 0.0;
        for round in 0..50 {
            for ctx in 0..100u64 {
                map.set_context(finalize(ctx));
                let cost = code_byte(&mut map, &mut state_maps, (ctx * 7) as u8, &mut inputs);
                if round == 49 {
                    last += cost;
                }
            }
        }
        assert!(last / 100.0 < 0.2, "{} bits per byte", last / 100.0);
    }
}

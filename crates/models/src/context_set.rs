//! All hashed contexts of the engine, modelled together.
//!
//! Models name contexts once per byte; per bit, the same small amount of work is done for every
//! context (see [`ContextMap`]). Keeping the maps side by side in one loop lets the bucket loads of
//! all contexts overlap (each map prefetches its bucket as soon as its hash is known) and keeps the
//! per-bit path free of dynamic calls. All maps of a set have the same [`Detail`], and are at the
//! same bit position: both are tested once per bit for all of them, not per map (which cost the
//! default level 7% of its instructions).
//!
//! The set holds the maps' [`ContextStateMaps`] and runs each map's state map in the same loop as
//! the map (a second loop over the maps cost the default level 5% more instructions), unless a
//! caller takes them out to run on another thread ([`ContextSet::take_state_maps`]): all of
//! them, or those of the last maps, which balances the work of two threads.

use crate::context_map::{ContextMap, ContextStateMaps, Detail};
use crate::model::Inputs;

pub struct ContextSet {
    maps: Vec<ContextMap>,
    detail: Detail,
    /// The state maps of the first maps (all of them unless some were taken to run elsewhere,
    /// see [`ContextSet::take_state_maps`]).
    state_maps: ContextStateMaps,
}

impl ContextSet {
    /// One map per entry of `table_bytes`, each giving `detail.inputs()` inputs per bit.
    pub fn new(table_bytes: &[usize], detail: Detail) -> Self {
        ContextSet {
            maps: table_bytes
                .iter()
                .map(|&bytes| ContextMap::new(bytes, detail))
                .collect(),
            detail,
            state_maps: ContextStateMaps::new(table_bytes.len(), detail),
        }
    }

    /// Sets the contexts for the coming byte, in order.
    #[inline]
    pub fn set_contexts(&mut self, hashes: &[u64]) {
        for (map, &hash) in self.maps.iter_mut().zip(hashes) {
            map.set_context(hash);
        }
    }

    /// Pushes each context's inputs for the next bit. For a map whose state map was taken, the
    /// set pushes the map's bit-history state in place of its first input, and leaves a rich
    /// map's second and third as they were: [`ContextStateMaps::predict`] writes those three.
    #[inline(always)]
    pub fn predict(&mut self, c0: u32, bit_pos: u32, inputs: &mut Inputs) {
        if ContextMap::finds_nibble_at(bit_pos) {
            for map in &mut self.maps {
                map.find_nibble(c0, bit_pos);
            }
        }
        let per_map = self.detail.inputs();
        let slots = inputs.push_slots(self.maps.len() * per_map);
        match self.detail {
            Detail::Plain => self.predict_nodes::<false>(c0, bit_pos, slots),
            Detail::Rich => self.predict_nodes::<true>(c0, bit_pos, slots),
        }
    }

    /// The per-bit part of [`ContextSet::predict`] for maps known to be rich (`RICH`) or plain.
    #[inline(always)]
    fn predict_nodes<const RICH: bool>(&mut self, c0: u32, bit_pos: u32, slots: &mut [i32]) {
        let kept = self.state_maps.len();
        let (fused_maps, bare_maps) = self.maps.split_at_mut(kept);
        let (fused_slots, bare_slots) = slots.split_at_mut(kept * self.detail.inputs());
        self.state_maps
            .predict_fused::<RICH>(fused_maps, c0, bit_pos, fused_slots);
        for (map, slots) in bare_maps
            .iter_mut()
            .zip(bare_slots.chunks_exact_mut(self.detail.inputs()))
        {
            map.predict_node::<RICH>(c0, bit_pos, slots);
        }
    }

    /// Takes the state maps of the maps from `first` on out of the set, for a caller that runs
    /// them apart: from then on [`ContextSet::predict`] leaves each of those maps' bit-history
    /// state in place of its input (see [`ContextStateMaps`]), from input
    /// `first · detail.inputs()` of the set's on. Panics if the set no longer holds the state
    /// map of every map before `first`.
    pub fn take_state_maps(&mut self, first: usize) -> ContextStateMaps {
        self.state_maps.split_off(first)
    }

    /// Gives back the state maps [`ContextSet::take_state_maps`] took, to run in the same loop as
    /// their maps again.
    pub fn return_state_maps(&mut self, taken: ContextStateMaps) {
        self.state_maps.append(taken);
        assert!(
            self.state_maps.len() <= self.maps.len(),
            "a state map per map"
        );
    }

    /// Starts loading what every map needs for the second nibble of `byte`, the byte about to be
    /// coded (see [`ContextMap::prefetch_byte`]).
    #[inline]
    pub fn prefetch_byte(&self, byte: u8) {
        for map in &self.maps {
            map.prefetch_byte(byte);
        }
    }

    /// The bit-history state map `index` predicted from last.
    #[inline]
    pub fn state(&self, index: usize) -> u8 {
        self.maps[index].state()
    }

    /// Learns the bit just coded.
    #[inline(always)]
    pub fn update(&mut self, bit: u32) {
        match self.detail {
            Detail::Plain => self.update_nodes::<false>(bit),
            Detail::Rich => self.update_nodes::<true>(bit),
        }
    }

    /// [`ContextSet::update`] for maps known to be rich (`RICH`) or plain.
    #[inline(always)]
    fn update_nodes<const RICH: bool>(&mut self, bit: u32) {
        let (fused_maps, bare_maps) = self.maps.split_at_mut(self.state_maps.len());
        self.state_maps.update_fused::<RICH>(fused_maps, bit);
        for map in bare_maps {
            map.update_with::<RICH>(bit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context_map::finalize;

    /// State maps taken out, trained apart and given back must carry on as if they had never
    /// left: the first half of the text runs them apart, the second with their maps again (each
    /// has learnt its own map's states by then, so one given back to the wrong map would show).
    #[test]
    fn returned_state_maps_run_with_their_maps_again() {
        let tables = [1 << 12, 1 << 13, 1 << 12];
        let first_apart = 1;
        for detail in [Detail::Plain, Detail::Rich] {
            let mut fused = ContextSet::new(&tables, detail);
            let mut returned = ContextSet::new(&tables, detail);
            let mut apart = Some(returned.take_state_maps(first_apart));
            let width = tables.len() * detail.inputs();
            let (mut from_fused, mut from_returned) =
                (Inputs::with_capacity(width), Inputs::with_capacity(width));
            let text = b"abracadabra, abracadabra; cadabra abra. ".repeat(8);
            for (i, &byte) in text.iter().enumerate() {
                if i == text.len() / 2 {
                    returned.return_state_maps(apart.take().expect("taken once"));
                }
                let hashes = [byte as u64, i as u64 % 5, 7].map(finalize);
                fused.set_contexts(&hashes);
                returned.set_contexts(&hashes);
                let mut c0 = 1;
                for bit_pos in 0..8 {
                    from_fused.clear();
                    from_returned.clear();
                    fused.predict(c0, bit_pos, &mut from_fused);
                    returned.predict(c0, bit_pos, &mut from_returned);
                    if let Some(state_maps) = &mut apart {
                        let first_input = first_apart * detail.inputs();
                        state_maps.predict(&mut from_returned.as_mut_slice()[first_input..]);
                    }
                    assert_eq!(from_fused.as_slice(), from_returned.as_slice());
                    let bit = u32::from(byte >> (7 - bit_pos) & 1);
                    fused.update(bit);
                    returned.update(bit);
                    if let Some(state_maps) = &mut apart {
                        state_maps.update(bit);
                    }
                    c0 = c0 << 1 | bit;
                }
            }
        }
    }

    /// The set's split loops (nibble lookups, then nodes), with its state maps in the same loop
    /// or (some or all) taken out and run after it, must predict exactly as each map's own
    /// `predict`/`update` does followed by a state map of its own, at either detail.
    #[test]
    fn predicts_as_its_maps_do_alone() {
        let tables = [1 << 12, 1 << 14, 1 << 13];
        for (detail, first_apart) in [Detail::Plain, Detail::Rich]
            .into_iter()
            .flat_map(|detail| (0..=tables.len()).map(move |first| (detail, first)))
        {
            let mut fused = ContextSet::new(&tables, detail);
            let mut apart = ContextSet::new(&tables, detail);
            let mut apart_state_maps = apart.take_state_maps(first_apart);
            let first_apart_input = first_apart * detail.inputs();
            let mut alone: Vec<(ContextMap, ContextStateMaps)> = tables
                .iter()
                .map(|&bytes| {
                    let map = ContextMap::new(bytes, detail);
                    (map, ContextStateMaps::new(1, detail))
                })
                .collect();
            let width = tables.len() * detail.inputs();
            let mut from_fused = Inputs::with_capacity(width);
            let mut from_apart = Inputs::with_capacity(width);
            let mut from_maps = Inputs::with_capacity(width);
            let text = b"the cat sat on the mat; the cat sat on the hat. ".repeat(20);
            for (i, &byte) in text.iter().enumerate() {
                let hashes = [
                    finalize(byte as u64),
                    finalize(i as u64 % 7 + 256),
                    finalize(i as u64 % 3 + 512),
                ];
                fused.set_contexts(&hashes);
                apart.set_contexts(&hashes);
                for ((map, _), &hash) in alone.iter_mut().zip(&hashes) {
                    map.set_context(hash);
                }
                let mut c0 = 1;
                for bit_pos in 0..8 {
                    from_fused.clear();
                    from_apart.clear();
                    from_maps.clear();
                    fused.predict(c0, bit_pos, &mut from_fused);
                    apart.predict(c0, bit_pos, &mut from_apart);
                    apart_state_maps.predict(&mut from_apart.as_mut_slice()[first_apart_input..]);
                    for (k, (map, state_maps)) in alone.iter_mut().enumerate() {
                        map.predict(c0, bit_pos, &mut from_maps);
                        state_maps.predict(&mut from_maps.as_mut_slice()[k * detail.inputs()..]);
                    }
                    assert_eq!(from_fused.as_slice(), from_maps.as_slice());
                    assert_eq!(from_apart.as_slice(), from_maps.as_slice());
                    let bit = u32::from(byte >> (7 - bit_pos) & 1);
                    fused.update(bit);
                    apart.update(bit);
                    apart_state_maps.update(bit);
                    for (map, state_maps) in &mut alone {
                        map.update(bit);
                        state_maps.update(bit);
                    }
                    c0 = c0 << 1 | bit;
                }
            }
        }
    }
}

//! All hashed contexts of the engine, modelled together.
//!
//! Models name contexts once per byte; per bit, the same small amount of work is done for every
//! context (see [`ContextMap`]). Keeping the maps side by side in one loop lets the bucket loads of
//! all contexts overlap (each map prefetches its bucket as soon as its hash is known) and keeps the
//! per-bit path free of dynamic calls. All maps of a set have the same [`Detail`], and are at the
//! same bit position: both are tested once per bit for all of them, not per map (which cost the
//! default level 7% of its instructions).

use crate::context_map::{ContextMap, Detail};
use crate::model::Inputs;

pub struct ContextSet {
    maps: Vec<ContextMap>,
    detail: Detail,
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
        }
    }

    /// Sets the contexts for the coming byte, in order.
    #[inline]
    pub fn set_contexts(&mut self, hashes: &[u64]) {
        for (map, &hash) in self.maps.iter_mut().zip(hashes) {
            map.set_context(hash);
        }
    }

    /// Pushes each context's inputs for the next bit, with its bit-history state in place of
    /// what [`StateMaps::predict`](crate::StateMaps::predict) writes.
    #[inline(always)]
    pub fn predict(&mut self, c0: u32, bit_pos: u32, inputs: &mut Inputs) {
        if ContextMap::finds_nibble_at(bit_pos) {
            for map in &mut self.maps {
                map.find_nibble(c0, bit_pos);
            }
        }
        let per_map = self.detail.inputs();
        let slots = inputs.push_slots(self.maps.len() * per_map);
        let each_map = self.maps.iter_mut().zip(slots.chunks_exact_mut(per_map));
        match self.detail {
            Detail::Plain => {
                for (map, slots) in each_map {
                    map.predict_node::<false>(c0, bit_pos, slots);
                }
            }
            Detail::Rich => {
                for (map, slots) in each_map {
                    map.predict_node::<true>(c0, bit_pos, slots);
                }
            }
        }
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
            Detail::Plain => {
                for map in &mut self.maps {
                    map.update_with::<false>(bit);
                }
            }
            Detail::Rich => {
                for map in &mut self.maps {
                    map.update_with::<true>(bit);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context_map::finalize;

    /// The set's split loops (nibble lookups, then nodes) must predict exactly as each map's own
    /// `predict`/`update` does, at either detail.
    #[test]
    fn predicts_as_its_maps_do_alone() {
        for detail in [Detail::Plain, Detail::Rich] {
            let tables = [1 << 12, 1 << 14];
            let mut set = ContextSet::new(&tables, detail);
            let mut alone: Vec<ContextMap> = tables
                .iter()
                .map(|&bytes| ContextMap::new(bytes, detail))
                .collect();
            let width = tables.len() * detail.inputs();
            let (mut from_set, mut from_maps) =
                (Inputs::with_capacity(width), Inputs::with_capacity(width));
            let text = b"the cat sat on the mat; the cat sat on the hat. ".repeat(20);
            for (i, &byte) in text.iter().enumerate() {
                let hashes = [finalize(byte as u64), finalize(i as u64 % 7 + 256)];
                set.set_contexts(&hashes);
                for (map, &hash) in alone.iter_mut().zip(&hashes) {
                    map.set_context(hash);
                }
                let mut c0 = 1;
                for bit_pos in 0..8 {
                    from_set.clear();
                    from_maps.clear();
                    set.predict(c0, bit_pos, &mut from_set);
                    for map in &mut alone {
                        map.predict(c0, bit_pos, &mut from_maps);
                    }
                    assert_eq!(from_set.as_slice(), from_maps.as_slice());
                    let bit = u32::from(byte >> (7 - bit_pos) & 1);
                    set.update(bit);
                    for map in &mut alone {
                        map.update(bit);
                    }
                    c0 = c0 << 1 | bit;
                }
            }
        }
    }
}

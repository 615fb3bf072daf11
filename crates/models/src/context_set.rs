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

    /// Pushes each context's inputs for the next bit.
    #[inline]
    pub fn predict(&mut self, c0: u32, bit_pos: u32, inputs: &mut Inputs) {
        if matches!(bit_pos, 0 | 3 | 4) {
            for map in &mut self.maps {
                map.find_nibble(c0, bit_pos);
            }
        }
        match self.detail {
            Detail::Plain => {
                for map in &mut self.maps {
                    map.predict_node::<false>(c0, bit_pos, inputs);
                }
            }
            Detail::Rich => {
                for map in &mut self.maps {
                    map.predict_node::<true>(c0, bit_pos, inputs);
                }
            }
        }
    }

    /// The bit-history state map `index` predicted from last.
    #[inline]
    pub fn state(&self, index: usize) -> u8 {
        self.maps[index].state()
    }

    /// Learns the bit just coded.
    #[inline]
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

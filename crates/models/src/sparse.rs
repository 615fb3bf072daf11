//! Sparse model: chosen bytes of the last eight, with gaps, predict the next one.
//!
//! Each context is the hash of `last8 & mask` for one mask: `0xFF00` is the byte before last
//! alone, `0xFF00FF` the last byte and the one three back. Such contexts skip over the byte that
//! varies (a digit in a table, the second byte of a two-byte code, a letter inside a repeated
//! pattern) and so generalise where order-n contexts fragment, as paq8's sparse model does.

use crate::context_map::{combine, exact_context_bytes};
use crate::model::{History, Model};

/// The masks the strong levels use (bytes counted back from the last one, 1 = last).
pub const TEXT_MASKS: [u64; 4] = [
    0xFF00,    // byte 2
    0xFF_0000, // byte 3
    0xFF_FF00, // bytes 2–3
    0xFF_00FF, // bytes 1 and 3
];

/// More masks, for the strongest level.
pub const MORE_TEXT_MASKS: [u64; 4] = [
    0xFF00_0000, // byte 4
    0xFFFF_0000, // bytes 3–4
    0xFF00_FF00, // bytes 2 and 4
    0xFF00_00FF, // bytes 1 and 4
];

pub struct SparseModel {
    name: &'static str,
    masks: Vec<u64>,
    table_bytes: usize,
}

impl SparseModel {
    /// One context per mask, each with a table of `table_bytes` (capped by what the mask's
    /// byte count can fill).
    pub fn new(name: &'static str, masks: &[u64], table_bytes: usize) -> Self {
        SparseModel {
            name,
            masks: masks.to_vec(),
            table_bytes,
        }
    }
}

impl Model for SparseModel {
    fn name(&self) -> String {
        self.name.to_string()
    }

    fn context_tables(&self) -> Vec<usize> {
        self.masks
            .iter()
            .map(|mask| {
                let bytes = mask.count_ones() / 8;
                self.table_bytes.min(exact_context_bytes(bytes))
            })
            .collect()
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        let last8 = history.last8();
        // The mask joins the hash (two models' i-th contexts differ), shifted so it cannot cancel.
        for (i, (context, mask)) in contexts.iter_mut().zip(&self.masks).enumerate() {
            *context = combine(0x5BA2_5E00 + i as u64, last8 & mask ^ mask << 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_ignore_the_masked_bytes() {
        let mut model = SparseModel::new("sparse", &[0xFF00], 1 << 20);
        let mut a = [0u64];
        let mut b = [0u64];
        let mut h1 = History::new(16);
        let mut h2 = History::new(16);
        for (x, y) in [(1u8, 1u8), (7, 7), (3, 9)] {
            h1.push(x);
            h2.push(y);
        }
        model.update_byte(&h1, &mut a);
        model.update_byte(&h2, &mut b);
        assert_eq!(a, b, "only byte 2 counts");
        assert_eq!(model.context_tables(), vec![256 * 17 * 16]);
    }
}

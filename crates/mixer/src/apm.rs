//! Adaptive probability map (secondary symbol estimation).

use aizip_models::logistic::{squash, stretch, STRETCH_MAX};
use aizip_models::table::{prefetch, ZeroedTable};

const BUCKETS: usize = 33;

/// Refines a probability in a context by interpolating learnt outputs; see the crate docs.
pub struct Apm {
    table: ZeroedTable<u16>,
    /// The lower of the two buckets the last refinement interpolated.
    index: usize,
    rate: u32,
}

impl Apm {
    /// Bytes of table an APM of `contexts` contexts holds.
    pub const fn bytes(contexts: usize) -> usize {
        contexts * BUCKETS * std::mem::size_of::<u16>()
    }

    /// An APM over `contexts` contexts; `rate` is the update shift (larger = slower).
    pub fn new(contexts: usize, rate: u32) -> Self {
        let row: [u16; BUCKETS] = std::array::from_fn(|j| squash((j as i32 - 16) * 128) as u16);
        // Every row is written now.
        let mut table = ZeroedTable::prefaulted(contexts * BUCKETS);
        for chunk in table.as_mut_slice().chunks_exact_mut(BUCKETS) {
            chunk.copy_from_slice(&row);
        }
        Apm {
            table,
            index: 0,
            rate,
        }
    }

    /// The refined probability (16 bits) of `p` in `context`.
    #[inline]
    pub fn refine(&mut self, p: u32, context: usize) -> u32 {
        let s = (stretch(p) + STRETCH_MAX + 1) as u32; // 1..=4095
        let low = (s >> 7) as usize;
        let w = s & 127;
        let base = context * BUCKETS + low;
        self.index = base;
        let t = &self.table.as_slice()[base..base + 2];
        ((t[0] as u32 * (128 - w) + t[1] as u32 * w) >> 7).clamp(1, 65535)
    }

    /// Starts loading the buckets of `context` (a hint, for a context needed soon).
    #[inline]
    pub fn prefetch(&self, context: usize) {
        let row = &self.table.as_slice()[context * BUCKETS..(context + 1) * BUCKETS];
        prefetch(&row[0]);
        prefetch(&row[BUCKETS - 1]);
    }

    /// Trains both buckets the last refinement interpolated between (training only the nearer,
    /// as lpaq does, gave 0.03-0.05% larger archives on wiki text and 0.8% on kennedy.xls).
    #[inline]
    pub fn update(&mut self, bit: u32) {
        let target = if bit == 1 { 65535 } else { 0 };
        for t in &mut self.table.as_mut_slice()[self.index..self.index + 2] {
            *t = (*t as i32 + ((target - *t as i32) >> self.rate)) as u16;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_as_identity() {
        let mut a = Apm::new(1, 7);
        for p in [1000u32, 20000, 32768, 50000, 64000] {
            let q = a.refine(p, 0);
            assert!(
                (q as i32 - p as i32).abs() < p.min(65536 - p) as i32 / 20 + 40,
                "{p} -> {q}"
            );
        }
    }

    #[test]
    fn corrects_a_biased_input() {
        let mut a = Apm::new(2, 6);
        for _ in 0..5000 {
            a.refine(32768, 1);
            a.update(1);
        }
        assert!(a.refine(32768, 1) > 60000);
        assert!((a.refine(32768, 0) as i32 - 32768).abs() < 100);
    }
}

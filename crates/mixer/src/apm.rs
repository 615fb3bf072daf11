//! Adaptive probability map (secondary symbol estimation).

use aizip_models::logistic::{squash, stretch, STRETCH_MAX};
use aizip_models::table::{prefetch, Zeroable, ZeroedTable};

const BUCKETS: usize = 33;

/// How fast an [`Apm`]'s buckets learn: a bucket trained `n` times before moves
/// `1 / (start + n)` of the way to the bit, until that has fallen to `2^-shift` (see the crate
/// docs). A fresh context thus leaves the identity it starts as within a few bits, where a fixed
/// `2^-shift` would take a hundred, and an old one averages over the last `2^shift` or so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApmRate {
    /// The divisor of a bucket's first update, at least 2: about how many bits the identity it
    /// starts as weighs against those it learns.
    pub start: u32,
    /// log2 of the divisor at which the rate stops falling; `2^shift` is at most `start + 255`,
    /// which a bucket reaches after 255 updates, the most its count holds.
    pub shift: u32,
}

impl ApmRate {
    /// `⌊2^16 / min(start + n, 2^shift)⌋` for each count `n` a bucket can hold.
    fn reciprocals(self) -> [u32; 256] {
        std::array::from_fn(|n| (1 << 16) / (self.start + n as u32).min(1 << self.shift))
    }
}

/// A bucket: its learnt output (16 bits, little-endian) and how often it has been trained, up to
/// 255. Packed in 3 bytes, so that an update finds the two buckets' counts in the cache line the
/// refinement read (with the counts in a table of their own, enwik8-head at level 6 cost 1.5%
/// more simulated cycles).
#[derive(Clone, Copy)]
#[repr(transparent)]
struct Bucket([u8; 3]);

// SAFETY: three plain bytes; all zeros is a bucket of output 0 and count 0.
unsafe impl Zeroable for Bucket {}

impl Bucket {
    #[inline(always)]
    fn output(self) -> u32 {
        u32::from(u16::from_le_bytes([self.0[0], self.0[1]]))
    }

    #[inline(always)]
    fn count(self) -> u8 {
        self.0[2]
    }

    #[inline(always)]
    fn new(output: u32, count: u8) -> Self {
        let [low, high] = (output as u16).to_le_bytes();
        Bucket([low, high, count])
    }
}

/// Refines a probability in a context by interpolating learnt outputs; see the crate docs.
pub struct Apm {
    table: ZeroedTable<Bucket>,
    /// The lower of the two buckets the last refinement interpolated.
    index: usize,
    /// [`ApmRate::reciprocals`] of the rate: by a bucket's count, the factor of its step.
    reciprocals: [u32; 256],
}

impl Apm {
    /// Bytes of table an APM of `contexts` contexts holds: each bucket's output and its count.
    pub const fn bytes(contexts: usize) -> usize {
        contexts * BUCKETS * std::mem::size_of::<Bucket>()
    }

    /// An APM over `contexts` contexts that learns at `rate`.
    pub fn new(contexts: usize, rate: ApmRate) -> Self {
        assert!(
            rate.start >= 2
                && rate.shift < 16
                && (rate.start..=rate.start + 255).contains(&(1 << rate.shift)),
            "{rate:?} would move a bucket all the way or not settle within 255 updates"
        );
        let row: [Bucket; BUCKETS] =
            std::array::from_fn(|j| Bucket::new(squash((j as i32 - 16) * 128), 0));
        // Every row is written now.
        let mut table = ZeroedTable::prefaulted(contexts * BUCKETS);
        for chunk in table.as_mut_slice().chunks_exact_mut(BUCKETS) {
            chunk.copy_from_slice(&row);
        }
        Apm {
            table,
            index: 0,
            reciprocals: rate.reciprocals(),
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
        ((t[0].output() * (128 - w) + t[1].output() * w) >> 7).clamp(1, 65535)
    }

    /// Starts loading the buckets of `context` (a hint, for a context needed soon).
    #[inline]
    pub fn prefetch(&self, context: usize) {
        let row = &self.table.as_slice()[context * BUCKETS..(context + 1) * BUCKETS];
        // 99 bytes: up to three cache lines.
        prefetch(&row[0]);
        prefetch(&row[BUCKETS / 2]);
        prefetch(&row[BUCKETS - 1]);
    }

    /// Trains both buckets the last refinement interpolated between (training only the nearer,
    /// as lpaq does, gave 0.03-0.05% larger archives on wiki text and 0.8% on kennedy.xls).
    #[inline(always)]
    pub fn update(&mut self, bit: u32) {
        // The step rounds away from zero, so that a bucket can reach 0 and 65535 (at a distance of
        // 0 the rounding adds nothing): at level 9 wiki4m took 678,488 bytes, against 678,646
        // rounded to nearest, and kennedy.xls 11,303 against 11,852 (11,406 with the floor, which
        // reaches 0 alone).
        let (target, round_up): (i64, i64) = if bit == 1 {
            (65535, (1 << 16) - 1)
        } else {
            (0, 0)
        };
        for bucket in &mut self.table.as_mut_slice()[self.index..self.index + 2] {
            let (t, n) = (i64::from(bucket.output()), bucket.count());
            let reciprocal = i64::from(self.reciprocals[n as usize]);
            let t = t + (((target - t) * reciprocal + round_up) >> 16);
            *bucket = Bucket::new(t as u32, n.saturating_add(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_as_identity() {
        let mut a = Apm::new(1, ApmRate { start: 8, shift: 7 });
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
        let mut a = Apm::new(
            2,
            ApmRate {
                start: 16,
                shift: 6,
            },
        );
        for _ in 0..5000 {
            a.refine(32768, 1);
            a.update(1);
        }
        assert!(a.refine(32768, 1) > 60000);
        assert!((a.refine(32768, 0) as i32 - 32768).abs() < 100);
    }

    /// The outputs and counts of the two buckets `p` interpolates between in context 0.
    fn buckets(a: &Apm, p: u32) -> [(u16, u8); 2] {
        let low = ((stretch(p) + STRETCH_MAX + 1) >> 7) as usize;
        [low, low + 1].map(|k| {
            let bucket = a.table.as_slice()[k];
            (bucket.output() as u16, bucket.count())
        })
    }

    #[test]
    fn a_bucket_learns_at_one_over_start_plus_count_until_the_shift() {
        let rate = ApmRate { start: 8, shift: 5 };
        let mut a = Apm::new(1, rate);
        let p = 40000;
        let mut expected = buckets(&a, p).map(|(t, _)| i64::from(t));
        for n in 0..40u32 {
            a.refine(p, 0);
            a.update(1);
            // The distance times 2^16 / m (truncated), divided by 2^16 and rounded up.
            let divisor = i64::from((rate.start + n).min(1 << rate.shift));
            for t in &mut expected {
                *t += ((65535 - *t) * ((1 << 16) / divisor) + (1 << 16) - 1) >> 16;
            }
            let got = buckets(&a, p);
            assert_eq!(got.map(|(t, _)| i64::from(t)), expected, "update {n}");
            assert_eq!(u32::from(got[0].1), n + 1);
        }
    }

    #[test]
    fn buckets_reach_both_ends() {
        let mut a = Apm::new(1, ApmRate { start: 8, shift: 7 });
        for bit in [0, 1] {
            for _ in 0..2000 {
                a.refine(32768, 0);
                a.update(bit);
            }
            assert_eq!(buckets(&a, 32768).map(|(t, _)| t), [bit as u16 * 65535; 2]);
        }
    }

    #[test]
    fn outputs_stay_in_range_at_the_fastest_rate() {
        let mut a = Apm::new(1, ApmRate { start: 2, shift: 1 });
        for bit in (0..200).map(|i| u32::from(i % 7 < 5)) {
            for p in [1, 32768, 65535] {
                let q = a.refine(p, 0);
                assert!((1..=65535).contains(&q));
                a.update(bit);
            }
        }
    }

    #[test]
    #[should_panic(expected = "not settle within 255 updates")]
    fn refuses_a_rate_that_the_count_cannot_reach() {
        Apm::new(1, ApmRate { start: 2, shift: 9 });
    }

    #[test]
    fn counts_stop_at_255_and_the_rate_at_the_shift() {
        let rate = ApmRate { start: 2, shift: 8 };
        let reciprocals = rate.reciprocals();
        assert_eq!(reciprocals[0], 1 << 15);
        assert_eq!(reciprocals[254], 1 << 8);
        assert_eq!(reciprocals[255], 1 << 8);
        let mut a = Apm::new(1, rate);
        for _ in 0..300 {
            a.refine(20000, 0);
            a.update(0);
        }
        assert_eq!(buckets(&a, 20000).map(|(_, n)| n), [255; 2]);
    }
}

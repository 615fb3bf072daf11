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

/// A bucket: its learnt output minus its [initial output](initial_output) (16 bits, wrapping,
/// little-endian) and how often it has been trained, up to 255. Packed in 3 bytes, so that an
/// update finds the two buckets' counts in the cache line the refinement read (with the counts
/// in a table of their own, enwik8-head at level 6 cost 1.5% more simulated cycles).
///
/// Held as an offset from the initial output, so that a fresh bucket is all zeros: a new table
/// is the system's zeroed pages, resident only where a context is first updated. Writing every
/// bucket's initial output instead made each level-8 and level-9 engine fault in some 115 MB of
/// APMs, however short its input. The offset costs an addition on each read and a subtraction
/// on each write: 1.5% more instructions at level 6 (alice29 under cachegrind).
#[derive(Clone, Copy)]
#[repr(transparent)]
struct Bucket([u8; 3]);

// SAFETY: three bytes with no padding, and every bit pattern (all zeros among them) is a valid
// bucket.
unsafe impl Zeroable for Bucket {}

impl Bucket {
    /// The learnt output of a bucket whose initial output is `initial`.
    #[inline(always)]
    fn output(self, initial: u16) -> u16 {
        u16::from_le_bytes([self.0[0], self.0[1]]).wrapping_add(initial)
    }

    #[inline(always)]
    fn count(self) -> u8 {
        self.0[2]
    }

    /// A bucket whose initial output is `initial` and that has learnt `output` in `count`
    /// updates.
    #[inline(always)]
    fn new(output: u16, initial: u16, count: u8) -> Self {
        let [low, high] = output.wrapping_sub(initial).to_le_bytes();
        Bucket([low, high, count])
    }
}

/// The output bucket `j` of every row holds before its first update: the identity,
/// `squash((j − 16) · 128)`.
fn initial_output(j: usize) -> u16 {
    squash((j as i32 - 16) * 128) as u16
}

/// Refines a probability in a context by interpolating learnt outputs; see the crate docs.
pub struct Apm {
    table: ZeroedTable<Bucket>,
    /// The lower of the two buckets the last refinement interpolated.
    index: usize,
    /// Those two buckets' [initial outputs](initial_output), kept for the update rather than
    /// found again from `index` (a division by 33 per bit).
    initials: [u16; 2],
    /// By the lower bucket's place `j` in its row, the initial outputs of buckets `j` and
    /// `j + 1`: one load for both.
    initial_pairs: [[u16; 2]; BUCKETS - 1],
    /// [`ApmRate::reciprocals`] of the rate: by a bucket's count, the factor of its step.
    reciprocals: [u32; 256],
}

impl Apm {
    /// Bytes of table an APM of `contexts` contexts holds: each bucket's offset and count.
    pub const fn bytes(contexts: usize) -> usize {
        contexts * BUCKETS * std::mem::size_of::<Bucket>()
    }

    /// An APM over `contexts` contexts that learns at `rate`.
    pub fn new(contexts: usize, rate: ApmRate) -> Self {
        let settles = rate.shift < 16
            && (1u32 << rate.shift)
                .checked_sub(rate.start)
                .is_some_and(|counts| counts <= 255);
        assert!(
            rate.start >= 2 && settles,
            "{rate:?}: the first step must move at most half way (start ≥ 2) and the rate must \
             reach 2^-shift within the 255 updates a count holds (start ≤ 2^shift ≤ start + 255)"
        );
        let initial_pairs = std::array::from_fn(|j| [initial_output(j), initial_output(j + 1)]);
        Apm {
            // Faulted in at once only where the table is in huge pages, which the engine allows
            // only for longer inputs (see `ZeroedTable::prefaulted`).
            table: ZeroedTable::prefaulted(contexts * BUCKETS),
            index: 0,
            initials: initial_pairs[0],
            initial_pairs,
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
        self.initials = self.initial_pairs[low];
        let t = &self.table.as_slice()[base..base + 2];
        let (low, high) = (
            u32::from(t[0].output(self.initials[0])),
            u32::from(t[1].output(self.initials[1])),
        );
        ((low * (128 - w) + high * w) >> 7).clamp(1, 65535)
    }

    /// Starts loading the buckets of `context` (a hint, for a context needed soon).
    #[inline]
    pub fn prefetch(&self, context: usize) {
        let row = &self.table.as_slice()[context * BUCKETS..(context + 1) * BUCKETS];
        // 99 bytes: up to three cache lines, the last byte perhaps in a fourth.
        prefetch(&row[0]);
        prefetch(&row[BUCKETS / 2]);
        prefetch(&row[BUCKETS - 1].0[2]);
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
        let buckets = &mut self.table.as_mut_slice()[self.index..self.index + 2];
        for (bucket, initial) in buckets.iter_mut().zip(self.initials) {
            let (t, n) = (i64::from(bucket.output(initial)), bucket.count());
            let reciprocal = i64::from(self.reciprocals[n as usize]);
            let t = t + (((target - t) * reciprocal + round_up) >> 16);
            // Within 0..=65535: a step is at most half the distance (the divisor is at least 2).
            *bucket = Bucket::new(t as u16, initial, n.saturating_add(1));
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

    /// The outputs and counts of the two buckets the last refinement interpolated between.
    fn buckets(a: &Apm) -> [(u16, u8); 2] {
        let pair = &a.table.as_slice()[a.index..a.index + 2];
        [(pair[0], a.initials[0]), (pair[1], a.initials[1])]
            .map(|(bucket, initial)| (bucket.output(initial), bucket.count()))
    }

    #[test]
    fn a_bucket_learns_at_one_over_start_plus_count_until_the_shift() {
        // At p = ½ the refinement reads bucket 16 alone (weight 0 on bucket 17), which starts at
        // squash(0) = 32768; values worked out by hand from the crate docs' formula.
        for (rate, expected) in [
            (
                ApmRate { start: 8, shift: 7 },
                [36864, 40050, 36045, 38726, 35499, 32768],
            ),
            (
                ApmRate {
                    start: 16,
                    shift: 7,
                },
                [34816, 36623, 34588, 36217, 34406, 32768],
            ),
        ] {
            let mut a = Apm::new(1, rate);
            for (n, (bit, t)) in [1, 1, 0, 1, 0, 0].into_iter().zip(expected).enumerate() {
                a.refine(32768, 0);
                assert_eq!(a.index, 16);
                a.update(bit);
                assert_eq!(buckets(&a).map(|(_, n)| n), [n as u8 + 1; 2]);
                assert_eq!(buckets(&a)[0].0, t, "{rate:?}, update {n}");
            }
        }
    }

    #[test]
    fn the_step_falls_to_the_shift() {
        let rate = ApmRate { start: 8, shift: 5 };
        let mut a = Apm::new(1, rate);
        a.refine(40000, 0);
        let mut expected = buckets(&a).map(|(t, _)| i64::from(t));
        for n in 0..40u32 {
            a.refine(40000, 0);
            a.update(1);
            let divisor = i64::from((rate.start + n).min(1 << rate.shift));
            for t in &mut expected {
                // The distance times ⌊2^16 / m⌋, over 2^16, rounded up.
                let scaled = (65535 - *t) * ((1 << 16) / divisor);
                *t += (scaled + (1 << 16) - 1) / (1 << 16);
            }
            assert_eq!(
                buckets(&a).map(|(t, _)| i64::from(t)),
                expected,
                "update {n}"
            );
        }
    }

    #[test]
    fn a_new_table_is_all_zeros_and_starts_as_the_identity() {
        let a = Apm::new(3, ApmRate { start: 8, shift: 7 });
        assert!(a.table.as_slice().iter().all(|bucket| bucket.0 == [0; 3]));
        let row = &a.table.as_slice()[2 * BUCKETS..];
        let identity = |j: usize| squash((j as i32 - 16) * 128) as u16;
        for (j, pair) in row.windows(2).enumerate() {
            let [low, high] = a.initial_pairs[j];
            assert_eq!(pair[0].output(low), identity(j));
            assert_eq!(pair[1].output(high), identity(j + 1));
        }
    }

    #[test]
    fn an_update_before_any_refinement_trains_the_first_two_buckets_of_the_first_row() {
        let rate = ApmRate { start: 8, shift: 7 };
        let (mut fresh, mut refined) = (Apm::new(2, rate), Apm::new(2, rate));
        // p = 1 is stretched to the lowest bucket: the refinement reads buckets 0 and 1 of row 0.
        refined.refine(1, 0);
        assert_eq!(refined.index, 0);
        fresh.update(1);
        refined.update(1);
        assert_eq!(buckets(&fresh), buckets(&refined));
        assert!(buckets(&fresh)[0].0 > initial_output(0));
    }

    #[test]
    fn buckets_reach_both_ends() {
        // Across the middle, and at both ends of the row, where the offset from the initial
        // output wraps around 16 bits.
        for p in [1, 32768, 65535] {
            let mut a = Apm::new(1, ApmRate { start: 8, shift: 7 });
            for bit in [0, 1, 0] {
                for _ in 0..2000 {
                    a.refine(p, 0);
                    a.update(bit);
                }
                assert_eq!(
                    buckets(&a).map(|(t, _)| t),
                    [bit as u16 * 65535; 2],
                    "p {p}"
                );
            }
        }
    }

    #[test]
    fn a_step_never_passes_the_bit_at_the_fastest_rate() {
        let mut a = Apm::new(1, ApmRate { start: 2, shift: 1 });
        for bit in (0..200).map(|i| u32::from(i % 7 < 5)) {
            for p in [1, 20000, 32768, 65535] {
                a.refine(p, 0);
                let before = buckets(&a);
                a.update(bit);
                for ((old, _), (new, _)) in before.into_iter().zip(buckets(&a)) {
                    if bit == 1 {
                        assert!(old <= new);
                    } else {
                        assert!(new <= old);
                    }
                }
            }
        }
    }

    #[test]
    fn refuses_rates_that_move_all_the_way_or_never_settle() {
        for (start, shift) in [(0, 7), (1, 7), (200, 7), (2, 9), (8, 16), (u32::MAX, 7)] {
            let refused = std::panic::catch_unwind(|| Apm::new(1, ApmRate { start, shift }));
            assert!(refused.is_err(), "start {start}, shift {shift}");
        }
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
        assert_eq!(buckets(&a).map(|(_, n)| n), [255; 2]);
    }
}

//! Adaptive probability per context, with a count-based learning rate.
//!
//! Each entry is a `u32`: the probability of a 1 in the top 22 bits and a hit count in the low 10.
//! After coding `bit` in context `cx`:
//!
//! ```text
//! p += (bit * 2^22 - p) * 2 / (2n + 3);    n = min(n + 1, limit)
//! ```
//!
//! so a fresh context follows its first observations closely (rate 2/3, 2/5, …) and an old one
//! settles to a slow average (rate about 1/limit), as in lpaq's StateMap. The reciprocals are a
//! table of integers, so the update is exact integer arithmetic.

use std::sync::OnceLock;

const COUNT_BITS: u32 = 10;
const COUNT_MASK: u32 = (1 << COUNT_BITS) - 1;
/// The largest count an entry holds: the limit at which its rate stops falling.
pub(crate) const MAX_COUNT: u32 = COUNT_MASK;

pub(crate) fn reciprocals() -> &'static [u32; 1024] {
    static TABLE: OnceLock<[u32; 1024]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0u32; 1024];
        for (n, r) in t.iter_mut().enumerate() {
            *r = (2 << 16) / (2 * n as u32 + 3);
        }
        t
    })
}

/// An entry of probability `p16` (16 bits) that has seen nothing yet.
#[inline]
pub(crate) const fn fresh_entry(p16: u32) -> u32 {
    (if p16 < 65535 { p16 } else { 65535 }) << 16
}

/// The probability (16 bits, at least 1) of a 1 that `entry` holds.
#[inline(always)]
pub(crate) fn probability(entry: u32) -> u32 {
    (entry >> 16).max(1)
}

/// Learns `bit` into `entry`: the update of the module documentation, the count capped at
/// `limit`.
#[inline(always)]
pub(crate) fn learn(entry: &mut u32, bit: u32, limit: u32, reciprocals: &[u32; 1024]) {
    let n = *entry & COUNT_MASK;
    let p = (*entry >> COUNT_BITS) as i64;
    let target = (bit as i64) << 22;
    let p = p + (((target - p) * reciprocals[n as usize] as i64) >> 16);
    let n = if n < limit { n + 1 } else { n };
    *entry = ((p as u32) << COUNT_BITS) | n;
}

/// A table of `N` adaptive probabilities indexed by a small context (`N` a power of two).
pub struct StateMap<const N: usize> {
    entries: Box<[u32; N]>,
    limit: u32,
    last: usize,
    reciprocals: &'static [u32; 1024],
}

impl<const N: usize> StateMap<N> {
    /// All entries start at p = 1/2; counts saturate at `limit` (at most 1023).
    pub fn new(limit: u32) -> Self {
        const { assert!(N.is_power_of_two()) };
        StateMap {
            entries: Box::new([1 << 31; N]),
            limit: limit.min(COUNT_MASK),
            last: 0,
            reciprocals: reciprocals(),
        }
    }

    /// Sets the starting probability (16 bits) of context `cx`.
    pub fn set_initial(&mut self, cx: usize, p16: u32) {
        self.entries[cx] = fresh_entry(p16);
    }

    /// Probability (16 bits) of a 1 in context `cx`; remembers `cx` for [`StateMap::update`].
    #[inline]
    pub fn p(&mut self, cx: usize) -> u32 {
        self.last = cx % N;
        probability(self.entries[self.last])
    }

    /// Learns `bit` in the context of the last [`StateMap::p`].
    #[inline]
    pub fn update(&mut self, bit: u32) {
        learn(
            &mut self.entries[self.last % N],
            bit,
            self.limit,
            self.reciprocals,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_biased_source() {
        let mut sm = StateMap::<1>::new(1023);
        for i in 0..10_000 {
            sm.p(0);
            sm.update((i % 10 != 0) as u32);
        }
        let p = sm.p(0);
        assert!((58_000..60_000).contains(&p), "{p}");
    }

    #[test]
    fn first_observation_moves_far() {
        let mut sm = StateMap::<1>::new(127);
        sm.p(0);
        sm.update(1);
        assert!(sm.p(0) > 50_000);
    }
}

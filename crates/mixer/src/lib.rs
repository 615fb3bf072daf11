//! # aizip-mixer: from many predictions to one
//!
//! ## Layer 1: gated logistic mixing
//! The models' stretched predictions `x_i` (logits in 1/256 units, ±2047) are combined by weight
//! *sets*. Each set has a small context (a *selector*, e.g. the match length or the partial byte)
//! that chooses one weight vector `w` (16.16 fixed point) per bit:
//!
//! ```text
//! s = clamp(Σ_i ((w_i · x_i) >> 8) >> 8, ±2047)        p = squash(s)
//! ```
//!
//! and after the bit `y` is known, online gradient descent on coding cost moves the chosen vector:
//!
//! ```text
//! e   = ((y · 2^16 − p) · r) >> 10
//! w_i += (x_i · e) >> 14        (rounded, clamped to ±8.0)
//! ```
//!
//! The update is skipped when `|y · 2^16 − p| < 256` for the mixer's final `p`: the bit was
//! already predicted with near certainty.
//!
//! The rate `r` starts high and settles: a vector updated `n` times before, in a set that has
//! been updated `t` times, learns at
//!
//! ```text
//! r = rate' · (1 + b · 64 / (64 + n))
//! rate' = rate · (f/8 + (7 − f)/8 · 2^S / (2^S + t) + ¼ · 2^20 / (2^20 + t))
//! ```
//!
//! (the boost `64 / (64 + n)` in 1/4096 units, from a table, and 0 from n = 4096 on; `b` is
//! [`LearningRate::new_vector_boost`]) so a new context's vector moves quickly away from its
//! neutral start, and the whole mixer settles from 9/8 of `rate` to 7/8 of it over the first
//! megabits (measured: 0.1–0.25% smaller archives at levels 6 and 9 than a constant rate).
//! Where `f` ([`LearningRate::settled_eighths`]) is below 7, it goes on falling towards `f`/8 of
//! `rate`, half way there after `2^S` updates ([`LearningRate::settling_bits`]): a long input's
//! weights have settled, and a lower rate then averages out more noise.
//!
//! ## Layer 2
//! The outputs `s_k` of all sets are mixed again by the weight vector of an *output* set, chosen
//! by its own small context and trained the same way at a lower rate: each layer-1 set
//! specialises on its context and layer 2 learns which specialist to trust. A mixer may have two
//! output sets, which judge the specialists in different contexts: their logits are averaged,
//! `s = (o_1 + o_2) >> 1`, and each is trained on its own prediction `squash(o_j)`. See [`Mixer`].
//!
//! A layer-2 vector may also slow down with its own updates ([`LearningRate::output_vectors`]):
//! in the formula above, `rate'` is then multiplied (and the product truncated) before the boost
//! is applied:
//!
//! ```text
//! r = rate' · (g/8 + (8 − g)/8 · 2^V / (2^V + n)) · (1 + b · 64 / (64 + n))
//! ```
//!
//! A few of layer 2's vectors take most of its updates; those have the most to average. Layer 1's
//! vectors never settle this way.
//!
//! ## SSE / APM
//! An [`Apm`] (adaptive probability map) refines a probability given a context: it interpolates
//! between 33 buckets spanning the stretch domain, each holding a learnt 16-bit output `t` and a
//! count `n` of its updates, and trains both buckets it interpolated between toward the coded bit
//! `y`:
//!
//! ```text
//! refine p:   s = stretch(p) + 2048    j = s >> 7    w = s & 127
//!             p' = clamp((t_j · (128 − w) + t_(j+1) · w) >> 7, 1, 65535)
//! learn y:    for both buckets:  m = min(start + n, 2^shift)    d = y · 65535 − t
//!             t += (d · ⌊2^16 / m⌋ + (y == 1 ? 2^16 − 1 : 0)) >> 16    n = min(n + 1, 255)
//! at first:   t_j = squash((j − 16) · 128), n = 0
//! ```
//!
//! (`>>` is an arithmetic shift, a floor; with the added `2^16 − 1` when the bit is a 1, the step
//! is rounded away from zero, so that a bucket can reach either end; see [`ApmRate`]): a context
//! seen a few times follows its bits, an old one averages over about the last `2^shift`.
//! Chains of APMs on different contexts, averaged with their input, fix systematic errors the
//! mixer cannot see.
//!
//! Memory: a row of 33 buckets of 3 bytes per context, each bucket holding `t` minus its initial
//! value `squash((j − 16) · 128)` (wrapping, 16 bits little-endian) and `n` (8 bits), so that a
//! new table is all zeros and the system makes its pages resident only where a context is
//! first updated.
//!
//! ## Calling order (per bit)
//! ```text
//! mixer.inputs() ← models      mixer.select(contexts), mixer.select_outputs(contexts)      p = mixer.mix()
//! p' = apm.refine(p, ctx) …        code the bit      mixer.update(bit); apm.update(bit) …
//! ```
//! Everything is integer arithmetic: identical results on every machine. [`Mixer::mix`] and
//! [`Mixer::update`] choose the instruction-set path once per bit and run every set inside one
//! function compiled for it, so the kernels of [`dot`](fn@dot) inline there; on the AVX2 path the
//! layer-1 sets are mixed and trained in one pass over the inputs (each block of inputs loaded
//! once for all sets: 5% fewer instructions at level 2), for the set counts of
//! [`ONE_PASS_SET_COUNTS`].

mod apm;
mod dot;
mod simd;

pub use apm::{Apm, ApmRate};
pub use dot::{dot, train, LANES, WEIGHT_LIMIT};

use dot::Kernel;
pub use simd::Simd;

use aizip_models::logistic::{squash, STRETCH_MAX};
use aizip_models::table::{prefetch, prefetch_lines, ZeroedTable};
use aizip_models::Inputs;

/// The weight vectors of one set, one per context, each `width` long (padded to [`LANES`]).
struct WeightSet {
    contexts: usize,
    inputs: usize,
    width: usize,
    /// Allocated zeroed (untouched pages cost no memory) in huge pages where the system offers
    /// them (a large set's vectors are read at random, and 4 KiB pages cost a TLB miss each);
    /// a vector gets its starting weights when first selected.
    weights: ZeroedTable<i32>,
    /// Index of the selected vector.
    selected: usize,
    rate: LearningRate,
    /// Updates of each vector, up to [`BOOSTED_UPDATES`].
    updates: Vec<u16>,
    /// A settling layer-2 set's full count of each vector's updates (saturating); empty
    /// otherwise, so that layer 1's updates neither read nor keep it.
    settling_updates: Vec<u32>,
    /// `rate'` of the formula above, refreshed every [`RATE_REFRESH`] updates of the set.
    settled_rate: i32,
    set_updates: u64,
}

/// How a mixer's weight sets learn (see the crate documentation). Layer 2 takes the same boost
/// and settling at its own base rate, `OUTPUT_RATE`, and its vectors alone settle with their own
/// updates as [`LearningRate::output_vectors`] says.
#[derive(Clone, Copy, Debug)]
pub struct LearningRate {
    /// `rate`: the more inputs, the lower the best rate (640 suits about 10, 192 some 60 to 130).
    pub base: i32,
    /// `b`: how much faster a new vector learns. Measured on both layers together: with some 10
    /// inputs, 8 against 4 gives w2m -0.18%, enwik8-head -0.13%, book1 -0.05%, kennedy.xls
    /// -0.95% at level 6; with some 100 inputs 4 is better (at level 9, 8 costs enwik8-head
    /// +0.13% and book1 +0.09%).
    pub new_vector_boost: i32,
    /// `f`: the eighths of `base` the set settles to in the end, 1 to 7 (see the crate
    /// documentation).
    pub settled_eighths: i32,
    /// `S`: log2 of the set updates by which it has come half way from 7/8 to `f`/8 of `base`
    /// (unused where `f` is 7).
    pub settling_bits: u32,
    /// How each layer-2 vector slows down with its own updates, if it does (see the crate
    /// documentation). Layer 1's never do: at level 9 on wiki4m, settling them as well (towards
    /// 4/8, half way by 2^16) cost 0.014% against settling layer 2's alone.
    pub output_vectors: Option<VectorSettling>,
}

/// A layer-2 vector's `rate'`, after the vector has been updated `n` times, is multiplied by
/// `g/8 + (8 − g)/8 · 2^V / (2^V + n)`: a vector that many bits select has seen enough to average
/// over more of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VectorSettling {
    /// `g`: the eighths of its rate a vector settles to, 0 to 7.
    pub settled_eighths: i32,
    /// `V`: log2 of the updates by which a vector has come half way there, at most 32 (a
    /// vector's count stops at 2^32 − 1).
    pub settling_bits: u32,
}

impl VectorSettling {
    /// `rate` for a vector updated `n` times before. The factor is at most 1, and the product
    /// below 2^14 · 2^36: no overflow.
    fn apply(self, rate: i32, n: u32) -> i32 {
        let (g, half, n) = (
            self.settled_eighths as i64,
            1i64 << self.settling_bits,
            n as i64,
        );
        (rate as i64 * (g * (half + n) + (8 - g) * half) / (8 * (half + n))) as i32
    }
}

/// The largest effective rate for which the mixer's arithmetic cannot overflow: the error
/// `(2^16 · rate) >> 10` times an input (2^11) must stay below 2^31.
const MAX_EFFECTIVE_RATE: i64 = 16_000;

impl LearningRate {
    /// The largest rate a new vector of a young set trains at: `rate'` starts at 9/8 of `base`,
    /// boosted by `1 + b`.
    fn peak(self) -> i64 {
        self.base as i64 * 9 / 8 * (1 + self.new_vector_boost as i64)
    }

    /// `rate'` after `t` updates of the set (see the crate documentation).
    fn settled(self, t: u64) -> i32 {
        let (rate, f, t) = (self.base as i64, self.settled_eighths as i64, t as i64);
        let young = |bits: u32, eighths: i64| {
            let settling = 1i64 << bits;
            rate * eighths * settling / (8 * (settling + t))
        };
        (rate * f / 8 + young(self.settling_bits, 7 - f) + young(FIRST_SETTLING_BITS, 2)) as i32
    }
}

/// Rate of the new vector boost's decay (measured with a boost of 8 at level 6 on w2m: 32 gives
/// +0.07%, 128 -0.03%, but at level 9 with a boost of 4, 128 gives +0.06%).
const NEW_VECTOR_UPDATES: u32 = 64;
/// Updates after which a vector gets no boost.
const BOOSTED_UPDATES: usize = 4096;
/// `4096 · 64 / (64 + n)` for each count `n` below [`BOOSTED_UPDATES`].
static NEW_VECTOR_BOOSTS: [u16; BOOSTED_UPDATES] = {
    let mut table = [0u16; BOOSTED_UPDATES];
    let mut n = 0;
    while n < BOOSTED_UPDATES {
        table[n] = (4096 * NEW_VECTOR_UPDATES / (NEW_VECTOR_UPDATES + n as u32)) as u16;
        n += 1;
    }
    table
};
/// log2 of the updates in which a set's rate falls half way from 9/8 to 7/8 of its base.
const FIRST_SETTLING_BITS: u32 = 20;
/// How often the set's settling rate is recomputed (a power of two).
const RATE_REFRESH: u64 = 1 << 10;

impl WeightSet {
    fn new(inputs: usize, contexts: usize, rate: LearningRate) -> Self {
        let width = inputs.max(1).next_multiple_of(LANES);
        let mut set = WeightSet {
            contexts,
            inputs,
            width,
            weights: ZeroedTable::new(width * contexts),
            selected: 0,
            rate,
            updates: vec![0; contexts],
            settling_updates: match rate.output_vectors {
                Some(_) => vec![0; contexts],
                None => Vec::new(),
            },
            settled_rate: rate.settled(0),
            set_updates: 0,
        };
        set.select(0);
        set
    }

    #[inline]
    fn select(&mut self, context: usize) {
        debug_assert!(context < self.contexts);
        self.selected = self.vector_of(context);
        if self.updates[self.selected] == 0 {
            // Never trained: start as the average of the real inputs (padding lanes stay 0).
            let start = self.selected * self.width;
            self.weights.as_mut_slice()[start..start + self.inputs]
                .fill((1 << 16) / self.inputs.max(1) as i32);
        }
    }

    /// The vector that `context` selects (a context past the last selects the last).
    #[inline]
    fn vector_of(&self, context: usize) -> usize {
        context.min(self.contexts - 1)
    }

    /// Where the vector that `context` selects starts.
    #[inline]
    fn vector_start(&self, context: usize) -> usize {
        self.vector_of(context) * self.width
    }

    /// Starts loading the first cache line of the vector of `context`.
    #[inline]
    fn prefetch(&self, context: usize) {
        prefetch(&self.weights.as_slice()[self.vector_start(context)]);
    }

    /// Starts loading all that selecting and training the vector of `context` reads: each cache
    /// line of its weights, and its update count.
    #[inline(always)]
    fn prefetch_all(&self, context: usize) {
        let vector = self.vector_of(context);
        let start = vector * self.width;
        prefetch_lines(&self.weights.as_slice()[start..start + self.width]);
        prefetch(&self.updates[vector]);
        if let Some(count) = self.settling_updates.get(vector) {
            prefetch(count);
        }
    }

    #[inline]
    fn vector(&self) -> &[i32] {
        let start = self.selected * self.width;
        &self.weights.as_slice()[start..start + self.width]
    }

    /// Rounded, clamped logit of the selected vector applied to `inputs`.
    ///
    /// # Safety
    /// The CPU supports `K`'s path; `inputs` is `width` long.
    #[inline(always)]
    unsafe fn mix<K: Kernel>(&self, inputs: &[i32]) -> i32 {
        debug_assert_eq!(inputs.len(), self.width);
        WeightSet::logit(K::dot(inputs, self.vector()))
    }

    /// The set's output from its dot product (16.8 fixed point): rounded down and clamped.
    #[inline(always)]
    fn logit(dot: i32) -> i32 {
        (dot >> 8).clamp(-STRETCH_MAX, STRETCH_MAX)
    }

    /// The selected vector, to train.
    #[inline]
    fn vector_mut(&mut self) -> &mut [i32] {
        let start = self.selected * self.width;
        &mut self.weights.as_mut_slice()[start..start + self.width]
    }

    /// Counts an update of the selected vector and returns its error term for `bit`, given the
    /// set's prediction `p`: the `e` of the crate documentation. `OUTPUT`: whether this is a
    /// layer-2 set, whose vectors may settle; layer 1's updates then test nothing for it (a test
    /// per update cost level 6 0.8-1.0% more instructions).
    #[inline(always)]
    fn error<const OUTPUT: bool>(&mut self, bit: u32, p: u32) -> i32 {
        let n = self.updates[self.selected] as usize;
        let boost = NEW_VECTOR_BOOSTS.get(n).map_or(0, |&b| b as i32);
        self.updates[self.selected] = (n + 1).min(BOOSTED_UPDATES) as u16;
        self.set_updates += 1;
        if self.set_updates.is_multiple_of(RATE_REFRESH) {
            self.settled_rate = self.rate.settled(self.set_updates);
        }
        let settled = match self.rate.output_vectors {
            Some(settling) if OUTPUT => self.settle_selected(settling),
            _ => self.settled_rate,
        };
        let rate = settled + ((settled * boost * self.rate.new_vector_boost) >> 12);
        error(bit, p, rate)
    }

    /// The settled rate of the selected vector of a settling layer-2 set, counting its update.
    #[inline]
    fn settle_selected(&mut self, settling: VectorSettling) -> i32 {
        let count = &mut self.settling_updates[self.selected];
        let n = *count;
        *count = n.saturating_add(1);
        settling.apply(self.settled_rate, n)
    }

    /// # Safety
    /// As for [`WeightSet::mix`].
    #[inline(always)]
    unsafe fn train<K: Kernel, const OUTPUT: bool>(&mut self, inputs: &[i32], bit: u32, p: u32) {
        let err = self.error::<OUTPUT>(bit, p);
        debug_assert_eq!(inputs.len(), self.width);
        K::train(inputs, self.vector_mut(), err);
    }
}

/// The mixer learns nothing from a bit it predicted with an error below this (of 2^16), as
/// fx2-cmix does: such bits carry almost no gradient, and skipping them both saves the update
/// (level 6 on w1m: 7.6% fewer instructions) and keeps the weights from creeping on long
/// predictable runs (w2m at levels 6 and 9: -0.07% and -0.09%; kennedy.xls -2.6% and -0.9%;
/// 128 and 512 gained less).
const SKIP_ERROR: i32 = 256;

/// Rate of the layer-2 vectors: they mix a few inputs that are each already well calibrated, and
/// learn best more slowly than layer 1 (measured with [`SKIP_ERROR`]: 128 against 64 gives w2m
/// -0.10% at level 6 and -0.05% at level 9, wiki4m -0.04% at level 9, enwik8-head -0.08%,
/// kennedy.xls -0.7%; book1 +0.01% at level 6 and +0.08% at level 9; 256 is better at level 6
/// on wiki text and worse elsewhere).
const OUTPUT_RATE: i32 = 128;

/// A two-layer mixer; see the crate documentation.
pub struct Mixer {
    simd: Simd,
    inputs: Inputs,
    sets: Vec<WeightSet>,
    hidden: Vec<i32>,
    output: WeightSet,
    second_output: Option<WeightSet>,
    /// With a second output set: both sets' logits for the current bit.
    output_logits: [i32; 2],
    p: u32,
}

/// Calls `$method` (a `Mixer` method generic over the [`Kernel`]) with the kernel of the mixer's
/// path, inside a function compiled for that instruction set, after checking the length that the
/// kernels rely on: safe code may replace the input buffer ([`Mixer::inputs`]), so every call
/// checks it (one compare per bit). The output sets' buffer is private and sized in `new`.
macro_rules! with_kernel {
    ($mixer:expr, $method:ident($($arg:ident: $ty:ty),*) -> $ret:ty) => {{
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        unsafe fn avx2(mixer: &mut Mixer $(, $arg: $ty)*) -> $ret {
            mixer.$method::<dot::Avx2>($($arg),*)
        }
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f")]
        unsafe fn avx512(mixer: &mut Mixer $(, $arg: $ty)*) -> $ret {
            mixer.$method::<dot::Avx512>($($arg),*)
        }
        assert_eq!(
            $mixer.inputs.padded().len(),
            $mixer.sets.first().map_or(LANES, |s| s.width),
            "the mixer's input buffer was replaced by one of another size"
        );
        match $mixer.simd {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `new` accepts only a path the CPU supports, and the lengths the kernels
            // need hold (checked above; the output sets' by construction).
            Simd::Avx2 => unsafe { avx2($mixer $(, $arg)*) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as for Avx2.
            Simd::Avx512 => unsafe { avx512($mixer $(, $arg)*) },
            // SAFETY: the scalar path runs anywhere; lengths as for Avx2.
            _ => unsafe { $mixer.$method::<dot::Scalar>($($arg),*) },
        }
    }};
}

impl Mixer {
    /// A mixer of `inputs` inputs with one layer-1 weight set per entry of `selectors` (its
    /// number of contexts), trained at `rate`, and one layer-2 set per entry of
    /// `output_selectors` (one or two), trained at `OUTPUT_RATE` with the same boost and set
    /// settling, their vectors settling as `rate.output_vectors` says.
    pub fn new(
        simd: Simd,
        inputs: usize,
        selectors: &[usize],
        rate: LearningRate,
        output_selectors: &[usize],
    ) -> Self {
        assert!(
            (1..=2).contains(&output_selectors.len()),
            "a mixer has one or two output sets"
        );
        assert!(
            Simd::available().contains(&simd),
            "this CPU cannot run the {simd} path"
        );
        let output_rate = LearningRate {
            base: OUTPUT_RATE,
            ..rate
        };
        assert!(
            (1..=7).contains(&rate.settled_eighths) && rate.settling_bits <= 40,
            "{rate:?} settles outside 1/8..=7/8 of its base or after 2^40 updates"
        );
        assert!(
            rate.output_vectors
                .is_none_or(|v| (0..=7).contains(&v.settled_eighths) && v.settling_bits <= 32),
            "{rate:?}: layer 2's vectors settle outside 0/8..=7/8 of their rate or after 2^32 updates"
        );
        assert!(
            rate.base > 0
                && rate.new_vector_boost >= 0
                && [rate, output_rate]
                    .iter()
                    .all(|r| r.peak() <= MAX_EFFECTIVE_RATE),
            "{rate:?} could overflow the mixer's arithmetic"
        );
        let sets: Vec<WeightSet> = selectors
            .iter()
            .map(|&n| {
                let layer1 = LearningRate {
                    output_vectors: None,
                    ..rate
                };
                WeightSet::new(inputs, n, layer1)
            })
            .collect();
        let mut outputs = output_selectors
            .iter()
            .map(|&n| WeightSet::new(sets.len(), n, output_rate));
        let output = outputs.next().expect("checked above");
        let second_output = outputs.next();
        Mixer {
            simd,
            inputs: Inputs::with_capacity(sets.first().map_or(LANES, |s| s.width)),
            hidden: vec![0; output.width],
            sets,
            output,
            second_output,
            output_logits: [0; 2],
            p: 32768,
        }
    }

    /// Bytes of weights and counts `Mixer::new(_, inputs, selectors, rate, output_selectors)`
    /// holds: exactly, where `rate` settles the output vectors, and otherwise at most.
    pub fn bytes(inputs: usize, selectors: &[usize], output_selectors: &[usize]) -> usize {
        // Each vector: its weights and its update count; an output vector also its settling
        // count, whether or not the rate settles it (an upper bound, by 4 bytes per output
        // vector, where it does not).
        let vector = |n: usize| {
            n.max(1).next_multiple_of(LANES) * std::mem::size_of::<i32>()
                + std::mem::size_of::<u16>()
        };
        selectors.iter().sum::<usize>() * vector(inputs)
            + output_selectors.iter().sum::<usize>()
                * (vector(selectors.len()) + std::mem::size_of::<u32>())
    }

    /// Starts loading the vector that `context` of set `set` selects: for a set with more
    /// vectors than the caches hold, call it with both possible contexts of the next bit.
    #[inline]
    pub fn prefetch(&self, set: usize, context: usize) {
        self.sets[set].prefetch(context);
    }

    /// Starts loading every vector that [`Mixer::select`] with `contexts` and
    /// [`Mixer::select_outputs`] with `outputs` will choose: for a caller that knows the
    /// contexts of a bit before it mixes the one before.
    #[inline(always)]
    pub fn prefetch_selected(&self, contexts: &[u32], outputs: &[u32]) {
        for (set, &context) in self.sets.iter().zip(contexts) {
            set.prefetch_all(context as usize);
        }
        let outputs_sets = std::iter::once(&self.output).chain(&self.second_output);
        for (set, &context) in outputs_sets.zip(outputs) {
            set.prefetch_all(context as usize);
        }
    }

    /// Number of layer-2 (output) sets: one or two.
    #[inline]
    pub fn output_sets(&self) -> usize {
        1 + usize::from(self.second_output.is_some())
    }

    /// Chooses the context of every layer-1 set for the next bit: `contexts[k]` for set `k`
    /// (contexts beyond the last set are ignored).
    #[inline(always)]
    pub fn select(&mut self, contexts: &[u32]) {
        assert!(contexts.len() >= self.sets.len(), "a context for every set");
        for (set, &context) in self.sets.iter_mut().zip(contexts) {
            set.select(context as usize);
        }
    }

    /// Chooses the context of every layer-2 set for the next bit, as [`Mixer::select`] does.
    #[inline(always)]
    pub fn select_outputs(&mut self, contexts: &[u32]) {
        assert!(
            contexts.len() >= self.output_sets(),
            "a context for every output set"
        );
        self.output.select(contexts[0] as usize);
        if let Some(second) = &mut self.second_output {
            second.select(contexts[1] as usize);
        }
    }

    /// The input buffer: clear it, push the inputs (each within ±2047), then [`Mixer::mix`].
    #[inline]
    pub fn inputs(&mut self) -> &mut Inputs {
        &mut self.inputs
    }

    /// Mixes the inputs (exactly as many as given to [`Mixer::new`]): the probability (16 bits)
    /// that the next bit is a 1.
    #[inline(always)]
    pub fn mix(&mut self) -> u32 {
        debug_assert!(self
            .inputs
            .as_slice()
            .iter()
            .all(|x| x.abs() <= STRETCH_MAX));
        with_kernel!(self, mix_with() -> u32)
    }

    /// Trains every selected weight vector on the coded bit, unless the mixed prediction was
    /// already nearly certain of it (see `SKIP_ERROR`).
    #[inline(always)]
    pub fn update(&mut self, bit: u32) {
        if (((bit as i32) << 16) - self.p as i32).abs() < SKIP_ERROR {
            return;
        }
        with_kernel!(self, update_with(bit: u32) -> ());
    }

    /// # Safety
    /// The CPU supports `K`'s path; the input buffer is as long as the layer-1 vectors.
    #[inline(always)]
    unsafe fn mix_with<K: Kernel>(&mut self) -> u32 {
        self.mix_layer1::<K>();
        let first = self.output.mix::<K>(&self.hidden);
        self.p = match &self.second_output {
            None => squash(first),
            Some(second) => {
                let other = second.mix::<K>(&self.hidden);
                self.output_logits = [first, other];
                squash((first + other) >> 1)
            }
        };
        self.p
    }

    /// Layer 1 of [`Mixer::mix_with`] for exactly `N` sets, in one pass over the inputs.
    ///
    /// # Safety
    /// As for [`Mixer::mix_with`]; there are `N` sets.
    #[inline(always)]
    unsafe fn mix_sets<K: Kernel, const N: usize>(&mut self) {
        let sets: &[WeightSet; N] = self.sets[..N].try_into().expect("N sets");
        let dots = K::dots(self.inputs.padded(), sets.each_ref().map(WeightSet::vector));
        for (hidden, dot) in self.hidden.iter_mut().zip(dots) {
            *hidden = WeightSet::logit(dot);
        }
    }

    /// # Safety
    /// As for [`Mixer::mix_with`].
    #[inline(always)]
    unsafe fn update_with<K: Kernel>(&mut self, bit: u32) {
        self.update_layer1::<K>(bit);
        match &mut self.second_output {
            None => self.output.train::<K, true>(&self.hidden, bit, self.p),
            Some(second) => {
                let [first_logit, second_logit] = self.output_logits;
                self.output
                    .train::<K, true>(&self.hidden, bit, squash(first_logit));
                second.train::<K, true>(&self.hidden, bit, squash(second_logit));
            }
        }
    }

    /// Layer 1 of [`Mixer::update_with`] for exactly `N` sets, in one pass over the inputs.
    ///
    /// # Safety
    /// As for [`Mixer::mix_with`]; there are `N` sets.
    #[inline(always)]
    unsafe fn update_sets<K: Kernel, const N: usize>(&mut self, bit: u32) {
        let sets: &mut [WeightSet; N] = (&mut self.sets[..N]).try_into().expect("N sets");
        let mut errs = [0; N];
        for ((err, set), &hidden) in errs.iter_mut().zip(sets.iter_mut()).zip(&self.hidden) {
            // Squashed here, not in mix: a skipped update needs none.
            *err = set.error::<false>(bit, squash(hidden));
        }
        K::trains(
            self.inputs.padded(),
            sets.each_mut().map(WeightSet::vector_mut),
            errs,
        );
    }
}

/// Defines [`ONE_PASS_SET_COUNTS`] and the layer-1 dispatch on them: each listed count gets its
/// own instance of the one-pass kernels, any other count goes set by set.
macro_rules! one_pass_set_counts {
    ($($n:literal),+) => {
        /// The layer-1 set counts that are mixed and trained in one pass over the inputs (see
        /// [`Mixer::mix`]): the counts the levels of `aizip` use, which a test there holds to
        /// this list. Any other count works, set by set, in more time: without their counts here,
        /// levels 8 and 9 took 25.1 and 63.2 s on wiki4m against 24.0 and 51.6 s (level 9 with a
        /// set more).
        pub const ONE_PASS_SET_COUNTS: &[usize] = &[$($n),+];

        impl Mixer {
            /// Layer 1 of [`Mixer::mix_with`].
            ///
            /// # Safety
            /// As for [`Mixer::mix_with`].
            #[inline(always)]
            unsafe fn mix_layer1<K: Kernel>(&mut self) {
                match self.sets.len() {
                    $($n => self.mix_sets::<K, $n>(),)+
                    _ => {
                        let inputs = self.inputs.padded();
                        for (set, hidden) in self.sets.iter().zip(&mut self.hidden) {
                            *hidden = set.mix::<K>(inputs);
                        }
                    }
                }
            }

            /// Layer 1 of [`Mixer::update_with`].
            ///
            /// # Safety
            /// As for [`Mixer::mix_with`].
            #[inline(always)]
            unsafe fn update_layer1<K: Kernel>(&mut self, bit: u32) {
                match self.sets.len() {
                    $($n => self.update_sets::<K, $n>(bit),)+
                    _ => {
                        for (set, &hidden) in self.sets.iter_mut().zip(&self.hidden) {
                            // Squashed here, not in mix: a skipped update needs none.
                            set.train::<K, false>(self.inputs.padded(), bit, squash(hidden));
                        }
                    }
                }
            }
        }
    };
}

one_pass_set_counts!(3, 5, 9, 14);

#[inline]
fn error(bit: u32, p: u32, rate: i32) -> i32 {
    ((((bit as i32) << 16) - p as i32) * rate) >> 10
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_RATE: LearningRate = LearningRate {
        base: 512,
        new_vector_boost: 4,
        settled_eighths: 7,
        settling_bits: 0,
        output_vectors: None,
    };
    const TEST_SETTLING: VectorSettling = VectorSettling {
        settled_eighths: 1,
        settling_bits: 15,
    };
    const SETTLING_RATE: LearningRate = LearningRate {
        output_vectors: Some(TEST_SETTLING),
        ..TEST_RATE
    };

    #[test]
    fn bytes_counts_every_weight_and_count() {
        let rate = SETTLING_RATE;
        let m = Mixer::new(Simd::Scalar, 21, &[3, 256, 7], rate, &[8, 5]);
        let held: usize = m
            .sets
            .iter()
            .chain([&m.output])
            .chain(&m.second_output)
            .map(|s| s.weights.len() * 4 + s.updates.len() * 2 + s.settling_updates.len() * 4)
            .sum();
        assert_eq!(Mixer::bytes(21, &[3, 256, 7], &[8, 5]), held);
    }

    #[test]
    fn new_vectors_learn_faster_and_the_set_settles() {
        assert_eq!(NEW_VECTOR_BOOSTS[0], 4096);
        assert!(NEW_VECTOR_BOOSTS.windows(2).all(|w| w[0] >= w[1]));
        assert_eq!(TEST_RATE.settled(0), 512 * 9 / 8);
        assert_eq!(TEST_RATE.settled(1 << 20), 512);
        assert_eq!(TEST_RATE.settled(1 << 50), 512 * 7 / 8);
        let further = LearningRate {
            settled_eighths: 3,
            settling_bits: 23,
            ..TEST_RATE
        };
        assert_eq!(further.settled(0), 512 * 9 / 8);
        // Half way from 7/8 to 3/8 at 2^23 updates, with the first settling nearly done.
        let half_way = 512 * 5 / 8 + 512 / 4 / 9;
        assert!((further.settled(1 << 23) - half_way).abs() <= 1);
        assert_eq!(further.settled(1 << 50), 512 * 3 / 8);
    }

    #[test]
    fn output_vectors_settle_with_their_own_updates() {
        let settling = TEST_SETTLING;
        assert_eq!(settling.apply(1000, 0), 1000);
        assert_eq!(settling.apply(1000, 1 << 15), 1000 * 9 / 16);
        assert_eq!(settling.apply(1000, u32::MAX), 125);
        let rate = SETTLING_RATE;
        let m = Mixer::new(Simd::Scalar, 4, &[2, 3], rate, &[8, 5]);
        assert!(m.sets.iter().all(|s| s.rate.output_vectors.is_none()));
        assert!(std::iter::once(&m.output)
            .chain(&m.second_output)
            .all(|s| s.rate.output_vectors == Some(settling)));
    }

    #[test]
    fn a_settling_vector_trains_at_its_settled_rate_before_the_boost() {
        let rate = SETTLING_RATE;
        let mut set = WeightSet::new(3, 1, rate);
        let settled = set.settled_rate;
        // The first update: the count before it is 0, so only the boost acts.
        let boosted = settled + ((settled * 4096 * rate.new_vector_boost) >> 12);
        assert_eq!(set.error::<true>(1, 0), error(1, 0, boosted));
        // Past the boost, half way to 1/8 of the rate.
        set.updates[0] = BOOSTED_UPDATES as u16;
        set.settling_updates[0] = 1 << 15;
        assert_eq!(set.error::<true>(1, 0), error(1, 0, settled * 9 / 16));
        assert_eq!(set.settling_updates[0], (1 << 15) + 1);
    }

    #[test]
    #[should_panic(expected = "layer 2's vectors settle outside")]
    fn refuses_vectors_that_would_never_settle() {
        let rate = LearningRate {
            output_vectors: Some(VectorSettling {
                settled_eighths: 1,
                settling_bits: 33,
            }),
            ..TEST_RATE
        };
        Mixer::new(Simd::Scalar, 4, &[1], rate, &[1]);
    }

    #[test]
    #[should_panic(expected = "overflow")]
    fn refuses_a_rate_that_could_overflow() {
        let rate = LearningRate {
            base: 2048,
            new_vector_boost: 8,
            ..TEST_RATE
        };
        Mixer::new(Simd::Scalar, 4, &[1], rate, &[1]);
    }

    #[test]
    fn learns_to_trust_the_right_input() {
        // Input 0 is informative, input 1 is noise; the mixer must learn to follow input 0.
        let mut m = Mixer::new(Simd::detect(), 2, &[1, 2], TEST_RATE, &[1]);
        let mut seed = 12345u32;
        let mut cost = 0.0;
        for i in 0..20_000 {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let bit = (seed >> 31) & 1;
            let noise = ((seed >> 8) & 0x3FF) as i32 - 512;
            m.select(&[0, (i & 1) as u32]);
            m.select_outputs(&[0]);
            let inputs = m.inputs();
            inputs.clear();
            inputs.push(if bit == 1 { 600 } else { -600 });
            inputs.push(noise);
            let p = m.mix() as f64 / 65536.0;
            if i >= 10_000 {
                cost -= if bit == 1 { p } else { 1.0 - p }.log2();
            }
            m.update(bit);
        }
        assert!(cost / 10_000.0 < 0.15, "{} bits per bit", cost / 10_000.0);
    }
}

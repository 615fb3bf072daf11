//! LSTM model: a small recurrent network that reads the text a byte at a time and predicts the
//! next byte's distribution, learning online by truncated back-propagation through time.
//!
//! Every other model counts what followed a context it names. A long short-term memory network
//! (Hochreiter and Schmidhuber, 1997) names none: its cells keep a state that the bytes update,
//! and what the state remembers (inside a word, a link, a clause) is learnt by gradient descent.
//! Its errors differ from the counters', which is what the mixer wants of it (cmix and nncp
//! mix such networks; paq8px's `-L` option runs one).
//!
//! ## The network
//! One layer of `N` cells with a coupled input gate (the input gate is `1 − f`), the byte read
//! as a one-hot vector `x`, and a softmax over the 256 values of the next byte. At step `t`,
//! for each gate `g` of forget `f`, output `o` and candidate `z`:
//!
//! ```text
//! a_g = W_g[x_t] + U_g · h_(t−1) + b_g
//! f = σ(a_f)    o = σ(a_o)    z = tanh(a_z)
//! c_t = f ⊙ c_(t−1) + (1 − f) ⊙ z         h_t = o ⊙ tanh(c_t)
//! P_t = softmax(V · h_t + d)               (the next byte's distribution)
//! ```
//!
//! The first step reads byte 0 with `h = c = 0`; each later step reads the byte just coded.
//! The bit predictions follow from `P`: summed pairwise into a binary tree whose node for the
//! partial byte `c0` (its bits behind a leading 1) holds the probability of the bytes that
//! extend it, `p1 = ⌊65536 · P(2 c0 + 1) / P(c0)⌋` clamped to `1..=65535` (½ if `P(c0)` is not
//! positive), and the mixer gets `stretch(p1)` and `max(⌊(p1 − 2^15) / 2^4⌋, −2047)` (the
//! quotient rounded towards −∞). The engine also reads the *expected byte*, the leaf reached
//! from `c0` by taking the child of the larger probability at each level (the `2n` child unless
//! the `2n + 1` child's is larger), to select mixer weights; and at each byte the model names
//! two contexts for the context maps, from the *likeliest byte* `b*` (the first byte of the
//! largest `P`) and its probability in eighths `q = min(⌊8 P[b*]⌋, 7)`: `combine(LSTM_SALT, b* ·
//! 2^16 + c1 · 2^8 + c2)` and `combine(LSTM_SALT + 1, b* · 2^8 + q)` (`c1`, `c2` the last two
//! bytes; `LSTM_SALT` is `0x157A_0000`; `combine` is the context maps' hash step).
//!
//! ## Learning
//! The loss is the coding cost of each byte, `−ln P_t[y_t]`. Every [`HORIZON`] bytes the
//! network runs backwards over the steps since its last update (their activations are kept),
//! carrying `∂/∂h` and `∂/∂c` from each step to the one before and none into the window before,
//! and sums the gradients of all weights over the window (the softmax's gradient
//! `P_t − onehot(y_t)`, with `P_t` as the floor below left it). Each summed gradient `g` is
//! clamped to ±[`GRADIENT_LIMIT`] and taken as 0 where under [`SMALLEST_GRADIENT`] (or not a
//! number); then Adam (Kingma and Ba, 2014) moves the weight, with moments under
//! [`SMALLEST_MOMENT`] taken as 0, after `k` windows:
//!
//! ```text
//! m ← β1 m + (1 − β1) g        v ← β2 v + (1 − β2) g · g
//! α_k = α · max(√(D / (D + k)), ¼)
//! η = α_k / (1 − β1^k)
//! w ← clamp(w − (η · m) / (√(v · (1 / (1 − β2^k))) + ε) − (η · λ) · w, ±L)
//! ```
//!
//! (`β^k` stops falling once under 10^-30; `k` is converted to `f32` for `α_k`, and stops
//! counting at 2^32 − 1; `D` is [`DECAY_WINDOWS`]; the subtractions go left to right;
//! `clamp(x, ±L)` is `min(max(x, −L), L)`, with `L` [`GATE_WEIGHT_LIMIT`] for `U`, `W` and `b`,
//! [`OUTPUT_WEIGHT_LIMIT`] for `V` and `d`, and leaves the moments as the step made them; the
//! weight decay `λ` is [`RECURRENT_WEIGHT_DECAY`] for `U` and 0 for the others, and a weight
//! under [`SMALLEST_WEIGHT`] in magnitude after the clamp is taken as 0.) The rows of `W` of
//! bytes the window did not read are left as they are, moments and all (Adam's lazy variant:
//! most rows, most of the time).
//! The state `h`, `c` goes on from where the forward steps left it.
//!
//! The starting weights: `U`, then `W`, then `V`, each in its memory order (below), drawn as
//! `(s >> 8) / 2^23 − 1` times `1 / √N`, where `s` is a 32-bit xorshift state (`s ^= s << 13;
//! s ^= s >> 17; s ^= s << 5` before each draw) that starts at `0x2545F491`; the biases start at
//! 0.
//!
//! ## Determinism
//! The network computes in `f32`. Every operation it uses is an IEEE 754 basic operation
//! (addition, multiplication, division, square root, comparison) or a conversion, which every
//! conforming machine rounds alike, in an order the source fixes, whatever width the compiler
//! vectorises a loop to (Rust never fuses a multiply and an add, and never reassociates
//! floating-point sums); the exponential is this module's own ([`exp`]), not the platform's. So
//! archives are the same on every machine with IEEE single precision (x86-64's SSE, aarch64;
//! not a 32-bit x86 without SSE, whose x87 unit rounds differently), as with the integer models,
//! and the AVX2 build of the network computes the same bits (a test holds it to the portable
//! one, another pins the inputs over a text). The orders:
//!
//! * a step's gate inputs start as `W[x] + b` and add `U[i] · h[i]` for `i = 0, 1, …`; its
//!   logits start as `d` and add `V[i] · h[i]` likewise; [`sigmoid`] is `1 / (1 + exp(−x))`
//!   with `x` clamped to ±[`SIGMOID_SPAN`], and `tanh x = 2 σ(2x) − 1`;
//! * the softmax subtracts the largest logit, takes [`exp`] of each difference, at least
//!   −[`LOGIT_SPAN`], sums them in index order and multiplies each by the reciprocal of the sum;
//!   the tree adds pairwise, `P(n) = P(2n) + P(2n + 1)`;
//! * the backward pass's products with a transposed matrix (`V^T`, `U^T`) are [`dot`]s, each in
//!   [`DOT_LANES`] interleaved partial sums; every gradient adds into its sum in step order,
//!   from the window's last step to its first.
//!
//! ## Memory layout
//! The gate weights are stored input by input, `U[i]` the `3N` weights of `h_(t−1)[i]` in all
//! gates and `W[x]` those of byte `x`, so that a step adds whole rows (`a += U[i] h[i]`, a loop
//! the compiler vectorises), as are the output weights `V[i]`, the 256 weights of `h[i]`. Each
//! weight has its Adam moments and its gradient beside it in the same layout.

use crate::context_map::{combine, exact_context_bytes};
use crate::logistic::{stretch, STRETCH_MAX};
use crate::model::{BitContext, History, Inputs, Model};

/// Salts the hashes of the model's contexts.
const LSTM_SALT: u64 = 0x157A_0000;

/// Bytes after which the network learns from them (the window of back-propagation).
pub const HORIZON: usize = 20;

/// Lanes of the partial sums of [`dot`]; the cells are a multiple of it.
const DOT_LANES: usize = 32;

/// Adam's step size at the start, decay rates and ε.
const LEARNING_RATE: f32 = 0.01;
const BETA1: f32 = 0.9;
const BETA2: f32 = 0.999;
const EPSILON: f32 = 1e-6;

/// The windows over which the step size falls: for the `k`-th window it is
/// `α √(D / (D + k))`, [`LEARNING_RATE`] at first and half of it after `3 D` windows (12 MB of
/// text), but never under a quarter of it ([`SMALLEST_RATE_SHARE`]). Early on the network has
/// everything to learn; later, smaller steps keep what it has learnt from being pushed about by
/// each window. Measured at level 9 on wiki4m against a constant α: D = 200,000 -0.043%, with
/// the mixer's [`BitContext::lstm_byte`] set and without it; 50,000 -0.031% without it; a
/// faster start (α 0.02, D = 20,000) +0.4%. With the second input and a context, against
/// 200,000: 100,000 +0.008%, 400,000 +0.049%. Between the values of D the differences are
/// within what the starting weights' seed moves (0.03%, see `LSTM_CELLS` in the `aizip`
/// crate).
const DECAY_WINDOWS: f32 = 200_000.0;

/// The share of [`LEARNING_RATE`] under which the step size does not fall (after 15 D windows,
/// 60 MB): no input measured reaches it, but on enwik9 (50 million windows) the decay alone
/// would leave a sixteenth, and a network that stops learning cannot follow the text's changes.
const SMALLEST_RATE_SHARE: f32 = 0.25;

/// Adam's step size `α` for the `k`-th window (from 1): see [`DECAY_WINDOWS`].
#[inline]
fn learning_rate(k: u32) -> f32 {
    let share = (DECAY_WINDOWS / (DECAY_WINDOWS + k as f32)).sqrt();
    LEARNING_RATE * share.max(SMALLEST_RATE_SHARE)
}

/// How far below the largest logit a logit counts: no probability falls under `e^-24 / 256`
/// (about 10^-13). Without a floor, the rare bytes' probabilities, their output weights'
/// gradients and Adam's moments for those weights fell into subnormal numbers, whose arithmetic
/// is many times slower (wiki4m took 270 s instead of 115 at a learning rate of 0.015), and the
/// coder never sees a probability that small anyway.
const LOGIT_SPAN: f32 = 24.0;

/// Adam's smallest gradient and moments: anything smaller counts as 0. A moment decays
/// geometrically while its weight's gradient is (nearly) 0, and the square of a small gradient
/// is smaller still: without the flush, both end up subnormal.
const SMALLEST_GRADIENT: f32 = 1e-15;
const SMALLEST_MOMENT: f32 = 1e-30;

/// `x`, or 0 where its magnitude is below `smallest` or it is not a number (a gradient that
/// overflowed would otherwise turn every weight into NaN for good).
#[inline(always)]
fn flush(x: f32, smallest: f32) -> f32 {
    if x.abs() >= smallest {
        x
    } else {
        0.0
    }
}

/// The largest magnitude of a summed gradient: Adam's step hardly depends on a gradient's size,
/// but its second moment does, and one window with a huge error would inflate it and slow the
/// weight's learning for a thousand windows after.
const GRADIENT_LIMIT: f32 = 4.0;

/// The largest magnitude of a gate weight (`U`, `W`, `b`) and of an output weight (`V`, `d`). Adam
/// moves a weight by about its step size each window, whatever the gradient's size (once it is well
/// above ε), and nothing pulled the weights back. A trial build that printed them at every
/// power-of-two window showed, at 128 cells on wiki-dev, the output weights' root mean square
/// growing with the text (1.0 after 4,096 windows, 4.3 after 65,536, 7.2 after 131,072, 12.4 after
/// 262,144, the largest then 75; the recurrent weights' 0.44, 1.9, 2.4, 3.2, the largest 18), and
/// at 160 cells on wiki4m the network was lost (677,354 bytes, about what the model set gives
/// without it; bounded, ±4 on every weight 673,559, these bounds 673,335, with the committed seed;
/// with seed 987654321 the bounded network was lost too, see [`RECURRENT_WEIGHT_DECAY`]). enwik9 is
/// over a hundred times as many windows. Against the unbounded network at 128 cells, these bounds:
/// wiki-dev 2,067,599 bytes against 2,068,374 (-0.037%); wiki4m 673,606 and 673,289 with two seeds
/// against 673,463 and 673,455 (the same on average); enwik8-head 71,007 against 71,064; bible.txt
/// +0.15% with the committed seed and -0.09% with another (the seed alone moves it 0.05%),
/// kennedy.xls +2.4% and +0.4% (the seed alone: 2.8%). Other bounds, gate and output, against the
/// unbounded network: ±4 and ±8 wiki-dev -0.049%, but wiki4m +0.034% over three seeds; ±8 and ±8
/// wiki-dev +0.040%, wiki4m -0.009%; ±4 and ±4, ±2 and ±4 wiki4m +0.07% and +0.02%.
const GATE_WEIGHT_LIMIT: f32 = 4.0;
const OUTPUT_WEIGHT_LIMIT: f32 = 16.0;

/// The weight decay `λ` of the recurrent weights `U`: each step also takes `η · λ` times the
/// weight (as it was before the step) off it, decoupled from the gradient as in AdamW
/// (Loshchilov and Hutter, 2019), but scaled by Adam's bias-corrected step `η`, which is larger
/// than `α_k` in the first few dozen windows. Without it the network could lose itself for
/// good. A trial build that printed the gates and the weights every 2,048 windows showed the
/// bounded 160-cell network on wiki4m with one seed (987654321) go, between windows 8,192 and
/// 10,240, from a quarter of its forget and output gates outside 0.01..0.99 to nine tenths, its
/// output gates opening (their mean 0.09 at 6,144 windows, 0.22 at 8,192, 0.78 at 10,240; 0.04
/// to 0.11 in the networks that learnt) and its coding cost rising from 3.5 bits a byte to 5 or
/// 6. From then on the root mean square of `U` stayed at 0.89-0.90 (it had been growing), the
/// gates stayed saturated, and the network never came back: 677,499 bytes, about what the model
/// set gives without it. The likely cause: saturated gates pass almost no gradient back, and of
/// the gates' inputs `U · h` is the one that can drown the others (up to `N L` = 640 in
/// magnitude, against 8 for `W[x] + b`). The decay pulls `U` back where its gradients stop: with
/// it that run's gates never went past a fifth outside 0.01..0.99 (672,268 bytes). On wiki4m's
/// first megabyte, with `λ` = 0.001, a run that saturated stayed so; on wiki4m, one that also
/// decayed `W` at 0.02 saturated for about 4,000 windows and came back. Measured at level 9 on
/// wiki4m at 160 cells with three seeds (the committed one, 987654321 and 12345): `λ` = 0.01
/// 672,410, 672,268 and 672,585 bytes, against 673,335, 677,499 (lost) and 673,044 without it;
/// with the committed seed, 0.005 672,493 and 0.02 672,547. With `λ` = 0.01 on `U`, decaying `W`
/// too at 0.01 gave 672,076, 672,343 and 672,417 (-0.021% on average, within what the seed
/// moves), at 0.005 672,398 and at 0.02 673,234 (the committed seed), and decaying `V` as well
/// at 0.01, 673,094 (the committed seed). At 128 cells, `λ` = 0.01 gave 673,547 bytes against
/// 673,606 (the committed seed).
const RECURRENT_WEIGHT_DECAY: f32 = 0.01;

/// The smallest magnitude of a weight after its step: anything smaller is 0. A weight whose
/// gradient stays under [`SMALLEST_GRADIENT`] shrinks by `1 − η λ` a window (at least 2.5 · 10^-5
/// once `α_k` is down to a quarter) and, without the flush, would turn subnormal after a few
/// million such windows (enwik9 is 50 million), slowing every product it enters.
const SMALLEST_WEIGHT: f32 = 1e-30;

/// `e^x` from IEEE basic operations only: `x = n ln 2 + r` with `|r| ≤ ½ ln 2`, `e^r` by its Taylor
/// polynomial of degree 7 (relative error below 2^-23 there), scaled by `2^n` built from its
/// exponent bits. `x` is clamped to `[-87, 88]`, where `2^n` is a normal `f32`.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split so that `n · LN2_HIGH` is exact for |n| < 2^9.
    const LN2_HIGH: f32 = 0.693_145_75;
    const LN2_LOW: f32 = 1.428_606_8e-6;
    let x = x.clamp(-87.0, 88.0);
    // floor(x log2 e + ½), by truncation corrected below zero (vectorises, unlike `floor`).
    let t = x * LOG2_E + 0.5;
    let truncated = t as i32;
    let n = (truncated - i32::from((truncated as f32) > t)) as f32;
    let r = (x - n * LN2_HIGH) - n * LN2_LOW;
    let mut p = 1.0 / 5040.0;
    for coefficient in [
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = p * r + coefficient;
    }
    p * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// `1 / (1 + e^-x)`, `x` clamped to `±SIGMOID_SPAN`.
#[inline(always)]
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x.clamp(-SIGMOID_SPAN, SIGMOID_SPAN)))
}

/// Where [`sigmoid`] stops: beyond ±30 it is within 10^-13 of 0 or 1, and from about -87 on it
/// would be subnormal (as would `tanh`'s intermediate from about -44).
const SIGMOID_SPAN: f32 = 30.0;

/// `tanh x = 2 σ(2x) − 1`.
#[inline(always)]
fn tanh(x: f32) -> f32 {
    2.0 * sigmoid(2.0 * x) - 1.0
}

/// `Σ a_i b_i` in [`DOT_LANES`] interleaved partial sums (lane `k` sums the products of the
/// indices `k mod DOT_LANES`, in index order), then the lanes added in order: an order the
/// source fixes, which the compiler vectorises at any width without changing a bit, with
/// independent accumulators for the AVX2 build (one 8-lane accumulator would wait on each
/// addition). The lengths are multiples of [`DOT_LANES`].
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; DOT_LANES];
    for (a, b) in a.chunks_exact(DOT_LANES).zip(b.chunks_exact(DOT_LANES)) {
        for k in 0..DOT_LANES {
            lanes[k] += a[k] * b[k];
        }
    }
    lanes.iter().sum()
}

/// `y += a · x`.
#[inline(always)]
fn add_scaled(y: &mut [f32], a: f32, x: &[f32]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// A weight array with its summed gradient and Adam's moments.
struct Weights {
    /// The largest magnitude of a weight: [`GATE_WEIGHT_LIMIT`] or [`OUTPUT_WEIGHT_LIMIT`].
    limit: f32,
    /// The weight decay `λ` of the module documentation: [`RECURRENT_WEIGHT_DECAY`] for `U`, 0
    /// for the others.
    weight_decay: f32,
    value: Vec<f32>,
    gradient: Vec<f32>,
    mean: Vec<f32>,
    variance: Vec<f32>,
}

impl Weights {
    /// `len` weights drawn uniformly from `±scale` by `random`, whose steps keep them to `±limit`.
    fn new(len: usize, scale: f32, limit: f32, random: &mut Random) -> Self {
        Weights::starting_at((0..len).map(|_| random.uniform() * scale).collect(), limit)
    }

    fn zeros(len: usize, limit: f32) -> Self {
        Weights::starting_at(vec![0.0; len], limit)
    }

    /// The weights `value`, whose steps keep them to `±limit`, with no gradient and no moments
    /// yet.
    fn starting_at(value: Vec<f32>, limit: f32) -> Self {
        let len = value.len();
        Weights {
            limit,
            weight_decay: 0.0,
            value,
            gradient: vec![0.0; len],
            mean: vec![0.0; len],
            variance: vec![0.0; len],
        }
    }

    /// These weights, each step also taking `step · weight_decay · w` off each weight `w`.
    fn with_weight_decay(self, weight_decay: f32) -> Self {
        Weights {
            weight_decay,
            ..self
        }
    }

    /// Adam's step with the window's gradient (`step` = `α_k` with β1's bias correction folded
    /// in, `variance_correction` β2's), less `step · weight_decay` of each weight, which it then
    /// keeps to `±limit` and flushes under [`SMALLEST_WEIGHT`]; the gradient is then cleared.
    #[inline(always)]
    fn learn(&mut self, step: f32, variance_correction: f32) {
        self.learn_range(0..self.value.len(), step, variance_correction);
    }

    /// [`Weights::learn`] for the weights in `range` alone.
    #[inline(always)]
    fn learn_range(&mut self, range: std::ops::Range<usize>, step: f32, variance_correction: f32) {
        let (limit, weight_decay) = (self.limit, self.weight_decay);
        for (((w, g), m), v) in self.value[range.clone()]
            .iter_mut()
            .zip(&mut self.gradient[range.clone()])
            .zip(&mut self.mean[range.clone()])
            .zip(&mut self.variance[range])
        {
            let gradient = flush(g.clamp(-GRADIENT_LIMIT, GRADIENT_LIMIT), SMALLEST_GRADIENT);
            *m = flush(BETA1 * *m + (1.0 - BETA1) * gradient, SMALLEST_MOMENT);
            *v = flush(
                BETA2 * *v + (1.0 - BETA2) * gradient * gradient,
                SMALLEST_MOMENT,
            );
            let moved = *w
                - step * *m / ((*v * variance_correction).sqrt() + EPSILON)
                - step * weight_decay * *w;
            *w = flush(moved.clamp(-limit, limit), SMALLEST_WEIGHT);
            *g = 0.0;
        }
    }

    fn bytes(&self) -> usize {
        4 * self.value.len() * std::mem::size_of::<f32>()
    }
}

/// A xorshift generator for the starting weights: the same on every run.
struct Random(u32);

impl Random {
    /// Uniform in `[-1, 1)`.
    fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 >> 8) as f32 / (1u32 << 23) as f32 - 1.0
    }
}

/// What a forward step keeps for the backward pass.
#[derive(Clone)]
struct Step {
    input: u8,
    target: u8,
    /// `h_(t−1)`, `c_(t−1)`.
    h_before: Vec<f32>,
    c_before: Vec<f32>,
    /// `f`, `o`, `z` (activated), `N` each.
    gates: Vec<f32>,
    tanh_c: Vec<f32>,
    h: Vec<f32>,
    /// `P_t`.
    probabilities: Vec<f32>,
}

impl Step {
    fn new(cells: usize) -> Self {
        Step {
            input: 0,
            target: 0,
            h_before: vec![0.0; cells],
            c_before: vec![0.0; cells],
            gates: vec![0.0; 3 * cells],
            tanh_c: vec![0.0; cells],
            h: vec![0.0; cells],
            probabilities: vec![0.0; 256],
        }
    }
}

/// The network of the module documentation.
struct Network {
    cells: usize,
    /// `U`: `N` rows of `3N` (input `h[i]` to the gates f, o, z).
    recurrent: Weights,
    /// `W`: 256 rows of `3N` (input byte `x` to the gates).
    embedding: Weights,
    gate_bias: Weights,
    /// `V`: `N` rows of 256 (cell `i` to the byte logits).
    output: Weights,
    output_bias: Weights,
    h: Vec<f32>,
    c: Vec<f32>,
    /// The steps since the last update; `steps[..filled]` have their targets.
    steps: Vec<Step>,
    filled: usize,
    /// `β1^k`, `β2^k` after `k` updates.
    beta1_power: f32,
    beta2_power: f32,
    /// Windows learnt, for [`DECAY_WINDOWS`] (saturating; an `f32` count would stop at 2^24).
    windows: u32,
}

impl Network {
    fn new(cells: usize) -> Self {
        assert!(cells.is_multiple_of(DOT_LANES), "cells in whole lanes");
        let mut random = Random(0x2545_F491);
        let scale = 1.0 / (cells as f32).sqrt();
        Network {
            cells,
            recurrent: Weights::new(cells * 3 * cells, scale, GATE_WEIGHT_LIMIT, &mut random)
                .with_weight_decay(RECURRENT_WEIGHT_DECAY),
            embedding: Weights::new(256 * 3 * cells, scale, GATE_WEIGHT_LIMIT, &mut random),
            gate_bias: Weights::zeros(3 * cells, GATE_WEIGHT_LIMIT),
            output: Weights::new(cells * 256, scale, OUTPUT_WEIGHT_LIMIT, &mut random),
            output_bias: Weights::zeros(256, OUTPUT_WEIGHT_LIMIT),
            h: vec![0.0; cells],
            c: vec![0.0; cells],
            steps: vec![Step::new(cells); HORIZON],
            filled: 0,
            beta1_power: 1.0,
            beta2_power: 1.0,
            windows: 0,
        }
    }

    fn bytes(&self) -> usize {
        let step = (7 * self.cells + 256) * std::mem::size_of::<f32>();
        self.recurrent.bytes()
            + self.embedding.bytes()
            + self.gate_bias.bytes()
            + self.output.bytes()
            + self.output_bias.bytes()
            + HORIZON * step
    }

    /// Reads `input` and leaves the next byte's distribution in the window's next step.
    #[inline(always)]
    fn forward(&mut self, input: u8) -> &[f32] {
        let n = self.cells;
        let step = &mut self.steps[self.filled];
        step.input = input;
        step.h_before.copy_from_slice(&self.h);
        step.c_before.copy_from_slice(&self.c);
        let activation = &mut step.gates;
        let embedded = &self.embedding.value[input as usize * 3 * n..][..3 * n];
        for ((a, w), b) in activation
            .iter_mut()
            .zip(embedded)
            .zip(&self.gate_bias.value)
        {
            *a = w + b;
        }
        for (i, &h) in self.h.iter().enumerate() {
            add_scaled(activation, h, &self.recurrent.value[i * 3 * n..][..3 * n]);
        }
        let (forget, rest) = activation.split_at_mut(n);
        let (out, candidate) = rest.split_at_mut(n);
        // Element by element, in separate loops that the compiler vectorises.
        for a in forget.iter_mut() {
            *a = sigmoid(*a);
        }
        for a in out.iter_mut() {
            *a = sigmoid(*a);
        }
        for a in candidate.iter_mut() {
            *a = tanh(*a);
        }
        for ((c, &f), &z) in self.c.iter_mut().zip(&*forget).zip(&*candidate) {
            *c = f * *c + (1.0 - f) * z;
        }
        for (t, &c) in step.tanh_c.iter_mut().zip(&self.c) {
            *t = tanh(c);
        }
        for ((h, &o), &t) in self.h.iter_mut().zip(&*out).zip(&step.tanh_c) {
            *h = o * t;
        }
        step.h.copy_from_slice(&self.h);
        let logits = &mut step.probabilities;
        logits.copy_from_slice(&self.output_bias.value);
        for (i, &h) in self.h.iter().enumerate() {
            add_scaled(logits, h, &self.output.value[i * 256..][..256]);
        }
        let max = logits.iter().fold(f32::MIN, |m, &l| m.max(l));
        for l in logits.iter_mut() {
            *l = exp((*l - max).max(-LOGIT_SPAN));
        }
        let sum: f32 = logits.iter().sum();
        let scale = 1.0 / sum;
        for l in logits.iter_mut() {
            *l *= scale;
        }
        logits
    }

    /// The byte that followed the last forward step was `target`: learns from the window once
    /// it is full.
    #[inline(always)]
    fn learn(&mut self, target: u8) {
        self.steps[self.filled].target = target;
        self.filled += 1;
        if self.filled == self.steps.len() {
            self.backward();
            self.apply_gradients();
            self.filled = 0;
        }
    }

    /// Sums the gradient of the window's loss into each weight's `gradient`.
    #[inline(always)]
    fn backward(&mut self) {
        let n = self.cells;
        let mut dh_next = vec![0.0f32; n];
        let mut dc_next = vec![0.0f32; n];
        let mut dlogits = vec![0.0f32; 256];
        let mut dgates = vec![0.0f32; 3 * n];
        let mut dh = vec![0.0f32; n];
        for step in self.steps[..self.filled].iter().rev() {
            dlogits.copy_from_slice(&step.probabilities);
            dlogits[step.target as usize] -= 1.0;
            add_scaled(&mut self.output_bias.gradient, 1.0, &dlogits);
            dh.copy_from_slice(&dh_next);
            for (i, (dh, &h)) in dh.iter_mut().zip(&step.h).enumerate() {
                let row = i * 256..(i + 1) * 256;
                *dh += dot(&self.output.value[row.clone()], &dlogits);
                add_scaled(&mut self.output.gradient[row], h, &dlogits);
            }
            let (forget, rest) = step.gates.split_at(n);
            let (out, candidate) = rest.split_at(n);
            let (d_forget, rest) = dgates.split_at_mut(n);
            let (d_out, d_candidate) = rest.split_at_mut(n);
            let cell = forget.iter().zip(out).zip(candidate).zip(&step.tanh_c);
            let before = step.c_before.iter().zip(&dh).zip(dc_next.iter_mut());
            let gradients = d_forget
                .iter_mut()
                .zip(d_out.iter_mut())
                .zip(d_candidate.iter_mut());
            for ((((&f, &o), &z), &tc), (((&c_before, &dh), dc_next), ((df, d_o), dz))) in
                cell.zip(before.zip(gradients))
            {
                let dc = dh * o * (1.0 - tc * tc) + *dc_next;
                *df = dc * (c_before - z) * f * (1.0 - f);
                *d_o = dh * tc * o * (1.0 - o);
                *dz = dc * (1.0 - f) * (1.0 - z * z);
                *dc_next = dc * f;
            }
            add_scaled(&mut self.gate_bias.gradient, 1.0, &dgates);
            let embedded = step.input as usize * 3 * n..(step.input as usize + 1) * 3 * n;
            add_scaled(&mut self.embedding.gradient[embedded], 1.0, &dgates);
            for (i, (dh, &h)) in dh_next.iter_mut().zip(&step.h_before).enumerate() {
                let row = i * 3 * n..(i + 1) * 3 * n;
                *dh = dot(&self.recurrent.value[row.clone()], &dgates);
                add_scaled(&mut self.recurrent.gradient[row], h, &dgates);
            }
        }
    }

    /// Adam's step for every weight, with the gradient [`Network::backward`] summed.
    #[inline(always)]
    fn apply_gradients(&mut self) {
        // The powers stop before they turn subnormal: by then the correction is 1 anyway.
        if self.beta1_power > 1e-30 {
            self.beta1_power *= BETA1;
        }
        if self.beta2_power > 1e-30 {
            self.beta2_power *= BETA2;
        }
        self.windows = self.windows.saturating_add(1);
        let step = learning_rate(self.windows) / (1.0 - self.beta1_power);
        let variance_correction = 1.0 / (1.0 - self.beta2_power);
        // Only the rows of the bytes the window read have a gradient: the others keep their
        // moments (Adam's lazy variant), which saves most of the update's time.
        let row = 3 * self.cells;
        let mut read = [false; 256];
        for step in &self.steps[..self.filled] {
            read[step.input as usize] = true;
        }
        for byte in (0..256).filter(|&b| read[b]) {
            self.embedding
                .learn_range(byte * row..(byte + 1) * row, step, variance_correction);
        }
        for weights in [
            &mut self.recurrent,
            &mut self.gate_bias,
            &mut self.output,
            &mut self.output_bias,
        ] {
            weights.learn(step, variance_correction);
        }
    }
}

/// The model: the network's byte distribution as bit predictions.
pub struct LstmModel {
    network: Network,
    /// Whether the network runs compiled for AVX2 (the same arithmetic, wider registers).
    #[cfg(target_arch = "x86_64")]
    avx2: bool,
    /// The current byte's distribution as a binary tree in heap order: node `n` (1..256) holds
    /// `tree[2n] + tree[2n + 1]`, and `tree[256 + b] = P[b]`. The partial byte `c0` (its bits
    /// behind a leading 1) is the node whose subtree holds the bytes that extend it.
    tree: [f32; 512],
    /// Bytes of the table of each context the model names.
    table_bytes: usize,
}

/// Steps of the likeliest byte's probability in its context.
const CONFIDENCE_STEPS: u32 = 8;

impl LstmModel {
    /// A network of `cells` cells (a multiple of 32), compiled for AVX2 where `avx2` says so (the
    /// CPU must have it; the bits are the same either way), naming contexts of `table_bytes`
    /// tables (the confidence's no larger than its 2^11 values can fill).
    pub fn new(cells: usize, avx2: bool, table_bytes: usize) -> Self {
        #[cfg(target_arch = "x86_64")]
        assert!(
            !avx2 || std::arch::is_x86_feature_detected!("avx2"),
            "this CPU has no AVX2"
        );
        #[cfg(not(target_arch = "x86_64"))]
        assert!(!avx2, "AVX2 is an x86-64 path");
        LstmModel {
            network: Network::new(cells),
            #[cfg(target_arch = "x86_64")]
            avx2,
            tree: [0.0; 512],
            table_bytes,
        }
    }

    /// Learns the byte just completed (if any) and predicts the next one.
    fn next_byte(&mut self, completed: Option<u8>) {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is set only where the CPU has AVX2.
            return unsafe { self.next_byte_avx2(completed) };
        }
        self.next_byte_portable(completed)
    }

    /// [`LstmModel::next_byte`] compiled for AVX2.
    ///
    /// # Safety
    /// The CPU supports AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn next_byte_avx2(&mut self, completed: Option<u8>) {
        self.next_byte_portable(completed)
    }

    #[inline(always)]
    fn next_byte_portable(&mut self, completed: Option<u8>) {
        if let Some(byte) = completed {
            self.network.learn(byte);
        }
        let probabilities = self.network.forward(completed.unwrap_or(0));
        self.tree[256..].copy_from_slice(probabilities);
        self.sum_the_tree();
    }

    /// Fills the tree's inner nodes from its leaves.
    #[inline(always)]
    fn sum_the_tree(&mut self) {
        for node in (1..256).rev() {
            self.tree[node] = self.tree[2 * node] + self.tree[2 * node + 1];
        }
    }

    /// The byte reached from the partial byte `c0` by taking the likelier branch of the tree at
    /// each bit (the left one where they are equal).
    fn expected_byte(&self, c0: u32) -> u32 {
        let mut node = c0 as usize;
        while node < 256 {
            node = 2 * node + usize::from(self.tree[2 * node + 1] > self.tree[2 * node]);
        }
        (node - 256) as u32
    }

    /// The byte of the largest probability (the first of equals) and that probability in
    /// [`CONFIDENCE_STEPS`] (0..=7).
    fn likeliest_byte(&self) -> (u64, u64) {
        let probabilities = &self.tree[256..];
        let mut likeliest = 0;
        for (byte, &p) in probabilities.iter().enumerate().skip(1) {
            if p > probabilities[likeliest] {
                likeliest = byte;
            }
        }
        let steps = (probabilities[likeliest] * CONFIDENCE_STEPS as f32) as u64;
        (likeliest as u64, steps.min(u64::from(CONFIDENCE_STEPS) - 1))
    }

    /// The probability (16 bits, 1..=65535) that the next bit is a 1, given the partial byte
    /// `c0`: the share of the upper child of `c0`'s node in its probability.
    fn p1(&self, c0: u32) -> u32 {
        let node = c0 as usize;
        let (all, ones) = (self.tree[node], self.tree[2 * node + 1]);
        // Never 0 (the softmax's floor), but a network gone wrong must not make it NaN either.
        if all.is_nan() || all <= 0.0 {
            return 1 << 15;
        }
        ((ones / all * 65536.0) as u32).clamp(1, 65535)
    }
}

impl Model for LstmModel {
    fn name(&self) -> String {
        "lstm".into()
    }

    fn own_bytes(&self) -> usize {
        self.network.bytes()
    }

    /// At each byte the model names two contexts: the byte the network finds likeliest with the
    /// last two bytes, and with its probability in eighths. Their counters learn what does
    /// follow where the network expects a byte, and how far to believe it: wiki4m -0.020% at
    /// level 9.
    fn context_tables(&self) -> Vec<usize> {
        // The second context's 256 bytes × the steps, as one exact byte's table is for 256.
        let confidence_bytes = exact_context_bytes(1) * CONFIDENCE_STEPS as usize;
        vec![self.table_bytes, self.table_bytes.min(confidence_bytes)]
    }

    /// Two inputs: `stretch(p1)`, and `p1` itself, centred and scaled to the stretch domain's
    /// range, which weighs the network's confident predictions less than their logits do
    /// (wiki4m -0.014% at level 9, after paq8px's LSTM model).
    fn input_count(&self) -> usize {
        2
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        // The first call comes before any byte: the network reads byte 0 and learns nothing.
        let completed = (!history.is_empty()).then(|| history.back(1));
        self.next_byte(completed);
        let (likeliest, confidence) = self.likeliest_byte();
        let last_two = u64::from(history.back(1)) << 8 | u64::from(history.back(2));
        contexts[0] = combine(LSTM_SALT, likeliest << 16 | last_two);
        contexts[1] = combine(LSTM_SALT + 1, likeliest << 8 | confidence);
    }

    fn predict(&mut self, bit: &mut BitContext, _history: &History, inputs: &mut Inputs) {
        let p1 = self.p1(bit.c0);
        inputs.push(stretch(p1));
        // p1 < 16 would give -2048, just past the stretch domain the mixer's inputs keep to.
        inputs.push(((p1 as i32 - (1 << 15)) >> 4).max(-STRETCH_MAX));
        bit.lstm_byte = self.expected_byte(bit.c0);
    }

    fn update(&mut self, _bit: u32) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::code_bits;

    #[test]
    fn exp_is_within_a_few_ulps() {
        let mut x = -87.0f32;
        while x < 88.0 {
            let exact = (x as f64).exp();
            let error = ((exp(x) as f64 - exact) / exact).abs();
            assert!(error < 4.0 * f32::EPSILON as f64, "x = {x}: {error}");
            x += 0.013;
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-1000.0), exp(-87.0));
    }

    /// The gradient the backward pass sums, against the loss's change when a weight moves.
    #[test]
    fn back_propagation_finds_the_loss_gradient() {
        // Shorter than a window, which `learn` would close.
        let text = b"abcabdabcabx";
        const { assert!(12 < HORIZON) };
        let loss = |network: &mut Network| -> f64 {
            let (h, c) = (network.h.clone(), network.c.clone());
            let mut total = 0.0;
            let mut input = 0u8;
            for &target in text {
                let p = network.forward(input)[target as usize];
                total -= (p as f64).ln();
                input = target;
            }
            network.h = h;
            network.c = c;
            total
        };
        let n = DOT_LANES;
        let mut network = Network::new(n);
        // Weights that are not near zero, to test the products of the gates too.
        let mut random = Random(99);
        for w in &mut network.gate_bias.value {
            *w = random.uniform();
        }
        for w in &mut network.output_bias.value {
            *w = random.uniform();
        }
        let mut input = 0u8;
        for &target in text {
            network.forward(input);
            network.steps[network.filled].target = target;
            network.filled += 1;
            input = target;
        }
        network.h.fill(0.0);
        network.c.fill(0.0);
        network.backward();
        let mut checked = 0;
        let mut check = |network: &mut Network, pick: fn(&mut Network) -> &mut Weights, k| {
            let analytic = pick(network).gradient[k] as f64;
            let delta = 1e-2;
            pick(network).value[k] += delta;
            let up = loss(network);
            pick(network).value[k] -= 2.0 * delta;
            let down = loss(network);
            pick(network).value[k] += delta;
            let numeric = (up - down) / (2.0 * delta as f64);
            assert!(
                (numeric - analytic).abs() <= 0.02 * numeric.abs().max(analytic.abs()) + 2e-3,
                "weight {k}: numeric {numeric}, back-propagated {analytic}"
            );
            checked += 1;
        };
        for k in (0..n * 3 * n).step_by(29) {
            check(&mut network, |n| &mut n.recurrent, k);
        }
        for k in (b'a' as usize * 3 * n..b'e' as usize * 3 * n).step_by(5) {
            check(&mut network, |n| &mut n.embedding, k);
        }
        for k in 0..3 * n {
            check(&mut network, |n| &mut n.gate_bias, k);
        }
        for k in (0..n * 256).step_by(37) {
            check(&mut network, |n| &mut n.output, k);
        }
        for k in [0, b'a' as usize, b'b' as usize, b'x' as usize] {
            check(&mut network, |n| &mut n.output_bias, k);
        }
        assert!(checked > 100);
    }

    #[test]
    fn it_learns_a_repeating_text() {
        let mut model = LstmModel::new(DOT_LANES, false, 1 << 16);
        let text = b"the cat sat on the mat. ".repeat(200);
        let mut cost = Vec::new();
        code_bits(&mut model, &text, |_, inputs, bit| {
            assert!(inputs.iter().all(|x| x.abs() <= STRETCH_MAX), "{inputs:?}");
            let p1 = crate::logistic::squash(inputs[0]) as f64 / 65536.0;
            cost.push(-if bit == 1 { p1 } else { 1.0 - p1 }.log2());
        });
        let per_byte = |bits: &[f64]| bits.iter().sum::<f64>() / (bits.len() / 8) as f64;
        let first = per_byte(&cost[..8 * 240]);
        let last = per_byte(&cost[cost.len() - 8 * 240..]);
        assert!(first > 4.0 && last < 1.0, "{first} -> {last} bits per byte");
    }

    /// A confident network's rare bytes do not make its arithmetic subnormal (slow).
    #[test]
    fn confidence_leaves_no_subnormal_numbers() {
        let mut network = Network::new(DOT_LANES);
        // Every byte but `a` as far below it as the bounds let the biases go (32, against the
        // floor's 24): without the floor, their probabilities (e^-32 = 1.3 · 10^-14), gradients
        // and moments would head for the subnormal numbers.
        network.output_bias.value.fill(-OUTPUT_WEIGHT_LIMIT);
        network.output_bias.value[b'a' as usize] = OUTPUT_WEIGHT_LIMIT;
        for _ in 0..2 * HORIZON {
            network.forward(b'a');
            network.learn(b'a');
        }
        // The windows pushed every bias outwards, and the bounds held them.
        for (b, &bias) in network.output_bias.value.iter().enumerate() {
            let bound = if b == usize::from(b'a') { 1.0 } else { -1.0 };
            assert_eq!(bias, bound * OUTPUT_WEIGHT_LIMIT);
        }
        // e^-24 / 256 = 1.5 · 10^-13.
        assert!(network.steps[0].probabilities.iter().all(|&p| p >= 1e-13));
        for weights in [&network.output, &network.output_bias, &network.recurrent] {
            for values in [&weights.value, &weights.mean, &weights.variance] {
                assert!(values.iter().all(|v| v.is_finite() && !v.is_subnormal()));
            }
        }
    }

    /// Adam's first step moves each weight by about α against its gradient's sign, whatever the
    /// gradient's size; weights without a gradient (a row of a byte the window did not read)
    /// stay.
    #[test]
    fn a_window_ends_in_one_step_of_adam() {
        let mut network = Network::new(DOT_LANES);
        let before = network.output.value.clone();
        let embedding_before = network.embedding.value.clone();
        for (k, &byte) in b"the window of twenty".iter().enumerate() {
            network.forward(byte);
            if k + 1 < HORIZON {
                network.learn(byte);
            } else {
                network.backward();
                let gradient = network.output.gradient.clone();
                network.apply_gradients();
                for ((&w, &w0), &g) in network.output.value.iter().zip(&before).zip(&gradient) {
                    if g.abs() > 1e-4 {
                        let expected = -learning_rate(1) * g.signum();
                        assert!((w - w0 - expected).abs() < 0.02 * LEARNING_RATE);
                    }
                }
                assert!(network.output.gradient.iter().all(|&g| g == 0.0));
            }
        }
        let row = 3 * DOT_LANES;
        let unread = b'z' as usize * row..(b'z' as usize + 1) * row;
        assert_eq!(
            network.embedding.value[unread.clone()],
            embedding_before[unread]
        );
        let read = b't' as usize * row..(b't' as usize + 1) * row;
        assert_ne!(
            network.embedding.value[read.clone()],
            embedding_before[read]
        );
    }

    /// A step that would carry a weight past its bound leaves it on the bound, and its moments
    /// as the step made them; a step within the bounds is not touched.
    #[test]
    fn a_step_stops_at_the_weight_limit() {
        let mut weights = Weights::starting_at(vec![3.99, -3.99, 0.5], 4.0);
        weights.gradient.copy_from_slice(&[-1.0, 1.0, 1.0]);
        weights.learn(1.0, 1.0);
        assert_eq!(weights.value[..2], [4.0, -4.0]);
        assert_eq!(
            weights.mean,
            [-1.0, 1.0, 1.0].map(|g: f32| (1.0 - BETA1) * g)
        );
        let moved = weights.value[2];
        assert!(-4.0 < moved && moved < 0.5);
    }

    /// Each array has its bound, and only the recurrent weights decay (the value of the decay is
    /// held by the pinned tests, which see `U`'s steps).
    #[test]
    fn each_array_has_its_bound_and_only_the_recurrent_weights_decay() {
        let network = Network::new(DOT_LANES);
        let gates = [&network.recurrent, &network.embedding, &network.gate_bias];
        assert!(gates.iter().all(|w| w.limit == GATE_WEIGHT_LIMIT));
        let output = [&network.output, &network.output_bias];
        assert!(output.iter().all(|w| w.limit == OUTPUT_WEIGHT_LIMIT));
        let [recurrent, others @ ..] = weight_arrays(&network);
        assert_eq!(recurrent.weight_decay, RECURRENT_WEIGHT_DECAY);
        assert!(others.iter().all(|w| w.weight_decay == 0.0));
    }

    /// A step takes `step · weight_decay` of each weight off it, with or without a gradient, and
    /// the moments see only the gradient.
    #[test]
    fn weight_decay_takes_its_share_off_each_weight() {
        let mut weights =
            Weights::starting_at(vec![2.0, -2.0, 0.0, 2.0], 4.0).with_weight_decay(0.5);
        weights.gradient[3] = 1.0;
        let mut still = Weights::starting_at(weights.value.clone(), 4.0);
        still.gradient[3] = 1.0;
        weights.learn(0.25, 1.0);
        still.learn(0.25, 1.0);
        // 0.25 · 0.5 · ±2 off, in powers of two: exact.
        assert_eq!(weights.value[..3], [1.75, -1.75, 0.0]);
        assert_eq!(still.value[..3], [2.0, -2.0, 0.0]);
        assert_eq!(weights.value[3], still.value[3] - 0.25);
        assert_eq!(weights.mean, still.mean);
        assert_eq!(weights.variance, still.variance);
    }

    /// The decay comes before the clamp: a weight that a step pushes past its bound stays on it.
    #[test]
    fn a_decaying_weight_pushed_past_its_bound_stays_on_it() {
        let mut weights = Weights::starting_at(vec![4.0, -4.0], 4.0).with_weight_decay(0.5);
        weights.gradient.copy_from_slice(&[-1.0, 1.0]);
        weights.learn(0.25, 1.0);
        assert_eq!(weights.value, [4.0, -4.0]);
    }

    /// A weight that the decay takes under [`SMALLEST_WEIGHT`] is 0, never subnormal.
    #[test]
    fn a_decayed_weight_ends_at_zero() {
        // 2^-96 loses an eighth a step, exactly, and falls under 10^-30 in the 20th.
        let small = 1.0 / (1u128 << 96) as f32;
        let mut weights = Weights::starting_at(vec![1.1e-30, -small], 4.0).with_weight_decay(0.5);
        weights.learn(0.25, 1.0);
        assert_eq!(weights.value, [0.0, -small * 0.875]);
        for _ in 0..30 {
            weights.learn(0.25, 1.0);
        }
        assert_eq!(weights.value, [0.0, 0.0]);
    }

    /// Starts both bias arrays just inside their bounds, with alternating signs, so that the
    /// first windows' steps carry some of them onto the bounds (a step moves a weight by up to
    /// about α, 0.01, against its gradient's sign).
    fn start_the_biases_at_their_bounds(network: &mut Network) {
        for biases in [&mut network.gate_bias, &mut network.output_bias] {
            let inside = biases.limit - 1e-3;
            for (k, bias) in biases.value.iter_mut().enumerate() {
                *bias = if k % 2 == 0 { inside } else { -inside };
            }
        }
    }

    /// The network's five weight arrays, `U` first.
    fn weight_arrays(network: &Network) -> [&Weights; 5] {
        [
            &network.recurrent,
            &network.embedding,
            &network.gate_bias,
            &network.output,
            &network.output_bias,
        ]
    }

    fn assert_the_weights_keep_to_their_bounds(network: &Network) {
        for weights in weight_arrays(network) {
            assert!(weights.value.iter().all(|w| w.abs() <= weights.limit));
        }
    }

    /// One step of the pinned tests' hash (FNV-1a's, a value at a time).
    fn pin(hash: &mut u64, value: u64) {
        *hash = (*hash ^ value).wrapping_mul(0x100_0000_01B3);
    }

    /// The archive format depends on every rounding of the network: this pins the inputs it
    /// gives over a text (a change to an operation, its order or a constant shows here).
    #[test]
    fn the_inputs_are_pinned() {
        let text =
            b"[[Category:Rivers of the world]] and the river's mouth, 1,024 km long. ".repeat(30);
        let mut model = LstmModel::new(DOT_LANES, false, 1 << 16);
        let mut hash = 0u64;
        code_bits(&mut model, &text, |bit, inputs, _| {
            for value in inputs.iter().map(|&x| x as u32).chain([bit.lstm_byte]) {
                pin(&mut hash, u64::from(value));
            }
        });
        assert_eq!(hash, 6_577_494_079_901_219_285);
    }

    /// As [`the_inputs_are_pinned`], for the distributions of a network whose biases the bounds
    /// stop (in that test's few windows no weight goes from its starting value to a bound).
    #[test]
    fn the_bounds_are_pinned() {
        let text = b"the bounds, the bounds and the bounds again. ".repeat(20);
        let mut network = Network::new(DOT_LANES);
        start_the_biases_at_their_bounds(&mut network);
        let mut hash = 0u64;
        for (k, pair) in text.windows(2).enumerate() {
            for p in network.forward(pair[0]) {
                pin(&mut hash, u64::from(p.to_bits()));
            }
            network.learn(pair[1]);
            if k + 1 == HORIZON {
                // The first window's step pushed up the output bias of each byte that came, and
                // the bound stopped those that started just inside it (the even bytes).
                let came = b"hb nd,t".map(|b| network.output_bias.value[usize::from(b)]);
                assert_eq!(came, [OUTPUT_WEIGHT_LIMIT; 7]);
            }
        }
        assert_the_weights_keep_to_their_bounds(&network);
        assert_eq!(hash, 6_420_453_980_761_503_299);
    }

    #[test]
    fn the_step_size_halves_after_three_decay_lengths_and_stops_at_a_quarter() {
        assert!(learning_rate(1) < LEARNING_RATE && learning_rate(1) > 0.999 * LEARNING_RATE);
        assert_eq!(learning_rate(3 * DECAY_WINDOWS as u32), LEARNING_RATE / 2.0);
        assert_eq!(learning_rate(u32::MAX), LEARNING_RATE * SMALLEST_RATE_SHARE);
    }

    /// As [`the_inputs_are_pinned`], for the contexts the model names.
    #[test]
    fn the_contexts_are_pinned() {
        let text = b"[[Category:Rivers of the world]] and the river's mouth. ".repeat(30);
        let mut model = LstmModel::new(DOT_LANES, false, 1 << 16);
        let mut history = History::new(text.len());
        let mut contexts = [0u64; 2];
        let mut hash = 0u64;
        model.update_byte(&history, &mut contexts);
        for &byte in &text {
            history.push(byte);
            model.update_byte(&history, &mut contexts);
            for context in contexts {
                pin(&mut hash, context);
            }
        }
        assert_eq!(hash, 11_072_736_682_496_907_984);
    }

    /// The expected byte follows the heavier branch from the partial byte; the likeliest byte
    /// is the single most probable one.
    #[test]
    fn the_expected_byte_follows_the_heavier_branches() {
        let mut model = LstmModel::new(DOT_LANES, false, 1 << 16);
        // `x` alone holds 0.3; the bytes 0..64 share the rest.
        let mut probabilities = [0.0f32; 256];
        probabilities[..64].fill(0.7 / 64.0);
        probabilities[b'x' as usize] = 0.3;
        model.tree[256..].copy_from_slice(&probabilities);
        model.sum_the_tree();
        assert_eq!(model.expected_byte(1), 0, "the first of equals");
        // Once the first bits are x's (0111 1000), x is expected.
        assert_eq!(model.expected_byte(0b10111), u32::from(b'x'));
        assert_eq!(model.likeliest_byte(), (u64::from(b'x'), 2));
    }

    /// The same inputs, bit for bit, from the network compiled for AVX2 as from the portable one.
    #[test]
    fn avx2_computes_what_the_portable_path_does() {
        #[cfg(target_arch = "x86_64")]
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        #[cfg(not(target_arch = "x86_64"))]
        return;
        let text = crate::model::pseudo_random_bytes(300)
            .into_iter()
            .chain(b"and the words of a text, and the words again. ".repeat(20))
            .collect::<Vec<u8>>();
        let run = |avx2: bool| {
            let mut model = LstmModel::new(2 * DOT_LANES, avx2, 1 << 16);
            // From the bounds, so that both paths clamp.
            start_the_biases_at_their_bounds(&mut model.network);
            let mut inputs = Vec::new();
            code_bits(&mut model, &text, |bit, pushed, _| {
                inputs.extend_from_slice(pushed);
                inputs.push(bit.lstm_byte as i32);
            });
            assert_the_weights_keep_to_their_bounds(&model.network);
            let network = model.network;
            (inputs, network.output.value, network.recurrent.value)
        };
        let (portable, avx2) = (run(false), run(true));
        assert!(portable == avx2, "the paths differ");
        // Each bit's first value is the network's logit (then its probability, its byte).
        assert!(
            portable.0.iter().step_by(3).any(|&x| x.abs() > 1000),
            "the network predicts"
        );
    }
}

//! # `mixer/dot`, `mixer/train`, `mixer/mix_update`, `apm/refine_update`: the mixing stage's inner loops
//!
//! * `mixer/dot/<simd>/<width>` and `mixer/train/<simd>/<width>`: the two kernels of every weight
//!   vector (`aizip_mixer::dot` and `aizip_mixer::train`, one call each, path chosen per call),
//!   for each instruction-set path this CPU offers (`Simd::available()`) and vector widths 8 and
//!   16 (one and two AVX2 registers; at the default level the engine's layer-1 vectors are 16
//!   wide, its layer-2 vector 8). Each iteration makes [`CALLS`] calls on weight vectors picked at
//!   random from [`CONTEXTS`], as selectors do, so the weights come from L1/L2 as in the engine.
//!   Throughput is in calls (elements) per second; a path that stops beating scalar shows up
//!   here first.
//! * `mixer/mix_update/<simd>`: the whole `Mixer` as the default level drives it, which chooses
//!   the path once per bit and runs all sets in one function: 11 inputs (binary data; text has
//!   10 there, which fill the same 16-lane vectors), three layer-1 sets and one layer-2 set,
//!   selected and trained on the bits of the sample. Throughput is in bytes of sample,
//!   comparable with `engine/*`.
//! * `apm/refine_update`: one `Apm::refine` + `Apm::update` per bit with the engine's order-1 APM
//!   shape (65,536 contexts of 33 buckets, context = partial byte | previous byte << 8), on the
//!   probabilities of the simple model of `aizip_benches::streams`. Throughput is in bytes of
//!   sample (8 bits each), comparable with `engine/*`.

use aizip::engine::{APM_RATE, PLAIN_RATE};
use aizip_benches::{corpus, streams::BitStream};
use aizip_mixer::{dot, train, Apm, Mixer, Simd, WEIGHT_LIMIT};
use aizip_models::logistic::stretch;
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// Kernel calls per iteration.
const CALLS: usize = 4096;
/// Weight vectors to choose among (a selector's contexts).
const CONTEXTS: usize = 256;
const WIDTHS: [usize; 2] = [8, 16];

/// Inputs, weights and the vector each call uses.
struct KernelData {
    width: usize,
    inputs: Vec<i32>,
    weights: Vec<i32>,
    selected: Vec<usize>,
    errors: Vec<i32>,
}

impl KernelData {
    fn new(width: usize) -> Self {
        let mut seed = 0x2545_F491_u32 ^ width as u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        // Stretched predictions within ±2047, weights around 1/width (16.16) with some spread.
        let inputs = (0..CALLS * width)
            .map(|_| (next() % 4095) as i32 - 2047)
            .collect();
        let weights = (0..CONTEXTS * width)
            .map(|_| ((next() % (1 << 18)) as i32 - (1 << 17)).clamp(-WEIGHT_LIMIT, WEIGHT_LIMIT))
            .collect();
        let selected = (0..CALLS)
            .map(|_| (next() as usize % CONTEXTS) * width)
            .collect();
        // Errors as `Mixer` makes them: ((bit << 16) - p) * rate >> 10, at the default level's
        // base rate (a new vector's boost multiplies it; the kernels' time does not depend on it).
        let errors = (0..CALLS)
            .map(|_| (((next() % 65536) as i32 - 32768) * PLAIN_RATE.base) >> 10)
            .collect();
        KernelData {
            width,
            inputs,
            weights,
            selected,
            errors,
        }
    }

    fn dot_all(&self, simd: Simd) -> i32 {
        let w = self.width;
        self.inputs
            .chunks_exact(w)
            .zip(&self.selected)
            .fold(0i32, |sum, (x, &at)| {
                sum.wrapping_add(dot(simd, x, &self.weights[at..at + w]))
            })
    }

    fn train_all(&mut self, simd: Simd) {
        let w = self.width;
        for ((x, &at), &err) in self
            .inputs
            .chunks_exact(w)
            .zip(&self.selected)
            .zip(&self.errors)
        {
            train(simd, x, &mut self.weights[at..at + w], err);
        }
    }
}

fn bench_kernels(c: &mut Criterion) {
    let mut group = c.benchmark_group("mixer/dot");
    group.throughput(Throughput::Elements(CALLS as u64));
    for simd in Simd::available() {
        for width in WIDTHS {
            let data = KernelData::new(width);
            group.bench_with_input(BenchmarkId::new(simd.name(), width), &data, |b, data| {
                b.iter(|| data.dot_all(black_box(simd)))
            });
        }
    }
    group.finish();

    let mut group = c.benchmark_group("mixer/train");
    group.throughput(Throughput::Elements(CALLS as u64));
    for simd in Simd::available() {
        for width in WIDTHS {
            let mut data = KernelData::new(width);
            group.bench_function(BenchmarkId::new(simd.name(), width), |b| {
                b.iter(|| {
                    data.train_all(black_box(simd));
                    black_box(data.weights[0])
                })
            });
        }
    }
    group.finish();
}

fn bench_mixer(c: &mut Criterion) {
    let sample = corpus::sample();
    let stream = BitStream::from_text(&sample.bytes);
    let mut group = c.benchmark_group("mixer/mix_update");
    group.sample_size(10);
    group.throughput(Throughput::BytesDecimal(stream.bytes.len() as u64));
    for simd in Simd::available() {
        let mut mixer = Mixer::new(
            simd,
            11,
            &[16 * 256, 256 * 8, 256 * 256],
            PLAIN_RATE,
            &[128 * 256],
        );
        group.bench_function(BenchmarkId::new(simd.name(), sample.name), |b| {
            b.iter(|| {
                let mut sum = 0u32;
                for at in stream.bits_in_context() {
                    mixer.select(&[
                        at.partial as u32,
                        (at.previous * 8 + at.position) as u32,
                        (at.partial | at.previous << 8) as u32,
                    ]);
                    mixer.select_outputs(&[at.partial as u32]);
                    let inputs = mixer.inputs();
                    inputs.clear();
                    let x = stretch(at.p);
                    for shift in 0..11 {
                        inputs.push(x >> (shift % 4));
                    }
                    sum = sum.wrapping_add(mixer.mix());
                    mixer.update(at.bit);
                }
                black_box(sum)
            })
        });
    }
    group.finish();
}

fn bench_apm(c: &mut Criterion) {
    let sample = corpus::sample();
    let stream = BitStream::from_text(&sample.bytes);
    let mut apm = Apm::new(1 << 16, APM_RATE);
    let mut group = c.benchmark_group("apm/refine_update");
    group.sample_size(20);
    group.throughput(Throughput::BytesDecimal(stream.bytes.len() as u64));
    group.bench_function(sample.name, |b| {
        b.iter(|| {
            let mut sum = 0u32;
            for at in stream.bits_in_context() {
                sum = sum.wrapping_add(apm.refine(at.p, at.partial | at.previous << 8));
                apm.update(at.bit);
            }
            black_box(sum)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_kernels, bench_mixer, bench_apm);
criterion_main!(benches);
